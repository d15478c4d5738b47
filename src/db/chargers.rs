//! Chargers: identity and connection state (written by the charger actor through `jobs`), and
//! what an admin manages here: pre-registration, the registration status preset for the next
//! boot, the heartbeat interval, Basic-auth password hashes, deletion.

use super::audit::{self, AuditRow};
use super::conn::MultiBackend;
use super::connectors::{self, Connector};
use super::models::ChargePoint as Row;
use super::page::{Page, PageRequest, Sort};
use super::query::{like_anywhere, like_ci, like_literal, order_by, order_by_nullable, stored};
use super::schema::{charge_points as cp, connectors as conn, transactions as tx};
use super::Backend;
use super::DbConn;
use crate::db::conn::each_backend;
use crate::ocpp::v16::boot_notification::RegistrationStatus;
use crate::ocpp::v16::status_notification::ChargePointStatus;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use std::collections::HashMap;

/// A charger as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ChargePoint {
    pub id: String,
    /// What an admin set for its next boot; `None`: the configured default.
    pub registration_status: Option<RegistrationStatus>,
    /// What its last BootNotification was answered; `None` if it never booted.
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

impl ChargePoint {
    fn from_row(r: Row) -> QueryResult<ChargePoint> {
        Ok(ChargePoint {
            // Read as the boot reads it: a preset this build does not know is no preset.
            registration_status: r
                .registration_status
                .as_deref()
                .and_then(RegistrationStatus::parse),
            boot_status: r
                .boot_status
                .as_deref()
                .map(|s| stored("charge_points.boot_status", s, RegistrationStatus::parse))
                .transpose()?,
            id: r.id,
            vendor: r.vendor,
            model: r.model,
            charge_point_serial: r.charge_point_serial,
            charge_box_serial: r.charge_box_serial,
            firmware_version: r.firmware_version,
            iccid: r.iccid,
            imsi: r.imsi,
            meter_type: r.meter_type,
            meter_serial: r.meter_serial,
            password_hash: r.password_hash,
            connected: r.connected,
            last_seen: r.last_seen,
            last_boot_at: r.last_boot_at,
            firmware_status: r.firmware_status,
            diagnostics_status: r.diagnostics_status,
            created_at: r.created_at,
            heartbeat_interval_secs: r.heartbeat_interval_secs,
            connection_replacements: r.connection_replacements,
            last_replaced_at: r.last_replaced_at,
        })
    }
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

fn filtered(f: &ChargerFilter, backend: Backend) -> cp::BoxedQuery<'static, MultiBackend> {
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
    // LIKE without wildcards: equality that ignores case.
    if let Some(v) = &f.vendor {
        q = q.filter(like_ci(backend, "charge_points.vendor", like_literal(v)));
    }
    if let Some(m) = &f.model {
        q = q.filter(like_ci(backend, "charge_points.model", like_literal(m)));
    }
    if let Some(text) = &f.q {
        let p = like_anywhere(text);
        let like = |column| like_ci(backend, column, p.clone());
        q = q.filter(
            like("charge_points.id")
                .or(like("charge_points.vendor"))
                .or(like("charge_points.model"))
                .or(like("charge_points.charge_point_serial"))
                .or(like("charge_points.charge_box_serial")),
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
                    "CAST(COALESCE(SUM(meter_stop - meter_start), 0) AS BIGINT)",
                ),
            ))
    };
}

/// The given rows with their connectors and energy, in the same order.
fn complete(c: &mut DbConn, rows: Vec<Row>) -> QueryResult<Vec<Charger>> {
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
    rows.into_iter()
        .map(|row| {
            let charge_point = ChargePoint::from_row(row)?;
            Ok(Charger {
                connectors: by_charger.remove(&charge_point.id).unwrap_or_default(),
                energy_wh: energy.get(&charge_point.id).copied().unwrap_or(0),
                charge_point,
            })
        })
        .collect()
}

/// Chargers, filtered and sorted by one of [`SORTS`] (unknown fields sort by id).
pub fn page(
    c: &mut DbConn,
    filter: &ChargerFilter,
    sort: Sort,
    page: PageRequest,
) -> QueryResult<Page<Charger>> {
    let total: i64 = filtered(filter, c.backend()).count().get_result(c)?;
    let q = filtered(filter, c.backend());
    let q = match sort.field {
        "vendor" => order_by_nullable!(q, sort, cp::vendor, cp::id),
        "model" => order_by_nullable!(q, sort, cp::model, cp::id),
        "lastSeen" => order_by_nullable!(q, sort, cp::last_seen, cp::id),
        "createdAt" => order_by!(q, sort, cp::created_at, cp::id),
        _ => order_by!(q, sort, cp::id, cp::id),
    };
    let rows = q
        .limit(page.limit)
        .offset(page.offset)
        .select(Row::as_select())
        .load(c)?;
    Ok(page.of(complete(c, rows)?, total))
}

/// One charger, with its connectors and energy.
pub fn find(c: &mut DbConn, id: &str) -> QueryResult<Option<Charger>> {
    let row: Option<Row> = cp::table
        .find(id)
        .select(Row::as_select())
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

/// What the handshake checks: `None` if the charger is unknown, else its Basic-auth password
/// hash (`None` when it has none).
pub fn password_hash(c: &mut DbConn, id: &str) -> QueryResult<Option<Option<String>>> {
    cp::table
        .find(id)
        .select(cp::password_hash)
        .first::<Option<String>>(c)
        .optional()
}

diesel::define_sql_function! {
    /// SQL `lower`: ASCII letters to lower case (SQLite folds only those).
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// The id of a charger with a password whose id differs from `id` only in case, if any: an
/// unknown id that only looks like a protected charger's is refused, so a lookalike cannot
/// connect beside it.
pub fn protected_lookalike(c: &mut DbConn, id: &str) -> QueryResult<Option<String>> {
    cp::table
        .filter(cp::password_hash.is_not_null())
        .filter(lower(cp::id).eq(id.to_ascii_lowercase()))
        .filter(cp::id.ne(id))
        .select(cp::id)
        .first(c)
        .optional()
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
    let inserted = each_backend!(c, |c| diesel::insert_into(cp::table)
        .values((
            cp::id.eq(new.id),
            cp::registration_status.eq(new.registration_status.map(RegistrationStatus::as_str)),
            cp::password_hash.eq(new.password_hash),
            cp::created_at.eq(new.created_at),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
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
    use crate::db::audit::AuditFilter;
    use crate::db::query::scratch;
    use crate::ocpp::v16::status_notification::ChargePointErrorCode;

    fn now() -> NaiveDateTime {
        chrono::Utc::now().naive_utc()
    }

    fn audit(action: &str, target: &str) -> AuditRow {
        AuditRow {
            actor: "user:admin".into(),
            action: action.into(),
            target: Some(target.into()),
            request: None,
            result: "204".into(),
        }
    }

    /// The audit actions about `target`, newest first.
    fn audited(c: &mut DbConn, target: &str) -> Vec<String> {
        let filter = AuditFilter {
            target: Some(target.into()),
            ..AuditFilter::default()
        };
        let page = PageRequest {
            limit: 100,
            offset: 0,
        };
        let entries = audit::page(c, &filter, page).unwrap();
        entries.items.into_iter().map(|e| e.action).collect()
    }

    fn add(c: &mut DbConn, id: &str) {
        let new = NewCharger {
            id,
            registration_status: None,
            password_hash: None,
            created_at: now(),
        };
        assert!(create(c, &new, None).unwrap());
    }

    fn connector(c: &mut DbConn, id: &str, connector_id: i32, status: &str) {
        diesel::insert_into(conn::table)
            .values((
                conn::charge_point_id.eq(id),
                conn::connector_id.eq(connector_id),
                conn::status.eq(status),
                conn::error_code.eq(if status == "Faulted" {
                    "GroundFailure"
                } else {
                    "NoError"
                }),
                conn::status_at.eq(now()),
                conn::updated_at.eq(now()),
            ))
            .execute(c)
            .unwrap();
    }

    fn session(c: &mut DbConn, id: &str, meter: (i64, Option<i64>)) {
        diesel::insert_into(tx::table)
            .values((
                tx::charge_point_id.eq(id),
                tx::connector_id.eq(1),
                tx::id_tag.eq("TAG"),
                tx::id_tag_status.eq("Accepted"),
                tx::start_time.eq(now()),
                tx::meter_start.eq(meter.0),
                tx::meter_stop.eq(meter.1),
                tx::started_at.eq(now()),
            ))
            .execute(c)
            .unwrap();
    }

    fn ids(c: &mut DbConn, filter: ChargerFilter, sort: Sort) -> Vec<String> {
        let page = PageRequest {
            limit: 10,
            offset: 0,
        };
        let found = super::page(c, &filter, sort, page).unwrap();
        found.items.into_iter().map(|c| c.charge_point.id).collect()
    }

    #[test]
    fn changes_commit_with_their_audit_rows_and_misses_write_none() {
        let (_dir, mut conn) = scratch();
        let c = &mut conn;
        let new = NewCharger {
            id: "CP1",
            registration_status: Some(RegistrationStatus::Pending),
            password_hash: Some("hash"),
            created_at: now(),
        };
        assert!(create(c, &new, Some(&audit("charger.create", "CP1"))).unwrap());
        assert!(!create(c, &new, Some(&audit("charger.create", "CP1"))).unwrap());
        let change = ChargerChange {
            registration_status: Some(None),
            heartbeat_interval_secs: Some(Some(60)),
        };
        assert!(update(c, "CP1", change, Some(&audit("charger.update", "CP1"))).unwrap());
        assert!(!update(c, "CP2", change, Some(&audit("charger.update", "CP2"))).unwrap());
        let clear = audit("charger.password.clear", "CP1");
        assert!(set_password_hash(c, "CP1", None, Some(&clear)).unwrap());
        let clear = audit("charger.password.clear", "CP2");
        assert!(!set_password_hash(c, "CP2", None, Some(&clear)).unwrap());

        let found = find(c, "CP1").unwrap().unwrap().charge_point;
        assert_eq!(found.registration_status, None);
        assert_eq!(found.heartbeat_interval_secs, Some(60));
        assert_eq!(found.password_hash, None);

        connector(c, "CP1", 1, "Available");
        assert!(delete(c, "CP1", Some(&audit("charger.delete", "CP1"))).unwrap());
        assert!(!delete(c, "CP1", Some(&audit("charger.delete", "CP1"))).unwrap());
        assert!(!exists(c, "CP1").unwrap());
        assert!(connectors::of_chargers(c, &["CP1".into()])
            .unwrap()
            .is_empty());
        assert_eq!(
            audited(c, "CP1"),
            [
                "charger.delete",
                "charger.password.clear",
                "charger.update",
                "charger.create"
            ]
        );
        assert!(audited(c, "CP2").is_empty());
    }

    #[test]
    fn lists_filter_and_sort_chargers_with_their_connectors_and_energy() {
        let (_dir, mut conn) = scratch();
        let c = &mut conn;
        for id in ["A", "B", "C%"] {
            add(c, id);
        }
        diesel::update(cp::table.find("A"))
            .set((cp::vendor.eq("ABB"), cp::connected.eq(true)))
            .execute(c)
            .unwrap();
        diesel::update(cp::table.find("B"))
            .set((cp::vendor.eq("Alfen"), cp::model.eq("ABB-like")))
            .execute(c)
            .unwrap();
        connector(c, "A", 2, "Charging");
        connector(c, "A", 1, "Available");
        connector(c, "B", 1, "Available");
        connector(c, "C%", 1, "Faulted");
        session(c, "A", (100, Some(1_600)));
        session(c, "A", (2_000, Some(2_500)));
        session(c, "A", (3_000, None));

        let by_id = DEFAULT_SORT;
        let only = |f: fn(&mut ChargerFilter)| {
            let mut filter = ChargerFilter::default();
            f(&mut filter);
            filter
        };
        let charging = only(|f| f.status = Some(ChargePointStatus::Charging));
        assert_eq!(ids(c, charging, by_id), ["A"]);
        let available = only(|f| f.status = Some(ChargePointStatus::Available));
        assert_eq!(ids(c, available, by_id), ["A", "B"]);
        assert_eq!(ids(c, only(|f| f.online = Some(false)), by_id), ["B", "C%"]);
        assert_eq!(
            ids(c, only(|f| f.vendor = Some("abb".into())), by_id),
            ["A"]
        );
        assert!(ids(c, only(|f| f.vendor = Some("a_b".into())), by_id).is_empty());
        assert_eq!(
            ids(c, only(|f| f.q = Some("abb".into())), by_id),
            ["A", "B"]
        );
        assert_eq!(ids(c, only(|f| f.q = Some("%".into())), by_id), ["C%"]);
        let vendor_desc = Sort {
            field: "vendor",
            desc: true,
        };
        assert_eq!(
            ids(c, ChargerFilter::default(), vendor_desc),
            ["B", "A", "C%"]
        );

        let a = find(c, "A").unwrap().unwrap();
        assert_eq!(a.energy_wh, 2_000);
        let statuses: Vec<_> = a
            .connectors
            .iter()
            .map(|k| (k.connector_id, k.status))
            .collect();
        assert_eq!(
            statuses,
            [
                (1, ChargePointStatus::Available),
                (2, ChargePointStatus::Charging)
            ]
        );
        let faulted = find(c, "C%").unwrap().unwrap();
        assert_eq!(faulted.energy_wh, 0);
        let read: Vec<_> = faulted
            .connectors
            .iter()
            .map(|k| (k.status, k.error_code))
            .collect();
        assert_eq!(
            read,
            [(
                ChargePointStatus::Faulted,
                ChargePointErrorCode::GroundFailure
            )]
        );
    }

    #[test]
    fn statuses_read_typed_and_unknown_ones_are_named() {
        let (_dir, mut conn) = scratch();
        let c = &mut conn;
        add(c, "CP");
        diesel::update(cp::table.find("CP"))
            .set((
                cp::boot_status.eq("Accepted"),
                cp::registration_status.eq("Maybe"),
            ))
            .execute(c)
            .unwrap();
        let row = find(c, "CP").unwrap().unwrap().charge_point;
        assert_eq!(row.boot_status, Some(RegistrationStatus::Accepted));
        assert_eq!(
            row.registration_status, None,
            "an unknown preset is none, as at boot"
        );

        connector(c, "CP", 1, "Dozing");
        let e = find(c, "CP").unwrap_err().to_string();
        assert!(
            e.contains("connectors.status") && e.contains("Dozing"),
            "{e}"
        );
    }

    #[test]
    fn energy_per_charger_reads_only_the_index() {
        let ids = vec!["A".to_owned(), "B".to_owned()];
        let plan = crate::db::query::plan::of(energy_by_charger!(&ids));
        assert!(
            plan.contains("USING COVERING INDEX transactions_by_charger"),
            "{plan}"
        );
    }

    #[test]
    fn the_status_filter_looks_connectors_up_by_key() {
        let filter = ChargerFilter {
            status: Some(ChargePointStatus::Faulted),
            ..ChargerFilter::default()
        };
        let plan = crate::db::query::plan::of(filtered(&filter, Backend::Sqlite).select(cp::id));
        assert!(plan.contains("sqlite_autoindex_connectors_1"), "{plan}");
    }
}
