//! Server administration and introspection commands (group `server`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "acl",
        group: Group::Server,
        arity: -2,
        flags: flags::SENTINEL,
        subcommands: &[
            CommandDef {
                name: "cat",
                group: Group::Server,
                arity: -2,
                flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                handler: Some(crate::acl::commands::acl_cat_command),
                summary: "Show the ACL categories, or the commands that belong to one category",
                since: "6.0.0",
                complexity: "O(1), as categories and commands form a fixed set.",
                args: &[
                    Arg {
                        name: "categoryname",
                        typ: ArgType::String,
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "deluser",
                group: Group::Server,
                arity: -3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                handler: Some(crate::acl::commands::acl_deluser_command),
                summary: "Delete ACL users together with their rules",
                since: "6.0.0",
                complexity: "O(1) amortized for a typical user.",
                args: &[
                    Arg {
                        name: "username",
                        typ: ArgType::String,
                        flags: argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "dryrun",
                group: Group::Server,
                arity: -4,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                handler: Some(crate::acl::commands::acl_dryrun_command),
                summary: "Check, without running it, whether a user may execute a command",
                since: "7.0.0",
                complexity: "O(1)",
                args: &[
                    Arg { name: "username", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg { name: "command", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg {
                        name: "arg",
                        typ: ArgType::String,
                        flags: argflags::OPTIONAL | argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "genpass",
                group: Group::Server,
                arity: -2,
                flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                handler: Some(crate::acl::commands::acl_genpass_command),
                summary: "Produce a random password suitable for ACL users",
                since: "6.0.0",
                complexity: "O(1)",
                args: &[
                    Arg {
                        name: "bits",
                        typ: ArgType::Integer,
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "getuser",
                group: Group::Server,
                arity: 3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                handler: Some(crate::acl::commands::acl_getuser_command),
                summary: "Show the rules of one ACL user",
                since: "6.0.0",
                complexity: "O(N), N being the count of password, command and pattern rules of the user.",
                history: &[
                    ("6.2.0", "Pub/Sub channel patterns are now included."),
                    ("7.0.0", "Selectors added; key and channel patterns are now shown in rule form instead of as lists."),
                ],
                args: &[Arg { name: "username", typ: ArgType::String, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Server,
                arity: 2,
                flags: flags::LOADING | flags::STALE | flags::SENTINEL,
                handler: Some(crate::acl::commands::acl_help_command),
                summary: "Describe the ACL subcommands",
                since: "6.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "list",
                group: Group::Server,
                arity: 2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                handler: Some(crate::acl::commands::acl_list_command),
                summary: "Dump the ACL rules in the format of an ACL file",
                since: "6.0.0",
                complexity: "O(N), N being the number of users.",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "load",
                group: Group::Server,
                arity: 2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                handler: Some(crate::acl::commands::acl_load_command),
                summary: "Replace the ACL rules with those in the configured ACL file",
                since: "6.0.0",
                complexity: "O(N), N being the number of users.",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "log",
                group: Group::Server,
                arity: -2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                handler: Some(crate::acl::commands::acl_log_command),
                summary: "Show recent security events that ACLs denied",
                since: "6.0.0",
                complexity: "O(N), N being the number of entries returned.",
                args: &[
                    Arg {
                        name: "operation",
                        typ: ArgType::OneOf,
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg { name: "count", typ: ArgType::Integer, ..Arg::DEFAULT },
                            Arg {
                                name: "reset",
                                typ: ArgType::PureToken,
                                token: Some("RESET"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "save",
                group: Group::Server,
                arity: 2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                handler: Some(crate::acl::commands::acl_save_command),
                summary: "Persist the ACL rules to the configured ACL file",
                since: "6.0.0",
                complexity: "O(N), N being the number of users.",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "setuser",
                group: Group::Server,
                arity: -3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                handler: Some(crate::acl::commands::acl_setuser_command),
                summary: "Create an ACL user or change its rules",
                since: "6.0.0",
                complexity: "O(N), N being the number of rules given.",
                history: &[
                    ("6.2.0", "Pub/Sub channel patterns supported."),
                    ("7.0.0", "Selectors and per-key permissions supported."),
                ],
                args: &[
                    Arg { name: "username", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg {
                        name: "rule",
                        typ: ArgType::String,
                        flags: argflags::OPTIONAL | argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "users",
                group: Group::Server,
                arity: 2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                handler: Some(crate::acl::commands::acl_users_command),
                summary: "List the names of all ACL users",
                since: "6.0.0",
                complexity: "O(N), N being the number of users.",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "whoami",
                group: Group::Server,
                arity: 2,
                flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
                handler: Some(crate::acl::commands::acl_whoami_command),
                summary: "Return the user name the connection is authenticated as",
                since: "6.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the access-control-list subcommands",
        since: "6.0.0",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bgrewriteaof",
        group: Group::Server,
        arity: 1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING,
        handler: Some(crate::persist::aof::bgrewriteaof_command),
        summary: "Rewrite the append-only file in the background",
        since: "1.0.0",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bgsave",
        group: Group::Server,
        arity: -1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING,
        handler: Some(crate::persist::bgsave_command),
        summary: "Save the dataset to disk in the background",
        since: "1.0.0",
        complexity: "O(1)",
        history: &[("3.2.2", "SCHEDULE option added.")],
        args: &[
            Arg {
                name: "schedule",
                typ: ArgType::PureToken,
                token: Some("SCHEDULE"),
                since: Some("3.2.2"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "command",
        group: Group::Server,
        arity: -1,
        flags: flags::LOADING | flags::STALE | flags::SENTINEL,
        acl: acl::CONNECTION,
        handler: Some(crate::commands::introspect::command_command),
        subcommands: &[
            CommandDef {
                name: "count",
                group: Group::Server,
                arity: 2,
                flags: flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::commands::introspect::command_count_command),
                summary: "Return how many commands the server knows",
                since: "2.8.13",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "docs",
                group: Group::Server,
                arity: -2,
                flags: flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::commands::introspect::command_docs_command),
                summary: "Return documentation for commands",
                since: "7.0.0",
                complexity: "O(N), N being the number of commands asked for.",
                tips: &["nondeterministic_output_order"],
                args: &[
                    Arg {
                        name: "command-name",
                        typ: ArgType::String,
                        flags: argflags::OPTIONAL | argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "getkeys",
                group: Group::Server,
                arity: -4,
                flags: flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::commands::introspect::command_getkeys_command),
                summary: "Find the key arguments of a full command line",
                since: "2.8.13",
                complexity: "O(N), N being the number of arguments of the command.",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "getkeysandflags",
                group: Group::Server,
                arity: -4,
                flags: flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::commands::introspect::command_getkeysandflags_command),
                summary: "Find the key arguments of a full command line along with how each is accessed",
                since: "7.0.0",
                complexity: "O(N), N being the number of arguments of the command.",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Server,
                arity: 2,
                flags: flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::commands::introspect::command_help_command),
                summary: "Describe the COMMAND subcommands",
                since: "5.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "info",
                group: Group::Server,
                arity: -2,
                flags: flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::commands::introspect::command_info_command),
                summary: "Describe the given commands, or every command if none are named",
                since: "2.8.13",
                complexity: "O(N), N being the number of commands asked for.",
                history: &[("7.0.0", "May be called without arguments to describe every command.")],
                tips: &["nondeterministic_output_order"],
                args: &[
                    Arg {
                        name: "command-name",
                        typ: ArgType::String,
                        flags: argflags::OPTIONAL | argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "list",
                group: Group::Server,
                arity: -2,
                flags: flags::LOADING | flags::STALE | flags::SENTINEL,
                acl: acl::CONNECTION,
                handler: Some(crate::commands::introspect::command_list_command),
                summary: "List command names, optionally filtered",
                since: "7.0.0",
                complexity: "O(N), N being the number of commands.",
                tips: &["nondeterministic_output_order"],
                args: &[
                    Arg {
                        name: "filterby",
                        typ: ArgType::OneOf,
                        token: Some("FILTERBY"),
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg {
                                name: "module-name",
                                typ: ArgType::String,
                                token: Some("MODULE"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "category",
                                typ: ArgType::String,
                                token: Some("ACLCAT"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "pattern",
                                typ: ArgType::Pattern,
                                token: Some("PATTERN"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Describe all commands the server knows",
        since: "2.8.13",
        complexity: "O(N), N being the number of commands.",
        tips: &["nondeterministic_output_order"],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "config",
        group: Group::Server,
        arity: -2,
        subcommands: &[
            CommandDef {
                name: "get",
                group: Group::Server,
                arity: -3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                handler: Some(crate::config::command::config_get_command),
                summary: "Read configuration parameters",
                since: "2.0.0",
                complexity: "O(N), N being the number of parameters given.",
                history: &[("7.0.0", "Several patterns can be given at once.")],
                args: &[
                    Arg {
                        name: "parameter",
                        typ: ArgType::Block,
                        flags: argflags::MULTIPLE,
                        subargs: &[Arg { name: "parameter", typ: ArgType::String, ..Arg::DEFAULT }],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Server,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                handler: Some(crate::config::command::config_help_command),
                summary: "Describe the CONFIG subcommands",
                since: "5.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "resetstat",
                group: Group::Server,
                arity: 2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                handler: Some(crate::config::command::config_resetstat_command),
                summary: "Zero the statistics reported by INFO",
                since: "2.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "rewrite",
                group: Group::Server,
                arity: 2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                handler: Some(crate::config::command::config_rewrite_command),
                summary: "Write the running configuration back to the config file",
                since: "2.8.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "set",
                group: Group::Server,
                arity: -4,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                handler: Some(crate::config::command::config_set_command),
                summary: "Change configuration parameters at runtime",
                since: "2.0.0",
                complexity: "O(N), N being the number of parameters given.",
                history: &[("7.0.0", "Several parameters can be set at once.")],
                tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
                args: &[
                    Arg {
                        name: "parameter_value",
                        typ: ArgType::Block,
                        flags: argflags::MULTIPLE,
                        subargs: &[
                            Arg { name: "parameter", typ: ArgType::String, ..Arg::DEFAULT },
                            Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the configuration subcommands",
        since: "2.0.0",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "dbsize",
        group: Group::Server,
        arity: 1,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        handler: Some(crate::db::keyspace::dbsize_command),
        summary: "Count the keys in the selected database",
        since: "1.0.0",
        complexity: "O(1)",
        tips: &["request_policy:all_shards", "response_policy:agg_sum"],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "debug",
        group: Group::Server,
        arity: -2,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::PROTECTED,
        handler: Some(crate::debug::debugCommand),
        summary: "Parent of the debugging subcommands",
        since: "1.0.0",
        complexity: "Varies by subcommand.",
        doc_flags: docflags::SYSCMD,
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "failover",
        group: Group::Server,
        arity: -1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::STALE,
        handler: Some(crate::repl::failover::failover_command),
        summary: "Hand the master role over to one of its replicas in a coordinated way",
        since: "6.2.0",
        complexity: "O(1)",
        args: &[
            Arg {
                name: "target",
                typ: ArgType::Block,
                token: Some("TO"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "host", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg { name: "port", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg {
                        name: "force",
                        typ: ArgType::PureToken,
                        token: Some("FORCE"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "abort",
                typ: ArgType::PureToken,
                token: Some("ABORT"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "milliseconds",
                typ: ArgType::Integer,
                token: Some("TIMEOUT"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "flushall",
        group: Group::Server,
        arity: -1,
        flags: flags::WRITE,
        acl: acl::KEYSPACE | acl::DANGEROUS,
        handler: Some(crate::db::keyspace::flushall_command),
        summary: "Delete every key in every database",
        since: "1.0.0",
        complexity: "O(N), N being the number of keys in all databases.",
        history: &[("4.0.0", "ASYNC mode added."), ("6.2.0", "SYNC mode added.")],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        args: &[
            Arg {
                name: "async",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "async",
                        typ: ArgType::PureToken,
                        token: Some("ASYNC"),
                        since: Some("4.0.0"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "sync",
                        typ: ArgType::PureToken,
                        token: Some("SYNC"),
                        since: Some("6.2.0"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "flushdb",
        group: Group::Server,
        arity: -1,
        flags: flags::WRITE,
        acl: acl::KEYSPACE | acl::DANGEROUS,
        handler: Some(crate::db::keyspace::flushdb_command),
        summary: "Delete every key in the selected database",
        since: "1.0.0",
        complexity: "O(N), N being the number of keys in the database.",
        history: &[("4.0.0", "ASYNC mode added."), ("6.2.0", "SYNC mode added.")],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        args: &[
            Arg {
                name: "async",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "async",
                        typ: ArgType::PureToken,
                        token: Some("ASYNC"),
                        since: Some("4.0.0"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "sync",
                        typ: ArgType::PureToken,
                        token: Some("SYNC"),
                        since: Some("6.2.0"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "info",
        group: Group::Server,
        arity: -1,
        flags: flags::LOADING | flags::STALE | flags::SENTINEL,
        acl: acl::DANGEROUS,
        handler: Some(crate::server::info::info_command),
        summary: "Report server information and statistics",
        since: "1.0.0",
        complexity: "O(1)",
        history: &[("7.0.0", "Several sections can be given.")],
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        args: &[
            Arg {
                name: "section",
                typ: ArgType::String,
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "lastsave",
        group: Group::Server,
        arity: 1,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::ADMIN | acl::DANGEROUS,
        handler: Some(crate::server::commands::lastsave_command),
        summary: "Return when the last successful save to disk happened, as a Unix time",
        since: "1.0.0",
        complexity: "O(1)",
        tips: &["nondeterministic_output"],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "latency",
        group: Group::Server,
        arity: -2,
        subcommands: &[
            CommandDef {
                name: "doctor",
                group: Group::Server,
                arity: 2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                handler: Some(crate::latency::latency_doctor_command),
                summary: "Produce a readable analysis of latency events",
                since: "2.8.13",
                complexity: "O(1)",
                tips: &[
                    "nondeterministic_output",
                    "request_policy:all_nodes",
                    "response_policy:special",
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "graph",
                group: Group::Server,
                arity: 3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                handler: Some(crate::latency::latency_graph_command),
                summary: "Draw an ASCII graph of latency for an event",
                since: "2.8.13",
                complexity: "O(1)",
                tips: &[
                    "nondeterministic_output",
                    "request_policy:all_nodes",
                    "response_policy:special",
                ],
                args: &[Arg { name: "event", typ: ArgType::String, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Server,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                handler: Some(crate::latency::latency_help_command),
                summary: "Describe the LATENCY subcommands",
                since: "2.8.13",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "histogram",
                group: Group::Server,
                arity: -2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                handler: Some(crate::latency::latency_histogram_command),
                summary: "Return latency histograms of all or some commands",
                since: "7.0.0",
                complexity: "O(N), N being the number of commands reported.",
                tips: &[
                    "nondeterministic_output",
                    "request_policy:all_nodes",
                    "response_policy:special",
                ],
                args: &[
                    Arg {
                        name: "COMMAND",
                        typ: ArgType::String,
                        flags: argflags::OPTIONAL | argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "history",
                group: Group::Server,
                arity: 3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                handler: Some(crate::latency::latency_history_command),
                summary: "Return the time/latency samples recorded for an event",
                since: "2.8.13",
                complexity: "O(1)",
                tips: &[
                    "nondeterministic_output",
                    "request_policy:all_nodes",
                    "response_policy:special",
                ],
                args: &[Arg { name: "event", typ: ArgType::String, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "latest",
                group: Group::Server,
                arity: 2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                handler: Some(crate::latency::latency_latest_command),
                summary: "Return the most recent latency sample of each event",
                since: "2.8.13",
                complexity: "O(1)",
                tips: &[
                    "nondeterministic_output",
                    "request_policy:all_nodes",
                    "response_policy:special",
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "reset",
                group: Group::Server,
                arity: -2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
                handler: Some(crate::latency::latency_reset_command),
                summary: "Clear recorded latency data of some or all events",
                since: "2.8.13",
                complexity: "O(1)",
                tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
                args: &[
                    Arg {
                        name: "event",
                        typ: ArgType::String,
                        flags: argflags::OPTIONAL | argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the latency monitoring subcommands",
        since: "2.8.13",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "lolwut",
        group: Group::Server,
        arity: -1,
        flags: flags::READONLY | flags::FAST,
        handler: Some(crate::lolwut::lolwut_command),
        summary: "Draw some computer art along with the server version",
        since: "5.0.0",
        args: &[
            Arg {
                name: "version",
                typ: ArgType::Integer,
                token: Some("VERSION"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "memory",
        group: Group::Server,
        arity: -2,
        subcommands: &[
            CommandDef {
                name: "doctor",
                group: Group::Server,
                arity: 2,
                handler: Some(crate::object::memory_doctor_command),
                summary: "Report memory-related problems found by the server",
                since: "4.0.0",
                complexity: "O(1)",
                tips: &[
                    "nondeterministic_output",
                    "request_policy:all_shards",
                    "response_policy:special",
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Server,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                handler: Some(crate::object::memory_help_command),
                summary: "Describe the MEMORY subcommands",
                since: "4.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "malloc-stats",
                group: Group::Server,
                arity: 2,
                handler: Some(crate::object::memory_malloc_stats_command),
                summary: "Return the allocator's internal statistics",
                since: "4.0.0",
                complexity: "Grows with allocated memory; may be slow.",
                tips: &[
                    "nondeterministic_output",
                    "request_policy:all_shards",
                    "response_policy:special",
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "purge",
                group: Group::Server,
                arity: 2,
                handler: Some(crate::object::memory_purge_command),
                summary: "Ask the allocator to give memory back",
                since: "4.0.0",
                complexity: "Grows with allocated memory; may be slow.",
                tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "stats",
                group: Group::Server,
                arity: 2,
                handler: Some(crate::object::memory_stats_command),
                summary: "Report details of memory usage",
                since: "4.0.0",
                complexity: "O(1)",
                tips: &[
                    "nondeterministic_output",
                    "request_policy:all_shards",
                    "response_policy:special",
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "usage",
                group: Group::Server,
                arity: -3,
                flags: flags::READONLY,
                key_specs: &[ks(keyflags::RO, index(2), range(0, 1, 0))],
                handler: Some(crate::object::memory_usage_command),
                summary: "Estimate how many bytes a key and its value take",
                since: "4.0.0",
                complexity: "O(N), N being the number of samples.",
                args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
                    Arg {
                        name: "count",
                        typ: ArgType::Integer,
                        token: Some("SAMPLES"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the memory diagnostics subcommands",
        since: "4.0.0",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "module",
        group: Group::Server,
        arity: -2,
        subcommands: &[
            CommandDef {
                name: "help",
                group: Group::Server,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                handler: Some(crate::stack::module::module_help_command),
                summary: "Describe the MODULE subcommands",
                since: "5.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "list",
                group: Group::Server,
                arity: 2,
                flags: flags::ADMIN | flags::NOSCRIPT,
                handler: Some(crate::stack::module::module_list_command),
                summary: "List the loaded modules",
                since: "4.0.0",
                complexity: "O(N), N being the number of loaded modules.",
                tips: &["nondeterministic_output_order"],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "load",
                group: Group::Server,
                arity: -3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::PROTECTED | flags::NO_ASYNC_LOADING,
                handler: Some(crate::stack::module::module_load_command),
                summary: "Load a module from a shared library",
                since: "4.0.0",
                complexity: "O(1)",
                args: &[
                    Arg { name: "path", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg {
                        name: "arg",
                        typ: ArgType::String,
                        flags: argflags::OPTIONAL | argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "loadex",
                group: Group::Server,
                arity: -3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::PROTECTED | flags::NO_ASYNC_LOADING,
                handler: Some(crate::stack::module::module_loadex_command),
                summary: "Load a module from a shared library, with config and argument options",
                since: "7.0.0",
                complexity: "O(1)",
                args: &[
                    Arg { name: "path", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg {
                        name: "configs",
                        typ: ArgType::Block,
                        token: Some("CONFIG"),
                        flags: argflags::OPTIONAL | argflags::MULTIPLE | argflags::MULTIPLE_TOKEN,
                        subargs: &[
                            Arg { name: "name", typ: ArgType::String, ..Arg::DEFAULT },
                            Arg { name: "value", typ: ArgType::String, ..Arg::DEFAULT },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "args",
                        typ: ArgType::Block,
                        token: Some("ARGS"),
                        flags: argflags::OPTIONAL | argflags::MULTIPLE,
                        subargs: &[Arg { name: "arg", typ: ArgType::String, ..Arg::DEFAULT }],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "unload",
                group: Group::Server,
                arity: 3,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::PROTECTED | flags::NO_ASYNC_LOADING,
                handler: Some(crate::stack::module::module_unload_command),
                summary: "Remove a loaded module from the server",
                since: "4.0.0",
                complexity: "O(1)",
                args: &[Arg { name: "name", typ: ArgType::String, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the module subcommands",
        since: "4.0.0",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "monitor",
        group: Group::Server,
        arity: 1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
        handler: Some(crate::server::commands::monitor_command),
        summary: "Stream every command the server receives, as it happens",
        since: "1.0.0",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "psync",
        group: Group::Server,
        arity: -3,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING | flags::NO_MULTI,
        handler: Some(crate::repl::sync_command),
        summary: "Start or resume replication from a master (internal)",
        since: "2.8.0",
        args: &[
            Arg { name: "replicationid", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "offset", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "replconf",
        group: Group::Server,
        arity: -1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::ALLOW_BUSY,
        handler: Some(crate::repl::replconf_command),
        summary: "Set replication options on a replication link (internal)",
        since: "3.0.0",
        complexity: "O(1)",
        doc_flags: docflags::SYSCMD,
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "replicaof",
        group: Group::Server,
        arity: 3,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::STALE | flags::NO_ASYNC_LOADING,
        handler: Some(crate::repl::replicaof_command),
        summary: "Replicate another server, or stop replicating and become a master",
        since: "5.0.0",
        complexity: "O(1)",
        args: &[
            Arg {
                name: "args",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "host-port",
                        typ: ArgType::Block,
                        subargs: &[
                            Arg { name: "host", typ: ArgType::String, ..Arg::DEFAULT },
                            Arg { name: "port", typ: ArgType::Integer, ..Arg::DEFAULT },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "no-one",
                        typ: ArgType::Block,
                        subargs: &[
                            Arg {
                                name: "no",
                                typ: ArgType::PureToken,
                                token: Some("NO"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "one",
                                typ: ArgType::PureToken,
                                token: Some("ONE"),
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
        name: "restore-asking",
        group: Group::Server,
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::ASKING,
        acl: acl::KEYSPACE | acl::DANGEROUS,
        key_specs: &[ks(keyflags::OW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::persist::dump::restore_command),
        summary: "Create a key from a serialized value during cluster migration (internal)",
        since: "3.0.0",
        complexity: "O(1) for the key plus O(N*M) to rebuild the value, N being the number of objects and M their mean size (about O(1) for small strings); O(N*M*log(N)) for sorted sets.",
        doc_flags: docflags::SYSCMD,
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
        name: "role",
        group: Group::Server,
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::SENTINEL,
        acl: acl::ADMIN | acl::DANGEROUS,
        handler: Some(crate::repl::role_command),
        summary: "Report the replication role of the server",
        since: "2.8.12",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "save",
        group: Group::Server,
        arity: 1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING | flags::NO_MULTI,
        handler: Some(crate::persist::save_command),
        summary: "Save the dataset to disk, blocking until done",
        since: "1.0.0",
        complexity: "O(N), N being the number of keys in all databases.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "shutdown",
        group: Group::Server,
        arity: -1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL | flags::NO_MULTI | flags::ALLOW_BUSY,
        handler: Some(crate::server::commands::shutdown_command),
        summary: "Save the data if configured, then stop the server",
        since: "1.0.0",
        complexity: "O(N) when saving, N being the number of keys in all databases; otherwise O(1).",
        history: &[("7.0.0", "NOW, FORCE and ABORT modifiers added.")],
        args: &[
            Arg {
                name: "nosave_save",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "nosave",
                        typ: ArgType::PureToken,
                        token: Some("NOSAVE"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "save",
                        typ: ArgType::PureToken,
                        token: Some("SAVE"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "now",
                typ: ArgType::PureToken,
                token: Some("NOW"),
                since: Some("7.0.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "force",
                typ: ArgType::PureToken,
                token: Some("FORCE"),
                since: Some("7.0.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "abort",
                typ: ArgType::PureToken,
                token: Some("ABORT"),
                since: Some("7.0.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "slaveof",
        group: Group::Server,
        arity: 3,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::STALE | flags::NO_ASYNC_LOADING,
        handler: Some(crate::repl::replicaof_command),
        summary: "Replicate another server, or stop replicating and become a master (old name of REPLICAOF)",
        since: "1.0.0",
        complexity: "O(1)",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("5.0.0"),
        replaced_by: Some("`REPLICAOF`"),
        args: &[
            Arg {
                name: "args",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "host-port",
                        typ: ArgType::Block,
                        subargs: &[
                            Arg { name: "host", typ: ArgType::String, ..Arg::DEFAULT },
                            Arg { name: "port", typ: ArgType::Integer, ..Arg::DEFAULT },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "no-one",
                        typ: ArgType::Block,
                        subargs: &[
                            Arg {
                                name: "no",
                                typ: ArgType::PureToken,
                                token: Some("NO"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "one",
                                typ: ArgType::PureToken,
                                token: Some("ONE"),
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
        name: "slowlog",
        group: Group::Server,
        arity: -2,
        subcommands: &[
            CommandDef {
                name: "get",
                group: Group::Server,
                arity: -2,
                flags: flags::ADMIN | flags::LOADING | flags::STALE,
                handler: Some(crate::slowlog::slowlog_get_command),
                summary: "Return entries of the slow log",
                since: "2.2.12",
                complexity: "O(N), N being the number of entries returned.",
                history: &[("4.0.0", "Entries include the client address and name.")],
                tips: &["request_policy:all_nodes", "nondeterministic_output"],
                args: &[
                    Arg {
                        name: "count",
                        typ: ArgType::Integer,
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Server,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                handler: Some(crate::slowlog::slowlog_help_command),
                summary: "Describe the SLOWLOG subcommands",
                since: "6.2.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "len",
                group: Group::Server,
                arity: 2,
                flags: flags::ADMIN | flags::LOADING | flags::STALE,
                handler: Some(crate::slowlog::slowlog_len_command),
                summary: "Count the entries of the slow log",
                since: "2.2.12",
                complexity: "O(1)",
                tips: &[
                    "request_policy:all_nodes",
                    "response_policy:agg_sum",
                    "nondeterministic_output",
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "reset",
                group: Group::Server,
                arity: 2,
                flags: flags::ADMIN | flags::LOADING | flags::STALE,
                handler: Some(crate::slowlog::slowlog_reset_command),
                summary: "Empty the slow log",
                since: "2.2.12",
                complexity: "O(N), N being the number of entries.",
                tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the slow log subcommands",
        since: "2.2.12",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "swapdb",
        group: Group::Server,
        arity: 3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE | acl::DANGEROUS,
        handler: Some(crate::db::keyspace::swapdb_command),
        summary: "Exchange the contents of two databases",
        since: "4.0.0",
        complexity: "O(N), N being the clients watching or blocked on keys of either database.",
        args: &[
            Arg { name: "index1", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg { name: "index2", typ: ArgType::Integer, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "sync",
        group: Group::Server,
        arity: 1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING | flags::NO_MULTI,
        handler: Some(crate::repl::sync_command),
        summary: "Start full replication from a master (internal, old protocol)",
        since: "1.0.0",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "time",
        group: Group::Server,
        arity: 1,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        handler: Some(crate::server::commands::time_command),
        summary: "Return the server's clock",
        since: "2.6.0",
        complexity: "O(1)",
        tips: &["nondeterministic_output"],
        ..CommandDef::DEFAULT
    },
];
