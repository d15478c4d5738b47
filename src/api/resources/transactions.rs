//! Charging sessions: filtered lists, the active ones, one with its meter values, CSV export.

use super::{one_of, order_by, parse_int, parse_time, seconds_between, Sort, SortParams};
use crate::api::auth::Viewer;
use crate::api::error::ApiError;
use crate::api::{Page, PageParams};
use crate::db::models::Transaction as Row;
use crate::db::readings::{self, ENERGY_REGISTER};
use crate::db::schema::{meter_values as mv, transactions as tx};
use crate::db::DbConn;
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sqlite::Sqlite;
use serde::{Deserialize, Serialize};

/// Most rows one CSV export holds; narrow the filters for more.
const MAX_CSV_ROWS: i64 = 500_000;

/// A charging session.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    pub id: i32,
    pub charge_point_id: String,
    pub connector_id: i32,
    pub id_tag: String,
    /// The verdict given to the id tag when the transaction started.
    pub id_tag_status: String,
    /// Whether it has not stopped yet.
    pub active: bool,
    #[schema(value_type = String, format = DateTime)]
    pub start_time: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub stop_time: Option<Timestamp>,
    /// Meter reading at the start, Wh.
    pub meter_start: i64,
    /// Meter reading at the stop, Wh.
    pub meter_stop: Option<i64>,
    /// Energy delivered, Wh: meterStop - meterStart once stopped; while active, the latest
    /// Energy.Active.Import.Register meter value less meterStart (null if none came yet).
    pub energy_wh: Option<i64>,
    /// Seconds from start to stop; while active, from start to now.
    pub duration_secs: i64,
    /// The charger's Reason from its StopTransaction; for an end the server inferred, or an
    /// operator's, one of StartRefused, NewStartOnConnector, ChargerRebooted,
    /// ConnectorAvailable, ClosedByOperator.
    pub stop_reason: Option<String>,
    pub stop_id_tag: Option<String>,
    pub reservation_id: Option<i32>,
    /// Who ended it: `Charger` (its StopTransaction), `Inferred` (the server, from evidence
    /// that the charger no longer holds it) or `Operator`; null while active. A
    /// StopTransaction that arrives later replaces an inferred or operator end.
    pub ended_by: Option<String>,
    /// What the server saw when it ended the transaction itself, or the operator's reason.
    pub end_note: Option<String>,
    /// The answer to its StartTransaction never reached the charger.
    pub start_answer_lost: bool,
}

fn to_transaction(r: Row, latest_wh: Option<i64>, now: NaiveDateTime) -> Transaction {
    let energy_wh = match r.meter_stop {
        Some(stop) => Some(stop - r.meter_start),
        None => latest_wh.map(|wh| wh - r.meter_start),
    };
    Transaction {
        id: r.id,
        charge_point_id: r.charge_point_id,
        connector_id: r.connector_id,
        id_tag: r.id_tag,
        id_tag_status: r.id_tag_status,
        active: r.stop_time.is_none(),
        start_time: Timestamp::from_naive(r.start_time),
        stop_time: r.stop_time.map(Timestamp::from_naive),
        meter_start: r.meter_start,
        meter_stop: r.meter_stop,
        energy_wh,
        duration_secs: seconds_between(r.start_time, r.stop_time.unwrap_or(now)),
        stop_reason: r.stop_reason,
        stop_id_tag: r.stop_id_tag,
        reservation_id: r.reservation_id,
        ended_by: r.ended_by,
        end_note: r.end_note,
        start_answer_lost: r.start_answer_lost,
    }
}

/// Rows to [`Transaction`]s, reading the energy so far of the active ones.
fn complete(conn: &mut DbConn, rows: Vec<Row>) -> QueryResult<Vec<Transaction>> {
    let now = chrono::Utc::now().naive_utc();
    rows.into_iter()
        .map(|r| {
            let latest = match r.stop_time {
                None => readings::latest_energy(conn, r.id)?.map(|r| r.wh),
                Some(_) => None,
            };
            Ok(to_transaction(r, latest, now))
        })
        .collect()
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TransactionFilter {
    /// Only this charger.
    pub charge_point_id: Option<String>,
    /// Only this connector.
    #[param(value_type = Option<i32>)]
    pub connector_id: Option<String>,
    /// Only this id tag (case-insensitive).
    pub id_tag: Option<String>,
    /// `active` or `completed`.
    pub state: Option<String>,
    /// Started at or after this time (RFC 3339).
    pub from: Option<String>,
    /// Started before this time (RFC 3339).
    pub to: Option<String>,
}

/// The checked form of [`TransactionFilter`].
#[derive(Debug, Clone, Default)]
struct Filter {
    charge_point_id: Option<String>,
    connector_id: Option<i32>,
    id_tag: Option<String>,
    active: Option<bool>,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
}

impl TransactionFilter {
    fn check(self) -> Result<Filter, ApiError> {
        let some = |v: Option<String>| v.filter(|v| !v.is_empty());
        let open = match some(self.state) {
            None => None,
            Some(s) => {
                one_of("state", &s, ["active", "completed"])?;
                Some(s == "active")
            }
        };
        Ok(Filter {
            connector_id: parse_int("connectorId", self.connector_id.as_deref())?,
            from: parse_time("from", self.from.as_deref())?,
            to: parse_time("to", self.to.as_deref())?,
            charge_point_id: some(self.charge_point_id),
            id_tag: some(self.id_tag),
            active: open,
        })
    }
}

const SORTS: [&str; 4] = ["startTime", "stopTime", "id", "chargePointId"];
const DEFAULT_SORT: Sort = Sort {
    field: "startTime",
    desc: true,
};

fn filtered(f: &Filter) -> tx::BoxedQuery<'static, Sqlite> {
    let mut q = tx::table.into_boxed();
    if let Some(id) = &f.charge_point_id {
        q = q.filter(tx::charge_point_id.eq(id.clone()));
    }
    if let Some(n) = f.connector_id {
        q = q.filter(tx::connector_id.eq(n));
    }
    if let Some(tag) = &f.id_tag {
        // The column is COLLATE NOCASE: this ignores case.
        q = q.filter(tx::id_tag.eq(tag.clone()));
    }
    match f.active {
        Some(true) => q = q.filter(tx::stop_time.is_null()),
        Some(false) => q = q.filter(tx::stop_time.is_not_null()),
        None => {}
    }
    if let Some(t) = f.from {
        q = q.filter(tx::start_time.ge(t));
    }
    if let Some(t) = f.to {
        q = q.filter(tx::start_time.lt(t));
    }
    q
}

fn sorted(f: &Filter, sort: Sort) -> tx::BoxedQuery<'static, Sqlite> {
    let q = filtered(f);
    match sort.field {
        "stopTime" => order_by!(q, sort, tx::stop_time, tx::id),
        "id" => order_by!(q, sort, tx::id, tx::id),
        "chargePointId" => order_by!(q, sort, tx::charge_point_id, tx::start_time),
        _ => order_by!(q, sort, tx::start_time, tx::id),
    }
}

async fn page_of(
    services: &Services,
    filter: Filter,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> Result<Page<Transaction>, ApiError> {
    let (items, total) = crate::db::read(&services.pool, move |c| {
        let total: i64 = filtered(&filter).count().get_result(c)?;
        let rows = sorted(&filter, sort)
            .limit(limit)
            .offset(offset)
            .select(Row::as_select())
            .load(c)?;
        Ok((complete(c, rows)?, total))
    })
    .await?;
    Ok(Page {
        items,
        total,
        limit,
        offset,
    })
}

/// Transactions, filtered; newest first by default. Sort by `startTime` (default, desc),
/// `stopTime`, `id`, `chargePointId`.
#[utoipa::path(tag = "transactions", params(TransactionFilter, SortParams, PageParams),
    responses((status = 200, body = Page<Transaction>), (status = 422, description = "a bad filter, named")),
    security(("bearer" = ["viewer"])))]
#[get("/transactions")]
pub async fn list(
    _: Viewer,
    services: web::Data<Services>,
    filter: web::Query<TransactionFilter>,
    sort: web::Query<SortParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Transaction>>, ApiError> {
    let (limit, offset) = page.resolve()?;
    let filter = filter.into_inner().check()?;
    let sort = sort.resolve(&SORTS, DEFAULT_SORT)?;
    Ok(web::Json(
        page_of(&services, filter, sort, limit, offset).await?,
    ))
}

/// The transactions not stopped yet, with their energy so far: the same filters (`state`, if
/// given, must be `active`) and sorts as the list.
#[utoipa::path(tag = "transactions", params(TransactionFilter, SortParams, PageParams),
    responses((status = 200, body = Page<Transaction>), (status = 422, description = "a bad filter, named")),
    security(("bearer" = ["viewer"])))]
#[get("/transactions/active")]
pub async fn active(
    _: Viewer,
    services: web::Data<Services>,
    filter: web::Query<TransactionFilter>,
    sort: web::Query<SortParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Transaction>>, ApiError> {
    let (limit, offset) = page.resolve()?;
    let sort = sort.resolve(&SORTS, DEFAULT_SORT)?;
    let mut filter = filter.into_inner().check()?;
    if filter.active == Some(false) {
        return Err(ApiError::invalid(
            "state: this list holds active transactions only; use /transactions?state=completed",
        ));
    }
    filter.active = Some(true);
    Ok(web::Json(
        page_of(&services, filter, sort, limit, offset).await?,
    ))
}

pub(super) async fn find(services: &Services, id: i32) -> Result<Transaction, ApiError> {
    let found = crate::db::read(&services.pool, move |c| {
        let row: Option<Row> = tx::table
            .find(id)
            .select(Row::as_select())
            .first(c)
            .optional()?;
        row.map(|r| complete(c, vec![r])).transpose()
    })
    .await?;
    found
        .and_then(|mut v| v.pop())
        .ok_or_else(|| ApiError::NotFound(format!("no transaction {id}")))
}

/// One transaction.
#[utoipa::path(tag = "transactions", params(("id" = i32, Path, description = "transaction id")),
    responses((status = 200, body = Transaction), (status = 404)), security(("bearer" = ["viewer"])))]
#[get("/transactions/{id}")]
pub async fn detail(
    _: Viewer,
    services: web::Data<Services>,
    path: web::Path<i32>,
) -> Result<web::Json<Transaction>, ApiError> {
    Ok(web::Json(find(&services, path.into_inner()).await?))
}

/// One sampled value of a transaction's meter values.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    #[schema(value_type = String, format = DateTime)]
    pub sampled_at: Timestamp,
    pub connector_id: i32,
    /// As the charger sent it (a decimal number as text).
    pub value: String,
    pub unit: Option<String>,
    /// null means the default, Energy.Active.Import.Register.
    pub measurand: Option<String>,
    pub phase: Option<String>,
    pub location: Option<String>,
    pub context: Option<String>,
    pub format: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SampleFilter {
    /// Only this measurand, e.g. `Power.Active.Import` (Energy.Active.Import.Register also
    /// matches values sent without a measurand).
    pub measurand: Option<String>,
    /// Sampled at or after this time (RFC 3339).
    pub from: Option<String>,
    /// Sampled before this time (RFC 3339).
    pub to: Option<String>,
}

type SampleRow = (
    NaiveDateTime,
    i32,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The meter values of a transaction, filtered.
fn samples(
    id: i32,
    measurand: Option<&str>,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
) -> mv::BoxedQuery<'static, Sqlite> {
    let mut q = mv::table.filter(mv::transaction_id.eq(id)).into_boxed();
    match measurand {
        Some(ENERGY_REGISTER) => {
            q = q.filter(
                mv::measurand
                    .eq(ENERGY_REGISTER)
                    .or(mv::measurand.is_null()),
            )
        }
        Some(m) => q = q.filter(mv::measurand.eq(m.to_owned())),
        None => {}
    }
    if let Some(t) = from {
        q = q.filter(mv::sampled_at.ge(t));
    }
    if let Some(t) = to {
        q = q.filter(mv::sampled_at.lt(t));
    }
    q
}

/// A transaction's meter values as a time series, oldest first by default. Sort by
/// `sampledAt` only.
#[utoipa::path(tag = "transactions", params(("id" = i32, Path, description = "transaction id"),
        SampleFilter, SortParams, PageParams),
    responses((status = 200, body = Page<Sample>), (status = 404), (status = 422)),
    security(("bearer" = ["viewer"])))]
#[get("/transactions/{id}/meter-values")]
pub async fn meter_values(
    _: Viewer,
    services: web::Data<Services>,
    path: web::Path<i32>,
    filter: web::Query<SampleFilter>,
    sort: web::Query<SortParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Sample>>, ApiError> {
    let id = path.into_inner();
    let (limit, offset) = page.resolve()?;
    let sort = sort.resolve(
        &["sampledAt"],
        Sort {
            field: "sampledAt",
            desc: false,
        },
    )?;
    let measurand = filter.measurand.clone().filter(|m| !m.is_empty());
    let from = parse_time("from", filter.from.as_deref())?;
    let to = parse_time("to", filter.to.as_deref())?;
    let found = crate::db::read(&services.pool, move |c| {
        let known: i64 = tx::table.find(id).count().get_result(c)?;
        if known == 0 {
            return Ok(None);
        }
        let query = || samples(id, measurand.as_deref(), from, to);
        let total: i64 = query().count().get_result(c)?;
        let q = query();
        let rows: Vec<SampleRow> = order_by!(q, sort, mv::sampled_at, mv::id)
            .limit(limit)
            .offset(offset)
            .select((
                mv::sampled_at,
                mv::connector_id,
                mv::value,
                mv::unit,
                mv::measurand,
                mv::phase,
                mv::location,
                mv::context,
                mv::format,
            ))
            .load(c)?;
        Ok(Some((rows, total)))
    })
    .await?;
    let (rows, total) = found.ok_or_else(|| ApiError::NotFound(format!("no transaction {id}")))?;
    let items = rows
        .into_iter()
        .map(
            |(at, connector_id, value, unit, measurand, phase, location, context, format)| Sample {
                sampled_at: Timestamp::from_naive(at),
                connector_id,
                value,
                unit,
                measurand,
                phase,
                location,
                context,
                format,
            },
        )
        .collect();
    Ok(web::Json(Page {
        items,
        total,
        limit,
        offset,
    }))
}

/// The CSV columns, in order.
const CSV_HEADER: [&str; 12] = [
    "id",
    "chargePointId",
    "connectorId",
    "idTag",
    "startTime",
    "stopTime",
    "meterStart",
    "meterStop",
    "energyWh",
    "durationSecs",
    "stopReason",
    "stopIdTag",
];

fn csv_of(rows: &[Row], now: NaiveDateTime) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(CSV_HEADER)?;
    let time = |t: Option<NaiveDateTime>| t.map(|t| Timestamp::from_naive(t).to_string());
    let num = |n: Option<i64>| n.map(|n| n.to_string());
    for r in rows {
        let stop = r.meter_stop;
        out.write_record([
            r.id.to_string(),
            r.charge_point_id.clone(),
            r.connector_id.to_string(),
            r.id_tag.clone(),
            Timestamp::from_naive(r.start_time).to_string(),
            time(r.stop_time).unwrap_or_default(),
            r.meter_start.to_string(),
            num(stop).unwrap_or_default(),
            num(stop.map(|s| s - r.meter_start)).unwrap_or_default(),
            seconds_between(r.start_time, r.stop_time.unwrap_or(now)).to_string(),
            r.stop_reason.clone().unwrap_or_default(),
            r.stop_id_tag.clone().unwrap_or_default(),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// Transactions as CSV, with the list's filters and sorts, all matching rows (at most
/// 500,000). Columns: id, chargePointId, connectorId, idTag, startTime, stopTime, meterStart,
/// meterStop, energyWh (empty while active), durationSecs, stopReason, stopIdTag.
#[utoipa::path(tag = "transactions", params(TransactionFilter, SortParams),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 422, description = "a bad filter, named, or too many rows")),
    security(("bearer" = ["viewer"])))]
#[get("/transactions.csv")]
pub async fn export_csv(
    _: Viewer,
    services: web::Data<Services>,
    filter: web::Query<TransactionFilter>,
    sort: web::Query<SortParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.into_inner().check()?;
    let sort = sort.resolve(&SORTS, DEFAULT_SORT)?;
    let rows = crate::db::read(&services.pool, move |c| {
        let total: i64 = filtered(&filter).count().get_result(c)?;
        if total > MAX_CSV_ROWS {
            return Ok(Err(total));
        }
        let rows: Vec<Row> = sorted(&filter, sort).select(Row::as_select()).load(c)?;
        Ok(Ok(rows))
    })
    .await?
    .map_err(|total| {
        ApiError::invalid(format!(
            "from: {total} transactions match, more than {MAX_CSV_ROWS}; narrow the time range"
        ))
    })?;
    let now = chrono::Utc::now().naive_utc();
    let body = web::block(move || csv_of(&rows, now))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(format!("CSV: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"transactions.csv\"",
        ))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query::plan;

    fn plan_of(filter: Filter, sort: Sort) -> String {
        plan::of(&sorted(&filter, sort).limit(50).offset(0))
    }

    #[test]
    fn lists_use_their_indexes() {
        let by_charger = Filter {
            charge_point_id: Some("CP".into()),
            ..Filter::default()
        };
        let p = plan_of(by_charger.clone(), DEFAULT_SORT);
        assert!(p.contains("INDEX transactions_by_charger"), "{p}");
        // Only ties of start time are sorted (by id); the order itself comes from the index.
        assert!(
            !p.contains("TEMP B-TREE FOR ORDER BY"),
            "sorted by the index: {p}"
        );
        let by_tag = Filter {
            id_tag: Some("TAG".into()),
            ..Filter::default()
        };
        let p = plan_of(by_tag, DEFAULT_SORT);
        assert!(p.contains("INDEX transactions_by_tag"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
        let open = Filter {
            active: Some(true),
            ..Filter::default()
        };
        let p = plan_of(open, DEFAULT_SORT);
        assert!(p.contains("INDEX transactions_active_by_start"), "{p}");
        let p = plan_of(Filter::default(), DEFAULT_SORT);
        assert!(p.contains("INDEX transactions_by_start"), "{p}");
        let p = plan::of(&filtered(&by_charger).count());
        assert!(p.contains("COVERING INDEX transactions_by_charger"), "{p}");
    }

    #[test]
    fn meter_values_use_the_transaction_index() {
        let q = samples(1, Some("Power.Active.Import"), None, None);
        let sort = Sort {
            field: "sampledAt",
            desc: false,
        };
        let p = plan::of(&order_by!(q, sort, mv::sampled_at, mv::id).select(mv::value));
        assert!(p.contains("INDEX meter_values_by_transaction"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
    }
}
