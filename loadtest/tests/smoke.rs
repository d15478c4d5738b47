//! Smoke runs against the real csms binary: correctness only, never speed.
//!
//! The server is `target/<profile>/csms` of this workspace, found next to this test's
//! directory. `tests/run` (`cargo test --workspace`) builds it before running the tests; with
//! `cargo test -p loadtest` alone, build it first: `cargo build -p csms`.

use csms::db::throwaway::ThrowawayDatabase;
use loadtest::harness::check;
use loadtest::metrics::Metrics;
use loadtest::server::{locate_csms, CsmsProcess};
use loadtest::sim::fleet::{ChargerHandle, Fleet, Spec};
use loadtest::sim::user::UserOp;
use serde_json::Value;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(30);

/// A server on the backend this run tests; the database goes with the second value.
fn server(dir: &tempfile::TempDir) -> (CsmsProcess, Option<ThrowawayDatabase>) {
    let binary = locate_csms().unwrap_or_else(|e| panic!("{e}"));
    let database = csms::db::throwaway::for_test("smoke");
    let mut env = vec![("CSMS_SERVER__WORKERS", "1"), ("CSMS_LOG__LEVEL", "warn")];
    if let Some(db) = &database {
        env.push(("CSMS_DATABASE__URL", db.url.as_str()));
    }
    let server = CsmsProcess::start(&binary, "127.0.0.1:0", &dir.path().join("data"), &env)
        .unwrap_or_else(|e| panic!("{e}"));
    (server, database)
}

/// Runs `loadtest run` with `args`; returns its JSON report.
fn load_run(server: &CsmsProcess, dir: &tempfile::TempDir, name: &str, args: &[&str]) -> Value {
    let json = dir.path().join(format!("{name}.json"));
    let output = Command::new(env!("CARGO_BIN_EXE_loadtest"))
        .arg("run")
        .args(["--url", &server.ocpp_url()])
        .arg("--check-db")
        .arg(server.database())
        .arg("--json")
        .arg(&json)
        .args(args)
        .output()
        .expect("run loadtest");
    let text = std::fs::read_to_string(&json).unwrap_or_else(|e| {
        panic!(
            "{name}: no report ({e}); stdout:\n{}\nstderr:\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            server.log_text()
        )
    });
    let report: Value = serde_json::from_str(&text).expect("JSON report");
    assert!(
        output.status.success(),
        "{name} failed: {report}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    report
}

/// Nothing confirmed was lost, no connection failed, no CALLERROR came back.
fn assert_clean(name: &str, report: &Value) {
    assert_eq!(report["failed_connections"], 0, "{name}: {report}");
    assert_eq!(report["check"]["lost"], 0, "{name}: {report}");
    assert_eq!(
        report["call_errors"],
        serde_json::json!({}),
        "{name}: {report}"
    );
    assert_eq!(report["undelivered"], 0, "{name}: {report}");
}

#[test]
fn burst_and_fleet_runs_lose_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, _database) = server(&dir);

    let burst = load_run(
        &server,
        &dir,
        "burst",
        &[
            "--scenario",
            "burst",
            "--chargers",
            "200",
            "--duration",
            "3",
        ],
    );
    assert_clean("burst", &burst);
    assert_eq!(burst["confirmed"]["starts"], 200, "{burst}");
    assert_eq!(burst["confirmed"]["stops"], 200, "{burst}");
    assert_eq!(
        burst["check"]["meter_values"],
        burst["confirmed"]["meter_values"]
    );

    let fleet = load_run(
        &server,
        &dir,
        "fleet",
        &[
            "--scenario",
            "fleet",
            "--chargers",
            "200",
            "--duration",
            "4",
            "--charging",
            "0.5",
            "--session-secs",
            "2",
            "--meter-secs",
            "1",
            "--heartbeat-secs",
            "2",
        ],
    );
    assert_clean("fleet", &fleet);
    let starts = fleet["confirmed"]["starts"].as_u64().unwrap_or(0);
    assert!(starts >= 50, "about 100 chargers charge: {fleet}");
    assert_eq!(fleet["confirmed"]["stops"], starts, "{fleet}");
    assert!(
        fleet["confirmed"]["meter_values"].as_u64().unwrap_or(0) > starts,
        "{fleet}"
    );
}

/// Polls a charger's view until `ok` holds.
async fn wait_for(
    c: &ChargerHandle,
    what: &str,
    ok: impl Fn(&loadtest::sim::charger::ChargerView) -> bool,
) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let view = c.view().await.expect("charger running");
        if ok(&view) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{}: {what} never happened: {view:#?}",
            c.id
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_chargers_run_sessions_end_to_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, _database) = server(&dir);
    let tags: Vec<String> = (1..=5).map(|n| format!("E2E-TAG-{n}")).collect();
    check::seed_id_tags(&server.database(), &tags).expect("seed tags");
    let spec = Spec {
        url: server.ocpp_url(),
        prefix: "E2E".into(),
        count: 5,
        source_ips: Vec::new(),
        ramp: 0,
        verbose: false,
        log_events: true,
        heartbeat_override: None,
        config: vec![("MeterValueSampleInterval".into(), "1".into())],
        plan: None,
        with_drivers: 0,
        crashes: None,
    };
    let fleet = Fleet::start(spec, Arc::new(Metrics::default())).await;
    assert_eq!(
        fleet.settled(PATIENCE).await,
        5,
        "all five boot and are accepted"
    );

    for (c, tag) in fleet.chargers.iter().zip(&tags) {
        c.user(UserOp::Plug(1)).await.expect("plug");
        c.user(UserOp::Start(1, tag.clone())).await.expect("start");
    }
    for c in &fleet.chargers {
        wait_for(c, "charging with a server transaction id", |v| {
            v.connectors[0].status == "Charging"
                && v.connectors[0].transaction_id.is_some_and(|t| t > 0)
        })
        .await;
    }
    // The first charger loses its connection mid-session, stops offline, and comes back.
    let first = &fleet.chargers[0];
    first.user(UserOp::Offline).await.expect("offline");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    first.user(UserOp::Stop(1)).await.expect("stop offline");
    let queued = first
        .view()
        .await
        .expect("view")
        .queued_transaction_messages;
    assert!(
        queued >= 2,
        "meter values and the stop are queued offline: {queued}"
    );
    first.user(UserOp::Online).await.expect("online");
    for c in &fleet.chargers[1..] {
        c.user(UserOp::Stop(1)).await.expect("stop");
    }
    for c in &fleet.chargers {
        c.user(UserOp::Unplug(1)).await.expect("unplug");
        wait_for(c, "everything delivered", |v| {
            v.online && v.queued_transaction_messages == 0 && v.connectors[0].status == "Available"
        })
        .await;
    }
    let metrics = fleet.metrics.clone();
    assert_eq!(fleet.shutdown(Duration::from_secs(5)).await, 0);
    assert_eq!(metrics.call_errors(), Default::default());

    let found = check::count(&server.database(), "E2E").expect("data check");
    assert_eq!(found.starts_found, 5);
    assert_eq!(found.stops_found, 5);
    assert!(
        found.meter_rows_found >= Metrics::get(&metrics.meter_rows_confirmed),
        "{found:?}"
    );
    assert!(
        found.meter_rows_found > 5 * 4,
        "meter values with several measurands: {found:?}"
    );
}
