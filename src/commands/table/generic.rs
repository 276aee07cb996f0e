//! Keyspace commands that work on keys of any type (group `generic`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "copy",
        group: Group::Generic,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::KEYSPACE,
        key_specs: &[
            ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0)),
            ks(keyflags::OW | keyflags::UPDATE, index(2), range(0, 1, 0)),
        ],
        handler: Some(crate::db::keyspace::copy_command),
        summary: "Duplicate the value of a key under another key",
        since: "6.2.0",
        complexity: "O(1) for strings; O(N) in the worst case for collections, N being the number of nested items.",
        args: &[
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 1, ..Arg::DEFAULT },
            Arg {
                name: "destination-db",
                typ: ArgType::Integer,
                token: Some("DB"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "replace",
                typ: ArgType::PureToken,
                token: Some("REPLACE"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "del",
        group: Group::Generic,
        arity: -2,
        flags: flags::WRITE,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RM | keyflags::DELETE, index(1), range(-1, 1, 0))],
        handler: Some(crate::db::keyspace::del_command),
        summary: "Remove keys",
        since: "1.0.0",
        complexity: "O(N), N being the number of keys removed; a non-string value costs O(M), M being its element count, while a string costs O(1).",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
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
        name: "dump",
        group: Group::Generic,
        arity: 2,
        flags: flags::READONLY,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::persist::dump::dump_command),
        summary: "Serialize the value of a key",
        since: "2.6.0",
        complexity: "O(1) for the lookup plus O(N*M) to serialize, N being the number of objects in the value and M their mean size; effectively O(1) for small strings.",
        tips: &["nondeterministic_output"],
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "exists",
        group: Group::Generic,
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RO, index(1), range(-1, 1, 0))],
        handler: Some(crate::db::keyspace::exists_command),
        summary: "Count how many of the given keys exist",
        since: "1.0.0",
        complexity: "O(N), N being the number of keys given.",
        history: &[("3.0.3", "Several keys can be given.")],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
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
        name: "expire",
        group: Group::Generic,
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::db::expire::expire_command),
        summary: "Give a key a time to live in seconds",
        since: "1.0.0",
        complexity: "O(1)",
        history: &[("7.0.0", "NX, XX, GT and LT options added.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "seconds", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "condition",
                typ: ArgType::OneOf,
                since: Some("7.0.0"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "nx", typ: ArgType::PureToken, token: Some("NX"), ..Arg::DEFAULT },
                    Arg { name: "xx", typ: ArgType::PureToken, token: Some("XX"), ..Arg::DEFAULT },
                    Arg { name: "gt", typ: ArgType::PureToken, token: Some("GT"), ..Arg::DEFAULT },
                    Arg { name: "lt", typ: ArgType::PureToken, token: Some("LT"), ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "expireat",
        group: Group::Generic,
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::db::expire::expireat_command),
        summary: "Make a key expire at a Unix time in seconds",
        since: "1.2.0",
        complexity: "O(1)",
        history: &[("7.0.0", "NX, XX, GT and LT options added.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "unix-time-seconds", typ: ArgType::UnixTime, ..Arg::DEFAULT },
            Arg {
                name: "condition",
                typ: ArgType::OneOf,
                since: Some("7.0.0"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "nx", typ: ArgType::PureToken, token: Some("NX"), ..Arg::DEFAULT },
                    Arg { name: "xx", typ: ArgType::PureToken, token: Some("XX"), ..Arg::DEFAULT },
                    Arg { name: "gt", typ: ArgType::PureToken, token: Some("GT"), ..Arg::DEFAULT },
                    Arg { name: "lt", typ: ArgType::PureToken, token: Some("LT"), ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "expiretime",
        group: Group::Generic,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::db::expire::expiretime_command),
        summary: "Return the Unix time in seconds at which a key expires",
        since: "7.0.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "keys",
        group: Group::Generic,
        arity: 2,
        flags: flags::READONLY,
        acl: acl::KEYSPACE | acl::DANGEROUS,
        handler: Some(crate::db::keyspace::keys_command),
        summary: "List the keys that match a glob pattern",
        since: "1.0.0",
        complexity: "O(N), N being the number of keys in the database, assuming short key names and pattern.",
        tips: &["request_policy:all_shards", "nondeterministic_output_order"],
        args: &[Arg { name: "pattern", typ: ArgType::Pattern, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "migrate",
        group: Group::Generic,
        arity: -6,
        flags: flags::WRITE,
        acl: acl::KEYSPACE | acl::DANGEROUS,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(3), range(0, 1, 0)),
            ks(
                keyflags::RW | keyflags::ACCESS | keyflags::DELETE | keyflags::INCOMPLETE,
                keyword("KEYS", -2),
                range(-1, 1, 0),
            ),
        ],
        getkeys: Some(crate::commands::getkeys::migrate_getkeys),
        handler: Some(crate::persist::migrate::migrate_command),
        summary: "Move keys to another server atomically",
        since: "2.6.0",
        complexity: "A DUMP plus DEL here and a RESTORE on the target, plus an O(N) transfer between the two.",
        history: &[
            ("3.0.0", "COPY and REPLACE options added."),
            ("3.0.6", "KEYS option added."),
            ("4.0.7", "AUTH option added."),
            ("6.0.0", "AUTH2 option added."),
        ],
        tips: &["nondeterministic_output"],
        args: &[
            Arg { name: "host", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "port", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "key_or_empty_string",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
                    Arg {
                        name: "empty_string",
                        typ: ArgType::PureToken,
                        token: Some("\"\""),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg { name: "destination-db", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "timeout", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "copy",
                typ: ArgType::PureToken,
                token: Some("COPY"),
                since: Some("3.0.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "replace",
                typ: ArgType::PureToken,
                token: Some("REPLACE"),
                since: Some("3.0.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "authentication",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "password",
                        typ: ArgType::String,
                        token: Some("AUTH"),
                        since: Some("4.0.7"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "username_password",
                        typ: ArgType::Block,
                        token: Some("AUTH2"),
                        since: Some("6.0.0"),
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg { name: "username", typ: ArgType::String, ..Arg::DEFAULT },
                            Arg { name: "password", typ: ArgType::String, ..Arg::DEFAULT },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 1,
                token: Some("KEYS"),
                since: Some("3.0.6"),
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "move",
        group: Group::Generic,
        arity: 3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::UPDATE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::db::keyspace::move_command),
        summary: "Transfer a key to a different database",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "db", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "object",
        group: Group::Generic,
        arity: -2,
        subcommands: &[
            CommandDef {
                name: "encoding",
                group: Group::Generic,
                arity: 3,
                flags: flags::READONLY,
                acl: acl::KEYSPACE,
                key_specs: &[ks(keyflags::RO, index(2), range(0, 1, 0))],
                handler: Some(crate::db::keyspace::object_encoding_command),
                summary: "Return the internal encoding of a key's value",
                since: "2.2.3",
                complexity: "O(1)",
                tips: &["nondeterministic_output"],
                args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "freq",
                group: Group::Generic,
                arity: 3,
                flags: flags::READONLY,
                acl: acl::KEYSPACE,
                key_specs: &[ks(keyflags::RO, index(2), range(0, 1, 0))],
                handler: Some(crate::db::keyspace::object_freq_command),
                summary: "Return the logarithmic access frequency counter of a key's value",
                since: "4.0.0",
                complexity: "O(1)",
                tips: &["nondeterministic_output"],
                args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Generic,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: acl::KEYSPACE,
                handler: Some(crate::db::keyspace::object_help_command),
                summary: "Describe the OBJECT subcommands",
                since: "6.2.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "idletime",
                group: Group::Generic,
                arity: 3,
                flags: flags::READONLY,
                acl: acl::KEYSPACE,
                key_specs: &[ks(keyflags::RO, index(2), range(0, 1, 0))],
                handler: Some(crate::db::keyspace::object_idletime_command),
                summary: "Return the seconds since a key's value was last accessed",
                since: "2.2.3",
                complexity: "O(1)",
                tips: &["nondeterministic_output"],
                args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "refcount",
                group: Group::Generic,
                arity: 3,
                flags: flags::READONLY,
                acl: acl::KEYSPACE,
                key_specs: &[ks(keyflags::RO, index(2), range(0, 1, 0))],
                handler: Some(crate::db::keyspace::object_refcount_command),
                summary: "Return the reference count of a key's value",
                since: "2.2.3",
                complexity: "O(1)",
                tips: &["nondeterministic_output"],
                args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the object introspection subcommands",
        since: "2.2.3",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "persist",
        group: Group::Generic,
        arity: 2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::db::expire::persist_command),
        summary: "Make a key persistent by removing its expiration",
        since: "2.2.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "pexpire",
        group: Group::Generic,
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::db::expire::pexpire_command),
        summary: "Give a key a time to live in milliseconds",
        since: "2.6.0",
        complexity: "O(1)",
        history: &[("7.0.0", "NX, XX, GT and LT options added.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "milliseconds", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "condition",
                typ: ArgType::OneOf,
                since: Some("7.0.0"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "nx", typ: ArgType::PureToken, token: Some("NX"), ..Arg::DEFAULT },
                    Arg { name: "xx", typ: ArgType::PureToken, token: Some("XX"), ..Arg::DEFAULT },
                    Arg { name: "gt", typ: ArgType::PureToken, token: Some("GT"), ..Arg::DEFAULT },
                    Arg { name: "lt", typ: ArgType::PureToken, token: Some("LT"), ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "pexpireat",
        group: Group::Generic,
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::db::expire::pexpireat_command),
        summary: "Make a key expire at a Unix time in milliseconds",
        since: "2.6.0",
        complexity: "O(1)",
        history: &[("7.0.0", "NX, XX, GT and LT options added.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "unix-time-milliseconds", typ: ArgType::UnixTime, ..Arg::DEFAULT },
            Arg {
                name: "condition",
                typ: ArgType::OneOf,
                since: Some("7.0.0"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "nx", typ: ArgType::PureToken, token: Some("NX"), ..Arg::DEFAULT },
                    Arg { name: "xx", typ: ArgType::PureToken, token: Some("XX"), ..Arg::DEFAULT },
                    Arg { name: "gt", typ: ArgType::PureToken, token: Some("GT"), ..Arg::DEFAULT },
                    Arg { name: "lt", typ: ArgType::PureToken, token: Some("LT"), ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "pexpiretime",
        group: Group::Generic,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::db::expire::pexpiretime_command),
        summary: "Return the Unix time in milliseconds at which a key expires",
        since: "7.0.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "pttl",
        group: Group::Generic,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::db::expire::pttl_command),
        summary: "Return the remaining time to live of a key in milliseconds",
        since: "2.6.0",
        complexity: "O(1)",
        history: &[("2.8.0", "Returns -2 for a missing key.")],
        tips: &["nondeterministic_output"],
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "randomkey",
        group: Group::Generic,
        arity: 1,
        flags: flags::READONLY | flags::TOUCHES_ARBITRARY_KEYS,
        acl: acl::KEYSPACE,
        handler: Some(crate::db::keyspace::randomkey_command),
        summary: "Return a random key name from the database",
        since: "1.0.0",
        complexity: "O(1)",
        tips: &["request_policy:all_shards", "nondeterministic_output"],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "rename",
        group: Group::Generic,
        arity: 3,
        flags: flags::WRITE,
        acl: acl::KEYSPACE,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(0, 1, 0)),
            ks(keyflags::OW | keyflags::UPDATE, index(2), range(0, 1, 0)),
        ],
        handler: Some(crate::db::keyspace::rename_command),
        summary: "Give a key a new name",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "newkey", typ: ArgType::Key, key_spec_index: 1, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "renamenx",
        group: Group::Generic,
        arity: 3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(0, 1, 0)),
            ks(keyflags::OW | keyflags::INSERT, index(2), range(0, 1, 0)),
        ],
        handler: Some(crate::db::keyspace::renamenx_command),
        summary: "Give a key a new name only when the new name is free",
        since: "1.0.0",
        complexity: "O(1)",
        history: &[("3.2.0", "Same source and destination is no longer an error.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "newkey", typ: ArgType::Key, key_spec_index: 1, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "restore",
        group: Group::Generic,
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::KEYSPACE | acl::DANGEROUS,
        key_specs: &[ks(keyflags::OW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::persist::dump::restore_command),
        summary: "Create a key from a value serialized by DUMP",
        since: "2.6.0",
        complexity: "O(1) for the key plus O(N*M) to rebuild the value, N being the number of objects and M their mean size (about O(1) for small strings); O(N*M*log(N)) for sorted sets.",
        history: &[
            ("3.0.0", "REPLACE modifier added."),
            ("5.0.0", "ABSTTL modifier added."),
            ("5.0.0", "IDLETIME and FREQ options added."),
        ],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "ttl", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "serialized-value", typ: ArgType::String, ..Arg::DEFAULT },
            Arg {
                name: "replace",
                typ: ArgType::PureToken,
                token: Some("REPLACE"),
                since: Some("3.0.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "absttl",
                typ: ArgType::PureToken,
                token: Some("ABSTTL"),
                since: Some("5.0.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "seconds",
                typ: ArgType::Integer,
                token: Some("IDLETIME"),
                since: Some("5.0.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "frequency",
                typ: ArgType::Integer,
                token: Some("FREQ"),
                since: Some("5.0.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "scan",
        group: Group::Generic,
        arity: -2,
        flags: flags::READONLY | flags::TOUCHES_ARBITRARY_KEYS,
        acl: acl::KEYSPACE,
        handler: Some(crate::db::keyspace::scan_command),
        summary: "Walk the key names of the database with a cursor",
        since: "2.8.0",
        complexity: "O(1) per call; O(N) for a full iteration, N being the number of keys.",
        history: &[("6.0.0", "TYPE filter added.")],
        tips: &["nondeterministic_output", "request_policy:special"],
        args: &[
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
            Arg {
                name: "type",
                typ: ArgType::String,
                token: Some("TYPE"),
                since: Some("6.0.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "sort",
        group: Group::Generic,
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::SET | acl::SORTEDSET | acl::LIST | acl::DANGEROUS,
        key_specs: &[
            ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0)),
            ks_notes(
                "BY and GET patterns: the keys come from the sorted values, so they cannot be located up front",
                keyflags::RO | keyflags::ACCESS,
                BeginSearch::Unknown,
                FindKeys::Unknown,
            ),
            ks_notes(
                "STORE destination: the keyword may be anywhere in the arguments, so its position is unknown",
                keyflags::OW | keyflags::UPDATE,
                BeginSearch::Unknown,
                FindKeys::Unknown,
            ),
        ],
        getkeys: Some(crate::commands::getkeys::sort_getkeys),
        handler: Some(crate::types::sort::sort_command),
        summary: "Sort the elements of a list, set or sorted set, optionally storing the result",
        since: "1.0.0",
        complexity: "O(N+M*log(M)), N being the number of elements to sort and M the number returned; O(N) when no sorting is needed.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "pattern",
                typ: ArgType::Pattern,
                key_spec_index: 1,
                token: Some("BY"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "offset_count",
                typ: ArgType::Block,
                token: Some("LIMIT"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "offset", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg { name: "count", typ: ArgType::Integer, ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "pattern",
                typ: ArgType::Pattern,
                key_spec_index: 1,
                token: Some("GET"),
                flags: argflags::OPTIONAL | argflags::MULTIPLE | argflags::MULTIPLE_TOKEN,
                ..Arg::DEFAULT
            },
            Arg {
                name: "order",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "asc",
                        typ: ArgType::PureToken,
                        token: Some("ASC"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "desc",
                        typ: ArgType::PureToken,
                        token: Some("DESC"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "sorting",
                typ: ArgType::PureToken,
                token: Some("ALPHA"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "destination",
                typ: ArgType::Key,
                key_spec_index: 2,
                token: Some("STORE"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "sort_ro",
        group: Group::Generic,
        arity: -2,
        flags: flags::READONLY,
        acl: acl::SET | acl::SORTEDSET | acl::LIST | acl::DANGEROUS,
        key_specs: &[
            ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0)),
            ks_notes(
                "BY and GET patterns: the keys come from the sorted values, so they cannot be located up front",
                keyflags::RO | keyflags::ACCESS,
                BeginSearch::Unknown,
                FindKeys::Unknown,
            ),
        ],
        getkeys: Some(crate::commands::getkeys::sort_ro_getkeys),
        handler: Some(crate::types::sort::sort_ro_command),
        summary: "Sort the elements of a list, set or sorted set (read-only SORT)",
        since: "7.0.0",
        complexity: "O(N+M*log(M)), N being the number of elements to sort and M the number returned; O(N) when no sorting is needed.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "pattern",
                typ: ArgType::Pattern,
                key_spec_index: 1,
                token: Some("BY"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "offset_count",
                typ: ArgType::Block,
                token: Some("LIMIT"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "offset", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg { name: "count", typ: ArgType::Integer, ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "pattern",
                typ: ArgType::Pattern,
                key_spec_index: 1,
                token: Some("GET"),
                flags: argflags::OPTIONAL | argflags::MULTIPLE | argflags::MULTIPLE_TOKEN,
                ..Arg::DEFAULT
            },
            Arg {
                name: "order",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "asc",
                        typ: ArgType::PureToken,
                        token: Some("ASC"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "desc",
                        typ: ArgType::PureToken,
                        token: Some("DESC"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "sorting",
                typ: ArgType::PureToken,
                token: Some("ALPHA"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "touch",
        group: Group::Generic,
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RO, index(1), range(-1, 1, 0))],
        handler: Some(crate::db::keyspace::touch_command),
        summary: "Update the last access time of keys and count those that exist",
        since: "3.2.1",
        complexity: "O(N), N being the number of keys given.",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
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
        name: "ttl",
        group: Group::Generic,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::db::expire::ttl_command),
        summary: "Return the remaining time to live of a key in seconds",
        since: "1.0.0",
        complexity: "O(1)",
        history: &[("2.8.0", "Returns -2 for a missing key.")],
        tips: &["nondeterministic_output"],
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "type",
        group: Group::Generic,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RO, index(1), range(0, 1, 0))],
        handler: Some(crate::db::keyspace::type_command),
        summary: "Return the type of the value stored at a key",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "unlink",
        group: Group::Generic,
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        key_specs: &[ks(keyflags::RM | keyflags::DELETE, index(1), range(-1, 1, 0))],
        handler: Some(crate::db::keyspace::unlink_command),
        summary: "Remove keys, freeing their memory in the background",
        since: "4.0.0",
        complexity: "O(1) per key whatever its size, plus O(N) reclamation work in another thread, N being the number of allocations of the values.",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
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
        name: "wait",
        group: Group::Generic,
        arity: 3,
        flags: flags::NOSCRIPT,
        acl: acl::CONNECTION,
        handler: Some(crate::repl::wait_command),
        summary: "Block until earlier writes of the connection reach a number of replicas",
        since: "3.0.0",
        complexity: "O(1)",
        tips: &["request_policy:all_shards", "response_policy:agg_min"],
        args: &[
            Arg { name: "numreplicas", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "timeout", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
];
