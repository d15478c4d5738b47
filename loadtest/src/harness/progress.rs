//! The live progress line, once a second on stderr: connections, answers per second, latency
//! of the last second, errors. A child process (`--processes`) prints the same figures as
//! `@progress {json}` for its parent to add up.

use crate::metrics::Metrics;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// One second's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Line {
    pub connected: u64,
    pub failed: u64,
    pub answered: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
}

impl Line {
    pub fn human(&self) -> String {
        format!(
            "connected {:>6}  failed {:>5}  answers/s {:>7}  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
            self.connected, self.failed, self.answered, self.p50_ms, self.p99_ms, self.errors
        )
    }

    pub fn to_json(self) -> Value {
        json!({"connected": self.connected, "failed": self.failed, "answered": self.answered,
               "p50_ms": self.p50_ms, "p99_ms": self.p99_ms, "errors": self.errors})
    }

    pub fn from_json(v: &Value) -> Line {
        let n = |k: &str| v[k].as_u64().unwrap_or(0);
        let f = |k: &str| v[k].as_f64().unwrap_or(0.0);
        Line {
            connected: n("connected"),
            failed: n("failed"),
            answered: n("answered"),
            p50_ms: f("p50_ms"),
            p99_ms: f("p99_ms"),
            errors: n("errors"),
        }
    }

    /// Several processes' lines as one: sums, the answer-weighted median, the worst p99.
    pub fn sum(lines: &[Line]) -> Line {
        let answered: u64 = lines.iter().map(|l| l.answered).sum();
        let weighted: f64 = lines.iter().map(|l| l.p50_ms * l.answered as f64).sum();
        Line {
            connected: lines.iter().map(|l| l.connected).sum(),
            failed: lines.iter().map(|l| l.failed).sum(),
            answered,
            p50_ms: if answered > 0 {
                weighted / answered as f64
            } else {
                0.0
            },
            p99_ms: lines.iter().map(|l| l.p99_ms).fold(0.0, f64::max),
            errors: lines.iter().map(|l| l.errors).sum(),
        }
    }
}

/// Prints a line every second until aborted.
pub async fn run(metrics: Arc<Metrics>, child: bool) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    loop {
        tick.tick().await;
        let window = metrics.roll();
        let line = Line {
            connected: Metrics::get(&metrics.connected),
            failed: Metrics::get(&metrics.failed),
            answered: window.answered,
            p50_ms: window.p50_ms,
            p99_ms: window.p99_ms,
            errors: Metrics::get(&metrics.errors),
        };
        if child {
            eprintln!("@progress {}", line.to_json());
        } else {
            eprintln!("{}", line.human());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_add_up_across_processes() {
        let a = Line {
            connected: 10,
            failed: 0,
            answered: 100,
            p50_ms: 1.0,
            p99_ms: 4.0,
            errors: 1,
        };
        let b = Line {
            connected: 5,
            failed: 2,
            answered: 300,
            p50_ms: 2.0,
            p99_ms: 3.0,
            errors: 0,
        };
        let s = Line::sum(&[a, Line::from_json(&b.to_json())]);
        assert_eq!(
            (s.connected, s.failed, s.answered, s.errors),
            (15, 2, 400, 1)
        );
        assert_eq!(s.p50_ms, 1.75);
        assert_eq!(s.p99_ms, 4.0);
    }
}
