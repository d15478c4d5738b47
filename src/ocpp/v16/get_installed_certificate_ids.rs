//! GetInstalledCertificateIds (Security extension, central system -> charge point).
//!
//! The central system asks which root certificates of a given kind are installed; the charge
//! point answers with their hash data, or NotFound. (OCPP 1.6 Security Whitepaper, use case M03)

use super::common::{CertificateHashData, CertificateUse};
use crate::ocpp::types::{quirks, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetInstalledCertificateIdsRequest {
    pub certificate_type: CertificateUse,
}

impl Validate for GetInstalledCertificateIdsRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetInstalledCertificateIdsResponse {
    /// At least one entry when present, by the schema; an empty list is accepted and noted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_hash_data: Option<Vec<CertificateHashData>>,
    pub status: GetInstalledCertificateStatus,
}

impl Validate for GetInstalledCertificateIdsResponse {
    fn validate(&self) -> Result<(), String> {
        if self
            .certificate_hash_data
            .as_ref()
            .is_some_and(Vec::is_empty)
        {
            quirks::note("empty certificateHashData array");
        }
        Ok(())
    }
}

/// Whether certificates of the kind asked for were found (whitepaper GetInstalledCertificateStatusEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GetInstalledCertificateStatus {
    Accepted,
    NotFound,
}

impl GetInstalledCertificateStatus {
    pub const ALL: [GetInstalledCertificateStatus; 2] = [
        GetInstalledCertificateStatus::Accepted,
        GetInstalledCertificateStatus::NotFound,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GetInstalledCertificateStatus::Accepted => "Accepted",
            GetInstalledCertificateStatus::NotFound => "NotFound",
        }
    }

    pub fn parse(s: &str) -> Option<GetInstalledCertificateStatus> {
        GetInstalledCertificateStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for GetInstalledCertificateIdsRequest {
    const ACTION: &'static str = "GetInstalledCertificateIds";
    type Response = GetInstalledCertificateIdsResponse;
}
