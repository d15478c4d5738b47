//! The supervisor: registry of connected chargers, liveness, and the connected flag in the store.
//!
//! - A new connection for an id already connected wins; the old one is closed with a reason.
//! - Any frame is a sign of life (the charger actor stamps an atomic; no message per frame).
//!   A charger silent past the offline timeout is closed; when its connection is gone the
//!   charger is marked offline and its connectors Unavailable.
//! - Online/offline writes go through here only, so they reach the writer in registry order.
//! - An id whose connection keeps being replaced (two devices with one id) is counted, named
//!   in a warning and shown in `/metrics`.
//! - Periodically asks the writer to end transactions whose connector has been idle past the
//!   grace (see `db::jobs::ghosts`).

use crate::charger::actor::{now_millis, ChargerActor, Close};
use crate::config::OcppConfig;
use crate::db::jobs::ghosts::idle_candidates;
use crate::db::jobs::Job;
use crate::db::writer::Write;
use crate::db::{DbWriter, Pool};
use crate::ocpp::types::Timestamp;
use actix::prelude::*;
use actix_ws::CloseCode;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often last-seen times are written to the store.
const TOUCH_EVERY: Duration = Duration::from_secs(30);
/// Replacements of one id counted together; this many in one window earn a warning.
const REPLACEMENT_WINDOW_MS: i64 = 10 * 60 * 1000;
const REPEATED_REPLACEMENTS: u32 = 3;

struct Entry {
    conn_id: u64,
    addr: Addr<ChargerActor>,
    last_seen: Arc<AtomicI64>,
    last_written: i64,
    offline_timeout: Duration,
}

/// Recent replacements of one id.
struct Replacements {
    since: i64,
    count: u32,
}

pub struct Supervisor {
    chargers: HashMap<Arc<str>, Entry>,
    replaced: HashMap<Arc<str>, Replacements>,
    writer: Addr<DbWriter>,
    pool: Pool,
    offline_timeout: Duration,
    idle_grace_secs: u32,
}

impl Supervisor {
    pub fn new(writer: Addr<DbWriter>, pool: Pool, config: &OcppConfig) -> Self {
        Supervisor {
            chargers: HashMap::new(),
            replaced: HashMap::new(),
            writer,
            pool,
            offline_timeout: config.offline_timeout(),
            idle_grace_secs: config.idle_transaction_grace_secs,
        }
    }

    /// Closes connections silent for longer than their offline timeout.
    fn sweep(&mut self) {
        let now = now_millis();
        for (id, entry) in &self.chargers {
            let limit = now - entry.offline_timeout.as_millis() as i64;
            if entry.last_seen.load(Ordering::Relaxed) < limit {
                log::warn!(
                    "charger {id}: silent for more than {:?}; marking it offline",
                    entry.offline_timeout
                );
                entry.addr.do_send(Close {
                    code: CloseCode::Away,
                    reason: "no message within the offline timeout".into(),
                });
            }
        }
    }

    /// Counts a replacement of `id`; warns once it keeps happening.
    fn count_replacement(&mut self, id: &Arc<str>) {
        crate::metrics::connection_replaced();
        let now = now_millis();
        let r = self.replaced.entry(id.clone()).or_insert(Replacements {
            since: now,
            count: 0,
        });
        if now - r.since > REPLACEMENT_WINDOW_MS {
            *r = Replacements {
                since: now,
                count: 0,
            };
        }
        r.count += 1;
        if r.count == REPEATED_REPLACEMENTS {
            log::warn!(
                "charger {id}: connection replaced {} times within {} minutes; two devices may be \
                 using this charge point id",
                r.count,
                REPLACEMENT_WINDOW_MS / 60_000
            );
        }
        self.report_replacing();
    }

    /// Forgets replacements older than the window and publishes how many ids repeat.
    fn report_replacing(&mut self) {
        let now = now_millis();
        self.replaced
            .retain(|_, r| now - r.since <= REPLACEMENT_WINDOW_MS);
        let repeating = self
            .replaced
            .values()
            .filter(|r| r.count >= REPEATED_REPLACEMENTS)
            .count();
        crate::metrics::set_replacing_themselves(repeating);
    }

    /// Finds transactions idle past the grace (a read) and asks the writer to end them.
    fn sweep_idle_transactions(&mut self, ctx: &mut Context<Self>) {
        let grace_secs = self.idle_grace_secs;
        let grace = chrono::TimeDelta::seconds(i64::from(grace_secs));
        let (pool, writer) = (self.pool.clone(), self.writer.clone());
        ctx.spawn(actix::fut::wrap_future(async move {
            let at = Timestamp::now().naive();
            let found = crate::db::read(&pool, move |c| idle_candidates(c, grace, at)).await;
            let candidates = match found {
                Ok(c) if c.is_empty() => return,
                Ok(c) => c,
                Err(e) => return log::error!("idle transaction sweep failed: {e}"),
            };
            let job = Job::EndIdleTransactions {
                candidates,
                grace_secs,
                at,
            };
            match writer.send(Write(job)).await {
                Ok(Ok(crate::db::jobs::Outcome::Pruned(n))) if n > 0 => log::info!(
                    "ended {n} transactions whose connector stayed Available with no meter values"
                ),
                Ok(Err(e)) => log::error!("idle transaction sweep failed: {e}"),
                _ => {}
            }
        }));
    }

    fn write_last_seen(&mut self) {
        let mut seen = Vec::new();
        for (id, entry) in self.chargers.iter_mut() {
            let t = entry.last_seen.load(Ordering::Relaxed);
            if t != entry.last_written {
                entry.last_written = t;
                if let Some(at) = chrono::DateTime::from_timestamp_millis(t) {
                    seen.push((id.to_string(), at.naive_utc()));
                }
            }
        }
        if !seen.is_empty() {
            self.writer.do_send(Write(Job::Touch { seen }));
        }
    }
}

impl Actor for Supervisor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(1 << 20);
        let sweep_every =
            (self.offline_timeout / 4).clamp(Duration::from_millis(100), Duration::from_secs(15));
        ctx.run_interval(sweep_every, |act, _| {
            act.sweep();
            act.report_replacing();
        });
        ctx.run_interval(TOUCH_EVERY, |act, _| act.write_last_seen());
        if self.idle_grace_secs > 0 {
            let every = Duration::from_secs(u64::from(self.idle_grace_secs) / 4)
                .clamp(Duration::from_secs(1), Duration::from_secs(30));
            ctx.run_interval(every, |act, ctx| act.sweep_idle_transactions(ctx));
        }
    }
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Register {
    pub id: Arc<str>,
    pub conn_id: u64,
    pub addr: Addr<ChargerActor>,
    pub last_seen: Arc<AtomicI64>,
    /// Silence after which this charger is marked offline; `None`: the configured one.
    pub offline_timeout: Option<Duration>,
}

impl Handler<Register> for Supervisor {
    type Result = ();

    fn handle(&mut self, msg: Register, _: &mut Context<Self>) {
        let entry = Entry {
            conn_id: msg.conn_id,
            addr: msg.addr,
            last_seen: msg.last_seen,
            last_written: 0,
            offline_timeout: msg.offline_timeout.unwrap_or(self.offline_timeout),
        };
        let replaced = self.chargers.insert(msg.id.clone(), entry);
        if let Some(old) = &replaced {
            log::warn!("charger {}: new connection replaces the open one", msg.id);
            old.addr.do_send(Close {
                code: CloseCode::Policy,
                reason: "replaced by a newer connection of the same charge point".into(),
            });
            self.count_replacement(&msg.id);
        }
        let at = Timestamp::now().naive();
        self.writer.do_send(Write(Job::Online {
            charge_point_id: msg.id.to_string(),
            replaced: replaced.is_some(),
            at,
        }));
    }
}

/// A charger's offline timeout changed (its heartbeat interval did, at a boot).
#[derive(Message)]
#[rtype(result = "()")]
pub struct SetOfflineTimeout {
    pub id: Arc<str>,
    pub conn_id: u64,
    pub offline_timeout: Option<Duration>,
}

impl Handler<SetOfflineTimeout> for Supervisor {
    type Result = ();

    fn handle(&mut self, msg: SetOfflineTimeout, _: &mut Context<Self>) {
        if let Some(entry) = self
            .chargers
            .get_mut(&msg.id)
            .filter(|e| e.conn_id == msg.conn_id)
        {
            entry.offline_timeout = msg.offline_timeout.unwrap_or(self.offline_timeout);
        }
    }
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Unregister {
    pub id: Arc<str>,
    pub conn_id: u64,
}

impl Handler<Unregister> for Supervisor {
    type Result = ();

    fn handle(&mut self, msg: Unregister, _: &mut Context<Self>) {
        let current = self
            .chargers
            .get(&msg.id)
            .is_some_and(|e| e.conn_id == msg.conn_id);
        if current {
            self.chargers.remove(&msg.id);
            let at = Timestamp::now().naive();
            self.writer.do_send(Write(Job::Offline {
                charge_point_id: msg.id.to_string(),
                at,
            }));
        }
    }
}

/// The actor of a connected charger.
#[derive(Message)]
#[rtype(result = "Option<Addr<ChargerActor>>")]
pub struct Lookup(pub String);

impl Handler<Lookup> for Supervisor {
    type Result = Option<Addr<ChargerActor>>;

    fn handle(&mut self, msg: Lookup, _: &mut Context<Self>) -> Self::Result {
        self.chargers.get(msg.0.as_str()).map(|e| e.addr.clone())
    }
}

/// Ids of the connected chargers.
#[derive(Message)]
#[rtype(result = "Vec<String>")]
pub struct Connected;

impl Handler<Connected> for Supervisor {
    type Result = MessageResult<Connected>;

    fn handle(&mut self, _: Connected, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.chargers.keys().map(|k| k.to_string()).collect())
    }
}

/// Closes every charger connection with 1001 (server going away); answers with how many.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct CloseAll;

impl Handler<CloseAll> for Supervisor {
    type Result = usize;

    fn handle(&mut self, _: CloseAll, _: &mut Context<Self>) -> usize {
        self.write_last_seen();
        for entry in self.chargers.values() {
            entry.addr.do_send(Close {
                code: CloseCode::Away,
                reason: "central system shutting down".into(),
            });
        }
        self.chargers.len()
    }
}
