//! Charging profiles: the library of reusable profiles, and what each charger has accepted
//! (SetChargingProfile) and not cleared (ClearChargingProfile). Profiles are stored as the
//! OCPP JSON text.

use super::audit::{self, AuditRow};
use super::page::{Page, PageRequest};
use super::schema::{
    charging_profiles as library, installed_charging_profiles as installed, transactions,
};
use super::DbConn;
use crate::db::conn::each_backend;
use crate::ocpp::v16::common::ChargingProfile;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A profile installed on a charger.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = installed)]
pub struct Installed {
    pub connector_id: i32,
    pub charging_profile_id: i32,
    pub purpose: String,
    pub stack_level: i32,
    pub transaction_id: Option<i32>,
    /// The OCPP ChargingProfile as sent, JSON text.
    pub profile: String,
    pub installed_at: NaiveDateTime,
}

/// Which installed profiles a ClearChargingProfile removed: the one with `id`, or all that
/// match every given criterion.
#[derive(Debug, Clone, Default)]
pub struct Cleared {
    pub id: Option<i32>,
    pub connector_id: Option<i32>,
    pub purpose: Option<&'static str>,
    pub stack_level: Option<i32>,
}

/// A profile of the library.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = library)]
pub struct LibraryProfile {
    pub id: i32,
    pub name: String,
    /// An OCPP ChargingProfile, JSON text.
    pub profile: String,
    pub created_at: NaiveDateTime,
}

/// Records an accepted profile. As on the charger, it replaces a profile with the same id, or
/// with the same connector, purpose and stack level (OCPP 1.6, 3.13.2).
pub fn record_installed(
    c: &mut DbConn,
    charger_id: &str,
    connector_id: i32,
    profile: &ChargingProfile,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let purpose = profile.charging_profile_purpose.as_str();
    let mine = installed::charge_point_id.eq(charger_id);
    diesel::delete(
        installed::table.filter(
            mine.and(
                installed::charging_profile_id
                    .eq(profile.charging_profile_id)
                    .or(installed::connector_id
                        .eq(connector_id)
                        .and(installed::purpose.eq(purpose))
                        .and(installed::stack_level.eq(profile.stack_level))),
            ),
        ),
    )
    .execute(c)?;
    diesel::insert_into(installed::table)
        .values((
            installed::charge_point_id.eq(charger_id),
            installed::connector_id.eq(connector_id),
            installed::charging_profile_id.eq(profile.charging_profile_id),
            installed::purpose.eq(purpose),
            installed::stack_level.eq(profile.stack_level),
            installed::transaction_id.eq(profile.transaction_id),
            installed::profile.eq(serde_json::to_string(profile).unwrap_or_default()),
            installed::installed_at.eq(now),
        ))
        .execute(c)
        .map(drop)
}

/// Forgets what a charger cleared.
pub fn clear_installed(c: &mut DbConn, charger_id: &str, cleared: &Cleared) -> QueryResult<()> {
    let mut q = diesel::delete(installed::table)
        .filter(installed::charge_point_id.eq(charger_id.to_owned()))
        .into_boxed();
    if let Some(id) = cleared.id {
        q = q.filter(installed::charging_profile_id.eq(id));
    } else {
        if let Some(connector) = cleared.connector_id {
            q = q.filter(installed::connector_id.eq(connector));
        }
        if let Some(purpose) = cleared.purpose {
            q = q.filter(installed::purpose.eq(purpose));
        }
        if let Some(level) = cleared.stack_level {
            q = q.filter(installed::stack_level.eq(level));
        }
    }
    q.execute(c).map(drop)
}

/// The installed profiles of a charger, by connector, purpose and stack level. TxProfiles of
/// finished transactions are left out (the charger drops them when the transaction ends).
pub fn installed_on(c: &mut DbConn, charger_id: &str) -> QueryResult<Vec<Installed>> {
    let rows: Vec<Installed> = installed::table
        .filter(installed::charge_point_id.eq(charger_id))
        .order((
            installed::connector_id,
            installed::purpose,
            installed::stack_level,
        ))
        .select(Installed::as_select())
        .load(c)?;
    // Few rows per charger: their transactions are looked up by primary key.
    let ids: Vec<i32> = rows.iter().filter_map(|r| r.transaction_id).collect();
    let finished: Vec<i32> = transactions::table
        .filter(transactions::id.eq_any(&ids))
        .filter(transactions::stop_time.is_not_null())
        .select(transactions::id)
        .load(c)?;
    Ok(rows
        .into_iter()
        .filter(|r| r.transaction_id.is_none_or(|tx| !finished.contains(&tx)))
        .collect())
}

/// The highest chargingProfileId installed on a charger, if any.
pub fn highest_installed_id(c: &mut DbConn, charger_id: &str) -> QueryResult<Option<i32>> {
    installed::table
        .filter(installed::charge_point_id.eq(charger_id))
        .select(diesel::dsl::max(installed::charging_profile_id))
        .first(c)
}

/// The library, by name.
pub fn page(c: &mut DbConn, page: PageRequest) -> QueryResult<Page<LibraryProfile>> {
    let total: i64 = library::table.count().get_result(c)?;
    let items = library::table
        .order(library::name)
        .limit(page.limit)
        .offset(page.offset)
        .select(LibraryProfile::as_select())
        .load(c)?;
    Ok(page.of(items, total))
}

/// The JSON text of a library profile.
pub fn library_profile(c: &mut DbConn, id: i32) -> QueryResult<Option<String>> {
    library::table
        .find(id)
        .select(library::profile)
        .first(c)
        .optional()
}

/// Adds a profile (JSON text) to the library; its id, or `None` if the name is taken.
/// `audit` commits with it; `audit_for` gives the row once the id is known.
pub fn add_to_library(
    c: &mut DbConn,
    name: &str,
    profile: &str,
    now: NaiveDateTime,
    audit_for: impl FnOnce(i32) -> AuditRow,
) -> QueryResult<Option<i32>> {
    let id: Option<i32> = each_backend!(c, |c| diesel::insert_into(library::table)
        .values((
            library::name.eq(name),
            library::profile.eq(profile),
            library::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .returning(library::id)
        .get_result(c))
    .optional()?;
    if let Some(id) = id {
        audit::insert(c, &audit_for(id))?;
    }
    Ok(id)
}

/// Removes a profile from the library; false if there was none. `audit` commits with it.
pub fn remove_from_library(c: &mut DbConn, id: i32, audit: Option<&AuditRow>) -> QueryResult<bool> {
    let n = diesel::delete(library::table.find(id)).execute(c)?;
    if n > 0 {
        audit::insert_opt(c, audit)?;
    }
    Ok(n > 0)
}
