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

// @enum InstallCertificateStatus | The charge point's answer (whitepaper InstallCertificateStatusEnumType). | InstallCertificateResponse.json | status

impl super::Request for InstallCertificateRequest {
    const ACTION: &'static str = "InstallCertificate";
    type Response = InstallCertificateResponse;
}
