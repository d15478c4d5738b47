//! One charger: identity, connection, connectors with live status and their current sessions
//! (with a power and energy chart), a form for every central-system operation (from
//! [`operations::OPERATIONS`]) with the charger's answer shown inline, the configuration
//! snapshot editable in place, the message-log tail, status history, reservations and the
//! charging profiles installed.

use super::transactions::{session_charts, session_samples};
use crate::api::auth::Role;
use crate::api::commands::sessions;
use crate::api::resources::chargers::{self as api, Charger};
use crate::dashboard::chart::LineChart;
use crate::dashboard::error::PageError;
use crate::dashboard::form::Posted;
use crate::dashboard::live::Fleet;
use crate::dashboard::operations::{self, status_of, FormView, OperationError};
use crate::dashboard::session::Person;
use crate::dashboard::view::{self, Frame, Nav, When};
use crate::db::page::PageRequest;
use crate::db::{configuration, message_log, reservations, status_history, transactions};
use crate::db::{DbConn, QueryResult};
use crate::services::Services;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use std::sync::Arc;

/// Rows of the message-log tail and of the status history.
const TAIL: i64 = 25;

#[derive(Serialize)]
struct Identity {
    label: &'static str,
    value: String,
}

#[derive(Serialize)]
struct ConnectorView {
    key: String,
    connector_id: i32,
    status: String,
    class: &'static str,
    error_code: String,
    info: String,
    since: When,
    session: Option<SessionView>,
    /// The power its session reported last.
    power: String,
}

#[derive(Serialize)]
struct SessionView {
    id: i32,
    href: String,
    id_tag: String,
    started: When,
    energy: String,
}

#[derive(Serialize)]
struct ConfigRow {
    key: String,
    value: String,
    readonly: bool,
    updated: When,
}

#[derive(Serialize)]
struct MessageRow {
    direction: &'static str,
    kind: &'static str,
    action: String,
    payload: String,
    at: When,
}

#[derive(Serialize)]
struct StatusRow {
    connector_id: i32,
    status: String,
    class: &'static str,
    error_code: String,
    at: When,
}

#[derive(Serialize)]
struct ReservationRow {
    id: i32,
    connector_id: i32,
    id_tag: String,
    expiry: When,
    status: String,
}

#[derive(Serialize)]
struct ProfileRow {
    connector_id: i32,
    id: i32,
    purpose: String,
    stack_level: i32,
    profile: String,
}

#[derive(Serialize)]
struct FileRow {
    kind: String,
    location: String,
    status: String,
    asked: When,
}

/// Which message-log rows the page shows (`?log_action=&log_direction=`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct LogQuery {
    log_action: Option<String>,
    log_direction: Option<String>,
}

#[derive(Serialize)]
struct ChargerView {
    frame: Frame,
    id: String,
    enc_id: String,
    online: bool,
    registration: String,
    last_seen: Option<When>,
    last_boot: Option<When>,
    identity: Vec<Identity>,
    has_password: bool,
    energy: String,
    connectors: Vec<ConnectorView>,
    charts: Vec<LineChart>,
    operations: Vec<FormView>,
    configuration: Vec<ConfigRow>,
    local_list_version: Option<i64>,
    messages: Vec<MessageRow>,
    statuses: Vec<StatusRow>,
    reservations: Vec<ReservationRow>,
    profiles: Vec<ProfileRow>,
    files: Vec<FileRow>,
    log_action: String,
    log_direction: String,
}

fn identity(c: &Charger) -> Vec<Identity> {
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    vec![
        Identity {
            label: "Vendor",
            value: text(&c.vendor),
        },
        Identity {
            label: "Model",
            value: text(&c.model),
        },
        Identity {
            label: "Firmware",
            value: text(&c.firmware_version),
        },
        Identity {
            label: "Charge point serial",
            value: text(&c.charge_point_serial),
        },
        Identity {
            label: "Charge box serial",
            value: text(&c.charge_box_serial),
        },
        Identity {
            label: "Meter",
            value: format!(
                "{} {}",
                text(&c.meter_type),
                c.meter_serial.clone().unwrap_or_default()
            ),
        },
        Identity {
            label: "ICCID / IMSI",
            value: format!("{} / {}", text(&c.iccid), text(&c.imsi)),
        },
        Identity {
            label: "Firmware status",
            value: text(&c.firmware_status),
        },
        Identity {
            label: "Diagnostics status",
            value: text(&c.diagnostics_status),
        },
        Identity {
            label: "Heartbeat interval",
            value: format!("{} s", c.settings.heartbeat_interval_secs),
        },
        Identity {
            label: "Next boot is answered",
            value: c.settings.registration_status.clone(),
        },
    ]
}

/// Everything the page shows besides the charger itself, read in one go.
struct Stored {
    active: Vec<transactions::Transaction>,
    charts: Vec<LineChart>,
    configuration: (Vec<configuration::StoredKey>, Option<i64>),
    messages: Vec<message_log::Message>,
    statuses: Vec<status_history::StatusChange>,
    reservations: Vec<reservations::Reservation>,
    profiles: Vec<crate::db::charging_profiles::Installed>,
    files: Vec<FileRow>,
}

async fn stored(services: &Services, id: &str, log: &LogQuery) -> Result<Stored, PageError> {
    let id = id.to_owned();
    let log_filter = message_log::Filter {
        action: log.log_action.clone().filter(|a| !a.trim().is_empty()),
        direction: log
            .log_direction
            .as_deref()
            .and_then(message_log::Direction::parse),
        ..Default::default()
    };
    let tail = PageRequest {
        limit: TAIL,
        offset: 0,
    };
    let now = chrono::Utc::now().naive_utc();
    let stored = crate::db::read(&services.pool, move |c| {
        let active = transactions::page(
            c,
            &transactions::Filter {
                charge_point_id: Some(id.clone()),
                state: Some(transactions::State::Active),
                ..Default::default()
            },
            transactions::DEFAULT_SORT,
            PageRequest {
                limit: 20,
                offset: 0,
            },
        )?
        .items;
        let samples = match active.first() {
            Some(t) => session_samples(c, t.id)?,
            None => Vec::new(),
        };
        QueryResult::Ok(Stored {
            charts: session_charts(&samples),
            active,
            configuration: configuration::snapshot(c, &id)?,
            messages: message_log::page(c, &id, &log_filter, message_log::DEFAULT_SORT, tail)?
                .items,
            statuses: status_history::page(
                c,
                &id,
                &Default::default(),
                status_history::DEFAULT_SORT,
                tail,
            )?
            .items,
            reservations: reservations::page(
                c,
                &reservations::Filter {
                    charge_point_id: Some(id.clone()),
                    ..Default::default()
                },
                tail,
                now,
            )?
            .items,
            profiles: crate::db::charging_profiles::installed_on(c, &id)?,
            files: files(c, &id)?,
        })
    })
    .await?;
    Ok(stored)
}

/// Firmware, diagnostics and log requests, newest first.
fn files(c: &mut DbConn, id: &str) -> QueryResult<Vec<FileRow>> {
    use crate::db::file_requests::{recent_diagnostics, recent_firmware};
    let mut rows: Vec<FileRow> = recent_firmware(c, id, 10)?
        .into_iter()
        .map(|f| FileRow {
            kind: f.kind,
            location: f.location,
            status: f.status.unwrap_or_default(),
            asked: When::of(f.created_at),
        })
        .chain(recent_diagnostics(c, id, 10)?.into_iter().map(|d| FileRow {
            kind: d.kind,
            location: d.location,
            status: d.status.unwrap_or_default(),
            asked: When::of(d.created_at),
        }))
        .collect();
    rows.sort_by(|a, b| b.asked.iso.cmp(&a.asked.iso));
    Ok(rows)
}

async fn render(
    person: &Person,
    services: &Services,
    fleet: &Fleet,
    id: String,
    sent: Option<FormView>,
    log: &LogQuery,
) -> Result<HttpResponse, PageError> {
    let charger = api::load(services, id.clone()).await?;
    let s = stored(services, &id, log).await?;
    let session_of = |connector_id: i32| {
        s.active
            .iter()
            .find(|t| t.connector_id == connector_id)
            .map(|t| SessionView {
                id: t.id,
                href: format!("/transactions/{}", t.id),
                id_tag: t.id_tag.clone(),
                started: When::of(t.start_time),
                energy: t.energy_wh().map_or_else(|| "—".into(), view::kwh),
            })
    };
    let connectors = charger
        .connectors
        .iter()
        .map(|k| ConnectorView {
            key: format!("{}/{}", charger.id, k.connector_id),
            connector_id: k.connector_id,
            class: view::status_class(&k.status),
            status: k.status.clone(),
            error_code: k.error_code.clone(),
            info: k.info.clone().unwrap_or_default(),
            since: When::of(k.status_at.naive()),
            session: session_of(k.connector_id),
            power: u32::try_from(k.connector_id)
                .ok()
                .and_then(|n| fleet.power_of(&charger.id, n))
                .map(view::kw)
                .unwrap_or_default(),
        })
        .collect();
    let mut forms: Vec<FormView> = operations::OPERATIONS.iter().map(FormView::of).collect();
    if let Some(sent) = sent {
        if let Some(f) = forms.iter_mut().find(|f| f.slug == sent.slug) {
            *f = sent;
        }
    }
    let (keys, local_list_version) = s.configuration;
    let mut frame = person.frame(
        format!("Charger {}", charger.id),
        Nav::Chargers,
        format!("charger:{}", charger.id),
    );
    frame.canonical = Some(format!("/chargers/{}", view::url_encode(&charger.id)));
    let view = ChargerView {
        frame,
        enc_id: view::url_encode(&charger.id),
        online: charger.online,
        registration: charger
            .registration_status
            .clone()
            .unwrap_or_else(|| "never booted".into()),
        last_seen: charger.last_seen.map(|t| When::of(t.naive())),
        last_boot: charger.last_boot_at.map(|t| When::of(t.naive())),
        identity: identity(&charger),
        has_password: charger.has_password,
        energy: view::kwh(charger.energy_wh),
        connectors,
        charts: s.charts,
        operations: forms,
        configuration: keys
            .into_iter()
            .map(|k| ConfigRow {
                key: k.key.key,
                value: k.key.value.unwrap_or_default(),
                readonly: k.key.readonly,
                updated: When::of(k.updated_at),
            })
            .collect(),
        local_list_version,
        messages: s
            .messages
            .into_iter()
            .map(|m| MessageRow {
                direction: m.direction.as_str(),
                kind: match m.message_type {
                    2 => "CALL",
                    3 => "RESULT",
                    4 => "ERROR",
                    _ => "unreadable",
                },
                action: m.action.unwrap_or_default(),
                payload: m.payload,
                at: When::of(m.logged_at),
            })
            .collect(),
        statuses: s
            .statuses
            .into_iter()
            .map(|h| StatusRow {
                connector_id: h.connector_id,
                class: view::status_class(h.status.as_str()),
                status: h.status.as_str().to_owned(),
                error_code: h.error_code.as_str().to_owned(),
                at: When::of(h.received_at),
            })
            .collect(),
        reservations: s
            .reservations
            .into_iter()
            .map(|r| ReservationRow {
                id: r.id,
                connector_id: r.connector_id,
                id_tag: r.id_tag,
                expiry: When::of(r.expiry_date),
                status: r.status,
            })
            .collect(),
        profiles: s
            .profiles
            .into_iter()
            .map(|p| ProfileRow {
                connector_id: p.connector_id,
                id: p.charging_profile_id,
                purpose: p.purpose,
                stack_level: p.stack_level,
                profile: p.profile,
            })
            .collect(),
        files: s.files,
        log_action: log.log_action.clone().unwrap_or_default(),
        log_direction: log.log_direction.clone().unwrap_or_default(),
        id: charger.id,
    };
    view::page("charger", &view, person)
}

/// `GET /chargers/{id}`.
pub async fn page(
    person: Person,
    services: web::Data<Services>,
    fleet: web::Data<Arc<Fleet>>,
    id: web::Path<String>,
    log: web::Query<LogQuery>,
) -> Result<HttpResponse, PageError> {
    render(&person, &services, &fleet, id.into_inner(), None, &log).await
}

/// `POST /chargers/{id}/operations/{operation}`: sends the operation built from the form
/// (operator) and shows the page again with the charger's answer, or what went wrong, under
/// the form; a bad field keeps what was typed and is marked.
pub async fn operate(
    person: Person,
    services: web::Data<Services>,
    fleet: web::Data<Arc<Fleet>>,
    path: web::Path<(String, String)>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    form.check(&person)?;
    person.require(Role::Operator)?;
    let (id, slug) = path.into_inner();
    let operation = operations::find(&slug)
        .ok_or_else(|| PageError::NotFound(format!("no operation {slug:?}")))?;
    let outcome = operations::run(&services, &person.caller, &id, operation, |name| {
        form.raw(name)
    })
    .await;
    let mut sent = FormView::of(operation);
    sent.open = true;
    for f in &mut sent.fields {
        f.value = form.raw(f.name).unwrap_or_default().to_owned();
    }
    match outcome {
        Ok(answer) => {
            sent.answer = Some(serde_json::to_string_pretty(&answer).unwrap_or_default());
        }
        Err(OperationError::Field(e)) => {
            if let Some(f) = sent.fields.iter_mut().find(|f| f.name == e.field) {
                f.error = Some(e.reason.clone());
            }
            sent.error = Some(format!("{}: {}", e.field, e.reason));
        }
        Err(OperationError::Api(e)) => {
            // A 422 names the field first ("connectorId: …").
            if let Some((name, _)) = e.to_string().split_once(':') {
                if let Some(f) = sent.fields.iter_mut().find(|f| f.name == name) {
                    f.error = Some(e.to_string());
                }
            }
            use actix_web::ResponseError;
            sent.error = Some(format!(
                "{} — {e}",
                e.status_code().canonical_reason().unwrap_or("error")
            ));
        }
    }
    render(
        &person,
        &services,
        &fleet,
        id,
        Some(sent),
        &LogQuery::default(),
    )
    .await
}

/// `POST /chargers/{id}/password`: set (or with `clear`, remove) the charger's Basic-auth
/// password (admin).
pub async fn password(
    person: Person,
    services: web::Data<Services>,
    id: web::Path<String>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    form.check(&person)?;
    person.require(Role::Admin)?;
    let id = id.into_inner();
    let back = format!("/chargers/{}", view::url_encode(&id));
    let password = if form.get("clear").is_some() {
        None
    } else {
        form.raw("password")
    };
    let notice = match api::set_charger_password(&services, &person.caller, &id, password).await {
        Ok(()) if password.is_some() => {
            "Password set: the charger must present it from its next connection.".to_owned()
        }
        Ok(()) => "Password cleared.".to_owned(),
        Err(e) => format!("Password not changed: {e}"),
    };
    Ok(view::redirect(&back, &notice))
}

/// `POST /chargers/{id}/sessions/{transaction}/{action}`: suspend, resume or finish a session
/// (operator), as the API's session conveniences do.
pub async fn session(
    person: Person,
    services: web::Data<Services>,
    path: web::Path<(String, i32, String)>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    form.check(&person)?;
    person.require(Role::Operator)?;
    let (id, tx, action) = path.into_inner();
    let caller = &person.caller;
    let outcome = match action.as_str() {
        "suspend" => sessions::suspend(&services, caller, &id, tx)
            .await
            .map(|a| status_of(&a)),
        "resume" => sessions::resume(&services, caller, &id, tx)
            .await
            .map(|a| status_of(&a)),
        "finish" => sessions::finish(&services, caller, &id, tx)
            .await
            .map(|a| status_of(&a)),
        other => return Err(PageError::NotFound(format!("no session action {other:?}"))),
    };
    let notice = match outcome {
        Ok(status) => format!("Transaction {tx}: {action} — the charger answered {status}."),
        Err(e) => format!("Transaction {tx}: {action} not done — {e}"),
    };
    Ok(view::redirect(
        &format!("/chargers/{}", view::url_encode(&id)),
        &notice,
    ))
}

/// `POST /chargers/{id}/max-power`: a maximum power or current for the charger (connector 0)
/// or one connector (operator).
pub async fn max_power(
    person: Person,
    services: web::Data<Services>,
    id: web::Path<String>,
    form: Posted,
) -> Result<HttpResponse, PageError> {
    form.check(&person)?;
    person.require(Role::Operator)?;
    let id = id.into_inner();
    let back = format!("/chargers/{}", view::url_encode(&id));
    let limit = match form.get("limit").map(str::parse::<f64>) {
        Some(Ok(l)) => l,
        _ => {
            return Ok(view::redirect(
                &back,
                "Nothing sent: limit: a number, e.g. 11000 (W) or 16 (A)",
            ))
        }
    };
    let connector_id = match form.get("connectorId").map(str::parse::<u32>) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            return Ok(view::redirect(
                &back,
                "Nothing sent: connectorId: a whole number",
            ))
        }
    };
    let max = sessions::MaxPower {
        limit,
        unit: form.get("unit").unwrap_or("W").to_owned(),
        connector_id,
    };
    let notice = match sessions::limit_power(&services, &person.caller, &id, max).await {
        Ok(a) => format!(
            "Maximum set with SetChargingProfile — the charger answered {}.",
            status_of(&a)
        ),
        Err(e) => format!("Maximum not set — {e}"),
    };
    Ok(view::redirect(&back, &notice))
}
