//! Listeners and connections (anet.c, connection.c, connhelpers.h,
//! syncio.c): TCP on every `bind` address, the unix socket, and [`Conn`],
//! the one connection type every peer is reached through.
//!
//! # The connection contract
//!
//! Every peer socket is a [`Conn`]: clients (accepted by a
//! [`listener::Listener`]), the link to our master (handshake and RDB
//! transfer, then the master client), our replicas (ordinary clients that
//! said SYNC/PSYNC), MIGRATE's cached outgoing connections, the Lua
//! debugger's session, and later cluster bus links. Nothing outside this
//! module touches a peer's file descriptor for I/O, creates a socket, or
//! knows which kind a connection is beyond asking [`Conn::kind`]; `fd()`
//! exists for CLIENT LIST's `fd=` field only.
//!
//! What a connection offers, and what callers may rely on:
//! - **Non-blocking I/O** for the event loop: [`Conn::read_into`] reads
//!   straight into the spare capacity of the caller's buffer (the client
//!   hot path: one syscall, no zeroing, no copy) and [`Conn::write`]
//!   writes what the socket takes. Both return `WouldBlock` when nothing
//!   can be done now; `Ok(0)` from `read_into` is the peer's EOF.
//! - **Pending input**: [`Conn::has_pending_input`] is true when input is
//!   already buffered inside the connection (decrypted TLS records), so
//!   no readiness event will ever announce it. The rule for every reader
//!   driven by the loop: after a read, if the connection still has
//!   pending input, do not wait for the poller; come back in the same or
//!   the next loop iteration. The client read path honours it by treating
//!   such a client as "more to read" (`pending_read`, which `before_sleep`
//!   serves and which makes the poll timeout zero); the replica transfer
//!   reads until `WouldBlock`, which a buffered connection never returns
//!   while it holds input. Plain sockets always say false (inlined away).
//! - **Outgoing links**: [`Conn::connect`] starts a non-blocking connect
//!   (optionally from a source address, `bind-source-addr`); the caller
//!   registers the connection and, on its first event, asks
//!   [`Conn::finish_connect`] whether it is up, still in progress, or
//!   failed. A blocking connect is `connect` plus [`Conn::wait`] for
//!   writability (MIGRATE).
//! - **Synchronous helpers** for the few users that hold the loop on
//!   purpose (MIGRATE, the Lua debugger's session): [`Conn::wait`] for
//!   readiness with a timeout, [`Conn::sync_write`] (all bytes within a
//!   deadline, `syncWrite`) and [`Conn::sync_read`] (at least one byte
//!   within a deadline or forever, `syncRead`). They poll the socket and
//!   never switch it to blocking mode, so the same connection stays
//!   registered with the loop and usable by it afterwards.
//! - **Registration**: a `Conn` is a `mio::event::Source`; register it
//!   under a typed token (`crate::ae::Tok`), edge-triggered, and drain
//!   reads until `WouldBlock` or a short read.
//! - Peer and local names (`peer_id`, `sock_name`, Redis's format),
//!   `set_nodelay`, `shutdown`.
//!
//! - **Swapped directions** (TLS): a read may need the socket writable
//!   (a handshake record to send) and a write may need it readable.
//!   [`Conn::read_needs_writable`] / [`Conn::write_needs_readable`] say
//!   so; the loop then runs the read handler on a writable event and the
//!   write handler on a readable one (`tlsHandleEvent`). Plain sockets
//!   always say false.
//!
//! # Connection kinds
//!
//! A kind is one variant of the private `Sock` enum plus its
//! [`ConnKind`]; callers do not change. TLS ([`tls`]: OpenSSL over a
//! `mio::net::TcpStream`) is the third:
//! - every `match` on `Sock` in this file has its arm: `read_into`
//!   decrypts into the caller's buffer, `write` encrypts what the socket
//!   takes, registration and names use the TCP socket;
//! - `has_pending_input` is true while decrypted or undecrypted input is
//!   held by the connection (see `tls.rs`);
//! - the handshake never blocks the loop: a TLS listener's accept returns
//!   the connection at once, in handshake state; `read_into` and `write`
//!   drive the handshake on each readiness event and report `WouldBlock`
//!   until application data flows (a failed handshake is an error, so the
//!   client is freed as after any read error). Outgoing links
//!   ([`Conn::connect`] with a [`tls::Tls`]) handshake from
//!   `finish_connect`, which stays `Ok(false)` until it is done;
//!   [`Conn::sync_handshake`] does it within a deadline (MIGRATE).

pub mod listener;
pub mod tls;

use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, Instant};

/// What a connection runs over (`connGetType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnKind {
    Tcp,
    Unix,
    Tls,
}

/// The readiness a synchronous caller waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ready {
    Read,
    Write,
}

/// The transport under a connection. Private: callers see [`Conn`] and
/// [`ConnKind`] only, so a new kind is added here and nowhere else.
enum Sock {
    Tcp(mio::net::TcpStream),
    Unix(mio::net::UnixStream),
    Tls(Box<tls::TlsStream>),
}

/// A connection to a peer (`connection`): see the module docs for the
/// contract.
pub struct Conn {
    sock: Sock,
    /// The socket's descriptor, kept so the read path needs no dispatch.
    fd: RawFd,
}

/// Poll granularity of the synchronous helpers (`SYNCIO__RESOLUTION`):
/// a timed wait never asks the kernel for less than this.
const SYNCIO_RESOLUTION: Duration = Duration::from_millis(10);

impl Conn {
    fn from_tcp(s: mio::net::TcpStream) -> Conn {
        let fd = s.as_raw_fd();
        Conn { sock: Sock::Tcp(s), fd }
    }

    fn from_unix(s: mio::net::UnixStream) -> Conn {
        let fd = s.as_raw_fd();
        Conn { sock: Sock::Unix(s), fd }
    }

    fn from_tls(s: tls::TlsStream) -> Conn {
        let fd = s.tcp().as_raw_fd();
        Conn {
            sock: Sock::Tls(Box::new(s)),
            fd,
        }
    }

    /// Starts a non-blocking TCP connect to `addr`, from `source` when
    /// given (`anetTcpNonBlockBindConnect`), over TLS when `tls` is given.
    /// Ok once the connect is under way; [`Conn::finish_connect`] tells
    /// how it ended (for TLS: when the handshake did). Like anet, the
    /// socket gets SO_REUSEADDR, so connection-heavy users do not run out
    /// of local ports.
    pub fn connect(addr: SocketAddr, source: Option<IpAddr>, tls: Option<&tls::Tls>) -> io::Result<Conn> {
        use socket2::{Domain, Protocol, Socket, Type};
        let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        sock.set_nonblocking(true)?;
        let _ = sock.set_reuse_address(true);
        if let Some(src) = source {
            sock.bind(&SocketAddr::new(src, 0).into())?;
        }
        match sock.connect(&addr.into()) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) => return Err(e),
        }
        let tcp = mio::net::TcpStream::from_std(sock.into());
        match tls {
            None => Ok(Conn::from_tcp(tcp)),
            Some(t) => Ok(Conn::from_tls(t.connect(tcp)?)),
        }
    }

    /// After an event on a connection started by [`Conn::connect`]:
    /// Ok(true) when it is established (TLS: handshake done), Ok(false)
    /// while still in progress, Err with the reason it failed.
    pub fn finish_connect(&mut self) -> io::Result<bool> {
        match &mut self.sock {
            Sock::Tcp(s) => tcp_connected(s),
            Sock::Unix(_) => Ok(true),
            Sock::Tls(t) => {
                if t.tcp_connecting() {
                    if !tcp_connected(t.tcp())? {
                        return Ok(false);
                    }
                    t.tcp_connected();
                }
                t.handshake()
            }
        }
    }

    /// Completes a connection started by [`Conn::connect`] within
    /// `timeout`, waiting for the socket as the connect or handshake
    /// needs (`connBlockingConnect`). Err(TimedOut) when time ran out.
    pub fn sync_handshake(&mut self, timeout: Duration) -> io::Result<()> {
        let start = Instant::now();
        loop {
            if self.finish_connect()? {
                return Ok(());
            }
            let remaining = deadline_left(start, timeout)?;
            let want = match &self.sock {
                Sock::Tls(t) => t.handshake_wants().unwrap_or(Ready::Write),
                _ => Ready::Write,
            };
            self.poll_fd(want, Some(remaining.max(SYNCIO_RESOLUTION)))?;
        }
    }

    /// A connected pair of unix connections, for tests.
    #[cfg(test)]
    pub(crate) fn pair() -> io::Result<(Conn, Conn)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((Conn::from_unix(a), Conn::from_unix(b)))
    }

    pub fn kind(&self) -> ConnKind {
        match self.sock {
            Sock::Tcp(_) => ConnKind::Tcp,
            Sock::Unix(_) => ConnKind::Unix,
            Sock::Tls(_) => ConnKind::Tls,
        }
    }

    pub fn is_unix(&self) -> bool {
        self.kind() == ConnKind::Unix
    }

    /// The descriptor, for CLIENT LIST's `fd=` only: I/O goes through the
    /// methods here.
    pub fn fd(&self) -> i32 {
        self.fd
    }

    /// Reads at most `want` bytes into the spare capacity of `buf`,
    /// growing it first if needed, and extends its length by what was
    /// read (`connRead`). Ok(0) is the peer's EOF.
    #[inline]
    pub fn read_into(&mut self, buf: &mut Vec<u8>, want: usize) -> io::Result<usize> {
        match &mut self.sock {
            Sock::Tcp(_) | Sock::Unix(_) => read_fd_into(self.fd, buf, want),
            Sock::Tls(t) => t.read_into(buf, want),
        }
    }

    /// Writes what the socket takes of `buf` (`connWrite`).
    #[inline]
    pub fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sock {
            Sock::Tcp(s) => s.write(buf),
            Sock::Unix(s) => s.write(buf),
            Sock::Tls(t) => t.write(buf),
        }
    }

    /// True when input is buffered inside the connection, where no
    /// readiness event will announce it (`connHasPendingData`): the
    /// reader must come back without waiting for the poller.
    #[inline]
    pub fn has_pending_input(&self) -> bool {
        match &self.sock {
            Sock::Tcp(_) | Sock::Unix(_) => false,
            Sock::Tls(t) => t.has_pending(),
        }
    }

    /// True while a TLS handshake has not completed: bytes written now
    /// wait for it (`write` drives it and reports `WouldBlock`).
    pub fn handshake_pending(&self) -> bool {
        match &self.sock {
            Sock::Tcp(_) | Sock::Unix(_) => false,
            Sock::Tls(t) => t.handshake_wants().is_some(),
        }
    }

    /// True when the read path must run on a writable event: the last
    /// read (or the handshake) waits to write.
    #[inline]
    pub fn read_needs_writable(&self) -> bool {
        match &self.sock {
            Sock::Tcp(_) | Sock::Unix(_) => false,
            Sock::Tls(t) => t.read_wants_write(),
        }
    }

    /// True when the write path must run on a readable event: the last
    /// write (or the handshake) waits to read.
    #[inline]
    pub fn write_needs_readable(&self) -> bool {
        match &self.sock {
            Sock::Tcp(_) | Sock::Unix(_) => false,
            Sock::Tls(t) => t.write_wants_read(),
        }
    }

    /// Waits up to `timeout` (None: forever) for the connection to be
    /// ready for `ready` (`aeWait`). True when it is, or when an error or
    /// hang-up was reported (the next read or write finds out which);
    /// false when the time ran out or a signal interrupted the wait.
    pub fn wait(&self, ready: Ready, timeout: Option<Duration>) -> io::Result<bool> {
        if ready == Ready::Read && self.has_pending_input() {
            return Ok(true);
        }
        let ready = match &self.sock {
            Sock::Tls(t) => t.poll_for(ready),
            _ => ready,
        };
        self.poll_fd(ready, timeout)
    }

    /// poll(2) on the descriptor for `ready`.
    fn poll_fd(&self, ready: Ready, timeout: Option<Duration>) -> io::Result<bool> {
        let events = match ready {
            Ready::Read => libc::POLLIN,
            Ready::Write => libc::POLLOUT,
        };
        let ms = match timeout {
            None => -1,
            Some(t) => t.as_millis().min(i32::MAX as u128) as libc::c_int,
        };
        let mut p = libc::pollfd {
            fd: self.fd,
            events,
            revents: 0,
        };
        // SAFETY: `p` is one valid pollfd for the duration of the call.
        let n = unsafe { libc::poll(&mut p, 1, ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted {
                Ok(false)
            } else {
                Err(e)
            };
        }
        Ok(n > 0 && p.revents != 0)
    }

    /// Writes all of `buf` within `timeout` (`syncWrite`), waiting for the
    /// socket between writes. Err(TimedOut) when the time ran out.
    pub fn sync_write(&mut self, mut buf: &[u8], timeout: Duration) -> io::Result<()> {
        let start = Instant::now();
        let mut remaining = timeout;
        loop {
            match self.write(buf) {
                Ok(n) => buf = &buf[n..],
                Err(e) if is_transient(&e) => {}
                Err(e) => return Err(e),
            }
            if buf.is_empty() {
                return Ok(());
            }
            self.wait(Ready::Write, Some(remaining.max(SYNCIO_RESOLUTION)))?;
            remaining = deadline_left(start, timeout)?;
        }
    }

    /// Reads at least one byte (at most `want`) into `buf`, waiting up to
    /// `timeout` (None: forever) for it (`syncRead`, `connRead` on a
    /// blocking connection). Ok(0) is EOF; Err(TimedOut) when the time
    /// ran out.
    pub fn sync_read(&mut self, buf: &mut Vec<u8>, want: usize, timeout: Option<Duration>) -> io::Result<usize> {
        let start = Instant::now();
        let mut remaining = timeout;
        loop {
            match self.read_into(buf, want) {
                Ok(n) => return Ok(n),
                Err(e) if is_transient(&e) => {}
                Err(e) => return Err(e),
            }
            self.wait(Ready::Read, remaining.map(|r| r.max(SYNCIO_RESOLUTION)))?;
            if let Some(t) = timeout {
                remaining = Some(deadline_left(start, t)?);
            }
        }
    }

    /// "ip:port" of the peer, or the socket path for unix clients.
    pub fn peer_id(&self, unixsocket: &str) -> String {
        match &self.sock {
            Sock::Tcp(s) => s.peer_addr().map(|a| format_addr(&a)).unwrap_or_else(|_| "?:0".into()),
            Sock::Tls(t) => t.tcp().peer_addr().map(|a| format_addr(&a)).unwrap_or_else(|_| "?:0".into()),
            Sock::Unix(_) => format!("{unixsocket}:0"),
        }
    }

    /// "ip:port" of our side.
    pub fn sock_name(&self, unixsocket: &str) -> String {
        match &self.sock {
            Sock::Tcp(s) => s.local_addr().map(|a| format_addr(&a)).unwrap_or_else(|_| "?:0".into()),
            Sock::Tls(t) => t.tcp().local_addr().map(|a| format_addr(&a)).unwrap_or_else(|_| "?:0".into()),
            Sock::Unix(_) => format!("{unixsocket}:0"),
        }
    }

    /// TCP_NODELAY on or off (`connEnableTcpNoDelay`); nothing to do for
    /// a unix socket.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        match &self.sock {
            Sock::Tcp(s) => s.set_nodelay(on),
            Sock::Tls(t) => t.tcp().set_nodelay(on),
            Sock::Unix(_) => Ok(()),
        }
    }

    /// Closes both directions now (SHUTDOWN, CLIENT KILL); TLS says
    /// close_notify first.
    pub fn shutdown(&mut self) {
        let _ = match &mut self.sock {
            Sock::Tcp(s) => s.shutdown(std::net::Shutdown::Both),
            Sock::Unix(s) => s.shutdown(std::net::Shutdown::Both),
            Sock::Tls(t) => {
                t.shutdown();
                Ok(())
            }
        };
    }

    /// Reads with the `Read` trait, for code that wants it (tests).
    #[cfg(test)]
    fn read_slice(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.sock {
            Sock::Tcp(s) => io::Read::read(s, buf),
            Sock::Unix(s) => io::Read::read(s, buf),
            Sock::Tls(_) => {
                let mut v = Vec::new();
                let n = self.read_into(&mut v, buf.len())?;
                buf[..n].copy_from_slice(&v);
                Ok(n)
            }
        }
    }
}

impl mio::event::Source for Conn {
    fn register(&mut self, registry: &mio::Registry, token: mio::Token, interests: mio::Interest) -> io::Result<()> {
        match &mut self.sock {
            Sock::Tcp(s) => s.register(registry, token, interests),
            Sock::Unix(s) => s.register(registry, token, interests),
            Sock::Tls(t) => t.tcp_mut().register(registry, token, interests),
        }
    }

    fn reregister(&mut self, registry: &mio::Registry, token: mio::Token, interests: mio::Interest) -> io::Result<()> {
        match &mut self.sock {
            Sock::Tcp(s) => s.reregister(registry, token, interests),
            Sock::Unix(s) => s.reregister(registry, token, interests),
            Sock::Tls(t) => t.tcp_mut().reregister(registry, token, interests),
        }
    }

    fn deregister(&mut self, registry: &mio::Registry) -> io::Result<()> {
        match &mut self.sock {
            Sock::Tcp(s) => s.deregister(registry),
            Sock::Unix(s) => s.deregister(registry),
            Sock::Tls(t) => t.tcp_mut().deregister(registry),
        }
    }
}

/// Whether a non-blocking connect on `s` completed: Ok(true) connected,
/// Ok(false) still in progress, Err why it failed.
fn tcp_connected(s: &mio::net::TcpStream) -> io::Result<bool> {
    if let Some(e) = s.take_error()? {
        return Err(e);
    }
    match s.peer_addr() {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(false),
        Err(e) => Err(e),
    }
}

/// Errors after which a synchronous helper waits and tries again.
fn is_transient(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted)
}

/// What is left of `timeout` since `start`, or Err(TimedOut).
fn deadline_left(start: Instant, timeout: Duration) -> io::Result<Duration> {
    let elapsed = start.elapsed();
    if elapsed >= timeout {
        return Err(io::Error::from(io::ErrorKind::TimedOut));
    }
    Ok(timeout - elapsed)
}

/// read(2) on `fd` into the spare capacity of `buf`.
#[inline]
fn read_fd_into(fd: RawFd, buf: &mut Vec<u8>, want: usize) -> io::Result<usize> {
    buf.reserve(want);
    let spare = buf.spare_capacity_mut();
    let n = want.min(spare.len());
    // SAFETY: `spare` is writable, uninitialised memory owned by `buf` of at
    // least `n` bytes; read(2) writes at most `n` bytes into it, and we only
    // extend the length by what it reports as written.
    let r = unsafe { libc::read(fd, spare.as_mut_ptr().cast(), n) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    let r = r as usize;
    // SAFETY: the kernel initialised the first `r` bytes of the spare area.
    unsafe { buf.set_len(buf.len() + r) };
    Ok(r)
}

/// Redis formats IPv6 peers as `addr:port` without brackets.
pub fn format_addr(a: &SocketAddr) -> String {
    match a {
        SocketAddr::V4(v) => format!("{}:{}", v.ip(), v.port()),
        SocketAddr::V6(v) => match v.ip().to_ipv4_mapped() {
            Some(ip4) => format!("{}:{}", ip4, v.port()),
            None => format!("{}:{}", v.ip(), v.port()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (Conn, Conn) {
        match Conn::pair() {
            Ok(p) => p,
            Err(e) => panic!("socketpair: {e}"),
        }
    }

    #[test]
    fn read_into_appends_to_what_is_there() {
        let (mut a, mut b) = pair();
        assert_eq!(b.write(b"hello world").ok(), Some(11));
        let mut buf = b"x".to_vec();
        assert_eq!(a.read_into(&mut buf, 5).ok(), Some(5));
        assert_eq!(buf, b"xhello");
        assert_eq!(a.read_into(&mut buf, 100).ok(), Some(6));
        assert_eq!(buf, b"xhello world");
        let e = a.read_into(&mut buf, 100).err().map(|e| e.kind());
        assert_eq!(e, Some(io::ErrorKind::WouldBlock));
        drop(b);
        assert_eq!(a.read_into(&mut buf, 100).ok(), Some(0));
        assert!(!a.has_pending_input());
        assert_eq!(a.kind(), ConnKind::Unix);
    }

    #[test]
    fn sync_read_waits_and_times_out() {
        let (mut a, mut b) = pair();
        let mut buf = Vec::new();
        let t0 = Instant::now();
        let e = a.sync_read(&mut buf, 16, Some(Duration::from_millis(30))).err().map(|e| e.kind());
        assert_eq!(e, Some(io::ErrorKind::TimedOut));
        assert!(t0.elapsed() >= Duration::from_millis(30));
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            let _ = b.write(b"late");
            b
        });
        assert_eq!(a.sync_read(&mut buf, 16, None).ok(), Some(4));
        assert_eq!(buf, b"late");
        let b = writer.join().ok();
        drop(b);
        assert_eq!(a.sync_read(&mut buf, 16, None).ok(), Some(0));
    }

    #[test]
    fn sync_write_delivers_everything_or_times_out() {
        let (mut a, mut b) = pair();
        assert!(a.sync_write(b"ping", Duration::from_millis(100)).is_ok());
        let mut got = [0u8; 4];
        assert_eq!(b.read_slice(&mut got).ok(), Some(4));
        assert_eq!(&got, b"ping");
        // Nobody reads: the socket fills and the deadline passes.
        let big = vec![0u8; 16 << 20];
        let e = a.sync_write(&big, Duration::from_millis(30)).err().map(|e| e.kind());
        assert_eq!(e, Some(io::ErrorKind::TimedOut));
    }

    #[test]
    fn connect_reports_success_and_refusal() {
        let Ok(l) = std::net::TcpListener::bind("127.0.0.1:0") else {
            panic!("bind");
        };
        let Ok(addr) = l.local_addr() else { panic!("local_addr") };
        let Ok(mut c) = Conn::connect(addr, Some(IpAddr::from([127, 0, 0, 1])), None) else {
            panic!("connect");
        };
        assert!(c.wait(Ready::Write, Some(Duration::from_secs(5))).unwrap_or(false));
        assert_eq!(c.finish_connect().ok(), Some(true));
        assert_eq!(c.kind(), ConnKind::Tcp);
        assert!(c.sock_name("").starts_with("127.0.0.1:"));
        assert_eq!(c.peer_id(""), format!("127.0.0.1:{}", addr.port()));
        // A port nobody listens on any more.
        drop(l);
        match Conn::connect(addr, None, None) {
            Err(e) => assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused),
            Ok(mut c) => {
                assert!(c.wait(Ready::Write, Some(Duration::from_secs(5))).unwrap_or(false));
                let e = c.finish_connect().err().map(|e| e.kind());
                assert_eq!(e, Some(io::ErrorKind::ConnectionRefused));
            }
        }
    }
}
