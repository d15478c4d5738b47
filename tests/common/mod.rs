//! Test support: the real `csms` binary on a free port with a temporary SQLite database, a
//! WebSocket charger speaking raw OCPP-J, and direct reads of the database.
#![allow(dead_code)]

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
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

/// A running `csms serve` child process. Killed when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    config_path: PathBuf,
}

impl TestServer {
    /// Starts a server; `extra` is TOML appended to the test config (sections allowed).
    pub fn start(extra: &str) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let config_path = dir.path().join("csms.toml");
        let config = format!(
            "[server]\nbind = \"127.0.0.1:0\"\nworkers = 1\n[database]\ndata_dir = {:?}\n{}\n",
            dir.path().join("data").display().to_string(),
            extra
        );
        std::fs::write(&config_path, merge_sections(&config)).expect("write config");
        let mut server = TestServer { addr: "127.0.0.1:0".parse().unwrap(), dir, child: None, config_path };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let port_file = self.dir.path().join("port");
        let _ = std::fs::remove_file(&port_file);
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
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("csms exited with {status} at start; log:\n{}", self.log());
            }
            assert!(Instant::now() < deadline, "csms did not start; log:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
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
        let Some(mut child) = self.child.take() else { return false };
        let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
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

    pub fn ws_url(&self, id: &str) -> String {
        format!("ws://{}/ocpp/{}", self.addr, id)
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("data").join("csms.db")
    }

    /// A connection to the server's database, for checking what was stored.
    pub fn db(&self) -> Db {
        Db::open(&self.db_path())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// A connected charger that has booted and been accepted.
    pub async fn booted(&self, id: &str) -> Charger {
        let mut cp = Charger::connect(self, id).await;
        let answer = cp.call("BootNotification", json!({"chargePointVendor": "TestVendor", "chargePointModel": "T1"})).await;
        assert_eq!(answer[2]["status"], "Accepted", "{answer}");
        cp
    }
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
        sections.entry(current.clone()).or_default().push(line.to_owned());
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
        Self::connect_with(server, id, Some("ocpp1.6"), None).await.expect("handshake")
    }

    /// Connects offering `protocol` and sending an `Authorization` header if given.
    pub async fn connect_with(
        server: &TestServer,
        id: &str,
        protocol: Option<&str>,
        authorization: Option<&str>,
    ) -> Result<Charger, tokio_tungstenite::tungstenite::Error> {
        let (ws, _) = Self::handshake(&server.ws_url(id), protocol, authorization).await?;
        Ok(Charger { id: id.to_owned(), ws, next: 0, inbox: Vec::new() })
    }

    /// The raw handshake, giving the response (to check headers).
    pub async fn handshake(
        url: &str,
        protocol: Option<&str>,
        authorization: Option<&str>,
    ) -> Result<(Ws, tokio_tungstenite::tungstenite::handshake::client::Response), tokio_tungstenite::tungstenite::Error>
    {
        let mut request = url.into_client_request()?;
        if let Some(p) = protocol {
            request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_str(p).unwrap());
        }
        if let Some(a) = authorization {
            request.headers_mut().insert("Authorization", HeaderValue::from_str(a).unwrap());
        }
        tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(request)).await.expect("handshake timed out")
    }

    /// Sends a CALL and returns the answer frame (CALLRESULT or CALLERROR) with its id.
    pub async fn call(&mut self, action: &str, payload: Value) -> Value {
        self.next += 1;
        let id = format!("t{}", self.next);
        self.send_text(&json!([2, id, action, payload]).to_string()).await;
        self.answer_to(&id).await
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
            let next = tokio::time::timeout(PATIENCE, self.ws.next()).await.expect("no frame in time");
            match next {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(&text).unwrap_or_else(|e| panic!("server sent bad JSON {text}: {e}"))
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("expected a frame, got {other:?}"),
            }
        }
    }

    /// Waits for the server to close the connection; returns the close code and reason.
    pub async fn closed(&mut self) -> Option<(u16, String)> {
        loop {
            match tokio::time::timeout(PATIENCE, self.ws.next()).await.expect("not closed in time") {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| (u16::from(f.code), f.reason.to_string())),
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

    pub async fn reply(&mut self, call_id: &Value, payload: Value) {
        self.send_text(&json!([3, call_id, payload]).to_string()).await;
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// Direct reads of the server's SQLite database.
pub struct Db(SqliteConnection);

#[derive(QueryableByName)]
struct Int {
    #[diesel(sql_type = BigInt)]
    v: i64,
}

#[derive(QueryableByName)]
struct Str {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

impl Db {
    pub fn open(path: &Path) -> Db {
        let mut c = SqliteConnection::establish(&path.display().to_string()).expect("open db");
        diesel::sql_query("PRAGMA busy_timeout = 5000").execute(&mut c).expect("pragma");
        Db(c)
    }

    /// The first column of the first row, as an integer (`SELECT count(*) …`).
    pub fn int(&mut self, sql: &str) -> i64 {
        diesel::sql_query(format!("SELECT ({sql}) AS v")).get_result::<Int>(&mut self.0).unwrap_or_else(|e| panic!("{sql}: {e}")).v
    }

    /// The first column of the first row, as text (NULL -> None).
    pub fn text(&mut self, sql: &str) -> Option<String> {
        diesel::sql_query(format!("SELECT ({sql}) AS v"))
            .get_result::<Str>(&mut self.0)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .v
    }

    /// Polls until `sql` gives `expected` (for effects written after the answer, like the
    /// message log or the offline flag).
    pub async fn wait_int(&mut self, sql: &str, expected: i64) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let got = self.int(sql);
            if got == expected {
                return;
            }
            assert!(Instant::now() < deadline, "{sql}: got {got}, expected {expected}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}
