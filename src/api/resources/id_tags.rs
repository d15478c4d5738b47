//! The authorization list: id tags with their status, expiry and parent (operators write),
//! and a bulk import from CSV. Id tags compare without regard to case, as OCPP's CiString does.

use super::{decode_body, nullable, one_of, parse_time, SortParams};
use crate::api::audit::audit_row;
use crate::api::auth::{Caller, Operator, Viewer};
use crate::api::error::ApiError;
use crate::api::{Page, PageParams};
use crate::db::audit::AuditRow;
use crate::db::id_tags::{self as store, IdTagChange, ImportRow, Imported, TagStatus};
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
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

/// A tag status as stored; 422 naming `field` otherwise.
fn tag_status(field: &str, s: &str) -> Result<TagStatus, ApiError> {
    one_of(field, s, TagStatus::ALL.map(TagStatus::as_str))?;
    TagStatus::parse(s).ok_or_else(|| ApiError::invalid(format!("{field}: unknown")))
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

impl From<store::IdTag> for IdTag {
    fn from(r: store::IdTag) -> Self {
        IdTag {
            id_tag: r.id_tag,
            status: r.status.as_str().to_owned(),
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

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
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

impl IdTagFilter {
    /// The store's filter; 422 naming a bad parameter.
    pub fn check(self) -> Result<store::IdTagFilter, ApiError> {
        let some = |v: Option<String>| v.filter(|v| !v.is_empty());
        Ok(store::IdTagFilter {
            status: some(self.status)
                .map(|s| tag_status("status", &s))
                .transpose()?,
            parent_id_tag: some(self.parent_id_tag),
            q: some(self.q),
        })
    }
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
    let page = page.request()?;
    let sort = sort.resolve(&store::SORTS, store::DEFAULT_SORT)?;
    let filter = filter.into_inner().check()?;
    let tags =
        crate::db::read(&services.pool, move |c| store::page(c, &filter, sort, page)).await?;
    Ok(web::Json(tags.map(IdTag::from)))
}

async fn find(services: &Services, tag: String) -> Result<IdTag, ApiError> {
    let lookup = tag.clone();
    let row = crate::db::read(&services.pool, move |c| store::find(c, &lookup)).await?;
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
    let tag = create_tag(&services, &operator.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(tag))
}

/// Creates an id tag from its JSON (API and dashboard), audited; 409 if it exists in any case.
pub async fn create_tag(
    services: &Services,
    caller: &Caller,
    request: serde_json::Value,
) -> Result<IdTag, ApiError> {
    let new: NewIdTag = decode_body(request.clone())?;
    check_tag("idTag", &new.id_tag)?;
    check_parent(&new.id_tag, new.parent_id_tag.as_deref())?;
    let expiry = parse_time("expiryDate", new.expiry_date.as_deref())?;
    let limit = check_limit(new.max_active_transactions)?;
    let status = new.status.unwrap_or(TagStatus::Accepted);
    let now = chrono::Utc::now().naive_utc();
    let audit = audit_row(
        caller,
        "id_tag.create",
        Some(&new.id_tag),
        Some(&request),
        "201",
    );
    let (tag, parent) = (new.id_tag.clone(), new.parent_id_tag.clone());
    let inserted = crate::db::write(&services.writer, move |c| {
        let new = store::NewIdTag {
            id_tag: &tag,
            status,
            expiry_date: expiry,
            parent_id_tag: parent.as_deref(),
            max_active_transactions: limit,
            created_at: now,
        };
        store::create(c, &new, Some(&audit))
    })
    .await?;
    if !inserted {
        return Err(ApiError::Conflict(format!("id tag {} exists", new.id_tag)));
    }
    find(services, new.id_tag).await
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
    update_tag(&services, &operator.0, path.into_inner(), body.into_inner())
        .await
        .map(web::Json)
}

/// Changes an id tag from the JSON of the changes (API and dashboard), audited.
pub async fn update_tag(
    services: &Services,
    caller: &Caller,
    tag: String,
    request: serde_json::Value,
) -> Result<IdTag, ApiError> {
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
    let change = IdTagChange {
        status: change.status,
        expiry_date: expiry,
        parent_id_tag: parent,
        max_active_transactions: limit,
    };
    let now = chrono::Utc::now().naive_utc();
    let audit = audit_row(caller, "id_tag.update", Some(&tag), Some(&request), "200");
    let target = tag.clone();
    let found = crate::db::write(&services.writer, move |c| {
        store::update(c, &target, &change, now, Some(&audit))
    })
    .await?;
    if !found {
        return Err(ApiError::NotFound(format!("no id tag {tag}")));
    }
    find(services, tag).await
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
    delete_tag(&services, &operator.0, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes an id tag (API and dashboard), audited.
pub async fn delete_tag(services: &Services, caller: &Caller, tag: String) -> Result<(), ApiError> {
    let audit = audit_row(caller, "id_tag.delete", Some(&tag), None, "204");
    let target = tag.clone();
    let deleted = crate::db::write(&services.writer, move |c| {
        store::delete(c, &target, Some(&audit))
    })
    .await?;
    if !deleted {
        return Err(ApiError::NotFound(format!("no id tag {tag}")));
    }
    Ok(())
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
            Some(s) => tag_status("status", s)?,
            None => TagStatus::Accepted,
        };
        let expiry = parse_time("expiryDate", cell(self.expiry))?;
        let parent = cell(self.parent).map(str::to_owned);
        check_parent(&id_tag, parent.as_deref())?;
        Ok(ImportRow {
            id_tag,
            status,
            expiry_date: expiry,
            parent_id_tag: parent,
        })
    }
}

/// Line numbers of byte positions that only grow, found in one pass over the text (counting
/// from the start for every record would make a large import quadratic).
struct Lines<'a> {
    text: &'a [u8],
    /// Newlines before `counted` are in `line - 1`.
    counted: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a [u8]) -> Self {
        Lines {
            text,
            counted: 0,
            line: 1,
        }
    }

    /// The 1-based line of the record starting at `byte` (csv positions a record where reading
    /// began, before the blank lines it skipped).
    fn at(&mut self, byte: u64) -> u64 {
        let text = self.text;
        let byte = (byte as usize).min(text.len());
        let start = text[byte..]
            .iter()
            .position(|b| *b != b'\n' && *b != b'\r')
            .map_or(text.len(), |p| byte + p);
        if start < self.counted {
            // Positions only grow; a step back is counted afresh.
            self.counted = 0;
            self.line = 1;
        }
        self.line += text[self.counted..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        self.counted = start;
        self.line
    }
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
    let mut lines = Lines::new(text);
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.at(p.byte()));
                errors.push(ImportError {
                    line,
                    field: None,
                    error: e.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
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
    import_csv(&services, &operator.0, body)
        .await
        .map(web::Json)
}

/// Imports id tags from the CSV text (API and dashboard): bad lines reported, the rest
/// written in slices, audited with the totals.
pub async fn import_csv(
    services: &Services,
    caller: &Caller,
    body: Vec<u8>,
) -> Result<ImportResult, ApiError> {
    let (rows, errors) = web::block(move || parse_import(&body))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let now = chrono::Utc::now().naive_utc();
    let audit = audit_row(caller, "id_tag.import", None, None, "200");
    let refused = errors.len();
    // In slices, so that a large file never holds the writer (and the chargers) for long; the
    // audit row, with the totals, commits with the last slice (alone if there are no rows).
    let last = rows.len().saturating_sub(1) / IMPORT_ROWS_PER_WRITE;
    let mut rows = rows.into_iter();
    let mut done = Imported::default();
    for i in 0..=last {
        let slice: Vec<ImportRow> = rows.by_ref().take(IMPORT_ROWS_PER_WRITE).collect();
        let (audit, before) = (audit.clone(), done);
        let summary = move |got: Imported| {
            let total = before + got;
            let request =
                json!({"created": total.created, "updated": total.updated, "errors": refused});
            AuditRow {
                request: Some(request),
                ..audit.clone()
            }
        };
        let with_audit = i == last;
        let got = crate::db::write(&services.writer, move |c| {
            let summary: &dyn Fn(Imported) -> AuditRow = &summary;
            store::import(c, &slice, now, with_audit.then_some(summary))
        })
        .await?;
        done = before + got;
    }
    Ok(ImportResult {
        created: done.created,
        updated: done.updated,
        errors,
    })
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
