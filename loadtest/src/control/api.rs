//! The control API: thin handlers, each turning a request into one [`UserOp`] (or a view)
//! for one charger's handle.

use crate::sim::fleet::ChargerHandle;
use crate::sim::user::UserOp;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, App, HttpResponse, HttpServer};
use csms::ocpp::v16::status_notification::ChargePointErrorCode;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

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
            Some(tag) => UserOp::Start(n, tag.clone()),
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

/// Serves the API on `addr` (loopback) until the returned server is stopped.
pub fn serve(addr: SocketAddr, chargers: Chargers) -> Result<actix_web::dev::Server, String> {
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
    .map_err(|e| format!("control API on {addr}: {e}"))?
    .run();
    Ok(server)
}
