//! Replication, master side (the MASTER half of replication.c).
//!
//! The stream: every propagated command is encoded once and appended to
//! the replication buffer (`backlog.rs`, which also advances
//! `master_repl_offset`). Replicas share it: each has a cursor into it and
//! its socket is written straight from there once it takes the stream
//! (`write_replica_stream`), so a hundred replicas cost one copy of the
//! stream, and a lagging one holds history instead of a private copy.
//!
//! Full resync: a fork child writes the snapshot either to `dbfilename`
//! (then sent from the file as the replica's socket drains) or into a
//! pipe that we copy to the replicas' sockets framed as `$EOF:<mark>`
//! (diskless), pausing the pipe while any replica is slow. Partial
//! resync: `+CONTINUE` and the backlog from the requested offset.

use super::backlog::{Backlog, BLOCK_OVERHEAD, TRIM_BLOCKS_PER_CALL};
use super::{peer_ip, Bulk, RdbPipe, Replica, ReplicaInfo, ReplicaState, CAPA_EOF, CAPA_PSYNC2};
use crate::client::{flags as cf, Client};
use crate::server::Server;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// Bytes copied from the snapshot (file or pipe) per read.
const SNAPSHOT_CHUNK: usize = 64 * 1024;

/// A pipe as two owned descriptors (read, write), close-on-exec.
fn make_pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0i32; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 returns.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors are fresh and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn set_nonblocking(fd: i32) {
    // SAFETY: fcntl on a descriptor we own; no memory is involved.
    unsafe {
        let fl = libc::fcntl(fd, libc::F_GETFL);
        if fl >= 0 {
            libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK);
        }
    }
}

impl Server {
    /// The index of the replica on slab key `key`.
    pub fn replica_idx(&self, key: usize) -> Option<usize> {
        self.repl.replicas.iter().position(|r| r.key == key)
    }

    // ---------------------------------------------------------------- stream

    /// Sends one propagated command to the replicas and the backlog
    /// (`replicationFeedSlaves`), with a SELECT when the db changes.
    pub fn feed_replicas(&mut self, db: usize, argv: &[Vec<u8>]) {
        self.feed_replicas_argv(Some(db), argv)
    }

    /// As `feed_replicas`; `db: None` never emits a SELECT (PING, GETACK).
    pub fn feed_replicas_argv(&mut self, db: Option<usize>, argv: &[Vec<u8>]) {
        // A replica proxies its master's stream instead, verbatim.
        if self.is_replica() {
            return;
        }
        if self.repl.backlog.is_none() && self.repl.replicas.is_empty() {
            return;
        }
        let mut buf = Vec::with_capacity(64);
        if let Some(db) = db {
            if self.repl.seldb != db as i64 {
                super::encode_command(&mut buf, &[b"SELECT".to_vec(), db.to_string().into_bytes()]);
                self.repl.seldb = db as i64;
            }
        }
        super::encode_command(&mut buf, argv);
        self.feed_stream(&buf);
    }

    /// Appends raw stream bytes to the replication buffer
    /// (`feedReplicationBuffer`); on a replica, what its master sent.
    pub fn feed_stream(&mut self, buf: &[u8]) {
        let size = self.cfg.repl_backlog_size.max(0) as usize;
        let Some(b) = self.repl.backlog.as_mut() else {
            return;
        };
        let start = b.end();
        let new_block = b.append(buf, size);
        self.repl.master_repl_offset += buf.len() as i64;
        for r in self.repl.replicas.iter_mut() {
            // Not for replicas that only want the snapshot, nor before
            // their snapshot started (`canFeedReplicaReplBuffer`).
            if r.rdb_only || r.state == ReplicaState::WaitBgsaveStart {
                continue;
            }
            if r.cursor.is_none() {
                r.cursor = Some(start);
            }
            if r.streaming() {
                if let Some(Some(c)) = self.clients.get_mut(r.key) {
                    if !c.has(cf::PENDING_WRITE) {
                        c.flags |= cf::PENDING_WRITE;
                        self.pending_write.push(r.key);
                    }
                }
            }
        }
        if new_block {
            // Limits only move when the buffer grows by a block.
            for i in 0..self.repl.replicas.len() {
                if let Some(r) = self.repl.replicas.get(i) {
                    if r.cursor.is_some() {
                        self.replica_check_limits(r.key);
                    }
                }
            }
            self.trim_backlog(TRIM_BLOCKS_PER_CALL);
        }
    }

    /// Frees replication buffer blocks nobody needs anymore, at most
    /// `max_blocks` (`incrementalTrimReplicationBacklog`).
    pub fn trim_backlog(&mut self, max_blocks: usize) {
        let size = self.cfg.repl_backlog_size.max(0) as usize;
        let Some(b) = self.repl.backlog.as_mut() else {
            return;
        };
        if b.histlen <= size as i64 {
            return;
        }
        let oldest = self.repl.replicas.iter().filter_map(|r| r.cursor).min();
        b.trim(size, oldest, max_blocks);
    }

    /// True when `c` is a replica with stream bytes to receive now.
    pub fn replica_stream_pending(&self, c: &Client) -> bool {
        let Some(b) = self.repl.backlog.as_ref() else {
            return false;
        };
        self.repl
            .replicas
            .iter()
            .find(|r| r.key == c.key)
            .is_some_and(|r| r.streaming() && r.cursor.is_some_and(|cur| cur < b.end()))
    }

    /// True when `c` has output waiting: replies, or for a replica, stream
    /// (`clientHasPendingReplies`).
    pub fn client_has_pending_output(&self, c: &Client) -> bool {
        c.reply.pending() > 0 || (c.has(cf::SLAVE) && !c.has(cf::MONITOR) && self.replica_stream_pending(c))
    }

    /// Output bytes of `c` counted against its buffer limit: for a
    /// replica, the part of the shared replication buffer from its cursor
    /// on (`getClientOutputBufferMemoryUsage`), plus a piece of snapshot
    /// on its way.
    pub fn client_obuf_used(&self, c: &Client) -> u64 {
        if c.has(cf::SLAVE) && !c.has(cf::MONITOR) {
            if let Some(r) = self.repl.replicas.iter().find(|r| r.key == c.key) {
                let shared = match (r.cursor, self.repl.backlog.as_ref()) {
                    (Some(cur), Some(b)) => b.used_from(cur),
                    _ => 0,
                };
                return shared + c.reply.pending() as u64;
            }
        }
        c.reply.pending() as u64
    }

    /// The replication buffer split as INFO reports it: what counts as
    /// the backlog (`mem_replication_backlog`, up to `repl-backlog-size`)
    /// and what as the replicas' (`mem_clients_slaves`, the excess while
    /// there are replicas).
    pub fn replication_memory_split(&self) -> (u64, u64) {
        let mem = self.repl.backlog.as_ref().map_or(0, |b| b.memory());
        let size = self.cfg.repl_backlog_size.max(0) as u64;
        if !self.repl.replicas.is_empty() && mem > size {
            (size, mem - size)
        } else {
            (mem, 0)
        }
    }

    /// Memory eviction leaves out (`freeMemoryGetNotCountedMemory`): the
    /// replication buffer beyond `repl-backlog-size` (and its blocks'
    /// overhead). Evicting keys for what lagging replicas hold would only
    /// feed them more DELs; and as the buffer is trimmed incrementally,
    /// an excess freed late still does not count, replicas or not.
    pub fn memory_not_counted_for_evict(&self) -> u64 {
        let mem = self.repl.backlog.as_ref().map_or(0, |b| b.memory());
        let size = self.cfg.repl_backlog_size.max(0) as u64;
        if mem <= size {
            return 0;
        }
        let counted = size + (size / 16384 + 1) * BLOCK_OVERHEAD as u64;
        mem.saturating_sub(counted)
    }

    /// Applies the replica output buffer limit to one replica, cheaply
    /// when it is far below it.
    fn replica_check_limits(&mut self, key: usize) {
        let lim = self.cfg.special.client_obuf_limits[crate::config::special::OBUF_REPLICA];
        let low = match (lim.soft, lim.hard) {
            (0, 0) => return,
            (0, h) => h,
            (s, 0) => s,
            (s, h) => s.min(h),
        };
        let used = match self.clients.get(key) {
            Some(Some(c)) => self.client_obuf_used(c),
            _ => return,
        };
        if used < low {
            if let Some(Some(c)) = self.clients.get_mut(key) {
                c.obuf_soft_limit_reached_time = 0;
            }
            return;
        }
        let Some(mut c) = self.clients.get_mut(key).and_then(|s| s.take()) else {
            return;
        };
        self.check_output_limits(&mut c);
        let close = c.has(cf::CLOSE_ASAP);
        self.clients[key] = Some(c);
        if close {
            self.to_close.push(key);
        }
    }

    /// Output for a client by slab key: appended to its reply (or, if it
    /// is the one running, after its reply).
    fn client_out(&mut self, key: usize, bytes: &[u8]) {
        self.with_client_output(key, |r| r.raw(bytes));
    }

    /// Closes a client once control is back in the loop (`freeClientAsync`).
    pub fn close_client_async(&mut self, key: usize) {
        match self.clients.get_mut(key) {
            Some(Some(c)) => c.flags |= cf::CLOSE_ASAP,
            Some(None) => self.add_client_flags(key, cf::CLOSE_ASAP),
            None => return,
        }
        self.to_close.push(key);
        self.close_asap_marked = true;
    }

    /// After a replica's own command: the stream produced meanwhile (it
    /// was out of the client table, so nobody could queue its write) goes
    /// out now.
    pub fn replica_after_command(&mut self, c: &mut Client) {
        if !c.has(cf::PENDING_WRITE) && self.replica_stream_pending(c) {
            c.flags |= cf::PENDING_WRITE;
            self.pending_write.push(c.key);
        }
    }

    // ------------------------------------------------------------ SYNC/PSYNC

    /// The master half of PSYNC (`masterTryPartialResynchronization`).
    pub fn try_partial_resync(&mut self, c: &mut Client, info: &ReplicaInfo, ip: &str, replid: &str, offset: i64) -> bool {
        let name = super::replica_name(ip, info.listening_port);
        let same = replid.eq_ignore_ascii_case(&self.replid);
        let second = replid.eq_ignore_ascii_case(&self.replid2) && offset <= self.repl.second_replid_offset;
        if !same && !second {
            if !replid.starts_with('?') {
                if !replid.eq_ignore_ascii_case(&self.replid2) {
                    log::info!(
                        "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{replid}', my replication IDs are '{}' and '{}')",
                        self.replid,
                        self.replid2
                    );
                } else {
                    log::info!(
                        "Partial resynchronization not accepted: Requested offset for second ID was {offset}, but I can reply up to {}",
                        self.repl.second_replid_offset
                    );
                }
            } else {
                log::info!("Full resync requested by replica {name}");
            }
            return false;
        }
        if !self.repl.backlog.as_ref().is_some_and(|b| b.covers(offset)) {
            log::info!("Unable to partial resync with replica {name} for lack of backlog (Replica request was: {offset}).");
            if offset > self.repl.master_repl_offset {
                log::warn!("Warning: replica {name} tried to PSYNC with an offset that is greater than the master replication offset.");
            }
            return false;
        }
        c.flags |= cf::SLAVE;
        let mut r = new_replica(c, info, ip.to_string(), false, self.unixtime);
        r.state = ReplicaState::Online;
        // The backlog from `offset` on is its stream: no copy, its cursor
        // starts there (`addReplyReplicationBacklog`).
        r.cursor = Some(offset);
        self.repl.replicas.push(r);
        if info.capa & CAPA_PSYNC2 != 0 {
            c.reply.raw(format!("+CONTINUE {}\r\n", self.replid).as_bytes());
        } else {
            c.reply.raw(b"+CONTINUE\r\n");
        }
        let sent = self.repl.backlog.as_ref().map_or(0, |b| b.end() - offset);
        log::info!(
            "Partial resynchronization request from {name} accepted. Sending {sent} bytes of backlog starting from offset {offset}."
        );
        true
    }

    /// The full-resync half of SYNC/PSYNC (`syncCommand`): the replica
    /// joins a running disk snapshot if it can, or waits for the next.
    pub fn add_replica_for_full_sync(&mut self, c: &mut Client, info: &ReplicaInfo, ip: String, pre_psync: bool) {
        c.flags |= cf::SLAVE;
        if self.cfg.repl_disable_tcp_nodelay {
            if let Some(conn) = c.conn.as_ref() {
                let _ = conn.set_nodelay(false);
            }
        }
        let r = new_replica(c, info, ip, pre_psync, self.unixtime);
        self.repl.replicas.push(r);
        if self.repl.replicas.len() == 1 && self.repl.backlog.is_none() {
            // A fresh history: new ID, no secondary one.
            self.change_replication_id();
            self.clear_replication_id2();
            self.create_backlog();
            log::info!(
                "Replication backlog created, my new replication IDs are '{}' and '{}'",
                self.replid,
                self.replid2
            );
        }
        let rdb_child = self
            .persist
            .child
            .as_ref()
            .is_some_and(|ch| ch.kind == crate::persist::ChildKind::Rdb);
        let last = self.repl.replicas.len() - 1;
        if rdb_child && !self.repl.rdb_socket_child {
            let donor = self.repl.replicas[..last]
                .iter()
                .position(|o| o.state == ReplicaState::WaitBgsaveEnd && (!o.rdb_only || info.rdb_only));
            match donor {
                Some(d)
                    if info.capa & self.repl.replicas[d].capa == self.repl.replicas[d].capa && info.req == self.repl.replicas[d].req =>
                {
                    let (cursor, offset) = (self.repl.replicas[d].cursor, self.repl.replicas[d].initial_offset);
                    let me = &mut self.repl.replicas[last];
                    // It shares the stream the donor registered since the
                    // snapshot began (`copyReplicaOutputBuffer`).
                    if !me.rdb_only {
                        me.cursor = cursor;
                    }
                    me.initial_offset = offset;
                    me.state = ReplicaState::WaitBgsaveEnd;
                    self.repl.seldb = -1;
                    if !pre_psync {
                        c.reply.raw(format!("+FULLRESYNC {} {}\r\n", self.replid, offset).as_bytes());
                    }
                    log::info!("Waiting for end of BGSAVE for SYNC");
                }
                _ => log::info!("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC"),
            }
        } else if rdb_child {
            log::info!("Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC");
        } else if self.cfg.repl_diskless_sync && info.capa & CAPA_EOF != 0 && self.cfg.repl_diskless_sync_delay != 0 {
            // The cron starts it, giving other replicas time to arrive.
            log::info!("Delay next BGSAVE for diskless SYNC");
        } else if self.persist.child.is_some() {
            log::info!("No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed");
        } else {
            // Started once this command is done and the client is back.
            self.repl_sync_requested = true;
        }
    }

    /// Starts a snapshot for replicas waiting for one, when it is time
    /// (`replicationStartPendingFork` / `shouldStartChildReplication`).
    pub fn start_bgsave_for_replicas(&mut self) {
        if self.persist.child.is_some() || self.repl.pipe.is_some() {
            return;
        }
        let now = self.unixtime;
        let (mut waiting, mut max_idle, mut mincapa) = (0, 0, u8::MAX);
        let mut req = None;
        for r in &self.repl.replicas {
            if r.state != ReplicaState::WaitBgsaveStart {
                continue;
            }
            // One snapshot serves the replicas asking what the first asks.
            if *req.get_or_insert(r.req) != r.req {
                continue;
            }
            waiting += 1;
            mincapa &= r.capa;
            if let Some(Some(c)) = self.clients.get(r.key) {
                max_idle = max_idle.max(now - c.last_interaction);
            }
        }
        let max_replicas = self.cfg.repl_diskless_sync_max_replicas;
        if waiting > 0
            && (!self.cfg.repl_diskless_sync
                || (max_replicas > 0 && waiting >= max_replicas)
                || max_idle >= self.cfg.repl_diskless_sync_delay)
        {
            self.start_bgsave_for_replication(mincapa, req.unwrap_or(0));
        }
    }

    /// Starts the snapshot, to disk or to the replicas' sockets
    /// (`startBgsaveForReplication`).
    fn start_bgsave_for_replication(&mut self, mincapa: u8, req: u8) {
        // A filtered snapshot must not overwrite the RDB file.
        let socket = (self.cfg.repl_diskless_sync || req != 0) && mincapa & CAPA_EOF != 0;
        log::info!(
            "Starting BGSAVE for SYNC with target: {}",
            if socket { "replicas sockets" } else { "disk" }
        );
        let res = if socket {
            self.rdb_save_to_replica_sockets(req)
        } else {
            self.bgsave_start().map(|_| ())
        };
        if res.is_err() {
            log::warn!("BGSAVE for replication failed");
            let failed: Vec<Replica> = {
                let (f, keep): (Vec<Replica>, Vec<Replica>) = std::mem::take(&mut self.repl.replicas)
                    .into_iter()
                    .partition(|r| r.state == ReplicaState::WaitBgsaveStart);
                self.repl.replicas = keep;
                f
            };
            for r in failed {
                if let Some(Some(c)) = self.clients.get_mut(r.key) {
                    c.flags &= !cf::SLAVE;
                    c.flags |= cf::CLOSE_AFTER_REPLY;
                }
                let e = crate::error::Error::err("ERR BGSAVE failed, replication can't continue");
                if let Some(mut c) = self.clients.get_mut(r.key).and_then(|s| s.take()) {
                    self.reply_error(&mut c, &e);
                    self.put_back_client(r.key, c);
                }
            }
            return;
        }
        if !socket {
            self.repl.rdb_socket_child = false;
            let offset = self.repl.master_repl_offset;
            for i in 0..self.repl.replicas.len() {
                if self.repl.replicas[i].state == ReplicaState::WaitBgsaveStart && self.repl.replicas[i].req == req {
                    self.setup_full_resync(i, offset);
                }
            }
        }
    }

    /// Puts a replica in WAIT_BGSAVE_END and tells it the offset its
    /// snapshot starts at (`replicationSetupSlaveForFullResync`).
    fn setup_full_resync(&mut self, idx: usize, offset: i64) {
        let r = &mut self.repl.replicas[idx];
        r.initial_offset = offset;
        r.state = ReplicaState::WaitBgsaveEnd;
        // Its stream starts with the next byte fed.
        r.cursor = None;
        let (key, pre_psync) = (r.key, r.pre_psync);
        // The stream after the snapshot starts with a SELECT.
        self.repl.seldb = -1;
        if !pre_psync {
            let line = format!("+FULLRESYNC {} {}\r\n", self.replid, offset);
            self.client_out(key, line.as_bytes());
        }
    }

    /// Forks a child that streams the snapshot into a pipe, framed for
    /// replicas with the EOF capability (`rdbSaveToSlavesSockets`).
    fn rdb_save_to_replica_sockets(&mut self, req: u8) -> Result<(), String> {
        if self.persist.child.is_some() || self.repl.pipe.is_some() {
            return Err("child already running".into());
        }
        let (pipe_r, pipe_w) = make_pipe().map_err(|e| e.to_string())?;
        let (exit_r, exit_w) = make_pipe().map_err(|e| e.to_string())?;
        self.dirty_before_bgsave = self.dirty.get();
        self.persist.last_bgsave_try = crate::util::mstime() / 1000;
        let start = crate::util::monotonic_us();
        let mark = crate::util::random_hex40();
        // SAFETY: the event loop is single-threaded; the child only reads
        // its copy of the dataset, writes to the pipe and leaves with _exit.
        match unsafe { nix::unistd::fork() } {
            Err(e) => {
                log::warn!("Can't save in background: fork: {e}");
                Err(format!("fork: {e}"))
            }
            Ok(nix::unistd::ForkResult::Child) => {
                crate::util::log::set_role(b'C');
                crate::persist::die_with_parent(self.pid);
                self.cluster_close_child_fds();
                let _ = self.set_oom_score_adj(Some(crate::server::oomscore::OOM_BGCHILD));
                drop(pipe_r);
                drop(exit_w);
                let ok = write_snapshot_to_pipe(self, pipe_w, &mark, req);
                // Wait until the parent read everything (it closes its end).
                let mut b = [0u8; 1];
                let mut exit_r = std::fs::File::from(exit_r);
                let _ = exit_r.read(&mut b);
                // SAFETY: leaving the child without running the parent's
                // destructors or flushing its buffers twice.
                unsafe { libc::_exit(if ok { 0 } else { 1 }) }
            }
            Ok(nix::unistd::ForkResult::Parent { child }) => {
                drop(pipe_w);
                drop(exit_r);
                let pid = child.as_raw();
                self.persist.latest_fork_usec = crate::util::monotonic_us() - start;
                self.latency_sample("fork", self.persist.latest_fork_usec / 1000);
                self.persist.total_forks += 1;
                crate::ds::dict::set_can_resize(false);
                log::info!("Background RDB transfer started by pid {pid}");
                self.persist.child = Some(crate::persist::Child {
                    pid,
                    kind: crate::persist::ChildKind::Rdb,
                    start_ms: crate::util::mstime(),
                    dirty_before: self.dirty.get(),
                });
                self.repl.rdb_socket_child = true;
                set_nonblocking(pipe_r.as_raw_fd());
                let read = std::fs::File::from(pipe_r);
                if let Some(reg) = self.registry.as_ref() {
                    let fd = read.as_raw_fd();
                    let _ = reg.register(
                        &mut mio::unix::SourceFd(&fd),
                        crate::ae::Tok::RdbPipe.into(),
                        mio::Interest::READABLE,
                    );
                }
                let offset = self.repl.master_repl_offset;
                let mut conns = Vec::new();
                for i in 0..self.repl.replicas.len() {
                    if self.repl.replicas[i].state == ReplicaState::WaitBgsaveStart && self.repl.replicas[i].req == req {
                        conns.push(self.repl.replicas[i].key);
                        self.setup_full_resync(i, offset);
                    }
                }
                self.repl.pipe = Some(RdbPipe {
                    read,
                    exit_w: Some(exit_w),
                    conns,
                    eof: false,
                });
                Ok(())
            }
        }
    }

    /// Copies what the diskless child wrote to the replicas' sockets,
    /// stopping while any of them is still busy (`rdbPipeReadHandler`).
    pub fn rdb_pipe_read(&mut self) {
        let mut buf = vec![0u8; SNAPSHOT_CHUNK];
        loop {
            let Some(pipe) = self.repl.pipe.as_mut() else {
                return;
            };
            if pipe.eof {
                return;
            }
            let conns = pipe.conns.clone();
            if conns
                .iter()
                .any(|&k| matches!(self.clients.get(k), Some(Some(c)) if c.reply.pending() > 0))
            {
                return;
            }
            let n = match pipe.read.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    log::warn!(
                        "Diskless rdb transfer, read error sending DB to replicas: {}",
                        crate::util::strerror(&e)
                    );
                    for k in conns {
                        self.free_client(k);
                    }
                    self.kill_rdb_child();
                    return;
                }
            };
            if n == 0 {
                let alive = conns.iter().filter(|&&k| self.clients.contains(k)).count();
                self.close_rdb_pipe_read();
                log::warn!("Diskless rdb transfer, done reading from pipe, {alive} replicas still up.");
                if let Some(p) = self.repl.pipe.as_mut() {
                    p.eof = true;
                    // The child may exit now.
                    p.exit_w = None;
                }
                return;
            }
            let now = self.unixtime;
            let mut alive = 0;
            for k in conns {
                match self.clients.get_mut(k) {
                    Some(Some(c)) => c.reply.raw(&buf[..n]),
                    _ => continue,
                }
                self.repl.stat_net_output_bytes += n as u64;
                if self.write_to_client(k) {
                    self.pending_write.push(k);
                }
                let stalled = matches!(self.clients.get(k), Some(Some(c)) if c.reply.pending() > 0);
                if !self.clients.contains(k) {
                    continue;
                }
                alive += 1;
                if stalled {
                    if let Some(idx) = self.replica_idx(k) {
                        let r = &mut self.repl.replicas[idx];
                        if r.last_partial_write == 0 {
                            r.last_partial_write = now;
                        }
                    }
                }
            }
            if alive == 0 {
                log::warn!("Diskless rdb transfer, last replica dropped, killing fork child.");
                self.kill_rdb_child();
                return;
            }
        }
    }

    /// Stops polling the snapshot pipe.
    fn close_rdb_pipe_read(&mut self) {
        if let (Some(p), Some(reg)) = (self.repl.pipe.as_ref(), self.registry.as_ref()) {
            let fd = p.read.as_raw_fd();
            let _ = reg.deregister(&mut mio::unix::SourceFd(&fd));
        }
    }

    /// A snapshot child ended, successfully or not, or was killed:
    /// replicas waiting for it move on (`updateSlavesWaitingBgsave`).
    pub fn rdb_child_done(&mut self, ok: bool) {
        let socket = self.repl.rdb_socket_child;
        self.repl.rdb_socket_child = false;
        if self.repl.pipe.as_ref().is_some_and(|p| !p.eof) {
            self.close_rdb_pipe_read();
        }
        self.repl.pipe = None;
        let keys: Vec<usize> = self
            .repl
            .replicas
            .iter()
            .filter(|r| r.state == ReplicaState::WaitBgsaveEnd)
            .map(|r| r.key)
            .collect();
        for key in keys {
            let Some(idx) = self.replica_idx(key) else { continue };
            if !ok {
                log::warn!("SYNC failed. BGSAVE child returned an error");
                self.close_client_async(key);
                continue;
            }
            let name = self.repl.replicas[idx].name();
            if socket {
                log::info!(
                    "Streamed RDB transfer with replica {name} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming"
                );
                if !self.put_replica_online(idx) {
                    self.close_client_async(key);
                    continue;
                }
                self.repl.replicas[idx].start_on_ack = true;
                continue;
            }
            let opened = std::fs::File::open(self.rdb_path()).and_then(|f| {
                let size = f.metadata()?.len();
                Ok((f, size))
            });
            match opened {
                Ok((file, size)) => {
                    let r = &mut self.repl.replicas[idx];
                    r.state = ReplicaState::SendBulk;
                    r.bulk = Some(Bulk { file, size, sent: 0 });
                    self.client_out(key, format!("${size}\r\n").as_bytes());
                    self.replica_refill(key);
                }
                Err(e) => {
                    log::warn!("SYNC failed. Can't open/stat DB after BGSAVE: {}", crate::util::strerror(&e));
                    self.close_client_async(key);
                }
            }
        }
        self.start_bgsave_for_replicas();
    }

    /// Puts the next piece of the snapshot file in a replica's output
    /// once the previous one left (`sendBulkToSlave`). True when bytes were
    /// added.
    pub fn replica_refill(&mut self, key: usize) -> bool {
        let Some(idx) = self.replica_idx(key) else {
            return false;
        };
        if self.repl.replicas[idx].bulk.is_none() {
            return false;
        }
        let Some(Some(c)) = self.clients.get_mut(key) else {
            return false;
        };
        if c.reply.pending() > 0 {
            return false;
        }
        let r = &mut self.repl.replicas[idx];
        let Some(b) = r.bulk.as_mut() else { return false };
        let want = (b.size - b.sent).min(SNAPSHOT_CHUNK as u64) as usize;
        if want > 0 {
            let start = c.reply.buf.len();
            c.reply.buf.resize(start + want, 0);
            match b.file.read(&mut c.reply.buf[start..]) {
                Ok(n) if n > 0 => {
                    c.reply.buf.truncate(start + n);
                    b.sent += n as u64;
                    self.repl.stat_net_output_bytes += n as u64;
                }
                res => {
                    c.reply.buf.truncate(start);
                    let why = match res {
                        Err(e) => crate::util::strerror(&e),
                        Ok(_) => "premature EOF".to_string(),
                    };
                    log::warn!("Read error sending DB to replica: {why}");
                    r.bulk = None;
                    self.close_client_async(key);
                    return false;
                }
            }
        }
        if !c.has(cf::PENDING_WRITE) {
            c.flags |= cf::PENDING_WRITE;
            self.pending_write.push(key);
        }
        let b = r.bulk.as_ref().map(|b| (b.sent, b.size));
        if let Some((sent, size)) = b {
            if sent >= size {
                r.bulk = None;
                if !self.put_replica_online(idx) {
                    if let Some(Some(c)) = self.clients.get_mut(key) {
                        c.flags |= cf::CLOSE_AFTER_REPLY;
                    }
                    return true;
                }
                self.start_command_stream(idx);
            }
        }
        true
    }

    /// Called after writing to a replica's socket: keeps a snapshot
    /// transfer going.
    pub fn replica_after_write(&mut self, key: usize) {
        let drained = matches!(self.clients.get(key), Some(Some(c)) if c.reply.pending() == 0);
        if !drained {
            return;
        }
        let Some(pipe) = self.repl.pipe.as_ref() else { return };
        if pipe.eof || !pipe.conns.contains(&key) {
            return;
        }
        if let Some(idx) = self.replica_idx(key) {
            self.repl.replicas[idx].last_partial_write = 0;
        }
        let all_drained = pipe
            .conns
            .iter()
            .all(|&k| !matches!(self.clients.get(k), Some(Some(c)) if c.reply.pending() > 0));
        if all_drained {
            self.repl.pipe_resume = true;
        }
    }

    /// The replica has its snapshot (`replicaPutOnline`). False for an
    /// RDB-only replica, which is then closed.
    fn put_replica_online(&mut self, idx: usize) -> bool {
        let now = self.unixtime;
        let r = &mut self.repl.replicas[idx];
        if r.rdb_only {
            log::info!(
                "RDB transfer completed, rdb only replica ({}) should be disconnected asap",
                r.name()
            );
            return false;
        }
        r.state = ReplicaState::Online;
        r.ack_time = now;
        log::info!("Synchronization with replica {} succeeded", r.name());
        true
    }

    /// Starts sending what accumulated during the snapshot
    /// (`replicaStartCommandStream`).
    fn start_command_stream(&mut self, idx: usize) {
        let r = &mut self.repl.replicas[idx];
        r.start_on_ack = false;
        let key = r.key;
        if let Some(Some(c)) = self.clients.get_mut(key) {
            if !c.has(cf::PENDING_WRITE) {
                c.flags |= cf::PENDING_WRITE;
                self.pending_write.push(key);
            }
        }
    }

    // ------------------------------------------------------- replicas leaving

    /// Forgets a replica that disconnected (the replica half of `freeClient`).
    pub fn remove_replica(&mut self, c: &Client) {
        let Some(idx) = self.repl.replicas.iter().position(|r| r.key == c.key && r.id == c.id) else {
            return;
        };
        let r = self.repl.replicas.remove(idx);
        log::warn!("Connection with replica {} lost.", r.name());
        if r.cursor.is_some() {
            // What only it still needed can go (`freeReplicaReferencedReplBuffer`).
            self.trim_backlog(TRIM_BLOCKS_PER_CALL);
        }
        if let Some(p) = self.repl.pipe.as_mut() {
            if let Some(i) = p.conns.iter().position(|&k| k == c.key) {
                p.conns.remove(i);
                // It may have been the one the pipe waited for.
                self.repl.pipe_resume = true;
            }
        }
        // A disk snapshot nobody waits for anymore is not worth finishing,
        // unless save points want it anyway.
        let disk_child = self
            .persist
            .child
            .as_ref()
            .is_some_and(|ch| ch.kind == crate::persist::ChildKind::Rdb)
            && !self.repl.rdb_socket_child;
        if self.cfg.special.save.is_empty()
            && r.state == ReplicaState::WaitBgsaveEnd
            && disk_child
            && !self.repl.replicas.iter().any(|o| o.state == ReplicaState::WaitBgsaveEnd)
        {
            self.kill_rdb_child();
        }
        if self.repl.replicas.is_empty() {
            self.repl.no_replicas_since = self.unixtime;
        }
    }

    /// Drops every replica so they reconnect (`disconnectSlaves`).
    pub fn disconnect_replicas(&mut self) {
        let keys: Vec<usize> = self.repl.replicas.iter().map(|r| r.key).collect();
        for k in keys {
            match self.clients.get(k) {
                Some(Some(_)) => self.free_client(k),
                Some(None) => self.close_client_async(k),
                None => {}
            }
        }
    }

    // ----------------------------------------------------------------- acks

    /// REPLCONF ACK from a replica.
    pub fn replica_ack(&mut self, c: &mut Client, offset: i64) {
        let now = self.unixtime;
        let Some(idx) = self.replica_idx(c.key) else { return };
        let r = &mut self.repl.replicas[idx];
        if offset > r.ack_off {
            r.ack_off = offset;
        }
        r.ack_time = now;
        if r.state == ReplicaState::WaitBgsaveEnd
            && self
                .persist
                .child
                .as_ref()
                .is_some_and(|ch| ch.kind == crate::persist::ChildKind::Rdb)
        {
            // The ACK may come before the cron noticed the child ended.
            self.check_child_done();
        }
        if let Some(idx) = self.replica_idx(c.key) {
            let r = &mut self.repl.replicas[idx];
            if r.start_on_ack && r.state == ReplicaState::Online {
                // What accumulated goes out once this command is done
                // (`replica_after_command`).
                r.start_on_ack = false;
            }
        }
    }

    /// Replicas that acknowledged `offset` (`replicationCountAcksByOffset`).
    pub fn count_acks(&self, offset: i64) -> i64 {
        self.repl
            .replicas
            .iter()
            .filter(|r| r.state == ReplicaState::Online && r.ack_off >= offset)
            .count() as i64
    }

    /// Online replicas whose last ACK is recent enough (`refreshGoodSlavesCount`).
    pub fn good_replicas_count(&self) -> usize {
        let now = crate::util::mstime() / 1000;
        let max_lag = self.cfg.min_replicas_max_lag;
        self.repl
            .replicas
            .iter()
            .filter(|r| r.state == ReplicaState::Online && now - r.ack_time <= max_lag)
            .count()
    }

    /// False when min-replicas-to-write forbids writes (`checkGoodReplicasStatus`).
    pub fn good_replicas_ok(&self) -> bool {
        self.is_replica()
            || self.cfg.min_replicas_max_lag == 0
            || self.cfg.min_replicas_to_write == 0
            || self.good_replicas_count() as i64 >= self.cfg.min_replicas_to_write
    }

    /// Parks a WAIT client until enough replicas acknowledge `offset`.
    pub fn block_for_acks(&mut self, c: &mut Client, argv: &[&[u8]], deadline: i64, offset: i64, numreplicas: i64) {
        self.block_for_wait(c, argv, deadline, offset, numreplicas);
        self.repl.waiting_acks.push(c.key);
    }

    /// Answers WAIT clients that have their ACKs (`processClientsWaitingReplicas`).
    pub fn process_clients_waiting_acks(&mut self) {
        for key in self.repl.waiting_acks.clone() {
            let Some(mut c) = self.clients.get_mut(key).and_then(|s| s.take()) else {
                continue;
            };
            if let Some((offset, num)) = c.bstate.as_ref().and_then(|b| b.wait) {
                let acked = self.count_acks(offset);
                if acked >= num {
                    c.reply.int(acked);
                    self.stats.numcommands += 1;
                    self.stats_on_unblock(&c, 0, false);
                    self.unblock_client(&mut c);
                }
            }
            self.put_back_client(key, c);
        }
    }

    // ------------------------------------------------------------------ ids

    /// A new random replication ID (`changeReplicationId`).
    pub fn change_replication_id(&mut self) {
        self.replid = crate::util::random_hex40();
    }

    /// Forgets the secondary ID (`clearReplicationId2`).
    pub fn clear_replication_id2(&mut self) {
        self.replid2 = "0".repeat(40);
        self.repl.second_replid_offset = -1;
    }

    /// The current history becomes the secondary one, valid up to now,
    /// and a new one starts (`shiftReplicationId`).
    pub fn shift_replication_id(&mut self) {
        self.replid2 = self.replid.clone();
        self.repl.second_replid_offset = self.repl.master_repl_offset + 1;
        self.change_replication_id();
        log::warn!(
            "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
            self.replid2,
            self.repl.second_replid_offset,
            self.replid
        );
    }

    pub fn create_backlog(&mut self) {
        self.repl.backlog = Some(Backlog::new(self.repl.master_repl_offset));
    }

    // ----------------------------------------------------------------- cron

    /// The master half of `replicationCron`.
    pub fn master_cron(&mut self) {
        let now = self.unixtime;
        let period = self.cfg.repl_ping_replica_period.max(1) as u64;
        // Not while clients are paused: a FAILOVER or a shutdown waits for
        // the replicas to reach an offset that must stay put.
        if !self.repl.replicas.is_empty() && self.repl.cron_loops.is_multiple_of(period) && self.pause == crate::server::PauseKind::None {
            self.feed_replicas_argv(None, &[b"PING".to_vec()]);
        }
        // Replicas waiting for their snapshot get a newline now and then
        // (not counted in the stream) so they know we are alive.
        let presync: Vec<usize> = self
            .repl
            .replicas
            .iter()
            .filter(|r| r.state == ReplicaState::WaitBgsaveStart || (r.state == ReplicaState::WaitBgsaveEnd && !self.repl.rdb_socket_child))
            .map(|r| r.key)
            .collect();
        for k in presync {
            // Straight to the socket, bypassing the output buffer, so it
            // does not count as interaction (the diskless delay measures
            // how long replicas have been idle).
            if let Some(Some(c)) = self.clients.get_mut(k) {
                if c.reply.pending() == 0 {
                    if let Some(conn) = c.conn.as_mut() {
                        let _ = conn.write(b"\n");
                    }
                }
            }
        }
        let timeout = self.cfg.repl_timeout;
        let mut timed_out: Vec<(usize, String, bool)> = Vec::new();
        for r in &self.repl.replicas {
            if r.state == ReplicaState::Online && !r.pre_psync && now - r.ack_time > timeout {
                timed_out.push((r.key, r.name(), true));
            } else if r.state == ReplicaState::WaitBgsaveEnd
                && self.repl.rdb_socket_child
                && r.last_partial_write != 0
                && now - r.last_partial_write > timeout
            {
                timed_out.push((r.key, r.name(), false));
            }
        }
        for (k, name, streaming) in timed_out {
            if streaming {
                log::warn!("Disconnecting timedout replica (streaming sync): {name}");
            } else {
                log::warn!("Disconnecting timedout replica (full sync): {name}");
            }
            self.free_client(k);
        }
        let ttl = self.cfg.repl_backlog_ttl;
        if self.repl.replicas.is_empty()
            && ttl > 0
            && self.repl.backlog.is_some()
            && !self.is_replica()
            && now - self.repl.no_replicas_since > ttl
        {
            // Without a backlog the offset stops moving: a new ID keeps a
            // later PSYNC from accepting a history we no longer follow.
            self.change_replication_id();
            self.clear_replication_id2();
            self.repl.backlog = None;
            log::info!("Replication backlog freed after {ttl} seconds without connected replicas.");
        }
        self.start_bgsave_for_replicas();
    }
}

/// A replica entry for client `c`.
fn new_replica(c: &Client, info: &ReplicaInfo, ip: String, pre_psync: bool, now: i64) -> Replica {
    Replica {
        key: c.key,
        id: c.id,
        state: ReplicaState::WaitBgsaveStart,
        cursor: None,
        start_on_ack: false,
        port: info.listening_port,
        ip: if ip.is_empty() { peer_ip(&c.addr).to_string() } else { ip },
        capa: info.capa,
        pre_psync,
        rdb_only: info.rdb_only,
        req: info.req,
        ack_off: 0,
        ack_time: now,
        initial_offset: 0,
        bulk: None,
        last_partial_write: 0,
    }
}

/// In the diskless child: `$EOF:<mark>\r\n`, the RDB, the mark
/// (`rdbSaveRioWithEOFMark`). True on success.
fn write_snapshot_to_pipe(srv: &Server, pipe_w: OwnedFd, mark: &str, req: u8) -> bool {
    let mut f = std::fs::File::from(pipe_w);
    let res = (|| -> std::io::Result<()> {
        f.write_all(format!("$EOF:{mark}\r\n").as_bytes())?;
        let mut w = crate::persist::rdb::codec::RdbWriter::new(
            std::io::BufWriter::with_capacity(SNAPSHOT_CHUNK, &mut f),
            srv.cfg.rdbchecksum,
            srv.cfg.rdbcompression,
        );
        crate::persist::rdb::save_filtered(srv, &mut w, false, req)?;
        let mut bw = w.finish()?;
        bw.write_all(mark.as_bytes())?;
        bw.flush()?;
        Ok(())
    })();
    res.is_ok()
}
