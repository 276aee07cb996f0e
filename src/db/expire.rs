//! Key expiry (expire.c): the EXPIRE family, TTL queries, PERSIST, and the
//! adaptive active expire cycle that reclaims expired keys nobody reads.

use crate::db::change::ev;
use crate::ds::dict::DictEntry;
use crate::error::Error;
use crate::server::{CmdResult, Ctx, Server};
use crate::util::num::parse_i64;

/// Keys sampled per database per loop (`ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP`).
const KEYS_PER_LOOP: u64 = 20;
/// Microseconds a fast cycle may take.
const FAST_DURATION_US: i64 = 1000;
/// Percent of CPU a slow cycle may use.
const SLOW_TIME_PERC: i64 = 25;
/// Percent of stale keys above which the cycle keeps going.
const ACCEPTABLE_STALE: u64 = 10;

/// State carried between active expire cycles.
#[derive(Default, Debug, Clone)]
pub struct CycleState {
    current_db: usize,
    timelimit_exit: bool,
    last_fast_cycle: i64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CycleKind {
    /// From the cron, `hz` times a second.
    Slow,
    /// Before sleeping, when the last slow cycle ran out of time.
    Fast,
}

impl Server {
    /// One active expire cycle (`activeExpireCycle`). The fast cycle runs
    /// before every sleep and nearly always stops at once: decided inline,
    /// before reading the clock.
    #[inline]
    pub fn active_expire_cycle(&mut self, kind: CycleKind) {
        if kind == CycleKind::Fast && !self.active_expire_state.timelimit_exit {
            let effort = (self.cfg.active_expire_effort - 1).clamp(0, 9);
            if self.stats.expired_stale_perc < (ACCEPTABLE_STALE - effort as u64) as f64 {
                return;
            }
        }
        self.active_expire_cycle_run(kind);
    }

    fn active_expire_cycle_run(&mut self, kind: CycleKind) {
        let effort = (self.cfg.active_expire_effort - 1).clamp(0, 9);
        let keys_per_loop = KEYS_PER_LOOP + KEYS_PER_LOOP / 4 * effort as u64;
        let fast_duration = FAST_DURATION_US + FAST_DURATION_US / 4 * effort;
        let slow_perc = SLOW_TIME_PERC + 2 * effort;
        let acceptable_stale = ACCEPTABLE_STALE - effort as u64;
        let start = crate::util::ustime();
        if self.clients_paused() {
            return;
        }
        let st = &mut self.active_expire_state;
        if kind == CycleKind::Fast {
            if !st.timelimit_exit && self.stats.expired_stale_perc < acceptable_stale as f64 {
                return;
            }
            if start < st.last_fast_cycle + fast_duration * 2 {
                return;
            }
            st.last_fast_cycle = start;
        }
        let ndbs = self.dbs.len();
        let dbs_per_call = ndbs.min(16);
        let dbs_per_call = if st.timelimit_exit { ndbs } else { dbs_per_call };
        let mut timelimit = slow_perc * 1_000_000 / self.hz.max(1) / 100;
        st.timelimit_exit = false;
        if timelimit <= 0 {
            timelimit = 1;
        }
        if kind == CycleKind::Fast {
            timelimit = fast_duration;
        }
        let (mut total_sampled, mut total_expired) = (0u64, 0u64);
        let mut iteration = 0u64;
        let mut keys: Vec<(Vec<u8>, i64)> = Vec::new();
        let mut j = 0;
        while j < dbs_per_call && !self.active_expire_state.timelimit_exit {
            j += 1;
            let dbi = self.active_expire_state.current_db % ndbs;
            self.active_expire_state.current_db += 1;
            loop {
                iteration += 1;
                let db = &mut self.dbs[dbi];
                let num = db.expires.len() as u64;
                if num == 0 {
                    db.avg_ttl = 0;
                    break;
                }
                let slots = db.expires.slots() as u64;
                let now = crate::util::mstime();
                // A nearly empty table would make sampling too expensive.
                if slots > 4 && num * 100 / slots < 1 {
                    break;
                }
                let num = num.min(keys_per_loop);
                let max_buckets = num * 20;
                let (mut sampled, mut expired, mut checked) = (0u64, 0u64, 0u64);
                let (mut ttl_sum, mut ttl_samples) = (0i64, 0i64);
                while sampled < num && checked < max_buckets {
                    keys.clear();
                    let db = &mut self.dbs[dbi];
                    checked += db
                        .expires
                        .visit_bucket(db.expires_cursor, |e| keys.push((e.key().to_vec(), e.when))) as u64;
                    db.expires_cursor = db.expires_cursor.wrapping_add(1);
                    for (key, when) in keys.drain(..) {
                        let ttl = when - now;
                        if when <= now {
                            self.delete_expired_key(dbi, &key);
                            expired += 1;
                        }
                        if ttl > 0 {
                            ttl_sum += ttl;
                            ttl_samples += 1;
                        }
                        sampled += 1;
                    }
                    // An empty table after deletions: nothing left to sample.
                    if self.dbs[dbi].expires.is_empty() {
                        break;
                    }
                }
                total_expired += expired;
                total_sampled += sampled;
                let db = &mut self.dbs[dbi];
                if ttl_samples > 0 {
                    let avg = ttl_sum / ttl_samples;
                    if db.avg_ttl == 0 {
                        db.avg_ttl = avg;
                    }
                    db.avg_ttl = (db.avg_ttl / 50) * 49 + (avg / 50);
                }
                if iteration & 0xf == 0 && crate::util::ustime() - start > timelimit {
                    self.active_expire_state.timelimit_exit = true;
                    self.stats.expired_time_cap_reached_count += 1;
                    break;
                }
                if !(sampled == 0 || expired * 100 / sampled > acceptable_stale) {
                    break;
                }
            }
        }
        let elapsed = crate::util::ustime() - start;
        self.stats.expire_cycle_time_used += elapsed.max(0) as u64;
        self.latency_sample("expire-cycle", elapsed.max(0) as u64 / 1000);
        let perc = if total_sampled > 0 {
            total_expired as f64 / total_sampled as f64
        } else {
            0.0
        };
        self.stats.expired_stale_perc = perc * 0.05 + self.stats.expired_stale_perc * 0.95;
        self.flush_propagation_with(false);
    }
}

/// Parses NX/XX/GT/LT after the time argument (`parseExtendedExpireArgumentsOrReply`).
fn parse_expire_flags(args: &[&[u8]]) -> Result<(bool, bool, bool, bool), Error> {
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for a in args {
        match a.to_ascii_lowercase().as_slice() {
            b"nx" => nx = true,
            b"xx" => xx = true,
            b"gt" => gt = true,
            b"lt" => lt = true,
            _ => return Err(Error::msg(format!("ERR Unsupported option {}", String::from_utf8_lossy(a)))),
        }
    }
    if nx && (xx || gt || lt) {
        return Err(Error::err("ERR NX and XX, GT or LT options at the same time are not compatible"));
    }
    if gt && lt {
        return Err(Error::err("ERR GT and LT options at the same time are not compatible"));
    }
    Ok((nx, xx, gt, lt))
}

fn expire_time_error(ctx: &Ctx) -> Error {
    Error::msg(format!("ERR invalid expire time in '{}' command", ctx.cmd.fullname))
}

/// Shared body of EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT
/// (`expireGenericCommand`). `basetime` is 0 for absolute times.
fn expire_generic(ctx: &mut Ctx, basetime: i64, seconds: bool) -> CmdResult {
    let (nx, xx, gt, lt) = parse_expire_flags(&ctx.argv[3..])?;
    let mut when = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
    if seconds {
        when = when.checked_mul(1000).ok_or_else(|| expire_time_error(ctx))?;
    }
    when = when.checked_add(basetime).ok_or_else(|| expire_time_error(ctx))?;
    let db = ctx.dbi();
    let key = ctx.argv[1];
    if ctx.srv.lookup_write(db, key).is_none() {
        ctx.c.reply.int(0);
        return Ok(());
    }
    if nx || xx || gt || lt {
        let current = ctx.srv.dbs[db].get_expire(key);
        if (nx && current != -1)
            || (xx && current == -1)
            || (gt && (when <= current || current == -1))
            || (lt && current != -1 && when >= current)
        {
            ctx.c.reply.int(0);
            return Ok(());
        }
    }
    if when <= crate::util::mstime() && !ctx.srv.loading && ctx.srv.cfg.special.replicaof.is_none() {
        ctx.srv.db_delete(db, key);
        let del: &[u8] = if ctx.srv.cfg.lazyfree_lazy_expire { b"UNLINK" } else { b"DEL" };
        ctx.propagate_as(vec![del.to_vec(), key.to_vec()]);
        ctx.key_modified(key, ev::DEL);
        ctx.c.reply.int(1);
        return Ok(());
    }
    ctx.srv.dbs[db].set_expire(key, when);
    ctx.c.reply.int(1);
    ctx.propagate_as(vec![b"PEXPIREAT".to_vec(), key.to_vec(), when.to_string().into_bytes()]);
    ctx.key_modified(key, ev::EXPIRE);
    Ok(())
}

/// `EXPIRE key seconds [NX|XX|GT|LT]`
pub fn expire_command(ctx: &mut Ctx) -> CmdResult {
    // The clock now, not the command's cached time, as Redis
    // (`checkAlreadyExpired` reads the clock again).
    expire_generic(ctx, crate::util::mstime(), true)
}

/// `PEXPIRE key milliseconds [NX|XX|GT|LT]`
pub fn pexpire_command(ctx: &mut Ctx) -> CmdResult {
    expire_generic(ctx, crate::util::mstime(), false)
}

/// `EXPIREAT key unix-time-seconds [NX|XX|GT|LT]`
pub fn expireat_command(ctx: &mut Ctx) -> CmdResult {
    expire_generic(ctx, 0, true)
}

/// `PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]`
pub fn pexpireat_command(ctx: &mut Ctx) -> CmdResult {
    expire_generic(ctx, 0, false)
}

/// Shared body of TTL, PTTL, EXPIRETIME, PEXPIRETIME (`ttlGenericCommand`).
fn ttl_generic(ctx: &mut Ctx, ms: bool, absolute: bool) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    if ctx.srv.lookup_key(db, key, crate::db::lookup::NOTOUCH).is_none() {
        ctx.c.reply.int(-2);
        return Ok(());
    }
    let expire = ctx.srv.dbs[db].get_expire(key);
    if expire == -1 {
        ctx.c.reply.int(-1);
        return Ok(());
    }
    let ttl = if absolute {
        expire
    } else {
        (expire - crate::util::mstime()).max(0)
    };
    ctx.c.reply.int(if ms { ttl } else { (ttl + 500) / 1000 });
    Ok(())
}

/// `TTL key`
pub fn ttl_command(ctx: &mut Ctx) -> CmdResult {
    ttl_generic(ctx, false, false)
}

/// `PTTL key`
pub fn pttl_command(ctx: &mut Ctx) -> CmdResult {
    ttl_generic(ctx, true, false)
}

/// `EXPIRETIME key`
pub fn expiretime_command(ctx: &mut Ctx) -> CmdResult {
    ttl_generic(ctx, false, true)
}

/// `PEXPIRETIME key`
pub fn pexpiretime_command(ctx: &mut Ctx) -> CmdResult {
    ttl_generic(ctx, true, true)
}

/// `PERSIST key`
pub fn persist_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    if ctx.srv.lookup_write(db, key).is_some() && ctx.srv.dbs[db].remove_expire(key) {
        ctx.key_modified(key, ev::PERSIST);
        ctx.c.reply.int(1);
    } else {
        ctx.c.reply.int(0);
    }
    Ok(())
}
