//! The reconnect storm: every charger connects and boots; then all connections drop at once
//! and every charger reconnects (and, with `--storm-reboot`, boots again). Measured: the time
//! from the drop until the last charger is connected, accepted and answered again.

use super::report::Storm;
use super::{Outcome, RunArgs};
use crate::metrics::Metrics;
use crate::sim::crash::Crash;
use crate::sim::fleet::Fleet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;

const GRACE: Duration = Duration::from_secs(5);

pub async fn run(args: &RunArgs, prefix: &str, metrics: Arc<Metrics>) -> Outcome {
    let mut spec = super::fleet::spec(args, prefix, None);
    spec.plan = None;
    spec.crashes = None;
    let limit = Duration::from_secs(args.duration.max(1));
    let fleet = Fleet::start(spec, metrics).await;
    let ready = fleet.settled(limit).await as u64;
    if args.child {
        // Tell the parent, and drop when it says so: all processes drop together.
        eprintln!("@ready");
        let mut line = String::new();
        let mut stdin = tokio::io::BufReader::new(tokio::io::stdin());
        let _ = tokio::time::timeout(limit * 2, stdin.read_line(&mut line)).await;
    } else {
        eprintln!(
            "storm: {ready} of {} chargers ready; dropping every connection",
            args.chargers
        );
    }
    let dropped = Instant::now();
    let mut waits = Vec::with_capacity(fleet.chargers.len());
    for c in &fleet.chargers {
        if let Some(rx) = c
            .drop_link(args.storm_reboot.then_some(Crash::Remember))
            .await
        {
            waits.push(rx);
        }
    }
    let deadline = tokio::time::Instant::now() + limit;
    let back = futures_util::future::join_all(waits.into_iter().map(|rx| async move {
        tokio::time::timeout_at(deadline, rx)
            .await
            .is_ok_and(|r| r.is_ok())
    }))
    .await;
    let settle_secs = dropped.elapsed().as_secs_f64();
    let settled = back.into_iter().filter(|ok| *ok).count() as u64;
    let undelivered = fleet.shutdown(GRACE).await as u64;
    Outcome {
        undelivered,
        storm: Some(Storm {
            ready,
            settled,
            settle_secs,
        }),
        ghosts: None,
    }
}
