//! Scripting: the parts EVAL and FUNCTION share (script.c). A script runs
//! inside the command that started it, on the event loop: `run` prepares
//! a run context, calls into Lua, and `script_call` runs the commands the
//! script issues through the same `call` as clients do, with a fake
//! client, after the checks Redis makes in `scriptCall`.
//!
//! While a script runs, the Lua count hook checks the busy threshold;
//! past it the loop keeps serving other clients (they get -BUSY, except
//! for SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE and a few others).
//!
//! `capi.rs` is the Lua C API behind a checked handle and the only place
//! Lua errors are raised from Rust (read its header before touching any
//! Lua C function), `lua.rs` the interpreter set-up and value conversions,
//! `api.rs` the `redis.*` functions, `eval.rs` EVAL/SCRIPT, `function.rs`
//! FUNCTION and FCALL, `ldb.rs` the debugger, `libs/` cjson, cmsgpack, bit
//! and struct.

// Unsafe operations inside `unsafe fn` need their own `unsafe {}` block
// and `// SAFETY:` note; almost everything goes through `capi::Lua`.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod api;
pub mod capi;
pub mod eval;
pub mod function;
pub mod ldb;
pub mod libs;
pub mod lua;

use crate::client::{flags as cf, Client};
use crate::commands::def::flags as f;
use crate::error::Error;
use crate::server::Server;
use capi::{lua_hook, Lua, LuaRaise};
use mlua::ffi;
use std::cell::Cell;
use std::os::raw::c_int;

/// Script flags (shebang `flags=` and `redis.register_function` flags).
pub mod sflags {
    pub const NO_WRITES: u64 = 1 << 0;
    pub const ALLOW_OOM: u64 = 1 << 1;
    pub const ALLOW_STALE: u64 = 1 << 2;
    pub const NO_CLUSTER: u64 = 1 << 3;
    /// An EVAL script without a shebang: legacy behaviour.
    pub const EVAL_COMPAT_MODE: u64 = 1 << 4;
    pub const ALLOW_CROSS_SLOT: u64 = 1 << 5;
}

/// Flag names, in Redis's order.
pub const FLAG_NAMES: &[(&str, u64)] = &[
    ("no-writes", sflags::NO_WRITES),
    ("allow-oom", sflags::ALLOW_OOM),
    ("allow-stale", sflags::ALLOW_STALE),
    ("no-cluster", sflags::NO_CLUSTER),
    ("allow-cross-slot-keys", sflags::ALLOW_CROSS_SLOT),
];

/// State of one run.
mod run_flags {
    pub const READ_ONLY: u32 = 1 << 0;
    pub const ALLOW_OOM: u32 = 1 << 1;
    pub const WRITE_DIRTY: u32 = 1 << 2;
    pub const TIMEDOUT: u32 = 1 << 3;
    pub const KILLED: u32 = 1 << 4;
    pub const EVAL_MODE: u32 = 1 << 5;
}
use run_flags as rf;

/// Propagation targets of `redis.set_repl`.
pub const PROPAGATE_AOF: u8 = 1;
pub const PROPAGATE_REPL: u8 = 2;

/// The running script (`scriptRunCtx`). Reached from Lua callbacks
/// through a thread-local pointer; only the event-loop thread runs Lua.
pub struct RunCtx {
    srv: *mut Server,
    caller: *mut Client,
    fake: *mut Client,
    flags: Cell<u32>,
    repl_flags: Cell<u8>,
    start_us: u64,
    /// The script's SHA (EVAL) or the function's name.
    pub funcname: Vec<u8>,
    /// The command that started it (FUNCTION STATS).
    pub caller_argv: Vec<Vec<u8>>,
    /// Whether `redis.call` is running a command (recursion guard).
    in_call: Cell<bool>,
    /// The keys the script declared (client tracking of its caller).
    keys: Vec<Vec<u8>>,
}

thread_local! {
    static RUN: Cell<*const RunCtx> = const { Cell::new(std::ptr::null()) };
}

/// The running script, if any.
pub fn current_run<'a>() -> Option<&'a RunCtx> {
    let p = RUN.with(|r| r.get());
    // SAFETY: RUN points at a RunCtx on the stack of `run`, set only for
    // the duration of the Lua call and cleared before it goes away.
    unsafe { p.as_ref() }
}

/// True while a script runs past the busy threshold (other clients get
/// -BUSY). The value says whether it is an EVAL script.
pub fn busy_script() -> Option<bool> {
    current_run()
        .filter(|r| r.flags.get() & rf::TIMEDOUT != 0)
        .map(|r| r.flags.get() & rf::EVAL_MODE != 0)
}

/// True while any script runs.
pub fn script_running() -> bool {
    current_run().is_some()
}

/// The -BUSY error for a command rejected while a script runs.
pub fn busy_error(eval: bool) -> Error {
    if eval {
        Error::err("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
    } else {
        Error::err("BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.")
    }
}

/// A cached EVAL script.
pub struct Script {
    pub body: Vec<u8>,
    pub flags: u64,
    /// The compiled function's registry reference in EVAL's interpreter.
    pub fref: c_int,
}

/// Everything scripting keeps in the server.
#[derive(Default)]
pub struct Scripting {
    /// EVAL's interpreter (created on first use, reset by SCRIPT FLUSH).
    pub eval_vm: Option<lua::Vm>,
    /// SHA1 (lower-case hex) -> script.
    pub scripts: std::collections::HashMap<Vec<u8>, Script>,
    pub scripts_mem: usize,
    /// The client scripts run commands with.
    pub fake: Option<Box<Client>>,
    /// DEBUG SET-DISABLE-DENY-SCRIPTS.
    pub disable_deny_script: bool,
    pub functions: function::Functions,
    /// Scripts run so far, for the periodic GC step.
    pub gc_count: u32,
}

impl Scripting {
    /// EVAL's interpreter, created if needed.
    pub fn eval_vm(&mut self, deprecated_api: bool) -> &mut lua::Vm {
        self.eval_vm.get_or_insert_with(|| lua::Vm::new(lua::VmKind::Eval, deprecated_api))
    }

    /// INFO's `used_memory_vm_eval`.
    pub fn eval_memory(&self) -> usize {
        self.eval_vm.as_ref().map_or(32 * 1024 - 1024, |v| v.memory())
    }

    /// INFO's `used_memory_scripts_eval`.
    pub fn scripts_memory(&self) -> usize {
        self.scripts_mem + self.scripts.len() * 64
    }
}

/// The SHA1 of `body` as 40 lower-case hex digits (`sha1hex`).
pub fn sha1hex(body: &[u8]) -> [u8; 40] {
    use sha1::{Digest, Sha1};
    let d = Sha1::digest(body);
    let mut out = [0u8; 40];
    const HEX: &[u8] = b"0123456789abcdef";
    for (j, b) in d.iter().enumerate() {
        out[j * 2] = HEX[(b >> 4) as usize];
        out[j * 2 + 1] = HEX[(b & 15) as usize];
    }
    out
}

/// Parses a `#!lua flags=...` first line (`evalExtractShebangFlags`).
/// Returns the flags and the length of the shebang line (kept out of the
/// compiled code except for its newline).
pub fn parse_shebang(body: &[u8]) -> Result<(u64, usize), String> {
    if !body.starts_with(b"#!") {
        return Ok((sflags::EVAL_COMPAT_MODE, 0));
    }
    let Some(end) = body.iter().position(|&c| c == b'\n') else {
        return Err("Invalid script shebang".into());
    };
    let parts = match crate::resp::parser::split_args(&body[..end]) {
        Some(p) if !p.is_empty() => p,
        _ => return Err("Invalid engine in script shebang".into()),
    };
    if parts[0] != b"#!lua" {
        return Err(format!(
            "Unexpected engine in script shebang: {}",
            String::from_utf8_lossy(&parts[0])
        ));
    }
    let mut flags = 0;
    for p in &parts[1..] {
        if let Some(list) = p.strip_prefix(b"flags=") {
            for name in list.split(|&c| c == b',') {
                if list.is_empty() {
                    break;
                }
                match FLAG_NAMES.iter().find(|(n, _)| n.as_bytes() == name) {
                    Some((_, fl)) => flags |= fl,
                    None => {
                        return Err(format!("Unexpected flag in script shebang: {}", String::from_utf8_lossy(name)));
                    }
                }
            }
        } else {
            return Err(format!("Unknown lua shebang option: {}", String::from_utf8_lossy(p)));
        }
    }
    Ok((flags, end))
}

/// Command flags of a script call as the gates see them
/// (`scriptFlagsToCmdFlags`).
pub fn script_flags_to_cmd_flags(cmd_flags: u64, script_flags: u64) -> u64 {
    let mut flags = cmd_flags & !(f::STALE | f::DENYOOM | f::WRITE);
    if script_flags & (sflags::ALLOW_OOM | sflags::NO_WRITES) == 0 {
        flags |= f::DENYOOM;
    }
    if script_flags & sflags::NO_WRITES == 0 {
        flags |= f::WRITE;
    }
    if script_flags & sflags::ALLOW_STALE != 0 {
        flags |= f::STALE;
    }
    flags & !f::MAY_REPLICATE
}

impl Server {
    /// The flags the gates use for a command: EVAL and FCALL take them
    /// from the script's declared flags (`getCommandFlags`).
    pub fn effective_command_flags(&self, cmd: &crate::commands::Command, argv: &[&[u8]]) -> u64 {
        use crate::commands::Kind;
        match cmd.kind {
            k if k.is_eval() => eval::eval_command_flags(self, cmd, argv),
            Kind::Fcall | Kind::FcallRo => function::fcall_command_flags(self, cmd, argv),
            _ => cmd.flags,
        }
    }
}

/// What the caller asked for, checked before running (`scriptPrepareForRun`).
fn prepare_checks(srv: &Server, script_flags: u64, ro: bool, obey: bool) -> Result<(), Error> {
    let running_stale =
        srv.is_replica() && srv.repl.link.state != crate::repl::replica::LinkState::Connected && !srv.cfg.replica_serve_stale_data;
    if script_flags & sflags::EVAL_COMPAT_MODE != 0 {
        // Scripts without a shebang: only the stale check.
        if running_stale {
            return Err(Error::MasterDown);
        }
        return Ok(());
    }
    if running_stale && script_flags & sflags::ALLOW_STALE == 0 {
        return Err(Error::err(
            "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.",
        ));
    }
    if script_flags & sflags::NO_WRITES == 0 {
        if srv.is_replica() && srv.cfg.replica_read_only && !obey {
            return Err(Error::err("READONLY Can not run script with write flag on readonly replica"));
        }
        if srv.writes_denied_by_disk_error() && !obey {
            return Err(Error::err(
                "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.",
            ));
        }
        if ro {
            return Err(Error::err("ERR Can not execute a script with write flag using *_ro command."));
        }
        if !srv.good_replicas_ok() {
            return Err(Error::NoReplicas);
        }
    }
    if srv.calls.oom_at_start && srv.cfg.maxmemory != 0 && script_flags & (sflags::ALLOW_OOM | sflags::NO_WRITES) == 0 {
        return Err(Error::err(
            "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'",
        ));
    }
    Ok(())
}

/// How a run ended, for the caller's reply.
pub struct RunOutcome {
    /// A script error that must not count in error stats again (it was
    /// counted when the failing command replied).
    pub error_uncounted: bool,
}

/// Which interpreter a run uses.
#[derive(Clone, Copy)]
pub enum Engine {
    Eval,
    Function,
}

/// Runs a compiled script (`luaCallFunction` with the preparation and
/// reset of script.c). `push_fn` pushes the function to call. The reply
/// goes to `caller`.
#[allow(clippy::too_many_arguments)]
pub fn run(
    srv: &mut Server,
    caller: &mut Client,
    engine: Engine,
    push_fn: &dyn Fn(&mut Lua),
    keys: &[&[u8]],
    args: &[&[u8]],
    funcname: Vec<u8>,
    script_flags: u64,
    ro: bool,
    caller_argv: Vec<Vec<u8>>,
) -> Result<RunOutcome, Error> {
    prepare_checks(srv, script_flags, ro, caller.must_obey())?;
    let deprecated = srv.cfg.lua_enable_deprecated_api;
    let raw = match engine {
        Engine::Eval => srv.scripting.eval_vm(deprecated).raw_state(),
        Engine::Function => srv.scripting.functions.vm(deprecated).raw_state(),
    };
    let mut fake = srv.scripting.fake.take().unwrap_or_else(|| {
        let mut c = Client::new(0, usize::MAX, None, "", srv.unixtime);
        c.authenticated = true;
        c.user = None;
        c.flags |= cf::SCRIPT;
        Box::new(c)
    });
    fake.db = caller.db;
    fake.reply.resp = 2;
    fake.reply.buf.clear();
    fake.reply.sent = 0;
    if caller.has(cf::MULTI) {
        fake.flags |= cf::MULTI;
    }
    let mut flags = 0;
    let compat = script_flags & sflags::EVAL_COMPAT_MODE != 0;
    if ro || (!compat && script_flags & sflags::NO_WRITES != 0) {
        flags |= rf::READ_ONLY;
    }
    if !compat && script_flags & sflags::ALLOW_OOM != 0 {
        flags |= rf::ALLOW_OOM;
    }
    if matches!(engine, Engine::Eval) {
        flags |= rf::EVAL_MODE;
    }
    let threshold = srv.cfg.busy_reply_threshold;
    let debugging = matches!(engine, Engine::Eval) && ldb::active();
    let ctx = RunCtx {
        srv: srv as *mut Server,
        caller: caller as *mut Client,
        fake: &mut *fake as *mut Client,
        flags: Cell::new(flags),
        repl_flags: Cell::new(PROPAGATE_AOF | PROPAGATE_REPL),
        start_us: crate::util::monotonic_us(),
        funcname,
        caller_argv,
        in_call: Cell::new(false),
        keys: if caller.has(cf::TRACKING) {
            keys.iter().map(|k| k.to_vec()).collect()
        } else {
            Vec::new()
        },
    };
    let mut outcome = RunOutcome { error_uncounted: false };
    let mut reply_errors = Vec::new();
    // From here until RUN is cleared, the server and the caller are only
    // reached through the raw pointers in `ctx`.
    RUN.with(|r| r.set(&ctx));
    let (failed, info) = {
        // SAFETY: `raw` is the live interpreter of this engine: it stays in
        // the server for the whole run (no command a script may run closes
        // it), only this thread uses it, and no other handle on its base
        // frame exists (the Vm is not borrowed).
        let mut l = unsafe { Lua::from_raw(raw) };
        let base = l.top();
        l.get_registry(lua::REG_ERROR_HANDLER);
        push_fn(&mut l);
        if debugging {
            l.set_hook(Some(ldb::LINE_HOOK), ffi::LUA_MASKLINE | ffi::LUA_MASKCOUNT, 100_000);
        } else if threshold > 0 {
            l.set_hook(Some(BUSY_HOOK), ffi::LUA_MASKCOUNT, 100_000);
        }
        let err = match engine {
            Engine::Eval => {
                lua::set_global_array(&mut l, b"KEYS", keys);
                lua::set_global_array(&mut l, b"ARGV", args);
                l.pcall(0, 1, base + 1)
            }
            Engine::Function => {
                lua::push_array(&mut l, keys);
                lua::push_array(&mut l, args);
                l.pcall(2, 1, base + 1)
            }
        };
        // SAFETY: RUN is set: these point at the live server, caller and
        // fake client, and no script code runs while they are used here.
        let (srv, caller, fake_resp) = unsafe { (&mut *ctx.srv, &mut *ctx.caller, (*ctx.fake).reply.resp) };
        srv.scripting.gc_count += 1;
        if srv.scripting.gc_count >= 50 {
            l.gc_step(50);
            srv.scripting.gc_count = 0;
        }
        let res = if err != 0 {
            let info = if l.type_of(-1) == ffi::LUA_TTABLE {
                Some(lua::error_info(&mut l, -1))
            } else {
                let msg = l.to_bytes(-1).map(|b| b.to_vec());
                let mut text = format!("ERR Error running script {}, ", String::from_utf8_lossy(&ctx.funcname)).into_bytes();
                let m = msg.unwrap_or_else(|| b"execution failure".to_vec());
                text.extend_from_slice(&m[..m.len().min(100)]);
                Some(lua::ErrorInfo {
                    msg: Some(text),
                    ..Default::default()
                })
            };
            (true, info)
        } else {
            lua::reply_from_lua(&mut l, &mut caller.reply, fake_resp, &mut reply_errors);
            (false, None)
        };
        if threshold > 0 || debugging {
            l.set_hook(None, 0, 0);
        }
        l.set_top(base);
        res
    };
    RUN.with(|r| r.set(std::ptr::null()));
    // Back to the references we were given.
    let timed_out = ctx.flags.get() & rf::TIMEDOUT != 0;
    let funcname = ctx.funcname;
    fake.flags &= !cf::MULTI;
    fake.reply.buf.clear();
    fake.reply.sent = 0;
    srv.scripting.fake = Some(fake);
    if timed_out {
        // Input that arrived for the caller while the script ran was not
        // read (its events went by); look at it again.
        srv.pending_read.push(caller.key);
    }
    for e in reply_errors {
        if e.count {
            srv.count_error(&String::from_utf8_lossy(&e.text));
        } else {
            outcome.error_uncounted = true;
        }
    }
    if failed {
        let info = info.unwrap_or_default();
        let mut text = info.msg.unwrap_or_else(|| b"ERR unknown error".to_vec());
        if let (Some(line), Some(source)) = (&info.line, &info.source) {
            text.extend_from_slice(b" script: ");
            text.extend_from_slice(&funcname);
            text.extend_from_slice(b", on ");
            text.extend_from_slice(source);
            text.push(b':');
            text.extend_from_slice(line);
            text.push(b'.');
        }
        lua::sanitize_error(&mut text);
        if info.ignore_stats {
            caller.reply.error(&text);
            outcome.error_uncounted = true;
        } else {
            return Err(Error::msg(String::from_utf8_lossy(&text).into_owned()));
        }
    }
    Ok(outcome)
}

/// The Lua count hook: checks the busy threshold, serves other clients
/// once past it, and stops a killed script (`luaMaskCountHook`).
fn busy_hook(l: &mut Lua, _event: c_int) -> Result<(), LuaRaise> {
    let Some(run) = current_run() else {
        return Ok(());
    };
    if run.flags.get() & rf::TIMEDOUT == 0 {
        // SAFETY: RUN is set, so the server is alive; the script is paused
        // in this hook and nothing else uses the server meanwhile.
        let threshold = unsafe { (*run.srv).cfg.busy_reply_threshold };
        let elapsed = (crate::util::monotonic_us().saturating_sub(run.start_us) / 1000) as i64;
        if elapsed < threshold {
            return Ok(());
        }
        log::warn!(
            "Slow script detected: still in execution after {} milliseconds. You can try killing the script using the {} command. Script name is: {}.",
            elapsed,
            if run.flags.get() & rf::EVAL_MODE != 0 { "SCRIPT KILL" } else { "FUNCTION KILL" },
            String::from_utf8_lossy(&run.funcname)
        );
        run.flags.set(run.flags.get() | rf::TIMEDOUT);
    }
    // Serving other clients is server code: its panics stay fatal.
    // SAFETY: as above; the loop only runs commands allowed while a
    // script is busy, none of which touches the running interpreter.
    crate::debug::crash::fatal_panics(|| unsafe { (*run.srv).process_events_while_blocked() });
    if run.flags.get() & rf::KILLED != 0 {
        log::warn!("Lua script killed by user with SCRIPT KILL.");
        // Fire on every line from now on, so pcall cannot swallow it.
        l.set_hook(Some(BUSY_HOOK), ffi::LUA_MASKLINE, 0);
        return Err(LuaRaise::table(b"Script killed by user with SCRIPT KILL...".as_slice()));
    }
    Ok(())
}

lua_hook!(BUSY_HOOK => busy_hook);

/// SCRIPT KILL / FUNCTION KILL (`scriptKill`).
pub fn kill(is_eval: bool) -> Result<(), Error> {
    let Some(run) = current_run() else {
        return Err(Error::err("NOTBUSY No scripts in execution right now."));
    };
    // SAFETY: the caller is alive for the whole run; we only read flags.
    let caller_is_master = unsafe { (*run.caller).has(cf::MASTER) };
    if caller_is_master {
        return Err(Error::err(
            "UNKILLABLE The busy script was sent by a master instance in the context of replication and cannot be killed.",
        ));
    }
    if run.flags.get() & rf::WRITE_DIRTY != 0 {
        return Err(Error::err("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."));
    }
    let eval_mode = run.flags.get() & rf::EVAL_MODE != 0;
    if is_eval && !eval_mode {
        return Err(busy_error(false));
    }
    if !is_eval && eval_mode {
        return Err(busy_error(true));
    }
    run.flags.set(run.flags.get() | rf::KILLED);
    Ok(())
}

/// Elapsed milliseconds of the running script (FUNCTION STATS).
pub fn run_duration_ms(run: &RunCtx) -> u64 {
    crate::util::monotonic_us().saturating_sub(run.start_us) / 1000
}

/// Runs a command for a script (`scriptCall`): the checks scripts add on
/// top of the command gate, then `call`. Returns the command's reply, or
/// the error the checks raised (already counted in the error stats).
pub fn script_call(run: &RunCtx, argv: &[Vec<u8>]) -> Result<Vec<u8>, Vec<u8>> {
    // SAFETY: RUN is set, so these point at the live server, caller and
    // fake client, and nothing else uses them while this runs.
    let (srv, caller, fake) = unsafe { (&mut *run.srv, &mut *run.caller, &mut *run.fake) };
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
    let reg = srv.cmds;
    let cmd = reg.lookup(&refs);
    let check = (|| -> Result<&'static crate::commands::Command, String> {
        let Some(cmd) = cmd else {
            return Err("Unknown Redis command called from script".into());
        };
        let arity = cmd.def.arity;
        let argc = refs.len() as i32;
        if (arity > 0 && arity != argc) || argc < -arity {
            return Err("Wrong number of args calling Redis command from script".into());
        }
        if !srv.scripting.disable_deny_script && cmd.has(f::NOSCRIPT) {
            return Err("This Redis command is not allowed from script".into());
        }
        // `scriptVerifyAllowStale`
        if srv.is_replica()
            && srv.repl.link.state != crate::repl::replica::LinkState::Connected
            && !srv.cfg.replica_serve_stale_data
            && !cmd.has(f::STALE)
        {
            return Err("Can not execute the command on a stale replica. The command doesn't have the STALE flag.".into());
        }
        // `scriptVerifyACL`: the commands run as the caller's user.
        if let Err(d) = srv.acl.check(caller.user, cmd, &refs) {
            srv.acl_log_denial(caller, caller.user, d, crate::acl::log::Context::Lua, cmd, &refs);
            return Err(format!("The user executing the script {}", crate::acl::denial_message(d)));
        }
        let flags = run.flags.get();
        if flags & rf::READ_ONLY != 0 && cmd.has(f::WRITE | f::MAY_REPLICATE) {
            return Err("Write commands are not allowed from read-only scripts.".into());
        }
        if cmd.has(f::WRITE) && flags & rf::WRITE_DIRTY == 0 {
            if srv.is_replica() && srv.cfg.replica_read_only && !caller.must_obey() {
                return Err(format!("-{}", Error::ReadOnlyReplica.text()));
            }
            if srv.writes_denied_by_disk_error() {
                return Err(format!("-{}", Error::Misconf.text()));
            }
            if !srv.good_replicas_ok() {
                return Err(format!("-{}", Error::NoReplicas.text()));
            }
        }
        if flags & rf::ALLOW_OOM == 0
            && srv.cfg.maxmemory != 0
            && !caller.has(cf::MASTER)
            && flags & rf::WRITE_DIRTY == 0
            && srv.calls.oom_at_start
            && cmd.has(f::DENYOOM)
        {
            return Err(format!("-{}", Error::Oom.text()));
        }
        Ok(cmd)
    })();
    let cmd = match check {
        Ok(c) => c,
        Err(e) => {
            let text = e.strip_prefix('-').map(|s| s.to_string()).unwrap_or_else(|| format!("ERR {e}"));
            srv.count_error(&text);
            if let Some(cmd) = cmd {
                srv.cmd_stats[cmd.id].rejected += 1;
            }
            srv.calls.prev_err_count = srv.stats.total_error_replies;
            return Err(e.into_bytes());
        }
    };
    if cmd.has(f::WRITE) {
        run.flags.set(run.flags.get() | rf::WRITE_DIRTY);
    }
    let saved_targets = srv.calls.targets;
    srv.calls.targets = run.repl_flags.get();
    fake.user = caller.user;
    srv.call(fake, cmd, &refs);
    srv.calls.targets = saved_targets;
    // A read makes the caller track the keys the script declared
    // (`trackingRememberKeys(server.script_caller)`).
    if cmd.has(f::READONLY) && caller.has(cf::TRACKING) && !caller.has(cf::TRACKING_BCAST) {
        let keys: Vec<&[u8]> = run.keys.iter().map(|k| k.as_slice()).collect();
        srv.tracking_remember_key_list(caller, &keys);
    }
    fake.reply.sent = 0;
    Ok(std::mem::take(&mut fake.reply.buf))
}
