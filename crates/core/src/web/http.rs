//! Just enough HTTP/1.1 for the overlay pages: one GET per connection, request heads parsed by
//! `httparse` with hard limits, small responses written whole with `Connection: close`.

use std::io::Write;
use std::net::TcpStream;

/// Longest request head accepted (request line + headers), in bytes.
pub const MAX_HEAD_BYTES: usize = 8 * 1024;
/// Most headers in a request head.
const MAX_HEADERS: usize = 32;

/// A parsed request head.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: String,
    /// The path without the query (`/team.html`).
    pub path: String,
    /// The raw query string after `?` (may be empty).
    pub query: String,
    /// `Upgrade: websocket` with `Connection: upgrade`.
    pub websocket: bool,
    pub websocket_key: Option<String>,
    pub websocket_version: Option<String>,
    /// Bytes after the head that were already read (a WebSocket client may send a frame early).
    pub rest: Vec<u8>,
}

/// Why a request head was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HeadError {
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("request head over {MAX_HEAD_BYTES} bytes")]
    TooLarge,
}

impl HeadError {
    pub fn status(&self) -> u16 {
        match self {
            HeadError::Malformed(_) => 400,
            HeadError::TooLarge => 431,
        }
    }
}

/// Parses `buf` if it holds a complete head: `Ok(None)` while more bytes are needed.
pub fn parse_head(buf: &[u8]) -> Result<Option<Request>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let head_len = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD_BYTES => {
            return Err(HeadError::TooLarge);
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(HeadError::Malformed("too many headers".into()));
        }
        Err(e) => return Err(HeadError::Malformed(e.to_string())),
    };
    if head_len > MAX_HEAD_BYTES {
        return Err(HeadError::TooLarge);
    }
    let method = req.method.unwrap_or_default().to_owned();
    let target = req.path.unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(h.value).ok())
            .map(str::trim)
    };
    let has_token = |name: &str, token: &str| {
        header(name).is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    let websocket = has_token("upgrade", "websocket") && has_token("connection", "upgrade");
    Ok(Some(Request {
        method,
        path: path.to_owned(),
        query: query.to_owned(),
        websocket,
        websocket_key: header("sec-websocket-key").map(str::to_owned),
        websocket_version: header("sec-websocket-version").map(str::to_owned),
        rest: buf[head_len..].to_vec(),
    }))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// A whole response: status line, headers (no caching, so OBS picks up edited styles on refresh),
/// then the body.
pub fn response(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n\
         Access-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n",
        reason(status),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A short plain-text error response.
pub fn error_response(status: u16, message: &str) -> Vec<u8> {
    response(
        status,
        "text/plain; charset=utf-8",
        format!("{status} {}: {message}\n", reason(status)).as_bytes(),
    )
}

/// Writes a response and closes the connection; a client that stopped reading only costs the
/// socket's write timeout.
pub fn send_and_close(mut stream: TcpStream, bytes: &[u8]) {
    let _ = stream.write_all(bytes);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_page_request_and_an_upgrade() {
        assert_eq!(parse_head(b"GET / HTTP/1.1\r\nHost: x\r\n"), Ok(None));
        let r = parse_head(b"GET /team.html?team=me&delay=30 HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/team.html"));
        assert_eq!(r.query, "team=me&delay=30");
        assert!(!r.websocket);
        let ws = parse_head(
            b"GET /ws?delay=5 HTTP/1.1\r\nHost: x\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n\x81",
        )
        .unwrap()
        .unwrap();
        assert!(ws.websocket);
        assert_eq!(
            ws.websocket_key.as_deref(),
            Some("dGhlIHNhbXBsZSBub25jZQ==")
        );
        assert_eq!(ws.rest, b"\x81");
    }

    #[test]
    fn refuses_garbage_and_oversized_heads() {
        assert!(matches!(
            parse_head(b"\x16\x03\x01\x02\x00garbage\r\n\r\n"),
            Err(HeadError::Malformed(_))
        ));
        let big = vec![b'a'; MAX_HEAD_BYTES + 10];
        let mut req = b"GET / HTTP/1.1\r\nX: ".to_vec();
        req.extend_from_slice(&big);
        assert_eq!(parse_head(&req), Err(HeadError::TooLarge));
        assert_eq!(HeadError::TooLarge.status(), 431);
        let many: String = (0..40).map(|i| format!("H{i}: v\r\n")).collect();
        assert!(parse_head(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()).is_err());
    }
}
