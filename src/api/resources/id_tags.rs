//! The authorization list: id tags with their status, expiry and parent (operators write),
//! and a bulk import from CSV. Id tags compare without regard to case, as OCPP's CiString does.

use super::{decode_body, like_anywhere, nullable, one_of, order_by, parse_time, Sort, SortParams};
use crate::api::audit;
use crate::api::auth::{Operator, Viewer};
use crate::api::error::ApiError;
use crate::api::{Page, PageParams};
use crate::db::models::IdTag as Row;
use crate::db::schema::id_tags;
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// OCPP's IdToken: CiString20Type.
const MAX_ID_TAG_CHARS: usize = 20;
/// Largest per-tag session limit (0 is unlimited).
const MAX_SESSION_LIMIT: u32 = 10_000;
/// Largest CSV body accepted by the import.
const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;
/// Imported rows written per write job.
const IMPORT_ROWS_PER_WRITE: usize = 1_000;

/// The status of an id tag (OCPP 1.6 AuthorizationStatus, less ConcurrentTx, which is decided
/// per request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
pub enum TagStatus {
    Accepted,
    Blocked,
    Expired,
    Invalid,
}

impl TagStatus {
    const ALL: [TagStatus; 4] = [
        TagStatus::Accepted,
        TagStatus::Blocked,
        TagStatus::Expired,
        TagStatus::Invalid,
    ];

    fn as_str(self) -> &'static str {
        match self {
            TagStatus::Accepted => "Accepted",
            TagStatus::Blocked => "Blocked",
            TagStatus::Expired => "Expired",
            TagStatus::Invalid => "Invalid",
        }
    }

    fn parse(field: &str, s: &str) -> Result<TagStatus, ApiError> {
        one_of(field, s, Self::ALL.map(Self::as_str))?;
        Ok(Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .unwrap_or(TagStatus::Invalid))
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdTag {
    pub id_tag: String,
    pub status: String,
    /// After this time the tag is answered Expired.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expiry_date: Option<Timestamp>,
    /// The group tag (OCPP parentIdTag).
    pub parent_id_tag: Option<String>,
    /// Open transactions this tag, with its group, may hold at once (0: unlimited, e.g. a fleet
    /// card); null: its parent's limit, else the server's `ocpp.max_transactions_per_tag`.
    pub max_active_transactions: Option<i32>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Row> for IdTag {
    fn from(r: Row) -> Self {
        IdTag {
            id_tag: r.id_tag,
            status: r.status,
            expiry_date: r.expiry_date.map(Timestamp::from_naive),
            parent_id_tag: r.parent_id_tag,
            max_active_transactions: r.max_active_transactions,
            created_at: Timestamp::from_naive(r.created_at),
            updated_at: Timestamp::from_naive(r.updated_at),
        }
    }
}

fn check_tag(field: &str, tag: &str) -> Result<(), ApiError> {
    let n = tag.chars().count();
    if n == 0 || n > MAX_ID_TAG_CHARS || tag.chars().any(char::is_control) || tag.trim() != tag {
        return Err(ApiError::invalid(format!(
            "{field}: 1-{MAX_ID_TAG_CHARS} characters without surrounding spaces"
        )));
    }
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct IdTagFilter {
    /// Accepted, Blocked, Expired or Invalid.
    pub status: Option<String>,
    /// Only tags of this group.
    pub parent_id_tag: Option<String>,
    /// Text anywhere in the id tag (case-insensitive).
    pub q: Option<String>,
}

/// Id tags. Sort by `idTag` (default), `status`, `expiryDate`, `createdAt`, `updatedAt`.
#[utoipa::path(tag = "id-tags", params(IdTagFilter, SortParams, PageParams),
    responses((status = 200, body = Page<IdTag>), (status = 422)), security(("bearer" = ["viewer"])))]
#[get("/id-tags")]
pub async fn list(
    _: Viewer,
    services: web::Data<Services>,
    filter: web::Query<IdTagFilter>,
    sort: web::Query<SortParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<IdTag>>, ApiError> {
    let (limit, offset) = page.resolve()?;
    let sort = sort.resolve(
        &["idTag", "status", "expiryDate", "createdAt", "updatedAt"],
        Sort {
            field: "idTag",
            desc: false,
        },
    )?;
    let some = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let (status, parent, text) = (
        some(&filter.status),
        some(&filter.parent_id_tag),
        some(&filter.q),
    );
    if let Some(s) = &status {
        TagStatus::parse("status", s)?;
    }
    let (items, total) = crate::db::read(&services.pool, move |c| {
        let query = || {
            let mut q = id_tags::table.into_boxed();
            if let Some(s) = &status {
                q = q.filter(id_tags::status.eq(s.clone()));
            }
            if let Some(p) = &parent {
                q = q.filter(id_tags::parent_id_tag.eq(p.clone()));
            }
            if let Some(t) = &text {
                q = q.filter(id_tags::id_tag.like(like_anywhere(t)).escape('\\'));
            }
            q
        };
        let total: i64 = query().count().get_result(c)?;
        let q = query();
        let q = match sort.field {
            "status" => order_by!(q, sort, id_tags::status, id_tags::id_tag),
            "expiryDate" => order_by!(q, sort, id_tags::expiry_date, id_tags::id_tag),
            "createdAt" => order_by!(q, sort, id_tags::created_at, id_tags::id_tag),
            "updatedAt" => order_by!(q, sort, id_tags::updated_at, id_tags::id_tag),
            _ => order_by!(q, sort, id_tags::id_tag, id_tags::id_tag),
        };
        let rows: Vec<Row> = q
            .limit(limit)
            .offset(offset)
            .select(Row::as_select())
            .load(c)?;
        Ok((rows, total))
    })
    .await?;
    Ok(web::Json(Page {
        items: items.into_iter().map(IdTag::from).collect(),
        total,
        limit,
        offset,
    }))
}

async fn find(services: &Services, tag: String) -> Result<IdTag, ApiError> {
    let lookup = tag.clone();
    let row: Option<Row> = crate::db::read(&services.pool, move |c| {
        id_tags::table
            .filter(id_tags::id_tag.eq(&lookup))
            .select(Row::as_select())
            .first(c)
            .optional()
    })
    .await?;
    row.map(IdTag::from)
        .ok_or_else(|| ApiError::NotFound(format!("no id tag {tag}")))
}

/// One id tag (case-insensitive).
#[utoipa::path(tag = "id-tags", params(("idTag" = String, Path)),
    responses((status = 200, body = IdTag), (status = 404)), security(("bearer" = ["viewer"])))]
#[get("/id-tags/{idTag}")]
pub async fn detail(
    _: Viewer,
    services: web::Data<Services>,
    path: web::Path<String>,
) -> Result<web::Json<IdTag>, ApiError> {
    Ok(web::Json(find(&services, path.into_inner()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewIdTag {
    /// 1-20 characters; unique without regard to case.
    pub id_tag: String,
    /// Default Accepted.
    pub status: Option<TagStatus>,
    /// RFC 3339.
    pub expiry_date: Option<String>,
    pub parent_id_tag: Option<String>,
    /// Open transactions it (with its group) may hold at once; 0 = unlimited; absent: the
    /// parent's limit, else the server default.
    pub max_active_transactions: Option<u32>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdTagUpdate {
    pub status: Option<TagStatus>,
    /// RFC 3339; `null` removes the expiry.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub expiry_date: Option<Option<String>>,
    /// `null` removes the parent.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub parent_id_tag: Option<Option<String>>,
    /// 0 = unlimited; `null`: the parent's limit, else the server default.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>)]
    pub max_active_transactions: Option<Option<u32>>,
}

/// A session limit as stored (the API takes 0 to 10,000).
fn check_limit(limit: Option<u32>) -> Result<Option<i32>, ApiError> {
    match limit {
        None => Ok(None),
        Some(n) if n <= MAX_SESSION_LIMIT => Ok(Some(n as i32)),
        Some(_) => Err(ApiError::invalid(format!(
            "maxActiveTransactions: 0 (unlimited) to {MAX_SESSION_LIMIT}"
        ))),
    }
}

fn check_parent(tag: &str, parent: Option<&str>) -> Result<(), ApiError> {
    if let Some(p) = parent {
        check_tag("parentIdTag", p)?;
        if p.eq_ignore_ascii_case(tag) {
            return Err(ApiError::invalid(
                "parentIdTag: a tag cannot be its own parent",
            ));
        }
    }
    Ok(())
}

/// Add an id tag (operator).
#[utoipa::path(tag = "id-tags", request_body = NewIdTag,
    responses((status = 201, body = IdTag), (status = 409, description = "exists (in any case)"), (status = 422)),
    security(("bearer" = ["operator"])))]
#[post("/id-tags")]
pub async fn create(
    operator: Operator,
    services: web::Data<Services>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let new: NewIdTag = decode_body(request.clone())?;
    check_tag("idTag", &new.id_tag)?;
    check_parent(&new.id_tag, new.parent_id_tag.as_deref())?;
    let expiry = parse_time("expiryDate", new.expiry_date.as_deref())?;
    let limit = check_limit(new.max_active_transactions)?;
    let status = new.status.unwrap_or(TagStatus::Accepted);
    let now = chrono::Utc::now().naive_utc();
    let (tag, parent) = (new.id_tag.clone(), new.parent_id_tag.clone());
    let inserted = crate::db::write(&services.writer, move |c| {
        diesel::insert_into(id_tags::table)
            .values((
                id_tags::id_tag.eq(&tag),
                id_tags::status.eq(status.as_str()),
                id_tags::expiry_date.eq(expiry),
                id_tags::parent_id_tag.eq(&parent),
                id_tags::max_active_transactions.eq(limit),
                id_tags::created_at.eq(now),
                id_tags::updated_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(c)
    })
    .await?;
    if inserted == 0 {
        return Err(ApiError::Conflict(format!("id tag {} exists", new.id_tag)));
    }
    audit::record(
        &services,
        &operator.0.name,
        "id_tag.create",
        Some(&new.id_tag),
        Some(&request),
        "201",
    )
    .await;
    Ok(HttpResponse::Created().json(find(&services, new.id_tag).await?))
}

/// Change an id tag's status, expiry, parent or session limit (operator).
#[utoipa::path(tag = "id-tags", params(("idTag" = String, Path)), request_body = IdTagUpdate,
    responses((status = 200, body = IdTag), (status = 404), (status = 422)),
    security(("bearer" = ["operator"])))]
#[put("/id-tags/{idTag}")]
pub async fn update(
    operator: Operator,
    services: web::Data<Services>,
    path: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<web::Json<IdTag>, ApiError> {
    let tag = path.into_inner();
    let request = body.into_inner();
    let change: IdTagUpdate = decode_body(request.clone())?;
    let expiry = match &change.expiry_date {
        None => None,
        Some(None) => Some(None),
        Some(Some(t)) => Some(parse_time("expiryDate", Some(t))?),
    };
    let parent = change.parent_id_tag.clone();
    if let Some(Some(p)) = &parent {
        check_parent(&tag, Some(p))?;
    }
    let limit = change
        .max_active_transactions
        .map(check_limit)
        .transpose()?;
    let status = change.status;
    let now = chrono::Utc::now().naive_utc();
    let target = tag.clone();
    let n = crate::db::write(&services.writer, move |c| {
        let row = id_tags::table.filter(id_tags::id_tag.eq(&target));
        let n = diesel::update(row)
            .set(id_tags::updated_at.eq(now))
            .execute(c)?;
        if let Some(s) = status {
            diesel::update(row)
                .set(id_tags::status.eq(s.as_str()))
                .execute(c)?;
        }
        if let Some(e) = expiry {
            diesel::update(row)
                .set(id_tags::expiry_date.eq(e))
                .execute(c)?;
        }
        if let Some(p) = &parent {
            diesel::update(row)
                .set(id_tags::parent_id_tag.eq(p))
                .execute(c)?;
        }
        if let Some(l) = limit {
            diesel::update(row)
                .set(id_tags::max_active_transactions.eq(l))
                .execute(c)?;
        }
        Ok(n)
    })
    .await?;
    if n == 0 {
        return Err(ApiError::NotFound(format!("no id tag {tag}")));
    }
    audit::record(
        &services,
        &operator.0.name,
        "id_tag.update",
        Some(&tag),
        Some(&request),
        "200",
    )
    .await;
    Ok(web::Json(find(&services, tag).await?))
}

/// Remove an id tag (operator); it is then answered Invalid.
#[utoipa::path(tag = "id-tags", params(("idTag" = String, Path)),
    responses((status = 204), (status = 404)), security(("bearer" = ["operator"])))]
#[delete("/id-tags/{idTag}")]
pub async fn delete(
    operator: Operator,
    services: web::Data<Services>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let tag = path.into_inner();
    let target = tag.clone();
    let n = crate::db::write(&services.writer, move |c| {
        diesel::delete(id_tags::table.filter(id_tags::id_tag.eq(&target))).execute(c)
    })
    .await?;
    if n == 0 {
        return Err(ApiError::NotFound(format!("no id tag {tag}")));
    }
    audit::record(
        &services,
        &operator.0.name,
        "id_tag.delete",
        Some(&tag),
        None,
        "204",
    )
    .await;
    Ok(HttpResponse::NoContent().finish())
}

/// A line of the import that was not taken.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportError {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// The column at fault, if one is.
    pub field: Option<String>,
    pub error: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    pub created: usize,
    pub updated: usize,
    /// Lines not imported, and why; the other lines are imported.
    pub errors: Vec<ImportError>,
}

/// One checked line of an import.
#[derive(Debug, Clone)]
struct ImportRow {
    id_tag: String,
    status: TagStatus,
    expiry: Option<NaiveDateTime>,
    parent: Option<String>,
}

/// Column positions of an import file, from its header.
struct Columns {
    id_tag: usize,
    status: Option<usize>,
    expiry: Option<usize>,
    parent: Option<usize>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Result<Columns, ApiError> {
        let find = |name: &str| header.iter().position(|h| h.trim() == name);
        for h in header.iter() {
            one_of(
                "header",
                h.trim(),
                ["idTag", "status", "expiryDate", "parentIdTag"],
            )?;
        }
        Ok(Columns {
            id_tag: find("idTag")
                .ok_or_else(|| ApiError::invalid("header: the idTag column is required"))?,
            status: find("status"),
            expiry: find("expiryDate"),
            parent: find("parentIdTag"),
        })
    }

    /// Checks one record; the error names the column.
    fn row(&self, record: &csv::StringRecord) -> Result<ImportRow, ApiError> {
        let cell = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let id_tag = cell(Some(self.id_tag)).unwrap_or_default().to_owned();
        check_tag("idTag", &id_tag)?;
        let status = match cell(self.status) {
            Some(s) => TagStatus::parse("status", s)?,
            None => TagStatus::Accepted,
        };
        let expiry = parse_time("expiryDate", cell(self.expiry))?;
        let parent = cell(self.parent).map(str::to_owned);
        check_parent(&id_tag, parent.as_deref())?;
        Ok(ImportRow {
            id_tag,
            status,
            expiry,
            parent,
        })
    }
}

/// The 1-based line of the record starting at `byte` (csv positions a record where reading
/// began, before the blank lines it skipped).
fn line_at(text: &[u8], byte: u64) -> u64 {
    let byte = (byte as usize).min(text.len());
    let start = text[byte..]
        .iter()
        .position(|b| *b != b'\n' && *b != b'\r')
        .map_or(text.len(), |p| byte + p);
    1 + text[..start].iter().filter(|b| **b == b'\n').count() as u64
}

/// Reads an import file: the rows to write and the lines refused.
fn parse_import(text: &[u8]) -> Result<(Vec<ImportRow>, Vec<ImportError>), ApiError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text);
    let header = reader
        .headers()
        .map_err(|e| ApiError::invalid(format!("header: {e}")))?
        .clone();
    let columns = Columns::from_header(&header)?;
    let mut rows: Vec<ImportRow> = Vec::new();
    let mut errors = Vec::new();
    let mut seen: std::collections::HashMap<String, u64> = Default::default();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(text, p.byte()));
                errors.push(ImportError {
                    line,
                    field: None,
                    error: e.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| line_at(text, p.byte()));
        if record.iter().all(|c| c.is_empty()) {
            continue;
        }
        match columns.row(&record) {
            Ok(row) => {
                let key = row.id_tag.to_ascii_uppercase();
                if let Some(first) = seen.get(&key) {
                    errors.push(ImportError {
                        line,
                        field: Some("idTag".into()),
                        error: format!("{} repeats line {first}", row.id_tag),
                    });
                } else {
                    seen.insert(key, line);
                    rows.push(row);
                }
            }
            Err(ApiError::Invalid { field, message }) => errors.push(ImportError {
                line,
                field,
                error: message,
            }),
            Err(other) => return Err(other),
        }
    }
    Ok((rows, errors))
}

/// Writes imported rows: updates the known tags (in any case), creates the others; gives
/// `(created, updated)`.
fn upsert(
    c: &mut crate::db::DbConn,
    rows: &[ImportRow],
    now: NaiveDateTime,
) -> QueryResult<(usize, usize)> {
    let (mut created, mut updated) = (0, 0);
    for row in rows {
        let target = id_tags::table.filter(id_tags::id_tag.eq(&row.id_tag));
        let changed = diesel::update(target)
            .set((
                id_tags::status.eq(row.status.as_str()),
                id_tags::expiry_date.eq(row.expiry),
                id_tags::parent_id_tag.eq(&row.parent),
                id_tags::updated_at.eq(now),
            ))
            .execute(c)?;
        if changed > 0 {
            updated += 1;
            continue;
        }
        diesel::insert_into(id_tags::table)
            .values((
                id_tags::id_tag.eq(&row.id_tag),
                id_tags::status.eq(row.status.as_str()),
                id_tags::expiry_date.eq(row.expiry),
                id_tags::parent_id_tag.eq(&row.parent),
                id_tags::created_at.eq(now),
                id_tags::updated_at.eq(now),
            ))
            .execute(c)?;
        created += 1;
    }
    Ok((created, updated))
}

async fn read_body(mut payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("request body: {e}")))?;
        if body.len() + chunk.len() > MAX_IMPORT_BYTES {
            return Err(ApiError::BadRequest(format!(
                "request body: larger than {MAX_IMPORT_BYTES} bytes; split the file"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Import id tags from CSV (operator): a header row naming the columns `idTag` (required),
/// `status`, `expiryDate`, `parentIdTag`; one tag per line. Known tags (in any case) are
/// updated, new ones created; bad lines are reported by number and the rest imported, in
/// slices of 1,000 (a failure part way keeps the slices written before it).
#[utoipa::path(tag = "id-tags",
    request_body(content = String, content_type = "text/csv",
        description = "idTag,status,expiryDate,parentIdTag\nTAG1,Accepted,2027-01-01T00:00:00Z,GROUP"),
    responses((status = 200, body = ImportResult), (status = 400, description = "not CSV"),
        (status = 422, description = "bad header")),
    security(("bearer" = ["operator"])))]
#[post("/id-tags/import")]
pub async fn import(
    operator: Operator,
    services: web::Data<Services>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<web::Json<ImportResult>, ApiError> {
    let content_type = req
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !(content_type.starts_with("text/csv") || content_type.starts_with("text/plain")) {
        return Err(ApiError::BadRequest(format!(
            "Content-Type: send the file as text/csv, not {content_type:?}"
        )));
    }
    let body = read_body(payload).await?;
    let (rows, errors) = web::block(move || parse_import(&body))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let now = chrono::Utc::now().naive_utc();
    let (mut created, mut updated) = (0, 0);
    // In slices, so that a large file never holds the writer (and the chargers) for long.
    for slice in rows.chunks(IMPORT_ROWS_PER_WRITE) {
        let slice = slice.to_vec();
        let (c, u) = crate::db::write(&services.writer, move |c| upsert(c, &slice, now)).await?;
        created += c;
        updated += u;
    }
    let summary = json!({"created": created, "updated": updated, "errors": errors.len()});
    audit::record(
        &services,
        &operator.0.name,
        "id_tag.import",
        None,
        Some(&summary),
        "200",
    )
    .await;
    Ok(web::Json(ImportResult {
        created,
        updated,
        errors,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_name_the_bad_lines_and_columns() {
        let text = "idTag,status,expiryDate,parentIdTag\n\
                    A1,Accepted,,\n\
                    A2,Blocked,2030-01-01T00:00:00Z,A1\n\
                    ,Accepted,,\n\
                    A3,Lost,,\n\
                    A4,Accepted,soon,\n\
                    a1,Blocked,,\n\
                    \n\
                    THIS-TAG-IS-LONGER-THAN-20,Accepted,,\n";
        let (rows, errors) = parse_import(text.as_bytes()).unwrap();
        assert_eq!(
            rows.iter().map(|r| r.id_tag.as_str()).collect::<Vec<_>>(),
            ["A1", "A2"]
        );
        let got: Vec<(u64, Option<&str>)> = errors
            .iter()
            .map(|e| (e.line, e.field.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (4, Some("idTag")),
                (5, Some("status")),
                (6, Some("expiryDate")),
                (7, Some("idTag")),
                (9, Some("idTag"))
            ]
        );
    }

    #[test]
    fn import_headers_are_checked() {
        assert!(parse_import(b"status\nAccepted\n").is_err());
        assert!(parse_import(b"idTag,colour\nA,red\n").is_err());
        let (rows, errors) = parse_import(b"idTag\nB1\n").unwrap();
        assert_eq!((rows.len(), errors.len()), (1, 0));
        assert_eq!(rows[0].status, TagStatus::Accepted);
    }
}
