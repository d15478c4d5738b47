//! People in the dashboard: the login page, the session cookie and the CSRF token.
//!
//! - The session cookie holds the same signed token the API's login gives (user id and token
//!   version), so a password change, a deletion or a logout ends dashboard sessions too. It is
//!   `HttpOnly`, `SameSite=Strict`, and `Secure` when the page came over HTTPS; it lives as long
//!   as the token (`api.token_ttl_secs`).
//! - Every form carries a CSRF token derived from the session token (a keyed hash a page of
//!   another site cannot compute without the cookie it cannot read); a POST without it, or
//!   with an `Origin` of another site, is refused.

use super::error::PageError;
use super::view::{Frame, Nav};
use crate::api::auth::{Caller, Role, TokenUser};
use crate::services::Services;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const COOKIE: &str = "csms_session";

/// A logged-in person, with the CSRF token their forms carry.
#[derive(Debug, Clone)]
pub struct Person {
    pub caller: Caller,
    pub csrf: String,
    /// What the last action left to say (shown once).
    pub notice: Option<String>,
    /// Changes published on the bus when the request came (before the page reads anything).
    pub seq: u64,
}

impl Person {
    /// Refuses (403) unless the person has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), PageError> {
        if self.caller.role < role {
            return Err(PageError::Forbidden(format!(
                "{} has role {}; this needs {}",
                self.caller.name,
                self.caller.role.as_str(),
                role.as_str()
            )));
        }
        Ok(())
    }

    pub fn can_operate(&self) -> bool {
        self.caller.role >= Role::Operator
    }

    pub fn is_admin(&self) -> bool {
        self.caller.role >= Role::Admin
    }

    /// The frame of a page this person sees.
    pub fn frame(&self, title: impl Into<String>, nav: Nav, live: impl Into<String>) -> Frame {
        Frame::new(self, title.into(), nav, live.into(), self.seq)
    }
}

/// The CSRF token of a session token.
pub fn csrf_of(token: &str) -> String {
    let digest = Sha256::digest(format!("csms csrf\0{token}").as_bytes());
    hex::encode(&digest[..16])
}

/// Whether `given` is the CSRF token of the session, compared in constant time.
pub fn csrf_matches(person: &Person, given: &str) -> bool {
    bool::from(person.csrf.as_bytes().ct_eq(given.as_bytes()))
}

/// Whether a request's `Origin`, if it has one, is this server. Browsers send it on every
/// cross-site POST.
pub fn same_origin(req: &HttpRequest) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let host = req.connection_info().host().to_owned();
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host)
}

async fn person_of(req: &HttpRequest) -> Result<Person, PageError> {
    let next = req
        .uri()
        .path_and_query()
        .map_or("/".to_owned(), |p| p.as_str().to_owned());
    let login = || PageError::Login { next: next.clone() };
    let token = req.cookie(COOKIE).ok_or_else(login)?.value().to_owned();
    let services = req
        .app_data::<web::Data<Services>>()
        .ok_or_else(|| PageError::Internal("services missing".into()))?
        .clone();
    let seq = services.events.published();
    let (id, version) = services.tokens.verify(&token).map_err(|_| login())?;
    let session = crate::db::read(&services.pool, move |c| {
        crate::db::users::session(c, id, version)
    })
    .await?
    .ok_or_else(login)?;
    Ok(Person {
        caller: Caller {
            name: format!("user:{}", session.username),
            role: session.role,
            user_id: Some(id),
        },
        csrf: csrf_of(&token),
        notice: req
            .cookie(super::view::NOTICE_COOKIE)
            .map(|c| super::view::url_decode(c.value()))
            .filter(|n| !n.is_empty()),
        seq,
    })
}

impl FromRequest for Person {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Person, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { person_of(&req).await })
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Debug, Default, Serialize)]
struct LoginView {
    title: &'static str,
    next: String,
    username: String,
    error: Option<String>,
}

/// Only paths of this site are followed after a login (not `//evil.example`).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn login_form(
    view: &LoginView,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, PageError> {
    let html = super::templates::render("login", view).map_err(PageError::Internal)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// `GET /login`.
pub async fn login_page(query: web::Query<LoginQuery>) -> Result<HttpResponse, PageError> {
    let view = LoginView {
        title: "Log in",
        next: safe_next(query.next.as_deref()),
        ..LoginView::default()
    };
    login_form(&view, actix_web::http::StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// `POST /login`: checks the password as the API does (same lockouts, same bounded hashing),
/// sets the session cookie and goes to `next`.
pub async fn login(
    req: HttpRequest,
    services: web::Data<Services>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    if !same_origin(&req) {
        return Err(PageError::Forbidden("a login form of another site".into()));
    }
    let LoginForm {
        username,
        password,
        next,
    } = form.into_inner();
    let next = safe_next(next.as_deref());
    let address = req.peer_addr().map(|a| a.ip());
    let refused = |error: String, status| {
        login_form(
            &LoginView {
                title: "Log in",
                next: next.clone(),
                username: username.clone(),
                error: Some(error),
            },
            status,
        )
    };
    let user =
        match crate::api::session::check_login(&services, &username, &password, address).await {
            Ok(user) => user,
            Err(e) => {
                use actix_web::ResponseError;
                return refused(e.to_string(), e.status_code());
            }
        };
    let (token, ttl) = crate::api::auth::issue_token(
        &services.tokens,
        &TokenUser {
            id: user.id,
            username: &user.username,
            role: user.role,
            token_version: user.token_version,
        },
    )?;
    let cookie = Cookie::build(COOKIE, token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(req.connection_info().scheme() == "https")
        .max_age(actix_web::cookie::time::Duration::seconds(
            i64::try_from(ttl).unwrap_or(i64::MAX),
        ))
        .finish();
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, next))
        .cookie(cookie)
        .finish())
}

/// `POST /logout`: ends every session of the person (as the API's logout does) and clears the
/// cookie.
pub async fn logout(
    services: web::Data<Services>,
    person: Person,
    form: super::form::Posted,
) -> Result<HttpResponse, PageError> {
    form.check(&person)?;
    if let Some(id) = person.caller.user_id {
        crate::db::write(&services.writer, move |c| {
            crate::db::users::revoke_tokens(c, id)
        })
        .await?;
    }
    let mut gone = Cookie::build(COOKIE, "").path("/").finish();
    gone.make_removal();
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/login"))
        .cookie(gone)
        .finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/chargers?q=a")), "/chargers?q=a");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn csrf_tokens_differ_per_session() {
        assert_ne!(csrf_of("a"), csrf_of("b"));
        assert_eq!(csrf_of("a"), csrf_of("a"));
        assert_eq!(csrf_of("a").len(), 32);
    }
}
