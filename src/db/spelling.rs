//! Enums stored as their spelling in a text column (`Accepted`, `Charging`, …). Rows read them
//! back typed; a spelling this build does not know (a row written by hand, or by a newer
//! version) never fails a query: a nullable column reads it as none, and each enum read from a
//! required column names its own fallback (`From<Spelled<T>> for T`).
//!
//! On a row struct: `#[diesel(deserialize_as = Spelled<RegistrationStatus>)]` on an
//! `Option<RegistrationStatus>` field.

use crate::ocpp::v16::boot_notification::RegistrationStatus;
use crate::ocpp::v16::status_notification::{ChargePointErrorCode, ChargePointStatus};
use diesel::deserialize::{self, Queryable};
use diesel::sql_types::{Nullable, Text};
use diesel::sqlite::Sqlite;

/// An enum with one spelling per value.
pub trait Spelling: Sized {
    fn parse(s: &str) -> Option<Self>;
}

/// A spelling as read: the value, or `None` for NULL or a spelling this build does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spelled<T>(pub Option<T>);

impl<T: Spelling> Queryable<Nullable<Text>, Sqlite> for Spelled<T> {
    type Row = Option<String>;

    fn build(row: Option<String>) -> deserialize::Result<Self> {
        Ok(Spelled(row.as_deref().and_then(T::parse)))
    }
}

impl<T: Spelling> Queryable<Text, Sqlite> for Spelled<T> {
    type Row = String;

    fn build(row: String) -> deserialize::Result<Self> {
        Ok(Spelled(T::parse(&row)))
    }
}

impl<T> From<Spelled<T>> for Option<T> {
    fn from(s: Spelled<T>) -> Option<T> {
        s.0
    }
}

impl Spelling for RegistrationStatus {
    fn parse(s: &str) -> Option<Self> {
        RegistrationStatus::parse(s)
    }
}

impl Spelling for ChargePointStatus {
    fn parse(s: &str) -> Option<Self> {
        ChargePointStatus::parse(s)
    }
}

impl Spelling for ChargePointErrorCode {
    fn parse(s: &str) -> Option<Self> {
        ChargePointErrorCode::parse(s)
    }
}
