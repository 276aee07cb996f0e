//! The probabilistic commands (RedisBloom 2.8, module `bf`).
//!
//! As the module registers them (`RedisModule_CreateCommand` with key
//! triple 1,1,1): group `module`, arity -1 (the handlers check their
//! arguments and answer with the module SDK's errors), the `module` flag,
//! "write deny-oom" or "readonly fast" (CF.DEL "write fast", TOPK.COUNT "write"; CF.COMPACT is
//! registered read-only although it moves fingerprints), one key spec with full access, ACL
//! categories derived from the flags only. The summaries are ours and stay
//! comments: COMMAND DOCS of a module command carries none in Redis.

use crate::commands::def::*;
use crate::stack::bloom::commands as bf;
use crate::stack::cms::commands as cms;
use crate::stack::cuckoo::commands as cf;
use crate::stack::tdigest::commands as td;
use crate::stack::topk::commands as topk;

/// `CMD_KEY_FULL_ACCESS`: what Redis gives a module command's key triple.
const FULL: u32 = keyflags::RW | keyflags::ACCESS | keyflags::UPDATE;
const WRITE: u64 = flags::WRITE | flags::DENYOOM | flags::MODULE;
/// TOPK.COUNT is registered "write" only.
const WRITE_ONLY: u64 = flags::WRITE | flags::MODULE;
const READ: u64 = flags::READONLY | flags::FAST | flags::MODULE;
/// TDIGEST's queries are registered "readonly" only (`RMUtil_RegisterReadCmd`).
const READ_SLOW: u64 = flags::READONLY | flags::MODULE;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    // Add an item to a Bloom filter, creating it if needed.
    CommandDef {
        name: "bf.add",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_add_command),
        ..CommandDef::DEFAULT
    },
    // Return the number of items added to a Bloom filter.
    CommandDef {
        name: "bf.card",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_card_command),
        ..CommandDef::DEFAULT
    },
    // Describe each link of a Bloom filter.
    CommandDef {
        name: "bf.debug",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_debug_command),
        ..CommandDef::DEFAULT
    },
    // Check whether an item may be in a Bloom filter.
    CommandDef {
        name: "bf.exists",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_exists_command),
        ..CommandDef::DEFAULT
    },
    // Return a Bloom filter's parameters and counts.
    CommandDef {
        name: "bf.info",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_info_command),
        ..CommandDef::DEFAULT
    },
    // Add items to a Bloom filter, creating it with the given parameters if needed.
    CommandDef {
        name: "bf.insert",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_insert_command),
        ..CommandDef::DEFAULT
    },
    // Restore part of a Bloom filter saved with BF.SCANDUMP.
    CommandDef {
        name: "bf.loadchunk",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_loadchunk_command),
        ..CommandDef::DEFAULT
    },
    // Add several items to a Bloom filter, creating it if needed.
    CommandDef {
        name: "bf.madd",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_add_command),
        ..CommandDef::DEFAULT
    },
    // Check whether each of several items may be in a Bloom filter.
    CommandDef {
        name: "bf.mexists",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_exists_command),
        ..CommandDef::DEFAULT
    },
    // Create an empty Bloom filter with the given error rate and capacity.
    CommandDef {
        name: "bf.reserve",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_reserve_command),
        ..CommandDef::DEFAULT
    },
    // Save a Bloom filter incrementally, one chunk per call.
    CommandDef {
        name: "bf.scandump",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_scandump_command),
        ..CommandDef::DEFAULT
    },
    // Add an item to a cuckoo filter, creating it if needed.
    CommandDef {
        name: "cf.add",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_add_command),
        ..CommandDef::DEFAULT
    },
    // Add an item to a cuckoo filter unless it may be there already.
    CommandDef {
        name: "cf.addnx",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_add_command),
        ..CommandDef::DEFAULT
    },
    // Move items into older sub-filters and free emptied ones.
    CommandDef {
        name: "cf.compact",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_compact_command),
        ..CommandDef::DEFAULT
    },
    // Count how many times an item may have been added to a cuckoo filter.
    CommandDef {
        name: "cf.count",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_exists_command),
        ..CommandDef::DEFAULT
    },
    // Describe a cuckoo filter's parameters.
    CommandDef {
        name: "cf.debug",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_debug_command),
        ..CommandDef::DEFAULT
    },
    // Remove one occurrence of an item from a cuckoo filter.
    CommandDef {
        name: "cf.del",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::FAST | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_del_command),
        ..CommandDef::DEFAULT
    },
    // Check whether an item may be in a cuckoo filter.
    CommandDef {
        name: "cf.exists",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_exists_command),
        ..CommandDef::DEFAULT
    },
    // Return a cuckoo filter's parameters and counts.
    CommandDef {
        name: "cf.info",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_info_command),
        ..CommandDef::DEFAULT
    },
    // Add items to a cuckoo filter, creating it with the given capacity if needed.
    CommandDef {
        name: "cf.insert",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_insert_command),
        ..CommandDef::DEFAULT
    },
    // Add items that may not be there yet to a cuckoo filter.
    CommandDef {
        name: "cf.insertnx",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_insert_command),
        ..CommandDef::DEFAULT
    },
    // Restore part of a cuckoo filter saved with CF.SCANDUMP.
    CommandDef {
        name: "cf.loadchunk",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_loadchunk_command),
        ..CommandDef::DEFAULT
    },
    // Check whether each of several items may be in a cuckoo filter.
    CommandDef {
        name: "cf.mexists",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_exists_command),
        ..CommandDef::DEFAULT
    },
    // Create an empty cuckoo filter with the given capacity and parameters.
    CommandDef {
        name: "cf.reserve",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_reserve_command),
        ..CommandDef::DEFAULT
    },
    // Save a cuckoo filter incrementally, one chunk per call.
    CommandDef {
        name: "cf.scandump",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_scandump_command),
        ..CommandDef::DEFAULT
    },
    // Increase items' counts in a count-min sketch.
    CommandDef {
        name: "cms.incrby",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cms::cms_incrby_command),
        ..CommandDef::DEFAULT
    },
    // Return a count-min sketch's width, depth and total count.
    CommandDef {
        name: "cms.info",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cms::cms_info_command),
        ..CommandDef::DEFAULT
    },
    // Create a count-min sketch of the given width and depth.
    CommandDef {
        name: "cms.initbydim",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cms::cms_init_command),
        ..CommandDef::DEFAULT
    },
    // Create a count-min sketch sized for an error bound and probability.
    CommandDef {
        name: "cms.initbyprob",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cms::cms_init_command),
        ..CommandDef::DEFAULT
    },
    // Merge weighted count-min sketches into an existing one.
    CommandDef {
        name: "cms.merge",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cms::cms_merge_command),
        ..CommandDef::DEFAULT
    },
    // Return items' estimated counts in a count-min sketch.
    CommandDef {
        name: "cms.query",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cms::cms_query_command),
        ..CommandDef::DEFAULT
    },
    // Add items to a Top-K list.
    CommandDef {
        name: "topk.add",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_add_command),
        ..CommandDef::DEFAULT
    },
    // Return items' estimated counts in a Top-K list.
    CommandDef {
        name: "topk.count",
        group: Group::Module,
        arity: -1,
        flags: WRITE_ONLY,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_count_command),
        ..CommandDef::DEFAULT
    },
    // Increase items' counts in a Top-K list.
    CommandDef {
        name: "topk.incrby",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_incrby_command),
        ..CommandDef::DEFAULT
    },
    // Return a Top-K list's k, width, depth and decay.
    CommandDef {
        name: "topk.info",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_info_command),
        ..CommandDef::DEFAULT
    },
    // Return the items of a Top-K list, optionally with their counts.
    CommandDef {
        name: "topk.list",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_list_command),
        ..CommandDef::DEFAULT
    },
    // Check whether items are in a Top-K list.
    CommandDef {
        name: "topk.query",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_query_command),
        ..CommandDef::DEFAULT
    },
    // Create an empty Top-K list.
    CommandDef {
        name: "topk.reserve",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_reserve_command),
        ..CommandDef::DEFAULT
    },
    // Add samples to a t-digest.
    CommandDef {
        name: "tdigest.add",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_add_command),
        ..CommandDef::DEFAULT
    },
    // Estimate the values at the given ranks.
    CommandDef {
        name: "tdigest.byrank",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_byrank_command),
        ..CommandDef::DEFAULT
    },
    // Estimate the values at the given reverse ranks.
    CommandDef {
        name: "tdigest.byrevrank",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_byrank_command),
        ..CommandDef::DEFAULT
    },
    // Estimate the fraction of samples at or below each value.
    CommandDef {
        name: "tdigest.cdf",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_cdf_command),
        ..CommandDef::DEFAULT
    },
    // Create an empty t-digest.
    CommandDef {
        name: "tdigest.create",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_create_command),
        ..CommandDef::DEFAULT
    },
    // Describe a t-digest's parameters and counts.
    CommandDef {
        name: "tdigest.info",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_info_command),
        ..CommandDef::DEFAULT
    },
    // Return the largest sample of a t-digest.
    CommandDef {
        name: "tdigest.max",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_minmax_command),
        ..CommandDef::DEFAULT
    },
    // Merge t-digests into a destination.
    CommandDef {
        name: "tdigest.merge",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_merge_command),
        ..CommandDef::DEFAULT
    },
    // Return the smallest sample of a t-digest.
    CommandDef {
        name: "tdigest.min",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_minmax_command),
        ..CommandDef::DEFAULT
    },
    // Estimate the values at the given quantiles.
    CommandDef {
        name: "tdigest.quantile",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_quantile_command),
        ..CommandDef::DEFAULT
    },
    // Estimate the rank of each value.
    CommandDef {
        name: "tdigest.rank",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_rank_command),
        ..CommandDef::DEFAULT
    },
    // Empty a t-digest.
    CommandDef {
        name: "tdigest.reset",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_reset_command),
        ..CommandDef::DEFAULT
    },
    // Estimate the reverse rank of each value.
    CommandDef {
        name: "tdigest.revrank",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_rank_command),
        ..CommandDef::DEFAULT
    },
    // Estimate the mean of the samples between two quantiles.
    CommandDef {
        name: "tdigest.trimmed_mean",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_trimmed_mean_command),
        ..CommandDef::DEFAULT
    },
];
