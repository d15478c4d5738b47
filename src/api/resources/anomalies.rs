//! Per charger: what it sent that did not fit, and the transactions the server ended itself
//! (`transaction_anomalies`): unknown or repeated stops, starts on a busy connector, ends
//! without a StopTransaction, late stops and meter values, start answers that never left.

use super::chargers::must_exist;
use super::parse_int;
use crate::api::auth::Viewer;
use crate::api::error::ApiError;
use crate::api::{Page, PageParams};
use crate::db::schema::transaction_anomalies as ta;
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix_web::{get, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

/// One anomaly, with what the charger sent (or what the server saw) as JSON.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Anomaly {
    pub id: i32,
    pub transaction_id: Option<i32>,
    /// e.g. UnknownTransaction, DuplicateStop, StartOnBusyConnector, EndedWithoutStop,
    /// StopAfterInferredEnd, MeterValuesAfterStop, MeterValuesAfterInferredEnd, StartAnswerLost.
    pub kind: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AnomalyFilter {
    /// Only this transaction.
    #[param(value_type = Option<i32>)]
    pub transaction_id: Option<String>,
    /// Only this kind, exactly.
    pub kind: Option<String>,
}

type Row = (i32, Option<i32>, String, String, NaiveDateTime);

/// A charger's anomalies, newest first.
#[utoipa::path(tag = "chargers", params(("id" = String, Path, description = "charge point id"),
        AnomalyFilter, PageParams),
    responses((status = 200, body = Page<Anomaly>), (status = 404), (status = 422)),
    security(("bearer" = ["viewer"])))]
#[get("/chargers/{id}/anomalies")]
pub async fn anomalies(
    _: Viewer,
    services: web::Data<Services>,
    path: web::Path<String>,
    filter: web::Query<AnomalyFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Anomaly>>, ApiError> {
    let id = path.into_inner();
    let (limit, offset) = page.resolve()?;
    let transaction = parse_int("transactionId", filter.transaction_id.as_deref())?;
    let kind = filter.kind.clone().filter(|k| !k.is_empty());
    must_exist(&services, &id).await?;
    let (rows, total) = crate::db::read(&services.pool, move |c| {
        let query = || {
            let mut q = ta::table
                .filter(ta::charge_point_id.eq(id.clone()))
                .into_boxed();
            if let Some(t) = transaction {
                q = q.filter(ta::transaction_id.eq(t));
            }
            if let Some(k) = &kind {
                q = q.filter(ta::kind.eq(k.clone()));
            }
            q
        };
        let total: i64 = query().count().get_result(c)?;
        let rows: Vec<Row> = query()
            .order((ta::received_at.desc(), ta::id.desc()))
            .limit(limit)
            .offset(offset)
            .select((
                ta::id,
                ta::transaction_id,
                ta::kind,
                ta::payload,
                ta::received_at,
            ))
            .load(c)?;
        Ok((rows, total))
    })
    .await?;
    let items = rows
        .into_iter()
        .map(|(id, transaction_id, kind, payload, at)| Anomaly {
            id,
            transaction_id,
            kind,
            payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::String(payload)),
            received_at: Timestamp::from_naive(at),
        })
        .collect();
    Ok(web::Json(Page {
        items,
        total,
        limit,
        offset,
    }))
}
