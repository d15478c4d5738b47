//! The audit log: who did what to which target, with what result, when. A change and its audit
//! row are written on the same connection inside one write, so they commit together.

use super::page::{Page, PageRequest};
use super::schema::audit_log;
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One audit row to write.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub request: Option<serde_json::Value>,
    pub result: String,
}

/// One audit row as stored.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    /// The request as JSON text.
    pub request: Option<String>,
    pub result: String,
    pub created_at: NaiveDateTime,
}

/// Exact matches; `None` matches all.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
}

pub fn insert(c: &mut DbConn, row: &AuditRow) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor.eq(&row.actor),
            audit_log::action.eq(&row.action),
            audit_log::target.eq(&row.target),
            audit_log::request.eq(row.request.as_ref().map(|r| r.to_string())),
            audit_log::result.eq(&row.result),
            audit_log::created_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(c)
        .map(drop)
}

/// [`insert`] when there is a row to write.
pub fn insert_opt(c: &mut DbConn, row: Option<&AuditRow>) -> QueryResult<()> {
    row.map_or(Ok(()), |row| insert(c, row))
}

type Row = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    NaiveDateTime,
);

/// Newest first.
pub fn page(
    c: &mut DbConn,
    filter: &AuditFilter,
    page: PageRequest,
) -> QueryResult<Page<AuditEntry>> {
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
    let rows: Vec<Row> = query()
        .order(audit_log::id.desc())
        .limit(page.limit)
        .offset(page.offset)
        .select((
            audit_log::id,
            audit_log::actor,
            audit_log::action,
            audit_log::target,
            audit_log::request,
            audit_log::result,
            audit_log::created_at,
        ))
        .load(c)?;
    let items = rows
        .into_iter()
        .map(
            |(id, actor, action, target, request, result, created_at)| AuditEntry {
                id,
                actor,
                action,
                target,
                request,
                result,
                created_at,
            },
        )
        .collect();
    Ok(page.of(items, total))
}
