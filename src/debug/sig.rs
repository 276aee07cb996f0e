//! Crash signals and the software watchdog (the signal half of debug.c).
//!
//! With `crash-log-enabled` (the default) SIGSEGV, SIGBUS, SIGFPE, SIGILL
//! and SIGABRT are caught (`setupSigSegvAction`). The handler writes
//! Redis's "crashed by signal" report to the log:
//!
//! ```text
//! === REDIS BUG REPORT START: Cut & paste starting from here ===
//! # Redis 7.0.15 crashed by signal: <sig>, si_code: <code>
//! # Accessing address: <addr>                   (SIGSEGV, SIGBUS)
//! # Killed by PID: <pid>, UID: <uid>            (sent with kill(2))
//! # Crashed running the instruction at: <addr>
//! ------ STACK TRACE ------ / ------ REGISTERS ------
//! ------ INFO OUTPUT ------ / ------ CLIENT LIST OUTPUT ------
//! ------ FAST MEMORY TEST ------                (crash-memcheck-enabled)
//! === REDIS BUG REPORT END. ... ===
//! ```
//!
//! then ends the process as the signal would (default action re-raised,
//! so a core dump where enabled), or with `_exit(1)` under
//! `use-exit-on-panic` (`bugReportEnd`). DEBUG SEGFAULT raises SIGSEGV.
//!
//! A signal sent from outside (kill) that lands on a helper thread is
//! handed to the main thread, so the report is written while the event
//! loop is stopped; a fault in a helper thread reports without the
//! server's state. The report reads the server while it may be half way
//! through a change, and allocates: as Redis's, it is a best effort made
//! by a process that is going to die anyway.
//!
//! `watchdog-period` arms a one-shot SIGALRM timer that the cron re-arms
//! (`watchdogScheduleSignal`); when the loop is blocked longer than the
//! period the handler logs "--- WATCHDOG TIMER EXPIRED ---" and the main
//! thread's stack trace, and the server goes on.

use super::crash::{self, ReportPart};
use crate::server::Server;
use libc::c_int;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, Ordering};

/// The signals of a crash report.
const CRASH_SIGNALS: [c_int; 5] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL, libc::SIGABRT];

/// The server, for the report's INFO and client list (set by `run`).
static SERVER: AtomicPtr<Server> = AtomicPtr::new(std::ptr::null_mut());
/// Thread id of the event loop's thread.
static MAIN_TID: AtomicI32 = AtomicI32::new(0);
/// `crash-memcheck-enabled`.
static MEMCHECK: AtomicBool = AtomicBool::new(true);

fn gettid() -> i32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::syscall(libc::SYS_gettid) as i32 }
}

/// Records the server and the loop's thread for the handlers. `srv` must
/// stay where it is for the rest of the process (it does: `main` owns it
/// until exit).
pub fn register_server(srv: &mut Server) {
    SERVER.store(srv as *mut Server, Ordering::SeqCst);
    MAIN_TID.store(gettid(), Ordering::SeqCst);
}

/// Installs (`on`) or removes the crash handlers (`setupSigSegvAction`,
/// `removeSigSegvHandlers`).
pub fn setup_crash_handlers(on: bool) {
    for sig in CRASH_SIGNALS {
        if on {
            install(sig, crash_handler as *const () as usize, libc::SA_SIGINFO | libc::SA_NODEFER);
        } else {
            install(sig, libc::SIG_DFL, 0);
        }
    }
}

fn install(sig: c_int, handler: usize, flags: c_int) {
    // SAFETY: a zeroed sigaction is valid; the handler is an extern "C"
    // function with the SA_SIGINFO signature or SIG_DFL/SIG_IGN.
    unsafe {
        let mut act: libc::sigaction = std::mem::zeroed();
        act.sa_sigaction = handler;
        act.sa_flags = flags;
        libc::sigemptyset(&mut act.sa_mask);
        libc::sigaction(sig, &act, std::ptr::null_mut());
    }
}

/// The apply hook of `crash-log-enabled`, `crash-memcheck-enabled` and
/// `use-exit-on-panic` (`updateSighandlerEnabled`).
pub fn apply_crash_config(srv: &mut Server) -> Result<(), String> {
    crash::configure(srv.cfg.use_exit_on_panic, srv.cfg.crash_log_enabled);
    MEMCHECK.store(srv.cfg.crash_memcheck_enabled, Ordering::Relaxed);
    setup_crash_handlers(srv.cfg.crash_log_enabled);
    Ok(())
}

/// The instruction pointer of a signal context.
fn context_ip(uc: *mut libc::c_void) -> usize {
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    {
        if uc.is_null() {
            return 0;
        }
        // SAFETY: the kernel passes a valid ucontext_t to SA_SIGINFO handlers.
        unsafe { (*(uc as *const libc::ucontext_t)).uc_mcontext.gregs[libc::REG_RIP as usize] as usize }
    }
    #[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
    {
        let _ = uc;
        0
    }
}

/// The registers of a signal context (`logRegisters`), x86-64 only.
fn registers(uc: *mut libc::c_void) -> Option<String> {
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    {
        if uc.is_null() {
            return None;
        }
        // SAFETY: the kernel passes a valid ucontext_t to SA_SIGINFO handlers.
        let g = unsafe { (*(uc as *const libc::ucontext_t)).uc_mcontext.gregs };
        let r = |i: c_int| g[i as usize] as u64;
        use libc::*;
        Some(format!(
            "RAX:{:016x} RBX:{:016x}\nRCX:{:016x} RDX:{:016x}\nRDI:{:016x} RSI:{:016x}\nRBP:{:016x} RSP:{:016x}\n\
             R8 :{:016x} R9 :{:016x}\nR10:{:016x} R11:{:016x}\nR12:{:016x} R13:{:016x}\nR14:{:016x} R15:{:016x}\n\
             RIP:{:016x} EFL:{:016x}\n",
            r(REG_RAX),
            r(REG_RBX),
            r(REG_RCX),
            r(REG_RDX),
            r(REG_RDI),
            r(REG_RSI),
            r(REG_RBP),
            r(REG_RSP),
            r(REG_R8),
            r(REG_R9),
            r(REG_R10),
            r(REG_R11),
            r(REG_R12),
            r(REG_R13),
            r(REG_R14),
            r(REG_R15),
            r(REG_RIP),
            r(REG_EFL),
        ))
    }
    #[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
    {
        let _ = uc;
        None
    }
}

/// The stack trace section (`logStackTrace`).
fn stack_trace(uc: *mut libc::c_void) -> String {
    let mut s = String::from("\n------ STACK TRACE ------\n");
    let ip = context_ip(uc);
    if ip != 0 {
        s.push_str(&format!("EIP:\n{ip:#x}\n"));
    }
    s.push_str("\nBacktrace:\n");
    s.push_str(&std::backtrace::Backtrace::force_capture().to_string());
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

extern "C" fn crash_handler(sig: c_int, info: *mut libc::siginfo_t, uc: *mut libc::c_void) {
    // A fork child (BGSAVE...) has one thread: it reports itself.
    let main = if crate::util::log::is_fork_child() {
        gettid()
    } else {
        MAIN_TID.load(Ordering::SeqCst)
    };
    // SAFETY: the kernel passes a valid siginfo_t to SA_SIGINFO handlers.
    let (code, pid, uid, addr) = unsafe {
        if info.is_null() {
            (0, -1, 0, std::ptr::null_mut())
        } else {
            ((*info).si_code, (*info).si_pid(), (*info).si_uid(), (*info).si_addr())
        }
    };
    let from_outside = code == libc::SI_USER || code == libc::SI_TKILL;
    if main != 0 && gettid() != main && from_outside {
        // Sent from outside to the process and picked by a helper thread:
        // the loop's thread reports, with the loop stopped.
        // SAFETY: tgkill to our own process's main thread.
        unsafe { libc::syscall(libc::SYS_tgkill, libc::getpid(), main, sig) };
        return;
    }
    if !crash::begin_report() {
        // Another thread is reporting and will end the process.
        loop {
            std::thread::park();
        }
    }
    // No watchdog in the middle of the report.
    watchdog_schedule(0);
    let mut parts = vec![ReportPart::Raw(
        "\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===\n".into(),
    )];
    parts.push(ReportPart::Line(format!(
        "Redis {} crashed by signal: {sig}, si_code: {code}",
        crate::REDIS_VERSION
    )));
    if sig == libc::SIGSEGV || sig == libc::SIGBUS {
        parts.push(ReportPart::Line(format!("Accessing address: {addr:p}")));
    }
    if code == libc::SI_USER && pid != -1 {
        parts.push(ReportPart::Line(format!("Killed by PID: {pid}, UID: {uid}")));
    }
    let ip = context_ip(uc);
    if ip != 0 {
        parts.push(ReportPart::Line(format!("Crashed running the instruction at: {ip:#x}")));
    }
    crash::write_report(&parts);
    let mut parts = vec![ReportPart::Raw(stack_trace(uc))];
    if let Some(regs) = registers(uc) {
        parts.push(ReportPart::Raw(format!("\n------ REGISTERS ------\n{regs}")));
    }
    crash::write_report(&parts);
    let srv = SERVER.load(Ordering::SeqCst);
    if !srv.is_null() && gettid() == main {
        // SAFETY: the loop's thread is the one running this handler, so
        // the loop is stopped; the server lives until the process ends.
        // It may be half way through a change (see the module header).
        let srv: &Server = unsafe { &*srv };
        let info = srv.info_string(&[b"all".to_vec()], None);
        let clients: String = srv
            .clients_sorted(None)
            .iter()
            .map(|c| crate::client::commands::client_info_string(srv, c) + "\n")
            .collect();
        crash::write_report(&[ReportPart::Raw(format!(
            "\n------ INFO OUTPUT ------\n{info}\n------ CLIENT LIST OUTPUT ------\n{clients}\n------ MODULES INFO OUTPUT ------\n"
        ))]);
    }
    if MEMCHECK.load(Ordering::Relaxed) {
        crash::write_report(&[ReportPart::Raw("\n------ FAST MEMORY TEST ------\n".into())]);
        let text = if fast_memory_test() {
            "Fast memory test PASSED, however your memory can still be broken. Please run a memory test for several hours if possible.\n"
        } else {
            "!!! MEMORY ERROR DETECTED! Check your memory ASAP !!!\n"
        };
        crash::write_report(&[ReportPart::Raw(text.into())]);
    }
    crash::write_report(&[ReportPart::Raw(crash::REPORT_END.into())]);
    // `bugReportEnd`: die by the same signal (a core dump where enabled).
    crash::exit_if_configured();
    install(sig, libc::SIG_DFL, 0);
    // SAFETY: re-raising to ourselves with the default action.
    unsafe {
        libc::kill(libc::getpid(), sig);
    }
    // The default action of a re-raised SIGABRT/SIGSEGV... ends the
    // process; should it not (blocked), leave anyway.
    // SAFETY: _exit ends the process at once.
    unsafe { libc::_exit(1) }
}

/// Tests the process's anonymous writable memory in place, restoring
/// every word (`memtest_test_linux_anonymous_maps`); false when a word
/// did not hold a pattern.
fn fast_memory_test() -> bool {
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
        return true;
    };
    let mut ok = true;
    for line in maps.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 5 || !fields[1].starts_with("rw") || fields[3] != "00:00" {
            continue;
        }
        // The stack we run on, and the kernel's pages, stay as they are.
        if line.contains("stack") || line.contains("vdso") || line.contains("vsyscall") || line.contains("vvar") {
            continue;
        }
        let Some((a, b)) = fields[0].split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16)) else {
            continue;
        };
        let mut p = start;
        while p + 8 <= end {
            let w = p as *mut u64;
            // SAFETY: `p` lies in a mapped, writable, private anonymous
            // region of this process (from /proc/self/maps) and is 8-byte
            // aligned (mappings are page aligned); the word is restored
            // right after the test. Other threads may observe the
            // patterns for an instant: the process is dying.
            unsafe {
                let saved = std::ptr::read_volatile(w);
                for pattern in [0xaaaa_aaaa_aaaa_aaaa_u64, 0x5555_5555_5555_5555] {
                    std::ptr::write_volatile(w, pattern);
                    if std::ptr::read_volatile(w) != pattern {
                        ok = false;
                    }
                }
                std::ptr::write_volatile(w, saved);
            }
            p += 8;
        }
    }
    ok
}

/// Arms the watchdog to fire in `period_ms` (0 stops it)
/// (`watchdogScheduleSignal`).
pub fn watchdog_schedule(period_ms: i64) {
    let period_ms = period_ms.max(0);
    let it = libc::itimerval {
        it_interval: libc::timeval { tv_sec: 0, tv_usec: 0 },
        it_value: libc::timeval {
            tv_sec: (period_ms / 1000) as libc::time_t,
            tv_usec: ((period_ms % 1000) * 1000) as libc::suseconds_t,
        },
    };
    // SAFETY: `it` is a valid itimerval; the old value is not wanted.
    unsafe { libc::setitimer(libc::ITIMER_REAL, &it, std::ptr::null_mut()) };
}

/// The apply hook of `watchdog-period` (`applyWatchdogPeriod`): off at
/// 0, else the handler is installed and the period is at least two cron
/// periods.
pub fn apply_watchdog_period(srv: &mut Server) -> Result<(), String> {
    if srv.cfg.watchdog_period == 0 {
        watchdog_schedule(0);
        install(libc::SIGALRM, libc::SIG_IGN, 0);
    } else {
        // SA_RESTART: the loop's blocking calls (file writes) carry on.
        install(
            libc::SIGALRM,
            watchdog_handler as *const () as usize,
            libc::SA_SIGINFO | libc::SA_RESTART,
        );
        let min = (1000 / srv.hz.clamp(1, 500)) * 2;
        if srv.cfg.watchdog_period < min {
            srv.cfg.watchdog_period = min;
        }
        watchdog_schedule(srv.cfg.watchdog_period);
    }
    Ok(())
}

extern "C" fn watchdog_handler(sig: c_int, _info: *mut libc::siginfo_t, uc: *mut libc::c_void) {
    let main = MAIN_TID.load(Ordering::SeqCst);
    if main != 0 && gettid() != main {
        // The trace wanted is the loop's.
        // SAFETY: tgkill to our own process's main thread.
        unsafe { libc::syscall(libc::SYS_tgkill, libc::getpid(), main, sig) };
        return;
    }
    let mut parts = vec![ReportPart::Line("\n--- WATCHDOG TIMER EXPIRED ---".into())];
    parts.push(ReportPart::Raw(stack_trace(uc)));
    parts.push(ReportPart::Line("--------\n".into()));
    crash::write_report(&parts);
}
