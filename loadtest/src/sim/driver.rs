//! A simulated driver per connector who comes, charges and leaves on their own, for the demo and
//! the fleet load: idle for a while, plug in (and present a tag, unless the charger is in free
//! vend mode), charge for a session length, stop, unplug a few seconds later, and again.
//!
//! A tag is one person's card: the drivers of a fleet share the tags out ([`Plan::share`]), and
//! the connectors of one charger never present a tag that another of its connectors is
//! charging with, so no simulated driver is ever refused for a tag in use elsewhere.

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

impl Plan {
    /// The plan of driven charger `k` of `n`: its own share of the tags (every `n`th, from
    /// the `k`th), so that no two chargers present the same tag. A share with fewer tags than
    /// the charger has connectors leaves some connectors waiting for a free tag.
    pub fn share(&self, k: usize, n: usize) -> Plan {
        let n = n.max(1);
        Plan {
            tags: self.tags.iter().skip(k % n).step_by(n).cloned().collect(),
            ..self.clone()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Idle {
        until: Instant,
    },
    /// `tag`: the index of the tag presented (None: free vend).
    Charging {
        until: Instant,
        tag: Option<usize>,
    },
    Leaving {
        until: Instant,
    },
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
                Phase::Idle { until }
                | Phase::Charging { until, .. }
                | Phase::Leaving { until } => *until,
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
        for i in 0..self.phases.len() {
            let connector = i as u32 + 1;
            let status = statuses.get(i).copied();
            self.phases[i] = match self.phases[i] {
                Phase::Idle { until } if now >= until => {
                    let free_vend = self.plan.tags.is_empty();
                    let tag = self.free_tag(rng);
                    if status == Some(ChargePointStatus::Available) && (free_vend || tag.is_some())
                    {
                        ops.push(UserOp::Plug(connector));
                        if let Some(t) = tag {
                            ops.push(UserOp::Start(connector, self.plan.tags[t].clone()));
                        }
                        Phase::Charging {
                            until: now + secs(rng, &self.plan.session_secs),
                            tag,
                        }
                    } else {
                        Phase::Idle {
                            until: now + secs(rng, &self.plan.idle_secs),
                        }
                    }
                }
                Phase::Charging { until, .. } if now >= until => {
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

    /// A tag of the plan that no connector of this charger is charging with, at random.
    fn free_tag(&self, rng: &mut impl Rng) -> Option<usize> {
        let free: Vec<usize> = (0..self.plan.tags.len())
            .filter(|t| {
                !self
                    .phases
                    .iter()
                    .any(|p| matches!(p, Phase::Charging { tag: Some(u), .. } if u == t))
            })
            .collect();
        (!free.is_empty()).then(|| free[rng.random_range(0..free.len())])
    }

    /// Drivers stop acting until `far` (the end of a load run); sessions are left running.
    pub fn leave(&mut self, far: Instant) {
        for p in &mut self.phases {
            *p = Phase::Idle { until: far };
        }
    }

    /// The charger forgot everything in a crash: the drivers come back later as if new.
    pub fn restart(&mut self, now: Instant, rng: &mut impl Rng) {
        for p in &mut self.phases {
            *p = Phase::Idle {
                until: now + secs(rng, &self.plan.idle_secs),
            };
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

    #[test]
    fn tags_are_shared_out_and_never_used_twice_at_once() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let plan = Plan {
            idle_secs: 0..=0,
            session_secs: 60..=60,
            tags: (1..=7).map(|n| format!("T{n}")).collect(),
        };
        let shares: Vec<Vec<String>> = (0..3).map(|k| plan.share(k, 3).tags).collect();
        assert_eq!(shares[0], ["T1", "T4", "T7"]);
        assert_eq!(shares[1], ["T2", "T5"]);
        assert_eq!(shares[2], ["T3", "T6"]);

        // Three connectors, two tags: the third waits for a free tag.
        let t0 = Instant::now();
        let mut d = Driver::new(plan.share(1, 3), 3, t0, &mut rng);
        let available = [ChargePointStatus::Available; 3];
        let ops = d.tick(t0, &available, &mut rng);
        let mut tags: Vec<&String> = ops
            .iter()
            .filter_map(|op| match op {
                UserOp::Start(_, tag) => Some(tag),
                _ => None,
            })
            .collect();
        tags.sort();
        assert_eq!(tags, ["T2", "T5"]);
        assert!(!ops.contains(&UserOp::Plug(3)), "{ops:?}");
    }
}
