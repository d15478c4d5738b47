//! The routes the server documents in its OpenAPI document, made requestable: path parameters
//! filled with dummy values, the role each needs read from its security requirement.
#![allow(dead_code)]

use crate::common::TestServer;
use serde_json::Value;

/// Roles from least to most.
pub const ROLES: [&str; 3] = ["viewer", "operator", "admin"];

/// One documented operation.
#[derive(Debug, Clone)]
pub struct Route {
    /// `GET`, `POST`, …
    pub method: String,
    /// As documented, e.g. `/api/v1/chargers/{id}`.
    pub template: String,
    /// With dummy parameters, e.g. `/api/v1/chargers/x`.
    pub path: String,
    /// The least role it needs; `None`: no credentials needed.
    pub role: Option<String>,
    /// Whether the role was read from the document (else from [`conventional_role`]).
    pub documented_role: bool,
}

impl std::fmt::Display for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.template)
    }
}

/// The served OpenAPI document (fetched without credentials).
pub async fn document(server: &TestServer) -> Value {
    let (status, doc) = server.api("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, 200, "{doc}");
    doc
}

/// A dummy value for a path parameter: a number that names nothing for integers, else text.
fn dummy(parameter: &Value) -> &'static str {
    match parameter["schema"]["type"].as_str() {
        Some("integer") | Some("number") => "987654",
        _ => "no-such-thing",
    }
}

/// The role a route without one in the document is taken to need: people and keys are for
/// admins, reads for viewers, everything else (commands) for operators.
pub fn conventional_role(method: &str, template: &str) -> &'static str {
    let admin_only = ["/api/v1/users", "/api/v1/api-keys", "/api/v1/audit"];
    if admin_only.iter().any(|p| template.starts_with(p)) {
        "admin"
    } else if method == "GET" {
        "viewer"
    } else {
        "operator"
    }
}

/// Every operation of the document.
pub fn routes(doc: &Value) -> Vec<Route> {
    let mut out = Vec::new();
    let paths = doc["paths"].as_object().expect("paths in the document");
    for (template, operations) in paths {
        for (method, op) in operations.as_object().expect("operations") {
            let method = method.to_uppercase();
            if !["GET", "POST", "PUT", "DELETE", "PATCH"].contains(&method.as_str()) {
                continue;
            }
            let mut path = template.clone();
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    let name = p["name"].as_str().expect("parameter name");
                    path = path.replace(&format!("{{{name}}}"), dummy(p));
                }
            }
            assert!(
                !path.contains('{'),
                "{method} {template}: undocumented path parameter"
            );
            let security = op["security"].as_array().filter(|s| !s.is_empty());
            let documented = security.and_then(|s| {
                s.iter()
                    .filter_map(|req| req["bearer"].as_array())
                    .flatten()
                    .filter_map(Value::as_str)
                    .find(|r| ROLES.contains(r))
                    .map(str::to_owned)
            });
            let role = match (security, &documented) {
                (None, _) => None,
                (Some(_), Some(r)) => Some(r.clone()),
                (Some(_), None) => Some(conventional_role(&method, template).to_owned()),
            };
            out.push(Route {
                documented_role: documented.is_some(),
                method,
                template: template.clone(),
                path,
                role,
            });
        }
    }
    out
}

/// Sends `route` with `credential` (a bearer token or key) and no body.
pub async fn request(server: &TestServer, route: &Route, credential: Option<&str>) -> (u16, Value) {
    server
        .api(&route.method, &route.path, credential, None)
        .await
}
