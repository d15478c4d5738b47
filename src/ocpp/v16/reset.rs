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

/// How to reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResetType {
    Hard,
    Soft,
}

impl ResetType {
    pub const ALL: [ResetType; 2] = [ResetType::Hard, ResetType::Soft];

    pub fn as_str(self) -> &'static str {
        match self {
            ResetType::Hard => "Hard",
            ResetType::Soft => "Soft",
        }
    }

    pub fn parse(s: &str) -> Option<ResetType> {
        ResetType::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Whether the charge point will reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResetStatus {
    Accepted,
    Rejected,
}

impl ResetStatus {
    pub const ALL: [ResetStatus; 2] = [ResetStatus::Accepted, ResetStatus::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            ResetStatus::Accepted => "Accepted",
            ResetStatus::Rejected => "Rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ResetStatus> {
        ResetStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl super::Request for ResetRequest {
    const ACTION: &'static str = "Reset";
    type Response = ResetResponse;
}
