//! The read side and management of stored things: chargers, transactions, id tags, logs, stats.
//!
//! - [`chargers`]: the fleet: list, detail, pre-register, edit, delete, Basic-auth passwords.
//! - [`logs`]: per charger, its status history and its message log.
//! - [`transactions`]: sessions, their meter values, CSV export.
//! - [`id_tags`]: the authorization list: CRUD and CSV import.
//! - [`stats`]: the figures the dashboard shows.
//!
//! Lists share their query parameters: [`PageParams`](super::PageParams), [`SortParams`] and
//! filters whose bad values are refused with a 422 naming the parameter. Times go out as
//! RFC 3339 UTC with `Z` and are read leniently ([`Timestamp::parse_lenient`]).

pub mod anomalies;
pub mod chargers;
pub mod close_transaction;
pub mod id_tags;
pub mod logs;
pub mod stats;
pub mod transactions;

pub use super::body::decode_body;
use super::error::ApiError;
pub use crate::db::page::Sort;
use crate::ocpp::types::{quirks, Timestamp};
use chrono::NaiveDateTime;
use serde::{Deserialize, Deserializer};
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the resource services. Fixed paths come before `{id}` paths they would match.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(chargers::list)
        .service(chargers::create)
        .service(chargers::detail)
        .service(chargers::update)
        .service(chargers::delete)
        .service(chargers::set_password)
        .service(chargers::clear_password)
        .service(logs::status_history)
        .service(anomalies::anomalies)
        .service(logs::messages)
        .service(transactions::list)
        .service(transactions::export_csv)
        .service(transactions::active)
        .service(transactions::detail)
        .service(close_transaction::close)
        .service(transactions::meter_values)
        .service(id_tags::list)
        .service(id_tags::import)
        .service(id_tags::create)
        .service(id_tags::detail)
        .service(id_tags::update)
        .service(id_tags::delete)
        .service(stats::stats);
}

/// `?sort=&order=` of list endpoints; each endpoint names the fields it sorts by.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SortParams {
    /// Field to sort by (see the endpoint for the fields it allows).
    pub sort: Option<String>,
    /// `asc` or `desc` (default depends on the field).
    pub order: Option<String>,
}

impl SortParams {
    /// The sort asked for, if `allowed` has its field; else `default`. Without `order`, a field
    /// sorts ascending, except the default field, which keeps its default direction.
    pub fn resolve(&self, allowed: &[&'static str], default: Sort) -> Result<Sort, ApiError> {
        let field = match self.sort.as_deref() {
            None | Some("") => default.field,
            Some(s) => allowed.iter().copied().find(|a| *a == s).ok_or_else(|| {
                ApiError::invalid(format!(
                    "sort: cannot sort by {s:?}; use one of {}",
                    allowed.join(", ")
                ))
            })?,
        };
        let desc = match self.order.as_deref() {
            None | Some("") => field == default.field && default.desc,
            Some("asc") => false,
            Some("desc") => true,
            Some(o) => {
                return Err(ApiError::invalid(format!(
                    "order: {o:?} is neither asc nor desc"
                )))
            }
        };
        Ok(Sort { field, desc })
    }
}

/// A query-string time (`from`, `to`, …), read leniently; 422 naming `field` if unreadable.
pub fn parse_time(field: &str, value: Option<&str>) -> Result<Option<NaiveDateTime>, ApiError> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let parsed = Timestamp::parse_lenient(value);
    // The leniency notes are for charger frames; an API caller's do not belong in them.
    quirks::take();
    parsed.map(|t| Some(t.naive())).ok_or_else(|| {
        ApiError::invalid(format!(
            "{field}: {value:?} is not a date-time; use RFC 3339, e.g. 2026-01-31T12:00:00Z"
        ))
    })
}

/// A query-string boolean; 422 naming `field` if it is not `true` or `false`.
pub fn parse_bool(field: &str, value: Option<&str>) -> Result<Option<bool>, ApiError> {
    match value {
        None | Some("") => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(v) => Err(ApiError::invalid(format!(
            "{field}: {v:?} is neither true nor false"
        ))),
    }
}

/// A query-string integer; 422 naming `field` if it is not one.
pub fn parse_int(field: &str, value: Option<&str>) -> Result<Option<i32>, ApiError> {
    match value {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| ApiError::invalid(format!("{field}: {v:?} is not an integer"))),
    }
}

/// A value that must be one of `allowed` (spelled as listed); 422 naming `field` otherwise.
pub fn one_of<'a>(
    field: &str,
    value: &str,
    allowed: impl IntoIterator<Item = &'a str>,
) -> Result<(), ApiError> {
    let allowed: Vec<&str> = allowed.into_iter().collect();
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "{field}: {value:?} is not one of {}",
            allowed.join(", ")
        )))
    }
}

/// For `Option<Option<T>>` fields: absent -> `None`, `null` -> `Some(None)` (clear it).
pub fn nullable<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Seconds between two times, never negative.
pub fn seconds_between(start: NaiveDateTime, end: NaiveDateTime) -> i64 {
    (end - start).num_seconds().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sort(sort: Option<&str>, order: Option<&str>) -> Result<Sort, ApiError> {
        SortParams {
            sort: sort.map(str::to_owned),
            order: order.map(str::to_owned),
        }
        .resolve(
            &["id", "startTime"],
            Sort {
                field: "startTime",
                desc: true,
            },
        )
    }

    #[test]
    fn sorts_are_whitelisted_and_directions_checked() {
        let s = |field, desc| Sort { field, desc };
        assert_eq!(sort(None, None).unwrap(), s("startTime", true));
        assert_eq!(sort(Some("id"), None).unwrap(), s("id", false));
        assert_eq!(sort(Some("id"), Some("desc")).unwrap(), s("id", true));
        assert_eq!(
            sort(Some("startTime"), Some("asc")).unwrap(),
            s("startTime", false)
        );
        let e = sort(Some("password"), None).unwrap_err().to_string();
        assert!(e.starts_with("sort:") && e.contains("id, startTime"), "{e}");
        assert!(sort(None, Some("up"))
            .unwrap_err()
            .to_string()
            .starts_with("order:"));
    }

    #[test]
    fn query_values_are_checked_with_their_names() {
        assert_eq!(parse_bool("online", Some("true")).unwrap(), Some(true));
        assert!(parse_bool("online", Some("yes"))
            .unwrap_err()
            .to_string()
            .starts_with("online:"));
        assert_eq!(parse_int("connectorId", Some("2")).unwrap(), Some(2));
        assert!(parse_int("connectorId", Some("two")).is_err());
        assert!(parse_time("from", Some("2024-05-01T10:00:00+02"))
            .unwrap()
            .is_some());
        assert!(quirks::take().is_empty(), "API parsing leaves no notes");
        let e = parse_time("to", Some("yesterday")).unwrap_err();
        assert!(matches!(e, ApiError::Invalid { field: Some(ref f), .. } if f == "to"));
    }

    #[test]
    fn bodies_name_the_wrong_field() {
        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        #[allow(dead_code)]
        struct B {
            id_tag: String,
            status: Option<u8>,
        }
        let field = |v: serde_json::Value| match decode_body::<B>(v).unwrap_err() {
            ApiError::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(serde_json::json!({"status": 1})),
            Some("idTag".into())
        );
        assert_eq!(
            field(serde_json::json!({"idTag": "A", "status": "x"})),
            Some("status".into())
        );
    }
}
