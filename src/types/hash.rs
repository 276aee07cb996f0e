//! Hashes (t_hash.c): the hash type API, then its commands.
//!
//! A hash starts as a `listpack` of alternating field and value entries
//! (byte-identical to Redis's) and becomes a `hashtable` once it holds more
//! than `hash-max-listpack-entries` fields or a field or value longer than
//! `hash-max-listpack-value` bytes arrives. It never converts back. The
//! moments of conversion are Redis's: before an insert when an argument is
//! too long (`hashTypeTryConversion`), after it when there are too many
//! entries.
//!
//! The container itself is 24 bytes (a listpack is one exact-size buffer;
//! the table is boxed), so a small hash costs its listpack and little more.

use std::collections::HashSet;

use crate::config::special::notify;
use crate::db::change::{ev, Event, KeyWrite};
use crate::db::keyspace::{parse_cursor, parse_scan_opts};
use crate::db::{lookup, KvEntry};
use crate::debug::{mix_digest, xor_digest};
use crate::ds::dict::{Dict, DictEntry, Node};
use crate::ds::listpack::{Listpack, LpValue};
use crate::error::Error;
use crate::object::{NewValue, Obj, ValueRef};
use crate::resp::ReplyBuf;
use crate::server::{CmdResult, Ctx, Server};
use crate::util::glob::glob_match;
use crate::util::num::{is_long_double, long_double_add, parse_f64, parse_i64, push_i64, LdAddError};
use crate::util::{rand_below, rand_u64};

const HSET: Event = Event::new(notify::HASH, "hset");

// ---------------------------------------------------------------------------
// Hash type representation and API
// ---------------------------------------------------------------------------

/// The hashtable encoding: field -> value.
type FieldTable = Dict<Box<Node<Box<[u8]>>>>;

/// A hash value.
#[derive(Clone, Debug)]
pub enum Hash {
    /// `listpack`: field, value, field, value, ... in insertion order.
    Listpack(Listpack),
    /// `hashtable`.
    Table(Box<FieldTable>),
}

impl Default for Hash {
    fn default() -> Self {
        Hash::new()
    }
}

/// The conversion thresholds (`hash-max-listpack-*`).
#[derive(Clone, Copy, Debug)]
pub struct HashLimits {
    pub max_entries: usize,
    pub max_value: usize,
}

impl HashLimits {
    pub fn of(srv: &Server) -> HashLimits {
        HashLimits {
            max_entries: usize::try_from(srv.cfg.hash_max_listpack_entries).unwrap_or(usize::MAX),
            max_value: usize::try_from(srv.cfg.hash_max_listpack_value).unwrap_or(usize::MAX),
        }
    }
}

/// Iterator over `(field, value)` pairs.
pub enum HashIter<'a> {
    Listpack(crate::ds::listpack::Iter<'a>),
    Table(crate::ds::dict::Iter<'a, Box<Node<Box<[u8]>>>>),
}

impl<'a> Iterator for HashIter<'a> {
    type Item = (LpValue<'a>, LpValue<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            HashIter::Listpack(it) => {
                let f = it.next()?;
                let v = it.next()?;
                Some((f, v))
            }
            HashIter::Table(it) => it.next().map(|n| (LpValue::Str(&n.key), LpValue::Str(&n.val))),
        }
    }
}

/// Offset of the entry holding `field` in a hash listpack (fields only).
fn lp_find_field(lp: &Listpack, field: &[u8]) -> Option<usize> {
    lp.find(lp.first()?, field, 1)
}

/// Length of an element's string form.
fn value_len(v: LpValue<'_>) -> usize {
    v.len()
}

/// Uniform random number in [0, 1].
fn rand_unit() -> f64 {
    (rand_u64() >> 11) as f64 / ((1u64 << 53) - 1) as f64
}

impl Hash {
    /// Active defrag of the hash's parts, up to `budget` fields from
    /// `cursor` for a table; returns the next cursor, 0 when done.
    pub fn defrag(&mut self, mv: &mut crate::server::defrag::Mover, cursor: u64, budget: usize) -> u64 {
        match self {
            Hash::Listpack(lp) => {
                lp.defrag(mv);
                0
            }
            Hash::Table(d) => {
                if cursor == 0 {
                    mv.boxed(d);
                }
                crate::server::defrag::node_table(d, mv, cursor, budget, |v, mv| {
                    mv.bytes(v);
                })
            }
        }
    }

    /// An empty listpack-encoded hash (`createHashObject`).
    pub fn new() -> Hash {
        Hash::Listpack(Listpack::new())
    }

    /// A hash adopting a (validated) listpack of field, value pairs, as
    /// RDB loading and RESTORE produce it.
    pub fn from_listpack(lp: Listpack) -> Hash {
        Hash::Listpack(lp)
    }

    /// An empty `hashtable` hash sized for `n` fields (RDB loading of a
    /// hash too big for a listpack).
    pub fn table_with_capacity(n: usize) -> Hash {
        let mut d = FieldTable::new();
        d.expand(n);
        Hash::Table(Box::new(d))
    }

    /// The listpack of a listpack-encoded hash (what RDB saves as is).
    pub fn as_listpack(&self) -> Option<&Listpack> {
        match self {
            Hash::Listpack(lp) => Some(lp),
            Hash::Table(_) => None,
        }
    }

    /// Presizes a table for `n` fields (`dictExpand`); no-op for a listpack.
    pub fn reserve(&mut self, n: usize) {
        if let Hash::Table(d) = self {
            d.expand(n);
        }
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            Hash::Listpack(_) => "listpack",
            Hash::Table(_) => "hashtable",
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(lp) => lp.len() / 2,
            Hash::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<LpValue<'_>> {
        match self {
            Hash::Listpack(lp) => {
                let f = lp_find_field(lp, field)?;
                let v = lp.next(f)?;
                Some(lp.get(v))
            }
            Hash::Table(d) => d.get(field).map(|n| LpValue::Str(&n.val)),
        }
    }

    pub fn exists(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Length of the value of `field`, 0 if absent (`hashTypeGetValueLength`).
    pub fn value_len(&self, field: &[u8]) -> usize {
        self.get(field).map(value_len).unwrap_or(0)
    }

    /// Converts a listpack to a hashtable (`hashTypeConvertListpack`).
    pub fn convert_to_table(&mut self) {
        let Hash::Listpack(lp) = self else {
            return;
        };
        let mut d = FieldTable::new();
        d.expand(lp.len() / 2);
        let mut it = lp.iter();
        while let (Some(f), Some(v)) = (it.next(), it.next()) {
            let node = Node::boxed(&f.to_vec(), v.to_vec().into_boxed_slice());
            // A corrupt listpack with duplicate fields keeps the first one.
            let _ = d.insert(node);
        }
        *self = Hash::Table(Box::new(d));
    }

    /// Converts before a write whose arguments would not fit a listpack
    /// (`hashTypeTryConversion`): one too long, or all together too big.
    pub fn try_conversion(&mut self, args: &[&[u8]], lim: HashLimits) {
        let Hash::Listpack(lp) = self else {
            return;
        };
        let mut sum = 0usize;
        for a in args {
            if a.len() > lim.max_value {
                self.convert_to_table();
                return;
            }
            sum = sum.saturating_add(a.len());
        }
        if !lp.safe_to_add(sum) {
            self.convert_to_table();
        }
    }

    /// Sets `field` to `value`; true when the field existed (an update).
    /// Converts like `hashTypeSet`: a too long field or value first, too
    /// many entries after.
    pub fn set(&mut self, field: &[u8], value: &[u8], lim: HashLimits) -> bool {
        if matches!(self, Hash::Listpack(_)) && (field.len() > lim.max_value || value.len() > lim.max_value) {
            self.convert_to_table();
        }
        match self {
            Hash::Listpack(lp) => {
                let updated = match lp_find_field(lp, field).and_then(|f| lp.next(f)) {
                    Some(v) => {
                        lp.replace(v, value);
                        true
                    }
                    None => {
                        lp.append(field);
                        lp.append(value);
                        false
                    }
                };
                if lp.len() / 2 > lim.max_entries {
                    self.convert_to_table();
                }
                updated
            }
            Hash::Table(d) => {
                if let Some(n) = d.get_mut(field) {
                    n.val = value.into();
                    true
                } else {
                    d.insert_new(Node::boxed(field, value.into()));
                    false
                }
            }
        }
    }

    /// Removes `field`; true if it was there (`hashTypeDelete`). A table
    /// shrinks when it gets sparse, as Redis does after every delete.
    pub fn delete(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(lp) => match lp_find_field(lp, field) {
                Some(f) => {
                    lp.delete_range_at(f, 2);
                    true
                }
                None => false,
            },
            Hash::Table(d) => {
                if d.remove(field).is_none() {
                    return false;
                }
                if d.needs_shrink() {
                    d.shrink_to_fit();
                }
                true
            }
        }
    }

    /// Moves an ongoing table rehash `n` buckets on: Redis's lookups do one
    /// step as a side effect, its fair random sampling about 15.
    pub fn rehash_steps(&mut self, n: usize) {
        if let Hash::Table(d) = self {
            if d.is_rehashing() {
                d.rehash(n.max(1));
            }
        }
    }

    /// Releases spare capacity after a write, so a listpack costs what
    /// Redis's exact-size allocation costs.
    pub fn compact(&mut self) {
        if let Hash::Listpack(lp) = self {
            lp.shrink_to_fit();
        }
    }

    /// Iterates `(field, value)` pairs (listpack order, or table order).
    pub fn iter(&self) -> HashIter<'_> {
        match self {
            Hash::Listpack(lp) => HashIter::Listpack(lp.iter()),
            Hash::Table(d) => HashIter::Table(d.iter()),
        }
    }

    /// A random pair of a non-empty hash (`hashTypeRandomElement`).
    pub fn random_pair(&self) -> Option<(LpValue<'_>, LpValue<'_>)> {
        match self {
            Hash::Listpack(lp) => {
                let n = lp.len() / 2;
                if n == 0 {
                    return None;
                }
                let f = lp.seek(2 * rand_below(n as u64) as i64)?;
                let (fv, next) = lp.get_next(f);
                Some((fv, lp.get(next?)))
            }
            Hash::Table(d) => d.fair_random_entry().map(|n| (LpValue::Str(&n.key), LpValue::Str(&n.val))),
        }
    }

    /// All pairs, in iteration order.
    fn pairs(&self) -> Vec<(LpValue<'_>, LpValue<'_>)> {
        self.iter().collect()
    }

    /// Mixes the content into a DEBUG DIGEST accumulator (`xorObjectDigest`).
    pub fn digest(&self, d: &mut [u8; 20]) {
        let mut buf = Vec::new();
        for (f, v) in self.iter() {
            let mut ele = [0u8; 20];
            buf.clear();
            f.write_to(&mut buf);
            mix_digest(&mut ele, &buf);
            buf.clear();
            v.write_to(&mut buf);
            mix_digest(&mut ele, &buf);
            xor_digest(d, &ele);
        }
    }

    /// Heap bytes used by the value (for MEMORY USAGE), in jemalloc size
    /// classes. Large tables are sampled and extrapolated, like
    /// `objectComputeSize`.
    pub fn alloc_size(&self) -> usize {
        use crate::object::jemalloc_class as class;
        match self {
            Hash::Listpack(lp) => class(lp.bytes()),
            Hash::Table(d) => {
                const SAMPLES: usize = 1024;
                let node = class(std::mem::size_of::<Node<Box<[u8]>>>());
                let (mut seen, mut bytes) = (0usize, 0usize);
                for n in d.iter().take(SAMPLES) {
                    seen += 1;
                    bytes += node + class(n.key.len()) + class(n.val.len());
                }
                let elems = bytes.checked_div(seen).unwrap_or(0) * d.len();
                class(std::mem::size_of::<FieldTable>()) + class(d.slots() * std::mem::size_of::<usize>()) + elems
            }
        }
    }
}

/// DEBUG HTSTATS-KEY text for a table (`dictGetStats`).
pub fn dict_stats_text<E: DictEntry>(d: &Dict<E>) -> String {
    use std::fmt::Write;
    let stats = d.stats();
    let mut out = String::new();
    if stats.is_empty() || d.is_empty() {
        out.push_str("Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n");
        return out;
    }
    for (idx, (size, used, slots, hist)) in stats.iter().enumerate() {
        let name = if idx == 0 { "main hash table" } else { "rehashing target" };
        if *used == 0 {
            let _ = write!(out, "Hash table {idx} stats ({name}):\nNo stats available for empty dictionaries\n");
            continue;
        }
        let maxchain = hist.iter().rposition(|&n| n > 0).unwrap_or(0);
        let total: usize = hist.iter().enumerate().map(|(len, n)| len * n).sum();
        let _ = write!(
            out,
            "Hash table {idx} stats ({name}):\n table size: {size}\n number of elements: {used}\n different slots: {slots}\n max chain length: {maxchain}\n avg chain length (counted): {:.2}\n avg chain length (computed): {:.2}\n Chain length distribution:\n",
            total as f32 / *slots as f32,
            *used as f32 / *slots as f32
        );
        for (len, n) in hist.iter().enumerate().take(hist.len() - 1) {
            if *n > 0 {
                let _ = writeln!(out, "   {len}: {n} ({:.2}%)", *n as f32 / *size as f32 * 100.0);
            }
        }
    }
    out
}

/// A printout of a listpack's entries, like `lpRepr`.
fn listpack_repr(lp: &Listpack) -> String {
    use std::fmt::Write;
    let mut out = format!("{{total bytes {}}} {{num entries {}}}\n", lp.bytes(), lp.len());
    let mut index = 0;
    let mut pos = lp.first();
    while let Some(p) = pos {
        let (v, next) = lp.get_next(p);
        let size = next.unwrap_or(lp.bytes() - 1) - p;
        let bytes = &lp.as_bytes()[p..p + size];
        let _ = write!(
            out,
            "{{\n\taddr: 0x{p:08x},\n\tindex: {index:2},\n\toffset: {p},\n\thdr+entrylen+backlen: {size:2},\n\tbytes: "
        );
        for b in bytes {
            let _ = write!(out, "{b:02x}|");
        }
        let s = v.to_vec();
        let shown = &s[..s.len().min(40)];
        let _ = write!(out, "\n\t[str]{}", String::from_utf8_lossy(shown));
        if s.len() > 40 {
            out.push_str("...");
        }
        out.push_str("\n}\n");
        index += 1;
        pos = next;
    }
    out.push_str("{end}\n\n");
    out
}

/// DEBUG subcommands owned by this type: `DEBUG LISTPACK <key>` for
/// hashes, and `DEBUG HTSTATS-KEY <key>` for hashes and keys no other type
/// claims. Returns None when `ctx.argv[1]` is not one of them.
pub fn debug_hook(ctx: &mut Ctx) -> Option<CmdResult> {
    if ctx.argc() != 3 {
        return None;
    }
    let sub = ctx.argv[1].to_ascii_lowercase();
    let db = ctx.dbi();
    let key = ctx.argv[2];
    let listpack = sub == b"listpack";
    if !listpack && sub != b"htstats-key" {
        return None;
    }
    let Some(e) = ctx.srv.lookup_key(db, key, lookup::NOTOUCH | lookup::NONOTIFY) else {
        return Some(Err(Error::NoSuchKey));
    };
    let v = e.value();
    let h = match v {
        ValueRef::Obj(Obj::Hash(h)) => h,
        // Sorted sets answer for themselves, sets for their hash tables.
        ValueRef::Obj(Obj::ZSet(_)) => return None,
        ValueRef::Obj(Obj::Set(_)) if !listpack => return None,
        _ if listpack => return Some(Err(Error::err("ERR Not a listpack encoded object."))),
        _ => {
            return Some(Err(Error::err(
                "ERR The value stored at the specified key is not represented using an hash table",
            )))
        }
    };
    let r = &mut ctx.c.reply;
    match (h, listpack) {
        (Hash::Listpack(lp), true) => {
            print!("{}", listpack_repr(lp));
            r.status(b"Listpack structure printed on stdout");
        }
        (Hash::Table(_), true) => return Some(Err(Error::err("ERR Not a listpack encoded object."))),
        (Hash::Table(d), false) => r.verbatim(dict_stats_text(d).as_bytes(), b"txt"),
        (Hash::Listpack(_), false) => {
            return Some(Err(Error::err(
                "ERR The value stored at the specified key is not represented using an hash table",
            )))
        }
    }
    Some(Ok(()))
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/// The hash held by an entry, or WRONGTYPE.
fn hash_of(e: &KvEntry) -> Result<&Hash, Error> {
    match e.value() {
        ValueRef::Obj(Obj::Hash(h)) => Ok(h),
        _ => Err(Error::WrongType),
    }
}

/// Looks a hash up for reading (`lookupKeyRead` + `checkType`). Like
/// Redis's table lookups, it moves an ongoing rehash one step.
fn lookup_hash_read<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s Hash>, Error> {
    match srv.lookup_read(db, key).map(|e| e.obj_mut()) {
        None => Ok(None),
        Some(Some(Obj::Hash(h))) => {
            h.rehash_steps(1);
            Ok(Some(h))
        }
        Some(_) => Err(Error::WrongType),
    }
}

/// Looks a hash up for writing (`lookupKeyWrite` + `checkType`).
fn lookup_hash_write<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s mut Hash>, Error> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(e) => match e.obj_mut() {
            Some(Obj::Hash(h)) => Ok(Some(h)),
            _ => Err(Error::WrongType),
        },
    }
}

/// The hash at `key`, created empty when missing
/// (`hashTypeLookupWriteOrCreate`).
fn hash_write_or_create<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<&'s mut Hash, Error> {
    if lookup_hash_write(srv, db, key)?.is_none() {
        srv.db_add(db, key, NewValue::Obj(Box::new(Obj::Hash(Hash::new()))));
    }
    match srv.dbs[db].find_mut(key).and_then(|e| e.obj_mut()) {
        Some(Obj::Hash(h)) => Ok(h),
        _ => Err(Error::WrongType),
    }
}

/// Replies with a hash element as a bulk string.
fn reply_value(r: &mut ReplyBuf, v: LpValue<'_>) {
    match v {
        LpValue::Str(s) => r.bulk(s),
        LpValue::Int(i) => r.bulk_i64(i),
    }
}

/// Shared body of HSET and HMSET (`hsetCommand`).
fn hset_generic(ctx: &mut Ctx, hmset: bool) -> CmdResult {
    if ctx.argc() % 2 == 1 {
        return Err(Error::WrongArity(ctx.cmd.fullname.clone()));
    }
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let lim = HashLimits::of(ctx.srv);
    let h = hash_write_or_create(ctx.srv, db, key)?;
    h.try_conversion(&ctx.argv[2..], lim);
    let mut created = 0;
    for pair in ctx.argv[2..].chunks_exact(2) {
        if !h.set(pair[0], pair[1], lim) {
            created += 1;
        }
    }
    h.compact();
    if hmset {
        ctx.c.reply.ok();
    } else {
        ctx.c.reply.int(created);
    }
    ctx.key_modified(key, KeyWrite::new(HSET).dirty(((ctx.argc() - 2) / 2) as u64));
    Ok(())
}

/// `HSET key field value [field value ...]`
pub fn hset_command(ctx: &mut Ctx) -> CmdResult {
    hset_generic(ctx, false)
}

/// `HMSET key field value [field value ...]`
pub fn hmset_command(ctx: &mut Ctx) -> CmdResult {
    hset_generic(ctx, true)
}

/// `HSETNX key field value`
pub fn hsetnx_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let lim = HashLimits::of(ctx.srv);
    let h = hash_write_or_create(ctx.srv, db, key)?;
    if h.exists(ctx.argv[2]) {
        ctx.c.reply.int(0);
        return Ok(());
    }
    h.try_conversion(&ctx.argv[2..4], lim);
    h.set(ctx.argv[2], ctx.argv[3], lim);
    h.compact();
    ctx.c.reply.int(1);
    ctx.key_modified(key, HSET);
    Ok(())
}

/// `HGET key field`
pub fn hget_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let h = lookup_hash_read(ctx.srv, db, ctx.argv[1])?;
    match h.and_then(|h| h.get(ctx.argv[2])) {
        Some(v) => reply_value(&mut ctx.c.reply, v),
        None => ctx.c.reply.null(),
    }
    Ok(())
}

/// `HMGET key field [field ...]`
pub fn hmget_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let h = lookup_hash_read(ctx.srv, db, ctx.argv[1])?;
    let r = &mut ctx.c.reply;
    r.array_len(ctx.argv.len() - 2);
    for &field in &ctx.argv[2..] {
        match h.and_then(|h| h.get(field)) {
            Some(v) => reply_value(r, v),
            None => r.null(),
        }
    }
    Ok(())
}

/// `HDEL key field [field ...]`
pub fn hdel_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(h) = lookup_hash_write(ctx.srv, db, key)? else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    let mut deleted = 0u64;
    let mut emptied = false;
    for &field in &ctx.argv[2..] {
        if h.delete(field) {
            deleted += 1;
            if h.is_empty() {
                emptied = true;
                break;
            }
        }
    }
    if !emptied {
        h.compact();
    }
    if emptied {
        ctx.srv.db_delete(db, key);
    }
    if deleted > 0 {
        let hdel = Event::new(notify::HASH, "hdel");
        ctx.key_modified(key, KeyWrite::new(hdel).also_if(emptied, ev::DEL).dirty(deleted));
    }
    ctx.c.reply.int(deleted as i64);
    Ok(())
}

/// `HLEN key`
pub fn hlen_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let n = lookup_hash_read(ctx.srv, db, ctx.argv[1])?.map_or(0, |h| h.len());
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `HSTRLEN key field`
pub fn hstrlen_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let n = lookup_hash_read(ctx.srv, db, ctx.argv[1])?.map_or(0, |h| h.value_len(ctx.argv[2]));
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `HEXISTS key field`
pub fn hexists_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let found = lookup_hash_read(ctx.srv, db, ctx.argv[1])?.is_some_and(|h| h.exists(ctx.argv[2]));
    ctx.c.reply.int(i64::from(found));
    Ok(())
}

/// What HGETALL-style commands return.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parts {
    Fields,
    Values,
    Both,
}

/// Shared body of HKEYS, HVALS and HGETALL (`genericHgetallCommand`).
fn hgetall_generic(ctx: &mut Ctx, parts: Parts) -> CmdResult {
    let db = ctx.dbi();
    let h = lookup_hash_read(ctx.srv, db, ctx.argv[1])?;
    let r = &mut ctx.c.reply;
    let Some(h) = h else {
        if parts == Parts::Both {
            r.map_len(0);
        } else {
            r.array_len(0);
        }
        return Ok(());
    };
    if parts == Parts::Both {
        r.map_len(h.len());
    } else {
        r.array_len(h.len());
    }
    for (f, v) in h.iter() {
        if parts != Parts::Values {
            reply_value(r, f);
        }
        if parts != Parts::Fields {
            reply_value(r, v);
        }
    }
    Ok(())
}

/// `HKEYS key`
pub fn hkeys_command(ctx: &mut Ctx) -> CmdResult {
    hgetall_generic(ctx, Parts::Fields)
}

/// `HVALS key`
pub fn hvals_command(ctx: &mut Ctx) -> CmdResult {
    hgetall_generic(ctx, Parts::Values)
}

/// `HGETALL key`
pub fn hgetall_command(ctx: &mut Ctx) -> CmdResult {
    hgetall_generic(ctx, Parts::Both)
}

/// `HINCRBY key field increment`
pub fn hincrby_command(ctx: &mut Ctx) -> CmdResult {
    let incr = parse_i64(ctx.argv[3]).ok_or(Error::NotInteger)?;
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let field = ctx.argv[2];
    let lim = HashLimits::of(ctx.srv);
    let h = hash_write_or_create(ctx.srv, db, key)?;
    let old = match h.get(field) {
        None => 0,
        Some(LpValue::Int(i)) => i,
        Some(LpValue::Str(s)) => parse_i64(s).ok_or(Error::err("ERR hash value is not an integer"))?,
    };
    if (incr < 0 && old < 0 && incr < i64::MIN - old) || (incr > 0 && old > 0 && incr > i64::MAX - old) {
        return Err(Error::Overflow);
    }
    let value = old + incr;
    let mut text = Vec::with_capacity(20);
    push_i64(&mut text, value);
    h.set(field, &text, lim);
    h.compact();
    ctx.c.reply.int(value);
    ctx.key_modified(key, Event::new(notify::HASH, "hincrby"));
    Ok(())
}

/// `HINCRBYFLOAT key field increment`
pub fn hincrbyfloat_command(ctx: &mut Ctx) -> CmdResult {
    let incr = ctx.argv[3];
    if !is_long_double(incr) {
        return Err(Error::NotFloat);
    }
    if parse_f64(incr).is_some_and(|v| v.is_infinite()) {
        return Err(Error::err("ERR value is NaN or Infinity"));
    }
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let field = ctx.argv[2];
    let lim = HashLimits::of(ctx.srv);
    let h = hash_write_or_create(ctx.srv, db, key)?;
    let base = match h.get(field) {
        None => b"0".to_vec(),
        Some(v) => v.to_vec(),
    };
    let mut result = Vec::with_capacity(32);
    match long_double_add(&base, incr, &mut result) {
        Ok(()) => {}
        Err(LdAddError::BadBase) => return Err(Error::err("ERR hash value is not a float")),
        Err(LdAddError::BadIncr) => return Err(Error::NotFloat),
        Err(LdAddError::NanOrInf) => return Err(Error::err("ERR increment would produce NaN or Infinity")),
    }
    h.set(field, &result, lim);
    h.compact();
    ctx.c.reply.bulk(&result);
    ctx.key_modified(key, Event::new(notify::HASH, "hincrbyfloat"));
    // Replicated as HSET with the final value, so float formatting can
    // never make a replica or an AOF reload diverge.
    ctx.propagate_as(vec![b"HSET".to_vec(), key.to_vec(), field.to_vec(), result]);
    Ok(())
}

/// `HSCAN key cursor [MATCH pattern] [COUNT count]`
pub fn hscan_command(ctx: &mut Ctx) -> CmdResult {
    let cursor = parse_cursor(ctx.argv[2])?;
    let db = ctx.dbi();
    let Some(h) = lookup_hash_read(ctx.srv, db, ctx.argv[1])? else {
        ctx.c.reply.raw(b"*2\r\n$1\r\n0\r\n*0\r\n");
        return Ok(());
    };
    let opts = parse_scan_opts(&ctx.argv[3..], false)?;
    let mut items: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let next = match h {
        Hash::Listpack(_) => {
            items.extend(h.iter().map(|(f, v)| (f.to_vec(), v.to_vec())));
            0
        }
        Hash::Table(d) => {
            // Pairs count double against COUNT, as in Redis.
            let count = opts.count.saturating_mul(2);
            let mut maxiter = count.saturating_mul(10);
            let mut cur = cursor;
            loop {
                cur = d.scan(cur, |n| items.push((n.key.to_vec(), n.val.to_vec())));
                if cur == 0 || maxiter == 0 {
                    break;
                }
                maxiter -= 1;
                if (items.len() as u64).saturating_mul(2) >= count {
                    break;
                }
            }
            cur
        }
    };
    if let Some(p) = opts.pattern {
        items.retain(|(f, _)| glob_match(p, f, false));
    }
    let r = &mut ctx.c.reply;
    r.array_len(2);
    r.bulk(next.to_string().as_bytes());
    r.array_len(items.len() * 2);
    for (f, v) in &items {
        r.bulk(f);
        r.bulk(v);
    }
    Ok(())
}

/// Past this size ratio HRANDFIELD stops copying the hash and removing
/// from the copy, and picks random fields instead.
const HRANDFIELD_SUB_STRATEGY_MUL: u64 = 3;

/// Writes one HRANDFIELD result (a nested pair in RESP3 WITHVALUES).
fn reply_rand_pair(r: &mut ReplyBuf, f: LpValue<'_>, v: LpValue<'_>, withvalues: bool) {
    if withvalues && r.resp > 2 {
        r.array_len(2);
    }
    reply_value(r, f);
    if withvalues {
        reply_value(r, v);
    }
}

/// The hash at `key` of a database, without a lookup (for a command
/// that already looked it up).
fn peek_hash<'s>(srv: &'s Server, db: usize, key: &[u8]) -> Option<&'s Hash> {
    srv.dbs[db].find(key).and_then(|e| hash_of(e).ok())
}

/// Rehash steps Redis's fair random sampling takes per pick
/// (`GETFAIR_NUM_ENTRIES` calls of `_dictRehashStep`).
const REHASH_STEPS_PER_PICK: u64 = 15;

/// Advances a table rehash as much as `picks` random samplings would.
fn sampling_rehash(srv: &mut Server, db: usize, key: &[u8], picks: u64) {
    if picks > 0 {
        if let Some(Obj::Hash(h)) = srv.dbs[db].find_mut(key).and_then(|e| e.obj_mut()) {
            h.rehash_steps(picks.saturating_mul(REHASH_STEPS_PER_PICK).min(1 << 24) as usize);
        }
    }
}

/// Offsets of the fields of a hash listpack.
fn field_offsets(lp: &Listpack) -> Vec<usize> {
    lp.iter_pos().step_by(2).map(|(p, _)| p).collect()
}

/// Elements written between two output buffer limit checks by the
/// unbounded random replies (Redis checks `CLIENT_CLOSE_ASAP` after each).
const RANDOM_REPLY_BATCH: u64 = 1000;

/// `HRANDFIELD key count [WITHVALUES]` (`hrandfieldWithCountCommand`).
fn hrandfield_with_count(ctx: &mut Ctx, l: i64, withvalues: bool) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let Some(h) = lookup_hash_read(ctx.srv, db, key)? else {
        ctx.c.reply.array_len(0);
        return Ok(());
    };
    let size = h.len() as u64;
    let uniq = l >= 0;
    let count = l.unsigned_abs();
    if count == 0 {
        ctx.c.reply.array_len(0);
        return Ok(());
    }
    let resp2_flat = withvalues && ctx.c.reply.resp == 2;
    let picks = if !uniq || count == 1 || count.saturating_mul(HRANDFIELD_SUB_STRATEGY_MUL) <= size {
        count
    } else {
        0
    };
    sampling_rehash(ctx.srv, db, key, picks);
    let Some(h) = peek_hash(ctx.srv, db, key) else {
        ctx.c.reply.array_len(0);
        return Ok(());
    };

    // CASE 1: negative count (repetitions allowed) or a single field.
    if !uniq || count == 1 {
        ctx.c.reply.array_len(if resp2_flat { count as usize * 2 } else { count as usize });
        let mut offsets: Option<Vec<usize>> = None;
        let mut left = count;
        while left > 0 {
            let batch = left.min(RANDOM_REPLY_BATCH);
            left -= batch;
            let r = &mut ctx.c.reply;
            match peek_hash(ctx.srv, db, key) {
                Some(Hash::Table(d)) => {
                    for _ in 0..batch {
                        let Some(n) = d.fair_random_entry() else { break };
                        reply_rand_pair(r, LpValue::Str(&n.key), LpValue::Str(&n.val), withvalues);
                    }
                }
                Some(Hash::Listpack(lp)) => {
                    let offs = offsets.get_or_insert_with(|| field_offsets(lp));
                    for _ in 0..batch {
                        let (f, next) = lp.get_next(offs[rand_below(offs.len() as u64) as usize]);
                        let v = next.map_or(LpValue::Str(b""), |p| lp.get(p));
                        reply_rand_pair(r, f, v, withvalues);
                    }
                }
                None => break,
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

    let reply_size = count.min(size) as usize;
    let r = &mut ctx.c.reply;
    r.array_len(if resp2_flat { reply_size * 2 } else { reply_size });

    // CASE 2: at least as many as there are: the whole hash.
    if count >= size {
        for (f, v) in h.iter() {
            reply_rand_pair(r, f, v, withvalues);
        }
        return Ok(());
    }

    // CASE 3: close to the size: copy everything and remove random pairs.
    if count.saturating_mul(HRANDFIELD_SUB_STRATEGY_MUL) > size {
        let mut pairs = h.pairs();
        while pairs.len() as u64 > count {
            let i = rand_below(pairs.len() as u64) as usize;
            pairs.swap_remove(i);
        }
        for (f, v) in pairs {
            reply_rand_pair(r, f, v, withvalues);
        }
        return Ok(());
    }

    // CASE 4: few of many.
    match h {
        Hash::Listpack(lp) => {
            // One pass, each pair taken with probability wanted/left, so the
            // picks come in listpack order (`lpRandomPairsUnique`).
            let total = (lp.len() / 2) as u64;
            let mut remaining = count;
            let mut it = lp.iter();
            let mut index = 0u64;
            while remaining > 0 {
                let (Some(f), Some(v)) = (it.next(), it.next()) else { break };
                let threshold = remaining as f64 / (total - index) as f64;
                if rand_unit() <= threshold {
                    reply_rand_pair(r, f, v, withvalues);
                    remaining -= 1;
                }
                index += 1;
            }
        }
        Hash::Table(d) => {
            let mut picked: HashSet<&[u8]> = HashSet::with_capacity(count as usize);
            while (picked.len() as u64) < count {
                let Some(n) = d.fair_random_entry() else { break };
                if picked.insert(&n.key) {
                    reply_rand_pair(r, LpValue::Str(&n.key), LpValue::Str(&n.val), withvalues);
                }
            }
        }
    }
    Ok(())
}

/// `HRANDFIELD key [count [WITHVALUES]]`
pub fn hrandfield_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.argc() >= 3 {
        let l = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
        if l == i64::MIN {
            return Err(Error::err(
                "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
            ));
        }
        let withvalues = match ctx.argc() {
            3 => false,
            4 if ctx.argv[3].eq_ignore_ascii_case(b"withvalues") => true,
            _ => return Err(Error::Syntax),
        };
        if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
            return Err(Error::err("ERR value is out of range"));
        }
        return hrandfield_with_count(ctx, l, withvalues);
    }
    let db = ctx.dbi();
    if lookup_hash_read(ctx.srv, db, ctx.argv[1])?.is_some() {
        sampling_rehash(ctx.srv, db, ctx.argv[1], 1);
    }
    match peek_hash(ctx.srv, db, ctx.argv[1]).and_then(|h| h.random_pair()) {
        Some((f, _)) => reply_value(&mut ctx.c.reply, f),
        None => ctx.c.reply.null(),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    use crate::util::test_rng::Rng;

    fn model_of(h: &Hash) -> BTreeMap<Vec<u8>, Vec<u8>> {
        h.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect()
    }

    fn random_bytes(rng: &mut Rng) -> Vec<u8> {
        match rng.below(6) {
            0 => rng.below(300).to_string().into_bytes(),
            1 => (rng.below(2000) as i64 - 1000).to_string().into_bytes(),
            2 => vec![b'x'; rng.below(80) as usize],
            3 => format!("f{}", rng.below(200)).into_bytes(),
            4 => i64::MAX.to_string().into_bytes(),
            _ => Vec::new(),
        }
    }

    /// Random writes against a BTreeMap model, across conversions.
    #[test]
    fn model_across_conversions() {
        let mut rng = Rng::new(0x1234_5678_9abc_def1);
        for round in 0..40 {
            let lim = HashLimits {
                max_entries: [0, 1, 8, 64, 128][round % 5],
                max_value: [0, 8, 64, 1000][round % 4],
            };
            let mut h = Hash::new();
            let mut m: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
            let mut was_table = false;
            for _ in 0..600 {
                let f = random_bytes(&mut rng);
                match rng.below(4) {
                    0 | 1 => {
                        let v = random_bytes(&mut rng);
                        h.try_conversion(&[&f, &v], lim);
                        let updated = h.set(&f, &v, lim);
                        assert_eq!(updated, m.insert(f.clone(), v.clone()).is_some());
                        if matches!(h, Hash::Listpack(_)) {
                            assert!(f.len() <= lim.max_value && v.len() <= lim.max_value);
                            assert!(h.len() <= lim.max_entries);
                        }
                    }
                    2 => assert_eq!(h.delete(&f), m.remove(&f).is_some()),
                    _ => {
                        assert_eq!(h.get(&f).map(|v| v.to_vec()), m.get(&f).cloned());
                        assert_eq!(h.value_len(&f), m.get(&f).map_or(0, |v| v.len()));
                    }
                }
                if was_table {
                    assert_eq!(h.encoding_name(), "hashtable", "never converts back");
                }
                was_table = matches!(h, Hash::Table(_));
                h.compact();
                assert_eq!(h.len(), m.len());
            }
            assert_eq!(model_of(&h), m);
        }
    }

    #[test]
    fn conversion_thresholds() {
        let lim = HashLimits {
            max_entries: 4,
            max_value: 10,
        };
        let mut h = Hash::new();
        for i in 0..4 {
            h.set(format!("f{i}").as_bytes(), b"v", lim);
        }
        assert_eq!(h.encoding_name(), "listpack");
        h.set(b"f4", b"v", lim);
        assert_eq!(h.encoding_name(), "hashtable");

        let mut h = Hash::new();
        h.set(b"0123456789", b"0123456789", lim);
        assert_eq!(h.encoding_name(), "listpack");
        h.set(b"a", b"01234567890", lim);
        assert_eq!(h.encoding_name(), "hashtable");

        let mut h = Hash::new();
        h.try_conversion(&[b"a", b"01234567890"], lim);
        assert_eq!(h.encoding_name(), "hashtable");
    }

    #[test]
    fn digest_is_encoding_independent() {
        let lim = HashLimits {
            max_entries: 512,
            max_value: 64,
        };
        let mut a = Hash::new();
        for i in 0..20 {
            a.set(format!("{i}").as_bytes(), format!("v{i}").as_bytes(), lim);
        }
        let mut b = a.clone();
        b.convert_to_table();
        let (mut da, mut db) = ([0u8; 20], [0u8; 20]);
        a.digest(&mut da);
        b.digest(&mut db);
        assert_eq!(da, db);
        assert_ne!(da, [0u8; 20]);
        assert_eq!(model_of(&a), model_of(&b));
    }

    #[test]
    fn listpack_bytes_match_redis() {
        // HSET h a 1 b hello, as Redis lays it out.
        let lim = HashLimits {
            max_entries: 512,
            max_value: 64,
        };
        let mut h = Hash::new();
        h.set(b"a", b"1", lim);
        h.set(b"b", b"hello", lim);
        let Hash::Listpack(lp) = &h else { panic!() };
        assert_eq!(
            lp.as_bytes(),
            &[22, 0, 0, 0, 4, 0, 0x81, b'a', 2, 1, 1, 0x81, b'b', 2, 0x85, b'h', b'e', b'l', b'l', b'o', 6, 0xff]
        );
        assert_eq!(std::mem::size_of::<Hash>(), 24);
    }

    #[test]
    fn random_pair_covers_everything() {
        let lim = HashLimits {
            max_entries: 512,
            max_value: 64,
        };
        for table in [false, true] {
            let mut h = Hash::new();
            for i in 0..10 {
                h.set(format!("f{i}").as_bytes(), format!("{i}").as_bytes(), lim);
            }
            if table {
                h.convert_to_table();
            }
            let mut seen = std::collections::BTreeSet::new();
            for _ in 0..1000 {
                let (f, v) = h.random_pair().unwrap();
                assert_eq!(h.get(&f.to_vec()).map(|x| x.to_vec()), Some(v.to_vec()));
                seen.insert(f.to_vec());
            }
            assert_eq!(seen.len(), 10);
        }
    }
}
