//! `bit`: LuaBitOp's 32-bit operations (lua_bit.c). Numbers are turned
//! into 32-bit integers by the 2^52+2^51 trick, so fractions round to
//! nearest-even and out-of-range values wrap.

use super::super::lua::{self, State};
use mlua::ffi;
use std::os::raw::c_int;

/// The argument at `idx` as 32 bits (`barg`); raises on non-numbers.
unsafe fn barg(l: State, idx: c_int) -> u32 {
    let n = ffi::lua_tonumber(l, idx) + 6755399441055744.0;
    let b = n.to_bits() as u32;
    if b == 0 && ffi::lua_isnumber(l, idx) == 0 {
        let msg = lua::type_error_msg(l, idx, "number");
        lua::raise_owned(l, msg);
    }
    b
}

unsafe fn ret(l: State, b: u32) -> c_int {
    ffi::lua_pushnumber(l, f64::from(b as i32));
    1
}

unsafe extern "C-unwind" fn tobit(l: State) -> c_int {
    // SAFETY (all functions here): called by Lua with its state.
    ret(l, barg(l, 1))
}

unsafe extern "C-unwind" fn bnot(l: State) -> c_int {
    ret(l, !barg(l, 1))
}

unsafe fn fold(l: State, op: fn(u32, u32) -> u32) -> c_int {
    let mut b = barg(l, 1);
    let mut i = ffi::lua_gettop(l);
    while i > 1 {
        b = op(b, barg(l, i));
        i -= 1;
    }
    ret(l, b)
}

unsafe extern "C-unwind" fn band(l: State) -> c_int {
    fold(l, |a, b| a & b)
}

unsafe extern "C-unwind" fn bor(l: State) -> c_int {
    fold(l, |a, b| a | b)
}

unsafe extern "C-unwind" fn bxor(l: State) -> c_int {
    fold(l, |a, b| a ^ b)
}

unsafe fn shift(l: State, op: fn(u32, u32) -> u32) -> c_int {
    let b = barg(l, 1);
    let n = barg(l, 2) & 31;
    ret(l, op(b, n))
}

unsafe extern "C-unwind" fn lshift(l: State) -> c_int {
    shift(l, |b, n| b << n)
}

unsafe extern "C-unwind" fn rshift(l: State) -> c_int {
    shift(l, |b, n| b >> n)
}

unsafe extern "C-unwind" fn arshift(l: State) -> c_int {
    shift(l, |b, n| ((b as i32) >> n) as u32)
}

unsafe extern "C-unwind" fn rol(l: State) -> c_int {
    shift(l, |b, n| b.rotate_left(n))
}

unsafe extern "C-unwind" fn ror(l: State) -> c_int {
    shift(l, |b, n| b.rotate_right(n))
}

unsafe extern "C-unwind" fn bswap(l: State) -> c_int {
    ret(l, barg(l, 1).swap_bytes())
}

unsafe extern "C-unwind" fn tohex(l: State) -> c_int {
    let mut b = barg(l, 1);
    let mut n: i32 = if ffi::lua_type(l, 2) == ffi::LUA_TNONE {
        8
    } else {
        barg(l, 2) as i32
    };
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
    lua::push_bytes(l, &buf[..n]);
    1
}

/// Registers the `bit` table.
pub unsafe fn open(l: State) {
    super::register(
        l,
        b"bit",
        &[
            (b"tobit", tobit),
            (b"bnot", bnot),
            (b"band", band),
            (b"bor", bor),
            (b"bxor", bxor),
            (b"lshift", lshift),
            (b"rshift", rshift),
            (b"arshift", arshift),
            (b"rol", rol),
            (b"ror", ror),
            (b"bswap", bswap),
            (b"tohex", tohex),
        ],
    );
}
