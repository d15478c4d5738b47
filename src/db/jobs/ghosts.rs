//! Transactions a charger will never end, and how the server ends them itself.
//!
//! Real chargers leave transactions open that they no longer hold: a start the server refused
//! (the charger frees the connector without a Stop), a session the charger dropped, a start
//! whose answer was lost in a reset, a charger that crashed and came back without memory of
//! it. Each would keep its id tag busy for ever. The server closes such a transaction when the
//! evidence says it is over:
//!
//! | evidence | [`InferredEnd`] |
//! |---|---|
//! | the start was answered with an idTagInfo other than Accepted | `StartRefused` |
//! | a newer StartTransaction on the same connector | `NewStartOnConnector` |
//! | a BootNotification: a reboot ends every session | `ChargerRebooted` |
//! | the connector Available (or Preparing after Available) past a grace, no meter values since | `ConnectorAvailable` |
//! | an operator closed it (API) | `ClosedByOperator` |
//!
//! The stop time is the newest evidence that the session was alive (its last meter value or
//! the connector's last status), the meterStop its last energy register reading (else
//! meterStart). A StopTransaction that arrives later still wins: its data replaces the
//! inferred end (see [`super::transactions`]).

use super::transactions::record_anomaly;
use crate::db::anomalies::AnomalyKind;
use crate::db::readings::{self, Reading};
use crate::db::schema::{connectors, transactions as tx};
use crate::db::transactions::StopReason;
use crate::db::DbConn;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel::result::Error;
use serde_json::json;

/// Why the server ended a transaction that got no StopTransaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InferredEnd {
    StartRefused,
    NewStartOnConnector,
    ChargerRebooted,
    ConnectorAvailable,
    ClosedByOperator,
}

impl InferredEnd {
    pub const ALL: [InferredEnd; 5] = [
        InferredEnd::StartRefused,
        InferredEnd::NewStartOnConnector,
        InferredEnd::ChargerRebooted,
        InferredEnd::ConnectorAvailable,
        InferredEnd::ClosedByOperator,
    ];

    /// The stop reason stored for it (beside OCPP's own Reason values).
    pub fn reason(self) -> &'static str {
        match self {
            InferredEnd::StartRefused => "StartRefused",
            InferredEnd::NewStartOnConnector => "NewStartOnConnector",
            InferredEnd::ChargerRebooted => "ChargerRebooted",
            InferredEnd::ConnectorAvailable => "ConnectorAvailable",
            InferredEnd::ClosedByOperator => "ClosedByOperator",
        }
    }

    /// Who ended it: `Operator` or `Inferred`.
    pub fn ended_by(self) -> EndedBy {
        match self {
            InferredEnd::ClosedByOperator => EndedBy::Operator,
            _ => EndedBy::Inferred,
        }
    }
}

/// Who ended a transaction (`transactions.ended_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndedBy {
    /// Its StopTransaction.
    Charger,
    /// The server, from evidence.
    Inferred,
    /// An operator, from the API.
    Operator,
}

impl EndedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            EndedBy::Charger => "Charger",
            EndedBy::Inferred => "Inferred",
            EndedBy::Operator => "Operator",
        }
    }

    pub fn parse(s: &str) -> Option<EndedBy> {
        [EndedBy::Charger, EndedBy::Inferred, EndedBy::Operator]
            .into_iter()
            .find(|e| e.as_str() == s)
    }
}

/// What the store knows of a session that got no StopTransaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evidence {
    pub start_time: NaiveDateTime,
    pub meter_start: i64,
    /// The charger's time of its newest meter value.
    pub last_sample_at: Option<NaiveDateTime>,
    /// Its newest energy register reading.
    pub energy: Option<Reading>,
    /// The charger's time of the connector's last status.
    pub status_at: Option<NaiveDateTime>,
}

/// The inferred stop time and meterStop: the newest sign of life no later than `cap` (never
/// before the start), and the last energy reading (never below meterStart).
pub fn inferred_stop(e: &Evidence, cap: NaiveDateTime) -> (NaiveDateTime, i64) {
    let time = [
        e.last_sample_at,
        e.energy.map(|r| r.sampled_at),
        e.status_at,
    ]
    .into_iter()
    .flatten()
    .filter(|t| *t <= cap)
    .fold(e.start_time, NaiveDateTime::max);
    let meter = e
        .energy
        .map(|r| r.wh)
        .filter(|wh| *wh >= e.meter_start)
        .unwrap_or(e.meter_start);
    (time, meter)
}

/// Whether a transaction open on a connector that became Available at `available_since` (our
/// clock) is over: Available after the start was received, for at least `grace`, with no meter
/// value received since.
pub fn idle_past_grace(
    started_at: NaiveDateTime,
    available_since: NaiveDateTime,
    sample_since: bool,
    now: NaiveDateTime,
    grace: TimeDelta,
) -> bool {
    available_since >= started_at && now - available_since >= grace && !sample_since
}

/// Closes an open transaction as `why`; `cap` bounds the inferred stop time. Returns whether
/// it was open.
pub(super) fn close(
    conn: &mut DbConn,
    transaction_id: i32,
    why: InferredEnd,
    note: &str,
    cap: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<bool, Error> {
    let row: Option<(String, i32, NaiveDateTime, i64)> = tx::table
        .find(transaction_id)
        .filter(tx::stop_time.is_null())
        .select((
            tx::charge_point_id,
            tx::connector_id,
            tx::start_time,
            tx::meter_start,
        ))
        .first(conn)
        .optional()?;
    let Some((cp, connector_id, start_time, meter_start)) = row else {
        return Ok(false);
    };
    let evidence = Evidence {
        start_time,
        meter_start,
        last_sample_at: readings::latest_sample_at(conn, transaction_id)?,
        energy: readings::latest_energy(conn, transaction_id)?,
        status_at: connectors::table
            .find((&cp, connector_id))
            .select(connectors::status_at)
            .first(conn)
            .optional()?,
    };
    let (stop_time, meter_stop) = inferred_stop(&evidence, cap);
    diesel::update(tx::table.find(transaction_id))
        .set((
            tx::stop_time.eq(stop_time),
            tx::meter_stop.eq(meter_stop),
            tx::stop_reason.eq(StopReason::Server(why).as_str()),
            tx::ended_by.eq(why.ended_by().as_str()),
            tx::end_note.eq(note),
            tx::stopped_at.eq(at),
        ))
        .execute(conn)?;
    crate::metrics::transaction_ended_by_server(why.reason());
    if why.ended_by() == EndedBy::Inferred && why != InferredEnd::StartRefused {
        let record = json!({
            "reason": why.reason(),
            "note": note,
            "stopTime": stop_time,
            "meterStop": meter_stop,
        });
        record_anomaly(
            conn,
            &cp,
            Some(transaction_id),
            AnomalyKind::EndedWithoutStop,
            &record,
            at,
        )?;
    }
    Ok(true)
}

/// What became of an operator's close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorClose {
    Closed,
    NoSuchTransaction,
    AlreadyEnded,
}

/// An operator ends a transaction the charger no longer holds, giving `reason`.
pub fn close_by_operator(
    conn: &mut DbConn,
    transaction_id: i32,
    reason: &str,
    at: NaiveDateTime,
) -> Result<OperatorClose, Error> {
    let exists = tx::table
        .find(transaction_id)
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !exists {
        return Ok(OperatorClose::NoSuchTransaction);
    }
    Ok(
        if close(
            conn,
            transaction_id,
            InferredEnd::ClosedByOperator,
            reason,
            at,
            at,
        )? {
            OperatorClose::Closed
        } else {
            OperatorClose::AlreadyEnded
        },
    )
}

/// A StartTransaction on a connector ends the transactions open on it that started no later;
/// one that started later is left open (the new start is an old one replayed) and recorded.
pub(super) fn close_superseded(
    conn: &mut DbConn,
    cp: &str,
    connector_id: i32,
    new_start: NaiveDateTime,
    payload: &impl serde::Serialize,
    at: NaiveDateTime,
) -> Result<(), Error> {
    let open: Vec<(i32, NaiveDateTime)> = tx::table
        .filter(
            tx::charge_point_id
                .eq(cp)
                .and(tx::connector_id.eq(connector_id))
                .and(tx::stop_time.is_null()),
        )
        .select((tx::id, tx::start_time))
        .load(conn)?;
    for (id, started) in open {
        if started <= new_start {
            let note = format!("connector {connector_id} reported a newer StartTransaction");
            close(
                conn,
                id,
                InferredEnd::NewStartOnConnector,
                &note,
                new_start,
                at,
            )?;
        } else {
            record_anomaly(
                conn,
                cp,
                Some(id),
                AnomalyKind::StartOnBusyConnector,
                payload,
                at,
            )?;
        }
    }
    Ok(())
}

/// A BootNotification ends every transaction the charger had open.
pub(super) fn close_on_boot(conn: &mut DbConn, cp: &str, at: NaiveDateTime) -> Result<(), Error> {
    let open: Vec<i32> = tx::table
        .filter(tx::charge_point_id.eq(cp).and(tx::stop_time.is_null()))
        .select(tx::id)
        .load(conn)?;
    for id in open {
        close(
            conn,
            id,
            InferredEnd::ChargerRebooted,
            "the charger sent BootNotification",
            at,
            at,
        )?;
    }
    Ok(())
}

/// The open transactions whose connector has been Available (or Preparing after Available)
/// for at least `grace` with no meter value since. A read, so that scanning a large fleet
/// does not hold up the writer; [`end_idle`] checks each again before ending it.
pub fn idle_candidates(
    conn: &mut DbConn,
    grace: TimeDelta,
    at: NaiveDateTime,
) -> Result<Vec<i32>, Error> {
    let mut idle = Vec::new();
    for id in idle_open(conn, None, grace, at)? {
        if is_idle(conn, id, grace, at)? {
            idle.push(id);
        }
    }
    Ok(idle)
}

/// Open transactions (of `only`, if given) on connectors free since `at - grace` or earlier.
fn idle_open(
    conn: &mut DbConn,
    only: Option<i32>,
    grace: TimeDelta,
    at: NaiveDateTime,
) -> Result<Vec<i32>, Error> {
    let mut q = tx::table
        .inner_join(
            connectors::table.on(connectors::charge_point_id
                .eq(tx::charge_point_id)
                .and(connectors::connector_id.eq(tx::connector_id))),
        )
        .filter(tx::stop_time.is_null())
        .filter(connectors::available_since.le(at - grace))
        .select(tx::id)
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(tx::id.eq(id));
    }
    q.load(conn)
}

/// Whether an open transaction on a free connector passes [`idle_past_grace`].
fn is_idle(conn: &mut DbConn, id: i32, grace: TimeDelta, at: NaiveDateTime) -> Result<bool, Error> {
    let row: Option<(NaiveDateTime, Option<NaiveDateTime>)> = tx::table
        .inner_join(
            connectors::table.on(connectors::charge_point_id
                .eq(tx::charge_point_id)
                .and(connectors::connector_id.eq(tx::connector_id))),
        )
        .filter(tx::id.eq(id))
        .select((tx::started_at, connectors::available_since))
        .first(conn)
        .optional()?;
    let Some((started_at, Some(available_since))) = row else {
        return Ok(false);
    };
    let sample_since = readings::received_since(conn, id, available_since)?;
    Ok(idle_past_grace(
        started_at,
        available_since,
        sample_since,
        at,
        grace,
    ))
}

/// Ends those of `candidates` that are still open and idle past the grace; returns how many.
pub(super) fn end_idle(
    conn: &mut DbConn,
    candidates: &[i32],
    grace: TimeDelta,
    at: NaiveDateTime,
) -> Result<usize, Error> {
    let mut closed = 0;
    for &id in candidates {
        if idle_open(conn, Some(id), grace, at)?.is_empty() || !is_idle(conn, id, grace, at)? {
            continue;
        }
        if close(
            conn,
            id,
            InferredEnd::ConnectorAvailable,
            "connector Available with no meter values past the grace",
            at,
            at,
        )? {
            closed += 1;
        }
    }
    Ok(closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        let time = chrono::NaiveTime::parse_from_str(s, "%H:%M:%S").unwrap();
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_time(time)
    }

    fn evidence() -> Evidence {
        Evidence {
            start_time: t("10:00:00"),
            meter_start: 1000,
            last_sample_at: None,
            energy: None,
            status_at: None,
        }
    }

    #[test]
    fn without_evidence_the_session_ends_where_it_started() {
        assert_eq!(
            inferred_stop(&evidence(), t("12:00:00")),
            (t("10:00:00"), 1000)
        );
    }

    #[test]
    fn the_newest_sign_of_life_before_the_cap_is_the_stop() {
        let e = Evidence {
            last_sample_at: Some(t("10:40:00")),
            energy: Some(Reading {
                sampled_at: t("10:30:00"),
                wh: 4200,
            }),
            status_at: Some(t("10:45:00")),
            ..evidence()
        };
        assert_eq!(inferred_stop(&e, t("12:00:00")), (t("10:45:00"), 4200));
        // A newer start on the connector at 10:42 bounds it.
        assert_eq!(inferred_stop(&e, t("10:42:00")), (t("10:40:00"), 4200));
    }

    #[test]
    fn a_reading_below_meter_start_is_not_believed() {
        let e = Evidence {
            energy: Some(Reading {
                sampled_at: t("10:30:00"),
                wh: 10,
            }),
            ..evidence()
        };
        assert_eq!(inferred_stop(&e, t("12:00:00")), (t("10:30:00"), 1000));
    }

    #[test]
    fn a_clock_behind_the_start_never_stops_before_it() {
        let e = Evidence {
            status_at: Some(t("09:00:00")),
            ..evidence()
        };
        assert_eq!(inferred_stop(&e, t("12:00:00")).0, t("10:00:00"));
    }

    #[test]
    fn idle_connectors_end_their_session_after_the_grace() {
        let grace = TimeDelta::seconds(300);
        let started = t("10:00:00");
        let available = t("11:00:00");
        // (now, meter value since, expected)
        for (now, sample_since, over) in [
            ("11:04:59", false, false),
            ("11:05:00", false, true),
            ("11:30:00", true, false),
        ] {
            assert_eq!(
                idle_past_grace(started, available, sample_since, t(now), grace),
                over,
                "{now} {sample_since}"
            );
        }
        // Available before the start was received (Preparing, then the start): still running.
        assert!(!idle_past_grace(
            started,
            t("09:59:00"),
            false,
            t("12:00:00"),
            grace
        ));
    }
}
