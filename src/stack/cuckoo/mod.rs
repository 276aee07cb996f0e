//! Cuckoo filters (RedisBloom 2.8's `MBbloomCF` type, `CF.*`).
//!
//! The module's layout, so counts, sizes, SCANDUMP chunks and RDB match:
//! a filter is a list of sub-filters of `buckets * expansion^i` buckets
//! of `bucket_size` one-byte fingerprints (0 is an empty slot). An item
//! hashes with MurmurHash64A (seed 0) to `h`; its fingerprint is
//! `h % 255 + 1`, its buckets `h` and `h ^ (fp * 0x5bd1e995)`, each taken
//! modulo a sub-filter's bucket count. Inserts go to the first free slot
//! of the newest sub-filter that has one, else kick fingerprints around
//! the newest sub-filter up to `max_iterations` times (undoing the moves
//! when that fails), else grow a new sub-filter (unless expansion is 0).
//! A delete that brings deletions above 10% of the items compacts.
//!
//! RDB (encoding version 4; older versions load): unsigned sub-filter
//! count, buckets, items, deletes, bucket size, max iterations,
//! expansion, then per sub-filter its bucket count and its slots as one
//! string. SCANDUMP's header is packed little-endian: u64 items, u64
//! buckets, u64 deletes, u64 sub-filters, u16 bucket size, u16 max
//! iterations, u16 expansion (38 bytes); then the sub-filters' slots.

pub mod commands;

use super::rdb::{FieldReader, FieldWriter};
use super::{ModuleDigest, StackType, TypeInfo};
use crate::persist::rdb::codec::{corrupt, LoadResult};
use crate::stack::bloom::murmur64a;
use std::io::{self, Read, Write};

pub const DEFAULT_BUCKET_SIZE: u16 = 2;
pub const DEFAULT_MAX_ITERATIONS: u16 = 20;
pub const DEFAULT_EXPANSION: u16 = 1;
pub const MAX_BUCKET_SIZE: i64 = 255;
pub const MAX_ITERATIONS: i64 = 65535;
pub const MAX_EXPANSION: i64 = 32768;
const MAX_NUM_BUCKETS: u64 = 0x00FF_FFFF_FFFF_FFFF;
/// The most slots one sub-filter may have here (the kick loop indexes
/// buckets with 32-bit arithmetic, as the module does).
const MAX_SLOTS: u64 = 1 << 32;
const HEADER_LEN: usize = 38;
const ALT: u64 = 0x5bd1e995;

/// One sub-filter (`SubCF`).
#[derive(Clone, Debug, PartialEq)]
pub struct SubFilter {
    pub buckets: u64,
    pub data: Vec<u8>,
}

/// A cuckoo filter (`CuckooFilter`).
#[derive(Clone, Debug, PartialEq)]
pub struct Cuckoo {
    /// Buckets of the first sub-filter.
    pub buckets: u64,
    pub items: u64,
    pub deletes: u64,
    pub bucket_size: u16,
    pub max_iterations: u16,
    pub expansion: u16,
    pub filters: Vec<SubFilter>,
}

/// `CuckooInsertStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Insert {
    Inserted,
    Exists,
    NoSpace,
    NoMemory,
}

#[derive(Clone, Copy)]
struct Params {
    h1: u64,
    h2: u64,
    fp: u8,
}

fn alt(fp: u8, index: u64) -> u64 {
    index ^ (fp as u64).wrapping_mul(ALT)
}

fn params(hash: u64) -> Params {
    let fp = (hash % 255 + 1) as u8;
    Params {
        h1: hash,
        h2: alt(fp, hash),
        fp,
    }
}

/// `getNextN2`: the next power of two (0 stays 0).
fn next_pow2(n: u64) -> u64 {
    let mut n = n.wrapping_sub(1);
    n |= n >> 1;
    n |= n >> 2;
    n |= n >> 4;
    n |= n >> 8;
    n |= n >> 16;
    n |= n >> 32;
    n.wrapping_add(1)
}

pub fn hash(item: &[u8]) -> u64 {
    murmur64a(item, 0)
}

fn zeroed(n: u64) -> Option<Vec<u8>> {
    if n > MAX_SLOTS {
        return None;
    }
    let n = usize::try_from(n).ok()?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).ok()?;
    v.resize(n, 0);
    Some(v)
}

impl SubFilter {
    /// `SubCF_GetIndex` (32-bit result, as the module computes it).
    fn index(&self, h: u64, bs: u16) -> usize {
        ((h % self.buckets).wrapping_mul(bs as u64) as u32) as usize
    }

    fn bucket(&self, h: u64, bs: u16) -> &[u8] {
        let i = self.index(h, bs);
        &self.data[i..i + bs as usize]
    }

    fn find(&self, p: &Params, bs: u16) -> bool {
        self.bucket(p.h1, bs).contains(&p.fp) || self.bucket(p.h2, bs).contains(&p.fp)
    }

    fn count(&self, p: &Params, bs: u16) -> u64 {
        let c = |b: &[u8]| b.iter().filter(|&&x| x == p.fp).count() as u64;
        c(self.bucket(p.h1, bs)) + c(self.bucket(p.h2, bs))
    }

    /// The first free slot of either bucket.
    fn available(&self, p: &Params, bs: u16) -> Option<usize> {
        for h in [p.h1, p.h2] {
            let i = self.index(h, bs);
            if let Some(j) = self.data[i..i + bs as usize].iter().position(|&x| x == 0) {
                return Some(i + j);
            }
        }
        None
    }

    fn delete(&mut self, p: &Params, bs: u16) -> bool {
        for h in [p.h1, p.h2] {
            let i = self.index(h, bs);
            if let Some(j) = self.data[i..i + bs as usize].iter().position(|&x| x == p.fp) {
                self.data[i + j] = 0;
                return true;
            }
        }
        false
    }

    fn valid(&self, bs: u16) -> bool {
        self.buckets != 0
            && self.buckets <= MAX_NUM_BUCKETS
            && self.buckets.checked_mul(bs as u64) == Some(self.data.len() as u64)
            && (self.data.len() as u64) <= MAX_SLOTS
    }
}

impl Cuckoo {
    /// `CuckooFilter_Init`; `None` when the first sub-filter cannot be made.
    pub fn new(capacity: u64, bucket_size: u16, max_iterations: u16, expansion: u16) -> Option<Cuckoo> {
        let mut buckets = next_pow2(capacity / bucket_size.max(1) as u64);
        if buckets == 0 {
            buckets = 1;
        }
        let mut cf = Cuckoo {
            buckets,
            items: 0,
            deletes: 0,
            bucket_size,
            max_iterations,
            expansion: next_pow2(expansion as u64) as u16,
            filters: Vec::new(),
        };
        cf.grow().then_some(cf)
    }

    /// `CuckooFilter_Grow`.
    fn grow(&mut self) -> bool {
        let growth = (self.expansion as f64).powi(self.filters.len() as i32) as u64;
        if growth > MAX_NUM_BUCKETS / self.buckets {
            return false;
        }
        let buckets = self.buckets * growth;
        let Some(data) = buckets.checked_mul(self.bucket_size as u64).and_then(zeroed) else {
            return false;
        };
        self.filters.push(SubFilter { buckets, data });
        true
    }

    pub fn contains(&self, h: u64) -> bool {
        let p = params(h);
        self.filters.iter().any(|f| f.find(&p, self.bucket_size))
    }

    pub fn count(&self, h: u64) -> u64 {
        let p = params(h);
        self.filters.iter().map(|f| f.count(&p, self.bucket_size)).sum()
    }

    pub fn delete(&mut self, h: u64) -> bool {
        let p = params(h);
        let bs = self.bucket_size;
        for i in (0..self.filters.len()).rev() {
            if self.filters[i].delete(&p, bs) {
                self.items = self.items.wrapping_sub(1);
                self.deletes += 1;
                if self.filters.len() > 1 && self.deletes as f64 > self.items as f64 * 0.10 {
                    self.compact(false);
                }
                return true;
            }
        }
        false
    }

    pub fn insert(&mut self, h: u64, unique: bool) -> Insert {
        let p = params(h);
        if unique && self.filters.iter().any(|f| f.find(&p, self.bucket_size)) {
            return Insert::Exists;
        }
        self.insert_fp(&p)
    }

    fn insert_fp(&mut self, p: &Params) -> Insert {
        let bs = self.bucket_size;
        for f in self.filters.iter_mut().rev() {
            if let Some(s) = f.available(p, bs) {
                f.data[s] = p.fp;
                self.items += 1;
                return Insert::Inserted;
            }
        }
        if self.kick_insert(p) {
            self.items += 1;
            return Insert::Inserted;
        }
        if self.expansion == 0 {
            return Insert::NoSpace;
        }
        if !self.grow() {
            return Insert::NoMemory;
        }
        self.insert_fp(p)
    }

    /// `Filter_KOInsert` on the newest sub-filter, with the module's
    /// 32-bit bucket arithmetic and its undo pass.
    fn kick_insert(&mut self, p: &Params) -> bool {
        let max = self.max_iterations;
        let bs = self.bucket_size as u32;
        let Some(f) = self.filters.last_mut() else {
            return false;
        };
        let n = f.buckets as u32;
        if n == 0 || bs == 0 {
            return false;
        }
        let mut fp = p.fp;
        let mut victim = 0u32;
        let mut ii = (p.h1 % n as u64) as u32;
        for _ in 0..max {
            let b = ii.wrapping_mul(bs) as usize;
            std::mem::swap(&mut f.data[b + victim as usize], &mut fp);
            ii = (alt(fp, ii as u64) % n as u64) as u32;
            let b = ii.wrapping_mul(bs) as usize;
            if let Some(j) = f.data[b..b + bs as usize].iter().position(|&x| x == 0) {
                f.data[b + j] = fp;
                return true;
            }
            victim = (victim + 1) % bs;
        }
        for _ in 0..max {
            victim = (victim + bs - 1) % bs;
            ii = (alt(fp, ii as u64) % n as u64) as u32;
            let b = ii.wrapping_mul(bs) as usize;
            std::mem::swap(&mut f.data[b + victim as usize], &mut fp);
        }
        false
    }

    /// `CuckooFilter_Compact`: moves fingerprints into older sub-filters,
    /// dropping emptied newest ones.
    pub fn compact(&mut self, cont: bool) {
        let mut i = self.filters.len();
        while i > 1 {
            if !self.compact_single(i - 1) && !cont {
                break;
            }
            i -= 1;
        }
        self.deletes = 0;
    }

    fn compact_single(&mut self, fi: usize) -> bool {
        let bs = self.bucket_size;
        let (older, rest) = self.filters.split_at_mut(fi);
        let cur = &mut rest[0];
        let mut ok = true;
        for b in 0..cur.buckets {
            for s in 0..bs as usize {
                let at = (b as usize) * bs as usize + s;
                let fp = cur.data[at];
                if fp == 0 {
                    continue;
                }
                let p = Params { h1: b, h2: alt(fp, b), fp };
                let home = older.iter_mut().find_map(|o| o.available(&p, bs).map(|x| (o, x)));
                match home {
                    Some((o, x)) => {
                        o.data[x] = fp;
                        cur.data[at] = 0;
                    }
                    None => ok = false,
                }
            }
        }
        if ok && fi + 1 == self.filters.len() {
            self.filters.pop();
        }
        ok
    }

    /// `CFSize` (CF.INFO Size, MEMORY USAGE's figure differs only in
    /// counting slots per sub-filter, which is the same number).
    pub fn module_size(&self) -> u64 {
        let buckets: u64 = self.filters.iter().map(|f| f.buckets).sum();
        40 + 16 * self.filters.len() as u64 + buckets * self.bucket_size as u64
    }

    pub fn header(&self) -> Vec<u8> {
        let mut h = Vec::with_capacity(HEADER_LEN);
        for v in [self.items, self.buckets, self.deletes, self.filters.len() as u64] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        for v in [self.bucket_size, self.max_iterations, self.expansion] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        h
    }

    fn valid(&self) -> bool {
        self.bucket_size != 0
            && self.bucket_size as i64 <= MAX_BUCKET_SIZE
            && self.buckets != 0
            && self.buckets <= MAX_NUM_BUCKETS
            && self.buckets.is_power_of_two()
            && !self.filters.is_empty()
            && self.filters.len() <= u16::MAX as usize
            && self.max_iterations != 0
            && self.filters.iter().all(|f| f.valid(self.bucket_size))
    }

    /// `CFHeader_Load`: `None` for what the module refuses or cannot
    /// allocate.
    pub fn from_header(b: &[u8]) -> Option<Cuckoo> {
        if b.len() != HEADER_LEN {
            return None;
        }
        let u64_at = |o: usize| b.get(o..o + 8).and_then(|s| s.try_into().ok()).map(u64::from_le_bytes);
        let u16_at = |o: usize| b.get(o..o + 2).and_then(|s| s.try_into().ok()).map(u16::from_le_bytes);
        let nfilters = u64_at(24)? as u16;
        let mut cf = Cuckoo {
            items: u64_at(0)?,
            buckets: u64_at(8)?,
            deletes: u64_at(16)?,
            bucket_size: u16_at(32)?,
            max_iterations: u16_at(34)?,
            expansion: u16_at(36)?,
            filters: Vec::new(),
        };
        if cf.bucket_size == 0
            || cf.bucket_size as i64 > MAX_BUCKET_SIZE
            || cf.buckets == 0
            || cf.buckets > MAX_NUM_BUCKETS
            || !cf.buckets.is_power_of_two()
            || nfilters == 0
            || cf.max_iterations == 0
        {
            return None;
        }
        // Sizes first: nothing is allocated for a header whose filters
        // would add up to more than one sub-filter may hold.
        let mut sizes = Vec::new();
        let mut total = 0u64;
        for i in 0..nfilters {
            let buckets = (cf.buckets as f64 * (cf.expansion as f64).powi(i as i32)) as u64;
            let slots = buckets.checked_mul(cf.bucket_size as u64)?;
            total = total.checked_add(slots)?;
            if total > MAX_SLOTS {
                return None;
            }
            sizes.push((buckets, slots));
        }
        for (buckets, slots) in sizes {
            let data = zeroed(slots)?;
            cf.filters.push(SubFilter { buckets, data });
        }
        cf.valid().then_some(cf)
    }

    /// `CF_GetEncodedChunk`: the chunk at `pos` (>= 1) and the next
    /// position.
    pub fn chunk(&self, pos: i64) -> Option<(i64, &[u8])> {
        let mut offset = pos.checked_sub(1)? as i128;
        for f in &self.filters {
            let size = f.data.len() as i128;
            if offset < size {
                if offset < 0 {
                    return None;
                }
                let off = offset as usize;
                if f.data.len() <= crate::stack::bloom::MAX_CHUNK {
                    return Some((pos + f.data.len() as i64, &f.data));
                }
                let len = (f.data.len() - off).min(crate::stack::bloom::MAX_CHUNK);
                return Some((pos + len as i64, &f.data[off..off + len]));
            }
            offset -= size;
        }
        None
    }

    /// `CF_LoadEncodedChunk`.
    pub fn load_chunk(&mut self, pos: i64, data: &[u8]) -> bool {
        if data.is_empty() || pos <= 0 || ((pos - 1) as u64) < data.len() as u64 {
            return false;
        }
        let mut offset = pos as i128 - data.len() as i128 - 1;
        let mut target = None;
        let n = self.filters.len();
        for (i, f) in self.filters.iter().enumerate() {
            let size = f.data.len() as i128;
            if offset < size || i + 1 == n {
                target = Some(i);
                break;
            }
            offset -= size;
        }
        let Some(i) = target else { return false };
        let f = &mut self.filters[i];
        if offset < 0 || offset + data.len() as i128 > f.data.len() as i128 {
            return false;
        }
        let off = offset as usize;
        f.data[off..off + data.len()].copy_from_slice(data);
        true
    }
}

impl StackType for Cuckoo {
    const INFO: TypeInfo = TypeInfo {
        name: "MBbloomCF",
        encver: 4,
        module: "bf",
    };

    fn save<W: Write>(&self, w: &mut FieldWriter<'_, W>) -> io::Result<()> {
        w.unsigned(self.filters.len() as u64)?;
        w.unsigned(self.buckets)?;
        w.unsigned(self.items)?;
        w.unsigned(self.deletes)?;
        w.unsigned(self.bucket_size as u64)?;
        w.unsigned(self.max_iterations as u64)?;
        w.unsigned(self.expansion as u64)?;
        for f in &self.filters {
            w.unsigned(f.buckets)?;
            w.string(&f.data)?;
        }
        Ok(())
    }

    fn load<R: Read>(r: &mut FieldReader<'_, R>, encver: u32) -> LoadResult<Self> {
        if encver > 4 {
            return corrupt(format!("Cuckoo filter encoding version {encver} is not supported"));
        }
        let n = r.unsigned()?;
        let buckets = r.unsigned()?;
        let items = r.unsigned()?;
        let small = |v: u64| u16::try_from(v).ok();
        let (deletes, bs, mi, ex) = if encver < 4 {
            (0, Some(DEFAULT_BUCKET_SIZE), Some(DEFAULT_MAX_ITERATIONS), Some(DEFAULT_EXPANSION))
        } else {
            (r.unsigned()?, small(r.unsigned()?), small(r.unsigned()?), small(r.unsigned()?))
        };
        let (Some(bucket_size), Some(max_iterations), Some(expansion)) = (bs, mi, ex) else {
            return corrupt("Cuckoo filter parameters out of range");
        };
        if n == 0 || n > u16::MAX as u64 {
            return corrupt("Cuckoo filter sub-filter count out of range");
        }
        let mut filters = Vec::new();
        for _ in 0..n {
            let b = if encver < 4 { buckets } else { r.unsigned()? };
            let data = r.string()?;
            filters.push(SubFilter { buckets: b, data });
        }
        let cf = Cuckoo {
            buckets,
            items,
            deletes,
            bucket_size,
            max_iterations,
            expansion,
            filters,
        };
        if !cf.valid() {
            return corrupt("Cuckoo filter fails its integrity check");
        }
        Ok(cf)
    }

    fn rewrite(&self, key: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let cmd = |pos: i64, data: &[u8]| vec![b"CF.LOADCHUNK".to_vec(), key.to_vec(), pos.to_string().into_bytes(), data.to_vec()];
        let mut out = vec![cmd(1, &self.header())];
        let mut pos = 1;
        while let Some((next, data)) = self.chunk(pos) {
            out.push(cmd(next, data));
            pos = next;
        }
        out
    }

    /// The module has no digest callback.
    fn digest(&self, _d: &mut ModuleDigest) {}

    fn mem_usage(&self) -> usize {
        self.module_size() as usize
    }

    fn free_effort(&self) -> usize {
        self.filters.len()
    }

    #[cfg(test)]
    fn samples() -> Vec<Self> {
        let mut v = Vec::new();
        if let Some(mut c) = Cuckoo::new(8, 2, 20, 1) {
            for i in 0..30 {
                c.insert(hash(format!("i{i}").as_bytes()), false);
            }
            v.push(c);
        }
        v.extend(Cuckoo::new(1024, 4, 500, 0));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_layout_and_growth() {
        let mut c = Cuckoo::new(1000, 2, 20, 1).unwrap();
        assert_eq!((c.buckets, c.filters.len(), c.module_size()), (512, 1, 40 + 16 + 1024));
        for i in 0..3000 {
            assert_eq!(c.insert(hash(format!("{i}").as_bytes()), false), Insert::Inserted);
        }
        assert!(c.filters.len() > 1);
        for i in 0..3000 {
            assert!(c.contains(hash(format!("{i}").as_bytes())));
        }
        for i in 0..3000 {
            assert!(c.delete(hash(format!("{i}").as_bytes())));
        }
        assert_eq!(c.items, 0);
        assert_eq!(c.filters.len(), 1);
        let mut n = Cuckoo::new(4, 2, 5, 0).unwrap();
        let mut full = false;
        for i in 0..20 {
            if n.insert(hash(format!("{i}").as_bytes()), false) == Insert::NoSpace {
                full = true;
            }
        }
        assert!(full);
        assert_eq!(n.filters.len(), 1);
    }

    /// Reference from the module's own cuckoo.c (v2.8.7) built with libc
    /// allocators: 40 inserts and 10 deletes into an 8-item filter with
    /// expansion 2 (growth, kick-outs and a compaction on the way).
    #[test]
    fn slots_match_the_module() {
        let mut c = Cuckoo::new(8, 2, 20, 2).unwrap();
        for i in 0..40 {
            assert_eq!(c.insert(hash(format!("i{i}").as_bytes()), false), Insert::Inserted);
        }
        for i in 0..10 {
            c.delete(hash(format!("i{i}").as_bytes()));
        }
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!((c.filters.len(), c.items, c.deletes), (3, 30, 2));
        assert_eq!(hex(&c.filters[0].data), "04213eb19f89c282");
        assert_eq!(hex(&c.filters[1].data), "120e00009cc2c04506644e0f4a6a6e00");
        assert_eq!(
            hex(&c.filters[2].data),
            "00000000000000000000000000e80000f421a3000000014d000043004ec70000"
        );
    }

    #[test]
    fn hostile_headers_and_chunks() {
        let mut c = Cuckoo::new(100, 2, 20, 2).unwrap();
        for i in 0..300 {
            c.insert(hash(format!("{i}").as_bytes()), false);
        }
        let h = c.header();
        let mut d = Cuckoo::from_header(&h).unwrap();
        let mut pos = 1;
        while let Some((next, data)) = c.chunk(pos) {
            assert!(d.load_chunk(next, data));
            pos = next;
        }
        assert_eq!(c, d);
        for i in 0..h.len() {
            let mut x = h.clone();
            x[i] ^= 0xa5;
            if let Some(mut y) = Cuckoo::from_header(&x) {
                y.insert(hash(b"p"), false);
                y.delete(hash(b"p"));
            }
        }
        assert!(!d.load_chunk(1, b"x"));
        assert!(!d.load_chunk(i64::MAX, b"x"));
        assert!(!d.load_chunk(-5, b"x"));
    }
}
