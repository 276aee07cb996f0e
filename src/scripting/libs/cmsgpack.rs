//! `cmsgpack`: MessagePack for Lua (lua_cmsgpack.c, "lua-cmsgpack
//! 0.4.0"): `pack(...)` concatenates the encoding of each argument,
//! `unpack` decodes a stream of values, `unpack_one` and `unpack_limit`
//! decode part of it and return the next offset. Tables nested deeper
//! than 16 levels are encoded as nil, so circular references terminate.

use super::super::capi::{lua_function, Lua, LuaRaise, Value};
use super::super::lua;
use mlua::ffi;
use std::borrow::Cow;
use std::os::raw::c_int;

const MAX_NESTING: c_int = 16;

/// Whether `n` survives a round trip through int64 (`IS_INT64_EQUIVALENT`).
fn is_int64(n: f64) -> bool {
    !n.is_infinite() && lua::c_cast_i64(n) as f64 == n
}

fn encode_bytes(out: &mut Vec<u8>, s: &[u8]) {
    let len = s.len();
    if len < 32 {
        out.push(0xa0 | len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0xd9, len as u8]);
    } else if len <= 0xffff {
        out.push(0xda);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0xdb);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
    out.extend_from_slice(s);
}

fn encode_double(out: &mut Vec<u8>, d: f64) {
    let f = d as f32;
    if d == f64::from(f) {
        out.push(0xca);
        out.extend_from_slice(&f.to_be_bytes());
    } else {
        out.push(0xcb);
        out.extend_from_slice(&d.to_be_bytes());
    }
}

fn encode_int(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        if n <= 127 {
            out.push(n as u8);
        } else if n <= 0xff {
            out.extend_from_slice(&[0xcc, n as u8]);
        } else if n <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else if n <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    } else if n >= -32 {
        out.push(n as i8 as u8);
    } else if n >= -128 {
        out.extend_from_slice(&[0xd0, n as u8]);
    } else if n >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2_147_483_648 {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn encode_len(out: &mut Vec<u8>, n: u64, fix: u8, b16: u8, b32: u8) {
    if n <= 15 {
        out.push(fix | (n as u8 & 0xf));
    } else if n <= 65535 {
        out.push(b16);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(b32);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

/// `table_is_an_array`: keys are exactly 1..N.
fn table_is_array(l: &mut Lua) -> bool {
    let mut count: i64 = 0;
    let mut max: i64 = 0;
    let numbers_only = l.scan_keys(-1, |ty, n| {
        if ty != ffi::LUA_TNUMBER || n <= 0.0 || n.is_infinite() || n as c_int as f64 != n {
            return false;
        }
        max = max.max(n as i64);
        count += 1;
        true
    });
    numbers_only && max == count
}

/// Encodes a string, number or boolean; false (nothing written) for
/// other values.
fn encode_plain(out: &mut Vec<u8>, v: Value) -> bool {
    match v {
        Value::Str(s) => encode_bytes(out, s),
        Value::Bool(b) => out.push(if b { 0xc3 } else { 0xc2 }),
        Value::Number(n) => {
            if is_int64(n) {
                encode_int(out, n as i64);
            } else {
                encode_double(out, n);
            }
        }
        _ => return false,
    }
    true
}

/// Encodes the value on top of the stack and pops it (`mp_encode_lua_type`).
fn encode_value(l: &mut Lua, out: &mut Vec<u8>, level: c_int) -> Result<(), Vec<u8>> {
    let mut v = l.value(-1);
    if v == Value::Table && level == MAX_NESTING {
        v = Value::Nil;
    }
    match v {
        Value::Str(_) | Value::Bool(_) | Value::Number(_) => {
            encode_plain(out, v);
        }
        Value::Table => {
            if !l.check_stack(3) {
                return Err(b"stack overflow (in function mp_encode_lua_table_as_map)".to_vec());
            }
            if table_is_array(l) {
                let len = l.objlen(-1);
                encode_len(out, len as u64, 0x90, 0xdc, 0xdd);
                for j in 1..=len {
                    l.raw_geti(-1, j as c_int);
                    encode_value(l, out, level + 1)?;
                }
            } else {
                let mut len: u64 = 0;
                l.scan_keys(-1, |_, _| {
                    len += 1;
                    true
                });
                encode_len(out, len, 0x80, 0xde, 0xdf);
                l.push_nil();
                while l.next(-2) {
                    // A string, number or boolean key is encoded where it
                    // is (`value` converts nothing); others from a copy.
                    if !encode_plain(out, l.value(-2)) {
                        l.push_value(-2);
                        encode_value(l, out, level + 1)?;
                    }
                    encode_value(l, out, level + 1)?;
                }
            }
        }
        _ => out.push(0xc0),
    }
    l.pop(1);
    Ok(())
}

fn pack(l: &mut Lua) -> Result<c_int, LuaRaise> {
    let nargs = l.top();
    if nargs == 0 {
        return Err(l.arg_error(0, "MessagePack pack needs input."));
    }
    if !l.check_stack(nargs) {
        return Err(l.arg_error(0, "Too many arguments for MessagePack pack."));
    }
    let mut out = Vec::new();
    for i in 1..=nargs {
        l.push_value(i);
        encode_value(l, &mut out, 0).map_err(LuaRaise::msg)?;
    }
    l.push_bytes(&out);
    Ok(1)
}

/// Why decoding stopped.
enum DecodeErr {
    Eof,
    BadFormat,
    /// No room on the Lua stack; the text after "stack overflow (".
    Stack(&'static str),
    /// A map key Lua cannot store (what `lua_settable` raises).
    BadKey(&'static str),
}

/// The stack check of `mp_decode_to_lua_type`.
const TOO_MANY_VALUES: &str = "too many return values at once; use unpack_one or unpack_limit instead.";

struct Cursor<'a> {
    p: &'a [u8],
}

impl Cursor<'_> {
    fn need(&self, n: usize) -> Result<(), DecodeErr> {
        if self.p.len() < n {
            Err(DecodeErr::Eof)
        } else {
            Ok(())
        }
    }

    fn consume(&mut self, n: usize) {
        self.p = &self.p[n..];
    }

    fn be(&self, from: usize, n: usize) -> u64 {
        self.p[from..from + n].iter().fold(0u64, |a, &b| (a << 8) | u64::from(b))
    }
}

/// Decodes one value onto the stack (`mp_decode_to_lua_type`).
fn decode_value(l: &mut Lua, c: &mut Cursor) -> Result<(), DecodeErr> {
    c.need(1)?;
    if !l.check_stack(1) {
        return Err(DecodeErr::Stack(TOO_MANY_VALUES));
    }
    let t = c.p[0];
    let push_int = |l: &Lua, v: i64| l.push_number(v as f64);
    match t {
        0xcc => {
            c.need(2)?;
            push_int(l, i64::from(c.p[1]));
            c.consume(2);
        }
        0xd0 => {
            c.need(2)?;
            push_int(l, i64::from(c.p[1] as i8));
            c.consume(2);
        }
        0xcd => {
            c.need(3)?;
            push_int(l, c.be(1, 2) as i64);
            c.consume(3);
        }
        0xd1 => {
            c.need(3)?;
            push_int(l, i64::from(c.be(1, 2) as u16 as i16));
            c.consume(3);
        }
        0xce => {
            c.need(5)?;
            push_int(l, c.be(1, 4) as i64);
            c.consume(5);
        }
        0xd2 => {
            c.need(5)?;
            push_int(l, i64::from(c.be(1, 4) as u32 as i32));
            c.consume(5);
        }
        0xcf | 0xd3 => {
            c.need(9)?;
            push_int(l, c.be(1, 8) as i64);
            c.consume(9);
        }
        0xc0 => {
            l.push_nil();
            c.consume(1);
        }
        0xc3 | 0xc2 => {
            l.push_bool(t == 0xc3);
            c.consume(1);
        }
        0xca => {
            c.need(5)?;
            let f = f32::from_bits(c.be(1, 4) as u32);
            l.push_number(f64::from(f));
            c.consume(5);
        }
        0xcb => {
            c.need(9)?;
            l.push_number(f64::from_bits(c.be(1, 8)));
            c.consume(9);
        }
        0xd9..=0xdb => {
            let hdr = match t {
                0xd9 => 2,
                0xda => 3,
                _ => 5,
            };
            c.need(hdr)?;
            let len = c.be(1, hdr - 1) as usize;
            c.consume(hdr);
            c.need(len)?;
            l.push_bytes(&c.p[..len]);
            c.consume(len);
        }
        0xdc..=0xdf => {
            let hdr = if t == 0xdc || t == 0xde { 3 } else { 5 };
            c.need(hdr)?;
            let len = c.be(1, hdr - 1) as usize;
            c.consume(hdr);
            decode_container(l, c, len, t <= 0xdd)?;
        }
        _ => {
            if t & 0x80 == 0 {
                push_int(l, i64::from(t));
                c.consume(1);
            } else if t & 0xe0 == 0xe0 {
                push_int(l, i64::from(t as i8));
                c.consume(1);
            } else if t & 0xe0 == 0xa0 {
                let len = usize::from(t & 0x1f);
                c.need(1 + len)?;
                l.push_bytes(&c.p[1..1 + len]);
                c.consume(1 + len);
            } else if t & 0xf0 == 0x90 {
                c.consume(1);
                decode_container(l, c, usize::from(t & 0xf), true)?;
            } else if t & 0xf0 == 0x80 {
                c.consume(1);
                decode_container(l, c, usize::from(t & 0xf), false)?;
            } else {
                return Err(DecodeErr::BadFormat);
            }
        }
    }
    Ok(())
}

fn decode_container(l: &mut Lua, c: &mut Cursor, len: usize, array: bool) -> Result<(), DecodeErr> {
    l.create_table(0, 0);
    if array && !l.check_stack(1) {
        return Err(DecodeErr::Stack("in function mp_decode_to_lua_array"));
    }
    for i in 0..len {
        if array {
            // The index stays on the stack while the value decodes, as in
            // lua_cmsgpack (so the stack runs out at the same depth), but
            // is stored as the integer it is.
            l.push_number((i + 1) as f64);
            decode_value(l, c)?;
            l.raw_seti(-3, (i + 1) as c_int);
            l.pop(1);
            continue;
        }
        decode_value(l, c)?;
        decode_value(l, c)?;
        if !l.try_raw_set(-3) {
            return Err(DecodeErr::BadKey(if l.type_of(-2) == ffi::LUA_TNIL {
                "table index is nil"
            } else {
                "table index is NaN"
            }));
        }
    }
    Ok(())
}

/// `mp_unpack_full`: decodes up to `limit` values from `offset` (all when
/// both are 0); returns the number of results.
fn unpack_full(l: &mut Lua, limit: i64, offset: i64) -> Result<c_int, LuaRaise> {
    // A copy: decoding pushes values while it reads the input.
    let data = match l.type_of(1) {
        ffi::LUA_TSTRING | ffi::LUA_TNUMBER => l.to_bytes(1).unwrap_or_default().to_vec(),
        _ => return Err(l.type_error(1, "string")),
    };
    let len = data.len();
    let decode_all = limit == 0 && offset == 0;
    if offset < 0 || limit < 0 {
        return Err(LuaRaise::msg(
            format!(
                "Invalid request to unpack with offset of {} and limit of {}.",
                offset as c_int, len as c_int
            )
            .into_bytes(),
        ));
    } else if offset as u64 > len as u64 {
        return Err(LuaRaise::msg(
            format!("Start offset {} greater than input length {}.", offset as c_int, len as c_int).into_bytes(),
        ));
    }
    let limit = if decode_all { i64::from(c_int::MAX) } else { limit };
    let mut c = Cursor {
        p: &data[offset as usize..],
    };
    let mut cnt: c_int = 0;
    while !c.p.is_empty() && i64::from(cnt) < limit {
        match decode_value(l, &mut c) {
            Ok(()) => {}
            Err(DecodeErr::Eof) => return Err(LuaRaise::msg(b"Missing bytes in input.".as_slice())),
            Err(DecodeErr::BadFormat) => return Err(LuaRaise::msg(b"Bad data format in input.".as_slice())),
            Err(DecodeErr::Stack(what)) => return Err(LuaRaise::msg(format!("stack overflow ({what})").into_bytes())),
            Err(DecodeErr::BadKey(msg)) => {
                // Raised by the VM from inside a C function: no position.
                l.push_bytes(msg.as_bytes());
                return Err(LuaRaise::Top);
            }
        }
        cnt += 1;
    }
    if !decode_all {
        let next = if c.p.is_empty() { -1 } else { (len - c.p.len()) as i64 };
        if !l.check_stack(1) {
            return Err(LuaRaise::msg(Cow::Borrowed(
                b"stack overflow (in function mp_unpack_full)".as_slice(),
            )));
        }
        l.push_number(next as f64);
        l.insert(2);
        cnt += 1;
    }
    Ok(cnt)
}

fn unpack(l: &mut Lua) -> Result<c_int, LuaRaise> {
    unpack_full(l, 0, 0)
}

fn unpack_one(l: &mut Lua) -> Result<c_int, LuaRaise> {
    let offset = l.opt_integer(2, 0)?;
    l.set_top(1);
    unpack_full(l, 1, offset)
}

fn unpack_limit(l: &mut Lua) -> Result<c_int, LuaRaise> {
    let limit = l.check_integer(2)?;
    let offset = l.opt_integer(3, 0)?;
    l.set_top(1);
    unpack_full(l, limit, offset)
}

lua_function!(PACK => pack);
lua_function!(UNPACK => unpack);
lua_function!(UNPACK_ONE => unpack_one);
lua_function!(UNPACK_LIMIT => unpack_limit);

/// Registers the global `cmsgpack` table.
pub fn open(l: &mut Lua) {
    super::register(
        l,
        b"cmsgpack",
        &[
            (b"pack", PACK),
            (b"unpack", UNPACK),
            (b"unpack_one", UNPACK_ONE),
            (b"unpack_limit", UNPACK_LIMIT),
        ],
    );
    let t = l.top();
    for (k, v) in [
        (b"_NAME".as_slice(), b"cmsgpack".as_slice()),
        (b"_VERSION", b"lua-cmsgpack 0.4.0"),
        (b"_COPYRIGHT", b"Copyright (C) 2012, Salvatore Sanfilippo"),
        (b"_DESCRIPTION", b"MessagePack C implementation for Lua"),
    ] {
        l.push_bytes(v);
        l.raw_set_field(t, k);
    }
}
