//! Reservations: ReserveNow with a reservation id we allocate (or the caller's), its status
//! from the charger's answer, Cancelled after an accepted CancelReservation, Used once a
//! StartTransaction carries its id (written by the transaction job).
//!
//! A row is written before the CALL goes out (status `Requested`) so that concurrent requests
//! never share an id; a CALLERROR or timeout leaves it `Unconfirmed`.

use super::learn::{Learn, Lesson};
use super::send::{audited, connected, deliver, json_body, known, now, parse_request};
use crate::api::auth::{Caller, Operator, Viewer};
use crate::api::error::ApiError;
use crate::api::{Page, PageParams};
use crate::db::reservations::{self as store, Booked, NewReservation, Status};
use crate::ocpp::types::Timestamp;
use crate::ocpp::v16::cancel_reservation::{
    CancelReservationRequest, CancelReservationResponse, CancelReservationStatus,
};
use crate::ocpp::v16::reserve_now::{ReservationStatus, ReserveNowRequest, ReserveNowResponse};
use crate::services::Services;
use actix_web::{get, post, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(reserve_now)
        .service(charger_reservations)
        .service(list_reservations);
}

impl Learn for ReserveNowRequest {
    fn lesson(cp: &str, request: &Self, answer: &ReserveNowResponse) -> Option<Lesson> {
        let (cp, id, status) = (cp.to_owned(), request.reservation_id, answer.status);
        Some(Box::new(move |c| {
            store::set_status(c, id, &cp, Status::Answered(status), now())
        }))
    }
}

impl Learn for CancelReservationRequest {
    fn lesson(cp: &str, request: &Self, answer: &CancelReservationResponse) -> Option<Lesson> {
        if answer.status != CancelReservationStatus::Accepted {
            return None;
        }
        let (cp, id) = (cp.to_owned(), request.reservation_id);
        Some(Box::new(move |c| {
            store::set_status(c, id, &cp, Status::Cancelled, now())
        }))
    }
}

/// Writes the reservation as `Requested` and gives its id: a new one when `allocate`, else
/// the request's (which replaces an earlier reservation of that id on the same charger, as in
/// OCPP; an id of another charger's reservation is a conflict).
async fn book(
    services: &Services,
    charger_id: &str,
    request: &ReserveNowRequest,
    allocate: bool,
) -> Result<i32, ApiError> {
    let new = NewReservation {
        charge_point_id: charger_id.to_owned(),
        connector_id: request.connector_id as i32,
        id_tag: request.id_tag.as_str().to_owned(),
        parent_id_tag: request
            .parent_id_tag
            .as_ref()
            .map(|t| t.as_str().to_owned()),
        expiry_date: request.expiry_date.naive(),
    };
    let id = (!allocate).then_some(request.reservation_id);
    let booked =
        crate::db::write(&services.writer, move |c| store::book(c, &new, id, now())).await?;
    match booked {
        Booked::Id(id) => Ok(id),
        Booked::TakenBy(owner) => Err(ApiError::Conflict(format!(
            "reservationId {} is a reservation of charger {owner}; leave it out to get a new one",
            request.reservation_id
        ))),
    }
}

/// The charger's answer to ReserveNow, with the reservation id it was sent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reserved {
    #[schema(value_type = String)]
    pub status: ReservationStatus,
    pub reservation_id: i32,
}

/// ReserveNow: reserve a connector (0: any) for an id tag until `expiryDate`. The body is the
/// OCPP request; `reservationId` may be left out, and the id allocated is in the answer.
#[utoipa::path(tag = "commands",
    request_body(content = Object, description = "OCPP ReserveNow.req; `reservationId` optional"),
    responses(
        (status = 200, body = Reserved, description = "OCPP ReserveNow.conf plus the reservationId sent"),
        (status = 404, description = "unknown charger"),
        (status = 409, description = "charger offline, or reservationId belongs to another charger"),
        (status = 422), (status = 502), (status = 504)),
    security(("bearer" = ["operator"])))]
#[post("/chargers/{id}/reserve-now")]
pub async fn reserve_now(
    operator: Operator,
    services: web::Data<Services>,
    charger: web::Path<String>,
    body: web::Bytes,
) -> Result<web::Json<Reserved>, ApiError> {
    reserve(&services, &operator.0, &charger, &body)
        .await
        .map(web::Json)
}

/// ReserveNow for the API and the dashboard: allocates the reservation id when the body has
/// none, records the reservation, sends it, audits it.
pub async fn reserve(
    services: &Services,
    caller: &Caller,
    charger: &str,
    body: &[u8],
) -> Result<Reserved, ApiError> {
    let asked = json_body(body)?;
    let allocate = asked.get("reservationId").is_none_or(Value::is_null);
    let mut body = asked.clone();
    if let (true, Some(fields)) = (allocate, body.as_object_mut()) {
        // A placeholder so the rest of the body is checked before an id is taken.
        fields.insert("reservationId".into(), json!(0));
    }
    let mut request: ReserveNowRequest = parse_request(&body)?;
    let id = charger;
    let step = async {
        connected(services, id).await?;
        request.reservation_id = book(services, id, &request, allocate).await?;
        let reservation_id = request.reservation_id;
        match deliver(services, id, request).await {
            Ok(answer) => Ok(Reserved {
                status: answer.status,
                reservation_id,
            }),
            Err(e) => {
                let cp = id.to_owned();
                let marked = crate::db::write(&services.writer, move |c| {
                    store::set_status(c, reservation_id, &cp, Status::Unconfirmed, now())
                })
                .await;
                if let Err(w) = marked {
                    log::error!("reservation {reservation_id}: cannot mark it unconfirmed: {w}");
                }
                Err(e)
            }
        }
    };
    audited(services, caller, "ReserveNow", id, Some(&asked), step).await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reservation {
    /// The reservationId sent to the charger.
    pub id: i32,
    pub charge_point_id: String,
    pub connector_id: i32,
    pub id_tag: String,
    pub parent_id_tag: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub expiry_date: Timestamp,
    /// Requested, Accepted, Faulted, Occupied, Rejected, Unavailable, Unconfirmed, Cancelled
    /// or Used.
    pub status: String,
    /// Accepted and not yet expired.
    pub active: bool,
    /// The transaction that used it.
    pub transaction_id: Option<i32>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Reservation {
    fn at(r: store::Reservation, now: NaiveDateTime) -> Self {
        Reservation {
            active: r.active_at(now),
            id: r.id,
            charge_point_id: r.charge_point_id,
            connector_id: r.connector_id,
            id_tag: r.id_tag,
            parent_id_tag: r.parent_id_tag,
            expiry_date: Timestamp::from_naive(r.expiry_date),
            status: r.status,
            transaction_id: r.transaction_id,
            created_at: Timestamp::from_naive(r.created_at),
            updated_at: Timestamp::from_naive(r.updated_at),
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ReservationFilter {
    /// Only this charger's reservations.
    pub charge_point_id: Option<String>,
    /// Only reservations with this status, e.g. `Accepted`.
    pub status: Option<String>,
    /// Only reservations that are (`true`) or are not (`false`) Accepted and unexpired.
    pub active: Option<bool>,
}

/// Reservations newest first, filtered.
async fn page(
    services: &Services,
    filter: ReservationFilter,
    page: PageParams,
) -> Result<Page<Reservation>, ApiError> {
    let page = page.request()?;
    let at = now();
    let filter = store::Filter {
        charge_point_id: filter.charge_point_id,
        status: filter.status,
        active: filter.active,
    };
    let rows = crate::db::read(&services.pool, move |c| store::page(c, &filter, page, at)).await?;
    Ok(rows.map(|r| Reservation::at(r, at)))
}

/// All reservations, newest first.
#[utoipa::path(tag = "commands", params(ReservationFilter, PageParams),
    responses((status = 200, body = Page<Reservation>)), security(("bearer" = ["viewer"])))]
#[get("/reservations")]
pub async fn list_reservations(
    _: Viewer,
    services: web::Data<Services>,
    filter: web::Query<ReservationFilter>,
    paging: web::Query<PageParams>,
) -> Result<web::Json<Page<Reservation>>, ApiError> {
    page(&services, filter.into_inner(), *paging)
        .await
        .map(web::Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChargerReservationFilter {
    /// Only reservations with this status, e.g. `Accepted`.
    pub status: Option<String>,
    /// Only reservations that are (`true`) or are not (`false`) Accepted and unexpired.
    pub active: Option<bool>,
}

/// A charger's reservations, newest first.
#[utoipa::path(tag = "commands", params(ChargerReservationFilter, PageParams),
    responses((status = 200, body = Page<Reservation>), (status = 404)), security(("bearer" = ["viewer"])))]
#[get("/chargers/{id}/reservations")]
pub async fn charger_reservations(
    _: Viewer,
    services: web::Data<Services>,
    charger: web::Path<String>,
    filter: web::Query<ChargerReservationFilter>,
    paging: web::Query<PageParams>,
) -> Result<web::Json<Page<Reservation>>, ApiError> {
    let id = charger.into_inner();
    known(&services, &id).await?;
    let ChargerReservationFilter { status, active } = filter.into_inner();
    let filter = ReservationFilter {
        charge_point_id: Some(id),
        status,
        active,
    };
    page(&services, filter, *paging).await.map(web::Json)
}
