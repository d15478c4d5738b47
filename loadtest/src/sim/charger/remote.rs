//! Operations that act on connectors: remote start and stop, unlock, availability, reset,
//! reservations.

use super::{until, Charger, Job, REBOOT_TIME};
use crate::sim::connector::{Event, Reservation};
use crate::sim::smart::Target;
use csms::ocpp::v16::cancel_reservation::{
    CancelReservationRequest, CancelReservationResponse, CancelReservationStatus,
};
use csms::ocpp::v16::change_availability::{
    AvailabilityStatus, AvailabilityType, ChangeAvailabilityRequest, ChangeAvailabilityResponse,
};
use csms::ocpp::v16::common::{ChargingProfilePurposeType, RemoteStartStopStatus};
use csms::ocpp::v16::remote_start_transaction::{
    RemoteStartTransactionRequest, RemoteStartTransactionResponse,
};
use csms::ocpp::v16::remote_stop_transaction::{
    RemoteStopTransactionRequest, RemoteStopTransactionResponse,
};
use csms::ocpp::v16::reserve_now::{ReservationStatus, ReserveNowRequest, ReserveNowResponse};
use csms::ocpp::v16::reset::{ResetRequest, ResetResponse, ResetStatus, ResetType};
use csms::ocpp::v16::status_notification::ChargePointStatus;
use csms::ocpp::v16::stop_transaction::Reason;
use csms::ocpp::v16::unlock_connector::{
    UnlockConnectorRequest, UnlockConnectorResponse, UnlockStatus,
};
use std::time::{Duration, Instant};

/// Delay between accepting a Reset and going down, so the StopTransactions can leave first.
const RESET_DELAY: Duration = Duration::from_secs(2);

impl Charger {
    pub(super) fn remote_start(
        &mut self,
        req: RemoteStartTransactionRequest,
        now: Instant,
    ) -> RemoteStartTransactionResponse {
        let reply = |status| RemoteStartTransactionResponse { status };
        let tag = req.id_tag.clone();
        let n = match req.connector_id {
            Some(n) => n,
            // No connector given: the first one that takes the tag.
            None => match (1..=self.connectors.len() as u32)
                .find(|&n| self.connectors[n as usize - 1].accepts(&tag))
            {
                Some(n) => n,
                None => return reply(RemoteStartStopStatus::Rejected),
            },
        };
        let Some(i) = self.connector_index(n) else {
            return reply(RemoteStartStopStatus::Rejected);
        };
        if !self.connectors[i].accepts(&tag) || self.connectors[i].authorized.is_some() {
            return reply(RemoteStartStopStatus::Rejected);
        }
        if let Some(profile) = req.charging_profile {
            if profile.charging_profile_purpose != ChargingProfilePurposeType::TxProfile {
                return reply(RemoteStartStopStatus::Rejected);
            }
            // Installed as the session's TxProfile once it runs; checked against a
            // transaction-to-be.
            let target = Target {
                connectors: self.connectors.len() as u32,
                max_stack_level: self.config.int("ChargeProfileMaxStackLevel") as i32,
                transaction_id: Some(profile.transaction_id.unwrap_or(0)),
                model: self.model,
            };
            self.profiles.set(n, profile, &target);
        }
        self.note(format!("RemoteStartTransaction for {tag} on connector {n}"));
        if self.config.flag("AuthorizeRemoteTxRequests") {
            let _ = self.user(crate::sim::user::UserOp::Start(n, tag.to_string()), now);
        } else {
            self.connector_event(n, Event::Authorized(tag), now);
        }
        reply(RemoteStartStopStatus::Accepted)
    }

    pub(super) fn remote_stop(
        &mut self,
        req: RemoteStopTransactionRequest,
        now: Instant,
    ) -> RemoteStopTransactionResponse {
        let status = match self.connector_of_transaction(req.transaction_id) {
            Some(n) => {
                self.note(format!("RemoteStopTransaction {}", req.transaction_id));
                self.connector_event(n, Event::Stop(Reason::Remote), now);
                RemoteStartStopStatus::Accepted
            }
            None => RemoteStartStopStatus::Rejected,
        };
        RemoteStopTransactionResponse { status }
    }

    pub(super) fn unlock(
        &mut self,
        req: UnlockConnectorRequest,
        now: Instant,
    ) -> UnlockConnectorResponse {
        let n = req.connector_id;
        let status = if self.connector_index(n).is_none() {
            UnlockStatus::NotSupported
        } else {
            self.connector_event(n, Event::Stop(Reason::UnlockCommand), now);
            UnlockStatus::Unlocked
        };
        UnlockConnectorResponse { status }
    }

    pub(super) fn change_availability(
        &mut self,
        req: ChangeAvailabilityRequest,
        now: Instant,
    ) -> ChangeAvailabilityResponse {
        let targets: Vec<u32> = match req.connector_id {
            0 => (1..=self.connectors.len() as u32).collect(),
            n if self.connector_index(n).is_some() => vec![n],
            _ => {
                return ChangeAvailabilityResponse {
                    status: AvailabilityStatus::Rejected,
                }
            }
        };
        let operative = req.kind == AvailabilityType::Operative;
        let mut scheduled = false;
        for n in targets {
            let c = &self.connectors[n as usize - 1];
            scheduled |= !operative && c.in_transaction;
            self.connector_event(n, Event::SetOperative(operative), now);
        }
        if req.connector_id == 0 {
            let main = if operative {
                ChargePointStatus::Available
            } else {
                ChargePointStatus::Unavailable
            };
            self.push_status(
                0,
                main,
                csms::ocpp::v16::status_notification::ChargePointErrorCode::NoError,
            );
        }
        ChangeAvailabilityResponse {
            status: if scheduled {
                AvailabilityStatus::Scheduled
            } else {
                AvailabilityStatus::Accepted
            },
        }
    }

    pub(super) fn reset(&mut self, req: ResetRequest, now: Instant) -> ResetResponse {
        let reason = match req.kind {
            ResetType::Hard => Reason::HardReset,
            ResetType::Soft => Reason::SoftReset,
        };
        self.note(format!("{} reset", reason.as_str()));
        self.stop_all(reason, now);
        self.schedule(now + RESET_DELAY, Job::Reboot(None));
        ResetResponse {
            status: ResetStatus::Accepted,
        }
    }

    /// Goes down for [`REBOOT_TIME`] and boots again; transaction messages are kept.
    pub(super) fn reboot(&mut self, now: Instant) {
        self.stop_all(Reason::Reboot, now);
        self.note("rebooting");
        self.registration = None;
        self.next_boot = Some(now);
        self.down_until = Some(now + REBOOT_TIME);
        self.outbox.link_lost();
        for n in 1..=self.connectors.len() as u32 {
            let i = n as usize - 1;
            self.connectors[i].authorized = None;
            self.connectors[i].reservation = None;
            self.connectors[i].status = self.connectors[i].derived_status();
        }
    }

    pub(super) fn reserve(&mut self, req: ReserveNowRequest, now: Instant) -> ReserveNowResponse {
        let reply = |status| ReserveNowResponse { status };
        if req.connector_id == 0 && !self.config.flag("ReserveConnectorZeroSupported") {
            return reply(ReservationStatus::Rejected);
        }
        let Some(i) = self.connector_index(req.connector_id) else {
            return reply(ReservationStatus::Rejected);
        };
        let c = &self.connectors[i];
        let same = c
            .reservation
            .as_ref()
            .is_some_and(|r| r.id == req.reservation_id);
        let status = if c.fault.is_some() {
            ReservationStatus::Faulted
        } else if !c.operative {
            ReservationStatus::Unavailable
        } else if c.in_transaction
            || c.plugged
            || c.authorized.is_some()
            || (c.reservation.is_some() && !same)
        {
            ReservationStatus::Occupied
        } else {
            ReservationStatus::Accepted
        };
        if status == ReservationStatus::Accepted {
            let wait = until(req.expiry_date);
            self.schedule(now + wait, Job::ReservationExpires(req.reservation_id));
            self.connector_event(
                req.connector_id,
                Event::Reserve(Reservation {
                    id: req.reservation_id,
                    id_tag: req.id_tag,
                }),
                now,
            );
        }
        reply(status)
    }

    pub(super) fn cancel_reservation(
        &mut self,
        req: CancelReservationRequest,
        now: Instant,
    ) -> CancelReservationResponse {
        let status = if self.end_reservation(req.reservation_id, now) {
            CancelReservationStatus::Accepted
        } else {
            CancelReservationStatus::Rejected
        };
        CancelReservationResponse { status }
    }

    /// Ends a reservation (cancelled or expired); returns whether it existed.
    pub(super) fn end_reservation(&mut self, id: i32, now: Instant) -> bool {
        let found = self
            .connectors
            .iter()
            .position(|c| c.reservation.as_ref().is_some_and(|r| r.id == id));
        match found {
            Some(i) => {
                self.connector_event(i as u32 + 1, Event::EndReservation, now);
                true
            }
            None => false,
        }
    }
}
