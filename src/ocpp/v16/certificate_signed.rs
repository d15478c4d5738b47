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

// @enum CertificateSignedStatus | Whether the charge point accepted the signed certificate (whitepaper CertificateSignedStatusEnumType). | CertificateSignedResponse.json | status

impl super::Request for CertificateSignedRequest {
    const ACTION: &'static str = "CertificateSigned";
    type Response = CertificateSignedResponse;
}
