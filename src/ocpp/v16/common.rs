//! Types that several OCPP 1.6 actions share, and the range checks behind the `Validate` impls.
//!
//! - here: the verdict on an id tag ([`IdTagInfo`]) and status enums used by more than one action;
//! - [`metering`]: meter readings ([`MeterValue`], [`SampledValue`]);
//! - [`smart_charging`]: charging profiles ([`ChargingProfile`]);
//! - [`certificates`]: certificate references of the security extension ([`CertificateHashData`]).
//!
//! Their items are re-exported here. Names and spellings follow the OCPP 1.6 specification
//! (section 7, "Types") and the Security Whitepaper; the official JSON schemas decide what is
//! required and how long a string may be.

pub mod certificates;
pub mod metering;
pub mod smart_charging;

pub use certificates::*;
pub use metering::*;
pub use smart_charging::*;

use crate::ocpp::types::{IdToken, Timestamp, Validate};
use serde::{Deserialize, Serialize};

/// What the central system says about an id tag (Authorize, StartTransaction, StopTransaction,
/// and each entry of a local authorization list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdTagInfo {
    /// Until when the id tag may be cached as authorized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry_date: Option<Timestamp>,
    /// The group the id tag belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id_tag: Option<IdToken>,
    pub status: AuthorizationStatus,
}

impl IdTagInfo {
    /// A verdict without expiry or parent.
    pub fn new(status: AuthorizationStatus) -> Self {
        IdTagInfo {
            expiry_date: None,
            parent_id_tag: None,
            status,
        }
    }
}

impl Validate for IdTagInfo {}

/// Whether an id tag may charge (OCPP 1.6, 7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuthorizationStatus {
    Accepted,
    Blocked,
    Expired,
    Invalid,
    ConcurrentTx,
}

impl AuthorizationStatus {
    pub const ALL: [AuthorizationStatus; 5] = [
        AuthorizationStatus::Accepted,
        AuthorizationStatus::Blocked,
        AuthorizationStatus::Expired,
        AuthorizationStatus::Invalid,
        AuthorizationStatus::ConcurrentTx,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizationStatus::Accepted => "Accepted",
            AuthorizationStatus::Blocked => "Blocked",
            AuthorizationStatus::Expired => "Expired",
            AuthorizationStatus::Invalid => "Invalid",
            AuthorizationStatus::ConcurrentTx => "ConcurrentTx",
        }
    }

    pub fn parse(s: &str) -> Option<AuthorizationStatus> {
        AuthorizationStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A charge point's answer to RemoteStartTransaction and RemoteStopTransaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RemoteStartStopStatus {
    Accepted,
    Rejected,
}

impl RemoteStartStopStatus {
    pub const ALL: [RemoteStartStopStatus; 2] = [
        RemoteStartStopStatus::Accepted,
        RemoteStartStopStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RemoteStartStopStatus::Accepted => "Accepted",
            RemoteStartStopStatus::Rejected => "Rejected",
        }
    }

    pub fn parse(s: &str) -> Option<RemoteStartStopStatus> {
        RemoteStartStopStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A charge point's answer to TriggerMessage and ExtendedTriggerMessage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TriggerMessageStatus {
    Accepted,
    Rejected,
    NotImplemented,
}

impl TriggerMessageStatus {
    pub const ALL: [TriggerMessageStatus; 3] = [
        TriggerMessageStatus::Accepted,
        TriggerMessageStatus::Rejected,
        TriggerMessageStatus::NotImplemented,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TriggerMessageStatus::Accepted => "Accepted",
            TriggerMessageStatus::Rejected => "Rejected",
            TriggerMessageStatus::NotImplemented => "NotImplemented",
        }
    }

    pub fn parse(s: &str) -> Option<TriggerMessageStatus> {
        TriggerMessageStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

// Checks behind the `Validate` impls; each error starts with the field as spelled on the wire.

/// `value >= min`.
pub(crate) fn at_least(field: &str, value: i64, min: i64) -> Result<(), String> {
    if value < min {
        Err(format!("{field}: must be at least {min}, got {value}"))
    } else {
        Ok(())
    }
}

/// A non-negative decimal with at most one digit after the point (`multipleOf: 0.1`).
pub(crate) fn tenths(field: &str, value: f64) -> Result<(), String> {
    let scaled = value * 10.0;
    if !value.is_finite() || value < 0.0 || (scaled - scaled.round()).abs() > 1e-6 {
        Err(format!(
            "{field}: must be a non-negative multiple of 0.1, got {value}"
        ))
    } else {
        Ok(())
    }
}

/// An absolute URI: a scheme (`ftp:`, `https:` ...) followed by a path without white space.
pub(crate) fn uri(field: &str, value: &str) -> Result<(), String> {
    let ok = value.split_once(':').is_some_and(|(scheme, rest)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !rest.is_empty()
            && !rest.contains(char::is_whitespace)
    });
    if ok {
        Ok(())
    } else {
        Err(format!("{field}: not an absolute URI: {value:?}"))
    }
}

/// `from <= to` when both are given.
pub(crate) fn ordered(
    from_field: &str,
    from: Option<Timestamp>,
    to_field: &str,
    to: Option<Timestamp>,
) -> Result<(), String> {
    match (from, to) {
        (Some(f), Some(t)) if f > t => Err(format!("{to_field}: before {from_field}")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_accepts_one_decimal_only() {
        for ok in [0.0, 0.1, 7.3, 16.0, 32.5, 11000.0] {
            assert_eq!(tenths("limit", ok), Ok(()), "{ok}");
        }
        for bad in [-0.1, 7.25, 0.01, f64::NAN, f64::INFINITY] {
            assert!(tenths("limit", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn uri_check() {
        for ok in [
            "ftp://user:pw@example.com/logs/",
            "https://example.com/fw.bin",
            "sftp://h/p",
        ] {
            assert_eq!(uri("location", ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "example.com/fw.bin",
            "/tmp/x",
            "https://exa mple.com",
            "1ftp://x",
            "ftp:",
        ] {
            assert!(uri("location", bad).is_err(), "{bad}");
        }
    }
}
