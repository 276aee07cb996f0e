//! The time-series commands (RedisTimeSeries 1.12, module `timeseries`).
//!
//! As the module registers them: group `module`, arity -1 (the handlers
//! check their arguments), the `module` flag, "write deny-oom" or
//! "readonly", one key spec (first key 1) with full access. TS.MADD, with
//! its key/timestamp/value triples, steps by 3. The syntax lines and
//! summaries (`ref_syntax`, `ref_summary`) are ours, for docs/commands.md:
//! COMMAND DOCS of a module command carries none in Redis.

use crate::commands::def::*;
use crate::stack::timeseries::commands as ts;

const FULL: u32 = keyflags::RW | keyflags::ACCESS | keyflags::UPDATE;
const WRITE: u64 = flags::WRITE | flags::DENYOOM | flags::MODULE;
const READ: u64 = flags::READONLY | flags::MODULE;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "ts.add",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_add_command),
        ref_syntax: "TS.ADD key timestamp value [RETENTION retentionPeriod] [ENCODING <COMPRESSED | UNCOMPRESSED>] [CHUNK_SIZE size] [DUPLICATE_POLICY policy] [ON_DUPLICATE policy_ovr] [IGNORE ignoreMaxTimediff ignoreMaxValDiff] [LABELS label value [label value ...]]",
        ref_summary: "Append a sample to a series, creating it if needed.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.alter",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_alter_command),
        ref_syntax: "TS.ALTER key [RETENTION retentionPeriod] [CHUNK_SIZE size] [DUPLICATE_POLICY policy] [IGNORE ignoreMaxTimediff ignoreMaxValDiff] [LABELS [label value ...]]",
        ref_summary: "Change a series' retention, chunk size, duplicate policy, labels or IGNORE.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.create",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_create_command),
        ref_syntax: "TS.CREATE key [RETENTION retentionPeriod] [ENCODING <COMPRESSED | UNCOMPRESSED>] [CHUNK_SIZE size] [DUPLICATE_POLICY policy] [IGNORE ignoreMaxTimediff ignoreMaxValDiff] [LABELS label value [label value ...]]",
        ref_summary: "Create a series.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.decrby",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_incrby_command),
        ref_syntax: "TS.DECRBY key subtrahend [TIMESTAMP timestamp] [RETENTION retentionPeriod] [ENCODING <COMPRESSED | UNCOMPRESSED>] [CHUNK_SIZE size] [DUPLICATE_POLICY policy] [IGNORE ignoreMaxTimediff ignoreMaxValDiff] [LABELS label value [label value ...]]",
        ref_summary: "Add a sample equal to the last value minus a decrement.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.del",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_del_command),
        ref_syntax: "TS.DEL key fromTimestamp toTimestamp",
        ref_summary: "Delete the samples in a time range.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.get",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_get_command),
        ref_syntax: "TS.GET key [LATEST]",
        ref_summary: "Return the last sample.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.incrby",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_incrby_command),
        ref_syntax: "TS.INCRBY key addend [TIMESTAMP timestamp] [RETENTION retentionPeriod] [ENCODING <COMPRESSED | UNCOMPRESSED>] [CHUNK_SIZE size] [DUPLICATE_POLICY policy] [IGNORE ignoreMaxTimediff ignoreMaxValDiff] [LABELS label value [label value ...]]",
        ref_summary: "Add a sample equal to the last value plus an increment.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.info",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_info_command),
        ref_syntax: "TS.INFO key [DEBUG]",
        ref_summary: "Return a series' metadata and statistics.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.madd",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(-1, 3, 0))],
        handler: Some(ts::ts_madd_command),
        ref_syntax: "TS.MADD key timestamp value [key timestamp value ...]",
        ref_summary: "Append samples to several series.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.mget",
        group: Group::Module,
        arity: -1,
        flags: READ,
        handler: Some(ts::ts_mget_command),
        ref_syntax: "TS.MGET [LATEST] [WITHLABELS | SELECTED_LABELS label [label ...]] FILTER filterExpr [filterExpr ...]",
        ref_summary: "Return the last sample of every series a filter selects.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.mrange",
        group: Group::Module,
        arity: -1,
        flags: READ,
        handler: Some(ts::ts_mrange_command),
        ref_syntax: "TS.MRANGE fromTimestamp toTimestamp [LATEST] [FILTER_BY_TS ts [ts ...]] [FILTER_BY_VALUE min max] [WITHLABELS | SELECTED_LABELS label [label ...]] [COUNT count] [[ALIGN align] AGGREGATION aggregator bucketDuration [BUCKETTIMESTAMP bt] [EMPTY]] FILTER filterExpr [filterExpr ...] [GROUPBY label REDUCE reducer]",
        ref_summary: "Return samples in a time range from every series a filter selects.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.mrevrange",
        group: Group::Module,
        arity: -1,
        flags: READ,
        handler: Some(ts::ts_mrange_command),
        ref_syntax: "TS.MREVRANGE fromTimestamp toTimestamp [LATEST] [FILTER_BY_TS ts [ts ...]] [FILTER_BY_VALUE min max] [WITHLABELS | SELECTED_LABELS label [label ...]] [COUNT count] [[ALIGN align] AGGREGATION aggregator bucketDuration [BUCKETTIMESTAMP bt] [EMPTY]] FILTER filterExpr [filterExpr ...] [GROUPBY label REDUCE reducer]",
        ref_summary: "Return samples newest first from every series a filter selects.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.queryindex",
        group: Group::Module,
        arity: -1,
        flags: READ,
        handler: Some(ts::ts_queryindex_command),
        ref_syntax: "TS.QUERYINDEX filterExpr [filterExpr ...]",
        ref_summary: "Return the keys of the series a filter selects.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.range",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_range_command),
        ref_syntax: "TS.RANGE key fromTimestamp toTimestamp [LATEST] [FILTER_BY_TS ts [ts ...]] [FILTER_BY_VALUE min max] [COUNT count] [[ALIGN align] AGGREGATION aggregator bucketDuration [BUCKETTIMESTAMP bt] [EMPTY]]",
        ref_summary: "Return samples (or aggregated buckets) in a time range.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "ts.revrange",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_range_command),
        ref_syntax: "TS.REVRANGE key fromTimestamp toTimestamp [LATEST] [FILTER_BY_TS ts [ts ...]] [FILTER_BY_VALUE min max] [COUNT count] [[ALIGN align] AGGREGATION aggregator bucketDuration [BUCKETTIMESTAMP bt] [EMPTY]]",
        ref_summary: "Return samples in a time range, newest first.",
        ..CommandDef::DEFAULT
    },
];
