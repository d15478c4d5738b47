//! Hostile input from chargers and strangers costs bounded memory, and other chargers are
//! still answered: floods that never read, oversized frame headers, invented HTTP methods,
//! huge MeterValues, streams of unreadable frames.

mod common;

use common::{Charger, TestServer, PATIENCE};
use csms::db::readings;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Most the server's resident memory may grow under one attack.
const MAX_GROWTH_KIB: u64 = 64 * 1024;

/// How long a flood keeps sending (when the server does not push back first).
const FLOOD_FOR: Duration = Duration::from_secs(6);

/// A WebSocket frame from a client: masked (with a zero key, so the payload reads as is).
fn client_frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = client_header(fin, opcode, payload.len() as u64);
    frame.extend_from_slice(payload);
    frame
}

fn client_header(fin: bool, opcode: u8, length: u64) -> Vec<u8> {
    let mut header = vec![if fin { 0x80 } else { 0 } | opcode];
    match length {
        0..=125 => header.push(0x80 | length as u8),
        126..=0xFFFF => {
            header.push(0x80 | 126);
            header.extend_from_slice(&(length as u16).to_be_bytes());
        }
        _ => {
            header.push(0x80 | 127);
            header.extend_from_slice(&length.to_be_bytes());
        }
    }
    header.extend_from_slice(&[0, 0, 0, 0]);
    header
}

/// A charger connection as bare TCP after the handshake: we write frames and read only when
/// we choose to.
async fn raw_charger(server: &TestServer, id: &str) -> TcpStream {
    let mut tcp = TcpStream::connect(server.addr).await.expect("tcp connect");
    let request = format!(
        "GET /ocpp/{id} HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Protocol: ocpp1.6\r\n\r\n",
        server.addr
    );
    tcp.write_all(request.as_bytes()).await.expect("handshake");
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let byte = tokio::time::timeout(PATIENCE, tcp.read_u8())
            .await
            .expect("handshake answer in time")
            .expect("handshake answer");
        head.push(byte);
    }
    assert!(head.starts_with(b"HTTP/1.1 101"), "{:?}", head);
    tcp
}

/// Writes `chunk` again and again for `FLOOD_FOR`, or until the server stops reading (a write
/// blocks) or closes. Returns how many chunks went out.
async fn flood(tcp: &mut TcpStream, chunk: &[u8]) -> usize {
    let until = Instant::now() + FLOOD_FOR;
    let mut sent = 0;
    while Instant::now() < until {
        let left = until.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, tcp.write_all(chunk)).await {
            Ok(Ok(())) => sent += 1,
            Ok(Err(_)) | Err(_) => break,
        }
    }
    sent
}

/// After an attack: memory grew by less than `MAX_GROWTH_KIB`, and another charger still
/// boots (within the tests' usual patience).
async fn still_serving(server: &TestServer, before_kib: u64, attack: &str) {
    let after_kib = server.rss_kib();
    eprintln!("{attack}: RSS {before_kib} KiB -> {after_kib} KiB");
    assert!(
        after_kib < before_kib + MAX_GROWTH_KIB,
        "{attack}: RSS grew from {before_kib} KiB to {after_kib} KiB"
    );
    let bystander = server.booted("BYSTANDER").await;
    bystander.close_and_wait().await;
}

/// A baseline after a first charger has come and gone (buffers and pools warmed up).
async fn warmed_up(server: &TestServer) -> u64 {
    server.booted("WARM-UP").await.close_and_wait().await;
    server.rss_kib()
}

#[tokio::test]
async fn pipelined_calls_from_a_charger_that_never_reads_are_not_buffered() {
    // Without the message log: its rows fill SQLite's page cache, which grows with any
    // writes up to its configured size, whoever sends them.
    let server = TestServer::start("[ocpp]\nsend_timeout_secs = 2\n[log]\nmessages = false");
    let before = warmed_up(&server).await;
    let mut tcp = raw_charger(&server, "FLOOD-CALLS").await;
    let heartbeats: Vec<u8> = (0..1000)
        .flat_map(|i| {
            client_frame(
                true,
                0x1,
                format!(r#"[2,"h{i}","Heartbeat",{{}}]"#).as_bytes(),
            )
        })
        .collect();
    let sent = flood(&mut tcp, &heartbeats).await;
    eprintln!("{sent} thousand heartbeats written");
    still_serving(&server, before, "pipelined heartbeats").await;
    server
        .wait_log("FLOOD-CALLS: closing, it reads nothing we send", 1)
        .await;
}

#[tokio::test]
async fn a_ping_flood_is_answered_at_a_bounded_rate() {
    let server = TestServer::start("[ocpp]\nsend_timeout_secs = 2");
    let before = warmed_up(&server).await;
    let mut tcp = raw_charger(&server, "FLOOD-PINGS").await;
    let pings: Vec<u8> = (0..1000)
        .flat_map(|_| client_frame(true, 0x9, &[7; 100]))
        .collect();
    let sent = flood(&mut tcp, &pings).await;
    eprintln!("{sent} thousand pings written");
    still_serving(&server, before, "ping flood").await;
}

#[tokio::test]
async fn a_huge_declared_frame_is_refused_before_its_payload_is_read() {
    let server = TestServer::start("");
    let before = warmed_up(&server).await;
    for (id, first) in [
        ("HUGE-FRAME", client_header(true, 0x1, 1 << 30)),
        (
            "HUGE-FRAGMENTS",
            [
                client_frame(false, 0x1, &[b'x'; 200_000]),
                client_header(true, 0x0, 1 << 30),
            ]
            .concat(),
        ),
    ] {
        let mut tcp = raw_charger(&server, id).await;
        tcp.write_all(&first).await.expect("header");
        tcp.write_all(&[b'x'; 1 << 20])
            .await
            .expect("a first megabyte");
        // Refused on the header: the close comes without the rest of the gigabyte.
        assert_eq!(close_code(&mut tcp).await, Some(1009), "{id}");
        let _ = flood(&mut tcp, &[b'x'; 1 << 20]).await;
        still_serving(&server, before, id).await;
    }
}

/// Reads server frames until a Close; its status code (`None`: the connection ended first).
async fn close_code(tcp: &mut TcpStream) -> Option<u16> {
    let mut buf = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    loop {
        // Server frames are unmasked, payloads here under 126 bytes, except our own answers.
        while buf.len() >= 2 {
            let (len, at) = match buf[1] & 0x7F {
                126 if buf.len() >= 4 => (usize::from(u16::from_be_bytes([buf[2], buf[3]])), 4),
                126 => break,
                n => (usize::from(n), 2),
            };
            if buf.len() < at + len {
                break;
            }
            if buf[0] & 0x0F == 0x8 {
                return (len >= 2).then(|| u16::from_be_bytes([buf[at], buf[at + 1]]));
            }
            buf.drain(..at + len);
        }
        let mut chunk = [0; 4096];
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, tcp.read(&mut chunk))
            .await
            .expect("no close in time")
        {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

#[tokio::test]
async fn invented_http_methods_do_not_grow_the_metrics() {
    let server = TestServer::start("");
    let client = reqwest::Client::new();
    let size = |text: &str| text.len();
    let first = client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for i in 0..500 {
        let method = reqwest::Method::from_bytes(format!("INVENTED{i}").as_bytes()).unwrap();
        let _ = client
            .request(method, server.url("/health"))
            .send()
            .await
            .unwrap();
    }
    let after = client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!after.contains("INVENTED"), "client input became a label");
    assert!(after.contains(r#"method="other""#), "{after}");
    assert!(
        size(&after) < size(&first) + 20_000,
        "/metrics grew from {} to {} bytes",
        size(&first),
        size(&after)
    );
}

#[tokio::test]
async fn meter_values_with_too_many_samples_are_refused_naming_the_limit() {
    let server = TestServer::start("[ocpp]\nmax_samples_per_message = 100");
    let mut cp = server.booted("CP-SAMPLES").await;
    let meter_values = |n: usize| {
        let samples: Vec<_> = (0..n).map(|i| json!({"value": i.to_string()})).collect();
        json!({"connectorId": 1, "meterValue": [
            {"timestamp": "2024-01-01T00:00:00Z", "sampledValue": samples}
        ]})
    };
    let answer = cp.call("MeterValues", meter_values(101)).await;
    assert_eq!(answer[0], 4, "{answer}");
    assert_eq!(answer[2], "OccurenceConstraintViolation", "{answer}");
    let description = answer[3].as_str().unwrap();
    assert!(description.contains("at most 100"), "{description}");
    let store = server.store();
    assert_eq!(store.read(readings::sample_count), 0);

    let answer = cp.call("MeterValues", meter_values(100)).await;
    assert_eq!(answer[0], 3, "{answer}");
    assert_eq!(store.read(readings::sample_count), 100);
}

#[tokio::test]
async fn warnings_about_one_charger_are_rate_limited() {
    let server = TestServer::start("");
    let mut cp = Charger::connect(&server, "CP-NOISY").await;
    for _ in 0..2000 {
        cp.send_text("this is not OCPP").await;
    }
    let answer = cp.call("Heartbeat", json!({})).await;
    assert_eq!(answer[0], 3, "{answer}");
    assert_eq!(
        cp.inbox.len(),
        2000,
        "every unreadable frame is still answered"
    );
    let logged = server.log().matches("unreadable frame").count();
    assert!(
        (1..=40).contains(&logged),
        "{logged} warnings logged for 2000 unreadable frames"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    cp.send_text("still not OCPP").await;
    server.wait_log("similar warnings suppressed", 1).await;
}

#[tokio::test]
async fn concurrent_wrong_password_logins_hash_a_few_at_a_time() {
    // No lockouts here: every attempt must reach the password check.
    let server = TestServer::start("[api]\nlogin_free_attempts = 0");
    let before = warmed_up(&server).await;
    let attempts = (0..40).map(|i| {
        let url = server.url("/api/v1/auth/login");
        // Half for a real user, half for names that do not exist: both are hashed.
        let username = if i % 2 == 0 {
            "admin".to_owned()
        } else {
            format!("nobody-{i}")
        };
        async move {
            reqwest::Client::new()
                .post(url)
                .json(&json!({"username": username, "password": "not-the-password"}))
                .send()
                .await
                .expect("login answered")
                .status()
                .as_u16()
        }
    });
    let codes = futures_util::future::join_all(attempts).await;
    assert!(
        codes.iter().all(|c| *c == 401 || *c == 503),
        "wrong passwords are refused (or deferred when busy): {codes:?}"
    );
    assert!(codes.contains(&401), "{codes:?}");
    still_serving(&server, before, "40 concurrent wrong-password logins").await;
}

#[tokio::test]
async fn a_text_frame_that_is_not_utf8_closes_with_1007() {
    let server = TestServer::start("");
    for (id, frames) in [
        (
            "BAD-UTF8",
            client_frame(true, 0x1, &[b'[', 0xff, 0xfe, b']']),
        ),
        (
            "BAD-UTF8-FRAGMENTS",
            [
                client_frame(false, 0x1, &[b'[', 0xe2]),
                client_frame(true, 0x0, &[0x28, b']']),
            ]
            .concat(),
        ),
    ] {
        let mut tcp = raw_charger(&server, id).await;
        tcp.write_all(&frames).await.expect("frame");
        assert_eq!(close_code(&mut tcp).await, Some(1007), "{id}");
    }
    server.booted("BYSTANDER").await.close_and_wait().await;
}
