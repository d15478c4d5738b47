//! People who use the API and dashboard (admin only).

use super::audit;
use super::auth::{check_password, hash_password, Admin, Role};
use super::body::Body;
use super::error::ApiError;
use super::{Page, PageParams};
use crate::db::schema::users;
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub username: String,
    pub role: Role,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
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
    let (limit, offset) = page.resolve()?;
    let (rows, total): (Vec<(String, String, NaiveDateTime)>, i64) =
        crate::db::read(&services.pool, move |c| {
            let total = users::table.count().get_result(c)?;
            let rows = users::table
                .order(users::username)
                .limit(limit)
                .offset(offset)
                .select((users::username, users::role, users::created_at))
                .load(c)?;
            Ok((rows, total))
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|(username, role, created_at)| User {
            username,
            role: Role::parse(&role).unwrap_or(Role::Viewer),
            created_at: Timestamp::from_naive(created_at),
        })
        .collect();
    Ok(web::Json(Page {
        items,
        total,
        limit,
        offset,
    }))
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
    let NewUser {
        username,
        password,
        role,
    } = body.into_inner();
    check_username(&username)?;
    check_password(&password)?;
    let hash = hash_guarded(&services, password).await?;
    let now = chrono::Utc::now().naive_utc();
    let name = username.clone();
    let inserted = crate::db::write(&services.writer, move |c| {
        diesel::insert_into(users::table)
            .values((
                users::username.eq(&name),
                users::password_hash.eq(&hash),
                users::role.eq(role.as_str()),
                users::created_at.eq(now),
                users::updated_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(c)
    })
    .await?;
    if inserted == 0 {
        return Err(ApiError::Conflict(format!("user {username} exists")));
    }
    audit::record(
        &services,
        &admin.0.name,
        "user.create",
        Some(&username),
        None,
        "201",
    )
    .await;
    Ok(HttpResponse::Created().json(User {
        username,
        role,
        created_at: Timestamp::from_naive(now),
    }))
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
    let name = username.clone();
    let now = chrono::Utc::now().naive_utc();
    let changed = crate::db::write(&services.writer, move |c| {
        let target = users::table.filter(users::username.eq(&name));
        let mut n = diesel::update(target)
            .set(users::updated_at.eq(now))
            .execute(c)?;
        if let Some(hash) = &hash {
            n = diesel::update(target)
                .set(users::password_hash.eq(hash))
                .execute(c)?;
        }
        if let Some(role) = role {
            n = diesel::update(target)
                .set(users::role.eq(role.as_str()))
                .execute(c)?;
        }
        Ok(n)
    })
    .await?;
    if changed == 0 {
        return Err(ApiError::NotFound(format!("no user {username}")));
    }
    audit::record(
        &services,
        &admin.0.name,
        "user.update",
        Some(&username),
        None,
        "204",
    )
    .await;
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
    let username = path.into_inner();
    let name = username.clone();
    let result = crate::db::write(&services.writer, move |c| {
        let role: Option<String> = users::table
            .filter(users::username.eq(&name))
            .select(users::role)
            .first(c)
            .optional()?;
        match role.as_deref() {
            None => Ok(Err(ApiError::NotFound(format!("no user {name}")))),
            Some("admin")
                if users::table
                    .filter(users::role.eq("admin"))
                    .count()
                    .get_result::<i64>(c)?
                    <= 1 =>
            {
                Ok(Err(ApiError::Conflict(
                    "cannot delete the last admin".into(),
                )))
            }
            Some(_) => {
                diesel::delete(users::table.filter(users::username.eq(&name))).execute(c)?;
                Ok(Ok(()))
            }
        }
    })
    .await?;
    result?;
    audit::record(
        &services,
        &admin.0.name,
        "user.delete",
        Some(&username),
        None,
        "204",
    )
    .await;
    Ok(HttpResponse::NoContent().finish())
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
    let hash = hash_password(password).map_err(|e| e.to_string())?;
    let now = chrono::Utc::now().naive_utc();
    let mut c = pool.get().map_err(|e| e.to_string())?;
    let changed = match role {
        Some(role) => {
            let role = Role::parse(role)
                .ok_or_else(|| format!("role {role:?}: use admin, operator or viewer"))?;
            diesel::insert_into(users::table)
                .values((
                    users::username.eq(username),
                    users::password_hash.eq(&hash),
                    users::role.eq(role.as_str()),
                    users::created_at.eq(now),
                    users::updated_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .execute(&mut c)
        }
        None => diesel::update(users::table.filter(users::username.eq(username)))
            .set((users::password_hash.eq(&hash), users::updated_at.eq(now)))
            .execute(&mut c),
    }
    .map_err(|e| e.to_string())?;
    match (changed, role) {
        (0, Some(_)) => Err(format!(
            "user {username} exists; use `csms user passwd {username}`"
        )),
        (0, None) => Err(format!(
            "no user {username}; add one with `csms user add {username}`"
        )),
        _ => Ok(()),
    }
}
