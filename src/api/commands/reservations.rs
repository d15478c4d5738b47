//! Reservations: ReserveNow with a reservation id we allocate (or the caller's), its status
//! from the charger's answer, Cancelled after an accepted CancelReservation, Used once a
//! StartTransaction carries its id (written by the transaction job).
//!
//! A row is written before the CALL goes out (status `Requested`) so that concurrent requests
//! never share an id; a CALLERROR or timeout leaves it `Unconfirmed`.

use super::learn::{Learn, Lesson};
use super::send::{audited, connected, deliver, json_body, known, now, parse_request};
use crate::api::auth::{Operator, Viewer};
use crate::api::error::ApiError;
use crate::api::{Page, PageParams};
use crate::db::schema::reservations as r;
use crate::ocpp::types::Timestamp;
use crate::ocpp::v16::cancel_reservation::{
    CancelReservationRequest, CancelReservationResponse, CancelReservationStatus,
};
use crate::ocpp::v16::reserve_now::{ReservationStatus, ReserveNowRequest, ReserveNowResponse};
use crate::services::Services;
use actix_web::{get, post, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(reserve_now)
        .service(charger_reservations)
        .service(list_reservations);
}

/// Status of a reservation written before the charger has answered.
const REQUESTED: &str = "Requested";
/// Status of a reservation the charger never confirmed (CALLERROR, timeout, disconnect).
const UNCONFIRMED: &str = "Unconfirmed";

fn set_status(
    c: &mut crate::db::DbConn,
    id: i32,
    charger_id: &str,
    status: &str,
) -> QueryResult<()> {
    diesel::update(r::table.find(id).filter(r::charge_point_id.eq(charger_id)))
        .set((r::status.eq(status), r::updated_at.eq(now())))
        .execute(c)
        .map(drop)
}

impl Learn for ReserveNowRequest {
    fn lesson(cp: &str, request: &Self, answer: &ReserveNowResponse) -> Option<Lesson> {
        let (cp, id, status) = (cp.to_owned(), request.reservation_id, answer.status);
        Some(Box::new(move |c| set_status(c, id, &cp, status.as_str())))
    }
}

impl Learn for CancelReservationRequest {
    fn lesson(cp: &str, request: &Self, answer: &CancelReservationResponse) -> Option<Lesson> {
        if answer.status != CancelReservationStatus::Accepted {
            return None;
        }
        let (cp, id) = (cp.to_owned(), request.reservation_id);
        Some(Box::new(move |c| set_status(c, id, &cp, "Cancelled")))
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
    let (cp, req) = (charger_id.to_owned(), request.clone());
    let booked = crate::db::write(&services.writer, move |c| {
        let at = now();
        let fields = (
            r::charge_point_id.eq(cp.clone()),
            r::connector_id.eq(req.connector_id as i32),
            r::id_tag.eq(req.id_tag.as_str().to_owned()),
            r::parent_id_tag.eq(req.parent_id_tag.as_ref().map(|t| t.as_str().to_owned())),
            r::expiry_date.eq(req.expiry_date.naive()),
            r::status.eq(REQUESTED),
            r::transaction_id.eq(None::<i32>),
            r::updated_at.eq(at),
        );
        if allocate {
            let id = diesel::insert_into(r::table)
                .values((fields, r::created_at.eq(at)))
                .returning(r::id)
                .get_result(c)?;
            return Ok(Ok(id));
        }
        let id = req.reservation_id;
        let owner: Option<String> = r::table
            .find(id)
            .select(r::charge_point_id)
            .first(c)
            .optional()?;
        match owner {
            None => {
                diesel::insert_into(r::table)
                    .values((r::id.eq(id), fields, r::created_at.eq(at)))
                    .execute(c)?;
            }
            Some(owner) if owner == cp => {
                diesel::update(r::table.find(id)).set(fields).execute(c)?;
            }
            Some(owner) => {
                return Ok(Err(ApiError::Conflict(format!(
                    "reservationId {id} is a reservation of charger {owner}; leave it out to get a new one"
                ))))
            }
        }
        Ok(Ok(id))
    })
    .await?;
    booked
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
    let asked = json_body(&body)?;
    let allocate = asked.get("reservationId").is_none_or(Value::is_null);
    let mut body = asked.clone();
    if let (true, Some(fields)) = (allocate, body.as_object_mut()) {
        // A placeholder so the rest of the body is checked before an id is taken.
        fields.insert("reservationId".into(), json!(0));
    }
    let mut request: ReserveNowRequest = parse_request(&body)?;
    let (services, id) = (services.get_ref(), charger.as_str());
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
                    set_status(c, reservation_id, &cp, UNCONFIRMED)
                })
                .await;
                if let Err(w) = marked {
                    log::error!("reservation {reservation_id}: cannot mark it unconfirmed: {w}");
                }
                Err(e)
            }
        }
    };
    let reserved = audited(services, &operator.0, "ReserveNow", id, Some(&asked), step).await?;
    Ok(web::Json(reserved))
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

type Row = (
    i32,
    String,
    i32,
    String,
    Option<String>,
    NaiveDateTime,
    String,
    Option<i32>,
    NaiveDateTime,
    NaiveDateTime,
);

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
    let (limit, offset) = page.resolve()?;
    let at = now();
    let (rows, total) = crate::db::read(&services.pool, move |c| {
        let query = || {
            let mut q = r::table.into_boxed();
            if let Some(cp) = &filter.charge_point_id {
                q = q.filter(r::charge_point_id.eq(cp.clone()));
            }
            if let Some(status) = &filter.status {
                q = q.filter(r::status.eq(status.clone()));
            }
            match filter.active {
                Some(true) => q = q.filter(r::status.eq("Accepted").and(r::expiry_date.gt(at))),
                Some(false) => {
                    q = q.filter(r::status.ne("Accepted").or(r::expiry_date.le(at)));
                }
                None => {}
            }
            q
        };
        let total: i64 = query().count().get_result(c)?;
        let rows: Vec<Row> = query()
            .order(r::id.desc())
            .limit(limit)
            .offset(offset)
            .select((
                r::id,
                r::charge_point_id,
                r::connector_id,
                r::id_tag,
                r::parent_id_tag,
                r::expiry_date,
                r::status,
                r::transaction_id,
                r::created_at,
                r::updated_at,
            ))
            .load(c)?;
        Ok((rows, total))
    })
    .await?;
    let items = rows
        .into_iter()
        .map(
            |(id, cp, connector_id, id_tag, parent, expiry, status, tx, created, updated)| {
                Reservation {
                    active: status == "Accepted" && expiry > at,
                    id,
                    charge_point_id: cp,
                    connector_id,
                    id_tag,
                    parent_id_tag: parent,
                    expiry_date: Timestamp::from_naive(expiry),
                    status,
                    transaction_id: tx,
                    created_at: Timestamp::from_naive(created),
                    updated_at: Timestamp::from_naive(updated),
                }
            },
        )
        .collect();
    Ok(Page {
        items,
        total,
        limit,
        offset,
    })
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
