//! The charger actor: one per WebSocket connection. It reads the frame stream, keeps the
//! charger's [`ChargerState`], asks the writer to store what the charger reports and answers
//! only after the commit, and sends our own CALLs one at a time through its [`CallSlot`].

use super::frame_limit;
use super::handlers::{self, Env, Step};
use super::state::{samples_within, CallSlot, ChargerState, Registration, ReplyQueue, TokenBucket};
use crate::db::jobs::ChargerSnapshot;
use crate::db::jobs::{Job, Outcome};
use crate::db::models::LogRow;
use crate::db::writer::{submit, LogFrames, Write};
use crate::ocpp::frame::{CallError, ErrorCode, Frame, FrameError};
use crate::ocpp::types::{quirks, Timestamp};
use crate::ocpp::v16::secrets;
use crate::ocpp::v16::start_transaction::StartTransactionRequest;
use crate::ocpp::v16::{parse, ChargerCall, Request};
use crate::services::{ConnectionPermit, Services};
use crate::supervisor::{Register, SetOfflineTimeout, Unregister};
use actix::prelude::*;
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, ProtocolError};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit};

/// Leave to read one more message from the charger; given back once what answers that
/// message has been written (or at once, if nothing does).
pub type ReadPermit = OwnedSemaphorePermit;

/// What the socket writer task sends, in order.
#[derive(Debug)]
pub enum Outgoing {
    /// A frame; an answer carries the read permit of the frame it answers.
    Text(String, Option<ReadPermit>),
    Ping,
    Pong(bytes::Bytes, ReadPermit),
    Close(Option<CloseReason>),
}

/// Pongs answered at once, then at most this many per second (a ping flood costs nothing).
const PONG_BURST: u32 = 5;
const PONGS_PER_SEC: f64 = 1.0;
/// Warnings about what one charger sends: a burst, then at most this many per second; the
/// next one says how many were held back.
const WARNING_BURST: u32 = 20;
const WARNINGS_PER_SEC: f64 = 1.0;

/// Closes the connection (from the supervisor: replaced, silent too long, shutting down).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Close {
    pub code: CloseCode,
    pub reason: String,
}

/// A CALL of ours to the charger: the typed request of one OCPP action, answered with its
/// typed confirmation (or why there is none).
pub struct Command<R: Request>(pub R);

impl<R: Request> Message for Command<R> {
    type Result = Result<R::Response, CallFailure>;
}

/// Why a CALL of ours got no CALLRESULT.
#[derive(Debug, Clone, PartialEq)]
pub enum CallFailure {
    /// The charger's registration state forbids it (OCPP 1.6, 4.2).
    NotAllowed(String),
    /// The charger answered with a CALLERROR.
    Error {
        code: ErrorCode,
        description: String,
    },
    /// The charger answered with a CALLRESULT whose payload is not a valid confirmation:
    /// `error` says why (naming the field), `raw` is the payload as received.
    UndecodableAnswer { error: String, raw: Value },
    /// Our request could not be put into a CALL (a bug: nothing was sent).
    Unsendable(String),
    /// No answer within the call timeout.
    Timeout,
    /// The connection closed before an answer came.
    Disconnected,
}

struct PendingCall {
    action: &'static str,
    payload: Value,
    reply: oneshot::Sender<Result<Value, CallFailure>>,
}

pub struct ChargerActor {
    id: Arc<str>,
    conn_id: u64,
    services: Services,
    out: mpsc::Sender<Outgoing>,
    state: ChargerState,
    replies: ReplyQueue<ReadPermit>,
    /// The outgoing queue overflowed: the connection is closing.
    overflowed: bool,
    pongs: TokenBucket,
    warnings: TokenBucket,
    calls: CallSlot<PendingCall>,
    /// StartTransactions stored whose answer has not left yet, by reply ticket: if the
    /// connection ends first, their transactions are marked (the charger may not know them).
    unanswered_starts: BTreeMap<u64, StartTransactionRequest>,
    /// Its own heartbeat interval, if it has one (for its offline timeout).
    heartbeat_interval_secs: Option<u32>,
    /// Milliseconds since the epoch of the last frame received; read by the supervisor.
    last_seen: Arc<AtomicI64>,
    /// Close at once after the handshake (no OCPP subprotocol agreed).
    refuse: Option<CloseReason>,
    _permit: ConnectionPermit,
}

impl ChargerActor {
    pub fn new(
        id: Arc<str>,
        conn_id: u64,
        services: Services,
        out: mpsc::Sender<Outgoing>,
        snapshot: &ChargerSnapshot,
        refuse: Option<CloseReason>,
        permit: ConnectionPermit,
    ) -> Self {
        ChargerActor {
            calls: CallSlot::new(format!("{conn_id:x}-")),
            id,
            conn_id,
            services,
            out,
            state: ChargerState::new(snapshot),
            replies: ReplyQueue::default(),
            overflowed: false,
            pongs: TokenBucket::new(PONG_BURST, PONGS_PER_SEC, Instant::now()),
            warnings: TokenBucket::new(WARNING_BURST, WARNINGS_PER_SEC, Instant::now()),
            unanswered_starts: BTreeMap::new(),
            heartbeat_interval_secs: snapshot.heartbeat_interval_secs,
            last_seen: Arc::new(AtomicI64::new(now_millis())),
            refuse,
            _permit: permit,
        }
    }

    fn send_frame(&mut self, frame: &Frame, ctx: &mut Context<Self>) {
        let text = frame.to_text();
        self.log_frame("out", Some(frame), &text);
        self.push(Outgoing::Text(text, None), ctx);
    }

    /// Queues something for the socket; whether it was queued. A full queue (the charger
    /// reads nothing of what we send) closes the connection.
    fn push(&mut self, message: Outgoing, ctx: &mut Context<Self>) -> bool {
        match self.out.try_send(message) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                if !self.overflowed {
                    self.overflowed = true;
                    log::warn!(
                        "charger {}: closing, its outgoing queue is full (it reads nothing we send)",
                        self.id
                    );
                }
                ctx.stop();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// A warning about what the charger sent, rate-limited per connection.
    fn warn(&mut self, message: std::fmt::Arguments<'_>) {
        match self.warnings.take(Instant::now()) {
            Some(0) => log::warn!("charger {}: {message}", self.id),
            Some(held_back) => log::warn!(
                "charger {}: {message} ({held_back} similar warnings suppressed)",
                self.id
            ),
            None => {}
        }
    }

    fn close(&mut self, ctx: &mut Context<Self>, code: CloseCode, reason: impl Into<String>) {
        let reason = reason.into();
        log::info!("charger {}: closing connection ({reason})", self.id);
        let _ = self.out.try_send(Outgoing::Close(Some(CloseReason {
            code,
            description: Some(reason),
        })));
        ctx.stop();
    }

    fn log_frame(&self, direction: &'static str, frame: Option<&Frame>, text: &str) {
        crate::metrics::frame(direction, frame);
        if !self.services.config.log.messages {
            return;
        }
        let (message_type, message_id, action) = match frame {
            Some(Frame::Call { id, action, .. }) => (2, Some(id.clone()), Some(action.clone())),
            Some(f) => (i32::from(f.type_id()), Some(f.id().to_owned()), None),
            None => (0, None, None),
        };
        // Secret configuration values stay out of the log; an unreadable frame that names a
        // secret key is not kept at all. Only our ChangeConfiguration and the charger's answers
        // can carry one: the charger's CALLs and our answers (every message) are not looked at.
        let may_carry = match frame {
            Some(Frame::Call { action, .. }) => action == "ChangeConfiguration",
            Some(Frame::CallResult { .. }) => direction == "in",
            Some(Frame::CallError(_)) => false,
            None => true,
        };
        let text = match frame {
            _ if !(may_carry && secrets::may_hold_secret(text)) => std::borrow::Cow::Borrowed(text),
            Some(f) => std::borrow::Cow::Owned(f.redacted().to_text()),
            None => std::borrow::Cow::Borrowed(secrets::REDACTED),
        };
        self.services.writer.do_send(LogFrames(vec![LogRow {
            charge_point_id: self.id.to_string(),
            direction,
            message_type,
            message_id,
            action,
            payload: text.into_owned(),
            logged_at: Timestamp::now().naive(),
        }]));
    }

    fn on_text(&mut self, text: &str, permit: ReadPermit, ctx: &mut Context<Self>) {
        let frame = Frame::parse(text);
        self.log_frame("in", frame.as_ref().ok(), text);
        match frame {
            Ok(Frame::Call {
                id,
                action,
                payload,
            }) => self.on_call(id, &action, &payload, permit, ctx),
            Ok(Frame::CallResult { id, payload }) => self.on_answer(&id, Ok(payload), ctx),
            Ok(Frame::CallError(e)) => {
                let failure = CallFailure::Error {
                    code: e.code,
                    description: e.description,
                };
                self.on_answer(&e.id, Err(failure), ctx)
            }
            Err(FrameError::Reply(error)) => {
                self.warn(format_args!(
                    "unreadable frame ({}): {}",
                    error.description,
                    clip(text)
                ));
                let ticket = self.replies.reserve(permit);
                self.answer(ticket, Frame::CallError(error), ctx);
            }
            Err(FrameError::Ignore(why)) => {
                self.warn(format_args!("ignored frame ({why}): {}", clip(text)))
            }
        }
    }

    fn on_call(
        &mut self,
        id: String,
        action: &str,
        payload: &Value,
        permit: ReadPermit,
        ctx: &mut Context<Self>,
    ) {
        let ticket = self.replies.reserve(permit);
        let decoded = ChargerCall::decode(action, payload);
        let notes = quirks::take();
        if !notes.is_empty() {
            log::info!(
                "charger {}: {action} accepted despite: {}",
                self.id,
                notes.join("; ")
            );
        }
        let call = match decoded {
            Ok(call) => call,
            Err(e) => {
                self.warn(format_args!("{action} refused with {e}"));
                return self.answer(
                    ticket,
                    Frame::CallError(CallError::new(id, e.code, e.description)),
                    ctx,
                );
            }
        };
        let max_samples = self.services.config.ocpp.max_samples_per_message;
        let admitted = self
            .state
            .admit(&call)
            .and_then(|()| samples_within(&call, max_samples));
        if let Err(refusal) = admitted {
            self.warn(format_args!("{action} refused: {}", refusal.description));
            return self.answer(
                ticket,
                Frame::CallError(CallError::new(id, refusal.code, refusal.description)),
                ctx,
            );
        }
        let env = self.env();
        match handlers::handle(&env, &call) {
            Step::Reply(payload) => self.answer(ticket, Frame::CallResult { id, payload }, ctx),
            Step::Store(job) => {
                if let ChargerCall::StartTransaction(request) = &call {
                    self.unanswered_starts.insert(ticket, request.clone());
                }
                let stored = submit(&self.services.writer, *job);
                ctx.spawn(stored.into_actor(self).map(move |result, act, ctx| {
                    let frame = match result {
                        Ok(Ok(outcome)) => {
                            act.state.apply(&call, &outcome);
                            act.learn_interval(&outcome);
                            match handlers::respond(&act.env(), &call, outcome) {
                                Ok(payload) => Frame::CallResult { id, payload },
                                Err(bug) => internal_error(&act.id, id, bug),
                            }
                        }
                        Ok(Err(e)) => internal_error(&act.id, id, e.to_string()),
                        Err(_) => internal_error(&act.id, id, "the writer has stopped".into()),
                    };
                    act.answer(ticket, frame, ctx);
                }));
            }
        }
    }

    fn env(&self) -> Env<'_> {
        Env {
            charge_point_id: &self.id,
            config: &self.services.config.ocpp,
            now: Timestamp::now(),
        }
    }

    /// Queues an answer; sends whatever answers are now ready, in order.
    fn answer(&mut self, ticket: u64, frame: Frame, ctx: &mut Context<Self>) {
        let text = frame.to_text();
        self.log_frame("out", Some(&frame), &text);
        let mut delivered = true;
        for (ready, permit) in self.replies.fill(ticket, text) {
            delivered &= self.push(Outgoing::Text(ready, Some(permit)), ctx);
        }
        if delivered && !self.unanswered_starts.is_empty() {
            let unsent = self
                .unanswered_starts
                .split_off(&self.replies.sent_before());
            self.unanswered_starts = unsent;
        }
    }

    /// A boot answer gave the charger its heartbeat interval: its offline timeout follows.
    fn learn_interval(&mut self, outcome: &Outcome) {
        if let Outcome::Registered {
            heartbeat_interval_secs,
            ..
        } = outcome
        {
            if *heartbeat_interval_secs != self.heartbeat_interval_secs {
                self.heartbeat_interval_secs = *heartbeat_interval_secs;
                self.services.supervisor.do_send(SetOfflineTimeout {
                    id: self.id.clone(),
                    conn_id: self.conn_id,
                    offline_timeout: self
                        .services
                        .config
                        .ocpp
                        .offline_timeout_for(*heartbeat_interval_secs),
                });
            }
        }
    }

    fn on_answer(&mut self, id: &str, result: Result<Value, CallFailure>, ctx: &mut Context<Self>) {
        match self.calls.complete(id) {
            Some(call) => {
                crate::metrics::call_done();
                let _ = call.reply.send(result);
                self.send_next_call(ctx);
            }
            None => self.warn(format_args!("answer to unknown message id {id:?} ignored")),
        }
    }

    fn send_next_call(&mut self, ctx: &mut Context<Self>) {
        let next = self
            .calls
            .start_next_call()
            .map(|(id, c)| (id, c.action, c.payload.clone()));
        self.send_call(next, ctx);
    }

    /// Sends the CALL that just went in flight, and arms its timeout.
    fn send_call(
        &mut self,
        started: Option<(String, &'static str, Value)>,
        ctx: &mut Context<Self>,
    ) {
        let Some((id, action, payload)) = started else {
            return;
        };
        self.send_frame(
            &Frame::Call {
                id: id.clone(),
                action: action.to_owned(),
                payload,
            },
            ctx,
        );
        ctx.run_later(self.services.config.ocpp.call_timeout(), move |act, ctx| {
            if let Some(call) = act.calls.complete(&id) {
                crate::metrics::call_done();
                log::warn!(
                    "charger {}: no answer to {} {id} in time",
                    act.id,
                    call.action
                );
                let _ = call.reply.send(Err(CallFailure::Timeout));
                act.send_next_call(ctx);
            }
        });
    }

    fn refuse_oversized(&mut self, ctx: &mut Context<Self>) {
        let limit = self.services.config.ocpp.max_frame_bytes;
        self.close(
            ctx,
            CloseCode::Size,
            format!("message larger than {limit} bytes"),
        );
    }

    fn touch(&self) {
        self.last_seen.store(now_millis(), Ordering::Relaxed);
    }
}

fn internal_error(charger: &str, id: String, why: String) -> Frame {
    log::error!("charger {charger}: answering InternalError: {why}");
    Frame::CallError(CallError::new(
        id,
        ErrorCode::InternalError,
        "the central system could not store the message",
    ))
}

fn clip(text: &str) -> &str {
    match text.char_indices().nth(200) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

pub(crate) fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Actor for ChargerActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(64);
        if let Some(reason) = self.refuse.take() {
            log::warn!(
                "charger {}: {}",
                self.id,
                reason.description.as_deref().unwrap_or("refused")
            );
            let _ = self.out.try_send(Outgoing::Close(Some(reason)));
            ctx.stop();
            return;
        }
        log::info!("charger {}: connected", self.id);
        self.services.supervisor.do_send(Register {
            id: self.id.clone(),
            conn_id: self.conn_id,
            addr: ctx.address(),
            last_seen: self.last_seen.clone(),
            offline_timeout: self
                .services
                .config
                .ocpp
                .offline_timeout_for(self.heartbeat_interval_secs),
        });
        let boot_deadline = self.services.config.ocpp.boot_deadline_secs;
        if boot_deadline > 0 && self.state.registration == Registration::Unregistered {
            ctx.run_later(Duration::from_secs(boot_deadline), move |act, ctx| {
                if act.state.registration == Registration::Unregistered {
                    act.close(
                        ctx,
                        CloseCode::Policy,
                        format!("no BootNotification within {boot_deadline} s"),
                    );
                }
            });
        }
        let ping_every = self.services.config.ocpp.ping_interval_secs;
        if ping_every > 0 {
            ctx.run_interval(Duration::from_secs(ping_every), |act, _| {
                // A full queue skips a ping: the writer's timeout deals with a stuck charger.
                let _ = act.out.try_send(Outgoing::Ping);
            });
        }
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        for call in self.calls.drain() {
            crate::metrics::call_done();
            let _ = call.reply.send(Err(CallFailure::Disconnected));
        }
        if self.warnings.refused() > 0 {
            log::warn!(
                "charger {}: {} further warnings suppressed",
                self.id,
                self.warnings.refused()
            );
        }
        if self.replies.pending() > 0 {
            log::info!(
                "charger {}: {} answers unsent at disconnect (stored, the charger will retry)",
                self.id,
                self.replies.pending()
            );
        }
        for request in std::mem::take(&mut self.unanswered_starts).into_values() {
            log::warn!(
                "charger {}: the answer to StartTransaction on connector {} was never delivered",
                self.id,
                request.connector_id
            );
            self.services.writer.do_send(Write(Job::StartAnswerLost {
                charge_point_id: self.id.to_string(),
                request,
                at: Timestamp::now().naive(),
            }));
        }
        self.services.supervisor.do_send(Unregister {
            id: self.id.clone(),
            conn_id: self.conn_id,
        });
        log::info!("charger {}: disconnected", self.id);
    }
}

impl StreamHandler<(Result<AggregatedMessage, ProtocolError>, ReadPermit)> for ChargerActor {
    fn handle(
        &mut self,
        (item, permit): (Result<AggregatedMessage, ProtocolError>, ReadPermit),
        ctx: &mut Context<Self>,
    ) {
        self.touch();
        match item {
            Ok(AggregatedMessage::Text(text)) => self.on_text(&text, permit, ctx),
            Ok(AggregatedMessage::Binary(bytes)) => match std::str::from_utf8(&bytes) {
                Ok(text) => {
                    log::info!(
                        "charger {}: OCPP frame sent as binary, read as text",
                        self.id
                    );
                    self.on_text(text, permit, ctx)
                }
                Err(_) => self.warn(format_args!("binary frame ignored (OCPP-J uses text)")),
            },
            Ok(AggregatedMessage::Ping(bytes)) => {
                if self.pongs.take(Instant::now()).is_some() {
                    self.push(Outgoing::Pong(bytes, permit), ctx);
                }
            }
            Ok(AggregatedMessage::Pong(_)) => {}
            Ok(AggregatedMessage::Close(reason)) => {
                log::info!("charger {}: closed by charger ({reason:?})", self.id);
                let _ = self.out.try_send(Outgoing::Close(reason));
                ctx.stop();
            }
            Err(ProtocolError::Overflow) => self.refuse_oversized(ctx),
            Err(ProtocolError::Io(e)) if frame_limit::is_refusal(&e) => self.refuse_oversized(ctx),
            Err(ProtocolError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => self.close(
                ctx,
                CloseCode::Invalid,
                "a text frame that is not UTF-8 (RFC 6455 closes with 1007)",
            ),
            Err(ProtocolError::Io(e)) if frame_limit::is_lost_connection(&e) => {
                log::info!(
                    "charger {}: connection lost (socket closed without a WebSocket Close frame)",
                    self.id
                );
                ctx.stop();
            }
            Err(e) => self.close(
                ctx,
                CloseCode::Protocol,
                format!("WebSocket protocol error: {e}"),
            ),
        }
    }

    fn finished(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

impl Handler<Close> for ChargerActor {
    type Result = ();

    fn handle(&mut self, msg: Close, ctx: &mut Context<Self>) {
        self.close(ctx, msg.code, msg.reason);
    }
}

impl<R: Request> Handler<Command<R>> for ChargerActor {
    type Result = ResponseFuture<Result<R::Response, CallFailure>>;

    fn handle(&mut self, Command(request): Command<R>, ctx: &mut Context<Self>) -> Self::Result {
        if let Err(why) = self.state.may_send(R::ACTION) {
            return Box::pin(async move { Err(CallFailure::NotAllowed(why)) });
        }
        let payload = match serde_json::to_value(&request) {
            Ok(payload) => payload,
            Err(e) => {
                return Box::pin(async move {
                    Err(CallFailure::Unsendable(format!(
                        "{} request not serialisable: {e}",
                        R::ACTION
                    )))
                })
            }
        };
        let (reply, answer) = oneshot::channel();
        crate::metrics::call_queued();
        let started = self
            .calls
            .push(PendingCall {
                action: R::ACTION,
                payload,
                reply,
            })
            .map(|(id, c)| (id, c.action, c.payload.clone()));
        self.send_call(started, ctx);
        let charger = self.id.clone();
        Box::pin(async move {
            let raw = answer.await.unwrap_or(Err(CallFailure::Disconnected))?;
            parse::<R::Response>(&raw).map_err(|e| {
                log::warn!(
                    "charger {charger}: {} answer could not be decoded ({e}): {raw}",
                    R::ACTION
                );
                CallFailure::UndecodableAnswer {
                    error: e.description,
                    raw,
                }
            })
        })
    }
}
