//! Value tables of the enum parameters (`configEnum` arrays in config.c),
//! with the codes the server compares against.

pub const LOGLEVEL_DEBUG: i32 = 0;
pub const LOGLEVEL_VERBOSE: i32 = 1;
pub const LOGLEVEL_NOTICE: i32 = 2;
pub const LOGLEVEL_WARNING: i32 = 3;
pub const LOGLEVEL_ENUM: &[(&str, i32)] = &[
    ("debug", LOGLEVEL_DEBUG),
    ("verbose", LOGLEVEL_VERBOSE),
    ("notice", LOGLEVEL_NOTICE),
    ("warning", LOGLEVEL_WARNING),
];

pub const MAXMEMORY_FLAG_LRU: i32 = 1 << 0;
pub const MAXMEMORY_FLAG_LFU: i32 = 1 << 1;
pub const MAXMEMORY_FLAG_ALLKEYS: i32 = 1 << 2;
pub const MAXMEMORY_VOLATILE_LRU: i32 = MAXMEMORY_FLAG_LRU;
pub const MAXMEMORY_VOLATILE_LFU: i32 = (1 << 8) | MAXMEMORY_FLAG_LFU;
pub const MAXMEMORY_VOLATILE_TTL: i32 = 2 << 8;
pub const MAXMEMORY_VOLATILE_RANDOM: i32 = 3 << 8;
pub const MAXMEMORY_ALLKEYS_LRU: i32 = (4 << 8) | MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_ALLKEYS;
pub const MAXMEMORY_ALLKEYS_LFU: i32 = (5 << 8) | MAXMEMORY_FLAG_LFU | MAXMEMORY_FLAG_ALLKEYS;
pub const MAXMEMORY_ALLKEYS_RANDOM: i32 = (6 << 8) | MAXMEMORY_FLAG_ALLKEYS;
pub const MAXMEMORY_NO_EVICTION: i32 = 7 << 8;
pub const MAXMEMORY_POLICY_ENUM: &[(&str, i32)] = &[
    ("volatile-lru", MAXMEMORY_VOLATILE_LRU),
    ("volatile-lfu", MAXMEMORY_VOLATILE_LFU),
    ("volatile-random", MAXMEMORY_VOLATILE_RANDOM),
    ("volatile-ttl", MAXMEMORY_VOLATILE_TTL),
    ("allkeys-lru", MAXMEMORY_ALLKEYS_LRU),
    ("allkeys-lfu", MAXMEMORY_ALLKEYS_LFU),
    ("allkeys-random", MAXMEMORY_ALLKEYS_RANDOM),
    ("noeviction", MAXMEMORY_NO_EVICTION),
];

pub const SYSLOG_FACILITY_ENUM: &[(&str, i32)] = &[
    ("user", libc::LOG_USER),
    ("local0", libc::LOG_LOCAL0),
    ("local1", libc::LOG_LOCAL1),
    ("local2", libc::LOG_LOCAL2),
    ("local3", libc::LOG_LOCAL3),
    ("local4", libc::LOG_LOCAL4),
    ("local5", libc::LOG_LOCAL5),
    ("local6", libc::LOG_LOCAL6),
    ("local7", libc::LOG_LOCAL7),
];

pub const SUPERVISED_MODE_ENUM: &[(&str, i32)] = &[("upstart", 1), ("systemd", 2), ("auto", 3), ("no", 0)];

pub const AOF_FSYNC_NO: i32 = 0;
pub const AOF_FSYNC_ALWAYS: i32 = 1;
pub const AOF_FSYNC_EVERYSEC: i32 = 2;
pub const AOF_FSYNC_ENUM: &[(&str, i32)] = &[("everysec", AOF_FSYNC_EVERYSEC), ("always", AOF_FSYNC_ALWAYS), ("no", AOF_FSYNC_NO)];

pub const SHUTDOWN_NOFLAGS: i32 = 0;
pub const SHUTDOWN_SAVE: i32 = 1;
pub const SHUTDOWN_NOSAVE: i32 = 2;
pub const SHUTDOWN_NOW: i32 = 4;
pub const SHUTDOWN_FORCE: i32 = 8;
pub const SHUTDOWN_ON_SIG_ENUM: &[(&str, i32)] = &[
    ("default", SHUTDOWN_NOFLAGS),
    ("save", SHUTDOWN_SAVE),
    ("nosave", SHUTDOWN_NOSAVE),
    ("now", SHUTDOWN_NOW),
    ("force", SHUTDOWN_FORCE),
];

pub const REPL_DISKLESS_LOAD_ENUM: &[(&str, i32)] = &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];

pub const TLS_AUTH_CLIENTS_ENUM: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("optional", 2)];

pub const OOM_SCORE_ADJ_ENUM: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];

pub const ACL_PUBSUB_DEFAULT_ENUM: &[(&str, i32)] = &[("allchannels", 1), ("resetchannels", 0)];

pub const SANITIZE_DUMP_PAYLOAD_ENUM: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("clients", 2)];

pub const PROTECTED_ACTION_NO: i32 = 0;
pub const PROTECTED_ACTION_YES: i32 = 1;
pub const PROTECTED_ACTION_LOCAL: i32 = 2;
pub const PROTECTED_ACTION_ENUM: &[(&str, i32)] = &[
    ("no", PROTECTED_ACTION_NO),
    ("yes", PROTECTED_ACTION_YES),
    ("local", PROTECTED_ACTION_LOCAL),
];

pub const CLUSTER_PREFERRED_ENDPOINT_TYPE_ENUM: &[(&str, i32)] = &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];

pub const PROPAGATION_ERROR_BEHAVIOR_ENUM: &[(&str, i32)] = &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];
