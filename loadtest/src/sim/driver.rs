//! A simulated driver per connector who comes, charges and leaves on their own, for the demo and
//! the fleet load: idle for a while, plug in (and present a tag, unless the charger is in free
//! vend mode), charge for a session length, stop, unplug a few seconds later, and again.

use super::user::UserOp;
use csms::ocpp::v16::status_notification::ChargePointStatus;
use rand::Rng;
use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

/// Seconds between unplugging and the next car.
const LEAVE_SECS: u64 = 5;

/// How drivers behave.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Seconds a connector stays free between sessions.
    pub idle_secs: RangeInclusive<u64>,
    /// Seconds a session lasts.
    pub session_secs: RangeInclusive<u64>,
    /// Tags the drivers present; empty: plug and charge (free vend).
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Idle { until: Instant },
    Charging { until: Instant },
    Leaving { until: Instant },
}

/// The drivers of one charger, one per connector.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    plan: Plan,
    phases: Vec<Phase>,
}

fn secs(rng: &mut impl Rng, range: &RangeInclusive<u64>) -> Duration {
    let (lo, hi) = (*range.start(), (*range.end()).max(*range.start()));
    Duration::from_secs(rng.random_range(lo..=hi))
}

impl Driver {
    /// Drivers for `connectors` connectors; the first cars arrive within the shortest idle time.
    pub fn new(plan: Plan, connectors: u32, now: Instant, rng: &mut impl Rng) -> Driver {
        let phases = (0..connectors)
            .map(|_| Phase::Idle {
                until: now + secs(rng, &(0..=*plan.idle_secs.start())),
            })
            .collect();
        Driver { plan, phases }
    }

    /// When the next driver acts.
    pub fn next_wake(&self) -> Option<Instant> {
        self.phases
            .iter()
            .map(|p| match p {
                Phase::Idle { until } | Phase::Charging { until } | Phase::Leaving { until } => {
                    *until
                }
            })
            .min()
    }

    /// What the drivers do now, given each connector's status.
    pub fn tick(
        &mut self,
        now: Instant,
        statuses: &[ChargePointStatus],
        rng: &mut impl Rng,
    ) -> Vec<UserOp> {
        let mut ops = Vec::new();
        for (i, phase) in self.phases.iter_mut().enumerate() {
            let connector = i as u32 + 1;
            let status = statuses.get(i).copied();
            *phase = match *phase {
                Phase::Idle { until } if now >= until => {
                    if status == Some(ChargePointStatus::Available) {
                        ops.push(UserOp::Plug(connector));
                        if !self.plan.tags.is_empty() {
                            let tag = &self.plan.tags[rng.random_range(0..self.plan.tags.len())];
                            ops.push(UserOp::Start(connector, tag.clone()));
                        }
                        Phase::Charging {
                            until: now + secs(rng, &self.plan.session_secs),
                        }
                    } else {
                        Phase::Idle {
                            until: now + secs(rng, &self.plan.idle_secs),
                        }
                    }
                }
                Phase::Charging { until } if now >= until => {
                    ops.push(UserOp::Stop(connector));
                    Phase::Leaving {
                        until: now + Duration::from_secs(LEAVE_SECS),
                    }
                }
                Phase::Leaving { until } if now >= until => {
                    ops.push(UserOp::Unplug(connector));
                    Phase::Idle {
                        until: now + secs(rng, &self.plan.idle_secs),
                    }
                }
                unchanged => unchanged,
            };
        }
        ops
    }

    /// Stops every session the drivers started (end of a load run): they unplug at once.
    pub fn leave(&mut self, far: Instant) {
        for p in &mut self.phases {
            *p = Phase::Idle { until: far };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_driver_plugs_charges_stops_and_leaves() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let plan = Plan {
            idle_secs: 10..=10,
            session_secs: 60..=60,
            tags: vec!["TAG1".into()],
        };
        let t0 = Instant::now();
        let mut d = Driver::new(plan, 1, t0, &mut rng);
        let available = [ChargePointStatus::Available];
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert!(d.next_wake().unwrap() <= at(10));
        assert_eq!(
            d.tick(at(10), &available, &mut rng),
            vec![UserOp::Plug(1), UserOp::Start(1, "TAG1".into())]
        );
        let charging = [ChargePointStatus::Charging];
        assert!(d.tick(at(30), &charging, &mut rng).is_empty());
        assert_eq!(d.tick(at(70), &charging, &mut rng), vec![UserOp::Stop(1)]);
        assert_eq!(d.tick(at(75), &charging, &mut rng), vec![UserOp::Unplug(1)]);
        assert_eq!(d.next_wake(), Some(at(85)));
        // A connector that is not free is left alone.
        let faulted = [ChargePointStatus::Faulted];
        assert!(d.tick(at(85), &faulted, &mut rng).is_empty());
    }
}
