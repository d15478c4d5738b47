//! Connectors as their chargers last reported them (StatusNotification); 0 is the charge point
//! itself. The charger actor writes them (`jobs::charger`); this store reads them for the API.

use super::schema::connectors;
use super::spelling::Spelled;
use super::DbConn;
use crate::ocpp::v16::status_notification::{ChargePointErrorCode, ChargePointStatus};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A connector's last status.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = connectors)]
pub struct Connector {
    pub charge_point_id: String,
    pub connector_id: i32,
    #[diesel(deserialize_as = Spelled<ChargePointStatus>)]
    pub status: ChargePointStatus,
    #[diesel(deserialize_as = Spelled<ChargePointErrorCode>)]
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

/// A stored status this build does not know reads as Unavailable (not to be offered).
impl From<Spelled<ChargePointStatus>> for ChargePointStatus {
    fn from(s: Spelled<ChargePointStatus>) -> Self {
        s.0.unwrap_or(ChargePointStatus::Unavailable)
    }
}

/// A stored error code this build does not know reads as OtherError.
impl From<Spelled<ChargePointErrorCode>> for ChargePointErrorCode {
    fn from(s: Spelled<ChargePointErrorCode>) -> Self {
        s.0.unwrap_or(ChargePointErrorCode::OtherError)
    }
}

/// The connectors of the given chargers, by charger, then connector id.
pub fn of_chargers(c: &mut DbConn, ids: &[String]) -> QueryResult<Vec<Connector>> {
    connectors::table
        .filter(connectors::charge_point_id.eq_any(ids))
        .order((connectors::charge_point_id, connectors::connector_id))
        .select(Connector::as_select())
        .load(c)
}

/// Forgets a charger's connectors; how many there were.
pub fn delete_of(c: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(connectors::table.filter(connectors::charge_point_id.eq(id))).execute(c)
}
