//! The keyspace (db.c): 16 databases of key -> value, a second table of
//! expiry times for keys that have one, lookups that apply lazy expiry and
//! update the LRU clock, and the add/overwrite/delete primitives every
//! command uses.
//!
//! Keyspace commands (DEL, RENAME, SCAN, ...) are in `keyspace.rs`; expiry
//! commands and the active expire cycle in `expire.rs`.

pub mod entry;
pub mod evict;
pub mod expire;
pub mod keyspace;

use crate::config::special::notify;
use crate::ds::dict::{Dict, DictEntry};
use crate::object::{NewValue, ValueRef};
use crate::server::Server;
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

pub struct Db {
    pub id: usize,
    pub dict: Dict<KvEntry>,
    pub expires: Dict<Box<ExpireEntry>>,
    /// Average TTL of keys sampled by the active expire cycle (INFO).
    pub avg_ttl: i64,
    /// Where the active expire cycle continues its scan.
    pub expires_cursor: u64,
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

    /// The key's expiry time in ms, or -1.
    pub fn get_expire(&self, key: &[u8]) -> i64 {
        if self.expires.is_empty() {
            return -1;
        }
        self.expires.get(key).map(|e| e.when).unwrap_or(-1)
    }

    /// Sets the expiry of an existing key.
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

    /// Removes a key's expiry; true if it had one.
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
    pub fn take(&mut self, key: &[u8]) -> Option<KvEntry> {
        let e = self.dict.remove(key)?;
        if e.has_expire() {
            self.expires.remove(key);
        }
        Some(e)
    }

    /// Removes everything, handing back the tables (to free elsewhere).
    pub fn take_all(&mut self) -> (Dict<KvEntry>, Dict<Box<ExpireEntry>>) {
        let tables = (std::mem::take(&mut self.dict), std::mem::take(&mut self.expires));
        self.avg_ttl = 0;
        self.expires_cursor = 0;
        tables
    }

    /// Removes a key and its expiry; true if it existed.
    pub fn delete(&mut self, key: &[u8]) -> bool {
        match self.dict.remove(key) {
            Some(e) => {
                if e.has_expire() {
                    self.expires.remove(key);
                }
                true
            }
            None => false,
        }
    }

    /// Removes everything; returns how many keys there were.
    pub fn clear(&mut self) -> usize {
        let n = self.dict.len();
        self.dict.clear();
        self.expires.clear();
        self.avg_ttl = 0;
        self.expires_cursor = 0;
        n
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
        self.db_delete_lazy(db, key, lazy);
        self.stats.expiredkeys += 1;
        self.notify_keyspace_event(notify::EXPIRED, "expired", key, db);
        // Nobody changed it: NOLOOP clients hear about it too.
        self.touch_watched_key(db, key);
        self.tracking_invalidate_key(key, true, None);
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

    fn count_miss(&mut self, db: usize, key: &[u8], flags: u32) {
        if flags & (lookup::NOSTATS | lookup::WRITE) == 0 {
            self.stats.keyspace_misses += 1;
        }
        if flags & (lookup::NONOTIFY | lookup::WRITE) == 0 {
            self.notify_keyspace_event(notify::KEY_MISS, "keymiss", key, db);
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
        let entry = KvEntry::new(key, value, lru);
        let wakes = blocks_on(&entry);
        self.dbs[db].dict.insert_new(entry);
        if wakes {
            self.signal_key_as_ready(db, key);
        }
        self.notify_keyspace_event(notify::NEW, "new", key, db);
    }

    /// Replaces the value of an existing key (`dbOverwrite`), keeping its
    /// expiry flag. The new value is freshly touched, except that LFU
    /// counters carry over (as Redis does).
    pub fn db_overwrite(&mut self, db: usize, key: &[u8], value: NewValue<'_>) {
        self.signal_if_stream(db, key);
        let fresh = self.fresh_lru();
        let lfu = self.lfu_enabled();
        self.dbs[db].dict.replace_with(key, |old| {
            let mut e = KvEntry::new(key, value, if lfu { old.lru() } else { fresh });
            e.set_has_expire(old.has_expire());
            e
        });
    }

    /// Sets a key to a value (`setKey`): add or overwrite, clearing the
    /// expiry unless `keep_ttl`. Does not signal or notify.
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

    /// Deletes a key (`dbDelete`); true if it existed.
    pub fn db_delete(&mut self, db: usize, key: &[u8]) -> bool {
        self.signal_if_stream(db, key);
        self.dbs[db].delete(key)
    }

    /// Deletes a key, freeing a big value on the lazyfree thread when
    /// `lazy` (`dbGenericDelete` with async, `freeObjAsync`).
    pub fn db_delete_lazy(&mut self, db: usize, key: &[u8], lazy: bool) -> bool {
        if !lazy {
            return self.db_delete(db, key);
        }
        self.signal_if_stream(db, key);
        match self.dbs[db].take(key) {
            Some(e) => {
                if crate::lazyfree::free_effort(e.value()) > crate::lazyfree::LAZYFREE_THRESHOLD {
                    self.lazyfree.free(e, 1);
                }
                true
            }
            None => false,
        }
    }

    /// A stream about to be deleted or overwritten wakes the clients
    /// blocked on it, so XREADGROUP ones learn their group is gone
    /// (`dbGenericDelete` and `dbOverwrite` signal it).
    pub fn signal_if_stream(&mut self, db: usize, key: &[u8]) {
        if self.blocking.keys.is_empty() {
            return;
        }
        let is_stream = self.dbs[db].dict.get(key).map(|e| e.value().value_type()) == Some(crate::object::ValueType::Stream);
        if is_stream {
            self.signal_key_as_ready(db, key);
        }
    }

    /// The type of an existing value, as a borrowed view.
    pub fn value_of(&mut self, db: usize, key: &[u8], flags: u32) -> Option<ValueRef<'_>> {
        self.lookup_key(db, key, flags).map(|e| e.value())
    }

    /// Number of keys with an expiry in `db`.
    pub fn volatile_keys(&self, db: usize) -> usize {
        self.dbs[db].expires.len()
    }

    /// Empties one database or all (`emptyData`); returns keys removed.
    /// Empties one or all databases, freeing their contents on the lazyfree
    /// thread (`emptyDbAsync`). Returns how many keys there were.
    pub fn empty_data_async(&mut self, db: Option<usize>) -> usize {
        let range = match db {
            Some(i) => i..i + 1,
            None => 0..self.dbs.len(),
        };
        let mut removed = 0;
        for i in range {
            let n = self.dbs[i].len();
            if n == 0 {
                continue;
            }
            removed += n;
            let tables = self.dbs[i].take_all();
            self.lazyfree.free(tables, n as u64);
        }
        removed
    }

    pub fn empty_data(&mut self, db: Option<usize>) -> usize {
        let mut removed = 0;
        match db {
            Some(i) => removed += self.dbs[i].clear(),
            None => {
                for d in &mut self.dbs {
                    removed += d.clear();
                }
            }
        }
        removed
    }
}
