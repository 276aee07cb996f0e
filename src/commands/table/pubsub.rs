//! Publish/subscribe commands (group `pubsub`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "psubscribe",
        group: Group::Pubsub,
        arity: -2,
        flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
        handler: Some(crate::pubsub::psubscribe_command),
        summary: "Subscribe to every channel that matches the given patterns",
        since: "2.0.0",
        complexity: "O(N), N being the number of patterns the client already has.",
        args: &[
            Arg {
                name: "pattern",
                typ: ArgType::Block,
                flags: argflags::MULTIPLE,
                subargs: &[Arg { name: "pattern", typ: ArgType::Pattern, ..Arg::DEFAULT }],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "publish",
        group: Group::Pubsub,
        arity: 3,
        flags: flags::PUBSUB | flags::LOADING | flags::STALE | flags::FAST | flags::MAY_REPLICATE | flags::SENTINEL,
        handler: Some(crate::pubsub::publish_command),
        summary: "Deliver a message to the subscribers of a channel",
        since: "2.0.0",
        complexity: "O(N+M), N being the subscribers of the channel and M the total number of pattern subscriptions.",
        args: &[
            Arg { name: "channel", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "message", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "pubsub",
        group: Group::Pubsub,
        arity: -2,
        subcommands: &[
            CommandDef {
                name: "channels",
                group: Group::Pubsub,
                arity: -2,
                flags: flags::PUBSUB | flags::LOADING | flags::STALE,
                handler: Some(crate::pubsub::pubsub_channels_command),
                summary: "List channels that have subscribers",
                since: "2.8.0",
                complexity: "O(N), N being the number of active channels, assuming short names and patterns.",
                args: &[
                    Arg {
                        name: "pattern",
                        typ: ArgType::Pattern,
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "help",
                group: Group::Pubsub,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                handler: Some(crate::pubsub::pubsub_help_command),
                summary: "Describe the PUBSUB subcommands",
                since: "6.2.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "numpat",
                group: Group::Pubsub,
                arity: 2,
                flags: flags::PUBSUB | flags::LOADING | flags::STALE,
                handler: Some(crate::pubsub::pubsub_numpat_command),
                summary: "Count the distinct patterns subscribed to",
                since: "2.8.0",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "numsub",
                group: Group::Pubsub,
                arity: -2,
                flags: flags::PUBSUB | flags::LOADING | flags::STALE,
                handler: Some(crate::pubsub::pubsub_numsub_command),
                summary: "Count the subscribers of channels",
                since: "2.8.0",
                complexity: "O(N), N being the number of channels asked for.",
                args: &[
                    Arg {
                        name: "channel",
                        typ: ArgType::String,
                        flags: argflags::OPTIONAL | argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "shardchannels",
                group: Group::Pubsub,
                arity: -2,
                flags: flags::PUBSUB | flags::LOADING | flags::STALE,
                handler: Some(crate::pubsub::pubsub_shardchannels_command),
                summary: "List shard channels that have subscribers",
                since: "7.0.0",
                complexity: "O(N), N being the number of active shard channels, assuming short names.",
                args: &[
                    Arg {
                        name: "pattern",
                        typ: ArgType::Pattern,
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
            CommandDef {
                name: "shardnumsub",
                group: Group::Pubsub,
                arity: -2,
                flags: flags::PUBSUB | flags::LOADING | flags::STALE,
                handler: Some(crate::pubsub::pubsub_shardnumsub_command),
                summary: "Count the subscribers of shard channels",
                since: "7.0.0",
                complexity: "O(N), N being the number of shard channels asked for.",
                args: &[
                    Arg {
                        name: "shardchannel",
                        typ: ArgType::String,
                        flags: argflags::OPTIONAL | argflags::MULTIPLE,
                        ..Arg::DEFAULT
                    },
                ],
                ..CommandDef::DEFAULT
            },
        ],
        summary: "Parent of the Pub/Sub introspection subcommands",
        since: "2.8.0",
        complexity: "Varies by subcommand.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "punsubscribe",
        group: Group::Pubsub,
        arity: -1,
        flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
        handler: Some(crate::pubsub::punsubscribe_command),
        summary: "Unsubscribe from pattern subscriptions",
        since: "2.0.0",
        complexity: "O(N+M), N being the patterns the client has and M the total pattern subscriptions of all clients.",
        args: &[
            Arg {
                name: "pattern",
                typ: ArgType::Pattern,
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "spublish",
        group: Group::Pubsub,
        arity: 3,
        flags: flags::PUBSUB | flags::LOADING | flags::STALE | flags::FAST | flags::MAY_REPLICATE,
        key_specs: &[ks(keyflags::NOT_KEY, index(1), range(0, 1, 0))],
        handler: Some(crate::pubsub::spublish_command),
        summary: "Deliver a message to the subscribers of a shard channel",
        since: "7.0.0",
        complexity: "O(N), N being the subscribers of the shard channel.",
        args: &[
            Arg { name: "shardchannel", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "message", typ: ArgType::String, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ssubscribe",
        group: Group::Pubsub,
        arity: -2,
        flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE,
        key_specs: &[ks(keyflags::NOT_KEY, index(1), range(-1, 1, 0))],
        handler: Some(crate::pubsub::ssubscribe_command),
        summary: "Subscribe to shard channels",
        since: "7.0.0",
        complexity: "O(N), N being the number of shard channels given.",
        args: &[
            Arg {
                name: "shardchannel",
                typ: ArgType::String,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "subscribe",
        group: Group::Pubsub,
        arity: -2,
        flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
        handler: Some(crate::pubsub::subscribe_command),
        summary: "Subscribe to channels",
        since: "2.0.0",
        complexity: "O(N), N being the number of channels given.",
        args: &[
            Arg {
                name: "channel",
                typ: ArgType::String,
                flags: argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "sunsubscribe",
        group: Group::Pubsub,
        arity: -1,
        flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE,
        key_specs: &[ks(keyflags::NOT_KEY, index(1), range(-1, 1, 0))],
        handler: Some(crate::pubsub::sunsubscribe_command),
        summary: "Unsubscribe from shard channels",
        since: "7.0.0",
        complexity: "O(N), N being the number of clients subscribed to a shard channel.",
        args: &[
            Arg {
                name: "shardchannel",
                typ: ArgType::String,
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "unsubscribe",
        group: Group::Pubsub,
        arity: -1,
        flags: flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SENTINEL,
        handler: Some(crate::pubsub::unsubscribe_command),
        summary: "Unsubscribe from channels",
        since: "2.0.0",
        complexity: "O(N), N being the number of clients subscribed to a channel.",
        args: &[
            Arg {
                name: "channel",
                typ: ArgType::String,
                flags: argflags::OPTIONAL | argflags::MULTIPLE,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
];
