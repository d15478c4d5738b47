//! Storage through diesel, on SQLite (the default: one file, nothing to install) or
//! PostgreSQL, chosen by the database URL. Writes go through the [`writer::DbWriter`] actor,
//! which commits them in groups; reads use the r2d2 [`Pool`] on blocking threads ([`read`]).
//!
//! One migrations folder per backend (`migrations/sqlite`, `migrations/postgres`), both
//! producing the tables of `schema.rs` ([`schema_check`] compares). Queries are written once
//! against [`DbConn`]; see [`conn`] for the few that differ.

pub mod anomalies;
pub mod api_keys;
pub mod audit;
pub mod batch;
pub mod charger_records;
pub mod chargers;
pub mod charging_profiles;
pub mod configuration;
pub mod conn;
pub mod connectors;
pub mod file_requests;
pub mod fleet_counts;
pub mod history;
pub mod id_tags;
pub mod jobs;
pub mod message_log;
pub mod models;
pub mod page;
pub mod query;
pub mod readings;
pub mod reservations;
pub mod schema;
pub mod schema_check;
pub mod stats;
pub mod status_history;
pub mod throwaway;
pub mod transactions;
pub mod users;
pub mod writer;

use crate::config::DatabaseConfig;
use diesel::connection::{CacheSize, SimpleConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::path::PathBuf;

pub use conn::{Backend, DbConn};
pub use diesel::result::QueryResult;
pub use writer::{DbWriter, Health, Reconnect};

/// The read pool.
pub type Pool = r2d2::Pool<Manager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Milliseconds a connection waits on a locked database before giving up.
const BUSY_TIMEOUT_MS: u32 = 5_000;
/// Page cache per connection, in KiB (SQLite's default of 2 MiB makes the writer re-read pages).
const CACHE_KIB: u32 = 64 * 1024;
/// WAL pages between automatic checkpoints (SQLite: 1000). Rarer checkpoints write each hot
/// index page back once for many commits.
const WAL_CHECKPOINT_PAGES: u32 = 16_000;
/// Longest a read waits for a pooled connection (all busy, or the database unreachable).
const POOL_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// Longest `/ready` waits for its probe.
const PROBE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
/// Key of the PostgreSQL advisory lock held while migrating, so that nodes starting together
/// migrate one after the other.
const MIGRATION_LOCK: i64 = 0x0C55_0016;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("cannot open the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("{0}")]
    Setup(String),
    #[error("the database writer has stopped")]
    WriterGone,
}

/// Where the SQLite file lives, from a `sqlite://` URL.
pub fn sqlite_path(url: &str) -> Result<PathBuf, DbError> {
    url.strip_prefix("sqlite://")
        .map(PathBuf::from)
        .ok_or_else(|| DbError::Setup(format!("database URL {url:?} is not sqlite://…")))
}

/// How to open one connection, and the session settings every connection gets.
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
    /// The SQLite file, or the PostgreSQL URL.
    target: String,
    synchronous: &'static str,
    statement_cache: bool,
}

impl Manager {
    /// How to connect to the database `config` names.
    pub fn new(config: &DatabaseConfig) -> Result<Manager, DbError> {
        let url = config.url();
        let backend = Backend::of_url(&url).ok_or_else(|| {
            DbError::Setup(format!(
                "database URL {url:?} is neither sqlite://<file> nor postgres://…"
            ))
        })?;
        let target = match backend {
            Backend::Sqlite => sqlite_path(&url)?.to_string_lossy().into_owned(),
            Backend::Postgres => url,
        };
        Ok(Manager {
            backend,
            target,
            synchronous: config.sqlite_synchronous.pragma(),
            statement_cache: config.statement_cache,
        })
    }

    /// A new connection with the session settings applied. SQLite: `busy_timeout` comes
    /// first, as switching a fresh file to WAL needs a lock that other connections opened at
    /// the same moment may hold. PostgreSQL: times are UTC (the columns are `timestamptz`,
    /// the values naive UTC).
    pub fn connect(&self) -> Result<DbConn, DbError> {
        let mut conn = match self.backend {
            Backend::Sqlite => {
                let mut c = SqliteConnection::establish(&self.target)?;
                c.batch_execute(&format!(
                    "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}; PRAGMA synchronous = {}; \
                     PRAGMA foreign_keys = ON; PRAGMA cache_size = -{CACHE_KIB}; \
                     PRAGMA temp_store = MEMORY;",
                    self.synchronous
                ))?;
                DbConn::Sqlite(c)
            }
            Backend::Postgres => {
                let mut c = PgConnection::establish(&self.target)?;
                c.batch_execute("SET TIME ZONE 'UTC'")?;
                DbConn::Postgres(c)
            }
        };
        if !self.statement_cache {
            conn.set_prepared_statement_cache_size(CacheSize::Disabled);
        }
        Ok(conn)
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = DbError;

    fn connect(&self) -> Result<DbConn, DbError> {
        Manager::connect(self)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), DbError> {
        ping(conn).map_err(DbError::from)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

/// What opening the database does about migrations this build has and the database lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Run them (the process holds the data directory's lock).
    Migrate,
    /// Refuse to go on: another process (a running server) owns the schema.
    MustBeCurrent,
}

/// Opens the database: for SQLite creates the data directory and file and switches to WAL;
/// runs pending migrations; returns the read pool and the writer's own connection.
pub fn open(config: &DatabaseConfig) -> Result<(Pool, DbConn), DbError> {
    open_with(config, Schema::Migrate)
}

/// [`open`], with a choice about pending migrations.
pub fn open_with(config: &DatabaseConfig, schema: Schema) -> Result<(Pool, DbConn), DbError> {
    let manager = Manager::new(config)?;
    if manager.backend == Backend::Sqlite {
        let path = PathBuf::from(&manager.target);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                DbError::Setup(format!(
                    "cannot create data directory {}: {e}",
                    dir.display()
                ))
            })?;
        }
    }
    let mut writer_conn = manager.connect().map_err(|e| match e {
        DbError::Connect(e) => DbError::Setup(format!(
            "cannot connect to the {} database: {e}",
            manager.backend.name()
        )),
        e => e,
    })?;
    if let DbConn::Sqlite(c) = &mut writer_conn {
        c.batch_execute(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES};"
        ))?;
    }
    migrate(&mut writer_conn, schema)?;
    let pool = Pool::builder()
        .max_size(config.pool_size)
        .connection_timeout(POOL_WAIT)
        .build(manager)?;
    Ok((pool, writer_conn))
}

/// Runs the pending migrations of the connection's backend, or with
/// [`Schema::MustBeCurrent`] refuses when there are any.
fn migrate(conn: &mut DbConn, schema: Schema) -> Result<(), DbError> {
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    let pending = match conn {
        DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS).map_err(failed)?,
        DbConn::Postgres(c) => c
            .has_pending_migration(POSTGRES_MIGRATIONS)
            .map_err(failed)?,
    };
    if !pending {
        return Ok(());
    }
    if schema == Schema::MustBeCurrent {
        return Err(DbError::Setup(
            "the database schema is older than this csms and a server is using it: \
             stop the server, then run `csms migrate` (or start the new server)"
                .into(),
        ));
    }
    match conn {
        DbConn::Sqlite(c) => {
            c.run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(failed)?;
        }
        DbConn::Postgres(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let ran = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(drop);
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            ran.map_err(failed)?;
        }
    }
    Ok(())
}

/// The database for logs: the SQLite file and its `synchronous` level, or the PostgreSQL URL
/// without its password.
pub fn describe(config: &DatabaseConfig) -> String {
    let url = config.url();
    match Backend::of_url(&url) {
        Some(Backend::Postgres) => format!("{} (PostgreSQL)", without_password(&url)),
        _ => format!(
            "{url} (SQLite, synchronous={})",
            config.sqlite_synchronous.pragma()
        ),
    }
}

/// `scheme://user:secret@host/…` as `scheme://user:***@host/…`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Whether a pooled connection answers within a short wait.
pub async fn probe(pool: &Pool) -> Result<(), DbError> {
    let pool = pool.clone();
    actix_web::rt::task::spawn_blocking(move || {
        let mut conn = pool.get_timeout(PROBE_WAIT)?;
        ping(&mut conn).map_err(DbError::from)
    })
    .await
    .map_err(|_| DbError::Setup("a database probe panicked".into()))?
}

/// A query that touches no table: whether the database answers.
pub fn ping(c: &mut DbConn) -> Result<(), diesel::result::Error> {
    use diesel::RunQueryDsl;
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1"))
        .get_result::<i32>(c)
        .map(drop)
}

/// Runs a read on a blocking thread with a pooled connection.
pub async fn read<T, F>(pool: &Pool, f: F) -> Result<T, DbError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, diesel::result::Error> + Send + 'static,
{
    let pool = pool.clone();
    actix_web::rt::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        f(&mut conn).map_err(DbError::from)
    })
    .await
    .map_err(|_| DbError::Setup("a database read panicked".into()))?
}

/// Runs a write through the writer (serialised, group-committed) and returns its result once
/// committed. If its group fails, the function runs again alone, so it must not keep state.
pub async fn write<T, F>(writer: &actix::Addr<DbWriter>, f: F) -> Result<T, DbError>
where
    T: Send + 'static,
    F: Fn(&mut DbConn) -> Result<T, diesel::result::Error> + Send + Sync + 'static,
{
    let slot = std::sync::Arc::new(std::sync::Mutex::new(None));
    let out = slot.clone();
    let job = jobs::Job::Run(jobs::RunFn(std::sync::Arc::new(move |conn| {
        let value = f(conn)?;
        if let Ok(mut slot) = out.lock() {
            *slot = Some(value);
        }
        Ok(jobs::Outcome::Done)
    })));
    writer
        .send(writer::Write(job))
        .await
        .map_err(|_| DbError::WriterGone)??;
    let value = slot.lock().ok().and_then(|mut s| s.take());
    value.ok_or(DbError::WriterGone)
}

#[cfg(test)]
mod tests {
    use super::jobs::{Job, Outcome};
    use super::models::LogRow;
    use super::schema::message_log;
    use crate::config::DatabaseConfig;
    use chrono::{Duration, Utc};
    use diesel::prelude::*;

    fn row(age_days: i64) -> LogRow {
        LogRow {
            charge_point_id: "CP".into(),
            direction: "in",
            message_type: 2,
            message_id: Some(format!("m{age_days}")),
            action: Some("Heartbeat".into()),
            payload: "[2,\"m\",\"Heartbeat\",{}]".into(),
            logged_at: (Utc::now() - Duration::days(age_days)).naive_utc(),
        }
    }

    #[test]
    fn passwords_stay_out_of_logged_urls() {
        assert_eq!(
            super::without_password("postgres://csms:s3cret@db:5432/csms"),
            "postgres://csms:***@db:5432/csms"
        );
        assert_eq!(
            super::without_password("postgres://csms@db/csms"),
            "postgres://csms@db/csms"
        );
    }

    #[test]
    fn message_log_retention_drops_only_old_rows() {
        let dir = tempfile::tempdir().unwrap();
        let config = DatabaseConfig {
            data_dir: dir.path().to_owned(),
            ..DatabaseConfig::default()
        };
        let (_, mut conn) = super::open(&config).unwrap();
        let rows = [row(40), row(31), row(29), row(0)];
        super::conn::each_backend!(&mut conn, |c| diesel::insert_into(message_log::table)
            .values(&rows)
            .execute(c))
        .unwrap();
        let before = (Utc::now() - Duration::days(30)).naive_utc();
        let outcome = Job::PruneMessageLog { before }.apply(&mut conn).unwrap();
        assert_eq!(outcome, Outcome::Pruned(2));
        let left: Vec<Option<String>> = message_log::table
            .order(message_log::id)
            .select(message_log::message_id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(left, vec![Some("m29".to_owned()), Some("m0".to_owned())]);
    }

    #[test]
    fn opening_creates_the_data_dir_and_is_repeatable() {
        let dir = tempfile::tempdir().unwrap();
        let config = DatabaseConfig {
            data_dir: dir.path().join("nested/data"),
            ..DatabaseConfig::default()
        };
        drop(super::open(&config).unwrap());
        let (pool, _) = super::open(&config).unwrap();
        let mode: String = diesel::sql_query("PRAGMA journal_mode")
            .get_result::<JournalMode>(&mut pool.get().unwrap())
            .unwrap()
            .journal_mode;
        assert_eq!(mode, "wal");
    }

    #[derive(QueryableByName)]
    struct JournalMode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
}
