//! Conveniences built on the operations: start, suspend, resume and finish a session; a
//! maximum power or current for a charger; closing a charger's connection.
//!
//! - suspend: a TxProfile for the transaction with limit 0, stacked above its other TxProfiles
//!   (sent again, it replaces itself);
//! - resume: ClearChargingProfile of that profile;
//! - max-power: connector 0 gets a ChargePointMaxProfile, another connector a
//!   TxDefaultProfile; stack level 0, Absolute from now, one period.

use super::profiles::{installed_on, unused_profile_id};
use super::send::{connected, parse_request, send};
use crate::api::audit;
use crate::api::auth::{Caller, Operator};
use crate::api::body::Body;
use crate::api::error::ApiError;
use crate::charger::actor::Close;
use crate::ocpp::types::{Timestamp, Validate};
use crate::ocpp::v16::clear_charging_profile::{
    ClearChargingProfileRequest, ClearChargingProfileResponse,
};
use crate::ocpp::v16::common::{
    tenths, ChargingProfile, ChargingProfileKindType, ChargingProfilePurposeType,
    ChargingRateUnitType, ChargingSchedule, ChargingSchedulePeriod,
};
use crate::ocpp::v16::remote_start_transaction::{
    RemoteStartTransactionRequest, RemoteStartTransactionResponse,
};
use crate::ocpp::v16::remote_stop_transaction::{
    RemoteStopTransactionRequest, RemoteStopTransactionResponse,
};
use crate::ocpp::v16::set_charging_profile::{
    SetChargingProfileRequest, SetChargingProfileResponse,
};
use crate::services::Services;
use actix_web::{post, web, HttpResponse, ResponseError};
use actix_ws::CloseCode;
use serde::Deserialize;
use serde_json::json;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(start_session)
        .service(suspend_session)
        .service(resume_session)
        .service(finish_session)
        .service(max_power)
        .service(disconnect);
}

/// A profile of one period from the start of its schedule.
fn flat_profile(
    charging_profile_id: i32,
    stack_level: i32,
    purpose: ChargingProfilePurposeType,
    kind: ChargingProfileKindType,
    transaction_id: Option<i32>,
    unit: ChargingRateUnitType,
    limit: f64,
) -> ChargingProfile {
    ChargingProfile {
        charging_profile_id,
        transaction_id,
        stack_level,
        charging_profile_purpose: purpose,
        charging_profile_kind: kind,
        recurrency_kind: None,
        valid_from: None,
        valid_to: None,
        charging_schedule: ChargingSchedule {
            duration: None,
            start_schedule: (kind == ChargingProfileKindType::Absolute).then(Timestamp::now),
            charging_rate_unit: unit,
            charging_schedule_period: vec![ChargingSchedulePeriod {
                start_period: 0,
                limit,
                number_phases: None,
            }],
            min_charging_rate: None,
        },
    }
}

/// A set-profile request, checked as any request from a caller would be.
fn set_profile(
    connector_id: u32,
    profile: ChargingProfile,
) -> Result<SetChargingProfileRequest, ApiError> {
    let request = SetChargingProfileRequest {
        connector_id,
        cs_charging_profiles: profile,
    };
    request.validate().map_err(ApiError::invalid)?;
    Ok(request)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartSession {
    /// The connector (> 0); left out, the charger chooses.
    pub connector_id: Option<u32>,
    pub id_tag: String,
}

/// Start a session (RemoteStartTransaction).
#[utoipa::path(tag = "sessions", request_body = StartSession,
    responses((status = 200, body = Object, description = "OCPP RemoteStartTransaction.conf"),
        (status = 404), (status = 409), (status = 422), (status = 502), (status = 504)),
    security(("bearer" = ["operator"])))]
#[post("/chargers/{id}/sessions/start")]
pub async fn start_session(
    operator: Operator,
    services: web::Data<Services>,
    charger: web::Path<String>,
    body: Body<StartSession>,
) -> Result<web::Json<RemoteStartTransactionResponse>, ApiError> {
    let StartSession {
        connector_id,
        id_tag,
    } = body.into_inner();
    let request: RemoteStartTransactionRequest =
        parse_request(&json!({"connectorId": connector_id, "idTag": id_tag}))?;
    send(&services, &operator.0, &charger, request)
        .await
        .map(web::Json)
}

/// The connector of an open transaction of a charger: 404 if the charger has no such
/// transaction, 409 if it has ended.
async fn open_transaction(
    services: &Services,
    charger_id: &str,
    transaction_id: i32,
) -> Result<u32, ApiError> {
    let found = crate::db::read(&services.pool, move |c| {
        crate::db::transactions::find(c, transaction_id)
    })
    .await?
    .filter(|t| t.charge_point_id == charger_id);
    match found {
        None => Err(ApiError::NotFound(format!(
            "charger {charger_id} has no transaction {transaction_id}"
        ))),
        Some(t) if !t.is_active() => Err(ApiError::Conflict(format!(
            "transaction {transaction_id} has ended"
        ))),
        Some(t) => Ok(t.connector_id.max(0) as u32),
    }
}

/// The TxProfiles installed for a transaction, highest stack level first, with whether each
/// holds the charging at 0 (a suspension).
async fn tx_profiles(
    services: &Services,
    charger_id: &str,
    transaction_id: i32,
) -> Result<Vec<(ChargingProfile, bool)>, ApiError> {
    let mut profiles: Vec<(ChargingProfile, bool)> = installed_on(services, charger_id)
        .await?
        .into_iter()
        .filter(|p| p.transaction_id == Some(transaction_id))
        .filter_map(|p| serde_json::from_value::<ChargingProfile>(p.profile).ok())
        .filter(|p| p.charging_profile_purpose == ChargingProfilePurposeType::TxProfile)
        .map(|p| {
            let halted = p
                .charging_schedule
                .charging_schedule_period
                .iter()
                .all(|period| period.limit == 0.0);
            (p, halted)
        })
        .collect();
    profiles.sort_by_key(|(p, _)| std::cmp::Reverse(p.stack_level));
    Ok(profiles)
}

/// Suspend a session: a TxProfile with limit 0 above the transaction's other TxProfiles.
#[utoipa::path(tag = "sessions",
    responses((status = 200, body = Object, description = "OCPP SetChargingProfile.conf"),
        (status = 404), (status = 409), (status = 502), (status = 504)),
    security(("bearer" = ["operator"])))]
#[post("/chargers/{id}/sessions/{transactionId}/suspend")]
pub async fn suspend_session(
    operator: Operator,
    services: web::Data<Services>,
    path: web::Path<(String, i32)>,
) -> Result<web::Json<SetChargingProfileResponse>, ApiError> {
    let (charger, transaction_id) = path.into_inner();
    suspend(&services, &operator.0, &charger, transaction_id)
        .await
        .map(web::Json)
}

/// Suspends a session (API and dashboard).
pub async fn suspend(
    services: &Services,
    caller: &Caller,
    charger: &str,
    transaction_id: i32,
) -> Result<SetChargingProfileResponse, ApiError> {
    let connector = open_transaction(services, charger, transaction_id).await?;
    let (id, level) = match tx_profiles(services, charger, transaction_id)
        .await?
        .first()
    {
        Some((top, true)) => (top.charging_profile_id, top.stack_level),
        Some((top, false)) => (
            unused_profile_id(services, charger).await?,
            top.stack_level + 1,
        ),
        None => (unused_profile_id(services, charger).await?, 0),
    };
    let profile = flat_profile(
        id,
        level,
        ChargingProfilePurposeType::TxProfile,
        ChargingProfileKindType::Relative,
        Some(transaction_id),
        ChargingRateUnitType::A,
        0.0,
    );
    let request = set_profile(connector, profile)?;
    send(services, caller, charger, request).await
}

/// Resume a suspended session: clears the profile that suspended it.
#[utoipa::path(tag = "sessions",
    responses((status = 200, body = Object, description = "OCPP ClearChargingProfile.conf"),
        (status = 404), (status = 409, description = "ended, not suspended, or charger offline"),
        (status = 502), (status = 504)),
    security(("bearer" = ["operator"])))]
#[post("/chargers/{id}/sessions/{transactionId}/resume")]
pub async fn resume_session(
    operator: Operator,
    services: web::Data<Services>,
    path: web::Path<(String, i32)>,
) -> Result<web::Json<ClearChargingProfileResponse>, ApiError> {
    let (charger, transaction_id) = path.into_inner();
    resume(&services, &operator.0, &charger, transaction_id)
        .await
        .map(web::Json)
}

/// Resumes a suspended session (API and dashboard).
pub async fn resume(
    services: &Services,
    caller: &Caller,
    charger: &str,
    transaction_id: i32,
) -> Result<ClearChargingProfileResponse, ApiError> {
    open_transaction(services, charger, transaction_id).await?;
    let profiles = tx_profiles(services, charger, transaction_id).await?;
    let Some((suspension, _)) = profiles.iter().find(|(_, halted)| *halted) else {
        return Err(ApiError::Conflict(format!(
            "transaction {transaction_id} is not suspended"
        )));
    };
    let request = ClearChargingProfileRequest {
        id: Some(suspension.charging_profile_id),
        ..Default::default()
    };
    send(services, caller, charger, request).await
}

/// Finish a session (RemoteStopTransaction).
#[utoipa::path(tag = "sessions",
    responses((status = 200, body = Object, description = "OCPP RemoteStopTransaction.conf"),
        (status = 404), (status = 409), (status = 502), (status = 504)),
    security(("bearer" = ["operator"])))]
#[post("/chargers/{id}/sessions/{transactionId}/finish")]
pub async fn finish_session(
    operator: Operator,
    services: web::Data<Services>,
    path: web::Path<(String, i32)>,
) -> Result<web::Json<RemoteStopTransactionResponse>, ApiError> {
    let (charger, transaction_id) = path.into_inner();
    finish(&services, &operator.0, &charger, transaction_id)
        .await
        .map(web::Json)
}

/// Finishes a session with RemoteStopTransaction (API and dashboard).
pub async fn finish(
    services: &Services,
    caller: &Caller,
    charger: &str,
    transaction_id: i32,
) -> Result<RemoteStopTransactionResponse, ApiError> {
    open_transaction(services, charger, transaction_id).await?;
    let request = RemoteStopTransactionRequest { transaction_id };
    send(services, caller, charger, request).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MaxPower {
    /// In `unit`; a non-negative multiple of 0.1.
    pub limit: f64,
    /// `W` or `A`.
    pub unit: String,
    /// 0 (the default) limits the whole charger; another connector gets a default limit for
    /// its sessions.
    pub connector_id: Option<u32>,
}

/// Limit a charger's power (W) or current (A): a ChargePointMaxProfile for connector 0, a
/// TxDefaultProfile for another connector.
#[utoipa::path(tag = "commands", request_body = MaxPower,
    responses((status = 200, body = Object, description = "OCPP SetChargingProfile.conf"),
        (status = 404), (status = 409), (status = 422), (status = 502), (status = 504)),
    security(("bearer" = ["operator"])))]
#[post("/chargers/{id}/max-power")]
pub async fn max_power(
    operator: Operator,
    services: web::Data<Services>,
    charger: web::Path<String>,
    body: Body<MaxPower>,
) -> Result<web::Json<SetChargingProfileResponse>, ApiError> {
    limit_power(&services, &operator.0, &charger, body.into_inner())
        .await
        .map(web::Json)
}

/// Limits a charger's power or current (API and dashboard).
pub async fn limit_power(
    services: &Services,
    caller: &Caller,
    charger: &str,
    max: MaxPower,
) -> Result<SetChargingProfileResponse, ApiError> {
    let MaxPower {
        limit,
        unit,
        connector_id,
    } = max;
    let unit = ChargingRateUnitType::parse(&unit)
        .ok_or_else(|| ApiError::invalid(format!("unit: W or A, not {unit:?}")))?;
    tenths("limit", limit).map_err(ApiError::invalid)?;
    let connector = connector_id.unwrap_or(0);
    let purpose = if connector == 0 {
        ChargingProfilePurposeType::ChargePointMaxProfile
    } else {
        ChargingProfilePurposeType::TxDefaultProfile
    };
    let id = unused_profile_id(services, charger).await?;
    let profile = flat_profile(
        id,
        0,
        purpose,
        ChargingProfileKindType::Absolute,
        None,
        unit,
        limit,
    );
    let request = set_profile(connector, profile)?;
    send(services, caller, charger, request).await
}

/// Close a charger's connection (WebSocket close 1000). It will usually reconnect.
#[utoipa::path(tag = "commands",
    responses((status = 204), (status = 404), (status = 409, description = "not connected")),
    security(("bearer" = ["operator"])))]
#[post("/chargers/{id}/disconnect")]
pub async fn disconnect(
    operator: Operator,
    services: web::Data<Services>,
    charger: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let outcome = connected(&services, &charger).await.map(|actor| {
        actor.do_send(Close {
            code: CloseCode::Normal,
            reason: "disconnected by the central system's operator".into(),
        })
    });
    let result = match &outcome {
        Ok(()) => "204".to_owned(),
        Err(e) => format!("{} {e}", e.status_code().as_u16()),
    };
    audit::record(
        &services,
        &operator.0.name,
        "charger.disconnect",
        Some(&charger),
        None,
        &result,
    )
    .await;
    outcome.map(|()| HttpResponse::NoContent().finish())
}
