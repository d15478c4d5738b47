//! TriggerMessage and ExtendedTriggerMessage: answer first, then send the requested message
//! (it is queued behind the answer, which leaves at once).

use super::Charger;
use crate::sim::outbox::Purpose;
use csms::ocpp::types::CiString;
use csms::ocpp::v16::common::{ReadingContext, TriggerMessageStatus};
use csms::ocpp::v16::extended_trigger_message::{
    ExtendedMessageTrigger, ExtendedTriggerMessageRequest, ExtendedTriggerMessageResponse,
};
use csms::ocpp::v16::heartbeat::HeartbeatRequest;
use csms::ocpp::v16::log_status_notification::UploadLogStatus;
use csms::ocpp::v16::sign_certificate::SignCertificateRequest;
use csms::ocpp::v16::status_notification::{ChargePointErrorCode, ChargePointStatus};
use csms::ocpp::v16::trigger_message::{
    MessageTrigger, TriggerMessageRequest, TriggerMessageResponse,
};
use csms::ocpp::v16::ChargerCall;

/// A stand-in certificate signing request (the simulator holds no keys).
const CSR: &str = "-----BEGIN CERTIFICATE REQUEST-----\nMIIBSimulatedChargePointCSR\n-----END CERTIFICATE REQUEST-----\n";

impl Charger {
    pub(super) fn trigger(&mut self, req: TriggerMessageRequest) -> TriggerMessageResponse {
        let m = match req.requested_message {
            MessageTrigger::BootNotification => ExtendedMessageTrigger::BootNotification,
            MessageTrigger::FirmwareStatusNotification => {
                ExtendedMessageTrigger::FirmwareStatusNotification
            }
            MessageTrigger::Heartbeat => ExtendedMessageTrigger::Heartbeat,
            MessageTrigger::MeterValues => ExtendedMessageTrigger::MeterValues,
            MessageTrigger::StatusNotification => ExtendedMessageTrigger::StatusNotification,
            MessageTrigger::DiagnosticsStatusNotification => {
                if !self.connector_ok(req.connector_id) {
                    return TriggerMessageResponse {
                        status: TriggerMessageStatus::Rejected,
                    };
                }
                self.push_diagnostics_status();
                return TriggerMessageResponse {
                    status: TriggerMessageStatus::Accepted,
                };
            }
        };
        TriggerMessageResponse {
            status: self.send_triggered(m, req.connector_id),
        }
    }

    pub(super) fn extended_trigger(
        &mut self,
        req: ExtendedTriggerMessageRequest,
    ) -> ExtendedTriggerMessageResponse {
        ExtendedTriggerMessageResponse {
            status: self.send_triggered(req.requested_message, req.connector_id),
        }
    }

    fn connector_ok(&self, connector: Option<u32>) -> bool {
        connector.is_none_or(|n| n <= self.connectors.len() as u32)
    }

    fn send_triggered(
        &mut self,
        m: ExtendedMessageTrigger,
        connector: Option<u32>,
    ) -> TriggerMessageStatus {
        use ExtendedMessageTrigger as T;
        if !self.connector_ok(connector) {
            return TriggerMessageStatus::Rejected;
        }
        match m {
            T::BootNotification => self.outbox.push(
                ChargerCall::BootNotification(self.boot_request()),
                Purpose::Plain,
            ),
            T::Heartbeat => self
                .outbox
                .push(ChargerCall::Heartbeat(HeartbeatRequest {}), Purpose::Plain),
            T::FirmwareStatusNotification => self.push_firmware_status(),
            T::LogStatusNotification => self.push_log_status(UploadLogStatus::Idle, None),
            T::SignChargePointCertificate => self.outbox.push(
                ChargerCall::SignCertificate(SignCertificateRequest {
                    csr: CiString::truncate(CSR),
                }),
                Purpose::Plain,
            ),
            T::StatusNotification => match connector {
                None => self.push_all_statuses(),
                Some(0) => self.push_status(
                    0,
                    ChargePointStatus::Available,
                    ChargePointErrorCode::NoError,
                ),
                Some(n) => {
                    let c = &self.connectors[n as usize - 1];
                    let (status, code) = (c.status, c.error_code());
                    self.push_status(n, status, code);
                }
            },
            T::MeterValues => {
                let targets: Vec<u32> = match connector {
                    Some(n) if n > 0 => vec![n],
                    _ => (1..=self.connectors.len() as u32).collect(),
                };
                for n in targets {
                    let tx = self.sessions[n as usize - 1].as_ref().map(|s| s.local_tx);
                    self.push_meter_values(n, tx, ReadingContext::Trigger);
                }
            }
        }
        TriggerMessageStatus::Accepted
    }
}
