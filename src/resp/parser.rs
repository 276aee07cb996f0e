//! Resumable request parser (`processInlineBuffer` and
//! `processMultibulkBuffer` in networking.c), with no I/O.
//!
//! The client appends bytes to its query buffer and calls [`RequestParser::parse`]
//! with the position of the first unconsumed byte. A multibulk request's
//! arguments are recorded as ranges into the query buffer (no copy); the
//! parser remembers where it stopped, so a request arriving in many pieces
//! is scanned once. Inline requests (telnet style) are split into owned
//! arguments, since quotes and escapes rewrite them.
//!
//! The error texts are Redis's; the caller replies `-ERR <text>` and closes
//! the connection after the reply is flushed.

/// Longest inline request, and longest `*N`/`$N` header line, Redis accepts.
pub const PROTO_INLINE_MAX_SIZE: usize = 1024 * 64;
/// Bulk arguments at least this big get room reserved for the whole payload.
pub const PROTO_MBULK_BIG_ARG: usize = 1024 * 32;

/// Limits that depend on configuration and client state.
#[derive(Clone, Copy, Debug)]
pub struct ParseLimits {
    pub proto_max_bulk_len: i64,
    /// Unauthenticated clients may only send small requests.
    pub auth_required: bool,
    /// The master's stream is trusted with any bulk length.
    pub is_master: bool,
}

/// What a call to `parse` achieved.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A whole request is available through `args`/`inline_args`.
    Request,
    /// An empty request (`*0`, `*-1`, an empty inline line) was consumed.
    Empty,
    /// More bytes are needed. `reserve` is a hint: the buffer should have
    /// room for this many more bytes (a big bulk argument in progress).
    Incomplete { reserve: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    None,
    Multibulk,
}

#[derive(Debug)]
pub struct RequestParser {
    kind: Kind,
    /// Arguments still expected in the current multibulk request.
    multibulk_len: i64,
    /// Length of the bulk being read, or -1 while reading its `$` header.
    bulk_len: i64,
    /// Where the request being parsed starts in the query buffer.
    pub start: usize,
    /// Multibulk arguments: (offset, length) in the query buffer.
    pub args: Vec<(usize, usize)>,
    /// Inline arguments (owned: unquoting rewrites them).
    pub inline_args: Vec<Vec<u8>>,
    pub is_inline: bool,
}

impl Default for RequestParser {
    fn default() -> Self {
        Self::new()
    }
}

/// Finds `c` like C's `strchr` on the query buffer does: the search stops
/// at a NUL byte. Redis relies on that, so a NUL before the line end makes
/// the request wait for more input (until the size limits reject it).
fn find(buf: &[u8], c: u8) -> Option<usize> {
    for (i, &b) in buf.iter().enumerate() {
        if b == c {
            return Some(i);
        }
        if b == 0 {
            return None;
        }
    }
    None
}

impl RequestParser {
    pub fn new() -> Self {
        RequestParser {
            kind: Kind::None,
            multibulk_len: 0,
            bulk_len: -1,
            start: 0,
            args: Vec::new(),
            inline_args: Vec::new(),
            is_inline: false,
        }
    }

    /// True while part of a request has been read but not all of it.
    pub fn in_progress(&self) -> bool {
        self.kind != Kind::None
    }

    /// While a big bulk argument is being received, how many bytes to ask
    /// the socket for (so it arrives in few reads).
    pub fn big_arg_remaining(&self) -> Option<usize> {
        if self.kind != Kind::Multibulk || self.bulk_len < PROTO_MBULK_BIG_ARG as i64 {
            return None;
        }
        Some(self.bulk_len as usize + 2)
    }

    /// Number of arguments of the last complete request.
    pub fn argc(&self) -> usize {
        if self.is_inline {
            self.inline_args.len()
        } else {
            self.args.len()
        }
    }

    /// Forgets all state (after an error, or on RESET of the buffer).
    pub fn reset(&mut self) {
        self.kind = Kind::None;
        self.multibulk_len = 0;
        self.bulk_len = -1;
        self.args.clear();
        self.inline_args.clear();
        self.is_inline = false;
    }

    /// Gives back argument tables a huge request grew, once it is done
    /// (from the clients cron).
    pub fn shrink_idle(&mut self) {
        if !self.in_progress() {
            if self.args.capacity() > 1024 {
                self.args = Vec::new();
            }
            if self.inline_args.capacity() > 1024 {
                self.inline_args = Vec::new();
            }
        }
    }

    /// The query buffer lost its first `n` bytes: shift recorded ranges.
    pub fn shift(&mut self, n: usize) {
        self.start -= n;
        for a in &mut self.args {
            a.0 -= n;
        }
    }

    /// Parses one request starting at `*pos`, advancing `*pos` past what was
    /// consumed. On `Err`, the text is the protocol error to reply with.
    pub fn parse(&mut self, buf: &[u8], pos: &mut usize, lim: &ParseLimits) -> Result<Parsed, ProtoError> {
        if self.kind == Kind::None {
            self.args.clear();
            self.inline_args.clear();
            self.start = *pos;
            if buf.get(*pos) == Some(&b'*') {
                self.kind = Kind::Multibulk;
                self.multibulk_len = 0;
                self.bulk_len = -1;
                self.is_inline = false;
            } else {
                return self.parse_inline(buf, pos);
            }
        }
        self.parse_multibulk(buf, pos, lim)
    }

    fn parse_inline(&mut self, buf: &[u8], pos: &mut usize) -> Result<Parsed, ProtoError> {
        let rest = &buf[*pos..];
        let Some(nl) = find(rest, b'\n') else {
            if rest.len() > PROTO_INLINE_MAX_SIZE {
                return Err(ProtoError::Msg("Protocol error: too big inline request"));
            }
            return Ok(Parsed::Incomplete { reserve: 0 });
        };
        let mut line = &rest[..nl];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        self.is_inline = true;
        let Some(args) = split_args(line) else {
            return Err(ProtoError::Msg("Protocol error: unbalanced quotes in request"));
        };
        *pos += nl + 1;
        if args.is_empty() {
            return Ok(Parsed::Empty);
        }
        self.inline_args = args;
        Ok(Parsed::Request)
    }

    /// Reads a `<prefix>N\r\n` header line at `*pos`: returns the text of N
    /// and the position after the CRLF, or None if the line is incomplete.
    fn header(buf: &[u8], pos: usize) -> Option<(&[u8], usize)> {
        let rest = &buf[pos..];
        let cr = find(rest, b'\r')?;
        // The "\n" after "\r" must be in the buffer too.
        if cr + 1 >= rest.len() {
            return None;
        }
        Some((&rest[1..cr], pos + cr + 2))
    }

    fn parse_multibulk(&mut self, buf: &[u8], pos: &mut usize, lim: &ParseLimits) -> Result<Parsed, ProtoError> {
        if self.multibulk_len == 0 {
            let Some((num, next)) = Self::header(buf, *pos) else {
                if buf.len() - *pos > PROTO_INLINE_MAX_SIZE {
                    return Err(ProtoError::Msg("Protocol error: too big mbulk count string"));
                }
                return Ok(Parsed::Incomplete { reserve: 0 });
            };
            let n = match crate::util::num::parse_i64(num) {
                Some(n) if n <= i64::from(i32::MAX) => n,
                _ => return Err(ProtoError::Msg("Protocol error: invalid multibulk length")),
            };
            if n > 10 && lim.auth_required {
                return Err(ProtoError::Msg("Protocol error: unauthenticated multibulk length"));
            }
            *pos = next;
            if n <= 0 {
                self.kind = Kind::None;
                return Ok(Parsed::Empty);
            }
            self.multibulk_len = n;
            // Do not trust a huge count to size the vector up front.
            self.args.reserve(n.min(1024) as usize);
        }
        while self.multibulk_len > 0 {
            if self.bulk_len == -1 {
                let Some((num, next)) = Self::header(buf, *pos) else {
                    if buf.len() - *pos > PROTO_INLINE_MAX_SIZE {
                        return Err(ProtoError::Msg("Protocol error: too big bulk count string"));
                    }
                    return Ok(Parsed::Incomplete { reserve: 0 });
                };
                if buf[*pos] != b'$' {
                    return Err(ProtoError::ExpectedDollar(buf[*pos]));
                }
                let n = match crate::util::num::parse_i64(num) {
                    Some(n) if n >= 0 && (lim.is_master || n <= lim.proto_max_bulk_len) => n,
                    _ => return Err(ProtoError::Msg("Protocol error: invalid bulk length")),
                };
                if n > 16384 && lim.auth_required {
                    return Err(ProtoError::Msg("Protocol error: unauthenticated bulk length"));
                }
                *pos = next;
                self.bulk_len = n;
            }
            let need = self.bulk_len as usize + 2;
            if buf.len() - *pos < need {
                let reserve = if self.bulk_len as usize >= PROTO_MBULK_BIG_ARG {
                    need - (buf.len() - *pos)
                } else {
                    0
                };
                return Ok(Parsed::Incomplete { reserve });
            }
            self.args.push((*pos, self.bulk_len as usize));
            *pos += need;
            self.bulk_len = -1;
            self.multibulk_len -= 1;
        }
        self.kind = Kind::None;
        Ok(Parsed::Request)
    }
}

/// A malformed request. The reply is `-ERR <message>` and the connection
/// closes once it is flushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtoError {
    Msg(&'static str),
    /// "expected '$', got 'X'": Redis prints the offending byte raw.
    ExpectedDollar(u8),
}

impl ProtoError {
    /// The message, without the `-ERR ` prefix and CRLF. CR and LF are
    /// turned into spaces as in every Redis error reply.
    pub fn message(&self) -> Vec<u8> {
        match *self {
            ProtoError::Msg(m) => m.as_bytes().to_vec(),
            ProtoError::ExpectedDollar(c) => {
                let c = if c == b'\r' || c == b'\n' { b' ' } else { c };
                let mut v = b"Protocol error: expected '$', got '".to_vec();
                v.push(c);
                v.push(b'\'');
                v
            }
        }
    }
}

fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Splits a line into arguments like `sdssplitargs`: whitespace separated,
/// "double quotes" with \n \r \t \b \a \\ \" and \xHH escapes, 'single
/// quotes' with only \' escaped. A closing quote must be followed by space
/// or the end. Returns None on unbalanced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = line.len();
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return Some(out);
        }
        let mut cur = Vec::new();
        let mut inq = false; // inside "double quotes"
        let mut insq = false; // inside 'single quotes'
        loop {
            if inq {
                if i >= n {
                    return None;
                }
                let c = line[i];
                if c == b'\\' && i + 3 < n && line[i + 1] == b'x' && is_hex(line[i + 2]) && is_hex(line[i + 3]) {
                    cur.push(hex_val(line[i + 2]) * 16 + hex_val(line[i + 3]));
                    i += 3;
                } else if c == b'\\' && i + 1 < n {
                    i += 1;
                    cur.push(match line[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        other => other,
                    });
                } else if c == b'"' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else if insq {
                if i >= n {
                    return None;
                }
                let c = line[i];
                if c == b'\\' && i + 1 < n && line[i + 1] == b'\'' {
                    i += 1;
                    cur.push(b'\'');
                } else if c == b'\'' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else {
                if i >= n {
                    break;
                }
                match line[i] {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        i += 1;
                        break;
                    }
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    c => cur.push(c),
                }
            }
            i += 1;
        }
        out.push(cur);
    }
}

/// `isspace` in the C locale.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIM: ParseLimits = ParseLimits {
        proto_max_bulk_len: 512 * 1024 * 1024,
        auth_required: false,
        is_master: false,
    };

    /// Parses everything in `buf`, feeding it in pieces given by `cuts`.
    fn parse_all(input: &[u8], cuts: &[usize]) -> Result<Vec<Vec<Vec<u8>>>, ProtoError> {
        let mut p = RequestParser::new();
        let mut buf = Vec::new();
        let mut pos = 0;
        let mut out = Vec::new();
        let mut fed = 0;
        let mut pieces: Vec<usize> = cuts.to_vec();
        pieces.push(input.len());
        for cut in pieces {
            let cut = cut.min(input.len()).max(fed);
            buf.extend_from_slice(&input[fed..cut]);
            fed = cut;
            loop {
                match p.parse(&buf, &mut pos, &LIM)? {
                    Parsed::Request => {
                        if p.is_inline {
                            out.push(p.inline_args.clone());
                        } else {
                            out.push(p.args.iter().map(|&(s, l)| buf[s..s + l].to_vec()).collect());
                        }
                    }
                    Parsed::Empty => {}
                    Parsed::Incomplete { .. } => break,
                }
                if pos == buf.len() {
                    break;
                }
            }
            // Compact like the client does: keep the request in progress.
            let keep_from = if p.in_progress() { p.start } else { pos };
            buf.drain(..keep_from);
            pos -= keep_from;
            if p.in_progress() {
                p.shift(keep_from);
            }
        }
        Ok(out)
    }

    fn v(items: &[&str]) -> Vec<Vec<u8>> {
        items.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn multibulk_and_inline() {
        let r = parse_all(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\nset a  b\n", &[]).unwrap();
        assert_eq!(r, vec![v(&["GET", "k"]), v(&["PING"]), v(&["set", "a", "b"])]);
    }

    #[test]
    fn one_byte_at_a_time_equals_whole() {
        let input = b"*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$0\r\n\r\n*1\r\n$4\r\nPING\r\necho \"a b\\x41\"\r\n*0\r\n";
        let whole = parse_all(input, &[]).unwrap();
        let cuts: Vec<usize> = (1..input.len()).collect();
        assert_eq!(parse_all(input, &cuts).unwrap(), whole);
        assert_eq!(whole, vec![v(&["SET", "hello", ""]), v(&["PING"]), v(&["echo", "a bA"])]);
    }

    #[test]
    fn random_splits_equal_whole() {
        let mut input = Vec::new();
        for i in 0..200 {
            let val = "x".repeat(i % 37);
            input.extend_from_slice(format!("*3\r\n$3\r\nSET\r\n$4\r\nk{:03}\r\n${}\r\n{}\r\n", i, val.len(), val).as_bytes());
        }
        let whole = parse_all(&input, &[]).unwrap();
        assert_eq!(whole.len(), 200);
        let mut seed = 0x1234_5678_9abc_def0u64;
        for _ in 0..50 {
            let mut cuts = Vec::new();
            let mut at = 0;
            while at < input.len() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                at += 1 + (seed % 97) as usize;
                cuts.push(at);
            }
            assert_eq!(parse_all(&input, &cuts).unwrap(), whole);
        }
    }

    #[test]
    fn protocol_errors() {
        assert_eq!(
            parse_all(b"*3000000000\r\n", &[]),
            Err(ProtoError::Msg("Protocol error: invalid multibulk length"))
        );
        assert_eq!(
            parse_all(b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", &[]),
            Err(ProtoError::ExpectedDollar(b'f'))
        );
        assert_eq!(
            parse_all(b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n", &[]),
            Err(ProtoError::Msg("Protocol error: invalid bulk length"))
        );
        assert_eq!(
            parse_all(b"*1\r\n$blabla\r\n", &[]),
            Err(ProtoError::Msg("Protocol error: invalid bulk length"))
        );
        assert_eq!(
            parse_all(b"*1\r\n$2000000000\r\n", &[]),
            Err(ProtoError::Msg("Protocol error: invalid bulk length"))
        );
        assert_eq!(
            parse_all(b"set \"\"\"x\"\"\" y\r\n", &[]),
            Err(ProtoError::Msg("Protocol error: unbalanced quotes in request"))
        );
        let big = vec![b'a'; PROTO_INLINE_MAX_SIZE + 1];
        assert_eq!(parse_all(&big, &[]), Err(ProtoError::Msg("Protocol error: too big inline request")));
        assert_eq!(parse_all(b"*-10\r\n", &[]), Ok(vec![]));
        assert_eq!(parse_all(b"\r\n", &[]), Ok(vec![]));
    }

    #[test]
    fn split_args_quotes() {
        assert_eq!(split_args(b"a 'b c' \"d\\ne\"").unwrap(), v(&["a", "b c", "d\ne"]));
        assert_eq!(split_args(b"'it\\'s'").unwrap(), v(&["it's"]));
        assert!(split_args(b"\"abc").is_none());
        assert!(split_args(b"\"a\"b").is_none());
        assert_eq!(split_args(b"   ").unwrap(), Vec::<Vec<u8>>::new());
        assert_eq!(split_args(b"\"\"").unwrap(), v(&[""]));
    }
}
