//! The Lua 5.1 interpreter as Redis sets it up (script_lua.c): the
//! sandboxed globals, the `redis` API table, the conversions between RESP
//! replies and Lua values, and the error objects scripts see.
//!
//! We drive the interpreter through its C API (`mlua::ffi`, the vendored
//! Lua 5.1 that mlua builds) because Redis's semantics live at that level:
//! `redis.call` raises a Lua *table* as its error, `pcall` rewrites such
//! tables, errors raised by C functions carry no position prefix.
//!
//! Rules for the C functions in this module and in `libs/`: Lua reports
//! errors with `longjmp`, so a Lua API call that may raise (`lua_error`,
//! `luaL_check*`, non-raw table access) is only made while no Rust value
//! with a destructor is alive in the calling frames up to the protected
//! call. Functions build their results first, drop them, then raise.
//!
//! Read-only tables: Redis patches Lua with a per-table read-only flag.
//! Stock Lua has none, so every protected table is reached through an
//! empty proxy whose metatable forwards reads (`__index`) and rejects
//! writes (`__newindex`); `rawset`, `setmetatable` and `getmetatable` are
//! wrapped to respect proxies. The proxy of the globals table is installed
//! as the interpreter's globals, so every chunk loaded later (scripts,
//! `loadstring`) sees the protected view.

use mlua::ffi;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

pub type State = *mut ffi::lua_State;

/// Registry keys.
pub const REG_GLOBALS: &CStr = c"__oxidis_globals";
pub const REG_GLOBALS_MT: &CStr = c"__oxidis_globals_mt";
pub const REG_LIBRARY_API: &CStr = c"__oxidis_library_api";
pub const REG_ERROR_HANDLER: &CStr = c"__oxidis_error_handler";

/// `REDIS_VERSION_NUM` of 7.0.15.
const REDIS_VERSION_NUM: f64 = 0x0007000f as f64;

/// Which interpreter: EVAL's, or the one that holds function libraries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum VmKind {
    Eval,
    Function,
}

/// An interpreter. Dropping it closes the Lua state.
pub struct Vm {
    pub l: State,
    pub kind: VmKind,
}

impl Drop for Vm {
    fn drop(&mut self) {
        // SAFETY: `l` was created by `Vm::new`, is owned by this value and
        // no Lua code runs while it is dropped.
        unsafe { ffi::lua_close(self.l) }
    }
}

// ---------------------------------------------------------------- helpers

/// Pushes a byte string.
#[inline]
pub unsafe fn push_bytes(l: State, b: &[u8]) {
    ffi::lua_pushlstring_(l, b.as_ptr().cast(), b.len());
}

/// The bytes of the string (or number, converted in place) at `idx`.
/// The slice is valid while the value stays on the stack.
#[inline]
pub unsafe fn to_bytes<'a>(l: State, idx: c_int) -> Option<&'a [u8]> {
    let mut len = 0usize;
    let p = ffi::lua_tolstring(l, idx, &mut len);
    if p.is_null() {
        None
    } else {
        Some(std::slice::from_raw_parts(p.cast::<u8>(), len))
    }
}

/// `t[name] = <top>` without metamethods; `t` at absolute index `tidx`.
#[inline]
pub unsafe fn raw_set_field(l: State, tidx: c_int, name: &[u8]) {
    push_bytes(l, name);
    ffi::lua_insert(l, -2);
    ffi::lua_rawset(l, tidx);
}

/// Pushes `t[name]` without metamethods; `t` at absolute index `tidx`.
#[inline]
pub unsafe fn raw_get_field(l: State, tidx: c_int, name: &[u8]) -> c_int {
    push_bytes(l, name);
    ffi::lua_rawget_(l, tidx);
    ffi::lua_type(l, -1)
}

/// Stores `f` under `name` in the table at absolute index `tidx`.
pub unsafe fn set_cfunction(l: State, tidx: c_int, name: &[u8], f: ffi::lua_CFunction) {
    ffi::lua_pushcclosure(l, f, 0);
    raw_set_field(l, tidx, name);
}

/// Stores a number under `name` in the table at absolute index `tidx`.
pub unsafe fn set_number(l: State, tidx: c_int, name: &[u8], n: f64) {
    ffi::lua_pushnumber(l, n);
    raw_set_field(l, tidx, name);
}

/// Raises the string `msg` as `luaL_error` does: prefixed with the
/// position of the Lua code that called the running C function.
pub unsafe fn raise_str(l: State, msg: &[u8]) -> ! {
    ffi::luaL_where(l, 1);
    push_bytes(l, msg);
    ffi::lua_concat(l, 2);
    ffi::lua_error(l)
}

/// `raise_str` for an owned message, dropped before raising so nothing
/// with a destructor is left on the way.
pub unsafe fn raise_owned(l: State, msg: Vec<u8>) -> ! {
    ffi::luaL_where(l, 1);
    push_bytes(l, &msg);
    drop(msg);
    ffi::lua_concat(l, 2);
    ffi::lua_error(l)
}

/// `unpack` with the overflow-safe range check of Lua 5.1's bug fix (the
/// stock one can be made to push billions of values).
unsafe extern "C-unwind" fn safe_unpack(l: State) -> c_int {
    // SAFETY: called by Lua; luaL_* may raise with nothing to drop.
    ffi::luaL_checktype(l, 1, ffi::LUA_TTABLE);
    let i = ffi::luaL_optinteger(l, 2, 1) as c_int;
    let e = if ffi::lua_type(l, 3) <= ffi::LUA_TNIL {
        ffi::lua_objlen(l, 1) as c_int
    } else {
        ffi::luaL_checkinteger(l, 3) as c_int
    };
    if i > e {
        return 0;
    }
    let n = (e as u32).wrapping_sub(i as u32);
    if n >= i32::MAX as u32 || ffi::lua_checkstack(l, (n + 1) as c_int) == 0 {
        raise_str(l, b"too many results to unpack");
    }
    let mut k = i;
    ffi::lua_rawgeti_(l, 1, k);
    while k < e {
        k += 1;
        ffi::lua_rawgeti_(l, 1, k);
    }
    (n + 1) as c_int
}

/// The message `luaL_argerror` builds, computed without raising.
pub unsafe fn arg_error_msg(l: State, mut narg: c_int, extra: &str) -> Vec<u8> {
    let mut ar: ffi::lua_Debug = std::mem::zeroed();
    let mut name = b"?".to_vec();
    if ffi::lua_getstack(l, 0, &mut ar) != 0 {
        ffi::lua_getinfo(l, c"n".as_ptr(), &mut ar);
        if !ar.namewhat.is_null() && CStr::from_ptr(ar.namewhat).to_bytes() == b"method" {
            narg -= 1;
            if narg == 0 {
                let mut m = b"calling '".to_vec();
                if !ar.name.is_null() {
                    m.extend_from_slice(CStr::from_ptr(ar.name).to_bytes());
                }
                m.extend_from_slice(b"' on bad self (");
                m.extend_from_slice(extra.as_bytes());
                m.push(b')');
                return m;
            }
        }
        if !ar.name.is_null() {
            name = CStr::from_ptr(ar.name).to_bytes().to_vec();
        }
    }
    let mut m = format!("bad argument #{narg} to '").into_bytes();
    m.extend_from_slice(&name);
    m.extend_from_slice(b"' (");
    m.extend_from_slice(extra.as_bytes());
    m.push(b')');
    m
}

/// The type name of the value at `idx` (or "no value").
pub unsafe fn type_name(l: State, idx: c_int) -> &'static str {
    match ffi::lua_type(l, idx) {
        ffi::LUA_TNONE => "no value",
        ffi::LUA_TNIL => "nil",
        ffi::LUA_TBOOLEAN => "boolean",
        ffi::LUA_TLIGHTUSERDATA | ffi::LUA_TUSERDATA => "userdata",
        ffi::LUA_TNUMBER => "number",
        ffi::LUA_TSTRING => "string",
        ffi::LUA_TTABLE => "table",
        ffi::LUA_TFUNCTION => "function",
        ffi::LUA_TTHREAD => "thread",
        _ => "?",
    }
}

/// `luaL_typerror`'s message.
pub unsafe fn type_error_msg(l: State, narg: c_int, expected: &str) -> Vec<u8> {
    let extra = format!("{expected} expected, got {}", type_name(l, narg));
    arg_error_msg(l, narg, &extra)
}

/// Formats a Lua number the way `redis.call` passes it ("%.17g").
pub fn number_arg(n: f64, out: &mut Vec<u8>) {
    crate::util::num::push_f64_g17(out, n);
}

// ---------------------------------------------------------- error objects

/// Pushes Redis's error table `{err = "<CODE> <msg>"}` built from `text`
/// (`luaPushErrorBuff`): "-CODE msg" keeps its code, anything else gets
/// ERR; CR/LF around the message are trimmed.
pub unsafe fn push_error_table(l: State, text: &[u8]) {
    if super::ldb::logging() {
        let mut m = b"<error> ".to_vec();
        m.extend_from_slice(text);
        super::ldb::log(m);
    }
    let (code, msg): (&[u8], &[u8]) = if let Some(rest) = text.strip_prefix(b"-") {
        match rest.iter().position(|&c| c == b' ') {
            Some(sp) => (&rest[..sp], &rest[sp + 1..]),
            None => (b"ERR", rest),
        }
    } else {
        (b"ERR", text)
    };
    let trim = |c: &u8| *c == b'\r' || *c == b'\n';
    let start = msg.iter().position(|c| !trim(c)).unwrap_or(msg.len());
    let end = msg.iter().rposition(|c| !trim(c)).map_or(start, |e| e + 1);
    let msg = &msg[start..end];
    // lua_pushstring stops at the first NUL, as in Redis.
    let cut = |b: &[u8]| -> usize { b.iter().position(|&c| c == 0).unwrap_or(b.len()) };
    let mut full = Vec::with_capacity(code.len() + msg.len() + 1);
    full.extend_from_slice(code);
    full.push(b' ');
    full.extend_from_slice(msg);
    let n = cut(&full);
    ffi::lua_createtable(l, 0, 2);
    push_bytes(l, b"err");
    push_bytes(l, &full[..n]);
    ffi::lua_rawset(l, -3);
}

/// Marks the error table on top of the stack as already counted in the
/// error stats.
pub unsafe fn mark_error_counted(l: State) {
    push_bytes(l, b"ignore_error_stats_update");
    ffi::lua_pushboolean(l, 1);
    ffi::lua_rawset(l, -3);
}

/// What a failed script left: the parts of its error object.
#[derive(Default, Debug)]
pub struct ErrorInfo {
    pub msg: Option<Vec<u8>>,
    pub source: Option<Vec<u8>>,
    pub line: Option<Vec<u8>>,
    pub ignore_stats: bool,
}

/// Reads an error object (`luaExtractErrorInformation`); a plain string
/// becomes "ERR <string>". Leaves the stack as it was.
pub unsafe fn error_info(l: State, idx: c_int) -> ErrorInfo {
    let idx = absindex(l, idx);
    let mut info = ErrorInfo::default();
    if ffi::lua_type(l, idx) == ffi::LUA_TSTRING || ffi::lua_type(l, idx) == ffi::LUA_TNUMBER {
        let mut m = b"ERR ".to_vec();
        ffi::lua_pushvalue(l, idx);
        m.extend_from_slice(to_bytes(l, -1).unwrap_or_default());
        ffi::lua_settop(l, -2);
        info.msg = Some(m);
        return info;
    }
    if ffi::lua_type(l, idx) != ffi::LUA_TTABLE {
        return info;
    }
    let field = |name: &[u8]| -> Option<Vec<u8>> {
        let t = raw_get_field(l, idx, name);
        let v = if t == ffi::LUA_TSTRING || t == ffi::LUA_TNUMBER {
            to_bytes(l, -1).map(|b| b.to_vec())
        } else {
            None
        };
        ffi::lua_settop(l, -2);
        v
    };
    info.msg = field(b"err");
    info.source = field(b"source");
    info.line = field(b"line");
    if raw_get_field(l, idx, b"ignore_error_stats_update") == ffi::LUA_TBOOLEAN {
        info.ignore_stats = ffi::lua_toboolean(l, -1) != 0;
    }
    ffi::lua_settop(l, -2);
    info
}

#[inline]
pub unsafe fn absindex(l: State, idx: c_int) -> c_int {
    if idx > 0 || idx <= ffi::LUA_REGISTRYINDEX {
        idx
    } else {
        ffi::lua_gettop(l) + idx + 1
    }
}

// ------------------------------------------------------- RESP -> Lua value

/// Parses one RESP reply from `buf[*pos..]` (produced by our own reply
/// builder, so well formed) and pushes it as Lua values the way Redis
/// converts `redis.call` replies; with `push == false` it only skips.
pub unsafe fn push_resp(l: State, buf: &[u8], pos: &mut usize, push: bool) {
    if *pos >= buf.len() {
        if push {
            ffi::lua_pushnil(l);
        }
        return;
    }
    if push && ffi::lua_checkstack(l, 5) == 0 {
        log::warn!("lua stack limit reach when parsing redis.call reply");
        std::process::abort();
    }
    let t = buf[*pos];
    let line_end = buf[*pos..].windows(2).position(|w| w == b"\r\n").map_or(buf.len(), |i| *pos + i);
    let line = &buf[(*pos + 1).min(line_end)..line_end];
    *pos = (line_end + 2).min(buf.len());
    let num = || -> i64 { crate::util::num::parse_i64(line).unwrap_or(0) };
    match t {
        b'+' => {
            if push {
                ffi::lua_createtable(l, 0, 1);
                push_bytes(l, b"ok");
                push_bytes(l, line);
                ffi::lua_rawset(l, -3);
            }
        }
        b'-' => {
            if push {
                let mut text = Vec::with_capacity(line.len() + 1);
                text.push(b'-');
                text.extend_from_slice(line);
                push_error_table(l, &text);
                mark_error_counted(l);
            }
        }
        b':' => {
            if push {
                ffi::lua_pushnumber(l, num() as f64);
            }
        }
        b'$' | b'=' => {
            let n = num();
            if n < 0 {
                if push {
                    ffi::lua_pushboolean(l, 0);
                }
                return;
            }
            let n = n as usize;
            let body = &buf[(*pos).min(buf.len())..(*pos + n).min(buf.len())];
            *pos = (*pos + n + 2).min(buf.len());
            if !push {
                return;
            }
            if t == b'$' {
                push_bytes(l, body);
            } else {
                let (fmt, s) = if body.len() >= 4 {
                    (&body[..3], &body[4..])
                } else {
                    (&body[..0], body)
                };
                ffi::lua_createtable(l, 0, 1);
                push_bytes(l, b"verbatim_string");
                ffi::lua_createtable(l, 0, 2);
                push_bytes(l, b"string");
                push_bytes(l, s);
                ffi::lua_rawset(l, -3);
                push_bytes(l, b"format");
                push_bytes(l, fmt);
                ffi::lua_rawset(l, -3);
                ffi::lua_rawset(l, -3);
            }
        }
        b'*' | b'>' => {
            let n = num();
            if n < 0 {
                if push {
                    ffi::lua_pushboolean(l, 0);
                }
                return;
            }
            if push {
                ffi::lua_createtable(l, n.min(1024) as c_int, 0);
            }
            for j in 0..n {
                if push {
                    ffi::lua_pushnumber(l, (j + 1) as f64);
                }
                push_resp(l, buf, pos, push);
                if push {
                    ffi::lua_rawset(l, -3);
                }
            }
        }
        b'%' | b'~' => {
            let n = num().max(0);
            if push {
                ffi::lua_createtable(l, 0, 1);
                push_bytes(l, if t == b'%' { b"map" } else { b"set" });
                ffi::lua_createtable(l, 0, n.min(1024) as c_int);
            }
            for _ in 0..n {
                push_resp(l, buf, pos, push);
                if t == b'%' {
                    push_resp(l, buf, pos, push);
                } else if push {
                    if ffi::lua_checkstack(l, 1) == 0 {
                        std::process::abort();
                    }
                    ffi::lua_pushboolean(l, 1);
                }
                if push {
                    ffi::lua_rawset(l, -3);
                }
            }
            if push {
                ffi::lua_rawset(l, -3);
            }
        }
        b'_' => {
            if push {
                ffi::lua_pushnil(l);
            }
        }
        b'#' => {
            if push {
                ffi::lua_pushboolean(l, c_int::from(line == b"t"));
            }
        }
        b',' => {
            if push {
                let d = parse_double(line);
                ffi::lua_createtable(l, 0, 1);
                push_bytes(l, b"double");
                ffi::lua_pushnumber(l, d);
                ffi::lua_rawset(l, -3);
            }
        }
        b'(' => {
            if push {
                ffi::lua_createtable(l, 0, 1);
                push_bytes(l, b"big_number");
                push_bytes(l, line);
                ffi::lua_rawset(l, -3);
            }
        }
        b'|' => {
            // Attributes are not shown to scripts: skip them, then the
            // real reply follows.
            let n = num().max(0);
            for _ in 0..n {
                push_resp(l, buf, pos, false);
                push_resp(l, buf, pos, false);
            }
            push_resp(l, buf, pos, push);
        }
        _ => {
            if push {
                ffi::lua_pushnil(l);
            }
        }
    }
}

/// `strtod` of a RESP3 double line.
fn parse_double(s: &[u8]) -> f64 {
    match s {
        b"inf" | b"+inf" => f64::INFINITY,
        b"-inf" => f64::NEG_INFINITY,
        b"nan" | b"-nan" => f64::NAN,
        _ => std::str::from_utf8(s).ok().and_then(|x| x.parse().ok()).unwrap_or(0.0),
    }
}

// ------------------------------------------------------- Lua value -> RESP

/// An error written into a reply by the conversion, for error stats.
pub struct ReplyError {
    pub text: Vec<u8>,
    pub count: bool,
}

/// Writes the value on top of the stack as a reply and pops it
/// (`luaReplyToRedisReply`). `script_resp` is the protocol the script
/// chose with `redis.setresp`.
pub unsafe fn reply_from_lua(l: State, r: &mut crate::resp::ReplyBuf, script_resp: u8, errors: &mut Vec<ReplyError>) {
    let t = ffi::lua_type(l, -1);
    if ffi::lua_checkstack(l, 4) == 0 {
        let text = b"ERR reached lua stack limit".to_vec();
        r.error(&text);
        errors.push(ReplyError { text, count: true });
        ffi::lua_settop(l, -2);
        return;
    }
    match t {
        ffi::LUA_TSTRING => r.bulk(to_bytes(l, -1).unwrap_or_default()),
        ffi::LUA_TBOOLEAN => {
            let b = ffi::lua_toboolean(l, -1) != 0;
            if script_resp == 2 {
                if b {
                    r.int(1);
                } else {
                    r.null();
                }
            } else {
                r.bool(b);
            }
        }
        ffi::LUA_TNUMBER => r.int(c_cast_i64(ffi::lua_tonumber(l, -1))),
        ffi::LUA_TTABLE => {
            table_reply(l, r, script_resp, errors);
            return;
        }
        _ => r.null(),
    }
    ffi::lua_settop(l, -2);
}

unsafe fn table_reply(l: State, r: &mut crate::resp::ReplyBuf, script_resp: u8, errors: &mut Vec<ReplyError>) {
    let tidx = ffi::lua_gettop(l);
    if raw_get_field(l, tidx, b"err") == ffi::LUA_TSTRING {
        ffi::lua_settop(l, -2);
        let info = error_info(l, tidx);
        let mut text = info.msg.unwrap_or_default();
        sanitize_error(&mut text);
        r.error(&text);
        errors.push(ReplyError {
            text,
            count: !info.ignore_stats,
        });
        ffi::lua_settop(l, tidx - 1);
        return;
    }
    ffi::lua_settop(l, tidx);
    if raw_get_field(l, tidx, b"ok") == ffi::LUA_TSTRING {
        let s: Vec<u8> = to_bytes(l, -1)
            .unwrap_or_default()
            .iter()
            .map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c })
            .collect();
        r.status(&s);
        ffi::lua_settop(l, tidx - 1);
        return;
    }
    ffi::lua_settop(l, tidx);
    if raw_get_field(l, tidx, b"double") == ffi::LUA_TNUMBER {
        r.double(ffi::lua_tonumber(l, -1));
        ffi::lua_settop(l, tidx - 1);
        return;
    }
    ffi::lua_settop(l, tidx);
    if raw_get_field(l, tidx, b"big_number") == ffi::LUA_TSTRING {
        let s: Vec<u8> = to_bytes(l, -1)
            .unwrap_or_default()
            .iter()
            .map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c })
            .collect();
        r.big_number(&s);
        ffi::lua_settop(l, tidx - 1);
        return;
    }
    ffi::lua_settop(l, tidx);
    if raw_get_field(l, tidx, b"verbatim_string") == ffi::LUA_TTABLE {
        let v = ffi::lua_gettop(l);
        if raw_get_field(l, v, b"format") == ffi::LUA_TSTRING {
            let fmt = to_bytes(l, -1).unwrap_or_default().to_vec();
            if raw_get_field(l, v, b"string") == ffi::LUA_TSTRING {
                let s = to_bytes(l, -1).unwrap_or_default();
                let mut ext = [0u8; 3];
                for (i, b) in ext.iter_mut().enumerate() {
                    *b = fmt.get(i).copied().unwrap_or(0);
                }
                r.verbatim(s, &ext);
                ffi::lua_settop(l, tidx - 1);
                return;
            }
        }
    }
    ffi::lua_settop(l, tidx);
    if raw_get_field(l, tidx, b"map") == ffi::LUA_TTABLE {
        let m = ffi::lua_gettop(l);
        let d = r.deferred();
        let mut n = 0;
        ffi::lua_pushnil(l);
        while ffi::lua_next(l, m) != 0 {
            ffi::lua_pushvalue(l, -2);
            reply_from_lua(l, r, script_resp, errors);
            reply_from_lua(l, r, script_resp, errors);
            n += 1;
        }
        r.set_deferred_map(d, n);
        ffi::lua_settop(l, tidx - 1);
        return;
    }
    ffi::lua_settop(l, tidx);
    if raw_get_field(l, tidx, b"set") == ffi::LUA_TTABLE {
        let m = ffi::lua_gettop(l);
        let d = r.deferred();
        let mut n = 0;
        ffi::lua_pushnil(l);
        while ffi::lua_next(l, m) != 0 {
            ffi::lua_settop(l, -2);
            ffi::lua_pushvalue(l, -1);
            reply_from_lua(l, r, script_resp, errors);
            n += 1;
        }
        r.set_deferred_set(d, n);
        ffi::lua_settop(l, tidx - 1);
        return;
    }
    ffi::lua_settop(l, tidx);
    let d = r.deferred();
    let mut n = 0;
    let mut j = 1;
    loop {
        ffi::lua_rawgeti_(l, tidx, j);
        j += 1;
        if ffi::lua_type(l, -1) == ffi::LUA_TNIL {
            ffi::lua_settop(l, -2);
            break;
        }
        reply_from_lua(l, r, script_resp, errors);
        n += 1;
    }
    r.set_deferred_array(d, n);
    ffi::lua_settop(l, tidx - 1);
}

/// C's `(long long)` cast of a double as x86-64 does it: out of range
/// and NaN give the "integer indefinite" value.
pub fn c_cast_i64(n: f64) -> i64 {
    // 2^63: the first double past i64::MAX.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if n.is_nan() || !(-LIMIT..LIMIT).contains(&n) {
        i64::MIN
    } else {
        n as i64
    }
}

/// `addReplyErrorFormat`'s clean-up: trailing CR/LF trimmed, inner ones
/// become spaces.
pub fn sanitize_error(text: &mut Vec<u8>) {
    while matches!(text.last(), Some(b'\r' | b'\n')) {
        text.pop();
    }
    let lead = text.iter().take_while(|&&c| c == b'\r' || c == b'\n').count();
    text.drain(..lead);
    for c in text.iter_mut() {
        if *c == b'\r' || *c == b'\n' {
            *c = b' ';
        }
    }
}

// ------------------------------------------------------------ the sandbox

/// Lua code run once per interpreter, with the real globals, to build the
/// protected view: error handler, proxies, wrapped raw functions.
const BOOTSTRAP: &str = r#"
local dbg, G, is_function_engine = ...
local type, next, error, tostring, rawget, rawset = type, next, error, tostring, rawget, rawset
local setmetatable, getmetatable, pairs, loadstring = setmetatable, getmetatable, pairs, loadstring
local concat = table.concat
local RO = 'Attempt to modify a readonly table'
local backing, views, proxies = {}, {}, {}

local function error_handler(err)
  local lvl = 2
  local i = dbg.getinfo(lvl, 'nSl')
  if i and i.what == 'C' then
    lvl = 3
    i = dbg.getinfo(lvl, 'nSl')
  end
  while i and i.source == '=oxidis' do
    lvl = lvl + 1
    i = dbg.getinfo(lvl, 'nSl')
  end
  if type(err) ~= 'table' then
    err = {err='ERR ' .. tostring(err)}
  end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end

local function ro_newindex()
  error(RO, 2)
end

local protect
protect = function(t)
  local p = proxies[t]
  if p then return p end
  p = {}
  proxies[t] = p
  backing[p] = t
  local keys = {}
  for k, v in next, t do
    if type(v) == 'table' then keys[#keys + 1] = k end
  end
  for n = 1, #keys do
    local k = keys[n]
    rawset(t, k, protect(rawget(t, k)))
  end
  local mt = {__index = t, __newindex = ro_newindex}
  local own = getmetatable(t)
  if own then views[mt] = protect(own) else views[mt] = false end
  setmetatable(p, mt)
  return p
end

G.getmetatable = function(v)
  local m = getmetatable(v)
  if m ~= nil then
    local view = views[m]
    if view == false then return nil end
    if view ~= nil then return view end
  end
  return m
end

G.setmetatable = function(t, m)
  if backing[t] then error(RO, 0) end
  local r = setmetatable(t, m)
  return r
end

G.rawset = function(t, k, v)
  if backing[t] then error(RO, 0) end
  local r = rawset(t, k, v)
  return r
end

G.rawget = function(t, k)
  local b = backing[t]
  if b ~= nil then t = b end
  local r = rawget(t, k)
  return r
end

G.next = function(t, k)
  local b = backing[t]
  if b ~= nil then t = b end
  local nk, nv = next(t, k)
  return nk, nv
end

G.pairs = function(t)
  local b = backing[t]
  if b ~= nil then
    return function(_, k)
      local nk, nv = next(b, k)
      return nk, nv
    end, t, nil
  end
  local f, s, c = pairs(t)
  return f, s, c
end

G.loadstring = function(s, chunkname)
  local src = s
  if type(s) == 'string' and s:byte(1) == 27 then src = ' ' .. s end
  local f, e = loadstring(src, chunkname or s)
  return f, e
end

G.load = function(reader, chunkname)
  local parts = {}
  while true do
    local piece = reader()
    if piece == nil or piece == '' then break end
    if type(piece) ~= 'string' then
      return nil, 'reader function must return a string'
    end
    parts[#parts + 1] = piece
  end
  local src = concat(parts)
  if src:byte(1) == 27 then src = ' ' .. src end
  local f, e = loadstring(src, chunkname or '=(load)')
  return f, e
end

local smt = getmetatable('')
if smt then
  views[smt] = protect({__index = smt.__index})
end

if not is_function_engine then
  G.__redis__err__handler = error_handler
end

local lib_api = nil
if is_function_engine then
  lib_api = protect(G.__oxidis_lib_api)
  G.__oxidis_lib_api = nil
  lib_api = backing[lib_api]
end

local gp = protect(G)
G._G = gp
return error_handler, gp, getmetatable(gp), lib_api
"#;

/// Raises "Script attempted to access nonexistent global variable"
/// (`luaProtectedTableError`): the `__index` of protected tables.
unsafe extern "C-unwind" fn nonexistent_global(l: State) -> c_int {
    // SAFETY: called by Lua as a metamethod with (table, key).
    if ffi::lua_gettop(l) != 2 {
        raise_str(l, b"Wrong number of arguments to luaProtectedTableError");
    }
    if ffi::lua_isstring(l, -1) == 0 && ffi::lua_isnumber(l, -1) == 0 {
        raise_str(l, b"Second argument to luaProtectedTableError must be a string or number");
    }
    let mut msg = b"Script attempted to access nonexistent global variable '".to_vec();
    msg.extend_from_slice(to_bytes(l, -1).unwrap_or_default());
    msg.push(b'\'');
    raise_owned(l, msg)
}

/// Sets the error metatable (`luaSetErrorMetatable`) on the table on top.
unsafe fn set_error_metatable(l: State) {
    ffi::lua_createtable(l, 0, 1);
    let mt = ffi::lua_gettop(l);
    set_cfunction(l, mt, b"__index", nonexistent_global);
    ffi::lua_setmetatable(l, -2);
}

unsafe extern "C-unwind" fn at_panic(l: State) -> c_int {
    // SAFETY: Lua calls the panic function with its state; we only read
    // the error message and abort.
    let msg = to_bytes(l, -1).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    log::warn!("Lua panic (unprotected error in call to Lua API): {msg}");
    std::process::abort();
}

unsafe fn open_lib(l: State, name: &CStr, f: ffi::lua_CFunction) {
    ffi::lua_pushcclosure(l, f, 0);
    ffi::lua_pushstring_(l, name.as_ptr());
    ffi::lua_call(l, 1, 0);
}

impl Vm {
    /// Creates an interpreter with Redis's libraries, API and sandbox.
    pub fn new(kind: VmKind, deprecated_api: bool) -> Vm {
        // SAFETY: a fresh state used only on this thread; every call
        // below is on that state with the stack discipline of the C API,
        // and the setup runs no user code.
        unsafe {
            let l = ffi::luaL_newstate();
            if l.is_null() {
                log::warn!("Failed creating the Lua VM.");
                std::process::abort();
            }
            ffi::lua_atpanic(l, at_panic);
            open_lib(l, c"", ffi::luaopen_base);
            open_lib(l, c"table", ffi::luaopen_table);
            open_lib(l, c"string", ffi::luaopen_string);
            open_lib(l, c"math", ffi::luaopen_math);
            open_lib(l, c"debug", ffi::luaopen_debug);
            super::libs::open_all(l);
            ffi::lua_pushvalue(l, ffi::LUA_GLOBALSINDEX);
            let g = ffi::lua_gettop(l);
            let mut removed: Vec<&[u8]> = vec![b"dofile", b"loadfile", b"print"];
            if !deprecated_api {
                removed.extend_from_slice(&[b"setfenv", b"getfenv", b"newproxy"]);
            }
            for name in removed {
                ffi::lua_pushnil(l);
                raw_set_field(l, g, name);
            }
            set_cfunction(l, g, b"pcall", super::api::redis_pcall);
            set_cfunction(l, g, b"unpack", safe_unpack);
            raw_get_field(l, g, b"math");
            let math = ffi::lua_gettop(l);
            set_cfunction(l, math, b"random", super::api::math_random);
            set_cfunction(l, math, b"randomseed", super::api::math_randomseed);
            ffi::lua_settop(l, g);
            ffi::lua_createtable(l, 0, 32);
            let redis = ffi::lua_gettop(l);
            super::api::register_redis_api(l, redis, kind);
            raw_set_field(l, g, b"redis");
            if kind == VmKind::Function {
                // What library code sees while FUNCTION LOAD runs it.
                ffi::lua_createtable(l, 0, 1);
                let api = ffi::lua_gettop(l);
                ffi::lua_createtable(l, 0, 8);
                let lib_redis = ffi::lua_gettop(l);
                set_cfunction(l, lib_redis, b"register_function", super::api::register_function);
                super::api::register_log_and_version(l, lib_redis);
                set_error_metatable(l);
                raw_set_field(l, api, b"redis");
                set_error_metatable(l);
                raw_set_field(l, g, b"__oxidis_lib_api");
            }
            // The globals raise on unknown names.
            ffi::lua_pushvalue(l, g);
            set_error_metatable(l);
            ffi::lua_settop(l, g);
            // Run the bootstrap with the debug library, then drop it.
            raw_get_field(l, g, b"debug");
            let dbg = ffi::lua_gettop(l);
            ffi::lua_pushnil(l);
            raw_set_field(l, g, b"debug");
            if ffi::luaL_loadbuffer(l, BOOTSTRAP.as_ptr().cast(), BOOTSTRAP.len(), c"=oxidis".as_ptr()) != 0 {
                let msg = to_bytes(l, -1).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
                log::warn!("Lua bootstrap failed to compile: {msg}");
                std::process::abort();
            }
            ffi::lua_pushvalue(l, dbg);
            ffi::lua_pushvalue(l, g);
            ffi::lua_pushboolean(l, c_int::from(kind == VmKind::Function));
            if ffi::lua_pcall(l, 3, 4, 0) != 0 {
                let msg = to_bytes(l, -1).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
                log::warn!("Lua bootstrap failed: {msg}");
                std::process::abort();
            }
            // Stack: g, dbg, handler, gp, gp_mt, lib_api.
            ffi::lua_setfield(l, ffi::LUA_REGISTRYINDEX, REG_LIBRARY_API.as_ptr());
            ffi::lua_setfield(l, ffi::LUA_REGISTRYINDEX, REG_GLOBALS_MT.as_ptr());
            let gp = ffi::lua_gettop(l);
            ffi::lua_pushvalue(l, gp - 1);
            ffi::lua_setfield(l, ffi::LUA_REGISTRYINDEX, REG_ERROR_HANDLER.as_ptr());
            ffi::lua_pushvalue(l, g);
            ffi::lua_setfield(l, ffi::LUA_REGISTRYINDEX, REG_GLOBALS.as_ptr());
            // From now on every chunk sees the protected globals.
            ffi::lua_pushvalue(l, gp);
            ffi::lua_replace(l, ffi::LUA_GLOBALSINDEX);
            ffi::lua_settop(l, 0);
            Vm { l, kind }
        }
    }

    /// Bytes the interpreter uses (`luaMemory`).
    pub fn memory(&self) -> usize {
        // SAFETY: a query on our own idle state.
        let kb = unsafe { ffi::lua_gc(self.l, ffi::LUA_GCCOUNT, 0) };
        kb.max(0) as usize * 1024
    }

    /// Compiles `body` as a chunk named `name`; the function is left on
    /// the stack. On error the message is returned and the stack is left
    /// as it was. A binary chunk is parsed as text, as Redis's Lua does.
    pub fn compile(&self, body: &[u8], name: &CStr) -> Result<(), Vec<u8>> {
        let spaced;
        let src: &[u8] = if body.first() == Some(&0x1b) {
            spaced = [b" ".as_slice(), body].concat();
            &spaced
        } else {
            body
        };
        // SAFETY: `src` outlives the call; luaL_loadbuffer does not raise.
        unsafe {
            if ffi::luaL_loadbuffer(self.l, src.as_ptr().cast(), src.len(), name.as_ptr()) != 0 {
                let msg = to_bytes(self.l, -1).unwrap_or_default().to_vec();
                ffi::lua_settop(self.l, -2);
                return Err(msg);
            }
        }
        Ok(())
    }

    /// Points unknown globals at the library API (true, during FUNCTION
    /// LOAD) or at the full globals.
    pub fn set_library_mode(&self, on: bool) {
        // SAFETY: registry entries created in `new`; raw accesses only.
        unsafe {
            let l = self.l;
            ffi::lua_getfield_(l, ffi::LUA_REGISTRYINDEX, REG_GLOBALS_MT.as_ptr());
            let mt = ffi::lua_gettop(l);
            ffi::lua_getfield_(
                l,
                ffi::LUA_REGISTRYINDEX,
                if on { REG_LIBRARY_API.as_ptr() } else { REG_GLOBALS.as_ptr() },
            );
            raw_set_field(l, mt, b"__index");
            ffi::lua_settop(l, mt - 1);
        }
    }
}

/// Sets a global in the real globals table (KEYS, ARGV) to an array of
/// the strings given.
pub unsafe fn set_global_array(l: State, name: &[u8], items: &[&[u8]]) {
    ffi::lua_getfield_(l, ffi::LUA_REGISTRYINDEX, REG_GLOBALS.as_ptr());
    let g = ffi::lua_gettop(l);
    push_array(l, items);
    raw_set_field(l, g, name);
    ffi::lua_settop(l, g - 1);
}

/// Pushes a Lua array of strings.
pub unsafe fn push_array(l: State, items: &[&[u8]]) {
    ffi::lua_createtable(l, items.len().min(1 << 20) as c_int, 0);
    for (j, it) in items.iter().enumerate() {
        push_bytes(l, it);
        ffi::lua_rawseti_(l, -2, (j + 1) as c_int);
    }
}

/// `luaL_ref` into the registry of the value on top.
pub unsafe fn registry_ref(l: State) -> c_int {
    ffi::luaL_ref(l, ffi::LUA_REGISTRYINDEX)
}

/// Sets `REDIS_VERSION` and `REDIS_VERSION_NUM` in the table at `t`.
pub unsafe fn register_version(l: State, t: c_int) {
    set_number(l, t, b"REDIS_VERSION_NUM", REDIS_VERSION_NUM);
    push_bytes(l, crate::REDIS_VERSION.as_bytes());
    raw_set_field(l, t, b"REDIS_VERSION");
}

/// Reads a C string pointer (for chunk names and such).
pub unsafe fn cstr_bytes<'a>(p: *const c_char) -> &'a [u8] {
    if p.is_null() {
        b""
    } else {
        CStr::from_ptr(p).to_bytes()
    }
}
