//! `loadtest demo`: the CSMS and a few simulated chargers in one command. Starts the `csms`
//! binary built next to this program on 127.0.0.1:9180 with a fresh data directory, registers
//! the demo id tags, and runs 5 chargers whose simulated drivers charge every minute or so,
//! with the control API on 127.0.0.1:9190, until Ctrl-C.

use crate::harness::check::seed_id_tags;
use crate::server::{locate_csms, CsmsProcess};
use crate::simulate::{self, SimArgs};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// How many id tags the demo registers (`DEMO-01` ...): enough that drivers rarely pick a tag
/// already charging elsewhere (that one is refused with ConcurrentTx, as it should be).
const DEMO_TAGS: usize = 20;

pub fn demo_tags() -> Vec<String> {
    (1..=DEMO_TAGS).map(|n| format!("DEMO-{n:02}")).collect()
}

/// `loadtest demo`: csms with simulated chargers.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Where csms listens (chargers, REST API, dashboard).
    #[arg(long, default_value = "127.0.0.1:9180")]
    pub bind: String,
    /// csms data directory (default: a new temporary one, removed at the end).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Simulated chargers.
    #[arg(long, default_value_t = 5)]
    pub chargers: usize,
    /// Address of the simulator's control API.
    #[arg(long, default_value = "127.0.0.1:9190")]
    pub control: SocketAddr,
    /// The csms binary (default: the one next to this program).
    #[arg(long)]
    pub csms: Option<PathBuf>,
}

pub fn main(args: DemoArgs) -> ExitCode {
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: DemoArgs) -> Result<(), String> {
    let binary = match args.csms {
        Some(path) => path,
        None => locate_csms()?,
    };
    let temporary = args.data_dir.is_none();
    let data_dir = args
        .data_dir
        .unwrap_or_else(|| std::env::temp_dir().join(format!("csms-demo-{}", std::process::id())));
    // Heartbeats every minute so the demo shows life.
    let env = [("CSMS_OCPP__HEARTBEAT_INTERVAL_SECS", "60")];
    let mut server = CsmsProcess::start(&binary, &args.bind, &data_dir, &env)?;
    println!(
        "csms is running on http://{} (data in {}, log in {})",
        server.addr,
        data_dir.display(),
        server.log.display()
    );
    let tags = demo_tags();
    if let Err(e) = seed_id_tags(&server.db_path(), &tags) {
        eprintln!("demo: {e}; the drivers' tags will be refused");
    }
    let sim = SimArgs {
        url: server.ocpp_url(),
        chargers: args.chargers,
        prefix: "CP".into(),
        control: args.control,
        auto: true,
        tags,
        idle_secs: 20..=90,
        session_secs: 60..=240,
        meter_secs: 15,
        quiet: false,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let result = runtime.block_on(simulate::run(sim));
    println!("stopping csms...");
    server.stop();
    if temporary {
        let _ = std::fs::remove_dir_all(&data_dir);
    }
    result
}
