//! LogStatusNotification (Security extension, charge point -> central system).
//!
//! A charge point reports the progress of a log upload asked for with GetLog; `requestId` ties
//! it to that request. `Idle` is sent only in reply to a trigger, when no upload is in progress.
//! (OCPP 1.6 Security Whitepaper, use case N01)

use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogStatusNotificationRequest {
    pub status: UploadLogStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<i32>,
}

impl Validate for LogStatusNotificationRequest {}

/// An empty payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LogStatusNotificationResponse {}

impl Validate for LogStatusNotificationResponse {}

/// Progress of a log upload (whitepaper UploadLogStatusEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UploadLogStatus {
    BadMessage,
    Idle,
    NotSupportedOperation,
    PermissionDenied,
    Uploaded,
    UploadFailure,
    Uploading,
}

impl UploadLogStatus {
    pub const ALL: [UploadLogStatus; 7] = [
        UploadLogStatus::BadMessage,
        UploadLogStatus::Idle,
        UploadLogStatus::NotSupportedOperation,
        UploadLogStatus::PermissionDenied,
        UploadLogStatus::Uploaded,
        UploadLogStatus::UploadFailure,
        UploadLogStatus::Uploading,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UploadLogStatus::BadMessage => "BadMessage",
            UploadLogStatus::Idle => "Idle",
            UploadLogStatus::NotSupportedOperation => "NotSupportedOperation",
            UploadLogStatus::PermissionDenied => "PermissionDenied",
            UploadLogStatus::Uploaded => "Uploaded",
            UploadLogStatus::UploadFailure => "UploadFailure",
            UploadLogStatus::Uploading => "Uploading",
        }
    }

    pub fn parse(s: &str) -> Option<UploadLogStatus> {
        UploadLogStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl super::Request for LogStatusNotificationRequest {
    const ACTION: &'static str = "LogStatusNotification";
    type Response = LogStatusNotificationResponse;
}
