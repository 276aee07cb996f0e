//! Key changes and who hears about them: the one hook every change to the
//! keyspace goes through (the parts of db.c, notify.c, multi.c and
//! tracking.c that Redis calls from `dbAdd`, `dbDelete`,
//! `signalModifiedKey`, `notifyKeyspaceEvent` and `signalFlushedDb`).
//!
//! Two sources report changes:
//! - the keyspace primitives of this module tree (`db_add`,
//!   `db_overwrite`, `db_delete*`, `rename_key`, `move_key`, expiry,
//!   eviction, loading, flushes and swaps), which report what happened to
//!   the *structure* of the keyspace: a key was created, replaced, loaded
//!   or removed (and why), a database was emptied or swapped;
//! - the write epilogue, `Ctx::key_modified` (or `Server::key_modified`
//!   where no command context exists), which every command that changed a
//!   key calls exactly once per key it wrote, with the keyspace events it
//!   fires and how much it adds to the dirty counter.
//!
//! Both end in [`Server::on_key_change`] / [`Server::on_db_change`], which
//! call the subscribers in a fixed order: keyspace notifications
//! (pub/sub), WATCH (`multi.rs`), client-side caching (`tracking.rs`) and
//! clients blocked on keys (`blocked.rs`).
//!
//! **Adding a subscriber** (a search index, the cluster's per-slot key
//! index): add one call in `on_key_change` and, if it keeps per-key state,
//! one in `on_db_change`. Do not add code to commands. `Created`, `Loaded`
//! and `Removed` tell a key index everything about membership (a RENAME is
//! `Removed(Renamed)` of the old name and `Created` of the new one, a MOVE
//! the same across two databases); `Replaced` and `Written` say that a
//! value changed and must be read again. The change is reported after the
//! keyspace already shows it, except `DbChange::Emptying` and
//! `DbChange::Swapping`, which come just before (subscribers may still
//! look at the keys that are about to go).
//!
//! A dataset loaded beside the live one (a replica's diskless load with
//! `repl-diskless-load swapdb`) reports its keys as `Loaded` while the
//! loader has it swapped in as `srv.dbs`; it goes live with
//! `DbChange::Emptying(None)` followed by `DbChange::Replaced` for every
//! database, so a subscriber with per-key state rebuilds from the
//! keyspace on `Replaced` and can ignore `Loaded` while
//! `srv.repl.async_loading` holds.
//!
//! The order of the subscribers' effects inside one change follows Redis
//! where clients can observe it (an expired key is notified before WATCH
//! and tracking hear of it, an evicted one after; a few commands notify
//! before they signal): that is data in `KeyWrite`, not code in commands.

use crate::config::special::notify;
use crate::object::ValueType;
use crate::server::{Ctx, Server};

/// A keyspace event: its class (a `notify-keyspace-events` flag) and name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub class: u32,
    pub name: &'static str,
}

impl Event {
    pub const fn new(class: u32, name: &'static str) -> Event {
        Event { class, name }
    }
}

/// Events fired by more than one command or by the keyspace itself.
/// Type-specific events are built where they are fired
/// (`Event::new(notify::LIST, "lpush")`).
pub mod ev {
    use super::Event;
    use crate::config::special::notify;

    pub const NEW: Event = Event::new(notify::NEW, "new");
    pub const DEL: Event = Event::new(notify::GENERIC, "del");
    pub const EXPIRE: Event = Event::new(notify::GENERIC, "expire");
    pub const PERSIST: Event = Event::new(notify::GENERIC, "persist");
    pub const EXPIRED: Event = Event::new(notify::EXPIRED, "expired");
    pub const EVICTED: Event = Event::new(notify::EVICTED, "evicted");
    pub const KEYMISS: Event = Event::new(notify::KEY_MISS, "keymiss");
    pub const RESTORE: Event = Event::new(notify::GENERIC, "restore");
    pub const SET: Event = Event::new(notify::STRING, "set");
}

/// When a write signals WATCH and tracking relative to its events: the
/// order Redis uses for each command, which a client that both tracks
/// keys and listens to keyspace events can see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Signal {
    /// `signalModifiedKey` before the event at this index (0: before all,
    /// as most commands do; past the last: after all, as ZREM, LPOP, SPOP,
    /// LTRIM do; 1: between the two, as ZPOPMIN does before its `del`).
    At(u8),
    /// No signal: consumer-group bookkeeping (XGROUP CREATECONSUMER,
    /// XSETID, XREADGROUP's PEL) that Redis keeps invisible to WATCH and
    /// client-side caching.
    Never,
}

/// What a command did to one key, for the write epilogue: the keyspace
/// events it fires (up to two: e.g. `srem` and then `del` when the set
/// became empty), the dirty count it adds (default 1), and when WATCH and
/// tracking hear of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyWrite {
    events: [Option<Event>; 2],
    dirty: u64,
    signal: Signal,
}

impl KeyWrite {
    /// A write firing `event`, adding 1 to dirty, signalled first.
    pub const fn new(event: Event) -> KeyWrite {
        KeyWrite {
            events: [Some(event), None],
            dirty: 1,
            signal: Signal::At(0),
        }
    }

    /// A write that fires no keyspace event (PFCOUNT caching its
    /// cardinality in the HLL header).
    pub const fn silent() -> KeyWrite {
        KeyWrite {
            events: [None, None],
            dirty: 1,
            signal: Signal::At(0),
        }
    }

    /// A second event after the first.
    pub const fn also(mut self, event: Event) -> KeyWrite {
        if self.events[0].is_none() {
            self.events[0] = Some(event);
        } else {
            self.events[1] = Some(event);
        }
        self
    }

    /// A second event when `cond` holds (the `del` of a write that
    /// emptied its key).
    pub const fn also_if(self, cond: bool, event: Event) -> KeyWrite {
        if cond {
            self.also(event)
        } else {
            self
        }
    }

    /// Sets how much the write adds to the dirty counter (elements added,
    /// removed ...; 0 for a write that must not count).
    pub const fn dirty(mut self, n: u64) -> KeyWrite {
        self.dirty = n;
        self
    }

    /// Fires the events before signalling WATCH and tracking.
    pub const fn notify_first(mut self) -> KeyWrite {
        self.signal = Signal::At(2);
        self
    }

    /// Fires the first event, signals WATCH and tracking, then fires the
    /// second (the `del` of a pop that emptied a sorted set).
    pub const fn signal_after_first_event(mut self) -> KeyWrite {
        self.signal = Signal::At(1);
        self
    }

    /// Never signals WATCH and tracking (see `Signal::Never`).
    pub const fn unsignalled(mut self) -> KeyWrite {
        self.signal = Signal::Never;
        self
    }

    /// The events this write fires, in order.
    pub fn events(&self) -> impl Iterator<Item = Event> + '_ {
        self.events.iter().flatten().copied()
    }

    /// Whether WATCH and tracking hear of it before any event.
    fn signals_first(&self) -> bool {
        self.signal == Signal::At(0) || (self.signal != Signal::Never && self.events[0].is_none())
    }
}

impl From<Event> for KeyWrite {
    fn from(e: Event) -> KeyWrite {
        KeyWrite::new(e)
    }
}

/// Why a key left the keyspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// Deleted by a command (DEL, a pop that emptied it, SET over it with
    /// another type ...); the command's epilogue reports its events.
    Deleted,
    /// Its TTL passed (lazy or active expiry).
    Expired,
    /// Evicted to stay under maxmemory.
    Evicted,
    /// The old name of a RENAME (the new name is `Created`).
    Renamed,
    /// Left its database with MOVE (`Created` in the other one).
    Moved,
}

/// A change to one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyChange<'a> {
    /// The key came into being (`dbAdd`): a new key, the new name of a
    /// RENAME, a MOVE's destination, a COPY.
    Created,
    /// The key came in with a dataset being loaded (RDB, a full sync,
    /// DEBUG RELOAD); nothing is notified, as in Redis.
    Loaded,
    /// Its value was replaced as a whole (`dbOverwrite`); `was` is the old
    /// value's type.
    Replaced { was: ValueType },
    /// It left the keyspace; `was` is the type of the value it held.
    Removed { why: Removal, was: ValueType },
    /// A command finished writing it (the write epilogue).
    Written(&'a KeyWrite),
}

/// A change to whole databases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbChange {
    /// Every key of the database (`None`: of every database) is about to go:
    /// FLUSHDB, FLUSHALL, a full sync, DEBUG RELOAD (`signalFlushedDb`).
    Emptying(Option<usize>),
    /// Two databases are about to trade contents (SWAPDB).
    Swapping(usize, usize),
    /// The database's contents were replaced as a whole (after SWAPDB or a
    /// swapdb diskless load).
    Replaced(usize),
}

/// Changes since the last successful save (`server.dirty`): what the save
/// points and INFO's `rdb_changes_since_last_save` read. Only this module
/// adds to it (the write epilogue, and `Server::add_dirty` for changes
/// that belong to no key), so every counted change is a reported one.
#[derive(Default, Clone, Copy, Debug)]
pub struct Dirty(u64);

impl Dirty {
    #[inline]
    pub fn get(self) -> u64 {
        self.0
    }

    /// A foreground save wrote everything (SAVE, DEBUG LOADAOF).
    pub fn reset(&mut self) {
        self.0 = 0;
    }

    /// A background save wrote the changes counted up to `before` (the
    /// value when it forked).
    pub fn saved(&mut self, before: u64) {
        self.0 = self.0.saturating_sub(before);
    }

    #[inline]
    fn add(&mut self, n: u64) {
        self.0 += n;
    }
}

/// What the hook keeps besides its subscribers' own state.
#[derive(Default)]
pub struct ChangeState {
    /// Every change, recorded by tests that check the hook is complete.
    #[cfg(test)]
    pub recorder: Option<Vec<Recorded>>,
    /// The cluster's per-slot key index (cluster mode only).
    pub slot_index: Option<Box<crate::cluster::slot_index::SlotIndex>>,
}

/// One recorded change (tests).
#[cfg(test)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    Key { db: usize, key: Vec<u8>, change: RecordedKind },
    Db(DbChange),
}

/// A `KeyChange` without borrows (tests).
#[cfg(test)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordedKind {
    Created,
    Loaded,
    Replaced,
    Removed(Removal),
    Written(Vec<&'static str>),
}

/// Which part of a write's effects to run (a write over several keys runs
/// each part for every key before the next part, as Redis orders them).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// WATCH and tracking, for writes that signal before their events.
    EarlySignal,
    Events,
    /// WATCH and tracking, for writes that signal after their events.
    LateSignal,
}

const ALL_PARTS: [Part; 3] = [Part::EarlySignal, Part::Events, Part::LateSignal];

impl Server {
    /// The hook: every change to a key ends here, and the subscribers hear
    /// of it in a fixed order.
    #[inline]
    pub(crate) fn on_key_change(&mut self, db: usize, key: &[u8], change: KeyChange<'_>) {
        self.observe_change(db, key, &change);
        if self.has_listeners(db) {
            self.dispatch_change(db, key, change);
        }
    }

    /// Whether any subscriber with visible effects listens to changes in
    /// `db` now: most servers have no keyspace notifications, WATCHes,
    /// tracking clients or blocked clients, and then a change costs one
    /// test. A new subscriber with effects adds its own "am I listening"
    /// test here.
    #[inline]
    fn has_listeners(&self, db: usize) -> bool {
        self.cfg.special.notify_keyspace_events != 0
            || !self.dbs[db].watched.is_empty()
            || !self.tracking.is_idle()
            || !self.blocking.keys.is_empty()
    }

    /// The subscribers with effects, in their fixed order.
    fn dispatch_change(&mut self, db: usize, key: &[u8], change: KeyChange<'_>) {
        match change {
            KeyChange::Created => {
                if !self.blocking.keys.is_empty() && self.dbs[db].find(key).is_some_and(super::blocks_on) {
                    self.signal_key_as_ready(db, key);
                }
                self.notify(ev::NEW, key, db);
            }
            KeyChange::Loaded => {}
            KeyChange::Replaced { was } => self.signal_if_stream(db, key, was),
            KeyChange::Removed { why, was } => {
                // XREADGROUP clients learn that their stream is gone.
                self.signal_if_stream(db, key, was);
                match why {
                    Removal::Expired => {
                        self.notify(ev::EXPIRED, key, db);
                        self.signal_unowned(db, key);
                    }
                    Removal::Evicted => {
                        self.signal_unowned(db, key);
                        self.notify(ev::EVICTED, key, db);
                    }
                    Removal::Deleted | Removal::Renamed | Removal::Moved => {}
                }
            }
            KeyChange::Written(w) => self.write_effects_in_order(db, key, w),
        }
    }

    /// Subscribers that only need to hear of every change once, in any
    /// order relative to the effects clients see: tests' recorder (later:
    /// search indexes, the cluster's per-slot key index).
    #[inline]
    fn observe_change(&mut self, db: usize, key: &[u8], change: &KeyChange<'_>) {
        #[cfg(test)]
        self.record_change(db, key, change);
        if self.changes.slot_index.is_some() {
            self.slot_index_key_change(db, key, change);
        }
        // The time-series key set (stack::timeseries::index).
        match change {
            KeyChange::Created | KeyChange::Loaded | KeyChange::Replaced { .. } => self.ts_index.check(&self.dbs[db], db, key),
            KeyChange::Removed { .. } => self.ts_index.removed(db, key),
            KeyChange::Written(_) => {}
        }
    }

    /// The hook for whole databases.
    pub(crate) fn on_db_change(&mut self, change: DbChange) {
        #[cfg(test)]
        if let Some(r) = self.changes.recorder.as_mut() {
            r.push(Recorded::Db(change));
        }
        if self.changes.slot_index.is_some() {
            self.slot_index_db_change(change);
        }
        match change {
            DbChange::Emptying(db) => {
                let range = match db {
                    Some(d) => d..d + 1,
                    None => 0..self.dbs.len(),
                };
                for d in range.clone() {
                    self.scan_db_for_deleted_streams(d, None);
                    self.ts_index.clear(d);
                }
                for d in range {
                    self.touch_all_watched_keys_in_db(d, None);
                }
                self.tracking_invalidate_all();
            }
            DbChange::Swapping(a, b) => {
                self.touch_all_watched_keys_in_db(a, Some(b));
                self.touch_all_watched_keys_in_db(b, Some(a));
                self.scan_db_for_deleted_streams(a, Some(b));
                self.scan_db_for_deleted_streams(b, Some(a));
                self.ts_index.swap(a, b);
            }
            DbChange::Replaced(db) => {
                self.scan_db_for_ready_keys(db);
                self.ts_index.rebuild(&self.dbs[db], db);
            }
        }
    }

    /// The write epilogue outside a command context (a blocked client
    /// served later, the stream of our master): see `Ctx::key_modified`.
    #[inline]
    pub fn key_modified(&mut self, db: usize, key: &[u8], w: impl Into<KeyWrite>) {
        let w = w.into();
        self.dirty.add(w.dirty);
        self.on_key_change(db, key, KeyChange::Written(&w));
    }

    /// The write epilogue of a command that wrote several keys as one
    /// change (RENAME, MOVE): every key that signals first is signalled
    /// before any event fires, as Redis does there, then every event, then
    /// the late signals. Each key is still one `Written` change.
    pub fn keys_modified(&mut self, writes: &[(usize, &[u8], KeyWrite)]) {
        for (db, key, w) in writes {
            self.dirty.add(w.dirty);
            self.observe_change(*db, key, &KeyChange::Written(w));
        }
        if !writes.iter().any(|(db, _, _)| self.has_listeners(*db)) {
            return;
        }
        for part in ALL_PARTS {
            for (db, key, w) in writes {
                self.write_effects(*db, key, w, part);
            }
        }
    }

    fn write_effects(&mut self, db: usize, key: &[u8], w: &KeyWrite, part: Part) {
        match (part, w.signal) {
            (Part::EarlySignal, _) if w.signals_first() => self.signal_modified_key(db, key),
            (Part::LateSignal, Signal::At(_)) if !w.signals_first() => self.signal_modified_key(db, key),
            (Part::Events, _) => {
                for e in w.events() {
                    self.notify(e, key, db);
                }
            }
            _ => {}
        }
    }

    /// A write's effects on one key, in its order.
    fn write_effects_in_order(&mut self, db: usize, key: &[u8], w: &KeyWrite) {
        let mut fired = 0u8;
        for e in w.events() {
            if w.signal == Signal::At(fired) {
                self.signal_modified_key(db, key);
            }
            self.notify(e, key, db);
            fired += 1;
        }
        if let Signal::At(n) = w.signal {
            if n >= fired {
                self.signal_modified_key(db, key);
            }
        }
    }

    /// Changes that belong to no key (FLUSHALL's count, SWAPDB, FUNCTION
    /// LOAD/DELETE/FLUSH/RESTORE): they count towards the next save.
    pub fn add_dirty(&mut self, n: u64) {
        self.dirty.add(n);
    }

    /// A stream deleted or overwritten wakes the clients blocked on it, so
    /// XREADGROUP ones learn their group is gone (`dbGenericDelete` and
    /// `dbOverwrite` signal it).
    fn signal_if_stream(&mut self, db: usize, key: &[u8], was: ValueType) {
        if was == ValueType::Stream && !self.blocking.keys.is_empty() {
            self.signal_key_as_ready(db, key);
        }
    }

    /// A change made by no client (expiry, eviction): WATCH, and every
    /// tracking client including NOLOOP ones (`signalModifiedKey(NULL,..)`).
    fn signal_unowned(&mut self, db: usize, key: &[u8]) {
        self.touch_watched_key(db, key);
        self.tracking_invalidate_key(key, true, None);
    }

    /// `signalModifiedKey`: WATCH and client-side caching.
    fn signal_modified_key(&mut self, db: usize, key: &[u8]) {
        self.touch_watched_key(db, key);
        let by = if self.calls.fixed_time_expire > 0 { self.running.key } else { None };
        self.tracking_invalidate_key(key, true, by);
    }

    /// Fires a keyspace notification (`notifyKeyspaceEvent`): the
    /// subscriber that turns changes into pub/sub messages.
    #[inline]
    pub(in crate::db) fn notify(&mut self, e: Event, key: &[u8], db: usize) {
        // After every write and lookup miss: one test when notifications
        // are off (the default).
        if self.cfg.special.notify_keyspace_events & e.class == 0 {
            return;
        }
        self.notify_publish(e, key, db);
    }

    fn notify_publish(&mut self, e: Event, key: &[u8], db: usize) {
        let flags = self.cfg.special.notify_keyspace_events;
        if flags & notify::KEYSPACE != 0 {
            let mut chan = Vec::with_capacity(16 + key.len());
            chan.extend_from_slice(b"__keyspace@");
            crate::util::num::push_i64(&mut chan, db as i64);
            chan.extend_from_slice(b"__:");
            chan.extend_from_slice(key);
            self.publish(&chan, e.name.as_bytes());
        }
        if flags & notify::KEYEVENT != 0 {
            let mut chan = Vec::with_capacity(16 + e.name.len());
            chan.extend_from_slice(b"__keyevent@");
            crate::util::num::push_i64(&mut chan, db as i64);
            chan.extend_from_slice(b"__:");
            chan.extend_from_slice(e.name.as_bytes());
            self.publish(&chan, key);
        }
    }

    #[cfg(test)]
    fn record_change(&mut self, db: usize, key: &[u8], change: &KeyChange<'_>) {
        let Some(r) = self.changes.recorder.as_mut() else { return };
        let change = match change {
            KeyChange::Created => RecordedKind::Created,
            KeyChange::Loaded => RecordedKind::Loaded,
            KeyChange::Replaced { .. } => RecordedKind::Replaced,
            KeyChange::Removed { why, .. } => RecordedKind::Removed(*why),
            KeyChange::Written(w) => RecordedKind::Written(w.events().map(|e| e.name).collect()),
        };
        r.push(Recorded::Key {
            db,
            key: key.to_vec(),
            change,
        });
    }
}

impl Ctx<'_> {
    /// The write epilogue: every command that changed `key` (in the
    /// client's database) ends with exactly one call per key it wrote.
    /// `w` is an `Event` for the common case (one event, dirty + 1,
    /// WATCH and tracking signalled first) or a `KeyWrite` that says more.
    pub fn key_modified(&mut self, key: &[u8], w: impl Into<KeyWrite>) {
        let db = self.c.db;
        self.srv.key_modified(db, key, w);
    }

    /// The write epilogue for a key of another database (COPY ... DB,
    /// MOVE).
    pub fn key_modified_in(&mut self, db: usize, key: &[u8], w: impl Into<KeyWrite>) {
        self.srv.key_modified(db, key, w);
    }
}
