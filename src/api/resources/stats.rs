//! The figures the dashboard shows: the fleet by status, online count, active sessions, and
//! energy and sessions per day.

use crate::api::auth::Viewer;
use crate::api::error::ApiError;
use crate::db::stats as store;
use crate::services::Services;
use actix_web::{get, web};
use chrono::Days;
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

impl From<store::Figures> for Stats {
    fn from(f: store::Figures) -> Self {
        Stats {
            chargers: f.chargers,
            online: f.online,
            offline: f.chargers - f.online,
            chargers_by_status: f.chargers_by_status,
            connectors_by_status: f.connectors_by_status,
            active_sessions: f.active_sessions,
            days: f.days.into_iter().map(Day::from).collect(),
        }
    }
}

impl From<store::Day> for Day {
    fn from(d: store::Day) -> Self {
        Day {
            date: d.date.format("%Y-%m-%d").to_string(),
            sessions: d.sessions,
            energy_wh: d.energy_wh,
        }
    }
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
    let figures = crate::db::read(&services.pool, move |c| store::figures(c, first, today)).await?;
    Ok(web::Json(Stats::from(figures)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_checked() {
        assert_eq!(parse_days(None).unwrap(), 30);
        assert_eq!(parse_days(Some("7")).unwrap(), 7);
        for bad in ["0", "367", "week", "-1"] {
            assert!(parse_days(Some(bad))
                .unwrap_err()
                .to_string()
                .starts_with("days:"));
        }
    }
}
