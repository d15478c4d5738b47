//! Reservations of every charger, newest first, with their status.

use super::{page_request, Pager};
use crate::dashboard::error::PageError;
use crate::dashboard::session::Person;
use crate::dashboard::view::{self, Frame, Nav, When};
use crate::db::reservations as store;
use crate::services::Services;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
pub struct ReservationsQuery {
    offset: Option<i64>,
}

#[derive(Serialize)]
struct Row {
    id: i32,
    charger: String,
    charger_href: String,
    connector_id: i32,
    id_tag: String,
    expiry: When,
    status: String,
    transaction_id: Option<i32>,
}

#[derive(Serialize)]
struct ReservationsView {
    frame: Frame,
    rows: Vec<Row>,
    pager: Pager,
}

/// `GET /reservations`.
pub async fn page(
    person: Person,
    services: web::Data<Services>,
    query: web::Query<ReservationsQuery>,
) -> Result<HttpResponse, PageError> {
    let request = page_request(query.offset)?;
    let now = chrono::Utc::now().naive_utc();
    let found = crate::db::read(&services.pool, move |c| {
        store::page(c, &store::Filter::default(), request, now)
    })
    .await?;
    let pager = Pager::of(&found, "");
    let rows = found
        .items
        .into_iter()
        .map(|r| Row {
            charger_href: format!("/chargers/{}", view::url_encode(&r.charge_point_id)),
            id: r.id,
            charger: r.charge_point_id,
            connector_id: r.connector_id,
            id_tag: r.id_tag,
            expiry: When::of(r.expiry_date),
            status: r.status,
            transaction_id: r.transaction_id,
        })
        .collect();
    let view = ReservationsView {
        frame: person.frame("Reservations", Nav::Reservations, ""),
        rows,
        pager,
    };
    view::page("reservations", &view, &person)
}
