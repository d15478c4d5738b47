//! Connectors as their chargers last reported them (StatusNotification); 0 is the charge point
//! itself. The charger actor writes them (`jobs::charger`); this store reads them for the API.

use super::models::Connector as Row;
use super::query::stored;
use super::schema::connectors;
use super::DbConn;
use crate::ocpp::v16::status_notification::{ChargePointErrorCode, ChargePointStatus};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A connector's last status.
#[derive(Debug, Clone, PartialEq)]
pub struct Connector {
    pub charge_point_id: String,
    pub connector_id: i32,
    pub status: ChargePointStatus,
    pub error_code: ChargePointErrorCode,
    pub info: Option<String>,
    pub vendor_id: Option<String>,
    pub vendor_error_code: Option<String>,
    /// The charger's time of the status (or its receipt, if the charger sent none).
    pub status_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Since when it has been free (Available), if it is.
    pub available_since: Option<NaiveDateTime>,
}

impl Connector {
    fn from_row(r: Row) -> QueryResult<Connector> {
        Ok(Connector {
            status: stored("connectors.status", &r.status, ChargePointStatus::parse)?,
            error_code: stored(
                "connectors.error_code",
                &r.error_code,
                ChargePointErrorCode::parse,
            )?,
            charge_point_id: r.charge_point_id,
            connector_id: r.connector_id,
            info: r.info,
            vendor_id: r.vendor_id,
            vendor_error_code: r.vendor_error_code,
            status_at: r.status_at,
            updated_at: r.updated_at,
            available_since: r.available_since,
        })
    }
}

/// The connectors of the given chargers, by charger, then connector id.
pub fn of_chargers(c: &mut DbConn, ids: &[String]) -> QueryResult<Vec<Connector>> {
    connectors::table
        .filter(connectors::charge_point_id.eq_any(ids))
        .order((connectors::charge_point_id, connectors::connector_id))
        .select(Row::as_select())
        .load(c)?
        .into_iter()
        .map(Connector::from_row)
        .collect()
}

/// Forgets a charger's connectors; how many there were.
pub fn delete_of(c: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(connectors::table.filter(connectors::charge_point_id.eq(id))).execute(c)
}
