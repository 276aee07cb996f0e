//! Sorted set commands (t_zset.c): ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE,
//! ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, ZREMRANGEBY*, the ZRANGE
//! family with ZRANGESTORE, and ZSCAN.

use super::{parse_lex_range, parse_score_range, reply_member, zadd, zset_at, zset_read, zset_write, Cursor, Limits, ZSet};
use crate::config::special::notify;
use crate::db::change::{ev, Event, KeyWrite};
use crate::db::keyspace::{parse_cursor, parse_scan_opts};
use crate::ds::listpack::LpValue;
use crate::error::Error;
use crate::object::{NewValue, Obj};
use crate::resp::ReplyBuf;
use crate::server::{CmdResult, Ctx};
use crate::util::glob::glob_match;
use crate::util::num::{parse_f64, parse_i64};

// ---------------------------------------------------------------------------
// ZADD / ZINCRBY / ZREM
// ---------------------------------------------------------------------------

/// The body of ZADD and ZINCRBY (`zaddGenericCommand`).
fn zadd_generic(ctx: &mut Ctx, mut flags: u32) -> CmdResult {
    let key = ctx.argv[1];
    let mut ch = false;
    let mut scoreidx = 2;
    while scoreidx < ctx.argc() {
        let opt = ctx.argv[scoreidx];
        if opt.eq_ignore_ascii_case(b"nx") {
            flags |= zadd::NX;
        } else if opt.eq_ignore_ascii_case(b"xx") {
            flags |= zadd::XX;
        } else if opt.eq_ignore_ascii_case(b"ch") {
            ch = true;
        } else if opt.eq_ignore_ascii_case(b"incr") {
            flags |= zadd::INCR;
        } else if opt.eq_ignore_ascii_case(b"gt") {
            flags |= zadd::GT;
        } else if opt.eq_ignore_ascii_case(b"lt") {
            flags |= zadd::LT;
        } else {
            break;
        }
        scoreidx += 1;
    }
    let incr = flags & zadd::INCR != 0;
    let nx = flags & zadd::NX != 0;
    let xx = flags & zadd::XX != 0;
    let gt = flags & zadd::GT != 0;
    let lt = flags & zadd::LT != 0;
    let elements = ctx.argc() - scoreidx;
    if !elements.is_multiple_of(2) || elements == 0 {
        return Err(Error::Syntax);
    }
    let elements = elements / 2;
    if nx && xx {
        return Err(Error::err("ERR XX and NX options at the same time are not compatible"));
    }
    if (nx && (gt || lt)) || (gt && lt) {
        return Err(Error::err("ERR GT, LT, and/or NX options at the same time are not compatible"));
    }
    if incr && elements > 1 {
        return Err(Error::err("ERR INCR option supports a single increment-element pair"));
    }
    let mut scores = Vec::with_capacity(elements);
    for j in 0..elements {
        scores.push(parse_f64(ctx.argv[scoreidx + 2 * j]).ok_or(Error::NotFloat)?);
    }
    let db = ctx.dbi();
    let lim = Limits::of(ctx.srv);
    let exists = zset_write(ctx.srv, db, key)?.is_some();
    let (mut added, mut updated, mut processed) = (0u64, 0u64, 0u64);
    let mut score = 0.0;
    if !exists && !xx {
        let zs = if lim.entries == 0 || lim.value < ctx.argv[scoreidx + 1].len() {
            ZSet::new_skiplist()
        } else {
            ZSet::new_listpack()
        };
        ctx.srv.db_add(db, key, NewValue::Obj(Box::new(Obj::ZSet(zs))));
    }
    if exists || !xx {
        let zs = zset_at(ctx.srv, db, key).ok_or(Error::WrongType)?;
        for (j, &s) in scores.iter().enumerate() {
            let ele = ctx.argv[scoreidx + 1 + 2 * j];
            let Some(out) = zs.add(s, ele, flags, &lim) else {
                zs.shrink_to_fit();
                return Err(Error::err("ERR resulting score is not a number (NaN)"));
            };
            added += u64::from(out.added);
            updated += u64::from(out.updated);
            if !out.nop {
                processed += 1;
            }
            score = out.newscore;
        }
        zs.shrink_to_fit();
    }
    if incr {
        if processed > 0 {
            ctx.c.reply.double(score);
        } else {
            ctx.c.reply.null();
        }
    } else {
        ctx.c.reply.int((if ch { added + updated } else { added }) as i64);
    }
    if added > 0 || updated > 0 {
        let event = Event::new(notify::ZSET, if incr { "zincr" } else { "zadd" });
        ctx.key_modified(key, KeyWrite::new(event).dirty(added + updated));
    }
    Ok(())
}

/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]`
pub fn zadd_command(ctx: &mut Ctx) -> CmdResult {
    zadd_generic(ctx, 0)
}

/// `ZINCRBY key increment member`
pub fn zincrby_command(ctx: &mut Ctx) -> CmdResult {
    zadd_generic(ctx, zadd::INCR)
}

/// `ZREM key member [member ...]`
pub fn zrem_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(zs) = zset_write(ctx.srv, db, key)? else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    let mut deleted = 0u64;
    let mut emptied = false;
    for &m in &ctx.argv[2..] {
        if zs.remove(m) {
            deleted += 1;
        }
        if zs.is_empty() {
            emptied = true;
            break;
        }
    }
    if emptied {
        ctx.srv.db_delete(db, key);
    } else {
        zs.shrink_to_fit();
    }
    if deleted > 0 {
        let w = KeyWrite::new(Event::new(notify::ZSET, "zrem")).also_if(emptied, ev::DEL);
        ctx.key_modified(key, w.notify_first().dirty(deleted));
    }
    ctx.c.reply.int(deleted as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RangeType {
    Auto,
    Rank,
    Score,
    Lex,
}

/// A parsed range of one of the three kinds.
enum Range {
    Rank(i64, i64),
    Score(crate::ds::skiplist::RangeSpec),
    Lex(crate::ds::skiplist::LexRange),
}

/// Clamps a rank range to a set of `len` elements like Redis does: None
/// when empty.
fn clamp_ranks(mut start: i64, mut end: i64, len: usize) -> Option<(usize, usize)> {
    let llen = len as i64;
    if start < 0 {
        start += llen;
    }
    if end < 0 {
        end += llen;
    }
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        return None;
    }
    if end >= llen {
        end = llen - 1;
    }
    Some((start as usize, end as usize))
}

/// The body of ZREMRANGEBY* (`zremrangeGenericCommand`).
fn zremrange_generic(ctx: &mut Ctx, kind: RangeType) -> CmdResult {
    let (range, event) = match kind {
        RangeType::Score => (Range::Score(parse_score_range(ctx.argv[2], ctx.argv[3])?), "zremrangebyscore"),
        RangeType::Lex => (Range::Lex(parse_lex_range(ctx.argv[2], ctx.argv[3])?), "zremrangebylex"),
        _ => {
            let start = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
            let end = parse_i64(ctx.argv[3]).ok_or(Error::NotInteger)?;
            (Range::Rank(start, end), "zremrangebyrank")
        }
    };
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(zs) = zset_write(ctx.srv, db, key)? else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    let deleted = match &range {
        Range::Rank(start, end) => match clamp_ranks(*start, *end, zs.len()) {
            None => {
                ctx.c.reply.int(0);
                return Ok(());
            }
            Some((s, e)) => zs.delete_rank_range(s, e),
        },
        Range::Score(r) => zs.delete_score_range(r),
        Range::Lex(r) => zs.delete_lex_range(r),
    };
    let emptied = zs.is_empty();
    if emptied {
        ctx.srv.db_delete(db, key);
    } else {
        zs.shrink_to_fit();
    }
    if deleted > 0 {
        let w = KeyWrite::new(Event::new(notify::ZSET, event)).also_if(emptied, ev::DEL);
        ctx.key_modified(key, w.dirty(deleted as u64));
    }
    ctx.c.reply.int(deleted as i64);
    Ok(())
}

/// `ZREMRANGEBYRANK key start stop`
pub fn zremrangebyrank_command(ctx: &mut Ctx) -> CmdResult {
    zremrange_generic(ctx, RangeType::Rank)
}

/// `ZREMRANGEBYSCORE key min max`
pub fn zremrangebyscore_command(ctx: &mut Ctx) -> CmdResult {
    zremrange_generic(ctx, RangeType::Score)
}

/// `ZREMRANGEBYLEX key min max`
pub fn zremrangebylex_command(ctx: &mut Ctx) -> CmdResult {
    zremrange_generic(ctx, RangeType::Lex)
}

// ---------------------------------------------------------------------------
// Single-key reads
// ---------------------------------------------------------------------------

/// `ZCARD key`
pub fn zcard_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let n = zset_read(ctx.srv, db, ctx.argv[1])?.map_or(0, |z| z.len());
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `ZSCORE key member`
pub fn zscore_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    match zset_read(ctx.srv, db, ctx.argv[1])?.and_then(|z| z.score(ctx.argv[2])) {
        Some(s) => ctx.c.reply.double(s),
        None => ctx.c.reply.null(),
    }
    Ok(())
}

/// `ZMSCORE key member [member ...]`
pub fn zmscore_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let zs = zset_read(ctx.srv, db, ctx.argv[1])?;
    let r = &mut ctx.c.reply;
    r.array_len(ctx.argv.len() - 2);
    for &m in &ctx.argv[2..] {
        match zs.and_then(|z| z.score(m)) {
            Some(s) => r.double(s),
            None => r.null(),
        }
    }
    Ok(())
}

/// The body of ZRANK and ZREVRANK.
fn zrank_generic(ctx: &mut Ctx, rev: bool) -> CmdResult {
    let db = ctx.dbi();
    match zset_read(ctx.srv, db, ctx.argv[1])?.and_then(|z| z.rank(ctx.argv[2], rev)) {
        Some(r) => ctx.c.reply.int(r as i64),
        None => ctx.c.reply.null(),
    }
    Ok(())
}

/// `ZRANK key member`
pub fn zrank_command(ctx: &mut Ctx) -> CmdResult {
    zrank_generic(ctx, false)
}

/// `ZREVRANK key member`
pub fn zrevrank_command(ctx: &mut Ctx) -> CmdResult {
    zrank_generic(ctx, true)
}

/// `ZCOUNT key min max`
pub fn zcount_command(ctx: &mut Ctx) -> CmdResult {
    let r = parse_score_range(ctx.argv[2], ctx.argv[3])?;
    let db = ctx.dbi();
    let n = zset_read(ctx.srv, db, ctx.argv[1])?.map_or(0, |z| z.count_in_range(&r));
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `ZLEXCOUNT key min max`
pub fn zlexcount_command(ctx: &mut Ctx) -> CmdResult {
    let r = parse_lex_range(ctx.argv[2], ctx.argv[3])?;
    let db = ctx.dbi();
    let n = zset_read(ctx.srv, db, ctx.argv[1])?.map_or(0, |z| z.count_in_lex(&r));
    ctx.c.reply.int(n as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// The ZRANGE family
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Direction {
    Auto,
    Forward,
    Reverse,
}

/// Elements with 0-based ranks `start..=end` (negative counts from the
/// end), highest first when `rev` (`genericZrangebyrankCommand`).
fn range_by_rank(z: &ZSet, start: i64, end: i64, rev: bool) -> Vec<(LpValue<'_>, f64)> {
    let Some((start, end)) = clamp_ranks(start, end, z.len()) else {
        return Vec::new();
    };
    let n = end - start + 1;
    std::iter::successors(z.at_rank(start, rev), |c| c.step(rev))
        .take(n)
        .map(|c| (c.member(), c.score()))
        .collect()
}

/// Walks from `first` skipping `offset` elements, then takes up to `limit`
/// (negative: all) while `in_range` holds, like the BYSCORE/BYLEX loops.
fn range_walk<'a>(
    first: Option<Cursor<'a>>,
    offset: i64,
    limit: i64,
    rev: bool,
    in_range: impl Fn(&Cursor<'a>) -> bool,
) -> Vec<(LpValue<'a>, f64)> {
    let mut c = first;
    if offset < 0 {
        // Redis counts a negative offset down until the elements run out.
        c = None;
    }
    for _ in 0..offset.max(0) {
        match c {
            Some(x) => c = x.step(rev),
            None => break,
        }
    }
    let mut out = Vec::new();
    // A negative count means no limit.
    let mut left = u64::try_from(limit).ok();
    while let Some(x) = c {
        if left == Some(0) || !in_range(&x) {
            break;
        }
        out.push((x.member(), x.score()));
        left = left.map(|n| n - 1);
        c = x.step(rev);
    }
    out
}

/// Replies with a range: flat member[,score] in RESP2, [member, score]
/// pairs in RESP3 when `withscores`.
fn reply_range(r: &mut ReplyBuf, items: &[(LpValue<'_>, f64)], withscores: bool) {
    if withscores && r.resp == 2 {
        r.array_len(items.len() * 2);
    } else {
        r.array_len(items.len());
    }
    for (m, score) in items {
        if withscores && r.resp > 2 {
            r.array_len(2);
        }
        reply_member(r, m);
        if withscores {
            r.double(*score);
        }
    }
}

/// Stores a STORE command's result at `dst`, replying with its size: an
/// empty result deletes `dst` (zrangeResultFinalizeStore and the STORE
/// part of zunionInterDiffGenericCommand). `items` are sorted ascending.
pub(crate) fn store_result(ctx: &mut Ctx, dst: &[u8], items: &[(Vec<u8>, f64)], event: &'static str) {
    let db = ctx.dbi();
    if items.is_empty() {
        ctx.c.reply.int(0);
        if ctx.srv.db_delete(db, dst) {
            ctx.key_modified(dst, ev::DEL);
        }
        return;
    }
    let lim = Limits::of(ctx.srv);
    let zs = ZSet::from_sorted(items, &lim);
    ctx.srv.set_key(db, dst, NewValue::Obj(Box::new(Obj::ZSet(zs))), false);
    ctx.c.reply.int(items.len() as i64);
    ctx.key_modified(dst, Event::new(notify::ZSET, event));
}

/// The ZRANGE family and ZRANGESTORE (`zrangeGenericCommand`): `argc_start`
/// is the source key's position; `store` means ZRANGESTORE.
fn zrange_generic(ctx: &mut Ctx, argc_start: usize, store: bool, mut kind: RangeType, mut dir: Direction) -> CmdResult {
    let argc = ctx.argc();
    let key = ctx.argv[argc_start];
    let (mut minidx, mut maxidx) = (argc_start + 1, argc_start + 2);
    let mut withscores = false;
    let (mut offset, mut limit) = (0i64, -1i64);
    let mut j = argc_start + 3;
    while j < argc {
        let left = argc - j - 1;
        let a = ctx.argv[j];
        if !store && a.eq_ignore_ascii_case(b"withscores") {
            withscores = true;
        } else if a.eq_ignore_ascii_case(b"limit") && left >= 2 {
            offset = parse_i64(ctx.argv[j + 1]).ok_or(Error::NotInteger)?;
            limit = parse_i64(ctx.argv[j + 2]).ok_or(Error::NotInteger)?;
            j += 2;
        } else if dir == Direction::Auto && a.eq_ignore_ascii_case(b"rev") {
            dir = Direction::Reverse;
        } else if kind == RangeType::Auto && a.eq_ignore_ascii_case(b"bylex") {
            kind = RangeType::Lex;
        } else if kind == RangeType::Auto && a.eq_ignore_ascii_case(b"byscore") {
            kind = RangeType::Score;
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    if dir == Direction::Auto {
        dir = Direction::Forward;
    }
    if kind == RangeType::Auto {
        kind = RangeType::Rank;
    }
    if limit != -1 && kind == RangeType::Rank {
        return Err(Error::err(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if withscores && kind == RangeType::Lex {
        return Err(Error::err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
    }
    let rev = dir == Direction::Reverse;
    if rev && kind != RangeType::Rank {
        std::mem::swap(&mut minidx, &mut maxidx);
    }
    let range = match kind {
        RangeType::Score => Range::Score(parse_score_range(ctx.argv[minidx], ctx.argv[maxidx])?),
        RangeType::Lex => Range::Lex(parse_lex_range(ctx.argv[minidx], ctx.argv[maxidx])?),
        _ => {
            let start = parse_i64(ctx.argv[minidx]).ok_or(Error::NotInteger)?;
            let end = parse_i64(ctx.argv[maxidx]).ok_or(Error::NotInteger)?;
            Range::Rank(start, end)
        }
    };
    let db = ctx.dbi();
    let Some(zs) = zset_read(ctx.srv, db, key)? else {
        if store {
            store_result(ctx, ctx.argv[1], &[], "zrangestore");
        } else {
            ctx.c.reply.array_len(0);
        }
        return Ok(());
    };
    let items = match &range {
        Range::Rank(start, end) => range_by_rank(zs, *start, *end, rev),
        Range::Score(r) => {
            if offset > 0 && offset as u64 >= zs.len() as u64 {
                Vec::new()
            } else {
                let first = if rev { zs.last_in_range(r) } else { zs.first_in_range(r) };
                range_walk(first, offset, limit, rev, |c| {
                    if rev {
                        r.value_gte_min(c.score())
                    } else {
                        r.value_lte_max(c.score())
                    }
                })
            }
        }
        Range::Lex(r) => {
            let first = if rev { zs.last_in_lex(r) } else { zs.first_in_lex(r) };
            range_walk(first, offset, limit, rev, |c| {
                let mut buf = [0u8; crate::util::num::LONG_STR_SIZE];
                let m = c.member();
                let b = super::member_bytes(&m, &mut buf);
                if rev {
                    r.value_gte_min(b)
                } else {
                    r.value_lte_max(b)
                }
            })
        }
    };
    if store {
        let mut owned: Vec<(Vec<u8>, f64)> = items.iter().map(|(m, s)| (m.to_vec(), *s)).collect();
        if rev {
            owned.reverse();
        }
        store_result(ctx, ctx.argv[1], &owned, "zrangestore");
    } else {
        reply_range(&mut ctx.c.reply, &items, withscores);
    }
    Ok(())
}

/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`
pub fn zrange_command(ctx: &mut Ctx) -> CmdResult {
    zrange_generic(ctx, 1, false, RangeType::Auto, Direction::Auto)
}

/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`
pub fn zrangestore_command(ctx: &mut Ctx) -> CmdResult {
    zrange_generic(ctx, 2, true, RangeType::Auto, Direction::Auto)
}

/// `ZREVRANGE key start stop [WITHSCORES]`
pub fn zrevrange_command(ctx: &mut Ctx) -> CmdResult {
    zrange_generic(ctx, 1, false, RangeType::Rank, Direction::Reverse)
}

/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]`
pub fn zrangebyscore_command(ctx: &mut Ctx) -> CmdResult {
    zrange_generic(ctx, 1, false, RangeType::Score, Direction::Forward)
}

/// `ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]`
pub fn zrevrangebyscore_command(ctx: &mut Ctx) -> CmdResult {
    zrange_generic(ctx, 1, false, RangeType::Score, Direction::Reverse)
}

/// `ZRANGEBYLEX key min max [LIMIT offset count]`
pub fn zrangebylex_command(ctx: &mut Ctx) -> CmdResult {
    zrange_generic(ctx, 1, false, RangeType::Lex, Direction::Forward)
}

/// `ZREVRANGEBYLEX key max min [LIMIT offset count]`
pub fn zrevrangebylex_command(ctx: &mut Ctx) -> CmdResult {
    zrange_generic(ctx, 1, false, RangeType::Lex, Direction::Reverse)
}

// ---------------------------------------------------------------------------
// ZSCAN
// ---------------------------------------------------------------------------

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`
pub fn zscan_command(ctx: &mut Ctx) -> CmdResult {
    let cursor = parse_cursor(ctx.argv[2])?;
    let db = ctx.dbi();
    let Some(zs) = zset_read(ctx.srv, db, ctx.argv[1])? else {
        ctx.c.reply.raw(b"*2\r\n$1\r\n0\r\n*0\r\n");
        return Ok(());
    };
    let opts = parse_scan_opts(&ctx.argv[3..], false)?;
    let mut items = Vec::new();
    let next = zs.scan(cursor, opts.count, &mut items);
    let r = &mut ctx.c.reply;
    let kept: Vec<&[u8]> = items
        .chunks(2)
        .filter(|p| opts.pattern.is_none_or(|pat| glob_match(pat, &p[0], false)))
        .flat_map(|p| p.iter().map(|v| v.as_slice()))
        .collect();
    r.array_len(2);
    r.bulk(next.to_string().as_bytes());
    r.array_len(kept.len());
    for v in kept {
        r.bulk(v);
    }
    Ok(())
}
