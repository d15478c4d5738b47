//! Operations on connectors: remote start and stop, unlock, availability, reset, reservations.

use super::Line;
use crate::sim::user::UserOp;
use csms::ocpp::v16::status_notification::ChargePointStatus;
use serde_json::json;

#[test]
fn remote_start_waits_for_the_cable_and_remote_stop_ends_the_session() {
    let mut line = Line::booted(0);
    let answer = line.result(
        "RemoteStartTransaction",
        json!({"connectorId": 1, "idTag": "APP"}),
    );
    assert_eq!(answer, json!({"status": "Accepted"}));
    line.exchange();
    assert_eq!(line.statuses(), vec![(1, "Preparing".into())]);
    assert!(line.sent_of("StartTransaction").is_empty());
    line.user(UserOp::Plug(1));
    assert_eq!(line.sent_of("StartTransaction")[0]["idTag"], "APP");
    let busy = line.result("RemoteStartTransaction", json!({"idTag": "OTHER"}));
    assert_eq!(busy, json!({"status": "Rejected"}));
    let unknown = line.result("RemoteStopTransaction", json!({"transactionId": 999}));
    assert_eq!(unknown, json!({"status": "Rejected"}));
    let stop = line.result("RemoteStopTransaction", json!({"transactionId": 101}));
    assert_eq!(stop, json!({"status": "Accepted"}));
    line.exchange();
    let sent = line.sent_of("StopTransaction");
    assert_eq!(sent[0]["reason"], "Remote");
    assert!(sent[0].get("idTag").is_none());
}

#[test]
fn remote_start_without_a_cable_times_out() {
    let mut line = Line::booted(0);
    line.result("RemoteStartTransaction", json!({"idTag": "APP"}));
    line.later(60);
    line.exchange();
    assert_eq!(
        line.statuses(),
        vec![(1, "Preparing".into()), (1, "Available".into())]
    );
}

#[test]
fn availability_changes_now_or_after_the_transaction() {
    let mut line = Line::charging(2);
    line.sent.clear();
    let answer = line.result(
        "ChangeAvailability",
        json!({"connectorId": 0, "type": "Inoperative"}),
    );
    assert_eq!(answer, json!({"status": "Scheduled"}));
    line.exchange();
    assert_eq!(
        line.statuses(),
        vec![(2, "Unavailable".into()), (0, "Unavailable".into())]
    );
    line.user(UserOp::Stop(1));
    assert_eq!(line.c.connectors[0].status, ChargePointStatus::Unavailable);
    let answer = line.result(
        "ChangeAvailability",
        json!({"connectorId": 1, "type": "Operative"}),
    );
    assert_eq!(answer, json!({"status": "Accepted"}));
    let answer = line.result(
        "ChangeAvailability",
        json!({"connectorId": 7, "type": "Operative"}),
    );
    assert_eq!(answer, json!({"status": "Rejected"}));
}

#[test]
fn reset_stops_sessions_reconnects_and_boots_again() {
    let mut line = Line::charging(0);
    line.sent.clear();
    assert_eq!(
        line.result("Reset", json!({"type": "Soft"})),
        json!({"status": "Accepted"})
    );
    line.exchange();
    assert_eq!(line.sent_of("StopTransaction")[0]["reason"], "SoftReset");
    assert!(line.c.wants_link(line.now));
    line.later(2);
    assert!(!line.c.wants_link(line.now), "down while rebooting");
    line.c.disconnected(line.now);
    line.later(3);
    assert!(line.c.wants_link(line.now));
    line.c.connected(line.now);
    assert_eq!(line.exchange()[0], "BootNotification");
}

#[test]
fn unlock_stops_the_transaction() {
    let mut line = Line::charging(0);
    assert_eq!(
        line.result("UnlockConnector", json!({"connectorId": 1})),
        json!({"status": "Unlocked"})
    );
    line.exchange();
    assert_eq!(
        line.sent_of("StopTransaction")[0]["reason"],
        "UnlockCommand"
    );
    assert_eq!(
        line.result("UnlockConnector", json!({"connectorId": 3})),
        json!({"status": "NotSupported"})
    );
}

#[test]
fn reservations_hold_a_connector_for_one_tag() {
    let mut line = Line::booted(0);
    let reserve = json!({"connectorId": 1, "expiryDate": "2099-01-01T00:00:00Z", "idTag": "OWNER", "reservationId": 5});
    assert_eq!(
        line.result("ReserveNow", reserve.clone()),
        json!({"status": "Accepted"})
    );
    line.exchange();
    assert_eq!(line.statuses(), vec![(1, "Reserved".into())]);
    let mut other = reserve.clone();
    other["reservationId"] = json!(6);
    assert_eq!(
        line.result("ReserveNow", other),
        json!({"status": "Occupied"})
    );
    assert!(line
        .c
        .user(UserOp::Start(1, "STRANGER".into()), line.now)
        .is_err());
    assert_eq!(
        line.result("CancelReservation", json!({"reservationId": 5})),
        json!({"status": "Accepted"})
    );
    assert_eq!(
        line.result("CancelReservation", json!({"reservationId": 5})),
        json!({"status": "Rejected"})
    );
    let zero = json!({"connectorId": 0, "expiryDate": "2099-01-01T00:00:00Z", "idTag": "OWNER", "reservationId": 8});
    assert_eq!(
        line.result("ReserveNow", zero),
        json!({"status": "Rejected"})
    );
}
