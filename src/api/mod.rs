//! The REST API under `/api/v1`: thin handlers (authenticated caller in, one call, typed
//! answer out). The OpenAPI document at `/api/v1/openapi.json` is collected from the very
//! services registered here, so it cannot drift from the handlers.
//!
//! - [`auth`]: roles, tokens, API keys, the caller extractors.
//! - [`error`]: the one error type, always a JSON body; [`body`]: the one body extractor.
//! - [`session`]: login and who-am-I. [`users`], [`keys`]: people and machine keys (admin).
//! - [`audit`]: the audit log of every command and change.
//! - [`commands`]: every OCPP operation towards chargers, and what their answers teach.
//! - [`resources`]: chargers, transactions, id tags, logs and statistics.
//! - [`system`]: health, readiness, the OpenAPI document.

pub mod audit;
pub mod auth;
pub mod body;
pub mod commands;
pub mod error;
pub mod keys;
pub mod resources;
pub mod session;
pub mod system;
pub mod users;

pub use crate::db::page::{Page, PageRequest};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/api/v1` service.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(session::login)
        .service(session::logout)
        .service(session::me)
        .service(users::list)
        .service(users::create)
        .service(users::update)
        .service(users::delete)
        .service(keys::list)
        .service(keys::create)
        .service(keys::revoke)
        .service(audit::list)
        .configure(commands::configure)
        .configure(resources::configure);
}

/// `?limit=&offset=` of list endpoints.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page (1-1000, default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

impl PageParams {
    pub const MAX_LIMIT: i64 = 1000;

    /// The page asked for, checked, with defaults.
    pub fn request(&self) -> Result<PageRequest, error::ApiError> {
        let (limit, offset) = self.resolve()?;
        Ok(PageRequest { limit, offset })
    }

    /// `(limit, offset)` checked, with defaults.
    pub fn resolve(&self) -> Result<(i64, i64), error::ApiError> {
        let limit = self.limit.unwrap_or(50);
        let offset = self.offset.unwrap_or(0);
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(error::ApiError::invalid(format!(
                "limit: must be 1 to {}",
                Self::MAX_LIMIT
            )));
        }
        if offset < 0 {
            return Err(error::ApiError::invalid("offset: must not be negative"));
        }
        Ok((limit, offset))
    }
}
