//! SecurityEventNotification (Security extension, charge point -> central system).
//!
//! A charge point informs the central system of a security event (firmware updated, failed
//! login, reset, invalid certificate, ...), named by `type` as listed in the whitepaper's
//! "Security events" table. (OCPP 1.6 Security Whitepaper, use case A04)

use crate::ocpp::types::{CiString50, InfoString, Timestamp, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityEventNotificationRequest {
    /// The event, e.g. `FirmwareUpdated`, `InvalidCentralSystemCertificate`. Kept as text:
    /// the whitepaper's list is not closed.
    #[serde(rename = "type")]
    pub kind: CiString50,
    pub timestamp: Timestamp,
    /// Free text with details; kept whole even when longer than the schema allows (see
    /// [`super::text_limits`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tech_info: Option<InfoString<255>>,
}

impl Validate for SecurityEventNotificationRequest {}

/// An empty payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SecurityEventNotificationResponse {}

impl Validate for SecurityEventNotificationResponse {}

impl super::Request for SecurityEventNotificationRequest {
    const ACTION: &'static str = "SecurityEventNotification";
    type Response = SecurityEventNotificationResponse;
}
