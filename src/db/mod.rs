//! The keyspace (db.c): 16 databases of key -> value, a second table of
//! expiry times for keys that have one, lookups that apply lazy expiry and
//! update the LRU clock, and the add/overwrite/delete primitives every
//! command uses.
//!
//! Keyspace commands (DEL, RENAME, SCAN, ...) are in `keyspace.rs`; expiry
//! commands and the active expire cycle in `expire.rs`.

pub mod change;
pub mod entry;
pub mod evict;
pub mod expire;
pub mod keyspace;
#[cfg(test)]
mod model_tests;

use crate::ds::dict::{Dict, DictEntry};
use crate::object::{NewValue, ValueRef};
use crate::server::Server;
use change::{DbChange, KeyChange, Removal};
pub use entry::KvEntry;

/// An expiry time for one key.
pub struct ExpireEntry {
    next: Option<Box<ExpireEntry>>,
    pub when: i64,
    key: Box<[u8]>,
}

impl DictEntry for Box<ExpireEntry> {
    const EXPAND_LIMITED_BY_MAXMEMORY: bool = true;
    #[inline]
    fn key(&self) -> &[u8] {
        &self.key
    }
    #[inline]
    fn next(&self) -> &Option<Self> {
        &self.next
    }
    #[inline]
    fn next_mut(&mut self) -> &mut Option<Self> {
        &mut self.next
    }
}

/// One database: its keys, and the expiry times of those that have one.
///
/// The tables are private to `db/`: everything else reads through the
/// methods below, and changes keys through the `Server` methods of this
/// module tree, which report every change to the hook (`change.rs`).
pub struct Db {
    pub id: usize,
    dict: Dict<KvEntry>,
    expires: Dict<Box<ExpireEntry>>,
    /// Average TTL of keys sampled by the active expire cycle (INFO).
    pub avg_ttl: i64,
    /// Where the active expire cycle continues its scan.
    expires_cursor: u64,
    /// WATCHed keys of this database and who watches them.
    pub watched: crate::multi::WatchedKeys,
}

impl Db {
    pub fn new(id: usize) -> Db {
        Db {
            id,
            dict: Dict::new(),
            expires: Dict::new(),
            avg_ttl: 0,
            expires_cursor: 0,
            watched: Default::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.dict.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    /// Number of keys with an expiry.
    pub fn volatile_len(&self) -> usize {
        self.expires.len()
    }

    /// The entry of `key` as it is in the table: no lazy expiry, no
    /// statistics, no LRU update (`dbFind`). Commands look keys up with
    /// `Server::lookup_*`; this is for code that already did, or that must
    /// not have side effects (WATCH, blocking, persistence, DEBUG).
    #[inline]
    pub fn find(&self, key: &[u8]) -> Option<&KvEntry> {
        self.dict.get(key)
    }

    /// `find` for changing the value in place. The caller reports the
    /// change through the write epilogue (`key_modified`).
    #[inline]
    pub fn find_mut(&mut self, key: &[u8]) -> Option<&mut KvEntry> {
        self.dict.get_mut(key)
    }

    /// One active-defrag step over the key table at `cursor` (see
    /// `server/defrag.rs`): `f` moves each entry's parts; a key's expire
    /// entry is moved here. Returns the next cursor (0: done).
    pub fn defrag_scan(
        &mut self,
        cursor: u64,
        mv: &mut crate::server::defrag::Mover,
        mut f: impl FnMut(&mut KvEntry, &mut crate::server::defrag::Mover),
    ) -> u64 {
        let expires = &mut self.expires;
        self.dict.scan_mut(cursor, |e| {
            f(e, mv);
            if e.has_expire() {
                if let Some(x) = expires.get_mut(e.key()) {
                    mv.boxed(x);
                    mv.bytes(&mut x.key);
                }
            }
        })
    }

    /// Every entry, in table order (SAVE, AOF rewrite, DEBUG DIGEST).
    pub fn iter(&self) -> crate::ds::dict::Iter<'_, KvEntry> {
        self.dict.iter()
    }

    /// Grows the key table ahead of a bulk load (RDB `RESIZEDB`, DEBUG
    /// DICT-RESIZING tests).
    pub fn expand(&mut self, size: usize) -> bool {
        self.dict.expand(size)
    }

    /// Bucket counts of the two tables (MEMORY STATS overhead).
    pub fn slots(&self) -> (usize, usize) {
        (self.dict.slots(), self.expires.slots())
    }

    /// DEBUG HTSTATS text of the key table and the expires table.
    pub fn stats_text(&self) -> (String, String) {
        (
            crate::types::hash::dict_stats_text(&self.dict),
            crate::types::hash::dict_stats_text(&self.expires),
        )
    }

    /// Shrinks tables that got sparse (`tryResizeHashTables`).
    pub fn shrink_if_sparse(&mut self) {
        if self.dict.needs_shrink() {
            self.dict.shrink_to_fit();
        }
        if self.expires.needs_shrink() {
            self.expires.shrink_to_fit();
        }
    }

    /// Spends a millisecond on a rehash in progress, the key table's
    /// first (`incrementallyRehash`); true if there was one.
    pub fn rehash_for_1ms(&mut self) -> bool {
        if self.dict.is_rehashing() {
            self.dict.rehash_for_ms(1);
            return true;
        }
        if self.expires.is_rehashing() {
            self.expires.rehash_for_ms(1);
            return true;
        }
        false
    }

    /// The key's expiry time in ms, or -1.
    pub fn get_expire(&self, key: &[u8]) -> i64 {
        if self.expires.is_empty() {
            return -1;
        }
        self.expires.get(key).map(|e| e.when).unwrap_or(-1)
    }

    /// Sets the expiry of an existing key. The caller reports the change
    /// (EXPIRE's epilogue, or the key's creation).
    pub fn set_expire(&mut self, key: &[u8], when: i64) {
        if let Some(e) = self.dict.get_mut(key) {
            e.set_has_expire(true);
        } else {
            return;
        }
        if let Some(e) = self.expires.get_mut(key) {
            e.when = when;
        } else {
            self.expires.insert_new(Box::new(ExpireEntry {
                next: None,
                when,
                key: key.into(),
            }));
        }
    }

    /// Removes a key's expiry; true if it had one. The caller reports the
    /// change (PERSIST's epilogue, or the write that cleared it).
    pub fn remove_expire(&mut self, key: &[u8]) -> bool {
        if let Some(e) = self.dict.get_mut(key) {
            if !e.has_expire() {
                return false;
            }
            e.set_has_expire(false);
        }
        self.expires.remove(key).is_some()
    }

    /// Removes a key and its expiry, handing the entry back.
    fn take(&mut self, key: &[u8]) -> Option<KvEntry> {
        let mut e = self.dict.remove(key)?;
        if e.has_expire() {
            self.expires.remove(key);
            e.set_has_expire(false);
        }
        Some(e)
    }

    /// Adds an entry whose key is not in the table (the entry has no
    /// expiry yet).
    fn insert_new(&mut self, e: KvEntry) {
        self.dict.insert_new(e);
    }

    /// Removes everything, handing back the tables (to free elsewhere).
    fn take_all(&mut self) -> (Dict<KvEntry>, Dict<Box<ExpireEntry>>) {
        let tables = (std::mem::take(&mut self.dict), std::mem::take(&mut self.expires));
        self.avg_ttl = 0;
        self.expires_cursor = 0;
        tables
    }

    /// Removes everything; returns how many keys there were.
    fn clear(&mut self) -> usize {
        let n = self.dict.len();
        self.dict.clear();
        self.expires.clear();
        self.avg_ttl = 0;
        self.expires_cursor = 0;
        n
    }

    /// Trades contents with `other`; WATCHes stay with the index.
    fn swap_contents(&mut self, other: &mut Db) {
        std::mem::swap(&mut self.dict, &mut other.dict);
        std::mem::swap(&mut self.expires, &mut other.expires);
        std::mem::swap(&mut self.avg_ttl, &mut other.avg_ttl);
        std::mem::swap(&mut self.expires_cursor, &mut other.expires_cursor);
    }

    /// True when `key` has an expiry in the past relative to `now`.
    #[inline]
    pub fn is_expired(&self, key: &[u8], now: i64) -> bool {
        let when = self.get_expire(key);
        when >= 0 && when < now
    }
}

/// True for values blocked clients may wait for (lists, sorted sets).
pub fn blocks_on(e: &KvEntry) -> bool {
    matches!(
        e.value().value_type(),
        crate::object::ValueType::List | crate::object::ValueType::ZSet | crate::object::ValueType::Stream
    )
}

/// Lookup flags (`LOOKUP_*`).
pub mod lookup {
    pub const NONE: u32 = 0;
    /// Do not update the LRU/LFU (TTL, TYPE, OBJECT, ...).
    pub const NOTOUCH: u32 = 1 << 0;
    /// Do not fire a key-miss notification.
    pub const NONOTIFY: u32 = 1 << 1;
    /// Do not count a hit or miss.
    pub const NOSTATS: u32 = 1 << 2;
    /// Do not delete an expired key (but still hide it).
    pub const NOEXPIRE: u32 = 1 << 4;
    /// A write lookup: misses are not counted or notified.
    pub const WRITE: u32 = 1 << 5;
}

/// LRU clock resolution in ms (`LRU_CLOCK_RESOLUTION`).
pub const LRU_CLOCK_RESOLUTION: i64 = 1000;
pub const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;

/// The LRU clock for a given time (`getLRUClock`).
pub fn lru_clock_at(ms: i64) -> u32 {
    ((ms / LRU_CLOCK_RESOLUTION) as u32) & LRU_CLOCK_MAX
}

/// Milliseconds since an object with `lru` was last touched
/// (`estimateObjectIdleTime`).
pub fn estimate_idle_ms(now_clock: u32, lru: u32) -> i64 {
    let ticks = if now_clock >= lru {
        now_clock - lru
    } else {
        (LRU_CLOCK_MAX - lru) + now_clock
    };
    i64::from(ticks) * LRU_CLOCK_RESOLUTION
}

impl Server {
    /// The current LRU clock.
    pub fn lru_clock(&self) -> u32 {
        if 1000 / self.hz.max(1) <= LRU_CLOCK_RESOLUTION {
            self.lru_clock
        } else {
            lru_clock_at(crate::util::mstime())
        }
    }

    /// The LRU (or LFU data) a new or touched value gets.
    fn fresh_lru(&self) -> u32 {
        if self.lfu_enabled() {
            crate::db::evict::lfu_initial(self.unixtime)
        } else {
            self.lru_clock()
        }
    }

    /// Deletes `key` if it is logically expired (`expireIfNeeded`).
    /// Returns true when the key is expired (deleted, or hidden on a
    /// replica).
    pub fn expire_if_needed(&mut self, db: usize, key: &[u8], flags: u32) -> bool {
        let now = self.now_ms();
        if !self.dbs[db].is_expired(key, now) {
            return false;
        }
        if self.is_replica() {
            // Replicas expire keys only when their master says so (a DEL
            // in the stream): the master's commands see the key, other
            // clients see it gone. A writable replica's writes may delete.
            if self.repl.current_is_master {
                return false;
            }
            if flags & lookup::WRITE == 0 || self.cfg.replica_read_only {
                return true;
            }
        }
        if self.loading || flags & lookup::NOEXPIRE != 0 {
            return true;
        }
        // While clients are paused the dataset stays as it is; the key only
        // looks expired.
        if self.clients_paused() {
            return true;
        }
        self.delete_expired_key(db, key);
        true
    }

    /// Removes a key whose TTL has passed, with the notification and
    /// propagation Redis does (`deleteExpiredKeyAndPropagate`).
    pub fn delete_expired_key(&mut self, db: usize, key: &[u8]) {
        let lazy = self.cfg.lazyfree_lazy_expire;
        self.stats.expiredkeys += 1;
        self.remove_key(db, key, lazy, Removal::Expired);
        let cmd: &[u8] = if lazy { b"UNLINK" } else { b"DEL" };
        self.propagate(db, vec![cmd.to_vec(), key.to_vec()]);
    }

    /// Looks a key up with the given `lookup::*` flags (`lookupKey`).
    pub fn lookup_key(&mut self, db: usize, key: &[u8], flags: u32) -> Option<&mut KvEntry> {
        let has_expire = match self.dbs[db].dict.get(key) {
            Some(e) => e.has_expire(),
            None => {
                self.count_miss(db, key, flags);
                return None;
            }
        };
        if has_expire && self.expire_if_needed(db, key, flags) {
            self.count_miss(db, key, flags);
            return None;
        }
        if flags & (lookup::NOSTATS | lookup::WRITE) == 0 {
            self.stats.keyspace_hits += 1;
        }
        let touch = flags & lookup::NOTOUCH == 0;
        let lfu = self.lfu_enabled();
        let (clock, unixtime, log_factor, decay) = (self.lru_clock(), self.unixtime, self.cfg.lfu_log_factor, self.cfg.lfu_decay_time);
        let e = self.dbs[db].dict.get_mut(key)?;
        if touch {
            if lfu {
                let v = crate::db::evict::lfu_touch(e.lru(), unixtime, log_factor, decay);
                e.set_lru(v);
            } else {
                e.set_lru(clock);
            }
        }
        Some(e)
    }

    /// A read that found nothing: statistics and the `keymiss` event (a
    /// read, not a change, so it does not go through the change hook).
    fn count_miss(&mut self, db: usize, key: &[u8], flags: u32) {
        if flags & (lookup::NOSTATS | lookup::WRITE) == 0 {
            self.stats.keyspace_misses += 1;
        }
        if flags & (lookup::NONOTIFY | lookup::WRITE) == 0 {
            self.notify(change::ev::KEYMISS, key, db);
        }
    }

    /// `lookupKeyRead`.
    #[inline]
    pub fn lookup_read(&mut self, db: usize, key: &[u8]) -> Option<&mut KvEntry> {
        self.lookup_key(db, key, lookup::NONE)
    }

    /// `lookupKeyWrite`.
    #[inline]
    pub fn lookup_write(&mut self, db: usize, key: &[u8]) -> Option<&mut KvEntry> {
        self.lookup_key(db, key, lookup::WRITE)
    }

    /// True when the key exists (after lazy expiry), without touching it.
    pub fn key_exists(&mut self, db: usize, key: &[u8]) -> bool {
        self.lookup_key(db, key, lookup::NOTOUCH | lookup::NOSTATS | lookup::NONOTIFY)
            .is_some()
    }

    /// Adds a key that must not exist (`dbAdd`).
    pub fn db_add(&mut self, db: usize, key: &[u8], value: NewValue<'_>) {
        let lru = self.fresh_lru();
        self.dbs[db].insert_new(KvEntry::new(key, value, lru));
        self.on_key_change(db, key, KeyChange::Created);
    }

    /// Replaces the value of an existing key (`dbOverwrite`), keeping its
    /// expiry flag. The new value is freshly touched, except that LFU
    /// counters carry over (as Redis does).
    pub fn db_overwrite(&mut self, db: usize, key: &[u8], value: NewValue<'_>) {
        let fresh = self.fresh_lru();
        let lfu = self.lfu_enabled();
        let mut was = None;
        self.dbs[db].dict.replace_with(key, |old| {
            was = Some(old.value().value_type());
            let mut e = KvEntry::new(key, value, if lfu { old.lru() } else { fresh });
            e.set_has_expire(old.has_expire());
            e
        });
        if let Some(was) = was {
            self.on_key_change(db, key, KeyChange::Replaced { was });
        }
    }

    /// Sets a key to a value (`setKey`): add or overwrite, clearing the
    /// expiry unless `keep_ttl`. The caller's epilogue signals and
    /// notifies.
    pub fn set_key(&mut self, db: usize, key: &[u8], value: NewValue<'_>, keep_ttl: bool) {
        let exists = self.lookup_key(db, key, lookup::WRITE | lookup::NOTOUCH).is_some();
        if exists {
            self.db_overwrite(db, key, value);
            if !keep_ttl {
                self.dbs[db].remove_expire(key);
            }
        } else {
            self.db_add(db, key, value);
        }
    }

    /// Deletes a key (`dbDelete`); true if it existed. The caller's
    /// epilogue fires the events.
    pub fn db_delete(&mut self, db: usize, key: &[u8]) -> bool {
        self.remove_key(db, key, false, Removal::Deleted)
    }

    /// Deletes a key, freeing a big value on the lazyfree thread when
    /// `lazy` (`dbGenericDelete` with async, `freeObjAsync`).
    pub fn db_delete_lazy(&mut self, db: usize, key: &[u8], lazy: bool) -> bool {
        self.remove_key(db, key, lazy, Removal::Deleted)
    }

    /// Every removal of a single key: from the table, then the value freed
    /// here or on the lazyfree thread, then the hook.
    pub(crate) fn remove_key(&mut self, db: usize, key: &[u8], lazy: bool, why: Removal) -> bool {
        let Some(was) = self.unlink_key(db, key, lazy) else {
            return false;
        };
        self.on_key_change(db, key, KeyChange::Removed { why, was });
        true
    }

    /// Takes a key out of the table and frees its value, without telling
    /// the hook: only for a caller that reports the removal itself right
    /// after (eviction measures the memory freed in between). Returns the
    /// type the value had.
    fn unlink_key(&mut self, db: usize, key: &[u8], lazy: bool) -> Option<crate::object::ValueType> {
        let e = self.dbs[db].take(key)?;
        let was = e.value().value_type();
        if lazy && crate::lazyfree::free_effort(e.value()) > crate::lazyfree::LAZYFREE_THRESHOLD {
            self.lazyfree.free(e, 1);
        } else {
            drop(e);
        }
        Some(was)
    }

    /// Gives the value of `src` the name `dst` (RENAME), keeping its TTL.
    /// `dst` must not exist (the caller deleted it). Reported as Redis
    /// orders it: the new name is created, then the old one removed.
    pub fn rename_key(&mut self, db: usize, src: &[u8], dst: &[u8]) -> bool {
        let expire = self.dbs[db].get_expire(src);
        let Some(e) = self.dbs[db].take(src) else {
            return false;
        };
        let was = e.value().value_type();
        self.dbs[db].insert_new(e.rekey(dst));
        if expire != -1 {
            self.dbs[db].set_expire(dst, expire);
        }
        self.on_key_change(db, dst, KeyChange::Created);
        self.on_key_change(
            db,
            src,
            KeyChange::Removed {
                why: Removal::Renamed,
                was,
            },
        );
        true
    }

    /// Moves `key` from database `src` to `dst` (MOVE), keeping its TTL.
    /// The key must not exist in `dst`.
    pub fn move_key(&mut self, src: usize, dst: usize, key: &[u8]) -> bool {
        let expire = self.dbs[src].get_expire(key);
        let Some(e) = self.dbs[src].take(key) else {
            return false;
        };
        let was = e.value().value_type();
        self.dbs[dst].insert_new(e);
        if expire != -1 {
            self.dbs[dst].set_expire(key, expire);
        }
        self.on_key_change(dst, key, KeyChange::Created);
        self.on_key_change(src, key, KeyChange::Removed { why: Removal::Moved, was });
        true
    }

    /// Adds a copy of `key` of database `src` as `newkey` in `dst` (COPY),
    /// with the same TTL. `newkey` must not exist in `dst`.
    pub fn copy_key(&mut self, src: usize, key: &[u8], dst: usize, newkey: &[u8]) -> bool {
        let lru = self.lru_clock();
        let Some(copy) = self.dbs[src].find(key).map(|e| e.duplicate(newkey, lru)) else {
            return false;
        };
        let expire = self.dbs[src].get_expire(key);
        self.dbs[dst].insert_new(copy);
        if expire != -1 {
            self.dbs[dst].set_expire(newkey, expire);
        }
        self.on_key_change(dst, newkey, KeyChange::Created);
        true
    }

    /// Adds a key read from a dataset being loaded (`dbAddRDBLoad`), with
    /// its expiry (-1: none). An existing key of the same name is replaced
    /// when `replace` (DEBUG RELOAD MERGE); otherwise nothing is added and
    /// false is returned.
    pub fn load_key(&mut self, db: usize, key: &[u8], value: NewValue<'_>, expire: i64, replace: bool) -> bool {
        if self.dbs[db].find(key).is_some() {
            if !replace {
                return false;
            }
            self.db_delete(db, key);
        }
        let lru = self.fresh_lru();
        self.dbs[db].insert_new(KvEntry::new(key, value, lru));
        if expire != -1 {
            self.dbs[db].set_expire(key, expire);
        }
        self.on_key_change(db, key, KeyChange::Loaded);
        true
    }

    /// The type of an existing value, as a borrowed view.
    pub fn value_of(&mut self, db: usize, key: &[u8], flags: u32) -> Option<ValueRef<'_>> {
        self.lookup_key(db, key, flags).map(|e| e.value())
    }

    /// Empties one database or all (`emptyData`), freeing the contents on
    /// the lazyfree thread when `lazy` (`emptyDbAsync`). Returns how many
    /// keys there were.
    pub fn empty_data(&mut self, db: Option<usize>, lazy: bool) -> usize {
        self.on_db_change(DbChange::Emptying(db));
        let range = match db {
            Some(i) => i..i + 1,
            None => 0..self.dbs.len(),
        };
        let mut removed = 0;
        for i in range {
            if lazy {
                let n = self.dbs[i].len();
                if n == 0 {
                    continue;
                }
                removed += n;
                let tables = self.dbs[i].take_all();
                self.lazyfree.free(tables, n as u64);
            } else {
                removed += self.dbs[i].clear();
            }
        }
        removed
    }

    /// Trades the contents of two databases (`dbSwapDatabases`); WATCHes
    /// and blocked clients stay with the index.
    pub fn swap_dbs(&mut self, a: usize, b: usize) {
        if a == b {
            return;
        }
        self.on_db_change(DbChange::Swapping(a, b));
        let (lo, hi) = (a.min(b), a.max(b));
        let (left, right) = self.dbs.split_at_mut(hi);
        left[lo].swap_contents(&mut right[0]);
        self.on_db_change(DbChange::Replaced(a));
        self.on_db_change(DbChange::Replaced(b));
    }

    /// Makes `loaded` the live dataset and leaves the old one in it
    /// (`swapMainDbWithTempDb`, a swapdb diskless load).
    pub fn replace_all_dbs(&mut self, loaded: &mut [Db]) {
        self.on_db_change(DbChange::Emptying(None));
        for (main, new) in self.dbs.iter_mut().zip(loaded.iter_mut()) {
            std::mem::swap(&mut main.dict, &mut new.dict);
            std::mem::swap(&mut main.expires, &mut new.expires);
            main.avg_ttl = 0;
            main.expires_cursor = 0;
        }
        for db in 0..self.dbs.len() {
            self.on_db_change(DbChange::Replaced(db));
        }
    }
}
