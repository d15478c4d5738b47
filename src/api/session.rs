//! Logging in and asking who you are.

use super::auth::{issue_token, verify_password, Caller, Role, TokenUser};

use super::body::Body;
use super::error::ApiError;
use crate::services::Services;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
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
    responses((status = 200, body = LoginResponse), (status = 401, description = "wrong user name or password"), (status = 422),
        (status = 429, description = "too many failed logins: wait `Retry-After` seconds"), (status = 503, description = "too many password checks at once")))]
#[post("/auth/login")]
pub async fn login(
    request: HttpRequest,
    services: web::Data<Services>,
    body: Body<LoginRequest>,
) -> Result<web::Json<LoginResponse>, ApiError> {
    let LoginRequest { username, password } = body.into_inner();
    let address = request.peer_addr().map(|a| a.ip());
    let user = check_login(&services, &username, &password, address).await?;
    let role = user.role;
    let (token, expires_in) = issue_token(
        &services.tokens,
        &TokenUser {
            id: user.id,
            username: &user.username,
            role,
            token_version: user.token_version,
        },
    )?;
    Ok(web::Json(LoginResponse {
        token,
        expires_in,
        role,
    }))
}

/// Checks a user name and password for the API and the dashboard alike: lockouts per name and
/// address, bounded hashing, an unknown name checked against a decoy so that it takes as long
/// as a known one, failures logged.
pub async fn check_login(
    services: &Services,
    username: &str,
    password: &str,
    address: Option<std::net::IpAddr>,
) -> Result<crate::db::users::Credentials, ApiError> {
    let guard = &services.login_guard;
    guard.admit(username, address)?;
    let lookup = username.to_owned();
    let found = crate::db::read(&services.pool, move |c| {
        crate::db::users::credentials(c, &lookup)
    })
    .await?;
    let hash = match &found {
        Some(user) => user.password_hash.clone(),
        None => guard.decoy_hash().to_owned(),
    };
    let password = password.to_owned();
    let ok = guard
        .hash(move || verify_password(&password, &hash))
        .await?;
    let Some(user) = found.filter(|_| ok) else {
        let from = address.map_or_else(|| "an unknown address".into(), |a| a.to_string());
        log::warn!("failed login for {username:?} from {from}");
        guard.failed(username, address);
        return Err(ApiError::Unauthorized("wrong user name or password".into()));
    };
    guard.succeeded(&user.username);
    Ok(user)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    /// `user:<name>` or `key:<name>`.
    pub name: String,
    pub role: Role,
}

/// Ends every session of the logged-in user: all tokens issued to them so far stop working.
#[utoipa::path(tag = "auth", responses((status = 204, description = "logged out everywhere"),
        (status = 401), (status = 422, description = "an API key cannot log out; revoke it")),
    security(("bearer" = ["viewer"])))]
#[post("/auth/logout")]
pub async fn logout(
    caller: Caller,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let Some(id) = caller.user_id else {
        return Err(ApiError::invalid(
            "an API key cannot log out: revoke it with DELETE /api/v1/api-keys/{id}",
        ));
    };
    crate::db::write(&services.writer, move |c| {
        crate::db::users::revoke_tokens(c, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
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
