//! The JSON commands (RedisJSON 2.8, module `ReJSON`).
//!
//! As the module registers them (`RedisModule_CreateCommand` with a flag
//! string and first/last/step keys): group `module`, arity -1 (the
//! handlers check their arguments and answer with the module SDK's
//! errors), the `module` flag, one key spec with full access derived from
//! the key triple, and ACL categories derived from the flags only
//! (`@read` or `@write`, and `@slow`). The summaries are ours; COMMAND
//! DOCS of a module command carries none in Redis, so they are kept out
//! of the table and live here as comments.

use crate::commands::def::*;

/// `CMD_KEY_FULL_ACCESS`: what Redis gives a module command's key triple.
const FULL: u32 = keyflags::RW | keyflags::ACCESS | keyflags::UPDATE;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    // Append one or more JSON values into the array at path.
    CommandDef {
        name: "json.arrappend",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_arrappend_command),
        ..CommandDef::DEFAULT
    },
    // Return the index of the first occurrence of a JSON scalar value in the array at path.
    CommandDef {
        name: "json.arrindex",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_arrindex_command),
        ..CommandDef::DEFAULT
    },
    // Insert JSON values into the array at path before the given index.
    CommandDef {
        name: "json.arrinsert",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_arrinsert_command),
        ..CommandDef::DEFAULT
    },
    // Return the length of the array at path.
    CommandDef {
        name: "json.arrlen",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_arrlen_command),
        ..CommandDef::DEFAULT
    },
    // Remove and return an element from the array at path.
    CommandDef {
        name: "json.arrpop",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_arrpop_command),
        ..CommandDef::DEFAULT
    },
    // Trim the array at path to the given range.
    CommandDef {
        name: "json.arrtrim",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_arrtrim_command),
        ..CommandDef::DEFAULT
    },
    // Empty arrays and objects and set numbers to 0 at path.
    CommandDef {
        name: "json.clear",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_clear_command),
        ..CommandDef::DEFAULT
    },
    // Debugging: MEMORY and HELP.
    CommandDef {
        name: "json.debug",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(2), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_debug_command),
        ..CommandDef::DEFAULT
    },
    // Delete a value.
    CommandDef {
        name: "json.del",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_del_command),
        ..CommandDef::DEFAULT
    },
    // Delete a value (alias of JSON.DEL).
    CommandDef {
        name: "json.forget",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_del_command),
        ..CommandDef::DEFAULT
    },
    // Return the value at path in JSON serialized form.
    CommandDef {
        name: "json.get",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_get_command),
        ..CommandDef::DEFAULT
    },
    // Merge a JSON value into the value at path (RFC 7396).
    CommandDef {
        name: "json.merge",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_merge_command),
        ..CommandDef::DEFAULT
    },
    // Return the values at path from several keys.
    CommandDef {
        name: "json.mget",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_mget_command),
        ..CommandDef::DEFAULT
    },
    // Set or update one or more JSON values according to the specified key-path-value triplets.
    CommandDef {
        name: "json.mset",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(-1, 3, 0))],
        handler: Some(crate::stack::json::commands::json_mset_command),
        ..CommandDef::DEFAULT
    },
    // Increment the number value stored at path by a number.
    CommandDef {
        name: "json.numincrby",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_numincrby_command),
        ..CommandDef::DEFAULT
    },
    // Multiply the number value stored at path by a number.
    CommandDef {
        name: "json.nummultby",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_nummultby_command),
        ..CommandDef::DEFAULT
    },
    // Raise the number value stored at path to the power of a number.
    CommandDef {
        name: "json.numpowby",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_numpowby_command),
        ..CommandDef::DEFAULT
    },
    // Return the keys of the object at path.
    CommandDef {
        name: "json.objkeys",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_objkeys_command),
        ..CommandDef::DEFAULT
    },
    // Return the number of keys of the object at path.
    CommandDef {
        name: "json.objlen",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_objlen_command),
        ..CommandDef::DEFAULT
    },
    // Return the value at path in Redis serialization protocol form.
    CommandDef {
        name: "json.resp",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_resp_command),
        ..CommandDef::DEFAULT
    },
    // Set or update the JSON value at path.
    CommandDef {
        name: "json.set",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_set_command),
        ..CommandDef::DEFAULT
    },
    // Append a string to the JSON string at path.
    CommandDef {
        name: "json.strappend",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_strappend_command),
        ..CommandDef::DEFAULT
    },
    // Return the length of the JSON string at path.
    CommandDef {
        name: "json.strlen",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_strlen_command),
        ..CommandDef::DEFAULT
    },
    // Toggle a boolean value at path.
    CommandDef {
        name: "json.toggle",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_toggle_command),
        ..CommandDef::DEFAULT
    },
    // Return the type of the value at path.
    CommandDef {
        name: "json.type",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_type_command),
        ..CommandDef::DEFAULT
    },
];
