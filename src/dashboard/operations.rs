//! The one table of central-system operations the charger page offers: for each, its OCPP
//! request type, the slug of its form's URL and the fields of its form. The forms, the field
//! checks and the dispatch all come from this table; a filled form becomes the request's JSON
//! and takes the API's road ([`crate::api::commands::send`]: parse and validate as the spec
//! spells it, one CALL in flight, timeout, what the answer teaches, audit).

use crate::api::auth::Caller;
use crate::api::commands::operations::operate_by_slug;
use crate::api::error::ApiError;
use crate::ocpp::v16::change_availability::AvailabilityType;
use crate::ocpp::v16::common::{CertificateUse, ChargingProfilePurposeType, ChargingRateUnitType};
use crate::ocpp::v16::extended_trigger_message::ExtendedMessageTrigger;
use crate::ocpp::v16::get_log::LogType;
use crate::ocpp::v16::reset::ResetType;
use crate::services::Services;
use serde::Serialize;
use serde_json::{Map, Value};

/// What a field holds, and so how its input looks and how its text becomes JSON.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    /// Long text (certificates): a text area.
    LongText,
    Integer,
    /// Date and time in UTC; sent as RFC 3339.
    DateTime,
    /// One of the values the function lists (spelled as the spec spells them).
    Choice(fn() -> Vec<String>),
    /// Comma-separated text, sent as a list.
    List,
    /// A JSON value (nested structures such as a charging profile).
    Json,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The request's JSON name.
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// Shown under the field.
    pub hint: &'static str,
}

const fn field(name: &'static str, kind: Kind, required: bool, hint: &'static str) -> Field {
    Field {
        name,
        kind,
        required,
        hint,
    }
}

/// The `status` of a charger's confirmation, as the spec spells it (empty if it has none).
pub fn status_of<T: Serialize>(answer: &T) -> String {
    serde_json::to_value(answer)
        .ok()
        .and_then(|v| v.get("status")?.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The names a closed set of values serialises to.
pub fn names<T: Serialize>(all: &[T]) -> Vec<String> {
    all.iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn literal(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

/// One operation of the table.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// OCPP's name.
    pub action: &'static str,
    /// The form's URL segment (the API's too).
    pub slug: &'static str,
    /// The feature profile it belongs to.
    pub group: &'static str,
    pub fields: &'static [Field],
}

/// Sends the request of the operation `slug` (the API's own dispatch; ReserveNow with the
/// API's reservation-id allocation); the charger's answer as JSON.
async fn dispatch(
    services: &Services,
    caller: &Caller,
    charger: &str,
    slug: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
    if slug == "reserve-now" {
        return crate::api::commands::reservations::reserve(services, caller, charger, body)
            .await
            .map(|answer| serde_json::to_value(answer).unwrap_or(Value::Null));
    }
    operate_by_slug(services, caller, charger, slug, body)
        .await
        .unwrap_or_else(|| Err(ApiError::NotFound(format!("no operation {slug:?}"))))
}

use Kind::{Choice, DateTime, Integer, Json, List, LongText, Text};

const RETRIES: Field = field("retries", Integer, false, "attempts");
const RETRY_INTERVAL: Field = field("retryInterval", Integer, false, "seconds between attempts");

/// Every central-system operation of OCPP 1.6 and its security extension.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        action: "RemoteStartTransaction",
        slug: "remote-start",
        group: "Core",
        fields: &[
            field("idTag", Text, true, "the id tag to start with"),
            field("connectorId", Integer, false, "empty: the charger chooses"),
            field("chargingProfile", Json, false, "a TxProfile as JSON"),
        ],
    },
    Operation {
        action: "RemoteStopTransaction",
        slug: "remote-stop",
        group: "Core",
        fields: &[field("transactionId", Integer, true, "")],
    },
    Operation {
        action: "Reset",
        slug: "reset",
        group: "Core",
        fields: &[field("type", Choice(|| names(&ResetType::ALL)), true, "")],
    },
    Operation {
        action: "ChangeAvailability",
        slug: "change-availability",
        group: "Core",
        fields: &[
            field("connectorId", Integer, true, "0: the whole charger"),
            field("type", Choice(|| names(&AvailabilityType::ALL)), true, ""),
        ],
    },
    Operation {
        action: "ChangeConfiguration",
        slug: "change-configuration",
        group: "Core",
        fields: &[field("key", Text, true, ""), field("value", Text, true, "")],
    },
    Operation {
        action: "GetConfiguration",
        slug: "get-configuration",
        group: "Core",
        fields: &[field(
            "key",
            List,
            false,
            "comma-separated; empty: all keys",
        )],
    },
    Operation {
        action: "ClearCache",
        slug: "clear-cache",
        group: "Core",
        fields: &[],
    },
    Operation {
        action: "DataTransfer",
        slug: "data-transfer",
        group: "Core",
        fields: &[
            field("vendorId", Text, true, ""),
            field("messageId", Text, false, ""),
            field("data", Text, false, ""),
        ],
    },
    Operation {
        action: "UnlockConnector",
        slug: "unlock-connector",
        group: "Core",
        fields: &[field("connectorId", Integer, true, "")],
    },
    Operation {
        action: "GetDiagnostics",
        slug: "get-diagnostics",
        group: "Firmware Management",
        fields: &[
            field("location", Text, true, "upload URL, e.g. ftp://…"),
            RETRIES,
            RETRY_INTERVAL,
            field("startTime", DateTime, false, "UTC"),
            field("stopTime", DateTime, false, "UTC"),
        ],
    },
    Operation {
        action: "UpdateFirmware",
        slug: "update-firmware",
        group: "Firmware Management",
        fields: &[
            field("location", Text, true, "download URL"),
            field("retrieveDate", DateTime, true, "UTC"),
            RETRIES,
            RETRY_INTERVAL,
        ],
    },
    Operation {
        action: "GetLocalListVersion",
        slug: "get-local-list-version",
        group: "Local Auth List Management",
        fields: &[],
    },
    Operation {
        action: "SendLocalList",
        slug: "send-local-list",
        group: "Local Auth List Management",
        fields: &[
            field("listVersion", Integer, true, ""),
            field(
                "updateType",
                Choice(|| literal(&["Differential", "Full"])),
                true,
                "",
            ),
            field(
                "localAuthorizationList",
                Json,
                false,
                r#"[{"idTag": "…", "idTagInfo": {"status": "Accepted"}}]"#,
            ),
        ],
    },
    Operation {
        action: "ReserveNow",
        slug: "reserve-now",
        group: "Reservation",
        fields: &[
            field("connectorId", Integer, true, "0: any connector"),
            field("expiryDate", DateTime, true, "UTC"),
            field("idTag", Text, true, ""),
            field("parentIdTag", Text, false, ""),
            field("reservationId", Integer, false, "empty: the next free id"),
        ],
    },
    Operation {
        action: "CancelReservation",
        slug: "cancel-reservation",
        group: "Reservation",
        fields: &[field("reservationId", Integer, true, "")],
    },
    Operation {
        action: "SetChargingProfile",
        slug: "set-charging-profile",
        group: "Smart Charging",
        fields: &[
            field("connectorId", Integer, true, "0: the whole charger"),
            field(
                "csChargingProfiles",
                Json,
                true,
                "the charging profile as JSON",
            ),
        ],
    },
    Operation {
        action: "ClearChargingProfile",
        slug: "clear-charging-profile",
        group: "Smart Charging",
        fields: &[
            field("id", Integer, false, "profile id"),
            field("connectorId", Integer, false, ""),
            field(
                "chargingProfilePurpose",
                Choice(|| names(&ChargingProfilePurposeType::ALL)),
                false,
                "",
            ),
            field("stackLevel", Integer, false, ""),
        ],
    },
    Operation {
        action: "GetCompositeSchedule",
        slug: "get-composite-schedule",
        group: "Smart Charging",
        fields: &[
            field("connectorId", Integer, true, ""),
            field("duration", Integer, true, "seconds"),
            field(
                "chargingRateUnit",
                Choice(|| names(&ChargingRateUnitType::ALL)),
                false,
                "",
            ),
        ],
    },
    Operation {
        action: "TriggerMessage",
        slug: "trigger-message",
        group: "Remote Trigger",
        fields: &[
            field(
                "requestedMessage",
                Choice(|| {
                    literal(&[
                        "BootNotification",
                        "DiagnosticsStatusNotification",
                        "FirmwareStatusNotification",
                        "Heartbeat",
                        "MeterValues",
                        "StatusNotification",
                    ])
                }),
                true,
                "",
            ),
            field("connectorId", Integer, false, ""),
        ],
    },
    Operation {
        action: "ExtendedTriggerMessage",
        slug: "extended-trigger-message",
        group: "Security",
        fields: &[
            field(
                "requestedMessage",
                Choice(|| names(&ExtendedMessageTrigger::ALL)),
                true,
                "",
            ),
            field("connectorId", Integer, false, ""),
        ],
    },
    Operation {
        action: "CertificateSigned",
        slug: "certificate-signed",
        group: "Security",
        fields: &[field("certificateChain", LongText, true, "PEM")],
    },
    Operation {
        action: "InstallCertificate",
        slug: "install-certificate",
        group: "Security",
        fields: &[
            field(
                "certificateType",
                Choice(|| names(&CertificateUse::ALL)),
                true,
                "",
            ),
            field("certificate", LongText, true, "PEM"),
        ],
    },
    Operation {
        action: "GetInstalledCertificateIds",
        slug: "get-installed-certificate-ids",
        group: "Security",
        fields: &[field(
            "certificateType",
            Choice(|| names(&CertificateUse::ALL)),
            true,
            "",
        )],
    },
    Operation {
        action: "DeleteCertificate",
        slug: "delete-certificate",
        group: "Security",
        fields: &[field(
            "certificateHashData",
            Json,
            true,
            r#"{"hashAlgorithm": "SHA256", "issuerNameHash": "…", "issuerKeyHash": "…", "serialNumber": "…"}"#,
        )],
    },
    Operation {
        action: "GetLog",
        slug: "get-log",
        group: "Security",
        fields: &[
            field("logType", Choice(|| names(&LogType::ALL)), true, ""),
            field("requestId", Integer, true, ""),
            field("log", Json, true, r#"{"remoteLocation": "https://…"}"#),
            RETRIES,
            RETRY_INTERVAL,
        ],
    },
    Operation {
        action: "SignedUpdateFirmware",
        slug: "signed-update-firmware",
        group: "Security",
        fields: &[
            field("requestId", Integer, true, ""),
            field(
                "firmware",
                Json,
                true,
                r#"{"location": "…", "retrieveDateTime": "…", "signingCertificate": "…", "signature": "…"}"#,
            ),
            RETRIES,
            RETRY_INTERVAL,
        ],
    },
];

/// The operation of a slug.
pub fn find(slug: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|o| o.slug == slug)
}

/// A form field that cannot become the request's JSON: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

/// The request's JSON from a form's `(name, text)` pairs: empty optional fields left out,
/// each text read as its field's kind.
pub fn request_of<'a>(
    operation: &Operation,
    form: impl Fn(&str) -> Option<&'a str>,
) -> Result<Value, FieldError> {
    let mut body = Map::new();
    for f in operation.fields {
        let bad = |reason: String| FieldError {
            field: f.name.to_owned(),
            reason,
        };
        let Some(text) = form(f.name).map(str::trim).filter(|t| !t.is_empty()) else {
            if f.required {
                return Err(bad("required".into()));
            }
            continue;
        };
        let value = match f.kind {
            Text | LongText => Value::String(text.to_owned()),
            Integer => text
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| bad(format!("{text:?} is not a whole number")))?,
            DateTime => {
                // A browser's datetime-local leaves out zero seconds ("2026-12-24T18:00").
                let full;
                let text = if text.len() == 16 && text.as_bytes().get(10) == Some(&b'T') {
                    full = format!("{text}:00");
                    full.as_str()
                } else {
                    text
                };
                let t = crate::api::resources::parse_time(f.name, Some(text))
                    .map_err(|_| bad(format!("{text:?} is not a date and time (UTC)")))?
                    .ok_or_else(|| bad("required".into()))?;
                Value::String(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            }
            Choice(values) => {
                if !values().iter().any(|v| v == text) {
                    return Err(bad(format!(
                        "{text:?} is not one of {}",
                        values().join(", ")
                    )));
                }
                Value::String(text.to_owned())
            }
            List => Value::Array(
                text.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            ),
            Json => serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?,
        };
        body.insert(f.name.to_owned(), value);
    }
    Ok(Value::Object(body))
}

/// Builds the request of `slug` from a form and sends it; the charger's answer as JSON.
pub async fn run<'a>(
    services: &Services,
    caller: &Caller,
    charger: &str,
    operation: &Operation,
    form: impl Fn(&str) -> Option<&'a str>,
) -> Result<Value, OperationError> {
    let body = request_of(operation, form).map_err(OperationError::Field)?;
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    dispatch(services, caller, charger, operation.slug, &bytes)
        .await
        .map_err(OperationError::Api)
}

/// Why an operation did not get an answer.
#[derive(Debug)]
pub enum OperationError {
    /// A field of the form is not what its kind needs (nothing was sent).
    Field(FieldError),
    /// The API's answer: invalid request (naming the field), offline, CALLERROR, timeout…
    Api(ApiError),
}

/// The view of one operation's form.
#[derive(Debug, Clone, Serialize)]
pub struct FormView {
    pub action: &'static str,
    pub slug: &'static str,
    pub group: &'static str,
    pub fields: Vec<FieldView>,
    /// Opened (after it was sent, to show the answer).
    pub open: bool,
    pub answer: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    pub name: &'static str,
    pub input: &'static str,
    pub required: bool,
    pub hint: &'static str,
    pub options: Vec<String>,
    pub value: String,
    pub error: Option<String>,
}

impl FormView {
    /// The empty form of an operation.
    pub fn of(operation: &Operation) -> FormView {
        FormView {
            action: operation.action,
            slug: operation.slug,
            group: operation.group,
            fields: operation
                .fields
                .iter()
                .map(|f| FieldView {
                    name: f.name,
                    input: match f.kind {
                        Text | List => "text",
                        LongText | Json => "textarea",
                        Integer => "number",
                        DateTime => "datetime",
                        Choice(_) => "select",
                    },
                    required: f.required,
                    hint: f.hint,
                    options: match f.kind {
                        Choice(values) => values(),
                        _ => Vec::new(),
                    },
                    value: String::new(),
                    error: None,
                })
                .collect(),
            open: false,
            answer: None,
            error: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn form<'a>(pairs: &'a HashMap<&'a str, &'a str>) -> impl Fn(&str) -> Option<&'a str> + 'a {
        move |name| pairs.get(name).copied()
    }

    #[test]
    fn every_operation_has_one_slug_and_a_dispatch() {
        let mut slugs: Vec<_> = OPERATIONS.iter().map(|o| o.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), OPERATIONS.len());
        // OCPP 1.6's 19 central-system operations and the security extension's 7.
        assert_eq!(OPERATIONS.len(), 26);
        for o in OPERATIONS {
            assert_eq!(find(o.slug).map(|f| f.action), Some(o.action));
            for f in o.fields {
                if let Choice(values) = f.kind {
                    assert!(!values().is_empty(), "{}: {}", o.action, f.name);
                }
            }
        }
    }

    #[test]
    fn the_status_of_an_answer_is_read_as_spelled() {
        let answer = serde_json::json!({"status": "RebootRequired"});
        assert_eq!(status_of(&answer), "RebootRequired");
        assert_eq!(status_of(&serde_json::json!({"idTagInfo": {}})), "");
    }

    #[test]
    fn a_form_becomes_the_request_json() {
        let op = find("remote-start").unwrap();
        let pairs = HashMap::from([
            ("idTag", " TAG-1 "),
            ("connectorId", "2"),
            ("chargingProfile", ""),
        ]);
        assert_eq!(
            request_of(op, form(&pairs)).unwrap(),
            serde_json::json!({"idTag": "TAG-1", "connectorId": 2})
        );
        let keys = HashMap::from([("key", "A, B,,C")]);
        assert_eq!(
            request_of(find("get-configuration").unwrap(), form(&keys)).unwrap(),
            serde_json::json!({"key": ["A", "B", "C"]})
        );
        let when = HashMap::from([
            ("location", "ftp://x"),
            ("retrieveDate", "2026-12-24T18:00"),
        ]);
        assert_eq!(
            request_of(find("update-firmware").unwrap(), form(&when)).unwrap()["retrieveDate"],
            "2026-12-24T18:00:00Z"
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let check = |slug: &str, pairs: HashMap<&str, &str>, field: &str| {
            let e = request_of(find(slug).unwrap(), form(&pairs)).unwrap_err();
            assert_eq!(e.field, field, "{e:?}");
        };
        check("remote-start", HashMap::new(), "idTag");
        check(
            "remote-stop",
            HashMap::from([("transactionId", "x1")]),
            "transactionId",
        );
        check("reset", HashMap::from([("type", "Warm")]), "type");
        check(
            "set-charging-profile",
            HashMap::from([("connectorId", "1"), ("csChargingProfiles", "{nope")]),
            "csChargingProfiles",
        );
        check(
            "update-firmware",
            HashMap::from([("location", "x"), ("retrieveDate", "soon")]),
            "retrieveDate",
        );
    }
}
