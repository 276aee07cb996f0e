//! End-to-end: oxidis-server (target/release, or OXIDIS_BIN) on free ports,
//! the dashboard binary polling it every 200 ms, plain HTTP from std.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use redis_compat_tests::{free_port, server_bin, Server};

struct Dash {
    child: Child,
    port: u16,
}

impl Drop for Dash {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_dash(servers: &[u16]) -> Dash {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxidis-dashboard"));
    cmd.args(["--listen", &format!("127.0.0.1:{}", port), "--interval-ms", "200"]);
    for p in servers {
        cmd.args(["--server", &format!("127.0.0.1:{}", p)]);
    }
    let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn dashboard");
    let d = Dash { child, port };
    wait_for(&d, "/healthz", |b| b == "ok\n");
    d
}

/// (status line, body) of one request; `raw` is sent as is.
fn request(port: u16, raw: &[u8]) -> (String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect dashboard");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(raw);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.lines().next().unwrap_or("").to_string();
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn get(d: &Dash, path: &str) -> String {
    let (st, body) = request(d.port, format!("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", path).as_bytes());
    assert!(st.contains(" 200 "), "GET {}: {}", path, st);
    body
}

fn wait_for(d: &Dash, path: &str, pred: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let body = match TcpStream::connect(("127.0.0.1", d.port)) {
            Ok(_) => get(d, path),
            Err(_) => String::new(),
        };
        if pred(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "timed out waiting on {}; last body:\n{}", path, body);
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn metric(body: &str, sample: &str) -> Option<f64> {
    body.lines().find_map(|l| {
        l.strip_prefix(sample)
            .and_then(|r| r.strip_prefix(' '))
            .and_then(|v| v.parse().ok())
    })
}

fn have_server() -> bool {
    if server_bin().exists() {
        return true;
    }
    eprintln!("skipping: {:?} not built (cargo build --release)", server_bin());
    false
}

#[test]
fn metrics_and_json_follow_the_server() {
    if !have_server() {
        return;
    }
    let srv = Server::start(&[]);
    let d = start_dash(&[srv.port()]);
    let m = wait_for(&d, "/metrics", |b| b.contains("redis_up 1\n"));
    assert!(m.contains("# TYPE redis_commands_processed_total counter\n"), "{}", m);
    assert!(m.contains("# TYPE redis_connected_clients gauge\n"), "{}", m);
    assert_eq!(metric(&m, "redis_db_keys{db=\"db0\"}"), None, "{}", m);

    let mut c = oxidis_client::Connection::open(&format!("127.0.0.1:{}", srv.port())).unwrap();
    for i in 0..25 {
        c.call_args(&["SET", &format!("k{}", i), "v"]).unwrap();
    }
    for i in 0..5 {
        c.call_args(&["SET", &format!("e{}", i), "v", "EX", "1000"]).unwrap();
    }
    c.call_args(&["SELECT", "2"]).unwrap();
    c.call_args(&["SET", "x", "1"]).unwrap();
    c.call_args(&["GET", "x"]).unwrap();
    c.call_args(&["GET", "nope"]).unwrap();

    let m = wait_for(&d, "/metrics", |b| metric(b, "redis_db_keys{db=\"db0\"}") == Some(30.0));
    assert_eq!(metric(&m, "redis_db_keys_expiring{db=\"db0\"}"), Some(5.0), "{}", m);
    assert_eq!(metric(&m, "redis_db_keys{db=\"db2\"}"), Some(1.0), "{}", m);
    assert!(metric(&m, "redis_commands_total{cmd=\"set\"}").unwrap_or(0.0) >= 31.0, "{}", m);
    assert!(metric(&m, "redis_commands_duration_seconds_total{cmd=\"set\"}").is_some(), "{}", m);
    assert!(metric(&m, "redis_keyspace_hits_total").unwrap_or(0.0) >= 1.0, "{}", m);
    assert!(metric(&m, "redis_keyspace_misses_total").unwrap_or(0.0) >= 1.0, "{}", m);
    assert!(metric(&m, "redis_memory_used_bytes").unwrap_or(0.0) > 0.0, "{}", m);
    assert!(metric(&m, "redis_net_input_bytes_total").unwrap_or(0.0) > 0.0, "{}", m);
    assert!(metric(&m, "redis_connected_clients").unwrap_or(0.0) >= 2.0, "{}", m);

    c.call_args(&["SELECT", "0"]).unwrap();
    c.call_args(&["DEL", "k0", "k1"]).unwrap();
    wait_for(&d, "/metrics", |b| metric(b, "redis_db_keys{db=\"db0\"}") == Some(28.0));

    let j = wait_for(&d, "/api/state", |b| b.contains("\"db0\":\"keys=28,expires=5"));
    assert!(j.starts_with("{\"now\":"), "{}", j);
    assert!(j.contains("\"up\":true"), "{}", j);
    assert!(j.contains("\"cmdstat_set\":\"calls="), "{}", j);
    assert!(j.contains("\"history\":[{\"t\":"), "{}", j);
    assert!(j.contains("\"ops\":"), "{}", j);

    // The page itself is embedded.
    let page = get(&d, "/");
    assert!(page.contains("<canvas"), "page lacks a canvas");
}

#[test]
fn killed_server_is_down_then_back() {
    if !have_server() {
        return;
    }
    let mut srv = Server::start(&[]);
    let port = srv.port();
    let other = Server::start(&[]);
    let d = start_dash(&[port, other.port()]);
    let up = format!("redis_up{{instance=\"127.0.0.1:{}\"}}", port);
    let up_other = format!("redis_up{{instance=\"127.0.0.1:{}\"}}", other.port());
    wait_for(&d, "/metrics", |b| metric(b, &up) == Some(1.0) && metric(b, &up_other) == Some(1.0));
    srv.kill9();
    let m = wait_for(&d, "/metrics", |b| metric(b, &up) == Some(0.0));
    assert_eq!(metric(&m, &up_other), Some(1.0), "{}", m);
    let j = get(&d, "/api/state");
    assert!(j.contains("\"up\":false"), "{}", j);

    // Same port again: the poller reconnects by itself.
    let dir = Server::scratch_dir("dash-restart");
    let back = Command::new(server_bin())
        .args(["--port", &port.to_string(), "--save", "", "--appendonly", "no", "--dir"])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("restart server");
    let _back = Dash { child: back, port }; // killed on drop
    wait_for(&d, "/metrics", |b| metric(b, &up) == Some(1.0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hostile_http_never_kills_it() {
    let d = start_dash(&[free_port()]); // nothing listens there: down
    let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(200_000));
    let (st, _) = request(d.port, huge.as_bytes());
    assert!(st.is_empty() || st.contains(" 431 "), "{}", st);
    let cases: Vec<Vec<u8>> = vec![
        b"GET /../../../etc/passwd HTTP/1.1\r\n\r\n".to_vec(),
        b"GET /%00%ff HTTP/1.1\r\n\r\n".to_vec(),
        b"DELETE /metrics HTTP/1.1\r\n\r\n".to_vec(),
        b"\xff\xfe\x00garbage\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"\r\n\r\n".to_vec(),
        b"GET /metrics".to_vec(),
        format!("GET /{} HTTP/1.1\r\n\r\n", "x".repeat(15_000)).into_bytes(),
    ];
    for c in &cases {
        let (st, _) = request(d.port, c);
        assert!(
            !st.contains(" 200 ") || c.starts_with(b"GET /metrics"),
            "{:?} -> {}",
            String::from_utf8_lossy(c),
            st
        );
    }
    // Many idle connections that never send anything, then a real request.
    let idle: Vec<TcpStream> = (0..80).filter_map(|_| TcpStream::connect(("127.0.0.1", d.port)).ok()).collect();
    drop(idle);
    let m = wait_for(&d, "/metrics", |b| b.contains("redis_up 0\n"));
    assert!(!m.contains("redis_connected_clients"), "{}", m);
    assert_eq!(get(&d, "/healthz"), "ok\n");
}
