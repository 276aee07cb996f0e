//! COMMAND and its subcommands: the table describing itself
//! (`commandCommand` and friends in server.c).

use super::def::{argflags, docflags, keyflags, Arg, BeginSearch, FindKeys, KeySpec};
use super::{get_keys, Command, Registry};
use crate::error::Error;
use crate::resp::ReplyBuf;
use crate::server::{CmdResult, Ctx};

fn flag_names<T: Copy + std::ops::BitAnd<Output = T> + PartialEq + Default>(r: &mut ReplyBuf, v: T, names: &[(T, &str)]) {
    let set: Vec<&str> = names.iter().filter(|(f, _)| v & *f != T::default()).map(|(_, n)| *n).collect();
    r.set_len(set.len());
    for n in set {
        r.status(n.as_bytes());
    }
}

fn reply_key_specs(r: &mut ReplyBuf, specs: &[KeySpec]) {
    r.set_len(specs.len());
    for s in specs {
        r.map_len(3 + usize::from(s.notes.is_some()));
        if let Some(n) = s.notes {
            r.bulk(b"notes");
            r.bulk(n.as_bytes());
        }
        r.bulk(b"flags");
        flag_names(r, s.flags, keyflags::NAMES);
        r.bulk(b"begin_search");
        r.map_len(2);
        r.bulk(b"type");
        match s.begin {
            BeginSearch::Index(pos) => {
                r.bulk(b"index");
                r.bulk(b"spec");
                r.map_len(1);
                r.bulk(b"index");
                r.int(i64::from(pos));
            }
            BeginSearch::Keyword { keyword, startfrom } => {
                r.bulk(b"keyword");
                r.bulk(b"spec");
                r.map_len(2);
                r.bulk(b"keyword");
                r.bulk(keyword.as_bytes());
                r.bulk(b"startfrom");
                r.int(i64::from(startfrom));
            }
            BeginSearch::Unknown => {
                r.bulk(b"unknown");
                r.bulk(b"spec");
                r.map_len(0);
            }
        }
        r.bulk(b"find_keys");
        r.map_len(2);
        r.bulk(b"type");
        match s.find {
            FindKeys::Range { lastkey, step, limit } => {
                r.bulk(b"range");
                r.bulk(b"spec");
                r.map_len(3);
                r.bulk(b"lastkey");
                r.int(i64::from(lastkey));
                r.bulk(b"keystep");
                r.int(i64::from(step));
                r.bulk(b"limit");
                r.int(i64::from(limit));
            }
            FindKeys::Keynum { keynumidx, firstkey, step } => {
                r.bulk(b"keynum");
                r.bulk(b"spec");
                r.map_len(3);
                r.bulk(b"keynumidx");
                r.int(i64::from(keynumidx));
                r.bulk(b"firstkey");
                r.int(i64::from(firstkey));
                r.bulk(b"keystep");
                r.int(i64::from(step));
            }
            FindKeys::Unknown => {
                r.bulk(b"unknown");
                r.bulk(b"spec");
                r.map_len(0);
            }
        }
    }
}

/// One command's COMMAND INFO entry (`addReplyCommandInfo`).
fn reply_info(r: &mut ReplyBuf, reg: &Registry, c: &Command) {
    r.array_len(10);
    r.bulk(c.fullname.as_bytes());
    r.int(i64::from(c.def.arity));
    flag_names(r, c.flags, super::def::flags::REPLY_NAMES);
    r.int(i64::from(c.legacy.0));
    r.int(i64::from(c.legacy.1));
    r.int(i64::from(c.legacy.2));
    let cats: Vec<&str> = super::def::acl::NAMES
        .iter()
        .filter(|(f, _)| c.acl & f != 0)
        .map(|(_, n)| *n)
        .collect();
    r.set_len(cats.len());
    for cat in cats {
        let mut s = b"@".to_vec();
        s.extend_from_slice(cat.as_bytes());
        r.status(&s);
    }
    r.set_len(c.def.tips.len());
    for t in c.def.tips {
        r.bulk(t.as_bytes());
    }
    reply_key_specs(r, c.def.key_specs);
    if c.is_container() {
        let subs = reg.subs_of(c);
        r.array_len(subs.len());
        for s in subs {
            reply_info(r, reg, s);
        }
    } else {
        r.set_len(0);
    }
}

fn reply_args(r: &mut ReplyBuf, args: &[Arg]) {
    r.array_len(args.len());
    for a in args {
        let nested = matches!(a.typ, super::def::ArgType::OneOf | super::def::ArgType::Block);
        let n = 2
            + usize::from(a.key_spec_index != -1)
            + usize::from(a.token.is_some())
            + usize::from(a.summary.is_some())
            + usize::from(a.since.is_some())
            + usize::from(a.deprecated_since.is_some())
            + usize::from(a.flags != 0)
            + usize::from(nested);
        r.map_len(n);
        r.bulk(b"name");
        r.bulk(a.name.as_bytes());
        r.bulk(b"type");
        r.bulk(a.typ.name().as_bytes());
        if a.key_spec_index != -1 {
            r.bulk(b"key_spec_index");
            r.int(i64::from(a.key_spec_index));
        }
        for (field, v) in [
            ("token", a.token),
            ("summary", a.summary),
            ("since", a.since),
            ("deprecated_since", a.deprecated_since),
        ] {
            if let Some(v) = v {
                r.bulk(field.as_bytes());
                r.bulk(v.as_bytes());
            }
        }
        if a.flags != 0 {
            r.bulk(b"flags");
            flag_names(
                r,
                a.flags,
                &[
                    (argflags::OPTIONAL, "optional"),
                    (argflags::MULTIPLE, "multiple"),
                    (argflags::MULTIPLE_TOKEN, "multiple_token"),
                ],
            );
        }
        if nested {
            r.bulk(b"arguments");
            reply_args(r, a.subargs);
        }
    }
}

/// One command's COMMAND DOCS entry (`addReplyCommandDocs`).
fn reply_docs(r: &mut ReplyBuf, reg: &Registry, c: &Command) {
    let d = c.def;
    let n = 1
        + usize::from(!d.summary.is_empty())
        + usize::from(!d.since.is_empty())
        + usize::from(!d.complexity.is_empty())
        + usize::from(d.doc_flags != 0)
        + usize::from(d.deprecated_since.is_some())
        + usize::from(d.replaced_by.is_some())
        + usize::from(!d.history.is_empty())
        + usize::from(!d.args.is_empty())
        + usize::from(c.is_container());
    r.map_len(n);
    if !d.summary.is_empty() {
        r.bulk(b"summary");
        r.bulk(d.summary.as_bytes());
    }
    if !d.since.is_empty() {
        r.bulk(b"since");
        r.bulk(d.since.as_bytes());
    }
    r.bulk(b"group");
    r.bulk(d.group.name().as_bytes());
    if !d.complexity.is_empty() {
        r.bulk(b"complexity");
        r.bulk(d.complexity.as_bytes());
    }
    if d.doc_flags != 0 {
        r.bulk(b"doc_flags");
        flag_names(
            r,
            d.doc_flags,
            &[(docflags::DEPRECATED, "deprecated"), (docflags::SYSCMD, "syscmd")],
        );
    }
    if let Some(v) = d.deprecated_since {
        r.bulk(b"deprecated_since");
        r.bulk(v.as_bytes());
    }
    if let Some(v) = d.replaced_by {
        r.bulk(b"replaced_by");
        r.bulk(v.as_bytes());
    }
    if !d.history.is_empty() {
        r.bulk(b"history");
        r.set_len(d.history.len());
        for (since, change) in d.history {
            r.array_len(2);
            r.bulk(since.as_bytes());
            r.bulk(change.as_bytes());
        }
    }
    if !d.args.is_empty() {
        r.bulk(b"arguments");
        reply_args(r, d.args);
    }
    if c.is_container() {
        r.bulk(b"subcommands");
        let subs = reg.subs_of(c);
        r.map_len(subs.len());
        for s in subs {
            r.bulk(s.fullname.as_bytes());
            reply_docs(r, reg, s);
        }
    }
}

fn visible(reg: &Registry) -> Vec<&Command> {
    reg.top_level().into_iter().filter(|c| reg.is_visible(c)).collect()
}

/// `COMMAND` — every command's info.
pub fn command_command(ctx: &mut Ctx) -> CmdResult {
    let reg = ctx.srv.cmds;
    let all = visible(reg);
    ctx.c.reply.array_len(all.len());
    for c in all {
        reply_info(&mut ctx.c.reply, reg, c);
    }
    Ok(())
}

/// `COMMAND COUNT`
pub fn command_count_command(ctx: &mut Ctx) -> CmdResult {
    let n = visible(ctx.srv.cmds).len();
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `COMMAND INFO [command-name ...]`
pub fn command_info_command(ctx: &mut Ctx) -> CmdResult {
    let reg = ctx.srv.cmds;
    if ctx.argc() == 2 {
        return command_command(ctx);
    }
    ctx.c.reply.array_len(ctx.argc() - 2);
    for name in &ctx.argv[2..] {
        match reg.lookup_by_fullname(name) {
            Some(c) => reply_info(&mut ctx.c.reply, reg, c),
            None => ctx.c.reply.null(),
        }
    }
    Ok(())
}

/// `COMMAND DOCS [command-name ...]`
pub fn command_docs_command(ctx: &mut Ctx) -> CmdResult {
    let reg = ctx.srv.cmds;
    if ctx.argc() == 2 {
        let all = visible(reg);
        ctx.c.reply.map_len(all.len());
        for c in all {
            ctx.c.reply.bulk(c.fullname.as_bytes());
            reply_docs(&mut ctx.c.reply, reg, c);
        }
        return Ok(());
    }
    let found: Vec<&Command> = ctx.argv[2..].iter().filter_map(|n| reg.lookup_by_fullname(n)).collect();
    ctx.c.reply.map_len(found.len());
    for c in found {
        ctx.c.reply.bulk(c.fullname.as_bytes());
        reply_docs(&mut ctx.c.reply, reg, c);
    }
    Ok(())
}

enum ListFilter<'a> {
    None,
    Module,
    AclCat(Option<u64>),
    Pattern(&'a [u8]),
}

/// `COMMAND LIST [FILTERBY MODULE name | ACLCAT cat | PATTERN pattern]`
pub fn command_list_command(ctx: &mut Ctx) -> CmdResult {
    let mut filter = ListFilter::None;
    let mut i = 2;
    while i < ctx.argc() {
        let more = ctx.argc() - 1 - i;
        if ctx.argv[i].eq_ignore_ascii_case(b"filterby") && more == 2 {
            let kind = ctx.argv[i + 1].to_ascii_lowercase();
            let arg = ctx.argv[i + 2];
            filter = match kind.as_slice() {
                b"module" => ListFilter::Module,
                b"aclcat" => ListFilter::AclCat(
                    super::def::acl::NAMES
                        .iter()
                        .find(|(_, n)| n.as_bytes().eq_ignore_ascii_case(arg))
                        .map(|(f, _)| *f),
                ),
                b"pattern" => ListFilter::Pattern(arg),
                _ => return Err(Error::Syntax),
            };
            i += 3;
        } else {
            return Err(Error::Syntax);
        }
    }
    let reg = ctx.srv.cmds;
    let mut names: Vec<&str> = Vec::new();
    for c in visible(reg) {
        for x in std::iter::once(c).chain(reg.subs_of(c)) {
            let keep = match &filter {
                ListFilter::None => true,
                ListFilter::Module => false,
                ListFilter::AclCat(cat) => cat.is_some_and(|f| x.acl & f != 0),
                ListFilter::Pattern(p) => crate::util::glob::glob_match(p, x.fullname.as_bytes(), true),
            };
            if keep {
                names.push(&x.fullname);
            }
        }
    }
    ctx.c.reply.array_len(names.len());
    for n in names {
        ctx.c.reply.bulk(n.as_bytes());
    }
    Ok(())
}

fn getkeys_impl(ctx: &mut Ctx, with_flags: bool) -> CmdResult {
    let reg = ctx.srv.cmds;
    let args = &ctx.argv[2..];
    let Some(cmd) = reg.lookup(args) else {
        return Err(Error::err("ERR Invalid command specified"));
    };
    let has_keys = cmd.def.getkeys.is_some() || cmd.def.key_specs.iter().any(|s| s.flags & keyflags::NOT_KEY == 0);
    if !has_keys {
        return Err(Error::err("ERR The command has no key arguments"));
    }
    let arity = cmd.def.arity;
    let argc = args.len() as i32;
    if (arity > 0 && arity != argc) || argc < -arity {
        return Err(Error::err("ERR Invalid number of arguments specified for command"));
    }
    let mut keys = Vec::new();
    get_keys(cmd, args, &mut keys);
    if keys.is_empty() {
        if cmd.has(super::def::flags::NO_MANDATORY_KEYS) {
            ctx.c.reply.array_len(0);
            return Ok(());
        }
        return Err(Error::err("ERR Invalid arguments specified for command"));
    }
    let r = &mut ctx.c.reply;
    r.array_len(keys.len());
    for k in keys {
        if with_flags {
            r.array_len(2);
            r.bulk(args[k.pos]);
            flag_names(r, k.flags, keyflags::NAMES);
        } else {
            r.bulk(args[k.pos]);
        }
    }
    Ok(())
}

/// `COMMAND GETKEYS command [arg ...]`
pub fn command_getkeys_command(ctx: &mut Ctx) -> CmdResult {
    getkeys_impl(ctx, false)
}

/// `COMMAND GETKEYSANDFLAGS command [arg ...]`
pub fn command_getkeysandflags_command(ctx: &mut Ctx) -> CmdResult {
    getkeys_impl(ctx, true)
}

/// `COMMAND HELP`
pub fn command_help_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.help(
        ctx.argv[0],
        &[
            "(no subcommand)",
            "    Return details about every command.",
            "COUNT",
            "    Return how many commands this server has.",
            "LIST",
            "    Return the names of every command.",
            "INFO [<command-name> ...]",
            "    Return details about the given commands, or about all of them",
            "    when no name is given.",
            "DOCS [<command-name> ...]",
            "    Return the documentation of the given commands, or of all of",
            "    them when no name is given.",
            "GETKEYS <full-command>",
            "    Return the keys of a complete command line.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys of a complete command line with their access flags.",
        ],
    );
    Ok(())
}
