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

/// The charge point's answer (whitepaper DeleteCertificateStatusEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeleteCertificateStatus {
    Accepted,
    Failed,
    NotFound,
}

impl DeleteCertificateStatus {
    pub const ALL: [DeleteCertificateStatus; 3] = [
        DeleteCertificateStatus::Accepted,
        DeleteCertificateStatus::Failed,
        DeleteCertificateStatus::NotFound,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeleteCertificateStatus::Accepted => "Accepted",
            DeleteCertificateStatus::Failed => "Failed",
            DeleteCertificateStatus::NotFound => "NotFound",
        }
    }

    pub fn parse(s: &str) -> Option<DeleteCertificateStatus> {
        DeleteCertificateStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for DeleteCertificateRequest {
    const ACTION: &'static str = "DeleteCertificate";
    type Response = DeleteCertificateResponse;
}
