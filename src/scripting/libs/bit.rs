//! `bit`: LuaBitOp's 32-bit operations (lua_bit.c). Numbers are turned
//! into 32-bit integers by the 2^52+2^51 trick, so fractions round to
//! nearest-even and out-of-range values wrap.

use super::super::capi::{lua_function, Lua, LuaRaise};
use mlua::ffi;
use std::os::raw::c_int;

type Res = Result<c_int, LuaRaise>;

/// The argument at `idx` as 32 bits (`barg`); an error for non-numbers.
fn barg(l: &Lua, idx: c_int) -> Result<u32, LuaRaise> {
    let n = l.to_number(idx) + 6755399441055744.0;
    let b = n.to_bits() as u32;
    if b == 0 && !l.is_number(idx) {
        return Err(l.type_error(idx, "number"));
    }
    Ok(b)
}

fn ret(l: &Lua, b: u32) -> Res {
    l.push_number(f64::from(b as i32));
    Ok(1)
}

fn tobit(l: &mut Lua) -> Res {
    ret(l, barg(l, 1)?)
}

fn bnot(l: &mut Lua) -> Res {
    ret(l, !barg(l, 1)?)
}

fn fold(l: &Lua, op: fn(u32, u32) -> u32) -> Res {
    let mut b = barg(l, 1)?;
    let mut i = l.top();
    while i > 1 {
        b = op(b, barg(l, i)?);
        i -= 1;
    }
    ret(l, b)
}

fn band(l: &mut Lua) -> Res {
    fold(l, |a, b| a & b)
}

fn bor(l: &mut Lua) -> Res {
    fold(l, |a, b| a | b)
}

fn bxor(l: &mut Lua) -> Res {
    fold(l, |a, b| a ^ b)
}

fn shift(l: &Lua, op: fn(u32, u32) -> u32) -> Res {
    let b = barg(l, 1)?;
    let n = barg(l, 2)? & 31;
    ret(l, op(b, n))
}

fn lshift(l: &mut Lua) -> Res {
    shift(l, |b, n| b << n)
}

fn rshift(l: &mut Lua) -> Res {
    shift(l, |b, n| b >> n)
}

fn arshift(l: &mut Lua) -> Res {
    shift(l, |b, n| ((b as i32) >> n) as u32)
}

fn rol(l: &mut Lua) -> Res {
    shift(l, |b, n| b.rotate_left(n))
}

fn ror(l: &mut Lua) -> Res {
    shift(l, |b, n| b.rotate_right(n))
}

fn bswap(l: &mut Lua) -> Res {
    ret(l, barg(l, 1)?.swap_bytes())
}

fn tohex(l: &mut Lua) -> Res {
    let mut b = barg(l, 1)?;
    let mut n: i32 = if l.type_of(2) == ffi::LUA_TNONE { 8 } else { barg(l, 2)? as i32 };
    let mut digits: &[u8; 16] = b"0123456789abcdef";
    if n == i32::MIN {
        n = i32::MIN + 1;
    }
    if n < 0 {
        n = -n;
        digits = b"0123456789ABCDEF";
    }
    let n = n.min(8) as usize;
    let mut buf = [0u8; 8];
    for i in (0..n).rev() {
        buf[i] = digits[(b & 15) as usize];
        b >>= 4;
    }
    l.push_bytes(&buf[..n]);
    Ok(1)
}

lua_function!(TOBIT => tobit);
lua_function!(BNOT => bnot);
lua_function!(BAND => band);
lua_function!(BOR => bor);
lua_function!(BXOR => bxor);
lua_function!(LSHIFT => lshift);
lua_function!(RSHIFT => rshift);
lua_function!(ARSHIFT => arshift);
lua_function!(ROL => rol);
lua_function!(ROR => ror);
lua_function!(BSWAP => bswap);
lua_function!(TOHEX => tohex);

/// Registers the `bit` table.
pub fn open(l: &mut Lua) {
    super::register(
        l,
        b"bit",
        &[
            (b"tobit", TOBIT),
            (b"bnot", BNOT),
            (b"band", BAND),
            (b"bor", BOR),
            (b"bxor", BXOR),
            (b"lshift", LSHIFT),
            (b"rshift", RSHIFT),
            (b"arshift", ARSHIFT),
            (b"rol", ROL),
            (b"ror", ROR),
            (b"bswap", BSWAP),
            (b"tohex", TOHEX),
        ],
    );
}
