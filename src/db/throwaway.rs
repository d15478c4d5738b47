//! PostgreSQL databases made for one test or one load run and dropped after it, so that runs
//! share a server but never each other's rows.

use super::DbError;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh, empty database on a PostgreSQL server; dropped (connections and all) with the value.
#[derive(Debug)]
pub struct ThrowawayDatabase {
    admin_url: String,
    name: String,
    /// The URL of the new database.
    pub url: String,
}

impl ThrowawayDatabase {
    /// Creates `csms_<label>_<pid>_<n>` through `admin_url`, a URL of any database on the
    /// server (e.g. `postgres://postgres@127.0.0.1:5432/postgres`) whose user may create
    /// databases.
    pub fn create(admin_url: &str, label: &str) -> Result<ThrowawayDatabase, DbError> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let label: String = label
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(20)
            .collect::<String>()
            .to_ascii_lowercase();
        let name = format!(
            "csms_{label}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let url = with_database(admin_url, &name).ok_or_else(|| {
            DbError::Setup(format!("{admin_url:?} is not a postgres://…/database URL"))
        })?;
        let mut admin = PgConnection::establish(admin_url)?;
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
        admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
        Ok(ThrowawayDatabase {
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }
}

/// Whether this test run is on PostgreSQL: `CSMS_TEST_BACKEND=postgres` (`sqlite` or unset:
/// SQLite). Panics on any other value, so that a typo never silently tests the wrong backend.
pub fn testing_postgres() -> bool {
    match std::env::var("CSMS_TEST_BACKEND").as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Err(_) => false,
        Ok(other) => panic!("CSMS_TEST_BACKEND={other:?}: give sqlite or postgres"),
    }
}

/// For tests: on a PostgreSQL run ([`testing_postgres`]), a throwaway database on the server
/// `CSMS_TEST_POSTGRES_URL` names (panics, never skips, without one); `None` on SQLite.
pub fn for_test(label: &str) -> Option<ThrowawayDatabase> {
    if !testing_postgres() {
        return None;
    }
    let admin = std::env::var("CSMS_TEST_POSTGRES_URL").expect(
        "CSMS_TEST_BACKEND=postgres needs CSMS_TEST_POSTGRES_URL, e.g. \
         postgres://postgres@127.0.0.1:5432/postgres",
    );
    let created = ThrowawayDatabase::create(&admin, label);
    Some(created.unwrap_or_else(|e| panic!("create a test database through {admin}: {e}")))
}

impl Drop for ThrowawayDatabase {
    fn drop(&mut self) {
        let dropped = PgConnection::establish(&self.admin_url)
            .map_err(DbError::from)
            .and_then(|mut admin| {
                admin
                    .batch_execute(&format!(
                        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                        self.name
                    ))
                    .map_err(DbError::from)
            });
        if let Err(e) = dropped {
            eprintln!("could not drop database {}: {e}", self.name);
        }
    }
}

/// `url` with its database name replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let host = rest.split_once('/').map_or(rest, |(host, _)| host);
    let mut out = format!("{scheme}://{host}/{name}");
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced_and_the_rest_kept() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "csms_t_1").as_deref(),
            Some("postgres://postgres@127.0.0.1:5432/csms_t_1")
        );
        assert_eq!(
            with_database("postgresql://u:p@db/x?sslmode=disable", "n").as_deref(),
            Some("postgresql://u:p@db/n?sslmode=disable")
        );
        assert_eq!(
            with_database("postgres://db", "n").as_deref(),
            Some("postgres://db/n")
        );
        assert_eq!(with_database("not a url", "n"), None);
    }
}
