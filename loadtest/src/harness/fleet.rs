//! The fleet scenario: N realistic chargers (the simulator) with heartbeats at a fixed interval;
//! a share of them charges in back-to-back sessions of a set length, sending MeterValues at the
//! meter interval. At the end sessions are stopped and the queues delivered.

use super::{Outcome, RunArgs};
use crate::metrics::Metrics;
use crate::sim::driver::Plan;
use crate::sim::fleet::{Fleet, Spec};
use std::sync::Arc;
use std::time::Duration;

/// Longest wait for the final StopTransactions and queued messages.
const GRACE: Duration = Duration::from_secs(15);
/// Seconds a connector stays free between two sessions.
const PAUSE: std::ops::RangeInclusive<u64> = 2..=10;

/// The simulator set-up for a load run: free vend (no Authorize), no deauthorization of the
/// unknown load tag, the run's intervals.
pub fn spec(args: &RunArgs, prefix: &str) -> Spec {
    let drivers = (args.chargers as f64 * args.charging.clamp(0.0, 1.0)).round() as usize;
    Spec {
        url: args.url.clone(),
        prefix: prefix.to_owned(),
        count: args.chargers,
        source_ips: args.source_ips.clone(),
        ramp: args.ramp,
        verbose: false,
        log_events: false,
        heartbeat_override: Some(args.heartbeat_secs),
        config: vec![
            ("FreeVendEnabled".into(), "true".into()),
            ("FreeVendIdTag".into(), super::burst::TAG.into()),
            ("StopTransactionOnInvalidId".into(), "false".into()),
            (
                "MeterValueSampleInterval".into(),
                args.meter_secs.to_string(),
            ),
        ],
        plan: Some(Plan {
            idle_secs: PAUSE,
            session_secs: args.session_secs..=args.session_secs,
            tags: Vec::new(),
        }),
        with_drivers: drivers,
    }
}

pub async fn run(args: &RunArgs, prefix: &str, metrics: Arc<Metrics>) -> Outcome {
    let fleet = Fleet::start(spec(args, prefix), metrics).await;
    tokio::time::sleep(Duration::from_secs(args.duration)).await;
    let undelivered = fleet.shutdown(GRACE).await as u64;
    Outcome {
        undelivered,
        storm: None,
    }
}
