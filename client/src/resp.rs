//! RESP2 and RESP3 codec: typed reply values, a frame parser that never
//! trusts its input, and the command encoder.
//!
//! The parser works on a byte buffer and answers `Complete(value, used)`,
//! `Incomplete(hint)` (read more; `hint` is the least total buffer length that
//! can complete the frame, so a large bulk is not re-scanned on every read) or
//! an error. Lengths, nesting depth and number formats are checked; nothing
//! allocates more than the bytes actually received justify.

use std::fmt;

/// Longest bulk string accepted (the server's own `proto-max-bulk-len`
/// ceiling is 512 MiB by default; we allow a little more).
pub const MAX_BULK_LEN: i64 = 1 << 30;
/// Deepest nesting of aggregates accepted.
pub const MAX_DEPTH: usize = 128;
/// Largest element count accepted for one aggregate.
pub const MAX_AGGREGATE_LEN: i64 = 1 << 31;

/// One reply from the server, RESP2 or RESP3. Strings are bytes
/// (binary-safe); convert with [`crate::FromValue`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// RESP2 null bulk / null array, RESP3 `_`.
    Nil,
    /// `+OK` style status reply.
    Status(Vec<u8>),
    /// `-ERR ...` (or RESP3 blob error `!`), kept inside aggregates; at the top
    /// level the connection turns it into [`crate::Error::Server`].
    Error(Vec<u8>),
    Int(i64),
    Bulk(Vec<u8>),
    Array(Vec<Value>),
    /// RESP3 `%` map, in the server's order.
    Map(Vec<(Value, Value)>),
    /// RESP3 `~` set.
    Set(Vec<Value>),
    /// RESP3 `,` double.
    Double(f64),
    /// RESP3 `#` boolean.
    Bool(bool),
    /// RESP3 `(` big number, as its decimal digits.
    BigNumber(Vec<u8>),
    /// RESP3 `=` verbatim string: format (e.g. `txt`) and text.
    Verbatim(Vec<u8>, Vec<u8>),
    /// RESP3 `>` out-of-band push (pub/sub message, invalidation ...).
    Push(Vec<Value>),
}

impl Value {
    /// Bytes of a string-like value (bulk, status, verbatim, big number).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bulk(b) | Value::Status(b) | Value::BigNumber(b) | Value::Verbatim(_, b) => Some(b),
            _ => None,
        }
    }

    /// Elements of an array, set or push (maps are flattened by
    /// [`Value::into_items`], not here).
    pub fn as_items(&self) -> Option<&[Value]> {
        match self {
            Value::Array(v) | Value::Set(v) | Value::Push(v) => Some(v),
            _ => None,
        }
    }

    /// Elements of any aggregate; a map yields key, value, key, value ...
    pub fn into_items(self) -> Option<Vec<Value>> {
        match self {
            Value::Array(v) | Value::Set(v) | Value::Push(v) => Some(v),
            Value::Map(m) => Some(m.into_iter().flat_map(|(k, v)| [k, v]).collect()),
            _ => None,
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }
}

/// The input is not RESP (or breaks one of the limits above).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "protocol error: {}", self.0)
    }
}

impl std::error::Error for ProtocolError {}

/// Outcome of one parse attempt.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    /// A whole frame and the number of bytes it used.
    Complete(Value, usize),
    /// Not enough bytes yet: at least this many are needed in total.
    Incomplete(usize),
}

fn perr<T>(msg: impl Into<String>) -> Result<T, ProtocolError> {
    Err(ProtocolError(msg.into()))
}

/// Parse one frame from the start of `buf`.
pub fn parse(buf: &[u8]) -> Result<Parsed, ProtocolError> {
    match parse_at(buf, 0, 0)? {
        Step::Done(v, end) => Ok(Parsed::Complete(v, end)),
        Step::Need(n) => Ok(Parsed::Incomplete(n)),
    }
}

enum Step {
    Done(Value, usize),
    Need(usize),
}

/// The line starting at `from` (without CRLF) and the offset after it.
fn line(buf: &[u8], from: usize) -> Result<Option<(&[u8], usize)>, ProtocolError> {
    let rest = &buf[from..];
    match rest.iter().position(|&b| b == b'\r') {
        Some(i) if i + 1 < rest.len() => {
            if rest[i + 1] != b'\n' {
                return perr("CR not followed by LF");
            }
            Ok(Some((&rest[..i], from + i + 2)))
        }
        Some(_) => Ok(None),
        None => {
            if rest.contains(&b'\n') {
                return perr("bare LF in a line");
            }
            Ok(None)
        }
    }
}

/// Strict decimal integer: optional '-', 1..=19 digits, no overflow.
pub fn parse_int(s: &[u8]) -> Result<i64, ProtocolError> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return perr(format!("bad integer {:?}", String::from_utf8_lossy(s)));
    }
    let mut n: i64 = 0;
    for &d in digits {
        let v = i64::from(d - b'0');
        n = match n
            .checked_mul(10)
            .and_then(|n| if neg { n.checked_sub(v) } else { n.checked_add(v) })
        {
            Some(n) => n,
            None => return perr("integer overflow"),
        };
    }
    Ok(n)
}

fn parse_double(s: &[u8]) -> Result<f64, ProtocolError> {
    match s {
        b"inf" | b"+inf" => return Ok(f64::INFINITY),
        b"-inf" => return Ok(f64::NEG_INFINITY),
        b"nan" | b"-nan" => return Ok(f64::NAN),
        _ => {}
    }
    let ok = !s.is_empty() && s.iter().all(|c| c.is_ascii_digit() || b"+-.eE".contains(c));
    match std::str::from_utf8(s).ok().filter(|_| ok).and_then(|t| t.parse::<f64>().ok()) {
        Some(d) => Ok(d),
        None => perr("bad double"),
    }
}

fn parse_at(buf: &[u8], start: usize, depth: usize) -> Result<Step, ProtocolError> {
    if depth > MAX_DEPTH {
        return perr("nesting too deep");
    }
    let Some(&kind) = buf.get(start) else {
        return Ok(Step::Need(start + 1));
    };
    let Some((body, next)) = line(buf, start + 1)? else {
        return Ok(Step::Need(buf.len() + 1));
    };
    let v = match kind {
        b'+' => Value::Status(body.to_vec()),
        b'-' => Value::Error(body.to_vec()),
        b':' => Value::Int(parse_int(body)?),
        b'_' if body.is_empty() => Value::Nil,
        b'#' => match body {
            b"t" => Value::Bool(true),
            b"f" => Value::Bool(false),
            _ => return perr("bad boolean"),
        },
        b',' => Value::Double(parse_double(body)?),
        b'(' => {
            let digits = body.strip_prefix(b"-").unwrap_or(body);
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return perr("bad big number");
            }
            Value::BigNumber(body.to_vec())
        }
        b'$' | b'!' | b'=' => return blob(buf, kind, body, next),
        b'*' | b'~' | b'>' | b'%' | b'|' => return aggregate(buf, kind, body, next, depth),
        _ => return perr(format!("unknown type byte 0x{:02x}", kind)),
    };
    Ok(Step::Done(v, next))
}

fn blob(buf: &[u8], kind: u8, len_line: &[u8], next: usize) -> Result<Step, ProtocolError> {
    let len = parse_int(len_line)?;
    if len == -1 && kind == b'$' {
        return Ok(Step::Done(Value::Nil, next));
    }
    if !(0..=MAX_BULK_LEN).contains(&len) {
        return perr("bad bulk length");
    }
    let len = len as usize; // checked above: 0 ..= 1 GiB
    let end = next + len;
    if buf.len() < end + 2 {
        return Ok(Step::Need(end + 2));
    }
    if &buf[end..end + 2] != b"\r\n" {
        return perr("bulk not terminated by CRLF");
    }
    let data = buf[next..end].to_vec();
    let v = match kind {
        b'$' => Value::Bulk(data),
        b'!' => Value::Error(data),
        _ => {
            if data.len() < 4 || data[3] != b':' {
                return perr("verbatim string without a format");
            }
            Value::Verbatim(data[..3].to_vec(), data[4..].to_vec())
        }
    };
    Ok(Step::Done(v, end + 2))
}

fn aggregate(buf: &[u8], kind: u8, len_line: &[u8], mut pos: usize, depth: usize) -> Result<Step, ProtocolError> {
    let n = parse_int(len_line)?;
    if n == -1 && kind == b'*' {
        return Ok(Step::Done(Value::Nil, pos));
    }
    if !(0..=MAX_AGGREGATE_LEN).contains(&n) {
        return perr("bad aggregate length");
    }
    let items = if kind == b'%' || kind == b'|' { n * 2 } else { n } as usize;
    // Each element needs at least 3 bytes: never reserve more than the
    // buffer could hold.
    let mut out = Vec::with_capacity(items.min((buf.len() - pos) / 3 + 1));
    for _ in 0..items {
        match parse_at(buf, pos, depth + 1)? {
            Step::Done(v, end) => {
                out.push(v);
                pos = end;
            }
            Step::Need(n) => return Ok(Step::Need(n)),
        }
    }
    let v = match kind {
        b'*' => Value::Array(out),
        b'~' => Value::Set(out),
        b'>' => Value::Push(out),
        b'%' => Value::Map(pairs(out)),
        _ => {
            // Attribute: metadata about the reply that follows; we drop it
            // and return that reply.
            return parse_at(buf, pos, depth);
        }
    };
    Ok(Step::Done(v, pos))
}

fn pairs(flat: Vec<Value>) -> Vec<(Value, Value)> {
    let mut out = Vec::with_capacity(flat.len() / 2);
    let mut it = flat.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    out
}

/// Append a command (array of bulk strings) to `out`.
pub fn encode_command<A: AsRef<[u8]>>(out: &mut Vec<u8>, args: &[A]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        let a = a.as_ref();
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(b: &[u8]) -> Value {
        match parse(b) {
            Ok(Parsed::Complete(v, n)) => {
                assert_eq!(n, b.len());
                v
            }
            other => panic!("{:?} for {:?}", other, String::from_utf8_lossy(b)),
        }
    }

    #[test]
    fn all_types() {
        assert_eq!(one(b"+OK\r\n"), Value::Status(b"OK".to_vec()));
        assert_eq!(one(b"-ERR x\r\n"), Value::Error(b"ERR x".to_vec()));
        assert_eq!(one(b":-42\r\n"), Value::Int(-42));
        assert_eq!(one(b"$3\r\na\r\n\r\n"), Value::Bulk(b"a\r\n".to_vec()));
        assert_eq!(one(b"$0\r\n\r\n"), Value::Bulk(vec![]));
        assert_eq!(one(b"$-1\r\n"), Value::Nil);
        assert_eq!(one(b"*-1\r\n"), Value::Nil);
        assert_eq!(one(b"_\r\n"), Value::Nil);
        assert_eq!(one(b"#t\r\n"), Value::Bool(true));
        assert_eq!(one(b",1.5\r\n"), Value::Double(1.5));
        assert_eq!(one(b",-inf\r\n"), Value::Double(f64::NEG_INFINITY));
        assert_eq!(
            one(b"(123456789012345678901234567890\r\n"),
            Value::BigNumber(b"123456789012345678901234567890".to_vec())
        );
        assert_eq!(one(b"=7\r\ntxt:abc\r\n"), Value::Verbatim(b"txt".to_vec(), b"abc".to_vec()));
        assert_eq!(one(b"!5\r\nERR x\r\n"), Value::Error(b"ERR x".to_vec()));
        assert_eq!(
            one(b"%1\r\n+a\r\n:1\r\n"),
            Value::Map(vec![(Value::Status(b"a".to_vec()), Value::Int(1))])
        );
        assert_eq!(one(b"~1\r\n:1\r\n"), Value::Set(vec![Value::Int(1)]));
        assert_eq!(
            one(b">2\r\n+a\r\n:1\r\n"),
            Value::Push(vec![Value::Status(b"a".to_vec()), Value::Int(1)])
        );
        assert_eq!(one(b"|1\r\n+k\r\n+v\r\n:7\r\n"), Value::Int(7));
        assert_eq!(
            one(b"*2\r\n*1\r\n:1\r\n$1\r\n\x00\r\n"),
            Value::Array(vec![Value::Array(vec![Value::Int(1)]), Value::Bulk(vec![0])])
        );
    }

    #[test]
    fn every_prefix_is_incomplete() {
        let frame: &[u8] = b"*3\r\n$5\r\nhello\r\n%1\r\n+k\r\n,2.5\r\n>1\r\n_\r\n";
        for cut in 0..frame.len() {
            match parse(&frame[..cut]) {
                Ok(Parsed::Incomplete(n)) => assert!(n > cut, "hint {} at cut {}", n, cut),
                other => panic!("cut {}: {:?}", cut, other),
            }
        }
        assert!(matches!(parse(frame), Ok(Parsed::Complete(_, n)) if n == frame.len()));
    }

    #[test]
    fn hostile_input_is_rejected_not_trusted() {
        let bad: &[&[u8]] = &[
            b"?\r\n",
            b":12a\r\n",
            b":\r\n",
            b":99999999999999999999\r\n",
            b":-9223372036854775809\r\n",
            b"$-2\r\n",
            b"$99999999999999\r\n",
            b"$2\r\nabcd",
            b"*-5\r\n",
            b"*9999999999999\r\n",
            b"#x\r\n",
            b",1.2.3x\r\n",
            b"(12a\r\n",
            b"=2\r\nab\r\n",
            b"+ok\rX",
            b"+ok\n",
            b"_x\r\n",
            b"~-1\r\n",
        ];
        for b in bad {
            assert!(parse(b).is_err(), "accepted {:?}", String::from_utf8_lossy(b));
        }
        // A huge declared count with few bytes must not allocate for it.
        assert!(matches!(parse(b"*2000000000\r\n:1\r\n"), Ok(Parsed::Incomplete(_))));
        // Deep nesting is refused instead of overflowing the stack.
        let deep = b"*1\r\n".repeat(100_000);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut x: u64 = 0x9E3779B97F4A7C15;
        let alphabet = b"*$:+-%~>_#,(=!|\r\n0123456789-abc";
        for _ in 0..20_000 {
            let len = (x % 40) as usize;
            let mut buf = Vec::with_capacity(len);
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                buf.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            if let Ok(Parsed::Complete(_, n)) = parse(&buf) {
                assert!(n <= buf.len());
            }
        }
    }

    #[test]
    fn encode_is_binary_safe() {
        let mut out = Vec::new();
        encode_command(&mut out, &[&b"SET"[..], b"k\r\n", b"\x00"]);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$1\r\n\x00\r\n");
    }
}
