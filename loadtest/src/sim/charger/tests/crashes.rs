//! Crashes: what a charger that forgets and one that remembers send after the power comes
//! back; crashes only mid-session; the meter runs between ticks.

use super::Line;
use crate::metrics::Metrics;
use crate::sim::connector::Connector;
use crate::sim::crash::{Crash, CrashKinds, CrashPlan};
use crate::sim::user::UserOp;
use csms::ocpp::v16::status_notification::ChargePointStatus;
use std::time::Duration;

/// Charging on connector 1 (transaction 101), then offline for a minute: a MeterValues of the
/// transaction is queued.
fn charging_offline() -> Line {
    let mut line = Line::charging(0);
    line.c.disconnected(line.now);
    line.later(60);
    assert_eq!(line.c.durable_pending(), 1);
    line.sent.clear();
    line
}

/// Crashes, checks the link must be dropped, reconnects; returns the actions sent.
fn crash_and_come_back(line: &mut Line, kind: Crash) -> Vec<String> {
    line.c.crash(kind, line.now);
    assert!(line.c.take_broken_link(), "the runner drops the socket");
    assert!(!line.c.take_broken_link());
    assert!(!line.c.online && line.c.registration.is_none());
    line.c.connected(line.now);
    line.exchange()
}

#[test]
fn a_forgetting_charger_boots_with_free_connectors_and_nothing_queued() {
    let mut line = charging_offline();
    let actions = crash_and_come_back(&mut line, Crash::Forget);
    assert_eq!(
        actions,
        [
            "BootNotification",
            "StatusNotification",
            "StatusNotification"
        ]
    );
    assert_eq!(
        line.statuses(),
        [(0, "Available".into()), (1, "Available".into())]
    );
    assert!(line.c.sessions.iter().all(Option::is_none));
    assert_eq!(line.c.connectors, vec![Connector::default()]);
    assert_eq!(line.c.transaction_id(1), None);
    assert_eq!(line.c.metrics.crashes().get("forget"), Some(&1));
    // The connector is free again for the next driver.
    line.user(UserOp::Plug(1));
    line.user(UserOp::Start(1, "T1".into()));
    assert_eq!(line.c.transaction_id(1), Some(102));
}

#[test]
fn a_remembering_charger_stops_its_sessions_for_power_loss_after_the_boot() {
    let mut line = charging_offline();
    let wh_before = line.c.meters[0].wh();
    let actions = crash_and_come_back(&mut line, Crash::Remember);
    assert_eq!(
        actions,
        [
            "BootNotification",
            "MeterValues",
            "StopTransaction",
            "StatusNotification",
            "StatusNotification"
        ]
    );
    let stop = line.sent_of("StopTransaction")[0].clone();
    assert_eq!(stop["reason"], "PowerLoss");
    assert_eq!(stop["transactionId"], 101);
    assert!(stop.get("idTag").is_none());
    assert_eq!(stop["meterStop"].as_i64(), Some(wh_before));
    assert_eq!(line.sent_of("MeterValues")[0]["transactionId"], 101);
    // The car is still plugged in: the connector is Finishing until it leaves.
    assert_eq!(line.statuses()[1], (1, "Finishing".into()));
    assert!(line.c.sessions[0].is_none());
    assert_eq!(line.c.durable_pending(), 0);
    assert_eq!(Metrics::get(&line.c.metrics.stops_confirmed), 1);
    assert_eq!(line.c.metrics.crashes().get("remember"), Some(&1));
}

#[test]
fn crashes_come_only_mid_session_and_stop_when_frozen() {
    let mut line = Line::booted(0);
    let plan = CrashPlan::every(1.0, CrashKinds::Forget).unwrap();
    line.c.set_crashes(plan, line.now);
    for _ in 0..50 {
        line.later(1);
        line.exchange();
    }
    assert!(line.c.metrics.crashes().is_empty(), "no session, no crash");
    line.user(UserOp::Plug(1));
    line.user(UserOp::Start(1, "T1".into()));
    for _ in 0..50 {
        line.later(1);
        if line.c.take_broken_link() {
            break;
        }
    }
    assert_eq!(line.c.metrics.crashes().get("forget"), Some(&1));
    assert_eq!(line.c.connectors[0].status, ChargePointStatus::Available);

    let mut line = Line::charging(0);
    line.c.set_crashes(plan, line.now);
    line.c.freeze(line.now);
    for _ in 0..50 {
        line.later(1);
    }
    assert!(line.c.metrics.crashes().is_empty(), "frozen: no crash");
    assert!(line.c.sessions[0].is_some(), "the session goes on");
}

#[test]
fn a_session_between_two_ticks_still_records_energy() {
    let mut line = Line::booted(0);
    line.user(UserOp::Plug(1));
    line.user(UserOp::Start(1, "T1".into()));
    // No tick: a stop five seconds later must still see the meter run.
    line.now += Duration::from_secs(5);
    line.user(UserOp::Stop(1));
    let stop = line.sent_of("StopTransaction")[0].clone();
    let start = line.sent_of("StartTransaction")[0].clone();
    let wh = stop["meterStop"].as_i64().unwrap() - start["meterStart"].as_i64().unwrap();
    assert!(wh > 0, "{wh} Wh in 5 s of charging");
}
