//! The compressed chunk codec (ours; the module uses plain Gorilla).
//!
//! Samples are bit-packed MSB first. Timestamps: the first as 64 bits,
//! then the delta-of-delta in a prefix code (`0` same delta, `10`+8,
//! `110`+16, `1110`+32, `1111`+64 bits, zig-zag). Values are decimal-aware:
//! a chunk has a scale `k` (0..=9), and a value that is exactly
//! `n / 10^k` for an integer `n` (|n| < 2^53) is stored as the zig-zag
//! delta from the previous such `n` (`0` same, `10`+5, `110`+10, `1110`+20,
//! `11110`+64 bits); anything else (arbitrary doubles, -0.0, NaN, inf)
//! is an escape, `11111` + the 64 raw bits. Decoding computes `n as f64 /
//! 10^k`, which the encoder checked gives back the exact value, so every
//! f64 round-trips bit for bit. A value that needs a larger scale than the
//! chunk's re-encodes the chunk at that scale (at most 9 times a chunk).
//!
//! On a one-decimal random walk sampled at a fixed interval this is one
//! bit per timestamp and 6 to 13 bits per value.

/// Exact powers of ten (all representable in f64).
const POW10: [f64; 10] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
pub const MAX_SCALE: u8 = 9;
const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53

/// `v` as `n / 10^k`, when decoding `n` gives back exactly `v`.
pub fn decimal(v: f64, k: u8) -> Option<i64> {
    if !v.is_finite() || (v == 0.0 && v.is_sign_negative()) {
        return None;
    }
    let p = POW10[k as usize];
    let r = (v * p).round();
    if r.abs() >= LIMIT || (r / p).to_bits() != v.to_bits() {
        return None;
    }
    Some(r as i64)
}

/// The smallest scale at which `v` is decimal.
pub fn min_scale(v: f64) -> Option<u8> {
    (0..=MAX_SCALE).find(|&k| decimal(v, k).is_some())
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// An append-only packed chunk with its encoder state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Packed {
    bytes: Vec<u8>,
    bits: usize,
    n: u32,
    scale: u8,
    first_ts: u64,
    last_ts: u64,
    prev_delta: i64,
    prev_n: i64,
    /// The encoder state before the last sample, so a duplicate of the
    /// newest timestamp rewrites one sample instead of the chunk (None
    /// after a rebuild that did not come through `push_raw`).
    undo: Option<Undo>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Undo {
    bits: usize,
    last_ts: u64,
    prev_delta: i64,
    prev_n: i64,
}

impl Packed {
    pub fn new(scale: u8) -> Packed {
        Packed {
            scale,
            ..Packed::default()
        }
    }

    /// Packs sorted samples, at the largest scale any of them needs.
    pub fn from_samples(samples: &[(u64, f64)]) -> Packed {
        let scale = samples.iter().filter_map(|s| min_scale(s.1)).max().unwrap_or(0);
        let mut p = Packed::new(scale);
        for &(t, v) in samples {
            p.push_raw(t, v);
        }
        p
    }

    pub fn len(&self) -> usize {
        self.n as usize
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn first_ts(&self) -> u64 {
        self.first_ts
    }

    pub fn last_ts(&self) -> u64 {
        self.last_ts
    }

    /// Encoded bytes.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    pub fn capacity(&self) -> usize {
        self.bytes.capacity()
    }

    fn put(&mut self, v: u64, width: u32) {
        for i in (0..width).rev() {
            let bit = (v >> i) & 1;
            if self.bits.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if bit == 1 {
                let last = self.bytes.len() - 1;
                self.bytes[last] |= 0x80 >> (self.bits % 8);
            }
            self.bits += 1;
        }
    }

    /// Appends a sample with a timestamp above the last one.
    pub fn push(&mut self, t: u64, v: f64) {
        if let Some(k) = min_scale(v) {
            if k > self.scale && self.n > 0 {
                let mut all = self.samples();
                all.push((t, v));
                *self = Packed::from_samples(&all);
                return;
            }
            self.scale = self.scale.max(k);
        }
        self.push_raw(t, v);
    }

    /// Gives the newest sample the value `v`, rewinding the encoder by one
    /// sample; false when that is not possible (then nothing changed).
    pub fn replace_last(&mut self, v: f64) -> bool {
        let Some(u) = self.undo.take() else {
            return false;
        };
        if self.n == 0 {
            return false;
        }
        let t = self.last_ts;
        self.bits = u.bits;
        self.bytes.truncate(u.bits.div_ceil(8));
        let r = u.bits % 8;
        if r != 0 {
            if let Some(b) = self.bytes.last_mut() {
                *b &= !(0xFFu8 >> r);
            }
        }
        self.last_ts = u.last_ts;
        self.prev_delta = u.prev_delta;
        self.prev_n = u.prev_n;
        self.n -= 1;
        self.push(t, v);
        true
    }

    fn push_raw(&mut self, t: u64, v: f64) {
        self.undo = Some(Undo {
            bits: self.bits,
            last_ts: self.last_ts,
            prev_delta: self.prev_delta,
            prev_n: self.prev_n,
        });
        if self.n == 0 {
            self.put(t, 64);
            self.first_ts = t;
            self.prev_delta = 0;
        } else {
            let delta = t.wrapping_sub(self.last_ts) as i64;
            let dod = zigzag(delta.wrapping_sub(self.prev_delta));
            match dod {
                0 => self.put(0, 1),
                d if d < 1 << 8 => {
                    self.put(0b10, 2);
                    self.put(d, 8)
                }
                d if d < 1 << 16 => {
                    self.put(0b110, 3);
                    self.put(d, 16)
                }
                d if d < 1 << 32 => {
                    self.put(0b1110, 4);
                    self.put(d, 32)
                }
                d => {
                    self.put(0b1111, 4);
                    self.put(d, 64)
                }
            }
            self.prev_delta = delta;
        }
        self.last_ts = t;
        match decimal(v, self.scale) {
            Some(n) => {
                let d = zigzag(n.wrapping_sub(self.prev_n));
                match d {
                    0 => self.put(0, 1),
                    d if d < 1 << 5 => {
                        self.put(0b10, 2);
                        self.put(d, 5)
                    }
                    d if d < 1 << 10 => {
                        self.put(0b110, 3);
                        self.put(d, 10)
                    }
                    d if d < 1 << 20 => {
                        self.put(0b1110, 4);
                        self.put(d, 20)
                    }
                    d => {
                        self.put(0b11110, 5);
                        self.put(d, 64)
                    }
                }
                self.prev_n = n;
            }
            None => {
                self.put(0b11111, 5);
                self.put(v.to_bits(), 64);
            }
        }
        self.n += 1;
    }

    /// Every sample, in order.
    pub fn samples(&self) -> Vec<(u64, f64)> {
        let mut out = Vec::with_capacity(self.len());
        let mut r = BitReader {
            bytes: &self.bytes,
            pos: 0,
        };
        let p = POW10[self.scale as usize];
        let (mut ts, mut delta, mut n) = (0u64, 0i64, 0i64);
        for i in 0..self.n {
            if i == 0 {
                ts = r.get(64);
            } else {
                let dod = match r.prefix(4) {
                    0 => 0,
                    1 => r.get(8),
                    2 => r.get(16),
                    3 => r.get(32),
                    _ => r.get(64),
                };
                delta = delta.wrapping_add(unzigzag(dod));
                ts = ts.wrapping_add(delta as u64);
            }
            let v = match r.prefix(5) {
                0 => n as f64 / p,
                c @ 1..=4 => {
                    let d = r.get([5, 10, 20, 64][c as usize - 1]);
                    n = n.wrapping_add(unzigzag(d));
                    n as f64 / p
                }
                _ => f64::from_bits(r.get(64)),
            };
            out.push((ts, v));
        }
        out
    }
}

struct BitReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl BitReader<'_> {
    fn bit(&mut self) -> u64 {
        // Reading past the end gives zeros; the encoder never does.
        let b = self.bytes.get(self.pos / 8).copied().unwrap_or(0);
        let v = (b >> (7 - self.pos % 8)) & 1;
        self.pos += 1;
        u64::from(v)
    }

    fn get(&mut self, width: u32) -> u64 {
        let mut v = 0u64;
        for _ in 0..width {
            v = (v << 1) | self.bit();
        }
        v
    }

    /// The number of leading 1 bits of a unary prefix of at most `max`.
    fn prefix(&mut self, max: u32) -> u32 {
        let mut c = 0;
        while c < max && self.bit() == 1 {
            c += 1;
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic generator (no rand dependency).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    fn round_trip(samples: &[(u64, f64)]) {
        let mut p = Packed::new(0);
        for &(t, v) in samples {
            p.push(t, v);
        }
        let back = p.samples();
        assert_eq!(back.len(), samples.len());
        for (a, b) in back.iter().zip(samples) {
            assert_eq!(a.0, b.0);
            assert_eq!(a.1.to_bits(), b.1.to_bits(), "{} vs {}", a.1, b.1);
        }
        assert_eq!(Packed::from_samples(samples).samples().len(), samples.len());
    }

    /// Rewriting the newest sample (any value kind: decimal, wider scale,
    /// raw double) leaves the same samples as the model, and later pushes
    /// still decode.
    #[test]
    fn replace_last_matches_a_model() {
        let mut rng = Rng(0x2545f4914f6cdd1d);
        let mut p = Packed::new(0);
        let mut model: Vec<(u64, f64)> = Vec::new();
        let mut t = 1_700_000_000_000u64;
        let value = |r: u64| match r % 4 {
            0 => (r % 1000) as f64,
            1 => (r % 100000) as f64 / 100.0,
            2 => f64::from_bits(r >> 2),
            _ => -((r % 77) as f64) / 10.0,
        };
        for _ in 0..5000 {
            let r = rng.next();
            if r.is_multiple_of(3) && !model.is_empty() {
                let v = value(rng.next());
                let v = if v.is_finite() { v } else { 1.5 };
                assert!(p.replace_last(v));
                if let Some(last) = model.last_mut() {
                    last.1 = v;
                }
            } else {
                t += r % 2000 + 1;
                let v = value(rng.next());
                let v = if v.is_finite() { v } else { 2.5 };
                p.push(t, v);
                model.push((t, v));
            }
        }
        let back = p.samples();
        assert_eq!(back.len(), model.len());
        for (a, b) in back.iter().zip(&model) {
            assert_eq!(a.0, b.0);
            assert_eq!(a.1.to_bits(), b.1.to_bits());
        }
        assert!(!Packed::new(0).replace_last(1.0));
    }

    #[test]
    fn arbitrary_doubles_round_trip() {
        let mut rng = Rng(0x9e3779b97f4a7c15);
        for round in 0..200 {
            let n = (rng.next() % 300) as usize;
            let mut t = rng.next() % 1_000_000;
            let mut s = Vec::new();
            for _ in 0..n {
                t += match round % 4 {
                    0 => 1000,
                    1 => 1 + rng.next() % 10,
                    2 => rng.next() % (1 << 40) + 1,
                    _ => 1 + rng.next() % 3,
                };
                let v = match rng.next() % 8 {
                    0 => f64::from_bits(rng.next()),
                    1 => -0.0,
                    2 => 1e300 * (rng.next() % 7) as f64,
                    3 => 5e-324,
                    4 => (rng.next() % 2000) as f64 / 10.0 - 100.0,
                    5 => (rng.next() % 200000) as f64 / 1000.0,
                    6 => f64::MAX,
                    _ => (rng.next() as i64) as f64,
                };
                if v.is_nan() {
                    continue;
                }
                s.push((t, v));
            }
            round_trip(&s);
        }
    }

    #[test]
    fn random_walk_is_small() {
        let mut rng = Rng(7);
        let mut p = Packed::new(0);
        let mut v: i64 = 200;
        for i in 0..100_000u64 {
            v += (rng.next() % 21) as i64 - 10;
            p.push(1_600_000_000_000 + i * 1000, v as f64 / 10.0);
        }
        let per = p.size() as f64 / 100_000.0;
        assert!(per < 2.0, "{per} bytes per sample");
        assert_eq!(p.samples()[99_999].0, 1_600_000_000_000 + 99_999 * 1000);
    }

    #[test]
    fn decimals() {
        assert_eq!(min_scale(20.3), Some(1));
        assert_eq!(min_scale(0.1), Some(1));
        assert_eq!(min_scale(-0.0), None);
        assert_eq!(min_scale(1.0 / 3.0), None);
        assert_eq!(min_scale(12.0), Some(0));
    }
}
