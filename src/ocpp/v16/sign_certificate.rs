//! SignCertificate (Security extension, charge point -> central system).
//!
//! A charge point sends a certificate signing request for its own key pair; the central system
//! answers whether it will process it and later sends the signed certificate with
//! CertificateSigned. (OCPP 1.6 Security Whitepaper, use cases A02/A03)

use crate::ocpp::types::{CiString, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignCertificateRequest {
    /// PEM-encoded PKCS#10 certificate signing request.
    pub csr: CiString<5500>,
}

impl Validate for SignCertificateRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignCertificateResponse {
    pub status: GenericStatus,
}

impl Validate for SignCertificateResponse {}

/// Whether the central system will process the request (whitepaper GenericStatusEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GenericStatus {
    Accepted,
    Rejected,
}

impl GenericStatus {
    pub const ALL: [GenericStatus; 2] = [GenericStatus::Accepted, GenericStatus::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            GenericStatus::Accepted => "Accepted",
            GenericStatus::Rejected => "Rejected",
        }
    }

    pub fn parse(s: &str) -> Option<GenericStatus> {
        GenericStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl super::Request for SignCertificateRequest {
    const ACTION: &'static str = "SignCertificate";
    type Response = SignCertificateResponse;
}
