//! The authorization list: id tags with their status, expiry, parent (group) and session limit.
//! Id tags compare without regard to case (the column is `COLLATE NOCASE`), as OCPP's CiString
//! does. Charger requests read them through `jobs::transactions` (`id_tag_verdict`).

use super::audit::{self, AuditRow};
use super::conn::MultiBackend;
use super::models::IdTag as Row;
use super::page::{Page, PageRequest, Sort};
use super::query::{like_anywhere, like_ci, order_by, order_by_nullable};
use super::schema::id_tags;
use super::Backend;
use super::DbConn;
use crate::db::conn::each_backend;
use crate::ocpp::v16::common::AuthorizationStatus;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

/// The stored status of an id tag: OCPP 1.6 AuthorizationStatus less ConcurrentTx, which is
/// decided per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
pub enum TagStatus {
    Accepted,
    Blocked,
    Expired,
    Invalid,
}

impl TagStatus {
    pub const ALL: [TagStatus; 4] = [
        TagStatus::Accepted,
        TagStatus::Blocked,
        TagStatus::Expired,
        TagStatus::Invalid,
    ];

    pub fn as_str(self) -> &'static str {
        AuthorizationStatus::from(self).as_str()
    }

    pub fn parse(s: &str) -> Option<TagStatus> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// A stored status; one this build does not know reads as Invalid (the tag may not
    /// charge), for the API as for the chargers' requests.
    pub fn read(s: &str) -> TagStatus {
        Self::parse(s).unwrap_or(TagStatus::Invalid)
    }
}

impl From<TagStatus> for AuthorizationStatus {
    fn from(s: TagStatus) -> Self {
        match s {
            TagStatus::Accepted => AuthorizationStatus::Accepted,
            TagStatus::Blocked => AuthorizationStatus::Blocked,
            TagStatus::Expired => AuthorizationStatus::Expired,
            TagStatus::Invalid => AuthorizationStatus::Invalid,
        }
    }
}

/// An id tag as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct IdTag {
    pub id_tag: String,
    pub status: TagStatus,
    /// After this time the tag is answered Expired.
    pub expiry_date: Option<NaiveDateTime>,
    /// The group tag (OCPP parentIdTag).
    pub parent_id_tag: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Open transactions it, with its group, may hold at once (0: unlimited); `None`: its
    /// parent's limit, else the server default.
    pub max_active_transactions: Option<i32>,
}

impl From<Row> for IdTag {
    fn from(r: Row) -> IdTag {
        IdTag {
            status: TagStatus::read(&r.status),
            id_tag: r.id_tag,
            expiry_date: r.expiry_date,
            parent_id_tag: r.parent_id_tag,
            created_at: r.created_at,
            updated_at: r.updated_at,
            max_active_transactions: r.max_active_transactions,
        }
    }
}

/// Which tags a list shows; `None` matches all.
#[derive(Debug, Clone, Default)]
pub struct IdTagFilter {
    pub status: Option<TagStatus>,
    /// Only tags of this group (ignoring case).
    pub parent_id_tag: Option<String>,
    /// Text anywhere in the id tag, ignoring ASCII case.
    pub q: Option<String>,
}

/// The fields a list sorts by; ties go by id tag.
pub const SORTS: [&str; 5] = ["idTag", "status", "expiryDate", "createdAt", "updatedAt"];

/// The default sort: by id tag.
pub const DEFAULT_SORT: Sort = Sort {
    field: "idTag",
    desc: false,
};

fn filtered(f: &IdTagFilter, backend: Backend) -> id_tags::BoxedQuery<'static, MultiBackend> {
    let mut q = id_tags::table.into_boxed();
    if let Some(s) = f.status {
        q = q.filter(id_tags::status.eq(s.as_str()));
    }
    if let Some(p) = &f.parent_id_tag {
        q = q.filter(id_tags::parent_id_tag.eq(p.clone()));
    }
    if let Some(t) = &f.q {
        q = q.filter(like_ci(backend, "id_tags.id_tag", like_anywhere(t)));
    }
    q
}

/// Id tags, filtered and sorted by one of [`SORTS`] (unknown fields sort by id tag).
pub fn page(
    c: &mut DbConn,
    filter: &IdTagFilter,
    sort: Sort,
    page: PageRequest,
) -> QueryResult<Page<IdTag>> {
    let total: i64 = filtered(filter, c.backend()).count().get_result(c)?;
    let q = filtered(filter, c.backend());
    let q = match sort.field {
        "status" => order_by!(q, sort, id_tags::status, id_tags::id_tag),
        "expiryDate" => order_by_nullable!(q, sort, id_tags::expiry_date, id_tags::id_tag),
        "createdAt" => order_by!(q, sort, id_tags::created_at, id_tags::id_tag),
        "updatedAt" => order_by!(q, sort, id_tags::updated_at, id_tags::id_tag),
        _ => order_by!(q, sort, id_tags::id_tag, id_tags::id_tag),
    };
    let rows: Vec<Row> = q
        .limit(page.limit)
        .offset(page.offset)
        .select(Row::as_select())
        .load(c)?;
    Ok(page.of(rows.into_iter().map(IdTag::from).collect(), total))
}

/// One id tag, in any case.
pub fn find(c: &mut DbConn, tag: &str) -> QueryResult<Option<IdTag>> {
    let row: Option<Row> = id_tags::table
        .filter(id_tags::id_tag.eq(tag))
        .select(Row::as_select())
        .first(c)
        .optional()?;
    Ok(row.map(IdTag::from))
}

/// A tag to add.
#[derive(Debug, Clone)]
pub struct NewIdTag<'a> {
    pub id_tag: &'a str,
    pub status: TagStatus,
    pub expiry_date: Option<NaiveDateTime>,
    pub parent_id_tag: Option<&'a str>,
    pub max_active_transactions: Option<i32>,
    pub created_at: NaiveDateTime,
}

/// Adds a tag; false if it exists (in any case). `audit` commits with it.
pub fn create(c: &mut DbConn, new: &NewIdTag<'_>, audit: Option<&AuditRow>) -> QueryResult<bool> {
    let inserted = each_backend!(c, |c| diesel::insert_into(id_tags::table)
        .values((
            id_tags::id_tag.eq(new.id_tag),
            id_tags::status.eq(new.status.as_str()),
            id_tags::expiry_date.eq(new.expiry_date),
            id_tags::parent_id_tag.eq(new.parent_id_tag),
            id_tags::max_active_transactions.eq(new.max_active_transactions),
            id_tags::created_at.eq(new.created_at),
            id_tags::updated_at.eq(new.created_at),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    if inserted > 0 {
        audit::insert_opt(c, audit)?;
    }
    Ok(inserted > 0)
}

/// An edit of a tag; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct IdTagChange {
    pub status: Option<TagStatus>,
    pub expiry_date: Option<Option<NaiveDateTime>>,
    pub parent_id_tag: Option<Option<String>>,
    pub max_active_transactions: Option<Option<i32>>,
}

/// Edits a tag (in any case) and stamps `updated_at`; false if there is no such tag. `audit`
/// commits with it.
pub fn update(
    c: &mut DbConn,
    tag: &str,
    change: &IdTagChange,
    now: NaiveDateTime,
    audit: Option<&AuditRow>,
) -> QueryResult<bool> {
    let row = id_tags::table.filter(id_tags::id_tag.eq(tag));
    let found = diesel::update(row)
        .set(id_tags::updated_at.eq(now))
        .execute(c)?;
    if found == 0 {
        return Ok(false);
    }
    if let Some(s) = change.status {
        diesel::update(row)
            .set(id_tags::status.eq(s.as_str()))
            .execute(c)?;
    }
    if let Some(e) = change.expiry_date {
        diesel::update(row)
            .set(id_tags::expiry_date.eq(e))
            .execute(c)?;
    }
    if let Some(p) = &change.parent_id_tag {
        diesel::update(row)
            .set(id_tags::parent_id_tag.eq(p))
            .execute(c)?;
    }
    if let Some(l) = change.max_active_transactions {
        diesel::update(row)
            .set(id_tags::max_active_transactions.eq(l))
            .execute(c)?;
    }
    audit::insert_opt(c, audit)?;
    Ok(true)
}

/// Removes a tag (in any case); false if there is none. `audit` commits with it.
pub fn delete(c: &mut DbConn, tag: &str, audit: Option<&AuditRow>) -> QueryResult<bool> {
    let n = diesel::delete(id_tags::table.filter(id_tags::id_tag.eq(tag))).execute(c)?;
    if n > 0 {
        audit::insert_opt(c, audit)?;
    }
    Ok(n > 0)
}

/// One tag of an import. Its session limit is left as it is (or unset, for a new tag).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    pub id_tag: String,
    pub status: TagStatus,
    pub expiry_date: Option<NaiveDateTime>,
    pub parent_id_tag: Option<String>,
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub created: usize,
    pub updated: usize,
}

impl std::ops::Add for Imported {
    type Output = Imported;

    fn add(self, other: Imported) -> Imported {
        Imported {
            created: self.created + other.created,
            updated: self.updated + other.updated,
        }
    }
}

/// Writes imported rows: updates the known tags (in any case), creates the others. With
/// `audit`, the audit row it makes of what these rows did commits with them.
pub fn import(
    c: &mut DbConn,
    rows: &[ImportRow],
    now: NaiveDateTime,
    audit: Option<&dyn Fn(Imported) -> AuditRow>,
) -> QueryResult<Imported> {
    // Two statements a slice, whatever its size: which tags exist already (for the counts),
    // then one multi-row upsert.
    let existing: i64 = id_tags::table
        .filter(id_tags::id_tag.eq_any(rows.iter().map(|r| r.id_tag.as_str())))
        .count()
        .get_result(c)?;
    let values: Vec<_> = rows
        .iter()
        .map(|row| {
            (
                id_tags::id_tag.eq(row.id_tag.as_str()),
                id_tags::status.eq(row.status.as_str()),
                id_tags::expiry_date.eq(row.expiry_date),
                id_tags::parent_id_tag.eq(row.parent_id_tag.as_deref()),
                id_tags::created_at.eq(now),
                id_tags::updated_at.eq(now),
            )
        })
        .collect();
    if !values.is_empty() {
        use diesel::upsert::excluded;
        each_backend!(c, |c| diesel::insert_into(id_tags::table)
            .values(&values)
            .on_conflict(id_tags::id_tag)
            .do_update()
            .set((
                id_tags::status.eq(excluded(id_tags::status)),
                id_tags::expiry_date.eq(excluded(id_tags::expiry_date)),
                id_tags::parent_id_tag.eq(excluded(id_tags::parent_id_tag)),
                id_tags::updated_at.eq(excluded(id_tags::updated_at)),
            ))
            .execute(c))?;
    }
    let existing = existing as usize;
    let done = Imported {
        created: rows.len() - existing,
        updated: existing,
    };
    if let Some(make) = audit {
        audit::insert(c, &make(done))?;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::audit::{AuditEntry, AuditFilter};
    use crate::db::query::scratch;

    fn now() -> NaiveDateTime {
        chrono::Utc::now().naive_utc()
    }

    fn audit(action: &str) -> AuditRow {
        AuditRow {
            actor: "user:operator".into(),
            action: action.into(),
            target: None,
            request: None,
            result: "200".into(),
        }
    }

    fn audited(c: &mut DbConn) -> Vec<AuditEntry> {
        let page = PageRequest {
            limit: 100,
            offset: 0,
        };
        audit::page(c, &AuditFilter::default(), page).unwrap().items
    }

    fn add(c: &mut DbConn, tag: &str, status: TagStatus, parent: Option<&str>) {
        let new = NewIdTag {
            id_tag: tag,
            status,
            expiry_date: None,
            parent_id_tag: parent,
            max_active_transactions: Some(3),
            created_at: now(),
        };
        assert!(create(c, &new, None).unwrap());
    }

    fn row(tag: &str, status: TagStatus, parent: Option<&str>) -> ImportRow {
        ImportRow {
            id_tag: tag.into(),
            status,
            expiry_date: None,
            parent_id_tag: parent.map(str::to_owned),
        }
    }

    fn tags(c: &mut DbConn, filter: IdTagFilter, sort: Sort) -> Vec<String> {
        let page = PageRequest {
            limit: 10,
            offset: 0,
        };
        let found = super::page(c, &filter, sort, page).unwrap();
        found.items.into_iter().map(|t| t.id_tag).collect()
    }

    #[test]
    fn changes_commit_with_their_audit_rows_and_misses_write_none() {
        let (_dir, mut conn) = scratch();
        let c = &mut conn;
        let new = NewIdTag {
            id_tag: "A1",
            status: TagStatus::Accepted,
            expiry_date: None,
            parent_id_tag: None,
            max_active_transactions: None,
            created_at: now(),
        };
        assert!(create(c, &new, Some(&audit("id_tag.create"))).unwrap());
        let again = NewIdTag {
            id_tag: "a1",
            ..new.clone()
        };
        assert!(!create(c, &again, Some(&audit("id_tag.create"))).unwrap());
        let change = IdTagChange {
            status: Some(TagStatus::Blocked),
            max_active_transactions: Some(Some(0)),
            ..IdTagChange::default()
        };
        assert!(update(c, "a1", &change, now(), Some(&audit("id_tag.update"))).unwrap());
        assert!(!update(c, "B1", &change, now(), Some(&audit("id_tag.update"))).unwrap());
        let found = find(c, "A1").unwrap().unwrap();
        assert_eq!(
            (
                found.id_tag.as_str(),
                found.status,
                found.max_active_transactions
            ),
            ("A1", TagStatus::Blocked, Some(0))
        );
        assert!(delete(c, "a1", Some(&audit("id_tag.delete"))).unwrap());
        assert!(!delete(c, "A1", Some(&audit("id_tag.delete"))).unwrap());
        let actions: Vec<String> = audited(c).into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["id_tag.delete", "id_tag.update", "id_tag.create"]);
    }

    #[test]
    fn imports_update_tags_in_any_case_and_audit_what_they_did() {
        let (_dir, mut conn) = scratch();
        let c = &mut conn;
        add(c, "A1", TagStatus::Accepted, None);
        let rows = [
            row("a1", TagStatus::Blocked, None),
            row("B1", TagStatus::Accepted, Some("A1")),
        ];
        assert_eq!(
            import(c, &rows[..1], now(), None).unwrap(),
            Imported {
                created: 0,
                updated: 1
            }
        );
        assert!(audited(c).is_empty());
        let summary = |done: Imported| AuditRow {
            request: Some(serde_json::json!({"created": done.created})),
            ..audit("id_tag.import")
        };
        let done = import(c, &rows, now(), Some(&summary)).unwrap();
        assert_eq!(
            done,
            Imported {
                created: 1,
                updated: 1
            }
        );
        let entries = audited(c);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].request.as_deref(), Some(r#"{"created":1}"#));

        let a1 = find(c, "A1").unwrap().unwrap();
        assert_eq!(a1.status, TagStatus::Blocked);
        assert_eq!(
            a1.max_active_transactions,
            Some(3),
            "an import keeps limits"
        );
        let b1 = find(c, "b1").unwrap().unwrap();
        assert_eq!(
            (b1.parent_id_tag.as_deref(), b1.max_active_transactions),
            (Some("A1"), None)
        );
    }

    #[test]
    fn lists_filter_by_status_group_and_text() {
        let (_dir, mut conn) = scratch();
        let c = &mut conn;
        add(c, "G", TagStatus::Accepted, None);
        add(c, "G_1", TagStatus::Blocked, Some("G"));
        add(c, "G2", TagStatus::Accepted, Some("g"));
        add(c, "X", TagStatus::Expired, None);
        diesel::update(id_tags::table.filter(id_tags::id_tag.eq("X")))
            .set(id_tags::status.eq("Lost"))
            .execute(c)
            .unwrap();

        let by_tag = DEFAULT_SORT;
        let group = IdTagFilter {
            parent_id_tag: Some("G".into()),
            ..IdTagFilter::default()
        };
        assert_eq!(tags(c, group, by_tag), ["G2", "G_1"]);
        let accepted = IdTagFilter {
            status: Some(TagStatus::Accepted),
            ..IdTagFilter::default()
        };
        assert_eq!(tags(c, accepted, by_tag), ["G", "G2"]);
        let text = IdTagFilter {
            q: Some("_".into()),
            ..IdTagFilter::default()
        };
        assert_eq!(tags(c, text, by_tag), ["G_1"]);
        let status_desc = Sort {
            field: "status",
            desc: true,
        };
        assert_eq!(
            tags(c, IdTagFilter::default(), status_desc),
            ["X", "G_1", "G2", "G"]
        );
        let x = find(c, "x").unwrap().unwrap();
        assert_eq!(
            x.status,
            TagStatus::Invalid,
            "an unknown status reads Invalid"
        );
    }

    #[test]
    fn a_group_is_listed_from_its_index() {
        let filter = IdTagFilter {
            parent_id_tag: Some("G".into()),
            ..IdTagFilter::default()
        };
        let plan =
            crate::db::query::plan::of(filtered(&filter, Backend::Sqlite).select(Row::as_select()));
        assert!(plan.contains("id_tags_by_parent"), "{plan}");
    }
}
