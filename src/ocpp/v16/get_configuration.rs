//! GetConfiguration (Core, central system -> charge point).
//!
//! "To retrieve the value of configuration settings, the Central System SHALL send a
//! GetConfiguration.req PDU to the Charge Point." Without keys the charge point reports all of
//! its settings; keys it does not know come back in `unknownKey`. (OCPP 1.6, 5.8)

use crate::ocpp::types::{CiString50, CiString500, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetConfigurationRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<Vec<CiString50>>,
}

impl Validate for GetConfigurationRequest {}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetConfigurationResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration_key: Option<Vec<KeyValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_key: Option<Vec<CiString50>>,
}

impl Validate for GetConfigurationResponse {}

/// One configuration setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyValue {
    pub key: CiString50,
    /// Whether the central system may not change it.
    pub readonly: bool,
    /// Absent when the key is known but has no value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<CiString500>,
}

impl super::Request for GetConfigurationRequest {
    const ACTION: &'static str = "GetConfiguration";
    type Response = GetConfigurationResponse;
}
