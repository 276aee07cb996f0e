//! Lua scripts run by SHA1 with an automatic EVAL fallback.
//!
//! `Script::new` hashes the body locally, so the common case is one EVALSHA
//! round trip; a `NOSCRIPT` answer (script cache flushed, server restarted,
//! failover) is followed by one EVAL, which also loads the script again.

use crate::{Connection, Error, FromValue, Result, ToArg, Value};
use sha1::{Digest, Sha1};

/// A script and its SHA1.
#[derive(Clone, Debug)]
pub struct Script {
    code: String,
    sha: String,
}

impl Script {
    pub fn new(code: &str) -> Script {
        let digest = Sha1::digest(code.as_bytes());
        let sha = digest.iter().map(|b| format!("{:02x}", b)).collect();
        Script {
            code: code.to_string(),
            sha,
        }
    }

    pub fn sha(&self) -> &str {
        &self.sha
    }

    /// Run with `keys` and `args`: EVALSHA, then EVAL if the server does
    /// not know the script.
    pub fn invoke<T: FromValue>(&self, conn: &mut Connection, keys: &[&dyn ToArg], args: &[&dyn ToArg]) -> Result<T> {
        let mut argv: Vec<Vec<u8>> = Vec::with_capacity(3 + keys.len() + args.len());
        argv.push(b"EVALSHA".to_vec());
        argv.push(self.sha.as_bytes().to_vec());
        argv.push(keys.len().to_string().into_bytes());
        argv.extend(keys.iter().map(|k| k.to_arg()));
        argv.extend(args.iter().map(|a| a.to_arg()));
        match conn.call_args(&argv) {
            Err(Error::Server(m)) if m.starts_with("NOSCRIPT") => {
                argv[0] = b"EVAL".to_vec();
                argv[1] = self.code.as_bytes().to_vec();
                T::from_value(conn.call_args(&argv)?)
            }
            r => T::from_value(r?),
        }
    }

    /// The async twin of [`Script::invoke`] (feature `tokio`).
    #[cfg(feature = "tokio")]
    pub async fn invoke_async<T: FromValue>(
        &self,
        conn: &mut crate::aio::AsyncConnection,
        keys: &[&dyn ToArg],
        args: &[&dyn ToArg],
    ) -> Result<T> {
        let mut argv: Vec<Vec<u8>> = Vec::with_capacity(3 + keys.len() + args.len());
        argv.push(b"EVALSHA".to_vec());
        argv.push(self.sha.as_bytes().to_vec());
        argv.push(keys.len().to_string().into_bytes());
        argv.extend(keys.iter().map(|k| k.to_arg()));
        argv.extend(args.iter().map(|a| a.to_arg()));
        match conn.call_args(&argv).await {
            Err(Error::Server(m)) if m.starts_with("NOSCRIPT") => {
                argv[0] = b"EVAL".to_vec();
                argv[1] = self.code.as_bytes().to_vec();
                T::from_value(conn.call_args(&argv).await?)
            }
            r => T::from_value(r?),
        }
    }

    /// Load the script into the server's cache (SCRIPT LOAD).
    pub fn load(&self, conn: &mut Connection) -> Result<()> {
        let v: Value = conn.call_args(&[&b"SCRIPT"[..], b"LOAD", self.code.as_bytes()])?;
        match v.as_bytes() {
            Some(s) if s.eq_ignore_ascii_case(self.sha.as_bytes()) => Ok(()),
            _ => Err(Error::Type(format!("SCRIPT LOAD answered {:?}", v))),
        }
    }
}
