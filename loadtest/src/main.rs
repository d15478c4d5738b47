//! `loadtest`: drives a csms server with many simulated chargers over real WebSockets and
//! reports throughput, latency and a data check (every confirmed transaction message must be
//! found in the server's database).
//!
//! Every run is bounded: it stops by itself after `--duration` seconds. Targets are loopback
//! addresses only.

mod report;
mod session;

use clap::Parser;
use report::{Counters, Report};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Load harness for csms: N chargers boot, start a transaction, then send MeterValues as fast as
/// answers come (burst) or at a fixed interval, and finally stop their transactions.
#[derive(Debug, Parser, Clone)]
#[command(name = "loadtest", version)]
pub struct Args {
    /// The server's OCPP endpoint (chargers connect to <url>/<id>). Loopback only.
    #[arg(long, default_value = "ws://127.0.0.1:9180/ocpp")]
    pub url: String,
    /// Simulated chargers.
    #[arg(long, default_value_t = 100)]
    pub chargers: usize,
    /// Seconds of load once a charger has started its transaction.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// New connections per second (0: all at once).
    #[arg(long, default_value_t = 0)]
    pub ramp: u64,
    /// CALLs each charger keeps in flight (real chargers: 1; some simulators: up to 4).
    #[arg(long, default_value_t = 1)]
    pub in_flight: usize,
    /// Milliseconds between a charger's MeterValues (0: burst, as fast as answers come).
    #[arg(long, default_value_t = 0)]
    pub interval_ms: u64,
    /// Prefix of the charger ids (default: unique per run).
    #[arg(long)]
    pub id_prefix: Option<String>,
    /// Local source addresses to spread connections over, e.g. 127.0.0.2,127.0.0.3.
    #[arg(long, value_delimiter = ',')]
    pub source_ips: Vec<IpAddr>,
    /// The server's SQLite database: check that every confirmed message was stored.
    #[arg(long)]
    pub check_db: Option<PathBuf>,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

fn main() -> std::process::ExitCode {
    let mut args = Args::parse();
    let prefix = args.id_prefix.clone().unwrap_or_else(|| {
        format!(
            "lt{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp() % 100_000
        )
    });
    args.id_prefix = Some(prefix.clone());
    if let Err(e) = check_loopback(&args.url) {
        eprintln!("loadtest: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("loadtest: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let report = runtime.block_on(run(args.clone(), prefix.clone()));
    let mut report = report;
    if let Some(db) = &args.check_db {
        report.check(db, &prefix);
    }
    println!("{}", report.text());
    if let Some(path) = &args.json {
        if let Err(e) = std::fs::write(path, report.json()) {
            eprintln!("loadtest: cannot write {}: {e}", path.display());
        }
    }
    if report.lost() > 0 || report.failed_connections > 0 {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}

fn check_loopback(url: &str) -> Result<(), String> {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', ':']).next())
        .ok_or_else(|| format!("cannot read a host from {url:?}"))?;
    let loopback = host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(())
    } else {
        Err(format!(
            "{host} is not a loopback address; loadtest only targets this machine"
        ))
    }
}

async fn run(args: Args, prefix: String) -> Report {
    let counters = Arc::new(Counters::default());
    let started = Instant::now();
    let progress = tokio::spawn(report::progress(counters.clone()));
    let mut tasks = Vec::with_capacity(args.chargers);
    let source_ips = args.source_ips.clone();
    for n in 0..args.chargers {
        if args.ramp > 0 && n > 0 && (n as u64).is_multiple_of(args.ramp) {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let source = source_ips
            .get(n % source_ips.len().max(1))
            .map(|ip| SocketAddr::new(*ip, 0));
        let id = format!("{prefix}-{n}");
        let args = args.clone();
        let counters = counters.clone();
        tasks.push(tokio::spawn(async move {
            session::run(&args, &id, source, &counters).await
        }));
    }
    let mut report = Report::new(args.chargers);
    for task in tasks {
        match task.await {
            Ok(stats) => report.add(stats),
            Err(e) => eprintln!("loadtest: a charger task failed: {e}"),
        }
    }
    progress.abort();
    report.elapsed = started.elapsed();
    report
}
