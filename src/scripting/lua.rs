//! The Lua 5.1 interpreter as Redis sets it up (script_lua.c): the
//! sandboxed globals, the `redis` API table, the conversions between RESP
//! replies and Lua values, and the error objects scripts see.
//!
//! We drive the interpreter through its C API (`mlua::ffi`, the vendored
//! Lua 5.1 that mlua builds) because Redis's semantics live at that level:
//! `redis.call` raises a Lua *table* as its error, `pcall` rewrites such
//! tables, errors raised by C functions carry no position prefix. All of
//! it goes through the safe handle of `capi.rs` ([`Lua`]), which also
//! owns the rules for raising errors; this file holds no `unsafe` beyond
//! creating and closing interpreters.
//!
//! Read-only tables: Redis patches Lua with a per-table read-only flag.
//! Stock Lua has none, so every protected table is reached through an
//! empty proxy whose metatable forwards reads (`__index`) and rejects
//! writes (`__newindex`); `rawset`, `setmetatable` and `getmetatable` are
//! wrapped to respect proxies. The proxy of the globals table is installed
//! as the interpreter's globals, so every chunk loaded later (scripts,
//! `loadstring`) sees the protected view.

use super::capi::{lua_function, CFunction, Lua, LuaRaise, RegKey};
use mlua::ffi;
use std::ffi::CStr;
use std::os::raw::c_int;

/// Our registry entries: the real globals table, the metatable of its
/// protected view, the library API table (FUNCTION LOAD), the error
/// handler scripts run under.
pub const REG_GLOBALS: RegKey = RegKey::new(-1);
pub const REG_GLOBALS_MT: RegKey = RegKey::new(-2);
pub const REG_LIBRARY_API: RegKey = RegKey::new(-3);
pub const REG_ERROR_HANDLER: RegKey = RegKey::new(-4);

/// `REDIS_VERSION_NUM` of 7.0.15.
const REDIS_VERSION_NUM: f64 = 0x0007000f as f64;

/// How deep a `redis.call` reply may nest before converting it stops
/// (the Lua stack runs out well before: LUAI_MAXCSTACK is 8000 slots).
const MAX_REPLY_DEPTH: u32 = 8000;

/// Which interpreter: EVAL's, or the one that holds function libraries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum VmKind {
    Eval,
    Function,
}

/// An interpreter. Dropping it closes the Lua state.
pub struct Vm {
    l: *mut ffi::lua_State,
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

/// Stores `f` under `name` in the table at `t`.
pub fn set_cfunction(l: &mut Lua, t: c_int, name: &[u8], f: CFunction) {
    let t = l.abs_index(t);
    l.push_cfunction(f);
    l.raw_set_field(t, name);
}

/// Stores a number under `name` in the table at `t`.
pub fn set_number(l: &mut Lua, t: c_int, name: &[u8], n: f64) {
    let t = l.abs_index(t);
    l.push_number(n);
    l.raw_set_field(t, name);
}

/// `unpack` with the overflow-safe range check of Lua 5.1's bug fix (the
/// stock one can be made to push billions of values).
fn safe_unpack(l: &mut Lua) -> Result<c_int, LuaRaise> {
    l.check_type(1, ffi::LUA_TTABLE)?;
    let i = l.opt_integer(2, 1)? as c_int;
    let e = if l.type_of(3) <= ffi::LUA_TNIL {
        l.objlen(1) as c_int
    } else {
        l.check_integer(3)? as c_int
    };
    if i > e {
        return Ok(0);
    }
    let n = (e as u32).wrapping_sub(i as u32);
    if n >= i32::MAX as u32 || !l.check_stack((n + 1) as c_int) {
        return Err(LuaRaise::msg(b"too many results to unpack".as_slice()));
    }
    let mut k = i;
    l.raw_geti(1, k);
    while k < e {
        k += 1;
        l.raw_geti(1, k);
    }
    Ok((n + 1) as c_int)
}

lua_function!(SAFE_UNPACK => safe_unpack);

/// Formats a Lua number the way `redis.call` passes it ("%.17g").
pub fn number_arg(n: f64, out: &mut Vec<u8>) {
    crate::util::num::push_f64_g17(out, n);
}

// ---------------------------------------------------------- error objects

/// Pushes Redis's error table `{err = "<CODE> <msg>"}` built from `text`
/// (`luaPushErrorBuff`): "-CODE msg" keeps its code, anything else gets
/// ERR; CR/LF around the message are trimmed.
pub fn push_error_table(l: &mut Lua, text: &[u8]) {
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
    l.create_table(0, 2);
    l.push_bytes(b"err");
    l.push_bytes(&full[..n]);
    l.raw_set(-3);
}

/// Marks the error table on top of the stack as already counted in the
/// error stats.
pub fn mark_error_counted(l: &mut Lua) {
    l.push_bytes(b"ignore_error_stats_update");
    l.push_bool(true);
    l.raw_set(-3);
}

/// What a failed script left: the parts of its error object.
#[derive(Default, Debug)]
pub struct ErrorInfo {
    pub msg: Option<Vec<u8>>,
    pub source: Option<Vec<u8>>,
    pub line: Option<Vec<u8>>,
    pub ignore_stats: bool,
}

/// A string or number field of the table at `t`, as bytes.
fn error_field(l: &mut Lua, t: c_int, name: &[u8]) -> Option<Vec<u8>> {
    let ty = l.raw_get_field(t, name);
    let v = if ty == ffi::LUA_TSTRING || ty == ffi::LUA_TNUMBER {
        l.to_bytes(-1).map(|b| b.to_vec())
    } else {
        None
    };
    l.pop(1);
    v
}

/// Reads an error object (`luaExtractErrorInformation`); a plain string
/// becomes "ERR <string>". Leaves the stack as it was.
pub fn error_info(l: &mut Lua, idx: c_int) -> ErrorInfo {
    let idx = l.abs_index(idx);
    let mut info = ErrorInfo::default();
    let ty = l.type_of(idx);
    if ty == ffi::LUA_TSTRING || ty == ffi::LUA_TNUMBER {
        let mut m = b"ERR ".to_vec();
        l.push_value(idx);
        m.extend_from_slice(l.to_bytes(-1).unwrap_or_default());
        l.pop(1);
        info.msg = Some(m);
        return info;
    }
    if ty != ffi::LUA_TTABLE {
        return info;
    }
    info.msg = error_field(l, idx, b"err");
    info.source = error_field(l, idx, b"source");
    info.line = error_field(l, idx, b"line");
    if l.raw_get_field(idx, b"ignore_error_stats_update") == ffi::LUA_TBOOLEAN {
        info.ignore_stats = l.to_boolean(-1);
    }
    l.pop(1);
    info
}

// ------------------------------------------------------- RESP -> Lua value

/// A reply nested deeper than the Lua stack can hold.
#[derive(Debug, PartialEq, Eq)]
pub struct StackLimit;

/// Parses one RESP reply from `buf[*pos..]` (produced by our own reply
/// builder, so well formed) and pushes it as Lua values the way Redis
/// converts `redis.call` replies; with `push == false` it only skips.
/// A reply nested past what the Lua stack holds stops with `StackLimit`
/// (Redis panics there), leaving partial values on the stack.
pub fn push_resp(l: &mut Lua, buf: &[u8], pos: &mut usize, push: bool, depth: u32) -> Result<(), StackLimit> {
    if *pos >= buf.len() {
        if push {
            l.push_nil();
        }
        return Ok(());
    }
    if depth > MAX_REPLY_DEPTH || (push && !l.check_stack(5)) {
        return Err(StackLimit);
    }
    let t = buf[*pos];
    let line_end = buf[*pos..].windows(2).position(|w| w == b"\r\n").map_or(buf.len(), |i| *pos + i);
    let line = &buf[(*pos + 1).min(line_end)..line_end];
    *pos = (line_end + 2).min(buf.len());
    let num = || -> i64 { crate::util::num::parse_i64(line).unwrap_or(0) };
    match t {
        b'+' => {
            if push {
                l.create_table(0, 1);
                l.push_bytes(b"ok");
                l.push_bytes(line);
                l.raw_set(-3);
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
                l.push_number(num() as f64);
            }
        }
        b'$' | b'=' => {
            let n = num();
            if n < 0 {
                if push {
                    l.push_bool(false);
                }
                return Ok(());
            }
            let n = n as usize;
            let body = &buf[(*pos).min(buf.len())..(*pos + n).min(buf.len())];
            *pos = (*pos + n + 2).min(buf.len());
            if !push {
                return Ok(());
            }
            if t == b'$' {
                l.push_bytes(body);
            } else {
                let (fmt, s) = if body.len() >= 4 {
                    (&body[..3], &body[4..])
                } else {
                    (&body[..0], body)
                };
                l.create_table(0, 1);
                l.push_bytes(b"verbatim_string");
                l.create_table(0, 2);
                l.push_bytes(b"string");
                l.push_bytes(s);
                l.raw_set(-3);
                l.push_bytes(b"format");
                l.push_bytes(fmt);
                l.raw_set(-3);
                l.raw_set(-3);
            }
        }
        b'*' | b'>' => {
            let n = num();
            if n < 0 {
                if push {
                    l.push_bool(false);
                }
                return Ok(());
            }
            if push {
                l.create_table(n.min(1024) as c_int, 0);
            }
            for j in 0..n {
                push_resp(l, buf, pos, push, depth + 1)?;
                if push {
                    // The index as a number key, as `lua_settable` with
                    // `j + 1` pushed stores it.
                    l.raw_seti(-2, (j + 1) as c_int);
                }
            }
        }
        b'%' | b'~' => {
            let n = num().max(0);
            if push {
                l.create_table(0, 1);
                l.push_bytes(if t == b'%' { b"map" } else { b"set" });
                l.create_table(0, n.min(1024) as c_int);
            }
            for _ in 0..n {
                push_resp(l, buf, pos, push, depth + 1)?;
                if t == b'%' {
                    push_resp(l, buf, pos, push, depth + 1)?;
                } else if push {
                    if !l.check_stack(1) {
                        return Err(StackLimit);
                    }
                    l.push_bool(true);
                }
                // A nil key (RESP3 null in a map) is dropped: Lua would
                // raise.
                if push && !l.try_raw_set(-3) {
                    l.pop(2);
                }
            }
            if push {
                l.raw_set(-3);
            }
        }
        b'_' => {
            if push {
                l.push_nil();
            }
        }
        b'#' => {
            if push {
                l.push_bool(line == b"t");
            }
        }
        b',' => {
            if push {
                let d = parse_double(line);
                l.create_table(0, 1);
                l.push_bytes(b"double");
                l.push_number(d);
                l.raw_set(-3);
            }
        }
        b'(' => {
            if push {
                l.create_table(0, 1);
                l.push_bytes(b"big_number");
                l.push_bytes(line);
                l.raw_set(-3);
            }
        }
        b'|' => {
            // Attributes are not shown to scripts: skip them, then the
            // real reply follows.
            let n = num().max(0);
            for _ in 0..n {
                push_resp(l, buf, pos, false, depth + 1)?;
                push_resp(l, buf, pos, false, depth + 1)?;
            }
            push_resp(l, buf, pos, push, depth)?;
        }
        _ => {
            if push {
                l.push_nil();
            }
        }
    }
    Ok(())
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
pub fn reply_from_lua(l: &mut Lua, r: &mut crate::resp::ReplyBuf, script_resp: u8, errors: &mut Vec<ReplyError>) {
    let t = l.type_of(-1);
    reply_value(l, t, r, script_resp, errors);
}

/// `reply_from_lua` of the top value, whose type `t` is known.
fn reply_value(l: &mut Lua, t: c_int, r: &mut crate::resp::ReplyBuf, script_resp: u8, errors: &mut Vec<ReplyError>) {
    if !l.check_stack(4) {
        let text = b"ERR reached lua stack limit".to_vec();
        r.error(&text);
        errors.push(ReplyError { text, count: true });
        l.pop(1);
        return;
    }
    match t {
        ffi::LUA_TSTRING => r.bulk(l.to_bytes(-1).unwrap_or_default()),
        ffi::LUA_TBOOLEAN => {
            let b = l.to_boolean(-1);
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
        ffi::LUA_TNUMBER => r.int(c_cast_i64(l.to_number(-1))),
        ffi::LUA_TTABLE => {
            table_reply(l, r, script_resp, errors);
            return;
        }
        _ => r.null(),
    }
    l.pop(1);
}

/// The bytes of the string at the top with CR/LF turned into spaces.
fn one_line(l: &Lua) -> Vec<u8> {
    l.to_bytes(-1)
        .unwrap_or_default()
        .iter()
        .map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c })
        .collect()
}

fn table_reply(l: &mut Lua, r: &mut crate::resp::ReplyBuf, script_resp: u8, errors: &mut Vec<ReplyError>) {
    let tidx = l.top();
    if typed_reply(l, tidx, r, script_resp, errors) {
        return;
    }
    let d = r.deferred();
    let mut n = 0;
    let mut j = 1;
    loop {
        let ty = l.raw_geti(tidx, j);
        j += 1;
        if ty == ffi::LUA_TNIL {
            l.pop(1);
            break;
        }
        reply_value(l, ty, r, script_resp, errors);
        n += 1;
    }
    r.set_deferred_array(d, n);
    l.set_top(tidx - 1);
}

/// The reply of the table at `tidx` (the top) when it has one of the
/// typed-reply fields (`err`, `ok`, `map`, ...): true, with the table
/// popped; false with the stack as it was. Out of line so that the frames
/// of deeply nested arrays stay small.
#[inline(never)]
fn typed_reply(l: &mut Lua, tidx: c_int, r: &mut crate::resp::ReplyBuf, script_resp: u8, errors: &mut Vec<ReplyError>) -> bool {
    if l.raw_get_field(tidx, b"err") == ffi::LUA_TSTRING {
        l.pop(1);
        let info = error_info(l, tidx);
        let mut text = info.msg.unwrap_or_default();
        sanitize_error(&mut text);
        r.error(&text);
        errors.push(ReplyError {
            text,
            count: !info.ignore_stats,
        });
        l.set_top(tidx - 1);
        return true;
    }
    l.set_top(tidx);
    if l.raw_get_field(tidx, b"ok") == ffi::LUA_TSTRING {
        r.status(&one_line(l));
        l.set_top(tidx - 1);
        return true;
    }
    l.set_top(tidx);
    if l.raw_get_field(tidx, b"double") == ffi::LUA_TNUMBER {
        r.double(l.to_number(-1));
        l.set_top(tidx - 1);
        return true;
    }
    l.set_top(tidx);
    if l.raw_get_field(tidx, b"big_number") == ffi::LUA_TSTRING {
        r.big_number(&one_line(l));
        l.set_top(tidx - 1);
        return true;
    }
    l.set_top(tidx);
    if l.raw_get_field(tidx, b"verbatim_string") == ffi::LUA_TTABLE {
        let v = l.top();
        if l.raw_get_field(v, b"format") == ffi::LUA_TSTRING {
            let fmt = l.to_bytes(-1).unwrap_or_default().to_vec();
            if l.raw_get_field(v, b"string") == ffi::LUA_TSTRING {
                let s = l.to_bytes(-1).unwrap_or_default();
                let mut ext = [0u8; 3];
                for (i, b) in ext.iter_mut().enumerate() {
                    *b = fmt.get(i).copied().unwrap_or(0);
                }
                r.verbatim(s, &ext);
                l.set_top(tidx - 1);
                return true;
            }
        }
    }
    l.set_top(tidx);
    if l.raw_get_field(tidx, b"map") == ffi::LUA_TTABLE {
        let m = l.top();
        let d = r.deferred();
        let mut n = 0;
        l.push_nil();
        while l.next(m) {
            l.push_value(-2);
            reply_from_lua(l, r, script_resp, errors);
            reply_from_lua(l, r, script_resp, errors);
            n += 1;
        }
        r.set_deferred_map(d, n);
        l.set_top(tidx - 1);
        return true;
    }
    l.set_top(tidx);
    if l.raw_get_field(tidx, b"set") == ffi::LUA_TTABLE {
        let m = l.top();
        let d = r.deferred();
        let mut n = 0;
        l.push_nil();
        while l.next(m) {
            l.pop(1);
            l.push_value(-1);
            reply_from_lua(l, r, script_resp, errors);
            n += 1;
        }
        r.set_deferred_set(d, n);
        l.set_top(tidx - 1);
        return true;
    }
    l.set_top(tidx);
    false
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
fn nonexistent_global(l: &mut Lua) -> Result<c_int, LuaRaise> {
    if l.top() != 2 {
        return Err(LuaRaise::msg(b"Wrong number of arguments to luaProtectedTableError".as_slice()));
    }
    if !l.is_string(-1) && !l.is_number(-1) {
        return Err(LuaRaise::msg(
            b"Second argument to luaProtectedTableError must be a string or number".as_slice(),
        ));
    }
    let mut msg = b"Script attempted to access nonexistent global variable '".to_vec();
    msg.extend_from_slice(l.to_bytes(-1).unwrap_or_default());
    msg.push(b'\'');
    Err(LuaRaise::msg(msg))
}

lua_function!(NONEXISTENT_GLOBAL => nonexistent_global);

/// Sets the error metatable (`luaSetErrorMetatable`) on the table on top.
fn set_error_metatable(l: &mut Lua) {
    l.create_table(0, 1);
    let mt = l.top();
    set_cfunction(l, mt, b"__index", NONEXISTENT_GLOBAL);
    l.set_metatable(-2);
}

/// Lua's panic function: an error outside any protected call, which our
/// code never makes. It is a bug: report it and end the process.
unsafe extern "C-unwind" fn at_panic(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: Lua calls the panic function with its live state, whose
    // frame nothing else uses any more; we only read the message.
    let lua = unsafe { Lua::from_raw(l) };
    let msg = lua
        .to_bytes(-1)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    crate::debug::crash::server_panic(&format!("Lua panic (unprotected error in call to Lua API): {msg}"))
}

/// Runs a standard library opener (`luaopen_*`) in protected mode.
fn open_lib(l: &mut Lua, name: &CStr, opener: CFunction) {
    l.push_cfunction(opener);
    l.push_bytes(name.to_bytes());
    if l.pcall(1, 0, 0) != 0 {
        crate::debug::crash::server_panic("Failed opening the Lua standard libraries");
    }
}

/// The standard library openers Redis loads (`luaLoadLibraries`).
fn standard_libraries() -> [(&'static CStr, CFunction); 5] {
    // SAFETY: the luaopen_* functions are Lua's own C functions, written
    // to be called by Lua with a library name argument.
    unsafe {
        [
            (c"", CFunction::new(ffi::luaopen_base)),
            (c"table", CFunction::new(ffi::luaopen_table)),
            (c"string", CFunction::new(ffi::luaopen_string)),
            (c"math", CFunction::new(ffi::luaopen_math)),
            (c"debug", CFunction::new(ffi::luaopen_debug)),
        ]
    }
}

impl Vm {
    /// Creates an interpreter with Redis's libraries, API and sandbox.
    pub fn new(kind: VmKind, deprecated_api: bool) -> Vm {
        // SAFETY: lua_newstate only allocates a fresh state, through
        // `lua_alloc` (Lua's own arena, see alloc.rs).
        let raw = unsafe { ffi::lua_newstate(crate::alloc::lua_alloc, std::ptr::null_mut()) };
        if raw.is_null() {
            crate::debug::crash::server_panic("Failed creating the Lua VM.");
        }
        // SAFETY: a fresh state; `at_panic` never returns into Lua.
        unsafe { ffi::lua_atpanic(raw, at_panic) };
        let mut vm = Vm { l: raw, kind };
        vm.setup(deprecated_api);
        vm
    }

    /// Loads the libraries, the `redis` table and the sandbox (runs no
    /// user code).
    fn setup(&mut self, deprecated_api: bool) {
        let kind = self.kind;
        let mut l = self.lua();
        for (name, opener) in standard_libraries() {
            open_lib(&mut l, name, opener);
        }
        super::libs::open_all(&mut l);
        l.push_globals();
        let g = l.top();
        let mut removed: Vec<&[u8]> = vec![b"dofile", b"loadfile", b"print"];
        if !deprecated_api {
            removed.extend_from_slice(&[b"setfenv", b"getfenv", b"newproxy"]);
        }
        for name in removed {
            l.push_nil();
            l.raw_set_field(g, name);
        }
        set_cfunction(&mut l, g, b"pcall", super::api::REDIS_PCALL);
        set_cfunction(&mut l, g, b"unpack", SAFE_UNPACK);
        l.raw_get_field(g, b"math");
        let math = l.top();
        set_cfunction(&mut l, math, b"random", super::api::MATH_RANDOM);
        set_cfunction(&mut l, math, b"randomseed", super::api::MATH_RANDOMSEED);
        l.set_top(g);
        l.create_table(0, 32);
        let redis = l.top();
        super::api::register_redis_api(&mut l, redis, kind);
        l.raw_set_field(g, b"redis");
        if kind == VmKind::Function {
            // What library code sees while FUNCTION LOAD runs it.
            l.create_table(0, 1);
            let api = l.top();
            l.create_table(0, 8);
            let lib_redis = l.top();
            set_cfunction(&mut l, lib_redis, b"register_function", super::api::REGISTER_FUNCTION);
            super::api::register_log_and_version(&mut l, lib_redis);
            set_error_metatable(&mut l);
            l.raw_set_field(api, b"redis");
            set_error_metatable(&mut l);
            l.raw_set_field(g, b"__oxidis_lib_api");
        }
        // The globals raise on unknown names.
        l.push_value(g);
        set_error_metatable(&mut l);
        l.set_top(g);
        // Run the bootstrap with the debug library, then drop it.
        l.raw_get_field(g, b"debug");
        let dbg = l.top();
        l.push_nil();
        l.raw_set_field(g, b"debug");
        if let Err(msg) = l.load(BOOTSTRAP.as_bytes(), c"=oxidis") {
            crate::debug::crash::server_panic(&format!("Lua bootstrap failed to compile: {}", String::from_utf8_lossy(&msg)));
        }
        l.push_value(dbg);
        l.push_value(g);
        l.push_bool(kind == VmKind::Function);
        if l.pcall(3, 4, 0) != 0 {
            let msg = l.to_bytes(-1).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
            crate::debug::crash::server_panic(&format!("Lua bootstrap failed: {msg}"));
        }
        // Stack: g, dbg, handler, gp, gp_mt, lib_api.
        l.set_registry(REG_LIBRARY_API);
        l.set_registry(REG_GLOBALS_MT);
        let gp = l.top();
        l.push_value(gp - 1);
        l.set_registry(REG_ERROR_HANDLER);
        l.push_value(g);
        l.set_registry(REG_GLOBALS);
        // From now on every chunk sees the protected globals.
        l.push_value(gp);
        l.set_globals();
        l.set_top(0);
    }

    /// A handle on the idle interpreter's stack.
    pub fn lua(&mut self) -> Lua<'_> {
        // SAFETY: the state is owned by this Vm, open while it lives, used
        // on this thread; the mutable borrow keeps a second handle from
        // being made through the Vm meanwhile.
        unsafe { Lua::from_raw(self.l) }
    }

    /// The raw state, for a script run that reaches the server through
    /// raw pointers while Lua runs (see `scripting::run`).
    pub fn raw_state(&self) -> *mut ffi::lua_State {
        self.l
    }

    /// Bytes the interpreter uses (`luaMemory`).
    pub fn memory(&self) -> usize {
        // SAFETY: a query on our own state; GCCOUNT only reads a counter.
        let kb = unsafe { ffi::lua_gc(self.l, ffi::LUA_GCCOUNT, 0) };
        kb.max(0) as usize * 1024
    }

    /// Compiles `body` as a chunk named `name`; the function is left on
    /// the stack. On error the message is returned and the stack is left
    /// as it was. A binary chunk is parsed as text, as Redis's Lua does.
    pub fn compile(&mut self, body: &[u8], name: &CStr) -> Result<(), Vec<u8>> {
        let spaced;
        let src: &[u8] = if body.first() == Some(&0x1b) {
            spaced = [b" ".as_slice(), body].concat();
            &spaced
        } else {
            body
        };
        self.lua().load(src, name)
    }

    /// Points unknown globals at the library API (true, during FUNCTION
    /// LOAD) or at the full globals.
    pub fn set_library_mode(&mut self, on: bool) {
        let mut l = self.lua();
        l.get_registry(REG_GLOBALS_MT);
        let mt = l.top();
        l.get_registry(if on { REG_LIBRARY_API } else { REG_GLOBALS });
        l.raw_set_field(mt, b"__index");
        l.set_top(mt - 1);
    }
}

/// Sets a global in the real globals table (KEYS, ARGV) to an array of
/// the strings given.
pub fn set_global_array(l: &mut Lua, name: &[u8], items: &[&[u8]]) {
    l.get_registry(REG_GLOBALS);
    let g = l.top();
    push_array(l, items);
    l.raw_set_field(g, name);
    l.set_top(g - 1);
}

/// Pushes a Lua array of strings.
pub fn push_array(l: &mut Lua, items: &[&[u8]]) {
    l.create_table(items.len().min(1 << 20) as c_int, 0);
    for (j, it) in items.iter().enumerate() {
        l.push_bytes(it);
        l.raw_seti(-2, (j + 1) as c_int);
    }
}

/// Sets `REDIS_VERSION` and `REDIS_VERSION_NUM` in the table at `t`.
pub fn register_version(l: &mut Lua, t: c_int) {
    let t = l.abs_index(t);
    set_number(l, t, b"REDIS_VERSION_NUM", REDIS_VERSION_NUM);
    l.push_bytes(crate::REDIS_VERSION.as_bytes());
    l.raw_set_field(t, b"REDIS_VERSION");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::ReplyBuf;

    /// Runs `code` as a script chunk and converts what it returns to a
    /// RESP2 reply as EVAL does; an error becomes "-<message>".
    fn eval(code: &str) -> Vec<u8> {
        let mut vm = Vm::new(VmKind::Eval, false);
        if let Err(e) = vm.compile(code.as_bytes(), c"@user_script") {
            return [b"-compile: ".as_slice(), &e].concat();
        }
        let mut l = vm.lua();
        if l.pcall(0, 1, 0) != 0 {
            let info = error_info(&mut l, -1);
            return [b"-".as_slice(), &info.msg.unwrap_or_default()].concat();
        }
        let mut r = ReplyBuf::new();
        let mut errors = Vec::new();
        reply_from_lua(&mut l, &mut r, 2, &mut errors);
        assert_eq!(l.top(), 0);
        r.buf
    }

    fn text(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }

    const DEEP_JSON: &str = "string.rep('[', 10000) .. string.rep(']', 10000)";

    #[test]
    fn cjson_deep_nesting_is_an_error() {
        assert_eq!(
            text(&eval(&format!("return cjson.decode({DEEP_JSON})"))),
            "-ERR user_script:1: Found too many nested data structures (1001) at character 1001"
        );
        // Past the configured limit, the Lua stack is the limit.
        let r = text(&eval(&format!("cjson.decode_max_depth(100000) return cjson.decode({DEEP_JSON})")));
        assert!(r.starts_with("-ERR user_script:1: Found too many nested data structures ("), "{r}");
        let r = text(&eval(
            "cjson.encode_max_depth(100000) local t = {} for i = 1, 10000 do t = {t} end return cjson.encode(t)",
        ));
        assert!(r.starts_with("-ERR user_script:1: Cannot serialise, excessive nesting ("), "{r}");
        assert_eq!(text(&eval("return cjson.encode(cjson.decode('[[[1]]]'))")), "$7\r\n[[[1]]]\r\n");
    }

    #[test]
    fn cmsgpack_deep_nesting_is_an_error() {
        // 0x91: an array of one; 0x81: a map of one pair; 0xc0: nil.
        assert_eq!(
            text(&eval("return cmsgpack.unpack(string.rep('\\145', 10000) .. '\\192')")),
            "-ERR user_script:1: stack overflow (in function mp_decode_to_lua_array)"
        );
        assert_eq!(
            text(&eval("return cmsgpack.unpack(string.rep('\\129\\1', 10000) .. '\\192')")),
            "-ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)"
        );
        // Packing stops nesting at 16 levels (nil below).
        assert_eq!(
            text(&eval("local t = {} for i = 1, 10000 do t = {t} end return #cmsgpack.pack(t)")),
            ":17\r\n"
        );
        // Keys Lua cannot store raise what lua_settable raises.
        assert_eq!(text(&eval("return cmsgpack.unpack('\\129\\192\\1')")), "-ERR table index is nil");
        assert_eq!(
            text(&eval("return cmsgpack.unpack('\\129\\203' .. string.rep('\\255', 8) .. '\\1')")),
            "-ERR table index is NaN"
        );
    }

    #[test]
    fn deep_script_results_end_in_a_stack_limit_error() {
        let r = eval("local t = {} for i = 1, 10000 do t = {t} end return t");
        assert!(r.starts_with(b"*1\r\n*1\r\n"));
        assert!(r.ends_with(b"-ERR reached lua stack limit\r\n"), "{}", text(&r[r.len() - 64..]));
    }

    #[test]
    fn deep_command_replies_stop_at_the_stack_limit() {
        let mut vm = Vm::new(VmKind::Eval, false);
        let mut l = vm.lua();
        let mut deep = b"*1\r\n".repeat(10_000);
        deep.extend_from_slice(b":1\r\n");
        let mut pos = 0;
        assert_eq!(push_resp(&mut l, &deep, &mut pos, true, 0), Err(StackLimit));
        l.set_top(0);
        // Skipping (attributes) is bounded too.
        let mut attr = b"|1\r\n".repeat(10_000);
        attr.extend_from_slice(b":1\r\n:1\r\n");
        let mut pos = 0;
        assert_eq!(push_resp(&mut l, &attr, &mut pos, true, 0), Err(StackLimit));
        l.set_top(0);
        let mut pos = 0;
        assert_eq!(push_resp(&mut l, b"*2\r\n:7\r\n$1\r\na\r\n", &mut pos, true, 0), Ok(()));
        assert_eq!(l.top(), 1);
        assert_eq!(l.raw_geti(1, 1), ffi::LUA_TNUMBER);
        assert_eq!(l.to_number(-1), 7.0);
        assert_eq!(l.raw_geti(1, 2), ffi::LUA_TSTRING);
        assert_eq!(l.to_bytes(-1), Some(b"a".as_slice()));
    }

    #[test]
    fn sandbox_errors_keep_their_text() {
        assert_eq!(text(&eval("x = 1")), "-ERR user_script:1: Attempt to modify a readonly table");
        assert_eq!(
            text(&eval("return os")),
            "-ERR user_script:1: Script attempted to access nonexistent global variable 'os'"
        );
        assert_eq!(text(&eval("return {pcall(error, {err = 'E x'})}")), "*2\r\n$-1\r\n$3\r\nE x\r\n");
        assert_eq!(
            text(&eval("return {pcall()}")),
            "*2\r\n$-1\r\n$27\r\nattempt to call a nil value\r\n"
        );
    }
}
