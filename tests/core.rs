//! Charger-initiated actions against the real server over real WebSockets, checked in the store.

mod common;

use common::{Charger, TestServer};
use serde_json::json;

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
    assert!(boot[2]["currentTime"].as_str().unwrap().ends_with('Z'), "{boot}");

    let hb = cp.call("Heartbeat", json!({})).await;
    assert!(hb[2]["currentTime"].as_str().unwrap().ends_with('Z'), "{hb}");

    let st = cp
        .call("StatusNotification", json!({"connectorId": 1, "errorCode": "NoError", "status": "Preparing", "info": "plugged"}))
        .await;
    assert_eq!(st, json!([3, st[1], {}]));

    let mut db = server.db();
    assert_eq!(db.text("SELECT vendor || '/' || model || '/' || firmware_version || '/' || meter_serial FROM charge_points WHERE id = 'CP-1'"),
        Some("Acme/Fast50/1.2.3/M-9".into()));
    assert_eq!(db.text("SELECT boot_status FROM charge_points WHERE id = 'CP-1'"), Some("Accepted".into()));
    assert_eq!(db.text("SELECT status FROM connectors WHERE charge_point_id = 'CP-1' AND connector_id = 1"), Some("Preparing".into()));
    assert_eq!(db.int("SELECT count(*) FROM status_history WHERE charge_point_id = 'CP-1' AND info = 'plugged'"), 1);
    db.wait_int("SELECT connected FROM charge_points WHERE id = 'CP-1'", 1).await;
}
