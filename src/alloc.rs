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

/// jemalloc's size class for a request (`sz_s2u` with 16-byte quantum):
/// 8, 16, 32, 48, ... 128, then four classes per power of two. Computed
/// inline because calling `nallocx` on every allocation cost ~8% of a SET.
/// Over-aligned requests are rounded to their alignment first.
#[inline]
fn class_size(layout: &Layout) -> usize {
    let size = layout.size().max(layout.align()).max(1);
    if size <= 8 {
        8
    } else if size <= 128 {
        (size + 15) & !15
    } else {
        let lg = usize::BITS - (size - 1).leading_zeros();
        let delta = 1usize << (lg - 3);
        (size + delta - 1) & !(delta - 1)
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

/// Returns unused dirty pages of every arena to the OS (MEMORY PURGE).
pub fn purge() {
    // "arena.4096.purge" addresses all arenas (MALLCTL_ARENAS_ALL).
    // SAFETY: the name is NUL-terminated; purge takes no input or output.
    unsafe {
        tikv_jemalloc_sys::mallctl(
            c"arena.4096.purge".as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        );
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Our inline size classes must agree with jemalloc's own.
    #[test]
    fn size_classes_match_jemalloc() {
        for size in (1..70_000usize).step_by(7).chain([8, 16, 17, 128, 129, 4096, 4097, 16384, 65536]) {
            let l = Layout::from_size_align(size, 8).unwrap();
            // SAFETY: nallocx only computes a size class.
            let je = unsafe { tikv_jemalloc_sys::nallocx(size, 0) };
            assert_eq!(class_size(&l), je, "size {size}");
        }
    }
}
