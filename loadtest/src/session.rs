//! One simulated charger's session: connect, boot, start, MeterValues, stop.

use crate::report::{Counters, Stats};
use crate::Args;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// Small buffers: the defaults (128 KiB read buffer) cost ~135 KiB per connection.
const READ_BUFFER: usize = 4 * 1024;
const WRITE_BUFFER: usize = 4 * 1024;
/// Longest wait for any single answer before the session gives up.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

type Ws = WebSocketStream<TcpStream>;

pub async fn run(args: &Args, id: &str, source: Option<SocketAddr>, counters: &Counters) -> Stats {
    let mut stats = Stats::new();
    let mut ws = match connect(&args.url, id, source).await {
        Ok(ws) => ws,
        Err(e) => {
            stats.connect_error = Some(e);
            counters.failed.fetch_add(1, Ordering::Relaxed);
            return stats;
        }
    };
    counters.connected.fetch_add(1, Ordering::Relaxed);
    if let Err(e) = session(&mut ws, args, counters, &mut stats).await {
        stats.session_error = Some(e);
    }
    let _ = ws.close(None).await;
    counters.connected.fetch_sub(1, Ordering::Relaxed);
    stats
}

async fn connect(url: &str, id: &str, source: Option<SocketAddr>) -> Result<Ws, String> {
    let mut request = format!("{url}/{id}")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("ocpp1.6"),
    );
    let host = request.uri().host().unwrap_or("127.0.0.1").to_owned();
    let port = request.uri().port_u16().unwrap_or(80);
    let target: SocketAddr = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| e.to_string())?
        .next()
        .ok_or("no address")?;
    let socket = if target.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(|e| e.to_string())?;
    if let Some(source) = source {
        socket
            .bind(source)
            .map_err(|e| format!("bind {source}: {e}"))?;
    }
    let stream = socket.connect(target).await.map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER);
    let (ws, _) = tokio_tungstenite::client_async_with_config(request, stream, Some(config))
        .await
        .map_err(|e| e.to_string())?;
    Ok(ws)
}

/// Sends CALLs and matches answers (they come back in order); returns answers by kind.
struct Line<'a> {
    ws: &'a mut Ws,
    next_id: u64,
    waiting: VecDeque<(String, &'static str, Instant)>,
}

impl Line<'_> {
    async fn send(
        &mut self,
        action: &'static str,
        payload: Value,
        counters: &Counters,
    ) -> Result<(), String> {
        self.next_id += 1;
        let id = self.next_id.to_string();
        let text = json!([2, id, action, payload]).to_string();
        self.ws
            .send(Message::text(text))
            .await
            .map_err(|e| e.to_string())?;
        self.waiting.push_back((id, action, Instant::now()));
        counters.sent.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Waits for the next answer; returns (action, frame).
    async fn answer(
        &mut self,
        counters: &Counters,
        stats: &mut Stats,
    ) -> Result<(&'static str, Value), String> {
        loop {
            let next = tokio::time::timeout(ANSWER_TIMEOUT, self.ws.next())
                .await
                .map_err(|_| "no answer in 30 s")?;
            let text = match next {
                Some(Ok(Message::Text(t))) => t,
                Some(Ok(Message::Close(f))) => return Err(format!("closed by server: {f:?}")),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.to_string()),
                None => return Err("connection ended".into()),
            };
            let frame: Value =
                serde_json::from_str(&text).map_err(|e| format!("bad JSON from server: {e}"))?;
            if frame[0] == 2 {
                // A CALL from the server: answer with a generic acceptance.
                let reply = json!([3, frame[1], {"status": "Accepted"}]).to_string();
                self.ws
                    .send(Message::text(reply))
                    .await
                    .map_err(|e| e.to_string())?;
                continue;
            }
            let Some((id, action, sent)) = self.waiting.pop_front() else {
                continue;
            };
            if frame[1] != id.as_str() {
                return Err(format!("answer {} out of order (expected {id})", frame[1]));
            }
            stats.record(sent.elapsed());
            counters.answered.fetch_add(1, Ordering::Relaxed);
            if frame[0] == 4 {
                let code = frame[2].as_str().unwrap_or("?").to_owned();
                *stats.call_errors.entry(code).or_default() += 1;
                counters.errors.fetch_add(1, Ordering::Relaxed);
            }
            return Ok((action, frame));
        }
    }
}

fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

async fn session(
    ws: &mut Ws,
    args: &Args,
    counters: &Counters,
    stats: &mut Stats,
) -> Result<(), String> {
    let mut line = Line {
        ws,
        next_id: 0,
        waiting: VecDeque::new(),
    };
    line.send(
        "BootNotification",
        json!({"chargePointVendor": "LoadTest", "chargePointModel": "LT-1"}),
        counters,
    )
    .await?;
    line.answer(counters, stats).await?;
    line.send(
        "StatusNotification",
        json!({"connectorId": 1, "errorCode": "NoError", "status": "Charging"}),
        counters,
    )
    .await?;
    line.answer(counters, stats).await?;
    let meter_start = 1000;
    line.send(
        "StartTransaction",
        json!({"connectorId": 1, "idTag": "LOADTEST", "meterStart": meter_start, "timestamp": now()}),
        counters,
    )
    .await?;
    let (_, started) = line.answer(counters, stats).await?;
    let transaction_id = started[2]["transactionId"]
        .as_i64()
        .ok_or("StartTransaction without a transactionId")?;
    stats.starts_confirmed += 1;

    let deadline = Instant::now() + Duration::from_secs(args.duration);
    let mut meter = meter_start;
    let meter_payload = |meter: i64| {
        json!({"connectorId": 1, "transactionId": transaction_id, "meterValue": [{"timestamp": now(),
            "sampledValue": [{"value": meter.to_string(), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]})
    };
    for _ in 0..args.in_flight.max(1) {
        meter += 10;
        line.send("MeterValues", meter_payload(meter), counters)
            .await?;
    }
    while !line.waiting.is_empty() {
        let (action, frame) = line.answer(counters, stats).await?;
        if action == "MeterValues" && frame[0] == 3 {
            stats.meter_values_confirmed += 1;
        }
        if Instant::now() < deadline {
            if args.interval_ms > 0 {
                tokio::time::sleep(Duration::from_millis(args.interval_ms)).await;
            }
            meter += 10;
            line.send("MeterValues", meter_payload(meter), counters)
                .await?;
        }
    }
    line.send(
        "StopTransaction",
        json!({"transactionId": transaction_id, "meterStop": meter, "timestamp": now(), "reason": "Local"}),
        counters,
    )
    .await?;
    let (_, stopped) = line.answer(counters, stats).await?;
    if stopped[0] == 3 {
        stats.stops_confirmed += 1;
    }
    Ok(())
}
