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

// @enum FirmwareStatus | Progress of a firmware update. | FirmwareStatusNotification.json | status

impl super::Request for FirmwareStatusNotificationRequest {
    const ACTION: &'static str = "FirmwareStatusNotification";
    type Response = FirmwareStatusNotificationResponse;
}
