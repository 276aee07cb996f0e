//! The shape of one command, as data.
//!
//! Mirrors `struct redisCommand` plus the `commands/*.json` facts of Redis
//! 7.0: every command (and subcommand) is one `CommandDef` value in a const
//! table per group (see `table/`). Everything that needs to know about a
//! command — the arity gate, COMMAND INFO/DOCS, ACL categories, key
//! extraction for cluster routing, tracking and GETKEYS — reads these values.

use crate::server::{CmdResult, Ctx};

/// A command handler. Replies through `ctx`; returns `Err` for an error
/// reply so that `call` alone writes errors and counts them.
pub type Handler = fn(&mut Ctx) -> CmdResult;

/// Custom key extraction for commands whose keys key specs cannot describe
/// fully (`get_keys_function` in Redis). Appends key positions to `out`.
pub type GetKeysFn = fn(argv: &[&[u8]], out: &mut Vec<KeyPos>);

/// One key found in an argv: its index and the flags of the spec that found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyPos {
    pub pos: usize,
    pub flags: u32,
}

/// Command groups, in Redis's order (COMMAND DOCS `group`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Generic,
    String,
    List,
    Set,
    SortedSet,
    Hash,
    Pubsub,
    Transactions,
    Connection,
    Server,
    Scripting,
    Hyperloglog,
    Cluster,
    Sentinel,
    Geo,
    Stream,
    Bitmap,
    Module,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Generic => "generic",
            Group::String => "string",
            Group::List => "list",
            Group::Set => "set",
            Group::SortedSet => "sorted-set",
            Group::Hash => "hash",
            Group::Pubsub => "pubsub",
            Group::Transactions => "transactions",
            Group::Connection => "connection",
            Group::Server => "server",
            Group::Scripting => "scripting",
            Group::Hyperloglog => "hyperloglog",
            Group::Cluster => "cluster",
            Group::Sentinel => "sentinel",
            Group::Geo => "geo",
            Group::Stream => "stream",
            Group::Bitmap => "bitmap",
            Group::Module => "module",
        }
    }
}

/// Command flags (`CMD_*` in server.h).
pub mod flags {
    pub const WRITE: u64 = 1 << 0;
    pub const READONLY: u64 = 1 << 1;
    pub const DENYOOM: u64 = 1 << 2;
    pub const MODULE: u64 = 1 << 3;
    pub const ADMIN: u64 = 1 << 4;
    pub const PUBSUB: u64 = 1 << 5;
    pub const NOSCRIPT: u64 = 1 << 6;
    pub const BLOCKING: u64 = 1 << 8;
    pub const LOADING: u64 = 1 << 9;
    pub const STALE: u64 = 1 << 10;
    pub const SKIP_MONITOR: u64 = 1 << 11;
    pub const SKIP_SLOWLOG: u64 = 1 << 12;
    pub const ASKING: u64 = 1 << 13;
    pub const FAST: u64 = 1 << 14;
    pub const NO_AUTH: u64 = 1 << 15;
    pub const MAY_REPLICATE: u64 = 1 << 16;
    pub const SENTINEL: u64 = 1 << 17;
    pub const ONLY_SENTINEL: u64 = 1 << 18;
    pub const NO_MANDATORY_KEYS: u64 = 1 << 19;
    pub const PROTECTED: u64 = 1 << 20;
    pub const MODULE_GETKEYS: u64 = 1 << 21;
    pub const MODULE_NO_CLUSTER: u64 = 1 << 22;
    pub const NO_ASYNC_LOADING: u64 = 1 << 23;
    pub const NO_MULTI: u64 = 1 << 24;
    pub const MOVABLE_KEYS: u64 = 1 << 25;
    pub const ALLOW_BUSY: u64 = 1 << 26;
    pub const MODULE_GETCHANNELS: u64 = 1 << 27;
    pub const TOUCHES_ARBITRARY_KEYS: u64 = 1 << 28;

    /// Names as COMMAND INFO prints them, in Redis's order. Flags Redis
    /// hides on purpose (may_replicate, sentinel, protected, ...) are absent.
    pub const REPLY_NAMES: &[(u64, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (MODULE, "module"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLE_KEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// ACL categories (`ACL_CATEGORY_*`). Order and names as `ACL CAT` lists them.
pub mod acl {
    pub const KEYSPACE: u64 = 1 << 0;
    pub const READ: u64 = 1 << 1;
    pub const WRITE: u64 = 1 << 2;
    pub const SET: u64 = 1 << 3;
    pub const SORTEDSET: u64 = 1 << 4;
    pub const LIST: u64 = 1 << 5;
    pub const HASH: u64 = 1 << 6;
    pub const STRING: u64 = 1 << 7;
    pub const BITMAP: u64 = 1 << 8;
    pub const HYPERLOGLOG: u64 = 1 << 9;
    pub const GEO: u64 = 1 << 10;
    pub const STREAM: u64 = 1 << 11;
    pub const PUBSUB: u64 = 1 << 12;
    pub const ADMIN: u64 = 1 << 13;
    pub const FAST: u64 = 1 << 14;
    pub const SLOW: u64 = 1 << 15;
    pub const BLOCKING: u64 = 1 << 16;
    pub const DANGEROUS: u64 = 1 << 17;
    pub const CONNECTION: u64 = 1 << 18;
    pub const TRANSACTION: u64 = 1 << 19;
    pub const SCRIPTING: u64 = 1 << 20;

    pub const NAMES: &[(u64, &str)] = &[
        (KEYSPACE, "keyspace"),
        (READ, "read"),
        (WRITE, "write"),
        (SET, "set"),
        (SORTEDSET, "sortedset"),
        (LIST, "list"),
        (HASH, "hash"),
        (STRING, "string"),
        (BITMAP, "bitmap"),
        (HYPERLOGLOG, "hyperloglog"),
        (GEO, "geo"),
        (STREAM, "stream"),
        (PUBSUB, "pubsub"),
        (ADMIN, "admin"),
        (FAST, "fast"),
        (SLOW, "slow"),
        (BLOCKING, "blocking"),
        (DANGEROUS, "dangerous"),
        (CONNECTION, "connection"),
        (TRANSACTION, "transaction"),
        (SCRIPTING, "scripting"),
    ];
}

/// Key-spec flags (`CMD_KEY_*`).
pub mod keyflags {
    pub const RO: u32 = 1 << 0;
    pub const RW: u32 = 1 << 1;
    pub const OW: u32 = 1 << 2;
    pub const RM: u32 = 1 << 3;
    pub const ACCESS: u32 = 1 << 4;
    pub const UPDATE: u32 = 1 << 5;
    pub const INSERT: u32 = 1 << 6;
    pub const DELETE: u32 = 1 << 7;
    pub const NOT_KEY: u32 = 1 << 8;
    pub const INCOMPLETE: u32 = 1 << 9;
    pub const VARIABLE_FLAGS: u32 = 1 << 10;

    pub const NAMES: &[(u32, &str)] = &[
        (RO, "RO"),
        (RW, "RW"),
        (OW, "OW"),
        (RM, "RM"),
        (ACCESS, "access"),
        (UPDATE, "update"),
        (INSERT, "insert"),
        (DELETE, "delete"),
        (NOT_KEY, "not_key"),
        (INCOMPLETE, "incomplete"),
        (VARIABLE_FLAGS, "variable_flags"),
    ];
}

/// Documentation flags (`CMD_DOC_*`).
pub mod docflags {
    pub const DEPRECATED: u32 = 1 << 0;
    pub const SYSCMD: u32 = 1 << 1;
}

/// Where the search for keys starts.
#[derive(Clone, Copy, Debug)]
pub enum BeginSearch {
    /// A fixed argv index.
    Index(i32),
    /// The argument after the first match of `keyword`, scanning from
    /// `startfrom` (negative: from the end, backwards).
    Keyword {
        keyword: &'static str,
        startfrom: i32,
    },
    Unknown,
}

/// How keys are found once the search has begun.
#[derive(Clone, Copy, Debug)]
pub enum FindKeys {
    /// `lastkey` relative to the first key (-1 = last argument, -2 = one
    /// before it...), `step` between keys, `limit` divides the remaining
    /// args when lastkey is -1 (0 = no limit).
    Range {
        lastkey: i32,
        step: i32,
        limit: i32,
    },
    /// The number of keys is at `keynumidx` (relative to the begin index),
    /// the first key at `firstkey` (relative), then every `step`.
    Keynum {
        keynumidx: i32,
        firstkey: i32,
        step: i32,
    },
    Unknown,
}

#[derive(Clone, Copy, Debug)]
pub struct KeySpec {
    pub notes: Option<&'static str>,
    pub flags: u32,
    pub begin: BeginSearch,
    pub find: FindKeys,
}

/// Argument types for COMMAND DOCS (`redisCommandArgType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    OneOf,
    Block,
}

impl ArgType {
    pub fn name(self) -> &'static str {
        match self {
            ArgType::String => "string",
            ArgType::Integer => "integer",
            ArgType::Double => "double",
            ArgType::Key => "key",
            ArgType::Pattern => "pattern",
            ArgType::UnixTime => "unix-time",
            ArgType::PureToken => "pure-token",
            ArgType::OneOf => "oneof",
            ArgType::Block => "block",
        }
    }
}

/// Argument flags for COMMAND DOCS.
pub mod argflags {
    pub const OPTIONAL: u32 = 1 << 0;
    pub const MULTIPLE: u32 = 1 << 1;
    pub const MULTIPLE_TOKEN: u32 = 1 << 2;
}

/// One argument of a command, for COMMAND DOCS.
#[derive(Clone, Copy, Debug)]
pub struct Arg {
    pub name: &'static str,
    pub typ: ArgType,
    /// Index into the command's key specs, or -1.
    pub key_spec_index: i32,
    pub token: Option<&'static str>,
    pub summary: Option<&'static str>,
    pub since: Option<&'static str>,
    pub deprecated_since: Option<&'static str>,
    pub flags: u32,
    /// Sub-arguments of a `OneOf` or `Block`.
    pub subargs: &'static [Arg],
}

impl Arg {
    pub const DEFAULT: Arg = Arg {
        name: "",
        typ: ArgType::String,
        key_spec_index: -1,
        token: None,
        summary: None,
        since: None,
        deprecated_since: None,
        flags: 0,
        subargs: &[],
    };
}

/// One command or subcommand.
#[derive(Clone, Copy, Debug)]
pub struct CommandDef {
    /// Lower-case name; for a subcommand, only its own part (`"get"` under `config`).
    pub name: &'static str,
    pub group: Group,
    /// Redis arity: N means exactly N argv entries, -N means at least N.
    pub arity: i32,
    pub flags: u64,
    /// Explicit ACL categories; the implicit ones are derived from `flags`.
    pub acl: u64,
    pub key_specs: &'static [KeySpec],
    pub getkeys: Option<GetKeysFn>,
    /// `None` while the command is not implemented: such a command does not
    /// exist for clients (unknown command, absent from COMMAND).
    pub handler: Option<Handler>,
    pub subcommands: &'static [CommandDef],
    pub summary: &'static str,
    pub since: &'static str,
    pub complexity: &'static str,
    pub doc_flags: u32,
    pub deprecated_since: Option<&'static str>,
    pub replaced_by: Option<&'static str>,
    pub history: &'static [(&'static str, &'static str)],
    pub tips: &'static [&'static str],
    pub args: &'static [Arg],
    /// For commands COMMAND DOCS describes without arguments (module
    /// commands, as Redis Stack registers them): the syntax line and the
    /// summary the command reference (docs/commands.md) shows.
    pub ref_syntax: &'static str,
    pub ref_summary: &'static str,
}

impl CommandDef {
    pub const DEFAULT: CommandDef = CommandDef {
        name: "",
        group: Group::Generic,
        arity: 0,
        flags: 0,
        acl: 0,
        key_specs: &[],
        getkeys: None,
        handler: None,
        subcommands: &[],
        summary: "",
        since: "",
        complexity: "",
        doc_flags: 0,
        deprecated_since: None,
        replaced_by: None,
        history: &[],
        tips: &[],
        args: &[],
        ref_syntax: "",
        ref_summary: "",
    };
}

/// Shorthands the tables use to stay one screen per command.
pub const fn ks(flags: u32, begin: BeginSearch, find: FindKeys) -> KeySpec {
    KeySpec {
        notes: None,
        flags,
        begin,
        find,
    }
}

pub const fn ks_notes(notes: &'static str, flags: u32, begin: BeginSearch, find: FindKeys) -> KeySpec {
    KeySpec {
        notes: Some(notes),
        flags,
        begin,
        find,
    }
}

pub const fn index(pos: i32) -> BeginSearch {
    BeginSearch::Index(pos)
}

pub const fn keyword(keyword: &'static str, startfrom: i32) -> BeginSearch {
    BeginSearch::Keyword { keyword, startfrom }
}

pub const fn range(lastkey: i32, step: i32, limit: i32) -> FindKeys {
    FindKeys::Range { lastkey, step, limit }
}

pub const fn keynum(keynumidx: i32, firstkey: i32, step: i32) -> FindKeys {
    FindKeys::Keynum { keynumidx, firstkey, step }
}
