//! The libraries Redis adds to its Lua interpreter (deps/lua/src in
//! Redis): `bit` (LuaBitOp), `struct` (Roberto Ierusalimschy's struct),
//! `cjson` (lua-cjson) and `cmsgpack` (lua-cmsgpack), written in Rust
//! against the Lua C API with the same names, behaviour and errors.

pub mod bit;
pub mod cjson;
pub mod cmsgpack;
pub mod structlib;

use super::capi::{CFunction, Lua};
use super::lua;
use mlua::ffi;

/// A library function: its name and implementation.
pub type Reg = (&'static [u8], CFunction);

/// Creates a global table `name` holding `funcs`; leaves it on the stack.
pub fn register(l: &mut Lua, name: &[u8], funcs: &[Reg]) {
    l.create_table(0, funcs.len() as i32);
    let t = l.top();
    for (n, f) in funcs {
        lua::set_cfunction(l, t, n, *f);
    }
    l.push_value(t);
    l.raw_set_field(ffi::LUA_GLOBALSINDEX, name);
}

/// Opens every library into the globals.
pub fn open_all(l: &mut Lua) {
    cjson::open(l);
    l.set_top(0);
    structlib::open(l);
    l.set_top(0);
    cmsgpack::open(l);
    l.set_top(0);
    bit::open(l);
    l.set_top(0);
}
