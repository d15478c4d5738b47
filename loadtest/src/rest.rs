//! The few csms REST API calls a load run makes: log in (or use an API key), register the
//! run's id tags, list the active transactions, and read from `/metrics` how many
//! transactions the server ended by itself.

use crate::http::{self, Answer};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

/// Longest wait for one API answer (an import of many tags takes a while).
const TIMEOUT: Duration = Duration::from_secs(60);
/// Items per page of a list (the API's maximum).
const PAGE: usize = 1000;
/// The Prometheus counter of transactions the server ended without a StopTransaction.
const ENDED_BY_SERVER: &str = "csms_transactions_ended_by_server_total";

/// How to authenticate.
#[derive(Debug, Clone, PartialEq)]
pub enum Credentials {
    /// An API key (`csms_…`).
    Key(String),
    /// A user and password, exchanged for a token.
    Login { user: String, password: String },
}

/// A transaction the server holds open.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveTransaction {
    pub id: i32,
    pub charge_point_id: String,
    pub connector_id: i32,
    pub id_tag: String,
}

/// A logged-in client of one csms server.
#[derive(Debug, Clone)]
pub struct Rest {
    addr: SocketAddr,
    /// The API's path prefix, e.g. `/api/v1`.
    base: String,
    bearer: String,
}

/// The REST API of the server whose OCPP endpoint is `ws_url`: same address, `/api/v1`.
pub fn api_url_for(ws_url: &str) -> Result<String, String> {
    let rest = ws_url
        .split_once("://")
        .map(|(_, rest)| rest)
        .ok_or_else(|| format!("cannot read an address from {ws_url:?}"))?;
    let authority = rest.split('/').next().unwrap_or(rest);
    Ok(format!("http://{authority}/api/v1"))
}

/// `http://HOST:PORT/PATH` as an address and a path.
fn split_url(url: &str) -> Result<(SocketAddr, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url:?}: only http:// on loopback"))?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let authority = authority.replace("localhost", "127.0.0.1");
    let addr: SocketAddr = authority
        .parse()
        .or_else(|_| format!("{authority}:80").parse())
        .map_err(|_| format!("{url:?}: give the address as IP:PORT"))?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "{} is not a loopback address; loadtest only targets this machine",
            addr.ip()
        ));
    }
    Ok((addr, format!("/{}", path.trim_end_matches('/'))))
}

/// The body of a 2xx answer, or an error naming what was asked and what came back.
fn ok(what: &str, answer: Answer) -> Result<String, String> {
    if (200..300).contains(&answer.status) {
        Ok(answer.body)
    } else {
        Err(format!(
            "{what}: HTTP {} {}",
            answer.status,
            answer.body.chars().take(300).collect::<String>()
        ))
    }
}

impl Rest {
    /// Connects to the API at `url` (e.g. `http://127.0.0.1:9180/api/v1`), logging in if
    /// the credentials are a user and password.
    pub fn connect(url: &str, credentials: &Credentials) -> Result<Rest, String> {
        let (addr, base) = split_url(url)?;
        let bearer = match credentials {
            Credentials::Key(key) => key.clone(),
            Credentials::Login { user, password } => {
                let body = json!({"username": user, "password": password}).to_string();
                let answer = http::request(
                    addr,
                    "POST",
                    &format!("{base}/auth/login"),
                    &[("Content-Type", "application/json")],
                    body.as_bytes(),
                    TIMEOUT,
                )?;
                let text = ok(&format!("log in as {user}"), answer)?;
                let value: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
                value["token"]
                    .as_str()
                    .ok_or("log in: no token in the answer")?
                    .to_owned()
            }
        };
        Ok(Rest { addr, base, bearer })
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<String, String> {
        let auth = format!("Bearer {}", self.bearer);
        let mut headers = vec![("Authorization", auth.as_str())];
        if !content_type.is_empty() {
            headers.push(("Content-Type", content_type));
        }
        let full = format!("{}{path}", self.base);
        let answer = http::request(self.addr, method, &full, &headers, body, TIMEOUT)?;
        ok(&format!("{method} {full}"), answer)
    }

    /// Registers `tags` as Accepted (CSV import: new ones created, known ones updated).
    pub fn import_tags(&self, tags: &[String]) -> Result<(), String> {
        for slice in tags.chunks(10_000) {
            let mut csv = String::from("idTag,status\n");
            for tag in slice {
                csv.push_str(tag);
                csv.push_str(",Accepted\n");
            }
            let text = self.call("POST", "/id-tags/import", "text/csv", csv.as_bytes())?;
            let value: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            let errors = value["errors"].as_array().map_or(0, Vec::len);
            if errors > 0 {
                return Err(format!("id tag import refused {errors} lines: {value}"));
            }
        }
        Ok(())
    }

    /// Every transaction the server holds open whose charger id starts with `prefix`.
    pub fn active_transactions(&self, prefix: &str) -> Result<Vec<ActiveTransaction>, String> {
        let mut found = BTreeMap::new();
        let mut offset = 0;
        loop {
            let path = format!(
                "/transactions?state=active&sort=id&order=asc&limit={PAGE}&offset={offset}"
            );
            let text = self.call("GET", &path, "", &[])?;
            let page: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            let items = page["items"].as_array().cloned().unwrap_or_default();
            for item in &items {
                let t = ActiveTransaction {
                    id: item["id"].as_i64().unwrap_or(0) as i32,
                    charge_point_id: item["chargePointId"].as_str().unwrap_or("").to_owned(),
                    connector_id: item["connectorId"].as_i64().unwrap_or(0) as i32,
                    id_tag: item["idTag"].as_str().unwrap_or("").to_owned(),
                };
                if t.charge_point_id.starts_with(prefix) {
                    found.insert(t.id, t);
                }
            }
            offset += items.len();
            let total = page["total"].as_u64().unwrap_or(0) as usize;
            if items.is_empty() || offset >= total {
                return Ok(found.into_values().collect());
            }
        }
    }

    /// The transactions the server has ended by itself since it started, by reason
    /// (`/metrics`; the whole server, not only this run).
    pub fn ended_by_server(&self) -> Result<BTreeMap<String, u64>, String> {
        let answer = http::request(self.addr, "GET", "/metrics", &[], &[], TIMEOUT)?;
        Ok(parse_ended(&ok("GET /metrics", answer)?))
    }
}

/// Reads `csms_transactions_ended_by_server_total{reason="X"} N` lines.
fn parse_ended(metrics: &str) -> BTreeMap<String, u64> {
    metrics
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(ENDED_BY_SERVER)?;
            let reason = rest.split("reason=\"").nth(1)?.split('"').next()?;
            let n = rest.rsplit(' ').next()?.trim().parse::<f64>().ok()?;
            Some((reason.to_owned(), n as u64))
        })
        .collect()
}

/// What was ended between two readings of [`Rest::ended_by_server`].
pub fn ended_between(
    before: &BTreeMap<String, u64>,
    after: &BTreeMap<String, u64>,
) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(k, n)| {
            (
                k.clone(),
                n.saturating_sub(before.get(k).copied().unwrap_or(0)),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_metrics_are_read() {
        assert_eq!(
            api_url_for("ws://127.0.0.1:9180/ocpp").unwrap(),
            "http://127.0.0.1:9180/api/v1"
        );
        let (addr, base) = split_url("http://127.0.0.1:9180/api/v1/").unwrap();
        assert_eq!((addr.port(), base.as_str()), (9180, "/api/v1"));
        assert!(split_url("http://10.1.1.1:80/api/v1").is_err());
        assert!(split_url("https://127.0.0.1/api/v1").is_err());
        let text = "# HELP x\n\
            csms_transactions_ended_by_server_total{reason=\"ChargerRebooted\"} 12\n\
            csms_transactions_ended_by_server_total{reason=\"StartRefused\"} 3\n\
            csms_other_total 5\n";
        let after = parse_ended(text);
        assert_eq!(after.get("ChargerRebooted"), Some(&12));
        let before = BTreeMap::from([("ChargerRebooted".to_owned(), 10)]);
        assert_eq!(
            ended_between(&before, &after),
            BTreeMap::from([
                ("ChargerRebooted".to_owned(), 2),
                ("StartRefused".to_owned(), 3)
            ])
        );
    }
}
