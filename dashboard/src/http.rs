//! A deliberately small HTTP server on std: one request per connection
//! (`Connection: close`), GET/HEAD only, the request head capped at
//! `MAX_HEAD` bytes and `READ_TIMEOUT`, at most `MAX_CONNS` handler threads
//! (extra connections are closed at once). Nothing a peer sends can panic
//! it: every failure just closes that connection.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const MAX_HEAD: usize = 16 * 1024;
const MAX_CONNS: usize = 64;
const READ_TIMEOUT: Duration = Duration::from_secs(5);

pub const PAGE: &str = include_str!("page.html");

pub fn serve(listener: TcpListener, state: crate::State) -> std::io::Result<()> {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            Err(_) => {
                // EMFILE and friends: back off instead of spinning.
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNS {
            active.fetch_sub(1, Ordering::SeqCst);
            drop(stream);
            continue;
        }
        let st = state.clone();
        let act = active.clone();
        let spawned = std::thread::Builder::new().name("http".into()).spawn(move || {
            let _ = handle(stream, &st);
            act.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
    Ok(())
}

/// Read the request head (up to the blank line). `Err(status)` for a
/// request that must be refused.
fn read_head(s: &mut TcpStream) -> Result<Vec<u8>, u16> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    // A whole-head deadline, so a peer dribbling bytes cannot hold a
    // handler thread for long (the per-read timeout alone would allow it).
    let deadline = std::time::Instant::now() + 2 * READ_TIMEOUT;
    loop {
        if std::time::Instant::now() > deadline {
            return Err(0);
        }
        if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.windows(2).any(|w| w == b"\n\n") {
            return Ok(buf);
        }
        if buf.len() > MAX_HEAD {
            return Err(431);
        }
        match s.read(&mut chunk) {
            Ok(0) => return if buf.is_empty() { Err(0) } else { Ok(buf) },
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => return Err(0),
        }
    }
}

/// Route a request line to (status, content type, body).
pub fn route(head: &[u8], st: &crate::Shared) -> (u16, &'static str, String) {
    let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let line = String::from_utf8_lossy(&head[..line_end]);
    let mut parts = line.split_whitespace();
    let (method, target) = match (parts.next(), parts.next()) {
        (Some(m), Some(t)) => (m, t),
        _ => return (400, "text/plain", "bad request\n".into()),
    };
    if method != "GET" && method != "HEAD" {
        return (405, "text/plain", "method not allowed\n".into());
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    match path {
        "/" | "/index.html" => (200, "text/html; charset=utf-8", PAGE.to_string()),
        "/api/state" => (200, "application/json", crate::json::state(st)),
        "/metrics" => (200, "text/plain; version=0.0.4; charset=utf-8", crate::metrics::render(st)),
        "/healthz" => (200, "text/plain", "ok\n".into()),
        _ => (404, "text/plain", "not found\n".into()),
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Error",
    }
}

fn handle(mut s: TcpStream, st: &crate::Shared) -> std::io::Result<()> {
    s.set_read_timeout(Some(READ_TIMEOUT))?;
    s.set_write_timeout(Some(READ_TIMEOUT))?;
    let (code, ctype, body, head_only) = match read_head(&mut s) {
        Ok(h) => {
            let (c, t, b) = route(&h, st);
            (c, t, b, h.starts_with(b"HEAD "))
        }
        Err(0) => return Ok(()),
        Err(c) => (c, "text/plain", format!("{}\n", reason(c)), false),
    };
    let mut resp = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        code,
        reason(code),
        ctype,
        body.len()
    )
    .into_bytes();
    if !head_only {
        resp.extend_from_slice(body.as_bytes());
    }
    s.write_all(&resp)?;
    s.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let st = crate::Shared { servers: vec![] };
        assert_eq!(route(b"GET /metrics HTTP/1.1\r\n\r\n", &st).0, 200);
        assert_eq!(route(b"GET /api/state?x=1 HTTP/1.1\r\n\r\n", &st).0, 200);
        assert_eq!(route(b"GET /../../etc/passwd HTTP/1.1\r\n\r\n", &st).0, 404);
        assert_eq!(route(b"POST / HTTP/1.1\r\n\r\n", &st).0, 405);
        assert_eq!(route(b"\xff\xfe\r\n\r\n", &st).0, 400);
        assert_eq!(route(b"", &st).0, 400);
    }
}
