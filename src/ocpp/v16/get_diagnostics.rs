//! GetDiagnostics (Firmware Management, central system -> charge point).
//!
//! "Central System can request a Charge Point for diagnostic information." The charge point
//! uploads a file to `location` and answers with its name, or with no name when there is
//! nothing to upload; it reports progress with DiagnosticsStatusNotification. (OCPP 1.6, 5.9)

use super::common::{at_least, ordered, uri};
use crate::ocpp::types::{CiString255, Timestamp, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetDiagnosticsRequest {
    /// Where to upload to: an absolute URI (e.g. `ftp://...`).
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    /// Seconds between retries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
    /// Oldest diagnostics to include.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Timestamp>,
    /// Latest diagnostics to include.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_time: Option<Timestamp>,
}

impl Validate for GetDiagnosticsRequest {
    fn validate(&self) -> Result<(), String> {
        uri("location", &self.location)?;
        if let Some(r) = self.retries {
            at_least("retries", r.into(), 0)?;
        }
        if let Some(r) = self.retry_interval {
            at_least("retryInterval", r.into(), 0)?;
        }
        ordered("startTime", self.start_time, "stopTime", self.stop_time)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetDiagnosticsResponse {
    /// The file that will be uploaded; absent when there is no diagnostics information.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<CiString255>,
}

impl Validate for GetDiagnosticsResponse {}

impl super::Request for GetDiagnosticsRequest {
    const ACTION: &'static str = "GetDiagnostics";
    type Response = GetDiagnosticsResponse;
}
