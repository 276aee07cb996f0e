//! The cluster bus: links between nodes and the messages they carry. Only
//! the message format exists so far (`msg`); the listener and links come
//! with the bus protocol (see `cluster/mod.rs`).

pub mod msg;
