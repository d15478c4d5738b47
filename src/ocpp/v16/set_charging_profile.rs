//! SetChargingProfile (Smart Charging, central system -> charge point).
//!
//! "A Central System can send a SetChargingProfile.req to a Charge Point, to set a charging
//! profile, in the following situations: at the start of a transaction to set the charging
//! profile for the transaction; in a RemoteStartTransaction.req sent to a Charge Point; during
//! a transaction to change the active profile for the transaction; outside the context of a
//! transaction as a separate message to set a charging profile to a local controller, Charge
//! Point, or a default charging profile to a connector." (OCPP 1.6, 5.16)
//!
//! `connectorId` 0 addresses the whole charge point (required for ChargePointMaxProfile).

use super::common::{ChargingProfile, ChargingProfilePurposeType};
use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetChargingProfileRequest {
    pub connector_id: u32,
    pub cs_charging_profiles: ChargingProfile,
}

impl Validate for SetChargingProfileRequest {
    fn validate(&self) -> Result<(), String> {
        let purpose = self.cs_charging_profiles.charging_profile_purpose;
        if purpose == ChargingProfilePurposeType::ChargePointMaxProfile && self.connector_id != 0 {
            return Err("connectorId: must be 0 for a ChargePointMaxProfile".into());
        }
        if purpose == ChargingProfilePurposeType::TxProfile && self.connector_id == 0 {
            return Err("connectorId: a TxProfile needs the connector of the transaction".into());
        }
        self.cs_charging_profiles
            .validate()
            .map_err(|e| format!("csChargingProfiles.{e}"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetChargingProfileResponse {
    pub status: ChargingProfileStatus,
}

impl Validate for SetChargingProfileResponse {}

/// The charge point's answer to a charging profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChargingProfileStatus {
    Accepted,
    Rejected,
    NotSupported,
}

impl ChargingProfileStatus {
    pub const ALL: [ChargingProfileStatus; 3] = [
        ChargingProfileStatus::Accepted,
        ChargingProfileStatus::Rejected,
        ChargingProfileStatus::NotSupported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChargingProfileStatus::Accepted => "Accepted",
            ChargingProfileStatus::Rejected => "Rejected",
            ChargingProfileStatus::NotSupported => "NotSupported",
        }
    }

    pub fn parse(s: &str) -> Option<ChargingProfileStatus> {
        ChargingProfileStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for SetChargingProfileRequest {
    const ACTION: &'static str = "SetChargingProfile";
    type Response = SetChargingProfileResponse;
}
