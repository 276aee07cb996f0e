//! The JSON commands (RedisJSON 2.8, module `ReJSON`).
//!
//! As the module registers them (`RedisModule_CreateCommand` with a flag
//! string and first/last/step keys): group `module`, arity -1 (the
//! handlers check their arguments and answer with the module SDK's
//! errors), the `module` flag, one key spec with full access derived from
//! the key triple, and ACL categories derived from the flags only
//! (`@read` or `@write`, and `@slow`). The syntax lines and summaries
//! (`ref_syntax`, `ref_summary`) are ours, for docs/commands.md only:
//! COMMAND DOCS of a module command carries none in Redis.

use crate::commands::def::*;

/// `CMD_KEY_FULL_ACCESS`: what Redis gives a module command's key triple.
const FULL: u32 = keyflags::RW | keyflags::ACCESS | keyflags::UPDATE;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "json.arrappend",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_arrappend_command),
        ref_syntax: "JSON.ARRAPPEND key [path] value [value ...]",
        ref_summary: "Append one or more JSON values into the array at path.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.arrindex",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_arrindex_command),
        ref_syntax: "JSON.ARRINDEX key path value [start [stop]]",
        ref_summary: "Return the index of the first occurrence of a JSON scalar value in the array at path.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.arrinsert",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_arrinsert_command),
        ref_syntax: "JSON.ARRINSERT key path index value [value ...]",
        ref_summary: "Insert JSON values into the array at path before the given index.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.arrlen",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_arrlen_command),
        ref_syntax: "JSON.ARRLEN key [path]",
        ref_summary: "Return the length of the array at path.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.arrpop",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_arrpop_command),
        ref_syntax: "JSON.ARRPOP key [path [index]]",
        ref_summary: "Remove and return an element from the array at path.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.arrtrim",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_arrtrim_command),
        ref_syntax: "JSON.ARRTRIM key path start stop",
        ref_summary: "Trim the array at path to the given range.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.clear",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_clear_command),
        ref_syntax: "JSON.CLEAR key [path]",
        ref_summary: "Empty arrays and objects and set numbers to 0 at path.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.debug",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(2), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_debug_command),
        ref_syntax: "JSON.DEBUG <MEMORY key [path] | HELP>",
        ref_summary: "Debugging: MEMORY and HELP.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.del",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_del_command),
        ref_syntax: "JSON.DEL key [path]",
        ref_summary: "Delete a value.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.forget",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_del_command),
        ref_syntax: "JSON.FORGET key [path]",
        ref_summary: "Delete a value (alias of JSON.DEL).",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.get",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_get_command),
        ref_syntax: "JSON.GET key [INDENT indent] [NEWLINE newline] [SPACE space] [path [path ...]]",
        ref_summary: "Return the value at path in JSON serialized form.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.merge",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_merge_command),
        ref_syntax: "JSON.MERGE key path value",
        ref_summary: "Merge a JSON value into the value at path (RFC 7396).",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.mget",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_mget_command),
        ref_syntax: "JSON.MGET key [key ...] path",
        ref_summary: "Return the values at path from several keys.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.mset",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(-1, 3, 0))],
        handler: Some(crate::stack::json::commands::json_mset_command),
        ref_syntax: "JSON.MSET key path value [key path value ...]",
        ref_summary: "Set or update one or more JSON values according to the specified key-path-value triplets.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.numincrby",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_numincrby_command),
        ref_syntax: "JSON.NUMINCRBY key path value",
        ref_summary: "Increment the number value stored at path by a number.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.nummultby",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_nummultby_command),
        ref_syntax: "JSON.NUMMULTBY key path value",
        ref_summary: "Multiply the number value stored at path by a number.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.numpowby",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_numpowby_command),
        ref_syntax: "JSON.NUMPOWBY key path value",
        ref_summary: "Raise the number value stored at path to the power of a number.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.objkeys",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_objkeys_command),
        ref_syntax: "JSON.OBJKEYS key [path]",
        ref_summary: "Return the keys of the object at path.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.objlen",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_objlen_command),
        ref_syntax: "JSON.OBJLEN key [path]",
        ref_summary: "Return the number of keys of the object at path.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.resp",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_resp_command),
        ref_syntax: "JSON.RESP key [path]",
        ref_summary: "Return the value at path in Redis serialization protocol form.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.set",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_set_command),
        ref_syntax: "JSON.SET key path value [NX | XX]",
        ref_summary: "Set or update the JSON value at path.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.strappend",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_strappend_command),
        ref_syntax: "JSON.STRAPPEND key [path] value",
        ref_summary: "Append a string to the JSON string at path.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.strlen",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_strlen_command),
        ref_syntax: "JSON.STRLEN key [path]",
        ref_summary: "Return the length of the JSON string at path.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.toggle",
        group: Group::Module,
        arity: -1,
        flags: flags::WRITE | flags::DENYOOM | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_toggle_command),
        ref_syntax: "JSON.TOGGLE key path",
        ref_summary: "Toggle a boolean value at path.",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "json.type",
        group: Group::Module,
        arity: -1,
        flags: flags::READONLY | flags::MODULE,
        key_specs: &[ks(FULL, index(1), range(0, 1, 0))],
        handler: Some(crate::stack::json::commands::json_type_command),
        ref_syntax: "JSON.TYPE key [path]",
        ref_summary: "Return the type of the value at path.",
        ..CommandDef::DEFAULT
    },
];
