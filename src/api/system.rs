//! Liveness, readiness and the OpenAPI document; these need no credentials.

use crate::services::Services;
use actix_web::{web, HttpResponse};
use utoipa::openapi::content::Content;
use utoipa::openapi::info::License;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// `GET /health`: the process answers.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// `GET /ready`: the database answers, to reads and to the writer.
pub async fn ready(services: web::Data<Services>) -> HttpResponse {
    if services.db_health.unreachable() {
        return HttpResponse::ServiceUnavailable().json(serde_json::json!({
            "status": "unavailable",
            "error": "database unreachable: writes wait until it is back",
        }));
    }
    let probe = crate::db::probe(&services.pool).await;
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

/// Completes the collected document: title, version, license, the bearer scheme, and the one
/// error body on every error answer.
pub fn finish_document(mut doc: OpenApi) -> OpenApi {
    doc.info.title = "csms REST API".into();
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    let mut license = License::new(env!("CARGO_PKG_LICENSE"));
    license.identifier = Some(env!("CARGO_PKG_LICENSE").into());
    doc.info.license = Some(license);
    doc.info.contact = None;
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
    let name = super::error::ErrorBody::name().into_owned();
    components
        .schemas
        .insert(name.clone(), super::error::ErrorBody::schema());
    document_error_bodies(&mut doc, &name);
    doc
}

/// Every 4xx and 5xx answer of every operation carries an [`super::error::ErrorBody`].
fn document_error_bodies(doc: &mut OpenApi, schema: &str) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            for (status, response) in operation.responses.responses.iter_mut() {
                let is_error = status.starts_with('4') || status.starts_with('5');
                if let (true, RefOr::T(response)) = (is_error, response) {
                    response
                        .content
                        .entry("application/json".into())
                        .or_insert_with(|| {
                            RefOr::T(Content::new(Some(Ref::from_schema_name(schema))))
                        });
                }
            }
        }
    }
}
