//! Sessions at the charger: plug, tag, meter values, stop; DC state of charge; free vend, faults, deauthorization.

use super::Line;
use crate::metrics::Metrics;
use crate::sim::user::UserOp;
use csms::ocpp::frame::Frame;
use csms::ocpp::v16::status_notification::ChargePointStatus;
use serde_json::json;

#[test]
fn a_local_session_runs_from_plug_to_unplug() {
    let mut line = Line::charging(2);
    let actions: Vec<&str> = line.sent.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "StatusNotification",
            "Authorize",
            "StartTransaction",
            "StatusNotification"
        ]
    );
    assert_eq!(line.c.transaction_id(1), Some(101));
    line.sent.clear();
    line.later(60);
    line.exchange();
    let mv = line.sent_of("MeterValues");
    assert_eq!(mv.len(), 1);
    assert_eq!(mv[0]["transactionId"], 101);
    let measurands: Vec<&str> = mv[0]["meterValue"][0]["sampledValue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["measurand"].as_str().unwrap())
        .collect();
    assert_eq!(
        measurands,
        vec![
            "Energy.Active.Import.Register",
            "Power.Active.Import",
            "Current.Import",
            "Current.Import",
            "Current.Import",
            "Voltage",
            "Voltage",
            "Voltage"
        ]
    );
    line.user(UserOp::Stop(1));
    let stop = line.sent_of("StopTransaction")[0].clone();
    assert_eq!(stop["transactionId"], 101);
    assert_eq!(stop["reason"], "Local");
    assert_eq!(stop["idTag"], "T1");
    let data = stop["transactionData"].as_array().unwrap();
    assert_eq!(data[0]["sampledValue"][0]["context"], "Transaction.Begin");
    assert_eq!(data[1]["sampledValue"][0]["context"], "Transaction.End");
    let start = line.sent.iter().find(|(a, _)| a == "StartTransaction");
    assert!(start.is_none(), "cleared above");
    assert!(stop["meterStop"].as_i64().unwrap() > 0);
    line.user(UserOp::Unplug(1));
    assert_eq!(
        line.statuses(),
        vec![(1, "Finishing".into()), (1, "Available".into())]
    );
    assert_eq!(Metrics::get(&line.c.metrics.stops_confirmed), 1);
}

#[test]
fn a_dc_charger_reports_state_of_charge() {
    let mut line = Line::charging(9);
    line.later(60);
    line.exchange();
    let mv = line.sent_of("MeterValues");
    let values = mv[0]["meterValue"][0]["sampledValue"]
        .as_array()
        .unwrap()
        .clone();
    assert!(values
        .iter()
        .any(|v| v["measurand"] == "SoC" && v["unit"] == "Percent"));
    assert!(values.iter().all(|v| v.get("phase").is_none()));
}

#[test]
fn free_vend_starts_on_plug_and_faults_stop_sessions() {
    let mut line = Line::booted(0);
    line.c.config.force("FreeVendEnabled", "true");
    line.user(UserOp::Plug(1));
    assert_eq!(line.sent_of("StartTransaction")[0]["idTag"], "FREEVEND");
    line.user(UserOp::Fault(
        1,
        csms::ocpp::v16::status_notification::ChargePointErrorCode::GroundFailure,
    ));
    assert_eq!(line.sent_of("StopTransaction")[0]["reason"], "Other");
    let last = line
        .sent_of("StatusNotification")
        .last()
        .cloned()
        .unwrap()
        .clone();
    assert_eq!(
        (last["status"].as_str(), last["errorCode"].as_str()),
        (Some("Faulted"), Some("GroundFailure"))
    );
    line.user(UserOp::Repair(1));
    assert_eq!(line.c.connectors[0].status, ChargePointStatus::Finishing);
}

#[test]
fn an_invalid_tag_is_deauthorized_by_the_start_answer() {
    let mut line = Line::booted(0);
    line.c.user(UserOp::Plug(1), line.now).unwrap();
    line.c.disconnected(line.now);
    line.c
        .user(UserOp::Start(1, "BAD".into()), line.now)
        .unwrap();
    line.c.connected(line.now);
    let text = line.c.poll_send(line.now).unwrap();
    let Ok(Frame::Call { id, .. }) = Frame::parse(&text) else {
        panic!()
    };
    let answer = json!([3, id, {"transactionId": 9, "idTagInfo": {"status": "Invalid"}}]);
    line.c.receive(&answer.to_string(), line.now);
    line.exchange();
    let stop = line.sent_of("StopTransaction");
    assert_eq!(stop[0]["reason"], "DeAuthorized");
    assert_eq!(stop[0]["transactionId"], 9);
}
