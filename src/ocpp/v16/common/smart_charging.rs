//! Smart-charging profiles: [`ChargingProfile`], its [`ChargingSchedule`] and their enums
//! (OCPP 1.6, 7.8 to 7.12), used by SetChargingProfile, RemoteStartTransaction,
//! GetCompositeSchedule and ClearChargingProfile.

use super::{at_least, ordered, tenths};
use crate::ocpp::types::{Timestamp, Validate};
use serde::{Deserialize, Serialize};

/// Limits over time (SetChargingProfile `csChargingProfiles`, RemoteStartTransaction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargingProfile {
    pub charging_profile_id: i32,
    /// Only with purpose `TxProfile`: the transaction the profile applies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<i32>,
    /// Precedence among profiles of the same purpose: the higher, the stronger (>= 0).
    pub stack_level: i32,
    pub charging_profile_purpose: ChargingProfilePurposeType,
    pub charging_profile_kind: ChargingProfileKindType,
    /// Only with kind `Recurring`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrency_kind: Option<RecurrencyKindType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<Timestamp>,
    pub charging_schedule: ChargingSchedule,
}

/// Checks what the schema cannot say (OCPP 1.6, 7.8): run it before sending a profile.
impl Validate for ChargingProfile {
    fn validate(&self) -> Result<(), String> {
        at_least("stackLevel", self.stack_level.into(), 0)?;
        if self.transaction_id.is_some()
            && self.charging_profile_purpose != ChargingProfilePurposeType::TxProfile
        {
            return Err(
                "transactionId: only allowed when chargingProfilePurpose is TxProfile".into(),
            );
        }
        let recurring = self.charging_profile_kind == ChargingProfileKindType::Recurring;
        if recurring != self.recurrency_kind.is_some() {
            return Err(
                "recurrencyKind: required when, and only when, chargingProfileKind is Recurring"
                    .into(),
            );
        }
        if recurring && self.charging_schedule.start_schedule.is_none() {
            return Err("chargingSchedule.startSchedule: required for a Recurring profile".into());
        }
        ordered("validFrom", self.valid_from, "validTo", self.valid_to)?;
        self.charging_schedule
            .validate()
            .map_err(|e| format!("chargingSchedule.{e}"))
    }
}

/// The limits of a profile, as periods relative to the start of the schedule. Its integers
/// are unbounded in the schema, so they are read as `i64`: a charger's answer
/// (GetCompositeSchedule) may carry values beyond `i32`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargingSchedule {
    /// Seconds; absent means the last period lasts until the profile ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_schedule: Option<Timestamp>,
    pub charging_rate_unit: ChargingRateUnitType,
    pub charging_schedule_period: Vec<ChargingSchedulePeriod>,
    /// In `chargingRateUnit`, one decimal at most.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_charging_rate: Option<f64>,
}

impl Validate for ChargingSchedule {
    fn validate(&self) -> Result<(), String> {
        if let Some(d) = self.duration {
            at_least("duration", d, 0)?;
        }
        if let Some(rate) = self.min_charging_rate {
            tenths("minChargingRate", rate)?;
        }
        let periods = &self.charging_schedule_period;
        let Some(first) = periods.first() else {
            return Err("chargingSchedulePeriod: at least one period is required".into());
        };
        if first.start_period != 0 {
            return Err(
                "chargingSchedulePeriod[0].startPeriod: the first period must start at 0".into(),
            );
        }
        for (i, p) in periods.iter().enumerate() {
            p.validate()
                .map_err(|e| format!("chargingSchedulePeriod[{i}].{e}"))?;
            if i > 0 && p.start_period <= periods[i - 1].start_period {
                return Err(format!("chargingSchedulePeriod[{i}].startPeriod: periods must start in increasing order"));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargingSchedulePeriod {
    /// Seconds from the start of the schedule.
    pub start_period: i64,
    /// In `chargingRateUnit`, one decimal at most (the schema's `multipleOf: 0.1`).
    pub limit: f64,
    /// 1 to 3; absent means 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_phases: Option<i64>,
}

impl Validate for ChargingSchedulePeriod {
    fn validate(&self) -> Result<(), String> {
        at_least("startPeriod", self.start_period, 0)?;
        tenths("limit", self.limit)?;
        if let Some(n) = self.number_phases {
            if !(1..=3).contains(&n) {
                return Err(format!("numberPhases: must be 1, 2 or 3, got {n}"));
            }
        }
        Ok(())
    }
}

/// What a charging profile is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChargingProfilePurposeType {
    ChargePointMaxProfile,
    TxDefaultProfile,
    TxProfile,
}

impl ChargingProfilePurposeType {
    pub const ALL: [ChargingProfilePurposeType; 3] = [
        ChargingProfilePurposeType::ChargePointMaxProfile,
        ChargingProfilePurposeType::TxDefaultProfile,
        ChargingProfilePurposeType::TxProfile,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChargingProfilePurposeType::ChargePointMaxProfile => "ChargePointMaxProfile",
            ChargingProfilePurposeType::TxDefaultProfile => "TxDefaultProfile",
            ChargingProfilePurposeType::TxProfile => "TxProfile",
        }
    }

    pub fn parse(s: &str) -> Option<ChargingProfilePurposeType> {
        ChargingProfilePurposeType::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// How the schedule of a profile is anchored in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChargingProfileKindType {
    Absolute,
    Recurring,
    Relative,
}

impl ChargingProfileKindType {
    pub const ALL: [ChargingProfileKindType; 3] = [
        ChargingProfileKindType::Absolute,
        ChargingProfileKindType::Recurring,
        ChargingProfileKindType::Relative,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChargingProfileKindType::Absolute => "Absolute",
            ChargingProfileKindType::Recurring => "Recurring",
            ChargingProfileKindType::Relative => "Relative",
        }
    }

    pub fn parse(s: &str) -> Option<ChargingProfileKindType> {
        ChargingProfileKindType::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// The period after which a `Recurring` schedule starts again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RecurrencyKindType {
    Daily,
    Weekly,
}

impl RecurrencyKindType {
    pub const ALL: [RecurrencyKindType; 2] =
        [RecurrencyKindType::Daily, RecurrencyKindType::Weekly];

    pub fn as_str(self) -> &'static str {
        match self {
            RecurrencyKindType::Daily => "Daily",
            RecurrencyKindType::Weekly => "Weekly",
        }
    }

    pub fn parse(s: &str) -> Option<RecurrencyKindType> {
        RecurrencyKindType::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// Amperes (per phase) or watts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChargingRateUnitType {
    A,
    W,
}

impl ChargingRateUnitType {
    pub const ALL: [ChargingRateUnitType; 2] = [ChargingRateUnitType::A, ChargingRateUnitType::W];

    pub fn as_str(self) -> &'static str {
        match self {
            ChargingRateUnitType::A => "A",
            ChargingRateUnitType::W => "W",
        }
    }

    pub fn parse(s: &str) -> Option<ChargingRateUnitType> {
        ChargingRateUnitType::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> ChargingProfile {
        ChargingProfile {
            charging_profile_id: 1,
            transaction_id: None,
            stack_level: 0,
            charging_profile_purpose: ChargingProfilePurposeType::TxDefaultProfile,
            charging_profile_kind: ChargingProfileKindType::Absolute,
            recurrency_kind: None,
            valid_from: None,
            valid_to: None,
            charging_schedule: ChargingSchedule {
                duration: None,
                start_schedule: None,
                charging_rate_unit: ChargingRateUnitType::A,
                charging_schedule_period: vec![
                    ChargingSchedulePeriod {
                        start_period: 0,
                        limit: 16.0,
                        number_phases: None,
                    },
                    ChargingSchedulePeriod {
                        start_period: 3600,
                        limit: 7.3,
                        number_phases: Some(1),
                    },
                ],
                min_charging_rate: None,
            },
        }
    }

    #[test]
    fn charging_profile_checks_name_the_field() {
        assert_eq!(profile().validate(), Ok(()));
        type Spoil = fn(&mut ChargingProfile);
        let table: [(Spoil, &str); 8] = [
            (|p| p.stack_level = -1, "stackLevel"),
            (|p| p.transaction_id = Some(3), "transactionId"),
            (
                |p| p.charging_profile_kind = ChargingProfileKindType::Recurring,
                "recurrencyKind",
            ),
            (
                |p| p.charging_schedule.charging_schedule_period.clear(),
                "chargingSchedule.chargingSchedulePeriod",
            ),
            (
                |p| p.charging_schedule.charging_schedule_period[0].start_period = 5,
                "chargingSchedule.chargingSchedulePeriod[0].startPeriod",
            ),
            (
                |p| p.charging_schedule.charging_schedule_period[1].limit = 7.25,
                "chargingSchedule.chargingSchedulePeriod[1].limit",
            ),
            (
                |p| p.charging_schedule.charging_schedule_period[1].number_phases = Some(4),
                "chargingSchedule.chargingSchedulePeriod[1].numberPhases",
            ),
            (
                |p| p.charging_schedule.charging_schedule_period[1].start_period = 0,
                "chargingSchedule.chargingSchedulePeriod[1].startPeriod",
            ),
        ];
        for (spoil, field) in table {
            let mut p = profile();
            spoil(&mut p);
            let e = p.validate().unwrap_err();
            assert!(
                e.starts_with(&format!("{field}:")),
                "expected {field}, got {e}"
            );
        }
    }
}
