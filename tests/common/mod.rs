//! Test support: the real `csms` binary on a free port with a temporary database (SQLite, or
//! with `CSMS_TEST_BACKEND=postgres` a throwaway PostgreSQL database on the server that
//! `CSMS_TEST_POSTGRES_URL` names), a
//! WebSocket charger speaking raw OCPP-J, and what the server stored, read through its REST API
//! (or, where the API shows nothing or the server is down, through the server's own store).
#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for anything before failing (generous: CI machines are slow).
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The password of the `admin` user every test server starts with.
pub const ADMIN_PASSWORD: &str = "test-admin-password";

/// A running `csms serve` child process. Killed when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    config_path: PathBuf,
    /// The admin's login token, once asked for (a restart forgets it).
    admin_token: std::sync::Mutex<Option<String>>,
    /// The database URL the server uses.
    database_url: String,
    /// Dropped after the process (fields drop after `Drop::drop` kills it).
    _database: Option<csms::db::throwaway::ThrowawayDatabase>,
}

/// Whether this run tests the PostgreSQL backend (`CSMS_TEST_BACKEND=postgres`).
pub fn on_postgres() -> bool {
    csms::db::throwaway::testing_postgres()
}

impl TestServer {
    /// Starts a server; `extra` is TOML appended to the test config (sections allowed).
    pub fn start(extra: &str) -> TestServer {
        let database = csms::db::throwaway::for_test("test");
        let url = database.as_ref().map(|db| db.url.clone());
        TestServer::launch(url, database, extra)
    }

    /// Starts a server on the database at `database_url` (which the caller looks after).
    pub fn start_on(database_url: &str, extra: &str) -> TestServer {
        TestServer::launch(Some(database_url.to_owned()), None, extra)
    }

    /// `database_url` `None`: SQLite in the data directory.
    fn launch(
        database_url: Option<String>,
        database: Option<csms::db::throwaway::ThrowawayDatabase>,
        extra: &str,
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let config_path = dir.path().join("csms.toml");
        let data_dir = dir.path().join("data");
        let database_url = database_url
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("csms.db").display()));
        let config = format!(
            "[server]\nbind = \"127.0.0.1:0\"\nworkers = 1\n[database]\ndata_dir = {:?}\nurl = {:?}\n{}\n",
            data_dir.display().to_string(),
            database_url,
            extra
        );
        std::fs::write(&config_path, merge_sections(&config)).expect("write config");
        let mut server = TestServer {
            addr: "127.0.0.1:0".parse().unwrap(),
            dir,
            child: None,
            config_path,
            admin_token: Default::default(),
            database_url,
            _database: database,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let port_file = self.dir.path().join("port");
        let _ = std::fs::remove_file(&port_file);
        *self.admin_token.lock().expect("token lock") = None;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("server.log"))
            .expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_csms"))
            .args(["serve", "--config"])
            .arg(&self.config_path)
            .arg("--port-file")
            .arg(&port_file)
            .env("RUST_LOG", "csms=debug,info")
            .env("CSMS_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn csms");
        self.child = Some(child);
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                if let Ok(addr) = text.trim().parse() {
                    self.addr = addr;
                    return;
                }
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("csms exited with {status} at start; log:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "csms did not start; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's resident memory in KiB (`VmRSS` of `/proc/<pid>/status`).
    pub fn rss_kib(&self) -> u64 {
        let pid = self.child.as_ref().expect("server running").id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc status")
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends SIGTERM and waits for the process to exit; returns whether it exited cleanly.
    pub fn terminate(&mut self) -> bool {
        let Some(mut child) = self.child.take() else {
            return false;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return status.success();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the process again on the same data directory (a new port).
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// The server process's id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("server running").id()
    }

    /// The data directory the server uses.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `http://<addr><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A token for the built-in admin.
    pub async fn admin_token(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    /// Logs in and returns the token; panics if refused.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let answer: Value = reqwest::Client::new()
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .expect("login request")
            .json()
            .await
            .expect("login answer");
        answer["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login refused: {answer}"))
            .to_owned()
    }

    /// Sends an API request with a bearer credential; returns status and JSON body (Null if none).
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        credential: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = reqwest::Client::new().request(method, self.url(path));
        if let Some(c) = credential {
            request = request.bearer_auth(c);
        }
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.expect("API request");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub fn ws_url(&self, id: &str) -> String {
        format!("ws://{}/ocpp/{}", self.addr, id)
    }

    /// The OCPP endpoint without a charger id (`ws://addr/ocpp`).
    pub fn ocpp_endpoint(&self) -> String {
        format!("ws://{}/ocpp", self.addr)
    }

    /// The URL of the server's database.
    pub fn database_url(&self) -> String {
        self.database_url.clone()
    }

    /// A connection to the server's database through the server's own store, for facts the
    /// REST API does not show or while the server is down.
    pub fn store(&self) -> Store {
        Store::open(&self.database_url)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Polls the server log until `needle` occurs at least `count` times (for effects that
    /// leave no other trace, such as an actor having stopped).
    pub async fn wait_log(&self, needle: &str, count: usize) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let got = self.log().matches(needle).count();
            if got >= count {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "log has {needle:?} {got} times, expected {count}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// A connected charger that has booted and been accepted.
    pub async fn booted(&self, id: &str) -> Charger {
        let mut cp = Charger::connect(self, id).await;
        let answer = cp
            .call(
                "BootNotification",
                json!({"chargePointVendor": "TestVendor", "chargePointModel": "T1"}),
            )
            .await;
        assert_eq!(answer[2]["status"], "Accepted", "{answer}");
        cp
    }
}

/// What the server stored, read through its REST API as the admin.
impl TestServer {
    /// The admin's token, logging in once.
    async fn cached_admin_token(&self) -> String {
        if let Some(token) = self.admin_token.lock().expect("token lock").clone() {
            return token;
        }
        let token = self.admin_token().await;
        *self.admin_token.lock().expect("token lock") = Some(token.clone());
        token
    }

    /// `GET path` as the admin; panics unless answered 200.
    pub async fn get(&self, path: &str) -> Value {
        let token = self.cached_admin_token().await;
        let (status, body) = self.api("GET", path, Some(&token), None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// `GET path` as the admin until `wanted` holds for the answer (for effects written after
    /// the charger's answer, such as the message log or the offline flag); gives that answer.
    pub async fn get_until(&self, path: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let body = self.get(path).await;
            if wanted(&body) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "GET {path}: not as expected within {PATIENCE:?}; last answer: {body}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The rows of a list endpoint (`items` of its page; asks for the largest page, and fails if
    /// there are more rows than that).
    pub async fn items(&self, path: &str) -> Vec<Value> {
        self.wait_items(path, |_| true).await
    }

    /// A charger as `GET /api/v1/chargers/{id}` shows it.
    pub async fn charger(&self, id: &str) -> Value {
        self.get(&format!("/api/v1/chargers/{}", url_escape(id)))
            .await
    }

    /// Whether `GET /api/v1/chargers/{id}` finds the charger.
    pub async fn charger_known(&self, id: &str) -> bool {
        let token = self.cached_admin_token().await;
        let path = format!("/api/v1/chargers/{}", url_escape(id));
        match self.api("GET", &path, Some(&token), None).await {
            (200, _) => true,
            (404, _) => false,
            (status, body) => panic!("GET {path}: {status} {body}"),
        }
    }

    /// Waits until `GET /api/v1/chargers/{id}` satisfies `wanted`; gives that answer.
    pub async fn wait_charger(&self, id: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let path = format!("/api/v1/chargers/{}", url_escape(id));
        self.get_until(&path, wanted).await
    }

    /// Waits until the charger's `online` flag is `online`.
    pub async fn wait_online(&self, id: &str, online: bool) -> Value {
        self.wait_charger(id, |c| c["online"] == online).await
    }

    /// The charger's connectors as last reported (empty if it reported none).
    pub async fn connectors(&self, id: &str) -> Vec<Value> {
        self.charger(id).await["connectors"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The status of one connector, if it reported one.
    pub async fn connector_status(&self, id: &str, connector_id: i64) -> Option<String> {
        self.connectors(id)
            .await
            .iter()
            .find(|c| c["connectorId"] == connector_id)
            .map(|c| c["status"].as_str().expect("status").to_owned())
    }

    /// One transaction.
    pub async fn transaction(&self, id: i64) -> Value {
        self.get(&format!("/api/v1/transactions/{id}")).await
    }

    /// A charger's transactions, oldest first.
    pub async fn transactions_of(&self, id: &str) -> Vec<Value> {
        self.items(&format!(
            "/api/v1/transactions?chargePointId={}&sort=id",
            url_escape(id)
        ))
        .await
    }

    /// All transactions, oldest first.
    pub async fn transactions(&self) -> Vec<Value> {
        self.items("/api/v1/transactions?sort=id").await
    }

    /// A transaction's meter values, oldest first (as stored, in the order received).
    pub async fn meter_values(&self, transaction_id: i64) -> Vec<Value> {
        self.items(&format!(
            "/api/v1/transactions/{transaction_id}/meter-values"
        ))
        .await
    }

    /// A charger's anomalies, oldest first.
    pub async fn anomalies(&self, id: &str) -> Vec<Value> {
        let mut items = self
            .items(&format!("/api/v1/chargers/{}/anomalies", url_escape(id)))
            .await;
        items.sort_by_key(|a| a["id"].as_i64());
        items
    }

    /// The anomalies of every charger the server knows.
    pub async fn all_anomalies(&self) -> Vec<Value> {
        let mut all = Vec::new();
        for charger in self.items("/api/v1/chargers").await {
            let id = charger["id"].as_str().expect("charger id");
            all.extend(self.anomalies(id).await);
        }
        all
    }

    /// A charger's status history, oldest first.
    pub async fn status_history(&self, id: &str) -> Vec<Value> {
        let mut items = self
            .items(&format!(
                "/api/v1/chargers/{}/status-history",
                url_escape(id)
            ))
            .await;
        items.sort_by_key(|s| s["id"].as_i64());
        items
    }

    /// A charger's message log, oldest first.
    pub async fn messages(&self, id: &str) -> Vec<Value> {
        let mut items = self
            .items(&format!("/api/v1/chargers/{}/messages", url_escape(id)))
            .await;
        items.sort_by_key(|m| m["id"].as_i64());
        items
    }

    /// Waits until the rows of a list endpoint satisfy `wanted` (asking for the largest page, and
    /// failing if there are more rows than that); gives them.
    pub async fn wait_items(&self, path: &str, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let path = format!("{path}{separator}limit=1000");
        let rows = |page: &Value| {
            let items = page["items"]
                .as_array()
                .unwrap_or_else(|| panic!("GET {path}: no items in {page}"))
                .clone();
            assert_eq!(
                page["total"].as_u64(),
                Some(items.len() as u64),
                "GET {path}: more rows than one page"
            );
            items
        };
        let page = self.get_until(&path, |page| wanted(&rows(page))).await;
        rows(&page)
    }

    /// Waits until the charger's message log (oldest first) satisfies `wanted`; gives it.
    pub async fn wait_messages(&self, id: &str, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let oldest_first = |items: &[Value]| {
            let mut items = items.to_vec();
            items.sort_by_key(|m| m["id"].as_i64());
            items
        };
        let path = format!("/api/v1/chargers/{}/messages", url_escape(id));
        let items = self
            .wait_items(&path, |items| wanted(&oldest_first(items)))
            .await;
        oldest_first(&items)
    }

    /// Waits until the audit log rows matching `filter` (query parameters such as
    /// `target=CP-1`) satisfy `wanted`; gives them.
    pub async fn wait_audit(&self, filter: &str, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        self.wait_items(&format!("/api/v1/audit?{filter}"), wanted)
            .await
    }

    /// Pre-registers a charger as an admin would (`POST /api/v1/chargers` with `body`).
    pub async fn register_charger(&self, body: Value) {
        let token = self.cached_admin_token().await;
        let (status, answer) = self
            .api("POST", "/api/v1/chargers", Some(&token), Some(body.clone()))
            .await;
        assert_eq!(status, 201, "POST /api/v1/chargers {body}: {answer}");
    }

    /// Adds an id tag through `POST /api/v1/id-tags` (`tag` is its body); panics unless created.
    pub async fn create_id_tag(&self, tag: Value) {
        let token = self.cached_admin_token().await;
        let (status, body) = self
            .api("POST", "/api/v1/id-tags", Some(&token), Some(tag.clone()))
            .await;
        assert_eq!(status, 201, "POST /api/v1/id-tags {tag}: {body}");
    }

    /// Adds an id tag with `status` (Accepted, Blocked, Expired, Invalid), no expiry, no parent.
    pub async fn add_id_tag(&self, id_tag: &str, status: &str) {
        self.create_id_tag(json!({"idTag": id_tag, "status": status}))
            .await;
    }
}

/// `text` percent-encoded for one segment of a URL path or a query value.
pub fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("---- csms log ----\n{}", self.log());
        }
    }
}

/// Merges repeated `[section]` headers so tests can add keys to sections the base config has.
fn merge_sections(toml_text: &str) -> String {
    let mut order: Vec<String> = Vec::new();
    let mut sections: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut current = String::new();
    for line in toml_text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            current = trimmed.to_owned();
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        if !sections.contains_key(&current) {
            order.push(current.clone());
        }
        sections
            .entry(current.clone())
            .or_default()
            .push(line.to_owned());
    }
    let mut out = String::new();
    for name in order {
        if !name.is_empty() {
            out.push_str(&name);
            out.push('\n');
        }
        for line in &sections[&name] {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A charger speaking raw OCPP-J over a real WebSocket.
pub struct Charger {
    pub id: String,
    ws: Ws,
    next: u64,
    /// Frames received while waiting for something else (e.g. CALLs from the server).
    pub inbox: Vec<Value>,
}

impl Charger {
    pub async fn connect(server: &TestServer, id: &str) -> Charger {
        Self::connect_with(server, id, Some("ocpp1.6"), None)
            .await
            .expect("handshake")
    }

    /// Connects offering `protocol` and sending an `Authorization` header if given.
    pub async fn connect_with(
        server: &TestServer,
        id: &str,
        protocol: Option<&str>,
        authorization: Option<&str>,
    ) -> Result<Charger, tokio_tungstenite::tungstenite::Error> {
        let (ws, _) = Self::handshake(&server.ws_url(id), protocol, authorization).await?;
        Ok(Charger {
            id: id.to_owned(),
            ws,
            next: 0,
            inbox: Vec::new(),
        })
    }

    /// The raw handshake, giving the response (to check headers).
    pub async fn handshake(
        url: &str,
        protocol: Option<&str>,
        authorization: Option<&str>,
    ) -> Result<
        (
            Ws,
            tokio_tungstenite::tungstenite::handshake::client::Response,
        ),
        tokio_tungstenite::tungstenite::Error,
    > {
        let mut request = url.into_client_request()?;
        if let Some(p) = protocol {
            request
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_str(p).unwrap());
        }
        if let Some(a) = authorization {
            request
                .headers_mut()
                .insert("Authorization", HeaderValue::from_str(a).unwrap());
        }
        tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(request))
            .await
            .expect("handshake timed out")
    }

    /// Handshake over a plain TCP stream, for responses tungstenite's client would refuse
    /// (e.g. a 101 without the offered subprotocol). Returns the response head (status line
    /// and headers) and, if the status is 101, the connection.
    pub async fn connect_raw(
        server: &TestServer,
        id: &str,
        protocol: Option<&str>,
    ) -> (String, Option<Charger>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut tcp = TcpStream::connect(server.addr).await.expect("tcp connect");
        let mut request = format!(
            "GET /ocpp/{id} HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
            server.addr
        );
        if let Some(p) = protocol {
            request.push_str(&format!("Sec-WebSocket-Protocol: {p}\r\n"));
        }
        request.push_str("\r\n");
        tcp.write_all(request.as_bytes())
            .await
            .expect("send handshake");
        // Byte by byte: whatever follows the head belongs to the WebSocket stream.
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let byte = tokio::time::timeout(PATIENCE, tcp.read_u8())
                .await
                .expect("no handshake response in time");
            head.push(byte.expect("handshake response"));
        }
        let head = String::from_utf8(head).expect("response head is text");
        if !head.starts_with("HTTP/1.1 101") {
            return (head, None);
        }
        use tokio_tungstenite::tungstenite::protocol::Role;
        let ws =
            WebSocketStream::from_raw_socket(MaybeTlsStream::Plain(tcp), Role::Client, None).await;
        (
            head,
            Some(Charger {
                id: id.to_owned(),
                ws,
                next: 0,
                inbox: Vec::new(),
            }),
        )
    }

    /// Sends a CALL and returns the answer frame (CALLRESULT or CALLERROR) with its id.
    pub async fn call(&mut self, action: &str, payload: Value) -> Value {
        let id = self.send_call(action, payload).await;
        self.answer_to(&id).await
    }

    /// Sends a CALL without waiting for its answer; returns its message id.
    pub async fn send_call(&mut self, action: &str, payload: Value) -> String {
        self.next += 1;
        let id = format!("t{}", self.next);
        self.send_text(&json!([2, id, action, payload]).to_string())
            .await;
        id
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("send");
    }

    /// Waits for the answer to message `id`, keeping other frames in the inbox.
    pub async fn answer_to(&mut self, id: &str) -> Value {
        loop {
            let frame = self.recv().await;
            if frame[1] == id && (frame[0] == 3 || frame[0] == 4) {
                return frame;
            }
            self.inbox.push(frame);
        }
    }

    /// The next OCPP frame (JSON), skipping pings.
    pub async fn recv(&mut self) -> Value {
        loop {
            let next = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("no frame in time");
            match next {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("server sent bad JSON {text}: {e}"))
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("expected a frame, got {other:?}"),
            }
        }
    }

    /// Waits for the server to close the connection; returns the close code and reason.
    pub async fn closed(&mut self) -> Option<(u16, String)> {
        loop {
            match tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("not closed in time")
            {
                Some(Ok(Message::Close(frame))) => {
                    return frame.map(|f| (u16::from(f.code), f.reason.to_string()))
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Waits for a CALL from the server (looking in the inbox first).
    pub async fn next_call(&mut self) -> Value {
        if let Some(pos) = self.inbox.iter().position(|f| f[0] == 2) {
            return self.inbox.remove(pos);
        }
        loop {
            let frame = self.recv().await;
            if frame[0] == 2 {
                return frame;
            }
            self.inbox.push(frame);
        }
    }

    /// Like [`Charger::call`], but `None` when the connection breaks before the answer (the
    /// server was killed). Gives the answer frame as soon as it arrives.
    pub async fn try_call(&mut self, action: &str, payload: Value) -> Option<Value> {
        self.next += 1;
        let id = format!("t{}", self.next);
        let text = json!([2, id, action, payload]).to_string();
        self.ws.send(Message::text(text)).await.ok()?;
        loop {
            let next = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("no answer in time");
            match next {
                Some(Ok(Message::Text(text))) => {
                    let frame: Value = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("server sent bad JSON {text}: {e}"));
                    if frame[1] == id && (frame[0] == 3 || frame[0] == 4) {
                        return Some(frame);
                    }
                    self.inbox.push(frame);
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                Some(Ok(Message::Binary(_))) => panic!("server sent a binary frame"),
                Some(Ok(Message::Close(_)) | Err(_)) | None => return None,
            }
        }
    }

    pub async fn reply(&mut self, call_id: &Value, payload: Value) {
        self.send_text(&json!([3, call_id, payload]).to_string())
            .await;
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }

    /// Sends a CALL and a Close frame in one write, then waits for the server's close: the
    /// connection ends before any answer can leave.
    pub async fn call_and_hang_up(mut self, action: &str, payload: Value) {
        self.next += 1;
        let frame = json!([2, format!("t{}", self.next), action, payload]).to_string();
        self.ws.feed(Message::text(frame)).await.expect("queue");
        let _ = self.ws.close(None).await;
        let _ = self.closed().await;
    }

    /// Closes from our side and waits for the server's close reply, so the server has seen it.
    pub async fn close_and_wait(mut self) {
        let _ = self.ws.close(None).await;
        let _ = self.closed().await;
    }
}

/// The HTTP status of a refused handshake (`None` if it failed some other way).
pub fn refused_status(error: &tokio_tungstenite::tungstenite::Error) -> Option<u16> {
    match error {
        tokio_tungstenite::tungstenite::Error::Http(response) => Some(response.status().as_u16()),
        _ => None,
    }
}

/// A value of header `name` in a raw HTTP response head (case-insensitive name).
pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// An `Authorization: Basic …` header value.
pub fn basic_auth(user: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// The server's database opened with the server's own store (never migrating: the server
/// owns the schema).
pub struct Store(csms::db::Pool);

impl Store {
    pub fn open(url: &str) -> Store {
        let config = csms::config::DatabaseConfig {
            url: url.to_owned(),
            pool_size: 2,
            ..Default::default()
        };
        let (pool, _) = csms::db::open_with(&config, csms::db::Schema::MustBeCurrent)
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        Store(pool)
    }

    /// Runs one of the store's reads on a pooled connection; panics if it fails.
    pub fn read<T>(
        &self,
        query: impl FnOnce(&mut csms::db::DbConn) -> csms::db::QueryResult<T>,
    ) -> T {
        let mut conn = self.0.get().expect("a database connection");
        query(&mut conn).expect("a store read")
    }

    /// A charger's stored row and its connectors (by connector id), for while the server is
    /// down.
    pub fn charger(
        &self,
        id: &str,
    ) -> Option<(
        csms::db::chargers::ChargePoint,
        Vec<csms::db::connectors::Connector>,
    )> {
        self.read(|c| csms::db::chargers::find(c, id))
            .map(|found| (found.charge_point, found.connectors))
    }
}

/// The Python interpreter with the `ocpp` package (the reference client and the official JSON
/// schemas): `CSMS_TEST_PYTHON`, else the venv `tests/run` creates. Fails (never skips) when
/// there is none.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CSMS_TEST_PYTHON") {
        let p = PathBuf::from(p);
        assert!(p.exists(), "CSMS_TEST_PYTHON={} does not exist; run tests/run, which creates the Python environment", p.display());
        return p;
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ocpp-venv/bin/python");
    assert!(
        venv.exists(),
        "no Python environment with the `ocpp` package at {}: run tests/run (it creates one), \
         or point CSMS_TEST_PYTHON at a python that has `ocpp`, `jsonschema` and `websockets`",
        venv.display()
    );
    venv
}

/// A script in `tests/python/`.
pub fn python_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(name)
}

/// What a child process did: exit status and everything it printed.
pub struct Finished {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `command` to completion, killing it (and failing the test) after `timeout`. Its output
/// is read on threads, so a chatty child cannot block on a full pipe.
pub fn run_with_timeout(command: &mut Command, timeout: Duration) -> Finished {
    use std::io::Read;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {command:?}: {e}"));
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + timeout;
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait().expect("wait for child") {
            break (status, false);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break (child.wait().expect("wait for killed child"), true);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let finished = Finished {
        status,
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    };
    assert!(
        !timed_out,
        "{command:?} did not finish within {timeout:?}; killed.\n--- stdout ---\n{}\n--- stderr ---\n{}",
        finished.stdout, finished.stderr
    );
    finished
}
