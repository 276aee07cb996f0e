//! Active defragmentation (defrag.c), on stock jemalloc 5.3.
//!
//! Redis patches jemalloc with a "defrag hint"; jemalloc 5.3 has the same
//! facts behind `experimental.utilization.query`: for one pointer, the
//! free and total regions of its slab, the bin's free and total regions,
//! and the slab new allocations come from (`slabcur`). An allocation is
//! worth moving when its slab is not the current one and is used less
//! than the bin's average without the current slab, plus 12.5% so that
//! equally used slabs do not stagnate ([`worth_moving`]).
//!
//! Moving = a fresh allocation, a bitwise copy, a free of the old block,
//! with the thread cache off for the slice ([`TcacheOff`]) so the new
//! block comes from the fullest slabs and the free really empties the old
//! slab. The owner's pointer is then rewritten in place; nothing else may
//! point into the keyspace between commands, so nothing else goes stale.
//!
//! The walk ([`Server::active_defrag_cycle`], from the cron): once a second
//! the allocator's fragmentation decides whether to run and at what duty
//! cycle (between `active-defrag-cycle-min` and `-max` percent, by where
//! the fragmentation lies between the two thresholds). A slice walks the
//! key tables with a SCAN cursor, moving each entry block, its boxed value
//! and the value's parts; a collection with more than
//! `active-defrag-max-scan-fields` elements is queued by name and walked
//! in later slices with its own cursor, looked up again each time. A key
//! with a TTL has its expire entry moved with it. After the last database
//! the scan starts over if fragmentation is still high. Every slice runs to
//! completion between two commands and keeps only names and cursors.
//! Then the EVAL script bodies are moved. The Lua interpreters allocate in
//! an arena of their own (alloc.rs), left out of the allocator figures as
//! Redis's libc-allocated Lua is, since their objects cannot be moved.

use super::Server;
use crate::db::KvEntry;
use crate::object::Obj;
use std::alloc::Layout;
use std::collections::VecDeque;
use std::ptr::NonNull;
use std::sync::OnceLock;
use std::time::Instant;

/// The MIB of `experimental.utilization.query`, looked up once (None:
/// not available, defrag cannot run).
fn query_mib() -> Option<&'static [usize; 3]> {
    static MIB: OnceLock<Option<[usize; 3]>> = OnceLock::new();
    MIB.get_or_init(|| {
        let mut mib = [0usize; 3];
        let mut len = mib.len();
        // SAFETY: the name is NUL-terminated; `mib` has room for `len` entries.
        let ret = unsafe { tikv_jemalloc_sys::mallctlnametomib(c"experimental.utilization.query".as_ptr(), mib.as_mut_ptr(), &mut len) };
        (ret == 0 && len == 3).then_some(mib)
    })
    .as_ref()
}

/// Whether this build can defragment (the utilization query answers).
pub fn supported() -> bool {
    query_mib().is_some()
}

/// One utilization query: [slabcur, nfree, nregs, slab size, bin nfree,
/// bin nregs], or None if the query fails.
fn query(ptr: *const u8) -> Option<[usize; 6]> {
    if ptr.is_null() {
        return None;
    }
    let mib = query_mib()?;
    let mut out = [0usize; 6];
    let mut outlen = std::mem::size_of_val(&out);
    let mut input = ptr;
    // SAFETY: `out` has exactly the six words the query writes (it checks
    // `outlen`); the input is one pointer, read by value. jemalloc looks it
    // up in its page map, which must know it: callers pass only live
    // blocks of the global allocator (or a slab address jemalloc gave).
    let ret = unsafe {
        tikv_jemalloc_sys::mallctlbymib(
            mib.as_ptr(),
            mib.len(),
            out.as_mut_ptr().cast(),
            &mut outlen,
            (&mut input as *mut *const u8).cast(),
            std::mem::size_of::<*const u8>(),
        )
    };
    (ret == 0).then_some(out)
}

/// The defrag hint (Redis's `je_get_defrag_hint`): is `ptr`'s slab used
/// less than its bin's average, excluding the slab allocations come from?
///
/// # Safety
/// `ptr` must be null or point into a live jemalloc block (jemalloc's
/// page-map lookup faults on memory it never handed out).
pub unsafe fn worth_moving(ptr: *const u8) -> bool {
    let Some([slabcur, nfree, nregs, size, bin_nfree, bin_nregs]) = query(ptr) else {
        return false;
    };
    // Large allocations (no slab), full slabs, full bins.
    if slabcur == 0 || nfree == 0 || nregs <= 1 || size == 0 {
        return false;
    }
    let addr = ptr as usize;
    if addr >= slabcur && addr < slabcur + size {
        return false;
    }
    let mut curslabs = bin_nregs / nregs;
    let mut curregs = bin_nregs.saturating_sub(bin_nfree);
    // Leave the current slab out of the average: when it is emptier than
    // the others, the average would otherwise never favour a move.
    if let Some(cur) = query(slabcur as *const u8) {
        if cur[2] == nregs && curslabs > 1 {
            curregs = curregs.saturating_sub(nregs - cur[1]);
            curslabs -= 1;
        }
    }
    (nregs - nfree) * curslabs <= curregs + curregs / 8
}

/// Turns the calling thread's jemalloc cache off until dropped, so the
/// moves allocate from and free to the slabs directly.
pub struct TcacheOff {
    was: bool,
}

fn tcache_enabled(set: Option<bool>) -> Option<bool> {
    let mut old = false;
    let mut oldlen = std::mem::size_of::<bool>();
    let mut new = set.unwrap_or(false);
    // SAFETY: the control is a bool; `old` and `new` are bools.
    let ret = unsafe {
        tikv_jemalloc_sys::mallctl(
            c"thread.tcache.enabled".as_ptr(),
            (&mut old as *mut bool).cast(),
            &mut oldlen,
            if set.is_some() {
                (&mut new as *mut bool).cast()
            } else {
                std::ptr::null_mut()
            },
            if set.is_some() { std::mem::size_of::<bool>() } else { 0 },
        )
    };
    (ret == 0).then_some(old)
}

impl TcacheOff {
    pub fn off() -> TcacheOff {
        TcacheOff {
            was: tcache_enabled(Some(false)).unwrap_or(false),
        }
    }
}

impl Drop for TcacheOff {
    fn drop(&mut self) {
        if self.was {
            tcache_enabled(Some(true));
        }
    }
}

/// Moves allocations and counts what it did (one per slice).
#[derive(Default)]
pub struct Mover {
    /// Allocations moved / looked at and left.
    pub hits: u64,
    pub misses: u64,
}

impl Mover {
    /// Moves the block at `ptr` (allocated by the global allocator with
    /// `layout`) if it is worth it, returning its new place; the old block
    /// is freed.
    ///
    /// # Safety
    /// `ptr` must be a live global-allocator block of `layout`, and the
    /// caller must replace every pointer to it with the returned one
    /// before anything reads through them.
    pub unsafe fn relocate(&mut self, ptr: *mut u8, layout: Layout) -> Option<NonNull<u8>> {
        if layout.size() == 0 || layout.align() > 16 {
            return None;
        }
        if !worth_moving(ptr) {
            self.misses += 1;
            return None;
        }
        let new = std::alloc::alloc(layout);
        let new = NonNull::new(new)?;
        std::ptr::copy_nonoverlapping(ptr, new.as_ptr(), layout.size());
        std::alloc::dealloc(ptr, layout);
        self.hits += 1;
        Some(new)
    }

    /// Moves a box's allocation; true if moved.
    pub fn boxed<T>(&mut self, b: &mut Box<T>) -> bool {
        let layout = Layout::new::<T>();
        let old: *mut T = &mut **b;
        // SAFETY: a Box<T> of non-zero size owns a block of Layout<T>; the
        // new block holds the same bytes and replaces the Box without
        // running the old one's destructor (its block is already freed).
        unsafe {
            match self.relocate(old.cast(), layout) {
                Some(new) => {
                    std::ptr::write(b, Box::from_raw(new.as_ptr().cast::<T>()));
                    true
                }
                None => false,
            }
        }
    }

    /// Moves a boxed byte slice; true if moved.
    pub fn bytes(&mut self, b: &mut Box<[u8]>) -> bool {
        let len = b.len();
        let Ok(layout) = Layout::array::<u8>(len) else { return false };
        let old = b.as_mut_ptr();
        // SAFETY: a Box<[u8]> of `len` bytes owns a block of that layout;
        // replaced as in `boxed`.
        unsafe {
            match self.relocate(old, layout) {
                Some(new) => {
                    let s = std::ptr::slice_from_raw_parts_mut(new.as_ptr(), len);
                    std::ptr::write(b, Box::from_raw(s));
                    true
                }
                None => false,
            }
        }
    }

    /// Moves a vector's buffer; true if moved.
    pub fn vec<T>(&mut self, v: &mut Vec<T>) -> bool {
        let (len, cap) = (v.len(), v.capacity());
        if cap == 0 || std::mem::size_of::<T>() == 0 {
            return false;
        }
        let Ok(layout) = Layout::array::<T>(cap) else { return false };
        let old = v.as_mut_ptr();
        // SAFETY: a Vec's buffer is a block of Layout::array::<T>(cap);
        // the first `len` elements were copied bitwise, and the Vec is
        // rebuilt over the new block without dropping the old one.
        unsafe {
            match self.relocate(old.cast(), layout) {
                Some(new) => {
                    std::ptr::write(v, Vec::from_raw_parts(new.as_ptr().cast::<T>(), len, cap));
                    true
                }
                None => false,
            }
        }
    }

    /// Moves a VecDeque's ring buffer; true if moved.
    pub fn deque<T>(&mut self, d: &mut VecDeque<T>) -> bool {
        // A VecDeque's buffer cannot be rebuilt from raw parts: go through
        // a Vec in order (no allocation when already contiguous).
        // SAFETY: with a capacity, the first slice points into the heap
        // buffer (at the head, always inside it).
        if d.capacity() == 0 || !unsafe { worth_moving(d.as_slices().0.as_ptr().cast()) } {
            return false;
        }
        let mut v: Vec<T> = std::mem::take(d).into();
        let moved = self.vec(&mut v);
        *d = v.into();
        moved
    }
}

/// Walks a node table (hash and set `hashtable` encodings) from `cursor`
/// until about `budget` entries were seen: each node, its key and (with
/// `val`) its value. Returns the next cursor, 0 when done.
pub fn node_table<V>(
    d: &mut crate::ds::dict::Dict<Box<crate::ds::dict::Node<V>>>,
    mv: &mut Mover,
    mut cursor: u64,
    budget: usize,
    mut val: impl FnMut(&mut V, &mut Mover),
) -> u64 {
    let mut seen = 0usize;
    loop {
        cursor = d.scan_mut(cursor, |n| {
            mv.boxed(n);
            mv.bytes(&mut n.key);
            val(&mut n.val, mv);
            seen += 1;
        });
        if cursor == 0 || seen >= budget {
            return cursor;
        }
    }
}

/// A big value left for later slices: its database, name and cursor.
struct Later {
    key: Vec<u8>,
    cursor: u64,
}

/// The walk's position and the running duty cycle.
#[derive(Default)]
pub struct State {
    /// CPU percent of the running scan (INFO active_defrag_running), 0
    /// when not running.
    pub running: i64,
    /// Database being walked (None: between scans).
    db: Option<usize>,
    cursor: u64,
    later: VecDeque<Later>,
    /// Cron calls, for the once-a-second decision.
    calls: u64,
    /// When the running state began (INFO current_active_defrag_time).
    pub since: Option<Instant>,
    scan_started: Option<Instant>,
    scan_hits: u64,
    /// Up to when `while_blocked_cron` did its periods, in ms.
    blocked_last_cron: i64,
    /// The last full scan moved nothing: the next one waits for the
    /// once-a-second decision instead of starting at once.
    idle: bool,
}

impl State {
    /// Forgets the walk (a new scan starts from the beginning).
    fn reset(&mut self) {
        self.db = None;
        self.cursor = 0;
        self.later.clear();
    }

    /// Milliseconds of the current running period (0 when stopped).
    pub fn current_ms(&self) -> u64 {
        self.since.map(|t| t.elapsed().as_millis() as u64).unwrap_or(0)
    }
}

/// Fragmentation as Redis's `getAllocatorFragmentation`: percent of active
/// pages over allocated bytes above 100, and those bytes.
fn allocator_fragmentation() -> (f64, u64) {
    let (allocated, active, ..) = crate::alloc::jemalloc_stats();
    if allocated == 0 {
        return (0.0, 0);
    }
    (
        active as f64 / allocated as f64 * 100.0 - 100.0,
        active.saturating_sub(allocated) as u64,
    )
}

/// Moves one collection's parts, at most `budget` elements from `cursor`;
/// returns the next cursor (0: done).
fn defrag_value(obj: &mut Obj, mv: &mut Mover, cursor: u64, budget: usize) -> u64 {
    match obj {
        Obj::Str(v) => {
            mv.vec(v);
            0
        }
        Obj::List(l) => l.defrag(mv, cursor, budget),
        Obj::Hash(h) => h.defrag(mv, cursor, budget),
        Obj::Set(s) => s.defrag(mv, cursor, budget),
        Obj::ZSet(z) => z.defrag(mv, cursor, budget),
        Obj::Stream(st) => st.defrag(mv, cursor, budget),
        // Stack values are not moved yet.
        Obj::Stack(_) => 0,
    }
}

/// Number of elements in a value, to decide whether it waits for later.
fn value_len(obj: &Obj) -> usize {
    match obj {
        Obj::Str(_) => 1,
        Obj::List(l) => l.defrag_units(),
        Obj::Hash(h) => h.len(),
        Obj::Set(s) => s.len(),
        Obj::ZSet(z) => z.len(),
        Obj::Stream(st) => st.node_count(),
        Obj::Stack(_) => 1,
    }
}

/// One key (`defragKey`): its entry block, boxed value and the value's
/// parts, unless the value is big (then queued). Returns whether anything
/// moved, and the key if the value must wait.
fn defrag_entry(e: &mut KvEntry, mv: &mut Mover, max_fields: usize) -> (bool, Option<Vec<u8>>) {
    let before = mv.hits;
    e.defrag_block(mv);
    let mut big = false;
    if let Some(obj) = e.obj_mut() {
        big = value_len(obj) > max_fields;
        if !big {
            defrag_value(obj, mv, 0, usize::MAX);
        }
    }
    (mv.hits > before, big.then(|| e.key().to_vec()))
}

impl Server {
    /// Decides once a second whether to run, and how hard
    /// (`computeDefragCycles`).
    fn compute_defrag_cycles(&mut self) {
        let (pct, bytes) = allocator_fragmentation();
        let c = &self.cfg;
        if self.defrag.running == 0 && (pct < c.active_defrag_threshold_lower as f64 || bytes < c.active_defrag_ignore_bytes as u64) {
            return;
        }
        let (lo, hi) = (c.active_defrag_threshold_lower as f64, c.active_defrag_threshold_upper as f64);
        let (cmin, cmax) = (c.active_defrag_cycle_min, c.active_defrag_cycle_max);
        let cpu = if hi > lo {
            cmin as f64 + (pct - lo) * (cmax - cmin) as f64 / (hi - lo)
        } else {
            cmax as f64
        };
        let cpu = (cpu as i64).clamp(cmin.min(cmax), cmax.max(cmin));
        if cpu > self.defrag.running {
            self.defrag.running = cpu;
            log::debug!("Starting active defrag, frag={pct:.0}%, frag_bytes={bytes}, cpu={cpu}%");
        }
    }

    /// The regular cron's call: the loop is not blocked, so the next
    /// blocked cron starts afresh; then one slice.
    pub fn active_defrag_cron(&mut self) {
        self.defrag.blocked_last_cron = 0;
        self.active_defrag_cycle();
    }

    /// One time slice of active defragmentation, from the cron
    /// (`activeDefragCycle`).
    pub fn active_defrag_cycle(&mut self) {
        if !self.cfg.activedefrag {
            if self.defrag.running != 0 {
                // Turned off mid-scan: the next scan starts afresh.
                self.defrag.running = 0;
                self.defrag.idle = false;
                self.defrag.reset();
            }
            self.update_defrag_time();
            return;
        }
        // Moving memory under a fork child only unshares its pages.
        if self.persist.child.is_some() {
            return;
        }
        let hz = self.hz.max(1) as u64;
        if self.defrag.calls.is_multiple_of(hz) {
            self.defrag.idle = false;
            self.compute_defrag_cycles();
        }
        self.defrag.calls += 1;
        if self.defrag.running == 0 || self.defrag.idle {
            self.update_defrag_time();
            return;
        }
        let start = Instant::now();
        let limit_us = (1_000_000 * self.defrag.running as u64 / hz / 100).max(1);
        let deadline = start + std::time::Duration::from_micros(limit_us);
        let max_fields = self.cfg.active_defrag_max_scan_fields.max(1) as usize;
        let mut mv = Mover::default();
        let tcache = TcacheOff::off();
        'slice: loop {
            // Big values queued from the current database first.
            if self.defrag_later_step(&mut mv, deadline, max_fields) {
                break;
            }
            let dbi = match self.defrag.db {
                Some(d) if self.defrag.cursor != 0 => d,
                cur => {
                    let next = cur.map_or(0, |d| d + 1);
                    if next >= self.dbs.len() {
                        self.defrag_other_globals(&mut mv);
                        let (pct, bytes) = allocator_fragmentation();
                        let took = self.defrag.scan_started.map(|t| t.elapsed().as_millis()).unwrap_or(0);
                        let moved = self.stats.defrag_hits + mv.hits - self.defrag.scan_hits;
                        log::debug!("Active defrag done in {took}ms, reallocated={moved}, frag={pct:.0}%, frag_bytes={bytes}");
                        self.defrag.reset();
                        self.defrag.running = 0;
                        self.compute_defrag_cycles();
                        // A scan that moved nothing would move nothing if
                        // repeated at once: the next waits for the next
                        // once-a-second decision (still "running").
                        if moved == 0 && self.defrag.running != 0 {
                            self.defrag.idle = true;
                            break 'slice;
                        }
                        if self.defrag.running != 0 && Instant::now() < deadline {
                            continue 'slice;
                        }
                        break 'slice;
                    }
                    if next == 0 {
                        self.defrag.scan_started = Some(Instant::now());
                        self.defrag.scan_hits = self.stats.defrag_hits + mv.hits;
                    }
                    self.defrag.db = Some(next);
                    self.defrag.cursor = 0;
                    next
                }
            };
            let mut iterations = 0u32;
            let (mut hits0, mut keys) = (mv.hits, 0u64);
            loop {
                if self.defrag_later_step(&mut mv, deadline, max_fields) {
                    break 'slice;
                }
                let mut queued = Vec::new();
                let (mut key_hits, mut key_misses) = (0, 0);
                let db = &mut self.dbs[dbi];
                let cursor = db.defrag_scan(self.defrag.cursor, &mut mv, |e, mv| {
                    let (moved, later) = defrag_entry(e, mv, max_fields);
                    if moved {
                        key_hits += 1;
                    } else {
                        key_misses += 1;
                    }
                    if let Some(k) = later {
                        queued.push(k);
                    }
                });
                keys += key_hits + key_misses;
                self.stats.defrag_key_hits += key_hits;
                self.stats.defrag_key_misses += key_misses;
                for key in queued {
                    self.defrag.later.push_back(Later { key, cursor: 0 });
                }
                self.defrag.cursor = cursor;
                iterations += 1;
                if cursor == 0 || iterations > 16 || mv.hits - hits0 > 512 || keys > 64 {
                    // A database's end also ends the slice (as Redis does):
                    // the next slice moves on, so a scan of small databases
                    // spans several cron calls.
                    if cursor == 0 || Instant::now() > deadline {
                        break 'slice;
                    }
                    iterations = 0;
                    hits0 = mv.hits;
                    keys = 0;
                }
            }
        }
        drop(tcache);
        self.stats.defrag_hits += mv.hits;
        self.stats.defrag_misses += mv.misses;
        let ms = start.elapsed().as_millis() as u64;
        self.latency_sample("active-defrag-cycle", ms);
        self.update_defrag_time();
    }

    /// Walks queued big values until done or the deadline; true when time
    /// ran out with work left (`defragLaterStep`).
    fn defrag_later_step(&mut self, mv: &mut Mover, deadline: Instant, max_fields: usize) -> bool {
        let Some(dbi) = self.defrag.db else {
            self.defrag.later.clear();
            return false;
        };
        while let Some(item) = self.defrag.later.front_mut() {
            let Some(e) = self.dbs[dbi].find_mut(&item.key) else {
                self.defrag.later.pop_front();
                continue;
            };
            let Some(obj) = e.obj_mut() else {
                self.defrag.later.pop_front();
                continue;
            };
            let next = defrag_value(obj, mv, item.cursor, max_fields);
            item.cursor = next;
            if next == 0 {
                self.defrag.later.pop_front();
            }
            if Instant::now() > deadline {
                return !self.defrag.later.is_empty();
            }
        }
        false
    }

    /// What is not a key (`defragOtherGlobals`): the EVAL script bodies.
    /// (The compiled scripts live in Lua's own arena, not counted.)
    fn defrag_other_globals(&mut self, mv: &mut Mover) {
        for script in self.scripting.scripts.values_mut() {
            mv.vec(&mut script.body);
        }
    }

    /// The cron's share of work while the loop is blocked by a load or a
    /// script (`whileBlockedCron`): one defrag slice per `hz` period gone
    /// by since the last call, since such calls come irregularly.
    pub fn while_blocked_cron(&mut self) {
        let now = crate::util::mstime();
        let hz_ms = (1000 / self.hz.max(1)).max(1);
        let last = &mut self.defrag.blocked_last_cron;
        // A new blocking operation (the regular cron ran since the last
        // call and cleared the mark): one period, not the time since the
        // previous blocking operation (`blockingOperationStartsAt`).
        if *last == 0 || now - *last > 1000 {
            *last = now - hz_ms;
        }
        if *last >= now {
            return;
        }
        let start = Instant::now();
        while self.defrag.blocked_last_cron < now {
            self.active_defrag_cycle();
            self.defrag.blocked_last_cron += hz_ms;
        }
        self.latency_sample("while-blocked-cron", start.elapsed().as_millis() as u64);
    }

    /// Total and current running time for INFO.
    fn update_defrag_time(&mut self) {
        if self.defrag.running > 0 {
            if self.defrag.since.is_none() {
                self.defrag.since = Some(Instant::now());
            }
        } else if let Some(t) = self.defrag.since.take() {
            self.stats.defrag_total_ms += t.elapsed().as_millis() as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Half-emptied slabs: the survivors are moved, bytes intact, and the
    /// moved blocks are freed (used memory unchanged).
    #[test]
    fn moves_survivors_of_half_empty_slabs() {
        assert!(supported(), "experimental.utilization.query missing");
        let mut vs: Vec<Vec<u8>> = (0..20_000u32).map(|i| vec![(i % 251) as u8; 200]).collect();
        let mut kept: Vec<(u32, Vec<u8>)> = Vec::new();
        for (i, v) in vs.drain(..).enumerate() {
            if i % 2 == 0 {
                kept.push((i as u32, v));
            }
        }
        let used = crate::alloc::used_memory();
        let mut mv = Mover::default();
        let t = Instant::now();
        {
            let _off = TcacheOff::off();
            for (_, v) in kept.iter_mut() {
                mv.vec(v);
            }
        }
        let took = t.elapsed();
        eprintln!(
            "{} hits {} misses in {:?} ({:.0} ns per block)",
            mv.hits,
            mv.misses,
            took,
            took.as_nanos() as f64 / kept.len() as f64
        );
        assert!(mv.hits > 1000, "hits {} misses {}", mv.hits, mv.misses);
        for (i, v) in &kept {
            assert_eq!(v.len(), 200);
            assert!(v.iter().all(|&b| b == (i % 251) as u8), "block {i} changed");
        }
        // Other tests allocate concurrently: only a loose check.
        let now = crate::alloc::used_memory();
        assert!(now < used + (1 << 20), "used memory grew from {used} to {now}");
        // Boxes and byte slices too.
        let mut b = Box::new([7u64; 9]);
        let mut s: Box<[u8]> = b"payload".to_vec().into_boxed_slice();
        mv.boxed(&mut b);
        mv.bytes(&mut s);
        assert_eq!(*b, [7u64; 9]);
        assert_eq!(&*s, b"payload");
    }

    /// Large allocations are never worth moving.
    #[test]
    fn large_allocations_are_left() {
        let big = vec![0u8; 1 << 20];
        // SAFETY: a live block, and null.
        unsafe {
            assert!(!worth_moving(big.as_ptr()));
            assert!(!worth_moving(std::ptr::null()));
        }
    }
}
