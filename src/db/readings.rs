//! What the stored meter values say about a transaction: its latest energy register reading.
//! Read by the API (energy so far of an active session) and by the writer (the meterStop of a
//! transaction the server closes itself); also what a charger sent, for checking the store.

use super::schema::meter_values as mv;
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The measurand a transaction's energy is read from (also OCPP's default measurand).
pub const ENERGY_REGISTER: &str = "Energy.Active.Import.Register";

/// How many of the newest energy rows are tried for one that reads as a number (signed values
/// carry a blob, not a number).
const ROWS_TRIED: i64 = 8;

/// A meter reading in Wh, with the charger's time of the sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub sampled_at: NaiveDateTime,
    pub wh: i64,
}

/// The newest energy register reading of a transaction (values sent without a measurand
/// count, as OCPP makes the register the default; kWh is converted to Wh).
pub fn latest_energy(conn: &mut DbConn, transaction_id: i32) -> QueryResult<Option<Reading>> {
    let rows: Vec<(NaiveDateTime, String, Option<String>)> = mv::table
        .filter(mv::transaction_id.eq(transaction_id))
        .filter(
            mv::measurand
                .eq(ENERGY_REGISTER)
                .or(mv::measurand.is_null()),
        )
        .order((mv::sampled_at.desc(), mv::id.desc()))
        .select((mv::sampled_at, mv::value, mv::unit))
        .limit(ROWS_TRIED)
        .load(conn)?;
    Ok(rows.into_iter().find_map(|(sampled_at, value, unit)| {
        Some(Reading {
            sampled_at,
            wh: to_wh(&value, unit.as_deref())?,
        })
    }))
}

/// The charger's time of the newest sample of a transaction, of any measurand.
pub fn latest_sample_at(
    conn: &mut DbConn,
    transaction_id: i32,
) -> QueryResult<Option<NaiveDateTime>> {
    mv::table
        .filter(mv::transaction_id.eq(transaction_id))
        .order(mv::sampled_at.desc())
        .select(mv::sampled_at)
        .first(conn)
        .optional()
}

/// Whether a sample of the transaction was received after `since` (our clock).
pub fn received_since(
    conn: &mut DbConn,
    transaction_id: i32,
    since: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        mv::table
            .filter(mv::transaction_id.eq(transaction_id))
            .filter(mv::received_at.gt(since)),
    ))
    .get_result(conn)
}

/// The values of every sample charger `charge_point_id` sent, in or outside a transaction,
/// in the order received.
pub fn values_of_charger(conn: &mut DbConn, charge_point_id: &str) -> QueryResult<Vec<String>> {
    mv::table
        .filter(mv::charge_point_id.eq(charge_point_id))
        .order(mv::id)
        .select(mv::value)
        .load(conn)
}

/// How many samples are stored, of all chargers.
pub fn sample_count(conn: &mut DbConn) -> QueryResult<i64> {
    mv::table.count().get_result(conn)
}

/// An energy value as sent (a decimal number as text) in Wh; `None` if it is not a number.
pub fn to_wh(value: &str, unit: Option<&str>) -> Option<i64> {
    let v: f64 = value.trim().parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    let wh = if unit == Some("kWh") { v * 1000.0 } else { v };
    Some(wh.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::to_wh;

    #[test]
    fn energy_values_read_as_wh() {
        for (value, unit, wh) in [
            ("1500", Some("Wh"), Some(1500)),
            ("29.86", None, Some(30)),
            (" 1.5 ", Some("kWh"), Some(1500)),
            ("NaN", None, None),
            ("a1b2c3", None, None),
        ] {
            assert_eq!(to_wh(value, unit), wh, "{value:?} {unit:?}");
        }
    }
}
