//! Patterns built on the client: distributed locks, rate limiters, queues
//! and a caching layer. Every multi-step decision runs as one Lua script,
//! so it is atomic on the server.

pub mod cache;
pub mod lock;
pub mod queue;
pub mod ratelimit;

/// Milliseconds since the Unix epoch (client clock).
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
