//! The data check: counts in the server's database, through the server's own store, what the
//! chargers of this run (all ids starting with `<prefix>-`) left there, to compare with what
//! the server confirmed.
//! Also seeds id tags for the demo and the tests.

use std::path::Path;

/// What the database holds of what this run's chargers sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataCheck {
    pub starts_found: u64,
    pub stops_found: u64,
    pub meter_rows_found: u64,
}

/// The server's database, through its own store: `db` is a database URL (`sqlite://…`) or
/// the path of a SQLite file.
pub(crate) fn store(db: &Path) -> Result<csms::db::Pool, String> {
    let text = db.display().to_string();
    let url = if text.contains("://") {
        text
    } else if db.exists() {
        format!("sqlite://{text}")
    } else {
        return Err(format!("data check: no database at {text}"));
    };
    let config = csms::config::DatabaseConfig {
        url,
        ..Default::default()
    };
    csms::db::open_with(&config, csms::db::Schema::MustBeCurrent)
        .map(|(pool, _)| pool)
        .map_err(|e| format!("data check: {e}"))
}

/// Counts the transactions, stopped transactions and meter value rows of chargers whose id
/// starts with `<prefix>-`.
pub fn count(db: &Path, prefix: &str) -> Result<DataCheck, String> {
    let pool = store(db)?;
    let mut conn = pool.get().map_err(|e| format!("data check: {e}"))?;
    let found =
        csms::db::fleet_counts::count(&mut conn, prefix).map_err(|e| format!("data check: {e}"))?;
    Ok(DataCheck {
        starts_found: found.transactions,
        stops_found: found.stopped_transactions,
        meter_rows_found: found.meter_value_rows,
    })
}

/// Makes these id tags known and Accepted (the demo's and the tests' drivers present them),
/// through the server's store.
pub fn seed_id_tags(db: &Path, tags: &[String]) -> Result<(), String> {
    let pool = store(db)?;
    let mut conn = pool.get().map_err(|e| format!("cannot add id tags: {e}"))?;
    let rows: Vec<_> = tags
        .iter()
        .map(|tag| csms::db::id_tags::ImportRow {
            id_tag: tag.clone(),
            status: csms::db::id_tags::TagStatus::Accepted,
            expiry_date: None,
            parent_id_tag: None,
        })
        .collect();
    let now = chrono::Utc::now().naive_utc();
    csms::db::id_tags::import(&mut conn, &rows, now, None)
        .map(drop)
        .map_err(|e| format!("cannot add id tags: {e}"))
}
