//! People who use the API and dashboard (admin only).

use super::audit::audit_row;
use super::auth::{check_password, hash_password, Admin, Caller, Role};
use super::body::Body;
use super::error::ApiError;
use super::{Page, PageParams};
use crate::db::users::{self as store, Deleted};
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub username: String,
    pub role: Role,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<store::User> for User {
    fn from(u: store::User) -> Self {
        User {
            username: u.username,
            role: u.role,
            created_at: Timestamp::from_naive(u.created_at),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewUser {
    pub username: String,
    /// At least 10 characters.
    pub password: String,
    pub role: Role,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserUpdate {
    pub password: Option<String>,
    pub role: Option<Role>,
}

fn check_username(name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "username: 1-64 characters of letters, digits and . _ - @",
        ))
    }
}

/// Hashes a password on the login guard's hashing threads.
async fn hash_guarded(services: &Services, password: String) -> Result<String, ApiError> {
    services
        .login_guard
        .hash(move || hash_password(&password))
        .await?
}

/// Users, by name.
#[utoipa::path(tag = "users", params(PageParams),
    responses((status = 200, body = Page<User>)), security(("bearer" = ["admin"])))]
#[get("/users")]
pub async fn list(
    _: Admin,
    services: web::Data<Services>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<User>>, ApiError> {
    let page = page.request()?;
    let users = crate::db::read(&services.pool, move |c| store::page(c, page)).await?;
    Ok(web::Json(users.map(User::from)))
}

/// Create a user.
#[utoipa::path(tag = "users", request_body = NewUser,
    responses((status = 201, body = User), (status = 409, description = "name taken"), (status = 422)), security(("bearer" = ["admin"])))]
#[post("/users")]
pub async fn create(
    admin: Admin,
    services: web::Data<Services>,
    body: Body<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let user = create_user(&services, &admin.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(user))
}

/// Creates a user (API and dashboard), audited; 409 if the name is taken.
pub async fn create_user(
    services: &Services,
    caller: &Caller,
    new: NewUser,
) -> Result<User, ApiError> {
    let NewUser {
        username,
        password,
        role,
    } = new;
    check_username(&username)?;
    check_password(&password)?;
    let hash = hash_guarded(services, password).await?;
    let now = chrono::Utc::now().naive_utc();
    let audit = audit_row(caller, "user.create", Some(&username), None, "201");
    let name = username.clone();
    let inserted = crate::db::write(&services.writer, move |c| {
        store::create(c, &name, &hash, role, now, Some(&audit))
    })
    .await?;
    if !inserted {
        return Err(ApiError::Conflict(format!("user {username} exists")));
    }
    Ok(User {
        username,
        role,
        created_at: Timestamp::from_naive(now),
    })
}

/// Change a user's password or role.
#[utoipa::path(tag = "users", request_body = UserUpdate,
    responses((status = 204), (status = 404), (status = 422)), security(("bearer" = ["admin"])))]
#[put("/users/{username}")]
pub async fn update(
    admin: Admin,
    services: web::Data<Services>,
    path: web::Path<String>,
    body: Body<UserUpdate>,
) -> Result<HttpResponse, ApiError> {
    let username = path.into_inner();
    let UserUpdate { password, role } = body.into_inner();
    let hash = match password {
        Some(p) => {
            check_password(&p)?;
            Some(hash_guarded(&services, p).await?)
        }
        None => None,
    };
    let now = chrono::Utc::now().naive_utc();
    let audit = audit_row(&admin.0, "user.update", Some(&username), None, "204");
    let name = username.clone();
    let found = crate::db::write(&services.writer, move |c| {
        store::update(c, &name, hash.as_deref(), role, now, Some(&audit))
    })
    .await?;
    if !found {
        return Err(ApiError::NotFound(format!("no user {username}")));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Delete a user (not the last admin).
#[utoipa::path(tag = "users", responses((status = 204), (status = 404), (status = 409)), security(("bearer" = ["admin"])))]
#[delete("/users/{username}")]
pub async fn delete(
    admin: Admin,
    services: web::Data<Services>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    delete_user(&services, &admin.0, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes a user (API and dashboard), audited; never the last admin.
pub async fn delete_user(
    services: &Services,
    caller: &Caller,
    username: String,
) -> Result<(), ApiError> {
    let audit = audit_row(caller, "user.delete", Some(&username), None, "204");
    let name = username.clone();
    let outcome = crate::db::write(&services.writer, move |c| {
        store::delete(c, &name, Some(&audit))
    })
    .await?;
    match outcome {
        Deleted::Deleted => Ok(()),
        Deleted::NotFound => Err(ApiError::NotFound(format!("no user {username}"))),
        Deleted::LastAdmin => Err(ApiError::Conflict("cannot delete the last admin".into())),
    }
}

/// `csms user add|passwd`: adds a user (`role` given) or sets a password, directly in the
/// database (the server need not run; SQLite's locking keeps a running one consistent).
pub fn set_from_cli(
    pool: &crate::db::Pool,
    username: &str,
    password: &str,
    role: Option<&str>,
) -> Result<(), String> {
    check_username(username).map_err(|e| e.to_string())?;
    check_password(password).map_err(|e| e.to_string())?;
    let role = role
        .map(|r| Role::parse(r).ok_or_else(|| format!("role {r:?}: use admin, operator or viewer")))
        .transpose()?;
    let hash = hash_password(password).map_err(|e| e.to_string())?;
    let now = chrono::Utc::now().naive_utc();
    let mut c = pool.get().map_err(|e| e.to_string())?;
    let changed = match role {
        Some(role) => store::create(&mut c, username, &hash, role, now, None),
        None => store::update(&mut c, username, Some(&hash), None, now, None),
    }
    .map_err(|e| e.to_string())?;
    match (changed, role) {
        (false, Some(_)) => Err(format!(
            "user {username} exists; use `csms user passwd {username}`"
        )),
        (false, None) => Err(format!(
            "no user {username}; add one with `csms user add {username}`"
        )),
        (true, _) => Ok(()),
    }
}
