//! The web dashboard in a real browser: headless Chromium driven over WebDriver (chromedriver)
//! against the real `csms` binary, with raw OCPP-J test chargers on the other side. What a
//! person does (log in, watch chargers come and go, send commands, filter and export
//! transactions) is done by clicking and typing; what the page shows is read from its DOM,
//! polled until it holds or [`PATIENCE`] runs out.
//!
//! Needs `chromedriver` and Chromium (Debian: `apt-get install chromium chromium-driver`;
//! `tests/run` installs them when run as root). Without them these tests fail, saying so.
//! `CSMS_TEST_CHROMEDRIVER` and `CSMS_TEST_CHROMIUM` name other binaries.
//!
//! The remote-start test also leaves screenshots for the README in `target/screenshots/`: the
//! overview, and a charger page with a charging session.

mod common;

use common::{Charger, TestServer, ADMIN_PASSWORD, PATIENCE};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to get what these tests need, for the message they fail with.
const INSTALL: &str = "install Chromium and its WebDriver (Debian: `apt-get install -y chromium \
     chromium-driver`; tests/run does this when run as root on Debian), or set \
     CSMS_TEST_CHROMEDRIVER and CSMS_TEST_CHROMIUM to their paths";

/// A program named by the environment variable `var`, else the first of `names` on `PATH`.
fn program(var: &str, names: &[&str], what: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(var) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{var}={} does not exist; {INSTALL}",
            path.display()
        );
        return path;
    }
    let dirs = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&dirs)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("{what} not found (looked for {names:?} on PATH); {INSTALL}"))
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A `chromedriver` child process in its own process group; the group (chromedriver and the
/// browsers it started) is killed when this is dropped.
struct Driver {
    child: Child,
    port: u16,
    _log_dir: tempfile::TempDir,
}

impl Driver {
    fn start() -> Driver {
        use std::os::unix::process::CommandExt;
        let exe = program("CSMS_TEST_CHROMEDRIVER", &["chromedriver"], "chromedriver");
        let log_dir = tempfile::tempdir().expect("tempdir");
        let log_path = log_dir.path().join("chromedriver.log");
        let log = std::fs::File::create(&log_path).expect("chromedriver log");
        let port = free_port();
        let child = Command::new(&exe)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}; {INSTALL}", exe.display()));
        let mut driver = Driver {
            child,
            port,
            _log_dir: log_dir,
        };
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!(
                    "chromedriver exited with {status} at start:\n{}",
                    std::fs::read_to_string(&log_path).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port} within {PATIENCE:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: Chromium's processes too, even when a test failed half-way.
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) with a negative pid signals the process group we created.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.child.wait();
    }
}

/// A headless Chromium session on a test server's dashboard.
struct Browser {
    client: Client,
    base: String,
    // Dropped after the client: killing the driver ends the browser.
    _driver: Driver,
}

/// Reads the trimmed text of the first element matching `arguments[0]` (null if none).
const TEXT_OF: &str = "const e = document.querySelector(arguments[0]); \
     return e ? e.textContent.trim() : null;";

/// Counts the elements matching `arguments[0]`.
const COUNT_OF: &str = "return document.querySelectorAll(arguments[0]).length;";

/// Lets the test see the page's live streams: every EventSource the page opens from now on is
/// kept in `window.__streams`.
const WATCH_STREAMS: &str = "if (!window.__streams) { \
       const Native = window.EventSource; window.__streams = []; \
       window.EventSource = function (url, init) { \
         const s = new Native(url, init); window.__streams.push(s); return s; }; \
     }";

/// Whether one of the watched streams is open and follows charger `arguments[0]`.
const STREAM_FOLLOWS: &str = "const id = arguments[0]; \
     return (window.__streams || []).some(function (s) { \
       const ids = new URL(s.url).searchParams.get('ids'); \
       return s.readyState === 1 && ids !== null && ids.split(',').indexOf(id) >= 0; });";

/// `fetch` from the page, as its own script would: `arguments[0]` the method, `[1]` the path,
/// `[2]` a form body or null. Answers the status, content type and disposition, and the text.
const FETCH: &str = "const [method, path, body, done] = arguments; \
     const init = { method: method, credentials: 'same-origin' }; \
     if (body !== null) { init.body = new URLSearchParams(body); } \
     fetch(path, init) \
       .then(function (r) { return r.text().then(function (text) { done({ \
         status: r.status, type: r.headers.get('content-type'), \
         disposition: r.headers.get('content-disposition'), text: text }); }); }) \
       .catch(function (e) { done({ error: String(e) }); });";

impl Browser {
    /// Starts chromedriver and a headless Chromium on the dashboard of `server`.
    async fn open(server: &TestServer) -> Browser {
        let driver = Driver::start();
        let chromium = program(
            "CSMS_TEST_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
            "Chromium",
        );
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,900",
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = tokio::time::timeout(
            PATIENCE,
            ClientBuilder::new(connector)
                .capabilities(capabilities)
                .connect(&format!("http://127.0.0.1:{}", driver.port)),
        )
        .await
        .expect("no WebDriver session within PATIENCE")
        .unwrap_or_else(|e| panic!("WebDriver session with {}: {e}", chromium.display()));
        Browser {
            client,
            base: server.url(""),
            _driver: driver,
        }
    }

    async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    }

    /// The current page's path and query.
    async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!("{css} on {}: {e}", self.path().await),
        }
    }

    async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Types `text` into the (emptied) field `css`.
    async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script {script:?}: {e}"))
    }

    async fn text(&self, css: &str) -> Option<String> {
        self.js(TEXT_OF, vec![json!(css)])
            .await
            .as_str()
            .map(str::to_owned)
    }

    async fn count(&self, css: &str) -> u64 {
        self.js(COUNT_OF, vec![json!(css)])
            .await
            .as_u64()
            .expect("a count")
    }

    /// Runs `script` until its value satisfies `wanted` (a script that fails, as while a page
    /// loads, counts as not yet); gives that value.
    async fn wait_until(
        &self,
        what: &str,
        script: &str,
        args: Vec<Value>,
        wanted: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let last = match self.client.execute(script, args.clone()).await {
                Ok(value) if wanted(&value) => return value,
                Ok(value) => value.to_string(),
                Err(e) => format!("error: {e}"),
            };
            if Instant::now() > deadline {
                let page = self.path().await;
                panic!("{what}: not so within {PATIENCE:?} on {page}; last: {last}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the text of the first element matching `css` is `expected`.
    async fn wait_text(&self, css: &str, expected: &str) {
        self.wait_until(
            &format!("the text of {css} is {expected:?}"),
            TEXT_OF,
            vec![json!(css)],
            |v| v == expected,
        )
        .await;
    }

    /// Waits until `css` matches at least one element.
    async fn wait_present(&self, css: &str) {
        self.wait_until(
            &format!("{css} is on the page"),
            COUNT_OF,
            vec![json!(css)],
            |v| v.as_u64() > Some(0),
        )
        .await;
    }

    /// Waits until the page's live-update stream is open (the dot in the header).
    async fn wait_live(&self) {
        self.wait_until(
            "the live stream is open (#live-dot.on)",
            "const d = document.getElementById('live-dot'); \
             return d !== null && d.classList.contains('on');",
            vec![],
            |v| v == true,
        )
        .await;
    }

    /// Logs in through the login form; the browser is on the page it was sent to after.
    async fn login(&self, username: &str, password: &str) {
        self.goto("/login").await;
        self.fill("#username", username).await;
        self.fill("#password", password).await;
        self.click("#login").await;
        self.wait_until(
            "the login form is gone",
            "return document.getElementById('login') === null;",
            vec![],
            |v| v == true,
        )
        .await;
        assert_eq!(
            self.count("#login-error").await,
            0,
            "login of {username} refused"
        );
    }

    /// `fetch(path)` from the page with its session; the answer as [`FETCH`] gives it.
    async fn fetch(&self, method: &str, path: &str, form: Option<Vec<(&str, &str)>>) -> Value {
        let body = form.map_or(Value::Null, |pairs| {
            Value::Array(pairs.iter().map(|(k, v)| json!([k, v])).collect())
        });
        let answer = self
            .client
            .execute_async(FETCH, vec![json!(method), json!(path), body])
            .await
            .unwrap_or_else(|e| panic!("fetch {method} {path}: {e}"));
        assert!(answer["error"].is_null(), "fetch {method} {path}: {answer}");
        answer
    }

    /// Saves a screenshot of the window as `target/screenshots/<name>`.
    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshots directory");
        std::fs::write(dir.join(name), png).expect("write screenshot");
    }
}

/// A StatusNotification of connector `connector`, answered.
async fn status(cp: &mut Charger, connector: u32, status: &str) {
    let answer = cp
        .call(
            "StatusNotification",
            json!({"connectorId": connector, "errorCode": "NoError", "status": status}),
        )
        .await;
    assert_eq!(answer[0], 3, "{answer}");
}

/// RFC 3339 of now minus `minutes`.
fn minutes_ago(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A charger-initiated StartTransaction; its transaction id.
async fn start_transaction(cp: &mut Charger, connector: u32, id_tag: &str, at: &str) -> i64 {
    let answer = cp
        .call(
            "StartTransaction",
            json!({"connectorId": connector, "idTag": id_tag, "meterStart": 0, "timestamp": at}),
        )
        .await;
    answer[2]["transactionId"]
        .as_i64()
        .unwrap_or_else(|| panic!("no transaction id: {answer}"))
}

async fn stop_transaction(cp: &mut Charger, transaction: i64, meter_stop: i64, at: &str) {
    let answer = cp
        .call(
            "StopTransaction",
            json!({"transactionId": transaction, "meterStop": meter_stop, "timestamp": at, "reason": "Local"}),
        )
        .await;
    assert_eq!(answer[0], 3, "{answer}");
}

/// A session's meter values, one sample of energy and power per 5 minutes from `from_minutes`
/// ago to now (for the charts of the charger page).
async fn meter_values(cp: &mut Charger, connector: u32, transaction: i64, from_minutes: i64) {
    let values: Vec<Value> = (0..=from_minutes / 5)
        .map(|i| {
            let minutes = from_minutes - i * 5;
            let wh = i * 5 * 11_000 / 60 + i % 3 * 40;
            let w = 11_000 - (i % 4) * 350;
            json!({"timestamp": minutes_ago(minutes), "sampledValue": [
                {"value": wh.to_string(), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": w.to_string(), "measurand": "Power.Active.Import", "unit": "W"},
            ]})
        })
        .collect();
    let answer = cp
        .call(
            "MeterValues",
            json!({"connectorId": connector, "transactionId": transaction, "meterValue": values}),
        )
        .await;
    assert_eq!(answer[0], 3, "{answer}");
}

#[tokio::test]
async fn logging_in_through_the_form_lands_on_the_overview() {
    let server = TestServer::start("");
    let browser = Browser::open(&server).await;

    // A page behind the login sends the browser to the form.
    browser.goto("/chargers").await;
    assert!(
        browser.path().await.starts_with("/login"),
        "{}",
        browser.path().await
    );

    browser.goto("/login").await;
    browser.fill("#username", "admin").await;
    browser.fill("#password", "not-the-password").await;
    browser.click("#login").await;
    browser.wait_present("#login-error").await;
    let error = browser.text("#login-error").await.unwrap_or_default();
    assert!(!error.is_empty(), "an empty login error");
    assert!(browser.path().await.starts_with("/login"));
    let cookies = browser.client.get_all_cookies().await.expect("cookies");
    assert!(
        cookies.iter().all(|c| c.name() != "csms_session"),
        "a refused login set a session: {cookies:?}"
    );

    browser.fill("#username", "admin").await;
    browser.fill("#password", ADMIN_PASSWORD).await;
    browser.click("#login").await;
    browser.wait_text("main h1", "Overview").await;
    assert_eq!(browser.path().await, "/");
    let live = browser
        .js("return document.body.dataset.live;", vec![])
        .await;
    assert_eq!(live, "overview");
    browser.wait_live().await;
    let cookies = browser.client.get_all_cookies().await.expect("cookies");
    let session = cookies
        .iter()
        .find(|c| c.name() == "csms_session")
        .unwrap_or_else(|| panic!("no session cookie: {cookies:?}"));
    assert_eq!(session.http_only(), Some(true), "{session:?}");
    let readable = browser.js("return document.cookie;", vec![]).await;
    assert!(
        !readable
            .as_str()
            .unwrap_or_default()
            .contains("csms_session"),
        "{readable}"
    );
}

#[tokio::test]
async fn chargers_appear_change_status_and_go_offline_live() {
    let server = TestServer::start("");
    // Listed when the page loads, with a connector it has reported.
    let mut known = server.booted("CP-KNOWN").await;
    status(&mut known, 1, "Available").await;
    let browser = Browser::open(&server).await;
    browser.login("admin", ADMIN_PASSWORD).await;
    browser.goto("/chargers").await;
    browser.wait_live().await;
    browser
        .wait_text(r#"[data-connector="CP-KNOWN/1"] .text"#, "Available")
        .await;
    assert_eq!(browser.count("tr[data-charger-row]").await, 1);
    browser.js(WATCH_STREAMS, vec![]).await;
    // Gone if the page were loaded again: everything below happens in this one page.
    browser.js("window.sameLoad = true;", vec![]).await;

    // A charger that connects while the page is open gets a row.
    let mut cp = server.booted("CP-LIVE").await;
    browser
        .wait_present(r#"tr[data-charger-row="CP-LIVE"]"#)
        .await;
    browser
        .wait_text(r#"[data-online="CP-LIVE"]"#, "online")
        .await;
    // The list's stream follows the chargers it shows; it is opened again for the new one, and
    // what the charger reports before that stream is open shows only at the next reload.
    browser
        .wait_until(
            "the page's live stream follows CP-LIVE",
            STREAM_FOLLOWS,
            vec![json!("CP-LIVE")],
            |v| v == true,
        )
        .await;

    // A listed connector's status changes in place; a charger that leaves shows offline.
    status(&mut known, 1, "Charging").await;
    browser
        .wait_text(r#"[data-connector="CP-KNOWN/1"] .text"#, "Charging")
        .await;
    known.close_and_wait().await;
    browser
        .wait_text(r#"[data-online="CP-KNOWN"]"#, "offline")
        .await;

    // The new charger's first StatusNotification shows too, and then its changes.
    status(&mut cp, 1, "Charging").await;
    browser
        .wait_text(r#"[data-connector="CP-LIVE/1"] .text"#, "Charging")
        .await;
    status(&mut cp, 1, "Finishing").await;
    browser
        .wait_text(r#"[data-connector="CP-LIVE/1"] .text"#, "Finishing")
        .await;
    cp.close_and_wait().await;
    browser
        .wait_text(r#"[data-online="CP-LIVE"]"#, "offline")
        .await;

    let same = browser.js("return window.sameLoad === true;", vec![]).await;
    assert_eq!(same, true, "the page was loaded again");
}

#[tokio::test]
async fn a_remote_start_from_the_charger_page_starts_a_session() {
    let server = TestServer::start("");
    server.add_id_tag("TAG-REMOTE", "Accepted").await;
    let mut cp = server.booted("CP-REMOTE").await;
    status(&mut cp, 1, "Available").await;
    status(&mut cp, 2, "Available").await;
    let browser = Browser::open(&server).await;
    browser.login("admin", ADMIN_PASSWORD).await;
    browser.goto("/chargers/CP-REMOTE").await;
    browser
        .wait_text(r#"[data-connector="CP-REMOTE/1"] .text"#, "Available")
        .await;

    browser.click("#op-remote-start-box > summary").await;
    browser
        .fill("#op-remote-start input[name=idTag]", "TAG-REMOTE")
        .await;
    browser
        .fill("#op-remote-start input[name=connectorId]", "1")
        .await;
    // The form waits for the charger's answer: click and answer at the same time.
    let charger = async {
        let call = cp.next_call().await;
        assert_eq!(call[2], "RemoteStartTransaction", "{call}");
        assert_eq!(call[3], json!({"idTag": "TAG-REMOTE", "connectorId": 1}));
        cp.reply(&call[1], json!({"status": "Accepted"})).await;
        status(&mut cp, 1, "Preparing").await;
        start_transaction(&mut cp, 1, "TAG-REMOTE", &minutes_ago(40)).await
    };
    let ((), transaction) = tokio::join!(browser.click("#op-remote-start-send"), charger);
    browser.wait_present("#op-remote-start-answer").await;
    let answer = browser.text("#op-remote-start-answer").await.unwrap();
    let answer: Value = serde_json::from_str(&answer)
        .unwrap_or_else(|e| panic!("the answer shown is not JSON ({e}): {answer}"));
    assert_eq!(answer, json!({"status": "Accepted"}));
    assert_eq!(browser.count("#op-remote-start-error").await, 0);
    // The page shown as the form's answer lives at the charger's address, and its regions
    // follow the charger live: the new session appears without a reload.
    let path = browser.js("return location.pathname;", vec![]).await;
    assert_eq!(path, json!("/chargers/CP-REMOTE"));
    browser
        .wait_present(&format!(r#"[data-session="{transaction}"]"#))
        .await;

    status(&mut cp, 1, "Charging").await;
    meter_values(&mut cp, 1, transaction, 40).await;

    browser.goto("/transactions").await;
    let row = format!(r#"tr[data-transaction="{transaction}"]"#);
    browser.wait_present(&row).await;
    let cells = browser
        .js(
            "return Array.from(document.querySelector(arguments[0]).cells, \
             function (c) { return c.textContent.trim(); });",
            vec![json!(row)],
        )
        .await;
    assert_eq!(cells[1], "CP-REMOTE", "{cells}");
    assert_eq!(cells[2], "1", "{cells}");
    assert_eq!(cells[3], "TAG-REMOTE", "{cells}");
    assert_eq!(cells[5], "active", "{cells}");

    // For the README: the charger with its session, and the overview with some history.
    browser.goto("/chargers/CP-REMOTE").await;
    browser
        .wait_present(&format!(r#"[data-session="{transaction}"]"#))
        .await;
    browser
        .wait_text(r#"[data-connector="CP-REMOTE/1"] .text"#, "Charging")
        .await;
    browser.wait_live().await;
    browser.screenshot("charger.png").await;

    let mut other = server.booted("CP-DEPOT-2").await;
    status(&mut other, 1, "Available").await;
    for day in 1..=6 {
        let started = minutes_ago(day * 24 * 60 + 90);
        let t = start_transaction(&mut other, 1, "TAG-REMOTE", &started).await;
        stop_transaction(
            &mut other,
            t,
            9_000 + day * 3_100,
            &minutes_ago(day * 24 * 60),
        )
        .await;
    }
    browser.goto("/").await;
    browser.wait_live().await;
    browser.wait_text(r#"[data-figure="online"]"#, "2").await;
    browser
        .wait_text(r#"[data-figure="activeSessions"]"#, "1")
        .await;
    browser.screenshot("overview.png").await;
}

/// Takes the ChangeConfiguration the bulk form sends and accepts it.
async fn accept_configuration(cp: &mut Charger) {
    let call = cp.next_call().await;
    assert_eq!(call[2], "ChangeConfiguration", "{}: {call}", cp.id);
    let expected = json!({"key": "HeartbeatInterval", "value": "120"});
    assert_eq!(call[3], expected, "{}", cp.id);
    cp.reply(&call[1], json!({"status": "Accepted"})).await;
}

#[tokio::test]
async fn bulk_change_configuration_reaches_the_selected_chargers() {
    let server = TestServer::start("");
    let mut first = server.booted("CP-BULK-1").await;
    let mut second = server.booted("CP-BULK-2").await;
    let _unselected = server.booted("CP-BULK-3").await;
    let browser = Browser::open(&server).await;
    browser.login("admin", ADMIN_PASSWORD).await;
    browser.goto("/chargers").await;
    for id in ["CP-BULK-1", "CP-BULK-2", "CP-BULK-3"] {
        browser
            .wait_text(&format!(r#"[data-online="{id}"]"#), "online")
            .await;
    }
    browser
        .click(r#"input[name="ids"][value="CP-BULK-1"]"#)
        .await;
    browser
        .click(r#"input[name="ids"][value="CP-BULK-2"]"#)
        .await;
    let configure = browser
        .find(r#"input[name="action"][value="configure"]"#)
        .await;
    assert!(configure.is_selected().await.expect("radio"));
    browser.fill("#bulk-key", "HeartbeatInterval").await;
    browser.fill("#bulk-value", "120").await;

    tokio::join!(
        browser.click("#bulk-send"),
        accept_configuration(&mut first),
        accept_configuration(&mut second),
    );
    browser
        .wait_text(
            "#notice",
            "ChangeConfiguration sent to 2 chargers. Accepted: 2",
        )
        .await;
    assert_eq!(browser.path().await, "/chargers");
}

#[tokio::test]
async fn the_csv_export_holds_exactly_the_filtered_transactions() {
    let server = TestServer::start("");
    server.add_id_tag("TAG-1", "Accepted").await;
    server.add_id_tag("TAG-2", "Accepted").await;
    let mut a = server.booted("CP-CSV-A").await;
    let mut b = server.booted("CP-CSV-B").await;
    let t1 = start_transaction(&mut a, 1, "TAG-1", &minutes_ago(300)).await;
    stop_transaction(&mut a, t1, 4_000, &minutes_ago(240)).await;
    let t2 = start_transaction(&mut a, 1, "TAG-2", &minutes_ago(200)).await;
    stop_transaction(&mut a, t2, 7_500, &minutes_ago(150)).await;
    let active = start_transaction(&mut a, 2, "TAG-1", &minutes_ago(60)).await;
    let elsewhere = start_transaction(&mut b, 1, "TAG-1", &minutes_ago(100)).await;
    stop_transaction(&mut b, elsewhere, 2_000, &minutes_ago(50)).await;

    let browser = Browser::open(&server).await;
    browser.login("admin", ADMIN_PASSWORD).await;
    browser.goto("/transactions").await;
    for t in [t1, t2, active, elsewhere] {
        browser
            .wait_present(&format!(r#"tr[data-transaction="{t}"]"#))
            .await;
    }
    browser.fill("#filter-charger", "CP-CSV-A").await;
    browser
        .find("#filter-state")
        .await
        .select_by_value("completed")
        .await
        .expect("select completed");
    browser.click("#filter-apply").await;
    let expected: BTreeSet<i64> = [t1, t2].into();
    let shown = browser
        .wait_until(
            "only the filtered transactions are listed",
            "return Array.from(document.querySelectorAll('tr[data-transaction]'), \
             function (r) { return Number(r.dataset.transaction); });",
            vec![],
            |v| {
                serde_json::from_value::<BTreeSet<i64>>(v.clone())
                    .ok()
                    .as_ref()
                    == Some(&expected)
            },
        )
        .await;
    assert_eq!(shown.as_array().map(Vec::len), Some(2), "{shown}");
    let totals = browser.text("#totals").await.unwrap_or_default();
    assert!(totals.starts_with("2 transactions"), "{totals}");

    let href = browser
        .find("#export-csv")
        .await
        .attr("href")
        .await
        .expect("href")
        .expect("the export link has an href");
    assert!(
        href.starts_with("/transactions.csv?")
            && href.contains("charger=CP-CSV-A")
            && href.contains("state=completed"),
        "{href}"
    );
    let csv = browser.fetch("GET", &href, None).await;
    assert_eq!(csv["status"], 200, "{csv}");
    assert!(
        csv["type"]
            .as_str()
            .unwrap_or_default()
            .starts_with("text/csv"),
        "{csv}"
    );
    assert!(
        csv["disposition"]
            .as_str()
            .unwrap_or_default()
            .contains("attachment"),
        "{csv}"
    );
    let text = csv["text"].as_str().expect("CSV text");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    assert_eq!(&header[..2], ["id", "chargePointId"], "{text}");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let ids: BTreeSet<i64> = rows
        .iter()
        .map(|r| {
            r[0].parse()
                .unwrap_or_else(|e| panic!("id {:?}: {e}", r[0]))
        })
        .collect();
    assert_eq!(ids, expected, "{text}");
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows.iter().all(|r| r[1] == "CP-CSV-A"), "{text}");

    // The same link works as a plain download with the browser's session cookie.
    let cookies = browser.client.get_all_cookies().await.expect("cookies");
    let cookie = cookies
        .iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect::<Vec<_>>()
        .join("; ");
    let download = reqwest::Client::new()
        .get(server.url(&href))
        .header("Cookie", cookie)
        .send()
        .await
        .expect("CSV download");
    assert_eq!(download.status(), 200);
    assert_eq!(download.text().await.expect("CSV body"), text);
}

#[tokio::test]
async fn a_viewer_sees_no_commands_and_cannot_post_them() {
    let server = TestServer::start("");
    let token = server.admin_token().await;
    let password = "viewer-password-1";
    let (status, body) = server
        .api(
            "POST",
            "/api/v1/users",
            Some(&token),
            Some(json!({"username": "watcher", "password": password, "role": "viewer"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let _cp = server.booted("CP-VIEW").await;

    let browser = Browser::open(&server).await;
    browser.login("watcher", password).await;
    browser.goto("/chargers").await;
    browser
        .wait_text(r#"[data-online="CP-VIEW"]"#, "online")
        .await;
    assert_eq!(browser.count("#bulk-send").await, 0);
    assert_eq!(browser.count(r#"input[name="ids"]"#).await, 0);

    browser.goto("/chargers/CP-VIEW").await;
    browser.wait_text("main h1", "Charger CP-VIEW").await;
    assert_eq!(browser.count(r#"form[id^="op-"]"#).await, 0);
    assert_eq!(browser.count("#refresh-configuration").await, 0);

    // With a valid CSRF token, so that only the role refuses.
    let csrf = browser
        .js("return document.body.dataset.csrf;", vec![])
        .await;
    let csrf = csrf.as_str().expect("a CSRF token");
    assert!(!csrf.is_empty());
    let reset = browser
        .fetch(
            "POST",
            "/chargers/CP-VIEW/operations/reset",
            Some(vec![("_csrf", csrf), ("type", "Soft")]),
        )
        .await;
    assert_eq!(reset["status"], 403, "{reset}");
    assert!(
        reset["text"]
            .as_str()
            .unwrap_or_default()
            .contains("viewer"),
        "refused for another reason: {reset}"
    );
    let bulk = browser
        .fetch(
            "POST",
            "/chargers/bulk",
            Some(vec![
                ("_csrf", csrf),
                ("ids", "CP-VIEW"),
                ("action", "configure"),
                ("key", "HeartbeatInterval"),
                ("value", "60"),
            ]),
        )
        .await;
    assert_eq!(bulk["status"], 403, "{bulk}");
    assert!(
        bulk["text"].as_str().unwrap_or_default().contains("viewer"),
        "refused for another reason: {bulk}"
    );
    // Nothing reached the charger: its log holds the boot only.
    let sent = server
        .messages("CP-VIEW")
        .await
        .into_iter()
        .filter(|m| m["direction"] == "out" && m["messageType"] == 2)
        .count();
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn what_a_charger_sends_is_shown_as_text() {
    let server = TestServer::start("");
    let model = "<script>window.pwned=1</script>";
    let vendor = "<img src=x onerror=\"window.pwned=2\">";
    let mut cp = Charger::connect(&server, "CP-XSS").await;
    let boot = cp
        .call(
            "BootNotification",
            json!({"chargePointVendor": vendor, "chargePointModel": model}),
        )
        .await;
    assert_eq!(boot[2]["status"], "Accepted", "{boot}");

    let browser = Browser::open(&server).await;
    browser.login("admin", ADMIN_PASSWORD).await;
    browser.goto("/chargers").await;
    let row = r#"tr[data-charger-row="CP-XSS"]"#;
    browser.wait_present(row).await;
    browser
        .wait_text(&format!("{row} td:nth-child(4)"), model)
        .await;
    assert_eq!(
        browser
            .text(&format!("{row} td:nth-child(3)"))
            .await
            .as_deref(),
        Some(vendor)
    );
    assert_eq!(browser.count("main script, main img").await, 0);
    let pwned = browser.js("return typeof window.pwned;", vec![]).await;
    assert_eq!(pwned, "undefined");

    browser.goto("/chargers/CP-XSS").await;
    browser.wait_text("main h1", "Charger CP-XSS").await;
    let facts = browser
        .js(
            "return Array.from(document.querySelectorAll('dl.facts dd'), \
             function (d) { return d.textContent.trim(); });",
            vec![],
        )
        .await;
    let facts: Vec<String> = serde_json::from_value(facts).expect("facts");
    assert!(facts.iter().any(|f| f == model), "{facts:?}");
    assert!(facts.iter().any(|f| f == vendor), "{facts:?}");
    assert_eq!(browser.count("main script, main img").await, 0);
    let pwned = browser.js("return typeof window.pwned;", vec![]).await;
    assert_eq!(pwned, "undefined");
}
