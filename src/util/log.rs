//! The server log in Redis's exact line format (`serverLogRaw` in server.c):
//!
//! ```text
//! 1234:M 22 Nov 2026 04:29:35.123 * Ready to accept connections
//! ```
//!
//! pid, role (M master, S replica, C fork child), timestamp with
//! milliseconds, level mark (`.` debug, `-` verbose, `*` notice, `#`
//! warning), message. The Tcl suite greps these lines.
//!
//! Implemented as a `log::Log` so the rest of the code uses `log::info!`
//! and friends. Level mapping: trace = debug, debug = verbose,
//! info = notice, warn/error = warning.
//!
//! Like Redis, a log file is opened for every line, so rotating it with
//! `mv` just works.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;

static TARGET: Mutex<Option<String>> = Mutex::new(None);
static ROLE: AtomicU8 = AtomicU8::new(b'M');
static SYSLOG: AtomicU8 = AtomicU8::new(0);

struct RedisLogger;

static LOGGER: RedisLogger = RedisLogger;

/// Installs the logger (once, at start-up).
pub fn init() {
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(log::LevelFilter::Info);
}

/// Applies `loglevel` (debug, verbose, notice, warning, nothing).
pub fn set_level(level: &str) {
    let f = match level {
        "debug" => log::LevelFilter::Trace,
        "verbose" => log::LevelFilter::Debug,
        "notice" => log::LevelFilter::Info,
        "warning" => log::LevelFilter::Warn,
        _ => log::LevelFilter::Off,
    };
    log::set_max_level(f);
}

/// Applies `logfile`: empty means standard output.
pub fn set_file(path: &str) {
    if let Ok(mut t) = TARGET.lock() {
        *t = if path.is_empty() { None } else { Some(path.to_string()) };
    }
    // The signal handler's copy: a C string it can open() without
    // allocating. Set a handful of times per process at most, so the old
    // one is simply leaked (a handler may be reading it).
    let c = if path.is_empty() {
        std::ptr::null_mut()
    } else {
        match std::ffi::CString::new(path) {
            Ok(c) => c.into_raw(),
            Err(_) => std::ptr::null_mut(),
        }
    };
    HANDLER_PATH.store(c, Ordering::Relaxed);
}

static HANDLER_PATH: std::sync::atomic::AtomicPtr<libc::c_char> = std::sync::atomic::AtomicPtr::new(std::ptr::null_mut());

/// Appends the decimal digits of `v` to `buf` at `*pos` (no allocation).
pub fn push_decimal(buf: &mut [u8], pos: &mut usize, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut n = 0;
    loop {
        digits[n] = b'0' + (v % 10) as u8;
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &d in digits[..n].iter().rev() {
        if *pos < buf.len() {
            buf[*pos] = d;
            *pos += 1;
        }
    }
}

/// Logs from a signal handler (`serverLogFromHandler`): only
/// async-signal-safe calls, "<pid>:signal-handler (<unix time>) <msg>".
pub fn log_from_handler(msg: &[u8]) {
    let mut buf = [0u8; 256];
    let mut pos = 0;
    let mut put = |bytes: &[u8], pos: &mut usize| {
        for &b in bytes {
            if *pos < buf.len() - 1 {
                buf[*pos] = b;
                *pos += 1;
            }
        }
    };
    // SAFETY: getpid and time are async-signal-safe; time accepts null.
    let (pid, now) = unsafe { (libc::getpid(), libc::time(std::ptr::null_mut())) };
    let mut num = [0u8; 20];
    let mut n = 0;
    push_decimal(&mut num, &mut n, pid.max(0) as u64);
    put(&num[..n], &mut pos);
    put(b":signal-handler (", &mut pos);
    n = 0;
    push_decimal(&mut num, &mut n, now.max(0) as u64);
    put(&num[..n], &mut pos);
    put(b") ", &mut pos);
    put(msg, &mut pos);
    put(b"\n", &mut pos);
    let path = HANDLER_PATH.load(Ordering::Relaxed);
    // SAFETY: open/write/close are async-signal-safe; `path` is null or a
    // leaked NUL-terminated string that is never freed; `buf[..pos]` is
    // initialised.
    unsafe {
        let fd = if path.is_null() {
            1
        } else {
            libc::open(path, libc::O_APPEND | libc::O_CREAT | libc::O_WRONLY, 0o644)
        };
        if fd >= 0 {
            libc::write(fd, buf.as_ptr().cast(), pos);
            if fd != 1 {
                libc::close(fd);
            }
        }
    }
}

/// The role character in each line: 'M', 'S', 'C' (fork child) or 'X'.
pub fn set_role(role: u8) {
    ROLE.store(role, Ordering::Relaxed);
}

/// Whether `syslog-enabled` is on (lines are mirrored to syslog).
pub fn set_syslog(on: bool) {
    SYSLOG.store(on as u8, Ordering::Relaxed);
}

fn level_mark(l: log::Level) -> u8 {
    match l {
        log::Level::Trace => b'.',
        log::Level::Debug => b'-',
        log::Level::Info => b'*',
        log::Level::Warn | log::Level::Error => b'#',
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Formats the "22 Nov 2026 04:29:35.123" timestamp in local time.
fn timestamp(out: &mut Vec<u8>) {
    let mut tv = libc::timeval { tv_sec: 0, tv_usec: 0 };
    // SAFETY: `tv` is a valid out-pointer; a null timezone is allowed.
    unsafe { libc::gettimeofday(&mut tv, std::ptr::null_mut()) };
    // SAFETY: an all-zero `tm` is a valid value to be overwritten.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the duration of the call.
    unsafe { libc::localtime_r(&tv.tv_sec, &mut tm) };
    let month = MONTHS.get(tm.tm_mon as usize).copied().unwrap_or("Jan");
    let _ = write!(
        out,
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        tm.tm_mday,
        month,
        tm.tm_year + 1900,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        tv.tv_usec / 1000
    );
}

/// One log line: "pid:role timestamp mark message\n".
pub fn format_line(mark: u8, msg: impl std::fmt::Display) -> Vec<u8> {
    let mut line = Vec::with_capacity(128);
    let _ = write!(line, "{}:{} ", std::process::id(), ROLE.load(Ordering::Relaxed) as char);
    timestamp(&mut line);
    line.push(b' ');
    line.push(mark);
    line.push(b' ');
    let _ = write!(line, "{msg}");
    line.push(b'\n');
    line
}

/// A warning line as `format_line` makes it (`#` mark).
pub fn format_warning(msg: impl std::fmt::Display) -> Vec<u8> {
    format_line(b'#', msg)
}

/// Whether this process is a fork child (BGSAVE, AOF rewrite, ...).
pub fn is_fork_child() -> bool {
    ROLE.load(Ordering::Relaxed) == b'C'
}

/// Whether warnings are logged at all (`loglevel nothing` silences them).
pub fn warnings_enabled() -> bool {
    log::max_level() >= log::LevelFilter::Warn
}

/// Writes `bytes` to the log without taking the logger's lock, for the
/// crash report: the panic may have happened while that lock was held.
pub fn write_unlocked(bytes: &[u8]) {
    let path = HANDLER_PATH.load(Ordering::Relaxed);
    // SAFETY: `path` is null or a leaked NUL-terminated string that is
    // never freed; `bytes` is readable for its length.
    unsafe {
        let fd = if path.is_null() {
            1
        } else {
            libc::open(path, libc::O_APPEND | libc::O_CREAT | libc::O_WRONLY, 0o644)
        };
        if fd < 0 {
            return;
        }
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = libc::write(fd, rest.as_ptr().cast(), rest.len());
            if n <= 0 {
                break;
            }
            rest = &rest[n as usize..];
        }
        if fd != 1 {
            libc::close(fd);
        }
    }
}

/// Writes one already formatted line (no prefix), as `LL_RAW` does.
pub fn write_raw(line: &[u8]) {
    let path = TARGET.lock().ok().and_then(|t| t.clone());
    match path {
        Some(p) => {
            if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(&p) {
                let _ = f.write_all(line);
            }
        }
        None => {
            let out = std::io::stdout();
            let mut lock = out.lock();
            let _ = lock.write_all(line);
            let _ = lock.flush();
        }
    }
}

impl log::Log for RedisLogger {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = format_line(level_mark(record.level()), record.args());
        write_raw(&line);
        if SYSLOG.load(Ordering::Relaxed) != 0 {
            syslog(record.level(), &line);
        }
    }

    fn flush(&self) {}
}

fn syslog(level: log::Level, line: &[u8]) {
    let prio = match level {
        log::Level::Trace | log::Level::Debug => libc::LOG_DEBUG,
        log::Level::Info => libc::LOG_NOTICE,
        _ => libc::LOG_WARNING,
    };
    let mut msg: Vec<u8> = line.iter().copied().filter(|&c| c != 0 && c != b'\n').collect();
    msg.push(0);
    // SAFETY: the format string and the message are NUL-terminated.
    unsafe { libc::syslog(prio, c"%s".as_ptr(), msg.as_ptr()) };
}
