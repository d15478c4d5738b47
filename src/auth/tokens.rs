//! Login tokens: HS256 JWT `{sub, uid, ver, role, iat, exp}`, signed with a configured secret or
//! one kept in the data directory (made on first use, mode 0600). A token stands for the user
//! with id `uid` while that user's token version is still `ver` (see `db::users::session`): a
//! new password, a logout or the user's deletion ends it, and a user re-created under the same
//! name gets a new id.

use crate::db::users::Role;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Who a token is issued to.
#[derive(Debug, Clone, Copy)]
pub struct TokenUser<'a> {
    pub id: i32,
    pub username: &'a str,
    pub role: Role,
    pub token_version: i32,
}

/// The secret that signs tokens, and their lifetime.
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_secs: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The user name, for people reading the token.
    sub: String,
    uid: i32,
    ver: i32,
    role: Role,
    iat: u64,
    exp: u64,
}

impl Tokens {
    pub fn new(secret: &[u8], ttl_secs: u64) -> Self {
        Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl_secs,
        }
    }

    /// Uses `configured` if set, else the secret kept in the data directory (made on first use).
    pub fn load(configured: &str, data_dir: &Path, ttl_secs: u64) -> Result<Self, String> {
        if !configured.is_empty() {
            return Ok(Tokens::new(configured.as_bytes(), ttl_secs));
        }
        let path = data_dir.join("jwt-secret");
        let secret = match std::fs::read_to_string(&path) {
            Ok(s) if s.trim().len() >= 32 => s.trim().to_owned(),
            _ => {
                let secret = hex::encode(rand::random::<[u8; 32]>());
                write_private(&path, &secret)?;
                log::info!("generated a token signing secret in {}", path.display());
                secret
            }
        };
        Ok(Tokens::new(secret.as_bytes(), ttl_secs))
    }

    /// Issues a token for a user; returns it with its lifetime in seconds.
    pub fn issue(&self, user: &TokenUser<'_>) -> Result<(String, u64), String> {
        let now = chrono::Utc::now().timestamp().max(0) as u64;
        let claims = Claims {
            sub: user.username.to_owned(),
            uid: user.id,
            ver: user.token_version,
            role: user.role,
            iat: now,
            exp: now + self.ttl_secs,
        };
        let token = jsonwebtoken::encode(&Header::default(), &claims, &self.encoding)
            .map_err(|e| e.to_string())?;
        Ok((token, self.ttl_secs))
    }

    /// The user id and token version in a valid, unexpired token.
    pub fn verify(&self, token: &str) -> Result<(i32, i32), String> {
        let validation = Validation {
            leeway: 0,
            ..Validation::default()
        };
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| (data.claims.uid, data.claims.ver))
            .map_err(|e| format!("invalid token: {e}"))
    }
}

fn write_private(path: &Path, content: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut file, content.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
