//! Jobs about charging sessions: authorization, start, meter values, stop.
//!
//! Transaction messages are never refused: whatever does not fit (a re-sent start, an unknown
//! or repeated stop) is answered and recorded in `transaction_anomalies`.

use super::ghosts::{self, EndedBy, InferredEnd};
use super::{spelling, Outcome};
use crate::db::anomalies::AnomalyKind;
use crate::db::id_tags::TagStatus;
use crate::db::models::{IdTag, NewMeterValue};
use crate::db::schema::{id_tags, meter_values, transaction_anomalies, transactions as tx};
use crate::db::transactions::StopReason;
use crate::db::DbConn;
use crate::ocpp::types::{CiString, IdToken, Timestamp};
use crate::ocpp::v16::common::{AuthorizationStatus, IdTagInfo, MeterValue};
use crate::ocpp::v16::meter_values::MeterValuesRequest;
use crate::ocpp::v16::start_transaction::StartTransactionRequest;
use crate::ocpp::v16::stop_transaction::Reason;
use crate::ocpp::v16::stop_transaction::StopTransactionRequest;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error;

/// How many open transactions a tag may already hold for a StartTransaction to be Accepted.
/// Only StartTransaction asks (OCPP 1.6: ConcurrentTx is "only relevant for a
/// StartTransaction.req"); Authorize and StopTransaction answers never carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concurrency {
    /// The limit of a tag (and of its group) with none of its own; 0 = unlimited.
    pub default_limit: u32,
    /// A transaction not to count (the one a re-sent start or a stop is about).
    pub except: Option<i32>,
}

/// Decides what a tag may do now: its stored status, Expired past its expiry, Invalid when
/// unknown; with `concurrency`, ConcurrentTx when its group already holds as many open
/// transactions as it may. The group of a tag is its parent (or itself) with every tag that
/// names that parent; the limit is the tag's own, else its parent's, else the default.
pub fn id_tag_verdict(
    conn: &mut DbConn,
    tag: &str,
    at: NaiveDateTime,
    concurrency: Option<Concurrency>,
) -> Result<IdTagInfo, Error> {
    let row: Option<IdTag> = id_tags::table
        .filter(id_tags::id_tag.eq(tag))
        .select(IdTag::as_select())
        .first(conn)
        .optional()?;
    let Some(IdTag {
        status,
        expiry_date: expiry,
        parent_id_tag: parent,
        max_active_transactions: own_limit,
        ..
    }) = row
    else {
        return Ok(IdTagInfo {
            status: AuthorizationStatus::Invalid,
            expiry_date: None,
            parent_id_tag: None,
        });
    };
    let mut verdict = AuthorizationStatus::from(TagStatus::read(&status));
    if verdict == AuthorizationStatus::Accepted && expiry.is_some_and(|e| e <= at) {
        verdict = AuthorizationStatus::Expired;
    }
    if let (AuthorizationStatus::Accepted, Some(c)) = (verdict, concurrency) {
        let group = parent.as_deref().unwrap_or(tag);
        let limit = match (own_limit, &parent) {
            (Some(limit), _) => Some(limit),
            (None, Some(p)) => id_tags::table
                .filter(id_tags::id_tag.eq(p))
                .select(id_tags::max_active_transactions)
                .first::<Option<i32>>(conn)
                .optional()?
                .flatten(),
            (None, None) => None,
        }
        .map_or(i64::from(c.default_limit), i64::from);
        if limit > 0 && open_in_group(conn, tag, group, c.except)? >= limit {
            verdict = AuthorizationStatus::ConcurrentTx;
        }
    }
    Ok(IdTagInfo {
        status: verdict,
        expiry_date: expiry.map(Timestamp::from_naive),
        parent_id_tag: parent.as_deref().map(CiString::truncate),
    })
}

/// Open transactions of `tag` and of every tag of `group` (the group tag and its children).
fn open_in_group(
    conn: &mut DbConn,
    tag: &str,
    group: &str,
    except: Option<i32>,
) -> Result<i64, Error> {
    let members = id_tags::table
        .filter(id_tags::parent_id_tag.eq(group))
        .select(id_tags::id_tag);
    tx::table
        .filter(tx::stop_time.is_null())
        .filter(
            tx::id_tag
                .eq(tag)
                .or(tx::id_tag.eq(group))
                .or(tx::id_tag.eq_any(members)),
        )
        .filter(tx::id.ne(except.unwrap_or(0)))
        .count()
        .get_result(conn)
}

pub(super) fn authorize(
    conn: &mut DbConn,
    tag: &IdToken,
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    Ok(Outcome::IdTag(id_tag_verdict(conn, tag, at, None)?))
}

pub(super) fn start(
    conn: &mut DbConn,
    cp: &str,
    req: &StartTransactionRequest,
    default_limit: u32,
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    let connector_id = req.connector_id as i32;
    let start_time = req.timestamp.naive();
    let existing: Option<i32> = tx::table
        .filter(tx::charge_point_id.eq(cp))
        .filter(tx::connector_id.eq(connector_id))
        .filter(tx::id_tag.eq(req.id_tag.as_str()))
        .filter(tx::start_time.eq(start_time))
        .filter(tx::meter_start.eq(req.meter_start))
        .select(tx::id)
        .first(conn)
        .optional()?;
    if let Some(transaction_id) = existing {
        // The same start again (its first answer was lost): the same transaction.
        let concurrency = Concurrency {
            default_limit,
            except: Some(transaction_id),
        };
        let id_tag_info = id_tag_verdict(conn, &req.id_tag, at, Some(concurrency))?;
        return Ok(Outcome::Started {
            transaction_id,
            id_tag_info,
            resent: true,
        });
    }
    // What this connector still has open is over (or is newer: an old start replayed).
    ghosts::close_superseded(conn, cp, connector_id, start_time, req, at)?;
    let concurrency = Concurrency {
        default_limit,
        except: None,
    };
    let id_tag_info = id_tag_verdict(conn, &req.id_tag, at, Some(concurrency))?;
    let transaction_id: i32 = diesel::insert_into(tx::table)
        .values((
            tx::charge_point_id.eq(cp),
            tx::connector_id.eq(connector_id),
            tx::id_tag.eq(req.id_tag.as_str()),
            tx::id_tag_status.eq(spelling(&id_tag_info.status)),
            tx::start_time.eq(start_time),
            tx::meter_start.eq(req.meter_start),
            tx::reservation_id.eq(req.reservation_id),
            tx::started_at.eq(at),
        ))
        .returning(tx::id)
        .get_result(conn)?;
    if id_tag_info.status != AuthorizationStatus::Accepted {
        // Kept for the record, never a running session: chargers free the connector of a
        // refused start without a StopTransaction.
        let note = format!("start answered {}", spelling(&id_tag_info.status));
        ghosts::close(
            conn,
            transaction_id,
            InferredEnd::StartRefused,
            &note,
            start_time,
            at,
        )?;
    }
    if let Some(reservation_id) = req.reservation_id {
        // The reservation this start ends (one we made with ReserveNow, if it is known).
        crate::db::reservations::set_used(conn, reservation_id, cp, transaction_id, at)?;
    }
    Ok(Outcome::Started {
        transaction_id,
        id_tag_info,
        resent: false,
    })
}

/// Stops a transaction. A stop for a transaction the server or an operator ended replaces that
/// end with the charger's data (and is recorded); a second stop of a stopped one is recorded
/// and changes nothing.
pub(super) fn stop(
    conn: &mut DbConn,
    cp: &str,
    req: &StopTransactionRequest,
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    let id_tag_info = match &req.id_tag {
        Some(tag) => Some(id_tag_verdict(conn, tag, at, None)?),
        None => None,
    };
    let found: Option<(i32, Option<String>, Option<String>)> = tx::table
        .filter(
            tx::id
                .eq(req.transaction_id)
                .and(tx::charge_point_id.eq(cp)),
        )
        .select((tx::connector_id, tx::ended_by, tx::stop_reason))
        .first(conn)
        .optional()?;
    let ended_by = found
        .as_ref()
        .map(|(_, e, _)| e.as_deref().and_then(EndedBy::parse));
    let anomaly = match ended_by {
        None => Some(AnomalyKind::UnknownTransaction),
        Some(Some(EndedBy::Charger)) => Some(AnomalyKind::DuplicateStop),
        Some(open_or_inferred) => {
            // The end the server or an operator recorded, which this stop replaces. A refused
            // start is expected to end with the charger's stop (DeAuthorized): nothing to tell.
            let earlier = found.as_ref().and_then(|(_, _, r)| r.as_deref());
            let replaced = open_or_inferred
                .and(earlier)
                .filter(|r| *r != InferredEnd::StartRefused.reason());
            let note = replaced
                .map(|r| format!("StopTransaction replaced the end the server recorded ({r})"));
            diesel::update(tx::table.find(req.transaction_id))
                .set((
                    tx::stop_time.eq(req.timestamp.naive()),
                    tx::meter_stop.eq(req.meter_stop),
                    tx::stop_reason
                        .eq(StopReason::Charger(req.reason.unwrap_or(Reason::Local)).as_str()),
                    tx::stop_id_tag.eq(req.id_tag.as_deref()),
                    tx::ended_by.eq(EndedBy::Charger.as_str()),
                    tx::end_note.eq(note),
                    tx::stopped_at.eq(at),
                ))
                .execute(conn)?;
            if let (Some((connector_id, _, _)), Some(data)) = (&found, &req.transaction_data) {
                insert_meter_values(conn, cp, *connector_id, Some(req.transaction_id), data, at)?;
            }
            replaced.map(|_| AnomalyKind::StopAfterInferredEnd)
        }
    };
    if let Some(kind) = anomaly {
        // Kept whole (transactionData included) so nothing the charger reported is lost.
        record_anomaly(conn, cp, Some(req.transaction_id), kind, req, at)?;
    }
    Ok(Outcome::Stopped {
        id_tag_info,
        anomaly,
    })
}

pub(super) fn meter_values(
    conn: &mut DbConn,
    cp: &str,
    req: &MeterValuesRequest,
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    insert_meter_values(
        conn,
        cp,
        req.connector_id as i32,
        req.transaction_id,
        &req.meter_value,
        at,
    )?;
    if let Some(transaction_id) = req.transaction_id {
        after_end(conn, cp, transaction_id, req, at)?;
    }
    Ok(Outcome::Done)
}

/// Meter values for a transaction that has ended are kept and recorded. The charger's own stop
/// keeps its totals; an end the server inferred moves to the newer evidence they bring.
fn after_end(
    conn: &mut DbConn,
    cp: &str,
    transaction_id: i32,
    req: &MeterValuesRequest,
    at: NaiveDateTime,
) -> Result<(), Error> {
    let ended: Option<(Option<String>, Option<NaiveDateTime>, Option<i64>)> = tx::table
        .find(transaction_id)
        .filter(tx::charge_point_id.eq(cp))
        .select((tx::ended_by, tx::stop_time, tx::meter_stop))
        .first(conn)
        .optional()?;
    let Some((Some(ended_by), Some(stop_time), meter_stop)) = ended else {
        return Ok(());
    };
    let kind = match EndedBy::parse(&ended_by) {
        Some(EndedBy::Charger) | None => AnomalyKind::MeterValuesAfterStop,
        Some(EndedBy::Inferred | EndedBy::Operator) => {
            let newest = req.meter_value.iter().map(|mv| mv.timestamp.naive()).max();
            let energy = req
                .meter_value
                .iter()
                .flat_map(|mv| &mv.sampled_value)
                .filter(|sv| {
                    sv.measurand
                        .as_ref()
                        .is_none_or(|m| spelling(m) == crate::db::readings::ENERGY_REGISTER)
                        && sv.phase.is_none()
                })
                .filter_map(|sv| {
                    let unit = sv.unit.as_ref().map(spelling);
                    crate::db::readings::to_wh(&sv.value.0, unit.as_deref())
                })
                .max();
            diesel::update(tx::table.find(transaction_id))
                .set((
                    tx::stop_time.eq(newest.map_or(stop_time, |n| n.max(stop_time))),
                    tx::meter_stop.eq(match (energy, meter_stop) {
                        (Some(e), Some(m)) => Some(e.max(m)),
                        (e, m) => e.or(m),
                    }),
                ))
                .execute(conn)?;
            AnomalyKind::MeterValuesAfterInferredEnd
        }
    };
    record_anomaly(conn, cp, Some(transaction_id), kind, req, at)
}

/// The answer to a StartTransaction never reached the charger (its socket closed first): the
/// transaction is marked, evidence that the charger may not know it.
pub(super) fn start_answer_lost(
    conn: &mut DbConn,
    cp: &str,
    req: &StartTransactionRequest,
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    let id: Option<i32> = diesel::update(
        tx::table
            .filter(tx::charge_point_id.eq(cp))
            .filter(tx::connector_id.eq(req.connector_id as i32))
            .filter(tx::id_tag.eq(req.id_tag.as_str()))
            .filter(tx::start_time.eq(req.timestamp.naive()))
            .filter(tx::meter_start.eq(req.meter_start)),
    )
    .set(tx::start_answer_lost.eq(true))
    .returning(tx::id)
    .get_result(conn)
    .optional()?;
    record_anomaly(conn, cp, id, AnomalyKind::StartAnswerLost, req, at)?;
    Ok(Outcome::Done)
}

fn insert_meter_values(
    conn: &mut DbConn,
    cp: &str,
    connector_id: i32,
    transaction_id: Option<i32>,
    values: &[MeterValue],
    at: NaiveDateTime,
) -> Result<(), Error> {
    let rows: Vec<NewMeterValue> = values
        .iter()
        .flat_map(|mv| {
            mv.sampled_value.iter().map(move |sv| NewMeterValue {
                charge_point_id: cp.to_owned(),
                connector_id,
                transaction_id,
                sampled_at: mv.timestamp.naive(),
                value: sv.value.0.clone(),
                context: Some(
                    sv.context
                        .as_ref()
                        .map(spelling)
                        .unwrap_or_else(|| "Sample.Periodic".into()),
                ),
                format: Some(
                    sv.format
                        .as_ref()
                        .map(spelling)
                        .unwrap_or_else(|| "Raw".into()),
                ),
                measurand: Some(
                    sv.measurand
                        .as_ref()
                        .map(spelling)
                        .unwrap_or_else(|| "Energy.Active.Import.Register".into()),
                ),
                phase: sv.phase.as_ref().map(spelling),
                location: Some(
                    sv.location
                        .as_ref()
                        .map(spelling)
                        .unwrap_or_else(|| "Outlet".into()),
                ),
                unit: Some(
                    sv.unit
                        .as_ref()
                        .map(spelling)
                        .unwrap_or_else(|| "Wh".into()),
                ),
                received_at: at,
            })
        })
        .collect();
    match conn {
        // One row at a time: a single-row insert is a cached prepared statement, where a
        // multi-row one would be prepared anew for every distinct row count.
        DbConn::Sqlite(c) => {
            for row in &rows {
                diesel::insert_into(meter_values::table)
                    .values(row)
                    .execute(c)?;
            }
        }
        // One statement: every statement is a round trip to the server, which costs more than
        // preparing it.
        DbConn::Postgres(c) if !rows.is_empty() => {
            diesel::insert_into(meter_values::table)
                .values(&rows)
                .execute(c)?;
        }
        DbConn::Postgres(_) => {}
    }
    Ok(())
}

/// Logs an anomaly: a burst of 20, then at most one a second across all chargers; the next
/// line says how many were left out (every one is stored and listed by the API).
fn warn_anomaly(cp: &str, kind: AnomalyKind, transaction_id: Option<i32>) {
    let kind = kind.as_str();
    use crate::charger::state::TokenBucket;
    use std::sync::{LazyLock, Mutex};
    use std::time::Instant;
    static WARNINGS: LazyLock<Mutex<TokenBucket>> =
        LazyLock::new(|| Mutex::new(TokenBucket::new(20, 1.0, Instant::now())));
    let allowed = WARNINGS
        .lock()
        .map(|mut bucket| bucket.take(Instant::now()))
        .unwrap_or(Some(0));
    match allowed {
        Some(0) => log::warn!(
            "charger {cp}: {kind} (transaction {transaction_id:?}); answered and recorded"
        ),
        Some(left_out) => log::warn!(
            "charger {cp}: {kind} (transaction {transaction_id:?}); answered and recorded \
             ({left_out} more anomalies recorded without a log line; see /chargers/{{id}}/anomalies)"
        ),
        None => {}
    }
}

pub(super) fn record_anomaly<T: serde::Serialize>(
    conn: &mut DbConn,
    cp: &str,
    transaction_id: Option<i32>,
    kind: AnomalyKind,
    payload: &T,
    at: NaiveDateTime,
) -> Result<(), Error> {
    warn_anomaly(cp, kind, transaction_id);
    diesel::insert_into(transaction_anomalies::table)
        .values((
            transaction_anomalies::charge_point_id.eq(cp),
            transaction_anomalies::transaction_id.eq(transaction_id),
            transaction_anomalies::kind.eq(kind.as_str()),
            transaction_anomalies::payload.eq(serde_json::to_string(payload).unwrap_or_default()),
            transaction_anomalies::received_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}
