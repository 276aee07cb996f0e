//! Reading the zipmap format (zipmap.c), the small-hash encoding of Redis
//! 2.x that very old RDB files still contain. Loading converts it to a
//! listpack hash.
//!
//! Layout: `<count u8> (<len><field><len><free u8><value><free bytes>)...
//! <0xFF>`, where a length is one byte below 254, or 254 followed by a
//! little-endian u32. Validation follows `zipmapValidateIntegrity` (deep).

const BIGLEN: u8 = 254;
const END: u8 = 0xFF;

/// Validates a zipmap and calls `f(field, value)` on every pair in order;
/// `f` returning false rejects it. Returns whether it was valid and
/// accepted. An empty zipmap is invalid, as in Redis.
pub fn for_each_validated(zm: &[u8], mut f: impl FnMut(&[u8], &[u8]) -> bool) -> bool {
    let size = zm.len();
    if size < 2 || zm[size - 1] != END {
        return false;
    }
    // Positions must stay within [2, size - 1] (Redis's OUT_OF_RANGE).
    let in_range = |p: usize| (2..=size - 1).contains(&p);
    // A length at `p`: (encoded size, value), or None past the end.
    let read_len = |p: usize| -> Option<(usize, usize)> {
        let s = if zm[p] < BIGLEN { 1 } else { 5 };
        if !in_range(p + s) {
            return None;
        }
        let l = if s == 1 {
            zm[p] as usize
        } else {
            u32::from_le_bytes([zm[p + 1], zm[p + 2], zm[p + 3], zm[p + 4]]) as usize
        };
        // A length below 254 must use the one-byte form.
        if l < BIGLEN as usize && s != 1 {
            return None;
        }
        Some((s, l))
    };
    let mut count = 0usize;
    let mut p = 1;
    while zm[p] != END {
        let Some((s, klen)) = read_len(p) else { return false };
        let field_at = p + s;
        p = match field_at.checked_add(klen) {
            Some(q) if in_range(q) => q,
            _ => return false,
        };
        let Some((s, vlen)) = read_len(p) else { return false };
        let free = zm[p + s] as usize;
        let value_at = p + s + 1;
        p = match value_at.checked_add(vlen).and_then(|q| q.checked_add(free)) {
            Some(q) if in_range(q) && value_at + vlen < size => q,
            _ => return false,
        };
        count += 1;
        if !f(&zm[field_at..field_at + klen], &zm[value_at..value_at + vlen]) {
            return false;
        }
    }
    count > 0 && (zm[0] == BIGLEN || zm[0] as usize == count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(pairs: &[(&[u8], &[u8])], free: u8) -> Vec<u8> {
        let mut zm = vec![pairs.len() as u8];
        let put_len = |zm: &mut Vec<u8>, l: usize| {
            if l < 254 {
                zm.push(l as u8);
            } else {
                zm.push(254);
                zm.extend_from_slice(&(l as u32).to_le_bytes());
            }
        };
        for (k, v) in pairs {
            put_len(&mut zm, k.len());
            zm.extend_from_slice(k);
            put_len(&mut zm, v.len());
            zm.push(free);
            zm.extend_from_slice(v);
            zm.extend(std::iter::repeat_n(0u8, free as usize));
        }
        zm.push(END);
        zm
    }

    fn decode(zm: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut out = Vec::new();
        for_each_validated(zm, |k, v| {
            out.push((k.to_vec(), v.to_vec()));
            true
        })
        .then_some(out)
    }

    #[test]
    fn decodes_pairs() {
        let big = vec![b'v'; 300];
        let zm = build(&[(b"a", b"1"), (b"field", &big)], 2);
        let got = decode(&zm).expect("valid");
        assert_eq!(got, vec![(b"a".to_vec(), b"1".to_vec()), (b"field".to_vec(), big)]);
        assert!(decode(&[0, END]).is_none(), "empty zipmaps are corrupt");
    }

    #[test]
    fn corrupt_input_never_panics() {
        let zm = build(&[(b"a", b"1"), (b"bb", b"22"), (b"ccc", b"333")], 1);
        for cut in 0..zm.len() {
            let _ = decode(&zm[..cut]);
        }
        for i in 0..zm.len() {
            for b in [0u8, 1, 5, 253, 254, 255] {
                let mut z = zm.clone();
                z[i] = b;
                let _ = decode(&z);
            }
        }
    }
}
