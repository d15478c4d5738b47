//! The web dashboard for operations teams: server-rendered pages on the same listener as the
//! API, at `/`. Pages read through the same stores as the API, commands go through the same
//! typed actor messages ([`crate::api::commands::send`]), and every change is audited the same
//! way. A page is useful without JavaScript; `static/app.js` adds live updates from one
//! Server-Sent Events stream per page ([`live`]).
//!
//! - [`templates`]: the handlebars registry, templates embedded from `templates/`.
//! - [`session`]: login, the session cookie, the CSRF token, the [`session::Person`] extractor.
//! - [`error`]: what a page answers when it cannot show itself.
//! - [`form`]: posted forms, checked for their CSRF token.
//! - [`view`]: the frame every page shares, and how numbers and times are shown.
//! - [`chart`]: SVG charts computed in Rust, drawn by a partial.
//! - [`operations`]: the one table of central-system operations the charger page's forms come from.
//! - [`live`]: the event stream: committed changes, coalesced per charger, filtered per page.
//! - [`pages`]: one module per page.
//! - [`assets`]: the stylesheet and script, embedded in the binary.

pub mod assets;
pub mod chart;
pub mod error;
pub mod form;
pub mod live;
pub mod operations;
pub mod pages;
pub mod session;
pub mod templates;
pub mod view;

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::web;

/// The Content-Security-Policy of every page: scripts and styles from our own files only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'self'";

/// The headers every dashboard answer carries.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::CACHE_CONTROL, "no-store"))
}

/// Registers every dashboard route (the caller wraps them in [`security_headers`]).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::overview::page))
        .route("/login", web::get().to(session::login_page))
        .route("/login", web::post().to(session::login))
        .route("/logout", web::post().to(session::logout))
        .route("/live", web::get().to(live::stream))
        .route("/static/{file}", web::get().to(assets::serve))
        .route("/chargers", web::get().to(pages::chargers::page))
        .route("/chargers", web::post().to(pages::chargers::register))
        .route("/chargers/bulk", web::post().to(pages::chargers::bulk))
        .route("/chargers/{id}", web::get().to(pages::charger::page))
        .route(
            "/chargers/{id}/operations/{operation}",
            web::post().to(pages::charger::operate),
        )
        .route(
            "/chargers/{id}/sessions/{transaction}/{action}",
            web::post().to(pages::charger::session),
        )
        .route(
            "/chargers/{id}/max-power",
            web::post().to(pages::charger::max_power),
        )
        .route(
            "/chargers/{id}/password",
            web::post().to(pages::charger::password),
        )
        .route("/transactions", web::get().to(pages::transactions::page))
        .route(
            "/transactions.csv",
            web::get().to(pages::transactions::export),
        )
        .route(
            "/transactions/{id}",
            web::get().to(pages::transactions::detail),
        )
        .route(
            "/transactions/{id}/stop",
            web::post().to(pages::transactions::stop),
        )
        .route("/id-tags", web::get().to(pages::id_tags::page))
        .route("/id-tags", web::post().to(pages::id_tags::create))
        .route("/id-tags/import", web::post().to(pages::id_tags::import))
        .route("/id-tags/{tag}", web::post().to(pages::id_tags::update))
        .route(
            "/id-tags/{tag}/delete",
            web::post().to(pages::id_tags::delete),
        )
        .route("/reservations", web::get().to(pages::reservations::page))
        .route("/profiles", web::get().to(pages::profiles::page))
        .route("/audit", web::get().to(pages::audit::page))
        .route("/users", web::get().to(pages::users::page))
        .route("/users", web::post().to(pages::users::create))
        .route("/users/{name}/delete", web::post().to(pages::users::delete))
        .route("/api-keys", web::post().to(pages::users::create_key))
        .route(
            "/api-keys/{id}/revoke",
            web::post().to(pages::users::revoke_key),
        );
}
