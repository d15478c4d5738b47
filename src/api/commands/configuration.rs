//! What a charger reports of its settings: the last GetConfiguration answer (kept current by
//! accepted ChangeConfiguration) and its local authorization list version; and
//! ChangeConfiguration for many chargers at once.

use super::learn::{Learn, Lesson};
use super::send::{known, now, parse_request, send};
use crate::api::auth::{Operator, Viewer};
use crate::api::body::Body;
use crate::api::error::ApiError;
use crate::db::configuration::{self as store, Key};
use crate::ocpp::types::Timestamp;
use crate::ocpp::v16::change_configuration::{
    ChangeConfigurationRequest, ChangeConfigurationResponse, ConfigurationStatus,
};
use crate::ocpp::v16::get_configuration::{GetConfigurationRequest, GetConfigurationResponse};
use crate::ocpp::v16::get_local_list_version::{
    GetLocalListVersionRequest, GetLocalListVersionResponse,
};
use crate::ocpp::v16::secrets;
use crate::ocpp::v16::send_local_list::{
    SendLocalListRequest, SendLocalListResponse, UpdateStatus,
};
use crate::services::Services;
use crate::supervisor::Connected;
use actix_web::{get, post, web};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(configuration_snapshot)
        .service(change_configuration_many);
}

/// The answer replaces the snapshot when all keys were asked for, else updates the keys it
/// names. Unknown keys are not stored.
impl Learn for GetConfigurationRequest {
    fn lesson(cp: &str, request: &Self, answer: &GetConfigurationResponse) -> Option<Lesson> {
        let (cp, replace) = (
            cp.to_owned(),
            request.key.as_ref().is_none_or(Vec::is_empty),
        );
        let keys: Vec<_> = answer
            .configuration_key
            .iter()
            .flatten()
            .map(|kv| Key {
                key: kv.key.as_str().to_owned(),
                value: kv
                    .value
                    .as_ref()
                    .map(|v| stored_value(kv.key.as_str(), v.as_str())),
                readonly: kv.readonly,
            })
            .collect();
        Some(Box::new(move |c| {
            store::store_keys(c, &cp, &keys, replace, now())
        }))
    }
}

/// An accepted change (or one that needs a reboot) is the key's value from now on.
impl Learn for ChangeConfigurationRequest {
    fn lesson(cp: &str, request: &Self, answer: &ChangeConfigurationResponse) -> Option<Lesson> {
        if !matches!(
            answer.status,
            ConfigurationStatus::Accepted | ConfigurationStatus::RebootRequired
        ) {
            return None;
        }
        let cp = cp.to_owned();
        let (name, value) = (request.key.as_str(), request.value.as_str());
        let key = Key {
            key: name.to_owned(),
            value: Some(stored_value(name, value)),
            readonly: false,
        };
        // The interval the server hands out at boot follows what the charger accepted.
        let heartbeat = heartbeat_interval(name, value);
        // A new AuthorizationKey is the charger's Basic-auth password from now on.
        let password_hash = secrets::is_secret(name).then(|| crate::charger::auth::hash_key(value));
        Some(Box::new(move |c| {
            store::store_keys(c, &cp, std::slice::from_ref(&key), false, now())?;
            if let Some(secs) = heartbeat {
                store::store_heartbeat_interval(c, &cp, secs)?;
            }
            if let Some(hash) = &password_hash {
                crate::db::chargers::set_password_hash(c, &cp, Some(hash), None)?;
            }
            Ok(())
        }))
    }
}

/// A key's value as the snapshot keeps it: secrets as [`secrets::REDACTED`].
fn stored_value(key: &str, value: &str) -> String {
    if secrets::is_secret(key) {
        secrets::REDACTED.to_owned()
    } else {
        value.to_owned()
    }
}

/// The heartbeat interval a ChangeConfiguration sets, if it sets one (a positive number of
/// seconds for the key HeartbeatInterval, in any case).
fn heartbeat_interval(key: &str, value: &str) -> Option<i32> {
    if !key.eq_ignore_ascii_case("HeartbeatInterval") {
        return None;
    }
    value.trim().parse::<i32>().ok().filter(|s| *s > 0)
}

impl Learn for GetLocalListVersionRequest {
    fn lesson(cp: &str, _: &Self, answer: &GetLocalListVersionResponse) -> Option<Lesson> {
        let (cp, version) = (cp.to_owned(), answer.list_version);
        Some(Box::new(move |c| {
            store::store_list_version(c, &cp, version, now())
        }))
    }
}

impl Learn for SendLocalListRequest {
    fn lesson(cp: &str, request: &Self, answer: &SendLocalListResponse) -> Option<Lesson> {
        if answer.status != UpdateStatus::Accepted {
            return None;
        }
        let (cp, version) = (cp.to_owned(), i64::from(request.list_version));
        Some(Box::new(move |c| {
            store::store_list_version(c, &cp, version, now())
        }))
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationKey {
    pub key: String,
    /// Absent when the key is known but has no value.
    pub value: Option<String>,
    pub readonly: bool,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationSnapshot {
    pub charge_point_id: String,
    /// From the last GetConfiguration answer, kept current by accepted ChangeConfiguration;
    /// empty until the charger has been asked.
    pub keys: Vec<ConfigurationKey>,
    /// From the last GetLocalListVersion answer or accepted SendLocalList (0: no list, -1:
    /// not supported); null until known.
    pub local_list_version: Option<i64>,
}

/// A charger's configuration as last reported, and its local list version.
#[utoipa::path(tag = "commands", responses((status = 200, body = ConfigurationSnapshot), (status = 404)),
    security(("bearer" = ["viewer"])))]
#[get("/chargers/{id}/configuration")]
pub async fn configuration_snapshot(
    _: Viewer,
    services: web::Data<Services>,
    charger: web::Path<String>,
) -> Result<web::Json<ConfigurationSnapshot>, ApiError> {
    let id = charger.into_inner();
    known(&services, &id).await?;
    let lookup = id.clone();
    let (keys, local_list_version) =
        crate::db::read(&services.pool, move |c| store::snapshot(c, &lookup)).await?;
    let keys = keys
        .into_iter()
        .map(|k| ConfigurationKey {
            key: k.key.key,
            value: k.key.value,
            readonly: k.key.readonly,
            updated_at: Timestamp::from_naive(k.updated_at),
        })
        .collect();
    Ok(web::Json(ConfigurationSnapshot {
        charge_point_id: id,
        keys,
        local_list_version,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeMany {
    pub key: String,
    pub value: String,
    /// The chargers to change; all connected chargers when left out.
    pub chargers: Option<Vec<String>>,
}

/// What one charger answered.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChargerResult {
    pub charge_point_id: String,
    /// The ChangeConfiguration status, when the charger answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub status: Option<ConfigurationStatus>,
    /// Why there is no status (unknown, offline, CALLERROR, timeout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangeManyResults {
    pub results: Vec<ChargerResult>,
}

/// ChangeConfiguration on many chargers at once (all connected ones by default), sent
/// concurrently; one result per charger.
#[utoipa::path(tag = "commands", request_body = ChangeMany,
    responses((status = 200, body = ChangeManyResults), (status = 422)), security(("bearer" = ["operator"])))]
#[post("/commands/change-configuration")]
pub async fn change_configuration_many(
    operator: Operator,
    services: web::Data<Services>,
    body: Body<ChangeMany>,
) -> Result<web::Json<ChangeManyResults>, ApiError> {
    let ChangeMany {
        key,
        value,
        chargers,
    } = body.into_inner();
    let request: ChangeConfigurationRequest = parse_request(&json!({"key": key, "value": value}))?;
    let mut chargers = match chargers {
        Some(ids) => ids,
        None => services
            .supervisor
            .send(Connected)
            .await
            .map_err(|e| ApiError::Internal(format!("supervisor unreachable: {e}")))?,
    };
    chargers.sort();
    chargers.dedup();
    let answers = futures_util::future::join_all(
        chargers
            .iter()
            .map(|id| send(&services, &operator.0, id, request.clone())),
    )
    .await;
    let results = chargers
        .into_iter()
        .zip(answers)
        .map(|(charge_point_id, answer)| match answer {
            Ok(answer) => ChargerResult {
                charge_point_id,
                status: Some(answer.status),
                error: None,
            },
            Err(e) => ChargerResult {
                charge_point_id,
                status: None,
                error: Some(e.to_string()),
            },
        })
        .collect();
    Ok(web::Json(ChangeManyResults { results }))
}
