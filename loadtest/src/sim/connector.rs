//! One connector as a pure state machine: `(state, event) -> (state, effects)`.
//!
//! The state holds the facts (cable plugged, tag authorized, transaction running, fault,
//! availability, reservation); the OCPP status is derived from them, and a `Status` effect is
//! emitted whenever it changes. The charger performs the effects (sends the messages, opens and
//! closes sessions); nothing here does I/O.
//!
//! ```text
//! Available --Plug--> Preparing --Authorized--> Charging --Stop--> Finishing --Unplug--> Available
//! Available --Authorized--> Preparing --Plug--> Charging
//! any --Fault--> Faulted --Repair--> (derived)      Available --SetOperative(false)--> Unavailable
//! Available --Reserve--> Reserved --Authorized(same tag)--> Preparing / Charging
//! ```

use csms::ocpp::types::IdToken;
use csms::ocpp::v16::status_notification::{ChargePointErrorCode, ChargePointStatus};
use csms::ocpp::v16::stop_transaction::Reason;

/// A reservation held on a connector.
#[derive(Debug, Clone, PartialEq)]
pub struct Reservation {
    pub id: i32,
    pub id_tag: IdToken,
}

/// What can happen at a connector.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The driver plugs the cable in.
    Plug,
    /// The driver pulls the cable out.
    Unplug,
    /// A tag was accepted for this connector (card at the reader, or RemoteStart).
    Authorized(IdToken),
    /// Authorized, but no cable came within ConnectionTimeOut.
    ConnectionTimeout,
    /// End the transaction (or cancel a pending authorization).
    Stop(Reason),
    /// The car's battery is full (true) or it draws power again (false).
    EvFull(bool),
    /// The charger offers no power (smart charging limit 0) or offers it again.
    EvseSuspended(bool),
    Fault(ChargePointErrorCode),
    Repair,
    /// ChangeAvailability: Operative (true) or Inoperative (false).
    SetOperative(bool),
    Reserve(Reservation),
    /// The reservation was cancelled or expired.
    EndReservation,
}

/// What the charger must do after a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Report the new status with StatusNotification.
    Status(ChargePointStatus, ChargePointErrorCode),
    /// Open a session: send StartTransaction.
    StartTransaction {
        id_tag: IdToken,
        reservation_id: Option<i32>,
    },
    /// Close the session: send StopTransaction.
    StopTransaction(Reason),
}

/// The facts about one connector; [`Connector::status`] is derived from them.
#[derive(Debug, Clone, PartialEq)]
pub struct Connector {
    pub plugged: bool,
    /// The tag of the coming or running transaction.
    pub authorized: Option<IdToken>,
    pub in_transaction: bool,
    pub ev_full: bool,
    pub evse_suspended: bool,
    pub fault: Option<ChargePointErrorCode>,
    pub operative: bool,
    /// Inoperative was requested during a transaction: applied when it ends.
    pub inoperative_scheduled: bool,
    pub reservation: Option<Reservation>,
    /// A transaction ended while the cable is still plugged.
    pub finishing: bool,
    /// The status last reported.
    pub status: ChargePointStatus,
}

impl Default for Connector {
    fn default() -> Self {
        Connector {
            plugged: false,
            authorized: None,
            in_transaction: false,
            ev_full: false,
            evse_suspended: false,
            fault: None,
            operative: true,
            inoperative_scheduled: false,
            reservation: None,
            finishing: false,
            status: ChargePointStatus::Available,
        }
    }
}

impl Connector {
    /// The status the facts call for.
    pub fn derived_status(&self) -> ChargePointStatus {
        use ChargePointStatus as S;
        if self.fault.is_some() {
            S::Faulted
        } else if self.in_transaction {
            if self.evse_suspended {
                S::SuspendedEVSE
            } else if self.ev_full {
                S::SuspendedEV
            } else {
                S::Charging
            }
        } else if !self.operative {
            S::Unavailable
        } else if self.finishing {
            S::Finishing
        } else if self.reservation.is_some() && self.authorized.is_none() {
            S::Reserved
        } else if self.plugged || self.authorized.is_some() {
            S::Preparing
        } else {
            S::Available
        }
    }

    pub fn error_code(&self) -> ChargePointErrorCode {
        self.fault.unwrap_or(ChargePointErrorCode::NoError)
    }

    /// Whether a tag may be authorized here now (free, working, operative, not reserved for
    /// someone else).
    pub fn accepts(&self, id_tag: &IdToken) -> bool {
        self.fault.is_none()
            && self.operative
            && !self.in_transaction
            && !self.finishing
            && self
                .reservation
                .as_ref()
                .is_none_or(|r| r.id_tag.key() == id_tag.key())
    }

    /// One step of the machine.
    pub fn step(mut self, event: Event) -> (Connector, Vec<Effect>) {
        let mut effects = Vec::new();
        match event {
            Event::Plug if !self.plugged => {
                self.plugged = true;
                self.finishing = false;
                self.start_if_ready(&mut effects);
            }
            Event::Unplug if self.plugged => {
                self.plugged = false;
                self.finishing = false;
                if self.in_transaction {
                    self.end_transaction(Reason::EVDisconnected, &mut effects);
                    self.finishing = false;
                }
            }
            Event::Authorized(tag) if self.accepts(&tag) => {
                self.authorized = Some(tag);
                self.start_if_ready(&mut effects);
            }
            Event::ConnectionTimeout if !self.in_transaction && !self.plugged => {
                self.authorized = None;
            }
            Event::Stop(reason) => {
                if self.in_transaction {
                    self.end_transaction(reason, &mut effects);
                } else {
                    self.authorized = None;
                }
            }
            Event::EvFull(full) => self.ev_full = full,
            Event::EvseSuspended(suspended) => self.evse_suspended = suspended,
            Event::Fault(code) => {
                self.fault = Some(code);
                if self.in_transaction {
                    self.end_transaction(Reason::Other, &mut effects);
                }
                self.authorized = None;
            }
            Event::Repair => self.fault = None,
            Event::SetOperative(true) => {
                self.operative = true;
                self.inoperative_scheduled = false;
            }
            Event::SetOperative(false) => {
                if self.in_transaction {
                    self.inoperative_scheduled = true;
                } else {
                    self.operative = false;
                    self.authorized = None;
                }
            }
            Event::Reserve(reservation) => self.reservation = Some(reservation),
            Event::EndReservation => self.reservation = None,
            // Events that do not apply in this state change nothing.
            _ => {}
        }
        let status = self.derived_status();
        if status != self.status {
            self.status = status;
            effects.push(Effect::Status(status, self.error_code()));
        }
        (self, effects)
    }

    fn start_if_ready(&mut self, effects: &mut Vec<Effect>) {
        let Some(tag) = self.authorized.clone() else {
            return;
        };
        if !self.plugged || self.in_transaction || self.fault.is_some() || !self.operative {
            return;
        }
        let reservation_id = self
            .reservation
            .take()
            .filter(|r| r.id_tag.key() == tag.key())
            .map(|r| r.id);
        self.in_transaction = true;
        self.ev_full = false;
        effects.push(Effect::StartTransaction {
            id_tag: tag,
            reservation_id,
        });
    }

    fn end_transaction(&mut self, reason: Reason, effects: &mut Vec<Effect>) {
        self.in_transaction = false;
        self.authorized = None;
        self.ev_full = false;
        self.evse_suspended = false;
        self.finishing = self.plugged;
        if self.inoperative_scheduled {
            self.inoperative_scheduled = false;
            self.operative = false;
        }
        effects.push(Effect::StopTransaction(reason));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChargePointStatus as S;

    fn tag(s: &str) -> IdToken {
        IdToken::new(s).unwrap()
    }

    /// Runs events from a fresh connector; returns the final state and every effect.
    fn run(events: Vec<Event>) -> (Connector, Vec<Effect>) {
        events
            .into_iter()
            .fold((Connector::default(), Vec::new()), |(c, mut all), e| {
                let (c, effects) = c.step(e);
                all.extend(effects);
                (c, all)
            })
    }

    fn statuses(effects: &[Effect]) -> Vec<ChargePointStatus> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Status(s, _) => Some(*s),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn plug_then_authorize_runs_a_whole_session() {
        let (c, effects) = run(vec![
            Event::Plug,
            Event::Authorized(tag("T1")),
            Event::Stop(Reason::Local),
            Event::Unplug,
        ]);
        assert_eq!(c, Connector::default());
        assert_eq!(
            effects,
            vec![
                Effect::Status(S::Preparing, ChargePointErrorCode::NoError),
                Effect::StartTransaction {
                    id_tag: tag("T1"),
                    reservation_id: None
                },
                Effect::Status(S::Charging, ChargePointErrorCode::NoError),
                Effect::StopTransaction(Reason::Local),
                Effect::Status(S::Finishing, ChargePointErrorCode::NoError),
                Effect::Status(S::Available, ChargePointErrorCode::NoError),
            ]
        );
    }

    #[test]
    fn authorize_first_waits_for_the_cable_or_times_out() {
        let (c, effects) = run(vec![Event::Authorized(tag("T1")), Event::Plug]);
        assert!(c.in_transaction);
        assert_eq!(statuses(&effects), vec![S::Preparing, S::Charging]);

        let (c, effects) = run(vec![Event::Authorized(tag("T1")), Event::ConnectionTimeout]);
        assert_eq!(c.status, S::Available);
        assert_eq!(statuses(&effects), vec![S::Preparing, S::Available]);
    }

    #[test]
    fn unplugging_during_a_transaction_stops_it() {
        let (c, effects) = run(vec![
            Event::Plug,
            Event::Authorized(tag("T1")),
            Event::Unplug,
        ]);
        assert_eq!(c.status, S::Available);
        assert!(effects.contains(&Effect::StopTransaction(Reason::EVDisconnected)));
    }

    #[test]
    fn a_fault_stops_the_transaction_and_repair_restores() {
        let (c, effects) = run(vec![
            Event::Plug,
            Event::Authorized(tag("T1")),
            Event::Fault(ChargePointErrorCode::GroundFailure),
        ]);
        assert_eq!(c.status, S::Faulted);
        assert!(effects.contains(&Effect::StopTransaction(Reason::Other)));
        assert_eq!(
            effects.last(),
            Some(&Effect::Status(
                S::Faulted,
                ChargePointErrorCode::GroundFailure
            ))
        );
        let (c, effects) = c.step(Event::Repair);
        assert_eq!(
            effects,
            vec![Effect::Status(S::Finishing, ChargePointErrorCode::NoError)]
        );
        // A faulted connector refuses tags.
        let (c, _) = c.step(Event::Fault(ChargePointErrorCode::OtherError));
        let (c, effects) = c.step(Event::Authorized(tag("T2")));
        assert!(effects.is_empty() && c.authorized.is_none());
    }

    #[test]
    fn inoperative_waits_for_the_transaction_to_end() {
        let (c, effects) = run(vec![
            Event::Plug,
            Event::Authorized(tag("T1")),
            Event::SetOperative(false),
        ]);
        assert!(c.inoperative_scheduled && c.status == S::Charging);
        assert_eq!(statuses(&effects), vec![S::Preparing, S::Charging]);
        let (c, _) = c.step(Event::Stop(Reason::Remote));
        assert_eq!(c.status, S::Unavailable);
        let (c, _) = c.step(Event::SetOperative(true));
        assert_eq!(c.status, S::Finishing);
        let (idle, effects) = Connector::default().step(Event::SetOperative(false));
        assert_eq!(statuses(&effects), vec![S::Unavailable]);
        let (_, effects) = idle.step(Event::Authorized(tag("T1")));
        assert!(effects.is_empty());
    }

    #[test]
    fn a_reservation_admits_only_its_tag_and_is_used_by_the_start() {
        let reserve = Event::Reserve(Reservation {
            id: 9,
            id_tag: tag("OWNER"),
        });
        let (c, effects) = run(vec![reserve, Event::Plug]);
        assert_eq!(c.status, S::Reserved);
        assert_eq!(statuses(&effects), vec![S::Reserved]);
        let (c, effects) = c.step(Event::Authorized(tag("OTHER")));
        assert!(effects.is_empty() && c.authorized.is_none());
        let (c, effects) = c.step(Event::Authorized(tag("owner")));
        assert!(c.reservation.is_none());
        assert_eq!(
            effects[0],
            Effect::StartTransaction {
                id_tag: tag("owner"),
                reservation_id: Some(9)
            }
        );
    }

    #[test]
    fn suspended_states_follow_the_ev_and_the_evse() {
        let (c, _) = run(vec![Event::Plug, Event::Authorized(tag("T1"))]);
        let (c, effects) = c.step(Event::EvFull(true));
        assert_eq!(statuses(&effects), vec![S::SuspendedEV]);
        let (c, effects) = c.step(Event::EvseSuspended(true));
        assert_eq!(statuses(&effects), vec![S::SuspendedEVSE]);
        let (c, effects) = c.step(Event::EvseSuspended(false));
        assert_eq!(statuses(&effects), vec![S::SuspendedEV]);
        let (_, effects) = c.step(Event::EvFull(false));
        assert_eq!(statuses(&effects), vec![S::Charging]);
    }

    #[test]
    fn events_that_do_not_apply_change_nothing() {
        for event in [
            Event::Unplug,
            Event::ConnectionTimeout,
            Event::Stop(Reason::Local),
            Event::Repair,
            Event::EndReservation,
        ] {
            let (c, effects) = Connector::default().step(event.clone());
            assert_eq!(c, Connector::default(), "{event:?}");
            assert!(effects.is_empty(), "{event:?}");
        }
    }
}
