//! Top-K lists (RedisBloom 2.8's `topk.c`, HeavyKeeper), the `TopK-TYPE`
//! Stack type, and their TOPK.* commands (`commands.rs`).
//!
//! `depth` rows of `width` buckets hold a fingerprint (`MurmurHash2(item,
//! 1919)`) and a counter; row `i` places an item at `MurmurHash2(item, i) %
//! width`. An add claims an empty bucket or bumps its own; a bucket held by
//! another fingerprint decays: each unit of the increment removes one count
//! with probability `decay^count`, and the bucket changes hands when it
//! reaches zero. A min-heap of `k` slots keeps the items whose largest
//! bucket reached the heap's minimum; the item it pushes out is returned.
//! Decay draws use our own generator, so which colliding bucket decays
//! when differs from the module run to run exactly as the module's `rand()`
//! does; everything without collisions is deterministic.
//!
//! RDB (encoding version 0, as the module): k, width, depth (unsigned),
//! decay (double), the buckets as one string of (fp, count) u32 pairs, the
//! heap as one string of the module's 24-byte `HeapBucket` structs (its
//! pointer field written as zero), then each slot's item with a trailing
//! NUL ("\0" alone for an empty slot). AOF rewrite emits RESTORE of the
//! DUMP payload (`RMUtil_DefaultAofRewrite`).

pub mod commands;

use super::rdb::{FieldReader, FieldWriter};
use super::{ModuleDigest, StackType, TypeInfo};
use crate::persist::rdb::codec::{corrupt, LoadResult};
use crate::stack::bloom::murmur2;
use std::io::{self, Read, Write};

/// The fingerprint seed (`GA`).
const FP_SEED: u32 = 1919;
const LOOKUP: usize = 256;
/// Largest buckets + heap we allocate (the module tries any `calloc`).
pub const MAX_BYTES: u64 = 1 << 32;
/// `sizeof(HeapBucket)` on 64-bit: fp, itemlen, item pointer, count, pad.
const HEAP_BUCKET: usize = 24;
/// Our decay generator's starting state.
const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bucket {
    pub fp: u32,
    pub count: u32,
}

/// A heap slot (`HeapBucket`); `item` None is the module's NULL.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Slot {
    pub fp: u32,
    pub count: u32,
    pub item: Option<Vec<u8>>,
}

impl Slot {
    fn is(&self, fp: u32, item: &[u8]) -> bool {
        self.fp == fp && self.item.as_deref().unwrap_or(&[]) == item
    }
}

/// A Top-K list (`TopK`).
#[derive(Clone, Debug, PartialEq)]
pub struct TopK {
    pub k: u32,
    pub width: u32,
    pub depth: u32,
    pub decay: f64,
    pub data: Vec<Bucket>,
    pub heap: Vec<Slot>,
    lookup: Vec<f64>,
    rng: u64,
}

/// The text the module replies for an item (a C string: up to a NUL).
pub fn c_str(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |i| &b[..i])
}

impl TopK {
    /// An empty list; None when it would exceed [`MAX_BYTES`].
    pub fn new(k: u32, width: u32, depth: u32, decay: f64) -> Option<TopK> {
        let cells = Self::cells_for(k, width, depth)?;
        Some(TopK {
            k,
            width,
            depth,
            decay,
            data: vec![Bucket::default(); cells],
            heap: vec![Slot::default(); k as usize],
            lookup: Self::table(decay),
            rng: SEED,
        })
    }

    /// `decay^i` for small counts (the module's `lookupTable`).
    fn table(decay: f64) -> Vec<f64> {
        (0..LOOKUP).map(|i| decay.powf(i as f64)).collect()
    }

    fn cells_for(k: u32, width: u32, depth: u32) -> Option<usize> {
        let cells = u64::from(width) * u64::from(depth);
        // Our slots are larger than the module's 24 bytes: count ours.
        // Checked: width * depth * 8 overflows u64 for the largest
        // widths and depths, and a wrapped total would pass the limit.
        let bytes = cells
            .checked_mul(8)
            .and_then(|b| b.checked_add(u64::from(k) * std::mem::size_of::<Slot>() as u64))?;
        (k > 0 && cells > 0 && bytes <= MAX_BYTES).then_some(cells as usize)
    }

    /// A uniform draw in [0, 1] (`rand() / RAND_MAX`).
    fn chance(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 33) as f64 / f64::from(u32::MAX >> 1)
    }

    fn decay_for(&self, count: u32) -> f64 {
        let c = count as usize;
        if c < LOOKUP {
            self.lookup[c]
        } else {
            self.lookup[LOOKUP - 1].powf((c / (LOOKUP - 1)) as f64) * self.lookup[c % (LOOKUP - 1)]
        }
    }

    fn find(&self, fp: u32, item: &[u8]) -> Option<usize> {
        (0..self.heap.len()).rev().find(|&i| self.heap[i].is(fp, item))
    }

    fn loc(&self, item: &[u8], row: u32) -> usize {
        (row as usize) * self.width as usize + (murmur2(item, row) % self.width) as usize
    }

    /// `TopK_Add`: the item pushed out of the heap when this one entered
    /// it in place of an occupied slot.
    pub fn add(&mut self, item: &[u8], incr: u32) -> Option<Vec<u8>> {
        let fp = murmur2(item, FP_SEED);
        let heap_min = self.heap[0].count;
        let mut max = 0u32;
        for row in 0..self.depth {
            let i = self.loc(item, row);
            let b = self.data[i];
            if b.count == 0 {
                self.data[i] = Bucket { fp, count: incr };
                max = max.max(incr);
            } else if b.fp == fp {
                let c = b.count.wrapping_add(incr);
                self.data[i].count = c;
                max = max.max(c);
            } else {
                let mut local = incr;
                while local > 0 {
                    let d = self.decay_for(self.data[i].count);
                    if self.chance() < d {
                        self.data[i].count -= 1;
                        if self.data[i].count == 0 {
                            self.data[i] = Bucket { fp, count: local };
                            max = max.max(local);
                            break;
                        }
                    }
                    local -= 1;
                }
            }
        }
        if max < heap_min {
            return None;
        }
        if let Some(j) = self.find(fp, item) {
            self.heap[j].count = max;
            heapify_down(&mut self.heap, j);
            return None;
        }
        let old = std::mem::replace(
            &mut self.heap[0],
            Slot {
                fp,
                count: max,
                item: Some(item.to_vec()),
            },
        );
        heapify_down(&mut self.heap, 0);
        old.item
    }

    /// `TopK_Query`.
    pub fn query(&self, item: &[u8]) -> bool {
        self.find(murmur2(item, FP_SEED), item).is_some()
    }

    /// `TopK_Count`.
    pub fn count(&self, item: &[u8]) -> u32 {
        let fp = murmur2(item, FP_SEED);
        let heap_min = self.heap[0].count;
        let in_heap = self.find(fp, item).is_some();
        let mut res = 0;
        for row in 0..self.depth {
            let b = self.data[self.loc(item, row)];
            if b.fp == fp && (!in_heap || b.count >= heap_min) {
                res = res.max(b.count);
            }
        }
        res
    }

    /// `TopK_List`: the slots by descending count (ties keep heap order,
    /// as glibc's merge-sorting `qsort` leaves them).
    pub fn list(&self) -> Vec<&Slot> {
        let mut v: Vec<&Slot> = self.heap.iter().collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.count));
        v
    }

    /// What the module's `mem_usage` callback reports.
    pub fn module_size(&self) -> u64 {
        // sizeof(TopK): k, width, depth, decay, two pointers, the table.
        let header = 4 * 3 + 4 + 8 + 8 + 8 + 8 * LOOKUP as u64;
        header + self.data.len() as u64 * 8 + u64::from(self.k) * HEAP_BUCKET as u64
    }
}

/// The module's `heapifyDown` on a min-heap by count (its exact moves, so
/// equal counts end in the same slots).
fn heapify_down(h: &mut [Slot], mut start: usize) {
    let len = h.len();
    if len < 2 || (len - 2) / 2 < start {
        return;
    }
    let mut child = 2 * start + 1;
    if child + 1 < len && h[child].count > h[child + 1].count {
        child += 1;
    }
    if h[child].count > h[start].count {
        return;
    }
    let top = std::mem::take(&mut h[start]);
    loop {
        h[start] = std::mem::take(&mut h[child]);
        start = child;
        if (len - 2) / 2 < child {
            break;
        }
        child = 2 * child + 1;
        if child + 1 < len && h[child].count > h[child + 1].count {
            child += 1;
        }
        if h[child].count >= top.count {
            break;
        }
    }
    h[start] = top;
}

impl StackType for TopK {
    const INFO: TypeInfo = TypeInfo {
        name: "TopK-TYPE",
        encver: 0,
        module: "bf",
    };

    fn save<W: Write>(&self, w: &mut FieldWriter<'_, W>) -> io::Result<()> {
        w.unsigned(u64::from(self.k))?;
        w.unsigned(u64::from(self.width))?;
        w.unsigned(u64::from(self.depth))?;
        w.double(self.decay)?;
        let mut buf = Vec::with_capacity(self.data.len() * 8);
        for b in &self.data {
            buf.extend_from_slice(&b.fp.to_le_bytes());
            buf.extend_from_slice(&b.count.to_le_bytes());
        }
        w.string(&buf)?;
        let mut heap = Vec::with_capacity(self.heap.len() * HEAP_BUCKET);
        for s in &self.heap {
            let len = s.item.as_deref().map_or(0, |i| i.len() as u32);
            heap.extend_from_slice(&s.fp.to_le_bytes());
            heap.extend_from_slice(&len.to_le_bytes());
            heap.extend_from_slice(&[0; 8]);
            heap.extend_from_slice(&s.count.to_le_bytes());
            heap.extend_from_slice(&[0; 4]);
        }
        w.string(&heap)?;
        for s in &self.heap {
            let mut item = s.item.as_deref().map_or(&[][..], c_str).to_vec();
            item.push(0);
            w.string(&item)?;
        }
        Ok(())
    }

    fn load<R: Read>(r: &mut FieldReader<'_, R>, encver: u32) -> LoadResult<Self> {
        if encver > 0 {
            return corrupt(format!("Top-K encoding version {encver} is not supported"));
        }
        let small = |v: u64| u32::try_from(v).ok().filter(|&v| v > 0);
        let (k, width, depth) = (r.unsigned()?, r.unsigned()?, r.unsigned()?);
        let decay = r.double()?;
        let (Some(k), Some(width), Some(depth)) = (small(k), small(width), small(depth)) else {
            return corrupt("Top-K dimensions out of range");
        };
        if !(decay > 0.0 && decay <= 1.0) {
            return corrupt("Top-K decay out of range");
        }
        if TopK::cells_for(k, width, depth).is_none() {
            return corrupt("Top-K too large");
        }
        // Both strings arrive before anything is sized from k or the
        // dimensions.
        let data = r.string()?;
        if data.len() as u64 != u64::from(width) * u64::from(depth) * 8 {
            return corrupt("Top-K buckets do not match its dimensions");
        }
        let heap = r.string()?;
        if heap.len() as u64 != u64::from(k) * HEAP_BUCKET as u64 {
            return corrupt("Top-K heap does not match k");
        }
        let mut t = TopK {
            k,
            width,
            depth,
            decay,
            data: data
                .chunks_exact(8)
                .map(|d| Bucket {
                    fp: u32::from_le_bytes([d[0], d[1], d[2], d[3]]),
                    count: u32::from_le_bytes([d[4], d[5], d[6], d[7]]),
                })
                .collect(),
            heap: heap
                .chunks_exact(HEAP_BUCKET)
                .map(|h| Slot {
                    fp: u32::from_le_bytes([h[0], h[1], h[2], h[3]]),
                    count: u32::from_le_bytes([h[16], h[17], h[18], h[19]]),
                    item: None,
                })
                .collect(),
            lookup: Self::table(decay),
            rng: SEED,
        };
        for s in t.heap.iter_mut() {
            let mut item = r.string()?;
            s.item = match item.len() {
                0 => return corrupt("Top-K item without its NUL"),
                1 => None,
                n => {
                    item.truncate(n - 1);
                    Some(item)
                }
            };
        }
        Ok(t)
    }

    fn rewrite(&self, key: &[u8]) -> Vec<Vec<Vec<u8>>> {
        use crate::object::{Obj, ValueRef};
        let obj = Obj::Stack(super::StackValue::TopK(Box::new(self.clone())));
        let payload = crate::persist::dump::dump_payload(ValueRef::Obj(&obj), true);
        vec![vec![b"RESTORE".to_vec(), key.to_vec(), b"0".to_vec(), payload]]
    }

    /// The module has no digest callback.
    fn digest(&self, _d: &mut ModuleDigest) {}

    fn mem_usage(&self) -> usize {
        self.module_size() as usize
    }

    fn free_effort(&self) -> usize {
        self.heap.len()
    }

    #[cfg(test)]
    fn samples() -> Vec<Self> {
        let mut v = Vec::new();
        if let Some(mut t) = TopK::new(3, 8, 7, 0.9) {
            for i in 0..40u32 {
                t.add(format!("i{}", i % 7).as_bytes(), i % 5);
            }
            v.push(t);
        }
        v.extend(TopK::new(1, 1, 1, 1.0));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expelled items, heap slots in place and counts as RedisBloom 2.8.7's
    /// own topk.c gives them for the same adds (no bucket collisions, so
    /// no random decay).
    #[test]
    fn matches_the_module() {
        let mut t = TopK::new(4, 1000, 4, 0.9).unwrap();
        let mut expelled = Vec::new();
        for i in 0..60u32 {
            let e = t.add(format!("w{}", (i * 7) % 11).as_bytes(), i % 5 + 1);
            expelled.push(e.map_or("-".to_string(), |e| String::from_utf8(e).unwrap()));
        }
        let want = "-,-,-,-,w0,-,w7,w9,w3,w5,-,-,w10,w1,w8,-,-,w7,w9,w6,-,-,-,w3,w5,-,-,-,w1,w7,w9,-,-,w10,w1,-,w0,-,-,w5,w10,-,-,-,w3,-,w5,w9,w0,w10,w6,w2,w9,w5,w1,w8,-,-,w4,w0";
        assert_eq!(expelled.join(","), want);
        let heap: Vec<_> = t
            .heap
            .iter()
            .map(|s| (String::from_utf8(s.item.clone().unwrap()).unwrap(), s.count, s.fp))
            .collect();
        let h = |s: &str, c, f| (s.to_string(), c, f);
        assert_eq!(
            heap,
            vec![
                h("w7", 17, 2459170647),
                h("w10", 19, 2015232761),
                h("w3", 18, 3429035819),
                h("w6", 20, 636933646)
            ]
        );
        let counts: Vec<u32> = (0..11).map(|i| t.count(format!("w{i}").as_bytes())).collect();
        assert_eq!(counts, [16, 15, 15, 18, 15, 15, 20, 17, 15, 15, 19]);
    }

    #[test]
    fn heap_keeps_the_heaviest() {
        let mut t = TopK::new(2, 50, 4, 0.9).unwrap();
        assert_eq!(t.add(b"a", 5), None);
        assert_eq!(t.add(b"b", 3), None);
        assert_eq!(t.add(b"c", 4), Some(b"b".to_vec()));
        assert_eq!(t.add(b"b", 0), None);
        assert!(t.query(b"a") && t.query(b"c") && !t.query(b"b"));
        assert_eq!(t.count(b"a"), 5);
        let l: Vec<_> = t.list().iter().map(|s| (s.item.clone().unwrap(), s.count)).collect();
        assert_eq!(l, vec![(b"a".to_vec(), 5), (b"c".to_vec(), 4)]);
        assert!(TopK::new(1, u32::MAX, u32::MAX, 0.9).is_none());
    }
}
