//! Per-command latency histograms for INFO latencystats (the
//! `hdr_histogram` use in server.c).
//!
//! Values are nanoseconds, kept with two significant decimal digits of
//! precision like Redis's histograms: each power of two is split into 128
//! linear sub-buckets (under 1% wide), so recording is two shifts and an
//! increment. Values from 1 ns to about 18 minutes are kept exactly to that
//! precision; larger ones land in the last bucket.

/// Sub-buckets per power of two.
const SUB_BITS: u32 = 7;
const SUB: usize = 1 << SUB_BITS;
/// Powers of two covered above the linear range (2^7 .. 2^40 ns).
const LEVELS: usize = 41 - SUB_BITS as usize;

#[derive(Clone, Debug)]
pub struct Histogram {
    /// Level 0 holds 0..128 exactly; level L >= 1 holds [2^(L+6), 2^(L+7)).
    counts: Box<[u32; SUB * (LEVELS + 1)]>,
    total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: Box::new([0; SUB * (LEVELS + 1)]),
            total: 0,
        }
    }
}

/// The bucket of `v` and the highest value that bucket stands for.
fn bucket(v: u64) -> (usize, u64) {
    if v < SUB as u64 {
        return (v as usize, v);
    }
    let top = 63 - v.leading_zeros(); // >= SUB_BITS
    let level = (top - SUB_BITS + 1) as usize;
    if level > LEVELS {
        return (SUB * (LEVELS + 1) - 1, u64::MAX);
    }
    let shift = top - (SUB_BITS - 1);
    let sub = ((v >> shift) as usize) & (SUB / 2 - 1);
    // Levels >= 1 use the upper half of their 128 slots' worth of range:
    // v >> shift is in [64, 128), i.e. 64 linear steps.
    let idx = level * SUB + sub;
    let upper = (((v >> shift) + 1) << shift) - 1;
    (idx, upper)
}

/// The highest value a bucket index stands for (the inverse of `bucket`:
/// at level L the value's top bit is L + 6 and it was shifted right by L).
fn bucket_upper(idx: usize) -> u64 {
    let level = idx / SUB;
    let sub = (idx % SUB) as u64;
    if level == 0 {
        return sub;
    }
    ((sub + SUB as u64 / 2 + 1) << level) - 1
}

impl Histogram {
    #[inline]
    pub fn record(&mut self, ns: u64) {
        let (i, _) = bucket(ns.max(1));
        self.counts[i] = self.counts[i].saturating_add(1);
        self.total += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The value at percentile `p` (0..=100).
    pub fn value_at(&self, p: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let wanted = ((p / 100.0) * self.total as f64).ceil().max(1.0) as u64;
        let mut seen = 0u64;
        let mut last = 0;
        for (i, &n) in self.counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            last = i;
            seen += u64::from(n);
            if seen >= wanted {
                return bucket_upper(i);
            }
        }
        bucket_upper(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_bounds_agree() {
        for v in [1u64, 5, 127, 128, 129, 200, 1000, 65_535, 1 << 20, 123_456_789, 1 << 39] {
            let (i, upper) = bucket(v);
            assert!(upper >= v, "{v}");
            assert_eq!(bucket_upper(i), upper, "{v}");
            assert!((upper - v) as f64 <= v as f64 * 0.02, "{v} -> {upper}");
        }
    }

    #[test]
    fn percentiles_are_close() {
        let mut h = Histogram::default();
        for v in 1..=10_000u64 {
            h.record(v * 1000);
        }
        let p50 = h.value_at(50.0) as f64;
        assert!((p50 - 5_000_000.0).abs() / 5_000_000.0 < 0.02, "{p50}");
        assert!(h.value_at(100.0) >= 10_000_000);
        assert!(h.value_at(0.0) >= 1000);
    }
}
