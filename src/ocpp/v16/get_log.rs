//! GetLog (Security extension, central system -> charge point).
//!
//! The central system asks a charge point to upload a diagnostics or security log to
//! `log.remoteLocation`; the charge point reports progress with LogStatusNotification, tagged
//! with `requestId`. (OCPP 1.6 Security Whitepaper, use case N01)

use super::common::{at_least, ordered};
use crate::ocpp::types::{CiString, CiString255, Timestamp, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetLogRequest {
    pub log: LogParameters,
    pub log_type: LogType,
    pub request_id: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    /// Seconds between retries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
}

impl Validate for GetLogRequest {
    fn validate(&self) -> Result<(), String> {
        if let Some(r) = self.retries {
            at_least("retries", r.into(), 0)?;
        }
        if let Some(r) = self.retry_interval {
            at_least("retryInterval", r.into(), 0)?;
        }
        self.log.validate().map_err(|e| format!("log.{e}"))
    }
}

/// Where to upload and which period to include (whitepaper LogParametersType).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogParameters {
    pub remote_location: CiString<512>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest_timestamp: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_timestamp: Option<Timestamp>,
}

impl Validate for LogParameters {
    fn validate(&self) -> Result<(), String> {
        ordered(
            "oldestTimestamp",
            self.oldest_timestamp,
            "latestTimestamp",
            self.latest_timestamp,
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetLogResponse {
    pub status: LogStatus,
    /// The file that will be uploaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<CiString255>,
}

impl Validate for GetLogResponse {}

/// Which log to upload (whitepaper LogEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LogType {
    DiagnosticsLog,
    SecurityLog,
}

impl LogType {
    pub const ALL: [LogType; 2] = [LogType::DiagnosticsLog, LogType::SecurityLog];

    pub fn as_str(self) -> &'static str {
        match self {
            LogType::DiagnosticsLog => "DiagnosticsLog",
            LogType::SecurityLog => "SecurityLog",
        }
    }

    pub fn parse(s: &str) -> Option<LogType> {
        LogType::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The charge point's answer; `AcceptedCanceled` when an ongoing upload was cancelled for this one (whitepaper LogStatusEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LogStatus {
    Accepted,
    Rejected,
    AcceptedCanceled,
}

impl LogStatus {
    pub const ALL: [LogStatus; 3] = [
        LogStatus::Accepted,
        LogStatus::Rejected,
        LogStatus::AcceptedCanceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LogStatus::Accepted => "Accepted",
            LogStatus::Rejected => "Rejected",
            LogStatus::AcceptedCanceled => "AcceptedCanceled",
        }
    }

    pub fn parse(s: &str) -> Option<LogStatus> {
        LogStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl super::Request for GetLogRequest {
    const ACTION: &'static str = "GetLog";
    type Response = GetLogResponse;
}
