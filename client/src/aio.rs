//! The async API on tokio (feature `tokio`, off by default).
//!
//! * [`AsyncConnection`]: one task's connection, the async twin of
//!   [`crate::Connection`]: same codec ([`crate::resp`]), same handshake and
//!   state replay (AUTH / HELLO / SETNAME / SELECT) after a reconnection with
//!   backoff, read/write timeouts, pipelines, MULTI/EXEC with WATCH retry
//!   and scripts ([`crate::Script::invoke_async`]).
//! * [`MultiplexedConnection`]: a cloneable handle; many tasks share one
//!   socket owned by a driver task. Requests are written in the order they
//!   arrive and replies are handed back in that same order (Redis answers
//!   one connection's commands in order), so no request ids are needed. A
//!   broken socket fails the requests in flight with [`Error::Io`]; the next
//!   request reconnects and replays the session.
//!
//! Not here yet: pub/sub as a `Stream` (use the blocking [`crate::pubsub`]).

use crate::conn::{note_session, Session};
use crate::resp::{self, Parsed};
use crate::{cmd, Cmd, ConnectOptions, Error, FromValue, Pipeline, Protocol, Result, Value};
use std::collections::VecDeque;
use std::io::ErrorKind;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

fn io_err(kind: ErrorKind, msg: &str) -> Error {
    Error::Io(std::io::Error::new(kind, msg.to_string()))
}

fn server_err(e: &[u8]) -> Error {
    Error::Server(String::from_utf8_lossy(e).into_owned())
}

/// Run `f` under an optional deadline; running out is a `TimedOut` I/O error.
async fn within<T>(t: Option<Duration>, f: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    match t {
        Some(t) => match tokio::time::timeout(t, f).await {
            Ok(r) => r,
            Err(_) => Err(io_err(ErrorKind::TimedOut, "timed out")),
        },
        None => f.await,
    }
}

/// A socket and its read buffer.
struct Wire {
    stream: TcpStream,
    buf: Vec<u8>,
    start: usize,
}

impl Wire {
    /// One complete frame from the buffer, if there is one.
    fn parse_one(&mut self) -> Result<Option<Value>> {
        match resp::parse(&self.buf[self.start..]) {
            Ok(Parsed::Complete(v, used)) => {
                self.start += used;
                if self.start == self.buf.len() {
                    self.buf.clear();
                    self.start = 0;
                }
                Ok(Some(v))
            }
            Ok(Parsed::Incomplete(_)) => Ok(None),
            Err(e) => Err(Error::Protocol(e.0)),
        }
    }

    /// One read from the socket into the buffer (cancel-safe).
    async fn fill(&mut self) -> Result<()> {
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io_err(ErrorKind::UnexpectedEof, "server closed the connection"));
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    /// The next non-push frame; pushes go to `pushes`.
    async fn read_reply(&mut self, pushes: &mut VecDeque<Value>) -> Result<Value> {
        loop {
            match self.parse_one()? {
                Some(Value::Push(p)) => pushes.push_back(Value::Push(p)),
                Some(v) => return Ok(v),
                None => self.fill().await?,
            }
        }
    }
}

/// The handshake a (re)connection runs, in order.
fn handshake(o: &ConnectOptions, s: &Session) -> Vec<Cmd> {
    let mut out = Vec::new();
    let name = s.name.clone().or_else(|| o.client_name.as_ref().map(|n| n.as_bytes().to_vec()));
    if o.protocol == Protocol::Resp3 {
        let mut c = cmd("HELLO").arg("3");
        if let Some(p) = &o.password {
            c = c.arg("AUTH").arg(o.username.as_deref().unwrap_or("default")).arg(p);
        }
        if let Some(n) = &name {
            c = c.arg("SETNAME").arg(n);
        }
        out.push(c);
    } else {
        if let Some(p) = &o.password {
            out.push(match &o.username {
                Some(u) => cmd("AUTH").arg(u).arg(p),
                None => cmd("AUTH").arg(p),
            });
        }
        if let Some(n) = &name {
            out.push(cmd("CLIENT").arg("SETNAME").arg(n));
        }
    }
    let db = s.db.unwrap_or(o.db);
    if db != 0 {
        out.push(cmd("SELECT").arg(&db));
    }
    out
}

async fn open_wire(o: &ConnectOptions, s: &Session) -> Result<Wire> {
    let stream = within(Some(o.connect_timeout), async { Ok(TcpStream::connect(o.addr.as_str()).await?) }).await?;
    stream.set_nodelay(true)?;
    let mut w = Wire {
        stream,
        buf: Vec::new(),
        start: 0,
    };
    let mut pushes = VecDeque::new();
    for c in handshake(o, s) {
        let mut out = Vec::new();
        resp::encode_command(&mut out, c.as_args());
        within(o.write_timeout, async { Ok(w.stream.write_all(&out).await?) }).await?;
        if let Value::Error(e) = within(o.read_timeout, w.read_reply(&mut pushes)).await? {
            return Err(server_err(&e));
        }
    }
    Ok(w)
}

/// Connect following the backoff schedule; errors other than I/O (a refused
/// password, an unknown database) stop at once.
async fn connect_with_backoff(o: &ConnectOptions, s: &Session) -> Result<Wire> {
    let b = &o.backoff;
    let mut wait = b.base;
    let mut last = None;
    for attempt in 0..b.attempts.max(1) {
        if attempt > 0 {
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(b.max);
        }
        match open_wire(o, s).await {
            Ok(w) => return Ok(w),
            Err(e) if e.is_io() => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| Error::Other("cannot connect".into())))
}

fn encode_all(cmds: &[Cmd], wrap: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if wrap {
        resp::encode_command(&mut out, &["MULTI"]);
    }
    for c in cmds {
        resp::encode_command(&mut out, c.as_args());
    }
    if wrap {
        resp::encode_command(&mut out, &["EXEC"]);
    }
    out
}

/// The replies of `MULTI`, the queued commands and `EXEC` as the blocking
/// `run_atomic` reports them.
fn atomic_result(replies: Vec<Value>) -> Result<Option<Vec<Value>>> {
    let mut queue_err = None;
    let mut it = replies.into_iter();
    let exec = it.next_back();
    for v in it {
        if let Value::Error(e) = v {
            queue_err.get_or_insert(e);
        }
    }
    if let Some(e) = queue_err {
        return Err(server_err(&e));
    }
    match exec {
        Some(Value::Nil) => Ok(None),
        Some(Value::Error(e)) => Err(server_err(&e)),
        Some(v) => match v.into_items() {
            Some(items) => Ok(Some(items)),
            None => Err(Error::Type("EXEC reply is not an array".into())),
        },
        None => Err(Error::Protocol("no EXEC reply".into())),
    }
}

/// One task's async connection.
pub struct AsyncConnection {
    opts: ConnectOptions,
    wire: Option<Wire>,
    session: Session,
    pushes: VecDeque<Value>,
    generation: u64,
}

impl AsyncConnection {
    /// Connect (with the backoff schedule) and run the handshake.
    pub async fn connect(opts: ConnectOptions) -> Result<AsyncConnection> {
        let mut c = AsyncConnection {
            opts,
            wire: None,
            session: Session::default(),
            pushes: VecDeque::new(),
            generation: 0,
        };
        c.ensure().await?;
        Ok(c)
    }

    pub async fn open(addr: &str) -> Result<AsyncConnection> {
        Self::connect(ConnectOptions::new(addr)).await
    }

    /// Bumped by every successful (re)connect.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn is_connected(&self) -> bool {
        self.wire.is_some()
    }

    /// Close the socket; the next call reconnects.
    pub fn disconnect(&mut self) {
        self.wire = None;
    }

    /// Pushes (RESP3 out-of-band frames) received so far.
    pub fn take_pushes(&mut self) -> Vec<Value> {
        self.pushes.drain(..).collect()
    }

    async fn ensure(&mut self) -> Result<()> {
        // A socket the server closed while we were idle shows as readable
        // with nothing to read: drop it before using it.
        if let Some(w) = &mut self.wire {
            let mut one = [0u8; 1];
            match w.stream.try_read(&mut one) {
                Ok(0) => self.wire = None,
                Ok(_) => w.buf.push(one[0]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => self.wire = None,
            }
        }
        if self.wire.is_none() {
            self.wire = Some(connect_with_backoff(&self.opts, &self.session).await?);
            self.pushes.clear();
            self.generation += 1;
        }
        Ok(())
    }

    /// Write `out` and read `n` replies (error replies included); any
    /// failure of the socket, the protocol or a timeout drops the socket,
    /// which is out of step by then.
    async fn roundtrip(&mut self, out: &[u8], n: usize) -> Result<Vec<Value>> {
        self.ensure().await?;
        let (wt, rt) = (self.opts.write_timeout, self.opts.read_timeout);
        let Some(w) = &mut self.wire else {
            return Err(io_err(ErrorKind::NotConnected, "not connected"));
        };
        let pushes = &mut self.pushes;
        let r = async {
            within(wt, async { Ok(w.stream.write_all(out).await?) }).await?;
            within(rt, async {
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push(w.read_reply(pushes).await?);
                }
                Ok(v)
            })
            .await
        }
        .await;
        if r.is_err() {
            self.wire = None;
        }
        r
    }

    /// Run one command given as raw arguments; an error reply is an `Err`.
    pub async fn call_args<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Value> {
        let mut out = Vec::new();
        resp::encode_command(&mut out, args);
        let v = self.roundtrip(&out, 1).await?.pop();
        match v {
            Some(Value::Error(e)) => Err(server_err(&e)),
            Some(v) => {
                note_session(&mut self.session, args);
                Ok(v)
            }
            None => Err(Error::Protocol("no reply".into())),
        }
    }

    /// Run a command and convert its reply.
    pub async fn query<T: FromValue>(&mut self, c: &Cmd) -> Result<T> {
        T::from_value(self.call_args(c.as_args()).await?)
    }

    /// Send every command of `p`, then read every reply (error replies stay
    /// in the vector as [`Value::Error`]).
    pub async fn pipeline(&mut self, p: &Pipeline) -> Result<Vec<Value>> {
        let out = encode_all(&p.cmds, false);
        let v = self.roundtrip(&out, p.cmds.len()).await?;
        for c in &p.cmds {
            note_session(&mut self.session, c.as_args());
        }
        Ok(v)
    }

    /// `p` wrapped in MULTI/EXEC: `Ok(None)` when WATCH aborted it.
    pub async fn pipeline_atomic(&mut self, p: &Pipeline) -> Result<Option<Vec<Value>>> {
        let out = encode_all(&p.cmds, true);
        atomic_result(self.roundtrip(&out, p.cmds.len() + 2).await?)
    }

    /// Optimistic transaction: WATCH `keys`, run the `reads`, let `build`
    /// turn their replies into the pipeline to commit, EXEC; start over
    /// (up to `attempts` times) while a watched key changed in between.
    pub async fn transaction<K: AsRef<[u8]>>(
        &mut self,
        keys: &[K],
        reads: &[Cmd],
        attempts: usize,
        mut build: impl FnMut(Vec<Value>) -> Result<Pipeline>,
    ) -> Result<Vec<Value>> {
        for _ in 0..attempts.max(1) {
            let mut w = vec![b"WATCH".to_vec()];
            w.extend(keys.iter().map(|k| k.as_ref().to_vec()));
            self.call_args(&w).await?;
            let mut got = Vec::with_capacity(reads.len());
            for c in reads {
                got.push(self.call_args(c.as_args()).await?);
            }
            let p = match build(got) {
                Ok(p) => p,
                Err(e) => {
                    if self.is_connected() {
                        let _ = self.call_args(&["UNWATCH"]).await;
                    }
                    return Err(e);
                }
            };
            if let Some(r) = self.pipeline_atomic(&p).await? {
                return Ok(r);
            }
        }
        Err(Error::Other("transaction aborted: watched keys kept changing".into()))
    }
}

/// One request to the driver: bytes to write and how many replies they get.
struct Request {
    bytes: Vec<u8>,
    replies: usize,
    /// SELECT / CLIENT SETNAME among the commands, for the replay.
    state: Vec<Vec<Vec<u8>>>,
    done: oneshot::Sender<Result<Vec<Value>>>,
}

struct InFlight {
    left: usize,
    got: Vec<Value>,
    done: oneshot::Sender<Result<Vec<Value>>>,
}

/// A connection shared by many tasks (clone the handle). Needs a tokio
/// runtime: the socket lives in a spawned driver task that ends when the
/// last handle is dropped.
#[derive(Clone)]
pub struct MultiplexedConnection {
    tx: mpsc::UnboundedSender<Request>,
    read_timeout: Option<Duration>,
    generation: Arc<AtomicU64>,
}

impl MultiplexedConnection {
    /// Connect now (so a wrong address or password fails here) and spawn the
    /// driver on the current runtime.
    pub async fn connect(opts: ConnectOptions) -> Result<MultiplexedConnection> {
        let session = Session::default();
        let wire = connect_with_backoff(&opts, &session).await?;
        let (tx, rx) = mpsc::unbounded_channel();
        let generation = Arc::new(AtomicU64::new(1));
        let read_timeout = opts.read_timeout;
        tokio::spawn(drive(opts, session, Some(wire), rx, generation.clone()));
        Ok(MultiplexedConnection {
            tx,
            read_timeout,
            generation,
        })
    }

    /// Bumped by every successful (re)connect.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Relaxed)
    }

    async fn send(&self, cmds: &[Cmd], wrap: bool) -> Result<Vec<Value>> {
        let state = cmds
            .iter()
            .filter(|c| {
                c.as_args()
                    .first()
                    .is_some_and(|a| a.eq_ignore_ascii_case(b"SELECT") || a.eq_ignore_ascii_case(b"CLIENT"))
            })
            .map(|c| c.as_args().to_vec())
            .collect();
        let (done, rx) = oneshot::channel();
        let req = Request {
            bytes: encode_all(cmds, wrap),
            replies: cmds.len() + if wrap { 2 } else { 0 },
            state,
            done,
        };
        if self.tx.send(req).is_err() {
            return Err(io_err(ErrorKind::NotConnected, "driver task is gone"));
        }
        // A timed-out request stays in line on the driver: its late reply is
        // dropped there, so later replies still match their requests.
        within(self.read_timeout, async {
            match rx.await {
                Ok(r) => r,
                Err(_) => Err(io_err(ErrorKind::NotConnected, "driver task is gone")),
            }
        })
        .await
    }

    /// Run one command given as raw arguments; an error reply is an `Err`.
    pub async fn call_args<A: AsRef<[u8]>>(&self, args: &[A]) -> Result<Value> {
        let c = Cmd::from_args(args);
        match self.send(std::slice::from_ref(&c), false).await?.pop() {
            Some(Value::Error(e)) => Err(server_err(&e)),
            Some(v) => Ok(v),
            None => Err(Error::Protocol("no reply".into())),
        }
    }

    pub async fn query<T: FromValue>(&self, c: &Cmd) -> Result<T> {
        T::from_value(self.call_args(c.as_args()).await?)
    }

    /// The commands of `p` written back to back; replies in order.
    pub async fn pipeline(&self, p: &Pipeline) -> Result<Vec<Value>> {
        self.send(&p.cmds, false).await
    }

    /// `p` in MULTI/EXEC, written as one block so no other task's command
    /// can land inside the transaction. (WATCH cannot be used on a shared
    /// connection: use an [`AsyncConnection`] for optimistic transactions.)
    pub async fn pipeline_atomic(&self, p: &Pipeline) -> Result<Option<Vec<Value>>> {
        atomic_result(self.send(&p.cmds, true).await?)
    }
}

/// Wait for more bytes on the socket, or forever when there is none.
async fn read_more(w: Option<&mut Wire>) -> Result<()> {
    match w {
        Some(w) => w.fill().await,
        None => std::future::pending().await,
    }
}

fn fail_all(q: &mut VecDeque<InFlight>, why: &Error) {
    for f in q.drain(..) {
        let kind = match why {
            Error::Io(e) => e.kind(),
            _ => ErrorKind::InvalidData,
        };
        let _ = f.done.send(Err(io_err(kind, &format!("connection lost: {}", why))));
    }
}

async fn drive(
    opts: ConnectOptions,
    mut session: Session,
    mut wire: Option<Wire>,
    mut rx: mpsc::UnboundedReceiver<Request>,
    generation: Arc<AtomicU64>,
) {
    let mut q: VecDeque<InFlight> = VecDeque::new();
    loop {
        tokio::select! {
            req = rx.recv() => {
                let Some(req) = req else { return };
                if wire.is_none() {
                    match connect_with_backoff(&opts, &session).await {
                        Ok(w) => {
                            wire = Some(w);
                            generation.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            let _ = req.done.send(Err(e));
                            continue;
                        }
                    }
                }
                let Some(w) = &mut wire else { continue };
                let wrote = within(opts.write_timeout, async { Ok(w.stream.write_all(&req.bytes).await?) }).await;
                if let Err(e) = wrote {
                    fail_all(&mut q, &e);
                    wire = None;
                    let _ = req.done.send(Err(e));
                    continue;
                }
                for a in &req.state {
                    note_session(&mut session, a);
                }
                q.push_back(InFlight { left: req.replies, got: Vec::with_capacity(req.replies), done: req.done });
            }
            r = read_more(wire.as_mut()) => {
                let mut broken = r.err();
                if let Some(w) = &mut wire {
                    while broken.is_none() {
                        match w.parse_one() {
                            Ok(Some(Value::Push(_))) => {}
                            Ok(Some(v)) => match q.front_mut() {
                                Some(f) => {
                                    f.got.push(v);
                                    f.left -= 1;
                                    if f.left == 0 {
                                        if let Some(f) = q.pop_front() {
                                            let _ = f.done.send(Ok(f.got));
                                        }
                                    }
                                }
                                None => broken = Some(Error::Protocol("reply nobody asked for".into())),
                            },
                            Ok(None) => break,
                            Err(e) => broken = Some(e),
                        }
                    }
                }
                if let Some(e) = broken {
                    fail_all(&mut q, &e);
                    wire = None;
                }
            }
        }
    }
}
