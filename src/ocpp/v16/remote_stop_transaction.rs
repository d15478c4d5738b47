//! RemoteStopTransaction (Core, central system -> charge point).
//!
//! "Central System can request a Charge Point to stop a transaction by sending a
//! RemoteStopTransaction.req to Charge Point with the identifier of the transaction."
//! (OCPP 1.6, 5.12)

use super::common::RemoteStartStopStatus;
use crate::ocpp::types::Validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteStopTransactionRequest {
    pub transaction_id: i32,
}

impl Validate for RemoteStopTransactionRequest {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteStopTransactionResponse {
    pub status: RemoteStartStopStatus,
}

impl Validate for RemoteStopTransactionResponse {}

impl super::Request for RemoteStopTransactionRequest {
    const ACTION: &'static str = "RemoteStopTransaction";
    type Response = RemoteStopTransactionResponse;
}
