//! The figures the dashboard shows: the fleet by status, online count, active sessions, and
//! energy and sessions per day.

use crate::api::auth::Viewer;
use crate::api::error::ApiError;
use crate::db::schema::{charge_points as cp, connectors, transactions as tx};
use crate::services::Services;
use actix_web::{get, web};
use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most days `?days=` may ask for.
const MAX_DAYS: u32 = 366;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// Days of per-day figures, ending today (UTC); 1-366, default 30.
    #[param(value_type = Option<u32>)]
    pub days: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Known chargers.
    pub chargers: i64,
    /// Chargers connected now.
    pub online: i64,
    pub offline: i64,
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub date: String,
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

fn parse_days(days: Option<&str>) -> Result<u32, ApiError> {
    let Some(d) = days.filter(|d| !d.is_empty()) else {
        return Ok(30);
    };
    d.parse::<u32>()
        .ok()
        .filter(|d| (1..=MAX_DAYS).contains(d))
        .ok_or_else(|| {
            ApiError::invalid(format!("days: {d:?} is not a number from 1 to {MAX_DAYS}"))
        })
}

/// Every day from `first` to `last`, with the figures of those that have any.
fn fill_days(first: NaiveDate, last: NaiveDate, rows: Vec<DayRow>) -> Vec<Day> {
    let mut known: BTreeMap<String, DayRow> =
        rows.into_iter().map(|r| (r.day.clone(), r)).collect();
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|d| {
            let date = d.format("%Y-%m-%d").to_string();
            let row = known.remove(&date);
            Day {
                sessions: row.as_ref().map_or(0, |r| r.sessions),
                energy_wh: row.as_ref().map_or(0, |r| r.energy_wh),
                date,
            }
        })
        .collect()
}

/// Fleet and session figures.
#[utoipa::path(tag = "stats", params(StatsParams),
    responses((status = 200, body = Stats), (status = 422)), security(("bearer" = ["viewer"])))]
#[get("/stats")]
pub async fn stats(
    _: Viewer,
    services: web::Data<Services>,
    params: web::Query<StatsParams>,
) -> Result<web::Json<Stats>, ApiError> {
    let days = parse_days(params.days.as_deref())?;
    let today = chrono::Utc::now().date_naive();
    let first = today
        .checked_sub_days(Days::new(u64::from(days - 1)))
        .unwrap_or(today);
    let since = first.and_hms_opt(0, 0, 0).unwrap_or_default();
    let figures = crate::db::read(&services.pool, move |c| {
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
        let active_sessions: i64 = tx::table
            .filter(tx::stop_time.is_null())
            .count()
            .get_result(c)?;
        let per_day: Vec<DayRow> = diesel::sql_query(
            "SELECT substr(start_time, 1, 10) AS day, COUNT(*) AS sessions, \
                    CAST(COALESCE(SUM(meter_stop - meter_start), 0) AS INTEGER) AS energy_wh \
             FROM transactions WHERE start_time >= ? GROUP BY day",
        )
        .bind::<diesel::sql_types::Timestamp, _>(since)
        .load(c)?;
        Ok(Stats {
            chargers,
            online,
            offline: chargers - online,
            chargers_by_status,
            connectors_by_status,
            active_sessions,
            days: fill_days(first, today, per_day),
        })
    })
    .await?;
    Ok(web::Json(figures))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_checked_and_filled() {
        assert_eq!(parse_days(None).unwrap(), 30);
        assert_eq!(parse_days(Some("7")).unwrap(), 7);
        for bad in ["0", "367", "week", "-1"] {
            assert!(parse_days(Some(bad))
                .unwrap_err()
                .to_string()
                .starts_with("days:"));
        }
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let rows = vec![DayRow {
            day: "2026-03-02".into(),
            sessions: 2,
            energy_wh: 500,
        }];
        let filled = fill_days(d("2026-03-01"), d("2026-03-03"), rows);
        let got: Vec<(&str, i64, i64)> = filled
            .iter()
            .map(|x| (x.date.as_str(), x.sessions, x.energy_wh))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-03-01", 0, 0),
                ("2026-03-02", 2, 500),
                ("2026-03-03", 0, 0)
            ]
        );
    }
}
