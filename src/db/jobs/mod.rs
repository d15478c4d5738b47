//! Write jobs: everything the charger actors and the supervisor ask the writer to store.
//!
//! Each job runs inside the writer's group transaction and returns an [`Outcome`]; the charger
//! actor turns that outcome into its answer only after the commit.

mod charger;
pub mod ghosts;
mod transactions;

use super::DbConn;
use crate::events::Change;
use crate::ocpp::types::{IdToken, Timestamp};
use crate::ocpp::v16::boot_notification::{BootNotificationRequest, RegistrationStatus};
use crate::ocpp::v16::common::{AuthorizationStatus, IdTagInfo};
use crate::ocpp::v16::data_transfer::DataTransferRequest;
use crate::ocpp::v16::meter_values::MeterValuesRequest;
use crate::ocpp::v16::start_transaction::StartTransactionRequest;
use crate::ocpp::v16::status_notification::StatusNotificationRequest;
use crate::ocpp::v16::stop_transaction::StopTransactionRequest;
use chrono::NaiveDateTime;
use diesel::result::Error;

pub use charger::ChargerSnapshot;
pub use transactions::{id_tag_verdict, Concurrency};

/// A write, with the time it was received (`at`, UTC).
#[derive(Debug, Clone)]
pub enum Job {
    /// At the handshake: create the charger if `create` and it is unknown, and load its state.
    Admit {
        charge_point_id: String,
        create: bool,
        at: NaiveDateTime,
    },
    /// Store the identity a charger reports and decide its registration.
    Boot {
        charge_point_id: String,
        request: BootNotificationRequest,
        default_status: RegistrationStatus,
        at: NaiveDateTime,
    },
    Status {
        charge_point_id: String,
        request: StatusNotificationRequest,
        at: NaiveDateTime,
    },
    Authorize {
        id_tag: IdToken,
        at: NaiveDateTime,
    },
    StartTransaction {
        charge_point_id: String,
        request: StartTransactionRequest,
        /// Open transactions a tag may hold when it has no limit of its own (0 = unlimited).
        max_per_tag: u32,
        at: NaiveDateTime,
    },
    /// The answer to this StartTransaction never reached the charger.
    StartAnswerLost {
        charge_point_id: String,
        request: StartTransactionRequest,
        at: NaiveDateTime,
    },
    StopTransaction {
        charge_point_id: String,
        request: StopTransactionRequest,
        at: NaiveDateTime,
    },
    MeterValues {
        charge_point_id: String,
        request: MeterValuesRequest,
        at: NaiveDateTime,
    },
    DataTransfer {
        charge_point_id: String,
        request: DataTransferRequest,
        answered: &'static str,
        at: NaiveDateTime,
    },
    /// Firmware, diagnostics, log and security notifications.
    Event(ChargerEvent),
    SignCertificate {
        charge_point_id: String,
        csr: String,
        certificate_type: Option<String>,
        at: NaiveDateTime,
    },
    /// The supervisor registered a connection for this charger; `replaced` when it replaced
    /// one that was still open.
    Online {
        charge_point_id: String,
        replaced: bool,
        at: NaiveDateTime,
    },
    /// The charger's last connection is gone: offline, connectors Unavailable.
    Offline {
        charge_point_id: String,
        at: NaiveDateTime,
    },
    /// Latest sign of life of each charger, flushed periodically.
    Touch {
        seen: Vec<(String, NaiveDateTime)>,
    },
    /// End those of `candidates` whose connector has still been Available for `grace_secs`
    /// with no meter values since (see [`ghosts::idle_candidates`]).
    EndIdleTransactions {
        candidates: Vec<i32>,
        grace_secs: u32,
        at: NaiveDateTime,
    },
    /// Drop message-log rows older than `before`.
    PruneMessageLog {
        before: NaiveDateTime,
    },
    /// Nothing; answered once everything sent before it is committed.
    Flush,
    /// Any other write (REST API changes, audit records), as a function of the connection.
    Run(RunFn),
}

/// A write given as a function; see [`crate::db::write`].
#[derive(Clone)]
pub struct RunFn(pub std::sync::Arc<WriteFn>);

/// The function of a [`Job::Run`].
pub type WriteFn = dyn Fn(&mut DbConn) -> Result<Outcome, Error> + Send + Sync;

impl std::fmt::Debug for RunFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RunFn")
    }
}

/// A notification stored in `charger_events`.
#[derive(Debug, Clone)]
pub struct ChargerEvent {
    pub charge_point_id: String,
    pub kind: &'static str,
    pub status: String,
    pub request_id: Option<i32>,
    pub detail: Option<String>,
    pub event_at: Option<Timestamp>,
    pub at: NaiveDateTime,
}

/// What a committed job reports back.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Done,
    Admitted(Option<ChargerSnapshot>),
    Registered {
        status: RegistrationStatus,
        /// The charger's own heartbeat interval, if it has one.
        heartbeat_interval_secs: Option<u32>,
    },
    IdTag(IdTagInfo),
    Started {
        transaction_id: i32,
        id_tag_info: IdTagInfo,
        resent: bool,
    },
    Stopped {
        id_tag_info: Option<IdTagInfo>,
        anomaly: Option<crate::db::anomalies::AnomalyKind>,
    },
    /// Rows removed or transactions ended by a periodic job.
    Pruned(usize),
}

impl Job {
    /// The charger whose write it is, if any (the writer takes chargers' writes in turns).
    pub fn charger(&self) -> Option<&str> {
        match self {
            Job::Admit {
                charge_point_id, ..
            }
            | Job::Boot {
                charge_point_id, ..
            }
            | Job::Status {
                charge_point_id, ..
            }
            | Job::StartTransaction {
                charge_point_id, ..
            }
            | Job::StartAnswerLost {
                charge_point_id, ..
            }
            | Job::StopTransaction {
                charge_point_id, ..
            }
            | Job::MeterValues {
                charge_point_id, ..
            }
            | Job::DataTransfer {
                charge_point_id, ..
            }
            | Job::SignCertificate {
                charge_point_id, ..
            }
            | Job::Online {
                charge_point_id, ..
            }
            | Job::Offline {
                charge_point_id, ..
            } => Some(charge_point_id),
            Job::Event(event) => Some(&event.charge_point_id),
            Job::Authorize { .. }
            | Job::Touch { .. }
            | Job::EndIdleTransactions { .. }
            | Job::PruneMessageLog { .. }
            | Job::Flush
            | Job::Run(_) => None,
        }
    }

    /// Roughly how many rows the job writes (a sampled value is a row).
    pub fn rows(&self) -> usize {
        let samples = |values: &[crate::ocpp::v16::common::MeterValue]| -> usize {
            values.iter().map(|m| m.sampled_value.len()).sum()
        };
        match self {
            Job::MeterValues { request, .. } => 1 + samples(&request.meter_value),
            Job::StopTransaction { request, .. } => {
                1 + request.transaction_data.as_deref().map_or(0, samples)
            }
            Job::Touch { seen } => seen.len(),
            _ => 1,
        }
    }

    /// The job's name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Job::Admit { .. } => "Admit",
            Job::Boot { .. } => "Boot",
            Job::Status { .. } => "Status",
            Job::Authorize { .. } => "Authorize",
            Job::StartTransaction { .. } => "StartTransaction",
            Job::StartAnswerLost { .. } => "StartAnswerLost",
            Job::StopTransaction { .. } => "StopTransaction",
            Job::MeterValues { .. } => "MeterValues",
            Job::DataTransfer { .. } => "DataTransfer",
            Job::Event(_) => "Event",
            Job::SignCertificate { .. } => "SignCertificate",
            Job::Online { .. } => "Online",
            Job::Offline { .. } => "Offline",
            Job::Touch { .. } => "Touch",
            Job::EndIdleTransactions { .. } => "EndIdleTransactions",
            Job::PruneMessageLog { .. } => "PruneMessageLog",
            Job::Flush => "Flush",
            Job::Run(_) => "Run",
        }
    }

    /// Runs the job on a connection that is inside a transaction.
    pub fn apply(&self, conn: &mut DbConn) -> Result<Outcome, Error> {
        match self {
            Job::Admit {
                charge_point_id,
                create,
                at,
            } => charger::admit(conn, charge_point_id, *create, *at),
            Job::Boot {
                charge_point_id,
                request,
                default_status,
                at,
            } => charger::boot(conn, charge_point_id, request, *default_status, *at),
            Job::Status {
                charge_point_id,
                request,
                at,
            } => charger::status(conn, charge_point_id, request, *at),
            Job::Authorize { id_tag, at } => transactions::authorize(conn, id_tag, *at),
            Job::StartTransaction {
                charge_point_id,
                request,
                max_per_tag,
                at,
            } => transactions::start(conn, charge_point_id, request, *max_per_tag, *at),
            Job::StartAnswerLost {
                charge_point_id,
                request,
                at,
            } => transactions::start_answer_lost(conn, charge_point_id, request, *at),
            Job::StopTransaction {
                charge_point_id,
                request,
                at,
            } => transactions::stop(conn, charge_point_id, request, *at),
            Job::MeterValues {
                charge_point_id,
                request,
                at,
            } => transactions::meter_values(conn, charge_point_id, request, *at),
            Job::DataTransfer {
                charge_point_id,
                request,
                answered,
                at,
            } => charger::data_transfer(conn, charge_point_id, request, answered, *at),
            Job::Event(event) => charger::event(conn, event),
            Job::SignCertificate {
                charge_point_id,
                csr,
                certificate_type,
                at,
            } => charger::sign_certificate(
                conn,
                charge_point_id,
                csr,
                certificate_type.as_deref(),
                *at,
            ),
            Job::Online {
                charge_point_id,
                replaced,
                at,
            } => charger::set_online(conn, charge_point_id, *replaced, *at),
            Job::Offline {
                charge_point_id,
                at,
            } => charger::set_offline(conn, charge_point_id, *at),
            Job::Touch { seen } => charger::touch(conn, seen),
            Job::EndIdleTransactions {
                candidates,
                grace_secs,
                at,
            } => {
                let grace = chrono::TimeDelta::seconds(i64::from(*grace_secs));
                ghosts::end_idle(conn, candidates, grace, *at).map(Outcome::Pruned)
            }
            Job::PruneMessageLog { before } => charger::prune_message_log(conn, *before),
            Job::Flush => Ok(Outcome::Done),
            Job::Run(f) => (f.0)(conn),
        }
    }
}

impl Job {
    /// What a committed job changed, for the [event bus](crate::events); `None` for jobs
    /// nobody watches live (sign-of-life flushes, pruning, API writes).
    pub fn change(&self, outcome: &Outcome) -> Option<Change> {
        let change = match (self, outcome) {
            (
                Job::Online {
                    charge_point_id,
                    replaced,
                    ..
                },
                _,
            ) => Change::Online {
                charge_point_id: charge_point_id.clone(),
                replaced: *replaced,
            },
            (
                Job::Offline {
                    charge_point_id, ..
                },
                _,
            ) => Change::Offline {
                charge_point_id: charge_point_id.clone(),
            },
            (
                Job::Boot {
                    charge_point_id, ..
                },
                Outcome::Registered { status, .. },
            ) => Change::Booted {
                charge_point_id: charge_point_id.clone(),
                status: *status,
            },
            (
                Job::Status {
                    charge_point_id,
                    request,
                    ..
                },
                _,
            ) => Change::ConnectorStatus {
                charge_point_id: charge_point_id.clone(),
                connector_id: request.connector_id,
                status: request.status,
                error_code: request.error_code,
            },
            (
                Job::StartTransaction {
                    charge_point_id,
                    request,
                    ..
                },
                Outcome::Started {
                    transaction_id,
                    id_tag_info,
                    resent: false,
                },
            ) => Change::TransactionStarted {
                charge_point_id: charge_point_id.clone(),
                connector_id: request.connector_id,
                transaction_id: *transaction_id,
                id_tag: request.id_tag.as_str().to_owned(),
                accepted: id_tag_info.status == AuthorizationStatus::Accepted,
            },
            (
                Job::StopTransaction {
                    charge_point_id,
                    request,
                    ..
                },
                Outcome::Stopped { .. },
            ) => Change::TransactionStopped {
                charge_point_id: charge_point_id.clone(),
                transaction_id: request.transaction_id,
            },
            (
                Job::MeterValues {
                    charge_point_id,
                    request,
                    ..
                },
                _,
            ) => Change::MeterValues {
                charge_point_id: charge_point_id.clone(),
                connector_id: request.connector_id,
                transaction_id: request.transaction_id,
                samples: request
                    .meter_value
                    .iter()
                    .map(|m| m.sampled_value.len())
                    .sum(),
                power_w: crate::events::power_w(&request.meter_value),
            },
            (Job::Event(event), _) => Change::Notification {
                charge_point_id: event.charge_point_id.clone(),
                kind: event.kind,
                status: event.status.clone(),
            },
            (Job::EndIdleTransactions { .. }, Outcome::Pruned(count)) if *count > 0 => {
                Change::TransactionsEndedByServer { count: *count }
            }
            _ => return None,
        };
        Some(change)
    }
}

/// The spec spelling of a serde enum value (`"Sample.Periodic"`, `"Charging"`, …).
pub(crate) fn spelling<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}
