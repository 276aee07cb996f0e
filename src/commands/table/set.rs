//! Set commands (group `set`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "sadd",
        group: Group::Set,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::SET,
        key_specs: &[ks(keyflags::RW | keyflags::INSERT, index(1), range(0, 1, 0))],
        handler: Some(crate::types::set::sadd_command),
        summary: "Add members to a set",
        since: "1.0.0",
        complexity: "O(1) per member, so O(N) for N members.",
        history: &[("2.4.0", "Several members can be given.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, flags: argflags::MULTIPLE, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "scard",
        group: Group::Set,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SET,
        key_specs: &[ks(keyflags::RO, index(1), range(0, 1, 0))],
        handler: Some(crate::types::set::scard_command),
        summary: "Count the members of a set",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "sdiff",
        group: Group::Set,
        arity: -2,
        flags: flags::READONLY,
        acl: acl::SET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(-1, 1, 0))],
        handler: Some(crate::types::set::sdiff_command),
        summary: "Return the difference of the first set and the others",
        since: "1.0.0",
        complexity: "O(N), N being the total number of members of all the sets.",
        tips: &["nondeterministic_output_order"],
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
        name: "sdiffstore",
        group: Group::Set,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::SET,
        key_specs: &[
            ks(keyflags::OW | keyflags::UPDATE, index(1), range(0, 1, 0)),
            ks(keyflags::RO | keyflags::ACCESS, index(2), range(-1, 1, 0)),
        ],
        handler: Some(crate::types::set::sdiffstore_command),
        summary: "Store the difference of the first set and the others in a key",
        since: "1.0.0",
        complexity: "O(N), N being the total number of members of all the sets.",
        args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 1,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "sinter",
        group: Group::Set,
        arity: -2,
        flags: flags::READONLY,
        acl: acl::SET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(-1, 1, 0))],
        handler: Some(crate::types::set::sinter_command),
        summary: "Return the intersection of sets",
        since: "1.0.0",
        complexity: "O(N*M) worst case, N being the size of the smallest set and M the number of sets.",
        tips: &["nondeterministic_output_order"],
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
        name: "sintercard",
        group: Group::Set,
        arity: -3,
        flags: flags::READONLY,
        acl: acl::SET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), keynum(0, 1, 1))],
        getkeys: Some(crate::commands::getkeys::sintercard_getkeys),
        handler: Some(crate::types::set::sintercard_command),
        summary: "Count the members of the intersection of sets",
        since: "7.0.0",
        complexity: "O(N*M) worst case, N being the size of the smallest set and M the number of sets.",
        args: &[
            Arg { name: "numkeys", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 0,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
            Arg {
                name: "limit",
                typ: ArgType::Integer,
                token: Some("LIMIT"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "sinterstore",
        group: Group::Set,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::SET,
        key_specs: &[
            ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0)),
            ks(keyflags::RO | keyflags::ACCESS, index(2), range(-1, 1, 0)),
        ],
        handler: Some(crate::types::set::sinterstore_command),
        summary: "Store the intersection of sets in a key",
        since: "1.0.0",
        complexity: "O(N*M) worst case, N being the size of the smallest set and M the number of sets.",
        args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 1,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "sismember",
        group: Group::Set,
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SET,
        key_specs: &[ks(keyflags::RO, index(1), range(0, 1, 0))],
        handler: Some(crate::types::set::sismember_command),
        summary: "Test whether a value is a member of a set",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "smembers",
        group: Group::Set,
        arity: 2,
        flags: flags::READONLY,
        acl: acl::SET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::set::smembers_command),
        summary: "Return every member of a set",
        since: "1.0.0",
        complexity: "O(N), N being the size of the set.",
        tips: &["nondeterministic_output_order"],
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "smismember",
        group: Group::Set,
        arity: -3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::set::smismember_command),
        summary: "Test several values for membership of a set",
        since: "6.2.0",
        complexity: "O(N), N being the number of values tested.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, flags: argflags::MULTIPLE, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "smove",
        group: Group::Set,
        arity: 4,
        flags: flags::WRITE | flags::FAST,
        acl: acl::SET,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(0, 1, 0)),
            ks(keyflags::RW | keyflags::INSERT, index(2), range(0, 1, 0)),
        ],
        handler: Some(crate::types::set::smove_command),
        summary: "Transfer a member from a source set to a destination set",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 1, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "spop",
        group: Group::Set,
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::SET,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::set::spop_command),
        summary: "Remove and return random members of a set",
        since: "1.0.0",
        complexity: "O(1) without count, else O(N), N being the count.",
        history: &[("3.2.0", "count argument added.")],
        tips: &["nondeterministic_output"],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "count",
                typ: ArgType::Integer,
                since: Some("3.2.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "srandmember",
        group: Group::Set,
        arity: -2,
        flags: flags::READONLY,
        acl: acl::SET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::set::srandmember_command),
        summary: "Return random members of a set without removing them",
        since: "1.0.0",
        complexity: "O(1) without count, else O(N), N being the absolute count.",
        history: &[("2.6.0", "count argument added.")],
        tips: &["nondeterministic_output"],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "count",
                typ: ArgType::Integer,
                since: Some("2.6.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "srem",
        group: Group::Set,
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::SET,
        key_specs: &[ks(keyflags::RW | keyflags::DELETE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::set::srem_command),
        summary: "Remove members from a set",
        since: "1.0.0",
        complexity: "O(N), N being the number of members removed.",
        history: &[("2.4.0", "Several members can be given.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, flags: argflags::MULTIPLE, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "sscan",
        group: Group::Set,
        arity: -3,
        flags: flags::READONLY,
        acl: acl::SET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::set::sscan_command),
        summary: "Walk the members of a set with a cursor",
        since: "2.8.0",
        complexity: "O(1) per call; O(N) for a full iteration, N being the size of the set.",
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
        name: "sunion",
        group: Group::Set,
        arity: -2,
        flags: flags::READONLY,
        acl: acl::SET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(-1, 1, 0))],
        handler: Some(crate::types::set::sunion_command),
        summary: "Return the union of sets",
        since: "1.0.0",
        complexity: "O(N), N being the total number of members of all the sets.",
        tips: &["nondeterministic_output_order"],
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
        name: "sunionstore",
        group: Group::Set,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::SET,
        key_specs: &[
            ks(keyflags::OW | keyflags::UPDATE, index(1), range(0, 1, 0)),
            ks(keyflags::RO | keyflags::ACCESS, index(2), range(-1, 1, 0)),
        ],
        handler: Some(crate::types::set::sunionstore_command),
        summary: "Store the union of sets in a key",
        since: "1.0.0",
        complexity: "O(N), N being the total number of members of all the sets.",
        args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 1,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
];
