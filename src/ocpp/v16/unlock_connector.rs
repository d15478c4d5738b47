//! UnlockConnector (Core, central system -> charge point).
//!
//! "Central System can request a Charge Point to unlock a connector." Meant to help an EV
//! driver whose cable is stuck; a running transaction on the connector is stopped first.
//! (OCPP 1.6, 5.18)

use super::common::at_least;
use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnlockConnectorRequest {
    /// The connector to unlock (> 0).
    pub connector_id: u32,
}

impl Validate for UnlockConnectorRequest {
    fn validate(&self) -> Result<(), String> {
        at_least("connectorId", self.connector_id.into(), 1)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnlockConnectorResponse {
    pub status: UnlockStatus,
}

impl Validate for UnlockConnectorResponse {}

/// The charge point's answer; `NotSupported` when the connector has no lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnlockStatus {
    Unlocked,
    UnlockFailed,
    NotSupported,
}

impl UnlockStatus {
    pub const ALL: [UnlockStatus; 3] = [
        UnlockStatus::Unlocked,
        UnlockStatus::UnlockFailed,
        UnlockStatus::NotSupported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnlockStatus::Unlocked => "Unlocked",
            UnlockStatus::UnlockFailed => "UnlockFailed",
            UnlockStatus::NotSupported => "NotSupported",
        }
    }

    pub fn parse(s: &str) -> Option<UnlockStatus> {
        UnlockStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl super::Request for UnlockConnectorRequest {
    const ACTION: &'static str = "UnlockConnector";
    type Response = UnlockConnectorResponse;
}
