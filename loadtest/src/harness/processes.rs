//! `--processes K`: one process may hold at most 20,000 open files here, so a large run is split
//! over K copies of this program. Each child runs `loadtest run --child` with its share of the
//! chargers, its own id prefix (`<prefix>-p<k>`) and its own loopback source addresses, prints
//! `@progress` lines that the parent adds up, and writes its report as JSON for the parent to
//! merge. For a storm the parent releases all children at once when all are `@ready`.

use super::progress::Line;
use super::report::Report;
use super::{RunArgs, Scenario};
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Extra time a child gets beyond the run's own bounds before it is killed.
const SLACK: Duration = Duration::from_secs(120);

/// The source addresses of child `k` of `total`: its share of `--source-ips`, or 127.0.0.<k+1>.
fn source_ips(args: &RunArgs, k: usize, total: usize) -> Vec<IpAddr> {
    if args.source_ips.is_empty() {
        return vec![IpAddr::V4(Ipv4Addr::new(127, 0, 0, (k % 254) as u8 + 1))];
    }
    let mine: Vec<IpAddr> = args
        .source_ips
        .iter()
        .enumerate()
        .filter(|(i, _)| i % total == k)
        .map(|(_, ip)| *ip)
        .collect();
    if mine.is_empty() {
        vec![args.source_ips[k % args.source_ips.len()]]
    } else {
        mine
    }
}

/// The command line of child `k`.
fn child_args(
    args: &RunArgs,
    prefix: &str,
    k: usize,
    total: usize,
    chargers: usize,
    json: &Path,
) -> Vec<String> {
    let ips: Vec<String> = source_ips(args, k, total)
        .iter()
        .map(IpAddr::to_string)
        .collect();
    let ramp = if args.ramp == 0 {
        0
    } else {
        (args.ramp / total as u64).max(1)
    };
    let mut v: Vec<String> = vec![
        "run".into(),
        "--child".into(),
        "--scenario".into(),
        args.scenario.name().into(),
        "--url".into(),
        args.url.clone(),
        "--chargers".into(),
        chargers.to_string(),
        "--duration".into(),
        args.duration.to_string(),
        "--ramp".into(),
        ramp.to_string(),
        "--in-flight".into(),
        args.in_flight.to_string(),
        "--interval-ms".into(),
        args.interval_ms.to_string(),
        "--id-prefix".into(),
        format!("{prefix}-p{k}"),
        "--source-ips".into(),
        ips.join(","),
        "--heartbeat-secs".into(),
        args.heartbeat_secs.to_string(),
        "--meter-secs".into(),
        args.meter_secs.to_string(),
        "--charging".into(),
        args.charging.to_string(),
        "--session-secs".into(),
        args.session_secs.to_string(),
        "--crash-every".into(),
        args.crash_every.to_string(),
        "--crash-kind".into(),
        args.crash_kind.name().into(),
        "--check-ghosts".into(),
        args.checks_ghosts().to_string(),
        "--ghost-wait".into(),
        args.ghost_wait.to_string(),
        "--api-user".into(),
        args.api_user.clone(),
        "--json".into(),
        json.display().to_string(),
    ];
    if let Ok(api) = args.api() {
        v.extend(["--api-url".into(), api]);
    }
    if args.storm_reboot {
        v.push("--storm-reboot".into());
    }
    v
}

/// What the parent learns from a child's stderr.
#[derive(Default)]
struct Heard {
    progress: Option<Line>,
    ready: bool,
}

/// Reads a child's stderr: progress and readiness are kept, anything else is passed on.
fn listen(
    k: usize,
    child: &mut Child,
    heard: Arc<Mutex<Heard>>,
) -> Option<std::thread::JoinHandle<()>> {
    let stderr = child.stderr.take()?;
    Some(std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(json) = line.strip_prefix("@progress ") {
                if let (Ok(v), Ok(mut h)) = (serde_json::from_str(json), heard.lock()) {
                    h.progress = Some(Line::from_json(&v));
                }
            } else if line == "@ready" {
                if let Ok(mut h) = heard.lock() {
                    h.ready = true;
                }
            } else {
                eprintln!("[p{k}] {line}");
            }
        }
    }))
}

struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    heard: Arc<Mutex<Heard>>,
    json: PathBuf,
    reader: Option<std::thread::JoinHandle<()>>,
}

/// Runs the children to the end and merges their reports.
pub fn run(args: &RunArgs, prefix: &str) -> Result<Report, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let dir = std::env::temp_dir().join(format!("loadtest-{}-{prefix}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let total = args.processes.max(1);
    let mut running = Vec::new();
    for k in 0..total {
        let chargers = args.chargers / total + usize::from(k < args.chargers % total);
        if chargers == 0 {
            continue;
        }
        let json = dir.join(format!("p{k}.json"));
        let mut command = Command::new(&exe);
        // Secrets go by environment, not on command lines that `ps` shows.
        if let Some(key) = &args.api_key {
            command.env("CSMS_API_KEY", key);
        }
        if let Some(password) = &args.api_password {
            command.env("CSMS_ADMIN_PASSWORD", password);
        }
        let mut child = command
            .args(child_args(args, prefix, k, total, chargers, &json))
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start process {k}: {e}"))?;
        let heard = Arc::new(Mutex::new(Heard::default()));
        let reader = listen(k, &mut child, heard.clone());
        let stdin = child.stdin.take();
        running.push(Running {
            child,
            stdin,
            heard,
            json,
            reader,
        });
    }
    supervise(args, &mut running);
    let mut report: Option<Report> = None;
    for r in running {
        if let Some(reader) = r.reader {
            let _ = reader.join();
        }
        let text = std::fs::read_to_string(&r.json)
            .map_err(|e| format!("no report from {}: {e}", r.json.display()))?;
        let value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", r.json.display()))?;
        let part = Report::from_json(&value)?;
        match &mut report {
            Some(all) => all.merge(part),
            None => report = Some(part),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    report.ok_or_else(|| "no process ran (no chargers?)".to_owned())
}

/// Prints the summed progress every second, releases a storm, and waits for every child
/// (killing any that overstays).
fn supervise(args: &RunArgs, running: &mut [Running]) {
    let limit =
        Duration::from_secs(args.duration * 3 + args.chargers as u64 / 500 + args.ghost_wait)
            + SLACK;
    let started = Instant::now();
    let mut released = args.scenario != Scenario::Storm;
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let heard: Vec<(Option<Line>, bool)> = running
            .iter()
            .map(|r| {
                r.heard
                    .lock()
                    .map(|h| (h.progress, h.ready))
                    .unwrap_or((None, false))
            })
            .collect();
        let lines: Vec<Line> = heard.iter().filter_map(|(p, _)| *p).collect();
        eprintln!("{}  processes {}", Line::sum(&lines).human(), running.len());
        if !released && heard.iter().all(|(_, ready)| *ready) {
            for r in running.iter_mut() {
                if let Some(stdin) = r.stdin.as_mut() {
                    let _ = stdin.write_all(b"go\n");
                    let _ = stdin.flush();
                }
            }
            released = true;
        }
        let done = running
            .iter_mut()
            .all(|r| matches!(r.child.try_wait(), Ok(Some(_))));
        if done {
            return;
        }
        if started.elapsed() > limit {
            eprintln!("loadtest: a process overran its time; stopping it");
            for r in running.iter_mut() {
                let _ = r.child.kill();
                let _ = r.child.wait();
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        run: RunArgs,
    }

    #[test]
    fn children_get_their_share_prefix_and_addresses() {
        let args = Cli::parse_from([
            "x",
            "--chargers",
            "10",
            "--processes",
            "3",
            "--scenario",
            "fleet",
        ])
        .run;
        let v = child_args(&args, "lt1", 2, 3, 3, Path::new("/tmp/p2.json"));
        let after = |flag: &str| v[v.iter().position(|a| a == flag).unwrap() + 1].clone();
        assert_eq!(after("--id-prefix"), "lt1-p2");
        assert_eq!(after("--source-ips"), "127.0.0.3");
        assert_eq!(after("--scenario"), "fleet");
        assert_eq!(after("--chargers"), "3");
        assert_eq!(after("--check-ghosts"), "false");
        assert_eq!(after("--api-url"), "http://127.0.0.1:9180/api/v1");
        // The child's arguments parse back.
        let mut argv = vec!["x".to_owned()];
        argv.extend(v.into_iter().skip(1));
        let child = Cli::parse_from(argv).run;
        assert!(child.child);
        assert_eq!(child.scenario, Scenario::Fleet);
        assert!(!child.checks_ghosts());
        let ips: Vec<IpAddr> = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let args = RunArgs {
            source_ips: ips,
            ..args
        };
        assert_eq!(source_ips(&args, 0, 3).len(), 2);
        assert_eq!(source_ips(&args, 2, 3), vec![args.source_ips[2]]);
    }
}
