//! StatusNotification (Core, charge point -> central system).
//!
//! "A Charge Point sends a notification to the Central System to inform the Central System
//! about a status change or an error within the Charge Point." (OCPP 1.6, 4.9)
//!
//! `connectorId` 0 is the charge point as a whole. `timestamp` is when the status was reported
//! (the charge point may be reporting late); absent means now.

use crate::ocpp::types::{InfoString, Timestamp, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusNotificationRequest {
    pub connector_id: u32,
    pub error_code: ChargePointErrorCode,
    /// Free text about the error. This and the vendor's fields are informational: kept whole
    /// even when longer than the schema allows (see [`super::text_limits`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<InfoString<50>>,
    pub status: ChargePointStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
    /// The vendor whose error code is in `vendorErrorCode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_id: Option<InfoString<255>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_error_code: Option<InfoString<50>>,
}

impl Validate for StatusNotificationRequest {}

/// An empty payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StatusNotificationResponse {}

impl Validate for StatusNotificationResponse {}

/// The error a charge point or connector reports; `NoError` when there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChargePointErrorCode {
    ConnectorLockFailure,
    EVCommunicationError,
    GroundFailure,
    HighTemperature,
    InternalError,
    LocalListConflict,
    NoError,
    OtherError,
    OverCurrentFailure,
    PowerMeterFailure,
    PowerSwitchFailure,
    ReaderFailure,
    ResetFailure,
    UnderVoltage,
    OverVoltage,
    WeakSignal,
}

impl ChargePointErrorCode {
    pub const ALL: [ChargePointErrorCode; 16] = [
        ChargePointErrorCode::ConnectorLockFailure,
        ChargePointErrorCode::EVCommunicationError,
        ChargePointErrorCode::GroundFailure,
        ChargePointErrorCode::HighTemperature,
        ChargePointErrorCode::InternalError,
        ChargePointErrorCode::LocalListConflict,
        ChargePointErrorCode::NoError,
        ChargePointErrorCode::OtherError,
        ChargePointErrorCode::OverCurrentFailure,
        ChargePointErrorCode::PowerMeterFailure,
        ChargePointErrorCode::PowerSwitchFailure,
        ChargePointErrorCode::ReaderFailure,
        ChargePointErrorCode::ResetFailure,
        ChargePointErrorCode::UnderVoltage,
        ChargePointErrorCode::OverVoltage,
        ChargePointErrorCode::WeakSignal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChargePointErrorCode::ConnectorLockFailure => "ConnectorLockFailure",
            ChargePointErrorCode::EVCommunicationError => "EVCommunicationError",
            ChargePointErrorCode::GroundFailure => "GroundFailure",
            ChargePointErrorCode::HighTemperature => "HighTemperature",
            ChargePointErrorCode::InternalError => "InternalError",
            ChargePointErrorCode::LocalListConflict => "LocalListConflict",
            ChargePointErrorCode::NoError => "NoError",
            ChargePointErrorCode::OtherError => "OtherError",
            ChargePointErrorCode::OverCurrentFailure => "OverCurrentFailure",
            ChargePointErrorCode::PowerMeterFailure => "PowerMeterFailure",
            ChargePointErrorCode::PowerSwitchFailure => "PowerSwitchFailure",
            ChargePointErrorCode::ReaderFailure => "ReaderFailure",
            ChargePointErrorCode::ResetFailure => "ResetFailure",
            ChargePointErrorCode::UnderVoltage => "UnderVoltage",
            ChargePointErrorCode::OverVoltage => "OverVoltage",
            ChargePointErrorCode::WeakSignal => "WeakSignal",
        }
    }

    pub fn parse(s: &str) -> Option<ChargePointErrorCode> {
        ChargePointErrorCode::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// The state of a connector (or, for connector 0, of the charge point: only Available, Unavailable and Faulted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChargePointStatus {
    Available,
    Preparing,
    Charging,
    SuspendedEVSE,
    SuspendedEV,
    Finishing,
    Reserved,
    Unavailable,
    Faulted,
}

impl ChargePointStatus {
    pub const ALL: [ChargePointStatus; 9] = [
        ChargePointStatus::Available,
        ChargePointStatus::Preparing,
        ChargePointStatus::Charging,
        ChargePointStatus::SuspendedEVSE,
        ChargePointStatus::SuspendedEV,
        ChargePointStatus::Finishing,
        ChargePointStatus::Reserved,
        ChargePointStatus::Unavailable,
        ChargePointStatus::Faulted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChargePointStatus::Available => "Available",
            ChargePointStatus::Preparing => "Preparing",
            ChargePointStatus::Charging => "Charging",
            ChargePointStatus::SuspendedEVSE => "SuspendedEVSE",
            ChargePointStatus::SuspendedEV => "SuspendedEV",
            ChargePointStatus::Finishing => "Finishing",
            ChargePointStatus::Reserved => "Reserved",
            ChargePointStatus::Unavailable => "Unavailable",
            ChargePointStatus::Faulted => "Faulted",
        }
    }

    pub fn parse(s: &str) -> Option<ChargePointStatus> {
        ChargePointStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl super::Request for StatusNotificationRequest {
    const ACTION: &'static str = "StatusNotification";
    type Response = StatusNotificationResponse;
}
