//! Functions (functions.c, function_lua.c): libraries of Lua functions
//! loaded with FUNCTION LOAD, called with FCALL, kept in the RDB (opcode
//! FUNCTION2) and propagated as FUNCTION LOAD. A library's code runs once
//! at load time, in an environment that only has `redis.register_function`,
//! `redis.log` and the version fields; the functions it registers run
//! later with the full API.

use super::capi::{lua_hook, Lua, LuaRaise};
use super::lua;
use super::{sflags, Engine, FLAG_NAMES};
use crate::error::Error;
use crate::server::{CmdResult, Ctx, Server};
use mlua::ffi;
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::os::raw::c_int;

/// FUNCTION LOAD's time limit for running library code.
const LOAD_TIMEOUT_MS: u64 = 500;

/// A registered function.
pub struct FunctionInfo {
    pub name: Vec<u8>,
    pub desc: Option<Vec<u8>>,
    pub flags: u64,
    /// Registry reference of the Lua callback.
    pub fref: c_int,
}

/// A loaded library.
pub struct Library {
    pub name: Vec<u8>,
    pub code: Vec<u8>,
    pub functions: BTreeMap<Vec<u8>, FunctionInfo>,
}

/// Every library, and function name (lower case) -> library name.
#[derive(Default)]
pub struct Functions {
    vm: Option<lua::Vm>,
    pub libraries: BTreeMap<Vec<u8>, Library>,
    pub functions: HashMap<Vec<u8>, Vec<u8>>,
}

impl Functions {
    /// The functions interpreter, created if needed.
    pub fn vm(&mut self, deprecated_api: bool) -> &mut lua::Vm {
        self.vm.get_or_insert_with(|| lua::Vm::new(lua::VmKind::Function, deprecated_api))
    }

    /// INFO's `used_memory_vm_functions`.
    pub fn vm_memory(&self) -> usize {
        self.vm.as_ref().map_or(32 * 1024, |v| v.memory())
    }

    /// INFO's `used_memory_functions`.
    pub fn memory_overhead(&self) -> usize {
        184 + self
            .libraries
            .values()
            .map(|l| l.name.len() + l.code.len() + l.functions.len() * 64 + 64)
            .sum::<usize>()
    }

    /// Number of registered functions.
    pub fn num_functions(&self) -> usize {
        self.functions.len()
    }

    /// Frees a library's callbacks.
    fn free_library(&mut self, lib: Library) {
        if let Some(vm) = &mut self.vm {
            let l = vm.lua();
            for f in lib.functions.values() {
                l.registry_unref(f.fref);
            }
        }
    }

    /// Removes a library and its function names; returns it.
    fn unlink(&mut self, name: &[u8]) -> Option<Library> {
        let lib = self.libraries.remove(name)?;
        for f in lib.functions.keys() {
            self.functions.remove(&f.to_ascii_lowercase());
        }
        Some(lib)
    }

    /// Adds a library and its function names.
    fn link(&mut self, lib: Library) {
        for f in lib.functions.keys() {
            self.functions.insert(f.to_ascii_lowercase(), lib.name.clone());
        }
        self.libraries.insert(lib.name.clone(), lib);
    }

    /// Drops every library (FUNCTION FLUSH, a full reload).
    pub fn clear(&mut self) {
        let libs = std::mem::take(&mut self.libraries);
        self.functions.clear();
        for (_, lib) in libs {
            self.free_library(lib);
        }
    }

    /// Trades the libraries (not the interpreter) with `set`: a diskless
    /// swapdb load builds its libraries aside (`functionsLibCtx`) and
    /// swaps them in only when the whole transfer succeeded.
    pub fn swap_libs(&mut self, set: &mut LibSet) {
        std::mem::swap(&mut self.libraries, &mut set.libraries);
        std::mem::swap(&mut self.functions, &mut set.functions);
    }

    /// Frees the callbacks of a set of libraries that is not current
    /// (the temporary set of a failed load, or the old one after a swap).
    pub fn free_libs(&mut self, set: LibSet) {
        for (_, lib) in set.libraries {
            self.free_library(lib);
        }
    }

    /// Looks up a function by name (case-insensitive).
    pub fn get(&self, name: &[u8]) -> Option<&FunctionInfo> {
        let lib = self.functions.get(&name.to_ascii_lowercase())?;
        let lib = self.libraries.get(lib)?;
        lib.functions.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, f)| f)
    }
}

/// Libraries with their function-name index, set aside from the current
/// ones (see [`Functions::swap_libs`]). Their callbacks live in the one
/// functions interpreter, so a set must go back through
/// [`Functions::free_libs`] (or become current) rather than be dropped.
#[derive(Default)]
pub struct LibSet {
    libraries: BTreeMap<Vec<u8>, Library>,
    functions: HashMap<Vec<u8>, Vec<u8>>,
}

// ------------------------------------------------------------- loading

/// The functions being registered by a FUNCTION LOAD in progress.
struct LoadCtx {
    functions: BTreeMap<Vec<u8>, FunctionInfo>,
    start_us: u64,
    timeout_ms: u64,
}

thread_local! {
    static LOAD: Cell<*mut LoadCtx> = const { Cell::new(std::ptr::null_mut()) };
}

/// `functionsVerifyName`: letters, digits and underscores, not empty.
fn valid_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_')
}

const BAD_NAME: &str = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

/// A library's engine, name and code after its metadata line.
type LibMetadata<'a> = (Vec<u8>, Vec<u8>, &'a [u8]);

/// The `#!<engine> name=<name>` line of a library (`functionExtractLibMetaData`).
/// Returns (engine, name, code after the line, starting at its newline).
fn parse_metadata(code: &[u8]) -> Result<LibMetadata<'_>, String> {
    if !code.starts_with(b"#!") {
        return Err("Missing library metadata".into());
    }
    let Some(end) = code.iter().position(|&c| c == b'\n') else {
        return Err("Invalid library metadata".into());
    };
    let parts = match crate::resp::parser::split_args(&code[..end]) {
        Some(p) if !p.is_empty() => p,
        _ => return Err("Invalid library metadata".into()),
    };
    let engine = parts[0][2..].to_vec();
    let mut name = None;
    for p in &parts[1..] {
        if p.len() >= 5 && p[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err("Invalid metadata value, name argument was given multiple times".into());
            }
            name = Some(p[5..].to_vec());
            continue;
        }
        return Err(format!("Invalid metadata value given: {}", String::from_utf8_lossy(p)));
    }
    let Some(name) = name else {
        return Err("Library name was not given".into());
    };
    Ok((engine, name, &code[end..]))
}

/// The load hook: stops library code running past the load timeout.
fn load_hook(l: &mut Lua, _event: c_int) -> Result<(), LuaRaise> {
    let ctx = LOAD.with(|c| c.get());
    // SAFETY: LOAD is null or points at the LoadCtx on the stack of
    // `run_library_code`, set only while the library code runs.
    let Some(ctx) = (unsafe { ctx.as_ref() }) else {
        return Ok(());
    };
    let ms = crate::util::monotonic_us().saturating_sub(ctx.start_us) / 1000;
    if ctx.timeout_ms > 0 && ms > ctx.timeout_ms {
        l.set_hook(Some(LOAD_HOOK), ffi::LUA_MASKLINE, 0);
        return Err(LuaRaise::table(b"FUNCTION LOAD timeout".as_slice()));
    }
    Ok(())
}

lua_hook!(LOAD_HOOK => load_hook);

/// Runs a library's code and collects what it registers (`luaEngineCreate`).
fn run_library_code(vm: &mut lua::Vm, code: &[u8], timeout_ms: u64) -> Result<BTreeMap<Vec<u8>, FunctionInfo>, String> {
    if let Err(msg) = vm.compile(code, c"@user_function") {
        return Err(format!("Error compiling function: {}", String::from_utf8_lossy(&msg)));
    }
    let mut ctx = LoadCtx {
        functions: BTreeMap::new(),
        start_us: crate::util::monotonic_us(),
        timeout_ms,
    };
    vm.set_library_mode(true);
    LOAD.with(|c| c.set(&mut ctx));
    let res = {
        // The compiled chunk is on top of the stack; the hook and LOAD are
        // cleared before `ctx` goes away.
        let mut l = vm.lua();
        l.set_hook(Some(LOAD_HOOK), ffi::LUA_MASKCOUNT, 100_000);
        let rc = l.pcall(0, 0, 0);
        l.set_hook(None, 0, 0);
        if rc != 0 {
            let info = lua::error_info(&mut l, -1);
            l.pop(1);
            Err(format!(
                "Error registering functions: {}",
                String::from_utf8_lossy(&info.msg.unwrap_or_default())
            ))
        } else {
            Ok(())
        }
    };
    LOAD.with(|c| c.set(std::ptr::null_mut()));
    vm.set_library_mode(false);
    match res {
        Ok(()) => Ok(ctx.functions),
        Err(e) => {
            let l = vm.lua();
            for f in ctx.functions.values() {
                l.registry_unref(f.fref);
            }
            Err(e)
        }
    }
}

/// Creates (or with `replace`, replaces) a library from its code
/// (`functionsCreateWithLibraryCtx`). Returns the library name.
pub fn create_library(srv: &mut Server, code: &[u8], replace: bool, timeout_ms: u64) -> Result<Vec<u8>, String> {
    let (engine, name, body) = parse_metadata(code)?;
    if !valid_name(&name) {
        return Err(BAD_NAME.into());
    }
    if !engine.eq_ignore_ascii_case(b"lua") {
        return Err(format!("Engine '{}' not found", String::from_utf8_lossy(&engine)));
    }
    let deprecated = srv.cfg.lua_enable_deprecated_api;
    let funcs = &mut srv.scripting.functions;
    if funcs.libraries.contains_key(&name) && !replace {
        return Err(format!("Library '{}' already exists", String::from_utf8_lossy(&name)));
    }
    let old = funcs.unlink(&name);
    let vm = funcs.vm(deprecated);
    let fs = match run_library_code(vm, body, timeout_ms) {
        Ok(fs) => fs,
        Err(e) => {
            if let Some(old) = old {
                funcs.link(old);
            }
            return Err(e);
        }
    };
    let problem = if fs.is_empty() {
        Some("No functions registered".to_string())
    } else {
        fs.keys()
            .find(|f| funcs.functions.contains_key(&f.to_ascii_lowercase()))
            .map(|f| format!("Function {} already exists", String::from_utf8_lossy(f)))
    };
    if let Some(e) = problem {
        funcs.free_library(Library {
            name: Vec::new(),
            code: Vec::new(),
            functions: fs,
        });
        if let Some(old) = old {
            funcs.link(old);
        }
        return Err(e);
    }
    funcs.link(Library {
        name: name.clone(),
        code: code.to_vec(),
        functions: fs,
    });
    if let Some(old) = old {
        funcs.free_library(old);
    }
    Ok(name)
}

/// `redis.register_function` (`luaRegisterFunction`): reads positional or
/// named arguments and records the function in the load in progress.
pub fn register_function_from_lua(l: &mut Lua) -> Result<(), Vec<u8>> {
    let ctx = LOAD.with(|c| c.get());
    // SAFETY: LOAD is null or points at the LoadCtx of the load running
    // this code; nothing else touches it while Lua runs.
    let Some(ctx) = (unsafe { ctx.as_mut() }) else {
        return Err(b"redis.register_function can only be called on FUNCTION LOAD command".to_vec());
    };
    let argc = l.top();
    if !(1..=2).contains(&argc) {
        return Err(b"wrong number of arguments to redis.register_function".to_vec());
    }
    let (name, desc, fref, flags) = if argc == 1 { named_args(l)? } else { positional_args(l)? };
    if !valid_name(&name) {
        l.registry_unref(fref);
        return Err(BAD_NAME.as_bytes().to_vec());
    }
    if ctx.functions.contains_key(&name) {
        l.registry_unref(fref);
        return Err(b"Function already exists in the library".to_vec());
    }
    ctx.functions.insert(name.clone(), FunctionInfo { name, desc, flags, fref });
    Ok(())
}

type Registered = (Vec<u8>, Option<Vec<u8>>, c_int, u64);

/// The bytes of a string argument (numbers count, as `lua_isstring`).
fn string_arg(l: &mut Lua, idx: c_int) -> Option<Vec<u8>> {
    if !l.is_string(idx) {
        return None;
    }
    l.push_value(idx);
    let b = l.to_bytes(-1).unwrap_or_default().to_vec();
    l.pop(1);
    Some(b)
}

fn positional_args(l: &mut Lua) -> Result<Registered, Vec<u8>> {
    let Some(name) = string_arg(l, 1) else {
        return Err(b"first argument to redis.register_function must be a string".to_vec());
    };
    if l.type_of(2) != ffi::LUA_TFUNCTION {
        return Err(b"second argument to redis.register_function must be a function".to_vec());
    }
    l.push_value(2);
    let fref = l.registry_ref();
    Ok((name, None, fref, 0))
}

fn unref(l: &Lua, fref: Option<c_int>) {
    if let Some(r) = fref {
        l.registry_unref(r);
    }
}

fn named_args(l: &mut Lua) -> Result<Registered, Vec<u8>> {
    if l.type_of(1) != ffi::LUA_TTABLE {
        return Err(
            b"calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments)."
                .to_vec(),
        );
    }
    let mut name = None;
    let mut desc = None;
    let mut fref = None;
    let mut flags = 0u64;
    l.push_nil();
    while l.next(1) {
        // Stack: table, key, value.
        if l.type_of(-2) != ffi::LUA_TSTRING {
            unref(l, fref);
            l.set_top(1);
            return Err(b"named argument key given to redis.register_function is not a string".to_vec());
        }
        let key = l.to_bytes(-2).unwrap_or_default().to_ascii_lowercase();
        let err: Option<&[u8]> = match key.as_slice() {
            b"function_name" => match string_arg(l, -1) {
                Some(n) => {
                    name = Some(n);
                    None
                }
                None => Some(b"function_name argument given to redis.register_function must be a string"),
            },
            b"description" => match string_arg(l, -1) {
                Some(d) => {
                    desc = Some(d);
                    None
                }
                None => Some(b"description argument given to redis.register_function must be a string"),
            },
            b"callback" => {
                if l.type_of(-1) != ffi::LUA_TFUNCTION {
                    Some(b"callback argument given to redis.register_function must be a function")
                } else {
                    l.push_value(-1);
                    unref(l, fref);
                    fref = Some(l.registry_ref());
                    None
                }
            }
            b"flags" => {
                if l.type_of(-1) != ffi::LUA_TTABLE {
                    Some(b"flags argument to redis.register_function must be a table representing function flags")
                } else {
                    match read_flags(l) {
                        Some(fl) => {
                            flags = fl;
                            None
                        }
                        None => Some(b"unknown flag given"),
                    }
                }
            }
            _ => Some(b"unknown argument given to redis.register_function"),
        };
        if let Some(e) = err {
            unref(l, fref);
            l.set_top(1);
            return Err(e.to_vec());
        }
        l.pop(1);
    }
    let Some(name) = name else {
        unref(l, fref);
        return Err(b"redis.register_function must get a function name argument".to_vec());
    };
    let Some(fref) = fref else {
        return Err(b"redis.register_function must get a callback argument".to_vec());
    };
    Ok((name, desc, fref, flags))
}

/// Reads the flags array on top of the stack.
fn read_flags(l: &mut Lua) -> Option<u64> {
    let t = l.top();
    let mut flags = 0;
    let mut j = 1;
    loop {
        let ty = l.raw_geti(t, j);
        j += 1;
        if ty == ffi::LUA_TNIL {
            l.set_top(t);
            return Some(flags);
        }
        if ty != ffi::LUA_TSTRING && ty != ffi::LUA_TNUMBER {
            l.set_top(t);
            return None;
        }
        let s = l.to_bytes(-1).unwrap_or_default();
        let found = FLAG_NAMES.iter().find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(s));
        l.set_top(t);
        flags |= found?.1;
    }
}

// ----------------------------------------------------------- the commands

/// The flags FCALL gates use (`fcallGetCommandFlags`).
pub fn fcall_command_flags(srv: &Server, cmd: &crate::commands::Command, argv: &[&[u8]]) -> u64 {
    match argv.get(1).and_then(|n| srv.scripting.functions.get(n)) {
        Some(fi) => super::script_flags_to_cmd_flags(cmd.flags, fi.flags),
        None => cmd.flags,
    }
}

fn fcall_generic(ctx: &mut Ctx, ro: bool) -> CmdResult {
    if !ctx.srv.monitors.is_empty() {
        ctx.srv.feed_monitors(ctx.c, ctx.argv);
    }
    let Some(fi) = ctx.srv.scripting.functions.get(ctx.argv[1]) else {
        return Err(Error::err("ERR Function not found"));
    };
    let (fref, flags, name) = (fi.fref, fi.flags, fi.name.clone());
    let numkeys = crate::util::num::parse_i64(ctx.argv[2]).ok_or(Error::err("ERR Bad number of keys provided"))?;
    if numkeys > ctx.argc() as i64 - 3 {
        return Err(Error::err("ERR Number of keys can't be greater than number of args"));
    } else if numkeys < 0 {
        return Err(Error::err("ERR Number of keys can't be negative"));
    }
    let nk = numkeys as usize;
    let keys = &ctx.argv[3..3 + nk];
    let args = &ctx.argv[3 + nk..];
    let push = move |l: &mut Lua| {
        l.push_registry_ref(fref);
    };
    let argv_owned: Vec<Vec<u8>> = ctx.argv.iter().map(|a| a.to_vec()).collect();
    let res = super::run(
        ctx.srv,
        ctx.c,
        Engine::Function,
        &push,
        keys,
        args,
        name,
        flags & !sflags::EVAL_COMPAT_MODE,
        ro,
        argv_owned,
    );
    ctx.no_propagate = true;
    let out = res?;
    if out.error_uncounted {
        ctx.srv.cmd_stats[ctx.cmd.id].failed += 1;
    }
    Ok(())
}

/// `FCALL function numkeys [key ...] [arg ...]`
pub fn fcall_command(ctx: &mut Ctx) -> CmdResult {
    fcall_generic(ctx, false)
}

/// `FCALL_RO function numkeys [key ...] [arg ...]`
pub fn fcall_ro_command(ctx: &mut Ctx) -> CmdResult {
    fcall_generic(ctx, true)
}

/// `FUNCTION LOAD [REPLACE] function-code`
pub fn function_load_command(ctx: &mut Ctx) -> CmdResult {
    let mut replace = false;
    let mut pos = 2;
    while pos < ctx.argc() - 1 {
        let a = ctx.argv[pos];
        pos += 1;
        if a.eq_ignore_ascii_case(b"replace") {
            replace = true;
            continue;
        }
        return Err(Error::msg(format!("ERR Unknown option given: {}", String::from_utf8_lossy(a))));
    }
    if pos >= ctx.argc() {
        return Err(Error::err("ERR Function code is missing"));
    }
    let timeout = if ctx.c.has(crate::client::flags::MASTER) || ctx.srv.loading {
        0
    } else {
        LOAD_TIMEOUT_MS
    };
    let name = create_library(ctx.srv, ctx.argv[pos], replace, timeout).map_err(|e| Error::msg(format!("ERR {e}")))?;
    ctx.srv.add_dirty(1);
    ctx.c.reply.bulk(&name);
    Ok(())
}

/// `FUNCTION DELETE library-name`
pub fn function_delete_command(ctx: &mut Ctx) -> CmdResult {
    let funcs = &mut ctx.srv.scripting.functions;
    let Some(lib) = funcs.unlink(ctx.argv[2]) else {
        return Err(Error::err("ERR Library not found"));
    };
    funcs.free_library(lib);
    ctx.srv.add_dirty(1);
    ctx.c.reply.ok();
    Ok(())
}

/// `FUNCTION FLUSH [ASYNC|SYNC]`
pub fn function_flush_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.argc() > 3 {
        return Err(Error::msg(format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try FUNCTION HELP.",
            String::from_utf8_lossy(ctx.argv[1])
        )));
    }
    if ctx.argc() == 3 {
        let m = ctx.argv[2].to_ascii_lowercase();
        if m != b"sync" && m != b"async" {
            return Err(Error::err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"));
        }
    }
    ctx.srv.scripting.functions.clear();
    ctx.srv.add_dirty(1);
    ctx.c.reply.ok();
    Ok(())
}

/// `FUNCTION KILL`
pub fn function_kill_command(ctx: &mut Ctx) -> CmdResult {
    super::kill(false)?;
    ctx.c.reply.ok();
    Ok(())
}

/// `FUNCTION STATS`
pub fn function_stats_command(ctx: &mut Ctx) -> CmdResult {
    let run = super::current_run();
    if let Some(run) = run {
        if run.flags.get() & super::rf::EVAL_MODE != 0 {
            return Err(super::busy_error(true));
        }
    }
    let r = &mut ctx.c.reply;
    r.map_len(2);
    r.bulk(b"running_script");
    match run {
        None => r.null(),
        Some(run) => {
            r.map_len(3);
            r.bulk(b"name");
            r.bulk(&run.funcname);
            r.bulk(b"command");
            r.array_len(run.caller_argv.len());
            for a in &run.caller_argv {
                r.bulk(a);
            }
            r.bulk(b"duration_ms");
            r.int(super::run_duration_ms(run) as i64);
        }
    }
    let funcs = &ctx.srv.scripting.functions;
    r.bulk(b"engines");
    r.map_len(1);
    r.bulk(b"LUA");
    r.map_len(2);
    r.bulk(b"libraries_count");
    r.int(funcs.libraries.len() as i64);
    r.bulk(b"functions_count");
    r.int(funcs.functions.len() as i64);
    Ok(())
}

/// `FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]`
pub fn function_list_command(ctx: &mut Ctx) -> CmdResult {
    let mut with_code = false;
    let mut pattern: Option<&[u8]> = None;
    let mut i = 2;
    while i < ctx.argc() {
        let a = ctx.argv[i];
        if !with_code && a.eq_ignore_ascii_case(b"withcode") {
            with_code = true;
            i += 1;
            continue;
        }
        if pattern.is_none() && a.eq_ignore_ascii_case(b"libraryname") {
            if i >= ctx.argc() - 1 {
                return Err(Error::err("ERR library name argument was not given"));
            }
            pattern = Some(ctx.argv[i + 1]);
            i += 2;
            continue;
        }
        return Err(Error::msg(format!("ERR Unknown argument {}", String::from_utf8_lossy(a))));
    }
    let funcs = &ctx.srv.scripting.functions;
    let libs: Vec<&Library> = funcs
        .libraries
        .values()
        .filter(|l| pattern.is_none_or(|p| crate::util::glob::glob_match(p, &l.name, false)))
        .collect();
    let r = &mut ctx.c.reply;
    r.array_len(libs.len());
    for lib in libs {
        r.map_len(if with_code { 4 } else { 3 });
        r.bulk(b"library_name");
        r.bulk(&lib.name);
        r.bulk(b"engine");
        r.bulk(b"LUA");
        r.bulk(b"functions");
        r.array_len(lib.functions.len());
        for f in lib.functions.values() {
            r.map_len(3);
            r.bulk(b"name");
            r.bulk(&f.name);
            r.bulk(b"description");
            match &f.desc {
                Some(d) => r.bulk(d),
                None => r.null(),
            }
            r.bulk(b"flags");
            let names: Vec<&str> = FLAG_NAMES.iter().filter(|(_, fl)| f.flags & fl != 0).map(|(n, _)| *n).collect();
            r.set_len(names.len());
            for n in names {
                r.status(n.as_bytes());
            }
        }
        if with_code {
            r.bulk(b"library_code");
            r.bulk(&lib.code);
        }
    }
    Ok(())
}

/// The libraries as RDB FUNCTION2 records (`rdbSaveFunctions`).
pub fn write_rdb<W: std::io::Write>(srv: &Server, w: &mut crate::persist::rdb::codec::RdbWriter<W>) -> std::io::Result<()> {
    for lib in srv.scripting.functions.libraries.values() {
        w.u8(crate::persist::rdb::codec::OP_FUNCTION2)?;
        w.string(&lib.code)?;
    }
    Ok(())
}

/// `FUNCTION DUMP`
pub fn function_dump_command(ctx: &mut Ctx) -> CmdResult {
    use crate::persist::rdb::codec::{RdbWriter, CRC64, RDB_VERSION};
    let mut w = RdbWriter::new(Vec::new(), false, ctx.srv.cfg.rdbcompression);
    // Writing to a Vec cannot fail.
    let _ = write_rdb(ctx.srv, &mut w);
    let (mut payload, _) = w.into_parts();
    payload.extend_from_slice(&(RDB_VERSION as u16).to_le_bytes());
    let crc = CRC64.checksum(&payload);
    payload.extend_from_slice(&crc.to_le_bytes());
    ctx.c.reply.bulk(&payload);
    Ok(())
}

/// Reads the FUNCTION2 (or pre-GA FUNCTION) records of a payload.
fn read_libraries(data: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    use crate::persist::rdb::codec::{RdbReader, OP_FUNCTION2, OP_FUNCTION_PRE_GA};
    let body = &data[..data.len().saturating_sub(10)];
    let mut r = RdbReader::new(body);
    let mut codes = Vec::new();
    while (r.read as usize) < body.len() {
        let t = r.u8().map_err(|_| "can not read data type".to_string())?;
        if t != OP_FUNCTION2 && t != OP_FUNCTION_PRE_GA {
            return Err("given type is not a function".into());
        }
        codes.push(read_function_record(&mut r, t).map_err(|e| e.unwrap_or_else(|| "failed loading the given functions payload".into()))?);
    }
    Ok(codes)
}

/// One function record after its opcode: the library code, rebuilt from
/// the pre-GA layout when needed (`rdbFunctionLoad`).
pub fn read_function_record<R: std::io::Read>(r: &mut crate::persist::rdb::codec::RdbReader<R>, t: u8) -> Result<Vec<u8>, Option<String>> {
    if t == crate::persist::rdb::codec::OP_FUNCTION2 {
        return r.string().map_err(|_| Some("Failed loading library payload".into()));
    }
    let name = r.string().map_err(|_| Some("Failed loading library name".to_string()))?;
    let engine = r.string().map_err(|_| Some("Failed loading engine name".to_string()))?;
    let has_desc = r
        .len()
        .map_err(|_| Some("Failed loading library description indicator".to_string()))?;
    if has_desc != 0 {
        r.string().map_err(|_| Some("Failed loading library description".to_string()))?;
    }
    let blob = r.string().map_err(|_| Some("Failed loading library blob".to_string()))?;
    let mut code = b"#!".to_vec();
    code.extend_from_slice(&engine);
    code.extend_from_slice(b" name=");
    code.extend_from_slice(&name);
    code.push(b'\n');
    code.extend_from_slice(&blob);
    Ok(code)
}

/// `FUNCTION RESTORE serialized-value [FLUSH|APPEND|REPLACE]`
pub fn function_restore_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.argc() > 4 {
        return Err(Error::msg(format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try FUNCTION HELP.",
            String::from_utf8_lossy(ctx.argv[1])
        )));
    }
    #[derive(PartialEq)]
    enum Policy {
        Append,
        Replace,
        Flush,
    }
    let mut policy = Policy::Append;
    if ctx.argc() == 4 {
        let p = ctx.argv[3];
        policy = if p.eq_ignore_ascii_case(b"append") {
            Policy::Append
        } else if p.eq_ignore_ascii_case(b"replace") {
            Policy::Replace
        } else if p.eq_ignore_ascii_case(b"flush") {
            Policy::Flush
        } else {
            return Err(Error::err(
                "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            ));
        };
    }
    let data = ctx.argv[2];
    if !crate::persist::dump::verify_payload(ctx.srv, data) {
        return Err(Error::err("ERR DUMP payload version or checksum are wrong"));
    }
    let codes = read_libraries(data).map_err(|e| Error::msg(format!("ERR {e}")))?;
    // Build the new libraries aside, in a scratch set, so a failure
    // leaves the current ones untouched.
    let saved = std::mem::take(&mut ctx.srv.scripting.functions.libraries);
    let saved_names = std::mem::take(&mut ctx.srv.scripting.functions.functions);
    let mut loaded = Vec::new();
    let mut err = None;
    for code in &codes {
        match create_library(ctx.srv, code, false, 0) {
            Ok(name) => loaded.push(name),
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    let funcs = &mut ctx.srv.scripting.functions;
    let new_libs = std::mem::take(&mut funcs.libraries);
    funcs.functions.clear();
    funcs.libraries = saved;
    funcs.functions = saved_names;
    if let Some(e) = err {
        for (_, lib) in new_libs {
            funcs.free_library(lib);
        }
        return Err(Error::msg(format!("ERR {e}")));
    }
    if policy == Policy::Flush {
        funcs.clear();
        for (_, lib) in new_libs {
            funcs.link(lib);
        }
    } else {
        let replace = policy == Policy::Replace;
        // Libraries with the same name: refuse, or take them out.
        let mut displaced = Vec::new();
        for name in new_libs.keys() {
            if funcs.libraries.contains_key(name) {
                if !replace {
                    let e = format!("ERR Library {} already exists", String::from_utf8_lossy(name));
                    for (_, lib) in new_libs {
                        funcs.free_library(lib);
                    }
                    return Err(Error::msg(e));
                }
                if let Some(old) = funcs.unlink(name) {
                    displaced.push(old);
                }
            }
        }
        let clash = new_libs
            .values()
            .flat_map(|l| l.functions.keys())
            .find(|f| funcs.functions.contains_key(&f.to_ascii_lowercase()))
            .cloned();
        if let Some(f) = clash {
            for (_, lib) in new_libs {
                funcs.free_library(lib);
            }
            for old in displaced {
                funcs.link(old);
            }
            return Err(Error::msg(format!("ERR Function {} already exists", String::from_utf8_lossy(&f))));
        }
        for (_, lib) in new_libs {
            funcs.link(lib);
        }
        for old in displaced {
            funcs.free_library(old);
        }
    }
    ctx.srv.add_dirty(1);
    ctx.c.reply.ok();
    Ok(())
}

/// `FUNCTION HELP`
pub fn function_help_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.help(
        ctx.argv[0],
        &[
            "LOAD [REPLACE] <FUNCTION CODE>",
            "    Create a new library with the given library name and code.",
            "DELETE <LIBRARY NAME>",
            "    Delete the given library.",
            "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
            "    Return general information on all the libraries:",
            "    * Library name",
            "    * The engine used to run the Library",
            "    * Library description",
            "    * Functions list",
            "    * Library code (if WITHCODE is given)",
            "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
            "STATS",
            "    Return information about the current function running:",
            "    * Function name",
            "    * Command used to run the function",
            "    * Duration in MS that the function is running",
            "    If no function is running, return nil",
            "    In addition, returns a list of available engines.",
            "KILL",
            "    Kill the current running function.",
            "FLUSH [ASYNC|SYNC]",
            "    Delete all the libraries.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the libraries.",
            "    * SYNC: Synchronously flush the libraries.",
            "DUMP",
            "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
            "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
            "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
            "    control how to handle existing libraries (default APPEND):",
            "    * FLUSH: delete all existing libraries.",
            "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
            "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
            "      libraries with the new libraries (notice that even on this option there is a chance of failure",
            "      in case of functions name collision with another library).",
        ],
    );
    Ok(())
}

/// FUNCTION LOAD commands recreating every library (AOF rewrite).
pub fn load_commands(srv: &Server) -> Vec<Vec<Vec<u8>>> {
    srv.scripting
        .functions
        .libraries
        .values()
        .map(|l| vec![b"FUNCTION".to_vec(), b"LOAD".to_vec(), l.code.clone()])
        .collect()
}
