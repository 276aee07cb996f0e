//! Stream entry commands (t_stream.c): XADD, XRANGE, XREVRANGE, XLEN,
//! XDEL, XTRIM, XSETID and XINFO, with the reply helpers the consumer
//! group commands share.

use super::groups::{cstr, lookup_stream_read, lookup_stream_write, must_obey, stream_at, subcommand_syntax_error};
use super::{
    parse_id_full, parse_range_end, parse_range_start, parse_strict_id, AppendError, Entry, Group, NodeLimits, ParsedId, Stream, StreamId,
    Trim, TrimBy, INVALID_ENTRIES_READ,
};
use crate::config::special::notify;
use crate::db::change::{Event, KeyWrite};
use crate::ds::listpack::LpValue;
use crate::error::Error;
use crate::resp::ReplyBuf;
use crate::server::{CmdResult, Ctx};
use crate::util::num::parse_i64;

const XADD: Event = Event::new(notify::STREAM, "xadd");
const XTRIM: Event = Event::new(notify::STREAM, "xtrim");

// ---------------------------------------------------------------------------
// Reply helpers
// ---------------------------------------------------------------------------

/// An ID as a bulk string (`addReplyStreamID`).
pub(crate) fn reply_id(r: &mut ReplyBuf, id: StreamId) {
    let mut buf = Vec::with_capacity(41);
    id.write_to(&mut buf);
    r.bulk(&buf);
}

fn reply_value(r: &mut ReplyBuf, v: LpValue<'_>) {
    match v {
        LpValue::Str(s) => r.bulk(s),
        LpValue::Int(i) => r.bulk_i64(i),
    }
}

/// An entry: `[id, [field, value, ...]]`.
pub(crate) fn reply_entry(r: &mut ReplyBuf, e: &Entry<'_>) {
    r.array_len(2);
    reply_id(r, e.id);
    r.array_len(e.numfields() * 2);
    for (f, v) in e.fields() {
        reply_value(r, f);
        reply_value(r, v);
    }
}

// ---------------------------------------------------------------------------
// XADD, XTRIM
// ---------------------------------------------------------------------------

/// Parsed XADD/XTRIM options (`streamAddTrimArgs`).
struct AddTrimArgs {
    /// The explicit ID of XADD; None for `*`.
    id: Option<ParsedId>,
    no_mkstream: bool,
    trim: Option<Trim>,
    /// Where the MAXLEN/MINID value is, for rewriting `~` trims.
    trim_arg_idx: usize,
    /// XADD: where the ID is.
    idpos: usize,
}

/// Parses the options of XADD (`xadd`) or XTRIM
/// (`streamParseAddOrTrimArgsOrReply`).
fn parse_add_or_trim(ctx: &Ctx, xadd: bool) -> Result<AddTrimArgs, Error> {
    let argc = ctx.argc();
    let mut args = AddTrimArgs {
        id: None,
        no_mkstream: false,
        trim: None,
        trim_arg_idx: 0,
        idpos: 0,
    };
    let mut by: Option<TrimBy> = None;
    let mut approx = false;
    let mut limit: i64 = 0;
    let mut limit_given = false;
    let mut i = 2;
    while i < argc {
        let moreargs = argc - 1 - i;
        let opt = ctx.argv[i];
        if xadd && opt == b"*" {
            break;
        } else if (opt.eq_ignore_ascii_case(b"maxlen") || opt.eq_ignore_ascii_case(b"minid")) && moreargs > 0 {
            if by.is_some() {
                return Err(Error::err(
                    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            let maxlen = opt.eq_ignore_ascii_case(b"maxlen");
            approx = false;
            let next = ctx.argv[i + 1];
            if moreargs >= 2 && next == b"~" {
                approx = true;
                i += 1;
            } else if moreargs >= 2 && next == b"=" {
                i += 1;
            }
            if maxlen {
                let n = parse_i64(ctx.argv[i + 1]).ok_or(Error::NotInteger)?;
                if n < 0 {
                    return Err(Error::err("ERR The MAXLEN argument must be >= 0."));
                }
                by = Some(TrimBy::MaxLen(n as u64));
            } else {
                by = Some(TrimBy::MinId(parse_strict_id(ctx.argv[i + 1])?));
            }
            i += 1;
            args.trim_arg_idx = i;
        } else if opt.eq_ignore_ascii_case(b"limit") && moreargs > 0 {
            limit = parse_i64(ctx.argv[i + 1]).ok_or(Error::NotInteger)?;
            if limit < 0 {
                return Err(Error::err("ERR The LIMIT argument must be >= 0."));
            }
            limit_given = true;
            i += 1;
        } else if xadd && opt.eq_ignore_ascii_case(b"nomkstream") {
            args.no_mkstream = true;
        } else if xadd {
            // Either the ID or a syntax error.
            args.id = Some(parse_id_full(opt, 0, true, true)?);
            break;
        } else {
            return Err(Error::Syntax);
        }
        i += 1;
    }
    args.idpos = i;
    if limit != 0 && by.is_none() {
        return Err(Error::err(
            "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    let Some(by) = by else {
        if !xadd {
            return Err(Error::err("ERR syntax error, XTRIM must be called with a trimming strategy"));
        }
        return Ok(args);
    };
    if must_obey(ctx) {
        // Replayed trims were rewritten to be exact.
        limit = 0;
    } else if limit_given {
        if !approx {
            return Err(Error::err("ERR syntax error, LIMIT cannot be used without the special ~ option"));
        }
    } else if approx {
        // At most 100 nodes' worth of work by default.
        limit = ctx.srv.cfg.stream_node_max_entries.saturating_mul(100);
        if limit <= 0 {
            limit = 10000;
        }
        limit = limit.min(1_000_000);
    } else {
        limit = 0;
    }
    args.trim = Some(Trim { by, approx, limit });
    Ok(args)
}

/// After a `~` trim, what to propagate instead of it: `=` and the
/// resulting length or first ID (`streamRewriteTrimArgument`).
fn rewrite_approx_trim(argv: &mut [Vec<u8>], idx: usize, s: &Stream, by: TrimBy) {
    if idx == 0 || idx >= argv.len() {
        return;
    }
    argv[idx - 1] = b"=".to_vec();
    argv[idx] = match by {
        TrimBy::MaxLen(_) => s.length().to_string().into_bytes(),
        TrimBy::MinId(_) => s.edge_id(true, false).to_bytes(),
    };
}

/// `XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]]
/// *|id field value [field value ...]`
pub fn xadd_command(ctx: &mut Ctx) -> CmdResult {
    let args = parse_add_or_trim(ctx, true)?;
    let argc = ctx.argc();
    let field_pos = args.idpos + 1;
    if argc < field_pos + 2 || (argc - field_pos) % 2 == 1 {
        return Err(Error::WrongArity(ctx.cmd.fullname.clone()));
    }
    if let Some(p) = args.id {
        if p.seq_given && p.id.is_zero() {
            return Err(Error::err("ERR The ID specified in XADD must be greater than 0-0"));
        }
    }
    let db = ctx.dbi();
    let key = ctx.argv[1];
    if lookup_stream_write(ctx.srv, db, key)?.is_none() {
        if args.no_mkstream {
            ctx.c.reply.null();
            return Ok(());
        }
        super::groups::create_stream(ctx.srv, db, key);
    }
    let limits = NodeLimits::of(ctx.srv);
    let Some(s) = stream_at(ctx.srv, db, key) else {
        return Err(Error::WrongType);
    };
    if s.last_id == StreamId::MAX {
        return Err(Error::err(
            "ERR The stream has exhausted the last possible ID, unable to add more items",
        ));
    }
    let id = match s.append(&ctx.argv[field_pos..], args.id, limits) {
        Ok(id) => id,
        Err(AppendError::IdTooSmall) => {
            return Err(Error::err(
                "ERR The ID specified in XADD is equal or smaller than the target stream top item",
            ))
        }
        Err(AppendError::TooLarge) => return Err(Error::err("ERR Elements are too large to be stored")),
    };
    let idbytes = id.to_bytes();
    ctx.c.reply.bulk(&idbytes);

    let mut argv: Option<Vec<Vec<u8>>> = None;
    let mut trimmed = false;
    if let Some(t) = args.trim {
        if let Some(s) = stream_at(ctx.srv, db, key) {
            let removed = s.trim(&t);
            if t.approx {
                let v = argv.get_or_insert_with(|| ctx.argv.iter().map(|a| a.to_vec()).collect());
                rewrite_approx_trim(v, args.trim_arg_idx, s, t.by);
            }
            trimmed = removed > 0;
        }
    }
    ctx.key_modified(key, KeyWrite::new(XADD).also_if(trimmed, XTRIM));
    if args.id.is_none_or(|p| !p.seq_given) {
        // Propagate the ID that was generated.
        let v = argv.get_or_insert_with(|| ctx.argv.iter().map(|a| a.to_vec()).collect());
        v[args.idpos] = idbytes;
    }
    if let Some(v) = argv {
        ctx.propagate_as(v);
    }
    ctx.srv.signal_key_as_ready(db, key);
    Ok(())
}

/// `XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]`
pub fn xtrim_command(ctx: &mut Ctx) -> CmdResult {
    let args = parse_add_or_trim(ctx, false)?;
    let Some(t) = args.trim else {
        return Err(Error::Syntax);
    };
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(s) = lookup_stream_write(ctx.srv, db, key)? else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    let removed = s.trim(&t);
    if removed > 0 {
        if t.approx {
            let mut v: Vec<Vec<u8>> = ctx.argv.iter().map(|a| a.to_vec()).collect();
            rewrite_approx_trim(&mut v, args.trim_arg_idx, s, t.by);
            ctx.propagate_as(v);
        }
        ctx.key_modified(key, KeyWrite::new(XTRIM).notify_first().dirty(removed));
    }
    ctx.c.reply.int(removed as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// XRANGE, XREVRANGE, XLEN, XDEL
// ---------------------------------------------------------------------------

/// XRANGE and XREVRANGE (`xrangeGenericCommand`).
fn xrange_generic(ctx: &mut Ctx, rev: bool) -> CmdResult {
    let (start_arg, end_arg) = if rev {
        (ctx.argv[3], ctx.argv[2])
    } else {
        (ctx.argv[2], ctx.argv[3])
    };
    let start = parse_range_start(start_arg)?;
    let end = parse_range_end(end_arg)?;
    let mut count: i64 = -1;
    let mut j = 4;
    while j < ctx.argc() {
        if ctx.argv[j].eq_ignore_ascii_case(b"count") && j + 1 < ctx.argc() {
            count = parse_i64(ctx.argv[j + 1]).ok_or(Error::NotInteger)?.max(0);
            j += 1;
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    let db = ctx.dbi();
    let Some(s) = lookup_stream_read(ctx.srv, db, ctx.argv[1])? else {
        ctx.c.reply.array_len(0);
        return Ok(());
    };
    let r = &mut ctx.c.reply;
    if count == 0 {
        r.null_array();
        return Ok(());
    }
    let limit = usize::try_from(count).unwrap_or(usize::MAX);
    let d = r.deferred();
    let mut n = 0;
    for e in s.range(start, end, rev).take(limit) {
        reply_entry(r, &e);
        n += 1;
    }
    r.set_deferred_array(d, n);
    Ok(())
}

/// `XRANGE key start end [COUNT count]`
pub fn xrange_command(ctx: &mut Ctx) -> CmdResult {
    xrange_generic(ctx, false)
}

/// `XREVRANGE key end start [COUNT count]`
pub fn xrevrange_command(ctx: &mut Ctx) -> CmdResult {
    xrange_generic(ctx, true)
}

/// `XLEN key`
pub fn xlen_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let n = lookup_stream_read(ctx.srv, db, ctx.argv[1])?.map_or(0, |s| s.length());
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `XDEL key id [id ...]`
pub fn xdel_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(s) = lookup_stream_write(ctx.srv, db, key)? else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    // Every ID must parse before anything is deleted.
    let ids = ctx.argv[2..].iter().map(|a| parse_strict_id(a)).collect::<Result<Vec<_>, _>>()?;
    let mut deleted = 0u64;
    let mut first_entry = false;
    for id in ids {
        if s.delete(id) {
            if id == s.first_id {
                first_entry = true;
            }
            if id > s.max_deleted_id {
                s.max_deleted_id = id;
            }
            deleted += 1;
        }
    }
    if deleted > 0 {
        if s.is_empty() {
            s.first_id = StreamId::ZERO;
        } else if first_entry {
            s.first_id = s.edge_id(true, true);
        }
        ctx.key_modified(key, KeyWrite::new(Event::new(notify::STREAM, "xdel")).dirty(deleted));
    }
    ctx.c.reply.int(deleted as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// XSETID
// ---------------------------------------------------------------------------

/// `XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]`
pub fn xsetid_command(ctx: &mut Ctx) -> CmdResult {
    let id = parse_strict_id(ctx.argv[2])?;
    let mut entries_added: i64 = -1;
    let mut max_xdel = StreamId::ZERO;
    let argc = ctx.argc();
    let mut i = 3;
    while i < argc {
        let moreargs = argc - 1 - i;
        let opt = ctx.argv[i];
        if opt.eq_ignore_ascii_case(b"entriesadded") && moreargs > 0 {
            entries_added = parse_i64(ctx.argv[i + 1]).ok_or(Error::NotInteger)?;
            if entries_added < 0 {
                return Err(Error::err("ERR entries_added must be positive"));
            }
            i += 2;
        } else if opt.eq_ignore_ascii_case(b"maxdeletedid") && moreargs > 0 {
            max_xdel = parse_strict_id(ctx.argv[i + 1])?;
            if id < max_xdel {
                return Err(Error::err(
                    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                ));
            }
            i += 2;
        } else {
            return Err(Error::Syntax);
        }
    }
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(s) = lookup_stream_write(ctx.srv, db, key)? else {
        return Err(Error::NoSuchKey);
    };
    if s.length() > 0 {
        if let Some(maxid) = s.last_valid_id() {
            if id < maxid {
                return Err(Error::err(
                    "ERR The ID specified in XSETID is smaller than the target stream top item",
                ));
            }
        }
        if entries_added != -1 && s.length() > entries_added as u64 {
            return Err(Error::err(
                "ERR The entries_added specified in XSETID is smaller than the target stream length",
            ));
        }
    }
    s.last_id = id;
    if entries_added != -1 {
        s.entries_added = entries_added as u64;
    }
    if !max_xdel.is_zero() {
        s.max_deleted_id = max_xdel;
    }
    ctx.c.reply.ok();
    ctx.key_modified(key, KeyWrite::new(Event::new(notify::STREAM, "xsetid")).unsignalled());
    Ok(())
}

// ---------------------------------------------------------------------------
// XINFO
// ---------------------------------------------------------------------------

/// The stream XINFO asks about: a missing key is an error.
fn xinfo_lookup<'s>(srv: &'s mut crate::server::Server, db: usize, key: &[u8]) -> Result<&'s Stream, Error> {
    match lookup_stream_read(srv, db, key)? {
        Some(s) => Ok(s),
        None => Err(Error::NoSuchKey),
    }
}

/// A group's read counter, or null.
fn reply_entries_read(r: &mut ReplyBuf, g: &Group) {
    if g.entries_read != INVALID_ENTRIES_READ {
        r.int(g.entries_read);
    } else {
        r.null();
    }
}

/// A group's lag, or null.
fn reply_lag(r: &mut ReplyBuf, s: &Stream, g: &Group) {
    match s.group_lag(g) {
        Some(lag) => r.int(lag),
        None => r.null(),
    }
}

/// `XINFO STREAM key [FULL [COUNT count]]`
pub fn xinfo_stream_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let argv = ctx.argv;
    let s = xinfo_lookup(ctx.srv, db, argv[2])?;
    let optc = argv.len() - 3;
    let mut full = true;
    let mut count: i64 = 10;
    if optc == 0 {
        full = false;
    } else {
        if optc != 1 && optc != 3 {
            return Err(subcommand_syntax_error(argv));
        }
        if !argv[3].eq_ignore_ascii_case(b"full") {
            return Err(subcommand_syntax_error(argv));
        }
        if optc == 3 {
            if !argv[4].eq_ignore_ascii_case(b"count") {
                return Err(subcommand_syntax_error(argv));
            }
            count = parse_i64(argv[5]).ok_or(Error::NotInteger)?;
            if count < 0 {
                count = 10;
            }
        }
    }
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    let r = &mut ctx.c.reply;
    r.map_len(if full { 9 } else { 10 });
    r.bulk(b"length");
    r.int(s.length() as i64);
    r.bulk(b"radix-tree-keys");
    r.int(s.node_count() as i64);
    r.bulk(b"radix-tree-nodes");
    r.int(s.rax_node_count() as i64);
    r.bulk(b"last-generated-id");
    reply_id(r, s.last_id);
    r.bulk(b"max-deleted-entry-id");
    reply_id(r, s.max_deleted_id);
    r.bulk(b"entries-added");
    r.int(s.entries_added as i64);
    r.bulk(b"recorded-first-entry-id");
    reply_id(r, s.first_id);
    if !full {
        r.bulk(b"groups");
        r.int(s.group_count() as i64);
        r.bulk(b"first-entry");
        match s.range(StreamId::ZERO, StreamId::MAX, false).next() {
            Some(e) => reply_entry(r, &e),
            None => r.null(),
        }
        r.bulk(b"last-entry");
        match s.range(StreamId::ZERO, StreamId::MAX, true).next() {
            Some(e) => reply_entry(r, &e),
            None => r.null(),
        }
        return Ok(());
    }
    let take = if count == 0 { usize::MAX } else { count };
    r.bulk(b"entries");
    let d = r.deferred();
    let mut n = 0;
    for e in s.iter().take(take) {
        reply_entry(r, &e);
        n += 1;
    }
    r.set_deferred_array(d, n);
    r.bulk(b"groups");
    r.array_len(s.group_count());
    for (name, g) in s.groups() {
        r.map_len(7);
        r.bulk(b"name");
        r.bulk(name);
        r.bulk(b"last-delivered-id");
        reply_id(r, g.last_id);
        r.bulk(b"entries-read");
        reply_entries_read(r, g);
        r.bulk(b"lag");
        reply_lag(r, s, g);
        r.bulk(b"pel-count");
        r.int(g.pel.len() as i64);
        r.bulk(b"pending");
        let pending: Vec<_> = g.pel.iter().take(take).collect();
        r.array_len(pending.len());
        for (id, nack) in pending {
            r.array_len(4);
            reply_id(r, *id);
            r.bulk(g.owner_name(nack));
            r.int(nack.delivery_time);
            r.int(nack.delivery_count as i64);
        }
        r.bulk(b"consumers");
        r.array_len(g.consumer_count());
        for c in g.consumers() {
            r.map_len(4);
            r.bulk(b"name");
            r.bulk(&c.name);
            r.bulk(b"seen-time");
            r.int(c.seen_time);
            r.bulk(b"pel-count");
            r.int(c.pel.len() as i64);
            r.bulk(b"pending");
            let ids: Vec<_> = c.pel.iter().take(take).collect();
            r.array_len(ids.len());
            for id in ids {
                let (time, deliveries) = g.pel.get(id).map_or((0, 0), |n| (n.delivery_time, n.delivery_count));
                r.array_len(3);
                reply_id(r, *id);
                r.int(time);
                r.int(deliveries as i64);
            }
        }
    }
    Ok(())
}

/// `XINFO GROUPS key`
pub fn xinfo_groups_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let s = xinfo_lookup(ctx.srv, db, ctx.argv[2])?;
    let r = &mut ctx.c.reply;
    r.array_len(s.group_count());
    for (name, g) in s.groups() {
        r.map_len(6);
        r.bulk(b"name");
        r.bulk(name);
        r.bulk(b"consumers");
        r.int(g.consumer_count() as i64);
        r.bulk(b"pending");
        r.int(g.pel.len() as i64);
        r.bulk(b"last-delivered-id");
        reply_id(r, g.last_id);
        r.bulk(b"entries-read");
        reply_entries_read(r, g);
        r.bulk(b"lag");
        reply_lag(r, s, g);
    }
    Ok(())
}

/// `XINFO CONSUMERS key group`
pub fn xinfo_consumers_command(ctx: &mut Ctx) -> CmdResult {
    let grp = ctx.argv[3];
    let key = ctx.argv[2];
    let db = ctx.dbi();
    let s = xinfo_lookup(ctx.srv, db, key)?;
    let Some(g) = s.group(grp) else {
        return Err(Error::msg(format!(
            "NOGROUP No such consumer group '{}' for key name '{}'",
            cstr(grp),
            cstr(key)
        )));
    };
    let now = crate::util::mstime();
    let r = &mut ctx.c.reply;
    r.array_len(g.consumer_count());
    for c in g.consumers() {
        r.map_len(3);
        r.bulk(b"name");
        r.bulk(&c.name);
        r.bulk(b"pending");
        r.int(c.pel.len() as i64);
        r.bulk(b"idle");
        r.int(now.wrapping_sub(c.seen_time).max(0));
    }
    Ok(())
}

/// `XINFO HELP`
pub fn xinfo_help_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.help(
        ctx.argv[0],
        &[
            "CONSUMERS <key> <groupname>",
            "    Show consumers of <groupname>.",
            "GROUPS <key>",
            "    Show the stream consumer groups.",
            "STREAM <key> [FULL [COUNT <count>]",
            "    Show information about the stream.",
        ],
    );
    Ok(())
}
