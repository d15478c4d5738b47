//! Per charger: what it sent that did not fit, and the transactions the server ended itself
//! (`transaction_anomalies`): unknown or repeated stops, starts on a busy connector, ends
//! without a StopTransaction, late stops and meter values, start answers that never left.

use super::chargers::must_exist;
use super::{one_of, parse_int};
use crate::api::auth::Viewer;
use crate::api::error::ApiError;
use crate::api::{Page, PageParams};
use crate::db::anomalies as store;
use crate::db::anomalies::AnomalyKind;
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix_web::{get, web};
use serde::{Deserialize, Serialize};

/// One anomaly, with what the charger sent (or what the server saw) as JSON.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Anomaly {
    pub id: i64,
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
    /// Only this kind: UnknownTransaction, DuplicateStop, StopAfterInferredEnd,
    /// MeterValuesAfterStop, MeterValuesAfterInferredEnd, StartAnswerLost, EndedWithoutStop or
    /// StartOnBusyConnector.
    pub kind: Option<String>,
}

impl From<store::Anomaly> for Anomaly {
    fn from(a: store::Anomaly) -> Self {
        Anomaly {
            id: a.id,
            transaction_id: a.transaction_id,
            kind: a.kind.as_str().to_owned(),
            payload: a.payload,
            received_at: Timestamp::from_naive(a.received_at),
        }
    }
}

impl AnomalyFilter {
    fn check(&self) -> Result<store::Filter, ApiError> {
        Ok(store::Filter {
            transaction_id: parse_int("transactionId", self.transaction_id.as_deref())?,
            kind: match self.kind.as_deref().filter(|k| !k.is_empty()) {
                None => None,
                Some(k) => {
                    one_of("kind", k, AnomalyKind::ALL.map(AnomalyKind::as_str))?;
                    AnomalyKind::parse(k)
                }
            },
        })
    }
}

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
    let page = page.request()?;
    let filter = filter.check()?;
    must_exist(&services, &id).await?;
    let found =
        crate::db::read(&services.pool, move |c| store::page(c, &id, &filter, page)).await?;
    Ok(web::Json(found.map(Anomaly::from)))
}
