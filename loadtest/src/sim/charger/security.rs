//! The security extension, minimally: certificates are accepted and remembered by hash; the
//! simulator does no cryptography beyond naming certificates by their SHA-256.

use super::Charger;
use csms::ocpp::types::CiString;
use csms::ocpp::v16::certificate_signed::{CertificateSignedResponse, CertificateSignedStatus};
use csms::ocpp::v16::common::{CertificateHashData, CertificateUse, HashAlgorithm};
use csms::ocpp::v16::delete_certificate::{
    DeleteCertificateRequest, DeleteCertificateResponse, DeleteCertificateStatus,
};
use csms::ocpp::v16::get_installed_certificate_ids::{
    GetInstalledCertificateIdsRequest, GetInstalledCertificateIdsResponse,
    GetInstalledCertificateStatus,
};
use csms::ocpp::v16::install_certificate::{
    InstallCertificateRequest, InstallCertificateResponse, InstallCertificateStatus,
};
use sha2::{Digest, Sha256};

/// A certificate's reference: hashes of its text stand in for the issuer name and key hashes.
fn hash_data(pem: &str) -> CertificateHashData {
    let digest = hex::encode(Sha256::digest(pem.as_bytes()));
    CertificateHashData {
        hash_algorithm: HashAlgorithm::Sha256,
        issuer_name_hash: CiString::truncate(&digest),
        issuer_key_hash: CiString::truncate(&hex::encode(Sha256::digest(digest.as_bytes()))),
        serial_number: CiString::truncate(&digest[..16]),
    }
}

impl Charger {
    pub(super) fn certificate_signed(&mut self) -> CertificateSignedResponse {
        self.note("charge point certificate installed");
        CertificateSignedResponse {
            status: CertificateSignedStatus::Accepted,
        }
    }

    pub(super) fn install_certificate(
        &mut self,
        req: InstallCertificateRequest,
    ) -> InstallCertificateResponse {
        let data = hash_data(&req.certificate);
        if !self.certificates.iter().any(|(_, d)| *d == data) {
            self.certificates.push((req.certificate_type, data));
        }
        InstallCertificateResponse {
            status: InstallCertificateStatus::Accepted,
        }
    }

    pub(super) fn installed_certificates(
        &self,
        req: GetInstalledCertificateIdsRequest,
    ) -> GetInstalledCertificateIdsResponse {
        let found: Vec<CertificateHashData> = self
            .certificates
            .iter()
            .filter(|(kind, _)| *kind == req.certificate_type)
            .map(|(_, d)| d.clone())
            .collect();
        GetInstalledCertificateIdsResponse {
            status: if found.is_empty() {
                GetInstalledCertificateStatus::NotFound
            } else {
                GetInstalledCertificateStatus::Accepted
            },
            certificate_hash_data: (!found.is_empty()).then_some(found),
        }
    }

    pub(super) fn delete_certificate(
        &mut self,
        req: DeleteCertificateRequest,
    ) -> DeleteCertificateResponse {
        let before = self.certificates.len();
        let wanted = &req.certificate_hash_data;
        self.certificates.retain(|(_, d)| {
            !(d.serial_number == wanted.serial_number
                && d.issuer_name_hash == wanted.issuer_name_hash)
        });
        DeleteCertificateResponse {
            status: if self.certificates.len() < before {
                DeleteCertificateStatus::Accepted
            } else {
                DeleteCertificateStatus::NotFound
            },
        }
    }

    /// Whether a certificate of this use is installed (for tests and the view).
    pub fn has_certificate(&self, kind: CertificateUse) -> bool {
        self.certificates.iter().any(|(k, _)| *k == kind)
    }
}
