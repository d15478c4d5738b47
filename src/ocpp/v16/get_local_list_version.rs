//! GetLocalListVersion (Local Auth List Management, central system -> charge point).
//!
//! "Central System can request a Charge Point for the version number of the Local
//! Authorization List." 0 means no list is installed, -1 that local lists are not supported.
//! (OCPP 1.6, 5.10)

use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

/// An empty payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GetLocalListVersionRequest {}

impl Validate for GetLocalListVersionRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetLocalListVersionResponse {
    /// Unbounded in the schema; a charger's numbering may exceed `i32`.
    pub list_version: i64,
}

impl Validate for GetLocalListVersionResponse {}

impl super::Request for GetLocalListVersionRequest {
    const ACTION: &'static str = "GetLocalListVersion";
    type Response = GetLocalListVersionResponse;
}
