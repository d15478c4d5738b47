//! Guards password checks. Hashing a password (argon2id) costs ~19 MiB and tens of milliseconds,
//! so:
//! - hashes run on [`HASHING_THREADS`] threads of their own, at most [`HASHING_QUEUE`] waiting
//!   (more: 503), so at most that many hashes' memory is in use at once;
//! - an unknown user name costs the same as a known one (a decoy hash is checked), so names
//!   cannot be told apart by timing;
//! - failures are counted per user name and per source address: past the free attempts, each
//!   further failure locks that name (or address) out for a time that doubles, up to
//!   `api.login_max_lockout_secs`; a success clears the name's count.
//!
//! The counts live in memory (bounded at [`MAX_TRACKED`] entries) and start afresh on restart.

use super::passwords;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// Threads that hash passwords (so: hashes computed at once).
pub const HASHING_THREADS: usize = 2;
/// Hashes that may wait for a thread; past this, 503.
pub const HASHING_QUEUE: usize = 64;
/// User names and addresses tracked at most; when full, the stalest are forgotten first.
pub const MAX_TRACKED: usize = 10_000;
/// An address may fail this many times the attempts of one user name (one office, many users).
const ADDRESS_FACTOR: u32 = 4;

/// Why a login (or another password check) is refused before the password is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Too many failures for this name or address: retry after that many seconds.
    TooManyFailures { retry_after_secs: u64 },
    /// Too many password checks are waiting.
    Busy,
    /// The hashing threads are gone (the server is stopping).
    Stopped,
}

/// When attempts are refused.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures a user name may have before lockouts start (0: no lockout at all).
    pub free_attempts: u32,
    /// The longest lockout; also how long a failure is remembered.
    pub max_lockout: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    User(String),
    Address(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

/// Failure counts: the pure part of the guard (time is passed in).
#[derive(Debug)]
struct Failures {
    policy: Policy,
    records: HashMap<Key, Record>,
}

impl Failures {
    fn free_attempts(&self, key: &Key) -> u32 {
        match key {
            Key::User(_) => self.policy.free_attempts,
            Key::Address(_) => self.policy.free_attempts.saturating_mul(ADDRESS_FACTOR),
        }
    }

    /// How long `key` is still locked out, if it is.
    fn locked(&self, key: &Key, now: Instant) -> Option<Duration> {
        let until = self.records.get(key)?.locked_until?;
        (until > now).then(|| until - now)
    }

    fn fail(&mut self, key: Key, now: Instant) {
        if self.policy.free_attempts == 0 {
            return;
        }
        if !self.records.contains_key(&key) && self.records.len() >= MAX_TRACKED {
            self.forget_stale(now);
        }
        let free = self.free_attempts(&key);
        let max = self.policy.max_lockout;
        let record = self.records.entry(key).or_insert(Record {
            failures: 0,
            last: now,
            locked_until: None,
        });
        if now.duration_since(record.last) > max {
            record.failures = 0;
        }
        record.failures = record.failures.saturating_add(1);
        record.last = now;
        if record.failures > free {
            let doublings = (record.failures - free - 1).min(20);
            let lockout = Duration::from_secs(1u64 << doublings).min(max);
            record.locked_until = Some(now + lockout);
        }
    }

    fn clear(&mut self, key: &Key) {
        self.records.remove(key);
    }

    /// Drops records older than the longest lockout; if none are, the oldest tenth.
    fn forget_stale(&mut self, now: Instant) {
        let max = self.policy.max_lockout;
        self.records
            .retain(|_, r| now.duration_since(r.last) <= max);
        if self.records.len() >= MAX_TRACKED {
            let mut ages: Vec<Instant> = self.records.values().map(|r| r.last).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 10];
            self.records.retain(|_, r| r.last > cut);
        }
    }
}

/// Shared by every request (see the module docs).
#[derive(Debug)]
pub struct LoginGuard {
    hashing: SyncSender<Job>,
    failures: Mutex<Failures>,
    decoy: String,
}

impl LoginGuard {
    pub fn new(policy: Policy) -> Self {
        let (hashing, jobs) = sync_channel::<Job>(HASHING_QUEUE);
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..HASHING_THREADS {
            let jobs = jobs.clone();
            std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || run_jobs(&jobs))
                .expect("cannot start a password hashing thread");
        }
        LoginGuard {
            hashing,
            failures: Mutex::new(Failures {
                policy,
                records: HashMap::new(),
            }),
            decoy: passwords::hash(&hex::encode(rand::random::<[u8; 16]>())).unwrap_or_default(),
        }
    }

    fn failures(&self) -> std::sync::MutexGuard<'_, Failures> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// 429 with the time to wait if the name or the address is locked out.
    pub fn admit(&self, user: &str, address: Option<IpAddr>) -> Result<(), Refused> {
        let now = Instant::now();
        let failures = self.failures();
        let user_lock = failures.locked(&Key::User(user.to_owned()), now);
        let address_lock = address.and_then(|a| failures.locked(&Key::Address(a), now));
        match user_lock.max(address_lock) {
            None => Ok(()),
            Some(wait) => Err(Refused::TooManyFailures {
                retry_after_secs: wait.as_secs_f64().ceil() as u64,
            }),
        }
    }

    pub fn failed(&self, user: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        let mut failures = self.failures();
        failures.fail(Key::User(user.to_owned()), now);
        if let Some(a) = address {
            failures.fail(Key::Address(a), now);
        }
    }

    pub fn succeeded(&self, user: &str) {
        self.failures().clear(&Key::User(user.to_owned()));
    }

    /// Runs `hash` (a password hash or check) on a hashing thread; 503 when too many wait.
    pub async fn hash<T: Send + 'static>(
        &self,
        hash: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Refused> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(hash());
        });
        match self.hashing.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(Refused::Busy),
            Err(TrySendError::Disconnected(_)) => return Err(Refused::Stopped),
        }
        result.await.map_err(|_| Refused::Stopped)
    }

    /// A hash of a random password, checked when the user name is unknown so that the
    /// answer takes as long as for a known one.
    pub fn decoy_hash(&self) -> &str {
        &self.decoy
    }
}

/// A hashing thread: runs jobs until the guard is dropped.
fn run_jobs(jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(free_attempts: u32, max_secs: u64) -> Failures {
        Failures {
            policy: Policy {
                free_attempts,
                max_lockout: Duration::from_secs(max_secs),
            },
            records: HashMap::new(),
        }
    }

    #[test]
    fn lockouts_start_after_the_free_attempts_and_double() {
        let mut f = failures(3, 60);
        let user = Key::User("alice".into());
        let t0 = Instant::now();
        for _ in 0..3 {
            f.fail(user.clone(), t0);
            assert_eq!(f.locked(&user, t0), None);
        }
        let expected = [1, 2, 4, 8, 16, 32, 60, 60];
        for secs in expected {
            f.fail(user.clone(), t0);
            assert_eq!(f.locked(&user, t0), Some(Duration::from_secs(secs)));
        }
        assert_eq!(f.locked(&user, t0 + Duration::from_secs(60)), None);
        assert_eq!(f.locked(&Key::User("bob".into()), t0), None);
    }

    #[test]
    fn an_address_gets_more_attempts_and_old_failures_are_forgotten() {
        let mut f = failures(2, 10);
        let address = Key::Address("192.0.2.7".parse().unwrap());
        let t0 = Instant::now();
        for _ in 0..2 * ADDRESS_FACTOR {
            f.fail(address.clone(), t0);
        }
        assert_eq!(f.locked(&address, t0), None);
        f.fail(address.clone(), t0);
        assert!(f.locked(&address, t0).is_some());
        // Past the longest lockout the count starts again.
        let later = t0 + Duration::from_secs(11);
        f.fail(address.clone(), later);
        assert_eq!(f.locked(&address, later), None);
    }

    #[test]
    fn a_success_clears_the_name_and_zero_free_attempts_never_locks() {
        let mut f = failures(1, 10);
        let user = Key::User("alice".into());
        let t0 = Instant::now();
        f.fail(user.clone(), t0);
        f.fail(user.clone(), t0);
        assert!(f.locked(&user, t0).is_some());
        f.clear(&user);
        assert_eq!(f.locked(&user, t0), None);

        let mut open = failures(0, 10);
        for _ in 0..100 {
            open.fail(user.clone(), t0);
        }
        assert_eq!(open.locked(&user, t0), None);
    }

    #[test]
    fn the_table_stays_bounded() {
        let mut f = failures(1, 1000);
        let t0 = Instant::now();
        for i in 0..MAX_TRACKED + 500 {
            f.fail(
                Key::User(format!("u{i}")),
                t0 + Duration::from_millis(i as u64),
            );
        }
        assert!(f.records.len() <= MAX_TRACKED, "{}", f.records.len());
        assert!(f
            .records
            .contains_key(&Key::User(format!("u{}", MAX_TRACKED + 499))));
    }
}
