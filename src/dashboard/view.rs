//! What every page shares: the [`Frame`] (title, who is logged in, what they may do, the CSRF
//! token, the live topic, a notice left by the last action), and how values are shown: times
//! as `<time>` in UTC that the browser turns into its own zone, numbers with their units.

use super::error::PageError;
use super::session::Person;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::HttpResponse;
use chrono::NaiveDateTime;
use serde::Serialize;

/// The cookie that carries a notice from an action to the page it redirects to.
pub const NOTICE_COOKIE: &str = "csms_notice";

/// Which navigation entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Nav {
    Overview,
    Chargers,
    Transactions,
    IdTags,
    Reservations,
    Profiles,
    Audit,
    Users,
}

/// The part of every page's view that the layout shows.
#[derive(Debug, Clone, Serialize)]
pub struct Frame {
    pub title: String,
    /// The user's name.
    pub user: String,
    pub role: &'static str,
    pub can_operate: bool,
    pub is_admin: bool,
    pub csrf: String,
    pub nav: Nav,
    /// The live topic the page's script subscribes to (empty: none).
    pub live: String,
    pub notice: Option<String>,
    pub version: &'static str,
    /// The page's own path when it is shown at another (the answer to a form).
    pub canonical: Option<String>,
    /// Changes published on the bus before the page was read: its live stream starts from
    /// there (see [`super::live`]).
    pub seq: u64,
}

impl Frame {
    pub fn new(person: &Person, title: String, nav: Nav, live: String, seq: u64) -> Frame {
        Frame {
            seq,
            title,
            user: person
                .caller
                .name
                .strip_prefix("user:")
                .unwrap_or(&person.caller.name)
                .to_owned(),
            role: person.caller.role.as_str(),
            can_operate: person.can_operate(),
            is_admin: person.is_admin(),
            csrf: person.csrf.clone(),
            nav,
            live,
            notice: person.notice.clone(),
            version: env!("CARGO_PKG_VERSION"),
            canonical: None,
        }
    }
}

/// A page: `template` rendered with `view`; clears the notice it showed.
pub fn page<T: Serialize>(
    template: &str,
    view: &T,
    person: &Person,
) -> Result<HttpResponse, PageError> {
    let html = super::templates::render(template, view).map_err(PageError::Internal)?;
    let mut answer = HttpResponse::Ok();
    answer.content_type("text/html; charset=utf-8");
    if person.notice.is_some() {
        let mut gone = Cookie::build(NOTICE_COOKIE, "").path("/").finish();
        gone.make_removal();
        answer.cookie(gone);
    }
    Ok(answer.body(html))
}

/// A redirect after an action (303, so the browser GETs `to`), leaving `notice` for that page.
pub fn redirect(to: &str, notice: &str) -> HttpResponse {
    let cookie = Cookie::build(NOTICE_COOKIE, url_encode(notice))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::seconds(60))
        .finish();
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .cookie(cookie)
        .finish()
}

/// What [`url_encode`] encodes: everything but RFC 3986's unreserved characters.
const ENCODED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes everything but unreserved characters (for URLs and cookie values).
pub fn url_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, ENCODED).to_string()
}

/// Reads a percent-encoded text back.
pub fn url_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// A time as pages show it: `iso` (RFC 3339, UTC) for the `<time>` element and the script that
/// shows it in the browser's zone; `text` in UTC for pages read without script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct When {
    pub iso: String,
    pub text: String,
}

impl When {
    pub fn of(t: NaiveDateTime) -> When {
        When {
            iso: t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            text: t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        }
    }

    pub fn maybe(t: Option<NaiveDateTime>) -> Option<When> {
        t.map(When::of)
    }
}

/// Wh as kWh with two decimals and the unit.
pub fn kwh(wh: i64) -> String {
    format!("{:.2} kWh", wh as f64 / 1000.0)
}

/// W as kW with one decimal and the unit.
pub fn kw(w: f64) -> String {
    format!("{:.1} kW", w / 1000.0)
}

/// A duration in seconds as `1 h 05 min` or `12 min`.
pub fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    let (h, m) = (secs / 3600, (secs % 3600) / 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else if m > 0 {
        format!("{m} min")
    } else {
        format!("{secs} s")
    }
}

/// The CSS class of a connector status (colour; the text says it too).
pub fn status_class(status: &str) -> &'static str {
    match status {
        "Available" => "ok",
        "Preparing" | "Finishing" | "Reserved" => "busy",
        "Charging" | "SuspendedEV" | "SuspendedEVSE" => "charging",
        "Faulted" => "bad",
        _ => "off",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_carry_their_units() {
        assert_eq!(kwh(12345), "12.35 kWh");
        assert_eq!(kwh(0), "0.00 kWh");
        assert_eq!(kw(7400.0), "7.4 kW");
        assert_eq!(duration(3900), "1 h 05 min");
        assert_eq!(duration(720), "12 min");
        assert_eq!(duration(-5), "0 s");
    }

    #[test]
    fn times_are_utc_for_machines_and_people() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(18, 5, 9)
            .unwrap();
        let w = When::of(t);
        assert_eq!(w.iso, "2026-12-02T18:05:09Z");
        assert_eq!(w.text, "2026-12-02 18:05:09 UTC");
    }

    #[test]
    fn url_encoding_round_trips() {
        let s = "Reset sent to CP/1 & 2: Accepted ✓";
        assert_eq!(url_decode(&url_encode(s)), s);
        assert!(!url_encode(s).contains(' '));
    }
}
