//! End to end with a client we did not write: the Python `ocpp` package's `ChargePoint`
//! (`tests/python/e2e_charger.py`) runs a whole charging session against the real server. The
//! library checks every message both ways against the official OCPP 1.6 JSON schemas; the script
//! asserts each answer; here we check what reached the database.
//!
//! Needs the Python environment that `tests/run` creates (or `CSMS_TEST_PYTHON`).

mod common;

use common::{python, python_script, run_with_timeout, TestServer};
use csms::db::charger_records as records;
use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;

const VENDOR: &str = "com.example.e2e";

#[tokio::test]
async fn reference_client_runs_a_charging_session() {
    let server = TestServer::start(&format!("[ocpp]\ndata_transfer_vendors = [{VENDOR:?}]"));
    let (charger, tag) = ("PY-E2E-1", "E2E-TAG-1");
    server.add_id_tag(tag, "Accepted").await;

    let run = run_with_timeout(
        Command::new(python())
            .arg(python_script("e2e_charger.py"))
            .args([
                "--url",
                &server.ocpp_endpoint(),
                "--charger-id",
                charger,
                "--id-tag",
                tag,
            ])
            .args(["--data-transfer-vendor", VENDOR]),
        Duration::from_secs(90),
    );
    assert!(
        run.status.success(),
        "the reference client failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}\n--- csms log ---\n{}",
        run.status,
        run.stdout,
        run.stderr,
        server.log()
    );
    let last = run.stdout.lines().last().unwrap_or_default();
    let summary: Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("last stdout line is not the JSON summary ({e}): {last:?}"));
    let field = |name: &str| {
        summary[name]
            .as_i64()
            .unwrap_or_else(|| panic!("summary has no integer {name}: {summary}"))
    };
    let (tx, meter_start, meter_stop) = (
        field("transaction_id"),
        field("meter_start"),
        field("meter_stop"),
    );
    let (sampled, final_sampled) = (
        field("meter_values_sampled"),
        field("transaction_data_sampled"),
    );
    assert!(sampled > 1 && final_sampled > 1, "{summary}");

    let stored = server.charger(charger).await;
    let identity = ["vendor", "model", "firmwareVersion"].map(|k| &stored[k]);
    assert_eq!(identity, ["E2E-Vendor", "E2E-Model", "9.8.7"], "{stored}");
    assert_eq!(stored["registrationStatus"], "Accepted", "{stored}");

    // The transaction: closed, with the readings and the reason the client sent.
    let t = server.transaction(tx).await;
    assert_eq!(
        t["chargePointId"], charger,
        "transaction {tx} not stored: {t}"
    );
    assert_eq!(t["idTag"], tag, "{t}");
    assert_eq!(t["idTagStatus"], "Accepted", "{t}");
    assert_eq!(t["meterStart"], meter_start, "{t}");
    assert!(
        !t["stopTime"].is_null(),
        "transaction {tx} is not closed: {t}"
    );
    assert_eq!(t["meterStop"], meter_stop, "{t}");
    assert_eq!(t["stopReason"], summary["stop_reason"], "{t}");
    assert_eq!(t["stopIdTag"], tag, "{t}");
    let time = |k: &str| {
        chrono::DateTime::parse_from_rfc3339(t[k].as_str().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{k}: {e}: {t}"))
    };
    assert!(time("stopTime") > time("startTime"), "{t}");
    assert_eq!(server.anomalies(charger).await, Vec::<Value>::new());

    // Every sampled value: those of MeterValues and those of StopTransaction.transactionData.
    let values = server.meter_values(tx).await;
    let count = |wanted: Value| {
        let wanted = wanted.as_object().expect("fields").clone();
        values
            .iter()
            .filter(|v| wanted.iter().all(|(k, w)| v[k] == *w))
            .count() as i64
    };
    assert_eq!(count(json!({})), sampled + final_sampled);
    assert_eq!(count(json!({"connectorId": 1})), sampled + final_sampled);
    assert_eq!(count(json!({"context": "Transaction.End"})), final_sampled);
    assert_eq!(
        count(
            json!({"measurand": "Energy.Active.Import.Register", "unit": "Wh", "value": meter_stop.to_string()})
        ),
        1
    );
    let phases: std::collections::BTreeSet<String> = values
        .iter()
        .filter(|v| v["measurand"] == "Current.Import" && v["unit"] == "A")
        .filter_map(|v| v["phase"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(phases.len(), 3, "{phases:?}");
    assert_eq!(
        count(json!({"measurand": "SoC", "unit": "Percent", "location": "EV"})),
        4
    );
    assert_eq!(
        count(json!({"measurand": "Temperature", "unit": "Celsius"})),
        4
    );

    // The status notifications in the order sent (once the client has gone, the server marks
    // the connectors Unavailable with info 'offline'), and the DataTransfers with our answers.
    let history = server.status_history(charger).await;
    let reported = |connector: i64| {
        history
            .iter()
            .filter(|s| s["connectorId"] == connector && s["info"] != "offline")
            .map(|s| s["status"].as_str().expect("status"))
            .collect::<Vec<_>>()
    };
    assert_eq!(reported(0), ["Available"]);
    assert_eq!(reported(1), ["Preparing", "Charging", "Available"]);
    let transfers = server
        .store()
        .read(|c| records::data_transfers_of(c, charger));
    let answered = |vendor: &str| {
        transfers
            .iter()
            .find(|t| t.vendor_id == vendor)
            .map(|t| t.status.as_str())
    };
    assert_eq!(answered(VENDOR), Some("Accepted"));
    assert_eq!(answered("com.example.nobody"), Some("UnknownVendorId"));
}
