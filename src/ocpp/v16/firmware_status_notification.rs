//! FirmwareStatusNotification (Firmware Management, charge point -> central system).
//!
//! "A Charge Point sends notifications to inform the Central System about the progress of the
//! firmware update." (OCPP 1.6, 4.5) `Idle` is sent only in reply to a TriggerMessage, when no
//! update is in progress.

use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FirmwareStatusNotificationRequest {
    pub status: FirmwareStatus,
}

impl Validate for FirmwareStatusNotificationRequest {}

/// An empty payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FirmwareStatusNotificationResponse {}

impl Validate for FirmwareStatusNotificationResponse {}

/// Progress of a firmware update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FirmwareStatus {
    Downloaded,
    DownloadFailed,
    Downloading,
    Idle,
    InstallationFailed,
    Installing,
    Installed,
}

impl FirmwareStatus {
    pub const ALL: [FirmwareStatus; 7] = [
        FirmwareStatus::Downloaded,
        FirmwareStatus::DownloadFailed,
        FirmwareStatus::Downloading,
        FirmwareStatus::Idle,
        FirmwareStatus::InstallationFailed,
        FirmwareStatus::Installing,
        FirmwareStatus::Installed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FirmwareStatus::Downloaded => "Downloaded",
            FirmwareStatus::DownloadFailed => "DownloadFailed",
            FirmwareStatus::Downloading => "Downloading",
            FirmwareStatus::Idle => "Idle",
            FirmwareStatus::InstallationFailed => "InstallationFailed",
            FirmwareStatus::Installing => "Installing",
            FirmwareStatus::Installed => "Installed",
        }
    }

    pub fn parse(s: &str) -> Option<FirmwareStatus> {
        FirmwareStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl super::Request for FirmwareStatusNotificationRequest {
    const ACTION: &'static str = "FirmwareStatusNotification";
    type Response = FirmwareStatusNotificationResponse;
}
