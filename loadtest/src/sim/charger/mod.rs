//! One simulated charge point, without I/O: the runner feeds it frames, time and user actions,
//! and sends the frames it produces.
//!
//! - here: the charger's state and the small helpers every part uses;
//! - [`link`]: connection events, frames in and out, the clock (`tick`, `next_wake`);
//! - [`answers`]: the one `match` over central-system CALLs, delegating to
//!   [`remote`] (start/stop, availability, reset, unlock, reservations),
//!   [`settings`] (configuration, local list, cache, data transfer, smart charging),
//!   [`firmware`] (firmware, diagnostics, logs, with their status notifications over time),
//!   [`trigger`] (TriggerMessage, ExtendedTriggerMessage) and [`security`] (certificates);
//! - [`results`]: what the answers to our own CALLs change;
//! - [`sessions`]: connector events, transactions and meter values;
//! - [`actions`]: what a person at the charger does ([`UserOp`]);
//! - [`crashes`]: power losses that forget or remember the open sessions.

mod actions;
mod answers;
mod crashes;
mod firmware;
mod link;
mod remote;
mod results;
mod security;
mod sessions;
mod settings;
#[cfg(test)]
mod tests;
mod trigger;

use super::auth::LocalAuth;
use super::config::Config;
use super::connector::Connector;
use super::crash::Crasher;
use super::driver::Driver;
use super::meter::Meter;
use super::models::Model;
use super::outbox::Outbox;
use super::smart::Profiles;
use crate::metrics::Metrics;
use chrono::{DateTime, Utc};
use csms::ocpp::types::{CiString, IdToken, Timestamp};
use csms::ocpp::v16::boot_notification::{BootNotificationRequest, RegistrationStatus};
use csms::ocpp::v16::common::{CertificateHashData, CertificateUse, MeterValue};
use csms::ocpp::v16::diagnostics_status_notification::DiagnosticsStatus;
use csms::ocpp::v16::firmware_status_notification::FirmwareStatus;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a reboot keeps the charger off the network.
pub const REBOOT_TIME: Duration = Duration::from_secs(3);
/// Wait before retrying a BootNotification when the server gave interval 0.
pub const DEFAULT_BOOT_RETRY: Duration = Duration::from_secs(30);
/// Most recent events kept for the control API.
const RECENT: usize = 30;
/// Longest the charger schedules anything ahead (a date far away from the server is capped).
const MAX_WAIT: Duration = Duration::from_secs(30 * 86_400);

/// Time from now until `at` (zero if past, at most [`MAX_WAIT`]).
fn until(at: Timestamp) -> Duration {
    (at.0 - chrono::Utc::now())
        .to_std()
        .unwrap_or_default()
        .min(MAX_WAIT)
}

/// How to build a charger.
#[derive(Debug, Clone)]
pub struct Options {
    pub id: String,
    pub model: &'static Model,
    /// Use this heartbeat interval instead of the one the server gives (load runs).
    pub heartbeat_override: Option<u32>,
    /// Seed of the charger's randomness (meter start, cars).
    pub seed: u64,
    /// Keep a log of recent events (for the control API and the console).
    pub log_events: bool,
}

/// A running transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Our id until the server gives its own (negative).
    pub local_tx: i32,
    pub id_tag: IdToken,
    pub started: DateTime<Utc>,
    pub meter_start: i64,
    /// The Transaction.Begin sample, sent again in StopTransaction's transactionData.
    pub begin: MeterValue,
    next_sample: Option<Instant>,
}

/// Something the charger does later by itself.
#[derive(Debug, Clone, PartialEq)]
enum Job {
    Firmware(FirmwareStatus),
    SignedFirmware(
        csms::ocpp::v16::signed_firmware_status_notification::SignedFirmwareStatus,
        i32,
    ),
    Diagnostics(DiagnosticsStatus),
    Log(
        csms::ocpp::v16::log_status_notification::UploadLogStatus,
        i32,
    ),
    /// Install the new firmware version and reboot.
    Reboot(Option<String>),
    ReservationExpires(i32),
    ConnectionTimeout(u32),
}

pub struct Charger {
    pub id: String,
    pub model: &'static Model,
    pub firmware: String,
    pub config: Config,
    /// Connector `n` is at index `n - 1`; likewise `meters` and `sessions`.
    pub connectors: Vec<Connector>,
    pub meters: Vec<Meter>,
    pub sessions: Vec<Option<Session>>,
    pub profiles: Profiles,
    pub auth: LocalAuth,
    pub certificates: Vec<(CertificateUse, CertificateHashData)>,
    /// None until a BootNotification was answered.
    pub registration: Option<RegistrationStatus>,
    pub online: bool,
    /// Offline by the user's choice (control API).
    pub user_offline: bool,
    pub firmware_status: FirmwareStatus,
    pub diagnostics_status: DiagnosticsStatus,
    pub driver: Option<Driver>,
    /// When the charger crashes by itself (load runs).
    pub crasher: Option<Crasher>,
    pub metrics: Arc<Metrics>,
    outbox: Outbox,
    jobs: Vec<(Instant, Job)>,
    down_until: Option<Instant>,
    next_boot: Option<Instant>,
    last_sent: Instant,
    last_tick: Instant,
    answered_since_connect: bool,
    /// A crash broke the link: the runner drops the socket without a close handshake.
    link_broken: bool,
    heartbeat_override: Option<u32>,
    next_local_tx: i32,
    rng: StdRng,
    log_events: bool,
    recent: VecDeque<String>,
    fresh: Vec<String>,
}

impl Charger {
    pub fn new(options: Options, metrics: Arc<Metrics>, now: Instant) -> Charger {
        use rand::Rng;
        let mut rng = StdRng::seed_from_u64(options.seed);
        let n = options.model.connectors as usize;
        let mut config = Config::new(options.model.connectors);
        if let Some(secs) = options.heartbeat_override {
            config.force("HeartbeatInterval", &secs.to_string());
        }
        let meters = (0..n)
            .map(|_| Meter::new(rng.random_range(1_000.0..500_000.0_f64).floor()))
            .collect();
        Charger {
            id: options.id,
            model: options.model,
            firmware: options.model.firmware.to_owned(),
            config,
            connectors: vec![Connector::default(); n],
            meters,
            sessions: vec![None; n],
            profiles: Profiles::default(),
            auth: LocalAuth::default(),
            certificates: Vec::new(),
            registration: None,
            online: false,
            user_offline: false,
            firmware_status: FirmwareStatus::Idle,
            diagnostics_status: DiagnosticsStatus::Idle,
            driver: None,
            crasher: None,
            metrics,
            outbox: Outbox::default(),
            jobs: Vec::new(),
            down_until: None,
            next_boot: Some(now),
            last_sent: now,
            last_tick: now,
            answered_since_connect: false,
            link_broken: false,
            heartbeat_override: options.heartbeat_override,
            next_local_tx: -1,
            rng,
            log_events: options.log_events,
            recent: VecDeque::new(),
            fresh: Vec::new(),
        }
    }

    pub fn is_accepted(&self) -> bool {
        self.registration == Some(RegistrationStatus::Accepted)
    }

    /// Connected, accepted, at least one CALL answered since connecting, nothing waiting.
    pub fn is_settled(&self) -> bool {
        self.online && self.is_accepted() && self.answered_since_connect && self.outbox.is_idle()
    }

    /// Transaction messages not yet confirmed by the server.
    pub fn durable_pending(&self) -> usize {
        self.outbox.durable_pending()
    }

    /// Nothing queued and nothing in flight.
    pub fn is_idle(&self) -> bool {
        self.outbox.is_idle()
    }

    /// The connector numbered `n` (from 1).
    fn connector_index(&self, n: u32) -> Option<usize> {
        (1..=self.connectors.len() as u32)
            .contains(&n)
            .then(|| n as usize - 1)
    }

    /// The connector running the transaction the server knows as `transaction_id`.
    fn connector_of_transaction(&self, transaction_id: i32) -> Option<u32> {
        self.sessions.iter().enumerate().find_map(|(i, s)| {
            let s = s.as_ref()?;
            let id = self.outbox.server_id(s.local_tx).unwrap_or(s.local_tx);
            (id == transaction_id).then_some(i as u32 + 1)
        })
    }

    /// The server's id of the transaction on connector `n`, once known.
    pub fn transaction_id(&self, n: u32) -> Option<i32> {
        let s = self.sessions.get(n.checked_sub(1)? as usize)?.as_ref()?;
        Some(self.outbox.server_id(s.local_tx).unwrap_or(s.local_tx))
    }

    fn boot_request(&self) -> BootNotificationRequest {
        let serial = |prefix: &str| CiString::truncate(&format!("{prefix}-{}", self.id));
        BootNotificationRequest {
            charge_box_serial_number: Some(serial("CB")),
            charge_point_model: CiString::truncate(self.model.model),
            charge_point_serial_number: Some(serial("SN")),
            charge_point_vendor: CiString::truncate(self.model.vendor),
            firmware_version: Some(CiString::truncate(&self.firmware)),
            iccid: None,
            imsi: None,
            meter_serial_number: Some(serial("M")),
            meter_type: Some(CiString::truncate(self.model.meter_type)),
        }
    }

    fn schedule(&mut self, at: Instant, job: Job) {
        self.jobs.push((at, job));
    }

    /// Records an event for the control API and the console.
    fn note(&mut self, text: impl Into<String>) {
        if !self.log_events {
            return;
        }
        let line = format!("{} {}", Timestamp::now(), text.into());
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(line.clone());
        self.fresh.push(line);
    }

    /// Events since the last call (the runner prints them).
    pub fn take_events(&mut self) -> Vec<String> {
        std::mem::take(&mut self.fresh)
    }

    /// A snapshot for the control API.
    pub fn view(&self) -> ChargerView {
        ChargerView {
            id: self.id.clone(),
            vendor: self.model.vendor,
            model: self.model.model,
            firmware: self.firmware.clone(),
            online: self.online,
            registration: self.registration.map(|r| r.as_str()).unwrap_or("NotBooted"),
            queued_transaction_messages: self.outbox.durable_pending(),
            connectors: (1..=self.connectors.len() as u32)
                .map(|n| self.connector_view(n))
                .collect(),
            recent: self.recent.iter().cloned().collect(),
        }
    }

    fn connector_view(&self, n: u32) -> ConnectorView {
        let i = n as usize - 1;
        let c = &self.connectors[i];
        let m = &self.meters[i];
        let session = self.sessions[i].as_ref();
        ConnectorView {
            connector: n,
            status: c.status.as_str(),
            error_code: c.error_code().as_str(),
            plugged: c.plugged,
            transaction_id: self.transaction_id(n),
            id_tag: session.map(|s| s.id_tag.to_string()),
            session_wh: session.map(|s| m.wh() - s.meter_start),
            power_w: m.power_w.round(),
            soc_percent: m.ev.as_ref().map(|ev| ev.soc_percent.floor()),
            meter_wh: m.wh(),
        }
    }
}

/// A charger as the control API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ChargerView {
    pub id: String,
    pub vendor: &'static str,
    pub model: &'static str,
    pub firmware: String,
    pub online: bool,
    pub registration: &'static str,
    pub queued_transaction_messages: usize,
    pub connectors: Vec<ConnectorView>,
    pub recent: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConnectorView {
    pub connector: u32,
    pub status: &'static str,
    pub error_code: &'static str,
    pub plugged: bool,
    pub transaction_id: Option<i32>,
    pub id_tag: Option<String>,
    pub session_wh: Option<i64>,
    pub power_w: f64,
    pub soc_percent: Option<f64>,
    pub meter_wh: i64,
}
