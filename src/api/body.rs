//! Request bodies: one extractor, [`Body<T>`], so that every route answers a bad body the same
//! way. Malformed JSON (or a body that is not JSON) is a 400; JSON whose fields are wrong is a
//! 422 that names the field (`{"error": "...", "field": "connectorId"}`).

use super::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

/// A JSON body decoded into `T`; a wrong field is a 422 naming it.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T> Body<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // The JSON config registered with the app bounds the size and turns syntax errors
        // into 400s.
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = json.await?.into_inner();
            Ok(Body(decode_body(value)?))
        })
    }
}

/// Decodes a JSON value so that a wrong field is a 422 naming it (`{"field": "status"}`),
/// rather than a 400 with serde's line and column.
pub fn decode_body<T: DeserializeOwned>(body: serde_json::Value) -> Result<T, ApiError> {
    crate::ocpp::types::decode(&body).map_err(|e| match ApiError::invalid(e.description) {
        // An error about the body as a whole (e.g. not an object).
        ApiError::Invalid {
            field: None,
            message,
        } => ApiError::Invalid {
            field: Some("body".into()),
            message: format!("body: {message}"),
        },
        other => other,
    })
}
