//! Reading the ziplist format (ziplist.c), which Redis before 7.0 used for
//! small lists, hashes and sorted sets and which old RDB files and DUMP
//! payloads still contain. We never write ziplists: loading converts them
//! to listpacks, as Redis 7.0 does.
//!
//! Layout: `<zlbytes u32><zltail u32><zllen u16> <entry>... <0xFF>`, each
//! entry `<prevlen 1|5 bytes><encoding+len><data>`. Validation follows
//! `ziplistValidateIntegrity` with deep checking: every entry must lie in
//! the buffer, each prevlen must match the previous entry, the tail offset
//! must point at the last entry and the count must match the header.

use crate::ds::listpack::LpValue;

const HEADER_SIZE: usize = 10;
const END: u8 = 0xFF;
const BIG_PREVLEN: u8 = 0xFE;

/// One decoded entry header: where the data starts, its length, and the
/// integer value for integer encodings.
struct Entry {
    /// Total bytes of prevlen + encoding header.
    header: usize,
    /// Bytes of data after the header.
    len: usize,
    prevlen: usize,
    int: Option<i64>,
}

/// Decodes the entry at `p` if it lies entirely before the terminator at
/// `last` (`zipEntrySafe`).
fn entry_at(zl: &[u8], p: usize, last: usize) -> Option<Entry> {
    if p >= last {
        return None;
    }
    let (prevlen_size, prevlen) = if zl[p] < BIG_PREVLEN {
        (1, zl[p] as usize)
    } else {
        if p + 5 > last {
            return None;
        }
        (5, u32::from_le_bytes([zl[p + 1], zl[p + 2], zl[p + 3], zl[p + 4]]) as usize)
    };
    let e = p + prevlen_size;
    if e >= last {
        return None;
    }
    let enc = zl[e];
    // (encoding header size, data length, integer width)
    let (lensize, len, int_width): (usize, usize, usize) = match enc >> 6 {
        0 => (1, (enc & 0x3f) as usize, 0),
        1 => {
            if e + 2 > last {
                return None;
            }
            (2, (((enc & 0x3f) as usize) << 8) | zl[e + 1] as usize, 0)
        }
        2 => {
            if enc != 0x80 || e + 5 > last {
                return None;
            }
            (5, u32::from_be_bytes([zl[e + 1], zl[e + 2], zl[e + 3], zl[e + 4]]) as usize, 0)
        }
        _ => match enc {
            0xC0 => (1, 2, 2),
            0xD0 => (1, 4, 4),
            0xE0 => (1, 8, 8),
            0xF0 => (1, 3, 3),
            0xFE => (1, 1, 1),
            0xF1..=0xFD => (1, 0, 0),
            _ => return None,
        },
    };
    let data = e + lensize;
    let end = data.checked_add(len)?;
    if end > last {
        return None;
    }
    let int = if enc >= 0xC0 {
        let d = &zl[data..end];
        Some(match int_width {
            1 => i64::from(d[0] as i8),
            2 => i64::from(i16::from_le_bytes([d[0], d[1]])),
            3 => i64::from(i32::from_le_bytes([0, d[0], d[1], d[2]]) >> 8),
            4 => i64::from(i32::from_le_bytes([d[0], d[1], d[2], d[3]])),
            8 => i64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]),
            _ => i64::from(enc & 0x0f) - 1,
        })
    } else {
        None
    };
    Some(Entry {
        header: prevlen_size + lensize,
        len,
        prevlen,
        int,
    })
}

/// Validates a ziplist and calls `f` on every entry in order; `f` returning
/// false rejects it. Returns whether the ziplist was valid and accepted.
pub fn for_each_validated(zl: &[u8], mut f: impl FnMut(LpValue<'_>) -> bool) -> bool {
    let size = zl.len();
    if size < HEADER_SIZE + 1 {
        return false;
    }
    if u32::from_le_bytes([zl[0], zl[1], zl[2], zl[3]]) as usize != size || zl[size - 1] != END {
        return false;
    }
    let tail = u32::from_le_bytes([zl[4], zl[5], zl[6], zl[7]]) as usize;
    if tail > size - 1 {
        return false;
    }
    let header_count = u16::from_le_bytes([zl[8], zl[9]]);
    let last = size - 1;
    let mut p = HEADER_SIZE;
    let mut prev: Option<usize> = None;
    let mut prev_raw = 0usize;
    let mut count = 0usize;
    while zl[p] != END {
        let Some(e) = entry_at(zl, p, last) else {
            return false;
        };
        if e.prevlen != prev_raw {
            return false;
        }
        let data = p + e.header;
        let v = match e.int {
            Some(i) => LpValue::Int(i),
            None => LpValue::Str(&zl[data..data + e.len]),
        };
        if !f(v) {
            return false;
        }
        prev_raw = e.header + e.len;
        prev = Some(p);
        p += prev_raw;
        count += 1;
    }
    if p != last {
        return false;
    }
    if prev.is_some_and(|pp| pp != tail) {
        return false;
    }
    header_count == u16::MAX || count == header_count as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a ziplist the way Redis 6 would, for the tests.
    fn build(items: &[&[u8]]) -> Vec<u8> {
        let mut body = Vec::new();
        let mut prev = 0usize;
        let mut tail = HEADER_SIZE;
        for it in items {
            let start = body.len();
            tail = HEADER_SIZE + start;
            if prev < 254 {
                body.push(prev as u8);
            } else {
                body.push(0xFE);
                body.extend_from_slice(&(prev as u32).to_le_bytes());
            }
            match std::str::from_utf8(it).ok().and_then(|s| s.parse::<i64>().ok()) {
                Some(v @ 0..=12) => body.push(0xF1 + v as u8),
                Some(v) if i8::try_from(v).is_ok() => {
                    body.push(0xFE);
                    body.push(v as i8 as u8);
                }
                Some(v) if i16::try_from(v).is_ok() => {
                    body.push(0xC0);
                    body.extend_from_slice(&(v as i16).to_le_bytes());
                }
                Some(v) if (-(1 << 23)..(1 << 23)).contains(&v) => {
                    body.push(0xF0);
                    body.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
                }
                Some(v) if i32::try_from(v).is_ok() => {
                    body.push(0xD0);
                    body.extend_from_slice(&(v as i32).to_le_bytes());
                }
                Some(v) => {
                    body.push(0xE0);
                    body.extend_from_slice(&v.to_le_bytes());
                }
                None if it.len() < 64 => {
                    body.push(it.len() as u8);
                    body.extend_from_slice(it);
                }
                None if it.len() < 16384 => {
                    body.push(0x40 | (it.len() >> 8) as u8);
                    body.push(it.len() as u8);
                    body.extend_from_slice(it);
                }
                None => {
                    body.push(0x80);
                    body.extend_from_slice(&(it.len() as u32).to_be_bytes());
                    body.extend_from_slice(it);
                }
            }
            prev = body.len() - start;
        }
        let total = HEADER_SIZE + body.len() + 1;
        let mut zl = Vec::new();
        zl.extend_from_slice(&(total as u32).to_le_bytes());
        zl.extend_from_slice(&(tail as u32).to_le_bytes());
        zl.extend_from_slice(&(items.len() as u16).to_le_bytes());
        zl.extend_from_slice(&body);
        zl.push(END);
        zl
    }

    fn decode(zl: &[u8]) -> Option<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for_each_validated(zl, |v| {
            out.push(v.to_vec());
            true
        })
        .then_some(out)
    }

    #[test]
    fn decodes_every_encoding() {
        let long = vec![b'x'; 300];
        let huge = vec![b'y'; 20000];
        let items: Vec<&[u8]> = vec![
            b"0",
            b"12",
            b"13",
            b"-1",
            b"-128",
            b"300",
            b"-40000",
            b"8000000",
            b"-2000000000",
            b"9000000000",
            b"hello",
            &long,
            &huge,
        ];
        let zl = build(&items);
        let got = decode(&zl).expect("valid");
        let want: Vec<Vec<u8>> = items.iter().map(|s| s.to_vec()).collect();
        assert_eq!(got, want);
        assert_eq!(decode(&build(&[])), Some(vec![]));
    }

    #[test]
    fn rejects_corruption_without_panicking() {
        let zl = build(&[b"a", b"bb", b"123", b"hello world"]);
        // Every truncation and every single-byte change must be handled.
        for cut in 0..zl.len() {
            let _ = decode(&zl[..cut]);
        }
        for i in 0..zl.len() {
            for b in [0u8, 1, 0x3f, 0x40, 0x80, 0xC0, 0xF0, 0xFE, 0xFF] {
                let mut z = zl.clone();
                z[i] = b;
                let _ = decode(&z);
            }
        }
        let mut bad_tail = zl.clone();
        bad_tail[4] = 10;
        assert!(decode(&bad_tail).is_none());
        let mut bad_count = zl.clone();
        bad_count[8] = 3;
        assert!(decode(&bad_count).is_none());
    }
}
