//! Reset (Core, central system -> charge point).
//!
//! "The Central System SHALL send a Reset.req PDU for requesting a Charge Point to reset
//! itself." A soft reset stops transactions gracefully and restarts the application; a hard
//! reset restarts the hardware. (OCPP 1.6, 5.14)

use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetRequest {
    #[serde(rename = "type")]
    pub kind: ResetType,
}

impl Validate for ResetRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetResponse {
    pub status: ResetStatus,
}

impl Validate for ResetResponse {}

// @enum ResetType | How to reset. | Reset.json | type

// @enum ResetStatus | Whether the charge point will reset. | ResetResponse.json | status

impl super::Request for ResetRequest {
    const ACTION: &'static str = "Reset";
    type Response = ResetResponse;
}
