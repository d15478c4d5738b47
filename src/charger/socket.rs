//! The WebSocket handshake at `<prefix>/{chargePointId}`: id, capacity, known charger,
//! Basic auth (security profile 1), subprotocol; then the socket is handed to a [`ChargerActor`].

use super::actor::{ChargerActor, Outgoing};
use super::auth;
use crate::config::UnknownChargers;
use crate::db::jobs::{ChargerSnapshot, Job, Outcome};
use crate::db::schema::charge_points;
use crate::db::writer::Write;
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix::{Actor, AsyncContext};
use actix_web::{http::header, web, HttpRequest, HttpResponse};
use actix_ws::{CloseCode, CloseReason};
use diesel::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// The only subprotocol served.
pub const SUBPROTOCOL: &str = "ocpp1.6";
/// Longest chargePointId (the security extension's identity string).
pub const MAX_ID_LEN: usize = 48;

static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

/// `GET <prefix>/{id}` with a WebSocket upgrade.
pub async fn connect(
    req: HttpRequest,
    body: web::Payload,
    path: web::Path<String>,
    services: web::Data<Services>,
) -> HttpResponse {
    let id = path.into_inner();
    if let Err(why) = validate_id(&id) {
        return refuse(
            HttpResponse::BadRequest(),
            &format!("invalid charge point id: {why}"),
        );
    }
    let Some(permit) = services.connections.acquire() else {
        log::warn!(
            "charger {id}: refused, {} charger connections open (server.max_chargers)",
            services.connections.max()
        );
        return refuse(
            HttpResponse::ServiceUnavailable(),
            "charger connection limit reached; retry later",
        );
    };

    // Without the OCPP subprotocol the connection is only opened to be closed (OCPP-J): leave
    // the store alone.
    let snapshot = if offers_subprotocol(&req) {
        match admit(&req, &id, &services).await {
            Ok(snapshot) => snapshot,
            Err(refusal) => return refusal,
        }
    } else {
        ChargerSnapshot::default()
    };

    let (response, mut session, stream) =
        match actix_ws::handle_with_protocols(&req, body, &[SUBPROTOCOL]) {
            Ok(parts) => parts,
            Err(e) => return HttpResponse::from_error(e),
        };
    let agreed = response
        .headers()
        .contains_key(header::SEC_WEBSOCKET_PROTOCOL);
    let refuse_reason = (!agreed).then(|| CloseReason {
        code: CloseCode::Protocol,
        description: Some(format!("subprotocol {SUBPROTOCOL} required")),
    });

    let max = services.config.ocpp.max_frame_bytes;
    let stream = stream
        .max_frame_size(max)
        .aggregate_continuations()
        .max_continuation_size(max);
    let (out, mut outgoing) = mpsc::unbounded_channel::<Outgoing>();
    actix_web::rt::spawn(async move {
        while let Some(message) = outgoing.recv().await {
            let sent = match message {
                Outgoing::Text(text) => session.text(text).await,
                Outgoing::Ping => session.ping(b"").await,
                Outgoing::Pong(bytes) => session.pong(&bytes).await,
                Outgoing::Close(reason) => {
                    let _ = session.close(reason).await;
                    return;
                }
            };
            if sent.is_err() {
                return;
            }
        }
        let _ = session.close(None).await;
    });

    let conn_id = NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed);
    let services = services.get_ref().clone();
    let id: Arc<str> = id.into();
    ChargerActor::create(move |ctx| {
        ctx.add_stream(stream);
        ChargerActor::new(id, conn_id, services, out, &snapshot, refuse_reason, permit)
    });
    response
}

/// Checks a charge point id: 1 to `MAX_ID_LEN` characters, no control characters.
pub fn validate_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("empty".into());
    }
    if id.chars().count() > MAX_ID_LEN {
        return Err(format!("longer than {MAX_ID_LEN} characters"));
    }
    if id.chars().any(|c| c.is_control()) {
        return Err("contains control characters".into());
    }
    Ok(())
}

fn refuse(mut builder: actix_web::HttpResponseBuilder, why: &str) -> HttpResponse {
    builder.json(serde_json::json!({ "error": why }))
}

/// Whether the client offers the OCPP 1.6 subprotocol.
fn offers_subprotocol(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == SUBPROTOCOL)
}

/// Finds (or, by policy, registers) the charger, checks its credentials, loads its state.
async fn admit(
    req: &HttpRequest,
    id: &str,
    services: &Services,
) -> Result<ChargerSnapshot, HttpResponse> {
    let id = id.to_owned();
    let lookup_id = id.clone();
    let known = crate::db::read(&services.pool, move |c| {
        charge_points::table
            .find(lookup_id)
            .select(charge_points::password_hash)
            .first::<Option<String>>(c)
            .optional()
    })
    .await;
    let known = match known {
        Ok(known) => known,
        Err(e) => {
            log::error!("charger {id}: handshake lookup failed: {e}");
            return Err(refuse(
                HttpResponse::ServiceUnavailable(),
                "database unavailable",
            ));
        }
    };
    let unknown_policy = services.config.ocpp.unknown_chargers;
    match &known {
        None if unknown_policy == UnknownChargers::Reject => {
            log::warn!(
                "charger {id}: unknown charge point refused (ocpp.unknown_chargers = reject)"
            );
            return Err(refuse(HttpResponse::NotFound(), "unknown charge point"));
        }
        Some(Some(hash)) => {
            let given = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            if !auth::basic_matches(given, &id, hash) {
                log::warn!("charger {id}: wrong or missing Basic auth credentials");
                return Err(HttpResponse::Unauthorized()
                    .insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"OCPP\""))
                    .json(serde_json::json!({"error": "charge point credentials required"})));
            }
        }
        _ => {}
    }

    let admitted = services
        .writer
        .send(Write(Job::Admit {
            charge_point_id: id.clone(),
            create: true,
            at: Timestamp::now().naive(),
        }))
        .await;
    let snapshot = match admitted {
        Ok(Ok(Outcome::Admitted(Some(snapshot)))) => snapshot,
        other => {
            log::error!("charger {id}: could not admit: {other:?}");
            return Err(refuse(
                HttpResponse::ServiceUnavailable(),
                "database unavailable",
            ));
        }
    };

    Ok(snapshot)
}

#[cfg(test)]
mod tests {
    use super::validate_id;

    #[test]
    fn ids_are_checked() {
        assert!(validate_id("CP-001").is_ok());
        assert!(validate_id(&"x".repeat(48)).is_ok());
        assert!(validate_id(&"x".repeat(49)).is_err());
        assert!(validate_id("").is_err());
        assert!(validate_id("a\nb").is_err());
    }
}
