//! The audit log: who did what to which target, with what result, when. Changes to stored data
//! write their row in the same commit (see [`audit_row`]); commands to chargers, whose effect is
//! at the charger, write it once answered ([`record`]).

use super::auth::{Admin, Caller};
use super::error::ApiError;
use super::{Page, PageParams};
use crate::db::audit::{self as store, AuditRow};
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix_web::{get, web};
use serde::{Deserialize, Serialize};

/// The audit row for `caller` doing `action`, to be written with the change it records.
pub fn audit_row(
    caller: &Caller,
    action: &str,
    target: Option<&str>,
    request: Option<&serde_json::Value>,
    result: &str,
) -> AuditRow {
    AuditRow {
        actor: caller.name.clone(),
        action: action.to_owned(),
        target: target.map(str::to_owned),
        request: request.cloned(),
        result: result.to_owned(),
    }
}

/// Records one command or change in a commit of its own. Failing to record is logged, never
/// hidden from the log file.
pub async fn record(
    services: &Services,
    actor: &str,
    action: &str,
    target: Option<&str>,
    request: Option<&serde_json::Value>,
    result: &str,
) {
    let row = AuditRow {
        actor: actor.to_owned(),
        action: action.to_owned(),
        target: target.map(str::to_owned),
        request: request.cloned(),
        result: result.to_owned(),
    };
    let written = crate::db::write(&services.writer, move |c| store::insert(c, &row)).await;
    if let Err(e) = written {
        log::error!("audit record lost: {e}");
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    /// The request as JSON text.
    pub request: Option<String>,
    pub result: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<store::AuditEntry> for AuditEntry {
    fn from(e: store::AuditEntry) -> Self {
        AuditEntry {
            id: e.id,
            actor: e.actor,
            action: e.action,
            target: e.target,
            request: e.request,
            result: e.result,
            created_at: Timestamp::from_naive(e.created_at),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Exact actor, e.g. `user:admin`.
    pub actor: Option<String>,
    /// Exact action, e.g. `RemoteStartTransaction`.
    pub action: Option<String>,
    /// Exact target, e.g. a charge point id.
    pub target: Option<String>,
}

/// The audit log, newest first.
#[utoipa::path(tag = "audit", params(AuditFilter, PageParams),
    responses((status = 200, body = Page<AuditEntry>)), security(("bearer" = ["admin"])))]
#[get("/audit")]
pub async fn list(
    _: Admin,
    services: web::Data<Services>,
    filter: web::Query<AuditFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AuditEntry>>, ApiError> {
    let page = page.request()?;
    let AuditFilter {
        actor,
        action,
        target,
    } = filter.into_inner();
    let filter = store::AuditFilter {
        actor,
        action,
        target,
    };
    let entries = crate::db::read(&services.pool, move |c| store::page(c, &filter, page)).await?;
    Ok(web::Json(entries.map(AuditEntry::from)))
}
