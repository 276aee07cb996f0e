//! The libraries Redis adds to its Lua interpreter (deps/lua/src in
//! Redis): `bit` (LuaBitOp), `struct` (Roberto Ierusalimschy's struct),
//! `cjson` (lua-cjson) and `cmsgpack` (lua-cmsgpack), written in Rust
//! against the Lua C API with the same names, behaviour and errors.

pub mod bit;
pub mod cjson;
pub mod cmsgpack;
pub mod structlib;

use super::lua::{self, State};
use mlua::ffi;

/// A library function: its name and implementation.
pub type Reg = (&'static [u8], ffi::lua_CFunction);

/// Creates a global table `name` holding `funcs`; leaves it on the stack.
pub unsafe fn register(l: State, name: &[u8], funcs: &[Reg]) {
    ffi::lua_createtable(l, 0, funcs.len() as i32);
    let t = ffi::lua_gettop(l);
    for (n, f) in funcs {
        lua::set_cfunction(l, t, n, *f);
    }
    ffi::lua_pushvalue(l, t);
    lua::raw_set_field(l, ffi::LUA_GLOBALSINDEX, name);
}

/// Opens every library into the globals.
pub unsafe fn open_all(l: State) {
    cjson::open(l);
    ffi::lua_settop(l, 0);
    structlib::open(l);
    ffi::lua_settop(l, 0);
    cmsgpack::open(l);
    ffi::lua_settop(l, 0);
    bit::open(l);
    ffi::lua_settop(l, 0);
}
