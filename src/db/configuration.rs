//! What a charger reports of its settings: configuration keys (from GetConfiguration, kept
//! current by accepted ChangeConfiguration) and its local authorization list version.

use super::schema::{charge_points, charger_configuration as cfg, local_list_versions};
use super::DbConn;
use crate::db::conn::each_backend;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A configuration key as reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub key: String,
    /// `None` when the key is known but has no value.
    pub value: Option<String>,
    pub readonly: bool,
}

/// A stored key and when it was last reported.
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub key: Key,
    pub updated_at: NaiveDateTime,
}

/// Writes configuration keys; with `replace`, the charger's snapshot is exactly these keys.
pub fn store_keys(
    c: &mut DbConn,
    charger_id: &str,
    keys: &[Key],
    replace: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if replace {
        diesel::delete(cfg::table.filter(cfg::charge_point_id.eq(charger_id))).execute(c)?;
    }
    for Key {
        key,
        value,
        readonly,
    } in keys
    {
        each_backend!(c, |c| diesel::insert_into(cfg::table)
            .values((
                cfg::charge_point_id.eq(charger_id),
                cfg::key.eq(key),
                cfg::value.eq(value),
                cfg::readonly.eq(readonly),
                cfg::updated_at.eq(now),
            ))
            .on_conflict((cfg::charge_point_id, cfg::key))
            .do_update()
            .set((
                cfg::value.eq(value),
                cfg::readonly.eq(readonly),
                cfg::updated_at.eq(now),
            ))
            .execute(c))?;
    }
    Ok(())
}

/// Records the charger's local list version.
pub fn store_list_version(
    c: &mut DbConn,
    charger_id: &str,
    version: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    each_backend!(c, |c| diesel::insert_into(local_list_versions::table)
        .values((
            local_list_versions::charge_point_id.eq(charger_id),
            local_list_versions::list_version.eq(version),
            local_list_versions::updated_at.eq(now),
        ))
        .on_conflict(local_list_versions::charge_point_id)
        .do_update()
        .set((
            local_list_versions::list_version.eq(version),
            local_list_versions::updated_at.eq(now),
        ))
        .execute(c))
    .map(drop)
}

/// The heartbeat interval the charger accepted, which the server hands out at its next boot.
pub fn store_heartbeat_interval(c: &mut DbConn, charger_id: &str, secs: i32) -> QueryResult<()> {
    diesel::update(charge_points::table.find(charger_id))
        .set(charge_points::heartbeat_interval_secs.eq(secs))
        .execute(c)
        .map(drop)
}

/// A charger's keys by name, and its local list version if known.
pub fn snapshot(c: &mut DbConn, charger_id: &str) -> QueryResult<(Vec<StoredKey>, Option<i64>)> {
    let rows: Vec<(String, Option<String>, bool, NaiveDateTime)> = cfg::table
        .filter(cfg::charge_point_id.eq(charger_id))
        .order(cfg::key)
        .select((cfg::key, cfg::value, cfg::readonly, cfg::updated_at))
        .load(c)?;
    let version: Option<i64> = local_list_versions::table
        .find(charger_id)
        .select(local_list_versions::list_version)
        .first(c)
        .optional()?;
    let keys = rows
        .into_iter()
        .map(|(key, value, readonly, updated_at)| StoredKey {
            key: Key {
                key,
                value,
                readonly,
            },
            updated_at,
        })
        .collect();
    Ok((keys, version))
}
