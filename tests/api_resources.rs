//! The read and management API against the real server: data made by OCPP chargers over real
//! WebSockets and through the API, then read back with filters, sorts, pages and exports.

mod common;

use chrono::{DateTime, Duration as Span, SecondsFormat, Utc};
use common::{basic_auth, refused_status, Charger, TestServer};
use serde_json::{json, Value};

/// "Now" for the times these tests make, fixed once so that differences between them are exact.
static NOW: std::sync::LazyLock<DateTime<Utc>> = std::sync::LazyLock::new(Utc::now);

/// An RFC 3339 time `span` before [`NOW`], to the second, as a charger would send it.
fn ago(span: Span) -> String {
    (*NOW - span).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The same time as the API writes it (milliseconds, `Z`).
fn api_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("time")
        .with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `GET path` as admin, expecting 200; the JSON body.
async fn get(server: &TestServer, token: &str, path: &str) -> Value {
    let (status, body) = server.api("GET", path, Some(token), None).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// The `field` of each item of a page, as strings (numbers too).
fn column(page: &Value, field: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|i| match &i[field] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// Checks that each request is refused with `status` and a body naming `field`.
async fn refused(
    server: &TestServer,
    token: &str,
    cases: &[(&str, &str, Option<Value>, u16, &str)],
) {
    for (method, path, body, status, field) in cases {
        let (got, answer) = server.api(method, path, Some(token), body.clone()).await;
        assert_eq!(got, *status, "{method} {path}: {answer}");
        assert_eq!(answer["field"], *field, "{method} {path}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{answer}"
        );
    }
}

/// A request with a raw body and content type; status, content type and body text.
async fn raw(
    server: &TestServer,
    method: &str,
    path: &str,
    token: &str,
    content_type: Option<&str>,
    body: Option<&str>,
) -> (u16, String, String) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = reqwest::Client::new()
        .request(method, server.url(path))
        .bearer_auth(token);
    if let Some(ct) = content_type {
        request = request.header("Content-Type", ct);
    }
    if let Some(b) = body {
        request = request.body(b.to_owned());
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let ct = response
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, ct, response.text().await.expect("body"))
}

async fn status(cp: &mut Charger, connector: u32, status: &str) {
    let answer = cp
        .call(
            "StatusNotification",
            json!({"connectorId": connector, "errorCode": "NoError", "status": status}),
        )
        .await;
    assert_eq!(answer[0], 3, "{answer}");
}

async fn start(cp: &mut Charger, connector: u32, tag: &str, meter: i64, at: &str) -> i64 {
    let answer = cp
        .call(
            "StartTransaction",
            json!({"connectorId": connector, "idTag": tag, "meterStart": meter, "timestamp": at}),
        )
        .await;
    answer[2]["transactionId"]
        .as_i64()
        .unwrap_or_else(|| panic!("{answer}"))
}

async fn stop(cp: &mut Charger, tx: i64, meter: i64, at: &str, reason: &str) {
    let answer = cp
        .call(
            "StopTransaction",
            json!({"transactionId": tx, "meterStop": meter, "timestamp": at, "reason": reason}),
        )
        .await;
    assert_eq!(answer[0], 3, "{answer}");
}

async fn meter(cp: &mut Charger, connector: u32, tx: i64, at: &str, values: Value) {
    let answer = cp
        .call(
            "MeterValues",
            json!({"connectorId": connector, "transactionId": tx,
                   "meterValue": [{"timestamp": at, "sampledValue": values}]}),
        )
        .await;
    assert_eq!(answer[0], 3, "{answer}");
}

#[tokio::test]
async fn chargers_are_listed_with_state_energy_filters_sorts_and_pages() {
    let server = TestServer::start("");
    let admin = server.admin_token().await;
    let mut a = server.booted("CP-A").await;
    let mut b = Charger::connect(&server, "CP-B").await;
    let boot = b
        .call(
            "BootNotification",
            json!({"chargePointVendor": "Acme", "chargePointModel": "Fast50",
                   "chargePointSerialNumber": "SER-9", "firmwareVersion": "2.0"}),
        )
        .await;
    assert_eq!(boot[2]["status"], "Accepted");
    status(&mut a, 1, "Charging").await;
    status(&mut a, 2, "Available").await;
    status(&mut b, 1, "Available").await;
    let (created, body) = server
        .api(
            "POST",
            "/api/v1/chargers",
            Some(&admin),
            Some(json!({"id": "CP-C"})),
        )
        .await;
    assert_eq!(created, 201, "{body}");
    let tx = start(&mut a, 1, "ANY", 1000, &ago(Span::hours(2))).await;
    stop(&mut a, tx, 3500, &ago(Span::hours(1)), "Local").await;
    let tx = start(&mut a, 1, "ANY", 10_000, &ago(Span::minutes(30))).await;
    stop(&mut a, tx, 10_250, &ago(Span::minutes(10)), "Local").await;
    start(&mut a, 2, "ANY", 0, &ago(Span::minutes(5))).await; // active: not counted
    server
        .wait_items("/api/v1/chargers?online=true", |online| online.len() == 2)
        .await;

    let all = get(&server, &admin, "/api/v1/chargers").await;
    assert_eq!(all["total"], 3, "{all}");
    assert_eq!(column(&all, "id"), ["CP-A", "CP-B", "CP-C"]);
    assert_eq!(column(&all, "energyWh"), ["2750", "0", "0"]);
    assert_eq!(column(&all, "online"), ["true", "true", "false"]);
    assert_eq!(
        column(&all, "registrationStatus"),
        ["Accepted", "Accepted", "null"]
    );
    let cp_a = &all["items"][0];
    assert_eq!(cp_a["vendor"], "TestVendor");
    assert_eq!(
        cp_a["connectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (
                c["connectorId"].as_i64().unwrap(),
                c["status"].as_str().unwrap()
            ))
            .collect::<Vec<_>>(),
        [(1, "Charging"), (2, "Available")]
    );
    assert!(cp_a["lastSeen"].as_str().unwrap().ends_with('Z'), "{cp_a}");
    assert!(cp_a["createdAt"].as_str().unwrap().ends_with('Z'), "{cp_a}");

    let table = [
        ("status=Charging", vec!["CP-A"]),
        ("status=Available", vec!["CP-A", "CP-B"]),
        ("online=false", vec!["CP-C"]),
        ("online=true", vec!["CP-A", "CP-B"]),
        ("vendor=acme", vec!["CP-B"]),
        ("model=FAST50", vec!["CP-B"]),
        ("model=FAST", vec![]),
        ("q=ser-9", vec!["CP-B"]),
        ("q=cp-", vec!["CP-A", "CP-B", "CP-C"]),
        ("q=%25", vec![]),
        ("q=test&online=true", vec!["CP-A"]),
        ("sort=id&order=desc", vec!["CP-C", "CP-B", "CP-A"]),
        ("sort=vendor&order=desc", vec!["CP-A", "CP-B", "CP-C"]),
        ("limit=1&offset=1", vec!["CP-B"]),
    ];
    for (query, expected) in table {
        let page = get(&server, &admin, &format!("/api/v1/chargers?{query}")).await;
        assert_eq!(column(&page, "id"), expected, "{query}: {page}");
    }
    let paged = get(&server, &admin, "/api/v1/chargers?limit=2").await;
    assert_eq!(
        (paged["total"].as_i64(), paged["limit"].as_i64()),
        (Some(3), Some(2))
    );

    let detail = get(&server, &admin, "/api/v1/chargers/CP-B").await;
    assert_eq!(detail["chargePointSerial"], "SER-9");
    assert_eq!(detail["firmwareVersion"], "2.0");
    assert_eq!(detail["hasPassword"], false);
    let (code, body) = server
        .api("GET", "/api/v1/chargers/CP-X", Some(&admin), None)
        .await;
    assert_eq!(
        (code, body["error"].as_str()),
        (404, Some("no charger CP-X"))
    );

    refused(
        &server,
        &admin,
        &[
            ("GET", "/api/v1/chargers?online=yes", None, 422, "online"),
            (
                "GET",
                "/api/v1/chargers?status=Dancing",
                None,
                422,
                "status",
            ),
            ("GET", "/api/v1/chargers?sort=password", None, 422, "sort"),
            ("GET", "/api/v1/chargers?order=up", None, 422, "order"),
            ("GET", "/api/v1/chargers?limit=0", None, 422, "limit"),
        ],
    )
    .await;
}

#[tokio::test]
async fn chargers_are_preregistered_edited_protected_and_deleted() {
    let server = TestServer::start("");
    let admin = server.admin_token().await;
    let password = "0123456789abcdef";
    let (code, made) = server
        .api(
            "POST",
            "/api/v1/chargers",
            Some(&admin),
            Some(json!({"id": "CP-P", "registrationStatus": "Pending", "password": password})),
        )
        .await;
    assert_eq!(code, 201, "{made}");
    assert_eq!(made["presetRegistrationStatus"], "Pending");
    assert_eq!(made["hasPassword"], true);
    assert_eq!(made["online"], false);

    refused(
        &server,
        &admin,
        &[
            (
                "POST",
                "/api/v1/chargers",
                Some(json!({"id": ""})),
                422,
                "id",
            ),
            (
                "POST",
                "/api/v1/chargers",
                Some(json!({"registrationStatus": "Pending"})),
                422,
                "id",
            ),
            (
                "POST",
                "/api/v1/chargers",
                Some(json!({"id": "X", "registrationStatus": "Maybe"})),
                422,
                "registrationStatus",
            ),
            (
                "POST",
                "/api/v1/chargers",
                Some(json!({"id": "X", "password": "short"})),
                422,
                "password",
            ),
            (
                "PUT",
                "/api/v1/chargers/CP-P",
                Some(json!({"registrationStatus": 3})),
                422,
                "registrationStatus",
            ),
            (
                "PUT",
                "/api/v1/chargers/CP-P/password",
                Some(json!({"password": "x".repeat(41)})),
                422,
                "password",
            ),
            (
                "PUT",
                "/api/v1/chargers/CP-P/password",
                Some(json!({})),
                422,
                "password",
            ),
        ],
    )
    .await;
    let (code, body) = server
        .api(
            "POST",
            "/api/v1/chargers",
            Some(&admin),
            Some(json!({"id": "CP-P"})),
        )
        .await;
    assert_eq!(code, 409, "{body}");

    // The password is required, and the preset status is what the boot gets.
    let bare = Charger::connect_with(&server, "CP-P", Some("ocpp1.6"), None).await;
    assert_eq!(bare.err().as_ref().and_then(refused_status), Some(401));
    let auth = basic_auth("CP-P", password);
    let mut cp = Charger::connect_with(&server, "CP-P", Some("ocpp1.6"), Some(&auth))
        .await
        .expect("connects with its password");
    let boot = json!({"chargePointVendor": "V", "chargePointModel": "M"});
    assert_eq!(
        cp.call("BootNotification", boot.clone()).await[2]["status"],
        "Pending"
    );

    let (code, edited) = server
        .api(
            "PUT",
            "/api/v1/chargers/CP-P",
            Some(&admin),
            Some(json!({"registrationStatus": "Accepted"})),
        )
        .await;
    assert_eq!(
        (code, &edited["presetRegistrationStatus"]),
        (200, &json!("Accepted")),
        "{edited}"
    );
    assert_eq!(
        cp.call("BootNotification", boot.clone()).await[2]["status"],
        "Accepted"
    );
    let detail = get(&server, &admin, "/api/v1/chargers/CP-P").await;
    assert_eq!(detail["registrationStatus"], "Accepted");
    let (_, cleared) = server
        .api(
            "PUT",
            "/api/v1/chargers/CP-P",
            Some(&admin),
            Some(json!({"registrationStatus": null})),
        )
        .await;
    assert_eq!(
        cleared["presetRegistrationStatus"],
        Value::Null,
        "{cleared}"
    );

    // A charger cannot be deleted while connected.
    let (code, body) = server
        .api("DELETE", "/api/v1/chargers/CP-P", Some(&admin), None)
        .await;
    assert_eq!(code, 409, "{body}");
    cp.close_and_wait().await;

    // A new password replaces the old; clearing it lets the charger in without one.
    let new_password = "fedcba9876543210fedcba";
    let (code, body) = server
        .api(
            "PUT",
            "/api/v1/chargers/CP-P/password",
            Some(&admin),
            Some(json!({"password": new_password})),
        )
        .await;
    assert_eq!(code, 204, "{body}");
    let old = Charger::connect_with(&server, "CP-P", Some("ocpp1.6"), Some(&auth)).await;
    assert_eq!(old.err().as_ref().and_then(refused_status), Some(401));
    let cp = Charger::connect_with(
        &server,
        "CP-P",
        Some("ocpp1.6"),
        Some(&basic_auth("CP-P", new_password)),
    )
    .await
    .expect("connects with the new password");
    cp.close_and_wait().await;
    let (code, _) = server
        .api(
            "DELETE",
            "/api/v1/chargers/CP-P/password",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(code, 204);
    let cp = Charger::connect_with(&server, "CP-P", Some("ocpp1.6"), None)
        .await
        .expect("connects without a password");
    cp.close_and_wait().await;

    server.wait_online("CP-P", false).await;
    // The supervisor may still hold the closed connection for a moment.
    let mut deleted = 0;
    for _ in 0..100 {
        let (code, _) = server
            .api("DELETE", "/api/v1/chargers/CP-P", Some(&admin), None)
            .await;
        deleted = code;
        if code != 409 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(deleted, 204);
    let (code, _) = server
        .api("GET", "/api/v1/chargers/CP-P", Some(&admin), None)
        .await;
    assert_eq!(code, 404);
    let (code, _) = server
        .api("DELETE", "/api/v1/chargers/CP-P", Some(&admin), None)
        .await;
    assert_eq!(code, 404);

    let audit = get(&server, &admin, "/api/v1/audit?target=CP-P&limit=100").await;
    let mut actions = column(&audit, "action");
    actions.sort();
    assert_eq!(
        actions,
        [
            "charger.create",
            "charger.delete",
            "charger.password.clear",
            "charger.password.set",
            "charger.update",
            "charger.update"
        ]
    );
    assert!(
        !audit.to_string().contains(password),
        "passwords stay out of the audit log"
    );
}

#[tokio::test]
async fn transactions_meter_values_csv_logs_and_stats() {
    let server = TestServer::start("");
    let admin = server.admin_token().await;
    for tag in ["TAG1", "TAG2"] {
        let (code, body) = server
            .api(
                "POST",
                "/api/v1/id-tags",
                Some(&admin),
                Some(json!({"idTag": tag})),
            )
            .await;
        assert_eq!(code, 201, "{body}");
    }
    let mut cp = server.booted("CP-T").await;
    status(&mut cp, 1, "Preparing").await;
    status(&mut cp, 1, "Charging").await;
    status(&mut cp, 2, "Charging").await;

    let (start1, stop1) = (ago(Span::hours(26)), ago(Span::hours(25)));
    let tx1 = start(&mut cp, 1, "TAG1", 100, &start1).await;
    let sample1 = ago(Span::minutes(25 * 60 + 30));
    meter(
        &mut cp,
        1,
        tx1,
        &sample1,
        json!([
            {"value": "600", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
            {"value": "7200", "measurand": "Power.Active.Import", "unit": "W"}
        ]),
    )
    .await;
    stop(&mut cp, tx1, 1100, &stop1, "Local").await;
    let start2 = ago(Span::hours(1));
    let tx2 = start(&mut cp, 2, "tag2", 0, &start2).await;
    meter(
        &mut cp,
        2,
        tx2,
        &ago(Span::minutes(30)),
        json!([{"value": "1.5", "unit": "kWh"}]),
    )
    .await;
    meter(
        &mut cp,
        2,
        tx2,
        &ago(Span::minutes(20)),
        json!([{"value": "2.5", "unit": "kWh"}]),
    )
    .await;
    let (one, two) = (tx1.to_string(), tx2.to_string());

    let all = get(&server, &admin, "/api/v1/transactions").await;
    assert_eq!(
        column(&all, "id"),
        [two.clone(), one.clone()],
        "newest first"
    );
    let t1 = &all["items"][1];
    assert_eq!(t1["chargePointId"], "CP-T");
    assert_eq!(t1["idTag"], "TAG1");
    assert_eq!(t1["meterStart"], 100);
    assert_eq!(t1["meterStop"], 1100);
    assert_eq!(t1["energyWh"], 1000);
    assert_eq!(t1["durationSecs"], 3600);
    assert_eq!(t1["stopReason"], "Local");
    assert_eq!(t1["active"], false);
    assert_eq!(t1["startTime"], api_time(&start1));
    assert_eq!(t1["stopTime"], api_time(&stop1));
    let t2 = &all["items"][0];
    assert_eq!(
        t2["energyWh"], 2500,
        "the latest register reading, in Wh: {t2}"
    );
    assert_eq!(t2["meterStop"], Value::Null);
    assert!(t2["durationSecs"].as_i64().unwrap() >= 3600, "{t2}");

    let from = urlencode(&ago(Span::hours(12)));
    let table = [
        ("state=active".to_owned(), vec![two.clone()]),
        ("state=completed".to_owned(), vec![one.clone()]),
        ("idTag=tag1".to_owned(), vec![one.clone()]),
        ("connectorId=2".to_owned(), vec![two.clone()]),
        (
            "chargePointId=CP-T&sort=id&order=asc".to_owned(),
            vec![one.clone(), two.clone()],
        ),
        ("chargePointId=CP-X".to_owned(), vec![]),
        (format!("from={from}"), vec![two.clone()]),
        (format!("to={from}"), vec![one.clone()]),
        (
            "sort=startTime&order=asc".to_owned(),
            vec![one.clone(), two.clone()],
        ),
        ("limit=1&offset=1".to_owned(), vec![one.clone()]),
    ];
    for (query, expected) in table {
        let page = get(&server, &admin, &format!("/api/v1/transactions?{query}")).await;
        assert_eq!(column(&page, "id"), expected, "{query}");
        assert_eq!(
            page["total"].as_u64(),
            Some(if query.starts_with("limit") {
                2
            } else {
                expected.len() as u64
            })
        );
    }
    let active = get(&server, &admin, "/api/v1/transactions/active").await;
    assert_eq!(column(&active, "id"), std::slice::from_ref(&two));
    assert_eq!(active["items"][0]["energyWh"], 2500);
    for (query, expected) in [
        ("chargePointId=CP-T", vec![two.clone()]),
        ("chargePointId=CP-X", vec![]),
        ("connectorId=1", vec![]),
        ("idTag=TAG2&state=active", vec![two.clone()]),
    ] {
        let page = get(
            &server,
            &admin,
            &format!("/api/v1/transactions/active?{query}"),
        )
        .await;
        assert_eq!(column(&page, "id"), expected, "active?{query}");
    }
    let (code, body) = server
        .api(
            "GET",
            "/api/v1/transactions/active?state=completed",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!((code, &body["field"]), (422, &json!("state")), "{body}");
    let detail = get(&server, &admin, &format!("/api/v1/transactions/{one}")).await;
    assert_eq!(detail["energyWh"], 1000);

    let series = get(
        &server,
        &admin,
        &format!("/api/v1/transactions/{one}/meter-values"),
    )
    .await;
    assert_eq!(series["total"], 2, "{series}");
    assert_eq!(series["items"][0]["sampledAt"], api_time(&sample1));
    let power = get(
        &server,
        &admin,
        &format!("/api/v1/transactions/{one}/meter-values?measurand=Power.Active.Import"),
    )
    .await;
    assert_eq!(column(&power, "value"), ["7200"]);
    let energy = get(
        &server,
        &admin,
        &format!("/api/v1/transactions/{two}/meter-values?measurand=Energy.Active.Import.Register&order=desc"),
    )
    .await;
    assert_eq!(
        column(&energy, "value"),
        ["2.5", "1.5"],
        "no measurand means the energy register"
    );

    refused(
        &server,
        &admin,
        &[
            (
                "GET",
                "/api/v1/transactions?from=yesterday",
                None,
                422,
                "from",
            ),
            (
                "GET",
                "/api/v1/transactions?to=2024-13-01T00:00:00Z",
                None,
                422,
                "to",
            ),
            ("GET", "/api/v1/transactions?state=done", None, 422, "state"),
            (
                "GET",
                "/api/v1/transactions?connectorId=one",
                None,
                422,
                "connectorId",
            ),
            ("GET", "/api/v1/transactions?sort=energy", None, 422, "sort"),
            (
                "GET",
                "/api/v1/transactions.csv?state=done",
                None,
                422,
                "state",
            ),
            (
                "GET",
                &format!("/api/v1/transactions/{one}/meter-values?from=x"),
                None,
                422,
                "from",
            ),
        ],
    )
    .await;
    for path in [
        "/api/v1/transactions/999999".to_owned(),
        "/api/v1/transactions/999999/meter-values".to_owned(),
    ] {
        let (code, body) = server.api("GET", &path, Some(&admin), None).await;
        assert_eq!(
            (code, body["error"].as_str()),
            (404, Some("no transaction 999999")),
            "{path}"
        );
    }

    // CSV with the list's filters.
    let (code, content_type, text) = raw(
        &server,
        "GET",
        "/api/v1/transactions.csv?sort=id&order=asc",
        &admin,
        None,
        None,
    )
    .await;
    assert_eq!(code, 200, "{text}");
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "id",
            "chargePointId",
            "connectorId",
            "idTag",
            "startTime",
            "stopTime",
            "meterStart",
            "meterStop",
            "energyWh",
            "durationSecs",
            "stopReason",
            "stopIdTag"
        ]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    let (started, stopped) = (api_time(&start1), api_time(&stop1));
    assert_eq!(
        rows[0][..11],
        [
            one.as_str(),
            "CP-T",
            "1",
            "TAG1",
            &started,
            &stopped,
            "100",
            "1100",
            "1000",
            "3600",
            "Local"
        ]
    );
    assert_eq!(
        (
            rows[1][0].as_str(),
            rows[1][7].as_str(),
            rows[1][8].as_str()
        ),
        (two.as_str(), "", "")
    );
    let (_, _, active_csv) = raw(
        &server,
        "GET",
        "/api/v1/transactions.csv?state=active",
        &admin,
        None,
        None,
    )
    .await;
    assert_eq!(active_csv.lines().count(), 2, "{active_csv}");

    // Status history and message log of the charger.
    let history = get(&server, &admin, "/api/v1/chargers/CP-T/status-history").await;
    assert_eq!(
        column(&history, "status"),
        ["Charging", "Charging", "Preparing"]
    );
    let one_connector = get(
        &server,
        &admin,
        "/api/v1/chargers/CP-T/status-history?connectorId=1&order=asc",
    )
    .await;
    assert_eq!(column(&one_connector, "status"), ["Preparing", "Charging"]);
    server
        .wait_messages("CP-T", |log| {
            log.iter()
                .filter(|m| m["action"] == "StartTransaction")
                .count()
                == 2
        })
        .await;
    let starts = get(
        &server,
        &admin,
        "/api/v1/chargers/CP-T/messages?action=StartTransaction",
    )
    .await;
    assert_eq!(starts["total"], 2, "{starts}");
    assert_eq!(column(&starts, "direction"), ["in", "in"]);
    assert!(starts["items"][0]["payload"]
        .as_str()
        .unwrap()
        .contains("tag2"));
    let out = get(
        &server,
        &admin,
        "/api/v1/chargers/CP-T/messages?direction=out&limit=1000",
    )
    .await;
    assert!(
        column(&out, "messageType").iter().all(|t| t == "3"),
        "{out}"
    );
    let since = urlencode(&ago(Span::days(1)));
    let recent = get(
        &server,
        &admin,
        &format!("/api/v1/chargers/CP-T/messages?from={since}&limit=1"),
    )
    .await;
    assert_eq!(recent["items"].as_array().map(Vec::len), Some(1));
    refused(
        &server,
        &admin,
        &[
            (
                "GET",
                "/api/v1/chargers/CP-T/messages?direction=sideways",
                None,
                422,
                "direction",
            ),
            (
                "GET",
                "/api/v1/chargers/CP-T/messages?to=noon",
                None,
                422,
                "to",
            ),
            (
                "GET",
                "/api/v1/chargers/CP-T/status-history?status=Busy",
                None,
                422,
                "status",
            ),
            (
                "GET",
                "/api/v1/chargers/CP-T/status-history?connectorId=x",
                None,
                422,
                "connectorId",
            ),
        ],
    )
    .await;
    for path in [
        "/api/v1/chargers/CP-X/messages",
        "/api/v1/chargers/CP-X/status-history",
    ] {
        let (code, _) = server.api("GET", path, Some(&admin), None).await;
        assert_eq!(code, 404, "{path}");
    }

    // Stats over the last week.
    server
        .wait_items("/api/v1/chargers?online=true", |online| online.len() == 1)
        .await;
    let stats = get(&server, &admin, "/api/v1/stats?days=7").await;
    assert_eq!(
        (
            stats["chargers"].as_i64(),
            stats["online"].as_i64(),
            stats["offline"].as_i64()
        ),
        (Some(1), Some(1), Some(0))
    );
    assert_eq!(stats["activeSessions"], 1);
    assert_eq!(stats["connectorsByStatus"], json!({"Charging": 2}));
    assert_eq!(stats["chargersByStatus"], json!({"Charging": 1}));
    let days = stats["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(
        days.last().unwrap()["date"],
        Utc::now().format("%Y-%m-%d").to_string()
    );
    let sessions: i64 = days.iter().map(|d| d["sessions"].as_i64().unwrap()).sum();
    let energy: i64 = days.iter().map(|d| d["energyWh"].as_i64().unwrap()).sum();
    assert_eq!((sessions, energy), (2, 1000), "{stats}");
    assert_eq!(
        get(&server, &admin, "/api/v1/stats").await["days"]
            .as_array()
            .map(Vec::len),
        Some(30)
    );
    refused(
        &server,
        &admin,
        &[("GET", "/api/v1/stats?days=400", None, 422, "days")],
    )
    .await;
}

fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn id_tags_are_managed_imported_and_used_by_chargers() {
    let server = TestServer::start("");
    let admin = server.admin_token().await;
    let mut cp = server.booted("CP-I").await;
    let authorize = |answer: Value| {
        answer[2]["idTagInfo"]["status"]
            .as_str()
            .unwrap_or("?")
            .to_owned()
    };

    let (code, tag) = server
        .api(
            "POST",
            "/api/v1/id-tags",
            Some(&admin),
            Some(json!({"idTag": "AbC123", "status": "Blocked", "expiryDate": "2030-01-01T00:00:00+02:00", "parentIdTag": "GROUP"})),
        )
        .await;
    assert_eq!(code, 201, "{tag}");
    assert_eq!(tag["expiryDate"], "2029-12-31T22:00:00.000Z");
    assert_eq!(tag["parentIdTag"], "GROUP");
    assert_eq!(
        authorize(cp.call("Authorize", json!({"idTag": "abc123"})).await),
        "Blocked"
    );
    let (code, body) = server
        .api(
            "POST",
            "/api/v1/id-tags",
            Some(&admin),
            Some(json!({"idTag": "ABC123"})),
        )
        .await;
    assert_eq!(code, 409, "the same tag in another case: {body}");
    refused(
        &server,
        &admin,
        &[
            (
                "POST",
                "/api/v1/id-tags",
                Some(json!({"idTag": "X".repeat(21)})),
                422,
                "idTag",
            ),
            (
                "POST",
                "/api/v1/id-tags",
                Some(json!({"status": "Accepted"})),
                422,
                "idTag",
            ),
            (
                "POST",
                "/api/v1/id-tags",
                Some(json!({"idTag": "X", "status": "Lost"})),
                422,
                "status",
            ),
            (
                "POST",
                "/api/v1/id-tags",
                Some(json!({"idTag": "X", "expiryDate": "soon"})),
                422,
                "expiryDate",
            ),
            (
                "POST",
                "/api/v1/id-tags",
                Some(json!({"idTag": "X", "parentIdTag": "x"})),
                422,
                "parentIdTag",
            ),
            (
                "POST",
                "/api/v1/id-tags",
                Some(json!({"idTag": "X", "colour": "red"})),
                422,
                "colour",
            ),
            (
                "PUT",
                "/api/v1/id-tags/abc123",
                Some(json!({"expiryDate": "later"})),
                422,
                "expiryDate",
            ),
            ("GET", "/api/v1/id-tags?status=Lost", None, 422, "status"),
        ],
    )
    .await;

    let found = get(&server, &admin, "/api/v1/id-tags/ABC123").await;
    assert_eq!(found["idTag"], "AbC123");
    let (code, changed) = server
        .api(
            "PUT",
            "/api/v1/id-tags/abc123",
            Some(&admin),
            Some(json!({"status": "Accepted", "expiryDate": null})),
        )
        .await;
    assert_eq!(code, 200, "{changed}");
    assert_eq!(
        (
            &changed["status"],
            &changed["expiryDate"],
            &changed["parentIdTag"]
        ),
        (&json!("Accepted"), &Value::Null, &json!("GROUP"))
    );
    assert_eq!(
        authorize(cp.call("Authorize", json!({"idTag": "ABC123"})).await),
        "Accepted"
    );
    let (_, _) = server
        .api(
            "PUT",
            "/api/v1/id-tags/abc123",
            Some(&admin),
            Some(json!({"expiryDate": "2001-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(
        authorize(cp.call("Authorize", json!({"idTag": "ABC123"})).await),
        "Expired"
    );

    // Import: header row, created and updated counts, bad lines named.
    let csv = "idTag,status,expiryDate,parentIdTag\n\
               NEW-1,Accepted,,GROUP\n\
               abc123,Blocked,,\n\
               NEW-2,Lost,,\n\
               NEW-3,,2031-05-01T00:00:00Z,\n\
               ,Accepted,,\n\
               NEW-4,Accepted,tomorrow,\n\
               new-1,Blocked,,\n";
    let (code, _, text) = raw(
        &server,
        "POST",
        "/api/v1/id-tags/import",
        &admin,
        Some("text/csv"),
        Some(csv),
    )
    .await;
    assert_eq!(code, 200, "{text}");
    let result: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (result["created"].as_i64(), result["updated"].as_i64()),
        (Some(2), Some(1)),
        "{result}"
    );
    let errors: Vec<(i64, &str)> = result["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap(),
                e["field"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [(4, "status"), (6, "idTag"), (7, "expiryDate"), (8, "idTag")]
    );
    assert_eq!(
        authorize(cp.call("Authorize", json!({"idTag": "abc123"})).await),
        "Blocked"
    );
    assert_eq!(
        authorize(cp.call("Authorize", json!({"idTag": "NEW-1"})).await),
        "Accepted"
    );
    let (code, _, text) = raw(
        &server,
        "POST",
        "/api/v1/id-tags/import",
        &admin,
        Some("application/json"),
        Some("{}"),
    )
    .await;
    assert_eq!(code, 400, "{text}");
    assert!(text.contains("text/csv"), "{text}");
    let (code, _, text) = raw(
        &server,
        "POST",
        "/api/v1/id-tags/import",
        &admin,
        Some("text/csv"),
        Some("tag,status\nA,Accepted\n"),
    )
    .await;
    assert_eq!(code, 422, "{text}");
    assert!(text.contains("\"field\":\"header\""), "{text}");

    // Lists: filters, sorts, pages.
    let table = [
        ("", vec!["AbC123", "NEW-1", "NEW-3"]),
        ("status=Blocked", vec!["AbC123"]),
        ("parentIdTag=group", vec!["NEW-1"]),
        ("q=new", vec!["NEW-1", "NEW-3"]),
        ("sort=idTag&order=desc", vec!["NEW-3", "NEW-1", "AbC123"]),
        ("sort=expiryDate&order=desc&limit=1", vec!["NEW-3"]),
        ("limit=2&offset=2", vec!["NEW-3"]),
    ];
    for (query, expected) in table {
        let page = get(&server, &admin, &format!("/api/v1/id-tags?{query}")).await;
        assert_eq!(column(&page, "idTag"), expected, "{query}");
    }

    let (code, _) = server
        .api("DELETE", "/api/v1/id-tags/ABC123", Some(&admin), None)
        .await;
    assert_eq!(code, 204);
    let (code, body) = server
        .api("GET", "/api/v1/id-tags/abc123", Some(&admin), None)
        .await;
    assert_eq!(
        (code, body["error"].as_str()),
        (404, Some("no id tag abc123"))
    );
    assert_eq!(
        authorize(cp.call("Authorize", json!({"idTag": "abc123"})).await),
        "Invalid"
    );
    let (code, _) = server
        .api("DELETE", "/api/v1/id-tags/ABC123", Some(&admin), None)
        .await;
    assert_eq!(code, 404);

    let audit = get(&server, &admin, "/api/v1/audit?limit=100").await;
    let actions = column(&audit, "action");
    for action in [
        "id_tag.create",
        "id_tag.update",
        "id_tag.import",
        "id_tag.delete",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} audited: {actions:?}"
        );
    }
    let import = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "id_tag.import")
        .unwrap();
    let request: Value = serde_json::from_str(import["request"].as_str().unwrap()).unwrap();
    assert_eq!(
        request,
        json!({"created": 2, "updated": 1, "errors": 4}),
        "the import's totals are audited"
    );
}

#[tokio::test]
async fn unknown_routes_and_bad_bodies_get_json_errors() {
    let server = TestServer::start("");
    let admin = server.admin_token().await;
    for (method, path) in [
        ("GET", "/api/v1/no-such-thing"),
        ("PATCH", "/api/v1/chargers"),
        ("GET", "/api/v1/chargers/a/b/c"),
    ] {
        let (code, body) = server.api(method, path, Some(&admin), None).await;
        assert_eq!(
            (code, body),
            (404, json!({"error": "no such route"})),
            "{method} {path}"
        );
    }
    let (code, _, text) = raw(
        &server,
        "POST",
        "/api/v1/id-tags",
        &admin,
        Some("application/json"),
        Some("{not json"),
    )
    .await;
    assert_eq!(code, 400, "{text}");
    assert!(text.contains("\"error\""), "{text}");

    // Well-formed JSON with a wrong field: a 422 naming it, on every route with a body.
    let cases = [
        (
            "POST",
            "/api/v1/auth/login",
            json!({"username": "admin"}),
            "password",
        ),
        (
            "POST",
            "/api/v1/auth/login",
            json!({"username": 7, "password": "x"}),
            "username",
        ),
        ("POST", "/api/v1/auth/login", json!("admin"), "body"),
        (
            "POST",
            "/api/v1/users",
            json!({"username": "u1", "password": "long-enough-1", "role": "king"}),
            "role",
        ),
        ("PUT", "/api/v1/users/admin", json!({"role": 3}), "role"),
        ("POST", "/api/v1/api-keys", json!({"name": "k"}), "role"),
        ("POST", "/api/v1/chargers", json!({"id": 5}), "id"),
        ("POST", "/api/v1/transactions/1/close", json!({}), "reason"),
        (
            "POST",
            "/api/v1/chargers/CP-1/sessions/start",
            json!({"idTag": "T", "connectorId": -1}),
            "connectorId",
        ),
    ];
    for (method, path, body, field) in cases {
        let (code, answer) = server.api(method, path, Some(&admin), Some(body)).await;
        assert_eq!(code, 422, "{method} {path}: {answer}");
        assert_eq!(answer["field"], field, "{method} {path}: {answer}");
        assert!(answer["error"].is_string(), "{answer}");
    }
}

#[tokio::test]
async fn metrics_count_frames_calls_commits_and_requests() {
    let server = TestServer::start("");
    let mut cp = server.booted("CP-M").await;
    cp.call("Heartbeat", json!({})).await;
    cp.call("NoSuchAction", json!({})).await;
    server.wait_online("CP-M", true).await;
    let (code, _) = server.api("GET", "/api/v1/chargers", None, None).await;
    assert_eq!(code, 401);

    let response = reqwest::get(server.url("/metrics")).await.expect("metrics");
    assert_eq!(response.status().as_u16(), 200, "no credentials needed");
    let text = response.text().await.unwrap();
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("no {series} in\n{text}"))
    };
    assert_eq!(value("csms_chargers_connected "), 1.0);
    assert_eq!(
        value(r#"csms_ocpp_calls_total{action="BootNotification",direction="in"}"#),
        1.0
    );
    assert_eq!(
        value(r#"csms_ocpp_calls_total{action="Heartbeat",direction="in"}"#),
        1.0
    );
    assert_eq!(
        value(r#"csms_ocpp_calls_total{action="other",direction="in"}"#),
        1.0
    );
    assert_eq!(
        value(r#"csms_ocpp_call_errors_total{code="NotImplemented",direction="out"}"#),
        1.0
    );
    assert_eq!(
        value(r#"csms_ocpp_frames_total{direction="out",type="result"}"#),
        2.0
    );
    assert_eq!(value("csms_ocpp_outstanding_calls "), 0.0);
    assert!(value("csms_db_commit_seconds_count ") >= 1.0);
    assert!(value("csms_db_commit_batch_size_sum ") >= 1.0);
    assert!(
        value(
            r#"csms_http_request_duration_seconds_count{method="GET",route="/api/v1/chargers",status="401"}"#
        ) >= 1.0
    );
}
