//! The charging profile library: named profiles to install with SetChargingProfile.

use super::{page_request, Pager};
use crate::dashboard::error::PageError;
use crate::dashboard::session::Person;
use crate::dashboard::view::{self, Frame, Nav, When};
use crate::db::charging_profiles as store;
use crate::services::Services;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
pub struct ProfilesQuery {
    offset: Option<i64>,
}

#[derive(Serialize)]
struct Row {
    id: i32,
    name: String,
    profile: String,
    created: When,
}

#[derive(Serialize)]
struct ProfilesView {
    frame: Frame,
    rows: Vec<Row>,
    pager: Pager,
}

/// `GET /profiles`.
pub async fn page(
    person: Person,
    services: web::Data<Services>,
    query: web::Query<ProfilesQuery>,
) -> Result<HttpResponse, PageError> {
    let request = page_request(query.offset)?;
    let found = crate::db::read(&services.pool, move |c| store::page(c, request)).await?;
    let pager = Pager::of(&found, "");
    let rows = found
        .items
        .into_iter()
        .map(|p| Row {
            id: p.id,
            name: p.name,
            profile: p.profile,
            created: When::of(p.created_at),
        })
        .collect();
    let view = ProfilesView {
        frame: person.frame("Charging profile library", Nav::Profiles, ""),
        rows,
        pager,
    };
    view::page("profiles", &view, &person)
}
