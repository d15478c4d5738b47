//! Id tags: the authorization list, searchable and paged; create, block or unblock, set an
//! expiry or a parent, delete, and import a CSV (operators), each the API's own step.

use super::{page_request, query_string, Pager};
use crate::api::auth::Role;
use crate::api::resources::id_tags::{self as api, IdTagFilter};
use crate::api::resources::SortParams;
use crate::dashboard::error::PageError;
use crate::dashboard::form::Posted;
use crate::dashboard::session::Person;
use crate::dashboard::view::{self, Frame, Nav, When};
use crate::db::id_tags::{self as store, TagStatus};
use crate::services::Services;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

#[derive(Debug, Default, Deserialize)]
pub struct TagsQuery {
    q: Option<String>,
    status: Option<String>,
    offset: Option<i64>,
}

#[derive(Serialize)]
struct Row {
    id_tag: String,
    enc: String,
    status: String,
    blocked: bool,
    expiry: Option<When>,
    parent: String,
    updated: When,
}

#[derive(Serialize)]
struct TagsView {
    frame: Frame,
    rows: Vec<Row>,
    pager: Pager,
    q: String,
    status: String,
    statuses: Vec<&'static str>,
}

/// `GET /id-tags`.
pub async fn page(
    person: Person,
    services: web::Data<Services>,
    query: web::Query<TagsQuery>,
) -> Result<HttpResponse, PageError> {
    let filter = IdTagFilter {
        status: query.status.clone(),
        parent_id_tag: None,
        q: query.q.clone(),
    }
    .check()?;
    let request = page_request(query.offset)?;
    let sort = SortParams {
        sort: None,
        order: None,
    }
    .resolve(&store::SORTS, store::DEFAULT_SORT)?;
    let found = crate::db::read(&services.pool, move |c| {
        store::page(c, &filter, sort, request)
    })
    .await?;
    let base = query_string(&[
        ("q", query.q.as_deref()),
        ("status", query.status.as_deref()),
    ]);
    let pager = Pager::of(&found, &base);
    let rows = found
        .items
        .into_iter()
        .map(|t| Row {
            enc: view::url_encode(&t.id_tag),
            blocked: t.status == TagStatus::Blocked,
            status: t.status.as_str().to_owned(),
            expiry: When::maybe(t.expiry_date),
            parent: t.parent_id_tag.unwrap_or_default(),
            updated: When::of(t.updated_at),
            id_tag: t.id_tag,
        })
        .collect();
    let view = TagsView {
        frame: person.frame("Id tags", Nav::IdTags, ""),
        rows,
        pager,
        q: query.q.clone().unwrap_or_default(),
        status: query.status.clone().unwrap_or_default(),
        statuses: TagStatus::ALL.map(TagStatus::as_str).to_vec(),
    };
    view::page("id_tags", &view, &person)
}

/// The JSON of the id-tag fields a form filled (`expiryDate` read as UTC).
fn tag_json(form: &Posted, with_id: bool) -> Value {
    let mut m = Map::new();
    if with_id {
        m.insert("idTag".into(), json!(form.get("idTag").unwrap_or_default()));
    }
    for name in ["status", "parentIdTag"] {
        if let Some(v) = form.get(name) {
            m.insert(name.into(), json!(v));
        }
    }
    if let Some(v) = form.get("expiryDate") {
        m.insert("expiryDate".into(), json!(v));
    }
    Value::Object(m)
}

async fn operator(person: &Person, form: &Posted) -> Result<(), PageError> {
    form.check(person)?;
    person.require(Role::Operator)
}

/// `POST /id-tags`: create one.
pub async fn create(
    person: Person,
    services: web::Data<Services>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    operator(&person, &form).await?;
    let notice = match api::create_tag(&services, &person.caller, tag_json(&form, true)).await {
        Ok(t) => format!("Id tag {} created ({}).", t.id_tag, t.status),
        Err(e) => format!("Id tag not created: {e}"),
    };
    Ok(view::redirect("/id-tags", &notice))
}

/// `POST /id-tags/{tag}`: change status, expiry or parent (`block` / `unblock` buttons set the
/// status alone).
pub async fn update(
    person: Person,
    services: web::Data<Services>,
    tag: web::Path<String>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    operator(&person, &form).await?;
    let tag = tag.into_inner();
    let change = match form.get("set") {
        Some("block") => json!({"status": "Blocked"}),
        Some("unblock") => json!({"status": "Accepted"}),
        _ => tag_json(&form, false),
    };
    let notice = match api::update_tag(&services, &person.caller, tag.clone(), change).await {
        Ok(t) => format!("Id tag {} is {}.", t.id_tag, t.status),
        Err(e) => format!("Id tag {tag} not changed: {e}"),
    };
    Ok(view::redirect("/id-tags", &notice))
}

/// `POST /id-tags/{tag}/delete`.
pub async fn delete(
    person: Person,
    services: web::Data<Services>,
    tag: web::Path<String>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    operator(&person, &form).await?;
    let tag = tag.into_inner();
    let notice = match api::delete_tag(&services, &person.caller, tag.clone()).await {
        Ok(()) => format!("Id tag {tag} deleted."),
        Err(e) => format!("Id tag {tag} not deleted: {e}"),
    };
    Ok(view::redirect("/id-tags", &notice))
}

/// `POST /id-tags/import`: the CSV pasted into the form, imported as the API imports a file.
pub async fn import(
    person: Person,
    services: web::Data<Services>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    operator(&person, &form).await?;
    let csv = form.raw("csv").unwrap_or_default().as_bytes().to_vec();
    let notice = match api::import_csv(&services, &person.caller, csv).await {
        Ok(r) => {
            let bad: Vec<String> = r
                .errors
                .iter()
                .take(10)
                .map(|e| format!("line {}: {}", e.line, e.error))
                .collect();
            format!(
                "Imported: {} created, {} updated, {} lines refused{}{}",
                r.created,
                r.updated,
                r.errors.len(),
                if bad.is_empty() { "" } else { " — " },
                bad.join("; ")
            )
        }
        Err(e) => format!("Nothing imported: {e}"),
    };
    Ok(view::redirect("/id-tags", &notice))
}
