//! The charger's configuration keys, as GetConfiguration / ChangeConfiguration see them.
//!
//! A realistic set: the Core profile keys of OCPP 1.6 section 9, the Local Auth List, Reservation
//! and Smart Charging keys, the security extension's `AuthorizationKey` and `SecurityProfile`, and
//! two vendor keys (`FreeVendEnabled`, `FreeVendIdTag`: start a session with a fixed tag as soon as
//! a cable is plugged, as many public chargers can). Read-only keys are Rejected when changed,
//! unknown keys are NotSupported, `AuthorizationKey` is write-only (listed without its value).

use csms::ocpp::v16::change_configuration::ConfigurationStatus;
use csms::ocpp::v16::common::Measurand;

/// What a key accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    /// A non-negative integer.
    Int,
    /// A comma-separated list of measurands.
    Measurands,
    Text,
}

/// How a key may be accessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadWrite,
    ReadOnly,
    WriteOnly,
}

struct KeyDef {
    name: &'static str,
    kind: Kind,
    access: Access,
    default: &'static str,
}

const fn key(name: &'static str, kind: Kind, access: Access, default: &'static str) -> KeyDef {
    KeyDef {
        name,
        kind,
        access,
        default,
    }
}

use Access::{ReadOnly as RO, ReadWrite as RW, WriteOnly as WO};
use Kind::{Bool, Int, Measurands, Text};

/// Every key the simulated charger knows. `NumberOfConnectors` is filled in per model.
const KEYS: &[KeyDef] = &[
    key("AllowOfflineTxForUnknownId", Bool, RW, "true"),
    key("AuthorizationCacheEnabled", Bool, RW, "true"),
    key("AuthorizationKey", Text, WO, ""),
    key("AuthorizeRemoteTxRequests", Bool, RW, "false"),
    key("ChargeProfileMaxStackLevel", Int, RO, "8"),
    key(
        "ChargingScheduleAllowedChargingRateUnit",
        Text,
        RO,
        "Current,Power",
    ),
    key("ChargingScheduleMaxPeriods", Int, RO, "24"),
    key("ClockAlignedDataInterval", Int, RW, "0"),
    key("ConnectionTimeOut", Int, RW, "60"),
    key("ConnectorPhaseRotation", Text, RW, "0.RST"),
    key("CpoName", Text, RW, ""),
    key("FreeVendEnabled", Bool, RW, "false"),
    key("FreeVendIdTag", Text, RW, "FREEVEND"),
    key("GetConfigurationMaxKeys", Int, RO, "50"),
    key("HeartbeatInterval", Int, RW, "300"),
    key("LocalAuthListEnabled", Bool, RW, "true"),
    key("LocalAuthListMaxLength", Int, RO, "1000"),
    key("LocalAuthorizeOffline", Bool, RW, "true"),
    key("LocalPreAuthorize", Bool, RW, "false"),
    key("MaxChargingProfilesInstalled", Int, RO, "10"),
    key("MeterValueSampleInterval", Int, RW, "60"),
    key(
        "MeterValuesAlignedData",
        Measurands,
        RW,
        "Energy.Active.Import.Register",
    ),
    key(
        "MeterValuesSampledData",
        Measurands,
        RW,
        "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC",
    ),
    key("NumberOfConnectors", Int, RO, "1"),
    key("ReserveConnectorZeroSupported", Bool, RO, "false"),
    key("ResetRetries", Int, RW, "3"),
    key("SecurityProfile", Int, RW, "0"),
    key("SendLocalListMaxLength", Int, RO, "100"),
    key("StopTransactionOnEVSideDisconnect", Bool, RW, "true"),
    key("StopTransactionOnInvalidId", Bool, RW, "true"),
    key("StopTxnAlignedData", Measurands, RW, ""),
    key(
        "StopTxnSampledData",
        Measurands,
        RW,
        "Energy.Active.Import.Register",
    ),
    key(
        "SupportedFeatureProfiles",
        Text,
        RO,
        "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger",
    ),
    key("TransactionMessageAttempts", Int, RW, "3"),
    key("TransactionMessageRetryInterval", Int, RW, "10"),
    key("UnlockConnectorOnEVSideDisconnect", Bool, RW, "true"),
    key("WebSocketPingInterval", Int, RW, "0"),
];

/// The values of one charger's keys (same order as the definitions).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    values: Vec<String>,
}

/// One key as GetConfiguration reports it: name, read-only, value (None when write-only).
pub type Entry = (&'static str, bool, Option<String>);

impl Config {
    /// Defaults, with `NumberOfConnectors` set.
    pub fn new(connectors: u32) -> Config {
        let mut config = Config {
            values: KEYS.iter().map(|k| k.default.to_owned()).collect(),
        };
        config.force("NumberOfConnectors", &connectors.to_string());
        config
    }

    fn index(name: &str) -> Option<usize> {
        KEYS.iter().position(|k| k.name.eq_ignore_ascii_case(name))
    }

    /// Sets a key locally, whatever its access (for the simulator's own set-up).
    pub fn force(&mut self, name: &str, value: &str) {
        if let Some(i) = Self::index(name) {
            self.values[i] = value.to_owned();
        }
    }

    /// ChangeConfiguration: validates and stores the value.
    pub fn change(&mut self, name: &str, value: &str) -> ConfigurationStatus {
        let Some(i) = Self::index(name) else {
            return ConfigurationStatus::NotSupported;
        };
        let def = &KEYS[i];
        let valid = match def.kind {
            Bool => value == "true" || value == "false",
            Int => value.parse::<u32>().is_ok(),
            Measurands => value
                .split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .all(|m| Measurand::parse(m).is_some()),
            Text => true,
        };
        let allowed = match def.name {
            // Security profile 1 keys are 16 to 40 bytes; the profile may only be raised.
            "AuthorizationKey" => (16..=40).contains(&value.len()),
            "SecurityProfile" => value.parse::<u32>().is_ok_and(|v| v >= self.int(def.name)),
            _ => true,
        };
        if def.access == RO || !valid || !allowed {
            return ConfigurationStatus::Rejected;
        }
        self.values[i] = value.to_owned();
        ConfigurationStatus::Accepted
    }

    /// GetConfiguration: the requested keys (all when `names` is empty) and the unknown ones.
    pub fn get(&self, names: &[&str]) -> (Vec<Entry>, Vec<String>) {
        let entry = |i: usize| {
            let def = &KEYS[i];
            let value = (def.access != WO).then(|| self.values[i].clone());
            (def.name, def.access == RO, value)
        };
        if names.is_empty() {
            return ((0..KEYS.len()).map(entry).collect(), Vec::new());
        }
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for name in names {
            match Self::index(name) {
                Some(i) => known.push(entry(i)),
                None => unknown.push((*name).to_owned()),
            }
        }
        (known, unknown)
    }

    pub fn text(&self, name: &str) -> &str {
        Self::index(name).map_or("", |i| self.values[i].as_str())
    }

    pub fn int(&self, name: &str) -> u32 {
        self.text(name).parse().unwrap_or(0)
    }

    pub fn flag(&self, name: &str) -> bool {
        self.text(name) == "true"
    }

    /// A measurand list key, parsed.
    pub fn measurands(&self, name: &str) -> Vec<Measurand> {
        self.text(name)
            .split(',')
            .filter_map(|m| Measurand::parse(m.trim()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConfigurationStatus as C;

    #[test]
    fn change_validates_access_and_values() {
        let mut config = Config::new(2);
        let table = [
            ("HeartbeatInterval", "60", C::Accepted),
            ("heartbeatinterval", "90", C::Accepted),
            ("HeartbeatInterval", "soon", C::Rejected),
            ("HeartbeatInterval", "-5", C::Rejected),
            ("NumberOfConnectors", "4", C::Rejected),
            ("NoSuchKey", "1", C::NotSupported),
            ("LocalPreAuthorize", "yes", C::Rejected),
            ("LocalPreAuthorize", "true", C::Accepted),
            ("MeterValuesSampledData", "Voltage,SoC", C::Accepted),
            ("MeterValuesSampledData", "Voltage,Speed", C::Rejected),
            ("AuthorizationKey", "short", C::Rejected),
            ("AuthorizationKey", "0123456789abcdef0123", C::Accepted),
            ("SecurityProfile", "1", C::Accepted),
            ("SecurityProfile", "0", C::Rejected),
        ];
        for (key, value, expected) in table {
            assert_eq!(config.change(key, value), expected, "{key}={value}");
        }
        assert_eq!(config.int("HeartbeatInterval"), 90);
        assert_eq!(config.int("NumberOfConnectors"), 2);
        assert_eq!(
            config.measurands("MeterValuesSampledData"),
            vec![Measurand::Voltage, Measurand::SoC]
        );
    }

    #[test]
    fn get_lists_known_and_unknown_keys_and_hides_write_only_values() {
        let config = Config::new(1);
        let (all, unknown) = config.get(&[]);
        assert_eq!(all.len(), KEYS.len());
        assert!(unknown.is_empty());
        let (known, unknown) = config.get(&["NumberOfConnectors", "AuthorizationKey", "Nope"]);
        assert_eq!(
            known,
            vec![
                ("NumberOfConnectors", true, Some("1".to_owned())),
                ("AuthorizationKey", false, None),
            ]
        );
        assert_eq!(unknown, vec!["Nope".to_owned()]);
    }
}
