//! The REST API's one error type: every failure is a status code and a JSON body that says
//! what to fix, e.g. `{"error": "...", "field": "connectorId"}`.

use crate::auth::login_guard::Refused;
use crate::charger::actor::CallFailure;
use crate::db::DbError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;
use std::fmt;

/// The body of every error answer, as documented in the OpenAPI document (only `error` is
/// always present).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// What went wrong and what to do about it.
    pub error: String,
    /// 422: the field that is wrong, as a path (`csChargingProfiles.stackLevel`, `body` for
    /// the body as a whole).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// 502: `callError` (the charger answered with a CALLERROR) or `undecodableAnswer` (its
    /// CALLRESULT could not be decoded; `raw` holds it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// 502 `callError`: the OCPP error code and description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// 502 `undecodableAnswer`: the charger's payload as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub raw: Option<serde_json::Value>,
}

#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthorized(String),
    Forbidden(String),
    NotFound(String),
    Conflict(String),
    /// The body is well-formed JSON but a field is wrong; `field` names it.
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// The charger answered with a CALLERROR.
    ChargerError {
        code: String,
        description: String,
    },
    /// The charger answered with a CALLRESULT that is not a valid confirmation: what is wrong,
    /// and the payload as received.
    UndecodableAnswer {
        error: String,
        raw: serde_json::Value,
    },
    /// The charger did not answer in time.
    Timeout(String),
    /// Refused for now (too many failed logins); retry after that many seconds.
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    /// The server is too busy for this request right now; retry shortly.
    Busy(String),
    Internal(String),
}

impl ApiError {
    /// A 422 from a message `path.to.field: what is wrong` (the form of OCPP decode errors),
    /// with the field lifted out. serde names a missing field in the message rather than in
    /// the path, so `path: missing field `x`` names `path.x`.
    pub fn invalid(message: impl Into<String>) -> Self {
        let message = message.into();
        let (path, detail) = match message.split_once(": ") {
            Some((path, detail)) if !path.contains(' ') => (Some(path), detail),
            _ => (None, message.as_str()),
        };
        let missing = detail
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let field = match (path, missing) {
            (Some(path), Some(name)) => Some(format!("{path}.{name}")),
            (None, Some(name)) => Some(name.to_owned()),
            (path, None) => path.map(str::to_owned),
        };
        ApiError::Invalid { field, message }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::BadRequest(m)
            | ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m)
            | ApiError::Timeout(m)
            | ApiError::Busy(m)
            | ApiError::Internal(m) => f.write_str(m),
            ApiError::TooManyRequests { message, .. } => f.write_str(message),
            ApiError::Invalid { message, .. } => f.write_str(message),
            ApiError::ChargerError { code, description } => {
                write!(f, "charger answered {code}: {description}")
            }
            ApiError::UndecodableAnswer { error, .. } => {
                write!(f, "the charger's answer could not be decoded: {error}")
            }
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::ChargerError { .. } | ApiError::UndecodableAnswer { .. } => {
                StatusCode::BAD_GATEWAY
            }
            ApiError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let body = match self {
            ApiError::Invalid {
                field: Some(field),
                message,
            } => json!({"error": message, "field": field}),
            ApiError::ChargerError { code, description } => json!({
                "error": self.to_string(),
                "kind": "callError",
                "code": code,
                "description": description,
            }),
            ApiError::UndecodableAnswer { raw, .. } => json!({
                "error": self.to_string(),
                "kind": "undecodableAnswer",
                "raw": raw,
            }),
            ApiError::Internal(m) => {
                log::error!("API internal error: {m}");
                json!({"error": "internal error; see the server log"})
            }
            other => json!({"error": other.to_string()}),
        };
        let mut response = HttpResponse::build(self.status_code());
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header(("WWW-Authenticate", "Bearer"));
            }
            ApiError::TooManyRequests {
                retry_after_secs, ..
            } => {
                response.insert_header(("Retry-After", retry_after_secs.to_string()));
            }
            ApiError::Busy(_) => {
                response.insert_header(("Retry-After", "1"));
            }
            _ => {}
        }
        response.json(body)
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<Refused> for ApiError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::TooManyFailures { retry_after_secs } => ApiError::TooManyRequests {
                message: "too many failed logins; try again later".into(),
                retry_after_secs,
            },
            Refused::Busy => {
                ApiError::Busy("too many password checks at once; try again shortly".into())
            }
            Refused::Stopped => ApiError::Internal("the password hashing threads stopped".into()),
        }
    }
}

impl From<CallFailure> for ApiError {
    fn from(f: CallFailure) -> Self {
        match f {
            CallFailure::NotAllowed(why) => ApiError::Conflict(why),
            CallFailure::Error { code, description } => ApiError::ChargerError {
                code: code.as_str().to_owned(),
                description,
            },
            CallFailure::Timeout => ApiError::Timeout("the charger did not answer in time".into()),
            CallFailure::Disconnected => {
                ApiError::Conflict("the charger disconnected before answering".into())
            }
            CallFailure::UndecodableAnswer { error, raw } => {
                ApiError::UndecodableAnswer { error, raw }
            }
            CallFailure::Unsendable(why) => ApiError::Internal(why),
        }
    }
}

/// Turns actix's JSON body errors into our JSON 400s.
pub fn json_config() -> actix_web::web::JsonConfig {
    actix_web::web::JsonConfig::default()
        .limit(1024 * 1024)
        .error_handler(|err, _| ApiError::BadRequest(format!("request body: {err}")).into())
}

/// Turns bad query strings into our JSON 400s.
pub fn query_config() -> actix_web::web::QueryConfig {
    actix_web::web::QueryConfig::default()
        .error_handler(|err, _| ApiError::BadRequest(format!("query string: {err}")).into())
}

/// Turns bad path parameters into our JSON 400s.
pub fn path_config() -> actix_web::web::PathConfig {
    actix_web::web::PathConfig::default()
        .error_handler(|err, _| ApiError::BadRequest(format!("path: {err}")).into())
}

#[cfg(test)]
mod tests {
    use super::ApiError;

    fn field_of(description: &str) -> Option<String> {
        match ApiError::invalid(description) {
            ApiError::Invalid { field, .. } => field,
            other => panic!("not a 422: {other:?}"),
        }
    }

    #[test]
    fn decode_errors_name_the_field() {
        let cases = [
            ("type: unknown variant `Medium`", Some("type")),
            ("missing field `idTag`", Some("idTag")),
            (
                "csChargingProfiles: missing field `stackLevel`",
                Some("csChargingProfiles.stackLevel"),
            ),
            ("invalid type: string, expected a map", None),
        ];
        for (description, field) in cases {
            assert_eq!(field_of(description).as_deref(), field, "{description}");
        }
    }
}
