//! The fleet: chargers with their connection state, identity, connectors and energy delivered;
//! pre-registration, edits, deletion and Basic-auth passwords (admin).

use super::{nullable, parse_bool, SortParams};
use crate::api::audit::audit_row;
use crate::api::auth::{Admin, Caller, Viewer};
use crate::api::body::Body;
use crate::api::error::ApiError;
use crate::api::{Page, PageParams};
use crate::charger::auth::hash_key;
use crate::db::chargers::{self as store, ChargerChange};
use crate::db::connectors::Connector;
use crate::ocpp::types::Timestamp;
use crate::ocpp::v16::boot_notification::RegistrationStatus;
use crate::ocpp::v16::status_notification::ChargePointStatus;
use crate::services::Services;
use crate::supervisor::Lookup;
use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Length of a charger's Basic-auth password (OCPP 1.6 security: AuthorizationKey).
const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 16..=40;

/// A charger as the central system knows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Charger {
    /// The charge point id (the last segment of its WebSocket URL).
    pub id: String,
    /// Whether it is connected now.
    pub online: bool,
    /// Its last frame (written every 30 s while connected), or its last (dis)connection.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_seen: Option<Timestamp>,
    /// What its last BootNotification was answered (Accepted, Pending, Rejected); null if it
    /// never booted.
    pub registration_status: Option<String>,
    /// The status an admin set for its next boot; null means the configured default.
    pub preset_registration_status: Option<String>,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub charge_point_serial: Option<String>,
    pub charge_box_serial: Option<String>,
    pub firmware_version: Option<String>,
    pub iccid: Option<String>,
    pub imsi: Option<String>,
    pub meter_type: Option<String>,
    pub meter_serial: Option<String>,
    pub firmware_status: Option<String>,
    pub diagnostics_status: Option<String>,
    /// Whether it must authenticate with HTTP Basic auth.
    pub has_password: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_boot_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Its connectors (0 is the charge point itself), as last reported.
    pub connectors: Vec<ConnectorState>,
    /// Energy delivered by its completed transactions (sum of meterStop - meterStart), in Wh.
    pub energy_wh: i64,
    /// What the server hands this charger: kept per charger, used in every boot answer.
    pub settings: ChargerSettings,
    /// Times a new connection with its id replaced one still open (two devices with one id
    /// replace each other over and over).
    pub connection_replacements: i32,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_replaced_at: Option<Timestamp>,
}

/// Settings the server hands a charger.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChargerSettings {
    /// The heartbeat interval its BootNotification answers carry, in seconds.
    pub heartbeat_interval_secs: i32,
    /// Whether that interval is its own (set by an accepted ChangeConfiguration of
    /// HeartbeatInterval, or by an admin) rather than the server's default.
    pub heartbeat_interval_is_own: bool,
    /// What its next BootNotification will be answered (Accepted, Pending, Rejected).
    pub registration_status: String,
}

/// A connector's last StatusNotification.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorState {
    pub connector_id: i32,
    pub status: String,
    pub error_code: String,
    pub info: Option<String>,
    pub vendor_id: Option<String>,
    pub vendor_error_code: Option<String>,
    /// The charger's time of the status (or its receipt, if the charger sent none).
    #[schema(value_type = String, format = DateTime)]
    pub status_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Connector> for ConnectorState {
    fn from(c: Connector) -> Self {
        ConnectorState {
            connector_id: c.connector_id,
            status: c.status.as_str().to_owned(),
            error_code: c.error_code.as_str().to_owned(),
            info: c.info,
            vendor_id: c.vendor_id,
            vendor_error_code: c.vendor_error_code,
            status_at: Timestamp::from_naive(c.status_at),
            updated_at: Timestamp::from_naive(c.updated_at),
        }
    }
}

/// Server defaults a charger's settings fall back on.
#[derive(Debug, Clone, Copy)]
pub struct Defaults {
    heartbeat_interval_secs: u32,
    registration_status: RegistrationStatus,
}

impl Defaults {
    pub fn of(services: &Services) -> Defaults {
        Defaults {
            heartbeat_interval_secs: services.config.ocpp.heartbeat_interval_secs,
            registration_status: services.config.ocpp.boot_status.into(),
        }
    }
}

pub fn to_charger(charger: store::Charger, defaults: Defaults) -> Charger {
    let store::Charger {
        charge_point: c,
        connectors,
        energy_wh,
    } = charger;
    let settings = ChargerSettings {
        heartbeat_interval_secs: c
            .heartbeat_interval_secs
            .unwrap_or(i32::try_from(defaults.heartbeat_interval_secs).unwrap_or(i32::MAX)),
        heartbeat_interval_is_own: c.heartbeat_interval_secs.is_some(),
        registration_status: c
            .registration_status
            .unwrap_or(defaults.registration_status)
            .as_str()
            .to_owned(),
    };
    Charger {
        id: c.id,
        online: c.connected,
        last_seen: c.last_seen.map(Timestamp::from_naive),
        registration_status: c.boot_status.map(|s| s.as_str().to_owned()),
        preset_registration_status: c.registration_status.map(|s| s.as_str().to_owned()),
        vendor: c.vendor,
        model: c.model,
        charge_point_serial: c.charge_point_serial,
        charge_box_serial: c.charge_box_serial,
        firmware_version: c.firmware_version,
        iccid: c.iccid,
        imsi: c.imsi,
        meter_type: c.meter_type,
        meter_serial: c.meter_serial,
        firmware_status: c.firmware_status,
        diagnostics_status: c.diagnostics_status,
        has_password: c.password_hash.is_some(),
        last_boot_at: c.last_boot_at.map(Timestamp::from_naive),
        created_at: Timestamp::from_naive(c.created_at),
        connectors: connectors.into_iter().map(ConnectorState::from).collect(),
        energy_wh,
        settings,
        connection_replacements: c.connection_replacements,
        last_replaced_at: c.last_replaced_at.map(Timestamp::from_naive),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChargerFilter {
    /// Chargers with at least one connector in this status (e.g. `Charging`, `Faulted`).
    pub status: Option<String>,
    /// `true`: connected now; `false`: not connected.
    #[param(value_type = Option<bool>)]
    pub online: Option<String>,
    /// Vendor, exactly (case-insensitive).
    pub vendor: Option<String>,
    /// Model, exactly (case-insensitive).
    pub model: Option<String>,
    /// Text anywhere in the id, vendor, model or serial numbers (case-insensitive).
    pub q: Option<String>,
}

/// A connector status spelled as OCPP spells it; 422 naming `status` otherwise.
fn connector_status(s: &str) -> Result<ChargePointStatus, ApiError> {
    super::one_of(
        "status",
        s,
        ChargePointStatus::ALL.map(ChargePointStatus::as_str),
    )?;
    ChargePointStatus::parse(s).ok_or_else(|| ApiError::invalid("status: unknown"))
}

impl ChargerFilter {
    /// The store's filter; 422 naming a bad parameter.
    pub fn check(self) -> Result<store::ChargerFilter, ApiError> {
        let some = |v: Option<String>| v.filter(|v| !v.is_empty());
        Ok(store::ChargerFilter {
            online: parse_bool("online", self.online.as_deref())?,
            status: some(self.status)
                .as_deref()
                .map(connector_status)
                .transpose()?,
            vendor: some(self.vendor),
            model: some(self.model),
            q: some(self.q),
        })
    }
}

/// Chargers, filtered and sorted. Sort by `id` (default), `vendor`, `model`, `lastSeen`,
/// `createdAt`.
#[utoipa::path(tag = "chargers", params(ChargerFilter, SortParams, PageParams),
    responses((status = 200, body = Page<Charger>), (status = 422, description = "a bad filter, named")),
    security(("bearer" = ["viewer"])))]
#[get("/chargers")]
pub async fn list(
    _: Viewer,
    services: web::Data<Services>,
    filter: web::Query<ChargerFilter>,
    sort: web::Query<SortParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Charger>>, ApiError> {
    let page = page.request()?;
    let filter = filter.into_inner().check()?;
    let sort = sort.resolve(&store::SORTS, store::DEFAULT_SORT)?;
    let defaults = Defaults::of(&services);
    let chargers =
        crate::db::read(&services.pool, move |c| store::page(c, &filter, sort, page)).await?;
    Ok(web::Json(chargers.map(|c| to_charger(c, defaults))))
}

/// One charger as the API shows it; 404 if unknown.
pub async fn load(services: &Services, id: String) -> Result<Charger, ApiError> {
    let lookup = id.clone();
    let found = crate::db::read(&services.pool, move |c| store::find(c, &lookup)).await?;
    found
        .map(|c| to_charger(c, Defaults::of(services)))
        .ok_or_else(|| ApiError::NotFound(format!("no charger {id}")))
}

/// Answers 404 unless the charger is known.
pub async fn must_exist(services: &Services, id: &str) -> Result<(), ApiError> {
    let lookup = id.to_owned();
    let known = crate::db::read(&services.pool, move |c| store::exists(c, &lookup)).await?;
    if !known {
        return Err(ApiError::NotFound(format!("no charger {id}")));
    }
    Ok(())
}

/// One charger.
#[utoipa::path(tag = "chargers", params(("id" = String, Path, description = "charge point id")),
    responses((status = 200, body = Charger), (status = 404)), security(("bearer" = ["viewer"])))]
#[get("/chargers/{id}")]
pub async fn detail(
    _: Viewer,
    services: web::Data<Services>,
    path: web::Path<String>,
) -> Result<web::Json<Charger>, ApiError> {
    Ok(web::Json(load(&services, path.into_inner()).await?))
}

/// A registration status an admin may preset.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, utoipa::ToSchema)]
pub enum PresetStatus {
    Accepted,
    Pending,
    Rejected,
}

impl From<PresetStatus> for RegistrationStatus {
    fn from(s: PresetStatus) -> Self {
        match s {
            PresetStatus::Accepted => RegistrationStatus::Accepted,
            PresetStatus::Pending => RegistrationStatus::Pending,
            PresetStatus::Rejected => RegistrationStatus::Rejected,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCharger {
    /// The charge point id it will connect with (1-48 characters).
    pub id: String,
    /// What its BootNotifications will be answered; absent: the configured default.
    pub registration_status: Option<PresetStatus>,
    /// A Basic-auth password (16-40 characters) it must then present.
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChargerUpdate {
    /// What its next BootNotification will be answered; `null`: the configured default.
    /// Takes effect at its next boot.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<PresetStatus>)]
    pub registration_status: Option<Option<PresetStatus>>,
    /// The heartbeat interval its boot answers carry (1-86400 s); `null`: the server default.
    /// Takes effect at its next boot; send ChangeConfiguration(HeartbeatInterval) to change it
    /// at once (an accepted one also sets this).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>)]
    pub heartbeat_interval_secs: Option<Option<u32>>,
}

/// Longest heartbeat interval an admin may set, in seconds (a day).
const MAX_HEARTBEAT_SECS: u32 = 86_400;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    /// 16-40 characters.
    pub password: String,
}

/// A charger password's rule; 422 naming `password`.
pub fn check_password(password: &str) -> Result<(), ApiError> {
    if PASSWORD_CHARS.contains(&password.chars().count()) && password.is_ascii() {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "password: {} to {} ASCII characters",
            PASSWORD_CHARS.start(),
            PASSWORD_CHARS.end()
        )))
    }
}

/// Pre-register a charger (admin), optionally with its registration status and password.
#[utoipa::path(tag = "chargers", request_body = NewCharger,
    responses((status = 201, body = Charger), (status = 409, description = "id taken"), (status = 422)),
    security(("bearer" = ["admin"])))]
#[post("/chargers")]
pub async fn create(
    admin: Admin,
    services: web::Data<Services>,
    body: Body<NewCharger>,
) -> Result<HttpResponse, ApiError> {
    let charger = register(&services, &admin.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(charger))
}

/// Pre-registers a charger (for the API and the dashboard), audited.
pub async fn register(
    services: &Services,
    caller: &Caller,
    new: NewCharger,
) -> Result<Charger, ApiError> {
    let NewCharger {
        id,
        registration_status,
        password,
    } = new;
    crate::charger::socket::validate_id(&id).map_err(|e| ApiError::invalid(format!("id: {e}")))?;
    if let Some(p) = &password {
        check_password(p)?;
    }
    let hash = password.as_deref().map(hash_key);
    let status = registration_status.map(RegistrationStatus::from);
    let now = chrono::Utc::now().naive_utc();
    let request = json!({
        "registrationStatus": status.map(RegistrationStatus::as_str),
        "password": password.is_some(),
    });
    let audit = audit_row(caller, "charger.create", Some(&id), Some(&request), "201");
    let new_id = id.clone();
    let inserted = crate::db::write(&services.writer, move |c| {
        let new = store::NewCharger {
            id: &new_id,
            registration_status: status,
            password_hash: hash.as_deref(),
            created_at: now,
        };
        store::create(c, &new, Some(&audit))
    })
    .await?;
    if !inserted {
        return Err(ApiError::Conflict(format!("charger {id} exists")));
    }
    load(services, id).await
}

/// Edit a charger (admin): its preset registration status and heartbeat interval.
#[utoipa::path(tag = "chargers", params(("id" = String, Path, description = "charge point id")),
    request_body = ChargerUpdate,
    responses((status = 200, body = Charger), (status = 404), (status = 422)),
    security(("bearer" = ["admin"])))]
#[put("/chargers/{id}")]
pub async fn update(
    admin: Admin,
    services: web::Data<Services>,
    path: web::Path<String>,
    body: Body<ChargerUpdate>,
) -> Result<web::Json<Charger>, ApiError> {
    let id = path.into_inner();
    let change = body.into_inner();
    if let Some(Some(secs)) = change.heartbeat_interval_secs {
        if !(1..=MAX_HEARTBEAT_SECS).contains(&secs) {
            return Err(ApiError::invalid(format!(
                "heartbeatIntervalSecs: 1 to {MAX_HEARTBEAT_SECS} seconds, or null"
            )));
        }
    }
    let change = ChargerChange {
        registration_status: change
            .registration_status
            .map(|s| s.map(RegistrationStatus::from)),
        heartbeat_interval_secs: change
            .heartbeat_interval_secs
            .map(|s| s.map(|s| i32::try_from(s).unwrap_or(i32::MAX))),
    };
    let request = json!({
        "registrationStatus": change.registration_status.map(|s| s.map(RegistrationStatus::as_str)),
        "heartbeatIntervalSecs": change.heartbeat_interval_secs,
    });
    let audit = audit_row(&admin.0, "charger.update", Some(&id), Some(&request), "200");
    let target = id.clone();
    let changed = crate::db::write(&services.writer, move |c| {
        store::update(c, &target, change, Some(&audit))
    })
    .await?;
    if !changed {
        return Err(ApiError::NotFound(format!("no charger {id}")));
    }
    Ok(web::Json(load(&services, id).await?))
}

/// Delete a charger (admin) and its connectors; its history (transactions, logs) stays.
/// Refused while it is connected.
#[utoipa::path(tag = "chargers", params(("id" = String, Path, description = "charge point id")),
    responses((status = 204), (status = 404), (status = 409, description = "connected")),
    security(("bearer" = ["admin"])))]
#[delete("/chargers/{id}")]
pub async fn delete(
    admin: Admin,
    services: web::Data<Services>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    must_exist(&services, &id).await?;
    let connected = services
        .supervisor
        .send(Lookup(id.clone()))
        .await
        .map_err(|e| ApiError::Internal(format!("supervisor: {e}")))?
        .is_some();
    if connected {
        return Err(ApiError::Conflict(format!(
            "charger {id} is connected; disconnect it first"
        )));
    }
    let audit = audit_row(&admin.0, "charger.delete", Some(&id), None, "204");
    let target = id.clone();
    let deleted = crate::db::write(&services.writer, move |c| {
        store::delete(c, &target, Some(&audit))
    })
    .await?;
    if !deleted {
        return Err(ApiError::NotFound(format!("no charger {id}")));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Sets (checked) or clears a charger's password, with its audit row.
pub async fn set_charger_password(
    services: &Services,
    caller: &Caller,
    id: &str,
    password: Option<&str>,
) -> Result<(), ApiError> {
    if let Some(p) = password {
        check_password(p)?;
    }
    store_password(caller, services, id, password.map(hash_key)).await
}

/// Stores (or clears) a charger's password hash, with its audit row.
async fn store_password(
    caller: &Caller,
    services: &Services,
    id: &str,
    hash: Option<String>,
) -> Result<(), ApiError> {
    let action = if hash.is_some() {
        "charger.password.set"
    } else {
        "charger.password.clear"
    };
    let audit = audit_row(caller, action, Some(id), None, "204");
    let target = id.to_owned();
    let found = crate::db::write(&services.writer, move |c| {
        store::set_password_hash(c, &target, hash.as_deref(), Some(&audit))
    })
    .await?;
    if !found {
        return Err(ApiError::NotFound(format!("no charger {id}")));
    }
    Ok(())
}

/// Set the charger's Basic-auth password (admin); it must present it from its next connection.
#[utoipa::path(tag = "chargers", params(("id" = String, Path, description = "charge point id")),
    request_body = PasswordBody,
    responses((status = 204), (status = 404), (status = 422)), security(("bearer" = ["admin"])))]
#[put("/chargers/{id}/password")]
pub async fn set_password(
    admin: Admin,
    services: web::Data<Services>,
    path: web::Path<String>,
    body: Body<PasswordBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let PasswordBody { password } = body.into_inner();
    check_password(&password)?;
    store_password(&admin.0, &services, &id, Some(hash_key(&password))).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Clear the charger's Basic-auth password (admin): it may then connect without one.
#[utoipa::path(tag = "chargers", params(("id" = String, Path, description = "charge point id")),
    responses((status = 204), (status = 404)), security(("bearer" = ["admin"])))]
#[delete("/chargers/{id}/password")]
pub async fn clear_password(
    admin: Admin,
    services: web::Data<Services>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    store_password(&admin.0, &services, &id, None).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_checked_with_their_names() {
        let f = |status: &str, online: &str| {
            ChargerFilter {
                status: Some(status.into()),
                online: Some(online.into()),
                vendor: None,
                model: None,
                q: None,
            }
            .check()
        };
        assert!(f("Charging", "true").is_ok());
        assert!(f("charging", "true")
            .unwrap_err()
            .to_string()
            .starts_with("status:"));
        assert!(f("Charging", "1")
            .unwrap_err()
            .to_string()
            .starts_with("online:"));
        assert!(check_password(&"a".repeat(16)).is_ok());
        assert!(check_password(&"a".repeat(15)).is_err());
        assert!(check_password(&"a".repeat(41)).is_err());
    }
}
