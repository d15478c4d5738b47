//! API keys for machines (admin only): created with a role, shown once, stored hashed, revocable.

use super::audit::audit_row;
use super::auth::{new_api_key, Admin, Caller, Role};
use super::body::Body;
use super::error::ApiError;
use super::{Page, PageParams};
use crate::db::api_keys as store;
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix_web::{delete, get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: i32,
    pub name: String,
    /// The public part of the key (`csms_<prefix>_…`).
    pub prefix: String,
    pub role: Role,
    pub created_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<Timestamp>,
}

impl From<store::ApiKey> for ApiKey {
    fn from(k: store::ApiKey) -> Self {
        ApiKey {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            role: k.role,
            created_by: k.created_by,
            created_at: Timestamp::from_naive(k.created_at),
            revoked_at: k.revoked_at.map(Timestamp::from_naive),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewApiKey {
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub info: ApiKey,
    /// The key itself. Shown only now; send it as `X-API-Key` or `Authorization: Bearer`.
    pub key: String,
}

/// API keys (without their secrets), oldest first.
#[utoipa::path(tag = "api-keys", params(PageParams),
    responses((status = 200, body = Page<ApiKey>)), security(("bearer" = ["admin"])))]
#[get("/api-keys")]
pub async fn list(
    _: Admin,
    services: web::Data<Services>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ApiKey>>, ApiError> {
    let page = page.request()?;
    let keys = crate::db::read(&services.pool, move |c| store::page(c, page)).await?;
    Ok(web::Json(keys.map(ApiKey::from)))
}

/// Create an API key; the answer holds the key, shown this once.
#[utoipa::path(tag = "api-keys", request_body = NewApiKey,
    responses((status = 201, body = CreatedApiKey), (status = 422)), security(("bearer" = ["admin"])))]
#[post("/api-keys")]
pub async fn create(
    admin: Admin,
    services: web::Data<Services>,
    body: Body<NewApiKey>,
) -> Result<HttpResponse, ApiError> {
    let created = create_key(&services, &admin.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Creates an API key (API and dashboard), audited; the key is in the answer, once.
pub async fn create_key(
    services: &Services,
    caller: &Caller,
    new: NewApiKey,
) -> Result<CreatedApiKey, ApiError> {
    let NewApiKey { name, role } = new;
    if name.trim().is_empty() || name.len() > 64 {
        return Err(ApiError::invalid("name: 1-64 characters"));
    }
    let key = new_api_key();
    let now = chrono::Utc::now().naive_utc();
    let audit = audit_row(caller, "api_key.create", Some(&name), None, "201");
    let (n, p, h, by) = (
        name.clone(),
        key.prefix.clone(),
        key.hash.clone(),
        caller.name.clone(),
    );
    let id = crate::db::write(&services.writer, move |c| {
        let new = store::NewApiKey {
            name: &n,
            prefix: &p,
            key_hash: &h,
            role,
            created_by: &by,
            created_at: now,
        };
        store::create(c, &new, Some(&audit))
    })
    .await?;
    let info = ApiKey {
        id,
        name,
        prefix: key.prefix,
        role,
        created_by: caller.name.clone(),
        created_at: Timestamp::from_naive(now),
        revoked_at: None,
    };
    Ok(CreatedApiKey { info, key: key.key })
}

/// Revoke an API key; it stops working at once.
#[utoipa::path(tag = "api-keys", responses((status = 204), (status = 404)), security(("bearer" = ["admin"])))]
#[delete("/api-keys/{id}")]
pub async fn revoke(
    admin: Admin,
    services: web::Data<Services>,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    revoke_key(&services, &admin.0, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Revokes an API key (API and dashboard), audited.
pub async fn revoke_key(services: &Services, caller: &Caller, id: i32) -> Result<(), ApiError> {
    let now = chrono::Utc::now().naive_utc();
    let audit = audit_row(caller, "api_key.revoke", Some(&id.to_string()), None, "204");
    let revoked = crate::db::write(&services.writer, move |c| {
        store::revoke(c, id, now, Some(&audit))
    })
    .await?;
    if !revoked {
        return Err(ApiError::NotFound(format!("no active API key {id}")));
    }
    Ok(())
}
