//! Storage: SQLite through diesel. Writes go through the [`writer::DbWriter`] actor, which
//! commits them in groups; reads use the r2d2 [`Pool`] on blocking threads ([`read`]).
//!
//! One migrations folder per backend (`migrations/sqlite/…`); the backend is chosen from the
//! database URL, and a URL this build cannot serve is refused with a clear error.

pub mod anomalies;
pub mod api_keys;
pub mod audit;
pub mod batch;
pub mod charger_records;
pub mod chargers;
pub mod charging_profiles;
pub mod configuration;
pub mod connectors;
pub mod file_requests;
pub mod fleet_counts;
pub mod id_tags;
pub mod jobs;
pub mod message_log;
pub mod models;
pub mod page;
pub mod query;
pub mod readings;
pub mod reservations;
pub mod schema;
pub mod stats;
pub mod status_history;
pub mod transactions;
pub mod users;
pub mod writer;

use crate::config::DatabaseConfig;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection};
use diesel::{Connection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::path::PathBuf;

pub use diesel::result::QueryResult;
pub use writer::DbWriter;

/// The connection type of this build.
pub type DbConn = SqliteConnection;
/// The read pool.
pub type Pool = diesel::r2d2::Pool<ConnectionManager<DbConn>>;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Milliseconds a connection waits on a locked database before giving up.
const BUSY_TIMEOUT_MS: u32 = 5_000;
/// Page cache per connection, in KiB (SQLite's default of 2 MiB makes the writer re-read pages).
const CACHE_KIB: u32 = 64 * 1024;
/// WAL pages between automatic checkpoints (SQLite: 1000). Rarer checkpoints write each hot
/// index page back once for many commits.
const WAL_CHECKPOINT_PAGES: u32 = 16_000;

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
        .ok_or_else(|| {
            DbError::Setup(format!(
                "database URL {url:?} is not sqlite://…; this build supports SQLite only"
            ))
        })
}

/// Session settings every connection gets. `busy_timeout` comes first: switching a fresh file to
/// WAL needs a lock that other connections opened at the same moment may hold.
#[derive(Debug, Clone, Copy)]
struct Pragmas {
    synchronous: &'static str,
}

impl Pragmas {
    fn apply(&self, conn: &mut DbConn) -> Result<(), diesel::result::Error> {
        conn.batch_execute(&format!(
            "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}; PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; \
             PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = MEMORY;",
            self.synchronous
        ))
    }
}

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        self.apply(conn).map_err(diesel::r2d2::Error::QueryError)
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

/// Opens the database: creates the data directory and file, switches to WAL, runs pending
/// migrations, and returns the read pool and the writer's own connection.
pub fn open(config: &DatabaseConfig) -> Result<(Pool, DbConn), DbError> {
    open_with(config, Schema::Migrate)
}

/// [`open`], with a choice about pending migrations.
pub fn open_with(config: &DatabaseConfig, schema: Schema) -> Result<(Pool, DbConn), DbError> {
    let path = sqlite_path(&config.url())?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            DbError::Setup(format!(
                "cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
    }
    let path_str = path.to_string_lossy().into_owned();
    let pragmas = Pragmas {
        synchronous: config.sqlite_synchronous.pragma(),
    };

    let mut writer_conn = SqliteConnection::establish(&path_str)?;
    pragmas.apply(&mut writer_conn)?;
    writer_conn.batch_execute(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES};"
    ))?;
    match schema {
        Schema::Migrate => {
            writer_conn
                .run_pending_migrations(MIGRATIONS)
                .map_err(|e| DbError::Migration(e.to_string()))?;
        }
        Schema::MustBeCurrent => {
            let pending = writer_conn
                .has_pending_migration(MIGRATIONS)
                .map_err(|e| DbError::Migration(e.to_string()))?;
            if pending {
                return Err(DbError::Setup(
                    "the database schema is older than this csms and a server is using it: \
                     stop the server, then run `csms migrate` (or start the new server)"
                        .into(),
                ));
            }
        }
    }

    let pool = Pool::builder()
        .max_size(config.pool_size)
        .connection_customizer(Box::new(pragmas))
        .build(ConnectionManager::new(path_str))?;
    Ok((pool, writer_conn))
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
    fn message_log_retention_drops_only_old_rows() {
        let dir = tempfile::tempdir().unwrap();
        let config = DatabaseConfig {
            data_dir: dir.path().to_owned(),
            ..DatabaseConfig::default()
        };
        let (_, mut conn) = super::open(&config).unwrap();
        diesel::insert_into(message_log::table)
            .values(&[row(40), row(31), row(29), row(0)])
            .execute(&mut conn)
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
