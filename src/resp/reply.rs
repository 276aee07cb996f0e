//! The reply builder: the only code that knows RESP2 from RESP3
//! (`addReply*` in networking.c).
//!
//! A `ReplyBuf` is a client's pending output. Every reply is appended as
//! bytes; the event loop writes the buffer once per iteration. Replies
//! whose length is only known at the end use a deferred header, inserted
//! in place by `set_deferred_*`.

use crate::util::num::{push_f64_g17, push_i64};

#[derive(Debug, Default)]
pub struct ReplyBuf {
    pub buf: Vec<u8>,
    /// Bytes of `buf` already written to the socket.
    pub sent: usize,
    /// Protocol version: 2 or 3.
    pub resp: u8,
}

/// A placeholder for a length written later.
#[derive(Clone, Copy, Debug)]
pub struct Deferred(usize);

impl ReplyBuf {
    pub fn new() -> Self {
        ReplyBuf {
            buf: Vec::new(),
            sent: 0,
            resp: 2,
        }
    }

    /// An empty buffer with room for `bytes` (a client's static buffer).
    pub fn with_capacity(bytes: usize) -> Self {
        ReplyBuf {
            buf: Vec::with_capacity(bytes),
            sent: 0,
            resp: 2,
        }
    }

    /// Bytes waiting to be written.
    #[inline]
    pub fn pending(&self) -> usize {
        self.buf.len() - self.sent
    }

    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    #[inline]
    fn prefixed_len(&mut self, prefix: u8, n: i64) {
        self.buf.push(prefix);
        push_i64(&mut self.buf, n);
        self.buf.extend_from_slice(b"\r\n");
    }

    #[inline]
    pub fn ok(&mut self) {
        self.raw(b"+OK\r\n");
    }

    /// `+<s>`: `s` must not contain CR or LF.
    #[inline]
    pub fn status(&mut self, s: &[u8]) {
        self.buf.push(b'+');
        self.buf.extend_from_slice(s);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// `-<msg>` where msg starts with the error code. CR/LF inside the
    /// message become spaces, so user input can never break the protocol.
    pub fn error(&mut self, msg: &[u8]) {
        self.buf.push(b'-');
        self.buf
            .extend(msg.iter().map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c }));
        self.buf.extend_from_slice(b"\r\n");
    }

    #[inline]
    pub fn int(&mut self, v: i64) {
        match v {
            0 => self.raw(b":0\r\n"),
            1 => self.raw(b":1\r\n"),
            _ => self.prefixed_len(b':', v),
        }
    }

    #[inline]
    pub fn bulk(&mut self, b: &[u8]) {
        self.prefixed_len(b'$', b.len() as i64);
        self.buf.extend_from_slice(b);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// A bulk string holding the decimal form of `v`.
    pub fn bulk_i64(&mut self, v: i64) {
        let mut tmp = [0u8; crate::util::num::LONG_STR_SIZE];
        let s = crate::util::num::fmt_i64(v, &mut tmp);
        self.prefixed_len(b'$', s.len() as i64);
        self.buf.extend_from_slice(s);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// The null bulk string (`$-1` / `_`).
    #[inline]
    pub fn null(&mut self) {
        if self.resp == 2 {
            self.raw(b"$-1\r\n");
        } else {
            self.raw(b"_\r\n");
        }
    }

    /// The null array (`*-1` / `_`).
    pub fn null_array(&mut self) {
        if self.resp == 2 {
            self.raw(b"*-1\r\n");
        } else {
            self.raw(b"_\r\n");
        }
    }

    #[inline]
    pub fn array_len(&mut self, n: usize) {
        self.prefixed_len(b'*', n as i64);
    }

    /// A map of `n` pairs (`%n` / `*2n`).
    pub fn map_len(&mut self, n: usize) {
        if self.resp == 2 {
            self.prefixed_len(b'*', 2 * n as i64);
        } else {
            self.prefixed_len(b'%', n as i64);
        }
    }

    /// A set (`~n` / `*n`).
    pub fn set_len(&mut self, n: usize) {
        if self.resp == 2 {
            self.prefixed_len(b'*', n as i64);
        } else {
            self.prefixed_len(b'~', n as i64);
        }
    }

    /// An attribute map (`|n`); RESP2 clients never see attributes, so the
    /// caller must skip the attribute's content too (see `attribute_allowed`).
    pub fn attribute_len(&mut self, n: usize) {
        debug_assert!(self.resp == 3);
        self.prefixed_len(b'|', n as i64);
    }

    /// A push message (`>n` / `*n`).
    pub fn push_len(&mut self, n: usize) {
        if self.resp == 2 {
            self.prefixed_len(b'*', n as i64);
        } else {
            self.prefixed_len(b'>', n as i64);
        }
    }

    /// A double: bulk string "%.17g" in RESP2, `,` in RESP3.
    pub fn double(&mut self, d: f64) {
        if self.resp == 2 {
            let mut tmp = Vec::with_capacity(32);
            push_f64_g17(&mut tmp, d);
            self.bulk(&tmp);
        } else {
            self.buf.push(b',');
            push_f64_g17(&mut self.buf, d);
            self.buf.extend_from_slice(b"\r\n");
        }
    }

    /// A long double already formatted in human mode (INCRBYFLOAT style):
    /// a bulk string in RESP2, a double in RESP3.
    pub fn human_double(&mut self, text: &[u8]) {
        if self.resp == 2 {
            self.bulk(text);
        } else {
            self.buf.push(b',');
            self.buf.extend_from_slice(text);
            self.buf.extend_from_slice(b"\r\n");
        }
    }

    pub fn bool(&mut self, b: bool) {
        match (self.resp, b) {
            (2, true) => self.raw(b":1\r\n"),
            (2, false) => self.raw(b":0\r\n"),
            (_, true) => self.raw(b"#t\r\n"),
            (_, false) => self.raw(b"#f\r\n"),
        }
    }

    /// A big number: bulk string in RESP2, `(` in RESP3.
    pub fn big_number(&mut self, digits: &[u8]) {
        if self.resp == 2 {
            self.bulk(digits);
        } else {
            self.buf.push(b'(');
            self.buf.extend_from_slice(digits);
            self.buf.extend_from_slice(b"\r\n");
        }
    }

    /// Verbatim text with a 3-letter format (`txt`, `mkd`): bulk in RESP2.
    pub fn verbatim(&mut self, s: &[u8], ext: &[u8; 3]) {
        if self.resp == 2 {
            self.bulk(s);
        } else {
            self.prefixed_len(b'=', s.len() as i64 + 4);
            self.buf.extend_from_slice(ext);
            self.buf.push(b':');
            self.buf.extend_from_slice(s);
            self.buf.extend_from_slice(b"\r\n");
        }
    }

    /// Starts a reply whose length is not known yet.
    pub fn deferred(&mut self) -> Deferred {
        Deferred(self.buf.len())
    }

    fn set_deferred(&mut self, d: Deferred, prefix: u8, n: i64) {
        let mut hdr = Vec::with_capacity(24);
        hdr.push(prefix);
        push_i64(&mut hdr, n);
        hdr.extend_from_slice(b"\r\n");
        self.buf.splice(d.0..d.0, hdr);
    }

    pub fn set_deferred_array(&mut self, d: Deferred, n: usize) {
        self.set_deferred(d, b'*', n as i64);
    }

    pub fn set_deferred_map(&mut self, d: Deferred, n: usize) {
        if self.resp == 2 {
            self.set_deferred(d, b'*', 2 * n as i64);
        } else {
            self.set_deferred(d, b'%', n as i64);
        }
    }

    pub fn set_deferred_set(&mut self, d: Deferred, n: usize) {
        let p = if self.resp == 2 { b'*' } else { b'~' };
        self.set_deferred(d, p, n as i64);
    }

    /// The reply of a `HELP` subcommand: a heading, the lines, and the
    /// closing HELP entry, all as status replies.
    pub fn help(&mut self, cmd_name: &[u8], lines: &[&str]) {
        self.array_len(lines.len() + 3);
        let mut head = cmd_name.to_ascii_uppercase();
        head.extend_from_slice(b" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        self.status(&head);
        for l in lines {
            self.status(l.as_bytes());
        }
        self.status(b"HELP");
        self.status(b"    Prints this help.");
    }

    /// Drops everything already written; a drained buffer that grew past
    /// `keep` bytes (the client's static buffer size) shrinks back to it,
    /// as Redis frees its reply list once written: memory held for replies
    /// already sent counts towards maxmemory, and would make an eviction
    /// evict more (unit/maxmemory's tracking feedback-loop test).
    pub fn compact_after_write(&mut self, keep: usize) {
        if self.sent == self.buf.len() {
            self.buf.clear();
            self.sent = 0;
            if self.buf.capacity() > keep {
                self.buf.shrink_to(keep);
            }
        } else if self.sent >= 1 << 20 && self.sent * 2 >= self.buf.len() {
            // A buffer that never drains completely (a replica under a
            // steady stream) must not keep what was already sent.
            self.buf.drain(..self.sent);
            self.sent = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp2_and_resp3_forms() {
        let mut r = ReplyBuf::new();
        r.null();
        r.map_len(2);
        r.double(1.5);
        r.bool(true);
        assert_eq!(r.buf, b"$-1\r\n*4\r\n$3\r\n1.5\r\n:1\r\n");
        let mut r = ReplyBuf::new();
        r.resp = 3;
        r.null();
        r.map_len(2);
        r.double(1.5);
        r.bool(true);
        r.double(f64::NEG_INFINITY);
        assert_eq!(r.buf, b"_\r\n%2\r\n,1.5\r\n#t\r\n,-inf\r\n");
    }

    #[test]
    fn deferred_lengths() {
        let mut r = ReplyBuf::new();
        r.ok();
        let d = r.deferred();
        for i in 0..12 {
            r.int(i);
        }
        r.set_deferred_array(d, 12);
        assert!(r.buf.starts_with(b"+OK\r\n*12\r\n:0\r\n:1\r\n:2\r\n"));
    }

    #[test]
    fn errors_never_break_protocol() {
        let mut r = ReplyBuf::new();
        r.error(b"ERR bad\r\nthing");
        assert_eq!(r.buf, b"-ERR bad  thing\r\n");
    }

    #[test]
    fn verbatim() {
        let mut r = ReplyBuf::new();
        r.resp = 3;
        r.verbatim(b"hi", b"txt");
        assert_eq!(r.buf, b"=6\r\ntxt:hi\r\n");
    }
}
