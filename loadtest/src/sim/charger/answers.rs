//! The answer to each central-system CALL: one `match`, one method per operation, a typed
//! response serialized at the end.

use super::Charger;
use crate::sim::calls::CsCall;
use serde::Serialize;
use serde_json::Value;
use std::time::Instant;

fn json<T: Serialize>(response: T) -> Result<Value, String> {
    serde_json::to_value(response).map_err(|e| format!("cannot encode the answer: {e}"))
}

impl Charger {
    /// Answers one CALL (the payload of the CALLRESULT, or the description of an
    /// InternalError). Follow-up messages are queued behind the answer.
    pub fn answer(&mut self, call: CsCall, now: Instant) -> Result<Value, String> {
        use CsCall as C;
        match call {
            C::CancelReservation(r) => json(self.cancel_reservation(r, now)),
            C::CertificateSigned(_) => json(self.certificate_signed()),
            C::ChangeAvailability(r) => json(self.change_availability(r, now)),
            C::ChangeConfiguration(r) => json(self.change_configuration(r, now)),
            C::ClearCache(_) => json(self.clear_cache()),
            C::ClearChargingProfile(r) => json(self.clear_charging_profile(r, now)),
            C::DataTransfer(r) => json(self.data_transfer(r)),
            C::DeleteCertificate(r) => json(self.delete_certificate(r)),
            C::ExtendedTriggerMessage(r) => json(self.extended_trigger(r)),
            C::GetCompositeSchedule(r) => json(self.composite_schedule(r)),
            C::GetConfiguration(r) => json(self.get_configuration(r)),
            C::GetDiagnostics(r) => json(self.get_diagnostics(r, now)),
            C::GetInstalledCertificateIds(r) => json(self.installed_certificates(r)),
            C::GetLocalListVersion(_) => json(self.local_list_version()),
            C::GetLog(r) => json(self.get_log(r, now)),
            C::InstallCertificate(r) => json(self.install_certificate(r)),
            C::RemoteStartTransaction(r) => json(self.remote_start(r, now)),
            C::RemoteStopTransaction(r) => json(self.remote_stop(r, now)),
            C::ReserveNow(r) => json(self.reserve(r, now)),
            C::Reset(r) => json(self.reset(r, now)),
            C::SendLocalList(r) => json(self.send_local_list(r)),
            C::SetChargingProfile(r) => json(self.set_charging_profile(r, now)),
            C::SignedUpdateFirmware(r) => json(self.signed_update_firmware(r, now)),
            C::TriggerMessage(r) => json(self.trigger(r)),
            C::UnlockConnector(r) => json(self.unlock(r, now)),
            C::UpdateFirmware(r) => json(self.update_firmware(r, now)),
        }
    }
}
