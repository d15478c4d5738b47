//! One module per page: each gathers a typed view through the stores (the same reads as the
//! API) and renders its template; each action checks the role and the CSRF token, takes the
//! API's road, and redirects back with a notice or shows the form again with the field marked.

pub mod audit;
pub mod charger;
pub mod chargers;
pub mod id_tags;
pub mod overview;
pub mod profiles;
pub mod reservations;
pub mod transactions;
pub mod users;

use super::error::PageError;
use crate::api::PageParams;
use crate::db::page::Page;
use serde::Serialize;

/// Rows per page of the tables.
pub const PAGE_ROWS: i64 = 50;

/// Links to the pages of a table: previous, next and where we are.
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub from: i64,
    pub to: i64,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// The pager of `page`, whose links keep the query `base` (already encoded, without
    /// `offset`).
    pub fn of<T>(page: &Page<T>, base: &str) -> Pager {
        let link = |offset: i64| {
            let sep = if base.is_empty() { "" } else { "&" };
            format!("?{base}{sep}offset={offset}")
        };
        Pager {
            from: if page.items.is_empty() {
                0
            } else {
                page.offset + 1
            },
            to: page.offset + page.items.len() as i64,
            total: page.total,
            prev: (page.offset > 0).then(|| link((page.offset - page.limit).max(0))),
            next: (page.offset + page.limit < page.total).then(|| link(page.offset + page.limit)),
        }
    }
}

/// The page asked for by `offset`, [`PAGE_ROWS`] long.
pub fn page_request(offset: Option<i64>) -> Result<crate::db::page::PageRequest, PageError> {
    Ok(PageParams {
        limit: Some(PAGE_ROWS),
        offset,
    }
    .request()?)
}

/// A query string of the non-empty `(name, value)` pairs, encoded.
pub fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    pairs
        .iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
        .map(|(k, v)| format!("{k}={}", super::view::url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagers_link_back_and_forth_keeping_the_filter() {
        let page = crate::db::page::PageRequest {
            limit: 50,
            offset: 50,
        }
        .of(vec![1; 50], 120);
        let p = Pager::of(&page, "q=a%20b");
        assert_eq!((p.from, p.to, p.total), (51, 100, 120));
        assert_eq!(p.prev.as_deref(), Some("?q=a%20b&offset=0"));
        assert_eq!(p.next.as_deref(), Some("?q=a%20b&offset=100"));
        let last = crate::db::page::PageRequest {
            limit: 50,
            offset: 100,
        }
        .of(vec![1; 20], 120);
        assert!(Pager::of(&last, "").next.is_none());
        assert_eq!(
            query_string(&[("q", Some("x&y")), ("status", None), ("online", Some(""))]),
            "q=x%26y"
        );
    }
}
