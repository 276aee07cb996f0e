//! Running one command: the ordered gate every command passes
//! (`processCommand`) and `call`, which runs the handler and does the
//! bookkeeping after it (stats, error counting, propagation).

use super::{Ctx, PauseKind, Server};
use crate::client::{flags as cf, Client};
use crate::commands::def::flags as f;
use crate::commands::Command;
use crate::error::Error;

/// An argument as C's `%s` prints it: up to the first NUL.
fn c_str(a: &[u8]) -> &[u8] {
    match a.iter().position(|&b| b == 0) {
        Some(i) => &a[..i],
        None => a,
    }
}

/// The error for a command name that is not in the table.
fn unknown_command_error(srv: &Server, argv: &[&[u8]]) -> Error {
    if let Some(base) = srv.cmds.get(argv[0]) {
        if base.is_container() && argv.len() > 1 {
            return Error::msg(format!(
                "ERR unknown subcommand '{}'. Try {} HELP.",
                String::from_utf8_lossy(&c_str(argv[1])[..c_str(argv[1]).len().min(128)]),
                String::from_utf8_lossy(argv[0]).to_uppercase()
            ));
        }
    }
    let mut args = String::new();
    for a in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let a = c_str(a);
        let room = 128 - args.len();
        let shown = String::from_utf8_lossy(&a[..a.len().min(room)]).into_owned();
        args.push('\'');
        args.push_str(&shown);
        args.push_str("' ");
    }
    let name0 = c_str(argv[0]);
    let name = String::from_utf8_lossy(&name0[..name0.len().min(128)]).into_owned();
    Error::msg(format!("ERR unknown command '{name}', with args beginning with: {args}"))
}

impl Server {
    /// Whether `c` must authenticate before running commands.
    pub fn auth_required(&self, c: &Client) -> bool {
        !c.authenticated && !self.cfg.requirepass.is_empty()
    }

    /// Rejects a command before running it (`rejectCommand`): inside
    /// MULTI this also dooms the transaction.
    fn reject(&mut self, c: &mut Client, cmd: Option<&Command>, e: Error) {
        if c.has(cf::MULTI) {
            c.flags |= cf::DIRTY_EXEC;
        }
        if cmd.is_some_and(|cmd| cmd.fullname == "exec") {
            // `execCommandAbort`: a rejected EXEC ends the transaction.
            self.discard_transaction(c);
            let abort = Error::msg(format!("EXECABORT Transaction discarded because of: {}", e.text()));
            self.reply_error(c, &abort);
        } else {
            self.reply_error(c, &e);
        }
        if let Some(cmd) = cmd {
            self.cmd_stats[cmd.id].rejected += 1;
        }
        self.prev_err_count = self.stats.total_error_replies;
    }

    /// The gate in front of every command (`processCommand`). The order of
    /// the checks decides which error a client sees; it is Redis's.
    pub fn process_command(&mut self, c: &mut Client, argv: &[&[u8]]) {
        let reg = self.cmds;
        let Some(cmd) = reg.lookup(argv) else {
            let e = unknown_command_error(self, argv);
            self.reject(c, None, e);
            return;
        };
        c.last_cmd = Some(cmd);
        let arity = cmd.def.arity;
        let argc = argv.len() as i32;
        if (arity > 0 && arity != argc) || argc < -arity {
            self.reject(c, Some(cmd), Error::WrongArity(cmd.fullname.clone()));
            return;
        }
        if cmd.has(f::PROTECTED) {
            let setting = if cmd.fullname.starts_with("debug") {
                Some((self.cfg.enable_debug_command, "DEBUG", "enable-debug-command"))
            } else if cmd.fullname.starts_with("module") {
                Some((self.cfg.enable_module_command, "MODULE", "enable-module-command"))
            } else {
                None
            };
            if let Some((v, name, opt)) = setting {
                if !self.protected_action_allowed(v, c) {
                    let e = Error::msg(format!(
                        "ERR {name} command not allowed. If the {opt} option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
                    ));
                    self.reject(c, Some(cmd), e);
                    return;
                }
            }
        }
        if self.auth_required(c) && !cmd.has(f::NO_AUTH) {
            self.reject(c, Some(cmd), Error::NoAuth);
            return;
        }
        if c.has(cf::MULTI) && cmd.has(f::NO_MULTI) {
            self.reject(c, Some(cmd), Error::err("ERR Command not allowed inside a transaction"));
            return;
        }
        // What the command (or, for EXEC, the queued ones) may do. EVAL and
        // FCALL gate on the flags their script declares.
        let cmd_flags = self.command_flags(cmd, argv);
        let is_exec = cmd.fullname == "exec";
        let queued = if is_exec { c.mstate.cmd_flags } else { 0 };
        let queued_inv = if is_exec { c.mstate.cmd_inv_flags } else { 0 };
        let is_write = cmd_flags & f::WRITE != 0 || queued & f::WRITE != 0;
        let is_read = cmd_flags & f::READONLY != 0 || queued & f::READONLY != 0;
        let may_replicate = cmd_flags & (f::WRITE | f::MAY_REPLICATE) != 0 || queued & (f::WRITE | f::MAY_REPLICATE) != 0;
        let deny_stale = cmd_flags & f::STALE == 0 || queued_inv & f::STALE != 0;
        let deny_loading = cmd_flags & f::LOADING == 0 || queued_inv & f::LOADING != 0;
        let deny_async_loading = cmd_flags & f::NO_ASYNC_LOADING != 0 || queued & f::NO_ASYNC_LOADING != 0;
        // Our master's commands are applied whatever our own state.
        let obey = c.must_obey();
        if self.cfg.maxmemory != 0 && crate::scripting::busy_script().is_none() {
            let oom = self.perform_evictions() == crate::db::evict::EvictResult::Fail;
            let mut reject_on_oom = cmd_flags & f::DENYOOM != 0;
            if c.has(cf::MULTI) && !matches!(cmd.fullname.as_str(), "exec" | "discard" | "quit" | "reset") {
                reject_on_oom = true;
            }
            if cmd.fullname == "exec" && c.mstate.cmd_flags & f::DENYOOM != 0 {
                reject_on_oom = true;
            }
            if oom && reject_on_oom {
                self.reject(c, Some(cmd), Error::Oom);
                return;
            }
            self.pre_command_oom_state = oom;
        }
        self.tracking_limit_used_slots();
        // Invalidations caused before the command runs (evicted keys, the
        // tracking table limit) reach this client before its reply.
        if !self.current_output.is_empty() && !c.has(cf::REPLY_OFF | cf::REPLY_SKIP) {
            let out = std::mem::take(&mut self.current_output);
            c.reply.raw(&out);
        }
        if self.writes_denied_by_disk_error() && (is_write || cmd.fullname == "ping") {
            if !obey {
                self.reject(c, Some(cmd), Error::Misconf);
                return;
            }
            if cmd.fullname != "ping" && self.mstime > self.repl.link.disk_error_logged + 10_000 {
                self.repl.link.disk_error_logged = self.mstime;
                log::warn!("Replica is applying a command even though it is unable to write to disk.");
            }
        }
        if is_write && !self.good_replicas_ok() {
            self.reject(c, Some(cmd), Error::NoReplicas);
            return;
        }
        if self.is_replica() && self.cfg.replica_read_only && !obey && is_write {
            self.reject(c, Some(cmd), Error::ReadOnlyReplica);
            return;
        }
        if c.has(cf::PUBSUB) && c.reply.resp == 2 && !allowed_in_pubsub(cmd) {
            let e = Error::msg(format!(
                "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                cmd.fullname
            ));
            self.reject(c, Some(cmd), e);
            return;
        }
        if self.is_replica()
            && self.repl.link.state != crate::repl::replica::LinkState::Connected
            && !self.cfg.replica_serve_stale_data
            && deny_stale
        {
            self.reject(c, Some(cmd), Error::MasterDown);
            return;
        }
        if self.loading && !self.repl.async_loading && deny_loading {
            self.reject(c, Some(cmd), Error::Loading);
            return;
        }
        if self.repl.async_loading && deny_async_loading {
            self.reject(c, Some(cmd), Error::Loading);
            return;
        }
        if let Some(eval) = crate::scripting::busy_script() {
            if !cmd.has(f::ALLOW_BUSY) {
                self.reject(c, Some(cmd), crate::scripting::busy_error(eval));
                return;
            }
        }
        if c.has(cf::SLAVE) && (may_replicate || is_write || is_read) {
            self.reject(c, Some(cmd), Error::err("ERR Replica can't interact with the keyspace"));
            return;
        }
        if self.pause != PauseKind::None && self.command_paused(c, cmd, argv) {
            // `blockClient(c, BLOCKED_POSTPONE)`: no reply now; the command
            // is parsed and checked again when the pause ends.
            c.flags |= cf::POSTPONED;
            if !self.paused_clients.contains(&c.key) {
                self.paused_clients.push(c.key);
            }
            return;
        }
        if c.has(cf::MULTI) && !matches!(cmd.fullname.as_str(), "exec" | "discard" | "multi" | "watch" | "quit" | "reset") {
            self.queue_multi_command(c, cmd, argv, cmd_flags);
            return;
        }
        self.call(c, cmd, argv);
    }

    /// `allowProtectedAction`: yes, or local only.
    pub fn protected_action_allowed(&self, setting: i32, c: &Client) -> bool {
        use crate::config::enums::{PROTECTED_ACTION_LOCAL, PROTECTED_ACTION_YES};
        setting == PROTECTED_ACTION_YES || (setting == PROTECTED_ACTION_LOCAL && is_local_client(c))
    }

    /// Runs a command and does the bookkeeping after it (`call`).
    pub fn call(&mut self, c: &mut Client, cmd: &'static Command, argv: &[&[u8]]) {
        let Some(handler) = cmd.handler else {
            let e = Error::unknown_subcommand(argv[0], argv.get(1).copied().unwrap_or(b""));
            self.reply_error(c, &e);
            return;
        };
        // Nested calls (EXEC, scripts) keep the time of the first one.
        if self.fixed_time_expire == 0 {
            self.update_cached_time();
        }
        self.fixed_time_expire += 1;
        self.call_depth += 1;
        let dirty_before = self.dirty.get();
        let start = crate::util::monotonic_ns();
        let db = c.db;
        let mut ctx = Ctx {
            srv: &mut *self,
            c: &mut *c,
            argv,
            cmd,
            propagate_as: None,
            no_propagate: false,
            force_propagate: false,
        };
        let res = handler(&mut ctx);
        let (propagate_as, no_propagate, force) = (ctx.propagate_as.take(), ctx.no_propagate, ctx.force_propagate);
        if let Err(e) = res {
            self.reply_error(c, &e);
        }
        let duration_ns = crate::util::monotonic_ns().saturating_sub(start);
        self.fixed_time_expire -= 1;
        let tracking = self.cfg.latency_tracking;
        let st = &mut self.cmd_stats[cmd.id];
        // A command that blocked is counted when it is finally served.
        if !c.has(cf::BLOCKED) {
            st.calls += 1;
            st.usec += duration_ns / 1000;
            if tracking {
                st.latency.get_or_insert_with(Default::default).record(duration_ns);
            }
        }
        // Failed when errors were replied since the last command finished
        // (`incrCommandStatsOnError`): an EXEC whose queued command failed
        // is not itself failed, that command is.
        if self.stats.total_error_replies > self.prev_err_count && !c.has(cf::BLOCKED) {
            st.failed += 1;
        }
        self.prev_err_count = self.stats.total_error_replies;
        // Read-only scripts are not tracked themselves: the commands they
        // run are (see `script_call`).
        if cmd.has(f::READONLY)
            && c.has(cf::TRACKING)
            && !c.has(cf::TRACKING_BCAST)
            && !matches!(cmd.fullname.as_str(), "eval_ro" | "evalsha_ro" | "fcall_ro")
        {
            self.tracking_remember_keys(c, cmd, argv);
        }
        self.stats.numcommands += 1;
        let duration_us = duration_ns / 1000;
        self.latency_sample(if cmd.has(f::FAST) { "fast-command" } else { "command" }, duration_us / 1000);
        if !c.has(cf::BLOCKED) && !cmd.has(f::SKIP_SLOWLOG) {
            self.slowlog_push(c, argv, duration_us);
        }
        if !self.monitors.is_empty() && !cmd.has(f::SKIP_MONITOR | f::ADMIN) {
            self.feed_monitors(c, argv);
        }
        if (self.dirty.get() > dirty_before || force) && !no_propagate && !self.loading && self.propagation_needed() {
            let argv_owned = propagate_as.unwrap_or_else(|| argv.iter().map(|a| a.to_vec()).collect());
            self.propagate(db, argv_owned);
        }
        if self.dirty.get() > dirty_before && cmd.has(f::WRITE) && self.is_replica() && !self.cfg.replica_read_only {
            self.remember_replica_keys_with_expire(c, cmd, argv);
        }
        self.call_depth -= 1;
        if self.call_depth == 0 {
            self.flush_propagation_with(!cmd.has(f::TOUCHES_ARBITRARY_KEYS));
        }
        // Where the stream stood after this client's command (WAIT).
        c.woff = self.repl.master_repl_offset;
    }

    /// Sends a command line to every MONITOR client (`replicationFeedMonitors`).
    pub fn feed_monitors(&mut self, c: &Client, argv: &[&[u8]]) {
        let us = crate::util::ustime();
        let mut line = format!("+{}.{:06} ", us / 1_000_000, us % 1_000_000);
        if c.has(cf::SCRIPT) {
            line.push_str(&format!("[{} lua] ", c.db));
        } else if c.has(cf::UNIX_SOCKET) {
            line.push_str(&format!("[{} unix:{}] ", c.db, self.cfg.unixsocket));
        } else {
            line.push_str(&format!("[{} {}] ", c.db, c.addr));
        }
        let hide = crate::slowlog::redacted(argv);
        for (j, a) in argv.iter().enumerate() {
            if hide[j] {
                line.push_str("\"(redacted)\"");
            } else {
                line.push_str(&crate::config::file::repr(a));
            }
            if j + 1 != argv.len() {
                line.push(' ');
            }
        }
        line.push_str("\r\n");
        for key in self.monitors.clone() {
            self.with_client_output(key, |r| r.raw(line.as_bytes()));
        }
    }
}

/// EVAL, FCALL and their variants: their gate flags come from the script.
#[inline]
fn is_script_command(cmd: &Command) -> bool {
    cmd.has(f::NOSCRIPT) && cmd.def.group == crate::commands::def::Group::Scripting && !cmd.fullname.contains('|')
}

/// Commands a RESP2 client in subscribed state may still run.
fn allowed_in_pubsub(cmd: &Command) -> bool {
    matches!(
        cmd.fullname.as_str(),
        "ping" | "subscribe" | "ssubscribe" | "unsubscribe" | "sunsubscribe" | "psubscribe" | "punsubscribe" | "quit" | "reset"
    )
}

/// A unix-socket client or one connected from a loopback address.
pub fn is_local_client(c: &Client) -> bool {
    if c.has(cf::UNIX_SOCKET) {
        return true;
    }
    let ip = match c.addr.rfind(':') {
        Some(i) => &c.addr[..i],
        None => c.addr.as_str(),
    };
    ip == "::1" || ip.starts_with("127.")
}

impl Server {
    /// True when CLIENT PAUSE holds this command back.
    pub fn command_paused(&self, c: &Client, cmd: &Command, argv: &[&[u8]]) -> bool {
        if c.has(cf::SLAVE) {
            return false;
        }
        match self.pause {
            PauseKind::None => false,
            PauseKind::All => true,
            PauseKind::Write => {
                let replicates = f::WRITE | f::MAY_REPLICATE;
                self.command_flags(cmd, argv) & replicates != 0 || (cmd.fullname == "exec" && c.mstate.cmd_flags & replicates != 0)
            }
        }
    }

    /// The flags a command runs with (`getCommandFlags`): the table's,
    /// except where the call itself decides (a script's shebang flags).
    pub fn command_flags(&self, cmd: &Command, argv: &[&[u8]]) -> u64 {
        if is_script_command(cmd) {
            self.effective_command_flags(cmd, argv)
        } else {
            cmd.flags
        }
    }
}
