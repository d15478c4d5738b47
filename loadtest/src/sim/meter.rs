//! The simulated energy meter of one connector and the car plugged into it.
//!
//! Power is the least of what the charger can give (its model, a smart charging limit) and what
//! the car takes (its on-board charger; DC cars taper above 80 % state of charge). The register
//! advances by power × time; samples report what `MeterValuesSampledData` asks for: energy,
//! power, current and voltage per phase for AC, current, voltage and SoC for DC.

use super::models::{Model, Supply, DC_VOLTS, PHASE_VOLTS};
use csms::ocpp::types::{LenientString, Timestamp};
use csms::ocpp::v16::common::{
    Location, Measurand, MeterValue, Phase, ReadingContext, SampledValue, UnitOfMeasure,
};

/// The car on the cable.
#[derive(Debug, Clone, PartialEq)]
pub struct Ev {
    pub capacity_wh: f64,
    pub soc_percent: f64,
    /// Most power the car takes, in W.
    pub max_w: f64,
}

impl Ev {
    /// A car with `soc` % charge that takes at most `max_w`.
    pub fn new(capacity_wh: f64, soc_percent: f64, max_w: f64) -> Ev {
        Ev {
            capacity_wh,
            soc_percent,
            max_w,
        }
    }

    /// What the car takes now: its maximum, tapering linearly to 10 % between 80 and 100 % SoC.
    pub fn accepts_w(&self) -> f64 {
        if self.soc_percent >= 100.0 {
            0.0
        } else if self.soc_percent > 80.0 {
            self.max_w * (0.1 + 0.9 * (100.0 - self.soc_percent) / 20.0)
        } else {
            self.max_w
        }
    }

    pub fn is_full(&self) -> bool {
        self.soc_percent >= 100.0
    }
}

/// One connector's meter.
#[derive(Debug, Clone, PartialEq)]
pub struct Meter {
    /// Energy.Active.Import.Register, in Wh.
    pub register_wh: f64,
    /// Power delivered now, in W.
    pub power_w: f64,
    pub ev: Option<Ev>,
}

impl Meter {
    pub fn new(register_wh: f64) -> Meter {
        Meter {
            register_wh,
            power_w: 0.0,
            ev: None,
        }
    }

    /// Sets the power for the coming interval: `offered_w` is what the charger offers (0 when
    /// not charging).
    pub fn set_power(&mut self, offered_w: f64) {
        let taken = self.ev.as_ref().map_or(0.0, Ev::accepts_w);
        self.power_w = offered_w.min(taken).max(0.0);
    }

    /// Delivers the current power for `secs` seconds.
    pub fn advance(&mut self, secs: f64) {
        let wh = self.power_w * secs / 3600.0;
        self.register_wh += wh;
        if let Some(ev) = &mut self.ev {
            ev.soc_percent = (ev.soc_percent + 100.0 * wh / ev.capacity_wh).min(100.0);
        }
    }

    /// The register as MeterStart/MeterStop want it (whole Wh).
    pub fn wh(&self) -> i64 {
        self.register_wh.floor() as i64
    }

    /// One sample with the measurands asked for (those that do not apply are left out).
    pub fn sample(
        &self,
        model: &Model,
        measurands: &[Measurand],
        context: ReadingContext,
        at: Timestamp,
    ) -> MeterValue {
        let mut values = Vec::new();
        for m in measurands {
            match m {
                Measurand::EnergyActiveImportRegister => {
                    values.push(value(m, format!("{}", self.wh()), UnitOfMeasure::Wh, None))
                }
                Measurand::PowerActiveImport => values.push(value(
                    m,
                    format!("{:.0}", self.power_w),
                    UnitOfMeasure::W,
                    None,
                )),
                Measurand::CurrentImport | Measurand::Voltage => {
                    values.extend(self.electrical(model, *m))
                }
                Measurand::SoC if model.is_dc() => {
                    if let Some(ev) = &self.ev {
                        values.push(value(
                            m,
                            format!("{:.0}", ev.soc_percent.floor()),
                            UnitOfMeasure::Percent,
                            None,
                        ));
                    }
                }
                _ => {}
            }
        }
        for v in &mut values {
            v.context = Some(context);
            v.location = Some(if v.measurand == Some(Measurand::SoC) {
                Location::Ev
            } else {
                Location::Outlet
            });
        }
        MeterValue {
            timestamp: at,
            sampled_value: values,
        }
    }

    /// Current per phase and voltage per phase (AC) or on the DC link.
    fn electrical(&self, model: &Model, m: Measurand) -> Vec<SampledValue> {
        let (unit, amps_or_volts) = match (m, model.supply) {
            (Measurand::Voltage, Supply::Ac { .. }) => (UnitOfMeasure::V, PHASE_VOLTS),
            (Measurand::Voltage, Supply::Dc) => (UnitOfMeasure::V, DC_VOLTS),
            (_, Supply::Ac { phases }) => (
                UnitOfMeasure::A,
                self.power_w / (PHASE_VOLTS * f64::from(phases.max(1))),
            ),
            (_, Supply::Dc) => (UnitOfMeasure::A, self.power_w / DC_VOLTS),
        };
        let text = format!("{amps_or_volts:.1}");
        match model.supply {
            Supply::Dc => vec![value(&m, text, unit, None)],
            Supply::Ac { phases } => [Phase::L1, Phase::L2, Phase::L3]
                .into_iter()
                .take(usize::from(phases))
                .map(|p| {
                    let phase = if m == Measurand::Voltage {
                        voltage_phase(p)
                    } else {
                        p
                    };
                    value(&m, text.clone(), unit, Some(phase))
                })
                .collect(),
        }
    }
}

/// Voltages are reported phase to neutral.
fn voltage_phase(p: Phase) -> Phase {
    match p {
        Phase::L1 => Phase::L1N,
        Phase::L2 => Phase::L2N,
        _ => Phase::L3N,
    }
}

fn value(m: &Measurand, text: String, unit: UnitOfMeasure, phase: Option<Phase>) -> SampledValue {
    SampledValue {
        value: LenientString(text),
        context: None,
        format: None,
        measurand: Some(*m),
        phase,
        location: None,
        unit: Some(unit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::models::MODELS;

    const ALL: [Measurand; 5] = [
        Measurand::EnergyActiveImportRegister,
        Measurand::PowerActiveImport,
        Measurand::CurrentImport,
        Measurand::Voltage,
        Measurand::SoC,
    ];

    fn names(mv: &MeterValue) -> Vec<(String, Option<Phase>, String)> {
        mv.sampled_value
            .iter()
            .map(|v| {
                (
                    v.measurand
                        .map(|m| m.as_str().to_owned())
                        .unwrap_or_default(),
                    v.phase,
                    v.value.0.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn power_is_the_least_of_offer_and_car_and_energy_accumulates() {
        let mut meter = Meter::new(1000.0);
        meter.ev = Some(Ev::new(50_000.0, 50.0, 11_000.0));
        meter.set_power(22_000.0);
        assert_eq!(meter.power_w, 11_000.0);
        meter.set_power(4_000.0);
        assert_eq!(meter.power_w, 4_000.0);
        meter.advance(3600.0);
        assert_eq!(meter.wh(), 5000);
        assert_eq!(meter.ev.as_ref().unwrap().soc_percent, 58.0);
    }

    #[test]
    fn a_full_car_takes_nothing_and_tapers_before() {
        let ev = Ev::new(50_000.0, 90.0, 100_000.0);
        assert_eq!(ev.accepts_w().round(), 55_000.0);
        let mut meter = Meter::new(0.0);
        meter.ev = Some(Ev::new(1000.0, 99.0, 10_000.0));
        meter.set_power(10_000.0);
        meter.advance(3600.0);
        assert!(meter.ev.as_ref().unwrap().is_full());
        meter.set_power(10_000.0);
        assert_eq!(meter.power_w, 0.0);
    }

    #[test]
    fn ac_samples_report_each_phase_and_no_soc() {
        let model = MODELS[1]; // 11 kW, 3 phases
        let mut meter = Meter::new(12_345.6);
        meter.ev = Some(Ev::new(60_000.0, 20.0, 11_040.0));
        meter.set_power(11_040.0);
        let mv = meter.sample(
            &model,
            &ALL,
            ReadingContext::SamplePeriodic,
            Timestamp::now(),
        );
        let got = names(&mv);
        assert_eq!(
            got[0],
            ("Energy.Active.Import.Register".into(), None, "12345".into())
        );
        assert_eq!(got[1], ("Power.Active.Import".into(), None, "11040".into()));
        assert_eq!(
            got[2],
            ("Current.Import".into(), Some(Phase::L1), "16.0".into())
        );
        assert_eq!(got[5], ("Voltage".into(), Some(Phase::L1N), "230.0".into()));
        assert_eq!(got.len(), 8);
    }

    #[test]
    fn dc_samples_report_soc_from_the_car() {
        let model = MODELS[9];
        let mut meter = Meter::new(0.0);
        meter.ev = Some(Ev::new(60_000.0, 42.7, 50_000.0));
        meter.set_power(40_000.0);
        let mv = meter.sample(
            &model,
            &ALL,
            ReadingContext::SamplePeriodic,
            Timestamp::now(),
        );
        let got = names(&mv);
        assert_eq!(got.len(), 5);
        assert_eq!(got[2], ("Current.Import".into(), None, "100.0".into()));
        assert_eq!(got[4], ("SoC".into(), None, "42".into()));
        assert_eq!(mv.sampled_value[4].location, Some(Location::Ev));
    }
}
