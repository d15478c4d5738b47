//! Commands through the REST API, end to end: a real server, a raw OCPP charger that receives
//! each CALL and answers it, and an HTTP caller that gets the typed answer. Every operation is
//! a row of one table; refusals, failures, ordering, what answers teach and the conveniences
//! each have their own table or script.

mod common;
mod operations;

use common::{Charger, TestServer, PATIENCE};
use operations::{case, every_operation, profile, Case};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::task::JoinHandle;

/// An API request sent in the background, so that the test charger can answer the CALL it
/// causes; `body` `None` sends no body.
fn request(
    server: &TestServer,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> JoinHandle<(u16, Value)> {
    let (url, token) = (server.url(path), token.to_owned());
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    tokio::spawn(async move {
        let mut request = reqwest::Client::new()
            .request(method, url)
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("API request");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    })
}

/// Status and JSON body of a background request.
async fn outcome(pending: JoinHandle<(u16, Value)>) -> (u16, Value) {
    tokio::time::timeout(PATIENCE, pending)
        .await
        .expect("no HTTP answer in time")
        .expect("request task")
}

/// `POST /api/v1/chargers/<charger>/<route>` in the background.
fn command(
    server: &TestServer,
    token: &str,
    charger: &str,
    route: &str,
    body: Value,
) -> JoinHandle<(u16, Value)> {
    let path = format!("/api/v1/chargers/{charger}/{route}");
    request(server, token, "POST", &path, Some(body))
}

/// Sends a command, lets the charger answer its CALL with `answer`; gives the CALL received
/// and the HTTP answer.
async fn exchange(
    server: &TestServer,
    token: &str,
    cp: &mut Charger,
    route: &str,
    body: Value,
    answer: Value,
) -> (Value, u16, Value) {
    let pending = command(server, token, &cp.id, route, body);
    let call = cp.next_call().await;
    cp.reply(&call[1], answer).await;
    let (status, body) = outcome(pending).await;
    (call, status, body)
}

/// Sends the command of `case`, checks the CALL the charger receives, answers it, and checks
/// what the caller gets.
async fn check(server: &TestServer, token: &str, cp: &mut Charger, case: &Case) {
    let (call, status, body) = exchange(
        server,
        token,
        cp,
        case.route,
        case.body.clone(),
        case.answer.clone(),
    )
    .await;
    assert_eq!(call[2], case.action, "{}: {call}", case.route);
    assert_eq!(call[3], case.body, "{}: the CALL's payload", case.route);
    assert_eq!((status, &body), (200, case.expected()), "{}", case.route);
}

#[tokio::test]
async fn every_operation_reaches_the_charger_and_its_answer_the_caller() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    let mut cp = server.booted("CP-OPS").await;
    let cases = every_operation();
    let mut actions: Vec<&str> = cases.iter().map(|c| c.action).collect();
    actions.sort();
    assert_eq!(actions, csms::ocpp::v16::CENTRAL_SYSTEM_ACTIONS);
    for case in &cases {
        check(&server, &token, &mut cp, case).await;
    }
    // An empty body is read as `{}` for operations without fields.
    let pending = request(
        &server,
        &token,
        "POST",
        "/api/v1/chargers/CP-OPS/clear-cache",
        None,
    );
    let call = cp.next_call().await;
    assert_eq!((&call[2], &call[3]), (&json!("ClearCache"), &json!({})));
    cp.reply(&call[1], json!({"status": "Rejected"})).await;
    assert_eq!(outcome(pending).await, (200, json!({"status": "Rejected"})));

    // Each command is in the audit log: who, what, to which charger, with what result.
    server
        .wait_audit("target=CP-OPS&actor=user:admin", |rows| {
            let actions: std::collections::BTreeSet<_> = rows
                .iter()
                .filter(|r| {
                    r["result"].as_str().is_some_and(|r| r.starts_with("200 "))
                        && !r["request"].is_null()
                })
                .map(|r| r["action"].clone().to_string())
                .collect();
            actions.len() == 26
        })
        .await;
    let (status, audit) = server
        .api(
            "GET",
            "/api/v1/audit?action=Reset&target=CP-OPS",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{audit}");
    assert_eq!(audit["items"][0]["result"], "200 {\"status\":\"Accepted\"}");
    assert_eq!(audit["items"][0]["request"], "{\"type\":\"Hard\"}");
}

/// A request refused before anything is sent: status, and the field named (if any).
struct Refusal {
    path: &'static str,
    body: Value,
    status: u16,
    field: Option<&'static str>,
    says: &'static str,
}

#[tokio::test]
async fn bad_requests_unknown_and_offline_chargers_are_refused() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    let _cp = server.booted("CP-R").await;
    server.register_charger(json!({"id": "CP-OFF"})).await;
    let bad_limit = profile(1, "TxDefaultProfile", 7.25);
    let refusals = [
        Refusal {
            path: "/chargers/CP-R/reset",
            body: json!({"type": "Medium"}),
            status: 422,
            field: Some("type"),
            says: "unknown variant",
        },
        Refusal {
            path: "/chargers/CP-R/remote-start",
            body: json!({"connectorId": 1}),
            status: 422,
            field: Some("idTag"),
            says: "missing field",
        },
        Refusal {
            path: "/chargers/CP-R/remote-start",
            body: json!({"idTag": "X".repeat(21)}),
            status: 422,
            field: Some("idTag"),
            says: "at most 20 characters",
        },
        Refusal {
            path: "/chargers/CP-R/set-charging-profile",
            body: json!({"connectorId": 1, "csChargingProfiles": bad_limit}),
            status: 422,
            field: Some("csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit"),
            says: "multiple of 0.1",
        },
        Refusal {
            path: "/chargers/CP-R/set-charging-profile",
            body: json!({"connectorId": 1, "csChargingProfiles": profile(1, "ChargePointMaxProfile", 10.0)}),
            status: 422,
            field: Some("connectorId"),
            says: "must be 0",
        },
        Refusal {
            path: "/chargers/CP-R/reserve-now",
            body: json!({"connectorId": 1, "expiryDate": "2030-01-01T00:00:00Z"}),
            status: 422,
            field: Some("idTag"),
            says: "missing field",
        },
        Refusal {
            path: "/chargers/CP-R/max-power",
            body: json!({"limit": 11, "unit": "kW"}),
            status: 422,
            field: Some("unit"),
            says: "W or A",
        },
        Refusal {
            path: "/charging-profiles",
            body: json!({"name": "night", "profile": {"chargingProfileId": 1}}),
            status: 422,
            field: Some("profile.stackLevel"),
            says: "missing field",
        },
        Refusal {
            path: "/chargers/NOBODY/reset",
            body: json!({"type": "Soft"}),
            status: 404,
            field: None,
            says: "unknown charger NOBODY",
        },
        Refusal {
            path: "/chargers/NOBODY/configuration",
            body: Value::Null,
            status: 404,
            field: None,
            says: "unknown charger",
        },
        Refusal {
            path: "/chargers/CP-OFF/reset",
            body: json!({"type": "Soft"}),
            status: 409,
            field: None,
            says: "offline",
        },
        Refusal {
            path: "/chargers/CP-OFF/disconnect",
            body: json!({}),
            status: 409,
            field: None,
            says: "offline",
        },
        Refusal {
            path: "/chargers/CP-R/sessions/999/finish",
            body: json!({}),
            status: 404,
            field: None,
            says: "no transaction 999",
        },
    ];
    for r in &refusals {
        let (method, body) = match &r.body {
            Value::Null => ("GET", None),
            body => ("POST", Some(body.clone())),
        };
        let path = format!("/api/v1{}", r.path);
        let (status, answer) = server.api(method, &path, Some(&token), body).await;
        assert_eq!(status, r.status, "{}: {answer}", r.path);
        assert_eq!(answer["field"].as_str(), r.field, "{}: {answer}", r.path);
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(r.says), "{}: {answer}", r.path);
    }
    // Not JSON at all.
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/chargers/CP-R/reset"))
        .bearer_auth(&token)
        .body("{\"type\":")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 400);
}

#[tokio::test]
async fn a_pending_charger_may_be_configured_but_not_remote_started() {
    let server = TestServer::start("[ocpp]\nboot_status = \"pending\"");
    let token = server.admin_token().await;
    let mut cp = Charger::connect(&server, "CP-PENDING").await;
    let boot = cp
        .call(
            "BootNotification",
            json!({"chargePointVendor": "V", "chargePointModel": "M"}),
        )
        .await;
    assert_eq!(boot[2]["status"], "Pending", "{boot}");

    for (route, body) in [
        ("remote-start", json!({"idTag": "TAG-1"})),
        ("remote-stop", json!({"transactionId": 1})),
    ] {
        let (status, answer) = outcome(command(&server, &token, "CP-PENDING", route, body)).await;
        assert_eq!(status, 409, "{route}: {answer}");
        assert!(
            answer["error"]
                .as_str()
                .unwrap_or_default()
                .contains("Pending"),
            "{answer}"
        );
    }
    let get = case(
        "get-configuration",
        "GetConfiguration",
        json!({}),
        json!({"configurationKey": [{"key": "HeartbeatInterval", "readonly": false, "value": "60"}]}),
    );
    check(&server, &token, &mut cp, &get).await;
}

#[tokio::test]
async fn charger_errors_and_silence_become_502_and_504() {
    let server = TestServer::start("[ocpp]\ncall_timeout_secs = 1");
    let token = server.admin_token().await;
    let mut cp = server.booted("CP-ERR").await;

    // A CALLERROR: its code and description are passed on.
    let pending = command(&server, &token, "CP-ERR", "reset", json!({"type": "Soft"}));
    let call = cp.next_call().await;
    let error = json!([4, call[1], "NotSupported", "no resets here", {}]);
    cp.send_text(&error.to_string()).await;
    let (status, answer) = outcome(pending).await;
    assert_eq!(status, 502, "{answer}");
    assert_eq!(answer["kind"], "callError", "{answer}");
    assert_eq!(
        (&answer["code"], &answer["description"]),
        (&json!("NotSupported"), &json!("no resets here"))
    );

    // An answer that is not a valid confirmation.
    let (_, status, answer) = exchange(
        &server,
        &token,
        &mut cp,
        "reset",
        json!({"type": "Soft"}),
        json!({"status": "Maybe"}),
    )
    .await;
    assert_eq!(status, 502, "{answer}");
    assert_eq!(answer["kind"], "undecodableAnswer", "{answer}");
    assert_eq!(answer["raw"], json!({"status": "Maybe"}), "{answer}");

    // No answer: 504 after the call timeout; a late answer is ignored and the next call works.
    let pending = command(&server, &token, "CP-ERR", "clear-cache", json!({}));
    let late = cp.next_call().await;
    let (status, answer) = outcome(pending).await;
    assert_eq!(status, 504, "{answer}");
    cp.reply(&late[1], json!({"status": "Accepted"})).await;
    let again = case(
        "clear-cache",
        "ClearCache",
        json!({}),
        json!({"status": "Accepted"}),
    );
    check(&server, &token, &mut cp, &again).await;

    server
        .wait_audit("target=CP-ERR", |rows| {
            let failed = rows.iter().filter(|r| {
                r["result"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("502 ") || r.starts_with("504 "))
            });
            failed.count() == 3
        })
        .await;
}

#[tokio::test]
async fn commands_to_one_charger_go_one_at_a_time() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    let mut cp = server.booted("CP-SEQ").await;
    let first = command(&server, &token, "CP-SEQ", "reset", json!({"type": "Soft"}));
    let second = command(&server, &token, "CP-SEQ", "clear-cache", json!({}));
    let call = cp.next_call().await;
    let quiet = tokio::time::timeout(Duration::from_millis(600), cp.next_call()).await;
    assert!(
        quiet.is_err(),
        "a second CALL came before the first was answered: {quiet:?}"
    );
    let first_action = call[2].clone();
    cp.reply(&call[1], json!({"status": "Accepted"})).await;
    let next = cp.next_call().await;
    assert_ne!(next[1], call[1], "message ids must differ");
    assert_ne!(next[2], first_action);
    cp.reply(&next[1], json!({"status": "Accepted"})).await;
    assert_eq!(outcome(first).await, (200, json!({"status": "Accepted"})));
    assert_eq!(outcome(second).await, (200, json!({"status": "Accepted"})));
}

/// [`exchange`] that must answer 200; gives the CALL and the HTTP body.
async fn answered(
    server: &TestServer,
    token: &str,
    cp: &mut Charger,
    route: &str,
    body: Value,
    answer: Value,
) -> (Value, Value) {
    let (call, status, body) = exchange(server, token, cp, route, body, answer).await;
    assert_eq!(status, 200, "{route}: {body}");
    (call, body)
}

/// A GET that must answer 200; gives the body.
async fn read(server: &TestServer, token: &str, path: &str) -> Value {
    let (status, body) = server
        .api("GET", &format!("/api/v1{path}"), Some(token), None)
        .await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

#[tokio::test]
async fn what_answers_teach_is_stored_and_readable() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    let mut cp = server.booted("CP-MEM").await;

    // Configuration: a full answer replaces the snapshot, a keyed one and changes update it.
    let exchanges = [
        (
            "get-configuration",
            json!({}),
            json!({"configurationKey": [
                {"key": "HeartbeatInterval", "readonly": false, "value": "300"},
                {"key": "NumberOfConnectors", "readonly": true, "value": "2"},
                {"key": "AuthorizationKey", "readonly": false}]}),
        ),
        (
            "change-configuration",
            json!({"key": "HeartbeatInterval", "value": "60"}),
            json!({"status": "Accepted"}),
        ),
        (
            "change-configuration",
            json!({"key": "MeterValueSampleInterval", "value": "10"}),
            json!({"status": "Rejected"}),
        ),
        (
            "get-local-list-version",
            json!({}),
            json!({"listVersion": 2}),
        ),
        (
            "send-local-list",
            json!({"listVersion": 7, "updateType": "Differential"}),
            json!({"status": "Accepted"}),
        ),
    ];
    for (route, body, answer) in exchanges {
        answered(&server, &token, &mut cp, route, body, answer).await;
    }
    let snapshot = read(&server, &token, "/chargers/CP-MEM/configuration").await;
    let keys: Vec<(String, Value, bool)> = snapshot["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| {
            let name = k["key"].as_str().unwrap_or_default().to_owned();
            (name, k["value"].clone(), k["readonly"] == true)
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("AuthorizationKey".into(), Value::Null, false),
            ("HeartbeatInterval".into(), json!("60"), false),
            ("NumberOfConnectors".into(), json!("2"), true),
        ]
    );
    assert_eq!(snapshot["localListVersion"], 7);

    // Reservations: an id is allocated when left out; a start with it marks it Used.
    let (call, reserved) = answered(
        &server,
        &token,
        &mut cp,
        "reserve-now",
        json!({"connectorId": 1, "expiryDate": "2030-01-01T00:00:00.000Z", "idTag": "TAG-R"}),
        json!({"status": "Accepted"}),
    )
    .await;
    let reservation = reserved["reservationId"].as_i64().expect("reservationId");
    assert_eq!(call[3]["reservationId"], reservation, "{call}");
    let (_, other) = answered(
        &server,
        &token,
        &mut cp,
        "reserve-now",
        json!({"connectorId": 2, "expiryDate": "2030-01-01T00:00:00.000Z", "idTag": "TAG-S"}),
        json!({"status": "Occupied"}),
    )
    .await;
    assert_ne!(other["reservationId"], reservation);
    let listed = read(&server, &token, "/chargers/CP-MEM/reservations").await;
    assert_eq!(listed["total"], 2, "{listed}");
    assert_eq!(listed["items"][0]["status"], "Occupied");
    assert_eq!(listed["items"][1]["status"], "Accepted");
    assert_eq!(listed["items"][1]["active"], true);
    let start = cp
        .call(
            "StartTransaction",
            json!({"connectorId": 1, "idTag": "TAG-R", "meterStart": 0,
                   "timestamp": "2026-01-01T10:00:00.000Z", "reservationId": reservation}),
        )
        .await;
    let transaction = start[2]["transactionId"].as_i64().expect("transactionId");
    let used = read(&server, &token, "/reservations?status=Used").await;
    assert_eq!(used["total"], 1, "{used}");
    assert_eq!(used["items"][0]["id"], reservation);
    assert_eq!(used["items"][0]["transactionId"], transaction);
    assert_eq!(used["items"][0]["active"], false);

    // Charging profiles: installed when accepted, gone when cleared.
    let installed = |cp_profiles: &Value| -> Vec<(i64, i64)> {
        cp_profiles
            .as_array()
            .expect("list")
            .iter()
            .map(|p| {
                let id = p["chargingProfileId"].as_i64().unwrap_or_default();
                (p["connectorId"].as_i64().unwrap_or_default(), id)
            })
            .collect()
    };
    for (connector, id, purpose) in [
        (0, 10, "ChargePointMaxProfile"),
        (1, 11, "TxDefaultProfile"),
        (2, 12, "TxDefaultProfile"),
    ] {
        answered(
            &server,
            &token,
            &mut cp,
            "set-charging-profile",
            json!({"connectorId": connector, "csChargingProfiles": profile(id, purpose, 8000.0)}),
            json!({"status": "Accepted"}),
        )
        .await;
    }
    answered(
        &server,
        &token,
        &mut cp,
        "set-charging-profile",
        json!({"connectorId": 2, "csChargingProfiles": profile(13, "TxDefaultProfile", 8000.0)}),
        json!({"status": "Rejected"}),
    )
    .await;
    let on_charger = read(&server, &token, "/chargers/CP-MEM/charging-profiles").await;
    assert_eq!(installed(&on_charger), [(0, 10), (1, 11), (2, 12)]);
    assert_eq!(
        on_charger[0]["profile"],
        profile(10, "ChargePointMaxProfile", 8000.0)
    );
    answered(
        &server,
        &token,
        &mut cp,
        "clear-charging-profile",
        json!({"chargingProfilePurpose": "TxDefaultProfile", "connectorId": 1}),
        json!({"status": "Accepted"}),
    )
    .await;
    answered(
        &server,
        &token,
        &mut cp,
        "clear-charging-profile",
        json!({"id": 10}),
        json!({"status": "Unknown"}),
    )
    .await;
    let on_charger = read(&server, &token, "/chargers/CP-MEM/charging-profiles").await;
    assert_eq!(installed(&on_charger), [(0, 10), (2, 12)]);

    // Firmware and diagnostics requests, with the progress the charger reports.
    answered(
        &server,
        &token,
        &mut cp,
        "update-firmware",
        json!({"location": "https://fw.example.com/3.0.bin", "retrieveDate": "2026-01-01T00:00:00.000Z"}),
        json!({}),
    )
    .await;
    let notified = cp
        .call(
            "FirmwareStatusNotification",
            json!({"status": "Downloading"}),
        )
        .await;
    assert_eq!(notified[0], 3, "{notified}");
    answered(
        &server,
        &token,
        &mut cp,
        "get-log",
        json!({"logType": "DiagnosticsLog", "requestId": 3, "log": {"remoteLocation": "ftp://logs.example.com/"}}),
        json!({"status": "Accepted", "filename": "cp.log"}),
    )
    .await;
    let firmware = read(&server, &token, "/chargers/CP-MEM/firmware-requests").await;
    assert_eq!(firmware[0]["kind"], "UpdateFirmware", "{firmware}");
    assert_eq!(firmware[0]["location"], "https://fw.example.com/3.0.bin");
    assert_eq!(
        firmware[0]["progress"]["status"], "Downloading",
        "{firmware}"
    );
    let diagnostics = read(&server, &token, "/chargers/CP-MEM/diagnostics-requests").await;
    assert_eq!(
        (
            &diagnostics[0]["kind"],
            &diagnostics[0]["status"],
            &diagnostics[0]["fileName"]
        ),
        (&json!("GetLog"), &json!("Accepted"), &json!("cp.log")),
        "{diagnostics}"
    );
    assert_eq!(diagnostics[0]["progress"], Value::Null);
}

#[tokio::test]
async fn the_profile_library_installs_profiles_on_chargers() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    let mut cp = server.booted("CP-LIB").await;
    let night = profile(21, "TxDefaultProfile", 3700.0);
    let (status, created) = server
        .api(
            "POST",
            "/api/v1/charging-profiles",
            Some(&token),
            Some(json!({"name": "night", "profile": night})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (status, _) = server
        .api(
            "POST",
            "/api/v1/charging-profiles",
            Some(&token),
            Some(json!({"name": "NIGHT", "profile": night})),
        )
        .await;
    assert_eq!(status, 409, "names are unique, whatever their case");
    let library = read(&server, &token, "/charging-profiles").await;
    assert_eq!(library["total"], 1);
    assert_eq!(library["items"][0]["profile"], night);

    let id = created["id"].as_i64().expect("id");
    let (call, status, answer) = exchange(
        &server,
        &token,
        &mut cp,
        "charging-profiles",
        json!({"profileId": id, "connectorId": 2}),
        json!({"status": "Accepted"}),
    )
    .await;
    assert_eq!((status, &answer), (200, &json!({"status": "Accepted"})));
    assert_eq!(call[2], "SetChargingProfile");
    assert_eq!(
        call[3],
        json!({"connectorId": 2, "csChargingProfiles": night})
    );
    let on_charger = read(&server, &token, "/chargers/CP-LIB/charging-profiles").await;
    assert_eq!(on_charger[0]["chargingProfileId"], 21);

    let path = format!("/api/v1/charging-profiles/{id}");
    assert_eq!(server.api("DELETE", &path, Some(&token), None).await.0, 204);
    assert_eq!(server.api("DELETE", &path, Some(&token), None).await.0, 404);
}

#[tokio::test]
async fn configuration_changes_on_many_chargers_at_once() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    let mut a = server.booted("CP-A").await;
    let mut b = server.booted("CP-B").await;
    let all = request(
        &server,
        &token,
        "POST",
        "/api/v1/commands/change-configuration",
        Some(json!({"key": "HeartbeatInterval", "value": "90"})),
    );
    // Both CALLs are out before either is answered: the chargers are asked concurrently.
    let (call_a, call_b) = (a.next_call().await, b.next_call().await);
    for call in [&call_a, &call_b] {
        assert_eq!(call[2], "ChangeConfiguration");
        assert_eq!(call[3], json!({"key": "HeartbeatInterval", "value": "90"}));
    }
    b.reply(&call_b[1], json!({"status": "Rejected"})).await;
    a.reply(&call_a[1], json!({"status": "Accepted"})).await;
    let (status, answer) = outcome(all).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!({"results": [
            {"chargePointId": "CP-A", "status": "Accepted"},
            {"chargePointId": "CP-B", "status": "Rejected"}]})
    );

    let chosen = request(
        &server,
        &token,
        "POST",
        "/api/v1/commands/change-configuration",
        Some(json!({"key": "HeartbeatInterval", "value": "95", "chargers": ["CP-B", "NOBODY"]})),
    );
    let call = b.next_call().await;
    b.reply(&call[1], json!({"status": "Accepted"})).await;
    let (status, answer) = outcome(chosen).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["results"][0]["chargePointId"], "CP-B");
    assert_eq!(answer["results"][0]["status"], "Accepted");
    assert_eq!(answer["results"][1]["chargePointId"], "NOBODY");
    assert!(answer["results"][1]["error"]
        .as_str()
        .unwrap_or_default()
        .contains("unknown charger"));

    let (status, answer) = server
        .api(
            "POST",
            "/api/v1/commands/change-configuration",
            Some(&token),
            Some(json!({"key": "K".repeat(51), "value": "1"})),
        )
        .await;
    assert_eq!((status, &answer["field"]), (422, &json!("key")), "{answer}");
}

#[tokio::test]
async fn sessions_are_started_suspended_resumed_and_finished() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    server.add_id_tag("TAG-S", "Accepted").await;
    let mut cp = server.booted("CP-S").await;

    let (call, status, answer) = exchange(
        &server,
        &token,
        &mut cp,
        "sessions/start",
        json!({"connectorId": 2, "idTag": "TAG-S"}),
        json!({"status": "Accepted"}),
    )
    .await;
    assert_eq!((status, &answer), (200, &json!({"status": "Accepted"})));
    assert_eq!(
        (&call[2], &call[3]),
        (
            &json!("RemoteStartTransaction"),
            &json!({"connectorId": 2, "idTag": "TAG-S"})
        )
    );
    let started = cp
        .call(
            "StartTransaction",
            json!({"connectorId": 2, "idTag": "TAG-S", "meterStart": 100,
                   "timestamp": "2026-01-01T10:00:00.000Z"}),
        )
        .await;
    let tx = started[2]["transactionId"].as_i64().expect("transactionId");

    // Suspend: a TxProfile for the transaction with limit 0; again, it replaces itself.
    let mut suspension = Value::Null;
    for _ in 0..2 {
        let (call, status, _) = exchange(
            &server,
            &token,
            &mut cp,
            &format!("sessions/{tx}/suspend"),
            json!({}),
            json!({"status": "Accepted"}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(call[2], "SetChargingProfile");
        let sent = &call[3];
        assert_eq!(sent["connectorId"], 2, "{call}");
        let p = &sent["csChargingProfiles"];
        assert_eq!(
            (&p["chargingProfilePurpose"], &p["transactionId"]),
            (&json!("TxProfile"), &json!(tx))
        );
        assert_eq!(
            p["chargingSchedule"]["chargingSchedulePeriod"],
            json!([{"startPeriod": 0, "limit": 0.0}])
        );
        if !suspension.is_null() {
            assert_eq!(p["chargingProfileId"], suspension["chargingProfileId"]);
            assert_eq!(p["stackLevel"], suspension["stackLevel"]);
        }
        suspension = p.clone();
    }
    // Resume: that profile is cleared; then there is nothing left to resume.
    let (call, status, _) = exchange(
        &server,
        &token,
        &mut cp,
        &format!("sessions/{tx}/resume"),
        json!({}),
        json!({"status": "Accepted"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (&call[2], &call[3]),
        (
            &json!("ClearChargingProfile"),
            &json!({"id": suspension["chargingProfileId"]})
        )
    );
    let path = format!("/api/v1/chargers/CP-S/sessions/{tx}/resume");
    let (status, answer) = server.api("POST", &path, Some(&token), None).await;
    assert_eq!(status, 409, "{answer}");

    // Suspended again, then finished: a TxProfile ends with its transaction.
    let (_, status, _) = exchange(
        &server,
        &token,
        &mut cp,
        &format!("sessions/{tx}/suspend"),
        json!({}),
        json!({"status": "Accepted"}),
    )
    .await;
    assert_eq!(status, 200);
    let on_charger = read(&server, &token, "/chargers/CP-S/charging-profiles").await;
    assert_eq!(on_charger[0]["transactionId"], tx, "{on_charger}");

    // Finish: RemoteStopTransaction; once stopped, the session is gone.
    let (call, status, _) = exchange(
        &server,
        &token,
        &mut cp,
        &format!("sessions/{tx}/finish"),
        json!({}),
        json!({"status": "Accepted"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (&call[2], &call[3]),
        (
            &json!("RemoteStopTransaction"),
            &json!({"transactionId": tx})
        )
    );
    let stopped = cp
        .call(
            "StopTransaction",
            json!({"transactionId": tx, "meterStop": 900, "timestamp": "2026-01-01T11:00:00.000Z"}),
        )
        .await;
    assert_eq!(stopped[0], 3, "{stopped}");
    let path = format!("/api/v1/chargers/CP-S/sessions/{tx}/suspend");
    let (status, answer) = server.api("POST", &path, Some(&token), None).await;
    assert_eq!(status, 409, "{answer}");
    let on_charger = read(&server, &token, "/chargers/CP-S/charging-profiles").await;
    assert_eq!(on_charger, json!([]));
}

#[tokio::test]
async fn max_power_and_disconnect() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    let mut cp = server.booted("CP-MAX").await;

    for (body, connector, purpose, unit) in [
        (
            json!({"limit": 11000, "unit": "W"}),
            0,
            "ChargePointMaxProfile",
            "W",
        ),
        (
            json!({"limit": 16.5, "unit": "A", "connectorId": 1}),
            1,
            "TxDefaultProfile",
            "A",
        ),
    ] {
        let limit = body["limit"].as_f64().expect("limit");
        let (call, status, answer) = exchange(
            &server,
            &token,
            &mut cp,
            "max-power",
            body,
            json!({"status": "Accepted"}),
        )
        .await;
        assert_eq!((status, &answer), (200, &json!({"status": "Accepted"})));
        assert_eq!(call[2], "SetChargingProfile");
        assert_eq!(call[3]["connectorId"], connector, "{call}");
        let p = &call[3]["csChargingProfiles"];
        assert_eq!(
            (
                &p["chargingProfilePurpose"],
                &p["stackLevel"],
                &p["chargingProfileKind"]
            ),
            (&json!(purpose), &json!(0), &json!("Absolute")),
            "{call}"
        );
        let schedule = &p["chargingSchedule"];
        assert_eq!(schedule["chargingRateUnit"], unit);
        assert!(schedule["startSchedule"].is_string(), "{call}");
        assert_eq!(
            schedule["chargingSchedulePeriod"],
            json!([{"startPeriod": 0, "limit": limit}])
        );
    }
    let on_charger = read(&server, &token, "/chargers/CP-MAX/charging-profiles").await;
    assert_eq!(on_charger.as_array().map(Vec::len), Some(2), "{on_charger}");

    let (status, _) = server
        .api(
            "POST",
            "/api/v1/chargers/CP-MAX/disconnect",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let closed = cp.closed().await;
    assert_eq!(closed.map(|(code, _)| code), Some(1000));
    server.wait_online("CP-MAX", false).await;
    server
        .wait_audit("action=charger.disconnect", |rows| {
            rows.iter().filter(|r| r["result"] == "204").count() == 1
        })
        .await;
}
