//! The length limits of the text fields a charge point sends us, and which of them we relax.
//!
//! The official schemas bound every text field. Real chargers overshoot some of them: a
//! 41-character `chargeBoxSerialNumber` where 25 are allowed. Refusing such a BootNotification
//! locks the charger out for good (it never registers, so everything it sends after is refused
//! too), over a field that only informs. So:
//!
//! - **informational text** (serial numbers, firmware version, ICCID, IMSI, meter type, vendor
//!   and model names, error details, free text) is *kept whole* when too long: its type is an
//!   [`InfoString`](crate::ocpp::types::InfoString), the message is answered normally, and a
//!   quirk note names the field and its length (the charger actor logs it);
//! - **text that identifies, authorises or routes** (id tags, DataTransfer's `vendorId` and
//!   `messageId`, a security event's `type`, a CSR) is *refused* when too long, with
//!   PropertyConstraintViolation: a cut or stretched value there would be wrong data.
//!
//! [`TEXT_FIELDS`] is the one list. The tests below hold the message types to it, and
//! `tests/schemas.rs` holds it to the official schemas (every bounded text field of every
//! charger CALL is a row, with the schema's limit).

use crate::ocpp::types::quirks;
use serde_json::Value;

/// What happens to a value longer than its field's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverLimit {
    /// Accepted and stored in full; a quirk note says which field and how long.
    Keep,
    /// Refused with PropertyConstraintViolation.
    Refuse,
}

/// One text field of a charger CALL, with the schema's limit (characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextField {
    pub action: &'static str,
    /// The field's name on the wire (all are top-level fields of the payload).
    pub field: &'static str,
    pub limit: usize,
    pub over_limit: OverLimit,
}

const fn row(
    action: &'static str,
    field: &'static str,
    limit: usize,
    over_limit: OverLimit,
) -> TextField {
    TextField {
        action,
        field,
        limit,
        over_limit,
    }
}

use OverLimit::{Keep, Refuse};

/// Every bounded text field of the CALLs a charge point sends: field -> limit -> what happens
/// when it is exceeded.
pub const TEXT_FIELDS: [TextField; 20] = [
    // Who the charger is, as it describes itself: nothing is keyed or decided on these.
    row("BootNotification", "chargePointVendor", 20, Keep),
    row("BootNotification", "chargePointModel", 20, Keep),
    row("BootNotification", "chargePointSerialNumber", 25, Keep),
    row("BootNotification", "chargeBoxSerialNumber", 25, Keep),
    row("BootNotification", "firmwareVersion", 50, Keep),
    row("BootNotification", "iccid", 20, Keep),
    row("BootNotification", "imsi", 20, Keep),
    row("BootNotification", "meterType", 25, Keep),
    row("BootNotification", "meterSerialNumber", 25, Keep),
    // Details of a connector's error; its state is in the `status` and `errorCode` enums.
    row("StatusNotification", "info", 50, Keep),
    row("StatusNotification", "vendorId", 255, Keep),
    row("StatusNotification", "vendorErrorCode", 50, Keep),
    // Free text about a security event.
    row("SecurityEventNotification", "techInfo", 255, Keep),
    // What the event is: its name is how events are told apart.
    row("SecurityEventNotification", "type", 50, Refuse),
    // Id tags decide who may charge and whose a transaction is.
    row("Authorize", "idTag", 20, Refuse),
    row("StartTransaction", "idTag", 20, Refuse),
    row("StopTransaction", "idTag", 20, Refuse),
    // DataTransfer's answer depends on the vendor id (`ocpp.data_transfer_vendors`).
    row("DataTransfer", "vendorId", 255, Refuse),
    row("DataTransfer", "messageId", 50, Refuse),
    // The certificate request is signed as sent.
    row("SignCertificate", "csr", 5500, Refuse),
];

/// The row of `field` of `action`'s CALL, if it has one.
pub fn find(action: &str, field: &str) -> Option<&'static TextField> {
    TEXT_FIELDS
        .iter()
        .find(|f| f.action == action && f.field == field)
}

/// Notes each informational field of a decoded `action` CALL that is longer than its limit
/// (the decoder has kept it whole).
pub fn note_over_limit(action: &str, payload: &Value) {
    for f in TEXT_FIELDS
        .iter()
        .filter(|f| f.action == action && f.over_limit == Keep)
    {
        let Some(text) = payload.get(f.field).and_then(Value::as_str) else {
            continue;
        };
        let len = text.chars().count();
        if len > f.limit {
            quirks::note(format!(
                "{}: {len} characters where at most {} are allowed (kept in full)",
                f.field, f.limit
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocpp::frame::ErrorCode;
    use crate::ocpp::v16::ChargerCall;
    use serde_json::json;

    /// A valid payload of `action` to put an over-long field into.
    fn base(action: &str) -> Value {
        let at = "2024-05-01T10:00:00Z";
        match action {
            "BootNotification" => json!({"chargePointVendor": "V", "chargePointModel": "M"}),
            "StatusNotification" => {
                json!({"connectorId": 1, "errorCode": "OtherError", "status": "Faulted"})
            }
            "SecurityEventNotification" => json!({"type": "FirmwareUpdated", "timestamp": at}),
            "Authorize" => json!({"idTag": "TAG"}),
            "StartTransaction" => {
                json!({"connectorId": 1, "idTag": "TAG", "meterStart": 0, "timestamp": at})
            }
            "StopTransaction" => json!({"meterStop": 5, "timestamp": at, "transactionId": 1}),
            "DataTransfer" => json!({"vendorId": "ACME"}),
            "SignCertificate" => json!({"csr": "-----BEGIN CERTIFICATE REQUEST-----"}),
            other => panic!("no base payload for {other}: add one"),
        }
    }

    fn with(f: &TextField, len: usize) -> Value {
        let mut payload = base(f.action);
        payload[f.field] = json!("x".repeat(len));
        payload
    }

    #[test]
    fn every_row_is_judged_as_the_table_says() {
        for f in &TEXT_FIELDS {
            quirks::take();
            let at_limit = ChargerCall::decode(f.action, &with(f, f.limit));
            assert!(at_limit.is_ok(), "{f:?} at its limit: {at_limit:?}");
            assert!(quirks::take().is_empty(), "{f:?} at its limit was noted");

            let long = "x".repeat(f.limit + 16);
            let over = ChargerCall::decode(f.action, &with(f, f.limit + 16));
            let notes = quirks::take();
            match f.over_limit {
                Keep => {
                    let call = over.unwrap_or_else(|e| panic!("{f:?} over its limit: {e}"));
                    assert!(
                        format!("{call:?}").contains(&long),
                        "{f:?}: not kept in full: {call:?}"
                    );
                    let expected = format!(
                        "{}: {} characters where at most {} are allowed (kept in full)",
                        f.field,
                        f.limit + 16,
                        f.limit
                    );
                    assert_eq!(notes, vec![expected], "{f:?}");
                }
                Refuse => {
                    let e = over.expect_err(&format!("{f:?} over its limit was accepted"));
                    assert_eq!(e.code, ErrorCode::PropertyConstraintViolation, "{f:?}");
                    assert!(e.description.starts_with(f.field), "{f:?}: {e}");
                }
            }
        }
    }

    #[test]
    fn rows_are_unique() {
        let rows = &TEXT_FIELDS;
        for (i, a) in rows.iter().enumerate() {
            assert!(
                rows[i + 1..]
                    .iter()
                    .all(|b| (b.action, b.field) != (a.action, a.field)),
                "{a:?} twice"
            );
        }
    }
}
