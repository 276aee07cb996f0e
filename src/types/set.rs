//! Sets (t_set.c): the set type API, then its commands.
//!
//! A set whose members are all integers is an `intset` (a sorted array of
//! 16, 32 or 64-bit integers, byte-identical to Redis's) until it holds
//! more than `set-max-intset-entries` members or a non-integer arrives;
//! then it is a `hashtable` for good. Redis 7.0 has no listpack sets.
//!
//! Results of SINTER/SUNION/SDIFF are built the way Redis builds them (in a
//! set that starts as an intset), so the *STORE variants give the same
//! encodings and the replies the same order where Redis's order is
//! deterministic.

use std::collections::HashSet;

use crate::config::special::notify;
use crate::db::change::{ev, Event, KeyWrite};
use crate::db::keyspace::{parse_cursor, parse_scan_opts};
use crate::db::KvEntry;
use crate::debug::xor_digest;
use crate::ds::dict::{Dict, Node};
use crate::ds::intset::Intset;
use crate::ds::listpack::LpValue;
use crate::error::Error;
use crate::object::{NewValue, Obj, ValueRef};
use crate::resp::ReplyBuf;
use crate::server::{CmdResult, Ctx, Server};
use crate::util::glob::glob_match;
use crate::util::num::{parse_i64, push_i64};
use crate::util::rand_below;

const SADD: Event = Event::new(notify::SET, "sadd");
const SREM: Event = Event::new(notify::SET, "srem");
const SPOP: Event = Event::new(notify::SET, "spop");

// ---------------------------------------------------------------------------
// Set type representation and API
// ---------------------------------------------------------------------------

/// The hashtable encoding: members only.
type MemberTable = Dict<Box<Node<()>>>;

/// A set value. Members are seen as [`LpValue`]s: integers for an intset,
/// strings for a table.
#[derive(Clone, Debug)]
pub enum Set {
    /// `intset`.
    Intset(Intset),
    /// `hashtable`.
    Table(Box<MemberTable>),
}

impl Default for Set {
    fn default() -> Self {
        Set::new_intset()
    }
}

/// Iterator over a set's members.
pub enum SetIter<'a> {
    Intset(&'a Intset, usize),
    Table(crate::ds::dict::Iter<'a, Box<Node<()>>>),
}

impl<'a> Iterator for SetIter<'a> {
    type Item = LpValue<'a>;

    fn next(&mut self) -> Option<LpValue<'a>> {
        match self {
            SetIter::Intset(is, i) => {
                let v = is.get(*i)?;
                *i += 1;
                Some(LpValue::Int(v))
            }
            SetIter::Table(it) => it.next().map(|n| LpValue::Str(&n.key)),
        }
    }
}

/// The largest intset allowed (`set-max-intset-entries`, capped at 2^30 as
/// Redis caps it).
pub fn intset_limit(srv: &Server) -> usize {
    usize::try_from(srv.cfg.set_max_intset_entries).unwrap_or(usize::MAX).min(1 << 30)
}

/// The decimal form of an integer member.
fn int_bytes(v: i64) -> Vec<u8> {
    let mut b = Vec::with_capacity(20);
    push_i64(&mut b, v);
    b
}

impl Set {
    /// Active defrag of the set's parts, up to `budget` members from
    /// `cursor` for a table; returns the next cursor, 0 when done.
    pub fn defrag(&mut self, mv: &mut crate::server::defrag::Mover, cursor: u64, budget: usize) -> u64 {
        match self {
            Set::Intset(is) => {
                is.defrag(mv);
                0
            }
            Set::Table(d) => {
                if cursor == 0 {
                    mv.boxed(d);
                }
                crate::server::defrag::node_table(d, mv, cursor, budget, |_, _| {})
            }
        }
    }

    /// An empty intset (`createIntsetObject`).
    pub fn new_intset() -> Set {
        Set::Intset(Intset::new())
    }

    /// An empty table (`createSetObject`).
    pub fn new_table() -> Set {
        Set::Table(Box::default())
    }

    /// An empty table sized for `n` members (RDB loading of a big set).
    pub fn table_with_capacity(n: usize) -> Set {
        let mut d = MemberTable::new();
        d.expand(n);
        Set::Table(Box::new(d))
    }

    /// A set adopting a (validated) intset, as RDB loading produces it.
    pub fn from_intset(is: Intset) -> Set {
        Set::Intset(is)
    }

    /// The intset of an intset-encoded set (what RDB saves as is).
    pub fn as_intset(&self) -> Option<&Intset> {
        match self {
            Set::Intset(is) => Some(is),
            Set::Table(_) => None,
        }
    }

    /// Presizes a table for `n` members (`dictExpand`); no-op for an intset.
    pub fn reserve(&mut self, n: usize) {
        if let Set::Table(d) = self {
            d.expand(n);
        }
    }

    /// An empty set able to hold `first` (`setTypeCreate`): an intset for
    /// an integer, else a table.
    pub fn for_value(first: &[u8]) -> Set {
        if parse_i64(first).is_some() {
            Set::new_intset()
        } else {
            Set::new_table()
        }
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            Set::Intset(_) => "intset",
            Set::Table(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Intset(is) => is.len(),
            Set::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Converts an intset to a table (`setTypeConvert`).
    pub fn convert_to_table(&mut self) {
        let Set::Intset(is) = self else {
            return;
        };
        let mut d = MemberTable::new();
        d.expand(is.len());
        for v in is.iter() {
            d.insert_new(Node::boxed(&int_bytes(v), ()));
        }
        *self = Set::Table(Box::new(d));
    }

    /// Adds an integer to an intset, converting when it gets too big.
    fn intset_add(&mut self, v: i64, max_intset: usize) -> bool {
        let Set::Intset(is) = self else {
            return false;
        };
        if !is.add(v) {
            return false;
        }
        if is.len() > max_intset {
            self.convert_to_table();
        }
        true
    }

    /// Adds `v`; true if it was not a member (`setTypeAdd`).
    pub fn add(&mut self, v: &[u8], max_intset: usize) -> bool {
        match self {
            Set::Table(d) => {
                if d.get(v).is_some() {
                    return false;
                }
                d.insert_new(Node::boxed(v, ()));
                true
            }
            Set::Intset(_) => match parse_i64(v) {
                Some(i) => self.intset_add(i, max_intset),
                None => {
                    self.convert_to_table();
                    self.add(v, max_intset)
                }
            },
        }
    }

    /// [`Set::add`] for a member taken from another set.
    pub fn add_member(&mut self, m: LpValue<'_>, max_intset: usize) -> bool {
        match (m, &*self) {
            (LpValue::Int(i), Set::Intset(_)) => self.intset_add(i, max_intset),
            (LpValue::Int(i), Set::Table(_)) => self.add(&int_bytes(i), max_intset),
            (LpValue::Str(s), _) => self.add(s, max_intset),
        }
    }

    /// Removes `v`; true if it was a member (`setTypeRemove`). A table
    /// shrinks when it gets sparse.
    pub fn remove(&mut self, v: &[u8]) -> bool {
        match self {
            Set::Table(d) => {
                if d.remove(v).is_none() {
                    return false;
                }
                if d.needs_shrink() {
                    d.shrink_to_fit();
                }
                true
            }
            Set::Intset(is) => parse_i64(v).is_some_and(|i| is.remove(i)),
        }
    }

    /// [`Set::remove`] for a member taken from a set.
    pub fn remove_member(&mut self, m: LpValue<'_>) -> bool {
        match (m, &mut *self) {
            (LpValue::Int(i), Set::Intset(is)) => is.remove(i),
            (LpValue::Int(i), Set::Table(_)) => self.remove(&int_bytes(i)),
            (LpValue::Str(s), _) => self.remove(s),
        }
    }

    /// Whether `v` is a member (`setTypeIsMember`).
    pub fn contains(&self, v: &[u8]) -> bool {
        match self {
            Set::Table(d) => d.get(v).is_some(),
            Set::Intset(is) => parse_i64(v).is_some_and(|i| is.contains(i)),
        }
    }

    /// [`Set::contains`] for a member taken from another set.
    pub fn contains_member(&self, m: LpValue<'_>) -> bool {
        match (m, self) {
            (LpValue::Int(i), Set::Intset(is)) => is.contains(i),
            (LpValue::Int(i), Set::Table(d)) => d.get(&int_bytes(i)).is_some(),
            (LpValue::Str(s), _) => self.contains(s),
        }
    }

    /// A random member (`setTypeRandomElement`); None when empty.
    pub fn random(&self) -> Option<LpValue<'_>> {
        match self {
            Set::Intset(is) => is.random().map(LpValue::Int),
            Set::Table(d) => d.fair_random_entry().map(|n| LpValue::Str(&n.key)),
        }
    }

    /// Iterates the members (ascending for an intset).
    pub fn iter(&self) -> SetIter<'_> {
        match self {
            Set::Intset(is) => SetIter::Intset(is, 0),
            Set::Table(d) => SetIter::Table(d.iter()),
        }
    }

    /// Moves an ongoing table rehash `n` buckets on: Redis's lookups do one
    /// step as a side effect, its fair random sampling about 15.
    pub fn rehash_steps(&mut self, n: usize) {
        if let Set::Table(d) = self {
            if d.is_rehashing() {
                d.rehash(n.max(1));
            }
        }
    }

    /// Releases spare capacity after a write, so an intset costs what
    /// Redis's exact-size allocation costs.
    pub fn compact(&mut self) {
        if let Set::Intset(is) = self {
            let mut bytes = std::mem::take(is).into_bytes();
            bytes.shrink_to_fit();
            *is = Intset::from_bytes(bytes).unwrap_or_default();
        }
    }

    /// Mixes the content into a DEBUG DIGEST accumulator (`xorObjectDigest`).
    pub fn digest(&self, d: &mut [u8; 20]) {
        let mut buf = Vec::new();
        for m in self.iter() {
            buf.clear();
            m.write_to(&mut buf);
            xor_digest(d, &buf);
        }
    }

    /// Heap bytes used by the value (for MEMORY USAGE), in jemalloc size
    /// classes. Large tables are sampled and extrapolated, like
    /// `objectComputeSize`.
    pub fn alloc_size(&self) -> usize {
        use crate::object::jemalloc_class as class;
        match self {
            Set::Intset(is) => class(is.blob_len()),
            Set::Table(d) => {
                const SAMPLES: usize = 1024;
                let node = class(std::mem::size_of::<Node<()>>());
                let (mut seen, mut bytes) = (0usize, 0usize);
                for n in d.iter().take(SAMPLES) {
                    seen += 1;
                    bytes += node + class(n.key.len());
                }
                let elems = bytes.checked_div(seen).unwrap_or(0) * d.len();
                class(std::mem::size_of::<MemberTable>()) + class(d.slots() * std::mem::size_of::<usize>()) + elems
            }
        }
    }
}

/// DEBUG subcommands owned by this type: `DEBUG HTSTATS-KEY <key>` for a
/// set. Returns None when `ctx.argv[1]` is not one of them.
pub fn debug_hook(ctx: &mut Ctx) -> Option<CmdResult> {
    if ctx.argc() != 3 || !ctx.argv[1].eq_ignore_ascii_case(b"htstats-key") {
        return None;
    }
    let db = ctx.dbi();
    let e = ctx.srv.dbs[db].find(ctx.argv[2])?;
    match e.value() {
        ValueRef::Obj(Obj::Set(Set::Table(d))) => {
            let text = crate::types::hash::dict_stats_text(d);
            ctx.c.reply.verbatim(text.as_bytes(), b"txt");
            Some(Ok(()))
        }
        ValueRef::Obj(Obj::Set(Set::Intset(_))) => Some(Err(Error::err(
            "ERR The value stored at the specified key is not represented using an hash table",
        ))),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/// The set held by an entry, or WRONGTYPE.
fn set_of(e: &KvEntry) -> Result<&Set, Error> {
    match e.value() {
        ValueRef::Obj(Obj::Set(s)) => Ok(s),
        _ => Err(Error::WrongType),
    }
}

/// Looks a set up for reading (`lookupKeyRead` + `checkType`). Like
/// Redis's table lookups, it moves an ongoing rehash one step.
fn lookup_set_read<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s Set>, Error> {
    match srv.lookup_read(db, key).map(|e| e.obj_mut()) {
        None => Ok(None),
        Some(Some(Obj::Set(s))) => {
            s.rehash_steps(1);
            Ok(Some(s))
        }
        Some(_) => Err(Error::WrongType),
    }
}

/// Looks a set up for writing (`lookupKeyWrite` + `checkType`).
fn lookup_set_write<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s mut Set>, Error> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(e) => match e.obj_mut() {
            Some(Obj::Set(s)) => Ok(Some(s)),
            _ => Err(Error::WrongType),
        },
    }
}

/// The set at `key`, without a lookup (the command already did it).
fn peek_set<'s>(srv: &'s Server, db: usize, key: &[u8]) -> Option<&'s Set> {
    srv.dbs[db].find(key).and_then(|e| set_of(e).ok())
}

/// The set at `key` for modification, without a lookup.
fn peek_set_mut<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Option<&'s mut Set> {
    match srv.dbs[db].find_mut(key)?.obj_mut()? {
        Obj::Set(s) => Some(s),
        _ => None,
    }
}

/// Replies with a member as a bulk string.
fn reply_member(r: &mut ReplyBuf, m: LpValue<'_>) {
    match m {
        LpValue::Str(s) => r.bulk(s),
        LpValue::Int(i) => r.bulk_i64(i),
    }
}

/// Stores a computed set at `dst` (`setKey`: overwrite, TTL dropped) and
/// fires `event` for it.
fn store_set(ctx: &mut Ctx, dst: &[u8], mut set: Set, event: &'static str) {
    let db = ctx.dbi();
    set.compact();
    ctx.srv.set_key(db, dst, NewValue::Obj(Box::new(Obj::Set(set))), false);
    ctx.key_modified(dst, Event::new(notify::SET, event));
}

/// The *STORE ending for an empty result: the destination goes away.
fn store_empty(ctx: &mut Ctx, dst: &[u8]) {
    let db = ctx.dbi();
    ctx.c.reply.int(0);
    if ctx.srv.db_delete(db, dst) {
        ctx.key_modified(dst, ev::DEL);
    }
}

/// `SADD key member [member ...]`
pub fn sadd_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let max = intset_limit(ctx.srv);
    let members = &ctx.argv[2..];
    let add_all = |s: &mut Set| {
        let added = members.iter().filter(|m| s.add(m, max)).count();
        s.compact();
        added
    };
    let added = match lookup_set_write(ctx.srv, db, key)? {
        Some(s) => add_all(s),
        None => {
            let mut s = Set::for_value(members[0]);
            let added = add_all(&mut s);
            ctx.srv.db_add(db, key, NewValue::Obj(Box::new(Obj::Set(s))));
            added
        }
    };
    if added > 0 {
        ctx.key_modified(key, KeyWrite::new(SADD).dirty(added as u64));
    }
    ctx.c.reply.int(added as i64);
    Ok(())
}

/// `SREM key member [member ...]`
pub fn srem_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(s) = lookup_set_write(ctx.srv, db, key)? else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    let mut deleted = 0u64;
    let mut emptied = false;
    for &m in &ctx.argv[2..] {
        if s.remove(m) {
            deleted += 1;
            if s.is_empty() {
                emptied = true;
                break;
            }
        }
    }
    if emptied {
        ctx.srv.db_delete(db, key);
    } else if deleted > 0 {
        s.compact();
    }
    if deleted > 0 {
        ctx.key_modified(key, KeyWrite::new(SREM).also_if(emptied, ev::DEL).dirty(deleted));
    }
    ctx.c.reply.int(deleted as i64);
    Ok(())
}

/// `SMOVE source destination member`
pub fn smove_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let (src, dst, ele) = (ctx.argv[1], ctx.argv[2], ctx.argv[3]);
    let src_is_set = ctx.srv.lookup_write(db, src).map(|e| set_of(e).is_ok());
    let dst_is_set = ctx.srv.lookup_write(db, dst).map(|e| set_of(e).is_ok());
    match src_is_set {
        None => {
            ctx.c.reply.int(0);
            return Ok(());
        }
        Some(false) => return Err(Error::WrongType),
        Some(true) => {}
    }
    if dst_is_set == Some(false) {
        return Err(Error::WrongType);
    }
    if src == dst {
        let found = peek_set(ctx.srv, db, src).is_some_and(|s| s.contains(ele));
        ctx.c.reply.int(i64::from(found));
        return Ok(());
    }
    let Some(s) = peek_set_mut(ctx.srv, db, src) else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    if !s.remove(ele) {
        ctx.c.reply.int(0);
        return Ok(());
    }
    let emptied = s.is_empty();
    s.compact();
    if emptied {
        ctx.srv.db_delete(db, src);
    }
    // Redis creates the destination between the source's events and its
    // signal; here the source's write is reported whole first, so a client
    // that caches `src` and listens for `new` events sees the invalidation
    // before the `new` of `dst` rather than after it.
    ctx.key_modified(src, KeyWrite::new(SREM).also_if(emptied, ev::DEL).notify_first());
    if dst_is_set.is_none() {
        ctx.srv.db_add(db, dst, NewValue::Obj(Box::new(Obj::Set(Set::for_value(ele)))));
    }
    let max = intset_limit(ctx.srv);
    let added = match peek_set_mut(ctx.srv, db, dst) {
        Some(d) => {
            let added = d.add(ele, max);
            d.compact();
            added
        }
        None => false,
    };
    if added {
        ctx.key_modified(dst, SADD);
    }
    ctx.c.reply.int(1);
    Ok(())
}

/// `SISMEMBER key member`
pub fn sismember_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let found = lookup_set_read(ctx.srv, db, ctx.argv[1])?.is_some_and(|s| s.contains(ctx.argv[2]));
    ctx.c.reply.int(i64::from(found));
    Ok(())
}

/// `SMISMEMBER key member [member ...]`
pub fn smismember_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let s = lookup_set_read(ctx.srv, db, ctx.argv[1])?;
    let r = &mut ctx.c.reply;
    r.array_len(ctx.argv.len() - 2);
    for &m in &ctx.argv[2..] {
        r.int(i64::from(s.is_some_and(|s| s.contains(m))));
    }
    Ok(())
}

/// `SCARD key`
pub fn scard_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let n = lookup_set_read(ctx.srv, db, ctx.argv[1])?.map_or(0, |s| s.len());
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `SMEMBERS key`: an intersection of one set, as in Redis.
pub fn smembers_command(ctx: &mut Ctx) -> CmdResult {
    let keys = &ctx.argv[1..2];
    sinter_generic(ctx, keys, None, false, 0)
}

/// Past this ratio of remaining to popped members, SPOP builds a new set
/// of the remaining ones instead of removing the popped ones.
const SPOP_MOVE_STRATEGY_MUL: u64 = 5;

/// `SPOP key count` (`spopWithCountCommand`).
fn spop_with_count(ctx: &mut Ctx) -> CmdResult {
    let count = parse_i64(ctx.argv[2]).filter(|v| *v >= 0).ok_or(Error::NotPositive)? as u64;
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(s) = lookup_set_write(ctx.srv, db, key)? else {
        ctx.c.reply.set_len(0);
        return Ok(());
    };
    if count == 0 {
        ctx.c.reply.set_len(0);
        return Ok(());
    }
    let size = s.len() as u64;
    if count < size {
        sampling_rehash(ctx.srv, db, key, count.min(size - count));
    }
    let spopped = KeyWrite::new(SPOP).dirty(count.min(size)).notify_first();

    // CASE 1: everything goes: reply with the whole set, delete the key.
    if count >= size {
        sunion_diff_generic(ctx, &[key], None, SetOp::Union)?;
        ctx.srv.db_delete(db, key);
        ctx.key_modified(key, spopped.also(ev::DEL));
        ctx.propagate_as(vec![b"DEL".to_vec(), key.to_vec()]);
        return Ok(());
    }

    // CASES 2 and 3 are propagated as one SREM per popped member.
    let max = intset_limit(ctx.srv);
    let Some(s) = peek_set_mut(ctx.srv, db, key) else {
        return Ok(());
    };
    let r = &mut ctx.c.reply;
    r.set_len(count as usize);
    let mut popped: Vec<Vec<u8>> = Vec::with_capacity(count as usize);
    let remaining = size - count;
    if remaining.saturating_mul(SPOP_MOVE_STRATEGY_MUL) > count {
        // CASE 2: few of many: pop random members one by one.
        for _ in 0..count {
            let Some(m) = s.random() else { break };
            let bytes = m.to_vec();
            match m {
                LpValue::Int(i) => r.bulk_i64(i),
                LpValue::Str(b) => r.bulk(b),
            }
            s.remove(&bytes);
            popped.push(bytes);
        }
        s.compact();
    } else {
        // CASE 3: most of them: move the survivors to a new set and hand
        // the old one to the client.
        let mut newset: Option<Set> = None;
        for _ in 0..remaining {
            let Some(m) = s.random() else { break };
            let bytes = m.to_vec();
            newset.get_or_insert_with(|| Set::for_value(&bytes)).add(&bytes, max);
            s.remove(&bytes);
        }
        for m in s.iter() {
            reply_member(r, m);
            popped.push(m.to_vec());
        }
        let mut newset = newset.unwrap_or_default();
        newset.compact();
        *s = newset;
    }
    for m in popped {
        ctx.srv.propagate(db, vec![b"SREM".to_vec(), key.to_vec(), m]);
    }
    ctx.no_propagate = true;
    ctx.key_modified(key, spopped);
    Ok(())
}

/// `SPOP key [count]`
pub fn spop_command(ctx: &mut Ctx) -> CmdResult {
    match ctx.argc() {
        3 => return spop_with_count(ctx),
        n if n > 3 => return Err(Error::Syntax),
        _ => {}
    }
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(s) = lookup_set_write(ctx.srv, db, key)? else {
        ctx.c.reply.null();
        return Ok(());
    };
    s.rehash_steps(REHASH_STEPS_PER_PICK as usize);
    let Some(m) = s.random() else {
        ctx.c.reply.null();
        return Ok(());
    };
    let ele = m.to_vec();
    s.remove(&ele);
    s.compact();
    let emptied = s.is_empty();
    ctx.c.reply.bulk(&ele);
    ctx.propagate_as(vec![b"SREM".to_vec(), key.to_vec(), ele]);
    if emptied {
        ctx.srv.db_delete(db, key);
    }
    ctx.key_modified(key, KeyWrite::new(SPOP).also_if(emptied, ev::DEL).notify_first());
    Ok(())
}

/// Past this size ratio SRANDMEMBER stops copying the set and removing
/// from the copy, and picks random members instead.
const SRANDMEMBER_SUB_STRATEGY_MUL: u64 = 3;

/// Elements written between two output buffer limit checks by the
/// unbounded random replies (Redis checks `CLIENT_CLOSE_ASAP` after each).
const RANDOM_REPLY_BATCH: u64 = 1000;

/// Rehash steps Redis's fair random sampling takes per pick
/// (`GETFAIR_NUM_ENTRIES` calls of `_dictRehashStep`).
const REHASH_STEPS_PER_PICK: u64 = 15;

/// Advances a table rehash as much as `picks` random samplings would.
fn sampling_rehash(srv: &mut Server, db: usize, key: &[u8], picks: u64) {
    if picks > 0 {
        if let Some(s) = peek_set_mut(srv, db, key) {
            s.rehash_steps(picks.saturating_mul(REHASH_STEPS_PER_PICK).min(1 << 24) as usize);
        }
    }
}

/// A hashable identity of a member, for de-duplicating random picks.
#[derive(Hash, PartialEq, Eq)]
enum MemberKey<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl<'a> From<LpValue<'a>> for MemberKey<'a> {
    fn from(m: LpValue<'a>) -> Self {
        match m {
            LpValue::Int(i) => MemberKey::Int(i),
            LpValue::Str(s) => MemberKey::Str(s),
        }
    }
}

/// `SRANDMEMBER key count` (`srandmemberWithCountCommand`).
fn srandmember_with_count(ctx: &mut Ctx) -> CmdResult {
    let l = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
    if l == i64::MIN {
        return Err(Error::err(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ));
    }
    let uniq = l >= 0;
    let count = l.unsigned_abs();
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(s) = lookup_set_read(ctx.srv, db, key)? else {
        ctx.c.reply.array_len(0);
        return Ok(());
    };
    let size = s.len() as u64;
    if count == 0 {
        ctx.c.reply.array_len(0);
        return Ok(());
    }
    let picks = if !uniq || count == 1 || count.saturating_mul(SRANDMEMBER_SUB_STRATEGY_MUL) <= size {
        count
    } else {
        0
    };
    sampling_rehash(ctx.srv, db, key, picks);
    let Some(s) = peek_set(ctx.srv, db, key) else {
        ctx.c.reply.array_len(0);
        return Ok(());
    };

    // CASE 1: negative count (repetitions allowed) or a single member.
    if !uniq || count == 1 {
        ctx.c.reply.array_len(count as usize);
        let mut left = count;
        while left > 0 {
            let batch = left.min(RANDOM_REPLY_BATCH);
            left -= batch;
            let Some(s) = peek_set(ctx.srv, db, key) else { break };
            let r = &mut ctx.c.reply;
            for _ in 0..batch {
                let Some(m) = s.random() else { break };
                reply_member(r, m);
            }
            if left > 0 {
                ctx.srv.check_output_limits(ctx.c);
                if ctx.c.has(crate::client::flags::CLOSE_ASAP) {
                    break;
                }
            }
        }
        return Ok(());
    }

    let r = &mut ctx.c.reply;
    // CASE 2: at least as many as there are: the whole set.
    if count >= size {
        r.array_len(size as usize);
        for m in s.iter() {
            reply_member(r, m);
        }
        return Ok(());
    }

    // CASE 3: close to the size: copy everything, remove random members.
    if count.saturating_mul(SRANDMEMBER_SUB_STRATEGY_MUL) > size {
        let mut all: Vec<LpValue<'_>> = s.iter().collect();
        while all.len() as u64 > count {
            let i = rand_below(all.len() as u64) as usize;
            all.swap_remove(i);
        }
        r.array_len(all.len());
        for m in all {
            reply_member(r, m);
        }
        return Ok(());
    }

    // CASE 4: few of many: random picks until there are enough distinct.
    let mut seen: HashSet<MemberKey<'_>> = HashSet::with_capacity(count as usize);
    let mut picked: Vec<LpValue<'_>> = Vec::with_capacity(count as usize);
    while (picked.len() as u64) < count {
        let Some(m) = s.random() else { break };
        if seen.insert(m.into()) {
            picked.push(m);
        }
    }
    r.array_len(picked.len());
    for m in picked {
        reply_member(r, m);
    }
    Ok(())
}

/// `SRANDMEMBER key [count]`
pub fn srandmember_command(ctx: &mut Ctx) -> CmdResult {
    match ctx.argc() {
        3 => return srandmember_with_count(ctx),
        n if n > 3 => return Err(Error::Syntax),
        _ => {}
    }
    let db = ctx.dbi();
    if lookup_set_read(ctx.srv, db, ctx.argv[1])?.is_some() {
        sampling_rehash(ctx.srv, db, ctx.argv[1], 1);
    }
    match peek_set(ctx.srv, db, ctx.argv[1]).and_then(|s| s.random()) {
        Some(m) => reply_member(&mut ctx.c.reply, m),
        None => ctx.c.reply.null(),
    }
    Ok(())
}

/// Looks up every key for reading, in order, failing on the first one
/// that is not a set. Returns which keys exist.
fn lookup_sets(ctx: &mut Ctx, keys: &[&[u8]]) -> Result<Vec<bool>, Error> {
    let db = ctx.dbi();
    let mut present = Vec::with_capacity(keys.len());
    for &k in keys {
        present.push(lookup_set_read(ctx.srv, db, k)?.is_some());
    }
    Ok(present)
}

/// Shared body of SINTER, SMEMBERS, SINTERSTORE and SINTERCARD
/// (`sinterGenericCommand`). `card_only` counts (stopping at `limit` when
/// not 0) instead of replying with members.
fn sinter_generic(ctx: &mut Ctx, keys: &[&[u8]], dst: Option<&[u8]>, card_only: bool, limit: u64) -> CmdResult {
    let present = lookup_sets(ctx, keys)?;
    if present.iter().any(|p| !p) {
        // An intersection with an empty set is empty.
        if let Some(dst) = dst {
            store_empty(ctx, dst);
        } else if card_only {
            ctx.c.reply.int(0);
        } else {
            ctx.c.reply.set_len(0);
        }
        return Ok(());
    }
    let db = ctx.dbi();
    let max = intset_limit(ctx.srv);
    let mut sets: Vec<&Set> = keys.iter().filter_map(|k| peek_set(ctx.srv, db, k)).collect();
    if sets.len() != keys.len() {
        return Err(Error::WrongType);
    }
    // Smallest first: fewer members to test against the others.
    sets.sort_by_key(|s| s.len());
    let first = sets[0];
    let in_all = |m: LpValue<'_>| sets[1..].iter().all(|s| std::ptr::eq(*s, first) || s.contains_member(m));

    if card_only {
        let mut n = 0u64;
        for m in first.iter() {
            if in_all(m) {
                n += 1;
                if limit != 0 && n >= limit {
                    break;
                }
            }
        }
        ctx.c.reply.int(n as i64);
        return Ok(());
    }
    let Some(dst) = dst else {
        let r = &mut ctx.c.reply;
        let d = r.deferred();
        let mut n = 0;
        for m in first.iter() {
            if in_all(m) {
                reply_member(r, m);
                n += 1;
            }
        }
        r.set_deferred_set(d, n);
        return Ok(());
    };
    let mut result = Set::new_intset();
    for m in first.iter() {
        if in_all(m) {
            result.add_member(m, max);
        }
    }
    if result.is_empty() {
        store_empty(ctx, dst);
        return Ok(());
    }
    let n = result.len();
    store_set(ctx, dst, result, "sinterstore");
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `SINTER key [key ...]`
pub fn sinter_command(ctx: &mut Ctx) -> CmdResult {
    let keys = &ctx.argv[1..];
    sinter_generic(ctx, keys, None, false, 0)
}

/// `SINTERSTORE destination key [key ...]`
pub fn sinterstore_command(ctx: &mut Ctx) -> CmdResult {
    let keys = &ctx.argv[2..];
    sinter_generic(ctx, keys, Some(ctx.argv[1]), false, 0)
}

/// `SINTERCARD numkeys key [key ...] [LIMIT limit]`
pub fn sintercard_command(ctx: &mut Ctx) -> CmdResult {
    let numkeys = parse_i64(ctx.argv[1])
        .filter(|n| *n >= 1)
        .ok_or(Error::err("ERR numkeys should be greater than 0"))?;
    if numkeys > (ctx.argc() - 2) as i64 {
        return Err(Error::err("ERR Number of keys can't be greater than number of args"));
    }
    let numkeys = numkeys as usize;
    let mut limit = 0u64;
    let mut j = 2 + numkeys;
    while j < ctx.argc() {
        let more = ctx.argc() - 1 - j;
        if ctx.argv[j].eq_ignore_ascii_case(b"limit") && more > 0 {
            j += 1;
            limit = parse_i64(ctx.argv[j])
                .filter(|v| *v >= 0)
                .ok_or(Error::err("ERR LIMIT can't be negative"))? as u64;
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    let keys = &ctx.argv[2..2 + numkeys];
    sinter_generic(ctx, keys, None, true, limit)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Diff,
}

/// Shared body of SUNION, SDIFF and their *STORE variants
/// (`sunionDiffGenericCommand`), including Redis's choice between its two
/// DIFF algorithms.
fn sunion_diff_generic(ctx: &mut Ctx, keys: &[&[u8]], dst: Option<&[u8]>, op: SetOp) -> CmdResult {
    let present = lookup_sets(ctx, keys)?;
    let db = ctx.dbi();
    let max = intset_limit(ctx.srv);
    let mut sets: Vec<Option<&Set>> = keys
        .iter()
        .zip(&present)
        .map(|(k, p)| if *p { peek_set(ctx.srv, db, k) } else { None })
        .collect();
    let same = |a: Option<&Set>, b: Option<&Set>| matches!((a, b), (Some(a), Some(b)) if std::ptr::eq(a, b));
    let sameset = (1..sets.len()).any(|j| same(sets[0], sets[j]));
    let size = |s: &Option<&Set>| s.map_or(0, |s| s.len());

    // Algorithm 1 is O(N*M) with N the size of the first set and M the
    // number of sets; algorithm 2 is O(total members). Pick the cheaper.
    let mut diff_algo = 1;
    if op == SetOp::Diff && sets[0].is_some() && !sameset {
        let (mut one, mut two) = (0u64, 0u64);
        for s in sets.iter().flatten() {
            one += size(&sets[0]) as u64;
            two += s.len() as u64;
        }
        // Algorithm 1 has better constants and stops early on common
        // members: give it an advantage.
        one /= 2;
        diff_algo = if one <= two { 1 } else { 2 };
        if diff_algo == 1 && sets.len() > 1 {
            // Biggest first, to find a member ASAP.
            sets[1..].sort_by_key(|s| std::cmp::Reverse(size(s)));
        }
    }

    let mut result = Set::new_intset();
    let mut cardinality: i64 = 0;
    match op {
        SetOp::Union => {
            for s in sets.iter().flatten() {
                for m in s.iter() {
                    if result.add_member(m, max) {
                        cardinality += 1;
                    }
                }
            }
        }
        SetOp::Diff if sameset => {}
        SetOp::Diff => {
            if let Some(first) = sets[0] {
                if diff_algo == 1 {
                    for m in first.iter() {
                        let mut keep = true;
                        for s in sets[1..].iter().flatten() {
                            if std::ptr::eq(*s, first) || s.contains_member(m) {
                                keep = false;
                                break;
                            }
                        }
                        if keep {
                            result.add_member(m, max);
                            cardinality += 1;
                        }
                    }
                } else {
                    for (j, s) in sets.iter().enumerate() {
                        let Some(s) = s else { continue };
                        for m in s.iter() {
                            if j == 0 {
                                if result.add_member(m, max) {
                                    cardinality += 1;
                                }
                            } else if result.remove_member(m) {
                                cardinality -= 1;
                            }
                        }
                        if cardinality == 0 {
                            break;
                        }
                    }
                }
            }
        }
    }

    let Some(dst) = dst else {
        let r = &mut ctx.c.reply;
        r.set_len(cardinality.max(0) as usize);
        for m in result.iter() {
            reply_member(r, m);
        }
        return Ok(());
    };
    if result.is_empty() {
        store_empty(ctx, dst);
        return Ok(());
    }
    let n = result.len();
    let event = if op == SetOp::Union { "sunionstore" } else { "sdiffstore" };
    store_set(ctx, dst, result, event);
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `SUNION key [key ...]`
pub fn sunion_command(ctx: &mut Ctx) -> CmdResult {
    let keys = &ctx.argv[1..];
    sunion_diff_generic(ctx, keys, None, SetOp::Union)
}

/// `SUNIONSTORE destination key [key ...]`
pub fn sunionstore_command(ctx: &mut Ctx) -> CmdResult {
    let keys = &ctx.argv[2..];
    sunion_diff_generic(ctx, keys, Some(ctx.argv[1]), SetOp::Union)
}

/// `SDIFF key [key ...]`
pub fn sdiff_command(ctx: &mut Ctx) -> CmdResult {
    let keys = &ctx.argv[1..];
    sunion_diff_generic(ctx, keys, None, SetOp::Diff)
}

/// `SDIFFSTORE destination key [key ...]`
pub fn sdiffstore_command(ctx: &mut Ctx) -> CmdResult {
    let keys = &ctx.argv[2..];
    sunion_diff_generic(ctx, keys, Some(ctx.argv[1]), SetOp::Diff)
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`
pub fn sscan_command(ctx: &mut Ctx) -> CmdResult {
    let cursor = parse_cursor(ctx.argv[2])?;
    let db = ctx.dbi();
    let Some(s) = lookup_set_read(ctx.srv, db, ctx.argv[1])? else {
        ctx.c.reply.raw(b"*2\r\n$1\r\n0\r\n*0\r\n");
        return Ok(());
    };
    let opts = parse_scan_opts(&ctx.argv[3..], false)?;
    let mut items: Vec<Vec<u8>> = Vec::new();
    let next = match s {
        Set::Intset(_) => {
            items.extend(s.iter().map(|m| m.to_vec()));
            0
        }
        Set::Table(d) => {
            let mut maxiter = opts.count.saturating_mul(10);
            let mut cur = cursor;
            loop {
                cur = d.scan(cur, |n| items.push(n.key.to_vec()));
                if cur == 0 || maxiter == 0 {
                    break;
                }
                maxiter -= 1;
                if items.len() as u64 >= opts.count {
                    break;
                }
            }
            cur
        }
    };
    if let Some(p) = opts.pattern {
        items.retain(|m| glob_match(p, m, false));
    }
    let r = &mut ctx.c.reply;
    r.array_len(2);
    r.bulk(next.to_string().as_bytes());
    r.array_len(items.len());
    for m in &items {
        r.bulk(m);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    use crate::util::test_rng::Rng;

    fn contents(s: &Set) -> BTreeSet<Vec<u8>> {
        s.iter().map(|m| m.to_vec()).collect()
    }

    fn random_member(rng: &mut Rng) -> Vec<u8> {
        match rng.below(8) {
            0..=3 => (rng.below(400) as i64 - 100).to_string().into_bytes(),
            4 => (i64::MAX - rng.below(3) as i64).to_string().into_bytes(),
            5 => (70000 + rng.below(10)).to_string().into_bytes(),
            6 => format!("m{}", rng.below(50)).into_bytes(),
            _ => b"007".to_vec(),
        }
    }

    /// Random operations against a BTreeSet model, across conversions.
    #[test]
    fn model_across_conversions() {
        let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
        for round in 0..40 {
            let max = [0, 1, 16, 128, 512][round % 5];
            let mut s = Set::new_intset();
            let mut m: BTreeSet<Vec<u8>> = BTreeSet::new();
            let mut was_table = false;
            for _ in 0..800 {
                let v = random_member(&mut rng);
                match rng.below(5) {
                    0 | 1 => assert_eq!(s.add(&v, max), m.insert(v.clone())),
                    2 => assert_eq!(s.remove(&v), m.remove(&v)),
                    3 => assert_eq!(s.contains(&v), m.contains(&v)),
                    _ => {
                        if let Some(r) = s.random() {
                            assert!(m.contains(&r.to_vec()));
                            assert!(s.contains_member(r));
                        } else {
                            assert!(m.is_empty());
                        }
                    }
                }
                if let Set::Intset(_) = s {
                    assert!(s.len() <= max);
                    assert!(!was_table, "never converts back");
                }
                was_table = matches!(s, Set::Table(_));
                s.compact();
                assert_eq!(s.len(), m.len());
            }
            assert_eq!(contents(&s), m);
        }
    }

    #[test]
    fn encodings_and_conversions() {
        let mut s = Set::for_value(b"12");
        assert_eq!(s.encoding_name(), "intset");
        for i in 0..4 {
            assert!(s.add(i.to_string().as_bytes(), 4));
        }
        assert_eq!(s.encoding_name(), "intset");
        assert!(s.add(b"99", 4));
        assert_eq!(s.encoding_name(), "hashtable");

        let mut s = Set::for_value(b"1");
        s.add(b"1", 512);
        assert!(s.add(b"a", 512));
        assert_eq!(s.encoding_name(), "hashtable");
        assert!(s.contains(b"1"));
        assert!(s.contains_member(LpValue::Int(1)));
        assert!(!s.contains(b"01"));

        assert_eq!(Set::for_value(b"a").encoding_name(), "hashtable");
        assert_eq!(Set::for_value(b"213244124402402314402033402").encoding_name(), "hashtable");
        assert_eq!(std::mem::size_of::<Set>(), 24);
    }

    #[test]
    fn digest_is_encoding_independent() {
        let mut a = Set::new_intset();
        for i in -5..30 {
            a.add(i.to_string().as_bytes(), 512);
        }
        let mut b = a.clone();
        b.convert_to_table();
        let (mut da, mut db) = ([0u8; 20], [0u8; 20]);
        a.digest(&mut da);
        b.digest(&mut db);
        assert_eq!(da, db);
        assert_eq!(contents(&a), contents(&b));
    }

    #[test]
    fn intset_compaction_keeps_content() {
        let mut s = Set::new_intset();
        for i in 0..100 {
            s.add(i.to_string().as_bytes(), 512);
            s.compact();
        }
        let Set::Intset(is) = &s else { panic!() };
        assert_eq!(is.blob_len(), 8 + 100 * 2);
        assert_eq!(s.len(), 100);
        s.remove(b"5");
        s.compact();
        assert!(!s.contains(b"5"));
        assert_eq!(s.len(), 99);
    }
}
