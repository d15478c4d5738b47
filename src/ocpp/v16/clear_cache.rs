//! ClearCache (Core, central system -> charge point).
//!
//! "Central System can request a Charge Point to clear its Authorization Cache."
//! (OCPP 1.6, 5.4)

use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

/// An empty payload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClearCacheRequest {}

impl Validate for ClearCacheRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClearCacheResponse {
    pub status: ClearCacheStatus,
}

impl Validate for ClearCacheResponse {}

// @enum ClearCacheStatus | Whether the cache was cleared. | ClearCacheResponse.json | status

impl super::Request for ClearCacheRequest {
    const ACTION: &'static str = "ClearCache";
    type Response = ClearCacheResponse;
}
