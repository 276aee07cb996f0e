//! Merging t-digests (RedisBloom 2.8's `rm_tdigest.c` over its
//! `t-digest-c` dependency), the `TDIS-TYPE` Stack type, and the
//! TDIGEST.* commands (`commands.rs`).
//!
//! A digest keeps up to `cap = 6 * compression + 10` nodes (mean, weight):
//! `merged_nodes` sorted centroids first, then `unmerged_nodes` buffered
//! samples. Adding a sample when the buffer would fill compresses first:
//! every node is sorted by mean (the library's quicksort with a central
//! pivot, whose order for equal means decides later merges, so we sort
//! the same way), then neighbours are folded left to right while the
//! merged weight stays under the k-scale bound `q(1-q)` at both ends.
//! Quantile, CDF, rank and trimmed-mean queries compress first (a read
//! changes the value, as in the module) and interpolate between centroid
//! midpoints, treating unit-weight centroids as exact samples.
//!
//! Faithful quirks of this library version: compressing a digest whose
//! total weight is at most 1 only sorts it, so a digest holding a single
//! sample has no centroid and answers nan to QUANTILE/CDF/TRIMMED_MEAN;
//! the RDB save writes merged centroids only, so that sample's node comes
//! back from a reload as (0, weight 0).
//!
//! RDB (encoding version 0, as the module): compression, min, max as
//! doubles; cap, merged and unmerged node counts, total compressions as
//! signed; merged and unmerged weight as doubles; then the merged means
//! and the merged weights, each as doubles. The value is compressed in
//! place before it is written, as the module does: SAVE, DUMP and DEBUG
//! RELOAD compress the live value, a BGSAVE the forked child's copy.
//! AOF rewrite emits `RESTORE key 0 <payload>` (`RMUtil_DefaultAofRewrite`).

pub mod commands;

use super::rdb::{FieldReader, FieldWriter};
use super::{ModuleDigest, StackType, TypeInfo};
use crate::persist::rdb::codec::{corrupt, LoadResult};
use std::cell::RefCell;
use std::io::{self, Read, Write};

/// The library's `MM_PI`.
const MM_PI: f64 = std::f64::consts::PI;

/// Largest compression we accept: both node arrays (16 bytes a node) of
/// the capacity it implies stay within 4 GiB, the bound the other
/// families use for what the module would try to allocate. Above it
/// CREATE answers the module's allocation error.
pub const MAX_COMPRESSION: i64 = ((1i64 << 32) / 16 - 10) / 6;

/// Unmerged nodes a loaded value may claim: the module's own files hold
/// 0 or 1 (see the header); the nodes are not in the file, so a larger
/// claim would make us allocate from nothing.
const MAX_LOADED_UNMERGED: i64 = 1024;

/// The overflow the library reports as `EDOM`.
#[derive(Debug, PartialEq, Eq)]
pub struct Overflow;

/// A t-digest (`td_histogram_t`).
#[derive(Clone, Debug, PartialEq)]
pub struct Digest {
    pub compression: f64,
    pub min: f64,
    pub max: f64,
    /// Node capacity (`cap`).
    pub cap: i64,
    pub merged_nodes: usize,
    pub unmerged_nodes: usize,
    pub total_compressions: i64,
    pub merged_weight: i64,
    pub unmerged_weight: i64,
    /// `merged_nodes + unmerged_nodes` node means and weights.
    means: Vec<f64>,
    weights: Vec<i64>,
}

/// The Stack value: a digest the RDB save can compress in place, as the
/// module's `rdb_save` does (SAVE and DUMP compress the live value; a
/// BGSAVE or AOF rewrite compresses the forked child's copy), so later
/// answers match the module's after any of them. Commands reach the digest
/// through `get_mut`, which costs nothing.
#[derive(Clone, Debug, PartialEq)]
pub struct TDigest(pub RefCell<Digest>);

impl TDigest {
    pub fn get_mut(&mut self) -> &mut Digest {
        self.0.get_mut()
    }
}

/// `cap_from_compression` (None where the library answers 0).
fn cap_from_compression(compression: f64) -> Option<i64> {
    let c = compression as u64;
    if c > (u64::MAX / 8 / 6) - 10 {
        return None;
    }
    i64::try_from(6 * c + 10).ok()
}

/// C's `(long long)d` on x86-64: NaN and out-of-range values become
/// `LLONG_MIN` (what `cvttsd2si` produces).
pub fn c_ll(d: f64) -> i64 {
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&d) {
        i64::MIN
    } else {
        d as i64
    }
}

/// The library's `__td_max` / `__td_min` (NaN handling included).
fn td_max(x: f64, y: f64) -> f64 {
    if x > y {
        x
    } else {
        y
    }
}

fn td_min(x: f64, y: f64) -> f64 {
    if x < y {
        x
    } else {
        y
    }
}

fn weighted_average_sorted(x1: f64, w1: f64, x2: f64, w2: f64) -> f64 {
    let x = (x1 * w1 + x2 * w2) / (w1 + w2);
    td_max(x1, td_min(x, x2))
}

fn weighted_average(x1: f64, w1: f64, x2: f64, w2: f64) -> f64 {
    if x1 <= x2 {
        weighted_average_sorted(x1, w1, x2, w2)
    } else {
        weighted_average_sorted(x2, w2, x1, w1)
    }
}

/// The division the C code does at run time for 0/0 gives x86's default
/// NaN, whose sign bit is set (printed "-nan").
fn c_div(a: f64, b: f64) -> f64 {
    let r = a / b;
    if r.is_nan() && !a.is_nan() && !b.is_nan() {
        f64::from_bits(0xFFF8_0000_0000_0000)
    } else {
        r
    }
}

/// `partition` of the library's quicksort over parallel arrays.
fn partition(m: &mut [f64], w: &mut [i64], start: usize, end: usize, pivot: usize) -> usize {
    let pivot_mean = m[pivot];
    m.swap(pivot, end);
    w.swap(pivot, end);
    // `i` is one below the next slot for a smaller element.
    let mut i = start;
    for j in start..end {
        if m[j] < pivot_mean {
            m.swap(i, j);
            w.swap(i, j);
            i += 1;
        }
    }
    m.swap(i, end);
    w.swap(i, end);
    i
}

/// `td_qsort(means, weights, 0, n-1)`, with an explicit stack: the
/// sub-ranges are disjoint, so the order they are sorted in does not
/// change the result, and deep recursion (equal means) cannot overflow
/// our stack.
fn td_qsort(m: &mut [f64], w: &mut [i64]) {
    if m.len() < 2 {
        return;
    }
    let mut todo = vec![(0usize, m.len() - 1)];
    while let Some((start, end)) = todo.pop() {
        if start >= end {
            continue;
        }
        if end - start == 1 {
            if m[start] > m[end] {
                m.swap(start, end);
                w.swap(start, end);
            }
            continue;
        }
        let p = partition(m, w, start, end, (end + start) / 2);
        if p > start {
            todo.push((start, p - 1));
        }
        todo.push((p + 1, end));
    }
}

/// `_check_td_overflow`.
fn check_td_overflow(unmerged: f64, total: f64) -> Result<(), Overflow> {
    if unmerged == f64::INFINITY || total == f64::INFINITY {
        return Err(Overflow);
    }
    if 2.0 * MM_PI * total * total.ln() == f64::INFINITY {
        return Err(Overflow);
    }
    Ok(())
}

impl Digest {
    /// `td_init`: None where the module answers an allocation failure.
    pub fn new(compression: i64) -> Option<Digest> {
        if !(1..=MAX_COMPRESSION).contains(&compression) {
            return None;
        }
        let compression = compression as f64;
        let cap = cap_from_compression(compression)?;
        Some(Digest {
            compression,
            min: f64::MAX,
            max: -f64::MAX,
            cap,
            merged_nodes: 0,
            unmerged_nodes: 0,
            total_compressions: 0,
            merged_weight: 0,
            unmerged_weight: 0,
            means: Vec::new(),
            weights: Vec::new(),
        })
    }

    /// `td_reset`.
    pub fn reset(&mut self) {
        self.min = f64::MAX;
        self.max = -f64::MAX;
        self.merged_nodes = 0;
        self.merged_weight = 0;
        self.unmerged_nodes = 0;
        self.unmerged_weight = 0;
        self.total_compressions = 0;
        self.means.clear();
        self.weights.clear();
    }

    /// `td_size`: the number of samples.
    pub fn size(&self) -> i64 {
        self.merged_weight.wrapping_add(self.unmerged_weight)
    }

    fn nodes(&self) -> usize {
        self.merged_nodes + self.unmerged_nodes
    }

    /// `td_add`.
    pub fn add(&mut self, mean: f64, weight: i64) -> Result<(), Overflow> {
        if self.nodes() as i64 >= self.cap - 1 {
            self.compress()?;
        }
        if self.nodes() as i64 >= self.cap {
            return Err(Overflow);
        }
        let new_unmerged = self.unmerged_weight.checked_add(weight).ok_or(Overflow)?;
        let new_total = new_unmerged.checked_add(self.merged_weight).ok_or(Overflow)?;
        check_td_overflow(new_unmerged as f64, new_total as f64)?;
        if mean < self.min {
            self.min = mean;
        }
        if mean > self.max {
            self.max = mean;
        }
        self.means.push(mean);
        self.weights.push(weight);
        self.unmerged_nodes += 1;
        self.unmerged_weight = new_unmerged;
        Ok(())
    }

    /// `td_compress`.
    pub fn compress(&mut self) -> Result<(), Overflow> {
        if self.unmerged_nodes == 0 {
            return Ok(());
        }
        let n = self.nodes().min(self.means.len());
        let (m, w) = (&mut self.means[..n], &mut self.weights[..n]);
        td_qsort(m, w);
        let total = self.merged_weight as f64 + self.unmerged_weight as f64;
        check_td_overflow(self.unmerged_weight as f64, total)?;
        if total <= 1.0 {
            // The library returns here with the nodes sorted but unmerged.
            return Ok(());
        }
        let denom = 2.0 * MM_PI * total * total.ln();
        if denom == f64::INFINITY {
            return Err(Overflow);
        }
        let normalizer = self.compression / denom;
        if normalizer == f64::INFINITY {
            return Err(Overflow);
        }
        let mut cur = 0usize;
        let mut weight_so_far = 0.0f64;
        for i in 1..n {
            let proposed = w[cur] as f64 + w[i] as f64;
            let z = proposed * normalizer;
            let q0 = weight_so_far / total;
            let q2 = (weight_so_far + proposed) / total;
            if z <= q0 * (1.0 - q0) && z <= q2 * (1.0 - q2) {
                w[cur] = w[cur].wrapping_add(w[i]);
                let delta = m[i] - m[cur];
                let weighted_delta = (delta * w[i] as f64) / w[cur] as f64;
                m[cur] += weighted_delta;
            } else {
                weight_so_far += w[cur] as f64;
                cur += 1;
                w[cur] = w[i];
                m[cur] = m[i];
            }
        }
        self.merged_nodes = cur + 1;
        self.means.truncate(cur + 1);
        self.weights.truncate(cur + 1);
        self.merged_weight = c_ll(total);
        self.unmerged_nodes = 0;
        self.unmerged_weight = 0;
        self.total_compressions = self.total_compressions.wrapping_add(1);
        Ok(())
    }

    /// `td_merge(self, from)`: compresses both, then adds `from`'s nodes.
    pub fn merge_from(&mut self, from: &mut Digest) -> Result<(), Overflow> {
        self.compress()?;
        from.compress()?;
        for i in 0..from.nodes().min(from.means.len()) {
            self.add(from.means[i], from.weights[i])?;
        }
        Ok(())
    }

    fn mean(&self, i: usize) -> f64 {
        self.means.get(i).copied().unwrap_or(0.0)
    }

    fn weight(&self, i: usize) -> f64 {
        self.weights.get(i).copied().unwrap_or(0) as f64
    }

    /// `td_cdf`.
    pub fn cdf(&mut self, val: f64) -> f64 {
        let _ = self.compress();
        if self.merged_nodes == 0 {
            return f64::NAN;
        }
        if val < self.min {
            return 0.0;
        }
        if val > self.max {
            return 1.0;
        }
        if self.merged_nodes == 1 {
            let width = self.max - self.min;
            return if val - self.min <= width { 0.5 } else { (val - self.min) / width };
        }
        let n = self.merged_nodes;
        let mw = self.merged_weight as f64;
        let left_mean = self.mean(0);
        let left_weight = self.weight(0);
        if val < left_mean {
            let width = left_mean - self.min;
            if width > 0.0 {
                if val == self.min {
                    return 0.5 / mw;
                }
                return (1.0 + (val - self.min) / width * (left_weight / 2.0 - 1.0)) / mw;
            }
            return 0.0;
        }
        let right_mean = self.mean(n - 1);
        let right_weight = self.weight(n - 1);
        if val > right_mean {
            let width = self.max - right_mean;
            if width > 0.0 {
                if val == self.max {
                    return 1.0 - 0.5 / mw;
                }
                let dq = (1.0 + (self.max - val) / width * (right_weight / 2.0 - 1.0)) / mw;
                return 1.0 - dq;
            }
            return 1.0;
        }
        let mut weight_so_far = 0.0;
        let mut it = 0;
        while it + 1 < n {
            if self.mean(it) == val {
                let mut dw = 0.0;
                while it < n && self.mean(it) == val {
                    dw += self.weight(it);
                    it += 1;
                }
                return (weight_so_far + dw / 2.0) / mw;
            } else if self.mean(it) <= val && val < self.mean(it + 1) {
                let (w0, w1) = (self.weight(it), self.weight(it + 1));
                let (m0, m1) = (self.mean(it), self.mean(it + 1));
                if m1 - m0 > 0.0 {
                    let mut left_excluded = 0.0;
                    let mut right_excluded = 0.0;
                    if w0 == 1.0 {
                        if w1 == 1.0 {
                            return (weight_so_far + 1.0) / mw;
                        }
                        left_excluded = 0.5;
                    } else if w1 == 1.0 {
                        right_excluded = 0.5;
                    }
                    let dw = (w0 + w1) / 2.0;
                    let dw_no_singleton = dw - left_excluded - right_excluded;
                    let base = weight_so_far + w0 / 2.0 + left_excluded;
                    return (base + dw_no_singleton * (val - m0) / (m1 - m0)) / mw;
                }
                let dw = (w0 + w1) / 2.0;
                return (weight_so_far + dw) / mw;
            } else {
                weight_so_far += self.weight(it);
            }
            it += 1;
        }
        1.0 - 0.5 / mw
    }

    /// `td_internal_iterate_centroids_to_index`.
    fn value_at_index(&self, index: f64, left_weight: f64, n: usize, wsf: &mut f64, pos: &mut usize) -> f64 {
        if left_weight > 1.0 && index < left_weight / 2.0 {
            return self.min + (index - 1.0) / (left_weight / 2.0 - 1.0) * (self.mean(0) - self.min);
        }
        if index > self.merged_weight.wrapping_sub(1) as f64 {
            return self.max;
        }
        let mw = self.merged_weight as f64;
        let right_weight = self.weight(n - 1);
        let right_mean = self.mean(n - 1);
        if right_weight > 1.0 && mw - index <= right_weight / 2.0 {
            return self.max - (mw - index - 1.0) / (right_weight / 2.0 - 1.0) * (self.max - right_mean);
        }
        while *pos + 1 < n {
            let i = *pos;
            let (w0, w1) = (self.weight(i), self.weight(i + 1));
            let (m0, m1) = (self.mean(i), self.mean(i + 1));
            let dw = (w0 + w1) / 2.0;
            if *wsf + dw > index {
                let mut left_unit = 0.0;
                if w0 == 1.0 {
                    if index - *wsf < 0.5 {
                        return m0;
                    }
                    left_unit = 0.5;
                }
                let mut right_unit = 0.0;
                if w1 == 1.0 {
                    if *wsf + dw - index <= 0.5 {
                        return m1;
                    }
                    right_unit = 0.5;
                }
                let z1 = index - *wsf - left_unit;
                let z2 = *wsf + dw - index - right_unit;
                return weighted_average(m0, z2, m1, z1);
            }
            *wsf += dw;
            *pos += 1;
        }
        let z1 = index - mw - right_weight / 2.0;
        let z2 = right_weight / 2.0 - z1;
        weighted_average(right_mean, z1, self.max, z2)
    }

    /// `td_quantile`.
    pub fn quantile(&mut self, q: f64) -> f64 {
        let _ = self.compress();
        if !(0.0..=1.0).contains(&q) || self.merged_nodes == 0 {
            return f64::NAN;
        }
        if self.merged_nodes == 1 {
            return self.mean(0);
        }
        let index = q * self.merged_weight as f64;
        if index < 1.0 {
            return self.min;
        }
        let left = self.weight(0);
        let mut wsf = left / 2.0;
        let mut pos = 0;
        self.value_at_index(index, left, self.merged_nodes, &mut wsf, &mut pos)
    }

    /// `td_quantiles` for an ascending run of quantiles.
    pub fn quantiles(&mut self, qs: &[f64], out: &mut Vec<f64>) {
        let _ = self.compress();
        let n = self.merged_nodes;
        if n == 0 {
            out.extend(qs.iter().map(|_| f64::NAN));
            return;
        }
        if n == 1 {
            let m = self.mean(0);
            out.extend(qs.iter().map(|q| if (0.0..=1.0).contains(q) { m } else { f64::NAN }));
            return;
        }
        let left = self.weight(0);
        let mut wsf = left / 2.0;
        let mut pos = 0;
        for q in qs {
            let index = q * self.merged_weight as f64;
            out.push(self.value_at_index(index, left, n, &mut wsf, &mut pos));
        }
    }

    /// `td_trimmed_mean`.
    pub fn trimmed_mean(&mut self, low: f64, high: f64) -> f64 {
        let _ = self.compress();
        let in01 = |v: f64| (0.0..=1.0).contains(&v);
        if self.merged_nodes == 0 || !in01(low) || !in01(high) {
            return f64::NAN;
        }
        if self.merged_nodes == 1 {
            return self.mean(0);
        }
        let mw = self.merged_weight as f64;
        let leftmost = (mw * low).floor();
        let rightmost = (mw * high).ceil();
        let (mut done, mut sum, mut count) = (0.0, 0.0, 0.0);
        for i in 0..self.merged_nodes {
            let nw = self.weight(i);
            let mut add = nw;
            add -= td_min(td_max(0.0, leftmost - done), add);
            add = td_min(td_max(0.0, rightmost - done), add);
            done += nw;
            sum += self.mean(i) * add;
            count += add;
            if done >= rightmost {
                break;
            }
        }
        c_div(sum, count)
    }

    /// The module's `mem_usage`: a pointer and both node arrays at
    /// capacity.
    pub fn module_size(&self) -> i64 {
        8 + 2 * self.cap * 8
    }
}

impl StackType for TDigest {
    const INFO: TypeInfo = TypeInfo {
        name: "TDIS-TYPE",
        encver: 0,
        module: "bf",
    };

    fn save<W: Write>(&self, w: &mut FieldWriter<'_, W>) -> io::Result<()> {
        // The module compresses before writing, so no unmerged node is lost
        // (except the single-sample case, see the header).
        if let Ok(mut d) = self.0.try_borrow_mut() {
            let _ = d.compress();
        }
        let Ok(t) = self.0.try_borrow() else {
            return Err(io::Error::other("t-digest borrowed while saving"));
        };
        w.double(t.compression)?;
        w.double(t.min)?;
        w.double(t.max)?;
        w.signed(t.cap)?;
        w.signed(t.merged_nodes as i64)?;
        w.signed(t.unmerged_nodes as i64)?;
        w.signed(t.total_compressions)?;
        w.double(t.merged_weight as f64)?;
        w.double(t.unmerged_weight as f64)?;
        for i in 0..t.merged_nodes {
            w.double(t.mean(i))?;
        }
        for i in 0..t.merged_nodes {
            w.double(t.weight(i))?;
        }
        Ok(())
    }

    fn load<R: Read>(r: &mut FieldReader<'_, R>, encver: u32) -> LoadResult<Self> {
        if encver > 0 {
            return corrupt(format!("T-Digest encoding version {encver} is not supported"));
        }
        let weight_of = |d: f64| {
            if (0.0..9_223_372_036_854_775_808.0).contains(&d) {
                Some(d as i64)
            } else {
                None
            }
        };
        let compression = r.double()?;
        let min = r.double()?;
        let max = r.double()?;
        let cap = r.signed()?;
        let merged = r.signed()?;
        let unmerged = r.signed()?;
        let total_compressions = r.signed()?;
        let merged_weight = r.double()?;
        let unmerged_weight = r.double()?;
        if !(compression > 0.0 && compression < (MAX_COMPRESSION + 1) as f64) || cap_from_compression(compression) != Some(cap) {
            return corrupt("T-Digest compression or capacity out of range");
        }
        if !(0..=cap).contains(&merged) || !(0..=(cap - merged).min(MAX_LOADED_UNMERGED)).contains(&unmerged) {
            return corrupt("T-Digest node counts out of range");
        }
        let (Some(merged_weight), Some(unmerged_weight)) = (weight_of(merged_weight), weight_of(unmerged_weight)) else {
            return corrupt("T-Digest weights out of range");
        };
        if merged_weight.checked_add(unmerged_weight).is_none() {
            return corrupt("T-Digest weights out of range");
        }
        let mut means = Vec::new();
        for _ in 0..merged {
            means.push(r.double()?);
        }
        let mut weights = Vec::with_capacity(means.len());
        for _ in 0..merged {
            match weight_of(r.double()?) {
                Some(w) => weights.push(w),
                None => return corrupt("T-Digest node weight out of range"),
            }
        }
        // The module's node arrays are zeroed beyond what the file holds.
        means.resize((merged + unmerged) as usize, 0.0);
        weights.resize((merged + unmerged) as usize, 0);
        Ok(TDigest(RefCell::new(Digest {
            compression,
            min,
            max,
            cap,
            merged_nodes: merged as usize,
            unmerged_nodes: unmerged as usize,
            total_compressions,
            merged_weight,
            unmerged_weight,
            means,
            weights,
        })))
    }

    fn rewrite(&self, key: &[u8]) -> Vec<Vec<Vec<u8>>> {
        use crate::object::{Obj, ValueRef};
        let obj = Obj::Stack(super::StackValue::TDigest(Box::new(self.clone())));
        let payload = crate::persist::dump::dump_payload(ValueRef::Obj(&obj), true);
        vec![vec![b"RESTORE".to_vec(), key.to_vec(), b"0".to_vec(), payload]]
    }

    /// The module has no digest callback.
    fn digest(&self, _d: &mut ModuleDigest) {}

    fn mem_usage(&self) -> usize {
        self.0.borrow().module_size() as usize
    }

    #[cfg(test)]
    fn samples() -> Vec<Self> {
        let mut v = Vec::new();
        if let Some(mut t) = Digest::new(10) {
            for i in 0..500 {
                let _ = t.add(f64::from(i % 37) * 1.5, 1);
            }
            v.push(TDigest(RefCell::new(t)));
        }
        if let Some(mut t) = Digest::new(100) {
            let _ = t.add(5.0, 1);
            v.push(TDigest(RefCell::new(t)));
        }
        v.extend(Digest::new(1).map(|t| TDigest(RefCell::new(t))));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(compression: i64, vals: impl IntoIterator<Item = f64>) -> Digest {
        let mut t = Digest::new(compression).unwrap();
        for v in vals {
            t.add(v, 1).unwrap();
        }
        t
    }

    fn nodes_of(t: &Digest) -> Vec<(f64, i64)> {
        t.means.iter().copied().zip(t.weights.iter().copied()).collect()
    }

    /// Figures from t-digest-c at the commit RedisBloom 2.8 builds
    /// (5b89d70), run on the same inputs.
    #[test]
    fn quantiles_of_1_to_100() {
        let mut t = filled(100, (1..=100).map(f64::from));
        let mut out = Vec::new();
        t.quantiles(&[0.0, 0.1, 0.5, 0.9, 0.99, 1.0], &mut out);
        assert_eq!(out, vec![1.0, 10.5, 50.5, 90.5, 100.0, 100.0]);
        assert_eq!(t.quantile(0.5), 50.5);
        assert_eq!(t.cdf(50.0), 0.495);
        assert_eq!(t.trimmed_mean(0.1, 0.9), 50.5);
        assert_eq!((t.merged_nodes, t.merged_weight, t.total_compressions), (36, 100, 1));
    }

    #[test]
    fn compression_merges_by_the_k_scale() {
        let mut t = filled(1, (1..=20).map(f64::from));
        t.compress().unwrap();
        assert_eq!(nodes_of(&t), vec![(1.0, 1), (10.0, 17), (19.0, 1), (20.0, 1)]);
        assert_eq!(t.total_compressions, 2);
    }

    #[test]
    fn ties_sort_and_merge_as_the_library() {
        let mut t = Digest::new(1).unwrap();
        for (i, m) in [3.0, 1.0, 3.0, 2.0, 3.0, 1.0].into_iter().enumerate() {
            t.add(m, i as i64 + 1).unwrap();
        }
        t.compress().unwrap();
        assert_eq!(nodes_of(&t), vec![(1.0, 6), (2.4285714285714284, 14), (3.0, 1)]);
        // Equal means cannot make the sort recurse deeply.
        let mut m = vec![7.0; 100_000];
        let mut w = vec![1; 100_000];
        td_qsort(&mut m, &mut w);
    }

    // The figures are the reference's "%.17g" output, kept as printed.
    #[allow(clippy::excessive_precision)]
    #[test]
    fn pseudo_random_samples() {
        let mut t = Digest::new(5).unwrap();
        let mut x: u32 = 12345;
        for _ in 0..1000 {
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            t.add(f64::from((x >> 8) % 10000) / 7.0, 1).unwrap();
        }
        let q: Vec<f64> = [0.01, 0.25, 0.5, 0.75, 0.99].iter().map(|&q| t.quantile(q)).collect();
        assert_eq!(
            q,
            vec![
                45.278953399541635,
                462.18515660994018,
                697.37359328478681,
                1048.6755240102329,
                1412.3266666666666
            ]
        );
        assert_eq!(t.cdf(500.0), 0.29019632504545678);
        assert_eq!(t.cdf(1000.0), 0.71587967133858776);
        assert_eq!(t.trimmed_mean(0.2, 0.7), 707.72188449847999);
        assert_eq!((t.merged_nodes, t.total_compressions), (10, 33));
        let w: Vec<i64> = t.weights.clone();
        assert_eq!(w, vec![1, 1, 10, 34, 136, 658, 134, 21, 4, 1]);
        assert_eq!(t.means[5], 707.72188449847999);
    }

    #[test]
    fn single_sample_stays_unmerged() {
        let mut t = filled(100, [5.0]);
        assert!(t.quantile(0.5).is_nan());
        assert!(t.cdf(5.0).is_nan());
        assert_eq!((t.merged_nodes, t.unmerged_nodes, t.size()), (0, 1, 1));
    }

    #[test]
    fn capacity_and_limits() {
        assert_eq!(Digest::new(100).unwrap().cap, 610);
        assert_eq!(Digest::new(100).unwrap().module_size(), 9768);
        assert!(Digest::new(0).is_none());
        assert!(Digest::new(MAX_COMPRESSION).is_some());
        assert!(Digest::new(MAX_COMPRESSION + 1).is_none());
        let mut t = Digest::new(100).unwrap();
        t.add(1.0, i64::MAX).unwrap();
        assert_eq!(t.add(1.0, 1), Err(Overflow));
        assert_eq!(c_ll(f64::NAN), i64::MIN);
    }
}
