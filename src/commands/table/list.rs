//! List commands (group `list`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "blmove",
        group: Group::List,
        arity: 6,
        flags: flags::WRITE | flags::DENYOOM | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::LIST,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(0, 1, 0)),
            ks(keyflags::RW | keyflags::INSERT, index(2), range(0, 1, 0)),
        ],
        handler: Some(crate::types::list::blmove_command),
        summary: "Move an element from one list to another and return it, waiting while the source is empty",
        since: "6.2.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 1, ..Arg::DEFAULT },
            Arg {
                name: "wherefrom",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "left",
                        typ: ArgType::PureToken,
                        token: Some("LEFT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "right",
                        typ: ArgType::PureToken,
                        token: Some("RIGHT"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "whereto",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "left",
                        typ: ArgType::PureToken,
                        token: Some("LEFT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "right",
                        typ: ArgType::PureToken,
                        token: Some("RIGHT"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg { name: "timeout", typ: ArgType::Double, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "blmpop",
        group: Group::List,
        arity: -5,
        flags: flags::WRITE | flags::BLOCKING,
        acl: acl::LIST,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(2), keynum(0, 1, 1)),
        ],
        getkeys: Some(crate::commands::getkeys::blmpop_getkeys),
        handler: Some(crate::types::list::blmpop_command),
        summary: "Pop elements from the first non-empty list among several, waiting if all are empty",
        since: "7.0.0",
        complexity: "O(N+M), N being the number of keys given and M the number of elements popped.",
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
                        name: "left",
                        typ: ArgType::PureToken,
                        token: Some("LEFT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "right",
                        typ: ArgType::PureToken,
                        token: Some("RIGHT"),
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
        name: "blpop",
        group: Group::List,
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::LIST,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(-2, 1, 0)),
        ],
        handler: Some(crate::types::list::blpop_command),
        summary: "Pop the head element of the first non-empty list, waiting if all are empty",
        since: "2.0.0",
        complexity: "O(N), N being the number of keys given.",
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
        name: "brpop",
        group: Group::List,
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::LIST,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(-2, 1, 0)),
        ],
        handler: Some(crate::types::list::brpop_command),
        summary: "Pop the tail element of the first non-empty list, waiting if all are empty",
        since: "2.0.0",
        complexity: "O(N), N being the number of keys given.",
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
        name: "brpoplpush",
        group: Group::List,
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::LIST,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(0, 1, 0)),
            ks(keyflags::RW | keyflags::INSERT, index(2), range(0, 1, 0)),
        ],
        handler: Some(crate::types::list::brpoplpush_command),
        summary: "Move the tail element of a list to the head of another and return it, waiting while the source is empty",
        since: "2.2.0",
        complexity: "O(1)",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`BLMOVE` with the `RIGHT` and `LEFT` arguments"),
        history: &[("6.0.0", "The timeout is parsed as a double rather than an integer.")],
        args: &[
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 1, ..Arg::DEFAULT },
            Arg { name: "timeout", typ: ArgType::Double, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "lindex",
        group: Group::List,
        arity: 3,
        flags: flags::READONLY,
        acl: acl::LIST,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::list::lindex_command),
        summary: "Return the list element at an index",
        since: "1.0.0",
        complexity: "O(N), N being the number of elements walked to reach the index; O(1) for either end.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "index", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "linsert",
        group: Group::List,
        arity: 5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::LIST,
        key_specs: &[ks(keyflags::RW | keyflags::INSERT, index(1), range(0, 1, 0))],
        handler: Some(crate::types::list::linsert_command),
        summary: "Insert an element next to a pivot element of a list, before or after it",
        since: "2.2.0",
        complexity: "O(N), N being the number of elements walked before the pivot; near O(1) close to the head, O(N) near the tail.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "where",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "before",
                        typ: ArgType::PureToken,
                        token: Some("BEFORE"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "after",
                        typ: ArgType::PureToken,
                        token: Some("AFTER"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg { name: "pivot", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "element", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "llen",
        group: Group::List,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::LIST,
        key_specs: &[ks(keyflags::RO, index(1), range(0, 1, 0))],
        handler: Some(crate::types::list::llen_command),
        summary: "Count the elements of a list",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "lmove",
        group: Group::List,
        arity: 5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::LIST,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(0, 1, 0)),
            ks(keyflags::RW | keyflags::INSERT, index(2), range(0, 1, 0)),
        ],
        handler: Some(crate::types::list::lmove_command),
        summary: "Move an element from one list to another and return it",
        since: "6.2.0",
        complexity: "O(1)",
        args: &[
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 1, ..Arg::DEFAULT },
            Arg {
                name: "wherefrom",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "left",
                        typ: ArgType::PureToken,
                        token: Some("LEFT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "right",
                        typ: ArgType::PureToken,
                        token: Some("RIGHT"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "whereto",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "left",
                        typ: ArgType::PureToken,
                        token: Some("LEFT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "right",
                        typ: ArgType::PureToken,
                        token: Some("RIGHT"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "lmpop",
        group: Group::List,
        arity: -4,
        flags: flags::WRITE,
        acl: acl::LIST,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), keynum(0, 1, 1)),
        ],
        getkeys: Some(crate::commands::getkeys::lmpop_getkeys),
        handler: Some(crate::types::list::lmpop_command),
        summary: "Pop elements from the first non-empty list among several",
        since: "7.0.0",
        complexity: "O(N+M), N being the number of keys given and M the number of elements popped.",
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
                        name: "left",
                        typ: ArgType::PureToken,
                        token: Some("LEFT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "right",
                        typ: ArgType::PureToken,
                        token: Some("RIGHT"),
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
        name: "lpop",
        group: Group::List,
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::LIST,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::list::lpop_command),
        summary: "Remove and return elements from the head of a list",
        since: "1.0.0",
        complexity: "O(N), N being the number of elements returned.",
        history: &[("6.2.0", "count argument added.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "count",
                typ: ArgType::Integer,
                since: Some("6.2.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "lpos",
        group: Group::List,
        arity: -3,
        flags: flags::READONLY,
        acl: acl::LIST,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::list::lpos_command),
        summary: "Find the positions of matching elements in a list",
        since: "6.0.6",
        complexity: "O(N) on average, N being the length of the list; may be constant near the ends or with MAXLEN.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "element", typ: ArgType::String, ..Arg::DEFAULT },
            Arg {
                name: "rank",
                typ: ArgType::Integer,
                token: Some("RANK"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "num-matches",
                typ: ArgType::Integer,
                token: Some("COUNT"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "len",
                typ: ArgType::Integer,
                token: Some("MAXLEN"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "lpush",
        group: Group::List,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::LIST,
        key_specs: &[ks(keyflags::RW | keyflags::INSERT, index(1), range(0, 1, 0))],
        handler: Some(crate::types::list::lpush_command),
        summary: "Insert elements at the head of a list",
        since: "1.0.0",
        complexity: "O(1) per element, so O(N) for N elements.",
        history: &[("2.4.0", "Several elements can be given.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "element",
                typ: ArgType::String,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "lpushx",
        group: Group::List,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::LIST,
        key_specs: &[ks(keyflags::RW | keyflags::INSERT, index(1), range(0, 1, 0))],
        handler: Some(crate::types::list::lpushx_command),
        summary: "Insert elements at the head of a list only when the list exists",
        since: "2.2.0",
        complexity: "O(1) per element, so O(N) for N elements.",
        history: &[("4.0.0", "Several elements can be given.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "element",
                typ: ArgType::String,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "lrange",
        group: Group::List,
        arity: 4,
        flags: flags::READONLY,
        acl: acl::LIST,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::list::lrange_command),
        summary: "Return a range of list elements",
        since: "1.0.0",
        complexity: "O(S+N), S being the distance of the start offset from the head (or the closer end for large lists) and N the number of elements in the range.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "start", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "stop", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "lrem",
        group: Group::List,
        arity: 4,
        flags: flags::WRITE,
        acl: acl::LIST,
        key_specs: &[ks(keyflags::RW | keyflags::DELETE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::list::lrem_command),
        summary: "Remove occurrences of an element from a list",
        since: "1.0.0",
        complexity: "O(N+M), N being the length of the list and M the number of elements removed.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "count", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "element", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "lset",
        group: Group::List,
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::LIST,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::list::lset_command),
        summary: "Replace the list element at an index",
        since: "1.0.0",
        complexity: "O(N), N being the length of the list; O(1) for either end.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "index", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "element", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ltrim",
        group: Group::List,
        arity: 4,
        flags: flags::WRITE,
        acl: acl::LIST,
        key_specs: &[ks(keyflags::RW | keyflags::DELETE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::list::ltrim_command),
        summary: "Keep only a range of a list's elements",
        since: "1.0.0",
        complexity: "O(N), N being the number of elements removed.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "start", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "stop", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "rpop",
        group: Group::List,
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::LIST,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(0, 1, 0)),
        ],
        handler: Some(crate::types::list::rpop_command),
        summary: "Remove and return elements from the tail of a list",
        since: "1.0.0",
        complexity: "O(N), N being the number of elements returned.",
        history: &[("6.2.0", "count argument added.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "count",
                typ: ArgType::Integer,
                since: Some("6.2.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "rpoplpush",
        group: Group::List,
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::LIST,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::DELETE, index(1), range(0, 1, 0)),
            ks(keyflags::RW | keyflags::INSERT, index(2), range(0, 1, 0)),
        ],
        handler: Some(crate::types::list::rpoplpush_command),
        summary: "Move the tail element of a list to the head of another and return it",
        since: "1.2.0",
        complexity: "O(1)",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`LMOVE` with the `RIGHT` and `LEFT` arguments"),
        args: &[
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 1, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "rpush",
        group: Group::List,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::LIST,
        key_specs: &[ks(keyflags::RW | keyflags::INSERT, index(1), range(0, 1, 0))],
        handler: Some(crate::types::list::rpush_command),
        summary: "Insert elements at the tail of a list",
        since: "1.0.0",
        complexity: "O(1) per element, so O(N) for N elements.",
        history: &[("2.4.0", "Several elements can be given.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "element",
                typ: ArgType::String,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "rpushx",
        group: Group::List,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::LIST,
        key_specs: &[ks(keyflags::RW | keyflags::INSERT, index(1), range(0, 1, 0))],
        handler: Some(crate::types::list::rpushx_command),
        summary: "Insert elements at the tail of a list only when the list exists",
        since: "2.2.0",
        complexity: "O(1) per element, so O(N) for N elements.",
        history: &[("4.0.0", "Several elements can be given.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "element",
                typ: ArgType::String,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
];
