//! Who may do what: an auth matrix over every route the OpenAPI document lists (so new routes
//! are covered without touching this file), and the ways credentials fail: expired, forged
//! and tampered tokens, revoked API keys, deleted users.

mod common;
mod routes;

use common::TestServer;
use routes::{Route, ROLES};
use serde_json::{json, Value};

/// Creates a user with `role` and returns a token for them.
async fn user(server: &TestServer, admin: &str, role: &str) -> String {
    let name = format!("{role}-user");
    let password = format!("{role}-password-123");
    let (code, body) = server
        .api(
            "POST",
            "/api/v1/users",
            Some(admin),
            Some(json!({"username": name, "password": password, "role": role})),
        )
        .await;
    assert_eq!(code, 201, "{body}");
    server.login(&name, &password).await
}

/// Creates an API key with `role`; its id and the key.
async fn api_key(server: &TestServer, admin: &str, name: &str, role: &str) -> (i64, String) {
    let (code, body) = server
        .api(
            "POST",
            "/api/v1/api-keys",
            Some(admin),
            Some(json!({"name": name, "role": role})),
        )
        .await;
    assert_eq!(code, 201, "{body}");
    (
        body["id"].as_i64().expect("key id"),
        body["key"].as_str().expect("key").to_owned(),
    )
}

/// `GET /api/v1/auth/me` with a raw header; status and body.
async fn me_with(server: &TestServer, header: &str, value: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(server.url("/api/v1/auth/me"))
        .header(header, value)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_route_checks_credentials_and_roles() {
    let server = TestServer::start("");
    let admin = server.admin_token().await;
    let tokens = [
        user(&server, &admin, "viewer").await,
        user(&server, &admin, "operator").await,
        admin.clone(),
    ];
    let doc = routes::document(&server).await;
    let all = routes::routes(&doc);
    assert!(all.len() >= 30, "only {} routes documented", all.len());
    let undocumented: Vec<String> = all
        .iter()
        .filter(|r| r.role.is_some() && !r.documented_role)
        .map(Route::to_string)
        .collect();
    if !undocumented.is_empty() {
        eprintln!(
            "{} routes name no role in their security requirement; assumed by convention: {undocumented:?}",
            undocumented.len()
        );
    }

    let mut failures = Vec::new();
    for route in &all {
        let (code, body) = routes::request(&server, route, None).await;
        let Some(role) = &route.role else {
            if code == 401 || code == 403 {
                failures.push(format!(
                    "{route} is public but answered {code} without credentials"
                ));
            }
            continue;
        };
        if code != 401 || body["error"].as_str().is_none() {
            failures.push(format!("{route} without credentials: {code} {body}"));
        }
        if route.template == "/api/v1/auth/logout" {
            // It would end these tokens' sessions; its own test covers it.
            continue;
        }
        let needed = ROLES.iter().position(|r| r == role).expect("known role");
        for (rank, token) in tokens.iter().enumerate() {
            let (code, body) = routes::request(&server, route, Some(token)).await;
            let ok = if rank < needed {
                code == 403 && body["error"].as_str().is_some()
            } else {
                code != 401 && code != 403
            };
            if !ok {
                failures.push(format!(
                    "{route} as {}: {code} {body} (needs {role})",
                    ROLES[rank]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn expired_forged_and_tampered_tokens_are_refused() {
    let server = TestServer::start("[api]\ntoken_ttl_secs = 1");
    let token = server.admin_token().await;
    let (code, me) = server
        .api("GET", "/api/v1/auth/me", Some(&token), None)
        .await;
    assert_eq!((code, &me["role"]), (200, &json!("admin")), "{me}");

    // Forged: the right claims signed with another secret.
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": "admin", "role": "admin", "iat": now, "exp": now + 3600});
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"not the server's secret, not at all"),
    )
    .expect("sign");
    // Unsigned: "alg": "none".
    use base64::Engine;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims)
    );
    // Tampered: a real token with its claims swapped for a longer-lived admin's.
    let mut parts: Vec<&str> = token.split('.').collect();
    let swapped = b64(&claims);
    parts[1] = &swapped;
    let tampered = parts.join(".");
    for (what, bad) in [
        ("forged", &forged),
        ("unsigned", &unsigned),
        ("tampered", &tampered),
        ("garbage", &"abc.def.ghi".to_owned()),
    ] {
        for path in ["/api/v1/auth/me", "/api/v1/chargers", "/api/v1/users"] {
            let (code, body) = server.api("GET", path, Some(bad), None).await;
            assert_eq!(code, 401, "{what} token on {path}: {body}");
            assert!(body["error"].as_str().is_some(), "{body}");
        }
    }

    // Expired: the same token after its one-second life.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    for path in ["/api/v1/auth/me", "/api/v1/chargers", "/api/v1/users"] {
        let (code, body) = server.api("GET", path, Some(&token), None).await;
        assert_eq!(code, 401, "expired token on {path}: {body}");
        assert!(body["error"].as_str().unwrap().contains("xpired"), "{body}");
    }
}

#[tokio::test]
async fn api_keys_work_in_both_headers_until_revoked() {
    let server = TestServer::start("");
    let admin = server.admin_token().await;
    let (id, key) = api_key(&server, &admin, "billing-bot", "operator").await;

    let (code, me) = me_with(&server, "X-API-Key", &key).await;
    assert_eq!(
        (code, &me),
        (200, &json!({"name": "key:billing-bot", "role": "operator"}))
    );
    let (code, me) = me_with(&server, "Authorization", &format!("Bearer {key}")).await;
    assert_eq!((code, &me["name"]), (200, &json!("key:billing-bot")));
    // The key's role holds: operator routes yes, admin routes no.
    let (code, body) = server
        .api(
            "POST",
            "/api/v1/id-tags",
            Some(&key),
            Some(json!({"idTag": "BOT-1"})),
        )
        .await;
    assert_eq!(code, 201, "{body}");
    let (code, _) = server.api("GET", "/api/v1/users", Some(&key), None).await;
    assert_eq!(code, 403);
    // A wrong secret with a real prefix is refused.
    let wrong = format!("{}0", &key[..key.len() - 1]);
    let wrong = if wrong == key {
        format!("{}1", &key[..key.len() - 1])
    } else {
        wrong
    };
    assert_eq!(me_with(&server, "X-API-Key", &wrong).await.0, 401);

    let (code, _) = server
        .api(
            "DELETE",
            &format!("/api/v1/api-keys/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(code, 204);
    let (code, body) = me_with(&server, "X-API-Key", &key).await;
    assert_eq!(code, 401, "revoked key: {body}");
    assert_eq!(
        me_with(&server, "Authorization", &format!("Bearer {key}"))
            .await
            .0,
        401
    );
    let (code, _) = server
        .api("GET", "/api/v1/chargers", Some(&key), None)
        .await;
    assert_eq!(code, 401);
    let (code, _) = server
        .api(
            "DELETE",
            &format!("/api/v1/api-keys/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(code, 404, "revoked once only");
}

#[tokio::test]
async fn users_and_api_keys_are_listed_in_pages() {
    let server = TestServer::start("");
    let admin = server.admin_token().await;
    for role in ["operator", "viewer"] {
        user(&server, &admin, role).await;
        api_key(&server, &admin, &format!("{role}-key"), role).await;
    }
    let (code, page) = server
        .api("GET", "/api/v1/users?limit=2&offset=1", Some(&admin), None)
        .await;
    assert_eq!(code, 200, "{page}");
    assert_eq!(
        (page["total"].as_i64(), page["limit"].as_i64()),
        (Some(3), Some(2))
    );
    let names: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["username"].as_str().expect("username"))
        .collect();
    assert_eq!(
        names,
        ["operator-user", "viewer-user"],
        "by name, after admin"
    );

    let (code, page) = server
        .api("GET", "/api/v1/api-keys?limit=1", Some(&admin), None)
        .await;
    assert_eq!(code, 200, "{page}");
    assert_eq!(page["total"], 2, "{page}");
    assert_eq!(
        page["items"][0]["name"], "operator-key",
        "oldest first: {page}"
    );
    assert!(page["items"][0].get("key").is_none(), "no secrets in lists");

    let (code, body) = server
        .api("GET", "/api/v1/users?limit=0", Some(&admin), None)
        .await;
    assert_eq!((code, &body["field"]), (422, &json!("limit")), "{body}");
}

#[tokio::test]
async fn role_changes_and_deleted_users_take_effect_at_once() {
    let server = TestServer::start("");
    let admin = server.admin_token().await;
    let viewer = user(&server, &admin, "viewer").await;
    let (code, _) = server
        .api(
            "POST",
            "/api/v1/id-tags",
            Some(&viewer),
            Some(json!({"idTag": "T"})),
        )
        .await;
    assert_eq!(code, 403);
    let (code, _) = server
        .api(
            "PUT",
            "/api/v1/users/viewer-user",
            Some(&admin),
            Some(json!({"role": "operator"})),
        )
        .await;
    assert_eq!(code, 204);
    let (code, body) = server
        .api(
            "POST",
            "/api/v1/id-tags",
            Some(&viewer),
            Some(json!({"idTag": "T"})),
        )
        .await;
    assert_eq!(code, 201, "the same token, now an operator's: {body}");
    let (code, _) = server
        .api("DELETE", "/api/v1/users/viewer-user", Some(&admin), None)
        .await;
    assert_eq!(code, 204);
    let (code, _) = server
        .api("GET", "/api/v1/chargers", Some(&viewer), None)
        .await;
    assert_eq!(code, 401);
}

#[tokio::test]
async fn tokens_end_with_a_new_password_a_logout_or_the_user_and_never_come_back() {
    let server = TestServer::start("");
    let admin = server.admin_token().await;
    let me = |token: String| {
        let server = &server;
        async move {
            server
                .api("GET", "/api/v1/auth/me", Some(&token), None)
                .await
                .0
        }
    };

    // A new password ends the old sessions; a login with it works.
    let before = user(&server, &admin, "operator").await;
    assert_eq!(me(before.clone()).await, 200);
    let (code, _) = server
        .api(
            "PUT",
            "/api/v1/users/operator-user",
            Some(&admin),
            Some(json!({"password": "a-new-password-456"})),
        )
        .await;
    assert_eq!(code, 204);
    assert_eq!(
        me(before).await,
        401,
        "a token from before the new password"
    );
    let after = server.login("operator-user", "a-new-password-456").await;
    assert_eq!(me(after.clone()).await, 200);

    // Logout ends every session of that user, and only theirs.
    let second = server.login("operator-user", "a-new-password-456").await;
    let (code, body) = server
        .api("POST", "/api/v1/auth/logout", Some(&after), None)
        .await;
    assert_eq!(code, 204, "{body}");
    assert_eq!(me(after).await, 401);
    assert_eq!(me(second).await, 401, "logged out everywhere");
    assert_eq!(me(admin.clone()).await, 200, "other users stay logged in");

    // A deleted user's token does not come back with a new account of the same name.
    let old = user(&server, &admin, "viewer").await;
    let (code, _) = server
        .api("DELETE", "/api/v1/users/viewer-user", Some(&admin), None)
        .await;
    assert_eq!(code, 204);
    let (code, _) = server
        .api(
            "POST",
            "/api/v1/users",
            Some(&admin),
            Some(json!({"username": "viewer-user", "password": "viewer-password-123", "role": "admin"})),
        )
        .await;
    assert_eq!(code, 201);
    let (code, body) = server.api("GET", "/api/v1/users", Some(&old), None).await;
    assert_eq!(
        code, 401,
        "the old viewer token must not act as the new admin: {body}"
    );
    assert!(body.to_string().contains("log in again"), "{body}");

    // An API key has no session to end.
    let (_, key) = api_key(&server, &admin, "machine", "viewer").await;
    let (code, body) = server
        .api("POST", "/api/v1/auth/logout", Some(&key), None)
        .await;
    assert_eq!(code, 422, "{body}");
}

#[tokio::test]
async fn repeated_failed_logins_lock_the_name_out_for_a_growing_while() {
    let server = TestServer::start("");
    let admin = server.admin_token().await;
    user(&server, &admin, "operator").await;
    let attempt = |name: &'static str, password: &'static str| {
        let url = server.url("/api/v1/auth/login");
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .json(&json!({"username": name, "password": password}))
                .send()
                .await
                .expect("login answered");
            let retry = response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            (response.status().as_u16(), retry)
        }
    };
    for n in 1..=6 {
        assert_eq!(
            attempt("operator-user", "wrong-password-00").await.0,
            401,
            "attempt {n}"
        );
    }
    // Locked now: even the right password waits.
    let (code, retry) = attempt("operator-user", "operator-password-123").await;
    assert_eq!((code, retry.as_deref()), (429, Some("1")));
    // Another name from the same address is not locked.
    server.login("admin", common::ADMIN_PASSWORD).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        attempt("operator-user", "operator-password-123").await.0,
        200
    );
    // A success cleared the count: one failure is a plain 401 again.
    assert_eq!(attempt("operator-user", "wrong-password-00").await.0, 401);
    assert_eq!(
        attempt("operator-user", "operator-password-123").await.0,
        200
    );
}
