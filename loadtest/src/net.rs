//! WebSocket connections to the server: small buffers, an optional local source address,
//! subprotocol `ocpp1.6`, and the loopback-only rule.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::WebSocketStream;

/// Small buffers: the defaults (128 KiB read buffer) cost ~135 KiB per connection and halve
/// throughput; 4 KiB cost ~6.5 KiB.
const READ_BUFFER: usize = 4 * 1024;
const WRITE_BUFFER: usize = 4 * 1024;
/// Longest wait for the TCP connection and the WebSocket handshake.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

pub type Ws = WebSocketStream<TcpStream>;

/// Connects charger `id` to `<url>/<id>`, from `source` when given.
pub async fn connect(url: &str, id: &str, source: Option<SocketAddr>) -> Result<Ws, String> {
    tokio::time::timeout(CONNECT_TIMEOUT, connect_now(url, id, source))
        .await
        .map_err(|_| format!("no connection within {} s", CONNECT_TIMEOUT.as_secs()))?
}

async fn connect_now(url: &str, id: &str, source: Option<SocketAddr>) -> Result<Ws, String> {
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

/// Refuses any target but this machine.
pub fn check_loopback(url: &str) -> Result<(), String> {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', ':']).next())
        .ok_or_else(|| format!("cannot read a host from {url:?}"))?;
    let loopback = host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(())
    } else {
        Err(format!(
            "{host} is not a loopback address; loadtest only targets this machine"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets() {
        for ok in [
            "ws://127.0.0.1:9180/ocpp",
            "ws://localhost/ocpp",
            "ws://127.0.0.5:1/x",
        ] {
            assert!(check_loopback(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ws://10.0.0.1:9180/ocpp",
            "ws://example.com/ocpp",
            "nonsense",
        ] {
            assert!(check_loopback(bad).is_err(), "{bad}");
        }
    }
}
