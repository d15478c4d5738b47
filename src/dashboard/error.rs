//! What a page answers when it cannot show itself: the login page for a missing or ended
//! session, otherwise a plain page that says what went wrong (the message escaped).

use crate::api::error::ApiError;
use crate::db::DbError;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// No session, or it ended: to the login page, and back to `next` after.
    #[error("log in to see this page")]
    Login { next: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Internal(String),
    /// The API's answer for the same step, with its status.
    #[error("{0}")]
    Api(ApiError),
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError::Api(e)
    }
}

impl From<DbError> for PageError {
    fn from(e: DbError) -> Self {
        PageError::Api(ApiError::from(e))
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::Login { .. } => StatusCode::SEE_OTHER,
            PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            PageError::Api(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let PageError::Login { next } = self {
            let to = format!("/login?next={}", super::view::url_encode(next));
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, to))
                .finish();
        }
        let status = self.status_code();
        if status.is_server_error() {
            log::error!("dashboard: {self}");
        }
        let view = serde_json::json!({
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "message": self.to_string(),
        });
        let body = super::templates::render("error", &view).unwrap_or_else(|e| {
            format!(
                "<!doctype html><title>Error</title><p>{}</p><p>{}</p>",
                super::templates::escape(&self.to_string()),
                super::templates::escape(&e)
            )
        });
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body)
    }
}
