//! One route per central-system operation of OCPP 1.6 and its security extension:
//! `POST /api/v1/chargers/{id}/<operation>` with the OCPP request payload as the body (spec
//! JSON, camelCase), answered with the charger's confirmation. Operator role.
//!
//! ReserveNow lives in [`super::reservations`]: it may allocate the reservation id.

use super::send::operate;
use crate::api::auth::{Caller, Operator};
use crate::api::error::ApiError;
use crate::ocpp::v16::Request;
use crate::ocpp::v16::{
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
    install_certificate::InstallCertificateRequest,
    remote_start_transaction::RemoteStartTransactionRequest,
    remote_stop_transaction::RemoteStopTransactionRequest, reset::ResetRequest,
    send_local_list::SendLocalListRequest, set_charging_profile::SetChargingProfileRequest,
    signed_update_firmware::SignedUpdateFirmwareRequest, trigger_message::TriggerMessageRequest,
    unlock_connector::UnlockConnectorRequest, update_firmware::UpdateFirmwareRequest,
};
use crate::services::Services;
use actix_web::{post, web};
use utoipa_actix_web::service_config::ServiceConfig;

/// One thin handler per operation (utoipa documents concrete functions), and `configure`.
macro_rules! operations {
    ($(
        $(#[doc = $doc:literal])+
        $name:ident: $path:literal, $request:ty, $req:literal => $conf:literal;
    )+) => {
        $(
            $(#[doc = $doc])+
            #[utoipa::path(
                tag = "commands",
                request_body(content = Object, description = $req),
                responses(
                    (status = 200, body = Object, description = $conf),
                    (status = 404, description = "unknown charger"),
                    (status = 409, description = "charger offline, or its registration state forbids this"),
                    (status = 422, description = "invalid request; `field` names the offending field"),
                    (status = 502, description = "the charger answered with a CALLERROR (`kind` is `callError`; `code`, `description`), or with a CALLRESULT that is not a valid confirmation (`kind` is `undecodableAnswer`; `error` says what is wrong, `raw` is the payload as received)"),
                    (status = 504, description = "no answer within the call timeout"),
                ),
                security(("bearer" = ["operator"]))
            )]
            #[post($path)]
            pub async fn $name(
                operator: Operator,
                services: web::Data<Services>,
                charger: web::Path<String>,
                body: web::Bytes,
            ) -> Result<web::Json<<$request as Request>::Response>, ApiError> {
                operate::<$request>(&services, &operator.0, &charger, &body)
                    .await
                    .map(web::Json)
            }
        )+

        /// Registers one service per operation.
        pub fn configure(cfg: &mut ServiceConfig) {
            $(cfg.service($name);)+
        }

        /// Sends the operation whose route ends in `slug` (`reset`, `remote-start`, …) with
        /// `body` as its request, for callers other than the routes (the dashboard's forms);
        /// `None` if no operation has that slug.
        pub async fn operate_by_slug(
            services: &Services,
            caller: &Caller,
            charger: &str,
            slug: &str,
            body: &[u8],
        ) -> Option<Result<serde_json::Value, ApiError>> {
            fn json<T: serde::Serialize>(answer: T) -> serde_json::Value {
                serde_json::to_value(answer).unwrap_or(serde_json::Value::Null)
            }
            $(
                if $path.rsplit('/').next() == Some(slug) {
                    return Some(operate::<$request>(services, caller, charger, body).await.map(json));
                }
            )+
            None
        }
    };
}

operations! {
    // Core
    /// Reset: a soft or hard reboot.
    reset: "/chargers/{id}/reset", ResetRequest,
        "OCPP Reset.req: `{\"type\": \"Soft\"|\"Hard\"}`" => "OCPP Reset.conf";
    /// RemoteStartTransaction: start a session for an id tag (not while Pending).
    remote_start: "/chargers/{id}/remote-start", RemoteStartTransactionRequest,
        "OCPP RemoteStartTransaction.req" => "OCPP RemoteStartTransaction.conf";
    /// RemoteStopTransaction: stop a session (not while Pending).
    remote_stop: "/chargers/{id}/remote-stop", RemoteStopTransactionRequest,
        "OCPP RemoteStopTransaction.req" => "OCPP RemoteStopTransaction.conf";
    /// ChangeAvailability: make a connector (0: the charger) Operative or Inoperative.
    change_availability: "/chargers/{id}/change-availability", ChangeAvailabilityRequest,
        "OCPP ChangeAvailability.req" => "OCPP ChangeAvailability.conf";
    /// ChangeConfiguration: set one configuration key; the stored snapshot follows.
    change_configuration: "/chargers/{id}/change-configuration", ChangeConfigurationRequest,
        "OCPP ChangeConfiguration.req" => "OCPP ChangeConfiguration.conf";
    /// GetConfiguration: read configuration keys; the answer becomes the stored snapshot.
    get_configuration: "/chargers/{id}/get-configuration", GetConfigurationRequest,
        "OCPP GetConfiguration.req" => "OCPP GetConfiguration.conf";
    /// ClearCache: empty the charger's authorization cache.
    clear_cache: "/chargers/{id}/clear-cache", ClearCacheRequest,
        "OCPP ClearCache.req (empty; the body may be left out)" => "OCPP ClearCache.conf";
    /// DataTransfer: a vendor-specific message to the charger.
    data_transfer: "/chargers/{id}/data-transfer", DataTransferRequest,
        "OCPP DataTransfer.req" => "OCPP DataTransfer.conf";
    /// UnlockConnector: release the cable of a connector.
    unlock_connector: "/chargers/{id}/unlock-connector", UnlockConnectorRequest,
        "OCPP UnlockConnector.req" => "OCPP UnlockConnector.conf";
    // Firmware Management
    /// GetDiagnostics: upload diagnostics to a location; recorded as a diagnostics request.
    get_diagnostics: "/chargers/{id}/get-diagnostics", GetDiagnosticsRequest,
        "OCPP GetDiagnostics.req" => "OCPP GetDiagnostics.conf";
    /// UpdateFirmware: download and install firmware; recorded as a firmware request.
    update_firmware: "/chargers/{id}/update-firmware", UpdateFirmwareRequest,
        "OCPP UpdateFirmware.req" => "OCPP UpdateFirmware.conf";
    // Local Auth List Management
    /// GetLocalListVersion: the version of the charger's local authorization list (stored).
    get_local_list_version: "/chargers/{id}/get-local-list-version", GetLocalListVersionRequest,
        "OCPP GetLocalListVersion.req (empty; the body may be left out)" => "OCPP GetLocalListVersion.conf";
    /// SendLocalList: replace or change the local authorization list.
    send_local_list: "/chargers/{id}/send-local-list", SendLocalListRequest,
        "OCPP SendLocalList.req" => "OCPP SendLocalList.conf";
    // Reservation
    /// CancelReservation: the stored reservation becomes Cancelled when accepted.
    cancel_reservation: "/chargers/{id}/cancel-reservation", CancelReservationRequest,
        "OCPP CancelReservation.req" => "OCPP CancelReservation.conf";
    // Smart Charging
    /// SetChargingProfile: install a profile; recorded as installed when accepted.
    set_charging_profile: "/chargers/{id}/set-charging-profile", SetChargingProfileRequest,
        "OCPP SetChargingProfile.req" => "OCPP SetChargingProfile.conf";
    /// ClearChargingProfile: remove profiles; removed from the installed ones when accepted.
    clear_charging_profile: "/chargers/{id}/clear-charging-profile", ClearChargingProfileRequest,
        "OCPP ClearChargingProfile.req" => "OCPP ClearChargingProfile.conf";
    /// GetCompositeSchedule: the schedule that results from the installed profiles.
    get_composite_schedule: "/chargers/{id}/get-composite-schedule", GetCompositeScheduleRequest,
        "OCPP GetCompositeSchedule.req" => "OCPP GetCompositeSchedule.conf";
    // Remote Trigger
    /// TriggerMessage: ask the charger to send a message now.
    trigger_message: "/chargers/{id}/trigger-message", TriggerMessageRequest,
        "OCPP TriggerMessage.req" => "OCPP TriggerMessage.conf";
    // Security extension
    /// CertificateSigned: deliver the certificate chain for a SignCertificate request.
    certificate_signed: "/chargers/{id}/certificate-signed", CertificateSignedRequest,
        "OCPP CertificateSigned.req" => "OCPP CertificateSigned.conf";
    /// DeleteCertificate: remove an installed root certificate.
    delete_certificate: "/chargers/{id}/delete-certificate", DeleteCertificateRequest,
        "OCPP DeleteCertificate.req" => "OCPP DeleteCertificate.conf";
    /// ExtendedTriggerMessage: TriggerMessage with the security extension's messages.
    extended_trigger_message: "/chargers/{id}/extended-trigger-message", ExtendedTriggerMessageRequest,
        "OCPP ExtendedTriggerMessage.req" => "OCPP ExtendedTriggerMessage.conf";
    /// GetInstalledCertificateIds: the root certificates of one use installed on the charger.
    get_installed_certificate_ids: "/chargers/{id}/get-installed-certificate-ids", GetInstalledCertificateIdsRequest,
        "OCPP GetInstalledCertificateIds.req" => "OCPP GetInstalledCertificateIds.conf";
    /// GetLog: upload a diagnostics or security log; recorded as a diagnostics request.
    get_log: "/chargers/{id}/get-log", GetLogRequest,
        "OCPP GetLog.req" => "OCPP GetLog.conf";
    /// InstallCertificate: install a root certificate.
    install_certificate: "/chargers/{id}/install-certificate", InstallCertificateRequest,
        "OCPP InstallCertificate.req" => "OCPP InstallCertificate.conf";
    /// SignedUpdateFirmware: a signed firmware update; recorded as a firmware request.
    signed_update_firmware: "/chargers/{id}/signed-update-firmware", SignedUpdateFirmwareRequest,
        "OCPP SignedUpdateFirmware.req" => "OCPP SignedUpdateFirmware.conf";
}
