//! Popping and sampling sorted sets (t_zset.c): ZPOPMIN, ZPOPMAX, ZMPOP,
//! their blocking forms BZPOPMIN, BZPOPMAX, BZMPOP, and ZRANDMEMBER.

use super::{reply_member, zset_at, zset_read, zset_write, Cursor};
use crate::config::special::notify;
use crate::db::change::{ev, Event, KeyWrite};
use crate::ds::listpack::LpValue;
use crate::error::Error;
use crate::object::ValueType;
use crate::resp::ReplyBuf;
use crate::server::{CmdResult, Ctx};
use crate::util::num::parse_i64;
use crate::util::rand_below;

// ---------------------------------------------------------------------------
// ZPOP family
// ---------------------------------------------------------------------------

/// How a pop replies (the flags of `genericZpopCommand`).
#[derive(Clone, Copy)]
struct PopShape {
    /// Also reply the key name (blocking pops, ZMPOP).
    emitkey: bool,
    /// Member,score pairs as 2-element arrays.
    nested: bool,
    /// A null array rather than an empty one when no key has data.
    nil_when_empty: bool,
}

/// Pops from the first non-empty key of `keys` (`genericZpopCommand`).
/// `count` is -1 for a plain single pop. Returns the key popped from and
/// its length before the pop, for propagation.
fn generic_zpop<'k>(ctx: &mut Ctx, keys: &[&'k [u8]], max: bool, count: i64, shape: PopShape) -> Result<Option<(&'k [u8], usize)>, Error> {
    let db = ctx.dbi();
    let mut found = None;
    for &k in keys {
        if zset_write(ctx.srv, db, k)?.is_some() {
            found = Some(k);
            break;
        }
    }
    let Some(key) = found else {
        if shape.nil_when_empty {
            ctx.c.reply.null_array();
        } else {
            ctx.c.reply.array_len(0);
        }
        return Ok(None);
    };
    if count == 0 {
        ctx.c.reply.array_len(0);
        return Ok(None);
    }
    let count = if count == -1 { 1 } else { count as u64 };
    let Some(zs) = zset_at(ctx.srv, db, key) else {
        return Err(Error::WrongType);
    };
    let llen = zs.len();
    let rangelen = count.min(llen as u64) as usize;
    let r = &mut ctx.c.reply;
    match (shape.nested, shape.emitkey) {
        (false, false) => r.array_len(rangelen * 2),
        (true, false) => r.array_len(rangelen),
        (false, true) => {
            r.array_len(rangelen * 2 + 1);
            r.bulk(key);
        }
        (true, true) => {
            r.array_len(2);
            r.bulk(key);
            r.array_len(rangelen);
        }
    }
    for _ in 0..rangelen {
        let Some((m, score)) = zs.pop(max) else { break };
        if shape.nested {
            r.array_len(2);
        }
        r.bulk(&m);
        r.double(score);
    }
    let emptied = zs.is_empty();
    if !emptied {
        zs.shrink_to_fit();
    }
    if emptied {
        ctx.srv.db_delete(db, key);
    }
    let event = Event::new(notify::ZSET, if max { "zpopmax" } else { "zpopmin" });
    let w = KeyWrite::new(event).also_if(emptied, ev::DEL).signal_after_first_event();
    ctx.key_modified(key, w.dirty(rangelen as u64));
    Ok(Some((key, llen)))
}

/// The argv a pop propagates as: `ZPOPMIN|ZPOPMAX key [count]`.
fn pop_argv(max: bool, key: &[u8], count: Option<u64>) -> Vec<Vec<u8>> {
    let mut v = vec![if max { b"ZPOPMAX".to_vec() } else { b"ZPOPMIN".to_vec() }, key.to_vec()];
    if let Some(c) = count {
        v.push(c.to_string().into_bytes());
    }
    v
}

/// The body of ZPOPMIN and ZPOPMAX (`zpopMinMaxCommand`).
fn zpop_minmax(ctx: &mut Ctx, max: bool) -> CmdResult {
    if ctx.argc() > 3 {
        return Err(Error::Syntax);
    }
    let count = match ctx.argv.get(2) {
        Some(a) => parse_i64(a).filter(|v| *v >= 0).ok_or(Error::NotPositive)?,
        None => -1,
    };
    let shape = PopShape {
        emitkey: false,
        nested: ctx.c.reply.resp > 2 && count != -1,
        nil_when_empty: false,
    };
    let key = ctx.argv[1];
    generic_zpop(ctx, &[key], max, count, shape)?;
    Ok(())
}

/// `ZPOPMIN key [count]`
pub fn zpopmin_command(ctx: &mut Ctx) -> CmdResult {
    zpop_minmax(ctx, false)
}

/// `ZPOPMAX key [count]`
pub fn zpopmax_command(ctx: &mut Ctx) -> CmdResult {
    zpop_minmax(ctx, true)
}

/// The body of BZPOPMIN, BZPOPMAX and BZMPOP (`blockingGenericZpopCommand`):
/// pops like the non-blocking form when a key has data, else blocks.
fn blocking_zpop(ctx: &mut Ctx, keys: &[&[u8]], max: bool, timeout_idx: usize, count: i64, shape: PopShape) -> CmdResult {
    let deadline = crate::blocked::parse_timeout(ctx.argv[timeout_idx])?;
    let db = ctx.dbi();
    for &k in &ctx.keys_to_serve(keys) {
        match zset_write(ctx.srv, db, k)? {
            Some(z) if !z.is_empty() => {}
            _ => continue,
        }
        if let Some((key, llen)) = generic_zpop(ctx, &[k], max, count, shape)? {
            let n = if count == -1 { None } else { Some((count as u64).min(llen as u64)) };
            ctx.propagate_as(pop_argv(max, key, n));
        }
        return Ok(());
    }
    if ctx.deny_blocking() {
        ctx.c.reply.null_array();
        return Ok(());
    }
    ctx.srv.block_for_keys(ctx.c, ctx.argv, keys, deadline, ValueType::ZSet);
    Ok(())
}

/// `BZPOPMIN key [key ...] timeout`
pub fn bzpopmin_command(ctx: &mut Ctx) -> CmdResult {
    let argc = ctx.argc();
    let keys = &ctx.argv[1..argc - 1];
    blocking_zpop(
        ctx,
        keys,
        false,
        argc - 1,
        -1,
        PopShape {
            emitkey: true,
            nested: false,
            nil_when_empty: false,
        },
    )
}

/// `BZPOPMAX key [key ...] timeout`
pub fn bzpopmax_command(ctx: &mut Ctx) -> CmdResult {
    let argc = ctx.argc();
    let keys = &ctx.argv[1..argc - 1];
    blocking_zpop(
        ctx,
        keys,
        true,
        argc - 1,
        -1,
        PopShape {
            emitkey: true,
            nested: false,
            nil_when_empty: false,
        },
    )
}

/// The body of ZMPOP and BZMPOP (`zmpopGenericCommand`).
fn zmpop_generic(ctx: &mut Ctx, numkeys_idx: usize, blocking: bool) -> CmdResult {
    let argv = ctx.argv;
    let argc = argv.len();
    let numkeys = parse_i64(argv[numkeys_idx])
        .filter(|v| *v >= 1)
        .ok_or(Error::err("ERR numkeys should be greater than 0"))?;
    let where_idx = (numkeys as u64).saturating_add(numkeys_idx as u64 + 1);
    if where_idx >= argc as u64 {
        return Err(Error::Syntax);
    }
    let where_idx = where_idx as usize;
    let max = if argv[where_idx].eq_ignore_ascii_case(b"min") {
        false
    } else if argv[where_idx].eq_ignore_ascii_case(b"max") {
        true
    } else {
        return Err(Error::Syntax);
    };
    let mut count = -1i64;
    let mut j = where_idx + 1;
    while j < argc {
        let more = argc - 1 - j;
        if count == -1 && argv[j].eq_ignore_ascii_case(b"count") && more > 0 {
            j += 1;
            count = parse_i64(argv[j])
                .filter(|v| *v >= 1)
                .ok_or(Error::err("ERR count should be greater than 0"))?;
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    if count == -1 {
        count = 1;
    }
    let keys = &argv[numkeys_idx + 1..where_idx];
    let shape = PopShape {
        emitkey: true,
        nested: true,
        nil_when_empty: true,
    };
    if blocking {
        return blocking_zpop(ctx, keys, max, 1, count, shape);
    }
    if let Some((key, llen)) = generic_zpop(ctx, keys, max, count, shape)? {
        ctx.propagate_as(pop_argv(max, key, Some((count as u64).min(llen as u64))));
    }
    Ok(())
}

/// `ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]`
pub fn zmpop_command(ctx: &mut Ctx) -> CmdResult {
    zmpop_generic(ctx, 1, false)
}

/// `BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]`
pub fn bzmpop_command(ctx: &mut Ctx) -> CmdResult {
    zmpop_generic(ctx, 2, true)
}

// ---------------------------------------------------------------------------
// ZRANDMEMBER
// ---------------------------------------------------------------------------

/// One element of a ZRANDMEMBER reply.
fn reply_pick(r: &mut ReplyBuf, m: &LpValue<'_>, score: f64, withscores: bool) {
    if withscores && r.resp > 2 {
        r.array_len(2);
    }
    reply_member(r, m);
    if withscores {
        r.double(score);
    }
}

/// ZRANDMEMBER with a count (`zrandmemberWithCountCommand`).
fn zrandmember_with_count(ctx: &mut Ctx, l: i64, withscores: bool) -> CmdResult {
    let db = ctx.dbi();
    let Some(zs) = zset_read(ctx.srv, db, ctx.argv[1])? else {
        ctx.c.reply.array_len(0);
        return Ok(());
    };
    let size = zs.len();
    let uniq = l >= 0;
    let count = l.unsigned_abs() as usize;
    let r = &mut ctx.c.reply;
    if count == 0 {
        r.array_len(0);
        return Ok(());
    }
    let header = |r: &mut ReplyBuf, n: usize| {
        if withscores && r.resp == 2 {
            r.array_len(n * 2);
        } else {
            r.array_len(n);
        }
    };

    // Case 1: repetitions allowed (negative count) or a single element.
    if !uniq || count == 1 {
        header(r, count);
        if zs.is_listpack() {
            let all = zs.all_cursors();
            for _ in 0..count {
                let c = all[rand_below(all.len() as u64) as usize];
                reply_pick(r, &c.member(), c.score(), withscores);
            }
        } else {
            for _ in 0..count {
                if let Some((m, score)) = zs.random_element() {
                    reply_pick(r, &m, score, withscores);
                }
            }
        }
        return Ok(());
    }

    // Case 2: the whole set (walked from the highest, like Redis).
    if count >= size {
        header(r, size);
        for c in zs.cursor_iter(true) {
            reply_pick(r, &c.member(), c.score(), withscores);
        }
        return Ok(());
    }
    header(r, count);

    // Case 3: most of the set: drop random elements until `count` remain.
    if count * 3 > size {
        let mut all: Vec<Cursor<'_>> = zs.all_cursors();
        while all.len() > count {
            let i = rand_below(all.len() as u64) as usize;
            all.swap_remove(i);
        }
        for c in all {
            reply_pick(r, &c.member(), c.score(), withscores);
        }
        return Ok(());
    }

    // Case 4: few elements of a big set.
    if zs.is_listpack() {
        // Selection sampling: one pass, each element kept with probability
        // needed / remaining (lpRandomPairsUnique).
        let all = zs.all_cursors();
        let mut needed = count;
        for (i, c) in all.iter().enumerate() {
            if needed == 0 {
                break;
            }
            let remaining = all.len() - i;
            if (rand_below(remaining as u64) as usize) < needed {
                reply_pick(r, &c.member(), c.score(), withscores);
                needed -= 1;
            }
        }
        return Ok(());
    }
    let mut picked: std::collections::HashSet<&[u8]> = std::collections::HashSet::with_capacity(count);
    while picked.len() < count {
        let Some((m, score)) = zs.random_element() else { break };
        let LpValue::Str(b) = m else { continue };
        if picked.insert(b) {
            reply_pick(r, &m, score, withscores);
        }
    }
    Ok(())
}

/// `ZRANDMEMBER key [count [WITHSCORES]]`
pub fn zrandmember_command(ctx: &mut Ctx) -> CmdResult {
    let argc = ctx.argc();
    if argc >= 3 {
        let l = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
        if l == i64::MIN {
            return Err(Error::err(
                "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
            ));
        }
        if argc > 4 || (argc == 4 && !ctx.argv[3].eq_ignore_ascii_case(b"withscores")) {
            return Err(Error::Syntax);
        }
        let withscores = argc == 4;
        if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
            return Err(Error::err("ERR value is out of range"));
        }
        return zrandmember_with_count(ctx, l, withscores);
    }
    let db = ctx.dbi();
    match zset_read(ctx.srv, db, ctx.argv[1])?.and_then(|z| z.random_element()) {
        Some((m, _)) => reply_member(&mut ctx.c.reply, &m),
        None => ctx.c.reply.null(),
    }
    Ok(())
}
