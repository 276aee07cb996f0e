//! JSON documents (RedisJSON 2.8's `ReJSON-RL` type).

pub mod path;
pub mod tape;
