//! The read side and management of stored things: chargers, transactions, id tags, logs, stats.

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the resource services.
pub fn configure(_cfg: &mut ServiceConfig) {}
