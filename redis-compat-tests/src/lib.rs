//! Helpers shared by the wire-level tests.
//!
//! The tests in `tests/` talk raw RESP to a server binary and assert on the
//! exact bytes it answers with. The binary is `$OXIDIS_BIN` if set, otherwise
//! `<workspace>/target/release/oxidis-server`. Running the suite with
//! `OXIDIS_BIN=/usr/bin/redis-server` checks the expectations against the
//! real Redis 7.0.15.
//!
//! Everything here is std-only on purpose (no dependencies).

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Path of the server binary under test.
pub fn server_bin() -> PathBuf {
    if let Ok(p) = std::env::var("OXIDIS_BIN") {
        if !p.is_empty() {
            return PathBuf::from(p);
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("release")
        .join("oxidis-server")
}

static SERVER_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A port the kernel considers free, never handed out twice in this process
/// (tests run in parallel threads).
pub fn free_port() -> u16 {
    static USED: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    loop {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = l.local_addr().unwrap().port();
        drop(l);
        let mut used = USED.lock().unwrap_or_else(|e| e.into_inner());
        if !used.contains(&port) {
            used.push(port);
            return port;
        }
    }
}

/// A server process started for one test (or one group of tests).
pub struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
    /// The directory belongs to the test (restarts share it): not removed.
    keep_dir: bool,
}

impl Server {
    /// Start a server with the default test arguments followed by `args`
    /// (later arguments override earlier ones). Waits until it answers PING.
    pub fn start(args: &[&str]) -> Server {
        Self::start_with(&server_bin(), None, args)
    }

    /// Starts `bin` (our server or another, e.g. /usr/bin/redis-server)
    /// with `--dir dir` when given: that directory is kept, so a later
    /// server can start on the files this one left (restart tests).
    pub fn start_with(bin: &Path, dir: Option<&Path>, args: &[&str]) -> Server {
        Self::start_with_env(bin, dir, args, &[])
    }

    /// `start_with`, with environment changes for the server: `Some` sets
    /// a variable, `None` removes it.
    pub fn start_with_env(bin: &Path, dir: Option<&Path>, args: &[&str], env: &[(&str, Option<&str>)]) -> Server {
        let mut last_err = String::new();
        // Retry a couple of times in case the chosen port got taken between
        // probing it and the server binding it.
        for _attempt in 0..3 {
            match Self::try_start(bin, dir, args, env) {
                Ok(s) => return s,
                Err(e) => last_err = e,
            }
        }
        panic!("server failed to start: {}", last_err);
    }

    /// A fresh directory for `start_with`, removed by the caller.
    pub fn scratch_dir(tag: &str) -> PathBuf {
        let n = SERVER_COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("oxidis-compat-{}-{}-{}", std::process::id(), n, tag));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::create_dir_all(&dir);
        dir
    }

    /// Kills the server with SIGKILL (a crash) and waits for it.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn try_start(bin: &Path, given_dir: Option<&Path>, args: &[&str], env: &[(&str, Option<&str>)]) -> Result<Server, String> {
        let port = free_port();
        let n = SERVER_COUNTER.fetch_add(1, Ordering::SeqCst);
        let keep_dir = given_dir.is_some();
        let dir = match given_dir {
            Some(d) => d.to_path_buf(),
            None => {
                let d = std::env::temp_dir().join(format!("oxidis-compat-{}-{}-{}", std::process::id(), n, port));
                let _ = std::fs::remove_dir_all(&d);
                d
            }
        };
        std::fs::create_dir_all(&dir).map_err(|e| format!("mkdir {:?}: {}", dir, e))?;
        let log = dir.join("log");
        let port_s = port.to_string();
        let dir_s = dir.to_string_lossy().into_owned();
        let log_s = log.to_string_lossy().into_owned();
        let mut full: Vec<&str> = vec![
            "--port",
            &port_s,
            "--bind",
            "127.0.0.1",
            "--dir",
            &dir_s,
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--logfile",
            &log_s,
        ];
        full.extend_from_slice(args);
        // stdout/stderr go to files next to the log, for startup diagnostics.
        let out = std::fs::File::create(dir.join("stdout")).map_err(|e| e.to_string())?;
        let err = std::fs::File::create(dir.join("stderr")).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(bin);
        for &(k, v) in env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let child = match cmd
            .args(&full)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                if !keep_dir {
                    let _ = std::fs::remove_dir_all(&dir);
                }
                return Err(format!("cannot spawn {:?}: {}", bin, e));
            }
        };
        let mut server = Server {
            child,
            port,
            dir,
            keep_dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "server exited early with {} (args {:?}); log:\n{}",
                    status,
                    full,
                    server.log_contents()
                ));
            }
            if server.answers_ping() {
                return Ok(server);
            }
            if Instant::now() > deadline {
                // Drop kills it and removes the directory, so grab the log first.
                let log = server.log_contents();
                panic!("server {:?} did not answer PING on port {} within 10s; log:\n{}", bin, port, log);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn answers_ping(&self) -> bool {
        let addr = format!("127.0.0.1:{}", self.port);
        let mut s = match TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_millis(200)) {
            Ok(s) => s,
            Err(_) => return false,
        };
        let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
        if s.write_all(b"*1\r\n$4\r\nPING\r\n").is_err() {
            return false;
        }
        let mut buf = [0u8; 64];
        let ok = match s.read(&mut buf) {
            // +PONG, or -NOAUTH when requirepass is set, or -LOADING ... : it answers.
            Ok(n) if n > 0 => buf[0] == b'+' || buf[0] == b'-',
            _ => false,
        };
        if ok {
            // Leave cleanly and wait until the server has dropped this
            // connection, so tests counting clients do not see it.
            if s.write_all(b"*1\r\n$4\r\nQUIT\r\n").is_ok() {
                let _ = s.set_read_timeout(Some(Duration::from_millis(1000)));
                let mut sink = [0u8; 256];
                while let Ok(n) = s.read(&mut sink) {
                    if n == 0 {
                        break;
                    }
                }
            }
        }
        ok
    }

    pub fn port(&self) -> u16 {
        self.port
    }
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
    /// Contents of the server's log file, followed by anything it wrote to
    /// stdout/stderr.
    pub fn log_contents(&self) -> String {
        let read = |name: &str| {
            std::fs::read(self.dir.join(name))
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_else(|e| format!("<cannot read {}: {}>", name, e))
        };
        let mut s = read("log");
        for name in ["stdout", "stderr"] {
            let t = read(name);
            if !t.is_empty() {
                s.push_str(&format!("\n--- {} ---\n{}", name, t));
            }
        }
        s
    }
    /// A new client connection to this server.
    pub fn conn(&self) -> Conn {
        Conn::connect(self.port)
    }
    /// Is the process still running?
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
    /// Waits up to `d` for the process to exit (a crash test); its status.
    pub fn wait_exit(&mut self, d: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + d;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    /// Asserts that the server is alive and answers PING on a fresh connection.
    pub fn assert_alive(&mut self) {
        assert!(self.is_alive(), "server process died; log:\n{}", self.log_contents());
        let mut c = self.conn();
        let r = c.cmd_raw(&[b"PING"]);
        assert_eq!(escape(&r), escape(b"+PONG\r\n"), "server did not answer PING on a new connection");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !self.keep_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Escape bytes for readable assertion messages.
pub fn escape(b: &[u8]) -> String {
    let mut s = String::new();
    for &c in b {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{:02x}", c)),
        }
    }
    s
}

/// Compare two byte strings, panicking with both sides escaped on mismatch.
#[track_caller]
/// The exact pmessage a `PSUBSCRIBE __keyevent@0__:*` subscriber gets when
/// `event` fires on `key` in db 0.
pub fn keyevent(event: &str, key: &str) -> Vec<u8> {
    let chan = format!("__keyevent@0__:{event}");
    format!(
        "*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n${}\r\n{}\r\n${}\r\n{}\r\n",
        chan.len(),
        chan,
        key.len(),
        key
    )
    .into_bytes()
}

pub fn check_bytes(actual: &[u8], expected: &[u8], what: &str) {
    if actual != expected {
        let at = actual
            .iter()
            .zip(expected.iter())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| actual.len().min(expected.len()));
        let from = at.saturating_sub(40);
        panic!(
            "reply mismatch for {}\n  expected: \"{}\"\n  actual:   \"{}\"\n  first difference at byte {}: expected \"...{}\" actual \"...{}\"",
            what,
            escape(expected),
            escape(actual),
            at,
            escape(&expected[from..expected.len().min(at + 40)]),
            escape(&actual[from..actual.len().min(at + 40)])
        );
    }
}

/// Assert the exact raw reply bytes of a command.
///
/// `assert_reply!(conn, ["SET", "k", "v"], b"+OK\r\n")` or
/// `assert_reply!(conn, "SET k v", b"+OK\r\n")` (split on spaces).
#[macro_export]
macro_rules! assert_reply {
    ($conn:expr, [$($arg:expr),* $(,)?], $exp:expr) => {{
        let owned: Vec<Vec<u8>> = vec![$( ::std::convert::AsRef::<[u8]>::as_ref(&$arg).to_vec() ),*];
        let args: Vec<&[u8]> = owned.iter().map(|v| v.as_slice()).collect();
        let actual = $conn.cmd_raw(&args);
        let what = args.iter().map(|a| $crate::escape(a)).collect::<Vec<_>>().join(" ");
        $crate::check_bytes(&actual, ::std::convert::AsRef::<[u8]>::as_ref(&$exp), &what);
    }};
    ($conn:expr, $cmd:expr, $exp:expr) => {{
        let cmd: &str = $cmd;
        let actual = $conn.cmd_str_raw(cmd);
        $crate::check_bytes(&actual, ::std::convert::AsRef::<[u8]>::as_ref(&$exp), cmd);
    }};
}

/// Assert that the reply of a command matches a glob pattern (`*`, `?`).
#[macro_export]
macro_rules! assert_reply_glob {
    ($conn:expr, $cmd:expr, $pat:expr) => {{
        let cmd: &str = $cmd;
        let actual = $conn.cmd_str_raw(cmd);
        let pat: &str = $pat;
        if !$crate::glob_match(pat.as_bytes(), &actual) {
            panic!(
                "reply for {} does not match pattern\n  pattern: \"{}\"\n  actual:  \"{}\"",
                cmd,
                $crate::escape(pat.as_bytes()),
                $crate::escape(&actual)
            );
        }
    }};
}

/// Minimal glob: `*` any run, `?` any single byte, everything else literal.
pub fn glob_match(pat: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0usize, 0usize);
    let (mut star_p, mut star_i) = (usize::MAX, 0usize);
    while i < s.len() {
        if p < pat.len() && (pat[p] == b'?' || pat[p] == s[i]) {
            p += 1;
            i += 1;
        } else if p < pat.len() && pat[p] == b'*' {
            star_p = p;
            star_i = i;
            p += 1;
        } else if star_p != usize::MAX {
            p = star_p + 1;
            star_i += 1;
            i = star_i;
        } else {
            return false;
        }
    }
    while p < pat.len() && pat[p] == b'*' {
        p += 1;
    }
    p == pat.len()
}

/// Parse a `k=v k=v ...` line (CLIENT INFO / CLIENT LIST) into ordered pairs.
pub fn parse_kv_fields(line: &str) -> Vec<(String, String)> {
    line.trim_end_matches(['\n', '\r'])
        .split(' ')
        .filter(|f| !f.is_empty())
        .map(|f| match f.find('=') {
            Some(i) => (f[..i].to_string(), f[i + 1..].to_string()),
            None => (f.to_string(), String::new()),
        })
        .collect()
}

/// The RESP bytes of one bulk string.
pub fn bulk(s: &str) -> Vec<u8> {
    format!("${}\r\n{}\r\n", s.len(), s).into_bytes()
}

/// The RESP bytes of an array of bulk strings.
pub fn bulks(items: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for i in items {
        out.extend(bulk(i));
    }
    out
}

/// Encode a command as a RESP multibulk.
pub fn encode_cmd(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A decoded RESP2/RESP3 reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
    Null,
    Double(String),
    Bool(bool),
    BigNum(String),
    /// Verbatim string: (format, data).
    Verbatim(String, Vec<u8>),
    Map(Vec<(Reply, Reply)>),
    Set(Vec<Reply>),
    Push(Vec<Reply>),
    /// Attribute map followed by the actual reply.
    Attribute(Vec<(Reply, Reply)>, Box<Reply>),
}

impl Reply {
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }
    /// Bytes of a bulk/status/verbatim/double/bignum reply.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Reply::Bulk(Some(b)) => Some(b),
            Reply::Verbatim(_, b) => Some(b),
            Reply::Status(s) | Reply::Error(s) | Reply::Double(s) | Reply::BigNum(s) => Some(s.as_bytes()),
            _ => None,
        }
    }
    /// Lossy string of a bulk/status/... reply; panics on other types.
    pub fn str(&self) -> String {
        match self.bytes() {
            Some(b) => String::from_utf8_lossy(b).into_owned(),
            None => panic!("reply is not a string: {:?}", self),
        }
    }
    pub fn int(&self) -> i64 {
        match self {
            Reply::Int(i) => *i,
            _ => panic!("reply is not an integer: {:?}", self),
        }
    }
    /// Elements of an array/set/push reply; panics otherwise.
    pub fn array(&self) -> &[Reply] {
        match self {
            Reply::Array(Some(v)) | Reply::Set(v) | Reply::Push(v) => v,
            _ => panic!("reply is not an array: {:?}", self),
        }
    }
    /// Elements of an array reply as strings.
    pub fn strings(&self) -> Vec<String> {
        self.array().iter().map(|r| r.str()).collect()
    }
    /// Pairs of a RESP3 map, or of a flat RESP2 array with even length.
    pub fn pairs(&self) -> Vec<(Reply, Reply)> {
        match self {
            Reply::Map(m) => m.clone(),
            Reply::Array(Some(v)) => v
                .chunks(2)
                .map(|c| (c[0].clone(), c.get(1).cloned().unwrap_or(Reply::Null)))
                .collect(),
            _ => panic!("reply is not a map: {:?}", self),
        }
    }
    /// Look up a map/flat-array field by string key.
    pub fn field(&self, key: &str) -> Option<Reply> {
        self.pairs()
            .into_iter()
            .find(|(k, _)| k.bytes() == Some(key.as_bytes()))
            .map(|(_, v)| v)
    }
}

/// Result of trying to parse one frame from a buffer.
enum Parse {
    /// Need more bytes.
    Incomplete,
    /// A complete frame of `usize` bytes.
    Done(Reply, usize),
}

fn find_crlf(data: &[u8], from: usize) -> Option<usize> {
    if data.len() < 2 {
        return None;
    }
    (from..data.len() - 1).find(|&i| data[i] == b'\r' && data[i + 1] == b'\n')
}

fn parse_len(line: &[u8]) -> Result<i64, String> {
    std::str::from_utf8(line)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| format!("bad length line {:?}", escape(line)))
}

fn parse_at(data: &[u8], start: usize) -> Result<Parse, String> {
    if start >= data.len() {
        return Ok(Parse::Incomplete);
    }
    let eol = match find_crlf(data, start + 1) {
        Some(e) => e,
        None => return Ok(Parse::Incomplete),
    };
    let t = data[start];
    let line = &data[start + 1..eol];
    let after = eol + 2;
    let text = || String::from_utf8_lossy(line).into_owned();
    let done = |r: Reply| Ok(Parse::Done(r, after - start));
    match t {
        b'+' => done(Reply::Status(text())),
        b'-' => done(Reply::Error(text())),
        b':' => done(Reply::Int(parse_len(line)?)),
        b'_' => done(Reply::Null),
        b',' => done(Reply::Double(text())),
        b'(' => done(Reply::BigNum(text())),
        b'#' => match line {
            b"t" => done(Reply::Bool(true)),
            b"f" => done(Reply::Bool(false)),
            _ => Err(format!("bad boolean {:?}", text())),
        },
        b'$' | b'!' | b'=' => {
            let n = parse_len(line)?;
            if n < 0 {
                if t == b'$' {
                    return done(Reply::Bulk(None));
                }
                return Err(format!("negative length for {}", t as char));
            }
            let n = n as usize;
            if data.len() < after + n + 2 {
                return Ok(Parse::Incomplete);
            }
            if &data[after + n..after + n + 2] != b"\r\n" {
                return Err("bulk payload not terminated by CRLF".into());
            }
            let payload = data[after..after + n].to_vec();
            let total = after + n + 2 - start;
            let r = match t {
                b'$' => Reply::Bulk(Some(payload)),
                b'!' => Reply::Error(String::from_utf8_lossy(&payload).into_owned()),
                _ => {
                    if payload.len() < 4 || payload[3] != b':' {
                        return Err("bad verbatim string".into());
                    }
                    Reply::Verbatim(String::from_utf8_lossy(&payload[..3]).into_owned(), payload[4..].to_vec())
                }
            };
            Ok(Parse::Done(r, total))
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = parse_len(line)?;
            if n < 0 {
                if t == b'*' {
                    return done(Reply::Array(None));
                }
                return Err(format!("negative length for {}", t as char));
            }
            let count = if t == b'%' || t == b'|' { n * 2 } else { n } as usize;
            let mut items = Vec::with_capacity(count.min(1 << 16));
            let mut pos = after;
            for _ in 0..count {
                match parse_at(data, pos)? {
                    Parse::Incomplete => return Ok(Parse::Incomplete),
                    Parse::Done(r, used) => {
                        items.push(r);
                        pos += used;
                    }
                }
            }
            let pairs = |items: Vec<Reply>| {
                let mut v = Vec::new();
                let mut it = items.into_iter();
                while let (Some(k), Some(val)) = (it.next(), it.next()) {
                    v.push((k, val));
                }
                v
            };
            let r = match t {
                b'*' => Reply::Array(Some(items)),
                b'~' => Reply::Set(items),
                b'>' => Reply::Push(items),
                b'%' => Reply::Map(pairs(items)),
                _ => {
                    // Attribute: followed by the real reply.
                    match parse_at(data, pos)? {
                        Parse::Incomplete => return Ok(Parse::Incomplete),
                        Parse::Done(inner, used) => {
                            pos += used;
                            Reply::Attribute(pairs(items), Box::new(inner))
                        }
                    }
                }
            };
            Ok(Parse::Done(r, pos - start))
        }
        _ => Err(format!(
            "unknown RESP type byte {:?} in {:?}",
            t as char,
            escape(&data[start..data.len().min(start + 80)])
        )),
    }
}

/// Parse a complete reply from raw bytes (panics if malformed/incomplete).
pub fn parse_reply(raw: &[u8]) -> Reply {
    match parse_at(raw, 0) {
        Ok(Parse::Done(r, n)) => {
            assert_eq!(n, raw.len(), "trailing bytes after reply: {}", escape(raw));
            r
        }
        Ok(Parse::Incomplete) => panic!("incomplete reply: {}", escape(raw)),
        Err(e) => panic!("malformed reply: {}", e),
    }
}

/// The first complete reply frame of `data` and its length in bytes;
/// None while it is incomplete, Err when malformed (for clients that
/// read through something other than [`Conn`], e.g. TLS).
pub fn parse_first(data: &[u8]) -> Result<Option<(Reply, usize)>, String> {
    match parse_at(data, 0)? {
        Parse::Done(r, n) => Ok(Some((r, n))),
        Parse::Incomplete => Ok(None),
    }
}

/// Split a byte buffer into complete reply frames. Errors if the data is
/// malformed or ends with an incomplete frame.
pub fn parse_all_frames(data: &[u8]) -> Result<Vec<Reply>, String> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        match parse_at(data, pos)? {
            Parse::Done(r, n) => {
                out.push(r);
                pos += n;
            }
            Parse::Incomplete => return Err(format!("incomplete frame at offset {}: \"{}\"", pos, escape(&data[pos..]))),
        }
    }
    Ok(out)
}

/// Tiny deterministic PRNG (xorshift64*), for reproducible fuzzing.
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545F4914F6CDD1D)
    }
    /// Uniform-ish value in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A raw RESP client connection.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    port: u16,
}

impl Conn {
    pub fn connect(port: u16) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("connect to port {}: {}", port, e));
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        stream.set_nodelay(true).unwrap();
        Conn {
            stream,
            buf: Vec::new(),
            port,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    pub fn set_read_timeout(&self, d: Duration) {
        self.stream.set_read_timeout(Some(d)).unwrap();
    }

    /// Send bytes as-is.
    pub fn send_raw(&mut self, data: &[u8]) {
        self.stream.write_all(data).unwrap_or_else(|e| panic!("write failed: {}", e));
    }

    /// Send bytes, tolerating the server having closed the connection.
    pub fn try_send_raw(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(data)
    }

    /// Send a command as a multibulk without reading the reply.
    pub fn send_cmd(&mut self, args: &[&[u8]]) {
        let enc = encode_cmd(args);
        self.send_raw(&enc);
    }

    /// Send a command and return its decoded reply.
    pub fn cmd(&mut self, args: &[&[u8]]) -> Reply {
        self.send_cmd(args);
        self.read_reply()
    }

    /// Send a command and return the exact bytes of its reply.
    pub fn cmd_raw(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.send_cmd(args);
        self.read_raw_reply()
    }

    /// `cmd_str("SET k v")`: split on single spaces.
    pub fn cmd_str(&mut self, s: &str) -> Reply {
        let parts: Vec<&[u8]> = s.split(' ').map(|p| p.as_bytes()).collect();
        self.cmd(&parts)
    }

    pub fn cmd_str_raw(&mut self, s: &str) -> Vec<u8> {
        let parts: Vec<&[u8]> = s.split(' ').map(|p| p.as_bytes()).collect();
        self.cmd_raw(&parts)
    }

    fn fill(&mut self) -> std::io::Result<usize> {
        let mut tmp = [0u8; 65536];
        loop {
            match self.stream.read(&mut tmp) {
                Ok(n) => {
                    self.buf.extend_from_slice(&tmp[..n]);
                    return Ok(n);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Like `read_raw_reply`, but None when the connection closes, fails
    /// or times out first (for tests that kill the server).
    pub fn try_read_raw_reply(&mut self) -> Option<Vec<u8>> {
        loop {
            match parse_at(&self.buf, 0) {
                Ok(Parse::Done(_, n)) => return Some(self.buf.drain(..n).collect()),
                Ok(Parse::Incomplete) => {}
                Err(_) => return None,
            }
            match self.fill() {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Read exactly one complete reply frame and return its bytes.
    pub fn read_raw_reply(&mut self) -> Vec<u8> {
        loop {
            match parse_at(&self.buf, 0) {
                Ok(Parse::Done(_, n)) => {
                    let out: Vec<u8> = self.buf.drain(..n).collect();
                    return out;
                }
                Ok(Parse::Incomplete) => {}
                Err(e) => panic!("malformed reply from server: {}", e),
            }
            match self.fill() {
                Ok(0) => panic!("connection closed while reading reply (buffered: \"{}\")", escape(&self.buf)),
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => {
                    panic!("timed out waiting for a reply (buffered: \"{}\")", escape(&self.buf))
                }
                Err(e) => panic!("read error while reading reply: {} (buffered: \"{}\")", e, escape(&self.buf)),
            }
        }
    }

    /// Read one decoded reply.
    pub fn read_reply(&mut self) -> Reply {
        let raw = self.read_raw_reply();
        parse_reply(&raw)
    }

    /// Read `n` replies and concatenate their raw bytes.
    pub fn read_raw_replies(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.extend(self.read_raw_reply());
        }
        out
    }

    /// Read whatever arrives within `d` (no framing), returns bytes read.
    pub fn read_for(&mut self, d: Duration) -> Vec<u8> {
        let old = self.stream.read_timeout().unwrap();
        self.stream.set_read_timeout(Some(d)).unwrap();
        let deadline = Instant::now() + d;
        while Instant::now() < deadline {
            match self.fill() {
                Ok(0) => break,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        self.stream.set_read_timeout(old).unwrap();
        std::mem::take(&mut self.buf)
    }

    /// Read everything until the server closes the connection; panics if it
    /// is still open after `d`.
    #[track_caller]
    pub fn read_to_close(&mut self, d: Duration) -> Vec<u8> {
        let deadline = Instant::now() + d;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!(
                    "server did not close the connection within {:?} (received so far: \"{}\")",
                    d,
                    escape(&self.buf)
                );
            }
            self.stream.set_read_timeout(Some(left)).unwrap();
            match self.fill() {
                Ok(0) => break,
                Ok(_) => {}
                Err(e)
                    if e.kind() == ErrorKind::ConnectionReset
                        || e.kind() == ErrorKind::ConnectionAborted
                        || e.kind() == ErrorKind::BrokenPipe =>
                {
                    break
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => {}
                Err(e) => panic!("unexpected read error: {}", e),
            }
        }
        self.stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        std::mem::take(&mut self.buf)
    }

    /// Assert that nothing arrives within `d`.
    #[track_caller]
    pub fn expect_no_reply(&mut self, d: Duration) {
        assert!(
            self.buf.is_empty(),
            "expected no reply, but unread data is buffered: \"{}\"",
            escape(&self.buf)
        );
        let deadline = Instant::now() + d;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            self.stream.set_read_timeout(Some(left)).unwrap();
            match self.fill() {
                Ok(0) => panic!("expected no reply, but the server closed the connection"),
                Ok(_) => panic!("expected no reply, got \"{}\"", escape(&self.buf)),
                Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => {}
                Err(e) => panic!("expected no reply, got read error {}", e),
            }
        }
        self.stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }

    /// Assert the server closes the connection (EOF or reset) within 5s,
    /// without sending any further bytes.
    #[track_caller]
    pub fn expect_closed(&mut self) {
        assert!(
            self.buf.is_empty(),
            "expected connection close, but unread data is buffered: \"{}\"",
            escape(&self.buf)
        );
        self.stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let mut tmp = [0u8; 4096];
            match self.stream.read(&mut tmp) {
                Ok(0) => return,
                Ok(n) => panic!("expected connection close, got data \"{}\"", escape(&tmp[..n])),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e)
                    if e.kind() == ErrorKind::ConnectionReset
                        || e.kind() == ErrorKind::ConnectionAborted
                        || e.kind() == ErrorKind::BrokenPipe =>
                {
                    return
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => {
                    if Instant::now() >= deadline {
                        panic!("server did not close the connection within 5s");
                    }
                }
                Err(e) => panic!("unexpected read error waiting for close: {}", e),
            }
        }
    }

    /// Half-close our writing side.
    pub fn shutdown_write(&self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }
}

// ---- Replies as text (the Stack module tests compare whole replies) ----

/// One reply as short text, for comparing whole replies in one string:
/// `+status`, `!error`, `:int`, `'bulk'`, `nil`, `[a, b]`, `{k: v}`, `,double`,
/// `#t`/`#f`, `(bignum`; sets and pushes print as arrays.
pub fn show(r: &Reply) -> String {
    let list = |v: &[Reply]| v.iter().map(show).collect::<Vec<_>>().join(", ");
    match r {
        Reply::Status(s) => format!("+{s}"),
        Reply::Error(s) => format!("!{s}"),
        Reply::Int(i) => format!(":{i}"),
        Reply::Bulk(Some(b)) => format!("'{}'", String::from_utf8_lossy(b)),
        Reply::Bulk(None) | Reply::Array(None) | Reply::Null => "nil".to_string(),
        Reply::Array(Some(v)) | Reply::Set(v) | Reply::Push(v) => format!("[{}]", list(v)),
        Reply::Double(d) => format!(",{d}"),
        Reply::Bool(b) => format!("#{}", if *b { 't' } else { 'f' }),
        Reply::BigNum(n) => format!("({n}"),
        Reply::Verbatim(_, b) => format!("'{}'", String::from_utf8_lossy(b)),
        Reply::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", show(k), show(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Reply::Attribute(_, r) => show(r),
    }
}

/// Sends a command given as text arguments and returns its reply.
pub fn run(c: &mut Conn, args: &[&str]) -> Reply {
    let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
    c.cmd(&a)
}

/// Runs each command and asserts its reply prints (`show`) as expected.
pub fn check(c: &mut Conn, cases: &[(&[&str], &str)]) {
    for (args, want) in cases {
        let got = show(&run(c, args));
        assert_eq!(&got, want, "reply to {args:?}");
    }
}

/// An RDB length field (`rdbSaveLen`): 6-bit, 14-bit, 32-bit or 64-bit form.
pub fn rdb_len(v: u64) -> Vec<u8> {
    match v {
        0..=63 => vec![v as u8],
        64..=16383 => vec![0x40 | (v >> 8) as u8, v as u8],
        16384..=0xFFFF_FFFF => {
            let mut b = vec![0x80];
            b.extend_from_slice(&(v as u32).to_be_bytes());
            b
        }
        _ => {
            let mut b = vec![0x81];
            b.extend_from_slice(&v.to_be_bytes());
            b
        }
    }
}

/// Waits (up to 10 s) until no AOF rewrite is running or scheduled, as after
/// `CONFIG SET appendonly yes` before a `DEBUG LOADAOF`.
pub fn wait_aof_rewrite_done(c: &mut Conn) {
    for _ in 0..200 {
        let i = run(c, &["INFO", "persistence"]).str();
        if i.contains("aof_rewrite_in_progress:0") && i.contains("aof_rewrite_scheduled:0") {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Rewrites the AOF as commands only (no RDB preamble) and reloads it with
/// DEBUG LOADAOF: the path that replays a type's AOF rewrite output.
pub fn reload_from_command_aof(c: &mut Conn) {
    check(
        c,
        &[
            (&["CONFIG", "SET", "aof-use-rdb-preamble", "no"], "+OK"),
            (&["CONFIG", "SET", "appendonly", "yes"], "+OK"),
        ],
    );
    wait_aof_rewrite_done(c);
    check(c, &[(&["DEBUG", "LOADAOF"], "+OK")]);
}
