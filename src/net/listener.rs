//! Listening sockets: TCP on each `bind` address (`listenToPort`), for
//! `port` and for `tls-port`, and the unix socket (`anetUnixServer`).

use super::tls::{ClientAuth, Tls};
use super::Conn;
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{IpAddr, SocketAddr};

pub enum Listener {
    Tcp(mio::net::TcpListener),
    /// A TCP listener on `tls-port`: its connections speak TLS.
    Tls(mio::net::TcpListener),
    Unix(mio::net::UnixListener),
}

impl Listener {
    /// Accepts one pending connection (`acceptTcpHandler`,
    /// `acceptTLSHandler`, `acceptUnixHandler`): TCP ones get TCP_NODELAY
    /// and, with `keepalive_secs` > 0, keepalive probes. A TLS connection
    /// comes back at once, its handshake to be driven by its first reads,
    /// with the contexts `tls` holds now and `auth` (`tls-auth-clients`).
    pub fn accept(&self, keepalive_secs: i64, tls: Option<(&Tls, ClientAuth)>) -> io::Result<Conn> {
        match self {
            Listener::Tcp(l) => l.accept().map(|(s, _)| {
                tune_accepted(&s, keepalive_secs);
                Conn::from_tcp(s)
            }),
            Listener::Tls(l) => loop {
                let (s, _) = l.accept()?;
                tune_accepted(&s, keepalive_secs);
                let Some((t, auth)) = tls else {
                    // Not configured (cannot happen: the listener is only
                    // bound once TLS is); refuse rather than speak plain.
                    continue;
                };
                match t.accept(s, auth) {
                    Ok(stream) => return Ok(Conn::from_tls(stream)),
                    // This connection could not get an SSL object; the
                    // next pending one may.
                    Err(e) => log::warn!("Error accepting a client connection: {e}"),
                }
            },
            Listener::Unix(l) => l.accept().map(|(s, _)| Conn::from_unix(s)),
        }
    }

    pub fn is_unix(&self) -> bool {
        matches!(self, Listener::Unix(_))
    }

    pub fn is_tls(&self) -> bool {
        matches!(self, Listener::Tls(_))
    }
}

impl mio::event::Source for Listener {
    fn register(&mut self, registry: &mio::Registry, token: mio::Token, interests: mio::Interest) -> io::Result<()> {
        match self {
            Listener::Tcp(l) | Listener::Tls(l) => l.register(registry, token, interests),
            Listener::Unix(l) => l.register(registry, token, interests),
        }
    }

    fn reregister(&mut self, registry: &mio::Registry, token: mio::Token, interests: mio::Interest) -> io::Result<()> {
        match self {
            Listener::Tcp(l) | Listener::Tls(l) => l.reregister(registry, token, interests),
            Listener::Unix(l) => l.reregister(registry, token, interests),
        }
    }

    fn deregister(&mut self, registry: &mio::Registry) -> io::Result<()> {
        match self {
            Listener::Tcp(l) | Listener::Tls(l) => l.deregister(registry),
            Listener::Unix(l) => l.deregister(registry),
        }
    }
}

/// Binds one TCP address. `addr` may be `*` (all IPv4) or `::*` (all IPv6).
fn bind_tcp(addr: &str, port: u16, backlog: i32) -> io::Result<mio::net::TcpListener> {
    let ip: IpAddr = match addr {
        "*" => IpAddr::from([0u8, 0, 0, 0]),
        "::*" => IpAddr::from([0u16; 8]),
        other => other
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "Name or service not known"))?,
    };
    let sa = SocketAddr::new(ip, port);
    let domain = if ip.is_ipv6() { Domain::IPV6 } else { Domain::IPV4 };
    let s = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
    if ip.is_ipv6() {
        s.set_only_v6(true)?;
    }
    s.set_reuse_address(true)?;
    s.set_nonblocking(true)?;
    s.bind(&sa.into())?;
    s.listen(backlog)?;
    Ok(mio::net::TcpListener::from_std(s.into()))
}

/// Binds every address of `bind` on `port`, as TLS listeners when `tls`.
/// An address with a leading `-` is optional: failing to bind it (address
/// not available) is not fatal. Returns the listeners, or the failing
/// address and error.
pub fn listen_tcp(bind: &[String], port: u16, backlog: i32, tls: bool) -> Result<Vec<Listener>, (String, io::Error)> {
    let mut out = Vec::new();
    // An empty list (`bind ""`) means no TCP listener at all.
    for a in bind {
        let (optional, addr) = match a.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, a.as_str()),
        };
        match bind_tcp(addr, port, backlog) {
            Ok(l) if tls => out.push(Listener::Tls(l)),
            Ok(l) => out.push(Listener::Tcp(l)),
            Err(e) => {
                let unsupported = matches!(
                    e.raw_os_error(),
                    Some(libc::EADDRNOTAVAIL)
                        | Some(libc::EAFNOSUPPORT)
                        | Some(libc::EPROTONOSUPPORT)
                        | Some(libc::ESOCKTNOSUPPORT)
                        | Some(libc::EPFNOSUPPORT)
                        | Some(libc::EINVAL)
                );
                if optional && unsupported {
                    continue;
                }
                return Err((addr.to_string(), e));
            }
        }
    }
    Ok(out)
}

/// Binds the unix socket at `path` with permissions `perm` (0 = umask).
pub fn listen_unix(path: &str, perm: u32, backlog: i32) -> io::Result<Listener> {
    let _ = std::fs::remove_file(path);
    let s = Socket::new(Domain::UNIX, Type::STREAM, None)?;
    s.set_nonblocking(true)?;
    s.bind(&socket2::SockAddr::unix(path)?)?;
    s.listen(backlog)?;
    if perm != 0 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm))?;
    }
    let std_listener: std::os::unix::net::UnixListener = s.into();
    Ok(Listener::Unix(mio::net::UnixListener::from_std(std_listener)))
}

/// Applies TCP_NODELAY and keepalive to an accepted socket.
fn tune_accepted(stream: &mio::net::TcpStream, keepalive_secs: i64) {
    let _ = stream.set_nodelay(true);
    if keepalive_secs > 0 {
        let sock = socket2::SockRef::from(stream);
        let interval = std::time::Duration::from_secs((keepalive_secs as u64 / 3).max(1));
        let ka = socket2::TcpKeepalive::new()
            .with_time(std::time::Duration::from_secs(keepalive_secs as u64))
            .with_interval(interval)
            .with_retries(3);
        let _ = sock.set_tcp_keepalive(&ka);
    }
}
