//! Connector events and what they cause: status notifications, transactions opened and closed,
//! the meters running and their periodic MeterValues.

use super::{Charger, Job, Session};
use crate::sim::connector::{Effect, Event};
use crate::sim::meter::Ev;
use crate::sim::outbox::Purpose;
use chrono::Utc;
use csms::ocpp::types::{IdToken, Timestamp};
use csms::ocpp::v16::common::{Measurand, ReadingContext};
use csms::ocpp::v16::meter_values::MeterValuesRequest;
use csms::ocpp::v16::start_transaction::StartTransactionRequest;
use csms::ocpp::v16::status_notification::{
    ChargePointErrorCode, ChargePointStatus, StatusNotificationRequest,
};
use csms::ocpp::v16::stop_transaction::{Reason, StopTransactionRequest};
use csms::ocpp::v16::ChargerCall;
use rand::Rng;
use std::time::{Duration, Instant};

impl Charger {
    /// Feeds one event to connector `n` and performs the effects.
    pub(super) fn connector_event(&mut self, n: u32, event: Event, now: Instant) {
        let Some(i) = self.connector_index(n) else {
            return;
        };
        if event == Event::Plug && !self.connectors[i].plugged {
            self.meters[i].ev = Some(self.new_ev());
        }
        let (state, effects) = self.connectors[i].clone().step(event.clone());
        self.connectors[i] = state;
        if event == Event::Unplug {
            self.meters[i].ev = None;
            self.meters[i].power_w = 0.0;
        }
        if matches!(event, Event::Authorized(_)) && !self.connectors[i].plugged {
            let wait = Duration::from_secs(u64::from(self.config.int("ConnectionTimeOut")));
            self.schedule(now + wait, Job::ConnectionTimeout(n));
        }
        for effect in effects {
            match effect {
                Effect::Status(status, code) => {
                    self.note(format!("connector {n}: {}", status.as_str()));
                    self.push_status(n, status, code);
                }
                Effect::StartTransaction {
                    id_tag,
                    reservation_id,
                } => self.start_session(n, id_tag, reservation_id, now),
                Effect::StopTransaction(reason) => self.stop_session(n, reason),
            }
        }
    }

    /// A car with a random battery and on-board charger.
    fn new_ev(&mut self) -> Ev {
        let model_w = self.model.max_kw * 1000.0;
        let (capacity, soc, max_w): (f64, f64, f64) = if self.model.is_dc() {
            (
                self.rng.random_range(50_000.0..100_000.0),
                self.rng.random_range(10.0..60.0),
                self.rng.random_range(50_000.0..250_000.0),
            )
        } else {
            let onboard = [7_400.0, 11_000.0, 22_000.0][self.rng.random_range(0..3)];
            (
                self.rng.random_range(40_000.0..80_000.0),
                self.rng.random_range(20.0..70.0),
                onboard,
            )
        };
        Ev::new(capacity, soc, max_w.min(model_w))
    }

    /// Sends a StatusNotification while connected and accepted (after a reconnect or a boot
    /// every connector's status is sent anyway).
    pub(super) fn push_status(
        &mut self,
        n: u32,
        status: ChargePointStatus,
        code: ChargePointErrorCode,
    ) {
        if !self.online || !self.is_accepted() {
            return;
        }
        self.outbox.push(
            ChargerCall::StatusNotification(StatusNotificationRequest {
                connector_id: n,
                error_code: code,
                info: None,
                status,
                timestamp: Some(Timestamp::now()),
                vendor_id: None,
                vendor_error_code: None,
            }),
            Purpose::Plain,
        );
    }

    /// The status of the charge point itself (connector 0) and of every connector.
    pub(super) fn push_all_statuses(&mut self) {
        let all_down = self
            .connectors
            .iter()
            .all(|c| c.status == ChargePointStatus::Unavailable);
        let main = if all_down {
            ChargePointStatus::Unavailable
        } else {
            ChargePointStatus::Available
        };
        self.push_status(0, main, ChargePointErrorCode::NoError);
        for n in 1..=self.connectors.len() as u32 {
            let c = &self.connectors[n as usize - 1];
            let (status, code) = (c.status, c.error_code());
            self.push_status(n, status, code);
        }
    }

    fn start_session(
        &mut self,
        n: u32,
        id_tag: IdToken,
        reservation_id: Option<i32>,
        now: Instant,
    ) {
        let i = n as usize - 1;
        let local_tx = self.next_local_tx;
        self.next_local_tx -= 1;
        let at = Timestamp::now();
        let stop_data = self.config.measurands("StopTxnSampledData");
        let begin =
            self.meters[i].sample(self.model, &stop_data, ReadingContext::TransactionBegin, at);
        let interval = u64::from(self.config.int("MeterValueSampleInterval"));
        let meter_start = self.meters[i].wh();
        self.sessions[i] = Some(Session {
            local_tx,
            id_tag: id_tag.clone(),
            started: at.0,
            meter_start,
            begin,
            next_sample: (interval > 0).then(|| now + Duration::from_secs(interval)),
        });
        self.note(format!("connector {n}: transaction started for {id_tag}"));
        self.outbox.push(
            ChargerCall::StartTransaction(StartTransactionRequest {
                connector_id: n,
                id_tag,
                meter_start,
                reservation_id,
                timestamp: at,
            }),
            Purpose::Start {
                connector: n,
                local_tx,
            },
        );
        self.update_power(i);
    }

    fn stop_session(&mut self, n: u32, reason: Reason) {
        let i = n as usize - 1;
        let Some(session) = self.sessions[i].take() else {
            return;
        };
        let at = Timestamp::now();
        let stop_data = self.config.measurands("StopTxnSampledData");
        let transaction_data = (!stop_data.is_empty()).then(|| {
            let end =
                self.meters[i].sample(self.model, &stop_data, ReadingContext::TransactionEnd, at);
            vec![session.begin.clone(), end]
        });
        let meter_stop = self.meters[i].wh();
        let id_tag = matches!(reason, Reason::Local | Reason::EVDisconnected)
            .then(|| session.id_tag.clone());
        self.note(format!(
            "connector {n}: transaction stopped ({}), {} Wh",
            reason.as_str(),
            meter_stop - session.meter_start
        ));
        self.outbox.push(
            ChargerCall::StopTransaction(StopTransactionRequest {
                id_tag,
                meter_stop,
                timestamp: at,
                transaction_id: session.local_tx,
                reason: Some(reason),
                transaction_data,
            }),
            Purpose::Plain,
        );
        self.profiles.end_transaction(n);
        self.meters[i].power_w = 0.0;
    }

    /// Stops every running transaction (reset, shutdown).
    pub fn stop_all(&mut self, reason: Reason, now: Instant) {
        for n in 1..=self.connectors.len() as u32 {
            if self.connectors[n as usize - 1].in_transaction {
                self.connector_event(n, Event::Stop(reason), now);
            }
        }
    }

    /// Runs the meters for `elapsed`, follows the car and the limits, sends due MeterValues.
    pub(super) fn advance_meters(&mut self, elapsed: Duration, now: Instant) {
        for i in 0..self.connectors.len() {
            if self.sessions[i].is_none() {
                continue;
            }
            self.meters[i].advance(elapsed.as_secs_f64());
            self.update_power(i);
            let n = i as u32 + 1;
            let full = self.meters[i].ev.as_ref().is_some_and(Ev::is_full);
            if full != self.connectors[i].ev_full {
                self.connector_event(n, Event::EvFull(full), now);
            }
            self.sample_if_due(i, now);
        }
    }

    /// Sets the power from the car, the model and the smart charging limit; a limit of 0
    /// suspends charging (SuspendedEVSE).
    fn update_power(&mut self, i: usize) {
        let n = i as u32 + 1;
        let tx_start = self.sessions[i].as_ref().map(|s| s.started);
        let limit = self.profiles.limit_w(n, self.model, Utc::now(), tx_start);
        let suspended = limit.is_some_and(|w| w < 1.0);
        if suspended != self.connectors[i].evse_suspended && self.connectors[i].in_transaction {
            self.connector_event(n, Event::EvseSuspended(suspended), self.last_tick);
        }
        let offered = if self.connectors[i].in_transaction && !suspended {
            limit.unwrap_or(f64::MAX).min(self.model.max_kw * 1000.0)
        } else {
            0.0
        };
        self.meters[i].set_power(offered);
    }

    fn sample_if_due(&mut self, i: usize, now: Instant) {
        let interval = u64::from(self.config.int("MeterValueSampleInterval"));
        let Some(session) = &mut self.sessions[i] else {
            return;
        };
        if session.next_sample.is_none_or(|t| now < t) {
            return;
        }
        session.next_sample = (interval > 0).then(|| now + Duration::from_secs(interval));
        let tx = session.local_tx;
        self.push_meter_values(i as u32 + 1, Some(tx), ReadingContext::SamplePeriodic);
    }

    /// MeterValueSampleInterval changed: the next samples follow the new interval.
    pub(super) fn reschedule_samples(&mut self, now: Instant) {
        let interval = u64::from(self.config.int("MeterValueSampleInterval"));
        for s in self.sessions.iter_mut().flatten() {
            s.next_sample = (interval > 0).then(|| now + Duration::from_secs(interval));
        }
    }

    /// Queues MeterValues for connector `n` (durable when part of a transaction).
    pub(super) fn push_meter_values(&mut self, n: u32, tx: Option<i32>, context: ReadingContext) {
        let Some(i) = self.connector_index(n) else {
            return;
        };
        let measurands: Vec<Measurand> = self.config.measurands("MeterValuesSampledData");
        let sample = self.meters[i].sample(self.model, &measurands, context, Timestamp::now());
        self.outbox.push(
            ChargerCall::MeterValues(MeterValuesRequest {
                connector_id: n,
                transaction_id: tx,
                meter_value: vec![sample],
            }),
            Purpose::Plain,
        );
    }
}
