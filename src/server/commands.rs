//! Server commands that do not belong to a subsystem: PING, ECHO, TIME,
//! LASTSAVE, SHUTDOWN.

use super::{CmdResult, Ctx};
use crate::client::flags as cf;
use crate::config::enums::{SHUTDOWN_FORCE, SHUTDOWN_NOSAVE, SHUTDOWN_NOW, SHUTDOWN_SAVE};
use crate::error::Error;

/// `PING [message]`
pub fn ping_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.argc() > 2 {
        return Err(Error::WrongArity(ctx.cmd.fullname.clone()));
    }
    if ctx.c.has(cf::PUBSUB) && ctx.c.reply.resp == 2 {
        let r = &mut ctx.c.reply;
        r.array_len(2);
        r.bulk(b"pong");
        r.bulk(ctx.argv.get(1).copied().unwrap_or(b""));
    } else if ctx.argc() == 1 {
        ctx.c.reply.raw(b"+PONG\r\n");
    } else {
        ctx.c.reply.bulk(ctx.argv[1]);
    }
    Ok(())
}

/// `ECHO message`
pub fn echo_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.bulk(ctx.argv[1]);
    Ok(())
}

/// `TIME`
pub fn time_command(ctx: &mut Ctx) -> CmdResult {
    let us = crate::util::ustime();
    let r = &mut ctx.c.reply;
    r.array_len(2);
    r.bulk_i64(us / 1_000_000);
    r.bulk_i64(us % 1_000_000);
    Ok(())
}

/// `LASTSAVE`
pub fn lastsave_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.int(ctx.srv.lastsave);
    Ok(())
}

/// `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]`
pub fn shutdown_command(ctx: &mut Ctx) -> CmdResult {
    let mut flags = 0;
    let mut abort = false;
    for a in &ctx.argv[1..] {
        match a.to_ascii_lowercase().as_slice() {
            b"nosave" => flags |= SHUTDOWN_NOSAVE,
            b"save" => flags |= SHUTDOWN_SAVE,
            b"now" => flags |= SHUTDOWN_NOW,
            b"force" => flags |= SHUTDOWN_FORCE,
            b"abort" => abort = true,
            _ => return Err(Error::Syntax),
        }
    }
    if (abort && flags != 0) || (flags & SHUTDOWN_NOSAVE != 0 && flags & SHUTDOWN_SAVE != 0) {
        return Err(Error::Syntax);
    }
    if abort {
        if ctx.srv.abort_shutdown() {
            ctx.c.reply.ok();
            return Ok(());
        }
        return Err(Error::err("ERR No shutdown in progress."));
    }
    // Only the caller's own context counts (a script's client, or EXEC):
    // SHUTDOWN from another client while a script is busy is allowed.
    if flags & SHUTDOWN_NOW == 0 && (ctx.c.has(crate::client::flags::SCRIPT) || ctx.srv.calls.in_exec) {
        return Err(Error::err(
            "ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client",
        ));
    }
    // A half-loaded dataset is never saved.
    if ctx.srv.loading {
        flags = (flags & !SHUTDOWN_SAVE) | SHUTDOWN_NOSAVE;
    }
    if ctx.srv.prepare_for_shutdown(flags).is_ok() {
        std::process::exit(0);
    }
    if ctx.srv.shutdown_initiated() {
        // Answered when the shutdown fails or is aborted; the process
        // exits otherwise.
        ctx.srv.block_for_shutdown(ctx.c, ctx.argv);
        return Ok(());
    }
    Err(Error::err("ERR Errors trying to SHUTDOWN. Check logs."))
}

/// `MONITOR`
pub fn monitor_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.c.has(cf::SLAVE) {
        return Ok(());
    }
    ctx.c.flags |= cf::SLAVE | cf::MONITOR;
    ctx.srv.monitors.push(ctx.c.key);
    ctx.c.reply.ok();
    Ok(())
}
