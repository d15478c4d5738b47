//! SignedFirmwareStatusNotification (Security extension, charge point -> central system).
//!
//! A charge point reports the progress of a signed firmware update started with
//! SignedUpdateFirmware, including the signature and certificate checks; `requestId` ties it to
//! that request. (OCPP 1.6 Security Whitepaper, use case L01)

use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedFirmwareStatusNotificationRequest {
    pub status: SignedFirmwareStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<i32>,
}

impl Validate for SignedFirmwareStatusNotificationRequest {}

/// An empty payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SignedFirmwareStatusNotificationResponse {}

impl Validate for SignedFirmwareStatusNotificationResponse {}

/// Progress of a signed firmware update (whitepaper FirmwareStatusEnumType; named apart from the core [`super::firmware_status_notification::FirmwareStatus`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignedFirmwareStatus {
    Downloaded,
    DownloadFailed,
    Downloading,
    DownloadScheduled,
    DownloadPaused,
    Idle,
    InstallationFailed,
    Installing,
    Installed,
    InstallRebooting,
    InstallScheduled,
    InstallVerificationFailed,
    InvalidSignature,
    SignatureVerified,
}

impl SignedFirmwareStatus {
    pub const ALL: [SignedFirmwareStatus; 14] = [
        SignedFirmwareStatus::Downloaded,
        SignedFirmwareStatus::DownloadFailed,
        SignedFirmwareStatus::Downloading,
        SignedFirmwareStatus::DownloadScheduled,
        SignedFirmwareStatus::DownloadPaused,
        SignedFirmwareStatus::Idle,
        SignedFirmwareStatus::InstallationFailed,
        SignedFirmwareStatus::Installing,
        SignedFirmwareStatus::Installed,
        SignedFirmwareStatus::InstallRebooting,
        SignedFirmwareStatus::InstallScheduled,
        SignedFirmwareStatus::InstallVerificationFailed,
        SignedFirmwareStatus::InvalidSignature,
        SignedFirmwareStatus::SignatureVerified,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignedFirmwareStatus::Downloaded => "Downloaded",
            SignedFirmwareStatus::DownloadFailed => "DownloadFailed",
            SignedFirmwareStatus::Downloading => "Downloading",
            SignedFirmwareStatus::DownloadScheduled => "DownloadScheduled",
            SignedFirmwareStatus::DownloadPaused => "DownloadPaused",
            SignedFirmwareStatus::Idle => "Idle",
            SignedFirmwareStatus::InstallationFailed => "InstallationFailed",
            SignedFirmwareStatus::Installing => "Installing",
            SignedFirmwareStatus::Installed => "Installed",
            SignedFirmwareStatus::InstallRebooting => "InstallRebooting",
            SignedFirmwareStatus::InstallScheduled => "InstallScheduled",
            SignedFirmwareStatus::InstallVerificationFailed => "InstallVerificationFailed",
            SignedFirmwareStatus::InvalidSignature => "InvalidSignature",
            SignedFirmwareStatus::SignatureVerified => "SignatureVerified",
        }
    }

    pub fn parse(s: &str) -> Option<SignedFirmwareStatus> {
        SignedFirmwareStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for SignedFirmwareStatusNotificationRequest {
    const ACTION: &'static str = "SignedFirmwareStatusNotification";
    type Response = SignedFirmwareStatusNotificationResponse;
}
