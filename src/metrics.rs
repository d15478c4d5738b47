//! Prometheus metrics at `GET /metrics`, in the text exposition format.
//!
//! **`/metrics` needs no credentials**, like `/health`: scrapers rarely carry tokens, and the
//! figures name no charger, tag or user. Keep the listener private, or filter `/metrics` at the
//! proxy, if even the counts should stay inside.
//!
//! The hooks are cheap enough for the per-frame path: counters are atomics, and the counters
//! per action and per error code are made once at start and found by `&str` lookup, so
//! counting a frame allocates nothing.
//!
//! | metric | what |
//! |---|---|
//! | `csms_chargers_connected` | open charger connections |
//! | `csms_ocpp_frames_total{direction,type}` | frames in/out: call, result, error, unreadable |
//! | `csms_ocpp_calls_total{direction,action}` | CALLs in/out by action (`other`: unknown) |
//! | `csms_ocpp_call_errors_total{direction,code}` | CALLERRORs in/out by error code |
//! | `csms_ocpp_outstanding_calls` | our CALLs queued or awaiting an answer |
//! | `csms_db_commit_batch_size` | writes per group commit (histogram) |
//! | `csms_db_commit_seconds` | group commit latency (histogram) |
//! | `csms_http_request_duration_seconds{method,route,status}` | HTTP latency (histogram) |
//! | `csms_connection_replacements_total` | connections that replaced an open one of the same id |
//! | `csms_chargers_replacing_themselves` | ids replaced repeatedly of late (two devices, one id?) |
//! | `csms_transactions_ended_by_server_total{reason}` | transactions ended without a StopTransaction |

use crate::ocpp::frame::{ErrorCode, Frame};
use crate::ocpp::v16::{CENTRAL_SYSTEM_ACTIONS, CHARGE_POINT_ACTIONS};
use crate::services::Services;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};
use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

/// The label of actions we do not know (so a charger cannot grow the label set).
const OTHER: &str = "other";

/// Counters of one direction, made once.
struct Direction {
    calls: HashMap<&'static str, IntCounter>,
    other_calls: IntCounter,
    /// call, result, error, unreadable.
    frames: [IntCounter; 4],
    errors: HashMap<&'static str, IntCounter>,
}

impl Direction {
    fn new(
        name: &'static str,
        calls: &IntCounterVec,
        frames: &IntCounterVec,
        errors: &IntCounterVec,
    ) -> Direction {
        let actions = CHARGE_POINT_ACTIONS
            .iter()
            .chain(CENTRAL_SYSTEM_ACTIONS.iter());
        Direction {
            calls: actions
                .map(|a| (*a, calls.with_label_values(&[name, a])))
                .collect(),
            other_calls: calls.with_label_values(&[name, OTHER]),
            frames: ["call", "result", "error", "unreadable"]
                .map(|t| frames.with_label_values(&[name, t])),
            errors: ErrorCode::ALL
                .iter()
                .map(|c| (c.as_str(), errors.with_label_values(&[name, c.as_str()])))
                .collect(),
        }
    }

    fn count(&self, frame: Option<&Frame>) {
        match frame {
            Some(Frame::Call { action, .. }) => {
                self.frames[0].inc();
                self.calls
                    .get(action.as_str())
                    .unwrap_or(&self.other_calls)
                    .inc();
            }
            Some(Frame::CallResult { .. }) => self.frames[1].inc(),
            Some(Frame::CallError(e)) => {
                self.frames[2].inc();
                if let Some(c) = self.errors.get(e.code.as_str()) {
                    c.inc();
                }
            }
            None => self.frames[3].inc(),
        }
    }
}

/// Every metric of the process.
pub struct Metrics {
    registry: Registry,
    connected: IntGauge,
    inbound: Direction,
    outbound: Direction,
    outstanding: IntGauge,
    batch: Histogram,
    commit: Histogram,
    http: HistogramVec,
    replacements: IntCounter,
    replacing: IntGauge,
    ended: IntCounterVec,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

impl Metrics {
    #[allow(clippy::expect_used)] // fixed names and labels: a failure is a bug seen at once
    fn new() -> Metrics {
        let registry = Registry::new();
        let calls = IntCounterVec::new(
            Opts::new(
                "csms_ocpp_calls_total",
                "OCPP CALLs by direction and action",
            ),
            &["direction", "action"],
        )
        .expect("calls metric");
        let frames = IntCounterVec::new(
            Opts::new(
                "csms_ocpp_frames_total",
                "OCPP-J frames by direction and type",
            ),
            &["direction", "type"],
        )
        .expect("frames metric");
        let errors = IntCounterVec::new(
            Opts::new(
                "csms_ocpp_call_errors_total",
                "OCPP CALLERRORs by direction and error code",
            ),
            &["direction", "code"],
        )
        .expect("errors metric");
        let connected = IntGauge::new("csms_chargers_connected", "Open charger connections")
            .expect("connected metric");
        let outstanding = IntGauge::new(
            "csms_ocpp_outstanding_calls",
            "CALLs to chargers queued or awaiting their answer",
        )
        .expect("outstanding metric");
        let batch = Histogram::with_opts(
            HistogramOpts::new("csms_db_commit_batch_size", "Writes per group commit").buckets(
                vec![
                    1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0,
                ],
            ),
        )
        .expect("batch metric");
        let commit = Histogram::with_opts(
            HistogramOpts::new("csms_db_commit_seconds", "Group commit latency")
                .buckets(prometheus::exponential_buckets(0.0005, 2.0, 14).expect("commit buckets")),
        )
        .expect("commit metric");
        let http = HistogramVec::new(
            HistogramOpts::new(
                "csms_http_request_duration_seconds",
                "HTTP request latency by method, route pattern and status",
            )
            .buckets(prometheus::exponential_buckets(0.001, 2.0, 14).expect("http buckets")),
            &["method", "route", "status"],
        )
        .expect("http metric");
        let replacements = IntCounter::new(
            "csms_connection_replacements_total",
            "Charger connections that replaced an open connection of the same charge point id",
        )
        .expect("replacements metric");
        let replacing = IntGauge::new(
            "csms_chargers_replacing_themselves",
            "Charge point ids whose connection was replaced repeatedly in the last window",
        )
        .expect("replacing metric");
        let ended = IntCounterVec::new(
            Opts::new(
                "csms_transactions_ended_by_server_total",
                "Transactions ended without a StopTransaction, by reason",
            ),
            &["reason"],
        )
        .expect("ended metric");
        for c in [
            Box::new(calls.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(replacements.clone()),
            Box::new(replacing.clone()),
            Box::new(ended.clone()),
            Box::new(frames.clone()),
            Box::new(errors.clone()),
            Box::new(connected.clone()),
            Box::new(outstanding.clone()),
            Box::new(batch.clone()),
            Box::new(commit.clone()),
            Box::new(http.clone()),
        ] {
            registry.register(c).expect("register metric");
        }
        Metrics {
            inbound: Direction::new("in", &calls, &frames, &errors),
            outbound: Direction::new("out", &calls, &frames, &errors),
            registry,
            connected,
            outstanding,
            batch,
            commit,
            http,
            replacements,
            replacing,
            ended,
        }
    }
}

/// Counts a frame read (`"in"`) or sent (`"out"`); `None` is an unreadable frame.
pub fn frame(direction: &str, frame: Option<&Frame>) {
    let m = &*METRICS;
    if direction == "in" {
        m.inbound.count(frame)
    } else {
        m.outbound.count(frame)
    }
}

/// OCPP-J frames read from chargers since the start, of every type.
pub fn frames_received() -> u64 {
    METRICS.inbound.frames.iter().map(IntCounter::get).sum()
}

/// A CALL of ours was queued for a charger.
pub fn call_queued() {
    METRICS.outstanding.inc();
}

/// A CALL of ours was answered, timed out or abandoned.
pub fn call_done() {
    METRICS.outstanding.dec();
}

/// The writer committed a group of `writes` in `took`.
pub fn commit(writes: usize, took: Duration) {
    METRICS.batch.observe(writes as f64);
    METRICS.commit.observe(took.as_secs_f64());
}

/// A new connection replaced an open one of the same charge point id.
pub fn connection_replaced() {
    METRICS.replacements.inc();
}

/// How many charge point ids were replaced repeatedly in the supervisor's last window.
pub fn set_replacing_themselves(ids: usize) {
    METRICS.replacing.set(ids as i64);
}

/// The server ended a transaction that got no StopTransaction (`reason`: a fixed name).
pub fn transaction_ended_by_server(reason: &'static str) {
    METRICS.ended.with_label_values(&[reason]).inc();
}

/// Middleware: times every HTTP request, labelled with its route pattern (never the raw path,
/// so ids do not grow the label set).
pub async fn track_http(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let res = next.call(req).await?;
    let route = res.request().match_pattern();
    METRICS
        .http
        .with_label_values(&[
            method_label(res.request().method()),
            route.as_deref().unwrap_or("unmatched"),
            res.status().as_str(),
        ])
        .observe(started.elapsed().as_secs_f64());
    Ok(res)
}

/// The method label: the standard methods by name, anything a client invents as `other`
/// (label values from client input come from a closed set, or `/metrics` grows without bound).
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::HEAD,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    KNOWN
        .iter()
        .find(|known| *known == method)
        .map_or(OTHER, |known| known.as_str())
}

/// `GET /metrics`.
pub async fn serve(services: web::Data<Services>) -> HttpResponse {
    let m = &*METRICS;
    m.connected.set(services.connections.open() as i64);
    let mut out = Vec::new();
    match TextEncoder::new().encode(&m.registry.gather(), &mut out) {
        Ok(()) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(out),
        Err(e) => HttpResponse::InternalServerError().body(format!("metrics: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        let invented = Method::from_bytes(b"FROBNICATE").unwrap();
        assert_eq!(method_label(&invented), "other");
    }

    #[test]
    fn frames_are_counted_by_action_and_code() {
        let call = Frame::Call {
            id: "1".into(),
            action: "Heartbeat".into(),
            payload: serde_json::json!({}),
        };
        let odd = Frame::Call {
            id: "2".into(),
            action: "NoSuchAction".into(),
            payload: serde_json::json!({}),
        };
        let before = METRICS.inbound.calls["Heartbeat"].get();
        let other = METRICS.inbound.other_calls.get();
        frame("in", Some(&call));
        frame("in", Some(&odd));
        frame("in", None);
        assert_eq!(METRICS.inbound.calls["Heartbeat"].get(), before + 1);
        assert_eq!(METRICS.inbound.other_calls.get(), other + 1);
        let text = {
            let mut out = Vec::new();
            TextEncoder::new()
                .encode(&METRICS.registry.gather(), &mut out)
                .unwrap();
            String::from_utf8(out).unwrap()
        };
        assert!(text.contains(r#"csms_ocpp_calls_total{action="Heartbeat",direction="in"}"#));
        assert!(text.contains(r#"csms_ocpp_frames_total{direction="in",type="unreadable"}"#));
    }
}
