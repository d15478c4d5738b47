//! A charger's status history as the API reads it: every StatusNotification as received. The
//! writer stores them with the connector's current status ([`super::jobs::charger`]).

use super::conn::MultiBackend;
use super::page::{Page, PageRequest, Sort};
use super::query::{order_by, stored};
use super::schema::status_history as sh;
use super::DbConn;
use crate::ocpp::v16::status_notification::{ChargePointErrorCode, ChargePointStatus};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One StatusNotification as received.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    pub id: i64,
    pub connector_id: i32,
    pub status: ChargePointStatus,
    pub error_code: ChargePointErrorCode,
    pub info: Option<String>,
    pub vendor_id: Option<String>,
    pub vendor_error_code: Option<String>,
    /// The charger's time of the status (its receipt time if it sent none).
    pub status_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
}

/// Which status changes of a charger; `None` matches all.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// 0 is the charge point itself.
    pub connector_id: Option<i32>,
    pub status: Option<ChargePointStatus>,
    /// Received at or after.
    pub from: Option<NaiveDateTime>,
    /// Received before.
    pub to: Option<NaiveDateTime>,
}

/// The fields the history sorts by.
pub const SORTS: [&str; 2] = ["receivedAt", "statusAt"];
/// Newest first.
pub const DEFAULT_SORT: Sort = Sort {
    field: "receivedAt",
    desc: true,
};

fn filtered(charge_point_id: &str, f: &Filter) -> sh::BoxedQuery<'static, MultiBackend> {
    let mut q = sh::table
        .filter(sh::charge_point_id.eq(charge_point_id.to_owned()))
        .into_boxed();
    if let Some(n) = f.connector_id {
        q = q.filter(sh::connector_id.eq(n));
    }
    if let Some(s) = f.status {
        q = q.filter(sh::status.eq(s.as_str()));
    }
    if let Some(t) = f.from {
        q = q.filter(sh::received_at.ge(t));
    }
    if let Some(t) = f.to {
        q = q.filter(sh::received_at.lt(t));
    }
    q
}

fn sorted(charge_point_id: &str, f: &Filter, sort: Sort) -> sh::BoxedQuery<'static, MultiBackend> {
    let q = filtered(charge_point_id, f);
    match sort.field {
        "statusAt" => order_by!(q, sort, sh::status_at, sh::id),
        _ => order_by!(q, sort, sh::received_at, sh::id),
    }
}

type Row = (
    i64,
    i32,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
);

/// A page of a charger's status changes (`sort` one of [`SORTS`]).
pub fn page(
    c: &mut DbConn,
    charge_point_id: &str,
    filter: &Filter,
    sort: Sort,
    page: PageRequest,
) -> QueryResult<Page<StatusChange>> {
    let total: i64 = filtered(charge_point_id, filter).count().get_result(c)?;
    let rows: Vec<Row> = sorted(charge_point_id, filter, sort)
        .limit(page.limit)
        .offset(page.offset)
        .select((
            sh::id,
            sh::connector_id,
            sh::status,
            sh::error_code,
            sh::info,
            sh::vendor_id,
            sh::vendor_error_code,
            sh::status_at,
            sh::received_at,
        ))
        .load(c)?;
    let items = rows
        .into_iter()
        .map(
            |(id, connector_id, status, error_code, info, vendor_id, vendor_error_code, at, rx)| {
                Ok(StatusChange {
                    id,
                    connector_id,
                    status: stored("status_history.status", &status, ChargePointStatus::parse)?,
                    error_code: stored(
                        "status_history.error_code",
                        &error_code,
                        ChargePointErrorCode::parse,
                    )?,
                    info,
                    vendor_id,
                    vendor_error_code,
                    status_at: at,
                    received_at: rx,
                })
            },
        )
        .collect::<QueryResult<_>>()?;
    Ok(page.of(items, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query::plan;

    #[test]
    fn the_history_is_read_through_the_per_charger_index() {
        let p = plan::of(sorted("CP", &Filter::default(), DEFAULT_SORT).select(sh::id));
        assert!(p.contains("INDEX status_history_by_charger"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
    }
}
