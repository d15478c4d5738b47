//! The command line. Each subcommand takes exactly the flags it uses.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// OCPP 1.6-J Central System.
///
/// `csms serve` runs the server: chargers connect over WebSocket to
/// ws://HOST:PORT/ocpp/<chargePointId> (subprotocol ocpp1.6), people and programs use the REST
/// API under http://HOST:PORT/api/v1 (its OpenAPI document is /api/v1/openapi.json). The other
/// commands prepare or manage the database, with or without a server running.
///
/// Configuration comes from defaults, an optional TOML file (--config), environment variables
/// CSMS_<SECTION>__<KEY> (e.g. CSMS_OCPP__HEARTBEAT_INTERVAL_SECS=60) and the command's flags,
/// later ones winning. `csms <command> --help` lists a command's flags; `csms config-example`
/// prints every configuration key.
#[derive(Debug, Parser)]
#[command(name = "csms", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the central system (embedded SQLite in ./data unless configured otherwise).
    ///
    /// Only one server may use a data directory: a second one on the same directory stops at
    /// once, naming the process that holds it (lock file <data-dir>/csms.lock). On first start,
    /// the user `admin` is created with the password in CSMS_ADMIN_PASSWORD (at least 10
    /// characters), or a random one printed once to the log.
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    ///
    /// Refused while a server uses the data directory (stop it first); `csms serve` migrates
    /// on its own at start.
    Migrate(StoreArgs),
    /// Print an example configuration file with every key explained.
    ConfigExample,
    /// Manage the people who use the REST API and dashboard.
    ///
    /// Works while a server runs: the change takes effect at its next request.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from CSMS_USER_PASSWORD or asked on the terminal
    /// (at least 10 characters).
    Add {
        /// User name: 1-64 letters, digits and . _ - @
        username: String,
        /// What the user may do: viewer reads; operator also sends commands and manages id tags;
        /// admin also manages users, API keys and chargers.
        #[arg(long, default_value = "viewer", value_parser = ["viewer", "operator", "admin"])]
        role: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Set a user's password, read from CSMS_USER_PASSWORD or asked on the terminal (at least
    /// 10 characters).
    Passwd {
        /// User name.
        username: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Where the configuration and the database are: what every command that touches the
/// database needs.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// TOML configuration file (see `csms config-example`).
    #[arg(long, short, env = "CSMS_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory for the database, generated secrets and the lock file [default: ./data].
    #[arg(long, env = "CSMS_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://FILE or postgres://USER:PASSWORD@HOST:PORT/DATABASE
    /// [default: sqlite://<data-dir>/csms.db].
    #[arg(long, env = "CSMS_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Address and port to listen on [default: 0.0.0.0:9180]. Port 0 picks a free port.
    #[arg(long, env = "CSMS_BIND", value_name = "ADDR")]
    pub bind: Option<String>,
    /// Write the address actually bound (e.g. 127.0.0.1:41234) to this file once listening.
    #[arg(long, value_name = "FILE")]
    pub port_file: Option<PathBuf>,
}
