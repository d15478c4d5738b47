//! Figures shared by every simulated charger of a process: counters, the latency histogram,
//! CALLERRORs by code, what the server confirmed (for the data check), crashes by kind and
//! the id tags the server refused.
//!
//! Latencies go into a one-second window that the progress line reads and then folds into
//! the run's total, so thousands of chargers share two histograms instead of one each.

use hdrhistogram::Histogram;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug)]
pub struct Metrics {
    pub connected: AtomicU64,
    pub failed: AtomicU64,
    pub sent: AtomicU64,
    pub answered: AtomicU64,
    pub errors: AtomicU64,
    pub starts_confirmed: AtomicU64,
    pub stops_confirmed: AtomicU64,
    /// Sampled values the server confirmed (MeterValues and StopTransaction transactionData):
    /// each is one row in its `meter_values` table.
    pub meter_rows_confirmed: AtomicU64,
    window: Mutex<Histogram<u64>>,
    total: Mutex<Histogram<u64>>,
    call_errors: Mutex<BTreeMap<String, u64>>,
    session_errors: Mutex<BTreeMap<String, u64>>,
    /// Crashes by kind (`forget`, `remember`).
    crashes: Mutex<BTreeMap<String, u64>>,
    /// Authorize and StartTransaction answers other than Accepted, by `<action> <status>`.
    refusals: Mutex<BTreeMap<String, u64>>,
}

/// An empty latency histogram in microseconds: 1 µs to 10 min, 3 significant digits.
pub fn new_histogram() -> Histogram<u64> {
    // These bounds are valid, so neither constructor can fail.
    Histogram::new_with_bounds(1, 600_000_000, 3)
        .or_else(|_| Histogram::new(3))
        .unwrap_or_else(|_| unreachable!("valid histogram bounds"))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            connected: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            answered: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            starts_confirmed: AtomicU64::new(0),
            stops_confirmed: AtomicU64::new(0),
            meter_rows_confirmed: AtomicU64::new(0),
            window: Mutex::new(new_histogram()),
            total: Mutex::new(new_histogram()),
            call_errors: Mutex::new(BTreeMap::new()),
            session_errors: Mutex::new(BTreeMap::new()),
            crashes: Mutex::new(BTreeMap::new()),
            refusals: Mutex::new(BTreeMap::new()),
        }
    }
}

/// What the progress line shows for the last second.
pub struct Window {
    pub answered: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

fn count(map: &Mutex<BTreeMap<String, u64>>, key: &str) {
    if let Ok(mut m) = map.lock() {
        *m.entry(key.to_owned()).or_default() += 1;
    }
}

fn snapshot(map: &Mutex<BTreeMap<String, u64>>) -> BTreeMap<String, u64> {
    map.lock().map(|m| m.clone()).unwrap_or_default()
}

impl Metrics {
    pub fn sent(&self) {
        add(&self.sent, 1);
    }

    /// An answer arrived after `latency`; `error` is the CALLERROR code if it was one.
    pub fn answered(&self, latency: Duration, error: Option<&str>) {
        add(&self.answered, 1);
        if let Ok(mut w) = self.window.lock() {
            let _ = w.record(latency.as_micros().max(1) as u64);
        }
        if let Some(code) = error {
            self.call_error(code);
        }
    }

    /// A CALLERROR (or a timeout, named as such) counted by code.
    pub fn call_error(&self, code: &str) {
        add(&self.errors, 1);
        count(&self.call_errors, code);
    }

    /// A session ended early or a connection failed, counted by cause.
    pub fn session_error(&self, what: &str) {
        count(&self.session_errors, what);
    }

    /// A charger crashed (`kind`: forget or remember).
    pub fn crashed(&self, kind: &str) {
        count(&self.crashes, kind);
    }

    /// The server answered `action` (Authorize or StartTransaction) with `status`, not
    /// Accepted.
    pub fn refused(&self, action: &str, status: &str) {
        count(&self.refusals, &format!("{action} {status}"));
    }

    pub fn confirmed_start(&self) {
        add(&self.starts_confirmed, 1);
    }

    pub fn confirmed_stop(&self, rows: usize) {
        add(&self.stops_confirmed, 1);
        add(&self.meter_rows_confirmed, rows as u64);
    }

    pub fn confirmed_meter_rows(&self, rows: usize) {
        add(&self.meter_rows_confirmed, rows as u64);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// Takes the last second's latencies into the total and summarises them.
    pub fn roll(&self) -> Window {
        let Ok(mut window) = self.window.lock() else {
            return Window {
                answered: 0,
                p50_ms: 0.0,
                p99_ms: 0.0,
            };
        };
        let summary = Window {
            answered: window.len(),
            p50_ms: window.value_at_quantile(0.5) as f64 / 1000.0,
            p99_ms: window.value_at_quantile(0.99) as f64 / 1000.0,
        };
        if let Ok(mut total) = self.total.lock() {
            let _ = total.add(&*window);
        }
        window.reset();
        summary
    }

    /// Every latency recorded so far.
    pub fn latency(&self) -> Histogram<u64> {
        self.roll();
        self.total
            .lock()
            .map(|h| h.clone())
            .unwrap_or_else(|_| new_histogram())
    }

    pub fn call_errors(&self) -> BTreeMap<String, u64> {
        snapshot(&self.call_errors)
    }

    pub fn session_errors(&self) -> BTreeMap<String, u64> {
        snapshot(&self.session_errors)
    }

    pub fn crashes(&self) -> BTreeMap<String, u64> {
        snapshot(&self.crashes)
    }

    pub fn refusals(&self) -> BTreeMap<String, u64> {
        snapshot(&self.refusals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_fold_into_the_total() {
        let m = Metrics::default();
        m.answered(Duration::from_millis(2), None);
        m.answered(Duration::from_millis(4), Some("GenericError"));
        let w = m.roll();
        assert_eq!(w.answered, 2);
        assert!(w.p99_ms >= 3.9);
        m.answered(Duration::from_millis(1), None);
        assert_eq!(m.latency().len(), 3);
        assert_eq!(m.roll().answered, 0);
        assert_eq!(m.call_errors().get("GenericError"), Some(&1));
        assert_eq!(Metrics::get(&m.errors), 1);
    }
}
