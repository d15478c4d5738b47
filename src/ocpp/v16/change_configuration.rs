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

/// The charge point's answer to a configuration change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConfigurationStatus {
    Accepted,
    Rejected,
    RebootRequired,
    NotSupported,
}

impl ConfigurationStatus {
    pub const ALL: [ConfigurationStatus; 4] = [
        ConfigurationStatus::Accepted,
        ConfigurationStatus::Rejected,
        ConfigurationStatus::RebootRequired,
        ConfigurationStatus::NotSupported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConfigurationStatus::Accepted => "Accepted",
            ConfigurationStatus::Rejected => "Rejected",
            ConfigurationStatus::RebootRequired => "RebootRequired",
            ConfigurationStatus::NotSupported => "NotSupported",
        }
    }

    pub fn parse(s: &str) -> Option<ConfigurationStatus> {
        ConfigurationStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for ChangeConfigurationRequest {
    const ACTION: &'static str = "ChangeConfiguration";
    type Response = ChangeConfigurationResponse;
}
