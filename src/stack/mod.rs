//! The Redis Stack data types, built in (what Redis Stack 7.4 gets from
//! its modules: RedisJSON, RedisBloom, RedisTimeSeries). Redis knows these
//! values as `OBJ_MODULE` objects owned by a module type; here each is an
//! ordinary value, `Obj::Stack(StackValue)`, that goes through the same
//! keyspace, write epilogue, expiry, eviction, lazy free, COPY, DUMP/RESTORE,
//! RDB, AOF and replication paths as the core types.
//!
//! Layout: one folder or file per type (`json/` ...), holding the type API
//! and its commands, like `types/`; `rdb.rs` is the module-value codec
//! (RDB_TYPE_MODULE_2 framing, 64-bit type ids, typed fields);
//! `module.rs` is what clients see of the modules themselves (INFO
//! `# Modules`, MODULE LIST/LOAD/UNLOAD/HELP). Command tables live in
//! `commands/table/<module>.rs`, one per module.
//!
//! # Adding a type (the whole plug-in surface)
//!
//! 1. Write the type in `stack/<name>/` and implement [`StackType`] for it:
//!    its [`TypeInfo`] (the module's 9-character type name, the encoding
//!    version it writes, the module that owns it), and its value callbacks
//!    — RDB save/load through [`rdb::FieldWriter`] / [`rdb::FieldReader`],
//!    the commands an AOF rewrite emits, the DEBUG DIGEST contribution,
//!    MEMORY USAGE, and the free effort that decides lazy freeing. COPY is
//!    `Clone`. Loaders get bytes from a file or a client (RESTORE): check
//!    everything, return `Err` with a reason (never panic), and allocate
//!    from a claimed count only after the data behind it arrived (see
//!    `persist::types::presize`).
//! 2. Add one line to the `stack_types!` invocation below
//!    (`Variant => path::Type`). That gives the value a `StackValue`
//!    variant and a `StackKind`, makes TYPE, SCAN TYPE, OBJECT ENCODING,
//!    RDB, DUMP/RESTORE, AOF rewrite, DEBUG DIGEST, MEMORY USAGE, lazy free
//!    and the corrupt-payload fuzz test (`samples()`) handle it.
//! 3. When the module's commands are in the table, add its [`ModuleInfo`]
//!    to `module::MODULES`: INFO and MODULE LIST report a module only once
//!    it is implemented (a client library that sees a module listed runs
//!    its tests for it).
//! 4. Commands read and write values through `lookup` helpers of their own
//!    type (a match on `Obj::Stack(StackValue::Variant(..))` inside the
//!    type's folder only), and end every write with ONE
//!    `ctx.key_modified(key, Event::new(notify::MODULE, "json.set"))` per
//!    key, with the event name and class the module uses.
//!
//! The encoding `OBJECT ENCODING` reports is `raw` for every module value,
//! as in Redis (module objects are created with `OBJ_ENCODING_RAW`).

pub mod bloom;
pub mod cms;
pub mod cuckoo;
pub mod json;
pub mod module;
#[cfg(test)]
mod probe;
pub mod rdb;
pub mod tdigest;
pub mod timeseries;
pub mod topk;
pub mod vector;
pub mod vectorset;

use crate::debug::Digest20;
use crate::persist::rdb::codec::LoadResult;
use rdb::{FieldReader, FieldWriter};
use std::io::{self, Read, Write};

/// What identifies a module type: the fields of Redis's `moduleType`
/// that reach clients and files.
#[derive(Debug)]
pub struct TypeInfo {
    /// The 9-character type name (TYPE's reply; encoded into RDB ids).
    pub name: &'static str,
    /// The encoding version this build writes (the low 10 bits of the id).
    pub encver: u32,
    /// The module that owns the type (`moduleTypeModuleName`), for load
    /// error messages.
    pub module: &'static str,
}

/// A Stack value type: one impl per type is all the server needs.
pub trait StackType: Clone + std::fmt::Debug + Send + Sized + 'static {
    const INFO: TypeInfo;

    /// Writes the value as typed fields (the module's `rdb_save`).
    fn save<W: Write>(&self, w: &mut FieldWriter<'_, W>) -> io::Result<()>;

    /// Reads a value written with encoding version `encver` (the module's
    /// `rdb_load`). `Err` with a reason for anything it cannot use.
    fn load<R: Read>(r: &mut FieldReader<'_, R>, encver: u32) -> LoadResult<Self>;

    /// The commands that rebuild the value under `key` (AOF rewrite
    /// without an RDB preamble).
    fn rewrite(&self, key: &[u8]) -> Vec<Vec<Vec<u8>>>;

    /// Feeds the value to DEBUG DIGEST (the module's `digest` callback).
    fn digest(&self, d: &mut ModuleDigest);

    /// Heap bytes the value holds, its box included (MEMORY USAGE).
    fn mem_usage(&self) -> usize;

    /// Allocations freeing the value releases, roughly: above
    /// `lazyfree-lazy-*`'s threshold a deleted value is freed in the
    /// background.
    fn free_effort(&self) -> usize {
        1
    }

    /// A few valid values (small, large, edge cases) the corrupt-payload
    /// fuzz test starts from.
    #[cfg(test)]
    fn samples() -> Vec<Self>;
}

/// The digest context a module fills (`RedisModuleDigest`): elements are
/// mixed into an ordered sequence, and each ended sequence is xor-ed into
/// the value's digest, so unordered collections can end one sequence per
/// element.
#[derive(Default)]
pub struct ModuleDigest {
    o: Digest20,
    x: Digest20,
}

impl ModuleDigest {
    /// `RedisModule_DigestAddStringBuffer`.
    pub fn add_string_buffer(&mut self, b: &[u8]) {
        crate::debug::mix_digest(&mut self.o, b);
    }

    /// `RedisModule_DigestAddLongLong`: the decimal text of `v`.
    pub fn add_long_long(&mut self, v: i64) {
        let mut buf = [0u8; crate::util::num::LONG_STR_SIZE];
        let s = crate::util::num::fmt_i64(v, &mut buf);
        crate::debug::mix_digest(&mut self.o, s);
    }

    /// `RedisModule_DigestEndSequence`.
    pub fn end_sequence(&mut self) {
        crate::debug::xor_digest(&mut self.x, &self.o);
        self.o = [0u8; 20];
    }

    /// What the value adds to its key's digest.
    pub fn result(&self) -> &Digest20 {
        &self.x
    }
}

/// Declares the Stack types: the `StackValue` enum holding them, the
/// `StackKind` naming them, and the dispatch of the `StackType` callbacks.
macro_rules! stack_types {
    ($($(#[$m:meta])* $variant:ident => $ty:ty),* $(,)?) => {
        /// A Stack value (one boxed variant per type keeps `Obj` small).
        #[derive(Clone, Debug)]
        pub enum StackValue {
            $($(#[$m])* $variant(Box<$ty>),)*
        }

        /// Which Stack type a value is.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum StackKind {
            $($(#[$m])* $variant,)*
        }

        impl StackKind {
            /// Every type, in declaration order.
            pub const ALL: &'static [StackKind] = &[$($(#[$m])* StackKind::$variant,)*];

            pub fn info(self) -> &'static TypeInfo {
                match self {
                    $($(#[$m])* StackKind::$variant => &<$ty as StackType>::INFO,)*
                }
            }

            fn load<R: Read>(self, r: &mut FieldReader<'_, R>, encver: u32) -> LoadResult<StackValue> {
                match self {
                    $($(#[$m])* StackKind::$variant => Ok(StackValue::$variant(Box::new(<$ty as StackType>::load(r, encver)?))),)*
                }
            }

            #[cfg(test)]
            fn samples(self) -> Vec<StackValue> {
                match self {
                    $($(#[$m])* StackKind::$variant => <$ty as StackType>::samples().into_iter().map(|v| StackValue::$variant(Box::new(v))).collect(),)*
                }
            }
        }

        impl StackValue {
            pub fn kind(&self) -> StackKind {
                match *self {
                    $($(#[$m])* StackValue::$variant(_) => StackKind::$variant,)*
                }
            }

            /// TYPE's view of the value.
            pub fn value_type(&self) -> crate::object::ValueType {
                crate::object::ValueType::Module(self.kind())
            }

            /// The RDB module id the value is written with.
            pub fn type_id(&self) -> u64 {
                self.kind().type_id()
            }

            fn save_fields<W: Write>(&self, w: &mut FieldWriter<'_, W>) -> io::Result<()> {
                match *self {
                    $($(#[$m])* StackValue::$variant(ref v) => v.save(w),)*
                }
            }

            pub fn rewrite(&self, key: &[u8]) -> Vec<Vec<Vec<u8>>> {
                match *self {
                    $($(#[$m])* StackValue::$variant(ref v) => v.rewrite(key),)*
                }
            }

            fn digest_into(&self, d: &mut ModuleDigest) {
                match *self {
                    $($(#[$m])* StackValue::$variant(ref v) => v.digest(d),)*
                }
            }

            pub fn mem_usage(&self) -> usize {
                match *self {
                    $($(#[$m])* StackValue::$variant(ref v) => v.mem_usage(),)*
                }
            }

            pub fn free_effort(&self) -> usize {
                match *self {
                    $($(#[$m])* StackValue::$variant(ref v) => v.free_effort(),)*
                }
            }
        }
    };
}

stack_types! {
    Json => json::Json,
    Bloom => bloom::Bloom,
    Cuckoo => cuckoo::Cuckoo,
    Cms => cms::Cms,
    TopK => topk::TopK,
    Series => timeseries::Series,
    TDigest => tdigest::TDigest,
    VectorSet => vectorset::VectorSet,
    #[cfg(test)]
    Probe => probe::Probe,
}

impl StackKind {
    /// TYPE's reply for values of this kind.
    pub fn type_name(self) -> &'static str {
        self.info().name
    }

    /// The 64-bit module type id this build writes (`moduleTypeEncodeId`).
    pub fn type_id(self) -> u64 {
        let info = self.info();
        rdb::encode_type_id(info.name, info.encver).unwrap_or(0)
    }

    /// The kind an RDB module id names, comparing the 54-bit name part
    /// only (the encoding version is the loader's business).
    pub fn by_type_id(id: u64) -> Option<StackKind> {
        StackKind::ALL.iter().copied().find(|k| k.type_id() >> 10 == id >> 10)
    }

    /// The kind a TYPE name names (SCAN's TYPE filter compares names
    /// case-insensitively).
    pub fn by_type_name(name: &[u8]) -> Option<StackKind> {
        StackKind::ALL
            .iter()
            .copied()
            .find(|k| k.type_name().as_bytes().eq_ignore_ascii_case(name))
    }
}

impl StackValue {
    /// The value's contribution to DEBUG DIGEST / DIGEST-VALUE.
    pub fn digest(&self) -> Digest20 {
        let mut d = ModuleDigest::default();
        self.digest_into(&mut d);
        *d.result()
    }

    /// Writes the RDB payload of the value (after its type byte): the
    /// type id, the fields, the EOF mark (`rdbSaveObject` for modules).
    pub fn write_rdb<W: Write>(&self, w: &mut crate::persist::rdb::codec::RdbWriter<W>) -> io::Result<()> {
        rdb::write_value(w, self)
    }

    /// Valid values of every type, for the corrupt-payload fuzz test.
    #[cfg(test)]
    pub fn fuzz_samples() -> Vec<StackValue> {
        StackKind::ALL.iter().flat_map(|k| k.samples()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::probe::Probe;
    use super::*;
    use crate::object::{Obj, ValueRef, ValueType};
    use crate::persist::dump::dump_payload;
    use crate::persist::rdb::codec::{RdbReader, RdbWriter, TYPE_MODULE, TYPE_MODULE_2};

    fn probe() -> StackValue {
        StackValue::Probe(Box::new(Probe {
            items: vec![b"one".to_vec(), b"-17".to_vec(), b"x".repeat(100)],
            score: 2.5,
        }))
    }

    fn load(payload: &[u8]) -> LoadResult<StackValue> {
        let mut r = RdbReader::new(&payload[1..]);
        rdb::read_value(&mut r, payload[0])
    }

    #[test]
    fn values_round_trip_through_dump_payloads() {
        let v = probe();
        let p = dump_payload(ValueRef::Obj(&Obj::Stack(v.clone())), true);
        assert_eq!(p[0], TYPE_MODULE_2);
        let back = load(&p[..p.len() - 10]).unwrap();
        let (StackValue::Probe(a), StackValue::Probe(b)) = (&v, &back) else {
            panic!("not a probe")
        };
        assert_eq!(a, b);
        assert_eq!(v.digest(), back.digest());
    }

    #[test]
    fn type_and_encoding_names() {
        let o = Obj::Stack(probe());
        assert_eq!(o.value_type(), ValueType::Module(StackKind::Probe));
        assert_eq!(o.value_type().name(), "OXprobe-T");
        assert_eq!(o.encoding_name(), "raw");
        assert_eq!(ValueType::from_name(b"oxPROBE-t"), Some(ValueType::Module(StackKind::Probe)));
        assert_eq!(StackKind::by_type_id(encode(3)), Some(StackKind::Probe));
    }

    fn encode(encver: u32) -> u64 {
        rdb::encode_type_id("OXprobe-T", encver).unwrap()
    }

    #[test]
    fn version_one_values_have_no_opcodes() {
        // RDB_TYPE_MODULE (Redis 4.0): the fields are bare, no EOF mark.
        let mut w = RdbWriter::new(Vec::new(), false, false);
        w.u8(TYPE_MODULE).unwrap();
        w.len(encode(1)).unwrap();
        w.len(1).unwrap();
        w.string(b"item").unwrap();
        w.binary_double(4.0).unwrap();
        let p = w.into_parts().0;
        let Ok(StackValue::Probe(v)) = load(&p) else {
            panic!("not a probe")
        };
        assert_eq!(v.items, vec![b"item".to_vec()]);
        assert_eq!(v.score, 4.0);
    }

    #[test]
    fn refused_values_report_like_redis() {
        let good = dump_payload(ValueRef::Obj(&Obj::Stack(probe())), false);
        let good = &good[..good.len() - 10];
        // A missing EOF mark (the value's last byte changed).
        let mut p = good.to_vec();
        *p.last_mut().unwrap() = 7;
        let err = |p: &[u8]| match load(p) {
            Err(crate::persist::rdb::codec::LoadError::Corrupt(m)) => m,
            _ => panic!("loaded"),
        };
        assert_eq!(
            err(&p),
            "The RDB file contains module data for the module 'oxprobe' that is not terminated by the proper module value EOF marker"
        );
        // A version this build does not know.
        let mut w = RdbWriter::new(Vec::new(), false, false);
        w.u8(TYPE_MODULE_2).unwrap();
        w.len(encode(9)).unwrap();
        w.len(rdb::OPCODE_EOF).unwrap();
        assert_eq!(
            err(&w.into_parts().0),
            "The RDB file contains module data for the module type 'oxprobe', that the responsible module is not able to load. Check for modules log above for additional clues."
        );
        // Cut short anywhere: a short read, never a panic.
        for n in 1..good.len() {
            assert!(load(&good[..n]).is_err());
        }
    }

    #[test]
    fn digest_follows_content() {
        let a = probe();
        let mut b = probe();
        if let StackValue::Probe(ref mut inner) = b {
            inner.items.push(b"more".to_vec());
        }
        assert_ne!(a.digest(), b.digest());
        assert_eq!(a.digest(), a.clone().digest());
    }
}
