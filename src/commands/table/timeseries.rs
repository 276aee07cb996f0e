//! The time-series commands (RedisTimeSeries 1.12, module `timeseries`).
//!
//! As the module registers them: group `module`, arity -1 (the handlers
//! check their arguments), the `module` flag, "write deny-oom" or
//! "readonly", one key spec (first key 1) with full access. TS.MADD, with
//! its key/timestamp/value triples, steps by 3. Summaries stay comments.

use crate::commands::def::*;
use crate::stack::timeseries::commands as ts;

const FULL: u32 = keyflags::RW | keyflags::ACCESS | keyflags::UPDATE;
const WRITE: u64 = flags::WRITE | flags::DENYOOM | flags::MODULE;
const READ: u64 = flags::READONLY | flags::MODULE;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    // Append a sample to a series, creating it if needed.
    CommandDef {
        name: "ts.add",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_add_command),
        ..CommandDef::DEFAULT
    },
    // Change a series' retention, chunk size, duplicate policy, labels or IGNORE.
    CommandDef {
        name: "ts.alter",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_alter_command),
        ..CommandDef::DEFAULT
    },
    // Create a series.
    CommandDef {
        name: "ts.create",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_create_command),
        ..CommandDef::DEFAULT
    },
    // Add a sample equal to the last value minus a decrement.
    CommandDef {
        name: "ts.decrby",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_incrby_command),
        ..CommandDef::DEFAULT
    },
    // Delete the samples in a time range.
    CommandDef {
        name: "ts.del",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_del_command),
        ..CommandDef::DEFAULT
    },
    // Return the last sample.
    CommandDef {
        name: "ts.get",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_get_command),
        ..CommandDef::DEFAULT
    },
    // Add a sample equal to the last value plus an increment.
    CommandDef {
        name: "ts.incrby",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_incrby_command),
        ..CommandDef::DEFAULT
    },
    // Return a series' metadata and statistics.
    CommandDef {
        name: "ts.info",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_info_command),
        ..CommandDef::DEFAULT
    },
    // Append samples to several series.
    CommandDef {
        name: "ts.madd",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(-1, 3, 0))],
        handler: Some(ts::ts_madd_command),
        ..CommandDef::DEFAULT
    },
    // Return the last sample of every series a filter selects.
    CommandDef {
        name: "ts.mget",
        group: Group::Module,
        arity: -1,
        flags: READ,
        handler: Some(ts::ts_mget_command),
        ..CommandDef::DEFAULT
    },
    // Return samples in a time range from every series a filter selects.
    CommandDef {
        name: "ts.mrange",
        group: Group::Module,
        arity: -1,
        flags: READ,
        handler: Some(ts::ts_mrange_command),
        ..CommandDef::DEFAULT
    },
    // Return samples newest first from every series a filter selects.
    CommandDef {
        name: "ts.mrevrange",
        group: Group::Module,
        arity: -1,
        flags: READ,
        handler: Some(ts::ts_mrange_command),
        ..CommandDef::DEFAULT
    },
    // Return the keys of the series a filter selects.
    CommandDef {
        name: "ts.queryindex",
        group: Group::Module,
        arity: -1,
        flags: READ,
        handler: Some(ts::ts_queryindex_command),
        ..CommandDef::DEFAULT
    },
    // Return samples (or aggregated buckets) in a time range.
    CommandDef {
        name: "ts.range",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_range_command),
        ..CommandDef::DEFAULT
    },
    // Return samples in a time range, newest first.
    CommandDef {
        name: "ts.revrange",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(ts::ts_range_command),
        ..CommandDef::DEFAULT
    },
];
