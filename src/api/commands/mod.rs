//! Commands to chargers: every central-system-initiated OCPP 1.6 operation, sent as a typed
//! actor message to the charger's actor, and what their answers teach, persisted.

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the command services.
pub fn configure(_cfg: &mut ServiceConfig) {}
