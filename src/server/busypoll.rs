//! Adaptive busy polling before the event loop sleeps.
//!
//! When the loop has nothing to do it blocks in `epoll_wait`, and the next
//! client write has to wake it: on the client's side that is a scheduler
//! wake-up (and, on a virtual machine whose idle vCPU halts, an IPI and a
//! VM exit) paid inside the client's `send`, and on ours the latency of
//! being scheduled back in. Under a steady stream of small requests (one
//! request in flight per connection) that wake-up is a large part of every
//! round trip.
//!
//! So, like the kernel's `cpuidle-haltpoll` governor does for idle vCPUs,
//! the loop first polls without blocking for a short, self-tuning window
//! and only then sleeps. The window grows while the idle gaps it sees are
//! short enough that a longer spin would have caught the next event, and
//! shrinks as soon as a gap outlasts the ceiling, so a quiet or sparsely
//! used server sleeps at once and costs no CPU. The ceiling is the
//! `busy-poll-us` directive (0, the default, turns spinning off: it costs a
//! core's worth of CPU under moderate steady load); it is also off on a
//! single-CPU machine, where spinning would only steal the CPU from the
//! clients that are supposed to send the next request.
//!
//! Every few polls the spin yields the CPU: when a client shares our core,
//! the scheduler would otherwise let us spin out the whole window while
//! the client waits to send the very request we spin for (and the gap
//! that results would even grow the window). Yielding at every poll costs
//! ~8% of -P 1 throughput when the client has its own core; every eighth
//! poll keeps the gain there and loses nothing against Redis when client
//! and server share one core (redis-benchmark -P 1, interleaved rounds).

/// Yield the CPU every this many empty polls while spinning.
pub const YIELD_EVERY: u32 = 8;

/// The first window after a gap that a spin would have caught (µs).
const GROW_START_US: u64 = 8;

pub struct BusyPoll {
    /// Current spin window in microseconds (0: block at once).
    limit_us: u64,
    /// Spinning is possible at all (more than one CPU online).
    allowed: bool,
}

impl Default for BusyPoll {
    fn default() -> Self {
        // SAFETY: sysconf has no memory-safety preconditions.
        let cpus = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
        BusyPoll {
            limit_us: 0,
            allowed: cpus > 1,
        }
    }
}

impl BusyPoll {
    /// How long to spin before a sleep of at most `timeout_us`, given the
    /// configured ceiling `max_us`.
    pub fn window(&self, max_us: u64, timeout_us: u64) -> u64 {
        if !self.allowed || max_us == 0 {
            return 0;
        }
        self.limit_us.min(max_us).min(timeout_us)
    }

    /// Tunes the window from the idle gap just observed (time from the end
    /// of the previous round of work to the next event, spin included):
    /// a gap a longer spin would have caught grows it, a gap longer than
    /// the ceiling halves it. A timer wake-up (no event) counts as long.
    pub fn observe(&mut self, max_us: u64, idle_us: u64, got_event: bool) {
        if !got_event || idle_us > max_us {
            self.limit_us /= 2;
        } else if idle_us > self.limit_us {
            self.limit_us = if self.limit_us == 0 { GROW_START_US } else { self.limit_us * 2 }.min(max_us);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll() -> BusyPoll {
        BusyPoll {
            limit_us: 0,
            allowed: true,
        }
    }

    #[test]
    fn grows_on_short_gaps_up_to_the_ceiling() {
        let mut b = poll();
        assert_eq!(b.window(50, 1000), 0);
        b.observe(50, 20, true);
        assert_eq!(b.window(50, 1000), GROW_START_US);
        for _ in 0..10 {
            b.observe(50, 40, true);
        }
        assert_eq!(b.window(50, 1000), 50);
        // never longer than the time to the next timer
        assert_eq!(b.window(50, 30), 30);
    }

    #[test]
    fn shrinks_on_long_gaps_and_timer_wakeups() {
        let mut b = poll();
        b.limit_us = 64;
        b.observe(64, 500, true);
        assert_eq!(b.window(64, 1000), 32);
        b.observe(64, 10, false);
        assert_eq!(b.window(64, 1000), 16);
        for _ in 0..10 {
            b.observe(64, 10_000, true);
        }
        assert_eq!(b.window(64, 1000), 0);
    }

    #[test]
    fn gaps_inside_the_window_keep_it() {
        let mut b = poll();
        b.limit_us = 32;
        b.observe(64, 5, true);
        assert_eq!(b.window(64, 1000), 32);
    }

    #[test]
    fn disabled_by_config_or_single_cpu() {
        let mut b = poll();
        b.limit_us = 32;
        assert_eq!(b.window(0, 1000), 0);
        b.allowed = false;
        assert_eq!(b.window(64, 1000), 0);
    }
}
