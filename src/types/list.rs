//! Lists (t_list.c): the list type API, then its commands, including the
//! blocking pops (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP).
//!
//! Every list is a quicklist (`crate::ds::quicklist`), so OBJECT ENCODING
//! always says `quicklist`. A list takes its node fill
//! (`list-max-listpack-size`) and compression depth (`list-compress-depth`)
//! from the configuration when it is created and keeps them, as Redis does.
//!
//! Blocking commands serve data like their non-blocking sibling when a key
//! has some; otherwise they park the client (`crate::blocked`), and the
//! server runs the same command again once a key gets data.

use crate::commands::Kind;
use crate::config::special::notify;
use crate::db::change::{ev, Event, KeyWrite};
use crate::db::{lookup, KvEntry};
use crate::ds::listpack::LpValue;
use crate::ds::quicklist::{self, Quicklist, Where};
use crate::error::Error;
use crate::object::{NewValue, Obj, ValueRef, ValueType};
use crate::resp::ReplyBuf;
use crate::server::{CmdResult, Ctx, Server};
use crate::util::num::parse_i64;

// ---------------------------------------------------------------------------
// List type API
// ---------------------------------------------------------------------------

/// A list value.
#[derive(Clone, Debug, Default)]
pub struct List {
    /// Boxed so a list costs one pointer inside `Obj`, keeping every
    /// value's `Obj` small.
    ql: Box<Quicklist>,
}

/// Replies with one element.
fn reply_value(r: &mut ReplyBuf, v: LpValue<'_>) {
    match v {
        LpValue::Str(s) => r.bulk(s),
        LpValue::Int(i) => r.bulk_i64(i),
    }
}

impl List {
    /// Units active defrag counts against `active-defrag-max-scan-fields`.
    pub fn defrag_units(&self) -> usize {
        self.ql.node_count()
    }

    /// Active defrag of the list's parts from `cursor` (see
    /// `Quicklist::defrag`); returns the next cursor, 0 when done.
    pub fn defrag(&mut self, mv: &mut crate::server::defrag::Mover, cursor: u64, budget: usize) -> u64 {
        if cursor == 0 {
            mv.boxed(&mut self.ql);
        }
        self.ql.defrag(mv, cursor, budget)
    }

    /// An empty list with the given node fill and compression depth.
    pub fn new(fill: i64, compress: i64) -> List {
        List {
            ql: Box::new(Quicklist::new(fill, compress)),
        }
    }

    /// An empty list with the server's current list options
    /// (`createQuicklistObject` + `quicklistSetOptions`).
    pub fn from_config(srv: &Server) -> List {
        List::new(srv.cfg.list_max_listpack_size, srv.cfg.list_compress_depth)
    }

    /// Wraps an existing quicklist (RDB loading).
    pub fn from_quicklist(ql: Quicklist) -> List {
        List { ql: Box::new(ql) }
    }

    /// The underlying quicklist (RDB saving).
    pub fn quicklist(&self) -> &Quicklist {
        &self.ql
    }

    pub fn quicklist_mut(&mut self) -> &mut Quicklist {
        &mut self.ql
    }

    pub fn encoding_name(&self) -> &'static str {
        "quicklist"
    }

    pub fn len(&self) -> usize {
        self.ql.len()
    }

    /// Allocations to free: one per quicklist node (`lazyfreeGetFreeEffort`).
    pub fn free_effort(&self) -> usize {
        self.ql.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.ql.is_empty()
    }

    /// Mixes the elements, in order, into a DEBUG DIGEST accumulator.
    pub fn digest(&self, d: &mut [u8; 20]) {
        let mut buf = Vec::new();
        self.ql.for_each(|v| match v {
            LpValue::Str(s) => crate::debug::mix_digest(d, s),
            LpValue::Int(_) => {
                buf.clear();
                v.write_to(&mut buf);
                crate::debug::mix_digest(d, &buf);
            }
        });
    }

    /// Heap bytes used by the value (for MEMORY USAGE).
    pub fn alloc_size(&self) -> usize {
        self.ql.alloc_size()
    }

    /// The extra fields DEBUG OBJECT shows for a quicklist.
    pub fn debug_object_extra(&self) -> String {
        let nodes = self.ql.node_count();
        let avg = self.ql.len() as f64 / nodes as f64;
        format!(
            " ql_nodes:{} ql_avg_node:{:.2} ql_listpack_max:{} ql_compressed:{} ql_uncompressed_size:{}",
            nodes,
            avg,
            self.ql.fill(),
            u8::from(self.ql.compress_depth() != 0),
            self.ql.uncompressed_size()
        )
    }

    /// Calls `f` on every element, head to tail, without modifying the list.
    pub fn for_each(&self, f: impl FnMut(LpValue<'_>)) {
        self.ql.for_each(f)
    }

    /// All elements, head to tail.
    pub fn to_vec(&self) -> Vec<Vec<u8>> {
        self.ql.to_vec()
    }

    /// Adds an element at one end (`listTypePush`).
    pub fn push(&mut self, v: &[u8], wh: Where) {
        self.ql.push(v, wh);
    }

    /// Removes the element at one end (`listTypePop`).
    pub fn pop(&mut self, wh: Where) -> Option<Vec<u8>> {
        self.ql.pop(wh)
    }

    /// Calls `f` with the element at `index` (negative from the tail).
    pub fn with_index<R>(&mut self, index: i64, f: impl FnOnce(LpValue<'_>) -> R) -> Option<R> {
        self.ql.with_index(index, f)
    }

    /// Replaces the element at `index`; false if out of range.
    pub fn set(&mut self, index: i64, v: &[u8]) -> bool {
        self.ql.replace_at(index, v)
    }

    /// Inserts `v` before or after the first element equal to `pivot`,
    /// searching from the head. False if there is no such element.
    pub fn insert(&mut self, pivot: &[u8], v: &[u8], after: bool) -> bool {
        let mut it = self.ql.iter_from_end(true);
        let mut inserted = false;
        while let Some(e) = self.ql.next(&mut it) {
            if self.ql.entry_eq(&e, pivot) {
                self.ql.insert(&mut it, &e, v, after);
                inserted = true;
                break;
            }
        }
        self.ql.release(it);
        inserted
    }

    /// Removes elements equal to `v`: up to `count` from the head when
    /// positive, up to `-count` from the tail when negative, all when 0.
    /// Returns how many were removed.
    pub fn remove(&mut self, v: &[u8], count: i64) -> u64 {
        let (limit, it) = if count < 0 {
            (count.unsigned_abs(), self.ql.iter_at(false, -1))
        } else {
            (count as u64, self.ql.iter_at(true, 0))
        };
        let Some(mut it) = it else {
            return 0;
        };
        let mut removed = 0u64;
        while let Some(e) = self.ql.next(&mut it) {
            if self.ql.entry_eq(&e, v) {
                self.ql.del_entry(&mut it, &e);
                removed += 1;
                if limit != 0 && removed == limit {
                    break;
                }
            }
        }
        self.ql.release(it);
        removed
    }

    /// Deletes `count` elements from `start` (negative from the tail).
    pub fn del_range(&mut self, start: i64, count: i64) {
        self.ql.del_range(start, count);
    }

    /// Visits elements from `index` towards the tail (`forward`) or the
    /// head while `f` returns true (`listTypeInitIterator` + `listTypeNext`).
    pub fn scan(&mut self, index: i64, forward: bool, mut f: impl FnMut(LpValue<'_>) -> bool) {
        let Some(mut it) = self.ql.iter_at(forward, index) else {
            return;
        };
        while let Some(e) = self.ql.next(&mut it) {
            if !f(self.ql.value(&e)) {
                break;
            }
        }
        self.ql.release(it);
    }

    /// Replies with the elements in `[start, end]` (negative indexes count
    /// from the tail), in reverse order if asked (`addListRangeReply`).
    pub fn reply_range(&mut self, r: &mut ReplyBuf, start: i64, end: i64, reverse: bool) {
        let llen = self.len() as i64;
        let mut start = if start < 0 { llen + start } else { start };
        let mut end = if end < 0 { llen + end } else { end };
        if start < 0 {
            start = 0;
        }
        if start > end || start >= llen {
            r.array_len(0);
            return;
        }
        if end >= llen {
            end = llen - 1;
        }
        let mut left = end - start + 1;
        r.array_len(left as usize);
        self.scan(if reverse { end } else { start }, !reverse, |v| {
            reply_value(r, v);
            left -= 1;
            left > 0
        });
    }

    /// Replies with and removes up to `count` elements from one end
    /// (the range part of `listPopRangeAndReplyWithKey` / LPOP with count).
    /// Returns how many were popped.
    fn pop_range_reply(&mut self, r: &mut ReplyBuf, wh: Where, count: i64) -> i64 {
        let llen = self.len() as i64;
        let n = count.min(llen);
        let (start, end) = match wh {
            Where::Head => (0, n - 1),
            Where::Tail => (-n, -1),
        };
        self.reply_range(r, start, end, wh == Where::Tail);
        self.del_range(start, n);
        n
    }
}

/// DEBUG subcommands owned by lists: `QUICKLIST-PACKED-THRESHOLD <size>`,
/// `QUICKLIST <key> [<0|1>]` and `LISTPACK <key>` for values that are not
/// listpacks (the owners of listpack-encoded types answer for those).
pub fn debug_hook(ctx: &mut Ctx) -> Option<CmdResult> {
    let sub = ctx.argv[1].to_ascii_lowercase();
    let argc = ctx.argc();
    match sub.as_slice() {
        b"quicklist-packed-threshold" if argc == 3 => {
            let ok = crate::config::parse_memory(ctx.argv[2]).is_some_and(quicklist::set_packed_threshold);
            if !ok {
                return Some(Err(Error::err(
                    "ERR argument must be a memory value bigger than 1 and smaller than 4gb",
                )));
            }
            ctx.c.reply.ok();
            Some(Ok(()))
        }
        b"listpack" if argc == 3 => {
            let db = ctx.dbi();
            let Some(e) = ctx.srv.lookup_key(db, ctx.argv[2], lookup::NOTOUCH | lookup::NONOTIFY) else {
                return Some(Err(Error::NoSuchKey));
            };
            if e.value().encoding_name() == "listpack" {
                return None;
            }
            Some(Err(Error::err("ERR Not a listpack encoded object.")))
        }
        b"quicklist" if argc == 3 || argc == 4 => {
            let full = argc == 4 && atoi(ctx.argv[3]) != 0;
            let db = ctx.dbi();
            let Some(e) = ctx.srv.lookup_key(db, ctx.argv[2], lookup::NOTOUCH | lookup::NONOTIFY) else {
                return Some(Err(Error::NoSuchKey));
            };
            let ValueRef::Obj(Obj::List(l)) = e.value() else {
                return Some(Err(Error::err("ERR Not a quicklist encoded object.")));
            };
            // Like Redis, print to stdout; a closed stdout is not an error.
            let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), l.ql.repr(full).as_bytes());
            ctx.c.reply.status(b"Quicklist structure printed on stdout");
            Some(Ok(()))
        }
        _ => None,
    }
}

/// C's `atoi`: leading spaces, optional sign, digits; 0 otherwise.
fn atoi(s: &[u8]) -> i64 {
    let s = s.trim_ascii_start();
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for &c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        v = v.wrapping_mul(10).wrapping_add(i64::from(c - b'0'));
    }
    if neg {
        v.wrapping_neg()
    } else {
        v
    }
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/// The list held by an entry, or WRONGTYPE.
fn as_list(e: &mut KvEntry) -> Result<&mut List, Error> {
    match e.obj_mut() {
        Some(Obj::List(l)) => Ok(l),
        _ => Err(Error::WrongType),
    }
}

/// Looks a list up for writing (`lookupKeyWrite` + `checkType`).
fn list_write<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> Result<Option<&'a mut List>, Error> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(e) => as_list(e).map(Some),
    }
}

/// Looks a list up for reading (`lookupKeyRead` + `checkType`).
fn list_read<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> Result<Option<&'a mut List>, Error> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(e) => as_list(e).map(Some),
    }
}

/// The list stored at `key`, without lookup side effects (used again
/// within a command after a first lookup).
fn list_at<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> Option<&'a mut List> {
    match srv.dbs[db].find_mut(key)?.obj_mut()? {
        Obj::List(l) => Some(l),
        _ => None,
    }
}

/// A list event.
const fn list_event(name: &'static str) -> Event {
    Event::new(notify::LIST, name)
}

/// Deletes the key if its list became empty; true if so (the caller's
/// write then also fires `del`).
fn delete_if_empty(ctx: &mut Ctx, key: &[u8]) -> bool {
    let db = ctx.dbi();
    if list_at(ctx.srv, db, key).is_some_and(|l| l.is_empty()) {
        ctx.srv.db_delete(db, key);
        return true;
    }
    false
}

fn pop_event(wh: Where) -> Event {
    match wh {
        Where::Head => list_event("lpop"),
        Where::Tail => list_event("rpop"),
    }
}

fn push_event(wh: Where) -> Event {
    match wh {
        Where::Head => list_event("lpush"),
        Where::Tail => list_event("rpush"),
    }
}

fn pop_cmd_name(wh: Where) -> Vec<u8> {
    match wh {
        Where::Head => b"LPOP".to_vec(),
        Where::Tail => b"RPOP".to_vec(),
    }
}

/// The bookkeeping after popping `count` elements (`listElementsRemoved`).
fn elements_removed(ctx: &mut Ctx, key: &[u8], wh: Where, count: i64) {
    let emptied = delete_if_empty(ctx, key);
    let w = KeyWrite::new(pop_event(wh)).also_if(emptied, ev::DEL);
    ctx.key_modified(key, w.notify_first().dirty(count.max(0) as u64));
}

/// Parses LEFT / RIGHT (`getListPositionFromObjectOrReply`).
fn parse_position(arg: &[u8]) -> Result<Where, Error> {
    if arg.eq_ignore_ascii_case(b"right") {
        Ok(Where::Tail)
    } else if arg.eq_ignore_ascii_case(b"left") {
        Ok(Where::Head)
    } else {
        Err(Error::Syntax)
    }
}

/// A `long` argument (`getLongFromObjectOrReply`).
fn parse_long(arg: &[u8]) -> Result<i64, Error> {
    parse_i64(arg).ok_or(Error::NotInteger)
}

/// A non-negative `long` with Redis's message when it is not one
/// (`getPositiveLongFromObjectOrReply`).
fn parse_positive(arg: &[u8], msg: &'static str) -> Result<i64, Error> {
    parse_i64(arg).filter(|&v| v >= 0).ok_or(Error::err(msg))
}

/// Shared body of LPUSH, RPUSH, LPUSHX, RPUSHX (`pushGenericCommand`).
fn push_generic(ctx: &mut Ctx, wh: Where, xx: bool) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let values = &ctx.argv[2..];
    let len = match list_write(ctx.srv, db, key)? {
        Some(l) => {
            for v in values {
                l.push(v, wh);
            }
            l.len()
        }
        None => {
            if xx {
                ctx.c.reply.int(0);
                return Ok(());
            }
            let mut l = List::from_config(ctx.srv);
            for v in values {
                l.push(v, wh);
            }
            let n = l.len();
            ctx.srv.db_add(db, key, NewValue::Obj(Box::new(Obj::List(l))));
            n
        }
    };
    ctx.c.reply.int(len as i64);
    ctx.key_modified(key, KeyWrite::new(push_event(wh)).dirty(values.len() as u64));
    Ok(())
}

/// `LPUSH key element [element ...]`
pub fn lpush_command(ctx: &mut Ctx) -> CmdResult {
    push_generic(ctx, Where::Head, false)
}

/// `RPUSH key element [element ...]`
pub fn rpush_command(ctx: &mut Ctx) -> CmdResult {
    push_generic(ctx, Where::Tail, false)
}

/// `LPUSHX key element [element ...]`
pub fn lpushx_command(ctx: &mut Ctx) -> CmdResult {
    push_generic(ctx, Where::Head, true)
}

/// `RPUSHX key element [element ...]`
pub fn rpushx_command(ctx: &mut Ctx) -> CmdResult {
    push_generic(ctx, Where::Tail, true)
}

/// `LINSERT key BEFORE|AFTER pivot element`
pub fn linsert_command(ctx: &mut Ctx) -> CmdResult {
    let after = if ctx.argv[2].eq_ignore_ascii_case(b"after") {
        true
    } else if ctx.argv[2].eq_ignore_ascii_case(b"before") {
        false
    } else {
        return Err(Error::Syntax);
    };
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(l) = list_write(ctx.srv, db, key)? else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    if !l.insert(ctx.argv[3], ctx.argv[4], after) {
        ctx.c.reply.int(-1);
        return Ok(());
    }
    let len = l.len();
    ctx.key_modified(key, list_event("linsert"));
    ctx.c.reply.int(len as i64);
    Ok(())
}

/// `LLEN key`
pub fn llen_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let n = list_read(ctx.srv, db, ctx.argv[1])?.map_or(0, |l| l.len());
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `LINDEX key index`
pub fn lindex_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let Some(l) = list_read(ctx.srv, db, ctx.argv[1])? else {
        ctx.c.reply.null();
        return Ok(());
    };
    let index = parse_long(ctx.argv[2])?;
    let r = &mut ctx.c.reply;
    if l.with_index(index, |v| reply_value(r, v)).is_none() {
        r.null();
    }
    Ok(())
}

/// `LSET key index element`
pub fn lset_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let l = list_write(ctx.srv, db, key)?.ok_or(Error::NoSuchKey)?;
    let index = parse_long(ctx.argv[2])?;
    if !l.set(index, ctx.argv[3]) {
        return Err(Error::OutOfRange);
    }
    ctx.c.reply.ok();
    ctx.key_modified(key, list_event("lset"));
    Ok(())
}

/// Shared body of LPOP and RPOP (`popGenericCommand`).
fn pop_generic(ctx: &mut Ctx, wh: Where) -> CmdResult {
    if ctx.argc() > 3 {
        return Err(Error::WrongArity(ctx.cmd.fullname.clone()));
    }
    let count = match ctx.argv.get(2) {
        Some(a) => Some(parse_positive(a, "ERR value is out of range, must be positive")?),
        None => None,
    };
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(l) = list_write(ctx.srv, db, key)? else {
        if count.is_some() {
            ctx.c.reply.null_array();
        } else {
            ctx.c.reply.null();
        }
        return Ok(());
    };
    let popped = match count {
        Some(0) => {
            ctx.c.reply.array_len(0);
            return Ok(());
        }
        None => {
            let Some(v) = l.pop(wh) else {
                ctx.c.reply.null();
                return Ok(());
            };
            ctx.c.reply.bulk(&v);
            1
        }
        Some(n) => l.pop_range_reply(&mut ctx.c.reply, wh, n),
    };
    elements_removed(ctx, key, wh, popped);
    Ok(())
}

/// `LPOP key [count]`
pub fn lpop_command(ctx: &mut Ctx) -> CmdResult {
    pop_generic(ctx, Where::Head)
}

/// `RPOP key [count]`
pub fn rpop_command(ctx: &mut Ctx) -> CmdResult {
    pop_generic(ctx, Where::Tail)
}

/// `LRANGE key start stop`
pub fn lrange_command(ctx: &mut Ctx) -> CmdResult {
    let start = parse_long(ctx.argv[2])?;
    let end = parse_long(ctx.argv[3])?;
    let db = ctx.dbi();
    match list_read(ctx.srv, db, ctx.argv[1])? {
        None => ctx.c.reply.array_len(0),
        Some(l) => l.reply_range(&mut ctx.c.reply, start, end, false),
    }
    Ok(())
}

/// `LTRIM key start stop`
pub fn ltrim_command(ctx: &mut Ctx) -> CmdResult {
    let start = parse_long(ctx.argv[2])?;
    let end = parse_long(ctx.argv[3])?;
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(l) = list_write(ctx.srv, db, key)? else {
        ctx.c.reply.ok();
        return Ok(());
    };
    let llen = l.len() as i64;
    let mut start = if start < 0 { llen + start } else { start };
    let mut end = if end < 0 { llen + end } else { end };
    if start < 0 {
        start = 0;
    }
    let (ltrim, rtrim) = if start > end || start >= llen {
        (llen, 0)
    } else {
        if end >= llen {
            end = llen - 1;
        }
        (start, llen - end - 1)
    };
    l.del_range(0, ltrim);
    l.del_range(-rtrim, rtrim);
    let emptied = delete_if_empty(ctx, key);
    let w = KeyWrite::new(list_event("ltrim")).also_if(emptied, ev::DEL);
    ctx.key_modified(key, w.notify_first().dirty((ltrim + rtrim) as u64));
    ctx.c.reply.ok();
    Ok(())
}

/// `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`
pub fn lpos_command(ctx: &mut Ctx) -> CmdResult {
    let ele = ctx.argv[2];
    let mut rank: i64 = 1;
    let mut count: i64 = -1;
    let mut maxlen: i64 = 0;
    let mut j = 3;
    while j < ctx.argc() {
        let more = j + 1 < ctx.argc();
        let opt = ctx.argv[j];
        if opt.eq_ignore_ascii_case(b"rank") && more {
            j += 1;
            rank = parse_long(ctx.argv[j])?;
            if rank == 0 {
                return Err(Error::err(
                    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
                ));
            }
        } else if opt.eq_ignore_ascii_case(b"count") && more {
            j += 1;
            count = parse_positive(ctx.argv[j], "ERR COUNT can't be negative")?;
        } else if opt.eq_ignore_ascii_case(b"maxlen") && more {
            j += 1;
            maxlen = parse_positive(ctx.argv[j], "ERR MAXLEN can't be negative")?;
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    // A negative rank searches from the tail (Redis negates with wrap).
    let forward = rank > 0;
    if rank < 0 {
        rank = rank.wrapping_neg();
    }
    let db = ctx.dbi();
    let Some(l) = list_read(ctx.srv, db, ctx.argv[1])? else {
        if count != -1 {
            ctx.c.reply.array_len(0);
        } else {
            ctx.c.reply.null();
        }
        return Ok(());
    };
    let r = &mut ctx.c.reply;
    let deferred = (count != -1).then(|| r.deferred());
    let llen = l.len() as i64;
    let (mut index, mut matches, mut matchindex, mut arraylen) = (0i64, 0i64, -1i64, 0usize);
    l.scan(if forward { 0 } else { -1 }, forward, |v| {
        if maxlen != 0 && index >= maxlen {
            return false;
        }
        if v.eq_bytes(ele) {
            matches += 1;
            matchindex = if forward { index } else { llen - index - 1 };
            if matches >= rank {
                if deferred.is_some() {
                    arraylen += 1;
                    r.int(matchindex);
                    if count != 0 && matches.wrapping_sub(rank).wrapping_add(1) >= count {
                        return false;
                    }
                } else {
                    return false;
                }
            }
        }
        index += 1;
        matchindex = -1;
        true
    });
    match deferred {
        Some(d) => r.set_deferred_array(d, arraylen),
        None if matchindex != -1 => r.int(matchindex),
        None => r.null(),
    }
    Ok(())
}

/// `LREM key count element`
pub fn lrem_command(ctx: &mut Ctx) -> CmdResult {
    let toremove = parse_long(ctx.argv[2])?;
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(l) = list_write(ctx.srv, db, key)? else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    let removed = l.remove(ctx.argv[3], toremove);
    if removed > 0 {
        let emptied = delete_if_empty(ctx, key);
        ctx.key_modified(key, KeyWrite::new(list_event("lrem")).also_if(emptied, ev::DEL).dirty(removed));
    }
    ctx.c.reply.int(removed as i64);
    Ok(())
}

/// Pushes the moved element to the destination, creating it if needed
/// (`lmoveHandlePush`), and replies with the element.
fn lmove_handle_push(ctx: &mut Ctx, dst: &[u8], value: &[u8], wh: Where) {
    let db = ctx.dbi();
    let existed = list_at(ctx.srv, db, dst).map(|l| l.push(value, wh)).is_some();
    if !existed {
        let mut l = List::from_config(ctx.srv);
        l.push(value, wh);
        ctx.srv.db_add(db, dst, NewValue::Obj(Box::new(Obj::List(l))));
    }
    // The move counts once, on the source.
    ctx.key_modified(dst, KeyWrite::new(push_event(wh)).dirty(0));
    ctx.c.reply.bulk(value);
}

/// Shared body of LMOVE, RPOPLPUSH and the served BLMOVE / BRPOPLPUSH
/// (`lmoveGenericCommand`).
fn lmove_generic(ctx: &mut Ctx, from: Where, to: Where) -> CmdResult {
    let db = ctx.dbi();
    let (src, dst) = (ctx.argv[1], ctx.argv[2]);
    match list_write(ctx.srv, db, src)? {
        None => {
            ctx.c.reply.null();
            return Ok(());
        }
        Some(l) if l.is_empty() => {
            ctx.c.reply.null();
            return Ok(());
        }
        Some(_) => {}
    }
    list_write(ctx.srv, db, dst)?;
    let Some(value) = list_at(ctx.srv, db, src).and_then(|l| l.pop(from)) else {
        ctx.c.reply.null();
        return Ok(());
    };
    lmove_handle_push(ctx, dst, &value, to);
    let emptied = delete_if_empty(ctx, src);
    ctx.key_modified(src, KeyWrite::new(pop_event(from)).also_if(emptied, ev::DEL).notify_first());
    match ctx.cmd.kind {
        Kind::Blmove => {
            let argv = vec![
                b"LMOVE".to_vec(),
                src.to_vec(),
                dst.to_vec(),
                ctx.argv[3].to_vec(),
                ctx.argv[4].to_vec(),
            ];
            ctx.propagate_as(argv);
        }
        Kind::Brpoplpush => ctx.propagate_as(vec![b"RPOPLPUSH".to_vec(), src.to_vec(), dst.to_vec()]),
        _ => {}
    }
    Ok(())
}

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`
pub fn lmove_command(ctx: &mut Ctx) -> CmdResult {
    let from = parse_position(ctx.argv[3])?;
    let to = parse_position(ctx.argv[4])?;
    lmove_generic(ctx, from, to)
}

/// `RPOPLPUSH source destination`
pub fn rpoplpush_command(ctx: &mut Ctx) -> CmdResult {
    lmove_generic(ctx, Where::Tail, Where::Head)
}

/// Pops from the first non-empty list among `keys` with the nested
/// `[key, [elements]]` reply, propagated as `LPOP|RPOP key n`
/// (`mpopGenericCommand` / the BLMPOP branch of `blockingPopGenericCommand`).
/// Returns false if all lists were empty or missing.
fn mpop_first(ctx: &mut Ctx, keys: &[&[u8]], wh: Where, count: i64) -> Result<bool, Error> {
    let db = ctx.dbi();
    for &key in keys {
        let Some(l) = list_write(ctx.srv, db, key)? else {
            continue;
        };
        if l.is_empty() {
            continue;
        }
        ctx.c.reply.array_len(2);
        ctx.c.reply.bulk(key);
        let n = l.pop_range_reply(&mut ctx.c.reply, wh, count);
        elements_removed(ctx, key, wh, n);
        ctx.propagate_as(vec![pop_cmd_name(wh), key.to_vec(), n.to_string().into_bytes()]);
        return Ok(true);
    }
    Ok(false)
}

/// Parses `numkeys key [key ...] LEFT|RIGHT [COUNT count]` starting at
/// `numkeys_idx` (`lmpopGenericCommand`): the keys, the end and the count.
fn parse_mpop<'a>(argv: &[&'a [u8]], numkeys_idx: usize) -> Result<(Vec<&'a [u8]>, Where, i64), Error> {
    let numkeys = parse_i64(argv[numkeys_idx])
        .filter(|&n| n >= 1)
        .ok_or(Error::err("ERR numkeys should be greater than 0"))?;
    let where_idx = (numkeys as u64).saturating_add(numkeys_idx as u64 + 1);
    if where_idx >= argv.len() as u64 {
        return Err(Error::Syntax);
    }
    let where_idx = where_idx as usize;
    let wh = parse_position(argv[where_idx])?;
    let mut count: i64 = -1;
    let mut j = where_idx + 1;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        if count == -1 && argv[j].eq_ignore_ascii_case(b"count") && more {
            j += 1;
            count = parse_i64(argv[j])
                .filter(|&n| n >= 1)
                .ok_or(Error::err("ERR count should be greater than 0"))?;
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    let keys = argv[numkeys_idx + 1..where_idx].to_vec();
    Ok((keys, wh, if count == -1 { 1 } else { count }))
}

/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`
pub fn lmpop_command(ctx: &mut Ctx) -> CmdResult {
    let (keys, wh, count) = parse_mpop(ctx.argv, 1)?;
    if !mpop_first(ctx, &keys, wh, count)? {
        ctx.c.reply.null_array();
    }
    Ok(())
}

/// The body of BLPOP, BRPOP and BLMPOP (`blockingPopGenericCommand`):
/// `count` None means a single-element pop with a `[key, element]` reply.
fn blocking_pop_generic(ctx: &mut Ctx, keys: &[&[u8]], wh: Where, timeout_idx: usize, count: Option<i64>) -> CmdResult {
    let deadline = crate::blocked::parse_timeout(ctx.argv[timeout_idx])?;
    let keys = &ctx.keys_to_serve(keys)[..];
    if let Some(count) = count {
        if mpop_first(ctx, keys, wh, count)? {
            return Ok(());
        }
    } else {
        let db = ctx.dbi();
        for &key in keys {
            let Some(l) = list_write(ctx.srv, db, key)? else {
                continue;
            };
            let Some(v) = l.pop(wh) else {
                continue;
            };
            ctx.c.reply.array_len(2);
            ctx.c.reply.bulk(key);
            ctx.c.reply.bulk(&v);
            elements_removed(ctx, key, wh, 1);
            ctx.propagate_as(vec![pop_cmd_name(wh), key.to_vec()]);
            return Ok(());
        }
    }
    if ctx.deny_blocking() {
        ctx.c.reply.null_array();
        return Ok(());
    }
    ctx.srv.block_for_keys(ctx.c, ctx.argv, keys, deadline, ValueType::List);
    Ok(())
}

/// `BLPOP key [key ...] timeout`
pub fn blpop_command(ctx: &mut Ctx) -> CmdResult {
    let keys = &ctx.argv[1..ctx.argc() - 1];
    blocking_pop_generic(ctx, keys, Where::Head, ctx.argc() - 1, None)
}

/// `BRPOP key [key ...] timeout`
pub fn brpop_command(ctx: &mut Ctx) -> CmdResult {
    let keys = &ctx.argv[1..ctx.argc() - 1];
    blocking_pop_generic(ctx, keys, Where::Tail, ctx.argc() - 1, None)
}

/// `BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]`
pub fn blmpop_command(ctx: &mut Ctx) -> CmdResult {
    let (keys, wh, count) = parse_mpop(ctx.argv, 2)?;
    blocking_pop_generic(ctx, &keys, wh, 1, Some(count))
}

/// The body of BLMOVE and BRPOPLPUSH once the arguments are parsed
/// (`blmoveGenericCommand`).
fn blmove_generic(ctx: &mut Ctx, from: Where, to: Where, deadline: i64) -> CmdResult {
    let db = ctx.dbi();
    let src = ctx.argv[1];
    if list_write(ctx.srv, db, src)?.is_some() {
        return lmove_generic(ctx, from, to);
    }
    if ctx.deny_blocking() {
        ctx.c.reply.null();
        return Ok(());
    }
    ctx.srv.block_for_keys(ctx.c, ctx.argv, &[src], deadline, ValueType::List);
    Ok(())
}

/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`
pub fn blmove_command(ctx: &mut Ctx) -> CmdResult {
    let from = parse_position(ctx.argv[3])?;
    let to = parse_position(ctx.argv[4])?;
    let deadline = crate::blocked::parse_timeout(ctx.argv[5])?;
    blmove_generic(ctx, from, to, deadline)
}

/// `BRPOPLPUSH source destination timeout`
pub fn brpoplpush_command(ctx: &mut Ctx) -> CmdResult {
    let deadline = crate::blocked::parse_timeout(ctx.argv[3])?;
    blmove_generic(ctx, Where::Tail, Where::Head, deadline)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list_of(items: &[&str]) -> List {
        let mut l = List::new(2, 1);
        for i in items {
            l.push(i.as_bytes(), Where::Tail);
        }
        l
    }

    fn strs(l: &List) -> Vec<String> {
        l.to_vec().into_iter().map(|v| String::from_utf8(v).unwrap()).collect()
    }

    #[test]
    fn insert_remove_set() {
        let mut l = list_of(&["a", "b", "c", "b", "1"]);
        assert!(l.insert(b"b", b"x", true));
        assert!(l.insert(b"a", b"y", false));
        assert!(!l.insert(b"zz", b"q", false));
        assert_eq!(strs(&l), ["y", "a", "b", "x", "c", "b", "1"]);
        assert_eq!(l.remove(b"b", -1), 1);
        assert_eq!(strs(&l), ["y", "a", "b", "x", "c", "1"]);
        assert_eq!(l.remove(b"1", 0), 1);
        assert!(l.set(-1, b"last"));
        assert!(!l.set(6, b"no"));
        assert_eq!(strs(&l), ["y", "a", "b", "x", "last"]);
    }

    #[test]
    fn range_replies() {
        let mut l = list_of(&["a", "b", "c", "7"]);
        let mut r = ReplyBuf::new();
        l.reply_range(&mut r, 1, -1, false);
        assert_eq!(r.buf, b"*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\n7\r\n");
        let mut r = ReplyBuf::new();
        assert_eq!(l.pop_range_reply(&mut r, Where::Tail, 3), 3);
        assert_eq!(r.buf, b"*3\r\n$1\r\n7\r\n$1\r\nc\r\n$1\r\nb\r\n");
        assert_eq!(strs(&l), ["a"]);
        let mut r = ReplyBuf::new();
        l.reply_range(&mut r, 5, 10, false);
        assert_eq!(r.buf, b"*0\r\n");
    }

    #[test]
    fn digest_is_encoding_independent() {
        let a = list_of(&["1", "two", "3"]);
        let mut b = List::new(-2, 0);
        for i in ["1", "two", "3"] {
            b.push(i.as_bytes(), Where::Tail);
        }
        let (mut da, mut db) = ([0u8; 20], [0u8; 20]);
        a.digest(&mut da);
        b.digest(&mut db);
        assert_eq!(da, db);
    }

    #[test]
    fn c_atoi() {
        assert_eq!(atoi(b" 12x"), 12);
        assert_eq!(atoi(b"-3"), -3);
        assert_eq!(atoi(b"x"), 0);
    }
}
