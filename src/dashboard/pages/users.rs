//! People and machines (admin): users with their roles, API keys; create and delete users,
//! create (the key shown once) and revoke keys.

use crate::api::auth::Role;
use crate::api::keys::{self, NewApiKey};
use crate::api::users::{self, NewUser};
use crate::dashboard::error::PageError;
use crate::dashboard::form::Posted;
use crate::dashboard::session::Person;
use crate::dashboard::view::{self, Frame, Nav, When};
use crate::db::page::PageRequest;
use crate::services::Services;
use actix_web::{web, HttpResponse};
use serde::Serialize;

#[derive(Serialize)]
struct UserRow {
    username: String,
    enc: String,
    role: &'static str,
    created: When,
}

#[derive(Serialize)]
struct KeyRow {
    id: i32,
    name: String,
    prefix: String,
    role: &'static str,
    created_by: String,
    created: When,
    revoked: Option<When>,
}

#[derive(Serialize)]
struct UsersView {
    frame: Frame,
    users: Vec<UserRow>,
    keys: Vec<KeyRow>,
    roles: Vec<&'static str>,
}

/// `GET /users` (admin).
pub async fn page(
    person: Person,
    services: web::Data<Services>,
) -> Result<HttpResponse, PageError> {
    person.require(Role::Admin)?;
    let all = PageRequest {
        limit: 1000,
        offset: 0,
    };
    let (people, machines) = crate::db::read(&services.pool, move |c| {
        crate::db::QueryResult::Ok((
            crate::db::users::page(c, all)?,
            crate::db::api_keys::page(c, all)?,
        ))
    })
    .await?;
    let view = UsersView {
        frame: person.frame("Users and API keys", Nav::Users, ""),
        users: people
            .items
            .into_iter()
            .map(|u| UserRow {
                enc: view::url_encode(&u.username),
                username: u.username,
                role: u.role.as_str(),
                created: When::of(u.created_at),
            })
            .collect(),
        keys: machines
            .items
            .into_iter()
            .map(|k| KeyRow {
                id: k.id,
                name: k.name,
                prefix: k.prefix,
                role: k.role.as_str(),
                created_by: k.created_by,
                created: When::of(k.created_at),
                revoked: When::maybe(k.revoked_at),
            })
            .collect(),
        roles: vec![
            Role::Viewer.as_str(),
            Role::Operator.as_str(),
            Role::Admin.as_str(),
        ],
    };
    view::page("users", &view, &person)
}

async fn admin(person: &Person, form: &Posted) -> Result<(), PageError> {
    form.check(person)?;
    person.require(Role::Admin)
}

fn role(form: &Posted) -> Role {
    form.get("role")
        .and_then(Role::parse)
        .unwrap_or(Role::Viewer)
}

/// `POST /users`.
pub async fn create(
    person: Person,
    services: web::Data<Services>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    admin(&person, &form).await?;
    let new = NewUser {
        username: form.get("username").unwrap_or_default().to_owned(),
        password: form.raw("password").unwrap_or_default().to_owned(),
        role: role(&form),
    };
    let notice = match users::create_user(&services, &person.caller, new).await {
        Ok(u) => format!("User {} created ({}).", u.username, u.role.as_str()),
        Err(e) => format!("User not created: {e}"),
    };
    Ok(view::redirect("/users", &notice))
}

/// `POST /users/{name}/delete`.
pub async fn delete(
    person: Person,
    services: web::Data<Services>,
    name: web::Path<String>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    admin(&person, &form).await?;
    let name = name.into_inner();
    let notice = match users::delete_user(&services, &person.caller, name.clone()).await {
        Ok(()) => format!("User {name} deleted."),
        Err(e) => format!("User {name} not deleted: {e}"),
    };
    Ok(view::redirect("/users", &notice))
}

/// `POST /api-keys`: the new key is in the notice, shown once.
pub async fn create_key(
    person: Person,
    services: web::Data<Services>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    admin(&person, &form).await?;
    let new = NewApiKey {
        name: form.get("name").unwrap_or_default().to_owned(),
        role: role(&form),
    };
    let notice = match keys::create_key(&services, &person.caller, new).await {
        Ok(k) => format!(
            "API key {} created. Copy it now, it is not shown again: {}",
            k.info.name, k.key
        ),
        Err(e) => format!("API key not created: {e}"),
    };
    Ok(view::redirect("/users", &notice))
}

/// `POST /api-keys/{id}/revoke`.
pub async fn revoke_key(
    person: Person,
    services: web::Data<Services>,
    id: web::Path<i32>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    admin(&person, &form).await?;
    let id = id.into_inner();
    let notice = match keys::revoke_key(&services, &person.caller, id).await {
        Ok(()) => format!("API key {id} revoked."),
        Err(e) => format!("API key {id} not revoked: {e}"),
    };
    Ok(view::redirect("/users", &notice))
}
