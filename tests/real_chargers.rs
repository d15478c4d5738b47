//! What real chargers send that the schemas do not allow, at the wire: over-long informational
//! text in a BootNotification, numbers beyond `i32` in an answer, and answers that cannot be
//! decoded at all.

mod common;

use common::{Charger, TestServer, PATIENCE};
use serde_json::{json, Value};

/// `POST /api/v1/chargers/<charger>/<route>` in the background, so the test charger can answer.
fn command(
    server: &TestServer,
    token: &str,
    charger: &str,
    route: &str,
    body: Value,
) -> tokio::task::JoinHandle<(u16, Value)> {
    let (url, token) = (
        server.url(&format!("/api/v1/chargers/{charger}/{route}")),
        token.to_owned(),
    );
    tokio::spawn(async move {
        let response = reqwest::Client::new()
            .post(url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("API request");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    })
}

/// Sends a command, answers its CALL with the CALLRESULT payload `answer`; gives the CALL and
/// the HTTP status and body.
async fn answer_with(
    server: &TestServer,
    cp: &mut Charger,
    route: &str,
    body: Value,
    answer: Value,
) -> (Value, u16, Value) {
    let token = server.admin_token().await;
    let pending = command(server, &token, &cp.id, route, body);
    let call = cp.next_call().await;
    cp.reply(&call[1], answer).await;
    let (status, body) = tokio::time::timeout(PATIENCE, pending)
        .await
        .expect("no HTTP answer in time")
        .expect("request task");
    (call, status, body)
}

#[tokio::test]
async fn a_boot_with_an_over_long_serial_number_is_accepted_and_the_charger_served() {
    let server = TestServer::start("");
    let serial = "CB-0123456789-ABCDEFGHIJ-0123456789-XYZ12";
    assert_eq!(serial.len(), 41);
    let mut cp = Charger::connect(&server, "CP-LONG").await;
    let boot = cp
        .call(
            "BootNotification",
            json!({"chargePointVendor": "Acme", "chargePointModel": "M1", "chargeBoxSerialNumber": serial}),
        )
        .await;
    assert_eq!(boot[0], 3, "{boot}");
    assert_eq!(boot[2]["status"], "Accepted", "{boot}");

    let status = cp
        .call(
            "StatusNotification",
            json!({"connectorId": 1, "errorCode": "NoError", "status": "Available"}),
        )
        .await;
    assert_eq!(status, json!([3, status[1], {}]), "served, not refused");

    let token = server.admin_token().await;
    let (code, charger) = server
        .api("GET", "/api/v1/chargers/CP-LONG", Some(&token), None)
        .await;
    assert_eq!(code, 200, "{charger}");
    assert_eq!(charger["chargeBoxSerial"], serial, "{charger}");
    assert_eq!(charger["registrationStatus"], "Accepted", "{charger}");
    server
        .wait_log(
            "chargeBoxSerialNumber: 41 characters where at most 25 are allowed (kept in full)",
            1,
        )
        .await;
}

#[tokio::test]
async fn numbers_beyond_i32_in_an_answer_reach_the_caller_intact() {
    let server = TestServer::start("");
    let mut cp = server.booted("CP-WIDE").await;
    let schedule = json!({
        "status": "Accepted",
        "connectorId": 1,
        "scheduleStart": "2024-05-01T10:00:00.000Z",
        "chargingSchedule": {
            "duration": 5_000_000_000_i64,
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 16.0},
                {"startPeriod": 4_000_000_000_i64, "limit": 8.0, "numberPhases": 3}
            ]
        }
    });
    let (call, status, body) = answer_with(
        &server,
        &mut cp,
        "get-composite-schedule",
        json!({"connectorId": 1, "duration": 86400}),
        schedule.clone(),
    )
    .await;
    assert_eq!(
        (&call[2], &call[3]),
        (
            &json!("GetCompositeSchedule"),
            &json!({"connectorId": 1, "duration": 86400})
        )
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, schedule);

    let (_, status, body) = answer_with(
        &server,
        &mut cp,
        "get-local-list-version",
        json!({}),
        json!({"listVersion": 3_000_000_000_i64}),
    )
    .await;
    assert_eq!(
        (status, &body),
        (200, &json!({"listVersion": 3_000_000_000_i64}))
    );
    let stored = server.get("/api/v1/chargers/CP-WIDE/configuration").await;
    assert_eq!(stored["localListVersion"], 3_000_000_000_i64, "{stored}");
}

#[tokio::test]
async fn an_answer_that_cannot_be_decoded_is_told_apart_from_a_callerror() {
    let server = TestServer::start("");
    let mut cp = server.booted("CP-ODD").await;
    let table = [
        (json!({"status": "Maybe"}), "status"),
        (
            json!({"status": "Accepted", "chargingSchedule": {"duration": 1e30, "chargingRateUnit": "A", "chargingSchedulePeriod": []}}),
            "chargingSchedule.duration",
        ),
    ];
    for (answer, field) in table {
        let (_, status, body) = answer_with(
            &server,
            &mut cp,
            "get-composite-schedule",
            json!({"connectorId": 1, "duration": 60}),
            answer.clone(),
        )
        .await;
        assert_eq!(status, 502, "{body}");
        assert_eq!(body["kind"], "undecodableAnswer", "{body}");
        assert_eq!(body["raw"], answer, "{body}");
        let error = body["error"].as_str().unwrap_or_default();
        assert!(
            error.starts_with("the charger's answer could not be decoded: ")
                && error.contains(field),
            "{body}"
        );
        assert!(body.get("code").is_none(), "not a CALLERROR: {body}");
    }

    // A CALLERROR stays what it is.
    let token = server.admin_token().await;
    let pending = command(
        &server,
        &token,
        "CP-ODD",
        "get-composite-schedule",
        json!({"connectorId": 1, "duration": 60}),
    );
    let call = cp.next_call().await;
    cp.send_text(&json!([4, call[1], "NotSupported", "no smart charging", {}]).to_string())
        .await;
    let (status, body) = tokio::time::timeout(PATIENCE, pending)
        .await
        .expect("no HTTP answer in time")
        .expect("request task");
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["kind"], "callError", "{body}");
    assert_eq!(body["code"], "NotSupported", "{body}");

    // The raw answer is in the message log as well.
    server
        .wait_messages("CP-ODD", |log| {
            let raw = log.iter().filter(|m| {
                m["payload"]
                    .as_str()
                    .is_some_and(|p| p.contains("\"Maybe\""))
            });
            raw.count() == 1
        })
        .await;
}
