//! People who log in: names, password hashes (argon2id PHC strings, made by the API) and roles.

use super::audit::{self, AuditRow};
use super::page::{Page, PageRequest};
use super::schema::users;
use super::DbConn;
use crate::db::conn::each_backend;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

/// What a caller may do; each role includes the ones below it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything.
    Viewer,
    /// Also sends commands to chargers and manages id tags.
    Operator,
    /// Also manages users, API keys and chargers.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Viewer, Role::Operator, Role::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    /// A stored role; an unknown one (written by hand) reads as the least.
    fn stored(s: &str) -> Role {
        Role::parse(s).unwrap_or(Role::Viewer)
    }
}

/// A user as listed.
#[derive(Debug, Clone)]
pub struct User {
    pub username: String,
    pub role: Role,
    pub created_at: NaiveDateTime,
}

/// What a login checks.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub id: i32,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    /// Tokens carry it; [`revoke_tokens`] and a new password move it on.
    pub token_version: i32,
}

/// Who a login token names, as long as the user exists and the token is not revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub username: String,
    pub role: Role,
}

pub fn count(c: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(c)
}

pub fn page(c: &mut DbConn, page: PageRequest) -> QueryResult<Page<User>> {
    let total = count(c)?;
    let rows: Vec<(String, String, NaiveDateTime)> = users::table
        .order(users::username)
        .limit(page.limit)
        .offset(page.offset)
        .select((users::username, users::role, users::created_at))
        .load(c)?;
    let items = rows
        .into_iter()
        .map(|(username, role, created_at)| User {
            username,
            role: Role::stored(&role),
            created_at,
        })
        .collect();
    Ok(page.of(items, total))
}

pub fn credentials(c: &mut DbConn, username: &str) -> QueryResult<Option<Credentials>> {
    let row: Option<(i32, String, String, String, i32)> = users::table
        .filter(users::username.eq(username))
        .select((
            users::id,
            users::username,
            users::password_hash,
            users::role,
            users::token_version,
        ))
        .first(c)
        .optional()?;
    Ok(row.map(
        |(id, username, password_hash, role, token_version)| Credentials {
            id,
            username,
            password_hash,
            role: Role::stored(&role),
            token_version,
        },
    ))
}

/// The user a token for user `id` at `token_version` stands for; `None` if that user is gone
/// or the token was revoked since.
pub fn session(c: &mut DbConn, id: i32, token_version: i32) -> QueryResult<Option<Session>> {
    let row: Option<(String, String)> = users::table
        .find(id)
        .filter(users::token_version.eq(token_version))
        .select((users::username, users::role))
        .first(c)
        .optional()?;
    Ok(row.map(|(username, role)| Session {
        username,
        role: Role::stored(&role),
    }))
}

/// Makes every token issued to user `id` so far invalid (logout); false if there is no such user.
pub fn revoke_tokens(c: &mut DbConn, id: i32) -> QueryResult<bool> {
    let n = diesel::update(users::table.find(id))
        .set(users::token_version.eq(users::token_version + 1))
        .execute(c)?;
    Ok(n > 0)
}

/// The role of a user who still exists.
pub fn role_of(c: &mut DbConn, username: &str) -> QueryResult<Option<Role>> {
    let role: Option<String> = users::table
        .filter(users::username.eq(username))
        .select(users::role)
        .first(c)
        .optional()?;
    Ok(role.and_then(|r| Role::parse(&r)))
}

/// Adds a user; false if the name is taken. `audit` commits with it.
pub fn create(
    c: &mut DbConn,
    username: &str,
    password_hash: &str,
    role: Role,
    now: NaiveDateTime,
    audit: Option<&AuditRow>,
) -> QueryResult<bool> {
    let inserted = each_backend!(c, |c| diesel::insert_into(users::table)
        .values((
            users::username.eq(username),
            users::password_hash.eq(password_hash),
            users::role.eq(role.as_str()),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    if inserted > 0 {
        audit::insert_opt(c, audit)?;
    }
    Ok(inserted > 0)
}

/// Sets a user's password hash and/or role; false if there is no such user. `audit` commits
/// with it.
pub fn update(
    c: &mut DbConn,
    username: &str,
    password_hash: Option<&str>,
    role: Option<Role>,
    now: NaiveDateTime,
    audit: Option<&AuditRow>,
) -> QueryResult<bool> {
    let target = users::table.filter(users::username.eq(username));
    let found = diesel::update(target)
        .set(users::updated_at.eq(now))
        .execute(c)?;
    if found == 0 {
        return Ok(false);
    }
    if let Some(hash) = password_hash {
        // A new password ends every session of the old one.
        diesel::update(target)
            .set((
                users::password_hash.eq(hash),
                users::token_version.eq(users::token_version + 1),
            ))
            .execute(c)?;
    }
    if let Some(role) = role {
        diesel::update(target)
            .set(users::role.eq(role.as_str()))
            .execute(c)?;
    }
    audit::insert_opt(c, audit)?;
    Ok(true)
}

/// What [`delete`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    Deleted,
    NotFound,
    /// Refused: the last admin stays.
    LastAdmin,
}

/// Deletes a user, never the last admin. `audit` commits with it.
pub fn delete(c: &mut DbConn, username: &str, audit: Option<&AuditRow>) -> QueryResult<Deleted> {
    let Some(role) = role_of(c, username)? else {
        return Ok(Deleted::NotFound);
    };
    if role == Role::Admin {
        let admins: i64 = users::table
            .filter(users::role.eq(Role::Admin.as_str()))
            .count()
            .get_result(c)?;
        if admins <= 1 {
            return Ok(Deleted::LastAdmin);
        }
    }
    diesel::delete(users::table.filter(users::username.eq(username))).execute(c)?;
    audit::insert_opt(c, audit)?;
    Ok(Deleted::Deleted)
}
