//! The charger's outgoing CALLs: one queue, one CALL in flight, matched by message id.
//!
//! Transaction messages (StartTransaction, StopTransaction and MeterValues of a transaction) are
//! **durable**: they survive a lost connection and a reboot and are replayed in order. Everything
//! else is dropped when the link goes. A transaction is known by a local id (negative) until the
//! server's StartTransaction answer gives the real one; messages are rewritten with the real id
//! as they leave, so a session started offline replays correctly.
//!
//! Until the charger is Accepted only BootNotification may leave.

use csms::ocpp::frame::Frame;
use csms::ocpp::v16::ChargerCall;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

/// How long the charger waits for the answer to one of its CALLs.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a CALL was sent, so that its answer can be acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Plain,
    /// Authorize for a start on this connector.
    Authorize {
        connector: u32,
    },
    /// StartTransaction of the session known locally as `local_tx`.
    Start {
        connector: u32,
        local_tx: i32,
    },
}

/// A CALL waiting to leave.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub call: ChargerCall,
    pub purpose: Purpose,
    /// Failed attempts so far (CALLERROR or timeout).
    pub attempts: u32,
    pub not_before: Option<Instant>,
}

/// The CALL sent and not yet answered.
#[derive(Debug, Clone, PartialEq)]
pub struct InFlight {
    pub id: String,
    pub out: Outgoing,
    pub sent_at: Instant,
}

#[derive(Debug, Default)]
pub struct Outbox {
    queue: VecDeque<Outgoing>,
    in_flight: Option<InFlight>,
    /// Local transaction id -> the server's.
    tx_ids: BTreeMap<i32, i32>,
    next_id: u64,
}

/// Whether a CALL must survive a lost connection.
pub fn is_durable(call: &ChargerCall) -> bool {
    match call {
        ChargerCall::StartTransaction(_) | ChargerCall::StopTransaction(_) => true,
        ChargerCall::MeterValues(m) => m.transaction_id.is_some(),
        _ => false,
    }
}

/// The payload of a CALL, as JSON.
pub fn payload(call: &ChargerCall) -> Result<Value, serde_json::Error> {
    use serde_json::to_value as v;
    use ChargerCall as C;
    match call {
        C::Authorize(r) => v(r),
        C::BootNotification(r) => v(r),
        C::DataTransfer(r) => v(r),
        C::DiagnosticsStatusNotification(r) => v(r),
        C::FirmwareStatusNotification(r) => v(r),
        C::Heartbeat(r) => v(r),
        C::LogStatusNotification(r) => v(r),
        C::MeterValues(r) => v(r),
        C::SecurityEventNotification(r) => v(r),
        C::SignCertificate(r) => v(r),
        C::SignedFirmwareStatusNotification(r) => v(r),
        C::StartTransaction(r) => v(r),
        C::StatusNotification(r) => v(r),
        C::StopTransaction(r) => v(r),
    }
}

impl Outbox {
    pub fn push(&mut self, call: ChargerCall, purpose: Purpose) {
        self.queue.push_back(Outgoing {
            call,
            purpose,
            attempts: 0,
            not_before: None,
        });
    }

    /// Queues a BootNotification ahead of everything else.
    pub fn push_front(&mut self, call: ChargerCall) {
        self.queue.push_front(Outgoing {
            call,
            purpose: Purpose::Plain,
            attempts: 0,
            not_before: None,
        });
    }

    pub fn in_flight(&self) -> Option<&InFlight> {
        self.in_flight.as_ref()
    }

    /// Whether a CALL like this is queued or in flight.
    pub fn has(&self, pred: impl Fn(&ChargerCall) -> bool) -> bool {
        self.in_flight.as_ref().is_some_and(|f| pred(&f.out.call))
            || self.queue.iter().any(|o| pred(&o.call))
    }

    /// Durable messages not yet confirmed.
    pub fn durable_pending(&self) -> usize {
        self.queue.iter().filter(|o| is_durable(&o.call)).count()
            + usize::from(
                self.in_flight
                    .as_ref()
                    .is_some_and(|f| is_durable(&f.out.call)),
            )
    }

    pub fn is_idle(&self) -> bool {
        self.in_flight.is_none() && self.queue.is_empty()
    }

    /// The next CALL to send as frame text, if one may leave now.
    pub fn next(&mut self, now: Instant, accepted: bool) -> Option<(String, &'static str)> {
        if self.in_flight.is_some() {
            return None;
        }
        let index = if accepted {
            0
        } else {
            self.queue
                .iter()
                .position(|o| matches!(o.call, ChargerCall::BootNotification(_)))?
        };
        if self.queue.get(index)?.not_before.is_some_and(|t| t > now) {
            return None;
        }
        let mut out = self.queue.remove(index)?;
        self.rewrite_transaction_id(&mut out.call);
        let payload = match payload(&out.call) {
            Ok(p) => p,
            // Our own types always serialize; drop the message rather than stall the queue.
            Err(_) => return None,
        };
        self.next_id += 1;
        let id = self.next_id.to_string();
        let action = out.call.action();
        let text = Frame::Call {
            id: id.clone(),
            action: action.to_owned(),
            payload,
        }
        .to_text();
        self.in_flight = Some(InFlight {
            id,
            out,
            sent_at: now,
        });
        Some((text, action))
    }

    /// Takes the CALL an answer with this id belongs to (None: not ours, ignore it).
    pub fn answered(&mut self, id: &str) -> Option<InFlight> {
        if self.in_flight.as_ref().is_some_and(|f| f.id == id) {
            self.in_flight.take()
        } else {
            None
        }
    }

    /// Takes the CALL in flight if its answer is overdue.
    pub fn timed_out(&mut self, now: Instant) -> Option<InFlight> {
        if self
            .in_flight
            .as_ref()
            .is_some_and(|f| now.duration_since(f.sent_at) >= CALL_TIMEOUT)
        {
            self.in_flight.take()
        } else {
            None
        }
    }

    /// When the CALL in flight times out.
    pub fn deadline(&self) -> Option<Instant> {
        self.in_flight.as_ref().map(|f| f.sent_at + CALL_TIMEOUT)
    }

    /// When the head of the queue may leave, if it waits for a retry interval.
    pub fn retry_at(&self) -> Option<Instant> {
        self.queue.front().and_then(|o| o.not_before)
    }

    /// Puts a failed durable CALL back at the head, to be tried again at `at`, unless it has had
    /// `max_attempts`. Returns whether it was queued again.
    pub fn retry(&mut self, failed: InFlight, at: Instant, max_attempts: u32) -> bool {
        let mut out = failed.out;
        out.attempts += 1;
        if !is_durable(&out.call) || out.attempts >= max_attempts.max(1) {
            return false;
        }
        out.not_before = Some(at);
        self.queue.push_front(out);
        true
    }

    /// The connection is gone: the CALL in flight goes back to the head if durable; the rest of
    /// what is not durable is dropped.
    pub fn link_lost(&mut self) {
        if let Some(f) = self.in_flight.take() {
            if is_durable(&f.out.call) {
                self.queue.push_front(f.out);
            }
        }
        self.queue.retain(|o| is_durable(&o.call));
    }

    /// The server gave `server` to the transaction known locally as `local`.
    pub fn map_transaction(&mut self, local: i32, server: i32) {
        self.tx_ids.insert(local, server);
    }

    /// The server's id of a local transaction, once known.
    pub fn server_id(&self, local: i32) -> Option<i32> {
        self.tx_ids.get(&local).copied()
    }

    /// Forgets the mapping of a transaction whose StopTransaction the server confirmed.
    pub fn forget(&mut self, server: i32) {
        self.tx_ids.retain(|_, s| *s != server);
    }

    fn rewrite_transaction_id(&self, call: &mut ChargerCall) {
        let slot = match call {
            ChargerCall::MeterValues(m) => m.transaction_id.as_mut(),
            ChargerCall::StopTransaction(s) => Some(&mut s.transaction_id),
            _ => None,
        };
        if let Some(id) = slot {
            if let Some(real) = self.tx_ids.get(id) {
                *id = *real;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use csms::ocpp::types::{IdToken, Timestamp};
    use csms::ocpp::v16::heartbeat::HeartbeatRequest;
    use csms::ocpp::v16::meter_values::MeterValuesRequest;
    use csms::ocpp::v16::start_transaction::StartTransactionRequest;
    use csms::ocpp::v16::stop_transaction::StopTransactionRequest;

    fn start() -> ChargerCall {
        ChargerCall::StartTransaction(StartTransactionRequest {
            connector_id: 1,
            id_tag: IdToken::new("T").unwrap(),
            meter_start: 0,
            reservation_id: None,
            timestamp: Timestamp::now(),
        })
    }

    fn meter(tx: i32) -> ChargerCall {
        ChargerCall::MeterValues(MeterValuesRequest {
            connector_id: 1,
            transaction_id: Some(tx),
            meter_value: vec![],
        })
    }

    fn stop(tx: i32) -> ChargerCall {
        ChargerCall::StopTransaction(StopTransactionRequest {
            id_tag: None,
            meter_stop: 10,
            timestamp: Timestamp::now(),
            transaction_id: tx,
            reason: None,
            transaction_data: None,
        })
    }

    /// Sends the next CALL and answers it at once; returns (action, payload sent).
    fn send(outbox: &mut Outbox, now: Instant) -> Option<(&'static str, Value)> {
        let (text, action) = outbox.next(now, true)?;
        let Ok(Frame::Call { id, payload, .. }) = Frame::parse(&text) else {
            panic!("not a CALL: {text}");
        };
        let done = outbox.answered(&id).unwrap();
        if let Purpose::Start { local_tx, .. } = done.out.purpose {
            outbox.map_transaction(local_tx, 42);
        }
        Some((action, payload))
    }

    #[test]
    fn offline_messages_replay_in_order_with_the_server_transaction_id() {
        let now = Instant::now();
        let mut outbox = Outbox::default();
        outbox.push(ChargerCall::Heartbeat(HeartbeatRequest {}), Purpose::Plain);
        outbox.push(
            start(),
            Purpose::Start {
                connector: 1,
                local_tx: -1,
            },
        );
        outbox.push(meter(-1), Purpose::Plain);
        outbox.push(ChargerCall::Heartbeat(HeartbeatRequest {}), Purpose::Plain);
        outbox.push(meter(-1), Purpose::Plain);
        outbox.push(stop(-1), Purpose::Plain);
        outbox.link_lost();
        assert_eq!(outbox.durable_pending(), 4);
        let mut sent = Vec::new();
        while let Some((action, payload)) = send(&mut outbox, now) {
            sent.push((action, payload["transactionId"].clone()));
        }
        assert_eq!(
            sent,
            vec![
                ("StartTransaction", Value::Null),
                ("MeterValues", 42.into()),
                ("MeterValues", 42.into()),
                ("StopTransaction", 42.into()),
            ]
        );
        assert!(outbox.is_idle());
        outbox.forget(42);
        assert_eq!(outbox.server_id(-1), None);
    }

    #[test]
    fn one_call_in_flight_and_the_lost_one_goes_first_again() {
        let now = Instant::now();
        let mut outbox = Outbox::default();
        outbox.push(
            start(),
            Purpose::Start {
                connector: 1,
                local_tx: -1,
            },
        );
        outbox.push(stop(-1), Purpose::Plain);
        let (first, _) = outbox.next(now, true).unwrap();
        assert!(outbox.next(now, true).is_none());
        assert_eq!(outbox.answered("999"), None);
        outbox.link_lost();
        let (again, action) = outbox.next(now, true).unwrap();
        assert_eq!(action, "StartTransaction");
        // The same message, with a new message id.
        assert_ne!(first, again);
        assert_eq!(
            first[first.find("Start").unwrap()..],
            again[again.find("Start").unwrap()..]
        );
    }

    #[test]
    fn only_boot_leaves_before_acceptance_and_failures_are_retried() {
        let now = Instant::now();
        let mut outbox = Outbox::default();
        outbox.push(
            start(),
            Purpose::Start {
                connector: 1,
                local_tx: -1,
            },
        );
        assert!(outbox.next(now, false).is_none());
        outbox.push(ChargerCall::Heartbeat(HeartbeatRequest {}), Purpose::Plain);
        outbox.push_front(ChargerCall::BootNotification(
            serde_json::from_value(
                serde_json::json!({"chargePointVendor": "V", "chargePointModel": "M"}),
            )
            .unwrap(),
        ));
        assert_eq!(outbox.next(now, false).unwrap().1, "BootNotification");
        assert!(outbox.timed_out(now).is_none());
        let lost = outbox.timed_out(now + CALL_TIMEOUT).unwrap();
        assert!(!outbox.retry(lost, now, 3), "a boot is not durable");
        let (_, action) = outbox.next(now, true).unwrap();
        assert_eq!(action, "StartTransaction");
        let failed = outbox.timed_out(now + CALL_TIMEOUT).unwrap();
        let later = now + Duration::from_secs(10);
        assert!(outbox.retry(failed, later, 3));
        assert!(
            outbox.next(now, true).is_none(),
            "waits for the retry interval"
        );
        let (_, action) = outbox.next(later, true).unwrap();
        assert_eq!(action, "StartTransaction");
        let failed = outbox.timed_out(later + CALL_TIMEOUT).unwrap();
        assert_eq!(failed.out.attempts, 1);
        let failed = InFlight {
            out: Outgoing {
                attempts: 2,
                ..failed.out
            },
            ..failed
        };
        assert!(
            !outbox.retry(failed, later, 3),
            "gives up after the attempts"
        );
    }
}
