//! Listeners and connections (anet.c, connection.c): TCP on every `bind`
//! address, the unix socket, and the per-client stream type.

pub mod listener;

use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;

/// A client's byte stream.
pub enum Conn {
    Tcp(mio::net::TcpStream),
    Unix(mio::net::UnixStream),
}

impl Conn {
    #[inline]
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.read(buf),
            Conn::Unix(s) => s.read(buf),
        }
    }

    #[inline]
    pub fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.write(buf),
            Conn::Unix(s) => s.write(buf),
        }
    }

    pub fn source(&mut self) -> &mut dyn mio::event::Source {
        match self {
            Conn::Tcp(s) => s,
            Conn::Unix(s) => s,
        }
    }

    pub fn fd(&self) -> i32 {
        match self {
            Conn::Tcp(s) => s.as_raw_fd(),
            Conn::Unix(s) => s.as_raw_fd(),
        }
    }

    pub fn is_unix(&self) -> bool {
        matches!(self, Conn::Unix(_))
    }

    /// "ip:port" of the peer, or the socket path for unix clients.
    pub fn peer_id(&self, unixsocket: &str) -> String {
        match self {
            Conn::Tcp(s) => s.peer_addr().map(|a| format_addr(&a)).unwrap_or_else(|_| "?:0".into()),
            Conn::Unix(_) => format!("{unixsocket}:0"),
        }
    }

    /// "ip:port" of our side.
    pub fn sock_name(&self, unixsocket: &str) -> String {
        match self {
            Conn::Tcp(s) => s.local_addr().map(|a| format_addr(&a)).unwrap_or_else(|_| "?:0".into()),
            Conn::Unix(_) => format!("{unixsocket}:0"),
        }
    }

    /// Closes both directions now (SHUTDOWN, CLIENT KILL).
    pub fn shutdown(&self) {
        let _ = match self {
            Conn::Tcp(s) => s.shutdown(std::net::Shutdown::Both),
            Conn::Unix(s) => s.shutdown(std::net::Shutdown::Both),
        };
    }
}

/// Redis formats IPv6 peers as `addr:port` without brackets.
pub fn format_addr(a: &std::net::SocketAddr) -> String {
    match a {
        std::net::SocketAddr::V4(v) => format!("{}:{}", v.ip(), v.port()),
        std::net::SocketAddr::V6(v) => match v.ip().to_ipv4_mapped() {
            Some(ip4) => format!("{}:{}", ip4, v.port()),
            None => format!("{}:{}", v.ip(), v.port()),
        },
    }
}
