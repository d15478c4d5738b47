//! Counting, the live progress line, the final report and the data check.

use diesel::sql_types::BigInt;
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
use hdrhistogram::Histogram;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Live counters shared by all sessions.
#[derive(Default)]
pub struct Counters {
    pub connected: AtomicU64,
    pub failed: AtomicU64,
    pub sent: AtomicU64,
    pub answered: AtomicU64,
    pub errors: AtomicU64,
}

/// Prints a progress line every second.
pub async fn progress(c: Arc<Counters>) {
    let mut last = 0;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    loop {
        tick.tick().await;
        let answered = c.answered.load(Ordering::Relaxed);
        eprintln!(
            "connected {:>6}  failed {:>5}  answers/s {:>7}  errors {}",
            c.connected.load(Ordering::Relaxed),
            c.failed.load(Ordering::Relaxed),
            answered - last,
            c.errors.load(Ordering::Relaxed)
        );
        last = answered;
    }
}

/// One session's figures.
pub struct Stats {
    pub latency: Histogram<u64>,
    pub call_errors: BTreeMap<String, u64>,
    pub connect_error: Option<String>,
    pub session_error: Option<String>,
    pub starts_confirmed: u64,
    pub stops_confirmed: u64,
    pub meter_values_confirmed: u64,
}

impl Stats {
    pub fn new() -> Self {
        Stats {
            latency: new_histogram(),
            call_errors: BTreeMap::new(),
            connect_error: None,
            session_error: None,
            starts_confirmed: 0,
            stops_confirmed: 0,
            meter_values_confirmed: 0,
        }
    }

    pub fn record(&mut self, latency: Duration) {
        let _ = self.latency.record(latency.as_micros().max(1) as u64);
    }
}

fn new_histogram() -> Histogram<u64> {
    // 1 µs .. 10 min at 3 significant digits; these bounds are valid, so this cannot fail.
    Histogram::new_with_bounds(1, 600_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!()))
}

/// The whole run.
pub struct Report {
    pub chargers: usize,
    pub failed_connections: u64,
    pub session_errors: BTreeMap<String, u64>,
    pub latency: Histogram<u64>,
    pub call_errors: BTreeMap<String, u64>,
    pub starts_confirmed: u64,
    pub stops_confirmed: u64,
    pub meter_values_confirmed: u64,
    pub elapsed: Duration,
    pub check: Option<DataCheck>,
}

/// What the server's database holds of what it confirmed.
pub struct DataCheck {
    pub starts_found: u64,
    pub stops_found: u64,
    pub meter_values_found: u64,
}

impl Report {
    pub fn new(chargers: usize) -> Self {
        Report {
            chargers,
            failed_connections: 0,
            session_errors: BTreeMap::new(),
            latency: new_histogram(),
            call_errors: BTreeMap::new(),
            starts_confirmed: 0,
            stops_confirmed: 0,
            meter_values_confirmed: 0,
            elapsed: Duration::ZERO,
            check: None,
        }
    }

    pub fn add(&mut self, s: Stats) {
        if let Some(e) = s.connect_error {
            self.failed_connections += 1;
            *self
                .session_errors
                .entry(format!("connect: {e}"))
                .or_default() += 1;
        }
        if let Some(e) = s.session_error {
            *self.session_errors.entry(e).or_default() += 1;
        }
        let _ = self.latency.add(&s.latency);
        for (code, n) in s.call_errors {
            *self.call_errors.entry(code).or_default() += n;
        }
        self.starts_confirmed += s.starts_confirmed;
        self.stops_confirmed += s.stops_confirmed;
        self.meter_values_confirmed += s.meter_values_confirmed;
    }

    /// Counts in the server's SQLite database what this run (id prefix) left there.
    pub fn check(&mut self, db: &Path, prefix: &str) {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut conn = match SqliteConnection::establish(&db.display().to_string()) {
            Ok(c) => c,
            Err(e) => {
                eprintln!(
                    "loadtest: data check skipped, cannot open {}: {e}",
                    db.display()
                );
                return;
            }
        };
        let like = format!("{}-%", prefix.replace('\'', ""));
        let mut count = |sql: String| -> u64 {
            diesel::sql_query(sql)
                .get_result::<N>(&mut conn)
                .map(|r| r.n as u64)
                .unwrap_or(0)
        };
        self.check = Some(DataCheck {
            starts_found: count(format!("SELECT count(*) AS n FROM transactions WHERE charge_point_id LIKE '{like}'")),
            stops_found: count(format!(
                "SELECT count(*) AS n FROM transactions WHERE charge_point_id LIKE '{like}' AND stop_time IS NOT NULL"
            )),
            meter_values_found: count(format!("SELECT count(*) AS n FROM meter_values WHERE charge_point_id LIKE '{like}'")),
        });
    }

    /// Confirmed messages not found in the database (0 unless something was lost).
    pub fn lost(&self) -> u64 {
        self.check.as_ref().map_or(0, |c| {
            self.starts_confirmed.saturating_sub(c.starts_found)
                + self.stops_confirmed.saturating_sub(c.stops_found)
                + self
                    .meter_values_confirmed
                    .saturating_sub(c.meter_values_found)
        })
    }

    fn answered(&self) -> u64 {
        self.latency.len()
    }

    fn per_second(&self) -> f64 {
        self.answered() as f64 / self.elapsed.as_secs_f64().max(0.001)
    }

    fn ms(&self, q: f64) -> f64 {
        self.latency.value_at_quantile(q) as f64 / 1000.0
    }

    pub fn text(&self) -> String {
        let mut out = format!(
            "chargers {}  failed connections {}  elapsed {:.1} s\n\
             answered {}  ({:.0}/s)  call errors {:?}\n\
             latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}\n\
             confirmed: starts {}  stops {}  meter values {}",
            self.chargers,
            self.failed_connections,
            self.elapsed.as_secs_f64(),
            self.answered(),
            self.per_second(),
            self.call_errors,
            self.ms(0.5),
            self.ms(0.9),
            self.ms(0.99),
            self.ms(0.999),
            self.latency.max() as f64 / 1000.0,
            self.starts_confirmed,
            self.stops_confirmed,
            self.meter_values_confirmed,
        );
        if let Some(c) = &self.check {
            out.push_str(&format!(
                "\ndata check: found starts {}  stops {}  meter values {}  -> lost {}",
                c.starts_found,
                c.stops_found,
                c.meter_values_found,
                self.lost()
            ));
        }
        if !self.session_errors.is_empty() {
            out.push_str(&format!("\nsession errors: {:?}", self.session_errors));
        }
        out
    }

    pub fn json(&self) -> String {
        json!({
            "chargers": self.chargers,
            "failed_connections": self.failed_connections,
            "elapsed_secs": self.elapsed.as_secs_f64(),
            "answered": self.answered(),
            "per_second": self.per_second(),
            "latency_ms": {"p50": self.ms(0.5), "p90": self.ms(0.9), "p99": self.ms(0.99), "p999": self.ms(0.999),
                           "max": self.latency.max() as f64 / 1000.0},
            "call_errors": self.call_errors,
            "confirmed": {"starts": self.starts_confirmed, "stops": self.stops_confirmed, "meter_values": self.meter_values_confirmed},
            "check": self.check.as_ref().map(|c| json!({"starts": c.starts_found, "stops": c.stops_found,
                "meter_values": c.meter_values_found, "lost": self.lost()})),
            "session_errors": self.session_errors,
        })
        .to_string()
    }
}
