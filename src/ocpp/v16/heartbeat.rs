//! Heartbeat (Core, charge point -> central system).
//!
//! "To let the Central System know that a Charge Point is still connected, a Charge Point sends
//! a heartbeat after a configurable time interval." The answer carries the central system's
//! time, which the charge point may use to synchronise its clock. (OCPP 1.6, 4.6)

use crate::ocpp::types::{Timestamp, Validate};
use serde::{Deserialize, Serialize};

/// An empty payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HeartbeatRequest {}

impl Validate for HeartbeatRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeartbeatResponse {
    pub current_time: Timestamp,
}

impl Validate for HeartbeatResponse {}

impl super::Request for HeartbeatRequest {
    const ACTION: &'static str = "Heartbeat";
    type Response = HeartbeatResponse;
}
