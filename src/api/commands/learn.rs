//! What a charger's confirmation teaches us, as a write for the DB writer. Each topic module
//! implements [`Learn`] for its actions ([`super::configuration`], [`super::reservations`],
//! [`super::profiles`], [`super::files`]); the rest teach nothing and are listed here.

use crate::db::{DbConn, QueryResult};
use crate::ocpp::v16::Request;

/// A write to run once a confirmation has arrived.
pub type Lesson = Box<dyn Fn(&mut DbConn) -> QueryResult<()> + Send + Sync>;

/// A request whose confirmation may be worth storing.
pub trait Learn: Request + Clone {
    /// What to store after charger `charger_id` answered `request` with `answer`.
    fn lesson(_charger_id: &str, _request: &Self, _answer: &Self::Response) -> Option<Lesson> {
        None
    }
}

macro_rules! nothing_to_learn {
    ($($request:ty),* $(,)?) => {$(
        impl Learn for $request {}
    )*};
}

use crate::ocpp::v16::{
    certificate_signed::CertificateSignedRequest, change_availability::ChangeAvailabilityRequest,
    clear_cache::ClearCacheRequest, data_transfer::DataTransferRequest,
    delete_certificate::DeleteCertificateRequest,
    extended_trigger_message::ExtendedTriggerMessageRequest,
    get_composite_schedule::GetCompositeScheduleRequest,
    get_installed_certificate_ids::GetInstalledCertificateIdsRequest,
    install_certificate::InstallCertificateRequest,
    remote_start_transaction::RemoteStartTransactionRequest,
    remote_stop_transaction::RemoteStopTransactionRequest, reset::ResetRequest,
    trigger_message::TriggerMessageRequest, unlock_connector::UnlockConnectorRequest,
};

// Their effects show up in what the charger reports next (StatusNotification,
// StartTransaction, ...), which the charger actor stores.
nothing_to_learn!(
    CertificateSignedRequest,
    ChangeAvailabilityRequest,
    ClearCacheRequest,
    DataTransferRequest,
    DeleteCertificateRequest,
    ExtendedTriggerMessageRequest,
    GetCompositeScheduleRequest,
    GetInstalledCertificateIdsRequest,
    InstallCertificateRequest,
    RemoteStartTransactionRequest,
    RemoteStopTransactionRequest,
    ResetRequest,
    TriggerMessageRequest,
    UnlockConnectorRequest,
);
