//! The vector set commands (Redis 8's built-in `vectorset` module).
//!
//! As the module registers them (`RedisModule_CreateCommand` with key
//! triple 1,1,1 and `RedisModule_SetCommandInfo` giving the arity): group
//! `module`, the `module` flag, VADD "write deny-oom", VREM "write",
//! VSETATTR "write fast", VSIM / VRANDMEMBER / VISMEMBER / VRANGE
//! "readonly", the other readers "readonly fast"; one key spec with full
//! access. The summaries are ours and stay comments.

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
    // Add an element to a vector set, or update its vector.
    CommandDef {
        name: "vadd",
        group: Group::Module,
        arity: -5,
        flags: WRITE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vadd_command),
        ..CommandDef::DEFAULT
    },
    // Return the number of elements in a vector set.
    CommandDef {
        name: "vcard",
        group: Group::Module,
        arity: 2,
        flags: READ_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vcard_command),
        ..CommandDef::DEFAULT
    },
    // Return the dimension of a vector set's vectors.
    CommandDef {
        name: "vdim",
        group: Group::Module,
        arity: 2,
        flags: READ_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vdim_command),
        ..CommandDef::DEFAULT
    },
    // Return an element's vector (de-quantized), or its raw form.
    CommandDef {
        name: "vemb",
        group: Group::Module,
        arity: -3,
        flags: READ_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vemb_command),
        ..CommandDef::DEFAULT
    },
    // Return an element's JSON attributes.
    CommandDef {
        name: "vgetattr",
        group: Group::Module,
        arity: 3,
        flags: READ_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vgetattr_command),
        ..CommandDef::DEFAULT
    },
    // Describe a vector set and its graph.
    CommandDef {
        name: "vinfo",
        group: Group::Module,
        arity: 2,
        flags: READ_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vinfo_command),
        ..CommandDef::DEFAULT
    },
    // Test whether an element is in a vector set.
    CommandDef {
        name: "vismember",
        group: Group::Module,
        arity: 3,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vismember_command),
        ..CommandDef::DEFAULT
    },
    // Return an element's graph neighbours per level.
    CommandDef {
        name: "vlinks",
        group: Group::Module,
        arity: -3,
        flags: READ_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vlinks_command),
        ..CommandDef::DEFAULT
    },
    // Return random elements of a vector set.
    CommandDef {
        name: "vrandmember",
        group: Group::Module,
        arity: -2,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vrandmember_command),
        ..CommandDef::DEFAULT
    },
    // Return elements in a lexicographic range.
    CommandDef {
        name: "vrange",
        group: Group::Module,
        arity: -4,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vrange_command),
        ..CommandDef::DEFAULT
    },
    // Remove an element from a vector set.
    CommandDef {
        name: "vrem",
        group: Group::Module,
        arity: 3,
        flags: WRITE_ONLY,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vrem_command),
        ..CommandDef::DEFAULT
    },
    // Set or remove an element's JSON attributes.
    CommandDef {
        name: "vsetattr",
        group: Group::Module,
        arity: 4,
        flags: WRITE_FAST,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vsetattr_command),
        ..CommandDef::DEFAULT
    },
    // Return the elements most similar to a vector or element.
    CommandDef {
        name: "vsim",
        group: Group::Module,
        arity: -4,
        flags: READ,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(v::vsim_command),
        ..CommandDef::DEFAULT
    },
];
