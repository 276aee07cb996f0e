//! Hash commands (group `hash`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "hdel",
        group: Group::Hash,
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RW | keyflags::DELETE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hdel_command),
        summary: "Remove fields from a hash",
        since: "2.0.0",
        complexity: "O(N), N being the number of fields removed.",
        history: &[("2.4.0", "Several fields can be given.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "field", typ: ArgType::String, flags: argflags::MULTIPLE, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hexists",
        group: Group::Hash,
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RO, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hexists_command),
        summary: "Test whether a hash has a field",
        since: "2.0.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "field", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hget",
        group: Group::Hash,
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hget_command),
        summary: "Return the value stored in a hash field",
        since: "2.0.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "field", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hgetall",
        group: Group::Hash,
        arity: 2,
        flags: flags::READONLY,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hgetall_command),
        summary: "Return every field and value of a hash",
        since: "2.0.0",
        complexity: "O(N), N being the size of the hash.",
        tips: &["nondeterministic_output_order"],
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hincrby",
        group: Group::Hash,
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::HASH,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::UPDATE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::hash::hincrby_command),
        summary: "Add an integer to the value of a hash field",
        since: "2.0.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "field", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "increment", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hincrbyfloat",
        group: Group::Hash,
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::HASH,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::UPDATE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::hash::hincrbyfloat_command),
        summary: "Add a floating point number to the value of a hash field",
        since: "2.6.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "field", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "increment", typ: ArgType::Double, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hkeys",
        group: Group::Hash,
        arity: 2,
        flags: flags::READONLY,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hkeys_command),
        summary: "Return every field name of a hash",
        since: "2.0.0",
        complexity: "O(N), N being the size of the hash.",
        tips: &["nondeterministic_output_order"],
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hlen",
        group: Group::Hash,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RO, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hlen_command),
        summary: "Count the fields of a hash",
        since: "2.0.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hmget",
        group: Group::Hash,
        arity: -3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hmget_command),
        summary: "Return the values of several hash fields",
        since: "2.0.0",
        complexity: "O(N), N being the number of fields asked for.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "field", typ: ArgType::String, flags: argflags::MULTIPLE, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hmset",
        group: Group::Hash,
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hmset_command),
        summary: "Set several hash fields at once",
        since: "2.0.0",
        complexity: "O(N), N being the number of fields set.",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("4.0.0"),
        replaced_by: Some("`HSET` with multiple field-value pairs"),
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "field_value",
                typ: ArgType::Block,
                flags: argflags::MULTIPLE,
                subargs: &[
                    Arg { name: "field", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hrandfield",
        group: Group::Hash,
        arity: -2,
        flags: flags::READONLY,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hrandfield_command),
        summary: "Return one or more random fields of a hash",
        since: "6.2.0",
        complexity: "O(N), N being the number of fields returned.",
        tips: &["nondeterministic_output"],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "options",
                typ: ArgType::Block,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "count", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg {
                        name: "withvalues",
                        typ: ArgType::PureToken,
                        token: Some("WITHVALUES"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hscan",
        group: Group::Hash,
        arity: -3,
        flags: flags::READONLY,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hscan_command),
        summary: "Walk the fields and values of a hash with a cursor",
        since: "2.8.0",
        complexity: "O(1) per call; O(N) for a full iteration, N being the size of the hash.",
        tips: &["nondeterministic_output"],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "cursor", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "pattern",
                typ: ArgType::Pattern,
                token: Some("MATCH"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "count",
                typ: ArgType::Integer,
                token: Some("COUNT"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hset",
        group: Group::Hash,
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hset_command),
        summary: "Set one or more hash fields",
        since: "2.0.0",
        complexity: "O(1) per field/value pair, so O(N) for N pairs.",
        history: &[("4.0.0", "Several field/value pairs can be given.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "field_value",
                typ: ArgType::Block,
                flags: argflags::MULTIPLE,
                subargs: &[
                    Arg { name: "field", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hsetnx",
        group: Group::Hash,
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RW | keyflags::INSERT, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hsetnx_command),
        summary: "Set a hash field only when it is absent",
        since: "2.0.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "field", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hstrlen",
        group: Group::Hash,
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RO, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hstrlen_command),
        summary: "Return the byte length of a hash field's value",
        since: "3.2.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "field", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hvals",
        group: Group::Hash,
        arity: 2,
        flags: flags::READONLY,
        acl: acl::HASH,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::hash::hvals_command),
        summary: "Return every value of a hash",
        since: "2.0.0",
        complexity: "O(N), N being the size of the hash.",
        tips: &["nondeterministic_output_order"],
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
];
