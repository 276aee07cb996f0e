//! Connection and client commands (group `connection`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "auth",
        group: Group::Connection,
        arity: -2,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::NO_AUTH | flags::SENTINEL | flags::ALLOW_BUSY,
        acl: acl::CONNECTION,
        handler: Some(crate::acl::commands::auth_command),
        summary: "Authenticate the connection",
        since: "1.0.0",
        complexity: "O(N), N being the number of passwords the user has.",
        history: &[("6.0.0", "Accepts an ACL user name together with the password.")],
        args: &[
            Arg {
                name: "username",
                typ: ArgType::String,
                since: Some("6.0.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg { name: "password", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "client",
        group: Group::Connection,
        arity: -2,
        flags: flags::SENTINEL,
        subcommands: &[
            CommandDef {
                name: "caching",
                group: Group::Connection,
                arity: 3,
                flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::tracking::client_caching_command),
                summary: "Choose whether keys read by the next command are tracked",
                since: "6.0.0",
                complexity: "O(1)",
                args: &[
                    Arg {
                        name: "mode",
                        typ: ArgType::OneOf,
                        subargs: &[
                            Arg {
                                name: "yes",
                                typ: ArgType::PureToken,
                                token: Some("YES"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "no",
                                typ: ArgType::PureToken,
                                token: Some("NO"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "getname",
                group: Group::Connection,
                arity: 2,
                flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::client::commands::client_getname_command),
                summary: "Return the name of the connection",
                since: "2.6.9",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "getredir",
                group: Group::Connection,
                arity: 2,
                flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::tracking::client_getredir_command),
                summary: "Return the ID of the client receiving this connection's tracking notifications",
                since: "6.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Connection,
                arity: 2,
                flags: flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::client::commands::client_help_command),
                summary: "Describe the CLIENT subcommands",
                since: "5.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "id",
                group: Group::Connection,
                arity: 2,
                flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::client::commands::client_id_command),
                summary: "Return the ID of the connection",
                since: "5.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "info",
                group: Group::Connection,
                arity: 2,
                flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::client::commands::client_info_command),
                summary: "Describe the current connection",
                since: "6.2.0",
                complexity: "O(1)",
                tips: &["nondeterministic_output"],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "kill",
                group: Group::Connection,
                arity: -3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::client::commands::client_kill_command),
                summary: "Close one or more client connections",
                since: "2.4.0",
                complexity: "O(N), N being the number of connected clients.",
                history: &[
                    ("2.8.12", "New filter-based syntax."),
                    ("2.8.12", "ID filter added."),
                    ("3.2.0", "TYPE filter accepts master."),
                    ("5.0.0", "TYPE filter uses replica; slave remains as an alias."),
                    ("6.2.0", "LADDR filter added."),
                ],
                args: &[
                    Arg {
                        name: "filter",
                        typ: ArgType::OneOf,
                        subargs: &[
                            Arg {
                                name: "ip:port",
                                typ: ArgType::String,
                                deprecated_since: Some("2.8.12"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "new-format",
                                typ: ArgType::OneOf,
                                flags: argflags::MULTIPLE,
                                subargs: &[
                                    Arg {
                                        name: "client-id",
                                        typ: ArgType::Integer,
                                        token: Some("ID"),
                                        since: Some("2.8.12"),
                                        flags: argflags::OPTIONAL,
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "normal_master_slave_pubsub",
                                        typ: ArgType::OneOf,
                                        token: Some("TYPE"),
                                        since: Some("2.8.12"),
                                        flags: argflags::OPTIONAL,
                                        subargs: &[
                                            Arg {
                                                name: "normal",
                                                typ: ArgType::PureToken,
                                                token: Some("normal"),
                                                ..Arg::DEFAULT
                                            },
                                            Arg {
                                                name: "master",
                                                typ: ArgType::PureToken,
                                                token: Some("master"),
                                                since: Some("3.2.0"),
                                                ..Arg::DEFAULT
                                            },
                                            Arg {
                                                name: "slave",
                                                typ: ArgType::PureToken,
                                                token: Some("slave"),
                                                ..Arg::DEFAULT
                                            },
                                            Arg {
                                                name: "replica",
                                                typ: ArgType::PureToken,
                                                token: Some("replica"),
                                                since: Some("5.0.0"),
                                                ..Arg::DEFAULT
                                            },
                                            Arg {
                                                name: "pubsub",
                                                typ: ArgType::PureToken,
                                                token: Some("pubsub"),
                                                ..Arg::DEFAULT
                                            },
                                        ],
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "username",
                                        typ: ArgType::String,
                                        token: Some("USER"),
                                        flags: argflags::OPTIONAL,
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "ip:port",
                                        typ: ArgType::String,
                                        token: Some("ADDR"),
                                        flags: argflags::OPTIONAL,
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "ip:port",
                                        typ: ArgType::String,
                                        token: Some("LADDR"),
                                        since: Some("6.2.0"),
                                        flags: argflags::OPTIONAL,
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "yes/no",
                                        typ: ArgType::String,
                                        token: Some("SKIPME"),
                                        flags: argflags::OPTIONAL,
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
                name: "list",
                group: Group::Connection,
                arity: -2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::client::commands::client_list_command),
                summary: "List the client connections",
                since: "2.4.0",
                complexity: "O(N), N being the number of connected clients.",
                history: &[
                    ("2.8.12", "id field added."),
                    ("5.0.0", "TYPE filter added."),
                    ("6.0.0", "user field added."),
                    ("6.2.0", "argv-mem, tot-mem, laddr and redir fields and the ID filter added."),
                    ("7.0.0", "resp, multi-mem, rbs and rbp fields added."),
                    ("7.0.3", "ssub field added."),
                ],
                tips: &["nondeterministic_output"],
                args: &[
                    Arg {
                        name: "normal_master_replica_pubsub",
                        typ: ArgType::OneOf,
                        token: Some("TYPE"),
                        since: Some("5.0.0"),
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg {
                                name: "normal",
                                typ: ArgType::PureToken,
                                token: Some("normal"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "master",
                                typ: ArgType::PureToken,
                                token: Some("master"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "replica",
                                typ: ArgType::PureToken,
                                token: Some("replica"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "pubsub",
                                typ: ArgType::PureToken,
                                token: Some("pubsub"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "id",
                        typ: ArgType::Block,
                        token: Some("ID"),
                        since: Some("6.2.0"),
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg {
                                name: "client-id",
                                typ: ArgType::Integer,
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
                name: "no-evict",
                group: Group::Connection,
                arity: 3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::client::commands::client_no_evict_command),
                summary: "Exempt the connection from client eviction, or not",
                since: "7.0.0",
                complexity: "O(1)",
                args: &[
                    Arg {
                        name: "enabled",
                        typ: ArgType::OneOf,
                        subargs: &[
                            Arg {
                                name: "on",
                                typ: ArgType::PureToken,
                                token: Some("ON"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "off",
                                typ: ArgType::PureToken,
                                token: Some("OFF"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "pause",
                group: Group::Connection,
                arity: -3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::client::commands::client_pause_command),
                summary: "Hold off processing client commands for a while",
                since: "2.9.50",
                complexity: "O(1)",
                history: &[("6.2.0", "mode option added, allowing a WRITE-only pause.")],
                args: &[
                    Arg { name: "timeout", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg {
                        name: "mode",
                        typ: ArgType::OneOf,
                        since: Some("6.2.0"),
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg {
                                name: "write",
                                typ: ArgType::PureToken,
                                token: Some("WRITE"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "all",
                                typ: ArgType::PureToken,
                                token: Some("ALL"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "reply",
                group: Group::Connection,
                arity: 3,
                flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::client::commands::client_reply_command),
                summary: "Switch replies to commands on, off, or off for the next command",
                since: "3.2.0",
                complexity: "O(1)",
                args: &[
                    Arg {
                        name: "on_off_skip",
                        typ: ArgType::OneOf,
                        subargs: &[
                            Arg {
                                name: "on",
                                typ: ArgType::PureToken,
                                token: Some("ON"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "off",
                                typ: ArgType::PureToken,
                                token: Some("OFF"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "skip",
                                typ: ArgType::PureToken,
                                token: Some("SKIP"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "setname",
                group: Group::Connection,
                arity: 3,
                flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::client::commands::client_setname_command),
                summary: "Give the connection a name",
                since: "2.6.9",
                complexity: "O(1)",
                args: &[Arg { name: "connection-name", typ: ArgType::String, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "tracking",
                group: Group::Connection,
                arity: -3,
                flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::tracking::client_tracking_command),
                summary: "Turn server-assisted client-side caching on or off",
                since: "6.0.0",
                complexity: "O(1), though some options add cost.",
                args: &[
                    Arg {
                        name: "status",
                        typ: ArgType::OneOf,
                        subargs: &[
                            Arg {
                                name: "on",
                                typ: ArgType::PureToken,
                                token: Some("ON"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "off",
                                typ: ArgType::PureToken,
                                token: Some("OFF"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "client-id",
                        typ: ArgType::Integer,
                        token: Some("REDIRECT"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "prefix",
                        typ: ArgType::String,
                        token: Some("PREFIX"),
                        flags: argflags::OPTIONAL | argflags::MULTIPLE | argflags::MULTIPLE_TOKEN,
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "BCAST",
                        typ: ArgType::PureToken,
                        token: Some("BCAST"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "OPTIN",
                        typ: ArgType::PureToken,
                        token: Some("OPTIN"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "OPTOUT",
                        typ: ArgType::PureToken,
                        token: Some("OPTOUT"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "NOLOOP",
                        typ: ArgType::PureToken,
                        token: Some("NOLOOP"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "trackinginfo",
                group: Group::Connection,
                arity: 2,
                flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::tracking::client_trackinginfo_command),
                summary: "Describe the client-side caching state of the connection",
                since: "6.2.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "unblock",
                group: Group::Connection,
                arity: -3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::blocked::client_unblock_command),
                summary: "Wake up a client blocked on a command, from another connection",
                since: "5.0.0",
                complexity: "O(log N), N being the number of connected clients.",
                args: &[
                    Arg { name: "client-id", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg {
                        name: "timeout_error",
                        typ: ArgType::OneOf,
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg {
                                name: "timeout",
                                typ: ArgType::PureToken,
                                token: Some("TIMEOUT"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "error",
                                typ: ArgType::PureToken,
                                token: Some("ERROR"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "unpause",
                group: Group::Connection,
                arity: 2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::client::commands::client_unpause_command),
                summary: "Let paused clients run again",
                since: "6.2.0",
                complexity: "O(N), N being the number of paused clients.",
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the client-connection subcommands",
        since: "2.4.0",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "echo",
        group: Group::Connection,
        arity: 2,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::CONNECTION,
        handler: Some(crate::server::commands::echo_command),
        summary: "Return the given message",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[Arg { name: "message", typ: ArgType::String, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "hello",
        group: Group::Connection,
        arity: -1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::NO_AUTH | flags::SENTINEL | flags::ALLOW_BUSY,
        acl: acl::CONNECTION,
        handler: Some(crate::client::commands::hello_command),
        summary: "Negotiate the protocol version and optionally authenticate and name the connection",
        since: "6.0.0",
        complexity: "O(1)",
        history: &[
            ("6.2.0", "protover is optional; without arguments the current connection state is returned."),
        ],
        args: &[
            Arg {
                name: "arguments",
                typ: ArgType::Block,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "protover", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg {
                        name: "username_password",
                        typ: ArgType::Block,
                        token: Some("AUTH"),
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg { name: "username", typ: ArgType::String, ..Arg::DEFAULT },
                            Arg { name: "password", typ: ArgType::String, ..Arg::DEFAULT },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "clientname",
                        typ: ArgType::String,
                        token: Some("SETNAME"),
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
        name: "ping",
        group: Group::Connection,
        arity: -1,
        flags: flags::FAST | flags::SENTINEL,
        acl: acl::CONNECTION,
        handler: Some(crate::server::commands::ping_command),
        summary: "Check that the server answers",
        since: "1.0.0",
        complexity: "O(1)",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        args: &[
            Arg {
                name: "message",
                typ: ArgType::String,
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "quit",
        group: Group::Connection,
        arity: -1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::NO_AUTH | flags::ALLOW_BUSY,
        acl: acl::CONNECTION,
        handler: Some(crate::client::commands::quit_command),
        summary: "Ask the server to close this connection",
        since: "1.0.0",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "reset",
        group: Group::Connection,
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::NO_AUTH | flags::ALLOW_BUSY,
        acl: acl::CONNECTION,
        handler: Some(crate::client::commands::reset_command),
        summary: "Return the connection to its initial state",
        since: "6.2.0",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "select",
        group: Group::Connection,
        arity: 2,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::CONNECTION,
        handler: Some(crate::db::keyspace::select_command),
        summary: "Switch the connection to another database",
        since: "1.0.0",
        complexity: "O(1)",
        args: &[Arg { name: "index", typ: ArgType::Integer, ..Arg::DEFAULT }],
        ..CommandDef::DEFAULT
    },
];
