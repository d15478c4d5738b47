//! Transactions: filters (charger, connector, id tag, state, time range), paging, sorting,
//! totals of the filtered set, its CSV export (streamed, the API's export), and one
//! transaction with its meter values as charts.

use super::{page_request, query_string, Pager};
use crate::api::auth::Role;
use crate::api::resources::transactions::{csv_export, TransactionFilter};
use crate::api::resources::{seconds_between, SortParams};
use crate::dashboard::chart::{self, LineChart};
use crate::dashboard::error::PageError;
use crate::dashboard::form::Posted;
use crate::dashboard::session::Person;
use crate::dashboard::view::{self, Frame, Nav, When};
use crate::db::page::PageRequest;
use crate::db::transactions::{self as store, SampleFilter};
use crate::db::{DbConn, QueryResult};
use crate::services::Services;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

/// Samples a chart of a session draws at most.
const MAX_SAMPLES: i64 = 5000;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionsQuery {
    charger: Option<String>,
    connector: Option<String>,
    id_tag: Option<String>,
    state: Option<String>,
    from: Option<String>,
    to: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    offset: Option<i64>,
}

impl TransactionsQuery {
    fn filter(&self) -> TransactionFilter {
        TransactionFilter {
            charge_point_id: self.charger.clone(),
            connector_id: self.connector.clone(),
            id_tag: self.id_tag.clone(),
            state: self.state.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
        }
    }

    fn pairs(&self) -> Vec<(&'static str, Option<&str>)> {
        vec![
            ("charger", self.charger.as_deref()),
            ("connector", self.connector.as_deref()),
            ("idTag", self.id_tag.as_deref()),
            ("state", self.state.as_deref()),
            ("from", self.from.as_deref()),
            ("to", self.to.as_deref()),
        ]
    }

    fn sort(&self) -> Result<crate::db::page::Sort, PageError> {
        Ok(SortParams {
            sort: self.sort.clone(),
            order: self.order.clone(),
        }
        .resolve(&store::SORTS, store::DEFAULT_SORT)?)
    }
}

#[derive(Serialize)]
struct Row {
    id: i32,
    href: String,
    charger: String,
    charger_href: String,
    connector_id: i32,
    id_tag: String,
    active: bool,
    started: When,
    stopped: Option<When>,
    energy: String,
    duration: String,
    stop_reason: String,
}

fn row(t: store::Transaction, now: chrono::NaiveDateTime) -> Row {
    Row {
        href: format!("/transactions/{}", t.id),
        charger_href: format!("/chargers/{}", view::url_encode(&t.charge_point_id)),
        active: t.is_active(),
        energy: t.energy_wh().map_or_else(|| "—".into(), view::kwh),
        duration: view::duration(seconds_between(t.start_time, t.stop_time.unwrap_or(now))),
        started: When::of(t.start_time),
        stopped: When::maybe(t.stop_time),
        stop_reason: t
            .stop_reason
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
        id: t.id,
        charger: t.charge_point_id,
        connector_id: t.connector_id,
        id_tag: t.id_tag,
    }
}

#[derive(Serialize)]
struct TotalsView {
    count: i64,
    energy: String,
    duration: String,
}

#[derive(Serialize)]
struct TransactionsView {
    frame: Frame,
    rows: Vec<Row>,
    pager: Pager,
    totals: TotalsView,
    charger: String,
    connector: String,
    id_tag: String,
    state: String,
    from: String,
    to: String,
    csv: String,
    error: Option<String>,
}

/// Days the transactions page shows when no filter is given.
pub const DEFAULT_DAYS: i64 = 30;

impl TransactionsQuery {
    /// Whether no filter was given at all (an emptied field counts as given).
    fn unfiltered(&self) -> bool {
        [
            &self.charger,
            &self.connector,
            &self.id_tag,
            &self.state,
            &self.from,
            &self.to,
        ]
        .iter()
        .all(|v| v.is_none())
    }
}

/// `GET /transactions`. Without any filter, the last [`DEFAULT_DAYS`] days (the totals of a
/// whole history take a scan of it; clear the field for all). A bad filter shows the page with
/// the reason, and no rows.
pub async fn page(
    person: Person,
    services: web::Data<Services>,
    query: web::Query<TransactionsQuery>,
) -> Result<HttpResponse, PageError> {
    let mut query = query.into_inner();
    if query.unfiltered() {
        let since = chrono::Utc::now().date_naive() - chrono::Duration::days(DEFAULT_DAYS);
        query.from = Some(format!("{since}T00:00:00Z"));
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut pairs = query.pairs();
    pairs.push(("sort", query.sort.as_deref()));
    pairs.push(("order", query.order.as_deref()));
    let base = query_string(&pairs);
    let checked = query
        .filter()
        .check()
        .map_err(PageError::from)
        .and_then(|f| Ok((f, query.sort()?, page_request(query.offset)?)));
    let (rows, pager, totals, error) = match checked {
        Ok((filter, sort, request)) => {
            let (found, totals) = crate::db::read(&services.pool, move |c| {
                QueryResult::Ok((
                    store::page(c, &filter, sort, request)?,
                    store::totals(c, &filter)?,
                ))
            })
            .await?;
            let now = chrono::Utc::now().naive_utc();
            let pager = Pager::of(&found, &base);
            let rows = found.items.into_iter().map(|t| row(t, now)).collect();
            (rows, pager, totals, None)
        }
        Err(e) => {
            let empty = PageRequest {
                limit: 1,
                offset: 0,
            }
            .of(Vec::<()>::new(), 0);
            (
                Vec::new(),
                Pager::of(&empty, ""),
                store::Totals::default(),
                Some(e.to_string()),
            )
        }
    };
    let view = TransactionsView {
        frame: person.frame("Transactions", Nav::Transactions, "transactions"),
        rows,
        pager,
        totals: TotalsView {
            count: totals.count,
            energy: view::kwh(totals.energy_wh),
            duration: view::duration(totals.duration_secs),
        },
        charger: text(&query.charger),
        connector: text(&query.connector),
        id_tag: text(&query.id_tag),
        state: text(&query.state),
        from: text(&query.from),
        to: text(&query.to),
        csv: format!("/transactions.csv?{base}"),
        error,
    };
    view::page("transactions", &view, &person)
}

/// `GET /transactions.csv`: the filtered set as CSV, streamed (the API's export).
pub async fn export(
    _person: Person,
    services: web::Data<Services>,
    query: web::Query<TransactionsQuery>,
) -> Result<HttpResponse, PageError> {
    let filter = query.filter().check()?;
    Ok(csv_export(&services, filter, query.sort()?).await?)
}

/// The first [`MAX_SAMPLES`] meter values of a transaction, oldest first (none if unknown).
pub fn session_samples(c: &mut DbConn, id: i32) -> QueryResult<Vec<store::Sample>> {
    let page = store::samples(
        c,
        id,
        &SampleFilter::default(),
        store::SAMPLE_DEFAULT_SORT,
        PageRequest {
            limit: MAX_SAMPLES,
            offset: 0,
        },
    )?;
    Ok(page.map(|p| p.items).unwrap_or_default())
}

/// A session's meter values as charts: energy (kWh), power (kW), current (A), voltage (V) and
/// state of charge (%), each where the charger sent it (the phase-less values, or L1's).
pub fn session_charts(samples: &[store::Sample]) -> Vec<LineChart> {
    let series = |measurand: &str, scale: f64| -> Vec<(i64, f64)> {
        let wanted = |s: &&store::Sample| {
            s.measurand
                .as_deref()
                .unwrap_or(crate::db::readings::ENERGY_REGISTER)
                == measurand
        };
        let of_phase = |phase: Option<&str>| -> Vec<(i64, f64)> {
            samples
                .iter()
                .filter(wanted)
                .filter(|s| s.phase.as_deref() == phase)
                .filter_map(|s| {
                    let v: f64 = s.value.trim().parse().ok()?;
                    let k = match s.unit.as_deref() {
                        Some("kWh" | "kW") => 1000.0,
                        _ => 1.0,
                    };
                    Some((s.sampled_at.and_utc().timestamp(), v * k / scale))
                })
                .collect()
        };
        let total = of_phase(None);
        if total.is_empty() {
            of_phase(Some("L1"))
        } else {
            total
        }
    };
    let time = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.format("%H:%M:%S UTC").to_string())
            .unwrap_or_default()
    };
    // (title, measurand, divisor, unit, whether the chart starts at 0)
    let charts = [
        (
            "Energy (kWh)",
            crate::db::readings::ENERGY_REGISTER,
            1000.0,
            "kWh",
            false,
        ),
        ("Power (kW)", "Power.Active.Import", 1000.0, "kW", true),
        ("Current (A)", "Current.Import", 1.0, "A", true),
        ("Voltage (V)", "Voltage", 1.0, "V", false),
        ("State of charge (%)", "SoC", 1.0, "%", true),
    ];
    charts
        .into_iter()
        .filter_map(|(title, measurand, scale, unit, from_zero)| {
            let points = series(measurand, scale);
            (!points.is_empty()).then(|| {
                chart::line(title, from_zero, &points, time, |v| {
                    format!("{v:.2} {unit}")
                })
            })
        })
        .collect()
}

#[derive(Serialize)]
struct Fact {
    label: &'static str,
    value: String,
}

#[derive(Serialize)]
struct DetailView {
    frame: Frame,
    id: i32,
    active: bool,
    charger: String,
    charger_href: String,
    facts: Vec<Fact>,
    charts: Vec<LineChart>,
}

/// `GET /transactions/{id}`.
pub async fn detail(
    person: Person,
    services: web::Data<Services>,
    id: web::Path<i32>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let (found, samples) = crate::db::read(&services.pool, move |c| {
        QueryResult::Ok((store::find(c, id)?, session_samples(c, id)?))
    })
    .await?;
    let charts = session_charts(&samples);
    let t = found.ok_or_else(|| PageError::NotFound(format!("no transaction {id}")))?;
    let now = chrono::Utc::now().naive_utc();
    let text = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    let facts = vec![
        Fact {
            label: "Connector",
            value: t.connector_id.to_string(),
        },
        Fact {
            label: "Id tag",
            value: format!("{} ({})", t.id_tag, t.id_tag_status.as_str()),
        },
        Fact {
            label: "Started",
            value: When::of(t.start_time).text,
        },
        Fact {
            label: "Stopped",
            value: text(t.stop_time.map(|s| When::of(s).text)),
        },
        Fact {
            label: "Duration",
            value: view::duration(seconds_between(t.start_time, t.stop_time.unwrap_or(now))),
        },
        Fact {
            label: "Meter start",
            value: format!("{} Wh", t.meter_start),
        },
        Fact {
            label: "Meter stop",
            value: text(t.meter_stop.map(|m| format!("{m} Wh"))),
        },
        Fact {
            label: "Energy",
            value: t.energy_wh().map_or_else(|| "—".into(), view::kwh),
        },
        Fact {
            label: "Stop reason",
            value: text(t.stop_reason.map(|r| r.as_str().to_owned())),
        },
        Fact {
            label: "Stopped by id tag",
            value: text(t.stop_id_tag.clone()),
        },
        Fact {
            label: "Ended by",
            value: text(t.ended_by.map(|e| e.as_str().to_owned())),
        },
        Fact {
            label: "Note",
            value: text(t.end_note.clone()),
        },
        Fact {
            label: "Reservation",
            value: text(t.reservation_id.map(|r| r.to_string())),
        },
    ];
    let view = DetailView {
        frame: person.frame(
            format!("Transaction {id}"),
            Nav::Transactions,
            format!("charger:{}", t.charge_point_id),
        ),
        id,
        active: t.is_active(),
        charger_href: format!("/chargers/{}", view::url_encode(&t.charge_point_id)),
        charger: t.charge_point_id,
        facts,
        charts,
    };
    view::page("transaction", &view, &person)
}

/// `POST /transactions/{id}/stop`: RemoteStopTransaction to its charger (operator).
pub async fn stop(
    person: Person,
    services: web::Data<Services>,
    id: web::Path<i32>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    form.check(&person)?;
    person.require(Role::Operator)?;
    let id = id.into_inner();
    let found = crate::db::read(&services.pool, move |c| store::find(c, id)).await?;
    let t = found.ok_or_else(|| PageError::NotFound(format!("no transaction {id}")))?;
    let request = crate::ocpp::v16::remote_stop_transaction::RemoteStopTransactionRequest {
        transaction_id: id,
    };
    let notice = match crate::api::commands::send::send(
        &services,
        &person.caller,
        &t.charge_point_id,
        request,
    )
    .await
    {
        Ok(answer) => format!(
            "RemoteStopTransaction for transaction {id}: {}",
            crate::dashboard::operations::status_of(&answer)
        ),
        Err(e) => format!("Transaction {id} not stopped: {e}"),
    };
    Ok(view::redirect(&format!("/transactions/{id}"), &notice))
}
