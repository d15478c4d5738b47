//! ReserveNow (Reservation, central system -> charge point).
//!
//! "A Central System can issue a ReserveNow.req to a Charge Point to reserve a connector for use
//! by a specific idTag." A reservation with the same `reservationId` replaces the earlier one;
//! `connectorId` 0 reserves any connector, when the charge point supports that. (OCPP 1.6, 5.13)

use crate::ocpp::types::{IdToken, Timestamp, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReserveNowRequest {
    pub connector_id: u32,
    /// When the reservation ends.
    pub expiry_date: Timestamp,
    pub id_tag: IdToken,
    /// A group id tag that may also use the reservation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id_tag: Option<IdToken>,
    pub reservation_id: i32,
}

impl Validate for ReserveNowRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReserveNowResponse {
    pub status: ReservationStatus,
}

impl Validate for ReserveNowResponse {}

/// The charge point's answer to a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReservationStatus {
    Accepted,
    Faulted,
    Occupied,
    Rejected,
    Unavailable,
}

impl ReservationStatus {
    pub const ALL: [ReservationStatus; 5] = [
        ReservationStatus::Accepted,
        ReservationStatus::Faulted,
        ReservationStatus::Occupied,
        ReservationStatus::Rejected,
        ReservationStatus::Unavailable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReservationStatus::Accepted => "Accepted",
            ReservationStatus::Faulted => "Faulted",
            ReservationStatus::Occupied => "Occupied",
            ReservationStatus::Rejected => "Rejected",
            ReservationStatus::Unavailable => "Unavailable",
        }
    }

    pub fn parse(s: &str) -> Option<ReservationStatus> {
        ReservationStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl super::Request for ReserveNowRequest {
    const ACTION: &'static str = "ReserveNow";
    type Response = ReserveNowResponse;
}
