//! `csms`: parse the command line and configuration, start logging, hand over to the server.

use clap::Parser;
use csms::cli::{Cli, Command, StoreArgs, UserCommand};
use csms::config::{Config, Overrides};
use csms::db::Schema;
use csms::lock::{DataDirLock, LockError};
use std::process::ExitCode;

/// Large allocations (password hashes take ~19 MiB each, big frames and batches a few) are
/// mapped and unmapped on their own. glibc would otherwise raise its mmap threshold after the
/// first such free and keep later ones in per-thread arenas: 10 logins kept ~200 MiB resident.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_allocations_to_the_system() {
    const THRESHOLD_BYTES: libc::c_int = 1024 * 1024;
    // SAFETY: mallopt only changes allocator parameters; called first in main, before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD_BYTES);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_allocations_to_the_system() {}

/// Files and directories this process creates (the database, its journal, the lock, the token
/// secret) are readable by its own user only.
#[cfg(unix)]
fn create_files_private() {
    // SAFETY: umask only sets the process's file creation mask.
    unsafe {
        libc::umask(0o077);
    }
}

#[cfg(not(unix))]
fn create_files_private() {}

fn load(store: &StoreArgs, bind: Option<String>) -> Result<Config, String> {
    let overrides = Overrides {
        bind,
        data_dir: store.data_dir.clone(),
        database_url: store.database_url.clone(),
    };
    Config::load(store.config.as_deref(), &overrides)
}

fn init_logging(config: &Config) {
    env_logger::Builder::new()
        .parse_filters(&config.log.level)
        .parse_env("RUST_LOG")
        .format_timestamp_millis()
        .init();
}

/// `csms migrate`: only where no server runs, so a server never finds its schema changed
/// under it.
fn migrate(store: &StoreArgs) -> Result<(), String> {
    let config = load(store, None)?;
    init_logging(&config);
    let _lock = DataDirLock::acquire(&config.database.data_dir).map_err(|e| e.to_string())?;
    csms::db::open(&config.database).map_err(|e| e.to_string())?;
    log::info!("database is up to date");
    Ok(())
}

/// `csms user add|passwd`: also while a server runs (SQLite serialises the writes; the server
/// reads users on every request). Then the schema must already be current: migrating belongs to
/// whoever holds the data directory.
fn user(command: UserCommand) -> Result<(), String> {
    let (store, username, role) = match &command {
        UserCommand::Add {
            store,
            username,
            role,
        } => (store, username, Some(role.as_str())),
        UserCommand::Passwd { store, username } => (store, username, None),
    };
    let config = load(store, None)?;
    init_logging(&config);
    let password = match std::env::var("CSMS_USER_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => read_password(&format!("password for {username}: "))?,
    };
    let (_lock, schema) = match DataDirLock::acquire(&config.database.data_dir) {
        Ok(lock) => (Some(lock), Schema::Migrate),
        Err(LockError::Held { pid, .. }) => {
            log::info!(
                "a server ({}) uses this data directory; changing its database while it runs",
                pid.map_or("PID unknown".to_owned(), |p| format!("PID {p}"))
            );
            (None, Schema::MustBeCurrent)
        }
        Err(e) => return Err(e.to_string()),
    };
    let (pool, _) = csms::db::open_with(&config.database, schema).map_err(|e| e.to_string())?;
    csms::api::users::set_from_cli(&pool, username, &password, role)?;
    println!(
        "{} user {username}",
        if role.is_some() { "added" } else { "updated" }
    );
    Ok(())
}

fn read_password(prompt: &str) -> Result<String, String> {
    use std::io::{BufRead, Write};
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn main() -> ExitCode {
    return_large_allocations_to_the_system();
    create_files_private();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::ConfigExample => {
            print!("{}", csms::CONFIG_EXAMPLE);
            Ok(())
        }
        Command::Migrate(store) => migrate(&store),
        Command::User(command) => user(command),
        Command::Serve(args) => load(&args.store, args.bind).and_then(|config| {
            init_logging(&config);
            actix_web::rt::System::new().block_on(csms::server::run(config, args.port_file))
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("csms: {e}");
            ExitCode::FAILURE
        }
    }
}
