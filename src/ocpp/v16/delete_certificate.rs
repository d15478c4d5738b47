//! DeleteCertificate (Security extension, central system -> charge point).
//!
//! The central system asks a charge point to delete an installed root certificate, named by
//! its hash data. (OCPP 1.6 Security Whitepaper, use case M04)

use super::common::CertificateHashData;
use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteCertificateRequest {
    pub certificate_hash_data: CertificateHashData,
}

impl Validate for DeleteCertificateRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteCertificateResponse {
    pub status: DeleteCertificateStatus,
}

impl Validate for DeleteCertificateResponse {}

// @enum DeleteCertificateStatus | The charge point's answer (whitepaper DeleteCertificateStatusEnumType). | DeleteCertificateResponse.json | status

impl super::Request for DeleteCertificateRequest {
    const ACTION: &'static str = "DeleteCertificate";
    type Response = DeleteCertificateResponse;
}
