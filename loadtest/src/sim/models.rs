//! The twelve demo charger models: who makes them, what they report at boot, how many connectors
//! they have and how much power they deliver. Vendors are invented; the figures are typical of
//! real wall boxes, AC pedestals and DC fast chargers.

/// How a model delivers energy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Supply {
    /// Alternating current over 1 or 3 phases at 230 V per phase.
    Ac { phases: u8 },
    /// Direct current; the meter reports voltage, current and the car's state of charge.
    Dc,
}

/// One charger model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    pub vendor: &'static str,
    pub model: &'static str,
    pub firmware: &'static str,
    pub connectors: u32,
    /// Most power one connector delivers, in kW.
    pub max_kw: f64,
    pub supply: Supply,
    pub meter_type: &'static str,
}

/// Nominal voltage of one AC phase.
pub const PHASE_VOLTS: f64 = 230.0;
/// Nominal DC link voltage used to turn DC power into current.
pub const DC_VOLTS: f64 = 400.0;

const fn ac(
    vendor: &'static str,
    model: &'static str,
    firmware: &'static str,
    connectors: u32,
    max_kw: f64,
    phases: u8,
) -> Model {
    Model {
        vendor,
        model,
        firmware,
        connectors,
        max_kw,
        supply: Supply::Ac { phases },
        meter_type: "AC-Meter-3P",
    }
}

const fn dc(
    vendor: &'static str,
    model: &'static str,
    firmware: &'static str,
    connectors: u32,
    max_kw: f64,
) -> Model {
    Model {
        vendor,
        model,
        firmware,
        connectors,
        max_kw,
        supply: Supply::Dc,
        meter_type: "DC-Meter-1000V",
    }
}

/// All demo models; charger `n` of a fleet uses `MODELS[LINEUP[n % 12]]`.
pub const MODELS: [Model; 12] = [
    ac("Voltaro", "HomeBox 7", "1.4.2", 1, 7.4, 1),
    ac("Voltaro", "HomeBox 11", "1.4.2", 1, 11.0, 3),
    ac("Ampera", "CityPost 22", "3.2.0", 2, 22.0, 3),
    ac("Ampera", "CityPost Duo", "3.2.0", 2, 11.0, 3),
    ac("Kilowatt Labs", "KW-Wall 22", "2.0.7", 1, 22.0, 3),
    ac("Northgrid", "NG-Triple AC", "5.1.3", 3, 22.0, 3),
    ac("Ohmwerk", "OW-Flex 3.7", "0.9.12", 1, 3.7, 1),
    ac("Ohmwerk", "OW-Depot 43", "0.9.12", 2, 43.0, 3),
    dc("Lumen EV", "DC Compact 24", "2.3.1", 1, 24.0),
    dc("Lumen EV", "DC Fast 50", "2.3.1", 2, 50.0),
    dc("Northgrid", "NG-HPC 150", "5.1.3", 2, 150.0),
    dc("Kilowatt Labs", "KW-Ultra 350", "2.0.7", 2, 350.0),
];

/// The order in which a fleet uses the models: the five chargers of the demo are wall boxes,
/// an AC pedestal and DC fast chargers alike; twelve chargers use every model once.
const LINEUP: [usize; 12] = [0, 9, 2, 10, 4, 1, 3, 5, 6, 7, 8, 11];

impl Model {
    /// The model charger number `n` of a fleet uses (`n` from 0).
    pub fn for_index(n: usize) -> &'static Model {
        &MODELS[LINEUP[n % LINEUP.len()]]
    }

    /// Phases of an AC model, `None` for DC.
    pub fn phases(&self) -> Option<u8> {
        match self.supply {
            Supply::Ac { phases } => Some(phases),
            Supply::Dc => None,
        }
    }

    pub fn is_dc(&self) -> bool {
        self.supply == Supply::Dc
    }

    /// Watts that `amps` per phase (AC) or on the DC link deliver.
    pub fn amps_to_watts(&self, amps: f64, phases: Option<u8>) -> f64 {
        match self.supply {
            Supply::Ac { phases: p } => amps * PHASE_VOLTS * f64::from(phases.unwrap_or(p).min(p)),
            Supply::Dc => amps * DC_VOLTS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_fit_the_boot_notification_limits() {
        for m in MODELS {
            assert!(m.vendor.len() <= 20 && m.model.len() <= 20, "{m:?}");
            assert!(m.connectors >= 1 && m.max_kw > 0.0, "{m:?}");
        }
        assert_eq!(MODELS.iter().filter(|m| m.is_dc()).count(), 4);
    }

    #[test]
    fn five_chargers_mix_ac_and_dc_and_twelve_use_every_model() {
        let first_five: Vec<&Model> = (0..5).map(Model::for_index).collect();
        assert!(first_five.iter().any(|m| m.is_dc()), "{first_five:?}");
        assert!(first_five.iter().any(|m| !m.is_dc()), "{first_five:?}");
        let mut used: Vec<usize> = LINEUP.to_vec();
        used.sort_unstable();
        assert_eq!(used, (0..MODELS.len()).collect::<Vec<_>>());
        assert_eq!(Model::for_index(12), Model::for_index(0));
    }

    #[test]
    fn amps_turn_into_watts_per_supply() {
        let ac3 = MODELS[1];
        assert_eq!(ac3.amps_to_watts(16.0, None), 16.0 * 230.0 * 3.0);
        assert_eq!(ac3.amps_to_watts(16.0, Some(1)), 16.0 * 230.0);
        let dc = MODELS[9];
        assert_eq!(dc.amps_to_watts(100.0, None), 40_000.0);
    }
}
