//! Redis Cluster commands (group `cluster`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "asking",
        group: Group::Cluster,
        arity: 1,
        flags: flags::FAST,
        acl: acl::CONNECTION,
        handler: Some(crate::cluster::cluster_disabled_command),
        summary: "Tell a cluster node that the next command follows an -ASK redirection",
        since: "3.0.0",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cluster",
        group: Group::Cluster,
        arity: -2,
        subcommands: &[
            CommandDef {
                name: "addslots",
                group: Group::Cluster,
                arity: -3,
                flags: flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Make the node serve the given hash slots",
                since: "3.0.0",
                complexity: "O(N), N being the number of slot arguments.",
                args: &[
                    Arg {
                        name: "slot",
                        typ: ArgType::Integer,
                        flags: argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "addslotsrange",
                group: Group::Cluster,
                arity: -4,
                flags: flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Make the node serve the given ranges of hash slots",
                since: "7.0.0",
                complexity: "O(N), N being the number of slots covered by the ranges.",
                args: &[
                    Arg {
                        name: "start-slot_end-slot",
                        typ: ArgType::Block,
                        flags: argflags::MULTIPLE,
                        subargs: &[
                            Arg { name: "start-slot", typ: ArgType::Integer, ..Arg::DEFAULT },
                            Arg { name: "end-slot", typ: ArgType::Integer, ..Arg::DEFAULT },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "bumpepoch",
                group: Group::Cluster,
                arity: 2,
                flags: flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Increase the node's configuration epoch",
                since: "3.0.0",
                complexity: "O(1)",
                tips: &["nondeterministic_output"],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "count-failure-reports",
                group: Group::Cluster,
                arity: 3,
                flags: flags::ADMIN | flags::STALE,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Count the active failure reports about a node",
                since: "3.0.0",
                complexity: "O(N), N being the number of failure reports.",
                tips: &["nondeterministic_output"],
                args: &[Arg { name: "node-id", typ: ArgType::String, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "countkeysinslot",
                group: Group::Cluster,
                arity: 3,
                flags: flags::STALE,
                handler: Some(crate::cluster::cluster_countkeysinslot_command),
                summary: "Count the local keys in a hash slot",
                since: "3.0.0",
                complexity: "O(1)",
                args: &[Arg { name: "slot", typ: ArgType::Integer, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "delslots",
                group: Group::Cluster,
                arity: -3,
                flags: flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Stop the node from serving the given hash slots",
                since: "3.0.0",
                complexity: "O(N), N being the number of slot arguments.",
                args: &[
                    Arg {
                        name: "slot",
                        typ: ArgType::Integer,
                        flags: argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "delslotsrange",
                group: Group::Cluster,
                arity: -4,
                flags: flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Stop the node from serving the given ranges of hash slots",
                since: "7.0.0",
                complexity: "O(N), N being the number of slots covered by the ranges.",
                args: &[
                    Arg {
                        name: "start-slot_end-slot",
                        typ: ArgType::Block,
                        flags: argflags::MULTIPLE,
                        subargs: &[
                            Arg { name: "start-slot", typ: ArgType::Integer, ..Arg::DEFAULT },
                            Arg { name: "end-slot", typ: ArgType::Integer, ..Arg::DEFAULT },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "failover",
                group: Group::Cluster,
                arity: -2,
                flags: flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Make a replica take over from its master by manual failover",
                since: "3.0.0",
                complexity: "O(1)",
                args: &[
                    Arg {
                        name: "options",
                        typ: ArgType::OneOf,
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg {
                                name: "force",
                                typ: ArgType::PureToken,
                                token: Some("FORCE"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "takeover",
                                typ: ArgType::PureToken,
                                token: Some("TAKEOVER"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "flushslots",
                group: Group::Cluster,
                arity: 2,
                flags: flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Clear the node's own slot assignments",
                since: "3.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "forget",
                group: Group::Cluster,
                arity: 3,
                flags: flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Remove a node from this node's view of the cluster",
                since: "3.0.0",
                complexity: "O(1)",
                args: &[Arg { name: "node-id", typ: ArgType::String, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "getkeysinslot",
                group: Group::Cluster,
                arity: 4,
                flags: flags::STALE,
                handler: Some(crate::cluster::cluster_getkeysinslot_command),
                summary: "Return names of local keys in a hash slot",
                since: "3.0.0",
                complexity: "O(log(N)), N being the number of keys asked for.",
                tips: &["nondeterministic_output"],
                args: &[
                    Arg { name: "slot", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg { name: "count", typ: ArgType::Integer, ..Arg::DEFAULT },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Cluster,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Describe the CLUSTER subcommands",
                since: "5.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "info",
                group: Group::Cluster,
                arity: 2,
                flags: flags::STALE,
                handler: Some(crate::cluster::cluster_info_command),
                summary: "Report the cluster state as seen by this node",
                since: "3.0.0",
                complexity: "O(1)",
                tips: &["nondeterministic_output"],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "keyslot",
                group: Group::Cluster,
                arity: 3,
                flags: flags::STALE,
                handler: Some(crate::cluster::cluster_keyslot_command),
                summary: "Compute the hash slot of a key",
                since: "3.0.0",
                complexity: "O(N), N being the key length in bytes.",
                args: &[Arg { name: "key", typ: ArgType::String, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "links",
                group: Group::Cluster,
                arity: 2,
                flags: flags::STALE,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "List the TCP links to and from peer nodes",
                since: "7.0.0",
                complexity: "O(N), N being the number of cluster nodes.",
                tips: &["nondeterministic_output"],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "meet",
                group: Group::Cluster,
                arity: -4,
                flags: flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Make the node handshake with another node and add it to the cluster",
                since: "3.0.0",
                complexity: "O(1)",
                history: &[("4.0.0", "cluster_bus_port argument added.")],
                args: &[
                    Arg { name: "ip", typ: ArgType::String, ..Arg::DEFAULT },
                    Arg { name: "port", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg {
                        name: "cluster_bus_port",
                        typ: ArgType::Integer,
                        since: Some("4.0.0"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "myid",
                group: Group::Cluster,
                arity: 2,
                flags: flags::STALE,
                handler: Some(crate::cluster::cluster_myid_command),
                summary: "Return the ID of this node",
                since: "3.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "nodes",
                group: Group::Cluster,
                arity: 2,
                flags: flags::STALE,
                handler: Some(crate::cluster::cluster_nodes_command),
                summary: "Return the node's view of the cluster configuration",
                since: "3.0.0",
                complexity: "O(N), N being the number of cluster nodes.",
                tips: &["nondeterministic_output"],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "replicas",
                group: Group::Cluster,
                arity: 3,
                flags: flags::ADMIN | flags::STALE,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "List the replicas of a master node",
                since: "5.0.0",
                complexity: "O(1)",
                tips: &["nondeterministic_output"],
                args: &[Arg { name: "node-id", typ: ArgType::String, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "replicate",
                group: Group::Cluster,
                arity: 3,
                flags: flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Turn the node into a replica of the given master",
                since: "3.0.0",
                complexity: "O(1)",
                args: &[Arg { name: "node-id", typ: ArgType::String, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "reset",
                group: Group::Cluster,
                arity: -2,
                flags: flags::ADMIN | flags::NOSCRIPT | flags::STALE,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Reset the cluster state of the node",
                since: "3.0.0",
                complexity: "O(N), N being the number of known nodes; may also flush all data.",
                args: &[
                    Arg {
                        name: "hard_soft",
                        typ: ArgType::OneOf,
                        flags: argflags::OPTIONAL,
                        subargs: &[
                            Arg {
                                name: "hard",
                                typ: ArgType::PureToken,
                                token: Some("HARD"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "soft",
                                typ: ArgType::PureToken,
                                token: Some("SOFT"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "saveconfig",
                group: Group::Cluster,
                arity: 2,
                flags: flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Persist the cluster configuration to disk",
                since: "3.0.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "set-config-epoch",
                group: Group::Cluster,
                arity: 3,
                flags: flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Assign the configuration epoch of a fresh node",
                since: "3.0.0",
                complexity: "O(1)",
                args: &[Arg { name: "config-epoch", typ: ArgType::Integer, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "setslot",
                group: Group::Cluster,
                arity: -4,
                flags: flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Change the state of a hash slot on the node",
                since: "3.0.0",
                complexity: "O(1)",
                args: &[
                    Arg { name: "slot", typ: ArgType::Integer, ..Arg::DEFAULT },
                    Arg {
                        name: "subcommand",
                        typ: ArgType::OneOf,
                        subargs: &[
                            Arg {
                                name: "node-id",
                                typ: ArgType::String,
                                token: Some("IMPORTING"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "node-id",
                                typ: ArgType::String,
                                token: Some("MIGRATING"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "node-id",
                                typ: ArgType::String,
                                token: Some("NODE"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "stable",
                                typ: ArgType::PureToken,
                                token: Some("STABLE"),
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "shards",
                group: Group::Cluster,
                arity: 2,
                flags: flags::STALE,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Describe the shards of the cluster and their slot ranges",
                since: "7.0.0",
                complexity: "O(N), N being the number of cluster nodes.",
                tips: &["nondeterministic_output"],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "slaves",
                group: Group::Cluster,
                arity: 3,
                flags: flags::ADMIN | flags::STALE,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "List the replicas of a master node (old name of CLUSTER REPLICAS)",
                since: "3.0.0",
                complexity: "O(1)",
                doc_flags: docflags::DEPRECATED,
                deprecated_since: Some("5.0.0"),
                replaced_by: Some("`CLUSTER REPLICAS`"),
                tips: &["nondeterministic_output"],
                args: &[Arg { name: "node-id", typ: ArgType::String, ..Arg::DEFAULT }],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "slots",
                group: Group::Cluster,
                arity: 2,
                flags: flags::STALE,
                handler: Some(crate::cluster::cluster_disabled_command),
                summary: "Map hash slot ranges to nodes",
                since: "3.0.0",
                complexity: "O(N), N being the number of cluster nodes.",
                doc_flags: docflags::DEPRECATED,
                deprecated_since: Some("7.0.0"),
                replaced_by: Some("`CLUSTER SHARDS`"),
                history: &[
                    ("4.0.0", "Node IDs included."),
                    ("7.0.0", "Extra networking metadata included."),
                ],
                tips: &["nondeterministic_output"],
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the cluster subcommands",
        since: "3.0.0",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "readonly",
        group: Group::Cluster,
        arity: 1,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::CONNECTION,
        handler: Some(crate::cluster::cluster_disabled_command),
        summary: "Allow reads from a cluster replica on this connection",
        since: "3.0.0",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "readwrite",
        group: Group::Cluster,
        arity: 1,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::CONNECTION,
        handler: Some(crate::cluster::cluster_disabled_command),
        summary: "Stop allowing reads from a cluster replica on this connection",
        since: "3.0.0",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
];
