//! The burst scenario: each charger boots, starts a transaction, then sends MeterValues as fast
//! as answers come (keeping `in_flight` CALLs outstanding) or at a fixed interval, and finally
//! stops its transaction. Lean on purpose: it measures the server, not a simulation.

use crate::metrics::Metrics;
use crate::net::{self, Ws};
use csms::ocpp::frame::Frame;
use csms::ocpp::types::{CiString, IdToken, LenientString, Timestamp};
use csms::ocpp::v16::boot_notification::BootNotificationRequest;
use csms::ocpp::v16::common::{Measurand, MeterValue, SampledValue, UnitOfMeasure};
use csms::ocpp::v16::meter_values::MeterValuesRequest;
use csms::ocpp::v16::start_transaction::StartTransactionRequest;
use csms::ocpp::v16::status_notification::{
    ChargePointErrorCode, ChargePointStatus, StatusNotificationRequest,
};
use csms::ocpp::v16::stop_transaction::{Reason, StopTransactionRequest};
use csms::ocpp::v16::Request;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Longest wait for any single answer before the session gives up.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// The id tag burst chargers start with.
pub const TAG: &str = "LOADTEST";

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
}

/// Runs one burst charger; failures are counted in `metrics`.
pub async fn run(burst: &Burst, id: &str, source: Option<SocketAddr>, metrics: &Metrics) {
    let mut ws = match net::connect(&burst.url, id, source).await {
        Ok(ws) => ws,
        Err(e) => {
            metrics.failed.fetch_add(1, Ordering::Relaxed);
            metrics.session_error(&format!("connect: {e}"));
            return;
        }
    };
    metrics.connected.fetch_add(1, Ordering::Relaxed);
    let mut line = Line {
        ws: &mut ws,
        metrics,
        next_id: 0,
        waiting: VecDeque::new(),
    };
    if let Err(e) = session(&mut line, burst).await {
        metrics.session_error(&e);
    }
    let _ = ws.close(None).await;
    metrics.connected.fetch_sub(1, Ordering::Relaxed);
}

/// A CALL waiting for its answer.
struct Waiting {
    id: String,
    action: &'static str,
    sent: Instant,
    /// Meter value rows it carries (for the data check).
    rows: usize,
}

/// Sends CALLs and matches answers (they come back in order).
struct Line<'a> {
    ws: &'a mut Ws,
    metrics: &'a Metrics,
    next_id: u64,
    waiting: VecDeque<Waiting>,
}

impl Line<'_> {
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
        self.ws
            .send(Message::text(text))
            .await
            .map_err(|e| e.to_string())?;
        self.waiting.push_back(Waiting {
            id,
            action: R::ACTION,
            sent: Instant::now(),
            rows,
        });
        self.metrics.sent();
        Ok(())
    }

    /// Waits for the next answer; returns its CALL and payload (None for a CALLERROR).
    async fn answer(&mut self) -> Result<(Waiting, Option<Value>), String> {
        loop {
            let next = tokio::time::timeout(ANSWER_TIMEOUT, self.ws.next())
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
                    self.ws
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

async fn session(line: &mut Line<'_>, burst: &Burst) -> Result<(), String> {
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
    line.send(&boot, 0).await?;
    line.answer().await?;
    let status = StatusNotificationRequest {
        connector_id: 1,
        error_code: ChargePointErrorCode::NoError,
        info: None,
        status: ChargePointStatus::Charging,
        timestamp: None,
        vendor_id: None,
        vendor_error_code: None,
    };
    line.send(&status, 0).await?;
    line.answer().await?;
    let meter_start = 1000;
    let start = StartTransactionRequest {
        connector_id: 1,
        id_tag: IdToken::truncate(TAG),
        meter_start,
        reservation_id: None,
        timestamp: Timestamp::now(),
    };
    line.send(&start, 0).await?;
    let (_, started) = line.answer().await?;
    let transaction_id = started
        .as_ref()
        .and_then(|p| p["transactionId"].as_i64())
        .and_then(|t| i32::try_from(t).ok())
        .ok_or("StartTransaction without a transactionId")?;
    line.metrics.confirmed_start();

    let deadline = Instant::now() + burst.duration;
    let mut meter = meter_start;
    for _ in 0..burst.in_flight.max(1) {
        meter += 10;
        line.send(&meter_values(transaction_id, meter), 1).await?;
    }
    while !line.waiting.is_empty() {
        let (done, payload) = line.answer().await?;
        if done.action == MeterValuesRequest::ACTION && payload.is_some() {
            line.metrics.confirmed_meter_rows(done.rows);
        }
        if Instant::now() < deadline {
            if !burst.interval.is_zero() {
                tokio::time::sleep(burst.interval).await;
            }
            meter += 10;
            line.send(&meter_values(transaction_id, meter), 1).await?;
        }
    }
    let stop = StopTransactionRequest {
        id_tag: None,
        meter_stop: meter,
        timestamp: Timestamp::now(),
        transaction_id,
        reason: Some(Reason::Local),
        transaction_data: None,
    };
    line.send(&stop, 0).await?;
    let (_, stopped) = line.answer().await?;
    if stopped.is_some() {
        line.metrics.confirmed_stop(0);
    }
    Ok(())
}
