//! RDB primitives (rdb.c, rio.c): the length encoding, string encodings
//! (integers, LZF, raw), doubles, and a writer/reader pair that keeps the
//! CRC-64 checksum as bytes go through.

use crc::{Crc, Digest, CRC_64_REDIS};
use std::io::{self, Read, Write};

pub static CRC64: Crc<u64> = Crc::<u64>::new(&CRC_64_REDIS);

pub const RDB_VERSION: u32 = 10;

/// Opcodes.
pub const OP_FUNCTION2: u8 = 245;
pub const OP_FUNCTION_PRE_GA: u8 = 246;
pub const OP_MODULE_AUX: u8 = 247;
pub const OP_IDLE: u8 = 248;
pub const OP_FREQ: u8 = 249;
pub const OP_AUX: u8 = 250;
pub const OP_RESIZEDB: u8 = 251;
pub const OP_EXPIRETIME_MS: u8 = 252;
pub const OP_EXPIRETIME: u8 = 253;
pub const OP_SELECTDB: u8 = 254;
pub const OP_EOF: u8 = 255;

/// Value types.
pub const TYPE_STRING: u8 = 0;
pub const TYPE_LIST: u8 = 1;
pub const TYPE_SET: u8 = 2;
pub const TYPE_ZSET: u8 = 3;
pub const TYPE_HASH: u8 = 4;
pub const TYPE_ZSET_2: u8 = 5;
pub const TYPE_MODULE: u8 = 6;
pub const TYPE_MODULE_2: u8 = 7;
pub const TYPE_HASH_ZIPMAP: u8 = 9;
pub const TYPE_LIST_ZIPLIST: u8 = 10;
pub const TYPE_SET_INTSET: u8 = 11;
pub const TYPE_ZSET_ZIPLIST: u8 = 12;
pub const TYPE_HASH_ZIPLIST: u8 = 13;
pub const TYPE_LIST_QUICKLIST: u8 = 14;
pub const TYPE_STREAM_LISTPACKS: u8 = 15;
pub const TYPE_HASH_LISTPACK: u8 = 16;
pub const TYPE_ZSET_LISTPACK: u8 = 17;
pub const TYPE_LIST_QUICKLIST_2: u8 = 18;
pub const TYPE_STREAM_LISTPACKS_2: u8 = 19;

/// Special string encodings (after a `11` length prefix).
const ENC_INT8: u8 = 0;
const ENC_INT16: u8 = 1;
const ENC_INT32: u8 = 2;
const ENC_LZF: u8 = 3;

/// Quicklist 2 node containers.
pub const QUICKLIST_NODE_PLAIN: u64 = 1;
pub const QUICKLIST_NODE_PACKED: u64 = 2;

/// Writes RDB bytes to any sink, keeping the running CRC.
pub struct RdbWriter<W: Write> {
    inner: W,
    digest: Option<Digest<'static, u64>>,
    pub written: u64,
    /// Try LZF on strings longer than 20 bytes (`rdbcompression`).
    pub compress: bool,
}

impl<W: Write> RdbWriter<W> {
    pub fn new(inner: W, checksum: bool, compress: bool) -> Self {
        RdbWriter {
            inner,
            digest: checksum.then(|| CRC64.digest()),
            written: 0,
            compress,
        }
    }

    pub fn raw(&mut self, b: &[u8]) -> io::Result<()> {
        if let Some(d) = self.digest.as_mut() {
            d.update(b);
        }
        self.written += b.len() as u64;
        self.inner.write_all(b)
    }

    pub fn u8(&mut self, v: u8) -> io::Result<()> {
        self.raw(&[v])
    }

    /// The RDB length encoding (`rdbSaveLen`).
    pub fn len(&mut self, n: u64) -> io::Result<()> {
        if n < 1 << 6 {
            self.u8(n as u8)
        } else if n < 1 << 14 {
            self.raw(&[0x40 | (n >> 8) as u8, n as u8])
        } else if n <= u64::from(u32::MAX) {
            self.u8(0x80)?;
            self.raw(&(n as u32).to_be_bytes())
        } else {
            self.u8(0x81)?;
            self.raw(&n.to_be_bytes())
        }
    }

    /// A string, integer-encoded or LZF-compressed when possible
    /// (`rdbSaveRawString`).
    pub fn string(&mut self, s: &[u8]) -> io::Result<()> {
        if s.len() <= 11 {
            if let Some(v) = crate::util::num::parse_i64(s) {
                if self.int_encoded(v)? {
                    return Ok(());
                }
            }
        }
        if self.compress && s.len() > 20 {
            if let Some(c) = crate::ds::lzf::compress(s, s.len() - 4) {
                self.u8(0xC0 | ENC_LZF)?;
                self.len(c.len() as u64)?;
                self.len(s.len() as u64)?;
                return self.raw(&c);
            }
        }
        self.len(s.len() as u64)?;
        self.raw(s)
    }

    /// Already-compressed data as an LZF string (`rdbSaveLzfBlob`), for
    /// compressed quicklist nodes.
    pub fn lzf_blob(&mut self, compressed: &[u8], original_len: usize) -> io::Result<()> {
        self.u8(0xC0 | ENC_LZF)?;
        self.len(compressed.len() as u64)?;
        self.len(original_len as u64)?;
        self.raw(compressed)
    }

    /// Writes `v` as an INT8/16/32 string if it fits (`rdbEncodeInteger`).
    fn int_encoded(&mut self, v: i64) -> io::Result<bool> {
        if let Ok(b) = i8::try_from(v) {
            self.raw(&[0xC0 | ENC_INT8, b as u8])?;
        } else if let Ok(h) = i16::try_from(v) {
            self.u8(0xC0 | ENC_INT16)?;
            self.raw(&h.to_le_bytes())?;
        } else if let Ok(w) = i32::try_from(v) {
            self.u8(0xC0 | ENC_INT32)?;
            self.raw(&w.to_le_bytes())?;
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// An integer value as a string (`rdbSaveLongLongAsStringObject`).
    pub fn int_string(&mut self, v: i64) -> io::Result<()> {
        if self.int_encoded(v)? {
            return Ok(());
        }
        let mut buf = [0u8; crate::util::num::LONG_STR_SIZE];
        let s = crate::util::num::fmt_i64(v, &mut buf).to_vec();
        self.len(s.len() as u64)?;
        self.raw(&s)
    }

    /// A binary double (`rdbSaveBinaryDoubleValue`).
    pub fn binary_double(&mut self, d: f64) -> io::Result<()> {
        self.raw(&d.to_le_bytes())
    }

    pub fn ms_time(&mut self, ms: i64) -> io::Result<()> {
        self.raw(&ms.to_le_bytes())
    }

    /// An AUX field pair.
    pub fn aux(&mut self, key: &[u8], val: &[u8]) -> io::Result<()> {
        self.u8(OP_AUX)?;
        self.string(key)?;
        self.string(val)
    }

    /// Writes the EOF opcode and the checksum trailer.
    pub fn finish(mut self) -> io::Result<W> {
        self.u8(OP_EOF)?;
        let sum = self.digest.take().map(|d| d.finalize()).unwrap_or(0);
        self.inner.write_all(&sum.to_le_bytes())?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    /// The checksum of what was written so far (DUMP payloads).
    pub fn into_parts(self) -> (W, u64) {
        let sum = self.digest.map(|d| d.finalize()).unwrap_or(0);
        (self.inner, sum)
    }
}

/// Why a load failed.
#[derive(Debug)]
pub enum LoadError {
    Io(io::Error),
    /// Structurally wrong data; the message says what.
    Corrupt(String),
}

/// What a read past the end of the data is reported as.
pub const SHORT_READ: &str = "Short read or OOM loading DB. Unrecoverable error, aborting now.";

/// Whether a `Corrupt` message is a read past the end of the data rather
/// than a failed check (Redis logs those differently).
pub fn is_short_read(msg: &str) -> bool {
    msg == SHORT_READ
}

/// The line `rdbReportError` is called from in Redis 7.0.15's rdb.c for
/// each loader message, so logged reports read the same.
fn report_line(msg: &str) -> u32 {
    const LINES: &[(&str, u32)] = &[
        ("Unknown length encoding", 236),
        ("Unknown RDB integer encoding type", 308),
        ("Invalid LZF compressed string", 413),
        ("Unknown RDB string encoding type", 529),
        ("OOM in dictTryExpand", 1785),
        ("Duplicate set members detected", 1829),
        ("Zset with NAN score detected", 1882),
        ("Duplicate zset fields detected", 1894),
        ("Hash with dup elements", 1951),
        ("Duplicate hash fields detected", 2019),
        ("Quicklist integrity check failed.", 2048),
        ("Listpack integrity check failed.", 2071),
        ("Ziplist integrity check failed.", 2081),
        ("Zipmap integrity check failed.", 2130),
        ("Hash zipmap with dup elements", 2154),
        ("List ziplist integrity check failed.", 2189),
        ("Intset integrity check failed.", 2214),
        ("Zset ziplist integrity check failed.", 2229),
        ("Zset listpack integrity check failed.", 2255),
        ("Hash ziplist integrity check failed.", 2275),
        ("Hash listpack integrity check failed.", 2301),
        ("Unknown RDB encoding type", 2681),
        ("RDB CRC error", 3225),
        ("Unexpected EOF reading RDB file", 3249),
    ];
    LINES.iter().find(|(p, _)| msg.starts_with(p)).map(|&(_, l)| l).unwrap_or(0)
}

/// A loader message as `rdbReportError` formats it, outside of a file
/// load (where the offset Redis prints is always 0).
pub fn report(msg: &str) -> String {
    report_at(0, msg)
}

/// Like `report`, with the load's offset (`server.loading_loaded_bytes`).
pub fn report_at(offset: u64, msg: &str) -> String {
    format!(
        "Internal error in RDB reading offset {offset}, function at rdb.c:{} -> {msg}",
        report_line(msg)
    )
}

/// How a failed load of a whole RDB stream is logged when a client asked
/// for it (DEBUG RELOAD): the loader's report at verbose, then, as every
/// failure ends at `rdbLoadRio`'s `eoferr`, the short read warning and
/// its own verbose report.
pub fn log_client_load_failure(msg: &str) {
    if !is_short_read(msg) {
        log::debug!("{}", report(msg));
    }
    log::warn!("{SHORT_READ}");
    log::debug!("{}", report("Unexpected EOF reading RDB file"));
}

impl From<io::Error> for LoadError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            LoadError::Corrupt(SHORT_READ.into())
        } else {
            LoadError::Io(e)
        }
    }
}

pub type LoadResult<T> = Result<T, LoadError>;

pub fn corrupt<T>(msg: impl Into<String>) -> LoadResult<T> {
    Err(LoadError::Corrupt(msg.into()))
}

/// Reads RDB bytes, keeping the running CRC.
pub struct RdbReader<R: Read> {
    inner: R,
    digest: Digest<'static, u64>,
    pub read: u64,
}

/// A length or a special string encoding.
pub enum Len {
    Len(u64),
    Encoded(u8),
}

impl<R: Read> RdbReader<R> {
    pub fn new(inner: R) -> Self {
        RdbReader {
            inner,
            digest: CRC64.digest(),
            read: 0,
        }
    }

    /// A reader resuming where an earlier one stopped: same checksum
    /// state and byte count (a load fed in pieces).
    pub fn resume(inner: R, digest: Digest<'static, u64>, read: u64) -> Self {
        RdbReader { inner, digest, read }
    }

    /// The checksum state and byte count, to resume later.
    pub fn position(&self) -> (Digest<'static, u64>, u64) {
        (self.digest.clone(), self.read)
    }

    pub fn exact(&mut self, buf: &mut [u8]) -> LoadResult<()> {
        self.inner.read_exact(buf)?;
        self.digest.update(buf);
        self.read += buf.len() as u64;
        Ok(())
    }

    pub fn u8(&mut self) -> LoadResult<u8> {
        let mut b = [0u8; 1];
        self.exact(&mut b)?;
        Ok(b[0])
    }

    /// Reads `n` bytes, refusing sizes that cannot be real (corrupt input
    /// must not make us allocate gigabytes up front).
    pub fn bytes(&mut self, n: u64) -> LoadResult<Vec<u8>> {
        let n = usize::try_from(n).or_else(|_| corrupt("length too large"))?;
        let mut v = Vec::new();
        // Grow in steps so a bogus length fails at EOF before a huge alloc.
        const STEP: usize = 1 << 20;
        while v.len() < n {
            let take = (n - v.len()).min(STEP);
            let start = v.len();
            v.resize(start + take, 0);
            self.exact(&mut v[start..])?;
        }
        Ok(v)
    }

    /// `rdbLoadLenByRef`.
    pub fn len_or_enc(&mut self) -> LoadResult<Len> {
        let b = self.u8()?;
        Ok(match b >> 6 {
            0 => Len::Len(u64::from(b & 0x3f)),
            1 => Len::Len((u64::from(b & 0x3f) << 8) | u64::from(self.u8()?)),
            2 => match b {
                0x80 => {
                    let mut x = [0u8; 4];
                    self.exact(&mut x)?;
                    Len::Len(u64::from(u32::from_be_bytes(x)))
                }
                0x81 => {
                    let mut x = [0u8; 8];
                    self.exact(&mut x)?;
                    Len::Len(u64::from_be_bytes(x))
                }
                _ => return corrupt(format!("Unknown length encoding {b} in rdbLoadLen()")),
            },
            _ => Len::Encoded(b & 0x3f),
        })
    }

    /// Reads a length field (`rdbLoadLen`); not the size of the reader.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&mut self) -> LoadResult<u64> {
        match self.len_or_enc()? {
            Len::Len(n) => Ok(n),
            Len::Encoded(_) => corrupt("unexpected encoded length"),
        }
    }

    /// A string in any encoding (`rdbGenericLoadStringObject`).
    pub fn string(&mut self) -> LoadResult<Vec<u8>> {
        match self.len_or_enc()? {
            Len::Len(n) => self.bytes(n),
            Len::Encoded(ENC_INT8) => Ok(i64::from(self.u8()? as i8).to_string().into_bytes()),
            Len::Encoded(ENC_INT16) => {
                let mut x = [0u8; 2];
                self.exact(&mut x)?;
                Ok(i64::from(i16::from_le_bytes(x)).to_string().into_bytes())
            }
            Len::Encoded(ENC_INT32) => {
                let mut x = [0u8; 4];
                self.exact(&mut x)?;
                Ok(i64::from(i32::from_le_bytes(x)).to_string().into_bytes())
            }
            Len::Encoded(ENC_LZF) => {
                let clen = self.len()?;
                let len = self.len()?;
                let c = self.bytes(clen)?;
                if len == 0 {
                    return corrupt("Invalid LZF compressed string");
                }
                let len = usize::try_from(len).or_else(|_| corrupt("Invalid LZF compressed string"))?;
                crate::ds::lzf::decompress(&c, len)
                    .ok_or(())
                    .or_else(|_| corrupt("Invalid LZF compressed string"))
            }
            Len::Encoded(e) => corrupt(format!("Unknown RDB string encoding type {e}")),
        }
    }

    /// An old-style string-encoded double (`rdbLoadDoubleValue`).
    pub fn string_double(&mut self) -> LoadResult<f64> {
        let n = self.u8()?;
        match n {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            _ => {
                let b = self.bytes(u64::from(n))?;
                std::str::from_utf8(&b)
                    .ok()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .ok_or(())
                    .or_else(|_| corrupt("bad double value"))
            }
        }
    }

    pub fn binary_double(&mut self) -> LoadResult<f64> {
        let mut x = [0u8; 8];
        self.exact(&mut x)?;
        Ok(f64::from_le_bytes(x))
    }

    pub fn ms_time(&mut self) -> LoadResult<i64> {
        let mut x = [0u8; 8];
        self.exact(&mut x)?;
        Ok(i64::from_le_bytes(x))
    }

    pub fn s_time(&mut self) -> LoadResult<i64> {
        let mut x = [0u8; 4];
        self.exact(&mut x)?;
        Ok(i64::from(i32::from_le_bytes(x)))
    }

    /// The checksum of everything read so far.
    pub fn checksum(&self) -> u64 {
        self.digest.clone().finalize()
    }

    /// Reads the 8-byte trailer without feeding it to the checksum.
    pub fn trailer(&mut self) -> LoadResult<u64> {
        let mut x = [0u8; 8];
        self.inner.read_exact(&mut x)?;
        self.read += 8;
        Ok(u64::from_le_bytes(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip_string(s: &[u8], compress: bool) -> Vec<u8> {
        let mut w = RdbWriter::new(Vec::new(), true, compress);
        w.string(s).unwrap();
        let (buf, _) = w.into_parts();
        let mut r = RdbReader::new(&buf[..]);
        r.string().unwrap()
    }

    #[test]
    fn strings_roundtrip() {
        for s in [
            &b""[..],
            b"0",
            b"-1",
            b"127",
            b"-32768",
            b"2147483647",
            b"2147483648",
            b"007",
            b"hello",
        ] {
            assert_eq!(roundtrip_string(s, true), s);
        }
        let long = b"abcabcabcabcabcabcabcabcabcabcabcabcabcabc".repeat(10);
        assert_eq!(roundtrip_string(&long, true), long);
    }

    #[test]
    fn lengths() {
        for n in [0u64, 63, 64, 16383, 16384, u32::MAX as u64, u32::MAX as u64 + 1] {
            let mut w = RdbWriter::new(Vec::new(), false, false);
            w.len(n).unwrap();
            let (buf, _) = w.into_parts();
            assert_eq!(RdbReader::new(&buf[..]).len().unwrap(), n);
        }
    }

    #[test]
    fn crc_matches_redis_check_value() {
        // The published check value of CRC-64/REDIS for "123456789".
        assert_eq!(CRC64.checksum(b"123456789"), 0xe9c6d914c4b8d9ca);
    }
}
