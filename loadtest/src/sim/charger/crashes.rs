//! Power losses (see [`crate::sim::crash`]): the link dies without a goodbye, the charger
//! boots again on the next connection, and its sessions are forgotten or stopped for
//! PowerLoss.

use super::Charger;
use crate::sim::connector::Connector;
use crate::sim::crash::{Crash, CrashPlan, Crasher};
use crate::sim::outbox::Outbox;
use csms::ocpp::v16::stop_transaction::Reason;
use std::time::Instant;

impl Charger {
    /// The power goes now. The runner must drop the socket without a close handshake
    /// ([`Charger::take_broken_link`]); the next connection boots again.
    ///
    /// - `Forget`: sessions, queued messages (transaction messages too) and scheduled jobs
    ///   are gone, connectors are Available again, the drivers start over.
    /// - `Remember`: each session is stopped with reason PowerLoss and the meter reading now;
    ///   those StopTransactions follow what was already queued, after the BootNotification.
    pub fn crash(&mut self, kind: Crash, now: Instant) {
        self.catch_up(now);
        self.disconnected(now);
        self.link_broken = true;
        self.registration = None;
        self.next_boot = None;
        self.metrics.crashed(kind.as_str());
        self.note(format!("power lost ({} crash)", kind.as_str()));
        match kind {
            Crash::Remember => {
                self.stop_all(Reason::PowerLoss, now);
                for c in &mut self.connectors {
                    c.authorized = None;
                    c.status = c.derived_status();
                }
            }
            Crash::Forget => {
                self.outbox = Outbox::default();
                self.jobs.clear();
                for i in 0..self.connectors.len() {
                    self.sessions[i] = None;
                    self.profiles.end_transaction(i as u32 + 1);
                    self.meters[i].ev = None;
                    self.meters[i].power_w = 0.0;
                }
                self.connectors = vec![Connector::default(); self.connectors.len()];
                if let Some(driver) = self.driver.as_mut() {
                    driver.restart(now, &mut self.rng);
                }
            }
        }
    }

    /// Whether a crash broke the link since the last call.
    pub fn take_broken_link(&mut self) -> bool {
        std::mem::take(&mut self.link_broken)
    }

    /// Lets the charger crash by itself, mid-session, as `plan` says.
    pub fn set_crashes(&mut self, plan: CrashPlan, now: Instant) {
        self.crasher = Some(Crasher::new(plan, now, &mut self.rng));
    }

    /// Crashes now if a crash is due (and a session is open).
    pub(super) fn crash_if_due(&mut self, now: Instant) {
        let in_session = self.sessions.iter().any(Option::is_some);
        let Some(crasher) = self.crasher.as_mut() else {
            return;
        };
        if let Some(kind) = crasher.due(now, in_session, &mut self.rng) {
            self.crash(kind, now);
        }
    }

    /// The end of a load run is near: drivers stop coming and going and the charger stops
    /// crashing; running sessions go on.
    pub fn freeze(&mut self, now: Instant) {
        if let Some(d) = &mut self.driver {
            d.leave(now + std::time::Duration::from_secs(86_400 * 365));
        }
        if let Some(c) = &mut self.crasher {
            c.stop();
        }
    }
}
