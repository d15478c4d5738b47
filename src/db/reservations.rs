//! Reservations: what was sent in ReserveNow and what became of it. The id is the
//! reservationId sent to the charger: allocated here, or the caller's.

use super::page::{Page, PageRequest};
use super::schema::reservations as r;
use super::{Backend, DbConn};
use crate::ocpp::v16::reserve_now::ReservationStatus as Answer;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Where a reservation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Written before the CALL goes out.
    Requested,
    /// The charger's answer to ReserveNow.
    Answered(Answer),
    /// The charger never confirmed it (CALLERROR, timeout, disconnect).
    Unconfirmed,
    /// An accepted CancelReservation.
    Cancelled,
    /// A StartTransaction carried its id.
    Used,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Requested => "Requested",
            Status::Answered(answer) => answer.as_str(),
            Status::Unconfirmed => "Unconfirmed",
            Status::Cancelled => "Cancelled",
            Status::Used => "Used",
        }
    }
}

/// A reservation as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = r)]
pub struct Reservation {
    pub id: i32,
    pub charge_point_id: String,
    pub connector_id: i32,
    pub id_tag: String,
    pub parent_id_tag: Option<String>,
    pub expiry_date: NaiveDateTime,
    /// [`Status::as_str`] of its status.
    pub status: String,
    pub transaction_id: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Reservation {
    /// Accepted and not expired at `now`.
    pub fn active_at(&self, now: NaiveDateTime) -> bool {
        self.status == Answer::Accepted.as_str() && self.expiry_date > now
    }
}

/// What ReserveNow asks for.
#[derive(Debug, Clone)]
pub struct NewReservation {
    pub charge_point_id: String,
    pub connector_id: i32,
    pub id_tag: String,
    pub parent_id_tag: Option<String>,
    pub expiry_date: NaiveDateTime,
}

/// Which reservations to list; `None` matches all.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub charge_point_id: Option<String>,
    pub status: Option<String>,
    /// Accepted and unexpired (`true`), or not (`false`), at the time of the query.
    pub active: Option<bool>,
}

/// What [`book`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Booked {
    /// Written as `Requested` under this id.
    Id(i32),
    /// The id asked for is a reservation of this other charger.
    TakenBy(String),
}

/// Writes the reservation as `Requested`: under a new id with `id: None`, else under `id`
/// (replacing an earlier reservation of that id on the same charger, as in OCPP).
pub fn book(
    c: &mut DbConn,
    new: &NewReservation,
    id: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<Booked> {
    let fields = (
        r::charge_point_id.eq(new.charge_point_id.clone()),
        r::connector_id.eq(new.connector_id),
        r::id_tag.eq(new.id_tag.clone()),
        r::parent_id_tag.eq(new.parent_id_tag.clone()),
        r::expiry_date.eq(new.expiry_date),
        r::status.eq(Status::Requested.as_str()),
        r::transaction_id.eq(None::<i32>),
        r::updated_at.eq(now),
    );
    let Some(id) = id else {
        let id = diesel::insert_into(r::table)
            .values((fields, r::created_at.eq(now)))
            .returning(r::id)
            .get_result(c)?;
        return Ok(Booked::Id(id));
    };
    let owner: Option<String> = r::table
        .find(id)
        .select(r::charge_point_id)
        .first(c)
        .optional()?;
    match owner {
        None => {
            diesel::insert_into(r::table)
                .values((r::id.eq(id), fields, r::created_at.eq(now)))
                .execute(c)?;
            allocate_past(c, id)?;
        }
        Some(owner) if owner == new.charge_point_id => {
            diesel::update(r::table.find(id)).set(fields).execute(c)?;
        }
        Some(owner) => return Ok(Booked::TakenBy(owner)),
    }
    Ok(Booked::Id(id))
}

/// Keeps ids allocated later above `id`, which a caller chose. SQLite's AUTOINCREMENT does
/// so by itself; PostgreSQL's sequence does not know of explicit ids.
fn allocate_past(c: &mut DbConn, id: i32) -> QueryResult<()> {
    if c.backend() == Backend::Postgres {
        diesel::sql_query(
            "SELECT setval(pg_get_serial_sequence('reservations', 'id'), $1) \
             WHERE $1 > (SELECT last_value FROM reservations_id_seq)",
        )
        .bind::<diesel::sql_types::Integer, _>(id)
        .execute(c)?;
    }
    Ok(())
}

/// Sets the status of `charger_id`'s reservation `id` (another charger's is left alone).
pub fn set_status(
    c: &mut DbConn,
    id: i32,
    charger_id: &str,
    status: Status,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(r::table.find(id).filter(r::charge_point_id.eq(charger_id)))
        .set((r::status.eq(status.as_str()), r::updated_at.eq(now)))
        .execute(c)
        .map(drop)
}

/// Marks `charger_id`'s reservation `id` used by `transaction_id`.
pub fn set_used(
    c: &mut DbConn,
    id: i32,
    charger_id: &str,
    transaction_id: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(r::table.find(id).filter(r::charge_point_id.eq(charger_id)))
        .set((
            r::status.eq(Status::Used.as_str()),
            r::transaction_id.eq(transaction_id),
            r::updated_at.eq(now),
        ))
        .execute(c)
        .map(drop)
}

/// Newest first; `active` is judged at `now`.
pub fn page(
    c: &mut DbConn,
    filter: &Filter,
    page: PageRequest,
    now: NaiveDateTime,
) -> QueryResult<Page<Reservation>> {
    let accepted = Answer::Accepted.as_str();
    let query = || {
        let mut q = r::table.into_boxed();
        if let Some(cp) = &filter.charge_point_id {
            q = q.filter(r::charge_point_id.eq(cp.clone()));
        }
        if let Some(status) = &filter.status {
            q = q.filter(r::status.eq(status.clone()));
        }
        match filter.active {
            Some(true) => q = q.filter(r::status.eq(accepted).and(r::expiry_date.gt(now))),
            Some(false) => q = q.filter(r::status.ne(accepted).or(r::expiry_date.le(now))),
            None => {}
        }
        q
    };
    let total: i64 = query().count().get_result(c)?;
    let items = query()
        .order(r::id.desc())
        .limit(page.limit)
        .offset(page.offset)
        .select(Reservation::as_select())
        .load(c)?;
    Ok(page.of(items, total))
}
