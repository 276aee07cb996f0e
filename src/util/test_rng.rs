//! A small deterministic generator for tests (xorshift64*): the same seed
//! gives the same sequence, so a failing random test can be replayed.

pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (0 is replaced: xorshift is stuck at 0).
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 { 0x9e37_79b9_7f4a_7c15 } else { seed })
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// An index into something of length `len` (> 0).
    pub fn index(&mut self, len: usize) -> usize {
        (self.next_u64() % len as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.index(v.len())]
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }

    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

/// In-process test servers save through `temp-<pid>.rdb` in the working
/// directory whatever their `dbfilename` (as Redis's rdbSave does), so two
/// tests of one process that SAVE or DEBUG RELOAD at once would write the
/// same temporary file. Their harnesses hold this for the test's length.
pub static RDB_TEMP_FILE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Takes [`RDB_TEMP_FILE`], also after another test panicked holding it.
pub fn lock_rdb_temp_file() -> std::sync::MutexGuard<'static, ()> {
    RDB_TEMP_FILE.lock().unwrap_or_else(|e| e.into_inner())
}
