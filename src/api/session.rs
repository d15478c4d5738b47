//! Logging in and asking who you are.

use super::auth::{verify_password, Caller, Role};
use super::error::ApiError;
use crate::db::schema::users;
use crate::services::Services;
use actix_web::{get, post, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Seconds until the token expires.
    pub expires_in: u64,
    pub role: Role,
}

/// Exchange a user name and password for a token.
#[utoipa::path(tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, description = "wrong user name or password")))]
#[post("/auth/login")]
pub async fn login(
    services: web::Data<Services>,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<LoginResponse>, ApiError> {
    let LoginRequest { username, password } = body.into_inner();
    let lookup = username.clone();
    let row: Option<(String, String, String)> = crate::db::read(&services.pool, move |c| {
        users::table
            .filter(users::username.eq(&lookup))
            .select((users::username, users::password_hash, users::role))
            .first(c)
            .optional()
    })
    .await?;
    let refused = || ApiError::Unauthorized("wrong user name or password".into());
    let (name, hash, role) = row.ok_or_else(refused)?;
    let ok = web::block(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    if !ok {
        log::warn!("failed login for {username:?}");
        return Err(refused());
    }
    let role = Role::parse(&role)
        .ok_or_else(|| ApiError::Internal(format!("user {name} has role {role}")))?;
    let (token, expires_in) = services.tokens.issue(&name, role)?;
    Ok(web::Json(LoginResponse {
        token,
        expires_in,
        role,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    /// `user:<name>` or `key:<name>`.
    pub name: String,
    pub role: Role,
}

/// Who the credentials belong to.
#[utoipa::path(tag = "auth", responses((status = 200, body = Me), (status = 401)), security(("bearer" = ["viewer"])))]
#[get("/auth/me")]
pub async fn me(caller: Caller) -> web::Json<Me> {
    web::Json(Me {
        name: caller.name,
        role: caller.role,
    })
}
