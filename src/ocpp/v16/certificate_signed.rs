//! CertificateSigned (Security extension, central system -> charge point).
//!
//! The central system sends the certificate (chain), signed by the certificate authority, that
//! the charge point asked for with SignCertificate; the charge point verifies and installs it.
//! (OCPP 1.6 Security Whitepaper, use cases A02/A03)

use crate::ocpp::types::{CiString, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateSignedRequest {
    /// PEM-encoded certificate chain, the charge point's own certificate first.
    pub certificate_chain: CiString<10000>,
}

impl Validate for CertificateSignedRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateSignedResponse {
    pub status: CertificateSignedStatus,
}

impl Validate for CertificateSignedResponse {}

/// Whether the charge point accepted the signed certificate (whitepaper CertificateSignedStatusEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertificateSignedStatus {
    Accepted,
    Rejected,
}

impl CertificateSignedStatus {
    pub const ALL: [CertificateSignedStatus; 2] = [
        CertificateSignedStatus::Accepted,
        CertificateSignedStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CertificateSignedStatus::Accepted => "Accepted",
            CertificateSignedStatus::Rejected => "Rejected",
        }
    }

    pub fn parse(s: &str) -> Option<CertificateSignedStatus> {
        CertificateSignedStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for CertificateSignedRequest {
    const ACTION: &'static str = "CertificateSigned";
    type Response = CertificateSignedResponse;
}
