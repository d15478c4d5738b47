//! Rows as diesel reads and writes them.

use super::schema::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;

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
