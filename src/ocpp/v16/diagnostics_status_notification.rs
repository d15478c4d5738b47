//! DiagnosticsStatusNotification (Firmware Management, charge point -> central system).
//!
//! "Charge Point sends a notification to inform the Central System about the status of a
//! diagnostics upload." (OCPP 1.6, 4.4) `Idle` is sent only in reply to a TriggerMessage, when
//! no upload is in progress.

use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticsStatusNotificationRequest {
    pub status: DiagnosticsStatus,
}

impl Validate for DiagnosticsStatusNotificationRequest {}

/// An empty payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DiagnosticsStatusNotificationResponse {}

impl Validate for DiagnosticsStatusNotificationResponse {}

// @enum DiagnosticsStatus | Progress of a diagnostics upload. | DiagnosticsStatusNotification.json | status

impl super::Request for DiagnosticsStatusNotificationRequest {
    const ACTION: &'static str = "DiagnosticsStatusNotification";
    type Response = DiagnosticsStatusNotificationResponse;
}
