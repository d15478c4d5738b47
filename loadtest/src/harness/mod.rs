//! The load harness (`loadtest run`): drives a csms server with many chargers over real
//! WebSockets and reports throughput, latency and a data check (every confirmed transaction
//! message must be found in the server's database).
//!
//! - [`burst`]: lean chargers sending MeterValues as fast as answers come;
//! - [`fleet`]: realistic chargers (the simulator) at fleet rates;
//! - [`storm`]: all connections drop at once and come back;
//! - [`processes`]: one run split over several processes, reports summed;
//! - [`report`], [`progress`], [`check`]: the final report, the live line, the data check.
//!
//! Every run is bounded (it stops by itself) and targets loopback addresses only.

pub mod burst;
pub mod check;
pub mod fleet;
pub mod processes;
pub mod progress;
pub mod report;
pub mod storm;

use crate::metrics::Metrics;
use clap::ValueEnum;
use report::{Report, Storm};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the chargers do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// Boot, start a transaction, MeterValues as fast as answers come (or every
    /// --interval-ms), stop.
    Burst,
    /// Realistic chargers: heartbeat every --heartbeat-secs; a --charging share runs sessions of
    /// --session-secs with MeterValues every --meter-secs.
    Fleet,
    /// All connect and boot, then every connection drops at once; measures the time until all
    /// are back and answered (--storm-reboot: they boot again).
    Storm,
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Burst => "burst",
            Scenario::Fleet => "fleet",
            Scenario::Storm => "storm",
        }
    }
}

/// `loadtest run`: N chargers against a csms server, a report at the end.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// What the chargers do.
    #[arg(long, value_enum, default_value = "burst")]
    pub scenario: Scenario,
    /// The server's OCPP endpoint (chargers connect to <url>/<id>). Loopback only.
    #[arg(long, default_value = "ws://127.0.0.1:9180/ocpp")]
    pub url: String,
    /// Simulated chargers.
    #[arg(long, default_value_t = 100)]
    pub chargers: usize,
    /// Seconds of load (burst: once a charger's transaction started; fleet: the whole run;
    /// storm: the most each phase may take).
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// New connections per second (0: all at once).
    #[arg(long, default_value_t = 0)]
    pub ramp: u64,
    /// Burst: CALLs each charger keeps in flight (real chargers: 1; some simulators: up to 4).
    #[arg(long, default_value_t = 1)]
    pub in_flight: usize,
    /// Burst: milliseconds between a charger's MeterValues (0: as fast as answers come).
    #[arg(long, default_value_t = 0)]
    pub interval_ms: u64,
    /// Fleet and storm: seconds between heartbeats.
    #[arg(long, default_value_t = 60)]
    pub heartbeat_secs: u32,
    /// Fleet: seconds between MeterValues while charging.
    #[arg(long, default_value_t = 30)]
    pub meter_secs: u32,
    /// Fleet: share of the chargers that charge (0.0 to 1.0).
    #[arg(long, default_value_t = 0.5)]
    pub charging: f64,
    /// Fleet: seconds a session lasts (sessions follow each other with short pauses).
    #[arg(long, default_value_t = 300)]
    pub session_secs: u64,
    /// Storm: the chargers boot again after reconnecting (a power cut, not a network blip).
    #[arg(long)]
    pub storm_reboot: bool,
    /// Split the chargers over this many processes (each may hold at most 20,000 open
    /// files); each gets its own id prefix and loopback source address, reports are summed.
    #[arg(long, default_value_t = 1)]
    pub processes: usize,
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
    /// Run as one of several processes (set by --processes).
    #[arg(long, hide = true)]
    pub child: bool,
}

/// What a scenario reports besides the shared metrics.
#[derive(Debug, Default)]
pub struct Outcome {
    pub undelivered: u64,
    pub storm: Option<Storm>,
}

/// Runs `loadtest run`; the exit code says whether the run was clean.
pub fn main(mut args: RunArgs) -> ExitCode {
    let prefix = args.id_prefix.clone().unwrap_or_else(|| {
        format!(
            "lt{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp() % 100_000
        )
    });
    args.id_prefix = Some(prefix.clone());
    if let Err(e) = crate::net::check_loopback(&args.url) {
        eprintln!("loadtest: {e}");
        return ExitCode::FAILURE;
    }
    let report = if args.processes > 1 && !args.child {
        processes::run(&args, &prefix)
    } else {
        run_here(&args, &prefix)
    };
    let mut report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("loadtest: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(db) = args.check_db.as_ref().filter(|_| !args.child) {
        match check::count(db, &prefix) {
            Ok(found) => report.check = Some(found),
            Err(e) => eprintln!("loadtest: data check skipped: {e}"),
        }
    }
    if !args.child {
        println!("{}", report.text());
    }
    if let Some(path) = &args.json {
        if let Err(e) = std::fs::write(path, report.json().to_string()) {
            eprintln!("loadtest: cannot write {}: {e}", path.display());
        }
    }
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs the scenario in this process.
fn run_here(args: &RunArgs, prefix: &str) -> Result<Report, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    Ok(runtime.block_on(async {
        let metrics = Arc::new(Metrics::default());
        let progress = tokio::spawn(progress::run(metrics.clone(), args.child));
        let started = Instant::now();
        let outcome = match args.scenario {
            Scenario::Burst => burst_all(args, prefix, metrics.clone()).await,
            Scenario::Fleet => fleet::run(args, prefix, metrics.clone()).await,
            Scenario::Storm => storm::run(args, prefix, metrics.clone()).await,
        };
        progress.abort();
        let mut report = Report::from_metrics(
            args.scenario.name(),
            args.chargers,
            &metrics,
            started.elapsed(),
        );
        report.undelivered = outcome.undelivered;
        report.storm = outcome.storm;
        report
    }))
}

async fn burst_all(args: &RunArgs, prefix: &str, metrics: Arc<Metrics>) -> Outcome {
    let settings = burst::Burst {
        url: args.url.clone(),
        duration: Duration::from_secs(args.duration),
        in_flight: args.in_flight,
        interval: Duration::from_millis(args.interval_ms),
    };
    let mut tasks = Vec::with_capacity(args.chargers);
    for n in 0..args.chargers {
        if args.ramp > 0 && n > 0 && (n as u64).is_multiple_of(args.ramp) {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let source = (!args.source_ips.is_empty())
            .then(|| SocketAddr::new(args.source_ips[n % args.source_ips.len()], 0));
        let id = format!("{prefix}-{n}");
        let settings = settings.clone();
        let metrics = metrics.clone();
        tasks.push(tokio::spawn(async move {
            burst::run(&settings, &id, source, &metrics).await
        }));
    }
    for task in tasks {
        if let Err(e) = task.await {
            metrics.session_error(&format!("a charger task failed: {e}"));
        }
    }
    Outcome::default()
}
