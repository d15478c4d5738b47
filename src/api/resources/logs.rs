//! Per charger: its status history (every StatusNotification) and its message log (every
//! OCPP-J frame in and out, when `log.messages` is on).

use super::chargers::must_exist;
use super::{one_of, order_by, parse_int, parse_time, Sort, SortParams};
use crate::api::auth::Viewer;
use crate::api::error::ApiError;
use crate::api::{Page, PageParams};
use crate::db::schema::{message_log as ml, status_history as sh};
use crate::ocpp::types::Timestamp;
use crate::ocpp::v16::status_notification::ChargePointStatus;
use crate::services::Services;
use actix_web::{get, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sqlite::Sqlite;
use serde::{Deserialize, Serialize};

/// One StatusNotification as received.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    pub id: i32,
    pub connector_id: i32,
    pub status: String,
    pub error_code: String,
    pub info: Option<String>,
    pub vendor_id: Option<String>,
    pub vendor_error_code: Option<String>,
    /// The charger's time of the status (its receipt time if it sent none).
    #[schema(value_type = String, format = DateTime)]
    pub status_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct StatusFilter {
    /// Only this connector (0 is the charge point itself).
    #[param(value_type = Option<i32>)]
    pub connector_id: Option<String>,
    /// Only this status, e.g. `Faulted`.
    pub status: Option<String>,
    /// Received at or after this time (RFC 3339).
    pub from: Option<String>,
    /// Received before this time (RFC 3339).
    pub to: Option<String>,
}

type StatusRow = (
    i32,
    i32,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
);

/// A charger's status history, newest first by default. Sort by `receivedAt` (default, desc)
/// or `statusAt`.
#[utoipa::path(tag = "chargers", params(("id" = String, Path, description = "charge point id"),
        StatusFilter, SortParams, PageParams),
    responses((status = 200, body = Page<StatusChange>), (status = 404), (status = 422)),
    security(("bearer" = ["viewer"])))]
#[get("/chargers/{id}/status-history")]
pub async fn status_history(
    _: Viewer,
    services: web::Data<Services>,
    path: web::Path<String>,
    filter: web::Query<StatusFilter>,
    sort: web::Query<SortParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<StatusChange>>, ApiError> {
    let id = path.into_inner();
    let (limit, offset) = page.resolve()?;
    let sort = sort.resolve(
        &["receivedAt", "statusAt"],
        Sort {
            field: "receivedAt",
            desc: true,
        },
    )?;
    let connector = parse_int("connectorId", filter.connector_id.as_deref())?;
    let status = filter.status.clone().filter(|s| !s.is_empty());
    if let Some(s) = &status {
        one_of("status", s, ChargePointStatus::ALL.map(|s| s.as_str()))?;
    }
    let from = parse_time("from", filter.from.as_deref())?;
    let to = parse_time("to", filter.to.as_deref())?;
    must_exist(&services, &id).await?;
    let (rows, total) = crate::db::read(&services.pool, move |c| {
        let query = || {
            let mut q = sh::table
                .filter(sh::charge_point_id.eq(id.clone()))
                .into_boxed();
            if let Some(n) = connector {
                q = q.filter(sh::connector_id.eq(n));
            }
            if let Some(s) = &status {
                q = q.filter(sh::status.eq(s.clone()));
            }
            if let Some(t) = from {
                q = q.filter(sh::received_at.ge(t));
            }
            if let Some(t) = to {
                q = q.filter(sh::received_at.lt(t));
            }
            q
        };
        let total: i64 = query().count().get_result(c)?;
        let q = query();
        let q = match sort.field {
            "statusAt" => order_by!(q, sort, sh::status_at, sh::id),
            _ => order_by!(q, sort, sh::received_at, sh::id),
        };
        let rows: Vec<StatusRow> = q
            .limit(limit)
            .offset(offset)
            .select((
                sh::id,
                sh::connector_id,
                sh::status,
                sh::error_code,
                sh::info,
                sh::vendor_id,
                sh::vendor_error_code,
                sh::status_at,
                sh::received_at,
            ))
            .load(c)?;
        Ok((rows, total))
    })
    .await?;
    let items = rows
        .into_iter()
        .map(
            |(id, connector_id, status, error_code, info, vendor_id, vendor_error_code, at, rx)| {
                StatusChange {
                    id,
                    connector_id,
                    status,
                    error_code,
                    info,
                    vendor_id,
                    vendor_error_code,
                    status_at: Timestamp::from_naive(at),
                    received_at: Timestamp::from_naive(rx),
                }
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

/// One OCPP-J frame as sent on the wire.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoggedMessage {
    pub id: i32,
    /// `in` (from the charger) or `out` (from us).
    pub direction: String,
    /// 2 CALL, 3 CALLRESULT, 4 CALLERROR, 0 unreadable.
    pub message_type: i32,
    pub message_id: Option<String>,
    /// The action of a CALL (answers carry none).
    pub action: Option<String>,
    /// The frame's text.
    pub payload: String,
    #[schema(value_type = String, format = DateTime)]
    pub logged_at: Timestamp,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageFilter {
    /// Only CALLs of this action, e.g. `StartTransaction`.
    pub action: Option<String>,
    /// `in` or `out`.
    pub direction: Option<String>,
    /// Logged at or after this time (RFC 3339).
    pub from: Option<String>,
    /// Logged before this time (RFC 3339).
    pub to: Option<String>,
}

type MessageRow = (
    i32,
    String,
    i32,
    Option<String>,
    Option<String>,
    String,
    NaiveDateTime,
);

/// A charger's logged frames, filtered.
fn frames(
    id: &str,
    direction: Option<&str>,
    action: Option<&str>,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
) -> ml::BoxedQuery<'static, Sqlite> {
    let mut q = ml::table
        .filter(ml::charge_point_id.eq(id.to_owned()))
        .into_boxed();
    if let Some(d) = direction {
        q = q.filter(ml::direction.eq(d.to_owned()));
    }
    if let Some(a) = action {
        q = q.filter(ml::action.eq(a.to_owned()));
    }
    if let Some(t) = from {
        q = q.filter(ml::logged_at.ge(t));
    }
    if let Some(t) = to {
        q = q.filter(ml::logged_at.lt(t));
    }
    q
}

/// A charger's message log, newest first by default. Sort by `loggedAt` only.
#[utoipa::path(tag = "chargers", params(("id" = String, Path, description = "charge point id"),
        MessageFilter, SortParams, PageParams),
    responses((status = 200, body = Page<LoggedMessage>), (status = 404), (status = 422)),
    security(("bearer" = ["viewer"])))]
#[get("/chargers/{id}/messages")]
pub async fn messages(
    _: Viewer,
    services: web::Data<Services>,
    path: web::Path<String>,
    filter: web::Query<MessageFilter>,
    sort: web::Query<SortParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<LoggedMessage>>, ApiError> {
    let id = path.into_inner();
    let (limit, offset) = page.resolve()?;
    let sort = sort.resolve(
        &["loggedAt"],
        Sort {
            field: "loggedAt",
            desc: true,
        },
    )?;
    let direction = filter.direction.clone().filter(|s| !s.is_empty());
    if let Some(d) = &direction {
        one_of("direction", d, ["in", "out"])?;
    }
    let action = filter.action.clone().filter(|s| !s.is_empty());
    let from = parse_time("from", filter.from.as_deref())?;
    let to = parse_time("to", filter.to.as_deref())?;
    must_exist(&services, &id).await?;
    let (rows, total) = crate::db::read(&services.pool, move |c| {
        let query = || frames(&id, direction.as_deref(), action.as_deref(), from, to);
        let total: i64 = query().count().get_result(c)?;
        let q = query();
        let rows: Vec<MessageRow> = order_by!(q, sort, ml::logged_at, ml::id)
            .limit(limit)
            .offset(offset)
            .select((
                ml::id,
                ml::direction,
                ml::message_type,
                ml::message_id,
                ml::action,
                ml::payload,
                ml::logged_at,
            ))
            .load(c)?;
        Ok((rows, total))
    })
    .await?;
    let items = rows
        .into_iter()
        .map(
            |(id, direction, message_type, message_id, action, payload, at)| LoggedMessage {
                id,
                direction,
                message_type,
                message_id,
                action,
                payload,
                logged_at: Timestamp::from_naive(at),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query::plan;

    #[test]
    fn logs_are_read_through_the_per_charger_indexes() {
        let t = chrono::DateTime::UNIX_EPOCH.naive_utc();
        let sort = Sort {
            field: "loggedAt",
            desc: true,
        };
        let q = frames("CP", Some("in"), Some("Heartbeat"), Some(t), Some(t));
        let p = plan::of(&order_by!(q, sort, ml::logged_at, ml::id).limit(50));
        assert!(p.contains("INDEX message_log_by_charger"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
        let q = sh::table
            .filter(sh::charge_point_id.eq("CP"))
            .order((sh::received_at.desc(), sh::id.desc()))
            .select(sh::id);
        let p = plan::of(&q);
        assert!(p.contains("INDEX status_history_by_charger"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
    }
}
