//! ClearChargingProfile (Smart Charging, central system -> charge point).
//!
//! "If the Central System wishes to clear some or all of the charging profiles that were
//! previously sent the Charge Point, it SHALL send a ClearChargingProfile.req PDU." With `id`
//! one profile is cleared; otherwise all profiles matching every given criterion. (OCPP 1.6, 5.5)

use super::common::{at_least, ChargingProfilePurposeType};
use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClearChargingProfileRequest {
    /// The id of the profile to clear.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
    /// 0 for profiles of the whole charge point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charging_profile_purpose: Option<ChargingProfilePurposeType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_level: Option<i32>,
}

impl Validate for ClearChargingProfileRequest {
    fn validate(&self) -> Result<(), String> {
        if let Some(level) = self.stack_level {
            at_least("stackLevel", level.into(), 0)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClearChargingProfileResponse {
    pub status: ClearChargingProfileStatus,
}

impl Validate for ClearChargingProfileResponse {}

/// `Unknown` when no profile matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClearChargingProfileStatus {
    Accepted,
    Unknown,
}

impl ClearChargingProfileStatus {
    pub const ALL: [ClearChargingProfileStatus; 2] = [
        ClearChargingProfileStatus::Accepted,
        ClearChargingProfileStatus::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClearChargingProfileStatus::Accepted => "Accepted",
            ClearChargingProfileStatus::Unknown => "Unknown",
        }
    }

    pub fn parse(s: &str) -> Option<ClearChargingProfileStatus> {
        ClearChargingProfileStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for ClearChargingProfileRequest {
    const ACTION: &'static str = "ClearChargingProfile";
    type Response = ClearChargingProfileResponse;
}
