//! Sorted set commands (group `sorted-set`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "bzmpop",
        group: Group::SortedSet,
        arity: -5,
        flags: flags::WRITE | flags::BLOCKING,
        acl: acl::SORTEDSET,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(2), keynum(0, 1, 1)),
        ],
        getkeys: Some(crate::commands::getkeys::blmpop_getkeys),
        handler: Some(crate::types::zset::bzmpop_command),
        summary: "Pop members with scores from the first non-empty sorted set, waiting if all are empty",
        since: "7.0.0",
        complexity: "O(K) + O(M*log(N)), K being the number of keys given, N the size of the sorted set and M the number of members popped.",
        args: &[
            Arg { name: "timeout", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg { name: "numkeys", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 0,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
            Arg {
                name: "where",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "min",
                        typ: ArgType::PureToken,
                        token: Some("MIN"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "max",
                        typ: ArgType::PureToken,
                        token: Some("MAX"),
                        ..Arg::DEFAULT
                    },
                ],
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
        name: "bzpopmax",
        group: Group::SortedSet,
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(-2, 1, 0)),
        ],
        handler: Some(crate::types::zset::bzpopmax_command),
        summary: "Pop the highest-scored member from the first non-empty sorted set, waiting if all are empty",
        since: "5.0.0",
        complexity: "O(log(N)), N being the size of the sorted set.",
        history: &[("6.0.0", "The timeout is parsed as a double rather than an integer.")],
        args: &[
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 0,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
            Arg { name: "timeout", typ: ArgType::Double, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bzpopmin",
        group: Group::SortedSet,
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(-2, 1, 0)),
        ],
        handler: Some(crate::types::zset::bzpopmin_command),
        summary: "Pop the lowest-scored member from the first non-empty sorted set, waiting if all are empty",
        since: "5.0.0",
        complexity: "O(log(N)), N being the size of the sorted set.",
        history: &[("6.0.0", "The timeout is parsed as a double rather than an integer.")],
        args: &[
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 0,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
            Arg { name: "timeout", typ: ArgType::Double, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zadd",
        group: Group::SortedSet,
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zadd_command),
        summary: "Add members to a sorted set or change their scores",
        since: "1.2.0",
        complexity: "O(log(N)) per member added, N being the size of the sorted set.",
        history: &[
            ("2.4.0", "Several members can be given."),
            ("3.0.2", "XX, NX, CH and INCR options added."),
            ("6.2.0", "GT and LT options added."),
        ],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "condition",
                typ: ArgType::OneOf,
                since: Some("3.0.2"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "nx", typ: ArgType::PureToken, token: Some("NX"), ..Arg::DEFAULT },
                    Arg { name: "xx", typ: ArgType::PureToken, token: Some("XX"), ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "comparison",
                typ: ArgType::OneOf,
                since: Some("6.2.0"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "gt", typ: ArgType::PureToken, token: Some("GT"), ..Arg::DEFAULT },
                    Arg { name: "lt", typ: ArgType::PureToken, token: Some("LT"), ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "change",
                typ: ArgType::PureToken,
                token: Some("CH"),
                since: Some("3.0.2"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "increment",
                typ: ArgType::PureToken,
                token: Some("INCR"),
                since: Some("3.0.2"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "score_member",
                typ: ArgType::Block,
                flags: argflags::MULTIPLE,
                subargs: &[
                    Arg { name: "score", typ: ArgType::Double, ..Arg::DEFAULT },
                    Arg { name: "member", typ: ArgType::String, ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zcard",
        group: Group::SortedSet,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zcard_command),
        summary: "Count the members of a sorted set",
        since: "1.2.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zcount",
        group: Group::SortedSet,
        arity: 4,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zcount_command),
        summary: "Count the members of a sorted set within a score range",
        since: "2.0.0",
        complexity: "O(log(N)), N being the size of the sorted set.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "min", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg { name: "max", typ: ArgType::Double, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zdiff",
        group: Group::SortedSet,
        arity: -3,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), keynum(0, 1, 1))],
        getkeys: Some(crate::commands::getkeys::zunion_inter_diff_getkeys),
        handler: Some(crate::types::zset::zdiff_command),
        summary: "Return the difference of the first sorted set and the others",
        since: "6.2.0",
        complexity: "O(L + (N-K)log(N)) worst case, L being the total members of all sets, N the size of the first set and K the size of the result.",
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
                name: "withscores",
                typ: ArgType::PureToken,
                token: Some("WITHSCORES"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zdiffstore",
        group: Group::SortedSet,
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::SORTEDSET,
        key_specs: &[
            ks(keyflags::OW | keyflags::UPDATE, index(1), range(0, 1, 0)),
            ks(keyflags::RO | keyflags::ACCESS, index(2), keynum(0, 1, 1)),
        ],
        getkeys: Some(crate::commands::getkeys::zunion_inter_diff_store_getkeys),
        handler: Some(crate::types::zset::zdiffstore_command),
        summary: "Store the difference of the first sorted set and the others in a key",
        since: "6.2.0",
        complexity: "O(L + (N-K)log(N)) worst case, L being the total members of all sets, N the size of the first set and K the size of the result.",
        args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "numkeys", typ: ArgType::Integer, ..Arg::DEFAULT },
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
        name: "zincrby",
        group: Group::SortedSet,
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::UPDATE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::zset::zincrby_command),
        summary: "Add to the score of a sorted set member",
        since: "1.2.0",
        complexity: "O(log(N)), N being the size of the sorted set.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "increment", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zinter",
        group: Group::SortedSet,
        arity: -3,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), keynum(0, 1, 1))],
        getkeys: Some(crate::commands::getkeys::zunion_inter_diff_getkeys),
        handler: Some(crate::types::zset::zinter_command),
        summary: "Return the intersection of sorted sets",
        since: "6.2.0",
        complexity: "O(N*K)+O(M*log(M)) worst case, N being the smallest input size, K the number of inputs and M the size of the result.",
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
                name: "weight",
                typ: ArgType::Integer,
                token: Some("WEIGHTS"),
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
            Arg {
                name: "aggregate",
                typ: ArgType::OneOf,
                token: Some("AGGREGATE"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "sum",
                        typ: ArgType::PureToken,
                        token: Some("SUM"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "min",
                        typ: ArgType::PureToken,
                        token: Some("MIN"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "max",
                        typ: ArgType::PureToken,
                        token: Some("MAX"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "withscores",
                typ: ArgType::PureToken,
                token: Some("WITHSCORES"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zintercard",
        group: Group::SortedSet,
        arity: -3,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), keynum(0, 1, 1))],
        getkeys: Some(crate::commands::getkeys::zunion_inter_diff_getkeys),
        handler: Some(crate::types::zset::zintercard_command),
        summary: "Count the members of the intersection of sorted sets",
        since: "7.0.0",
        complexity: "O(N*K) worst case, N being the smallest input size and K the number of inputs.",
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
        name: "zinterstore",
        group: Group::SortedSet,
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::SORTEDSET,
        key_specs: &[
            ks(keyflags::OW | keyflags::UPDATE, index(1), range(0, 1, 0)),
            ks(keyflags::RO | keyflags::ACCESS, index(2), keynum(0, 1, 1)),
        ],
        getkeys: Some(crate::commands::getkeys::zunion_inter_diff_store_getkeys),
        handler: Some(crate::types::zset::zinterstore_command),
        summary: "Store the intersection of sorted sets in a key",
        since: "2.0.0",
        complexity: "O(N*K)+O(M*log(M)) worst case, N being the smallest input size, K the number of inputs and M the size of the result.",
        args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "numkeys", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 1,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
            Arg {
                name: "weight",
                typ: ArgType::Integer,
                token: Some("WEIGHTS"),
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
            Arg {
                name: "aggregate",
                typ: ArgType::OneOf,
                token: Some("AGGREGATE"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "sum",
                        typ: ArgType::PureToken,
                        token: Some("SUM"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "min",
                        typ: ArgType::PureToken,
                        token: Some("MIN"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "max",
                        typ: ArgType::PureToken,
                        token: Some("MAX"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zlexcount",
        group: Group::SortedSet,
        arity: 4,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zlexcount_command),
        summary: "Count the members of a sorted set within a lexicographical range",
        since: "2.8.9",
        complexity: "O(log(N)), N being the size of the sorted set.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "min", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "max", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zmpop",
        group: Group::SortedSet,
        arity: -4,
        flags: flags::WRITE,
        acl: acl::SORTEDSET,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), keynum(0, 1, 1)),
        ],
        getkeys: Some(crate::commands::getkeys::zmpop_getkeys),
        handler: Some(crate::types::zset::zmpop_command),
        summary: "Pop members with scores from the first non-empty sorted set among several",
        since: "7.0.0",
        complexity: "O(K) + O(M*log(N)), K being the number of keys given, N the size of the sorted set and M the number of members popped.",
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
                name: "where",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "min",
                        typ: ArgType::PureToken,
                        token: Some("MIN"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "max",
                        typ: ArgType::PureToken,
                        token: Some("MAX"),
                        ..Arg::DEFAULT
                    },
                ],
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
        name: "zmscore",
        group: Group::SortedSet,
        arity: -3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zmscore_command),
        summary: "Return the scores of several sorted set members",
        since: "6.2.0",
        complexity: "O(N), N being the number of members asked for.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, flags: argflags::MULTIPLE, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zpopmax",
        group: Group::SortedSet,
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::zset::zpopmax_command),
        summary: "Remove and return the highest-scored members of a sorted set",
        since: "5.0.0",
        complexity: "O(log(N)*M), N being the size of the sorted set and M the number of members popped.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "count", typ: ArgType::Integer, flags: argflags::OPTIONAL, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zpopmin",
        group: Group::SortedSet,
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::zset::zpopmin_command),
        summary: "Remove and return the lowest-scored members of a sorted set",
        since: "5.0.0",
        complexity: "O(log(N)*M), N being the size of the sorted set and M the number of members popped.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "count", typ: ArgType::Integer, flags: argflags::OPTIONAL, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrandmember",
        group: Group::SortedSet,
        arity: -2,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zrandmember_command),
        summary: "Return one or more random members of a sorted set",
        since: "6.2.0",
        complexity: "O(N), N being the number of members returned.",
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
                        name: "withscores",
                        typ: ArgType::PureToken,
                        token: Some("WITHSCORES"),
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
        name: "zrange",
        group: Group::SortedSet,
        arity: -4,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zrange_command),
        summary: "Return sorted set members in a range of ranks, scores or lexicographical values",
        since: "1.2.0",
        complexity: "O(log(N)+M), N being the size of the sorted set and M the number of members returned.",
        history: &[("6.2.0", "REV, BYSCORE, BYLEX and LIMIT options added.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "start", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "stop", typ: ArgType::String, ..Arg::DEFAULT },
            Arg {
                name: "sortby",
                typ: ArgType::OneOf,
                since: Some("6.2.0"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "byscore",
                        typ: ArgType::PureToken,
                        token: Some("BYSCORE"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "bylex",
                        typ: ArgType::PureToken,
                        token: Some("BYLEX"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "rev",
                typ: ArgType::PureToken,
                token: Some("REV"),
                since: Some("6.2.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "offset_count",
                typ: ArgType::Block,
                token: Some("LIMIT"),
                since: Some("6.2.0"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "offset", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg { name: "count", typ: ArgType::Integer, ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "withscores",
                typ: ArgType::PureToken,
                token: Some("WITHSCORES"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrangebylex",
        group: Group::SortedSet,
        arity: -4,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zrangebylex_command),
        summary: "Return sorted set members within a lexicographical range",
        since: "2.8.9",
        complexity: "O(log(N)+M), N being the size of the sorted set and M the number of members returned; O(log(N)) for a fixed LIMIT.",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `BYLEX` argument"),
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "min", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "max", typ: ArgType::String, ..Arg::DEFAULT },
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
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrangebyscore",
        group: Group::SortedSet,
        arity: -4,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zrangebyscore_command),
        summary: "Return sorted set members within a score range",
        since: "1.0.5",
        complexity: "O(log(N)+M), N being the size of the sorted set and M the number of members returned; O(log(N)) for a fixed LIMIT.",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `BYSCORE` argument"),
        history: &[("2.0.0", "WITHSCORES modifier added.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "min", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg { name: "max", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg {
                name: "withscores",
                typ: ArgType::PureToken,
                token: Some("WITHSCORES"),
                since: Some("2.0.0"),
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
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrangestore",
        group: Group::SortedSet,
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::SORTEDSET,
        key_specs: &[
            ks(keyflags::OW | keyflags::UPDATE, index(1), range(0, 1, 0)),
            ks(keyflags::RO | keyflags::ACCESS, index(2), range(0, 1, 0)),
        ],
        handler: Some(crate::types::zset::zrangestore_command),
        summary: "Store a range of a sorted set's members in another key",
        since: "6.2.0",
        complexity: "O(log(N)+M), N being the size of the sorted set and M the number of members stored.",
        args: &[
            Arg { name: "dst", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "src", typ: ArgType::Key, key_spec_index: 1, ..Arg::DEFAULT },
            Arg { name: "min", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "max", typ: ArgType::String, ..Arg::DEFAULT },
            Arg {
                name: "sortby",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "byscore",
                        typ: ArgType::PureToken,
                        token: Some("BYSCORE"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "bylex",
                        typ: ArgType::PureToken,
                        token: Some("BYLEX"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "rev",
                typ: ArgType::PureToken,
                token: Some("REV"),
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
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrank",
        group: Group::SortedSet,
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zrank_command),
        summary: "Return the rank of a sorted set member, lowest score first",
        since: "2.0.0",
        complexity: "O(log(N))",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrem",
        group: Group::SortedSet,
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RW | keyflags::DELETE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zrem_command),
        summary: "Remove members from a sorted set",
        since: "1.2.0",
        complexity: "O(M*log(N)), N being the size of the sorted set and M the number of members removed.",
        history: &[("2.4.0", "Several members can be given.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, flags: argflags::MULTIPLE, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zremrangebylex",
        group: Group::SortedSet,
        arity: 4,
        flags: flags::WRITE,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RW | keyflags::DELETE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zremrangebylex_command),
        summary: "Remove the sorted set members within a lexicographical range",
        since: "2.8.9",
        complexity: "O(log(N)+M), N being the size of the sorted set and M the number of members removed.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "min", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "max", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zremrangebyrank",
        group: Group::SortedSet,
        arity: 4,
        flags: flags::WRITE,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RW | keyflags::DELETE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zremrangebyrank_command),
        summary: "Remove the sorted set members within a range of ranks",
        since: "2.0.0",
        complexity: "O(log(N)+M), N being the size of the sorted set and M the number of members removed.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "start", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "stop", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zremrangebyscore",
        group: Group::SortedSet,
        arity: 4,
        flags: flags::WRITE,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RW | keyflags::DELETE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zremrangebyscore_command),
        summary: "Remove the sorted set members within a score range",
        since: "1.2.0",
        complexity: "O(log(N)+M), N being the size of the sorted set and M the number of members removed.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "min", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg { name: "max", typ: ArgType::Double, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrevrange",
        group: Group::SortedSet,
        arity: -4,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zrevrange_command),
        summary: "Return sorted set members in a range of ranks, highest score first",
        since: "1.2.0",
        complexity: "O(log(N)+M), N being the size of the sorted set and M the number of members returned.",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `REV` argument"),
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "start", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "stop", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "withscores",
                typ: ArgType::PureToken,
                token: Some("WITHSCORES"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrevrangebylex",
        group: Group::SortedSet,
        arity: -4,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zrevrangebylex_command),
        summary: "Return sorted set members within a lexicographical range, in descending order",
        since: "2.8.9",
        complexity: "O(log(N)+M), N being the size of the sorted set and M the number of members returned; O(log(N)) for a fixed LIMIT.",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `REV` and `BYLEX` arguments"),
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "max", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "min", typ: ArgType::String, ..Arg::DEFAULT },
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
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrevrangebyscore",
        group: Group::SortedSet,
        arity: -4,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zrevrangebyscore_command),
        summary: "Return sorted set members within a score range, highest score first",
        since: "2.2.0",
        complexity: "O(log(N)+M), N being the size of the sorted set and M the number of members returned; O(log(N)) for a fixed LIMIT.",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `REV` and `BYSCORE` arguments"),
        history: &[("2.1.6", "min and max may be exclusive.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "max", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg { name: "min", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg {
                name: "withscores",
                typ: ArgType::PureToken,
                token: Some("WITHSCORES"),
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
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrevrank",
        group: Group::SortedSet,
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zrevrank_command),
        summary: "Return the rank of a sorted set member, highest score first",
        since: "2.0.0",
        complexity: "O(log(N))",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zscan",
        group: Group::SortedSet,
        arity: -3,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zscan_command),
        summary: "Walk the members and scores of a sorted set with a cursor",
        since: "2.8.0",
        complexity: "O(1) per call; O(N) for a full iteration, N being the size of the sorted set.",
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
        name: "zscore",
        group: Group::SortedSet,
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::zset::zscore_command),
        summary: "Return the score of a sorted set member",
        since: "1.2.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zunion",
        group: Group::SortedSet,
        arity: -3,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), keynum(0, 1, 1))],
        getkeys: Some(crate::commands::getkeys::zunion_inter_diff_getkeys),
        handler: Some(crate::types::zset::zunion_command),
        summary: "Return the union of sorted sets",
        since: "6.2.0",
        complexity: "O(N)+O(M*log(M)), N being the sum of the input sizes and M the size of the result.",
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
                name: "weight",
                typ: ArgType::Integer,
                token: Some("WEIGHTS"),
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
            Arg {
                name: "aggregate",
                typ: ArgType::OneOf,
                token: Some("AGGREGATE"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "sum",
                        typ: ArgType::PureToken,
                        token: Some("SUM"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "min",
                        typ: ArgType::PureToken,
                        token: Some("MIN"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "max",
                        typ: ArgType::PureToken,
                        token: Some("MAX"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "withscores",
                typ: ArgType::PureToken,
                token: Some("WITHSCORES"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zunionstore",
        group: Group::SortedSet,
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::SORTEDSET,
        key_specs: &[
            ks(keyflags::OW | keyflags::UPDATE, index(1), range(0, 1, 0)),
            ks(keyflags::RO | keyflags::ACCESS, index(2), keynum(0, 1, 1)),
        ],
        getkeys: Some(crate::commands::getkeys::zunion_inter_diff_store_getkeys),
        handler: Some(crate::types::zset::zunionstore_command),
        summary: "Store the union of sorted sets in a key",
        since: "2.0.0",
        complexity: "O(N)+O(M*log(M)), N being the sum of the input sizes and M the size of the result.",
        args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "numkeys", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 1,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
            Arg {
                name: "weight",
                typ: ArgType::Integer,
                token: Some("WEIGHTS"),
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
            Arg {
                name: "aggregate",
                typ: ArgType::OneOf,
                token: Some("AGGREGATE"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "sum",
                        typ: ArgType::PureToken,
                        token: Some("SUM"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "min",
                        typ: ArgType::PureToken,
                        token: Some("MIN"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "max",
                        typ: ArgType::PureToken,
                        token: Some("MAX"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
];
