//! The data check: counts in the server's SQLite database what the chargers of this run (all
//! ids starting with `<prefix>-`) left there, to compare with what the server confirmed.
//! Also seeds id tags for the demo and the tests (the REST API may do this later).

use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
use std::path::Path;

/// What the database holds of what this run's chargers sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataCheck {
    pub starts_found: u64,
    pub stops_found: u64,
    pub meter_rows_found: u64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn open(db: &Path) -> Result<SqliteConnection, String> {
    let mut conn = SqliteConnection::establish(&db.display().to_string())
        .map_err(|e| format!("cannot open {}: {e}", db.display()))?;
    // The server may be writing; wait for its locks rather than fail.
    let _ = diesel::sql_query("PRAGMA busy_timeout = 10000").execute(&mut conn);
    Ok(conn)
}

/// Counts the transactions, stopped transactions and meter value rows of chargers whose id
/// starts with `<prefix>-`.
pub fn count(db: &Path, prefix: &str) -> Result<DataCheck, String> {
    let mut conn = open(db)?;
    let like = format!("{prefix}-%");
    let mut count = |sql: &str| -> Result<u64, String> {
        diesel::sql_query(sql)
            .bind::<Text, _>(&like)
            .get_result::<Count>(&mut conn)
            .map(|r| r.n as u64)
            .map_err(|e| format!("data check: {e}"))
    };
    Ok(DataCheck {
        starts_found: count("SELECT count(*) AS n FROM transactions WHERE charge_point_id LIKE ?")?,
        stops_found: count(
            "SELECT count(*) AS n FROM transactions WHERE charge_point_id LIKE ? AND stop_time IS NOT NULL",
        )?,
        meter_rows_found: count("SELECT count(*) AS n FROM meter_values WHERE charge_point_id LIKE ?")?,
    })
}

/// Makes these id tags known and Accepted (the demo's and the tests' drivers present them).
pub fn seed_id_tags(db: &Path, tags: &[String]) -> Result<(), String> {
    let mut conn = open(db)?;
    for tag in tags {
        diesel::sql_query(
            "INSERT OR IGNORE INTO id_tags (id_tag, status, created_at, updated_at) \
             VALUES (?, 'Accepted', datetime('now'), datetime('now'))",
        )
        .bind::<Text, _>(tag)
        .execute(&mut conn)
        .map_err(|e| format!("cannot add id tag {tag}: {e}"))?;
    }
    Ok(())
}
