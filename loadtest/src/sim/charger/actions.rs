//! What a person at the charger does: plug, present a tag, stop, unplug; faults and repairs;
//! taking the charger off the network and back. Also the simulated drivers who do it by
//! themselves.

use super::Charger;
use crate::sim::connector::Event;
use crate::sim::outbox::Purpose;
use crate::sim::user::UserOp;
use csms::ocpp::types::IdToken;
use csms::ocpp::v16::authorize::AuthorizeRequest;
use csms::ocpp::v16::common::AuthorizationStatus;
use csms::ocpp::v16::status_notification::ChargePointStatus;
use csms::ocpp::v16::stop_transaction::Reason;
use csms::ocpp::v16::ChargerCall;
use std::time::Instant;

impl Charger {
    /// Performs one action; the text says what happened, the error why nothing did.
    pub fn user(&mut self, op: UserOp, now: Instant) -> Result<String, String> {
        self.catch_up(now);
        let connector = |n: u32| -> Result<usize, String> {
            self.connector_index(n).ok_or_else(|| {
                format!(
                    "no connector {n} (this charger has {})",
                    self.connectors.len()
                )
            })
        };
        match op {
            UserOp::Plug(n) => {
                let i = connector(n)?;
                if self.connectors[i].plugged {
                    return Err(format!("connector {n} is already plugged"));
                }
                self.connector_event(n, Event::Plug, now);
                let free_vend = self.config.flag("FreeVendEnabled");
                let tag = IdToken::truncate(self.config.text("FreeVendIdTag"));
                if free_vend
                    && self.connectors[i].accepts(&tag)
                    && self.connectors[i].authorized.is_none()
                {
                    self.connector_event(n, Event::Authorized(tag), now);
                }
                Ok(format!(
                    "connector {n}: plugged, {}",
                    self.connectors[i].status.as_str()
                ))
            }
            UserOp::Unplug(n) => {
                let i = connector(n)?;
                if !self.connectors[i].plugged {
                    return Err(format!("connector {n} is not plugged"));
                }
                self.connector_event(n, Event::Unplug, now);
                Ok(format!("connector {n}: unplugged"))
            }
            UserOp::Start(n, tag) => {
                let i = connector(n)?;
                let tag = IdToken::new(tag).map_err(|e| format!("id tag: {e}"))?;
                if !self.connectors[i].accepts(&tag) {
                    return Err(format!(
                        "connector {n} is {} and takes no tag now",
                        self.connectors[i].status.as_str()
                    ));
                }
                self.authorize(n, tag, now)
            }
            UserOp::Stop(n) => {
                let i = connector(n)?;
                let c = &self.connectors[i];
                if !c.in_transaction && c.authorized.is_none() {
                    return Err(format!("connector {n} has no transaction"));
                }
                self.connector_event(n, Event::Stop(Reason::Local), now);
                Ok(format!("connector {n}: stopped"))
            }
            UserOp::Fault(n, code) => {
                connector(n)?;
                self.connector_event(n, Event::Fault(code), now);
                Ok(format!("connector {n}: faulted ({})", code.as_str()))
            }
            UserOp::Repair(n) => {
                let i = connector(n)?;
                self.connector_event(n, Event::Repair, now);
                Ok(format!(
                    "connector {n}: {}",
                    self.connectors[i].status.as_str()
                ))
            }
            UserOp::Offline => {
                self.user_offline = true;
                self.note("going offline");
                Ok("offline: charging goes on, transaction messages are queued".into())
            }
            UserOp::Online => {
                self.user_offline = false;
                self.note("going online");
                Ok(format!(
                    "online: {} queued transaction messages to replay",
                    self.outbox.durable_pending()
                ))
            }
        }
    }

    /// A tag at the reader: the local list or cache, the central system, or the offline rules.
    fn authorize(&mut self, n: u32, tag: IdToken, now: Instant) -> Result<String, String> {
        let local = self.auth.lookup(&tag);
        if self.online && self.is_accepted() {
            if self.config.flag("LocalPreAuthorize") && local == Some(AuthorizationStatus::Accepted)
            {
                self.connector_event(n, Event::Authorized(tag), now);
                return Ok(format!("connector {n}: authorized from the local list"));
            }
            self.outbox.push(
                ChargerCall::Authorize(AuthorizeRequest { id_tag: tag }),
                Purpose::Authorize { connector: n },
            );
            return Ok(format!(
                "connector {n}: authorizing with the central system"
            ));
        }
        let allowed = match local {
            Some(status) => {
                self.config.flag("LocalAuthorizeOffline") && status == AuthorizationStatus::Accepted
            }
            None => self.config.flag("AllowOfflineTxForUnknownId"),
        };
        if allowed {
            self.connector_event(n, Event::Authorized(tag), now);
            Ok(format!("connector {n}: authorized offline"))
        } else {
            Err("offline, and the tag is not authorized locally".into())
        }
    }

    /// Lets the simulated drivers act.
    pub(super) fn drive(&mut self, now: Instant) {
        let Some(mut driver) = self.driver.take() else {
            return;
        };
        let statuses: Vec<ChargePointStatus> = self.connectors.iter().map(|c| c.status).collect();
        for op in driver.tick(now, &statuses, &mut self.rng) {
            if let Err(e) = self.user(op, now) {
                self.note(format!("driver: {e}"));
            }
        }
        self.driver = Some(driver);
    }

    /// Lets simulated drivers use the connectors by themselves.
    pub fn set_driver(&mut self, plan: crate::sim::driver::Plan, now: Instant) {
        let connectors = self.connectors.len() as u32;
        self.driver = Some(crate::sim::driver::Driver::new(
            plan,
            connectors,
            now,
            &mut self.rng,
        ));
    }

    /// Ends a load run: drivers leave, crashes stop, sessions stop, the queue drains.
    pub fn shut_down(&mut self, now: Instant) {
        self.freeze(now);
        self.stop_all(Reason::Local, now);
    }
}
