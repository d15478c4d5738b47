//! Charger-initiated actions against the real server over real WebSockets, checked in the store.

mod common;

use common::{Charger, TestServer};
use csms::db::charger_records as records;
use serde_json::{json, Value};

#[tokio::test]
async fn boot_heartbeat_and_status_are_answered_and_stored() {
    let server = TestServer::start("[ocpp]\nheartbeat_interval_secs = 77");
    let mut cp = Charger::connect(&server, "CP-1").await;
    let boot = cp
        .call(
            "BootNotification",
            json!({"chargePointVendor": "Acme", "chargePointModel": "Fast50", "chargePointSerialNumber": "S-1",
                   "firmwareVersion": "1.2.3", "iccid": "8949", "imsi": "2620", "meterType": "EM", "meterSerialNumber": "M-9"}),
        )
        .await;
    assert_eq!(boot[0], 3, "{boot}");
    assert_eq!(boot[2]["status"], "Accepted");
    assert_eq!(boot[2]["interval"], 77);
    assert!(
        boot[2]["currentTime"].as_str().unwrap().ends_with('Z'),
        "{boot}"
    );

    let hb = cp.call("Heartbeat", json!({})).await;
    assert!(
        hb[2]["currentTime"].as_str().unwrap().ends_with('Z'),
        "{hb}"
    );

    let st = cp
        .call("StatusNotification", json!({"connectorId": 1, "errorCode": "NoError", "status": "Preparing", "info": "plugged"}))
        .await;
    assert_eq!(st, json!([3, st[1], {}]));

    let charger = server.charger("CP-1").await;
    let identity = ["vendor", "model", "firmwareVersion", "meterSerial"].map(|k| &charger[k]);
    assert_eq!(identity, ["Acme", "Fast50", "1.2.3", "M-9"], "{charger}");
    assert_eq!(charger["registrationStatus"], "Accepted", "{charger}");
    assert_eq!(
        server.connector_status("CP-1", 1).await.as_deref(),
        Some("Preparing")
    );
    let plugged = server.status_history("CP-1").await;
    let plugged: Vec<_> = plugged.iter().filter(|s| s["info"] == "plugged").collect();
    assert_eq!(plugged.len(), 1, "{plugged:?}");
    server.wait_online("CP-1", true).await;
}

/// Adds an id tag with an optional expiry and parent, as an operator would.
async fn add_tag(
    server: &TestServer,
    id_tag: &str,
    status: &str,
    expiry: Option<&str>,
    parent: Option<&str>,
) {
    server
        .create_id_tag(
            json!({"idTag": id_tag, "status": status, "expiryDate": expiry, "parentIdTag": parent}),
        )
        .await;
}

fn start_payload(connector: u32, id_tag: &str, meter_start: i64, timestamp: &str) -> Value {
    json!({"connectorId": connector, "idTag": id_tag, "meterStart": meter_start, "timestamp": timestamp})
}

/// Starts a transaction and returns its id (the answer must be a CALLRESULT with an id > 0).
async fn start(cp: &mut Charger, payload: Value) -> i64 {
    let answer = cp.call("StartTransaction", payload).await;
    assert_eq!(answer[0], 3, "{answer}");
    let id = answer[2]["transactionId"]
        .as_i64()
        .unwrap_or_else(|| panic!("no transactionId: {answer}"));
    assert!(id > 0, "{answer}");
    id
}

#[tokio::test]
async fn authorize_gives_the_stored_verdict() {
    let server = TestServer::start("");
    add_tag(&server, "TAG-OK", "Accepted", None, None).await;
    add_tag(&server, "TAG-BLOCKED", "Blocked", None, None).await;
    add_tag(
        &server,
        "TAG-OLD",
        "Accepted",
        Some("2000-01-01T00:00:00Z"),
        None,
    )
    .await;
    add_tag(&server, "TAG-INVALID", "Invalid", None, None).await;
    add_tag(&server, "abc", "Accepted", None, None).await;
    add_tag(
        &server,
        "TAG-CHILD",
        "Accepted",
        Some("2099-01-01T00:00:00Z"),
        Some("GROUP-1"),
    )
    .await;
    add_tag(&server, "TAG-BUSY", "Accepted", None, None).await;
    let mut cp = server.booted("CP-AUTH").await;
    start(
        &mut cp,
        start_payload(1, "TAG-BUSY", 0, "2024-05-01T10:00:00Z"),
    )
    .await;

    let table = [
        ("TAG-OK", json!({"status": "Accepted"})),
        ("tag-ok", json!({"status": "Accepted"})),
        ("TAG-BLOCKED", json!({"status": "Blocked"})),
        (
            "TAG-OLD",
            json!({"status": "Expired", "expiryDate": "2000-01-01T00:00:00.000Z"}),
        ),
        ("TAG-INVALID", json!({"status": "Invalid"})),
        ("NOBODY", json!({"status": "Invalid"})),
        ("ABC", json!({"status": "Accepted"})),
        (
            "TAG-CHILD",
            json!({"status": "Accepted", "expiryDate": "2099-01-01T00:00:00.000Z", "parentIdTag": "GROUP-1"}),
        ),
        // ConcurrentTx belongs to StartTransaction answers only (OCPP 1.6, 7.2).
        ("TAG-BUSY", json!({"status": "Accepted"})),
        ("tag-busy", json!({"status": "Accepted"})),
    ];
    for (id_tag, expected) in table {
        let answer = cp.call("Authorize", json!({"idTag": id_tag})).await;
        assert_eq!(
            answer,
            json!([3, answer[1], {"idTagInfo": expected}]),
            "{id_tag}"
        );
    }
}

#[tokio::test]
async fn a_transaction_is_started_metered_and_stopped() {
    let server = TestServer::start("");
    server.add_id_tag("TAG-1", "Accepted").await;
    let mut cp = server.booted("CP-TX").await;

    let answer = cp
        .call(
            "StartTransaction",
            start_payload(1, "TAG-1", 1000, "2024-05-01T10:00:00Z"),
        )
        .await;
    let tx = answer[2]["transactionId"].as_i64().unwrap_or_default();
    assert!(tx > 0, "{answer}");
    assert_eq!(answer[2]["idTagInfo"], json!({"status": "Accepted"}));
    let stored = server.transaction(tx).await;
    let fields = |t: &Value, keys: &[&str]| keys.iter().map(|k| t[k].clone()).collect::<Vec<_>>();
    assert_eq!(
        fields(
            &stored,
            &["chargePointId", "connectorId", "idTag", "idTagStatus"]
        ),
        [json!("CP-TX"), json!(1), json!("TAG-1"), json!("Accepted")],
        "{stored}"
    );
    assert_eq!(stored["startTime"], "2024-05-01T10:00:00.000Z", "{stored}");
    assert_eq!(stored["meterStart"], 1000, "{stored}");
    assert_eq!(stored["stopTime"], Value::Null, "{stored}");

    let meter_values = json!({"connectorId": 1, "transactionId": tx, "meterValue": [
        {"timestamp": "2024-05-01T10:15:00", "sampledValue": [
            {"value": "1500", "measurand": "Energy.Active.Import.Register", "unit": "Wh",
             "context": "Sample.Periodic", "location": "Outlet"},
            {"value": 29.86, "measurand": "Current.Import", "phase": "L1", "unit": "A"},
            {"value": "230.1", "measurand": "Voltage", "phase": "L1-N", "unit": "V"}]},
        {"timestamp": "2024-05-01T12:30:00+02", "sampledValue": [
            {"value": "7.4", "measurand": "Power.Active.Import", "unit": "kW", "context": "Sample.Clock"},
            {"value": "55", "measurand": "SoC", "unit": "Percent", "location": "EV"}]}]});
    let answer = cp.call("MeterValues", meter_values).await;
    assert_eq!(answer, json!([3, answer[1], {}]));
    // (value, measurand, phase, unit, context, location, sampled at) of each stored row.
    let expected = [
        "1500|Energy.Active.Import.Register||Wh|Sample.Periodic|Outlet|2024-05-01T10:15:00.000Z",
        "29.86|Current.Import|L1|A|Sample.Periodic|Outlet|2024-05-01T10:15:00.000Z",
        "230.1|Voltage|L1-N|V|Sample.Periodic|Outlet|2024-05-01T10:15:00.000Z",
        "7.4|Power.Active.Import||kW|Sample.Clock|Outlet|2024-05-01T10:30:00.000Z",
        "55|SoC||Percent|Sample.Periodic|EV|2024-05-01T10:30:00.000Z",
    ];
    let samples = server.meter_values(tx).await;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let stored: Vec<String> = samples
        .iter()
        .map(|s| {
            assert_eq!(s["connectorId"], 1, "{s}");
            [
                "value",
                "measurand",
                "phase",
                "unit",
                "context",
                "location",
                "sampledAt",
            ]
            .map(|k| text(&s[k]))
            .join("|")
        })
        .collect();
    assert_eq!(stored, expected);

    let stop = json!({"transactionId": tx, "idTag": "TAG-1", "meterStop": 12345, "timestamp": "2024-05-01T11:00:00Z",
        "reason": "EVDisconnected", "transactionData": [{"timestamp": "2024-05-01T11:00:00Z", "sampledValue": [
            {"value": "12345", "context": "Transaction.End", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]});
    let answer = cp.call("StopTransaction", stop).await;
    assert_eq!(
        answer,
        json!([3, answer[1], {"idTagInfo": {"status": "Accepted"}}])
    );
    let stored = server.transaction(tx).await;
    assert_eq!(
        fields(
            &stored,
            &["stopTime", "meterStop", "stopReason", "stopIdTag"]
        ),
        [
            json!("2024-05-01T11:00:00.000Z"),
            json!(12345),
            json!("EVDisconnected"),
            json!("TAG-1")
        ],
        "{stored}"
    );
    assert_eq!(stored["energyWh"], 11345, "energy in Wh: {stored}");
    let end: Vec<_> = server
        .meter_values(tx)
        .await
        .into_iter()
        .filter(|s| s["context"] == "Transaction.End")
        .map(|s| s["value"].clone())
        .collect();
    assert_eq!(end, [json!("12345")]);
    assert_eq!(server.all_anomalies().await, Vec::<Value>::new());
}

#[tokio::test]
async fn a_resent_start_gets_the_same_transaction() {
    let server = TestServer::start("");
    server.add_id_tag("TAG-1", "Accepted").await;
    let payload = start_payload(2, "TAG-1", 500, "2024-05-01T10:00:00Z");
    let mut cp = server.booted("CP-RESEND").await;
    let first = start(&mut cp, payload.clone()).await;
    let again = cp.call("StartTransaction", payload.clone()).await;
    assert_eq!(
        again,
        json!([3, again[1], {"transactionId": first, "idTagInfo": {"status": "Accepted"}}])
    );
    // The first answer lost with the connection: re-sent on the next one.
    cp.close_and_wait().await;
    let mut cp = Charger::connect(&server, "CP-RESEND").await;
    assert_eq!(start(&mut cp, payload).await, first);
    assert_eq!(server.transactions().await.len(), 1);
    assert_eq!(server.all_anomalies().await, Vec::<Value>::new());
}

#[tokio::test]
async fn unknown_and_repeated_stops_are_answered_and_recorded() {
    let server = TestServer::start("");
    let mut cp = server.booted("CP-STOP").await;
    let anomalies = |tx: i64| {
        let server = &server;
        async move {
            server
                .items(&format!(
                    "/api/v1/chargers/CP-STOP/anomalies?transactionId={tx}"
                ))
                .await
        }
    };
    let stop = |tx: i64, meter_stop: i64, reason: &str| json!({"transactionId": tx, "meterStop": meter_stop, "timestamp": "2024-05-01T11:00:00Z", "reason": reason});
    for tx in [999_999, -1, 0] {
        let answer = cp.call("StopTransaction", stop(tx, 100, "Local")).await;
        assert_eq!(answer, json!([3, answer[1], {}]), "transactionId {tx}");
        let kinds: Vec<_> = anomalies(tx)
            .await
            .iter()
            .map(|a| a["kind"].clone())
            .collect();
        assert_eq!(kinds, ["UnknownTransaction"], "transactionId {tx}");
    }

    let tx = start(
        &mut cp,
        start_payload(1, "TAG-X", 1000, "2024-05-01T10:00:00Z"),
    )
    .await;
    let first = cp
        .call("StopTransaction", stop(tx, 2000, "SoftReset"))
        .await;
    assert_eq!(first, json!([3, first[1], {}]));
    let second = cp.call("StopTransaction", stop(tx, 2500, "Local")).await;
    assert_eq!(second, json!([3, second[1], {}]));
    let stored = server.transaction(tx).await;
    assert_eq!(
        (&stored["meterStop"], &stored["stopReason"]),
        (&json!(2000), &json!("SoftReset")),
        "the first stop is kept: {stored}"
    );
    let recorded: Vec<_> = server
        .all_anomalies()
        .await
        .into_iter()
        .filter(|a| a["transactionId"] == tx)
        .collect();
    let kinds: Vec<_> = recorded.iter().map(|a| a["kind"].clone()).collect();
    assert_eq!(kinds, ["DuplicateStop"]);
    assert_eq!(
        recorded[0]["payload"]["meterStop"], 2500,
        "the duplicate is recorded whole"
    );
    let by_kind = server
        .items("/api/v1/chargers/CP-STOP/anomalies?kind=DuplicateStop")
        .await;
    assert_eq!(by_kind.len(), 1, "{by_kind:?}");
    let token = server.admin_token().await;
    let (code, refused) = server
        .api(
            "GET",
            "/api/v1/chargers/CP-STOP/anomalies?kind=Duplicate",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(code, 422, "{refused}");
    assert!(
        refused.to_string().contains("kind") && refused.to_string().contains("DuplicateStop"),
        "names the field and the kinds: {refused}"
    );
}

#[tokio::test]
async fn data_transfer_is_answered_by_vendor_and_stored() {
    let server = TestServer::start("[ocpp]\ndata_transfer_vendors = [\"acme\"]");
    let mut cp = server.booted("CP-DT").await;
    let store = server.store();
    let table = [
        (
            json!({"vendorId": "other", "messageId": "m1", "data": "hello"}),
            "UnknownVendorId",
            Some("\"hello\""),
        ),
        (
            json!({"vendorId": "acme", "messageId": "m2", "data": {"k": 1}}),
            "Accepted",
            Some("{\"k\":1}"),
        ),
        (json!({"vendorId": "acme"}), "Accepted", None),
    ];
    for (n, (request, status, data)) in table.into_iter().enumerate() {
        let answer = cp.call("DataTransfer", request.clone()).await;
        assert_eq!(
            answer,
            json!([3, answer[1], {"status": status}]),
            "{request}"
        );
        let stored = store.read(|c| records::data_transfers_of(c, "CP-DT"));
        let row = &stored[n];
        assert_eq!(
            (row.vendor_id.as_str(), row.status.as_str()),
            (request["vendorId"].as_str().unwrap(), status),
            "{request}"
        );
        assert_eq!(
            row.message_id.as_deref(),
            request["messageId"].as_str(),
            "{request}"
        );
        assert_eq!(row.data.as_deref(), data, "{request}");
    }
}

#[tokio::test]
async fn notifications_are_answered_and_stored() {
    let server = TestServer::start("");
    let mut cp = server.booted("CP-NOTE").await;
    let store = server.store();
    // What is checked after each notification.
    enum Stored {
        /// The charger's latest event of this kind: "status/request id/detail".
        Event(&'static str),
        /// The charger's "firmware status/diagnostics status".
        State,
        /// The charger's time of its ResetOrReboot security event.
        ResetOrRebootAt,
        /// "charger/csr" of every certificate request.
        CertificateRequests,
    }
    use Stored::*;
    let stored = |query: Stored| {
        let server = &server;
        let store = &store;
        let shown = |v: &Option<String>| v.clone().unwrap_or_default();
        async move {
            match query {
                Event(kind) => store
                    .read(|c| records::events_of(c, "CP-NOTE"))
                    .iter()
                    .rev()
                    .find(|e| e.kind == kind)
                    .map(|e| {
                        let request = e.request_id.map(|r| r.to_string());
                        format!("{}/{}/{}", e.status, shown(&request), shown(&e.detail))
                    }),
                State => {
                    let charger = server.charger("CP-NOTE").await;
                    let text = |k: &str| charger[k].as_str().unwrap_or_default().to_owned();
                    Some(format!(
                        "{}/{}",
                        text("firmwareStatus"),
                        text("diagnosticsStatus")
                    ))
                }
                ResetOrRebootAt => store
                    .read(|c| records::events_of(c, "CP-NOTE"))
                    .iter()
                    .find(|e| e.status == "ResetOrReboot")
                    .map(|e| e.event_at.format("%Y-%m-%d %H:%M:%S%.f").to_string()),
                CertificateRequests => Some(
                    store
                        .read(records::certificate_requests)
                        .iter()
                        .map(|r| format!("{}/{}", r.charge_point_id, r.csr))
                        .collect::<Vec<_>>()
                        .join(","),
                ),
            }
        }
    };
    // (action, request, answer, what is stored, as expected)
    let table = [
        (
            "FirmwareStatusNotification",
            json!({"status": "Downloading"}),
            json!({}),
            Event("FirmwareStatusNotification"),
            "Downloading//",
        ),
        (
            "FirmwareStatusNotification",
            json!({"status": "Installed"}),
            json!({}),
            State,
            "Installed/",
        ),
        (
            "DiagnosticsStatusNotification",
            json!({"status": "Uploaded"}),
            json!({}),
            Event("DiagnosticsStatusNotification"),
            "Uploaded//",
        ),
        (
            "DiagnosticsStatusNotification",
            json!({"status": "Uploading"}),
            json!({}),
            State,
            "Installed/Uploading",
        ),
        (
            "SecurityEventNotification",
            json!({"type": "FirmwareUpdated", "timestamp": "2024-05-01T10:00:00Z", "techInfo": "v2.1"}),
            json!({}),
            Event("SecurityEventNotification"),
            "FirmwareUpdated//v2.1",
        ),
        (
            "SecurityEventNotification",
            json!({"type": "ResetOrReboot", "timestamp": "2024-05-01T12:00:00+02"}),
            json!({}),
            ResetOrRebootAt,
            "2024-05-01 10:00:00",
        ),
        (
            "SignCertificate",
            json!({"csr": "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----"}),
            json!({"status": "Accepted"}),
            CertificateRequests,
            "CP-NOTE/-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----",
        ),
        (
            "LogStatusNotification",
            json!({"status": "Uploading", "requestId": 7}),
            json!({}),
            Event("LogStatusNotification"),
            "Uploading/7/",
        ),
        (
            "SignedFirmwareStatusNotification",
            json!({"status": "InstallVerificationFailed", "requestId": 9}),
            json!({}),
            Event("SignedFirmwareStatusNotification"),
            "InstallVerificationFailed/9/",
        ),
        (
            "SignedFirmwareStatusNotification",
            json!({"status": "SignatureVerified", "requestId": 9}),
            json!({}),
            State,
            "SignatureVerified/Uploading",
        ),
    ];
    for (action, request, expected_answer, query, expected) in table {
        let answer = cp.call(action, request.clone()).await;
        assert_eq!(
            answer,
            json!([3, answer[1], expected_answer]),
            "{action} {request}"
        );
        assert_eq!(
            stored(query).await.as_deref(),
            Some(expected),
            "{action} {request}"
        );
    }
}

/// Boots a fresh charger on a server with `boot_status`, then checks what it is served.
async fn check_registration(boot_status: &str, boot_answer: &str, status_code: Option<&str>) {
    let server = TestServer::start(&format!(
        "[ocpp]\nboot_status = \"{boot_status}\"\nheartbeat_interval_secs = 300"
    ));
    let mut cp = Charger::connect(&server, "CP-REG").await;
    let boot = cp
        .call(
            "BootNotification",
            json!({"chargePointVendor": "V", "chargePointModel": "M"}),
        )
        .await;
    assert_eq!(boot[2]["status"], boot_answer, "{boot_status}: {boot}");
    // Accepted: the heartbeat interval; otherwise the wait before the next boot (ours to choose).
    let interval = boot[2]["interval"].as_i64().unwrap_or_default();
    let expected = if boot_answer == "Accepted" {
        interval == 300
    } else {
        interval > 0
    };
    assert!(expected, "{boot_status}: {boot}");
    assert_eq!(
        server.charger("CP-REG").await["registrationStatus"],
        boot_answer
    );

    let status = cp
        .call(
            "StatusNotification",
            json!({"connectorId": 1, "errorCode": "NoError", "status": "Available"}),
        )
        .await;
    let stored = server.connectors("CP-REG").await.len();
    match status_code {
        None => {
            assert_eq!(status, json!([3, status[1], {}]), "{boot_status}");
            assert_eq!(stored, 1, "{boot_status}");
        }
        Some(code) => {
            assert_eq!(
                (&status[0], &status[2]),
                (&json!(4), &json!(code)),
                "{boot_status}: {status}"
            );
            assert_eq!(stored, 0, "{boot_status}: a refused status is not stored");
        }
    }
    // Transaction messages are never refused.
    let tx = start(
        &mut cp,
        start_payload(1, "TAG-R", 0, "2024-05-01T10:00:00Z"),
    )
    .await;
    assert_eq!(server.transaction(tx).await["chargePointId"], "CP-REG");
    let heartbeat = cp.call("Heartbeat", json!({})).await;
    assert_eq!(heartbeat[0], 3, "{boot_status}: {heartbeat}");
}

#[tokio::test]
async fn registration_status_decides_what_is_served() {
    check_registration("accepted", "Accepted", None).await;
    check_registration("pending", "Pending", None).await;
    check_registration("rejected", "Rejected", Some("SecurityError")).await;
}

#[tokio::test]
async fn a_charger_that_never_booted_must_boot_first() {
    let server = TestServer::start("");
    let mut cp = Charger::connect(&server, "CP-NOBOOT").await;
    let status = cp
        .call(
            "StatusNotification",
            json!({"connectorId": 1, "errorCode": "NoError", "status": "Available"}),
        )
        .await;
    assert_eq!(
        (&status[0], &status[2]),
        (&json!(4), &json!("SecurityError")),
        "{status}"
    );
    assert_eq!(server.connectors("CP-NOBOOT").await, Vec::<Value>::new());
}

#[tokio::test]
async fn an_accepted_charger_reconnects_without_a_new_boot() {
    let server = TestServer::start("");
    let cp = server.booted("CP-AGAIN").await;
    cp.close_and_wait().await;
    server.wait_online("CP-AGAIN", false).await;

    let mut cp = Charger::connect(&server, "CP-AGAIN").await;
    let status = cp
        .call(
            "StatusNotification",
            json!({"connectorId": 1, "errorCode": "NoError", "status": "Preparing"}),
        )
        .await;
    assert_eq!(status, json!([3, status[1], {}]));
    let statuses: Vec<_> = server
        .connectors("CP-AGAIN")
        .await
        .iter()
        .map(|c| c["status"].clone())
        .collect();
    assert_eq!(statuses, ["Preparing"]);
    server.wait_online("CP-AGAIN", true).await;
}

#[tokio::test]
async fn frames_in_and_out_are_in_the_message_log() {
    let server = TestServer::start("");
    let mut cp = Charger::connect(&server, "CP-LOG").await;
    let boot = cp
        .call(
            "BootNotification",
            json!({"chargePointVendor": "V", "chargePointModel": "M"}),
        )
        .await;
    let heartbeat = cp.call("Heartbeat", json!({})).await;
    for (answer, action) in [(&boot, "BootNotification"), (&heartbeat, "Heartbeat")] {
        let id = &answer[1];
        // Exactly one frame in the log with these (an answer has no action).
        let logged = |direction: &str, message_type: i32, action: Value| {
            let wanted = json!({"direction": direction, "messageType": message_type,
                "messageId": id, "action": action});
            move |log: &[Value]| {
                let fields = ["direction", "messageType", "messageId", "action"];
                let matching = log
                    .iter()
                    .filter(|m| fields.iter().all(|k| m[k] == wanted[k]));
                matching.count() == 1
            }
        };
        server
            .wait_messages("CP-LOG", logged("in", 2, json!(action)))
            .await;
        let log = server
            .wait_messages("CP-LOG", logged("out", 3, Value::Null))
            .await;
        let sent: Vec<_> = log
            .iter()
            .filter(|m| m["direction"] == "out" && m["messageId"] == *id)
            .map(|m| m["payload"].clone())
            .collect();
        assert_eq!(
            sent,
            [json!(answer.to_string())],
            "the answer is logged as sent"
        );
    }
}
