//! SignedUpdateFirmware (Security extension, central system -> charge point).
//!
//! The central system asks a charge point to download, verify (signature and signing
//! certificate) and install a firmware image; the charge point reports progress with
//! SignedFirmwareStatusNotification, tagged with `requestId`. (OCPP 1.6 Security Whitepaper,
//! use case L01)

use super::common::{at_least, ordered};
use crate::ocpp::types::{CiString, Timestamp, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedUpdateFirmwareRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    /// Seconds between retries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
    pub request_id: i32,
    pub firmware: Firmware,
}

impl Validate for SignedUpdateFirmwareRequest {
    fn validate(&self) -> Result<(), String> {
        if let Some(r) = self.retries {
            at_least("retries", r.into(), 0)?;
        }
        if let Some(r) = self.retry_interval {
            at_least("retryInterval", r.into(), 0)?;
        }
        let f = &self.firmware;
        ordered(
            "firmware.retrieveDateTime",
            Some(f.retrieve_date_time),
            "firmware.installDateTime",
            f.install_date_time,
        )
    }
}

/// The image and how to check it (whitepaper FirmwareType).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Firmware {
    /// Where to download the image from (a URI).
    pub location: CiString<512>,
    /// Download from this time on.
    pub retrieve_date_time: Timestamp,
    /// Install at this time; absent means as soon as downloaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub install_date_time: Option<Timestamp>,
    /// PEM-encoded certificate with which the image was signed.
    pub signing_certificate: CiString<5500>,
    /// Base64-encoded signature of the image.
    pub signature: CiString<800>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedUpdateFirmwareResponse {
    pub status: UpdateFirmwareStatus,
}

impl Validate for SignedUpdateFirmwareResponse {}

/// The charge point's answer; `AcceptedCanceled` when an ongoing update was cancelled for this one (whitepaper UpdateFirmwareStatusEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UpdateFirmwareStatus {
    Accepted,
    Rejected,
    AcceptedCanceled,
    InvalidCertificate,
    RevokedCertificate,
}

impl UpdateFirmwareStatus {
    pub const ALL: [UpdateFirmwareStatus; 5] = [
        UpdateFirmwareStatus::Accepted,
        UpdateFirmwareStatus::Rejected,
        UpdateFirmwareStatus::AcceptedCanceled,
        UpdateFirmwareStatus::InvalidCertificate,
        UpdateFirmwareStatus::RevokedCertificate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UpdateFirmwareStatus::Accepted => "Accepted",
            UpdateFirmwareStatus::Rejected => "Rejected",
            UpdateFirmwareStatus::AcceptedCanceled => "AcceptedCanceled",
            UpdateFirmwareStatus::InvalidCertificate => "InvalidCertificate",
            UpdateFirmwareStatus::RevokedCertificate => "RevokedCertificate",
        }
    }

    pub fn parse(s: &str) -> Option<UpdateFirmwareStatus> {
        UpdateFirmwareStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for SignedUpdateFirmwareRequest {
    const ACTION: &'static str = "SignedUpdateFirmware";
    type Response = SignedUpdateFirmwareResponse;
}
