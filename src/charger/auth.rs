//! Charger credentials for security profile 1 (HTTP Basic auth, username = charge point id,
//! password = its AuthorizationKey).
//!
//! Keys are machine-generated and 16-40 bytes of entropy, so they are stored as salted
//! SHA-256 (`sha256$<salt hex>$<digest hex>`), which keeps a reconnect storm of thousands of
//! chargers cheap; people's passwords use argon2 elsewhere.

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Hashes a charger's AuthorizationKey for storage.
pub fn hash_key(key: &str) -> String {
    let salt: [u8; 16] = rand::random();
    format!(
        "sha256${}${}",
        hex::encode(salt),
        hex::encode(digest(&salt, key))
    )
}

fn digest(salt: &[u8], key: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(key.as_bytes());
    h.finalize().into()
}

/// Whether a stored hash matches a key.
pub fn verify_key(key: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("sha256"), Some(salt), Some(expected), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Ok(salt), Ok(expected)) = (hex::decode(salt), hex::decode(expected)) else {
        return false;
    };
    digest(&salt, key).ct_eq(&expected).into()
}

/// Whether an `Authorization` header carries Basic credentials for `id` that match `stored`.
pub fn basic_matches(header: Option<&str>, id: &str, stored: &str) -> bool {
    let Some(encoded) = header.and_then(|h| h.strip_prefix("Basic ")) else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Ok(text) = String::from_utf8(decoded) else {
        return false;
    };
    let Some((user, password)) = text.split_once(':') else {
        return false;
    };
    user == id && verify_key(password, stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, password: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )
    }

    #[test]
    fn keys_verify_against_their_hash_only() {
        let stored = hash_key("0123456789abcdef");
        assert!(verify_key("0123456789abcdef", &stored));
        assert!(!verify_key("0123456789abcdeF", &stored));
        assert_ne!(stored, hash_key("0123456789abcdef"), "salted");
        assert!(!verify_key("x", "garbage"));
    }

    #[test]
    fn basic_header_needs_the_right_user_and_key() {
        let stored = hash_key("secret-key-123456");
        assert!(basic_matches(
            Some(&basic("CP1", "secret-key-123456")),
            "CP1",
            &stored
        ));
        assert!(!basic_matches(
            Some(&basic("CP2", "secret-key-123456")),
            "CP1",
            &stored
        ));
        assert!(!basic_matches(Some(&basic("CP1", "wrong")), "CP1", &stored));
        assert!(!basic_matches(None, "CP1", &stored));
        assert!(!basic_matches(Some("Bearer x"), "CP1", &stored));
        assert!(!basic_matches(Some("Basic !!!"), "CP1", &stored));
    }
}
