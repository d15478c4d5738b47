//! Example payloads of every OCPP 1.6 message, for the schema oracle (`tests/schemas.rs`), which
//! checks them against the official JSON schemas.
//!
//! [`outbound_samples`] are built from our types and serialized, so they show what we really
//! send: every central-system request and every answer to a charge-point request, with each
//! enum value and with optional fields both absent and present. [`inbound_samples`] are written
//! by hand as a valid charger would send them: every charge-point request and every answer to a
//! central-system request, minimal and maximal. Their timestamps are written the way we write
//! them (`YYYY-MM-DDTHH:MM:SS.mmmZ`) so that decoding and re-encoding gives the same JSON.

use super::common::*;
use super::*;
use crate::ocpp::types::{CiString, Timestamp};
use serde::Serialize;
use serde_json::{json, Value};

/// (action, `"request"` or `"response"`, payload).
pub type Sample = (&'static str, &'static str, Value);

/// What we send: requests of [`CENTRAL_SYSTEM_ACTIONS`], answers to [`CHARGE_POINT_ACTIONS`].
pub fn outbound_samples() -> Vec<Sample> {
    let mut out = Vec::new();
    out.extend(central_system_requests());
    out.extend(answers_to_charge_points());
    out
}

fn sample<T: Serialize>(action: &'static str, kind: &'static str, payload: &T) -> Sample {
    // A payload that cannot be serialized shows up as a schema failure naming it.
    let json = serde_json::to_value(payload)
        .unwrap_or_else(|e| json!({ "serializationError": e.to_string() }));
    (action, kind, json)
}

fn request<R: Request>(payload: R) -> Sample {
    sample(R::ACTION, "request", &payload)
}

fn response<R: Request>(payload: R::Response) -> Sample {
    sample(R::ACTION, "response", &payload)
}

fn at(text: &str) -> Timestamp {
    Timestamp::parse_lenient(text).unwrap_or_else(Timestamp::now)
}

fn ci<const N: usize>(text: &str) -> CiString<N> {
    CiString::truncate(text)
}

const PEM_CERTIFICATE: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJ2mN0Zq3XbQ1\
    c2VydmVyMB4XDTI0MDUwMTAwMDAwMFoXDTM0MDUwMTAwMDAwMFowEjEQMA4GA1UEAwwH\n-----END CERTIFICATE-----\n";

fn hash_data(hash_algorithm: HashAlgorithm) -> CertificateHashData {
    CertificateHashData {
        hash_algorithm,
        issuer_name_hash: ci("5ba8bc6ea4b34fbe84a9a8a8c3e2e2a1b9f0c1d2e3f4a5b6c7d8e9f0a1b2c3d4"),
        issuer_key_hash: ci("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"),
        serial_number: ci("4e1f9a0b3c"),
    }
}

fn period(start_period: i64, limit: f64, number_phases: Option<i64>) -> ChargingSchedulePeriod {
    ChargingSchedulePeriod {
        start_period,
        limit,
        number_phases,
    }
}

/// A profile with every optional field set.
fn maximal_profile() -> ChargingProfile {
    ChargingProfile {
        charging_profile_id: 7,
        transaction_id: Some(1001),
        stack_level: 2,
        charging_profile_purpose: ChargingProfilePurposeType::TxProfile,
        charging_profile_kind: ChargingProfileKindType::Recurring,
        recurrency_kind: Some(RecurrencyKindType::Weekly),
        valid_from: Some(at("2024-05-01T00:00:00.000Z")),
        valid_to: Some(at("2024-12-31T23:59:59.000Z")),
        charging_schedule: ChargingSchedule {
            duration: Some(86400),
            start_schedule: Some(at("2024-05-06T00:00:00.000Z")),
            charging_rate_unit: ChargingRateUnitType::A,
            charging_schedule_period: vec![
                period(0, 32.0, Some(3)),
                period(28800, 16.5, Some(1)),
                period(64800, 7.3, None),
            ],
            min_charging_rate: Some(6.0),
        },
    }
}

/// A profile with no optional field.
fn minimal_profile() -> ChargingProfile {
    ChargingProfile {
        charging_profile_id: 1,
        transaction_id: None,
        stack_level: 0,
        charging_profile_purpose: ChargingProfilePurposeType::ChargePointMaxProfile,
        charging_profile_kind: ChargingProfileKindType::Absolute,
        recurrency_kind: None,
        valid_from: None,
        valid_to: None,
        charging_schedule: ChargingSchedule {
            duration: None,
            start_schedule: None,
            charging_rate_unit: ChargingRateUnitType::W,
            charging_schedule_period: vec![period(0, 22000.0, None)],
            min_charging_rate: None,
        },
    }
}

fn central_system_requests() -> Vec<Sample> {
    use self::{
        cancel_reservation::*, certificate_signed::*, change_availability::*,
        change_configuration::*, clear_cache::*, clear_charging_profile::*, data_transfer::*,
        delete_certificate::*, extended_trigger_message::*, get_composite_schedule::*,
        get_configuration::*, get_diagnostics::*, get_installed_certificate_ids::*,
        get_local_list_version::*, get_log::*, install_certificate::*, remote_start_transaction::*,
        remote_stop_transaction::*, reserve_now::*, reset::*, send_local_list::*,
        set_charging_profile::*, signed_update_firmware::*, trigger_message::*,
        unlock_connector::*, update_firmware::*,
    };
    let mut out = vec![
        request(CancelReservationRequest { reservation_id: 42 }),
        request(CertificateSignedRequest {
            certificate_chain: ci(PEM_CERTIFICATE),
        }),
        request(ChangeConfigurationRequest {
            key: ci("HeartbeatInterval"),
            value: ci("300"),
        }),
        request(ChangeConfigurationRequest {
            key: ci("AuthorizationKey"),
            value: ci("0123456789abcdef0123456789abcdef"),
        }),
        request(ClearCacheRequest {}),
        request(ClearChargingProfileRequest::default()),
        request(ClearChargingProfileRequest {
            id: Some(7),
            ..Default::default()
        }),
        request(DataTransferRequest {
            vendor_id: ci("com.example"),
            message_id: None,
            data: None,
        }),
        request(DataTransferRequest {
            vendor_id: ci("com.example"),
            message_id: Some(ci("SetTariff")),
            data: Some(json!("{\"price\":0.29}")),
        }),
        request(GetCompositeScheduleRequest {
            connector_id: 0,
            duration: 86400,
            charging_rate_unit: None,
        }),
        request(GetConfigurationRequest::default()),
        request(GetConfigurationRequest {
            key: Some(vec![
                ci("HeartbeatInterval"),
                ci("MeterValueSampleInterval"),
            ]),
        }),
        request(GetDiagnosticsRequest {
            location: "ftp://diag.example.com/upload/".into(),
            retries: None,
            retry_interval: None,
            start_time: None,
            stop_time: None,
        }),
        request(GetDiagnosticsRequest {
            location: "https://diag.example.com/upload/CP-1".into(),
            retries: Some(3),
            retry_interval: Some(60),
            start_time: Some(at("2024-05-01T00:00:00.000Z")),
            stop_time: Some(at("2024-05-02T00:00:00.000Z")),
        }),
        request(GetLocalListVersionRequest {}),
        request(RemoteStartTransactionRequest {
            connector_id: None,
            id_tag: ci("04E91C5A123456"),
            charging_profile: None,
        }),
        request(RemoteStartTransactionRequest {
            connector_id: Some(1),
            id_tag: ci("04E91C5A123456"),
            charging_profile: Some(ChargingProfile {
                transaction_id: None,
                charging_profile_kind: ChargingProfileKindType::Relative,
                recurrency_kind: None,
                ..maximal_profile()
            }),
        }),
        request(RemoteStartTransactionRequest {
            connector_id: Some(2),
            id_tag: ci("04E91C5A123456"),
            charging_profile: Some(maximal_profile()),
        }),
        request(RemoteStartTransactionRequest {
            connector_id: Some(1),
            id_tag: ci("04E91C5A123456"),
            charging_profile: Some(ChargingProfile {
                charging_profile_purpose: ChargingProfilePurposeType::TxProfile,
                ..minimal_profile()
            }),
        }),
        request(RemoteStartTransactionRequest {
            connector_id: Some(1),
            id_tag: ci("04E91C5A123456"),
            charging_profile: Some(ChargingProfile {
                recurrency_kind: Some(RecurrencyKindType::Daily),
                ..maximal_profile()
            }),
        }),
        request(RemoteStopTransactionRequest {
            transaction_id: 1001,
        }),
        request(ReserveNowRequest {
            connector_id: 0,
            expiry_date: at("2024-05-01T12:30:00.000Z"),
            id_tag: ci("04E91C5A123456"),
            parent_id_tag: None,
            reservation_id: 42,
        }),
        request(ReserveNowRequest {
            connector_id: 2,
            expiry_date: at("2024-05-01T12:30:00.000Z"),
            id_tag: ci("04E91C5A123456"),
            parent_id_tag: Some(ci("FLEET-7")),
            reservation_id: 43,
        }),
        request(SendLocalListRequest {
            list_version: 1,
            local_authorization_list: None,
            update_type: UpdateType::Full,
        }),
        request(SendLocalListRequest {
            list_version: 3,
            local_authorization_list: Some(vec![
                AuthorizationData {
                    id_tag: ci("04E91C5A123456"),
                    id_tag_info: None,
                },
                AuthorizationData {
                    id_tag: ci("FLEET-7-CARD-1"),
                    id_tag_info: Some(IdTagInfo::new(AuthorizationStatus::Blocked)),
                },
            ]),
            update_type: UpdateType::Differential,
        }),
        request(SetChargingProfileRequest {
            connector_id: 0,
            cs_charging_profiles: minimal_profile(),
        }),
        request(SetChargingProfileRequest {
            connector_id: 1,
            cs_charging_profiles: maximal_profile(),
        }),
        request(SetChargingProfileRequest {
            connector_id: 2,
            cs_charging_profiles: ChargingProfile {
                charging_profile_purpose: ChargingProfilePurposeType::TxDefaultProfile,
                charging_profile_kind: ChargingProfileKindType::Relative,
                ..minimal_profile()
            },
        }),
        request(SetChargingProfileRequest {
            connector_id: 0,
            cs_charging_profiles: ChargingProfile {
                transaction_id: None,
                charging_profile_purpose: ChargingProfilePurposeType::TxDefaultProfile,
                recurrency_kind: Some(RecurrencyKindType::Daily),
                ..maximal_profile()
            },
        }),
        request(SignedUpdateFirmwareRequest {
            retries: None,
            retry_interval: None,
            request_id: 5,
            firmware: Firmware {
                location: ci("https://fw.example.com/cp-2.1.0.bin"),
                retrieve_date_time: at("2024-05-01T02:00:00.000Z"),
                install_date_time: None,
                signing_certificate: ci(PEM_CERTIFICATE),
                signature: ci(
                    "MEUCIQDx1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0A==",
                ),
            },
        }),
        request(SignedUpdateFirmwareRequest {
            retries: Some(3),
            retry_interval: Some(120),
            request_id: 6,
            firmware: Firmware {
                location: ci("https://fw.example.com/cp-2.1.1.bin"),
                retrieve_date_time: at("2024-05-01T02:00:00.000Z"),
                install_date_time: Some(at("2024-05-01T03:00:00.000Z")),
                signing_certificate: ci(PEM_CERTIFICATE),
                signature: ci(
                    "MEUCIQDx1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0A==",
                ),
            },
        }),
        request(UnlockConnectorRequest { connector_id: 1 }),
        request(UpdateFirmwareRequest {
            location: "ftp://fw.example.com/cp-2.1.0.bin".into(),
            retries: None,
            retrieve_date: at("2024-05-01T02:00:00.000Z"),
            retry_interval: None,
        }),
        request(UpdateFirmwareRequest {
            location: "https://fw.example.com/cp-2.1.0.bin".into(),
            retries: Some(5),
            retrieve_date: at("2024-05-01T02:00:00.000Z"),
            retry_interval: Some(300),
        }),
    ];
    for (connector_id, kind) in [
        (0, AvailabilityType::Inoperative),
        (1, AvailabilityType::Operative),
    ] {
        out.push(request(ChangeAvailabilityRequest { connector_id, kind }));
    }
    for purpose in ChargingProfilePurposeType::ALL {
        out.push(request(ClearChargingProfileRequest {
            id: None,
            connector_id: Some(1),
            charging_profile_purpose: Some(purpose),
            stack_level: Some(0),
        }));
    }
    for algorithm in HashAlgorithm::ALL {
        out.push(request(DeleteCertificateRequest {
            certificate_hash_data: hash_data(algorithm),
        }));
    }
    for requested_message in ExtendedMessageTrigger::ALL {
        out.push(request(ExtendedTriggerMessageRequest {
            requested_message,
            connector_id: None,
        }));
    }
    out.push(request(ExtendedTriggerMessageRequest {
        requested_message: ExtendedMessageTrigger::StatusNotification,
        connector_id: Some(2),
    }));
    for unit in ChargingRateUnitType::ALL {
        out.push(request(GetCompositeScheduleRequest {
            connector_id: 1,
            duration: 3600,
            charging_rate_unit: Some(unit),
        }));
    }
    for certificate_type in CertificateUse::ALL {
        out.push(request(GetInstalledCertificateIdsRequest {
            certificate_type,
        }));
        out.push(request(InstallCertificateRequest {
            certificate_type,
            certificate: ci(PEM_CERTIFICATE),
        }));
    }
    for log_type in LogType::ALL {
        out.push(request(GetLogRequest {
            log: LogParameters {
                remote_location: ci("ftp://logs.example.com/upload/"),
                oldest_timestamp: None,
                latest_timestamp: None,
            },
            log_type,
            request_id: 11,
            retries: None,
            retry_interval: None,
        }));
    }
    out.push(request(GetLogRequest {
        log: LogParameters {
            remote_location: ci("https://logs.example.com/upload/CP-1"),
            oldest_timestamp: Some(at("2024-04-01T00:00:00.000Z")),
            latest_timestamp: Some(at("2024-05-01T00:00:00.000Z")),
        },
        log_type: LogType::SecurityLog,
        request_id: 12,
        retries: Some(2),
        retry_interval: Some(30),
    }));
    for kind in ResetType::ALL {
        out.push(request(ResetRequest { kind }));
    }
    // A full list with an entry for each verdict, one with expiry and parent.
    let mut entries: Vec<_> = AuthorizationStatus::ALL
        .into_iter()
        .enumerate()
        .map(|(i, status)| AuthorizationData {
            id_tag: ci(&format!("CARD-{i}")),
            id_tag_info: Some(IdTagInfo::new(status)),
        })
        .collect();
    entries.push(AuthorizationData {
        id_tag: ci("04E91C5A123456"),
        id_tag_info: Some(IdTagInfo {
            expiry_date: Some(at("2025-01-01T00:00:00.000Z")),
            parent_id_tag: Some(ci("FLEET-7")),
            status: AuthorizationStatus::Accepted,
        }),
    });
    out.push(request(SendLocalListRequest {
        list_version: 2,
        local_authorization_list: Some(entries),
        update_type: UpdateType::Full,
    }));
    for requested_message in MessageTrigger::ALL {
        out.push(request(TriggerMessageRequest {
            requested_message,
            connector_id: None,
        }));
    }
    out.push(request(TriggerMessageRequest {
        requested_message: MessageTrigger::MeterValues,
        connector_id: Some(1),
    }));
    out
}

fn answers_to_charge_points() -> Vec<Sample> {
    use self::{
        authorize::*, boot_notification::*, data_transfer::*, diagnostics_status_notification::*,
        firmware_status_notification::*, heartbeat::*, log_status_notification::*, meter_values::*,
        security_event_notification::*, sign_certificate::*,
        signed_firmware_status_notification::*, start_transaction::*, status_notification::*,
        stop_transaction::*,
    };
    let now = at("2024-05-01T10:00:00.000Z");
    let mut out = vec![
        response::<DataTransferRequest>(DataTransferResponse {
            status: DataTransferStatus::Accepted,
            data: Some(json!("OK")),
        }),
        response::<DiagnosticsStatusNotificationRequest>(DiagnosticsStatusNotificationResponse {}),
        response::<FirmwareStatusNotificationRequest>(FirmwareStatusNotificationResponse {}),
        response::<HeartbeatRequest>(HeartbeatResponse { current_time: now }),
        response::<LogStatusNotificationRequest>(LogStatusNotificationResponse {}),
        response::<MeterValuesRequest>(MeterValuesResponse {}),
        response::<SecurityEventNotificationRequest>(SecurityEventNotificationResponse {}),
        response::<SignedFirmwareStatusNotificationRequest>(
            SignedFirmwareStatusNotificationResponse {},
        ),
        response::<StatusNotificationRequest>(StatusNotificationResponse {}),
        response::<StopTransactionRequest>(StopTransactionResponse { id_tag_info: None }),
    ];
    let full_info = IdTagInfo {
        expiry_date: Some(at("2024-05-02T10:00:00.000Z")),
        parent_id_tag: Some(ci("FLEET-7")),
        status: AuthorizationStatus::Accepted,
    };
    for id_tag_info in AuthorizationStatus::ALL
        .into_iter()
        .map(IdTagInfo::new)
        .chain([full_info])
    {
        out.push(response::<AuthorizeRequest>(AuthorizeResponse {
            id_tag_info: id_tag_info.clone(),
        }));
        out.push(response::<StartTransactionRequest>(
            StartTransactionResponse {
                id_tag_info: id_tag_info.clone(),
                transaction_id: 1001,
            },
        ));
        out.push(response::<StopTransactionRequest>(
            StopTransactionResponse {
                id_tag_info: Some(id_tag_info),
            },
        ));
    }
    for status in [
        RegistrationStatus::Accepted,
        RegistrationStatus::Pending,
        RegistrationStatus::Rejected,
    ] {
        out.push(response::<BootNotificationRequest>(
            BootNotificationResponse {
                current_time: now,
                interval: 300,
                status,
            },
        ));
    }
    for status in DataTransferStatus::ALL {
        out.push(response::<DataTransferRequest>(DataTransferResponse {
            status,
            data: None,
        }));
    }
    for status in GenericStatus::ALL {
        out.push(response::<SignCertificateRequest>(
            SignCertificateResponse { status },
        ));
    }
    out
}

/// What charge points send us: requests of [`CHARGE_POINT_ACTIONS`], answers to
/// [`CENTRAL_SYSTEM_ACTIONS`]; valid by the schemas.
pub fn inbound_samples() -> Vec<Sample> {
    let mut out = Vec::new();
    out.extend(charge_point_requests());
    out.extend(answers_from_charge_points());
    out
}

fn charge_point_requests() -> Vec<Sample> {
    let r = |action, payload| (action, "request", payload);
    let mut out = vec![
        r("Authorize", json!({"idTag": "04E91C5A123456"})),
        r(
            "BootNotification",
            json!({"chargePointVendor": "ACME", "chargePointModel": "Wallbox-22"}),
        ),
        r(
            "BootNotification",
            json!({
                "chargePointVendor": "ACME", "chargePointModel": "Wallbox-22",
                "chargePointSerialNumber": "WB22-000123", "chargeBoxSerialNumber": "CB-000123",
                "firmwareVersion": "2.1.0+build.77", "iccid": "8931440400012345678", "imsi": "262011234567890",
                "meterType": "EMH eHZ", "meterSerialNumber": "1EMH0012345678"
            }),
        ),
        r("DataTransfer", json!({"vendorId": "com.example"})),
        r(
            "DataTransfer",
            json!({"vendorId": "com.example", "messageId": "Tariff", "data": "{\"kWh\":12.5}"}),
        ),
        r("DiagnosticsStatusNotification", json!({"status": "Idle"})),
        r(
            "DiagnosticsStatusNotification",
            json!({"status": "Uploaded"}),
        ),
        r(
            "DiagnosticsStatusNotification",
            json!({"status": "UploadFailed"}),
        ),
        r(
            "DiagnosticsStatusNotification",
            json!({"status": "Uploading"}),
        ),
        r(
            "FirmwareStatusNotification",
            json!({"status": "Downloading"}),
        ),
        r(
            "FirmwareStatusNotification",
            json!({"status": "InstallationFailed"}),
        ),
        r("Heartbeat", json!({})),
        r("LogStatusNotification", json!({"status": "Uploading"})),
        r(
            "LogStatusNotification",
            json!({"status": "Uploaded", "requestId": 11}),
        ),
        r(
            "MeterValues",
            json!({"connectorId": 0, "meterValue": [
                {"timestamp": "2024-05-01T10:15:00.000Z", "sampledValue": [{"value": "123456"}]}
            ]}),
        ),
        r(
            "MeterValues",
            json!({"connectorId": 1, "transactionId": 1001, "meterValue": [
                {"timestamp": "2024-05-01T10:15:00.000Z", "sampledValue": [
                    {"value": "1534.7", "context": "Sample.Periodic", "format": "Raw",
                     "measurand": "Energy.Active.Import.Register", "location": "Outlet", "unit": "Wh"},
                    {"value": "7.36", "context": "Sample.Periodic", "measurand": "Power.Active.Import", "unit": "kW"},
                    {"value": "31.9", "measurand": "Current.Import", "phase": "L1", "unit": "A"},
                    {"value": "231.2", "measurand": "Voltage", "phase": "L1-N", "unit": "V"},
                    {"value": "64", "context": "Sample.Clock", "measurand": "SoC", "location": "EV", "unit": "Percent"},
                    {"value": "41.5", "measurand": "Temperature", "location": "Body", "unit": "Celsius"},
                    {"value": "50.01", "context": "Trigger", "measurand": "Frequency", "unit": "Hertz"}
                ]},
                {"timestamp": "2024-05-01T10:30:00.000Z", "sampledValue": [
                    {"value": "AAECAwQFBgcICQoLDA0ODxAREhM=", "context": "Transaction.End", "format": "SignedData",
                     "measurand": "Energy.Active.Import.Register", "phase": "L3-L1", "location": "Cable"}
                ]}
            ]}),
        ),
        r(
            "SecurityEventNotification",
            json!({"type": "FirmwareUpdated", "timestamp": "2024-05-01T10:00:00.000Z"}),
        ),
        r(
            "SecurityEventNotification",
            json!({"type": "InvalidCentralSystemCertificate", "timestamp": "2024-05-01T10:00:00.000Z",
                   "techInfo": "certificate expired on 2024-04-30"}),
        ),
        r(
            "SignCertificate",
            json!({"csr": "-----BEGIN CERTIFICATE REQUEST-----\nMIIBWjCCAQACAQAwEjEQMA4G\n-----END CERTIFICATE REQUEST-----\n"}),
        ),
        r(
            "SignedFirmwareStatusNotification",
            json!({"status": "SignatureVerified"}),
        ),
        r(
            "SignedFirmwareStatusNotification",
            json!({"status": "InstallVerificationFailed", "requestId": 6}),
        ),
        r(
            "StartTransaction",
            json!({"connectorId": 1, "idTag": "04E91C5A123456", "meterStart": 1200, "timestamp": "2024-05-01T10:00:00.000Z"}),
        ),
        r(
            "StartTransaction",
            json!({"connectorId": 2, "idTag": "04e91c5a123456", "meterStart": 0, "reservationId": 42,
                   "timestamp": "2024-05-01T10:00:00.123Z"}),
        ),
        r(
            "StatusNotification",
            json!({"connectorId": 0, "errorCode": "NoError", "status": "Available"}),
        ),
        r(
            "StatusNotification",
            json!({"connectorId": 1, "errorCode": "GroundFailure", "info": "RCD tripped", "status": "Faulted",
                   "timestamp": "2024-05-01T10:00:00.000Z", "vendorId": "com.acme", "vendorErrorCode": "E-0042"}),
        ),
        r(
            "StopTransaction",
            json!({"meterStop": 1534, "timestamp": "2024-05-01T11:00:00.000Z", "transactionId": 1001}),
        ),
        r(
            "StopTransaction",
            json!({"idTag": "04E91C5A123456", "meterStop": 15340, "timestamp": "2024-05-01T11:00:00.000Z",
            "transactionId": 1001, "reason": "EVDisconnected", "transactionData": [
                {"timestamp": "2024-05-01T10:00:00.000Z", "sampledValue": [
                    {"value": "1200", "context": "Transaction.Begin", "unit": "Wh"}]},
                {"timestamp": "2024-05-01T11:00:00.000Z", "sampledValue": [
                    {"value": "15.34", "context": "Transaction.End", "format": "Raw",
                     "measurand": "Energy.Active.Import.Register", "phase": "N", "location": "Inlet", "unit": "kWh"}]}
            ]}),
        ),
        r(
            "StopTransaction",
            json!({"meterStop": 0, "timestamp": "2024-05-01T11:00:00.000Z", "transactionId": -1, "reason": "PowerLoss"}),
        ),
    ];
    // Every value of every enum, as the spec spells it.
    for status in [
        "Downloaded",
        "DownloadFailed",
        "Idle",
        "Installing",
        "Installed",
    ] {
        out.push(r("FirmwareStatusNotification", json!({ "status": status })));
    }
    for status in [
        "BadMessage",
        "Idle",
        "NotSupportedOperation",
        "PermissionDenied",
        "UploadFailure",
    ] {
        out.push(r(
            "LogStatusNotification",
            json!({ "status": status, "requestId": 12 }),
        ));
    }
    for status in [
        "Downloaded",
        "DownloadFailed",
        "Downloading",
        "DownloadScheduled",
        "DownloadPaused",
        "Idle",
        "InstallationFailed",
        "Installing",
        "Installed",
        "InstallRebooting",
        "InstallScheduled",
        "InvalidSignature",
    ] {
        out.push(r(
            "SignedFirmwareStatusNotification",
            json!({ "status": status, "requestId": 6 }),
        ));
    }
    let errors = [
        "ConnectorLockFailure",
        "EVCommunicationError",
        "GroundFailure",
        "HighTemperature",
        "InternalError",
        "LocalListConflict",
        "NoError",
        "OtherError",
        "OverCurrentFailure",
        "PowerMeterFailure",
        "PowerSwitchFailure",
        "ReaderFailure",
        "ResetFailure",
        "UnderVoltage",
        "OverVoltage",
        "WeakSignal",
    ];
    let statuses = [
        "Available",
        "Preparing",
        "Charging",
        "SuspendedEVSE",
        "SuspendedEV",
        "Finishing",
        "Reserved",
        "Unavailable",
        "Faulted",
    ];
    for (i, error_code) in errors.into_iter().enumerate() {
        let status = statuses[i % statuses.len()];
        out.push(r(
            "StatusNotification",
            json!({"connectorId": 2, "errorCode": error_code, "status": status}),
        ));
    }
    out.push(r(
        "MeterValues",
        json!({"connectorId": 2, "transactionId": 1002, "meterValue": [
            {"timestamp": "2024-05-01T10:45:00.000Z", "sampledValue": every_sampled_value(&UNITS)}
        ]}),
    ));
    for (i, reason) in [
        "EmergencyStop",
        "EVDisconnected",
        "HardReset",
        "Local",
        "Other",
        "PowerLoss",
        "Reboot",
        "Remote",
        "SoftReset",
        "UnlockCommand",
        "DeAuthorized",
    ]
    .into_iter()
    .enumerate()
    {
        out.push(r(
            "StopTransaction",
            json!({"meterStop": 2000 + i, "timestamp": "2024-05-01T11:00:00.000Z",
                                            "transactionId": 1002, "reason": reason}),
        ));
    }
    // The StopTransaction schema lists every unit but Hertz.
    out.push(r(
        "StopTransaction",
        json!({"meterStop": 3000, "timestamp": "2024-05-01T11:00:00.000Z", "transactionId": 1003, "transactionData": [
            {"timestamp": "2024-05-01T10:45:00.000Z", "sampledValue": every_sampled_value(&UNITS[..UNITS.len() - 1])}
        ]}),
    ));
    out
}

const UNITS: [&str; 18] = [
    "Wh",
    "kWh",
    "varh",
    "kvarh",
    "W",
    "kW",
    "VA",
    "kVA",
    "var",
    "kvar",
    "A",
    "V",
    "K",
    "Celcius",
    "Celsius",
    "Fahrenheit",
    "Percent",
    "Hertz",
];

/// One sampled value per measurand, going round the other enums so that each value shows up.
fn every_sampled_value(units: &[&str]) -> Value {
    let measurands = [
        "Energy.Active.Export.Register",
        "Energy.Active.Import.Register",
        "Energy.Reactive.Export.Register",
        "Energy.Reactive.Import.Register",
        "Energy.Active.Export.Interval",
        "Energy.Active.Import.Interval",
        "Energy.Reactive.Export.Interval",
        "Energy.Reactive.Import.Interval",
        "Power.Active.Export",
        "Power.Active.Import",
        "Power.Offered",
        "Power.Reactive.Export",
        "Power.Reactive.Import",
        "Power.Factor",
        "Current.Import",
        "Current.Export",
        "Current.Offered",
        "Voltage",
        "Frequency",
        "Temperature",
        "SoC",
        "RPM",
    ];
    let contexts = [
        "Interruption.Begin",
        "Interruption.End",
        "Sample.Clock",
        "Sample.Periodic",
        "Transaction.Begin",
        "Transaction.End",
        "Trigger",
        "Other",
    ];
    let phases = [
        "L1", "L2", "L3", "N", "L1-N", "L2-N", "L3-N", "L1-L2", "L2-L3", "L3-L1",
    ];
    let locations = ["Cable", "EV", "Inlet", "Outlet", "Body"];
    let formats = ["Raw", "SignedData"];
    let values: Vec<Value> = measurands
        .iter()
        .enumerate()
        .map(|(i, measurand)| {
            json!({
                "value": format!("{i}.5"), "measurand": measurand, "context": contexts[i % contexts.len()],
                "format": formats[i % formats.len()], "phase": phases[i % phases.len()],
                "location": locations[i % locations.len()], "unit": units[i % units.len()],
            })
        })
        .collect();
    Value::Array(values)
}

fn answers_from_charge_points() -> Vec<Sample> {
    let r = |action, payload| (action, "response", payload);
    let mut out = Vec::new();
    // Every status of every answer, as the spec spells it.
    let statuses: [(&str, &[&str]); 22] = [
        ("CancelReservation", &["Accepted", "Rejected"]),
        ("CertificateSigned", &["Accepted", "Rejected"]),
        ("ChangeAvailability", &["Accepted", "Rejected", "Scheduled"]),
        (
            "ChangeConfiguration",
            &["Accepted", "Rejected", "RebootRequired", "NotSupported"],
        ),
        ("ClearCache", &["Accepted", "Rejected"]),
        ("ClearChargingProfile", &["Accepted", "Unknown"]),
        (
            "DataTransfer",
            &[
                "Accepted",
                "Rejected",
                "UnknownMessageId",
                "UnknownVendorId",
            ],
        ),
        ("DeleteCertificate", &["Accepted", "Failed", "NotFound"]),
        (
            "ExtendedTriggerMessage",
            &["Accepted", "Rejected", "NotImplemented"],
        ),
        ("GetCompositeSchedule", &["Accepted", "Rejected"]),
        ("GetInstalledCertificateIds", &["Accepted", "NotFound"]),
        ("GetLog", &["Accepted", "Rejected", "AcceptedCanceled"]),
        ("InstallCertificate", &["Accepted", "Failed", "Rejected"]),
        ("RemoteStartTransaction", &["Accepted", "Rejected"]),
        ("RemoteStopTransaction", &["Accepted", "Rejected"]),
        (
            "ReserveNow",
            &["Accepted", "Faulted", "Occupied", "Rejected", "Unavailable"],
        ),
        ("Reset", &["Accepted", "Rejected"]),
        (
            "SendLocalList",
            &["Accepted", "Failed", "NotSupported", "VersionMismatch"],
        ),
        (
            "SetChargingProfile",
            &["Accepted", "Rejected", "NotSupported"],
        ),
        (
            "SignedUpdateFirmware",
            &[
                "Accepted",
                "Rejected",
                "AcceptedCanceled",
                "InvalidCertificate",
                "RevokedCertificate",
            ],
        ),
        (
            "TriggerMessage",
            &["Accepted", "Rejected", "NotImplemented"],
        ),
        (
            "UnlockConnector",
            &["Unlocked", "UnlockFailed", "NotSupported"],
        ),
    ];
    for (action, values) in statuses {
        for status in values {
            out.push(r(action, json!({ "status": status })));
        }
    }
    let hash = json!({"hashAlgorithm": "SHA256", "issuerNameHash": "5ba8bc6ea4b34fbe", "issuerKeyHash": "a1b2c3d4e5f60718",
                      "serialNumber": "4e1f9a0b3c"});
    out.extend([
        r("DataTransfer", json!({"status": "Accepted", "data": "{\"balance\":12.5}"})),
        r(
            "GetCompositeSchedule",
            json!({"status": "Accepted", "connectorId": 1, "scheduleStart": "2024-05-01T10:00:00.000Z",
                   "chargingSchedule": {"duration": 3600, "startSchedule": "2024-05-01T10:00:00.000Z",
                       "chargingRateUnit": "A", "chargingSchedulePeriod": [
                           {"startPeriod": 0, "limit": 16.0, "numberPhases": 3},
                           {"startPeriod": 1800, "limit": 10.5}],
                       "minChargingRate": 6.1}}),
        ),
        r("GetConfiguration", json!({})),
        r(
            "GetConfiguration",
            json!({"configurationKey": [
                       {"key": "HeartbeatInterval", "readonly": false, "value": "300"},
                       {"key": "NumberOfConnectors", "readonly": true, "value": "2"},
                       {"key": "AuthorizationKey", "readonly": false}],
                   "unknownKey": ["VendorSecretKey"]}),
        ),
        r("GetDiagnostics", json!({})),
        r("GetDiagnostics", json!({"fileName": "diagnostics-CP-1-20240501.zip"})),
        r("GetInstalledCertificateIds", json!({"status": "Accepted", "certificateHashData": [hash]})),
        r("GetLocalListVersion", json!({"listVersion": -1})),
        r("GetLog", json!({"status": "AcceptedCanceled", "filename": "security-CP-1.log"})),
        r("UpdateFirmware", json!({})),
        r(
            "GetCompositeSchedule",
            json!({"status": "Accepted", "connectorId": 0, "chargingSchedule": {"chargingRateUnit": "W",
                   "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000.0}]}}),
        ),
        r(
            "GetInstalledCertificateIds",
            json!({"status": "Accepted", "certificateHashData": [
                {"hashAlgorithm": "SHA384", "issuerNameHash": "0a1b", "issuerKeyHash": "2c3d", "serialNumber": "01"},
                {"hashAlgorithm": "SHA512", "issuerNameHash": "4e5f", "issuerKeyHash": "6a7b", "serialNumber": "02"}]}),
        ),
    ]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every enum's `as_str` and `parse` agree with its serde spelling, value by value.
    #[test]
    fn enum_as_str_and_parse_agree_with_serde() {
        macro_rules! check {
            ($($t:ty),* $(,)?) => {$(
                for v in <$t>::ALL {
                    assert_eq!(serde_json::to_value(v).unwrap(), json!(v.as_str()), "{}", stringify!($t));
                    assert_eq!(<$t>::parse(v.as_str()), Some(v), "{}", stringify!($t));
                }
                assert_eq!(<$t>::parse("NotInTheSpec"), None);
            )*};
        }
        check!(
            AuthorizationStatus,
            ReadingContext,
            ValueFormat,
            Measurand,
            Phase,
            Location,
            UnitOfMeasure,
            ChargingProfilePurposeType,
            ChargingProfileKindType,
            RecurrencyKindType,
            ChargingRateUnitType,
            HashAlgorithm,
            CertificateUse,
            RemoteStartStopStatus,
            TriggerMessageStatus,
            cancel_reservation::CancelReservationStatus,
            certificate_signed::CertificateSignedStatus,
            change_availability::AvailabilityType,
            change_availability::AvailabilityStatus,
            change_configuration::ConfigurationStatus,
            clear_cache::ClearCacheStatus,
            clear_charging_profile::ClearChargingProfileStatus,
            data_transfer::DataTransferStatus,
            delete_certificate::DeleteCertificateStatus,
            diagnostics_status_notification::DiagnosticsStatus,
            extended_trigger_message::ExtendedMessageTrigger,
            firmware_status_notification::FirmwareStatus,
            get_composite_schedule::GetCompositeScheduleStatus,
            get_installed_certificate_ids::GetInstalledCertificateStatus,
            get_log::LogType,
            get_log::LogStatus,
            install_certificate::InstallCertificateStatus,
            log_status_notification::UploadLogStatus,
            reserve_now::ReservationStatus,
            reset::ResetType,
            reset::ResetStatus,
            send_local_list::UpdateType,
            send_local_list::UpdateStatus,
            set_charging_profile::ChargingProfileStatus,
            sign_certificate::GenericStatus,
            signed_firmware_status_notification::SignedFirmwareStatus,
            signed_update_firmware::UpdateFirmwareStatus,
            status_notification::ChargePointErrorCode,
            status_notification::ChargePointStatus,
            stop_transaction::Reason,
            trigger_message::MessageTrigger,
            unlock_connector::UnlockStatus,
        );
    }

    /// The samples are built without panicking, and pass our own checks (see tests/schemas.rs
    /// for the checks against the official schemas).
    #[test]
    fn samples_are_plentiful() {
        let outbound = outbound_samples();
        let inbound = inbound_samples();
        assert!(
            outbound.len() > 100 && inbound.len() > 100,
            "{} {}",
            outbound.len(),
            inbound.len()
        );
        for (action, kind, payload) in outbound.iter().chain(&inbound) {
            assert!(payload.is_object(), "{action} {kind}: {payload}");
            assert!(
                payload.get("serializationError").is_none(),
                "{action} {kind}: {payload}"
            );
        }
    }
}
