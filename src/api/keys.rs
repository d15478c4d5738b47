//! API keys for machines (admin only): created with a role, shown once, stored hashed, revocable.

use super::audit;
use super::auth::{new_api_key, Admin, Role};
use super::body::Body;
use super::error::ApiError;
use super::{Page, PageParams};
use crate::db::schema::api_keys;
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix_web::{delete, get, post, web, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
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

type Row = (
    i32,
    String,
    String,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

fn to_key((id, name, prefix, role, created_by, created_at, revoked_at): Row) -> ApiKey {
    ApiKey {
        id,
        name,
        prefix,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        created_by,
        created_at: Timestamp::from_naive(created_at),
        revoked_at: revoked_at.map(Timestamp::from_naive),
    }
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
    let (limit, offset) = page.resolve()?;
    let (rows, total): (Vec<Row>, i64) = crate::db::read(&services.pool, move |c| {
        let total = api_keys::table.count().get_result(c)?;
        let rows = api_keys::table
            .order(api_keys::id)
            .limit(limit)
            .offset(offset)
            .select((
                api_keys::id,
                api_keys::name,
                api_keys::prefix,
                api_keys::role,
                api_keys::created_by,
                api_keys::created_at,
                api_keys::revoked_at,
            ))
            .load(c)?;
        Ok((rows, total))
    })
    .await?;
    Ok(web::Json(Page {
        items: rows.into_iter().map(to_key).collect(),
        total,
        limit,
        offset,
    }))
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
    let NewApiKey { name, role } = body.into_inner();
    if name.trim().is_empty() || name.len() > 64 {
        return Err(ApiError::invalid("name: 1-64 characters"));
    }
    let key = new_api_key();
    let now = chrono::Utc::now().naive_utc();
    let (n, p, h, by) = (
        name.clone(),
        key.prefix.clone(),
        key.hash.clone(),
        admin.0.name.clone(),
    );
    let id: i32 = crate::db::write(&services.writer, move |c| {
        diesel::insert_into(api_keys::table)
            .values((
                api_keys::name.eq(&n),
                api_keys::prefix.eq(&p),
                api_keys::key_hash.eq(&h),
                api_keys::role.eq(role.as_str()),
                api_keys::created_by.eq(&by),
                api_keys::created_at.eq(now),
            ))
            .returning(api_keys::id)
            .get_result(c)
    })
    .await?;
    audit::record(
        &services,
        &admin.0.name,
        "api_key.create",
        Some(&name),
        None,
        "201",
    )
    .await;
    let info = ApiKey {
        id,
        name,
        prefix: key.prefix,
        role,
        created_by: admin.0.name,
        created_at: Timestamp::from_naive(now),
        revoked_at: None,
    };
    Ok(HttpResponse::Created().json(CreatedApiKey { info, key: key.key }))
}

/// Revoke an API key; it stops working at once.
#[utoipa::path(tag = "api-keys", responses((status = 204), (status = 404)), security(("bearer" = ["admin"])))]
#[delete("/api-keys/{id}")]
pub async fn revoke(
    admin: Admin,
    services: web::Data<Services>,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let n = crate::db::write(&services.writer, move |c| {
        diesel::update(
            api_keys::table
                .find(id)
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(now))
        .execute(c)
    })
    .await?;
    if n == 0 {
        return Err(ApiError::NotFound(format!("no active API key {id}")));
    }
    audit::record(
        &services,
        &admin.0.name,
        "api_key.revoke",
        Some(&id.to_string()),
        None,
        "204",
    )
    .await;
    Ok(HttpResponse::NoContent().finish())
}
