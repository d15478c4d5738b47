//! The command path: a request body becomes a typed OCPP request, goes to the charger's actor
//! as a [`Command`] (its CALL slot keeps one CALL in flight, with a timeout), and comes back as
//! the charger's typed confirmation or as the [`ApiError`] that says why not:
//!
//! | outcome | HTTP |
//! |---|---|
//! | the charger answered (even `{"status":"Rejected"}`) | 200 with its confirmation |
//! | the body is not a valid request | 422 naming the field |
//! | no such charger | 404 |
//! | offline, or its registration forbids the call (RemoteStart while Pending) | 409 |
//! | the charger answered with a CALLERROR | 502, `kind` `callError`, with its code and description |
//! | the charger answered with a payload that is not a valid confirmation | 502, `kind` `undecodableAnswer`, with what is wrong and the `raw` payload |
//! | no answer within `ocpp.call_timeout_secs` | 504 |
//!
//! Every command is written to the audit log with its outcome; what a confirmation teaches is
//! stored ([`Learn`]).

use super::learn::Learn;
use crate::api::audit;
use crate::api::auth::Caller;
use crate::api::error::ApiError;
use crate::charger::actor::{ChargerActor, Command};
use crate::ocpp::v16::parse;
use crate::ocpp::v16::secrets;
use crate::services::Services;
use crate::supervisor::Lookup;
use actix::Addr;
use actix_web::ResponseError;
use serde::Serialize;
use serde_json::{json, Value};
use std::future::Future;

/// A request body as JSON; an empty body reads as `{}` (for requests without fields).
pub fn json_body(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest(format!("request body: {e}")))
}

/// Decodes and validates a payload as the spec spells it; a wrong field is a 422 naming it.
pub fn parse_request<T>(body: &Value) -> Result<T, ApiError>
where
    T: serde::de::DeserializeOwned + crate::ocpp::types::Validate,
{
    parse::<T>(body).map_err(|e| ApiError::invalid(e.description))
}

/// Whether a charger is known (has a `charge_points` row).
async fn exists(services: &Services, charger_id: &str) -> Result<bool, ApiError> {
    let id = charger_id.to_owned();
    Ok(crate::db::read(&services.pool, move |c| crate::db::chargers::exists(c, &id)).await?)
}

/// 404 unless the charger is known.
pub async fn known(services: &Services, charger_id: &str) -> Result<(), ApiError> {
    if exists(services, charger_id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("unknown charger {charger_id}")))
    }
}

/// The actor of a connected charger: 404 if no such charger is known, 409 if it is offline.
pub async fn connected(
    services: &Services,
    charger_id: &str,
) -> Result<Addr<ChargerActor>, ApiError> {
    let found = services
        .supervisor
        .send(Lookup(charger_id.to_owned()))
        .await
        .map_err(|e| ApiError::Internal(format!("supervisor unreachable: {e}")))?;
    if let Some(addr) = found {
        return Ok(addr);
    }
    Err(if exists(services, charger_id).await? {
        ApiError::Conflict(format!("charger {charger_id} is offline"))
    } else {
        ApiError::NotFound(format!("unknown charger {charger_id}"))
    })
}

/// Parses `body` as the request of `R` and [`send`]s it.
pub async fn operate<R: Learn>(
    services: &Services,
    caller: &Caller,
    charger_id: &str,
    body: &[u8],
) -> Result<R::Response, ApiError> {
    let request = parse_request::<R>(&json_body(body)?)?;
    send(services, caller, charger_id, request).await
}

/// Sends one OCPP request to a charger, waits for its confirmation, stores what it teaches,
/// and records the command in the audit log.
pub async fn send<R: Learn>(
    services: &Services,
    caller: &Caller,
    charger_id: &str,
    request: R,
) -> Result<R::Response, ApiError> {
    let payload = serde_json::to_value(&request).ok();
    audited(
        services,
        caller,
        R::ACTION,
        charger_id,
        payload.as_ref(),
        deliver(services, charger_id, request),
    )
    .await
}

/// [`send`] without the audit record, for callers that audit a larger step themselves.
pub async fn deliver<R: Learn>(
    services: &Services,
    charger_id: &str,
    request: R,
) -> Result<R::Response, ApiError> {
    let actor = connected(services, charger_id).await?;
    let asked = request.clone();
    let answer = actor
        .send(Command(request))
        .await
        .map_err(|_| ApiError::Conflict(format!("charger {charger_id} disconnected")))??;
    if let Some(lesson) = R::lesson(charger_id, &asked, &answer) {
        // The charger has acted; a failed write is logged, not turned into a failed command
        // that the caller might retry.
        if let Err(e) = crate::db::write(&services.writer, lesson).await {
            log::error!(
                "charger {charger_id}: could not store what the {} answer says: {e}",
                R::ACTION
            );
        }
    }
    Ok(answer)
}

/// Runs `step` and writes its outcome to the audit log: `200 <answer JSON>` or
/// `<status> <error>`.
pub async fn audited<T: Serialize>(
    services: &Services,
    caller: &Caller,
    action: &str,
    charger_id: &str,
    request: Option<&Value>,
    step: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    let outcome = step.await;
    let result = match &outcome {
        Ok(answer) => {
            let mut answer = serde_json::to_value(answer).unwrap_or_default();
            secrets::redact(&mut answer);
            format!("200 {answer}")
        }
        Err(e) => format!("{} {e}", e.status_code().as_u16()),
    };
    let request = request.map(secrets::redacted);
    audit::record(
        services,
        &caller.name,
        action,
        Some(charger_id),
        request.as_deref(),
        &result,
    )
    .await;
    outcome
}

/// Now, as stored.
pub(super) fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}
