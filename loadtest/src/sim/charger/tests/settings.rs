//! Settings: charging profiles visible in the meter values, configuration keys, local list, data transfer, certificates.

use super::Line;
use crate::sim::user::UserOp;
use csms::ocpp::v16::status_notification::ChargePointStatus;
use serde_json::json;

#[test]
fn a_charging_profile_limits_the_power_in_meter_values() {
    let mut line = Line::charging(2); // 22 kW, 3 phases
    let profile = json!({"connectorId": 1, "csChargingProfiles": {
        "chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative", "chargingSchedule": {"chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10.0}]}}});
    assert_eq!(
        line.result("SetChargingProfile", profile),
        json!({"status": "Accepted"})
    );
    line.later(60);
    line.exchange();
    let mv = line.sent_of("MeterValues");
    let power = &mv[0]["meterValue"][0]["sampledValue"][1];
    assert_eq!(power["measurand"], "Power.Active.Import");
    assert_eq!(power["value"], "6900");
    let current = &mv[0]["meterValue"][0]["sampledValue"][2];
    assert_eq!(current["value"], "10.0");
    let schedule = line.result(
        "GetCompositeSchedule",
        json!({"connectorId": 1, "duration": 600}),
    );
    assert_eq!(schedule["status"], "Accepted");
    assert_eq!(
        schedule["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"],
        10.0
    );
    // A zero limit suspends; clearing the profile resumes.
    let zero = json!({"connectorId": 1, "csChargingProfiles": {
        "chargingProfileId": 2, "stackLevel": 1, "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative", "chargingSchedule": {"chargingRateUnit": "W",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 0.0}]}}});
    line.result("SetChargingProfile", zero);
    assert_eq!(
        line.c.connectors[0].status,
        ChargePointStatus::SuspendedEVSE
    );
    assert_eq!(
        line.result("ClearChargingProfile", json!({})),
        json!({"status": "Accepted"})
    );
    assert_eq!(line.c.connectors[0].status, ChargePointStatus::Charging);
    assert_eq!(
        line.result("ClearChargingProfile", json!({"id": 1})),
        json!({"status": "Unknown"})
    );
}

#[test]
fn configuration_reads_and_changes() {
    let mut line = Line::booted(2);
    let all = line.result("GetConfiguration", json!({}));
    let keys = all["configurationKey"].as_array().unwrap();
    assert!(keys
        .iter()
        .any(|k| k["key"] == "NumberOfConnectors" && k["value"] == "2" && k["readonly"] == true));
    let auth_key = keys
        .iter()
        .find(|k| k["key"] == "AuthorizationKey")
        .unwrap();
    assert!(auth_key.get("value").is_none(), "write-only");
    let some = line.result(
        "GetConfiguration",
        json!({"key": ["HeartbeatInterval", "Bogus"]}),
    );
    assert_eq!(some["configurationKey"][0]["value"], "300");
    assert_eq!(some["unknownKey"], json!(["Bogus"]));
    let change = |line: &mut Line, key: &str, value: &str| {
        line.result("ChangeConfiguration", json!({"key": key, "value": value}))["status"].clone()
    };
    assert_eq!(change(&mut line, "NumberOfConnectors", "3"), "Rejected");
    assert_eq!(change(&mut line, "Bogus", "1"), "NotSupported");
    assert_eq!(change(&mut line, "HeartbeatInterval", "abc"), "Rejected");
    assert_eq!(change(&mut line, "HeartbeatInterval", "30"), "Accepted");
    line.later(30);
    assert_eq!(line.exchange(), vec!["Heartbeat"]);
}

#[test]
fn local_list_and_cache() {
    let mut line = Line::booted(0);
    assert_eq!(
        line.result("GetLocalListVersion", json!({})),
        json!({"listVersion": 0})
    );
    let list = json!({"listVersion": 3, "updateType": "Full",
        "localAuthorizationList": [{"idTag": "LOCAL1", "idTagInfo": {"status": "Accepted"}}]});
    assert_eq!(
        line.result("SendLocalList", list),
        json!({"status": "Accepted"})
    );
    assert_eq!(
        line.result("GetLocalListVersion", json!({})),
        json!({"listVersion": 3})
    );
    assert_eq!(
        line.result("ClearCache", json!({})),
        json!({"status": "Accepted"})
    );
    // With LocalPreAuthorize a listed tag starts without asking the server.
    line.result(
        "ChangeConfiguration",
        json!({"key": "LocalPreAuthorize", "value": "true"}),
    );
    line.user(UserOp::Plug(1));
    line.user(UserOp::Start(1, "local1".into()));
    assert!(line.sent_of("Authorize").is_empty());
    assert_eq!(line.sent_of("StartTransaction").len(), 1);
}

#[test]
fn data_transfer_knows_its_own_vendor_only() {
    let mut line = Line::booted(0);
    let ours = line.result(
        "DataTransfer",
        json!({"vendorId": "Voltaro", "data": "ping"}),
    );
    assert_eq!(ours, json!({"status": "Accepted", "data": "ping"}));
    let theirs = line.result("DataTransfer", json!({"vendorId": "com.example"}));
    assert_eq!(theirs, json!({"status": "UnknownVendorId"}));
}

#[test]
fn certificates_are_installed_listed_and_deleted() {
    let mut line = Line::booted(0);
    let kind = "CentralSystemRootCertificate";
    assert_eq!(
        line.result(
            "GetInstalledCertificateIds",
            json!({"certificateType": kind})
        )["status"],
        "NotFound"
    );
    let install = json!({"certificateType": kind, "certificate": "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----"});
    assert_eq!(
        line.result("InstallCertificate", install),
        json!({"status": "Accepted"})
    );
    let listed = line.result(
        "GetInstalledCertificateIds",
        json!({"certificateType": kind}),
    );
    let hash = listed["certificateHashData"][0].clone();
    assert_eq!(
        line.result(
            "DeleteCertificate",
            json!({"certificateHashData": hash.clone()})
        ),
        json!({"status": "Accepted"})
    );
    assert_eq!(
        line.result("DeleteCertificate", json!({"certificateHashData": hash})),
        json!({"status": "NotFound"})
    );
}
