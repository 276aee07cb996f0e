//! The per-slot key index (`slotToKeys` in Redis 7.0's db.c): for each of
//! the 16,384 hash slots, the keys of database 0 that hash to it. Cluster
//! mode has only database 0, so the index follows db 0 alone.
//!
//! It lives in `ChangeState` (src/db/change.rs) and is fed only by the
//! change hook: `Created`/`Loaded` add a key, `Removed` drops it (a RENAME
//! or MOVE arrives as a removal plus a creation), `DbChange::Emptying` of
//! db 0 clears it and `DbChange::Replaced(0)` (SWAPDB, a swapdb diskless
//! load) rebuilds it from the keyspace. While a swapdb diskless load has
//! the dataset being loaded in `srv.dbs`, its `Loaded` keys are ignored:
//! the `Replaced` that makes it live rebuilds the index. A standalone
//! server has no index and pays one `is_some` test per change.
//!
//! Each slot holds a hash set of its keys, so COUNTKEYSINSLOT is O(1) and
//! GETKEYSINSLOT O(count). Cost: every key is stored a second time here
//! (Redis threads a list through its dict entries instead), plus about
//! 0.5-1 MB of empty sets. GETKEYSINSLOT's order is the set's order, not
//! Redis's newest-first list order.

use super::slot::{key_slot, SLOTS};
use crate::db::change::{DbChange, KeyChange};
use crate::server::Server;
use std::collections::HashSet;

type KeySet = HashSet<Box<[u8]>, foldhash::fast::RandomState>;

pub struct SlotIndex {
    slots: Box<[KeySet]>,
    total: usize,
}

impl Default for SlotIndex {
    fn default() -> SlotIndex {
        SlotIndex {
            slots: (0..SLOTS).map(|_| KeySet::default()).collect(),
            total: 0,
        }
    }
}

impl SlotIndex {
    pub fn add(&mut self, key: &[u8]) {
        if self.slots[key_slot(key) as usize].insert(key.into()) {
            self.total += 1;
        }
    }

    pub fn remove(&mut self, key: &[u8]) {
        if self.slots[key_slot(key) as usize].remove(key) {
            self.total -= 1;
        }
    }

    pub fn clear(&mut self) {
        for s in self.slots.iter_mut() {
            // Keep nothing around from a big dataset.
            *s = KeySet::default();
        }
        self.total = 0;
    }

    /// Keys in `slot` (`countKeysInSlot`); 0 for a slot out of range.
    pub fn count(&self, slot: usize) -> usize {
        self.slots.get(slot).map_or(0, |s| s.len())
    }

    /// Up to `max` keys of `slot`.
    pub fn keys(&self, slot: usize, max: usize) -> impl Iterator<Item = &[u8]> {
        self.slots.get(slot).into_iter().flat_map(|s| s.iter()).take(max).map(|k| &k[..])
    }

    /// Keys indexed in all slots.
    pub fn len(&self) -> usize {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

impl Server {
    /// Starts keeping the per-slot key index (cluster mode), built from
    /// what database 0 holds now.
    pub fn enable_slot_index(&mut self) {
        self.changes.slot_index = Some(Box::default());
        self.rebuild_slot_index();
    }

    fn rebuild_slot_index(&mut self) {
        if let Some(ix) = self.changes.slot_index.as_mut() {
            ix.clear();
            for e in self.dbs[0].iter() {
                ix.add(e.key());
            }
        }
    }

    /// From `observe_change`, only when the index exists.
    pub(crate) fn slot_index_key_change(&mut self, db: usize, key: &[u8], change: &KeyChange<'_>) {
        if db != 0 {
            return;
        }
        let loading_aside = self.repl.async_loading;
        let Some(ix) = self.changes.slot_index.as_mut() else {
            return;
        };
        match change {
            KeyChange::Created => ix.add(key),
            KeyChange::Loaded if !loading_aside => ix.add(key),
            KeyChange::Removed { .. } => ix.remove(key),
            KeyChange::Loaded | KeyChange::Replaced { .. } | KeyChange::Written(_) => {}
        }
    }

    /// From `on_db_change`, only when the index exists.
    pub(crate) fn slot_index_db_change(&mut self, change: DbChange) {
        match change {
            DbChange::Emptying(None) | DbChange::Emptying(Some(0)) => {
                if let Some(ix) = self.changes.slot_index.as_mut() {
                    ix.clear();
                }
            }
            DbChange::Replaced(0) => self.rebuild_slot_index(),
            DbChange::Emptying(Some(_)) | DbChange::Swapping(..) | DbChange::Replaced(_) => {}
        }
    }
}

#[cfg(test)]
#[path = "slot_index_tests.rs"]
mod tests;
