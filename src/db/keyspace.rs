//! Keyspace commands (db.c and object.c): DEL, UNLINK, EXISTS, TYPE, KEYS,
//! SCAN, RANDOMKEY, RENAME(NX), MOVE, COPY, SWAPDB, FLUSHDB, FLUSHALL,
//! TOUCH, DBSIZE, SELECT, OBJECT.

use crate::config::special::notify;
use crate::db::change::{ev, Event, KeyWrite};
use crate::db::{estimate_idle_ms, lookup, KvEntry};
use crate::error::Error;
use crate::object::ValueType;
use crate::server::{CmdResult, Ctx, Server};
use crate::util::glob::glob_match;
use crate::util::num::parse_i64;

/// A database index argument: an int, else `not_int` (`getIntFromObjectOrReply`).
fn parse_db_index(arg: &[u8], not_int: Error) -> Result<i64, Error> {
    parse_i64(arg).filter(|v| i32::try_from(*v).is_ok()).ok_or(not_int)
}

fn valid_db(srv: &Server, id: i64) -> Option<usize> {
    usize::try_from(id).ok().filter(|&i| i < srv.dbs.len())
}

/// Shared body of DEL and UNLINK (`delGenericCommand`).
fn del_generic(ctx: &mut Ctx, lazy: bool) -> CmdResult {
    let db = ctx.dbi();
    let mut deleted = 0;
    for &key in &ctx.argv[1..] {
        ctx.srv.expire_if_needed(db, key, 0);
        if ctx.srv.db_delete_lazy(db, key, lazy) {
            ctx.key_modified(key, ev::DEL);
            deleted += 1;
        }
    }
    ctx.c.reply.int(deleted);
    Ok(())
}

/// `DEL key [key ...]`
pub fn del_command(ctx: &mut Ctx) -> CmdResult {
    let lazy = ctx.srv.cfg.lazyfree_lazy_user_del;
    del_generic(ctx, lazy)
}

/// `UNLINK key [key ...]`: DEL that frees big values in the background.
pub fn unlink_command(ctx: &mut Ctx) -> CmdResult {
    del_generic(ctx, true)
}

/// `EXISTS key [key ...]`
pub fn exists_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let mut n = 0;
    for &key in &ctx.argv[1..] {
        if ctx.srv.lookup_key(db, key, lookup::NOTOUCH).is_some() {
            n += 1;
        }
    }
    ctx.c.reply.int(n);
    Ok(())
}

/// `TOUCH key [key ...]`
pub fn touch_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let mut n = 0;
    for &key in &ctx.argv[1..] {
        if ctx.srv.lookup_read(db, key).is_some() {
            n += 1;
        }
    }
    ctx.c.reply.int(n);
    Ok(())
}

/// `TYPE key`
pub fn type_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let name = match ctx.srv.lookup_key(db, ctx.argv[1], lookup::NOTOUCH) {
        Some(e) => e.value().value_type().name(),
        None => "none",
    };
    ctx.c.reply.status(name.as_bytes());
    Ok(())
}

/// `DBSIZE`
pub fn dbsize_command(ctx: &mut Ctx) -> CmdResult {
    let n = ctx.srv.dbs[ctx.dbi()].len();
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `SELECT index`
pub fn select_command(ctx: &mut Ctx) -> CmdResult {
    let id = parse_db_index(ctx.argv[1], Error::NotInteger)?;
    if ctx.srv.cfg.cluster_enabled && id != 0 {
        return Err(Error::err("ERR SELECT is not allowed in cluster mode"));
    }
    let db = valid_db(ctx.srv, id).ok_or(Error::DbIndexOutOfRange)?;
    ctx.c.db = db;
    ctx.c.reply.ok();
    Ok(())
}

/// `KEYS pattern`
pub fn keys_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let pattern = ctx.argv[1];
    let all = pattern == b"*";
    let now = ctx.srv.now_ms();
    let d = &ctx.srv.dbs[db];
    let r = &mut ctx.c.reply;
    let deferred = r.deferred();
    let mut n = 0;
    // A literal pattern can only name one key.
    if !all && crate::util::glob::is_literal(pattern) {
        if d.dict.get(pattern).is_some() && !d.is_expired(pattern, now) {
            r.bulk(pattern);
            n = 1;
        }
    } else {
        for e in d.dict.iter() {
            let k = e.key();
            if (all || glob_match(pattern, k, false)) && !(e.has_expire() && d.is_expired(k, now)) {
                r.bulk(k);
                n += 1;
            }
        }
    }
    r.set_deferred_array(deferred, n);
    Ok(())
}

/// Parses a SCAN cursor (`parseScanCursorOrReply`): an unsigned long.
pub fn parse_cursor(arg: &[u8]) -> Result<u64, Error> {
    // Redis uses strtoul and then rejects a leading space, trailing
    // garbage and overflow. strtoul takes a sign ("-1" wraps around), and
    // an empty string parses as 0.
    let bad = || Error::err("ERR invalid cursor");
    if arg.is_empty() {
        return Ok(0);
    }
    let (neg, digits) = match arg[0] {
        b'-' => (true, &arg[1..]),
        b'+' => (false, &arg[1..]),
        _ => (false, arg),
    };
    if digits.is_empty() || !digits.iter().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10).and_then(|v| v.checked_add(u64::from(d - b'0'))).ok_or_else(bad)?;
    }
    Ok(if neg { v.wrapping_neg() } else { v })
}

/// Options shared by SCAN, SSCAN, HSCAN, ZSCAN.
pub struct ScanOpts<'a> {
    pub count: u64,
    pub pattern: Option<&'a [u8]>,
    pub typ: Option<&'a [u8]>,
}

/// Parses COUNT/MATCH/TYPE from `args` (`scanGenericCommand`).
pub fn parse_scan_opts<'a>(args: &[&'a [u8]], allow_type: bool) -> Result<ScanOpts<'a>, Error> {
    let mut o = ScanOpts {
        count: 10,
        pattern: None,
        typ: None,
    };
    let mut i = 0;
    while i < args.len() {
        let more = args.len() - i - 1;
        let opt = args[i].to_ascii_lowercase();
        if opt == b"count" && more >= 1 {
            let n = parse_i64(args[i + 1]).ok_or(Error::NotInteger)?;
            if n < 1 {
                return Err(Error::Syntax);
            }
            o.count = n as u64;
            i += 2;
        } else if opt == b"match" && more >= 1 {
            let p = args[i + 1];
            o.pattern = if p == b"*" { None } else { Some(p) };
            i += 2;
        } else if opt == b"type" && more >= 1 && allow_type {
            o.typ = Some(args[i + 1]);
            i += 2;
        } else {
            return Err(Error::Syntax);
        }
    }
    Ok(o)
}

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`
pub fn scan_command(ctx: &mut Ctx) -> CmdResult {
    let mut cursor = parse_cursor(ctx.argv[1])?;
    let opts = parse_scan_opts(&ctx.argv[2..], true)?;
    let db = ctx.dbi();
    let mut keys: Vec<Vec<u8>> = Vec::new();
    {
        let d = &ctx.srv.dbs[db].dict;
        let mut max_iter = opts.count * 10;
        loop {
            cursor = d.scan(cursor, |e: &KvEntry| keys.push(e.key().to_vec()));
            max_iter -= 1;
            if cursor == 0 || max_iter == 0 || keys.len() as u64 >= opts.count {
                break;
            }
        }
    }
    let want_type = opts.typ.map(ValueType::from_name);
    let mut out: Vec<Vec<u8>> = Vec::with_capacity(keys.len());
    for k in keys {
        if let Some(p) = opts.pattern {
            if !glob_match(p, &k, false) {
                continue;
            }
        }
        if let Some(want) = want_type {
            let t = ctx
                .srv
                .lookup_key(db, &k, lookup::NOTOUCH | lookup::NONOTIFY | lookup::NOSTATS)
                .map(|e| e.value().value_type());
            if want.is_none() || t != want {
                continue;
            }
        }
        if ctx.srv.expire_if_needed(db, &k, 0) {
            continue;
        }
        out.push(k);
    }
    let r = &mut ctx.c.reply;
    r.array_len(2);
    r.bulk(cursor.to_string().as_bytes());
    r.array_len(out.len());
    for k in out {
        r.bulk(&k);
    }
    Ok(())
}

/// `RANDOMKEY`
pub fn randomkey_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let mut tries = 0;
    loop {
        let (key, volatile) = match ctx.srv.dbs[db].dict.fair_random_entry() {
            Some(e) => (e.key().to_vec(), e.has_expire()),
            None => {
                ctx.c.reply.null();
                return Ok(());
            }
        };
        if volatile {
            let all_volatile = ctx.srv.dbs[db].expires.len() == ctx.srv.dbs[db].len();
            tries += 1;
            // On a replica expired keys are not deleted: avoid looping
            // forever when every key is logically expired.
            if all_volatile && ctx.srv.cfg.special.replicaof.is_some() && tries > 100 {
                ctx.c.reply.bulk(&key);
                return Ok(());
            }
            if ctx.srv.expire_if_needed(db, &key, 0) {
                continue;
            }
        }
        ctx.c.reply.bulk(&key);
        return Ok(());
    }
}

/// Shared body of RENAME and RENAMENX (`renameGenericCommand`).
fn rename_generic(ctx: &mut Ctx, nx: bool) -> CmdResult {
    let db = ctx.dbi();
    let (src, dst) = (ctx.argv[1], ctx.argv[2]);
    if ctx.srv.lookup_write(db, src).is_none() {
        return Err(Error::NoSuchKey);
    }
    if src == dst {
        if nx {
            ctx.c.reply.int(0);
        } else {
            ctx.c.reply.ok();
        }
        return Ok(());
    }
    if ctx.srv.lookup_write(db, dst).is_some() {
        if nx {
            ctx.c.reply.int(0);
            return Ok(());
        }
        ctx.srv.db_delete(db, dst);
    }
    if !ctx.srv.rename_key(db, src, dst) {
        return Err(Error::NoSuchKey);
    }
    ctx.srv.keys_modified(&[
        (db, src, KeyWrite::new(Event::new(notify::GENERIC, "rename_from"))),
        (db, dst, KeyWrite::new(Event::new(notify::GENERIC, "rename_to")).dirty(0)),
    ]);
    if nx {
        ctx.c.reply.int(1);
    } else {
        ctx.c.reply.ok();
    }
    Ok(())
}

/// `RENAME key newkey`
pub fn rename_command(ctx: &mut Ctx) -> CmdResult {
    rename_generic(ctx, false)
}

/// `RENAMENX key newkey`
pub fn renamenx_command(ctx: &mut Ctx) -> CmdResult {
    rename_generic(ctx, true)
}

/// `MOVE key db`
pub fn move_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.srv.cfg.cluster_enabled {
        return Err(Error::err("ERR MOVE is not allowed in cluster mode"));
    }
    let src = ctx.dbi();
    let id = parse_db_index(ctx.argv[2], Error::NotInteger)?;
    let dst = valid_db(ctx.srv, id).ok_or(Error::DbIndexOutOfRange)?;
    if src == dst {
        return Err(Error::SameObject);
    }
    let key = ctx.argv[1];
    if ctx.srv.lookup_write(src, key).is_none() {
        ctx.c.reply.int(0);
        return Ok(());
    }
    if ctx.srv.lookup_write(dst, key).is_some() || !ctx.srv.move_key(src, dst, key) {
        ctx.c.reply.int(0);
        return Ok(());
    }
    ctx.srv.keys_modified(&[
        (src, key, KeyWrite::new(Event::new(notify::GENERIC, "move_from"))),
        (dst, key, KeyWrite::new(Event::new(notify::GENERIC, "move_to")).dirty(0)),
    ]);
    ctx.c.reply.int(1);
    Ok(())
}

/// `COPY source destination [DB destination-db] [REPLACE]`
pub fn copy_command(ctx: &mut Ctx) -> CmdResult {
    let src_db = ctx.dbi();
    let mut dst_db = src_db;
    let mut replace = false;
    let mut j = 3;
    while j < ctx.argc() {
        let more = ctx.argc() - j - 1;
        if ctx.argv[j].eq_ignore_ascii_case(b"replace") {
            replace = true;
        } else if ctx.argv[j].eq_ignore_ascii_case(b"db") && more >= 1 {
            let id = parse_db_index(ctx.argv[j + 1], Error::NotInteger)?;
            dst_db = valid_db(ctx.srv, id).ok_or(Error::DbIndexOutOfRange)?;
            j += 1;
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    if ctx.srv.cfg.cluster_enabled && (src_db != 0 || dst_db != 0) {
        return Err(Error::err("ERR Copying to another database is not allowed in cluster mode"));
    }
    let (key, newkey) = (ctx.argv[1], ctx.argv[2]);
    if src_db == dst_db && key == newkey {
        return Err(Error::SameObject);
    }
    if ctx.srv.lookup_read(src_db, key).is_none() {
        ctx.c.reply.int(0);
        return Ok(());
    }
    if ctx.srv.lookup_write(dst_db, newkey).is_some() {
        if !replace {
            ctx.c.reply.int(0);
            return Ok(());
        }
        ctx.srv.db_delete(dst_db, newkey);
    }
    ctx.srv.copy_key(src_db, key, dst_db, newkey);
    ctx.key_modified_in(dst_db, newkey, Event::new(notify::GENERIC, "copy_to"));
    ctx.c.reply.int(1);
    Ok(())
}

/// `SWAPDB index1 index2`
pub fn swapdb_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.srv.cfg.cluster_enabled {
        return Err(Error::err("ERR SWAPDB is not allowed in cluster mode"));
    }
    let a = parse_db_index(ctx.argv[1], Error::err("ERR invalid first DB index"))?;
    let b = parse_db_index(ctx.argv[2], Error::err("ERR invalid second DB index"))?;
    let (Some(a), Some(b)) = (valid_db(ctx.srv, a), valid_db(ctx.srv, b)) else {
        return Err(Error::DbIndexOutOfRange);
    };
    ctx.srv.swap_dbs(a, b);
    ctx.srv.add_dirty(1);
    ctx.c.reply.ok();
    Ok(())
}

/// Parses the optional ASYNC|SYNC of FLUSHDB/FLUSHALL.
fn flush_flags(ctx: &Ctx) -> Result<bool, Error> {
    match ctx.argc() {
        1 => Ok(ctx.srv.cfg.lazyfree_lazy_user_flush),
        2 if ctx.argv[1].eq_ignore_ascii_case(b"sync") => Ok(false),
        2 if ctx.argv[1].eq_ignore_ascii_case(b"async") => Ok(true),
        _ => Err(Error::Syntax),
    }
}

/// `FLUSHDB [ASYNC|SYNC]`
pub fn flushdb_command(ctx: &mut Ctx) -> CmdResult {
    let lazy = flush_flags(ctx)?;
    let db = ctx.dbi();
    let removed = ctx.srv.empty_data(Some(db), lazy);
    ctx.srv.add_dirty(removed as u64);
    // Propagated even when nothing was removed.
    ctx.force_propagate = true;
    ctx.c.reply.ok();
    Ok(())
}

/// `FLUSHALL [ASYNC|SYNC]`
pub fn flushall_command(ctx: &mut Ctx) -> CmdResult {
    let lazy = flush_flags(ctx)?;
    let removed = ctx.srv.empty_data(None, lazy);
    ctx.srv.add_dirty(removed as u64);
    ctx.srv.kill_rdb_child();
    if !ctx.srv.cfg.special.save.is_empty() {
        // The (empty) snapshot is written at once, which zeroes the dirty
        // counter as any save does; FLUSHALL is propagated regardless.
        let _ = ctx.srv.save_rdb_now();
    }
    ctx.force_propagate = true;
    ctx.c.reply.ok();
    Ok(())
}

fn object_lookup<'s>(ctx: &'s mut Ctx) -> Option<&'s mut KvEntry> {
    let db = ctx.dbi();
    ctx.srv.lookup_key(db, ctx.argv[2], lookup::NOTOUCH | lookup::NONOTIFY)
}

/// `OBJECT ENCODING key`
pub fn object_encoding_command(ctx: &mut Ctx) -> CmdResult {
    match object_lookup(ctx).map(|e| e.value().encoding_name()) {
        Some(enc) => ctx.c.reply.bulk(enc.as_bytes()),
        None => ctx.c.reply.null(),
    }
    Ok(())
}

/// `OBJECT REFCOUNT key`
pub fn object_refcount_command(ctx: &mut Ctx) -> CmdResult {
    match object_lookup(ctx).map(|e| e.is_shared()) {
        Some(true) => ctx.c.reply.int(crate::object::SHARED_REFCOUNT),
        Some(false) => ctx.c.reply.int(1),
        None => ctx.c.reply.null(),
    }
    Ok(())
}

/// `OBJECT IDLETIME key`
pub fn object_idletime_command(ctx: &mut Ctx) -> CmdResult {
    let lfu = ctx.srv.lfu_enabled();
    let clock = ctx.srv.lru_clock();
    let Some(lru) = object_lookup(ctx).map(|e| e.lru()) else {
        ctx.c.reply.null();
        return Ok(());
    };
    if lfu {
        return Err(Error::err("ERR An LRU maxmemory policy is not selected, access time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    }
    ctx.c.reply.int(estimate_idle_ms(clock, lru) / 1000);
    Ok(())
}

/// `OBJECT FREQ key`
pub fn object_freq_command(ctx: &mut Ctx) -> CmdResult {
    let lfu = ctx.srv.lfu_enabled();
    let (unixtime, decay) = (ctx.srv.unixtime, ctx.srv.cfg.lfu_decay_time);
    let Some(data) = object_lookup(ctx).map(|e| e.lru()) else {
        ctx.c.reply.null();
        return Ok(());
    };
    if !lfu {
        return Err(Error::err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    }
    ctx.c
        .reply
        .int(i64::from(crate::db::evict::lfu_decayed_counter(data, unixtime, decay)));
    Ok(())
}

/// `OBJECT HELP`
pub fn object_help_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.help(
        ctx.argv[0],
        &[
            "ENCODING <key>",
            "    Return the internal encoding of the value stored at <key>.",
            "FREQ <key>",
            "    Return the logarithmic access frequency counter of <key>.",
            "IDLETIME <key>",
            "    Return the seconds since <key> was last read or written.",
            "REFCOUNT <key>",
            "    Return how many references the value at <key> has.",
        ],
    );
    Ok(())
}
