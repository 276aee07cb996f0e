//! Values and their encodings (object.c).
//!
//! A string value lives inside its keyspace entry when it is small: as an
//! integer (encoding `int`) or as bytes (`embstr`, up to 44 bytes). Other
//! values are boxed [`Obj`]s: modified or long strings (`raw`) and the
//! collection types. `OBJECT ENCODING` names and the thresholds at which a
//! value changes encoding are Redis's, because clients and the Tcl suite
//! observe them.

/// Strings up to this length are stored embedded (`OBJ_ENCODING_EMBSTR_SIZE_LIMIT`).
pub const EMBSTR_SIZE_LIMIT: usize = 44;
/// Integers in `0..SHARED_INTEGERS` are shared objects in Redis; OBJECT
/// REFCOUNT reports them as such.
pub const SHARED_INTEGERS: i64 = 10000;
/// What OBJECT REFCOUNT says for a shared object (`OBJ_SHARED_REFCOUNT`).
pub const SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// A boxed value. Each collection type lives in its own module under
/// `types/`, which alone knows its encodings.
#[derive(Debug, Clone)]
pub enum Obj {
    /// A string that was modified in place or is too long to embed (`raw`).
    Str(Vec<u8>),
    List(crate::types::list::List),
    Hash(crate::types::hash::Hash),
    Set(crate::types::set::Set),
    ZSet(crate::types::zset::ZSet),
    /// Boxed: the stream header is bigger than the other variants.
    Stream(Box<crate::types::stream::Stream>),
    /// A Redis Stack type (a module value in Redis): see `stack/`.
    Stack(crate::stack::StackValue),
}

/// Redis's type of a value, as `TYPE` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    String,
    List,
    Set,
    ZSet,
    Hash,
    Stream,
    /// A Redis Stack type; TYPE names it as its module does (`ReJSON-RL`).
    Module(crate::stack::StackKind),
}

impl ValueType {
    pub fn name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::List => "list",
            ValueType::Set => "set",
            ValueType::ZSet => "zset",
            ValueType::Hash => "hash",
            ValueType::Stream => "stream",
            ValueType::Module(k) => k.type_name(),
        }
    }

    /// Parses a TYPE name as SCAN's TYPE option accepts it.
    pub fn from_name(name: &[u8]) -> Option<ValueType> {
        Some(match name.to_ascii_lowercase().as_slice() {
            b"string" => ValueType::String,
            b"list" => ValueType::List,
            b"set" => ValueType::Set,
            b"zset" => ValueType::ZSet,
            b"hash" => ValueType::Hash,
            b"stream" => ValueType::Stream,
            _ => return crate::stack::StackKind::by_type_name(name).map(ValueType::Module),
        })
    }
}

impl Obj {
    pub fn value_type(&self) -> ValueType {
        match self {
            Obj::Str(_) => ValueType::String,
            Obj::List(_) => ValueType::List,
            Obj::Hash(_) => ValueType::Hash,
            Obj::Set(_) => ValueType::Set,
            Obj::ZSet(_) => ValueType::ZSet,
            Obj::Stream(_) => ValueType::Stream,
            Obj::Stack(v) => v.value_type(),
        }
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            Obj::Str(_) => "raw",
            Obj::List(l) => l.encoding_name(),
            Obj::Hash(h) => h.encoding_name(),
            Obj::Set(s) => s.encoding_name(),
            Obj::ZSet(z) => z.encoding_name(),
            Obj::Stream(s) => s.encoding_name(),
            // Module objects are created with OBJ_ENCODING_RAW.
            Obj::Stack(_) => "raw",
        }
    }
}

impl Obj {
    /// A rough RDB size for DEBUG OBJECT's serializedlength on collections.
    pub fn serialized_len_estimate(&self) -> usize {
        match self {
            Obj::Str(s) => s.len() + 5,
            Obj::List(l) => l.len() * 8,
            Obj::Hash(h) => h.len() * 16,
            Obj::Set(s) => s.len() * 8,
            Obj::ZSet(z) => z.len() * 16,
            Obj::Stream(s) => s.nodes().map(|(_, lp)| lp.bytes() + 18).sum::<usize>() + 64,
            Obj::Stack(v) => {
                let mut w = crate::persist::rdb::codec::RdbWriter::new(std::io::sink(), false, false);
                let _ = v.write_rdb(&mut w);
                w.written as usize
            }
        }
    }
}

/// A value to store in a new entry.
#[derive(Debug)]
pub enum NewValue<'a> {
    /// An integer-encoded string; `shared` when Redis would use a shared
    /// integer object for it.
    Int {
        v: i64,
        shared: bool,
    },
    /// A short string, embedded in the entry.
    Emb(&'a [u8]),
    Obj(Box<Obj>),
}

/// A borrowed view of a stored value.
#[derive(Debug, Clone, Copy)]
pub enum ValueRef<'a> {
    Int(i64),
    Emb(&'a [u8]),
    Obj(&'a Obj),
}

impl<'a> ValueRef<'a> {
    pub fn value_type(&self) -> ValueType {
        match self {
            ValueRef::Int(_) | ValueRef::Emb(_) => ValueType::String,
            ValueRef::Obj(o) => o.value_type(),
        }
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            ValueRef::Int(_) => "int",
            ValueRef::Emb(_) => "embstr",
            ValueRef::Obj(o) => o.encoding_name(),
        }
    }

    /// The bytes of a string value; integers are formatted into `buf`.
    /// None for non-string types.
    pub fn as_bytes<'b>(&self, buf: &'b mut [u8; crate::util::num::LONG_STR_SIZE]) -> Option<&'b [u8]>
    where
        'a: 'b,
    {
        match *self {
            ValueRef::Int(v) => Some(crate::util::num::fmt_i64(v, buf)),
            ValueRef::Emb(b) => Some(b),
            ValueRef::Obj(Obj::Str(s)) => Some(s.as_slice()),
            ValueRef::Obj(_) => None,
        }
    }

    /// String length without formatting integers into a buffer.
    pub fn string_len(&self) -> Option<usize> {
        let mut buf = [0u8; crate::util::num::LONG_STR_SIZE];
        self.as_bytes(&mut buf).map(|b| b.len())
    }
}

/// Chooses the encoding Redis's `tryObjectEncoding` would give a string
/// value: `int` for a canonical integer, `embstr` when short, else `raw`.
pub fn string_value(bytes: &[u8], shared_ints_allowed: bool) -> NewValue<'_> {
    if bytes.len() <= 20 {
        if let Some(v) = crate::util::num::parse_i64(bytes) {
            let shared = shared_ints_allowed && (0..SHARED_INTEGERS).contains(&v);
            return NewValue::Int { v, shared };
        }
    }
    if bytes.len() <= EMBSTR_SIZE_LIMIT {
        NewValue::Emb(bytes)
    } else {
        NewValue::Obj(Box::new(Obj::Str(bytes.to_vec())))
    }
}

/// The value of an integer result (INCR and friends): Redis creates it
/// with `createStringObjectFromLongLongForValue`.
pub fn int_value(v: i64, shared_ints_allowed: bool) -> NewValue<'static> {
    NewValue::Int {
        v,
        shared: shared_ints_allowed && (0..SHARED_INTEGERS).contains(&v),
    }
}

// ---------------------------------------------------------------------------
// MEMORY (object.c's memoryCommand)
// ---------------------------------------------------------------------------

use crate::error::Error;
use crate::server::{CmdResult, Ctx};

/// Heap bytes held by a boxed value, including its box.
pub fn obj_alloc_size(o: &Obj) -> usize {
    let inner = match o {
        Obj::Str(s) => jemalloc_class(s.capacity()),
        Obj::List(l) => l.alloc_size(),
        Obj::Hash(h) => h.alloc_size(),
        Obj::Set(s) => s.alloc_size(),
        Obj::ZSet(z) => z.alloc_size(),
        Obj::Stream(s) => s.alloc_size(),
        Obj::Stack(v) => v.mem_usage(),
    };
    jemalloc_class(std::mem::size_of::<Obj>()) + inner
}

/// The allocation size jemalloc uses for a request of `n` bytes.
pub fn jemalloc_class(n: usize) -> usize {
    if n == 0 {
        0
    } else if n <= 8 {
        8
    } else if n <= 128 {
        (n + 15) & !15
    } else {
        let lg = usize::BITS - (n - 1).leading_zeros();
        let delta = 1usize << (lg - 3);
        (n + delta - 1) & !(delta - 1)
    }
}

/// `MEMORY USAGE key [SAMPLES count]`
pub fn memory_usage_command(ctx: &mut Ctx) -> CmdResult {
    let mut j = 3;
    while j < ctx.argc() {
        if ctx.argv[j].eq_ignore_ascii_case(b"samples") && j + 1 < ctx.argc() {
            let n = crate::util::num::parse_i64(ctx.argv[j + 1]).ok_or(Error::NotInteger)?;
            if n < 0 {
                return Err(Error::Syntax);
            }
            j += 2;
        } else {
            return Err(Error::Syntax);
        }
    }
    let db = ctx.dbi();
    let Some(e) = ctx.srv.dbs[db].find(ctx.argv[2]) else {
        ctx.c.reply.null();
        return Ok(());
    };
    let mut usage = jemalloc_class(e.alloc_size()) + std::mem::size_of::<usize>();
    if let ValueRef::Obj(o) = e.value() {
        usage += obj_alloc_size(o);
    }
    ctx.c.reply.int(usage as i64);
    Ok(())
}

/// `MEMORY STATS`
pub fn memory_stats_command(ctx: &mut Ctx) -> CmdResult {
    let srv = &*ctx.srv;
    let used = crate::alloc::used_memory() as i64;
    let (allocated, active, resident, _, _) = crate::alloc::jemalloc_stats();
    let rss = crate::alloc::rss_bytes() as i64;
    let keys: usize = srv.dbs.iter().map(|d| d.len()).sum();
    let clients_normal: usize = srv.clients_sorted(Some(&*ctx.c)).iter().map(|c| c.memory_usage().1).sum();
    let mut overhead = clients_normal as i64;
    let mut dbs: Vec<(usize, i64, i64)> = Vec::new();
    for (i, d) in srv.dbs.iter().enumerate() {
        if d.is_empty() {
            continue;
        }
        let (main_slots, exp_slots) = d.slots();
        let main = (main_slots * 8) as i64;
        let exp = (exp_slots * 8 + d.volatile_len() * 48) as i64;
        overhead += main + exp;
        dbs.push((i, main, exp));
    }
    let peak = (srv.stats.peak_memory as i64).max(used);
    let dataset = (used - overhead).max(0);
    let r = &mut ctx.c.reply;
    r.map_len(27 + dbs.len());
    let int = |r: &mut crate::resp::ReplyBuf, k: &[u8], v: i64| {
        r.bulk(k);
        r.int(v);
    };
    int(r, b"peak.allocated", peak);
    int(r, b"total.allocated", used);
    int(r, b"startup.allocated", 0);
    int(r, b"replication.backlog", 0);
    int(r, b"clients.slaves", 0);
    int(r, b"clients.normal", clients_normal as i64);
    int(r, b"cluster.links", 0);
    int(r, b"aof.buffer", 0);
    int(r, b"lua.caches", 0);
    int(r, b"functions.caches", 0);
    for (i, main, exp) in dbs {
        r.bulk(format!("db.{i}").as_bytes());
        r.map_len(2);
        int(r, b"overhead.hashtable.main", main);
        int(r, b"overhead.hashtable.expires", exp);
    }
    int(r, b"overhead.total", overhead);
    int(r, b"keys.count", keys as i64);
    int(r, b"keys.bytes-per-key", if keys > 0 { used / keys as i64 } else { 0 });
    int(r, b"dataset.bytes", dataset);
    r.bulk(b"dataset.percentage");
    r.double(if used > 0 { dataset as f64 * 100.0 / used as f64 } else { 0.0 });
    r.bulk(b"peak.percentage");
    r.double(if peak > 0 { used as f64 * 100.0 / peak as f64 } else { 0.0 });
    int(r, b"allocator.allocated", allocated as i64);
    int(r, b"allocator.active", active as i64);
    int(r, b"allocator.resident", resident as i64);
    r.bulk(b"allocator-fragmentation.ratio");
    r.double(if allocated > 0 { active as f64 / allocated as f64 } else { 0.0 });
    int(r, b"allocator-fragmentation.bytes", active as i64 - allocated as i64);
    r.bulk(b"allocator.rss-ratio");
    r.double(if active > 0 { resident as f64 / active as f64 } else { 0.0 });
    int(r, b"allocator.rss-bytes", resident as i64 - active as i64);
    r.bulk(b"rss-overhead.ratio");
    r.double(if resident > 0 { rss as f64 / resident as f64 } else { 0.0 });
    int(r, b"rss-overhead.bytes", rss - resident as i64);
    r.bulk(b"fragmentation");
    r.double(if used > 0 { rss as f64 / used as f64 } else { 0.0 });
    int(r, b"fragmentation.bytes", rss - used);
    Ok(())
}

/// `MEMORY DOCTOR`
pub fn memory_doctor_command(ctx: &mut Ctx) -> CmdResult {
    let used = crate::alloc::used_memory();
    let text = if used < 5 * 1024 * 1024 {
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.".to_string()
    } else {
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.".to_string()
    };
    ctx.c.reply.verbatim(text.as_bytes(), b"txt");
    Ok(())
}

/// `MEMORY MALLOC-STATS`
pub fn memory_malloc_stats_command(ctx: &mut Ctx) -> CmdResult {
    let (allocated, active, resident, retained, mapped) = crate::alloc::jemalloc_stats();
    let text =
        format!("jemalloc 5.3.0\nAllocated: {allocated}, active: {active}, resident: {resident}, mapped: {mapped}, retained: {retained}\n");
    ctx.c.reply.verbatim(text.as_bytes(), b"txt");
    Ok(())
}

/// `MEMORY PURGE`
pub fn memory_purge_command(ctx: &mut Ctx) -> CmdResult {
    crate::alloc::purge();
    ctx.c.reply.ok();
    Ok(())
}

/// `MEMORY HELP`
pub fn memory_help_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.help(
        ctx.argv[0],
        &[
            "DOCTOR",
            "    Report memory problems, if any.",
            "MALLOC-STATS",
            "    Report allocator statistics.",
            "PURGE",
            "    Give unused allocator pages back to the OS.",
            "STATS",
            "    Report memory usage details.",
            "USAGE <key> [SAMPLES <count>]",
            "    Report the bytes a key and its value use.",
        ],
    );
    Ok(())
}

#[cfg(test)]
mod size_tests {
    /// Every value with an `Obj` pays for the largest variant: keep the
    /// collections behind one pointer so that stays a `Vec`'s size.
    #[test]
    fn obj_stays_small() {
        assert!(
            std::mem::size_of::<super::Obj>() <= 32,
            "Obj is {} bytes",
            std::mem::size_of::<super::Obj>()
        );
    }
}
