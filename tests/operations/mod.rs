//! The table of every central-system operation, shared by the tests that drive them through
//! the REST API: the route, the request body, the CALL the charger must receive, a valid
//! confirmation for it and what the API caller must get back.
#![allow(dead_code)]

use serde_json::{json, Value};

pub const PEM: &str =
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJ2mN0Zq3XbQ1\n-----END CERTIFICATE-----\n";

/// One operation: the body sent to the route (the payload the charger must receive), the
/// charger's answer, and what the caller must get (by default the answer).
pub struct Case {
    pub route: &'static str,
    pub action: &'static str,
    pub body: Value,
    pub answer: Value,
    pub expect: Option<Value>,
}

pub fn case(route: &'static str, action: &'static str, body: Value, answer: Value) -> Case {
    Case {
        route,
        action,
        body,
        answer,
        expect: None,
    }
}

impl Case {
    /// What the caller must get: by default the charger's answer.
    pub fn expected(&self) -> &Value {
        self.expect.as_ref().unwrap_or(&self.answer)
    }

    pub fn expect(mut self, expect: Value) -> Case {
        self.expect = Some(expect);
        self
    }
}

pub fn profile(id: i32, purpose: &str, limit: f64) -> Value {
    json!({"chargingProfileId": id, "stackLevel": 0, "chargingProfilePurpose": purpose,
           "chargingProfileKind": "Absolute", "chargingSchedule": {"chargingRateUnit": "W",
           "startSchedule": "2026-01-01T00:00:00.000Z",
           "chargingSchedulePeriod": [{"startPeriod": 0, "limit": limit}]}})
}

/// Every central-system operation of OCPP 1.6 and the security extension.
pub fn every_operation() -> Vec<Case> {
    let hash = json!({"hashAlgorithm": "SHA256", "issuerNameHash": "5ba8bc6e",
                      "issuerKeyHash": "a1b2c3d4", "serialNumber": "4e1f9a0b3c"});
    let accepted = || json!({"status": "Accepted"});
    vec![
        case("reset", "Reset", json!({"type": "Hard"}), accepted()),
        case(
            "remote-start",
            "RemoteStartTransaction",
            json!({"connectorId": 1, "idTag": "TAG-1"}),
            accepted(),
        ),
        case(
            "remote-stop",
            "RemoteStopTransaction",
            json!({"transactionId": 17}),
            json!({"status": "Rejected"}),
        ),
        case(
            "change-availability",
            "ChangeAvailability",
            json!({"connectorId": 0, "type": "Inoperative"}),
            json!({"status": "Scheduled"}),
        ),
        case(
            "change-configuration",
            "ChangeConfiguration",
            json!({"key": "HeartbeatInterval", "value": "120"}),
            json!({"status": "RebootRequired"}),
        ),
        case(
            "get-configuration",
            "GetConfiguration",
            json!({"key": ["HeartbeatInterval", "Nonsense"]}),
            json!({"configurationKey": [{"key": "HeartbeatInterval", "readonly": false, "value": "120"}],
                   "unknownKey": ["Nonsense"]}),
        ),
        case("clear-cache", "ClearCache", json!({}), accepted()),
        case(
            "data-transfer",
            "DataTransfer",
            json!({"vendorId": "com.example", "messageId": "SetTariff", "data": "{\"price\":0.29}"}),
            json!({"status": "Accepted", "data": "ok"}),
        ),
        case(
            "unlock-connector",
            "UnlockConnector",
            json!({"connectorId": 1}),
            json!({"status": "Unlocked"}),
        ),
        case(
            "get-diagnostics",
            "GetDiagnostics",
            json!({"location": "ftp://diag.example.com/upload/", "retries": 3, "retryInterval": 60,
                   "startTime": "2026-01-01T00:00:00.000Z", "stopTime": "2026-01-02T00:00:00.000Z"}),
            json!({"fileName": "diagnostics.zip"}),
        ),
        case(
            "update-firmware",
            "UpdateFirmware",
            json!({"location": "https://fw.example.com/2.1.bin", "retrieveDate": "2026-01-01T02:00:00.000Z",
                   "retries": 5, "retryInterval": 300}),
            json!({}),
        ),
        case(
            "get-local-list-version",
            "GetLocalListVersion",
            json!({}),
            json!({"listVersion": 3}),
        ),
        case(
            "send-local-list",
            "SendLocalList",
            json!({"listVersion": 4, "updateType": "Full",
                   "localAuthorizationList": [{"idTag": "TAG-1", "idTagInfo": {"status": "Accepted"}}]}),
            accepted(),
        ),
        case(
            "reserve-now",
            "ReserveNow",
            json!({"connectorId": 1, "expiryDate": "2030-01-01T12:30:00.000Z", "idTag": "TAG-1",
                   "parentIdTag": "FLEET", "reservationId": 42}),
            accepted(),
        )
        .expect(json!({"status": "Accepted", "reservationId": 42})),
        case(
            "cancel-reservation",
            "CancelReservation",
            json!({"reservationId": 42}),
            accepted(),
        ),
        case(
            "set-charging-profile",
            "SetChargingProfile",
            json!({"connectorId": 0, "csChargingProfiles": profile(5, "ChargePointMaxProfile", 22000.0)}),
            accepted(),
        ),
        case(
            "clear-charging-profile",
            "ClearChargingProfile",
            json!({"id": 5}),
            json!({"status": "Unknown"}),
        ),
        case(
            "get-composite-schedule",
            "GetCompositeSchedule",
            json!({"connectorId": 1, "duration": 3600, "chargingRateUnit": "A"}),
            json!({"status": "Accepted", "connectorId": 1, "scheduleStart": "2026-01-01T10:00:00.000Z",
                   "chargingSchedule": {"chargingRateUnit": "A",
                       "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0, "numberPhases": 3}]}}),
        ),
        case(
            "trigger-message",
            "TriggerMessage",
            json!({"requestedMessage": "StatusNotification", "connectorId": 1}),
            accepted(),
        ),
        case(
            "certificate-signed",
            "CertificateSigned",
            json!({"certificateChain": PEM}),
            json!({"status": "Rejected"}),
        ),
        case(
            "delete-certificate",
            "DeleteCertificate",
            json!({"certificateHashData": hash}),
            json!({"status": "NotFound"}),
        ),
        case(
            "extended-trigger-message",
            "ExtendedTriggerMessage",
            json!({"requestedMessage": "SignChargePointCertificate"}),
            accepted(),
        ),
        case(
            "get-installed-certificate-ids",
            "GetInstalledCertificateIds",
            json!({"certificateType": "CentralSystemRootCertificate"}),
            json!({"status": "Accepted", "certificateHashData": [hash]}),
        ),
        case(
            "get-log",
            "GetLog",
            json!({"logType": "SecurityLog", "requestId": 12, "retries": 2,
                   "log": {"remoteLocation": "https://logs.example.com/upload/",
                           "oldestTimestamp": "2026-01-01T00:00:00.000Z"}}),
            json!({"status": "Accepted", "filename": "security.log"}),
        ),
        case(
            "install-certificate",
            "InstallCertificate",
            json!({"certificateType": "ManufacturerRootCertificate", "certificate": PEM}),
            accepted(),
        ),
        case(
            "signed-update-firmware",
            "SignedUpdateFirmware",
            json!({"requestId": 5, "retries": 1, "firmware": {"location": "https://fw.example.com/2.2.bin",
                   "retrieveDateTime": "2026-01-01T02:00:00.000Z", "signingCertificate": PEM,
                   "signature": "MEUCIQDx1b2c3d4=="}}),
            json!({"status": "InvalidCertificate"}),
        ),
    ]
}
