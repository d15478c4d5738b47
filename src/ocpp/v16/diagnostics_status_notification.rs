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

/// Progress of a diagnostics upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DiagnosticsStatus {
    Idle,
    Uploaded,
    UploadFailed,
    Uploading,
}

impl DiagnosticsStatus {
    pub const ALL: [DiagnosticsStatus; 4] = [
        DiagnosticsStatus::Idle,
        DiagnosticsStatus::Uploaded,
        DiagnosticsStatus::UploadFailed,
        DiagnosticsStatus::Uploading,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticsStatus::Idle => "Idle",
            DiagnosticsStatus::Uploaded => "Uploaded",
            DiagnosticsStatus::UploadFailed => "UploadFailed",
            DiagnosticsStatus::Uploading => "Uploading",
        }
    }

    pub fn parse(s: &str) -> Option<DiagnosticsStatus> {
        DiagnosticsStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl super::Request for DiagnosticsStatusNotificationRequest {
    const ACTION: &'static str = "DiagnosticsStatusNotification";
    type Response = DiagnosticsStatusNotificationResponse;
}
