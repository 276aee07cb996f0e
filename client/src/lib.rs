//! `oxidis-client`: a Redis client for Oxidis and redis-server 7.x.
//!
//! * [`resp`]: the RESP2/RESP3 codec and the typed [`Value`].
//! * [`Connection`]: a blocking connection with timeouts, a handshake
//!   (HELLO / AUTH / SELECT / CLIENT SETNAME) that is replayed after an
//!   automatic reconnection with backoff, pipelines, MULTI/EXEC with a
//!   WATCH-retry helper ([`Connection::transaction`]) and scripts by SHA with
//!   an EVAL fallback ([`Script`]).
//! * [`Pool`]: a small bounded pool of connections.
//! * [`pubsub`]: channel, pattern and sharded pub/sub, RESP2 or RESP3, and the
//!   keyspace-notification listener.
//! * [`tracking`]: client-side caching with server-assisted invalidation.
//! * [`aio`] (feature `tokio`): [`aio::AsyncConnection`] and the shared
//!   [`aio::MultiplexedConnection`].
//! * [`patterns`]: locks, rate limiters, queues and a caching layer.
//!
//! Keys and values are bytes everywhere: anything that is `AsRef<[u8]>`
//! works as an argument, and replies convert with [`FromValue`].

#[cfg(feature = "tokio")]
pub mod aio;
pub mod conn;
pub mod patterns;
pub mod pool;
pub mod pubsub;
pub mod resp;
pub mod script;
pub mod tracking;

#[cfg(feature = "tokio")]
pub use aio::{AsyncConnection, MultiplexedConnection};
pub use conn::{Backoff, ConnectOptions, Connection, Pipeline, Protocol};
pub use pool::{Pool, Pooled};
pub use resp::Value;
pub use script::Script;

use std::fmt;

/// Everything a call can fail with.
#[derive(Debug)]
pub enum Error {
    /// The socket failed (the connection reconnects on its next use).
    Io(std::io::Error),
    /// The server sent something that is not RESP.
    Protocol(String),
    /// The server answered with an error reply (`ERR ...`, `WRONGTYPE ...`).
    Server(String),
    /// The reply does not have the type the caller asked for.
    Type(String),
    /// A pattern-level failure (lock not held, pool exhausted ...).
    Other(String),
}

impl Error {
    /// The error code of a server error (`NOSCRIPT`, `WRONGTYPE` ...).
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Server(m) => m.split(' ').next(),
            _ => None,
        }
    }

    /// True for failures of the connection itself (worth a reconnect).
    pub fn is_io(&self) -> bool {
        matches!(self, Error::Io(_))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "I/O error: {}", e),
            Error::Protocol(m) => write!(f, "protocol error: {}", m),
            Error::Server(m) => write!(f, "server error: {}", m),
            Error::Type(m) => write!(f, "unexpected reply: {}", m),
            Error::Other(m) => write!(f, "{}", m),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Conversion of a reply into a Rust type.
pub trait FromValue: Sized {
    fn from_value(v: Value) -> Result<Self>;
}

fn type_err<T>(want: &str, v: &Value) -> Result<T> {
    Err(Error::Type(format!("expected {}, got {:?}", want, v)))
}

impl FromValue for Value {
    fn from_value(v: Value) -> Result<Self> {
        Ok(v)
    }
}

impl FromValue for () {
    fn from_value(_: Value) -> Result<Self> {
        Ok(())
    }
}

impl FromValue for i64 {
    fn from_value(v: Value) -> Result<Self> {
        match &v {
            Value::Int(n) => Ok(*n),
            Value::Bool(b) => Ok(i64::from(*b)),
            _ => match v.as_bytes().and_then(|b| resp::parse_int(b).ok()) {
                Some(n) => Ok(n),
                None => type_err("an integer", &v),
            },
        }
    }
}

impl FromValue for f64 {
    fn from_value(v: Value) -> Result<Self> {
        match &v {
            Value::Double(d) => Ok(*d),
            Value::Int(n) => Ok(*n as f64),
            _ => match v.as_bytes().and_then(|b| std::str::from_utf8(b).ok()).and_then(|s| s.parse().ok()) {
                Some(d) => Ok(d),
                None => type_err("a number", &v),
            },
        }
    }
}

impl FromValue for bool {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Bool(b) => Ok(b),
            Value::Int(n) => Ok(n != 0),
            Value::Status(_) => Ok(true),
            Value::Nil => Ok(false),
            other => type_err("a boolean", &other),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Bulk(b) | Value::Status(b) | Value::BigNumber(b) | Value::Verbatim(_, b) => Ok(b),
            Value::Int(n) => Ok(n.to_string().into_bytes()),
            Value::Double(d) => Ok(d.to_string().into_bytes()),
            other => type_err("a string", &other),
        }
    }
}

impl FromValue for String {
    fn from_value(v: Value) -> Result<Self> {
        String::from_utf8(Vec::<u8>::from_value(v)?).map_err(|_| Error::Type("string is not UTF-8".into()))
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Nil => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(v: Value) -> Result<Self> {
        match v.into_items() {
            Some(items) => items.into_iter().map(T::from_value).collect(),
            None => Err(Error::Type("expected an aggregate".into())),
        }
    }
}

impl<A: FromValue, B: FromValue> FromValue for (A, B) {
    fn from_value(v: Value) -> Result<Self> {
        let items = v.into_items().unwrap_or_default();
        let mut it = items.into_iter();
        match (it.next(), it.next(), it.next()) {
            (Some(a), Some(b), None) => Ok((A::from_value(a)?, B::from_value(b)?)),
            _ => Err(Error::Type("expected 2 elements".into())),
        }
    }
}

impl<A: FromValue, B: FromValue, C: FromValue> FromValue for (A, B, C) {
    fn from_value(v: Value) -> Result<Self> {
        let items = v.into_items().unwrap_or_default();
        let mut it = items.into_iter();
        match (it.next(), it.next(), it.next(), it.next()) {
            (Some(a), Some(b), Some(c), None) => Ok((A::from_value(a)?, B::from_value(b)?, C::from_value(c)?)),
            _ => Err(Error::Type("expected 3 elements".into())),
        }
    }
}

/// A command under construction: `cmd("SET").arg(key).arg(value)`.
#[derive(Clone, Debug, Default)]
pub struct Cmd {
    pub(crate) args: Vec<Vec<u8>>,
}

/// Start a command.
pub fn cmd(name: &str) -> Cmd {
    Cmd {
        args: vec![name.as_bytes().to_vec()],
    }
}

/// Anything that can be a command argument.
pub trait ToArg {
    fn to_arg(&self) -> Vec<u8>;
}

macro_rules! display_arg {
    ($($t:ty),*) => {$(
        impl ToArg for $t {
            fn to_arg(&self) -> Vec<u8> {
                self.to_string().into_bytes()
            }
        }
    )*};
}
display_arg!(i32, i64, u32, u64, usize, f64);

impl ToArg for [u8] {
    fn to_arg(&self) -> Vec<u8> {
        self.to_vec()
    }
}
impl ToArg for Vec<u8> {
    fn to_arg(&self) -> Vec<u8> {
        self.clone()
    }
}
impl ToArg for str {
    fn to_arg(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}
impl ToArg for String {
    fn to_arg(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}
impl<const N: usize> ToArg for [u8; N] {
    fn to_arg(&self) -> Vec<u8> {
        self.to_vec()
    }
}
impl<T: ToArg + ?Sized> ToArg for &T {
    fn to_arg(&self) -> Vec<u8> {
        (**self).to_arg()
    }
}

impl Cmd {
    pub fn arg<T: ToArg + ?Sized>(mut self, a: &T) -> Self {
        self.args.push(a.to_arg());
        self
    }

    pub fn args<T: ToArg>(mut self, it: impl IntoIterator<Item = T>) -> Self {
        self.args.extend(it.into_iter().map(|a| a.to_arg()));
        self
    }

    /// A command from raw arguments, command name first.
    pub fn from_args<A: AsRef<[u8]>>(args: &[A]) -> Cmd {
        Cmd {
            args: args.iter().map(|a| a.as_ref().to_vec()).collect(),
        }
    }

    /// The arguments, command name first.
    pub fn as_args(&self) -> &[Vec<u8>] {
        &self.args
    }
}

/// A random 128-bit token in hex (from the OS; falls back to the standard
/// library's per-process random hasher keys if /dev/urandom is unreadable).
pub fn random_token() -> String {
    use std::io::Read;
    let mut b = [0u8; 16];
    let ok = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut b)).is_ok();
    if !ok {
        use std::hash::{BuildHasher, Hasher};
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        for half in b.chunks_mut(8) {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(N.fetch_add(1, Ordering::Relaxed));
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0),
            );
            half.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    b.iter().map(|x| format!("{:02x}", x)).collect()
}
