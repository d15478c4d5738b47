//! MeterValues (Core, charge point -> central system).
//!
//! "A Charge Point MAY sample the electrical meter or other sensor/transducer hardware to
//! provide extra information about its meter values." Samples are taken periodically, on clock
//! boundaries, or when triggered, and may belong to a transaction. (OCPP 1.6, 4.7)
//!
//! `connectorId` 0 is the main meter of the whole charge point. The schema wants at least one
//! `meterValue` and one `sampledValue` in each; empty lists are accepted and noted.

use super::common::MeterValue;
use crate::ocpp::types::{quirks, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeterValuesRequest {
    pub connector_id: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<i32>,
    pub meter_value: Vec<MeterValue>,
}

impl Validate for MeterValuesRequest {
    fn validate(&self) -> Result<(), String> {
        if self.meter_value.is_empty() {
            quirks::note("empty meterValue array");
        }
        for m in &self.meter_value {
            m.validate()?;
        }
        Ok(())
    }
}

/// An empty payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MeterValuesResponse {}

impl Validate for MeterValuesResponse {}

impl super::Request for MeterValuesRequest {
    const ACTION: &'static str = "MeterValues";
    type Response = MeterValuesResponse;
}
