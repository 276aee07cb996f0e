//! EVAL, EVALSHA, their _RO variants and SCRIPT (eval.c). Scripts are
//! compiled once into the EVAL interpreter, kept in the registry under
//! `f_<sha>`, and cached by SHA1 until SCRIPT FLUSH.

use super::capi::Lua;
use super::{sflags, Engine, Script};
use crate::client::flags as cf;
use crate::commands::Command;
use crate::error::Error;
use crate::server::{CmdResult, Ctx, Server};

/// Compiles and caches `body` unless it already is (`luaCreateFunction`).
/// Returns its SHA.
pub fn create_script(srv: &mut Server, body: &[u8]) -> Result<[u8; 40], Error> {
    let sha = super::sha1hex(body);
    if srv.scripting.scripts.contains_key(sha.as_slice()) {
        return Ok(sha);
    }
    let (flags, shebang_len) = super::parse_shebang(body).map_err(|e| Error::msg(format!("ERR {e}")))?;
    let deprecated = srv.cfg.lua_enable_deprecated_api;
    let vm = srv.scripting.eval_vm(deprecated);
    if let Err(msg) = vm.compile(&body[shebang_len..], c"@user_script") {
        return Err(Error::msg(format!(
            "ERR Error compiling script (new function): {}",
            String::from_utf8_lossy(&msg)
        )));
    }
    // Kept under a registry reference (Redis names it f_<sha>): scripts
    // cannot reach the registry, and a reference is read without hashing
    // a name.
    let fref = vm.lua().registry_ref();
    // The compiler's garbage (its constant table and friends) is freed
    // while it is young, so the next compile reuses the same slots: left
    // to the pacer, 50,000 SCRIPT LOADs spread it over slabs that a few
    // live objects then pin (unit/memefficiency: fragmentation 1.05 vs
    // 1.00 with this step; Redis's names, one f_<sha> string per script,
    // happened to fill those slots).
    vm.lua().gc_step(0);
    srv.scripting.scripts_mem += 40 + body.len();
    srv.scripting.scripts.insert(
        sha.to_vec(),
        Script {
            body: body.to_vec(),
            flags,
            fref,
        },
    );
    Ok(sha)
}

/// Lower-cases an EVALSHA argument.
fn lower_sha(s: &[u8]) -> Vec<u8> {
    s.to_ascii_lowercase()
}

/// The flags EVAL gates use (`evalGetCommandFlags`): a cached or parsed
/// shebang turns into command flags; legacy scripts keep EVAL's own.
pub fn eval_command_flags(srv: &Server, cmd: &Command, argv: &[&[u8]]) -> u64 {
    let Some(arg) = argv.get(1) else {
        return cmd.flags;
    };
    let evalsha = matches!(cmd.kind, crate::commands::Kind::Evalsha | crate::commands::Kind::EvalshaRo);
    if evalsha && arg.len() != 40 {
        return cmd.flags;
    }
    let key = if evalsha { lower_sha(arg) } else { super::sha1hex(arg).to_vec() };
    let script_flags = match srv.scripting.scripts.get(&key) {
        Some(s) => s.flags,
        None if evalsha => return cmd.flags,
        None => match super::parse_shebang(arg) {
            Ok((fl, _)) => fl,
            Err(_) => return cmd.flags,
        },
    };
    if script_flags & sflags::EVAL_COMPAT_MODE != 0 {
        return cmd.flags;
    }
    super::script_flags_to_cmd_flags(cmd.flags, script_flags)
}

/// EVAL and EVALSHA (`evalGenericCommand`).
fn eval_generic(ctx: &mut Ctx, evalsha: bool) -> CmdResult {
    let numkeys = crate::util::num::parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
    if numkeys > ctx.argc() as i64 - 3 {
        return Err(Error::err("ERR Number of keys can't be greater than number of args"));
    } else if numkeys < 0 {
        return Err(Error::err("ERR Number of keys can't be negative"));
    }
    let sha: Vec<u8> = if evalsha {
        let sha = lower_sha(ctx.argv[1]);
        if !ctx.srv.scripting.scripts.contains_key(&sha) {
            return Err(Error::NoScript);
        }
        sha
    } else {
        create_script(ctx.srv, ctx.argv[1])?.to_vec()
    };
    let Some(&Script { flags, fref, .. }) = ctx.srv.scripting.scripts.get(&sha) else {
        return Err(Error::NoScript);
    };
    let ro = ctx.cmd.fullname.ends_with("_ro");
    let nk = numkeys as usize;
    let keys = &ctx.argv[3..3 + nk];
    let args = &ctx.argv[3 + nk..];
    let push = move |l: &mut Lua| {
        l.push_registry_ref(fref);
    };
    // SCRIPT DEBUG: the run is a debugging session on the client's
    // connection, lent to the debugger meanwhile, and the client is
    // closed after the reply (`ldbEndSession`).
    let debug_conn = if ctx.c.has(cf::LUA_DEBUG) { ctx.c.conn.take() } else { None };
    let debugging = debug_conn.is_some();
    if let Some(conn) = debug_conn {
        super::ldb::start_session(conn, ctx.argv[1]);
    }
    let res = super::run(ctx.srv, ctx.c, Engine::Eval, &push, keys, args, sha, flags, ro, Vec::new());
    if debugging {
        ctx.c.conn = super::ldb::end_session();
        ctx.c.flags |= cf::CLOSE_AFTER_REPLY;
    }
    // The commands the script ran propagated themselves.
    ctx.no_propagate = true;
    match res {
        Ok(out) => {
            if out.error_uncounted {
                ctx.srv.cmd_stats[ctx.cmd.id].failed += 1;
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// `EVAL script numkeys [key ...] [arg ...]`
pub fn eval_command(ctx: &mut Ctx) -> CmdResult {
    // MONITOR shows EVAL before the commands it runs.
    if !ctx.srv.monitors.is_empty() {
        ctx.srv.feed_monitors(ctx.c, ctx.argv);
    }
    eval_generic(ctx, false)
}

/// `EVAL_RO script numkeys [key ...] [arg ...]`
pub fn eval_ro_command(ctx: &mut Ctx) -> CmdResult {
    eval_command(ctx)
}

/// `EVALSHA sha1 numkeys [key ...] [arg ...]`
pub fn evalsha_command(ctx: &mut Ctx) -> CmdResult {
    if !ctx.srv.monitors.is_empty() {
        ctx.srv.feed_monitors(ctx.c, ctx.argv);
    }
    if ctx.argv[1].len() != 40 {
        return Err(Error::NoScript);
    }
    if ctx.c.has(cf::LUA_DEBUG) {
        return Err(Error::err("ERR Please use EVAL instead of EVALSHA for debugging"));
    }
    eval_generic(ctx, true)
}

/// `EVALSHA_RO sha1 numkeys [key ...] [arg ...]`
pub fn evalsha_ro_command(ctx: &mut Ctx) -> CmdResult {
    evalsha_command(ctx)
}

/// `SCRIPT HELP`
pub fn script_help_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.help(
        ctx.argv[0],
        &[
            "DEBUG (YES|SYNC|NO)",
            "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.",
        ],
    );
    Ok(())
}

/// `SCRIPT FLUSH [ASYNC|SYNC]`
pub fn script_flush_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.argc() == 3 {
        let m = ctx.argv[2].to_ascii_lowercase();
        if m != b"sync" && m != b"async" {
            return Err(Error::err("ERR SCRIPT FLUSH only support SYNC|ASYNC option"));
        }
    } else if ctx.argc() != 2 {
        return Err(Error::err("ERR SCRIPT FLUSH only support SYNC|ASYNC option"));
    }
    let s = &mut ctx.srv.scripting;
    s.eval_vm = None;
    s.scripts.clear();
    s.scripts.shrink_to_fit();
    s.scripts_mem = 0;
    ctx.c.reply.ok();
    Ok(())
}

/// `SCRIPT EXISTS sha1 [sha1 ...]`
pub fn script_exists_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.array_len(ctx.argc() - 2);
    for a in &ctx.argv[2..] {
        let found = ctx.srv.scripting.scripts.contains_key(&lower_sha(a));
        ctx.c.reply.int(i64::from(found));
    }
    Ok(())
}

/// `SCRIPT LOAD script`
pub fn script_load_command(ctx: &mut Ctx) -> CmdResult {
    let sha = create_script(ctx.srv, ctx.argv[2])?;
    ctx.c.reply.bulk(&sha);
    Ok(())
}

/// `SCRIPT DEBUG YES|SYNC|NO`
pub fn script_debug_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.c.reply.pending() > 0 {
        return Err(Error::err("ERR SCRIPT DEBUG must be called outside a pipeline"));
    }
    match ctx.argv[2].to_ascii_lowercase().as_slice() {
        b"no" => ctx.c.flags &= !(cf::LUA_DEBUG | cf::LUA_DEBUG_SYNC),
        b"yes" => {
            super::ldb::enable();
            ctx.c.flags |= cf::LUA_DEBUG;
        }
        b"sync" => {
            super::ldb::enable();
            ctx.c.flags |= cf::LUA_DEBUG | cf::LUA_DEBUG_SYNC;
        }
        _ => return Err(Error::err("ERR Use SCRIPT DEBUG YES/SYNC/NO")),
    }
    ctx.c.reply.ok();
    Ok(())
}

/// `SCRIPT KILL`
pub fn script_kill_command(ctx: &mut Ctx) -> CmdResult {
    super::kill(true)?;
    ctx.c.reply.ok();
    Ok(())
}

/// Whether the client is a script's fake client (MONITOR shows "lua").
pub fn is_script_client(c: &crate::client::Client) -> bool {
    c.has(cf::SCRIPT)
}
