//! Booting: BootNotification first, Pending and Rejected retried, heartbeats.

use super::Line;
use crate::sim::user::UserOp;
use csms::ocpp::frame::Frame;
use serde_json::json;

#[test]
fn boots_first_then_reports_every_connector() {
    let mut line = Line::new(2); // two connectors
    line.c.connected(line.now);
    let actions = line.exchange();
    assert_eq!(actions[0], "BootNotification");
    let boot = &line.sent[0].1;
    assert_eq!(boot["chargePointVendor"], "Ampera");
    assert_eq!(boot["firmwareVersion"], "3.2.0");
    assert_eq!(
        line.statuses(),
        vec![
            (0, "Available".into()),
            (1, "Available".into()),
            (2, "Available".into())
        ]
    );
    assert_eq!(line.c.config.int("HeartbeatInterval"), 300);
    line.sent.clear();
    line.later(299);
    assert!(line.exchange().is_empty());
    line.later(1);
    assert_eq!(line.exchange(), vec!["Heartbeat"]);
}

#[test]
fn pending_and_rejected_boots_are_retried_after_the_interval() {
    for status in ["Pending", "Rejected"] {
        let mut line = Line::new(0);
        line.c.connected(line.now);
        line.c.user(UserOp::Plug(1), line.now).unwrap();
        let text = line.c.poll_send(line.now).unwrap();
        let Ok(Frame::Call { id, .. }) = Frame::parse(&text) else {
            panic!()
        };
        let answer = json!([3, id, {"status": status, "interval": 20, "currentTime": "2024-05-01T10:00:00Z"}]);
        line.c.receive(&answer.to_string(), line.now);
        assert_eq!(line.c.registration.map(|r| r.as_str()), Some(status));
        assert!(
            line.c.poll_send(line.now).is_none(),
            "{status}: silent before the interval"
        );
        line.later(19);
        assert!(line.c.poll_send(line.now).is_none());
        line.later(1);
        let actions = line.exchange();
        assert_eq!(actions[0], "BootNotification", "{status}");
        assert!(line.c.is_accepted());
    }
}
