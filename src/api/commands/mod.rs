//! Commands to chargers: every central-system-initiated OCPP 1.6 operation, sent as a typed
//! actor message to the charger's actor, and what their answers teach, persisted.
//!
//! The road of a command: [`operations`] (one thin handler per action: body in, confirmation
//! out) -> [`send`] (parse, find the charger, [`Command`](crate::charger::actor::Command) to
//! its actor, map the outcome to HTTP, audit) -> [`learn`] (what the answer teaches, written
//! through the DB writer). Each topic keeps its lessons and its read endpoints together:
//!
//! - [`configuration`]: configuration snapshots, local list versions, ChangeConfiguration for
//!   many chargers at once.
//! - [`reservations`]: ReserveNow with reservation ids we allocate, their use by
//!   StartTransaction, cancelling.
//! - [`profiles`]: the charging profile library and what is installed on which connector.
//! - [`files`]: firmware updates, diagnostics and log uploads with their notifications.
//! - [`sessions`]: conveniences built on the operations: start / suspend / resume / finish a
//!   session, a maximum power, disconnecting a charger.

pub mod configuration;
pub mod files;
pub mod learn;
pub mod operations;
pub mod profiles;
pub mod reservations;
pub mod send;
pub mod sessions;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the command services.
pub fn configure(cfg: &mut ServiceConfig) {
    operations::configure(cfg);
    reservations::configure(cfg);
    configuration::configure(cfg);
    profiles::configure(cfg);
    files::configure(cfg);
    sessions::configure(cfg);
}
