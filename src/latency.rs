//! Per-command latency histograms for INFO latencystats (the
//! `hdr_histogram` use in server.c).
//!
//! Values are nanoseconds, kept with two significant decimal digits of
//! precision like Redis's histograms: each bucket covers a range whose
//! width is under 1% of its start, and a percentile reports the highest
//! value of the bucket it falls in.

use std::collections::BTreeMap;

#[derive(Default, Clone, Debug)]
pub struct Histogram {
    /// Bucket upper bound -> count.
    buckets: BTreeMap<u64, u64>,
    total: u64,
}

/// Sub-bucket resolution: 2^8 = 256 steps per power of two (>= 2 digits).
const SUB_BITS: u32 = 8;

fn bucket_upper(v: u64) -> u64 {
    if v < (1 << SUB_BITS) {
        return v;
    }
    let shift = 63 - v.leading_zeros() - (SUB_BITS - 1);
    ((v >> shift) + 1).checked_shl(shift).map(|x| x - 1).unwrap_or(u64::MAX)
}

impl Histogram {
    pub fn record(&mut self, ns: u64) {
        *self.buckets.entry(bucket_upper(ns.max(1))).or_insert(0) += 1;
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
        let mut seen = 0;
        for (&upper, &n) in &self.buckets {
            seen += n;
            if seen >= wanted {
                return upper;
            }
        }
        self.buckets.keys().next_back().copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_close() {
        let mut h = Histogram::default();
        for v in 1..=10_000u64 {
            h.record(v * 1000);
        }
        let p50 = h.value_at(50.0) as f64;
        assert!((p50 - 5_000_000.0).abs() / 5_000_000.0 < 0.01, "{p50}");
        assert!(h.value_at(100.0) >= 10_000_000);
        assert!(h.value_at(0.0) >= 1000);
    }
}
