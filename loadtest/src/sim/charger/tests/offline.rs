//! Offline behaviour: charging goes on, transaction messages are queued and replayed in order.

use super::Line;
use crate::sim::user::UserOp;
use serde_json::{json, Value};

#[test]
fn offline_charging_queues_and_replays_in_order_without_a_new_boot() {
    let mut line = Line::charging(0);
    line.sent.clear();
    line.c.user(UserOp::Offline, line.now).unwrap();
    assert!(!line.c.wants_link(line.now));
    line.c.disconnected(line.now);
    line.later(60);
    line.later(60);
    line.c.user(UserOp::Stop(1), line.now).unwrap();
    line.c.user(UserOp::Unplug(1), line.now).unwrap();
    assert!(line.exchange().is_empty(), "nothing leaves offline");
    assert_eq!(line.c.durable_pending(), 3);
    line.c.user(UserOp::Online, line.now).unwrap();
    line.c.connected(line.now);
    let actions = line.exchange();
    assert_eq!(
        actions,
        vec![
            "MeterValues",
            "MeterValues",
            "StopTransaction",
            "StatusNotification",
            "StatusNotification"
        ]
    );
    let tx: Vec<Value> = line
        .sent
        .iter()
        .take(3)
        .map(|(_, p)| p["transactionId"].clone())
        .collect();
    assert_eq!(tx, vec![json!(101), json!(101), json!(101)]);
}

#[test]
fn a_transaction_started_offline_gets_the_server_id_on_replay() {
    let mut line = Line::booted(0);
    line.c.disconnected(line.now);
    line.c.user(UserOp::Plug(1), line.now).unwrap();
    let authorized = line
        .c
        .user(UserOp::Start(1, "OFFLINE".into()), line.now)
        .unwrap();
    assert!(authorized.contains("offline"), "{authorized}");
    assert_eq!(
        line.c.transaction_id(1),
        Some(-1),
        "local id until the server answers"
    );
    line.later(60);
    line.c.user(UserOp::Stop(1), line.now).unwrap();
    line.c.connected(line.now);
    let actions = line.exchange();
    assert_eq!(
        actions[..3],
        ["StartTransaction", "MeterValues", "StopTransaction"]
    );
    assert_eq!(line.sent[1].1["transactionId"], 101);
    assert_eq!(line.sent[2].1["transactionId"], 101);
    assert!(!actions.contains(&"BootNotification".to_owned()));
}

#[test]
fn a_dropped_answer_is_sent_again_after_reconnect() {
    let mut line = Line::booted(0);
    line.c.user(UserOp::Plug(1), line.now).unwrap();
    line.c.user(UserOp::Start(1, "T".into()), line.now).unwrap();
    line.exchange();
    line.c.user(UserOp::Stop(1), line.now).unwrap();
    let first = line.c.poll_send(line.now).unwrap();
    assert!(first.contains("StopTransaction"));
    line.c.disconnected(line.now);
    line.c.connected(line.now);
    let again = line.c.poll_send(line.now).unwrap();
    assert!(again.contains("StopTransaction"));
}
