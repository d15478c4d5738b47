//! The README's examples, run word for word with bash against `loadtest demo` (csms and five
//! simulated chargers on free ports), with the address and password the demo prints. Each
//! answer is checked, so a README example that stops working fails here.
//!
//! The examples are the `sh` blocks after `<!-- readme-test: NAME -->` in README.md. They need
//! bash, curl and python3. The demo runs `target/<profile>/csms`: `tests/run` (`cargo test
//! --workspace`) builds it; with `cargo test -p loadtest` alone, run `cargo build -p csms` first.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const README: &str = include_str!("../../README.md");
/// Longest wait for the demo to start, and for one example to run.
const PATIENCE: Duration = Duration::from_secs(120);

/// The `sh` block following `<!-- readme-test: NAME -->`.
fn example(name: &str) -> String {
    let marker = format!("<!-- readme-test: {name} -->");
    let after = README
        .split_once(&marker)
        .unwrap_or_else(|| panic!("README.md has no {marker}"))
        .1;
    let body = after
        .trim_start()
        .strip_prefix("```sh\n")
        .unwrap_or_else(|| panic!("{marker} is not followed by a ```sh block"));
    body.split_once("\n```")
        .unwrap_or_else(|| panic!("the block after {marker} is not closed"))
        .0
        .to_owned()
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

/// A running `loadtest demo` and what it printed.
struct Demo {
    child: Option<Child>,
    out: Arc<Mutex<Vec<String>>>,
    api: String,
    password: String,
    control: String,
}

/// The word after `prefix` in `line`.
fn word_after<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = &line[line.find(prefix)? + prefix.len()..];
    rest.split_whitespace().next()
}

impl Demo {
    fn start() -> Demo {
        let mut child = Command::new(env!("CARGO_BIN_EXE_loadtest"))
            .args(["demo", "--bind", "127.0.0.1:0", "--control", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start loadtest demo");
        let out = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        for stream in [
            Box::new(stdout) as Box<dyn std::io::Read + Send>,
            Box::new(stderr),
        ] {
            let out = out.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    out.lock().expect("output").push(line);
                }
            });
        }
        let mut demo = Demo {
            child: Some(child),
            out,
            api: String::new(),
            password: String::new(),
            control: String::new(),
        };
        let deadline = Instant::now() + PATIENCE;
        loop {
            let lines = demo.output();
            let rest = lines.iter().find_map(|l| {
                Some((
                    word_after(l, "REST API: ")?.to_owned(),
                    word_after(l, "password ")?.to_owned(),
                ))
            });
            let control = lines
                .iter()
                .find_map(|l| word_after(l, "control API on http://"));
            if let (Some((api, password)), Some(control)) = (rest, control) {
                demo.api = api;
                demo.password = password;
                demo.control = control.to_owned();
                return demo;
            }
            let exited = demo
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "the demo did not print its addresses and password ({exited:?}):\n{}",
                lines.join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn output(&self) -> Vec<String> {
        self.out.lock().expect("output").clone()
    }

    fn simctl(&self) -> String {
        format!(
            "{} simctl --control {}",
            env!("CARGO_BIN_EXE_loadtest"),
            self.control
        )
    }

    /// Runs `loadtest simctl ARGS` against the demo.
    fn simctl_run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_loadtest"))
            .args(["simctl", "--control", &self.control])
            .args(args)
            .output()
            .expect("run simctl")
    }

    /// Runs a README example with bash, its variables pointing at this demo.
    fn run_example(&self, name: &str) -> String {
        let script = example(name);
        let mut child = Command::new("bash")
            .args(["-eu", "-o", "pipefail", "-c", &script])
            .current_dir(repo_root())
            .env("API", &self.api)
            .env("CSMS_USER", "admin")
            .env("CSMS_PASSWORD", &self.password)
            .env("SIMCTL", self.simctl())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bash");
        let deadline = Instant::now() + PATIENCE;
        while child.try_wait().expect("wait").is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let output = child.wait_with_output().expect("output");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "README example {name} failed ({}):\n{script}\nstdout:\n{stdout}\nstderr:\n{}\ndemo:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr),
            self.output().join("\n")
        );
        stdout
    }

    /// SIGTERM, as Ctrl-C would; the demo ends the sessions and stops csms. Returns whether it
    /// exited cleanly.
    fn stop(&mut self) -> bool {
        match self.child.take() {
            Some(child) => loadtest::server::stop_gently(child, Duration::from_secs(30)),
            None => false,
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        // Stopped gently even when a check failed: the demo stops the csms it started.
        self.stop();
    }
}

/// The JSON values among the lines of `text`, in order.
fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.is_object())
        .collect()
}

/// A tag one of the simulated drivers is charging with now.
fn tag_in_use(demo: &Demo) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let list = demo.simctl_run(&["list"]);
        let text = String::from_utf8_lossy(&list.stdout).into_owned();
        if let Some(tag) = text.lines().find_map(|l| word_after(l, " tag DEMO-")) {
            return format!("DEMO-{tag}");
        }
        assert!(
            Instant::now() < deadline,
            "no simulated driver charges:\n{text}"
        );
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn stderr_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn readme_examples_run_against_the_demo() {
    let mut demo = Demo::start();
    assert!(
        demo.api.starts_with("http://127.0.0.1:") && !demo.api.contains(":0/"),
        "{}",
        demo.api
    );
    assert!(
        !demo.control.ends_with(":0"),
        "the real port: {}",
        demo.control
    );

    let out = demo.run_example("simctl");
    assert!(
        out.contains("connector 1: charging, transaction "),
        "MY-CARD starts a transaction on CP-5:\n{out}"
    );

    let out = demo.run_example("remote-session");
    let answers = json_lines(&out);
    assert_eq!(answers.len(), 5, "five JSON answers:\n{out}");
    assert_eq!(answers[0]["idTag"], "CARD-0001", "registered:\n{out}");
    assert_eq!(answers[1]["status"], "Accepted", "remote start:\n{out}");
    let active = &answers[2]["items"][0];
    assert_eq!(active["chargePointId"], "CP-5", "{out}");
    assert_eq!(active["connectorId"], 1, "{out}");
    assert_eq!(active["idTag"], "CARD-0001", "{out}");
    assert_eq!(active["active"], true, "{out}");
    assert_eq!(answers[3]["status"], "Accepted", "remote stop:\n{out}");
    let done = &answers[4]["items"][0];
    assert_eq!(done["id"], active["id"], "the same transaction:\n{out}");
    assert_eq!(done["active"], false, "{out}");
    assert_eq!(done["stopReason"], "Remote", "{out}");
    assert!(
        done["energyWh"].as_i64().is_some_and(|wh| wh > 0),
        "energy was delivered:\n{out}"
    );

    // simctl's failures: a non-zero exit and the reason on stderr.
    let unknown = demo.simctl_run(&["start", "CP-5", "1", "NOT-REGISTERED"]);
    assert_eq!(unknown.status.code(), Some(1), "{unknown:?}");
    assert!(stderr_of(&unknown).contains("Invalid"), "{unknown:?}");

    let plugged = demo.simctl_run(&["plug", "CP-5", "1"]);
    assert!(plugged.status.success(), "{plugged:?}");
    let tag = tag_in_use(&demo);
    let concurrent = demo.simctl_run(&["start", "CP-5", "1", &tag]);
    assert_eq!(concurrent.status.code(), Some(1), "{concurrent:?}");
    assert!(
        stderr_of(&concurrent).contains("ConcurrentTx"),
        "{tag} is charging elsewhere: {concurrent:?}"
    );

    let nobody = demo.simctl_run(&["plug", "CP-99", "1"]);
    assert_eq!(nobody.status.code(), Some(1), "{nobody:?}");
    assert!(
        stderr_of(&nobody).contains("no charger CP-99"),
        "{nobody:?}"
    );
    let no_api = Command::new(env!("CARGO_BIN_EXE_loadtest"))
        .args(["simctl", "--control", "127.0.0.1:1", "list"])
        .output()
        .expect("simctl");
    assert_eq!(no_api.status.code(), Some(1), "{no_api:?}");
    assert!(stderr_of(&no_api).contains("cannot reach"), "{no_api:?}");

    assert!(demo.stop(), "the demo stops cleanly");
    let lines = demo.output();
    assert!(
        lines.iter().any(|l| l == "stopping csms..."),
        "{}",
        lines.join("\n")
    );
    // Undelivered messages, if any, are counted per charger.
    for line in lines
        .iter()
        .filter(|l| l.contains("could not be delivered"))
    {
        assert!(line.starts_with("CP-"), "{line}");
    }
}

/// Drops the database `name` on the README's server, if it is there.
fn drop_database(name: &str) {
    let _ = Command::new("dropdb")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "--if-exists",
            "--force",
            name,
        ])
        .status();
}

/// The PostgreSQL example, word for word but for three things: the database gets a name of its
/// own (dropped after), `cargo run --release --` is the csms binary of this build, and the
/// server listens on a free port. Runs in the PostgreSQL pass of `tests/run`
/// (`CSMS_TEST_BACKEND=postgres`), whose server is the README's 127.0.0.1:5432.
#[test]
fn readme_postgres_example_creates_the_database_and_serves() {
    if !csms::db::throwaway::testing_postgres() {
        eprintln!("the PostgreSQL example runs in the PostgreSQL pass of tests/run");
        return;
    }
    let block = example("postgres");
    let name = format!("csms_readme_{}", std::process::id());
    let dir = tempfile::tempdir().expect("tempdir");
    let port_file = dir.path().join("port");
    let csms = loadtest::server::locate_csms().unwrap_or_else(|e| panic!("{e}"));
    let script = block
        .replace("-U postgres csms\n", &format!("-U postgres {name}\n"))
        .replace("5432/csms", &format!("5432/{name}"))
        .replace(
            "cargo run --release -- serve",
            &format!(
                "exec {} serve --bind 127.0.0.1:0 --port-file {} --data-dir {}",
                csms.display(),
                port_file.display(),
                dir.path().join("data").display()
            ),
        );
    assert!(
        script.contains(&name) && !script.contains("cargo run"),
        "{script}"
    );
    drop_database(&name);
    let server = Command::new("bash")
        .args(["-euc", &script])
        .env("CSMS_ADMIN_PASSWORD", "readme-admin-password")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("csms.log")).expect("log"))
        .spawn()
        .expect("run the example");
    let log = || std::fs::read_to_string(dir.path().join("csms.log")).unwrap_or_default();
    let deadline = Instant::now() + PATIENCE;
    let addr = loop {
        if let Some(addr) = std::fs::read_to_string(&port_file)
            .ok()
            .filter(|t| t.trim().contains(':'))
        {
            break addr.trim().to_owned();
        }
        assert!(Instant::now() < deadline, "no server; log:\n{}", log());
        std::thread::sleep(Duration::from_millis(50));
    };
    let ready = Command::new("curl")
        .args(["-s", &format!("http://{addr}/ready")])
        .output()
        .expect("curl");
    let stopped = loadtest::server::stop_gently(server, Duration::from_secs(30));
    drop_database(&name);
    let body = String::from_utf8_lossy(&ready.stdout);
    assert!(body.contains("\"ready\""), "{body}; log:\n{}", log());
    assert!(log().contains("(PostgreSQL)"), "{}", log());
    assert!(stopped, "log:\n{}", log());
}
