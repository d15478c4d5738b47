//! A synthetic charging history for benchmarks of the history queries: `n` completed
//! transactions, one a minute from 2024-01-01 UTC, on 1,000 chargers `<prefix>-<k>` (two
//! connectors each) and 5,000 id tags `<prefix>-TAG-<k>`, each 30 minutes and 7 kWh long.

use super::{Backend, DbConn};
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryResult, RunQueryDsl};

/// Inserts `n` chargers `<prefix>-<k>` (k from 0), offline, of a few vendors and models, with
/// two connectors each in a spread of statuses (for benchmarks of the fleet's pages); returns
/// the chargers written.
pub fn seed_chargers(c: &mut DbConn, prefix: &str, n: i64) -> QueryResult<usize> {
    let (series, now, param_p) = match c.backend() {
        Backend::Sqlite => (
            "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?1) ",
            "strftime('%Y-%m-%d %H:%M:%f', 'now')",
            "?2",
        ),
        Backend::Postgres => ("", "now()", "$2"),
    };
    let from = match c.backend() {
        Backend::Sqlite => "seq",
        Backend::Postgres => "generate_series(0::bigint, $1 - 1) AS seq(i)",
    };
    let vendors = "CASE i % 4 WHEN 0 THEN 'Voltaro' WHEN 1 THEN 'Lumen EV' WHEN 2 THEN 'Ampere' ELSE 'Northgrid' END";
    let charged = diesel::sql_query(format!(
        "{series}INSERT INTO charge_points (id, vendor, model, firmware_version, connected, \
             created_at, last_seen, boot_status, connection_replacements) \
         SELECT {param_p} || '-' || i, {vendors}, 'Model ' || (i % 7), '1.' || (i % 5), false, \
             {now}, {now}, 'Accepted', 0 FROM {from}"
    ))
    .bind::<BigInt, _>(n)
    .bind::<Text, _>(prefix)
    .execute(c)?;
    let statuses =
        "CASE i % 10 WHEN 0 THEN 'Charging' WHEN 1 THEN 'Charging' WHEN 2 THEN 'Preparing' \
        WHEN 3 THEN 'Faulted' WHEN 4 THEN 'Unavailable' ELSE 'Available' END";
    for connector in [1, 2] {
        diesel::sql_query(format!(
            "{series}INSERT INTO connectors (charge_point_id, connector_id, status, error_code, \
                 status_at, updated_at) \
             SELECT {param_p} || '-' || i, {connector}, {statuses}, 'NoError', {now}, {now} FROM {from}"
        ))
        .bind::<BigInt, _>(n)
        .bind::<Text, _>(prefix)
        .execute(c)?;
    }
    Ok(charged)
}

/// Inserts the history in one statement; returns the rows written.
pub fn seed(c: &mut DbConn, prefix: &str, n: i64) -> QueryResult<usize> {
    const COLUMNS: &str = "charge_point_id, connector_id, id_tag, id_tag_status, start_time, \
        meter_start, stop_time, meter_stop, stop_reason, started_at, stopped_at, ended_by, \
        start_answer_lost";
    let sql = match c.backend() {
        Backend::Sqlite => format!(
            "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?1), \
             at(i, start, stop) AS (SELECT i, \
                 strftime('%Y-%m-%d %H:%M:%f', '2024-01-01', '+' || (i * 60) || ' seconds'), \
                 strftime('%Y-%m-%d %H:%M:%f', '2024-01-01', '+' || (i * 60 + 1800) || ' seconds') \
                 FROM seq) \
             INSERT INTO transactions ({COLUMNS}) \
             SELECT ?2 || '-' || (i % 1000), 1 + i % 2, ?2 || '-TAG-' || (i % 5000), 'Accepted', \
                 start, i * 10000, stop, i * 10000 + 7000, 'EVDisconnected', start, stop, \
                 'Charger', 0 FROM at"
        ),
        Backend::Postgres => format!(
            "INSERT INTO transactions ({COLUMNS}) \
             SELECT $2 || '-' || (i % 1000), 1 + i % 2, $2 || '-TAG-' || (i % 5000), 'Accepted', \
                 t, i * 10000, t + interval '30 minutes', i * 10000 + 7000, 'EVDisconnected', \
                 t, t + interval '30 minutes', 'Charger', false \
             FROM generate_series(0::bigint, $1 - 1) AS i, \
                 LATERAL (SELECT timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute') \
                 AS s(t)"
        ),
    };
    diesel::sql_query(sql)
        .bind::<BigInt, _>(n)
        .bind::<Text, _>(prefix)
        .execute(c)
}
