//! InstallCertificate (Security extension, central system -> charge point).
//!
//! The central system asks a charge point to install a new root certificate, of the central
//! system or of the manufacturer. (OCPP 1.6 Security Whitepaper, use case M05)

use super::common::CertificateUse;
use crate::ocpp::types::{CiString, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallCertificateRequest {
    pub certificate_type: CertificateUse,
    /// PEM-encoded X.509 certificate.
    pub certificate: CiString<5500>,
}

impl Validate for InstallCertificateRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallCertificateResponse {
    pub status: InstallCertificateStatus,
}

impl Validate for InstallCertificateResponse {}

/// The charge point's answer (whitepaper InstallCertificateStatusEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InstallCertificateStatus {
    Accepted,
    Failed,
    Rejected,
}

impl InstallCertificateStatus {
    pub const ALL: [InstallCertificateStatus; 3] = [
        InstallCertificateStatus::Accepted,
        InstallCertificateStatus::Failed,
        InstallCertificateStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InstallCertificateStatus::Accepted => "Accepted",
            InstallCertificateStatus::Failed => "Failed",
            InstallCertificateStatus::Rejected => "Rejected",
        }
    }

    pub fn parse(s: &str) -> Option<InstallCertificateStatus> {
        InstallCertificateStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for InstallCertificateRequest {
    const ACTION: &'static str = "InstallCertificate";
    type Response = InstallCertificateResponse;
}
