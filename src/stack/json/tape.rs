//! The JSON document as one compact byte tape: every node in pre-order,
//! each a tag byte and its payload, containers prefixed with their child
//! count and byte size so a reader can skip them. Strings are kept in the
//! escaped form RedisJSON prints and numbers as the text it prints, so
//! serializing (JSON.GET) copies bytes and inserts punctuation, and a
//! document takes about as many bytes as its compact text.
//!
//! Node layout (varints are LEB128):
//! - `NULL`, `FALSE`, `TRUE`: the tag alone;
//! - numbers: `INT | len`, `UINT | len` (integers above i64::MAX) or
//!   `FLOAT | len`, then `len` bytes of text (at most 31);
//! - strings: `STR` (escaped text equals the raw bytes) or `STR_ESC`,
//!   then varint length and the escaped bytes, without quotes;
//! - `ARR`, `OBJ`: varint child count, varint body size, then the body:
//!   the elements, or for objects key (a string node) then value, in
//!   insertion order.
//!
//! The parser (`parse`) takes JSON text with serde_json's rules and error
//! messages (RedisJSON reports those verbatim), nesting limited to 127
//! levels for client input. Everything here is iterative: document depth
//! never turns into native stack depth.

use std::borrow::Cow;

pub const NULL: u8 = 0x00;
pub const FALSE: u8 = 0x01;
pub const TRUE: u8 = 0x02;
pub const STR: u8 = 0x03;
pub const STR_ESC: u8 = 0x04;
pub const ARR: u8 = 0x05;
pub const OBJ: u8 = 0x06;
pub const INT: u8 = 0x20;
pub const UINT: u8 = 0x40;
pub const FLOAT: u8 = 0x60;
const NUM_MASK: u8 = 0xE0;
const LEN_MASK: u8 = 0x1F;

/// The deepest nesting client input may have (serde_json's recursion
/// limit of 128 counts the container that fails).
pub const MAX_DEPTH: usize = 127;

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Int,
    UInt,
    Float,
    Str,
    Arr,
    Obj,
}

impl Kind {
    /// The name JSON.TYPE replies with.
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "boolean",
            Kind::Int | Kind::UInt => "integer",
            Kind::Float => "number",
            Kind::Str => "string",
            Kind::Arr => "array",
            Kind::Obj => "object",
        }
    }

    pub fn is_number(self) -> bool {
        matches!(self, Kind::Int | Kind::UInt | Kind::Float)
    }
}

// ---------------------------------------------------------------------------
// Varints
// ---------------------------------------------------------------------------

pub fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub fn varint_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Reads a varint at `pos`: (value, bytes used). The tape is ours and
/// well formed; a truncated one reads as zero rather than panicking.
#[inline]
pub fn read_varint(t: &[u8], pos: usize) -> (u64, usize) {
    if let Some(&b) = t.get(pos) {
        if b < 0x80 {
            return (u64::from(b), 1);
        }
    }
    let mut v: u64 = 0;
    let mut shift = 0;
    let mut i = pos;
    while let Some(&b) = t.get(i) {
        if shift < 64 {
            v |= u64::from(b & 0x7f) << shift;
        }
        i += 1;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    (v, i - pos)
}

// ---------------------------------------------------------------------------
// Reading nodes
// ---------------------------------------------------------------------------

/// The kind of the node at `pos`.
#[inline]
pub fn kind(t: &[u8], pos: usize) -> Kind {
    let tag = t.get(pos).copied().unwrap_or(NULL);
    match tag & NUM_MASK {
        INT => Kind::Int,
        UINT => Kind::UInt,
        FLOAT => Kind::Float,
        _ => match tag {
            FALSE | TRUE => Kind::Bool,
            STR | STR_ESC => Kind::Str,
            ARR => Kind::Arr,
            OBJ => Kind::Obj,
            _ => Kind::Null,
        },
    }
}

/// A container's (child count, body start, body end).
#[inline]
pub fn container(t: &[u8], pos: usize) -> (usize, usize, usize) {
    let (count, a) = read_varint(t, pos + 1);
    let (size, b) = read_varint(t, pos + 1 + a);
    let body = pos + 1 + a + b;
    (count as usize, body, body + size as usize)
}

/// A string node's escaped bytes, and whether they differ from the raw ones.
#[inline]
pub fn str_escaped(t: &[u8], pos: usize) -> (&[u8], bool) {
    let (len, n) = read_varint(t, pos + 1);
    let start = pos + 1 + n;
    let end = (start + len as usize).min(t.len());
    (&t[start.min(end)..end], t[pos] == STR_ESC)
}

/// A string node's raw (unescaped) bytes.
pub fn str_raw(t: &[u8], pos: usize) -> Cow<'_, [u8]> {
    let (s, esc) = str_escaped(t, pos);
    if esc {
        Cow::Owned(unescape(s))
    } else {
        Cow::Borrowed(s)
    }
}

/// A number node's text.
#[inline]
pub fn num_text(t: &[u8], pos: usize) -> &[u8] {
    let len = (t[pos] & LEN_MASK) as usize;
    let end = (pos + 1 + len).min(t.len());
    &t[pos + 1..end]
}

pub fn bool_value(t: &[u8], pos: usize) -> bool {
    t.get(pos) == Some(&TRUE)
}

/// An integer node's value (Int only).
pub fn int_value(t: &[u8], pos: usize) -> i64 {
    crate::util::num::parse_i64(num_text(t, pos)).unwrap_or(0)
}

/// Any number node's value as a double.
pub fn f64_value(t: &[u8], pos: usize) -> f64 {
    std::str::from_utf8(num_text(t, pos))
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(0.0)
}

/// The position just past the node at `pos`.
#[inline]
pub fn node_end(t: &[u8], pos: usize) -> usize {
    let tag = t.get(pos).copied().unwrap_or(NULL);
    if tag & NUM_MASK != 0 {
        return pos + 1 + (tag & LEN_MASK) as usize;
    }
    match tag {
        STR | STR_ESC => {
            let (len, n) = read_varint(t, pos + 1);
            pos + 1 + n + len as usize
        }
        ARR | OBJ => container(t, pos).2,
        _ => pos + 1,
    }
}

/// The children of a container: (key position for objects, value position).
pub fn children(t: &[u8], pos: usize) -> Children<'_> {
    let (_, body, end) = container(t, pos);
    Children {
        t,
        at: body,
        end,
        object: t[pos] == OBJ,
    }
}

pub struct Children<'a> {
    t: &'a [u8],
    at: usize,
    end: usize,
    object: bool,
}

impl Iterator for Children<'_> {
    type Item = (Option<usize>, usize);

    #[inline]
    fn next(&mut self) -> Option<(Option<usize>, usize)> {
        if self.at >= self.end {
            return None;
        }
        let key = if self.object {
            let k = self.at;
            self.at = node_end(self.t, k);
            Some(k)
        } else {
            None
        };
        let v = self.at;
        self.at = node_end(self.t, v);
        Some((key, v))
    }
}

/// The value of `key` (raw bytes) in the object at `pos`.
pub fn get_key(t: &[u8], pos: usize, key: &[u8]) -> Option<usize> {
    children(t, pos)
        .find(|&(k, _)| k.is_some_and(|k| key_equals(t, k, key)))
        .map(|(_, v)| v)
}

/// Whether the string node at `k` holds the raw bytes `raw`.
pub fn key_equals(t: &[u8], k: usize, raw: &[u8]) -> bool {
    let (s, esc) = str_escaped(t, k);
    if esc {
        unescape(s) == raw
    } else {
        s == raw
    }
}

/// The element `i` of the array at `pos`.
pub fn get_index(t: &[u8], pos: usize, i: usize) -> Option<usize> {
    children(t, pos).nth(i).map(|(_, v)| v)
}

/// The child count of a container (0 for scalars).
pub fn len(t: &[u8], pos: usize) -> usize {
    match t.get(pos) {
        Some(&ARR) | Some(&OBJ) => container(t, pos).0,
        _ => 0,
    }
}

// ---------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------

/// Escapes raw bytes as serde_json writes strings: `"` `\` and control
/// characters (short forms where JSON has them, else `\u00xx`); everything
/// else, UTF-8 included, as is. Returns whether anything was escaped.
pub fn escape_into(raw: &[u8], out: &mut Vec<u8>) -> bool {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut escaped = false;
    let mut start = 0;
    for (i, &b) in raw.iter().enumerate() {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x08 => b'b',
            0x0c => b'f',
            0..=0x1f => b'u',
            _ => continue,
        };
        escaped = true;
        out.extend_from_slice(&raw[start..i]);
        out.push(b'\\');
        out.push(short);
        if short == b'u' {
            out.extend_from_slice(&[b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        }
        start = i + 1;
    }
    out.extend_from_slice(&raw[start..]);
    escaped
}

/// Undoes `escape_into` (the tape holds only those escapes).
pub fn unescape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] != b'\\' || i + 1 >= s.len() {
            out.push(s[i]);
            i += 1;
            continue;
        }
        let c = match s[i + 1] {
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'u' => {
                let hex = s.get(i + 2..i + 6).unwrap_or(b"0000");
                let v = hex
                    .iter()
                    .fold(0u8, |acc, &h| (acc << 4) | (h as char).to_digit(16).unwrap_or(0) as u8);
                out.push(v);
                i += 6;
                continue;
            }
            other => other,
        };
        out.push(c);
        i += 2;
    }
    out
}

/// Appends a string node holding `raw`.
pub fn push_str_node(out: &mut Vec<u8>, raw: &[u8]) {
    let mut esc = Vec::new();
    if escape_into(raw, &mut esc) {
        out.push(STR_ESC);
        push_varint(out, esc.len() as u64);
        out.extend_from_slice(&esc);
    } else {
        out.push(STR);
        push_varint(out, raw.len() as u64);
        out.extend_from_slice(raw);
    }
}

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

/// Formats a finite double as serde_json (ryu) does: the shortest digits
/// that round-trip, positional between 1e-5 and 1e16, else `1.5e300`
/// style; always with a `.` or an exponent (`1.0`, `1e16`).
pub fn push_f64(out: &mut Vec<u8>, f: f64) {
    let sci = format!("{f:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let (neg, mant) = match mant.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mant),
    };
    let digits: Vec<u8> = mant.bytes().filter(|c| c.is_ascii_digit()).collect();
    let n = digits.len() as i64;
    let kk = exp + 1;
    let k = kk - n;
    if neg {
        out.push(b'-');
    }
    if 0 <= k && kk <= 16 {
        out.extend_from_slice(&digits);
        out.extend(std::iter::repeat_n(b'0', k as usize));
        out.extend_from_slice(b".0");
    } else if 0 < kk && kk <= 16 {
        out.extend_from_slice(&digits[..kk as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[kk as usize..]);
    } else if -5 < kk && kk <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-kk) as usize));
        out.extend_from_slice(&digits);
    } else {
        out.push(digits[0]);
        if n > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.extend_from_slice((kk - 1).to_string().as_bytes());
    }
}

/// Appends a number node for an i64.
pub fn push_int_node(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; crate::util::num::LONG_STR_SIZE];
    let s = crate::util::num::fmt_i64(v, &mut buf);
    out.push(INT | s.len() as u8);
    out.extend_from_slice(s);
}

/// Appends a number node for a u64 above i64::MAX (or any u64).
pub fn push_uint_node(out: &mut Vec<u8>, v: u64) {
    if let Ok(i) = i64::try_from(v) {
        return push_int_node(out, i);
    }
    let s = v.to_string();
    out.push(UINT | s.len() as u8);
    out.extend_from_slice(s.as_bytes());
}

/// Appends a number node for a finite double.
pub fn push_float_node(out: &mut Vec<u8>, f: f64) {
    let mut s = Vec::with_capacity(24);
    push_f64(&mut s, f);
    out.push(FLOAT | s.len() as u8);
    out.extend_from_slice(&s);
}

/// A number node's value as serde_json's `Number` would hold it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    I(i64),
    U(u64),
    F(f64),
}

pub fn num_value(t: &[u8], pos: usize) -> Num {
    let text = num_text(t, pos);
    match kind(t, pos) {
        Kind::Int => Num::I(crate::util::num::parse_i64(text).unwrap_or(0)),
        Kind::UInt => Num::U(crate::util::num::parse_u64(text).unwrap_or(0)),
        _ => Num::F(f64_value(t, pos)),
    }
}

impl Num {
    pub fn as_f64(self) -> f64 {
        match self {
            Num::I(i) => i as f64,
            Num::U(u) => u as f64,
            Num::F(f) => f,
        }
    }

    pub fn push_node(self, out: &mut Vec<u8>) {
        match self {
            Num::I(i) => push_int_node(out, i),
            Num::U(u) => push_uint_node(out, u),
            Num::F(f) => push_float_node(out, f),
        }
    }

    /// The text serde_json prints for it.
    pub fn text(self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Num::I(i) => crate::util::num::push_i64(&mut out, i),
            Num::U(u) => out.extend_from_slice(u.to_string().as_bytes()),
            Num::F(f) => push_f64(&mut out, f),
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Editing
// ---------------------------------------------------------------------------

/// Where a node sits: the containers from the root down to its parent
/// (their positions), the position of its key when the parent is an
/// object, and its own position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub ancestors: Vec<usize>,
    pub key: Option<usize>,
    pub pos: usize,
}

/// One step from a container to a child: a key (raw bytes) or an index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    Key(Vec<u8>),
    Index(usize),
}

/// Follows `steps` from the root; `None` when a step leads nowhere (a
/// missing key, an index past the end, a scalar on the way).
pub fn locate(t: &[u8], steps: &[Step]) -> Option<Located> {
    let mut ancestors = Vec::with_capacity(steps.len());
    let mut key = None;
    let mut pos = 0;
    for step in steps {
        let found = match (step, t.get(pos).copied()) {
            (Step::Key(k), Some(OBJ)) => children(t, pos).find(|&(kp, _)| kp.is_some_and(|kp| key_equals(t, kp, k))),
            (Step::Index(i), Some(ARR)) => children(t, pos).nth(*i),
            _ => None,
        };
        let (kp, vp) = found?;
        ancestors.push(pos);
        key = kp;
        pos = vp;
    }
    Some(Located { ancestors, key, pos })
}

/// The header bytes of a container with `count` children and `size` body bytes.
fn header(count: usize, size: usize) -> Vec<u8> {
    let mut h = Vec::with_capacity(4);
    push_varint(&mut h, count as u64);
    push_varint(&mut h, size as u64);
    h
}

/// The one edit primitive: replaces `range` of the tape with `new`, where
/// the range lies inside the body of the innermost of `ancestors` (or is
/// the whole tape when there are none), whose child count changes by
/// `count_delta`. Every enclosing container's header is rewritten with its
/// new size (and count), innermost first, since a header that grows or
/// shrinks changes its parent's size in turn.
pub fn splice(t: &mut Vec<u8>, ancestors: &[usize], range: std::ops::Range<usize>, new: &[u8], count_delta: isize) {
    let mut delta = new.len() as isize - (range.end - range.start) as isize;
    t.splice(range, new.iter().copied());
    for (depth, &pos) in ancestors.iter().enumerate().rev() {
        let (count, a) = read_varint(t, pos + 1);
        let (size, b) = read_varint(t, pos + 1 + a);
        let count = if depth + 1 == ancestors.len() {
            (count as isize + count_delta).max(0) as usize
        } else {
            count as usize
        };
        let size = (size as isize + delta).max(0) as usize;
        let h = header(count, size);
        delta += h.len() as isize - (a + b) as isize;
        t.splice(pos + 1..pos + 1 + a + b, h);
    }
}

/// A container node with the given children's bytes.
pub fn container_node(tag: u8, count: usize, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 5);
    out.push(tag);
    out.extend_from_slice(&header(count, body.len()));
    out.extend_from_slice(body);
    out
}

// ---------------------------------------------------------------------------
// Parsing (serde_json's grammar and messages)
// ---------------------------------------------------------------------------

/// A parse failure, formatted as serde_json formats its errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

/// Header bytes the parser leaves after a container's tag while its body
/// is parsed: enough for a count and a size below 128.
const HEADER_ROOM: usize = 2;

/// The first index from `i` holding a byte that ends a plain run of
/// string bytes (`"`, `\\` or a control character), or `s.len()`. Eight
/// bytes at a time (the last few padded with plain bytes).
fn plain_run(s: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while i < s.len() {
        let n = (s.len() - i).min(8);
        let w = match s.get(i..i + 8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
            Some(b) => u64::from_le_bytes(b),
            None => {
                let mut bytes = [b'a'; 8];
                bytes[..n].copy_from_slice(&s[i..i + n]);
                u64::from_le_bytes(bytes)
            }
        };
        let q = w ^ (LO * u64::from(b'"'));
        let b = w ^ (LO * u64::from(b'\\'));
        // A byte's high bit is set when it is zero (the quote, the
        // backslash) or below 0x20; borrows only carry upwards, so the
        // lowest set bit marks the first such byte exactly.
        let hit = ((q.wrapping_sub(LO) & !q) | (b.wrapping_sub(LO) & !b) | (w.wrapping_sub(LO * 0x20) & !w)) & HI;
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += n;
    }
    s.len()
}

/// Whether a float's text is already what serde_json prints for its value,
/// so it can be stored as given: positional (`-?int.frac`, no exponent),
/// no trailing zero in the fraction except a lone `.0`, at most 15
/// significant digits (any such decimal is the shortest one that reads
/// back as the same double) and no more than four zeros after `0.` (from
/// 1e-5 down serde switches to exponents).
fn float_is_canonical(text: &[u8]) -> bool {
    let t = text.strip_prefix(b"-").unwrap_or(text);
    let Some(dot) = t.iter().position(|&c| c == b'.') else {
        return false;
    };
    let (int, frac) = (&t[..dot], &t[dot + 1..]);
    if int.is_empty() || frac.is_empty() || !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return false;
    }
    if frac == b"0" {
        return int.len() <= 15;
    }
    if frac.last() == Some(&b'0') {
        return false;
    }
    if int == b"0" {
        let zeros = frac.iter().take_while(|&&c| c == b'0').count();
        zeros <= 4 && frac.len() - zeros <= 15
    } else {
        int[0] != b'0' && int.len() + frac.len() <= 15
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    out: Vec<u8>,
    max_depth: usize,
    /// Where the keys of the open objects start in `out`, innermost last
    /// (for the duplicate-key check when an object closes).
    keys: Vec<usize>,
}

/// One open container while parsing.
struct Frame {
    object: bool,
    /// Where its body starts in `out` (the header is inserted there).
    body: usize,
    count: usize,
    /// Its first key's index in `Parser::keys`.
    keys_from: usize,
}

impl<'a> Parser<'a> {
    /// serde_json's position of byte index `i`: 1-based line, column =
    /// bytes since the line started.
    fn err_at(&self, i: usize, msg: &str) -> ParseError {
        let i = i.min(self.s.len());
        let mut line = 1;
        let mut start = 0;
        for (j, &b) in self.s[..i].iter().enumerate() {
            if b == b'\n' {
                line += 1;
                start = j + 1;
            }
        }
        ParseError(format!("{msg} at line {line} column {}", i - start))
    }

    /// An error at the consumed position (serde's `error`).
    fn err(&self, msg: &str) -> ParseError {
        self.err_at(self.i, msg)
    }

    /// An error at the next byte (serde's `peek_error`).
    fn peek_err(&self, msg: &str) -> ParseError {
        self.err_at((self.i + 1).min(self.s.len()), msg)
    }

    #[inline]
    fn skip_ws(&mut self) {
        // Compact text has none: one comparison settles it.
        if self.s.get(self.i).is_some_and(|&b| b > b' ') {
            return;
        }
        while let Some(&b) = self.s.get(self.i) {
            if matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn parse(mut self) -> Result<Vec<u8>, ParseError> {
        let mut stack: Vec<Frame> = Vec::new();
        'value: loop {
            // Parse one value (or open a container).
            self.skip_ws();
            let Some(b) = self.peek() else {
                return Err(self.peek_err("EOF while parsing a value"));
            };
            match b {
                b'[' | b'{' => {
                    self.i += 1;
                    if stack.len() + 1 > self.max_depth {
                        return Err(self.err("recursion limit exceeded"));
                    }
                    let object = b == b'{';
                    // The tag, then room for the smallest header (count and
                    // size below 128), which `close` widens when needed.
                    self.out.extend_from_slice(&[if object { OBJ } else { ARR }, 0, 0]);
                    stack.push(Frame {
                        object,
                        body: self.out.len(),
                        count: 0,
                        keys_from: self.keys.len(),
                    });
                    self.skip_ws();
                    let close = if object { b'}' } else { b']' };
                    match self.peek() {
                        Some(c) if c == close => {
                            self.i += 1;
                        }
                        None => {
                            return Err(self.peek_err(if object {
                                "EOF while parsing an object"
                            } else {
                                "EOF while parsing a list"
                            }))
                        }
                        Some(_) => {
                            if object {
                                self.object_key()?;
                            }
                            continue 'value;
                        }
                    }
                    // An empty container: closed at once.
                    self.close(&mut stack);
                }
                b'"' => {
                    self.i += 1;
                    self.string()?;
                }
                b'-' | b'0'..=b'9' => self.number()?,
                b't' => self.ident(b"true", TRUE)?,
                b'f' => self.ident(b"false", FALSE)?,
                b'n' => self.ident(b"null", NULL)?,
                _ => return Err(self.peek_err("expected value")),
            }
            // After a value: continue the enclosing container.
            loop {
                let Some(top) = stack.last_mut() else {
                    return self.finish();
                };
                top.count += 1;
                let object = top.object;
                self.skip_ws();
                let close = if object { b'}' } else { b']' };
                match self.peek() {
                    Some(b',') => {
                        self.i += 1;
                        self.skip_ws();
                        match self.peek() {
                            Some(c) if c == close => return Err(self.peek_err("trailing comma")),
                            _ => {}
                        }
                        if object {
                            self.object_key()?;
                        }
                        continue 'value;
                    }
                    Some(c) if c == close => {
                        self.i += 1;
                        // The parent counts the closed container on the
                        // next turn of this loop.
                        self.close(&mut stack);
                    }
                    Some(_) => return Err(self.peek_err(if object { "expected `,` or `}`" } else { "expected `,` or `]`" })),
                    None => {
                        return Err(self.peek_err(if object {
                            "EOF while parsing an object"
                        } else {
                            "EOF while parsing a list"
                        }))
                    }
                }
            }
        }
    }

    /// Writes the header of the top container, whose children are all
    /// counted, into the room left in front of its body (moving the body
    /// up only when the header needs more than `HEADER_ROOM` bytes).
    fn close(&mut self, stack: &mut Vec<Frame>) {
        let Some(f) = stack.pop() else { return };
        let count = if f.object {
            let n = dedup_object(&mut self.out, f.body, f.count, self.keys.get(f.keys_from..).unwrap_or_default());
            self.keys.truncate(f.keys_from);
            n
        } else {
            f.count
        };
        let size = self.out.len() - f.body;
        let mut hdr = [0u8; 20];
        let mut h = 0;
        for mut v in [count as u64, size as u64] {
            while v >= 0x80 {
                hdr[h] = (v as u8) | 0x80;
                v >>= 7;
                h += 1;
            }
            hdr[h] = v as u8;
            h += 1;
        }
        let at = f.body - HEADER_ROOM;
        if h > HEADER_ROOM {
            let old = self.out.len();
            self.out.resize(old + h - HEADER_ROOM, 0);
            self.out.copy_within(f.body..old, at + h);
        }
        self.out[at..at + h].copy_from_slice(&hdr[..h]);
    }

    fn finish(mut self) -> Result<Vec<u8>, ParseError> {
        self.skip_ws();
        if self.i < self.s.len() {
            return Err(self.peek_err("trailing characters"));
        }
        self.out.shrink_to_fit();
        Ok(self.out)
    }

    fn object_key(&mut self) -> Result<(), ParseError> {
        match self.peek() {
            Some(b'"') => {
                self.i += 1;
                self.keys.push(self.out.len());
                self.string()?;
            }
            Some(_) => return Err(self.peek_err("key must be a string")),
            None => return Err(self.peek_err("EOF while parsing a value")),
        }
        self.skip_ws();
        match self.peek() {
            Some(b':') => {
                self.i += 1;
                Ok(())
            }
            Some(_) => Err(self.peek_err("expected `:`")),
            None => Err(self.peek_err("EOF while parsing an object")),
        }
    }

    fn ident(&mut self, word: &[u8], tag: u8) -> Result<(), ParseError> {
        self.i += 1;
        for &c in &word[1..] {
            match self.peek() {
                None => return Err(self.err("EOF while parsing a value")),
                Some(b) => {
                    self.i += 1;
                    if b != c {
                        return Err(self.err("expected ident"));
                    }
                }
            }
        }
        self.out.push(tag);
        Ok(())
    }

    /// A string after its opening quote: validated, stored escaped the
    /// way it will be printed.
    fn string(&mut self) -> Result<(), ParseError> {
        let start = self.i;
        // Fast path: no escapes.
        self.i = plain_run(self.s, self.i);
        match self.s.get(self.i) {
            Some(b'"') => {
                let raw = &self.s[start..self.i];
                self.i += 1;
                if raw.len() < 0x80 {
                    self.out.reserve(raw.len() + 2);
                    self.out.push(STR);
                    self.out.push(raw.len() as u8);
                } else {
                    self.out.push(STR);
                    push_varint(&mut self.out, raw.len() as u64);
                }
                extend_small(&mut self.out, raw);
                Ok(())
            }
            _ => self.string_slow(start),
        }
    }

    /// The rest of a string whose plain run from `start` stopped at a
    /// backslash, a control character or the end of input.
    #[cold]
    fn string_slow(&mut self, start: usize) -> Result<(), ParseError> {
        match self.s.get(self.i) {
            Some(b'\\') => {}
            Some(_) => {
                self.i += 1;
                return Err(self.err("control character (\\u0000-\\u001F) found while parsing a string"));
            }
            None => return Err(self.err("EOF while parsing a string")),
        }
        let mut raw: Vec<u8> = self.s[start..self.i].to_vec();
        loop {
            let Some(&b) = self.s.get(self.i) else {
                return Err(self.err("EOF while parsing a string"));
            };
            self.i += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.s.get(self.i) else {
                        return Err(self.err("EOF while parsing a string"));
                    };
                    self.i += 1;
                    match e {
                        b'"' => raw.push(b'"'),
                        b'\\' => raw.push(b'\\'),
                        b'/' => raw.push(b'/'),
                        b'b' => raw.push(0x08),
                        b'f' => raw.push(0x0c),
                        b'n' => raw.push(b'\n'),
                        b'r' => raw.push(b'\r'),
                        b't' => raw.push(b'\t'),
                        b'u' => self.unicode_escape(&mut raw)?,
                        _ => return Err(self.err("invalid escape")),
                    }
                }
                0..=0x1f => return Err(self.err("control character (\\u0000-\\u001F) found while parsing a string")),
                _ => raw.push(b),
            }
        }
        push_str_node(&mut self.out, &raw);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, ParseError> {
        let mut v: u16 = 0;
        for _ in 0..4 {
            let Some(&h) = self.s.get(self.i) else {
                return Err(self.err("EOF while parsing a string"));
            };
            self.i += 1;
            let Some(d) = (h as char).to_digit(16) else {
                return Err(self.err("invalid escape"));
            };
            v = (v << 4) | d as u16;
        }
        Ok(v)
    }

    fn unicode_escape(&mut self, raw: &mut Vec<u8>) -> Result<(), ParseError> {
        let n = self.hex4()?;
        let c = match n {
            0xDC00..=0xDFFF => return Err(self.err("lone leading surrogate in hex escape")),
            0xD800..=0xDBFF => {
                if self.s.get(self.i) != Some(&b'\\') || self.s.get(self.i + 1) != Some(&b'u') {
                    if self.i >= self.s.len() {
                        return Err(self.err("EOF while parsing a string"));
                    }
                    self.i += 1;
                    return Err(self.err("unexpected end of hex escape"));
                }
                self.i += 2;
                let n2 = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&n2) {
                    return Err(self.err("lone leading surrogate in hex escape"));
                }
                let cp = (((u32::from(n) - 0xD800) << 10) | (u32::from(n2) - 0xDC00)) + 0x10000;
                char::from_u32(cp).ok_or_else(|| self.err("invalid unicode code point"))?
            }
            _ => char::from_u32(u32::from(n)).ok_or_else(|| self.err("invalid unicode code point"))?,
        };
        let mut buf = [0u8; 4];
        raw.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        Ok(())
    }

    /// A number: integers that fit i64/u64 stay integers, the rest become
    /// doubles (serde_json without arbitrary precision).
    fn number(&mut self) -> Result<(), ParseError> {
        let start = self.i;
        let neg = self.peek() == Some(b'-');
        if neg {
            self.i += 1;
        }
        match self.s.get(self.i).copied() {
            None => return Err(self.err("EOF while parsing a value")),
            Some(b'0') => {
                self.i += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.peek_err("invalid number"));
                }
            }
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = self.peek() {
                    self.i += 1;
                }
            }
            Some(_) => {
                self.i += 1;
                return Err(self.err("invalid number"));
            }
        }
        let int_end = self.i;
        let mut float = false;
        if self.peek() == Some(b'.') {
            float = true;
            self.i += 1;
            let digits = self.i;
            while let Some(b'0'..=b'9') = self.peek() {
                self.i += 1;
            }
            if self.i == digits {
                return Err(match self.peek() {
                    Some(_) => self.peek_err("invalid number"),
                    None => self.peek_err("EOF while parsing a value"),
                });
            }
        }
        if matches!(self.peek(), Some(b'e') | Some(b'E')) {
            float = true;
            self.i += 1;
            if matches!(self.peek(), Some(b'+') | Some(b'-')) {
                self.i += 1;
            }
            match self.peek() {
                None => return Err(self.err("EOF while parsing a value")),
                Some(b'0'..=b'9') => {}
                Some(_) => {
                    self.i += 1;
                    return Err(self.err("invalid number"));
                }
            }
            while let Some(b'0'..=b'9') = self.peek() {
                self.i += 1;
            }
        }
        let text = &self.s[start..self.i];
        // Text already in its printed form is stored as given: integers of
        // up to 18 digits (they fit an i64; `-0` is a double) and
        // canonical floats.
        let short_int = !float && int_end - start - usize::from(neg) <= 18 && text != b"-0";
        if short_int || (float && float_is_canonical(text)) {
            self.out.push(if float { FLOAT } else { INT } | text.len() as u8);
            extend_small(&mut self.out, text);
            return Ok(());
        }
        if !float {
            let digits = &self.s[if neg { start + 1 } else { start }..int_end];
            if let Some(u) = crate::util::num::parse_u64(digits) {
                if !neg {
                    push_uint_node(&mut self.out, u);
                    return Ok(());
                }
                let v = (u as i64).wrapping_neg();
                if u != 0 && v < 0 {
                    push_int_node(&mut self.out, v);
                    return Ok(());
                }
                // -0 and magnitudes past i64::MIN are doubles in serde_json.
            }
        }
        let f: f64 = std::str::from_utf8(text).ok().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
        if !f.is_finite() {
            return Err(self.err("number out of range"));
        }
        push_float_node(&mut self.out, f);
        Ok(())
    }
}

/// Removes duplicate keys from the object body starting at `body` (the
/// last value wins, in the first key's place, as ijson's insert does).
/// Returns the child count left.
fn dedup_object(out: &mut Vec<u8>, body: usize, count: usize, keys: &[usize]) -> usize {
    if count < 2 {
        return count;
    }
    // The common case, no repeated key, settled from the key positions the
    // parser recorded: a 128-bit filter on (length, first, middle and last
    // byte), and exact comparisons only when two keys share a bit.
    if keys.len() == count && count <= 32 {
        let key = |k: usize| str_escaped(out, k).0;
        let mut seen = 0u128;
        let mut clash = false;
        for &k in keys {
            let s = key(k);
            let x = s.len() as u64
                | u64::from(s.first().copied().unwrap_or(0)) << 16
                | u64::from(s.get(s.len() / 2).copied().unwrap_or(0)) << 24
                | u64::from(s.last().copied().unwrap_or(0)) << 32;
            let bit = 1u128 << (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 57);
            clash |= seen & bit != 0;
            seen |= bit;
        }
        if !clash || !(1..keys.len()).any(|j| keys[..j].iter().any(|&k| key(k) == key(keys[j]))) {
            return count;
        }
    }
    // Collect (key bytes, pair start, value start, pair end).
    let mut pairs: Vec<(usize, usize, usize)> = Vec::with_capacity(count);
    let mut at = body;
    while at < out.len() {
        let v = node_end(out, at);
        let end = node_end(out, v);
        pairs.push((at, v, end));
        at = end;
    }
    let key_of = |out: &[u8], p: usize| str_escaped(out, p).0.to_vec();
    let mut first: std::collections::HashMap<Vec<u8>, usize> = std::collections::HashMap::with_capacity(pairs.len());
    let mut keep: Vec<Option<usize>> = vec![None; pairs.len()];
    let mut dup = false;
    for (j, &(k, _, _)) in pairs.iter().enumerate() {
        match first.entry(key_of(out, k)) {
            std::collections::hash_map::Entry::Occupied(e) => {
                // The value of pair j replaces the value kept at the first.
                keep[*e.get()] = Some(j);
                dup = true;
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(j);
                keep[j] = Some(j);
            }
        }
    }
    if !dup {
        return count;
    }
    let mut body_new = Vec::with_capacity(out.len() - body);
    let mut n = 0;
    for (j, &(k, v, _)) in pairs.iter().enumerate() {
        let Some(src) = keep[j] else { continue };
        if first.get(&key_of(out, k)) != Some(&j) {
            continue;
        }
        body_new.extend_from_slice(&out[k..v]);
        let (_, sv, se) = pairs[src];
        body_new.extend_from_slice(&out[sv..se]);
        n += 1;
    }
    out.truncate(body);
    out.extend_from_slice(&body_new);
    n
}

/// Parses JSON text into a tape. `limit_depth`: client input is limited to
/// 127 levels of nesting; stored documents being loaded are not.
pub fn parse(text: &[u8], limit_depth: bool) -> Result<Vec<u8>, ParseError> {
    Parser {
        s: text,
        i: 0,
        out: Vec::with_capacity(text.len()),
        max_depth: if limit_depth { MAX_DEPTH } else { usize::MAX },
        keys: Vec::with_capacity(32),
    }
    .parse()
}

// ---------------------------------------------------------------------------
// Serializing
// ---------------------------------------------------------------------------

/// JSON.GET's INDENT / NEWLINE / SPACE strings (RedisJSON's formatter: a
/// newline and indentation before each element and before the closing
/// bracket of a non-empty container, SPACE after each `:`).
#[derive(Default, Clone, Copy)]
pub struct Format<'a> {
    pub indent: Option<&'a [u8]>,
    pub newline: Option<&'a [u8]>,
    pub space: Option<&'a [u8]>,
}

impl Format<'_> {
    pub fn is_compact(&self) -> bool {
        self.indent.is_none() && self.newline.is_none() && self.space.is_none()
    }

    fn line(&self, out: &mut Vec<u8>, depth: usize) {
        if let Some(n) = self.newline {
            out.extend_from_slice(n);
        }
        if let Some(i) = self.indent {
            for _ in 0..depth {
                out.extend_from_slice(i);
            }
        }
    }
}

/// Appends a scalar node's text.
#[inline]
fn write_scalar(t: &[u8], pos: usize, out: &mut Vec<u8>) {
    let tag = t[pos];
    if tag & NUM_MASK != 0 {
        out.extend_from_slice(num_text(t, pos));
        return;
    }
    match tag {
        STR | STR_ESC => {
            let (s, _) = str_escaped(t, pos);
            out.reserve(s.len() + 2);
            out.push(b'"');
            out.extend_from_slice(s);
            out.push(b'"');
        }
        TRUE => out.extend_from_slice(b"true"),
        FALSE => out.extend_from_slice(b"false"),
        _ => out.extend_from_slice(b"null"),
    }
}

/// Copies `s` to `dst` without a `memcpy` call for short slices (most
/// keys, strings and numbers of a document).
///
/// # Safety
/// `dst` must be valid for `s.len()` bytes of writes and not overlap `s`.
#[inline(always)]
unsafe fn copy_small(s: &[u8], dst: *mut u8) {
    let n = s.len();
    let src = s.as_ptr();
    // SAFETY: the loads stay inside `s` (the 8- and 4-byte pairs overlap
    // rather than run past its end) and the stores inside `dst[..n]`, as
    // the caller guarantees.
    unsafe {
        if n > 16 {
            std::ptr::copy_nonoverlapping(src, dst, n);
        } else if n >= 8 {
            let a = (src as *const u64).read_unaligned();
            let b = (src.add(n - 8) as *const u64).read_unaligned();
            (dst as *mut u64).write_unaligned(a);
            (dst.add(n - 8) as *mut u64).write_unaligned(b);
        } else if n >= 4 {
            let a = (src as *const u32).read_unaligned();
            let b = (src.add(n - 4) as *const u32).read_unaligned();
            (dst as *mut u32).write_unaligned(a);
            (dst.add(n - 4) as *mut u32).write_unaligned(b);
        } else {
            for i in 0..n {
                *dst.add(i) = *src.add(i);
            }
        }
    }
}

/// Appends `s` to `out` (`extend_from_slice` without a `memcpy` call for
/// short slices).
#[inline(always)]
fn extend_small(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len());
    let len = out.len();
    // SAFETY: `reserve` made room for `s.len()` bytes past `len`, `s` is
    // not part of `out` (the borrow checker ensures it), and they are all
    // written before the length covers them.
    unsafe {
        copy_small(s, out.as_mut_ptr().add(len));
        out.set_len(len + s.len());
    }
}

/// An output cursor for the compact printer: bytes are written through a
/// raw pointer into room reserved beforehand (`room`), and the vector's
/// length is set once at the end, so a node costs a few stores instead of
/// a capacity check and a `memcpy` call per piece.
struct Cursor<'o> {
    out: &'o mut Vec<u8>,
    len: usize,
}

impl Cursor<'_> {
    /// Makes sure `n` more bytes fit.
    #[inline(always)]
    fn room(&mut self, n: usize) {
        if self.out.capacity() - self.len < n {
            // SAFETY: every byte below `self.len` was written by `put`.
            unsafe { self.out.set_len(self.len) };
            self.out.reserve(n);
        }
    }

    /// Appends `s`; the caller reserved room for it with `room`.
    #[inline(always)]
    fn put(&mut self, s: &[u8]) {
        let n = s.len();
        debug_assert!(self.out.capacity() - self.len >= n);
        // SAFETY: `room` reserved at least `n` bytes past `self.len`.
        unsafe { copy_small(s, self.out.as_mut_ptr().add(self.len)) };
        self.len += n;
    }

    /// Appends one byte; the caller reserved room for it with `room`.
    #[inline(always)]
    fn byte(&mut self, b: u8) {
        debug_assert!(self.out.capacity() > self.len);
        // SAFETY: `room` reserved this byte.
        unsafe { *self.out.as_mut_ptr().add(self.len) = b };
        self.len += 1;
    }

    fn finish(self) {
        // SAFETY: every byte below `self.len` was written by `put`/`byte`
        // (and capacity never shrinks while the cursor lives).
        unsafe { self.out.set_len(self.len) };
    }
}

/// The enclosing containers of the one the compact printer is in: (end
/// of body, is object), the first levels inline (no allocation for
/// ordinary documents).
struct Open {
    inline: [(usize, bool); 24],
    depth: usize,
    more: Vec<(usize, bool)>,
}

impl Open {
    #[inline]
    fn push(&mut self, v: (usize, bool)) {
        if self.depth < self.inline.len() {
            self.inline[self.depth] = v;
        } else {
            self.more.push(v);
        }
        self.depth += 1;
    }

    #[inline]
    fn pop(&mut self) -> Option<(usize, bool)> {
        if self.depth == 0 {
            return None;
        }
        self.depth -= 1;
        if self.depth < self.inline.len() {
            Some(self.inline[self.depth])
        } else {
            self.more.pop()
        }
    }
}

/// Appends the compact JSON text of the node at `pos`: one step per node,
/// each read once; strings and numbers are copied as stored.
pub fn write_compact(t: &[u8], pos: usize, out: &mut Vec<u8>) {
    let tag = t.get(pos).copied().unwrap_or(NULL);
    if tag != ARR && tag != OBJ {
        write_scalar(t, pos, out);
        return;
    }
    let (_, body, end) = container(t, pos);
    // The text is about as long as the tape (headers out, punctuation in).
    out.reserve(end - pos + (end - pos) / 4 + 8);
    let len = out.len();
    let mut w = Cursor { out, len };
    w.room(1);
    w.byte(if tag == OBJ { b'{' } else { b'[' });
    let mut open = Open {
        inline: [(0, false); 24],
        depth: 0,
        more: Vec::new(),
    };
    // The container being printed: where its body ends, whether an object.
    let (mut end, mut object) = (end, tag == OBJ);
    let mut at = body;
    let mut first = true;
    loop {
        if at >= end {
            w.room(1);
            w.byte(if object { b'}' } else { b']' });
            first = false;
            match open.pop() {
                Some((e, o)) => (end, object) = (e, o),
                None => break,
            }
            continue;
        }
        // Room for a comma, a key's punctuation and a value's fixed part
        // (a number's text is at most 31 bytes); string bytes are added.
        w.room(48);
        if !first {
            w.byte(b',');
        }
        if object {
            let (len, n) = read_varint(t, at + 1);
            let s = at + 1 + n;
            let e = s + len as usize;
            let key = t.get(s..e).unwrap_or_default();
            w.room(key.len() + 48);
            w.byte(b'"');
            w.put(key);
            w.byte(b'"');
            w.byte(b':');
            at = e;
        }
        let Some(&tag) = t.get(at) else {
            at = end;
            continue;
        };
        first = false;
        if tag & NUM_MASK != 0 {
            let e = at + 1 + (tag & LEN_MASK) as usize;
            w.put(t.get(at + 1..e).unwrap_or_default());
            at = e;
            continue;
        }
        match tag {
            STR | STR_ESC => {
                let (len, n) = read_varint(t, at + 1);
                let s = at + 1 + n;
                let e = s + len as usize;
                let text = t.get(s..e).unwrap_or_default();
                w.room(text.len() + 2);
                w.byte(b'"');
                w.put(text);
                w.byte(b'"');
                at = e;
            }
            ARR | OBJ => {
                let (_, body, inner_end) = container(t, at);
                w.byte(if tag == OBJ { b'{' } else { b'[' });
                open.push((end, object));
                (end, object) = (inner_end, tag == OBJ);
                at = body;
                first = true;
            }
            TRUE => {
                w.put(b"true");
                at += 1;
            }
            FALSE => {
                w.put(b"false");
                at += 1;
            }
            _ => {
                w.put(b"null");
                at += 1;
            }
        }
    }
    w.finish();
}

/// Appends the JSON text of the node at `pos`.
pub fn write(t: &[u8], pos: usize, fmt: &Format<'_>, out: &mut Vec<u8>) {
    let compact = fmt.is_compact();
    if compact {
        return write_compact(t, pos, out);
    }
    // Open containers: (end of body, is object, depth).
    let mut stack: Vec<(usize, bool)> = Vec::new();
    let mut at = pos;
    let mut first = true;
    let mut top_done = false;
    loop {
        // Close finished containers.
        while let Some(&(end, object)) = stack.last() {
            if at < end {
                break;
            }
            stack.pop();
            if !compact && !first {
                fmt.line(out, stack.len());
            }
            out.push(if object { b'}' } else { b']' });
            first = false;
        }
        if top_done && stack.is_empty() {
            return;
        }
        if let Some(&(_, object)) = stack.last() {
            if !first {
                out.push(b',');
            }
            if !compact {
                fmt.line(out, stack.len());
            }
            if object {
                write_scalar(t, at, out);
                out.push(b':');
                if let Some(s) = fmt.space {
                    out.extend_from_slice(s);
                }
                at = node_end(t, at);
            }
        }
        let tag = t.get(at).copied().unwrap_or(NULL);
        if tag == ARR || tag == OBJ {
            let (_, body, end) = container(t, at);
            out.push(if tag == OBJ { b'{' } else { b'[' });
            stack.push((end, tag == OBJ));
            at = body;
            first = true;
        } else {
            write_scalar(t, at, out);
            at = node_end(t, at);
            first = false;
        }
        top_done = true;
        if stack.is_empty() {
            return;
        }
    }
}

/// The compact JSON text of the node at `pos`.
pub fn to_text(t: &[u8], pos: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(node_end(t, pos) - pos + 16);
    write(t, pos, &Format::default(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(text: &str) -> String {
        let t = parse(text.as_bytes(), true).unwrap_or_else(|e| panic!("{text}: {}", e.0));
        String::from_utf8(to_text(&t, 0)).unwrap()
    }

    fn err(text: &str) -> String {
        parse(text.as_bytes(), true).err().map(|e| e.0).unwrap_or_else(|| "parsed".into())
    }

    #[test]
    fn compact_text_round_trips() {
        for (i, o) in [
            ("{}", "{}"),
            ("[]", "[]"),
            (
                " { \"a\" : [ 1 , 2.5 , true , false , null , \"x\" ] , \"b\" : { } } ",
                r#"{"a":[1,2.5,true,false,null,"x"],"b":{}}"#,
            ),
            ("[[[]],[{}],[[1]]]", "[[[]],[{}],[[1]]]"),
            (r#""\u00e9\n\/\"\\\u0001""#, "\"é\\n/\\\"\\\\\\u0001\""),
            (r#"{"a":1,"b":2,"a":3}"#, r#"{"a":3,"b":2}"#),
            ("-0", "-0.0"),
            ("1E2", "100.0"),
            ("18446744073709551615", "18446744073709551615"),
            ("18446744073709551616", "1.8446744073709552e19"),
            ("-9223372036854775808", "-9223372036854775808"),
            ("-9223372036854775809", "-9.223372036854776e18"),
            ("0.00001", "0.00001"),
            ("0.000001", "1e-6"),
            ("1e16", "1e16"),
            ("123456789012345678.5", "1.2345678901234568e17"),
            ("1.5e300", "1.5e300"),
            ("\"\u{1F600}\"", "\"\u{1F600}\""),
            (r#""\ud83d\ude00""#, "\"\u{1F600}\""),
        ] {
            assert_eq!(round(i), o, "{i}");
        }
    }

    #[test]
    fn big_containers_and_number_forms_round_trip() {
        // Headers wider than the parser's room: counts and sizes past 127
        // and 16383, nested.
        for n in [127usize, 128, 200, 3000] {
            let arr = format!("[{}]", vec!["\"abcdefgh\""; n].join(","));
            let obj = format!(
                "{{{}}}",
                (0..n).map(|i| format!("\"k{i}\":{arr}")).take(8).collect::<Vec<_>>().join(",")
            );
            let doc = format!("[{obj},{arr},[{arr}],{{}}]");
            assert_eq!(round(&doc), doc);
            let t = parse(doc.as_bytes(), true).unwrap();
            assert_eq!(node_end(&t, 0), t.len());
            assert_eq!(len(&t, 0), 4);
        }
        // Numbers stored as given, and the ones that are reprinted.
        for (i, o) in [
            (
                "[0,-1,123456789012345678,-123456789012345678]",
                "[0,-1,123456789012345678,-123456789012345678]",
            ),
            (
                "[1234567890123456789,-1234567890123456789]",
                "[1234567890123456789,-1234567890123456789]",
            ),
            (
                "[0.0,-0.0,1.0,100.0,98.625,-0.1585,0.00001]",
                "[0.0,-0.0,1.0,100.0,98.625,-0.1585,0.00001]",
            ),
            (
                "[1.50,0.0000012,1.0e2,123456789012345.6,0.00,10.10]",
                "[1.5,1.2e-6,100.0,123456789012345.6,0.0,10.1]",
            ),
            ("[1234567890123456.0,0.1234567890123456]", "[1234567890123456.0,0.1234567890123456]"),
        ] {
            assert_eq!(round(i), o, "{i}");
        }
    }

    #[test]
    fn canonical_floats_print_as_given() {
        // Every text the fast path keeps must be what push_f64 prints.
        let mut kept = 0;
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200_000 {
            let r = next();
            let int_len = (r % 18) as usize;
            let frac_len = 1 + ((r >> 8) % 18) as usize;
            let mut text = String::new();
            if (r >> 20) & 1 == 1 {
                text.push('-');
            }
            // Digits biased towards zeros, the interesting cases.
            let digit = |x: u64| char::from(if x.is_multiple_of(3) { b'0' } else { b'0' + ((x >> 8) % 10) as u8 });
            if int_len == 0 || (r >> 21) & 3 == 0 {
                text.push('0');
            } else {
                text.push(char::from(b'1' + (next() % 9) as u8));
                for _ in 1..int_len {
                    text.push(digit(next()));
                }
            }
            text.push('.');
            for _ in 0..frac_len {
                text.push(digit(next()));
            }
            if float_is_canonical(text.as_bytes()) {
                kept += 1;
                let f: f64 = text.parse().unwrap();
                let mut out = Vec::new();
                push_f64(&mut out, f);
                assert_eq!(String::from_utf8(out).unwrap(), text);
            }
        }
        assert!(kept > 10_000, "{kept}");
        for t in ["1e5", "1.5e3", "01.5", ".5", "1.", "1.50", "0.000001", "1234567890123456.5"] {
            assert!(!float_is_canonical(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn plain_runs_stop_at_the_first_special_byte() {
        for special in [b'"', b'\\', 0u8, 0x1f, b'\n'] {
            for at in 0..40 {
                let mut s = vec![b'a'; 40];
                s[at] = special;
                s[(at + 7).min(39)] = b'"';
                for from in 0..=at {
                    assert_eq!(plain_run(&s, from), at, "{special} at {at} from {from}");
                }
            }
        }
        // Every special byte at every offset of short and long inputs, and
        // a plain byte just above each (the borrows must not mark it).
        for len in 1..20 {
            for at in 0..len {
                for special in [b'"', b'\\', 0u8, 0x1f] {
                    let mut s = vec![0x21u8; len];
                    s[at] = special;
                    assert_eq!(plain_run(&s, 0), at, "{special} at {at} of {len}");
                    if at + 1 < len {
                        assert_eq!(plain_run(&s, at + 1), len, "after {special} at {at} of {len}");
                    }
                }
            }
            assert_eq!(plain_run(&vec![0x20u8; len], 0), len);
            assert_eq!(plain_run(&vec![0x5du8; len], 0), len);
        }
        let s: Vec<u8> = (0x20..=0xffu8).filter(|&c| c != b'"' && c != b'\\').collect();
        assert_eq!(plain_run(&s, 0), s.len());
        assert_eq!(plain_run(&s, 3), s.len());
    }

    #[test]
    fn errors_are_serde_json_messages() {
        assert_eq!(err(""), "EOF while parsing a value at line 1 column 0");
        assert_eq!(err("{"), "EOF while parsing an object at line 1 column 1");
        assert_eq!(err("["), "EOF while parsing a list at line 1 column 1");
        assert_eq!(err("[1,]"), "trailing comma at line 1 column 4");
        assert_eq!(err("1 2"), "trailing characters at line 1 column 3");
        assert_eq!(err("trux"), "expected ident at line 1 column 4");
        assert_eq!(err("tru"), "EOF while parsing a value at line 1 column 3");
        assert_eq!(err("01"), "invalid number at line 1 column 2");
        assert_eq!(err("{1:2}"), "key must be a string at line 1 column 2");
        assert_eq!(err("{\"a\" 1}"), "expected `:` at line 1 column 6");
        assert_eq!(err("[1 2]"), "expected `,` or `]` at line 1 column 4");
        assert_eq!(err("abc"), "expected value at line 1 column 1");
        assert_eq!(err("1e400"), "number out of range at line 1 column 5");
        assert_eq!(
            err("\"a\nb\"\n"),
            "control character (\\u0000-\\u001F) found while parsing a string at line 2 column 0"
        );
        assert_eq!(err(&"[".repeat(127)), "EOF while parsing a list at line 1 column 127");
        assert_eq!(err(&"[".repeat(128)), "recursion limit exceeded at line 1 column 128");
        assert!(parse("[".repeat(10_000).as_bytes(), false).is_err());
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let t = parse(deep.as_bytes(), false).unwrap();
        assert_eq!(to_text(&t, 0), deep.as_bytes());
    }

    #[test]
    fn formatting_options() {
        let t = parse(br#"{"a":[1,{"b":null},[]],"c":{}}"#, true).unwrap();
        let mut out = Vec::new();
        let f = Format {
            indent: Some(b"\t"),
            newline: Some(b"\n"),
            space: Some(b" "),
        };
        write(&t, 0, &f, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n\t\"a\": [\n\t\t1,\n\t\t{\n\t\t\t\"b\": null\n\t\t},\n\t\t[]\n\t],\n\t\"c\": {}\n}"
        );
    }

    #[test]
    fn navigation() {
        let t = parse(br#"{"a":[10,"x\n",{"k":true}],"b":1.5}"#, true).unwrap();
        assert_eq!(kind(&t, 0), Kind::Obj);
        assert_eq!(len(&t, 0), 2);
        let a = get_key(&t, 0, b"a").unwrap();
        assert_eq!(len(&t, a), 3);
        assert_eq!(int_value(&t, get_index(&t, a, 0).unwrap()), 10);
        assert_eq!(&*str_raw(&t, get_index(&t, a, 1).unwrap()), b"x\n");
        let o = get_index(&t, a, 2).unwrap();
        assert!(bool_value(&t, get_key(&t, o, b"k").unwrap()));
        assert_eq!(f64_value(&t, get_key(&t, 0, b"b").unwrap()), 1.5);
        assert_eq!(get_key(&t, 0, b"zz"), None);
        assert_eq!(node_end(&t, 0), t.len());
    }

    /// A random document model (for the generated-input tests).
    enum V {
        Lit(String),
        Arr(Vec<V>),
        Obj(Vec<(String, V)>),
    }

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// A string as JSON text, written the way the printer writes it.
    fn gen_str(r: &mut Rng, max: u64) -> String {
        const PIECES: [&str; 10] = ["a", "b", "Z", "0", " ", "é", "\\\"", "\\\\", "\\n", "\\u0001"];
        let n = r.below(max + 1);
        let mut body = String::new();
        for _ in 0..n {
            let choices = if r.below(4) == 0 { 10 } else { 6 };
            body.push_str(PIECES[r.below(choices) as usize]);
        }
        format!("\"{body}\"")
    }

    fn gen(r: &mut Rng, depth: usize) -> V {
        let pick = if depth >= 5 { r.below(5) } else { r.below(8) };
        match pick {
            0 => V::Lit(["true", "false", "null"][r.below(3) as usize].to_string()),
            1 => V::Lit((r.next() as i64 >> r.below(64)).to_string()),
            2 => V::Lit(
                format!("{}.{}", r.below(100000) as i64 - 50000, r.below(999) + 1)
                    .trim_end_matches('0')
                    .to_string(),
            ),
            3 | 4 => V::Lit(gen_str(r, 40)),
            5 if depth > 3 && r.below(3) == 0 => V::Arr(vec![gen(r, depth + 1)]),
            5 => V::Arr((0..r.below(6)).map(|_| gen(r, depth + 1)).collect()),
            _ => {
                let wide = r.below(8) == 0;
                let n = r.below(if wide { 40 } else { 7 });
                V::Obj((0..n).map(|_| (gen_str(r, 3), gen(r, depth + 1))).collect())
            }
        }
    }

    /// The model as text; `dedup`: keys kept once, the last value in the
    /// first key's place.
    fn print(v: &V, dedup: bool, out: &mut String) {
        match v {
            V::Lit(s) => out.push_str(s),
            V::Arr(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    print(x, dedup, out);
                }
                out.push(']');
            }
            V::Obj(o) => {
                let mut pairs: Vec<(&String, &V)> = Vec::new();
                for (k, x) in o {
                    match pairs.iter_mut().find(|(pk, _)| *pk == k) {
                        Some(p) if dedup => p.1 = x,
                        _ => pairs.push((k, x)),
                    }
                }
                out.push('{');
                for (i, (k, x)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(k);
                    out.push(':');
                    print(x, dedup, out);
                }
                out.push('}');
            }
        }
    }

    /// Every node position of a tape, in pre-order.
    fn all_nodes(t: &[u8]) -> Vec<usize> {
        let mut out = vec![0];
        let mut i = 0;
        while i < out.len() {
            let p = out[i];
            if matches!(kind(t, p), Kind::Arr | Kind::Obj) {
                for (k, v) in children(t, p) {
                    out.extend(k);
                    out.push(v);
                }
            }
            i += 1;
        }
        out
    }

    #[test]
    fn random_documents_parse_dedup_and_print_like_the_model() {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        // The general (formatting) printer with empty strings prints the
        // compact text too: the fast printer must agree with it.
        let general = Format {
            indent: Some(b""),
            newline: Some(b""),
            space: Some(b""),
        };
        for round in 0..400 {
            let mut v = gen(&mut r, 0);
            if round % 50 == 0 {
                // Deeper than the fast printer's inline stack.
                for _ in 0..60 {
                    v = V::Arr(vec![v]);
                }
            }
            let (mut input, mut want) = (String::new(), String::new());
            print(&v, false, &mut input);
            print(&v, true, &mut want);
            let t = parse(input.as_bytes(), false).unwrap_or_else(|e| panic!("{input}: {e:?}"));
            assert_eq!(String::from_utf8_lossy(&to_text(&t, 0)), want, "input {input}");
            for p in all_nodes(&t) {
                let mut fast = b"prefix".to_vec();
                write_compact(&t, p, &mut fast);
                let mut slow = b"prefix".to_vec();
                write(&t, p, &general, &mut slow);
                assert_eq!(fast, slow, "node at {p} of {want}");
            }
            // Printing and parsing again is the identity on tapes.
            assert_eq!(parse(&to_text(&t, 0), false).ok(), Some(t.clone()));
        }
    }
}
