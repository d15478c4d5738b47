//! StopTransaction (Core, charge point -> central system).
//!
//! "When a transaction is stopped, the Charge Point SHALL send a StopTransaction.req PDU,
//! notifying to the Central System that the transaction has stopped." `idTag` is present when
//! the transaction was stopped by an id tag, which the central system then checks; the
//! transaction's meter values may come along in `transactionData`. (OCPP 1.6, 4.10)
//!
//! It must always be answered, also for an unknown `transactionId` (-1, 0, or issued before a
//! restart), and also when it arrives twice.

use super::common::{IdTagInfo, MeterValue};
use crate::ocpp::types::{IdToken, Timestamp, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopTransactionRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_tag: Option<IdToken>,
    /// Energy register at the end, in Wh.
    pub meter_stop: i64,
    pub timestamp: Timestamp,
    pub transaction_id: i32,
    /// Absent means `Local`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_data: Option<Vec<MeterValue>>,
}

impl StopTransactionRequest {
    /// `reason`, defaulting to `Local`.
    pub fn reason_or_default(&self) -> Reason {
        self.reason.unwrap_or(Reason::Local)
    }
}

impl Validate for StopTransactionRequest {
    fn validate(&self) -> Result<(), String> {
        for m in self.transaction_data.iter().flatten() {
            m.validate()?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopTransactionResponse {
    /// Present when the request carried an `idTag`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_tag_info: Option<IdTagInfo>,
}

impl Validate for StopTransactionResponse {}

/// Why a transaction stopped (default `Local`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reason {
    EmergencyStop,
    EVDisconnected,
    HardReset,
    Local,
    Other,
    PowerLoss,
    Reboot,
    Remote,
    SoftReset,
    UnlockCommand,
    DeAuthorized,
}

impl Reason {
    pub const ALL: [Reason; 11] = [
        Reason::EmergencyStop,
        Reason::EVDisconnected,
        Reason::HardReset,
        Reason::Local,
        Reason::Other,
        Reason::PowerLoss,
        Reason::Reboot,
        Reason::Remote,
        Reason::SoftReset,
        Reason::UnlockCommand,
        Reason::DeAuthorized,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::EmergencyStop => "EmergencyStop",
            Reason::EVDisconnected => "EVDisconnected",
            Reason::HardReset => "HardReset",
            Reason::Local => "Local",
            Reason::Other => "Other",
            Reason::PowerLoss => "PowerLoss",
            Reason::Reboot => "Reboot",
            Reason::Remote => "Remote",
            Reason::SoftReset => "SoftReset",
            Reason::UnlockCommand => "UnlockCommand",
            Reason::DeAuthorized => "DeAuthorized",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl super::Request for StopTransactionRequest {
    const ACTION: &'static str = "StopTransaction";
    type Response = StopTransactionResponse;
}
