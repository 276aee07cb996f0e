//! The RDB checker Redis runs when a file it is loading turns out corrupt
//! (redis-check-rdb.c, reached from `rdbReportError`): the file is read
//! again from the start, and what was read is reported on standard output
//! (not the log), ending with where and while doing what the error showed
//! up. Values are loaded with deep sanitization, as the checker does.

use super::codec::*;
use super::read_value;
use crate::server::Server;
use std::io::{self, Read, Write};

/// What the checker was doing (`rdb_check_doing_string`).
#[derive(Clone, Copy)]
enum Doing {
    Start,
    ReadType,
    ReadExpire,
    ReadKey,
    ReadObjectValue,
    CheckSum,
    ReadLen,
    ReadAux,
}

impl Doing {
    fn name(self) -> &'static str {
        match self {
            Doing::Start => "start",
            Doing::ReadType => "read-type",
            Doing::ReadExpire => "read-expire",
            Doing::ReadKey => "read-key",
            Doing::ReadObjectValue => "read-object-value",
            Doing::CheckSum => "check-sum",
            Doing::ReadLen => "read-len",
            Doing::ReadAux => "read-aux",
        }
    }
}

/// The names of the RDB value types (`rdb_type_string`).
fn type_name(t: u8) -> &'static str {
    const NAMES: [&str; 19] = [
        "string",
        "list-linked",
        "set-hashtable",
        "zset-v1",
        "hash-hashtable",
        "zset-v2",
        "module-value",
        "",
        "",
        "hash-zipmap",
        "list-ziplist",
        "set-intset",
        "zset-ziplist",
        "hash-ziplist",
        "quicklist",
        "stream",
        "hash-listpack",
        "zset-listpack",
        "quicklist-v2",
    ];
    NAMES.get(usize::from(t)).copied().unwrap_or("unknown")
}

/// Whether `t` is a value type byte (`rdbIsObjectType`).
fn is_object_type(t: u8) -> bool {
    t <= 7 || (9..=19).contains(&t)
}

/// The checker's state (`rdbstate`).
struct State<W: Write> {
    out: W,
    offset: u64,
    key: Option<Vec<u8>>,
    key_type: Option<u8>,
    keys: u64,
    expires: u64,
    already_expired: u64,
    doing: Doing,
}

impl<W: Write> State<W> {
    fn info(&mut self, msg: &str) {
        let _ = writeln!(self.out, "[offset {}] {}", self.offset, msg);
    }

    fn generic_info(&mut self) {
        let _ = writeln!(self.out, "[info] {} keys read", self.keys);
        let _ = writeln!(self.out, "[info] {} expires", self.expires);
        let _ = writeln!(self.out, "[info] {} already expired", self.already_expired);
    }

    /// `rdbCheckError`: the error block, then the counts.
    fn error(&mut self, msg: &str) {
        let _ = writeln!(self.out, "--- RDB ERROR DETECTED ---");
        let _ = writeln!(self.out, "[offset {}] {}", self.offset, msg);
        let _ = writeln!(self.out, "[additional info] While doing: {}", self.doing.name());
        if let Some(k) = &self.key {
            let _ = writeln!(self.out, "[additional info] Reading key '{}'", String::from_utf8_lossy(c_str(k)));
        }
        if let Some(t) = self.key_type {
            let _ = writeln!(self.out, "[additional info] Reading type {} ({})", t, type_name(t));
        }
        self.generic_info();
    }
}

/// The bytes of `s` up to its first NUL, as a `%s` format prints them.
fn c_str(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}

/// How a failed read is reported: corruption with the loader's message
/// (formatted by `rdbReportError`), anything else as an unexpected end.
fn failure_text(e: &LoadError) -> String {
    match e {
        LoadError::Corrupt(m) if !is_short_read(m) => report(m),
        _ => "Unexpected EOF reading RDB file".to_string(),
    }
}

/// Checks the RDB file at `path`, writing the report to `out`
/// (`redis_check_rdb_main` then `redis_check_rdb`). True if it looks sane.
pub fn check_file<W: Write>(srv: &mut Server, path: &str, out: W) -> bool {
    let mut st = State {
        out,
        offset: 0,
        key: None,
        key_type: None,
        keys: 0,
        expires: 0,
        already_expired: 0,
        doing: Doing::Start,
    };
    st.info(&format!("Checking RDB file {path}"));
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(_) => return false,
    };
    // The checker always validates deeply (`SANITIZE_DUMP_YES`).
    let saved = srv.cfg.sanitize_dump_payload;
    srv.cfg.sanitize_dump_payload = 1;
    let mut r = RdbReader::new(io::BufReader::with_capacity(64 * 1024, f));
    let ok = check(srv, &mut r, &mut st);
    srv.cfg.sanitize_dump_payload = saved;
    if ok {
        st.info("\\o/ RDB looks OK! \\o/");
        st.generic_info();
    }
    let _ = st.out.flush();
    ok
}

fn check<R: Read, W: Write>(srv: &mut Server, r: &mut RdbReader<R>, st: &mut State<W>) -> bool {
    macro_rules! read {
        ($e:expr) => {{
            let v = $e;
            st.offset = r.read;
            match v {
                Ok(v) => v,
                Err(e) => {
                    st.error(&failure_text(&e));
                    return false;
                }
            }
        }};
    }
    let mut magic = [0u8; 9];
    read!(r.exact(&mut magic));
    if &magic[..5] != b"REDIS" {
        st.error("Wrong signature trying to load DB from file");
        return false;
    }
    let ver: u32 = std::str::from_utf8(&magic[5..])
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    if !(1..=RDB_VERSION).contains(&ver) {
        st.error(&format!("Can't handle RDB format version {ver}"));
        return false;
    }
    let now = crate::util::mstime();
    let mut expire: i64 = -1;
    loop {
        st.doing = Doing::ReadType;
        let t = read!(r.u8());
        match t {
            OP_EXPIRETIME => {
                st.doing = Doing::ReadExpire;
                expire = read!(r.s_time()) * 1000;
                continue;
            }
            OP_EXPIRETIME_MS => {
                st.doing = Doing::ReadExpire;
                expire = read!(r.ms_time());
                continue;
            }
            OP_FREQ => {
                read!(r.u8());
                continue;
            }
            OP_IDLE => {
                read!(r.len());
                continue;
            }
            OP_EOF => break,
            OP_SELECTDB => {
                st.doing = Doing::ReadLen;
                let id = read!(r.len());
                st.info(&format!("Selecting DB ID {id}"));
                continue;
            }
            OP_RESIZEDB => {
                st.doing = Doing::ReadLen;
                read!(r.len());
                read!(r.len());
                continue;
            }
            OP_AUX => {
                st.doing = Doing::ReadAux;
                let k = read!(r.string());
                let v = read!(r.string());
                st.info(&format!(
                    "AUX FIELD {} = '{}'",
                    String::from_utf8_lossy(c_str(&k)),
                    String::from_utf8_lossy(c_str(&v))
                ));
                continue;
            }
            OP_MODULE_AUX => {
                st.error("The RDB file contains AUX module data I can't load: no matching module");
                return false;
            }
            OP_FUNCTION2 | OP_FUNCTION_PRE_GA => {
                read!(r.string());
                continue;
            }
            _ => {
                if !is_object_type(t) {
                    st.error(&format!("Invalid object type: {t}"));
                    return false;
                }
                st.key_type = Some(t);
            }
        }
        st.doing = Doing::ReadKey;
        let key = read!(r.string());
        st.key = Some(key);
        st.keys += 1;
        st.doing = Doing::ReadObjectValue;
        read!(read_value(srv, r, t));
        if expire != -1 {
            if expire < now {
                st.already_expired += 1;
            }
            st.expires += 1;
        }
        st.key = None;
        st.key_type = None;
        expire = -1;
    }
    if ver >= 5 && srv.cfg.rdbchecksum {
        let expected = r.checksum();
        st.doing = Doing::CheckSum;
        let found = read!(r.trailer());
        if found == 0 {
            st.info("RDB file was saved with checksum disabled: no check performed.");
        } else if found != expected {
            st.error("RDB CRC error");
            return false;
        } else {
            st.info("Checksum OK");
        }
    }
    true
}
