//! HyperLogLog commands (group `hyperloglog`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "pfadd",
        group: Group::Hyperloglog,
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::HYPERLOGLOG,
        key_specs: &[ks(keyflags::RW | keyflags::INSERT, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hyperloglog::pfadd_command),
        summary: "Add elements to a HyperLogLog",
        since: "2.8.9",
        complexity: "O(1) per element.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "element",
                typ: ArgType::String,
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "pfcount",
        group: Group::Hyperloglog,
        arity: -2,
        flags: flags::READONLY | flags::MAY_REPLICATE,
        acl: acl::HYPERLOGLOG,
        key_specs: &[
            ks_notes(
                "Writes because the internal encoding may be updated and replicated",
                keyflags::RW | keyflags::ACCESS,
                index(1),
                range(-1, 1, 0),
            ),
        ],
        handler: Some(crate::types::hyperloglog::pfcount_command),
        summary: "Estimate the number of distinct elements seen by one or more HyperLogLogs",
        since: "2.8.9",
        complexity: "O(1) with a small constant for one key; O(N) with a much larger constant for N keys.",
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
    CommandDef {
        name: "pfdebug",
        group: Group::Hyperloglog,
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::ADMIN,
        acl: acl::HYPERLOGLOG,
        key_specs: &[ks(keyflags::RW | keyflags::ACCESS, index(2), range(0, 1, 0))],
        handler: Some(crate::types::hyperloglog::pfdebug_command),
        summary: "Inspect HyperLogLog internals (debugging)",
        since: "2.8.9",
        complexity: "Not applicable.",
        doc_flags: docflags::SYSCMD,
        args: &[
            Arg { name: "subcommand", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "pfmerge",
        group: Group::Hyperloglog,
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::HYPERLOGLOG,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::INSERT, index(1), range(0, 1, 0)),
            ks(keyflags::RO | keyflags::ACCESS, index(2), range(-1, 1, 0)),
        ],
        handler: Some(crate::types::hyperloglog::pfmerge_command),
        summary: "Merge several HyperLogLogs into one",
        since: "2.8.9",
        complexity: "O(N) for N HyperLogLogs, with a large constant.",
        args: &[
            Arg { name: "destkey", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "sourcekey",
                typ: ArgType::Key,
                key_spec_index: 1,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "pfselftest",
        group: Group::Hyperloglog,
        arity: 1,
        flags: flags::ADMIN,
        acl: acl::HYPERLOGLOG,
        handler: Some(crate::types::hyperloglog::pfselftest_command),
        summary: "Run the built-in HyperLogLog self test (testing)",
        since: "2.8.9",
        complexity: "Not applicable.",
        doc_flags: docflags::SYSCMD,
        ..CommandDef::DEFAULT
    },
];
