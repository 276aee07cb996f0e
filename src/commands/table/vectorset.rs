//! The vector set commands (Redis 8's built-in `vectorset` module).
//!
//! As the module registers them (`RedisModule_CreateCommand` with key
//! triple 1,1,1 and `RedisModule_SetCommandInfo` giving the arity): group
//! `module`, the `module` flag, VADD "write deny-oom", VREM "write",
//! VSETATTR "write fast", VSIM / VRANDMEMBER / VISMEMBER / VRANGE
//! "readonly", the other readers "readonly fast"; one key spec with full
//! access. The syntax lines and summaries (`ref_syntax`, `ref_summary`)
//! are ours, for docs/commands.md.

use crate::commands::def::*;
use crate::stack::vectorset::commands as v;

/// `CMD_KEY_FULL_ACCESS`: what Redis gives a module command's key triple.
const FULL: u32 = keyflags::RW | keyflags::ACCESS | keyflags::UPDATE;
const WRITE: u64 = flags::WRITE | flags::DENYOOM | flags::MODULE;
const WRITE_ONLY: u64 = flags::WRITE | flags::MODULE;
const WRITE_FAST: u64 = flags::WRITE | flags::FAST | flags::MODULE;
const READ: u64 = flags::READONLY | flags::MODULE;
const READ_FAST: u64 = flags::READONLY | flags::FAST | flags::MODULE;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "vadd",
        group: Group::Module,
        arity: -5,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vadd_command),
        ref_syntax: "VADD key [REDUCE dim] <FP32 vector | VALUES num value [value ...]> element [CAS] [NOQUANT | Q8 | BIN] [EF build-exploration-factor] [SETATTR attributes] [M numlinks]",
        ref_summary: "Add an element to a vector set, or update its vector.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "vcard",
        group: Group::Module,
        arity: 2,
        flags: READ_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vcard_command),
        ref_syntax: "VCARD key",
        ref_summary: "Return the number of elements in a vector set.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "vdim",
        group: Group::Module,
        arity: 2,
        flags: READ_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vdim_command),
        ref_syntax: "VDIM key",
        ref_summary: "Return the dimension of a vector set's vectors.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "vemb",
        group: Group::Module,
        arity: -3,
        flags: READ_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vemb_command),
        ref_syntax: "VEMB key element [RAW]",
        ref_summary: "Return an element's vector (de-quantized), or its raw form.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "vgetattr",
        group: Group::Module,
        arity: 3,
        flags: READ_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vgetattr_command),
        ref_syntax: "VGETATTR key element",
        ref_summary: "Return an element's JSON attributes.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "vinfo",
        group: Group::Module,
        arity: 2,
        flags: READ_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vinfo_command),
        ref_syntax: "VINFO key",
        ref_summary: "Describe a vector set and its graph.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "vismember",
        group: Group::Module,
        arity: 3,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vismember_command),
        ref_syntax: "VISMEMBER key element",
        ref_summary: "Test whether an element is in a vector set.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "vlinks",
        group: Group::Module,
        arity: -3,
        flags: READ_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vlinks_command),
        ref_syntax: "VLINKS key element [WITHSCORES]",
        ref_summary: "Return an element's graph neighbours per level.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "vrandmember",
        group: Group::Module,
        arity: -2,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vrandmember_command),
        ref_syntax: "VRANDMEMBER key [count]",
        ref_summary: "Return random elements of a vector set.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "vrange",
        group: Group::Module,
        arity: -4,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vrange_command),
        ref_syntax: "VRANGE key start end [count]",
        ref_summary: "Return elements in a lexicographic range.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "vrem",
        group: Group::Module,
        arity: 3,
        flags: WRITE_ONLY,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vrem_command),
        ref_syntax: "VREM key element",
        ref_summary: "Remove an element from a vector set.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "vsetattr",
        group: Group::Module,
        arity: 4,
        flags: WRITE_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vsetattr_command),
        ref_syntax: "VSETATTR key element attributes",
        ref_summary: "Set or remove an element's JSON attributes.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "vsim",
        group: Group::Module,
        arity: -4,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vsim_command),
        ref_syntax: "VSIM key <ELE element | FP32 vector | VALUES num value [value ...]> [WITHSCORES] [WITHATTRIBS] [COUNT num] [EPSILON delta] [EF search-exploration-factor] [FILTER expression] [FILTER-EF max-filtering-effort] [TRUTH] [NOTHREAD]",
        ref_summary: "Return the elements most similar to a vector or element.",
        ..CommandDef::DEFAULT
    },
];
