//! ACL and its subcommands (`aclCommand`), and AUTH (`authCommand`).

use super::user::{c_str, has_spaces, merge_selector_args, uflags, Denied, Selector, User};
use crate::client::Client;
use crate::commands::def::flags as f;
use crate::error::Error;
use crate::server::{CmdResult, Ctx, Server};

/// Largest ACL GENPASS size in bits.
const GENPASS_MAX_BITS: i64 = 4096;

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(c_str(b)).into_owned()
}

/// `ERR unknown subcommand or wrong number of arguments for '<sub>'`.
fn subcommand_syntax_error(ctx: &Ctx) -> Error {
    let sub = ctx.argv[1];
    Error::msg(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try ACL HELP.",
        lossy(&sub[..sub.len().min(128)])
    ))
}

impl Server {
    /// Creates a user or changes its rules, all or nothing
    /// (`ACLStringSetUser`): the rules are applied to a copy, which
    /// replaces the user only if every rule was valid. Pub/sub clients of
    /// the user that lost a channel are closed.
    pub fn acl_set_user(&mut self, name: &[u8], rules: &[Vec<u8>], current: &mut Client) -> Result<(), Error> {
        let merged = merge_selector_args(rules).map_err(|j| {
            Error::msg(format!(
                "ERR Unmatched parenthesis in acl selector starting at '{}'.",
                lossy(&rules[j])
            ))
        })?;
        let all_channels = self.acl_all_channels_default();
        let existing = self.acl.lookup(name);
        let env = self.acl.env(all_channels);
        let mut staged = match existing.and_then(|id| self.acl.user(id)) {
            Some(u) => u.clone(),
            None => User::new(env, name),
        };
        for op in &merged {
            staged
                .apply(env, op)
                .map_err(|e| Error::msg(format!("ERR Error in ACL SETUSER modifier '{}': {}", lossy(op), e.message())))?;
        }
        match existing {
            Some(id) => {
                if let Some(old) = self.acl.user(id).cloned() {
                    self.acl_kill_pubsub_clients_if_needed(&staged, &old, id, current);
                }
                if let Some(u) = self.acl.user_mut(id) {
                    *u = staged;
                }
            }
            None => {
                self.acl.insert(staged);
            }
        }
        Ok(())
    }
}

/// `ACL SETUSER username [rule ...]`
pub fn acl_setuser_command(ctx: &mut Ctx) -> CmdResult {
    let name = ctx.argv[2];
    if has_spaces(name) {
        return Err(Error::err("ERR Usernames can't contain spaces or null characters"));
    }
    let rules: Vec<Vec<u8>> = ctx.argv[3..].iter().map(|a| a.to_vec()).collect();
    ctx.srv.acl_set_user(name, &rules, ctx.c)?;
    ctx.c.reply.ok();
    Ok(())
}

/// `ACL DELUSER username [username ...]`
pub fn acl_deluser_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.argv[2..].iter().any(|n| *n == b"default") {
        return Err(Error::err("ERR The 'default' user cannot be removed"));
    }
    let mut gone = Vec::new();
    for name in &ctx.argv[2..] {
        if let Some(id) = ctx.srv.acl.remove(name) {
            gone.push(id);
        }
    }
    ctx.srv.acl_kill_clients_of(&gone, Some(ctx.c));
    ctx.c.reply.int(gone.len() as i64);
    Ok(())
}

/// Commands, keys and channels of a selector (`aclAddReplySelectorDescription`).
fn reply_selector(ctx: &mut Ctx, s: &Selector) {
    let commands = s.describe_commands(&ctx.srv.acl.table);
    let r = &mut ctx.c.reply;
    r.bulk(b"commands");
    r.bulk(commands.as_bytes());
    r.bulk(b"keys");
    r.bulk(&s.keys_text());
    r.bulk(b"channels");
    r.bulk(&s.channels_text());
}

/// `ACL GETUSER username`
pub fn acl_getuser_command(ctx: &mut Ctx) -> CmdResult {
    let Some(u) = ctx.srv.acl.lookup(ctx.argv[2]).and_then(|id| ctx.srv.acl.user(id)).cloned() else {
        ctx.c.reply.null();
        return Ok(());
    };
    let r = &mut ctx.c.reply;
    r.map_len(6);
    r.bulk(b"flags");
    let flags: Vec<&str> = uflags::NAMES.iter().filter(|(fl, _)| u.has(*fl)).map(|(_, n)| *n).collect();
    r.set_len(flags.len());
    for name in flags {
        r.bulk(name.as_bytes());
    }
    r.bulk(b"passwords");
    r.array_len(u.passwords.len());
    for h in &u.passwords {
        r.bulk(h);
    }
    reply_selector(ctx, &u.root);
    ctx.c.reply.bulk(b"selectors");
    ctx.c.reply.array_len(u.selectors.len());
    for s in &u.selectors {
        ctx.c.reply.map_len(3);
        reply_selector(ctx, s);
    }
    Ok(())
}

/// "user <name> <rules>": a line of ACL LIST and of the ACL file.
pub fn user_line(srv: &Server, u: &User) -> Vec<u8> {
    let mut line = b"user ".to_vec();
    line.extend_from_slice(&u.name);
    line.push(b' ');
    line.extend_from_slice(&u.describe(&srv.acl.table));
    line
}

/// `ACL LIST`
pub fn acl_list_command(ctx: &mut Ctx) -> CmdResult {
    let lines: Vec<Vec<u8>> = ctx.srv.acl.iter().map(|(_, u)| user_line(ctx.srv, u)).collect();
    ctx.c.reply.array_len(lines.len());
    for l in lines {
        ctx.c.reply.bulk(&l);
    }
    Ok(())
}

/// `ACL USERS`
pub fn acl_users_command(ctx: &mut Ctx) -> CmdResult {
    let names: Vec<Vec<u8>> = ctx.srv.acl.iter().map(|(_, u)| u.name.clone()).collect();
    ctx.c.reply.array_len(names.len());
    for n in names {
        ctx.c.reply.bulk(&n);
    }
    Ok(())
}

/// `ACL WHOAMI`
pub fn acl_whoami_command(ctx: &mut Ctx) -> CmdResult {
    match ctx.c.user {
        Some(id) => {
            let name = ctx.srv.acl.name_of(Some(id)).to_vec();
            ctx.c.reply.bulk(&name);
        }
        None => ctx.c.reply.null(),
    }
    Ok(())
}

fn no_acl_file() -> Error {
    Error::err("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.")
}

/// `ACL LOAD`
pub fn acl_load_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.srv.cfg.aclfile.is_empty() {
        return Err(no_acl_file());
    }
    let path = ctx.srv.cfg.aclfile.clone();
    match ctx.srv.acl_load_file(&path, Some(ctx.c)) {
        Ok(()) => {
            ctx.c.reply.ok();
            Ok(())
        }
        Err(errors) => Err(Error::msg(format!("ERR {errors}"))),
    }
}

/// `ACL SAVE`
pub fn acl_save_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.srv.cfg.aclfile.is_empty() {
        return Err(no_acl_file());
    }
    let path = ctx.srv.cfg.aclfile.clone();
    match ctx.srv.acl_save_file(&path) {
        Ok(()) => {
            ctx.c.reply.ok();
            Ok(())
        }
        Err(e) => {
            log::warn!("{e}");
            Err(Error::err(
                "ERR There was an error trying to save the ACLs. Please check the server logs for more information",
            ))
        }
    }
}

/// `ACL CAT [category]`
pub fn acl_cat_command(ctx: &mut Ctx) -> CmdResult {
    use crate::commands::def::acl as cat;
    match ctx.argc() {
        2 => {
            ctx.c.reply.array_len(cat::NAMES.len());
            for (_, name) in cat::NAMES {
                ctx.c.reply.bulk(name.as_bytes());
            }
        }
        3 => {
            let Some(cflag) = super::user::category_flag(ctx.argv[2]) else {
                let name = c_str(ctx.argv[2]);
                return Err(Error::msg(format!(
                    "ERR Unknown category '{}'",
                    lossy(&name[..name.len().min(128)])
                )));
            };
            let t = &ctx.srv.acl.table;
            let mut names = Vec::new();
            for &id in t.top() {
                for i in std::iter::once(id).chain(t.subs(id).iter().copied()) {
                    let cmd = t.cmd(i);
                    if !cmd.has(f::MODULE) && cmd.acl & cflag != 0 {
                        names.push(cmd.fullname.as_str());
                    }
                }
            }
            ctx.c.reply.array_len(names.len());
            for n in names {
                ctx.c.reply.bulk(n.as_bytes());
            }
        }
        _ => return Err(subcommand_syntax_error(ctx)),
    }
    Ok(())
}

/// `ACL GENPASS [bits]`
pub fn acl_genpass_command(ctx: &mut Ctx) -> CmdResult {
    let bits = match ctx.argc() {
        2 => 256,
        3 => crate::util::num::parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?,
        _ => return Err(subcommand_syntax_error(ctx)),
    };
    if bits <= 0 || bits > GENPASS_MAX_BITS {
        return Err(Error::msg(format!(
            "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to {GENPASS_MAX_BITS}"
        )));
    }
    let chars = ((bits + 3) / 4) as usize;
    let mut raw = vec![0u8; chars.div_ceil(2)];
    crate::util::random_bytes(&mut raw);
    let mut hex: Vec<u8> = raw
        .iter()
        .flat_map(|b| [b"0123456789abcdef"[usize::from(b >> 4)], b"0123456789abcdef"[usize::from(b & 15)]])
        .collect();
    hex.truncate(chars);
    ctx.c.reply.bulk(&hex);
    Ok(())
}

/// `ACL LOG [count | RESET]`
pub fn acl_log_command(ctx: &mut Ctx) -> CmdResult {
    let mut count: i64 = 10;
    match ctx.argc() {
        2 => {}
        3 => {
            if c_str(ctx.argv[2]).eq_ignore_ascii_case(b"reset") {
                ctx.srv.acl.log.reset();
                ctx.c.reply.ok();
                return Ok(());
            }
            count = crate::util::num::parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?.max(0);
        }
        _ => return Err(subcommand_syntax_error(ctx)),
    }
    let n = usize::try_from(count).unwrap_or(usize::MAX).min(ctx.srv.acl.log.len());
    let now = crate::util::mstime();
    let r = &mut ctx.c.reply;
    r.array_len(n);
    for e in ctx.srv.acl.log.iter().take(n) {
        r.map_len(7);
        r.bulk(b"count");
        r.int(e.count as i64);
        r.bulk(b"reason");
        r.bulk(e.reason.name().as_bytes());
        r.bulk(b"context");
        r.bulk(e.context.name().as_bytes());
        r.bulk(b"object");
        r.bulk(&e.object);
        r.bulk(b"username");
        r.bulk(&e.username);
        r.bulk(b"age-seconds");
        r.double((now - e.ctime) as f64 / 1000.0);
        r.bulk(b"client-info");
        r.bulk(e.client_info.as_bytes());
    }
    Ok(())
}

/// `ACL DRYRUN username command [arg ...]`: the check the gate would
/// make, without running anything or logging.
pub fn acl_dryrun_command(ctx: &mut Ctx) -> CmdResult {
    let Some(id) = ctx.srv.acl.lookup(ctx.argv[2]) else {
        return Err(Error::msg(format!("ERR User '{}' not found", lossy(ctx.argv[2]))));
    };
    let argv = &ctx.argv[3..];
    let reg = ctx.srv.cmds;
    let Some(cmd) = reg.lookup(argv) else {
        return Err(Error::msg(format!("ERR Command '{}' not found", lossy(argv[0]))));
    };
    let arity = cmd.def.arity;
    let argc = argv.len() as i32;
    if (arity > 0 && arity != argc) || argc < -arity {
        return Err(Error::msg(format!("ERR wrong number of arguments for '{}' command", cmd.fullname)));
    }
    match ctx.srv.acl.check(Some(id), cmd, argv) {
        Ok(()) => ctx.c.reply.ok(),
        Err(d) => {
            let text = match d {
                Denied::Command => format!("This user has no permissions to run the '{}' command", cmd.fullname),
                Denied::Key(p) => format!("This user has no permissions to access the '{}' key", lossy(argv[p])),
                Denied::Channel(p) => format!("This user has no permissions to access the '{}' channel", lossy(argv[p])),
            };
            ctx.c.reply.bulk(text.as_bytes());
        }
    }
    Ok(())
}

/// `ACL HELP`
pub fn acl_help_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.help(
        b"ACL",
        &[
            "CAT [<category>]",
            "    Without a category, list the command categories; with one, list the",
            "    commands and subcommands in it.",
            "DELUSER <username> [<username> ...]",
            "    Remove users (their connections are closed).",
            "DRYRUN <username> <command> [<arg> ...]",
            "    Tell whether the user could run the command, without running it.",
            "GETUSER <username>",
            "    Describe a user's flags, passwords and permissions.",
            "GENPASS [<bits>]",
            "    Return a random password, 256 bits long unless <bits> says otherwise.",
            "LIST",
            "    Every user, described in the ACL file format.",
            "LOAD",
            "    Replace the users with those of the configured ACL file.",
            "LOG [<count> | RESET]",
            "    Recent denied commands and failed authentications, or clear them.",
            "SAVE",
            "    Write the users to the configured ACL file.",
            "SETUSER <username> <attribute> [<attribute> ...]",
            "    Create a user, or change its rules.",
            "USERS",
            "    The names of every user.",
            "WHOAMI",
            "    The user this connection is authenticated as.",
        ],
    );
    Ok(())
}

/// `AUTH [username] password`
pub fn auth_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.argc() > 3 {
        return Err(Error::Syntax);
    }
    let (user, pass): (&[u8], &[u8]) = if ctx.argc() == 2 {
        if ctx.srv.default_user_nopass() {
            return Err(Error::err(
                "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
            ));
        }
        (b"default", ctx.argv[1])
    } else {
        (ctx.argv[1], ctx.argv[2])
    };
    if ctx.srv.acl_authenticate(ctx.c, user, pass, ctx.argv[0]) {
        ctx.c.reply.ok();
        Ok(())
    } else {
        Err(wrongpass())
    }
}

pub fn wrongpass() -> Error {
    Error::err("WRONGPASS invalid username-password pair or user is disabled.")
}
