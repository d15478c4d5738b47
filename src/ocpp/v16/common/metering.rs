//! Meter readings: [`MeterValue`] and [`SampledValue`] with their enums (OCPP 1.6, 7.17 and
//! 7.43), used by MeterValues and by StopTransaction's `transactionData`.

use crate::ocpp::types::{quirks, LenientString, Timestamp, Validate};
use serde::{Deserialize, Serialize};

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
        self.measurand
            .unwrap_or(Measurand::EnergyActiveImportRegister)
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
            ValueFormat::Raw => self
                .value
                .0
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite()),
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
    pub const ALL: [ReadingContext; 8] = [
        ReadingContext::InterruptionBegin,
        ReadingContext::InterruptionEnd,
        ReadingContext::SampleClock,
        ReadingContext::SamplePeriodic,
        ReadingContext::TransactionBegin,
        ReadingContext::TransactionEnd,
        ReadingContext::Trigger,
        ReadingContext::Other,
    ];

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
    pub const ALL: [Measurand; 22] = [
        Measurand::EnergyActiveExportRegister,
        Measurand::EnergyActiveImportRegister,
        Measurand::EnergyReactiveExportRegister,
        Measurand::EnergyReactiveImportRegister,
        Measurand::EnergyActiveExportInterval,
        Measurand::EnergyActiveImportInterval,
        Measurand::EnergyReactiveExportInterval,
        Measurand::EnergyReactiveImportInterval,
        Measurand::PowerActiveExport,
        Measurand::PowerActiveImport,
        Measurand::PowerOffered,
        Measurand::PowerReactiveExport,
        Measurand::PowerReactiveImport,
        Measurand::PowerFactor,
        Measurand::CurrentImport,
        Measurand::CurrentExport,
        Measurand::CurrentOffered,
        Measurand::Voltage,
        Measurand::Frequency,
        Measurand::Temperature,
        Measurand::SoC,
        Measurand::Rpm,
    ];

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
    pub const ALL: [Phase; 10] = [
        Phase::L1,
        Phase::L2,
        Phase::L3,
        Phase::N,
        Phase::L1N,
        Phase::L2N,
        Phase::L3N,
        Phase::L1L2,
        Phase::L2L3,
        Phase::L3L1,
    ];

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
    pub const ALL: [Location; 5] = [
        Location::Cable,
        Location::Ev,
        Location::Inlet,
        Location::Outlet,
        Location::Body,
    ];

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
    pub const ALL: [UnitOfMeasure; 18] = [
        UnitOfMeasure::Wh,
        UnitOfMeasure::KWh,
        UnitOfMeasure::Varh,
        UnitOfMeasure::KVarh,
        UnitOfMeasure::W,
        UnitOfMeasure::KW,
        UnitOfMeasure::Va,
        UnitOfMeasure::KVa,
        UnitOfMeasure::Var,
        UnitOfMeasure::KVar,
        UnitOfMeasure::A,
        UnitOfMeasure::V,
        UnitOfMeasure::K,
        UnitOfMeasure::Celcius,
        UnitOfMeasure::Celsius,
        UnitOfMeasure::Fahrenheit,
        UnitOfMeasure::Percent,
        UnitOfMeasure::Hertz,
    ];

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
        assert_eq!(
            v.measurand_or_default(),
            Measurand::EnergyActiveImportRegister
        );
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
        assert_eq!(
            quirks::take(),
            vec!["number sent where a string is required"]
        );
        // Sent back strictly, as a string.
        assert_eq!(
            serde_json::to_value(&v).unwrap(),
            json!({"value": "29.86", "unit": "kWh"})
        );
    }

    #[test]
    fn sampled_value_fractional_string_and_signed_data() {
        let v: SampledValue = decode(&json!({"value": "29.86"})).unwrap();
        assert_eq!(v.numeric(), Some(29.86));
        let v: SampledValue =
            decode(&json!({"value": "AQIDBA==", "format": "SignedData"})).unwrap();
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
        let m: MeterValue =
            decode(&json!({"timestamp": "2024-05-01T10:00:00Z", "sampledValue": []})).unwrap();
        assert!(m.sampled_value.is_empty());
        m.validate().unwrap();
        assert_eq!(quirks::take(), vec!["empty sampledValue array"]);
    }

    #[test]
    fn enum_spellings_are_the_spec_ones() {
        assert_eq!(Measurand::parse("SoC"), Some(Measurand::SoC));
        assert_eq!(
            Measurand::EnergyActiveImportRegister.as_str(),
            "Energy.Active.Import.Register"
        );
        assert_eq!(
            UnitOfMeasure::parse("Celsius"),
            Some(UnitOfMeasure::Celsius)
        );
        assert_eq!(
            UnitOfMeasure::parse("Celcius"),
            Some(UnitOfMeasure::Celcius)
        );
        assert_eq!(Phase::L1N.as_str(), "L1-N");
        assert_eq!(Phase::parse("L4"), None);
    }
}
