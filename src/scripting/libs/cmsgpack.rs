//! `cmsgpack`: MessagePack for Lua (lua_cmsgpack.c, "lua-cmsgpack
//! 0.4.0"): `pack(...)` concatenates the encoding of each argument,
//! `unpack` decodes a stream of values, `unpack_one` and `unpack_limit`
//! decode part of it and return the next offset. Tables nested deeper
//! than 16 levels are encoded as nil, so circular references terminate.

use super::super::lua::{self, State};
use mlua::ffi;
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
unsafe fn table_is_array(l: State) -> bool {
    let top = ffi::lua_gettop(l);
    let mut count: i64 = 0;
    let mut max: i64 = 0;
    ffi::lua_pushnil(l);
    while ffi::lua_next(l, -2) != 0 {
        ffi::lua_settop(l, -2);
        if ffi::lua_type(l, -1) != ffi::LUA_TNUMBER {
            ffi::lua_settop(l, top);
            return false;
        }
        let n = ffi::lua_tonumber(l, -1);
        if n <= 0.0 || n.is_infinite() || n as c_int as f64 != n {
            ffi::lua_settop(l, top);
            return false;
        }
        max = max.max(n as i64);
        count += 1;
    }
    ffi::lua_settop(l, top);
    max == count
}

/// Encodes the value on top of the stack and pops it (`mp_encode_lua_type`).
unsafe fn encode_value(l: State, out: &mut Vec<u8>, level: c_int) -> Result<(), Vec<u8>> {
    let mut t = ffi::lua_type(l, -1);
    if t == ffi::LUA_TTABLE && level == MAX_NESTING {
        t = ffi::LUA_TNIL;
    }
    match t {
        ffi::LUA_TSTRING => encode_bytes(out, lua::to_bytes(l, -1).unwrap_or_default()),
        ffi::LUA_TBOOLEAN => out.push(if ffi::lua_toboolean(l, -1) != 0 { 0xc3 } else { 0xc2 }),
        ffi::LUA_TNUMBER => {
            let n = ffi::lua_tonumber(l, -1);
            if is_int64(n) {
                encode_int(out, n as i64);
            } else {
                encode_double(out, n);
            }
        }
        ffi::LUA_TTABLE => {
            if ffi::lua_checkstack(l, 3) == 0 {
                return Err(b"stack overflow (in function mp_encode_lua_table_as_map)".to_vec());
            }
            if table_is_array(l) {
                let len = ffi::lua_objlen(l, -1);
                encode_len(out, len as u64, 0x90, 0xdc, 0xdd);
                for j in 1..=len {
                    ffi::lua_rawgeti_(l, -1, j as c_int);
                    encode_value(l, out, level + 1)?;
                }
            } else {
                let mut len: u64 = 0;
                ffi::lua_pushnil(l);
                while ffi::lua_next(l, -2) != 0 {
                    ffi::lua_settop(l, -2);
                    len += 1;
                }
                encode_len(out, len, 0x80, 0xde, 0xdf);
                ffi::lua_pushnil(l);
                while ffi::lua_next(l, -2) != 0 {
                    ffi::lua_pushvalue(l, -2);
                    encode_value(l, out, level + 1)?;
                    encode_value(l, out, level + 1)?;
                }
            }
        }
        _ => out.push(0xc0),
    }
    ffi::lua_settop(l, -2);
    Ok(())
}

unsafe fn pack_body(l: State, nargs: c_int) -> Result<(), Vec<u8>> {
    let mut out = Vec::new();
    for i in 1..=nargs {
        ffi::lua_pushvalue(l, i);
        encode_value(l, &mut out, 0)?;
    }
    lua::push_bytes(l, &out);
    Ok(())
}

unsafe extern "C-unwind" fn pack(l: State) -> c_int {
    // SAFETY: called by Lua with its state; owned buffers are dropped
    // before any error is raised.
    let nargs = ffi::lua_gettop(l);
    if nargs == 0 {
        ffi::luaL_argerror(l, 0, c"MessagePack pack needs input.".as_ptr());
    }
    if ffi::lua_checkstack(l, nargs) == 0 {
        ffi::luaL_argerror(l, 0, c"Too many arguments for MessagePack pack.".as_ptr());
    }
    match pack_body(l, nargs) {
        Ok(()) => 1,
        Err(msg) => lua::raise_owned(l, msg),
    }
}

/// Why decoding stopped.
enum DecodeErr {
    Eof,
    BadFormat,
    Stack,
}

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
unsafe fn decode_value(l: State, c: &mut Cursor) -> Result<(), DecodeErr> {
    c.need(1)?;
    if ffi::lua_checkstack(l, 1) == 0 {
        return Err(DecodeErr::Stack);
    }
    let t = c.p[0];
    let push_int = |v: i64| ffi::lua_pushnumber(l, v as f64);
    match t {
        0xcc => {
            c.need(2)?;
            push_int(i64::from(c.p[1]));
            c.consume(2);
        }
        0xd0 => {
            c.need(2)?;
            push_int(i64::from(c.p[1] as i8));
            c.consume(2);
        }
        0xcd => {
            c.need(3)?;
            push_int(c.be(1, 2) as i64);
            c.consume(3);
        }
        0xd1 => {
            c.need(3)?;
            push_int(i64::from(c.be(1, 2) as u16 as i16));
            c.consume(3);
        }
        0xce => {
            c.need(5)?;
            push_int(c.be(1, 4) as i64);
            c.consume(5);
        }
        0xd2 => {
            c.need(5)?;
            push_int(i64::from(c.be(1, 4) as u32 as i32));
            c.consume(5);
        }
        0xcf | 0xd3 => {
            c.need(9)?;
            push_int(c.be(1, 8) as i64);
            c.consume(9);
        }
        0xc0 => {
            ffi::lua_pushnil(l);
            c.consume(1);
        }
        0xc3 | 0xc2 => {
            ffi::lua_pushboolean(l, c_int::from(t == 0xc3));
            c.consume(1);
        }
        0xca => {
            c.need(5)?;
            let f = f32::from_bits(c.be(1, 4) as u32);
            ffi::lua_pushnumber(l, f64::from(f));
            c.consume(5);
        }
        0xcb => {
            c.need(9)?;
            ffi::lua_pushnumber(l, f64::from_bits(c.be(1, 8)));
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
            lua::push_bytes(l, &c.p[..len]);
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
                push_int(i64::from(t));
                c.consume(1);
            } else if t & 0xe0 == 0xe0 {
                push_int(i64::from(t as i8));
                c.consume(1);
            } else if t & 0xe0 == 0xa0 {
                let len = usize::from(t & 0x1f);
                c.need(1 + len)?;
                lua::push_bytes(l, &c.p[1..1 + len]);
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

unsafe fn decode_container(l: State, c: &mut Cursor, len: usize, array: bool) -> Result<(), DecodeErr> {
    ffi::lua_createtable(l, 0, 0);
    if ffi::lua_checkstack(l, 2) == 0 {
        return Err(DecodeErr::Stack);
    }
    for i in 0..len {
        if array {
            ffi::lua_pushnumber(l, (i + 1) as f64);
        } else {
            decode_value(l, c)?;
        }
        decode_value(l, c)?;
        ffi::lua_settable(l, -3);
    }
    Ok(())
}

/// `mp_unpack_full`: decodes up to `limit` values from `offset` (all when
/// both are 0); returns the number of results.
unsafe fn unpack_full(l: State, limit: i64, offset: i64) -> Result<c_int, Vec<u8>> {
    let data = match ffi::lua_type(l, 1) {
        ffi::LUA_TSTRING | ffi::LUA_TNUMBER => lua::to_bytes(l, 1).unwrap_or_default(),
        _ => return Err(lua::type_error_msg(l, 1, "string")),
    };
    let len = data.len();
    let decode_all = limit == 0 && offset == 0;
    if offset < 0 || limit < 0 {
        return Err(format!(
            "Invalid request to unpack with offset of {} and limit of {}.",
            offset as c_int, len as c_int
        )
        .into_bytes());
    } else if offset as u64 > len as u64 {
        return Err(format!("Start offset {} greater than input length {}.", offset as c_int, len as c_int).into_bytes());
    }
    let limit = if decode_all { i64::from(c_int::MAX) } else { limit };
    let mut c = Cursor {
        p: &data[offset as usize..],
    };
    let mut cnt: c_int = 0;
    while !c.p.is_empty() && i64::from(cnt) < limit {
        match decode_value(l, &mut c) {
            Ok(()) => {}
            Err(DecodeErr::Eof) => return Err(b"Missing bytes in input.".to_vec()),
            Err(DecodeErr::BadFormat) => return Err(b"Bad data format in input.".to_vec()),
            Err(DecodeErr::Stack) => {
                return Err(b"stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)".to_vec())
            }
        }
        cnt += 1;
    }
    if !decode_all {
        let next = if c.p.is_empty() { -1 } else { (len - c.p.len()) as i64 };
        if ffi::lua_checkstack(l, 1) == 0 {
            return Err(b"stack overflow (in function mp_unpack_full)".to_vec());
        }
        ffi::lua_pushnumber(l, next as f64);
        ffi::lua_insert(l, 2);
        cnt += 1;
    }
    Ok(cnt)
}

unsafe fn finish(l: State, r: Result<c_int, Vec<u8>>) -> c_int {
    match r {
        Ok(n) => n,
        Err(msg) => lua::raise_owned(l, msg),
    }
}

unsafe extern "C-unwind" fn unpack(l: State) -> c_int {
    // SAFETY (the unpack family): called by Lua with its state; messages
    // are dropped before raising.
    finish(l, unpack_full(l, 0, 0))
}

unsafe extern "C-unwind" fn unpack_one(l: State) -> c_int {
    let offset = ffi::luaL_optinteger(l, 2, 0) as i64;
    ffi::lua_settop(l, 1);
    finish(l, unpack_full(l, 1, offset))
}

unsafe extern "C-unwind" fn unpack_limit(l: State) -> c_int {
    let limit = ffi::luaL_checkinteger(l, 2) as i64;
    let offset = ffi::luaL_optinteger(l, 3, 0) as i64;
    ffi::lua_settop(l, 1);
    finish(l, unpack_full(l, limit, offset))
}

/// Registers the global `cmsgpack` table.
pub unsafe fn open(l: State) {
    super::register(
        l,
        b"cmsgpack",
        &[
            (b"pack", pack),
            (b"unpack", unpack),
            (b"unpack_one", unpack_one),
            (b"unpack_limit", unpack_limit),
        ],
    );
    let t = ffi::lua_gettop(l);
    for (k, v) in [
        (b"_NAME".as_slice(), b"cmsgpack".as_slice()),
        (b"_VERSION", b"lua-cmsgpack 0.4.0"),
        (b"_COPYRIGHT", b"Copyright (C) 2012, Salvatore Sanfilippo"),
        (b"_DESCRIPTION", b"MessagePack C implementation for Lua"),
    ] {
        lua::push_bytes(l, v);
        lua::raw_set_field(l, t, k);
    }
}
