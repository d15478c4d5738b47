//! Chargers: identity and connection state (written by the charger actor through `jobs`), and
//! what an admin manages here: pre-registration, the registration status preset for the next
//! boot, the heartbeat interval, Basic-auth password hashes, deletion.

use super::audit::{self, AuditRow};
use super::connectors::{self, Connector};
use super::page::{Page, PageRequest, Sort};
use super::query::{like_anywhere, like_literal, order_by};
use super::schema::{charge_points as cp, connectors as conn, transactions as tx};
use super::spelling::Spelled;
use super::DbConn;
use crate::ocpp::v16::boot_notification::RegistrationStatus;
use crate::ocpp::v16::status_notification::ChargePointStatus;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::sqlite::Sqlite;
use std::collections::HashMap;

/// A charger's row.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = cp)]
pub struct ChargePoint {
    pub id: String,
    /// What an admin set for its next boot; `None`: the configured default.
    #[diesel(deserialize_as = Spelled<RegistrationStatus>)]
    pub registration_status: Option<RegistrationStatus>,
    /// What its last BootNotification was answered; `None` if it never booted.
    #[diesel(deserialize_as = Spelled<RegistrationStatus>)]
    pub boot_status: Option<RegistrationStatus>,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub charge_point_serial: Option<String>,
    pub charge_box_serial: Option<String>,
    pub firmware_version: Option<String>,
    pub iccid: Option<String>,
    pub imsi: Option<String>,
    pub meter_type: Option<String>,
    pub meter_serial: Option<String>,
    pub password_hash: Option<String>,
    pub connected: bool,
    pub last_seen: Option<NaiveDateTime>,
    pub last_boot_at: Option<NaiveDateTime>,
    pub firmware_status: Option<String>,
    pub diagnostics_status: Option<String>,
    pub created_at: NaiveDateTime,
    /// Its own heartbeat interval; `None`: the server default.
    pub heartbeat_interval_secs: Option<i32>,
    pub connection_replacements: i32,
    pub last_replaced_at: Option<NaiveDateTime>,
}

/// A charger with its connectors and the energy its completed transactions delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct Charger {
    pub charge_point: ChargePoint,
    /// By connector id.
    pub connectors: Vec<Connector>,
    /// Sum of meterStop - meterStart over its completed transactions, in Wh.
    pub energy_wh: i64,
}

/// Which chargers a list shows; `None` matches all.
#[derive(Debug, Clone, Default)]
pub struct ChargerFilter {
    /// At least one connector in this status.
    pub status: Option<ChargePointStatus>,
    /// Connected now (or not).
    pub online: Option<bool>,
    /// Vendor, exactly, ignoring ASCII case.
    pub vendor: Option<String>,
    /// Model, exactly, ignoring ASCII case.
    pub model: Option<String>,
    /// Text anywhere in the id, vendor, model or serial numbers, ignoring ASCII case.
    pub q: Option<String>,
}

/// The fields a list sorts by; ties go by id.
pub const SORTS: [&str; 5] = ["id", "vendor", "model", "lastSeen", "createdAt"];

/// The default sort: by id.
pub const DEFAULT_SORT: Sort = Sort {
    field: "id",
    desc: false,
};

fn filtered(f: &ChargerFilter) -> cp::BoxedQuery<'static, Sqlite> {
    let mut q = cp::table.into_boxed();
    if let Some(status) = f.status {
        q = q.filter(diesel::dsl::exists(
            conn::table
                .filter(conn::charge_point_id.eq(cp::id))
                .filter(conn::status.eq(status.as_str())),
        ));
    }
    if let Some(online) = f.online {
        q = q.filter(cp::connected.eq(online));
    }
    // LIKE without wildcards: equality that ignores ASCII case.
    if let Some(v) = &f.vendor {
        q = q.filter(cp::vendor.like(like_literal(v)).escape('\\'));
    }
    if let Some(m) = &f.model {
        q = q.filter(cp::model.like(like_literal(m)).escape('\\'));
    }
    if let Some(text) = &f.q {
        let p = like_anywhere(text);
        q = q.filter(
            cp::id
                .like(p.clone())
                .escape('\\')
                .nullable()
                .or(cp::vendor.like(p.clone()).escape('\\'))
                .or(cp::model.like(p.clone()).escape('\\'))
                .or(cp::charge_point_serial.like(p.clone()).escape('\\'))
                .or(cp::charge_box_serial.like(p).escape('\\'))
                .assume_not_null(),
        );
    }
    q
}

/// Energy delivered per charger by its completed transactions, in Wh: `(id, wh)` rows.
/// (A macro: diesel does not name the type of a grouped boxed query.)
macro_rules! energy_by_charger {
    ($ids:expr) => {
        tx::table
            .filter(tx::charge_point_id.eq_any($ids))
            .filter(tx::meter_stop.is_not_null())
            .group_by(tx::charge_point_id)
            .select((
                tx::charge_point_id,
                diesel::dsl::sql::<BigInt>(
                    "CAST(COALESCE(SUM(meter_stop - meter_start), 0) AS INTEGER)",
                ),
            ))
    };
}

/// The given rows with their connectors and energy, in the same order.
fn complete(c: &mut DbConn, rows: Vec<ChargePoint>) -> QueryResult<Vec<Charger>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut by_charger: HashMap<String, Vec<Connector>> = HashMap::new();
    for connector in connectors::of_chargers(c, &ids)? {
        by_charger
            .entry(connector.charge_point_id.clone())
            .or_default()
            .push(connector);
    }
    let energy: HashMap<String, i64> = energy_by_charger!(&ids)
        .load::<(String, i64)>(c)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|charge_point| Charger {
            connectors: by_charger.remove(&charge_point.id).unwrap_or_default(),
            energy_wh: energy.get(&charge_point.id).copied().unwrap_or(0),
            charge_point,
        })
        .collect())
}

/// Chargers, filtered and sorted by one of [`SORTS`] (unknown fields sort by id).
pub fn page(
    c: &mut DbConn,
    filter: &ChargerFilter,
    sort: Sort,
    page: PageRequest,
) -> QueryResult<Page<Charger>> {
    let total: i64 = filtered(filter).count().get_result(c)?;
    let q = filtered(filter);
    let q = match sort.field {
        "vendor" => order_by!(q, sort, cp::vendor, cp::id),
        "model" => order_by!(q, sort, cp::model, cp::id),
        "lastSeen" => order_by!(q, sort, cp::last_seen, cp::id),
        "createdAt" => order_by!(q, sort, cp::created_at, cp::id),
        _ => order_by!(q, sort, cp::id, cp::id),
    };
    let rows = q
        .limit(page.limit)
        .offset(page.offset)
        .select(ChargePoint::as_select())
        .load(c)?;
    Ok(page.of(complete(c, rows)?, total))
}

/// One charger, with its connectors and energy.
pub fn find(c: &mut DbConn, id: &str) -> QueryResult<Option<Charger>> {
    let row: Option<ChargePoint> = cp::table
        .find(id)
        .select(ChargePoint::as_select())
        .first(c)
        .optional()?;
    Ok(row
        .map(|r| complete(c, vec![r]))
        .transpose()?
        .and_then(|mut v| v.pop()))
}

/// Whether the charger is known.
pub fn exists(c: &mut DbConn, id: &str) -> QueryResult<bool> {
    let n: i64 = cp::table.find(id).count().get_result(c)?;
    Ok(n > 0)
}

/// A charger to pre-register.
#[derive(Debug, Clone)]
pub struct NewCharger<'a> {
    pub id: &'a str,
    /// What its BootNotifications will be answered; `None`: the configured default.
    pub registration_status: Option<RegistrationStatus>,
    pub password_hash: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// Pre-registers a charger; false if the id is taken. `audit` commits with it.
pub fn create(c: &mut DbConn, new: &NewCharger<'_>, audit: Option<&AuditRow>) -> QueryResult<bool> {
    let inserted = diesel::insert_into(cp::table)
        .values((
            cp::id.eq(new.id),
            cp::registration_status.eq(new.registration_status.map(RegistrationStatus::as_str)),
            cp::password_hash.eq(new.password_hash),
            cp::created_at.eq(new.created_at),
        ))
        .on_conflict_do_nothing()
        .execute(c)?;
    if inserted > 0 {
        audit::insert_opt(c, audit)?;
    }
    Ok(inserted > 0)
}

/// An edit of a charger; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChargerChange {
    pub registration_status: Option<Option<RegistrationStatus>>,
    pub heartbeat_interval_secs: Option<Option<i32>>,
}

/// Edits a charger; false if there is no such charger. `audit` commits with it.
pub fn update(
    c: &mut DbConn,
    id: &str,
    change: ChargerChange,
    audit: Option<&AuditRow>,
) -> QueryResult<bool> {
    if !exists(c, id)? {
        return Ok(false);
    }
    if let Some(status) = change.registration_status {
        diesel::update(cp::table.find(id))
            .set(cp::registration_status.eq(status.map(RegistrationStatus::as_str)))
            .execute(c)?;
    }
    if let Some(secs) = change.heartbeat_interval_secs {
        diesel::update(cp::table.find(id))
            .set(cp::heartbeat_interval_secs.eq(secs))
            .execute(c)?;
    }
    audit::insert_opt(c, audit)?;
    Ok(true)
}

/// Deletes a charger and its connectors (its history stays); false if there is no such
/// charger. `audit` commits with it.
pub fn delete(c: &mut DbConn, id: &str, audit: Option<&AuditRow>) -> QueryResult<bool> {
    connectors::delete_of(c, id)?;
    let n = diesel::delete(cp::table.find(id)).execute(c)?;
    if n > 0 {
        audit::insert_opt(c, audit)?;
    }
    Ok(n > 0)
}

/// Sets (`Some`) or clears (`None`) a charger's Basic-auth password hash; false if there is no
/// such charger. `audit` commits with it.
pub fn set_password_hash(
    c: &mut DbConn,
    id: &str,
    hash: Option<&str>,
    audit: Option<&AuditRow>,
) -> QueryResult<bool> {
    let n = diesel::update(cp::table.find(id))
        .set(cp::password_hash.eq(hash))
        .execute(c)?;
    if n > 0 {
        audit::insert_opt(c, audit)?;
    }
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn energy_per_charger_reads_only_the_index() {
        let ids = vec!["A".to_owned(), "B".to_owned()];
        let plan = crate::db::query::plan::of(&energy_by_charger!(&ids));
        assert!(
            plan.contains("USING COVERING INDEX transactions_by_charger"),
            "{plan}"
        );
    }
}
