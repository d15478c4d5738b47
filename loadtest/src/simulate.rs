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
    /// With --auto: only the first N chargers get simulated drivers; the others are left to
    /// the control API (default: all).
    #[arg(long)]
    pub drivers: Option<usize>,
    /// Id tags the simulated drivers present (the server must know them: `loadtest demo`
    /// registers DEMO-01 .. DEMO-20). They are shared out, each driven charger getting every
    /// Nth, so no tag is used on two chargers at once; give at least one per driven connector.
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
        with_drivers: args.drivers.unwrap_or(args.chargers).min(args.chargers),
        crashes: None,
    }
}

/// Runs the chargers and the control API until Ctrl-C.
pub async fn run(args: SimArgs) -> Result<(), String> {
    crate::net::check_loopback(&args.url)?;
    let fleet = Fleet::start(spec(&args), Arc::new(Metrics::default())).await;
    let (server, control) = api::serve(args.control, Chargers(Arc::new(fleet.chargers.clone())))?;
    let handle = server.handle();
    tokio::spawn(server);
    println!(
        "{} simulated chargers ({}-1 .. {}-{}) on {}\ncontrol API on http://{control} — try: loadtest simctl --control {control} list",
        args.chargers, args.prefix, args.prefix, args.chargers, args.url
    );
    if args.auto {
        let drivers = spec(&args).with_drivers;
        println!(
            "simulated drivers start sessions by themselves on {}, with tags {}",
            driven(&args.prefix, drivers, args.chargers),
            tag_list(&args.tags)
        );
    }
    println!("Ctrl-C stops (sessions are stopped and reported first).");
    shutdown_signal().await;
    println!("stopping: ending sessions...");
    handle.stop(true).await;
    let undelivered = shut_down(fleet).await;
    if !undelivered.is_empty() {
        println!("{}", undelivered_line(&undelivered));
    }
    Ok(())
}

/// The tags, or the first and last of many.
fn tag_list(tags: &[String]) -> String {
    match tags {
        [first, .., last] if tags.len() > 4 => format!("{first} .. {last}"),
        _ => tags.join(", "),
    }
}

/// Which chargers have drivers, in words.
fn driven(prefix: &str, drivers: usize, chargers: usize) -> String {
    match (drivers, chargers - drivers) {
        (0, _) => "no charger".into(),
        (_, 0) => "every charger".into(),
        (1, _) => format!("{prefix}-1 (the others are yours)"),
        (n, 1) => format!("{prefix}-1 .. {prefix}-{n} ({prefix}-{chargers} is yours)"),
        (n, _) => format!("{prefix}-1 .. {prefix}-{n} (the others are yours)"),
    }
}

/// Stops every charger (sessions ended, queues delivered within [`GRACE`]); returns the
/// chargers that kept transaction messages undelivered, with how many.
async fn shut_down(fleet: Fleet) -> Vec<(String, usize)> {
    let each = fleet.chargers.iter().map(|c| async move {
        let left = c.shutdown(GRACE).await;
        (c.id.clone(), left)
    });
    let undelivered = futures_util::future::join_all(each)
        .await
        .into_iter()
        .filter(|(_, left)| *left > 0)
        .collect();
    // Every charger has stopped already: this only waits for their tasks to end.
    fleet.shutdown(Duration::ZERO).await;
    undelivered
}

/// `CP-2 (6), CP-4 (4): 10 transaction messages could not be delivered ...`
fn undelivered_line(undelivered: &[(String, usize)]) -> String {
    let total: usize = undelivered.iter().map(|(_, n)| n).sum();
    let who: Vec<String> = undelivered
        .iter()
        .map(|(id, n)| format!("{id} ({n})"))
        .collect();
    format!(
        "{}: {total} transaction messages could not be delivered within {} s",
        who.join(", "),
        GRACE.as_secs()
    )
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

    #[test]
    fn undelivered_messages_name_their_chargers() {
        let line = undelivered_line(&[("CP-2".into(), 6), ("CP-4".into(), 4)]);
        assert!(
            line.starts_with("CP-2 (6), CP-4 (4): 10 transaction messages"),
            "{line}"
        );
    }

    #[test]
    fn drivers_are_named() {
        assert_eq!(driven("CP", 4, 5), "CP-1 .. CP-4 (CP-5 is yours)");
        assert_eq!(driven("CP", 5, 5), "every charger");
        assert_eq!(driven("CP", 0, 5), "no charger");
        let tags: Vec<String> = (1..=20).map(|n| format!("T{n}")).collect();
        assert_eq!(tag_list(&tags), "T1 .. T20");
        assert_eq!(tag_list(&tags[..2]), "T1, T2");
    }
}
