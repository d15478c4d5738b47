//! `loadtest sim`: a few realistic simulated chargers against a csms server, controlled over
//! a small HTTP API (and `loadtest simctl`), until Ctrl-C.

use crate::control::api::{self, Chargers};
use crate::metrics::Metrics;
use crate::sim::driver::Plan;
use crate::sim::fleet::{Fleet, Spec};
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

/// Time the chargers get to send their final messages at Ctrl-C.
const GRACE: Duration = Duration::from_secs(5);

/// `loadtest sim`: simulated chargers with a control API.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// The server's OCPP endpoint (chargers connect to <url>/<id>). Loopback only.
    #[arg(long, default_value = "ws://127.0.0.1:9180/ocpp")]
    pub url: String,
    /// How many chargers (models cycle through the 12 demo models).
    #[arg(long, default_value_t = 5)]
    pub chargers: usize,
    /// Charger ids are <prefix>-1, <prefix>-2, ...
    #[arg(long, default_value = "CP")]
    pub prefix: String,
    /// Address of the control API (loopback).
    #[arg(long, default_value = "127.0.0.1:9190")]
    pub control: SocketAddr,
    /// Let simulated drivers come, charge and leave by themselves.
    #[arg(long)]
    pub auto: bool,
    /// Id tags the simulated drivers present (the server must know them: `loadtest demo`
    /// registers DEMO-01 .. DEMO-20).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "DEMO-01,DEMO-02,DEMO-03,DEMO-04,DEMO-05,DEMO-06,DEMO-07,DEMO-08"
    )]
    pub tags: Vec<String>,
    /// Seconds a connector stays free between sessions, as MIN-MAX.
    #[arg(long, value_parser = parse_range, default_value = "20-90")]
    pub idle_secs: RangeInclusive<u64>,
    /// Seconds a session lasts, as MIN-MAX.
    #[arg(long, value_parser = parse_range, default_value = "60-240")]
    pub session_secs: RangeInclusive<u64>,
    /// MeterValueSampleInterval of every charger, in seconds.
    #[arg(long, default_value_t = 15)]
    pub meter_secs: u32,
    /// Do not print the chargers' events.
    #[arg(long)]
    pub quiet: bool,
}

fn parse_range(s: &str) -> Result<RangeInclusive<u64>, String> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let a: u64 = a
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not MIN-MAX seconds"))?;
    let b: u64 = b
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not MIN-MAX seconds"))?;
    Ok(a.min(b)..=a.max(b))
}

/// The simulator set-up for `args`.
pub fn spec(args: &SimArgs) -> Spec {
    Spec {
        url: args.url.clone(),
        prefix: args.prefix.clone(),
        count: args.chargers,
        source_ips: Vec::new(),
        ramp: 0,
        verbose: !args.quiet,
        log_events: true,
        heartbeat_override: None,
        config: vec![(
            "MeterValueSampleInterval".into(),
            args.meter_secs.to_string(),
        )],
        plan: args.auto.then(|| Plan {
            idle_secs: args.idle_secs.clone(),
            session_secs: args.session_secs.clone(),
            tags: args.tags.clone(),
        }),
        with_drivers: args.chargers,
    }
}

/// Runs the chargers and the control API until Ctrl-C.
pub async fn run(args: SimArgs) -> Result<(), String> {
    crate::net::check_loopback(&args.url)?;
    let fleet = Fleet::start(spec(&args), Arc::new(Metrics::default())).await;
    let server = api::serve(args.control, Chargers(Arc::new(fleet.chargers.clone())))?;
    let handle = server.handle();
    tokio::spawn(server);
    println!(
        "{} simulated chargers ({}-1 .. {}-{}) on {}\ncontrol API on http://{} — try: loadtest simctl --control {} list",
        args.chargers, args.prefix, args.prefix, args.chargers, args.url, args.control, args.control
    );
    if args.auto {
        println!(
            "simulated drivers start sessions by themselves, with tags {}",
            args.tags.join(", ")
        );
    }
    println!("Ctrl-C stops (sessions are stopped and reported first).");
    shutdown_signal().await;
    println!("stopping: ending sessions...");
    handle.stop(true).await;
    let left = fleet.shutdown(GRACE).await;
    if left > 0 {
        println!("{left} transaction messages could not be delivered");
    }
    Ok(())
}

/// Ctrl-C, or SIGTERM (a service manager, `timeout`): either stops the simulation cleanly.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {},
                _ = term.recv() => {},
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_min_max() {
        assert_eq!(parse_range("20-90"), Ok(20..=90));
        assert_eq!(parse_range("90-20"), Ok(20..=90));
        assert_eq!(parse_range("5"), Ok(5..=5));
        assert!(parse_range("soon").is_err());
    }
}
