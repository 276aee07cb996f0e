//! Listpack: the compact serialized list of strings and integers that backs
//! small hashes, sorted sets and list (quicklist) nodes. Mirrors Redis 7.0's
//! `listpack.c` / `listpack.h` and produces byte-identical buffers, so the
//! bytes can be written to and read from RDB files unchanged.
//!
//! Layout: `<total-bytes u32 LE> <num-elements u16 LE> <entry>* <0xFF>`.
//! Each entry is `<encoding+data> <backlen>`, where `backlen` is the size of
//! `<encoding+data>` written as 7-bit groups so it can be parsed from its last
//! byte backwards (that is what makes reverse iteration possible).
//!
//! Entry encodings (first byte):
//! * `0xxxxxxx` 7-bit unsigned integer;
//! * `10LLLLLL` string of up to 63 bytes;
//! * `110xxxxx` + 1 byte: 13-bit signed integer;
//! * `1110LLLL` + 1 byte: string of up to 4095 bytes;
//! * `0xF0` + u32 LE length: large string;
//! * `0xF1`/`0xF2`/`0xF3`/`0xF4`: 16/24/32/64-bit signed integer, LE;
//! * `0xFF`: terminator.
//!
//! Positions handed out by this API are byte offsets of entries inside the
//! buffer; they stay valid until the next mutation.

use crate::util::num::{parse_i64, push_i64};

/// Header size: total bytes (u32) + number of elements (u16).
const HDR_SIZE: usize = 6;
/// The terminator byte.
const EOF: u8 = 0xFF;
/// Element count meaning "too many, count them".
const NUMELE_UNKNOWN: u16 = u16::MAX;
/// Listpacks are never grown beyond this (`LISTPACK_MAX_SAFETY_SIZE`).
pub const MAX_SAFETY_SIZE: usize = 1 << 30;

const ENC_6BIT_STR: u8 = 0x80;
const ENC_13BIT_INT: u8 = 0xC0;
const ENC_12BIT_STR: u8 = 0xE0;
const ENC_32BIT_STR: u8 = 0xF0;
const ENC_16BIT_INT: u8 = 0xF1;
const ENC_24BIT_INT: u8 = 0xF2;
const ENC_32BIT_INT: u8 = 0xF3;
const ENC_64BIT_INT: u8 = 0xF4;

/// A decoded listpack element: integers are stored natively, everything else
/// as bytes borrowed from the listpack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LpValue<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl LpValue<'_> {
    /// The element as bytes (integers in decimal).
    pub fn to_vec(&self) -> Vec<u8> {
        match *self {
            LpValue::Str(s) => s.to_vec(),
            LpValue::Int(v) => {
                let mut out = Vec::with_capacity(20);
                push_i64(&mut out, v);
                out
            }
        }
    }

    /// Length of the element as a string (integers as their decimal form).
    pub fn len(&self) -> usize {
        match *self {
            LpValue::Str(s) => s.len(),
            LpValue::Int(v) => decimal_len(v),
        }
    }

    /// True for the empty string.
    pub fn is_empty(&self) -> bool {
        matches!(*self, LpValue::Str(s) if s.is_empty())
    }

    /// Appends the element's string form to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match *self {
            LpValue::Str(s) => out.extend_from_slice(s),
            LpValue::Int(v) => push_i64(out, v),
        }
    }

    /// The element as an integer: native integers, or strings that parse
    /// strictly (`string2ll` rules).
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            LpValue::Int(v) => Some(v),
            LpValue::Str(s) => parse_i64(s),
        }
    }

    /// Compares with a string the way `lpCompare` does.
    pub fn eq_bytes(&self, v: &[u8]) -> bool {
        match *self {
            LpValue::Str(s) => s == v,
            LpValue::Int(i) => parse_i64(v) == Some(i),
        }
    }
}

/// Number of characters in the decimal form of `v`.
fn decimal_len(v: i64) -> usize {
    let mut n = v.unsigned_abs();
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d + usize::from(v < 0)
}

/// Bytes needed for the backlen of an entry whose encoded part is `l` bytes.
/// Note the thresholds: 16383 (not 16384) already takes three bytes, etc.
#[inline]
fn backlen_size(l: usize) -> usize {
    if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    }
}

/// Writes the backlen of `l` into `dst` (which must be `backlen_size(l)` long).
/// The most significant group comes first; every byte but the first has the
/// high bit set, so a reader going backwards knows when to stop.
#[inline]
fn write_backlen(dst: &mut [u8], l: usize) {
    let n = dst.len();
    for (i, b) in dst.iter_mut().enumerate() {
        let shift = 7 * (n - 1 - i);
        let group = ((l >> shift) & 127) as u8;
        *b = if i == 0 { (l >> shift) as u8 } else { group | 128 };
    }
}

/// Decodes a backlen whose last byte is `buf[last]`, reading backwards.
/// `None` if it would use more than five bytes or run off the buffer.
#[inline]
fn decode_backlen(buf: &[u8], mut last: usize) -> Option<usize> {
    let mut val: u64 = 0;
    let mut shift = 0u32;
    loop {
        let c = *buf.get(last)?;
        val |= u64::from(c & 127) << shift;
        if c & 128 == 0 {
            return usize::try_from(val).ok();
        }
        shift += 7;
        if shift > 28 {
            return None;
        }
        last = last.checked_sub(1)?;
    }
}

/// Number of encoding bytes (type + length) of the entry starting with `c`;
/// 0 for an invalid encoding byte.
#[inline]
fn encoding_header_size(c: u8) -> usize {
    if c < 0xE0 {
        1 // 7-bit uint, 6-bit string, 13-bit int
    } else if c < 0xF0 {
        2 // 12-bit string
    } else {
        match c {
            ENC_32BIT_STR => 5,
            ENC_16BIT_INT | ENC_24BIT_INT | ENC_32BIT_INT | ENC_64BIT_INT | EOF => 1,
            _ => 0,
        }
    }
}

/// Size of the encoding + data of the entry at `p` (no backlen); 0 if the
/// encoding byte is invalid. The caller guarantees the length bytes exist.
#[inline]
fn encoded_size(buf: &[u8], p: usize) -> usize {
    let c = buf[p];
    if c < 0x80 {
        1
    } else if c < 0xC0 {
        1 + (c & 0x3F) as usize
    } else if c < 0xE0 {
        2
    } else if c < 0xF0 {
        2 + ((((c & 0x0F) as usize) << 8) | buf[p + 1] as usize)
    } else {
        match c {
            ENC_32BIT_STR => 5 + read_u32(buf, p + 1) as usize,
            ENC_16BIT_INT => 3,
            ENC_24BIT_INT => 4,
            ENC_32BIT_INT => 5,
            ENC_64BIT_INT => 9,
            EOF => 1,
            _ => 0,
        }
    }
}

#[inline]
fn read_u32(buf: &[u8], p: usize) -> u32 {
    u32::from_le_bytes([buf[p], buf[p + 1], buf[p + 2], buf[p + 3]])
}

/// Sign-extends the low `bits` bits of `u`.
#[inline]
fn sign_extend(u: u64, bits: u32) -> i64 {
    let s = 64 - bits;
    ((u << s) as i64) >> s
}

/// Decodes the entry at `p`: its value and its full size (with backlen).
/// The caller guarantees the entry lies inside `buf`.
#[inline]
fn decode(buf: &[u8], p: usize) -> (LpValue<'_>, usize) {
    let c = buf[p];
    if c < 0x80 {
        return (LpValue::Int(i64::from(c)), 2);
    }
    if c < 0xC0 {
        let len = (c & 0x3F) as usize;
        return (LpValue::Str(&buf[p + 1..p + 1 + len]), 1 + len + backlen_size(1 + len));
    }
    if c < 0xE0 {
        let u = (u64::from(c & 0x1F) << 8) | u64::from(buf[p + 1]);
        return (LpValue::Int(sign_extend(u, 13)), 3);
    }
    if c < 0xF0 {
        let len = (((c & 0x0F) as usize) << 8) | buf[p + 1] as usize;
        return (LpValue::Str(&buf[p + 2..p + 2 + len]), 2 + len + backlen_size(2 + len));
    }
    let (nbytes, total) = match c {
        ENC_32BIT_STR => {
            let len = read_u32(buf, p + 1) as usize;
            return (LpValue::Str(&buf[p + 5..p + 5 + len]), 5 + len + backlen_size(5 + len));
        }
        ENC_16BIT_INT => (2, 4),
        ENC_24BIT_INT => (3, 5),
        ENC_32BIT_INT => (4, 6),
        ENC_64BIT_INT => (8, 10),
        // Not a valid entry (only reachable when pointed at the terminator):
        // report it the way Redis does, as a recognizable bogus integer.
        _ => return (LpValue::Int(12_345_678_900_000_000 + i64::from(c)), 1),
    };
    let mut raw = [0u8; 8];
    raw[..nbytes].copy_from_slice(&buf[p + 1..p + 1 + nbytes]);
    let u = u64::from_le_bytes(raw);
    (LpValue::Int(sign_extend(u, 8 * nbytes as u32)), total)
}

/// An element ready to be written: either an integer already encoded, or a
/// string that will be written with a length prefix.
enum Encoded<'a> {
    Int { bytes: [u8; 9], len: usize },
    Str(&'a [u8]),
}

impl Encoded<'_> {
    /// Encodes an integer with the smallest encoding that fits it.
    fn int(v: i64) -> Encoded<'static> {
        let mut bytes = [0u8; 9];
        let len = if (0..=127).contains(&v) {
            bytes[0] = v as u8;
            1
        } else if (-4096..=4095).contains(&v) {
            let u = (v as u64) & 0x1FFF;
            bytes[0] = ENC_13BIT_INT | (u >> 8) as u8;
            bytes[1] = u as u8;
            2
        } else {
            let (tag, n) = if (-32768..=32767).contains(&v) {
                (ENC_16BIT_INT, 2)
            } else if (-8_388_608..=8_388_607).contains(&v) {
                (ENC_24BIT_INT, 3)
            } else if (-2_147_483_648..=2_147_483_647).contains(&v) {
                (ENC_32BIT_INT, 4)
            } else {
                (ENC_64BIT_INT, 8)
            };
            bytes[0] = tag;
            bytes[1..1 + n].copy_from_slice(&v.to_le_bytes()[..n]);
            1 + n
        };
        Encoded::Int { bytes, len }
    }

    /// Chooses the encoding of a string element: integer if it is a strict
    /// decimal i64, otherwise a length-prefixed string.
    fn string(s: &[u8]) -> Encoded<'_> {
        match parse_i64(s) {
            Some(v) => Encoded::int(v),
            None => Encoded::Str(s),
        }
    }

    /// Size of encoding + data (without backlen).
    fn len(&self) -> usize {
        match self {
            Encoded::Int { len, .. } => *len,
            Encoded::Str(s) => {
                let n = s.len();
                if n < 64 {
                    1 + n
                } else if n < 4096 {
                    2 + n
                } else {
                    5 + n
                }
            }
        }
    }

    /// Writes encoding + data into `dst` (exactly `self.len()` bytes).
    fn write(&self, dst: &mut [u8]) {
        match self {
            Encoded::Int { bytes, len } => dst.copy_from_slice(&bytes[..*len]),
            Encoded::Str(s) => {
                let n = s.len();
                let hdr = if n < 64 {
                    dst[0] = ENC_6BIT_STR | n as u8;
                    1
                } else if n < 4096 {
                    dst[0] = ENC_12BIT_STR | (n >> 8) as u8;
                    dst[1] = n as u8;
                    2
                } else {
                    dst[0] = ENC_32BIT_STR;
                    dst[1..5].copy_from_slice(&(n as u32).to_le_bytes());
                    5
                };
                dst[hdr..].copy_from_slice(s);
            }
        }
    }
}

/// Validates one entry at `p` (which must not be the terminator), returning
/// the offset of the following entry. Mirrors `lpValidateNext`: the entry
/// and its backlen must end before the last byte, and the backlen must decode
/// to the entry's encoded size.
fn validate_entry(buf: &[u8], p: usize) -> Option<usize> {
    let last = buf.len() - 1;
    let c = buf[p];
    let hdr = encoding_header_size(c);
    if hdr == 0 || p + hdr > last {
        return None;
    }
    let enc = encoded_size(buf, p);
    let bl = backlen_size(enc);
    let next = p.checked_add(enc)?.checked_add(bl)?;
    if next > last {
        return None;
    }
    let prevlen = decode_backlen(buf, next - 1)?;
    if prevlen != enc {
        return None;
    }
    Some(next)
}

/// Header-and-entries validation (`lpValidateIntegrity` with deep=1), calling
/// `cb` on each entry once it has been checked to lie inside the buffer.
fn validate(buf: &[u8], mut cb: impl FnMut(LpValue<'_>) -> bool) -> bool {
    let size = buf.len();
    if size < HDR_SIZE + 1 {
        return false;
    }
    if read_u32(buf, 0) as usize != size || buf[size - 1] != EOF {
        return false;
    }
    let numele = u16::from_le_bytes([buf[4], buf[5]]);
    let mut count: u64 = 0;
    let mut p = HDR_SIZE;
    while buf[p] != EOF {
        let Some(next) = validate_entry(buf, p) else {
            return false;
        };
        if !cb(decode(buf, p).0) {
            return false;
        }
        p = next;
        count += 1;
    }
    if p != size - 1 {
        return false;
    }
    numele == NUMELE_UNKNOWN || u64::from(numele) == count
}

/// A listpack, owning its serialized bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Listpack {
    buf: Vec<u8>,
}

impl Default for Listpack {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Listpack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|v| match v {
                LpValue::Int(i) => format!("{i}"),
                LpValue::Str(s) => format!("{:?}", String::from_utf8_lossy(s)),
            }))
            .finish()
    }
}

impl Listpack {
    /// Active defrag: moves the serialized bytes if worth it.
    pub fn defrag(&mut self, mv: &mut crate::server::defrag::Mover) {
        mv.vec(&mut self.buf);
    }

    /// An empty listpack (7 bytes: header and terminator).
    pub fn new() -> Self {
        Self::with_capacity(HDR_SIZE + 1)
    }

    /// An empty listpack with room for `cap` bytes before reallocating.
    pub fn with_capacity(cap: usize) -> Self {
        let mut buf = Vec::with_capacity(cap.max(HDR_SIZE + 1));
        buf.extend_from_slice(&[(HDR_SIZE + 1) as u8, 0, 0, 0, 0, 0, EOF]);
        Listpack { buf }
    }

    /// Adopts serialized bytes after validating the header and every entry
    /// (like `lpValidateIntegrity` with deep validation). `None` if corrupt.
    pub fn from_bytes(b: Vec<u8>) -> Option<Self> {
        Self::from_bytes_with(b, |_| true)
    }

    /// Like [`Listpack::from_bytes`], also calling `cb` on every entry in
    /// order; a `false` from `cb` rejects the listpack (used by RDB loading to
    /// check e.g. duplicates).
    pub fn from_bytes_with(b: Vec<u8>, cb: impl FnMut(LpValue<'_>) -> bool) -> Option<Self> {
        if validate(&b, cb) {
            Some(Listpack { buf: b })
        } else {
            None
        }
    }

    /// Checks whether `b` is a valid listpack without taking ownership.
    pub fn validate(b: &[u8]) -> bool {
        validate(b, |_| true)
    }

    /// The serialized bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Gives back the serialized bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.buf.shrink_to_fit();
    }

    /// Bytes allocated for the buffer, spare room included (what
    /// `zmalloc_size` reports for a preallocated listpack).
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Number of entries. Uses the header count unless it saturated, in which
    /// case the entries are counted (like `lpLength`, minus its header fix-up;
    /// see [`Listpack::len_sync`]).
    pub fn len(&self) -> usize {
        let n = self.header_numele();
        if n != NUMELE_UNKNOWN {
            return n as usize;
        }
        self.count_entries()
    }

    /// Like [`Listpack::len`], and like `lpLength` also rewrites a saturated
    /// header count once the real count fits again.
    pub fn len_sync(&mut self) -> usize {
        let n = self.len();
        if n < NUMELE_UNKNOWN as usize {
            self.set_numele(n as u16);
        }
        n
    }

    fn count_entries(&self) -> usize {
        let mut count = 0;
        let mut p = HDR_SIZE;
        while self.buf[p] != EOF {
            p += self.entry_size(p);
            count += 1;
        }
        count
    }

    /// True if there are no entries.
    pub fn is_empty(&self) -> bool {
        self.buf[HDR_SIZE] == EOF
    }

    /// Total size in bytes (same as the header's total-bytes field).
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    /// Offset of the first entry.
    pub fn first(&self) -> Option<usize> {
        if self.buf[HDR_SIZE] == EOF {
            None
        } else {
            Some(HDR_SIZE)
        }
    }

    /// Offset of the last entry.
    pub fn last(&self) -> Option<usize> {
        self.prev(self.buf.len() - 1)
    }

    /// Offset of the entry after the one at `pos`.
    #[inline]
    pub fn next(&self, pos: usize) -> Option<usize> {
        let p = pos + self.entry_size(pos);
        if self.buf[p] == EOF {
            None
        } else {
            Some(p)
        }
    }

    /// Offset of the entry before the one at `pos` (`pos` may be the
    /// terminator's offset, giving the last entry).
    #[inline]
    pub fn prev(&self, pos: usize) -> Option<usize> {
        if pos <= HDR_SIZE {
            return None;
        }
        // A valid listpack always has a decodable backlen here.
        let enc = decode_backlen(&self.buf, pos - 1).unwrap_or(0);
        Some(pos - enc - backlen_size(enc))
    }

    /// The element at `pos`.
    #[inline]
    pub fn get(&self, pos: usize) -> LpValue<'_> {
        decode(&self.buf, pos).0
    }

    /// The element at `pos` and the offset of the next entry, if any: one
    /// decode instead of `get` + `next`.
    #[inline]
    pub fn get_next(&self, pos: usize) -> (LpValue<'_>, Option<usize>) {
        let (v, size) = decode(&self.buf, pos);
        let p = pos + size;
        (v, if self.buf[p] == EOF { None } else { Some(p) })
    }

    /// Full size of the entry at `pos`, backlen included.
    #[inline]
    fn entry_size(&self, pos: usize) -> usize {
        let enc = encoded_size(&self.buf, pos);
        enc + backlen_size(enc)
    }

    /// Offset of the element at `index` (negative counts from the end, -1 is
    /// the last), like `lpSeek`, walking from whichever end is closer.
    pub fn seek(&self, index: i64) -> Option<usize> {
        let numele = self.header_numele();
        let mut index = index;
        let forward;
        if numele != NUMELE_UNKNOWN {
            let n = i64::from(numele);
            if index < 0 {
                index += n;
            }
            if index < 0 || index >= n {
                return None;
            }
            if index > n / 2 {
                forward = false;
                index -= n;
            } else {
                forward = true;
            }
        } else {
            forward = index >= 0;
        }
        if forward {
            let mut p = self.first();
            while index > 0 {
                p = self.next(p?);
                index -= 1;
            }
            p
        } else {
            let mut p = self.last();
            while index < -1 {
                p = self.prev(p?);
                index += 1;
            }
            p
        }
    }

    /// Appends a string element (stored as an integer when it is one).
    pub fn append(&mut self, v: &[u8]) {
        let eof = self.buf.len() - 1;
        self.insert_encoded(eof, 0, &Encoded::string(v), 1);
    }

    /// Appends an integer element.
    pub fn append_int(&mut self, v: i64) {
        let eof = self.buf.len() - 1;
        self.insert_encoded(eof, 0, &Encoded::int(v), 1);
    }

    /// Inserts a string element at the head.
    pub fn prepend(&mut self, v: &[u8]) {
        self.insert_encoded(HDR_SIZE, 0, &Encoded::string(v), 1);
    }

    /// Inserts an integer element at the head.
    pub fn prepend_int(&mut self, v: i64) {
        self.insert_encoded(HDR_SIZE, 0, &Encoded::int(v), 1);
    }

    /// Inserts before the entry at `pos` (or at the end if `pos` is the
    /// terminator's offset); returns the new entry's offset.
    pub fn insert_before(&mut self, pos: usize, v: &[u8]) -> usize {
        self.insert_encoded(pos, 0, &Encoded::string(v), 1);
        pos
    }

    /// Inserts after the entry at `pos`; returns the new entry's offset.
    pub fn insert_after(&mut self, pos: usize, v: &[u8]) -> usize {
        let p = pos + self.entry_size(pos);
        self.insert_encoded(p, 0, &Encoded::string(v), 1);
        p
    }

    /// Integer version of [`Listpack::insert_before`].
    pub fn insert_int_before(&mut self, pos: usize, v: i64) -> usize {
        self.insert_encoded(pos, 0, &Encoded::int(v), 1);
        pos
    }

    /// Integer version of [`Listpack::insert_after`].
    pub fn insert_int_after(&mut self, pos: usize, v: i64) -> usize {
        let p = pos + self.entry_size(pos);
        self.insert_encoded(p, 0, &Encoded::int(v), 1);
        p
    }

    /// Replaces the entry at `pos`; returns the replacement's offset (`pos`).
    pub fn replace(&mut self, pos: usize, v: &[u8]) -> usize {
        let old = self.entry_size(pos);
        self.insert_encoded(pos, old, &Encoded::string(v), 0);
        pos
    }

    /// Integer version of [`Listpack::replace`].
    pub fn replace_int(&mut self, pos: usize, v: i64) -> usize {
        let old = self.entry_size(pos);
        self.insert_encoded(pos, old, &Encoded::int(v), 0);
        pos
    }

    /// Removes the entry at `pos`; returns the offset of the entry that
    /// followed it (now at `pos`), if any.
    pub fn delete(&mut self, pos: usize) -> Option<usize> {
        let old = self.entry_size(pos);
        let total = self.buf.len();
        self.buf.copy_within(pos + old..total, pos);
        self.buf.truncate(total - old);
        self.set_total_bytes();
        self.adjust_numele(-1);
        if self.buf[pos] == EOF {
            None
        } else {
            Some(pos)
        }
    }

    /// Deletes up to `count` entries starting at element `index` (negative
    /// counts from the end), like `lpDeleteRange`.
    pub fn delete_range(&mut self, index: i64, count: usize) {
        if count == 0 {
            return;
        }
        let Some(p) = self.seek(index) else {
            return;
        };
        let numele = self.header_numele();
        if numele != NUMELE_UNKNOWN {
            let n = i64::from(numele);
            let idx = if index < 0 { n + index } else { index };
            if (n - idx) as u64 <= count as u64 {
                // Everything from `p` on goes: just move the terminator.
                self.buf.truncate(p + 1);
                self.buf[p] = EOF;
                self.set_total_bytes();
                self.set_numele(idx as u16);
                return;
            }
        }
        self.delete_range_at(p, count);
    }

    /// Deletes up to `count` entries starting with the one at `pos` (stops at
    /// the end), like `lpDeleteRangeWithEntry`.
    pub fn delete_range_at(&mut self, pos: usize, count: usize) {
        let mut tail = pos;
        let mut deleted = 0usize;
        while deleted < count && self.buf[tail] != EOF {
            tail += self.entry_size(tail);
            deleted += 1;
        }
        if deleted == 0 {
            return;
        }
        let total = self.buf.len();
        self.buf.copy_within(tail..total, pos);
        self.buf.truncate(total - (tail - pos));
        self.set_total_bytes();
        let n = self.header_numele();
        if n != NUMELE_UNKNOWN {
            self.set_numele(n.saturating_sub(deleted.min(u16::MAX as usize) as u16));
        }
    }

    /// Looks for an entry equal to `v` starting at `start`; after each
    /// compared entry `skip` entries are passed over without comparing (so
    /// `skip = 1` looks only at hash fields / zset members). Like `lpFind`.
    pub fn find(&self, start: usize, v: &[u8], skip: usize) -> Option<usize> {
        let buf = &self.buf[..];
        // Integer form of `v`, worked out only once an integer entry shows up.
        let mut vint: Option<Option<i64>> = None;
        let mut skipcnt = 0usize;
        let mut p = start;
        while buf[p] != EOF {
            if skipcnt == 0 {
                let (val, size) = decode(buf, p);
                match val {
                    LpValue::Str(s) => {
                        if s == v {
                            return Some(p);
                        }
                    }
                    LpValue::Int(i) => {
                        if *vint.get_or_insert_with(|| parse_i64(v)) == Some(i) {
                            return Some(p);
                        }
                    }
                }
                skipcnt = skip;
                p += size;
            } else {
                skipcnt -= 1;
                p += self.entry_size(p);
            }
        }
        None
    }

    /// Iterates the elements front to back (also double-ended).
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            buf: &self.buf,
            front: HDR_SIZE,
            back: self.buf.len() - 1,
        }
    }

    /// Iterates `(offset, element)` pairs front to back.
    pub fn iter_pos(&self) -> impl Iterator<Item = (usize, LpValue<'_>)> + '_ {
        let mut p = HDR_SIZE;
        std::iter::from_fn(move || {
            if self.buf[p] == EOF {
                return None;
            }
            let (v, size) = decode(&self.buf, p);
            let at = p;
            p += size;
            Some((at, v))
        })
    }

    /// Whether the entry at `pos` equals `v` (`lpCompare`: integer entries
    /// match strings that strictly parse to the same integer).
    pub fn entry_eq(&self, pos: usize, v: &[u8]) -> bool {
        if self.buf[pos] == EOF {
            return false;
        }
        self.get(pos).eq_bytes(v)
    }

    /// Whether growing by `add` bytes keeps the listpack within the 1 GiB
    /// safety limit (`lpSafeToAdd`).
    pub fn safe_to_add(&self, add: usize) -> bool {
        self.buf.len().saturating_add(add) <= MAX_SAFETY_SIZE
    }

    /// Appends all of `other`'s entries (like `lpMerge`: the count is
    /// recomputed and saturates at 65535).
    pub fn merge(&mut self, other: &Listpack) {
        let n = self.len() + other.len();
        self.buf.pop();
        self.buf.extend_from_slice(&other.buf[HDR_SIZE..]);
        assert!(self.buf.len() <= u32::MAX as usize, "listpack larger than 4 GiB");
        self.set_total_bytes();
        self.set_numele(n.min(NUMELE_UNKNOWN as usize) as u16);
    }

    /// Core insertion: puts `e` (plus its backlen) at `pos`, replacing the
    /// `replaced` bytes found there; `added` is the element count change.
    ///
    /// Panics if the result would not fit the 32-bit size field, which
    /// callers prevent with [`Listpack::safe_to_add`].
    fn insert_encoded(&mut self, pos: usize, replaced: usize, e: &Encoded<'_>, added: i32) {
        let enc = e.len();
        let bl = backlen_size(enc);
        let new_len = enc + bl;
        let old_total = self.buf.len();
        let new_total = old_total - replaced + new_len;
        assert!(new_total <= u32::MAX as usize, "listpack larger than 4 GiB");
        if new_len > replaced {
            self.buf.resize(new_total, 0);
            self.buf.copy_within(pos + replaced..old_total, pos + new_len);
        } else if new_len < replaced {
            self.buf.copy_within(pos + replaced..old_total, pos + new_len);
            self.buf.truncate(new_total);
        }
        e.write(&mut self.buf[pos..pos + enc]);
        write_backlen(&mut self.buf[pos + enc..pos + new_len], enc);
        self.set_total_bytes();
        self.adjust_numele(added);
    }

    #[inline]
    fn header_numele(&self) -> u16 {
        u16::from_le_bytes([self.buf[4], self.buf[5]])
    }

    #[inline]
    fn set_numele(&mut self, n: u16) {
        self.buf[4..6].copy_from_slice(&n.to_le_bytes());
    }

    /// Adds `delta` to the header count unless it is saturated (so it
    /// saturates on the way up and stays unknown on the way down).
    #[inline]
    fn adjust_numele(&mut self, delta: i32) {
        let n = self.header_numele();
        if n != NUMELE_UNKNOWN && delta != 0 {
            let v = (i32::from(n) + delta).clamp(0, i32::from(NUMELE_UNKNOWN));
            self.set_numele(v as u16);
        }
    }

    #[inline]
    fn set_total_bytes(&mut self) {
        let n = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&n.to_le_bytes());
    }
}

/// Iterator over a listpack's elements; see [`Listpack::iter`].
#[derive(Clone)]
pub struct Iter<'a> {
    buf: &'a [u8],
    /// Offset of the next entry to yield from the front.
    front: usize,
    /// Offset just past the next entry to yield from the back.
    back: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = LpValue<'a>;

    #[inline]
    fn next(&mut self) -> Option<LpValue<'a>> {
        if self.front >= self.back {
            return None;
        }
        let (v, size) = decode(self.buf, self.front);
        self.front += size;
        Some(v)
    }
}

impl<'a> DoubleEndedIterator for Iter<'a> {
    #[inline]
    fn next_back(&mut self) -> Option<LpValue<'a>> {
        if self.front >= self.back {
            return None;
        }
        let enc = decode_backlen(self.buf, self.back - 1).unwrap_or(0);
        self.back -= enc + backlen_size(enc);
        Some(decode(self.buf, self.back).0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::util::test_rng::Rng;

    fn fnv1a(b: &[u8]) -> u64 {
        b.iter()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, &x| (h ^ u64::from(x)).wrapping_mul(0x100_0000_01b3))
    }

    fn build(vals: &[Vec<u8>]) -> Listpack {
        let mut lp = Listpack::new();
        for v in vals {
            lp.append(v);
        }
        lp
    }

    fn contents(lp: &Listpack) -> Vec<Vec<u8>> {
        lp.iter().map(|v| v.to_vec()).collect()
    }

    /// Checks everything observable against the model.
    fn check(lp: &Listpack, model: &[Vec<u8>], deep: bool) {
        assert_eq!(lp.len(), model.len());
        assert_eq!(lp.is_empty(), model.is_empty());
        assert_eq!(lp.bytes(), lp.as_bytes().len());
        assert_eq!(read_u32(lp.as_bytes(), 0) as usize, lp.bytes());
        assert!(lp.iter().zip(model).all(|(v, m)| v.len() == m.len() && v.eq_bytes(m)));
        if deep {
            assert_eq!(contents(lp), model);
            assert!(Listpack::validate(lp.as_bytes()));
            let rev: Vec<Vec<u8>> = lp.iter().rev().map(|v| v.to_vec()).collect();
            let mut want = model.to_vec();
            want.reverse();
            assert_eq!(rev, want);
            // prev() walk from the end agrees with next() walk.
            let mut fwd = Vec::new();
            let mut p = lp.first();
            while let Some(x) = p {
                fwd.push(x);
                p = lp.next(x);
            }
            let mut bwd = Vec::new();
            let mut p = lp.last();
            while let Some(x) = p {
                bwd.push(x);
                p = lp.prev(x);
            }
            bwd.reverse();
            assert_eq!(fwd, bwd);
            for (i, &off) in fwd.iter().enumerate() {
                assert_eq!(lp.seek(i as i64), Some(off));
                assert_eq!(lp.seek(i as i64 - fwd.len() as i64), Some(off));
                assert_eq!(lp.get(off).len(), model[i].len());
            }
            assert_eq!(lp.seek(fwd.len() as i64), None);
            assert_eq!(lp.seek(-(fwd.len() as i64) - 1), None);
        }
    }

    fn random_value(r: &mut Rng) -> Vec<u8> {
        match r.below(14) {
            0 => format!("{}", r.below(128)).into_bytes(),
            1 => format!("{}", r.below(9000) as i64 - 4500).into_bytes(),
            2 => format!("{}", r.below(70000) as i64 - 35000).into_bytes(),
            3 => format!("{}", r.below(1 << 25) as i64 - (1 << 24)).into_bytes(),
            4 => format!("{}", r.next_u64() as i64 >> r.below(64)).into_bytes(),
            5 => {
                let odd = [
                    "01",
                    "-0",
                    "+1",
                    " 1",
                    "1 ",
                    "-",
                    "",
                    "9223372036854775807",
                    "9223372036854775808",
                    "-9223372036854775808",
                    "-9223372036854775809",
                    "00",
                    "1a",
                    "0x10",
                    "1.5",
                ];
                odd[r.below(odd.len() as u64) as usize].as_bytes().to_vec()
            }
            6 => {
                let n = [62, 63, 64, 65, 4094, 4095, 4096, 4097, 16377, 16378, 16379][r.below(11) as usize];
                vec![b'a' + r.below(26) as u8; n]
            }
            7 => vec![b'q'; r.below(300) as usize],
            _ => {
                let n = r.below(40) as usize;
                (0..n).map(|_| b'a' + r.below(26) as u8).collect()
            }
        }
    }

    #[test]
    fn model_random_ops() {
        for seed in 1..=6u64 {
            let mut r = Rng::new(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x1234_5678_9ABC_DEF1));
            let mut lp = Listpack::new();
            let mut model: Vec<Vec<u8>> = Vec::new();
            for step in 0..2500 {
                let op = r.below(13);
                match op {
                    0 | 1 => {
                        let v = random_value(&mut r);
                        lp.append(&v);
                        model.push(v);
                    }
                    2 => {
                        let v = random_value(&mut r);
                        lp.prepend(&v);
                        model.insert(0, v);
                    }
                    3 if !model.is_empty() => {
                        let i = r.below(model.len() as u64) as usize;
                        let v = random_value(&mut r);
                        let pos = lp.seek(i as i64).unwrap();
                        let np = lp.insert_before(pos, &v);
                        assert!(lp.entry_eq(np, &v));
                        model.insert(i, v);
                    }
                    4 if !model.is_empty() => {
                        let i = r.below(model.len() as u64) as usize;
                        let v = random_value(&mut r);
                        let pos = lp.seek(i as i64).unwrap();
                        let np = lp.insert_after(pos, &v);
                        assert_eq!(lp.seek(i as i64 + 1), Some(np));
                        assert!(lp.entry_eq(np, &v));
                        model.insert(i + 1, v);
                    }
                    5 if !model.is_empty() => {
                        let i = r.below(model.len() as u64) as usize;
                        let v = random_value(&mut r);
                        let pos = lp.seek(-(i as i64) - 1).unwrap();
                        let np = lp.replace(pos, &v);
                        assert_eq!(np, pos);
                        let mi = model.len() - 1 - i;
                        model[mi] = v;
                    }
                    6 if !model.is_empty() => {
                        let i = r.below(model.len() as u64) as usize;
                        let pos = lp.seek(i as i64).unwrap();
                        let nx = lp.delete(pos);
                        model.remove(i);
                        if i < model.len() {
                            assert_eq!(nx, Some(pos));
                            assert!(lp.entry_eq(pos, &model[i]));
                        } else {
                            assert_eq!(nx, None);
                        }
                    }
                    7 => {
                        let n = model.len() as i64;
                        let idx = r.below(n as u64 * 2 + 3) as i64 - n - 1;
                        let cnt = r.below(6) as usize;
                        lp.delete_range(idx, cnt);
                        let start = if idx < 0 { n + idx } else { idx };
                        if start >= 0 && start < n {
                            let end = (start as usize + cnt).min(model.len());
                            model.drain(start as usize..end);
                        }
                    }
                    8 if !model.is_empty() => {
                        let i = r.below(model.len() as u64) as usize;
                        let cnt = r.below(5) as usize;
                        let pos = lp.seek(i as i64).unwrap();
                        lp.delete_range_at(pos, cnt);
                        let end = (i + cnt).min(model.len());
                        model.drain(i..end);
                    }
                    9 => {
                        let v = r.next_u64() as i64 >> r.below(64);
                        lp.append_int(v);
                        model.push(v.to_string().into_bytes());
                    }
                    10 if !model.is_empty() => {
                        // find with skip, against the model
                        let skip = r.below(3) as usize;
                        let v = if r.below(2) == 0 {
                            model[r.below(model.len() as u64) as usize].clone()
                        } else {
                            random_value(&mut r)
                        };
                        let got = lp.first().and_then(|f| lp.find(f, &v, skip));
                        let want = model.iter().enumerate().step_by(skip + 1).find(|(_, m)| **m == v).map(|(i, _)| i);
                        assert_eq!(got, want.map(|i| lp.seek(i as i64).unwrap()), "find {v:?} skip {skip}");
                    }
                    11 if model.len() > 40 => {
                        // keep sizes moderate
                        let cnt = r.below(model.len() as u64 / 2) as usize;
                        lp.delete_range(0, cnt);
                        model.drain(..cnt);
                    }
                    _ => {
                        let v = random_value(&mut r);
                        lp.append(&v);
                        model.push(v);
                    }
                }
                check(&lp, &model, step % 25 == 0);
            }
            check(&lp, &model, true);
            // Re-loading our own bytes gives the same listpack.
            let again = Listpack::from_bytes(lp.as_bytes().to_vec()).unwrap();
            assert_eq!(contents(&again), model);
        }
    }

    #[test]
    fn encoding_is_independent_of_history() {
        // The same contents must serialize to the same bytes however built.
        let mut r = Rng::new(77);
        let vals: Vec<Vec<u8>> = (0..300).map(|_| random_value(&mut r)).collect();
        let a = build(&vals);
        let mut b = Listpack::new();
        for v in vals.iter().rev() {
            b.prepend(v);
        }
        assert_eq!(a.as_bytes(), b.as_bytes());
        let mut c = Listpack::new();
        for _ in 0..vals.len() {
            c.append(b"placeholder value that is longer than most");
        }
        let mut p = c.first();
        for v in &vals {
            let at = p.unwrap();
            c.replace(at, v);
            p = c.next(at);
        }
        assert_eq!(a.as_bytes(), c.as_bytes());
    }

    #[test]
    fn exact_bytes_small() {
        // Same bytes as Redis 7.0.15 DUMPs for HSET h a 1 -1 "hello world..." <300 x> 1099511627776.
        let x300 = vec![b'x'; 300];
        let vals: Vec<Vec<u8>> = vec![
            b"a".to_vec(),
            b"1".to_vec(),
            b"-1".to_vec(),
            b"hello world...".to_vec(),
            x300.clone(),
            (1i64 << 40).to_string().into_bytes(),
        ];
        let lp = build(&vals);
        let b = lp.as_bytes();
        let mut want = vec![0x59, 0x01, 0, 0, 6, 0];
        want.extend_from_slice(&[0x81, b'a', 0x02]);
        want.extend_from_slice(&[0x01, 0x01]);
        want.extend_from_slice(&[0xDF, 0xFF, 0x02]);
        want.push(0x8E);
        want.extend_from_slice(b"hello world...");
        want.push(0x0F);
        want.extend_from_slice(&[0xE1, 0x2C]);
        want.extend_from_slice(&x300);
        want.extend_from_slice(&[0x02, 0xAE]);
        want.extend_from_slice(&[0xF4, 0, 0, 0, 0, 0, 1, 0, 0, 0x09]);
        want.push(0xFF);
        assert_eq!(b.len(), 345);
        assert_eq!(b, &want[..]);
        assert_eq!(lp.get(lp.seek(5).unwrap()), LpValue::Int(1 << 40));
        assert_eq!(lp.get(lp.seek(2).unwrap()), LpValue::Int(-1));
        assert_eq!(lp.get(lp.seek(4).unwrap()), LpValue::Str(&x300));
    }

    #[test]
    fn exact_integer_encodings() {
        let cases: &[(i64, &[u8])] = &[
            (0, &[0x00, 0x01]),
            (127, &[0x7F, 0x01]),
            (128, &[0xC0, 0x80, 0x02]),
            (4095, &[0xCF, 0xFF, 0x02]),
            (-4096, &[0xD0, 0x00, 0x02]),
            (4096, &[0xF1, 0x00, 0x10, 0x03]),
            (-32768, &[0xF1, 0x00, 0x80, 0x03]),
            (32768, &[0xF2, 0x00, 0x80, 0x00, 0x04]),
            (-8_388_608, &[0xF2, 0x00, 0x00, 0x80, 0x04]),
            (8_388_608, &[0xF3, 0x00, 0x00, 0x80, 0x00, 0x05]),
            (-2_147_483_648, &[0xF3, 0x00, 0x00, 0x00, 0x80, 0x05]),
            (2_147_483_648, &[0xF4, 0, 0, 0, 0x80, 0, 0, 0, 0, 0x09]),
            (i64::MIN, &[0xF4, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x09]),
            (i64::MAX, &[0xF4, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x09]),
        ];
        for &(v, want) in cases {
            let mut a = Listpack::new();
            a.append(v.to_string().as_bytes());
            let mut b = Listpack::new();
            b.append_int(v);
            assert_eq!(&a.as_bytes()[HDR_SIZE..a.bytes() - 1], want, "{v}");
            assert_eq!(a.as_bytes(), b.as_bytes());
            assert_eq!(a.get(HDR_SIZE), LpValue::Int(v));
            assert_eq!(a.get(HDR_SIZE).len(), v.to_string().len());
        }
        // Non-canonical numbers stay strings.
        for s in ["01", "-0", "+1", " 1", "9223372036854775808", "-9223372036854775809", "1.0"] {
            let mut a = Listpack::new();
            a.append(s.as_bytes());
            assert_eq!(a.get(HDR_SIZE), LpValue::Str(s.as_bytes()));
        }
    }

    #[test]
    fn exact_string_and_backlen_boundaries() {
        // (string length, expected encoding header, expected backlen bytes)
        let cases: &[(usize, &[u8], &[u8])] = &[
            (0, &[0x80], &[0x01]),
            (63, &[0xBF], &[0x40]),
            (64, &[0xE0, 0x40], &[0x42]),
            (125, &[0xE0, 0x7D], &[0x7F]),
            (126, &[0xE0, 0x7E], &[0x01, 0x80]),
            (4095, &[0xEF, 0xFF], &[0x20, 0x81]),
            (4096, &[0xF0, 0x00, 0x10, 0x00, 0x00], &[0x20, 0x85]),
            (16377, &[0xF0, 0xF9, 0x3F, 0x00, 0x00], &[0x7F, 0xFE]),
            // 16383 bytes of encoded size already takes a 3-byte backlen.
            (16378, &[0xF0, 0xFA, 0x3F, 0x00, 0x00], &[0x00, 0xFF, 0xFF]),
            (16379, &[0xF0, 0xFB, 0x3F, 0x00, 0x00], &[0x01, 0x80, 0x80]),
        ];
        for &(n, hdr, bl) in cases {
            let s = vec![b'z'; n];
            let mut lp = Listpack::new();
            lp.append(&s);
            lp.append(b"end");
            let b = lp.as_bytes();
            assert_eq!(&b[HDR_SIZE..HDR_SIZE + hdr.len()], hdr, "len {n}");
            let bl_at = HDR_SIZE + hdr.len() + n;
            assert_eq!(&b[bl_at..bl_at + bl.len()], bl, "len {n}");
            assert!(Listpack::validate(b));
            assert_eq!(lp.iter().rev().nth(1), Some(LpValue::Str(&s)));
            assert_eq!(lp.prev(lp.last().unwrap()), Some(HDR_SIZE));
        }
    }

    #[test]
    fn backlen_roundtrip() {
        let mut buf = [0u8; 5];
        for l in [
            0usize,
            1,
            127,
            128,
            16382,
            16383,
            16384,
            2_097_150,
            2_097_151,
            268_435_454,
            268_435_455,
            1 << 31,
        ] {
            let n = backlen_size(l);
            write_backlen(&mut buf[..n], l);
            assert_eq!(decode_backlen(&buf, n - 1), Some(l), "{l}");
            assert_eq!(buf[0] & 0x80, 0);
        }
    }

    #[test]
    fn golden_redis_hash_listpack() {
        // Listpack of `HSET h` with these 24 arguments, from Redis 7.0.15 DUMP
        // (37305 bytes; FNV-1a of the bytes recorded).
        let vals: Vec<Vec<u8>> = [
            "a",
            "1",
            "-1",
            "hello world...",
            &"x".repeat(300),
            &(1i64 << 40).to_string(),
            "127",
            "128",
            "4095",
            "-4096",
            "4096",
            "-32768",
            "32768",
            "8388608",
            "-2147483648",
            "2147483648",
            "-9223372036854775808",
            "01",
            "-0",
            &"y".repeat(4096),
            &"z".repeat(16378),
            &"w".repeat(16377),
            "",
            "9223372036854775808",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        let lp = build(&vals);
        assert_eq!(lp.bytes(), 37305);
        assert_eq!(&lp.as_bytes()[..6], &[0xB9, 0x91, 0, 0, 0x18, 0]);
        assert_eq!(fnv1a(lp.as_bytes()), 0x857a_10e6_865a_c26d);
        assert_eq!(contents(&lp), vals);
    }

    #[test]
    fn golden_saturated_count() {
        // HSET big f0 <-500000> f1 <-499963> ... (33000 pairs) in Redis 7.0.15:
        // 66000 entries, header count saturated at 65535.
        let mut lp = Listpack::new();
        let mut s = Vec::new();
        for i in 0..33000i64 {
            s.clear();
            s.extend_from_slice(format!("f{i}").as_bytes());
            lp.append(&s);
            lp.append(format!("{}", i * 37 - 500_000).as_bytes());
        }
        assert_eq!(lp.bytes(), 415_900);
        assert_eq!(&lp.as_bytes()[..6], &[0x9c, 0x58, 0x06, 0x00, 0xff, 0xff]);
        assert_eq!(fnv1a(lp.as_bytes()), 0x3f46_6305_7a53_a0f1);
        assert_eq!(lp.len(), 66000);
        let last = lp.seek(-1).unwrap();
        assert_eq!(lp.get(last), LpValue::Int(32999 * 37 - 500_000));
        assert_eq!(lp.seek(65999), Some(last));
        assert_eq!(lp.seek(66000), None);
        assert_eq!(lp.seek(-66000), lp.first());
        assert_eq!(lp.seek(-66001), None);
        let f = lp.first().unwrap();
        assert_eq!(lp.find(f, b"f32998", 1).map(|p| lp.get(p)), Some(LpValue::Str(b"f32998")));
        assert_eq!(lp.find(f, b"-500000", 1), None); // values are skipped
        assert_eq!(lp.find(lp.next(f).unwrap(), b"-500000", 1), lp.next(f));
        assert!(Listpack::validate(lp.as_bytes()));
        // Deleting keeps the count unknown until len_sync.
        lp.delete_range(0, 600);
        assert_eq!(lp.header_numele(), NUMELE_UNKNOWN);
        assert_eq!(lp.len(), 65400);
        assert_eq!(lp.len_sync(), 65400);
        assert_eq!(lp.header_numele(), 65400);
        assert!(Listpack::validate(lp.as_bytes()));
        // Truncating delete_range with a known count sets it directly.
        lp.delete_range(-400, 1000);
        assert_eq!(lp.len(), 65000);
        assert!(Listpack::validate(lp.as_bytes()));
    }

    #[test]
    fn iteration_backward_equals_reversed_forward() {
        let mut r = Rng::new(4242);
        let vals: Vec<Vec<u8>> = (0..500).map(|_| random_value(&mut r)).collect();
        let lp = build(&vals);
        let fwd: Vec<_> = lp.iter().collect();
        let mut bwd: Vec<_> = lp.iter().rev().collect();
        bwd.reverse();
        assert_eq!(fwd, bwd);
        // Mixed ends meet in the middle without overlap.
        let mut it = lp.iter();
        let mut n = 0;
        loop {
            let a = if n % 3 == 0 { it.next_back() } else { it.next() };
            if a.is_none() {
                break;
            }
            n += 1;
        }
        assert_eq!(n, vals.len());
        let with_pos: Vec<_> = lp.iter_pos().map(|(p, v)| (lp.get(p), v)).collect();
        assert!(with_pos.iter().all(|(a, b)| a == b));
        assert_eq!(with_pos.len(), vals.len());
    }

    #[test]
    fn find_and_compare() {
        let lp = build(&[
            b"f1".to_vec(),
            b"10".to_vec(),
            b"10".to_vec(),
            b"v".to_vec(),
            b"x".to_vec(),
            b"-7".to_vec(),
        ]);
        let f = lp.first().unwrap();
        assert_eq!(lp.find(f, b"10", 1), Some(lp.seek(2).unwrap()));
        assert_eq!(lp.find(f, b"10", 0), Some(lp.seek(1).unwrap()));
        assert_eq!(lp.find(f, b"-7", 1), None);
        assert_eq!(lp.find(f, b"-7", 0), lp.seek(5));
        assert_eq!(lp.find(f, b"010", 0), None);
        assert!(lp.entry_eq(lp.seek(1).unwrap(), b"10"));
        assert!(!lp.entry_eq(lp.seek(1).unwrap(), b"10 "));
        assert!(!lp.entry_eq(lp.bytes() - 1, b""));
        assert_eq!(LpValue::Int(-123).len(), 4);
        assert_eq!(LpValue::Int(i64::MIN).len(), 20);
        let mut out = Vec::new();
        LpValue::Int(-5).write_to(&mut out);
        LpValue::Str(b"ab").write_to(&mut out);
        assert_eq!(out, b"-5ab");
    }

    #[test]
    fn edge_cases() {
        let mut lp = Listpack::new();
        assert_eq!(lp.as_bytes(), &[7, 0, 0, 0, 0, 0, 0xFF]);
        assert_eq!(lp.first(), None);
        assert_eq!(lp.last(), None);
        assert_eq!(lp.seek(0), None);
        assert_eq!(lp.seek(-1), None);
        assert!(lp.is_empty());
        lp.delete_range(0, 10);
        assert_eq!(lp.as_bytes(), &[7, 0, 0, 0, 0, 0, 0xFF]);
        // insert_before at the terminator appends.
        let eof = lp.bytes() - 1;
        let p = lp.insert_before(eof, b"x");
        assert_eq!(lp.get(p), LpValue::Str(b"x"));
        assert_eq!(lp.delete(p), None);
        assert_eq!(lp.as_bytes(), &[7, 0, 0, 0, 0, 0, 0xFF]);
        assert!(lp.safe_to_add(MAX_SAFETY_SIZE - 7));
        assert!(!lp.safe_to_add(MAX_SAFETY_SIZE - 6));
        assert!(!lp.safe_to_add(usize::MAX));
        // merge
        let mut a = build(&[b"1".to_vec(), b"a".to_vec()]);
        let b = build(&[b"b".to_vec(), b"99999".to_vec()]);
        a.merge(&b);
        assert_eq!(
            a.as_bytes(),
            build(&[b"1".to_vec(), b"a".to_vec(), b"b".to_vec(), b"99999".to_vec()]).as_bytes()
        );
    }

    #[test]
    fn from_bytes_rejects_corruption() {
        let good = build(&[b"a".to_vec(), b"12345".to_vec()]).into_bytes();
        assert!(Listpack::from_bytes(good.clone()).is_some());
        assert!(Listpack::from_bytes(Vec::new()).is_none());
        assert!(Listpack::from_bytes(vec![7, 0, 0, 0, 0, 0]).is_none());
        // wrong total
        let mut b = good.clone();
        b[0] += 1;
        assert!(Listpack::from_bytes(b).is_none());
        // wrong count
        let mut b = good.clone();
        b[4] = 3;
        assert!(Listpack::from_bytes(b).is_none());
        // unknown count is accepted
        let mut b = good.clone();
        b[4] = 0xFF;
        b[5] = 0xFF;
        let lp = Listpack::from_bytes(b).unwrap();
        assert_eq!(lp.len(), 2);
        // bad backlen
        let mut b = good.clone();
        b[8] = 3;
        assert!(Listpack::from_bytes(b).is_none());
        // invalid encoding byte
        let mut b = good.clone();
        b[6] = 0xF7;
        assert!(Listpack::from_bytes(b).is_none());
        // terminator in the middle
        let mut b = good.clone();
        b[9] = 0xFF;
        assert!(Listpack::from_bytes(b).is_none());
        // callback can reject
        assert!(Listpack::from_bytes_with(good.clone(), |v| v != LpValue::Int(12345)).is_none());
        // huge 32-bit string length must not overflow or read out of bounds
        let mut b = vec![0, 0, 0, 0, 1, 0, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0x05, 0xFF];
        let n = b.len() as u32;
        b[..4].copy_from_slice(&n.to_le_bytes());
        assert!(Listpack::from_bytes(b).is_none());
    }

    #[test]
    fn from_bytes_fuzz() {
        let mut r = Rng::new(0xDEAD_BEEF);
        let samples: Vec<Vec<u8>> = (0..12)
            .map(|k| {
                let vals: Vec<Vec<u8>> = (0..(k * 3)).map(|_| random_value(&mut r)).collect();
                build(&vals).into_bytes()
            })
            .collect();
        let mut accepted = 0;
        for iter in 0..6000 {
            let mut b = samples[iter % samples.len()].clone();
            let muts = 1 + r.below(4);
            for _ in 0..muts {
                match r.below(6) {
                    0 | 1 if !b.is_empty() => {
                        let i = r.below(b.len() as u64) as usize;
                        b[i] = r.next_u64() as u8;
                    }
                    2 if !b.is_empty() => {
                        let i = r.below(b.len() as u64) as usize;
                        b[i] ^= 1 << r.below(8);
                    }
                    3 if !b.is_empty() => {
                        let n = r.below(b.len() as u64 + 1) as usize;
                        b.truncate(n);
                    }
                    4 => {
                        let i = r.below(b.len() as u64 + 1) as usize;
                        b.insert(i, r.next_u64() as u8);
                    }
                    _ => {}
                }
                // Often keep the total-bytes field consistent so the mutation
                // reaches the entry checks.
                if b.len() >= 4 && r.below(3) != 0 {
                    let n = b.len() as u32;
                    b[..4].copy_from_slice(&n.to_le_bytes());
                }
            }
            if let Some(lp) = Listpack::from_bytes(b) {
                accepted += 1;
                // Whatever is accepted must be fully usable.
                let n = lp.len();
                assert_eq!(lp.iter().count(), n);
                assert_eq!(lp.iter().rev().count(), n);
                let mut lp2 = lp.clone();
                lp2.append(b"tail");
                lp2.prepend(b"head");
                assert!(Listpack::validate(lp2.as_bytes()));
                if let Some(p) = lp2.seek(1) {
                    lp2.delete(p);
                }
                assert!(Listpack::validate(lp2.as_bytes()));
            }
        }
        // Sanity: some mutations (e.g. changing string bytes) stay valid.
        assert!(accepted > 0);
        // Pure random garbage.
        for _ in 0..3000 {
            let n = r.below(40) as usize;
            let mut b: Vec<u8> = (0..n).map(|_| r.next_u64() as u8).collect();
            if n >= 7 {
                let len = n as u32;
                b[..4].copy_from_slice(&len.to_le_bytes());
                b[n - 1] = 0xFF;
            }
            if let Some(lp) = Listpack::from_bytes(b) {
                assert_eq!(lp.iter().count(), lp.iter().rev().count());
            }
        }
    }
}
