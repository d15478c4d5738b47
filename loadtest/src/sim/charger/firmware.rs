//! Firmware updates, diagnostics and log uploads: each answered at once, then carried out over
//! the following seconds with a status notification per step, as a real charger does.

use super::{until, Charger, Job};
use crate::sim::outbox::Purpose;
use chrono::Utc;
use csms::ocpp::types::CiString;
use csms::ocpp::v16::diagnostics_status_notification::{
    DiagnosticsStatus, DiagnosticsStatusNotificationRequest,
};
use csms::ocpp::v16::firmware_status_notification::{
    FirmwareStatus, FirmwareStatusNotificationRequest,
};
use csms::ocpp::v16::get_diagnostics::{GetDiagnosticsRequest, GetDiagnosticsResponse};
use csms::ocpp::v16::get_log::{GetLogRequest, GetLogResponse, LogStatus};
use csms::ocpp::v16::log_status_notification::{LogStatusNotificationRequest, UploadLogStatus};
use csms::ocpp::v16::signed_firmware_status_notification::{
    SignedFirmwareStatus, SignedFirmwareStatusNotificationRequest,
};
use csms::ocpp::v16::signed_update_firmware::{
    SignedUpdateFirmwareRequest, SignedUpdateFirmwareResponse, UpdateFirmwareStatus,
};
use csms::ocpp::v16::update_firmware::{UpdateFirmwareRequest, UpdateFirmwareResponse};
use csms::ocpp::v16::ChargerCall;
use std::time::{Duration, Instant};

/// Seconds each step of an update or upload takes.
const STEP: Duration = Duration::from_secs(2);

impl Charger {
    pub(super) fn update_firmware(
        &mut self,
        req: UpdateFirmwareRequest,
        now: Instant,
    ) -> UpdateFirmwareResponse {
        let wait = until(req.retrieve_date);
        self.note(format!("firmware update from {}", req.location));
        self.schedule(
            now + wait + STEP,
            Job::Firmware(FirmwareStatus::Downloading),
        );
        UpdateFirmwareResponse {}
    }

    /// One step of an update: report it, then schedule the next one.
    pub(super) fn firmware_step(&mut self, status: FirmwareStatus, now: Instant) {
        self.firmware_status = status;
        self.push_firmware_status();
        let next = match status {
            FirmwareStatus::Downloading => Some(Job::Firmware(FirmwareStatus::Downloaded)),
            FirmwareStatus::Downloaded => Some(Job::Firmware(FirmwareStatus::Installing)),
            FirmwareStatus::Installing => Some(Job::Firmware(FirmwareStatus::Installed)),
            FirmwareStatus::Installed => Some(Job::Reboot(Some(self.next_version()))),
            _ => None,
        };
        if let Some(job) = next {
            self.schedule(now + STEP, job);
        }
    }

    pub(super) fn push_firmware_status(&mut self) {
        self.outbox.push(
            ChargerCall::FirmwareStatusNotification(FirmwareStatusNotificationRequest {
                status: self.firmware_status,
            }),
            Purpose::Plain,
        );
    }

    /// The version installed by an update: the patch number plus one.
    fn next_version(&self) -> String {
        match self.firmware.rsplit_once('.') {
            Some((head, patch)) => match patch.parse::<u32>() {
                Ok(p) => format!("{head}.{}", p + 1),
                Err(_) => format!("{}.1", self.firmware),
            },
            None => format!("{}.1", self.firmware),
        }
    }

    pub(super) fn get_diagnostics(
        &mut self,
        req: GetDiagnosticsRequest,
        now: Instant,
    ) -> GetDiagnosticsResponse {
        let name = format!(
            "diagnostics-{}-{}.tar.gz",
            self.id,
            Utc::now().format("%Y%m%d%H%M%S")
        );
        self.note(format!("uploading diagnostics to {}", req.location));
        self.schedule(now + STEP, Job::Diagnostics(DiagnosticsStatus::Uploading));
        GetDiagnosticsResponse {
            file_name: Some(CiString::truncate(&name)),
        }
    }

    pub(super) fn diagnostics_step(&mut self, status: DiagnosticsStatus, now: Instant) {
        self.diagnostics_status = status;
        self.push_diagnostics_status();
        if status == DiagnosticsStatus::Uploading {
            self.schedule(now + STEP, Job::Diagnostics(DiagnosticsStatus::Uploaded));
        }
    }

    pub(super) fn push_diagnostics_status(&mut self) {
        self.outbox.push(
            ChargerCall::DiagnosticsStatusNotification(DiagnosticsStatusNotificationRequest {
                status: self.diagnostics_status,
            }),
            Purpose::Plain,
        );
    }

    pub(super) fn get_log(&mut self, req: GetLogRequest, now: Instant) -> GetLogResponse {
        let name = format!("log-{}-{}.tar.gz", self.id, req.request_id);
        self.schedule(
            now + STEP,
            Job::Log(UploadLogStatus::Uploading, req.request_id),
        );
        GetLogResponse {
            status: LogStatus::Accepted,
            filename: Some(CiString::truncate(&name)),
        }
    }

    pub(super) fn log_step(&mut self, status: UploadLogStatus, request_id: i32, now: Instant) {
        self.push_log_status(status, Some(request_id));
        if status == UploadLogStatus::Uploading {
            self.schedule(now + STEP, Job::Log(UploadLogStatus::Uploaded, request_id));
        }
    }

    pub(super) fn push_log_status(&mut self, status: UploadLogStatus, request_id: Option<i32>) {
        self.outbox.push(
            ChargerCall::LogStatusNotification(LogStatusNotificationRequest { status, request_id }),
            Purpose::Plain,
        );
    }

    pub(super) fn signed_update_firmware(
        &mut self,
        req: SignedUpdateFirmwareRequest,
        now: Instant,
    ) -> SignedUpdateFirmwareResponse {
        let wait = until(req.firmware.retrieve_date_time);
        self.schedule(
            now + wait + STEP,
            Job::SignedFirmware(SignedFirmwareStatus::Downloading, req.request_id),
        );
        SignedUpdateFirmwareResponse {
            status: UpdateFirmwareStatus::Accepted,
        }
    }

    pub(super) fn signed_firmware_step(
        &mut self,
        status: SignedFirmwareStatus,
        request_id: i32,
        now: Instant,
    ) {
        use SignedFirmwareStatus as S;
        self.outbox.push(
            ChargerCall::SignedFirmwareStatusNotification(
                SignedFirmwareStatusNotificationRequest {
                    status,
                    request_id: Some(request_id),
                },
            ),
            Purpose::Plain,
        );
        let next = match status {
            S::Downloading => Some(Job::SignedFirmware(S::Downloaded, request_id)),
            S::Downloaded => Some(Job::SignedFirmware(S::SignatureVerified, request_id)),
            S::SignatureVerified => Some(Job::SignedFirmware(S::Installing, request_id)),
            S::Installing => Some(Job::SignedFirmware(S::Installed, request_id)),
            S::Installed => Some(Job::Reboot(Some(self.next_version()))),
            _ => None,
        };
        if let Some(job) = next {
            self.schedule(now + STEP, job);
        }
    }
}
