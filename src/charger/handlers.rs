//! One handler per charger-initiated action: what to store, and the answer once it is stored.
//!
//! [`handle`] turns a decoded CALL into a [`Step`]: answer at once (nothing to confirm), or a
//! [`Job`] for the writer. [`respond`] builds the answer from the job's committed [`Outcome`].

use crate::config::OcppConfig;
use crate::db::jobs::spelling;
use crate::db::jobs::{ChargerEvent, Job, Outcome};
use crate::ocpp::types::Timestamp;
use crate::ocpp::v16::boot_notification::{BootNotificationResponse, RegistrationStatus};
use crate::ocpp::v16::data_transfer::{DataTransferResponse, DataTransferStatus};
use crate::ocpp::v16::{
    authorize, diagnostics_status_notification as diagnostics,
    firmware_status_notification as firmware, heartbeat, log_status_notification as log_status,
    meter_values, security_event_notification as security, sign_certificate,
    signed_firmware_status_notification as signed_firmware, start_transaction, status_notification,
    stop_transaction, ChargerCall,
};
use serde::Serialize;
use serde_json::Value;

/// What the handler needs to know besides the CALL.
pub struct Env<'a> {
    pub charge_point_id: &'a str,
    pub config: &'a OcppConfig,
    pub now: Timestamp,
}

/// What to do with a CALL.
#[derive(Debug)]
pub enum Step {
    /// Answer now with this payload; nothing needs storing first.
    Reply(Value),
    /// Store this first; answer with [`respond`] after the commit.
    Store(Box<Job>),
}

pub fn handle(env: &Env<'_>, call: &ChargerCall) -> Step {
    let cp = env.charge_point_id.to_owned();
    let at = env.now.naive();
    let event = |kind: &'static str,
                 status: String,
                 request_id: Option<i32>,
                 detail: Option<String>,
                 event_at| {
        store(Job::Event(ChargerEvent {
            charge_point_id: cp.clone(),
            kind,
            status,
            request_id,
            detail,
            event_at,
            at,
        }))
    };
    match call {
        ChargerCall::Heartbeat(_) => Step::Reply(payload(heartbeat::HeartbeatResponse {
            current_time: env.now,
        })),
        ChargerCall::BootNotification(request) => store(Job::Boot {
            charge_point_id: cp,
            request: request.clone(),
            default_status: env.config.boot_status.into(),
            at,
        }),
        ChargerCall::StatusNotification(request) => store(Job::Status {
            charge_point_id: cp,
            request: request.clone(),
            at,
        }),
        ChargerCall::Authorize(request) => store(Job::Authorize {
            id_tag: request.id_tag.clone(),
            at,
        }),
        ChargerCall::StartTransaction(request) => store(Job::StartTransaction {
            charge_point_id: cp,
            request: request.clone(),
            max_per_tag: env.config.max_transactions_per_tag,
            at,
        }),
        ChargerCall::StopTransaction(request) => store(Job::StopTransaction {
            charge_point_id: cp,
            request: request.clone(),
            at,
        }),
        ChargerCall::MeterValues(request) => store(Job::MeterValues {
            charge_point_id: cp,
            request: request.clone(),
            at,
        }),
        ChargerCall::DataTransfer(request) => {
            let answered = data_transfer_status(env.config, request.vendor_id.as_str());
            store(Job::DataTransfer {
                charge_point_id: cp,
                request: request.clone(),
                answered: answered.as_str(),
                at,
            })
        }
        ChargerCall::DiagnosticsStatusNotification(r) => event(
            "DiagnosticsStatusNotification",
            spelling(&r.status),
            None,
            None,
            None,
        ),
        ChargerCall::FirmwareStatusNotification(r) => event(
            "FirmwareStatusNotification",
            spelling(&r.status),
            None,
            None,
            None,
        ),
        ChargerCall::LogStatusNotification(r) => event(
            "LogStatusNotification",
            spelling(&r.status),
            r.request_id,
            None,
            None,
        ),
        ChargerCall::SignedFirmwareStatusNotification(r) => event(
            "SignedFirmwareStatusNotification",
            spelling(&r.status),
            r.request_id,
            None,
            None,
        ),
        ChargerCall::SecurityEventNotification(r) => event(
            "SecurityEventNotification",
            r.kind.to_string(),
            None,
            r.tech_info.as_ref().map(|t| t.to_string()),
            Some(r.timestamp),
        ),
        ChargerCall::SignCertificate(r) => store(Job::SignCertificate {
            charge_point_id: cp,
            csr: r.csr.to_string(),
            certificate_type: None,
            at,
        }),
    }
}

/// The answer to a CALL whose job has been committed with `outcome`.
pub fn respond(env: &Env<'_>, call: &ChargerCall, outcome: Outcome) -> Result<Value, String> {
    Ok(match (call, outcome) {
        (
            ChargerCall::BootNotification(_),
            Outcome::Registered {
                status,
                heartbeat_interval_secs,
            },
        ) => payload(BootNotificationResponse {
            current_time: env.now,
            interval: boot_interval(
                heartbeat_interval_secs.unwrap_or(env.config.heartbeat_interval_secs),
                status,
            ),
            status,
        }),
        (ChargerCall::Authorize(_), Outcome::IdTag(id_tag_info)) => {
            payload(authorize::AuthorizeResponse { id_tag_info })
        }
        (
            ChargerCall::StartTransaction(_),
            Outcome::Started {
                transaction_id,
                id_tag_info,
                ..
            },
        ) => payload(start_transaction::StartTransactionResponse {
            id_tag_info,
            transaction_id,
        }),
        (ChargerCall::StopTransaction(_), Outcome::Stopped { id_tag_info, .. }) => {
            payload(stop_transaction::StopTransactionResponse { id_tag_info })
        }
        (ChargerCall::DataTransfer(r), _) => payload(DataTransferResponse {
            status: data_transfer_status(env.config, r.vendor_id.as_str()),
            data: None,
        }),
        (ChargerCall::StatusNotification(_), _) => {
            payload(status_notification::StatusNotificationResponse {})
        }
        (ChargerCall::MeterValues(_), _) => payload(meter_values::MeterValuesResponse {}),
        (ChargerCall::DiagnosticsStatusNotification(_), _) => {
            payload(diagnostics::DiagnosticsStatusNotificationResponse {})
        }
        (ChargerCall::FirmwareStatusNotification(_), _) => {
            payload(firmware::FirmwareStatusNotificationResponse {})
        }
        (ChargerCall::LogStatusNotification(_), _) => {
            payload(log_status::LogStatusNotificationResponse {})
        }
        (ChargerCall::SignedFirmwareStatusNotification(_), _) => {
            payload(signed_firmware::SignedFirmwareStatusNotificationResponse {})
        }
        (ChargerCall::SecurityEventNotification(_), _) => {
            payload(security::SecurityEventNotificationResponse {})
        }
        (ChargerCall::SignCertificate(_), _) => {
            payload(sign_certificate::SignCertificateResponse {
                status: sign_certificate::GenericStatus::Accepted,
            })
        }
        (ChargerCall::Heartbeat(_), _) => payload(heartbeat::HeartbeatResponse {
            current_time: env.now,
        }),
        // A job paired with an outcome of another kind is a bug; the caller answers InternalError.
        (call, outcome) => {
            return Err(format!(
                "{} got an unexpected outcome {outcome:?}",
                call.action()
            ))
        }
    })
}

/// Accepted chargers get their heartbeat interval; others the wait before their next boot.
fn boot_interval(heartbeat_interval_secs: u32, status: RegistrationStatus) -> i32 {
    let interval = match status {
        RegistrationStatus::Accepted => heartbeat_interval_secs,
        RegistrationStatus::Pending | RegistrationStatus::Rejected => {
            heartbeat_interval_secs.min(60)
        }
    };
    i32::try_from(interval).unwrap_or(i32::MAX)
}

fn data_transfer_status(config: &OcppConfig, vendor_id: &str) -> DataTransferStatus {
    if config.data_transfer_vendors.iter().any(|v| v == vendor_id) {
        DataTransferStatus::Accepted
    } else {
        DataTransferStatus::UnknownVendorId
    }
}

/// Our own types always serialize; `Null` would only mark a bug, never a crash.
fn payload<T: Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn store(job: Job) -> Step {
    Step::Store(Box::new(job))
}
