//! Count-min sketches (RedisBloom 2.8's `cms.c`), the `CMSk-TYPE` Stack
//! type, and their CMS.* commands (`commands.rs`).
//!
//! A sketch is `depth` rows of `width` 32-bit counters; row `i` counts an
//! item in column `MurmurHash2(item, seed i) % width`, and a query answers
//! the smallest of the item's counters. Counters saturate at `u32::MAX`
//! (an INCRBY that reaches it answers the module's overflow error for that
//! item); the total count is 64-bit and wraps as the module's `size_t`.
//!
//! RDB (encoding version 0, as the module): width, depth and count as
//! unsigned fields, then the counters as one string of little-endian u32s,
//! row after row. AOF rewrite emits `RESTORE key 0 <DUMP payload>`, what
//! the module's `RMUtil_DefaultAofRewrite` does.

pub mod commands;

use super::rdb::{FieldReader, FieldWriter};
use super::{ModuleDigest, StackType, TypeInfo};
use crate::persist::rdb::codec::{corrupt, LoadResult};
use crate::stack::bloom::murmur2;
use std::io::{self, Read, Write};

/// Largest counter array we allocate (the module tries any size `calloc`
/// accepts): 4 GiB, a billion counters. Larger sketches are refused with
/// the module's out-of-memory error before anything is allocated.
pub const MAX_BYTES: u64 = 1 << 32;

/// A count-min sketch (`CMSketch`).
#[derive(Clone, Debug, PartialEq)]
pub struct Cms {
    pub width: u64,
    pub depth: u64,
    /// Sum of all increments (`counter`), wrapping like the module's size_t.
    pub count: u64,
    /// `depth` rows of `width` counters.
    pub counters: Vec<u32>,
}

/// Width and depth for an overestimation bound `error` and a probability
/// `delta` of exceeding it (`CMS_DimFromProb`): the depth is computed in
/// single precision, as the module does. Values out of `u64`'s range come
/// out as 0, like the module's conversion on x86-64, and are then refused.
pub fn dims_from_prob(error: f64, delta: f64) -> (u64, u64) {
    let to_u64 = |v: f64| {
        if (0.0..18_446_744_073_709_551_616.0).contains(&v) {
            v as u64
        } else {
            0
        }
    };
    let width = to_u64((2.0 / error).ceil());
    let depth = to_u64(f64::from(((delta as f32).log10() / 0.5f32.log10()).ceil()));
    (width, depth)
}

impl Cms {
    /// An empty sketch; None when its counters would exceed [`MAX_BYTES`].
    pub fn new(width: u64, depth: u64) -> Option<Cms> {
        let cells = Self::cells_for(width, depth)?;
        Some(Cms {
            width,
            depth,
            count: 0,
            counters: vec![0; cells],
        })
    }

    /// Counters for `width` x `depth`, when within [`MAX_BYTES`].
    fn cells_for(width: u64, depth: u64) -> Option<usize> {
        let cells = width.checked_mul(depth)?;
        if width == 0 || depth == 0 || cells.checked_mul(4)? > MAX_BYTES {
            return None;
        }
        usize::try_from(cells).ok()
    }

    fn slot(&self, item: &[u8], row: u64) -> usize {
        // The module hashes with an `int` length and a 32-bit seed.
        let h = murmur2(item, row as u32);
        (row * self.width + u64::from(h) % self.width) as usize
    }

    /// `CMS_IncrBy`: adds `value` to the item's counters (saturating) and
    /// answers the smallest of them afterwards.
    pub fn incr_by(&mut self, item: &[u8], value: u64) -> u32 {
        let add = u32::try_from(value).unwrap_or(u32::MAX);
        let mut min = u32::MAX;
        for row in 0..self.depth {
            let i = self.slot(item, row);
            let c = &mut self.counters[i];
            *c = c.saturating_add(add);
            min = min.min(*c);
        }
        self.count = self.count.wrapping_add(value);
        min
    }

    /// `CMS_Query`.
    pub fn query(&self, item: &[u8]) -> u32 {
        (0..self.depth)
            .map(|row| self.counters[self.slot(item, row)])
            .min()
            .unwrap_or(u32::MAX)
    }

    /// `CMS_Merge` into a sketch of the same dimensions as every source:
    /// the weighted sums of the sources' counters and counts, or None when
    /// a partial sum leaves i64, a counter leaves 0..=u32::MAX or the count
    /// is negative (the module's overflow check, before anything changes).
    pub fn merged(sources: &[(&Cms, i64)]) -> Option<(Vec<u32>, u64)> {
        let cells = sources.first()?.0.counters.len();
        let mut out = Vec::with_capacity(cells);
        for c in 0..cells {
            let mut sum: i64 = 0;
            for (s, w) in sources {
                sum = i64::from(s.counters[c]).checked_mul(*w).and_then(|m| sum.checked_add(m))?;
            }
            out.push(u32::try_from(sum).ok()?);
        }
        let mut count: i64 = 0;
        for (s, w) in sources {
            let m = i64::try_from(i128::from(s.count) * i128::from(*w)).ok()?;
            count = count.checked_add(m)?;
        }
        if count < 0 {
            return None;
        }
        Some((out, count as u64))
    }

    /// What the module's `mem_usage` callback reports (it counts 8 bytes
    /// per counter and a pointer).
    pub fn module_size(&self) -> u64 {
        8 + self.width * self.depth * 8
    }
}

impl StackType for Cms {
    const INFO: TypeInfo = TypeInfo {
        name: "CMSk-TYPE",
        encver: 0,
        module: "bf",
    };

    fn save<W: Write>(&self, w: &mut FieldWriter<'_, W>) -> io::Result<()> {
        w.unsigned(self.width)?;
        w.unsigned(self.depth)?;
        w.unsigned(self.count)?;
        let mut buf = Vec::with_capacity(self.counters.len() * 4);
        for c in &self.counters {
            buf.extend_from_slice(&c.to_le_bytes());
        }
        w.string(&buf)
    }

    fn load<R: Read>(r: &mut FieldReader<'_, R>, encver: u32) -> LoadResult<Self> {
        if encver > 0 {
            return corrupt(format!("Count-min sketch encoding version {encver} is not supported"));
        }
        let width = r.unsigned()?;
        let depth = r.unsigned()?;
        let count = r.unsigned()?;
        let Some(cells) = Self::cells_for(width, depth) else {
            return corrupt("Count-min sketch dimensions out of range");
        };
        // The string reader allocates only as bytes arrive.
        let data = r.string()?;
        if data.len() as u64 != cells as u64 * 4 {
            return corrupt("Count-min sketch counters do not match its dimensions");
        }
        let counters = data.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        Ok(Cms {
            width,
            depth,
            count,
            counters,
        })
    }

    fn rewrite(&self, key: &[u8]) -> Vec<Vec<Vec<u8>>> {
        use crate::object::{Obj, ValueRef};
        let obj = Obj::Stack(super::StackValue::Cms(Box::new(self.clone())));
        let payload = crate::persist::dump::dump_payload(ValueRef::Obj(&obj), true);
        vec![vec![b"RESTORE".to_vec(), key.to_vec(), b"0".to_vec(), payload]]
    }

    /// The module has no digest callback.
    fn digest(&self, _d: &mut ModuleDigest) {}

    fn mem_usage(&self) -> usize {
        self.module_size() as usize
    }

    #[cfg(test)]
    fn samples() -> Vec<Self> {
        let mut v = Vec::new();
        if let Some(mut c) = Cms::new(20, 4) {
            for i in 0..50u64 {
                c.incr_by(format!("i{i}").as_bytes(), i);
            }
            v.push(c);
        }
        v.extend(Cms::new(1, 1));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dims_match_the_module() {
        // 2/0.001 = 2000; log10f(0.01)/log10f(0.5) = 6.64 -> 7.
        assert_eq!(dims_from_prob(0.001, 0.01), (2000, 7));
        assert_eq!(dims_from_prob(0.01, 0.5), (200, 1));
        assert_eq!(dims_from_prob(1e-300, 0.5).0, 0);
        assert_eq!(dims_from_prob(0.5, 1e-300).1, 0);
    }

    /// Counters and dimensions as RedisBloom 2.8.7's own cms.c (built
    /// with plain calloc) computes them for the same calls.
    #[test]
    fn counters_match_the_module() {
        let mut c = Cms::new(7, 3).unwrap();
        for i in 0..20u64 {
            c.incr_by(format!("item{i}").as_bytes(), i + 1);
        }
        let want = [14, 44, 25, 55, 12, 54, 6, 41, 16, 35, 49, 40, 23, 6, 17, 23, 26, 36, 37, 30, 41];
        assert_eq!(c.counters, want);
        assert_eq!(c.count, 210);
        assert_eq!(dims_from_prob(0.0003, 0.0001), (6667, 14));
    }

    #[test]
    fn counts_saturate_and_merge_checks_overflow() {
        let mut c = Cms::new(10, 3).unwrap();
        assert_eq!(c.incr_by(b"a", 5), 5);
        assert_eq!(c.incr_by(b"a", u64::MAX >> 1), u32::MAX);
        assert_eq!(c.query(b"a"), u32::MAX);
        let d = Cms::new(10, 3).unwrap();
        assert!(Cms::merged(&[(&c, 1)]).is_none());
        assert!(Cms::merged(&[(&d, -1)]).is_some());
        assert!(Cms::new(1 << 31, 1).is_none());
        assert!(Cms::new(u64::MAX, 2).is_none());
    }
}
