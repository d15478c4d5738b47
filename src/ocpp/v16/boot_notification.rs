//! BootNotification (Core, charge point -> central system).
//!
//! "After start-up, a Charge Point SHALL send a request to the Central System with information
//! about its configuration (e.g. version, vendor, etc.). The Central System SHALL respond to
//! indicate whether it will accept the Charge Point." (OCPP 1.6, 4.2)
//!
//! `interval` is the heartbeat interval in seconds when Accepted, otherwise the minimum wait
//! before the next BootNotification.

use crate::ocpp::types::{InfoString, Timestamp, Validate};
use serde::{Deserialize, Serialize};

/// Every text field is informational: kept whole even when longer than the schema allows
/// (see [`super::text_limits`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BootNotificationRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge_box_serial_number: Option<InfoString<25>>,
    pub charge_point_model: InfoString<20>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge_point_serial_number: Option<InfoString<25>>,
    pub charge_point_vendor: InfoString<20>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firmware_version: Option<InfoString<50>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iccid: Option<InfoString<20>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imsi: Option<InfoString<20>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meter_serial_number: Option<InfoString<25>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meter_type: Option<InfoString<25>>,
}

impl Validate for BootNotificationRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BootNotificationResponse {
    pub current_time: Timestamp,
    pub interval: i32,
    pub status: RegistrationStatus,
}

impl Validate for BootNotificationResponse {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegistrationStatus {
    Accepted,
    Pending,
    Rejected,
}

impl RegistrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationStatus::Accepted => "Accepted",
            RegistrationStatus::Pending => "Pending",
            RegistrationStatus::Rejected => "Rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Accepted, Self::Pending, Self::Rejected]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for BootNotificationRequest {
    const ACTION: &'static str = "BootNotification";
    type Response = BootNotificationResponse;
}
