//! Every client-visible error, defined once (the `shared.*err` objects and
//! the scattered `addReplyError` strings of Redis).
//!
//! Handlers return `Err(Error)`; `call` writes it and counts it in INFO
//! errorstats under its code (the first word: ERR, WRONGTYPE, ...).

use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    WrongType,
    Syntax,
    NoSuchKey,
    SameObject,
    OutOfRange,
    NotInteger,
    NotFloat,
    Overflow,
    NoAuth,
    Oom,
    ReadOnlyReplica,
    Loading,
    BusyKey,
    ExecAbort,
    NoScript,
    MasterDown,
    NoReplicas,
    Misconf,
    /// `-ERR value is out of range, must be positive`
    NotPositive,
    /// `-ERR DB index is out of range`
    DbIndexOutOfRange,
    /// `-ERR string exceeds maximum allowed size (proto-max-bulk-len)`
    StringTooLong,
    /// `-ERR invalid expire time in '<cmd>' command`
    InvalidExpireTime(&'static str),
    /// `-ERR unknown subcommand '<sub>'. Try <CMD> HELP.`
    UnknownSubcommand {
        cmd: String,
        sub: String,
    },
    /// `-ERR wrong number of arguments for '<cmd>' command`
    WrongArity(String),
    /// A complete message, starting with its code (`ERR ...`, `NOPERM ...`).
    Msg(Cow<'static, str>),
}

impl Error {
    /// An `ERR`-coded error with a fixed text.
    pub const fn err(text: &'static str) -> Error {
        Error::Msg(Cow::Borrowed(text))
    }

    /// A formatted error: `msg` must start with its code.
    pub fn msg(msg: String) -> Error {
        Error::Msg(Cow::Owned(msg))
    }

    /// The reply text, without the leading '-' and the CRLF.
    pub fn text(&self) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            Error::WrongType => "WRONGTYPE Operation against a key holding the wrong kind of value",
            Error::Syntax => "ERR syntax error",
            Error::NoSuchKey => "ERR no such key",
            Error::SameObject => "ERR source and destination objects are the same",
            Error::OutOfRange => "ERR index out of range",
            Error::NotInteger => "ERR value is not an integer or out of range",
            Error::NotFloat => "ERR value is not a valid float",
            Error::Overflow => "ERR increment or decrement would overflow",
            Error::NoAuth => "NOAUTH Authentication required.",
            Error::Oom => "OOM command not allowed when used memory > 'maxmemory'.",
            Error::ReadOnlyReplica => "READONLY You can't write against a read only replica.",
            Error::Loading => "LOADING Redis is loading the dataset in memory",
            Error::BusyKey => "BUSYKEY Target key name already exists.",
            Error::ExecAbort => "EXECABORT Transaction discarded because of previous errors.",
            Error::NoScript => "NOSCRIPT No matching script. Please use EVAL.",
            Error::MasterDown => "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
            Error::NoReplicas => "NOREPLICAS Not enough good replicas to write.",
            Error::Misconf => "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.",
            Error::NotPositive => "ERR value is out of range, must be positive",
            Error::DbIndexOutOfRange => "ERR DB index is out of range",
            Error::StringTooLong => "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
            Error::InvalidExpireTime(cmd) => return Cow::Owned(format!("ERR invalid expire time in '{cmd}' command")),
            Error::UnknownSubcommand { cmd, sub } => {
                return Cow::Owned(format!("ERR unknown subcommand '{}'. Try {} HELP.", truncate(sub, 128), cmd.to_uppercase()))
            }
            Error::WrongArity(cmd) => return Cow::Owned(format!("ERR wrong number of arguments for '{cmd}' command")),
            Error::Msg(m) => return Cow::Borrowed(m),
        })
    }

    /// The error code counted in errorstats: the first word when it is
    /// short and upper-case-ish like Redis expects, else "ERR".
    pub fn code(text: &str) -> &str {
        let head = &text.as_bytes()[..text.len().min(32)];
        match head.iter().position(|&c| c == b' ') {
            Some(sp) => &text[..sp],
            None => "ERR",
        }
    }

    pub fn unknown_subcommand(cmd: &[u8], sub: &[u8]) -> Error {
        Error::UnknownSubcommand {
            cmd: String::from_utf8_lossy(cmd).into_owned(),
            sub: String::from_utf8_lossy(sub).into_owned(),
        }
    }
}

/// At most `n` bytes of `s`, cut on a char boundary.
fn truncate(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(Error::code(&Error::WrongType.text()), "WRONGTYPE");
        assert_eq!(Error::code(&Error::Syntax.text()), "ERR");
        assert_eq!(Error::code("NOSPACEHERE"), "ERR");
        assert_eq!(Error::code("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ x"), "ERR");
    }

    #[test]
    fn formatted() {
        assert_eq!(
            Error::unknown_subcommand(b"config", b"foo").text(),
            "ERR unknown subcommand 'foo'. Try CONFIG HELP."
        );
        assert_eq!(Error::InvalidExpireTime("set").text(), "ERR invalid expire time in 'set' command");
    }
}
