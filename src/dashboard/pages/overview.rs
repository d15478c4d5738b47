//! The overview: the fleet at a glance (chargers online, offline, faulted; connectors by
//! status; sessions; power now; energy today and this month; messages per second), energy and
//! sessions per day over 30 days, and chargers online over the last day. The tiles are live.

use crate::dashboard::chart::{self, BarChart, LineChart};
use crate::dashboard::error::PageError;
use crate::dashboard::live::Fleet;
use crate::dashboard::session::Person;
use crate::dashboard::view::{self, Frame, Nav};
use crate::services::Services;
use actix_web::{web, HttpResponse};
use chrono::{Datelike, Duration, Utc};
use serde::Serialize;
use std::sync::Arc;

/// Days the charts cover.
const DAYS: i64 = 30;

/// The tiles, as the page shows them and the live stream sends them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tiles {
    pub chargers: i64,
    pub online: i64,
    pub offline: i64,
    pub faulted: i64,
    pub active_sessions: i64,
    pub power: String,
    pub energy_today: String,
    pub energy_month: String,
    pub messages_per_second: String,
    /// `(status, connectors)`, every status that has any.
    pub connectors: Vec<StatusCount>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusCount {
    pub status: String,
    pub class: &'static str,
    pub count: i64,
}

/// The overview's figures from the database: the fleet now, and [`DAYS`] days (and this
/// month) of sessions and energy. ([`Fleet::figures`] keeps them, read in the background.)
pub async fn read_figures(services: &Services) -> Result<crate::db::stats::Figures, PageError> {
    let today = Utc::now().date_naive();
    let month_start = today.with_day(1).unwrap_or(today);
    let first = (today - Duration::days(DAYS - 1)).min(month_start);
    Ok(crate::db::read(&services.pool, move |c| {
        crate::db::stats::figures(c, first, today)
    })
    .await?)
}

/// The tiles of the figures, with the power and message rate of now.
pub fn tiles(f: &crate::db::stats::Figures, fleet: &Fleet) -> Tiles {
    let today = Utc::now().date_naive();
    let month_start = today.with_day(1).unwrap_or(today);
    let energy = |from: chrono::NaiveDate| {
        f.days
            .iter()
            .filter(|d| d.date >= from)
            .map(|d| d.energy_wh)
            .sum::<i64>()
    };
    Tiles {
        chargers: f.chargers,
        online: f.online,
        offline: f.chargers - f.online,
        faulted: f.chargers_by_status.get("Faulted").copied().unwrap_or(0),
        active_sessions: f.active_sessions,
        power: view::kw(fleet.power_w()),
        energy_today: view::kwh(energy(today)),
        energy_month: view::kwh(energy(month_start)),
        messages_per_second: format!("{:.0} /s", fleet.messages_per_second()),
        connectors: f
            .connectors_by_status
            .iter()
            .map(|(status, count)| StatusCount {
                class: view::status_class(status),
                status: status.clone(),
                count: *count,
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct OverviewView {
    frame: Frame,
    tiles: Tiles,
    energy: BarChart,
    sessions: BarChart,
    online: LineChart,
}

/// `GET /`.
pub async fn page(
    person: Person,
    services: web::Data<Services>,
    fleet: web::Data<Arc<Fleet>>,
) -> Result<HttpResponse, PageError> {
    let f = fleet.figures(&services).await?;
    let last_days: Vec<_> = f.days.iter().rev().take(DAYS as usize).rev().collect();
    let label = |d: &crate::db::stats::Day| d.date.format("%b %d").to_string();
    let energy = chart::bars(
        "Energy per day (completed sessions, kWh)",
        &last_days
            .iter()
            .map(|d| (label(d), d.energy_wh as f64 / 1000.0))
            .collect::<Vec<_>>(),
        |v| format!("{v:.1} kWh"),
    );
    let sessions = chart::bars(
        "Sessions started per day",
        &last_days
            .iter()
            .map(|d| (label(d), d.sessions as f64))
            .collect::<Vec<_>>(),
        |v| format!("{v:.0} sessions"),
    );
    let mut history: Vec<(i64, f64)> = fleet
        .online_history()
        .into_iter()
        .map(|(t, n)| (t, n as f64))
        .collect();
    history.push((Utc::now().timestamp(), services.connections.open() as f64));
    let online = chart::line(
        "Chargers online (last 24 h, sampled each minute)",
        true,
        &history,
        |t| {
            chrono::DateTime::from_timestamp(t, 0)
                .map(|d| d.format("%H:%M UTC").to_string())
                .unwrap_or_default()
        },
        |v| format!("{v:.0}"),
    );
    let view = OverviewView {
        frame: person.frame("Overview", Nav::Overview, "overview"),
        tiles: tiles(&f, &fleet),
        energy,
        sessions,
        online,
    };
    view::page("overview", &view, &person)
}
