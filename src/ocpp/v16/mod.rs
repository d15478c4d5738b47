//! OCPP 1.6 messages: one file per action (request, confirmation, its enums and the spec text),
//! plus [`common`] for types several actions share.
//!
//! [`ChargerCall`] is the closed set of CALLs a charge point may send us, decoded with one
//! `match`; anything else is answered NotSupported (an action of the other direction) or
//! NotImplemented (not an OCPP 1.6 action).

use super::frame::ErrorCode;
use super::types::{decode, DecodeError, Validate};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub mod common;
pub mod secrets;
pub mod text_limits;

// Core
pub mod authorize;
pub mod boot_notification;
pub mod change_availability;
pub mod change_configuration;
pub mod clear_cache;
pub mod data_transfer;
pub mod get_configuration;
pub mod heartbeat;
pub mod meter_values;
pub mod remote_start_transaction;
pub mod remote_stop_transaction;
pub mod reset;
pub mod start_transaction;
pub mod status_notification;
pub mod stop_transaction;
pub mod unlock_connector;
// Firmware Management
pub mod diagnostics_status_notification;
pub mod firmware_status_notification;
pub mod get_diagnostics;
pub mod update_firmware;
// Local Auth List Management
pub mod get_local_list_version;
pub mod send_local_list;
// Reservation
pub mod cancel_reservation;
pub mod reserve_now;
// Smart Charging
pub mod clear_charging_profile;
pub mod get_composite_schedule;
pub mod set_charging_profile;
// Remote Trigger
pub mod trigger_message;
// Security extension
pub mod certificate_signed;
pub mod delete_certificate;
pub mod extended_trigger_message;
pub mod get_installed_certificate_ids;
pub mod get_log;
pub mod install_certificate;
pub mod log_status_notification;
pub mod security_event_notification;
pub mod sign_certificate;
pub mod signed_firmware_status_notification;
pub mod signed_update_firmware;

/// A request payload type, tied to its action name and its confirmation type.
pub trait Request: Serialize + DeserializeOwned + Validate + Send + 'static {
    const ACTION: &'static str;
    type Response: Serialize + DeserializeOwned + Validate + Send + 'static;
}

/// Actions a charge point sends to the central system.
pub const CHARGE_POINT_ACTIONS: [&str; 14] = [
    "Authorize",
    "BootNotification",
    "DataTransfer",
    "DiagnosticsStatusNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "LogStatusNotification",
    "MeterValues",
    "SecurityEventNotification",
    "SignCertificate",
    "SignedFirmwareStatusNotification",
    "StartTransaction",
    "StatusNotification",
    "StopTransaction",
];

/// Actions the central system sends to a charge point (DataTransfer goes both ways).
pub const CENTRAL_SYSTEM_ACTIONS: [&str; 26] = [
    "CancelReservation",
    "CertificateSigned",
    "ChangeAvailability",
    "ChangeConfiguration",
    "ClearCache",
    "ClearChargingProfile",
    "DataTransfer",
    "DeleteCertificate",
    "ExtendedTriggerMessage",
    "GetCompositeSchedule",
    "GetConfiguration",
    "GetDiagnostics",
    "GetInstalledCertificateIds",
    "GetLocalListVersion",
    "GetLog",
    "InstallCertificate",
    "RemoteStartTransaction",
    "RemoteStopTransaction",
    "ReserveNow",
    "Reset",
    "SendLocalList",
    "SetChargingProfile",
    "SignedUpdateFirmware",
    "TriggerMessage",
    "UnlockConnector",
    "UpdateFirmware",
];

/// A CALL from a charge point, decoded and validated.
#[derive(Debug, Clone, PartialEq)]
pub enum ChargerCall {
    Authorize(authorize::AuthorizeRequest),
    BootNotification(boot_notification::BootNotificationRequest),
    DataTransfer(data_transfer::DataTransferRequest),
    DiagnosticsStatusNotification(
        diagnostics_status_notification::DiagnosticsStatusNotificationRequest,
    ),
    FirmwareStatusNotification(firmware_status_notification::FirmwareStatusNotificationRequest),
    Heartbeat(heartbeat::HeartbeatRequest),
    LogStatusNotification(log_status_notification::LogStatusNotificationRequest),
    MeterValues(meter_values::MeterValuesRequest),
    SecurityEventNotification(security_event_notification::SecurityEventNotificationRequest),
    SignCertificate(sign_certificate::SignCertificateRequest),
    SignedFirmwareStatusNotification(
        signed_firmware_status_notification::SignedFirmwareStatusNotificationRequest,
    ),
    StartTransaction(start_transaction::StartTransactionRequest),
    StatusNotification(status_notification::StatusNotificationRequest),
    StopTransaction(stop_transaction::StopTransactionRequest),
}

impl ChargerCall {
    /// Decodes the payload of a CALL named `action`; the error carries the CALLERROR code.
    /// Informational text over its length limit is kept and noted ([`text_limits`]).
    pub fn decode(action: &str, payload: &serde_json::Value) -> Result<ChargerCall, DecodeError> {
        use ChargerCall as C;
        let call = match action {
            "Authorize" => C::Authorize(parse(payload)?),
            "BootNotification" => C::BootNotification(parse(payload)?),
            "DataTransfer" => C::DataTransfer(parse(payload)?),
            "DiagnosticsStatusNotification" => C::DiagnosticsStatusNotification(parse(payload)?),
            "FirmwareStatusNotification" => C::FirmwareStatusNotification(parse(payload)?),
            "Heartbeat" => C::Heartbeat(parse(payload)?),
            "LogStatusNotification" => C::LogStatusNotification(parse(payload)?),
            "MeterValues" => C::MeterValues(parse(payload)?),
            "SecurityEventNotification" => C::SecurityEventNotification(parse(payload)?),
            "SignCertificate" => C::SignCertificate(parse(payload)?),
            "SignedFirmwareStatusNotification" => {
                C::SignedFirmwareStatusNotification(parse(payload)?)
            }
            "StartTransaction" => C::StartTransaction(parse(payload)?),
            "StatusNotification" => C::StatusNotification(parse(payload)?),
            "StopTransaction" => C::StopTransaction(parse(payload)?),
            other if CENTRAL_SYSTEM_ACTIONS.contains(&other) => {
                return Err(DecodeError {
                    code: ErrorCode::NotSupported,
                    description: format!("{other} is sent by a central system, not to it"),
                })
            }
            other => {
                return Err(DecodeError {
                    code: ErrorCode::NotImplemented,
                    description: format!("unknown action {other:?}"),
                })
            }
        };
        text_limits::note_over_limit(action, payload);
        Ok(call)
    }

    /// The action name, as sent on the wire.
    pub fn action(&self) -> &'static str {
        use ChargerCall as C;
        match self {
            C::Authorize(_) => "Authorize",
            C::BootNotification(_) => "BootNotification",
            C::DataTransfer(_) => "DataTransfer",
            C::DiagnosticsStatusNotification(_) => "DiagnosticsStatusNotification",
            C::FirmwareStatusNotification(_) => "FirmwareStatusNotification",
            C::Heartbeat(_) => "Heartbeat",
            C::LogStatusNotification(_) => "LogStatusNotification",
            C::MeterValues(_) => "MeterValues",
            C::SecurityEventNotification(_) => "SecurityEventNotification",
            C::SignCertificate(_) => "SignCertificate",
            C::SignedFirmwareStatusNotification(_) => "SignedFirmwareStatusNotification",
            C::StartTransaction(_) => "StartTransaction",
            C::StatusNotification(_) => "StatusNotification",
            C::StopTransaction(_) => "StopTransaction",
        }
    }
}

/// Decodes and validates one payload.
pub fn parse<T: DeserializeOwned + Validate>(
    payload: &serde_json::Value,
) -> Result<T, DecodeError> {
    let value: T = decode(payload)?;
    value.validate().map_err(|description| DecodeError {
        code: ErrorCode::PropertyConstraintViolation,
        description,
    })?;
    Ok(value)
}
pub mod samples;
