//! RDB encodings of the collection types (lists, hashes, sets, sorted
//! sets, streams): which RDB type byte each encoding uses, the payloads, loading
//! every encoding Redis 7.0 can read (converting old ones the way it does),
//! and the commands of an AOF rewrite.
//!
//! Whatever the `sanitize-dump-payload` setting, payloads are checked
//! structurally before use, so a corrupt file or DUMP never reaches the
//! types' code: listpacks, ziplists, zipmaps and intsets are walked entry
//! by entry. What the setting adds, as in Redis, are the O(n) duplicate
//! checks of listpack hashes and sorted sets.

use super::rdb::codec::*;
use crate::ds::intset::Intset;
use crate::ds::listpack::{Listpack, LpValue};
use crate::ds::quicklist::Quicklist;
use crate::object::Obj;
use crate::server::Server;
use crate::types::hash::{Hash, HashLimits};
use crate::types::list::List;
use crate::types::set::Set;
use crate::types::zset::{Limits as ZsetLimits, ZSet};
use crate::types::zset::{RdbPayload, RdbZsetLoader};
use std::collections::HashSet;
use std::io::{self, Read, Write};

/// Elements per command in an AOF rewrite (`AOF_REWRITE_ITEMS_PER_CMD`).
const AOF_ITEMS_PER_CMD: usize = 64;

/// The RDB type byte for a collection value (`rdbSaveObjectType`).
pub fn collection_type(o: &Obj) -> u8 {
    match o {
        Obj::Str(_) => TYPE_STRING,
        Obj::List(_) => TYPE_LIST_QUICKLIST_2,
        Obj::Hash(h) if h.as_listpack().is_some() => TYPE_HASH_LISTPACK,
        Obj::Hash(_) => TYPE_HASH,
        Obj::Set(s) if s.as_intset().is_some() => TYPE_SET_INTSET,
        Obj::Set(_) => TYPE_SET,
        Obj::ZSet(z) if z.is_listpack() => TYPE_ZSET_LISTPACK,
        Obj::ZSet(_) => TYPE_ZSET_2,
        Obj::Stream(_) => TYPE_STREAM_LISTPACKS_2,
        Obj::Stack(_) => TYPE_MODULE_2,
    }
}

/// Writes an element that may be stored as an integer.
fn write_elem<W: Write>(w: &mut RdbWriter<W>, v: LpValue<'_>) -> io::Result<()> {
    match v {
        LpValue::Str(s) => w.string(s),
        LpValue::Int(i) => w.int_string(i),
    }
}

/// Writes a collection payload (`rdbSaveObject`).
pub fn write_collection<W: Write>(w: &mut RdbWriter<W>, o: &Obj) -> io::Result<()> {
    match o {
        Obj::Str(s) => w.string(s),
        Obj::List(l) => write_quicklist(w, l.quicklist()),
        Obj::Hash(h) => match h.as_listpack() {
            Some(lp) => w.string(lp.as_bytes()),
            None => {
                w.len(h.len() as u64)?;
                for (f, v) in h.iter() {
                    write_elem(w, f)?;
                    write_elem(w, v)?;
                }
                Ok(())
            }
        },
        Obj::Set(s) => match s.as_intset() {
            Some(is) => w.string(is.as_bytes()),
            None => {
                w.len(s.len() as u64)?;
                for m in s.iter() {
                    write_elem(w, m)?;
                }
                Ok(())
            }
        },
        Obj::ZSet(z) => match z.rdb_payload() {
            RdbPayload::Listpack(b) => w.string(b),
            RdbPayload::Skiplist(items) => {
                w.len(items.len() as u64)?;
                for (m, score) in items {
                    w.string(m)?;
                    w.binary_double(score)?;
                }
                Ok(())
            }
        },
        Obj::Stream(s) => crate::types::stream::write_rdb(w, s),
        Obj::Stack(v) => v.write_rdb(w),
    }
}

/// A quicklist as RDB_TYPE_LIST_QUICKLIST_2: the node count, then per node
/// its container kind and its bytes, compressed nodes as their LZF blob.
fn write_quicklist<W: Write>(w: &mut RdbWriter<W>, ql: &Quicklist) -> io::Result<()> {
    w.len(ql.node_count() as u64)?;
    for n in ql.nodes() {
        w.len(if n.plain { QUICKLIST_NODE_PLAIN } else { QUICKLIST_NODE_PACKED })?;
        match (n.compressed, n.raw) {
            (Some(lzf), _) => w.lzf_blob(lzf, n.sz)?,
            (None, Some(raw)) => w.string(raw)?,
            (None, None) => return Err(io::Error::other("quicklist node without data")),
        }
    }
    Ok(())
}

/// Whether this load must run the O(n) checks of `sanitize-dump-payload`
/// (for `clients`: RESTORE from a client, not a file being loaded).
fn deep_sanitize(srv: &Server) -> bool {
    // The values of SANITIZE_DUMP_PAYLOAD_ENUM: no 0, yes 1, clients 2.
    match srv.cfg.sanitize_dump_payload {
        1 => true,
        2 => !srv.loading,
        _ => false,
    }
}

/// How many slots to reserve for a collection whose payload claims `n`
/// elements. The claim may be corrupt, so tables are sized for at most
/// about a million up front and grow as elements really arrive.
pub fn presize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX).min(1 << 20)
}

fn usize_of(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// Reads a collection payload of RDB type `t` (`rdbLoadObject`); None for
/// an empty value, which Redis skips.
pub fn read_collection<R: Read>(srv: &mut Server, r: &mut RdbReader<R>, t: u8) -> LoadResult<Option<Obj>> {
    let deep = deep_sanitize(srv);
    // Counted per listpack or intset checked deeply (quicklist nodes are
    // counted as they are read).
    if deep && matches!(t, TYPE_SET_INTSET | TYPE_ZSET_LISTPACK | TYPE_HASH_LISTPACK) {
        srv.stats.dump_payload_sanitizations += 1;
    }
    match t {
        TYPE_LIST => read_plain_list(srv, r),
        TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => read_quicklist(srv, r, t == TYPE_LIST_QUICKLIST_2),
        TYPE_LIST_ZIPLIST => {
            let zl = r.string()?;
            let mut ql = new_quicklist(srv);
            if !crate::ds::ziplist::for_each_validated(&zl, |v| {
                ql.push_tail(&v.to_vec());
                true
            }) {
                return corrupt("List ziplist integrity check failed.");
            }
            Ok((!ql.is_empty()).then(|| Obj::List(List::from_quicklist(ql))))
        }
        TYPE_SET => read_plain_set(srv, r),
        TYPE_SET_INTSET => {
            let Some(is) = Intset::from_bytes(r.string()?) else {
                return corrupt("Intset integrity check failed.");
            };
            let mut s = Set::from_intset(is);
            if s.len() > usize_of(srv.cfg.set_max_intset_entries) {
                s.convert_to_table();
            }
            Ok(Some(Obj::Set(s)))
        }
        TYPE_ZSET | TYPE_ZSET_2 => {
            let n = r.len()?;
            if n == 0 {
                return Ok(None);
            }
            let mut z = RdbZsetLoader::new(n);
            for _ in 0..n {
                let m = r.string()?;
                let score = if t == TYPE_ZSET_2 { r.binary_double()? } else { r.string_double()? };
                if let Err(e) = z.push(&m, score) {
                    return corrupt(e);
                }
            }
            Ok(z.finish(&ZsetLimits::of(srv)).map(Obj::ZSet))
        }
        TYPE_ZSET_ZIPLIST => {
            let Some(lp) = ziplist_pairs_to_listpack(&r.string()?) else {
                return corrupt("Zset ziplist integrity check failed.");
            };
            match ZSet::from_rdb_listpack(lp.into_bytes(), false, &ZsetLimits::of(srv)) {
                Ok(z) => Ok(z.map(Obj::ZSet)),
                Err(_) => corrupt("Zset ziplist integrity check failed."),
            }
        }
        TYPE_ZSET_LISTPACK => match ZSet::from_rdb_listpack(r.string()?, deep, &ZsetLimits::of(srv)) {
            Ok(z) => Ok(z.map(Obj::ZSet)),
            Err(e) => corrupt(e),
        },
        TYPE_HASH => read_plain_hash(srv, r),
        TYPE_HASH_ZIPMAP => {
            let zm = r.string()?;
            let mut lp = Listpack::new();
            let mut seen: HashSet<Vec<u8>> = HashSet::new();
            let mut maxlen = 0;
            let mut refused: Option<usize> = None;
            if !crate::ds::zipmap::for_each_validated(&zm, |f, v| {
                maxlen = maxlen.max(f.len()).max(v.len());
                if !lp.safe_to_add(f.len() + v.len()) || !seen.insert(f.to_vec()) {
                    refused = Some(f.len());
                    return false;
                }
                lp.append(f);
                lp.append(v);
                true
            }) {
                return match refused {
                    Some(flen) => corrupt(format!("Hash zipmap with dup elements, or big length ({flen})")),
                    None => corrupt("Zipmap integrity check failed."),
                };
            }
            let mut h = Hash::from_listpack(lp);
            let lim = HashLimits::of(srv);
            if h.len() > lim.max_entries || maxlen > lim.max_value {
                h.convert_to_table();
            }
            Ok(Some(Obj::Hash(h)))
        }
        TYPE_HASH_ZIPLIST => {
            let Some(mut lp) = ziplist_pairs_to_listpack(&r.string()?) else {
                return corrupt("Hash ziplist integrity check failed.");
            };
            if lp.is_empty() {
                return Ok(None);
            }
            lp.shrink_to_fit();
            Ok(Some(Obj::Hash(hash_from_listpack(srv, lp)?)))
        }
        TYPE_HASH_LISTPACK => {
            let Some(lp) = validate_pairs(r.string()?, deep) else {
                return corrupt("Hash listpack integrity check failed.");
            };
            if lp.is_empty() {
                return Ok(None);
            }
            Ok(Some(Obj::Hash(hash_from_listpack(srv, lp)?)))
        }
        TYPE_MODULE | TYPE_MODULE_2 => Ok(Some(Obj::Stack(crate::stack::rdb::read_value(r, t)?))),
        TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 => {
            let s = crate::types::stream::read_rdb(srv, r, t, deep)?;
            // Streams are kept even when empty.
            Ok(Some(Obj::Stream(Box::new(s))))
        }
        _ => corrupt(format!("Unknown RDB encoding type {t}")),
    }
}

/// A hash adopting a pairs listpack, converted when it has too many fields
/// for the current limits (only the count is checked, like Redis).
/// Without deep sanitization a listpack may hold a field twice; where
/// Redis finds that out converting it (`hashTypeConvertListpack`), logs a
/// hex dump and panics, the load is refused instead.
fn hash_from_listpack(srv: &Server, lp: Listpack) -> LoadResult<Hash> {
    let mut h = Hash::from_listpack(lp);
    let pairs = h.len();
    if pairs > HashLimits::of(srv).max_entries {
        let bytes = h.as_listpack().map(|lp| lp.as_bytes().to_vec()).unwrap_or_default();
        h.convert_to_table();
        if h.len() != pairs {
            log_hex_dump("listpack with dup elements dump", &bytes);
            return corrupt("Listpack corruption detected");
        }
    }
    Ok(h)
}

/// `serverLogHexDump` at warning level: a header line, then the bytes in
/// lowercase hex on one raw line.
fn log_hex_dump(descr: &str, bytes: &[u8]) {
    log::warn!("{descr} (hexdump of {} bytes):", bytes.len());
    let mut line = Vec::with_capacity(bytes.len() * 2 + 1);
    for b in bytes {
        line.extend_from_slice(format!("{b:02x}").as_bytes());
    }
    line.push(b'\n');
    crate::util::log::write_raw(&line);
}

/// Checks a listpack of field/value (or member/score) pairs
/// (`lpPairsValidateIntegrityAndDups`): well formed always, an even count,
/// and with `deep` no duplicate field.
fn validate_pairs(bytes: Vec<u8>, deep: bool) -> Option<Listpack> {
    let mut count = 0usize;
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let lp = Listpack::from_bytes_with(bytes, |v| {
        let fresh = !deep || !count.is_multiple_of(2) || seen.insert(v.to_vec());
        count += 1;
        fresh
    })?;
    count.is_multiple_of(2).then_some(lp)
}

/// Converts a ziplist of pairs to a listpack, refusing duplicate fields and
/// an odd count (`ziplistPairsConvertAndValidateIntegrity`).
fn ziplist_pairs_to_listpack(zl: &[u8]) -> Option<Listpack> {
    let mut lp = Listpack::with_capacity(zl.len());
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut count = 0usize;
    let ok = crate::ds::ziplist::for_each_validated(zl, |v| {
        if count.is_multiple_of(2) && !seen.insert(v.to_vec()) {
            return false;
        }
        count += 1;
        match v {
            LpValue::Str(s) => lp.append(s),
            LpValue::Int(i) => lp.append_int(i),
        }
        true
    });
    (ok && count.is_multiple_of(2)).then_some(lp)
}

fn new_quicklist(srv: &Server) -> Quicklist {
    Quicklist::new(srv.cfg.list_max_listpack_size, srv.cfg.list_compress_depth)
}

/// RDB_TYPE_LIST: a length and the elements.
fn read_plain_list<R: Read>(srv: &mut Server, r: &mut RdbReader<R>) -> LoadResult<Option<Obj>> {
    let n = r.len()?;
    let mut ql = new_quicklist(srv);
    for _ in 0..n {
        ql.push_tail(&r.string()?);
    }
    Ok((!ql.is_empty()).then(|| Obj::List(List::from_quicklist(ql))))
}

/// RDB_TYPE_LIST_QUICKLIST (nodes are ziplists) and _2 (each node tagged
/// plain or packed, packed nodes are listpacks).
fn read_quicklist<R: Read>(srv: &mut Server, r: &mut RdbReader<R>, v2: bool) -> LoadResult<Option<Obj>> {
    let nodes = r.len()?;
    let mut ql = new_quicklist(srv);
    for _ in 0..nodes {
        let container = if v2 { r.len()? } else { QUICKLIST_NODE_PACKED };
        if container != QUICKLIST_NODE_PACKED && container != QUICKLIST_NODE_PLAIN {
            return corrupt("Quicklist integrity check failed.");
        }
        let data = r.string()?;
        if data.is_empty() {
            return corrupt("Quicklist integrity check failed.");
        }
        if container == QUICKLIST_NODE_PLAIN {
            ql.append_plain(&data);
            continue;
        }
        let lp = if v2 {
            if deep_sanitize(srv) {
                srv.stats.dump_payload_sanitizations += 1;
            }
            match Listpack::from_bytes(data) {
                Some(lp) => lp,
                None => return corrupt("Listpack integrity check failed."),
            }
        } else {
            let mut lp = Listpack::with_capacity(data.len());
            if !crate::ds::ziplist::for_each_validated(&data, |v| {
                match v {
                    LpValue::Str(s) => lp.append(s),
                    LpValue::Int(i) => lp.append_int(i),
                }
                true
            }) {
                return corrupt("Ziplist integrity check failed.");
            }
            lp.shrink_to_fit();
            lp
        };
        // Empty nodes are skipped; an all-empty list is no key at all.
        ql.append_listpack(lp);
    }
    Ok((!ql.is_empty()).then(|| Obj::List(List::from_quicklist(ql))))
}

/// RDB_TYPE_SET: an intset while every member is an integer and the count
/// fits `set-max-intset-entries`, else a table.
fn read_plain_set<R: Read>(srv: &mut Server, r: &mut RdbReader<R>) -> LoadResult<Option<Obj>> {
    let n = r.len()?;
    if n == 0 {
        return Ok(None);
    }
    let max = usize_of(srv.cfg.set_max_intset_entries).min(1 << 30);
    let mut s = if n as u128 > max as u128 {
        Set::table_with_capacity(presize(n))
    } else {
        Set::new_intset()
    };
    for _ in 0..n {
        let m = r.string()?;
        if !s.add(&m, usize::MAX) {
            return corrupt("Duplicate set members detected");
        }
    }
    Ok(Some(Obj::Set(s)))
}

/// RDB_TYPE_HASH: pairs into a listpack while they fit the limits, then a
/// table.
fn read_plain_hash<R: Read>(srv: &mut Server, r: &mut RdbReader<R>) -> LoadResult<Option<Obj>> {
    let n = r.len()?;
    if n == 0 {
        return Ok(None);
    }
    let lim = HashLimits::of(srv);
    let mut h = if n as u128 > lim.max_entries as u128 {
        Hash::table_with_capacity(presize(n))
    } else {
        Hash::new()
    };
    // Fields are always checked for duplicates (Redis does it for the
    // listpack part only when sanitizing): a hash with two equal fields is
    // not something our code should ever hold.
    for _ in 0..n {
        let f = r.string()?;
        let v = r.string()?;
        let was_listpack = h.as_listpack().is_some();
        h.try_conversion(&[&f, &v], lim);
        if h.set(&f, &v, lim) {
            return corrupt(if was_listpack && h.as_listpack().is_some() {
                "Hash with dup elements"
            } else {
                "Duplicate hash fields detected"
            });
        }
    }
    h.compact();
    Ok(Some(Obj::Hash(h)))
}

/// Elements as bytes (integers in decimal).
fn elem_bytes(v: LpValue<'_>) -> Vec<u8> {
    v.to_vec()
}

/// Splits `items` into commands `name key item...` of at most
/// `per_cmd` items each (`rewriteListObject` and friends).
fn batched(name: &[u8], key: &[u8], items: impl Iterator<Item = Vec<u8>>, per_cmd: usize) -> Vec<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut cmd: Vec<Vec<u8>> = Vec::new();
    for it in items {
        if cmd.is_empty() {
            cmd.push(name.to_vec());
            cmd.push(key.to_vec());
        }
        cmd.push(it);
        if cmd.len() == 2 + per_cmd {
            out.push(std::mem::take(&mut cmd));
        }
    }
    if !cmd.is_empty() {
        out.push(cmd);
    }
    out
}

/// The commands that rebuild `key` with value `v` (AOF rewrite without an
/// RDB preamble, `rewriteAppendOnlyFileRio`).
pub fn rewrite_commands(key: &[u8], v: crate::object::ValueRef) -> Vec<Vec<Vec<u8>>> {
    use crate::object::ValueRef;
    let mut buf = [0u8; crate::util::num::LONG_STR_SIZE];
    match v {
        ValueRef::Int(i) => vec![vec![b"SET".to_vec(), key.to_vec(), crate::util::num::fmt_i64(i, &mut buf).to_vec()]],
        ValueRef::Emb(b) => vec![vec![b"SET".to_vec(), key.to_vec(), b.to_vec()]],
        ValueRef::Obj(Obj::Str(s)) => vec![vec![b"SET".to_vec(), key.to_vec(), s.clone()]],
        ValueRef::Obj(Obj::List(l)) => batched(b"RPUSH", key, l.to_vec().into_iter(), AOF_ITEMS_PER_CMD),
        ValueRef::Obj(Obj::Set(s)) => batched(b"SADD", key, s.iter().map(elem_bytes), AOF_ITEMS_PER_CMD),
        ValueRef::Obj(Obj::ZSet(z)) => z.rewrite_commands(key),
        ValueRef::Obj(Obj::Stream(s)) => crate::types::stream::rewrite_commands(key, s),
        ValueRef::Obj(Obj::Stack(v)) => v.rewrite(key),
        ValueRef::Obj(Obj::Hash(h)) => {
            let mut out = Vec::new();
            let mut cmd: Vec<Vec<u8>> = Vec::new();
            for (f, val) in h.iter() {
                if cmd.is_empty() {
                    cmd.push(b"HMSET".to_vec());
                    cmd.push(key.to_vec());
                }
                cmd.push(elem_bytes(f));
                cmd.push(elem_bytes(val));
                if cmd.len() == 2 + 2 * AOF_ITEMS_PER_CMD {
                    out.push(std::mem::take(&mut cmd));
                }
            }
            if !cmd.is_empty() {
                out.push(cmd);
            }
            out
        }
    }
}
