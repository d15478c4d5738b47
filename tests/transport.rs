//! The OCPP-J transport against the real server over real sockets: frames, subprotocol,
//! limits, the handshake's policies and the connection lifecycle, checked on the wire and in
//! the store.

mod common;

use common::{basic_auth, header, refused_status, Charger, Store, TestServer, PATIENCE};
use csms::db::{charger_records as records, readings};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const FORMATION: &str = "FormationViolation";

/// After `after`, the connection still serves: the very next frame is the Heartbeat's answer
/// (so nothing else was sent in between).
async fn still_answers(cp: &mut Charger, after: &str) {
    let id = cp.send_call("Heartbeat", json!({})).await;
    let frame = cp.recv().await;
    assert_eq!(
        (&frame[0], &frame[1]),
        (&json!(3), &json!(id)),
        "after {after}: {frame}"
    );
    assert!(
        frame[2]["currentTime"].is_string(),
        "after {after}: {frame}"
    );
}

/// Sends `text`; the next frame must be `[4, id, code, description, {}]`, and the connection
/// must go on answering.
async fn check_refused(cp: &mut Charger, text: &str, id: &str, code: &str) {
    cp.send_text(text).await;
    let frame = cp.recv().await;
    assert_eq!(frame.as_array().map(Vec::len), Some(5), "{text} -> {frame}");
    assert_eq!(
        (&frame[0], &frame[1], &frame[2]),
        (&json!(4), &json!(id), &json!(code)),
        "{text} -> {frame}"
    );
    assert!(
        frame[3].is_string(),
        "{text} -> {frame}: description must be a string"
    );
    assert_eq!(frame[4], json!({}), "{text} -> {frame}: details");
    still_answers(cp, text).await;
}

#[tokio::test]
async fn malformed_frames_get_the_spec_callerror_and_the_connection_lives_on() {
    let server = TestServer::start("");
    let mut cp = server.booted("CP-BAD").await;
    let id_37 = format!(r#"[2,"{}","Heartbeat",{{}}]"#, "x".repeat(37));
    let table: &[(&str, &str, &str)] = &[
        ("not json", "-1", FORMATION),
        (r#"{"a":1}"#, "-1", FORMATION),
        ("[]", "-1", FORMATION),
        (r#"["2","b1","Heartbeat",{}]"#, "-1", FORMATION),
        ("[2]", "-1", FORMATION),
        (r#"[2,"b2","Heartbeat"]"#, "b2", FORMATION),
        (r#"[2,7,"Heartbeat",{}]"#, "-1", FORMATION),
        (id_37.as_str(), "-1", FORMATION),
        (r#"[2,"b3","Heartbeat",[]]"#, "b3", FORMATION),
        (r#"[2,"b4","Heartbeat","{}"]"#, "b4", FORMATION),
        (r#"[2,"b5",7,{}]"#, "b5", FORMATION),
        (r#"[2,"b6","FlyToTheMoon",{}]"#, "b6", "NotImplemented"),
        (r#"[2,"b7","Reset",{"type":"Soft"}]"#, "b7", "NotSupported"),
        (
            r#"[2,"b8","StatusNotification",{"connectorId":1,"status":"Available"}]"#,
            "b8",
            "OccurenceConstraintViolation",
        ),
        (
            r#"[2,"b9","StatusNotification",{"connectorId":"1","errorCode":"NoError","status":"Available"}]"#,
            "b9",
            "TypeConstraintViolation",
        ),
        (
            r#"[2,"b10","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Sleeping"}]"#,
            "b10",
            "PropertyConstraintViolation",
        ),
        (
            r#"[2,"b11","Authorize",{"idTag":"123456789012345678901"}]"#,
            "b11",
            "PropertyConstraintViolation",
        ),
    ];
    for (text, id, code) in table {
        check_refused(&mut cp, text, id, code).await;
    }
    // The longest message id allowed is served.
    let id_36 = "y".repeat(36);
    cp.send_text(&json!([2, id_36, "Heartbeat", {}]).to_string())
        .await;
    let answer = cp.recv().await;
    assert_eq!(
        (&answer[0], &answer[1]),
        (&json!(3), &json!(id_36)),
        "{answer}"
    );

    assert_eq!(
        server.connectors("CP-BAD").await,
        Vec::<Value>::new(),
        "nothing refused is stored"
    );
    let unreadable = table
        .iter()
        .filter(|(_, _, code)| *code == FORMATION)
        .count();
    let count = |log: &[Value], direction: &str, message_type: i64| {
        log.iter()
            .filter(|m| m["direction"] == direction && m["messageType"] == message_type)
            .count()
    };
    server
        .wait_messages("CP-BAD", |log| {
            count(log, "in", 0) == unreadable && count(log, "out", 4) == table.len()
        })
        .await;
}

#[tokio::test]
async fn unknown_message_types_and_unmatched_answers_are_ignored() {
    let server = TestServer::start("");
    let mut cp = server.booted("CP-IGNORE").await;
    for text in [
        r#"[5,"x1",{}]"#,
        "[9]",
        r#"[3,"nobody-asked",{"status":"Accepted"}]"#,
        r#"[4,"nobody-asked","GenericError","",{}]"#,
        r#"[3,"broken"]"#,
    ] {
        cp.send_text(text).await;
        still_answers(&mut cp, text).await;
    }
}

#[tokio::test]
async fn subprotocol_ocpp16_is_agreed_and_anything_else_is_closed() {
    let server = TestServer::start("");
    for (id, offered) in [
        ("CP-P1", Some("ocpp1.6")),
        ("CP-P2", Some("ocpp2.0.1, ocpp1.6")),
    ] {
        let (head, cp) = Charger::connect_raw(&server, id, offered).await;
        assert!(head.starts_with("HTTP/1.1 101"), "{offered:?}: {head}");
        assert_eq!(
            header(&head, "Sec-WebSocket-Protocol"),
            Some("ocpp1.6"),
            "{offered:?}: {head}"
        );
        let mut cp = cp.expect("upgraded");
        still_answers(&mut cp, &format!("offering {offered:?}")).await;
    }
    for (id, offered) in [("CP-P3", Some("ocpp2.0.1")), ("CP-P4", None)] {
        let (head, cp) = Charger::connect_raw(&server, id, offered).await;
        assert!(
            head.starts_with("HTTP/1.1 101"),
            "{offered:?}: the handshake completes: {head}"
        );
        assert_eq!(
            header(&head, "Sec-WebSocket-Protocol"),
            None,
            "{offered:?}: {head}"
        );
        let closed = cp.expect("upgraded").closed().await;
        assert_eq!(
            closed.map(|(code, _)| code),
            Some(1002),
            "{offered:?}: the server closes the connection"
        );
    }
}

#[tokio::test]
async fn calls_sent_back_to_back_are_answered_in_order() {
    let server = TestServer::start("");
    let mut cp = server.booted("CP-PIPE").await;
    let sent = [
        cp.send_call("StatusNotification", json!({"connectorId": 1, "errorCode": "NoError", "status": "Charging"})).await,
        cp.send_call("Heartbeat", json!({})).await,
        cp.send_call("Authorize", json!({"idTag": "NOBODY"})).await,
        cp.send_call(
            "MeterValues",
            json!({"connectorId": 1, "meterValue": [{"timestamp": "2024-05-01T10:00:00Z", "sampledValue": [{"value": "42"}]}]}),
        )
        .await,
    ];
    let mut answers = Vec::new();
    for _ in &sent {
        answers.push(cp.recv().await);
    }
    let ids: Vec<_> = answers
        .iter()
        .map(|a| a[1].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ids, sent, "{answers:?}");
    assert!(answers.iter().all(|a| a[0] == 3), "{answers:?}");
    assert!(answers[1][2]["currentTime"].is_string(), "{answers:?}");
    assert_eq!(
        answers[2][2]["idTagInfo"]["status"], "Invalid",
        "{answers:?}"
    );

    assert_eq!(connector_statuses(&server, "CP-PIPE").await, ["Charging"]);
    assert_eq!(
        server
            .store()
            .read(|c| readings::values_of_charger(c, "CP-PIPE")),
        ["42"]
    );
}

#[tokio::test]
async fn a_frame_over_the_limit_closes_with_1009() {
    let server = TestServer::start("[ocpp]\nmax_frame_bytes = 2048");
    let mut cp = server.booted("CP-BIG").await;
    // Just under the limit is served.
    let fits = cp
        .call(
            "DataTransfer",
            json!({"vendorId": "v", "data": "x".repeat(1500)}),
        )
        .await;
    assert_eq!(fits[0], 3, "{fits}");
    let store = server.store();
    let lengths = |store: &Store| -> Vec<usize> {
        store
            .read(|c| records::data_transfers_of(c, "CP-BIG"))
            .iter()
            .map(|t| t.data.as_deref().map_or(0, str::len))
            .collect()
    };
    assert_eq!(lengths(&store), [1502]);

    cp.send_call(
        "DataTransfer",
        json!({"vendorId": "v", "data": "x".repeat(3000)}),
    )
    .await;
    assert_eq!(cp.closed().await.map(|(code, _)| code), Some(1009));
    server.wait_online("CP-BIG", false).await;
    assert_eq!(
        store.read(records::data_transfer_count),
        1,
        "the oversized frame is not stored"
    );
}

#[tokio::test]
async fn a_second_connection_replaces_the_first() {
    let server = TestServer::start("");
    let mut first = server.booted("CP-DUP").await;
    let mut second = Charger::connect(&server, "CP-DUP").await;
    let (_, reason) = first
        .closed()
        .await
        .expect("the old connection gets a close frame");
    assert!(reason.contains("replaced"), "close reason {reason:?}");

    // The new connection is served (no new boot needed).
    let status = second
        .call(
            "StatusNotification",
            json!({"connectorId": 1, "errorCode": "NoError", "status": "Available"}),
        )
        .await;
    assert_eq!(status, json!([3, status[1], {}]));

    // The old connection's actor has stopped and unregistered; a registration handled after
    // it by the supervisor is a barrier for any offline write it could have caused.
    server.wait_log("charger CP-DUP: disconnected", 1).await;
    let _barrier = Charger::connect(&server, "CP-BARRIER").await;
    server.wait_online("CP-BARRIER", true).await;
    assert_eq!(server.charger("CP-DUP").await["online"], true);
    assert_eq!(connector_statuses(&server, "CP-DUP").await, ["Available"]);
    still_answers(&mut second, "the replaced connection closed").await;
}

/// The statuses of a charger's connectors as stored, by connector id.
async fn connector_statuses(server: &TestServer, id: &str) -> Vec<String> {
    server
        .connectors(id)
        .await
        .iter()
        .map(|c| c["status"].as_str().expect("status").to_owned())
        .collect()
}

/// The charger is offline in the store and each of its `connectors` Unavailable.
async fn check_offline(server: &TestServer, id: &str, connectors: usize) {
    server.wait_online(id, false).await;
    let charger = server
        .wait_charger(id, |c| {
            let stored = c["connectors"].as_array().into_iter().flatten();
            stored.filter(|c| c["status"] == "Unavailable").count() == connectors
        })
        .await;
    assert_eq!(
        charger["connectors"].as_array().map(Vec::len),
        Some(connectors),
        "{charger}"
    );
}

/// Boots `id`, reports two connectors, and waits until the store shows it connected.
async fn online_with_two_connectors(server: &TestServer, id: &str) -> Charger {
    let mut cp = server.booted(id).await;
    for (connector, status) in [(1, "Available"), (2, "Charging")] {
        let answer = cp
            .call(
                "StatusNotification",
                json!({"connectorId": connector, "errorCode": "NoError", "status": status}),
            )
            .await;
        assert_eq!(answer[0], 3, "{answer}");
    }
    server.wait_online(id, true).await;
    cp
}

#[tokio::test]
async fn a_silent_charger_is_closed_and_marked_offline() {
    let server = TestServer::start("[ocpp]\noffline_timeout_secs = 1\nping_interval_secs = 0");
    let mut cp = online_with_two_connectors(&server, "CP-SILENT").await;
    // From now on the charger neither sends nor reads until the store shows it offline.
    check_offline(&server, "CP-SILENT", 2).await;
    let closed = cp.closed().await;
    assert!(
        closed.is_some(),
        "the server closes the silent charger with a close frame"
    );
}

#[tokio::test]
async fn a_charger_that_disconnects_is_marked_offline() {
    let server = TestServer::start("");
    let cp = online_with_two_connectors(&server, "CP-BYE").await;
    cp.close().await;
    check_offline(&server, "CP-BYE", 2).await;
}

#[tokio::test]
async fn a_socket_dropped_without_close_frame_is_logged_as_a_lost_connection() {
    let server = TestServer::start("");
    let cp = online_with_two_connectors(&server, "CP-GONE").await;
    drop(cp);
    server
        .wait_log(
            "charger CP-GONE: connection lost (socket closed without a WebSocket Close frame)",
            1,
        )
        .await;
    check_offline(&server, "CP-GONE", 2).await;
    let log = server.log();
    assert!(!log.contains("protocol error"), "{log}");
}

#[tokio::test]
async fn a_request_that_is_no_handshake_stores_nothing() {
    let server = TestServer::start("");
    let plain = reqwest::Client::new()
        .get(server.url("/ocpp/CP-PLAIN-GET"))
        .header("Sec-WebSocket-Protocol", "ocpp1.6")
        .send()
        .await
        .expect("answered");
    assert!(plain.status().is_client_error(), "{}", plain.status());
    assert!(!server.charger_known("CP-PLAIN-GET").await);
}

#[tokio::test]
async fn undecodable_or_lookalike_ids_are_refused_at_the_handshake() {
    let server = TestServer::start("");
    for id in ["c%FFd", "c%FEd", "CP%20001", "CP-1%E2%80%8B", "a%2Fb"] {
        let (head, cp) = Charger::connect_raw(&server, id, Some("ocpp1.6")).await;
        assert!(head.starts_with("HTTP/1.1 400"), "{id}: {head}");
        assert!(cp.is_none());
    }
    let (head, cp) = Charger::connect_raw(&server, "CP-%C3%9C", Some("ocpp1.6")).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    drop(cp);
    assert!(server.charger_known("CP-Ü").await);
}

#[tokio::test]
async fn a_charger_that_never_boots_is_closed_after_the_boot_deadline() {
    let server = TestServer::start("[ocpp]\nboot_deadline_secs = 1");
    let mut silent = Charger::connect(&server, "CP-NO-BOOT").await;
    let mut booted = server.booted("CP-BOOTED").await;
    let closed = silent.closed().await;
    assert_eq!(
        closed.as_ref().map(|(code, _)| *code),
        Some(1008),
        "{closed:?}"
    );
    assert!(closed.unwrap().1.contains("BootNotification"));
    // A charger that booted is past the deadline and still served.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let answer = booted.call("Heartbeat", json!({})).await;
    assert!(answer[2]["currentTime"].is_string(), "{answer}");
}

#[tokio::test]
async fn past_max_chargers_the_handshake_gets_503() {
    let server = TestServer::start("[server]\nmax_chargers = 2");
    let first = Charger::connect(&server, "CP-A").await;
    let _second = Charger::connect(&server, "CP-B").await;
    match Charger::connect_with(&server, "CP-C", Some("ocpp1.6"), None).await {
        Ok(_) => panic!("a third charger was admitted past max_chargers = 2"),
        Err(e) => assert_eq!(refused_status(&e), Some(503), "{e}"),
    }
    assert!(
        !server.charger_known("CP-C").await,
        "a refused charger is not registered"
    );

    first.close_and_wait().await;
    // The place is given back when the old connection's actor is gone: poll the handshake.
    let deadline = Instant::now() + PATIENCE;
    let mut third = loop {
        match Charger::connect_with(&server, "CP-C", Some("ocpp1.6"), None).await {
            Ok(cp) => break cp,
            Err(e) if refused_status(&e) == Some(503) && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(25)).await
            }
            Err(e) => panic!("CP-C not admitted after CP-A left: {e}"),
        }
    };
    still_answers(&mut third, "admission").await;
    server.wait_online("CP-C", true).await;
}

#[tokio::test]
async fn unknown_chargers_are_refused_when_so_configured() {
    let server = TestServer::start("[ocpp]\nunknown_chargers = \"reject\"");
    server.register_charger(json!({"id": "CP-KNOWN"})).await;

    match Charger::connect_with(&server, "CP-STRANGER", Some("ocpp1.6"), None).await {
        Ok(_) => panic!("an unknown charger was admitted with unknown_chargers = reject"),
        Err(e) => assert_eq!(refused_status(&e), Some(404), "{e}"),
    }
    assert!(!server.charger_known("CP-STRANGER").await);

    let _known = server.booted("CP-KNOWN").await;
    server.wait_online("CP-KNOWN", true).await;
}

#[tokio::test]
async fn basic_auth_and_id_length_are_checked_at_the_handshake() {
    let server = TestServer::start("");
    let key = "0123456789abcdef-key";
    server
        .register_charger(json!({"id": "CP-SEC", "password": key}))
        .await;
    let long_id = "L".repeat(49);
    let table: &[(&str, Option<String>, Option<u16>)] = &[
        ("CP-SEC", None, Some(401)),
        (
            "CP-SEC",
            Some(basic_auth("CP-SEC", "wrong-password-0000")),
            Some(401),
        ),
        ("CP-SEC", Some(basic_auth("CP-OTHER", key)), Some(401)),
        ("CP-SEC", Some(format!("Bearer {key}")), Some(401)),
        (long_id.as_str(), None, Some(400)),
        ("CP-SEC", Some(basic_auth("CP-SEC", key)), None),
        // A charger without a stored key needs no credentials; 48 characters is the limit.
        (&long_id[1..], None, None),
    ];
    let mut admitted = Vec::new();
    for (id, authorization, refused) in table {
        let result =
            Charger::connect_with(&server, id, Some("ocpp1.6"), authorization.as_deref()).await;
        match (result, refused) {
            (Ok(mut cp), None) => {
                still_answers(&mut cp, &format!("{id} {authorization:?}")).await;
                admitted.push(cp);
            }
            (Ok(_), Some(status)) => {
                panic!("{id} {authorization:?}: admitted, expected HTTP {status}")
            }
            (Err(e), expected) => {
                assert_eq!(refused_status(&e), *expected, "{id} {authorization:?}: {e}");
                if let tokio_tungstenite::tungstenite::Error::Http(response) = &e {
                    if response.status() == 401 {
                        assert!(
                            response.headers().contains_key("www-authenticate"),
                            "401 without WWW-Authenticate"
                        );
                    }
                }
            }
        }
    }
    server.wait_online("CP-SEC", true).await;
}

#[tokio::test]
async fn sigterm_closes_chargers_with_1001_and_exits_cleanly() {
    let server = TestServer::start("[server]\nshutdown_timeout_secs = 2");
    let mut cp = online_with_two_connectors(&server, "CP-DOWN").await;
    let database_url = server.database_url();
    let stopping = tokio::task::spawn_blocking(move || {
        let mut server = server;
        let clean = server.terminate();
        (server, clean)
    });
    let closed = cp.closed().await;
    let (server, clean) = stopping.await.expect("terminate");
    assert_eq!(
        closed.map(|(code, _)| code),
        Some(1001),
        "log:\n{}",
        server.log()
    );
    assert!(
        clean,
        "csms did not exit successfully; log:\n{}",
        server.log()
    );
    // The process is gone: what it committed is final.
    let (charger, connectors) = Store::open(&database_url)
        .charger("CP-DOWN")
        .expect("CP-DOWN stored");
    assert!(!charger.connected);
    let unavailable = connectors.iter().filter(|c| {
        c.status == csms::ocpp::v16::status_notification::ChargePointStatus::Unavailable
    });
    assert_eq!(unavailable.count(), 2, "{connectors:?}");
}

#[tokio::test]
async fn a_new_authorization_key_is_the_password_from_then_on_and_is_never_shown() {
    let server = TestServer::start("");
    let old_key = "0123456789abcdef-old";
    let new_key = "fedcba9876543210-new-secret";
    server
        .register_charger(json!({"id": "CP-KEY", "password": old_key}))
        .await;
    let mut cp = Charger::connect_with(
        &server,
        "CP-KEY",
        Some("ocpp1.6"),
        Some(&basic_auth("CP-KEY", old_key)),
    )
    .await
    .expect("the old key admits");
    let boot = json!({"chargePointVendor": "TestVendor", "chargePointModel": "T1"});
    assert_eq!(cp.call("BootNotification", boot).await[0], 3);
    let token = server.admin_token().await;
    let path = "/api/v1/chargers/CP-KEY/change-configuration";
    let body = json!({"key": "AuthorizationKey", "value": new_key});
    let (request, ()) = tokio::join!(server.api("POST", path, Some(&token), Some(body)), async {
        let call = cp.next_call().await;
        assert_eq!(call[3]["value"], new_key, "the charger gets the key itself");
        cp.reply(&call[1], json!({"status": "Accepted"})).await;
    });
    assert_eq!(request.0, 200, "{}", request.1);

    // Nowhere to be read: the configuration snapshot, the message log, the audit log.
    let configuration = server.get("/api/v1/chargers/CP-KEY/configuration").await;
    let messages = server
        .wait_messages("CP-KEY", |m| {
            m.iter().any(|m| m["action"] == "ChangeConfiguration")
        })
        .await;
    let audit = server
        .wait_audit("action=ChangeConfiguration", |a| !a.is_empty())
        .await;
    for (what, shown) in [
        ("configuration", configuration.to_string()),
        ("messages", json!(messages).to_string()),
        ("audit", json!(audit).to_string()),
    ] {
        assert!(!shown.contains(new_key), "{what} shows the key: {shown}");
        assert!(shown.contains("<redacted>"), "{what}: {shown}");
    }

    // The new key admits, the old one no longer does.
    drop(cp);
    let old = Charger::connect_with(
        &server,
        "CP-KEY",
        Some("ocpp1.6"),
        Some(&basic_auth("CP-KEY", old_key)),
    )
    .await;
    assert_eq!(
        refused_status(&old.err().expect("the old key is refused")),
        Some(401)
    );
    let mut cp = Charger::connect_with(
        &server,
        "CP-KEY",
        Some("ocpp1.6"),
        Some(&basic_auth("CP-KEY", new_key)),
    )
    .await
    .expect("the new key admits");
    still_answers(&mut cp, "CP-KEY with its new key").await;
}

#[tokio::test]
async fn an_id_that_differs_from_a_protected_one_only_in_case_is_refused() {
    let server = TestServer::start("");
    server
        .register_charger(json!({"id": "CP-Guarded", "password": "0123456789abcdef-key"}))
        .await;
    for lookalike in ["cp-guarded", "CP-GUARDED", "Cp-GuArDeD"] {
        let refused = Charger::connect_with(&server, lookalike, Some("ocpp1.6"), None).await;
        assert_eq!(
            refused_status(&refused.err().expect("a lookalike is refused")),
            Some(403),
            "{lookalike}"
        );
        assert!(
            !server.charger_known(lookalike).await,
            "{lookalike} was not registered"
        );
    }
    // Unprotected chargers and other ids are as before.
    let mut other = Charger::connect_with(&server, "cp-guarded-2", Some("ocpp1.6"), None)
        .await
        .expect("another id");
    still_answers(&mut other, "cp-guarded-2").await;
    let _plain = server.booted("CP-Open").await;
    let mut open_lookalike = Charger::connect_with(&server, "cp-open", Some("ocpp1.6"), None)
        .await
        .expect("CP-Open has no password: nothing to impersonate");
    still_answers(&mut open_lookalike, "cp-open").await;
}
