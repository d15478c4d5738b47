//! Liveness, readiness and the OpenAPI document; these need no credentials.

use crate::services::Services;
use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;

/// `GET /health`: the process answers.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// `GET /ready`: the database answers.
pub async fn ready(services: web::Data<Services>) -> HttpResponse {
    let probe = crate::db::read(&services.pool, |c| {
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1")).get_result::<i32>(c)
    })
    .await;
    match probe {
        Ok(_) => HttpResponse::Ok().json(serde_json::json!({"status": "ready"})),
        Err(e) => HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "unavailable", "error": e.to_string()})),
    }
}

/// What `/api/v1` answers for a path (or method) it has no route for, so that clients and
/// tests can tell "no such route" from "no such thing".
pub async fn no_route() -> HttpResponse {
    HttpResponse::NotFound().json(serde_json::json!({"error": "no such route"}))
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi(doc: web::Data<OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(doc.get_ref())
}

/// Completes the collected document: title, version, the bearer scheme.
pub fn finish_document(mut doc: OpenApi) -> OpenApi {
    doc.info.title = "csms REST API".into();
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    doc.info.description = Some(
        "OCPP 1.6-J Central System. Authenticate with `Authorization: Bearer <token>` (from POST /api/v1/auth/login) \
         or an API key (`X-API-Key` or `Authorization: Bearer`). Each operation's `bearer` requirement names the \
         least role it needs (viewer < operator < admin)."
            .into(),
    );
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT or API key")
                .build(),
        ),
    );
    doc
}
