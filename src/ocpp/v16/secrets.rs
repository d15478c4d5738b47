//! Configuration keys whose values are secrets (the security extension's AuthorizationKey,
//! the Basic-auth password of security profiles 1 and 2). Their values are never stored, logged
//! or shown: wherever a `{"key": <secret key>, "value": …}` pair passes (a ChangeConfiguration
//! request, a GetConfiguration answer, the message log, the audit log, the configuration
//! snapshot), the value becomes [`REDACTED`].

use serde_json::Value;

/// The keys whose values are secret (compared without regard to case, as OCPP keys are).
pub const SECRET_KEYS: [&str; 1] = ["AuthorizationKey"];

/// What stands in for a secret value.
pub const REDACTED: &str = "<redacted>";

/// Whether `key` names a secret.
pub fn is_secret(key: &str) -> bool {
    SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// Whether frame text may hold a secret: it names a secret key (a cheap scan that spares
/// reading the JSON of every other frame).
pub fn may_hold_secret(text: &str) -> bool {
    SECRET_KEYS.iter().any(|key| {
        text.as_bytes()
            .windows(key.len())
            .any(|w| w.eq_ignore_ascii_case(key.as_bytes()))
    })
}

/// Replaces, anywhere in `value`, the `value` of every object whose `key` is a secret key;
/// returns whether anything was replaced.
pub fn redact(value: &mut Value) -> bool {
    match value {
        Value::Object(map) => {
            let secret = map
                .get("key")
                .and_then(Value::as_str)
                .is_some_and(is_secret);
            let mut changed = false;
            if secret {
                if let Some(v) = map.get_mut("value").filter(|v| !v.is_null()) {
                    *v = Value::String(REDACTED.into());
                    changed = true;
                }
            }
            for v in map.values_mut() {
                changed |= redact(v);
            }
            changed
        }
        Value::Array(items) => items.iter_mut().fold(false, |c, v| redact(v) | c),
        _ => false,
    }
}

/// `value` with its secrets redacted (a copy only when there are any).
pub fn redacted(value: &Value) -> std::borrow::Cow<'_, Value> {
    let mut copy = value.clone();
    if redact(&mut copy) {
        std::borrow::Cow::Owned(copy)
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_values_are_replaced_wherever_they_are() {
        let mut change = json!({"key": "authorizationkey", "value": "0011aabb"});
        assert!(redact(&mut change));
        assert_eq!(
            change,
            json!({"key": "authorizationkey", "value": REDACTED})
        );

        let mut answer = json!({"configurationKey": [
            {"key": "HeartbeatInterval", "readonly": false, "value": "300"},
            {"key": "AuthorizationKey", "readonly": false, "value": "secret"}]});
        assert!(redact(&mut answer));
        assert_eq!(answer["configurationKey"][0]["value"], "300");
        assert_eq!(answer["configurationKey"][1]["value"], REDACTED);

        let mut frame =
            json!([2, "m1", "ChangeConfiguration", {"key": "AuthorizationKey", "value": "k"}]);
        assert!(redact(&mut frame));
        assert_eq!(frame[3]["value"], REDACTED);

        let mut other = json!({"key": "MeterValueSampleInterval", "value": "60"});
        assert!(!redact(&mut other));
        let mut no_value = json!({"key": "AuthorizationKey", "readonly": false});
        assert!(!redact(&mut no_value));
    }

    #[test]
    fn the_text_scan_finds_secret_keys_in_any_case() {
        assert!(may_hold_secret(
            r#"[2,"1","ChangeConfiguration",{"key":"AUTHORIZATIONKEY"}]"#
        ));
        assert!(!may_hold_secret(r#"[2,"1","Heartbeat",{}]"#));
    }
}
