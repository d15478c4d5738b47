//! GetCompositeSchedule (Smart Charging, central system -> charge point).
//!
//! "The Central System MAY request the Charge Point to report the Composite Charging Schedule
//! by sending a GetCompositeSchedule.req PDU", the result of combining all active schedules and
//! local limits for `duration` seconds from now. `connectorId` 0 asks for the whole charge
//! point's expected consumption. (OCPP 1.6, 5.7)

use super::common::{at_least, ChargingRateUnitType, ChargingSchedule};
use crate::ocpp::types::{Timestamp, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetCompositeScheduleRequest {
    pub connector_id: u32,
    /// Seconds.
    pub duration: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charging_rate_unit: Option<ChargingRateUnitType>,
}

impl Validate for GetCompositeScheduleRequest {
    fn validate(&self) -> Result<(), String> {
        at_least("duration", self.duration.into(), 0)
    }
}

/// The schedule as reported by the charge point; it is not held to the checks of what we send.
/// Its integers are unbounded in the schema, and read as `i64`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetCompositeScheduleResponse {
    pub status: GetCompositeScheduleStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<i64>,
    /// Periods of the schedule are relative to this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_start: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charging_schedule: Option<ChargingSchedule>,
}

impl Validate for GetCompositeScheduleResponse {}

/// Whether the charge point could compute the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GetCompositeScheduleStatus {
    Accepted,
    Rejected,
}

impl GetCompositeScheduleStatus {
    pub const ALL: [GetCompositeScheduleStatus; 2] = [
        GetCompositeScheduleStatus::Accepted,
        GetCompositeScheduleStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GetCompositeScheduleStatus::Accepted => "Accepted",
            GetCompositeScheduleStatus::Rejected => "Rejected",
        }
    }

    pub fn parse(s: &str) -> Option<GetCompositeScheduleStatus> {
        GetCompositeScheduleStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for GetCompositeScheduleRequest {
    const ACTION: &'static str = "GetCompositeSchedule";
    type Response = GetCompositeScheduleResponse;
}
