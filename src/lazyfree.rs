//! Freeing big values off the event loop (lazyfree.c). UNLINK, FLUSHALL /
//! FLUSHDB ASYNC and the `lazyfree-lazy-*` options hand values whose free
//! effort passes a threshold to a background thread, so deleting a set of a
//! million members does not stall every client. Small values are freed at
//! once: handing them over would cost more than freeing them.
//!
//! INFO memory shows `lazyfree_pending_objects` (handed over, not freed
//! yet) and INFO stats `lazyfreed_objects` (freed in the background since
//! the last CONFIG RESETSTAT).

use crate::object::{Obj, ValueRef};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

/// Values with a free effort above this go to the background thread
/// (`LAZYFREE_THRESHOLD`).
pub const LAZYFREE_THRESHOLD: usize = 64;

/// Something to drop, and how many objects it counts for.
type Job = (Box<dyn Send>, u64);

/// The background freeing thread and its counters.
pub struct LazyFree {
    tx: Option<mpsc::Sender<Job>>,
    pending: Arc<AtomicU64>,
    freed: Arc<AtomicU64>,
}

impl Default for LazyFree {
    fn default() -> Self {
        LazyFree {
            tx: None,
            pending: Arc::new(AtomicU64::new(0)),
            freed: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl LazyFree {
    /// Objects handed over and not freed yet.
    pub fn pending(&self) -> u64 {
        self.pending.load(Ordering::Relaxed)
    }

    /// Objects freed in the background since the last reset.
    pub fn freed(&self) -> u64 {
        self.freed.load(Ordering::Relaxed)
    }

    /// CONFIG RESETSTAT.
    pub fn reset_stats(&self) {
        self.freed.store(0, Ordering::Relaxed);
    }

    /// Drops `v` (counting as `objects` objects) on the background thread,
    /// started on first use. If the thread cannot be started, `v` is
    /// dropped right here: slower, never lost.
    pub fn free<T: Send + 'static>(&mut self, v: T, objects: u64) {
        if self.tx.is_none() {
            let (tx, rx) = mpsc::channel::<Job>();
            let (pending, freed) = (Arc::clone(&self.pending), Arc::clone(&self.freed));
            let spawned = std::thread::Builder::new().name("lazyfree".into()).spawn(move || {
                for (job, n) in rx {
                    drop(job);
                    pending.fetch_sub(n, Ordering::Relaxed);
                    freed.fetch_add(n, Ordering::Relaxed);
                }
            });
            if spawned.is_err() {
                drop(v);
                return;
            }
            self.tx = Some(tx);
        }
        self.pending.fetch_add(objects, Ordering::Relaxed);
        if let Some(tx) = &self.tx {
            if let Err(mpsc::SendError((job, n))) = tx.send((Box::new(v), objects)) {
                // The thread is gone: free here.
                drop(job);
                self.pending.fetch_sub(n, Ordering::Relaxed);
            }
        }
    }
}

/// How much work freeing a value is: allocations to release, roughly
/// (`lazyfreeGetFreeEffort`).
pub fn free_effort(v: ValueRef) -> usize {
    let ValueRef::Obj(o) = v else { return 1 };
    match o {
        Obj::List(l) => l.free_effort(),
        Obj::Hash(crate::types::hash::Hash::Table(t)) => t.len(),
        Obj::Set(crate::types::set::Set::Table(t)) => t.len(),
        Obj::ZSet(z @ crate::types::zset::ZSet::Skiplist(_)) => z.len(),
        Obj::Stream(s) => s.free_effort(),
        Obj::Stack(v) => v.free_effort(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frees_in_the_background_and_counts() {
        let mut lf = LazyFree::default();
        lf.free(vec![0u8; 1 << 20], 1);
        lf.free(vec![vec![1u8; 10]; 1000], 1);
        for _ in 0..1000 {
            if lf.pending() == 0 && lf.freed() == 2 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(lf.pending(), 0);
        assert_eq!(lf.freed(), 2);
        lf.reset_stats();
        assert_eq!(lf.freed(), 0);
    }
}
