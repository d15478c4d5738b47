//! RemoteStartTransaction (Core, central system -> charge point).
//!
//! "Central System can request a Charge Point to start a transaction by sending a
//! RemoteStartTransaction.req." The charge point then behaves as if the id tag had been
//! presented locally and, if it starts, sends StartTransaction. (OCPP 1.6, 5.11)
//!
//! A charging profile sent along "SHALL have ChargingProfilePurpose set to TxProfile" (its
//! transactionId is best left out: the transaction does not exist yet).

use super::common::{at_least, ChargingProfile, ChargingProfilePurposeType, RemoteStartStopStatus};
use crate::ocpp::types::{IdToken, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteStartTransactionRequest {
    /// The connector to start on (> 0); absent lets the charge point choose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<u32>,
    pub id_tag: IdToken,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charging_profile: Option<ChargingProfile>,
}

impl Validate for RemoteStartTransactionRequest {
    fn validate(&self) -> Result<(), String> {
        if let Some(c) = self.connector_id {
            at_least("connectorId", c.into(), 1)?;
        }
        if let Some(p) = &self.charging_profile {
            if p.charging_profile_purpose != ChargingProfilePurposeType::TxProfile {
                return Err("chargingProfile.chargingProfilePurpose: must be TxProfile".into());
            }
            p.validate().map_err(|e| format!("chargingProfile.{e}"))?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteStartTransactionResponse {
    pub status: RemoteStartStopStatus,
}

impl Validate for RemoteStartTransactionResponse {}

impl super::Request for RemoteStartTransactionRequest {
    const ACTION: &'static str = "RemoteStartTransaction";
    type Response = RemoteStartTransactionResponse;
}
