//! Smart charging: the installed charging profiles, the limit they impose now, and the
//! composite schedule (OCPP 1.6 section 3.13).
//!
//! At one moment, per purpose the valid profile with the highest stack level wins; a TxProfile
//! overrides the TxDefaultProfile, and the ChargePointMaxProfile caps both. Limits in A are turned
//! into W with the model's supply (230 V per phase, 400 V DC).

use super::models::{Model, Supply, DC_VOLTS, PHASE_VOLTS};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use csms::ocpp::types::Timestamp;
use csms::ocpp::v16::clear_charging_profile::ClearChargingProfileRequest;
use csms::ocpp::v16::common::{
    ChargingProfile, ChargingProfileKindType as Kind, ChargingProfilePurposeType as Purpose,
    ChargingRateUnitType as Unit, ChargingSchedule, ChargingSchedulePeriod, RecurrencyKindType,
};
use csms::ocpp::v16::set_charging_profile::ChargingProfileStatus;

/// Most profiles installed at once (`MaxChargingProfilesInstalled`).
pub const MAX_PROFILES: usize = 10;

/// A profile and the connector it was set on (0: the whole charge point).
#[derive(Debug, Clone, PartialEq)]
pub struct Installed {
    pub connector: u32,
    pub profile: ChargingProfile,
}

/// Where a profile may be set: the charger's facts at that moment.
pub struct Target<'a> {
    pub connectors: u32,
    pub max_stack_level: i32,
    /// The server's id of the transaction running on the target connector, if any.
    pub transaction_id: Option<i32>,
    pub model: &'a Model,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profiles {
    pub installed: Vec<Installed>,
}

impl Profiles {
    /// SetChargingProfile.
    pub fn set(
        &mut self,
        connector: u32,
        profile: ChargingProfile,
        target: &Target,
    ) -> ChargingProfileStatus {
        let purpose = profile.charging_profile_purpose;
        let bad_connector = connector > target.connectors
            || (purpose == Purpose::ChargePointMaxProfile && connector != 0)
            || (purpose == Purpose::TxProfile && connector == 0);
        let bad_transaction = purpose == Purpose::TxProfile
            && (target.transaction_id.is_none()
                || profile
                    .transaction_id
                    .is_some_and(|t| Some(t) != target.transaction_id));
        if bad_connector || bad_transaction || profile.stack_level > target.max_stack_level {
            return ChargingProfileStatus::Rejected;
        }
        self.installed.retain(|i| {
            i.profile.charging_profile_id != profile.charging_profile_id
                && !(i.connector == connector
                    && i.profile.charging_profile_purpose == purpose
                    && i.profile.stack_level == profile.stack_level)
        });
        if self.installed.len() >= MAX_PROFILES {
            return ChargingProfileStatus::Rejected;
        }
        self.installed.push(Installed { connector, profile });
        ChargingProfileStatus::Accepted
    }

    /// ClearChargingProfile: by id, or by every criterion given (none given: all). Returns
    /// whether anything was removed.
    pub fn clear(&mut self, req: &ClearChargingProfileRequest) -> bool {
        let before = self.installed.len();
        self.installed.retain(|i| {
            let p = &i.profile;
            let matches = match req.id {
                Some(id) => p.charging_profile_id == id,
                None => {
                    req.connector_id.is_none_or(|c| c == i.connector)
                        && req
                            .charging_profile_purpose
                            .is_none_or(|x| x == p.charging_profile_purpose)
                        && req.stack_level.is_none_or(|s| s == p.stack_level)
                }
            };
            !matches
        });
        self.installed.len() != before
    }

    /// Drops the TxProfiles of a connector whose transaction ended.
    pub fn end_transaction(&mut self, connector: u32) {
        self.installed.retain(|i| {
            !(i.connector == connector && i.profile.charging_profile_purpose == Purpose::TxProfile)
        });
    }

    /// The limit in W on `connector` at `at`, if any profile imposes one.
    pub fn limit_w(
        &self,
        connector: u32,
        model: &Model,
        at: DateTime<Utc>,
        tx_start: Option<DateTime<Utc>>,
    ) -> Option<f64> {
        let best = |purpose: Purpose, on: &dyn Fn(u32) -> bool| {
            self.installed
                .iter()
                .filter(|i| i.profile.charging_profile_purpose == purpose && on(i.connector))
                .filter_map(|i| {
                    let limit = profile_limit_w(&i.profile, model, at, tx_start)?;
                    Some((i.profile.stack_level, i.connector, limit))
                })
                // Highest stack level wins; a connector's own profile before connector 0's.
                .max_by_key(|(level, c, _)| (*level, *c))
                .map(|(_, _, limit)| limit)
        };
        let max = best(Purpose::ChargePointMaxProfile, &|c| c == 0);
        let tx = if tx_start.is_some() {
            best(Purpose::TxProfile, &|c| c == connector)
        } else {
            None
        };
        let tx = tx.or_else(|| best(Purpose::TxDefaultProfile, &|c| c == 0 || c == connector));
        match (max, tx) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// GetCompositeSchedule: the limits on `connector` from `now` for `duration` seconds.
    pub fn composite(
        &self,
        connector: u32,
        duration: i32,
        unit: Option<Unit>,
        model: &Model,
        now: DateTime<Utc>,
        tx_start: Option<DateTime<Utc>>,
    ) -> ChargingSchedule {
        let unit = unit.unwrap_or(if model.is_dc() { Unit::W } else { Unit::A });
        let end = now + ChronoDuration::seconds(i64::from(duration.max(0)));
        let mut points = vec![now];
        for i in &self.installed {
            if let Some(start) = schedule_start(&i.profile, now, tx_start) {
                let cycle = cycle_secs(&i.profile).unwrap_or(0);
                for p in &i.profile.charging_schedule.charging_schedule_period {
                    for k in 0..2 {
                        points.extend(after(start, p.start_period.saturating_add(k * cycle)));
                    }
                }
                if let Some(d) = i.profile.charging_schedule.duration {
                    points.extend(after(start, d));
                }
            }
        }
        points.retain(|t| *t >= now && *t < end);
        points.sort();
        points.dedup();
        let mut periods: Vec<ChargingSchedulePeriod> = Vec::new();
        for t in points {
            let watts = self
                .limit_w(connector, model, t, tx_start)
                .unwrap_or(model.max_kw * 1000.0);
            let limit = tenths(match unit {
                Unit::W => watts,
                Unit::A => watts_to_amps(model, watts),
            });
            if periods.last().is_none_or(|p| p.limit != limit) {
                periods.push(ChargingSchedulePeriod {
                    start_period: (t - now).num_seconds(),
                    limit,
                    number_phases: model.phases().map(i64::from),
                });
            }
        }
        ChargingSchedule {
            duration: Some(duration.into()),
            start_schedule: Some(Timestamp(now)),
            charging_rate_unit: unit,
            charging_schedule_period: periods,
            min_charging_rate: None,
        }
    }
}

fn tenths(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn watts_to_amps(model: &Model, watts: f64) -> f64 {
    match model.supply {
        Supply::Ac { phases } => watts / (PHASE_VOLTS * f64::from(phases.max(1))),
        Supply::Dc => watts / DC_VOLTS,
    }
}

/// `start` plus `secs` seconds, unless that is past the representable times (schedule
/// offsets are unbounded integers).
fn after(start: DateTime<Utc>, secs: i64) -> Option<DateTime<Utc>> {
    start.checked_add_signed(ChronoDuration::try_seconds(secs)?)
}

fn cycle_secs(p: &ChargingProfile) -> Option<i64> {
    match p.recurrency_kind {
        Some(RecurrencyKindType::Daily) => Some(86_400),
        Some(RecurrencyKindType::Weekly) => Some(7 * 86_400),
        None => None,
    }
}

/// When the schedule's period 0 begins, for the cycle that contains `at`.
fn schedule_start(
    p: &ChargingProfile,
    at: DateTime<Utc>,
    tx_start: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let valid_from = p.valid_from.map(|t| t.0);
    if valid_from.is_some_and(|f| at < f) || p.valid_to.is_some_and(|t| at >= t.0) {
        return None;
    }
    let given = p.charging_schedule.start_schedule.map(|t| t.0);
    match p.charging_profile_kind {
        Kind::Absolute => Some(given.or(valid_from).or(tx_start).unwrap_or(at)),
        Kind::Relative => Some(tx_start.unwrap_or(at)),
        Kind::Recurring => {
            let start = given?;
            let cycle = cycle_secs(p)?;
            let elapsed = (at - start).num_seconds().rem_euclid(cycle);
            Some(at - ChronoDuration::seconds(elapsed))
        }
    }
}

/// The limit one profile sets at `at`, in W.
fn profile_limit_w(
    p: &ChargingProfile,
    model: &Model,
    at: DateTime<Utc>,
    tx_start: Option<DateTime<Utc>>,
) -> Option<f64> {
    let start = schedule_start(p, at, tx_start)?;
    let elapsed = (at - start).num_seconds();
    let schedule = &p.charging_schedule;
    if elapsed < 0 || schedule.duration.is_some_and(|d| elapsed >= d) {
        return None;
    }
    let period = schedule
        .charging_schedule_period
        .iter()
        .rev()
        .find(|period| period.start_period <= elapsed)?;
    let phases = period.number_phases.and_then(|n| u8::try_from(n).ok());
    Some(match schedule.charging_rate_unit {
        Unit::W => period.limit,
        Unit::A => model.amps_to_watts(period.limit, phases),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::models::MODELS;

    fn profile(id: i32, purpose: Purpose, level: i32, periods: &[(i64, f64)]) -> ChargingProfile {
        ChargingProfile {
            charging_profile_id: id,
            transaction_id: None,
            stack_level: level,
            charging_profile_purpose: purpose,
            charging_profile_kind: Kind::Relative,
            recurrency_kind: None,
            valid_from: None,
            valid_to: None,
            charging_schedule: ChargingSchedule {
                duration: None,
                start_schedule: None,
                charging_rate_unit: Unit::A,
                charging_schedule_period: periods
                    .iter()
                    .map(|&(start_period, limit)| ChargingSchedulePeriod {
                        start_period,
                        limit,
                        number_phases: None,
                    })
                    .collect(),
                min_charging_rate: None,
            },
        }
    }

    fn target(transaction_id: Option<i32>) -> Target<'static> {
        Target {
            connectors: 2,
            max_stack_level: 8,
            transaction_id,
            model: &MODELS[2],
        }
    }

    #[test]
    fn set_checks_connector_purpose_and_transaction() {
        use ChargingProfileStatus::{Accepted, Rejected};
        let mut p = Profiles::default();
        let max = profile(1, Purpose::ChargePointMaxProfile, 0, &[(0, 32.0)]);
        let tx = profile(2, Purpose::TxProfile, 0, &[(0, 10.0)]);
        assert_eq!(p.set(1, max.clone(), &target(None)), Rejected);
        assert_eq!(p.set(0, max, &target(None)), Accepted);
        assert_eq!(p.set(1, tx.clone(), &target(None)), Rejected);
        assert_eq!(p.set(0, tx.clone(), &target(Some(5))), Rejected);
        assert_eq!(p.set(3, tx.clone(), &target(Some(5))), Rejected);
        assert_eq!(p.set(1, tx.clone(), &target(Some(5))), Accepted);
        let mut deep = tx.clone();
        deep.stack_level = 9;
        assert_eq!(p.set(1, deep, &target(Some(5))), Rejected);
        // The same id replaces the old profile.
        assert_eq!(p.set(1, tx, &target(Some(5))), Accepted);
        assert_eq!(p.installed.len(), 2);
    }

    #[test]
    fn the_lowest_of_max_and_tx_limits_applies() {
        let model = &MODELS[2]; // 22 kW, 3 phases
        let now = Utc::now();
        let mut p = Profiles::default();
        assert_eq!(p.limit_w(1, model, now, Some(now)), None);
        p.set(
            0,
            profile(1, Purpose::TxDefaultProfile, 0, &[(0, 16.0)]),
            &target(None),
        );
        assert_eq!(p.limit_w(1, model, now, Some(now)), Some(16.0 * 690.0));
        p.set(
            1,
            profile(2, Purpose::TxProfile, 1, &[(0, 10.0), (60, 6.0)]),
            &target(Some(1)),
        );
        assert_eq!(p.limit_w(1, model, now, Some(now)), Some(6900.0));
        let later = now + ChronoDuration::seconds(61);
        assert_eq!(p.limit_w(1, model, later, Some(now)), Some(4140.0));
        p.set(
            0,
            profile(3, Purpose::ChargePointMaxProfile, 0, &[(0, 8.0)]),
            &target(None),
        );
        assert_eq!(p.limit_w(1, model, now, Some(now)), Some(5520.0));
        // Without a transaction only the default and the maximum count.
        assert_eq!(p.limit_w(2, model, now, None), Some(5520.0));
        p.end_transaction(1);
        assert!(p.clear(&ClearChargingProfileRequest {
            id: Some(3),
            ..Default::default()
        }));
        assert_eq!(p.limit_w(1, model, now, Some(now)), Some(16.0 * 690.0));
        assert!(!p.clear(&ClearChargingProfileRequest {
            id: Some(3),
            ..Default::default()
        }));
        assert!(p.clear(&ClearChargingProfileRequest::default()));
        assert!(p.installed.is_empty());
    }

    #[test]
    fn composite_schedule_lists_the_limit_changes() {
        let model = &MODELS[2];
        let now = Utc::now();
        let mut p = Profiles::default();
        p.set(
            1,
            profile(2, Purpose::TxProfile, 1, &[(0, 10.0), (600, 6.0)]),
            &target(Some(1)),
        );
        let s = p.composite(1, 3600, None, model, now, Some(now));
        assert_eq!(s.charging_rate_unit, Unit::A);
        let periods: Vec<(i64, f64)> = s
            .charging_schedule_period
            .iter()
            .map(|x| (x.start_period, x.limit))
            .collect();
        assert_eq!(periods, vec![(0, 10.0), (600, 6.0)]);
        let s = p.composite(2, 60, Some(Unit::W), model, now, None);
        assert_eq!(s.charging_schedule_period[0].limit, 22_000.0);
    }
}
