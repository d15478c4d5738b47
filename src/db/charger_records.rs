//! What chargers sent on their own that the server keeps but does not act on: DataTransfer
//! requests (`data_transfers`), notifications about firmware, diagnostics, logs and security
//! (`charger_events`) and certificate signing requests (`certificate_requests`). They are
//! recorded by the writer's jobs ([`super::jobs::charger`]); these are the reads.

use super::schema::{certificate_requests as certs, charger_events as events, data_transfers};
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One DataTransfer a charger sent, with the status it was answered.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct DataTransfer {
    pub id: i64,
    pub vendor_id: String,
    pub message_id: Option<String>,
    /// Its `data` as JSON text (a string comes quoted).
    pub data: Option<String>,
    pub status: String,
    pub received_at: NaiveDateTime,
}

/// One notification a charger sent.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Event {
    pub id: i64,
    /// The action, e.g. FirmwareStatusNotification, SecurityEventNotification.
    pub kind: String,
    /// Its status (the security event's type for a SecurityEventNotification).
    pub status: String,
    pub request_id: Option<i32>,
    /// Further text, e.g. a security event's techInfo.
    pub detail: Option<String>,
    /// The charger's time of the event (its receipt time if it sent none).
    pub event_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
}

/// One certificate signing request a charger sent.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct CertificateRequest {
    pub id: i32,
    pub charge_point_id: String,
    pub csr: String,
    pub certificate_type: Option<String>,
    pub received_at: NaiveDateTime,
}

/// The DataTransfers charger `cp` sent, oldest first.
pub fn data_transfers_of(c: &mut DbConn, cp: &str) -> QueryResult<Vec<DataTransfer>> {
    data_transfers::table
        .filter(data_transfers::charge_point_id.eq(cp))
        .order(data_transfers::id)
        .select((
            data_transfers::id,
            data_transfers::vendor_id,
            data_transfers::message_id,
            data_transfers::data,
            data_transfers::status,
            data_transfers::received_at,
        ))
        .load(c)
}

/// How many DataTransfers all chargers sent.
pub fn data_transfer_count(c: &mut DbConn) -> QueryResult<i64> {
    data_transfers::table.count().get_result(c)
}

/// The notifications charger `cp` sent, oldest first.
pub fn events_of(c: &mut DbConn, cp: &str) -> QueryResult<Vec<Event>> {
    events::table
        .filter(events::charge_point_id.eq(cp))
        .order(events::id)
        .select((
            events::id,
            events::kind,
            events::status,
            events::request_id,
            events::detail,
            events::event_at,
            events::received_at,
        ))
        .load(c)
}

/// The certificate signing requests of all chargers, oldest first.
pub fn certificate_requests(c: &mut DbConn) -> QueryResult<Vec<CertificateRequest>> {
    certs::table
        .order(certs::id)
        .select((
            certs::id,
            certs::charge_point_id,
            certs::csr,
            certs::certificate_type,
            certs::received_at,
        ))
        .load(c)
}
