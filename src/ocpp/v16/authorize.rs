//! Authorize (Core, charge point -> central system).
//!
//! "Before the owner of an electric vehicle can start or stop charging, the Charge Point has to
//! authorize the operation. The Charge Point SHALL only supply energy after authorization."
//! (OCPP 1.6, 4.1)

use super::common::IdTagInfo;
use crate::ocpp::types::{IdToken, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizeRequest {
    pub id_tag: IdToken,
}

impl Validate for AuthorizeRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizeResponse {
    pub id_tag_info: IdTagInfo,
}

impl Validate for AuthorizeResponse {}

impl super::Request for AuthorizeRequest {
    const ACTION: &'static str = "Authorize";
    type Response = AuthorizeResponse;
}
