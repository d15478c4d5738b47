//! The figures the dashboard shows: the fleet by status, online count, active sessions, and
//! sessions and energy per day.

use super::schema::{charge_points as cp, connectors};
use super::transactions;
use super::{Backend, DbConn};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use std::collections::BTreeMap;

/// Fleet and session figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Known chargers.
    pub chargers: i64,
    /// Chargers connected now.
    pub online: i64,
    /// For each connector status, how many chargers have a connector (1 and up) in it.
    pub chargers_by_status: BTreeMap<String, i64>,
    /// For each connector status, how many connectors (1 and up) are in it.
    pub connectors_by_status: BTreeMap<String, i64>,
    /// Transactions not stopped yet.
    pub active_sessions: i64,
    /// One entry per day, oldest first, every day present (zeros included).
    pub days: Vec<Day>,
}

/// Sessions started on a day (UTC) and the energy the completed ones among them delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    pub sessions: i64,
    pub energy_wh: i64,
}

#[derive(QueryableByName)]
struct DayRow {
    #[diesel(sql_type = Text)]
    day: String,
    #[diesel(sql_type = BigInt)]
    sessions: i64,
    #[diesel(sql_type = BigInt)]
    energy_wh: i64,
}

/// The figures now, with one [`Day`] for each day from `first` to `last`.
pub fn figures(c: &mut DbConn, first: NaiveDate, last: NaiveDate) -> QueryResult<Figures> {
    let chargers: i64 = cp::table.count().get_result(c)?;
    let online: i64 = cp::table
        .filter(cp::connected.eq(true))
        .count()
        .get_result(c)?;
    let connectors_by_status: BTreeMap<String, i64> = connectors::table
        .filter(connectors::connector_id.gt(0))
        .group_by(connectors::status)
        .select((connectors::status, diesel::dsl::count_star()))
        .load::<(String, i64)>(c)?
        .into_iter()
        .collect();
    let chargers_by_status: BTreeMap<String, i64> = connectors::table
        .filter(connectors::connector_id.gt(0))
        .group_by(connectors::status)
        .select((
            connectors::status,
            diesel::dsl::sql::<BigInt>("COUNT(DISTINCT charge_point_id)"),
        ))
        .load::<(String, i64)>(c)?
        .into_iter()
        .collect();
    let active_sessions = transactions::active_count(c)?;
    let since: NaiveDateTime = first.and_hms_opt(0, 0, 0).unwrap_or_default();
    // Days are UTC: SQLite stores times as UTC text, PostgreSQL sessions run in UTC.
    let (day, since_param) = match c.backend() {
        Backend::Sqlite => ("substr(start_time, 1, 10)", "?"),
        Backend::Postgres => ("to_char(start_time, 'YYYY-MM-DD')", "$1"),
    };
    let per_day: Vec<DayRow> = diesel::sql_query(format!(
        "SELECT {day} AS day, COUNT(*) AS sessions, \
                CAST(COALESCE(SUM(meter_stop - meter_start), 0) AS BIGINT) AS energy_wh \
         FROM transactions WHERE start_time >= {since_param} GROUP BY day"
    ))
    .bind::<diesel::sql_types::Timestamp, _>(since)
    .load(c)?;
    Ok(Figures {
        chargers,
        online,
        chargers_by_status,
        connectors_by_status,
        active_sessions,
        days: fill_days(first, last, per_day),
    })
}

/// Every day from `first` to `last`, with the figures of those that have any.
fn fill_days(first: NaiveDate, last: NaiveDate, rows: Vec<DayRow>) -> Vec<Day> {
    let mut known: BTreeMap<String, DayRow> =
        rows.into_iter().map(|r| (r.day.clone(), r)).collect();
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|date| {
            let row = known.remove(&date.format("%Y-%m-%d").to_string());
            Day {
                date,
                sessions: row.as_ref().map_or(0, |r| r.sessions),
                energy_wh: row.as_ref().map_or(0, |r| r.energy_wh),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_day_is_filled() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let rows = vec![DayRow {
            day: "2026-03-02".into(),
            sessions: 2,
            energy_wh: 500,
        }];
        let filled = fill_days(d("2026-03-01"), d("2026-03-03"), rows);
        let got: Vec<(NaiveDate, i64, i64)> = filled
            .iter()
            .map(|x| (x.date, x.sessions, x.energy_wh))
            .collect();
        assert_eq!(
            got,
            [
                (d("2026-03-01"), 0, 0),
                (d("2026-03-02"), 2, 500),
                (d("2026-03-03"), 0, 0)
            ]
        );
    }
}
