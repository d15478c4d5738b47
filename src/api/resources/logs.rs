//! Per charger: its status history (every StatusNotification) and its message log (every
//! OCPP-J frame in and out, when `log.messages` is on).

use super::chargers::must_exist;
use super::{one_of, parse_int, parse_time, SortParams};
use crate::api::auth::Viewer;
use crate::api::error::ApiError;
use crate::api::{Page, PageParams};
use crate::db::message_log::{self, Direction};
use crate::db::status_history as history;
use crate::ocpp::types::Timestamp;
use crate::ocpp::v16::status_notification::ChargePointStatus;
use crate::services::Services;
use actix_web::{get, web};
use serde::{Deserialize, Serialize};

/// One StatusNotification as received.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    pub id: i64,
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

impl From<history::StatusChange> for StatusChange {
    fn from(s: history::StatusChange) -> Self {
        StatusChange {
            id: s.id,
            connector_id: s.connector_id,
            status: s.status.as_str().to_owned(),
            error_code: s.error_code.as_str().to_owned(),
            info: s.info,
            vendor_id: s.vendor_id,
            vendor_error_code: s.vendor_error_code,
            status_at: Timestamp::from_naive(s.status_at),
            received_at: Timestamp::from_naive(s.received_at),
        }
    }
}

impl StatusFilter {
    fn check(&self) -> Result<history::Filter, ApiError> {
        let connector_id = parse_int("connectorId", self.connector_id.as_deref())?;
        let status = match self.status.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => {
                one_of("status", s, ChargePointStatus::ALL.map(|s| s.as_str()))?;
                ChargePointStatus::parse(s)
            }
        };
        Ok(history::Filter {
            connector_id,
            status,
            from: parse_time("from", self.from.as_deref())?,
            to: parse_time("to", self.to.as_deref())?,
        })
    }
}

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
    let page = page.request()?;
    let sort = sort.resolve(&history::SORTS, history::DEFAULT_SORT)?;
    let filter = filter.check()?;
    must_exist(&services, &id).await?;
    let found = crate::db::read(&services.pool, move |c| {
        history::page(c, &id, &filter, sort, page)
    })
    .await?;
    Ok(web::Json(found.map(StatusChange::from)))
}

/// One OCPP-J frame as sent on the wire.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoggedMessage {
    pub id: i64,
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

impl From<message_log::Message> for LoggedMessage {
    fn from(m: message_log::Message) -> Self {
        LoggedMessage {
            id: m.id,
            direction: m.direction.as_str().to_owned(),
            message_type: m.message_type,
            message_id: m.message_id,
            action: m.action,
            payload: m.payload,
            logged_at: Timestamp::from_naive(m.logged_at),
        }
    }
}

impl MessageFilter {
    fn check(&self) -> Result<message_log::Filter, ApiError> {
        let direction = match self.direction.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(d) => {
                one_of("direction", d, Direction::ALL.map(Direction::as_str))?;
                Direction::parse(d)
            }
        };
        Ok(message_log::Filter {
            direction,
            action: self.action.clone().filter(|s| !s.is_empty()),
            from: parse_time("from", self.from.as_deref())?,
            to: parse_time("to", self.to.as_deref())?,
        })
    }
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
    let page = page.request()?;
    let sort = sort.resolve(&message_log::SORTS, message_log::DEFAULT_SORT)?;
    let filter = filter.check()?;
    must_exist(&services, &id).await?;
    let found = crate::db::read(&services.pool, move |c| {
        message_log::page(c, &id, &filter, sort, page)
    })
    .await?;
    Ok(web::Json(found.map(LoggedMessage::from)))
}
