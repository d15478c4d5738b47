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

/// Whether the reservation was found and cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CancelReservationStatus {
    Accepted,
    Rejected,
}

impl CancelReservationStatus {
    pub const ALL: [CancelReservationStatus; 2] = [
        CancelReservationStatus::Accepted,
        CancelReservationStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CancelReservationStatus::Accepted => "Accepted",
            CancelReservationStatus::Rejected => "Rejected",
        }
    }

    pub fn parse(s: &str) -> Option<CancelReservationStatus> {
        CancelReservationStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl super::Request for CancelReservationRequest {
    const ACTION: &'static str = "CancelReservation";
    type Response = CancelReservationResponse;
}
