//! The load harness (`loadtest run`): drives a csms server with many chargers over real
//! WebSockets and reports throughput, latency and a data check (every confirmed transaction
//! message must be found in the server's database).
//!
//! - [`burst`]: lean chargers sending MeterValues as fast as answers come;
//! - [`fleet`]: realistic chargers (the simulator) at fleet rates;
//! - [`storm`]: all connections drop at once and come back;
//! - [`processes`]: one run split over several processes, reports summed;
//! - [`report`], [`progress`], [`check`]: the final report, the live line, the data check;
//! - [`ghosts`]: crashes mid-session and the check that the server holds no transaction open
//!   that no charger holds.
//!
//! Every run is bounded (it stops by itself) and targets loopback addresses only.

pub mod burst;
pub mod check;
pub mod fleet;
pub mod ghosts;
pub mod processes;
pub mod progress;
pub mod report;
pub mod storm;

use crate::metrics::Metrics;
use crate::rest::{self, Credentials, Rest};
use crate::sim::crash::{CrashKinds, CrashPlan};
use clap::ValueEnum;
use report::{GhostReport, Report, Storm};
use std::collections::BTreeSet;
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
    /// Burst and fleet: mean seconds between crashes of one charger (0: never). A crash cuts
    /// the power mid-session: the socket dies without a close handshake, the charger
    /// reconnects and boots again. Attempts that find no session open are skipped.
    #[arg(long, default_value_t = 0.0)]
    pub crash_every: f64,
    /// What a crashed charger keeps: forget (open sessions and queued messages are lost,
    /// connectors come back Available), remember (it stops its sessions with reason PowerLoss
    /// after the boot and delivers what was queued), or mixed (either, at random).
    #[arg(long, value_enum, default_value = "mixed")]
    pub crash_kind: CrashKinds,
    /// Burst and fleet: at the end, every transaction the server holds open for this run's
    /// chargers must be held by a charger, and no tag may have been refused (each charger
    /// presents tags of its own, registered through the REST API). On by default with
    /// --crash-every; needs --api-key or --api-password.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub check_ghosts: Option<bool>,
    /// Most seconds the ghost check waits for the server to end ghosts itself; give it more
    /// than the server's ocpp.idle_transaction_grace_secs.
    #[arg(long, default_value_t = 30)]
    pub ghost_wait: u64,
    /// The server's REST API (default: http://<address of --url>/api/v1).
    #[arg(long)]
    pub api_url: Option<String>,
    /// An API key (operator) for the ghost check.
    #[arg(long, env = "CSMS_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// The user to log in as for the ghost check (operator or admin).
    #[arg(long, default_value = "admin")]
    pub api_user: String,
    /// That user's password.
    #[arg(long, env = "CSMS_ADMIN_PASSWORD", hide_env_values = true)]
    pub api_password: Option<String>,
    /// The server's database (a SQLite file, or a database URL): check, through the server's
    /// own store, that every confirmed message was stored.
    #[arg(long)]
    pub check_db: Option<PathBuf>,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Run as one of several processes (set by --processes).
    #[arg(long, hide = true)]
    pub child: bool,
}

impl RunArgs {
    /// The crashes asked for.
    pub fn crash_plan(&self) -> Option<CrashPlan> {
        CrashPlan::every(self.crash_every, self.crash_kind)
    }

    /// Whether the run ends with the ghost check.
    pub fn checks_ghosts(&self) -> bool {
        self.scenario != Scenario::Storm && self.check_ghosts.unwrap_or(self.crash_every > 0.0)
    }

    /// The REST API address.
    pub fn api(&self) -> Result<String, String> {
        match &self.api_url {
            Some(url) => Ok(url.clone()),
            None => rest::api_url_for(&self.url),
        }
    }

    /// A client of the server's REST API.
    pub fn rest(&self) -> Result<Rest, String> {
        let credentials = match (&self.api_key, &self.api_password) {
            (Some(key), _) => Credentials::Key(key.clone()),
            (None, Some(password)) => Credentials::Login {
                user: self.api_user.clone(),
                password: password.clone(),
            },
            (None, None) => {
                return Err("the ghost check reads the server's REST API: give --api-key or \
                     --api-password (or CSMS_API_KEY / CSMS_ADMIN_PASSWORD), or --check-ghosts false"
                    .into())
            }
        };
        Rest::connect(&self.api()?, &credentials)
    }
}

/// The ghost check of a run in this process: the API, the run's tag base, the longest wait.
#[derive(Debug, Clone)]
pub struct GhostCheck {
    pub rest: Rest,
    pub prefix: String,
    pub base: String,
    pub wait: Duration,
}

impl GhostCheck {
    /// Registers the run's tags (off the async threads).
    pub async fn register(&self, tags: Vec<String>) -> Result<(), String> {
        let rest = self.rest.clone();
        tokio::task::spawn_blocking(move || rest.import_tags(&tags))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot register the run's id tags: {e}"))
    }

    /// Runs [`ghosts::check`] against what the chargers hold (off the async threads).
    pub async fn run(&self, held: BTreeSet<i32>) -> Result<ghosts::Found, String> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || ghosts::check(&me.rest, &me.prefix, &held, me.wait))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("ghost check: {e}"))
    }
}

/// What a scenario reports besides the shared metrics.
#[derive(Debug, Default)]
pub struct Outcome {
    pub undelivered: u64,
    pub storm: Option<Storm>,
    pub ghosts: Option<ghosts::Found>,
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
    // The server's own count of transactions it ended is read before and after the run.
    let server = if args.checks_ghosts() && !args.child {
        match args.rest().and_then(|r| Ok((r.ended_by_server()?, r))) {
            Ok(pair) => Some(pair),
            Err(e) => {
                eprintln!("loadtest: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
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
    if let (Some((before, rest)), Some(ghosts)) = (&server, report.ghosts.as_mut()) {
        match rest.ended_by_server() {
            Ok(after) => ghosts.ended_by_server = rest::ended_between(before, &after),
            Err(e) => eprintln!("loadtest: cannot read the server's metrics: {e}"),
        }
    }
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
    let ghost_check = match args.checks_ghosts() {
        true => Some(GhostCheck {
            rest: args.rest()?,
            prefix: prefix.to_owned(),
            base: ghosts::tag_base(prefix),
            wait: Duration::from_secs(args.ghost_wait),
        }),
        false => None,
    };
    runtime.block_on(async {
        let metrics = Arc::new(Metrics::default());
        let progress = tokio::spawn(progress::run(metrics.clone(), args.child));
        let started = Instant::now();
        let ghosts = ghost_check.as_ref();
        let outcome = match args.scenario {
            Scenario::Burst => burst_all(args, prefix, metrics.clone(), ghosts).await,
            Scenario::Fleet => fleet::run(args, prefix, metrics.clone(), ghosts).await,
            Scenario::Storm => Ok(storm::run(args, prefix, metrics.clone()).await),
        };
        progress.abort();
        let outcome = outcome?;
        let mut report = Report::from_metrics(
            args.scenario.name(),
            args.chargers,
            &metrics,
            started.elapsed(),
        );
        report.undelivered = outcome.undelivered;
        report.storm = outcome.storm;
        report.ghosts = outcome.ghosts.map(|found| GhostReport {
            found,
            ended_by_server: Default::default(),
        });
        Ok(report)
    })
}

async fn burst_all(
    args: &RunArgs,
    prefix: &str,
    metrics: Arc<Metrics>,
    ghosts: Option<&GhostCheck>,
) -> Result<Outcome, String> {
    let tag = |n: usize| match ghosts {
        Some(g) => ghosts::burst_tag(&g.base, n),
        None => burst::TAG.to_owned(),
    };
    if let Some(g) = ghosts {
        g.register((0..args.chargers).map(tag).collect()).await?;
    }
    let settings = burst::Burst {
        url: args.url.clone(),
        duration: Duration::from_secs(args.duration),
        in_flight: args.in_flight,
        interval: Duration::from_millis(args.interval_ms),
        crashes: args.crash_plan(),
    };
    let mut tasks = Vec::with_capacity(args.chargers);
    for n in 0..args.chargers {
        if args.ramp > 0 && n > 0 && (n as u64).is_multiple_of(args.ramp) {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let source = (!args.source_ips.is_empty())
            .then(|| SocketAddr::new(args.source_ips[n % args.source_ips.len()], 0));
        let id = format!("{prefix}-{n}");
        let tag = tag(n);
        let settings = settings.clone();
        let metrics = metrics.clone();
        tasks.push(tokio::spawn(async move {
            burst::run(&settings, &id, &tag, source, &metrics).await
        }));
    }
    // Transactions whose StopTransaction was not confirmed: the server rightly holds them.
    let mut held = BTreeSet::new();
    for task in tasks {
        match task.await {
            Ok(Some(tx)) => {
                held.insert(tx);
            }
            Ok(None) => {}
            Err(e) => metrics.session_error(&format!("a charger task failed: {e}")),
        }
    }
    let ghosts = match ghosts {
        Some(g) => Some(g.run(held).await?),
        None => None,
    };
    Ok(Outcome {
        ghosts,
        ..Outcome::default()
    })
}
