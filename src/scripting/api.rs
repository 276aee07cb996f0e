//! The `redis` table scripts see (script_lua.c, eval.c): `redis.call`,
//! `pcall`, `error_reply`, `status_reply`, `sha1hex`, `log`, `setresp`,
//! `set_repl`, the debugger stubs, plus our `pcall` and `math.random`.
//!
//! These are C functions called by Lua; see `lua.rs` for the rule on
//! raising errors without live Rust destructors.

use super::lua::{self, State};
use super::{current_run, PROPAGATE_AOF, PROPAGATE_REPL};
use mlua::ffi;
use std::cell::Cell;
use std::os::raw::c_int;

/// Fills the `redis` table at `t` for an interpreter of `kind`.
pub unsafe fn register_redis_api(l: State, t: c_int, kind: lua::VmKind) {
    lua::set_cfunction(l, t, b"call", redis_call);
    lua::set_cfunction(l, t, b"pcall", redis_pcall_cmd);
    register_log_and_version(l, t);
    lua::set_cfunction(l, t, b"setresp", set_resp);
    lua::set_cfunction(l, t, b"sha1hex", sha1hex);
    lua::set_cfunction(l, t, b"error_reply", error_reply);
    lua::set_cfunction(l, t, b"status_reply", status_reply);
    lua::set_cfunction(l, t, b"set_repl", set_repl);
    lua::set_number(l, t, b"REPL_NONE", 0.0);
    lua::set_number(l, t, b"REPL_AOF", f64::from(PROPAGATE_AOF));
    lua::set_number(l, t, b"REPL_SLAVE", f64::from(PROPAGATE_REPL));
    lua::set_number(l, t, b"REPL_REPLICA", f64::from(PROPAGATE_REPL));
    lua::set_number(l, t, b"REPL_ALL", f64::from(PROPAGATE_AOF | PROPAGATE_REPL));
    lua::set_cfunction(l, t, b"acl_check_cmd", acl_check_cmd);
    if kind == lua::VmKind::Eval {
        lua::set_cfunction(l, t, b"breakpoint", breakpoint);
        lua::set_cfunction(l, t, b"debug", debug);
        lua::set_cfunction(l, t, b"replicate_commands", replicate_commands);
    }
}

/// `redis.log`, the `LOG_*` levels and the version fields.
pub unsafe fn register_log_and_version(l: State, t: c_int) {
    lua::set_cfunction(l, t, b"log", log_cmd);
    lua::set_number(l, t, b"LOG_DEBUG", 0.0);
    lua::set_number(l, t, b"LOG_VERBOSE", 1.0);
    lua::set_number(l, t, b"LOG_NOTICE", 2.0);
    lua::set_number(l, t, b"LOG_WARNING", 3.0);
    lua::register_version(l, t);
}

/// Raises the error table for `text` (from `redis.*` functions).
unsafe fn raise_table(l: State, text: &[u8]) -> ! {
    lua::push_error_table(l, text);
    ffi::lua_error(l)
}

/// How converting the arguments of a redis lib call went.
enum Args {
    Ok(Vec<Vec<u8>>),
    NotStrings,
}

/// The arguments as command argv (`luaArgsToRedisArgv`); pops them.
unsafe fn take_args(l: State, argc: c_int) -> Args {
    let mut argv = Vec::with_capacity(argc as usize);
    for j in 1..=argc {
        if ffi::lua_type(l, j) == ffi::LUA_TNUMBER {
            let mut s = Vec::with_capacity(24);
            lua::number_arg(ffi::lua_tonumber(l, j), &mut s);
            argv.push(s);
        } else {
            match lua::to_bytes(l, j) {
                Some(b) => argv.push(b.to_vec()),
                None => break,
            }
        }
    }
    ffi::lua_settop(l, 0);
    if argv.len() != argc as usize {
        return Args::NotStrings;
    }
    Args::Ok(argv)
}

/// Runs the command and pushes its converted reply; true when that reply
/// is an error.
unsafe fn call_and_push(l: State, argv: Vec<Vec<u8>>) -> bool {
    let Some(run) = current_run() else {
        lua::push_error_table(l, b"redis.call/pcall can only be called inside a script invocation");
        return true;
    };
    if run.in_call.get() {
        let msg = b"luaRedisGenericCommand() recursive call detected. Are you doing funny stuff with Lua debug hooks?";
        log::warn!("{}", String::from_utf8_lossy(msg));
        lua::push_error_table(l, msg);
        return false;
    }
    run.in_call.set(true);
    if super::ldb::logging() {
        super::ldb::log_command(&argv);
    }
    let res = super::script_call(run, &argv);
    run.in_call.set(false);
    drop(argv);
    match res {
        Err(e) => {
            lua::push_error_table(l, &e);
            lua::mark_error_counted(l);
            true
        }
        Ok(reply) => {
            let mut pos = 0;
            lua::push_resp(l, &reply, &mut pos, true);
            if super::ldb::logging() {
                super::ldb::log_reply(&reply);
            }
            reply.first() == Some(&b'-')
        }
    }
}

/// The body shared by `redis.call` (raises) and `redis.pcall` (returns
/// the error table).
unsafe fn generic_call(l: State, raise: bool) -> c_int {
    if current_run().is_none() {
        raise_table(l, b"redis.call/pcall can only be called inside a script invocation");
    }
    let argc = ffi::lua_gettop(l);
    if argc == 0 {
        lua::push_error_table(l, b"Please specify at least one argument for this redis lib call");
        if raise {
            ffi::lua_error(l);
        }
        return 1;
    }
    let is_err = match take_args(l, argc) {
        Args::NotStrings => {
            lua::push_error_table(l, b"Lua redis lib command arguments must be strings or integers");
            true
        }
        Args::Ok(argv) => call_and_push(l, argv),
    };
    if raise && is_err {
        ffi::lua_error(l);
    }
    1
}

/// `redis.call(cmd, ...)`
pub unsafe extern "C-unwind" fn redis_call(l: State) -> c_int {
    // SAFETY: called by Lua with its state.
    generic_call(l, true)
}

/// `redis.pcall(cmd, ...)`
pub unsafe extern "C-unwind" fn redis_pcall_cmd(l: State) -> c_int {
    // SAFETY: called by Lua with its state.
    generic_call(l, false)
}

/// Our `pcall` (`luaRedisPcall`): an error table is returned as its `err`
/// string, as older Redis versions did.
pub unsafe extern "C-unwind" fn redis_pcall(l: State) -> c_int {
    // SAFETY: called by Lua with its state; lua_pcall protects the call.
    let argc = ffi::lua_gettop(l);
    ffi::lua_pushboolean(l, 1);
    ffi::lua_insert(l, 1);
    if ffi::lua_pcall(l, argc - 1, ffi::LUA_MULTRET, 0) != 0 {
        ffi::lua_remove(l, 1);
        if ffi::lua_type(l, -1) == ffi::LUA_TTABLE {
            ffi::lua_getfield_(l, -1, c"err".as_ptr());
            if ffi::lua_isstring(l, -1) != 0 {
                ffi::lua_replace(l, -2);
            }
        }
        ffi::lua_pushboolean(l, 0);
        ffi::lua_insert(l, 1);
    }
    ffi::lua_gettop(l)
}

/// `redis.sha1hex(s)`
unsafe extern "C-unwind" fn sha1hex(l: State) -> c_int {
    // SAFETY: called by Lua with its state.
    if ffi::lua_gettop(l) != 1 {
        raise_table(l, b"wrong number of arguments");
    }
    let hex = super::sha1hex(lua::to_bytes(l, 1).unwrap_or_default());
    lua::push_bytes(l, &hex);
    1
}

/// `redis.error_reply(msg)`
unsafe extern "C-unwind" fn error_reply(l: State) -> c_int {
    // SAFETY: called by Lua with its state.
    if ffi::lua_gettop(l) != 1 || ffi::lua_type(l, -1) != ffi::LUA_TSTRING {
        lua::push_error_table(l, b"wrong number or type of arguments");
        return 1;
    }
    let s = lua::to_bytes(l, -1).unwrap_or_default();
    let s = &s[..s.iter().position(|&c| c == 0).unwrap_or(s.len())];
    let mut text = Vec::with_capacity(s.len() + 1);
    if s.first() != Some(&b'-') {
        text.push(b'-');
    }
    text.extend_from_slice(s);
    lua::push_error_table(l, &text);
    1
}

/// `redis.status_reply(msg)`
unsafe extern "C-unwind" fn status_reply(l: State) -> c_int {
    // SAFETY: called by Lua with its state.
    if ffi::lua_gettop(l) != 1 || ffi::lua_type(l, -1) != ffi::LUA_TSTRING {
        lua::push_error_table(l, b"wrong number or type of arguments");
        return 1;
    }
    ffi::lua_createtable(l, 0, 1);
    lua::push_bytes(l, b"ok");
    ffi::lua_pushvalue(l, -3);
    ffi::lua_rawset(l, -3);
    1
}

/// `redis.set_repl(flags)`
unsafe extern "C-unwind" fn set_repl(l: State) -> c_int {
    // SAFETY: called by Lua with its state.
    let Some(run) = current_run() else {
        raise_table(l, b"redis.set_repl can only be called inside a script invocation");
    };
    if ffi::lua_gettop(l) != 1 {
        raise_table(l, b"redis.set_repl() requires two arguments.");
    }
    let flags = ffi::lua_tonumber(l, -1) as i32;
    if flags & !i32::from(PROPAGATE_AOF | PROPAGATE_REPL) != 0 {
        raise_table(l, b"Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    }
    run.repl_flags.set(flags as u8);
    0
}

/// `redis.setresp(2|3)`
unsafe extern "C-unwind" fn set_resp(l: State) -> c_int {
    // SAFETY: called by Lua with its state; the fake client is alive for
    // the run and not otherwise borrowed while Lua code executes.
    let Some(run) = current_run() else {
        raise_table(l, b"redis.setresp can only be called inside a script invocation");
    };
    if ffi::lua_gettop(l) != 1 {
        raise_table(l, b"redis.setresp() requires one argument.");
    }
    let resp = ffi::lua_tonumber(l, 1) as i32;
    if resp != 2 && resp != 3 {
        raise_table(l, b"RESP version must be 2 or 3.");
    }
    (*run.fake).reply.resp = resp as u8;
    0
}

/// `redis.log(level, ...)`
unsafe extern "C-unwind" fn log_cmd(l: State) -> c_int {
    // SAFETY: called by Lua with its state.
    let argc = ffi::lua_gettop(l);
    if argc < 2 {
        raise_table(l, b"redis.log() requires two arguments or more.");
    }
    if ffi::lua_isnumber(l, 1) == 0 {
        raise_table(l, b"First argument must be a number (log level).");
    }
    let level = ffi::lua_tonumber(l, 1) as i32;
    if !(0..=3).contains(&level) {
        raise_table(l, b"Invalid debug level.");
    }
    let lvl = match level {
        0 => log::Level::Trace,
        1 => log::Level::Debug,
        2 => log::Level::Info,
        _ => log::Level::Warn,
    };
    if lvl > log::max_level() {
        return 0;
    }
    let mut msg = Vec::new();
    for j in 2..=argc {
        if let Some(s) = lua::to_bytes(l, j) {
            if j != 2 {
                msg.push(b' ');
            }
            msg.extend_from_slice(s);
        }
    }
    log::log!(lvl, "{}", String::from_utf8_lossy(&msg));
    0
}

/// `redis.acl_check_cmd(cmd, ...)`: every command is allowed to the
/// default user, which is the only user.
unsafe extern "C-unwind" fn acl_check_cmd(l: State) -> c_int {
    // SAFETY: called by Lua with its state.
    let Some(run) = current_run() else {
        raise_table(l, b"redis.acl_check_cmd can only be called inside a script invocation");
    };
    let argc = ffi::lua_gettop(l);
    if argc == 0 {
        raise_table(l, b"Please specify at least one argument for this redis lib call");
    }
    let found = match take_args(l, argc) {
        Args::NotStrings => None,
        Args::Ok(argv) => {
            let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
            Some((*run.srv).cmds.lookup(&refs).is_some())
        }
    };
    match found {
        None => raise_table(l, b"Lua redis lib command arguments must be strings or integers"),
        Some(false) => raise_table(l, b"Invalid command passed to redis.acl_check_cmd()"),
        Some(true) => ffi::lua_pushboolean(l, 1),
    }
    1
}

/// `redis.breakpoint()`: stops in the debugger; false outside it.
unsafe extern "C-unwind" fn breakpoint(l: State) -> c_int {
    // SAFETY: called by Lua with its state.
    if super::ldb::active() {
        super::ldb::set_lua_breakpoint();
        ffi::lua_pushboolean(l, 1);
    } else {
        ffi::lua_pushboolean(l, 0);
    }
    1
}

/// `redis.debug(...)`: logs its arguments in the debugger console;
/// nothing outside it.
unsafe extern "C-unwind" fn debug(l: State) -> c_int {
    // SAFETY: called by Lua with its state.
    if super::ldb::active() {
        super::ldb::debug_values(l);
    }
    0
}

/// `redis.replicate_commands()`: always true since Redis 7.0.
unsafe extern "C-unwind" fn replicate_commands(l: State) -> c_int {
    // SAFETY: called by Lua with its state.
    ffi::lua_pushboolean(l, 1);
    1
}

// ------------------------------------------------------------ math.random

thread_local! {
    /// The rand48 state shared by every script (`redisLrand48`).
    static RAND48: Cell<u64> = const { Cell::new(0x1234_ABCD_330E) };
}

const RAND48_MAX: i64 = i32::MAX as i64;

fn lrand48() -> i32 {
    RAND48.with(|s| {
        let x = s.get().wrapping_mul(0x5_DEEC_E66D).wrapping_add(0xB) & 0xFFFF_FFFF_FFFF;
        s.set(x);
        (x >> 17) as i32
    })
}

fn srand48(seed: i32) {
    RAND48.with(|s| s.set((((seed as u32) as u64) << 16) | 0x330E));
}

/// `math.random([m [, n]])` on top of rand48, so every platform gives the
/// same sequence.
pub unsafe extern "C-unwind" fn math_random(l: State) -> c_int {
    // SAFETY: called by Lua with its state; luaL_check* may raise, and no
    // Rust value with a destructor is alive here.
    if current_run().is_none() {
        lua::raise_str(l, b"math.random can only be called inside a script invocation");
    }
    let r = (i64::from(lrand48()) % RAND48_MAX) as f64 / RAND48_MAX as f64;
    match ffi::lua_gettop(l) {
        0 => ffi::lua_pushnumber(l, r),
        1 => {
            let u = ffi::luaL_checkinteger(l, 1) as i32;
            if u < 1 {
                ffi::luaL_argerror(l, 1, c"interval is empty".as_ptr());
            }
            ffi::lua_pushnumber(l, (r * f64::from(u)).floor() + 1.0);
        }
        2 => {
            let lo = ffi::luaL_checkinteger(l, 1) as i32;
            let up = ffi::luaL_checkinteger(l, 2) as i32;
            if lo > up {
                ffi::luaL_argerror(l, 2, c"interval is empty".as_ptr());
            }
            ffi::lua_pushnumber(l, (r * (f64::from(up) - f64::from(lo) + 1.0)).floor() + f64::from(lo));
        }
        _ => lua::raise_str(l, b"wrong number of arguments"),
    }
    1
}

/// `math.randomseed(n)`
pub unsafe extern "C-unwind" fn math_randomseed(l: State) -> c_int {
    // SAFETY: called by Lua with its state.
    if current_run().is_none() {
        lua::raise_str(l, b"math.randomseed can only be called inside a script invocation");
    }
    srand48(ffi::luaL_checkinteger(l, 1) as i32);
    0
}

/// `redis.register_function(...)` (only during FUNCTION LOAD).
pub unsafe extern "C-unwind" fn register_function(l: State) -> c_int {
    // SAFETY: called by Lua with its state; errors are raised after the
    // message is built and owned values are dropped.
    match super::function::register_function_from_lua(l) {
        Ok(()) => 0,
        Err(msg) => {
            lua::push_error_table(l, &msg);
            drop(msg);
            ffi::lua_error(l)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rand48_matches_libc() {
        // glibc: srand48(0) then lrand48() -> 366850414, 1610402000
        srand48(0);
        assert_eq!(lrand48(), 366850414);
        srand48(10);
        let a = lrand48();
        srand48(10);
        assert_eq!(lrand48(), a);
    }
}
