//! Live pages: one Server-Sent Events stream per open page (`GET /live?topic=…`), fed by the
//! bus of committed changes ([`crate::events`]). Each stream keeps only what its page shows and
//! coalesces it: per charger and connector only the newest state is sent, at most every
//! [`FLUSH_EVERY`], so a fleet of 19,000 chargers cannot flood a browser. A page whose rows
//! change (a new charger, a transaction started) is told once per flush to reload its regions.
//! The browser reconnects by itself after a restart (`retry`), and reloads its regions then.
//!
//! Topics: `overview` (the tiles, every [`FIGURES_EVERY`]), `chargers` (the chargers listed in
//! `ids`), `charger:<id>` (one charger), `transactions`.

use super::error::PageError;
use super::session::Person;
use crate::db::stats::Figures;
use crate::events::{Change, Committed};
use crate::services::Services;
use actix_web::{web, HttpResponse};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

/// How often a stream sends what it gathered.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// How often the overview's figures are read and its tiles sent.
pub const FIGURES_EVERY: Duration = Duration::from_secs(2);
/// Figures older than this are read again before a page shows them.
const FIGURES_STALE: Duration = Duration::from_secs(10);
/// The figures are kept fresh this long after an overview last asked for them.
const FIGURES_WANTED_FOR: Duration = Duration::from_secs(60);
/// A comment line this often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How often the number of connected chargers is sampled for the overview's chart.
pub const ONLINE_SAMPLE_EVERY: Duration = Duration::from_secs(60);
/// Samples kept: one day.
const ONLINE_SAMPLES: usize = 24 * 60;

/// Open streams at most; more are answered 503.
pub const MAX_STREAMS: usize = 1024;
/// Chargers a `chargers` stream follows at most (a page shows fewer).
const MAX_IDS: usize = 500;

/// What a page follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Topic {
    Overview,
    Chargers(HashSet<String>),
    Charger(String),
    Transactions,
}

impl Topic {
    pub fn parse(topic: &str, ids: Option<&str>) -> Option<Topic> {
        match topic {
            "overview" => Some(Topic::Overview),
            "transactions" => Some(Topic::Transactions),
            "chargers" => Some(Topic::Chargers(
                ids.unwrap_or_default()
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .take(MAX_IDS)
                    .map(str::to_owned)
                    .collect(),
            )),
            t => t
                .strip_prefix("charger:")
                .filter(|id| !id.is_empty())
                .map(|id| Topic::Charger(id.to_owned())),
        }
    }

    fn follows(&self, charger: &str) -> bool {
        match self {
            Topic::Chargers(ids) => ids.contains(charger),
            Topic::Charger(id) => id == charger,
            Topic::Overview | Topic::Transactions => false,
        }
    }
}

/// What a stream will send at its next flush: the newest state per key, and whether the
/// page's rows changed.
#[derive(Debug, Default)]
pub struct Gathered {
    latest: BTreeMap<(String, &'static str, u32), Value>,
    rows_changed: bool,
}

impl Gathered {
    /// Takes in one committed change, if the topic shows it.
    pub fn take(&mut self, topic: &Topic, committed: &Committed) {
        let change = &committed.change;
        if let Topic::Transactions = topic {
            if matches!(
                change,
                Change::TransactionStarted { .. }
                    | Change::TransactionStopped { .. }
                    | Change::TransactionsEndedByServer { .. }
            ) {
                self.rows_changed = true;
            }
            return;
        }
        let charger = match change {
            Change::Online {
                charge_point_id, ..
            }
            | Change::Offline { charge_point_id }
            | Change::Booted {
                charge_point_id, ..
            }
            | Change::ConnectorStatus {
                charge_point_id, ..
            }
            | Change::TransactionStarted {
                charge_point_id, ..
            }
            | Change::TransactionStopped {
                charge_point_id, ..
            }
            | Change::MeterValues {
                charge_point_id, ..
            }
            | Change::Notification {
                charge_point_id, ..
            } => charge_point_id,
            Change::TransactionsEndedByServer { .. } => {
                if let Topic::Charger(_) = topic {
                    self.rows_changed = true;
                }
                return;
            }
        };
        if !topic.follows(charger) {
            // A charger the list does not show yet: the list may have to grow.
            if let (Topic::Chargers(_), Change::Online { .. }) = (topic, change) {
                self.rows_changed = true;
            }
            return;
        }
        let id = charger.clone();
        let (kind, connector, data) = match change {
            Change::Online { .. } => ("charger", 0, json!({"id": id, "online": true})),
            Change::Offline { .. } => ("charger", 0, json!({"id": id, "online": false})),
            Change::Booted { status, .. } => {
                ("booted", 0, json!({"id": id, "status": status.as_str()}))
            }
            Change::ConnectorStatus {
                connector_id,
                status,
                error_code,
                ..
            } => (
                "connector",
                *connector_id,
                json!({
                    "id": id,
                    "connector": connector_id,
                    "status": status.as_str(),
                    "statusClass": super::view::status_class(status.as_str()),
                    "errorCode": error_code.as_str(),
                }),
            ),
            Change::TransactionStarted { .. } | Change::TransactionStopped { .. } => {
                self.rows_changed = true;
                return;
            }
            Change::MeterValues {
                connector_id,
                power_w,
                transaction_id,
                ..
            } => {
                if let Topic::Charger(_) = topic {
                    // The session chart grows.
                    self.rows_changed = true;
                }
                let Some(w) = power_w else { return };
                (
                    "meter",
                    *connector_id,
                    json!({
                        "id": id,
                        "connector": connector_id,
                        "transactionId": transaction_id,
                        "powerW": w,
                        "power": super::view::kw(*w),
                    }),
                )
            }
            Change::Notification { kind, status, .. } => {
                if let Topic::Charger(_) = topic {
                    self.rows_changed = true;
                }
                ("note", 0, json!({"id": id, "kind": kind, "status": status}))
            }
            Change::TransactionsEndedByServer { .. } => return,
        };
        self.latest.insert((id, kind, connector), data);
    }

    /// The SSE text of what was gathered (empty if nothing), and a fresh start.
    pub fn flush(&mut self) -> String {
        let mut out = String::new();
        for ((_, kind, _), data) in std::mem::take(&mut self.latest) {
            out.push_str(&sse(kind, &data));
        }
        if std::mem::take(&mut self.rows_changed) {
            out.push_str(&sse("rows", &json!({})));
        }
        out
    }
}

/// One SSE event.
pub fn sse(event: &str, data: &Value) -> String {
    format!("event: {event}\ndata: {data}\n\n")
}

/// Streams open now, against [`MAX_STREAMS`].
#[derive(Debug, Default)]
pub struct Streams(AtomicUsize);

struct StreamPermit(Arc<Streams>);

impl Drop for StreamPermit {
    fn drop(&mut self) {
        self.0 .0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Streams {
    fn acquire(self: &Arc<Self>) -> Option<StreamPermit> {
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_STREAMS).then_some(n + 1)
            })
            .ok()
            .map(|_| StreamPermit(self.clone()))
    }

    pub fn open(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }
}

/// What the live side keeps between requests: open streams, power per connector from the
/// meter values committed since the start, the message rate, and the overview's figures: read
/// from the database in the background every [`FIGURES_EVERY`] while an overview is open
/// (whatever the number of open overviews), so that a page never waits for the counts over
/// the whole fleet.
#[derive(Default)]
pub struct Fleet {
    pub streams: Arc<Streams>,
    power: Mutex<HashMap<(String, u32), f64>>,
    rate: Mutex<Option<(Instant, u64, f64)>>,
    /// `(unix seconds, chargers connected)` every [`ONLINE_SAMPLE_EVERY`], the last day.
    online: Mutex<std::collections::VecDeque<(i64, usize)>>,
    /// The overview's figures and when they were read.
    figures: Mutex<Option<(Instant, Arc<Figures>)>>,
    /// When a page or stream last asked for them (they are kept fresh only while wanted).
    figures_wanted: Mutex<Option<Instant>>,
}

impl Fleet {
    /// Starts following the bus (power per connector) and sampling the connected chargers.
    /// Call once, inside the runtime.
    pub fn follow(self: &Arc<Self>, services: &Services) {
        let (fleet, connections) = (self.clone(), services.connections.clone());
        actix_web::rt::spawn(async move {
            let mut tick = tokio::time::interval(ONLINE_SAMPLE_EVERY);
            loop {
                tick.tick().await;
                fleet.sample_online(chrono::Utc::now().timestamp(), connections.open());
            }
        });
        let (fleet, reader) = (self.clone(), services.clone());
        actix_web::rt::spawn(async move {
            let mut tick = tokio::time::interval(FIGURES_EVERY);
            loop {
                tick.tick().await;
                if fleet.figures_wanted() {
                    if let Err(e) = fleet.refresh_figures(&reader).await {
                        log::warn!("dashboard: cannot read the overview's figures: {e}");
                    }
                }
            }
        });
        let fleet = self.clone();
        let mut events = services.events.subscribe();
        actix_web::rt::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(committed) => fleet.note(&committed.change),
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                }
            }
        });
    }

    fn note(&self, change: &Change) {
        let Ok(mut power) = self.power.lock() else {
            return;
        };
        match change {
            Change::MeterValues {
                charge_point_id,
                connector_id,
                transaction_id: Some(_),
                power_w: Some(w),
                ..
            } => {
                power.insert((charge_point_id.clone(), *connector_id), *w);
            }
            Change::TransactionStopped {
                charge_point_id, ..
            }
            | Change::Offline { charge_point_id } => {
                power.retain(|(id, _), _| id != charge_point_id);
            }
            Change::TransactionsEndedByServer { .. } => power.clear(),
            _ => {}
        }
    }

    fn sample_online(&self, at: i64, online: usize) {
        if let Ok(mut samples) = self.online.lock() {
            if samples.len() == ONLINE_SAMPLES {
                samples.pop_front();
            }
            samples.push_back((at, online));
        }
    }

    /// Chargers connected over the last day, `(unix seconds, count)`, oldest first.
    pub fn online_history(&self) -> Vec<(i64, usize)> {
        self.online
            .lock()
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Power a connector's session reported last, in W.
    pub fn power_of(&self, charger: &str, connector: u32) -> Option<f64> {
        self.power
            .lock()
            .ok()?
            .get(&(charger.to_owned(), connector))
            .copied()
    }

    /// Power drawn now by sessions that reported it, in W.
    pub fn power_w(&self) -> f64 {
        self.power.lock().map(|p| p.values().sum()).unwrap_or(0.0)
    }

    /// Frames received from chargers per second, over the time since the last call (at
    /// least a second apart; in between, the last figure).
    pub fn messages_per_second(&self) -> f64 {
        let now = Instant::now();
        let total = crate::metrics::frames_received();
        let Ok(mut rate) = self.rate.lock() else {
            return 0.0;
        };
        match *rate {
            Some((at, _, last)) if now.duration_since(at) < Duration::from_secs(1) => last,
            Some((at, before, _)) => {
                let per_sec =
                    total.saturating_sub(before) as f64 / now.duration_since(at).as_secs_f64();
                *rate = Some((now, total, per_sec));
                per_sec
            }
            None => {
                *rate = Some((now, total, 0.0));
                0.0
            }
        }
    }

    /// The overview's figures: the ones read in the background if there are any (at most
    /// [`FIGURES_EVERY`] old while wanted), else read now.
    pub async fn figures(&self, services: &Services) -> Result<Arc<Figures>, PageError> {
        if let Ok(mut wanted) = self.figures_wanted.lock() {
            *wanted = Some(Instant::now());
        }
        let cached = self.figures.lock().ok().and_then(|c| c.clone());
        match cached {
            Some((at, figures)) if at.elapsed() < FIGURES_STALE => Ok(figures),
            _ => self.refresh_figures(services).await,
        }
    }

    async fn refresh_figures(&self, services: &Services) -> Result<Arc<Figures>, PageError> {
        let figures = Arc::new(super::pages::overview::read_figures(services).await?);
        if let Ok(mut cached) = self.figures.lock() {
            *cached = Some((Instant::now(), figures.clone()));
        }
        Ok(figures)
    }

    /// Whether an overview asked for the figures within [`FIGURES_WANTED_FOR`].
    fn figures_wanted(&self) -> bool {
        self.figures_wanted
            .lock()
            .ok()
            .and_then(|w| *w)
            .is_some_and(|at| at.elapsed() < FIGURES_WANTED_FOR)
    }
}

#[derive(Debug, Deserialize)]
pub struct LiveQuery {
    topic: String,
    ids: Option<String>,
    /// The bus's count of changes when the page was read ([`crate::events::EventBus::published`]).
    since: Option<u64>,
}

/// `GET /live?topic=…[&ids=a,b]`: the event stream of a page (viewer role).
pub async fn stream(
    _person: Person,
    services: web::Data<Services>,
    fleet: web::Data<Arc<Fleet>>,
    query: web::Query<LiveQuery>,
) -> Result<HttpResponse, PageError> {
    let topic = Topic::parse(&query.topic, query.ids.as_deref()).ok_or_else(|| {
        PageError::Invalid(format!(
            "topic: {:?} is none of overview, chargers, charger:<id>, transactions",
            query.topic
        ))
    })?;
    let Some(permit) = fleet.streams.acquire() else {
        return Ok(HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body("too many live pages open; reload later"));
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let mut events = services.events.subscribe();
    // Changes committed after the page was read and before this subscription are not in the
    // stream: the page reloads its rows once.
    let missed = query
        .since
        .is_some_and(|since| services.events.published() != since);
    let services = services.into_inner();
    let fleet = fleet.into_inner();
    actix_web::rt::spawn(async move {
        let _permit = permit;
        let mut gathered = Gathered {
            rows_changed: missed,
            ..Gathered::default()
        };
        let mut flush = tokio::time::interval(FLUSH_EVERY);
        let mut figures = tokio::time::interval(FIGURES_EVERY);
        let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
        if tx
            .send(Bytes::from_static(b"retry: 2000\n\n"))
            .await
            .is_err()
        {
            return;
        }
        loop {
            let out = tokio::select! {
                // The overview shows figures only: it does not follow the bus at all.
                received = events.recv(), if topic != Topic::Overview => {
                    let mut next = Some(received);
                    let mut closed = false;
                    // Everything already waiting in one go: one wake-up per commit, not per change.
                    while let Some(received) = next.take() {
                        match received {
                            Ok(committed) => gathered.take(&topic, &committed),
                            // Fell behind: what was lost is unknown, so the page reloads its rows.
                            Err(RecvError::Lagged(_)) => gathered.rows_changed = true,
                            Err(RecvError::Closed) => closed = true,
                        }
                        next = match events.try_recv() {
                            Ok(c) => Some(Ok(c)),
                            Err(TryRecvError::Lagged(n)) => Some(Err(RecvError::Lagged(n))),
                            Err(TryRecvError::Closed) => Some(Err(RecvError::Closed)),
                            Err(TryRecvError::Empty) => None,
                        };
                        if closed {
                            break;
                        }
                    }
                    if closed {
                        break;
                    }
                    continue;
                }
                _ = flush.tick() => gathered.flush(),
                _ = figures.tick(), if topic == Topic::Overview => {
                    match fleet.figures(&services).await {
                        Ok(f) => sse("figures", &json!(super::pages::overview::tiles(&f, &fleet))),
                        Err(_) => continue,
                    }
                }
                _ = keep_alive.tick() => ": keep-alive\n\n".to_owned(),
                () = tx.closed() => break,
            };
            if !out.is_empty() && tx.send(Bytes::from(out)).await.is_err() {
                break;
            }
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, actix_web::Error>(chunk), rx))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocpp::v16::status_notification::{ChargePointErrorCode, ChargePointStatus};

    fn at(change: Change) -> Committed {
        Committed {
            at: chrono::Utc::now().naive_utc(),
            change,
        }
    }

    fn status(id: &str, connector_id: u32, status: ChargePointStatus) -> Committed {
        at(Change::ConnectorStatus {
            charge_point_id: id.into(),
            connector_id,
            status,
            error_code: ChargePointErrorCode::NoError,
        })
    }

    #[test]
    fn topics_parse_and_unknown_ones_are_refused() {
        assert_eq!(Topic::parse("overview", None), Some(Topic::Overview));
        assert_eq!(
            Topic::parse("charger:CP-1", None),
            Some(Topic::Charger("CP-1".into()))
        );
        assert_eq!(Topic::parse("charger:", None), None);
        assert_eq!(Topic::parse("everything", None), None);
        let Some(Topic::Chargers(ids)) = Topic::parse("chargers", Some("a,b,,c")) else {
            panic!()
        };
        assert_eq!(ids.len(), 3);
    }

    #[test]
    fn only_the_newest_status_per_connector_is_sent() {
        let topic = Topic::Charger("CP-1".into());
        let mut g = Gathered::default();
        g.take(&topic, &status("CP-1", 1, ChargePointStatus::Preparing));
        g.take(&topic, &status("CP-1", 1, ChargePointStatus::Charging));
        g.take(&topic, &status("CP-1", 2, ChargePointStatus::Faulted));
        g.take(&topic, &status("CP-2", 1, ChargePointStatus::Faulted));
        let out = g.flush();
        assert_eq!(out.matches("event: connector").count(), 2, "{out}");
        assert!(
            out.contains("\"Charging\"") && !out.contains("Preparing"),
            "{out}"
        );
        assert!(!out.contains("CP-2"), "{out}");
        assert_eq!(g.flush(), "");
    }

    #[test]
    fn a_list_learns_of_chargers_it_does_not_show_only_as_changed_rows() {
        let topic = Topic::parse("chargers", Some("CP-1")).unwrap();
        let mut g = Gathered::default();
        g.take(
            &topic,
            &at(Change::Online {
                charge_point_id: "CP-9".into(),
                replaced: false,
            }),
        );
        g.take(&topic, &status("CP-9", 1, ChargePointStatus::Available));
        let out = g.flush();
        assert_eq!(out, "event: rows\ndata: {}\n\n");
    }

    #[test]
    fn the_transactions_page_hears_of_starts_and_stops_only() {
        let mut g = Gathered::default();
        g.take(
            &Topic::Transactions,
            &status("CP-1", 1, ChargePointStatus::Charging),
        );
        assert_eq!(g.flush(), "");
        g.take(
            &Topic::Transactions,
            &at(Change::TransactionStopped {
                charge_point_id: "CP-1".into(),
                transaction_id: 4,
            }),
        );
        assert!(g.flush().contains("event: rows"));
    }

    #[test]
    fn power_is_kept_per_connector_until_the_session_ends() {
        let fleet = Fleet::default();
        let meter = |id: &str, c, w| Change::MeterValues {
            charge_point_id: id.into(),
            connector_id: c,
            transaction_id: Some(1),
            samples: 1,
            power_w: Some(w),
        };
        fleet.note(&meter("A", 1, 7000.0));
        fleet.note(&meter("A", 1, 11000.0));
        fleet.note(&meter("B", 2, 3000.0));
        assert_eq!(fleet.power_w(), 14000.0);
        fleet.note(&Change::TransactionStopped {
            charge_point_id: "A".into(),
            transaction_id: 1,
        });
        assert_eq!(fleet.power_w(), 3000.0);
    }
}
