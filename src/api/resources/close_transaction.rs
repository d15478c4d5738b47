//! An operator ends a transaction that no charger holds any more (a ghost the server could not
//! infer): the stop is taken from the evidence, as for the ends the server infers itself, and
//! the close is audited in the same commit.

use super::transactions::{find, Transaction};
use crate::api::audit::audit_row;
use crate::api::auth::Operator;
use crate::api::body::Body;
use crate::api::error::ApiError;
use crate::db::jobs::ghosts::OperatorClose;
use crate::db::transactions as store;
use crate::services::Services;
use actix_web::{post, web};
use serde::Deserialize;
use serde_json::json;

/// Longest reason kept, in characters.
const MAX_REASON_CHARS: usize = 500;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CloseTransaction {
    /// Why it is closed (1-500 characters), kept as the transaction's endNote.
    pub reason: String,
}

/// Close an active transaction that no charger holds (operator). The stop time and meterStop
/// come from the last meter value or status seen; `endedBy` becomes `Operator`. A
/// StopTransaction from the charger later still replaces this end.
#[utoipa::path(tag = "transactions", params(("id" = i32, Path, description = "transaction id")),
    request_body = CloseTransaction,
    responses((status = 200, body = Transaction), (status = 404),
        (status = 409, description = "already ended"), (status = 422)),
    security(("bearer" = ["operator"])))]
#[post("/transactions/{id}/close")]
pub async fn close(
    operator: Operator,
    services: web::Data<Services>,
    path: web::Path<i32>,
    body: Body<CloseTransaction>,
) -> Result<web::Json<Transaction>, ApiError> {
    let id = path.into_inner();
    let CloseTransaction { reason } = body.into_inner();
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::invalid(format!(
            "reason: 1-{MAX_REASON_CHARS} characters"
        )));
    }
    let caller = operator.0;
    let note = format!("closed by {}: {reason}", caller.name);
    let audit = audit_row(
        &caller,
        "transaction.close",
        Some(&id.to_string()),
        Some(&json!({ "reason": reason })),
        "200",
    );
    let closed = crate::db::write(&services.writer, move |c| {
        let at = chrono::Utc::now().naive_utc();
        store::close(c, id, &note, at, Some(&audit))
    })
    .await?;
    match closed {
        OperatorClose::Closed => Ok(web::Json(find(&services, id).await?)),
        OperatorClose::NoSuchTransaction => Err(ApiError::NotFound(format!("no transaction {id}"))),
        OperatorClose::AlreadyEnded => Err(ApiError::Conflict(format!(
            "transaction {id} has already ended"
        ))),
    }
}
