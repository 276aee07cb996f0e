//! Which keys hold a series, per database, kept by the key-change hook
//! (`Server::observe_change` / `on_db_change` in src/db/change.rs), so
//! FILTER selection visits only series and in key order instead of
//! scanning the whole keyspace.
//!
//! The set may briefly hold more than the live series (keys of a
//! dataset being loaded beside the live one): selection re-reads every
//! key it lists and skips what is not a series, so only completeness
//! matters, and the hook keeps that (created, loaded and replaced keys
//! are checked, removed ones dropped, emptied databases cleared, swapped
//! ones swapped, replaced ones rebuilt from a scan). Labels are read from
//! the series at query time, so label changes need no bookkeeping.

use crate::db::Db;
use crate::object::{Obj, ValueRef};
use crate::stack::StackValue;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once any series has been built in this process (`Series::new`,
/// which creation, RDB load and RESTORE all go through): until then the
/// hook skips its lookup, so servers without time series pay one load
/// per created key, not a hash lookup.
pub static ANY_SERIES: AtomicBool = AtomicBool::new(false);

#[derive(Default)]
pub struct SeriesKeys {
    dbs: Vec<BTreeSet<Vec<u8>>>,
    /// `Replaced` reports still to come for a SWAPDB whose sets were
    /// already swapped (the swap reports both databases replaced; a
    /// rescan there would make SWAPDB cost a walk of both keyspaces).
    swapped: u8,
}

/// Whether `key` holds a series in `d`.
pub fn is_series(d: &Db, key: &[u8]) -> bool {
    d.find(key)
        .is_some_and(|e| matches!(e.value(), ValueRef::Obj(Obj::Stack(StackValue::Series(_)))))
}

impl SeriesKeys {
    fn set(&mut self, db: usize) -> &mut BTreeSet<Vec<u8>> {
        if self.dbs.len() <= db {
            self.dbs.resize_with(db + 1, BTreeSet::new);
        }
        &mut self.dbs[db]
    }

    /// The key may now hold a series (created, loaded, replaced).
    pub fn check(&mut self, d: &Db, db: usize, key: &[u8]) {
        if !ANY_SERIES.load(Ordering::Relaxed) {
            return;
        }
        if is_series(d, key) {
            if !self.set(db).contains(key) {
                self.set(db).insert(key.to_vec());
            }
        } else {
            self.removed(db, key);
        }
    }

    pub fn removed(&mut self, db: usize, key: &[u8]) {
        if let Some(s) = self.dbs.get_mut(db) {
            s.remove(key);
        }
    }

    pub fn clear(&mut self, db: usize) {
        if let Some(s) = self.dbs.get_mut(db) {
            s.clear();
        }
    }

    pub fn swap(&mut self, a: usize, b: usize) {
        self.set(a.max(b));
        self.dbs.swap(a, b);
        self.swapped = 2;
    }

    /// Rebuilds database `db`'s set from its keys.
    pub fn rebuild(&mut self, d: &Db, db: usize) {
        if self.swapped > 0 {
            self.swapped -= 1;
            return;
        }
        let set = self.set(db);
        set.clear();
        for e in d.iter() {
            if matches!(e.value(), ValueRef::Obj(Obj::Stack(StackValue::Series(_)))) {
                set.insert(e.key().to_vec());
            }
        }
    }

    /// The series keys of `db`, sorted.
    pub fn keys(&self, db: usize) -> impl Iterator<Item = &[u8]> {
        self.dbs.get(db).into_iter().flat_map(|s| s.iter().map(|k| k.as_slice()))
    }
}
