//! The OCPP-J envelope: `[2,id,action,payload]`, `[3,id,payload]`, `[4,id,code,description,details]`.
//!
//! This module knows nothing about actions or payloads; it only turns text into a [`Frame`] and
//! back. Anything it cannot read becomes a [`FrameError`] that says which CALLERROR to answer
//! with (and with which message id, when one could be read), or that the frame is to be ignored.

use serde_json::{json, Value};
use std::fmt;

/// The longest message id OCPP-J allows (section 4.1.3: "maximum of 36 characters").
pub const MAX_MESSAGE_ID_LEN: usize = 36;

/// CALLERROR codes, spelled exactly as OCPP-J 1.6 spells them (errata keep "Occurence").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ErrorCode {
    /// Requested action is not known by the receiver.
    NotImplemented,
    /// Requested action is recognised but not supported by the receiver.
    NotSupported,
    /// An internal error occurred and the receiver could not process the action.
    InternalError,
    /// Payload for the action is incomplete.
    ProtocolError,
    /// A security issue prevented the receiver from completing the action.
    SecurityError,
    /// Payload is syntactically incorrect or does not conform to the PDU structure.
    FormationViolation,
    /// A field contains a value not conforming to the PDU's constraints.
    PropertyConstraintViolation,
    /// A required field is missing or a field occurs too often.
    OccurenceConstraintViolation,
    /// A field has the wrong data type.
    TypeConstraintViolation,
    /// Any other error.
    GenericError,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::NotImplemented,
        ErrorCode::NotSupported,
        ErrorCode::InternalError,
        ErrorCode::ProtocolError,
        ErrorCode::SecurityError,
        ErrorCode::FormationViolation,
        ErrorCode::PropertyConstraintViolation,
        ErrorCode::OccurenceConstraintViolation,
        ErrorCode::TypeConstraintViolation,
        ErrorCode::GenericError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotImplemented => "NotImplemented",
            ErrorCode::NotSupported => "NotSupported",
            ErrorCode::InternalError => "InternalError",
            ErrorCode::ProtocolError => "ProtocolError",
            ErrorCode::SecurityError => "SecurityError",
            ErrorCode::FormationViolation => "FormationViolation",
            ErrorCode::PropertyConstraintViolation => "PropertyConstraintViolation",
            ErrorCode::OccurenceConstraintViolation => "OccurenceConstraintViolation",
            ErrorCode::TypeConstraintViolation => "TypeConstraintViolation",
            ErrorCode::GenericError => "GenericError",
        }
    }

    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One OCPP-J message.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Call {
        id: String,
        action: String,
        payload: Value,
    },
    CallResult {
        id: String,
        payload: Value,
    },
    CallError(CallError),
}

/// A CALLERROR, sent or received.
#[derive(Debug, Clone, PartialEq)]
pub struct CallError {
    pub id: String,
    pub code: ErrorCode,
    pub description: String,
    pub details: Value,
}

impl CallError {
    pub fn new(id: impl Into<String>, code: ErrorCode, description: impl Into<String>) -> Self {
        CallError {
            id: id.into(),
            code,
            description: description.into(),
            details: json!({}),
        }
    }
}

/// Why a text could not be read as a frame.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameError {
    /// Answer with this CALLERROR (its id is `"-1"` when none could be read, as
    /// several implementations do; OCPP-J gives no id to use in that case).
    Reply(CallError),
    /// Drop the frame (unknown message type number, or a broken CALLRESULT/CALLERROR,
    /// which must never be answered); the string says why, for the log.
    Ignore(String),
}

const UNKNOWN_ID: &str = "-1";

impl Frame {
    /// The frame with its secret configuration values replaced (see
    /// [`crate::ocpp::v16::secrets`]), for logs.
    pub fn redacted(&self) -> Frame {
        let mut copy = self.clone();
        if let Frame::Call { payload, .. } | Frame::CallResult { payload, .. } = &mut copy {
            crate::ocpp::v16::secrets::redact(payload);
        }
        copy
    }

    /// The message id of any frame.
    pub fn id(&self) -> &str {
        match self {
            Frame::Call { id, .. } | Frame::CallResult { id, .. } => id,
            Frame::CallError(e) => &e.id,
        }
    }

    /// The message type number: 2, 3 or 4.
    pub fn type_id(&self) -> u8 {
        match self {
            Frame::Call { .. } => 2,
            Frame::CallResult { .. } => 3,
            Frame::CallError(_) => 4,
        }
    }

    /// Reads one frame. Never panics, whatever the text.
    pub fn parse(text: &str) -> Result<Frame, FrameError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            FrameError::Reply(CallError::new(
                UNKNOWN_ID,
                ErrorCode::FormationViolation,
                format!("not valid JSON: {e}"),
            ))
        })?;
        let Value::Array(items) = value else {
            return Err(formation(
                UNKNOWN_ID,
                "an OCPP-J message must be a JSON array",
            ));
        };
        let Some(type_id) = items.first().and_then(Value::as_u64) else {
            return Err(formation(
                UNKNOWN_ID,
                "the first element must be the message type number (2, 3 or 4)",
            ));
        };
        match type_id {
            2 => Self::parse_call(items),
            3 => Self::parse_result(items),
            4 => Self::parse_error(items),
            other => Err(FrameError::Ignore(format!("unknown message type {other}"))),
        }
    }

    fn parse_call(items: Vec<Value>) -> Result<Frame, FrameError> {
        let id = match items.get(1) {
            Some(Value::String(id)) => id.clone(),
            _ => {
                return Err(formation(
                    UNKNOWN_ID,
                    "a CALL's second element must be the message id string",
                ))
            }
        };
        if id.chars().count() > MAX_MESSAGE_ID_LEN {
            return Err(formation(
                UNKNOWN_ID,
                format!("message id is longer than {MAX_MESSAGE_ID_LEN} characters"),
            ));
        }
        if items.len() != 4 {
            return Err(formation(
                &id,
                format!(
                    "a CALL has 4 elements [2, id, action, payload], this one has {}",
                    items.len()
                ),
            ));
        }
        let mut items = items.into_iter().skip(2);
        let action = match items.next() {
            Some(Value::String(action)) => action,
            _ => {
                return Err(formation(
                    &id,
                    "a CALL's third element must be the action name string",
                ))
            }
        };
        let payload = items.next().unwrap_or(Value::Null);
        if !payload.is_object() {
            return Err(formation(&id, "a CALL's payload must be a JSON object"));
        }
        Ok(Frame::Call {
            id,
            action,
            payload,
        })
    }

    fn parse_result(items: Vec<Value>) -> Result<Frame, FrameError> {
        let [_, Value::String(id), payload] = <[Value; 3]>::try_from(items)
            .map_err(|_| FrameError::Ignore("CALLRESULT without 3 elements".into()))?
        else {
            return Err(FrameError::Ignore(
                "CALLRESULT without a string message id".into(),
            ));
        };
        Ok(Frame::CallResult { id, payload })
    }

    fn parse_error(items: Vec<Value>) -> Result<Frame, FrameError> {
        if !(4..=5).contains(&items.len()) {
            return Err(FrameError::Ignore("CALLERROR without 5 elements".into()));
        }
        let mut items = items.into_iter().skip(1);
        let (Some(Value::String(id)), Some(Value::String(code))) = (items.next(), items.next())
        else {
            return Err(FrameError::Ignore(
                "CALLERROR without string id and code".into(),
            ));
        };
        let description = match items.next() {
            Some(Value::String(d)) => d,
            _ => String::new(),
        };
        let details = items.next().unwrap_or_else(|| json!({}));
        // An error code we do not know is still an error answer; keep it as GenericError.
        let code = ErrorCode::parse(&code).unwrap_or(ErrorCode::GenericError);
        Ok(Frame::CallError(CallError {
            id,
            code,
            description,
            details,
        }))
    }

    /// The frame as OCPP-J text.
    pub fn to_text(&self) -> String {
        let value = match self {
            Frame::Call {
                id,
                action,
                payload,
            } => json!([2, id, action, payload]),
            Frame::CallResult { id, payload } => json!([3, id, payload]),
            Frame::CallError(e) => json!([4, e.id, e.code.as_str(), e.description, e.details]),
        };
        value.to_string()
    }
}

fn formation(id: &str, description: impl Into<String>) -> FrameError {
    FrameError::Reply(CallError::new(
        id,
        ErrorCode::FormationViolation,
        description,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply_code(text: &str) -> (String, ErrorCode) {
        match Frame::parse(text) {
            Err(FrameError::Reply(e)) => (e.id, e.code),
            other => panic!("{text}: expected a CALLERROR, got {other:?}"),
        }
    }

    #[test]
    fn reads_each_frame_type() {
        let call = Frame::parse(r#"[2,"a1","Heartbeat",{}]"#).unwrap();
        assert_eq!(
            call,
            Frame::Call {
                id: "a1".into(),
                action: "Heartbeat".into(),
                payload: json!({})
            }
        );
        let result = Frame::parse(r#"[3,"a1",{"currentTime":"x"}]"#).unwrap();
        assert_eq!(
            result,
            Frame::CallResult {
                id: "a1".into(),
                payload: json!({"currentTime":"x"})
            }
        );
        let err = Frame::parse(r#"[4,"a1","NotSupported","nope",{"k":1}]"#).unwrap();
        assert_eq!(
            err,
            Frame::CallError(CallError {
                id: "a1".into(),
                code: ErrorCode::NotSupported,
                description: "nope".into(),
                details: json!({"k":1})
            })
        );
    }

    #[test]
    fn malformed_frames_get_formation_violation() {
        let table: &[(&str, &str)] = &[
            ("not json", "-1"),
            ("{}", "-1"),
            ("[]", "-1"),
            (r#"["2","x","Heartbeat",{}]"#, "-1"),
            (r#"[2,5,"Heartbeat",{}]"#, "-1"),
            (
                r#"[2,"0123456789012345678901234567890123456","Heartbeat",{}]"#,
                "-1",
            ),
            (r#"[2,"m1","Heartbeat"]"#, "m1"),
            (r#"[2,"m1","Heartbeat",{},1]"#, "m1"),
            (r#"[2,"m1",7,{}]"#, "m1"),
            (r#"[2,"m1","Heartbeat",[]]"#, "m1"),
            (r#"[2,"m1","Heartbeat","{}"]"#, "m1"),
        ];
        for (text, id) in table {
            assert_eq!(
                reply_code(text),
                (id.to_string(), ErrorCode::FormationViolation),
                "{text}"
            );
        }
    }

    #[test]
    fn unknown_types_and_broken_answers_are_ignored() {
        for text in [
            r#"[5,"a",{}]"#,
            r#"[9]"#,
            r#"[3,"a"]"#,
            r#"[3,1,{}]"#,
            r#"[4,"a"]"#,
            r#"[4,"a",3,"d",{}]"#,
        ] {
            assert!(
                matches!(Frame::parse(text), Err(FrameError::Ignore(_))),
                "{text}"
            );
        }
    }

    #[test]
    fn writes_frames_as_spec_arrays() {
        let e = Frame::CallError(CallError::new(
            "7",
            ErrorCode::OccurenceConstraintViolation,
            "",
        ));
        assert_eq!(
            e.to_text(),
            r#"[4,"7","OccurenceConstraintViolation","",{}]"#
        );
        let c = Frame::Call {
            id: "1".into(),
            action: "Reset".into(),
            payload: json!({"type":"Soft"}),
        };
        assert_eq!(Frame::parse(&c.to_text()).unwrap(), c);
    }

    #[test]
    fn error_codes_round_trip_by_name() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("OccurrenceConstraintViolation"), None);
    }
}
