//! Persistence: RDB snapshots by fork (rdb.c's BGSAVE machinery and
//! server.c's child handling), SAVE, save points, loading at start-up.
//!
//! A snapshot is written by a forked child from its copy-on-write image of
//! the dataset, to `temp-<pid>.rdb`, then renamed over `dbfilename`. The
//! parent reaps the child in the cron and records the outcome.

pub mod aof;
pub mod childinfo;
pub mod dump;
#[cfg(test)]
mod fuzz_tests;
pub mod migrate;
pub mod rdb;
pub mod types;

use crate::error::Error;
use crate::server::{CmdResult, Ctx, Server};

/// What a fork child is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildKind {
    Rdb,
    Aof,
}

/// A running fork child.
#[derive(Debug)]
pub struct Child {
    pub pid: i32,
    pub kind: ChildKind,
    pub start_ms: i64,
    /// `dirty` when the snapshot started: what it covers.
    pub dirty_before: u64,
}

/// Persistence state kept by the server.
#[derive(Default)]
pub struct PersistState {
    pub child: Option<Child>,
    /// Progress reports from the running child.
    pub child_info: crate::persist::childinfo::ChildInfo,
    pub rdb_last_cow_size: u64,
    pub aof_last_cow_size: u64,
    /// A BGSAVE SCHEDULE waiting for the current child to end.
    pub bgsave_scheduled: bool,
    pub rdb_saves: u64,
    pub last_bgsave_try: i64,
    pub last_bgsave_time_sec: i64,
    pub total_forks: u64,
    pub latest_fork_usec: u64,
    pub last_load_keys: u64,
    pub last_load_expired: u64,
}

/// In a fork child: die with the parent, so a snapshot nobody will read
/// does not go on (Redis's child notices on its next pipe write).
pub fn die_with_parent(parent: u32) {
    // SAFETY: prctl(PR_SET_PDEATHSIG) only sets a process attribute.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
    }
    // The parent may have died before the attribute was set.
    if nix::unistd::getppid().as_raw() as u32 != parent {
        // SAFETY: leaving the child at once, nothing to clean up.
        unsafe { libc::_exit(1) }
    }
}

/// Seconds to wait before retrying a failed background save.
const BGSAVE_RETRY_DELAY: i64 = 5;

impl Server {
    pub fn rdb_path(&self) -> String {
        self.cfg.dbfilename.clone()
    }

    /// Saves synchronously (`rdbSave`): SAVE, SHUTDOWN, DEBUG RELOAD.
    pub fn save_rdb_now(&mut self) -> Result<(), String> {
        let path = self.rdb_path();
        match rdb::save_file(self, &path) {
            Ok(()) => {
                log::info!("DB saved on disk");
                self.dirty.reset();
                self.lastsave = crate::util::mstime() / 1000;
                self.lastbgsave_ok = true;
                self.persist.rdb_saves += 1;
                Ok(())
            }
            Err(e) => {
                log::warn!("Failed saving the DB: {}", crate::util::strerror(&e));
                Err(crate::util::strerror(&e))
            }
        }
    }

    /// Keys in all databases (what a snapshot child will save).
    pub fn total_keys(&self) -> u64 {
        self.dbs.iter().map(|d| d.len() as u64).sum()
    }

    /// Starts a background save in a fork child (`rdbSaveBackground`).
    pub fn bgsave_start(&mut self) -> Result<i32, String> {
        if self.persist.child.is_some() {
            return Err("child already running".into());
        }
        self.dirty_before_bgsave = self.dirty.get();
        self.persist.last_bgsave_try = crate::util::mstime() / 1000;
        let start = crate::util::monotonic_us();
        let pipe = crate::persist::childinfo::open_pipe();
        // SAFETY: the event loop is single-threaded; the child only reads
        // its copy of the dataset, writes a file and leaves with _exit.
        match unsafe { nix::unistd::fork() } {
            Err(e) => {
                self.lastbgsave_ok = false;
                log::warn!("Can't save in background: fork: {e}");
                Err(format!("fork: {e}"))
            }
            Ok(nix::unistd::ForkResult::Child) => {
                crate::util::log::set_role(b'C');
                die_with_parent(self.pid);
                let _ = crate::proctitle::set(&self.cfg, self.config_file.as_deref(), Some("redis-rdb-bgsave"));
                self.cluster_close_child_fds();
                let _ = self.set_oom_score_adj(Some(crate::server::oomscore::OOM_BGCHILD));
                if let Some(p) = pipe {
                    p.into_child("RDB");
                }
                let path = self.rdb_path();
                let code = match rdb::save_file(self, &path) {
                    Ok(()) => {
                        log::info!("DB saved on disk");
                        crate::persist::childinfo::report(crate::persist::childinfo::InfoType::RdbCow, self.total_keys());
                        0
                    }
                    Err(e) => {
                        log::warn!("Failed saving the DB: {}", crate::util::strerror(&e));
                        1
                    }
                };
                // SAFETY: leaving the child without running the parent's
                // destructors or flushing its buffers twice.
                unsafe { libc::_exit(code) }
            }
            Ok(nix::unistd::ForkResult::Parent { child }) => {
                let pid = child.as_raw();
                self.persist.latest_fork_usec = crate::util::monotonic_us() - start;
                self.latency_sample("fork", self.persist.latest_fork_usec / 1000);
                self.persist.total_forks += 1;
                crate::ds::dict::set_can_resize(false);
                if let Some(p) = pipe {
                    let total = self.total_keys();
                    p.into_parent(&mut self.persist.child_info, total);
                }
                log::info!("Background saving started by pid {pid}");
                self.persist.child = Some(Child {
                    pid,
                    kind: ChildKind::Rdb,
                    start_ms: crate::util::mstime(),
                    dirty_before: self.dirty.get(),
                });
                Ok(pid)
            }
        }
    }

    /// Reaps a finished child (`checkChildrenDone`), from the cron.
    pub fn check_child_done(&mut self) {
        let Some(child) = self.persist.child.as_ref() else {
            if self.persist.bgsave_scheduled {
                self.persist.bgsave_scheduled = false;
                let _ = self.bgsave_start();
            }
            return;
        };
        let pid = nix::unistd::Pid::from_raw(child.pid);
        self.persist.child_info.receive();
        use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
        let status = match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => return,
            Ok(s) => s,
            Err(_) => WaitStatus::Exited(pid, 1),
        };
        let Some(child) = self.persist.child.take() else { return };
        crate::ds::dict::set_can_resize(true);
        if let Some(last) = self.persist.child_info.close() {
            match last.kind {
                crate::persist::childinfo::InfoType::RdbCow => self.persist.rdb_last_cow_size = last.cow,
                crate::persist::childinfo::InfoType::AofCow => self.persist.aof_last_cow_size = last.cow,
                crate::persist::childinfo::InfoType::Current => {}
            }
        }
        if child.kind == ChildKind::Aof {
            match status {
                WaitStatus::Exited(_, 0) => self.aof_rewrite_done(child.pid, true, None),
                WaitStatus::Signaled(_, sig, _) => self.aof_rewrite_done(child.pid, false, Some(sig as i32)),
                _ => self.aof_rewrite_done(child.pid, false, None),
            }
            return;
        }
        let elapsed = (crate::util::mstime() - child.start_ms) / 1000;
        if self.repl.rdb_socket_child {
            // A diskless transfer to replicas: no file, no save stats.
            let ok = match status {
                WaitStatus::Exited(_, 0) => {
                    log::info!("Background RDB transfer terminated with success");
                    true
                }
                WaitStatus::Signaled(_, sig, _) => {
                    log::warn!("Background transfer terminated by signal {}", sig as i32);
                    false
                }
                _ => {
                    log::warn!("Background transfer error");
                    false
                }
            };
            self.rdb_child_done(ok);
            return;
        }
        match status {
            WaitStatus::Exited(_, 0) => {
                log::info!("Background saving terminated with success");
                self.dirty.saved(child.dirty_before);
                self.lastsave = crate::util::mstime() / 1000;
                self.lastbgsave_ok = true;
                self.persist.rdb_saves += 1;
            }
            WaitStatus::Signaled(_, sig, _) => {
                log::warn!("Background saving terminated by signal {}", sig as i32);
                let _ = std::fs::remove_file(format!("temp-{}.rdb", child.pid));
                // A child killed on purpose (SIGUSR1) is not an error.
                if sig != nix::sys::signal::Signal::SIGUSR1 {
                    self.lastbgsave_ok = false;
                }
            }
            _ => {
                log::warn!("Background saving error");
                self.lastbgsave_ok = false;
            }
        }
        self.persist.last_bgsave_time_sec = elapsed;
        // Replicas waiting for this snapshot get it, or an error.
        self.rdb_child_done(matches!(status, WaitStatus::Exited(_, 0)));
    }

    /// Kills a running snapshot child (FLUSHALL, SHUTDOWN, DEBUG RELOAD).
    pub fn kill_rdb_child(&mut self) {
        if self.persist.child.as_ref().is_some_and(|c| c.kind == ChildKind::Rdb) {
            self.kill_child();
        }
    }

    /// Kills whatever fork child runs, waiting for it.
    pub fn kill_child(&mut self) {
        if let Some(child) = self.persist.child.take() {
            let pid = nix::unistd::Pid::from_raw(child.pid);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGUSR1);
            let _ = nix::sys::wait::waitpid(pid, None);
            self.persist.child_info.close();
            let _ = std::fs::remove_file(format!("temp-{}.rdb", child.pid));
            let _ = std::fs::remove_file(format!("temp-rewriteaof-bg-{}.aof", child.pid));
            crate::ds::dict::set_can_resize(true);
            if child.kind == ChildKind::Rdb {
                if self.repl.rdb_socket_child {
                    log::warn!("Background transfer terminated by signal {}", libc::SIGUSR1);
                }
                // Replicas that waited for it must start over.
                self.rdb_child_done(false);
            }
        }
    }

    /// Starts a background save when a `save` point is reached (serverCron).
    pub fn check_save_points(&mut self) {
        if self.persist.child.is_some() {
            return;
        }
        let now = crate::util::mstime() / 1000;
        let points = self.cfg.special.save.clone();
        for (secs, changes) in points {
            if self.dirty.get() >= changes as u64
                && now - self.lastsave > secs
                && (now - self.persist.last_bgsave_try > BGSAVE_RETRY_DELAY || self.lastbgsave_ok)
            {
                log::info!("{changes} changes in {secs} seconds. Saving...");
                let _ = self.bgsave_start();
                break;
            }
        }
    }

    /// Writes are refused after a failed background save
    /// (`stop-writes-on-bgsave-error`).
    pub fn writes_denied_by_disk_error(&self) -> bool {
        self.cfg.stop_writes_on_bgsave_error && !self.cfg.special.save.is_empty() && !self.lastbgsave_ok
    }

    /// What happens when an RDB file being loaded turns out corrupt
    /// (`rdbReportError` with `rdbFileBeingLoaded`): the reason is logged,
    /// the checker's report about the file goes to stdout, and the server
    /// exits.
    pub fn rdb_file_corrupt(&mut self, path: &str, msg: String) -> ! {
        let reason = if rdb::codec::is_short_read(&msg) {
            log::warn!("{msg}");
            "Unexpected EOF reading RDB file".to_string()
        } else {
            msg
        };
        // Redis only records the loaded bytes when it serves events, every
        // `loading-process-events-interval-bytes`: under that, 0.
        let every = self.cfg.loading_process_events_interval_bytes as u64;
        let loaded = self.loading_progress.loaded_bytes;
        let offset = loaded.checked_div(every).map_or(0, |q| q * every);
        log::warn!("{}", rdb::codec::report_at(offset, &reason));
        rdb::check::check_file(self, path, std::io::stdout().lock());
        log::warn!("Terminating server after rdb file reading failure.");
        std::process::exit(1);
    }

    /// Marks the start of a load of `total_bytes` (0 when unknown)
    /// (`startLoading`).
    pub fn start_loading(&mut self, total_bytes: u64) {
        self.loading = true;
        self.loading_progress = crate::server::LoadingProgress {
            start_time: crate::util::mstime() / 1000,
            total_bytes,
            loaded_bytes: 0,
            rdb_used_mem: 0,
            base: 0,
        };
    }

    /// Records that a load reached byte `pos` of its input, serving
    /// clients each time another `loading-process-events-interval-bytes`
    /// were read (`rdbLoadProgressCallback`).
    pub fn loading_progress_at(&mut self, pos: u64) {
        let pos = self.loading_progress.base + pos;
        let prev = self.loading_progress.loaded_bytes;
        self.loading_progress.loaded_bytes = pos;
        let every = self.cfg.loading_process_events_interval_bytes as u64;
        // Not on a replica syncing or linked to its master: the transfer
        // socket and the master stream must not be read in the middle of
        // a load (a diskless load is incremental anyway).
        let repl_busy = self.repl.link.transfer.is_some() || self.repl.link.master_key().is_some();
        if every != 0 && self.loading && !repl_busy && pos / every > prev / every {
            self.process_events_while_blocked();
        }
    }

    /// Loads the dataset at start-up (`loadDataFromDisk`). Exits on error.
    pub fn load_data_from_disk(&mut self) {
        if self.cfg.appendonly {
            self.aof.status = aof::AofStatus::On;
            self.load_aof();
            self.aof_open_on_start();
            self.lastsave = crate::util::mstime() / 1000;
            return;
        }
        let start = crate::util::monotonic_us();
        let path = self.rdb_path();
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        self.start_loading(size);
        // A master may drop expired keys while loading: their DELs go to
        // a backlog, kept if the RDB carries replication info.
        let master = !self.is_replica();
        if master {
            self.create_backlog();
            self.repl.feed_expired_on_load = true;
        }
        let res = rdb::load_file(self, &path);
        self.repl.feed_expired_on_load = false;
        let compatible = matches!(&res, Ok(Some(st)) if st.repl_id.is_some()
            && st.repl_offset.is_some_and(|o| o != -1)
            && st.repl_stream_db.is_some_and(|d| d != -1));
        if master && !compatible {
            self.repl.backlog = None;
        }
        match res {
            Ok(Some(stats)) => {
                if stats.empty_keys_skipped > 0 {
                    log::warn!(
                        "Done loading RDB, keys loaded: {}, keys expired: {}, empty keys skipped: {}.",
                        stats.keys_loaded,
                        stats.keys_expired,
                        stats.empty_keys_skipped
                    );
                } else {
                    log::info!(
                        "Done loading RDB, keys loaded: {}, keys expired: {}.",
                        stats.keys_loaded,
                        stats.keys_expired
                    );
                }
                self.restore_repl_info(&stats);
                log::info!(
                    "DB loaded from disk: {:.3} seconds",
                    (crate::util::monotonic_us() - start) as f64 / 1e6
                );
                self.persist.last_load_keys = stats.keys_loaded;
                self.persist.last_load_expired = stats.keys_expired;
            }
            Ok(None) => {}
            Err(rdb::codec::LoadError::Io(e)) => {
                log::warn!("Fatal error loading the DB: {}. Exiting.", crate::util::strerror(&e));
                std::process::exit(1);
            }
            Err(rdb::codec::LoadError::Corrupt(msg)) => self.rdb_file_corrupt(&path, msg),
        }
        self.loading = false;
        self.lastsave = crate::util::mstime() / 1000;
    }
}

/// `SAVE`
pub fn save_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.srv.persist.child.is_some() {
        return Err(Error::err("ERR Background save already in progress"));
    }
    ctx.srv.save_rdb_now().map_err(|_| Error::err("ERR"))?;
    ctx.c.reply.ok();
    Ok(())
}

/// `BGSAVE [SCHEDULE]`
pub fn bgsave_command(ctx: &mut Ctx) -> CmdResult {
    let mut schedule = false;
    if ctx.argc() > 1 {
        if ctx.argc() == 2 && ctx.argv[1].eq_ignore_ascii_case(b"schedule") {
            schedule = true;
        } else {
            return Err(Error::Syntax);
        }
    }
    match &ctx.srv.persist.child {
        Some(c) if c.kind == ChildKind::Rdb => return Err(Error::err("ERR Background save already in progress")),
        Some(_) => {
            if schedule {
                ctx.srv.persist.bgsave_scheduled = true;
                ctx.c.reply.status(b"Background saving scheduled");
                return Ok(());
            }
            return Err(Error::err(
                "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
            ));
        }
        None => {}
    }
    match ctx.srv.bgsave_start() {
        Ok(_) => {
            ctx.c.reply.status(b"Background saving started");
            Ok(())
        }
        Err(_) => Err(Error::err("ERR")),
    }
}
