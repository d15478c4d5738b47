//! SendLocalList (Local Auth List Management, central system -> charge point).
//!
//! "Central System can send a Local Authorization List that a Charge Point can use for
//! authorization of idTags." A `Full` update replaces the list; a `Differential` one adds or
//! updates the entries that carry an `idTagInfo` and removes those that do not. `listVersion`
//! is the version of the list after the update. (OCPP 1.6, 5.15)

use super::common::IdTagInfo;
use crate::ocpp::types::{IdToken, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendLocalListRequest {
    pub list_version: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_authorization_list: Option<Vec<AuthorizationData>>,
    pub update_type: UpdateType,
}

impl Validate for SendLocalListRequest {
    fn validate(&self) -> Result<(), String> {
        if self.update_type == UpdateType::Full {
            let mut entries = self.local_authorization_list.iter().flatten();
            if let Some(i) = entries.position(|e| e.id_tag_info.is_none()) {
                return Err(format!(
                    "localAuthorizationList[{i}].idTagInfo: required in a Full update"
                ));
            }
        }
        Ok(())
    }
}

/// One entry of a local authorization list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationData {
    pub id_tag: IdToken,
    /// Required in a `Full` update; absent in a `Differential` one means "remove".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_tag_info: Option<IdTagInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendLocalListResponse {
    pub status: UpdateStatus,
}

impl Validate for SendLocalListResponse {}

/// Whether the list replaces the charge point's list or changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UpdateType {
    Differential,
    Full,
}

impl UpdateType {
    pub const ALL: [UpdateType; 2] = [UpdateType::Differential, UpdateType::Full];

    pub fn as_str(self) -> &'static str {
        match self {
            UpdateType::Differential => "Differential",
            UpdateType::Full => "Full",
        }
    }

    pub fn parse(s: &str) -> Option<UpdateType> {
        UpdateType::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The charge point's answer; `VersionMismatch` when a differential update does not apply to its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UpdateStatus {
    Accepted,
    Failed,
    NotSupported,
    VersionMismatch,
}

impl UpdateStatus {
    pub const ALL: [UpdateStatus; 4] = [
        UpdateStatus::Accepted,
        UpdateStatus::Failed,
        UpdateStatus::NotSupported,
        UpdateStatus::VersionMismatch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UpdateStatus::Accepted => "Accepted",
            UpdateStatus::Failed => "Failed",
            UpdateStatus::NotSupported => "NotSupported",
            UpdateStatus::VersionMismatch => "VersionMismatch",
        }
    }

    pub fn parse(s: &str) -> Option<UpdateStatus> {
        UpdateStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl super::Request for SendLocalListRequest {
    const ACTION: &'static str = "SendLocalList";
    type Response = SendLocalListResponse;
}
