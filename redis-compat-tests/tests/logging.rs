//! The bug report a crash leaves in the log (integration/logging.tcl,
//! debug.c): DEBUG ASSERT and DEBUG PANIC go through the panic hook, which
//! writes Redis's report shape and ends the process the way Redis does
//! (abort, or exit code 1 with use-exit-on-panic). Crash signals write the
//! "crashed by signal" report (stack trace, registers, INFO, client list,
//! memory test) and die by the same signal; the watchdog logs the stack
//! of a blocked loop and lets it go on.

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
            "debugCommand",
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

#[test]
fn debug_segfault_writes_the_signal_report_with_info_and_clients() {
    let mut s = Server::start(&["--enable-debug-command", "yes"]);
    let mut other = s.conn();
    assert_eq!(other.cmd(&[b"CLIENT", b"SETNAME", b"bystander"]).str(), "OK");
    assert_eq!(other.cmd(&[b"SET", b"k", b"v"]).str(), "OK");
    let (status, log) = crash_with(&mut s, &[b"DEBUG", b"SEGFAULT"]);
    assert_eq!(status.signal(), Some(11), "expected SIGSEGV, got {status:?}");
    assert_in_order(
        &log,
        &[
            "=== REDIS BUG REPORT START: Cut & paste starting from here ===",
            "# Redis 7.0.15 crashed by signal: 11, si_code: ",
            "# Crashed running the instruction at: 0x",
            "------ STACK TRACE ------",
            "Backtrace:",
            "debugCommand",
            "------ REGISTERS ------",
            "------ INFO OUTPUT ------",
            "# Server",
            "redis_version:7.0.15",
            "db0:keys=1,expires=0",
            "------ CLIENT LIST OUTPUT ------",
            "name=bystander",
            "------ FAST MEMORY TEST ------",
            "Fast memory test PASSED",
            "=== REDIS BUG REPORT END. Make sure to include from START to END. ===",
        ],
    );
    assert_eq!(log.matches("REDIS BUG REPORT START").count(), 1, "{log}");
}

#[test]
fn sigabrt_from_kill_names_the_sender_and_memcheck_can_be_off() {
    let mut s = Server::start(&["--crash-memcheck-enabled", "no"]);
    assert_eq!(s.conn().cmd(&[b"PING"]).str(), "PONG");
    let mut killer = std::process::Command::new("kill")
        .args(["-ABRT", &s.pid().to_string()])
        .spawn()
        .expect("kill(1)");
    let killer_pid = killer.id();
    assert!(killer.wait().expect("kill(1)").success());
    let status = s.wait_exit(Duration::from_secs(30)).expect("the server did not exit");
    assert_eq!(status.signal(), Some(6), "expected SIGABRT, got {status:?}");
    let log = s.log_contents();
    assert_in_order(
        &log,
        &[
            "# Redis 7.0.15 crashed by signal: 6, si_code: 0",
            &format!("# Killed by PID: {killer_pid}, UID: "),
            "------ STACK TRACE ------",
            "------ INFO OUTPUT ------",
            "=== REDIS BUG REPORT END.",
        ],
    );
    assert!(!log.contains("FAST MEMORY TEST"), "{log}");
}

#[test]
fn crash_log_disabled_dies_by_the_signal_without_a_report() {
    let mut s = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = s.conn();
    assert_eq!(c.cmd(&[b"CONFIG", b"SET", b"crash-log-enabled", b"no"]).str(), "OK");
    let (status, log) = crash_with(&mut s, &[b"DEBUG", b"SEGFAULT"]);
    assert_eq!(status.signal(), Some(11), "expected SIGSEGV, got {status:?}");
    assert!(!log.contains("BUG REPORT") && !log.contains("crashed by signal"), "{log}");
}

#[test]
fn segfault_with_use_exit_on_panic_exits_with_status_1() {
    let mut s = Server::start(&[
        "--enable-debug-command",
        "yes",
        "--use-exit-on-panic",
        "yes",
        "--crash-memcheck-enabled",
        "no",
    ]);
    let (status, log) = crash_with(&mut s, &[b"DEBUG", b"SEGFAULT"]);
    assert_eq!(status.code(), Some(1), "expected exit code 1, got {status:?}");
    assert!(log.contains("crashed by signal: 11"), "{log}");
}

#[test]
fn watchdog_logs_the_blocked_stack_and_the_server_goes_on() {
    let mut s = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = s.conn();
    assert_eq!(c.cmd(&[b"CONFIG", b"SET", b"watchdog-period", b"200"]).str(), "OK");
    assert_eq!(c.cmd(&[b"DEBUG", b"SLEEP", b"1"]).str(), "OK");
    assert_eq!(c.cmd(&[b"PING"]).str(), "PONG");
    // Off again: a later block logs nothing more.
    assert_eq!(c.cmd(&[b"CONFIG", b"SET", b"watchdog-period", b"0"]).str(), "OK");
    let before = s.log_contents().matches("WATCHDOG TIMER EXPIRED").count();
    assert_eq!(c.cmd(&[b"DEBUG", b"SLEEP", b"0.5"]).str(), "OK");
    let log = s.log_contents();
    assert!(before >= 1, "{log}");
    assert_eq!(log.matches("WATCHDOG TIMER EXPIRED").count(), before, "{log}");
    assert_in_order(
        &log,
        &[
            "--- WATCHDOG TIMER EXPIRED ---",
            "------ STACK TRACE ------",
            "debugCommand",
            "# --------",
        ],
    );
    s.assert_alive();
}
