//! Access-frequency bookkeeping for the LFU policy (evict.c). The 24 LRU
//! bits of an entry hold, under LFU, the last decrement time in minutes
//! (16 bits) and a logarithmic access counter (8 bits).

/// Counter given to new values, so they are not evicted at once.
pub const LFU_INIT_VAL: u32 = 5;

fn minutes(unixtime: i64) -> u32 {
    ((unixtime / 60) & 65535) as u32
}

fn minutes_elapsed(ldt: u32, unixtime: i64) -> u32 {
    let now = minutes(unixtime);
    if now >= ldt {
        now - ldt
    } else {
        65535 - ldt + now
    }
}

/// LFU data for a new value.
pub fn lfu_initial(unixtime: i64) -> u32 {
    (minutes(unixtime) << 8) | LFU_INIT_VAL
}

/// The counter after decay (`LFUDecrAndReturn`).
pub fn lfu_decayed_counter(data: u32, unixtime: i64, decay_time: i64) -> u32 {
    let ldt = data >> 8;
    let counter = data & 255;
    let periods = if decay_time > 0 {
        i64::from(minutes_elapsed(ldt, unixtime)) / decay_time
    } else {
        0
    };
    if periods > 0 {
        if periods as u64 > u64::from(counter) {
            0
        } else {
            counter - periods as u32
        }
    } else {
        counter
    }
}

/// Logarithmic increment (`LFULogIncr`): the higher the counter, the less
/// likely an access bumps it.
fn log_incr(counter: u32, log_factor: i64) -> u32 {
    if counter >= 255 {
        return 255;
    }
    let r = crate::util::rand_u64() as f64 / u64::MAX as f64;
    let base = (f64::from(counter) - f64::from(LFU_INIT_VAL)).max(0.0);
    let p = 1.0 / (base * log_factor as f64 + 1.0);
    if r < p {
        counter + 1
    } else {
        counter
    }
}

/// LFU data after one access (`updateLFU`).
pub fn lfu_touch(data: u32, unixtime: i64, log_factor: i64, decay_time: i64) -> u32 {
    let counter = log_incr(lfu_decayed_counter(data, unixtime, decay_time), log_factor);
    (minutes(unixtime) << 8) | counter
}

// ---------------------------------------------------------------------------
// Eviction (performEvictions)
// ---------------------------------------------------------------------------

use crate::config::enums::*;
use crate::db::change::{KeyChange, Removal};
use crate::server::Server;

/// Candidates kept between eviction rounds (`EVPOOL_SIZE`).
const POOL_SIZE: usize = 16;

/// The eviction pool: best candidates seen so far, ascending by score.
#[derive(Default)]
pub struct EvictionPool {
    entries: Vec<(u64, usize, Vec<u8>)>,
    next_db: usize,
    /// Eviction ran out of its time slice and continues from the loop.
    pub running: bool,
}

/// What a call to `perform_evictions` achieved.
#[derive(Debug, PartialEq, Eq)]
pub enum EvictResult {
    /// Under the limit (or not configured).
    Ok,
    /// Over the limit and nothing can be evicted: writes get OOM.
    Fail,
    /// Still evicting in the background of the loop.
    Running,
}

impl EvictionPool {
    fn insert(&mut self, score: u64, db: usize, key: Vec<u8>) {
        if self.entries.iter().any(|(_, d, k)| *d == db && *k == key) {
            return;
        }
        let pos = self.entries.iter().position(|(s, _, _)| *s >= score).unwrap_or(self.entries.len());
        if pos == 0 && self.entries.len() >= POOL_SIZE {
            return;
        }
        self.entries.insert(pos, (score, db, key));
        if self.entries.len() > POOL_SIZE {
            self.entries.remove(0);
        }
    }
}

/// Microseconds one eviction pass may take (`evictionTimeLimitUs`).
fn time_limit_us(tenacity: i64) -> u64 {
    if tenacity <= 10 {
        50 * tenacity.max(0) as u64
    } else if tenacity < 100 {
        (500.0 * 1.15f64.powf(tenacity as f64 - 10.0)) as u64
    } else {
        u64::MAX
    }
}

impl Server {
    /// Bytes over `maxmemory`, or None when under it (`getMaxmemoryState`).
    pub fn memory_to_free(&self) -> Option<u64> {
        let max = self.cfg.maxmemory as u64;
        if max == 0 {
            return None;
        }
        let used = (crate::alloc::used_memory() as u64).saturating_sub(self.memory_not_counted_for_evict());
        (used > max).then(|| used - max)
    }

    /// Scores sampled keys of every db into the pool
    /// (`evictionPoolPopulate`): higher is a better victim.
    fn populate_eviction_pool(&mut self) -> usize {
        let policy = self.cfg.maxmemory_policy;
        let allkeys = policy & MAXMEMORY_FLAG_ALLKEYS != 0;
        let samples = self.cfg.maxmemory_samples.max(1) as usize;
        let clock = self.lru_clock();
        let (unixtime, decay) = (self.unixtime, self.cfg.lfu_decay_time);
        let mut total = 0;
        let mut found: Vec<(u64, usize, Vec<u8>)> = Vec::new();
        for (i, db) in self.dbs.iter().enumerate() {
            let score = |e: &crate::db::KvEntry| -> u64 {
                if policy & MAXMEMORY_FLAG_LRU != 0 {
                    crate::db::estimate_idle_ms(clock, e.lru()) as u64
                } else {
                    255 - u64::from(lfu_decayed_counter(e.lru(), unixtime, decay))
                }
            };
            if allkeys {
                total += db.dict.len();
                let mut v = Vec::new();
                db.dict.sample(samples, &mut v);
                for p in v {
                    // SAFETY: pointers taken from `db.dict` just above; the
                    // dict is not modified while they are used.
                    let e = unsafe { &*p };
                    found.push((score(e), i, e.key().to_vec()));
                }
            } else {
                total += db.expires.len();
                let mut v = Vec::new();
                db.expires.sample(samples, &mut v);
                for p in v {
                    // SAFETY: as above, for the expires dict.
                    let x = unsafe { &*p };
                    let key = crate::ds::dict::DictEntry::key(x).to_vec();
                    let s = if policy == MAXMEMORY_VOLATILE_TTL {
                        u64::MAX - x.when as u64
                    } else {
                        match db.dict.get(&key) {
                            Some(e) => score(e),
                            None => continue,
                        }
                    };
                    found.push((s, i, key));
                }
            }
        }
        for (s, d, k) in found {
            self.eviction_pool.insert(s, d, k);
        }
        total
    }

    /// Picks the next victim (db, key), or None when nothing is evictable.
    fn pick_victim(&mut self) -> Option<(usize, Vec<u8>)> {
        let policy = self.cfg.maxmemory_policy;
        let allkeys = policy & MAXMEMORY_FLAG_ALLKEYS != 0;
        if policy & (MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_LFU) != 0 || policy == MAXMEMORY_VOLATILE_TTL {
            loop {
                if self.populate_eviction_pool() == 0 {
                    return None;
                }
                while let Some((_, db, key)) = self.eviction_pool.entries.pop() {
                    let present = if allkeys {
                        self.dbs[db].find(&key).is_some()
                    } else {
                        self.dbs[db].expires.get(&key).is_some()
                    };
                    if present {
                        return Some((db, key));
                    }
                }
            }
        }
        // Random policies: a random key of the next non-empty db.
        let n = self.dbs.len();
        for _ in 0..n {
            self.eviction_pool.next_db = (self.eviction_pool.next_db + 1) % n;
            let db = &self.dbs[self.eviction_pool.next_db];
            let key = if policy == MAXMEMORY_ALLKEYS_RANDOM {
                db.dict.random_entry().map(|e| e.key().to_vec())
            } else {
                db.expires.random_entry().map(|e| crate::ds::dict::DictEntry::key(e).to_vec())
            };
            if let Some(k) = key {
                return Some((self.eviction_pool.next_db, k));
            }
        }
        None
    }

    /// Evicts keys until memory is under `maxmemory`, within a time slice
    /// (`performEvictions`).
    pub fn perform_evictions(&mut self) -> EvictResult {
        if self.loading || (self.cfg.special.replicaof.is_some() && self.cfg.replica_ignore_maxmemory) {
            return EvictResult::Ok;
        }
        if self.clients_paused() {
            return EvictResult::Ok;
        }
        let Some(to_free) = self.memory_to_free() else {
            self.eviction_pool.running = false;
            return EvictResult::Ok;
        };
        if self.cfg.maxmemory_policy == MAXMEMORY_NO_EVICTION {
            return EvictResult::Fail;
        }
        let limit = time_limit_us(self.cfg.maxmemory_eviction_tenacity);
        let start = crate::util::monotonic_us();
        let mut freed_keys = 0u64;
        // Like Redis, the goal is fixed up front and only the memory that
        // the deletions themselves release counts: the invalidation and
        // keyspace messages an eviction queues to clients must not make
        // it evict more (a feedback loop that would drain the dataset).
        let mut mem_freed = 0u64;
        while mem_freed < to_free {
            let Some((db, key)) = self.pick_victim() else {
                // Nothing left to evict; what was evicted still replicates,
                // one DEL at a time (never wrapped in the caller's MULTI).
                self.eviction_pool.running = false;
                self.flush_propagation_with(false);
                return EvictResult::Fail;
            };
            let before = crate::alloc::used_memory() as u64;
            let was = self.unlink_key(db, &key, self.cfg.lazyfree_lazy_eviction);
            mem_freed += before.saturating_sub(crate::alloc::used_memory() as u64);
            if let Some(was) = was {
                self.on_key_change(
                    db,
                    &key,
                    KeyChange::Removed {
                        why: Removal::Evicted,
                        was,
                    },
                );
            }
            self.stats.evictedkeys += 1;
            let cmd: &[u8] = if self.cfg.lazyfree_lazy_eviction { b"UNLINK" } else { b"DEL" };
            self.propagate(db, vec![cmd.to_vec(), key]);
            freed_keys += 1;
            if !freed_keys.is_multiple_of(16) {
                continue;
            }
            // A background free releases memory later than the deletion:
            // look at the real figure from time to time.
            if self.cfg.lazyfree_lazy_eviction && self.memory_to_free().is_none() {
                break;
            }
            if crate::util::monotonic_us() - start > limit {
                // Keep going from the event loop, so clients get served.
                self.eviction_pool.running = true;
                self.flush_propagation_with(false);
                self.latency_sample("eviction-cycle", (crate::util::monotonic_us() - start) / 1000);
                return EvictResult::Running;
            }
        }
        self.eviction_pool.running = false;
        self.flush_propagation_with(false);
        self.latency_sample("eviction-cycle", (crate::util::monotonic_us() - start) / 1000);
        EvictResult::Ok
    }
}
