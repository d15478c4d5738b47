//! The closed set of CALLs a central system sends to a charge point, decoded with one `match`
//! (the mirror of `csms::ocpp::v16::ChargerCall`). An action of the other direction is answered
//! NotSupported, an unknown one NotImplemented, a bad payload with the code its decode error names.

use csms::ocpp::frame::ErrorCode;
use csms::ocpp::types::DecodeError;
use csms::ocpp::v16::{
    cancel_reservation::CancelReservationRequest, certificate_signed::CertificateSignedRequest,
    change_availability::ChangeAvailabilityRequest,
    change_configuration::ChangeConfigurationRequest, clear_cache::ClearCacheRequest,
    clear_charging_profile::ClearChargingProfileRequest, data_transfer::DataTransferRequest,
    delete_certificate::DeleteCertificateRequest,
    extended_trigger_message::ExtendedTriggerMessageRequest,
    get_composite_schedule::GetCompositeScheduleRequest,
    get_configuration::GetConfigurationRequest, get_diagnostics::GetDiagnosticsRequest,
    get_installed_certificate_ids::GetInstalledCertificateIdsRequest,
    get_local_list_version::GetLocalListVersionRequest, get_log::GetLogRequest,
    install_certificate::InstallCertificateRequest, parse,
    remote_start_transaction::RemoteStartTransactionRequest,
    remote_stop_transaction::RemoteStopTransactionRequest, reserve_now::ReserveNowRequest,
    reset::ResetRequest, send_local_list::SendLocalListRequest,
    set_charging_profile::SetChargingProfileRequest,
    signed_update_firmware::SignedUpdateFirmwareRequest, trigger_message::TriggerMessageRequest,
    unlock_connector::UnlockConnectorRequest, update_firmware::UpdateFirmwareRequest,
    CHARGE_POINT_ACTIONS,
};

/// A CALL from the central system, decoded and validated.
#[derive(Debug, Clone, PartialEq)]
pub enum CsCall {
    CancelReservation(CancelReservationRequest),
    CertificateSigned(CertificateSignedRequest),
    ChangeAvailability(ChangeAvailabilityRequest),
    ChangeConfiguration(ChangeConfigurationRequest),
    ClearCache(ClearCacheRequest),
    ClearChargingProfile(ClearChargingProfileRequest),
    DataTransfer(DataTransferRequest),
    DeleteCertificate(DeleteCertificateRequest),
    ExtendedTriggerMessage(ExtendedTriggerMessageRequest),
    GetCompositeSchedule(GetCompositeScheduleRequest),
    GetConfiguration(GetConfigurationRequest),
    GetDiagnostics(GetDiagnosticsRequest),
    GetInstalledCertificateIds(GetInstalledCertificateIdsRequest),
    GetLocalListVersion(GetLocalListVersionRequest),
    GetLog(GetLogRequest),
    InstallCertificate(InstallCertificateRequest),
    RemoteStartTransaction(RemoteStartTransactionRequest),
    RemoteStopTransaction(RemoteStopTransactionRequest),
    ReserveNow(ReserveNowRequest),
    Reset(ResetRequest),
    SendLocalList(SendLocalListRequest),
    SetChargingProfile(SetChargingProfileRequest),
    SignedUpdateFirmware(SignedUpdateFirmwareRequest),
    TriggerMessage(TriggerMessageRequest),
    UnlockConnector(UnlockConnectorRequest),
    UpdateFirmware(UpdateFirmwareRequest),
}

impl CsCall {
    /// Decodes the payload of a CALL named `action`; the error carries the CALLERROR code.
    pub fn decode(action: &str, payload: &serde_json::Value) -> Result<CsCall, DecodeError> {
        use CsCall as C;
        Ok(match action {
            "CancelReservation" => C::CancelReservation(parse(payload)?),
            "CertificateSigned" => C::CertificateSigned(parse(payload)?),
            "ChangeAvailability" => C::ChangeAvailability(parse(payload)?),
            "ChangeConfiguration" => C::ChangeConfiguration(parse(payload)?),
            "ClearCache" => C::ClearCache(parse(payload)?),
            "ClearChargingProfile" => C::ClearChargingProfile(parse(payload)?),
            "DataTransfer" => C::DataTransfer(parse(payload)?),
            "DeleteCertificate" => C::DeleteCertificate(parse(payload)?),
            "ExtendedTriggerMessage" => C::ExtendedTriggerMessage(parse(payload)?),
            "GetCompositeSchedule" => C::GetCompositeSchedule(parse(payload)?),
            "GetConfiguration" => C::GetConfiguration(parse(payload)?),
            "GetDiagnostics" => C::GetDiagnostics(parse(payload)?),
            "GetInstalledCertificateIds" => C::GetInstalledCertificateIds(parse(payload)?),
            "GetLocalListVersion" => C::GetLocalListVersion(parse(payload)?),
            "GetLog" => C::GetLog(parse(payload)?),
            "InstallCertificate" => C::InstallCertificate(parse(payload)?),
            "RemoteStartTransaction" => C::RemoteStartTransaction(parse(payload)?),
            "RemoteStopTransaction" => C::RemoteStopTransaction(parse(payload)?),
            "ReserveNow" => C::ReserveNow(parse(payload)?),
            "Reset" => C::Reset(parse(payload)?),
            "SendLocalList" => C::SendLocalList(parse(payload)?),
            "SetChargingProfile" => C::SetChargingProfile(parse(payload)?),
            "SignedUpdateFirmware" => C::SignedUpdateFirmware(parse(payload)?),
            "TriggerMessage" => C::TriggerMessage(parse(payload)?),
            "UnlockConnector" => C::UnlockConnector(parse(payload)?),
            "UpdateFirmware" => C::UpdateFirmware(parse(payload)?),
            other if CHARGE_POINT_ACTIONS.contains(&other) => {
                return Err(DecodeError {
                    code: ErrorCode::NotSupported,
                    description: format!("{other} is sent by a charge point, not to it"),
                })
            }
            other => {
                return Err(DecodeError {
                    code: ErrorCode::NotImplemented,
                    description: format!("unknown action {other:?}"),
                })
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_every_central_system_request_and_refuses_the_rest() {
        for (action, kind, payload) in csms::ocpp::v16::samples::outbound_samples() {
            if kind == "request" {
                assert!(
                    CsCall::decode(action, &payload).is_ok(),
                    "{action} {payload}"
                );
            }
        }
        let code = |action: &str, payload| {
            CsCall::decode(action, &payload)
                .map(|_| ())
                .map_err(|e| e.code)
        };
        assert_eq!(code("Heartbeat", json!({})), Err(ErrorCode::NotSupported));
        assert_eq!(code("Teleport", json!({})), Err(ErrorCode::NotImplemented));
        assert_eq!(
            code("Reset", json!({})),
            Err(ErrorCode::OccurenceConstraintViolation)
        );
        assert_eq!(
            code("Reset", json!({"type": 1})),
            Err(ErrorCode::TypeConstraintViolation)
        );
        assert_eq!(
            code("Reset", json!({"type": "Warm"})),
            Err(ErrorCode::PropertyConstraintViolation)
        );
    }
}
