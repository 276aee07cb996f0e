//! The global allocator: jemalloc, with a running count of allocated bytes
//! (zmalloc.c). `used_memory` in INFO and the `maxmemory` checks read the
//! counter, which costs one relaxed add per allocation instead of a
//! jemalloc stats refresh per command.
//!
//! Sizes are counted as jemalloc's size classes (`nallocx`), so the counter
//! matches what jemalloc really hands out, like Redis's
//! `zmalloc_size`-based accounting.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};
use tikv_jemallocator::Jemalloc;

pub struct CountingJemalloc;

static USED: AtomicUsize = AtomicUsize::new(0);

#[inline]
fn class_size(layout: &Layout) -> usize {
    let flags = if layout.align() > 16 {
        layout.align().trailing_zeros() as libc::c_int
    } else {
        0
    };
    // SAFETY: nallocx only computes a size class; size > 0 for every
    // layout GlobalAlloc hands us.
    let n = unsafe { tikv_jemalloc_sys::nallocx(layout.size().max(1), flags) };
    if n == 0 {
        layout.size()
    } else {
        n
    }
}

// SAFETY: every method forwards to jemalloc with the same arguments and
// only adds bookkeeping that cannot affect the returned memory.
unsafe impl GlobalAlloc for CountingJemalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = Jemalloc.alloc(layout);
        if !p.is_null() {
            USED.fetch_add(class_size(&layout), Ordering::Relaxed);
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = Jemalloc.alloc_zeroed(layout);
        if !p.is_null() {
            USED.fetch_add(class_size(&layout), Ordering::Relaxed);
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        USED.fetch_sub(class_size(&layout), Ordering::Relaxed);
        Jemalloc.dealloc(ptr, layout)
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = Jemalloc.realloc(ptr, layout, new_size);
        if !p.is_null() {
            // SAFETY: same alignment as the original layout, which was valid.
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            USED.fetch_add(class_size(&new_layout), Ordering::Relaxed);
            USED.fetch_sub(class_size(&layout), Ordering::Relaxed);
        }
        p
    }
}

/// Bytes currently allocated through the global allocator.
pub fn used_memory() -> usize {
    USED.load(Ordering::Relaxed)
}

/// jemalloc's own view: (allocated, active, resident, retained, mapped).
/// Refreshes jemalloc's stats epoch first, so call it only for INFO.
pub fn jemalloc_stats() -> (usize, usize, usize, usize, usize) {
    use tikv_jemalloc_ctl::{epoch, stats};
    let _ = epoch::advance();
    (
        stats::allocated::read().unwrap_or(0),
        stats::active::read().unwrap_or(0),
        stats::resident::read().unwrap_or(0),
        stats::retained::read().unwrap_or(0),
        stats::mapped::read().unwrap_or(0),
    )
}

/// Resident set size of this process, from /proc/self/statm.
pub fn rss_bytes() -> usize {
    let Ok(s) = std::fs::read_to_string("/proc/self/statm") else {
        return 0;
    };
    let pages: usize = s.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
    // SAFETY: sysconf has no memory-safety preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page.max(1) as usize
}
