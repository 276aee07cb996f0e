//! Start-up, the event loop, signals and shutdown (`initServer`, `main`,
//! `aeMain`, `beforeSleep`, `prepareForShutdown` in server.c).
//!
//! The loop: before sleeping, run input held back last time, flush
//! replies, free closed clients; then poll for events with a timeout that
//! ends at the next cron tick; then dispatch events; then run the cron if
//! it is due.

use super::{PauseKind, Server};
use crate::ae::Tok;
use crate::commands::Registry;
use crate::config::Config;
use crate::db::Db;
use crate::net::listener::{listen_tcp, listen_unix, Listener};
use mio::{Events, Interest, Poll};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

static SIGNAL_PIPE_WR: AtomicI32 = AtomicI32::new(-1);
/// A shutdown signal was received and the shutdown has not been given up
/// (mirror of `shutdown_asap` that the signal handler can read).
static SHUTDOWN_PENDING: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(sig: libc::c_int) {
    if sig == libc::SIGINT && SHUTDOWN_PENDING.load(Ordering::Relaxed) {
        // A second Ctrl-C while the shutdown (maybe a long foreground
        // save) runs: leave now, without the half-written temp RDB
        // (sigShutdownHandler). Only async-signal-safe calls here.
        crate::util::log::log_from_handler(b"You insist... exiting now.");
        crate::persist::rdb::remove_temp_file_from_handler();
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(1) };
    }
    let fd = SIGNAL_PIPE_WR.load(Ordering::Relaxed);
    if fd >= 0 {
        let b = sig as u8;
        // SAFETY: write(2) is async-signal-safe; `b` lives for the call.
        unsafe { libc::write(fd, (&b as *const u8).cast(), 1) };
    }
}

/// Installs SIGTERM/SIGINT handlers writing to a non-blocking pipe that the
/// loop polls; ignores SIGPIPE.
fn install_signal_pipe() -> io::Result<OwnedFd> {
    let mut fds = [0i32; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 returns.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    SIGNAL_PIPE_WR.store(fds[1], Ordering::Relaxed);
    // SAFETY: installing plain handlers that only call write(2); SIG_IGN
    // for SIGPIPE so writes to closed sockets return EPIPE instead.
    unsafe {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::signal(libc::SIGTERM, handler);
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    // SAFETY: fds[0] is a fresh descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fds[0]) })
}

impl Server {
    pub fn new(cfg: Config, cmds: &'static Registry, config_file: Option<String>, executable: String) -> Server {
        let now = crate::util::mstime();
        let ndbs = cfg.databases.max(1) as usize;
        let hz = cfg.hz;
        crate::ds::dict::set_maxmemory(cfg.maxmemory.max(0) as u64);
        let replica = cfg.special.replicaof.is_some();
        let mut srv = Server {
            running: Default::default(),
            calls: Default::default(),
            cmd_stats: vec![Default::default(); cmds.cmds.len()],
            acl: crate::acl::Acl::new(cmds),
            cmds,
            dbs: (0..ndbs).map(Db::new).collect(),
            clients: slab::Slab::new(),
            next_client_id: 1,
            listeners: Vec::new(),
            cluster: None,
            tls: None,
            registry: None,
            poll: None,
            sig_fd: None,
            in_events_while_blocked: false,
            busy_poll: Default::default(),
            polled_at_us: 0,
            ready_events: Default::default(),
            loading_progress: Default::default(),
            lazyfree: Default::default(),
            oom: Default::default(),
            stats: Default::default(),
            error_stats: Default::default(),
            dirty: Default::default(),
            mstime: now,
            unixtime: now / 1000,
            lru_clock: crate::db::lru_clock_at(now),
            start_time: now / 1000,
            start_monotonic_us: crate::util::monotonic_us(),
            run_id: crate::util::random_hex40(),
            replid: crate::util::random_hex40(),
            replid2: "0".repeat(40),
            executable,
            config_file,
            pending_write: Vec::new(),
            pending_read: Vec::new(),
            paused_clients: Vec::new(),
            to_close: Vec::new(),
            close_asap_marked: false,
            shutdown_asap: false,
            shutdown_flags: 0,
            last_signal: 0,
            supervised_mode: crate::server::supervise::NONE,
            pause: PauseKind::None,
            pause_end_ms: 0,
            cronloops: 0,
            hz,
            active_expire_enabled: true,
            lastsave: now / 1000,
            lastbgsave_ok: true,
            pid: std::process::id(),
            protected_warning_done: false,
            active_expire_state: Default::default(),
            loading: false,
            defrag: Default::default(),
            pubsub: Default::default(),
            monitors: Vec::new(),
            pause_cron: false,
            client_mem: Default::default(),
            client_by_id: Default::default(),
            tracking: Default::default(),
            slowlog: Default::default(),
            latency_monitor: Default::default(),
            blocking: Default::default(),
            eviction_pool: Default::default(),
            persist: Default::default(),
            dirty_before_bgsave: 0,
            loading_aof_preamble: false,
            skip_checksum_validation: false,
            rdb_load_allow_dup: false,
            repl: Default::default(),
            repl_sync_requested: false,
            aof: Default::default(),
            scripting: Default::default(),
            migrate_sockets: Default::default(),
            changes: Default::default(),
            ts_index: Default::default(),
            last_security_warning: 0,
            reply_buffer_peak_reset_time: crate::client::REPLY_BUFFER_PEAK_RESET_MS,
            reply_buffer_resizing: true,
            cfg,
        };
        srv.acl_update_default_password();
        if replica {
            // `replicaof` in the config: the cron connects.
            srv.repl.link.state = crate::repl::replica::LinkState::Connect;
            crate::util::log::set_role(b'S');
        }
        srv
    }

    /// Binds every listener. On failure, logs Redis's message and returns
    /// the error (the caller exits non-zero).
    #[allow(clippy::result_unit_err)] // the reason is already logged, as Redis does
    pub fn listen(&mut self) -> Result<(), ()> {
        if self.tls_wanted() {
            if let Err(e) = self.configure_tls() {
                log::warn!("{e}");
                log::warn!("Failed to configure TLS. Check logs for more info.");
                return Err(());
            }
        }
        if self.cfg.port != 0 {
            match listen_tcp(&self.cfg.special.bind, self.cfg.port as u16, self.cfg.tcp_backlog as i32, false) {
                Ok(ls) => self.listeners.extend(ls),
                Err((addr, e)) => {
                    log::warn!(
                        "Warning: Could not create server TCP listening socket {}:{}: {}",
                        addr,
                        self.cfg.port,
                        crate::util::strerror(&e)
                    );
                    log::warn!("Failed listening on port {} (tcp), aborting.", self.cfg.port);
                    return Err(());
                }
            }
        }
        if self.cfg.tls_port != 0 {
            match listen_tcp(&self.cfg.special.bind, self.cfg.tls_port as u16, self.cfg.tcp_backlog as i32, true) {
                Ok(ls) => self.listeners.extend(ls),
                Err((addr, e)) => {
                    log::warn!(
                        "Warning: Could not create server TCP listening socket {}:{}: {}",
                        addr,
                        self.cfg.tls_port,
                        crate::util::strerror(&e)
                    );
                    log::warn!("Failed listening on port {} (TLS), aborting.", self.cfg.tls_port);
                    return Err(());
                }
            }
        }
        if !self.cfg.unixsocket.is_empty() {
            match listen_unix(&self.cfg.unixsocket, self.cfg.unixsocketperm as u32, self.cfg.tcp_backlog as i32) {
                Ok(l) => self.listeners.push(l),
                Err(e) => {
                    log::warn!("Failed opening Unix socket: {}", crate::util::strerror(&e));
                    return Err(());
                }
            }
        }
        if self.listeners.is_empty() {
            log::warn!("Configured to not listen anywhere, exiting.");
            return Err(());
        }
        Ok(())
    }

    fn register_listeners(&mut self, poll: &Poll) -> io::Result<()> {
        for (i, l) in self.listeners.iter_mut().enumerate() {
            poll.registry().register(l, Tok::Listener(i).into(), Interest::READABLE)?;
        }
        Ok(())
    }

    /// Re-binds the TCP listeners of `port` (`plain`) and of `tls-port`
    /// (`tls`) after CONFIG SET port/tls-port/bind (`changeListenPort`,
    /// `changeBindAddr`): the old sockets close first, so the same address
    /// and port can be bound again. On failure none of those listeners is
    /// left; CONFIG SET then restores the old values and calls this again.
    pub fn rebind(&mut self) -> Result<(), String> {
        self.rebind_listeners(true, true)
    }

    pub fn rebind_listeners(&mut self, plain: bool, tls: bool) -> Result<(), String> {
        let reg = self.registry.as_ref().ok_or("no event loop")?;
        let mut kept: Vec<Listener> = Vec::new();
        for mut l in self.listeners.drain(..) {
            let replaced = if l.is_tls() { tls } else { plain && !l.is_unix() };
            if replaced {
                let _ = reg.deregister(&mut l);
            } else {
                kept.push(l);
            }
        }
        // Dropping the old TCP listeners closes them before the new bind.
        let (bind, backlog) = (&self.cfg.special.bind, self.cfg.tcp_backlog as i32);
        let mut new = Ok(Vec::new());
        if plain && self.cfg.port != 0 {
            new = listen_tcp(bind, self.cfg.port as u16, backlog, false);
        }
        if tls && self.cfg.tls_port != 0 {
            if let Ok(n) = new.as_mut() {
                match listen_tcp(bind, self.cfg.tls_port as u16, backlog, true) {
                    Ok(t) => n.extend(t),
                    Err(e) => new = Err(e),
                }
            }
        }
        let new = match new {
            Ok(n) => n,
            Err((addr, e)) => {
                self.listeners = kept;
                self.reregister_listeners()?;
                return Err(format!(
                    "Failed to bind to specified addresses ({addr}): {}",
                    crate::util::strerror(&e)
                ));
            }
        };
        kept.extend(new);
        self.listeners = kept;
        self.reregister_listeners()
    }

    /// Registers the listeners under their tokens, after the list changed.
    fn reregister_listeners(&mut self) -> Result<(), String> {
        let reg = self.registry.as_ref().ok_or("no event loop")?;
        let mut res = Ok(());
        for (i, l) in self.listeners.iter_mut().enumerate() {
            let _ = reg.deregister(l);
            if let Err(e) = reg.register(l, Tok::Listener(i).into(), Interest::READABLE) {
                res = Err(e.to_string());
            }
        }
        res
    }

    /// Work done before every sleep (`beforeSleep`).
    fn before_sleep(&mut self) {
        self.repl_before_sleep();
        if self.eviction_pool.running {
            self.perform_evictions();
        }
        if self.active_expire_enabled && self.cfg.special.replicaof.is_none() {
            self.active_expire_cycle(crate::db::expire::CycleKind::Fast);
        }
        // Each step below is skipped with one test when it has nothing to
        // do (the common case): this runs once per loop iteration, so per
        // request at -P 1.
        if !self.blocking.timeouts.is_empty() {
            self.handle_blocked_timeouts();
        }
        if !self.blocking.ready.is_empty() {
            self.handle_clients_blocked_on_keys();
        }
        if !self.pending_read.is_empty() {
            let pending = std::mem::take(&mut self.pending_read);
            for key in pending {
                self.handle_pending_read(key);
            }
        }
        self.tracking_broadcast();
        // Written (and with appendfsync always, fsynced) before any reply
        // leaves, so an acknowledged write is on disk.
        if self.aof.status != crate::persist::aof::AofStatus::Off {
            self.flush_aof(false);
        }
        self.handle_pending_writes();
        // Clients over their output limit go first: their memory must not
        // make others be evicted.
        self.free_clients_to_close();
        self.evict_clients(None);
        // Ten times the usual share: what departed replicas held goes fast.
        self.trim_backlog(10 * crate::repl::backlog::TRIM_BLOCKS_PER_CALL);
    }

    /// Creates the poller and registers listeners and the signal pipe
    /// (the `aeCreateEventLoop` part of `initServer`). Done before loading
    /// so clients are served (with -LOADING) while the dataset loads.
    pub fn init_event_loop(&mut self) -> io::Result<()> {
        let poll = Poll::new()?;
        self.registry = Some(poll.registry().try_clone()?);
        self.register_listeners(&poll)?;
        self.cluster_register(poll.registry())?;
        let sig_fd = install_signal_pipe()?;
        poll.registry().register(
            &mut mio::unix::SourceFd(&sig_fd.as_raw_fd()),
            Tok::Signal.into(),
            Interest::READABLE,
        )?;
        self.poll = Some(poll);
        self.sig_fd = Some(sig_fd);
        Ok(())
    }

    /// Runs the event loop until shutdown.
    pub fn run(&mut self) -> io::Result<()> {
        if self.poll.is_none() {
            self.init_event_loop()?;
        }
        // The crash report's INFO and client list read the server here.
        crate::debug::sig::register_server(self);
        let mut events = Events::with_capacity(1024);
        let mut next_cron = crate::util::monotonic_us();
        loop {
            self.before_sleep();
            let now = crate::util::monotonic_us();
            let timeout = if !self.pending_read.is_empty() || !self.pending_write.is_empty() || self.repl_wants_now() {
                Duration::ZERO
            } else {
                let mut wait = next_cron.saturating_sub(now);
                if let Some(deadline) = self.next_block_deadline() {
                    let until = (deadline - crate::util::mstime()).max(0) as u64 * 1000;
                    wait = wait.min(until);
                }
                Duration::from_micros(wait)
            };
            self.sleep_and_dispatch(&mut events, timeout, now)?;
            let now = crate::util::monotonic_us();
            if now >= next_cron {
                self.server_cron();
                let period = 1_000_000 / self.hz.clamp(1, 500) as u64;
                next_cron = now + period;
            }
            SHUTDOWN_PENDING.store(self.shutdown_asap, Ordering::Relaxed);
            // Like Redis, shutdown requests are acted on by the cron
            // (DEBUG PAUSE-CRON holds them, so SHUTDOWN ABORT can cancel).
            if self.pause_cron {
                continue;
            }
            if self.shutdown_initiated() {
                if self.shutdown_wait_done() {
                    return Ok(());
                }
            } else if self.shutdown_asap {
                let flags = self.signal_shutdown_flags();
                if self.prepare_for_shutdown(flags).is_ok() {
                    return Ok(());
                }
                if !self.shutdown_initiated() {
                    self.shutdown_asap = false;
                }
            }
        }
    }

    /// The loop's wait for events (`aeApiPoll` with `timeout`), work
    /// started at `idle_since`: first a short spin of non-blocking polls
    /// when the recent traffic says the next event is near (see
    /// busypoll.rs), then a sleep for the rest of the timeout.
    fn sleep_and_dispatch(&mut self, events: &mut Events, timeout: Duration, idle_since: u64) -> io::Result<usize> {
        if timeout.is_zero() {
            return self.poll_and_dispatch(events, timeout);
        }
        let max_us = self.cfg.busy_poll_us.max(0) as u64;
        let timeout_us = timeout.as_micros() as u64;
        let spin_us = self.busy_poll.window(max_us, timeout_us);
        let mut got = 0;
        if spin_us > 0 {
            let deadline = idle_since + spin_us;
            let mut spins = 0u32;
            loop {
                got = self.poll_and_dispatch(events, Duration::ZERO)?;
                if got > 0 || self.polled_at_us >= deadline {
                    break;
                }
                spins += 1;
                if spins.is_multiple_of(super::busypoll::YIELD_EVERY) {
                    // Spin politely: a task waiting for this CPU (the
                    // client itself, when it shares our core) runs now.
                    // SAFETY: sched_yield has no preconditions.
                    unsafe { libc::sched_yield() };
                }
            }
        }
        if got == 0 {
            let left = timeout_us.saturating_sub(crate::util::monotonic_us().saturating_sub(idle_since));
            got = self.poll_and_dispatch(events, Duration::from_micros(left))?;
        }
        if max_us > 0 {
            let idle = self.polled_at_us.saturating_sub(idle_since);
            self.busy_poll.observe(max_us, idle, got > 0);
        }
        Ok(got)
    }

    /// Waits up to `timeout` for events and handles them, by what each
    /// event's token says its source is (`ae::Tok`); returns how many
    /// there were (`aeProcessEvents` for file events).
    fn poll_and_dispatch(&mut self, events: &mut Events, timeout: Duration) -> io::Result<usize> {
        let Some(poll) = self.poll.as_mut() else {
            return Ok(0);
        };
        if let Err(e) = poll.poll(events, Some(timeout)) {
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
        self.polled_at_us = crate::util::monotonic_us();
        self.update_cached_time();
        let mut n = 0;
        // Queued in the server rather than walked in place: a busy script
        // started by one of them serves the rest from inside it.
        for ev in events.iter() {
            n += 1;
            let closed = ev.is_read_closed() || ev.is_error();
            self.ready_events.push_back((
                ev.token(),
                ev.is_readable() || closed,
                closed,
                ev.is_writable() || ev.is_write_closed(),
            ));
        }
        while let Some((t, readable, closed, writable)) = self.ready_events.pop_front() {
            match Tok::from_token(t) {
                Some(Tok::Client(key)) => {
                    let Some(Some(c)) = self.clients.get(key) else {
                        continue;
                    };
                    // A replica's output includes its part of the shared
                    // replication buffer.
                    let has_output = self.client_has_pending_output(c);
                    let (mut wants_write, mut readable) = (writable && has_output, readable);
                    if let Some(conn) = c.conn.as_ref() {
                        // TLS: a read waiting to write runs on a writable
                        // event, a write waiting to read on a readable one
                        // (`tlsHandleEvent`).
                        wants_write |= readable && has_output && conn.write_needs_readable();
                        readable |= writable && conn.read_needs_writable();
                    }
                    // Write before reading (Redis's AE_BARRIER): a reply
                    // produced by this iteration's reads must only leave in
                    // before_sleep, after the AOF holding its write is
                    // written (and fsynced with appendfsync always).
                    if wants_write && self.write_to_client(key) {
                        self.pending_write.push(key);
                    }
                    if readable {
                        self.handle_readable(key, closed);
                    }
                }
                Some(Tok::Listener(i)) => self.accept_clients(i),
                Some(Tok::Signal) => {
                    if let Some(fd) = self.sig_fd.as_ref().map(|f| f.as_raw_fd()) {
                        self.drain_signals(fd);
                    }
                }
                Some(Tok::ReplTransfer) => self.transfer_event(readable, writable),
                Some(Tok::RdbPipe) => self.rdb_pipe_read(),
                Some(Tok::ClusterBus(i)) => self.cluster_accept(i),
                Some(Tok::ClusterLink(k)) => self.cluster_link_event(k),
                None => {}
            }
        }
        Ok(n)
    }

    /// Serves clients while a long operation (loading, a script past the
    /// busy threshold) holds the loop (`processEventsWhileBlocked`): a few
    /// non-blocking rounds of events, replies flushed, closed clients
    /// freed. Commands that may not run meanwhile get -LOADING or -BUSY
    /// from the usual gate. A shutdown signal received while loading exits
    /// at once, without saving. A running script's client is out of the
    /// slab, so its own events are skipped; the per-command state of the
    /// command that runs the script is kept aside meanwhile.
    pub fn process_events_while_blocked(&mut self) {
        if self.poll.is_none() || self.in_events_while_blocked {
            return;
        }
        self.in_events_while_blocked = true;
        self.while_blocked_cron();
        let saved_running = std::mem::take(&mut self.running);
        let (saved_ms, saved_unix) = (self.mstime, self.unixtime);
        let mut events = Events::with_capacity(128);
        for _ in 0..4 {
            let n = self.poll_and_dispatch(&mut events, Duration::ZERO).unwrap_or(0);
            let pending = std::mem::take(&mut self.pending_read);
            for key in pending {
                self.handle_pending_read(key);
            }
            self.handle_pending_writes();
            self.free_clients_to_close();
            if n == 0 {
                break;
            }
        }
        self.running = saved_running;
        if crate::scripting::script_running() {
            // A script sees the time it started at.
            self.mstime = saved_ms;
            self.unixtime = saved_unix;
        }
        self.in_events_while_blocked = false;
        if self.shutdown_asap && self.loading {
            if self.prepare_for_shutdown(crate::config::enums::SHUTDOWN_NOSAVE).is_ok() {
                std::process::exit(0);
            }
            log::warn!("SIGTERM received but errors trying to shut down the server, check the logs for more information");
            self.shutdown_asap = false;
        }
    }

    fn drain_signals(&mut self, fd: i32) {
        let mut buf = [0u8; 64];
        loop {
            // SAFETY: `buf` is a valid writable buffer of the given length.
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                return;
            }
            for &sig in &buf[..n as usize] {
                let sig = i32::from(sig);
                if self.shutdown_asap && sig == libc::SIGINT {
                    log::warn!("You insist... exiting now.");
                    crate::persist::rdb::remove_temp_file_from_handler();
                    std::process::exit(1);
                }
                let msg = match sig {
                    _ if self.loading => "Received shutdown signal during loading, scheduling shutdown.",
                    libc::SIGINT => "Received SIGINT scheduling shutdown...",
                    libc::SIGTERM => "Received SIGTERM scheduling shutdown...",
                    _ => "Received shutdown signal, scheduling shutdown...",
                };
                log::warn!("{msg}");
                self.shutdown_asap = true;
                SHUTDOWN_PENDING.store(true, Ordering::Relaxed);
                self.last_signal = sig;
            }
        }
    }

    fn signal_shutdown_flags(&self) -> i32 {
        match self.last_signal {
            libc::SIGINT => self.cfg.shutdown_on_sigint,
            libc::SIGTERM => self.cfg.shutdown_on_sigterm,
            _ => 0,
        }
    }

    /// Prepares to exit (`prepareForShutdown`). Ok: exit now. Err: do not
    /// exit (yet): a shutdown waits for replicas to catch up
    /// (`shutdown_initiated`), or it failed.
    pub fn prepare_for_shutdown(&mut self, mut flags: i32) -> Result<(), String> {
        use crate::config::enums::{SHUTDOWN_NOSAVE, SHUTDOWN_SAVE};
        if self.shutdown_initiated() {
            return Err("shutdown in progress".into());
        }
        // Never save a half-loaded dataset.
        if self.loading || self.repl.async_loading {
            flags = (flags & !SHUTDOWN_SAVE) | SHUTDOWN_NOSAVE;
        }
        log::warn!("User requested shutdown...");
        if self.supervised_mode == crate::server::supervise::SYSTEMD {
            crate::server::supervise::notify("STOPPING=1\n");
        }
        if self.shutdown_wait_for_replicas(flags) {
            return Err("waiting for replicas".into());
        }
        self.finish_shutdown(flags)
    }

    /// The shutdown itself (`finishShutdown`): final save if configured,
    /// pid file and unix socket removal, flushing replies.
    pub fn finish_shutdown(&mut self, flags: i32) -> Result<(), String> {
        use crate::config::enums::{SHUTDOWN_FORCE, SHUTDOWN_NOSAVE, SHUTDOWN_SAVE};
        self.log_lagging_replicas();
        let aof_child = self
            .persist
            .child
            .as_ref()
            .is_some_and(|c| c.kind == crate::persist::ChildKind::Aof);
        if aof_child && self.aof.status == crate::persist::aof::AofStatus::WaitRewrite {
            // Without its first rewrite the AOF holds no dataset yet.
            if flags & SHUTDOWN_FORCE != 0 {
                log::warn!("Writing initial AOF. Exit anyway.");
            } else {
                log::warn!("Writing initial AOF, can't exit.");
                log::warn!("Errors trying to shut down the server. Check the logs for more information.");
                self.cancel_shutdown();
                return Err("Errors trying to SHUTDOWN. Check logs.".into());
            }
        }
        self.kill_child();
        if self.aof.status != crate::persist::aof::AofStatus::Off {
            log::info!("Calling fsync() on the AOF file.");
            self.flush_aof(true);
            self.aof_stop_for_shutdown();
        }
        let want_save = flags & SHUTDOWN_SAVE != 0 || (flags & SHUTDOWN_NOSAVE == 0 && !self.cfg.special.save.is_empty());
        if want_save {
            log::info!("Saving the final RDB snapshot before exiting.");
            let systemd = self.supervised_mode == crate::server::supervise::SYSTEMD;
            if systemd {
                crate::server::supervise::notify("STATUS=Saving the final RDB snapshot\n");
            }
            if self.save_rdb_now().is_err() {
                if flags & SHUTDOWN_FORCE != 0 {
                    log::warn!("Error trying to save the DB. Exit anyway.");
                } else {
                    log::warn!("Error trying to save the DB, can't exit.");
                    if systemd {
                        crate::server::supervise::notify("STATUS=Error trying to save the DB, can't exit.\n");
                    }
                    log::warn!("Errors trying to shut down the server. Check the logs for more information.");
                    self.cancel_shutdown();
                    return Err("Errors trying to SHUTDOWN. Check logs.".into());
                }
            }
        }
        if !self.cfg.pidfile.is_empty() {
            log::info!("Removing the pid file.");
            let _ = std::fs::remove_file(&self.cfg.pidfile);
        }
        // Best effort to deliver pending replies (e.g. to SHUTDOWN callers
        // of commands issued before it).
        // Listeners go first (`closeListeningSockets`): a client that sees
        // its connection closed must find the port closed too.
        self.listeners.clear();
        self.handle_pending_writes();
        if !self.cfg.unixsocket.is_empty() {
            log::info!("Removing the unix socket file.");
            let _ = std::fs::remove_file(&self.cfg.unixsocket);
        }
        log::warn!("Redis is now ready to exit, bye bye...");
        Ok(())
    }

    /// Writes the pid file (`createPidFile`).
    pub fn create_pid_file(&self) {
        let path = if self.cfg.pidfile.is_empty() {
            "/var/run/redis.pid"
        } else {
            self.cfg.pidfile.as_str()
        };
        if let Err(e) = std::fs::write(path, format!("{}\n", std::process::id())) {
            log::warn!("Failed to write PID file: {}", crate::util::strerror(&e));
        }
    }
}

/// Detaches from the terminal (`daemonize`).
pub fn daemonize() {
    // SAFETY: fork/setsid/dup2 in a single-threaded process before the
    // event loop starts; the parent exits immediately.
    unsafe {
        match libc::fork() {
            -1 => return,
            0 => {}
            _ => libc::_exit(0),
        }
        libc::setsid();
        let fd = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        if fd != -1 {
            libc::dup2(fd, 0);
            libc::dup2(fd, 1);
            libc::dup2(fd, 2);
            if fd > 2 {
                libc::close(fd);
            }
        }
    }
}
