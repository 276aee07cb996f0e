//! LZF compression, stream-compatible with liblzf 3.6 as bundled by Redis 7.0
//! (`src/lzf_c.c`, `src/lzf_d.c`, `src/lzfP.h`).  Redis uses it for RDB string
//! compression (`rdbSaveLzfStringObject` / `rdbLoadLzfStringObject`) and for
//! quicklist node compression (`__quicklistCompressNode`).
//!
//! Stream format: a sequence of items, each starting with a control byte `c`:
//! * `c < 0x20`: literal run of `c + 1` bytes (1..=32) that follow verbatim;
//! * otherwise a back reference: `len = c >> 5` (1..=7); if `len == 7` one
//!   extra byte is added to it; then one byte `lo`; the reference copies
//!   `len + 2` bytes starting `((c & 0x1f) << 8 | lo) + 1` bytes back in the
//!   output (the regions may overlap, copying byte by byte).
//!
//! The compressor follows liblzf's algorithm and hash exactly, so its
//! output is byte-identical to Redis's (see [`compress_into`]).

/// Longest literal run of one item.
const MAX_LIT: usize = 1 << 5;
/// Largest back-reference distance (offset field + 1).
const MAX_OFF: usize = 1 << 13;
/// Longest back reference (7 + 255 + 2).
const MAX_REF: usize = (1 << 8) + (1 << 3);
/// Output can be at most this many times larger than the compressed input
/// (a 3-byte back reference expands to MAX_REF bytes).
const MAX_EXPANSION: usize = MAX_REF / 3;

/// Compresses `input`; returns None when the input is empty or the result
/// would need more than `max_out` bytes (like `lzf_compress` returning 0).
///
/// Redis call sites: RDB strings use `max_out = len - 4` (only for
/// `len > 4`); quicklist nodes use `max_out = len` and then additionally
/// require `compressed + 8 < len` (MIN_COMPRESS_IMPROVE).
pub fn compress(input: &[u8], max_out: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    compress_into(input, max_out, &mut out)?;
    if out.capacity() > out.len() + out.len() / 8 + 16 {
        out.shrink_to_fit();
    }
    Some(out)
}

/// Like [`compress`] but appends to `out`; returns the number of bytes
/// appended. On failure `out` is left as it was.
///
/// This is liblzf 3.6's `lzf_compress` as Redis builds it (HLOG 16,
/// VERY_FAST, hash slots holding positions), step for step, so the
/// compressed bytes are Redis's: RDB files and DUMP payloads come out
/// identical. Redis leaves the hash table uninitialised; here it starts
/// empty, which is what a slot never written during the call amounts to
/// (a stale slot can only matter if it happens to point at a verified
/// match inside the same input).
pub fn compress_into(input: &[u8], max_out: usize, out: &mut Vec<u8>) -> Option<usize> {
    let n = input.len();
    if n == 0 || max_out == 0 {
        return None;
    }
    HTAB.with(|t| {
        let mut t = t.borrow_mut();
        compress_with(&mut t, input, max_out, out)
    })
}

/// Hash slots of the compressor: `(call generation, position + 1)`, so a
/// slot from an earlier call reads as empty without clearing 64K slots
/// per call.
struct HashTable {
    generation: u32,
    slots: Vec<(u32, u64)>,
}

thread_local! {
    static HTAB: std::cell::RefCell<HashTable> = const {
        std::cell::RefCell::new(HashTable { generation: 0, slots: Vec::new() })
    };
}

/// `HLOG`: log2 of the number of hash slots.
const HLOG: u32 = 16;

#[inline]
fn lzf_idx(h: u32) -> usize {
    ((h >> (3 * 8 - HLOG)).wrapping_sub(h.wrapping_mul(5)) & ((1 << HLOG) - 1)) as usize
}

fn compress_with(t: &mut HashTable, input: &[u8], max_out: usize, out: &mut Vec<u8>) -> Option<usize> {
    if t.slots.is_empty() {
        t.slots = vec![(0, 0); 1 << HLOG];
    }
    t.generation = t.generation.wrapping_add(1);
    if t.generation == 0 {
        t.slots.iter_mut().for_each(|s| *s = (0, 0));
        t.generation = 1;
    }
    let generation = t.generation;
    let slots = &mut t.slots;
    let n = input.len();
    let base = out.len();
    // The output area, `op` indexing into it like liblzf's pointer.
    // Past the worst case (all literals) the budget cannot bind.
    let out_end = max_out.min(n + n / MAX_LIT + 16);
    out.resize(base + out_end + 1, 0);
    let fail = |out: &mut Vec<u8>| {
        out.truncate(base);
        None
    };

    let mut ip = 0usize;
    let mut op = 1usize; // start run
    let mut lit: usize = 0;
    let mut hval: u32 = if n >= 2 {
        (u32::from(input[0]) << 8) | u32::from(input[1])
    } else {
        0
    };
    while ip + 2 < n {
        hval = (hval << 8) | u32::from(input[ip + 2]);
        let slot = &mut slots[lzf_idx(hval)];
        let r = if slot.0 == generation { slot.1 as usize } else { 0 };
        *slot = (generation, ip as u64 + 1);
        // A reference one before, at most MAX_OFF back, never position 0.
        let found = r >= 2 && r - 1 < ip && ip - r < MAX_OFF && {
            let rp = r - 1;
            input[rp + 2] == input[ip + 2] && input[rp] == input[ip] && input[rp + 1] == input[ip + 1]
        };
        if found {
            let rp = r - 1;
            let off = ip - rp - 1;
            let mut len = 2usize;
            let maxlen = (n - ip - len).min(MAX_REF);
            if op + 3 + 1 >= out_end && op - usize::from(lit == 0) + 3 + 1 >= out_end {
                return fail(out);
            }
            let buf = &mut out[base..];
            buf[op - lit - 1] = (lit as u8).wrapping_sub(1);
            op -= usize::from(lit == 0);
            'scan: {
                if maxlen > 16 {
                    for _ in 0..16 {
                        len += 1;
                        if input[rp + len] != input[ip + len] {
                            break 'scan;
                        }
                    }
                }
                loop {
                    len += 1;
                    if !(len < maxlen && input[rp + len] == input[ip + len]) {
                        break;
                    }
                }
            }
            len -= 2;
            ip += 1;
            if len < 7 {
                buf[op] = ((off >> 8) + (len << 5)) as u8;
                op += 1;
            } else {
                buf[op] = ((off >> 8) + (7 << 5)) as u8;
                buf[op + 1] = (len - 7) as u8;
                op += 2;
            }
            buf[op] = off as u8;
            op += 1;
            lit = 0;
            op += 1; // start run
            ip += len + 1;
            if ip + 2 >= n {
                break;
            }
            // Index the last two positions of the match.
            ip -= 2;
            hval = (u32::from(input[ip]) << 8) | u32::from(input[ip + 1]);
            hval = (hval << 8) | u32::from(input[ip + 2]);
            slots[lzf_idx(hval)] = (generation, ip as u64 + 1);
            ip += 1;
            hval = (hval << 8) | u32::from(input[ip + 2]);
            slots[lzf_idx(hval)] = (generation, ip as u64 + 1);
            ip += 1;
        } else {
            if op >= out_end {
                return fail(out);
            }
            let buf = &mut out[base..];
            lit += 1;
            buf[op] = input[ip];
            op += 1;
            ip += 1;
            if lit == MAX_LIT {
                buf[op - lit - 1] = (lit - 1) as u8;
                lit = 0;
                op += 1;
            }
        }
    }
    if op + 3 > out_end {
        return fail(out);
    }
    let buf = &mut out[base..];
    while ip < n {
        lit += 1;
        buf[op] = input[ip];
        op += 1;
        ip += 1;
        if lit == MAX_LIT {
            buf[op - lit - 1] = (lit - 1) as u8;
            lit = 0;
            op += 1;
        }
    }
    buf[op - lit - 1] = (lit as u8).wrapping_sub(1);
    op -= usize::from(lit == 0);
    out.truncate(base + op);
    Some(op)
}

/// Decompresses an LZF stream that must expand to exactly `expected_len`
/// bytes. Returns None on any corruption (truncated item, reference before
/// the start of the output, output overflow or a length mismatch); never
/// panics and never allocates more than a bounded multiple of the input.
pub fn decompress(input: &[u8], expected_len: usize) -> Option<Vec<u8>> {
    if expected_len > input.len().saturating_mul(MAX_EXPANSION) {
        return None;
    }
    let mut out = Vec::with_capacity(expected_len);
    decompress_into(input, expected_len, &mut out)?;
    (out.len() == expected_len).then_some(out)
}

/// Appends the decompression of `input` to `out`, producing at most
/// `max_len` bytes (liblzf's `out_len`). Returns the number of bytes produced
/// (which may be less than `max_len`), or None on corrupt input / overflow.
/// References may reach only into the bytes produced by this call. On
/// failure `out` is left as it was.
pub fn decompress_into(input: &[u8], max_len: usize, out: &mut Vec<u8>) -> Option<usize> {
    let base = out.len();
    let r = decode(input, max_len, base, out);
    if r.is_none() {
        out.truncate(base);
    }
    r
}

fn decode(input: &[u8], max_len: usize, base: usize, out: &mut Vec<u8>) -> Option<usize> {
    let mut ip = 0usize;
    while let Some(&ctrl) = input.get(ip) {
        ip += 1;
        let produced = out.len() - base;
        if ctrl < 0x20 {
            let run = usize::from(ctrl) + 1;
            if produced + run > max_len {
                return None;
            }
            out.extend_from_slice(input.get(ip..ip + run)?);
            ip += run;
        } else {
            let mut len = usize::from(ctrl >> 5);
            if len == 7 {
                len += usize::from(*input.get(ip)?);
                ip += 1;
            }
            let off = ((usize::from(ctrl & 0x1f) << 8) | usize::from(*input.get(ip)?)) + 1;
            ip += 1;
            let len = len + 2;
            if produced + len > max_len || off > produced {
                return None;
            }
            // Copy in chunks of at most `off` bytes so overlapping references
            // repeat the pattern exactly like a byte-by-byte copy.
            let mut rem = len;
            while rem > 0 {
                let start = out.len() - off;
                let chunk = rem.min(off);
                out.extend_from_within(start..start + chunk);
                rem -= chunk;
            }
        }
    }
    Some(out.len() - base)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::util::test_rng::Rng;

    /// Straight transliteration of liblzf's decoding rules (with
    /// CHECK_INPUT), independent of `decode`, used as a cross-check.
    fn reference_decode(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
        let mut out: Vec<u8> = Vec::new();
        let mut ip = 0;
        while ip < input.len() {
            let ctrl = input[ip] as usize;
            ip += 1;
            if ctrl < 32 {
                let c = ctrl + 1;
                if out.len() + c > out_len || ip + c > input.len() {
                    return None;
                }
                for _ in 0..c {
                    out.push(input[ip]);
                    ip += 1;
                }
            } else {
                let mut len = ctrl >> 5;
                if ip >= input.len() {
                    return None;
                }
                if len == 7 {
                    len += input[ip] as usize;
                    ip += 1;
                    if ip >= input.len() {
                        return None;
                    }
                }
                let back = ((ctrl & 0x1f) << 8) + 1 + input[ip] as usize;
                ip += 1;
                if out.len() + len + 2 > out_len || back > out.len() {
                    return None;
                }
                let start = out.len() - back;
                for r in start..start + len + 2 {
                    out.push(out[r]);
                }
            }
        }
        Some(out)
    }

    fn roundtrip(data: &[u8]) {
        let c = compress(data, usize::MAX).expect("non-empty input compresses with unlimited output");
        assert!(c.len() <= data.len() + data.len() / 32 + 1, "worst-case bound");
        assert_eq!(decompress(&c, data.len()).as_deref(), Some(data));
        assert_eq!(reference_decode(&c, data.len()).as_deref(), Some(data));
        // liblzf's budget checks keep a few bytes of slack: a roomy budget
        // gives the same bytes, one short of the result never succeeds.
        assert_eq!(compress(data, c.len() + 8).as_deref(), Some(&c[..]));
        assert!(c.is_empty() || compress(data, c.len() - 1).is_none());
        // Wrong expected length is rejected.
        assert!(decompress(&c, data.len() + 1).is_none());
        if !data.is_empty() {
            assert!(decompress(&c, data.len() - 1).is_none());
        }
    }

    fn compressible(rng: &mut Rng, n: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(n);
        let words: [&[u8]; 6] = [b"hello", b"world", b"redis", b"oxidis ", b"\x00\x00\x00\x00", b"listpack-entry:"];
        while v.len() < n {
            match rng.below(4) {
                0 => v.extend_from_slice(words[rng.below(6) as usize]),
                1 => {
                    let b = rng.next_u64() as u8;
                    let k = rng.below(400) as usize;
                    v.extend(std::iter::repeat_n(b, k));
                }
                2 if v.len() > 10 => {
                    let back = 1 + rng.below(v.len().min(9000) as u64) as usize;
                    let k = rng.below(300) as usize;
                    let s = v.len() - back;
                    for j in 0..k {
                        let b = v[s + j];
                        v.push(b);
                    }
                }
                _ => {
                    let k = rng.below(20) as usize;
                    v.extend(rng.bytes(k));
                }
            }
        }
        v.truncate(n);
        v
    }

    #[test]
    fn empty_and_tiny() {
        assert!(compress(b"", 100).is_none());
        assert!(compress(b"abc", 0).is_none());
        assert_eq!(decompress(b"", 0), Some(vec![]));
        assert!(decompress(b"", 1).is_none());
        for n in 1..=70 {
            let d: Vec<u8> = (0..n as u8).collect();
            roundtrip(&d);
            roundtrip(&vec![b'x'; n]);
        }
    }

    #[test]
    fn roundtrip_many_sizes() {
        let mut rng = Rng::new(0x0123_4567_89ab_cdef);
        let sizes = [
            1usize, 2, 3, 4, 5, 31, 32, 33, 63, 64, 65, 100, 255, 256, 257, 1000, 4095, 4096, 8191, 8192, 8193, 8194, 20_000, 70_000,
            300_000,
        ];
        for &n in &sizes {
            roundtrip(&rng.bytes(n));
            roundtrip(&compressible(&mut rng, n));
            roundtrip(&vec![0u8; n]);
        }
        for _ in 0..300 {
            let n = 1 + rng.below(3000) as usize;
            if rng.below(2) == 0 {
                roundtrip(&rng.bytes(n));
            } else {
                roundtrip(&compressible(&mut rng, n));
            }
        }
    }

    #[test]
    fn compresses_well() {
        let zeros = vec![0u8; 100_000];
        let c = compress(&zeros, usize::MAX).expect("compressible");
        assert!(c.len() < 100_000 / 80, "{}", c.len());
        let text = b"The quick brown fox jumps over the lazy dog. ".repeat(200);
        let c = compress(&text, text.len() - 4).expect("compressible");
        assert!(c.len() < text.len() / 10);
        // Incompressible data fails with the RDB budget (len - 4).
        let mut rng = Rng::new(7);
        let rnd = rng.bytes(5000);
        assert!(compress(&rnd, rnd.len() - 4).is_none());
        // Long-distance reference limit: a repeat 8192 back is usable, beyond
        // that it is not (still round-trips either way).
        let block = rng.bytes(8192);
        let mut d = block.clone();
        d.extend_from_slice(&block);
        let c = compress(&d, usize::MAX).expect("ok");
        assert!(c.len() < block.len() + block.len() / 32 + 200);
        roundtrip(&d);
        let mut d2 = block.clone();
        d2.push(1);
        d2.extend_from_slice(&block);
        roundtrip(&d2);
    }

    #[test]
    fn known_streams() {
        // Literal "abc".
        assert_eq!(decompress(&[0x02, b'a', b'b', b'c'], 3).as_deref(), Some(&b"abc"[..]));
        // 'a' then a 9-byte overlapping reference at distance 1 (long form).
        assert_eq!(decompress(&[0x00, b'a', 0xe0, 0x00, 0x00], 10).as_deref(), Some(&b"aaaaaaaaaa"[..]));
        // "ab" then short reference len 3+2=5... len field 3 -> 5 bytes, distance 2.
        assert_eq!(decompress(&[0x01, b'a', b'b', 0x60, 0x01], 7).as_deref(), Some(&b"abababa"[..]));
        // Maximum length reference: 7 + 255 + 2 = 264 bytes.
        let mut exp = vec![b'z'];
        exp.extend(vec![b'z'; 264]);
        assert_eq!(decompress(&[0x00, b'z', 0xe0, 0xff, 0x00], 265), Some(exp));
        // Reference with high offset bits: 300 literals then copy from start.
        let lits: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        let mut stream = Vec::new();
        for chunk in lits.chunks(32) {
            stream.push((chunk.len() - 1) as u8);
            stream.extend_from_slice(chunk);
        }
        // distance 300 -> off 299 = 0x12b; len 4 -> field 2
        stream.extend_from_slice(&[0x40 | 0x01, 0x2b]);
        let mut exp = lits.clone();
        exp.extend_from_slice(&lits[..4]);
        assert_eq!(decompress(&stream, 304), Some(exp));
        // liblzf's output for a simple vector: position 0 is never a
        // reference, so two literals, a 6-byte copy at distance 1, then
        // the two bytes too close to the end to hash.
        let c = compress(b"aaaaaaaaaa", usize::MAX).expect("ok");
        assert_eq!(c, vec![0x01, b'a', b'a', 0x80, 0x00, 0x01, b'a', b'a']);
        let c = compress(b"abcabcabcabc", usize::MAX).expect("ok");
        assert_eq!(decompress(&c, 12).as_deref(), Some(&b"abcabcabcabc"[..]));
        assert!(c.len() < 12);
    }

    #[test]
    fn corrupt_streams_rejected() {
        // Reference before the start of the output.
        assert!(decompress(&[0x20, 0x00], 3).is_none());
        assert!(decompress(&[0x00, b'a', 0x20, 0x01], 4).is_none());
        // Truncated literal, truncated reference, truncated long length.
        assert!(decompress(&[0x05, b'a'], 6).is_none());
        assert!(decompress(&[0x00, b'a', 0x20], 4).is_none());
        assert!(decompress(&[0x00, b'a', 0xe0], 12).is_none());
        assert!(decompress(&[0x00, b'a', 0xe0, 0x01], 12).is_none());
        // Output overflow.
        assert!(decompress(&[0x02, b'a', b'b', b'c'], 2).is_none());
        assert!(decompress(&[0x00, b'a', 0xe0, 0x00, 0x00], 9).is_none());
        // Absurd expected length vs input size is rejected before allocating.
        assert!(decompress(&[0x00, b'a'], usize::MAX).is_none());
        assert!(decompress(&[0x00, b'a'], 1 << 40).is_none());
        // decompress_into leaves `out` untouched on failure and allows short output.
        let mut out = b"prefix".to_vec();
        assert!(decompress_into(&[0x20, 0x00], 10, &mut out).is_none());
        assert_eq!(out, b"prefix");
        assert_eq!(decompress_into(&[0x01, b'x', b'y'], 10, &mut out), Some(2));
        assert_eq!(out, b"prefixxy");
    }

    #[test]
    fn fuzz_never_panics() {
        let mut rng = Rng::new(0xfeed_face_dead_beef);
        let mut valid = Vec::new();
        for _ in 0..50 {
            let n = 1 + rng.below(2000) as usize;
            let d = compressible(&mut rng, n);
            let c = compress(&d, usize::MAX).expect("ok");
            valid.push((d, c));
        }
        for i in 0..20_000 {
            let (input, exp_len) = match i % 3 {
                0 => {
                    let n = rng.below(64) as usize;
                    (rng.bytes(n), rng.below(600) as usize)
                }
                1 => {
                    // Mutate a valid stream.
                    let (d, c) = &valid[rng.below(valid.len() as u64) as usize];
                    let mut c = c.clone();
                    for _ in 0..1 + rng.below(4) {
                        let p = rng.below(c.len() as u64) as usize;
                        c[p] ^= 1 << rng.below(8);
                    }
                    (c, d.len())
                }
                _ => {
                    // Truncate a valid stream.
                    let (d, c) = &valid[rng.below(valid.len() as u64) as usize];
                    let cut = rng.below(c.len() as u64) as usize;
                    (c[..cut].to_vec(), d.len())
                }
            };
            let ours = decompress(&input, exp_len);
            let reference = reference_decode(&input, exp_len).filter(|v| v.len() == exp_len);
            assert_eq!(ours, reference, "input {input:?} len {exp_len}");
            if let Some(v) = &ours {
                assert_eq!(v.len(), exp_len);
            }
        }
    }
}
