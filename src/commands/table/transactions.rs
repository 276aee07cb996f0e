//! MULTI/EXEC transaction commands (group `transactions`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "discard",
        group: Group::Transactions,
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::ALLOW_BUSY,
        acl: acl::TRANSACTION,
        handler: Some(crate::multi::discard_command),
        summary: "Drop the commands queued since MULTI",
        since: "2.0.0",
        complexity: "O(N), N being the number of queued commands.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "exec",
        group: Group::Transactions,
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SKIP_SLOWLOG,
        acl: acl::TRANSACTION,
        handler: Some(crate::multi::exec_command),
        summary: "Run the commands queued since MULTI",
        since: "1.2.0",
        complexity: "Depends on the queued commands.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "multi",
        group: Group::Transactions,
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::ALLOW_BUSY,
        acl: acl::TRANSACTION,
        handler: Some(crate::multi::multi_command),
        summary: "Begin a transaction",
        since: "1.2.0",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "unwatch",
        group: Group::Transactions,
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::ALLOW_BUSY,
        acl: acl::TRANSACTION,
        handler: Some(crate::multi::unwatch_command),
        summary: "Stop watching all keys",
        since: "2.2.0",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "watch",
        group: Group::Transactions,
        arity: -2,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::ALLOW_BUSY,
        acl: acl::TRANSACTION,
        key_specs: &[ks(keyflags::RO, index(1), range(-1, 1, 0))],
        handler: Some(crate::multi::watch_command),
        summary: "Watch keys so that a later EXEC fails if they change",
        since: "2.2.0",
        complexity: "O(1) per key.",
        args: &[
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 0,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
];
