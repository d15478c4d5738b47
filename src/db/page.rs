//! One page of a list: what is asked (`limit`, `offset`) and what comes back (the rows and how
//! many match on all pages). The API checks the numbers; the stores apply them.

/// Which rows of a list: at most `limit`, after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: i64,
    pub offset: i64,
}

/// One page of rows (also the REST API's list answer).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Rows matching the filters, on all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl PageRequest {
    pub fn of<T>(self, items: Vec<T>, total: i64) -> Page<T> {
        Page {
            items,
            total,
            limit: self.limit,
            offset: self.offset,
        }
    }
}

impl<T> Page<T> {
    /// The same page with each row turned into something else (a DTO).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            limit: self.limit,
            offset: self.offset,
        }
    }
}

/// A checked sort: one of the endpoint's fields, and the direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub field: &'static str,
    pub desc: bool,
}
