//! `supervised systemd|auto|no`: the sd_notify messages Redis 7.0.15 sends
//! (status while loading, READY=1 once serving, STOPPING=1 and the final
//! save status on shutdown), INFO `process_supervised`, and that a
//! supervised server stays in the foreground even with `daemonize yes`.

use redis_compat_tests::*;
use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};

/// A notify socket in a scratch directory: (socket, its path, the dir).
fn notify_socket(tag: &str) -> (UnixDatagram, String, std::path::PathBuf) {
    let dir = Server::scratch_dir(tag);
    let path = dir.join("notify.sock");
    let sock = UnixDatagram::bind(&path).expect("bind notify socket");
    sock.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout");
    (sock, path.to_string_lossy().into_owned(), dir)
}

/// Every datagram received until `until` arrives or 10 s pass.
fn messages_until(sock: &UnixDatagram, until: &str) -> Vec<String> {
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = [0u8; 512];
    while Instant::now() < deadline {
        if let Ok(n) = sock.recv(&mut buf) {
            let m = String::from_utf8_lossy(&buf[..n]).into_owned();
            let done = m == until;
            got.push(m);
            if done {
                break;
            }
        }
    }
    got
}

#[test]
fn systemd_gets_status_ready_and_stopping() {
    let (sock, path, dir) = notify_socket("notify");
    let s = Server::start_with_env(
        &server_bin(),
        None,
        &["--supervised", "systemd", "--daemonize", "yes", "--save", "900 1"],
        &[("NOTIFY_SOCKET", Some(&path))],
    );
    let got = messages_until(&sock, "READY=1\n");
    assert_eq!(
        got,
        ["STATUS=Redis is loading...\n", "STATUS=Ready to accept connections\n", "READY=1\n"],
        "log:\n{}",
        s.log_contents()
    );
    let mut c = s.conn();
    let info = c.cmd_str("INFO server").str();
    assert!(info.contains("process_supervised:systemd\r\n"), "{info}");
    assert!(s.log_contents().contains(
        "Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit."
    ));
    c.send_cmd(&[b"SHUTDOWN"]);
    let got = messages_until(&sock, "STATUS=Saving the final RDB snapshot\n");
    assert_eq!(got, ["STOPPING=1\n", "STATUS=Saving the final RDB snapshot\n"]);
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn auto_detects_systemd_and_no_socket_means_unsupervised() {
    let (sock, path, dir) = notify_socket("notify-auto");
    let s = Server::start_with_env(&server_bin(), None, &["--supervised", "auto"], &[("NOTIFY_SOCKET", Some(&path))]);
    assert_eq!(messages_until(&sock, "READY=1\n").last().map(String::as_str), Some("READY=1\n"));
    assert!(s.conn().cmd_str("INFO server").str().contains("process_supervised:systemd\r\n"));
    drop(s);

    // Asked for systemd without NOTIFY_SOCKET: Redis logs it and runs
    // unsupervised.
    let unset = [("NOTIFY_SOCKET", None)];
    let s = Server::start_with_env(&server_bin(), None, &["--supervised", "systemd"], &unset);
    assert!(s.conn().cmd_str("INFO server").str().contains("process_supervised:no\r\n"));
    assert!(s.log_contents().contains("systemd supervision error: NOTIFY_SOCKET not found!"));
    drop(s);
    let s = Server::start_with_env(&server_bin(), None, &["--supervised", "auto"], &unset);
    assert!(s.conn().cmd_str("INFO server").str().contains("process_supervised:no\r\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
