//! What the chargers whose ids start with a prefix left in the database: the data check of
//! load runs compares it with what the server confirmed to them.

use super::query::like_literal;
use super::schema::{meter_values, transactions};
use super::DbConn;
use diesel::prelude::*;

/// Rows stored for one group of chargers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FleetCounts {
    pub transactions: u64,
    pub stopped_transactions: u64,
    pub meter_value_rows: u64,
}

/// Counts the rows of chargers whose id starts with `<prefix>-`.
pub fn count(c: &mut DbConn, prefix: &str) -> QueryResult<FleetCounts> {
    let pattern = format!("{}-%", like_literal(prefix));
    let of_group = || {
        transactions::table
            .filter(
                transactions::charge_point_id
                    .like(pattern.clone())
                    .escape('\\'),
            )
            .into_boxed()
    };
    let started: i64 = of_group().count().get_result(c)?;
    let stopped: i64 = of_group()
        .filter(transactions::stop_time.is_not_null())
        .count()
        .get_result(c)?;
    let meter_rows: i64 = meter_values::table
        .filter(
            meter_values::charge_point_id
                .like(pattern.clone())
                .escape('\\'),
        )
        .count()
        .get_result(c)?;
    Ok(FleetCounts {
        transactions: started as u64,
        stopped_transactions: stopped as u64,
        meter_value_rows: meter_rows as u64,
    })
}
