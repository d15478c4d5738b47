//! The control API: thin handlers, each turning a request into one [`UserOp`] (or a view)
//! for one charger's handle. Presenting a tag also waits for the central system's verdict, so
//! that a refused tag is an error to the caller, not only a line in the charger's events.

use crate::sim::fleet::ChargerHandle;
use crate::sim::user::UserOp;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, App, HttpResponse, HttpServer};
use csms::ocpp::v16::status_notification::ChargePointErrorCode;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest wait for the central system's verdict on a presented tag.
const VERDICT_WAIT: Duration = Duration::from_secs(10);

/// The chargers the API controls.
#[derive(Clone)]
pub struct Chargers(pub Arc<Vec<ChargerHandle>>);

impl Chargers {
    fn find(&self, id: &str) -> Option<&ChargerHandle> {
        self.0.iter().find(|c| c.id == id)
    }
}

fn not_found(id: &str) -> HttpResponse {
    error(StatusCode::NOT_FOUND, format!("no charger {id}"))
}

fn error(status: StatusCode, message: String) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "error": message }))
}

async fn act(chargers: &Chargers, id: &str, op: UserOp) -> HttpResponse {
    let Some(charger) = chargers.find(id) else {
        return not_found(id);
    };
    match charger.user(op).await {
        Ok(message) => HttpResponse::Ok().json(json!({ "ok": true, "message": message })),
        Err(message) => error(StatusCode::CONFLICT, message),
    }
}

/// Presents `tag` at connector `n` and, when the charger asks the central system, waits for
/// its verdict: the Authorize answer, then (with a car plugged in) the StartTransaction one.
async fn start(chargers: &Chargers, id: &str, n: u32, tag: &str) -> HttpResponse {
    let Some(charger) = chargers.find(id) else {
        return not_found(id);
    };
    let Some(before) = charger.view().await else {
        return error(StatusCode::GONE, format!("{id} is not running"));
    };
    let message = match charger.user(UserOp::Start(n, tag.to_owned())).await {
        Ok(message) => message,
        Err(message) => return error(StatusCode::CONFLICT, message),
    };
    if !before.online {
        // Decided by the charger alone (its local list or offline rules).
        return HttpResponse::Ok().json(json!({ "ok": true, "message": message }));
    }
    let deadline = Instant::now() + VERDICT_WAIT;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let Some(now) = charger.view().await else {
            return error(StatusCode::GONE, format!("{id} is not running"));
        };
        let waiting_for_cable = now
            .connectors
            .get(n as usize - 1)
            .is_some_and(|c| !c.plugged && c.status == "Preparing");
        match verdict(new_lines(&before.recent, &now.recent), n, tag) {
            Some(Ok(message)) => {
                return HttpResponse::Ok().json(json!({ "ok": true, "message": message }))
            }
            Some(Err(message)) => return error(StatusCode::CONFLICT, message),
            None if waiting_for_cable => {
                let message = format!("connector {n}: {tag} authorized; plug in to charge");
                return HttpResponse::Ok().json(json!({ "ok": true, "message": message }));
            }
            None => {}
        }
    }
    error(
        StatusCode::GATEWAY_TIMEOUT,
        format!(
            "connector {n}: no verdict on {tag} from the central system within {} s",
            VERDICT_WAIT.as_secs()
        ),
    )
}

/// The events in `after` that are not in `before` (both the charger's recent events, oldest
/// first, each line starting with its time).
fn new_lines<'a>(before: &[String], after: &'a [String]) -> &'a [String] {
    let Some(last) = before.last() else {
        return after;
    };
    match after.iter().rposition(|line| line == last) {
        Some(i) => &after[i + 1..],
        None => after,
    }
}

/// The central system's verdict on `tag` at connector `n`, read from the charger's events:
/// a refused Authorize, or the StartTransaction answer with its transaction id.
fn verdict(lines: &[String], n: u32, tag: &str) -> Option<Result<String, String>> {
    let refused = format!("tag {tag} not authorized: ").to_ascii_uppercase();
    let started = format!("connector {n}: server transaction id ");
    for line in lines {
        if let Some(at) = line.to_ascii_uppercase().find(&refused) {
            let status = &line[at + refused.len()..];
            return Some(Err(format!(
                "connector {n}: the central system refused {tag}: {status}"
            )));
        }
        if let Some(at) = line.find(&started) {
            let rest = &line[at + started.len()..];
            let (tx, status) = rest.split_once(" (tag ").unwrap_or((rest, "?)"));
            let status = status.trim_end_matches(')');
            return Some(if status == "Accepted" {
                Ok(format!("connector {n}: charging, transaction {tx}"))
            } else {
                Err(format!(
                    "connector {n}: the central system refused {tag} for transaction {tx}: {status}"
                ))
            });
        }
    }
    None
}

#[get("/chargers")]
async fn list(chargers: web::Data<Chargers>) -> HttpResponse {
    let mut views = Vec::new();
    for c in chargers.0.iter() {
        if let Some(mut v) = c.view().await {
            v.recent.clear();
            views.push(v);
        }
    }
    HttpResponse::Ok().json(views)
}

#[get("/chargers/{id}")]
async fn show(chargers: web::Data<Chargers>, id: web::Path<String>) -> HttpResponse {
    let Some(charger) = chargers.find(&id) else {
        return not_found(&id);
    };
    match charger.view().await {
        Some(v) => HttpResponse::Ok().json(v),
        None => error(StatusCode::GONE, format!("{id} is not running")),
    }
}

#[post("/chargers/{id}/connectors/{n}/{action}")]
async fn connector(
    chargers: web::Data<Chargers>,
    path: web::Path<(String, u32, String)>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let (id, n, action) = path.into_inner();
    let op = match action.as_str() {
        "plug" => UserOp::Plug(n),
        "unplug" => UserOp::Unplug(n),
        "stop" => UserOp::Stop(n),
        "repair" => UserOp::Repair(n),
        "start" => match query.get("id_tag") {
            Some(tag) => return start(&chargers, &id, n, tag).await,
            None => return error(StatusCode::BAD_REQUEST, "start needs ?id_tag=TAG".into()),
        },
        "fault" => {
            let code = query
                .get("code")
                .cloned()
                .unwrap_or_else(|| "OtherError".into());
            match serde_json::from_value::<ChargePointErrorCode>(json!(code)) {
                Ok(code) => UserOp::Fault(n, code),
                Err(_) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!("{code} is not a ChargePointErrorCode (e.g. GroundFailure, OverCurrentFailure)"),
                    )
                }
            }
        }
        other => {
            return error(
                StatusCode::NOT_FOUND,
                format!("no connector action {other}"),
            )
        }
    };
    act(&chargers, &id, op).await
}

#[post("/chargers/{id}/{action}")]
async fn network(chargers: web::Data<Chargers>, path: web::Path<(String, String)>) -> HttpResponse {
    let (id, action) = path.into_inner();
    let op = match action.as_str() {
        "offline" => UserOp::Offline,
        "online" => UserOp::Online,
        other => return error(StatusCode::NOT_FOUND, format!("no charger action {other}")),
    };
    act(&chargers, &id, op).await
}

/// Serves the API on `addr` (loopback; port 0 picks a free one) until the returned server is
/// stopped; also returns the address it listens on.
pub fn serve(
    addr: SocketAddr,
    chargers: Chargers,
) -> Result<(actix_web::dev::Server, SocketAddr), String> {
    if !addr.ip().is_loopback() {
        return Err(format!(
            "the control API listens on loopback only, not {addr}"
        ));
    }
    let data = web::Data::new(chargers);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .service(list)
            .service(show)
            .service(connector)
            .service(network)
    })
    .workers(1)
    .disable_signals()
    .bind(addr)
    .map_err(|e| format!("control API on {addr}: {e}"))?;
    let bound = server.addrs().first().copied().unwrap_or(addr);
    Ok((server.run(), bound))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn only_events_after_the_request_count() {
        let before = lines(&["t1 a", "t2 b"]);
        let after = lines(&["t1 a", "t2 b", "t3 c"]);
        assert_eq!(new_lines(&before, &after), &after[2..]);
        assert_eq!(new_lines(&[], &after), &after[..]);
        assert_eq!(new_lines(&lines(&["t0 gone"]), &after), &after[..]);
    }

    #[test]
    fn verdicts_read_from_the_events() {
        let refused = lines(&["2026-01-01T00:00:00Z tag DEMO-01 not authorized: ConcurrentTx"]);
        let v = verdict(&refused, 1, "demo-01").expect("a verdict");
        assert_eq!(
            v,
            Err("connector 1: the central system refused demo-01: ConcurrentTx".into())
        );
        let started = lines(&[
            "t connector 1: Charging",
            "t connector 1: server transaction id 42 (tag Accepted)",
        ]);
        assert_eq!(
            verdict(&started, 1, "CARD"),
            Some(Ok("connector 1: charging, transaction 42".into()))
        );
        assert_eq!(verdict(&started, 2, "CARD"), None);
        let invalid = lines(&["t connector 2: server transaction id 7 (tag Invalid)"]);
        assert!(verdict(&invalid, 2, "X").expect("verdict").is_err());
        assert_eq!(verdict(&lines(&["t connector 1: Preparing"]), 1, "X"), None);
    }
}
