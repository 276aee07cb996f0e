//! TLS over OpenSSL (tls.c): the contexts built from the `tls-*`
//! directives ([`Tls`]) and the non-blocking stream a TLS [`super::Conn`]
//! runs over ([`TlsStream`]).
//!
//! # Why OpenSSL (Debian's libssl3, through the `openssl` crate)
//!
//! It is what Redis 7.0 links, so every directive means what it means
//! there: `tls-ciphers` is an OpenSSL cipher-list string, `tls-protocols`
//! may enable TLS 1.0/1.1, TLS 1.2 CBC suites, DH parameter files and
//! encrypted PEM keys work, and certificates are verified by the same code
//! (the suite's `redis.crt` is an X.509 v1 certificate, which webpki-based
//! verifiers reject). rustls would have needed a translation of cipher
//! strings and still could not serve CBC suites, DHE or v1 certificates.
//!
//! # Contexts
//!
//! [`Tls::configure`] builds the server context and, when both
//! `tls-client-cert-file` and `tls-client-key-file` are set, a client
//! context for outgoing links (`tlsConfigure`); without one, outgoing links
//! present the server certificate. Building is all or nothing: on error the
//! caller keeps the contexts it had. Every SSL object holds a reference to
//! the context it was made from, so replacing the contexts (CONFIG SET of
//! any `tls-*`, certificate rotation) changes new connections only.
//!
//! # The stream
//!
//! [`TlsStream`] owns an SSL object over a TCP socket. The handshake runs
//! inside `read_into`/`write` (and `finish_connect` for outgoing links), a
//! step per readiness event, never blocking; until it is done they report
//! `WouldBlock`. OpenSSL may need the opposite direction of the one asked
//! for (a read that must write a handshake record, a write that must read
//! one); the stream remembers it, and the loop asks
//! [`super::Conn::read_needs_writable`] / [`super::Conn::write_needs_readable`]
//! to call the right handler on the other event.
//!
//! Ciphertext is read from the socket in large chunks into the stream's
//! own buffer, from which OpenSSL takes each record (it would otherwise
//! read each record's header and body with two exact-size reads). This
//! saves a syscall per record and tells when the socket was drained (a
//! short read): the loop is edge-triggered, so [`TlsStream::has_pending`]
//! must be true whenever input may be waiting that no readiness event will
//! announce: plaintext OpenSSL decrypted but did not hand out yet,
//! ciphertext in our buffer, or a socket the last read did not drain.

use super::Ready;
use openssl::error::ErrorStack;
use openssl::pkey::PKey;
use openssl::ssl::{
    ErrorCode, Ssl, SslContext, SslContextBuilder, SslMethod, SslMode, SslOptions, SslSessionCacheMode, SslStream, SslVerifyMode,
};
use std::io::{self, Read, Write};
use std::mem::MaybeUninit;
use std::path::Path;

/// Bytes of ciphertext read from the socket at once (a full-sized record
/// takes two reads; small requests, the common case, one).
const IN_BUF: usize = 16 * 1024;

/// `tls-protocols` bits (`REDIS_TLS_PROTO_*`).
const PROTO_TLS1: u32 = 1 << 0;
const PROTO_TLS1_1: u32 = 1 << 1;
const PROTO_TLS1_2: u32 = 1 << 2;
const PROTO_TLS1_3: u32 = 1 << 3;
const PROTO_DEFAULT: u32 = PROTO_TLS1_2 | PROTO_TLS1_3;

/// What `tls-auth-clients` asks of connecting clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    No,
    Yes,
    Optional,
}

impl ClientAuth {
    /// From the `tls-auth-clients` enum value (no=0, yes=1, optional=2);
    /// anything else fails secure, as in Redis.
    pub fn from_config(v: i32) -> ClientAuth {
        match v {
            0 => ClientAuth::No,
            2 => ClientAuth::Optional,
            _ => ClientAuth::Yes,
        }
    }
}

/// The `tls-*` directives a context is built from (`redisTLSContextConfig`).
/// Empty strings mean "not set".
#[derive(Default, Clone, Copy)]
pub struct TlsSettings<'a> {
    pub cert_file: &'a str,
    pub key_file: &'a str,
    pub key_file_pass: &'a str,
    pub client_cert_file: &'a str,
    pub client_key_file: &'a str,
    pub client_key_file_pass: &'a str,
    pub ca_cert_file: &'a str,
    pub ca_cert_dir: &'a str,
    pub dh_params_file: &'a str,
    pub protocols: &'a str,
    pub ciphers: &'a str,
    pub ciphersuites: &'a str,
    pub prefer_server_ciphers: bool,
    pub session_caching: bool,
    pub session_cache_size: i64,
    pub session_cache_timeout: i64,
    /// Peers' certificates are verified (tls-auth-clients not `no`,
    /// tls-replication or tls-cluster), so a CA is required.
    pub needs_ca: bool,
}

/// The configured TLS contexts (`redis_tls_ctx`, `redis_tls_client_ctx`).
/// Cloning shares them.
#[derive(Clone)]
pub struct Tls {
    server: SslContext,
    client: Option<SslContext>,
}

fn opt(s: &str) -> Option<&str> {
    if s.is_empty() {
        None
    } else {
        Some(s)
    }
}

/// OpenSSL's text for the first error of a stack, as `ERR_error_string_n`
/// writes it: `error:0A00010B:SSL routines::wrong version number`.
fn stack_text(e: &ErrorStack) -> String {
    match e.errors().first() {
        Some(x) => format!("error:{:08X}:{}::{}", x.code(), x.library().unwrap_or(""), x.reason().unwrap_or("")),
        None => "(null)".to_string(),
    }
}

/// Parses `tls-protocols` (`parseProtocolsConfig`): words separated by
/// single spaces, case-insensitive.
fn parse_protocols(s: &str) -> Result<u32, String> {
    if s.is_empty() {
        return Ok(PROTO_DEFAULT);
    }
    let mut p = 0;
    for tok in s.split(' ') {
        p |= match tok.to_ascii_lowercase().as_str() {
            "tlsv1" => PROTO_TLS1,
            "tlsv1.1" => PROTO_TLS1_1,
            "tlsv1.2" => PROTO_TLS1_2,
            "tlsv1.3" => PROTO_TLS1_3,
            _ => return Err("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.".into()),
        };
    }
    Ok(p)
}

// Not wrapped by the openssl crates; a plain function of libssl.
extern "C" {
    fn SSL_CTX_set_timeout(ctx: *mut openssl_sys::SSL_CTX, t: libc::c_long) -> libc::c_long;
}

/// Loads a PEM private key, decrypting it with `pass` when it is
/// encrypted; without a password an encrypted key fails (never a prompt
/// on the terminal, which OpenSSL's default callback would show).
fn load_private_key(path: &str, pass: &str) -> Result<PKey<openssl::pkey::Private>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("Failed to load private key: {path}: {e}"))?;
    let pass = pass.as_bytes();
    PKey::private_key_from_pem_callback(&pem, |buf| {
        if pass.is_empty() || pass.len() > buf.len() {
            return Ok(0);
        }
        buf[..pass.len()].copy_from_slice(pass);
        Ok(pass.len())
    })
    .map_err(|e| format!("Failed to load private key: {path}: {}", stack_text(&e)))
}

/// The part of a context common to both sides (`createSSLContext`).
fn base_context(s: &TlsSettings, protocols: u32, client: bool) -> Result<SslContextBuilder, String> {
    let (cert, key, pass) = if client {
        (s.client_cert_file, s.client_key_file, s.client_key_file_pass)
    } else {
        (s.cert_file, s.key_file, s.key_file_pass)
    };
    let mut b = SslContextBuilder::new(SslMethod::tls()).map_err(|e| stack_text(&e))?;
    let mut o = SslOptions::NO_SSLV2 | SslOptions::NO_SSLV3 | SslOptions::DONT_INSERT_EMPTY_FRAGMENTS;
    if protocols & PROTO_TLS1 == 0 {
        o |= SslOptions::NO_TLSV1;
    }
    if protocols & PROTO_TLS1_1 == 0 {
        o |= SslOptions::NO_TLSV1_1;
    }
    if protocols & PROTO_TLS1_2 == 0 {
        o |= SslOptions::NO_TLSV1_2;
    }
    if protocols & PROTO_TLS1_3 == 0 {
        o |= SslOptions::NO_TLSV1_3;
    }
    b.set_options(o | SslOptions::NO_COMPRESSION);
    b.set_mode(SslMode::ENABLE_PARTIAL_WRITE | SslMode::ACCEPT_MOVING_WRITE_BUFFER);
    b.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    b.set_certificate_chain_file(cert)
        .map_err(|e| format!("Failed to load certificate: {cert}: {}", stack_text(&e)))?;
    let pkey = load_private_key(key, pass)?;
    b.set_private_key(&pkey)
        .map_err(|e| format!("Failed to load private key: {key}: {}", stack_text(&e)))?;
    let (ca_file, ca_dir) = (opt(s.ca_cert_file), opt(s.ca_cert_dir));
    if ca_file.is_some() || ca_dir.is_some() {
        b.load_verify_locations(ca_file.map(Path::new), ca_dir.map(Path::new))
            .map_err(|e| format!("Failed to configure CA certificate(s) file/directory: {}", stack_text(&e)))?;
    }
    if !s.ciphers.is_empty() && b.set_cipher_list(s.ciphers).is_err() {
        return Err(format!("Failed to configure ciphers: {}", s.ciphers));
    }
    if !s.ciphersuites.is_empty() && b.set_ciphersuites(s.ciphersuites).is_err() {
        return Err(format!("Failed to configure ciphersuites: {}", s.ciphersuites));
    }
    Ok(b)
}

impl Tls {
    /// Builds the contexts from `s` (`tlsConfigure`). The error is the
    /// line Redis logs.
    pub fn configure(s: &TlsSettings) -> Result<Tls, String> {
        if s.cert_file.is_empty() {
            return Err("No tls-cert-file configured!".into());
        }
        if s.key_file.is_empty() {
            return Err("No tls-key-file configured!".into());
        }
        if s.needs_ca && s.ca_cert_file.is_empty() && s.ca_cert_dir.is_empty() {
            return Err("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!".into());
        }
        let protocols = parse_protocols(s.protocols)?;
        let mut b = base_context(s, protocols, false)?;
        if s.session_caching {
            b.set_session_cache_mode(SslSessionCacheMode::SERVER);
            b.set_session_cache_size(s.session_cache_size.clamp(0, i32::MAX as i64) as i32);
            // SAFETY: the builder owns a valid SSL_CTX for the duration of
            // the call; SSL_CTX_set_timeout only stores the value.
            unsafe { SSL_CTX_set_timeout(b.as_ptr(), s.session_cache_timeout as libc::c_long) };
            b.set_session_id_context(b"redis").map_err(|e| stack_text(&e))?;
        } else {
            b.set_session_cache_mode(SslSessionCacheMode::OFF);
        }
        if s.prefer_server_ciphers {
            b.set_options(SslOptions::CIPHER_SERVER_PREFERENCE);
        }
        b.set_options(SslOptions::SINGLE_DH_USE);
        if s.dh_params_file.is_empty() {
            // SAFETY: the builder owns a valid SSL_CTX; this sets a flag.
            unsafe { openssl_sys::SSL_CTX_set_dh_auto(b.as_ptr(), 1) };
        } else {
            let f = s.dh_params_file;
            let pem = std::fs::read(f).map_err(|e| format!("Failed to load {f}: {}", crate::util::strerror(&e)))?;
            let dh = openssl::dh::Dh::params_from_pem(&pem).map_err(|_| format!("{f}: failed to read DH params."))?;
            b.set_tmp_dh(&dh)
                .map_err(|e| format!("Failed to load DH params file: {f}: {}", stack_text(&e)))?;
        }
        let client = if !s.client_cert_file.is_empty() && !s.client_key_file.is_empty() {
            Some(base_context(s, protocols, true)?.build())
        } else {
            None
        };
        Ok(Tls { server: b.build(), client })
    }

    /// A server-side stream over an accepted socket, asking the client for
    /// a certificate as `auth` says (`connCreateAcceptedTLS`).
    pub(super) fn accept(&self, tcp: mio::net::TcpStream, auth: ClientAuth) -> io::Result<TlsStream> {
        let mut ssl = Ssl::new(&self.server).map_err(|e| io::Error::other(stack_text(&e)))?;
        ssl.set_verify(match auth {
            ClientAuth::No => SslVerifyMode::NONE,
            ClientAuth::Optional => SslVerifyMode::PEER,
            ClientAuth::Yes => SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
        });
        ssl.set_accept_state();
        TlsStream::new(ssl, tcp, State::Accepting)
    }

    /// A client-side stream over a socket whose connect is under way
    /// (`connCreateTLS` + `connTLSConnect`): the handshake starts once the
    /// socket is connected. The peer's chain is verified, not its name.
    pub(super) fn connect(&self, tcp: mio::net::TcpStream) -> io::Result<TlsStream> {
        let ctx = self.client.as_ref().unwrap_or(&self.server);
        let mut ssl = Ssl::new(ctx).map_err(|e| io::Error::other(stack_text(&e)))?;
        ssl.set_connect_state();
        TlsStream::new(ssl, tcp, State::TcpConnecting)
    }
}

/// The socket under the SSL object, with the ciphertext read ahead.
struct Io {
    tcp: mio::net::TcpStream,
    buf: Vec<u8>,
    pos: usize,
    /// The last socket read returned less than it asked for (or
    /// WouldBlock, or EOF): nothing more is waiting in the kernel.
    drained: bool,
}

impl Read for Io {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            self.buf.reserve_exact(IN_BUF);
            let spare = self.buf.spare_capacity_mut();
            let want = spare.len().min(IN_BUF);
            let n = loop {
                // SAFETY: `spare` is writable memory owned by `self.buf`
                // of at least `want` bytes; read(2) writes at most `want`
                // bytes into it.
                let r = unsafe { libc::read(std::os::fd::AsRawFd::as_raw_fd(&self.tcp), spare.as_mut_ptr().cast(), want) };
                if r >= 0 {
                    break r as usize;
                }
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                if e.kind() == io::ErrorKind::WouldBlock {
                    self.drained = true;
                }
                return Err(e);
            };
            // SAFETY: the kernel initialised the first `n` bytes.
            unsafe { self.buf.set_len(n) };
            self.drained = n < want;
            if n == 0 {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl Write for Io {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        loop {
            match self.tcp.write(b) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => return r,
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Outgoing: the TCP connect has not completed yet.
    TcpConnecting,
    /// Outgoing: handshake in progress.
    Connecting,
    /// Incoming: handshake in progress.
    Accepting,
    Ready,
    /// The handshake or the connection failed; every call errs.
    Failed,
}

/// A TLS connection over a non-blocking TCP socket; see the module docs.
pub(super) struct TlsStream {
    s: SslStream<Io>,
    state: State,
    /// What the unfinished handshake waits for.
    hs_want: Ready,
    /// The last read stopped because OpenSSL must write first.
    read_wants_write: bool,
    /// The last write stopped because OpenSSL must read first.
    write_wants_read: bool,
    /// close_notify was sent (by `shutdown`), not to be sent again on drop.
    closed: bool,
}

impl TlsStream {
    fn new(ssl: Ssl, tcp: mio::net::TcpStream, state: State) -> io::Result<TlsStream> {
        let io = Io {
            tcp,
            buf: Vec::new(),
            pos: 0,
            drained: true,
        };
        let s = SslStream::new(ssl, io).map_err(|e| io::Error::other(stack_text(&e)))?;
        let hs_want = if state == State::Accepting { Ready::Read } else { Ready::Write };
        Ok(TlsStream {
            s,
            state,
            hs_want,
            read_wants_write: false,
            write_wants_read: false,
            closed: false,
        })
    }

    pub(super) fn tcp(&self) -> &mio::net::TcpStream {
        &self.s.get_ref().tcp
    }

    pub(super) fn tcp_mut(&mut self) -> &mut mio::net::TcpStream {
        &mut self.s.get_mut().tcp
    }

    /// True while the outgoing TCP connect has not completed.
    pub(super) fn tcp_connecting(&self) -> bool {
        self.state == State::TcpConnecting
    }

    /// The TCP connect completed: the handshake may start.
    pub(super) fn tcp_connected(&mut self) {
        if self.state == State::TcpConnecting {
            self.state = State::Connecting;
        }
    }

    /// One step of the handshake: Ok(true) once it is done, Ok(false)
    /// while it waits for the socket ([`TlsStream::handshake_wants`]).
    pub(super) fn handshake(&mut self) -> io::Result<bool> {
        let r = match self.state {
            State::Ready => return Ok(true),
            State::TcpConnecting => return Ok(false),
            State::Failed => return Err(failed()),
            State::Accepting => self.s.accept(),
            State::Connecting => self.s.connect(),
        };
        let e = match r {
            Ok(()) => {
                self.state = State::Ready;
                return Ok(true);
            }
            Err(e) => e,
        };
        match e.code() {
            ErrorCode::WANT_READ => self.hs_want = Ready::Read,
            ErrorCode::WANT_WRITE => self.hs_want = Ready::Write,
            _ => {
                let accepting = self.state == State::Accepting;
                self.state = State::Failed;
                let err = ssl_io_error(e);
                if accepting {
                    log::warn!("Error accepting a client connection: {err}");
                }
                return Err(err);
            }
        }
        Ok(false)
    }

    /// What an unfinished handshake waits for; None once it is done.
    pub(super) fn handshake_wants(&self) -> Option<Ready> {
        match self.state {
            State::TcpConnecting => Some(Ready::Write),
            State::Connecting | State::Accepting => Some(self.hs_want),
            State::Ready | State::Failed => None,
        }
    }

    /// Decrypts at most `want` bytes into the spare capacity of `buf`.
    /// Ok(0) is the peer's EOF; WouldBlock while the handshake runs or no
    /// whole record is there.
    pub(super) fn read_into(&mut self, buf: &mut Vec<u8>, want: usize) -> io::Result<usize> {
        self.read_wants_write = false;
        if self.state != State::Ready && !self.handshake()? {
            self.read_wants_write = self.hs_want == Ready::Write;
            return Err(io::ErrorKind::WouldBlock.into());
        }
        buf.reserve(want);
        let spare = buf.spare_capacity_mut();
        let n = want.min(spare.len());
        let spare: &mut [MaybeUninit<u8>] = &mut spare[..n];
        match self.s.ssl_read_uninit(spare) {
            Ok(r) => {
                // SAFETY: OpenSSL initialised the first `r` bytes of the
                // spare area (ssl_read_uninit's contract).
                unsafe { buf.set_len(buf.len() + r) };
                Ok(r)
            }
            Err(e) => match e.code() {
                ErrorCode::ZERO_RETURN => Ok(0),
                ErrorCode::WANT_READ => Err(io::ErrorKind::WouldBlock.into()),
                ErrorCode::WANT_WRITE => {
                    self.read_wants_write = true;
                    Err(io::ErrorKind::WouldBlock.into())
                }
                // A peer that closed without close_notify, as Redis sees it.
                ErrorCode::SYSCALL if e.io_error().is_none() && e.ssl_error().is_none() => Ok(0),
                _ => {
                    self.state = State::Failed;
                    Err(ssl_io_error(e))
                }
            },
        }
    }

    /// Encrypts and sends what the socket takes of `buf` (at most a record
    /// at a time). After WouldBlock the caller must offer the same bytes
    /// again, as it does with a plain socket.
    pub(super) fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_wants_read = false;
        if self.state != State::Ready && !self.handshake()? {
            self.write_wants_read = self.hs_want == Ready::Read;
            return Err(io::ErrorKind::WouldBlock.into());
        }
        match self.s.ssl_write(buf) {
            Ok(n) => Ok(n),
            Err(e) => match e.code() {
                ErrorCode::WANT_WRITE => Err(io::ErrorKind::WouldBlock.into()),
                ErrorCode::WANT_READ => {
                    self.write_wants_read = true;
                    Err(io::ErrorKind::WouldBlock.into())
                }
                _ => {
                    self.state = State::Failed;
                    Err(ssl_io_error(e))
                }
            },
        }
    }

    /// Input is waiting that no readiness event will announce (see the
    /// module docs).
    #[inline]
    pub(super) fn has_pending(&self) -> bool {
        let io = self.s.get_ref();
        self.state == State::Ready && (io.pos < io.buf.len() || !io.drained || self.s.ssl().pending() > 0)
    }

    pub(super) fn read_wants_write(&self) -> bool {
        self.read_wants_write || self.handshake_wants() == Some(Ready::Write)
    }

    pub(super) fn write_wants_read(&self) -> bool {
        self.write_wants_read || self.handshake_wants() == Some(Ready::Read)
    }

    /// The readiness to wait for before retrying an operation that wants
    /// `ready`.
    pub(super) fn poll_for(&self, ready: Ready) -> Ready {
        if let Some(w) = self.handshake_wants() {
            return w;
        }
        match ready {
            Ready::Read if self.read_wants_write => Ready::Write,
            Ready::Write if self.write_wants_read => Ready::Read,
            r => r,
        }
    }

    /// Sends close_notify (once, best effort) and shuts the socket down.
    pub(super) fn shutdown(&mut self) {
        self.close_notify();
        let _ = self.tcp().shutdown(std::net::Shutdown::Both);
    }

    fn close_notify(&mut self) {
        if self.state == State::Ready && !self.closed {
            self.closed = true;
            let _ = self.s.shutdown();
        }
    }
}

impl Drop for TlsStream {
    /// Like `connTLSClose`: an established connection says close_notify
    /// before the socket closes.
    fn drop(&mut self) {
        self.close_notify();
    }
}

fn failed() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "TLS connection failed")
}

/// An OpenSSL error as an io::Error whose text is what Redis logs
/// (`connGetLastError`): the socket's error, or OpenSSL's error string.
fn ssl_io_error(e: openssl::ssl::Error) -> io::Error {
    if let Some(s) = e.ssl_error() {
        return io::Error::other(stack_text(s));
    }
    match e.into_io_error() {
        Ok(io) => io,
        Err(e) if e.code() == ErrorCode::SYSCALL || e.code() == ErrorCode::ZERO_RETURN => {
            io::Error::new(io::ErrorKind::UnexpectedEof, "Connection closed")
        }
        Err(e) => io::Error::other(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_parse_like_redis() {
        assert_eq!(parse_protocols(""), Ok(PROTO_DEFAULT));
        assert_eq!(parse_protocols("TLSv1.2"), Ok(PROTO_TLS1_2));
        assert_eq!(
            parse_protocols("tlsv1 TLSV1.1 TLSv1.3"),
            Ok(PROTO_TLS1 | PROTO_TLS1_1 | PROTO_TLS1_3)
        );
        assert!(parse_protocols("TLSv1.2  TLSv1.3").is_err());
        assert!(parse_protocols("SSLv3").is_err());
        assert!(parse_protocols("TLSv1.2 ").is_err());
    }

    #[test]
    fn configure_reports_what_is_missing() {
        let s = TlsSettings::default();
        assert_eq!(Tls::configure(&s).err().as_deref(), Some("No tls-cert-file configured!"));
        let s = TlsSettings {
            cert_file: "/nonexistent.crt",
            ..Default::default()
        };
        assert_eq!(Tls::configure(&s).err().as_deref(), Some("No tls-key-file configured!"));
        let s = TlsSettings {
            cert_file: "/nonexistent.crt",
            key_file: "/nonexistent.key",
            needs_ca: true,
            ..Default::default()
        };
        assert!(Tls::configure(&s).err().is_some_and(|e| e.starts_with("Either tls-ca-cert-file")));
        let s = TlsSettings {
            cert_file: "/nonexistent.crt",
            key_file: "/nonexistent.key",
            ..Default::default()
        };
        assert!(Tls::configure(&s)
            .err()
            .is_some_and(|e| e.starts_with("Failed to load certificate: /nonexistent.crt: error:")));
    }

    #[test]
    fn client_auth_fails_secure() {
        assert_eq!(ClientAuth::from_config(0), ClientAuth::No);
        assert_eq!(ClientAuth::from_config(1), ClientAuth::Yes);
        assert_eq!(ClientAuth::from_config(2), ClientAuth::Optional);
        assert_eq!(ClientAuth::from_config(7), ClientAuth::Yes);
    }
}
