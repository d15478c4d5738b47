//! TriggerMessage (Remote Trigger, central system -> charge point).
//!
//! "During normal operation, the Charge Point informs the Central System of its state and any
//! relevant occurrences. If there is nothing to report the Charge Point will send at least a
//! heartBeat at a predefined interval. Under normal circumstances this is just fine, but what if
//! the Central System has (whatever) reason to doubt the last known state? What can a Central
//! System do if a firmware update is in progress and the last status notification it received
//! about it was much longer ago than could reasonably be expected? The same can be asked for
//! the progress of a diagnostics request. The problem in these situations is not that the
//! information needed isn't covered by existing messages, the problem is strictly a timing
//! issue. The Charge Point has the information, but has no way of knowing that the Central
//! System would like an update." (OCPP 1.6, 5.17) TriggerMessage asks for one message now.

use super::common::{at_least, TriggerMessageStatus};
use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerMessageRequest {
    pub requested_message: MessageTrigger,
    /// Only when the message concerns one connector (> 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<u32>,
}

impl Validate for TriggerMessageRequest {
    fn validate(&self) -> Result<(), String> {
        if let Some(c) = self.connector_id {
            at_least("connectorId", c.into(), 1)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerMessageResponse {
    pub status: TriggerMessageStatus,
}

impl Validate for TriggerMessageResponse {}

/// The message asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MessageTrigger {
    BootNotification,
    DiagnosticsStatusNotification,
    FirmwareStatusNotification,
    Heartbeat,
    MeterValues,
    StatusNotification,
}

impl MessageTrigger {
    pub const ALL: [MessageTrigger; 6] = [
        MessageTrigger::BootNotification,
        MessageTrigger::DiagnosticsStatusNotification,
        MessageTrigger::FirmwareStatusNotification,
        MessageTrigger::Heartbeat,
        MessageTrigger::MeterValues,
        MessageTrigger::StatusNotification,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageTrigger::BootNotification => "BootNotification",
            MessageTrigger::DiagnosticsStatusNotification => "DiagnosticsStatusNotification",
            MessageTrigger::FirmwareStatusNotification => "FirmwareStatusNotification",
            MessageTrigger::Heartbeat => "Heartbeat",
            MessageTrigger::MeterValues => "MeterValues",
            MessageTrigger::StatusNotification => "StatusNotification",
        }
    }

    pub fn parse(s: &str) -> Option<MessageTrigger> {
        MessageTrigger::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl super::Request for TriggerMessageRequest {
    const ACTION: &'static str = "TriggerMessage";
    type Response = TriggerMessageResponse;
}
