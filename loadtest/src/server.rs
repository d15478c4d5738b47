//! Starting the real `csms` binary: found next to this program (same target directory),
//! started with `csms serve --bind ADDR --data-dir DIR --port-file FILE`, waited for, stopped
//! with SIGTERM.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Longest wait for the server to listen.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for a graceful stop before killing.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// A running csms server. Killed when dropped.
pub struct CsmsProcess {
    child: Option<Child>,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub log: PathBuf,
    /// `CSMS_DATABASE__URL` when given, else the SQLite file in the data directory.
    database: PathBuf,
}

/// The csms binary of this build: `csms` in the directory of this program or its parent
/// (test executables live in `target/<profile>/deps`).
pub fn locate_csms() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let name = format!("csms{}", std::env::consts::EXE_SUFFIX);
    let mut dir = exe.parent();
    for _ in 0..2 {
        let Some(d) = dir else { break };
        let candidate = d.join(&name);
        if candidate.is_file() {
            return Ok(candidate);
        }
        dir = d.parent();
    }
    Err(format!(
        "no csms binary next to {}; build it first: cargo build --workspace (add --release for a release build)",
        exe.display()
    ))
}

impl CsmsProcess {
    /// Starts `binary` on `bind` (port 0: any free port) with its data in `data_dir`; `env`
    /// adds configuration (`CSMS_<SECTION>__<KEY>`). Its log goes to `<data_dir>/csms.log`.
    pub fn start(
        binary: &Path,
        bind: &str,
        data_dir: &Path,
        env: &[(&str, &str)],
    ) -> Result<CsmsProcess, String> {
        std::fs::create_dir_all(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
        let port_file = data_dir.join("csms.port");
        let _ = std::fs::remove_file(&port_file);
        let log = data_dir.join("csms.log");
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(|e| format!("{}: {e}", log.display()))?;
        let mut command = Command::new(binary);
        // Its own process group: a Ctrl-C meant for us must not stop the server before our
        // chargers have sent their last messages; we stop it ourselves.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .args(["serve", "--bind", bind, "--data-dir"])
            .arg(data_dir)
            .arg("--port-file")
            .arg(&port_file)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let mut server = CsmsProcess {
            child: Some(child),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.to_owned(),
            log,
            database: env
                .iter()
                .find(|(k, _)| *k == "CSMS_DATABASE__URL")
                .map_or_else(|| data_dir.join("csms.db"), |(_, url)| PathBuf::from(url)),
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(addr) = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|t| t.trim().parse().ok())
            {
                server.addr = addr;
                return Ok(server);
            }
            if let Some(status) = server
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                return Err(format!(
                    "csms exited with {status} at start; see {}",
                    server.log.display()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "csms did not start listening; see {}",
                    server.log.display()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The OCPP endpoint (`ws://ADDR/ocpp`).
    pub fn ocpp_url(&self) -> String {
        format!("ws://{}/ocpp", self.addr)
    }

    /// The database as the data check takes it: its URL, or the SQLite file.
    pub fn database(&self) -> PathBuf {
        self.database.clone()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, then waits for a graceful exit (killing after a while); returns whether it
    /// exited cleanly.
    pub fn stop(&mut self) -> bool {
        match self.child.take() {
            Some(child) => stop_gently(child, STOP_TIMEOUT),
            None => false,
        }
    }
}

/// SIGTERM to `child`, then waits up to `timeout` for it to exit (killing it after that);
/// returns whether it exited cleanly.
pub fn stop_gently(mut child: Child, timeout: Duration) -> bool {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return status.success();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for CsmsProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
