//! Bug reports (the crash half of debug.c): a Rust panic anywhere in the
//! server, an assertion (`DEBUG ASSERT`) or an explicit [`server_panic`]
//! writes Redis's bug-report shape to the log, then ends the process.
//!
//! The report, in the order `_serverPanic` / `_serverAssert` write it:
//!
//! ```text
//! === REDIS BUG REPORT START: Cut & paste starting from here ===
//! <pid>:M <time> # ------------------------------------------------
//! <pid>:M <time> # !!! Software Failure. Press left mouse button to continue
//! <pid>:M <time> # Guru Meditation: <message> #<file>:<line>
//! ------ STACK TRACE ------
//! Backtrace:
//! <frames>
//! === REDIS BUG REPORT END. Make sure to include from START to END. ===
//! ```
//!
//! (an assertion writes "=== ASSERTION FAILED ===" and "==> <file>:<line>
//! '<expr>' is not true" instead of the three panic lines, preceded by
//! the client and object context when there is one). [`bug_report`]
//! builds the text and is where the full crash report (INFO, client list,
//! registers) will be added.
//!
//! Then the process dies as Redis's does after `bugReportEnd`: `abort()`
//! (SIGABRT, a core dump where enabled), or `_exit(1)` with the hidden
//! `use-exit-on-panic`. A fork child (BGSAVE, AOF rewrite, replication)
//! always leaves with `_exit(1)`: it must never unwind back into the
//! event loop it copied, and its parent reports the failed child.
//!
//! Panics in code that a C library calls (Lua's C functions) are the
//! exception: [`catch_panic`] marks such a section, the hook only logs a
//! warning there and lets the panic unwind to the `catch_unwind`, which
//! turns it into an error instead of unwinding into C. Server code run
//! from inside such a section (a command called by a script) is wrapped
//! in [`fatal_panics`], so its panics still end the process.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::sync::atomic::{AtomicBool, Ordering};

/// The payload of an assertion failure (`serverAssertWithInfo`), raised
/// with `std::panic::panic_any` so the hook writes the assertion shape.
#[derive(Debug, Clone)]
pub struct AssertionFailed {
    /// The condition that did not hold, as written.
    pub expr: &'static str,
    /// The client being served, if any.
    pub client: Option<ClientContext>,
    /// The object the assertion was about, if any.
    pub object: Option<ObjectContext>,
}

/// The client lines of an assertion report (`_serverAssertPrintClientInfo`).
#[derive(Debug, Clone, Default)]
pub struct ClientContext {
    pub flags: u64,
    pub conn: String,
    pub argv: Vec<Vec<u8>>,
}

/// The object lines of an assertion report (`serverLogObjectDebugInfo`).
#[derive(Debug, Clone, Default)]
pub struct ObjectContext {
    pub type_code: u32,
    pub encoding: u32,
    pub refcount: i32,
}

/// What went wrong, for [`bug_report`].
#[derive(Debug)]
pub enum Failure<'a> {
    /// `_serverPanic`: a message and where it was raised.
    Panic { msg: &'a str, file: &'a str, line: u32 },
    /// `_serverAssertWithInfo`.
    Assert {
        assertion: &'a AssertionFailed,
        file: &'a str,
        line: u32,
    },
}

/// One piece of the report: a log line (with the pid/time prefix) or raw
/// text written as is (`LL_RAW`).
#[derive(Debug, PartialEq, Eq)]
pub enum ReportPart {
    Line(String),
    Raw(String),
}

/// Set by the `use-exit-on-panic` config: `_exit(1)` instead of abort.
static EXIT_ON_PANIC: AtomicBool = AtomicBool::new(false);
/// `crash-log-enabled`: the stack trace (and later the crash report) is
/// written; without it only the failure lines and the markers.
static CRASH_LOG: AtomicBool = AtomicBool::new(true);
/// A report is being written (a second panicking thread waits for the
/// first one's exit instead of interleaving its report).
static REPORTING: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Inside `catch_panic` (and not inside `fatal_panics`).
    static RECOVERABLE: Cell<bool> = const { Cell::new(false) };
}

/// Applies `use-exit-on-panic` and `crash-log-enabled` (at start-up
/// and as their CONFIG SET hook).
pub fn configure(exit_on_panic: bool, crash_log: bool) {
    EXIT_ON_PANIC.store(exit_on_panic, Ordering::Relaxed);
    CRASH_LOG.store(crash_log, Ordering::Relaxed);
}

/// Installs the panic hook (once, at start-up, after the logger).
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(panic_hook));
}

/// The text of a panic payload.
pub fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(a) = payload.downcast_ref::<AssertionFailed>() {
        format!("assertion '{}' failed", a.expr)
    } else {
        "Box<dyn Any>".to_string()
    }
}

fn panic_hook(info: &PanicHookInfo<'_>) {
    let (file, line) = info.location().map_or(("?", 0), |l| (l.file(), l.line()));
    if RECOVERABLE.with(|r| r.get()) && !crate::util::log::is_fork_child() {
        let msg = payload_message(info.payload());
        crate::util::log::write_unlocked(&crate::util::log::format_warning(format_args!(
            "Panic caught at a C boundary, raised there as an error: {msg} #{file}:{line}"
        )));
        return;
    }
    let msg;
    let failure = match info.payload().downcast_ref::<AssertionFailed>() {
        Some(assertion) => Failure::Assert { assertion, file, line },
        None => {
            msg = payload_message(info.payload());
            Failure::Panic { msg: &msg, file, line }
        }
    };
    report_and_die(&failure);
}

/// `serverPanic`: writes the bug report for `msg` at the caller's
/// location and ends the process, without unwinding.
#[track_caller]
pub fn server_panic(msg: &str) -> ! {
    let loc = std::panic::Location::caller();
    report_and_die(&Failure::Panic {
        msg,
        file: loc.file(),
        line: loc.line(),
    })
}

/// Claims the right to write the one report of this process; false when
/// another thread already does.
pub(crate) fn begin_report() -> bool {
    !REPORTING.swap(true, Ordering::SeqCst)
}

/// The last lines of every report (`bugReportEnd`).
pub(crate) const REPORT_END: &str = "\n=== REDIS BUG REPORT END. Make sure to include from START to END. ===\n\n       This is a bug in Oxidis: please report it with the lines above.\n\n";

/// `use-exit-on-panic`: leaves with `_exit(1)` now; else returns.
pub(crate) fn exit_if_configured() {
    if crate::util::log::is_fork_child() || EXIT_ON_PANIC.load(Ordering::Relaxed) {
        // SAFETY: _exit ends the process at once; nothing runs after it.
        unsafe { libc::_exit(1) }
    }
}

fn report_and_die(failure: &Failure<'_>) -> ! {
    if !begin_report() {
        // Another thread is reporting and will end the process.
        loop {
            std::thread::park();
        }
    }
    let backtrace = CRASH_LOG
        .load(Ordering::Relaxed)
        .then(|| std::backtrace::Backtrace::force_capture().to_string());
    write_report(&bug_report(failure, backtrace.as_deref()));
    die()
}

/// Writes the report parts to the log.
pub(crate) fn write_report(parts: &[ReportPart]) {
    if !crate::util::log::warnings_enabled() {
        return;
    }
    let mut out = Vec::new();
    for p in parts {
        match p {
            ReportPart::Line(l) => out.extend_from_slice(&crate::util::log::format_warning(l)),
            ReportPart::Raw(r) => out.extend_from_slice(r.as_bytes()),
        }
    }
    crate::util::log::write_unlocked(&out);
}

/// Ends the process after a report (`bugReportEnd`).
fn die() -> ! {
    exit_if_configured();
    // The abort must not be reported a second time as a crash by signal.
    super::sig::setup_crash_handlers(false);
    std::process::abort()
}

/// The bug report for `failure`, with `backtrace` as the stack trace
/// (none with `crash-log-enabled no`).
pub fn bug_report(failure: &Failure<'_>, backtrace: Option<&str>) -> Vec<ReportPart> {
    use ReportPart::{Line, Raw};
    let mut parts = vec![Raw("\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===\n".into())];
    match failure {
        Failure::Panic { msg, file, line } => {
            parts.push(Line("------------------------------------------------".into()));
            parts.push(Line("!!! Software Failure. Press left mouse button to continue".into()));
            parts.push(Line(format!("Guru Meditation: {msg} #{file}:{line}")));
        }
        Failure::Assert { assertion, file, line } => {
            if let Some(c) = &assertion.client {
                parts.push(Line("=== ASSERTION FAILED CLIENT CONTEXT ===".into()));
                parts.push(Line(format!("client->flags = {}", c.flags)));
                parts.push(Line(format!("client->conn = {}", c.conn)));
                parts.push(Line(format!("client->argc = {}", c.argv.len())));
                for (j, a) in c.argv.iter().enumerate() {
                    parts.push(Line(format!(
                        "client->argv[{j}] = \"{}\" (refcount: 1)",
                        String::from_utf8_lossy(a)
                    )));
                }
            }
            if let Some(o) = &assertion.object {
                parts.push(Line("=== ASSERTION FAILED OBJECT CONTEXT ===".into()));
                parts.push(Line(format!("Object type: {}", o.type_code)));
                parts.push(Line(format!("Object encoding: {}", o.encoding)));
                parts.push(Line(format!("Object refcount: {}", o.refcount)));
            }
            parts.push(Line("=== ASSERTION FAILED ===".into()));
            parts.push(Line(format!("==> {file}:{line} '{}' is not true", assertion.expr)));
        }
    }
    if let Some(backtrace) = backtrace {
        let mut trace = String::from("\n------ STACK TRACE ------\n\nBacktrace:\n");
        trace.push_str(backtrace);
        if !trace.ends_with('\n') {
            trace.push('\n');
        }
        parts.push(Raw(trace));
    }
    parts.push(Raw(REPORT_END.into()));
    parts
}

/// Restores the recoverable flag when a section ends, even by unwinding.
struct Section(bool);

impl Drop for Section {
    fn drop(&mut self) {
        RECOVERABLE.with(|r| r.set(self.0));
    }
}

/// Runs `f` for code called from C: a panic inside is logged and comes
/// back as its message instead of unwinding further (or of ending the
/// process: see the module header).
pub fn catch_panic<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    let _section = Section(RECOVERABLE.with(|r| r.replace(true)));
    // The caller turns a panic into an error and abandons the state the
    // closure was working on (a Lua C function's stack frame), so no
    // broken invariant is observed afterwards.
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|p| payload_message(&*p))
}

/// Runs `f` (server code, such as a command run by a script) with panics
/// fatal again inside a [`catch_panic`] section.
pub fn fatal_panics<R>(f: impl FnOnce() -> R) -> R {
    let _section = Section(RECOVERABLE.with(|r| r.replace(false)));
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(parts: &[ReportPart]) -> String {
        parts
            .iter()
            .map(|p| match p {
                ReportPart::Line(l) => format!("LOG {l}\n"),
                ReportPart::Raw(r) => r.clone(),
            })
            .collect()
    }

    #[test]
    fn panic_report_has_redis_shape() {
        let f = Failure::Panic {
            msg: "boom",
            file: "src/x.rs",
            line: 7,
        };
        let text = lines(&bug_report(&f, Some("   0: frame_a\n   1: frame_b")));
        let expected = "\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===\n\
            LOG ------------------------------------------------\n\
            LOG !!! Software Failure. Press left mouse button to continue\n\
            LOG Guru Meditation: boom #src/x.rs:7\n\
            \n------ STACK TRACE ------\n\nBacktrace:\n   0: frame_a\n   1: frame_b\n\
            \n=== REDIS BUG REPORT END. Make sure to include from START to END. ===\n";
        assert!(text.starts_with(expected), "{text}");
        let quiet = lines(&bug_report(&f, None));
        assert!(!quiet.contains("STACK TRACE") && quiet.contains("Guru Meditation: boom") && quiet.contains("REPORT END"));
    }

    #[test]
    fn assertion_report_lists_client_and_object() {
        let a = AssertionFailed {
            expr: "1 == 2",
            client: Some(ClientContext {
                flags: 0,
                conn: "fd=8".into(),
                argv: vec![b"debug".to_vec(), b"assert".to_vec()],
            }),
            object: Some(ObjectContext {
                type_code: 0,
                encoding: 8,
                refcount: 1,
            }),
        };
        let parts = bug_report(
            &Failure::Assert {
                assertion: &a,
                file: "src/debug/mod.rs",
                line: 3,
            },
            Some(""),
        );
        let text = lines(&parts);
        for want in [
            "LOG === ASSERTION FAILED CLIENT CONTEXT ===\n",
            "LOG client->argc = 2\n",
            "LOG client->argv[1] = \"assert\" (refcount: 1)\n",
            "LOG === ASSERTION FAILED OBJECT CONTEXT ===\nLOG Object type: 0\nLOG Object encoding: 8\n",
            "LOG === ASSERTION FAILED ===\nLOG ==> src/debug/mod.rs:3 '1 == 2' is not true\n",
            "------ STACK TRACE ------",
            "=== REDIS BUG REPORT END.",
        ] {
            assert!(text.contains(want), "missing {want:?} in {text}");
        }
        assert!(matches!(parts.first(), Some(ReportPart::Raw(r)) if r.contains("BUG REPORT START")));
    }

    #[test]
    fn a_fork_child_writes_the_report_and_exits_with_status_1() {
        let dir = std::env::temp_dir().join(format!("oxidis-crash-unit-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let log = dir.join("log");
        let _ = std::fs::remove_file(&log);
        let log_s = log.to_string_lossy().into_owned();
        // SAFETY: the child only sets up logging, writes its report and
        // leaves with _exit (server_panic never returns).
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            log::set_max_level(log::LevelFilter::Info);
            crate::util::log::set_file(&log_s);
            crate::util::log::set_role(b'C');
            server_panic("child went wrong");
        }
        assert!(pid > 0, "fork failed");
        let mut status = 0;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            // SAFETY: waiting for our own child; `status` is a valid out-pointer.
            let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if r == pid {
                break;
            }
            if std::time::Instant::now() > deadline {
                // SAFETY: killing our own hung child.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                panic!("the child did not exit");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 1, "status {status:#x}");
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        let start = text.find("=== REDIS BUG REPORT START: Cut & paste starting from here ===");
        let guru = text
            .find(":C ")
            .and_then(|_| text.find("# Guru Meditation: child went wrong #src/debug/crash.rs:"));
        let trace = text.find("------ STACK TRACE ------");
        let end = text.find("=== REDIS BUG REPORT END. Make sure to include from START to END. ===");
        assert!(start < guru && guru < trace && trace < end && start.is_some(), "{text}");
    }

    #[test]
    fn caught_panics_become_messages_and_sections_nest() {
        let r: Result<(), String> = catch_panic(|| panic!("inner {}", 1));
        assert_eq!(r, Err("inner 1".to_string()));
        assert!(!RECOVERABLE.with(|r| r.get()));
        let r = catch_panic(|| {
            assert!(RECOVERABLE.with(|r| r.get()));
            fatal_panics(|| assert!(!RECOVERABLE.with(|r| r.get())));
            assert!(RECOVERABLE.with(|r| r.get()));
            5
        });
        assert_eq!(r, Ok(5));
        assert!(!RECOVERABLE.with(|r| r.get()));
    }
}
