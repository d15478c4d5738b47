//! CancelReservation (Reservation, central system -> charge point).
//!
//! "To cancel a reservation the Central System SHALL send a CancelReservation.req PDU to the
//! Charge Point." The charge point answers Accepted if it had a reservation with that id.
//! (OCPP 1.6, 5.1)

use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelReservationRequest {
    pub reservation_id: i32,
}

impl Validate for CancelReservationRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelReservationResponse {
    pub status: CancelReservationStatus,
}

impl Validate for CancelReservationResponse {}

// @enum CancelReservationStatus | Whether the reservation was found and cancelled. | CancelReservationResponse.json | status

impl super::Request for CancelReservationRequest {
    const ACTION: &'static str = "CancelReservation";
    type Response = CancelReservationResponse;
}
