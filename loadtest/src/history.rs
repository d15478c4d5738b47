//! `loadtest history`: writes a synthetic history of completed transactions into a csms
//! database (through csms's store), for benchmarks of the history queries (filtered pages,
//! CSV export) on a realistic size.

use crate::harness::check;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The database: a URL (`sqlite://…`, `postgres://…`) or a SQLite file. Its schema must be
    /// current (start csms on it once).
    #[arg(long, value_name = "URL|FILE")]
    pub db: PathBuf,
    /// Completed transactions to write (one a minute from 2024-01-01, on 1,000 chargers).
    #[arg(long, default_value_t = 1_000_000)]
    pub transactions: i64,
    /// Chargers to write as well (offline, two connectors each, ids `<prefix>-0` ..): the
    /// fleet of the dashboard's benchmarks.
    #[arg(long, default_value_t = 0)]
    pub chargers: i64,
    /// Charger ids are `<prefix>-<k>`, id tags `<prefix>-TAG-<k>`.
    #[arg(long, default_value = "HIST")]
    pub prefix: String,
}

pub fn main(args: HistoryArgs) -> ExitCode {
    let started = Instant::now();
    let written = check::store(&args.db).and_then(|pool| {
        let mut conn = pool.get().map_err(|e| format!("history: {e}"))?;
        let chargers = match args.chargers {
            0 => 0,
            n => csms::db::history::seed_chargers(&mut conn, &args.prefix, n)
                .map_err(|e| format!("history: chargers: {e}"))?,
        };
        csms::db::history::seed(&mut conn, &args.prefix, args.transactions)
            .map(|n| (chargers, n))
            .map_err(|e| format!("history: {e}"))
    });
    match written {
        Ok((chargers, n)) => {
            println!(
                "history: {chargers} chargers and {n} transactions written in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("loadtest {e}");
            ExitCode::FAILURE
        }
    }
}
