//! End to end with a client we did not write: the Python `ocpp` package's `ChargePoint`
//! (`tests/python/e2e_charger.py`) runs a whole charging session against the real server. The
//! library checks every message both ways against the official OCPP 1.6 JSON schemas; the script
//! asserts each answer; here we check what reached the database.
//!
//! Needs the Python environment that `tests/run` creates (or `CSMS_TEST_PYTHON`).

mod common;

use common::{python, python_script, run_with_timeout, sql_text, TestServer};
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

const VENDOR: &str = "com.example.e2e";

#[test]
fn reference_client_runs_a_charging_session() {
    let server = TestServer::start(&format!("[ocpp]\ndata_transfer_vendors = [{VENDOR:?}]"));
    let (charger, tag) = ("PY-E2E-1", "E2E-TAG-1");
    server.db().add_id_tag(tag, "Accepted");

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

    let mut db = server.db();
    let cp = sql_text(charger);
    assert_eq!(
        db.text(&format!("SELECT vendor || '/' || model || '/' || firmware_version FROM charge_points WHERE id = {cp}")),
        Some("E2E-Vendor/E2E-Model/9.8.7".into())
    );
    assert_eq!(
        db.text(&format!(
            "SELECT boot_status FROM charge_points WHERE id = {cp}"
        )),
        Some("Accepted".into())
    );

    // The transaction: closed, with the readings and the reason the client sent.
    let row = format!("FROM transactions WHERE id = {tx} AND charge_point_id = {cp}");
    assert_eq!(
        db.int(&format!("SELECT count(*) {row}")),
        1,
        "transaction {tx} not stored"
    );
    assert_eq!(db.text(&format!("SELECT id_tag {row}")), Some(tag.into()));
    assert_eq!(
        db.text(&format!("SELECT id_tag_status {row}")),
        Some("Accepted".into())
    );
    assert_eq!(db.int(&format!("SELECT meter_start {row}")), meter_start);
    assert_eq!(
        db.int(&format!("SELECT stop_time IS NOT NULL {row}")),
        1,
        "transaction {tx} is not closed"
    );
    assert_eq!(db.int(&format!("SELECT meter_stop {row}")), meter_stop);
    assert_eq!(
        db.text(&format!("SELECT stop_reason {row}")),
        summary["stop_reason"].as_str().map(str::to_owned)
    );
    assert_eq!(
        db.text(&format!("SELECT stop_id_tag {row}")),
        Some(tag.into())
    );
    assert_eq!(db.int(&format!("SELECT stop_time > start_time {row}")), 1);
    assert_eq!(
        db.int(&format!(
            "SELECT count(*) FROM transaction_anomalies WHERE charge_point_id = {cp}"
        )),
        0
    );

    // Every sampled value: those of MeterValues and those of StopTransaction.transactionData.
    let values =
        format!("FROM meter_values WHERE charge_point_id = {cp} AND transaction_id = {tx}");
    assert_eq!(
        db.int(&format!("SELECT count(*) {values}")),
        sampled + final_sampled
    );
    assert_eq!(
        db.int(&format!("SELECT count(*) {values} AND connector_id = 1")),
        sampled + final_sampled
    );
    assert_eq!(
        db.int(&format!(
            "SELECT count(*) {values} AND context = 'Transaction.End'"
        )),
        final_sampled
    );
    assert_eq!(
        db.int(&format!(
            "SELECT count(*) {values} AND measurand = 'Energy.Active.Import.Register' AND unit = 'Wh' AND value = '{meter_stop}'"
        )),
        1
    );
    assert_eq!(
        db.int(&format!(
            "SELECT count(DISTINCT phase) {values} AND measurand = 'Current.Import' AND unit = 'A'"
        )),
        3
    );
    assert_eq!(db.int(&format!("SELECT count(*) {values} AND measurand = 'SoC' AND unit = 'Percent' AND location = 'EV'")), 4);
    assert_eq!(
        db.int(&format!(
            "SELECT count(*) {values} AND measurand = 'Temperature' AND unit = 'Celsius'"
        )),
        4
    );

    // The status notifications in the order sent (once the client has gone, the server marks
    // the connectors Unavailable with info 'offline'), and the DataTransfers with our answers.
    let reported = |connector: i32| {
        format!(
            "SELECT group_concat(status, ',') FROM (SELECT status FROM status_history WHERE charge_point_id = {cp} \
             AND connector_id = {connector} AND coalesce(info, '') <> 'offline' ORDER BY id)"
        )
    };
    assert_eq!(db.text(&reported(0)), Some("Available".into()));
    assert_eq!(
        db.text(&reported(1)),
        Some("Preparing,Charging,Available".into())
    );
    assert_eq!(
        db.text(&format!("SELECT status FROM data_transfers WHERE charge_point_id = {cp} AND vendor_id = '{VENDOR}'")),
        Some("Accepted".into())
    );
    assert_eq!(
        db.text(&format!(
            "SELECT status FROM data_transfers WHERE charge_point_id = {cp} AND vendor_id = 'com.example.nobody'"
        )),
        Some("UnknownVendorId".into())
    );
}
