//! Intset: a sorted array of distinct integers used for small all-integer
//! sets. Mirrors Redis 7.0's `intset.c` byte for byte, so the buffer can be
//! stored in and loaded from RDB files unchanged.
//!
//! Layout: `<encoding u32 LE> <length u32 LE> <contents>`, where encoding is
//! the width of every element (2, 4 or 8 bytes) and contents are the
//! elements in strictly ascending order, little-endian. Adding a value that
//! does not fit the current width widens every element ("upgrade"); the
//! width never shrinks back.

use crate::util::rand_below;

/// Header size: encoding (u32) + length (u32).
const HDR_SIZE: usize = 8;
const ENC_INT16: usize = 2;
const ENC_INT32: usize = 4;
const ENC_INT64: usize = 8;

/// Smallest width able to hold `v`.
#[inline]
fn value_encoding(v: i64) -> usize {
    if v < i64::from(i32::MIN) || v > i64::from(i32::MAX) {
        ENC_INT64
    } else if v < i64::from(i16::MIN) || v > i64::from(i16::MAX) {
        ENC_INT32
    } else {
        ENC_INT16
    }
}

/// Reads element `i` of width `enc` from the contents area of `buf`.
#[inline]
fn read_at(buf: &[u8], i: usize, enc: usize) -> i64 {
    let p = HDR_SIZE + i * enc;
    match enc {
        ENC_INT16 => i64::from(i16::from_le_bytes([buf[p], buf[p + 1]])),
        ENC_INT32 => i64::from(i32::from_le_bytes([buf[p], buf[p + 1], buf[p + 2], buf[p + 3]])),
        _ => {
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[p..p + 8]);
            i64::from_le_bytes(b)
        }
    }
}

/// Writes `v` (which must fit) as element `i` of width `enc`.
#[inline]
fn write_at(buf: &mut [u8], i: usize, enc: usize, v: i64) {
    let p = HDR_SIZE + i * enc;
    buf[p..p + enc].copy_from_slice(&v.to_le_bytes()[..enc]);
}

/// A set of integers in Redis's intset format, owning its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Intset {
    buf: Vec<u8>,
}

impl Default for Intset {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Intset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Intset {
    /// Active defrag: moves the buffer if worth it.
    pub fn defrag(&mut self, mv: &mut crate::server::defrag::Mover) {
        mv.vec(&mut self.buf);
    }

    /// An empty intset with 16-bit encoding.
    pub fn new() -> Self {
        let mut buf = Vec::with_capacity(HDR_SIZE + 8 * ENC_INT16);
        buf.extend_from_slice(&(ENC_INT16 as u32).to_le_bytes());
        buf.extend_from_slice(&0u32.to_le_bytes());
        Intset { buf }
    }

    /// Adopts serialized bytes after the checks of `intsetValidateIntegrity`
    /// (deep): a known encoding, a size matching the length, a non-empty
    /// set, and strictly ascending elements. `None` otherwise. Note that,
    /// as in Redis, an empty intset is considered corrupt.
    pub fn from_bytes(b: Vec<u8>) -> Option<Self> {
        if b.len() < HDR_SIZE {
            return None;
        }
        let enc = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        if enc != ENC_INT16 && enc != ENC_INT32 && enc != ENC_INT64 {
            return None;
        }
        let count = u64::from(u32::from_le_bytes([b[4], b[5], b[6], b[7]]));
        if HDR_SIZE as u64 + count * enc as u64 != b.len() as u64 || count == 0 {
            return None;
        }
        let count = count as usize;
        let mut prev = read_at(&b, 0, enc);
        for i in 1..count {
            let cur = read_at(&b, i, enc);
            if cur <= prev {
                return None;
            }
            prev = cur;
        }
        Some(Intset { buf: b })
    }

    /// The serialized bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Gives back the serialized bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Current element width in bytes (2, 4 or 8).
    #[inline]
    pub fn encoding(&self) -> usize {
        u32::from_le_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]) as usize
    }

    /// Number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        u32::from_le_bytes([self.buf[4], self.buf[5], self.buf[6], self.buf[7]]) as usize
    }

    /// True if the set has no elements.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn set_len(&mut self, n: usize) {
        self.buf[4..8].copy_from_slice(&(n as u32).to_le_bytes());
    }

    /// Binary search: `Ok(index)` if present, else `Err(insertion index)`.
    fn search(&self, v: i64) -> Result<usize, usize> {
        let n = self.len();
        let enc = self.encoding();
        if n == 0 {
            return Err(0);
        }
        // Fast paths for values beyond either end (common when appending).
        if v > read_at(&self.buf, n - 1, enc) {
            return Err(n);
        }
        if v < read_at(&self.buf, 0, enc) {
            return Err(0);
        }
        let (mut lo, mut hi) = (0usize, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let cur = read_at(&self.buf, mid, enc);
            if cur < v {
                lo = mid + 1;
            } else if cur > v {
                hi = mid;
            } else {
                return Ok(mid);
            }
        }
        Err(lo)
    }

    /// Adds `v`; false if it was already present. Widens the encoding when
    /// `v` needs more bytes than the current one.
    pub fn add(&mut self, v: i64) -> bool {
        let venc = value_encoding(v);
        let enc = self.encoding();
        let n = self.len();
        if venc > enc {
            self.upgrade_and_add(v, enc, venc, n);
            return true;
        }
        let pos = match self.search(v) {
            Ok(_) => return false,
            Err(pos) => pos,
        };
        let end = HDR_SIZE + n * enc;
        self.buf.resize(end + enc, 0);
        let at = HDR_SIZE + pos * enc;
        self.buf.copy_within(at..end, at + enc);
        write_at(&mut self.buf, pos, enc, v);
        self.set_len(n + 1);
        true
    }

    /// Rewrites every element with width `new` and adds `v`, which does not
    /// fit the old width and is therefore below or above every element.
    fn upgrade_and_add(&mut self, v: i64, old: usize, new: usize, n: usize) {
        let shift = usize::from(v < 0);
        self.buf.resize(HDR_SIZE + (n + 1) * new, 0);
        // Back to front, so no element is overwritten before it is read.
        for i in (0..n).rev() {
            let x = read_at(&self.buf, i, old);
            write_at(&mut self.buf, i + shift, new, x);
        }
        write_at(&mut self.buf, if shift == 1 { 0 } else { n }, new, v);
        self.buf[0..4].copy_from_slice(&(new as u32).to_le_bytes());
        self.set_len(n + 1);
    }

    /// Removes `v`; false if it was not present. The encoding is kept.
    pub fn remove(&mut self, v: i64) -> bool {
        let enc = self.encoding();
        if value_encoding(v) > enc {
            return false;
        }
        let Ok(pos) = self.search(v) else {
            return false;
        };
        let n = self.len();
        let end = HDR_SIZE + n * enc;
        let at = HDR_SIZE + pos * enc;
        self.buf.copy_within(at + enc..end, at);
        self.buf.truncate(end - enc);
        self.set_len(n - 1);
        true
    }

    /// Whether `v` is in the set.
    pub fn contains(&self, v: i64) -> bool {
        value_encoding(v) <= self.encoding() && self.search(v).is_ok()
    }

    /// The element at sorted position `i`.
    pub fn get(&self, i: usize) -> Option<i64> {
        if i < self.len() {
            Some(read_at(&self.buf, i, self.encoding()))
        } else {
            None
        }
    }

    /// A uniformly chosen element, `None` when empty.
    pub fn random(&self) -> Option<i64> {
        let n = self.len();
        if n == 0 {
            return None;
        }
        self.get(rand_below(n as u64) as usize)
    }

    /// Elements in ascending order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = i64> + ExactSizeIterator + '_ {
        let enc = self.encoding();
        (0..self.len()).map(move |i| read_at(&self.buf, i, enc))
    }

    /// Serialized size in bytes (`intsetBlobLen`).
    pub fn blob_len(&self) -> usize {
        self.buf.len()
    }

    /// Largest element.
    pub fn max(&self) -> Option<i64> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// Smallest element.
    pub fn min(&self) -> Option<i64> {
        self.get(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    use crate::util::test_rng::Rng;

    fn random_value(r: &mut Rng, width: u64) -> i64 {
        match width {
            0 => r.below(200) as i64 - 100,
            1 => r.below(70000) as i64 - 35000,
            2 => (r.next_u64() as i32) as i64,
            _ => r.next_u64() as i64,
        }
    }

    fn check(is: &Intset, model: &BTreeSet<i64>) {
        assert_eq!(is.len(), model.len());
        assert_eq!(is.is_empty(), model.is_empty());
        assert!(is.iter().eq(model.iter().copied()));
        assert_eq!(is.min(), model.first().copied());
        assert_eq!(is.max(), model.last().copied());
        let enc = is.encoding();
        assert_eq!(is.blob_len(), HDR_SIZE + enc * model.len());
        // The encoding is at least what the extreme values need.
        if let (Some(&lo), Some(&hi)) = (model.first(), model.last()) {
            assert!(enc >= value_encoding(lo).max(value_encoding(hi)));
        }
    }

    #[test]
    fn model_random_ops() {
        for seed in 1..=8u64 {
            let mut r = Rng::new(0x51ED_2701 ^ (seed << 20) ^ seed);
            let mut is = Intset::new();
            let mut model = BTreeSet::new();
            // Later phases allow wider values, so upgrades happen mid-run.
            for step in 0..4000u64 {
                let width = r.below(1 + (step / 1000).min(3));
                let v = random_value(&mut r, width);
                match r.below(10) {
                    0..=4 => assert_eq!(is.add(v), model.insert(v), "add {v}"),
                    5..=6 => assert_eq!(is.remove(v), model.remove(&v), "remove {v}"),
                    7 if !model.is_empty() => {
                        // remove an existing element
                        let i = r.below(model.len() as u64) as usize;
                        let x = is.get(i).unwrap();
                        assert!(model.contains(&x));
                        assert!(is.remove(x));
                        model.remove(&x);
                    }
                    _ => assert_eq!(is.contains(v), model.contains(&v), "contains {v}"),
                }
                if step % 50 == 0 {
                    check(&is, &model);
                    if !model.is_empty() {
                        let again = Intset::from_bytes(is.as_bytes().to_vec()).unwrap();
                        assert_eq!(again, is);
                        let x = is.random().unwrap();
                        assert!(model.contains(&x));
                    }
                }
            }
            check(&is, &model);
            assert_eq!(is.get(model.len()), None);
        }
    }

    #[test]
    fn exact_bytes_match_redis() {
        // From Redis 7.0.15 DUMP of SADD s 3 1 2.
        let mut is = Intset::new();
        for v in [3, 1, 2] {
            assert!(is.add(v));
        }
        assert_eq!(is.as_bytes(), &[2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 3, 0]);
        // SADD s 3 1 2 70000 -5: upgraded to 32 bits.
        let mut is = Intset::new();
        for v in [3, 1, 2, 70000, -5] {
            assert!(is.add(v));
        }
        let want: &[u8] = &[
            4, 0, 0, 0, 5, 0, 0, 0, 0xfb, 0xff, 0xff, 0xff, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0x70, 0x11, 0x01, 0x00,
        ];
        assert_eq!(is.as_bytes(), want);
        // SADD s 5 -1 1099511627776 0: 64 bits.
        let mut is = Intset::new();
        for v in [5, -1, 1 << 40, 0] {
            assert!(is.add(v));
        }
        let mut want = vec![8, 0, 0, 0, 4, 0, 0, 0];
        for v in [-1i64, 0, 5, 1 << 40] {
            want.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(is.as_bytes(), &want[..]);
    }

    #[test]
    fn upgrade_prepends_negative_and_appends_positive() {
        let mut is = Intset::new();
        is.add(10);
        is.add(-10);
        assert!(is.add(i64::from(i32::MIN) - 1));
        assert_eq!(is.encoding(), 8);
        assert_eq!(is.iter().collect::<Vec<_>>(), vec![i64::from(i32::MIN) - 1, -10, 10]);
        let mut is = Intset::new();
        is.add(10);
        is.add(-10);
        assert!(is.add(40000));
        assert_eq!(is.encoding(), 4);
        assert_eq!(is.iter().collect::<Vec<_>>(), vec![-10, 10, 40000]);
        assert!(!is.add(40000));
        // Never downgrades.
        assert!(is.remove(40000));
        assert_eq!(is.encoding(), 4);
        assert!(!is.contains(i64::MAX));
        assert!(!is.remove(i64::MIN));
        assert!(is.iter().rev().eq([10, -10]));
    }

    #[test]
    fn extremes() {
        let mut is = Intset::new();
        for v in [i64::MIN, i64::MAX, 0, -1, 1, i64::from(i16::MIN), i64::from(i16::MAX)] {
            assert!(is.add(v));
        }
        assert_eq!(is.min(), Some(i64::MIN));
        assert_eq!(is.max(), Some(i64::MAX));
        assert!(is.contains(i64::MIN) && is.contains(i64::MAX));
        assert!(Intset::from_bytes(is.as_bytes().to_vec()).is_some());
        let empty = Intset::new();
        assert_eq!(empty.random(), None);
        assert_eq!(empty.min(), None);
        assert_eq!(empty.max(), None);
        assert_eq!(empty.blob_len(), 8);
    }

    #[test]
    fn from_bytes_validation() {
        assert!(Intset::from_bytes(Vec::new()).is_none());
        assert!(Intset::from_bytes(vec![2, 0, 0]).is_none());
        // empty intsets are rejected, as in Redis
        assert!(Intset::from_bytes(Intset::new().into_bytes()).is_none());
        // bad encoding
        assert!(Intset::from_bytes(vec![3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]).is_none());
        // size mismatch
        assert!(Intset::from_bytes(vec![2, 0, 0, 0, 2, 0, 0, 0, 1, 0]).is_none());
        // huge length must not overflow
        assert!(Intset::from_bytes(vec![8, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1, 0]).is_none());
        // not sorted / duplicates
        assert!(Intset::from_bytes(vec![2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0]).is_none());
        assert!(Intset::from_bytes(vec![2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0]).is_none());
        let ok = Intset::from_bytes(vec![2, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 1, 0]).unwrap();
        assert!(ok.iter().eq([-1, 1]));
        // A wider encoding than needed is accepted (Redis does the same).
        let wide = Intset::from_bytes(vec![4, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0]).unwrap();
        assert_eq!(wide.get(0), Some(7));
    }

    #[test]
    fn from_bytes_fuzz() {
        let mut r = Rng::new(99);
        let mut base = Intset::new();
        for _ in 0..40 {
            let w = r.below(4);
            base.add(random_value(&mut r, w));
        }
        let small = {
            let mut s = Intset::new();
            for v in [1, 5, 9, 300] {
                s.add(v);
            }
            s
        };
        for k in 0..20000 {
            let mut b = if k % 2 == 0 {
                base.as_bytes().to_vec()
            } else {
                small.as_bytes().to_vec()
            };
            for _ in 0..1 + r.below(3) {
                match r.below(4) {
                    0 if !b.is_empty() => {
                        let i = r.below(b.len() as u64) as usize;
                        b[i] = r.next_u64() as u8;
                    }
                    1 => {
                        let n = r.below(b.len() as u64 + 1) as usize;
                        b.truncate(n);
                    }
                    2 => b.push(r.next_u64() as u8),
                    _ if b.len() >= 8 => {
                        let i = r.below(8) as usize;
                        b[i] ^= 1 << r.below(8);
                    }
                    _ => {}
                }
            }
            if let Some(mut is) = Intset::from_bytes(b) {
                let v: Vec<i64> = is.iter().collect();
                assert!(v.windows(2).all(|w| w[0] < w[1]));
                let x = r.next_u64() as i64;
                let had = is.contains(x);
                assert_eq!(is.add(x), !had);
                assert!(is.contains(x));
            }
        }
    }
}
