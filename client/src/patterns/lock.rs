//! Distributed locks.
//!
//! [`Lock`]: one server. `SET key token NX PX ttl` taken together with an
//! `INCR` of `<key>:fence` in one script, so every holder gets a fencing
//! token larger than any earlier holder's (hand it to the storage you protect
//! and let it refuse smaller ones). Release and extend compare the random
//! token first, by script, so a holder whose lease expired cannot free or
//! stretch the next holder's lock. (In a cluster, name the key with a hash tag,
//! `{name}`, so the fence key lands in the same slot.)
//!
//! [`Redlock`]: N independent servers; the lock is held when a majority
//! granted it and the time left (`ttl - elapsed - drift`) is positive, with
//! drift = 1% of the TTL + 2 ms for clock-rate differences.

use crate::{Connection, Error, Result, Script};
use std::time::{Duration, Instant};

const ACQUIRE: &str = "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then \
     return redis.call('INCR', KEYS[2]) else return false end";
const RELEASE: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
const EXTEND: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";

/// A held single-instance lock.
#[derive(Clone, Debug)]
pub struct Lock {
    key: Vec<u8>,
    token: String,
    fence: i64,
    ttl: Duration,
}

fn fence_key(key: &[u8]) -> Vec<u8> {
    let mut k = key.to_vec();
    k.extend_from_slice(b":fence");
    k
}

fn ms(d: Duration) -> u64 {
    d.as_millis().clamp(1, u128::from(u64::MAX)) as u64
}

impl Lock {
    /// One attempt: `Ok(None)` when someone else holds it.
    pub fn try_acquire(conn: &mut Connection, key: &[u8], ttl: Duration) -> Result<Option<Lock>> {
        let token = crate::random_token();
        let fence: Option<i64> = Script::new(ACQUIRE).invoke(conn, &[&key, &fence_key(key)], &[&token, &ms(ttl)])?;
        Ok(fence.map(|fence| Lock {
            key: key.to_vec(),
            token,
            fence,
            ttl,
        }))
    }

    /// Retry (with a small randomised pause) until acquired or `wait` is
    /// over.
    pub fn acquire(conn: &mut Connection, key: &[u8], ttl: Duration, wait: Duration) -> Result<Option<Lock>> {
        let deadline = Instant::now() + wait;
        let mut pause = 1u64;
        loop {
            if let Some(l) = Self::try_acquire(conn, key, ttl)? {
                return Ok(Some(l));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            let jitter = u64::from_str_radix(&crate::random_token()[..4], 16).unwrap_or(0) % (pause + 1);
            std::thread::sleep(Duration::from_millis(pause + jitter));
            pause = (pause * 2).min(50);
        }
    }

    /// The fencing token: strictly increasing across holders of this key.
    pub fn fence(&self) -> i64 {
        self.fence
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Push the expiry to `ttl` from now; `Ok(false)` if the lock was lost.
    pub fn extend(&mut self, conn: &mut Connection, ttl: Duration) -> Result<bool> {
        let n: i64 = Script::new(EXTEND).invoke(conn, &[&self.key], &[&self.token, &ms(ttl)])?;
        if n == 1 {
            self.ttl = ttl;
        }
        Ok(n == 1)
    }

    /// Release; `Ok(false)` if it had already expired (someone else may
    /// hold it now, and is left alone).
    pub fn release(self, conn: &mut Connection) -> Result<bool> {
        let n: i64 = Script::new(RELEASE).invoke(conn, &[&self.key], &[&self.token])?;
        Ok(n == 1)
    }
}

/// A lock over N independent servers.
pub struct Redlock {
    conns: Vec<Connection>,
}

/// A held Redlock: valid until `valid_until`.
#[derive(Clone, Debug)]
pub struct RedlockGuard {
    key: Vec<u8>,
    token: String,
    pub valid_until: Instant,
}

impl Redlock {
    pub fn new(conns: Vec<Connection>) -> Result<Redlock> {
        if conns.is_empty() {
            return Err(Error::Other("Redlock needs at least one server".into()));
        }
        Ok(Redlock { conns })
    }

    fn quorum(&self) -> usize {
        self.conns.len() / 2 + 1
    }

    /// One round over all servers. An unreachable server counts as a
    /// refusal. On failure whatever was taken is released again.
    pub fn try_lock(&mut self, key: &[u8], ttl: Duration) -> Result<Option<RedlockGuard>> {
        let token = crate::random_token();
        let start = Instant::now();
        let mut granted = 0;
        for c in &mut self.conns {
            let r: Result<Option<String>> = c.query(&crate::cmd("SET").arg(key).arg(&token).arg("NX").arg("PX").arg(&ms(ttl)));
            if let Ok(Some(_)) = r {
                granted += 1;
            }
        }
        let drift = ttl / 100 + Duration::from_millis(2);
        let elapsed = start.elapsed();
        if granted >= self.quorum() && ttl > elapsed + drift {
            return Ok(Some(RedlockGuard {
                key: key.to_vec(),
                token,
                valid_until: start + ttl - drift,
            }));
        }
        self.unlock_token(key, &token);
        Ok(None)
    }

    /// Retry rounds until locked or `wait` is over.
    pub fn lock(&mut self, key: &[u8], ttl: Duration, wait: Duration) -> Result<Option<RedlockGuard>> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(g) = self.try_lock(key, ttl)? {
                return Ok(Some(g));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            let jitter = u64::from_str_radix(&crate::random_token()[..4], 16).unwrap_or(0) % 10;
            std::thread::sleep(Duration::from_millis(2 + jitter));
        }
    }

    fn unlock_token(&mut self, key: &[u8], token: &str) {
        let s = Script::new(RELEASE);
        for c in &mut self.conns {
            let _ = s.invoke::<i64>(c, &[&key], &[&token]);
        }
    }

    /// Release on every server (each only if it still holds our token).
    pub fn unlock(&mut self, g: RedlockGuard) {
        self.unlock_token(&g.key, &g.token);
    }
}
