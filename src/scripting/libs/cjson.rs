//! `cjson`: JSON encoding and decoding as lua-cjson 2.1.0 does it
//! (lua_cjson.c), with its configuration functions, `cjson.null`, the
//! sparse-array rules, depth limits and error messages.
//!
//! Each module table (`cjson` and every `cjson.new()`) owns its settings
//! in a userdata passed to its functions as their first upvalue.

use super::super::capi::{lua_function, CFunction, Lua, LuaRaise, PlainData, Value};
use mlua::ffi;
use std::os::raw::c_int;

/// The settings of one cjson table (plain data: it lives in a Lua
/// userdata, which Lua frees without running destructors).
#[repr(C)]
#[derive(Clone, Copy)]
struct Config {
    sparse_convert: c_int,
    sparse_ratio: c_int,
    sparse_safe: c_int,
    encode_max_depth: c_int,
    decode_max_depth: c_int,
    encode_invalid_numbers: c_int,
    decode_invalid_numbers: c_int,
    encode_keep_buffer: c_int,
    encode_number_precision: c_int,
}

// SAFETY: only c_int fields (any bit pattern is valid), no destructor,
// alignment 4.
unsafe impl PlainData for Config {}

const DEFAULTS: Config = Config {
    sparse_convert: 0,
    sparse_ratio: 2,
    sparse_safe: 10,
    encode_max_depth: 1000,
    decode_max_depth: 1000,
    encode_invalid_numbers: 0,
    decode_invalid_numbers: 1,
    encode_keep_buffer: 1,
    encode_number_precision: 14,
};

/// The settings of the running function's module (its first upvalue).
fn config(l: &Lua) -> Result<Config, LuaRaise> {
    l.upvalue_data::<Config>(1)
        .ok_or_else(|| LuaRaise::msg(b"BUG: Unable to fetch CJSON configuration".as_slice()))
}

/// `json_arg_init`: at most `args` arguments, padded with nils.
fn arg_init(l: &mut Lua, args: c_int) -> Result<(), LuaRaise> {
    if l.top() > args {
        return Err(l.arg_error(args + 1, "found too many arguments"));
    }
    while l.top() < args {
        l.push_nil();
    }
    config(l).map(|_| ())
}

/// Which setting an option function reads and writes.
type Field = fn(&mut Config) -> &mut c_int;

/// `json_integer_option`: sets the setting from argument `idx` unless it
/// is nil, then pushes its value.
fn integer_option(l: &mut Lua, idx: c_int, field: Field, min: c_int, max: c_int) -> Result<c_int, LuaRaise> {
    let mut cfg = config(l)?;
    if l.type_of(idx) != ffi::LUA_TNIL {
        let value = l.check_integer(idx)?;
        if !(i64::from(min)..=i64::from(max)).contains(&value) {
            let msg = format!("expected integer between {min} and {max}");
            return Err(l.arg_error(1, &msg));
        }
        *field(&mut cfg) = value as c_int;
        l.set_upvalue_data(1, cfg);
    }
    l.push_integer(i64::from(*field(&mut cfg)));
    Ok(1)
}

/// `json_enum_option`: `options` NULL-less list; `bool_true` the value
/// `true` maps to (0: booleans not accepted).
fn enum_option(l: &mut Lua, idx: c_int, field: Field, options: &[&[u8]], bool_true: c_int) -> Result<c_int, LuaRaise> {
    let mut cfg = config(l)?;
    if l.type_of(idx) != ffi::LUA_TNIL {
        if bool_true != 0 && l.type_of(idx) == ffi::LUA_TBOOLEAN {
            *field(&mut cfg) = c_int::from(l.to_boolean(idx)) * bool_true;
        } else {
            let given = match l.type_of(idx) {
                ffi::LUA_TSTRING | ffi::LUA_TNUMBER => l.to_bytes(idx).unwrap_or_default(),
                _ => return Err(l.type_error(idx, "string")),
            };
            match options.iter().position(|o| *o == given) {
                Some(i) => *field(&mut cfg) = i as c_int,
                None => {
                    let extra = format!("invalid option '{}'", String::from_utf8_lossy(given));
                    return Err(l.arg_error(idx, &extra));
                }
            }
        }
        l.set_upvalue_data(1, cfg);
    }
    let setting = *field(&mut cfg);
    if bool_true != 0 && (setting == 0 || setting == bool_true) {
        l.push_bool(setting != 0);
    } else {
        l.push_bytes(options.get(setting as usize).copied().unwrap_or_default());
    }
    Ok(1)
}

const BOOL_OPTIONS: &[&[u8]] = &[b"off", b"on"];

fn cfg_encode_sparse_array(l: &mut Lua) -> Result<c_int, LuaRaise> {
    arg_init(l, 3)?;
    enum_option(l, 1, |c| &mut c.sparse_convert, BOOL_OPTIONS, 1)?;
    integer_option(l, 2, |c| &mut c.sparse_ratio, 0, c_int::MAX)?;
    integer_option(l, 3, |c| &mut c.sparse_safe, 0, c_int::MAX)?;
    Ok(3)
}

fn cfg_encode_max_depth(l: &mut Lua) -> Result<c_int, LuaRaise> {
    arg_init(l, 1)?;
    integer_option(l, 1, |c| &mut c.encode_max_depth, 1, c_int::MAX)
}

fn cfg_decode_max_depth(l: &mut Lua) -> Result<c_int, LuaRaise> {
    arg_init(l, 1)?;
    integer_option(l, 1, |c| &mut c.decode_max_depth, 1, c_int::MAX)
}

fn cfg_encode_number_precision(l: &mut Lua) -> Result<c_int, LuaRaise> {
    arg_init(l, 1)?;
    integer_option(l, 1, |c| &mut c.encode_number_precision, 1, 14)
}

fn cfg_encode_keep_buffer(l: &mut Lua) -> Result<c_int, LuaRaise> {
    arg_init(l, 1)?;
    enum_option(l, 1, |c| &mut c.encode_keep_buffer, BOOL_OPTIONS, 1)
}

fn cfg_encode_invalid_numbers(l: &mut Lua) -> Result<c_int, LuaRaise> {
    arg_init(l, 1)?;
    enum_option(l, 1, |c| &mut c.encode_invalid_numbers, &[b"off", b"on", b"null"], 1)
}

fn cfg_decode_invalid_numbers(l: &mut Lua) -> Result<c_int, LuaRaise> {
    arg_init(l, 1)?;
    enum_option(l, 1, |c| &mut c.decode_invalid_numbers, BOOL_OPTIONS, 1)
}

// ------------------------------------------------------------- encoding

/// `char2escape`: how each byte appears inside a JSON string.
fn escape(c: u8) -> Option<&'static [u8]> {
    const LOW: [&[u8]; 32] = [
        b"\\u0000", b"\\u0001", b"\\u0002", b"\\u0003", b"\\u0004", b"\\u0005", b"\\u0006", b"\\u0007", b"\\b", b"\\t", b"\\n", b"\\u000b",
        b"\\f", b"\\r", b"\\u000e", b"\\u000f", b"\\u0010", b"\\u0011", b"\\u0012", b"\\u0013", b"\\u0014", b"\\u0015", b"\\u0016",
        b"\\u0017", b"\\u0018", b"\\u0019", b"\\u001a", b"\\u001b", b"\\u001c", b"\\u001d", b"\\u001e", b"\\u001f",
    ];
    match c {
        0..=31 => Some(LOW[c as usize]),
        b'"' => Some(b"\\\""),
        b'/' => Some(b"\\/"),
        b'\\' => Some(b"\\\\"),
        127 => Some(b"\\u007f"),
        _ => None,
    }
}

fn append_string(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    for &c in s {
        match escape(c) {
            Some(e) => out.extend_from_slice(e),
            None => out.push(c),
        }
    }
    out.push(b'"');
}

type Res<T> = Result<T, Vec<u8>>;

fn encode_exception(l: &Lua, idx: c_int, reason: &str) -> Vec<u8> {
    format!("Cannot serialise {}: {reason}", l.type_name(idx)).into_bytes()
}

/// Serialises `num`, the number at `idx`.
fn append_number(l: &Lua, cfg: &Config, out: &mut Vec<u8>, idx: c_int, num: f64) -> Res<()> {
    match cfg.encode_invalid_numbers {
        0 => {
            if num.is_infinite() || num.is_nan() {
                return Err(encode_exception(l, idx, "must not be NaN or Inf"));
            }
        }
        1 => {
            if num.is_nan() {
                out.extend_from_slice(b"nan");
                return Ok(());
            }
        }
        _ => {
            if num.is_infinite() || num.is_nan() {
                out.extend_from_slice(b"null");
                return Ok(());
            }
        }
    }
    crate::util::num::push_f64_g(out, num, cfg.encode_number_precision.max(1) as usize);
    Ok(())
}

/// `lua_array_length`: the array size of the table on top, or -1 when it
/// is an object.
fn array_length(l: &mut Lua, cfg: &Config) -> Res<i64> {
    let mut max: i64 = 0;
    let mut items: i64 = 0;
    let integer_keys = l.scan_keys(-1, |ty, k| {
        if ty == ffi::LUA_TNUMBER && k != 0.0 && k.floor() == k && k >= 1.0 {
            if k > max as f64 {
                max = k as c_int as i64;
            }
            items += 1;
            return true;
        }
        false
    });
    if !integer_keys {
        return Ok(-1);
    }
    if cfg.sparse_ratio > 0 && max > items * i64::from(cfg.sparse_ratio) && max > i64::from(cfg.sparse_safe) {
        if cfg.sparse_convert == 0 {
            return Err(encode_exception(l, -1, "excessively sparse array"));
        }
        return Ok(-1);
    }
    Ok(max)
}

/// Serialises `v`, the value on top of the stack, when it is a string, a
/// number, a boolean or null; false (nothing written) otherwise.
#[inline(always)]
fn append_plain(l: &Lua, cfg: &Config, out: &mut Vec<u8>, v: Value) -> Res<bool> {
    match v {
        Value::Str(s) => append_string(out, s),
        Value::Number(n) => append_number(l, cfg, out, -1, n)?,
        Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Value::Nil => out.extend_from_slice(b"null"),
        Value::Other(ffi::LUA_TLIGHTUSERDATA) if l.is_null_light_userdata(-1) => out.extend_from_slice(b"null"),
        _ => return Ok(false),
    }
    Ok(true)
}

/// Serialises the value on top of the stack (`json_append_data`).
fn append_data(l: &mut Lua, cfg: &Config, depth: c_int, out: &mut Vec<u8>) -> Res<()> {
    let v = l.value(-1);
    if append_plain(l, cfg, out, v)? {
        return Ok(());
    }
    match v {
        Value::Table => {
            let depth = depth + 1;
            if depth > cfg.encode_max_depth || !l.check_stack(3) {
                return Err(format!("Cannot serialise, excessive nesting ({depth})").into_bytes());
            }
            let len = array_length(l, cfg)?;
            if len > 0 {
                out.push(b'[');
                for i in 1..=len {
                    if i > 1 {
                        out.push(b',');
                    }
                    l.raw_geti(-1, i as c_int);
                    // Plain values without the recursive call.
                    let v = l.value(-1);
                    if !append_plain(l, cfg, out, v)? {
                        append_data(l, cfg, depth, out)?;
                    }
                    l.pop(1);
                }
                out.push(b']');
            } else {
                out.push(b'{');
                let mut comma = false;
                l.push_nil();
                while l.next(-2) {
                    if comma {
                        out.push(b',');
                    }
                    comma = true;
                    match l.value(-2) {
                        Value::Number(k) => {
                            out.push(b'"');
                            append_number(l, cfg, out, -2, k)?;
                            out.extend_from_slice(b"\":");
                        }
                        Value::Str(k) => {
                            append_string(out, k);
                            out.push(b':');
                        }
                        _ => return Err(encode_exception(l, -2, "table key must be a number or string")),
                    }
                    let v = l.value(-1);
                    if !append_plain(l, cfg, out, v)? {
                        append_data(l, cfg, depth, out)?;
                    }
                    l.pop(1);
                }
                out.push(b'}');
            }
        }
        _ => return Err(encode_exception(l, -1, "type not supported")),
    }
    Ok(())
}

fn encode(l: &mut Lua) -> Result<c_int, LuaRaise> {
    let cfg = config(l)?;
    if l.top() != 1 {
        return Err(l.arg_error(1, "expected 1 argument"));
    }
    let mut out = Vec::new();
    append_data(l, &cfg, 0, &mut out).map_err(LuaRaise::msg)?;
    l.push_bytes(&out);
    Ok(1)
}

// ------------------------------------------------------------- decoding

#[derive(Clone, Copy, PartialEq, Debug)]
enum Tok {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    Str,
    Num(f64),
    Bool(bool),
    Null,
    Colon,
    Comma,
    End,
    Error(&'static str),
}

fn token_name(t: Tok) -> &'static str {
    match t {
        Tok::ObjBegin => "T_OBJ_BEGIN",
        Tok::ObjEnd => "T_OBJ_END",
        Tok::ArrBegin => "T_ARR_BEGIN",
        Tok::ArrEnd => "T_ARR_END",
        Tok::Str => "T_STRING",
        Tok::Num(_) => "T_NUMBER",
        Tok::Bool(_) => "T_BOOLEAN",
        Tok::Null => "T_NULL",
        Tok::Colon => "T_COLON",
        Tok::Comma => "T_COMMA",
        Tok::End => "T_END",
        Tok::Error(s) => s,
    }
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    depth: c_int,
    /// The last string token's bytes.
    tmp: Vec<u8>,
    /// Where the current token starts.
    index: usize,
    cfg: Config,
}

/// glibc `strtod`: the longest number at the start of `s`; (value, bytes
/// used), 0 bytes when there is none.
pub fn strtod(s: &[u8]) -> (f64, usize) {
    let mut i = 0;
    let neg = match s.first() {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let rest = &s[i..];
    let lower = |n: usize| -> Vec<u8> { rest.iter().take(n).map(|c| c.to_ascii_lowercase()).collect() };
    let sign = |v: f64| if neg { -v } else { v };
    if lower(8) == b"infinity" {
        return (sign(f64::INFINITY), i + 8);
    }
    if lower(3) == b"inf" {
        return (sign(f64::INFINITY), i + 3);
    }
    if lower(3) == b"nan" {
        let mut j = i + 3;
        if s.get(j) == Some(&b'(') {
            let mut k = j + 1;
            while s.get(k).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                k += 1;
            }
            if s.get(k) == Some(&b')') {
                j = k + 1;
            }
        }
        return (sign(f64::NAN), j);
    }
    if rest.len() >= 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
        let mut j = 2;
        let mut mant: f64 = 0.0;
        let mut digits = 0;
        let mut exp: i32 = 0;
        while let Some(d) = rest.get(j).and_then(|c| (*c as char).to_digit(16)) {
            mant = mant * 16.0 + f64::from(d);
            digits += 1;
            j += 1;
        }
        if rest.get(j) == Some(&b'.') {
            let mut k = j + 1;
            while let Some(d) = rest.get(k).and_then(|c| (*c as char).to_digit(16)) {
                mant = mant * 16.0 + f64::from(d);
                exp -= 4;
                digits += 1;
                k += 1;
            }
            if digits > 0 {
                j = k;
            }
        }
        if digits == 0 {
            // "0x" alone parses as 0 followed by "x".
            return (sign(0.0), i + 1);
        }
        if rest.get(j).is_some_and(|c| *c | 0x20 == b'p') {
            let (e, used) = parse_exp(&rest[j + 1..]);
            if used > 0 {
                exp += e;
                j += 1 + used;
            }
        }
        return (sign(mant * 2f64.powi(exp)), i + j);
    }
    let mut j = 0;
    let mut digits = 0;
    while rest.get(j).is_some_and(|c| c.is_ascii_digit()) {
        j += 1;
        digits += 1;
    }
    if rest.get(j) == Some(&b'.') {
        let mut k = j + 1;
        while rest.get(k).is_some_and(|c| c.is_ascii_digit()) {
            k += 1;
            digits += 1;
        }
        if digits > 0 {
            j = k;
        }
    }
    if digits == 0 {
        return (0.0, 0);
    }
    if rest.get(j).is_some_and(|c| *c | 0x20 == b'e') {
        let (_, used) = parse_exp(&rest[j + 1..]);
        if used > 0 {
            j += 1 + used;
        }
    }
    let text = std::str::from_utf8(&rest[..j]).unwrap_or("0");
    let v: f64 = text.parse().unwrap_or(0.0);
    (sign(v), i + j)
}

/// An exponent: optional sign and digits; (value, bytes) or 0 bytes.
fn parse_exp(s: &[u8]) -> (i32, usize) {
    let mut j = 0;
    let neg = match s.first() {
        Some(b'-') => {
            j = 1;
            true
        }
        Some(b'+') => {
            j = 1;
            false
        }
        _ => false,
    };
    let start = j;
    let mut v: i32 = 0;
    while let Some(d) = s.get(j).filter(|c| c.is_ascii_digit()) {
        v = v.saturating_mul(10).saturating_add(i32::from(d - b'0'));
        j += 1;
    }
    if j == start {
        return (0, 0);
    }
    (if neg { -v } else { v }, j)
}

impl Parser<'_> {
    /// The byte at `i`, with the end of the data (or a NUL) read as 0
    /// like the C string lua-cjson parses.
    fn at(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    fn is_invalid_number(&self) -> bool {
        let mut p = self.pos;
        if self.at(p) == b'+' {
            return true;
        }
        if self.at(p) == b'-' {
            p += 1;
        }
        if self.at(p) == b'0' {
            let c2 = self.at(p + 1);
            return (c2 | 0x20) == b'x' || c2.is_ascii_digit();
        } else if self.at(p) <= b'9' {
            return false;
        }
        let word: Vec<u8> = (0..3).map(|k| self.at(p + k).to_ascii_lowercase()).collect();
        word == b"inf" || word == b"nan"
    }

    fn number_token(&mut self) -> Tok {
        // strtod stops at the first byte that cannot continue a number, a
        // NUL included, so the rest of the text is not scanned (finding
        // the NUL first made decoding quadratic in the number count).
        let (v, used) = strtod(&self.data[self.pos..]);
        if used == 0 {
            return Tok::Error("invalid number");
        }
        self.pos += used;
        Tok::Num(v)
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let mut v = 0;
        for k in 0..4 {
            v = (v << 4) | (self.at(at + k) as char).to_digit(16)?;
        }
        Some(v)
    }

    /// `json_append_unicode_escape`; `pos` is at the backslash.
    fn unicode_escape(&mut self) -> bool {
        let Some(mut cp) = self.hex4(self.pos + 2) else {
            return false;
        };
        let mut len = 6;
        if cp & 0xF800 == 0xD800 {
            if cp & 0x400 != 0 {
                return false;
            }
            if self.at(self.pos + 6) != b'\\' || self.at(self.pos + 7) != b'u' {
                return false;
            }
            let Some(low) = self.hex4(self.pos + 8) else {
                return false;
            };
            if low & 0xFC00 != 0xDC00 {
                return false;
            }
            cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            len = 12;
        }
        let mut buf = [0u8; 4];
        let n = if cp <= 0x7F {
            buf[0] = cp as u8;
            1
        } else if cp <= 0x7FF {
            buf[0] = ((cp >> 6) | 0xC0) as u8;
            buf[1] = ((cp & 0x3F) | 0x80) as u8;
            2
        } else if cp <= 0xFFFF {
            buf[0] = ((cp >> 12) | 0xE0) as u8;
            buf[1] = (((cp >> 6) & 0x3F) | 0x80) as u8;
            buf[2] = ((cp & 0x3F) | 0x80) as u8;
            3
        } else {
            buf[0] = ((cp >> 18) | 0xF0) as u8;
            buf[1] = (((cp >> 12) & 0x3F) | 0x80) as u8;
            buf[2] = (((cp >> 6) & 0x3F) | 0x80) as u8;
            buf[3] = ((cp & 0x3F) | 0x80) as u8;
            4
        };
        self.tmp.extend_from_slice(&buf[..n]);
        self.pos += len;
        true
    }

    fn string_token(&mut self) -> Tok {
        self.pos += 1;
        self.tmp.clear();
        loop {
            let ch = self.at(self.pos);
            if ch == b'"' {
                break;
            }
            if ch == 0 {
                return Tok::Error("unexpected end of string");
            }
            let mut out = ch;
            if ch == b'\\' {
                let e = match self.at(self.pos + 1) {
                    b'"' => b'"',
                    b'\\' => b'\\',
                    b'/' => b'/',
                    b'b' => 8,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'f' => 12,
                    b'r' => b'\r',
                    b'u' => {
                        if self.unicode_escape() {
                            continue;
                        }
                        return Tok::Error("invalid unicode escape code");
                    }
                    _ => return Tok::Error("invalid escape code"),
                };
                self.pos += 1;
                out = e;
            }
            self.tmp.push(out);
            self.pos += 1;
        }
        self.pos += 1;
        Tok::Str
    }

    /// `json_next_token`.
    fn next_token(&mut self) -> Tok {
        while matches!(self.at(self.pos), b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
        self.index = self.pos;
        let ch = self.at(self.pos);
        let single = match ch {
            b'{' => Some(Tok::ObjBegin),
            b'}' => Some(Tok::ObjEnd),
            b'[' => Some(Tok::ArrBegin),
            b']' => Some(Tok::ArrEnd),
            b',' => Some(Tok::Comma),
            b':' => Some(Tok::Colon),
            _ => None,
        };
        if let Some(t) = single {
            self.pos += 1;
            return t;
        }
        if ch == 0 {
            return Tok::End;
        }
        if !matches!(ch, b'f' | b'i' | b'I' | b'n' | b'N' | b't' | b'"' | b'+' | b'-' | b'0'..=b'9') {
            return Tok::Error("invalid token");
        }
        let rest = &self.data[self.pos..];
        if ch == b'"' {
            self.string_token()
        } else if ch == b'-' || ch.is_ascii_digit() {
            if self.cfg.decode_invalid_numbers == 0 && self.is_invalid_number() {
                return Tok::Error("invalid number");
            }
            self.number_token()
        } else if rest.starts_with(b"true") {
            self.pos += 4;
            Tok::Bool(true)
        } else if rest.starts_with(b"false") {
            self.pos += 5;
            Tok::Bool(false)
        } else if rest.starts_with(b"null") {
            self.pos += 4;
            Tok::Null
        } else if self.cfg.decode_invalid_numbers != 0 && self.is_invalid_number() {
            self.number_token()
        } else {
            Tok::Error("invalid token")
        }
    }

    fn parse_error(&self, expected: &str, t: Tok) -> Vec<u8> {
        let index = if matches!(t, Tok::Error(_)) { self.pos } else { self.index };
        format!("Expected {expected} but found {} at character {}", token_name(t), index + 1).into_bytes()
    }

    fn descend(&mut self, l: &Lua, slots: c_int) -> Res<()> {
        self.depth += 1;
        if self.depth <= self.cfg.decode_max_depth && l.check_stack(slots) {
            return Ok(());
        }
        Err(format!("Found too many nested data structures ({}) at character {}", self.depth, self.pos).into_bytes())
    }

    fn object(&mut self, l: &mut Lua) -> Res<()> {
        self.descend(l, 3)?;
        l.create_table(0, 0);
        let mut t = self.next_token();
        if t == Tok::ObjEnd {
            self.depth -= 1;
            return Ok(());
        }
        loop {
            if t != Tok::Str {
                return Err(self.parse_error("object key string", t));
            }
            l.push_bytes(&self.tmp);
            t = self.next_token();
            if t != Tok::Colon {
                return Err(self.parse_error("colon", t));
            }
            t = self.next_token();
            self.value(l, t)?;
            l.raw_set(-3);
            t = self.next_token();
            if t == Tok::ObjEnd {
                self.depth -= 1;
                return Ok(());
            }
            if t != Tok::Comma {
                return Err(self.parse_error("comma or object end", t));
            }
            t = self.next_token();
        }
    }

    fn array(&mut self, l: &mut Lua) -> Res<()> {
        self.descend(l, 2)?;
        l.create_table(0, 0);
        let mut t = self.next_token();
        if t == Tok::ArrEnd {
            self.depth -= 1;
            return Ok(());
        }
        let mut i: c_int = 1;
        loop {
            self.value(l, t)?;
            l.raw_seti(-2, i);
            i = i.wrapping_add(1);
            t = self.next_token();
            if t == Tok::ArrEnd {
                self.depth -= 1;
                return Ok(());
            }
            if t != Tok::Comma {
                return Err(self.parse_error("comma or array end", t));
            }
            t = self.next_token();
        }
    }

    fn value(&mut self, l: &mut Lua, t: Tok) -> Res<()> {
        match t {
            Tok::Str => l.push_bytes(&self.tmp),
            Tok::Num(n) => l.push_number(n),
            Tok::Bool(b) => l.push_bool(b),
            Tok::ObjBegin => self.object(l)?,
            Tok::ArrBegin => self.array(l)?,
            Tok::Null => l.push_light_null(),
            _ => return Err(self.parse_error("value", t)),
        }
        Ok(())
    }
}

fn decode_body(l: &mut Lua, cfg: Config) -> Res<()> {
    // A copy: the parser pushes values while it reads the text.
    let data = match l.type_of(1) {
        ffi::LUA_TSTRING | ffi::LUA_TNUMBER => l.to_bytes(1).unwrap_or_default().to_vec(),
        _ => return Err(l.type_error_msg(1, "string")),
    };
    if data.len() >= 2 && (data[0] == 0 || data[1] == 0) {
        return Err(b"JSON parser does not support UTF-16 or UTF-32".to_vec());
    }
    let mut p = Parser {
        data: &data,
        pos: 0,
        depth: 0,
        tmp: Vec::new(),
        index: 0,
        cfg,
    };
    let t = p.next_token();
    p.value(l, t)?;
    let t = p.next_token();
    if t != Tok::End {
        return Err(p.parse_error("the end", t));
    }
    Ok(())
}

fn decode(l: &mut Lua) -> Result<c_int, LuaRaise> {
    let cfg = config(l)?;
    if l.top() != 1 {
        return Err(l.arg_error(1, "expected 1 argument"));
    }
    decode_body(l, cfg).map_err(LuaRaise::msg)?;
    Ok(1)
}

/// `cjson.new()`: a module table with its own settings.
fn new(l: &mut Lua) -> Result<c_int, LuaRaise> {
    push_module(l);
    Ok(1)
}

lua_function!(ENCODE => encode);
lua_function!(DECODE => decode);
lua_function!(CFG_ENCODE_SPARSE_ARRAY => cfg_encode_sparse_array);
lua_function!(CFG_ENCODE_MAX_DEPTH => cfg_encode_max_depth);
lua_function!(CFG_DECODE_MAX_DEPTH => cfg_decode_max_depth);
lua_function!(CFG_ENCODE_NUMBER_PRECISION => cfg_encode_number_precision);
lua_function!(CFG_ENCODE_KEEP_BUFFER => cfg_encode_keep_buffer);
lua_function!(CFG_ENCODE_INVALID_NUMBERS => cfg_encode_invalid_numbers);
lua_function!(CFG_DECODE_INVALID_NUMBERS => cfg_decode_invalid_numbers);
lua_function!(NEW => new);

/// Pushes a cjson module table (`lua_cjson_new`).
fn push_module(l: &mut Lua) {
    let funcs: &[(&[u8], CFunction)] = &[
        (b"encode", ENCODE),
        (b"decode", DECODE),
        (b"encode_sparse_array", CFG_ENCODE_SPARSE_ARRAY),
        (b"encode_max_depth", CFG_ENCODE_MAX_DEPTH),
        (b"decode_max_depth", CFG_DECODE_MAX_DEPTH),
        (b"encode_number_precision", CFG_ENCODE_NUMBER_PRECISION),
        (b"encode_keep_buffer", CFG_ENCODE_KEEP_BUFFER),
        (b"encode_invalid_numbers", CFG_ENCODE_INVALID_NUMBERS),
        (b"decode_invalid_numbers", CFG_DECODE_INVALID_NUMBERS),
        (b"new", NEW),
    ];
    l.create_table(0, 14);
    let t = l.top();
    l.push_userdata(DEFAULTS);
    let cfg = l.top();
    for (name, f) in funcs {
        l.push_value(cfg);
        l.push_cclosure(*f, 1);
        l.raw_set_field(t, name);
    }
    l.set_top(t);
    l.push_light_null();
    l.raw_set_field(t, b"null");
    l.push_bytes(b"cjson");
    l.raw_set_field(t, b"_NAME");
    l.push_bytes(b"2.1.0");
    l.raw_set_field(t, b"_VERSION");
}

/// Registers the global `cjson` table.
pub fn open(l: &mut Lua) {
    push_module(l);
    l.raw_set_field(ffi::LUA_GLOBALSINDEX, b"cjson");
}

#[cfg(test)]
mod tests {
    use super::strtod;

    #[test]
    fn strtod_prefixes() {
        assert_eq!(strtod(b"12abc"), (12.0, 2));
        assert_eq!(strtod(b"-1.5e3,"), (-1500.0, 6));
        assert_eq!(strtod(b"1e"), (1.0, 1));
        assert_eq!(strtod(b"0x10"), (16.0, 4));
        assert_eq!(strtod(b"-Infinity"), (f64::NEG_INFINITY, 9));
        assert_eq!(strtod(b"x"), (0.0, 0));
        assert!(strtod(b"nan").0.is_nan());
        // A NUL ends a number as it ends the C string lua-cjson parses.
        assert_eq!(strtod(b"12\x003"), (12.0, 2));
        assert_eq!(strtod(b"1e\x005"), (1.0, 1));
        assert_eq!(strtod(b"inf\x00inity").1, 3);
        assert_eq!(strtod(b"0x1\x00f"), (1.0, 3));
    }
}
