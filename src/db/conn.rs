//! One connection type for both backends. Queries written once against [`DbConn`] run on
//! SQLite and PostgreSQL alike (diesel builds them for [`MultiBackend`]); the few statements
//! whose SQL differs (upserts, session settings, date functions) match on [`DbConn::backend`]
//! or use [`each_backend!`] to compile one body per backend.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::{Connection, PgConnection, SqliteConnection};

/// A connection to the SQLite file or to the PostgreSQL server. PostgreSQL comes first:
/// `establish` tries variants in order and SQLite would take any string as a file name.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names: `postgres://` or `postgresql://` for PostgreSQL,
    /// `sqlite://` for SQLite; anything else is `None`.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else if url.starts_with("sqlite://") {
            Some(Backend::Sqlite)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// Runs `$body` with `$c` bound to the inner connection, compiled once per backend: for
/// statements [`MultiBackend`] cannot express (`ON CONFLICT`), written once in the source.
macro_rules! each_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::conn::DbConn::Sqlite($c) => $body,
            $crate::db::conn::DbConn::Postgres($c) => $body,
        }
    };
}
pub(crate) use each_backend;

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Sqlite(_) => Backend::Sqlite,
            DbConn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs `f` in a transaction that takes the write lock at its start (SQLite `BEGIN
    /// IMMEDIATE`: no failed upgrade of a read lock; PostgreSQL has row locks and needs none).
    pub fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        let DbConn::Sqlite(c) = self else {
            return self.transaction(f);
        };
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
        let out = f(self);
        let DbConn::Sqlite(c) = self else {
            unreachable!("a connection does not change its backend")
        };
        match out {
            Ok(value) => match AnsiTransactionManager::commit_transaction(c) {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _ = AnsiTransactionManager::rollback_transaction(c);
                    Err(e.into())
                }
            },
            Err(e) => {
                let _ = AnsiTransactionManager::rollback_transaction(c);
                Err(e)
            }
        }
    }
}
