//! Replication, master side (replication.c): SYNC/PSYNC full
//! resynchronization from a fork snapshot, then the live command stream.
//!
//! Every propagated command is encoded once as RESP (with a SELECT when
//! the database changes) and fed to each replica: buffered while its
//! snapshot is being written, appended to its output once it is online.

use crate::client::{flags as cf, Client};
use crate::error::Error;
use crate::server::{CmdResult, Ctx, Server};

/// Where a replica is in its synchronization.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaState {
    /// Needs a snapshot that has not started yet.
    WaitBgsaveStart,
    /// Its snapshot is being written; the stream is buffered meanwhile.
    WaitBgsaveEnd,
    /// Receiving the live stream.
    Online,
}

/// Per-replica bookkeeping (on the replica's client).
pub struct ReplicaInfo {
    pub state: ReplicaState,
    /// The stream produced while the snapshot was written.
    pub pending: Vec<u8>,
    pub listening_port: u16,
    pub ack_offset: i64,
    pub ack_time: i64,
}

/// Master-side replication state.
#[derive(Default)]
pub struct ReplState {
    /// Replica clients (slab keys).
    pub replicas: Vec<usize>,
    /// The db the stream last SELECTed (-1: none yet).
    pub seldb: i64,
    /// Bytes of stream produced so far.
    pub master_repl_offset: i64,
    /// A snapshot child was started to serve replicas.
    pub bgsave_for_replicas: bool,
}

/// Appends `argv` as a RESP multibulk.
pub fn encode_command(out: &mut Vec<u8>, argv: &[Vec<u8>]) {
    out.push(b'*');
    crate::util::num::push_i64(out, argv.len() as i64);
    out.extend_from_slice(b"\r\n");
    for a in argv {
        out.push(b'$');
        crate::util::num::push_i64(out, a.len() as i64);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

impl Server {
    /// Sends one propagated command to every replica
    /// (`replicationFeedSlaves`).
    pub fn feed_replicas(&mut self, db: usize, argv: &[Vec<u8>]) {
        if self.repl.replicas.is_empty() || self.cfg.special.replicaof.is_some() {
            return;
        }
        let mut buf = Vec::with_capacity(64);
        if self.repl.seldb != db as i64 {
            encode_command(&mut buf, &[b"SELECT".to_vec(), db.to_string().into_bytes()]);
            self.repl.seldb = db as i64;
        }
        encode_command(&mut buf, argv);
        self.repl.master_repl_offset += buf.len() as i64;
        for key in self.repl.replicas.clone() {
            let state = match self.clients.get(key) {
                Some(Some(c)) => c.repl.as_ref().map(|r| r.state),
                Some(None) => None,
                None => None,
            };
            match state {
                Some(ReplicaState::Online) => self.with_client_output(key, |r| r.raw(&buf)),
                Some(ReplicaState::WaitBgsaveEnd) => {
                    if let Some(Some(c)) = self.clients.get_mut(key) {
                        if let Some(r) = c.repl.as_mut() {
                            r.pending.extend_from_slice(&buf);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Starts a snapshot for replicas waiting for one, if none is running.
    pub fn start_bgsave_for_replicas(&mut self) {
        if self.persist.child.is_some() {
            return;
        }
        let waiting: Vec<usize> = self
            .repl
            .replicas
            .iter()
            .copied()
            .filter(|&k| matches!(self.clients.get(k), Some(Some(c)) if c.repl.as_ref().is_some_and(|r| r.state == ReplicaState::WaitBgsaveStart)))
            .collect();
        if waiting.is_empty() {
            return;
        }
        log::info!("Starting BGSAVE for SYNC with target: disk");
        if self.bgsave_start().is_err() {
            for k in waiting {
                self.with_client_output(k, |r| r.error(b"ERR BGSAVE failed, replication can't continue"));
                if let Some(Some(c)) = self.clients.get_mut(k) {
                    c.flags |= cf::CLOSE_AFTER_REPLY;
                }
            }
            return;
        }
        self.repl.bgsave_for_replicas = true;
        // The snapshot covers everything so far; the stream restarts with
        // a SELECT.
        self.repl.seldb = -1;
        for k in waiting {
            if let Some(Some(c)) = self.clients.get_mut(k) {
                if let Some(r) = c.repl.as_mut() {
                    r.state = ReplicaState::WaitBgsaveEnd;
                    r.pending.clear();
                }
            }
        }
    }

    /// A snapshot ended: send it to the replicas that waited for it
    /// (`updateSlavesWaitingBgsave`).
    pub fn snapshot_done_for_replicas(&mut self, ok: bool) {
        self.repl.bgsave_for_replicas = false;
        let file = if ok { std::fs::read(self.rdb_path()).ok() } else { None };
        for k in self.repl.replicas.clone() {
            let Some(Some(c)) = self.clients.get_mut(k) else { continue };
            let Some(r) = c.repl.as_mut() else { continue };
            if r.state != ReplicaState::WaitBgsaveEnd {
                continue;
            }
            match &file {
                Some(bytes) => {
                    let pending = std::mem::take(&mut r.pending);
                    r.state = ReplicaState::Online;
                    log::info!("Synchronization with replica {} succeeded", c.addr);
                    c.reply.raw(format!("${}\r\n", bytes.len()).as_bytes());
                    c.reply.raw(bytes);
                    c.reply.raw(&pending);
                    if !c.has(cf::PENDING_WRITE) {
                        c.flags |= cf::PENDING_WRITE;
                        self.pending_write.push(k);
                    }
                }
                None => {
                    log::warn!("SYNC failed. BGSAVE child returned an error");
                    c.flags |= cf::CLOSE_ASAP;
                    self.to_close.push(k);
                }
            }
        }
        // Replicas that arrived during this snapshot need the next one.
        self.start_bgsave_for_replicas();
    }

    /// Forgets a replica that disconnected.
    pub fn remove_replica(&mut self, c: &Client) {
        if c.repl.is_some() {
            self.repl.replicas.retain(|&k| k != c.key);
            log::info!("Connection with replica {} lost.", c.addr);
        }
    }

    /// Pings replicas so they can tell the link is alive (replicationCron).
    pub fn replication_cron(&mut self) {
        if self.repl.replicas.is_empty() {
            return;
        }
        let period = self.cfg.repl_ping_replica_period.max(1) * self.hz.max(1);
        if self.cronloops % (period as u64) == 0 {
            let db = self.repl.seldb.max(0) as usize;
            self.feed_replicas(db, &[b"PING".to_vec()]);
        }
        self.start_bgsave_for_replicas();
    }

    /// INFO replication's replica lines.
    pub fn replica_info_lines(&self) -> String {
        let mut out = String::new();
        let mut i = 0;
        for &k in &self.repl.replicas {
            let Some(Some(c)) = self.clients.get(k) else { continue };
            let Some(r) = c.repl.as_ref() else { continue };
            let ip = c.addr.rsplit_once(':').map(|(ip, _)| ip).unwrap_or("");
            let state = match r.state {
                ReplicaState::WaitBgsaveStart | ReplicaState::WaitBgsaveEnd => "wait_bgsave",
                ReplicaState::Online => "online",
            };
            out.push_str(&format!(
                "slave{i}:ip={ip},port={},state={state},offset={},lag={}\r\n",
                r.listening_port,
                r.ack_offset,
                (self.unixtime - r.ack_time).max(0)
            ));
            i += 1;
        }
        out
    }
}

/// `SYNC` and `PSYNC replicationid offset`: always a full resync here.
pub fn sync_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.c.has(cf::SLAVE) {
        return Ok(());
    }
    if ctx.srv.cfg.special.replicaof.is_some() {
        return Err(Error::err("NOMASTERLINK Can't SYNC while not connected with my master"));
    }
    if ctx.c.reply.pending() > 0 {
        return Err(Error::err("ERR SYNC and PSYNC are invalid with pending output"));
    }
    let is_psync = ctx.argv[0].eq_ignore_ascii_case(b"psync");
    if is_psync {
        let line = format!("FULLRESYNC {} {}", ctx.srv.replid, ctx.srv.repl.master_repl_offset);
        ctx.c.reply.status(line.as_bytes());
    }
    log::info!("Replica {} asks for synchronization", ctx.c.addr);
    ctx.c.flags |= cf::SLAVE;
    let now = ctx.srv.unixtime;
    let port = ctx.c.repl.as_ref().map(|r| r.listening_port).unwrap_or(0);
    ctx.c.repl = Some(Box::new(ReplicaInfo {
        state: ReplicaState::WaitBgsaveStart,
        pending: Vec::new(),
        listening_port: port,
        ack_offset: 0,
        ack_time: now,
    }));
    ctx.srv.repl.replicas.push(ctx.c.key);
    // The snapshot starts once this command is done (the client must be
    // back in the slab to be found as waiting).
    ctx.srv.repl_sync_requested = true;
    ctx.no_propagate = true;
    Ok(())
}

/// `REPLCONF option value [option value ...]`
pub fn replconf_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.argc() % 2 == 0 {
        return Err(Error::Syntax);
    }
    for pair in ctx.argv[1..].chunks(2) {
        let opt = pair[0].to_ascii_lowercase();
        match opt.as_slice() {
            b"listening-port" => {
                let p = crate::util::num::parse_i64(pair[1]).ok_or(Error::NotInteger)?;
                let info = ctx.c.repl.get_or_insert_with(|| {
                    Box::new(ReplicaInfo {
                        state: ReplicaState::WaitBgsaveStart,
                        pending: Vec::new(),
                        listening_port: 0,
                        ack_offset: 0,
                        ack_time: 0,
                    })
                });
                info.listening_port = p as u16;
            }
            b"ack" => {
                // Acknowledgements get no reply.
                if let Some(r) = ctx.c.repl.as_mut() {
                    r.ack_offset = crate::util::num::parse_i64(pair[1]).unwrap_or(r.ack_offset);
                    r.ack_time = ctx.srv.unixtime;
                }
                return Ok(());
            }
            b"getack" => return Ok(()),
            b"ip-address" | b"capa" | b"rdb-only" | b"rdb-filter-only" => {}
            _ => {
                return Err(Error::msg(format!(
                    "ERR Unrecognized REPLCONF option: {}",
                    String::from_utf8_lossy(pair[0])
                )))
            }
        }
    }
    ctx.c.reply.ok();
    Ok(())
}

/// `ROLE`
pub fn role_command(ctx: &mut Ctx) -> CmdResult {
    let mut lines: Vec<(String, String, i64)> = Vec::new();
    for &k in &ctx.srv.repl.replicas {
        if let Some(Some(c)) = ctx.srv.clients.get(k) {
            if let Some(r) = c.repl.as_ref() {
                let ip = c.addr.rsplit_once(':').map(|(ip, _)| ip.to_string()).unwrap_or_default();
                lines.push((ip, r.listening_port.to_string(), r.ack_offset));
            }
        }
    }
    let off = ctx.srv.repl.master_repl_offset;
    let r = &mut ctx.c.reply;
    r.array_len(3);
    r.bulk(b"master");
    r.int(off);
    r.array_len(lines.len());
    for (ip, port, o) in lines {
        r.array_len(3);
        r.bulk(ip.as_bytes());
        r.bulk(port.as_bytes());
        r.bulk(o.to_string().as_bytes());
    }
    Ok(())
}
