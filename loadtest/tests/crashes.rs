//! Chargers that crash mid-session, against the real csms binary: at the end the server must
//! hold no transaction that no charger holds, and must not have refused a tag for one.
//! Correctness only, never speed. Like `smoke.rs`, this needs the csms binary built first
//! (`cargo build -p csms`).

use loadtest::harness::ghosts;
use loadtest::metrics::Metrics;
use loadtest::rest::{self, Credentials, Rest};
use loadtest::server::{locate_csms, CsmsProcess};
use loadtest::sim::fleet::{Fleet, Spec};
use loadtest::sim::user::UserOp;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "crash-test-admin";

/// Runs `loadtest run` with `args` against `server`, which must succeed; returns its JSON
/// report.
fn load_run(server: &CsmsProcess, dir: &tempfile::TempDir, name: &str, args: &[&str]) -> Value {
    let json = dir.path().join(format!("{name}.json"));
    let output = Command::new(env!("CARGO_BIN_EXE_loadtest"))
        .arg("run")
        .args(["--url", &server.ocpp_url()])
        .args(["--api-password", PASSWORD])
        .arg("--check-db")
        .arg(server.database())
        .arg("--json")
        .arg(&json)
        .args(args)
        .output()
        .expect("run loadtest");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let text = std::fs::read_to_string(&json).unwrap_or_else(|e| {
        panic!(
            "{name}: no report ({e}); stdout:\n{stdout}\nstderr:\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&output.stderr),
            server.log_text()
        )
    });
    let report: Value = serde_json::from_str(&text).expect("JSON report");
    assert!(
        output.status.success(),
        "{name} failed:\n{stdout}\n{report}"
    );
    report
}

/// No ghost left, no tag refused, nothing lost; crashes of both kinds happened.
fn assert_no_ghosts(name: &str, report: &Value) {
    assert_eq!(report["ghosts"]["left"], 0, "{name}: {report}");
    assert_eq!(report["ghosts"]["ghost_refusals"], 0, "{name}: {report}");
    assert_eq!(
        report["refusals"],
        serde_json::json!({}),
        "{name}: {report}"
    );
    assert_eq!(report["check"]["lost"], 0, "{name}: {report}");
    assert_eq!(report["failed_connections"], 0, "{name}: {report}");
    for kind in ["forget", "remember"] {
        let n = report["crashes"][kind].as_u64().unwrap_or(0);
        assert!(n >= 1, "{name}: no {kind} crash happened: {report}");
    }
    let ended = &report["ghosts"]["ended_by_server"];
    assert!(
        ended["ChargerRebooted"].as_u64().unwrap_or(0) >= 1,
        "{name}: forgotten sessions are ended at the boot: {report}"
    );
}

#[test]
fn crashing_chargers_leave_no_ghosts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let binary = locate_csms().unwrap_or_else(|e| panic!("{e}"));
    let database = csms::db::throwaway::for_test("crashes");
    let mut env = vec![
        ("CSMS_SERVER__WORKERS", "1"),
        ("CSMS_LOG__LEVEL", "warn"),
        ("CSMS_ADMIN_PASSWORD", PASSWORD),
        ("CSMS_OCPP__IDLE_TRANSACTION_GRACE_SECS", "2"),
    ];
    if let Some(db) = &database {
        env.push(("CSMS_DATABASE__URL", db.url.as_str()));
    }
    let server = CsmsProcess::start(&binary, "127.0.0.1:0", &dir.path().join("data"), &env)
        .unwrap_or_else(|e| panic!("{e}"));

    let fleet = load_run(
        &server,
        &dir,
        "fleet",
        &[
            "--scenario",
            "fleet",
            "--chargers",
            "20",
            "--duration",
            "10",
            "--charging",
            "1",
            "--session-secs",
            "3",
            "--meter-secs",
            "1",
            "--heartbeat-secs",
            "5",
            "--crash-every",
            "2",
            "--crash-kind",
            "mixed",
            "--ghost-wait",
            "8",
        ],
    );
    assert_no_ghosts("fleet", &fleet);
    assert_eq!(fleet["undelivered"], 0, "{fleet}");

    let burst = load_run(
        &server,
        &dir,
        "burst",
        &[
            "--scenario",
            "burst",
            "--chargers",
            "20",
            "--duration",
            "4",
            "--interval-ms",
            "50",
            "--crash-every",
            "1",
            "--ghost-wait",
            "8",
        ],
    );
    assert_no_ghosts("burst", &burst);
    let stops = burst["confirmed"]["stops"].as_u64().unwrap_or(0);
    assert!(stops >= 20, "every burst charger stops at the end: {burst}");

    the_check_sees_what_no_charger_holds(&server);
}

/// The check can fail: two chargers charge, and told that no charger holds anything, the check
/// counts both transactions as ghosts; told what they hold, none.
fn the_check_sees_what_no_charger_holds(server: &CsmsProcess) {
    let api = rest::api_url_for(&server.ocpp_url()).expect("API address");
    let credentials = Credentials::Login {
        user: "admin".into(),
        password: PASSWORD.into(),
    };
    let rest = Rest::connect(&api, &credentials).expect("log in");
    let tags = vec!["CHK-TAG-1".to_owned(), "CHK-TAG-2".to_owned()];
    rest.import_tags(&tags).expect("register tags");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (fleet, held) = runtime.block_on(async {
        let spec = Spec {
            url: server.ocpp_url(),
            prefix: "CHK".into(),
            count: 2,
            source_ips: Vec::new(),
            ramp: 0,
            verbose: false,
            log_events: true,
            heartbeat_override: None,
            config: Vec::new(),
            plan: None,
            with_drivers: 0,
            crashes: None,
        };
        let fleet = Fleet::start(spec, Arc::new(Metrics::default())).await;
        assert_eq!(fleet.settled(Duration::from_secs(30)).await, 2);
        let mut held = BTreeSet::new();
        for (c, tag) in fleet.chargers.iter().zip(&tags) {
            c.user(UserOp::Plug(1)).await.expect("plug");
            c.user(UserOp::Start(1, tag.clone())).await.expect("start");
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let view = c.view().await.expect("view");
                if let Some(tx) = view.connectors[0].transaction_id.filter(|t| *t > 0) {
                    held.insert(tx);
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "{} never charged: {view:#?}",
                    c.id
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        (fleet, held)
    });
    let none = ghosts::check(&rest, "CHK", &BTreeSet::new(), Duration::ZERO).expect("check");
    assert_eq!(none.left, 2, "{none:?}");
    let all = ghosts::check(&rest, "CHK", &held, Duration::ZERO).expect("check");
    assert_eq!(all.left, 0, "{all:?}");
    runtime.block_on(fleet.shutdown(Duration::from_secs(5)));
}
