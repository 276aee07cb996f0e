//! The bug report a crash leaves in the log (integration/logging.tcl,
//! debug.c): DEBUG ASSERT and DEBUG PANIC go through the panic hook, which
//! writes Redis's report shape and ends the process the way Redis does
//! (abort, or exit code 1 with use-exit-on-panic).

use redis_compat_tests::*;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

/// Sends `cmd`, expects the connection to close without a reply and the
/// process to die; returns its exit status and log.
fn crash_with(s: &mut Server, cmd: &[&[u8]]) -> (std::process::ExitStatus, String) {
    let mut c = s.conn();
    c.send_cmd(cmd);
    assert_eq!(c.try_read_raw_reply(), None, "a reply came back");
    let status = s.wait_exit(Duration::from_secs(30)).expect("the server did not exit");
    (status, s.log_contents())
}

/// The positions of `parts` in `log`, each after the previous one.
fn assert_in_order(log: &str, parts: &[&str]) {
    let mut from = 0;
    for p in parts {
        match log[from..].find(p) {
            Some(i) => from += i + p.len(),
            None => panic!("missing (in this order) {p:?} in log:\n{log}"),
        }
    }
}

#[test]
fn debug_assert_writes_the_assertion_report_and_aborts() {
    let mut s = Server::start(&["--enable-debug-command", "yes"]);
    let (status, log) = crash_with(&mut s, &[b"DEBUG", b"ASSERT"]);
    assert_eq!(status.signal(), Some(6), "expected SIGABRT, got {status:?}");
    assert_in_order(
        &log,
        &[
            "=== REDIS BUG REPORT START: Cut & paste starting from here ===",
            "# === ASSERTION FAILED CLIENT CONTEXT ===",
            "# client->argc = 2",
            "# client->argv[0] = \"DEBUG\" (refcount: 1)",
            "# client->argv[1] = \"ASSERT\" (refcount: 1)",
            "# === ASSERTION FAILED OBJECT CONTEXT ===",
            "# Object type: 0",
            "# Object encoding: 8",
            "# === ASSERTION FAILED ===",
            "# ==> src/debug/mod.rs:",
            " '1 == 2' is not true",
            "------ STACK TRACE ------",
            "Backtrace:",
            "debug_command",
            "=== REDIS BUG REPORT END. Make sure to include from START to END. ===",
        ],
    );
}

#[test]
fn debug_panic_writes_the_guru_meditation_and_exits_on_request() {
    let mut s = Server::start(&["--enable-debug-command", "yes", "--use-exit-on-panic", "yes"]);
    let (status, log) = crash_with(&mut s, &[b"DEBUG", b"PANIC"]);
    assert_eq!(status.code(), Some(1), "expected exit code 1, got {status:?}");
    assert_in_order(
        &log,
        &[
            "=== REDIS BUG REPORT START: Cut & paste starting from here ===",
            "# ------------------------------------------------",
            "# !!! Software Failure. Press left mouse button to continue",
            "# Guru Meditation: DEBUG PANIC called at Unix time ",
            " #src/debug/mod.rs:",
            "------ STACK TRACE ------",
            "=== REDIS BUG REPORT END. Make sure to include from START to END. ===",
        ],
    );
}
