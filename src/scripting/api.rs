//! The `redis` table scripts see (script_lua.c, eval.c): `redis.call`,
//! `pcall`, `error_reply`, `status_reply`, `sha1hex`, `log`, `setresp`,
//! `set_repl`, the debugger stubs, plus our `pcall` and `math.random`.
//!
//! Each is a safe body behind a `lua_function!` trampoline (see
//! `capi.rs`): errors are returned as `LuaRaise` and raised only after
//! the body's values are dropped.

use super::capi::{lua_function, Lua, LuaRaise, Value};
use super::lua;
use super::{current_run, PROPAGATE_AOF, PROPAGATE_REPL};
use mlua::ffi;
use std::cell::Cell;
use std::os::raw::c_int;

/// Fills the `redis` table at `t` for an interpreter of `kind`.
pub fn register_redis_api(l: &mut Lua, t: c_int, kind: lua::VmKind) {
    let t = l.abs_index(t);
    lua::set_cfunction(l, t, b"call", REDIS_CALL);
    lua::set_cfunction(l, t, b"pcall", REDIS_PCALL_CMD);
    register_log_and_version(l, t);
    lua::set_cfunction(l, t, b"setresp", SET_RESP);
    lua::set_cfunction(l, t, b"sha1hex", SHA1HEX);
    lua::set_cfunction(l, t, b"error_reply", ERROR_REPLY);
    lua::set_cfunction(l, t, b"status_reply", STATUS_REPLY);
    lua::set_cfunction(l, t, b"set_repl", SET_REPL);
    lua::set_number(l, t, b"REPL_NONE", 0.0);
    lua::set_number(l, t, b"REPL_AOF", f64::from(PROPAGATE_AOF));
    lua::set_number(l, t, b"REPL_SLAVE", f64::from(PROPAGATE_REPL));
    lua::set_number(l, t, b"REPL_REPLICA", f64::from(PROPAGATE_REPL));
    lua::set_number(l, t, b"REPL_ALL", f64::from(PROPAGATE_AOF | PROPAGATE_REPL));
    lua::set_cfunction(l, t, b"acl_check_cmd", ACL_CHECK_CMD);
    if kind == lua::VmKind::Eval {
        lua::set_cfunction(l, t, b"breakpoint", BREAKPOINT);
        lua::set_cfunction(l, t, b"debug", DEBUG);
        lua::set_cfunction(l, t, b"replicate_commands", REPLICATE_COMMANDS);
    }
}

/// `redis.log`, the `LOG_*` levels and the version fields.
pub fn register_log_and_version(l: &mut Lua, t: c_int) {
    let t = l.abs_index(t);
    lua::set_cfunction(l, t, b"log", LOG);
    lua::set_number(l, t, b"LOG_DEBUG", 0.0);
    lua::set_number(l, t, b"LOG_VERBOSE", 1.0);
    lua::set_number(l, t, b"LOG_NOTICE", 2.0);
    lua::set_number(l, t, b"LOG_WARNING", 3.0);
    lua::register_version(l, t);
}

/// How converting the arguments of a redis lib call went.
enum Args {
    Ok(Vec<Vec<u8>>),
    NotStrings,
}

/// The arguments as command argv (`luaArgsToRedisArgv`); pops them.
fn take_args(l: &mut Lua, argc: c_int) -> Args {
    let mut argv = Vec::with_capacity(argc as usize);
    for j in 1..=argc {
        match l.value(j) {
            Value::Number(n) => {
                let mut s = Vec::with_capacity(24);
                lua::number_arg(n, &mut s);
                argv.push(s);
            }
            Value::Str(b) => argv.push(b.to_vec()),
            _ => break,
        }
    }
    l.set_top(0);
    if argv.len() != argc as usize {
        return Args::NotStrings;
    }
    Args::Ok(argv)
}

/// Runs the command and pushes its converted reply; true when that reply
/// is an error.
fn call_and_push(l: &mut Lua, argv: Vec<Vec<u8>>) -> bool {
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
    // The command is server code: a panic in it ends the process even
    // though this body's own panics become Lua errors.
    let res = crate::debug::crash::fatal_panics(|| super::script_call(run, &argv));
    run.in_call.set(false);
    drop(argv);
    match res {
        Err(e) => {
            lua::push_error_table(l, &e);
            lua::mark_error_counted(l);
            true
        }
        Ok(reply) => {
            let base = l.top();
            let mut pos = 0;
            if lua::push_resp(l, &reply, &mut pos, true, 0).is_err() {
                l.set_top(base);
                lua::push_error_table(l, b"reached lua stack limit");
                return true;
            }
            if super::ldb::logging() {
                super::ldb::log_reply(&reply);
            }
            reply.first() == Some(&b'-')
        }
    }
}

/// The body shared by `redis.call` (raises) and `redis.pcall` (returns
/// the error table).
fn generic_call(l: &mut Lua, raise: bool) -> Result<c_int, LuaRaise> {
    if current_run().is_none() {
        return Err(LuaRaise::table(
            b"redis.call/pcall can only be called inside a script invocation".as_slice(),
        ));
    }
    let argc = l.top();
    if argc == 0 {
        lua::push_error_table(l, b"Please specify at least one argument for this redis lib call");
        return if raise { Err(LuaRaise::Top) } else { Ok(1) };
    }
    let is_err = match take_args(l, argc) {
        Args::NotStrings => {
            lua::push_error_table(l, b"Lua redis lib command arguments must be strings or integers");
            true
        }
        Args::Ok(argv) => call_and_push(l, argv),
    };
    if raise && is_err {
        return Err(LuaRaise::Top);
    }
    Ok(1)
}

/// `redis.call(cmd, ...)`
fn redis_call(l: &mut Lua) -> Result<c_int, LuaRaise> {
    generic_call(l, true)
}

/// `redis.pcall(cmd, ...)`
fn redis_pcall_cmd(l: &mut Lua) -> Result<c_int, LuaRaise> {
    generic_call(l, false)
}

/// Our `pcall` (`luaRedisPcall`): an error table is returned as its `err`
/// string, as older Redis versions did.
fn redis_pcall(l: &mut Lua) -> Result<c_int, LuaRaise> {
    if l.top() == 0 {
        // Nothing to call: what calling the empty slot does in Redis.
        l.push_nil();
    }
    let argc = l.top();
    l.push_bool(true);
    l.insert(1);
    if l.pcall(argc - 1, ffi::LUA_MULTRET, 0) != 0 {
        l.remove(1);
        if l.type_of(-1) == ffi::LUA_TTABLE {
            // `err` may come from an __index metamethod, which may raise.
            l.get_field_protected(-1, b"err")?;
            if l.is_string(-1) {
                l.replace(-2);
            }
        }
        l.push_bool(false);
        l.insert(1);
    }
    Ok(l.top())
}

/// `redis.sha1hex(s)`
fn sha1hex(l: &mut Lua) -> Result<c_int, LuaRaise> {
    if l.top() != 1 {
        return Err(LuaRaise::table(b"wrong number of arguments".as_slice()));
    }
    let hex = super::sha1hex(l.to_bytes(1).unwrap_or_default());
    l.push_bytes(&hex);
    Ok(1)
}

/// `redis.error_reply(msg)`
fn error_reply(l: &mut Lua) -> Result<c_int, LuaRaise> {
    if l.top() != 1 || l.type_of(-1) != ffi::LUA_TSTRING {
        lua::push_error_table(l, b"wrong number or type of arguments");
        return Ok(1);
    }
    let s = l.to_bytes(-1).unwrap_or_default();
    let s = &s[..s.iter().position(|&c| c == 0).unwrap_or(s.len())];
    let mut text = Vec::with_capacity(s.len() + 1);
    if s.first() != Some(&b'-') {
        text.push(b'-');
    }
    text.extend_from_slice(s);
    lua::push_error_table(l, &text);
    Ok(1)
}

/// `redis.status_reply(msg)`
fn status_reply(l: &mut Lua) -> Result<c_int, LuaRaise> {
    if l.top() != 1 || l.type_of(-1) != ffi::LUA_TSTRING {
        lua::push_error_table(l, b"wrong number or type of arguments");
        return Ok(1);
    }
    l.create_table(0, 1);
    l.push_bytes(b"ok");
    l.push_value(-3);
    l.raw_set(-3);
    Ok(1)
}

/// `redis.set_repl(flags)`
fn set_repl(l: &mut Lua) -> Result<c_int, LuaRaise> {
    let Some(run) = current_run() else {
        return Err(LuaRaise::table(
            b"redis.set_repl can only be called inside a script invocation".as_slice(),
        ));
    };
    if l.top() != 1 {
        return Err(LuaRaise::table(b"redis.set_repl() requires two arguments.".as_slice()));
    }
    let flags = l.to_number(-1) as i32;
    if flags & !i32::from(PROPAGATE_AOF | PROPAGATE_REPL) != 0 {
        return Err(LuaRaise::table(
            b"Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.".as_slice(),
        ));
    }
    run.repl_flags.set(flags as u8);
    Ok(0)
}

/// `redis.setresp(2|3)`
fn set_resp(l: &mut Lua) -> Result<c_int, LuaRaise> {
    let Some(run) = current_run() else {
        return Err(LuaRaise::table(
            b"redis.setresp can only be called inside a script invocation".as_slice(),
        ));
    };
    if l.top() != 1 {
        return Err(LuaRaise::table(b"redis.setresp() requires one argument.".as_slice()));
    }
    let resp = l.to_number(1) as i32;
    if resp != 2 && resp != 3 {
        return Err(LuaRaise::table(b"RESP version must be 2 or 3.".as_slice()));
    }
    // SAFETY: RUN is set, so the fake client is alive for the run, and
    // nothing else borrows it while Lua code executes.
    unsafe { (*run.fake).reply.resp = resp as u8 };
    Ok(0)
}

/// `redis.log(level, ...)`
fn log_cmd(l: &mut Lua) -> Result<c_int, LuaRaise> {
    let argc = l.top();
    if argc < 2 {
        return Err(LuaRaise::table(b"redis.log() requires two arguments or more.".as_slice()));
    }
    if !l.is_number(1) {
        return Err(LuaRaise::table(b"First argument must be a number (log level).".as_slice()));
    }
    let level = l.to_number(1) as i32;
    if !(0..=3).contains(&level) {
        return Err(LuaRaise::table(b"Invalid debug level.".as_slice()));
    }
    let lvl = match level {
        0 => log::Level::Trace,
        1 => log::Level::Debug,
        2 => log::Level::Info,
        _ => log::Level::Warn,
    };
    if lvl > log::max_level() {
        return Ok(0);
    }
    let mut msg = Vec::new();
    for j in 2..=argc {
        if let Some(s) = l.to_bytes(j) {
            if j != 2 {
                msg.push(b' ');
            }
            msg.extend_from_slice(s);
        }
    }
    log::log!(lvl, "{}", String::from_utf8_lossy(&msg));
    Ok(0)
}

/// `redis.acl_check_cmd(cmd, ...)`: whether the script's caller could run
/// the command (checked like the command gate does, without logging).
fn acl_check_cmd(l: &mut Lua) -> Result<c_int, LuaRaise> {
    let Some(run) = current_run() else {
        return Err(LuaRaise::table(
            b"redis.acl_check_cmd can only be called inside a script invocation".as_slice(),
        ));
    };
    let argc = l.top();
    if argc == 0 {
        return Err(LuaRaise::table(
            b"Please specify at least one argument for this redis lib call".as_slice(),
        ));
    }
    let found = match take_args(l, argc) {
        Args::NotStrings => None,
        Args::Ok(argv) => {
            let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
            // SAFETY: RUN is set, so the server and the caller are alive;
            // only the command table, the users and the caller's user are
            // read.
            let (srv, user) = unsafe { (&*run.srv, (*run.caller).user) };
            Some(srv.cmds.lookup(&refs).map(|cmd| srv.acl.check(user, cmd, &refs).is_ok()))
        }
    };
    match found {
        None => Err(LuaRaise::table(
            b"Lua redis lib command arguments must be strings or integers".as_slice(),
        )),
        Some(None) => Err(LuaRaise::table(b"Invalid command passed to redis.acl_check_cmd()".as_slice())),
        Some(Some(allowed)) => {
            l.push_bool(allowed);
            Ok(1)
        }
    }
}

/// `redis.breakpoint()`: stops in the debugger; false outside it.
fn breakpoint(l: &mut Lua) -> Result<c_int, LuaRaise> {
    if super::ldb::active() {
        super::ldb::set_lua_breakpoint();
        l.push_bool(true);
    } else {
        l.push_bool(false);
    }
    Ok(1)
}

/// `redis.debug(...)`: logs its arguments in the debugger console;
/// nothing outside it.
fn debug(l: &mut Lua) -> Result<c_int, LuaRaise> {
    if super::ldb::active() {
        super::ldb::debug_values(l);
    }
    Ok(0)
}

/// `redis.replicate_commands()`: always true since Redis 7.0.
fn replicate_commands(l: &mut Lua) -> Result<c_int, LuaRaise> {
    l.push_bool(true);
    Ok(1)
}

lua_function!(REDIS_CALL => redis_call);
lua_function!(REDIS_PCALL_CMD => redis_pcall_cmd);
lua_function!(pub REDIS_PCALL => redis_pcall);
lua_function!(SHA1HEX => sha1hex);
lua_function!(ERROR_REPLY => error_reply);
lua_function!(STATUS_REPLY => status_reply);
lua_function!(SET_REPL => set_repl);
lua_function!(SET_RESP => set_resp);
lua_function!(LOG => log_cmd);
lua_function!(ACL_CHECK_CMD => acl_check_cmd);
lua_function!(BREAKPOINT => breakpoint);
lua_function!(DEBUG => debug);
lua_function!(REPLICATE_COMMANDS => replicate_commands);

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
fn math_random(l: &mut Lua) -> Result<c_int, LuaRaise> {
    if current_run().is_none() {
        return Err(LuaRaise::msg(
            b"math.random can only be called inside a script invocation".as_slice(),
        ));
    }
    let r = (i64::from(lrand48()) % RAND48_MAX) as f64 / RAND48_MAX as f64;
    match l.top() {
        0 => l.push_number(r),
        1 => {
            let u = l.check_integer(1)? as i32;
            if u < 1 {
                return Err(l.arg_error(1, "interval is empty"));
            }
            l.push_number((r * f64::from(u)).floor() + 1.0);
        }
        2 => {
            let lo = l.check_integer(1)? as i32;
            let up = l.check_integer(2)? as i32;
            if lo > up {
                return Err(l.arg_error(2, "interval is empty"));
            }
            l.push_number((r * (f64::from(up) - f64::from(lo) + 1.0)).floor() + f64::from(lo));
        }
        _ => return Err(LuaRaise::msg(b"wrong number of arguments".as_slice())),
    }
    Ok(1)
}

/// `math.randomseed(n)`
fn math_randomseed(l: &mut Lua) -> Result<c_int, LuaRaise> {
    if current_run().is_none() {
        return Err(LuaRaise::msg(
            b"math.randomseed can only be called inside a script invocation".as_slice(),
        ));
    }
    srand48(l.check_integer(1)? as i32);
    Ok(0)
}

/// `redis.register_function(...)` (only during FUNCTION LOAD).
fn register_function(l: &mut Lua) -> Result<c_int, LuaRaise> {
    super::function::register_function_from_lua(l).map_err(LuaRaise::table)?;
    Ok(0)
}

lua_function!(pub MATH_RANDOM => math_random);
lua_function!(pub MATH_RANDOMSEED => math_randomseed);
lua_function!(pub REGISTER_FUNCTION => register_function);

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
