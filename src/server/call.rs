//! Running one command: the ordered gate every command passes
//! (`processCommand`) and `call`, which runs the handler and does the
//! bookkeeping after it (stats, error counting, propagation).

use super::{Ctx, PauseKind, Server};
use crate::client::{flags as cf, Client};
use crate::commands::def::flags as f;
use crate::commands::{Command, Kind};
use crate::error::Error;

/// The client whose command is running (`server.current_client` and what
/// hangs off it). `execute_request` sets it around each command; between
/// commands `key` is None and `output` and `client_flags` are empty. A
/// busy script serving other clients from inside its command keeps it
/// aside meanwhile (`process_events_while_blocked` saves it whole).
pub struct Running {
    /// Slab key of the client.
    pub key: Option<usize>,
    /// Its protocol (2 or 3).
    pub resp: u8,
    /// Whether it is in pub/sub mode.
    pub pubsub: bool,
    /// Output for it produced by others (messages it published to itself,
    /// invalidations): added after its reply.
    pub output: Vec<u8>,
    /// Flags for clients that are out of the slab while they run (the
    /// running one, a script's caller), applied when they are back.
    pub client_flags: Vec<(usize, u64)>,
}

impl Default for Running {
    fn default() -> Running {
        Running {
            key: None,
            resp: 2,
            pubsub: false,
            output: Vec::new(),
            client_flags: Vec::new(),
        }
    }
}

/// The `call` in progress and those nested in it (EXEC and scripts call
/// commands). Between commands `depth` and `fixed_time_expire` are 0,
/// `propagation` is empty, `in_exec` is false and `targets` is AOF|REPL.
pub struct CallState {
    /// Nesting of `call`.
    pub depth: u32,
    /// While > 0 the time is fixed for expiry decisions (`now_ms`), so a
    /// key cannot expire half way through a command, a transaction or a
    /// script.
    pub fixed_time_expire: u32,
    /// Error replies counted when the last command finished (for the
    /// failed_calls of the next one).
    pub prev_err_count: u64,
    /// Commands to hand to AOF and replicas when the outermost call ends,
    /// with their targets (`PROPAGATE_AOF | PROPAGATE_REPL`).
    pub propagation: Vec<(usize, Vec<Vec<u8>>, u8)>,
    /// EXEC is running its queued commands.
    pub in_exec: bool,
    /// Where `propagate` sends commands (`redis.set_repl` in a script).
    pub targets: u8,
    /// Whether memory was over maxmemory when the command passed the gate
    /// (scripts check it before their first write).
    pub oom_at_start: bool,
}

impl Default for CallState {
    fn default() -> CallState {
        CallState {
            depth: 0,
            fixed_time_expire: 0,
            prev_err_count: 0,
            propagation: Vec::new(),
            in_exec: false,
            targets: crate::scripting::PROPAGATE_AOF | crate::scripting::PROPAGATE_REPL,
            oom_at_start: false,
        }
    }
}

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
    /// Rejects a command before running it (`rejectCommand`): inside
    /// MULTI this also dooms the transaction.
    fn reject(&mut self, c: &mut Client, cmd: Option<&Command>, e: Error) {
        if c.has(cf::MULTI) {
            c.flags |= cf::DIRTY_EXEC;
        }
        if cmd.is_some_and(|cmd| cmd.kind == Kind::Exec) {
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
        self.calls.prev_err_count = self.stats.total_error_replies;
    }

    /// The gate in front of every command (`processCommand`): a sequence
    /// of checks in Redis's order, which decides the error a client sees.
    /// A new check (ACL, cluster redirection, client eviction) is one more
    /// line in `gate`, at the place Redis has it.
    pub fn process_command(&mut self, c: &mut Client, argv: &[&[u8]]) {
        if is_cross_protocol_attack(argv[0]) {
            self.security_warning(c);
            return;
        }
        let reg = self.cmds;
        let Some(cmd) = reg.lookup(argv) else {
            let e = unknown_command_error(self, argv);
            self.reject(c, None, e);
            return;
        };
        c.last_cmd = Some(cmd);
        match self.gate(c, cmd, argv) {
            Ok(()) => self.call(c, cmd, argv),
            Err(Stop::Reject(e)) => self.reject(c, Some(cmd), e),
            Err(Stop::Held) => {}
        }
    }

    /// The checks, in `processCommand`'s order. Ok: run the command now.
    fn gate(&mut self, c: &mut Client, cmd: &'static Command, argv: &[&[u8]]) -> Result<(), Stop> {
        gate_arity(cmd, argv)?;
        self.gate_protected(c, cmd)?;
        self.gate_auth(c, cmd)?;
        gate_no_multi(c, cmd)?;
        self.acl_gate(c, cmd, argv).map_err(Stop::Reject)?;
        // (Cluster redirection goes here, as in Redis.)
        self.gate_client_eviction(c)?;
        let g = self.gate_facts(c, cmd, argv);
        self.gate_oom(c, cmd, &g)?;
        self.tracking_limit_used_slots();
        // Invalidations caused before the command runs (evicted keys, the
        // tracking table limit) reach this client before its reply.
        if !self.running.output.is_empty() && !c.has(cf::REPLY_OFF | cf::REPLY_SKIP) {
            let out = std::mem::take(&mut self.running.output);
            c.reply.raw(&out);
        }
        self.gate_disk_error(cmd, &g)?;
        self.gate_min_replicas(&g)?;
        self.gate_read_only_replica(&g)?;
        gate_pubsub_context(c, cmd)?;
        self.gate_stale_replica(&g)?;
        self.gate_loading(&g)?;
        gate_busy_script(cmd)?;
        gate_replica_keyspace(c, &g)?;
        self.gate_pause(c, cmd, argv)?;
        self.gate_queue_in_multi(c, cmd, argv, &g)
    }

    /// What the checks need to know about the command (`processCommand`'s
    /// `is_*_command` locals): EXEC is judged by what it queued, EVAL and
    /// FCALL by their script's flags.
    #[inline]
    fn gate_facts(&self, c: &Client, cmd: &Command, argv: &[&[u8]]) -> GateFacts {
        let flags = self.command_flags(cmd, argv);
        let is_exec = cmd.kind == Kind::Exec;
        let queued = if is_exec { c.mstate.cmd_flags } else { 0 };
        let queued_inv = if is_exec { c.mstate.cmd_inv_flags } else { 0 };
        GateFacts {
            flags,
            is_write: flags & f::WRITE != 0 || queued & f::WRITE != 0,
            is_read: flags & f::READONLY != 0 || queued & f::READONLY != 0,
            may_replicate: flags & (f::WRITE | f::MAY_REPLICATE) != 0 || queued & (f::WRITE | f::MAY_REPLICATE) != 0,
            deny_stale: flags & f::STALE == 0 || queued_inv & f::STALE != 0,
            deny_loading: flags & f::LOADING == 0 || queued_inv & f::LOADING != 0,
            deny_async_loading: flags & f::NO_ASYNC_LOADING != 0 || queued & f::NO_ASYNC_LOADING != 0,
            denyoom: flags & f::DENYOOM != 0 || queued & f::DENYOOM != 0,
            // Our master's commands are applied whatever our own state.
            obey: c.must_obey(),
        }
    }

    /// DEBUG and MODULE as `enable-debug-command` / `enable-module-command`
    /// allow them.
    #[inline]
    fn gate_protected(&self, c: &Client, cmd: &Command) -> Result<(), Stop> {
        if !cmd.has(f::PROTECTED) {
            return Ok(());
        }
        let (setting, name, opt) = match cmd.family {
            Kind::Debug => (self.cfg.enable_debug_command, "DEBUG", "enable-debug-command"),
            Kind::Module => (self.cfg.enable_module_command, "MODULE", "enable-module-command"),
            _ => return Ok(()),
        };
        if self.protected_action_allowed(setting, c) {
            return Ok(());
        }
        Err(Stop::Reject(Error::msg(format!(
            "ERR {name} command not allowed. If the {opt} option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
        ))))
    }

    #[inline]
    fn gate_auth(&self, c: &Client, cmd: &Command) -> Result<(), Stop> {
        if self.auth_required(c) && !cmd.has(f::NO_AUTH) {
            return Err(Stop::Reject(Error::NoAuth));
        }
        Ok(())
    }

    /// maxmemory-clients: close clients while they use too much, before
    /// the command adds to it; if this very client went, its command does
    /// not run (and gets no reply).
    fn gate_client_eviction(&mut self, c: &mut Client) -> Result<(), Stop> {
        // Counted with the request it just read (a big argument).
        self.update_client_mem_and_bucket(c);
        if self.evict_clients(Some(c)) {
            return Err(Stop::Held);
        }
        Ok(())
    }

    /// maxmemory: evict first; refuse memory-hungry commands if still over
    /// (inside MULTI every queued command is).
    #[inline]
    fn gate_oom(&mut self, c: &Client, cmd: &Command, g: &GateFacts) -> Result<(), Stop> {
        if self.cfg.maxmemory == 0 {
            return Ok(());
        }
        self.gate_oom_slow(c, cmd, g)
    }

    fn gate_oom_slow(&mut self, c: &Client, cmd: &Command, g: &GateFacts) -> Result<(), Stop> {
        if crate::scripting::busy_script().is_some() {
            return Ok(());
        }
        let oom = self.perform_evictions() == crate::db::evict::EvictResult::Fail;
        let reject_on_oom = g.denyoom || (c.has(cf::MULTI) && !cmd.kind.ends_multi());
        if oom && reject_on_oom {
            return Err(Stop::Reject(Error::Oom));
        }
        self.calls.oom_at_start = oom;
        Ok(())
    }

    /// Writes (and PING) are refused while the last save or AOF write
    /// failed, except from our master.
    #[inline(always)]
    fn gate_disk_error(&mut self, cmd: &Command, g: &GateFacts) -> Result<(), Stop> {
        if !self.writes_denied_by_disk_error() || !(g.is_write || cmd.kind == Kind::Ping) {
            return Ok(());
        }
        self.gate_disk_error_slow(cmd, g)
    }

    #[cold]
    #[inline(never)]
    fn gate_disk_error_slow(&mut self, cmd: &Command, g: &GateFacts) -> Result<(), Stop> {
        let is_ping = cmd.kind == Kind::Ping;
        if !g.obey {
            return Err(Stop::Reject(Error::Misconf));
        }
        if !is_ping && self.mstime > self.repl.link.disk_error_logged + 10_000 {
            self.repl.link.disk_error_logged = self.mstime;
            log::warn!("Replica is applying a command even though it is unable to write to disk.");
        }
        Ok(())
    }

    /// `min-replicas-to-write`.
    #[inline(always)]
    fn gate_min_replicas(&self, g: &GateFacts) -> Result<(), Stop> {
        if g.is_write && !self.good_replicas_ok() {
            return Err(Stop::Reject(Error::NoReplicas));
        }
        Ok(())
    }

    #[inline]
    fn gate_read_only_replica(&self, g: &GateFacts) -> Result<(), Stop> {
        if self.is_replica() && self.cfg.replica_read_only && !g.obey && g.is_write {
            return Err(Stop::Reject(Error::ReadOnlyReplica));
        }
        Ok(())
    }

    /// `replica-serve-stale-data no` while the link to our master is down.
    #[inline]
    fn gate_stale_replica(&self, g: &GateFacts) -> Result<(), Stop> {
        if self.is_replica()
            && self.repl.link.state != crate::repl::replica::LinkState::Connected
            && !self.cfg.replica_serve_stale_data
            && g.deny_stale
        {
            return Err(Stop::Reject(Error::MasterDown));
        }
        Ok(())
    }

    #[inline]
    fn gate_loading(&self, g: &GateFacts) -> Result<(), Stop> {
        let loading = self.loading && !self.repl.async_loading && g.deny_loading;
        if loading || (self.repl.async_loading && g.deny_async_loading) {
            return Err(Stop::Reject(Error::Loading));
        }
        Ok(())
    }

    /// CLIENT PAUSE holds the command back (`blockClient(c,
    /// BLOCKED_POSTPONE)`): no reply now; it is parsed and checked again
    /// when the pause ends.
    #[inline]
    fn gate_pause(&mut self, c: &mut Client, cmd: &Command, argv: &[&[u8]]) -> Result<(), Stop> {
        if self.pause == PauseKind::None {
            return Ok(());
        }
        self.gate_pause_slow(c, cmd, argv)
    }

    #[cold]
    fn gate_pause_slow(&mut self, c: &mut Client, cmd: &Command, argv: &[&[u8]]) -> Result<(), Stop> {
        if !self.command_paused(c, cmd, argv) {
            return Ok(());
        }
        c.flags |= cf::POSTPONED;
        if !self.paused_clients.contains(&c.key) {
            self.paused_clients.push(c.key);
        }
        Err(Stop::Held)
    }

    /// Inside MULTI, everything but the transaction commands is queued.
    #[inline]
    fn gate_queue_in_multi(&mut self, c: &mut Client, cmd: &'static Command, argv: &[&[u8]], g: &GateFacts) -> Result<(), Stop> {
        if c.has(cf::MULTI) && !cmd.kind.runs_inside_multi() {
            self.queue_multi_command(c, cmd, argv, g.flags);
            return Err(Stop::Held);
        }
        Ok(())
    }

    /// `securityWarningCommand`: a browser was tricked into talking to us
    /// (POST, Host:); log it at most once a minute and drop the connection.
    fn security_warning(&mut self, c: &mut Client) {
        let now = crate::util::mstime() / 1000;
        if now - self.last_security_warning >= 60 {
            log::warn!("Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.");
            self.last_security_warning = now;
        }
        c.flags |= cf::CLOSE_ASAP;
        self.close_asap_marked = true;
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
        if self.calls.fixed_time_expire == 0 {
            self.update_cached_time();
        }
        self.calls.fixed_time_expire += 1;
        self.calls.depth += 1;
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
        self.calls.fixed_time_expire -= 1;
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
        if self.stats.total_error_replies > self.calls.prev_err_count && !c.has(cf::BLOCKED) {
            st.failed += 1;
        }
        self.calls.prev_err_count = self.stats.total_error_replies;
        // Read-only scripts are not tracked themselves: the commands they
        // run are (see `script_call`).
        if cmd.has(f::READONLY) && c.has(cf::TRACKING) && !c.has(cf::TRACKING_BCAST) && !cmd.kind.is_read_only_script() {
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
        self.calls.depth -= 1;
        if self.calls.depth == 0 {
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

/// Why the gate did not let a command run now.
enum Stop {
    /// Refused with this error.
    Reject(Error),
    /// Held back without a reply: queued in MULTI, or postponed by CLIENT
    /// PAUSE.
    Held,
}

/// What the gate's checks read, computed once per command.
struct GateFacts {
    /// The flags the command runs with (`getCommandFlags`).
    flags: u64,
    is_write: bool,
    is_read: bool,
    may_replicate: bool,
    deny_stale: bool,
    deny_loading: bool,
    deny_async_loading: bool,
    denyoom: bool,
    obey: bool,
}

/// `POST` or `Host:` as a command: HTTP sent to us (cross-protocol
/// scripting).
#[inline]
fn is_cross_protocol_attack(name: &[u8]) -> bool {
    match name.len() {
        4 => name.eq_ignore_ascii_case(b"post"),
        5 => name.eq_ignore_ascii_case(b"host:"),
        _ => false,
    }
}

#[inline]
fn gate_arity(cmd: &Command, argv: &[&[u8]]) -> Result<(), Stop> {
    let arity = cmd.def.arity;
    let argc = argv.len() as i32;
    if (arity > 0 && arity != argc) || argc < -arity {
        return Err(Stop::Reject(Error::WrongArity(cmd.fullname.clone())));
    }
    Ok(())
}

#[inline]
fn gate_no_multi(c: &Client, cmd: &Command) -> Result<(), Stop> {
    if c.has(cf::MULTI) && cmd.has(f::NO_MULTI) {
        return Err(Stop::Reject(Error::err("ERR Command not allowed inside a transaction")));
    }
    Ok(())
}

/// A RESP2 client in subscribed state may only (un)subscribe, PING, QUIT
/// and RESET.
#[inline(always)]
fn gate_pubsub_context(c: &Client, cmd: &Command) -> Result<(), Stop> {
    if c.has(cf::PUBSUB) && c.reply.resp == 2 && !cmd.kind.allowed_in_resp2_pubsub() {
        return Err(pubsub_context_error(cmd));
    }
    Ok(())
}

#[cold]
#[inline(never)]
fn pubsub_context_error(cmd: &Command) -> Stop {
    Stop::Reject(Error::msg(format!(
        "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
        cmd.fullname
    )))
}

/// While a script runs past busy-script-time, only ALLOW_BUSY commands.
#[inline]
fn gate_busy_script(cmd: &Command) -> Result<(), Stop> {
    if let Some(eval) = crate::scripting::busy_script() {
        if !cmd.has(f::ALLOW_BUSY) {
            return Err(Stop::Reject(crate::scripting::busy_error(eval)));
        }
    }
    Ok(())
}

/// A replica connected to us may not touch the keyspace.
#[inline]
fn gate_replica_keyspace(c: &Client, g: &GateFacts) -> Result<(), Stop> {
    if c.has(cf::SLAVE) && (g.may_replicate || g.is_write || g.is_read) {
        return Err(Stop::Reject(Error::err("ERR Replica can't interact with the keyspace")));
    }
    Ok(())
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
                self.command_flags(cmd, argv) & replicates != 0 || (cmd.kind == Kind::Exec && c.mstate.cmd_flags & replicates != 0)
            }
        }
    }

    /// The flags a command runs with (`getCommandFlags`): the table's,
    /// except where the call itself decides (a script's shebang flags).
    pub fn command_flags(&self, cmd: &Command, argv: &[&[u8]]) -> u64 {
        if cmd.kind.runs_script() {
            self.effective_command_flags(cmd, argv)
        } else {
            cmd.flags
        }
    }
}
