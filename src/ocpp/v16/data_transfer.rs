//! DataTransfer (Core, both directions).
//!
//! "If a Charge Point needs to send information to the Central System for a function not
//! supported by OCPP, it SHALL use the DataTransfer.req PDU." The central system may do the
//! same towards a charge point. `vendorId` identifies the vendor-specific implementation and
//! `messageId` the message within it. (OCPP 1.6, 4.3 and 5.6)
//!
//! The 1.6 schema makes `data` a string, but real chargers put arbitrary JSON there. It is kept
//! as a JSON value, exactly as received (including `null`); anything but a string is noted as a
//! quirk. What we send ourselves should be a string.

use crate::ocpp::types::{quirks, CiString255, CiString50, Validate};
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataTransferRequest {
    pub vendor_id: CiString255,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<CiString50>,
    /// Text by the schema; any JSON value in practice.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub data: Option<serde_json::Value>,
}

impl Validate for DataTransferRequest {
    fn validate(&self) -> Result<(), String> {
        note_non_string(&self.data);
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataTransferResponse {
    pub status: DataTransferStatus,
    /// Text by the schema; any JSON value in practice.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub data: Option<serde_json::Value>,
}

impl Validate for DataTransferResponse {
    fn validate(&self) -> Result<(), String> {
        note_non_string(&self.data);
        Ok(())
    }
}

/// The receiver's answer; `UnknownVendorId` and `UnknownMessageId` when it does not know the extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DataTransferStatus {
    Accepted,
    Rejected,
    UnknownMessageId,
    UnknownVendorId,
}

impl DataTransferStatus {
    pub const ALL: [DataTransferStatus; 4] = [
        DataTransferStatus::Accepted,
        DataTransferStatus::Rejected,
        DataTransferStatus::UnknownMessageId,
        DataTransferStatus::UnknownVendorId,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DataTransferStatus::Accepted => "Accepted",
            DataTransferStatus::Rejected => "Rejected",
            DataTransferStatus::UnknownMessageId => "UnknownMessageId",
            DataTransferStatus::UnknownVendorId => "UnknownVendorId",
        }
    }

    pub fn parse(s: &str) -> Option<DataTransferStatus> {
        DataTransferStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A `data` field that is present, even as `null`, is `Some` (plain `Option` would read `null`
/// as absent and so not send back what we got).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

fn note_non_string(data: &Option<serde_json::Value>) {
    if data.as_ref().is_some_and(|d| !d.is_string()) {
        quirks::note("DataTransfer data that is not a string");
    }
}

impl super::Request for DataTransferRequest {
    const ACTION: &'static str = "DataTransfer";
    type Response = DataTransferResponse;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocpp::v16::parse;
    use serde_json::json;

    #[test]
    fn data_of_any_json_type_is_kept_as_sent_and_noted() {
        for data in [json!({"a": [1, 2]}), json!(42), json!(null), json!([true])] {
            quirks::take();
            let payload = json!({"vendorId": "ACME", "data": data});
            let req: DataTransferRequest = parse(&payload).unwrap();
            assert_eq!(req.data, Some(data.clone()));
            assert_eq!(serde_json::to_value(&req).unwrap(), payload);
            assert_eq!(
                quirks::take(),
                vec!["DataTransfer data that is not a string"],
                "{data}"
            );
        }
    }

    #[test]
    fn string_or_absent_data_is_not_a_quirk() {
        quirks::take();
        let req: DataTransferRequest = parse(&json!({"vendorId": "ACME", "data": "x"})).unwrap();
        assert_eq!(req.data, Some(json!("x")));
        let req: DataTransferRequest = parse(&json!({"vendorId": "ACME"})).unwrap();
        assert_eq!(req.data, None);
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"vendorId": "ACME"})
        );
        let res: DataTransferResponse = parse(&json!({"status": "Accepted"})).unwrap();
        assert_eq!(res.data, None);
        assert!(quirks::take().is_empty());
    }
}
