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
            let entries = self.local_authorization_list.iter().flatten();
            if let Some(i) = entries.clone().position(|e| e.id_tag_info.is_none()) {
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

// @enum UpdateType | Whether the list replaces the charge point's list or changes it. | SendLocalList.json | updateType

// @enum UpdateStatus | The charge point's answer; `VersionMismatch` when a differential update does not apply to its version. | SendLocalListResponse.json | status

impl super::Request for SendLocalListRequest {
    const ACTION: &'static str = "SendLocalList";
    type Response = SendLocalListResponse;
}
