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

/// Whether the cache was cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClearCacheStatus {
    Accepted,
    Rejected,
}

impl ClearCacheStatus {
    pub const ALL: [ClearCacheStatus; 2] = [ClearCacheStatus::Accepted, ClearCacheStatus::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            ClearCacheStatus::Accepted => "Accepted",
            ClearCacheStatus::Rejected => "Rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ClearCacheStatus> {
        ClearCacheStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl super::Request for ClearCacheRequest {
    const ACTION: &'static str = "ClearCache";
    type Response = ClearCacheResponse;
}
