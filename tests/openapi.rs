//! The OpenAPI document and the router agree: every documented operation is served (none
//! falls through to the `/api/v1` scope's "no such route"), the routes this project promises
//! are all documented, and no handler is registered around the document.

mod common;
mod routes;

use common::TestServer;
use serde_json::json;

/// Routes that must be documented (and so served). Commands add many more; the document may
/// only grow past this list.
const EXPECTED: [&str; 33] = [
    "POST /api/v1/auth/login",
    "GET /api/v1/auth/me",
    "GET /api/v1/users",
    "POST /api/v1/users",
    "PUT /api/v1/users/{username}",
    "DELETE /api/v1/users/{username}",
    "GET /api/v1/api-keys",
    "POST /api/v1/api-keys",
    "DELETE /api/v1/api-keys/{id}",
    "GET /api/v1/audit",
    "GET /api/v1/chargers",
    "POST /api/v1/chargers",
    "GET /api/v1/chargers/{id}",
    "PUT /api/v1/chargers/{id}",
    "DELETE /api/v1/chargers/{id}",
    "PUT /api/v1/chargers/{id}/password",
    "DELETE /api/v1/chargers/{id}/password",
    "GET /api/v1/chargers/{id}/status-history",
    "GET /api/v1/chargers/{id}/messages",
    "GET /api/v1/transactions",
    "GET /api/v1/transactions.csv",
    "GET /api/v1/transactions/active",
    "GET /api/v1/transactions/{id}",
    "GET /api/v1/transactions/{id}/meter-values",
    "GET /api/v1/id-tags",
    "POST /api/v1/id-tags",
    "POST /api/v1/id-tags/import",
    "GET /api/v1/id-tags/{idTag}",
    "PUT /api/v1/id-tags/{idTag}",
    "DELETE /api/v1/id-tags/{idTag}",
    "GET /api/v1/stats",
    "POST /api/v1/chargers/{id}/remote-start",
    "POST /api/v1/chargers/{id}/remote-stop",
];

#[tokio::test]
async fn every_documented_route_is_served_and_every_promised_route_documented() {
    let server = TestServer::start("");
    let admin = server.admin_token().await;
    let doc = routes::document(&server).await;
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        doc["openapi"]
    );
    let all = routes::routes(&doc);
    let listed: Vec<String> = all.iter().map(|r| r.to_string()).collect();
    let missing: Vec<&str> = EXPECTED
        .iter()
        .copied()
        .filter(|e| !listed.iter().any(|l| l == e))
        .collect();
    assert!(missing.is_empty(), "not in the document: {missing:?}");
    assert!(
        all.len() >= EXPECTED.len(),
        "{} routes documented",
        all.len()
    );

    // The detector: a path nobody serves gets the scope's JSON "no such route".
    let no_route = json!({"error": "no such route"});
    let (code, body) = server
        .api("GET", "/api/v1/surely-not-a-route", Some(&admin), None)
        .await;
    assert_eq!((code, &body), (404, &no_route));

    let mut unserved = Vec::new();
    for route in &all {
        let (code, body) = routes::request(&server, route, Some(&admin)).await;
        if code == 404 && body == no_route {
            unserved.push(format!("{route} ({})", route.path));
        }
        assert!(
            body.is_object() || body.is_null() || code == 200,
            "{route}: {code} {body}"
        );
    }
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
}

/// Handlers registered with a plain `.route(…)` inside the API would be served but never
/// documented; the API registers every handler through utoipa's `service`.
#[test]
fn api_handlers_are_registered_only_where_the_document_sees_them() {
    fn walk(dir: &std::path::Path, offenders: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read src/api") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, offenders);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                for (n, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or("");
                    if code.contains(".route(") || code.contains("web::resource(") {
                        offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    let mut offenders = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api"),
        &mut offenders,
    );
    assert!(
        offenders.is_empty(),
        "register API handlers with `cfg.service(handler)` and #[utoipa::path]:\n{}",
        offenders.join("\n")
    );
}

#[tokio::test]
async fn the_document_names_the_license_and_the_one_error_body() {
    let server = TestServer::start("");
    let doc: serde_json::Value = reqwest::get(server.url("/api/v1/openapi.json"))
        .await
        .expect("document")
        .json()
        .await
        .expect("json");
    assert_eq!(
        doc["info"]["license"]["identifier"], "Apache-2.0",
        "{}",
        doc["info"]
    );
    assert!(doc["info"].get("contact").is_none(), "{}", doc["info"]);
    let error_body = &doc["components"]["schemas"]["ErrorBody"];
    assert!(
        error_body["properties"]["field"].is_object(),
        "{error_body}"
    );
    let login_401 = &doc["paths"]["/api/v1/auth/login"]["post"]["responses"]["401"];
    assert_eq!(
        login_401["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody",
        "{login_401}"
    );
    // Every error answer of every operation documents that body.
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/json"]["schema"]["$ref"]
                            .as_str()
                            .is_some_and(|r| r.ends_with("/ErrorBody")),
                        "{method} {path} {status}: {response}"
                    );
                }
            }
        }
    }

    // `/` is the dashboard: without a session, its login page, which points programs to the API.
    let home = reqwest::get(server.url("/")).await.expect("home");
    assert_eq!(home.status(), 200);
    let page = home.text().await.expect("text");
    assert!(page.contains("/api/v1/openapi.json"), "{page}");
}
