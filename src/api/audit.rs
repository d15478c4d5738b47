//! The audit log: who did what to which target, with what result, when.

use super::auth::Admin;
use super::error::ApiError;
use super::{Page, PageParams};
use crate::db::schema::audit_log;
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix_web::{get, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

/// Writes one audit row on `conn`: inside a write, it commits together with the change it
/// records.
pub fn insert(
    conn: &mut crate::db::DbConn,
    actor: &str,
    action: &str,
    target: Option<&str>,
    request: Option<&serde_json::Value>,
    result: &str,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor.eq(actor),
            audit_log::action.eq(action),
            audit_log::target.eq(target),
            audit_log::request.eq(request.map(|r| r.to_string())),
            audit_log::result.eq(result),
            audit_log::created_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(conn)
        .map(drop)
}

/// Records one command or change. Failing to record is logged, never hidden from the log file.
pub async fn record(
    services: &Services,
    actor: &str,
    action: &str,
    target: Option<&str>,
    request: Option<&serde_json::Value>,
    result: &str,
) {
    let (actor, action, target) = (
        actor.to_owned(),
        action.to_owned(),
        target.map(str::to_owned),
    );
    let (request, result) = (request.cloned(), result.to_owned());
    let written = crate::db::write(&services.writer, move |c| {
        insert(
            c,
            &actor,
            &action,
            target.as_deref(),
            request.as_ref(),
            &result,
        )
    })
    .await;
    if let Err(e) = written {
        log::error!("audit record lost: {e}");
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: i32,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    /// The request as JSON text.
    pub request: Option<String>,
    pub result: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
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
    let (limit, offset) = page.resolve()?;
    let filter = filter.into_inner();
    let (items, total) = crate::db::read(&services.pool, move |c| {
        let query = || {
            let mut q = audit_log::table.into_boxed();
            if let Some(a) = &filter.actor {
                q = q.filter(audit_log::actor.eq(a.clone()));
            }
            if let Some(a) = &filter.action {
                q = q.filter(audit_log::action.eq(a.clone()));
            }
            if let Some(t) = &filter.target {
                q = q.filter(audit_log::target.eq(t.clone()));
            }
            q
        };
        let total: i64 = query().count().get_result(c)?;
        let items = query()
            .order(audit_log::id.desc())
            .limit(limit)
            .offset(offset)
            .select((
                audit_log::id,
                audit_log::actor,
                audit_log::action,
                audit_log::target,
                audit_log::request,
                audit_log::result,
                audit_log::created_at,
            ))
            .load::<(
                i32,
                String,
                String,
                Option<String>,
                Option<String>,
                String,
                NaiveDateTime,
            )>(c)?;
        Ok((items, total))
    })
    .await?;
    let items = items
        .into_iter()
        .map(
            |(id, actor, action, target, request, result, at)| AuditEntry {
                id,
                actor,
                action,
                target,
                request,
                result,
                created_at: Timestamp::from_naive(at),
            },
        )
        .collect();
    Ok(web::Json(Page {
        items,
        total,
        limit,
        offset,
    }))
}
