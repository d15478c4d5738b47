//! The charger without sockets: frames in, frames out, time moved by hand. [`Line`] is a
//! fake connection with a friendly server; each file tests one area.

mod answers;
mod boot;
mod crashes;
mod firmware;
mod offline;
mod remote;
mod sessions;
mod settings;

use super::*;
use crate::sim::models::MODELS;
use crate::sim::user::UserOp;
use csms::ocpp::frame::Frame;
use csms::ocpp::v16::status_notification::ChargePointStatus;
use serde_json::{json, Value};

/// A charger on a fake line: `sent` holds the CALLs it sent, in order.
pub(super) struct Line {
    pub(super) c: Charger,
    pub(super) now: Instant,
    next_tx: i32,
    pub(super) sent: Vec<(String, Value)>,
}

impl Line {
    /// Charger of model `model`, not connected yet.
    pub(super) fn new(model: usize) -> Line {
        let now = Instant::now();
        let options = Options {
            id: "CP-T".into(),
            model: &MODELS[model],
            heartbeat_override: None,
            seed: 1,
            log_events: true,
        };
        Line {
            c: Charger::new(options, Arc::new(Metrics::default()), now),
            now,
            next_tx: 100,
            sent: Vec::new(),
        }
    }

    /// Connected and booted (Accepted, heartbeat 300 s), the boot statuses answered.
    pub(super) fn booted(model: usize) -> Line {
        let mut line = Line::new(model);
        line.c.connected(line.now);
        line.exchange();
        line.sent.clear();
        line
    }

    pub(super) fn later(&mut self, secs: u64) {
        self.now += Duration::from_secs(secs);
        self.c.tick(self.now);
    }

    /// Sends whatever the charger has queued, answering each CALL as a friendly server would;
    /// returns the actions sent.
    pub(super) fn exchange(&mut self) -> Vec<String> {
        let mut actions = Vec::new();
        while let Some(text) = self.c.poll_send(self.now) {
            let Ok(Frame::Call {
                id,
                action,
                payload,
            }) = Frame::parse(&text)
            else {
                panic!("not a CALL: {text}");
            };
            let answer = self.server_answer(&action);
            self.sent.push((action.clone(), payload));
            actions.push(action);
            let replies = self
                .c
                .receive(&json!([3, id, answer]).to_string(), self.now);
            assert!(replies.is_empty());
        }
        actions
    }

    pub(super) fn server_answer(&mut self, action: &str) -> Value {
        let accepted = json!({"status": "Accepted"});
        match action {
            "BootNotification" => {
                json!({"status": "Accepted", "interval": 300, "currentTime": "2024-05-01T10:00:00Z"})
            }
            "Authorize" => json!({ "idTagInfo": accepted }),
            "StartTransaction" => {
                self.next_tx += 1;
                json!({"transactionId": self.next_tx, "idTagInfo": accepted})
            }
            "Heartbeat" => json!({"currentTime": "2024-05-01T10:00:00Z"}),
            "StopTransaction" => json!({ "idTagInfo": accepted }),
            _ => json!({}),
        }
    }

    /// The server sends a CALL; returns the charger's answer frame.
    pub(super) fn call(&mut self, action: &str, payload: Value) -> Frame {
        let replies = self
            .c
            .receive(&json!([2, "s1", action, payload]).to_string(), self.now);
        assert_eq!(replies.len(), 1, "{action}: one answer expected");
        Frame::parse(&replies[0]).unwrap_or_else(|e| panic!("{action}: bad answer {e:?}"))
    }

    /// The payload of a CALLRESULT to `action`.
    pub(super) fn result(&mut self, action: &str, payload: Value) -> Value {
        match self.call(action, payload) {
            Frame::CallResult { id, payload } => {
                assert_eq!(id, "s1");
                payload
            }
            other => panic!("{action}: expected a CALLRESULT, got {other:?}"),
        }
    }

    pub(super) fn sent_of(&self, action: &str) -> Vec<&Value> {
        self.sent
            .iter()
            .filter(|(a, _)| a == action)
            .map(|(_, p)| p)
            .collect()
    }

    pub(super) fn statuses(&self) -> Vec<(u64, String)> {
        self.sent_of("StatusNotification")
            .into_iter()
            .map(|p| {
                (
                    p["connectorId"].as_u64().unwrap(),
                    p["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    pub(super) fn user(&mut self, op: UserOp) {
        let now = self.now;
        self.c
            .user(op.clone(), now)
            .unwrap_or_else(|e| panic!("{op:?}: {e}"));
        self.exchange();
    }

    /// Plugs connector 1 in and starts a transaction with tag T1.
    pub(super) fn charging(model: usize) -> Line {
        let mut line = Line::booted(model);
        line.user(UserOp::Plug(1));
        line.user(UserOp::Start(1, "T1".into()));
        assert_eq!(line.c.connectors[0].status, ChargePointStatus::Charging);
        line
    }
}
