//! Starting the binary: one server per data directory, the first admin's password, and the
//! command line's help.

mod common;

use common::{run_with_timeout, Finished, TestServer};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const QUICK: Duration = Duration::from_secs(30);

fn csms(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_csms"));
    command
        .args(args)
        .env_remove("CSMS_ADMIN_PASSWORD")
        .env_remove("CSMS_CONFIG")
        .env_remove("CSMS_BIND")
        .env_remove("CSMS_DATA_DIR")
        .env_remove("CSMS_DATABASE_URL");
    command
}

/// `csms serve` on `data_dir` and a free port, expected to stop by itself.
fn serve_expecting_exit(data_dir: &Path, env: &[(&str, &str)]) -> Finished {
    let dir = data_dir.to_str().expect("utf-8 path");
    let mut command = csms(&["serve", "--bind", "127.0.0.1:0", "--data-dir", dir]);
    command.envs(env.iter().copied());
    run_with_timeout(&mut command, QUICK)
}

#[tokio::test]
async fn a_second_server_on_the_same_data_directory_is_refused_naming_the_first() {
    let server = TestServer::start("");
    let second = serve_expecting_exit(&server.data_dir(), &[]);
    assert!(!second.status.success(), "second server: {}", second.status);
    let pid = format!("PID {}", server.pid());
    assert!(
        second.stderr.contains(&pid) && second.stderr.contains("csms.lock"),
        "stderr should name {pid}:\n{}",
        second.stderr
    );
    // The first one serves on.
    let (code, _) = server.api("GET", "/health", None, None).await;
    assert_eq!(code, 200);
}

#[tokio::test]
async fn a_lock_file_left_by_a_dead_process_does_not_block_a_start() {
    // A PID that surely ran and surely ended.
    let mut gone = Command::new("true").spawn().expect("spawn true");
    let dead = gone.id();
    gone.wait().expect("wait");
    let mut server = TestServer::start("");
    server.kill();
    std::fs::write(server.data_dir().join("csms.lock"), format!("{dead}\n")).unwrap();
    server.restart();
    let (code, _) = server.api("GET", "/health", None, None).await;
    assert_eq!(code, 200);
    let holder = std::fs::read_to_string(server.data_dir().join("csms.lock")).unwrap();
    assert_eq!(holder.trim(), server.pid().to_string());
}

#[tokio::test]
async fn users_are_added_while_a_server_runs_but_migrate_waits_for_it() {
    let server = TestServer::start("");
    let dir = server.data_dir().display().to_string();
    let url = server.database_url();
    let added = run_with_timeout(
        csms(&[
            "user",
            "add",
            "olga",
            "--role",
            "operator",
            "--data-dir",
            &dir,
            "--database-url",
            &url,
        ])
        .env("CSMS_USER_PASSWORD", "olga-password-1"),
        QUICK,
    );
    assert!(added.status.success(), "{}", added.stderr);
    let token = server.login("olga", "olga-password-1").await;
    let (code, me) = server
        .api("GET", "/api/v1/auth/me", Some(&token), None)
        .await;
    assert_eq!((code, me["role"].as_str()), (200, Some("operator")), "{me}");

    let migrate = run_with_timeout(
        &mut csms(&["migrate", "--data-dir", &dir, "--database-url", &url]),
        QUICK,
    );
    assert!(!migrate.status.success());
    assert!(
        migrate.stderr.contains(&format!("PID {}", server.pid())),
        "{}",
        migrate.stderr
    );
}

#[test]
fn a_short_admin_password_stops_the_start_and_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let finished = serve_expecting_exit(&data, &[("CSMS_ADMIN_PASSWORD", "short")]);
    assert!(!finished.status.success());
    for needle in ["CSMS_ADMIN_PASSWORD", "at least 10 characters", "unset it"] {
        assert!(
            finished.stderr.contains(needle),
            "{needle:?} missing from:\n{}",
            finished.stderr
        );
    }
    assert!(!data.join("csms.db").exists(), "nothing was created");
}

fn help(args: &[&str]) -> String {
    let finished = run_with_timeout(&mut csms(args), QUICK);
    assert!(finished.status.success(), "{args:?}: {}", finished.stderr);
    finished.stdout
}

#[test]
fn each_command_help_lists_exactly_the_flags_it_uses() {
    let top = help(&["--help"]);
    for needle in [
        "serve",
        "migrate",
        "config-example",
        "user",
        "csms <command> --help",
    ] {
        assert!(
            top.contains(needle),
            "{needle:?} missing from --help:\n{top}"
        );
    }
    assert!(!top.contains("flags below"), "{top}");

    let cases: [(&[&str], &[&str], &[&str]); 5] = [
        (
            &["serve", "--help"],
            &[
                "--bind",
                "--data-dir",
                "--database-url",
                "--config",
                "--port-file",
            ],
            &[],
        ),
        (
            &["migrate", "--help"],
            &["--data-dir", "--database-url", "--config"],
            &["--bind", "--port-file"],
        ),
        (
            &["user", "add", "--help"],
            &[
                "--role",
                "--data-dir",
                "--database-url",
                "--config",
                "operator",
            ],
            &["--bind", "--port-file"],
        ),
        (
            &["user", "passwd", "--help"],
            &["--data-dir", "--database-url", "--config"],
            &["--bind", "--port-file", "--role"],
        ),
        (
            &["config-example", "--help"],
            &[],
            &["--bind", "--data-dir", "--config"],
        ),
    ];
    for (args, present, absent) in cases {
        let text = help(args);
        for flag in present {
            assert!(text.contains(flag), "{args:?} lacks {flag}:\n{text}");
        }
        for flag in absent {
            assert!(!text.contains(flag), "{args:?} offers {flag}:\n{text}");
        }
    }
}

#[tokio::test]
async fn the_data_directory_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let server = TestServer::start("");
    // The token secret is made on first start; the database once migrated.
    server.admin_token().await;
    let mode = |path: &Path| {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    };
    let dir = server.data_dir();
    assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    let files: &[&str] = if common::on_postgres() {
        &["jwt-secret"]
    } else {
        &["csms.db", "jwt-secret"]
    };
    for file in files {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }
}

#[tokio::test]
async fn answers_say_nosniff_and_api_answers_are_never_cached() {
    let server = TestServer::start("");
    let client = reqwest::Client::new();
    let health = client.get(server.url("/health")).send().await.unwrap();
    assert_eq!(health.headers()["x-content-type-options"], "nosniff");
    let token = server.admin_token().await;
    let me = client
        .get(server.url("/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.headers()["cache-control"], "no-store");
    assert_eq!(me.headers()["x-content-type-options"], "nosniff");
}
