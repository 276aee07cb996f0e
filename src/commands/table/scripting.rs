//! Lua scripting and function commands (group `scripting`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "eval",
        group: Group::Scripting,
        arity: -3,
        flags: flags::NOSCRIPT | flags::STALE | flags::SKIP_MONITOR | flags::MAY_REPLICATE | flags::NO_MANDATORY_KEYS,
        acl: acl::SCRIPTING,
        key_specs: &[
            ks_notes(
                "Key usage is unknown, so the most permissive flags (RW, UPDATE) are assumed",
                keyflags::RW | keyflags::ACCESS | keyflags::UPDATE,
                index(2),
                keynum(0, 1, 1),
            ),
        ],
        getkeys: Some(crate::commands::getkeys::eval_getkeys),
        handler: Some(crate::scripting::eval::eval_command),
        summary: "Run a Lua script on the server",
        since: "2.6.0",
        complexity: "Depends on the script.",
        args: &[
            Arg { name: "script", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "numkeys", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 0,
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
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
        name: "eval_ro",
        group: Group::Scripting,
        arity: -3,
        flags: flags::READONLY | flags::NOSCRIPT | flags::STALE | flags::SKIP_MONITOR | flags::NO_MANDATORY_KEYS,
        acl: acl::SCRIPTING,
        key_specs: &[
            ks_notes(
                "Key usage is unknown, so read access (RO, ACCESS) is assumed",
                keyflags::RO | keyflags::ACCESS,
                index(2),
                keynum(0, 1, 1),
            ),
        ],
        getkeys: Some(crate::commands::getkeys::eval_getkeys),
        handler: Some(crate::scripting::eval::eval_ro_command),
        summary: "Run a read-only Lua script on the server",
        since: "7.0.0",
        complexity: "Depends on the script.",
        args: &[
            Arg { name: "script", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "numkeys", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 0,
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
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
        name: "evalsha",
        group: Group::Scripting,
        arity: -3,
        flags: flags::NOSCRIPT | flags::STALE | flags::SKIP_MONITOR | flags::MAY_REPLICATE | flags::NO_MANDATORY_KEYS,
        acl: acl::SCRIPTING,
        key_specs: &[
            ks(keyflags::RW | keyflags::ACCESS | keyflags::UPDATE, index(2), keynum(0, 1, 1)),
        ],
        getkeys: Some(crate::commands::getkeys::eval_getkeys),
        handler: Some(crate::scripting::eval::evalsha_command),
        summary: "Run a cached Lua script by its SHA1 digest",
        since: "2.6.0",
        complexity: "Depends on the script.",
        args: &[
            Arg { name: "sha1", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "numkeys", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 0,
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
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
        name: "evalsha_ro",
        group: Group::Scripting,
        arity: -3,
        flags: flags::READONLY | flags::NOSCRIPT | flags::STALE | flags::SKIP_MONITOR | flags::NO_MANDATORY_KEYS,
        acl: acl::SCRIPTING,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(2), keynum(0, 1, 1))],
        getkeys: Some(crate::commands::getkeys::eval_getkeys),
        handler: Some(crate::scripting::eval::evalsha_ro_command),
        summary: "Run a cached read-only Lua script by its SHA1 digest",
        since: "7.0.0",
        complexity: "Depends on the script.",
        args: &[
            Arg { name: "sha1", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "numkeys", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 0,
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
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
        name: "fcall",
        group: Group::Scripting,
        arity: -3,
        flags: flags::NOSCRIPT | flags::STALE | flags::SKIP_MONITOR | flags::MAY_REPLICATE | flags::NO_MANDATORY_KEYS,
        acl: acl::SCRIPTING,
        key_specs: &[
            ks_notes(
                "Key usage is unknown, so the most permissive flags (RW, UPDATE) are assumed",
                keyflags::RW | keyflags::ACCESS | keyflags::UPDATE,
                index(2),
                keynum(0, 1, 1),
            ),
        ],
        getkeys: Some(crate::commands::getkeys::function_getkeys),
        handler: Some(crate::scripting::function::fcall_command),
        summary: "Call a library function",
        since: "7.0.0",
        complexity: "Depends on the function.",
        args: &[
            Arg { name: "function", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "numkeys", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 0,
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
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
        name: "fcall_ro",
        group: Group::Scripting,
        arity: -3,
        flags: flags::READONLY | flags::NOSCRIPT | flags::STALE | flags::SKIP_MONITOR | flags::NO_MANDATORY_KEYS,
        acl: acl::SCRIPTING,
        key_specs: &[
            ks_notes(
                "Key usage is unknown, so read access (RO, ACCESS) is assumed",
                keyflags::RO | keyflags::ACCESS,
                index(2),
                keynum(0, 1, 1),
            ),
        ],
        getkeys: Some(crate::commands::getkeys::function_getkeys),
        handler: Some(crate::scripting::function::fcall_ro_command),
        summary: "Call a read-only library function",
        since: "7.0.0",
        complexity: "Depends on the function.",
        args: &[
            Arg { name: "function", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "numkeys", typ: ArgType::Integer, ..Arg::DEFAULT },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 0,
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
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
        name: "function",
        group: Group::Scripting,
        arity: -2,
        subcommands: &[
            CommandDef {
                name: "delete",
                group: Group::Scripting,
                arity: 3,
                flags: flags::WRITE | flags::NOSCRIPT,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::function::function_delete_command),
                summary: "Remove a function library",
                since: "7.0.0",
                complexity: "O(1)",
                tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
                args: &[Arg { name: "library-name", typ: ArgType::String, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "dump",
                group: Group::Scripting,
                arity: 2,
                flags: flags::NOSCRIPT,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::function::function_dump_command),
                summary: "Serialize every loaded function library",
                since: "7.0.0",
                complexity: "O(N), N being the number of functions.",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "flush",
                group: Group::Scripting,
                arity: -2,
                flags: flags::WRITE | flags::NOSCRIPT,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::function::function_flush_command),
                summary: "Remove every function library",
                since: "7.0.0",
                complexity: "O(N), N being the number of functions removed.",
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
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "sync",
                                typ: ArgType::PureToken,
                                token: Some("SYNC"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Scripting,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::function::function_help_command),
                summary: "Describe the FUNCTION subcommands",
                since: "7.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "kill",
                group: Group::Scripting,
                arity: 2,
                flags: flags::NOSCRIPT | flags::ALLOW_BUSY,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::function::function_kill_command),
                summary: "Stop the function that is running now",
                since: "7.0.0",
                complexity: "O(1)",
                tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "list",
                group: Group::Scripting,
                arity: -2,
                flags: flags::NOSCRIPT,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::function::function_list_command),
                summary: "Describe the loaded function libraries",
                since: "7.0.0",
                complexity: "O(N), N being the number of functions.",
                tips: &["nondeterministic_output_order"],
                args: &[
                    Arg {
                        name: "library-name-pattern",
                        typ: ArgType::String,
                        token: Some("LIBRARYNAME"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "withcode",
                        typ: ArgType::PureToken,
                        token: Some("WITHCODE"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "load",
                group: Group::Scripting,
                arity: -3,
                flags: flags::WRITE | flags::DENYOOM | flags::NOSCRIPT,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::function::function_load_command),
                summary: "Load a function library from source code",
                since: "7.0.0",
                complexity: "O(1), ignoring compilation.",
                tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
                args: &[
                    Arg {
                        name: "replace",
                        typ: ArgType::PureToken,
                        token: Some("REPLACE"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                    Arg { name: "function-code", typ: ArgType::String, ..Arg::DEFAULT },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "restore",
                group: Group::Scripting,
                arity: -3,
                flags: flags::WRITE | flags::DENYOOM | flags::NOSCRIPT,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::function::function_restore_command),
                summary: "Load function libraries from a serialized payload",
                since: "7.0.0",
                complexity: "O(N), N being the number of functions in the payload.",
                tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
                args: &[
                    Arg { name: "serialized-value", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg {
                        name: "policy",
                        typ: ArgType::OneOf,
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg {
                                name: "flush",
                                typ: ArgType::PureToken,
                                token: Some("FLUSH"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "append",
                                typ: ArgType::PureToken,
                                token: Some("APPEND"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "replace",
                                typ: ArgType::PureToken,
                                token: Some("REPLACE"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "stats",
                group: Group::Scripting,
                arity: 2,
                flags: flags::NOSCRIPT | flags::ALLOW_BUSY,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::function::function_stats_command),
                summary: "Describe the running function and the available engines",
                since: "7.0.0",
                complexity: "O(1)",
                tips: &[
                    "nondeterministic_output",
                    "request_policy:all_shards",
                    "response_policy:special",
                ],
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the function subcommands",
        since: "7.0.0",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "script",
        group: Group::Scripting,
        arity: -2,
        subcommands: &[
            CommandDef {
                name: "debug",
                group: Group::Scripting,
                arity: 3,
                flags: flags::NOSCRIPT,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::eval::script_debug_command),
                summary: "Choose the debugging mode for scripts run afterwards",
                since: "3.2.0",
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
                                name: "sync",
                                typ: ArgType::PureToken,
                                token: Some("SYNC"),
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
                name: "exists",
                group: Group::Scripting,
                arity: -3,
                flags: flags::NOSCRIPT,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::eval::script_exists_command),
                summary: "Test whether scripts are in the script cache",
                since: "2.6.0",
                complexity: "O(N), N being the number of digests given (O(1) for one).",
                tips: &["request_policy:all_shards", "response_policy:agg_logical_and"],
                args: &[
                    Arg {
                        name: "sha1",
                        typ: ArgType::String,
                        flags: argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "flush",
                group: Group::Scripting,
                arity: -2,
                flags: flags::NOSCRIPT,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::eval::script_flush_command),
                summary: "Empty the script cache",
                since: "2.6.0",
                complexity: "O(N), N being the number of cached scripts.",
                history: &[("6.2.0", "ASYNC and SYNC modes added.")],
                tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
                args: &[
                    Arg {
                        name: "async",
                        typ: ArgType::OneOf,
                        since: Some("6.2.0"),
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg {
                                name: "async",
                                typ: ArgType::PureToken,
                                token: Some("ASYNC"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "sync",
                                typ: ArgType::PureToken,
                                token: Some("SYNC"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Scripting,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::eval::script_help_command),
                summary: "Describe the SCRIPT subcommands",
                since: "5.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "kill",
                group: Group::Scripting,
                arity: 2,
                flags: flags::NOSCRIPT | flags::ALLOW_BUSY,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::eval::script_kill_command),
                summary: "Stop the script that is running now",
                since: "2.6.0",
                complexity: "O(1)",
                tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "load",
                group: Group::Scripting,
                arity: 3,
                flags: flags::NOSCRIPT | flags::STALE,
                acl: acl::SCRIPTING,
                handler: Some(crate::scripting::eval::script_load_command),
                summary: "Put a Lua script in the script cache without running it",
                since: "2.6.0",
                complexity: "O(N), N being the script length in bytes.",
                tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
                args: &[Arg { name: "script", typ: ArgType::String, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the Lua script cache subcommands",
        since: "2.6.0",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
];
