//! Crashes: the power goes while a session runs, the socket dies without a close handshake,
//! and the charger comes back and boots again. What it remembers depends on the charger:
//!
//! - [`Crash::Forget`]: no persistent storage. Open sessions and every queued message are
//!   gone; the connectors come back Available. The server is left with transactions no
//!   charger holds (ghosts) and must end them itself.
//! - [`Crash::Remember`]: sessions and queued transaction messages survive (OCPP 1.6 asks
//!   this). After the boot the charger sends StopTransaction with reason PowerLoss and the
//!   meter reading for each session, after what was already queued.
//!
//! [`Crasher`] decides when: crash attempts come at exponentially distributed intervals of a
//! given mean, and an attempt only crashes a charger that holds a session at that moment.

use rand::Rng;
use std::time::{Duration, Instant};

/// What a charger keeps across a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crash {
    Forget,
    Remember,
}

impl Crash {
    pub fn as_str(self) -> &'static str {
        match self {
            Crash::Forget => "forget",
            Crash::Remember => "remember",
        }
    }
}

/// Which crashes a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CrashKinds {
    /// Every crash forgets open sessions and queued messages.
    Forget,
    /// Every crash keeps them and stops the sessions after the boot (PowerLoss).
    Remember,
    /// Each crash is one or the other at random.
    Mixed,
}

impl CrashKinds {
    pub fn name(self) -> &'static str {
        match self {
            CrashKinds::Forget => "forget",
            CrashKinds::Remember => "remember",
            CrashKinds::Mixed => "mixed",
        }
    }
}

/// How often and how chargers crash.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrashPlan {
    /// Mean time between crash attempts of one charger.
    pub mean: Duration,
    pub kinds: CrashKinds,
}

impl CrashPlan {
    /// The plan for `--crash-every SECS` (0: no crashes).
    pub fn every(secs: f64, kinds: CrashKinds) -> Option<CrashPlan> {
        (secs > 0.0 && secs.is_finite()).then(|| CrashPlan {
            mean: Duration::from_secs_f64(secs),
            kinds,
        })
    }

    /// The time until the next attempt: exponentially distributed with the plan's mean.
    pub fn interval(&self, rng: &mut impl Rng) -> Duration {
        // 1 - U is in (0, 1]: its logarithm is finite.
        let u: f64 = 1.0 - rng.random::<f64>();
        self.mean.mul_f64(-u.ln()).min(self.mean * 20)
    }

    /// The kind of one crash.
    pub fn kind(&self, rng: &mut impl Rng) -> Crash {
        match self.kinds {
            CrashKinds::Forget => Crash::Forget,
            CrashKinds::Remember => Crash::Remember,
            CrashKinds::Mixed if rng.random_bool(0.5) => Crash::Forget,
            CrashKinds::Mixed => Crash::Remember,
        }
    }
}

/// The crash clock of one charger.
#[derive(Debug, Clone, PartialEq)]
pub struct Crasher {
    plan: CrashPlan,
    next: Option<Instant>,
}

impl Crasher {
    pub fn new(plan: CrashPlan, now: Instant, rng: &mut impl Rng) -> Crasher {
        Crasher {
            plan,
            next: Some(now + plan.interval(rng)),
        }
    }

    /// When the next attempt is due (None: stopped).
    pub fn next_wake(&self) -> Option<Instant> {
        self.next
    }

    /// Whether the charger crashes now, and how. An attempt that finds no session open is
    /// skipped; either way the next one is drawn.
    pub fn due(&mut self, now: Instant, in_session: bool, rng: &mut impl Rng) -> Option<Crash> {
        if self.next.is_none_or(|t| now < t) {
            return None;
        }
        self.next = Some(now + self.plan.interval(rng));
        in_session.then(|| self.plan.kind(rng))
    }

    /// No more crashes (the end of a run).
    pub fn stop(&mut self) {
        self.next = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn attempts_average_the_mean_and_only_crash_in_a_session() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let plan = CrashPlan::every(10.0, CrashKinds::Mixed).unwrap();
        let n = 4000;
        let total: Duration = (0..n).map(|_| plan.interval(&mut rng)).sum();
        let mean = total.as_secs_f64() / f64::from(n);
        assert!((9.0..11.0).contains(&mean), "mean {mean}");
        let kinds: Vec<Crash> = (0..200).map(|_| plan.kind(&mut rng)).collect();
        assert!(kinds.contains(&Crash::Forget) && kinds.contains(&Crash::Remember));

        let t0 = Instant::now();
        let mut c = Crasher::new(plan, t0, &mut rng);
        let first = c.next_wake().unwrap();
        assert_eq!(
            c.due(first - Duration::from_millis(1), true, &mut rng),
            None
        );
        assert_eq!(c.due(first, false, &mut rng), None, "no session: skipped");
        let second = c.next_wake().unwrap();
        assert!(second > first);
        assert!(c.due(second, true, &mut rng).is_some());
        c.stop();
        assert_eq!(c.next_wake(), None);
        assert_eq!(c.due(second + plan.mean * 100, true, &mut rng), None);
        assert_eq!(CrashPlan::every(0.0, CrashKinds::Forget), None);
    }
}
