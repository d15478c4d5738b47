//! The command line.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// OCPP 1.6-J Central System.
///
/// Chargers connect over WebSocket to ws://HOST:PORT/ocpp/<chargePointId> (subprotocol
/// ocpp1.6). Configuration comes from defaults, an optional TOML file (--config), environment
/// variables CSMS_<SECTION>__<KEY> (e.g. CSMS_SERVER__BIND=0.0.0.0:9180,
/// CSMS_OCPP__HEARTBEAT_INTERVAL_SECS=60) and the flags below, later ones winning.
/// See config.example.toml for every key.
#[derive(Debug, Parser)]
#[command(name = "csms", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the central system (embedded SQLite in ./data unless configured otherwise).
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate(ConfigArgs),
    /// Print an example configuration file with every key explained.
    ConfigExample,
    /// Manage the people who use the REST API and dashboard.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from CSMS_USER_PASSWORD or asked on the terminal.
    Add {
        #[command(flatten)]
        config: ConfigArgs,
        /// User name.
        username: String,
        /// Role: admin, operator or viewer.
        #[arg(long, default_value = "viewer")]
        role: String,
    },
    /// Set a user's password (read from CSMS_USER_PASSWORD or asked on the terminal).
    Passwd {
        #[command(flatten)]
        config: ConfigArgs,
        /// User name.
        username: String,
    },
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// TOML configuration file.
    #[arg(long, short, env = "CSMS_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address and port to listen on [default: 0.0.0.0:9180]. Port 0 picks a free port.
    #[arg(long, env = "CSMS_BIND", value_name = "ADDR")]
    pub bind: Option<String>,
    /// Directory for the database and generated secrets [default: ./data].
    #[arg(long, env = "CSMS_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL [default: sqlite://<data-dir>/csms.db].
    #[arg(long, env = "CSMS_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Write the address actually bound (e.g. 127.0.0.1:41234) to this file once listening.
    #[arg(long, value_name = "FILE")]
    pub port_file: Option<PathBuf>,
}
