//! Requests for files a charger fetches or uploads (firmware; diagnostics and logs), and the
//! progress notifications chargers send about them (`charger_events`).

use super::schema::{charger_events as events, diagnostics_requests as diag, firmware_requests};
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// An accepted UpdateFirmware or SignedUpdateFirmware.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = firmware_requests)]
pub struct FirmwareRequest {
    pub id: i32,
    /// The OCPP action.
    pub kind: String,
    pub location: String,
    pub retrieve_date: NaiveDateTime,
    pub request_id: Option<i32>,
    /// The answer's status, where the answer has one.
    pub status: Option<String>,
    pub created_at: NaiveDateTime,
}

/// An accepted GetDiagnostics or GetLog.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = diag)]
pub struct DiagnosticsRequest {
    pub id: i32,
    /// The OCPP action.
    pub kind: String,
    pub log_type: Option<String>,
    pub location: String,
    pub start_time: Option<NaiveDateTime>,
    pub stop_time: Option<NaiveDateTime>,
    pub request_id: Option<i32>,
    pub status: Option<String>,
    pub file_name: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A progress notification: its action, status, requestId (if any) and when it came.
pub type EventRow = (String, String, Option<i32>, NaiveDateTime);

/// Records a firmware request (its `id` is ignored; the database gives one).
pub fn record_firmware(c: &mut DbConn, cp: &str, r: &FirmwareRequest) -> QueryResult<()> {
    diesel::insert_into(firmware_requests::table)
        .values((
            firmware_requests::charge_point_id.eq(cp),
            firmware_requests::kind.eq(&r.kind),
            firmware_requests::location.eq(&r.location),
            firmware_requests::retrieve_date.eq(r.retrieve_date),
            firmware_requests::request_id.eq(r.request_id),
            firmware_requests::status.eq(&r.status),
            firmware_requests::created_at.eq(r.created_at),
        ))
        .execute(c)
        .map(drop)
}

/// Records a diagnostics or log request (its `id` is ignored; the database gives one).
pub fn record_diagnostics(c: &mut DbConn, cp: &str, r: &DiagnosticsRequest) -> QueryResult<()> {
    diesel::insert_into(diag::table)
        .values((
            diag::charge_point_id.eq(cp),
            diag::kind.eq(&r.kind),
            diag::log_type.eq(&r.log_type),
            diag::location.eq(&r.location),
            diag::start_time.eq(r.start_time),
            diag::stop_time.eq(r.stop_time),
            diag::request_id.eq(r.request_id),
            diag::status.eq(&r.status),
            diag::file_name.eq(&r.file_name),
            diag::created_at.eq(r.created_at),
        ))
        .execute(c)
        .map(drop)
}

/// A charger's `limit` most recent firmware requests, newest first.
pub fn recent_firmware(c: &mut DbConn, cp: &str, limit: i64) -> QueryResult<Vec<FirmwareRequest>> {
    firmware_requests::table
        .filter(firmware_requests::charge_point_id.eq(cp))
        .order(firmware_requests::id.desc())
        .limit(limit)
        .select(FirmwareRequest::as_select())
        .load(c)
}

/// A charger's `limit` most recent diagnostics and log requests, newest first.
pub fn recent_diagnostics(
    c: &mut DbConn,
    cp: &str,
    limit: i64,
) -> QueryResult<Vec<DiagnosticsRequest>> {
    diag::table
        .filter(diag::charge_point_id.eq(cp))
        .order(diag::id.desc())
        .limit(limit)
        .select(DiagnosticsRequest::as_select())
        .load(c)
}

/// Notifications of the given `kinds` from charger `cp` received since `since`.
pub fn events_since(
    c: &mut DbConn,
    cp: &str,
    kinds: [&str; 2],
    since: Option<NaiveDateTime>,
) -> QueryResult<Vec<EventRow>> {
    let Some(since) = since else {
        return Ok(Vec::new());
    };
    events::table
        .filter(events::charge_point_id.eq(cp))
        .filter(events::kind.eq_any(kinds))
        .filter(events::received_at.ge(since))
        .select((
            events::kind,
            events::status,
            events::request_id,
            events::received_at,
        ))
        .load(c)
}
