//! The DB writer actor: serialises every write and commits them in groups.
//!
//! Whatever is waiting when the previous commit finishes is written in one transaction on a
//! blocking thread, committed, and only then is each sender told the outcome. A charger actor
//! answers its charger after that, so **nothing is confirmed before it is committed**. If a
//! group fails as a whole, its jobs are retried one by one so one bad job cannot sink the rest.
//!
//! If the database goes away (a PostgreSQL restart), the writer keeps what waits, marks the
//! database unreachable in [`Health`] (`/ready` says so), reconnects with growing pauses and
//! then commits it: writers wait, and nothing is confirmed that was not committed.

use super::batch;
use super::jobs::{Job, Outcome};
use super::models::LogRow;
use super::{DbConn, DbError, Manager};
use crate::events::EventBus;
use actix::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Most message-log rows inserted by one statement (SQLite binds at most 32,766 values).
const LOG_ROWS_PER_INSERT: usize = 1_000;
/// Most memory message-log rows may hold while they wait for a commit. Past it new rows are
/// counted and dropped (the log is a record, not a confirmation): a charger that floods us,
/// or a database that falls behind, cannot make the writer hold them without bound.
const MAX_PENDING_LOG_BYTES: usize = 4 << 20;
/// Rows one commit writes, about (see [`super::batch`]): enough for a full batch of ordinary
/// messages, small enough that one charger's sample-heavy messages cannot make a commit long.
const MAX_BATCH_ROWS: usize = 5_000;
/// First and longest pause between attempts to reach a database that went away.
const RECONNECT_FIRST: Duration = Duration::from_millis(100);
const RECONNECT_MAX: Duration = Duration::from_secs(5);
/// How often the writer's figures are logged (at debug level).
const STATS_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs a write job; the answer comes after its commit.
pub struct Write(pub Job);

impl Message for Write {
    type Result = Result<Outcome, DbError>;
}

/// Runs a write job whatever becomes of the sender: the outcome goes to `reply`, which may
/// be gone by then. A charger's CALL is stored even when its connection ends before the
/// commit (a [`Write`] whose requester is dropped is never run).
pub struct Submit {
    pub job: Job,
    pub reply: oneshot::Sender<Result<Outcome, DbError>>,
}

impl Message for Submit {
    type Result = ();
}

/// Sends `job` as a [`Submit`]; the receiver gets its outcome after the commit.
pub fn submit(writer: &Addr<DbWriter>, job: Job) -> oneshot::Receiver<Result<Outcome, DbError>> {
    let (reply, outcome) = oneshot::channel();
    writer.do_send(Submit { job, reply });
    outcome
}

/// Adds rows to the message log (committed with the next group; nobody waits for them).
pub struct LogFrames(pub Vec<LogRow>);

impl Message for LogFrames {
    type Result = ();
}

/// Figures about the writer, for logs and metrics.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriterStats {
    pub commits: u64,
    pub jobs: u64,
    pub last_batch: usize,
    pub last_commit_micros: u64,
    /// Time spent committing, summed.
    pub commit_micros: u64,
}

pub struct GetStats;
impl Message for GetStats {
    type Result = WriterStats;
}

type Waiting = (Job, oneshot::Sender<Result<Outcome, DbError>>);

/// Whether the writer can reach its database, for `/ready`.
#[derive(Debug, Default)]
pub struct Health {
    unreachable: AtomicBool,
}

impl Health {
    /// Whether the writer's last attempt found the database gone (it is retrying).
    pub fn unreachable(&self) -> bool {
        self.unreachable.load(Ordering::Relaxed)
    }

    fn set_unreachable(&self, gone: bool) {
        self.unreachable.store(gone, Ordering::Relaxed);
    }
}

/// How the writer gets a new connection when its database went away.
#[derive(Debug, Clone)]
pub struct Reconnect {
    pub manager: Manager,
    pub health: Arc<Health>,
}

impl Reconnect {
    /// Runs `write` in a write transaction; while it fails because the connection is gone,
    /// waits, connects anew and runs it again. Other errors are returned.
    fn retrying<T>(
        &self,
        conn: &mut DbConn,
        mut write: impl FnMut(&mut DbConn) -> Result<T, diesel::result::Error>,
    ) -> Result<T, diesel::result::Error> {
        let mut pause = RECONNECT_FIRST;
        loop {
            let error = match conn.write_transaction(&mut write) {
                Ok(value) => {
                    if self.health.unreachable() {
                        log::info!(
                            "database reachable again; the writes that waited are committed"
                        );
                        self.health.set_unreachable(false);
                    }
                    return Ok(value);
                }
                Err(e) => e,
            };
            if super::ping(conn).is_ok() {
                return Err(error);
            }
            if !self.health.unreachable() {
                log::error!(
                    "database unreachable ({error}); writes wait (nothing is confirmed meanwhile) \
                     and the writer reconnects"
                );
                self.health.set_unreachable(true);
            }
            loop {
                std::thread::sleep(pause);
                pause = (pause * 2).min(RECONNECT_MAX);
                match self.manager.connect() {
                    Ok(fresh) => {
                        *conn = fresh;
                        break;
                    }
                    Err(e) => log::debug!("reconnecting the writer: {e}"),
                }
            }
        }
    }
}

pub struct DbWriter {
    /// `None` while a commit runs on a blocking thread.
    conn: Option<DbConn>,
    /// `None`: a lost connection fails the writes (tests).
    reconnect: Option<Reconnect>,
    waiting: Vec<Waiting>,
    logs: Vec<LogRow>,
    /// What `logs` holds, by [`log_row_cost`].
    logs_bytes: usize,
    /// Log rows dropped since the last commit started.
    logs_dropped: u64,
    max_batch: usize,
    stats: WriterStats,
    /// Where committed changes are published.
    events: EventBus,
}

impl DbWriter {
    pub fn new(conn: DbConn, max_batch: usize, events: EventBus) -> Self {
        DbWriter {
            conn: Some(conn),
            reconnect: None,
            waiting: Vec::new(),
            logs: Vec::new(),
            logs_bytes: 0,
            logs_dropped: 0,
            max_batch,
            stats: WriterStats::default(),
            events,
        }
    }

    /// Makes the writer wait for and reconnect to a database that went away.
    pub fn reconnecting(mut self, reconnect: Reconnect) -> Self {
        self.reconnect = Some(reconnect);
        self
    }

    /// Takes the writes of the next commit out of `waiting` (see [`super::batch`]).
    fn next_batch(&mut self) -> Vec<Waiting> {
        let picked = {
            let described: Vec<batch::Waiting<'_>> = self
                .waiting
                .iter()
                .map(|(job, _)| batch::Waiting {
                    charger: job.charger(),
                    rows: job.rows(),
                    barrier: matches!(job, Job::Flush),
                })
                .collect();
            batch::pick(&described, self.max_batch, MAX_BATCH_ROWS)
        };
        let mut slots: Vec<Option<Waiting>> = self.waiting.drain(..).map(Some).collect();
        let batch = picked.iter().filter_map(|&i| slots[i].take()).collect();
        self.waiting = slots.into_iter().flatten().collect();
        batch
    }

    /// Starts a commit of what is waiting, unless one is running already.
    fn kick(&mut self, ctx: &mut Context<Self>) {
        if self.waiting.is_empty() && self.logs.is_empty() {
            return;
        }
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        let batch = self.next_batch();
        let logs = std::mem::take(&mut self.logs);
        self.logs_bytes = 0;
        if self.logs_dropped > 0 {
            log::warn!(
                "message log: {} rows dropped, more than {MAX_PENDING_LOG_BYTES} bytes were waiting for the database",
                std::mem::take(&mut self.logs_dropped)
            );
        }
        let started = Instant::now();
        let events = self.events.clone();
        let reconnect = self.reconnect.clone();
        let work = actix_web::rt::task::spawn_blocking(move || {
            let n = batch.len();
            commit_group(&mut conn, reconnect.as_ref(), batch, logs, &events);
            (conn, n)
        });
        ctx.spawn(work.into_actor(self).map(move |done, act, ctx| {
            match done {
                Ok((conn, n)) => {
                    act.conn = Some(conn);
                    act.stats.commits += 1;
                    act.stats.jobs += n as u64;
                    act.stats.last_batch = n;
                    act.stats.last_commit_micros = started.elapsed().as_micros() as u64;
                    act.stats.commit_micros += act.stats.last_commit_micros;
                    crate::metrics::commit(n, started.elapsed());
                }
                Err(e) => {
                    // The connection went down with the panicking thread; nothing more can be
                    // written, so stop and let every sender see WriterGone.
                    log::error!("database writer thread panicked: {e}; stopping the writer");
                    ctx.stop();
                    return;
                }
            }
            act.kick(ctx);
        }));
    }
}

/// Commits `batch` and `logs` in one transaction (or, if that fails, each job alone), then
/// answers each job and publishes what the committed ones changed.
fn commit_group(
    conn: &mut DbConn,
    reconnect: Option<&Reconnect>,
    batch: Vec<Waiting>,
    logs: Vec<LogRow>,
    events: &EventBus,
) {
    let grouped = write(conn, reconnect, |c| {
        let outcomes = batch
            .iter()
            .map(|(job, _)| job.apply(c))
            .collect::<Result<Vec<_>, _>>()?;
        insert_logs(c, &logs)?;
        Ok::<_, diesel::result::Error>(outcomes)
    });
    match grouped {
        Ok(outcomes) => {
            // Changes are built only for listeners: the commit path stays as lean without.
            let watched = events.is_watched();
            let at = chrono::Utc::now().naive_utc();
            for ((job, reply), outcome) in batch.into_iter().zip(outcomes) {
                if let Some(change) = watched.then(|| job.change(&outcome)).flatten() {
                    events.publish(change, at);
                }
                let _ = reply.send(Ok(outcome));
            }
        }
        Err(e) => {
            log::warn!(
                "group commit of {} writes failed ({e}); retrying them one by one",
                batch.len()
            );
            for (job, reply) in batch {
                let result = write(conn, reconnect, |c| job.apply(c));
                match &result {
                    Ok(outcome) if events.is_watched() => {
                        if let Some(change) = job.change(outcome) {
                            events.publish(change, chrono::Utc::now().naive_utc());
                        }
                    }
                    Ok(_) => {}
                    Err(e) => log::error!("write {} failed: {e}", job.name()),
                }
                let _ = reply.send(result.map_err(DbError::from));
            }
            if let Err(e) = write(conn, reconnect, |c| insert_logs(c, &logs)) {
                log::error!("{} message log rows lost: {e}", logs.len());
            }
        }
    }
}

/// Runs `f` in a write transaction, through `reconnect` when there is one.
fn write<T>(
    conn: &mut DbConn,
    reconnect: Option<&Reconnect>,
    f: impl FnMut(&mut DbConn) -> Result<T, diesel::result::Error>,
) -> Result<T, diesel::result::Error> {
    match reconnect {
        Some(r) => r.retrying(conn, f),
        None => conn.write_transaction(f),
    }
}

/// Roughly the memory a log row holds: the row, its strings, and the allocator's share.
fn log_row_cost(row: &LogRow) -> usize {
    const PER_ALLOCATION: usize = 32;
    std::mem::size_of::<LogRow>()
        + row.charge_point_id.len()
        + row.message_id.as_ref().map_or(0, String::len)
        + row.action.as_ref().map_or(0, String::len)
        + row.payload.len()
        + 4 * PER_ALLOCATION
}

fn insert_logs(conn: &mut DbConn, logs: &[LogRow]) -> Result<(), diesel::result::Error> {
    use super::conn::each_backend;
    use super::schema::message_log;
    use diesel::RunQueryDsl;
    for chunk in logs.chunks(LOG_ROWS_PER_INSERT) {
        // One statement per chunk; MultiBackend cannot render a batch of rows with optional
        // fields, so it is built per backend.
        each_backend!(conn, |c| diesel::insert_into(message_log::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

impl Actor for DbWriter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(1 << 20);
        let mut last = WriterStats::default();
        ctx.run_interval(STATS_EVERY, move |act, _| {
            let s = act.stats;
            let commits = s.commits - last.commits;
            if let Some(mean_batch) = (s.jobs - last.jobs).checked_div(commits) {
                let jobs = s.jobs - last.jobs;
                log::debug!(
                    "writer: {jobs} writes in {commits} commits over {STATS_EVERY:?} (mean batch {}, mean commit {} µs, busy {}%)",
                    mean_batch,
                    (s.commit_micros - last.commit_micros) / commits,
                    (s.commit_micros - last.commit_micros) / (STATS_EVERY.as_micros() as u64 / 100),
                );
            }
            last = s;
        });
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        for (_, reply) in self.waiting.drain(..) {
            let _ = reply.send(Err(DbError::WriterGone));
        }
    }
}

impl Handler<Write> for DbWriter {
    type Result = ResponseFuture<Result<Outcome, DbError>>;

    fn handle(&mut self, Write(job): Write, ctx: &mut Context<Self>) -> Self::Result {
        let (tx, rx) = oneshot::channel();
        self.waiting.push((job, tx));
        self.kick(ctx);
        Box::pin(async move { rx.await.unwrap_or(Err(DbError::WriterGone)) })
    }
}

impl Handler<Submit> for DbWriter {
    type Result = ();

    fn handle(&mut self, Submit { job, reply }: Submit, ctx: &mut Context<Self>) {
        self.waiting.push((job, reply));
        self.kick(ctx);
    }
}

impl Handler<LogFrames> for DbWriter {
    type Result = ();

    fn handle(&mut self, LogFrames(rows): LogFrames, ctx: &mut Context<Self>) {
        for row in rows {
            let cost = log_row_cost(&row);
            if self.logs_bytes + cost > MAX_PENDING_LOG_BYTES {
                self.logs_dropped += 1;
                continue;
            }
            self.logs_bytes += cost;
            self.logs.push(row);
        }
        self.kick(ctx);
    }
}

impl Handler<GetStats> for DbWriter {
    type Result = MessageResult<GetStats>;

    fn handle(&mut self, _: GetStats, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Change;
    use crate::ocpp::v16::status_notification::{
        ChargePointErrorCode, ChargePointStatus, StatusNotificationRequest,
    };
    use tokio::sync::broadcast::error::TryRecvError;

    fn status_job(id: &str, connector_id: u32) -> Job {
        Job::Status {
            charge_point_id: id.into(),
            request: StatusNotificationRequest {
                connector_id,
                error_code: ChargePointErrorCode::NoError,
                info: None,
                status: ChargePointStatus::Charging,
                timestamp: None,
                vendor_id: None,
                vendor_error_code: None,
            },
            at: chrono::Utc::now().naive_utc(),
        }
    }

    #[actix_rt::test]
    async fn committed_changes_are_published_once_committed_and_failures_never() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = crate::config::DatabaseConfig {
            data_dir: dir.path().to_owned(),
            ..Default::default()
        };
        let (_, conn) = crate::db::open(&config).expect("open database");
        let bus = EventBus::new(16);
        let mut events = bus.subscribe();
        let writer = DbWriter::new(conn, 100, bus).start();
        let admit = Job::Admit {
            charge_point_id: "CP-1".into(),
            create: true,
            at: chrono::Utc::now().naive_utc(),
        };
        writer.send(Write(admit)).await.unwrap().unwrap();
        assert!(matches!(events.try_recv(), Err(TryRecvError::Empty)));

        writer
            .send(Write(status_job("CP-1", 2)))
            .await
            .unwrap()
            .unwrap();
        let committed = events.try_recv().expect("published with the answer");
        assert_eq!(
            committed.change,
            Change::ConnectorStatus {
                charge_point_id: "CP-1".into(),
                connector_id: 2,
                status: ChargePointStatus::Charging,
                error_code: ChargePointErrorCode::NoError,
            }
        );

        // A write that fails (no such charger: the foreign key refuses it) publishes nothing.
        let failed = writer
            .send(Write(status_job("CP-UNKNOWN", 1)))
            .await
            .unwrap();
        assert!(failed.is_err(), "{failed:?}");
        assert!(matches!(events.try_recv(), Err(TryRecvError::Empty)));
    }
}
