//! The WebSocket handshake at `<prefix>/{chargePointId}`: id, capacity, known charger,
//! Basic auth (security profile 1), subprotocol; then the socket is handed to a [`ChargerActor`].

use super::actor::{ChargerActor, Close, Outgoing, ReadPermit};
use super::auth;
use super::frame_limit::FrameLimit;
use crate::config::UnknownChargers;
use crate::db::jobs::{ChargerSnapshot, Job, Outcome};
use crate::db::writer::Write;
use crate::ocpp::types::Timestamp;
use crate::services::Services;
use actix::{Actor, Addr, AsyncContext};
use actix_web::error::PayloadError;
use actix_web::{http::header, web, FromRequest, HttpRequest, HttpResponse};
use actix_ws::{CloseCode, CloseReason};
use futures_util::StreamExt;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};

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

    let max = services.config.ocpp.max_frame_bytes;
    let limited: Pin<Box<dyn futures_util::Stream<Item = Result<bytes::Bytes, PayloadError>>>> =
        Box::pin(FrameLimit::new(body, max));
    let mut body = actix_web::dev::Payload::Stream { payload: limited };
    let body = match web::Payload::from_request(&req, &mut body).await {
        Ok(body) => body,
        Err(e) => return HttpResponse::from_error(e),
    };
    // A request that is no WebSocket handshake is refused here, before anything is stored.
    let (response, session, stream) =
        match actix_ws::handle_with_protocols(&req, body, &[SUBPROTOCOL]) {
            Ok(parts) => parts,
            Err(e) => return HttpResponse::from_error(e),
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
    let agreed = response
        .headers()
        .contains_key(header::SEC_WEBSOCKET_PROTOCOL);
    let refuse_reason = (!agreed).then(|| CloseReason {
        code: CloseCode::Protocol,
        description: Some(format!("subprotocol {SUBPROTOCOL} required")),
    });

    let stream = stream
        .max_frame_size(max)
        .aggregate_continuations()
        .max_continuation_size(max);
    let ocpp = &services.config.ocpp;
    let read_permits = Arc::new(Semaphore::new(ocpp.max_pipelined_calls));
    let (out, outgoing) = mpsc::channel::<Outgoing>(outgoing_capacity(ocpp.max_pipelined_calls));
    let send_timeout = ocpp.send_timeout();

    let conn_id = NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed);
    let services = services.get_ref().clone();
    let id: Arc<str> = id.into();
    let actor_id = id.clone();
    let actor = ChargerActor::create(move |ctx| {
        ctx.add_stream(gated(stream, read_permits));
        ChargerActor::new(
            actor_id,
            conn_id,
            services,
            out,
            &snapshot,
            refuse_reason,
            permit,
        )
    });
    actix_web::rt::spawn(write_frames(id, session, outgoing, actor, send_timeout));
    response
}

/// Room in a charger's outgoing queue: an answer per pipelined frame, our one CALL in flight,
/// a few pings and the close. Answers cannot overflow it (each holds a read permit until it is
/// written); if pings and CALLs to a charger that reads nothing do, the connection is closed.
fn outgoing_capacity(max_pipelined_calls: usize) -> usize {
    max_pipelined_calls + 8
}

/// The charger's messages, each read only once one of `permits` is free: a charger that
/// sends faster than its answers are written is not read from (TCP pushes back on it).
fn gated<S>(
    stream: S,
    permits: Arc<Semaphore>,
) -> impl futures_util::Stream<Item = (S::Item, ReadPermit)>
where
    S: futures_util::Stream + Unpin,
{
    futures_util::stream::unfold((stream, permits), |(mut stream, permits)| async move {
        let permit = permits.clone().acquire_owned().await.ok()?;
        let item = stream.next().await?;
        Some(((item, permit), (stream, permits)))
    })
}

/// Writes what the actor sends, in order; each written frame gives back its read permit.
/// A frame that cannot be written within `send_timeout` (the charger reads nothing) closes
/// the connection.
async fn write_frames(
    id: Arc<str>,
    mut session: actix_ws::Session,
    mut outgoing: mpsc::Receiver<Outgoing>,
    actor: Addr<ChargerActor>,
    send_timeout: Duration,
) {
    while let Some(message) = outgoing.recv().await {
        let sent = match message {
            Outgoing::Text(text, _permit) => {
                tokio::time::timeout(send_timeout, session.text(text)).await
            }
            Outgoing::Ping => tokio::time::timeout(send_timeout, session.ping(b"")).await,
            Outgoing::Pong(bytes, _permit) => {
                tokio::time::timeout(send_timeout, session.pong(&bytes)).await
            }
            Outgoing::Close(reason) => {
                let _ = tokio::time::timeout(send_timeout, session.close(reason)).await;
                return;
            }
        };
        match sent {
            Ok(Ok(())) => {}
            Ok(Err(_closed)) => return,
            Err(_elapsed) => {
                log::warn!(
                    "charger {id}: closing, it reads nothing we send (a frame waited {}s to be written)",
                    send_timeout.as_secs()
                );
                actor.do_send(Close {
                    code: CloseCode::Policy,
                    reason: "not reading".into(),
                });
                return;
            }
        }
    }
    let _ = tokio::time::timeout(send_timeout, session.close(None)).await;
}

/// Characters that print as nothing (or reorder text) and would let a lookalike id stand
/// beside a real one: soft hyphen, zero-width and direction marks, word joiners, the byte order
/// mark, and U+FFFD, which is what undecodable bytes (`%FF`) become.
const INVISIBLE: [char; 18] = [
    '\u{00AD}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}',
    '\u{202C}', '\u{202D}', '\u{202E}', '\u{2060}', '\u{2061}', '\u{2062}', '\u{2063}', '\u{2064}',
    '\u{FEFF}', '\u{FFFD}',
];

/// Checks a charge point id: 1 to `MAX_ID_LEN` characters; no control characters, white space,
/// `/`, or invisible characters; and valid UTF-8 once percent-decoded.
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
    if id.chars().any(char::is_whitespace) {
        return Err("contains white space".into());
    }
    if id.contains('/') {
        return Err("contains '/'".into());
    }
    if id.contains(INVISIBLE) {
        return Err(
            "contains an invisible character, or bytes that are not UTF-8 once percent-decoded"
                .into(),
        );
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
        crate::db::chargers::password_hash(c, &lookup_id)
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
        None => {
            let lookup_id = id.clone();
            let lookalike = crate::db::read(&services.pool, move |c| {
                crate::db::chargers::protected_lookalike(c, &lookup_id)
            })
            .await;
            match lookalike {
                Ok(None) => {}
                Ok(Some(protected)) => {
                    log::warn!(
                        "charger {id}: refused, its id differs only in case from the protected \
                         charger {protected}"
                    );
                    return Err(refuse(
                        HttpResponse::Forbidden(),
                        "charge point id too close to a protected one",
                    ));
                }
                Err(e) => {
                    log::error!("charger {id}: handshake lookup failed: {e}");
                    return Err(refuse(
                        HttpResponse::ServiceUnavailable(),
                        "database unavailable",
                    ));
                }
            }
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
        assert!(validate_id("CP-Ünïcode").is_ok());
        for bad in [
            "CP 1",
            "CP-1 ",
            "a/b",
            "CP\u{200B}-1",
            "c\u{FFFD}d",
            "\u{FEFF}CP",
        ] {
            assert!(validate_id(bad).is_err(), "{bad:?}");
        }
    }
}
