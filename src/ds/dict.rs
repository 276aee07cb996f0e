//! A chained hash table with incremental rehashing (dict.c).
//!
//! - Two tables while rehashing; every mutation moves one bucket, and the
//!   cron moves more for up to a millisecond, so growing a 10M-key table
//!   never stalls the loop.
//! - Power-of-two sizes and Redis's reverse-binary SCAN cursor: a full
//!   iteration returns every element present for the whole scan at least
//!   once, even across resizes.
//! - Random sampling for RANDOMKEY, eviction and expiry.
//! - Keys are hashed with foldhash, keyed by a per-process random seed, so
//!   collisions cannot be planned by clients.
//!
//! Entries are intrusive: an entry type owns its `next` link (see
//! [`DictEntry`]), so a keyspace entry can be one allocation holding the
//! link, the key and a small value, behind an 8-byte pointer. A bucket is
//! an `Option<E>`: 8 bytes when `E` is a non-null pointer.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// An element that can live in a [`Dict`].
pub trait DictEntry: Sized {
    /// The keyspace dicts (`dictExpandAllowed` in Redis's db dict types):
    /// a table that is not yet overloaded does not grow when the new
    /// bucket array would take used memory over `maxmemory`, since that
    /// would only trigger evictions.
    const EXPAND_LIMITED_BY_MAXMEMORY: bool = false;
    fn key(&self) -> &[u8];
    fn next(&self) -> &Option<Self>;
    fn next_mut(&mut self) -> &mut Option<Self>;
}

/// The keyed hash's seed: random per process, fixed at the first hash (0:
/// not chosen yet). Never changed afterwards, since every table's layout
/// depends on it (a test creating a second Server must not reseed tables
/// other tests are using).
static SEED: AtomicU64 = AtomicU64::new(0);
/// False while a fork child is alive: tables then grow only when badly
/// overloaded, to keep copy-on-write pages shared (`dict_can_resize`).
static CAN_RESIZE: AtomicBool = AtomicBool::new(true);

const INITIAL_SIZE: usize = 4;
/// Grow even when resizing is discouraged once elements/buckets exceeds this.
const FORCE_RESIZE_RATIO: usize = 5;
/// Shrink when fewer than this percent of buckets are used.
const MIN_FILL_PERCENT: usize = 10;

/// `maxmemory` in bytes (0: none), for EXPAND_LIMITED_BY_MAXMEMORY dicts.
static MAXMEMORY: AtomicU64 = AtomicU64::new(0);
/// Redis's HASHTABLE_MAX_LOAD_FACTOR: above elements/buckets of 1.618 a
/// keyspace table grows whatever the memory.
const MAX_LOAD_FACTOR: f64 = 1.618;

/// Tells the keyspace dicts the current `maxmemory`.
pub fn set_maxmemory(bytes: u64) {
    MAXMEMORY.store(bytes, Ordering::Relaxed);
}

/// `dictExpandAllowed` + `overMaxmemoryAfterAlloc`.
fn expand_allowed(more_mem: usize, used_ratio: f64) -> bool {
    let max = MAXMEMORY.load(Ordering::Relaxed);
    if max == 0 || used_ratio > MAX_LOAD_FACTOR {
        return true;
    }
    crate::alloc::used_memory() as u64 + more_mem as u64 <= max
}

#[inline]
fn seed() -> u64 {
    match SEED.load(Ordering::Relaxed) {
        0 => choose_seed(),
        s => s,
    }
}

#[cold]
fn choose_seed() -> u64 {
    let fresh = crate::util::random_seed() | 1;
    match SEED.compare_exchange(0, fresh, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => fresh,
        Err(chosen) => chosen,
    }
}

/// Allows or discourages resizing (a fork child is running).
pub fn set_can_resize(on: bool) {
    CAN_RESIZE.store(on, Ordering::Relaxed);
}

/// The keyed hash of `key`.
#[inline]
pub fn hash_key(key: &[u8]) -> u64 {
    let mut h = foldhash::fast::FixedState::with_seed(seed()).build_hasher();
    h.write(key);
    h.finish()
}

struct Table<E> {
    buckets: Vec<Option<E>>,
    used: usize,
}

impl<E> Table<E> {
    const fn empty() -> Self {
        Table {
            buckets: Vec::new(),
            used: 0,
        }
    }

    #[inline]
    fn mask(&self) -> usize {
        self.buckets.len().wrapping_sub(1)
    }

    fn with_size(size: usize) -> Self {
        let mut buckets = Vec::with_capacity(size);
        buckets.resize_with(size, || None);
        Table { buckets, used: 0 }
    }
}

pub struct Dict<E: DictEntry> {
    ht: [Table<E>; 2],
    /// Next bucket of table 0 to move, or -1 when not rehashing.
    rehash_idx: isize,
}

impl<E: DictEntry> Default for Dict<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: DictEntry> Drop for Dict<E> {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Drops a chain iteratively: a recursive drop of a long chain could
/// overflow the stack.
fn drop_chain<E: DictEntry>(mut head: Option<E>) {
    while let Some(mut e) = head {
        head = e.next_mut().take();
    }
}

impl<E: DictEntry> Dict<E> {
    pub const fn new() -> Self {
        Dict {
            ht: [Table::empty(), Table::empty()],
            rehash_idx: -1,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.ht[0].used + self.ht[1].used
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total buckets in both tables.
    pub fn slots(&self) -> usize {
        self.ht[0].buckets.len() + self.ht[1].buckets.len()
    }

    #[inline]
    pub fn is_rehashing(&self) -> bool {
        self.rehash_idx >= 0
    }

    /// Removes every element.
    pub fn clear(&mut self) {
        for t in &mut self.ht {
            for b in t.buckets.iter_mut() {
                drop_chain(b.take());
            }
            *t = Table::empty();
        }
        self.rehash_idx = -1;
    }

    /// Moves up to `n` buckets from the old table to the new one. Returns
    /// true while there is more to move.
    pub fn rehash(&mut self, n: usize) -> bool {
        if !self.is_rehashing() {
            return false;
        }
        let mut empty_visits = n * 10;
        let mut n = n;
        while n > 0 && self.ht[0].used != 0 {
            n -= 1;
            let mut idx = self.rehash_idx as usize;
            while self.ht[0].buckets[idx].is_none() {
                idx += 1;
                self.rehash_idx += 1;
                empty_visits -= 1;
                if empty_visits == 0 {
                    return true;
                }
            }
            let mut chain = self.ht[0].buckets[idx].take();
            let mask1 = self.ht[1].mask();
            while let Some(mut e) = chain {
                chain = e.next_mut().take();
                let h = hash_key(e.key()) as usize & mask1;
                *e.next_mut() = self.ht[1].buckets[h].take();
                self.ht[1].buckets[h] = Some(e);
                self.ht[0].used -= 1;
                self.ht[1].used += 1;
            }
            self.rehash_idx += 1;
        }
        if self.ht[0].used == 0 {
            let new = std::mem::replace(&mut self.ht[1], Table::empty());
            self.ht[0] = new;
            self.rehash_idx = -1;
            return false;
        }
        true
    }

    #[inline]
    fn rehash_step(&mut self) {
        if self.is_rehashing() {
            self.rehash(1);
        }
    }

    /// Rehashes for about `ms` milliseconds (the cron's `activerehashing`).
    /// Returns true if rehashing is still in progress.
    pub fn rehash_for_ms(&mut self, ms: u64) -> bool {
        let start = crate::util::monotonic_us();
        while self.rehash(100) {
            if crate::util::monotonic_us() - start > ms * 1000 {
                return true;
            }
        }
        false
    }

    /// Grows (or creates) the table to hold at least `size` elements.
    pub fn expand(&mut self, size: usize) -> bool {
        if self.is_rehashing() || self.ht[0].used > size {
            return false;
        }
        let real = size.max(INITIAL_SIZE).checked_next_power_of_two().unwrap_or(usize::MAX / 2 + 1);
        if real == self.ht[0].buckets.len() {
            return false;
        }
        let t = Table::with_size(real);
        if self.ht[0].buckets.is_empty() {
            self.ht[0] = t;
        } else {
            self.ht[1] = t;
            self.rehash_idx = 0;
        }
        true
    }

    fn expand_if_needed(&mut self) {
        if self.is_rehashing() {
            return;
        }
        let size = self.ht[0].buckets.len();
        if size == 0 {
            self.expand(INITIAL_SIZE);
            return;
        }
        let used = self.ht[0].used;
        if used >= size && (CAN_RESIZE.load(Ordering::Relaxed) || used / size > FORCE_RESIZE_RATIO) {
            if E::EXPAND_LIMITED_BY_MAXMEMORY {
                let more = (used + 1).next_power_of_two() * std::mem::size_of::<Option<E>>();
                if !expand_allowed(more, used as f64 / size as f64) {
                    return;
                }
            }
            self.expand(used + 1);
        }
    }

    /// True when the table is mostly empty and could shrink.
    pub fn needs_shrink(&self) -> bool {
        let size = self.slots();
        size > INITIAL_SIZE && self.len() * 100 / size < MIN_FILL_PERCENT
    }

    /// Shrinks to the smallest power of two holding all elements.
    pub fn shrink_to_fit(&mut self) -> bool {
        if !CAN_RESIZE.load(Ordering::Relaxed) || self.is_rehashing() {
            return false;
        }
        let minimal = self.ht[0].used.max(INITIAL_SIZE);
        self.expand(minimal)
    }

    /// Looks `key` up.
    pub fn get(&self, key: &[u8]) -> Option<&E> {
        if self.is_empty() {
            return None;
        }
        let h = hash_key(key) as usize;
        for t in 0..2 {
            let table = &self.ht[t];
            if !table.buckets.is_empty() {
                let mut cur = &table.buckets[h & table.mask()];
                while let Some(e) = cur {
                    if e.key() == key {
                        return Some(e);
                    }
                    cur = e.next();
                }
            }
            if !self.is_rehashing() {
                break;
            }
        }
        None
    }

    /// Finds the slot (`Option<E>` holding the entry) for `key`, and the
    /// table it is in.
    fn find_slot(&mut self, key: &[u8]) -> Option<(usize, *mut Option<E>)> {
        if self.is_empty() {
            return None;
        }
        let h = hash_key(key) as usize;
        let rehashing = self.is_rehashing();
        for (t, table) in self.ht.iter_mut().enumerate() {
            if !table.buckets.is_empty() {
                let mask = table.mask();
                let mut cur: *mut Option<E> = &mut table.buckets[h & mask];
                // SAFETY: `cur` always points at a live `Option<E>` owned by
                // this dict (a bucket or an entry's next link), reached from
                // `&mut self`, and nothing else is borrowed meanwhile.
                unsafe {
                    while let Some(e) = &mut *cur {
                        if e.key() == key {
                            return Some((t, cur));
                        }
                        cur = e.next_mut();
                    }
                }
            }
            if !rehashing {
                break;
            }
        }
        None
    }

    /// Looks `key` up for modification.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut E> {
        self.rehash_step();
        let (_, slot) = self.find_slot(key)?;
        // SAFETY: the slot belongs to self and we hold `&mut self`.
        unsafe { (*slot).as_mut() }
    }

    /// Inserts an entry whose key is known to be absent.
    pub fn insert_new(&mut self, mut e: E) {
        self.rehash_step();
        self.expand_if_needed();
        let t = if self.is_rehashing() { 1 } else { 0 };
        let table = &mut self.ht[t];
        let idx = hash_key(e.key()) as usize & table.mask();
        *e.next_mut() = table.buckets[idx].take();
        table.buckets[idx] = Some(e);
        table.used += 1;
    }

    /// Inserts `e`, or gives it back if its key is already present.
    pub fn insert(&mut self, e: E) -> Result<(), E> {
        if self.get(e.key()).is_some() {
            return Err(e);
        }
        self.insert_new(e);
        Ok(())
    }

    /// Removes and returns the entry for `key`.
    pub fn remove(&mut self, key: &[u8]) -> Option<E> {
        self.rehash_step();
        let (t, slot) = self.find_slot(key)?;
        // SAFETY: as in find_slot; the slot is unlinked before returning.
        let mut e = unsafe { (*slot).take()? };
        // SAFETY: same slot, still owned by self.
        unsafe { *slot = e.next_mut().take() };
        self.ht[t].used -= 1;
        Some(e)
    }

    /// Replaces the entry for `key` with `f(old)`, keeping its place in the
    /// chain. Used when an entry must be reallocated (its value changed
    /// shape). Returns false when the key is absent.
    pub fn replace_with(&mut self, key: &[u8], f: impl FnOnce(E) -> E) -> bool {
        let Some((_, slot)) = self.find_slot(key) else {
            return false;
        };
        // SAFETY: the slot belongs to self; we hold `&mut self` and write the
        // replacement back before anyone can observe the empty slot.
        unsafe {
            if let Some(mut old) = (*slot).take() {
                let next = old.next_mut().take();
                let mut new = f(old);
                *new.next_mut() = next;
                *slot = Some(new);
            }
        }
        true
    }

    /// Visits every entry (both tables).
    pub fn for_each(&self, mut f: impl FnMut(&E)) {
        for t in &self.ht {
            for b in &t.buckets {
                let mut cur = b;
                while let Some(e) = cur {
                    f(e);
                    cur = e.next();
                }
            }
        }
    }

    /// Visits every entry mutably.
    pub fn for_each_mut(&mut self, mut f: impl FnMut(&mut E)) {
        for t in &mut self.ht {
            for b in t.buckets.iter_mut() {
                let mut cur = b;
                while let Some(e) = cur {
                    f(e);
                    cur = e.next_mut();
                }
            }
        }
    }

    /// Iterator over all entries.
    pub fn iter(&self) -> Iter<'_, E> {
        Iter {
            dict: self,
            table: 0,
            bucket: 0,
            cur: None,
        }
    }

    /// One SCAN step (`dictScan`): calls `f` for the entries of the buckets
    /// at `cursor` and returns the next cursor (0 when done).
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&E)) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut v = cursor;
        let emit = |b: &Option<E>, f: &mut dyn FnMut(&E)| {
            let mut cur = b;
            while let Some(e) = cur {
                f(e);
                cur = e.next();
            }
        };
        if !self.is_rehashing() {
            let t0 = &self.ht[0];
            let m0 = t0.mask() as u64;
            emit(&t0.buckets[(v & m0) as usize], &mut f);
            v |= !m0;
            v = v.reverse_bits().wrapping_add(1).reverse_bits();
        } else {
            let (small, big) = if self.ht[0].buckets.len() > self.ht[1].buckets.len() {
                (&self.ht[1], &self.ht[0])
            } else {
                (&self.ht[0], &self.ht[1])
            };
            let m0 = small.mask() as u64;
            let m1 = big.mask() as u64;
            emit(&small.buckets[(v & m0) as usize], &mut f);
            loop {
                emit(&big.buckets[(v & m1) as usize], &mut f);
                v |= !m1;
                v = v.reverse_bits().wrapping_add(1).reverse_bits();
                if v & (m0 ^ m1) == 0 {
                    break;
                }
            }
        }
        v
    }

    /// [`Dict::scan`] with mutable entries (`dictScanDefrag`): active
    /// defrag moves each entry and rewrites the link that holds it. `f`
    /// must not change keys.
    pub fn scan_mut(&mut self, cursor: u64, mut f: impl FnMut(&mut E)) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut v = cursor;
        fn emit<E: DictEntry>(b: &mut Option<E>, f: &mut dyn FnMut(&mut E)) {
            let mut cur = b;
            while let Some(e) = cur {
                f(e);
                cur = e.next_mut();
            }
        }
        if !self.is_rehashing() {
            let t0 = &mut self.ht[0];
            let m0 = t0.mask() as u64;
            emit(&mut t0.buckets[(v & m0) as usize], &mut f);
            v |= !m0;
            v = v.reverse_bits().wrapping_add(1).reverse_bits();
        } else {
            let (small, big) = if self.ht[0].buckets.len() > self.ht[1].buckets.len() {
                (1, 0)
            } else {
                (0, 1)
            };
            let m0 = self.ht[small].mask() as u64;
            let m1 = self.ht[big].mask() as u64;
            emit(&mut self.ht[small].buckets[(v & m0) as usize], &mut f);
            loop {
                emit(&mut self.ht[big].buckets[(v & m1) as usize], &mut f);
                v |= !m1;
                v = v.reverse_bits().wrapping_add(1).reverse_bits();
                if v & (m0 ^ m1) == 0 {
                    break;
                }
            }
        }
        v
    }

    /// Visits the entries of bucket `idx` (masked) of the main table, and
    /// of the new table too while rehashing. Returns the number of buckets
    /// looked at. Used by the active expire cycle, which walks buckets with
    /// a plain incrementing cursor.
    pub fn visit_bucket(&self, idx: u64, mut f: impl FnMut(&E)) -> usize {
        let mut checked = 0;
        for (t, table) in self.ht.iter().enumerate() {
            if t == 1 && !self.is_rehashing() {
                break;
            }
            if table.buckets.is_empty() {
                continue;
            }
            checked += 1;
            let mut cur = &table.buckets[idx as usize & table.mask()];
            while let Some(e) = cur {
                f(e);
                cur = e.next();
            }
        }
        checked
    }

    /// A random entry (`dictGetRandomKey`): a random non-empty bucket, then
    /// a random element of its chain.
    pub fn random_entry(&self) -> Option<&E> {
        if self.is_empty() {
            return None;
        }
        let head = loop {
            let b = if self.is_rehashing() {
                let s0 = self.ht[0].buckets.len();
                let start = self.rehash_idx as usize;
                let h = start + crate::util::rand_below((self.slots() - start) as u64) as usize;
                if h >= s0 {
                    &self.ht[1].buckets[h - s0]
                } else {
                    &self.ht[0].buckets[h]
                }
            } else {
                let t = &self.ht[0];
                &t.buckets[crate::util::rand_u64() as usize & t.mask()]
            };
            if b.is_some() {
                break b;
            }
        };
        let mut len = 0usize;
        let mut cur = head;
        while let Some(e) = cur {
            len += 1;
            cur = e.next();
        }
        let mut pick = crate::util::rand_below(len as u64) as usize;
        let mut cur = head;
        while let Some(e) = cur {
            if pick == 0 {
                return Some(e);
            }
            pick -= 1;
            cur = e.next();
        }
        None
    }

    /// Up to `count` entries from random consecutive buckets
    /// (`dictGetSomeKeys`): cheap sampling, not uniform, may repeat none.
    pub fn sample(&self, count: usize, out: &mut Vec<*const E>) {
        let count = count.min(self.len());
        if count == 0 {
            return;
        }
        let tables = if self.is_rehashing() { 2 } else { 1 };
        let mut maxsize = self.ht[0].mask();
        if tables > 1 && self.ht[1].mask() > maxsize {
            maxsize = self.ht[1].mask();
        }
        let mut i = crate::util::rand_u64() as usize & maxsize;
        let mut empty_len = 0;
        let mut steps = count * 10;
        let start_len = out.len();
        // Entries seen so far; past `count`, reservoir sampling keeps each
        // with equal chance, so the end of a long chain can be picked too.
        let mut seen = 0usize;
        while seen < count && steps > 0 {
            steps -= 1;
            for j in 0..tables {
                let t = &self.ht[j];
                // Buckets of table 0 below rehash_idx are empty.
                if tables == 2 && j == 0 && i < self.rehash_idx as usize {
                    if i >= self.ht[1].buckets.len() {
                        i = self.rehash_idx as usize;
                    } else {
                        continue;
                    }
                }
                if i >= t.buckets.len() {
                    continue;
                }
                let mut cur = &t.buckets[i];
                if cur.is_none() {
                    empty_len += 1;
                    if empty_len >= 5 && empty_len > count {
                        i = crate::util::rand_u64() as usize & maxsize;
                        empty_len = 0;
                    }
                } else {
                    empty_len = 0;
                    while let Some(e) = cur {
                        if seen < count {
                            out.push(e as *const E);
                        } else {
                            let r = crate::util::rand_below(seen as u64 + 1) as usize;
                            if r < count {
                                out[start_len + r] = e as *const E;
                            }
                        }
                        seen += 1;
                        cur = e.next();
                    }
                    if seen >= count {
                        return;
                    }
                }
            }
            i = (i + 1) & maxsize;
        }
    }

    /// Fairer random entry (`dictGetFairRandomKey`): sample a few buckets
    /// and pick among their elements, so long chains are not favoured.
    pub fn fair_random_entry(&self) -> Option<&E> {
        let mut v = Vec::with_capacity(15);
        self.sample(15, &mut v);
        if v.is_empty() {
            return self.random_entry();
        }
        let p = v[crate::util::rand_below(v.len() as u64) as usize];
        // SAFETY: the pointers were taken from `&self` just above and the
        // dict cannot change while `self` is borrowed.
        Some(unsafe { &*p })
    }

    /// Bucket statistics for DEBUG HTSTATS: (table size, used, chain
    /// lengths histogram of up to 50 entries) for each live table.
    pub fn stats(&self) -> Vec<(usize, usize, usize, [usize; 50])> {
        let mut out = Vec::new();
        for t in &self.ht {
            if t.buckets.is_empty() {
                continue;
            }
            let mut hist = [0usize; 50];
            let mut non_empty = 0;
            for b in &t.buckets {
                let mut len = 0;
                let mut cur = b;
                while let Some(e) = cur {
                    len += 1;
                    cur = e.next();
                }
                if len > 0 {
                    non_empty += 1;
                }
                hist[len.min(49)] += 1;
            }
            out.push((t.buckets.len(), t.used, non_empty, hist));
        }
        out
    }
}

/// A general-purpose entry: a boxed node holding a key and a value. Used
/// by the hashtable encodings of hashes (V = value bytes), sets (V = ())
/// and sorted sets (V = score).
pub struct Node<V> {
    next: Option<Box<Node<V>>>,
    pub key: Box<[u8]>,
    pub val: V,
}

impl<V> Node<V> {
    pub fn boxed(key: &[u8], val: V) -> Box<Node<V>> {
        Box::new(Node {
            next: None,
            key: key.into(),
            val,
        })
    }
}

impl<V> DictEntry for Box<Node<V>> {
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

impl<V: Clone> Clone for Dict<Box<Node<V>>> {
    fn clone(&self) -> Self {
        let mut d = Dict::new();
        d.expand(self.len());
        for e in self.iter() {
            d.insert_new(Node::boxed(&e.key, e.val.clone()));
        }
        d
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for Dict<Box<Node<V>>> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|e| (String::from_utf8_lossy(&e.key), &e.val)))
            .finish()
    }
}

pub struct Iter<'a, E: DictEntry> {
    dict: &'a Dict<E>,
    table: usize,
    bucket: usize,
    cur: Option<&'a E>,
}

impl<'a, E: DictEntry> Iterator for Iter<'a, E> {
    type Item = &'a E;

    fn next(&mut self) -> Option<&'a E> {
        loop {
            if let Some(e) = self.cur {
                self.cur = e.next().as_ref();
                return Some(e);
            }
            if self.table >= 2 {
                return None;
            }
            let t = &self.dict.ht[self.table];
            if self.bucket >= t.buckets.len() {
                self.table += 1;
                self.bucket = 0;
                continue;
            }
            self.cur = t.buckets[self.bucket].as_ref();
            self.bucket += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashSet};

    struct Node {
        next: Option<Box<Node>>,
        key: Vec<u8>,
        val: u64,
    }

    impl DictEntry for Box<Node> {
        fn key(&self) -> &[u8] {
            &self.key
        }
        fn next(&self) -> &Option<Self> {
            &self.next
        }
        fn next_mut(&mut self) -> &mut Option<Self> {
            &mut self.next
        }
    }

    fn node(k: &[u8], v: u64) -> Box<Node> {
        Box::new(Node {
            next: None,
            key: k.to_vec(),
            val: v,
        })
    }

    fn xorshift(s: &mut u64) -> u64 {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        *s
    }

    /// Random operations against a BTreeMap model, across many resizes.
    #[test]
    fn acts_like_btreemap() {
        let mut d: Dict<Box<Node>> = Dict::new();
        let mut m = BTreeMap::new();
        let mut s = 88172645463325252u64;
        for step in 0..200_000u64 {
            let k = format!("k{}", xorshift(&mut s) % 5000).into_bytes();
            match xorshift(&mut s) % 10 {
                0..=4 => {
                    if let Some(e) = d.get_mut(&k) {
                        e.val = step;
                    } else {
                        d.insert_new(node(&k, step));
                    }
                    m.insert(k, step);
                }
                5..=7 => {
                    assert_eq!(d.remove(&k).map(|e| e.val), m.remove(&k));
                }
                8 => {
                    assert_eq!(d.get(&k).map(|e| e.val), m.get(&k).copied());
                }
                _ => {
                    if d.needs_shrink() {
                        d.shrink_to_fit();
                    }
                }
            }
            assert_eq!(d.len(), m.len());
        }
        let mut all: Vec<(Vec<u8>, u64)> = d.iter().map(|e| (e.key.clone(), e.val)).collect();
        all.sort();
        assert_eq!(all, m.into_iter().collect::<Vec<_>>());
    }

    /// Every element present for the whole scan is returned at least once,
    /// even when the table grows and shrinks between calls.
    #[test]
    fn scan_guarantee_across_resizes() {
        let mut d: Dict<Box<Node>> = Dict::new();
        for i in 0..1000u64 {
            d.insert_new(node(format!("stable{i}").as_bytes(), i));
        }
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut round = 0u64;
        loop {
            cursor = d.scan(cursor, |e| {
                seen.insert(e.key.clone());
            });
            round += 1;
            // Grow, then later shrink, while scanning.
            if round.is_multiple_of(3) && round < 300 {
                for j in 0..50 {
                    d.insert_new(node(format!("tmp{round}-{j}").as_bytes(), 0));
                }
            }
            if round == 300 {
                let tmp: Vec<Vec<u8>> = d.iter().filter(|e| e.key.starts_with(b"tmp")).map(|e| e.key.clone()).collect();
                for k in tmp {
                    d.remove(&k);
                }
                d.shrink_to_fit();
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..1000u64 {
            assert!(seen.contains(format!("stable{i}").as_bytes()), "missing stable{i}");
        }
    }

    #[test]
    fn random_and_sample() {
        let mut d: Dict<Box<Node>> = Dict::new();
        assert!(d.random_entry().is_none());
        for i in 0..100u64 {
            d.insert_new(node(format!("{i}").as_bytes(), i));
        }
        let mut seen = HashSet::new();
        for _ in 0..5000 {
            seen.insert(d.random_entry().map(|e| e.val));
            assert!(d.fair_random_entry().is_some());
        }
        assert_eq!(seen.len(), 100);
        let mut v = Vec::new();
        d.sample(10, &mut v);
        assert_eq!(v.len(), 10);
    }

    #[test]
    fn replace_keeps_chain() {
        let mut d: Dict<Box<Node>> = Dict::new();
        for i in 0..64u64 {
            d.insert_new(node(format!("{i}").as_bytes(), i));
        }
        assert!(d.replace_with(b"7", |old| node(&old.key, 700)));
        assert!(!d.replace_with(b"nope", |old| old));
        assert_eq!(d.get(b"7").map(|e| e.val), Some(700));
        assert_eq!(d.len(), 64);
        assert_eq!(d.iter().count(), 64);
    }
}
