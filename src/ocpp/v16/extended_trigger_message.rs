//! ExtendedTriggerMessage (Security extension, central system -> charge point).
//!
//! TriggerMessage extended with the messages of the security extension: the central system asks
//! a charge point to send a given message now (e.g. `SignChargePointCertificate` to make it
//! start a SignCertificate). (OCPP 1.6 Security Whitepaper, 5.x "ExtendedTriggerMessage")

use super::common::{at_least, TriggerMessageStatus};
use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtendedTriggerMessageRequest {
    pub requested_message: ExtendedMessageTrigger,
    /// Only when the message concerns one connector (> 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<u32>,
}

impl Validate for ExtendedTriggerMessageRequest {
    fn validate(&self) -> Result<(), String> {
        if let Some(c) = self.connector_id {
            at_least("connectorId", c.into(), 1)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtendedTriggerMessageResponse {
    pub status: TriggerMessageStatus,
}

impl Validate for ExtendedTriggerMessageResponse {}

/// The message asked for (whitepaper MessageTriggerEnumType; named apart from the core [`super::trigger_message::MessageTrigger`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExtendedMessageTrigger {
    BootNotification,
    LogStatusNotification,
    FirmwareStatusNotification,
    Heartbeat,
    MeterValues,
    SignChargePointCertificate,
    StatusNotification,
}

impl ExtendedMessageTrigger {
    pub const ALL: [ExtendedMessageTrigger; 7] = [
        ExtendedMessageTrigger::BootNotification,
        ExtendedMessageTrigger::LogStatusNotification,
        ExtendedMessageTrigger::FirmwareStatusNotification,
        ExtendedMessageTrigger::Heartbeat,
        ExtendedMessageTrigger::MeterValues,
        ExtendedMessageTrigger::SignChargePointCertificate,
        ExtendedMessageTrigger::StatusNotification,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExtendedMessageTrigger::BootNotification => "BootNotification",
            ExtendedMessageTrigger::LogStatusNotification => "LogStatusNotification",
            ExtendedMessageTrigger::FirmwareStatusNotification => "FirmwareStatusNotification",
            ExtendedMessageTrigger::Heartbeat => "Heartbeat",
            ExtendedMessageTrigger::MeterValues => "MeterValues",
            ExtendedMessageTrigger::SignChargePointCertificate => "SignChargePointCertificate",
            ExtendedMessageTrigger::StatusNotification => "StatusNotification",
        }
    }

    pub fn parse(s: &str) -> Option<ExtendedMessageTrigger> {
        ExtendedMessageTrigger::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for ExtendedTriggerMessageRequest {
    const ACTION: &'static str = "ExtendedTriggerMessage";
    type Response = ExtendedTriggerMessageResponse;
}
