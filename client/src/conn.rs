//! The blocking connection: socket, read buffer, handshake, reconnection,
//! pipelines and transactions.
//!
//! State that a reconnection must restore (database, client name,
//! subscriptions) lives in [`Session`]; every successful (re)connect replays it
//! and bumps [`Connection::generation`], which layers above (client-side
//! cache, tracking redirection) watch to flush or redo their own setup.
//!
//! A dropped socket is noticed before the next command is written (a
//! non-blocking peek sees the server's FIN), so a connection the server
//! closed while idle reconnects transparently. A failure in the middle of a
//! command returns [`Error::Io`]: whether the command ran is unknown, so it is
//! never retried silently; the next call reconnects.

use crate::resp::{self, Parsed, Value};
use crate::{Cmd, Error, FromValue, Result};
use std::collections::{BTreeSet, VecDeque};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Which protocol the handshake asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Resp2,
    Resp3,
}

/// Reconnection schedule: `attempts` tries, waiting `base`, `2*base` ...
/// capped at `max` between them.
#[derive(Clone, Debug)]
pub struct Backoff {
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            attempts: 6,
            base: Duration::from_millis(20),
            max: Duration::from_millis(1000),
        }
    }
}

/// How to reach and set up a connection.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    /// `host:port`.
    pub addr: String,
    pub protocol: Protocol,
    /// ACL user (`None`: the default user).
    pub username: Option<String>,
    pub password: Option<String>,
    pub db: i64,
    pub client_name: Option<String>,
    pub connect_timeout: Duration,
    /// Per-reply read timeout (`None`: wait forever).
    pub read_timeout: Option<Duration>,
    pub write_timeout: Option<Duration>,
    pub backoff: Backoff,
}

impl ConnectOptions {
    pub fn new(addr: impl Into<String>) -> Self {
        ConnectOptions {
            addr: addr.into(),
            protocol: Protocol::Resp2,
            username: None,
            password: None,
            db: 0,
            client_name: None,
            connect_timeout: Duration::from_secs(2),
            read_timeout: Some(Duration::from_secs(10)),
            write_timeout: Some(Duration::from_secs(10)),
            backoff: Backoff::default(),
        }
    }
    pub fn resp3(mut self) -> Self {
        self.protocol = Protocol::Resp3;
        self
    }
    pub fn auth(mut self, user: Option<&str>, password: &str) -> Self {
        self.username = user.map(str::to_string);
        self.password = Some(password.to_string());
        self
    }
    pub fn db(mut self, db: i64) -> Self {
        self.db = db;
        self
    }
    pub fn name(mut self, name: &str) -> Self {
        self.client_name = Some(name.to_string());
        self
    }
    pub fn read_timeout(mut self, t: Option<Duration>) -> Self {
        self.read_timeout = t;
        self
    }
}

/// What a reconnection restores besides the options.
#[derive(Clone, Debug, Default)]
pub(crate) struct Session {
    pub db: Option<i64>,
    pub name: Option<Vec<u8>>,
    pub channels: BTreeSet<Vec<u8>>,
    pub patterns: BTreeSet<Vec<u8>>,
    pub shard_channels: BTreeSet<Vec<u8>>,
}

/// One blocking connection. Not `Sync`: give each thread its own, or use a
/// [`crate::Pool`].
pub struct Connection {
    opts: ConnectOptions,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
    start: usize,
    pub(crate) session: Session,
    pushes: VecDeque<Value>,
    generation: u64,
}

impl Connection {
    /// Connect (with the backoff schedule) and run the handshake.
    pub fn connect(opts: ConnectOptions) -> Result<Connection> {
        let mut c = Connection {
            opts,
            stream: None,
            buf: Vec::new(),
            start: 0,
            session: Session::default(),
            pushes: VecDeque::new(),
            generation: 0,
        };
        c.ensure()?;
        Ok(c)
    }

    /// `Connection::connect(ConnectOptions::new(addr))`.
    pub fn open(addr: &str) -> Result<Connection> {
        Self::connect(ConnectOptions::new(addr))
    }

    pub fn options(&self) -> &ConnectOptions {
        &self.opts
    }

    /// Bumped by every successful (re)connect.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn is_connected(&self) -> bool {
        self.stream.is_some()
    }

    /// Close the socket; the next call reconnects.
    pub fn disconnect(&mut self) {
        self.stream = None;
    }

    fn drop_stream(&mut self) {
        self.stream = None;
        self.buf.clear();
        self.start = 0;
    }

    /// Reconnect if the socket is gone or the server closed it.
    pub(crate) fn ensure(&mut self) -> Result<()> {
        if self.stream.is_some() && self.peer_closed() {
            self.drop_stream();
        }
        if self.stream.is_some() {
            return Ok(());
        }
        let b = self.opts.backoff.clone();
        let mut wait = b.base;
        let mut last = None;
        for attempt in 0..b.attempts.max(1) {
            if attempt > 0 {
                std::thread::sleep(wait);
                wait = (wait * 2).min(b.max);
            }
            match self.establish() {
                Ok(()) => return Ok(()),
                Err(e) => {
                    self.drop_stream();
                    // A refused password or unknown database will not fix
                    // itself: stop retrying.
                    if !e.is_io() {
                        return Err(e);
                    }
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| Error::Other("cannot connect".into())))
    }

    /// True when a non-blocking peek sees end-of-file.
    fn peer_closed(&mut self) -> bool {
        let Some(s) = &self.stream else { return true };
        if s.set_nonblocking(true).is_err() {
            return true;
        }
        let mut one = [0u8; 1];
        let closed = match s.peek(&mut one) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => e.kind() != ErrorKind::WouldBlock,
        };
        closed || s.set_nonblocking(false).is_err()
    }

    fn establish(&mut self) -> Result<()> {
        let addrs: Vec<_> = self.opts.addr.to_socket_addrs()?.collect();
        let mut last = std::io::Error::new(ErrorKind::NotFound, "address resolves to nothing");
        let mut stream = None;
        for a in addrs {
            match TcpStream::connect_timeout(&a, self.opts.connect_timeout) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = e,
            }
        }
        let s = stream.ok_or(last)?;
        s.set_nodelay(true)?;
        s.set_read_timeout(self.opts.read_timeout)?;
        s.set_write_timeout(self.opts.write_timeout)?;
        self.stream = Some(s);
        self.buf.clear();
        self.start = 0;
        self.pushes.clear();
        self.handshake()?;
        self.generation += 1;
        Ok(())
    }

    fn handshake(&mut self) -> Result<()> {
        let o = self.opts.clone();
        let name = self
            .session
            .name
            .clone()
            .or_else(|| o.client_name.as_ref().map(|n| n.as_bytes().to_vec()));
        if o.protocol == Protocol::Resp3 {
            let mut c = crate::cmd("HELLO").arg("3");
            if let Some(p) = &o.password {
                c = c.arg("AUTH").arg(o.username.as_deref().unwrap_or("default")).arg(p);
            }
            if let Some(n) = &name {
                c = c.arg("SETNAME").arg(n);
            }
            self.raw_call(c.as_args())?;
        } else {
            if let Some(p) = &o.password {
                let c = match &o.username {
                    Some(u) => crate::cmd("AUTH").arg(u).arg(p),
                    None => crate::cmd("AUTH").arg(p),
                };
                self.raw_call(c.as_args())?;
            }
            if let Some(n) = &name {
                self.raw_call(crate::cmd("CLIENT").arg("SETNAME").arg(n).as_args())?;
            }
        }
        let db = self.session.db.unwrap_or(o.db);
        if db != 0 {
            self.raw_call(crate::cmd("SELECT").arg(&db).as_args())?;
        }
        // Subscriptions: their confirmations are read by the pub/sub layer
        // like any other message.
        let s = self.session.clone();
        for (verb, set) in [("SUBSCRIBE", &s.channels), ("PSUBSCRIBE", &s.patterns)] {
            if !set.is_empty() {
                let c = crate::cmd(verb).args(set.iter());
                self.send(c.as_args())?;
            }
        }
        for ch in &s.shard_channels {
            // One per call: shard channels need not share a slot.
            self.send(crate::cmd("SSUBSCRIBE").arg(ch).as_args())?;
        }
        Ok(())
    }

    /// Write one command without reading its reply.
    pub(crate) fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<()> {
        let mut out = Vec::new();
        resp::encode_command(&mut out, args);
        self.write_all(&out)
    }

    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        let Some(s) = &mut self.stream else {
            return Err(Error::Io(std::io::Error::new(ErrorKind::NotConnected, "not connected")));
        };
        if let Err(e) = s.write_all(bytes) {
            self.drop_stream();
            return Err(e.into());
        }
        Ok(())
    }

    /// Read the next frame of any kind (pushes included).
    pub(crate) fn read_frame(&mut self) -> Result<Value> {
        loop {
            match resp::parse(&self.buf[self.start..]) {
                Ok(Parsed::Complete(v, used)) => {
                    self.start += used;
                    if self.start == self.buf.len() {
                        self.buf.clear();
                        self.start = 0;
                    }
                    return Ok(v);
                }
                Ok(Parsed::Incomplete(need)) => self.fill(need)?,
                Err(e) => {
                    self.drop_stream();
                    return Err(Error::Protocol(e.0));
                }
            }
        }
    }

    /// Read until the unparsed part of the buffer holds `need` bytes.
    fn fill(&mut self, need: usize) -> Result<()> {
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let Some(s) = &mut self.stream else {
            return Err(Error::Io(std::io::Error::new(ErrorKind::NotConnected, "not connected")));
        };
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match s.read(&mut chunk) {
                Ok(0) => {
                    self.drop_stream();
                    return Err(Error::Io(std::io::Error::new(
                        ErrorKind::UnexpectedEof,
                        "server closed the connection",
                    )));
                }
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    if self.buf.len() - self.start >= need {
                        return Ok(());
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    // A timeout mid-reply leaves the stream out of step: drop it.
                    self.drop_stream();
                    return Err(e.into());
                }
            }
        }
    }

    /// Read the next non-push reply; pushes met on the way are queued for
    /// [`Connection::take_pushes`].
    pub(crate) fn read_reply(&mut self) -> Result<Value> {
        loop {
            match self.read_frame()? {
                Value::Push(p) => self.pushes.push_back(Value::Push(p)),
                v => return Ok(v),
            }
        }
    }

    fn raw_call<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Value> {
        self.send(args)?;
        match self.read_reply()? {
            Value::Error(e) => Err(Error::Server(String::from_utf8_lossy(&e).into_owned())),
            v => Ok(v),
        }
    }

    /// Run one command given as raw arguments; an error reply is an `Err`.
    pub fn call_args<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Value> {
        self.ensure()?;
        let v = self.raw_call(args)?;
        self.note_state(args);
        Ok(v)
    }

    /// Run a command and convert its reply.
    pub fn query<T: FromValue>(&mut self, c: &Cmd) -> Result<T> {
        T::from_value(self.call_args(c.as_args())?)
    }

    /// Run a blocking command (BLMOVE, XREADGROUP BLOCK ...) that may wait
    /// up to `block` on the server: the read timeout is extended by that.
    pub fn query_blocking<T: FromValue>(&mut self, c: &Cmd, block: Duration) -> Result<T> {
        self.ensure()?;
        let base = self.opts.read_timeout;
        let longer = base.map(|t| t + block);
        if let Some(s) = &self.stream {
            s.set_read_timeout(longer)?;
        }
        let r = self.raw_call(c.as_args());
        if let Some(s) = &self.stream {
            s.set_read_timeout(base)?;
        }
        T::from_value(r?)
    }

    /// Remember SELECT / CLIENT SETNAME so a reconnection replays them.
    fn note_state<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        note_session(&mut self.session, args);
    }

    /// Pushes (RESP3 out-of-band frames) received so far.
    pub fn take_pushes(&mut self) -> Vec<Value> {
        self.pushes.drain(..).collect()
    }

    /// Wait up to `timeout` for one frame; `Ok(None)` on timeout. Used for
    /// pub/sub and invalidation reading: a timeout keeps partial input in
    /// the buffer, so the stream stays in step.
    pub(crate) fn poll_frame(&mut self, timeout: Duration) -> Result<Option<Value>> {
        if let Some(v) = self.pushes.pop_front() {
            return Ok(Some(v));
        }
        self.ensure()?;
        if let Ok(Parsed::Complete(..)) = resp::parse(&self.buf[self.start..]) {
            return self.read_frame().map(Some);
        }
        let Some(s) = &mut self.stream else { return Ok(None) };
        s.set_read_timeout(Some(timeout.max(Duration::from_micros(1))))?;
        let mut chunk = [0u8; 16 * 1024];
        let r = s.read(&mut chunk);
        s.set_read_timeout(self.opts.read_timeout)?;
        match r {
            Ok(0) => {
                self.drop_stream();
                Err(Error::Io(std::io::Error::new(
                    ErrorKind::UnexpectedEof,
                    "server closed the connection",
                )))
            }
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                match resp::parse(&self.buf[self.start..]) {
                    Ok(Parsed::Complete(..)) | Err(_) => self.read_frame().map(Some),
                    Ok(Parsed::Incomplete(_)) => Ok(None),
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => Ok(None),
            Err(e) => {
                self.drop_stream();
                Err(e.into())
            }
        }
    }

    /// Every frame that has already arrived, without waiting.
    pub(crate) fn drain_available(&mut self) -> Result<Vec<Value>> {
        let mut out: Vec<Value> = self.pushes.drain(..).collect();
        let Some(s) = &mut self.stream else { return Ok(out) };
        s.set_nonblocking(true)?;
        let mut chunk = [0u8; 16 * 1024];
        let mut closed = false;
        loop {
            match s.read(&mut chunk) {
                Ok(0) => {
                    closed = true;
                    break;
                }
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => {
                    closed = true;
                    break;
                }
            }
        }
        if closed {
            self.drop_stream();
            return Err(Error::Io(std::io::Error::new(
                ErrorKind::UnexpectedEof,
                "server closed the connection",
            )));
        }
        s.set_nonblocking(false)?;
        while let Ok(Parsed::Complete(..)) = resp::parse(&self.buf[self.start..]) {
            out.push(self.read_frame()?);
        }
        Ok(out)
    }

    /// This connection's `CLIENT ID`.
    pub fn client_id(&mut self) -> Result<i64> {
        self.query(&crate::cmd("CLIENT").arg("ID"))
    }

    /// A new, empty pipeline.
    pub fn pipeline(&self) -> Pipeline {
        Pipeline::default()
    }

    /// Optimistic transaction: WATCH `keys`, let `build` read what it needs
    /// and return the commands to queue, then MULTI/EXEC them; retried (up
    /// to `attempts` times) when a watched key changed. Returns EXEC's
    /// replies, or `Err(Other)` when every attempt lost the race.
    pub fn transaction<K: AsRef<[u8]>>(
        &mut self,
        keys: &[K],
        attempts: usize,
        mut build: impl FnMut(&mut Connection) -> Result<Pipeline>,
    ) -> Result<Vec<Value>> {
        for _ in 0..attempts.max(1) {
            let mut w = vec![b"WATCH".to_vec()];
            w.extend(keys.iter().map(|k| k.as_ref().to_vec()));
            self.call_args(&w)?;
            let p = match build(self) {
                Ok(p) => p,
                Err(e) => {
                    if self.is_connected() {
                        let _ = self.call_args(&["UNWATCH"]);
                    }
                    return Err(e);
                }
            };
            if let Some(r) = p.run_atomic(self)? {
                return Ok(r);
            }
        }
        Err(Error::Other("transaction aborted: watched keys kept changing".into()))
    }
}

/// Commands sent together and answered together.
#[derive(Clone, Debug, Default)]
pub struct Pipeline {
    pub(crate) cmds: Vec<Cmd>,
}

impl Pipeline {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, c: Cmd) -> &mut Self {
        self.cmds.push(c);
        self
    }

    pub fn len(&self) -> usize {
        self.cmds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cmds.is_empty()
    }

    fn write(&self, conn: &mut Connection, wrap: bool) -> Result<()> {
        conn.ensure()?;
        let mut out = Vec::new();
        if wrap {
            resp::encode_command(&mut out, &["MULTI"]);
        }
        for c in &self.cmds {
            resp::encode_command(&mut out, c.as_args());
        }
        if wrap {
            resp::encode_command(&mut out, &["EXEC"]);
        }
        conn.write_all(&out)
    }

    /// Send every command, then read every reply (error replies stay in the
    /// vector as [`Value::Error`]).
    pub fn run(&self, conn: &mut Connection) -> Result<Vec<Value>> {
        self.write(conn, false)?;
        let mut out = Vec::with_capacity(self.cmds.len());
        for c in &self.cmds {
            out.push(conn.read_reply()?);
            conn.note_state(c.as_args());
        }
        Ok(out)
    }

    /// The same wrapped in MULTI/EXEC: `Ok(None)` when EXEC was aborted by
    /// WATCH, `Err(Server)` when a command was refused while queueing.
    pub fn run_atomic(&self, conn: &mut Connection) -> Result<Option<Vec<Value>>> {
        self.write(conn, true)?;
        let mut queue_err = None;
        for _ in 0..=self.cmds.len() {
            if let Value::Error(e) = conn.read_reply()? {
                queue_err.get_or_insert(e);
            }
        }
        let exec = conn.read_reply()?;
        if let Some(e) = queue_err {
            return Err(Error::Server(String::from_utf8_lossy(&e).into_owned()));
        }
        match exec {
            Value::Nil => Ok(None),
            Value::Error(e) => Err(Error::Server(String::from_utf8_lossy(&e).into_owned())),
            v => match v.into_items() {
                Some(items) => Ok(Some(items)),
                None => Err(Error::Type("EXEC reply is not an array".into())),
            },
        }
    }
}

/// Remember SELECT / CLIENT SETNAME in `s` (shared with the async connection).
pub(crate) fn note_session<A: AsRef<[u8]>>(s: &mut Session, args: &[A]) {
    {
        let arg = |i: usize| args.get(i).map(|a| a.as_ref());
        match arg(0) {
            Some(a) if a.eq_ignore_ascii_case(b"SELECT") => {
                s.db = arg(1).and_then(|d| resp::parse_int(d).ok());
            }
            Some(a) if a.eq_ignore_ascii_case(b"CLIENT") && arg(1).is_some_and(|x| x.eq_ignore_ascii_case(b"SETNAME")) => {
                s.name = arg(2).map(|n| n.to_vec()).filter(|n| !n.is_empty());
            }
            _ => {}
        }
    }
}
