//! The schema oracle: our OCPP 1.6 types against the official JSON schemas.
//!
//! The schemas ship with the Python `ocpp` package; `tests/python/validate_schemas.py` checks
//! payloads against them. What we send is built from our types (`outbound_samples`), so a field
//! misnamed, an enum misspelled, a required field left optional or a timestamp written in the
//! wrong form fails here. What chargers send (`inbound_samples`) must be valid by the schemas,
//! decode into our types and encode back unchanged. Together the samples must show every
//! property and every enum value of every schema. Each sample changed in one place must be
//! accepted or refused by our types exactly as the schema accepts or refuses it (requiredness,
//! string lengths, enums, JSON types), save for the tolerances listed here and the over-long
//! informational text that `text_limits::TEXT_FIELDS` keeps (that table must name every bounded
//! text field of a charger CALL, with the schema's limit). Invalid charger payloads must be
//! refused with the CALLERROR code the spec asks for.
//!
//! Needs the Python environment that `tests/run` creates (or `CSMS_TEST_PYTHON`).

use csms::ocpp::frame::ErrorCode;
use csms::ocpp::types::{decode, quirks, DecodeError, Validate};
use csms::ocpp::v16::samples::{inbound_samples, outbound_samples, Sample};
use csms::ocpp::v16::text_limits::{self, OverLimit};
use csms::ocpp::v16::{
    self as v16, parse, ChargerCall, Request, CENTRAL_SYSTEM_ACTIONS, CHARGE_POINT_ACTIONS,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CSMS_TEST_PYTHON") {
        let p = PathBuf::from(p);
        assert!(
            p.exists(),
            "CSMS_TEST_PYTHON={} does not exist; run tests/run, which creates it",
            p.display()
        );
        return p;
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ocpp-venv/bin/python");
    assert!(
        venv.exists(),
        "no Python environment with the `ocpp` package at {}: run tests/run (it creates one), \
         or point CSMS_TEST_PYTHON at a python that has `ocpp` and `jsonschema`",
        venv.display()
    );
    venv
}

/// Runs the validator script with `args` and `samples` on its stdin: (success, its output).
fn run_validator(args: &[String], samples: &[Sample]) -> (bool, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/validate_schemas.py");
    let mut input = String::new();
    for (action, kind, payload) in samples {
        input.push_str(&json!({"action": action, "kind": kind, "payload": payload}).to_string());
        input.push('\n');
    }
    let mut child = Command::new(python())
        .arg(&script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the schema validator");
    let mut stdin = child.stdin.take().expect("validator stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("run the schema validator");
    writer
        .join()
        .expect("writer thread")
        .expect("write payloads to the validator");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Schema items that no sample shows because the spec forbids them where the schema allows them.
const NEVER_SENT: [&str; 2] = [
    // "The Charging Profile [of a RemoteStartTransaction] SHALL have ChargingProfilePurpose set to
    // TxProfile" (OCPP 1.6, 5.11); RemoteStartTransactionRequest::validate refuses the others.
    "RemoteStartTransaction:chargingProfile.chargingProfilePurpose=ChargePointMaxProfile",
    "RemoteStartTransaction:chargingProfile.chargingProfilePurpose=TxDefaultProfile",
];

/// Checks `samples` sent in `direction` against the schemas; panics with the report on failure.
fn validate_against_schemas(direction: &str, samples: &[Sample]) {
    let mut args = vec![
        format!("--direction={direction}"),
        format!("--charge-point-actions={}", CHARGE_POINT_ACTIONS.join(",")),
        format!(
            "--central-system-actions={}",
            CENTRAL_SYSTEM_ACTIONS.join(",")
        ),
    ];
    if direction == "outbound" {
        args.extend(NEVER_SENT.iter().map(|item| format!("--exempt={item}")));
    }
    let (ok, report) = run_validator(&args, samples);
    assert!(
        ok,
        "{direction} payloads do not match the official schemas:\n{report}"
    );
    println!("{report}");
}

/// How far decoding goes: the serde shape only, or also our own checks (`Validate`).
#[derive(Clone, Copy, PartialEq)]
enum Depth {
    Shape,
    Checked,
}

/// Decodes `payload` as the request or response of `R`, and encodes it again.
fn reencode<R: Request>(
    action: &str,
    kind: &str,
    payload: &Value,
    depth: Depth,
) -> Result<Value, DecodeError> {
    fn go<T: DeserializeOwned + Validate + Serialize>(
        payload: &Value,
        depth: Depth,
    ) -> Result<Value, DecodeError> {
        let value: T = match depth {
            Depth::Shape => decode(payload)?,
            Depth::Checked => parse(payload)?,
        };
        Ok(serde_json::to_value(value).expect("a decoded payload serializes"))
    }
    assert_eq!(
        R::ACTION,
        action,
        "the table below maps {action} to the wrong type"
    );
    match kind {
        "request" => go::<R>(payload, depth),
        "response" => go::<R::Response>(payload, depth),
        other => panic!("kind {other:?}"),
    }
}

/// [`reencode`] with the type of `action`.
fn reencode_any(action: &str, kind: &str, p: &Value, d: Depth) -> Result<Value, DecodeError> {
    use v16::*;
    match action {
        "Authorize" => reencode::<authorize::AuthorizeRequest>(action, kind, p, d),
        "BootNotification" => {
            reencode::<boot_notification::BootNotificationRequest>(action, kind, p, d)
        }
        "CancelReservation" => {
            reencode::<cancel_reservation::CancelReservationRequest>(action, kind, p, d)
        }
        "CertificateSigned" => {
            reencode::<certificate_signed::CertificateSignedRequest>(action, kind, p, d)
        }
        "ChangeAvailability" => {
            reencode::<change_availability::ChangeAvailabilityRequest>(action, kind, p, d)
        }
        "ChangeConfiguration" => {
            reencode::<change_configuration::ChangeConfigurationRequest>(action, kind, p, d)
        }
        "ClearCache" => reencode::<clear_cache::ClearCacheRequest>(action, kind, p, d),
        "ClearChargingProfile" => {
            reencode::<clear_charging_profile::ClearChargingProfileRequest>(action, kind, p, d)
        }
        "DataTransfer" => reencode::<data_transfer::DataTransferRequest>(action, kind, p, d),
        "DeleteCertificate" => {
            reencode::<delete_certificate::DeleteCertificateRequest>(action, kind, p, d)
        }
        "DiagnosticsStatusNotification" => reencode::<
            diagnostics_status_notification::DiagnosticsStatusNotificationRequest,
        >(action, kind, p, d),
        "ExtendedTriggerMessage" => {
            reencode::<extended_trigger_message::ExtendedTriggerMessageRequest>(action, kind, p, d)
        }
        "FirmwareStatusNotification" => reencode::<
            firmware_status_notification::FirmwareStatusNotificationRequest,
        >(action, kind, p, d),
        "GetCompositeSchedule" => {
            reencode::<get_composite_schedule::GetCompositeScheduleRequest>(action, kind, p, d)
        }
        "GetConfiguration" => {
            reencode::<get_configuration::GetConfigurationRequest>(action, kind, p, d)
        }
        "GetDiagnostics" => reencode::<get_diagnostics::GetDiagnosticsRequest>(action, kind, p, d),
        "GetInstalledCertificateIds" => reencode::<
            get_installed_certificate_ids::GetInstalledCertificateIdsRequest,
        >(action, kind, p, d),
        "GetLocalListVersion" => {
            reencode::<get_local_list_version::GetLocalListVersionRequest>(action, kind, p, d)
        }
        "GetLog" => reencode::<get_log::GetLogRequest>(action, kind, p, d),
        "Heartbeat" => reencode::<heartbeat::HeartbeatRequest>(action, kind, p, d),
        "InstallCertificate" => {
            reencode::<install_certificate::InstallCertificateRequest>(action, kind, p, d)
        }
        "LogStatusNotification" => {
            reencode::<log_status_notification::LogStatusNotificationRequest>(action, kind, p, d)
        }
        "MeterValues" => reencode::<meter_values::MeterValuesRequest>(action, kind, p, d),
        "RemoteStartTransaction" => {
            reencode::<remote_start_transaction::RemoteStartTransactionRequest>(action, kind, p, d)
        }
        "RemoteStopTransaction" => {
            reencode::<remote_stop_transaction::RemoteStopTransactionRequest>(action, kind, p, d)
        }
        "ReserveNow" => reencode::<reserve_now::ReserveNowRequest>(action, kind, p, d),
        "Reset" => reencode::<reset::ResetRequest>(action, kind, p, d),
        "SecurityEventNotification" => reencode::<
            security_event_notification::SecurityEventNotificationRequest,
        >(action, kind, p, d),
        "SendLocalList" => reencode::<send_local_list::SendLocalListRequest>(action, kind, p, d),
        "SetChargingProfile" => {
            reencode::<set_charging_profile::SetChargingProfileRequest>(action, kind, p, d)
        }
        "SignCertificate" => {
            reencode::<sign_certificate::SignCertificateRequest>(action, kind, p, d)
        }
        "SignedFirmwareStatusNotification" => reencode::<
            signed_firmware_status_notification::SignedFirmwareStatusNotificationRequest,
        >(action, kind, p, d),
        "SignedUpdateFirmware" => {
            reencode::<signed_update_firmware::SignedUpdateFirmwareRequest>(action, kind, p, d)
        }
        "StartTransaction" => {
            reencode::<start_transaction::StartTransactionRequest>(action, kind, p, d)
        }
        "StatusNotification" => {
            reencode::<status_notification::StatusNotificationRequest>(action, kind, p, d)
        }
        "StopTransaction" => {
            reencode::<stop_transaction::StopTransactionRequest>(action, kind, p, d)
        }
        "TriggerMessage" => reencode::<trigger_message::TriggerMessageRequest>(action, kind, p, d),
        "UnlockConnector" => {
            reencode::<unlock_connector::UnlockConnectorRequest>(action, kind, p, d)
        }
        "UpdateFirmware" => reencode::<update_firmware::UpdateFirmwareRequest>(action, kind, p, d),
        other => panic!("no type for action {other:?}"),
    }
}

/// The payload of a decoded charger CALL, encoded again.
fn payload_of(call: &ChargerCall) -> Value {
    use ChargerCall as C;
    match call {
        C::Authorize(r) => serde_json::to_value(r),
        C::BootNotification(r) => serde_json::to_value(r),
        C::DataTransfer(r) => serde_json::to_value(r),
        C::DiagnosticsStatusNotification(r) => serde_json::to_value(r),
        C::FirmwareStatusNotification(r) => serde_json::to_value(r),
        C::Heartbeat(r) => serde_json::to_value(r),
        C::LogStatusNotification(r) => serde_json::to_value(r),
        C::MeterValues(r) => serde_json::to_value(r),
        C::SecurityEventNotification(r) => serde_json::to_value(r),
        C::SignCertificate(r) => serde_json::to_value(r),
        C::SignedFirmwareStatusNotification(r) => serde_json::to_value(r),
        C::StartTransaction(r) => serde_json::to_value(r),
        C::StatusNotification(r) => serde_json::to_value(r),
        C::StopTransaction(r) => serde_json::to_value(r),
    }
    .expect("a decoded CALL serializes")
}

#[test]
fn outbound_payloads_match_official_schemas() {
    let samples = outbound_samples();
    validate_against_schemas("outbound", &samples);
    // What we send also passes our own checks, and reads back as sent.
    for (action, kind, payload) in &samples {
        let again = reencode_any(action, kind, payload, Depth::Checked)
            .unwrap_or_else(|e| panic!("{action} {kind}: {e}\n{payload}"));
        assert_eq!(
            &again, payload,
            "{action} {kind} does not read back as sent"
        );
    }
}

#[test]
fn inbound_samples_match_schemas_and_decode() {
    let samples = inbound_samples();
    validate_against_schemas("inbound", &samples);
    quirks::take();
    for (action, kind, payload) in &samples {
        let again = if *kind == "request" {
            let call = ChargerCall::decode(action, payload)
                .unwrap_or_else(|e| panic!("{action}: {e}\n{payload}"));
            assert_eq!(call.action(), *action);
            payload_of(&call)
        } else {
            reencode_any(action, kind, payload, Depth::Checked)
                .unwrap_or_else(|e| panic!("{action} {kind}: {e}\n{payload}"))
        };
        assert_eq!(
            &again, payload,
            "{action} {kind} does not encode back to what was received"
        );
        let notes = quirks::take();
        assert!(
            notes.is_empty(),
            "{action} {kind}: a schema-valid payload was noted as a quirk: {notes:?}"
        );
    }
}

/// Decoding a charger CALL gives the CALLERROR code the spec asks for.
fn check(action: &str, payload: Value, expected: ErrorCode) {
    match ChargerCall::decode(action, &payload) {
        Ok(call) => panic!("{action} {payload} was accepted as {call:?}; expected {expected}"),
        Err(e) => assert_eq!(e.code, expected, "{action} {payload}: {}", e.description),
    }
}

#[test]
fn invalid_charger_payloads_get_the_spec_error_codes() {
    use ErrorCode::{
        NotImplemented, NotSupported, OccurenceConstraintViolation as Missing,
        PropertyConstraintViolation as Property, TypeConstraintViolation as Type,
    };
    let start = |connector: Value| json!({"connectorId": connector, "idTag": "TAG", "meterStart": 0, "timestamp": "2024-05-01T10:00:00Z"});
    let meter = |sampled: Value| json!({"connectorId": 1, "meterValue": [{"timestamp": "2024-05-01T10:00:00Z", "sampledValue": [sampled]}]});
    let status = |error_code: &str, status: &str| json!({"connectorId": 1, "errorCode": error_code, "status": status});
    let table = [
        // A required field missing.
        ("Authorize", json!({}), Missing),
        (
            "BootNotification",
            json!({"chargePointVendor": "ACME"}),
            Missing,
        ),
        (
            "StartTransaction",
            json!({"connectorId": 1, "idTag": "TAG", "meterStart": 0}),
            Missing,
        ),
        (
            "StopTransaction",
            json!({"meterStop": 10, "timestamp": "2024-05-01T10:00:00Z"}),
            Missing,
        ),
        (
            "StatusNotification",
            json!({"connectorId": 1, "status": "Available"}),
            Missing,
        ),
        ("MeterValues", json!({"connectorId": 1}), Missing),
        ("MeterValues", meter(json!({"unit": "Wh"})), Missing),
        ("DataTransfer", json!({"messageId": "x"}), Missing),
        ("DiagnosticsStatusNotification", json!({}), Missing),
        (
            "SecurityEventNotification",
            json!({"type": "FirmwareUpdated"}),
            Missing,
        ),
        ("SignCertificate", json!({}), Missing),
        // A field of the wrong JSON type.
        ("Authorize", json!({"idTag": 1234}), Type),
        ("StartTransaction", start(json!("1")), Type),
        (
            "StartTransaction",
            json!({"connectorId": 1, "idTag": "T", "meterStart": 1.5, "timestamp": "2024-05-01T10:00:00Z"}),
            Type,
        ),
        (
            "StopTransaction",
            json!({"meterStop": 1, "timestamp": "2024-05-01T10:00:00Z", "transactionId": 1, "transactionData": {}}),
            Type,
        ),
        (
            "MeterValues",
            json!({"connectorId": 1, "meterValue": {}}),
            Type,
        ),
        ("MeterValues", meter(json!({"value": true})), Type),
        (
            "LogStatusNotification",
            json!({"status": "Uploaded", "requestId": "7"}),
            Type,
        ),
        (
            "StatusNotification",
            json!({"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": 0}),
            Type,
        ),
        // A value out of range, not in the enum, or too long.
        (
            "Authorize",
            json!({"idTag": "123456789012345678901"}),
            Property,
        ),
        (
            "StartTransaction",
            json!({"connectorId": 1, "idTag": "T".repeat(21), "meterStart": 0, "timestamp": "2024-05-01T10:00:00Z"}),
            Property,
        ),
        ("StartTransaction", start(json!(-1)), Property),
        ("StartTransaction", start(json!(0)), Property),
        (
            "StartTransaction",
            json!({"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": "yesterday"}),
            Property,
        ),
        (
            "StopTransaction",
            json!({"meterStop": 1, "timestamp": "2024-05-01T10:00:00Z", "transactionId": 1, "reason": "Unplugged"}),
            Property,
        ),
        ("StatusNotification", status("NoError", "Broken"), Property),
        ("StatusNotification", status("Kaputt", "Faulted"), Property),
        (
            "StatusNotification",
            json!({"connectorId": -1, "errorCode": "NoError", "status": "Available"}),
            Property,
        ),
        (
            "DataTransfer",
            json!({"vendorId": "ACME", "messageId": "m".repeat(51)}),
            Property,
        ),
        (
            "MeterValues",
            meter(json!({"value": "1", "measurand": "Energy"})),
            Property,
        ),
        (
            "MeterValues",
            meter(json!({"value": "1", "unit": "kwh"})),
            Property,
        ),
        (
            "MeterValues",
            meter(json!({"value": "1", "context": "Periodic"})),
            Property,
        ),
        (
            "DataTransfer",
            json!({"vendorId": "v".repeat(256)}),
            Property,
        ),
        (
            "DiagnosticsStatusNotification",
            json!({"status": "Done"}),
            Property,
        ),
        (
            "FirmwareStatusNotification",
            json!({"status": "SignatureVerified"}),
            Property,
        ),
        (
            "SignedFirmwareStatusNotification",
            json!({"status": "Finished"}),
            Property,
        ),
        (
            "SecurityEventNotification",
            json!({"type": "t".repeat(51), "timestamp": "2024-05-01T10:00:00Z"}),
            Property,
        ),
        (
            "SignCertificate",
            json!({"csr": "c".repeat(5501)}),
            Property,
        ),
        // Not an action a central system receives.
        ("Authorise", json!({"idTag": "TAG"}), NotImplemented),
        ("authorize", json!({"idTag": "TAG"}), NotImplemented),
        ("", json!({}), NotImplemented),
        ("Reset", json!({"type": "Hard"}), NotSupported),
        (
            "RemoteStartTransaction",
            json!({"idTag": "TAG"}),
            NotSupported,
        ),
    ];
    for (action, payload, expected) in table {
        check(action, payload, expected);
    }
}

/// Payloads the schemas refuse but real chargers send: accepted, and noted as quirks.
#[test]
fn tolerated_charger_payloads_are_accepted_and_noted() {
    let table = [
        (
            "MeterValues",
            json!({"connectorId": 1, "meterValue": [{"timestamp": "2024-05-01T10:00:00Z", "sampledValue": [{"value": 29.86}]}]}),
            Some("number sent where a string is required"),
        ),
        (
            "MeterValues",
            json!({"connectorId": 1, "meterValue": [{"timestamp": "2024-05-01T10:00:00Z", "sampledValue": []}]}),
            Some("empty sampledValue array"),
        ),
        (
            "MeterValues",
            json!({"connectorId": 1, "meterValue": []}),
            Some("empty meterValue array"),
        ),
        (
            "StopTransaction",
            json!({"meterStop": 1, "timestamp": "2024-05-01T10:00:00Z", "transactionId": 0,
                   "transactionData": [{"timestamp": "2024-05-01T10:00:00Z", "sampledValue": []}]}),
            Some("empty sampledValue array"),
        ),
        (
            "StartTransaction",
            json!({"connectorId": 1, "idTag": "TAG", "meterStart": 0, "timestamp": "2024-05-01T10:00:00"}),
            Some("timestamp without a UTC offset, read as UTC"),
        ),
        (
            "StatusNotification",
            json!({"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": "2024-05-01T12:00:00+02"}),
            Some("timestamp with an hours-only offset"),
        ),
        (
            "DataTransfer",
            json!({"vendorId": "ACME", "data": {"soc": 80}}),
            Some("DataTransfer data that is not a string"),
        ),
        // Informational text longer than the schema allows (text_limits::TEXT_FIELDS).
        (
            "BootNotification",
            json!({"chargePointVendor": "ACME", "chargePointModel": "M", "chargeBoxSerialNumber": "S".repeat(41)}),
            Some(
                "chargeBoxSerialNumber: 41 characters where at most 25 are allowed (kept in full)",
            ),
        ),
        (
            "StatusNotification",
            json!({"connectorId": 1, "errorCode": "OtherError", "status": "Faulted", "info": "i".repeat(51)}),
            Some("info: 51 characters where at most 50 are allowed (kept in full)"),
        ),
        // Unknown fields are ignored.
        ("Authorize", json!({"idTag": "TAG", "vendorExtra": 1}), None),
    ];
    for (action, payload, expected) in table {
        quirks::take();
        if let Err(e) = ChargerCall::decode(action, &payload) {
            panic!("{action} {payload} was refused: {e}");
        }
        assert_eq!(
            quirks::take(),
            expected.into_iter().collect::<Vec<_>>(),
            "{action} {payload}"
        );
    }
}

/// The CALLERROR code the spec asks for when the schema's verdict on a payload is `verdict`
/// (`None`: the payload is valid, or is one we knowingly accept).
fn expected_code(action: &str, kind: &str, mutation: &str, verdict: &str) -> Option<ErrorCode> {
    if tolerated(action, mutation) || kept_over_limit(action, kind, mutation) {
        return None;
    }
    match verdict {
        "valid" => None,
        "required" => Some(ErrorCode::OccurenceConstraintViolation),
        "type" => Some(ErrorCode::TypeConstraintViolation),
        "maxLength" | "enum" | "format" => Some(ErrorCode::PropertyConstraintViolation),
        other => {
            panic!("the validator gave an unexpected verdict {other:?} for {action} {mutation}")
        }
    }
}

/// Where we knowingly accept what the schemas refuse (OCPP-NOTES.md, "What real chargers send").
fn tolerated(action: &str, mutation: &str) -> bool {
    let (what, path) = mutation.split_once(' ').unwrap_or((mutation, ""));
    let sampled_value = path.contains("sampledValue/") && path.ends_with("/value");
    (sampled_value && what == "type:number")
        || (action == "DataTransfer" && path == "data" && what.starts_with("type:"))
}

/// Whether `mutation` makes an informational text field of a charger CALL longer than its
/// limit, which we keep (text_limits::TEXT_FIELDS).
fn kept_over_limit(action: &str, kind: &str, mutation: &str) -> bool {
    let Some(field) = mutation.strip_prefix("maxLength+1 ") else {
        return false;
    };
    kind == "request"
        && CHARGE_POINT_ACTIONS.contains(&action)
        && text_limits::find(action, field).is_some_and(|f| f.over_limit == OverLimit::Keep)
}

/// A `maxLength` mutation of a charger CALL's text field must have its row in
/// text_limits::TEXT_FIELDS, with the schema's limit (the mutated value is the limit's length).
fn check_text_limit_row(
    action: &str,
    kind: &str,
    mutation: &str,
    payload: &Value,
) -> Option<String> {
    let field = mutation.strip_prefix("maxLength ")?;
    if kind != "request" || !CHARGE_POINT_ACTIONS.contains(&action) {
        return None;
    }
    let limit = payload
        .pointer(&format!("/{field}"))
        .and_then(Value::as_str)
        .map(|s| s.chars().count());
    match text_limits::find(action, field) {
        None => Some(format!(
            "{action}.{field}: bounded by the schema but not in TEXT_FIELDS"
        )),
        Some(row) if Some(row.limit) != limit => Some(format!(
            "{action}.{field}: TEXT_FIELDS says {}, the schema {limit:?}",
            row.limit
        )),
        Some(_) => None,
    }
}

/// Where we refuse as the schema does but with another code: serde reads an object given for an
/// enum as an externally tagged variant, and so answers "unknown variant" or "expected map with
/// a single key" (a property error) where the schema finds a wrong type.
fn same_refusal_other_code(verdict: &str, got: &DecodeError) -> bool {
    verdict == "type"
        && got.code == ErrorCode::PropertyConstraintViolation
        && (got.description.contains("unknown variant")
            || got.description.contains("expected map with a single key"))
}

/// Every sample changed in one place (a field deleted, a string at and past its maxLength, a
/// value outside its enum or of another JSON type): our types must accept exactly what the
/// schemas accept, and refuse the rest with the matching code. This proves that requiredness,
/// string lengths and enums of every type follow the schemas, beyond the samples themselves.
#[test]
fn one_place_changes_are_judged_as_the_schemas_judge_them() {
    let samples: Vec<Sample> = outbound_samples()
        .into_iter()
        .chain(inbound_samples())
        .collect();
    let (ok, lines) = run_validator(&["--mutate".to_owned()], &samples);
    assert!(
        ok,
        "the validator could not derive changed payloads:\n{lines}"
    );
    let mut checked = 0;
    let mut differences = Vec::new();
    let mut text_rows_seen = 0;
    for line in lines.lines() {
        let m: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let field = |name: &str| {
            m[name]
                .as_str()
                .unwrap_or_else(|| panic!("no {name} in {line}"))
                .to_owned()
        };
        let (action, kind, mutation, verdict) = (
            field("action"),
            field("kind"),
            field("mutation"),
            field("verdict"),
        );
        if mutation.starts_with("maxLength ")
            && CHARGE_POINT_ACTIONS.contains(&action.as_str())
            && kind == "request"
        {
            text_rows_seen += 1;
        }
        differences.extend(check_text_limit_row(
            &action,
            &kind,
            &mutation,
            &m["payload"],
        ));
        let got = reencode_any(&action, &kind, &m["payload"], Depth::Shape);
        let agrees = match (&got, expected_code(&action, &kind, &mutation, &verdict)) {
            (Ok(_), None) => true,
            (Err(e), Some(code)) => e.code == code || same_refusal_other_code(&verdict, e),
            _ => false,
        };
        if !agrees {
            let ours = got
                .map(|_| "accepted".to_owned())
                .unwrap_or_else(|e| e.to_string());
            differences.push(format!(
                "{action} {kind}, {mutation}: the schema says {verdict}, we say {ours}"
            ));
        }
        checked += 1;
    }
    assert!(
        checked > 1000,
        "only {checked} changed payloads were derived"
    );
    assert_eq!(
        text_rows_seen,
        text_limits::TEXT_FIELDS.len(),
        "TEXT_FIELDS has rows for text fields the schemas do not bound, or the samples miss some"
    );
    assert!(
        differences.is_empty(),
        "{} of {checked} changed payloads are judged differently from the schemas:\n{}",
        differences.len(),
        differences.join("\n")
    );
    println!("{checked} changed payloads judged as the schemas judge them");
}
