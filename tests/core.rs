//! Charger-initiated actions against the real server over real WebSockets, checked in the store.

mod common;

use common::{sql_text, Charger, Db, TestServer};
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

    let mut db = server.db();
    assert_eq!(db.text("SELECT vendor || '/' || model || '/' || firmware_version || '/' || meter_serial FROM charge_points WHERE id = 'CP-1'"),
        Some("Acme/Fast50/1.2.3/M-9".into()));
    assert_eq!(
        db.text("SELECT boot_status FROM charge_points WHERE id = 'CP-1'"),
        Some("Accepted".into())
    );
    assert_eq!(
        db.text(
            "SELECT status FROM connectors WHERE charge_point_id = 'CP-1' AND connector_id = 1"
        ),
        Some("Preparing".into())
    );
    assert_eq!(db.int("SELECT count(*) FROM status_history WHERE charge_point_id = 'CP-1' AND info = 'plugged'"), 1);
    db.wait_int("SELECT connected FROM charge_points WHERE id = 'CP-1'", 1)
        .await;
}

const SQL_TIME: &str = "'2024-01-01 00:00:00.000'";

/// Adds an id tag row with an optional expiry and parent, as an operator would.
fn add_tag(db: &mut Db, id_tag: &str, status: &str, expiry: Option<&str>, parent: Option<&str>) {
    let or_null = |v: Option<&str>| v.map(sql_text).unwrap_or_else(|| "NULL".into());
    db.execute(&format!(
        "INSERT INTO id_tags (id_tag, status, expiry_date, parent_id_tag, created_at, updated_at) \
         VALUES ({}, {}, {}, {}, {SQL_TIME}, {SQL_TIME})",
        sql_text(id_tag),
        sql_text(status),
        or_null(expiry),
        or_null(parent)
    ));
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
    let mut db = server.db();
    add_tag(&mut db, "TAG-OK", "Accepted", None, None);
    add_tag(&mut db, "TAG-BLOCKED", "Blocked", None, None);
    add_tag(
        &mut db,
        "TAG-OLD",
        "Accepted",
        Some("2000-01-01 00:00:00.000"),
        None,
    );
    add_tag(&mut db, "TAG-INVALID", "Invalid", None, None);
    add_tag(&mut db, "abc", "Accepted", None, None);
    add_tag(
        &mut db,
        "TAG-CHILD",
        "Accepted",
        Some("2099-01-01 00:00:00.000"),
        Some("GROUP-1"),
    );
    add_tag(&mut db, "TAG-BUSY", "Accepted", None, None);
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
    let mut db = server.db();
    add_tag(&mut db, "TAG-1", "Accepted", None, None);
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
    let row = |column: &str| format!("SELECT {column} FROM transactions WHERE id = {tx}");
    assert_eq!(
        db.text(&row(
            "charge_point_id || '/' || connector_id || '/' || id_tag || '/' || id_tag_status"
        )),
        Some("CP-TX/1/TAG-1/Accepted".into())
    );
    assert_eq!(
        db.text(&row("datetime(start_time)")),
        Some("2024-05-01 10:00:00".into())
    );
    assert_eq!(db.int(&row("meter_start")), 1000);
    assert_eq!(db.int(&row("stop_time IS NULL")), 1);

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
        "1500|Energy.Active.Import.Register||Wh|Sample.Periodic|Outlet|2024-05-01 10:15:00",
        "29.86|Current.Import|L1|A|Sample.Periodic|Outlet|2024-05-01 10:15:00",
        "230.1|Voltage|L1-N|V|Sample.Periodic|Outlet|2024-05-01 10:15:00",
        "7.4|Power.Active.Import||kW|Sample.Clock|Outlet|2024-05-01 10:30:00",
        "55|SoC||Percent|Sample.Periodic|EV|2024-05-01 10:30:00",
    ];
    let stored = db.text(&format!(
        "SELECT group_concat(line, ';') FROM (SELECT value || '|' || measurand || '|' || ifnull(phase, '') || '|' || unit \
         || '|' || context || '|' || location || '|' || datetime(sampled_at) AS line FROM meter_values \
         WHERE transaction_id = {tx} AND charge_point_id = 'CP-TX' AND connector_id = 1 ORDER BY id)"
    ));
    assert_eq!(stored, Some(expected.join(";")));

    let stop = json!({"transactionId": tx, "idTag": "TAG-1", "meterStop": 12345, "timestamp": "2024-05-01T11:00:00Z",
        "reason": "EVDisconnected", "transactionData": [{"timestamp": "2024-05-01T11:00:00Z", "sampledValue": [
            {"value": "12345", "context": "Transaction.End", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]});
    let answer = cp.call("StopTransaction", stop).await;
    assert_eq!(
        answer,
        json!([3, answer[1], {"idTagInfo": {"status": "Accepted"}}])
    );
    assert_eq!(
        db.text(&row(
            "datetime(stop_time) || '/' || meter_stop || '/' || stop_reason || '/' || stop_id_tag"
        )),
        Some("2024-05-01 11:00:00/12345/EVDisconnected/TAG-1".into())
    );
    assert_eq!(
        db.int(&row("meter_stop - meter_start")),
        11345,
        "energy in Wh"
    );
    assert_eq!(
        db.text(&format!("SELECT value FROM meter_values WHERE transaction_id = {tx} AND context = 'Transaction.End'")),
        Some("12345".into())
    );
    assert_eq!(db.int("SELECT count(*) FROM transaction_anomalies"), 0);
}

#[tokio::test]
async fn a_resent_start_gets_the_same_transaction() {
    let server = TestServer::start("");
    let mut db = server.db();
    add_tag(&mut db, "TAG-1", "Accepted", None, None);
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
    assert_eq!(db.int("SELECT count(*) FROM transactions"), 1);
    assert_eq!(db.int("SELECT count(*) FROM transaction_anomalies"), 0);
}

#[tokio::test]
async fn unknown_and_repeated_stops_are_answered_and_recorded() {
    let server = TestServer::start("");
    let mut cp = server.booted("CP-STOP").await;
    let mut db = server.db();
    let stop = |tx: i64, meter_stop: i64, reason: &str| json!({"transactionId": tx, "meterStop": meter_stop, "timestamp": "2024-05-01T11:00:00Z", "reason": reason});
    for tx in [999_999, -1, 0] {
        let answer = cp.call("StopTransaction", stop(tx, 100, "Local")).await;
        assert_eq!(answer, json!([3, answer[1], {}]), "transactionId {tx}");
        assert_eq!(
            db.text(&format!("SELECT kind FROM transaction_anomalies WHERE charge_point_id = 'CP-STOP' AND transaction_id = {tx}")),
            Some("UnknownTransaction".into()),
            "transactionId {tx}"
        );
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
    assert_eq!(
        db.text(&format!(
            "SELECT meter_stop || '/' || stop_reason FROM transactions WHERE id = {tx}"
        )),
        Some("2000/SoftReset".into()),
        "the first stop is kept"
    );
    assert_eq!(
        db.text(&format!(
            "SELECT group_concat(kind) FROM transaction_anomalies WHERE transaction_id = {tx}"
        )),
        Some("DuplicateStop".into())
    );
    assert_eq!(
        db.int(&format!(
            "SELECT json_extract(payload, '$.meterStop') FROM transaction_anomalies WHERE transaction_id = {tx}"
        )),
        2500,
        "the duplicate is recorded whole"
    );
}

#[tokio::test]
async fn data_transfer_is_answered_by_vendor_and_stored() {
    let server = TestServer::start("[ocpp]\ndata_transfer_vendors = [\"acme\"]");
    let mut cp = server.booted("CP-DT").await;
    let mut db = server.db();
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
        let row = |column: &str| {
            format!("SELECT {column} FROM data_transfers WHERE charge_point_id = 'CP-DT' ORDER BY id LIMIT 1 OFFSET {n}")
        };
        assert_eq!(
            db.text(&row("vendor_id || '/' || status")),
            Some(format!(
                "{}/{status}",
                request["vendorId"].as_str().unwrap()
            ))
        );
        assert_eq!(
            db.text(&row("message_id")).as_deref(),
            request["messageId"].as_str(),
            "{request}"
        );
        assert_eq!(db.text(&row("data")).as_deref(), data, "{request}");
    }
}

#[tokio::test]
async fn notifications_are_answered_and_stored() {
    let server = TestServer::start("");
    let mut cp = server.booted("CP-NOTE").await;
    let mut db = server.db();
    let event = |kind: &str| {
        format!(
            "SELECT status || '/' || ifnull(request_id, '') || '/' || ifnull(detail, '') FROM charger_events \
             WHERE charge_point_id = 'CP-NOTE' AND kind = '{kind}' ORDER BY id DESC LIMIT 1"
        )
    };
    let state = "SELECT ifnull(firmware_status, '') || '/' || ifnull(diagnostics_status, '') FROM charge_points WHERE id = 'CP-NOTE'";
    // (action, request, answer, query, its expected result)
    let table = [
        (
            "FirmwareStatusNotification",
            json!({"status": "Downloading"}),
            json!({}),
            event("FirmwareStatusNotification"),
            "Downloading//",
        ),
        (
            "FirmwareStatusNotification",
            json!({"status": "Installed"}),
            json!({}),
            state.to_owned(),
            "Installed/",
        ),
        (
            "DiagnosticsStatusNotification",
            json!({"status": "Uploaded"}),
            json!({}),
            event("DiagnosticsStatusNotification"),
            "Uploaded//",
        ),
        (
            "DiagnosticsStatusNotification",
            json!({"status": "Uploading"}),
            json!({}),
            state.to_owned(),
            "Installed/Uploading",
        ),
        (
            "SecurityEventNotification",
            json!({"type": "FirmwareUpdated", "timestamp": "2024-05-01T10:00:00Z", "techInfo": "v2.1"}),
            json!({}),
            event("SecurityEventNotification"),
            "FirmwareUpdated//v2.1",
        ),
        (
            "SecurityEventNotification",
            json!({"type": "ResetOrReboot", "timestamp": "2024-05-01T12:00:00+02"}),
            json!({}),
            "SELECT datetime(event_at) FROM charger_events WHERE status = 'ResetOrReboot'"
                .to_owned(),
            "2024-05-01 10:00:00",
        ),
        (
            "SignCertificate",
            json!({"csr": "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----"}),
            json!({"status": "Accepted"}),
            "SELECT charge_point_id || '/' || csr FROM certificate_requests".to_owned(),
            "CP-NOTE/-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----",
        ),
        (
            "LogStatusNotification",
            json!({"status": "Uploading", "requestId": 7}),
            json!({}),
            event("LogStatusNotification"),
            "Uploading/7/",
        ),
        (
            "SignedFirmwareStatusNotification",
            json!({"status": "InstallVerificationFailed", "requestId": 9}),
            json!({}),
            event("SignedFirmwareStatusNotification"),
            "InstallVerificationFailed/9/",
        ),
        (
            "SignedFirmwareStatusNotification",
            json!({"status": "SignatureVerified", "requestId": 9}),
            json!({}),
            state.to_owned(),
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
            db.text(&query).as_deref(),
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
    let mut db = server.db();
    assert_eq!(
        db.text("SELECT boot_status FROM charge_points WHERE id = 'CP-REG'")
            .as_deref(),
        Some(boot_answer)
    );

    let status = cp
        .call(
            "StatusNotification",
            json!({"connectorId": 1, "errorCode": "NoError", "status": "Available"}),
        )
        .await;
    let stored = db.int("SELECT count(*) FROM connectors WHERE charge_point_id = 'CP-REG'");
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
    assert_eq!(
        db.int(&format!(
            "SELECT count(*) FROM transactions WHERE id = {tx} AND charge_point_id = 'CP-REG'"
        )),
        1
    );
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
    assert_eq!(
        server
            .db()
            .int("SELECT count(*) FROM connectors WHERE charge_point_id = 'CP-NOBOOT'"),
        0
    );
}

#[tokio::test]
async fn an_accepted_charger_reconnects_without_a_new_boot() {
    let server = TestServer::start("");
    let cp = server.booted("CP-AGAIN").await;
    cp.close_and_wait().await;
    let mut db = server.db();
    db.wait_int(
        "SELECT connected FROM charge_points WHERE id = 'CP-AGAIN'",
        0,
    )
    .await;

    let mut cp = Charger::connect(&server, "CP-AGAIN").await;
    let status = cp
        .call(
            "StatusNotification",
            json!({"connectorId": 1, "errorCode": "NoError", "status": "Preparing"}),
        )
        .await;
    assert_eq!(status, json!([3, status[1], {}]));
    assert_eq!(
        db.text("SELECT status FROM connectors WHERE charge_point_id = 'CP-AGAIN'"),
        Some("Preparing".into())
    );
    db.wait_int(
        "SELECT connected FROM charge_points WHERE id = 'CP-AGAIN'",
        1,
    )
    .await;
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
    let mut db = server.db();
    for (answer, action) in [(&boot, "BootNotification"), (&heartbeat, "Heartbeat")] {
        let id = sql_text(answer[1].as_str().unwrap_or_default());
        let logged = |direction: &str, message_type: i32, action: &str| {
            format!(
                "SELECT count(*) FROM message_log WHERE charge_point_id = 'CP-LOG' AND direction = '{direction}' \
                 AND message_type = {message_type} AND message_id = {id} AND ifnull(action, '') = '{action}'"
            )
        };
        db.wait_int(&logged("in", 2, action), 1).await;
        db.wait_int(&logged("out", 3, ""), 1).await;
        assert_eq!(
            db.text(&format!(
                "SELECT payload FROM message_log WHERE direction = 'out' AND message_id = {id}"
            )),
            Some(answer.to_string()),
            "the answer is logged as sent"
        );
    }
}
