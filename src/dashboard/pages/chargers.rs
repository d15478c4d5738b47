//! The chargers: a searchable, filterable, sortable, paged table with live status; several or
//! all selected chargers get ChangeConfiguration, Reset or ChangeAvailability at once; an
//! admin pre-registers a charger here.

use super::{page_request, query_string, Pager};
use crate::api::auth::Role;
use crate::api::commands::send::send;
use crate::api::resources::chargers::{self as api, Charger, ChargerFilter, Defaults, NewCharger};
use crate::api::resources::SortParams;
use crate::dashboard::error::PageError;
use crate::dashboard::form::Posted;
use crate::dashboard::operations::{names, status_of};
use crate::dashboard::session::Person;
use crate::dashboard::view::{self, Frame, Nav, When};
use crate::db::chargers as store;
use crate::ocpp::v16::change_availability::{AvailabilityType, ChangeAvailabilityRequest};
use crate::ocpp::v16::change_configuration::ChangeConfigurationRequest;
use crate::ocpp::v16::reset::{ResetRequest, ResetType};
use crate::ocpp::v16::status_notification::ChargePointStatus;
use crate::services::Services;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Chargers one bulk action reaches at most.
pub const MAX_BULK: usize = 20_000;

#[derive(Debug, Default, Deserialize)]
pub struct ChargersQuery {
    q: Option<String>,
    status: Option<String>,
    online: Option<String>,
    vendor: Option<String>,
    model: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    offset: Option<i64>,
}

impl ChargersQuery {
    fn filter(&self) -> ChargerFilter {
        ChargerFilter {
            status: self.status.clone(),
            online: self.online.clone(),
            vendor: self.vendor.clone(),
            model: self.model.clone(),
            q: self.q.clone(),
        }
    }

    fn filter_pairs(&self) -> Vec<(&'static str, Option<&str>)> {
        vec![
            ("q", self.q.as_deref()),
            ("status", self.status.as_deref()),
            ("online", self.online.as_deref()),
            ("vendor", self.vendor.as_deref()),
            ("model", self.model.as_deref()),
        ]
    }
}

#[derive(Serialize)]
struct Row {
    id: String,
    href: String,
    online: bool,
    registration: String,
    vendor: String,
    model: String,
    firmware: String,
    connectors: Vec<ConnectorCell>,
    last_seen: Option<When>,
    energy: String,
}

#[derive(Serialize)]
struct ConnectorCell {
    key: String,
    connector_id: i32,
    status: String,
    class: &'static str,
}

fn row(c: Charger) -> Row {
    Row {
        href: format!("/chargers/{}", view::url_encode(&c.id)),
        online: c.online,
        registration: c
            .registration_status
            .unwrap_or_else(|| "never booted".into()),
        vendor: c.vendor.unwrap_or_default(),
        model: c.model.unwrap_or_default(),
        firmware: c.firmware_version.unwrap_or_default(),
        connectors: c
            .connectors
            .into_iter()
            .filter(|k| k.connector_id > 0)
            .map(|k| ConnectorCell {
                key: format!("{}/{}", c.id, k.connector_id),
                connector_id: k.connector_id,
                class: view::status_class(&k.status),
                status: k.status,
            })
            .collect(),
        last_seen: c.last_seen.map(|t| When::of(t.naive())),
        energy: view::kwh(c.energy_wh),
        id: c.id,
    }
}

#[derive(Serialize)]
struct SortLink {
    label: &'static str,
    href: String,
    /// `▲`, `▼` or empty.
    mark: &'static str,
}

#[derive(Serialize)]
struct ChargersView {
    frame: Frame,
    rows: Vec<Row>,
    pager: Pager,
    q: String,
    status: String,
    online: String,
    vendor: String,
    model: String,
    statuses: Vec<&'static str>,
    sorts: Vec<SortLink>,
    /// The filter as hidden fields of the bulk form ("all matching").
    filter_fields: Vec<(String, String)>,
    ids: String,
    reset_types: Vec<String>,
    availability_types: Vec<String>,
    error: Option<String>,
}

fn sort_links(query: &ChargersQuery, current: crate::db::page::Sort) -> Vec<SortLink> {
    [
        ("Id", "id"),
        ("Vendor", "vendor"),
        ("Model", "model"),
        ("Last seen", "lastSeen"),
    ]
    .into_iter()
    .map(|(label, field)| {
        let here = current.field == field;
        let order = if here && !current.desc { "desc" } else { "asc" };
        let mut pairs = query.filter_pairs();
        pairs.push(("sort", Some(field)));
        pairs.push(("order", Some(order)));
        SortLink {
            label,
            href: format!("?{}", query_string(&pairs)),
            mark: match (here, current.desc) {
                (true, false) => "▲",
                (true, true) => "▼",
                _ => "",
            },
        }
    })
    .collect()
}

/// `GET /chargers`.
pub async fn page(
    person: Person,
    services: web::Data<Services>,
    query: web::Query<ChargersQuery>,
) -> Result<HttpResponse, PageError> {
    render(&person, &services, &query, None).await
}

async fn render(
    person: &Person,
    services: &Services,
    query: &ChargersQuery,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let request = page_request(query.offset)?;
    let filter = query.filter().check()?;
    let sort = SortParams {
        sort: query.sort.clone(),
        order: query.order.clone(),
    }
    .resolve(&store::SORTS, store::DEFAULT_SORT)?;
    let defaults = Defaults::of(services);
    let found = crate::db::read(&services.pool, move |c| {
        store::page(c, &filter, sort, request)
    })
    .await?;
    let found = found.map(|c| api::to_charger(c, defaults));
    let mut pairs = query.filter_pairs();
    pairs.push(("sort", query.sort.as_deref()));
    pairs.push(("order", query.order.as_deref()));
    let pager = Pager::of(&found, &query_string(&pairs));
    let rows: Vec<Row> = found.items.into_iter().map(row).collect();
    let ids = rows
        .iter()
        .map(|r| r.id.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let view = ChargersView {
        frame: person.frame("Chargers", Nav::Chargers, "chargers"),
        pager,
        q: text(&query.q),
        status: text(&query.status),
        online: text(&query.online),
        vendor: text(&query.vendor),
        model: text(&query.model),
        statuses: ChargePointStatus::ALL
            .map(ChargePointStatus::as_str)
            .to_vec(),
        sorts: sort_links(query, sort),
        filter_fields: query
            .filter_pairs()
            .into_iter()
            .filter_map(|(k, v)| {
                v.filter(|v| !v.is_empty())
                    .map(|v| (k.to_owned(), v.to_owned()))
            })
            .collect(),
        ids,
        rows,
        reset_types: names(&ResetType::ALL),
        availability_types: names(&AvailabilityType::ALL),
        error,
    };
    view::page("chargers", &view, person)
}

/// `POST /chargers`: pre-register a charger (admin).
pub async fn register(
    person: Person,
    services: web::Data<Services>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    form.check(&person)?;
    person.require(Role::Admin)?;
    let id = form.get("id").unwrap_or_default().to_owned();
    let new = NewCharger {
        id: id.clone(),
        registration_status: None,
        password: form.get("password").map(str::to_owned),
    };
    match api::register(&services, &person.caller, new).await {
        Ok(c) => Ok(view::redirect(
            &format!("/chargers/{}", view::url_encode(&c.id)),
            &format!("Charger {} registered.", c.id),
        )),
        Err(e) => {
            render(
                &person,
                &services,
                &ChargersQuery::default(),
                Some(e.to_string()),
            )
            .await
        }
    }
}

/// The chargers a bulk action is for: the ticked ones, or every one matching the filter.
async fn targets(services: &Services, form: &Posted) -> Result<Vec<String>, PageError> {
    if form.get("scope") != Some("all") {
        return Ok(form.all("ids").into_iter().map(str::to_owned).collect());
    }
    let filter = ChargerFilter {
        status: form.get("status").map(str::to_owned),
        online: form.get("online").map(str::to_owned),
        vendor: form.get("vendor").map(str::to_owned),
        model: form.get("model").map(str::to_owned),
        q: form.get("q").map(str::to_owned),
    }
    .check()?;
    let mut ids = Vec::new();
    loop {
        let (filter, offset) = (filter.clone(), ids.len() as i64);
        let request = crate::db::page::PageRequest {
            limit: 1000,
            offset,
        };
        let page = crate::db::read(&services.pool, move |c| {
            store::page(c, &filter, store::DEFAULT_SORT, request)
        })
        .await?;
        let got = page.items.len();
        ids.extend(page.items.into_iter().map(|c| c.charge_point.id));
        if got < 1000 || ids.len() >= MAX_BULK {
            break;
        }
    }
    ids.truncate(MAX_BULK);
    Ok(ids)
}

/// Counts of outcomes: `Accepted: 3, offline: 1`.
fn summary(outcomes: Vec<String>) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for o in outcomes {
        *counts.entry(o).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(o, n)| format!("{o}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What an API error says in a summary: its status's short name.
fn outcome_of(e: &crate::api::error::ApiError) -> String {
    use actix_web::ResponseError;
    match e.status_code().as_u16() {
        404 => "unknown".into(),
        409 => "offline".into(),
        502 => "charger error".into(),
        504 => "no answer".into(),
        _ => e.to_string(),
    }
}

/// `POST /chargers/bulk`: ChangeConfiguration, Reset or ChangeAvailability to the selected
/// chargers (operator), sent concurrently; the outcomes are counted in the notice.
pub async fn bulk(
    person: Person,
    services: web::Data<Services>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    form.check(&person)?;
    person.require(Role::Operator)?;
    let back = |message: String| Ok(view::redirect("/chargers", &message));
    let ids = targets(&services, &form).await?;
    if ids.is_empty() {
        return back("Select at least one charger (or all matching).".into());
    }
    let caller = &person.caller;
    let outcomes: Vec<String> = match form.get("action") {
        Some("configure") => {
            let request: ChangeConfigurationRequest =
                match crate::api::commands::send::parse_request(
                    &serde_json::json!({"key": form.get("key").unwrap_or_default(), "value": form.raw("value").unwrap_or_default()}),
                ) {
                    Ok(r) => r,
                    Err(e) => return back(format!("Nothing sent: {e}")),
                };
            futures_util::future::join_all(
                ids.iter()
                    .map(|id| send(&services, caller, id, request.clone())),
            )
            .await
            .into_iter()
            .map(|r| r.map_or_else(|e| outcome_of(&e), |a| status_of(&a)))
            .collect()
        }
        Some("reset") => {
            let kind = match form.get("type") {
                Some("Hard") => ResetType::Hard,
                _ => ResetType::Soft,
            };
            futures_util::future::join_all(
                ids.iter()
                    .map(|id| send(&services, caller, id, ResetRequest { kind })),
            )
            .await
            .into_iter()
            .map(|r| r.map_or_else(|e| outcome_of(&e), |a| status_of(&a)))
            .collect()
        }
        Some("availability") => {
            let kind = match form.get("availability") {
                Some("Inoperative") => AvailabilityType::Inoperative,
                _ => AvailabilityType::Operative,
            };
            let request = ChangeAvailabilityRequest {
                connector_id: 0,
                kind,
            };
            futures_util::future::join_all(
                ids.iter()
                    .map(|id| send(&services, caller, id, request.clone())),
            )
            .await
            .into_iter()
            .map(|r| r.map_or_else(|e| outcome_of(&e), |a| status_of(&a)))
            .collect()
        }
        _ => return back("Choose what to send.".into()),
    };
    let action = match form.get("action") {
        Some("configure") => "ChangeConfiguration",
        Some("reset") => "Reset",
        _ => "ChangeAvailability",
    };
    back(format!(
        "{action} sent to {} chargers. {}",
        outcomes.len(),
        summary(outcomes)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_counted() {
        assert_eq!(
            summary(vec!["Accepted".into(), "offline".into(), "Accepted".into()]),
            "Accepted: 2, offline: 1"
        );
    }
}
