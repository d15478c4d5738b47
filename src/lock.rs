//! One server per data directory: `csms serve` (and `csms migrate`) hold an exclusive lock on
//! `<data-dir>/csms.lock` for their whole life. The file holds the holder's PID as text, so a
//! refused start can say who is in the way.
//!
//! The lock is the operating system's (`flock` on Unix), not the file's existence: it ends with
//! the process however that ends, so a lock file left behind by a crash blocks nothing. The file
//! itself is never deleted, since deleting it while another process opens it would let two
//! processes lock two different files.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "csms.lock";

/// How long a refused process waits for the holder to write its PID (it locks, then writes).
const PID_PATIENCE: Duration = Duration::from_millis(200);

/// The exclusive lock on a data directory; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
    path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds the lock.
    #[error(
        "data directory {dir} is in use by another csms process ({holder}, lock file {file}); \
         stop that process first, or give this one its own --data-dir",
        dir = .dir.display(), file = .file.display(),
        holder = .pid.map_or("PID unknown".to_owned(), |p| format!("PID {p}"))
    )]
    Held {
        dir: PathBuf,
        file: PathBuf,
        pid: Option<u32>,
    },
    #[error("cannot lock data directory {}: {source}", .dir.display())]
    Io {
        dir: PathBuf,
        source: std::io::Error,
    },
}

impl DataDirLock {
    /// Locks `dir` (creating it if needed) for this process, or says who holds it.
    pub fn acquire(dir: &Path) -> Result<DataDirLock, LockError> {
        let io = |source| LockError::Io {
            dir: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let path = dir.join(LOCK_FILE);
        // Not truncated on open: until we hold the lock, the PID in it is the holder's.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Held {
                    dir: dir.to_owned(),
                    pid: holder_pid(&mut file),
                    file: path,
                })
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(DataDirLock { _file: file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The PID the holder wrote, waiting briefly in case it has locked but not yet written.
fn holder_pid(file: &mut File) -> Option<u32> {
    let deadline = std::time::Instant::now() + PID_PATIENCE;
    loop {
        let mut text = String::new();
        let read = file.rewind().and_then(|()| file.read_to_string(&mut text));
        if let Ok(pid) = text.trim().parse() {
            return Some(pid);
        }
        if read.is_err() || std::time::Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_with_the_holders_pid_and_freed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let first = DataDirLock::acquire(&data).unwrap();
        let text = std::fs::read_to_string(first.path()).unwrap();
        assert_eq!(text.trim(), std::process::id().to_string());
        match DataDirLock::acquire(&data) {
            Err(e @ LockError::Held { pid, .. }) => {
                assert_eq!(pid, Some(std::process::id()));
                let message = e.to_string();
                assert!(
                    message.contains(&format!("PID {}", std::process::id())),
                    "{message}"
                );
            }
            other => panic!("second lock: {other:?}"),
        }
        drop(first);
        DataDirLock::acquire(&data).expect("free again once dropped");
    }

    #[test]
    fn a_lock_file_left_behind_blocks_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LOCK_FILE), "999999999\n").unwrap();
        let lock = DataDirLock::acquire(dir.path()).unwrap();
        let text = std::fs::read_to_string(lock.path()).unwrap();
        assert_eq!(text, format!("{}\n", std::process::id()));
    }
}
