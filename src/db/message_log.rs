//! The message log as the API reads it: every OCPP-J frame in and out of a charger, when
//! `log.messages` is on. The writer stores the frames ([`super::models::LogRow`]) and prunes
//! old ones.

use super::conn::MultiBackend;
use super::page::{Page, PageRequest, Sort};
use super::query::{order_by, stored};
use super::schema::message_log as ml;
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the charger.
    In,
    /// From us.
    Out,
}

impl Direction {
    pub const ALL: [Direction; 2] = [Direction::In, Direction::Out];

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }

    pub fn parse(s: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// One frame as sent on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: i64,
    pub direction: Direction,
    /// 2 CALL, 3 CALLRESULT, 4 CALLERROR, 0 unreadable.
    pub message_type: i32,
    pub message_id: Option<String>,
    /// The action of a CALL (answers carry none).
    pub action: Option<String>,
    /// The frame's text.
    pub payload: String,
    pub logged_at: NaiveDateTime,
}

/// Which frames of a charger; `None` matches all.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub direction: Option<Direction>,
    /// Only CALLs of this action.
    pub action: Option<String>,
    /// Logged at or after.
    pub from: Option<NaiveDateTime>,
    /// Logged before.
    pub to: Option<NaiveDateTime>,
}

/// The fields the log sorts by.
pub const SORTS: [&str; 1] = ["loggedAt"];
/// Newest first.
pub const DEFAULT_SORT: Sort = Sort {
    field: "loggedAt",
    desc: true,
};

fn filtered(charge_point_id: &str, f: &Filter) -> ml::BoxedQuery<'static, MultiBackend> {
    let mut q = ml::table
        .filter(ml::charge_point_id.eq(charge_point_id.to_owned()))
        .into_boxed();
    if let Some(d) = f.direction {
        q = q.filter(ml::direction.eq(d.as_str()));
    }
    if let Some(a) = &f.action {
        q = q.filter(ml::action.eq(a.clone()));
    }
    if let Some(t) = f.from {
        q = q.filter(ml::logged_at.ge(t));
    }
    if let Some(t) = f.to {
        q = q.filter(ml::logged_at.lt(t));
    }
    q
}

fn sorted(charge_point_id: &str, f: &Filter, sort: Sort) -> ml::BoxedQuery<'static, MultiBackend> {
    let q = filtered(charge_point_id, f);
    order_by!(q, sort, ml::logged_at, ml::id)
}

type Row = (
    i64,
    String,
    i32,
    Option<String>,
    Option<String>,
    String,
    NaiveDateTime,
);

/// A page of a charger's logged frames (by `loggedAt`, the only sort).
pub fn page(
    c: &mut DbConn,
    charge_point_id: &str,
    filter: &Filter,
    sort: Sort,
    page: PageRequest,
) -> QueryResult<Page<Message>> {
    let total: i64 = filtered(charge_point_id, filter).count().get_result(c)?;
    let rows: Vec<Row> = sorted(charge_point_id, filter, sort)
        .limit(page.limit)
        .offset(page.offset)
        .select((
            ml::id,
            ml::direction,
            ml::message_type,
            ml::message_id,
            ml::action,
            ml::payload,
            ml::logged_at,
        ))
        .load(c)?;
    let items = rows
        .into_iter()
        .map(
            |(id, direction, message_type, message_id, action, payload, logged_at)| {
                Ok(Message {
                    id,
                    direction: stored("message_log.direction", &direction, Direction::parse)?,
                    message_type,
                    message_id,
                    action,
                    payload,
                    logged_at,
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
    fn the_log_is_read_through_the_per_charger_index() {
        let t = chrono::DateTime::UNIX_EPOCH.naive_utc();
        let filter = Filter {
            direction: Some(Direction::In),
            action: Some("Heartbeat".into()),
            from: Some(t),
            to: Some(t),
        };
        let p = plan::of(sorted("CP", &filter, DEFAULT_SORT).limit(50));
        assert!(p.contains("INDEX message_log_by_charger"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
    }

    #[test]
    fn directions_read_as_spelled() {
        for d in Direction::ALL {
            assert_eq!(Direction::parse(d.as_str()), Some(d));
        }
        assert_eq!(Direction::parse("IN"), None);
    }
}
