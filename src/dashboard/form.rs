//! A posted form (`application/x-www-form-urlencoded`, at most [`MAX_BYTES`]): its fields in
//! order, repeated names kept (a list of selected chargers), and the check every POST makes
//! before it acts: the session's CSRF token and no foreign `Origin`.

use super::error::PageError;
use super::session::{csrf_matches, same_origin, Person};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use std::future::Future;
use std::pin::Pin;

/// The largest form body (an id-tag CSV pasted into the import form fits).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// The name of the CSRF field every form carries.
pub const CSRF_FIELD: &str = "_csrf";

#[derive(Debug, Clone, Default)]
pub struct Posted {
    fields: Vec<(String, String)>,
    same_origin: bool,
}

impl Posted {
    /// A form with these fields (tests, and forms built in code).
    pub fn of(fields: &[(&str, &str)]) -> Posted {
        Posted {
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            same_origin: true,
        }
    }

    /// Refuses (403) a form without the person's CSRF token or from another site.
    pub fn check(&self, person: &Person) -> Result<(), PageError> {
        if !self.same_origin {
            return Err(PageError::Forbidden("a form of another site".into()));
        }
        match self.raw(CSRF_FIELD) {
            Some(token) if csrf_matches(person, token) => Ok(()),
            _ => Err(PageError::Forbidden(
                "the form is stale or not from this dashboard (CSRF token); reload the page and try again".into(),
            )),
        }
    }

    /// A field as sent (the first, if repeated).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A field trimmed; an empty one is absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.raw(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Every non-empty value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .collect()
    }

    /// Every field but the CSRF token.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields
            .iter()
            .filter(|(k, _)| k != CSRF_FIELD)
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl FromRequest for Posted {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Posted, PageError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let same_origin = same_origin(req);
        let payload = web::Payload::from_request(req, payload).into_inner();
        Box::pin(async move {
            let mut payload = payload.map_err(|e| PageError::Invalid(e.to_string()))?;
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| PageError::Invalid(format!("form: {e}")))?;
                if body.len() + chunk.len() > MAX_BYTES {
                    return Err(PageError::Invalid(format!(
                        "the form is larger than {} MiB",
                        MAX_BYTES / (1024 * 1024)
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|e| PageError::Invalid(format!("form: {e}")))?;
            Ok(Posted {
                fields,
                same_origin,
            })
        })
    }
}
