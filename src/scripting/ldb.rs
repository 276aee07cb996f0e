//! The Lua debugger (LDB, eval.c): SCRIPT DEBUG YES|SYNC|NO and the
//! debugging session an EVAL runs in afterwards. The session talks to the
//! client directly on its socket from inside the Lua line hook, as Redis
//! does: logs go out as arrays of status replies, commands come in as
//! RESP arrays.
//!
//! Redis runs `SCRIPT DEBUG YES` sessions in a fork child so the server
//! keeps serving; here both modes run synchronously, blocking the server
//! for the session (as `SYNC` does), and the client is closed at its end.
//!
//! The session owns the client's connection while it runs (taken from
//! the client by EVAL, handed back by `end_session`) and uses the
//! connection's synchronous helpers: no descriptor-level I/O here.

use super::capi::{lua_hook, Lua, LuaRaise};
use crate::net::{Conn, Ready};
use mlua::ffi;
use std::cell::RefCell;
use std::ffi::c_int;

const MAX_LEN_DEFAULT: usize = 256;
const BREAKPOINTS_MAX: usize = 64;
const MAX_VALUES_DEPTH: u32 = 10;

#[derive(Default)]
struct Ldb {
    active: bool,
    step: bool,
    luabp: bool,
    bp: Vec<i32>,
    src: Vec<Vec<u8>>,
    cbuf: Vec<u8>,
    logs: Vec<Vec<u8>>,
    maxlen: usize,
    maxlen_hint_sent: bool,
    currentline: i32,
    /// The debugged client's connection, for the session's duration.
    conn: Option<Conn>,
    start_us: u64,
}

thread_local! {
    static LDB: RefCell<Ldb> = RefCell::new(Ldb::default());
}

fn with<R>(f: impl FnOnce(&mut Ldb) -> R) -> R {
    LDB.with(|l| f(&mut l.borrow_mut()))
}

/// `ldbEnable`: called by SCRIPT DEBUG YES/SYNC.
pub fn enable() {
    with(|l| {
        l.logs.clear();
        l.step = true;
        l.bp.clear();
        l.luabp = false;
        l.cbuf.clear();
        l.maxlen = MAX_LEN_DEFAULT;
        l.maxlen_hint_sent = false;
    });
}

/// A session is running (`ldb.active`).
pub fn active() -> bool {
    with(|l| l.active)
}

/// A session is running and stepping (`ldbIsEnabled`): redis.call logs.
pub fn logging() -> bool {
    with(|l| l.active && l.step)
}

/// Starts a session on the client connection `conn` for the script
/// `body` (`ldbStartSession`).
pub fn start_session(conn: Conn, body: &[u8]) {
    log::warn!("Redis synchronous debugging eval session started");
    let mut src = body;
    while let Some(rest) = src.strip_suffix(b"\n").or_else(|| src.strip_suffix(b"\r")) {
        src = rest;
    }
    with(|l| {
        l.active = true;
        l.conn = Some(conn);
        l.src = src.split(|&c| c == b'\n').map(|s| s.to_vec()).collect();
        l.start_us = crate::util::monotonic_us();
    });
}

/// Ends the session (`ldbEndSession`), handing the connection back.
pub fn end_session() -> Option<Conn> {
    log(b"<endsession>".to_vec());
    send_logs();
    log::warn!("Redis synchronous debugging eval session ended");
    with(|l| {
        l.active = false;
        l.src.clear();
        l.conn.take()
    })
}

/// Appends a log entry (`ldbLog`).
pub fn log(entry: Vec<u8>) {
    with(|l| l.logs.push(entry));
}

/// `ldbLogWithMaxLen`
fn log_max_len(mut entry: Vec<u8>) {
    let (maxlen, hint_sent) = with(|l| (l.maxlen, l.maxlen_hint_sent));
    let mut trimmed = false;
    if maxlen != 0 && entry.len() > maxlen {
        entry.truncate(maxlen);
        entry.extend_from_slice(b" ...");
        trimmed = true;
    }
    log(entry);
    if trimmed && !hint_sent {
        with(|l| l.maxlen_hint_sent = true);
        log(b"<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.".to_vec());
    }
}

/// How long a write to the session may wait for the client to read
/// (Redis gives the blocking socket a 5 second send timeout).
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Writes all of `buf` to the session connection; gives up (silently: the
/// next read finds the connection broken) when the client has read
/// nothing for 5 seconds.
fn write_all(conn: &mut Conn, mut buf: &[u8]) {
    while !buf.is_empty() {
        match conn.write(buf) {
            Ok(0) => return,
            Ok(n) => buf = &buf[n..],
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if !conn.wait(Ready::Write, Some(SEND_TIMEOUT)).unwrap_or(false) {
                    return;
                }
            }
            Err(_) => return,
        }
    }
}

/// Sends the pending logs as an array of status replies (`ldbSendLogs`).
fn send_logs() {
    let logs = with(|l| std::mem::take(&mut l.logs));
    let mut proto = format!("*{}\r\n", logs.len()).into_bytes();
    for mut e in logs {
        for c in e.iter_mut() {
            if *c == b'\r' || *c == b'\n' {
                *c = b' ';
            }
        }
        proto.push(b'+');
        proto.extend_from_slice(&e);
        proto.extend_from_slice(b"\r\n");
    }
    with(|l| {
        if let Some(conn) = l.conn.as_mut() {
            write_all(conn, &proto);
        }
    });
}

/// Parses one command from the input buffer (`ldbReplParseCommand`).
/// Ok(None) asks for more input; Err is a protocol error.
fn parse_command(buf: &[u8]) -> Result<Option<Vec<Vec<u8>>>, ()> {
    if buf.is_empty() {
        return Ok(None);
    }
    let Some(star) = buf.iter().position(|&c| c == b'*') else {
        return Err(());
    };
    let find_crlf = |from: usize| buf[from..].windows(2).position(|w| w == b"\r\n").map(|p| p + from);
    let Some(e) = find_crlf(star) else {
        return Ok(None);
    };
    let argc = atoi(&buf[star + 1..e]);
    if argc <= 0 || argc > 1024 {
        return Err(());
    }
    let mut p = e + 2;
    let mut argv = Vec::with_capacity(argc as usize);
    while argv.len() < argc as usize {
        if p >= buf.len() {
            return Ok(None);
        }
        if buf[p] != b'$' {
            return Err(());
        }
        let Some(e) = find_crlf(p) else {
            return Ok(None);
        };
        let slen = atoi(&buf[p + 1..e]);
        if slen <= 0 || slen > 1024 {
            return Err(());
        }
        let start = e + 2;
        let slen = slen as usize;
        if start + slen + 2 > buf.len() {
            return Ok(None);
        }
        argv.push(buf[start..start + slen].to_vec());
        p = start + slen;
        if &buf[p..p + 2] != b"\r\n" {
            return Err(());
        }
        p += 2;
    }
    Ok(Some(argv))
}

/// C's atoi: leading digits with an optional sign, 0 otherwise.
fn atoi(b: &[u8]) -> i64 {
    let s = b.iter().skip_while(|c| c.is_ascii_whitespace()).copied().collect::<Vec<u8>>();
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, &s[..]),
    };
    let mut n: i64 = 0;
    for &c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add(i64::from(c - b'0'));
    }
    if neg {
        -n
    } else {
        n
    }
}

fn source_line(l: &Ldb, line: i32) -> Vec<u8> {
    let idx = line - 1;
    if idx < 0 || idx as usize >= l.src.len() {
        b"<out of range source code line>".to_vec()
    } else {
        l.src[idx as usize].clone()
    }
}

/// `ldbLogSourceLine`
fn log_source_line(lnum: i32) {
    let entry = with(|l| {
        let bp = l.bp.contains(&lnum);
        let current = l.currentline == lnum;
        let prefix = match (current, bp) {
            (true, true) => "->#",
            (true, false) => "-> ",
            (false, true) => "  #",
            (false, false) => "   ",
        };
        let mut e = format!("{prefix}{lnum:<3} ").into_bytes();
        e.extend_from_slice(&source_line(l, lnum));
        e
    });
    log(entry);
}

/// `ldbList`
fn list(around: i32, context: i32) {
    let lines = with(|l| l.src.len()) as i32;
    for j in 1..=lines {
        if around != 0 && (around - j).abs() > context {
            continue;
        }
        log_source_line(j);
    }
}

/// Appends a readable form of the value at `idx` (`ldbCatStackValueRec`).
fn cat_value(out: &mut Vec<u8>, l: &mut Lua, idx: c_int, level: u32) {
    if level == MAX_VALUES_DEPTH {
        out.extend_from_slice(b"<max recursion level reached! Nested table?>");
        return;
    }
    let idx = l.abs_index(idx);
    match l.type_of(idx) {
        ffi::LUA_TSTRING => {
            let s = l.to_bytes(idx).unwrap_or_default();
            out.extend_from_slice(crate::config::file::repr(s).as_bytes());
        }
        ffi::LUA_TBOOLEAN => {
            out.extend_from_slice(if l.to_boolean(idx) { b"true" } else { b"false" });
        }
        ffi::LUA_TNUMBER => {
            crate::util::num::push_f64_g(out, l.to_number(idx), 6);
        }
        ffi::LUA_TNIL => out.extend_from_slice(b"nil"),
        ffi::LUA_TTABLE => {
            let mut expected = 1.0;
            let mut is_array = true;
            let mut repr1 = Vec::new();
            let mut repr2 = Vec::new();
            l.push_nil();
            while l.next(idx) {
                if is_array && (l.type_of(-2) != ffi::LUA_TNUMBER || l.to_number(-2) != expected) {
                    is_array = false;
                }
                cat_value(&mut repr1, l, -1, level + 1);
                repr1.extend_from_slice(b"; ");
                repr2.push(b'[');
                cat_value(&mut repr2, l, -2, level + 1);
                repr2.extend_from_slice(b"]=");
                cat_value(&mut repr2, l, -1, level + 1);
                repr2.extend_from_slice(b"; ");
                l.pop(1);
                expected += 1.0;
            }
            for r in [&mut repr1, &mut repr2] {
                let n = r.len();
                if n >= 2 {
                    r.truncate(n - 2);
                }
            }
            out.push(b'{');
            out.extend_from_slice(if is_array { &repr1 } else { &repr2 });
            out.push(b'}');
        }
        t => {
            let name = match t {
                ffi::LUA_TFUNCTION => "function",
                ffi::LUA_TUSERDATA => "userdata",
                ffi::LUA_TTHREAD => "thread",
                ffi::LUA_TLIGHTUSERDATA => "light-userdata",
                _ => "unknown",
            };
            let p = l.to_pointer(idx);
            out.extend_from_slice(format!("\"{name}@{p:p}\"").as_bytes());
        }
    }
}

/// `ldbLogStackValue`: logs the value on top of the stack.
fn log_stack_value(l: &mut Lua, prefix: &[u8]) {
    let mut s = prefix.to_vec();
    cat_value(&mut s, l, -1, 0);
    log_max_len(s);
}

/// `redis.debug(...)` inside a session.
pub fn debug_values(l: &mut Lua) {
    let argc = l.top();
    let mut s = format!("<debug> line {}: ", with(|x| x.currentline)).into_bytes();
    for i in 1..=argc {
        cat_value(&mut s, l, i, 0);
        if i != argc {
            s.extend_from_slice(b", ");
        }
    }
    log(s);
}

/// `redis.breakpoint()` inside a session.
pub fn set_lua_breakpoint() {
    with(|l| l.luabp = true);
}

/// Logs a command a script runs (`<redis> ...`).
pub fn log_command(argv: &[Vec<u8>]) {
    let mut s = b"<redis>".to_vec();
    for (j, a) in argv.iter().enumerate() {
        if j == 10 {
            s.extend_from_slice(format!(" ... ({} more)", argv.len() - j - 1).as_bytes());
            break;
        }
        s.push(b' ');
        s.extend_from_slice(a);
    }
    log(s);
}

/// Logs a command's reply (`ldbLogRedisReply`).
pub fn log_reply(reply: &[u8]) {
    let mut s = b"<reply> ".to_vec();
    let mut pos = 0;
    proto_to_human(&mut s, reply, &mut pos);
    log_max_len(s);
}

/// `ldbRedisProtocolToHuman`
fn proto_to_human(o: &mut Vec<u8>, r: &[u8], pos: &mut usize) {
    let Some(&t) = r.get(*pos) else {
        return;
    };
    let line_end = |from: usize| r[from..].windows(2).position(|w| w == b"\r\n").map_or(r.len(), |p| p + from);
    let e = line_end(*pos);
    let head = &r[(*pos + 1).min(e)..e];
    let next = (e + 2).min(r.len());
    match t {
        b':' => {
            o.extend_from_slice(head);
            *pos = next;
        }
        b'$' => {
            let n = atoi(head);
            if n < 0 {
                o.extend_from_slice(b"NULL");
                *pos = next;
            } else {
                let end = (next + n as usize).min(r.len());
                o.extend_from_slice(crate::config::file::repr(&r[next..end]).as_bytes());
                *pos = (end + 2).min(r.len());
            }
        }
        b'+' | b'-' => {
            o.extend_from_slice(crate::config::file::repr(&r[*pos..e]).as_bytes());
            *pos = next;
        }
        b'*' | b'~' | b'%' => {
            let n = atoi(head);
            *pos = next;
            if t == b'*' && n < 0 {
                o.extend_from_slice(b"NULL");
                return;
            }
            let (open, close): (&[u8], &[u8]) = match t {
                b'*' => (b"[", b"]"),
                b'~' => (b"~(", b")"),
                _ => (b"{", b"}"),
            };
            o.extend_from_slice(open);
            for j in 0..n.max(0) {
                proto_to_human(o, r, pos);
                if t == b'%' {
                    o.extend_from_slice(b" => ");
                    proto_to_human(o, r, pos);
                }
                if j != n - 1 {
                    o.push(b',');
                }
            }
            o.extend_from_slice(close);
        }
        b'_' => {
            o.extend_from_slice(b"(null)");
            *pos = next;
        }
        b'#' => {
            o.extend_from_slice(if head.first() == Some(&b't') { b"#true" } else { b"#false" });
            *pos = next;
        }
        b',' => {
            o.extend_from_slice(b"(double) ");
            o.extend_from_slice(head);
            *pos = next;
        }
        _ => *pos = r.len(),
    }
}

/// `ldbPrint`
fn print_var(l: &mut Lua, name: &[u8]) {
    let mut level = 0;
    while l.frame_info(level, c"l").is_some() {
        let mut i = 1;
        while let Some(n) = l.push_local(level, i) {
            i += 1;
            if n == name {
                log_stack_value(l, b"<value> ");
                l.pop(1);
                return;
            }
            l.pop(1);
        }
        level += 1;
    }
    if name == b"ARGV" || name == b"KEYS" {
        let base = l.top();
        if l.get_field_protected(ffi::LUA_GLOBALSINDEX, name).is_ok() {
            log_stack_value(l, b"<value> ");
        }
        l.set_top(base);
    } else {
        log(b"No such variable.".to_vec());
    }
}

/// `ldbPrintAll`
fn print_all(l: &mut Lua) {
    let mut vars = 0;
    let mut i = 1;
    while let Some(name) = l.push_local(0, i) {
        i += 1;
        if !name.windows(12).any(|w| w == b"(*temporary)") {
            let mut prefix = b"<value> ".to_vec();
            prefix.extend_from_slice(&name);
            prefix.extend_from_slice(b" = ");
            log_stack_value(l, &prefix);
            vars += 1;
        }
        l.pop(1);
    }
    if vars == 0 {
        log(b"No local variables in the current context.".to_vec());
    }
}

/// `ldbBreak`
fn break_cmd(argv: &[Vec<u8>]) {
    if argv.len() == 1 {
        let bps = with(|l| l.bp.clone());
        if bps.is_empty() {
            log(b"No breakpoints set. Use 'b <line>' to add one.".to_vec());
        } else {
            log(format!("{} breakpoints set:", bps.len()).into_bytes());
            for b in bps {
                log_source_line(b);
            }
        }
        return;
    }
    for arg in &argv[1..] {
        let Some(line) = crate::util::num::parse_i64(arg) else {
            let mut m = b"Invalid argument:'".to_vec();
            m.extend_from_slice(arg);
            m.push(b'\'');
            log(m);
            continue;
        };
        if line == 0 {
            with(|l| l.bp.clear());
            log(b"All breakpoints removed.".to_vec());
        } else if line > 0 {
            let line = line.min(i64::from(i32::MAX)) as i32;
            let res = with(|l| {
                if l.bp.len() == BREAKPOINTS_MAX {
                    Err("Too many breakpoints set.")
                } else if line > l.src.len() as i32 {
                    Err("Wrong line number.")
                } else {
                    if !l.bp.contains(&line) {
                        l.bp.push(line);
                    }
                    Ok(())
                }
            });
            match res {
                Ok(()) => list(line, 1),
                Err(m) => log(m.as_bytes().to_vec()),
            }
        } else {
            let line = (-line).min(i64::from(i32::MAX)) as i32;
            let removed = with(|l| match l.bp.iter().position(|&b| b == line) {
                Some(p) => {
                    l.bp.remove(p);
                    true
                }
                None => false,
            });
            log(if removed {
                b"Breakpoint removed.".to_vec()
            } else {
                b"No breakpoint in the specified line.".to_vec()
            });
        }
    }
}

/// `ldbEval`
fn eval_cmd(l: &mut Lua, argv: &[Vec<u8>]) {
    let code = argv[1..].join(&b' ');
    let mut expr = b"return ".to_vec();
    expr.extend_from_slice(&code);
    let name = c"@ldb_eval";
    if l.load(&expr, name).is_err() {
        if let Err(msg) = l.load(&code, name) {
            let mut m = b"<error> ".to_vec();
            m.extend_from_slice(&msg);
            log(m);
            return;
        }
    }
    if l.pcall(0, 1, 0) != 0 {
        let mut m = b"<error> ".to_vec();
        m.extend_from_slice(l.to_bytes(-1).unwrap_or_default());
        log(m);
        l.pop(1);
        return;
    }
    log_stack_value(l, b"<retval> ");
    l.pop(1);
}

/// `ldbRedis`: runs redis.call with logging on.
fn redis_cmd(l: &mut Lua, argv: &[Vec<u8>]) {
    if !l.check_stack(argv.len() as c_int + 1) {
        log_reply(b"max lua stack reached");
        return;
    }
    let base = l.top();
    let found = l.get_field_protected(ffi::LUA_GLOBALSINDEX, b"redis").is_ok() && l.get_field_protected(-1, b"call").is_ok();
    if !found {
        l.set_top(base);
        return;
    }
    for a in &argv[1..] {
        l.push_bytes(a);
    }
    with(|x| x.step = true);
    l.pcall(argv.len() as c_int - 1, 1, 0);
    with(|x| x.step = false);
    l.set_top(base);
}

/// `ldbTrace`
fn trace(l: &mut Lua) {
    let mut level = 0;
    while let Some(ar) = l.frame_info(level, c"Snl") {
        if ar.short_src.windows(11).any(|w| w == b"user_script") {
            let name = ar.name.unwrap_or_else(|| b"top level".to_vec());
            let mut m = if level == 0 { b"In ".to_vec() } else { b"From ".to_vec() };
            m.extend_from_slice(&name);
            m.push(b':');
            log(m);
            log_source_line(ar.currentline);
        }
        level += 1;
    }
    if level == 0 {
        log(b"<error> Can't retrieve Lua stack.".to_vec());
    }
}

/// `ldbMaxlen`
fn maxlen_cmd(argv: &[Vec<u8>]) {
    if argv.len() == 2 {
        let mut v = atoi(&argv[1]).clamp(i64::from(i32::MIN), i64::from(i32::MAX));
        if v != 0 && v <= 60 {
            v = 60;
        }
        with(|l| {
            l.maxlen_hint_sent = true;
            l.maxlen = v.max(0) as usize;
        });
    }
    let m = with(|l| l.maxlen);
    if m != 0 {
        log(format!("<value> replies are truncated at {m} bytes.").into_bytes());
    } else {
        log(b"<value> replies are unlimited.".to_vec());
    }
}

const HELP: &[&str] = &[
    "Redis Lua debugger help:",
    "[h]elp               Show this help.",
    "[s]tep               Run current line and stop again.",
    "[n]ext               Alias for step.",
    "[c]ontinue           Run till next breakpoint.",
    "[l]ist               List source code around current line.",
    "[l]ist [line]        List source code around [line].",
    "                     line = 0 means: current position.",
    "[l]ist [line] [ctx]  In this form [ctx] specifies how many lines",
    "                     to show before/after [line].",
    "[w]hole              List all source code. Alias for 'list 1 1000000'.",
    "[p]rint              Show all the local variables.",
    "[p]rint <var>        Show the value of the specified variable.",
    "                     Can also show global vars KEYS and ARGV.",
    "[b]reak              Show all breakpoints.",
    "[b]reak <line>       Add a breakpoint to the specified line.",
    "[b]reak -<line>      Remove breakpoint from the specified line.",
    "[b]reak 0            Remove all breakpoints.",
    "[t]race              Show a backtrace.",
    "[e]val <code>        Execute some Lua code (in a different callframe).",
    "[r]edis <cmd>        Execute a Redis command.",
    "[m]axlen [len]       Trim logged Redis replies and Lua var dumps to len.",
    "                     Specifying zero as <len> means unlimited.",
    "[a]bort              Stop the execution of the script. In sync",
    "                     mode dataset changes will be retained.",
    "",
    "Debugger functions you can call from Lua scripts:",
    "redis.debug()        Produce logs in the debugger console.",
    "redis.breakpoint()   Stop execution like if there was a breakpoint in the",
    "                     next line of code.",
];

/// What the REPL asks the hook to do.
enum Repl {
    /// Resume the script.
    Resume,
    /// The client went away.
    Gone,
    /// Raise this error in the script.
    Raise(&'static [u8]),
}

/// Reads and runs debugger commands until one resumes the script
/// (`ldbRepl`).
fn repl(l: &mut Lua) -> Repl {
    loop {
        let argv = loop {
            let parsed = with(|x| parse_command(&x.cbuf));
            match parsed {
                Err(()) => return Repl::Raise(b"protocol error"),
                Ok(Some(argv)) => break argv,
                Ok(None) => {}
            }
            // Blocks until the client sends something (no timeout, as in
            // Redis); EOF or an error ends the session.
            let (n, too_big) = with(|x| {
                let n = match x.conn.as_mut() {
                    Some(conn) => conn.sync_read(&mut x.cbuf, 1024, None).unwrap_or(0),
                    None => 0,
                };
                if x.cbuf.len() > 1 << 20 {
                    x.cbuf.clear();
                    (n, true)
                } else {
                    (n, false)
                }
            });
            if n == 0 {
                with(|x| {
                    x.step = false;
                    x.bp.clear();
                });
                return Repl::Gone;
            }
            if too_big {
                return Repl::Raise(b"max client buffer reached");
            }
        };
        with(|x| x.cbuf.clear());
        let cmd = argv[0].to_ascii_lowercase();
        match cmd.as_slice() {
            b"h" | b"help" => {
                for h in HELP {
                    log(h.as_bytes().to_vec());
                }
                send_logs();
            }
            b"s" | b"step" | b"n" | b"next" => {
                with(|x| x.step = true);
                return Repl::Resume;
            }
            b"c" | b"continue" => return Repl::Resume,
            b"t" | b"trace" => {
                trace(l);
                send_logs();
            }
            b"m" | b"maxlen" => {
                maxlen_cmd(&argv);
                send_logs();
            }
            b"b" | b"break" => {
                break_cmd(&argv);
                send_logs();
            }
            b"e" | b"eval" => {
                eval_cmd(l, &argv);
                send_logs();
            }
            b"a" | b"abort" => return Repl::Raise(b"script aborted for user request"),
            b"r" | b"redis" if argv.len() > 1 => {
                redis_cmd(l, &argv);
                send_logs();
            }
            b"p" | b"print" => {
                if argv.len() == 2 {
                    print_var(l, &argv[1]);
                } else {
                    print_all(l);
                }
                send_logs();
            }
            b"l" | b"list" => {
                let mut around = with(|x| x.currentline);
                let mut ctx = 5;
                if argv.len() > 1 {
                    let n = atoi(&argv[1]);
                    if n > 0 {
                        around = n.min(i64::from(i32::MAX)) as i32;
                    }
                }
                if argv.len() > 2 {
                    ctx = atoi(&argv[2]).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
                }
                list(around, ctx);
                send_logs();
            }
            b"w" | b"whole" => {
                list(1, 1_000_000);
                send_logs();
            }
            _ => {
                log(b"<error> Unknown Redis Lua debugger command or wrong number of arguments.".to_vec());
                send_logs();
            }
        }
    }
}

/// The line (and count) hook of a debugging session (`luaLdbLineHook`).
fn line_hook(l: &mut Lua, event: c_int) -> Result<(), LuaRaise> {
    let Some(ar) = l.frame_info(0, c"Sl") else {
        return Ok(());
    };
    let line = ar.currentline;
    let in_script = ar.short_src.windows(11).any(|w| w == b"user_script");
    let (bp, step, luabp, start) = with(|x| {
        x.currentline = line;
        (x.bp.contains(&line) || x.luabp, x.step, x.luabp, x.start_us)
    });
    if !in_script {
        return Ok(());
    }
    let mut timeout = false;
    if event == ffi::LUA_HOOKCOUNT && !step && !bp {
        let elapsed = crate::util::monotonic_us().saturating_sub(start) / 1000;
        let limit = super::current_run().map_or(5000, |r| {
            // SAFETY: RUN is set, so the run context points at the live
            // server; only a config value is read.
            let t = unsafe { (*r.srv).cfg.busy_reply_threshold };
            if t > 0 {
                t as u64
            } else {
                5000
            }
        });
        if elapsed >= limit {
            timeout = true;
            with(|x| x.step = true);
        } else {
            return Ok(());
        }
    }
    let step = with(|x| x.step);
    if step || bp {
        let reason = if bp {
            if luabp {
                "redis.breakpoint() called"
            } else {
                "break point"
            }
        } else if timeout {
            "timeout reached, infinite loop?"
        } else {
            "step over"
        };
        with(|x| {
            x.step = false;
            x.luabp = false;
        });
        log(format!("* Stopped at {line}, stop reason = {reason}").into_bytes());
        log_source_line(line);
        send_logs();
        let msg: Option<&'static [u8]> = match repl(l) {
            Repl::Resume => None,
            Repl::Gone if timeout => Some(b"timeout during Lua debugging with client closing connection"),
            Repl::Gone => None,
            Repl::Raise(m) => Some(m),
        };
        with(|x| x.start_us = crate::util::monotonic_us());
        if let Some(m) = msg {
            return Err(LuaRaise::table(m));
        }
    }
    Ok(())
}

lua_hook!(pub LINE_HOOK => line_hook);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_debugger_commands() {
        assert_eq!(parse_command(b"*1\r\n$1\r\ns\r\n"), Ok(Some(vec![b"s".to_vec()])));
        assert_eq!(parse_command(b"*2\r\n$1\r\ne\r\n"), Ok(None));
        assert_eq!(parse_command(b"hello"), Err(()));
        assert_eq!(parse_command(b"*0\r\n"), Err(()));
    }

    #[test]
    fn renders_replies_like_redis() {
        let mut o = Vec::new();
        let mut pos = 0;
        proto_to_human(&mut o, b"*3\r\n:1\r\n$2\r\nab\r\n$-1\r\n", &mut pos);
        assert_eq!(o, b"[1,\"ab\",NULL]");
        let mut o = Vec::new();
        let mut pos = 0;
        proto_to_human(&mut o, b"+OK\r\n", &mut pos);
        assert_eq!(o, b"\"+OK\"");
    }
}
