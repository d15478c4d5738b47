//! The transaction lifecycle as real fleets drive it: transactions no charger will ever end
//! (refused starts, new starts on a busy connector, reboots, idle connectors, operators),
//! ConcurrentTx only where OCPP puts it, per-tag session limits, per-charger settings that
//! survive a reboot, and the evidence kept along the way. Real server, real WebSockets.

mod common;

use common::{Charger, TestServer, PATIENCE};
use serde_json::{json, Value};
use std::time::Instant;

fn start_payload(connector: u32, id_tag: &str, meter_start: i64, timestamp: &str) -> Value {
    json!({"connectorId": connector, "idTag": id_tag, "meterStart": meter_start, "timestamp": timestamp})
}

fn stop_payload(tx: i64, meter_stop: i64, timestamp: &str, reason: &str) -> Value {
    json!({"transactionId": tx, "meterStop": meter_stop, "timestamp": timestamp, "reason": reason})
}

fn status_payload(connector: u32, status: &str) -> Value {
    json!({"connectorId": connector, "errorCode": "NoError", "status": status})
}

/// Starts a transaction; returns its id and the idTagInfo status it was answered.
async fn start(cp: &mut Charger, payload: Value) -> (i64, String) {
    let answer = cp.call("StartTransaction", payload).await;
    assert_eq!(answer[0], 3, "{answer}");
    let id = answer[2]["transactionId"].as_i64().expect("transactionId");
    let status = answer[2]["idTagInfo"]["status"]
        .as_str()
        .expect("status")
        .to_owned();
    (id, status)
}

/// An id tag added through the API (operator), with an optional body extension.
async fn add_tag(server: &TestServer, token: &str, body: Value) {
    let (status, answer) = server
        .api("POST", "/api/v1/id-tags", Some(token), Some(body))
        .await;
    assert_eq!(status, 201, "{answer}");
}

async fn transaction(server: &TestServer, token: &str, id: i64) -> Value {
    let (status, tx) = server
        .api(
            "GET",
            &format!("/api/v1/transactions/{id}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{tx}");
    tx
}

async fn active_ids(server: &TestServer, token: &str) -> Vec<i64> {
    let (_, page) = server
        .api("GET", "/api/v1/transactions/active", Some(token), None)
        .await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|t| t["id"].as_i64())
        .collect()
}

/// The kinds of a transaction's anomalies, oldest first, read through the API.
async fn anomalies(server: &TestServer, token: &str, charger: &str, tx: i64) -> Vec<String> {
    let (status, page) = server
        .api(
            "GET",
            &format!("/api/v1/chargers/{charger}/anomalies?transactionId={tx}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let mut kinds: Vec<String> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["kind"].as_str().unwrap_or_default().to_owned())
        .collect();
    kinds.reverse();
    kinds
}

/// Polls a transaction until `done` holds (for the periodic sweep).
async fn wait_for(
    server: &TestServer,
    token: &str,
    id: i64,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let tx = transaction(server, token, id).await;
        if done(&tx) {
            return tx;
        }
        assert!(
            Instant::now() < deadline,
            "transaction never got there: {tx}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_refused_start_is_kept_but_never_a_running_session() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    let mut cp = server.booted("CP-REFUSED").await;
    let (tx, status) = start(
        &mut cp,
        start_payload(1, "NOBODY", 500, "2024-05-01T10:00:00Z"),
    )
    .await;
    assert_eq!(status, "Invalid");
    let row = transaction(&server, &token, tx).await;
    assert_eq!(row["active"], false, "{row}");
    assert_eq!(row["endedBy"], "Inferred");
    assert_eq!(row["stopReason"], "StartRefused");
    assert_eq!(row["idTagStatus"], "Invalid");
    assert_eq!(row["energyWh"], 0);
    assert!(active_ids(&server, &token).await.is_empty());
    let (_, stats) = server.api("GET", "/api/v1/stats", Some(&token), None).await;
    assert_eq!(stats["activeSessions"], 0, "{stats}");

    // The charger may still stop it (DeAuthorized): its data wins, and that is no anomaly.
    let answer = cp
        .call(
            "StopTransaction",
            stop_payload(tx, 520, "2024-05-01T10:00:05Z", "DeAuthorized"),
        )
        .await;
    assert_eq!(answer[0], 3, "{answer}");
    let row = transaction(&server, &token, tx).await;
    assert_eq!(row["endedBy"], "Charger", "{row}");
    assert_eq!(row["stopReason"], "DeAuthorized");
    assert_eq!(row["meterStop"], 520);
    assert_eq!(row["endNote"], Value::Null);
    assert!(anomalies(&server, &token, "CP-REFUSED", tx)
        .await
        .is_empty());
}

#[tokio::test]
async fn a_new_start_on_a_busy_connector_ends_the_older_session() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    add_tag(&server, &token, json!({"idTag": "TAG-A"})).await;
    let mut cp = server.booted("CP-BUSY").await;
    let (ghost, status) = start(
        &mut cp,
        start_payload(1, "TAG-A", 1000, "2024-05-01T10:00:00Z"),
    )
    .await;
    assert_eq!(status, "Accepted");
    let mv = json!({"connectorId": 1, "transactionId": ghost, "meterValue": [
        {"timestamp": "2024-05-01T10:15:00Z", "sampledValue": [{"value": "1.5", "unit": "kWh"}]}]});
    assert_eq!(cp.call("MeterValues", mv).await[0], 3);

    // The charger forgot that session; the same card starts again on the same connector.
    let (next, status) = start(
        &mut cp,
        start_payload(1, "TAG-A", 1600, "2024-05-01T11:00:00Z"),
    )
    .await;
    assert_eq!(status, "Accepted", "the ghost must not make the tag busy");
    let row = transaction(&server, &token, ghost).await;
    assert_eq!(row["endedBy"], "Inferred", "{row}");
    assert_eq!(row["stopReason"], "NewStartOnConnector");
    assert_eq!(row["meterStop"], 1500, "the last energy register reading");
    assert_eq!(
        row["stopTime"], "2024-05-01T10:15:00.000Z",
        "the last sign of life"
    );
    assert_eq!(active_ids(&server, &token).await, vec![next]);
    assert_eq!(
        anomalies(&server, &token, "CP-BUSY", ghost).await,
        ["EndedWithoutStop"]
    );

    // A StopTransaction that comes after all still wins, and is recorded.
    let late = cp
        .call(
            "StopTransaction",
            stop_payload(ghost, 1550, "2024-05-01T10:20:00Z", "Local"),
        )
        .await;
    assert_eq!(late, json!([3, late[1], {}]));
    let row = transaction(&server, &token, ghost).await;
    assert_eq!(row["endedBy"], "Charger", "{row}");
    assert_eq!(row["meterStop"], 1550);
    assert_eq!(row["stopReason"], "Local");
    assert_eq!(row["energyWh"], 550);
    assert_eq!(
        anomalies(&server, &token, "CP-BUSY", ghost).await,
        ["EndedWithoutStop", "StopAfterInferredEnd"]
    );

    // An old start replayed late (it began before the open one) leaves the open one alone.
    let (old, _) = start(
        &mut cp,
        start_payload(1, "TAG-B", 100, "2024-05-01T09:00:00Z"),
    )
    .await;
    assert_eq!(transaction(&server, &token, next).await["active"], true);
    assert_eq!(
        anomalies(&server, &token, "CP-BUSY", next).await,
        ["StartOnBusyConnector"]
    );
    assert_eq!(
        transaction(&server, &token, old).await["endedBy"],
        "Inferred"
    );
}

#[tokio::test]
async fn a_reboot_ends_every_session_and_a_remembered_stop_still_wins() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    for tag in ["TAG-1", "TAG-2"] {
        add_tag(&server, &token, json!({"idTag": tag})).await;
    }
    let mut cp = server.booted("CP-CRASH").await;
    let (first, _) = start(
        &mut cp,
        start_payload(1, "TAG-1", 0, "2024-05-01T10:00:00Z"),
    )
    .await;
    let (second, _) = start(
        &mut cp,
        start_payload(2, "TAG-2", 0, "2024-05-01T10:01:00Z"),
    )
    .await;
    // Killed mid-session: no Close frame, no StopTransaction.
    drop(cp);
    let mut cp = server.booted("CP-CRASH").await;
    for tx in [first, second] {
        let row = transaction(&server, &token, tx).await;
        assert_eq!(row["stopReason"], "ChargerRebooted", "{row}");
        assert_eq!(row["endedBy"], "Inferred");
    }
    assert!(active_ids(&server, &token).await.is_empty());
    let auth = cp.call("Authorize", json!({"idTag": "TAG-1"})).await;
    assert_eq!(auth[2]["idTagInfo"]["status"], "Accepted", "{auth}");
    let (_, status) = start(
        &mut cp,
        start_payload(1, "TAG-1", 10, "2024-05-01T10:30:00Z"),
    )
    .await;
    assert_eq!(status, "Accepted");

    // A charger that remembers sends its Stop after the boot: it replaces the inferred end.
    let stop = cp
        .call(
            "StopTransaction",
            stop_payload(second, 4200, "2024-05-01T10:20:00Z", "Reboot"),
        )
        .await;
    assert_eq!(stop[0], 3);
    let row = transaction(&server, &token, second).await;
    assert_eq!(row["stopReason"], "Reboot", "{row}");
    assert_eq!(row["endedBy"], "Charger");
    assert_eq!(row["energyWh"], 4200);
}

#[tokio::test]
async fn an_idle_available_connector_ends_its_session_after_the_grace() {
    let server = TestServer::start("[ocpp]\nidle_transaction_grace_secs = 1");
    let token = server.admin_token().await;
    for tag in ["TAG-IDLE", "TAG-LIVE", "TAG-WAIT"] {
        add_tag(&server, &token, json!({"idTag": tag})).await;
    }
    let mut cp = server.booted("CP-IDLE").await;
    // Preparing before the start: the session is running, whatever the status says.
    cp.call("StatusNotification", status_payload(3, "Preparing"))
        .await;
    let (waiting, _) = start(
        &mut cp,
        start_payload(3, "TAG-WAIT", 0, "2024-05-01T10:00:00Z"),
    )
    .await;
    let (idle, _) = start(
        &mut cp,
        start_payload(1, "TAG-IDLE", 0, "2024-05-01T10:00:00Z"),
    )
    .await;
    let (live, _) = start(
        &mut cp,
        start_payload(2, "TAG-LIVE", 0, "2024-05-01T10:00:00Z"),
    )
    .await;
    for connector in [1, 2] {
        cp.call("StatusNotification", status_payload(connector, "Charging"))
            .await;
        cp.call("StatusNotification", status_payload(connector, "Available"))
            .await;
    }
    // Connector 2 keeps metering: it is still charging, whatever its status says.
    let metering = tokio::spawn(async move {
        for i in 0..30 {
            let mv = json!({"connectorId": 2, "transactionId": live, "meterValue": [
                {"timestamp": "2024-05-01T10:30:00Z", "sampledValue": [{"value": format!("{}", 100 + i)}]}]});
            cp.call("MeterValues", mv).await;
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        cp
    });
    let row = wait_for(&server, &token, idle, |t| t["active"] == false).await;
    assert_eq!(row["stopReason"], "ConnectorAvailable", "{row}");
    assert_eq!(row["endedBy"], "Inferred");
    // Two more sweeps, and the metered and the waiting sessions are still open.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(transaction(&server, &token, live).await["active"], true);
    assert_eq!(transaction(&server, &token, waiting).await["active"], true);
    metering.await.expect("metering charger");
}

#[tokio::test]
async fn an_operator_closes_a_ghost_with_a_reason() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    add_tag(&server, &token, json!({"idTag": "TAG-OP"})).await;
    let mut cp = server.booted("CP-OP").await;
    let (tx, _) = start(
        &mut cp,
        start_payload(1, "TAG-OP", 300, "2024-05-01T10:00:00Z"),
    )
    .await;
    let path = format!("/api/v1/transactions/{tx}/close");
    for (body, field) in [
        (json!({"reason": ""}), "reason"),
        (json!({"reason": "x".repeat(501)}), "reason"),
        (json!({}), "reason"),
    ] {
        let (status, answer) = server.api("POST", &path, Some(&token), Some(body)).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["field"], field, "{answer}");
    }
    let (status, row) = server
        .api(
            "POST",
            &path,
            Some(&token),
            Some(json!({"reason": "charger replaced after a flood"})),
        )
        .await;
    assert_eq!(status, 200, "{row}");
    assert_eq!(row["endedBy"], "Operator");
    assert_eq!(row["stopReason"], "ClosedByOperator");
    assert_eq!(row["meterStop"], 300);
    assert!(
        row["endNote"]
            .as_str()
            .is_some_and(|n| n.contains("charger replaced after a flood") && n.contains("admin")),
        "{row}"
    );
    let (status, _) = server
        .api(
            "POST",
            &path,
            Some(&token),
            Some(json!({"reason": "again"})),
        )
        .await;
    assert_eq!(status, 409);
    let (status, _) = server
        .api(
            "POST",
            "/api/v1/transactions/999999/close",
            Some(&token),
            Some(json!({"reason": "none"})),
        )
        .await;
    assert_eq!(status, 404);
    let (_, audit) = server
        .api(
            "GET",
            "/api/v1/audit?action=transaction.close",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(audit["total"], 1, "{audit}");
    assert_eq!(audit["items"][0]["target"], tx.to_string());
    // The tag is free again.
    let (_, status) = start(
        &mut cp,
        start_payload(2, "TAG-OP", 300, "2024-05-01T11:00:00Z"),
    )
    .await;
    assert_eq!(status, "Accepted");
}

#[tokio::test]
async fn concurrent_tx_is_only_answered_to_starts_and_follows_the_tag_limits() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    add_tag(&server, &token, json!({"idTag": "TAG-BUSY"})).await;
    add_tag(
        &server,
        &token,
        json!({"idTag": "FLEET", "maxActiveTransactions": 0}),
    )
    .await;
    add_tag(
        &server,
        &token,
        json!({"idTag": "GROUP", "maxActiveTransactions": 2}),
    )
    .await;
    for child in ["CHILD-1", "CHILD-2", "CHILD-3"] {
        add_tag(
            &server,
            &token,
            json!({"idTag": child, "parentIdTag": "GROUP"}),
        )
        .await;
    }
    let mut cp = server.booted("CP-LIMITS").await;
    let ts = "2024-05-01T10:00:00Z";
    let (busy, status) = start(&mut cp, start_payload(1, "TAG-BUSY", 0, ts)).await;
    assert_eq!(status, "Accepted");

    // Authorize and StopTransaction answers never carry ConcurrentTx.
    let auth = cp.call("Authorize", json!({"idTag": "tag-busy"})).await;
    assert_eq!(auth[2]["idTagInfo"]["status"], "Accepted", "{auth}");
    let (_, second) = start(&mut cp, start_payload(2, "TAG-BUSY", 0, ts)).await;
    assert_eq!(
        second, "ConcurrentTx",
        "a second start of a one-session tag"
    );
    let mut stop = stop_payload(busy, 10, "2024-05-01T10:30:00Z", "Local");
    stop["idTag"] = json!("TAG-BUSY");
    let stopped = cp.call("StopTransaction", stop).await;
    assert_eq!(stopped[2]["idTagInfo"]["status"], "Accepted", "{stopped}");

    // A fleet card may hold any number of sessions.
    for connector in 3..=5 {
        let (_, status) = start(&mut cp, start_payload(connector, "FLEET", 0, ts)).await;
        assert_eq!(status, "Accepted", "fleet card on connector {connector}");
    }
    // A group shares the limit of its parent.
    let mut answers = Vec::new();
    for (connector, tag) in [(6, "CHILD-1"), (7, "CHILD-2"), (8, "CHILD-3"), (9, "GROUP")] {
        answers.push(start(&mut cp, start_payload(connector, tag, 0, ts)).await.1);
    }
    assert_eq!(
        answers,
        ["Accepted", "Accepted", "ConcurrentTx", "ConcurrentTx"]
    );
    // A tag's own limit takes precedence over its parent's.
    let (status, tag) = server
        .api(
            "PUT",
            "/api/v1/id-tags/CHILD-3",
            Some(&token),
            Some(json!({"maxActiveTransactions": 0})),
        )
        .await;
    assert_eq!(status, 200, "{tag}");
    assert_eq!(tag["maxActiveTransactions"], 0);
    assert_eq!(
        start(&mut cp, start_payload(10, "CHILD-3", 0, ts)).await.1,
        "Accepted"
    );
    let (status, answer) = server
        .api(
            "PUT",
            "/api/v1/id-tags/CHILD-3",
            Some(&token),
            Some(json!({"maxActiveTransactions": -1})),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["field"], "maxActiveTransactions", "{answer}");
}

#[tokio::test]
async fn a_heartbeat_interval_an_operator_set_survives_a_reboot() {
    let server = TestServer::start("[ocpp]\nheartbeat_interval_secs = 300");
    let token = server.admin_token().await;
    let mut cp = server.booted("CP-HB").await;
    let path = "/api/v1/chargers/CP-HB/change-configuration";
    let body = json!({"key": "HeartbeatInterval", "value": "30"});
    let (request, ()) = tokio::join!(server.api("POST", path, Some(&token), Some(body)), async {
        let call = cp.next_call().await;
        assert_eq!(call[2], "ChangeConfiguration", "{call}");
        cp.reply(&call[1], json!({"status": "Accepted"})).await;
    });
    assert_eq!(request.0, 200, "{}", request.1);
    let (_, charger) = server
        .api("GET", "/api/v1/chargers/CP-HB", Some(&token), None)
        .await;
    assert_eq!(
        charger["settings"],
        json!({"heartbeatIntervalSecs": 30, "heartbeatIntervalIsOwn": true, "registrationStatus": "Accepted"})
    );
    let boot = json!({"chargePointVendor": "TestVendor", "chargePointModel": "T1"});
    let answer = cp.call("BootNotification", boot.clone()).await;
    assert_eq!(answer[2]["interval"], 30, "the reboot keeps what was set");

    // An admin can put it back to the default.
    let (status, charger) = server
        .api(
            "PUT",
            "/api/v1/chargers/CP-HB",
            Some(&token),
            Some(json!({"heartbeatIntervalSecs": null})),
        )
        .await;
    assert_eq!(status, 200, "{charger}");
    assert_eq!(charger["settings"]["heartbeatIntervalIsOwn"], false);
    let answer = cp.call("BootNotification", boot).await;
    assert_eq!(answer[2]["interval"], 300);
    let (status, answer) = server
        .api(
            "PUT",
            "/api/v1/chargers/CP-HB",
            Some(&token),
            Some(json!({"heartbeatIntervalSecs": 0})),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["field"], "heartbeatIntervalSecs");
}

#[tokio::test]
async fn meter_values_after_a_stop_are_kept_and_flagged() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    add_tag(&server, &token, json!({"idTag": "TAG-MV"})).await;
    let mut cp = server.booted("CP-MV").await;
    let (tx, _) = start(
        &mut cp,
        start_payload(1, "TAG-MV", 1000, "2024-05-01T10:00:00Z"),
    )
    .await;
    cp.call(
        "StopTransaction",
        stop_payload(tx, 2000, "2024-05-01T11:00:00Z", "EVDisconnected"),
    )
    .await;
    let late = json!({"connectorId": 1, "transactionId": tx, "meterValue": [
        {"timestamp": "2024-05-01T11:00:30Z", "sampledValue": [{"value": "2600"}]}]});
    let answer = cp.call("MeterValues", late).await;
    assert_eq!(answer, json!([3, answer[1], {}]));
    let (_, samples) = server
        .api(
            "GET",
            &format!("/api/v1/transactions/{tx}/meter-values"),
            Some(&token),
            None,
        )
        .await;
    assert!(samples.to_string().contains("2600"), "stored: {samples}");
    let row = transaction(&server, &token, tx).await;
    assert_eq!(row["energyWh"], 1000, "totals stay with meterStop");
    assert_eq!(
        anomalies(&server, &token, "CP-MV", tx).await,
        ["MeterValuesAfterStop"]
    );
}

#[tokio::test]
async fn a_charger_id_that_keeps_replacing_itself_is_counted_and_named() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    let mut connections = Vec::new();
    for _ in 0..4 {
        let mut cp = Charger::connect(&server, "CP-TWIN").await;
        // A round trip, so the server has registered this connection.
        cp.call("Heartbeat", json!({})).await;
        connections.push(cp);
    }
    server
        .wait_log("two devices may be using this charge point id", 1)
        .await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (_, charger) = server
            .api("GET", "/api/v1/chargers/CP-TWIN", Some(&token), None)
            .await;
        if charger["connectionReplacements"] == 3 {
            assert!(charger["lastReplacedAt"].is_string(), "{charger}");
            break;
        }
        assert!(Instant::now() < deadline, "{charger}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let metrics = reqwest::get(server.url("/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text");
    assert!(
        metrics.contains("csms_connection_replacements_total 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("csms_chargers_replacing_themselves 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_start_answer_that_never_left_is_recorded_on_the_transaction() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    add_tag(&server, &token, json!({"idTag": "TAG-LOST"})).await;
    let cp = server.booted("CP-LOST").await;
    // The socket goes before the answer can: the Close frame follows the CALL at once.
    cp.call_and_hang_up(
        "StartTransaction",
        start_payload(1, "TAG-LOST", 0, "2024-05-01T10:00:00Z"),
    )
    .await;
    // The transaction is stored all the same, and marked.
    let deadline = Instant::now() + PATIENCE;
    let tx = loop {
        let (_, page) = server
            .api(
                "GET",
                "/api/v1/transactions?idTag=TAG-LOST",
                Some(&token),
                None,
            )
            .await;
        if page["items"][0]["startAnswerLost"] == true {
            break page["items"][0]["id"].as_i64().expect("id");
        }
        assert!(Instant::now() < deadline, "{page}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(
        anomalies(&server, &token, "CP-LOST", tx).await,
        ["StartAnswerLost"]
    );
}
