//! Stream commands (group `stream`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "xack",
        group: Group::Stream,
        arity: -4,
        flags: flags::WRITE | flags::FAST,
        acl: acl::STREAM,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::stream::xack_command),
        summary: "Acknowledge stream messages, removing them from a consumer group's pending list",
        since: "5.0.0",
        complexity: "O(1) per message ID.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "group", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "ID", typ: ArgType::String, flags: argflags::MULTIPLE, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xadd",
        group: Group::Stream,
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::STREAM,
        key_specs: &[
            ks_notes(
                "UPDATE rather than INSERT because the stream may also be trimmed",
                keyflags::RW | keyflags::UPDATE,
                index(1),
                range(0, 1, 0),
            ),
        ],
        handler: Some(crate::types::stream::xadd_command),
        summary: "Append an entry to a stream, creating it if needed",
        since: "5.0.0",
        complexity: "O(1) to add an entry; O(N) when trimming, N being the number of entries removed.",
        history: &[
            ("6.2.0", "NOMKSTREAM option, MINID strategy and LIMIT option added."),
            ("7.0.0", "IDs of the form <ms>-* accepted."),
        ],
        tips: &["nondeterministic_output"],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "nomkstream",
                typ: ArgType::PureToken,
                token: Some("NOMKSTREAM"),
                since: Some("6.2.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "trim",
                typ: ArgType::Block,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "strategy",
                        typ: ArgType::OneOf,
                        subargs: &[
                            Arg {
                                name: "maxlen",
                                typ: ArgType::PureToken,
                                token: Some("MAXLEN"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "minid",
                                typ: ArgType::PureToken,
                                token: Some("MINID"),
                                since: Some("6.2.0"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "operator",
                        typ: ArgType::OneOf,
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg {
                                name: "equal",
                                typ: ArgType::PureToken,
                                token: Some("="),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "approximately",
                                typ: ArgType::PureToken,
                                token: Some("~"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg { name: "threshold", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg {
                        name: "count",
                        typ: ArgType::Integer,
                        token: Some("LIMIT"),
                        since: Some("6.2.0"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "id_or_auto",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "auto_id",
                        typ: ArgType::PureToken,
                        token: Some("*"),
                        ..Arg::DEFAULT
                    },
                    Arg { name: "ID", typ: ArgType::String, ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
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
        name: "xautoclaim",
        group: Group::Stream,
        arity: -6,
        flags: flags::WRITE | flags::FAST,
        acl: acl::STREAM,
        key_specs: &[ks(keyflags::RW | keyflags::DELETE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::stream::xautoclaim_command),
        summary: "Transfer ownership of idle pending stream messages to a consumer, scanning with a cursor",
        since: "6.2.0",
        complexity: "O(1) when COUNT is small.",
        history: &[("7.0.0", "Reply gained an array of IDs deleted from the pending list.")],
        tips: &["nondeterministic_output"],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "group", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "consumer", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "min-idle-time", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "start", typ: ArgType::String, ..Arg::DEFAULT },
            Arg {
                name: "count",
                typ: ArgType::Integer,
                token: Some("COUNT"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "justid",
                typ: ArgType::PureToken,
                token: Some("JUSTID"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xclaim",
        group: Group::Stream,
        arity: -6,
        flags: flags::WRITE | flags::FAST,
        acl: acl::STREAM,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::stream::xclaim_command),
        summary: "Transfer ownership of pending stream messages to a consumer",
        since: "5.0.0",
        complexity: "O(log N), N being the size of the group's pending list.",
        tips: &["nondeterministic_output"],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "group", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "consumer", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "min-idle-time", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "ID", typ: ArgType::String, flags: argflags::MULTIPLE, ..Arg::DEFAULT },
            Arg {
                name: "ms",
                typ: ArgType::Integer,
                token: Some("IDLE"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "unix-time-milliseconds",
                typ: ArgType::UnixTime,
                token: Some("TIME"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "count",
                typ: ArgType::Integer,
                token: Some("RETRYCOUNT"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "force",
                typ: ArgType::PureToken,
                token: Some("FORCE"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "justid",
                typ: ArgType::PureToken,
                token: Some("JUSTID"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "id",
                typ: ArgType::String,
                token: Some("LASTID"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xdel",
        group: Group::Stream,
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::STREAM,
        key_specs: &[ks(keyflags::RW | keyflags::DELETE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::stream::xdel_command),
        summary: "Remove entries from a stream and count how many were removed",
        since: "5.0.0",
        complexity: "O(1) per entry, whatever the stream size.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "ID", typ: ArgType::String, flags: argflags::MULTIPLE, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xgroup",
        group: Group::Stream,
        arity: -2,
        subcommands: &[
            CommandDef {
                name: "create",
                group: Group::Stream,
                arity: -5,
                flags: flags::WRITE | flags::DENYOOM,
                acl: acl::STREAM,
                key_specs: &[ks(keyflags::RW | keyflags::INSERT, index(2), range(0, 1, 0))],
                handler: Some(crate::types::stream::xgroup_create_command),
                summary: "Create a consumer group on a stream",
                since: "5.0.0",
                complexity: "O(1)",
                history: &[("7.0.0", "entries_read argument added.")],
                args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
                    Arg { name: "groupname", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg {
                        name: "id",
                        typ: ArgType::OneOf,
                        subargs: &[
                            Arg { name: "ID", typ: ArgType::String, ..Arg::DEFAULT },
                            Arg {
                                name: "new_id",
                                typ: ArgType::PureToken,
                                token: Some("$"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "mkstream",
                        typ: ArgType::PureToken,
                        token: Some("MKSTREAM"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "entries_read",
                        typ: ArgType::Integer,
                        token: Some("ENTRIESREAD"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "createconsumer",
                group: Group::Stream,
                arity: 5,
                flags: flags::WRITE | flags::DENYOOM,
                acl: acl::STREAM,
                key_specs: &[ks(keyflags::RW | keyflags::INSERT, index(2), range(0, 1, 0))],
                handler: Some(crate::types::stream::xgroup_createconsumer_command),
                summary: "Add a named consumer to a consumer group",
                since: "6.2.0",
                complexity: "O(1)",
                args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
                    Arg { name: "groupname", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg { name: "consumername", typ: ArgType::String, ..Arg::DEFAULT },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "delconsumer",
                group: Group::Stream,
                arity: 5,
                flags: flags::WRITE,
                acl: acl::STREAM,
                key_specs: &[ks(keyflags::RW | keyflags::DELETE, index(2), range(0, 1, 0))],
                handler: Some(crate::types::stream::xgroup_delconsumer_command),
                summary: "Remove a consumer from a consumer group",
                since: "5.0.0",
                complexity: "O(1)",
                args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
                    Arg { name: "groupname", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg { name: "consumername", typ: ArgType::String, ..Arg::DEFAULT },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "destroy",
                group: Group::Stream,
                arity: 4,
                flags: flags::WRITE,
                acl: acl::STREAM,
                key_specs: &[ks(keyflags::RW | keyflags::DELETE, index(2), range(0, 1, 0))],
                handler: Some(crate::types::stream::xgroup_destroy_command),
                summary: "Remove a consumer group",
                since: "5.0.0",
                complexity: "O(N), N being the size of the group's pending list.",
                args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
                    Arg { name: "groupname", typ: ArgType::String, ..Arg::DEFAULT },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Stream,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: acl::STREAM,
                handler: Some(crate::types::stream::xgroup_help_command),
                summary: "Describe the XGROUP subcommands",
                since: "5.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "setid",
                group: Group::Stream,
                arity: -5,
                flags: flags::WRITE,
                acl: acl::STREAM,
                key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(2), range(0, 1, 0))],
                handler: Some(crate::types::stream::xgroup_setid_command),
                summary: "Change the last delivered ID of a consumer group",
                since: "5.0.0",
                complexity: "O(1)",
                history: &[("7.0.0", "entries_read argument added.")],
                args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
                    Arg { name: "groupname", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg {
                        name: "id",
                        typ: ArgType::OneOf,
                        subargs: &[
                            Arg { name: "ID", typ: ArgType::String, ..Arg::DEFAULT },
                            Arg {
                                name: "new_id",
                                typ: ArgType::PureToken,
                                token: Some("$"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "entries_read",
                        typ: ArgType::Integer,
                        token: Some("ENTRIESREAD"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the consumer group subcommands",
        since: "5.0.0",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xinfo",
        group: Group::Stream,
        arity: -2,
        subcommands: &[
            CommandDef {
                name: "consumers",
                group: Group::Stream,
                arity: 4,
                flags: flags::READONLY,
                acl: acl::STREAM,
                key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(2), range(0, 1, 0))],
                handler: Some(crate::types::stream::xinfo_consumers_command),
                summary: "Describe the consumers of a consumer group",
                since: "5.0.0",
                complexity: "O(1)",
                tips: &["nondeterministic_output"],
                args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
                    Arg { name: "groupname", typ: ArgType::String, ..Arg::DEFAULT },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "groups",
                group: Group::Stream,
                arity: 3,
                flags: flags::READONLY,
                acl: acl::STREAM,
                key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(2), range(0, 1, 0))],
                handler: Some(crate::types::stream::xinfo_groups_command),
                summary: "Describe the consumer groups of a stream",
                since: "5.0.0",
                complexity: "O(1)",
                history: &[("7.0.0", "entries-read and lag fields added.")],
                args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Stream,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: acl::STREAM,
                handler: Some(crate::types::stream::xinfo_help_command),
                summary: "Describe the XINFO subcommands",
                since: "5.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "stream",
                group: Group::Stream,
                arity: -3,
                flags: flags::READONLY,
                acl: acl::STREAM,
                key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(2), range(0, 1, 0))],
                handler: Some(crate::types::stream::xinfo_stream_command),
                summary: "Describe a stream",
                since: "5.0.0",
                complexity: "O(1)",
                history: &[
                    ("6.0.0", "FULL modifier added."),
                    ("7.0.0", "max-deleted-entry-id, entries-added, recorded-first-entry-id, entries-read and lag fields added."),
                ],
                args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
                    Arg {
                        name: "full",
                        typ: ArgType::Block,
                        token: Some("FULL"),
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg {
                                name: "count",
                                typ: ArgType::Integer,
                                token: Some("COUNT"),
                                flags: argflags::OPTIONAL,
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the stream introspection subcommands",
        since: "5.0.0",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xlen",
        group: Group::Stream,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::STREAM,
        key_specs: &[ks(keyflags::RO, index(1), range(0, 1, 0))],
        handler: Some(crate::types::stream::xlen_command),
        summary: "Count the entries of a stream",
        since: "5.0.0",
        complexity: "O(1)",
        args: &[Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xpending",
        group: Group::Stream,
        arity: -3,
        flags: flags::READONLY,
        acl: acl::STREAM,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::stream::xpending_command),
        summary: "Inspect the pending messages of a consumer group",
        since: "5.0.0",
        complexity: "O(N), N being the entries returned (O(1) for a small fixed count); O(M) with IDLE, M being the entries scanned; the summary form is O(1) plus O(N) over consumers when there are many.",
        history: &[("6.2.0", "IDLE filter and exclusive range bounds added.")],
        tips: &["nondeterministic_output"],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "group", typ: ArgType::String, ..Arg::DEFAULT },
            Arg {
                name: "filters",
                typ: ArgType::Block,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "min-idle-time",
                        typ: ArgType::Integer,
                        token: Some("IDLE"),
                        since: Some("6.2.0"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                    Arg { name: "start", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg { name: "end", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg { name: "count", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg {
                        name: "consumer",
                        typ: ArgType::String,
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
        name: "xrange",
        group: Group::Stream,
        arity: -4,
        flags: flags::READONLY,
        acl: acl::STREAM,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::stream::xrange_command),
        summary: "Return stream entries whose IDs fall in a range",
        since: "5.0.0",
        complexity: "O(N), N being the number of entries returned; O(1) for a fixed COUNT.",
        history: &[("6.2.0", "Exclusive range bounds accepted.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "start", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "end", typ: ArgType::String, ..Arg::DEFAULT },
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
        name: "xread",
        group: Group::Stream,
        arity: -4,
        flags: flags::READONLY | flags::BLOCKING,
        acl: acl::STREAM,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, keyword("STREAMS", 1), range(-1, 1, 2))],
        getkeys: Some(crate::commands::getkeys::xread_getkeys),
        handler: Some(crate::types::stream::xread_command),
        summary: "Read entries newer than given IDs from one or more streams, optionally blocking",
        since: "5.0.0",
        complexity: "Per stream, O(N) for N entries returned (O(1) for a fixed COUNT); with BLOCK, XADD pays O(M) to serve M blocked clients.",
        args: &[
            Arg {
                name: "count",
                typ: ArgType::Integer,
                token: Some("COUNT"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "milliseconds",
                typ: ArgType::Integer,
                token: Some("BLOCK"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "streams",
                typ: ArgType::Block,
                token: Some("STREAMS"),
                subargs: &[
                    Arg {
                        name: "key",
                        typ: ArgType::Key,
                        key_spec_index: 0,
                        flags: argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "ID",
                        typ: ArgType::String,
                        flags: argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xreadgroup",
        group: Group::Stream,
        arity: -7,
        flags: flags::WRITE | flags::BLOCKING,
        acl: acl::STREAM,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, keyword("STREAMS", 4), range(-1, 1, 2))],
        getkeys: Some(crate::commands::getkeys::xread_getkeys),
        handler: Some(crate::types::stream::xreadgroup_command),
        summary: "Read entries from streams as a consumer of a group, optionally blocking",
        since: "5.0.0",
        complexity: "Per stream, O(M) for M entries returned (O(1) for a fixed COUNT); when blocking, XADD pays O(N) to serve N blocked clients.",
        args: &[
            Arg {
                name: "group_consumer",
                typ: ArgType::Block,
                token: Some("GROUP"),
                subargs: &[
                    Arg { name: "group", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg { name: "consumer", typ: ArgType::String, ..Arg::DEFAULT },
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
            Arg {
                name: "milliseconds",
                typ: ArgType::Integer,
                token: Some("BLOCK"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "noack",
                typ: ArgType::PureToken,
                token: Some("NOACK"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "streams",
                typ: ArgType::Block,
                token: Some("STREAMS"),
                subargs: &[
                    Arg {
                        name: "key",
                        typ: ArgType::Key,
                        key_spec_index: 0,
                        flags: argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "ID",
                        typ: ArgType::String,
                        flags: argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xrevrange",
        group: Group::Stream,
        arity: -4,
        flags: flags::READONLY,
        acl: acl::STREAM,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::stream::xrevrange_command),
        summary: "Return stream entries whose IDs fall in a range, newest first",
        since: "5.0.0",
        complexity: "O(N), N being the number of entries returned; O(1) for a fixed COUNT.",
        history: &[("6.2.0", "Exclusive range bounds accepted.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "end", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "start", typ: ArgType::String, ..Arg::DEFAULT },
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
        name: "xsetid",
        group: Group::Stream,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::STREAM,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::stream::xsetid_command),
        summary: "Set the last ID and counters of a stream (internal, for replication)",
        since: "5.0.0",
        complexity: "O(1)",
        history: &[("7.0.0", "entries_added and max_deleted_entry_id arguments added.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "last-id", typ: ArgType::String, ..Arg::DEFAULT },
            Arg {
                name: "entries_added",
                typ: ArgType::Integer,
                token: Some("ENTRIESADDED"),
                since: Some("7.0.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "max_deleted_entry_id",
                typ: ArgType::String,
                token: Some("MAXDELETEDID"),
                since: Some("7.0.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xtrim",
        group: Group::Stream,
        arity: -4,
        flags: flags::WRITE,
        acl: acl::STREAM,
        key_specs: &[ks(keyflags::RW | keyflags::DELETE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::stream::xtrim_command),
        summary: "Shorten a stream, exactly or approximately",
        since: "5.0.0",
        complexity: "O(N), N being the number of entries removed, with a small constant.",
        history: &[("6.2.0", "MINID strategy and LIMIT option added.")],
        tips: &["nondeterministic_output"],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "trim",
                typ: ArgType::Block,
                subargs: &[
                    Arg {
                        name: "strategy",
                        typ: ArgType::OneOf,
                        subargs: &[
                            Arg {
                                name: "maxlen",
                                typ: ArgType::PureToken,
                                token: Some("MAXLEN"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "minid",
                                typ: ArgType::PureToken,
                                token: Some("MINID"),
                                since: Some("6.2.0"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "operator",
                        typ: ArgType::OneOf,
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg {
                                name: "equal",
                                typ: ArgType::PureToken,
                                token: Some("="),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "approximately",
                                typ: ArgType::PureToken,
                                token: Some("~"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg { name: "threshold", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg {
                        name: "count",
                        typ: ArgType::Integer,
                        token: Some("LIMIT"),
                        since: Some("6.2.0"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
];
