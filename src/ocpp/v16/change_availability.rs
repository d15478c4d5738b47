//! ChangeAvailability (Core, central system -> charge point).
//!
//! "Central System can request a Charge Point to change its availability. A Charge Point is
//! considered available ("operative") when it is charging or ready for charging. A Charge Point
//! is considered unavailable when it does not allow any charging." (OCPP 1.6, 5.2)
//!
//! `connectorId` 0 addresses the whole charge point. `Scheduled` means the change waits for a
//! running transaction to end.

use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeAvailabilityRequest {
    pub connector_id: u32,
    #[serde(rename = "type")]
    pub kind: AvailabilityType,
}

impl Validate for ChangeAvailabilityRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeAvailabilityResponse {
    pub status: AvailabilityStatus,
}

impl Validate for ChangeAvailabilityResponse {}

/// The availability asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AvailabilityType {
    Inoperative,
    Operative,
}

impl AvailabilityType {
    pub const ALL: [AvailabilityType; 2] =
        [AvailabilityType::Inoperative, AvailabilityType::Operative];

    pub fn as_str(self) -> &'static str {
        match self {
            AvailabilityType::Inoperative => "Inoperative",
            AvailabilityType::Operative => "Operative",
        }
    }

    pub fn parse(s: &str) -> Option<AvailabilityType> {
        AvailabilityType::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The charge point's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AvailabilityStatus {
    Accepted,
    Rejected,
    Scheduled,
}

impl AvailabilityStatus {
    pub const ALL: [AvailabilityStatus; 3] = [
        AvailabilityStatus::Accepted,
        AvailabilityStatus::Rejected,
        AvailabilityStatus::Scheduled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AvailabilityStatus::Accepted => "Accepted",
            AvailabilityStatus::Rejected => "Rejected",
            AvailabilityStatus::Scheduled => "Scheduled",
        }
    }

    pub fn parse(s: &str) -> Option<AvailabilityStatus> {
        AvailabilityStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for ChangeAvailabilityRequest {
    const ACTION: &'static str = "ChangeAvailability";
    type Response = ChangeAvailabilityResponse;
}
