//! Charging sessions as the API reads them: filtered and sorted pages, one by id with its
//! energy so far, its meter values as a series, the rows of a CSV export, and an operator's
//! close. Starting, stopping and the ends the server infers are the writer's
//! ([`super::jobs::transactions`], [`super::jobs::ghosts`]).

use super::audit::{self, AuditRow};
use super::conn::MultiBackend;
use super::jobs::ghosts::{close_by_operator, EndedBy, InferredEnd, OperatorClose};
use super::models::Transaction as Row;
use super::page::{Page, PageRequest, Sort};
use super::query::{order_by, order_by_nullable, stored};
use super::readings::{self, ENERGY_REGISTER};
use super::schema::{meter_values as mv, transactions as tx};
use super::DbConn;
use crate::ocpp::v16::common::AuthorizationStatus;
use crate::ocpp::v16::stop_transaction::Reason;
use chrono::NaiveDateTime;
use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;

/// A charging session.
#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    pub id: i32,
    pub charge_point_id: String,
    pub connector_id: i32,
    pub id_tag: String,
    /// The verdict given to the id tag when the transaction started.
    pub id_tag_status: AuthorizationStatus,
    pub start_time: NaiveDateTime,
    /// Wh.
    pub meter_start: i64,
    pub reservation_id: Option<i32>,
    pub stop_time: Option<NaiveDateTime>,
    /// Wh.
    pub meter_stop: Option<i64>,
    pub stop_reason: Option<StopReason>,
    pub stop_id_tag: Option<String>,
    /// `None` while active.
    pub ended_by: Option<EndedBy>,
    pub end_note: Option<String>,
    pub start_answer_lost: bool,
    /// While active, its newest energy register reading in Wh (`None` if none came yet, and
    /// always once stopped).
    pub latest_wh: Option<i64>,
}

impl Transaction {
    /// Whether it has not stopped yet.
    pub fn is_active(&self) -> bool {
        self.stop_time.is_none()
    }

    /// Energy delivered, Wh: meterStop - meterStart once stopped; while active, the latest
    /// energy reading less meterStart (`None` if none came yet).
    pub fn energy_wh(&self) -> Option<i64> {
        match self.meter_stop {
            Some(stop) => Some(stop - self.meter_start),
            None => self.latest_wh.map(|wh| wh - self.meter_start),
        }
    }

    fn from_row(r: Row, latest_wh: Option<i64>) -> QueryResult<Transaction> {
        Ok(Transaction {
            id_tag_status: stored(
                "transactions.id_tag_status",
                &r.id_tag_status,
                AuthorizationStatus::parse,
            )?,
            ended_by: r
                .ended_by
                .as_deref()
                .map(|e| stored("transactions.ended_by", e, EndedBy::parse))
                .transpose()?,
            id: r.id,
            charge_point_id: r.charge_point_id,
            connector_id: r.connector_id,
            id_tag: r.id_tag,
            start_time: r.start_time,
            meter_start: r.meter_start,
            reservation_id: r.reservation_id,
            stop_time: r.stop_time,
            meter_stop: r.meter_stop,
            stop_reason: r
                .stop_reason
                .as_deref()
                .map(|s| stored("transactions.stop_reason", s, StopReason::parse))
                .transpose()?,
            stop_id_tag: r.stop_id_tag,
            end_note: r.end_note,
            start_answer_lost: r.start_answer_lost,
            latest_wh,
        })
    }
}

/// Why a transaction stopped: the charger's Reason, or the end the server inferred (see
/// [`super::jobs::ghosts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    Charger(Reason),
    Server(InferredEnd),
}

impl StopReason {
    /// As stored and shown: OCPP's spelling, or the inferred end's name.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Charger(r) => r.as_str(),
            StopReason::Server(e) => e.reason(),
        }
    }

    pub fn parse(s: &str) -> Option<StopReason> {
        let charger = Reason::ALL.into_iter().find(|r| r.as_str() == s);
        let server = || InferredEnd::ALL.into_iter().find(|e| e.reason() == s);
        charger
            .map(StopReason::Charger)
            .or_else(|| server().map(StopReason::Server))
    }
}

/// Whether a transaction has stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Active,
    Completed,
}

impl State {
    pub const ALL: [State; 2] = [State::Active, State::Completed];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Completed => "completed",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Which transactions; `None` matches all.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub charge_point_id: Option<String>,
    pub connector_id: Option<i32>,
    /// Ignores case.
    pub id_tag: Option<String>,
    pub state: Option<State>,
    /// Started at or after.
    pub from: Option<NaiveDateTime>,
    /// Started before.
    pub to: Option<NaiveDateTime>,
}

/// The fields transactions sort by.
pub const SORTS: [&str; 4] = ["startTime", "stopTime", "id", "chargePointId"];
/// Newest first.
pub const DEFAULT_SORT: Sort = Sort {
    field: "startTime",
    desc: true,
};

fn filtered(f: &Filter) -> tx::BoxedQuery<'static, MultiBackend> {
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
    match f.state {
        Some(State::Active) => q = q.filter(tx::stop_time.is_null()),
        Some(State::Completed) => q = q.filter(tx::stop_time.is_not_null()),
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

fn sorted(f: &Filter, sort: Sort) -> tx::BoxedQuery<'static, MultiBackend> {
    let q = filtered(f);
    match sort.field {
        "stopTime" => order_by_nullable!(q, sort, tx::stop_time, tx::id),
        "id" => order_by!(q, sort, tx::id, tx::id),
        "chargePointId" => order_by!(q, sort, tx::charge_point_id, tx::start_time),
        _ => order_by!(q, sort, tx::start_time, tx::id),
    }
}

/// Rows as transactions, with the energy so far of the active ones.
fn with_energy(c: &mut DbConn, rows: Vec<Row>) -> QueryResult<Vec<Transaction>> {
    rows.into_iter()
        .map(|r| {
            let latest = match r.stop_time {
                None => readings::latest_energy(c, r.id)?.map(|r| r.wh),
                Some(_) => None,
            };
            Transaction::from_row(r, latest)
        })
        .collect()
}

/// A page of transactions (`sort` one of [`SORTS`]), with the energy so far of the active ones.
pub fn page(
    c: &mut DbConn,
    filter: &Filter,
    sort: Sort,
    page: PageRequest,
) -> QueryResult<Page<Transaction>> {
    let total: i64 = filtered(filter).count().get_result(c)?;
    let rows = sorted(filter, sort)
        .limit(page.limit)
        .offset(page.offset)
        .select(Row::as_select())
        .load(c)?;
    Ok(page.of(with_energy(c, rows)?, total))
}

/// One transaction, with its energy so far if active.
pub fn find(c: &mut DbConn, id: i32) -> QueryResult<Option<Transaction>> {
    let row: Option<Row> = tx::table
        .find(id)
        .select(Row::as_select())
        .first(c)
        .optional()?;
    Ok(with_energy(c, row.into_iter().collect())?.pop())
}

/// How many transactions an export of `filter` would hold.
pub fn export_count(c: &mut DbConn, filter: &Filter) -> QueryResult<i64> {
    filtered(filter).count().get_result(c)
}

/// Every transaction matching `filter`, sorted, handed to `each` one at a time as the rows
/// arrive (they are never all held at once; no energy so far: `latest_wh` is `None`). Stops
/// early when `each` returns false; returns how many were handed over.
pub fn export(
    c: &mut DbConn,
    filter: &Filter,
    sort: Sort,
    mut each: impl FnMut(Transaction) -> bool,
) -> QueryResult<u64> {
    let mut handed = 0;
    for row in sorted(filter, sort)
        .select(Row::as_select())
        .load_iter::<Row, DefaultLoadingMode>(c)?
    {
        if !each(Transaction::from_row(row?, None)?) {
            break;
        }
        handed += 1;
    }
    Ok(handed)
}

/// Totals over the transactions matching a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub count: i64,
    /// Energy of the completed ones (meterStop - meterStart), Wh.
    pub energy_wh: i64,
    /// Time between start and stop of the completed ones, seconds.
    pub duration_secs: i64,
}

/// [`Totals`] of the transactions matching `filter`, in one aggregate query.
pub fn totals(c: &mut DbConn, filter: &Filter) -> QueryResult<Totals> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    let seconds = match c.backend() {
        super::Backend::Sqlite => {
            "CAST(COALESCE(SUM((julianday(stop_time) - julianday(start_time)) * 86400.0), 0) AS BIGINT)"
        }
        super::Backend::Postgres => {
            "CAST(COALESCE(SUM(EXTRACT(EPOCH FROM (stop_time - start_time))), 0) AS BIGINT)"
        }
    };
    let (count, energy_wh, duration_secs) = filtered(filter)
        .select((
            sql::<BigInt>("COUNT(*)"),
            sql::<BigInt>("CAST(COALESCE(SUM(meter_stop - meter_start), 0) AS BIGINT)"),
            sql::<BigInt>(seconds),
        ))
        .get_result::<(i64, i64, i64)>(c)?;
    Ok(Totals {
        count,
        energy_wh,
        duration_secs,
    })
}

/// Transactions not stopped yet.
pub fn active_count(c: &mut DbConn) -> QueryResult<i64> {
    tx::table
        .filter(tx::stop_time.is_null())
        .count()
        .get_result(c)
}

/// An operator ends a transaction no charger holds any more, with `note` as its end note
/// (see [`close_by_operator`]). `audit` commits with it when it is closed.
pub fn close(
    c: &mut DbConn,
    id: i32,
    note: &str,
    at: NaiveDateTime,
    audit: Option<&AuditRow>,
) -> QueryResult<OperatorClose> {
    let outcome = close_by_operator(c, id, note, at)?;
    if outcome == OperatorClose::Closed {
        audit::insert_opt(c, audit)?;
    }
    Ok(outcome)
}

/// One sampled value of a transaction's meter values.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub sampled_at: NaiveDateTime,
    pub connector_id: i32,
    /// As the charger sent it (a decimal number as text).
    pub value: String,
    pub unit: Option<String>,
    /// `None` means the default, Energy.Active.Import.Register.
    pub measurand: Option<String>,
    pub phase: Option<String>,
    pub location: Option<String>,
    pub context: Option<String>,
    pub format: Option<String>,
}

/// Which samples of a transaction; `None` matches all.
#[derive(Debug, Clone, Default)]
pub struct SampleFilter {
    /// Energy.Active.Import.Register also matches values sent without a measurand.
    pub measurand: Option<String>,
    /// Sampled at or after.
    pub from: Option<NaiveDateTime>,
    /// Sampled before.
    pub to: Option<NaiveDateTime>,
}

/// The fields samples sort by.
pub const SAMPLE_SORTS: [&str; 1] = ["sampledAt"];
/// Oldest first.
pub const SAMPLE_DEFAULT_SORT: Sort = Sort {
    field: "sampledAt",
    desc: false,
};

/// The meter values of a transaction, filtered.
fn samples_of(id: i32, f: &SampleFilter) -> mv::BoxedQuery<'static, MultiBackend> {
    let mut q = mv::table.filter(mv::transaction_id.eq(id)).into_boxed();
    match f.measurand.as_deref() {
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
    if let Some(t) = f.from {
        q = q.filter(mv::sampled_at.ge(t));
    }
    if let Some(t) = f.to {
        q = q.filter(mv::sampled_at.lt(t));
    }
    q
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

/// A page of a transaction's meter values (by `sampledAt`, the only sort); `None` if there is
/// no such transaction.
pub fn samples(
    c: &mut DbConn,
    id: i32,
    filter: &SampleFilter,
    sort: Sort,
    page: PageRequest,
) -> QueryResult<Option<Page<Sample>>> {
    let known: i64 = tx::table.find(id).count().get_result(c)?;
    if known == 0 {
        return Ok(None);
    }
    let total: i64 = samples_of(id, filter).count().get_result(c)?;
    let q = samples_of(id, filter);
    let rows: Vec<SampleRow> = order_by!(q, sort, mv::sampled_at, mv::id)
        .limit(page.limit)
        .offset(page.offset)
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
    let items = rows
        .into_iter()
        .map(
            |(
                sampled_at,
                connector_id,
                value,
                unit,
                measurand,
                phase,
                location,
                context,
                format,
            )| {
                Sample {
                    sampled_at,
                    connector_id,
                    value,
                    unit,
                    measurand,
                    phase,
                    location,
                    context,
                    format,
                }
            },
        )
        .collect();
    Ok(Some(page.of(items, total)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query::plan;
    use diesel::connection::SimpleConnection;

    fn plan_of(filter: Filter, sort: Sort) -> String {
        plan::of(sorted(&filter, sort).limit(50).offset(0))
    }

    #[test]
    fn stop_reasons_read_back_as_written_and_unknown_ones_are_refused() {
        use crate::ocpp::v16::stop_transaction::Reason;
        let all = Reason::ALL
            .map(StopReason::Charger)
            .into_iter()
            .chain(InferredEnd::ALL.map(StopReason::Server));
        for reason in all {
            assert_eq!(StopReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(StopReason::parse("local"), None);
        assert_eq!(StopReason::parse(""), None);
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
            state: Some(State::Active),
            ..Filter::default()
        };
        let p = plan_of(open, DEFAULT_SORT);
        assert!(p.contains("INDEX transactions_active_by_start"), "{p}");
        let p = plan_of(Filter::default(), DEFAULT_SORT);
        assert!(p.contains("INDEX transactions_by_start"), "{p}");
        let p = plan::of(filtered(&by_charger).count());
        assert!(p.contains("COVERING INDEX transactions_by_charger"), "{p}");
    }

    #[test]
    fn meter_values_use_the_transaction_index() {
        let filter = SampleFilter {
            measurand: Some("Power.Active.Import".into()),
            ..SampleFilter::default()
        };
        let q = samples_of(1, &filter);
        let sort = SAMPLE_DEFAULT_SORT;
        let p = plan::of(order_by!(q, sort, mv::sampled_at, mv::id).select(mv::value));
        assert!(p.contains("INDEX meter_values_by_transaction"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
    }

    /// A database holding one completed transaction (1, ended by the server) and one active
    /// one (2) with an energy reading of 1.5 kWh.
    fn sessions() -> (tempfile::TempDir, DbConn) {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::DatabaseConfig {
            data_dir: dir.path().to_owned(),
            ..Default::default()
        };
        let (_, mut c) = crate::db::open(&config).unwrap();
        c.batch_execute(
            "INSERT INTO charge_points (id, created_at) VALUES ('CP', '2026-03-01 00:00:00.000');
             INSERT INTO transactions (id, charge_point_id, connector_id, id_tag, id_tag_status,
                 start_time, meter_start, stop_time, meter_stop, started_at, ended_by)
             VALUES (1, 'CP', 1, 'TAG', 'Accepted', '2026-03-01 10:00:00.000', 100,
                 '2026-03-01 11:00:00.000', 600, '2026-03-01 10:00:00.000', 'Inferred');
             INSERT INTO transactions (id, charge_point_id, connector_id, id_tag, id_tag_status,
                 start_time, meter_start, started_at)
             VALUES (2, 'CP', 2, 'TAG', 'ConcurrentTx', '2026-03-01 12:00:00.000', 1000,
                 '2026-03-01 12:00:00.000');
             INSERT INTO meter_values (charge_point_id, connector_id, transaction_id, sampled_at,
                 value, unit, received_at)
             VALUES ('CP', 2, 2, '2026-03-01 12:30:00.000', '1.5', 'kWh',
                 '2026-03-01 12:30:00.000');",
        )
        .unwrap();
        (dir, c)
    }

    #[test]
    fn stored_sessions_read_typed_with_their_energy() {
        let (_dir, mut c) = sessions();
        let done = find(&mut c, 1).unwrap().unwrap();
        assert_eq!(done.id_tag_status, AuthorizationStatus::Accepted);
        assert_eq!(done.ended_by, Some(EndedBy::Inferred));
        assert_eq!((done.is_active(), done.energy_wh()), (false, Some(500)));
        let open = find(&mut c, 2).unwrap().unwrap();
        assert_eq!(open.id_tag_status, AuthorizationStatus::ConcurrentTx);
        assert_eq!(open.ended_by, None);
        assert_eq!((open.is_active(), open.energy_wh()), (true, Some(500)));
        assert_eq!(find(&mut c, 3).unwrap(), None);

        let all = PageRequest {
            limit: 10,
            offset: 0,
        };
        let active = Filter {
            state: Some(State::Active),
            ..Filter::default()
        };
        let listed = page(&mut c, &active, DEFAULT_SORT, all).unwrap();
        assert_eq!((listed.total, listed.items), (1, vec![open]));
        let by_id = Sort {
            field: "id",
            desc: false,
        };
        assert_eq!(export_count(&mut c, &Filter::default()).unwrap(), 2);
        let mut ids: Vec<(i32, Option<i64>)> = Vec::new();
        let handed = export(&mut c, &Filter::default(), by_id, |t| {
            ids.push((t.id, t.latest_wh));
            true
        })
        .unwrap();
        assert_eq!((handed, ids), (2, vec![(1, None), (2, None)]));
        let mut first = Vec::new();
        let handed = export(&mut c, &Filter::default(), by_id, |t| {
            first.push(t.id);
            false
        })
        .unwrap();
        assert_eq!((handed, first), (0, vec![1]), "stops when told to");

        let series = samples(
            &mut c,
            2,
            &SampleFilter::default(),
            SAMPLE_DEFAULT_SORT,
            all,
        );
        let series = series.unwrap().unwrap();
        assert_eq!((series.total, series.items[0].value.as_str()), (1, "1.5"));
        let none = samples(
            &mut c,
            3,
            &SampleFilter::default(),
            SAMPLE_DEFAULT_SORT,
            all,
        );
        assert_eq!(none.unwrap(), None);
    }

    #[test]
    fn a_status_this_build_does_not_know_is_an_error_naming_it() {
        let (_dir, mut c) = sessions();
        diesel::update(tx::table.find(1))
            .set(tx::id_tag_status.eq("Maybe"))
            .execute(&mut c)
            .unwrap();
        let e = find(&mut c, 1).unwrap_err().to_string();
        assert!(
            e.contains("transactions.id_tag_status") && e.contains("Maybe"),
            "{e}"
        );
    }

    #[test]
    fn states_read_as_spelled() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        assert_eq!(State::parse("open"), None);
    }
}
