//! Rate limiters, each one atomic script that uses the server's clock
//! (`TIME`), so callers on different machines agree on the windows.
//!
//! * [`Limiter::FixedWindow`]: a counter that lives `window` from the first
//!   hit (so a window never splits a burst in two).
//! * [`Limiter::SlidingLog`]: a sorted set of admission times: exact, memory
//!   proportional to the limit.
//! * [`Limiter::SlidingCounter`]: this window's count plus the previous
//!   window's, weighted by how much of it still overlaps: O(1) memory.
//! * [`Limiter::Gcra`]: the generic cell rate algorithm (a token bucket kept
//!   as one "theoretical arrival time"): smooth, bursts of up to `limit`.
//!
//! Every decision reports the quota left and when it resets (or, when
//! refused, when to try again).

use crate::{Connection, Result, Script};
use std::time::Duration;

const NOW_MS: &str = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) ";

const FIXED: &str = "local n = redis.call('INCR', KEYS[1]) \
    local win = tonumber(ARGV[2]) \
    local ttl = redis.call('PTTL', KEYS[1]) \
    if n == 1 or ttl < 0 then redis.call('PEXPIRE', KEYS[1], win) ttl = win end \
    local limit = tonumber(ARGV[1]) \
    if n > limit then return {0, 0, ttl} end \
    return {1, limit - n, ttl}";

const LOG: &str = "local win = tonumber(ARGV[2]) local limit = tonumber(ARGV[1]) \
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - win) \
    local n = redis.call('ZCARD', KEYS[1]) \
    local allowed = 0 \
    if n < limit then redis.call('ZADD', KEYS[1], now, ARGV[3]) n = n + 1 allowed = 1 end \
    redis.call('PEXPIRE', KEYS[1], win) \
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES') \
    local reset = 0 \
    if oldest[2] then reset = tonumber(oldest[2]) + win - now end \
    return {allowed, limit - n, reset}";

const COUNTER: &str = "local win = tonumber(ARGV[2]) local limit = tonumber(ARGV[1]) \
    local idx = math.floor(now / win) \
    local cur = tonumber(redis.call('HGET', KEYS[1], idx) or '0') \
    local prev = tonumber(redis.call('HGET', KEYS[1], idx - 1) or '0') \
    local weight = 1 - (now - idx * win) / win \
    local est = prev * weight + cur \
    local allowed = 0 \
    if est + 1 <= limit then redis.call('HINCRBY', KEYS[1], idx, 1) allowed = 1 est = est + 1 end \
    for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do \
      if tonumber(f) < idx - 1 then redis.call('HDEL', KEYS[1], f) end end \
    redis.call('PEXPIRE', KEYS[1], win * 2) \
    local left = math.floor(limit - est) if left < 0 then left = 0 end \
    return {allowed, left, (idx + 1) * win - now}";

// Microseconds inside: the TAT is stored as an integer.
const GCRA: &str = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000000 + tonumber(t[2]) \
    local limit = tonumber(ARGV[1]) local period = tonumber(ARGV[2]) * 1000 \
    local emission = period / limit \
    local tat = tonumber(redis.call('GET', KEYS[1]) or '0') \
    if tat < now then tat = now end \
    local new_tat = tat + emission \
    local allow_at = new_tat - period \
    if now < allow_at then return {0, 0, math.ceil((allow_at - now) / 1000)} end \
    local ttl = math.ceil((new_tat - now) / 1000) \
    redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl) \
    return {1, math.floor((period - (new_tat - now)) / emission), ttl}";

/// Which algorithm, with its limit per period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limiter {
    FixedWindow { limit: u64, window: Duration },
    SlidingLog { limit: u64, window: Duration },
    SlidingCounter { limit: u64, window: Duration },
    Gcra { limit: u64, period: Duration },
}

/// One admission decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// Requests still admissible now.
    pub remaining: u64,
    /// Allowed: when the quota is fully back (window end / bucket full).
    /// Refused: how long until a request can succeed (or the window ends).
    pub reset: Duration,
}

impl Limiter {
    /// Ask for one unit for `key` (the limiter's Redis key).
    pub fn check(&self, conn: &mut Connection, key: &[u8]) -> Result<Decision> {
        let (allowed, remaining, reset): (i64, i64, i64) = match *self {
            Limiter::FixedWindow { limit, window } => Script::new(FIXED).invoke(conn, &[&key], &[&limit, &ms(window)])?,
            Limiter::SlidingLog { limit, window } => {
                let member = crate::random_token();
                Script::new(&format!("{}{}", NOW_MS, LOG)).invoke(conn, &[&key], &[&limit, &ms(window), &member])?
            }
            Limiter::SlidingCounter { limit, window } => {
                Script::new(&format!("{}{}", NOW_MS, COUNTER)).invoke(conn, &[&key], &[&limit, &ms(window)])?
            }
            Limiter::Gcra { limit, period } => Script::new(GCRA).invoke(conn, &[&key], &[&limit, &ms(period)])?,
        };
        Ok(Decision {
            allowed: allowed == 1,
            remaining: remaining.max(0) as u64,
            reset: Duration::from_millis(reset.max(0) as u64),
        })
    }
}

fn ms(d: Duration) -> u64 {
    d.as_millis().clamp(1, u128::from(u64::MAX)) as u64
}
