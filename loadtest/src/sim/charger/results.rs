//! What the server's answers to our own CALLs change: registration and heartbeat interval,
//! authorizations, the server's transaction ids, and the confirmations the data check counts.

use super::{Charger, DEFAULT_BOOT_RETRY};
use crate::sim::connector::Event;
use crate::sim::outbox::{InFlight, Purpose};
use csms::ocpp::v16::authorize::AuthorizeResponse;
use csms::ocpp::v16::boot_notification::{BootNotificationResponse, RegistrationStatus};
use csms::ocpp::v16::common::{AuthorizationStatus, IdTagInfo};
use csms::ocpp::v16::parse;
use csms::ocpp::v16::start_transaction::StartTransactionResponse;
use csms::ocpp::v16::stop_transaction::Reason;
use csms::ocpp::v16::ChargerCall;
use serde_json::Value;
use std::time::{Duration, Instant};

impl Charger {
    pub(super) fn on_result(&mut self, done: InFlight, payload: &Value, now: Instant) {
        match (&done.out.call, done.out.purpose) {
            (ChargerCall::BootNotification(_), _) => self.booted(payload, now),
            (ChargerCall::Authorize(req), Purpose::Authorize { connector }) => {
                match parse::<AuthorizeResponse>(payload) {
                    Ok(r) => {
                        let tag = req.id_tag.clone();
                        self.auth.remember(&tag, r.id_tag_info.status);
                        if r.id_tag_info.status == AuthorizationStatus::Accepted {
                            self.connector_event(connector, Event::Authorized(tag), now);
                        } else {
                            let status = r.id_tag_info.status.as_str();
                            self.metrics.refused("Authorize", status);
                            self.note(format!("tag {tag} not authorized: {status}"));
                        }
                    }
                    Err(e) => self.note(format!("bad Authorize answer: {e}")),
                }
            }
            (
                ChargerCall::StartTransaction(_),
                Purpose::Start {
                    connector,
                    local_tx,
                },
            ) => {
                self.metrics.confirmed_start();
                match parse::<StartTransactionResponse>(payload) {
                    Ok(r) => self.started(connector, local_tx, r, now),
                    Err(e) => self.note(format!("bad StartTransaction answer: {e}")),
                }
            }
            (ChargerCall::StopTransaction(req), _) => {
                let rows = req
                    .transaction_data
                    .iter()
                    .flatten()
                    .map(|mv| mv.sampled_value.len())
                    .sum();
                self.metrics.confirmed_stop(rows);
                self.outbox.forget(req.transaction_id);
            }
            (ChargerCall::MeterValues(req), _) => {
                let rows = req
                    .meter_value
                    .iter()
                    .map(|mv| mv.sampled_value.len())
                    .sum();
                self.metrics.confirmed_meter_rows(rows);
            }
            _ => {}
        }
    }

    fn booted(&mut self, payload: &Value, now: Instant) {
        let r = match parse::<BootNotificationResponse>(payload) {
            Ok(r) => r,
            Err(e) => {
                self.note(format!("bad BootNotification answer: {e}"));
                self.next_boot = Some(now + DEFAULT_BOOT_RETRY);
                return;
            }
        };
        let interval = u32::try_from(r.interval).unwrap_or(0);
        self.registration = Some(r.status);
        self.note(format!(
            "boot {} (interval {interval} s)",
            r.status.as_str()
        ));
        match r.status {
            RegistrationStatus::Accepted => {
                if self.heartbeat_override.is_none() && interval > 0 {
                    self.config
                        .force("HeartbeatInterval", &interval.to_string());
                }
                self.push_all_statuses();
            }
            RegistrationStatus::Pending | RegistrationStatus::Rejected => {
                let wait = if interval > 0 {
                    Duration::from_secs(u64::from(interval))
                } else {
                    DEFAULT_BOOT_RETRY
                };
                self.next_boot = Some(now + wait);
            }
        }
    }

    fn started(&mut self, n: u32, local_tx: i32, r: StartTransactionResponse, now: Instant) {
        self.outbox.map_transaction(local_tx, r.transaction_id);
        let IdTagInfo { status, .. } = r.id_tag_info;
        if status != AuthorizationStatus::Accepted {
            self.metrics.refused("StartTransaction", status.as_str());
        }
        self.note(format!(
            "connector {n}: server transaction id {} (tag {})",
            r.transaction_id,
            status.as_str()
        ));
        let still_running = self
            .sessions
            .get(n as usize - 1)
            .and_then(Option::as_ref)
            .is_some_and(|s| s.local_tx == local_tx);
        if status != AuthorizationStatus::Accepted
            && still_running
            && self.config.flag("StopTransactionOnInvalidId")
        {
            self.connector_event(n, Event::Stop(Reason::DeAuthorized), now);
        }
    }
}
