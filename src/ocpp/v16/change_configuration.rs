//! ChangeConfiguration (Core, central system -> charge point).
//!
//! "Central System can request a Charge Point to change configuration parameters." Unknown keys
//! are answered NotSupported; a change that needs a reboot is answered RebootRequired.
//! (OCPP 1.6, 5.3)

use crate::ocpp::types::{CiString50, CiString500, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeConfigurationRequest {
    pub key: CiString50,
    pub value: CiString500,
}

impl Validate for ChangeConfigurationRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeConfigurationResponse {
    pub status: ConfigurationStatus,
}

impl Validate for ChangeConfigurationResponse {}

// @enum ConfigurationStatus | The charge point's answer to a configuration change. | ChangeConfigurationResponse.json | status

impl super::Request for ChangeConfigurationRequest {
    const ACTION: &'static str = "ChangeConfiguration";
    type Response = ChangeConfigurationResponse;
}
