//! MIGRATE (cluster.c's `migrateCommand` and its socket cache): move keys
//! to another instance by sending it RESTORE commands over a connection
//! kept open for reuse.
//!
//! Like Redis, MIGRATE is synchronous: the event loop waits on the target
//! with blocking I/O bounded by the command's timeout (syncio.c), which is
//! what makes the move atomic from both instances' point of view.
//! Connections are cached per `host:port` (at most 64) with the database
//! last selected on them, and the cron closes those idle for more than 10
//! seconds (`migrateCloseTimedoutSockets`).

use super::dump::dump_payload;
use crate::db::change::ev;
use crate::error::Error;
use crate::net::tls::Tls;
use crate::net::{Conn, Ready};
use crate::server::{CmdResult, Ctx, Server};
use crate::util::num::parse_i64;
use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// Most connections kept (`MIGRATE_SOCKET_CACHE_ITEMS`).
const CACHE_ITEMS: usize = 64;
/// Seconds a connection may stay unused (`MIGRATE_SOCKET_CACHE_TTL`).
const CACHE_TTL: i64 = 10;
/// The command is sent in chunks of this size, each with the full timeout.
const WRITE_CHUNK: usize = 64 * 1024;
/// Reply lines are read into 1024-byte buffers: 1023 bytes at most.
const LINE_MAX: usize = 1023;
/// Bytes asked for per read of the target's replies.
const READ_CHUNK: usize = 4096;

// ---------------------------------------------------------------------------
// Synchronous I/O with timeouts (syncio.c, on `Conn`'s helpers)
// ---------------------------------------------------------------------------

/// Why a synchronous read or write failed: MIGRATE retries once unless the
/// failure was a timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IoFail {
    TimedOut,
    Other,
}

impl IoFail {
    fn from_io(e: &std::io::Error) -> IoFail {
        if e.kind() == ErrorKind::TimedOut {
            IoFail::TimedOut
        } else {
            IoFail::Other
        }
    }
}

/// A timeout in milliseconds as the connection helpers take it.
fn millis(ms: i64) -> Duration {
    Duration::from_millis(ms.max(0) as u64)
}

/// One cached connection to a target.
struct CachedSocket {
    conn: Conn,
    /// Bytes received but not consumed yet (the next reply lines).
    pending: Vec<u8>,
    /// The database last selected on it, -1 if unknown.
    last_dbid: i64,
    last_use_time: i64,
}

impl CachedSocket {
    /// Writes all of `buf` within `timeout` ms (`syncWrite`).
    fn sync_write(&mut self, buf: &[u8], timeout: i64) -> Result<(), IoFail> {
        self.conn.sync_write(buf, millis(timeout)).map_err(|e| IoFail::from_io(&e))
    }

    /// Receives more bytes into `pending`, waiting at most `timeout` ms for
    /// them (`syncRead`); a closed connection is a failure.
    fn fill(&mut self, timeout: i64) -> Result<(), IoFail> {
        match self.conn.sync_read(&mut self.pending, READ_CHUNK, Some(millis(timeout))) {
            Ok(0) => Err(IoFail::Other),
            Ok(_) => Ok(()),
            Err(e) => Err(IoFail::from_io(&e)),
        }
    }

    /// Reads one reply line (`syncReadLine` into a 1024-byte buffer): up to
    /// the newline, a trailing CR removed, at most 1023 bytes. Like Redis,
    /// a line with no byte at all before its newline counts as a failure.
    fn read_line(&mut self, timeout: i64) -> Result<Vec<u8>, IoFail> {
        let mut line = Vec::new();
        loop {
            if self.pending.is_empty() {
                self.fill(timeout)?;
            }
            let mut used = 0;
            let mut done = false;
            for &c in &self.pending {
                used += 1;
                if c == b'\n' {
                    done = true;
                    break;
                }
                line.push(c);
                if line.len() == LINE_MAX {
                    done = true;
                    break;
                }
            }
            self.pending.drain(..used);
            if done {
                break;
            }
        }
        let newline_seen = line.len() < LINE_MAX;
        if line.is_empty() {
            return Err(IoFail::Other);
        }
        if newline_seen && line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(line)
    }
}

// ---------------------------------------------------------------------------
// The connection cache
// ---------------------------------------------------------------------------

/// Connections kept open for MIGRATE, by `host:port` as given.
#[derive(Default)]
pub struct SocketCache {
    map: HashMap<Vec<u8>, CachedSocket>,
}

impl SocketCache {
    /// How many connections are cached (INFO `migrate_cached_sockets`).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Closes the connections unused for more than `CACHE_TTL` seconds.
    fn close_idle(&mut self, now: i64) {
        self.map.retain(|_, cs| now - cs.last_use_time <= CACHE_TTL);
    }
}

/// C's `atoi` (through `strtol`): leading blanks, a sign, digits; the long
/// saturates and is then truncated to an int.
fn c_atoi(s: &[u8]) -> i32 {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let neg = i < s.len() && s[i] == b'-';
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        i += 1;
    }
    let mut n: i64 = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        let d = i64::from(s[i] - b'0');
        n = if neg {
            n.saturating_mul(10).saturating_sub(d)
        } else {
            n.saturating_mul(10).saturating_add(d)
        };
        i += 1;
    }
    n as i32
}

/// The bytes of `s` up to its first NUL, as C string functions see them.
fn c_str(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}

/// The addresses getaddrinfo gives for a host and a port argument, as
/// Redis resolves them: the port goes through `atoi` and `"%d"`, so a
/// negative one is not a service, and a large one wraps to 16 bits.
fn resolve(host: &[u8], port: &[u8]) -> Vec<SocketAddr> {
    let port = c_atoi(port);
    if port < 0 {
        return Vec::new();
    }
    let Ok(host) = std::str::from_utf8(c_str(host)) else {
        return Vec::new();
    };
    (host, (port as u32 & 0xffff) as u16)
        .to_socket_addrs()
        .map(|a| a.collect())
        .unwrap_or_default()
}

/// Opens a connection the way `connBlockingConnect` does: a non-blocking
/// connect to the first address that accepts starting one, then a wait of
/// up to `timeout` ms for it to become writable. Timing out is a failure;
/// a connection refused after starting is still returned (it does become
/// writable): the first write finds out, as in Redis. Over TLS
/// (`tls-cluster`) the handshake must complete within the same timeout.
fn connect(host: &[u8], port: &[u8], timeout: i64, tls: Option<&Tls>) -> Option<Conn> {
    for addr in resolve(host, port) {
        let Ok(mut conn) = Conn::connect(addr, None, tls) else {
            continue;
        };
        if tls.is_some() {
            if conn.sync_handshake(millis(timeout)).is_err() {
                return None;
            }
        } else if !conn.wait(Ready::Write, Some(millis(timeout))).unwrap_or(false) {
            return None;
        }
        let _ = conn.set_nodelay(true);
        return Some(conn);
    }
    None
}

/// The cache key of a target.
fn cache_name(host: &[u8], port: &[u8]) -> Vec<u8> {
    let mut name = Vec::with_capacity(host.len() + port.len() + 1);
    name.extend_from_slice(host);
    name.push(b':');
    name.extend_from_slice(port);
    name
}

impl Server {
    /// Takes the cached connection to `host:port` out of the cache, or opens
    /// a new one (`migrateGetSocket`). The caller puts it back when it is
    /// still usable; dropping it closes it (`migrateCloseSocket`).
    fn migrate_get_socket(&mut self, name: &[u8], host: &[u8], port: &[u8], timeout: i64) -> Option<CachedSocket> {
        let now = self.unixtime;
        let cache = &mut self.migrate_sockets.map;
        if let Some(mut cs) = cache.remove(name) {
            cs.last_use_time = now;
            return Some(cs);
        }
        // The one being used is out of the map: count it in.
        if cache.len() + 1 > CACHE_ITEMS {
            let victim = crate::util::rand_below(cache.len() as u64) as usize;
            if let Some(k) = cache.keys().nth(victim).cloned() {
                cache.remove(&k);
            }
        }
        let tls = self.tls_for_link(self.cfg.tls_cluster).ok()?;
        let conn = connect(host, port, timeout, tls)?;
        Some(CachedSocket {
            conn,
            pending: Vec::new(),
            last_dbid: -1,
            last_use_time: now,
        })
    }

    /// Closes the connections unused for more than 10 seconds
    /// (`migrateCloseTimedoutSockets`, once a second from the cron).
    pub fn migrate_close_timedout_sockets(&mut self) {
        let now = self.unixtime;
        self.migrate_sockets.close_idle(now);
    }
}

// ---------------------------------------------------------------------------
// MIGRATE
// ---------------------------------------------------------------------------

/// `strcasecmp(arg, word) == 0`.
fn is(arg: &[u8], word: &str) -> bool {
    c_str(arg).eq_ignore_ascii_case(word.as_bytes())
}

fn push_bulk(out: &mut Vec<u8>, b: &[u8]) {
    out.push(b'$');
    out.extend_from_slice(b.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

fn push_array_len(out: &mut Vec<u8>, n: usize) {
    out.push(b'*');
    out.extend_from_slice(n.to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// The parsed options of one MIGRATE call.
struct MigrateOptions<'a> {
    copy: bool,
    replace: bool,
    username: Option<&'a [u8]>,
    password: Option<&'a [u8]>,
    /// The keys named, in order (the key argument, or those after KEYS).
    keys: &'a [&'a [u8]],
    dbid: i64,
    timeout: i64,
}

fn parse_options<'a>(argv: &'a [&'a [u8]]) -> Result<MigrateOptions<'a>, Error> {
    let argc = argv.len();
    let mut o = MigrateOptions {
        copy: false,
        replace: false,
        username: None,
        password: None,
        keys: &argv[3..4],
        dbid: 0,
        timeout: 0,
    };
    let mut j = 6;
    while j < argc {
        let more = argc - 1 - j;
        let a = argv[j];
        if is(a, "copy") {
            o.copy = true;
        } else if is(a, "replace") {
            o.replace = true;
        } else if is(a, "auth") {
            if more == 0 {
                return Err(Error::Syntax);
            }
            j += 1;
            o.password = Some(argv[j]);
        } else if is(a, "auth2") {
            if more < 2 {
                return Err(Error::Syntax);
            }
            o.username = Some(argv[j + 1]);
            o.password = Some(argv[j + 2]);
            j += 2;
        } else if is(a, "keys") {
            if !argv[3].is_empty() {
                return Err(Error::err(
                    "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string",
                ));
            }
            o.keys = &argv[j + 1..];
            break;
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    o.timeout = parse_i64(argv[5]).ok_or(Error::NotInteger)?;
    o.dbid = parse_i64(argv[4]).ok_or(Error::NotInteger)?;
    if o.timeout <= 0 {
        o.timeout = 1000;
    }
    Ok(o)
}

/// What one attempt at talking to the target ended with.
enum Attempt {
    /// Every reply was positive: reply OK, keep the connection.
    Ok,
    /// The target refused something: reply its error; the connection is
    /// kept unless it also failed.
    TargetError { msg: String, keep: bool },
    /// A connection failure: closed; retry unless `retry` is false.
    SocketError { fail: IoFail, writing: bool, retry: bool },
}

/// `MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
/// [AUTH password] [AUTH2 username password] [KEYS key [key ...]]`
pub fn migrate_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let o = parse_options(argv)?;
    let db = ctx.dbi();
    // Only keys that are here are migrated; none at all is not an error.
    let mut keys: Vec<&[u8]> = Vec::with_capacity(o.keys.len());
    for &k in o.keys {
        if ctx.srv.lookup_read(db, k).is_some() {
            keys.push(k);
        }
    }
    if keys.is_empty() {
        ctx.c.reply.status(b"NOKEY");
        return Ok(());
    }
    let (host, port) = (argv[1], argv[2]);
    let name = cache_name(host, port);
    let mut may_retry = true;
    loop {
        let Some(mut cs) = ctx.srv.migrate_get_socket(&name, host, port, o.timeout) else {
            return Err(Error::err("IOERR error or timeout connecting to the client"));
        };
        match migrate_attempt(ctx, &o, &keys, &mut cs, may_retry) {
            Attempt::Ok => {
                ctx.srv.migrate_sockets.map.insert(name, cs);
                ctx.c.reply.ok();
                return Ok(());
            }
            Attempt::TargetError { msg, keep } => {
                if keep {
                    ctx.srv.migrate_sockets.map.insert(name, cs);
                }
                return Err(Error::msg(msg));
            }
            Attempt::SocketError { fail, writing, retry } => {
                drop(cs);
                if retry && fail != IoFail::TimedOut && may_retry {
                    may_retry = false;
                    continue;
                }
                let what = if writing { "writing" } else { "reading" };
                return Err(Error::msg(format!("IOERR error or timeout {what} to target instance")));
            }
        }
    }
}

/// Sends the RESTOREs over `cs` and handles the replies: one pass of
/// `migrateCommand` from `try_again`.
fn migrate_attempt(ctx: &mut Ctx, o: &MigrateOptions, keys: &[&[u8]], cs: &mut CachedSocket, may_retry: bool) -> Attempt {
    let db = ctx.dbi();
    let mut cmd = Vec::new();
    if let Some(pw) = o.password {
        push_array_len(&mut cmd, if o.username.is_some() { 3 } else { 2 });
        push_bulk(&mut cmd, b"AUTH");
        if let Some(user) = o.username {
            push_bulk(&mut cmd, user);
        }
        push_bulk(&mut cmd, pw);
    }
    let select = cs.last_dbid != o.dbid;
    if select {
        push_array_len(&mut cmd, 2);
        push_bulk(&mut cmd, b"SELECT");
        push_bulk(&mut cmd, o.dbid.to_string().as_bytes());
    }
    let restore: &[u8] = if ctx.srv.cfg.cluster_enabled {
        b"RESTORE-ASKING"
    } else {
        b"RESTORE"
    };
    let compress = ctx.srv.cfg.rdbcompression;
    // Keys that expire between the lookup and now are left alone.
    let mut sent: Vec<&[u8]> = Vec::with_capacity(keys.len());
    for &k in keys {
        let mut ttl = 0;
        let expireat = ctx.srv.dbs[db].get_expire(k);
        if expireat != -1 {
            ttl = expireat - crate::util::mstime();
            if ttl < 0 {
                continue;
            }
            ttl = ttl.max(1);
        }
        let Some(e) = ctx.srv.dbs[db].find(k) else {
            continue;
        };
        let payload = dump_payload(e.value(), compress);
        sent.push(k);
        push_array_len(&mut cmd, if o.replace { 5 } else { 4 });
        push_bulk(&mut cmd, restore);
        push_bulk(&mut cmd, k);
        push_bulk(&mut cmd, ttl.to_string().as_bytes());
        push_bulk(&mut cmd, &payload);
        if o.replace {
            push_bulk(&mut cmd, b"REPLACE");
        }
    }

    for chunk in cmd.chunks(WRITE_CHUNK) {
        if let Err(fail) = cs.sync_write(chunk, o.timeout) {
            return Attempt::SocketError {
                fail,
                writing: true,
                retry: true,
            };
        }
    }
    let read_error = |fail| Attempt::SocketError {
        fail,
        writing: false,
        retry: true,
    };
    let auth_reply = match o.password {
        Some(_) => match cs.read_line(o.timeout) {
            Ok(l) => Some(l),
            Err(fail) => return read_error(fail),
        },
        None => None,
    };
    let select_reply = if select {
        match cs.read_line(o.timeout) {
            Ok(l) => Some(l),
            Err(fail) => return read_error(fail),
        }
    } else {
        None
    };
    let is_err = |l: &Option<Vec<u8>>| l.as_ref().is_some_and(|l| l.first() == Some(&b'-'));

    let mut target_error: Option<String> = None;
    let mut socket_error = None;
    let mut acked: Vec<Vec<u8>> = Vec::new();
    let mut read = 0;
    while read < sent.len() {
        let reply = match cs.read_line(o.timeout) {
            Ok(l) => Some(l),
            Err(fail) => {
                socket_error = Some(fail);
                break;
            }
        };
        let failed = if is_err(&auth_reply) {
            Some(&auth_reply)
        } else if is_err(&select_reply) {
            Some(&select_reply)
        } else if is_err(&reply) {
            Some(&reply)
        } else {
            None
        };
        if let Some(Some(line)) = failed {
            if target_error.is_none() {
                cs.last_dbid = -1;
                let text = String::from_utf8_lossy(c_str(&line[1..])).replace(['\r', '\n'], " ");
                target_error = Some(format!("ERR Target instance replied with error: {text}"));
            }
        } else if !o.copy {
            let k = sent[read];
            ctx.srv.db_delete(db, k);
            ctx.key_modified(k, ev::DEL);
            acked.push(k.to_vec());
        }
        read += 1;
    }

    if let Some(fail) = socket_error {
        // Nothing acknowledged yet: the connection may just have been stale.
        if target_error.is_none() && read == 0 && may_retry && fail != IoFail::TimedOut {
            return read_error(fail);
        }
    }
    if !o.copy && !acked.is_empty() {
        // Replicas and the AOF see the keys the target took as deleted.
        let mut del = Vec::with_capacity(acked.len() + 1);
        del.push(b"DEL".to_vec());
        del.extend(acked);
        ctx.propagate_as(del);
    }
    if let Some(fail) = socket_error {
        if target_error.is_none() {
            return Attempt::SocketError {
                fail,
                writing: false,
                retry: false,
            };
        }
    }
    match target_error {
        Some(msg) => Attempt::TargetError {
            msg,
            keep: socket_error.is_none(),
        },
        None => {
            cs.last_dbid = o.dbid;
            Attempt::Ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cached socket talking to the returned peer.
    fn pair() -> (CachedSocket, Conn) {
        let Ok((a, b)) = Conn::pair() else {
            panic!("socketpair failed");
        };
        let cs = CachedSocket {
            conn: a,
            pending: Vec::new(),
            last_dbid: -1,
            last_use_time: 0,
        };
        (cs, b)
    }

    #[test]
    fn atoi_like_c() {
        assert_eq!(c_atoi(b"6379"), 6379);
        assert_eq!(c_atoi(b" 12abc"), 12);
        assert_eq!(c_atoi(b"abc"), 0);
        assert_eq!(c_atoi(b"-1"), -1);
        assert_eq!(c_atoi(b"+7"), 7);
        assert_eq!(c_atoi(b"4294967297"), 1);
        assert_eq!(c_atoi(b"99999999999999999999"), -1);
    }

    #[test]
    fn ports_resolve_like_getaddrinfo() {
        assert!(resolve(b"127.0.0.1", b"-1").is_empty());
        assert!(resolve(b"", b"6379").is_empty());
        let wrapped = resolve(b"127.0.0.1", b"70000");
        assert_eq!(wrapped.first().map(|a| a.port()), Some(70000u32 as u16));
        assert_eq!(resolve(b"127.0.0.1\0junk", b"80").first().map(|a| a.port()), Some(80));
    }

    #[test]
    fn reply_lines() {
        let (mut cs, mut peer) = pair();
        let long = vec![b'x'; 1500];
        let mut data = b"+OK\r\n-ERR bad\r\n\r\nnocr\n".to_vec();
        data.extend_from_slice(&long);
        data.extend_from_slice(b"\r\n\n");
        assert!(peer.sync_write(&data, Duration::from_secs(1)).is_ok());
        assert_eq!(cs.read_line(1000), Ok(b"+OK".to_vec()));
        assert_eq!(cs.read_line(1000), Ok(b"-ERR bad".to_vec()));
        // "\r\n" is a line of one byte for Redis, so it is not a failure.
        assert_eq!(cs.read_line(1000), Ok(Vec::new()));
        assert_eq!(cs.read_line(1000), Ok(b"nocr".to_vec()));
        // Lines are cut at 1023 bytes; the rest is the next line.
        assert_eq!(cs.read_line(1000), Ok(vec![b'x'; LINE_MAX]));
        assert_eq!(cs.read_line(1000), Ok(vec![b'x'; 1500 - LINE_MAX]));
        // A bare newline counts as a failed read.
        assert_eq!(cs.read_line(1000), Err(IoFail::Other));
        // Nothing arrives: a timeout.
        let t0 = std::time::Instant::now();
        assert_eq!(cs.read_line(50), Err(IoFail::TimedOut));
        assert!(t0.elapsed() >= std::time::Duration::from_millis(50));
        // The peer goes away: a short read.
        drop(peer);
        assert_eq!(cs.read_line(1000), Err(IoFail::Other));
    }

    #[test]
    fn writes_time_out_when_the_peer_does_not_read() {
        let (mut cs, mut peer) = pair();
        assert!(cs.sync_write(b"hello", 100).is_ok());
        let mut buf = Vec::new();
        assert_eq!(peer.sync_read(&mut buf, 5, Some(Duration::from_secs(1))).ok(), Some(5));
        assert_eq!(buf, b"hello");
        let big = vec![0u8; 16 << 20];
        assert_eq!(cs.sync_write(&big, 50), Err(IoFail::TimedOut));
    }

    #[test]
    fn cache_closes_idle_connections() {
        let mut cache = SocketCache::default();
        let (mut old, _p1) = pair();
        old.last_use_time = 100;
        let (mut fresh, _p2) = pair();
        fresh.last_use_time = 105;
        cache.map.insert(b"a:1".to_vec(), old);
        cache.map.insert(b"b:2".to_vec(), fresh);
        cache.close_idle(110);
        assert_eq!(cache.len(), 2);
        cache.close_idle(111);
        assert_eq!(cache.len(), 1);
        assert!(cache.map.contains_key(&b"b:2"[..]));
        cache.close_idle(116);
        assert!(cache.is_empty());
    }
}
