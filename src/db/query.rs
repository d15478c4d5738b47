//! Query building blocks shared by the stores: sorting a boxed query on a checked column with a
//! stable tie-break, and `LIKE` patterns that match text literally.

use super::conn::{Backend, MultiBackend};
use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::sql_types::{Bool, Text};

/// Applies a sort on one column to a boxed diesel query, then `$tie` ascending or descending
/// alike (so pages are stable).
macro_rules! order_by {
    ($query:expr, $sort:expr, $column:expr, $tie:expr) => {
        if $sort.desc {
            $query.order_by($column.desc()).then_order_by($tie.desc())
        } else {
            $query.order_by($column.asc()).then_order_by($tie.asc())
        }
    };
}
pub(crate) use order_by;

/// [`order_by!`] on a column that may be NULL, with NULLs first ascending and last descending
/// on both backends (SQLite's order; PostgreSQL's own is the reverse).
macro_rules! order_by_nullable {
    ($query:expr, $sort:expr, $column:expr, $tie:expr) => {
        if $sort.desc {
            $query
                .order_by($column.is_null().asc())
                .then_order_by($column.desc())
                .then_order_by($tie.desc())
        } else {
            $query
                .order_by($column.is_null().desc())
                .then_order_by($column.asc())
                .then_order_by($tie.asc())
        }
    };
}
pub(crate) use order_by_nullable;

/// `pattern` for SQL `LIKE … ESCAPE '\'`, matching `text` literally anywhere.
pub fn like_anywhere(text: &str) -> String {
    format!("%{}%", like_literal(text))
}

/// `text` with LIKE's wildcards escaped (`\` is the escape character).
pub fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `column LIKE pattern ESCAPE '\'`, ignoring case on both backends: SQLite's LIKE ignores
/// ASCII case; on PostgreSQL it is ILIKE over the column in the default collation (LIKE refuses
/// the case-insensitive collation of the id tag columns). `column` is `table.column`.
pub fn like_ci<QS>(
    backend: Backend,
    column: &'static str,
    pattern: String,
) -> Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Bool>> {
    let (collate, like) = match backend {
        Backend::Sqlite => ("", "LIKE"),
        Backend::Postgres => (" COLLATE \"default\"", "ILIKE"),
    };
    Box::new(
        sql::<Bool>(&format!("({column}{collate} {like} "))
            .bind::<Text, _>(pattern)
            .sql(" ESCAPE '\\')"),
    )
}

/// A stored text read as its enum with `parse`; a text this build does not know is an error
/// naming `column` and the text (the server writes only values it knows).
pub fn stored<T>(
    column: &str,
    text: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> diesel::QueryResult<T> {
    parse(text).ok_or_else(|| {
        diesel::result::Error::DeserializationError(
            format!("{column}: {text:?} is not a value this build knows").into(),
        )
    })
}

/// A freshly migrated database in a temporary directory, for tests (the directory goes when
/// the first value is dropped).
#[cfg(test)]
pub(crate) fn scratch() -> (tempfile::TempDir, super::DbConn) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = crate::config::DatabaseConfig {
        data_dir: dir.path().to_owned(),
        ..Default::default()
    };
    let (_, conn) = crate::db::open(&config).expect("open database");
    (dir, conn)
}

/// Query plans of the list queries, for tests that check they use their indexes.
#[cfg(test)]
pub(crate) mod plan {
    use crate::db::DbConn;
    use diesel::connection::{Connection, InstrumentationEvent};
    use diesel::query_dsl::methods::ExecuteDsl;
    use diesel::sql_types::Text;
    use diesel::{QueryableByName, RunQueryDsl};
    use std::sync::{Arc, Mutex};

    #[derive(QueryableByName)]
    struct Step {
        #[diesel(sql_type = Text)]
        detail: String,
    }

    /// SQLite's `EXPLAIN QUERY PLAN` of `query` on a freshly migrated database, one step a line
    /// (the query runs once to learn its SQL; the plan is made with its parameters unbound).
    pub fn of<Q: RunQueryDsl<DbConn> + ExecuteDsl<DbConn>>(query: Q) -> String {
        let (_dir, mut conn) = super::scratch();
        let seen = Arc::new(Mutex::new(String::new()));
        let DbConn::Sqlite(inner) = &mut conn else {
            panic!("query plans are SQLite's")
        };
        let into = seen.clone();
        inner.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { query, .. } = event {
                *into.lock().unwrap() = query.to_string();
            }
        });
        query.execute(&mut conn).expect("run the query");
        let text = seen.lock().unwrap().clone();
        let sql = text.split(" -- binds:").next().unwrap_or_default();
        diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load::<Step>(&mut conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .into_iter()
            .map(|s| s.detail)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::like_literal;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_literal("50%_a\\"), "50\\%\\_a\\\\");
    }
}
