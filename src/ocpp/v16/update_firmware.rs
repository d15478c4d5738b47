//! UpdateFirmware (Firmware Management, central system -> charge point).
//!
//! "Central System can notify a Charge Point that it needs to update its firmware. The Central
//! System SHALL send an UpdateFirmware.req PDU to instruct the Charge Point to install new
//! firmware." The charge point downloads from `location` after `retrieveDate` and reports
//! progress with FirmwareStatusNotification. (OCPP 1.6, 5.19)

use super::common::{at_least, uri};
use crate::ocpp::types::{Timestamp, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateFirmwareRequest {
    /// Where to download the firmware from: an absolute URI.
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    /// Download from this time on.
    pub retrieve_date: Timestamp,
    /// Seconds between retries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
}

impl Validate for UpdateFirmwareRequest {
    fn validate(&self) -> Result<(), String> {
        uri("location", &self.location)?;
        if let Some(r) = self.retries {
            at_least("retries", r.into(), 0)?;
        }
        if let Some(r) = self.retry_interval {
            at_least("retryInterval", r.into(), 0)?;
        }
        Ok(())
    }
}

/// An empty payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UpdateFirmwareResponse {}

impl Validate for UpdateFirmwareResponse {}

impl super::Request for UpdateFirmwareRequest {
    const ACTION: &'static str = "UpdateFirmware";
    type Response = UpdateFirmwareResponse;
}
