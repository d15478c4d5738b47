//! Typed configuration: defaults, then a TOML file, then `CSMS_SECTION__KEY` environment
//! variables, then command-line flags; checked once by [`Config::validate`] at start.
//!
//! `config.example.toml` at the project root documents every key; keep the two in step.

use crate::ocpp::v16::boot_notification::RegistrationStatus;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The whole configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub ocpp: OcppConfig,
    pub database: DatabaseConfig,
    pub log: LogConfig,
    pub api: ApiConfig,
}

/// The one HTTP listener that serves `/ocpp/…`, the REST API and the dashboard.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port to listen on. Port 0 picks a free port (see `--port-file`).
    pub bind: String,
    /// HTTP worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// Most charger connections at once; past it the handshake gets HTTP 503.
    /// 0 derives it from the process's open-file limit, leaving room for the database and HTTP.
    pub max_chargers: usize,
    /// Seconds a graceful shutdown waits for connections to close.
    pub shutdown_timeout_secs: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: "0.0.0.0:9180".into(),
            workers: 0,
            max_chargers: 0,
            shutdown_timeout_secs: 10,
        }
    }
}

/// What to do with a charger whose id is not in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownChargers {
    /// Register it on first connect.
    Accept,
    /// Refuse the handshake with HTTP 404.
    Reject,
}

/// How the BootNotification of a charger without its own registration status is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BootPolicy {
    Accepted,
    Pending,
    Rejected,
}

impl From<BootPolicy> for RegistrationStatus {
    fn from(p: BootPolicy) -> Self {
        match p {
            BootPolicy::Accepted => RegistrationStatus::Accepted,
            BootPolicy::Pending => RegistrationStatus::Pending,
            BootPolicy::Rejected => RegistrationStatus::Rejected,
        }
    }
}

/// OCPP behaviour.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OcppConfig {
    /// URL path under which chargers connect: `<path_prefix>/<chargePointId>`.
    pub path_prefix: String,
    /// `accept` registers unknown chargers on first connect; `reject` answers HTTP 404.
    pub unknown_chargers: UnknownChargers,
    /// Answer to BootNotification for chargers without a status of their own.
    pub boot_status: BootPolicy,
    /// Heartbeat interval in seconds sent in BootNotification answers.
    pub heartbeat_interval_secs: u32,
    /// Seconds of silence after which a charger is marked offline and its socket closed.
    /// 0 derives it: twice the heartbeat interval.
    pub offline_timeout_secs: u64,
    /// Seconds between WebSocket pings to each charger (detects dead TCP peers); 0 disables.
    pub ping_interval_secs: u64,
    /// Seconds a charger that has never been answered a BootNotification may stay connected
    /// without sending one; its connection is then closed (1008). 0: no deadline.
    pub boot_deadline_secs: u64,
    /// Seconds to wait for a charger to answer a CALL of ours.
    pub call_timeout_secs: u64,
    /// Largest WebSocket message accepted, in bytes; a larger one closes the socket with 1009.
    /// Checked on the length a frame header declares (and on the running total of a
    /// fragmented message), before its payload is read.
    pub max_frame_bytes: usize,
    /// Frames a charger may send ahead of our answers (OCPP-J allows one CALL at a time; a
    /// few are tolerated). Past it nothing more is read from that charger until an answer
    /// has been written to it.
    pub max_pipelined_calls: usize,
    /// Seconds a frame to a charger may wait to be written (the charger not reading what we
    /// send) before its connection is closed.
    pub send_timeout_secs: u64,
    /// Most sampled values one MeterValues message may carry, over all its meterValue
    /// elements; a larger one is answered OccurenceConstraintViolation and nothing is stored.
    pub max_samples_per_message: usize,
    /// DataTransfer vendorIds we handle (answered Accepted and stored); others get UnknownVendorId.
    pub data_transfer_vendors: Vec<String>,
    /// Open transactions an id tag (with its group) may hold at once when the tag sets no limit
    /// of its own; more starts are answered ConcurrentTx. 0 = unlimited.
    pub max_transactions_per_tag: u32,
    /// Seconds a connector may report Available (or Preparing after Available) while a
    /// transaction is open on it, with no meter values, before the server ends that
    /// transaction itself. 0 = never.
    pub idle_transaction_grace_secs: u32,
}

impl Default for OcppConfig {
    fn default() -> Self {
        OcppConfig {
            path_prefix: "/ocpp".into(),
            unknown_chargers: UnknownChargers::Accept,
            boot_status: BootPolicy::Accepted,
            heartbeat_interval_secs: 300,
            offline_timeout_secs: 0,
            ping_interval_secs: 60,
            boot_deadline_secs: 60,
            call_timeout_secs: 30,
            max_frame_bytes: 256 * 1024,
            max_pipelined_calls: 8,
            send_timeout_secs: 30,
            max_samples_per_message: 1000,
            data_transfer_vendors: Vec::new(),
            max_transactions_per_tag: 1,
            idle_transaction_grace_secs: 300,
        }
    }
}

impl OcppConfig {
    pub fn offline_timeout(&self) -> Duration {
        match self.offline_timeout_secs {
            0 => Duration::from_secs(2 * u64::from(self.heartbeat_interval_secs)),
            s => Duration::from_secs(s),
        }
    }

    /// The offline timeout of a charger with its own heartbeat interval: twice that interval,
    /// unless a timeout is configured. `None`: the general one.
    pub fn offline_timeout_for(&self, heartbeat_interval_secs: Option<u32>) -> Option<Duration> {
        match (self.offline_timeout_secs, heartbeat_interval_secs) {
            (0, Some(h)) => Some(Duration::from_secs(2 * u64::from(h))),
            _ => None,
        }
    }

    pub fn call_timeout(&self) -> Duration {
        Duration::from_secs(self.call_timeout_secs)
    }

    pub fn send_timeout(&self) -> Duration {
        Duration::from_secs(self.send_timeout_secs)
    }
}

/// SQLite's `synchronous` level. `full` syncs the WAL at every commit and survives power loss;
/// `normal` survives a process kill but may lose the last commits on power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    Full,
    Normal,
    Off,
}

impl Synchronous {
    pub fn pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
            Synchronous::Off => "OFF",
        }
    }
}

/// Storage.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Directory for the SQLite database and generated secrets; created on first start.
    pub data_dir: PathBuf,
    /// Database URL: `sqlite://<file>` or `postgres://user:password@host:port/database`;
    /// empty means `sqlite://<data_dir>/csms.db`.
    pub url: String,
    /// SQLite `synchronous` level: `full` (default), `normal` or `off`.
    pub sqlite_synchronous: Synchronous,
    /// Read connections in the pool.
    pub pool_size: u32,
    /// Keep prepared statements per connection (turn off behind a PostgreSQL pooler in
    /// transaction mode, such as PgBouncer, which cannot keep them).
    pub statement_cache: bool,
    /// Most writes committed in one transaction by the writer.
    pub max_batch: usize,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            data_dir: PathBuf::from("data"),
            url: String::new(),
            sqlite_synchronous: Synchronous::Full,
            pool_size: 8,
            statement_cache: true,
            max_batch: 2000,
        }
    }
}

impl DatabaseConfig {
    /// The database URL with the default filled in.
    pub fn url(&self) -> String {
        if self.url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("csms.db").display())
        } else {
            self.url.clone()
        }
    }
}

/// Logging and the OCPP message log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// env_logger filter, e.g. `info` or `csms=debug,actix_web=warn`; `RUST_LOG` wins when set.
    pub level: String,
    /// Store every OCPP frame in and out in the message log.
    pub messages: bool,
    /// Days the message log is kept; 0 keeps it for ever.
    pub message_retention_days: u32,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".into(),
            messages: true,
            message_retention_days: 30,
        }
    }
}

/// The REST API.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiConfig {
    /// Secret that signs login tokens (JWT, HS256). Empty: generated on first start and kept in
    /// `<data_dir>/jwt-secret` (mode 0600), so tokens survive restarts.
    pub jwt_secret: String,
    /// Seconds a login token stays valid.
    pub token_ttl_secs: u64,
    /// Failed logins a user name may have before each further one locks it out for a while
    /// (1 s, doubling); a source address gets 4 times as many. 0: never lock out.
    pub login_free_attempts: u32,
    /// The longest lockout after failed logins, in seconds; also how long failures count.
    pub login_max_lockout_secs: u64,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            jwt_secret: String::new(),
            token_ttl_secs: 12 * 3600,
            login_free_attempts: 5,
            login_max_lockout_secs: 900,
        }
    }
}

/// Values given on the command line (or their `CSMS_…` env forms); they win over the file.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    pub bind: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

impl Config {
    /// Loads defaults < file < environment < overrides. A missing file named explicitly is an error.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, String> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(format!(
                    "config file {} does not exist (copy config.example.toml to start one)",
                    path.display()
                ));
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment.merge(
            Env::prefixed("CSMS_")
                .filter(|k| k.as_str().contains("__"))
                .split("__"),
        );
        if let Some(bind) = &overrides.bind {
            figment = figment.merge(("server.bind", bind));
        }
        if let Some(dir) = &overrides.data_dir {
            figment = figment.merge(("database.data_dir", dir));
        }
        if let Some(url) = &overrides.database_url {
            figment = figment.merge(("database.url", url));
        }
        let config: Config = figment
            .extract()
            .map_err(|e| format!("configuration: {e}"))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks values serde cannot; the error lists every problem with the key to fix.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.server.bind.parse::<SocketAddr>().is_err() {
            problems.push(format!(
                "server.bind = {:?} is not an address:port such as 0.0.0.0:9180",
                self.server.bind
            ));
        }
        let prefix = &self.ocpp.path_prefix;
        if !prefix.starts_with('/') || prefix.ends_with('/') || prefix.starts_with("/api") {
            problems.push(format!(
                "ocpp.path_prefix = {prefix:?} must start with '/', not end with '/', and not be under /api"
            ));
        }
        if self.ocpp.heartbeat_interval_secs == 0 {
            problems.push("ocpp.heartbeat_interval_secs must be at least 1".into());
        }
        if self.ocpp.call_timeout_secs == 0 {
            problems.push("ocpp.call_timeout_secs must be at least 1".into());
        }
        if self.ocpp.max_frame_bytes < 1024 {
            problems.push("ocpp.max_frame_bytes must be at least 1024".into());
        }
        if self.ocpp.max_pipelined_calls == 0 {
            problems.push("ocpp.max_pipelined_calls must be at least 1".into());
        }
        if self.ocpp.send_timeout_secs == 0 {
            problems.push("ocpp.send_timeout_secs must be at least 1".into());
        }
        if self.ocpp.max_samples_per_message == 0 {
            problems.push("ocpp.max_samples_per_message must be at least 1".into());
        }
        if self.api.token_ttl_secs == 0 {
            problems.push("api.token_ttl_secs must be at least 1".into());
        }
        if !self.api.jwt_secret.is_empty() && self.api.jwt_secret.len() < 32 {
            problems.push(
                "api.jwt_secret must be at least 32 characters (or empty to generate one)".into(),
            );
        }
        if self.database.pool_size == 0 {
            problems.push("database.pool_size must be at least 1".into());
        }
        if self.database.max_batch == 0 {
            problems.push("database.max_batch must be at least 1".into());
        }
        let url = self.database.url();
        if crate::db::Backend::of_url(&url).is_none() {
            problems.push(format!(
                "database.url = {url:?}: give sqlite://<file> or postgres://user@host/database"
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "invalid configuration:\n  - {}",
                problems.join("\n  - ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_avoid_port_8080() {
        let c = Config::default();
        c.validate().unwrap();
        assert!(!c.server.bind.ends_with(":8080"));
        assert_eq!(c.ocpp.offline_timeout(), Duration::from_secs(600));
    }

    #[test]
    fn file_is_read_and_overrides_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[server]\nbind = \"127.0.0.1:1234\"\n[ocpp]\nheartbeat_interval_secs = 60\n",
        )
        .unwrap();
        let c = Config::load(Some(&path), &Overrides::default()).unwrap();
        assert_eq!(c.server.bind, "127.0.0.1:1234");
        assert_eq!(c.ocpp.offline_timeout(), Duration::from_secs(120));
        let o = Overrides {
            bind: Some("127.0.0.1:0".into()),
            ..Default::default()
        };
        assert_eq!(
            Config::load(Some(&path), &o).unwrap().server.bind,
            "127.0.0.1:0"
        );
    }

    #[test]
    fn mistakes_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[server]\nbindd = \"x\"\n").unwrap();
        let e = Config::load(Some(&path), &Overrides::default()).unwrap_err();
        assert!(e.contains("bindd"), "{e}");
        std::fs::write(
            &path,
            "[server]\nbind = \"nope\"\n[ocpp]\npath_prefix = \"ocpp/\"\n",
        )
        .unwrap();
        let e = Config::load(Some(&path), &Overrides::default()).unwrap_err();
        assert!(
            e.contains("server.bind") && e.contains("ocpp.path_prefix"),
            "{e}"
        );
        let e = Config::load(
            Some(&dir.path().join("missing.toml")),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(e.contains("does not exist"), "{e}");
    }
}
