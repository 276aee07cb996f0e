//! Scalable Bloom filters (RedisBloom 2.8's `MBbloom--` type, `BF.*`).
//!
//! The layout is the module's, so that sizes, false positives, SCANDUMP
//! chunks and RDB payloads match it for the same parameters:
//!
//! - A filter is a chain of links. The first link is built for the
//!   reserved capacity at half the requested error rate (the full rate
//!   when the filter does not scale); when the last link holds as many
//!   items as it was built for, a new link `expansion` times larger at
//!   half the previous link's error rate is appended.
//! - A link for `n` items at error `e` has `bpe = |ln e| / ln(2)^2` bits
//!   per item and `ceil(0.693147180559945 * bpe)` hashes; the module
//!   creates filters with the "no rounding" and "64-bit hash" options, so
//!   its bit count is `trunc(n * bpe)` (at least 1) rounded up to whole
//!   64-bit words, and its capacity stays `n`. Older filters (from RDB or
//!   SCANDUMP) may use a power-of-two bit count (`n2`) or 32-bit hashing;
//!   both still work.
//! - An item hashes to `(a, b)`: MurmurHash64A of its bytes with seed
//!   0xc6a4a7935bd1e995, then again with seed `a` (32-bit filters use
//!   MurmurHash2 with seed 0x9747b28c, then `a`). Hash `i` sets bit
//!   `(a + i*b) mod bits` (mod `2^n2` when `n2` is set), LSB first in
//!   each byte.
//!
//! RDB (encoding version 4; versions 0 to 3 load): unsigned total items,
//! link count, options, expansion; per link unsigned capacity, double
//! error, unsigned hashes, double bpe, unsigned bits, unsigned n2, the
//! bit array as one string, unsigned items in the link (version 0 has no
//! bits/n2, version 1 no options, versions below 4 no expansion).
//!
//! SCANDUMP's first chunk (iterator 1) is the packed little-endian header
//! (u64 items, u32 links, u32 options, u32 expansion, then per link u64
//! bytes, u64 bits, u64 items, f64 error, f64 bpe, u32 hashes, u64
//! capacity, u8 n2: 53 bytes); the following chunks are the links' bit
//! arrays in order, at most 16 MiB each, the iterator being one plus the
//! byte offset just past the chunk.

pub mod commands;

use super::rdb::{FieldReader, FieldWriter};
use super::{ModuleDigest, StackType, TypeInfo};
use crate::persist::rdb::codec::{corrupt, LoadResult};
use std::io::{self, Read, Write};

/// `BLOOM_OPT_NOROUND`: the bit count is not rounded to a power of two.
pub const OPT_NOROUND: u32 = 1;
/// `BLOOM_OPT_ENTS_IS_BITS`: capacity given as log2 of the bits.
pub const OPT_ENTS_IS_BITS: u32 = 2;
/// `BLOOM_OPT_FORCE64`: 64-bit hashing.
pub const OPT_FORCE64: u32 = 4;
/// `BLOOM_OPT_NO_SCALING`: a full filter refuses new items.
pub const OPT_NO_SCALING: u32 = 8;
const OPT_ALL: u32 = OPT_NOROUND | OPT_ENTS_IS_BITS | OPT_FORCE64 | OPT_NO_SCALING;

/// The module's truncated ln(2): the hash count is computed with it.
#[allow(clippy::approx_constant)]
const LN2: f64 = 0.693147180559945;
const LN2_SQUARED: f64 = 0.480453013918201;
/// The most hashes a link can legitimately have (error rates down to the
/// smallest double); more is refused when loading.
const MAX_HASHES: u32 = 1100;
/// The largest bit array one link (and a whole SCANDUMP header's chain)
/// may take: 4 GiB, some 3 billion items at 1%. Beyond it a request fails
/// as the module's allocation would, before anything is allocated.
const MAX_LINK_BYTES: u64 = 1 << 32;
/// `MAX_SCANDUMP_SIZE`.
pub const MAX_CHUNK: usize = 16 * 1024 * 1024;
const HEADER_LEN: usize = 20;
const LINK_LEN: usize = 53;

/// One link of the chain (`SBLink` with its `struct bloom`).
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Items the link was built for (`entries`).
    pub capacity: u64,
    pub error: f64,
    pub bpe: f64,
    pub hashes: u32,
    /// log2 of the bit count when it is a power of two, else 0.
    pub n2: u8,
    pub bits: u64,
    /// Items added to this link.
    pub items: u64,
    pub bf: Vec<u8>,
}

/// Why a link could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitError {
    Invalid,
    NoMemory,
}

fn bits_per_entry(error: f64) -> f64 {
    (error.ln() / LN2_SQUARED).abs()
}

fn hashes_for(bpe: f64) -> u32 {
    (LN2 * bpe).ceil() as u32
}

fn zeroed(n: u64) -> Result<Vec<u8>, InitError> {
    if n > MAX_LINK_BYTES {
        return Err(InitError::NoMemory);
    }
    let n = usize::try_from(n).map_err(|_| InitError::NoMemory)?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| InitError::NoMemory)?;
    v.resize(n, 0);
    Ok(v)
}

impl Link {
    /// `bloom_init` for `entries` items at `error`, with chain `options`.
    pub fn new(entries: u64, error: f64, options: u32) -> Result<Link, InitError> {
        if entries < 1 || error <= 0.0 || error >= 1.0 || error.is_nan() {
            return Err(InitError::Invalid);
        }
        let bpe = bits_per_entry(error);
        let mut capacity = entries;
        let (n2, bits) = if options & OPT_ENTS_IS_BITS != 0 {
            if entries > 63 {
                return Err(InitError::Invalid);
            }
            let bits = 1u64 << entries;
            capacity = (bits as f64 / bpe) as u64;
            (entries as u8, bits)
        } else if options & OPT_NOROUND != 0 {
            (0, ((entries as f64 * bpe) as u64).max(1))
        } else {
            let want = entries as f64 * bpe;
            let e = want.log2().floor();
            if !e.is_finite() || e > 62.0 {
                return Err(InitError::Invalid);
            }
            let n2 = e as u8 + 1;
            let bits = 1u64 << n2;
            let spare = (bits as f64 - want) as u64;
            capacity += (spare as f64 / bpe) as u64;
            (n2, bits)
        };
        let bytes = bits.div_ceil(64) * 8;
        Ok(Link {
            capacity,
            error,
            bpe,
            hashes: hashes_for(bpe),
            n2,
            bits: bytes * 8,
            items: 0,
            bf: zeroed(bytes)?,
        })
    }

    fn modulus(&self) -> u64 {
        if self.n2 > 0 {
            1u64 << self.n2
        } else {
            self.bits
        }
    }

    fn bit_indexes(&self, h: Hash) -> impl Iterator<Item = usize> + '_ {
        let m = self.modulus();
        (0..self.hashes as u64).map(move |i| (h.a.wrapping_add(i.wrapping_mul(h.b)) % m) as usize)
    }

    fn check(&self, h: Hash) -> bool {
        self.bit_indexes(h).all(|x| self.bf[x >> 3] & (1 << (x & 7)) != 0)
    }

    /// Sets the item's bits; true when one was unset (the item is new).
    fn add(&mut self, h: Hash) -> bool {
        let m = self.modulus();
        let mut fresh = false;
        for i in 0..self.hashes as u64 {
            let x = (h.a.wrapping_add(i.wrapping_mul(h.b)) % m) as usize;
            let mask = 1u8 << (x & 7);
            if self.bf[x >> 3] & mask == 0 {
                self.bf[x >> 3] |= mask;
                fresh = true;
            }
        }
        fresh
    }

    /// `bloom_validate_integrity`, plus what keeps every bit index inside
    /// the array and the work per item bounded.
    fn valid(&self) -> bool {
        let bytes = self.bf.len() as u64;
        self.error > 0.0
            && self.error < 1.0
            && self.bits != 0
            && self.bits == bytes.wrapping_mul(8)
            && bytes <= MAX_LINK_BYTES
            && self.n2 <= 63
            && (self.n2 == 0 || self.bits >= 1u64 << self.n2)
            && self.bpe.is_finite()
            && self.hashes == hashes_for(self.bpe)
            && self.hashes <= MAX_HASHES
    }
}

/// The two hash values of an item.
#[derive(Clone, Copy, Debug)]
pub struct Hash {
    a: u64,
    b: u64,
}

/// MurmurHash64A as the module computes it (8-byte little-endian words).
pub fn murmur64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4a7935bd1e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut words = key.chunks_exact(8);
    for w in &mut words {
        let mut k = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        for (i, &c) in tail.iter().enumerate() {
            h ^= (c as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// MurmurHash2 (32-bit), for filters created without 64-bit hashing.
pub fn murmur2(key: &[u8], seed: u32) -> u32 {
    const M: u32 = 0x5bd1e995;
    let mut h = seed ^ key.len() as u32;
    let mut words = key.chunks_exact(4);
    for w in &mut words {
        let mut k = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> 24;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        for (i, &c) in tail.iter().enumerate() {
            h ^= (c as u32) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h
}

/// Why an add failed (`SBChain_Add`'s -2 and -1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddError {
    Full,
    Failed,
}

/// A scalable Bloom filter (`SBChain`).
#[derive(Clone, Debug, PartialEq)]
pub struct Bloom {
    /// Items added, all links together.
    pub items: u64,
    pub options: u32,
    /// The expansion factor.
    pub growth: u32,
    pub links: Vec<Link>,
}

impl Bloom {
    /// `SB_NewChain`: a filter as BF.RESERVE / BF.ADD create it.
    pub fn new(capacity: u64, error: f64, growth: u32, nonscaling: bool) -> Result<Bloom, InitError> {
        let options = OPT_FORCE64 | OPT_NOROUND | if nonscaling { OPT_NO_SCALING } else { 0 };
        Bloom::with_options(capacity, error, growth, options)
    }

    pub fn with_options(capacity: u64, error: f64, growth: u32, options: u32) -> Result<Bloom, InitError> {
        if capacity == 0 || error == 0.0 || error >= 1.0 {
            return Err(InitError::Invalid);
        }
        let tighten = if options & OPT_NO_SCALING != 0 { 1.0 } else { 0.5 };
        Ok(Bloom {
            items: 0,
            options,
            growth,
            links: vec![Link::new(capacity, error * tighten, options)?],
        })
    }

    pub fn scales(&self) -> bool {
        self.options & OPT_NO_SCALING == 0
    }

    fn hash(&self, item: &[u8]) -> Hash {
        if self.options & OPT_FORCE64 != 0 {
            let a = murmur64a(item, 0xc6a4a7935bd1e995);
            Hash { a, b: murmur64a(item, a) }
        } else {
            let a = murmur2(item, 0x9747b28c);
            Hash {
                a: a as u64,
                b: murmur2(item, a) as u64,
            }
        }
    }

    /// `SBChain_Check`.
    pub fn contains(&self, item: &[u8]) -> bool {
        let h = self.hash(item);
        self.links.iter().rev().any(|l| l.check(h))
    }

    /// `SBChain_Add`: true when the item was new.
    pub fn add(&mut self, item: &[u8]) -> Result<bool, AddError> {
        let h = self.hash(item);
        if self.links.iter().rev().any(|l| l.check(h)) {
            return Ok(false);
        }
        let Some(last) = self.links.last() else {
            return Err(AddError::Failed);
        };
        if last.items >= last.capacity {
            if !self.scales() {
                return Err(AddError::Full);
            }
            let size = last.capacity.wrapping_mul(self.growth as u64);
            let link = Link::new(size, last.error * 0.5, self.options).map_err(|_| AddError::Failed)?;
            self.links.push(link);
        }
        let Some(cur) = self.links.last_mut() else {
            return Err(AddError::Failed);
        };
        let fresh = cur.add(h);
        if fresh {
            cur.items += 1;
            self.items += 1;
        }
        Ok(fresh)
    }

    /// Total capacity (BF.INFO `Capacity`).
    pub fn capacity(&self) -> u64 {
        self.links.iter().fold(0u64, |s, l| s.wrapping_add(l.capacity))
    }

    /// `BFMemUsage`: the chain and link structs of the module plus the bit
    /// arrays (BF.INFO `Size`, MEMORY USAGE).
    pub fn module_size(&self) -> u64 {
        32 + self.links.iter().map(|l| 64 + l.bf.len() as u64).sum::<u64>()
    }

    /// The SCANDUMP header (`SBChain_GetEncodedHeader`).
    pub fn header(&self) -> Vec<u8> {
        let mut h = Vec::with_capacity(HEADER_LEN + LINK_LEN * self.links.len());
        h.extend_from_slice(&self.items.to_le_bytes());
        h.extend_from_slice(&(self.links.len() as u32).to_le_bytes());
        h.extend_from_slice(&self.options.to_le_bytes());
        h.extend_from_slice(&self.growth.to_le_bytes());
        for l in &self.links {
            h.extend_from_slice(&(l.bf.len() as u64).to_le_bytes());
            h.extend_from_slice(&l.bits.to_le_bytes());
            h.extend_from_slice(&l.items.to_le_bytes());
            h.extend_from_slice(&l.error.to_le_bytes());
            h.extend_from_slice(&l.bpe.to_le_bytes());
            h.extend_from_slice(&l.hashes.to_le_bytes());
            h.extend_from_slice(&l.capacity.to_le_bytes());
            h.push(l.n2);
        }
        h
    }

    /// `SB_NewChainFromHeader`: `None` for anything the module refuses
    /// ("received bad data"), and for sizes it could not allocate.
    pub fn from_header(buf: &[u8]) -> Option<Bloom> {
        let u64_at = |o: usize| buf.get(o..o + 8).and_then(|s| s.try_into().ok()).map(u64::from_le_bytes);
        let u32_at = |o: usize| buf.get(o..o + 4).and_then(|s| s.try_into().ok()).map(u32::from_le_bytes);
        if buf.len() < HEADER_LEN {
            return None;
        }
        let items = u64_at(0)?;
        let n = u32_at(8)? as usize;
        let options = u32_at(12)?;
        let growth = u32_at(16)?;
        if n.checked_mul(LINK_LEN).and_then(|x| x.checked_add(HEADER_LEN)) != Some(buf.len()) {
            return None;
        }
        let mut links = Vec::with_capacity(n);
        let mut sizes = Vec::with_capacity(n);
        let mut total = 0u64;
        let mut all_bytes = 0u64;
        for i in 0..n {
            let o = HEADER_LEN + i * LINK_LEN;
            let bytes = u64_at(o)?;
            let l = Link {
                bits: u64_at(o + 8)?,
                items: u64_at(o + 16)?,
                error: f64::from_bits(u64_at(o + 24)?),
                bpe: f64::from_bits(u64_at(o + 32)?),
                hashes: u32_at(o + 40)?,
                capacity: u64_at(o + 44)?,
                n2: *buf.get(o + 52)?,
                bf: Vec::new(),
            };
            if bytes > MAX_LINK_BYTES || l.bits != bytes * 8 {
                return None;
            }
            total = total.checked_add(l.items)?;
            all_bytes += bytes;
            if all_bytes > MAX_LINK_BYTES {
                return None;
            }
            // The array is allocated once the whole header passed.
            let claimed = bytes;
            if !(l.error > 0.0 && l.error < 1.0)
                || l.bits == 0
                || l.n2 > 63
                || (l.n2 != 0 && l.bits < 1u64 << l.n2)
                || !l.bpe.is_finite()
                || l.hashes != hashes_for(l.bpe)
                || l.hashes > MAX_HASHES
            {
                return None;
            }
            sizes.push(claimed);
            links.push(l);
        }
        if options & !OPT_ALL != 0 || total != items {
            return None;
        }
        for (l, n) in links.iter_mut().zip(sizes) {
            l.bf = zeroed(n).ok()?;
            if !l.valid() {
                return None;
            }
        }
        Some(Bloom {
            items,
            options,
            growth,
            links,
        })
    }

    /// The link holding byte `pos` of the concatenated bit arrays, and the
    /// offset into it (`getLinkPos` with `pos = iter - 1`).
    fn link_at(&self, pos: u64) -> Option<(usize, usize)> {
        let mut seek = 0u64;
        for (i, l) in self.links.iter().enumerate() {
            let len = l.bf.len() as u64;
            if seek + len > pos {
                return Some((i, (pos - seek) as usize));
            }
            seek += len;
        }
        None
    }

    /// `SBChain_GetEncodedChunk`: the chunk at iterator `iter` (>= 1) and
    /// the next iterator, or `None` at the end.
    pub fn chunk(&self, iter: i64) -> Option<(i64, &[u8])> {
        if iter < 1 {
            return None;
        }
        let (i, off) = self.link_at(iter as u64 - 1)?;
        let bf = &self.links[i].bf;
        let len = (bf.len() - off).min(MAX_CHUNK);
        Some((iter + len as i64, &bf[off..off + len]))
    }

    /// `SBChain_LoadEncodedChunk`: the chunk SCANDUMP returned with next
    /// iterator `iter`.
    pub fn load_chunk(&mut self, iter: i64, data: &[u8]) -> Result<(), &'static str> {
        if iter <= 0 || (iter as u64) < data.len() as u64 {
            return Err("ERR received bad data");
        }
        let start = iter as u64 - data.len() as u64;
        if start < 1 {
            return Err("ERR invalid offset - no link found");
        }
        let Some((i, off)) = self.link_at(start - 1) else {
            return Err("ERR invalid offset - no link found");
        };
        let bf = &mut self.links[i].bf;
        if data.len() > bf.len() - off {
            return Err("ERR invalid chunk - Too big for current filter");
        }
        bf[off..off + data.len()].copy_from_slice(data);
        Ok(())
    }

    /// BF.DEBUG's lines.
    pub fn debug_lines(&self) -> Vec<String> {
        let mut v = vec![format!("size:{}", self.items)];
        for l in &self.links {
            let mut ratio = Vec::new();
            crate::util::num::push_f64_g(&mut ratio, l.error, 6);
            v.push(format!(
                "bytes:{} bits:{} hashes:{} hashwidth:{} capacity:{} size:{} ratio:{}",
                l.bf.len(),
                l.bits,
                l.hashes,
                if self.options & OPT_FORCE64 != 0 { 64 } else { 32 },
                l.capacity,
                l.items,
                String::from_utf8_lossy(&ratio)
            ));
        }
        v
    }
}

impl StackType for Bloom {
    const INFO: TypeInfo = TypeInfo {
        name: "MBbloom--",
        encver: 4,
        module: "bf",
    };

    fn save<W: Write>(&self, w: &mut FieldWriter<'_, W>) -> io::Result<()> {
        w.unsigned(self.items)?;
        w.unsigned(self.links.len() as u64)?;
        w.unsigned(self.options as u64)?;
        w.unsigned(self.growth as u64)?;
        for l in &self.links {
            w.unsigned(l.capacity)?;
            w.double(l.error)?;
            w.unsigned(l.hashes as u64)?;
            w.double(l.bpe)?;
            w.unsigned(l.bits)?;
            w.unsigned(l.n2 as u64)?;
            w.string(&l.bf)?;
            w.unsigned(l.items)?;
        }
        Ok(())
    }

    fn load<R: Read>(r: &mut FieldReader<'_, R>, encver: u32) -> LoadResult<Self> {
        if encver > 4 {
            return corrupt(format!("Bloom filter encoding version {encver} is not supported"));
        }
        let items = r.unsigned()?;
        let n = r.unsigned()?;
        if n == 0 {
            return corrupt("Bloom filter with no links");
        }
        let options = if encver >= 2 { r.unsigned()? } else { 0 };
        let growth = if encver >= 4 { r.unsigned()? } else { 2 };
        if options & !(OPT_ALL as u64) != 0 || growth > u32::MAX as u64 {
            return corrupt("Bloom filter options out of range");
        }
        let mut links = Vec::new();
        let mut total = 0u64;
        for _ in 0..n {
            let capacity = r.unsigned()?;
            let error = r.double()?;
            let hashes = r.unsigned()?;
            let bpe = r.double()?;
            let (bits, n2) = if encver == 0 {
                ((capacity as f64 * bpe) as u64, 0)
            } else {
                (r.unsigned()?, r.unsigned()?)
            };
            let bf = r.string()?;
            let link_items = r.unsigned()?;
            let Ok(hashes) = u32::try_from(hashes) else {
                return corrupt("Bloom filter link with too many hashes");
            };
            let Ok(n2) = u8::try_from(n2) else {
                return corrupt("Bloom filter link with a bad size");
            };
            let mut l = Link {
                capacity,
                error,
                bpe,
                hashes,
                n2,
                bits,
                items: link_items,
                bf,
            };
            if encver == 0 && l.bits <= l.bf.len() as u64 * 8 {
                // Version 0 kept the exact bit count; what the checks
                // below need is the array's size.
                l.bits = l.bf.len() as u64 * 8;
            }
            if !l.valid() {
                return corrupt("Bloom filter link fails its integrity check");
            }
            total = match total.checked_add(link_items) {
                Some(t) => t,
                None => return corrupt("Bloom filter item counts overflow"),
            };
            links.push(l);
        }
        if total != items {
            return corrupt("Bloom filter item counts disagree");
        }
        Ok(Bloom {
            items,
            options: options as u32,
            growth: growth as u32,
            links,
        })
    }

    fn rewrite(&self, key: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let cmd = |iter: i64, data: &[u8]| vec![b"BF.LOADCHUNK".to_vec(), key.to_vec(), iter.to_string().into_bytes(), data.to_vec()];
        let mut out = vec![cmd(1, &self.header())];
        let mut iter = 1;
        while let Some((next, data)) = self.chunk(iter) {
            out.push(cmd(next, data));
            iter = next;
        }
        out
    }

    /// The module has no digest callback: a filter adds nothing.
    fn digest(&self, _d: &mut ModuleDigest) {}

    fn mem_usage(&self) -> usize {
        self.module_size() as usize
    }

    fn free_effort(&self) -> usize {
        self.links.len()
    }

    #[cfg(test)]
    fn samples() -> Vec<Self> {
        let mut v = Vec::new();
        if let Ok(mut b) = Bloom::new(10, 0.01, 2, false) {
            for i in 0..40 {
                let _ = b.add(format!("item{i}").as_bytes());
            }
            v.push(b);
        }
        if let Ok(b) = Bloom::new(100, 0.001, 1, true) {
            v.push(b);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|c| format!("{c:02x}")).collect()
    }

    /// Reference values from the module's own bloom.c and MurmurHash2.c
    /// (v2.8.7) built with a stub allocator: the hashes of "hello world"
    /// and the bit array of a 100-item link at 0.5% after four adds.
    #[test]
    fn hashes_and_bits_match_the_module() {
        let b = Bloom::new(100, 0.01, 2, false).unwrap();
        let h = b.hash(b"hello world");
        assert_eq!((h.a, h.b), (0xbae8fb35317acde1, 0xa5c3078260d44436));
        let a = murmur2(b"hello world", 0x9747b28c);
        assert_eq!((a, murmur2(b"hello world", a)), (0x48d0c363, 0x76aefdba));
        let mut b = b;
        for it in ["foo", "bar", "hello world", "x"] {
            assert_eq!(b.add(it.as_bytes()), Ok(true));
        }
        assert_eq!(
            hex(&b.links[0].bf),
            "000020020000000208000000008000000800020000000000000000000000000000200000200008000000000000000800000000000000000000000008000000000000000000404040000080404a00000040404000080000000000080000000000000080000000000000800800000000000000080000000000002000000000000008000000000000000000000000000000"
        );
    }

    #[test]
    fn default_filter_layout_matches_the_module() {
        // capacity 100 at 1%: the link is built at 0.5%, 11.03 bits per
        // item, 1102 bits rounded up to 18 words, 8 hashes.
        let b = Bloom::new(100, 0.01, 2, false).unwrap();
        let l = &b.links[0];
        assert_eq!((l.bf.len(), l.bits, l.hashes, l.capacity), (144, 1152, 8, 100));
        assert_eq!(b.module_size(), 240);
    }

    #[test]
    fn scales_and_counts() {
        let mut b = Bloom::new(10, 0.01, 2, false).unwrap();
        let mut added = 0;
        for i in 0..100 {
            if b.add(format!("x{i}").as_bytes()).unwrap() {
                added += 1;
            }
        }
        assert_eq!(b.items, added);
        assert!(b.links.len() >= 3);
        assert_eq!(b.links[1].capacity, 20);
        for i in 0..100 {
            assert!(b.contains(format!("x{i}").as_bytes()));
        }
        let mut n = Bloom::new(2, 0.01, 2, true).unwrap();
        assert_eq!(n.add(b"a"), Ok(true));
        assert_eq!(n.add(b"b"), Ok(true));
        assert_eq!(n.add(b"c"), Err(AddError::Full));
    }

    #[test]
    fn scandump_round_trip_and_hostile_headers() {
        let mut b = Bloom::new(1000, 0.01, 2, false).unwrap();
        for i in 0..1500 {
            let _ = b.add(format!("{i}").as_bytes());
        }
        let hdr = b.header();
        let mut c = Bloom::from_header(&hdr).unwrap();
        let mut iter = 1;
        while let Some((next, data)) = b.chunk(iter) {
            c.load_chunk(next, data).unwrap();
            iter = next;
        }
        assert_eq!(b, c);
        for n in 0..hdr.len() {
            assert!(Bloom::from_header(&hdr[..n]).is_none());
        }
        // Every byte flipped: refused or accepted, never a panic.
        for i in 0..hdr.len() {
            let mut h = hdr.clone();
            h[i] ^= 0xff;
            if let Some(mut x) = Bloom::from_header(&h) {
                let _ = x.add(b"probe");
                let _ = x.contains(b"probe");
            }
        }
        assert!(c.load_chunk(5, &[0; 10]).is_err());
        assert!(c.load_chunk(i64::MAX, &[0; 10]).is_err());
        assert!(c.load_chunk(-1, &[]).is_err());
    }
}
