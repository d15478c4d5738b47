//! Many simulated chargers at once, each on its own task, each with a control handle.

use super::charger::{Charger, ChargerView, Options};
use super::crash::{Crash, CrashPlan};
use super::driver::Plan;
use super::models::Model;
use super::runner::{self, Command, Link};
use super::user::UserOp;
use crate::metrics::Metrics;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Commands waiting per charger before senders wait.
const COMMAND_QUEUE: usize = 16;

/// Controls one running charger.
#[derive(Debug, Clone)]
pub struct ChargerHandle {
    pub id: String,
    commands: mpsc::Sender<Command>,
}

impl ChargerHandle {
    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(make(tx)).await.ok()?;
        rx.await.ok()
    }

    /// A person's action at the charger.
    pub async fn user(&self, op: UserOp) -> Result<String, String> {
        self.ask(|tx| Command::User(op, tx))
            .await
            .unwrap_or_else(|| Err(format!("{} is not running", self.id)))
    }

    pub async fn view(&self) -> Option<ChargerView> {
        self.ask(Command::View).await
    }

    /// Waits until the charger is connected, accepted and answered.
    pub async fn settled(&self) -> bool {
        self.ask(Command::WaitSettled).await.is_some()
    }

    /// Drops the connection, with a crash of that kind or as a network failure (None); the
    /// receiver fires when the charger has settled again.
    pub async fn drop_link(&self, crash: Option<Crash>) -> Option<oneshot::Receiver<()>> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Drop { crash, settled: tx })
            .await
            .ok()?;
        Some(rx)
    }

    /// Drivers stop acting and crashes stop; running sessions go on.
    pub async fn freeze(&self) -> bool {
        self.ask(Command::Freeze).await.is_some()
    }

    /// Stops sessions, delivers the queue for at most `grace`, closes; returns the
    /// transaction messages left undelivered.
    pub async fn shutdown(&self, grace: Duration) -> usize {
        self.ask(|done| Command::Shutdown { grace, done })
            .await
            .unwrap_or(0)
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The server's OCPP endpoint; chargers connect to `<url>/<id>`.
    pub url: String,
    /// Charger ids are `<prefix>-1`, `<prefix>-2`, ...
    pub prefix: String,
    pub count: usize,
    /// Local source addresses, used in turn.
    pub source_ips: Vec<IpAddr>,
    /// New connections per second (0: all at once).
    pub ramp: u64,
    /// Print each charger's events.
    pub verbose: bool,
    /// Keep recent events per charger (control API).
    pub log_events: bool,
    pub heartbeat_override: Option<u32>,
    /// Configuration keys set on every charger before it starts.
    pub config: Vec<(String, String)>,
    /// Drivers for the first `with_drivers` chargers.
    pub plan: Option<Plan>,
    pub with_drivers: usize,
    /// Chargers crash by themselves, mid-session.
    pub crashes: Option<CrashPlan>,
}

/// The running chargers.
pub struct Fleet {
    pub chargers: Vec<ChargerHandle>,
    pub metrics: Arc<Metrics>,
    tasks: Vec<JoinHandle<()>>,
}

impl Fleet {
    /// Starts the chargers (ramping as asked) and returns at once after the last start.
    pub async fn start(spec: Spec, metrics: Arc<Metrics>) -> Fleet {
        let mut chargers = Vec::with_capacity(spec.count);
        let mut tasks = Vec::with_capacity(spec.count);
        for i in 0..spec.count {
            if spec.ramp > 0 && i > 0 && (i as u64).is_multiple_of(spec.ramp) {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            let id = format!("{}-{}", spec.prefix, i + 1);
            let now = std::time::Instant::now();
            let options = Options {
                id: id.clone(),
                model: Model::for_index(i),
                heartbeat_override: spec.heartbeat_override,
                seed: i as u64 ^ 0x5eed,
                log_events: spec.log_events,
            };
            let mut charger = Charger::new(options, metrics.clone(), now);
            for (key, value) in &spec.config {
                charger.config.force(key, value);
            }
            if let Some(plan) = spec.plan.as_ref().filter(|_| i < spec.with_drivers) {
                charger.set_driver(plan.share(i, spec.with_drivers), now);
            }
            if let Some(plan) = spec.crashes {
                charger.set_crashes(plan, now);
            }
            let link = Link {
                url: spec.url.clone(),
                source: (!spec.source_ips.is_empty())
                    .then(|| SocketAddr::new(spec.source_ips[i % spec.source_ips.len()], 0)),
                verbose: spec.verbose,
            };
            let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
            tasks.push(tokio::spawn(runner::run(charger, link, rx)));
            chargers.push(ChargerHandle { id, commands: tx });
        }
        Fleet {
            chargers,
            metrics,
            tasks,
        }
    }

    pub fn get(&self, id: &str) -> Option<&ChargerHandle> {
        self.chargers.iter().find(|c| c.id == id)
    }

    /// Waits until every charger settled, for at most `limit`; returns how many did.
    pub async fn settled(&self, limit: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + limit;
        let waits = self.chargers.iter().map(|c| async move {
            tokio::time::timeout_at(deadline, c.settled())
                .await
                .unwrap_or(false)
        });
        futures_util::future::join_all(waits)
            .await
            .into_iter()
            .filter(|ok| *ok)
            .count()
    }

    /// Shuts every charger down (sessions stopped, queues delivered within `grace`); returns
    /// the transaction messages left undelivered.
    pub async fn shutdown(self, grace: Duration) -> usize {
        let all = self.chargers.iter().map(|c| c.shutdown(grace));
        let left = futures_util::future::join_all(all).await.into_iter().sum();
        drop(self.chargers);
        for task in self.tasks {
            let _ = task.await;
        }
        left
    }
}
