//! CONFIG GET / SET / RESETSTAT / REWRITE / HELP.

use super::{all, flags, lookup, ConfigDef, SetOutcome};
use crate::error::Error;
use crate::resp::parser::split_args;
use crate::server::{CmdResult, Ctx};
use crate::util::glob::glob_match;

/// `CONFIG GET parameter [parameter ...]`
pub fn config_get_command(ctx: &mut Ctx) -> CmdResult {
    let mut found: Vec<(String, &'static ConfigDef)> = Vec::new();
    for pat in &ctx.argv[2..] {
        if !pat.iter().any(|c| matches!(c, b'[' | b'*' | b'?')) {
            if let Some(def) = lookup(pat) {
                let key = String::from_utf8_lossy(pat).into_owned();
                if !found.iter().any(|(k, _)| *k == key) {
                    found.push((key, def));
                }
            }
            continue;
        }
        for def in all() {
            if def.flags & flags::HIDDEN != 0 {
                continue;
            }
            for name in std::iter::once(def.name).chain(def.alias) {
                if glob_match(pat, name.as_bytes(), true) && !found.iter().any(|(k, _)| k == name) {
                    found.push((name.to_string(), def));
                }
            }
        }
    }
    let cfg = &ctx.srv.cfg;
    let r = &mut ctx.c.reply;
    r.map_len(found.len());
    for (name, def) in found {
        r.bulk(name.as_bytes());
        r.bulk(def.get(cfg).as_bytes());
    }
    Ok(())
}

/// The arguments a parameter's value splits into.
fn value_args(def: &ConfigDef, v: &[u8]) -> Option<Vec<Vec<u8>>> {
    if def.flags & flags::MULTI_ARG != 0 {
        split_args(v)
    } else {
        Some(vec![v.to_vec()])
    }
}

/// `CONFIG SET parameter value [parameter value ...]`: all or nothing.
pub fn config_set_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.argc() % 2 == 1 {
        return Err(Error::Syntax);
    }
    let mut defs: Vec<(&'static ConfigDef, &[u8])> = Vec::new();
    let mut first_bad: Option<&[u8]> = None;
    let mut err: Option<(String, String)> = None;
    let mut deny_loading = false;
    for pair in ctx.argv[2..].chunks(2) {
        let Some(def) = lookup(pair[0]) else {
            if first_bad.is_none() {
                first_bad = Some(pair[0]);
            }
            continue;
        };
        if ctx.srv.loading && def.flags & flags::DENY_LOADING != 0 {
            deny_loading = true;
        }
        if first_bad.is_some() || err.is_some() {
            continue;
        }
        let protected_denied =
            def.flags & flags::PROTECTED != 0 && !ctx.srv.protected_action_allowed(ctx.srv.cfg.enable_protected_configs, ctx.c);
        if def.flags & flags::IMMUTABLE != 0 || protected_denied {
            let why = if def.flags & flags::IMMUTABLE != 0 {
                "can't set immutable config"
            } else {
                "can't set protected config"
            };
            err = Some((String::from_utf8_lossy(pair[0]).into_owned(), why.into()));
            continue;
        }
        if def.flags & flags::DENY_LOADING != 0 && (ctx.srv.loading || ctx.srv.repl.async_loading) {
            // Redis gives the loading error precedence (clients retry it).
            return Err(Error::Loading);
        }
        if defs.iter().any(|(d, _)| std::ptr::eq(*d, def)) {
            err = Some((String::from_utf8_lossy(pair[0]).into_owned(), "duplicate parameter".into()));
            continue;
        }
        defs.push((def, pair[1]));
    }
    // -LOADING wins: clients may handle it differently from a plain error.
    if deny_loading {
        return Err(Error::Loading);
    }
    if let Some(bad) = first_bad {
        return Err(Error::msg(format!(
            "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
            String::from_utf8_lossy(bad)
        )));
    }
    if let Some((name, why)) = err {
        return Err(Error::msg(format!(
            "ERR CONFIG SET failed (possibly related to argument '{name}') - {why}"
        )));
    }
    // Remember old values to roll back.
    let old: Vec<String> = defs.iter().map(|(d, _)| d.get(&ctx.srv.cfg)).collect();
    let restore = |ctx: &mut Ctx, upto: usize| {
        for (i, (d, _)) in defs.iter().enumerate().take(upto) {
            if let Some(args) = value_args(d, old[i].as_bytes()) {
                let _ = d.set(&mut ctx.srv.cfg, &args);
            }
        }
    };
    let mut applies: Vec<(super::ApplyFn, &'static str)> = Vec::new();
    for (i, (def, v)) in defs.iter().enumerate() {
        let res = match value_args(def, v) {
            Some(args) => def.set(&mut ctx.srv.cfg, &args),
            None => Err("Unbalanced quotes in configuration line".into()),
        };
        match res {
            Ok(SetOutcome::Changed) => {
                if let Some(f) = def.apply {
                    if !applies.iter().any(|(g, _)| std::ptr::fn_addr_eq(*g, f)) {
                        applies.push((f, def.name));
                    }
                }
            }
            Ok(SetOutcome::Unchanged) => {}
            Err(why) => {
                restore(ctx, i + 1);
                return Err(Error::msg(format!(
                    "ERR CONFIG SET failed (possibly related to argument '{}') - {why}",
                    def.name
                )));
            }
        }
    }
    for (f, name) in &applies {
        if let Err(why) = f(ctx.srv) {
            log::warn!("Failed applying new configuration. Possibly related to new {name} setting. Restoring previous settings.");
            restore(ctx, defs.len());
            for (g, _) in &applies {
                let _ = g(ctx.srv);
            }
            return Err(Error::msg(format!(
                "ERR CONFIG SET failed (possibly related to argument '{name}') - {why}"
            )));
        }
    }
    ctx.c.reply.ok();
    Ok(())
}

/// `CONFIG RESETSTAT`
pub fn config_resetstat_command(ctx: &mut Ctx) -> CmdResult {
    let srv = &mut *ctx.srv;
    srv.stats = Default::default();
    srv.lazyfree.reset_stats();
    srv.stats.peak_memory = crate::alloc::used_memory();
    for s in &mut srv.cmd_stats {
        *s = Default::default();
    }
    srv.error_stats.clear();
    srv.repl.stat_sync_full = 0;
    srv.repl.stat_sync_partial_ok = 0;
    srv.repl.stat_sync_partial_err = 0;
    srv.repl.stat_net_input_bytes = 0;
    srv.repl.stat_net_output_bytes = 0;
    ctx.c.reply.ok();
    Ok(())
}

/// `CONFIG REWRITE`
pub fn config_rewrite_command(ctx: &mut Ctx) -> CmdResult {
    let Some(path) = ctx.srv.config_file.clone() else {
        return Err(Error::err("ERR The server is running without a config file"));
    };
    let users = ctx.srv.acl_config_lines();
    match super::file::rewrite(&path, &ctx.srv.cfg, false, users.as_deref()) {
        Ok(()) => {
            log::info!("CONFIG REWRITE executed with success.");
            ctx.c.reply.ok();
            Ok(())
        }
        Err(e) => {
            log::warn!("CONFIG REWRITE failed: {e}");
            Err(Error::msg(format!("ERR Rewriting config file: {e}")))
        }
    }
}

/// `CONFIG HELP`
pub fn config_help_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.help(
        ctx.argv[0],
        &[
            "GET <pattern>",
            "    Return the parameters whose names match <pattern> and their values.",
            "SET <directive> <value>",
            "    Change a parameter. Several pairs may be given; all or none apply.",
            "RESETSTAT",
            "    Reset the statistics INFO reports.",
            "REWRITE",
            "    Write the running configuration back to the config file.",
        ],
    );
    Ok(())
}
