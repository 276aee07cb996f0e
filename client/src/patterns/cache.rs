//! Cache-aside with TTL jitter, stampede protection and stale-while-
//! revalidate, plus a write-through helper.
//!
//! A cached value is stored as 8 bytes of "fresh until" (Unix ms, big
//! endian; the writer's clock) followed by the payload, with a Redis TTL of
//! `ttl + jitter + stale`. Reads:
//! * fresh: returned;
//! * stale (past "fresh until", still present): one caller wins a short
//!   lock (`<key>:lock`) and reloads; the others get the stale value at once;
//! * missing: one caller wins the lock and loads; the others wait for its
//!   value (polling), and load themselves only if it never comes.
//!
//! Reads can go through a [`CachingClient`] so hot keys are answered from
//! process memory, kept coherent by server-assisted invalidation.

use super::now_ms;
use crate::tracking::CachingClient;
use crate::{cmd, Connection, Result};
use std::time::{Duration, Instant};

/// Where cached values are read from and written to.
pub trait CacheStore {
    fn read(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>>;
    fn conn(&mut self) -> &mut Connection;
}

impl CacheStore for Connection {
    fn read(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.query(&cmd("GET").arg(key))
    }
    fn conn(&mut self) -> &mut Connection {
        self
    }
}

impl CacheStore for CachingClient {
    fn read(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.get(key)
    }
    fn conn(&mut self) -> &mut Connection {
        self.connection()
    }
}

/// Cache-aside settings.
#[derive(Clone, Debug)]
pub struct CacheAside {
    pub ttl: Duration,
    /// A random 0..jitter is added to each TTL so keys written together do
    /// not expire together.
    pub jitter: Duration,
    /// How long past `ttl` a stale value may still be served while one
    /// caller refreshes it.
    pub stale: Duration,
    /// Lease of the refresh lock (also how long waiters wait).
    pub lock_ttl: Duration,
}

impl CacheAside {
    pub fn new(ttl: Duration) -> CacheAside {
        CacheAside {
            ttl,
            jitter: ttl / 10,
            stale: ttl,
            lock_ttl: Duration::from_secs(2),
        }
    }

    fn lock_key(key: &[u8]) -> Vec<u8> {
        let mut k = key.to_vec();
        k.extend_from_slice(b":lock");
        k
    }

    fn decode(v: &[u8]) -> Option<(u64, &[u8])> {
        let head: [u8; 8] = v.get(..8)?.try_into().ok()?;
        Some((u64::from_be_bytes(head), &v[8..]))
    }

    /// Store `value` (fresh for `ttl` + jitter).
    pub fn put(&self, conn: &mut Connection, key: &[u8], value: &[u8]) -> Result<()> {
        let jitter_ms = self.jitter.as_millis() as u64;
        let j = if jitter_ms == 0 {
            0
        } else {
            u64::from_str_radix(&crate::random_token()[..8], 16).unwrap_or(0) % jitter_ms
        };
        let fresh_ms = self.ttl.as_millis() as u64 + j;
        let mut v = (now_ms() + fresh_ms).to_be_bytes().to_vec();
        v.extend_from_slice(value);
        let px = (fresh_ms + self.stale.as_millis() as u64).max(1);
        conn.query(&cmd("SET").arg(key).arg(&v).arg("PX").arg(&px))
    }

    fn try_lock(&self, conn: &mut Connection, key: &[u8]) -> Result<Option<super::lock::Lock>> {
        super::lock::Lock::try_acquire(conn, &Self::lock_key(key), self.lock_ttl)
    }

    /// The cached value, loading it with `loader` when needed.
    pub fn get_or_load<S: CacheStore>(&self, store: &mut S, key: &[u8], loader: impl FnOnce() -> Result<Vec<u8>>) -> Result<Vec<u8>> {
        let deadline = Instant::now() + self.lock_ttl;
        let mut loader = Some(loader);
        loop {
            if let Some(raw) = store.read(key)? {
                if let Some((fresh_until, data)) = Self::decode(&raw) {
                    if now_ms() < fresh_until {
                        return Ok(data.to_vec());
                    }
                    // Stale: one refresher, everyone else serves stale.
                    let Some(lock) = self.try_lock(store.conn(), key)? else {
                        return Ok(data.to_vec());
                    };
                    let load = loader.take().ok_or_else(|| crate::Error::Other("loader used".into()))?;
                    let r = load();
                    if let Ok(v) = &r {
                        self.put(store.conn(), key, v)?;
                    }
                    lock.release(store.conn())?;
                    return r;
                }
            }
            if let Some(lock) = self.try_lock(store.conn(), key)? {
                // Someone may have filled it between our read and our lock.
                let again: Option<Vec<u8>> = store.conn().query(&cmd("GET").arg(key))?;
                if let Some((_, data)) = again.as_deref().and_then(Self::decode) {
                    let data = data.to_vec();
                    lock.release(store.conn())?;
                    return Ok(data);
                }
                let load = loader.take().ok_or_else(|| crate::Error::Other("loader used".into()))?;
                let r = load();
                if let Ok(v) = &r {
                    self.put(store.conn(), key, v)?;
                }
                lock.release(store.conn())?;
                return r;
            }
            if Instant::now() >= deadline {
                // The loader holding the lock is stuck: load without caching.
                let load = loader.take().ok_or_else(|| crate::Error::Other("loader used".into()))?;
                return load();
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Write-through: `write` updates the system of record first; on
    /// success the cache gets the new value.
    pub fn write_through(&self, conn: &mut Connection, key: &[u8], value: &[u8], write: impl FnOnce(&[u8]) -> Result<()>) -> Result<()> {
        write(value)?;
        self.put(conn, key, value)
    }

    /// Drop the cached value (after a change the cache did not see).
    pub fn invalidate(&self, conn: &mut Connection, key: &[u8]) -> Result<()> {
        let _: i64 = conn.query(&cmd("DEL").arg(key))?;
        Ok(())
    }
}
