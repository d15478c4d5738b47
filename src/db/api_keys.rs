//! API keys for machines: a public prefix, the SHA-256 of the secret, a role; revocable.

use super::audit::{self, AuditRow};
use super::page::{Page, PageRequest};
use super::schema::api_keys;
use super::users::Role;
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A key as listed (never its secret).
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub id: i32,
    pub name: String,
    pub prefix: String,
    pub role: Role,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A key to store.
#[derive(Debug, Clone)]
pub struct NewApiKey<'a> {
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub role: Role,
    pub created_by: &'a str,
    pub created_at: NaiveDateTime,
}

/// What checking a key needs: its name, stored hash and role.
#[derive(Debug, Clone)]
pub struct ActiveKey {
    pub name: String,
    pub key_hash: String,
    pub role: Role,
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

/// Oldest first.
pub fn page(c: &mut DbConn, page: PageRequest) -> QueryResult<Page<ApiKey>> {
    let total = api_keys::table.count().get_result(c)?;
    let rows: Vec<Row> = api_keys::table
        .order(api_keys::id)
        .limit(page.limit)
        .offset(page.offset)
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
    let items = rows
        .into_iter()
        .map(
            |(id, name, prefix, role, created_by, created_at, revoked_at)| ApiKey {
                id,
                name,
                prefix,
                role: Role::parse(&role).unwrap_or(Role::Viewer),
                created_by,
                created_at,
                revoked_at,
            },
        )
        .collect();
    Ok(page.of(items, total))
}

/// Stores a key; its id. `audit` commits with it.
pub fn create(c: &mut DbConn, key: &NewApiKey<'_>, audit: Option<&AuditRow>) -> QueryResult<i32> {
    let id = diesel::insert_into(api_keys::table)
        .values((
            api_keys::name.eq(key.name),
            api_keys::prefix.eq(key.prefix),
            api_keys::key_hash.eq(key.key_hash),
            api_keys::role.eq(key.role.as_str()),
            api_keys::created_by.eq(key.created_by),
            api_keys::created_at.eq(key.created_at),
        ))
        .returning(api_keys::id)
        .get_result(c)?;
    audit::insert_opt(c, audit)?;
    Ok(id)
}

/// Revokes a key that is not revoked yet; false if there is none. `audit` commits with it.
pub fn revoke(
    c: &mut DbConn,
    id: i32,
    now: NaiveDateTime,
    audit: Option<&AuditRow>,
) -> QueryResult<bool> {
    let n = diesel::update(
        api_keys::table
            .find(id)
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(now))
    .execute(c)?;
    if n > 0 {
        audit::insert_opt(c, audit)?;
    }
    Ok(n > 0)
}

/// The key with this public prefix, unless revoked. A stored role this build does not know
/// reads as none (the key is refused).
pub fn active(c: &mut DbConn, prefix: &str) -> QueryResult<Option<ActiveKey>> {
    let row: Option<(String, String, String)> = api_keys::table
        .filter(
            api_keys::prefix
                .eq(prefix)
                .and(api_keys::revoked_at.is_null()),
        )
        .select((api_keys::name, api_keys::key_hash, api_keys::role))
        .first(c)
        .optional()?;
    Ok(row.and_then(|(name, key_hash, role)| {
        Role::parse(&role).map(|role| ActiveKey {
            name,
            key_hash,
            role,
        })
    }))
}
