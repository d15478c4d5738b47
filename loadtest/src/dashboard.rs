//! `loadtest dashboard`: benchmarks of the web dashboard against a running csms.
//!
//! - `pages`: logs in through the login form, then fetches each page `--rounds` times, one
//!   request at a time (a fresh loopback connection each), and prints p50, p99 and the largest
//!   time per page; then downloads the CSV export of `--csv-filter` and prints its rows, bytes,
//!   time and the server's RSS before and after (with `--pid`).
//! - `live`: holds `--streams` live pages (the `/live` event stream) open for `--seconds`,
//!   counting what they receive, and with `--pid` prints the server's CPU over that time.

use crate::http::{self, Answer};
use clap::{Args, Subcommand};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct DashboardArgs {
    #[command(subcommand)]
    pub command: DashboardCommand,
    /// The server's address (loopback).
    #[arg(long, default_value = "127.0.0.1:9180", global = true)]
    pub addr: SocketAddr,
    #[arg(long, default_value = "admin", global = true)]
    pub user: String,
    /// The user's password.
    #[arg(long, env = "CSMS_ADMIN_PASSWORD", global = true)]
    pub password: Option<String>,
    /// The server's process id: RSS (pages) or CPU (live) is read from /proc.
    #[arg(long, global = true)]
    pub pid: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum DashboardCommand {
    /// Time every page.
    Pages {
        /// Requests per page.
        #[arg(long, default_value_t = 200)]
        rounds: usize,
        /// A charger whose page is timed.
        #[arg(long)]
        charger: Option<String>,
        /// A transaction whose page is timed.
        #[arg(long)]
        transaction: Option<i64>,
        /// The query of the transactions page and CSV export timed (URL-encoded).
        #[arg(long, default_value = "charger=HIST-7")]
        filter: String,
        /// The query of the CSV export that is downloaded once (URL-encoded).
        #[arg(
            long,
            default_value = "from=2024-01-01T00:00:00Z&to=2024-03-11T10:40:00Z"
        )]
        csv_filter: String,
    },
    /// Hold live pages open and count what they receive.
    Live {
        #[arg(long, default_value_t = 100)]
        streams: usize,
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// The topic of every stream.
        #[arg(long, default_value = "overview")]
        topic: String,
    },
}

const TIMEOUT: Duration = Duration::from_secs(60);

fn login(args: &DashboardArgs) -> Result<String, String> {
    let password = args
        .password
        .clone()
        .ok_or("give --password (or CSMS_ADMIN_PASSWORD)")?;
    let body = format!(
        "username={}&password={}",
        http::segment(&args.user),
        http::segment(&password)
    );
    let answer = http::request(
        args.addr,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
        TIMEOUT,
    )?;
    answer
        .cookies
        .into_iter()
        .find(|c| c.starts_with("csms_session="))
        .ok_or_else(|| format!("login refused ({}): {}", answer.status, answer.body))
}

fn get(args: &DashboardArgs, cookie: &str, path: &str) -> Result<(Answer, Duration), String> {
    let started = Instant::now();
    let answer = http::request(args.addr, "GET", path, &[("Cookie", cookie)], b"", TIMEOUT)?;
    let took = started.elapsed();
    if answer.status != 200 {
        return Err(format!("GET {path}: {}", answer.status));
    }
    Ok((answer, took))
}

/// Resident memory of a process, KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// CPU time of a process so far (user + system), in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Clock ticks per second (`sysconf(_SC_CLK_TCK)`; 100 on Linux).
const TICKS_PER_SEC: f64 = 100.0;

fn pages(
    args: &DashboardArgs,
    rounds: usize,
    charger: Option<&str>,
    transaction: Option<i64>,
    filter: &str,
    csv_filter: &str,
) -> Result<(), String> {
    let cookie = login(args)?;
    let mut paths = vec![
        "/".to_owned(),
        "/chargers".to_owned(),
        "/chargers?q=7&status=Charging".to_owned(),
        "/chargers?offset=10000&sort=lastSeen&order=desc".to_owned(),
        "/transactions".to_owned(),
        format!("/transactions?{filter}"),
        "/id-tags".to_owned(),
        "/reservations".to_owned(),
        "/audit".to_owned(),
        "/users".to_owned(),
    ];
    if let Some(id) = charger {
        paths.push(format!("/chargers/{}", http::segment(id)));
    }
    if let Some(id) = transaction {
        paths.push(format!("/transactions/{id}"));
    }
    println!("page                                              p50 ms   p99 ms   max ms   bytes");
    for path in &paths {
        let mut times = Vec::with_capacity(rounds);
        let mut bytes = 0;
        for _ in 0..rounds {
            let (answer, took) = get(args, &cookie, path)?;
            bytes = answer.body.len();
            times.push(took);
        }
        times.sort();
        let at =
            |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{path:<48} {:>8.2} {:>8.2} {:>8.2} {bytes:>7}",
            ms(at(0.5)),
            ms(at(0.99)),
            ms(times[times.len() - 1]),
        );
    }
    let before = args.pid.and_then(rss_kib);
    let started = Instant::now();
    let (answer, _) = get(args, &cookie, &format!("/transactions.csv?{csv_filter}"))?;
    let took = started.elapsed();
    let after = args.pid.and_then(rss_kib);
    println!(
        "CSV export ?{csv_filter}: {} rows, {} bytes in {:.2} s{}",
        answer.body.lines().count().saturating_sub(1),
        answer.body.len(),
        took.as_secs_f64(),
        match (before, after) {
            (Some(b), Some(a)) =>
                format!("; server RSS {} MB before, {} MB after", b / 1024, a / 1024),
            _ => String::new(),
        }
    );
    Ok(())
}

fn live(args: &DashboardArgs, streams: usize, seconds: u64, topic: &str) -> Result<(), String> {
    let cookie = login(args)?;
    let events = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut handles = Vec::new();
    for _ in 0..streams {
        let mut stream = TcpStream::connect_timeout(&args.addr, TIMEOUT)
            .map_err(|e| format!("cannot reach {}: {e}", args.addr))?;
        let request = format!(
            "GET /live?topic={} HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n",
            http::segment(topic),
            args.addr
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|e| format!("live: {e}"))?;
        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
        let (events, bytes) = (events.clone(), bytes.clone());
        handles.push(std::thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            while Instant::now() < deadline {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) => break,
                    Ok(n) => {
                        bytes.fetch_add(n as u64, Ordering::Relaxed);
                        if line.starts_with("event: ") {
                            events.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(_) => continue,
                }
            }
        }));
    }
    let cpu_before = args.pid.and_then(cpu_ticks);
    let started = Instant::now();
    for h in handles {
        let _ = h.join();
    }
    // With no streams: the server's CPU over the same time, for comparison.
    std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = match (cpu_before, args.pid.and_then(cpu_ticks)) {
        (Some(b), Some(a)) => format!(
            "; server CPU {:.1}% of a core over the run",
            (a - b) as f64 / TICKS_PER_SEC / elapsed * 100.0
        ),
        _ => String::new(),
    };
    println!(
        "live: {streams} streams ({topic}) for {elapsed:.0} s: {} events, {} bytes{cpu}",
        events.load(Ordering::Relaxed),
        bytes.load(Ordering::Relaxed)
    );
    Ok(())
}

pub fn main(args: DashboardArgs) -> ExitCode {
    if !args.addr.ip().is_loopback() {
        eprintln!("loadtest dashboard: only loopback addresses");
        return ExitCode::FAILURE;
    }
    let outcome = match &args.command {
        DashboardCommand::Pages {
            rounds,
            charger,
            transaction,
            filter,
            csv_filter,
        } => pages(
            &args,
            (*rounds).max(1),
            charger.as_deref(),
            *transaction,
            filter,
            csv_filter,
        ),
        DashboardCommand::Live {
            streams,
            seconds,
            topic,
        } => live(&args, *streams, *seconds, topic),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loadtest dashboard: {e}");
            ExitCode::FAILURE
        }
    }
}
