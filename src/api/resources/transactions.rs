//! Charging sessions: filtered lists, the active ones, one with its meter values, CSV export.

use super::{one_of, parse_int, parse_time, seconds_between, SortParams};
use crate::api::auth::Viewer;
use crate::api::error::ApiError;
use crate::api::{Page, PageParams};
use crate::db::transactions::{self as store, State};
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// Most rows one CSV export holds; narrow the filters for more.
const MAX_CSV_ROWS: i64 = 500_000;
/// About how many bytes of CSV go out at a time.
const CSV_CHUNK_BYTES: usize = 64 * 1024;

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

impl Transaction {
    fn from_stored(t: store::Transaction, now: NaiveDateTime) -> Transaction {
        Transaction {
            active: t.is_active(),
            energy_wh: t.energy_wh(),
            duration_secs: seconds_between(t.start_time, t.stop_time.unwrap_or(now)),
            id: t.id,
            charge_point_id: t.charge_point_id,
            connector_id: t.connector_id,
            id_tag: t.id_tag,
            id_tag_status: t.id_tag_status.as_str().to_owned(),
            start_time: Timestamp::from_naive(t.start_time),
            stop_time: t.stop_time.map(Timestamp::from_naive),
            meter_start: t.meter_start,
            meter_stop: t.meter_stop,
            stop_reason: t.stop_reason.map(|r| r.as_str().to_owned()),
            stop_id_tag: t.stop_id_tag,
            reservation_id: t.reservation_id,
            ended_by: t.ended_by.map(|e| e.as_str().to_owned()),
            end_note: t.end_note,
            start_answer_lost: t.start_answer_lost,
        }
    }
}

/// Stored transactions as answered, their durations measured to now.
fn answer(page: Page<store::Transaction>) -> Page<Transaction> {
    let now = chrono::Utc::now().naive_utc();
    page.map(|t| Transaction::from_stored(t, now))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
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

impl TransactionFilter {
    /// The store's filter; 422 naming a bad parameter.
    pub fn check(self) -> Result<store::Filter, ApiError> {
        let some = |v: Option<String>| v.filter(|v| !v.is_empty());
        let state = match some(self.state) {
            None => None,
            Some(s) => {
                one_of("state", &s, State::ALL.map(State::as_str))?;
                State::parse(&s)
            }
        };
        Ok(store::Filter {
            connector_id: parse_int("connectorId", self.connector_id.as_deref())?,
            from: parse_time("from", self.from.as_deref())?,
            to: parse_time("to", self.to.as_deref())?,
            charge_point_id: some(self.charge_point_id),
            id_tag: some(self.id_tag),
            state,
        })
    }
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
    let page = page.request()?;
    let filter = filter.into_inner().check()?;
    let sort = sort.resolve(&store::SORTS, store::DEFAULT_SORT)?;
    let found =
        crate::db::read(&services.pool, move |c| store::page(c, &filter, sort, page)).await?;
    Ok(web::Json(answer(found)))
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
    let page = page.request()?;
    let sort = sort.resolve(&store::SORTS, store::DEFAULT_SORT)?;
    let mut filter = filter.into_inner().check()?;
    if filter.state == Some(State::Completed) {
        return Err(ApiError::invalid(
            "state: this list holds active transactions only; use /transactions?state=completed",
        ));
    }
    filter.state = Some(State::Active);
    let found =
        crate::db::read(&services.pool, move |c| store::page(c, &filter, sort, page)).await?;
    Ok(web::Json(answer(found)))
}

/// One transaction as answered; 404 if there is none.
pub(super) async fn find(services: &Services, id: i32) -> Result<Transaction, ApiError> {
    let found = crate::db::read(&services.pool, move |c| store::find(c, id)).await?;
    let now = chrono::Utc::now().naive_utc();
    found
        .map(|t| Transaction::from_stored(t, now))
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

impl From<store::Sample> for Sample {
    fn from(s: store::Sample) -> Self {
        Sample {
            sampled_at: Timestamp::from_naive(s.sampled_at),
            connector_id: s.connector_id,
            value: s.value,
            unit: s.unit,
            measurand: s.measurand,
            phase: s.phase,
            location: s.location,
            context: s.context,
            format: s.format,
        }
    }
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
    let page = page.request()?;
    let sort = sort.resolve(&store::SAMPLE_SORTS, store::SAMPLE_DEFAULT_SORT)?;
    let filter = store::SampleFilter {
        measurand: filter.measurand.clone().filter(|m| !m.is_empty()),
        from: parse_time("from", filter.from.as_deref())?,
        to: parse_time("to", filter.to.as_deref())?,
    };
    let found = crate::db::read(&services.pool, move |c| {
        store::samples(c, id, &filter, sort, page)
    })
    .await?;
    let samples = found.ok_or_else(|| ApiError::NotFound(format!("no transaction {id}")))?;
    Ok(web::Json(samples.map(Sample::from)))
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

/// Text from chargers (ids, tags, reasons) as a CSV cell a spreadsheet shows as text: one that
/// starts like a formula (`= + - @`, tab or carriage return) gets a leading `'`.
fn text_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// One transaction as a CSV record.
fn csv_record(r: &store::Transaction, now: NaiveDateTime) -> [String; 12] {
    let time = |t: Option<NaiveDateTime>| t.map(|t| Timestamp::from_naive(t).to_string());
    let num = |n: Option<i64>| n.map(|n| n.to_string());
    let stop = r.meter_stop;
    [
        r.id.to_string(),
        text_cell(&r.charge_point_id),
        r.connector_id.to_string(),
        text_cell(&r.id_tag),
        Timestamp::from_naive(r.start_time).to_string(),
        time(r.stop_time).unwrap_or_default(),
        r.meter_start.to_string(),
        num(stop).unwrap_or_default(),
        num(stop.map(|s| s - r.meter_start)).unwrap_or_default(),
        seconds_between(r.start_time, r.stop_time.unwrap_or(now)).to_string(),
        text_cell(r.stop_reason.map_or("", store::StopReason::as_str)),
        text_cell(r.stop_id_tag.as_deref().unwrap_or_default()),
    ]
}

/// Writes the export into `chunks` as CSV pieces of about [`CSV_CHUNK_BYTES`], reading rows as
/// it goes; stops when the receiver is gone (the client went away).
fn stream_csv(
    c: &mut crate::db::DbConn,
    filter: &store::Filter,
    sort: crate::db::page::Sort,
    chunks: &tokio::sync::mpsc::Sender<bytes::Bytes>,
) -> Result<(), String> {
    let now = chrono::Utc::now().naive_utc();
    let mut out = csv::Writer::from_writer(Vec::with_capacity(CSV_CHUNK_BYTES * 2));
    let mut failed = None;
    let send = |out: &mut csv::Writer<Vec<u8>>| -> bool {
        let fresh = csv::Writer::from_writer(Vec::with_capacity(CSV_CHUNK_BYTES * 2));
        match std::mem::replace(out, fresh).into_inner() {
            Ok(piece) => chunks.blocking_send(bytes::Bytes::from(piece)).is_ok(),
            Err(_) => false,
        }
    };
    out.write_record(CSV_HEADER).map_err(|e| e.to_string())?;
    store::export(c, filter, sort, |t| {
        if let Err(e) = out.write_record(csv_record(&t, now)) {
            failed = Some(e.to_string());
            return false;
        }
        out.get_ref().len() < CSV_CHUNK_BYTES || send(&mut out)
    })
    .map_err(|e| e.to_string())?;
    if let Some(e) = failed {
        return Err(e);
    }
    send(&mut out);
    Ok(())
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
    let sort = sort.resolve(&store::SORTS, store::DEFAULT_SORT)?;
    csv_export(&services, filter, sort).await
}

/// The CSV answer of the transactions matching `filter` (API and dashboard), streamed.
pub async fn csv_export(
    services: &Services,
    filter: store::Filter,
    sort: crate::db::page::Sort,
) -> Result<HttpResponse, ApiError> {
    let counted = filter.clone();
    let total = crate::db::read(&services.pool, move |c| store::export_count(c, &counted)).await?;
    if total > MAX_CSV_ROWS {
        return Err(ApiError::invalid(format!(
            "from: {total} transactions match, more than {MAX_CSV_ROWS}; narrow the time range"
        )));
    }
    // Rows go out as they are read: a few chunks in flight, whatever the size of the export.
    let (chunks, received) = tokio::sync::mpsc::channel::<bytes::Bytes>(4);
    let pool = services.pool.clone();
    actix_web::rt::task::spawn_blocking(move || {
        let written = pool
            .get()
            .map_err(|e| e.to_string())
            .and_then(|mut c| stream_csv(&mut c, &filter, sort, &chunks));
        if let Err(e) = written {
            log::error!("CSV export of transactions failed: {e}");
        }
    });
    let body = futures_util::stream::unfold(received, |mut received| async move {
        let chunk = received.recv().await?;
        Some((Ok::<_, actix_web::Error>(chunk), received))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"transactions.csv\"",
        ))
        .streaming(body))
}

#[cfg(test)]
mod tests {
    use super::text_cell;

    #[test]
    fn cells_that_look_like_formulas_are_kept_as_text() {
        for (text, cell) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("CP-1", "CP-1"),
            ("", ""),
        ] {
            assert_eq!(text_cell(text), cell, "{text:?}");
        }
    }
}
