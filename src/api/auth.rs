//! Who is calling: people log in for a JWT; machines send an API key. Handlers name the role
//! they need as an argument ([`Viewer`], [`Operator`], [`Admin`]); the extractor does the rest.
//!
//! - Passwords: argon2id PHC strings.
//! - Tokens: HS256 JWT naming the user's id and token version; the user is looked up on every
//!   request, so a deleted user, a changed role, a new password or a logout takes effect at once.
//! - API keys: `csms_<prefix>_<secret>`; the prefix finds the row, the secret is checked
//!   against its SHA-256; shown once at creation; revocable.

use super::error::ApiError;
pub use crate::auth::passwords::{self, verify as verify_password, MIN_PASSWORD_CHARS};
pub use crate::auth::tokens::{TokenUser, Tokens};
use crate::services::Services;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;
use subtle::ConstantTimeEq;

pub use crate::db::users::Role;

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    /// `user:<name>` or `key:<name>`, as written in the audit log.
    pub name: String,
    pub role: Role,
    /// The user's id when the caller logged in (not for API keys).
    pub user_id: Option<i32>,
}

/// Issues a token for a user; returns it with its lifetime in seconds.
pub fn issue_token(tokens: &Tokens, user: &TokenUser<'_>) -> Result<(String, u64), ApiError> {
    tokens
        .issue(user)
        .map_err(|e| ApiError::Internal(format!("cannot sign token: {e}")))
}

/// Hashes a person's password (argon2id, random salt).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    passwords::hash(password).map_err(ApiError::Internal)
}

/// Checks a password's strength; 422 naming `password` with what is missing.
pub fn check_password(password: &str) -> Result<(), ApiError> {
    passwords::check(password).map_err(|e| ApiError::invalid(format!("password: {e}")))
}

/// A new API key: the full key (shown once), its public prefix and the hash to store.
pub struct NewKey {
    pub key: String,
    pub prefix: String,
    pub hash: String,
}

pub fn new_api_key() -> NewKey {
    let prefix = hex::encode(rand::random::<[u8; 4]>());
    let secret = hex::encode(rand::random::<[u8; 20]>());
    NewKey {
        key: format!("csms_{prefix}_{secret}"),
        hash: hex::encode(Sha256::digest(secret.as_bytes())),
        prefix,
    }
}

fn split_api_key(key: &str) -> Option<(&str, &str)> {
    key.strip_prefix("csms_")?.split_once('_')
}

/// Authenticates a request from its `Authorization: Bearer …` or `X-API-Key` header (or
/// takes the caller [`resolve_caller`] found).
pub async fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    if let Some(caller) = req.extensions().get::<Caller>() {
        return Ok(caller.clone());
    }
    let services = req
        .app_data::<web::Data<Services>>()
        .ok_or_else(|| ApiError::Internal("services missing".into()))?
        .clone();
    let bearer = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let api_key = req
        .headers()
        .get("X-API-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let credential = bearer.or(api_key).ok_or_else(|| {
        ApiError::Unauthorized(
            "authentication required: send Authorization: Bearer <token or API key>".into(),
        )
    })?;
    if let Some((prefix, secret)) = split_api_key(credential) {
        let (prefix, secret) = (prefix.to_owned(), secret.to_owned());
        let key = crate::db::read(&services.pool, move |c| {
            crate::db::api_keys::active(c, &prefix)
        })
        .await?
        .ok_or_else(|| ApiError::Unauthorized("unknown or revoked API key".into()))?;
        let given = hex::encode(Sha256::digest(secret.as_bytes()));
        if !bool::from(given.as_bytes().ct_eq(key.key_hash.as_bytes())) {
            return Err(ApiError::Unauthorized("unknown or revoked API key".into()));
        }
        return Ok(Caller {
            name: format!("key:{}", key.name),
            role: key.role,
            user_id: None,
        });
    }
    let (id, version) = services
        .tokens
        .verify(credential)
        .map_err(ApiError::Unauthorized)?;
    let session = crate::db::read(&services.pool, move |c| {
        crate::db::users::session(c, id, version)
    })
    .await?
    .ok_or_else(|| {
        ApiError::Unauthorized(
            "token revoked (logout or new password) or its user deleted: log in again".into(),
        )
    })?;
    Ok(Caller {
        name: format!("user:{}", session.username),
        role: session.role,
        user_id: Some(id),
    })
}

/// Middleware of the `/api/v1` scope: checks the credentials, if any, before any extractor
/// runs, so that the role extractors answer at once. actix polls a handler's extractors
/// together and the first error wins: without this, a caller with too small a role could be
/// told their body is malformed (400) instead of 403 while their token is still being looked
/// up. Wrong credentials are refused here (401); none at all are left to the extractors.
pub async fn resolve_caller(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let has_credential = req.headers().contains_key("X-API-Key")
        || req
            .headers()
            .get("Authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer "));
    if has_credential {
        match authenticate(req.request()).await {
            Ok(caller) => {
                req.extensions_mut().insert(caller);
            }
            Err(e) => return Ok(req.error_response(e).map_into_right_body()),
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Caller);

        impl FromRequest for $name {
            type Error = ApiError;
            type Future = Pin<Box<dyn Future<Output = Result<$name, ApiError>>>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let req = req.clone();
                Box::pin(async move {
                    let caller = authenticate(&req).await?;
                    if caller.role < $role {
                        return Err(ApiError::Forbidden(format!(
                            "{} has role {}; this needs {}",
                            caller.name,
                            caller.role.as_str(),
                            $role.as_str()
                        )));
                    }
                    Ok($name(caller))
                })
            }
        }
    };
}

role_guard!(
    /// A caller with at least the viewer role.
    Viewer,
    Role::Viewer
);
role_guard!(
    /// A caller with at least the operator role.
    Operator,
    Role::Operator
);
role_guard!(
    /// A caller with the admin role.
    Admin,
    Role::Admin
);

/// The environment variable with the first admin's password.
pub const ADMIN_PASSWORD_ENV: &str = "CSMS_ADMIN_PASSWORD";

/// The first admin's password from [`ADMIN_PASSWORD_ENV`], if set; checked like every other
/// password, so a weak one stops the start rather than being accepted for the one account that
/// can do everything.
pub fn initial_admin_password() -> Result<Option<String>, String> {
    match std::env::var(ADMIN_PASSWORD_ENV) {
        Ok(p) if !p.is_empty() => check_password(&p).map(|()| Some(p)).map_err(|e| {
            format!(
                "{ADMIN_PASSWORD_ENV} is not a usable password ({e}); set a longer one, \
                 or unset it to have a random password generated and printed once"
            )
        }),
        _ => Ok(None),
    }
}

/// Creates the first admin when there are no users: with `password` (from
/// [`initial_admin_password`]) if given, else with a random password printed once to the log.
pub async fn bootstrap_admin(services: &Services, password: Option<String>) -> Result<(), String> {
    let count = crate::db::read(&services.pool, crate::db::users::count)
        .await
        .map_err(|e| e.to_string())?;
    if count > 0 {
        return Ok(());
    }
    let (password, generated) = match password {
        Some(p) => (p, false),
        None => (hex::encode(rand::random::<[u8; 12]>()), true),
    };
    let hash = hash_password(&password).map_err(|e| e.to_string())?;
    let now = chrono::Utc::now().naive_utc();
    crate::db::write(&services.writer, move |c| {
        crate::db::users::create(c, "admin", &hash, Role::Admin, now, None)
    })
    .await
    .map_err(|e| e.to_string())?;
    if generated {
        log::warn!("created user 'admin' with password {password} (shown once; change it with `csms user passwd admin`)");
    } else {
        log::info!("created user 'admin' with the password from {ADMIN_PASSWORD_ENV}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_round_trip_and_forgeries_fail() {
        let tokens = Tokens::new(b"0123456789abcdef0123456789abcdef", 60);
        let alice = TokenUser {
            id: 7,
            username: "alice",
            role: Role::Operator,
            token_version: 3,
        };
        let (token, ttl) = tokens.issue(&alice).unwrap();
        assert_eq!(ttl, 60);
        assert_eq!(tokens.verify(&token).unwrap(), (7, 3));
        let other = Tokens::new(b"another secret another secret 123", 60);
        assert!(other.verify(&token).is_err());
        let expired = Tokens::new(b"0123456789abcdef0123456789abcdef", 0);
        let (old, _) = expired.issue(&alice).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert!(expired.verify(&old).is_err());
    }

    #[test]
    fn api_keys_split_into_prefix_and_secret() {
        let k = new_api_key();
        let (prefix, secret) = split_api_key(&k.key).unwrap();
        assert_eq!(prefix, k.prefix);
        assert_eq!(hex::encode(Sha256::digest(secret.as_bytes())), k.hash);
        assert!(split_api_key("eyJhbGciOi").is_none());
    }

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin > Role::Operator && Role::Operator > Role::Viewer);
        assert_eq!(Role::parse("operator"), Some(Role::Operator));
        assert_eq!(Role::parse("root"), None);
    }
}
