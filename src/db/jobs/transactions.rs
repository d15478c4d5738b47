//! Jobs about charging sessions: authorization, start, meter values, stop.
//!
//! Transaction messages are never refused: whatever does not fit (a re-sent start, an unknown
//! or repeated stop) is answered and recorded in `transaction_anomalies`.

use super::{spelling, Outcome};
use crate::db::models::NewMeterValue;
use crate::db::schema::{
    id_tags, meter_values, reservations, transaction_anomalies, transactions as tx,
};
use crate::db::DbConn;
use crate::ocpp::types::{CiString, IdToken, Timestamp};
use crate::ocpp::v16::common::{AuthorizationStatus, IdTagInfo, MeterValue};
use crate::ocpp::v16::meter_values::MeterValuesRequest;
use crate::ocpp::v16::start_transaction::StartTransactionRequest;
use crate::ocpp::v16::stop_transaction::StopTransactionRequest;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error;

/// Decides what a tag may do now: its stored status, Expired past its expiry, ConcurrentTx when
/// it already has an open transaction (other than `except`), Invalid when unknown.
pub fn id_tag_verdict(
    conn: &mut DbConn,
    tag: &str,
    at: NaiveDateTime,
    except: Option<i32>,
) -> Result<IdTagInfo, Error> {
    let row: Option<(String, Option<NaiveDateTime>, Option<String>)> = id_tags::table
        .filter(id_tags::id_tag.eq(tag))
        .select((
            id_tags::status,
            id_tags::expiry_date,
            id_tags::parent_id_tag,
        ))
        .first(conn)
        .optional()?;
    let Some((status, expiry, parent)) = row else {
        return Ok(IdTagInfo {
            status: AuthorizationStatus::Invalid,
            expiry_date: None,
            parent_id_tag: None,
        });
    };
    let mut verdict = match status.as_str() {
        "Accepted" => AuthorizationStatus::Accepted,
        "Blocked" => AuthorizationStatus::Blocked,
        "Expired" => AuthorizationStatus::Expired,
        _ => AuthorizationStatus::Invalid,
    };
    if verdict == AuthorizationStatus::Accepted && expiry.is_some_and(|e| e <= at) {
        verdict = AuthorizationStatus::Expired;
    }
    if verdict == AuthorizationStatus::Accepted {
        let open: i64 = tx::table
            .filter(tx::id_tag.eq(tag).and(tx::stop_time.is_null()))
            .filter(tx::id.ne(except.unwrap_or(0)))
            .count()
            .get_result(conn)?;
        if open > 0 {
            verdict = AuthorizationStatus::ConcurrentTx;
        }
    }
    Ok(IdTagInfo {
        status: verdict,
        expiry_date: expiry.map(Timestamp::from_naive),
        parent_id_tag: parent.as_deref().map(CiString::truncate),
    })
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
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    let connector_id = req.connector_id as i32;
    let start_time = req.timestamp.naive();
    let existing: Option<(i32, String)> = tx::table
        .filter(tx::charge_point_id.eq(cp))
        .filter(tx::connector_id.eq(connector_id))
        .filter(tx::id_tag.eq(req.id_tag.as_str()))
        .filter(tx::start_time.eq(start_time))
        .filter(tx::meter_start.eq(req.meter_start))
        .select((tx::id, tx::id_tag_status))
        .first(conn)
        .optional()?;
    if let Some((transaction_id, _)) = existing {
        // The same start again (its first answer was lost): the same transaction.
        let id_tag_info = id_tag_verdict(conn, &req.id_tag, at, Some(transaction_id))?;
        return Ok(Outcome::Started {
            transaction_id,
            id_tag_info,
            resent: true,
        });
    }
    let id_tag_info = id_tag_verdict(conn, &req.id_tag, at, None)?;
    let busy: Option<i32> = tx::table
        .filter(
            tx::charge_point_id
                .eq(cp)
                .and(tx::connector_id.eq(connector_id))
                .and(tx::stop_time.is_null()),
        )
        .select(tx::id)
        .first(conn)
        .optional()?;
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
    if let Some(previous) = busy {
        record_anomaly(conn, cp, Some(previous), "StartOnBusyConnector", &req, at)?;
    }
    if let Some(reservation_id) = req.reservation_id {
        // The reservation this start ends (one we made with ReserveNow, if it is known).
        diesel::update(
            reservations::table
                .find(reservation_id)
                .filter(reservations::charge_point_id.eq(cp)),
        )
        .set((
            reservations::status.eq("Used"),
            reservations::transaction_id.eq(transaction_id),
            reservations::updated_at.eq(at),
        ))
        .execute(conn)?;
    }
    Ok(Outcome::Started {
        transaction_id,
        id_tag_info,
        resent: false,
    })
}

pub(super) fn stop(
    conn: &mut DbConn,
    cp: &str,
    req: &StopTransactionRequest,
    at: NaiveDateTime,
) -> Result<Outcome, Error> {
    let id_tag_info = match &req.id_tag {
        Some(tag) => Some(id_tag_verdict(conn, tag, at, Some(req.transaction_id))?),
        None => None,
    };
    let found: Option<(i32, Option<NaiveDateTime>)> = tx::table
        .filter(
            tx::id
                .eq(req.transaction_id)
                .and(tx::charge_point_id.eq(cp)),
        )
        .select((tx::connector_id, tx::stop_time))
        .first(conn)
        .optional()?;
    let anomaly = match found {
        None => Some("UnknownTransaction"),
        Some((_, Some(_))) => Some("DuplicateStop"),
        Some((connector_id, None)) => {
            diesel::update(tx::table.find(req.transaction_id))
                .set((
                    tx::stop_time.eq(req.timestamp.naive()),
                    tx::meter_stop.eq(req.meter_stop),
                    tx::stop_reason.eq(req
                        .reason
                        .as_ref()
                        .map(spelling)
                        .unwrap_or_else(|| "Local".into())),
                    tx::stop_id_tag.eq(req.id_tag.as_deref()),
                    tx::stopped_at.eq(at),
                ))
                .execute(conn)?;
            if let Some(data) = &req.transaction_data {
                insert_meter_values(conn, cp, connector_id, Some(req.transaction_id), data, at)?;
            }
            None
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
    // One row at a time: a single-row insert is a cached prepared statement, where a
    // multi-row one would be prepared anew for every distinct row count.
    for row in &rows {
        diesel::insert_into(meter_values::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

fn record_anomaly<T: serde::Serialize>(
    conn: &mut DbConn,
    cp: &str,
    transaction_id: Option<i32>,
    kind: &str,
    payload: &T,
    at: NaiveDateTime,
) -> Result<(), Error> {
    log::warn!("charger {cp}: {kind} (transaction {transaction_id:?}); answered and recorded");
    diesel::insert_into(transaction_anomalies::table)
        .values((
            transaction_anomalies::charge_point_id.eq(cp),
            transaction_anomalies::transaction_id.eq(transaction_id),
            transaction_anomalies::kind.eq(kind),
            transaction_anomalies::payload.eq(serde_json::to_string(payload).unwrap_or_default()),
            transaction_anomalies::received_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}
