//! The audit log: every command and change, newest first, filtered by actor, action or
//! target.

use super::{page_request, query_string, Pager};
use crate::dashboard::error::PageError;
use crate::dashboard::session::Person;
use crate::dashboard::view::{self, Frame, Nav, When};
use crate::db::audit::{self as store, AuditFilter};
use crate::services::Services;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
    offset: Option<i64>,
}

#[derive(Serialize)]
struct Row {
    at: When,
    actor: String,
    action: String,
    target: String,
    request: String,
    result: String,
}

#[derive(Serialize)]
struct AuditView {
    frame: Frame,
    rows: Vec<Row>,
    pager: Pager,
    actor: String,
    action: String,
    target: String,
}

/// `GET /audit`.
pub async fn page(
    person: Person,
    services: web::Data<Services>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    let some = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
    let filter = AuditFilter {
        actor: some(&query.actor),
        action: some(&query.action),
        target: some(&query.target),
    };
    let request = page_request(query.offset)?;
    let found = crate::db::read(&services.pool, move |c| store::page(c, &filter, request)).await?;
    let base = query_string(&[
        ("actor", query.actor.as_deref()),
        ("action", query.action.as_deref()),
        ("target", query.target.as_deref()),
    ]);
    let pager = Pager::of(&found, &base);
    let rows = found
        .items
        .into_iter()
        .map(|e| Row {
            at: When::of(e.created_at),
            actor: e.actor,
            action: e.action,
            target: e.target.unwrap_or_default(),
            request: e.request.unwrap_or_default(),
            result: e.result,
        })
        .collect();
    let view = AuditView {
        frame: person.frame("Audit log", Nav::Audit, ""),
        rows,
        pager,
        actor: query.actor.clone().unwrap_or_default(),
        action: query.action.clone().unwrap_or_default(),
        target: query.target.clone().unwrap_or_default(),
    };
    view::page("audit", &view, &person)
}
