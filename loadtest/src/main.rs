//! `loadtest`: simulated OCPP 1.6 charge points for csms — a load harness, a controllable
//! simulator and a demo. See `loadtest --help`.

use clap::{Parser, Subcommand};
use loadtest::control::simctl::{self, SimctlArgs};
use loadtest::dashboard::{self, DashboardArgs};
use loadtest::demo::{self, DemoArgs};
use loadtest::harness::{self, RunArgs};
use loadtest::history::{self, HistoryArgs};
use loadtest::simulate::{self, SimArgs};
use std::process::ExitCode;

/// Simulated OCPP 1.6-J charge points for csms.
///
/// run:    load harness: many chargers (burst, fleet or storm scenario), a live progress line,
///         a report (text and JSON) with latency percentiles and a data check (--check-db);
///         chargers may crash mid-session (--crash-every), and a ghost check then makes sure
///         the server holds no transaction that no charger holds.
/// sim:    a few realistic chargers (12 models, AC and DC) that answer every central-system
///         operation, with an HTTP control API to plug, start, stop, fault, go offline.
/// simctl: the command-line client of that control API.
/// demo:   csms plus 5 simulated chargers, 4 charging on their own, in one command; it
///         prints the REST API login and the control API address.
/// history: writes a synthetic history (chargers, completed transactions) into a csms
///         database, for benchmarks of the history queries and the dashboard.
/// dashboard: times the dashboard's pages and its CSV export, or holds live pages open.
///
/// Only loopback targets are allowed, and every load run stops by itself.
#[derive(Debug, Parser)]
#[command(name = "loadtest", version, long_about, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load harness: N chargers against a csms server, then a report.
    Run(RunArgs),
    /// Realistic simulated chargers with an HTTP control API, until Ctrl-C.
    Sim(SimArgs),
    /// Control a running simulator: list, plug, start, stop, fault, offline...
    Simctl(SimctlArgs),
    /// Start csms (from this build) and 5 simulated chargers; drivers charge on all but the last.
    Demo(DemoArgs),
    /// Write N completed transactions into a csms database (benchmarks of history queries).
    History(HistoryArgs),
    /// Benchmarks of the web dashboard: page times, CSV export, live streams.
    Dashboard(DashboardArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run(args) => harness::main(args),
        Command::Sim(args) => {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("loadtest: cannot start the runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(simulate::run(args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("loadtest sim: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Simctl(args) => simctl::main(args),
        Command::Demo(args) => demo::main(args),
        Command::History(args) => history::main(args),
        Command::Dashboard(args) => dashboard::main(args),
    }
}
