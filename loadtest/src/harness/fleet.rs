//! The fleet scenario: N realistic chargers (the simulator) with heartbeats at a fixed interval;
//! a share of them charges in back-to-back sessions of a set length, sending MeterValues at the
//! meter interval, and may crash mid-session (`--crash-every`). At the end sessions are
//! stopped and the queues delivered.
//!
//! Without the ghost check the chargers charge in free vend mode with one unknown tag (the
//! server refuses it and ends each transaction itself at once, which costs nothing to
//! measure). With it, each connector of a driven charger has a registered tag of its own; at
//! the end the drivers stop and the chargers stop crashing, and once every charger has
//! delivered what it had, the transactions they hold are compared with those the server
//! holds open (see [`super::ghosts`]), before the sessions are stopped.

use super::ghosts::{self, Found};
use super::{GhostCheck, Outcome, RunArgs};
use crate::metrics::Metrics;
use crate::sim::driver::Plan;
use crate::sim::fleet::{Fleet, Spec};
use crate::sim::models::Model;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

/// Longest wait for the final StopTransactions and queued messages.
const GRACE: Duration = Duration::from_secs(15);
/// Longest wait, before the ghost check, for every charger to be connected with nothing left
/// to send.
const SETTLE: Duration = Duration::from_secs(30);
/// Seconds a connector stays free between two sessions.
const PAUSE: std::ops::RangeInclusive<u64> = 2..=10;

/// The tags of the first `drivers` chargers, ordered so that [`Plan::share`] gives charger
/// `i` the tags of its own connectors.
fn tags(base: &str, drivers: usize) -> Vec<String> {
    let most = (0..drivers)
        .map(|i| Model::for_index(i).connectors)
        .max()
        .unwrap_or(0);
    (1..=most)
        .flat_map(|c| (0..drivers).map(move |i| ghosts::fleet_tag(base, i, c)))
        .collect()
}

/// The simulator set-up for a load run: the run's intervals and crashes; free vend with an
/// unknown tag (no Authorize), or with `tag_base` a registered tag per connector.
pub fn spec(args: &RunArgs, prefix: &str, tag_base: Option<&str>) -> Spec {
    let drivers = (args.chargers as f64 * args.charging.clamp(0.0, 1.0)).round() as usize;
    let mut config = vec![
        ("StopTransactionOnInvalidId".into(), "false".into()),
        (
            "MeterValueSampleInterval".into(),
            args.meter_secs.to_string(),
        ),
    ];
    if tag_base.is_none() {
        config.push(("FreeVendEnabled".into(), "true".into()));
        config.push(("FreeVendIdTag".into(), super::burst::TAG.into()));
    }
    Spec {
        url: args.url.clone(),
        prefix: prefix.to_owned(),
        count: args.chargers,
        source_ips: args.source_ips.clone(),
        ramp: args.ramp,
        verbose: false,
        log_events: false,
        heartbeat_override: Some(args.heartbeat_secs),
        config,
        plan: Some(Plan {
            idle_secs: PAUSE,
            session_secs: args.session_secs..=args.session_secs,
            tags: tag_base.map(|b| tags(b, drivers)).unwrap_or_default(),
        }),
        with_drivers: drivers,
        crashes: args.crash_plan(),
    }
}

pub async fn run(
    args: &RunArgs,
    prefix: &str,
    metrics: Arc<Metrics>,
    ghosts: Option<&GhostCheck>,
) -> Result<Outcome, String> {
    let spec = spec(args, prefix, ghosts.map(|g| g.base.as_str()));
    if let (Some(g), Some(plan)) = (ghosts, &spec.plan) {
        g.register(plan.tags.clone()).await?;
    }
    let fleet = Fleet::start(spec, metrics).await;
    tokio::time::sleep(Duration::from_secs(args.duration)).await;
    let found = match ghosts {
        Some(g) => Some(check(&fleet, g).await?),
        None => None,
    };
    let undelivered = fleet.shutdown(GRACE).await as u64;
    Ok(Outcome {
        undelivered,
        storm: None,
        ghosts: found,
    })
}

/// Freezes the fleet, waits until every charger has delivered what it had, and compares the
/// transactions the chargers hold with those the server holds open.
async fn check(fleet: &Fleet, g: &GhostCheck) -> Result<Found, String> {
    futures_util::future::join_all(fleet.chargers.iter().map(|c| c.freeze())).await;
    let settled = fleet.settled(SETTLE).await;
    if settled < fleet.chargers.len() {
        // A charger with messages in flight may hold a start the server has and it does not
        // know the id of yet: that would pass for a ghost.
        fleet.metrics.session_error(&format!(
            "ghost check: {} chargers still had messages to deliver",
            fleet.chargers.len() - settled
        ));
    }
    let mut held = BTreeSet::new();
    for c in &fleet.chargers {
        if let Some(view) = c.view().await {
            held.extend(view.connectors.iter().filter_map(|k| k.transaction_id));
        }
    }
    g.run(held).await
}
