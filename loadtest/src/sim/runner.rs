//! Runs one simulated charger on a real WebSocket: connects (and reconnects with back-off),
//! feeds it frames, time and commands, and sends what it produces. All decisions are the
//! charger's; this loop only does the I/O.

use super::charger::{Charger, ChargerView};
use super::crash::Crash;
use super::user::UserOp;
use crate::net::{self, Ws};
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// First wait after a failed connection; doubled up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Shortest timer sleep: frames and commands wake the loop at once anyway, and a timer that
/// is already due must not make it spin.
const MIN_SLEEP: Duration = Duration::from_millis(5);

/// What the outside asks of a running charger.
#[derive(Debug)]
pub enum Command {
    /// A person's action; answered with what happened.
    User(UserOp, oneshot::Sender<Result<String, String>>),
    View(oneshot::Sender<ChargerView>),
    /// Lose the connection without a close handshake and reconnect at once: as a network
    /// failure would (`crash` None), or in a crash of that kind (the charger boots again).
    /// Answered once settled again.
    Drop {
        crash: Option<Crash>,
        settled: oneshot::Sender<()>,
    },
    /// Drivers stop acting and the charger stops crashing (the end of a load run nears).
    Freeze(oneshot::Sender<()>),
    /// Answered once the charger is connected, accepted and got an answer.
    WaitSettled(oneshot::Sender<()>),
    /// Stop sessions, send what is queued (for at most `grace`), close. Answered with the
    /// number of transaction messages left undelivered.
    Shutdown {
        grace: Duration,
        done: oneshot::Sender<usize>,
    },
}

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct Link {
    pub url: String,
    pub source: Option<SocketAddr>,
    /// Print the charger's events on stdout.
    pub verbose: bool,
}

async fn next_message(ws: &mut Option<Ws>) -> Option<Result<Message, WsError>> {
    match ws {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

/// The loop's own state besides the charger.
struct Runner {
    c: Charger,
    link: Link,
    ws: Option<Ws>,
    retry_at: Instant,
    backoff: Duration,
    waiting: Vec<oneshot::Sender<()>>,
    shutdown: Option<(Instant, oneshot::Sender<usize>)>,
}

/// Runs until the command channel closes or a shutdown completes.
pub async fn run(charger: Charger, link: Link, mut commands: mpsc::Receiver<Command>) {
    let mut r = Runner {
        c: charger,
        link,
        ws: None,
        retry_at: Instant::now(),
        backoff: FIRST_BACKOFF,
        waiting: Vec::new(),
        shutdown: None,
    };
    loop {
        let now = Instant::now();
        r.c.tick(now.into_std());
        if r.c.take_broken_link() {
            r.crashed();
        }
        r.manage_link(now).await;
        r.flush().await;
        r.report();
        if r.finished(now).await {
            return;
        }
        let mut wake = Instant::from_std(r.c.next_wake(now.into_std()));
        if r.ws.is_none() && r.c.wants_link(now.into_std()) && r.shutdown.is_none() {
            wake = wake.min(r.retry_at);
        }
        if let Some((deadline, _)) = &r.shutdown {
            wake = wake.min(*deadline);
        }
        let wake = wake.max(Instant::now() + MIN_SLEEP);
        tokio::select! {
            _ = tokio::time::sleep_until(wake) => {}
            message = next_message(&mut r.ws) => r.on_message(message).await,
            command = commands.recv() => match command {
                Some(command) => r.on_command(command),
                None => {
                    r.close().await;
                    return;
                }
            },
        }
    }
}

impl Runner {
    /// Leaves the link when the charger wants to be off; connects when it wants to be on.
    async fn manage_link(&mut self, now: Instant) {
        let wants = self.c.wants_link(now.into_std());
        if self.ws.is_some() && !wants {
            self.close().await;
        }
        if self.ws.is_none() && wants && now >= self.retry_at && self.shutdown.is_none() {
            match net::connect(&self.link.url, &self.c.id, self.link.source).await {
                Ok(ws) => {
                    self.ws = Some(ws);
                    self.backoff = FIRST_BACKOFF;
                    self.c.metrics.connected.fetch_add(1, Ordering::Relaxed);
                    self.c.connected(std::time::Instant::now());
                }
                Err(e) => {
                    self.c.metrics.failed.fetch_add(1, Ordering::Relaxed);
                    self.c.metrics.session_error(&format!("connect: {e}"));
                    if self.link.verbose {
                        println!("{}: cannot connect: {e}", self.c.id);
                    }
                    self.retry_at = Instant::now() + self.backoff;
                    self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    /// Sends every CALL that may leave now.
    async fn flush(&mut self) {
        let Some(ws) = self.ws.as_mut() else {
            return;
        };
        let mut broken = false;
        while let Some(text) = self.c.poll_send(std::time::Instant::now()) {
            if ws.send(Message::text(text)).await.is_err() {
                broken = true;
                break;
            }
        }
        if broken {
            self.lost();
        }
    }

    /// Prints new events, wakes those waiting for the charger to settle.
    fn report(&mut self) {
        for event in self.c.take_events() {
            if self.link.verbose {
                println!("{}: {event}", self.c.id);
            }
        }
        if self.c.is_settled() {
            for w in self.waiting.drain(..) {
                let _ = w.send(());
            }
        }
    }

    /// Ends a shutdown once everything is sent (or the grace time is over, or the link is
    /// down); returns whether the loop is over.
    async fn finished(&mut self, now: Instant) -> bool {
        let Some((deadline, _)) = &self.shutdown else {
            return false;
        };
        if !(self.c.is_idle() || now >= *deadline || self.ws.is_none()) {
            return false;
        }
        let left = self.c.durable_pending();
        self.close().await;
        if let Some((_, done)) = self.shutdown.take() {
            let _ = done.send(left);
        }
        true
    }

    async fn on_message(&mut self, message: Option<Result<Message, WsError>>) {
        match message {
            Some(Ok(Message::Text(text))) => {
                let replies = self.c.receive(&text, std::time::Instant::now());
                if let Some(ws) = self.ws.as_mut() {
                    for reply in replies {
                        if ws.send(Message::text(reply)).await.is_err() {
                            self.lost();
                            return;
                        }
                    }
                }
            }
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                self.lost();
                self.retry_at = Instant::now() + FIRST_BACKOFF;
            }
            // Pings are answered by the WebSocket layer; binary frames carry no OCPP-J.
            Some(Ok(_)) => {}
        }
    }

    fn on_command(&mut self, command: Command) {
        let now = std::time::Instant::now();
        match command {
            Command::User(op, reply) => {
                let _ = reply.send(self.c.user(op, now));
            }
            Command::View(reply) => {
                let _ = reply.send(self.c.view());
            }
            Command::Drop { crash, settled } => {
                match crash {
                    Some(kind) => {
                        self.c.crash(kind, now);
                        self.c.take_broken_link();
                        self.crashed();
                    }
                    None => {
                        self.lost();
                        self.retry_at = Instant::now();
                    }
                }
                self.waiting.push(settled);
            }
            Command::Freeze(done) => {
                self.c.freeze(now);
                let _ = done.send(());
            }
            Command::WaitSettled(reply) => self.waiting.push(reply),
            Command::Shutdown { grace, done } => {
                self.c.shut_down(now);
                self.shutdown = Some((Instant::now() + grace, done));
            }
        }
    }

    /// The charger crashed: the socket is dropped without a close frame (the server sees it
    /// vanish), and the charger comes back at once.
    fn crashed(&mut self) {
        self.lost();
        self.retry_at = Instant::now();
    }

    /// The connection is gone without a goodbye.
    fn lost(&mut self) {
        if self.ws.take().is_some() {
            self.c.metrics.connected.fetch_sub(1, Ordering::Relaxed);
            self.c.disconnected(std::time::Instant::now());
        }
    }

    /// Closes the connection politely.
    async fn close(&mut self) {
        if let Some(mut ws) = self.ws.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
            self.c.metrics.connected.fetch_sub(1, Ordering::Relaxed);
            self.c.disconnected(std::time::Instant::now());
        }
    }
}
