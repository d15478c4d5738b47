//! The charger's side of the connection: connect and disconnect, frames in and out, and the
//! clock that drives heartbeats, boot retries, meter values and scheduled jobs.

use super::{Charger, Job, DEFAULT_BOOT_RETRY};
use crate::sim::outbox::{is_durable, InFlight, Purpose};
use csms::ocpp::frame::{CallError, ErrorCode, Frame, FrameError};
use csms::ocpp::v16::boot_notification::RegistrationStatus;
use csms::ocpp::v16::heartbeat::HeartbeatRequest;
use csms::ocpp::v16::ChargerCall;
use std::time::{Duration, Instant};

/// Longest sleep while a session runs, so power and state of charge stay current.
const CHARGING_TICK: Duration = Duration::from_secs(15);
/// Longest sleep at all.
const IDLE_TICK: Duration = Duration::from_secs(3600);

impl Charger {
    /// Whether the charger wants a connection now (not offline by choice, not rebooting).
    pub fn wants_link(&self, now: Instant) -> bool {
        !self.user_offline && self.down_until.is_none_or(|t| now >= t)
    }

    /// A connection was opened.
    pub fn connected(&mut self, now: Instant) {
        self.online = true;
        self.answered_since_connect = false;
        self.last_sent = now;
        if self.is_accepted() {
            // Known and accepted: no new boot, just the current statuses after the replay.
            self.note("reconnected");
            self.push_all_statuses();
        } else if self.registration != Some(RegistrationStatus::Rejected)
            || self.next_boot.is_none_or(|t| t <= now)
        {
            self.note("connected, booting");
            self.queue_boot();
        }
    }

    /// The connection is gone (closed, dropped, or left on purpose).
    pub fn disconnected(&mut self, _now: Instant) {
        if self.online {
            self.note("connection lost; charging goes on, transaction messages are queued");
        }
        self.online = false;
        self.outbox.link_lost();
    }

    /// Handles one text frame from the server; returns the frames to send back at once.
    pub fn receive(&mut self, text: &str, now: Instant) -> Vec<String> {
        self.catch_up(now);
        match Frame::parse(text) {
            Ok(Frame::Call {
                id,
                action,
                payload,
            }) => vec![self.answer_frame(id, &action, &payload, now)],
            Ok(Frame::CallResult { id, payload }) => {
                if let Some(done) = self.outbox.answered(&id) {
                    self.answered_since_connect = true;
                    self.metrics
                        .answered(now.saturating_duration_since(done.sent_at), None);
                    self.on_result(done, &payload, now);
                }
                Vec::new()
            }
            Ok(Frame::CallError(e)) => {
                if let Some(done) = self.outbox.answered(&e.id) {
                    self.answered_since_connect = true;
                    self.metrics.answered(
                        now.saturating_duration_since(done.sent_at),
                        Some(e.code.as_str()),
                    );
                    self.note(format!(
                        "{} answered {}: {}",
                        done.out.call.action(),
                        e.code,
                        e.description
                    ));
                    self.failed(done, now);
                }
                Vec::new()
            }
            Err(FrameError::Reply(e)) => vec![Frame::CallError(e).to_text()],
            Err(FrameError::Ignore(_)) => Vec::new(),
        }
    }

    fn answer_frame(
        &mut self,
        id: String,
        action: &str,
        payload: &serde_json::Value,
        now: Instant,
    ) -> String {
        match crate::sim::calls::CsCall::decode(action, payload) {
            Ok(call) => match self.answer(call, now) {
                Ok(payload) => Frame::CallResult { id, payload }.to_text(),
                Err(description) => {
                    Frame::CallError(CallError::new(id, ErrorCode::InternalError, description))
                        .to_text()
                }
            },
            Err(e) => Frame::CallError(CallError::new(id, e.code, e.description)).to_text(),
        }
    }

    /// The next CALL to send, if one may leave now.
    pub fn poll_send(&mut self, now: Instant) -> Option<String> {
        if !self.online {
            return None;
        }
        let (text, _) = self.outbox.next(now, self.is_accepted())?;
        self.last_sent = now;
        self.metrics.sent();
        Some(text)
    }

    /// A CALL of ours failed (CALLERROR or no answer): durable ones are retried.
    pub(super) fn failed(&mut self, done: InFlight, now: Instant) {
        let retry = Duration::from_secs(u64::from(
            self.config.int("TransactionMessageRetryInterval"),
        ));
        let attempts = self.config.int("TransactionMessageAttempts");
        let action = done.out.call.action();
        let durable = is_durable(&done.out.call);
        if !self.outbox.retry(done, now + retry, attempts) && durable {
            self.metrics
                .session_error("transaction message given up after its attempts");
            self.note(format!("{action} given up after {attempts} attempts"));
        }
        if action == "BootNotification" {
            self.next_boot = Some(now + DEFAULT_BOOT_RETRY);
        }
    }

    /// Advances the clock: meters, timers, retries, jobs, drivers, crashes.
    pub fn tick(&mut self, now: Instant) {
        self.catch_up(now);
        if let Some(lost) = self.outbox.timed_out(now) {
            self.metrics.call_error("Timeout");
            self.note(format!("{} not answered in time", lost.out.call.action()));
            self.failed(lost, now);
        }
        if self.online {
            self.heartbeat_and_boot(now);
        }
        self.run_jobs(now);
        self.drive(now);
        self.crash_if_due(now);
        if self.down_until.is_some_and(|t| now >= t) {
            self.down_until = None;
        }
    }

    /// Runs the meters up to `now`. Every entry point calls it first, so that a session
    /// started and stopped between two ticks still records its energy.
    pub(super) fn catch_up(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last_tick);
        self.last_tick = now.max(self.last_tick);
        self.advance_meters(elapsed, now);
    }

    fn heartbeat_and_boot(&mut self, now: Instant) {
        if self.is_accepted() {
            let interval = Duration::from_secs(u64::from(self.config.int("HeartbeatInterval")));
            let due = !interval.is_zero() && now >= self.last_sent + interval;
            if due && !self.outbox.has(|c| matches!(c, ChargerCall::Heartbeat(_))) {
                self.outbox
                    .push(ChargerCall::Heartbeat(HeartbeatRequest {}), Purpose::Plain);
            }
        } else if self.next_boot.is_some_and(|t| now >= t) {
            self.queue_boot();
        }
    }

    pub(super) fn queue_boot(&mut self) {
        self.next_boot = None;
        if !self
            .outbox
            .has(|c| matches!(c, ChargerCall::BootNotification(_)))
        {
            self.outbox
                .push_front(ChargerCall::BootNotification(self.boot_request()));
        }
    }

    fn run_jobs(&mut self, now: Instant) {
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.jobs)
            .into_iter()
            .partition(|(at, _)| *at <= now);
        self.jobs = later;
        for (_, job) in due {
            self.run_job(job, now);
        }
    }

    fn run_job(&mut self, job: Job, now: Instant) {
        match job {
            Job::Firmware(status) => self.firmware_step(status, now),
            Job::SignedFirmware(status, request_id) => {
                self.signed_firmware_step(status, request_id, now)
            }
            Job::Diagnostics(status) => self.diagnostics_step(status, now),
            Job::Log(status, request_id) => self.log_step(status, request_id, now),
            Job::Reboot(firmware) => {
                if let Some(version) = firmware {
                    self.firmware = version;
                }
                self.reboot(now);
            }
            Job::ReservationExpires(id) => {
                self.end_reservation(id, now);
            }
            Job::ConnectionTimeout(n) => {
                self.connector_event(n, crate::sim::connector::Event::ConnectionTimeout, now)
            }
        }
    }

    /// When the charger next needs `tick`.
    pub fn next_wake(&self, now: Instant) -> Instant {
        let mut wake = now + IDLE_TICK;
        let mut consider = |t: Option<Instant>| {
            if let Some(t) = t {
                wake = wake.min(t);
            }
        };
        consider(self.outbox.deadline());
        if self.online && self.outbox.in_flight().is_none() {
            consider(self.outbox.retry_at());
        }
        consider(self.down_until);
        consider(self.jobs.iter().map(|(t, _)| *t).min());
        consider(self.driver.as_ref().and_then(|d| d.next_wake()));
        consider(self.crasher.as_ref().and_then(|c| c.next_wake()));
        if self.online {
            let heartbeat_waiting = self.outbox.has(|c| matches!(c, ChargerCall::Heartbeat(_)));
            if self.is_accepted() && !heartbeat_waiting {
                let interval = u64::from(self.config.int("HeartbeatInterval"));
                if interval > 0 {
                    consider(Some(self.last_sent + Duration::from_secs(interval)));
                }
            } else if !self.is_accepted() {
                consider(self.next_boot);
            }
        }
        for s in self.sessions.iter().flatten() {
            consider(s.next_sample);
            consider(Some(now + CHARGING_TICK));
        }
        wake.max(now)
    }
}
