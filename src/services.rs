//! What every part of the server shares: configuration, database, supervisor, connection gauge.

use crate::auth::login_guard::LoginGuard;
use crate::auth::tokens::Tokens;
use crate::config::Config;
use crate::db::{DbWriter, Pool};
use crate::events::EventBus;
use crate::supervisor::Supervisor;
use actix::Addr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Clone)]
pub struct Services {
    pub config: Arc<Config>,
    pub pool: Pool,
    pub writer: Addr<DbWriter>,
    pub supervisor: Addr<Supervisor>,
    pub connections: Arc<ConnectionGauge>,
    /// Signs and checks the REST API's login tokens.
    pub tokens: Arc<Tokens>,
    /// Committed changes, for whoever shows live state.
    pub events: EventBus,
    /// Whether the writer reaches the database.
    pub db_health: Arc<crate::db::Health>,
    /// Bounds password hashing and refuses repeated failed logins.
    pub login_guard: Arc<LoginGuard>,
}

/// Counts open charger connections against the configured maximum.
#[derive(Debug)]
pub struct ConnectionGauge {
    open: AtomicUsize,
    max: usize,
}

impl ConnectionGauge {
    pub fn new(max: usize) -> Self {
        ConnectionGauge {
            open: AtomicUsize::new(0),
            max,
        }
    }

    /// Takes a place, or `None` when all are taken.
    pub fn acquire(self: &Arc<Self>) -> Option<ConnectionPermit> {
        let taken = self
            .open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .is_ok();
        taken.then(|| ConnectionPermit(self.clone()))
    }

    pub fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    pub fn max(&self) -> usize {
        self.max
    }
}

/// A place in the [`ConnectionGauge`], given back when dropped.
#[derive(Debug)]
pub struct ConnectionPermit(Arc<ConnectionGauge>);

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Open files kept free for the database, logs and HTTP clients when the charger limit is
/// derived from the process's open-file limit.
pub const RESERVED_FILES: u64 = 512;

/// The default charger limit: the open-file limit less [`RESERVED_FILES`].
pub fn derived_max_chargers() -> usize {
    let soft = rlimit::getrlimit(rlimit::Resource::NOFILE)
        .map(|(soft, _)| soft)
        .unwrap_or(1024);
    soft.saturating_sub(RESERVED_FILES).max(16) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauge_refuses_past_its_maximum_and_frees_on_drop() {
        let gauge = Arc::new(ConnectionGauge::new(2));
        let a = gauge.acquire().unwrap();
        let _b = gauge.acquire().unwrap();
        assert!(gauge.acquire().is_none());
        drop(a);
        assert_eq!(gauge.open(), 1);
        assert!(gauge.acquire().is_some());
    }
}
