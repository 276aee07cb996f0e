//! What the persistence code needs from sorted sets (the zset parts of
//! rdb.c and aof.c): the RDB payload of each encoding, loading both RDB
//! forms with Redis's validation and encoding choice, and the commands of
//! an AOF rewrite.

use super::{Limits, SkiplistSet, ZSet};
use crate::ds::dict::Node;
use crate::ds::listpack::Listpack;
use crate::util::num::push_f64_g17;
use std::collections::HashSet;

/// Members per ZADD in an AOF rewrite (`AOF_REWRITE_ITEMS_PER_CMD`).
const AOF_ITEMS_PER_CMD: usize = 64;

/// How a sorted set is written to an RDB file.
pub enum RdbPayload<'a> {
    /// `RDB_TYPE_ZSET_LISTPACK` (17): the listpack bytes as one string.
    Listpack(&'a [u8]),
    /// `RDB_TYPE_ZSET_2` (5): the length, then each member string and its
    /// binary double, from the highest element to the lowest (so loading
    /// inserts at the head of the skip list).
    Skiplist(Vec<(&'a [u8], f64)>),
}

impl ZSet {
    /// The RDB form of this value (`rdbSaveObject`).
    pub fn rdb_payload(&self) -> RdbPayload<'_> {
        match self {
            ZSet::Listpack(lp) => RdbPayload::Listpack(lp.as_bytes()),
            ZSet::Skiplist(s) => RdbPayload::Skiplist(s.zsl.iter().rev().map(|(score, m)| (m, score)).collect()),
        }
    }

    /// Loads an `RDB_TYPE_ZSET_LISTPACK` payload. With `deep`
    /// (sanitize-dump-payload) duplicate members are refused too. Ok(None)
    /// for an empty set (Redis skips the key). A listpack over
    /// `zset-max-listpack-entries` becomes a skiplist.
    pub fn from_rdb_listpack(bytes: Vec<u8>, deep: bool, lim: &Limits) -> Result<Option<ZSet>, &'static str> {
        let mut count = 0usize;
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        let mut dup = false;
        let lp = Listpack::from_bytes_with(bytes, |v| {
            if deep && count.is_multiple_of(2) && !seen.insert(v.to_vec()) {
                dup = true;
            }
            count += 1;
            !dup
        })
        .ok_or("Zset listpack integrity check failed.")?;
        if !count.is_multiple_of(2) {
            return Err("Zset listpack integrity check failed.");
        }
        let mut z = ZSet::Listpack(lp);
        if z.is_empty() {
            return Ok(None);
        }
        if z.len() > lim.entries {
            z.convert_to_skiplist();
        } else {
            z.shrink_to_fit();
        }
        Ok(Some(z))
    }

    /// Appends the `ZADD` commands that rebuild this value under `key`
    /// (`rewriteSortedSetObject`): batches of 64 pairs, scores as `%.17g`.
    pub fn rewrite_commands(&self, key: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        let mut cmd: Vec<Vec<u8>> = Vec::new();
        for (m, score) in self.iter() {
            if cmd.is_empty() {
                cmd.reserve(2 + 2 * AOF_ITEMS_PER_CMD);
                cmd.push(b"ZADD".to_vec());
                cmd.push(key.to_vec());
            }
            let mut s = Vec::with_capacity(24);
            push_f64_g17(&mut s, score);
            cmd.push(s);
            cmd.push(m.to_vec());
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

/// Builds a sorted set from `RDB_TYPE_ZSET_2` / `RDB_TYPE_ZSET` elements
/// (`rdbLoadObject`): into a skiplist, then converted to a listpack when
/// it fits the limits (elements are not stored in order).
pub struct RdbZsetLoader {
    set: SkiplistSet,
    maxelelen: usize,
    totelelen: usize,
}

impl RdbZsetLoader {
    /// A loader for `len` elements.
    pub fn new(len: u64) -> RdbZsetLoader {
        let mut set = SkiplistSet::default();
        if len > 4 {
            set.dict.expand(crate::persist::types::presize(len));
        }
        RdbZsetLoader {
            set,
            maxelelen: 0,
            totelelen: 0,
        }
    }

    /// Adds one element; the error is Redis's corruption message.
    pub fn push(&mut self, member: &[u8], score: f64) -> Result<(), &'static str> {
        if score.is_nan() {
            return Err("Zset with NAN score detected");
        }
        if self.set.dict.get(member).is_some() {
            return Err("Duplicate zset fields detected");
        }
        self.maxelelen = self.maxelelen.max(member.len());
        self.totelelen += member.len();
        self.set.zsl.insert(score, member);
        self.set.dict.insert_new(Node::boxed(member, score));
        Ok(())
    }

    /// The loaded value; None when empty.
    pub fn finish(self, lim: &Limits) -> Option<ZSet> {
        if self.set.zsl.is_empty() {
            return None;
        }
        let mut z = ZSet::Skiplist(Box::new(self.set));
        z.convert_to_listpack_if_needed(self.maxelelen, self.totelelen, lim);
        Some(z)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rdb_round_trips() {
        let lim = Limits { entries: 128, value: 64 };
        let mut z = ZSet::new_listpack();
        for (i, m) in ["a", "b", "c"].iter().enumerate() {
            z.add(i as f64 + 0.5, m.as_bytes(), 0, &lim);
        }
        let RdbPayload::Listpack(bytes) = z.rdb_payload() else {
            panic!("listpack expected")
        };
        let back = ZSet::from_rdb_listpack(bytes.to_vec(), true, &lim).ok().flatten();
        assert_eq!(back.as_ref().and_then(|b| b.listpack_bytes()), z.listpack_bytes());
        // Over the entry limit a loaded listpack becomes a skiplist.
        let small = Limits { entries: 2, value: 64 };
        let back = ZSet::from_rdb_listpack(bytes.to_vec(), false, &small).ok().flatten();
        assert_eq!(back.map(|b| b.encoding_name()), Some("skiplist"));
        // Duplicates are refused under deep validation.
        let mut dup = Listpack::new();
        for v in [b"a", b"1", b"a", b"2"] {
            dup.append(v);
        }
        assert!(ZSet::from_rdb_listpack(dup.as_bytes().to_vec(), true, &lim).is_err());
        let mut odd = Listpack::new();
        odd.append(b"a");
        assert!(ZSet::from_rdb_listpack(odd.as_bytes().to_vec(), false, &lim).is_err());

        z.convert_to_skiplist();
        let RdbPayload::Skiplist(elems) = z.rdb_payload() else {
            panic!("skiplist expected")
        };
        assert_eq!(elems.first().map(|e| e.0), Some(&b"c"[..]));
        let mut l = RdbZsetLoader::new(elems.len() as u64);
        for (m, s) in &elems {
            assert!(l.push(m, *s).is_ok());
        }
        assert!(l.push(b"a", 1.0).is_err());
        let loaded = l.finish(&lim);
        assert_eq!(loaded.as_ref().map(|z| z.encoding_name()), Some("listpack"));
        assert_eq!(
            z.rewrite_commands(b"k"),
            vec![["ZADD", "k", "0.5", "a", "1.5", "b", "2.5", "c"]
                .iter()
                .map(|s| s.as_bytes().to_vec())
                .collect::<Vec<_>>()]
        );
    }
}
