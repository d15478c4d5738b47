//! Every central-system operation gets its typed answer; bad CALLs get CALLERRORs.

use super::Line;
use csms::ocpp::frame::ErrorCode;
use csms::ocpp::frame::Frame;
use serde_json::json;

#[test]
fn every_central_system_operation_gets_its_typed_answer() {
    use csms::ocpp::v16::*;
    for (action, kind, payload) in csms::ocpp::v16::samples::outbound_samples() {
        if kind != "request" {
            continue;
        }
        let mut line = Line::charging(2);
        let answer = line.result(action, payload.clone());
        let ok = match action {
            "CancelReservation" => {
                parse::<cancel_reservation::CancelReservationResponse>(&answer).is_ok()
            }
            "CertificateSigned" => {
                parse::<certificate_signed::CertificateSignedResponse>(&answer).is_ok()
            }
            "ChangeAvailability" => {
                parse::<change_availability::ChangeAvailabilityResponse>(&answer).is_ok()
            }
            "ChangeConfiguration" => {
                parse::<change_configuration::ChangeConfigurationResponse>(&answer).is_ok()
            }
            "ClearCache" => parse::<clear_cache::ClearCacheResponse>(&answer).is_ok(),
            "ClearChargingProfile" => {
                parse::<clear_charging_profile::ClearChargingProfileResponse>(&answer).is_ok()
            }
            "DataTransfer" => parse::<data_transfer::DataTransferResponse>(&answer).is_ok(),
            "DeleteCertificate" => {
                parse::<delete_certificate::DeleteCertificateResponse>(&answer).is_ok()
            }
            "ExtendedTriggerMessage" => {
                parse::<extended_trigger_message::ExtendedTriggerMessageResponse>(&answer).is_ok()
            }
            "GetCompositeSchedule" => {
                parse::<get_composite_schedule::GetCompositeScheduleResponse>(&answer).is_ok()
            }
            "GetConfiguration" => {
                parse::<get_configuration::GetConfigurationResponse>(&answer).is_ok()
            }
            "GetDiagnostics" => parse::<get_diagnostics::GetDiagnosticsResponse>(&answer).is_ok(),
            "GetInstalledCertificateIds" => {
                parse::<get_installed_certificate_ids::GetInstalledCertificateIdsResponse>(&answer)
                    .is_ok()
            }
            "GetLocalListVersion" => {
                parse::<get_local_list_version::GetLocalListVersionResponse>(&answer).is_ok()
            }
            "GetLog" => parse::<get_log::GetLogResponse>(&answer).is_ok(),
            "InstallCertificate" => {
                parse::<install_certificate::InstallCertificateResponse>(&answer).is_ok()
            }
            "RemoteStartTransaction" => {
                parse::<remote_start_transaction::RemoteStartTransactionResponse>(&answer).is_ok()
            }
            "RemoteStopTransaction" => {
                parse::<remote_stop_transaction::RemoteStopTransactionResponse>(&answer).is_ok()
            }
            "ReserveNow" => parse::<reserve_now::ReserveNowResponse>(&answer).is_ok(),
            "Reset" => parse::<reset::ResetResponse>(&answer).is_ok(),
            "SendLocalList" => parse::<send_local_list::SendLocalListResponse>(&answer).is_ok(),
            "SetChargingProfile" => {
                parse::<set_charging_profile::SetChargingProfileResponse>(&answer).is_ok()
            }
            "SignedUpdateFirmware" => {
                parse::<signed_update_firmware::SignedUpdateFirmwareResponse>(&answer).is_ok()
            }
            "TriggerMessage" => parse::<trigger_message::TriggerMessageResponse>(&answer).is_ok(),
            "UnlockConnector" => {
                parse::<unlock_connector::UnlockConnectorResponse>(&answer).is_ok()
            }
            "UpdateFirmware" => parse::<update_firmware::UpdateFirmwareResponse>(&answer).is_ok(),
            other => panic!("unexpected action {other}"),
        };
        assert!(ok, "{action} {payload} -> {answer}");
        // Whatever follows the answer leaves as valid CALLs.
        line.later(30);
        line.exchange();
    }
}

#[test]
fn unknown_and_misdirected_actions_get_call_errors() {
    let mut line = Line::booted(0);
    let code = |f: Frame| match f {
        Frame::CallError(e) => e.code,
        other => panic!("expected a CALLERROR, got {other:?}"),
    };
    assert_eq!(
        code(line.call("Teleport", json!({}))),
        ErrorCode::NotImplemented
    );
    assert_eq!(
        code(line.call("Heartbeat", json!({}))),
        ErrorCode::NotSupported
    );
    assert_eq!(
        code(line.call("Reset", json!({"type": "Warm"}))),
        ErrorCode::PropertyConstraintViolation
    );
    let replies = line.c.receive("[2, 5]", line.now);
    assert!(replies[0].contains("FormationViolation"));
}
