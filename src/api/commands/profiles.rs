//! Charging profiles: a library of reusable profiles, and the profiles each charger has
//! accepted (SetChargingProfile) and not cleared (ClearChargingProfile). A TxProfile ends with
//! its transaction, so those of finished transactions are not listed as installed.

use super::learn::{Learn, Lesson};
use super::send::{json_body, known, now, parse_request, send};
use crate::api::audit::audit_row;
use crate::api::auth::{Operator, Viewer};
use crate::api::body::Body;
use crate::api::error::ApiError;
use crate::api::{Page, PageParams};
use crate::db::charging_profiles::{self as store, Cleared};
use crate::ocpp::types::Timestamp;
use crate::ocpp::v16::clear_charging_profile::{
    ClearChargingProfileRequest, ClearChargingProfileResponse, ClearChargingProfileStatus,
};
use crate::ocpp::v16::common::ChargingProfile;
use crate::ocpp::v16::set_charging_profile::{
    ChargingProfileStatus, SetChargingProfileRequest, SetChargingProfileResponse,
};
use crate::services::Services;
use actix_web::{delete, get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_charging_profiles)
        .service(create_charging_profile)
        .service(delete_charging_profile)
        .service(installed_charging_profiles)
        .service(install_charging_profile);
}

impl Learn for SetChargingProfileRequest {
    fn lesson(cp: &str, request: &Self, answer: &SetChargingProfileResponse) -> Option<Lesson> {
        if answer.status != ChargingProfileStatus::Accepted {
            return None;
        }
        let (cp, connector_id) = (cp.to_owned(), request.connector_id as i32);
        let profile = request.cs_charging_profiles.clone();
        Some(Box::new(move |c| {
            store::record_installed(c, &cp, connector_id, &profile, now())
        }))
    }
}

/// The charger cleared the profile with `id`, or every profile matching all given criteria.
impl Learn for ClearChargingProfileRequest {
    fn lesson(cp: &str, request: &Self, answer: &ClearChargingProfileResponse) -> Option<Lesson> {
        if answer.status != ClearChargingProfileStatus::Accepted {
            return None;
        }
        let cp = cp.to_owned();
        let cleared = Cleared {
            id: request.id,
            connector_id: request.connector_id.map(|n| n as i32),
            purpose: request.charging_profile_purpose.map(|p| p.as_str()),
            stack_level: request.stack_level,
        };
        Some(Box::new(move |c| store::clear_installed(c, &cp, &cleared)))
    }
}

/// A profile installed on a charger.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstalledProfile {
    pub connector_id: i32,
    /// The OCPP chargingProfileId.
    pub charging_profile_id: i32,
    pub purpose: String,
    pub stack_level: i32,
    pub transaction_id: Option<i32>,
    /// The OCPP ChargingProfile as sent.
    #[schema(value_type = Object)]
    pub profile: Value,
    #[schema(value_type = String, format = DateTime)]
    pub installed_at: Timestamp,
}

impl From<store::Installed> for InstalledProfile {
    fn from(p: store::Installed) -> Self {
        InstalledProfile {
            connector_id: p.connector_id,
            charging_profile_id: p.charging_profile_id,
            purpose: p.purpose,
            stack_level: p.stack_level,
            transaction_id: p.transaction_id,
            profile: serde_json::from_str(&p.profile).unwrap_or(Value::Null),
            installed_at: Timestamp::from_naive(p.installed_at),
        }
    }
}

/// The installed profiles of a charger, by connector, purpose and stack level. TxProfiles of
/// finished transactions are left out (the charger drops them when the transaction ends).
pub async fn installed_on(
    services: &Services,
    charger_id: &str,
) -> Result<Vec<InstalledProfile>, ApiError> {
    let cp = charger_id.to_owned();
    let rows = crate::db::read(&services.pool, move |c| store::installed_on(c, &cp)).await?;
    Ok(rows.into_iter().map(InstalledProfile::from).collect())
}

/// A chargingProfileId not used by any profile installed on the charger.
pub async fn unused_profile_id(services: &Services, charger_id: &str) -> Result<i32, ApiError> {
    let cp = charger_id.to_owned();
    let highest =
        crate::db::read(&services.pool, move |c| store::highest_installed_id(c, &cp)).await?;
    Ok(highest.unwrap_or(0).max(0) + 1)
}

/// The profiles a charger has accepted and not cleared.
#[utoipa::path(tag = "commands", responses((status = 200, body = Vec<InstalledProfile>), (status = 404)),
    security(("bearer" = ["viewer"])))]
#[get("/chargers/{id}/charging-profiles")]
pub async fn installed_charging_profiles(
    _: Viewer,
    services: web::Data<Services>,
    charger: web::Path<String>,
) -> Result<web::Json<Vec<InstalledProfile>>, ApiError> {
    known(&services, &charger).await?;
    installed_on(&services, &charger).await.map(web::Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Install {
    /// The id of a profile in the library.
    pub profile_id: i32,
    /// The connector to install it on; 0 is the whole charger.
    pub connector_id: u32,
}

/// Sends a profile of the library to a charger (SetChargingProfile); answered with the
/// charger's SetChargingProfile.conf.
#[utoipa::path(tag = "commands", request_body = Install,
    responses((status = 200, body = Object, description = "OCPP SetChargingProfile.conf"),
        (status = 404, description = "unknown charger or profile"), (status = 409), (status = 422),
        (status = 502), (status = 504)),
    security(("bearer" = ["operator"])))]
#[post("/chargers/{id}/charging-profiles")]
pub async fn install_charging_profile(
    operator: Operator,
    services: web::Data<Services>,
    charger: web::Path<String>,
    body: Body<Install>,
) -> Result<HttpResponse, ApiError> {
    let Install {
        profile_id,
        connector_id,
    } = body.into_inner();
    let stored = crate::db::read(&services.pool, move |c| {
        store::library_profile(c, profile_id)
    })
    .await?;
    let profile = stored
        .and_then(|p| serde_json::from_str::<Value>(&p).ok())
        .ok_or_else(|| ApiError::NotFound(format!("no charging profile {profile_id}")))?;
    let request: SetChargingProfileRequest =
        parse_request(&json!({"connectorId": connector_id, "csChargingProfiles": profile}))?;
    let answer = send(&services, &operator.0, &charger, request).await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// A profile of the library.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LibraryProfile {
    pub id: i32,
    pub name: String,
    /// An OCPP ChargingProfile.
    #[schema(value_type = Object)]
    pub profile: Value,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewLibraryProfile {
    /// Unique, 1-64 characters.
    pub name: String,
    /// An OCPP ChargingProfile (spec JSON), checked as the spec requires.
    #[schema(value_type = Object)]
    pub profile: Value,
}

/// The charging profile library.
#[utoipa::path(tag = "commands", params(PageParams),
    responses((status = 200, body = Page<LibraryProfile>)), security(("bearer" = ["viewer"])))]
#[get("/charging-profiles")]
pub async fn list_charging_profiles(
    _: Viewer,
    services: web::Data<Services>,
    paging: web::Query<PageParams>,
) -> Result<web::Json<Page<LibraryProfile>>, ApiError> {
    let page = paging.request()?;
    let rows = crate::db::read(&services.pool, move |c| store::page(c, page)).await?;
    Ok(web::Json(rows.map(|p| LibraryProfile {
        id: p.id,
        name: p.name,
        profile: serde_json::from_str(&p.profile).unwrap_or(Value::Null),
        created_at: Timestamp::from_naive(p.created_at),
    })))
}

/// Add a profile to the library.
#[utoipa::path(tag = "commands", request_body = NewLibraryProfile,
    responses((status = 201, body = LibraryProfile), (status = 409, description = "name taken"),
        (status = 422, description = "invalid profile; `field` names the offending field")),
    security(("bearer" = ["operator"])))]
#[post("/charging-profiles")]
pub async fn create_charging_profile(
    operator: Operator,
    services: web::Data<Services>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: NewLibraryProfile = crate::ocpp::types::decode(&json_body(&body)?)
        .map_err(|e| ApiError::invalid(e.description))?;
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ApiError::invalid("name: 1-64 characters"));
    }
    let profile: ChargingProfile = crate::ocpp::v16::parse(&body.profile).map_err(|e| {
        let inner = e.description;
        ApiError::invalid(match inner.split_once(": ") {
            Some((path, _)) if !path.contains(' ') => format!("profile.{inner}"),
            _ => format!("profile: {inner}"),
        })
    })?;
    let text = serde_json::to_string(&profile).map_err(|e| ApiError::Internal(e.to_string()))?;
    let at = now();
    let n = name.clone();
    let caller = operator.0;
    let id = crate::db::write(&services.writer, move |c| {
        store::add_to_library(c, &n, &text, at, |id| {
            audit_row(
                &caller,
                "charging_profile.create",
                Some(&id.to_string()),
                Some(&json!({"name": n})),
                "201",
            )
        })
    })
    .await?;
    let id = id.ok_or_else(|| ApiError::Conflict(format!("a profile named {name} exists")))?;
    Ok(HttpResponse::Created().json(LibraryProfile {
        id,
        name,
        profile: serde_json::to_value(&profile).unwrap_or(Value::Null),
        created_at: Timestamp::from_naive(at),
    }))
}

/// Remove a profile from the library (chargers keep what they have installed).
#[utoipa::path(tag = "commands", responses((status = 204), (status = 404)), security(("bearer" = ["operator"])))]
#[delete("/charging-profiles/{id}")]
pub async fn delete_charging_profile(
    operator: Operator,
    services: web::Data<Services>,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let audit = audit_row(
        &operator.0,
        "charging_profile.delete",
        Some(&id.to_string()),
        None,
        "204",
    );
    let removed = crate::db::write(&services.writer, move |c| {
        store::remove_from_library(c, id, Some(&audit))
    })
    .await?;
    if !removed {
        return Err(ApiError::NotFound(format!("no charging profile {id}")));
    }
    Ok(HttpResponse::NoContent().finish())
}
