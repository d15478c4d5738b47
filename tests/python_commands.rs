//! Every command we send, checked by a client we did not write: the Python `ocpp` package's
//! `ChargePoint` (`tests/python/cs_operations.py`) connects, boots and answers each of the 26
//! central-system operations, driven here through the REST API. The library checks every CALL
//! against the official OCPP 1.6 JSON schema of its action and answers a violation with a
//! CALLERROR (a 502 here), so a 200 for each operation proves each payload we send is valid;
//! it checks its own confirmations the same way, which proves the table's answers valid too.
//! The conveniences (max-power, sessions) are driven too: they build payloads of their own.
//!
//! Needs the Python environment that `tests/run` creates (or `CSMS_TEST_PYTHON`).

mod common;
mod operations;

use common::{python, python_script, run_with_timeout, TestServer};
use serde_json::{json, Map, Value};
use std::process::Command;
use std::time::Duration;

const CHARGER: &str = "PY-OPS-1";
/// The id tag of the transaction the client starts for the session commands.
const TAG: &str = "TAG-1";

#[tokio::test]
async fn the_reference_client_accepts_every_operation() {
    let server = TestServer::start("");
    server.add_id_tag(TAG, "Accepted").await;
    let cases = operations::every_operation();
    let answers: Map<String, Value> = cases
        .iter()
        .map(|c| (c.action.to_owned(), c.answer.clone()))
        .collect();
    let answers_file = server.dir.path().join("answers.json");
    std::fs::write(&answers_file, Value::Object(answers).to_string()).expect("answers file");

    let mut script = Command::new(python());
    script
        .arg(python_script("cs_operations.py"))
        .args(["--url", &server.ocpp_endpoint(), "--charger-id", CHARGER])
        .arg("--answers")
        .arg(&answers_file)
        .args(["--start-transaction", TAG]);
    let client = std::thread::spawn(move || run_with_timeout(&mut script, Duration::from_secs(90)));

    // Booted, and the transaction the conveniences act on is stored.
    let active = server
        .wait_items(
            &format!("/api/v1/transactions?chargePointId={CHARGER}&state=active"),
            |active| active.len() == 1,
        )
        .await;
    let tx = active[0]["id"].as_i64().expect("transaction id");
    let token = server.admin_token().await;
    let mut failures = Vec::new();
    for case in &cases {
        let path = format!("/api/v1/chargers/{CHARGER}/{}", case.route);
        let (status, body) = server
            .api("POST", &path, Some(&token), Some(case.body.clone()))
            .await;
        if (status, &body) != (200, case.expected()) {
            failures.push(format!("{}: {status} {body}", case.action));
        }
    }
    // The conveniences send some of these operations with payloads of their own making.
    let conveniences = [
        (
            "max-power".to_owned(),
            json!({"limit": 11000, "unit": "W"}),
            "SetChargingProfile",
        ),
        (
            "max-power".to_owned(),
            json!({"limit": 16.5, "unit": "A", "connectorId": 1}),
            "SetChargingProfile",
        ),
        (
            "sessions/start".to_owned(),
            json!({"connectorId": 1, "idTag": TAG}),
            "RemoteStartTransaction",
        ),
        (
            format!("sessions/{tx}/suspend"),
            json!({}),
            "SetChargingProfile",
        ),
        (
            format!("sessions/{tx}/resume"),
            json!({}),
            "ClearChargingProfile",
        ),
        (
            format!("sessions/{tx}/finish"),
            json!({}),
            "RemoteStopTransaction",
        ),
    ];
    for (route, body, action) in conveniences {
        let path = format!("/api/v1/chargers/{CHARGER}/{route}");
        let (status, answer) = server.api("POST", &path, Some(&token), Some(body)).await;
        let expected = cases.iter().find(|c| c.action == action).map(|c| &c.answer);
        if (status, Some(&answer)) != (200, expected) {
            failures.push(format!("{route}: {status} {answer}"));
        }
    }
    let path = format!("/api/v1/chargers/{CHARGER}/disconnect");
    let (status, _) = server.api("POST", &path, Some(&token), None).await;
    assert_eq!(status, 204, "disconnect");

    let run = tokio::task::spawn_blocking(move || client.join())
        .await
        .expect("join")
        .expect("the client thread");
    let report = format!(
        "--- stdout ---\n{}\n--- stderr ---\n{}",
        run.stdout, run.stderr
    );
    assert!(
        failures.is_empty(),
        "operations not confirmed:\n{}\n{report}",
        failures.join("\n")
    );
    assert!(
        run.status.success(),
        "the reference client failed ({}):\n{report}",
        run.status
    );
    let last = run.stdout.lines().last().unwrap_or_default();
    let summary: Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("last stdout line is not the JSON summary ({e}): {last:?}"));
    let mut received: Vec<&str> = summary["received"]
        .as_array()
        .unwrap_or_else(|| panic!("no list of received actions: {summary}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    received.sort();
    received.dedup();
    assert_eq!(
        received,
        csms::ocpp::v16::CENTRAL_SYSTEM_ACTIONS,
        "{report}"
    );
}
