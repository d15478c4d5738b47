//! The burst scenario: each charger boots, starts a transaction, then sends MeterValues as fast
//! as answers come (keeping `in_flight` CALLs outstanding) or at a fixed interval, and finally
//! stops its transaction. Lean on purpose: it measures the server, not a simulation.
//!
//! With crashes (`--crash-every`) a charger loses its socket mid-session without a close
//! handshake, reconnects, boots and starts a new transaction with the same tag. One that
//! forgets leaves the old transaction to the server; one that remembers first sends the
//! MeterValues that were not answered and StopTransaction (PowerLoss) for it.

use crate::metrics::Metrics;
use crate::net::{self, Ws};
use crate::sim::crash::{Crash, CrashPlan, Crasher};
use csms::ocpp::frame::Frame;
use csms::ocpp::types::{CiString, IdToken, LenientString, Timestamp};
use csms::ocpp::v16::boot_notification::BootNotificationRequest;
use csms::ocpp::v16::common::{
    AuthorizationStatus, Measurand, MeterValue, SampledValue, UnitOfMeasure,
};
use csms::ocpp::v16::meter_values::MeterValuesRequest;
use csms::ocpp::v16::start_transaction::StartTransactionRequest;
use csms::ocpp::v16::status_notification::{
    ChargePointErrorCode, ChargePointStatus, StatusNotificationRequest,
};
use csms::ocpp::v16::stop_transaction::{Reason, StopTransactionRequest};
use csms::ocpp::v16::Request;
use futures_util::{SinkExt, StreamExt};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Longest wait for any single answer before the session gives up.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// The id tag burst chargers start with (unknown to the server) without the ghost check.
pub const TAG: &str = "LOADTEST";
/// Attempts to connect again after a crash.
const RECONNECTS: u32 = 10;
/// Wait between them.
const RECONNECT_WAIT: Duration = Duration::from_millis(200);

/// How each burst charger behaves.
#[derive(Debug, Clone)]
pub struct Burst {
    pub url: String,
    /// Seconds of MeterValues once the transaction started.
    pub duration: Duration,
    /// CALLs kept outstanding (real chargers: 1).
    pub in_flight: usize,
    /// Pause between MeterValues (zero: as fast as answers come).
    pub interval: Duration,
    pub crashes: Option<CrashPlan>,
}

/// Runs one burst charger presenting `tag`; failures are counted in `metrics`. Returns the
/// transaction it still holds if its StopTransaction was not confirmed.
pub async fn run(
    burst: &Burst,
    id: &str,
    tag: &str,
    source: Option<SocketAddr>,
    metrics: &Metrics,
) -> Option<i32> {
    let ws = match net::connect(&burst.url, id, source).await {
        Ok(ws) => ws,
        Err(e) => {
            metrics.failed.fetch_add(1, Ordering::Relaxed);
            metrics.session_error(&format!("connect: {e}"));
            return None;
        }
    };
    metrics.connected.fetch_add(1, Ordering::Relaxed);
    let mut line = Line {
        ws: Some(ws),
        metrics,
        next_id: 0,
        waiting: VecDeque::new(),
    };
    let mut held = None;
    let mut charger = Charger {
        burst,
        id,
        tag,
        source,
        rng: StdRng::from_os_rng(),
        held: &mut held,
    };
    if let Err(e) = charger.session(&mut line).await {
        metrics.session_error(&e);
    }
    if let Some(mut ws) = line.ws.take() {
        let _ = ws.close(None).await;
        metrics.connected.fetch_sub(1, Ordering::Relaxed);
    }
    held
}

/// A CALL waiting for its answer.
struct Waiting {
    id: String,
    action: &'static str,
    sent: Instant,
    /// Meter value rows it carries (for the data check).
    rows: usize,
    /// For MeterValues: the transaction and reading, to send it again after a crash.
    reading: Option<(i32, i64)>,
}

/// Sends CALLs and matches answers (they come back in order).
struct Line<'a> {
    /// None between a crash and the new connection.
    ws: Option<Ws>,
    metrics: &'a Metrics,
    next_id: u64,
    waiting: VecDeque<Waiting>,
}

impl Line<'_> {
    fn ws(&mut self) -> Result<&mut Ws, String> {
        self.ws.as_mut().ok_or_else(|| "not connected".to_owned())
    }

    async fn send<R: Request>(&mut self, request: &R, rows: usize) -> Result<(), String> {
        self.next_id += 1;
        let id = self.next_id.to_string();
        let payload = serde_json::to_value(request).map_err(|e| e.to_string())?;
        let text = Frame::Call {
            id: id.clone(),
            action: R::ACTION.to_owned(),
            payload,
        }
        .to_text();
        self.ws()?
            .send(Message::text(text))
            .await
            .map_err(|e| e.to_string())?;
        self.waiting.push_back(Waiting {
            id,
            action: R::ACTION,
            sent: Instant::now(),
            rows,
            reading: None,
        });
        self.metrics.sent();
        Ok(())
    }

    async fn send_reading(&mut self, transaction_id: i32, wh: i64) -> Result<(), String> {
        self.send(&meter_values(transaction_id, wh), 1).await?;
        if let Some(w) = self.waiting.back_mut() {
            w.reading = Some((transaction_id, wh));
        }
        Ok(())
    }

    /// Waits for the next answer; returns its CALL and payload (None for a CALLERROR).
    async fn answer(&mut self) -> Result<(Waiting, Option<Value>), String> {
        loop {
            let next = tokio::time::timeout(ANSWER_TIMEOUT, self.ws()?.next())
                .await
                .map_err(|_| "no answer in 30 s")?;
            let text = match next {
                Some(Ok(Message::Text(t))) => t,
                Some(Ok(Message::Close(f))) => return Err(format!("closed by server: {f:?}")),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.to_string()),
                None => return Err("connection ended".into()),
            };
            let frame = match Frame::parse(&text) {
                Ok(frame) => frame,
                Err(e) => return Err(format!("bad frame from server: {e:?}")),
            };
            let (id, payload, error) = match frame {
                Frame::Call { id, .. } => {
                    // A CALL from the server: a generic acceptance keeps it happy.
                    let reply = Frame::CallResult {
                        id,
                        payload: json!({"status": "Accepted"}),
                    };
                    self.ws()?
                        .send(Message::text(reply.to_text()))
                        .await
                        .map_err(|e| e.to_string())?;
                    continue;
                }
                Frame::CallResult { id, payload } => (id, Some(payload), None),
                Frame::CallError(e) => (e.id, None, Some(e.code)),
            };
            let Some(waiting) = self.waiting.pop_front() else {
                continue;
            };
            if id != waiting.id {
                return Err(format!(
                    "answer {id} out of order (expected {})",
                    waiting.id
                ));
            }
            self.metrics
                .answered(waiting.sent.elapsed(), error.map(|c| c.as_str()));
            return Ok((waiting, payload));
        }
    }

    /// Sends `request` and waits for its answer (nothing else in flight).
    async fn call<R: Request>(
        &mut self,
        request: &R,
        rows: usize,
    ) -> Result<Option<Value>, String> {
        self.send(request, rows).await?;
        Ok(self.answer().await?.1)
    }
}

fn meter_values(transaction_id: i32, wh: i64) -> MeterValuesRequest {
    MeterValuesRequest {
        connector_id: 1,
        transaction_id: Some(transaction_id),
        meter_value: vec![MeterValue {
            timestamp: Timestamp::now(),
            sampled_value: vec![SampledValue {
                value: LenientString(wh.to_string()),
                context: None,
                format: None,
                measurand: Some(Measurand::EnergyActiveImportRegister),
                phase: None,
                location: None,
                unit: Some(UnitOfMeasure::Wh),
            }],
        }],
    }
}

fn stop(transaction_id: i32, meter_stop: i64, reason: Reason) -> StopTransactionRequest {
    StopTransactionRequest {
        id_tag: None,
        meter_stop,
        timestamp: Timestamp::now(),
        transaction_id,
        reason: Some(reason),
        transaction_data: None,
    }
}

/// One burst charger's session and what it must remember.
struct Charger<'a> {
    burst: &'a Burst,
    id: &'a str,
    tag: &'a str,
    source: Option<SocketAddr>,
    rng: StdRng,
    /// The transaction open at the server for this charger (None once stopped).
    held: &'a mut Option<i32>,
}

impl Charger<'_> {
    async fn session(&mut self, line: &mut Line<'_>) -> Result<(), String> {
        let mut meter = 1000;
        self.boot(line).await?;
        let mut transaction_id = self.start(line, meter).await?;
        let mut crasher = self
            .burst
            .crashes
            .map(|plan| Crasher::new(plan, Instant::now(), &mut self.rng));
        let deadline = Instant::now() + self.burst.duration;
        for _ in 0..self.burst.in_flight.max(1) {
            meter += 10;
            line.send_reading(transaction_id, meter).await?;
        }
        while !line.waiting.is_empty() {
            let (done, payload) = line.answer().await?;
            if done.action == MeterValuesRequest::ACTION && payload.is_some() {
                line.metrics.confirmed_meter_rows(done.rows);
            }
            let now = Instant::now();
            if now >= deadline {
                continue;
            }
            let crash = crasher
                .as_mut()
                .and_then(|c| c.due(now, true, &mut self.rng));
            let mut sends = 1;
            if let Some(kind) = crash {
                transaction_id = self.crash(line, kind, transaction_id, meter).await?;
                sends = self.burst.in_flight.max(1);
            } else if !self.burst.interval.is_zero() {
                tokio::time::sleep(self.burst.interval).await;
            }
            for _ in 0..sends {
                meter += 10;
                line.send_reading(transaction_id, meter).await?;
            }
        }
        let stopped = line
            .call(&stop(transaction_id, meter, Reason::Local), 0)
            .await?;
        if stopped.is_some() {
            line.metrics.confirmed_stop(0);
            *self.held = None;
        }
        Ok(())
    }

    /// BootNotification.
    async fn boot(&mut self, line: &mut Line<'_>) -> Result<(), String> {
        let boot = BootNotificationRequest {
            charge_box_serial_number: None,
            charge_point_model: CiString::truncate("LT-1"),
            charge_point_serial_number: None,
            charge_point_vendor: CiString::truncate("LoadTest"),
            firmware_version: None,
            iccid: None,
            imsi: None,
            meter_serial_number: None,
            meter_type: None,
        };
        line.call(&boot, 0).await.map(|_| ())
    }

    /// Reports the connector Charging and starts a transaction at `meter`; returns its id.
    async fn start(&mut self, line: &mut Line<'_>, meter: i64) -> Result<i32, String> {
        let status = StatusNotificationRequest {
            connector_id: 1,
            error_code: ChargePointErrorCode::NoError,
            info: None,
            status: ChargePointStatus::Charging,
            timestamp: None,
            vendor_id: None,
            vendor_error_code: None,
        };
        line.call(&status, 0).await?;
        let start = StartTransactionRequest {
            connector_id: 1,
            id_tag: IdToken::truncate(self.tag),
            meter_start: meter,
            reservation_id: None,
            timestamp: Timestamp::now(),
        };
        let started = line.call(&start, 0).await?;
        let transaction_id = started
            .as_ref()
            .and_then(|p| p["transactionId"].as_i64())
            .and_then(|t| i32::try_from(t).ok())
            .ok_or("StartTransaction without a transactionId")?;
        let status = started
            .as_ref()
            .and_then(|p| p["idTagInfo"]["status"].as_str())
            .unwrap_or("?");
        if status != AuthorizationStatus::Accepted.as_str() {
            line.metrics.refused("StartTransaction", status);
        }
        line.metrics.confirmed_start();
        *self.held = Some(transaction_id);
        Ok(transaction_id)
    }

    /// The power goes: the socket is dropped without a close frame; the charger connects
    /// again and boots; remembering, it delivers the MeterValues left unanswered and stops
    /// the old transaction (PowerLoss); forgetting, it leaves that to the server. Then it
    /// starts a new transaction; returns its id.
    async fn crash(
        &mut self,
        line: &mut Line<'_>,
        kind: Crash,
        old: i32,
        meter: i64,
    ) -> Result<i32, String> {
        line.metrics.crashed(kind.as_str());
        let unanswered: Vec<(i32, i64)> =
            line.waiting.drain(..).filter_map(|w| w.reading).collect();
        line.ws = None;
        line.ws = Some(self.reconnect(line.metrics).await?);
        self.boot(line).await?;
        match kind {
            Crash::Forget => *self.held = None,
            Crash::Remember => {
                for (tx, wh) in unanswered {
                    line.send_reading(tx, wh).await?;
                    let (done, payload) = line.answer().await?;
                    if payload.is_some() {
                        line.metrics.confirmed_meter_rows(done.rows);
                    }
                }
                if line
                    .call(&stop(old, meter, Reason::PowerLoss), 0)
                    .await?
                    .is_some()
                {
                    line.metrics.confirmed_stop(0);
                    *self.held = None;
                }
            }
        }
        self.start(line, meter).await
    }

    /// Drops the socket (no close frame) and connects again.
    async fn reconnect(&self, metrics: &Metrics) -> Result<Ws, String> {
        metrics.connected.fetch_sub(1, Ordering::Relaxed);
        let mut last = String::new();
        for _ in 0..RECONNECTS {
            match net::connect(&self.burst.url, self.id, self.source).await {
                Ok(ws) => {
                    metrics.connected.fetch_add(1, Ordering::Relaxed);
                    return Ok(ws);
                }
                Err(e) => last = e,
            }
            tokio::time::sleep(RECONNECT_WAIT).await;
        }
        Err(format!("reconnect after a crash: {last}"))
    }
}
