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

/// jemalloc's own view: (allocated, active, resident, retained, mapped),
/// without the Lua arena (Redis's Lua allocates from libc, outside these
/// figures; the active defrag cannot move Lua's objects either). Refreshes
/// jemalloc's stats epoch first, so call it only for INFO and the defrag
/// cron's once-a-second decision.
pub fn jemalloc_stats() -> (usize, usize, usize, usize, usize) {
    use tikv_jemalloc_ctl::{epoch, stats};
    let _ = epoch::advance();
    let (lua_alloc, lua_active, lua_resident) = lua_arena_stats();
    (
        stats::allocated::read().unwrap_or(0).saturating_sub(lua_alloc),
        stats::active::read().unwrap_or(0).saturating_sub(lua_active),
        stats::resident::read().unwrap_or(0).saturating_sub(lua_resident),
        stats::retained::read().unwrap_or(0),
        stats::mapped::read().unwrap_or(0),
    )
}

/// The jemalloc arena of the Lua interpreters (0: none, use the default).
/// Created on first use; manual arenas are never handed to threads
/// automatically, so only Lua allocates there.
fn lua_arena() -> u32 {
    static ARENA: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *ARENA.get_or_init(|| {
        let mut ind: u32 = 0;
        let mut len = std::mem::size_of::<u32>();
        // SAFETY: arenas.create writes one unsigned into `ind`.
        let ret = unsafe {
            tikv_jemalloc_sys::mallctl(
                c"arenas.create".as_ptr(),
                (&mut ind as *mut u32).cast(),
                &mut len,
                std::ptr::null_mut(),
                0,
            )
        };
        if ret == 0 {
            ind
        } else {
            0
        }
    })
}

/// Reads one size_t statistic by name.
fn stat_usize(name: &str) -> usize {
    let Ok(name) = std::ffi::CString::new(name) else { return 0 };
    let mut v: usize = 0;
    let mut len = std::mem::size_of::<usize>();
    // SAFETY: `name` is NUL-terminated; the statistic is one size_t.
    let ret = unsafe { tikv_jemalloc_sys::mallctl(name.as_ptr(), (&mut v as *mut usize).cast(), &mut len, std::ptr::null_mut(), 0) };
    if ret == 0 {
        v
    } else {
        0
    }
}

/// (allocated, active, resident) bytes of the Lua arena (current epoch).
fn lua_arena_stats() -> (usize, usize, usize) {
    let a = lua_arena();
    if a == 0 {
        return (0, 0, 0);
    }
    let page = stat_usize("arenas.page").max(1);
    let allocated = stat_usize(&format!("stats.arenas.{a}.small.allocated")) + stat_usize(&format!("stats.arenas.{a}.large.allocated"));
    let active = stat_usize(&format!("stats.arenas.{a}.pactive")) * page;
    let resident = stat_usize(&format!("stats.arenas.{a}.resident"));
    (allocated, active, resident)
}

/// A thread's own jemalloc cache for Lua blocks only (`tcache.create`),
/// so Lua keeps a cache without mixing other blocks into its arena.
struct LuaTcache(Option<u32>);

impl LuaTcache {
    fn create() -> LuaTcache {
        let mut id: u32 = 0;
        let mut len = std::mem::size_of::<u32>();
        // SAFETY: tcache.create writes one unsigned into `id`.
        let ret = unsafe {
            tikv_jemalloc_sys::mallctl(
                c"tcache.create".as_ptr(),
                (&mut id as *mut u32).cast(),
                &mut len,
                std::ptr::null_mut(),
                0,
            )
        };
        LuaTcache((ret == 0).then_some(id))
    }
}

impl Drop for LuaTcache {
    fn drop(&mut self) {
        if let Some(mut id) = self.0 {
            // SAFETY: destroys this thread's cache (flushing it) by its id,
            // passed as one unsigned; nothing uses it afterwards.
            unsafe {
                tikv_jemalloc_sys::mallctl(
                    c"tcache.destroy".as_ptr(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    (&mut id as *mut u32).cast(),
                    std::mem::size_of::<u32>(),
                );
            }
        }
    }
}

thread_local! {
    static LUA_TCACHE: LuaTcache = LuaTcache::create();
}

/// The cache flag for a Lua allocation on this thread.
fn lua_tcache_flag() -> libc::c_int {
    use tikv_jemalloc_sys::{MALLOCX_TCACHE, MALLOCX_TCACHE_NONE};
    LUA_TCACHE
        .try_with(|t| t.0.map_or(MALLOCX_TCACHE_NONE, |id| MALLOCX_TCACHE(id as usize)))
        .unwrap_or(MALLOCX_TCACHE_NONE)
}

/// The Lua interpreters' allocator (`lua_Alloc`, as `luaL_newstate`'s
/// but in their own arena, with a per-thread cache holding only Lua
/// blocks so the arena stays Lua's alone). Not counted in `used_memory`,
/// like Redis's libc Lua.
///
/// # Safety
/// Called by Lua only: `ptr` is null or a block this function returned,
/// of `osize` bytes.
pub unsafe extern "C" fn lua_alloc(_ud: *mut libc::c_void, ptr: *mut libc::c_void, _osize: usize, nsize: usize) -> *mut libc::c_void {
    use tikv_jemalloc_sys::MALLOCX_ARENA;
    let tc = lua_tcache_flag();
    if nsize == 0 {
        if !ptr.is_null() {
            tikv_jemalloc_sys::dallocx(ptr, tc);
        }
        return std::ptr::null_mut();
    }
    let flags = MALLOCX_ARENA(lua_arena() as usize) | tc;
    if ptr.is_null() {
        tikv_jemalloc_sys::mallocx(nsize, flags)
    } else {
        tikv_jemalloc_sys::rallocx(ptr, nsize, flags)
    }
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

/// `DEBUG MALLCTL <key> [<val>]` (`mallctl_int`): reads (and writes) a
/// jemalloc integer control, trying 64, 32, 16 then 8-bit widths; a
/// write-only control is just written. Ok(Some(old)), Ok(None) for a
/// write-only control written, Err(errno) otherwise.
pub fn mallctl_int(name: &[u8], val: Option<i64>) -> Result<Option<i64>, i32> {
    let name = std::ffi::CString::new(name).map_err(|_| libc::EINVAL)?;
    let mut sz = std::mem::size_of::<i64>();
    let mut new = val.unwrap_or(0);
    while sz > 0 {
        let mut old: i64 = 0;
        let mut oldsz = sz;
        let newp: *mut libc::c_void = if val.is_some() {
            (&mut new as *mut i64).cast()
        } else {
            std::ptr::null_mut()
        };
        // SAFETY: `name` is NUL-terminated; `old` has room for `oldsz`
        // (<= 8) bytes; `new` is readable for `sz` bytes when passed.
        let ret = unsafe {
            tikv_jemalloc_sys::mallctl(
                name.as_ptr(),
                (&mut old as *mut i64).cast(),
                &mut oldsz,
                newp,
                if val.is_some() { sz } else { 0 },
            )
        };
        if ret == 0 {
            // Little-endian: the low bytes hold the narrower value.
            let v = match sz {
                8 => old,
                4 => old as u32 as i64,
                2 => old as u16 as i64,
                _ => old as u8 as i64,
            };
            return Ok(Some(v));
        }
        if ret == libc::EPERM && val.is_some() {
            // SAFETY: as above, write only.
            let w = unsafe { tikv_jemalloc_sys::mallctl(name.as_ptr(), std::ptr::null_mut(), std::ptr::null_mut(), newp, sz) };
            if w == 0 {
                return Ok(None);
            }
        }
        if ret != libc::EINVAL {
            return Err(ret);
        }
        sz /= 2;
    }
    Err(libc::EINVAL)
}

/// `DEBUG MALLCTL-STR <key> [<val>|VOID]` (`mallctl_string`): the old
/// string value (Ok(Some)), Ok(None) for a write-only control written.
pub fn mallctl_str(name: &[u8], val: Option<&[u8]>) -> Result<Option<String>, i32> {
    let name = std::ffi::CString::new(name).map_err(|_| libc::EINVAL)?;
    let mut old: *const libc::c_char = std::ptr::null();
    let mut sz = std::mem::size_of::<*const libc::c_char>();
    // SAFETY: `name` is NUL-terminated; `old` has room for a pointer.
    let rret = unsafe {
        tikv_jemalloc_sys::mallctl(
            name.as_ptr(),
            (&mut old as *mut *const libc::c_char).cast(),
            &mut sz,
            std::ptr::null_mut(),
            0,
        )
    };
    if rret != 0 && !(rret == libc::EPERM && val.is_some()) {
        return Err(rret);
    }
    let mut wret = 0;
    if let Some(v) = val {
        let owned = std::ffi::CString::new(v).map_err(|_| libc::EINVAL)?;
        let mut p = owned.as_ptr();
        let (newp, newsz): (*mut libc::c_void, usize) = if v == b"VOID" {
            (std::ptr::null_mut(), 0)
        } else {
            (
                (&mut p as *mut *const libc::c_char).cast(),
                std::mem::size_of::<*const libc::c_char>(),
            )
        };
        // SAFETY: `newp` is null or points at a pointer to the
        // NUL-terminated `owned`, alive for the call.
        wret = unsafe { tikv_jemalloc_sys::mallctl(name.as_ptr(), std::ptr::null_mut(), std::ptr::null_mut(), newp, newsz) };
    }
    if rret == 0 {
        if old.is_null() {
            return Ok(Some(String::new()));
        }
        // SAFETY: jemalloc's string controls point at static NUL-terminated text.
        let s = unsafe { std::ffi::CStr::from_ptr(old) };
        return Ok(Some(s.to_string_lossy().into_owned()));
    }
    if wret != 0 {
        return Err(wret);
    }
    Ok(None)
}

/// The text of an errno (`strerror`).
pub fn strerror(errno: i32) -> String {
    std::io::Error::from_raw_os_error(errno)
        .to_string()
        .split(" (os error")
        .next()
        .unwrap_or_default()
        .to_string()
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
