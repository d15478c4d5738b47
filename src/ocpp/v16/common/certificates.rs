//! Certificate references of the security extension (OCPP 1.6 Security Whitepaper, 4.x), used
//! by DeleteCertificate, GetInstalledCertificateIds and InstallCertificate.

use crate::ocpp::types::{CiString, Validate};
use serde::{Deserialize, Serialize};

/// Identifies an installed certificate (Security Whitepaper, CertificateHashDataType).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateHashData {
    pub hash_algorithm: HashAlgorithm,
    /// Hash of the issuer's distinguished name, hex encoded.
    pub issuer_name_hash: CiString<128>,
    /// Hash of the issuer's public key, hex encoded.
    pub issuer_key_hash: CiString<128>,
    /// The certificate's serial number, hex encoded.
    pub serial_number: CiString<40>,
}

impl Validate for CertificateHashData {}

/// The hash used in [`CertificateHashData`] (whitepaper HashAlgorithmEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HashAlgorithm {
    #[serde(rename = "SHA256")]
    Sha256,
    #[serde(rename = "SHA384")]
    Sha384,
    #[serde(rename = "SHA512")]
    Sha512,
}

impl HashAlgorithm {
    pub const ALL: [HashAlgorithm; 3] = [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "SHA256",
            HashAlgorithm::Sha384 => "SHA384",
            HashAlgorithm::Sha512 => "SHA512",
        }
    }

    pub fn parse(s: &str) -> Option<HashAlgorithm> {
        HashAlgorithm::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Which kind of root certificate (whitepaper CertificateUseEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertificateUse {
    CentralSystemRootCertificate,
    ManufacturerRootCertificate,
}

impl CertificateUse {
    pub const ALL: [CertificateUse; 2] = [
        CertificateUse::CentralSystemRootCertificate,
        CertificateUse::ManufacturerRootCertificate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CertificateUse::CentralSystemRootCertificate => "CentralSystemRootCertificate",
            CertificateUse::ManufacturerRootCertificate => "ManufacturerRootCertificate",
        }
    }

    pub fn parse(s: &str) -> Option<CertificateUse> {
        CertificateUse::ALL.into_iter().find(|v| v.as_str() == s)
    }
}
