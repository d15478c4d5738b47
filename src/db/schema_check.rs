//! Schema drift check: the tables and columns `schema.rs` declares, compared with what a live
//! database reports.
//!
//! [`expected`] parses the `diesel::table!` blocks of `schema.rs`; the caller runs
//! [`Kind::columns_sql`] on the database, turns the rows into a map with [`from_rows`] and hands
//! both maps to [`compare`], which lists every difference in plain words. [`differences`] does
//! all of that on a connection.

use super::{Backend, DbConn};
use diesel::sql_types::{Integer, Text};
use diesel::{QueryResult, QueryableByName, RunQueryDsl};
use std::collections::BTreeMap;

/// One row of the introspection queries.
#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    column_type: String,
    #[diesel(sql_type = Integer)]
    nullable: i32,
}

/// Every difference between `schema.rs` and the tables of the database `conn` is connected to;
/// empty when they agree.
pub fn differences(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let kind = match conn.backend() {
        Backend::Sqlite => Kind::Sqlite,
        Backend::Postgres => Kind::Postgres,
    };
    let rows: Vec<ColumnRow> = diesel::sql_query(kind.columns_sql()).load(conn)?;
    let actual = from_rows(
        rows.into_iter()
            .map(|r| (r.table_name, r.column_name, r.column_type, r.nullable != 0)),
    );
    Ok(compare(&expected(), &actual, kind))
}

/// The text of `schema.rs`, the schema both backends must have.
const SCHEMA_RS: &str = include_str!("schema.rs");

/// Diesel's own bookkeeping table, present in every migrated database and absent from
/// `schema.rs`.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

/// The columns of every table on SQLite, one row per column, in declaration order: `table_name`,
/// `column_name` and `column_type` (the declared type, lowercased) as text, `nullable` as the
/// integer 1 (NULL allowed) or 0. SQLite's internal tables and diesel's bookkeeping table are
/// left out.
pub const SQLITE_COLUMNS_SQL: &str = r#"SELECT m.name AS table_name,
       p.name AS column_name,
       lower(p.type) AS column_type,
       CASE WHEN p."notnull" = 0 THEN 1 ELSE 0 END AS nullable
FROM sqlite_master AS m
JOIN pragma_table_info(m.name) AS p
WHERE m.type = 'table'
  AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
  AND m.name <> '__diesel_schema_migrations'
ORDER BY m.name, p.cid"#;

/// The columns of every base table in the current schema on PostgreSQL, one row per column, in
/// declaration order: `table_name`, `column_name` and `column_type` (the `udt_name`, such as
/// `int4` or `timestamptz`) as text, `nullable` as the integer 1 (NULL allowed) or 0. Views and
/// diesel's bookkeeping table are left out; tables the user has no privilege on are not listed
/// by `information_schema`.
pub const POSTGRES_COLUMNS_SQL: &str = r#"SELECT c.table_name::text AS table_name,
       c.column_name::text AS column_name,
       c.udt_name::text AS column_type,
       CASE WHEN c.is_nullable = 'YES' THEN 1 ELSE 0 END AS nullable
FROM information_schema.columns AS c
JOIN information_schema.tables AS t
  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = current_schema()
  AND t.table_type = 'BASE TABLE'
  AND c.table_name <> '__diesel_schema_migrations'
ORDER BY c.table_name, c.ordinal_position"#;

/// The database backend a live schema comes from; it decides which type names match a diesel
/// SQL type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SQLite: types as declared in the migrations.
    Sqlite,
    /// PostgreSQL: types as `information_schema.columns.udt_name` names them.
    Postgres,
}

impl Kind {
    /// The introspection query for this backend ([`SQLITE_COLUMNS_SQL`] or
    /// [`POSTGRES_COLUMNS_SQL`]).
    pub fn columns_sql(self) -> &'static str {
        match self {
            Kind::Sqlite => SQLITE_COLUMNS_SQL,
            Kind::Postgres => POSTGRES_COLUMNS_SQL,
        }
    }
}

/// A column as `schema.rs` declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The diesel SQL type without `Nullable` and without a module path: "Integer", "BigInt",
    /// "Text", "Timestamp", "Bool", "Double", ...
    pub sql_type: String,
    /// Declared as `Nullable<…>`.
    pub nullable: bool,
}

/// A column as the database reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    /// The type name as the database reports it, lowercased ("integer", "int8", "timestamptz").
    pub db_type: String,
    /// The column accepts NULL.
    pub nullable: bool,
}

/// One `table!` block of `schema.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The table's name in the database.
    pub name: String,
    /// The primary key columns in declaration order (`id` when the block names none).
    pub primary_key: Vec<String>,
    /// The columns by their name in the database.
    pub columns: BTreeMap<String, Column>,
}

/// What [`parse`] made of a `schema.rs` text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The tables in the order they appear.
    pub tables: Vec<Table>,
    /// Fragments that could not be read, each with the reason; empty for a well-formed file.
    pub skipped: Vec<String>,
}

/// Table name -> column name -> declared column.
pub type Expected = BTreeMap<String, BTreeMap<String, Column>>;

/// Table name -> column name -> column as the database reports it.
pub type Actual = BTreeMap<String, BTreeMap<String, Live>>;

impl Parsed {
    /// The tables as a map from table name to columns.
    pub fn to_map(&self) -> Expected {
        self.tables
            .iter()
            .map(|t| (t.name.clone(), t.columns.clone()))
            .collect()
    }
}

/// The tables and columns `schema.rs` declares. Fragments the parser cannot read are left out
/// (a unit test asserts that the real file has none).
pub fn expected() -> Expected {
    parse(SCHEMA_RS).to_map()
}

/// Parses every `table!` block of a diesel schema file.
pub fn parse(src: &str) -> Parsed {
    let text = strip_line_comments(src);
    let mut parsed = Parsed::default();
    let mut rest = text.as_str();
    while let Some(start) = find_table_macro(rest) {
        let after = &rest[start..];
        let Some(open) = after.find('{') else {
            parsed.skipped.push("table! without a body".to_owned());
            break;
        };
        let Some((body, end)) = braced(after, open) else {
            parsed
                .skipped
                .push("table! without a closing brace".to_owned());
            break;
        };
        match parse_table(body) {
            Ok((table, bad_columns)) => {
                parsed.skipped.extend(bad_columns);
                push_table(&mut parsed, table);
            }
            Err(why) => parsed.skipped.push(why),
        }
        rest = &after[end..];
    }
    parsed
}

/// Adds `table` unless one of that name is already there (then the repeat is noted as skipped).
fn push_table(parsed: &mut Parsed, table: Table) {
    if parsed.tables.iter().any(|t| t.name == table.name) {
        parsed
            .skipped
            .push(format!("table {} declared twice", table.name));
    } else {
        parsed.tables.push(table);
    }
}

/// `src` with everything from `//` to the end of each line removed (doc comments included).
fn strip_line_comments(src: &str) -> String {
    src.lines()
        .map(|line| line.find("//").map_or(line, |at| &line[..at]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The byte offset of the next `table!` that is a macro name of its own (not the end of a
/// longer identifier).
fn find_table_macro(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = text[from..].find("table!") {
        let start = from + at;
        let before = text[..start].chars().next_back();
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            return Some(start);
        }
        from = start + "table!".len();
    }
    None
}

/// The text between the `{` at byte `open` and its matching `}`, and the offset just past that
/// `}`; `None` when the brace is not closed.
fn braced(text: &str, open: usize) -> Option<(&str, usize)> {
    let mut depth = 0usize;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    let close = open + i;
                    return Some((&text[open + 1..close], close + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// One `table!` body: `name (pk, ...) { col -> Type, ... }`, optionally preceded by `use`
/// statements and attributes. Returns the table and the column entries that could not be read.
fn parse_table(body: &str) -> Result<(Table, Vec<String>), String> {
    let open = body
        .find('{')
        .ok_or_else(|| format!("table! without a column list: {}", body.trim()))?;
    let (inner, _) = braced(body, open)
        .ok_or_else(|| format!("table! with an unclosed column list: {}", body.trim()))?;
    let (name, primary_key) = parse_header(&body[..open])?;
    let mut columns = BTreeMap::new();
    let mut skipped = Vec::new();
    for entry in split_top_level(inner) {
        match parse_column(entry) {
            Ok((column, _)) if columns.contains_key(&column) => {
                skipped.push(format!("column {name}.{column} declared twice"));
            }
            Ok((column, def)) => {
                columns.insert(column, def);
            }
            Err(why) => skipped.push(format!("table {name}: {why}")),
        }
    }
    let table = Table {
        name,
        primary_key,
        columns,
    };
    Ok((table, skipped))
}

/// The table name and primary key from the text before the column list, such as
/// `use diesel::sql_types::*; #[sql_name = "x"] schema.name (a, b)`.
fn parse_header(header: &str) -> Result<(String, Vec<String>), String> {
    // `use` statements end with `;`; the declaration is what follows the last one.
    let declaration = header.rsplit(';').next().unwrap_or(header);
    let (sql_name, rest) = take_attributes(declaration)?;
    let (path, key) = match rest.find('(') {
        Some(at) => {
            let close = rest[at..]
                .find(')')
                .ok_or_else(|| format!("unclosed primary key in {:?}", rest.trim()))?;
            (&rest[..at], Some(&rest[at + 1..at + close]))
        }
        None => (rest, None),
    };
    let rust_name = last_segment(path.trim());
    if !is_identifier(rust_name) {
        return Err(format!("no table name in {:?}", header.trim()));
    }
    let primary_key = match key {
        Some(list) => list
            .split(',')
            .map(|c| unraw(c.trim()).to_owned())
            .filter(|c| !c.is_empty())
            .collect(),
        None => vec!["id".to_owned()],
    };
    let name = sql_name.unwrap_or_else(|| unraw(rust_name).to_owned());
    Ok((name, primary_key))
}

/// One column entry, `#[attrs] name -> Type`: the column's database name and declaration.
fn parse_column(entry: &str) -> Result<(String, Column), String> {
    let (sql_name, rest) = take_attributes(entry)?;
    let (name, ty) = rest
        .split_once("->")
        .ok_or_else(|| format!("no `->` in {:?}", entry.trim()))?;
    let name = unraw(name.trim());
    let ty = ty.trim();
    if !is_identifier(name) || ty.is_empty() {
        return Err(format!("unreadable column {:?}", entry.trim()));
    }
    let (sql_type, nullable) = match generic_argument(ty, "Nullable") {
        Some(inner) => (type_name(inner), true),
        None => (type_name(ty), false),
    };
    let column = Column { sql_type, nullable };
    Ok((sql_name.unwrap_or_else(|| name.to_owned()), column))
}

/// Leading `#[...]` attributes removed from `text`: the value of a `sql_name = "..."` among
/// them, and the rest of the text.
fn take_attributes(text: &str) -> Result<(Option<String>, &str), String> {
    let mut rest = text.trim_start();
    let mut sql_name = None;
    while let Some(after) = rest.strip_prefix("#[") {
        let close = after
            .find(']')
            .ok_or_else(|| format!("unclosed attribute in {:?}", text.trim()))?;
        let attribute = after[..close].trim();
        if let Some(value) = sql_name_value(attribute) {
            sql_name = Some(value);
        }
        rest = after[close + 1..].trim_start();
    }
    Ok((sql_name.map(str::to_owned), rest))
}

/// The name in a `sql_name = "name"` attribute (given without its `#[` and `]`).
fn sql_name_value(attribute: &str) -> Option<&str> {
    let (key, value) = attribute.split_once('=')?;
    (key.trim() == "sql_name").then(|| value.trim().trim_matches('"'))
}

/// `text` split at the commas that are not inside `<>`, `()` or `[]`, without empty pieces
/// (the `>` of `->` closes nothing).
fn split_top_level(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut previous = ' ';
    for (i, c) in text.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' if previous == '-' => {}
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                pieces.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        previous = c;
    }
    pieces.push(&text[start..]);
    pieces.retain(|p| !p.trim().is_empty());
    pieces
}

/// The argument of `wrapper<...>` (with or without a module path before `wrapper`).
fn generic_argument<'a>(ty: &'a str, wrapper: &str) -> Option<&'a str> {
    let open = ty.find('<')?;
    let inner = ty[open + 1..].strip_suffix('>')?;
    (last_segment(ty[..open].trim()) == wrapper).then_some(inner)
}

/// A type without its module path: `diesel::sql_types::Integer` is `Integer`, and
/// `sql_types::Array<sql_types::Text>` is `Array<sql_types::Text>`.
fn type_name(ty: &str) -> String {
    let ty = ty.trim();
    match ty.find('<') {
        Some(open) => format!("{}{}", last_segment(&ty[..open]), &ty[open..]),
        None => last_segment(ty).to_owned(),
    }
}

/// The part after the last `::` or `.` of a path.
fn last_segment(path: &str) -> &str {
    let tail = path.rsplit("::").next().unwrap_or(path);
    tail.rsplit('.').next().unwrap_or(tail).trim()
}

/// `name` without the `r#` of a raw identifier.
fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// A Rust identifier (letters, digits and `_`, not starting with a digit).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// The live schema from the rows of [`SQLITE_COLUMNS_SQL`] or [`POSTGRES_COLUMNS_SQL`]:
/// `(table_name, column_name, column_type, nullable)`. Type names are lowercased.
pub fn from_rows(rows: impl IntoIterator<Item = (String, String, String, bool)>) -> Actual {
    let mut actual = Actual::new();
    for (table, column, db_type, nullable) in rows {
        let live = Live {
            db_type: db_type.trim().to_lowercase(),
            nullable,
        };
        actual.entry(table).or_default().insert(column, live);
    }
    actual
}

/// Every difference between the declared schema and a live one, as sentences; empty when they
/// agree. Diesel's bookkeeping table and SQLite's internal tables in `actual` are ignored.
pub fn compare(expected: &Expected, actual: &Actual, backend: Kind) -> Vec<String> {
    let mut differences = Vec::new();
    for (table, columns) in expected {
        match actual.get(table) {
            None => differences.push(format!("table {table} missing")),
            Some(live) => compare_table(table, columns, live, backend, &mut differences),
        }
    }
    for table in actual.keys() {
        if !expected.contains_key(table) && !is_internal(table) {
            differences.push(format!("table {table} in the database is not in schema.rs"));
        }
    }
    differences
}

/// The differences within one table that exists on both sides.
fn compare_table(
    table: &str,
    expected: &BTreeMap<String, Column>,
    actual: &BTreeMap<String, Live>,
    backend: Kind,
    differences: &mut Vec<String>,
) {
    for (name, column) in expected {
        let Some(live) = actual.get(name) else {
            differences.push(format!("column {table}.{name} missing"));
            continue;
        };
        if !type_matches(&column.sql_type, &live.db_type, backend) {
            differences.push(format!(
                "column {table}.{name} is {}, schema.rs says {}",
                live.db_type, column.sql_type
            ));
        }
        if column.nullable != live.nullable {
            differences.push(format!(
                "column {table}.{name} nullable differs: the database {}, schema.rs {}",
                if live.nullable {
                    "allows NULL"
                } else {
                    "says NOT NULL"
                },
                if column.nullable {
                    "says Nullable"
                } else {
                    "does not"
                },
            ));
        }
    }
    for name in actual.keys() {
        if !expected.contains_key(name) {
            differences.push(format!(
                "column {table}.{name} in the database is not in schema.rs"
            ));
        }
    }
}

/// Tables every database has that `schema.rs` does not declare.
fn is_internal(table: &str) -> bool {
    table == MIGRATIONS_TABLE || table.starts_with("sqlite_")
}

/// Whether a database type name stands for a diesel SQL type on `backend`. A type this module
/// does not know matches its own lowercased name.
fn type_matches(sql_type: &str, db_type: &str, backend: Kind) -> bool {
    let names = db_type_names(sql_type, backend);
    if names.is_empty() {
        return db_type == sql_type.to_lowercase();
    }
    names.contains(&db_type)
}

/// The type names a backend reports for a diesel SQL type. SQLite reports the declared type;
/// an `INTEGER PRIMARY KEY` holds 64-bit values, so `integer` serves `BigInt` too. PostgreSQL
/// names are accepted in both their `udt_name` and `data_type` spellings; `Timestamp` columns
/// are `timestamptz` there.
fn db_type_names(sql_type: &str, backend: Kind) -> &'static [&'static str] {
    match backend {
        Kind::Sqlite => sqlite_type_names(sql_type),
        Kind::Postgres => postgres_type_names(sql_type),
    }
}

/// [`db_type_names`] for SQLite.
fn sqlite_type_names(sql_type: &str) -> &'static [&'static str] {
    match sql_type {
        "Integer" => &["integer"],
        "BigInt" => &["bigint", "integer"],
        "SmallInt" => &["smallint"],
        "Text" => &["text"],
        "Timestamp" => &["timestamp", "datetime"],
        "Bool" => &["boolean"],
        "Double" => &["double", "real", "double precision"],
        "Float" => &["float", "real"],
        "Binary" => &["blob", "binary"],
        "Date" => &["date"],
        "Time" => &["time"],
        _ => &[],
    }
}

/// [`db_type_names`] for PostgreSQL.
fn postgres_type_names(sql_type: &str) -> &'static [&'static str] {
    match sql_type {
        "Integer" => &["int4", "integer"],
        "BigInt" => &["int8", "bigint"],
        "SmallInt" => &["int2", "smallint"],
        "Text" => &["text"],
        "Timestamp" | "Timestamptz" => &["timestamptz", "timestamp with time zone"],
        "Bool" => &["bool", "boolean"],
        "Double" => &["float8", "double precision"],
        "Float" => &["float4", "real"],
        "Binary" => &["bytea"],
        "Date" => &["date"],
        "Time" => &["time", "time without time zone"],
        "Jsonb" => &["jsonb"],
        "Uuid" => &["uuid"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real() -> Parsed {
        parse(SCHEMA_RS)
    }

    fn table<'a>(parsed: &'a Parsed, name: &str) -> &'a Table {
        parsed
            .tables
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("table {name} not parsed"))
    }

    fn column(sql_type: &str, nullable: bool) -> Column {
        Column {
            sql_type: sql_type.to_owned(),
            nullable,
        }
    }

    /// A live schema that matches `expected` exactly, with the type names `backend` reports.
    fn matching(expected: &Expected, backend: Kind) -> Actual {
        let rows = expected.iter().flat_map(|(table, columns)| {
            columns.iter().map(move |(name, c)| {
                let db_type = db_type_names(&c.sql_type, backend)[0].to_owned();
                (table.clone(), name.clone(), db_type, c.nullable)
            })
        });
        from_rows(rows)
    }

    #[test]
    fn the_real_schema_parses_fully() {
        let parsed = real();
        assert!(parsed.skipped.is_empty(), "skipped: {:?}", parsed.skipped);
        assert_eq!(
            parsed.tables.len(),
            SCHEMA_RS.matches("diesel::table!").count()
        );
        assert_eq!(parsed.tables.len(), 21);
        for t in &parsed.tables {
            assert!(!t.columns.is_empty(), "{} has no columns", t.name);
            for key in &t.primary_key {
                assert!(t.columns.contains_key(key), "{}: key {key}", t.name);
            }
        }
    }

    #[test]
    fn every_table_of_the_real_schema_is_there() {
        let expected = expected();
        for name in [
            "api_keys",
            "audit_log",
            "users",
            "certificate_requests",
            "charge_points",
            "charger_events",
            "connectors",
            "data_transfers",
            "id_tags",
            "message_log",
            "meter_values",
            "status_history",
            "transaction_anomalies",
            "transactions",
            "charger_configuration",
            "local_list_versions",
            "reservations",
            "charging_profiles",
            "installed_charging_profiles",
            "firmware_requests",
            "diagnostics_requests",
        ] {
            assert!(expected.contains_key(name), "{name} missing");
        }
        assert_eq!(expected.len(), 21);
    }

    #[test]
    fn column_counts_and_types_of_hand_checked_tables() {
        let expected = expected();
        assert_eq!(expected["connectors"].len(), 10);
        assert_eq!(expected["transactions"].len(), 17);
        assert_eq!(expected["charger_configuration"].len(), 5);
        assert_eq!(expected["charge_points"].len(), 22);
        let tx = &expected["transactions"];
        assert_eq!(tx["id"], column("Integer", false));
        assert_eq!(tx["meter_start"], column("BigInt", false));
        assert_eq!(tx["meter_stop"], column("BigInt", true));
        assert_eq!(tx["start_answer_lost"], column("Bool", false));
        assert_eq!(expected["message_log"]["id"], column("BigInt", false));
        assert_eq!(
            expected["local_list_versions"]["list_version"],
            column("BigInt", false)
        );
    }

    #[test]
    fn nullable_is_detected() {
        let expected = expected();
        let tx = &expected["transactions"];
        assert_eq!(tx["stop_time"], column("Timestamp", true));
        assert_eq!(tx["start_time"], column("Timestamp", false));
        assert_eq!(tx["reservation_id"], column("Integer", true));
        assert_eq!(expected["id_tags"]["parent_id_tag"], column("Text", true));
        assert_eq!(expected["id_tags"]["id_tag"], column("Text", false));
    }

    #[test]
    fn primary_keys_are_read() {
        let parsed = real();
        assert_eq!(
            table(&parsed, "connectors").primary_key,
            ["charge_point_id", "connector_id"]
        );
        assert_eq!(
            table(&parsed, "installed_charging_profiles").primary_key,
            ["charge_point_id", "charging_profile_id"]
        );
        assert_eq!(
            table(&parsed, "charger_configuration").primary_key,
            ["charge_point_id", "key"]
        );
        assert_eq!(table(&parsed, "id_tags").primary_key, ["id_tag"]);
        assert_eq!(table(&parsed, "users").primary_key, ["id"]);
    }

    #[test]
    fn paths_attributes_and_comments_are_understood() {
        let src = r#"
            // A comment with table! { in it } is ignored.
            diesel::table! {
                use diesel::sql_types::*;

                /// Doc comment.
                #[sql_name = "people"]
                app.persons {
                    id -> diesel::sql_types::Integer,
                    #[sql_name = "type"]
                    r#kind -> diesel::sql_types::Nullable<diesel::sql_types::Text>,
                    #[max_length = 20]
                    tags -> Array<Nullable<Text>>,
                }
            }
        "#;
        let parsed = parse(src);
        assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
        assert_eq!(parsed.tables.len(), 1);
        let people = &parsed.tables[0];
        assert_eq!(people.name, "people");
        assert_eq!(people.primary_key, ["id"]);
        assert_eq!(people.columns["id"], column("Integer", false));
        assert_eq!(people.columns["type"], column("Text", true));
        assert_eq!(
            people.columns["tags"],
            column("Array<Nullable<Text>>", false)
        );
    }

    #[test]
    fn malformed_entries_are_skipped_not_fatal() {
        let src = r#"
            diesel::table! {
                good (id) {
                    id -> Integer,
                    this is not a column,
                    name -> Text,
                    name -> Text,
                }
            }
            diesel::table! {
                (id) { id -> Integer, }
            }
            diesel::table! {
                broken (id) {
                    id -> Integer,
        "#;
        let parsed = parse(src);
        assert_eq!(parsed.tables.len(), 1);
        assert_eq!(parsed.tables[0].columns.len(), 2);
        assert_eq!(parsed.skipped.len(), 4, "{:?}", parsed.skipped);
    }

    #[test]
    fn a_matching_schema_has_no_differences() {
        let expected = expected();
        for backend in [Kind::Sqlite, Kind::Postgres] {
            let actual = matching(&expected, backend);
            assert_eq!(compare(&expected, &actual, backend), Vec::<String>::new());
        }
    }

    #[test]
    fn bookkeeping_and_internal_tables_are_ignored() {
        let expected = expected();
        let mut actual = matching(&expected, Kind::Sqlite);
        for extra in ["__diesel_schema_migrations", "sqlite_sequence"] {
            let live = Live {
                db_type: "text".to_owned(),
                nullable: true,
            };
            actual
                .entry(extra.to_owned())
                .or_default()
                .insert("name".to_owned(), live);
        }
        assert!(compare(&expected, &actual, Kind::Sqlite).is_empty());
    }

    #[test]
    fn sqlite_bigint_ids_may_be_integer() {
        let expected = expected();
        let mut actual = matching(&expected, Kind::Sqlite);
        for table in ["message_log", "meter_values", "audit_log"] {
            let id = actual.get_mut(table).and_then(|c| c.get_mut("id"));
            id.expect("id column").db_type = "integer".to_owned();
        }
        assert!(compare(&expected, &actual, Kind::Sqlite).is_empty());
        let mut pg = matching(&expected, Kind::Postgres);
        if let Some(id) = pg.get_mut("message_log").and_then(|c| c.get_mut("id")) {
            id.db_type = "int4".to_owned();
        }
        assert_eq!(
            compare(&expected, &pg, Kind::Postgres),
            ["column message_log.id is int4, schema.rs says BigInt"]
        );
    }

    #[test]
    fn differences_are_reported() {
        let expected = expected();
        let mut actual = matching(&expected, Kind::Postgres);
        let tx = actual.get_mut("transactions").expect("transactions");
        tx.remove("end_note");
        tx.insert(
            "stop_time".to_owned(),
            Live {
                db_type: "timestamp".to_owned(),
                nullable: true,
            },
        );
        if let Some(status) = tx.get_mut("id_tag_status") {
            status.nullable = true;
        }
        actual.remove("users");
        actual.entry("legacy".to_owned()).or_default();
        actual
            .get_mut("id_tags")
            .expect("id_tags")
            .insert("note".to_owned(), nullable_text());
        assert_eq!(
            compare(&expected, &actual, Kind::Postgres),
            [
                "column id_tags.note in the database is not in schema.rs",
                "column transactions.end_note missing",
                "column transactions.id_tag_status nullable differs: the database allows NULL, \
                 schema.rs does not",
                "column transactions.stop_time is timestamp, schema.rs says Timestamp",
                "table users missing",
                "table legacy in the database is not in schema.rs",
            ]
        );
    }

    fn nullable_text() -> Live {
        Live {
            db_type: "text".to_owned(),
            nullable: true,
        }
    }

    #[test]
    fn from_rows_lowercases_types() {
        let rows = [(
            "t".to_owned(),
            "c".to_owned(),
            " TIMESTAMP ".to_owned(),
            false,
        )];
        let actual = from_rows(rows);
        assert_eq!(actual["t"]["c"].db_type, "timestamp");
        assert!(!actual["t"]["c"].nullable);
    }

    #[test]
    fn each_backend_has_its_query() {
        assert!(Kind::Sqlite.columns_sql().contains("pragma_table_info"));
        assert!(Kind::Postgres
            .columns_sql()
            .contains("information_schema.columns"));
        for sql in [SQLITE_COLUMNS_SQL, POSTGRES_COLUMNS_SQL] {
            for alias in ["table_name", "column_name", "column_type", "nullable"] {
                assert!(sql.contains(&format!("AS {alias}")), "{alias}");
            }
        }
    }
}
