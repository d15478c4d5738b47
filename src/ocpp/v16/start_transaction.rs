//! StartTransaction (Core, charge point -> central system).
//!
//! "The Charge Point SHALL send a StartTransaction.req PDU to the Central System to inform
//! about a transaction that has been started." The central system "MUST verify validity of the
//! identifier in the StartTransaction.req PDU" and answers with a transaction id, always, even
//! when the id tag is not accepted: the verdict is in `idTagInfo`. (OCPP 1.6, 4.8)
//!
//! A charger that was offline sends this later with the original `timestamp`; a re-sent one
//! (its answer was lost) must get the same transaction id.

use super::common::{at_least, IdTagInfo};
use crate::ocpp::types::{IdToken, Timestamp, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartTransactionRequest {
    /// The connector the transaction runs on (> 0).
    pub connector_id: u32,
    pub id_tag: IdToken,
    /// Energy register at the start, in Wh.
    pub meter_start: i64,
    /// The reservation this transaction ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<i32>,
    pub timestamp: Timestamp,
}

impl Validate for StartTransactionRequest {
    fn validate(&self) -> Result<(), String> {
        at_least("connectorId", self.connector_id.into(), 1)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartTransactionResponse {
    pub id_tag_info: IdTagInfo,
    pub transaction_id: i32,
}

impl Validate for StartTransactionResponse {}

impl super::Request for StartTransactionRequest {
    const ACTION: &'static str = "StartTransaction";
    type Response = StartTransactionResponse;
}
