//! The bus of committed changes. The database writer publishes what each commit stored, only
//! once it is committed; whoever shows live state subscribes (the dashboard's live pages; later,
//! other nodes). A subscriber that falls behind loses the oldest events and is told how many
//! (tokio's `broadcast`), so a slow reader never holds memory.

use crate::ocpp::v16::boot_notification::RegistrationStatus;
use crate::ocpp::v16::common::{Measurand, MeterValue, Phase, SampledValue, UnitOfMeasure};
use crate::ocpp::v16::status_notification::{ChargePointErrorCode, ChargePointStatus};
use chrono::NaiveDateTime;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Events a subscriber may fall behind by before it loses the oldest.
pub const CAPACITY: usize = 4096;

/// What a commit changed.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A connection was registered for the charger (`replaced`: it replaced an open one).
    Online {
        charge_point_id: String,
        replaced: bool,
    },
    /// The charger's last connection is gone.
    Offline { charge_point_id: String },
    /// A BootNotification was answered with `status`.
    Booted {
        charge_point_id: String,
        status: RegistrationStatus,
    },
    ConnectorStatus {
        charge_point_id: String,
        connector_id: u32,
        status: ChargePointStatus,
        error_code: ChargePointErrorCode,
    },
    /// A StartTransaction was stored (`accepted`: its id tag was accepted).
    TransactionStarted {
        charge_point_id: String,
        connector_id: u32,
        transaction_id: i32,
        id_tag: String,
        accepted: bool,
    },
    TransactionStopped {
        charge_point_id: String,
        transaction_id: i32,
    },
    MeterValues {
        charge_point_id: String,
        connector_id: u32,
        transaction_id: Option<i32>,
        samples: usize,
        /// Active power imported at the newest sample that has it, in W.
        power_w: Option<f64>,
    },
    /// A firmware, diagnostics, log or security notification (`kind` is its action).
    Notification {
        charge_point_id: String,
        kind: &'static str,
        status: String,
    },
    /// The server ended transactions no charger holds any more.
    TransactionsEndedByServer { count: usize },
}

/// Active power imported at the newest meter value that reports it, in W: the phase-less
/// `Power.Active.Import` sample, or the sum of the L1, L2 and L3 samples.
pub fn power_w(meter_values: &[MeterValue]) -> Option<f64> {
    meter_values.iter().rev().find_map(|m| {
        let power = m
            .sampled_value
            .iter()
            .filter(|s| s.measurand == Some(Measurand::PowerActiveImport));
        let watts = |s: &SampledValue| {
            let v: f64 = s
                .value
                .0
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())?;
            Some(if s.unit == Some(UnitOfMeasure::KW) {
                v * 1000.0
            } else {
                v
            })
        };
        let total = power.clone().find(|s| s.phase.is_none()).and_then(watts);
        total.or_else(|| {
            let phases: Vec<f64> = power
                .filter(|s| matches!(s.phase, Some(Phase::L1 | Phase::L2 | Phase::L3)))
                .filter_map(watts)
                .collect();
            (!phases.is_empty()).then(|| phases.iter().sum())
        })
    })
}

/// A change and when it was committed.
#[derive(Debug, Clone, PartialEq)]
pub struct Committed {
    pub at: NaiveDateTime,
    pub change: Change,
}

/// The bus: cheap to clone, one per server.
#[derive(Debug, Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Committed>>,
    /// Changes published so far: a page read at one count and followed from another knows
    /// that something changed in between.
    published: Arc<std::sync::atomic::AtomicU64>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus::new(CAPACITY)
    }
}

impl EventBus {
    pub fn new(capacity: usize) -> Self {
        EventBus {
            sender: broadcast::channel(capacity).0,
            published: Arc::default(),
        }
    }

    /// Whether anyone listens: the writer builds changes only then.
    pub fn is_watched(&self) -> bool {
        self.sender.receiver_count() > 0
    }

    /// Publishes a committed change (dropped when nobody listens).
    pub fn publish(&self, change: Change, at: NaiveDateTime) {
        self.published
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        let _ = self.sender.send(Arc::new(Committed { at, change }));
    }

    /// How many changes were published so far.
    pub fn published(&self) -> u64 {
        self.published.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Every change committed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Committed>> {
        self.sender.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::broadcast::error::TryRecvError;

    fn offline(id: &str) -> Change {
        Change::Offline {
            charge_point_id: id.into(),
        }
    }

    fn sample(value: &str, unit: Option<UnitOfMeasure>, phase: Option<Phase>) -> SampledValue {
        let mut s = SampledValue::new(value);
        s.measurand = Some(Measurand::PowerActiveImport);
        s.unit = unit;
        s.phase = phase;
        s
    }

    fn at(sampled_value: Vec<SampledValue>) -> MeterValue {
        MeterValue {
            timestamp: crate::ocpp::types::Timestamp::now(),
            sampled_value,
        }
    }

    #[test]
    fn power_is_the_newest_total_or_the_sum_of_phases() {
        let kw = at(vec![sample("7.4", Some(UnitOfMeasure::KW), None)]);
        assert_eq!(power_w(std::slice::from_ref(&kw)), Some(7400.0));
        let phases = at(vec![
            sample("1000", Some(UnitOfMeasure::W), Some(Phase::L1)),
            sample("1100", None, Some(Phase::L2)),
            sample("900", None, Some(Phase::L3)),
            sample("230", None, Some(Phase::L1N)),
        ]);
        assert_eq!(power_w(&[kw.clone(), phases.clone()]), Some(3000.0));
        assert_eq!(power_w(&[phases, kw]), Some(7400.0));
        let energy_only = at(vec![SampledValue::new("1234")]);
        assert_eq!(power_w(&[energy_only]), None);
        assert_eq!(power_w(&[at(vec![sample("NaN", None, None)])]), None);
    }

    #[test]
    fn subscribers_get_what_is_published_after_they_subscribe() {
        let bus = EventBus::new(8);
        let at = chrono::Utc::now().naive_utc();
        bus.publish(offline("before"), at);
        let mut events = bus.subscribe();
        bus.publish(offline("after"), at);
        assert_eq!(events.try_recv().unwrap().change, offline("after"));
        assert_eq!(bus.published(), 2);
        assert!(matches!(events.try_recv(), Err(TryRecvError::Empty)));
    }

    #[test]
    fn a_subscriber_that_falls_behind_loses_the_oldest_and_is_told() {
        let bus = EventBus::new(4);
        let at = chrono::Utc::now().naive_utc();
        let mut events = bus.subscribe();
        for n in 0..10 {
            bus.publish(offline(&format!("CP-{n}")), at);
        }
        assert!(matches!(events.try_recv(), Err(TryRecvError::Lagged(6))));
        assert_eq!(events.try_recv().unwrap().change, offline("CP-6"));
    }
}
