//! `loadtest demo`: the CSMS and a few simulated chargers in one command. Starts the `csms`
//! binary built next to this program on 127.0.0.1:9180 with a fresh data directory and a known
//! admin password, registers the demo id tags, and runs 5 chargers, with the control API on
//! 127.0.0.1:9190, until Ctrl-C. Simulated drivers charge on all but the last charger every
//! minute or so; the last one is left to the user (control API, REST API).

use crate::harness::check::seed_id_tags;
use crate::server::{locate_csms, CsmsProcess};
use crate::simulate::{self, SimArgs};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// How many id tags the demo registers (`DEMO-01` ...). They are shared out among the
/// drivers, a few each, so no driver presents a tag charging elsewhere; a person who does
/// (`simctl start CP-5 1 DEMO-01` while it charges) is refused with ConcurrentTx.
const DEMO_TAGS: usize = 20;

/// A registered tag no simulated driver uses: the user's card.
pub const USER_TAG: &str = "MY-CARD";

/// The demo admin's password on a loopback address (a throwaway server on this machine).
pub const DEMO_PASSWORD: &str = "demo-admin";

pub fn demo_tags() -> Vec<String> {
    (1..=DEMO_TAGS).map(|n| format!("DEMO-{n:02}")).collect()
}

/// The admin password for the demo server: the one asked for, the known demo password when
/// csms listens on loopback only, else a random one.
fn admin_password(asked: Option<String>, bind: &str) -> String {
    let loopback = bind
        .parse::<SocketAddr>()
        .is_ok_and(|a| a.ip().is_loopback());
    match asked {
        Some(p) => p,
        None if loopback => DEMO_PASSWORD.to_owned(),
        None => hex::encode(rand::random::<[u8; 12]>()),
    }
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
    /// Address of the simulator's control API (port 0: a free one).
    #[arg(long, default_value = "127.0.0.1:9190")]
    pub control: SocketAddr,
    /// Password of the user `admin` in a new data directory (default: demo-admin on a
    /// loopback address, else a random one; printed at start).
    #[arg(long)]
    pub admin_password: Option<String>,
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
    // Users are created only in a new data directory; an old one keeps its passwords.
    let had_users = data_dir.join("csms.db").exists();
    let password = admin_password(args.admin_password, &args.bind);
    // Heartbeats every minute so the demo shows life.
    let env = [
        ("CSMS_OCPP__HEARTBEAT_INTERVAL_SECS", "60"),
        ("CSMS_ADMIN_PASSWORD", password.as_str()),
    ];
    let mut server = CsmsProcess::start(&binary, &args.bind, &data_dir, &env)?;
    println!(
        "csms is running on http://{} (data in {}, log in {})",
        server.addr,
        data_dir.display(),
        server.log.display()
    );
    if had_users {
        println!(
            "Dashboard: http://{}/ — log in with a user of that data directory",
            server.addr
        );
        println!(
            "REST API: http://{}/api/v1 — log in with a user of that data directory",
            server.addr
        );
    } else {
        println!(
            "Dashboard: http://{}/ — user admin, password {password}",
            server.addr
        );
        println!(
            "REST API: http://{}/api/v1 — user admin, password {password} (POST /api/v1/auth/login)",
            server.addr
        );
    }
    let tags = demo_tags();
    let mut registered = tags.clone();
    registered.push(USER_TAG.to_owned());
    match seed_id_tags(&server.database(), &registered) {
        Ok(()) => println!(
            "id tags: {} .. {} for the simulated drivers, {USER_TAG} for you",
            tags[0],
            tags[tags.len() - 1]
        ),
        Err(e) => eprintln!("demo: {e}; the drivers' tags will be refused"),
    }
    let sim = SimArgs {
        url: server.ocpp_url(),
        chargers: args.chargers,
        prefix: "CP".into(),
        control: args.control,
        auto: true,
        drivers: Some(args.chargers.saturating_sub(1)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_known_password_is_for_loopback_only() {
        assert_eq!(admin_password(None, "127.0.0.1:9180"), DEMO_PASSWORD);
        assert_eq!(admin_password(None, "[::1]:0"), DEMO_PASSWORD);
        let open = admin_password(None, "0.0.0.0:9180");
        assert_ne!(open, DEMO_PASSWORD);
        assert_eq!(open.len(), 24);
        assert_eq!(admin_password(Some("s3cret".into()), "0.0.0.0:1"), "s3cret");
    }
}
