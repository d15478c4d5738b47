//! The charger's state machine, as pure functions: no socket, no database, no clock.
//!
//! The actor asks [`ChargerState::admit`] before serving a CALL, and feeds committed outcomes
//! back through [`ChargerState::apply`]. [`ReplyQueue`] keeps answers in the order their CALLs
//! arrived; [`samples_within`] and [`TokenBucket`] bound what one charger may cost us;
//! [`CallSlot`] holds our own CALLs to the charger, one in flight at a time.

use crate::db::jobs::{ChargerSnapshot, Outcome};
use crate::ocpp::frame::ErrorCode;
use crate::ocpp::v16::boot_notification::RegistrationStatus;
use crate::ocpp::v16::ChargerCall;
use std::collections::VecDeque;
use std::time::Instant;

/// Where the charger stands with us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// Never answered a BootNotification of this charger.
    Unregistered,
    Pending,
    Accepted,
    Rejected,
}

impl From<RegistrationStatus> for Registration {
    fn from(s: RegistrationStatus) -> Self {
        match s {
            RegistrationStatus::Accepted => Registration::Accepted,
            RegistrationStatus::Pending => Registration::Pending,
            RegistrationStatus::Rejected => Registration::Rejected,
        }
    }
}

/// A CALL the charger may not make in its state, with the CALLERROR to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChargerState {
    pub registration: Registration,
}

impl ChargerState {
    pub fn new(snapshot: &ChargerSnapshot) -> Self {
        ChargerState {
            registration: snapshot
                .registration
                .map(Registration::from)
                .unwrap_or(Registration::Unregistered),
        }
    }

    /// Whether a CALL from the charger is served in the current registration state.
    ///
    /// BootNotification and Heartbeat always are; so are transaction messages, which a charger
    /// may have queued while offline and which are never refused. An Accepted or Pending
    /// charger is served in full. A Rejected charger, or one that never booted, gets
    /// SecurityError for anything else: it must send BootNotification first.
    pub fn admit(&self, call: &ChargerCall) -> Result<(), Refusal> {
        match call {
            ChargerCall::BootNotification(_)
            | ChargerCall::Heartbeat(_)
            | ChargerCall::StartTransaction(_)
            | ChargerCall::StopTransaction(_)
            | ChargerCall::MeterValues(_) => Ok(()),
            _ => match self.registration {
                Registration::Accepted | Registration::Pending => Ok(()),
                Registration::Rejected => Err(Refusal {
                    code: ErrorCode::SecurityError,
                    description: "charge point registration was Rejected; retry BootNotification after the interval"
                        .into(),
                }),
                Registration::Unregistered => Err(Refusal {
                    code: ErrorCode::SecurityError,
                    description: "charge point is not registered; send BootNotification first".into(),
                }),
            },
        }
    }

    /// Whether we may send the charger a CALL of `action` now (OCPP 1.6, 4.2: nothing to a
    /// Rejected charger; no RemoteStart/RemoteStop while Pending).
    pub fn may_send(&self, action: &str) -> Result<(), String> {
        match self.registration {
            Registration::Accepted => Ok(()),
            Registration::Pending
                if !matches!(action, "RemoteStartTransaction" | "RemoteStopTransaction") =>
            {
                Ok(())
            }
            Registration::Pending => Err(format!(
                "{action} is not allowed while the charger's registration is Pending"
            )),
            Registration::Rejected => Err("the charger's registration is Rejected".into()),
            Registration::Unregistered => {
                Err("the charger has not sent BootNotification yet".into())
            }
        }
    }

    /// Takes in the committed outcome of a CALL.
    pub fn apply(&mut self, call: &ChargerCall, outcome: &Outcome) {
        if let (ChargerCall::BootNotification(_), Outcome::Registered { status, .. }) =
            (call, outcome)
        {
            self.registration = (*status).into();
        }
    }
}

/// Answers in the order their CALLs arrived, whatever order their commits finish in.
///
/// Each place holds an `H` from the moment the CALL is read (the permit that let it be read)
/// and gives it back with the answer, so whoever sends the answer releases it.
#[derive(Debug)]
pub struct ReplyQueue<H> {
    first: u64,
    slots: VecDeque<(H, Option<String>)>,
}

impl<H> Default for ReplyQueue<H> {
    fn default() -> Self {
        ReplyQueue {
            first: 0,
            slots: VecDeque::new(),
        }
    }
}

impl<H> ReplyQueue<H> {
    /// Takes a place in line for the answer of the CALL just received.
    pub fn reserve(&mut self, hold: H) -> u64 {
        self.slots.push_back((hold, None));
        self.first + self.slots.len() as u64 - 1
    }

    /// Fills a place; returns the answers now ready to send, in order, each with its hold.
    pub fn fill(&mut self, ticket: u64, frame: String) -> Vec<(String, H)> {
        if let Some((_, slot)) = ticket
            .checked_sub(self.first)
            .and_then(|i| self.slots.get_mut(i as usize))
        {
            *slot = Some(frame);
        }
        let mut ready = Vec::new();
        while let Some((_, Some(_))) = self.slots.front() {
            if let Some((hold, Some(frame))) = self.slots.pop_front() {
                ready.push((frame, hold));
            }
            self.first += 1;
        }
        ready
    }

    /// Every ticket below this one has been handed out.
    pub fn sent_before(&self) -> u64 {
        self.first
    }

    /// Answers still being prepared.
    pub fn pending(&self) -> usize {
        self.slots.len()
    }
}

/// The sampled values a MeterValues message carries must not exceed `max` (each becomes a
/// stored row). Other messages pass: StopTransaction's transactionData is never refused, so a
/// transaction can always end; the frame size limit bounds it.
pub fn samples_within(call: &ChargerCall, max: usize) -> Result<(), Refusal> {
    let ChargerCall::MeterValues(request) = call else {
        return Ok(());
    };
    let samples: usize = request
        .meter_value
        .iter()
        .map(|v| v.sampled_value.len())
        .sum();
    if samples > max {
        return Err(Refusal {
            code: ErrorCode::OccurenceConstraintViolation,
            description: format!(
                "meterValue carries {samples} sampledValue elements; at most {max} per message (ocpp.max_samples_per_message)"
            ),
        });
    }
    Ok(())
}

/// A token bucket: up to `burst` events at once, refilled at `per_sec`. Time comes in as an
/// argument, so it is tested without a clock.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    burst: f64,
    per_sec: f64,
    tokens: f64,
    last: Instant,
    /// Events refused since the last one allowed.
    refused: u64,
}

impl TokenBucket {
    pub fn new(burst: u32, per_sec: f64, now: Instant) -> Self {
        TokenBucket {
            burst: f64::from(burst),
            per_sec,
            tokens: f64::from(burst),
            last: now,
            refused: 0,
        }
    }

    /// Whether an event at `now` is allowed. `Some(n)`: allowed, and `n` events were refused
    /// since the last allowed one.
    pub fn take(&mut self, now: Instant) -> Option<u64> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Some(std::mem::take(&mut self.refused))
        } else {
            self.refused += 1;
            None
        }
    }

    /// Events refused since the last allowed one.
    pub fn refused(&self) -> u64 {
        self.refused
    }
}

/// Our CALLs to one charger: a queue, and at most one in flight, matched by message id.
#[derive(Debug)]
pub struct CallSlot<T> {
    prefix: String,
    next: u64,
    queue: VecDeque<T>,
    in_flight: Option<(String, T)>,
}

impl<T> CallSlot<T> {
    /// `prefix` makes ids unique across connections (in the logs); the counter within one.
    pub fn new(prefix: impl Into<String>) -> Self {
        CallSlot {
            prefix: prefix.into(),
            next: 0,
            queue: VecDeque::new(),
            in_flight: None,
        }
    }

    /// Queues a CALL; if the slot is free it goes out at once: returns its new message id.
    pub fn push(&mut self, call: T) -> Option<(String, &T)> {
        self.queue.push_back(call);
        self.start_next()
    }

    fn start_next(&mut self) -> Option<(String, &T)> {
        if self.in_flight.is_some() {
            return None;
        }
        let call = self.queue.pop_front()?;
        self.next += 1;
        let id = format!("{}{}", self.prefix, self.next);
        self.in_flight = Some((id.clone(), call));
        self.in_flight.as_ref().map(|(_, c)| (id, c))
    }

    /// The charger answered `id` (or it timed out): returns the CALL it answers, if it is the
    /// one in flight. Call [`CallSlot::start_next_call`] afterwards to send what is queued.
    pub fn complete(&mut self, id: &str) -> Option<T> {
        match &self.in_flight {
            Some((current, _)) if current == id => self.in_flight.take().map(|(_, c)| c),
            _ => None,
        }
    }

    /// Sends the next queued CALL if the slot is free.
    pub fn start_next_call(&mut self) -> Option<(String, &T)> {
        self.start_next()
    }

    /// Empties the slot and the queue (the connection is closing).
    pub fn drain(&mut self) -> Vec<T> {
        let mut all: Vec<T> = self.in_flight.take().map(|(_, c)| c).into_iter().collect();
        all.extend(self.queue.drain(..));
        all
    }

    pub fn in_flight_id(&self) -> Option<&str> {
        self.in_flight.as_ref().map(|(id, _)| id.as_str())
    }

    pub fn queued(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocpp::v16::parse;
    use serde_json::json;

    fn call(action: &str, payload: serde_json::Value) -> ChargerCall {
        ChargerCall::decode(action, &payload).unwrap()
    }

    fn state(registration: Registration) -> ChargerState {
        ChargerState { registration }
    }

    #[test]
    fn admission_follows_registration() {
        let status = call(
            "StatusNotification",
            json!({"connectorId":1,"errorCode":"NoError","status":"Available"}),
        );
        let boot = call(
            "BootNotification",
            json!({"chargePointVendor":"v","chargePointModel":"m"}),
        );
        let stop = call(
            "StopTransaction",
            json!({"transactionId":1,"meterStop":5,"timestamp":"2024-01-01T00:00:00Z"}),
        );
        for (reg, status_ok) in [
            (Registration::Accepted, true),
            (Registration::Pending, true),
            (Registration::Rejected, false),
            (Registration::Unregistered, false),
        ] {
            let s = state(reg);
            assert_eq!(s.admit(&status).is_ok(), status_ok, "{reg:?}");
            assert!(s.admit(&boot).is_ok());
            assert!(
                s.admit(&stop).is_ok(),
                "transaction messages are never refused"
            );
            if !status_ok {
                assert_eq!(s.admit(&status).unwrap_err().code, ErrorCode::SecurityError);
            }
        }
    }

    #[test]
    fn outbound_calls_follow_registration() {
        assert!(state(Registration::Accepted)
            .may_send("RemoteStartTransaction")
            .is_ok());
        assert!(state(Registration::Pending)
            .may_send("GetConfiguration")
            .is_ok());
        assert!(state(Registration::Pending)
            .may_send("RemoteStartTransaction")
            .is_err());
        assert!(state(Registration::Pending)
            .may_send("RemoteStopTransaction")
            .is_err());
        assert!(state(Registration::Rejected)
            .may_send("GetConfiguration")
            .is_err());
        assert!(state(Registration::Unregistered).may_send("Reset").is_err());
    }

    #[test]
    fn outcomes_move_the_state() {
        let mut s = state(Registration::Unregistered);
        let boot = call(
            "BootNotification",
            json!({"chargePointVendor":"v","chargePointModel":"m"}),
        );
        let accepted = Outcome::Registered {
            status: RegistrationStatus::Accepted,
            heartbeat_interval_secs: None,
        };
        s.apply(&boot, &accepted);
        assert_eq!(s.registration, Registration::Accepted);
        let rejected = Outcome::Registered {
            status: RegistrationStatus::Rejected,
            heartbeat_interval_secs: Some(30),
        };
        s.apply(&boot, &rejected);
        assert_eq!(s.registration, Registration::Rejected);
        let start = call(
            "StartTransaction",
            json!({"connectorId":2,"idTag":"t","meterStart":0,"timestamp":"2024-01-01T00:00:00Z"}),
        );
        let info = parse(&json!({"status":"Accepted"})).unwrap();
        s.apply(
            &start,
            &Outcome::Started {
                transaction_id: 7,
                id_tag_info: info,
                resent: false,
            },
        );
        assert_eq!(s.registration, Registration::Rejected);
    }

    #[test]
    fn replies_leave_in_arrival_order() {
        let mut q = ReplyQueue::default();
        let a = q.reserve(1);
        let b = q.reserve(2);
        let c = q.reserve(3);
        assert!(q.fill(c, "c".into()).is_empty());
        assert!(q.fill(b, "b".into()).is_empty());
        assert_eq!(
            q.fill(a, "a".into()),
            vec![("a".into(), 1), ("b".into(), 2), ("c".into(), 3)],
            "each answer leaves with the hold of its own CALL"
        );
        assert_eq!(q.pending(), 0);
        let d = q.reserve(4);
        assert_eq!(q.fill(d, "d".into()), vec![("d".to_string(), 4)]);
        assert!(
            q.fill(99, "ghost".into()).is_empty(),
            "unknown tickets are ignored"
        );
    }

    #[test]
    fn one_call_in_flight_matched_by_id() {
        let mut slot = CallSlot::new("x-");
        let (first, _) = slot.push("reset").map(|(id, c)| (id, *c)).unwrap();
        assert!(slot.push("clear").is_none(), "second call waits");
        assert_eq!(slot.queued(), 1);
        assert!(slot.complete("wrong-id").is_none());
        assert_eq!(slot.complete(&first), Some("reset"));
        assert!(slot.complete(&first).is_none(), "answered once only");
        let (second, call) = slot.start_next_call().map(|(id, c)| (id, *c)).unwrap();
        assert_ne!(first, second);
        assert_eq!(call, "clear");
        assert_eq!(slot.in_flight_id(), Some(second.as_str()));
        assert_eq!(slot.drain(), vec!["clear"]);
        assert!(slot.in_flight_id().is_none());
    }

    #[test]
    fn meter_values_samples_are_capped() {
        let meter_values = |n: usize| {
            let samples: Vec<_> = (0..n).map(|i| json!({"value": i.to_string()})).collect();
            call(
                "MeterValues",
                json!({"connectorId": 1, "meterValue": [
                    {"timestamp": "2024-01-01T00:00:00Z", "sampledValue": samples[..n / 2]},
                    {"timestamp": "2024-01-01T00:01:00Z", "sampledValue": samples[n / 2..]}
                ]}),
            )
        };
        assert!(samples_within(&meter_values(10), 10).is_ok());
        let refused = samples_within(&meter_values(12), 10).unwrap_err();
        assert_eq!(refused.code, ErrorCode::OccurenceConstraintViolation);
        assert!(
            refused.description.contains("12"),
            "{}",
            refused.description
        );
        assert!(
            refused.description.contains("at most 10"),
            "{}",
            refused.description
        );
        let heartbeat = call("Heartbeat", json!({}));
        assert!(samples_within(&heartbeat, 0).is_ok());
    }

    #[test]
    fn token_bucket_allows_a_burst_then_a_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(3, 1.0, start);
        assert_eq!(bucket.take(start), Some(0));
        assert_eq!(bucket.take(start), Some(0));
        assert_eq!(bucket.take(start), Some(0));
        assert_eq!(bucket.take(start), None);
        assert_eq!(bucket.take(start), None);
        assert_eq!(bucket.refused(), 2);
        let later = start + std::time::Duration::from_millis(1500);
        assert_eq!(bucket.take(later), Some(2), "reports what it refused");
        assert_eq!(bucket.take(later), None, "half a token is not a token");
        let much_later = later + std::time::Duration::from_secs(3600);
        for _ in 0..3 {
            assert!(bucket.take(much_later).is_some());
        }
        assert_eq!(bucket.take(much_later), None, "never more than the burst");
    }
}
