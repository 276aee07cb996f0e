//! String value commands (group `string`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "append",
        group: Group::String,
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::STRING,
        key_specs: &[ks(keyflags::RW | keyflags::INSERT, index(1), range(0, 1, 0))],
        handler: Some(crate::types::string::append_command),
        summary: "Add a string to the end of a key's value",
        since: "2.0.0",
        complexity: "O(1) amortized, because the string buffer grows geometrically on reallocation.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "decr",
        group: Group::String,
        arity: 2,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::STRING,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::UPDATE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::string::decr_command),
        summary: "Subtract one from the integer stored at a key",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "decrby",
        group: Group::String,
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::STRING,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::UPDATE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::string::decrby_command),
        summary: "Subtract a given amount from the integer stored at a key",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "decrement", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "get",
        group: Group::String,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::STRING,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::string::get_command),
        summary: "Return the string stored at a key",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "getdel",
        group: Group::String,
        arity: 2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::STRING,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::string::getdel_command),
        summary: "Return the string stored at a key and remove the key",
        since: "6.2.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "getex",
        group: Group::String,
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::STRING,
        key_specs: &[
            ks_notes(
                "Writes because the expiration may change",
                keyflags::RW | keyflags::ACCESS | keyflags::UPDATE,
                index(1),
                range(0, 1, 0),
            ),
        ],
        handler: Some(crate::types::string::getex_command),
        summary: "Return the string stored at a key, optionally changing its expiration",
        since: "6.2.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "expiration",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "seconds",
                        typ: ArgType::Integer,
                        token: Some("EX"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "milliseconds",
                        typ: ArgType::Integer,
                        token: Some("PX"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "unix-time-seconds",
                        typ: ArgType::UnixTime,
                        token: Some("EXAT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "unix-time-milliseconds",
                        typ: ArgType::UnixTime,
                        token: Some("PXAT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "persist",
                        typ: ArgType::PureToken,
                        token: Some("PERSIST"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "getrange",
        group: Group::String,
        arity: 4,
        flags: flags::READONLY,
        acl: acl::STRING,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::string::getrange_command),
        summary: "Return part of the string stored at a key",
        since: "2.4.0",
        complexity: "O(N), N being the length of the returned part; effectively O(1) for short results.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "start", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "end", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "getset",
        group: Group::String,
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::STRING,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::UPDATE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::string::getset_command),
        summary: "Store a new string at a key and return the previous one",
        since: "1.0.0",
        complexity: "O(1)",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`SET` with the `!GET` argument"),
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "incr",
        group: Group::String,
        arity: 2,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::STRING,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::UPDATE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::string::incr_command),
        summary: "Add one to the integer stored at a key",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "incrby",
        group: Group::String,
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::STRING,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::UPDATE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::string::incrby_command),
        summary: "Add an integer to the integer stored at a key",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "increment", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "incrbyfloat",
        group: Group::String,
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::STRING,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::UPDATE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::string::incrbyfloat_command),
        summary: "Add a floating point number to the number stored at a key",
        since: "2.6.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "increment", typ: ArgType::Double, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "lcs",
        group: Group::String,
        arity: -3,
        flags: flags::READONLY,
        acl: acl::STRING,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(1, 1, 0))],
        handler: Some(crate::types::string::lcs_command),
        summary: "Compute the longest common subsequence of two strings",
        since: "7.0.0",
        complexity: "O(N*M), N and M being the lengths of the two strings.",
        args: &[
            Arg { name: "key1", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "key2", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "len",
                typ: ArgType::PureToken,
                token: Some("LEN"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "idx",
                typ: ArgType::PureToken,
                token: Some("IDX"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "len",
                typ: ArgType::Integer,
                token: Some("MINMATCHLEN"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "withmatchlen",
                typ: ArgType::PureToken,
                token: Some("WITHMATCHLEN"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "mget",
        group: Group::String,
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::STRING,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(-1, 1, 0))],
        handler: Some(crate::types::string::mget_command),
        summary: "Return the strings stored at several keys",
        since: "1.0.0",
        complexity: "O(N), N being the number of keys.",
        tips: &["request_policy:multi_shard"],
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
        name: "mset",
        group: Group::String,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::STRING,
        key_specs: &[ks(keyflags::OW | keyflags::UPDATE, index(1), range(-1, 2, 0))],
        handler: Some(crate::types::string::mset_command),
        summary: "Store strings at several keys",
        since: "1.0.1",
        complexity: "O(N), N being the number of keys.",
        tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
        args: &[
            Arg {
                name: "key_value",
                typ: ArgType::Block,
                flags: argflags::MULTIPLE,
                subargs: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
                    Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "msetnx",
        group: Group::String,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::STRING,
        key_specs: &[ks(keyflags::OW | keyflags::INSERT, index(1), range(-1, 2, 0))],
        handler: Some(crate::types::string::msetnx_command),
        summary: "Store strings at several keys, only when none of them exist",
        since: "1.0.1",
        complexity: "O(N), N being the number of keys.",
        tips: &["request_policy:multi_shard", "response_policy:agg_min"],
        args: &[
            Arg {
                name: "key_value",
                typ: ArgType::Block,
                flags: argflags::MULTIPLE,
                subargs: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
                    Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "psetex",
        group: Group::String,
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::STRING,
        key_specs: &[ks(keyflags::OW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::string::psetex_command),
        summary: "Store a string at a key with a time to live in milliseconds",
        since: "2.6.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "milliseconds", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "set",
        group: Group::String,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::STRING,
        key_specs: &[
            ks_notes(
                "Reads and writes because of the optional GET",
                keyflags::RW | keyflags::ACCESS | keyflags::UPDATE | keyflags::VARIABLE_FLAGS,
                index(1),
                range(0, 1, 0),
            ),
        ],
        getkeys: Some(crate::commands::getkeys::set_getkeys),
        handler: Some(crate::types::string::set_command),
        summary: "Store a string at a key",
        since: "1.0.0",
        complexity: "O(1)",
        history: &[
            ("2.6.12", "EX, PX, NX and XX options added."),
            ("6.0.0", "KEEPTTL option added."),
            ("6.2.0", "GET, EXAT and PXAT options added."),
            ("7.0.0", "NX may be combined with GET."),
        ],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
            Arg {
                name: "condition",
                typ: ArgType::OneOf,
                since: Some("2.6.12"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "nx", typ: ArgType::PureToken, token: Some("NX"), ..Arg::DEFAULT },
                    Arg { name: "xx", typ: ArgType::PureToken, token: Some("XX"), ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "get",
                typ: ArgType::PureToken,
                token: Some("GET"),
                since: Some("6.2.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "expiration",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "seconds",
                        typ: ArgType::Integer,
                        token: Some("EX"),
                        since: Some("2.6.12"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "milliseconds",
                        typ: ArgType::Integer,
                        token: Some("PX"),
                        since: Some("2.6.12"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "unix-time-seconds",
                        typ: ArgType::UnixTime,
                        token: Some("EXAT"),
                        since: Some("6.2.0"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "unix-time-milliseconds",
                        typ: ArgType::UnixTime,
                        token: Some("PXAT"),
                        since: Some("6.2.0"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "keepttl",
                        typ: ArgType::PureToken,
                        token: Some("KEEPTTL"),
                        since: Some("6.0.0"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "setex",
        group: Group::String,
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::STRING,
        key_specs: &[ks(keyflags::OW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::string::setex_command),
        summary: "Store a string at a key with a time to live in seconds",
        since: "2.0.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "seconds", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "setnx",
        group: Group::String,
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::STRING,
        key_specs: &[ks(keyflags::OW | keyflags::INSERT, index(1), range(0, 1, 0))],
        handler: Some(crate::types::string::setnx_command),
        summary: "Store a string at a key only when the key is absent",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "setrange",
        group: Group::String,
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::STRING,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::string::setrange_command),
        summary: "Overwrite part of a string starting at an offset",
        since: "2.2.0",
        complexity: "O(1) amortized when the new data is small, otherwise O(M), M being the length of the value given.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "offset", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "strlen",
        group: Group::String,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::STRING,
        key_specs: &[ks(keyflags::RO, index(1), range(0, 1, 0))],
        handler: Some(crate::types::string::strlen_command),
        summary: "Return the length of the string stored at a key",
        since: "2.2.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "substr",
        group: Group::String,
        arity: 4,
        flags: flags::READONLY,
        acl: acl::STRING,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::string::getrange_command),
        summary: "Return part of the string stored at a key (old name of GETRANGE)",
        since: "1.0.0",
        complexity: "O(N), N being the length of the returned part; effectively O(1) for short results.",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("2.0.0"),
        replaced_by: Some("`GETRANGE`"),
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "start", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "end", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
];
