//! The probabilistic commands (RedisBloom 2.8, module `bf`).
//!
//! As the module registers them (`RedisModule_CreateCommand` with key
//! triple 1,1,1): group `module`, arity -1 (the handlers check their
//! arguments and answer with the module SDK's errors), the `module` flag,
//! "write deny-oom" or "readonly fast" (CF.DEL "write fast", TOPK.COUNT "write"; CF.COMPACT is
//! registered read-only although it moves fingerprints), one key spec with full access, ACL
//! categories derived from the flags only. The syntax lines and
//! summaries (`ref_syntax`, `ref_summary`) are ours, for docs/commands.md
//! only: COMMAND DOCS of a module command carries none in Redis.

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
    CommandDef {
        name: "bf.add",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_add_command),
        ref_syntax: "BF.ADD key item",
        ref_summary: "Add an item to a Bloom filter, creating it if needed.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bf.card",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_card_command),
        ref_syntax: "BF.CARD key",
        ref_summary: "Return the number of items added to a Bloom filter.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bf.debug",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_debug_command),
        ref_syntax: "BF.DEBUG key",
        ref_summary: "Describe each link of a Bloom filter.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bf.exists",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_exists_command),
        ref_syntax: "BF.EXISTS key item",
        ref_summary: "Check whether an item may be in a Bloom filter.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bf.info",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_info_command),
        ref_syntax: "BF.INFO key [CAPACITY | SIZE | FILTERS | ITEMS | EXPANSION]",
        ref_summary: "Return a Bloom filter's parameters and counts.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bf.insert",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_insert_command),
        ref_syntax: "BF.INSERT key [CAPACITY capacity] [ERROR error] [EXPANSION expansion] [NOCREATE] [NONSCALING] ITEMS item [item ...]",
        ref_summary: "Add items to a Bloom filter, creating it with the given parameters if needed.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bf.loadchunk",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_loadchunk_command),
        ref_syntax: "BF.LOADCHUNK key iterator data",
        ref_summary: "Restore part of a Bloom filter saved with BF.SCANDUMP.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bf.madd",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_add_command),
        ref_syntax: "BF.MADD key item [item ...]",
        ref_summary: "Add several items to a Bloom filter, creating it if needed.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bf.mexists",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_exists_command),
        ref_syntax: "BF.MEXISTS key item [item ...]",
        ref_summary: "Check whether each of several items may be in a Bloom filter.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bf.reserve",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_reserve_command),
        ref_syntax: "BF.RESERVE key error_rate capacity [EXPANSION expansion] [NONSCALING]",
        ref_summary: "Create an empty Bloom filter with the given error rate and capacity.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bf.scandump",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(bf::bf_scandump_command),
        ref_syntax: "BF.SCANDUMP key iterator",
        ref_summary: "Save a Bloom filter incrementally, one chunk per call.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.add",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_add_command),
        ref_syntax: "CF.ADD key item",
        ref_summary: "Add an item to a cuckoo filter, creating it if needed.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.addnx",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_add_command),
        ref_syntax: "CF.ADDNX key item",
        ref_summary: "Add an item to a cuckoo filter unless it may be there already.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.compact",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_compact_command),
        ref_syntax: "CF.COMPACT key",
        ref_summary: "Move items into older sub-filters and free emptied ones.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.count",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_exists_command),
        ref_syntax: "CF.COUNT key item",
        ref_summary: "Count how many times an item may have been added to a cuckoo filter.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.debug",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_debug_command),
        ref_syntax: "CF.DEBUG key",
        ref_summary: "Describe a cuckoo filter's parameters.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.del",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::FAST | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_del_command),
        ref_syntax: "CF.DEL key item",
        ref_summary: "Remove one occurrence of an item from a cuckoo filter.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.exists",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_exists_command),
        ref_syntax: "CF.EXISTS key item",
        ref_summary: "Check whether an item may be in a cuckoo filter.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.info",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_info_command),
        ref_syntax: "CF.INFO key",
        ref_summary: "Return a cuckoo filter's parameters and counts.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.insert",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_insert_command),
        ref_syntax: "CF.INSERT key [CAPACITY capacity] [NOCREATE] ITEMS item [item ...]",
        ref_summary: "Add items to a cuckoo filter, creating it with the given capacity if needed.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.insertnx",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_insert_command),
        ref_syntax: "CF.INSERTNX key [CAPACITY capacity] [NOCREATE] ITEMS item [item ...]",
        ref_summary: "Add items that may not be there yet to a cuckoo filter.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.loadchunk",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_loadchunk_command),
        ref_syntax: "CF.LOADCHUNK key iterator data",
        ref_summary: "Restore part of a cuckoo filter saved with CF.SCANDUMP.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.mexists",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_exists_command),
        ref_syntax: "CF.MEXISTS key item [item ...]",
        ref_summary: "Check whether each of several items may be in a cuckoo filter.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.reserve",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_reserve_command),
        ref_syntax: "CF.RESERVE key capacity [BUCKETSIZE bucketsize] [MAXITERATIONS maxiterations] [EXPANSION expansion]",
        ref_summary: "Create an empty cuckoo filter with the given capacity and parameters.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cf.scandump",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cf::cf_scandump_command),
        ref_syntax: "CF.SCANDUMP key iterator",
        ref_summary: "Save a cuckoo filter incrementally, one chunk per call.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cms.incrby",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cms::cms_incrby_command),
        ref_syntax: "CMS.INCRBY key item increment [item increment ...]",
        ref_summary: "Increase items' counts in a count-min sketch.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cms.info",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cms::cms_info_command),
        ref_syntax: "CMS.INFO key",
        ref_summary: "Return a count-min sketch's width, depth and total count.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cms.initbydim",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cms::cms_init_command),
        ref_syntax: "CMS.INITBYDIM key width depth",
        ref_summary: "Create a count-min sketch of the given width and depth.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cms.initbyprob",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cms::cms_init_command),
        ref_syntax: "CMS.INITBYPROB key error probability",
        ref_summary: "Create a count-min sketch sized for an error bound and probability.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cms.merge",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cms::cms_merge_command),
        ref_syntax: "CMS.MERGE destination numKeys source [source ...] [WEIGHTS weight [weight ...]]",
        ref_summary: "Merge weighted count-min sketches into an existing one.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "cms.query",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(cms::cms_query_command),
        ref_syntax: "CMS.QUERY key item [item ...]",
        ref_summary: "Return items' estimated counts in a count-min sketch.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "topk.add",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_add_command),
        ref_syntax: "TOPK.ADD key item [item ...]",
        ref_summary: "Add items to a Top-K list.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "topk.count",
        group: Group::Module,
        arity: -1,
        flags: WRITE_ONLY,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_count_command),
        ref_syntax: "TOPK.COUNT key item [item ...]",
        ref_summary: "Return items' estimated counts in a Top-K list.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "topk.incrby",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_incrby_command),
        ref_syntax: "TOPK.INCRBY key item increment [item increment ...]",
        ref_summary: "Increase items' counts in a Top-K list.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "topk.info",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_info_command),
        ref_syntax: "TOPK.INFO key",
        ref_summary: "Return a Top-K list's k, width, depth and decay.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "topk.list",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_list_command),
        ref_syntax: "TOPK.LIST key [WITHCOUNT]",
        ref_summary: "Return the items of a Top-K list, optionally with their counts.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "topk.query",
        group: Group::Module,
        arity: -1,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_query_command),
        ref_syntax: "TOPK.QUERY key item [item ...]",
        ref_summary: "Check whether items are in a Top-K list.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "topk.reserve",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(topk::topk_reserve_command),
        ref_syntax: "TOPK.RESERVE key topk [width depth decay]",
        ref_summary: "Create an empty Top-K list.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.add",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_add_command),
        ref_syntax: "TDIGEST.ADD key value [value ...]",
        ref_summary: "Add samples to a t-digest.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.byrank",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_byrank_command),
        ref_syntax: "TDIGEST.BYRANK key rank [rank ...]",
        ref_summary: "Estimate the values at the given ranks.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.byrevrank",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_byrank_command),
        ref_syntax: "TDIGEST.BYREVRANK key reverse_rank [reverse_rank ...]",
        ref_summary: "Estimate the values at the given reverse ranks.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.cdf",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_cdf_command),
        ref_syntax: "TDIGEST.CDF key value [value ...]",
        ref_summary: "Estimate the fraction of samples at or below each value.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.create",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_create_command),
        ref_syntax: "TDIGEST.CREATE key [COMPRESSION compression]",
        ref_summary: "Create an empty t-digest.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.info",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_info_command),
        ref_syntax: "TDIGEST.INFO key",
        ref_summary: "Describe a t-digest's parameters and counts.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.max",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_minmax_command),
        ref_syntax: "TDIGEST.MAX key",
        ref_summary: "Return the largest sample of a t-digest.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.merge",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_merge_command),
        ref_syntax: "TDIGEST.MERGE destination-key numkeys source-key [source-key ...] [COMPRESSION compression] [OVERRIDE]",
        ref_summary: "Merge t-digests into a destination.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.min",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_minmax_command),
        ref_syntax: "TDIGEST.MIN key",
        ref_summary: "Return the smallest sample of a t-digest.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.quantile",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_quantile_command),
        ref_syntax: "TDIGEST.QUANTILE key quantile [quantile ...]",
        ref_summary: "Estimate the values at the given quantiles.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.rank",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_rank_command),
        ref_syntax: "TDIGEST.RANK key value [value ...]",
        ref_summary: "Estimate the rank of each value.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.reset",
        group: Group::Module,
        arity: -1,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_reset_command),
        ref_syntax: "TDIGEST.RESET key",
        ref_summary: "Empty a t-digest.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.revrank",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_rank_command),
        ref_syntax: "TDIGEST.REVRANK key value [value ...]",
        ref_summary: "Estimate the reverse rank of each value.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "tdigest.trimmed_mean",
        group: Group::Module,
        arity: -1,
        flags: READ_SLOW,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(td::tdigest_trimmed_mean_command),
        ref_syntax: "TDIGEST.TRIMMED_MEAN key low_cut_quantile high_cut_quantile",
        ref_summary: "Estimate the mean of the samples between two quantiles.",
        ..CommandDef::DEFAULT
    },
];
