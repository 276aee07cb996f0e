//! Bit-level string commands (group `bitmap`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "bitcount",
        group: Group::Bitmap,
        arity: -2,
        flags: flags::READONLY,
        acl: acl::BITMAP,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::bitops::bitcount_command),
        summary: "Count the bits set to 1 in a string",
        since: "2.6.0",
        complexity: "O(N)",
        history: &[("7.0.0", "BYTE and BIT range units added.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "index",
                typ: ArgType::Block,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "start", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg { name: "end", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg {
                        name: "index_unit",
                        typ: ArgType::OneOf,
                        since: Some("7.0.0"),
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg {
                                name: "byte",
                                typ: ArgType::PureToken,
                                token: Some("BYTE"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "bit",
                                typ: ArgType::PureToken,
                                token: Some("BIT"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bitfield",
        group: Group::Bitmap,
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::BITMAP,
        key_specs: &[
            ks_notes(
                "The key may be both read and written",
                keyflags::RW | keyflags::ACCESS | keyflags::UPDATE | keyflags::VARIABLE_FLAGS,
                index(1),
                range(0, 1, 0),
            ),
        ],
        getkeys: Some(crate::commands::getkeys::bitfield_getkeys),
        handler: Some(crate::types::bitops::bitfield_command),
        summary: "Read, write and increment integer fields of arbitrary width inside a string",
        since: "3.2.0",
        complexity: "O(1) per operation given.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "operation",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                subargs: &[
                    Arg {
                        name: "encoding_offset",
                        typ: ArgType::Block,
                        token: Some("GET"),
                        subargs: &[
                            Arg { name: "encoding", typ: ArgType::String, ..Arg::DEFAULT },
                            Arg { name: "offset", typ: ArgType::Integer, ..Arg::DEFAULT },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "write",
                        typ: ArgType::Block,
                        subargs: &[
                            Arg {
                                name: "wrap_sat_fail",
                                typ: ArgType::OneOf,
                                token: Some("OVERFLOW"),
                                flags: argflags::OPTIONAL,
                                subargs: &[
                                    Arg {
                                        name: "wrap",
                                        typ: ArgType::PureToken,
                                        token: Some("WRAP"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "sat",
                                        typ: ArgType::PureToken,
                                        token: Some("SAT"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "fail",
                                        typ: ArgType::PureToken,
                                        token: Some("FAIL"),
                                        ..Arg::DEFAULT
                                    },
                                ],
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "write_operation",
                                typ: ArgType::OneOf,
                                subargs: &[
                                    Arg {
                                        name: "encoding_offset_value",
                                        typ: ArgType::Block,
                                        token: Some("SET"),
                                        subargs: &[
                                            Arg {
                                                name: "encoding",
                                                typ: ArgType::String,
                                                ..Arg::DEFAULT
                                            },
                                            Arg {
                                                name: "offset",
                                                typ: ArgType::Integer,
                                                ..Arg::DEFAULT
                                            },
                                            Arg {
                                                name: "value",
                                                typ: ArgType::Integer,
                                                ..Arg::DEFAULT
                                            },
                                        ],
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "encoding_offset_increment",
                                        typ: ArgType::Block,
                                        token: Some("INCRBY"),
                                        subargs: &[
                                            Arg {
                                                name: "encoding",
                                                typ: ArgType::String,
                                                ..Arg::DEFAULT
                                            },
                                            Arg {
                                                name: "offset",
                                                typ: ArgType::Integer,
                                                ..Arg::DEFAULT
                                            },
                                            Arg {
                                                name: "increment",
                                                typ: ArgType::Integer,
                                                ..Arg::DEFAULT
                                            },
                                        ],
                                        ..Arg::DEFAULT
                                    },
                                ],
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bitfield_ro",
        group: Group::Bitmap,
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::BITMAP,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::bitops::bitfield_ro_command),
        summary: "Read integer fields of arbitrary width inside a string (read-only BITFIELD)",
        since: "6.0.0",
        complexity: "O(1) per operation given.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "encoding_offset",
                typ: ArgType::Block,
                token: Some("GET"),
                flags: argflags::OPTIONAL | argflags::MULTIPLE | argflags::MULTIPLE_TOKEN,
                subargs: &[
                    Arg { name: "encoding", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg { name: "offset", typ: ArgType::Integer, ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bitop",
        group: Group::Bitmap,
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::BITMAP,
        key_specs: &[
            ks(keyflags::OW | keyflags::UPDATE, index(2), range(0, 1, 0)),
            ks(keyflags::RO | keyflags::ACCESS, index(3), range(-1, 1, 0)),
        ],
        handler: Some(crate::types::bitops::bitop_command),
        summary: "Combine strings bit by bit with AND, OR, XOR or NOT",
        since: "2.6.0",
        complexity: "O(N)",
        args: &[
            Arg { name: "operation", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "destkey", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
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
        name: "bitpos",
        group: Group::Bitmap,
        arity: -3,
        flags: flags::READONLY,
        acl: acl::BITMAP,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::bitops::bitpos_command),
        summary: "Locate the first bit with a given value (0 or 1) in a string",
        since: "2.8.7",
        complexity: "O(N)",
        history: &[("7.0.0", "BYTE and BIT range units added.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "bit", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "index",
                typ: ArgType::Block,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "start", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg {
                        name: "end_index",
                        typ: ArgType::Block,
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg { name: "end", typ: ArgType::Integer, ..Arg::DEFAULT },
                            Arg {
                                name: "index_unit",
                                typ: ArgType::OneOf,
                                since: Some("7.0.0"),
                                flags: argflags::OPTIONAL,
                                subargs: &[
                                    Arg {
                                        name: "byte",
                                        typ: ArgType::PureToken,
                                        token: Some("BYTE"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "bit",
                                        typ: ArgType::PureToken,
                                        token: Some("BIT"),
                                        ..Arg::DEFAULT
                                    },
                                ],
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "getbit",
        group: Group::Bitmap,
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::BITMAP,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::bitops::getbit_command),
        summary: "Return the bit at an offset of a string",
        since: "2.2.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "offset", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "setbit",
        group: Group::Bitmap,
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::BITMAP,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::UPDATE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::bitops::setbit_command),
        summary: "Set or clear the bit at an offset of a string",
        since: "2.2.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "offset", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "value", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
];
