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

// @enum AvailabilityType | The availability asked for. | ChangeAvailability.json | type

// @enum AvailabilityStatus | The charge point's answer. | ChangeAvailabilityResponse.json | status

impl super::Request for ChangeAvailabilityRequest {
    const ACTION: &'static str = "ChangeAvailability";
    type Response = ChangeAvailabilityResponse;
}
