//! Oxidis: a drop-in replacement for redis-server 7.0, in Rust.
//!
//! Start with `../DESIGN.md`-style map: `server` owns the event loop and
//! all state; `client` handles connections; `resp` speaks the protocol;
//! `commands` is the command table; `db` the keyspace; `types` one file per
//! data type; `config` the parameter table.

pub mod acl;
pub mod ae;
pub mod alloc;
pub mod blocked;
pub mod client;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod db;
pub mod debug;
pub mod ds;
pub mod error;
pub mod latency;
pub mod lazyfree;
pub mod multi;
pub mod net;
pub mod object;
pub mod persist;
pub mod proctitle;
pub mod pubsub;
pub mod repl;
pub mod resp;
pub mod scripting;
pub mod server;
pub mod slowlog;
pub mod stack;
pub mod tracking;
pub mod types;
pub mod util;

/// Unit tests run on the server's allocator too, so `used_memory` (and
/// with it maxmemory and eviction) behaves as it does in the server.
#[cfg(test)]
#[global_allocator]
static TEST_GLOBAL: alloc::CountingJemalloc = alloc::CountingJemalloc;

/// The Redis version we are compatible with, as reported to clients.
pub const REDIS_VERSION: &str = "7.0.15";
/// Our own version.
pub const OXIDIS_VERSION: &str = env!("CARGO_PKG_VERSION");
