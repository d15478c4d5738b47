//! The dashboard over HTTP, against the real server: logging in and out, every page rendered
//! with data that holds HTML and odd characters (escaped, never markup), the security headers,
//! CSRF and role checks on every POST, operation forms (a bad field is named and nothing is
//! sent; a charger's answer is shown), bulk commands, the CSV export of a filtered view and the
//! live event stream. The same in a real browser: `dashboard_browser.rs`.

mod common;

use common::{Charger, TestServer, ADMIN_PASSWORD, PATIENCE};
use reqwest::header;
use reqwest::redirect::Policy;
use serde_json::json;

/// A browser-like session: the session cookie and the page's CSRF token.
struct Session {
    client: reqwest::Client,
    cookie: String,
    base: String,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The `name=value` of a `Set-Cookie` header of `response` for `name`.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

impl Session {
    async fn login(server: &TestServer, username: &str, password: &str) -> Session {
        let response = client()
            .post(server.url("/login"))
            .form(&[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "login of {username}");
        let raw = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            raw.contains("HttpOnly") && raw.contains("SameSite=Strict"),
            "{raw}"
        );
        Session {
            client: client(),
            cookie: set_cookie(&response, "csms_session").expect("session cookie"),
            base: server.url(""),
        }
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header::COOKIE, &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// The CSRF token of this session, as its pages carry it.
    async fn csrf(&self) -> String {
        let (_, page) = self.get("/").await;
        let at = page.find("data-csrf=\"").expect("csrf on the page") + 11;
        page[at..at + 32].to_owned()
    }

    /// POSTs a form with this session's CSRF token; `(status, Location or body, notice)`.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, Option<String>) {
        let csrf = self.csrf().await;
        let mut form: Vec<(&str, &str)> = vec![("_csrf", &csrf)];
        form.extend_from_slice(fields);
        self.post_raw(path, &form, None).await
    }

    async fn post_raw(
        &self,
        path: &str,
        form: &[(&str, &str)],
        origin: Option<&str>,
    ) -> (u16, String, Option<String>) {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(header::COOKIE, &self.cookie)
            .form(form);
        if let Some(o) = origin {
            request = request.header(header::ORIGIN, o);
        }
        let r = request.send().await.unwrap();
        let status = r.status().as_u16();
        let notice = set_cookie(&r, "csms_notice")
            .map(|c| percent_decode(c.trim_start_matches("csms_notice=")));
        let location = r
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = r.text().await.unwrap();
        (status, location.unwrap_or(body), notice)
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` as handlebars escapes it.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('=', "&#x3D;")
}

async fn user(server: &TestServer, name: &str, role: &str) -> String {
    let token = server.admin_token().await;
    let password = format!("{name}-password-123");
    let (status, body) = server
        .api(
            "POST",
            "/api/v1/users",
            Some(&token),
            Some(json!({"username": name, "password": password, "role": role})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    password
}

/// The markup a charger or a user could inject; the pages must show it as text.
const EVIL: &str = "<script>window.pwned=1</script>";

#[tokio::test]
async fn pages_require_a_login_and_the_login_form_says_what_is_wrong() {
    let server = TestServer::start("");
    for path in [
        "/",
        "/chargers",
        "/transactions",
        "/live?topic=overview",
        "/users",
    ] {
        let r = client().get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        let to = r.headers()[header::LOCATION].to_str().unwrap();
        assert!(to.starts_with("/login?next="), "{path} -> {to}");
    }
    let r = client()
        .post(server.url("/login"))
        .form(&[("username", "admin"), ("password", "wrong password!")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let page = r.text().await.unwrap();
    assert!(page.contains("wrong user name or password"), "{page}");
    assert!(page.contains("value=\"admin\""), "the name is kept");
    // A login never sends the browser to another site.
    let r = client()
        .post(server.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn every_page_renders_odd_data_as_text_with_strict_headers() {
    let server = TestServer::start("");
    let mut cp = Charger::connect(&server, &common::url_escape("CP-<b>&\"1")).await;
    let boot = cp
        .call(
            "BootNotification",
            json!({"chargePointVendor": "V\"'&<i>", "chargePointModel": EVIL, "firmwareVersion": "1.0 <b>ü</b>"}),
        )
        .await;
    assert_eq!(boot[2]["status"], "Accepted", "{boot}");
    cp.call(
        "StatusNotification",
        json!({"connectorId": 1, "errorCode": "NoError", "status": "Available", "info": EVIL}),
    )
    .await;
    server.add_id_tag("TAG<&>", "Accepted").await;
    let started = cp
        .call(
            "StartTransaction",
            json!({"connectorId": 1, "idTag": "TAG<&>", "meterStart": 10, "timestamp": "2026-12-01T10:00:00Z"}),
        )
        .await;
    let tx = started[2]["transactionId"].as_i64().unwrap();
    cp.call(
        "MeterValues",
        json!({"connectorId": 1, "transactionId": tx, "meterValue": [
            {"timestamp": "2026-12-01T10:01:00Z", "sampledValue": [{"value": "500"}, {"value": "7.4", "measurand": "Power.Active.Import", "unit": "kW"}]},
            {"timestamp": "2026-12-01T10:02:00Z", "sampledValue": [{"value": "900"}, {"value": "7.2", "measurand": "Power.Active.Import", "unit": "kW"}]}]}),
    )
    .await;
    let admin = Session::login(&server, "admin", ADMIN_PASSWORD).await;
    let enc = "CP-%3Cb%3E%26%221";
    let pages = [
        "/".to_owned(),
        "/chargers".to_owned(),
        "/chargers?q=%3Cb%3E&online=true&sort=model&order=desc".to_owned(),
        format!("/chargers/{enc}"),
        "/transactions".to_owned(),
        format!("/transactions?charger={enc}&state=active"),
        format!("/transactions/{tx}"),
        "/id-tags".to_owned(),
        "/reservations".to_owned(),
        "/profiles".to_owned(),
        "/audit".to_owned(),
        "/users".to_owned(),
    ];
    for path in &pages {
        let r = admin
            .client
            .get(format!("{}{path}", admin.base))
            .header(header::COOKIE, &admin.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let h = r.headers().clone();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin");
        let page = r.text().await.unwrap();
        assert!(
            !page.contains(EVIL),
            "{path} shows markup from a charger raw"
        );
        assert!(!page.contains("<b>&"), "{path} shows an id raw");
        assert!(
            !page.contains("<script>"),
            "{path}: no inline script at all"
        );
    }
    let (_, detail) = admin.get(&format!("/chargers/{enc}")).await;
    assert!(
        detail.contains(&html("<script>window.pwned=1</script>")),
        "model shown as text"
    );
    assert!(
        detail.contains("CP-&lt;b&gt;&amp;&quot;1"),
        "id shown as text"
    );
    assert!(
        detail.contains("Energy (kWh)") && detail.contains("Power (kW)"),
        "session charts"
    );
    assert!(detail.contains("<polyline points="), "a drawn chart");
    let (_, list) = admin.get("/transactions?from=").await;
    assert!(list.contains("TAG&lt;&amp;&gt;"), "id tag as text");
    assert!(list.contains(&format!("data-transaction=\"{tx}\"")));
}

#[tokio::test]
async fn posts_need_the_csrf_token_the_same_site_and_the_role() {
    let server = TestServer::start("");
    let _cp = server.booted("CP-1").await;
    let admin = Session::login(&server, "admin", ADMIN_PASSWORD).await;
    let form = [("action", "reset"), ("type", "Soft"), ("ids", "CP-1")];
    let (status, _, _) = admin.post_raw("/chargers/bulk", &form, None).await;
    assert_eq!(status, 403, "no CSRF token");
    let csrf = admin.csrf().await;
    let mut with_token = vec![("_csrf", csrf.as_str())];
    with_token.extend_from_slice(&form);
    let (status, body, _) = admin
        .post_raw("/chargers/bulk", &with_token, Some("https://evil.example"))
        .await;
    assert_eq!(status, 403, "a form of another site: {body}");
    let password = user(&server, "admin2", "admin").await;
    let other = Session::login(&server, "admin2", &password).await;
    let (status, _, _) = other.post_raw("/chargers/bulk", &with_token, None).await;
    assert_eq!(status, 403, "another person's token");

    let password = user(&server, "watcher", "viewer").await;
    let viewer = Session::login(&server, "watcher", &password).await;
    let (status, page) = viewer.get("/chargers/CP-1").await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("id=\"op-"),
        "a viewer sees no operation forms"
    );
    let (_, list) = admin.get("/chargers").await;
    // The bulk form's defaults are the gentle ones: a soft reset, making chargers operative.
    assert!(list.contains("<option selected>Soft</option>"), "{list}");
    assert!(
        list.contains("<option selected>Operative</option>"),
        "{list}"
    );
    let (_, list) = viewer.get("/chargers").await;
    assert!(!list.contains("bulk-send") && !list.contains("name=\"ids\""));
    for (path, fields) in [
        ("/chargers/bulk", vec![("action", "reset"), ("ids", "CP-1")]),
        ("/chargers/CP-1/operations/reset", vec![("type", "Hard")]),
        ("/id-tags", vec![("idTag", "X1")]),
        (
            "/users",
            vec![
                ("username", "mallory"),
                ("password", "0123456789ab"),
                ("role", "admin"),
            ],
        ),
    ] {
        let (status, _, _) = viewer.post(path, &fields).await;
        assert_eq!(status, 403, "viewer POST {path}");
    }
    let (status, _) = viewer.get("/users").await;
    assert_eq!(status, 403, "users page is for admins");
}

#[tokio::test]
async fn an_operation_form_names_a_bad_field_or_shows_the_chargers_answer() {
    let server = TestServer::start("");
    let mut cp = server.booted("CP-1").await;
    let admin = Session::login(&server, "admin", ADMIN_PASSWORD).await;
    let (status, page, _) = admin
        .post(
            "/chargers/CP-1/operations/change-availability",
            &[("connectorId", "one"), ("type", "Inoperative")],
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("id=\"op-change-availability-error\""),
        "error shown"
    );
    assert!(
        page.contains("connectorId: &quot;one&quot; is not a whole number"),
        "{page}"
    );
    assert!(page.contains("value=\"one\""), "what was typed is kept");
    // Nothing reached the charger: the next CALL it sees is the one below.
    let csrf = admin.csrf().await;
    let base = admin.base.clone();
    let cookie = admin.cookie.clone();
    let send = tokio::spawn(async move {
        client()
            .post(format!("{base}/chargers/CP-1/operations/reset"))
            .header(header::COOKIE, cookie)
            .form(&[("_csrf", csrf.as_str()), ("type", "Hard")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    let call = tokio::time::timeout(PATIENCE, cp.next_call())
        .await
        .unwrap();
    assert_eq!(call[2], "Reset", "{call}");
    assert_eq!(call[3], json!({"type": "Hard"}));
    cp.reply(&call[1], json!({"status": "Rejected"})).await;
    let page = send.await.unwrap();
    assert!(page.contains("id=\"op-reset-answer\""), "answer shown");
    assert!(
        page.contains("&quot;status&quot;: &quot;Rejected&quot;"),
        "{page}"
    );
    // An offline charger is said to be offline.
    let (_, page, _) = admin
        .post("/chargers/CP-9/operations/clear-cache", &[])
        .await;
    assert!(
        page.contains("Not Found") || page.contains("unknown charger"),
        "{page}"
    );
    // The audit log has the command with its answer.
    let (_, audit) = admin.get("/audit?action=Reset").await;
    assert!(audit.contains("Rejected"), "{audit}");
}

#[tokio::test]
async fn bulk_configuration_reaches_every_selected_charger_and_counts_the_answers() {
    let server = TestServer::start("");
    let mut a = server.booted("CP-A").await;
    let mut b = server.booted("CP-B").await;
    let admin = Session::login(&server, "admin", ADMIN_PASSWORD).await;
    let csrf = admin.csrf().await;
    let (base, cookie) = (admin.base.clone(), admin.cookie.clone());
    let post = tokio::spawn(async move {
        let r = client()
            .post(format!("{base}/chargers/bulk"))
            .header(header::COOKIE, cookie)
            .form(&[
                ("_csrf", csrf.as_str()),
                ("scope", "selected"),
                ("ids", "CP-A"),
                ("ids", "CP-B"),
                ("ids", "CP-GONE"),
                ("action", "configure"),
                ("key", "MeterValueSampleInterval"),
                ("value", "30"),
            ])
            .send()
            .await
            .unwrap();
        set_cookie(&r, "csms_notice").map(|c| percent_decode(c.trim_start_matches("csms_notice=")))
    });
    for (cp, answer) in [(&mut a, "Accepted"), (&mut b, "RebootRequired")] {
        let call = tokio::time::timeout(PATIENCE, cp.next_call())
            .await
            .unwrap();
        assert_eq!(call[2], "ChangeConfiguration");
        assert_eq!(
            call[3],
            json!({"key": "MeterValueSampleInterval", "value": "30"})
        );
        cp.reply(&call[1], json!({"status": answer})).await;
    }
    let notice = post.await.unwrap().expect("a notice");
    assert_eq!(
        notice,
        "ChangeConfiguration sent to 3 chargers. Accepted: 1, RebootRequired: 1, unknown: 1"
    );
}

#[tokio::test]
async fn the_csv_of_a_filtered_view_holds_that_view() {
    let server = TestServer::start("");
    server.add_id_tag("T1", "Accepted").await;
    let mut cp = server.booted("CP-1").await;
    let mut other = server.booted("CP-2").await;
    for (which, at) in [
        (0, "2026-11-20T10:00:00Z"),
        (0, "2026-11-28T10:00:00Z"),
        (1, "2026-11-28T11:00:00Z"),
    ] {
        let c = if which == 0 { &mut cp } else { &mut other };
        let r = c
            .call(
                "StartTransaction",
                json!({"connectorId": 1, "idTag": "T1", "meterStart": 0, "timestamp": at}),
            )
            .await;
        let id = r[2]["transactionId"].clone();
        c.call(
            "StopTransaction",
            json!({"transactionId": id, "meterStop": 5000, "timestamp": at}),
        )
        .await;
    }
    let admin = Session::login(&server, "admin", ADMIN_PASSWORD).await;
    let filter = "charger=CP-1&from=2026-11-25T00%3A00%3A00Z&to=2026-12-02T00%3A00%3A00Z";
    let (_, page) = admin.get(&format!("/transactions?{filter}")).await;
    assert!(
        page.contains("<strong>1</strong> transactions"),
        "totals of the filter"
    );
    assert!(
        page.contains("<strong>5.00 kWh</strong>"),
        "energy of the filter"
    );
    assert!(
        page.contains(&format!(
            "href=\"{}\"",
            html(&format!("/transactions.csv?{filter}"))
        )),
        "CSV link keeps the filter"
    );
    let (status, csv) = admin.get(&format!("/transactions.csv?{filter}")).await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "header and one row: {csv}");
    assert!(
        lines[1].contains("CP-1") && lines[1].contains("2026-11-28"),
        "{csv}"
    );
    let (status, page) = admin.get("/transactions?from=yesterday").await;
    assert_eq!(status, 200, "a bad filter shows the page");
    assert!(
        page.contains("from: &quot;yesterday&quot; is not a date-time"),
        "{page}"
    );
}

#[tokio::test]
async fn the_live_stream_carries_committed_changes_of_the_page_only() {
    let server = TestServer::start("");
    let mut cp = server.booted("CP-1").await;
    let admin = Session::login(&server, "admin", ADMIN_PASSWORD).await;
    let r = admin
        .client
        .get(format!("{}/live?topic=charger:CP-1", admin.base))
        .header(header::COOKIE, &admin.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "text/event-stream");
    let mut body = r;
    let mut other = server.booted("CP-2").await;
    other
        .call(
            "StatusNotification",
            json!({"connectorId": 1, "errorCode": "NoError", "status": "Faulted"}),
        )
        .await;
    cp.call(
        "StatusNotification",
        json!({"connectorId": 1, "errorCode": "NoError", "status": "Charging"}),
    )
    .await;
    let mut seen = String::new();
    let found = tokio::time::timeout(PATIENCE, async {
        while let Some(chunk) = body.chunk().await.unwrap() {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains("\"status\":\"Charging\"") {
                return;
            }
        }
    })
    .await;
    assert!(found.is_ok(), "no connector event: {seen}");
    assert!(seen.starts_with("retry: "), "{seen}");
    assert!(seen.contains("event: connector"), "{seen}");
    assert!(
        !seen.contains("CP-2") && !seen.contains("Faulted"),
        "another charger's change: {seen}"
    );
    let (status, _) = admin.get("/live?topic=everything").await;
    assert_eq!(status, 422);

    // A page read before a change and followed after it is told to reload its rows at once.
    let (_, page) = admin.get("/chargers/CP-1").await;
    let at = page.find("data-seq=\"").unwrap() + 10;
    let seq: u64 = page[at..].split('"').next().unwrap().parse().unwrap();
    cp.call(
        "StatusNotification",
        json!({"connectorId": 1, "errorCode": "NoError", "status": "Finishing"}),
    )
    .await;
    let mut late = admin
        .client
        .get(format!(
            "{}/live?topic=charger:CP-1&since={seq}",
            admin.base
        ))
        .header(header::COOKIE, &admin.cookie)
        .send()
        .await
        .unwrap();
    let mut seen = String::new();
    let told = tokio::time::timeout(PATIENCE, async {
        while let Some(chunk) = late.chunk().await.unwrap() {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains("event: rows") {
                return;
            }
        }
    })
    .await;
    assert!(told.is_ok(), "not told of the change it missed: {seen}");
}

#[tokio::test]
async fn logout_ends_the_session_everywhere() {
    let server = TestServer::start("");
    let admin = Session::login(&server, "admin", ADMIN_PASSWORD).await;
    let (status, _) = admin.get("/").await;
    assert_eq!(status, 200);
    let (status, to, _) = admin.post("/logout", &[]).await;
    assert_eq!((status, to.as_str()), (303, "/login"));
    let (status, _) = admin.get("/").await;
    assert_eq!(status, 303, "the old cookie no longer works");
}

#[tokio::test]
async fn id_tags_users_and_keys_are_managed_from_their_pages() {
    let server = TestServer::start("");
    let admin = Session::login(&server, "admin", ADMIN_PASSWORD).await;
    let (status, to, notice) = admin
        .post("/id-tags", &[("idTag", "CARD-1"), ("status", "Accepted")])
        .await;
    assert_eq!((status, to.as_str()), (303, "/id-tags"));
    assert_eq!(notice.as_deref(), Some("Id tag CARD-1 created (Accepted)."));
    let (_, _, notice) = admin.post("/id-tags/CARD-1", &[("set", "block")]).await;
    assert_eq!(notice.as_deref(), Some("Id tag CARD-1 is Blocked."));
    let (_, _, notice) = admin.post("/id-tags", &[("idTag", "card-1")]).await;
    assert!(notice
        .unwrap()
        .starts_with("Id tag not created: id tag card-1 exists"));
    let (_, _, notice) = admin
        .post(
            "/id-tags/import",
            &[("csv", "idTag,status\nCARD-2,Accepted\nCARD-3,Lost\n")],
        )
        .await;
    let notice = notice.unwrap();
    assert!(
        notice.starts_with("Imported: 1 created, 0 updated, 1 lines refused — line 3: "),
        "{notice}"
    );
    let (_, page) = admin.get("/id-tags").await;
    assert!(page.contains("data-id-tag=\"CARD-2\"") && page.contains("Blocked"));
    let (_, _, notice) = admin
        .post(
            "/users",
            &[
                ("username", "ops"),
                ("password", "short"),
                ("role", "operator"),
            ],
        )
        .await;
    assert!(
        notice.unwrap().starts_with("User not created: password:"),
        "the field is named"
    );
    let (_, _, notice) = admin
        .post(
            "/users",
            &[
                ("username", "ops"),
                ("password", "a good long password"),
                ("role", "operator"),
            ],
        )
        .await;
    assert_eq!(notice.as_deref(), Some("User ops created (operator)."));
    let (_, _, notice) = admin
        .post("/api-keys", &[("name", "billing"), ("role", "viewer")])
        .await;
    let notice = notice.unwrap();
    let key = notice.rsplit(' ').next().unwrap();
    assert!(key.starts_with("csms_"), "{notice}");
    let (status, _) = server.api("GET", "/api/v1/chargers", Some(key), None).await;
    assert_eq!(status, 200, "the new key works");
    let (_, audit) = admin.get("/audit?actor=user%3Aadmin").await;
    for action in [
        "id_tag.create",
        "id_tag.update",
        "id_tag.import",
        "user.create",
        "api_key.create",
    ] {
        assert!(audit.contains(action), "{action} audited");
    }
}
