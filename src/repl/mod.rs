//! Replication (replication.c): both ends of the PSYNC protocol.
//!
//! - `master.rs`: the master side. Every propagated command is encoded
//!   once as RESP and appended to the backlog (`backlog.rs`) and to each
//!   replica's output; SYNC/PSYNC answer with a partial resync from the
//!   backlog (+CONTINUE) or a full one from a fork snapshot written to
//!   disk or streamed over the sockets (+FULLRESYNC); REPLCONF ACKs feed
//!   WAIT and min-replicas-to-write.
//! - `replica.rs`: the replica side. REPLICAOF starts a non-blocking
//!   connection driven by the event loop through the handshake, the RDB
//!   transfer (to a temp file, or parsed as it arrives: `load.rs`), and
//!   then turns the socket into the master client whose commands are
//!   applied without replies and proxied verbatim to our own replicas.
//!
//! This file holds the shared state, the commands (REPLICAOF, ROLE, WAIT,
//! REPLCONF, SYNC/PSYNC) and the INFO replication section.

pub mod backlog;
pub mod failover;
pub mod load;
pub mod master;
pub mod replica;
pub mod shutdown;

use crate::client::{flags as cf, Client};
use crate::error::Error;
use crate::server::{CmdResult, Ctx, Server};
use std::fmt::Write as _;

/// Replica capabilities (REPLCONF capa).
pub const CAPA_EOF: u8 = 1;
pub const CAPA_PSYNC2: u8 = 2;

/// What a replica's snapshot leaves out (`SLAVE_REQ_*`, set with
/// REPLCONF rdb-filter-only): such a snapshot always goes over the socket,
/// never to the RDB file, and is only shared with replicas asking the same.
pub const REQ_EXCLUDE_DATA: u8 = 1;
pub const REQ_EXCLUDE_FUNCTIONS: u8 = 2;

/// What a connection announced with REPLCONF before SYNC/PSYNC.
#[derive(Default, Debug, Clone)]
pub struct ReplicaInfo {
    pub listening_port: u16,
    /// REPLCONF ip-address (replica-announce-ip).
    pub ip: Option<String>,
    pub capa: u8,
    pub rdb_only: bool,
    /// `REQ_*` bits.
    pub req: u8,
}

/// Where a replica is in its synchronization (`SLAVE_STATE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaState {
    /// Needs a snapshot that has not started yet.
    WaitBgsaveStart,
    /// Its snapshot is being produced (or streamed, diskless).
    WaitBgsaveEnd,
    /// The snapshot file is being sent.
    SendBulk,
    /// Receiving the command stream.
    Online,
}

/// The snapshot file being sent to a disk-synced replica.
pub struct Bulk {
    pub file: std::fs::File,
    pub size: u64,
    pub sent: u64,
}

/// A replica, as its master knows it.
pub struct Replica {
    pub key: usize,
    pub id: u64,
    pub state: ReplicaState,
    /// The offset of the next stream byte it must receive, once it takes
    /// part in the stream: its place in the shared replication buffer
    /// (`ref_repl_buf_node` + `ref_block_pos`). The buffer keeps every
    /// byte from the oldest cursor on.
    pub cursor: Option<i64>,
    /// Diskless sync done: the stream starts with the replica's first ACK.
    pub start_on_ack: bool,
    pub port: u16,
    /// Announced or peer IP.
    pub ip: String,
    pub capa: u8,
    /// Came with plain SYNC: no offsets, no ACKs.
    pub pre_psync: bool,
    pub rdb_only: bool,
    /// `REQ_*` bits: what its snapshot leaves out.
    pub req: u8,
    pub ack_off: i64,
    pub ack_time: i64,
    /// The offset its full resync started at.
    pub initial_offset: i64,
    pub bulk: Option<Bulk>,
    /// When a diskless transfer write to it last stalled (0: not stalled).
    pub last_partial_write: i64,
}

impl Replica {
    /// True when stream bytes can go straight to its output.
    pub fn streaming(&self) -> bool {
        self.state == ReplicaState::Online && !self.start_on_ack && !self.rdb_only
    }

    /// `ip:port` for the log (`replicationGetSlaveName`).
    pub fn name(&self) -> String {
        replica_name(&self.ip, self.port)
    }
}

/// `ip:port`, `[ipv6]:port`, or `ip:<unknown-replica-port>`.
pub fn replica_name(ip: &str, port: u16) -> String {
    if port == 0 {
        format!("{ip}:<unknown-replica-port>")
    } else if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

/// The peer IP of a client address `ip:port`.
pub fn peer_ip(addr: &str) -> &str {
    addr.rsplit_once(':').map(|(ip, _)| ip).unwrap_or(addr)
}

/// A diskless snapshot in flight: the child writes to a pipe, we copy it
/// to the replicas' sockets.
pub struct RdbPipe {
    pub read: std::fs::File,
    /// Closing it tells the child it may exit (we read everything).
    pub exit_w: Option<std::os::fd::OwnedFd>,
    /// Replicas receiving it (slab keys).
    pub conns: Vec<usize>,
    pub eof: bool,
}

/// Replication state, both sides.
pub struct ReplState {
    /// Replicas, in attach order (INFO slaveN order).
    pub replicas: Vec<Replica>,
    /// The db the stream last SELECTed (-1: none yet).
    pub seldb: i64,
    /// Bytes of stream produced (or, on a replica, proxied) so far.
    pub master_repl_offset: i64,
    /// `replid2` is valid up to this offset (-1: no secondary ID).
    pub second_replid_offset: i64,
    pub backlog: Option<backlog::Backlog>,
    /// When the last replica left (backlog TTL).
    pub no_replicas_since: i64,
    pub stat_sync_full: u64,
    pub stat_sync_partial_ok: u64,
    pub stat_sync_partial_err: u64,
    pub stat_net_input_bytes: u64,
    pub stat_net_output_bytes: u64,
    /// The running RDB child streams to replica sockets.
    pub rdb_socket_child: bool,
    pub pipe: Option<RdbPipe>,
    /// Read the pipe again before sleeping (replicas drained).
    pub pipe_resume: bool,
    /// Clients blocked in WAIT (slab keys).
    pub waiting_acks: Vec<usize>,
    /// Send REPLCONF GETACK to replicas before sleeping.
    pub get_ack: bool,
    /// replicationCron runs, at 1 Hz.
    pub cron_loops: u64,
    /// The replica side.
    pub link: replica::Link,
    /// Keys given an expiry by clients of a writable replica, with a bit
    /// per db (`slaveKeysWithExpire`).
    pub slave_keys: std::collections::HashMap<Vec<u8>, u64>,
    /// The running command comes from our master.
    pub current_is_master: bool,
    /// Loading a diskless transfer into a side dataset while serving the
    /// old one (`async_loading`).
    pub async_loading: bool,
    /// A master loading its RDB at start-up: keys found expired are
    /// dropped with a DEL into the backlog (`RDBFLAGS_FEED_REPL`), so
    /// replicas that PSYNC after the restart drop them too.
    pub feed_expired_on_load: bool,
    /// A shutdown waiting for lagging replicas.
    pub shutdown: shutdown::ShutdownWait,
    /// A FAILOVER in progress.
    pub failover: failover::Failover,
}

impl Default for ReplState {
    fn default() -> Self {
        ReplState {
            replicas: Vec::new(),
            seldb: -1,
            master_repl_offset: 0,
            second_replid_offset: -1,
            backlog: None,
            no_replicas_since: crate::util::mstime() / 1000,
            stat_sync_full: 0,
            stat_sync_partial_ok: 0,
            stat_sync_partial_err: 0,
            stat_net_input_bytes: 0,
            stat_net_output_bytes: 0,
            rdb_socket_child: false,
            pipe: None,
            pipe_resume: false,
            waiting_acks: Vec::new(),
            get_ack: false,
            cron_loops: 0,
            link: Default::default(),
            slave_keys: Default::default(),
            current_is_master: false,
            async_loading: false,
            feed_expired_on_load: false,
            shutdown: Default::default(),
            failover: Default::default(),
        }
    }
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
    /// True when this instance replicates from a master (`masterhost`).
    #[inline]
    pub fn is_replica(&self) -> bool {
        self.cfg.special.replicaof.is_some()
    }

    /// The repl-stream-db to record in an RDB, or None when there is no
    /// replication history worth saving (`rdbPopulateSaveInfo`).
    pub fn rdb_repl_stream_db(&self) -> Option<i64> {
        if !self.is_replica() {
            return self.repl.backlog.as_ref().map(|_| self.repl.seldb.max(0));
        }
        if let Some(key) = self.repl.link.master_key() {
            return match self.clients.get(key) {
                Some(Some(c)) => Some(c.db as i64),
                // Running a command right now: its db is not at hand.
                _ => Some(0),
            };
        }
        self.repl.link.cached.as_ref().map(|c| c.db as i64)
    }

    /// Called when any client goes away: replica and master bookkeeping.
    pub fn repl_client_freed(&mut self, c: &Client) {
        if c.has(cf::SLAVE) && !c.has(cf::MONITOR) {
            self.remove_replica(c);
        }
        if c.has(cf::MASTER) {
            self.master_client_freed(c);
        }
        if c.has(cf::BLOCKED) {
            self.repl.waiting_acks.retain(|&k| k != c.key);
        }
    }

    /// Replication work of the cron, once per second (`replicationCron`).
    pub fn replication_cron(&mut self) {
        let hz = self.hz.max(1) as u64;
        if !self.cronloops.is_multiple_of(hz) {
            return;
        }
        self.replica_cron();
        self.master_cron();
        self.repl.cron_loops += 1;
    }

    /// Replication work done before sleeping.
    pub fn repl_before_sleep(&mut self) {
        if self.repl_sync_requested {
            self.repl_sync_requested = false;
            self.start_bgsave_for_replicas();
        }
        if self.repl.pipe_resume {
            self.repl.pipe_resume = false;
            self.rdb_pipe_read();
        }
        if self.repl.link.transfer_more {
            self.repl.link.transfer_more = false;
            self.transfer_event(true, false);
        }
        if !self.repl.waiting_acks.is_empty() {
            self.process_clients_waiting_acks();
        }
        self.update_failover_status();
        if self.repl.get_ack && self.pause == crate::server::PauseKind::None {
            self.repl.get_ack = false;
            self.feed_replicas_argv(None, &[b"REPLCONF".to_vec(), b"GETACK".to_vec(), b"*".to_vec()]);
        }
    }

    /// True when replication has work for the next loop iteration right
    /// away (the poll must not sleep).
    pub fn repl_wants_now(&self) -> bool {
        self.repl.pipe_resume || self.repl.link.transfer_more || self.repl_sync_requested
    }

    /// INFO replication.
    pub fn info_replication(&self) -> String {
        let mut out = String::new();
        let link = &self.repl.link;
        let _ = write!(out, "role:{}\r\n", if self.is_replica() { "slave" } else { "master" });
        if let Some((host, port)) = &self.cfg.special.replicaof {
            let (reploff, read_reploff) = link.offsets().unwrap_or((1, 1));
            let last_io = match link.master_key().and_then(|k| self.clients.get(k)) {
                Some(Some(c)) => (self.unixtime - c.last_interaction) as i32,
                Some(None) => 0,
                None => -1,
            };
            let _ = write!(
                out,
                "master_host:{host}\r\nmaster_port:{port}\r\nmaster_link_status:{}\r\nmaster_last_io_seconds_ago:{last_io}\r\nmaster_sync_in_progress:{}\r\nslave_read_repl_offset:{read_reploff}\r\nslave_repl_offset:{reploff}\r\n",
                if link.state == replica::LinkState::Connected { "up" } else { "down" },
                u8::from(link.state == replica::LinkState::Transfer),
            );
            if link.state == replica::LinkState::Transfer {
                let (size, read) = link.transfer_progress();
                let perc = if size > 0 { read as f64 / size as f64 * 100.0 } else { 0.0 };
                let _ = write!(
                    out,
                    "master_sync_total_bytes:{size}\r\nmaster_sync_read_bytes:{read}\r\nmaster_sync_left_bytes:{}\r\nmaster_sync_perc:{perc:.2}\r\nmaster_sync_last_io_seconds_ago:{}\r\n",
                    size - read,
                    self.unixtime - link.transfer_lastio
                );
            }
            if link.state != replica::LinkState::Connected {
                let since = if link.down_since != 0 {
                    self.unixtime - link.down_since
                } else {
                    -1
                };
                let _ = write!(out, "master_link_down_since_seconds:{since}\r\n");
            }
            let _ = write!(
                out,
                "slave_priority:{}\r\nslave_read_only:{}\r\nreplica_announced:{}\r\n",
                self.cfg.replica_priority,
                u8::from(self.cfg.replica_read_only),
                u8::from(self.cfg.replica_announced)
            );
        }
        let _ = write!(out, "connected_slaves:{}\r\n", self.repl.replicas.len());
        if self.cfg.min_replicas_to_write != 0 && self.cfg.min_replicas_max_lag != 0 {
            let _ = write!(out, "min_slaves_good_slaves:{}\r\n", self.good_replicas_count());
        }
        for (i, r) in self.repl.replicas.iter().enumerate() {
            let state = match r.state {
                ReplicaState::WaitBgsaveStart | ReplicaState::WaitBgsaveEnd => "wait_bgsave",
                ReplicaState::SendBulk => "send_bulk",
                ReplicaState::Online => "online",
            };
            let lag = if r.state == ReplicaState::Online {
                crate::util::mstime() / 1000 - r.ack_time
            } else {
                0
            };
            let _ = write!(
                out,
                "slave{i}:ip={},port={},state={state},offset={},lag={lag}\r\n",
                r.ip, r.port, r.ack_off
            );
        }
        let (bl_active, bl_first, bl_histlen) = match &self.repl.backlog {
            Some(b) => (1, b.offset, b.histlen),
            None => (0, 0, 0),
        };
        let _ = write!(
            out,
            "master_failover_state:{}\r\nmaster_replid:{}\r\nmaster_replid2:{}\r\nmaster_repl_offset:{}\r\nsecond_repl_offset:{}\r\nrepl_backlog_active:{bl_active}\r\nrepl_backlog_size:{}\r\nrepl_backlog_first_byte_offset:{bl_first}\r\nrepl_backlog_histlen:{bl_histlen}\r\n",
            self.repl.failover.state_name(), self.replid, self.replid2, self.repl.master_repl_offset, self.repl.second_replid_offset, self.cfg.repl_backlog_size
        );
        out
    }
}

/// Applies `repl-backlog-size` (`updateReplBacklogSize`).
pub fn apply_backlog_size(srv: &mut Server) -> Result<(), String> {
    if srv.cfg.repl_backlog_size < backlog::MIN_SIZE as i64 {
        srv.cfg.repl_backlog_size = backlog::MIN_SIZE as i64;
    }
    let size = srv.cfg.repl_backlog_size as usize;
    let _ = size;
    srv.trim_backlog(backlog::TRIM_BLOCKS_PER_CALL);
    Ok(())
}

/// `SYNC` and `PSYNC replicationid offset`
pub fn sync_command(ctx: &mut Ctx) -> CmdResult {
    // Already a replica (or a MONITOR), or our own master: ignore.
    if ctx.c.has(cf::SLAVE | cf::MASTER) {
        return Ok(());
    }
    // A master handing over to us (FAILOVER): we become the master and
    // answer its PSYNC as such.
    if ctx.argc() > 3 && ctx.argv[0].eq_ignore_ascii_case(b"psync") && ctx.argv[3].eq_ignore_ascii_case(b"failover") {
        log::warn!("Failover request received for replid {}.", String::from_utf8_lossy(ctx.argv[1]));
        if !ctx.srv.is_replica() {
            return Err(Error::err("ERR PSYNC FAILOVER can't be sent to a master."));
        }
        if ctx.argv[1] != ctx.srv.replid.as_bytes() {
            return Err(Error::err("ERR PSYNC FAILOVER replid must match my replid."));
        }
        ctx.srv.replication_unset_master();
        let who = crate::client::commands::client_info_string(ctx.srv, ctx.c);
        log::info!("MASTER MODE enabled (failover request from '{who}')");
    }
    if ctx.srv.repl.failover.state != failover::FailoverState::None {
        return Err(Error::err("NOMASTERLINK Can't SYNC while failing over"));
    }
    if ctx.srv.is_replica() && ctx.srv.repl.link.state != replica::LinkState::Connected {
        return Err(Error::err("NOMASTERLINK Can't SYNC while not connected with my master"));
    }
    if ctx.c.reply.pending() > 0 {
        return Err(Error::err("ERR SYNC and PSYNC are invalid with pending output"));
    }
    ctx.no_propagate = true;
    let info = ctx.c.repl.as_deref().cloned().unwrap_or_default();
    // A filtered snapshot only ever goes over the socket.
    if info.req != 0 && info.capa & CAPA_EOF == 0 {
        return Err(Error::err("ERR Filtered replica requires EOF capability"));
    }
    let ip = info.ip.clone().unwrap_or_else(|| peer_ip(&ctx.c.addr).to_string());
    let name = replica_name(&ip, info.listening_port);
    log::info!("Replica {name} asks for synchronization");
    let is_psync = ctx.argv[0].eq_ignore_ascii_case(b"psync");
    if is_psync {
        let Some(offset) = crate::util::num::parse_i64(ctx.argv[2]) else {
            log::warn!("Replica {name} asks for synchronization but with a wrong offset");
            return Err(Error::NotInteger);
        };
        let replid = String::from_utf8_lossy(ctx.argv[1]).into_owned();
        if ctx.srv.try_partial_resync(ctx.c, &info, &ip, &replid, offset) {
            ctx.srv.repl.stat_sync_partial_ok += 1;
            return Ok(());
        }
        if !replid.starts_with('?') {
            ctx.srv.repl.stat_sync_partial_err += 1;
        }
    }
    ctx.srv.repl.stat_sync_full += 1;
    ctx.srv.add_replica_for_full_sync(ctx.c, &info, ip, !is_psync);
    Ok(())
}

/// `REPLCONF option value [option value ...]`
pub fn replconf_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.argc().is_multiple_of(2) {
        return Err(Error::Syntax);
    }
    for pair in ctx.argv[1..].chunks(2) {
        let (opt, val) = (pair[0].to_ascii_lowercase(), pair[1]);
        match opt.as_slice() {
            b"listening-port" => {
                let p = crate::util::num::parse_i64(val).ok_or(Error::NotInteger)?;
                ctx.c.repl.get_or_insert_with(Default::default).listening_port = p as u16;
            }
            b"ip-address" => {
                if val.len() >= 256 {
                    return Err(Error::msg(format!(
                        "ERR REPLCONF ip-address provided by replica instance is too long: {} bytes",
                        val.len()
                    )));
                }
                ctx.c.repl.get_or_insert_with(Default::default).ip = Some(String::from_utf8_lossy(val).into_owned());
            }
            b"capa" => {
                let info = ctx.c.repl.get_or_insert_with(Default::default);
                if val.eq_ignore_ascii_case(b"eof") {
                    info.capa |= CAPA_EOF;
                } else if val.eq_ignore_ascii_case(b"psync2") {
                    info.capa |= CAPA_PSYNC2;
                }
            }
            b"ack" => {
                // Acknowledgements get no reply.
                if ctx.c.has(cf::SLAVE) {
                    if let Some(off) = crate::util::num::parse_i64(val) {
                        ctx.srv.replica_ack(ctx.c, off);
                    }
                }
                return Ok(());
            }
            b"getack" => {
                if ctx.srv.is_replica() && ctx.c.has(cf::MASTER) {
                    ctx.srv.repl.link.ack_requested = true;
                }
                return Ok(());
            }
            b"rdb-only" => {
                let v = crate::util::num::parse_i64(val)
                    .filter(|v| (0..=1).contains(v))
                    .ok_or(Error::err("ERR value is out of range, must be between 0 and 1"))?;
                ctx.c.repl.get_or_insert_with(Default::default).rdb_only = v == 1;
            }
            b"rdb-filter-only" => {
                // Everything is left out but what the filters include.
                let mut req = REQ_EXCLUDE_DATA | REQ_EXCLUDE_FUNCTIONS;
                for f in String::from_utf8_lossy(val).split_whitespace() {
                    if !f.eq_ignore_ascii_case("functions") {
                        return Err(Error::msg(format!("ERR Unsupported rdb-filter-only option: {f}")));
                    }
                    req &= !REQ_EXCLUDE_FUNCTIONS;
                }
                ctx.c.repl.get_or_insert_with(Default::default).req = req;
            }
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

/// `REPLICAOF host port` / `REPLICAOF NO ONE` (and `SLAVEOF`)
pub fn replicaof_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.srv.cfg.cluster_enabled {
        return Err(Error::err("ERR REPLICAOF not allowed in cluster mode."));
    }
    if ctx.srv.repl.failover.state != failover::FailoverState::None {
        return Err(Error::err("ERR REPLICAOF not allowed while failing over."));
    }
    if ctx.argv[1].eq_ignore_ascii_case(b"no") && ctx.argv[2].eq_ignore_ascii_case(b"one") {
        if ctx.srv.is_replica() {
            ctx.srv.replication_unset_master();
            let who = crate::client::commands::client_info_string(ctx.srv, ctx.c);
            log::info!("MASTER MODE enabled (user request from '{who}')");
        }
    } else {
        if ctx.c.has(cf::SLAVE) {
            return Err(Error::err("ERR Command is not valid when client is a replica."));
        }
        let port = crate::util::num::parse_i64(ctx.argv[2])
            .filter(|p| (0..=65535).contains(p))
            .ok_or(Error::err("ERR Invalid master port"))? as u16;
        let host = String::from_utf8_lossy(ctx.argv[1]).into_owned();
        if let Some((h, p)) = &ctx.srv.cfg.special.replicaof {
            if h.eq_ignore_ascii_case(&host) && *p == port {
                log::info!(
                    "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed."
                );
                ctx.c.reply.raw(b"+OK Already connected to specified master\r\n");
                return Ok(());
            }
        }
        ctx.srv.replication_set_master(host, port);
        let who = crate::client::commands::client_info_string(ctx.srv, ctx.c);
        let (h, p) = ctx.srv.cfg.special.replicaof.clone().unwrap_or_default();
        log::info!("REPLICAOF {h}:{p} enabled (user request from '{who}')");
    }
    ctx.c.reply.ok();
    Ok(())
}

/// `ROLE`
pub fn role_command(ctx: &mut Ctx) -> CmdResult {
    if let Some((host, port)) = ctx.srv.cfg.special.replicaof.clone() {
        let link = &ctx.srv.repl.link;
        let state: &[u8] = if link.state.is_handshake() {
            b"handshake"
        } else {
            match link.state {
                replica::LinkState::None => b"none",
                replica::LinkState::Connect => b"connect",
                replica::LinkState::Connecting => b"connecting",
                replica::LinkState::Transfer => b"sync",
                replica::LinkState::Connected => b"connected",
                _ => b"unknown",
            }
        };
        let off = if link.master_key().is_some() { link.reploff } else { -1 };
        let r = &mut ctx.c.reply;
        r.array_len(5);
        r.bulk(b"slave");
        r.bulk(host.as_bytes());
        r.int(i64::from(port));
        r.bulk(state);
        r.int(off);
        return Ok(());
    }
    let lines: Vec<(String, u16, i64)> = ctx
        .srv
        .repl
        .replicas
        .iter()
        .filter(|r| r.state == ReplicaState::Online)
        .map(|r| (r.ip.clone(), r.port, r.ack_off))
        .collect();
    let off = ctx.srv.repl.master_repl_offset;
    let r = &mut ctx.c.reply;
    r.array_len(3);
    r.bulk(b"master");
    r.int(off);
    r.array_len(lines.len());
    for (ip, port, o) in lines {
        r.array_len(3);
        r.bulk(ip.as_bytes());
        r.bulk_i64(i64::from(port));
        r.bulk_i64(o);
    }
    Ok(())
}

/// `WAIT numreplicas timeout`
pub fn wait_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.srv.is_replica() {
        return Err(Error::err("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated."));
    }
    let numreplicas = crate::util::num::parse_i64(ctx.argv[1]).ok_or(Error::NotInteger)?;
    let timeout = crate::util::num::parse_i64(ctx.argv[2]).ok_or(Error::err("ERR timeout is not an integer or out of range"))?;
    if timeout < 0 {
        return Err(Error::err("ERR timeout is negative"));
    }
    let deadline = if timeout > 0 {
        crate::util::mstime()
            .checked_add(timeout)
            .ok_or(Error::err("ERR timeout is out of range"))?
    } else {
        0
    };
    let offset = ctx.c.woff;
    let acked = ctx.srv.count_acks(offset);
    if acked >= numreplicas || ctx.c.has(cf::MULTI) || ctx.deny_blocking() {
        ctx.c.reply.int(acked);
        return Ok(());
    }
    ctx.srv.block_for_acks(ctx.c, ctx.argv, deadline, offset, numreplicas);
    ctx.srv.repl.get_ack = true;
    Ok(())
}
