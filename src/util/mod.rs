//! Small shared helpers: number parsing/formatting, glob matching, the
//! log, clocks and a fast random generator (util.c, server.c helpers).

pub mod glob;
pub mod log;
pub mod num;
#[cfg(test)]
pub mod test_rng;

use std::cell::Cell;

/// Wall-clock time in milliseconds since the epoch.
pub fn mstime() -> i64 {
    ustime() / 1000
}

/// Wall-clock time in microseconds since the epoch. Read straight from
/// the vDSO: `SystemTime::now().duration_since(UNIX_EPOCH)` costs three
/// times the instructions, and the loop reads the clock several times per
/// request.
#[inline]
pub fn ustime() -> i64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    ts.tv_sec * 1_000_000 + ts.tv_nsec / 1000
}

/// Monotonic microseconds, for durations (command timing, timeouts).
pub fn monotonic_us() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1000
}

/// Monotonic nanoseconds.
pub fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Fills `buf` from the kernel's random source.
pub fn random_bytes(buf: &mut [u8]) {
    let mut filled = 0;
    while filled < buf.len() {
        // SAFETY: the pointer/length pair describes the unfilled tail of `buf`.
        let n = unsafe { libc::getrandom(buf[filled..].as_mut_ptr().cast(), buf.len() - filled, 0) };
        if n <= 0 {
            // No entropy source: fall back on time and pid, like Redis does.
            let seed = ustime() as u64 ^ (u64::from(std::process::id()) << 32);
            for (i, b) in buf[filled..].iter_mut().enumerate() {
                *b = (seed.rotate_left(i as u32 * 8) & 0xff) as u8;
            }
            return;
        }
        filled += n as usize;
    }
}

/// A random u64 seed.
pub fn random_seed() -> u64 {
    let mut b = [0u8; 8];
    random_bytes(&mut b);
    u64::from_le_bytes(b)
}

thread_local! {
    static RNG: Cell<u64> = Cell::new(random_seed() | 1);
}

/// Fast non-cryptographic random number (wyrand), per thread.
pub fn rand_u64() -> u64 {
    RNG.with(|s| {
        let v = s.get().wrapping_add(0xa076_1d64_78bd_642f);
        s.set(v);
        let t = u128::from(v) * u128::from(v ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) as u64) ^ (t as u64)
    })
}

/// Uniform-ish random number in `0..n` (n > 0).
pub fn rand_below(n: u64) -> u64 {
    if n == 0 {
        0
    } else {
        ((u128::from(rand_u64()) * u128::from(n)) >> 64) as u64
    }
}

/// 40 random hex characters, as Redis's run ids and replication ids.
pub fn random_hex40() -> String {
    let mut b = [0u8; 20];
    random_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The C library's text for an I/O error, without Rust's "(os error N)".
pub fn strerror(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => {
            // SAFETY: strerror returns a pointer to a static or thread-local
            // NUL-terminated string, copied out immediately.
            let p = unsafe { libc::strerror(code) };
            if p.is_null() {
                return e.to_string();
            }
            // SAFETY: non-null pointer to a NUL-terminated string.
            unsafe { std::ffi::CStr::from_ptr(p) }.to_string_lossy().into_owned()
        }
        None => e.to_string(),
    }
}
