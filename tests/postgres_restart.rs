//! The server on PostgreSQL survives a restart of the database in the middle of traffic: writes
//! wait (nothing is confirmed meanwhile), `/ready` says the database is unreachable, and once it
//! is back the waiting writes are committed and answered, with nothing confirmed missing.
//!
//! The test runs its own PostgreSQL cluster (initdb in a temporary directory, on a free port),
//! so stopping it disturbs no other test.

mod common;

use common::{Charger, TestServer, PATIENCE};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A PostgreSQL cluster of its own: initialised in a temporary directory, stopped and started
/// at will, removed when dropped.
struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    server: Option<Child>,
}

impl PrivatePostgres {
    fn start() -> PrivatePostgres {
        let dir = tempfile::tempdir().expect("tempdir");
        let bin = postgres_bin();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut pg = PrivatePostgres {
            dir,
            bin,
            port,
            server: None,
        };
        if is_root() {
            // PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
            let status = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(pg.dir.path())
                .status()
                .expect("chown");
            assert!(status.success());
        }
        let data = pg.data().display().to_string();
        let init = pg
            .command("initdb")
            .args(["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8"])
            .stdout(Stdio::null())
            .output()
            .expect("run initdb");
        assert!(
            init.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        pg.run();
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `program` of the PostgreSQL installation, as the postgres user when we are root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// Starts the server and waits until it accepts connections.
    fn run(&mut self) {
        let data = self.data().display().to_string();
        let socket_dir = self.dir.path().display().to_string();
        let log = std::fs::File::create(self.dir.path().join("postgres.log")).expect("log");
        let child = self
            .command("postgres")
            .args(["-D", &data, "-k", &socket_dir, "-p", &self.port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start postgres");
        self.server = Some(child);
        let deadline = Instant::now() + PATIENCE;
        loop {
            let ready = self
                .command("pg_isready")
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return;
            }
            assert!(Instant::now() < deadline, "postgres did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server the way a service stop does (SIGINT: fast shutdown, sessions ended).
    fn stop(&mut self) {
        let Some(mut child) = self.server.take() else {
            return;
        };
        // The postmaster may run under runuser: signal the real postgres process.
        let pid = std::fs::read_to_string(self.data().join("postmaster.pid"))
            .ok()
            .and_then(|t| t.lines().next().map(str::to_owned))
            .unwrap_or_else(|| child.id().to_string());
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        let _ = child.wait();
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The directory holding `initdb` and `postgres`: `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian).
fn postgres_bin() -> PathBuf {
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.join("initdb").exists());
    from_pg_config
        .or_else(|| {
            let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
                .ok()?
                .flatten()
                .map(|e| e.path().join("bin"))
                .filter(|p| p.join("initdb").exists())
                .collect();
            versions.sort();
            versions.pop()
        })
        .expect("a PostgreSQL server installation (initdb): install Debian's postgresql")
}

/// The current time as OCPP writes it.
fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn meter_values(tx: i64, wh: i64) -> Value {
    json!({"connectorId": 1, "transactionId": tx, "meterValue": [{
        "timestamp": now(),
        "sampledValue": [{"value": wh.to_string(), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]})
}

async fn confirmed(cp: &mut Charger, action: &str, payload: Value) -> Value {
    let answer = cp.call(action, payload).await;
    assert_eq!(answer[0], 3, "{action} not confirmed: {answer}");
    answer[2].clone()
}

async fn ready(server: &TestServer) -> (u16, String) {
    let response = reqwest::get(server.url("/ready"))
        .await
        .expect("GET /ready");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn writes_wait_out_a_postgres_restart_and_nothing_confirmed_is_lost() {
    let mut pg = PrivatePostgres::start();
    let server = TestServer::start_on(&pg.url(), "");
    server.add_id_tag("TAG-R", "Accepted").await;
    let mut cp = server.booted("CP-R").await;
    let start = confirmed(
        &mut cp,
        "StartTransaction",
        json!({"connectorId": 1, "idTag": "TAG-R", "meterStart": 0,
               "timestamp": now()}),
    )
    .await;
    let tx = start["transactionId"].as_i64().expect("transaction id");
    let mut wh = 0;
    let mut confirmed_readings = 0;
    for _ in 0..5 {
        wh += 100;
        confirmed(&mut cp, "MeterValues", meter_values(tx, wh)).await;
        confirmed_readings += 1;
    }

    let pg = tokio::task::spawn_blocking(move || {
        pg.stop();
        pg
    })
    .await
    .expect("stop postgres");
    let mut pg = pg;

    // While the database is down, a write is not confirmed, and readiness says why.
    wh += 100;
    let waiting = cp.send_call("MeterValues", meter_values(tx, wh)).await;
    let early = tokio::time::timeout(Duration::from_secs(2), cp.answer_to(&waiting)).await;
    assert!(
        early.is_err(),
        "answered while the database was down: {early:?}"
    );
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (status, body) = ready(&server).await;
        if status == 503 && body.contains("unreachable") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "/ready kept saying {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    pg = tokio::task::spawn_blocking(move || {
        pg.run();
        pg
    })
    .await
    .expect("start postgres");

    // The write that waited is committed and answered; traffic goes on.
    let answer = cp.answer_to(&waiting).await;
    assert_eq!(answer[0], 3, "{answer}");
    confirmed_readings += 1;
    for _ in 0..3 {
        wh += 100;
        confirmed(&mut cp, "MeterValues", meter_values(tx, wh)).await;
        confirmed_readings += 1;
    }
    confirmed(
        &mut cp,
        "StopTransaction",
        json!({"transactionId": tx, "meterStop": wh, "reason": "Local",
               "timestamp": now()}),
    )
    .await;
    let (status, body) = ready(&server).await;
    assert_eq!(status, 200, "{body}");

    let readings = server.meter_values(tx).await;
    assert_eq!(readings.len(), confirmed_readings, "{readings:?}");
    let stored = server.transaction(tx).await;
    assert_eq!(stored["meterStop"], wh, "{stored}");
    assert!(
        server.log().contains("database unreachable"),
        "{}",
        server.log()
    );
    drop(server);
    drop(pg);
}
