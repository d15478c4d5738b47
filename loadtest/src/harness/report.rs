//! The final report: built from the run's [`Metrics`], printed as text and JSON, and merged
//! across processes (the JSON carries the whole latency histogram, so percentiles of the sum are
//! exact).

use super::check::DataCheck;
use super::ghosts::Found;
use crate::metrics::{new_histogram, Metrics};
use base64::Engine;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// How a reconnect storm went.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Storm {
    /// Chargers connected and answered before the drop.
    pub ready: u64,
    /// Chargers connected and answered again after it.
    pub settled: u64,
    /// Seconds from the drop until the last charger settled (or the limit).
    pub settle_secs: f64,
}

/// What the ghost check found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GhostReport {
    pub found: Found,
    /// Transactions the server ended by itself during the run, by reason (read from its
    /// `/metrics`: the whole server, not only this run).
    pub ended_by_server: BTreeMap<String, u64>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub scenario: String,
    pub processes: usize,
    pub chargers: u64,
    pub failed_connections: u64,
    pub session_errors: BTreeMap<String, u64>,
    pub latency: Histogram<u64>,
    pub call_errors: BTreeMap<String, u64>,
    pub sent: u64,
    pub starts_confirmed: u64,
    pub stops_confirmed: u64,
    pub meter_rows_confirmed: u64,
    /// Transaction messages still queued when the run ended.
    pub undelivered: u64,
    pub elapsed: Duration,
    pub storm: Option<Storm>,
    pub check: Option<DataCheck>,
    /// Crashes by kind.
    pub crashes: BTreeMap<String, u64>,
    /// Authorize and StartTransaction answers other than Accepted, by action and status.
    pub refusals: BTreeMap<String, u64>,
    pub ghosts: Option<GhostReport>,
}

fn merge_counts(into: &mut BTreeMap<String, u64>, from: BTreeMap<String, u64>) {
    for (k, n) in from {
        *into.entry(k).or_default() += n;
    }
}

impl Report {
    /// The report of a run whose chargers counted into `metrics`.
    pub fn from_metrics(scenario: &str, chargers: usize, m: &Metrics, elapsed: Duration) -> Report {
        Report {
            scenario: scenario.to_owned(),
            processes: 1,
            chargers: chargers as u64,
            failed_connections: Metrics::get(&m.failed),
            session_errors: m.session_errors(),
            latency: m.latency(),
            call_errors: m.call_errors(),
            sent: Metrics::get(&m.sent),
            starts_confirmed: Metrics::get(&m.starts_confirmed),
            stops_confirmed: Metrics::get(&m.stops_confirmed),
            meter_rows_confirmed: Metrics::get(&m.meter_rows_confirmed),
            undelivered: 0,
            elapsed,
            storm: None,
            check: None,
            crashes: m.crashes(),
            refusals: m.refusals(),
            ghosts: None,
        }
    }

    /// Adds another process's report.
    pub fn merge(&mut self, other: Report) {
        self.processes += other.processes;
        self.chargers += other.chargers;
        self.failed_connections += other.failed_connections;
        merge_counts(&mut self.session_errors, other.session_errors);
        let _ = self.latency.add(&other.latency);
        merge_counts(&mut self.call_errors, other.call_errors);
        self.sent += other.sent;
        self.starts_confirmed += other.starts_confirmed;
        self.stops_confirmed += other.stops_confirmed;
        self.meter_rows_confirmed += other.meter_rows_confirmed;
        self.undelivered += other.undelivered;
        self.elapsed = self.elapsed.max(other.elapsed);
        self.storm = match (self.storm.take(), other.storm) {
            (Some(a), Some(b)) => Some(Storm {
                ready: a.ready + b.ready,
                settled: a.settled + b.settled,
                settle_secs: a.settle_secs.max(b.settle_secs),
            }),
            (a, b) => a.or(b),
        };
        merge_counts(&mut self.crashes, other.crashes);
        merge_counts(&mut self.refusals, other.refusals);
        self.ghosts = match (self.ghosts.take(), other.ghosts) {
            (Some(mut a), Some(b)) => {
                a.found.left += b.found.left;
                a.found.examples.extend(b.found.examples);
                a.found.waited_secs = a.found.waited_secs.max(b.found.waited_secs);
                merge_counts(&mut a.ended_by_server, b.ended_by_server);
                Some(a)
            }
            (a, b) => a.or(b),
        };
    }

    /// Refusals of the run's own tags, each for a transaction no charger held (counted only
    /// with the ghost check, whose tags are exclusive).
    pub fn ghost_refusals(&self) -> u64 {
        match self.ghosts {
            Some(_) => self.refusals.values().sum(),
            None => 0,
        }
    }

    /// Open transactions no charger held, at the end.
    pub fn ghosts_left(&self) -> u64 {
        self.ghosts.as_ref().map_or(0, |g| g.found.left)
    }

    /// Confirmed messages not found in the database (0 unless something was lost).
    pub fn lost(&self) -> u64 {
        self.check.as_ref().map_or(0, |c| {
            self.starts_confirmed.saturating_sub(c.starts_found)
                + self.stops_confirmed.saturating_sub(c.stops_found)
                + self.meter_rows_confirmed.saturating_sub(c.meter_rows_found)
        })
    }

    /// Whether the run is a success: every charger connected, nothing lost or undelivered,
    /// every storm charger back, no ghost left and no tag refused for one.
    pub fn ok(&self) -> bool {
        self.failed_connections == 0
            && self.lost() == 0
            && self.undelivered == 0
            && self.ghosts_left() == 0
            && self.ghost_refusals() == 0
            && self
                .storm
                .as_ref()
                .is_none_or(|s| s.settled == self.chargers)
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
            "scenario {}  chargers {}  processes {}  failed connections {}  elapsed {:.1} s\n\
             sent {}  answered {}  ({:.0}/s)  call errors {:?}\n\
             latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}\n\
             confirmed: starts {}  stops {}  meter value rows {}  undelivered {}",
            self.scenario,
            self.chargers,
            self.processes,
            self.failed_connections,
            self.elapsed.as_secs_f64(),
            self.sent,
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
            self.meter_rows_confirmed,
            self.undelivered,
        );
        if let Some(s) = &self.storm {
            out.push_str(&format!(
                "\nstorm: {} ready, {} reconnected and answered in {:.2} s",
                s.ready, s.settled, s.settle_secs
            ));
        }
        if !self.crashes.is_empty() {
            out.push_str(&format!("\ncrashes: {:?}", self.crashes));
        }
        if let Some(g) = &self.ghosts {
            out.push_str(&format!(
                "\nghost check: ended by the server {:?}  ghosts left {}  ghost refusals {}  (waited {:.1} s)",
                g.ended_by_server,
                g.found.left,
                self.ghost_refusals(),
                g.found.waited_secs,
            ));
            for example in &g.found.examples {
                out.push_str(&format!("\n  ghost: transaction {example}"));
            }
        }
        if !self.refusals.is_empty() {
            out.push_str(&format!("\nrefused tags: {:?}", self.refusals));
        }
        if let Some(c) = &self.check {
            out.push_str(&format!(
                "\ndata check: found starts {}  stops {}  meter value rows {}  -> lost {}",
                c.starts_found,
                c.stops_found,
                c.meter_rows_found,
                self.lost()
            ));
        }
        if !self.session_errors.is_empty() {
            out.push_str(&format!("\nsession errors: {:?}", self.session_errors));
        }
        out
    }

    pub fn json(&self) -> Value {
        let mut histogram = Vec::new();
        let encoded = match V2DeflateSerializer::new().serialize(&self.latency, &mut histogram) {
            Ok(_) => base64::engine::general_purpose::STANDARD.encode(&histogram),
            Err(_) => String::new(),
        };
        json!({
            "scenario": self.scenario,
            "processes": self.processes,
            "chargers": self.chargers,
            "failed_connections": self.failed_connections,
            "elapsed_secs": self.elapsed.as_secs_f64(),
            "sent": self.sent,
            "answered": self.answered(),
            "per_second": self.per_second(),
            "latency_ms": {"p50": self.ms(0.5), "p90": self.ms(0.9), "p99": self.ms(0.99),
                           "p999": self.ms(0.999), "max": self.latency.max() as f64 / 1000.0},
            "latency_histogram": encoded,
            "call_errors": self.call_errors,
            "confirmed": {"starts": self.starts_confirmed, "stops": self.stops_confirmed,
                          "meter_values": self.meter_rows_confirmed},
            "undelivered": self.undelivered,
            "storm": self.storm.as_ref().map(|s| json!({"ready": s.ready, "settled": s.settled,
                          "settle_secs": s.settle_secs})),
            "check": self.check.as_ref().map(|c| json!({"starts": c.starts_found, "stops": c.stops_found,
                "meter_values": c.meter_rows_found, "lost": self.lost()})),
            "session_errors": self.session_errors,
            "crashes": self.crashes,
            "refusals": self.refusals,
            "ghosts": self.ghosts.as_ref().map(|g| json!({"left": g.found.left,
                "examples": g.found.examples, "waited_secs": g.found.waited_secs,
                "ended_by_server": g.ended_by_server, "ghost_refusals": self.ghost_refusals()})),
        })
    }

    /// Reads a report written by [`Report::json`] (another process's).
    pub fn from_json(v: &Value) -> Result<Report, String> {
        let n = |v: &Value| v.as_u64().unwrap_or(0);
        let counts = |v: &Value| -> BTreeMap<String, u64> {
            v.as_object()
                .map(|m| m.iter().map(|(k, x)| (k.clone(), n(x))).collect())
                .unwrap_or_default()
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(v["latency_histogram"].as_str().unwrap_or_default())
            .map_err(|e| format!("latency histogram: {e}"))?;
        let latency = if bytes.is_empty() {
            new_histogram()
        } else {
            Deserializer::new()
                .deserialize(&mut bytes.as_slice())
                .map_err(|e| format!("latency histogram: {e:?}"))?
        };
        let storm = v["storm"].as_object().map(|s| Storm {
            ready: s.get("ready").map_or(0, n),
            settled: s.get("settled").map_or(0, n),
            settle_secs: s.get("settle_secs").and_then(Value::as_f64).unwrap_or(0.0),
        });
        let ghosts = v["ghosts"].as_object().map(|g| GhostReport {
            found: Found {
                left: g.get("left").map_or(0, n),
                examples: g
                    .get("examples")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.as_str().map(str::to_owned))
                    .collect(),
                waited_secs: g.get("waited_secs").and_then(Value::as_f64).unwrap_or(0.0),
            },
            ended_by_server: g.get("ended_by_server").map(counts).unwrap_or_default(),
        });
        Ok(Report {
            scenario: v["scenario"].as_str().unwrap_or("?").to_owned(),
            processes: n(&v["processes"]).max(1) as usize,
            chargers: n(&v["chargers"]),
            failed_connections: n(&v["failed_connections"]),
            session_errors: counts(&v["session_errors"]),
            latency,
            call_errors: counts(&v["call_errors"]),
            sent: n(&v["sent"]),
            starts_confirmed: n(&v["confirmed"]["starts"]),
            stops_confirmed: n(&v["confirmed"]["stops"]),
            meter_rows_confirmed: n(&v["confirmed"]["meter_values"]),
            undelivered: n(&v["undelivered"]),
            elapsed: Duration::try_from_secs_f64(v["elapsed_secs"].as_f64().unwrap_or(0.0))
                .unwrap_or_default(),
            storm,
            check: None,
            crashes: counts(&v["crashes"]),
            refusals: counts(&v["refusals"]),
            ghosts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_survive_json_and_add_up() {
        let m = Metrics::default();
        m.answered(Duration::from_millis(3), None);
        m.answered(Duration::from_millis(5), Some("InternalError"));
        m.confirmed_start();
        m.confirmed_meter_rows(8);
        m.session_error("connect: refused");
        let mut a = Report::from_metrics("burst", 2, &m, Duration::from_secs(3));
        a.storm = Some(Storm {
            ready: 2,
            settled: 2,
            settle_secs: 0.5,
        });
        let b = Report::from_json(&a.json()).unwrap();
        assert_eq!(b.latency.len(), 2);
        assert_eq!(b.call_errors.get("InternalError"), Some(&1));
        a.merge(b);
        assert_eq!(a.chargers, 4);
        assert_eq!(a.processes, 2);
        assert_eq!(a.latency.len(), 4);
        assert_eq!(a.starts_confirmed, 2);
        assert_eq!(a.meter_rows_confirmed, 16);
        assert_eq!(a.session_errors.get("connect: refused"), Some(&2));
        assert_eq!(a.storm.as_ref().map(|s| s.settled), Some(4));
        assert!(a.ok());

        // Crashes and refusals add up; a refusal fails only a run with the ghost check.
        m.crashed("forget");
        m.refused("StartTransaction", "ConcurrentTx");
        let mut c = Report::from_metrics("fleet", 1, &m, Duration::from_secs(3));
        assert!(c.ok(), "no ghost check: a refusal is no ghost refusal");
        c.ghosts = Some(GhostReport::default());
        assert_eq!(c.ghost_refusals(), 1);
        assert!(!c.ok());
        let d = Report::from_json(&c.json()).unwrap();
        assert_eq!(d.crashes.get("forget"), Some(&1));
        c.merge(d);
        assert_eq!(c.ghost_refusals(), 2);
        c.refusals.clear();
        c.ghosts.as_mut().unwrap().found.left = 1;
        assert!(!c.ok(), "a ghost left fails the run");
        a.check = Some(DataCheck {
            starts_found: 2,
            stops_found: 0,
            meter_rows_found: 15,
        });
        assert_eq!(a.lost(), 1);
        assert!(!a.ok());
    }
}
