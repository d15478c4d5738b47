//! Types that several OCPP 1.6 actions share: the verdict on an id tag ([`IdTagInfo`]), meter
//! readings ([`MeterValue`], [`SampledValue`]), smart-charging profiles ([`ChargingProfile`]),
//! certificate references of the security extension ([`CertificateHashData`]), a few status
//! enums used by more than one action, and the range checks behind the `Validate` impls.
//!
//! Names and spellings follow the OCPP 1.6 specification (section 7, "Types") and the Security
//! Whitepaper; the official JSON schemas decide what is required and how long a string may be.

use crate::ocpp::types::{quirks, CiString, IdToken, LenientString, Timestamp, Validate};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// Authorization

/// What the central system says about an id tag (Authorize, StartTransaction, StopTransaction,
/// and each entry of a local authorization list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdTagInfo {
    /// Until when the id tag may be cached as authorized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry_date: Option<Timestamp>,
    /// The group the id tag belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id_tag: Option<IdToken>,
    pub status: AuthorizationStatus,
}

impl IdTagInfo {
    /// A verdict without expiry or parent.
    pub fn new(status: AuthorizationStatus) -> Self {
        IdTagInfo { expiry_date: None, parent_id_tag: None, status }
    }
}

impl Validate for IdTagInfo {}

/// Whether an id tag may charge (OCPP 1.6, 7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuthorizationStatus {
    Accepted,
    Blocked,
    Expired,
    Invalid,
    ConcurrentTx,
}

impl AuthorizationStatus {
    pub const ALL: [AuthorizationStatus; 5] = [AuthorizationStatus::Accepted, AuthorizationStatus::Blocked, AuthorizationStatus::Expired, AuthorizationStatus::Invalid, AuthorizationStatus::ConcurrentTx];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizationStatus::Accepted => "Accepted",
            AuthorizationStatus::Blocked => "Blocked",
            AuthorizationStatus::Expired => "Expired",
            AuthorizationStatus::Invalid => "Invalid",
            AuthorizationStatus::ConcurrentTx => "ConcurrentTx",
        }
    }

    pub fn parse(s: &str) -> Option<AuthorizationStatus> {
        AuthorizationStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

// ---------------------------------------------------------------------------------------------
// Meter values

/// Readings taken at one point in time (MeterValues, StopTransaction.transactionData).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeterValue {
    pub timestamp: Timestamp,
    /// The schema wants at least one; real chargers send empty lists, which we accept.
    pub sampled_value: Vec<SampledValue>,
}

impl Validate for MeterValue {
    fn validate(&self) -> Result<(), String> {
        if self.sampled_value.is_empty() {
            quirks::note("empty sampledValue array");
        }
        Ok(())
    }
}

/// One measured value. Absent optional fields have the defaults the spec gives them (7.43),
/// available through the `*_or_default` methods; the fields themselves keep what was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SampledValue {
    /// The value as a string: a decimal number for `Raw`, a blob for `SignedData`. Some
    /// chargers send a JSON number; it is accepted and noted.
    pub value: LenientString,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<ReadingContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<ValueFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measurand: Option<Measurand>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitOfMeasure>,
}

impl SampledValue {
    /// A raw reading with every optional field absent.
    pub fn new(value: impl Into<String>) -> Self {
        SampledValue {
            value: LenientString(value.into()),
            context: None,
            format: None,
            measurand: None,
            phase: None,
            location: None,
            unit: None,
        }
    }

    /// `context`, defaulting to `Sample.Periodic`.
    pub fn context_or_default(&self) -> ReadingContext {
        self.context.unwrap_or(ReadingContext::SamplePeriodic)
    }

    /// `format`, defaulting to `Raw`.
    pub fn format_or_default(&self) -> ValueFormat {
        self.format.unwrap_or(ValueFormat::Raw)
    }

    /// `measurand`, defaulting to `Energy.Active.Import.Register`.
    pub fn measurand_or_default(&self) -> Measurand {
        self.measurand.unwrap_or(Measurand::EnergyActiveImportRegister)
    }

    /// `location`, defaulting to `Outlet`.
    pub fn location_or_default(&self) -> Location {
        self.location.unwrap_or(Location::Outlet)
    }

    /// `unit`, defaulting to `Wh`.
    pub fn unit_or_default(&self) -> UnitOfMeasure {
        self.unit.unwrap_or(UnitOfMeasure::Wh)
    }

    /// The value as a number, if it is a raw (unsigned) decimal reading.
    pub fn numeric(&self) -> Option<f64> {
        match self.format_or_default() {
            ValueFormat::Raw => self.value.0.trim().parse().ok().filter(|v: &f64| v.is_finite()),
            ValueFormat::SignedData => None,
        }
    }
}

impl Validate for SampledValue {}

/// Why a value was sampled (default `Sample.Periodic`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReadingContext {
    #[serde(rename = "Interruption.Begin")]
    InterruptionBegin,
    #[serde(rename = "Interruption.End")]
    InterruptionEnd,
    #[serde(rename = "Sample.Clock")]
    SampleClock,
    #[serde(rename = "Sample.Periodic")]
    SamplePeriodic,
    #[serde(rename = "Transaction.Begin")]
    TransactionBegin,
    #[serde(rename = "Transaction.End")]
    TransactionEnd,
    Trigger,
    Other,
}

impl ReadingContext {
    pub const ALL: [ReadingContext; 8] = [ReadingContext::InterruptionBegin, ReadingContext::InterruptionEnd, ReadingContext::SampleClock, ReadingContext::SamplePeriodic, ReadingContext::TransactionBegin, ReadingContext::TransactionEnd, ReadingContext::Trigger, ReadingContext::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            ReadingContext::InterruptionBegin => "Interruption.Begin",
            ReadingContext::InterruptionEnd => "Interruption.End",
            ReadingContext::SampleClock => "Sample.Clock",
            ReadingContext::SamplePeriodic => "Sample.Periodic",
            ReadingContext::TransactionBegin => "Transaction.Begin",
            ReadingContext::TransactionEnd => "Transaction.End",
            ReadingContext::Trigger => "Trigger",
            ReadingContext::Other => "Other",
        }
    }

    pub fn parse(s: &str) -> Option<ReadingContext> {
        ReadingContext::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// `Raw` for a decimal number, `SignedData` for a signed blob (default `Raw`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ValueFormat {
    Raw,
    SignedData,
}

impl ValueFormat {
    pub const ALL: [ValueFormat; 2] = [ValueFormat::Raw, ValueFormat::SignedData];

    pub fn as_str(self) -> &'static str {
        match self {
            ValueFormat::Raw => "Raw",
            ValueFormat::SignedData => "SignedData",
        }
    }

    pub fn parse(s: &str) -> Option<ValueFormat> {
        ValueFormat::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What was measured (default `Energy.Active.Import.Register`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Measurand {
    #[serde(rename = "Energy.Active.Export.Register")]
    EnergyActiveExportRegister,
    #[serde(rename = "Energy.Active.Import.Register")]
    EnergyActiveImportRegister,
    #[serde(rename = "Energy.Reactive.Export.Register")]
    EnergyReactiveExportRegister,
    #[serde(rename = "Energy.Reactive.Import.Register")]
    EnergyReactiveImportRegister,
    #[serde(rename = "Energy.Active.Export.Interval")]
    EnergyActiveExportInterval,
    #[serde(rename = "Energy.Active.Import.Interval")]
    EnergyActiveImportInterval,
    #[serde(rename = "Energy.Reactive.Export.Interval")]
    EnergyReactiveExportInterval,
    #[serde(rename = "Energy.Reactive.Import.Interval")]
    EnergyReactiveImportInterval,
    #[serde(rename = "Power.Active.Export")]
    PowerActiveExport,
    #[serde(rename = "Power.Active.Import")]
    PowerActiveImport,
    #[serde(rename = "Power.Offered")]
    PowerOffered,
    #[serde(rename = "Power.Reactive.Export")]
    PowerReactiveExport,
    #[serde(rename = "Power.Reactive.Import")]
    PowerReactiveImport,
    #[serde(rename = "Power.Factor")]
    PowerFactor,
    #[serde(rename = "Current.Import")]
    CurrentImport,
    #[serde(rename = "Current.Export")]
    CurrentExport,
    #[serde(rename = "Current.Offered")]
    CurrentOffered,
    Voltage,
    Frequency,
    Temperature,
    SoC,
    #[serde(rename = "RPM")]
    Rpm,
}

impl Measurand {
    pub const ALL: [Measurand; 22] = [Measurand::EnergyActiveExportRegister, Measurand::EnergyActiveImportRegister, Measurand::EnergyReactiveExportRegister, Measurand::EnergyReactiveImportRegister, Measurand::EnergyActiveExportInterval, Measurand::EnergyActiveImportInterval, Measurand::EnergyReactiveExportInterval, Measurand::EnergyReactiveImportInterval, Measurand::PowerActiveExport, Measurand::PowerActiveImport, Measurand::PowerOffered, Measurand::PowerReactiveExport, Measurand::PowerReactiveImport, Measurand::PowerFactor, Measurand::CurrentImport, Measurand::CurrentExport, Measurand::CurrentOffered, Measurand::Voltage, Measurand::Frequency, Measurand::Temperature, Measurand::SoC, Measurand::Rpm];

    pub fn as_str(self) -> &'static str {
        match self {
            Measurand::EnergyActiveExportRegister => "Energy.Active.Export.Register",
            Measurand::EnergyActiveImportRegister => "Energy.Active.Import.Register",
            Measurand::EnergyReactiveExportRegister => "Energy.Reactive.Export.Register",
            Measurand::EnergyReactiveImportRegister => "Energy.Reactive.Import.Register",
            Measurand::EnergyActiveExportInterval => "Energy.Active.Export.Interval",
            Measurand::EnergyActiveImportInterval => "Energy.Active.Import.Interval",
            Measurand::EnergyReactiveExportInterval => "Energy.Reactive.Export.Interval",
            Measurand::EnergyReactiveImportInterval => "Energy.Reactive.Import.Interval",
            Measurand::PowerActiveExport => "Power.Active.Export",
            Measurand::PowerActiveImport => "Power.Active.Import",
            Measurand::PowerOffered => "Power.Offered",
            Measurand::PowerReactiveExport => "Power.Reactive.Export",
            Measurand::PowerReactiveImport => "Power.Reactive.Import",
            Measurand::PowerFactor => "Power.Factor",
            Measurand::CurrentImport => "Current.Import",
            Measurand::CurrentExport => "Current.Export",
            Measurand::CurrentOffered => "Current.Offered",
            Measurand::Voltage => "Voltage",
            Measurand::Frequency => "Frequency",
            Measurand::Temperature => "Temperature",
            Measurand::SoC => "SoC",
            Measurand::Rpm => "RPM",
        }
    }

    pub fn parse(s: &str) -> Option<Measurand> {
        Measurand::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The phase(s) a value was measured on; `L1-N` is phase to neutral, `L1-L2` phase to phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Phase {
    L1,
    L2,
    L3,
    N,
    #[serde(rename = "L1-N")]
    L1N,
    #[serde(rename = "L2-N")]
    L2N,
    #[serde(rename = "L3-N")]
    L3N,
    #[serde(rename = "L1-L2")]
    L1L2,
    #[serde(rename = "L2-L3")]
    L2L3,
    #[serde(rename = "L3-L1")]
    L3L1,
}

impl Phase {
    pub const ALL: [Phase; 10] = [Phase::L1, Phase::L2, Phase::L3, Phase::N, Phase::L1N, Phase::L2N, Phase::L3N, Phase::L1L2, Phase::L2L3, Phase::L3L1];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::L1 => "L1",
            Phase::L2 => "L2",
            Phase::L3 => "L3",
            Phase::N => "N",
            Phase::L1N => "L1-N",
            Phase::L2N => "L2-N",
            Phase::L3N => "L3-N",
            Phase::L1L2 => "L1-L2",
            Phase::L2L3 => "L2-L3",
            Phase::L3L1 => "L3-L1",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Where a value was measured (default `Outlet`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Location {
    Cable,
    #[serde(rename = "EV")]
    Ev,
    Inlet,
    Outlet,
    Body,
}

impl Location {
    pub const ALL: [Location; 5] = [Location::Cable, Location::Ev, Location::Inlet, Location::Outlet, Location::Body];

    pub fn as_str(self) -> &'static str {
        match self {
            Location::Cable => "Cable",
            Location::Ev => "EV",
            Location::Inlet => "Inlet",
            Location::Outlet => "Outlet",
            Location::Body => "Body",
        }
    }

    pub fn parse(s: &str) -> Option<Location> {
        Location::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The unit of a value (default `Wh`). The spec keeps the misspelled `Celcius` next to `Celsius`; `Hertz` is in the MeterValues schema only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnitOfMeasure {
    Wh,
    #[serde(rename = "kWh")]
    KWh,
    #[serde(rename = "varh")]
    Varh,
    #[serde(rename = "kvarh")]
    KVarh,
    W,
    #[serde(rename = "kW")]
    KW,
    #[serde(rename = "VA")]
    Va,
    #[serde(rename = "kVA")]
    KVa,
    #[serde(rename = "var")]
    Var,
    #[serde(rename = "kvar")]
    KVar,
    A,
    V,
    K,
    Celcius,
    Celsius,
    Fahrenheit,
    Percent,
    Hertz,
}

impl UnitOfMeasure {
    pub const ALL: [UnitOfMeasure; 18] = [UnitOfMeasure::Wh, UnitOfMeasure::KWh, UnitOfMeasure::Varh, UnitOfMeasure::KVarh, UnitOfMeasure::W, UnitOfMeasure::KW, UnitOfMeasure::Va, UnitOfMeasure::KVa, UnitOfMeasure::Var, UnitOfMeasure::KVar, UnitOfMeasure::A, UnitOfMeasure::V, UnitOfMeasure::K, UnitOfMeasure::Celcius, UnitOfMeasure::Celsius, UnitOfMeasure::Fahrenheit, UnitOfMeasure::Percent, UnitOfMeasure::Hertz];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitOfMeasure::Wh => "Wh",
            UnitOfMeasure::KWh => "kWh",
            UnitOfMeasure::Varh => "varh",
            UnitOfMeasure::KVarh => "kvarh",
            UnitOfMeasure::W => "W",
            UnitOfMeasure::KW => "kW",
            UnitOfMeasure::Va => "VA",
            UnitOfMeasure::KVa => "kVA",
            UnitOfMeasure::Var => "var",
            UnitOfMeasure::KVar => "kvar",
            UnitOfMeasure::A => "A",
            UnitOfMeasure::V => "V",
            UnitOfMeasure::K => "K",
            UnitOfMeasure::Celcius => "Celcius",
            UnitOfMeasure::Celsius => "Celsius",
            UnitOfMeasure::Fahrenheit => "Fahrenheit",
            UnitOfMeasure::Percent => "Percent",
            UnitOfMeasure::Hertz => "Hertz",
        }
    }

    pub fn parse(s: &str) -> Option<UnitOfMeasure> {
        UnitOfMeasure::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

// ---------------------------------------------------------------------------------------------
// Smart charging

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
            return Err("transactionId: only allowed when chargingProfilePurpose is TxProfile".into());
        }
        let recurring = self.charging_profile_kind == ChargingProfileKindType::Recurring;
        if recurring != self.recurrency_kind.is_some() {
            return Err("recurrencyKind: required when, and only when, chargingProfileKind is Recurring".into());
        }
        if recurring && self.charging_schedule.start_schedule.is_none() {
            return Err("chargingSchedule.startSchedule: required for a Recurring profile".into());
        }
        ordered("validFrom", self.valid_from, "validTo", self.valid_to)?;
        self.charging_schedule.validate().map_err(|e| format!("chargingSchedule.{e}"))
    }
}

/// The limits of a profile, as periods relative to the start of the schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargingSchedule {
    /// Seconds; absent means the last period lasts until the profile ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<i32>,
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
            at_least("duration", d.into(), 0)?;
        }
        if let Some(rate) = self.min_charging_rate {
            tenths("minChargingRate", rate)?;
        }
        let periods = &self.charging_schedule_period;
        let Some(first) = periods.first() else {
            return Err("chargingSchedulePeriod: at least one period is required".into());
        };
        if first.start_period != 0 {
            return Err("chargingSchedulePeriod[0].startPeriod: the first period must start at 0".into());
        }
        for (i, p) in periods.iter().enumerate() {
            p.validate().map_err(|e| format!("chargingSchedulePeriod[{i}].{e}"))?;
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
    pub start_period: i32,
    /// In `chargingRateUnit`, one decimal at most (the schema's `multipleOf: 0.1`).
    pub limit: f64,
    /// 1 to 3; absent means 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_phases: Option<i32>,
}

impl Validate for ChargingSchedulePeriod {
    fn validate(&self) -> Result<(), String> {
        at_least("startPeriod", self.start_period.into(), 0)?;
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
    pub const ALL: [ChargingProfilePurposeType; 3] = [ChargingProfilePurposeType::ChargePointMaxProfile, ChargingProfilePurposeType::TxDefaultProfile, ChargingProfilePurposeType::TxProfile];

    pub fn as_str(self) -> &'static str {
        match self {
            ChargingProfilePurposeType::ChargePointMaxProfile => "ChargePointMaxProfile",
            ChargingProfilePurposeType::TxDefaultProfile => "TxDefaultProfile",
            ChargingProfilePurposeType::TxProfile => "TxProfile",
        }
    }

    pub fn parse(s: &str) -> Option<ChargingProfilePurposeType> {
        ChargingProfilePurposeType::ALL.into_iter().find(|v| v.as_str() == s)
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
    pub const ALL: [ChargingProfileKindType; 3] = [ChargingProfileKindType::Absolute, ChargingProfileKindType::Recurring, ChargingProfileKindType::Relative];

    pub fn as_str(self) -> &'static str {
        match self {
            ChargingProfileKindType::Absolute => "Absolute",
            ChargingProfileKindType::Recurring => "Recurring",
            ChargingProfileKindType::Relative => "Relative",
        }
    }

    pub fn parse(s: &str) -> Option<ChargingProfileKindType> {
        ChargingProfileKindType::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The period after which a `Recurring` schedule starts again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RecurrencyKindType {
    Daily,
    Weekly,
}

impl RecurrencyKindType {
    pub const ALL: [RecurrencyKindType; 2] = [RecurrencyKindType::Daily, RecurrencyKindType::Weekly];

    pub fn as_str(self) -> &'static str {
        match self {
            RecurrencyKindType::Daily => "Daily",
            RecurrencyKindType::Weekly => "Weekly",
        }
    }

    pub fn parse(s: &str) -> Option<RecurrencyKindType> {
        RecurrencyKindType::ALL.into_iter().find(|v| v.as_str() == s)
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
        ChargingRateUnitType::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

// ---------------------------------------------------------------------------------------------
// Security extension

/// Identifies an installed certificate (Security Whitepaper, CertificateHashDataType).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateHashData {
    pub hash_algorithm: HashAlgorithm,
    /// Hash of the issuer's distinguished name, hex encoded.
    pub issuer_name_hash: CiString<128>,
    /// Hash of the issuer's public key, hex encoded.
    pub issuer_key_hash: CiString<128>,
    /// The certificate's serial number, hex encoded.
    pub serial_number: CiString<40>,
}

impl Validate for CertificateHashData {}

/// The hash used in [`CertificateHashData`] (whitepaper HashAlgorithmEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HashAlgorithm {
    #[serde(rename = "SHA256")]
    Sha256,
    #[serde(rename = "SHA384")]
    Sha384,
    #[serde(rename = "SHA512")]
    Sha512,
}

impl HashAlgorithm {
    pub const ALL: [HashAlgorithm; 3] = [HashAlgorithm::Sha256, HashAlgorithm::Sha384, HashAlgorithm::Sha512];

    pub fn as_str(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "SHA256",
            HashAlgorithm::Sha384 => "SHA384",
            HashAlgorithm::Sha512 => "SHA512",
        }
    }

    pub fn parse(s: &str) -> Option<HashAlgorithm> {
        HashAlgorithm::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Which kind of root certificate (whitepaper CertificateUseEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertificateUse {
    CentralSystemRootCertificate,
    ManufacturerRootCertificate,
}

impl CertificateUse {
    pub const ALL: [CertificateUse; 2] = [CertificateUse::CentralSystemRootCertificate, CertificateUse::ManufacturerRootCertificate];

    pub fn as_str(self) -> &'static str {
        match self {
            CertificateUse::CentralSystemRootCertificate => "CentralSystemRootCertificate",
            CertificateUse::ManufacturerRootCertificate => "ManufacturerRootCertificate",
        }
    }

    pub fn parse(s: &str) -> Option<CertificateUse> {
        CertificateUse::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

// ---------------------------------------------------------------------------------------------
// Status enums shared by several actions

/// A charge point's answer to RemoteStartTransaction and RemoteStopTransaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RemoteStartStopStatus {
    Accepted,
    Rejected,
}

impl RemoteStartStopStatus {
    pub const ALL: [RemoteStartStopStatus; 2] = [RemoteStartStopStatus::Accepted, RemoteStartStopStatus::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            RemoteStartStopStatus::Accepted => "Accepted",
            RemoteStartStopStatus::Rejected => "Rejected",
        }
    }

    pub fn parse(s: &str) -> Option<RemoteStartStopStatus> {
        RemoteStartStopStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A charge point's answer to TriggerMessage and ExtendedTriggerMessage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TriggerMessageStatus {
    Accepted,
    Rejected,
    NotImplemented,
}

impl TriggerMessageStatus {
    pub const ALL: [TriggerMessageStatus; 3] = [TriggerMessageStatus::Accepted, TriggerMessageStatus::Rejected, TriggerMessageStatus::NotImplemented];

    pub fn as_str(self) -> &'static str {
        match self {
            TriggerMessageStatus::Accepted => "Accepted",
            TriggerMessageStatus::Rejected => "Rejected",
            TriggerMessageStatus::NotImplemented => "NotImplemented",
        }
    }

    pub fn parse(s: &str) -> Option<TriggerMessageStatus> {
        TriggerMessageStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

// ---------------------------------------------------------------------------------------------
// Checks behind the `Validate` impls; each error starts with the field as spelled on the wire.

/// `value >= min`.
pub(crate) fn at_least(field: &str, value: i64, min: i64) -> Result<(), String> {
    if value < min {
        Err(format!("{field}: must be at least {min}, got {value}"))
    } else {
        Ok(())
    }
}

/// A non-negative decimal with at most one digit after the point (`multipleOf: 0.1`).
pub(crate) fn tenths(field: &str, value: f64) -> Result<(), String> {
    let scaled = value * 10.0;
    if !value.is_finite() || value < 0.0 || (scaled - scaled.round()).abs() > 1e-6 {
        Err(format!("{field}: must be a non-negative multiple of 0.1, got {value}"))
    } else {
        Ok(())
    }
}

/// An absolute URI: a scheme (`ftp:`, `https:` ...) followed by a path without white space.
pub(crate) fn uri(field: &str, value: &str) -> Result<(), String> {
    let ok = value.split_once(':').is_some_and(|(scheme, rest)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !rest.is_empty()
            && !rest.contains(char::is_whitespace)
    });
    if ok {
        Ok(())
    } else {
        Err(format!("{field}: not an absolute URI: {value:?}"))
    }
}

/// `from <= to` when both are given.
pub(crate) fn ordered(
    from_field: &str,
    from: Option<Timestamp>,
    to_field: &str,
    to: Option<Timestamp>,
) -> Result<(), String> {
    match (from, to) {
        (Some(f), Some(t)) if f > t => Err(format!("{to_field}: before {from_field}")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocpp::types::decode;
    use serde_json::json;

    #[test]
    fn sampled_value_absent_fields_take_the_spec_defaults() {
        quirks::take();
        let v: SampledValue = decode(&json!({"value": "1234"})).unwrap();
        assert_eq!(v, SampledValue::new("1234"));
        assert_eq!(v.context_or_default(), ReadingContext::SamplePeriodic);
        assert_eq!(v.format_or_default(), ValueFormat::Raw);
        assert_eq!(v.measurand_or_default(), Measurand::EnergyActiveImportRegister);
        assert_eq!(v.location_or_default(), Location::Outlet);
        assert_eq!(v.unit_or_default(), UnitOfMeasure::Wh);
        assert_eq!(v.phase, None);
        assert_eq!(v.numeric(), Some(1234.0));
        // Defaults are not written back: what was absent stays absent.
        assert_eq!(serde_json::to_value(&v).unwrap(), json!({"value": "1234"}));
        assert!(quirks::take().is_empty());
    }

    #[test]
    fn sampled_value_number_is_accepted_as_string_and_noted() {
        quirks::take();
        let v: SampledValue = decode(&json!({"value": 29.86, "unit": "kWh"})).unwrap();
        assert_eq!(v.value.0, "29.86");
        assert_eq!(v.numeric(), Some(29.86));
        assert_eq!(quirks::take(), vec!["number sent where a string is required"]);
        // Sent back strictly, as a string.
        assert_eq!(serde_json::to_value(&v).unwrap(), json!({"value": "29.86", "unit": "kWh"}));
    }

    #[test]
    fn sampled_value_fractional_string_and_signed_data() {
        let v: SampledValue = decode(&json!({"value": "29.86"})).unwrap();
        assert_eq!(v.numeric(), Some(29.86));
        let v: SampledValue = decode(&json!({"value": "AQIDBA==", "format": "SignedData"})).unwrap();
        assert_eq!(v.numeric(), None);
        let v: SampledValue = decode(&json!({"value": "n/a"})).unwrap();
        assert_eq!(v.numeric(), None);
    }

    #[test]
    fn sampled_value_spellings_are_the_spec_ones() {
        let v: SampledValue = decode(&json!({
            "value": "230.1", "context": "Sample.Clock", "measurand": "Voltage",
            "phase": "L1-N", "location": "EV", "unit": "Celcius"
        }))
        .unwrap();
        assert_eq!(v.context, Some(ReadingContext::SampleClock));
        assert_eq!(v.phase, Some(Phase::L1N));
        assert_eq!(v.location, Some(Location::Ev));
        assert_eq!(v.unit, Some(UnitOfMeasure::Celcius));
        let e = decode::<SampledValue>(&json!({"value": "1", "measurand": "Energy"})).unwrap_err();
        assert!(e.description.starts_with("measurand:"), "{}", e.description);
    }

    #[test]
    fn empty_sampled_value_list_is_accepted_and_noted() {
        quirks::take();
        let m: MeterValue = decode(&json!({"timestamp": "2024-05-01T10:00:00Z", "sampledValue": []})).unwrap();
        assert!(m.sampled_value.is_empty());
        m.validate().unwrap();
        assert_eq!(quirks::take(), vec!["empty sampledValue array"]);
    }

    #[test]
    fn enum_as_str_agrees_with_serde() {
        fn check<T: Serialize + Copy>(all: &[T], as_str: fn(T) -> &'static str) {
            for v in all {
                assert_eq!(serde_json::to_value(v).unwrap(), json!(as_str(*v)));
            }
        }
        check(&AuthorizationStatus::ALL, AuthorizationStatus::as_str);
        check(&ReadingContext::ALL, ReadingContext::as_str);
        check(&ValueFormat::ALL, ValueFormat::as_str);
        check(&Measurand::ALL, Measurand::as_str);
        check(&Phase::ALL, Phase::as_str);
        check(&Location::ALL, Location::as_str);
        check(&UnitOfMeasure::ALL, UnitOfMeasure::as_str);
        check(&ChargingProfilePurposeType::ALL, ChargingProfilePurposeType::as_str);
        check(&ChargingProfileKindType::ALL, ChargingProfileKindType::as_str);
        check(&RecurrencyKindType::ALL, RecurrencyKindType::as_str);
        check(&ChargingRateUnitType::ALL, ChargingRateUnitType::as_str);
        check(&HashAlgorithm::ALL, HashAlgorithm::as_str);
        check(&CertificateUse::ALL, CertificateUse::as_str);
        check(&RemoteStartStopStatus::ALL, RemoteStartStopStatus::as_str);
        check(&TriggerMessageStatus::ALL, TriggerMessageStatus::as_str);
        assert_eq!(Measurand::parse("SoC"), Some(Measurand::SoC));
        assert_eq!(UnitOfMeasure::parse("Celsius"), Some(UnitOfMeasure::Celsius));
        assert_eq!(Phase::parse("L4"), None);
    }

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
                    ChargingSchedulePeriod { start_period: 0, limit: 16.0, number_phases: None },
                    ChargingSchedulePeriod { start_period: 3600, limit: 7.3, number_phases: Some(1) },
                ],
                min_charging_rate: None,
            },
        }
    }

    #[test]
    fn charging_profile_checks_name_the_field() {
        assert_eq!(profile().validate(), Ok(()));
        let table: [(fn(&mut ChargingProfile), &str); 8] = [
            (|p| p.stack_level = -1, "stackLevel"),
            (|p| p.transaction_id = Some(3), "transactionId"),
            (|p| p.charging_profile_kind = ChargingProfileKindType::Recurring, "recurrencyKind"),
            (|p| p.charging_schedule.charging_schedule_period.clear(), "chargingSchedule.chargingSchedulePeriod"),
            (|p| p.charging_schedule.charging_schedule_period[0].start_period = 5, "chargingSchedule.chargingSchedulePeriod[0].startPeriod"),
            (|p| p.charging_schedule.charging_schedule_period[1].limit = 7.25, "chargingSchedule.chargingSchedulePeriod[1].limit"),
            (|p| p.charging_schedule.charging_schedule_period[1].number_phases = Some(4), "chargingSchedule.chargingSchedulePeriod[1].numberPhases"),
            (|p| p.charging_schedule.charging_schedule_period[1].start_period = 0, "chargingSchedule.chargingSchedulePeriod[1].startPeriod"),
        ];
        for (spoil, field) in table {
            let mut p = profile();
            spoil(&mut p);
            let e = p.validate().unwrap_err();
            assert!(e.starts_with(&format!("{field}:")), "expected {field}, got {e}");
        }
    }

    #[test]
    fn tenths_accepts_one_decimal_only() {
        for ok in [0.0, 0.1, 7.3, 16.0, 32.5, 11000.0] {
            assert_eq!(tenths("limit", ok), Ok(()), "{ok}");
        }
        for bad in [-0.1, 7.25, 0.01, f64::NAN, f64::INFINITY] {
            assert!(tenths("limit", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn uri_check() {
        for ok in ["ftp://user:pw@example.com/logs/", "https://example.com/fw.bin", "sftp://h/p"] {
            assert_eq!(uri("location", ok), Ok(()), "{ok}");
        }
        for bad in ["", "example.com/fw.bin", "/tmp/x", "https://exa mple.com", "1ftp://x", "ftp:"] {
            assert!(uri("location", bad).is_err(), "{bad}");
        }
    }
}
