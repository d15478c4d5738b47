//! The supervisor: registry of connected chargers, liveness, and the connected flag in the store.
//!
//! - A new connection for an id already connected wins; the old one is closed with a reason.
//! - Any frame is a sign of life (the charger actor stamps an atomic; no message per frame).
//!   A charger silent past the offline timeout is closed; when its connection is gone the
//!   charger is marked offline and its connectors Unavailable.
//! - Online/offline writes go through here only, so they reach the writer in registry order.

use crate::charger::actor::{now_millis, ChargerActor, Close};
use crate::db::jobs::Job;
use crate::db::writer::Write;
use crate::db::DbWriter;
use crate::ocpp::types::Timestamp;
use actix::prelude::*;
use actix_ws::CloseCode;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often last-seen times are written to the store.
const TOUCH_EVERY: Duration = Duration::from_secs(30);

struct Entry {
    conn_id: u64,
    addr: Addr<ChargerActor>,
    last_seen: Arc<AtomicI64>,
    last_written: i64,
}

pub struct Supervisor {
    chargers: HashMap<Arc<str>, Entry>,
    writer: Addr<DbWriter>,
    offline_timeout: Duration,
}

impl Supervisor {
    pub fn new(writer: Addr<DbWriter>, offline_timeout: Duration) -> Self {
        Supervisor {
            chargers: HashMap::new(),
            writer,
            offline_timeout,
        }
    }

    /// Closes connections silent for longer than the offline timeout.
    fn sweep(&mut self) {
        let limit = now_millis() - self.offline_timeout.as_millis() as i64;
        for (id, entry) in &self.chargers {
            if entry.last_seen.load(Ordering::Relaxed) < limit {
                log::warn!(
                    "charger {id}: silent for more than {:?}; marking it offline",
                    self.offline_timeout
                );
                entry.addr.do_send(Close {
                    code: CloseCode::Away,
                    reason: "no message within the offline timeout".into(),
                });
            }
        }
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
        ctx.run_interval(sweep_every, |act, _| act.sweep());
        ctx.run_interval(TOUCH_EVERY, |act, _| act.write_last_seen());
    }
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Register {
    pub id: Arc<str>,
    pub conn_id: u64,
    pub addr: Addr<ChargerActor>,
    pub last_seen: Arc<AtomicI64>,
}

impl Handler<Register> for Supervisor {
    type Result = ();

    fn handle(&mut self, msg: Register, _: &mut Context<Self>) {
        let entry = Entry {
            conn_id: msg.conn_id,
            addr: msg.addr,
            last_seen: msg.last_seen,
            last_written: 0,
        };
        if let Some(old) = self.chargers.insert(msg.id.clone(), entry) {
            log::warn!("charger {}: new connection replaces the open one", msg.id);
            old.addr.do_send(Close {
                code: CloseCode::Policy,
                reason: "replaced by a newer connection of the same charge point".into(),
            });
        }
        let at = Timestamp::now().naive();
        self.writer.do_send(Write(Job::Online {
            charge_point_id: msg.id.to_string(),
            at,
        }));
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
