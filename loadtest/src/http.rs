//! Plain HTTP/1.1 requests over a socket, one connection each (`Connection: close`): enough
//! for the control API (`simctl`) and the few csms REST calls of a load run, without a client
//! library.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// An answer: the status code and the body (chunked bodies decoded).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// The `name=value` of each `Set-Cookie` header.
    pub cookies: Vec<String>,
}

/// Percent-encodes a path segment or a query value.
pub fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One request to `addr`; `headers` are `(name, value)`; `body` goes with its length.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> Result<Answer, String> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("cannot reach {addr}: {e}"))?;
    let _ = stream.set_read_timeout(Some(timeout));
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(body))
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| format!("{method} {path}: {e}"))?;
    parse(&response).ok_or_else(|| format!("{method} {path}: malformed HTTP answer"))
}

/// Reads a whole HTTP/1.1 response.
fn parse(response: &[u8]) -> Option<Answer> {
    let split = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&response[..split]).ok()?;
    let raw = &response[split + 4..];
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let body = if chunked { dechunk(raw)? } else { raw.to_vec() };
    let cookies = head
        .lines()
        .filter_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim().eq_ignore_ascii_case("set-cookie").then(|| {
                value
                    .trim()
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
        })
        .collect();
    Some(Answer {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
        cookies,
    })
}

/// Decodes a chunked body.
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_chunked_answers() {
        let plain = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nSet-Cookie: a=b; HttpOnly\r\n\r\n{}";
        assert_eq!(
            parse(plain),
            Some(Answer {
                status: 200,
                body: "{}".into(),
                cookies: vec!["a=b".into()],
            })
        );
        let chunked =
            b"HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n";
        assert_eq!(
            parse(chunked),
            Some(Answer {
                status: 401,
                body: "abcdefg".into(),
                cookies: Vec::new(),
            })
        );
        assert_eq!(parse(b"HTTP/1.1 200"), None);
        assert_eq!(segment("CP 1/ä"), "CP%201%2F%C3%A4");
    }
}
