//! People's passwords: argon2id PHC strings, and the one strength rule for the API, the command
//! line and the first admin.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Hashes a person's password (argon2id, random salt).
pub fn hash(password: &str) -> Result<String, String> {
    let salt =
        SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| format!("salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash password: {e}"))
}

/// Whether `password` is the one `stored` (a PHC string) was made from.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// The fewest characters a person's password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Checks a password's strength; the message says what is missing. The one rule for the API,
/// the command line and the first admin.
pub fn check(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("at least {MIN_PASSWORD_CHARS} characters"));
    }
    Ok(())
}
