//! Files a charger fetches or uploads on request: firmware (UpdateFirmware,
//! SignedUpdateFirmware) and diagnostics or logs (GetDiagnostics, GetLog). Each accepted
//! request is recorded with what the answer says; the charger's progress notifications
//! (stored in `charger_events` by the charger actor) are attached when listed: by `requestId`
//! for the security extension's requests, else those received after the request and before
//! the next one of the same kind.

use super::learn::{Learn, Lesson};
use super::send::{known, now};
use crate::api::auth::Viewer;
use crate::api::error::ApiError;
use crate::db::file_requests::{self as store, EventRow};
use crate::ocpp::types::Timestamp;
use crate::ocpp::v16::get_diagnostics::{GetDiagnosticsRequest, GetDiagnosticsResponse};
use crate::ocpp::v16::get_log::{GetLogRequest, GetLogResponse};
use crate::ocpp::v16::signed_update_firmware::{
    SignedUpdateFirmwareRequest, SignedUpdateFirmwareResponse,
};
use crate::ocpp::v16::update_firmware::{UpdateFirmwareRequest, UpdateFirmwareResponse};
use crate::ocpp::v16::Request;
use crate::services::Services;
use actix_web::{get, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(firmware_requests_of)
        .service(diagnostics_requests_of);
}

fn text<T: Serialize>(value: &T) -> String {
    crate::db::jobs::spelling(value)
}

impl Learn for UpdateFirmwareRequest {
    fn lesson(cp: &str, request: &Self, _: &UpdateFirmwareResponse) -> Option<Lesson> {
        let cp = cp.to_owned();
        let record = store::FirmwareRequest {
            id: 0,
            kind: UpdateFirmwareRequest::ACTION.into(),
            location: request.location.clone(),
            retrieve_date: request.retrieve_date.naive(),
            request_id: None,
            status: None,
            created_at: now(),
        };
        Some(Box::new(move |c| store::record_firmware(c, &cp, &record)))
    }
}

impl Learn for SignedUpdateFirmwareRequest {
    fn lesson(cp: &str, request: &Self, answer: &SignedUpdateFirmwareResponse) -> Option<Lesson> {
        let cp = cp.to_owned();
        let firmware = &request.firmware;
        let record = store::FirmwareRequest {
            id: 0,
            kind: SignedUpdateFirmwareRequest::ACTION.into(),
            location: firmware.location.as_str().to_owned(),
            retrieve_date: firmware.retrieve_date_time.naive(),
            request_id: Some(request.request_id),
            status: Some(text(&answer.status)),
            created_at: now(),
        };
        Some(Box::new(move |c| store::record_firmware(c, &cp, &record)))
    }
}

impl Learn for GetDiagnosticsRequest {
    fn lesson(cp: &str, request: &Self, answer: &GetDiagnosticsResponse) -> Option<Lesson> {
        let cp = cp.to_owned();
        let record = store::DiagnosticsRequest {
            id: 0,
            kind: GetDiagnosticsRequest::ACTION.into(),
            log_type: None,
            location: request.location.clone(),
            start_time: request.start_time.map(|t| t.naive()),
            stop_time: request.stop_time.map(|t| t.naive()),
            request_id: None,
            status: None,
            file_name: answer.file_name.as_ref().map(|f| f.as_str().to_owned()),
            created_at: now(),
        };
        Some(Box::new(move |c| {
            store::record_diagnostics(c, &cp, &record)
        }))
    }
}

impl Learn for GetLogRequest {
    fn lesson(cp: &str, request: &Self, answer: &GetLogResponse) -> Option<Lesson> {
        let cp = cp.to_owned();
        let log = &request.log;
        let record = store::DiagnosticsRequest {
            id: 0,
            kind: GetLogRequest::ACTION.into(),
            log_type: Some(text(&request.log_type)),
            location: log.remote_location.as_str().to_owned(),
            start_time: log.oldest_timestamp.map(|t| t.naive()),
            stop_time: log.latest_timestamp.map(|t| t.naive()),
            request_id: Some(request.request_id),
            status: Some(text(&answer.status)),
            file_name: answer.filename.as_ref().map(|f| f.as_str().to_owned()),
            created_at: now(),
        };
        Some(Box::new(move |c| {
            store::record_diagnostics(c, &cp, &record)
        }))
    }
}

/// The latest progress notification of a request.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// The notification's action, e.g. FirmwareStatusNotification.
    pub kind: String,
    /// Its status, e.g. `Downloading`, `Installed`, `Uploaded`.
    pub status: String,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
}

/// Which notifications report on which requests.
struct Family {
    /// A request without requestId and the notification that reports on it.
    plain: (&'static str, &'static str),
    /// A request with requestId and the notification that carries it.
    tagged: (&'static str, &'static str),
}

impl Family {
    /// The notifications that report on this family's requests.
    fn notifications(&self) -> [&'static str; 2] {
        [self.plain.1, self.tagged.1]
    }
}

const FIRMWARE: Family = Family {
    plain: ("UpdateFirmware", "FirmwareStatusNotification"),
    tagged: ("SignedUpdateFirmware", "SignedFirmwareStatusNotification"),
};

const DIAGNOSTICS: Family = Family {
    plain: ("GetDiagnostics", "DiagnosticsStatusNotification"),
    tagged: ("GetLog", "LogStatusNotification"),
};

/// What [`attach`] needs of a request.
struct Requested<'a> {
    kind: &'a str,
    request_id: Option<i32>,
    created_at: NaiveDateTime,
}

/// The latest notification of each request; `requests` newest first and complete from the
/// newest on (so the request after each one is in the list).
fn attach(
    family: &Family,
    requests: &[Requested<'_>],
    events: &[EventRow],
) -> Vec<Option<Progress>> {
    let mut newer_plain: Option<NaiveDateTime> = None;
    let mut out = Vec::with_capacity(requests.len());
    for request in requests {
        let fits = |(kind, _, request_id, at): &&EventRow| {
            if request.kind == family.tagged.0 {
                kind == family.tagged.1 && *request_id == request.request_id
            } else {
                kind == family.plain.1
                    && *at >= request.created_at
                    && newer_plain.is_none_or(|next| *at < next)
            }
        };
        let latest = events.iter().filter(fits).max_by_key(|(_, _, _, at)| *at);
        out.push(latest.map(|(kind, status, _, at)| Progress {
            kind: kind.clone(),
            status: status.clone(),
            received_at: Timestamp::from_naive(*at),
        }));
        if request.kind == family.plain.0 {
            newer_plain = Some(request.created_at);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Recent {
    /// How many of the most recent requests (1-1000, default 50).
    pub limit: Option<i64>,
}

impl Recent {
    fn resolve(self) -> Result<i64, ApiError> {
        match self.limit.unwrap_or(50) {
            n @ 1..=1000 => Ok(n),
            _ => Err(ApiError::invalid("limit: must be 1 to 1000")),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FirmwareRequest {
    pub id: i32,
    /// UpdateFirmware or SignedUpdateFirmware.
    pub kind: String,
    pub location: String,
    #[schema(value_type = String, format = DateTime)]
    pub retrieve_date: Timestamp,
    pub request_id: Option<i32>,
    /// The answer's status (SignedUpdateFirmware); UpdateFirmware's answer has none.
    pub status: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub progress: Option<Progress>,
}

/// A charger's most recent firmware requests, newest first, with their latest progress.
#[utoipa::path(tag = "commands", params(Recent),
    responses((status = 200, body = Vec<FirmwareRequest>), (status = 404)), security(("bearer" = ["viewer"])))]
#[get("/chargers/{id}/firmware-requests")]
pub async fn firmware_requests_of(
    _: Viewer,
    services: web::Data<Services>,
    charger: web::Path<String>,
    recent: web::Query<Recent>,
) -> Result<web::Json<Vec<FirmwareRequest>>, ApiError> {
    let limit = recent.resolve()?;
    let cp = charger.into_inner();
    known(&services, &cp).await?;
    let (rows, events) = crate::db::read(&services.pool, move |c| {
        let rows = store::recent_firmware(c, &cp, limit)?;
        let since = rows.last().map(|r| r.created_at);
        Ok((
            rows,
            store::events_since(c, &cp, FIRMWARE.notifications(), since)?,
        ))
    })
    .await?;
    let keys: Vec<_> = rows
        .iter()
        .map(|r| Requested {
            kind: &r.kind,
            request_id: r.request_id,
            created_at: r.created_at,
        })
        .collect();
    let progress = attach(&FIRMWARE, &keys, &events);
    let list = rows
        .into_iter()
        .zip(progress)
        .map(|(r, progress)| FirmwareRequest {
            id: r.id,
            kind: r.kind,
            location: r.location,
            retrieve_date: Timestamp::from_naive(r.retrieve_date),
            request_id: r.request_id,
            status: r.status,
            created_at: Timestamp::from_naive(r.created_at),
            progress,
        })
        .collect();
    Ok(web::Json(list))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticsRequest {
    pub id: i32,
    /// GetDiagnostics or GetLog.
    pub kind: String,
    /// GetLog's logType.
    pub log_type: Option<String>,
    /// Where the charger uploads to.
    pub location: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start_time: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub stop_time: Option<Timestamp>,
    pub request_id: Option<i32>,
    /// The answer's status (GetLog); GetDiagnostics's answer has none.
    pub status: Option<String>,
    /// The file the charger said it will upload.
    pub file_name: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub progress: Option<Progress>,
}

/// A charger's most recent diagnostics and log requests, newest first, with their latest
/// progress.
#[utoipa::path(tag = "commands", params(Recent),
    responses((status = 200, body = Vec<DiagnosticsRequest>), (status = 404)), security(("bearer" = ["viewer"])))]
#[get("/chargers/{id}/diagnostics-requests")]
pub async fn diagnostics_requests_of(
    _: Viewer,
    services: web::Data<Services>,
    charger: web::Path<String>,
    recent: web::Query<Recent>,
) -> Result<web::Json<Vec<DiagnosticsRequest>>, ApiError> {
    let limit = recent.resolve()?;
    let cp = charger.into_inner();
    known(&services, &cp).await?;
    let (rows, events) = crate::db::read(&services.pool, move |c| {
        let rows = store::recent_diagnostics(c, &cp, limit)?;
        let since = rows.last().map(|r| r.created_at);
        Ok((
            rows,
            store::events_since(c, &cp, DIAGNOSTICS.notifications(), since)?,
        ))
    })
    .await?;
    let keys: Vec<_> = rows
        .iter()
        .map(|r| Requested {
            kind: &r.kind,
            request_id: r.request_id,
            created_at: r.created_at,
        })
        .collect();
    let progress = attach(&DIAGNOSTICS, &keys, &events);
    let list = rows
        .into_iter()
        .zip(progress)
        .map(|(r, progress)| DiagnosticsRequest {
            id: r.id,
            kind: r.kind,
            log_type: r.log_type,
            location: r.location,
            start_time: r.start_time.map(Timestamp::from_naive),
            stop_time: r.stop_time.map(Timestamp::from_naive),
            request_id: r.request_id,
            status: r.status,
            file_name: r.file_name,
            created_at: Timestamp::from_naive(r.created_at),
            progress,
        })
        .collect();
    Ok(web::Json(list))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(12, minute, 0))
            .unwrap()
    }

    fn event(kind: &str, status: &str, request_id: Option<i32>, minute: u32) -> EventRow {
        (kind.into(), status.into(), request_id, at(minute))
    }

    #[test]
    fn notifications_go_to_the_request_they_report_on() {
        let requests = [
            Requested {
                kind: "UpdateFirmware",
                request_id: None,
                created_at: at(30),
            },
            Requested {
                kind: "SignedUpdateFirmware",
                request_id: Some(7),
                created_at: at(20),
            },
            Requested {
                kind: "UpdateFirmware",
                request_id: None,
                created_at: at(10),
            },
        ];
        let events = [
            event("FirmwareStatusNotification", "Downloading", None, 11),
            event("FirmwareStatusNotification", "Installed", None, 15),
            event(
                "SignedFirmwareStatusNotification",
                "Downloaded",
                Some(7),
                25,
            ),
            event(
                "SignedFirmwareStatusNotification",
                "Downloaded",
                Some(8),
                26,
            ),
            event("FirmwareStatusNotification", "Downloading", None, 31),
        ];
        let status: Vec<_> = attach(&FIRMWARE, &requests, &events)
            .into_iter()
            .map(|p| p.map(|p| (p.status, p.received_at.naive())))
            .collect();
        assert_eq!(
            status,
            [
                Some(("Downloading".to_owned(), at(31))),
                Some(("Downloaded".to_owned(), at(25))),
                Some(("Installed".to_owned(), at(15))),
            ]
        );
    }
}
