//! The command table: one module per command group (sentinel omitted).
//!
//! These tables are the source of the command definitions and are edited
//! by hand. They were first produced by a one-off script from Redis
//! 7.0.15's command facts (arity, flags, ACL categories, key specs,
//! arguments) and our own prose; that script and its inputs were never
//! part of the repository, so the tables are no longer generated: a new
//! command is one more `CommandDef` in its group's file, its facts checked
//! against Redis 7.0.15 (`COMMAND INFO` / `COMMAND DOCS` of the real
//! server); `cargo test --lib commands::` checks the tables (well-formed
//! names, arities and docs, recognised kinds, movable keys, key
//! extraction, ACL categories). Nothing outside the repository is needed.

use crate::commands::def::CommandDef;

pub mod bitmap;
pub mod bloom;
pub mod cluster;
pub mod connection;
pub mod generic;
pub mod geo;
pub mod hash;
pub mod hyperloglog;
pub mod json;
pub mod list;
pub mod pubsub;
pub mod scripting;
pub mod server;
pub mod set;
pub mod sorted_set;
pub mod stream;
pub mod string;
pub mod timeseries;
pub mod transactions;
pub mod vectorset;

/// Every group's table, in `Group` order.
pub const ALL: &[&[CommandDef]] = &[
    generic::COMMANDS,
    string::COMMANDS,
    list::COMMANDS,
    set::COMMANDS,
    sorted_set::COMMANDS,
    hash::COMMANDS,
    pubsub::COMMANDS,
    transactions::COMMANDS,
    connection::COMMANDS,
    server::COMMANDS,
    scripting::COMMANDS,
    hyperloglog::COMMANDS,
    cluster::COMMANDS,
    geo::COMMANDS,
    stream::COMMANDS,
    bitmap::COMMANDS,
    json::COMMANDS,
    bloom::COMMANDS,
    timeseries::COMMANDS,
    vectorset::COMMANDS,
];
