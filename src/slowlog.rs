//! The slow log: commands that ran longer than `slowlog-log-slower-than`
//! microseconds, newest first, at most `slowlog-max-len` of them.
//!
//! `call` offers every finished command through `Server::slowlog_push`;
//! arguments that are secrets are stored as `(redacted)`, long argument
//! lists and long arguments are cut like Redis cuts them.

use std::collections::VecDeque;

use crate::error::Error;
use crate::server::{CmdResult, Ctx, Server};

/// Arguments kept per entry; the last slot then says how many were left out.
const MAX_ARGC: usize = 32;
/// Bytes kept per argument.
const MAX_STRING: usize = 128;

pub struct Entry {
    id: u64,
    time: i64,
    duration_us: u64,
    argv: Vec<Vec<u8>>,
    peer: String,
    name: Vec<u8>,
}

#[derive(Default)]
pub struct SlowLog {
    entries: VecDeque<Entry>,
    next_id: u64,
}

/// Which arguments of a command line are secrets, hidden from MONITOR and
/// the slow log (where Redis calls `redactClientCommandArgument`).
pub fn redacted(argv: &[&[u8]]) -> Vec<bool> {
    let mut hide = vec![false; argv.len()];
    let name = argv.first().map(|a| a.to_ascii_lowercase()).unwrap_or_default();
    let is = |j: usize, s: &str| argv.get(j).is_some_and(|a| a.eq_ignore_ascii_case(s.as_bytes()));
    match name.as_slice() {
        b"auth" => hide.iter_mut().skip(1).for_each(|h| *h = true),
        b"hello" => {
            let mut j = 2;
            while j < argv.len() {
                if is(j, "auth") && j + 2 < argv.len() {
                    hide[j + 1] = true;
                    hide[j + 2] = true;
                    j += 3;
                } else if is(j, "setname") {
                    j += 2;
                } else {
                    j += 1;
                }
            }
        }
        b"config" if is(1, "set") => {
            let mut j = 2;
            while j + 1 < argv.len() {
                let param = argv[j].to_ascii_lowercase();
                if matches!(param.as_slice(), b"masterauth" | b"masteruser" | b"requirepass") {
                    hide[j + 1] = true;
                }
                j += 2;
            }
        }
        b"acl" if is(1, "setuser") => hide.iter_mut().skip(2).for_each(|h| *h = true),
        b"migrate" => {
            let mut j = 6;
            while j < argv.len() {
                if is(j, "auth") && j + 1 < argv.len() {
                    hide[j + 1] = true;
                    j += 2;
                } else if is(j, "auth2") && j + 2 < argv.len() {
                    hide[j + 1] = true;
                    hide[j + 2] = true;
                    j += 3;
                } else if is(j, "keys") {
                    break;
                } else {
                    j += 1;
                }
            }
        }
        _ => {}
    }
    hide
}

impl Server {
    /// Records a finished command if it was slow enough
    /// (`slowlogPushEntryIfNeeded`).
    #[inline]
    pub fn slowlog_push(&mut self, c: &crate::client::Client, argv: &[&[u8]], duration_us: u64) {
        let threshold = self.cfg.slowlog_log_slower_than;
        if threshold < 0 || duration_us < threshold as u64 {
            return;
        }
        self.slowlog_record(c, argv, duration_us);
    }

    fn slowlog_record(&mut self, c: &crate::client::Client, argv: &[&[u8]], duration_us: u64) {
        let hide = redacted(argv);
        let kept = argv.len().min(MAX_ARGC);
        let mut out = Vec::with_capacity(kept);
        for (j, a) in argv.iter().take(kept).enumerate() {
            if kept != argv.len() && j == kept - 1 {
                out.push(format!("... ({} more arguments)", argv.len() - kept + 1).into_bytes());
            } else if hide[j] {
                out.push(b"(redacted)".to_vec());
            } else if a.len() > MAX_STRING {
                let mut s = a[..MAX_STRING].to_vec();
                s.extend_from_slice(format!("... ({} more bytes)", a.len() - MAX_STRING).as_bytes());
                out.push(s);
            } else {
                out.push(a.to_vec());
            }
        }
        let log = &mut self.slowlog;
        log.entries.push_front(Entry {
            id: log.next_id,
            time: crate::util::mstime() / 1000,
            duration_us,
            argv: out,
            peer: c.addr.clone(),
            name: c.name.clone().unwrap_or_default(),
        });
        log.next_id += 1;
        self.slowlog_trim();
    }

    fn slowlog_trim(&mut self) {
        let max = self.cfg.slowlog_max_len.max(0) as usize;
        self.slowlog.entries.truncate(max);
    }
}

/// `SLOWLOG GET [count]`
pub fn slowlog_get_command(ctx: &mut Ctx) -> CmdResult {
    let log = &ctx.srv.slowlog;
    let mut count = 10usize;
    if let Some(arg) = ctx.argv.get(2) {
        match crate::util::num::parse_i64(arg) {
            Some(-1) => count = log.entries.len(),
            Some(n) if n >= 0 => count = n as usize,
            Some(_) => return Err(Error::err("ERR count should be greater than or equal to -1")),
            None => return Err(Error::NotInteger),
        }
    }
    let r = &mut ctx.c.reply;
    let n = count.min(log.entries.len());
    r.array_len(n);
    for e in log.entries.iter().take(n) {
        r.array_len(6);
        r.int(e.id as i64);
        r.int(e.time);
        r.int(e.duration_us as i64);
        r.array_len(e.argv.len());
        for a in &e.argv {
            r.bulk(a);
        }
        r.bulk(e.peer.as_bytes());
        r.bulk(&e.name);
    }
    Ok(())
}

/// `SLOWLOG LEN`
pub fn slowlog_len_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.int(ctx.srv.slowlog.entries.len() as i64);
    Ok(())
}

/// `SLOWLOG RESET`
pub fn slowlog_reset_command(ctx: &mut Ctx) -> CmdResult {
    ctx.srv.slowlog.entries.clear();
    ctx.c.reply.ok();
    Ok(())
}

/// `SLOWLOG HELP`
pub fn slowlog_help_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.help(
        b"SLOWLOG",
        &[
            "GET [<count>]",
            "    Return the <count> most recent entries (default 10, -1 for all). Each entry",
            "    is: id, unix time, duration in microseconds, arguments, client address,",
            "    client name.",
            "LEN",
            "    Return the number of entries.",
            "RESET",
            "    Remove every entry.",
        ],
    );
    Ok(())
}
