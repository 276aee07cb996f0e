//! The Stack modules as clients see them (module.c's `moduleCommand`,
//! `addReplyLoadedModules`, `genModulesInfoString`): INFO's `# Modules`
//! lines and MODULE LIST report the built-in modules with the names and
//! versions of the Redis Stack 7.4 modules, so client libraries' version
//! gates and `json()`/`bf()`/`ts()` helpers find them. Nothing can be
//! loaded or unloaded: MODULE LOAD/LOADEX/UNLOAD fail with Redis's errors.
//!
//! **The listing rule**: a module is in [`MODULES`] only once its commands
//! are implemented. Libraries run a module's tests when INFO lists it, so
//! listing one before its commands exist turns "skipped" into "failed".

use crate::error::Error;
use crate::server::{CmdResult, Ctx};
use std::fmt::Write as _;

/// `REDISMODULE_OPTIONS_HANDLE_IO_ERRORS`: INFO prints `handle-io-errors`.
pub const OPT_HANDLE_IO_ERRORS: u32 = 1 << 0;
/// `REDISMODULE_OPTIONS_HANDLE_REPL_ASYNC_LOAD`.
pub const OPT_HANDLE_REPL_ASYNC_LOAD: u32 = 1 << 2;

/// One built-in module.
#[derive(Debug)]
pub struct ModuleInfo {
    /// As MODULE LIST and INFO name it (`ReJSON`, `bf`, `timeseries`).
    pub name: &'static str,
    /// major*10000 + minor*100 + patch.
    pub ver: i64,
    /// `OPT_*` flags the real module sets.
    pub options: u32,
}

/// The built-in modules that are implemented (see the listing rule above).
pub const MODULES: &[ModuleInfo] = &[
    // RedisJSON 2.8 (the JSON.* commands, stack::json).
    ModuleInfo {
        name: "ReJSON",
        ver: 20808,
        options: OPT_HANDLE_IO_ERRORS,
    },
    // RedisBloom 2.8.7: all five families register under `bf` (sets no
    // module options).
    ModuleInfo {
        name: "bf",
        ver: 20807,
        options: 0,
    },
    // Redis 8's vector sets (stack::vectorset), `RedisModule_Init` version 1.
    ModuleInfo {
        name: "vectorset",
        ver: 1,
        options: OPT_HANDLE_IO_ERRORS | OPT_HANDLE_REPL_ASYNC_LOAD,
    },
];

/// The lines of INFO's `# Modules` section (`genModulesInfoString`).
pub fn info_lines(out: &mut String) {
    for m in MODULES {
        let mut opts: Vec<&str> = Vec::new();
        if m.options & OPT_HANDLE_IO_ERRORS != 0 {
            opts.push("handle-io-errors");
        }
        if m.options & OPT_HANDLE_REPL_ASYNC_LOAD != 0 {
            opts.push("handle-repl-async-load");
        }
        let _ = write!(
            out,
            "module:name={},ver={},api=1,filters=0,usedby=[],using=[],options=[{}]\r\n",
            m.name,
            m.ver,
            opts.join("|")
        );
    }
}

/// `MODULE HELP`
pub fn module_help_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.help(
        ctx.argv[0],
        &[
            "LIST",
            "    Return a list of loaded modules.",
            "LOAD <path> [<arg> ...]",
            "    Load a module library from <path>, passing to it any optional arguments.",
            "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
            "    Load a module library from <path>, while passing it module configurations and optional arguments.",
            "UNLOAD <name>",
            "    Unload a module.",
        ],
    );
    Ok(())
}

/// `MODULE LIST`: a map per module (name, ver, path, args). Built-in
/// modules have no file, so their path is empty, and no arguments.
pub fn module_list_command(ctx: &mut Ctx) -> CmdResult {
    let r = &mut ctx.c.reply;
    r.array_len(MODULES.len());
    for m in MODULES {
        r.map_len(4);
        r.bulk(b"name");
        r.bulk(m.name.as_bytes());
        r.bulk(b"ver");
        r.int(m.ver);
        r.bulk(b"path");
        r.bulk(b"");
        r.bulk(b"args");
        r.array_len(0);
    }
    Ok(())
}

const LOAD_FAILED: Error = Error::err("ERR Error loading the extension. Please check the server logs.");

/// `MODULE LOAD path [arg ...]`: no module can be loaded into Oxidis.
pub fn module_load_command(ctx: &mut Ctx) -> CmdResult {
    log::warn!(
        "Module {} failed to load: loading modules is not supported; the Redis Stack modules are built in",
        String::from_utf8_lossy(ctx.argv[2])
    );
    Err(LOAD_FAILED)
}

/// `MODULE LOADEX path [CONFIG name value ...] [ARGS arg ...]`
pub fn module_loadex_command(ctx: &mut Ctx) -> CmdResult {
    module_load_command(ctx)
}

/// `MODULE UNLOAD name`: a built-in module exports data types, which
/// Redis never unloads; any other name is not loaded.
pub fn module_unload_command(ctx: &mut Ctx) -> CmdResult {
    let name = ctx.argv[2];
    let why = if MODULES.iter().any(|m| m.name.as_bytes().eq_ignore_ascii_case(name)) {
        "the module exports one or more module-side data types, can't unload"
    } else {
        "no such module with that name"
    };
    Err(Error::msg(format!("ERR Error unloading module: {why}")))
}
