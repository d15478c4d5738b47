//! Rows as diesel reads and writes them.

use super::schema::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = charge_points)]
pub struct ChargePoint {
    pub id: String,
    pub registration_status: Option<String>,
    pub boot_status: Option<String>,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub charge_point_serial: Option<String>,
    pub charge_box_serial: Option<String>,
    pub firmware_version: Option<String>,
    pub iccid: Option<String>,
    pub imsi: Option<String>,
    pub meter_type: Option<String>,
    pub meter_serial: Option<String>,
    pub password_hash: Option<String>,
    pub connected: bool,
    pub last_seen: Option<NaiveDateTime>,
    pub last_boot_at: Option<NaiveDateTime>,
    pub firmware_status: Option<String>,
    pub diagnostics_status: Option<String>,
    pub created_at: NaiveDateTime,
    pub heartbeat_interval_secs: Option<i32>,
    pub connection_replacements: i32,
    pub last_replaced_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = connectors)]
pub struct Connector {
    pub charge_point_id: String,
    pub connector_id: i32,
    pub status: String,
    pub error_code: String,
    pub info: Option<String>,
    pub vendor_id: Option<String>,
    pub vendor_error_code: Option<String>,
    pub status_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub available_since: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = transactions)]
pub struct Transaction {
    pub id: i32,
    pub charge_point_id: String,
    pub connector_id: i32,
    pub id_tag: String,
    pub id_tag_status: String,
    pub start_time: NaiveDateTime,
    pub meter_start: i64,
    pub reservation_id: Option<i32>,
    pub stop_time: Option<NaiveDateTime>,
    pub meter_stop: Option<i64>,
    pub stop_reason: Option<String>,
    pub stop_id_tag: Option<String>,
    pub started_at: NaiveDateTime,
    pub stopped_at: Option<NaiveDateTime>,
    /// `Charger`, `Inferred` or `Operator`; `None` while open.
    pub ended_by: Option<String>,
    pub end_note: Option<String>,
    pub start_answer_lost: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = id_tags)]
pub struct IdTag {
    pub id_tag: String,
    pub status: String,
    pub expiry_date: Option<NaiveDateTime>,
    pub parent_id_tag: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub max_active_transactions: Option<i32>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = meter_values)]
pub struct NewMeterValue {
    pub charge_point_id: String,
    pub connector_id: i32,
    pub transaction_id: Option<i32>,
    pub sampled_at: NaiveDateTime,
    pub value: String,
    pub context: Option<String>,
    pub format: Option<String>,
    pub measurand: Option<String>,
    pub phase: Option<String>,
    pub location: Option<String>,
    pub unit: Option<String>,
    pub received_at: NaiveDateTime,
}

/// One frame for the message log.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = message_log)]
pub struct LogRow {
    pub charge_point_id: String,
    pub direction: &'static str,
    pub message_type: i32,
    pub message_id: Option<String>,
    pub action: Option<String>,
    pub payload: String,
    pub logged_at: NaiveDateTime,
}
