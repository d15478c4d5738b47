//! Triggered messages, firmware updates, diagnostics and log uploads.

use super::Line;
use serde_json::{json, Value};

#[test]
fn triggered_messages_follow_the_answer() {
    let mut line = Line::charging(2);
    line.sent.clear();
    let t = |line: &mut Line, what: &str, connector: Value| {
        let mut payload = json!({"requestedMessage": what});
        if !connector.is_null() {
            payload["connectorId"] = connector;
        }
        let status = line.result("TriggerMessage", payload)["status"].clone();
        (status, line.exchange())
    };
    assert_eq!(
        t(&mut line, "Heartbeat", Value::Null),
        (json!("Accepted"), vec!["Heartbeat".into()])
    );
    assert_eq!(
        t(&mut line, "StatusNotification", json!(1)),
        (json!("Accepted"), vec!["StatusNotification".into()])
    );
    let (status, sent) = t(&mut line, "MeterValues", json!(1));
    assert_eq!(
        (status, sent),
        (json!("Accepted"), vec!["MeterValues".to_owned()])
    );
    assert_eq!(
        line.sent_of("MeterValues")[0]["meterValue"][0]["sampledValue"][0]["context"],
        "Trigger"
    );
    assert_eq!(
        t(&mut line, "StatusNotification", json!(9)).0,
        json!("Rejected")
    );
    let ext = line.result(
        "ExtendedTriggerMessage",
        json!({"requestedMessage": "SignChargePointCertificate"}),
    );
    assert_eq!(ext["status"], "Accepted");
    assert_eq!(line.exchange(), vec!["SignCertificate"]);
}

#[test]
fn firmware_update_reports_each_step_then_boots_the_new_version() {
    let mut line = Line::booted(0);
    let answer = line.result(
        "UpdateFirmware",
        json!({"location": "https://example.com/fw.bin", "retrieveDate": "2020-01-01T00:00:00Z"}),
    );
    assert_eq!(answer, json!({}));
    for _ in 0..5 {
        line.later(2);
        line.exchange();
    }
    let steps: Vec<&str> = line
        .sent_of("FirmwareStatusNotification")
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        vec!["Downloading", "Downloaded", "Installing", "Installed"]
    );
    assert!(!line.c.wants_link(line.now), "rebooting");
    line.c.disconnected(line.now);
    line.later(3);
    line.c.connected(line.now);
    line.exchange();
    let boots = line.sent_of("BootNotification");
    assert_eq!(boots.last().unwrap()["firmwareVersion"], "1.4.3");
}

#[test]
fn diagnostics_and_logs_upload_with_notifications() {
    let mut line = Line::booted(0);
    let answer = line.result(
        "GetDiagnostics",
        json!({"location": "ftp://example.com/up/"}),
    );
    assert!(answer["fileName"]
        .as_str()
        .unwrap()
        .starts_with("diagnostics-CP-T"));
    let answer = line.result(
        "GetLog",
        json!({"logType": "SecurityLog", "requestId": 7, "log": {"remoteLocation": "ftp://example.com/"}}),
    );
    assert_eq!(answer["status"], "Accepted");
    line.later(2);
    line.exchange();
    line.later(2);
    line.exchange();
    let diag: Vec<&Value> = line.sent_of("DiagnosticsStatusNotification");
    assert_eq!(
        diag.iter().map(|p| p["status"].clone()).collect::<Vec<_>>(),
        vec![json!("Uploading"), json!("Uploaded")]
    );
    let logs = line.sent_of("LogStatusNotification");
    assert_eq!(logs[1]["status"], "Uploaded");
    assert_eq!(logs[1]["requestId"], 7);
}
