//! Value types shared by the OCPP 1.6 messages: bounded strings, lenient timestamps, and the
//! classification of payload decode errors into CALLERROR codes.
//!
//! Strict in what we send, tolerant in what we accept: every leniency here is noted through
//! [`quirks::note`] so the charger actor can log it with the charger's id.

use super::frame::ErrorCode;
use chrono::{DateTime, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde::de::{self, DeserializeOwned, Deserializer, Unexpected};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

/// Leniencies applied while decoding, collected per thread so that the caller can log them
/// with context (decoding is synchronous, so the notes of one decode stay together).
pub mod quirks {
    use std::borrow::Cow;
    use std::cell::RefCell;

    thread_local! {
        static NOTES: RefCell<Vec<Cow<'static, str>>> = const { RefCell::new(Vec::new()) };
    }

    /// Records that a non-conforming but harmless value was accepted: a fixed text, or one
    /// that names the field and what was wrong with it.
    pub fn note(what: impl Into<Cow<'static, str>>) {
        let what = what.into();
        NOTES.with(|n| {
            let mut n = n.borrow_mut();
            if !n.contains(&what) {
                n.push(what);
            }
        });
    }

    /// Takes the notes made on this thread since the last call.
    pub fn take() -> Vec<Cow<'static, str>> {
        NOTES.with(|n| std::mem::take(&mut *n.borrow_mut()))
    }
}

/// A string of at most `N` characters (the spec's `CiStringNType`). What happens to a longer
/// value on decoding is the policy `P`: [`Refuse`] it (the default), or keep it whole for
/// informational text ([`InfoString`]; which fields those are is decided in
/// [`crate::ocpp::v16::text_limits`]). Whatever we build ourselves is at most `N` long.
#[derive(Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct CiString<const N: usize, P = Refuse>(String, PhantomData<P>);

/// What decoding does with a value longer than a [`CiString`]'s limit (at the value level:
/// [`crate::ocpp::v16::text_limits::OverLimit`]).
pub trait LengthPolicy {
    /// Whether such a value is kept (else it is refused: PropertyConstraintViolation).
    const KEEP: bool;
}

/// Over-long values are refused: for text that identifies, authorises or routes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Debug)]
pub struct Refuse;

impl LengthPolicy for Refuse {
    const KEEP: bool = false;
}

/// Over-long values are kept whole: for text that only informs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Debug)]
pub struct Keep;

impl LengthPolicy for Keep {
    const KEEP: bool = true;
}

/// Informational text whose schema limit is `N`: a charger that sends more is still served,
/// and the whole text is kept (a quirk note names the field; see
/// [`crate::ocpp::v16::text_limits`]).
pub type InfoString<const N: usize> = CiString<N, Keep>;

impl<const N: usize, P> CiString<N, P> {
    /// Builds one, or says why it is too long.
    pub fn new(s: impl Into<String>) -> Result<Self, String> {
        let s = s.into();
        let len = s.chars().count();
        if len > N {
            Err(format!("{len} characters where at most {N} are allowed"))
        } else {
            Ok(CiString(s, PhantomData))
        }
    }

    /// Builds one, cutting the text at `N` characters if needed (for text we produce).
    pub fn truncate(s: &str) -> Self {
        CiString(s.chars().take(N).collect(), PhantomData)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const N: usize, P> Deref for CiString<N, P> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const N: usize, P> fmt::Debug for CiString<N, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<const N: usize, P> fmt::Display for CiString<N, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const N: usize, P> TryFrom<&str> for CiString<N, P> {
    type Error = String;
    fn try_from(s: &str) -> Result<Self, String> {
        CiString::new(s)
    }
}

impl<const N: usize, P> Serialize for CiString<N, P> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, const N: usize, P: LengthPolicy> Deserialize<'de> for CiString<N, P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let len = s.chars().count();
        if len > N && !P::KEEP {
            return Err(de::Error::invalid_length(len, &LengthLimit(N)));
        }
        Ok(CiString(s, PhantomData))
    }
}

struct LengthLimit(usize);
impl de::Expected for LengthLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at most {} characters", self.0)
    }
}

pub type CiString20 = CiString<20>;
pub type CiString25 = CiString<25>;
pub type CiString50 = CiString<50>;
pub type CiString255 = CiString<255>;
pub type CiString500 = CiString<500>;

/// An identifier of a charging card or token; compare with [`IdToken::key`] (case-insensitive).
pub type IdToken = CiString20;

impl CiString<20, Refuse> {
    /// The case-folded form under which id tags are compared and stored as keys.
    pub fn key(&self) -> String {
        self.0.to_ascii_uppercase()
    }
}

/// A point in time. Sent as RFC 3339 UTC with `Z` and milliseconds; read leniently.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Self {
        Timestamp(Utc::now())
    }

    /// Parses what real chargers send: RFC 3339; no offset (read as UTC); a short `+02` or
    /// `+0200` offset; a space instead of `T`. Fractional seconds of any length.
    pub fn parse_lenient(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Some(Timestamp(t.with_timezone(&Utc)));
        }
        let t_form = s.replacen(' ', "T", 1);
        if t_form != s {
            if let Some(t) = Self::parse_lenient(&t_form) {
                quirks::note("timestamp with a space instead of 'T'");
                return Some(t);
            }
        }
        if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
            quirks::note("timestamp with an offset lacking its colon");
            return Some(Timestamp(t.with_timezone(&Utc)));
        }
        // "+02" / "-05": a two-digit offset without minutes.
        if let Some(pos) = s.rfind(['+', '-']).filter(|&p| p > 10 && s.len() - p == 3) {
            if let Ok(t) = DateTime::parse_from_rfc3339(&format!("{s}:00")) {
                let _ = pos;
                quirks::note("timestamp with an hours-only offset");
                return Some(Timestamp(t.with_timezone(&Utc)));
            }
        }
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
            quirks::note("timestamp without a UTC offset, read as UTC");
            return Some(Timestamp(Utc.from_utc_datetime(&naive)));
        }
        None
    }

    pub fn naive(&self) -> NaiveDateTime {
        self.0.naive_utc()
    }

    pub fn from_naive(n: NaiveDateTime) -> Self {
        Timestamp(Utc.from_utc_datetime(&n))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Self {
        Timestamp(t)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse_lenient(&s)
            .ok_or_else(|| de::Error::invalid_value(Unexpected::Str(&s), &"an RFC 3339 date-time"))
    }
}

/// A string field that some chargers send as a JSON number (e.g. `sampledValue.value`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct LenientString(pub String);

impl Serialize for LenientString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for LenientString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = LenientString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientString, E> {
                Ok(LenientString(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<LenientString, E> {
                Ok(LenientString(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientString, E> {
                quirks::note("number sent where a string is required");
                Ok(LenientString(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientString, E> {
                quirks::note("number sent where a string is required");
                Ok(LenientString(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<LenientString, E> {
                quirks::note("number sent where a string is required");
                Ok(LenientString(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Why a payload could not be decoded into its type, with the CALLERROR code to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    pub code: ErrorCode,
    pub description: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.description)
    }
}

/// Decodes a payload into `T`, naming the offending field and choosing the CALLERROR code:
/// missing field -> OccurenceConstraintViolation, wrong JSON type -> TypeConstraintViolation,
/// value out of range, unknown enum value or too long -> PropertyConstraintViolation.
pub fn decode<T: DeserializeOwned>(payload: &serde_json::Value) -> Result<T, DecodeError> {
    serde_path_to_error::deserialize(payload).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let code = classify(&inner);
        let description = if path == "." {
            inner
        } else {
            format!("{path}: {inner}")
        };
        DecodeError { code, description }
    })
}

fn classify(message: &str) -> ErrorCode {
    if message.starts_with("missing field") || message.starts_with("duplicate field") {
        ErrorCode::OccurenceConstraintViolation
    } else if message.starts_with("invalid type") {
        ErrorCode::TypeConstraintViolation
    } else {
        // "unknown variant", "invalid value", "invalid length" and our own range checks.
        ErrorCode::PropertyConstraintViolation
    }
}

/// A check that serde cannot express (ranges, either-or fields), run after decoding.
pub trait Validate {
    fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize, Debug)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Sample {
        id_tag: IdToken,
        count: u32,
        at: Option<Timestamp>,
    }

    fn code_of(v: serde_json::Value) -> ErrorCode {
        decode::<Sample>(&v).unwrap_err().code
    }

    #[test]
    fn decode_errors_map_to_spec_codes() {
        assert_eq!(
            code_of(json!({"count": 1})),
            ErrorCode::OccurenceConstraintViolation
        );
        assert_eq!(
            code_of(json!({"idTag": 5, "count": 1})),
            ErrorCode::TypeConstraintViolation
        );
        assert_eq!(
            code_of(json!({"idTag": "a", "count": "1"})),
            ErrorCode::TypeConstraintViolation
        );
        assert_eq!(
            code_of(json!({"idTag": "a", "count": -1})),
            ErrorCode::PropertyConstraintViolation
        );
        assert_eq!(
            code_of(json!({"idTag": "123456789012345678901", "count": 1})),
            ErrorCode::PropertyConstraintViolation
        );
        assert_eq!(
            code_of(json!({"idTag": "a", "count": 1, "at": "yesterday"})),
            ErrorCode::PropertyConstraintViolation
        );
    }

    #[test]
    fn decode_error_names_the_field() {
        let e = decode::<Sample>(&json!({"idTag": "a", "count": true})).unwrap_err();
        assert!(e.description.starts_with("count:"), "{}", e.description);
    }

    #[test]
    fn timestamps_are_read_leniently_and_written_strictly() {
        let table = [
            ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00.000Z"),
            ("2024-05-01T10:00:00.123456Z", "2024-05-01T10:00:00.123Z"),
            ("2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00.000Z"),
            ("2024-05-01T12:00:00+02", "2024-05-01T10:00:00.000Z"),
            ("2024-05-01T12:00:00+0200", "2024-05-01T10:00:00.000Z"),
            ("2024-05-01T05:00:00-05", "2024-05-01T10:00:00.000Z"),
            ("2024-05-01T10:00:00", "2024-05-01T10:00:00.000Z"),
            ("2024-05-01T10:00:00.5", "2024-05-01T10:00:00.500Z"),
            ("2024-05-01 10:00:00Z", "2024-05-01T10:00:00.000Z"),
        ];
        for (input, expected) in table {
            let t = Timestamp::parse_lenient(input).unwrap_or_else(|| panic!("{input} not read"));
            assert_eq!(serde_json::to_value(t).unwrap(), json!(expected), "{input}");
        }
        for bad in ["", "2024-13-01T00:00:00Z", "yesterday", "2024-05-01"] {
            assert!(Timestamp::parse_lenient(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn quirks_are_noted_once_and_taken() {
        quirks::take();
        Timestamp::parse_lenient("2024-05-01T10:00:00").unwrap();
        Timestamp::parse_lenient("2024-05-01T11:00:00").unwrap();
        assert_eq!(
            quirks::take(),
            vec!["timestamp without a UTC offset, read as UTC"]
        );
        assert!(quirks::take().is_empty());
    }

    #[test]
    fn lenient_string_takes_numbers() {
        let s: LenientString = serde_json::from_value(json!(29.86)).unwrap();
        assert_eq!(s.0, "29.86");
        let s: LenientString = serde_json::from_value(json!(12)).unwrap();
        assert_eq!(s.0, "12");
        assert!(serde_json::from_value::<LenientString>(json!(true)).is_err());
    }

    #[test]
    fn id_tokens_compare_by_folded_key() {
        let a: IdToken = CiString::new("abc123").unwrap();
        let b: IdToken = CiString::new("ABC123").unwrap();
        assert_eq!(a.key(), b.key());
    }
}
