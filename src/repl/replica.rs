//! Replication, replica side (the SLAVE half of replication.c).
//!
//! REPLICAOF (or `replicaof` in the config) sets the master; the cron or
//! the command itself starts a non-blocking connect. From then on the
//! socket is driven by the event loop: PING, AUTH, REPLCONF
//! listening-port / ip-address / capa, PSYNC (or SYNC). A `+CONTINUE`
//! resurrects the cached master on the new socket; a `+FULLRESYNC` is
//! followed by the RDB, `$<len>` or `$EOF:<mark>` framed, which goes to a
//! temp file renamed over `dbfilename` and loaded (`repl-diskless-load
//! disabled`), or is parsed as it arrives (`load.rs`). Then the socket
//! becomes the master client: its commands run without replies, advance
//! the replication offset, and go verbatim to our own replicas.

use super::load::{Progress, StreamLoad};
use crate::ae::Tok;
use crate::client::{flags as cf, Client};
use crate::net::tls::Tls;
use crate::net::Conn;
use crate::server::Server;
use std::io::Write;
use std::time::Duration;

/// Where the link with the master is (`REPL_STATE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LinkState {
    /// Not a replica.
    None,
    /// Must connect (the cron tries every second).
    Connect,
    /// Non-blocking connect in progress.
    Connecting,
    ReceivePingReply,
    SendHandshake,
    ReceiveAuthReply,
    ReceivePortReply,
    ReceiveIpReply,
    ReceiveCapaReply,
    SendPsync,
    ReceivePsyncReply,
    /// Receiving the RDB.
    Transfer,
    /// The master client is up.
    Connected,
}

impl LinkState {
    /// The states ROLE reports as "handshake".
    pub fn is_handshake(self) -> bool {
        self >= LinkState::ReceivePingReply && self <= LinkState::ReceivePsyncReply
    }
}

/// What is kept of a master whose link broke, to PSYNC later.
#[derive(Clone, Debug)]
pub struct Cached {
    pub replid: String,
    pub reploff: i64,
    pub db: usize,
}

/// The link to the master before it becomes the master client.
pub struct Transfer {
    conn: Conn,
    /// Received, not processed.
    rbuf: Vec<u8>,
    /// To send.
    wbuf: Vec<u8>,
    /// The RDB is parsed as it arrives instead of going to a file.
    diskless: bool,
    /// RDB size, 0 with an EOF mark, -1 until the `$` line arrived.
    size: i64,
    read: i64,
    mark: Option<Vec<u8>>,
    /// The last 40 payload bytes (to spot the EOF mark).
    last: Vec<u8>,
    file: Option<(std::fs::File, String)>,
    last_fsync: i64,
    load: Option<StreamLoad>,
    /// The current dataset is set aside until the load succeeds.
    swapdb: bool,
}

/// The replica's view of its master.
pub struct Link {
    pub state: LinkState,
    pub transfer: Option<Transfer>,
    /// The master client: slab key and client id.
    master: Option<(usize, u64)>,
    /// Stream bytes applied / read from the master client.
    pub reploff: i64,
    pub read_reploff: i64,
    /// The master client's replication ID.
    pub client_replid: String,
    /// The master spoke plain SYNC: no offsets, no ACKs.
    pub pre_psync: bool,
    /// From +FULLRESYNC: the ID and offset the snapshot starts at.
    pub master_replid: String,
    pub master_initial_offset: i64,
    pub cached: Option<Cached>,
    pub down_since: i64,
    pub transfer_lastio: i64,
    /// The transfer has more to do before the next poll.
    pub transfer_more: bool,
    /// REPLCONF GETACK arrived: ACK after the current command.
    pub ack_requested: bool,
    /// Bytes of a MULTI from the master not applied yet.
    unapplied: Vec<u8>,
    /// When "applying a command though unable to write to disk" was
    /// last logged (ms).
    pub disk_error_logged: i64,
}

impl Default for Link {
    fn default() -> Self {
        Link {
            state: LinkState::None,
            transfer: None,
            master: None,
            reploff: 0,
            read_reploff: 0,
            client_replid: String::new(),
            pre_psync: false,
            master_replid: String::new(),
            master_initial_offset: -1,
            cached: None,
            down_since: 0,
            transfer_lastio: 0,
            transfer_more: false,
            ack_requested: false,
            unapplied: Vec::new(),
            disk_error_logged: 0,
        }
    }
}

impl Link {
    /// Slab key of the master client, when connected.
    pub fn master_key(&self) -> Option<usize> {
        self.master.map(|(k, _)| k)
    }

    /// True when `c` is our master client.
    pub fn is_master(&self, c: &Client) -> bool {
        self.master == Some((c.key, c.id))
    }

    /// (applied, read) offsets of the master or the cached master.
    pub fn offsets(&self) -> Option<(i64, i64)> {
        if self.master.is_some() {
            Some((self.reploff, self.read_reploff))
        } else {
            self.cached.as_ref().map(|c| (c.reploff, c.reploff))
        }
    }

    /// (size, read) of the RDB transfer in progress.
    pub fn transfer_progress(&self) -> (i64, i64) {
        self.transfer.as_ref().map(|t| (t.size.max(0), t.read)).unwrap_or((0, 0))
    }
}

/// Bytes read from the master socket per event before yielding.
const READ_BUDGET: usize = 1 << 20;
/// Bytes asked for per read from the master socket.
const READ_CHUNK: usize = 64 * 1024;
/// Stop reading while this much RDB waits to be parsed.
const MAX_UNPARSED: usize = 8 << 20;
/// fsync the temp RDB every this many bytes (`REPL_MAX_WRITTEN_BEFORE_FSYNC`).
const FSYNC_EVERY: i64 = 8 << 20;
/// Time a diskless load may take per loop iteration.
const LOAD_BUDGET: Duration = Duration::from_millis(20);

/// A multibulk command as bytes.
fn command_bytes(args: &[&[u8]]) -> Vec<u8> {
    let owned: Vec<Vec<u8>> = args.iter().map(|a| a.to_vec()).collect();
    let mut out = Vec::new();
    super::encode_command(&mut out, &owned);
    out
}

/// A non-blocking connect to `addr`, from `source` when set
/// (`bind-source-addr`), over TLS when `tls` is given (`tls-replication`).
fn connect_from(addr: std::net::SocketAddr, source: &str, tls: Option<&Tls>) -> std::io::Result<Conn> {
    let src = if source.is_empty() {
        None
    } else {
        let ip: std::net::IpAddr = source
            .parse()
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "Invalid bind-source-addr"))?;
        Some(ip)
    };
    Conn::connect(addr, src, tls)
}

fn now_secs() -> i64 {
    crate::util::mstime() / 1000
}

impl Server {
    /// "host:port" of the configured master, for the log.
    fn master_addr(&self) -> (String, u16) {
        self.cfg.special.replicaof.clone().unwrap_or_default()
    }

    // ------------------------------------------------------ REPLICAOF

    /// Starts replicating from `host:port` (`replicationSetMaster`).
    pub fn replication_set_master(&mut self, host: String, port: u16) {
        let was_master = !self.is_replica();
        self.cfg.special.replicaof = None;
        self.drop_master_client();
        self.disconnect_all_blocked_clients();
        self.cfg.special.replicaof = Some((host.clone(), port));
        crate::util::log::set_role(b'S');
        let _ = self.set_oom_score_adj(None);
        // Our replicas stay: they may continue with us by PSYNC.
        self.cancel_handshake(false);
        if was_master {
            self.discard_cached_master();
            self.cache_master_using_myself();
        }
        self.repl.link.state = LinkState::Connect;
        log::info!("Connecting to MASTER {host}:{port}");
        self.connect_with_master();
    }

    /// Stops replicating; this instance becomes a master
    /// (`replicationUnsetMaster`).
    pub fn replication_unset_master(&mut self) {
        if !self.is_replica() {
            return;
        }
        self.cfg.special.replicaof = None;
        crate::util::log::set_role(b'M');
        let _ = self.set_oom_score_adj(None);
        self.drop_master_client();
        self.discard_cached_master();
        self.cancel_handshake(false);
        // Our history continues under a new ID; replicas that followed
        // the old one can still PSYNC with the old one as ID2.
        self.shift_replication_id();
        self.disconnect_replicas();
        self.repl.link.state = LinkState::None;
        self.repl.seldb = -1;
        self.repl.no_replicas_since = self.unixtime;
        self.repl.link.down_since = 0;
        self.repl.slave_keys.clear();
        self.restart_aof_after_sync();
    }

    /// Turns the AOF back on after a sync (or promotion) if configured
    /// (`restartAOFAfterSYNC`).
    fn restart_aof_after_sync(&mut self) {
        if self.cfg.appendonly && self.aof.status == crate::persist::aof::AofStatus::Off && self.aof_start().is_err() {
            log::warn!("Failed enabling the AOF after successful master synchronization!");
        }
    }

    /// Unblocks every blocked client with an error, since the instance
    /// changes role (`disconnectAllBlockedClients`).
    fn disconnect_all_blocked_clients(&mut self) {
        let keys: Vec<usize> = self
            .clients
            .iter()
            .filter_map(|(k, c)| c.as_deref().filter(|c| c.has(cf::BLOCKED)).map(|_| k))
            .collect();
        for k in keys {
            let Some(mut c) = self.clients.get_mut(k).and_then(|s| s.take()) else {
                continue;
            };
            let e =
                crate::error::Error::err("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)");
            self.reply_error(&mut c, &e);
            self.unblock_client(&mut c);
            c.flags |= cf::CLOSE_AFTER_REPLY;
            self.put_back_client(k, c);
        }
    }

    /// Caches and frees the master client on purpose (REPLICAOF).
    fn drop_master_client(&mut self) {
        let Some((key, id)) = self.repl.link.master else { return };
        let db = match self.clients.get(key) {
            Some(Some(c)) if c.id == id => c.db,
            _ => 0,
        };
        log::warn!("Connection with master lost.");
        self.cache_master(db);
        self.repl.link.state = LinkState::Connect;
        self.repl.link.down_since = self.unixtime;
        match self.clients.get(key) {
            Some(Some(c)) if c.id == id => self.free_client(key),
            Some(None) => self.close_client_async(key),
            _ => {}
        }
    }

    /// Keeps what a PSYNC needs from the master client being lost
    /// (`replicationCacheMaster`).
    fn cache_master(&mut self, db: usize) {
        log::info!("Caching the disconnected master state.");
        let link = &mut self.repl.link;
        link.cached = Some(Cached {
            replid: link.client_replid.clone(),
            reploff: link.reploff,
            db,
        });
        link.master = None;
        link.unapplied.clear();
        link.ack_requested = false;
    }

    /// The master client went away without us asking.
    pub fn master_client_freed(&mut self, c: &Client) {
        if !self.repl.link.is_master(c) {
            return;
        }
        log::warn!("Connection with master lost.");
        if c.has(cf::PROTOCOL_ERROR | cf::BLOCKED) {
            self.repl.link.master = None;
            self.repl.link.unapplied.clear();
        } else {
            self.cache_master(c.db);
        }
        // `replicationHandleMasterDisconnection`: reconnect right away.
        self.repl.link.state = LinkState::Connect;
        self.repl.link.down_since = self.unixtime;
        if self.is_replica() {
            let (h, p) = self.master_addr();
            log::info!("Reconnecting to MASTER {h}:{p}");
            self.connect_with_master();
        }
    }

    fn discard_cached_master(&mut self) {
        if self.repl.link.cached.take().is_some() {
            log::info!("Discarding previously cached master state.");
        }
    }

    /// A master turning replica PSYNCs with its own history
    /// (`replicationCacheMasterUsingMyself`).
    fn cache_master_using_myself(&mut self) {
        log::info!("Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.");
        self.repl.link.cached = Some(Cached {
            replid: self.replid.clone(),
            reploff: self.repl.master_repl_offset,
            db: 0,
        });
    }

    /// After loading an RDB at start-up: replication info in it lets a
    /// replica PSYNC, and a master keep serving its old replicas.
    pub fn restore_repl_info(&mut self, stats: &crate::persist::rdb::LoadStats) {
        let (Some(id), Some(off), Some(db)) = (stats.repl_id.clone(), stats.repl_offset, stats.repl_stream_db) else {
            return;
        };
        if off == -1 || db == -1 {
            return;
        }
        if self.is_replica() {
            self.replid = id;
            self.repl.master_repl_offset = off;
            self.cache_master_using_myself();
            if let Some(c) = self.repl.link.cached.as_mut() {
                c.db = usize::try_from(db).unwrap_or(0).min(self.dbs.len().saturating_sub(1));
            }
        } else {
            self.replid2 = id;
            self.repl.second_replid_offset = off + 1;
            // DELs of keys that expired during the load are already in
            // the backlog: the offsets continue the saved history.
            self.repl.master_repl_offset += off;
            match self.repl.backlog.as_mut() {
                Some(b) => b.rebase(self.repl.master_repl_offset),
                None => self.create_backlog(),
            }
            self.repl.no_replicas_since = self.unixtime;
        }
    }

    // ------------------------------------------------------ connection

    /// Starts the non-blocking connect (`connectWithMaster`).
    pub fn connect_with_master(&mut self) -> bool {
        let (host, port) = self.master_addr();
        let addrs: Vec<std::net::SocketAddr> = match std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port)) {
            Ok(a) => a.collect(),
            Err(e) => {
                log::warn!("Unable to connect to MASTER: {}", crate::util::strerror(&e));
                return false;
            }
        };
        let mut last_err = String::from("Name or service not known");
        let mut conn = None;
        let source = self.cfg.bind_source_addr.clone();
        let tls = match self.tls_for_link(self.cfg.tls_replication) {
            Ok(t) => t.cloned(),
            Err(e) => {
                log::warn!("Unable to connect to MASTER: {e}");
                return false;
            }
        };
        for a in addrs {
            match connect_from(a, &source, tls.as_ref()) {
                Ok(s) => {
                    conn = Some(s);
                    break;
                }
                Err(e) => last_err = crate::util::strerror(&e),
            }
        }
        let Some(mut conn) = conn else {
            log::warn!("Unable to connect to MASTER: {last_err}");
            return false;
        };
        if let Some(reg) = self.registry.as_ref() {
            if let Err(e) = reg.register(
                &mut conn,
                Tok::ReplTransfer.into(),
                mio::Interest::READABLE | mio::Interest::WRITABLE,
            ) {
                log::warn!("Unable to connect to MASTER: {}", crate::util::strerror(&e));
                return false;
            }
        }
        self.close_transfer();
        self.repl.link.transfer = Some(Transfer {
            conn,
            rbuf: Vec::new(),
            wbuf: Vec::new(),
            diskless: false,
            size: -1,
            read: 0,
            mark: None,
            last: Vec::new(),
            file: None,
            last_fsync: 0,
            load: None,
            swapdb: false,
        });
        self.repl.link.transfer_lastio = now_secs();
        self.repl.link.state = LinkState::Connecting;
        log::info!("MASTER <-> REPLICA sync started");
        true
    }

    /// Closes the transfer socket and drops a temp file or partial load.
    fn close_transfer(&mut self) {
        let Some(mut t) = self.repl.link.transfer.take() else { return };
        if let Some(reg) = self.registry.as_ref() {
            let _ = reg.deregister(&mut t.conn);
        }
        if let Some((_, path)) = t.file.take() {
            let _ = std::fs::remove_file(&path);
        }
        if let Some(load) = t.load.take() {
            load.discard(self);
            self.loading = false;
            self.repl.async_loading = false;
            if t.swapdb {
                log::info!("MASTER <-> REPLICA sync: Discarding temporary DB in background");
            }
        }
        self.repl.link.transfer_more = false;
    }

    /// The `error:` exit of the handshake: close, retry from the cron.
    fn handshake_error(&mut self) {
        self.close_transfer();
        self.repl.link.state = LinkState::Connect;
    }

    /// Aborts a connect, handshake or transfer in progress
    /// (`cancelReplicationHandshake`). True when there was one.
    pub fn cancel_handshake(&mut self, reconnect: bool) -> bool {
        let st = self.repl.link.state;
        if st == LinkState::Transfer || st == LinkState::Connecting || st.is_handshake() {
            self.close_transfer();
            self.repl.link.state = LinkState::Connect;
        } else {
            return false;
        }
        if reconnect {
            let (h, p) = self.master_addr();
            log::info!("Reconnecting to MASTER {h}:{p} after failure");
            self.connect_with_master();
        }
        true
    }

    /// Events on the transfer socket.
    pub fn transfer_event(&mut self, readable: bool, writable: bool) {
        let Some(t) = self.repl.link.transfer.as_ref() else {
            return;
        };
        // TLS: a read waiting to write runs on a writable event.
        let readable = readable || (writable && t.conn.read_needs_writable());
        if self.repl.link.state == LinkState::Connecting {
            if readable || writable {
                self.connect_done();
            }
            return;
        }
        if self.flush_transfer().is_err() {
            return;
        }
        let mut lost = None;
        if readable {
            lost = self.read_transfer();
        }
        let state_before = self.repl.link.state;
        self.process_transfer();
        if let Some(why) = lost {
            // The master went away; what it sent before was processed.
            if self.repl.link.transfer.is_some() && self.repl.link.state == state_before {
                self.transfer_lost(&why);
            }
        }
    }

    /// The non-blocking connect finished, well or not.
    fn connect_done(&mut self) {
        let Some(t) = self.repl.link.transfer.as_mut() else { return };
        let err = match t.conn.finish_connect() {
            Ok(true) => None,
            Ok(false) => return,
            Err(e) => Some(e),
        };
        if let Some(e) = err {
            log::warn!("Error condition on socket for SYNC: {}", crate::util::strerror(&e));
            self.handshake_error();
            return;
        }
        log::info!("Non blocking connect for SYNC fired the event.");
        self.repl.link.state = LinkState::ReceivePingReply;
        self.send_to_master(&command_bytes(&[b"PING"]));
    }

    /// Queues bytes for the master and writes what the socket takes.
    fn send_to_master(&mut self, bytes: &[u8]) {
        if let Some(t) = self.repl.link.transfer.as_mut() {
            t.wbuf.extend_from_slice(bytes);
        }
        let _ = self.flush_transfer();
    }

    /// Writes pending handshake bytes. Err when the link was dropped.
    fn flush_transfer(&mut self) -> Result<(), ()> {
        let Some(t) = self.repl.link.transfer.as_mut() else {
            return Err(());
        };
        while !t.wbuf.is_empty() {
            match t.conn.write(&t.wbuf) {
                Ok(0) => break,
                Ok(n) => {
                    t.wbuf.drain(..n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    log::warn!(
                        "Sending command to master in replication handshake: -Writing to master: {}",
                        crate::util::strerror(&e)
                    );
                    self.handshake_error();
                    return Err(());
                }
            }
        }
        Ok(())
    }

    /// Reads what the socket has (within a budget). Some(reason) when
    /// the master closed the connection or it failed.
    fn read_transfer(&mut self) -> Option<String> {
        let state = self.repl.link.state;
        let t = self.repl.link.transfer.as_mut()?;
        if state == LinkState::Transfer {
            if let Some(l) = t.load.as_ref() {
                if l.unparsed() >= MAX_UNPARSED && !l.starved() {
                    // Parse first; the master waits meanwhile. (A record
                    // bigger than the limit is read whole first.)
                    self.repl.link.transfer_more = true;
                    return None;
                }
            }
        }
        let mut got = 0usize;
        loop {
            if got >= READ_BUDGET {
                self.repl.link.transfer_more = true;
                break;
            }
            // Until WouldBlock: a connection that buffers input (TLS)
            // never reports it while it still holds some.
            match t.conn.read_into(&mut t.rbuf, READ_CHUNK) {
                Ok(0) => return Some("connection lost".into()),
                Ok(n) => {
                    got += n;
                    self.repl.stat_net_input_bytes += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Some(crate::util::strerror(&e)),
            }
        }
        None
    }

    /// The master closed the link before we were done with it.
    fn transfer_lost(&mut self, why: &str) {
        match self.repl.link.state {
            LinkState::Transfer => {
                let streaming = self.repl.link.transfer.as_ref().is_some_and(|t| t.load.is_some());
                if streaming {
                    self.stream_load_failed(&format!("Short read or OOM loading DB. Unrecoverable error, aborting now. ({why})"));
                } else {
                    log::warn!("I/O error trying to sync with MASTER: {why}");
                    self.cancel_handshake(true);
                }
            }
            LinkState::ReceivePsyncReply => {
                log::warn!("Master did not reply to PSYNC, will try later");
                self.handshake_error();
            }
            _ => {
                log::warn!("Failed to read response from the server: {why}");
                log::warn!("Master did not respond to command during SYNC handshake");
                self.handshake_error();
            }
        }
    }

    /// One complete line from the master, without its CRLF.
    fn transfer_line(&mut self) -> Option<Result<String, ()>> {
        let t = self.repl.link.transfer.as_mut()?;
        match t.rbuf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let mut line: Vec<u8> = t.rbuf.drain(..=i).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                Some(Ok(String::from_utf8_lossy(&line).into_owned()))
            }
            None if t.rbuf.len() > 64 * 1024 => Some(Err(())),
            None => None,
        }
    }

    /// Consumes received bytes according to the link state.
    fn process_transfer(&mut self) {
        loop {
            let state = self.repl.link.state;
            if state == LinkState::Transfer {
                self.transfer_payload();
                return;
            }
            if !state.is_handshake() {
                return;
            }
            let line = match self.transfer_line() {
                None => return,
                Some(Ok(l)) => l,
                Some(Err(())) => {
                    log::warn!("Master did not respond to command during SYNC handshake");
                    self.handshake_error();
                    return;
                }
            };
            self.repl.link.transfer_lastio = now_secs();
            if !self.handshake_reply(state, &line) {
                return;
            }
        }
    }

    /// Handles one reply of the handshake (`syncWithMaster`). False when
    /// processing must stop (error, or the link changed hands).
    fn handshake_reply(&mut self, state: LinkState, line: &str) -> bool {
        match state {
            LinkState::ReceivePingReply => {
                if !line.starts_with('+')
                    && !line.starts_with("-NOAUTH")
                    && !line.starts_with("-NOPERM")
                    && !line.starts_with("-ERR operation not permitted")
                {
                    log::warn!("Error reply to PING from master: '{line}'");
                    self.handshake_error();
                    return false;
                }
                log::info!("Master replied to PING, replication can continue...");
                self.send_handshake();
                true
            }
            LinkState::ReceiveAuthReply => {
                if line.starts_with('-') {
                    log::warn!("Unable to AUTH to MASTER: {line}");
                    self.handshake_error();
                    return false;
                }
                self.repl.link.state = LinkState::ReceivePortReply;
                true
            }
            LinkState::ReceivePortReply => {
                if line.starts_with('-') {
                    log::info!("(Non critical) Master does not understand REPLCONF listening-port: {line}");
                }
                self.repl.link.state = if self.cfg.replica_announce_ip.is_empty() {
                    LinkState::ReceiveCapaReply
                } else {
                    LinkState::ReceiveIpReply
                };
                true
            }
            LinkState::ReceiveIpReply => {
                if line.starts_with('-') {
                    log::info!("(Non critical) Master does not understand REPLCONF ip-address: {line}");
                }
                self.repl.link.state = LinkState::ReceiveCapaReply;
                true
            }
            LinkState::ReceiveCapaReply => {
                if line.starts_with('-') {
                    log::info!("(Non critical) Master does not understand REPLCONF capa: {line}");
                }
                self.send_psync();
                true
            }
            LinkState::ReceivePsyncReply => {
                if line.is_empty() {
                    // A newline keeping the link alive while the master
                    // prepares the snapshot.
                    return true;
                }
                self.psync_reply(line)
            }
            _ => false,
        }
    }

    /// AUTH, REPLCONF listening-port / ip-address / capa, in one go.
    fn send_handshake(&mut self) {
        let mut out = Vec::new();
        if !self.cfg.masterauth.is_empty() {
            let (user, pass) = (self.cfg.masteruser.clone(), self.cfg.masterauth.clone());
            if user.is_empty() {
                out.extend(command_bytes(&[b"AUTH", pass.as_bytes()]));
            } else {
                out.extend(command_bytes(&[b"AUTH", user.as_bytes(), pass.as_bytes()]));
            }
        }
        let port = if self.cfg.replica_announce_port != 0 {
            self.cfg.replica_announce_port
        } else if self.cfg.tls_replication && self.cfg.tls_port != 0 {
            self.cfg.tls_port
        } else {
            self.cfg.port
        };
        out.extend(command_bytes(&[b"REPLCONF", b"listening-port", port.to_string().as_bytes()]));
        if !self.cfg.replica_announce_ip.is_empty() {
            let ip = self.cfg.replica_announce_ip.clone();
            out.extend(command_bytes(&[b"REPLCONF", b"ip-address", ip.as_bytes()]));
        }
        out.extend(command_bytes(&[b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]));
        self.repl.link.state = if self.cfg.masterauth.is_empty() {
            LinkState::ReceivePortReply
        } else {
            LinkState::ReceiveAuthReply
        };
        self.send_to_master(&out);
    }

    /// PSYNC with the cached master's ID and offset, or `? -1`
    /// (`slaveTryPartialResynchronization`, writing half).
    fn send_psync(&mut self) {
        self.repl.link.master_initial_offset = -1;
        let (replid, offset) = match self.repl.link.cached.as_ref() {
            Some(c) => {
                let off = (c.reploff + 1).to_string();
                log::info!("Trying a partial resynchronization (request {}:{off}).", c.replid);
                (c.replid.clone(), off)
            }
            None => {
                log::info!("Partial resynchronization not possible (no cached master)");
                ("?".to_string(), "-1".to_string())
            }
        };
        self.repl.link.state = LinkState::ReceivePsyncReply;
        // A master failing over asks its target to take over.
        let cmd = if self.failover_in_progress() {
            command_bytes(&[b"PSYNC", replid.as_bytes(), offset.as_bytes(), b"FAILOVER"])
        } else {
            command_bytes(&[b"PSYNC", replid.as_bytes(), offset.as_bytes()])
        };
        self.send_to_master(&cmd);
    }

    /// The reply to PSYNC (reading half), and the outcome of a FAILOVER
    /// handing over to the master we asked.
    fn psync_reply(&mut self, line: &str) -> bool {
        if self.failover_in_progress() {
            if line.starts_with("+FULLRESYNC") || line.starts_with("+CONTINUE") {
                self.clear_failover_state();
            } else {
                self.abort_failover("Failover target rejected psync request");
                return false;
            }
        }
        self.psync_reply_inner(line)
    }

    fn psync_reply_inner(&mut self, line: &str) -> bool {
        if let Some(rest) = line.strip_prefix("+FULLRESYNC") {
            let mut parts = rest.split_whitespace();
            match (parts.next(), parts.next()) {
                (Some(id), Some(off)) if id.len() == 40 => {
                    self.repl.link.master_replid = id.to_string();
                    self.repl.link.master_initial_offset = off.parse().unwrap_or(-1);
                    log::info!("Full resync from master: {id}:{}", self.repl.link.master_initial_offset);
                }
                _ => {
                    log::warn!("Master replied with wrong +FULLRESYNC syntax.");
                    self.repl.link.master_replid = String::new();
                }
            }
            return self.start_transfer();
        }
        if line.starts_with("+CONTINUE") {
            self.psync_continue(line);
            return false;
        }
        if line.starts_with("-NOMASTERLINK") || line.starts_with("-LOADING") {
            log::info!("Master is currently unable to PSYNC but should be in the future: {line}");
            self.handshake_error();
            return false;
        }
        if line.starts_with("-ERR") {
            log::info!("Master does not support PSYNC or is in error state (reply: {line})");
        } else {
            log::warn!("Unexpected reply to PSYNC from master: {line}");
        }
        log::info!("Retrying with SYNC...");
        self.send_to_master(b"SYNC\r\n");
        if self.repl.link.transfer.is_none() {
            return false;
        }
        self.start_transfer()
    }

    /// Whether the RDB will be parsed from the socket (`useDisklessLoad`).
    fn use_diskless_load(&self) -> bool {
        match self.cfg.repl_diskless_load {
            2 => true,
            1 => self.dbs.iter().all(|d| d.is_empty()),
            _ => false,
        }
    }

    /// Prepares to receive the RDB.
    fn start_transfer(&mut self) -> bool {
        let diskless = self.use_diskless_load();
        let mut file = None;
        if !diskless {
            let path = format!("temp-{}.{}.rdb", self.unixtime, std::process::id());
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(f) => file = Some((f, path)),
                Err(e) => {
                    log::warn!(
                        "Opening the temp file needed for MASTER <-> REPLICA synchronization: {}",
                        crate::util::strerror(&e)
                    );
                    self.handshake_error();
                    return false;
                }
            }
        }
        let Some(t) = self.repl.link.transfer.as_mut() else { return false };
        t.diskless = diskless;
        t.file = file;
        t.size = -1;
        t.read = 0;
        t.last_fsync = 0;
        self.repl.link.state = LinkState::Transfer;
        self.repl.link.transfer_lastio = now_secs();
        true
    }

    /// +CONTINUE: the cached master lives again on this socket.
    fn psync_continue(&mut self, line: &str) {
        log::info!("Successful partial resynchronization with master.");
        let Some(mut cached) = self.repl.link.cached.take() else {
            log::warn!("Unexpected reply to PSYNC from master: {line}");
            self.handshake_error();
            return;
        };
        let new_id = line.get(10..).unwrap_or("").trim();
        if new_id.len() == 40 && new_id != cached.replid {
            log::warn!("Master replication ID changed to {new_id}");
            // The old history stays valid for our replicas up to here.
            self.replid2 = cached.replid.clone();
            self.repl.second_replid_offset = self.repl.master_repl_offset + 1;
            self.replid = new_id.to_string();
            cached.replid = new_id.to_string();
            self.disconnect_replicas();
        }
        self.repl.link.client_replid = cached.replid.clone();
        self.repl.link.reploff = cached.reploff;
        self.repl.link.read_reploff = cached.reploff;
        self.repl.link.pre_psync = false;
        self.create_master_client(cached.db);
        if self.repl.backlog.is_none() {
            self.create_backlog();
        }
        log::info!("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
        if self.supervised_mode == crate::server::supervise::SYSTEMD {
            crate::server::supervise::notify(
                "STATUS=MASTER <-> REPLICA sync: Partial Resynchronization accepted. Ready to accept connections in read-write mode.\n",
            );
        }
    }

    /// Turns the transfer socket into the master client (with whatever
    /// it sent after the handshake or the RDB).
    fn create_master_client(&mut self, db: usize) {
        let Some(mut t) = self.repl.link.transfer.take() else { return };
        self.repl.link.transfer_more = false;
        if let Some(reg) = self.registry.as_ref() {
            let _ = reg.deregister(&mut t.conn);
        }
        let id = self.next_client_id;
        self.next_client_id += 1;
        let key = self.clients.insert(None);
        let mut c = Box::new(Client::new(id, key, Some(t.conn), &self.cfg.unixsocket, self.unixtime));
        c.flags |= cf::MASTER;
        c.authenticated = true;
        // Our master's stream is obeyed whatever the ACLs say.
        c.user = None;
        c.db = db.min(self.dbs.len().saturating_sub(1));
        if let (Some(reg), Some(conn)) = (self.registry.as_ref(), c.conn.as_mut()) {
            if let Err(e) = reg.register(conn, Tok::Client(key).into(), mio::Interest::READABLE | mio::Interest::WRITABLE) {
                log::warn!("Error resurrecting the cached master, impossible to add the readable handler: {e}");
                self.clients.remove(key);
                self.repl.link.state = LinkState::Connect;
                return;
            }
        }
        self.repl.link.read_reploff += t.rbuf.len() as i64;
        // Stream bytes already read, or held inside the connection (TLS),
        // announce themselves by no event: run them now.
        if !t.rbuf.is_empty() || c.conn.as_ref().is_some_and(Conn::has_pending_input) {
            c.querybuf = std::mem::take(&mut t.rbuf);
            self.pending_read.push(key);
        }
        self.client_by_id.insert(id, key);
        self.clients[key] = Some(c);
        self.repl.link.master = Some((key, id));
        self.repl.link.unapplied.clear();
        self.repl.link.state = LinkState::Connected;
        self.repl.link.down_since = 0;
    }

    // ------------------------------------------------------ RDB transfer

    /// Consumes payload bytes: the `$` line, then the RDB.
    fn transfer_payload(&mut self) {
        if self.repl.link.transfer.as_ref().is_some_and(|t| t.size == -1) && !self.transfer_preamble() {
            return;
        }
        let Some(t) = self.repl.link.transfer.as_mut() else { return };
        let avail = if t.mark.is_some() {
            t.rbuf.len()
        } else {
            t.rbuf.len().min((t.size - t.read).max(0) as usize)
        };
        let mut data: Vec<u8> = t.rbuf.drain(..avail).collect();
        if !t.diskless {
            // Bytes after the EOF mark are stream, not RDB (a master waits
            // for our first ACK before sending any, but do not rely on it).
            if let Some(m) = t.mark.as_ref() {
                let base = t.last.len();
                let mut window = t.last.clone();
                window.extend_from_slice(&data);
                if let Some(p) = window.windows(m.len()).position(|w| w == &m[..]) {
                    let end = (p + m.len()).saturating_sub(base);
                    if end < data.len() {
                        let mut rest = data.split_off(end);
                        rest.append(&mut t.rbuf);
                        t.rbuf = rest;
                    }
                }
            }
        }
        if !data.is_empty() {
            t.read += data.len() as i64;
            self.repl.link.transfer_lastio = now_secs();
            t.last.extend_from_slice(&data[data.len().saturating_sub(40)..]);
            if t.last.len() > 40 {
                t.last.drain(..t.last.len() - 40);
            }
        }
        let eof = match &t.mark {
            Some(m) => t.last == *m,
            None => t.read == t.size,
        };
        if t.diskless {
            if let Some(l) = t.load.as_mut() {
                l.feed(&data);
            }
            self.stream_load_step(eof);
            return;
        }
        if let Some((f, _)) = t.file.as_mut() {
            if let Err(e) = f.write_all(&data) {
                log::warn!(
                    "Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: {}",
                    crate::util::strerror(&e)
                );
                self.cancel_handshake(true);
                return;
            }
            if t.read >= t.last_fsync + FSYNC_EVERY {
                let _ = f.sync_data();
                t.last_fsync = t.read;
            }
            if eof && t.mark.is_some() {
                if let Err(e) = f.set_len((t.read - 40).max(0) as u64) {
                    log::warn!(
                        "Error truncating the RDB file received from the master for SYNC: {}",
                        crate::util::strerror(&e)
                    );
                    self.cancel_handshake(true);
                    return;
                }
            }
        }
        if eof {
            self.finish_disk_sync();
        }
    }

    /// The `$<len>` or `$EOF:<mark>` line before the RDB. True when the
    /// payload can be read now.
    fn transfer_preamble(&mut self) -> bool {
        loop {
            let line = match self.transfer_line() {
                None => return false,
                Some(Ok(l)) => l,
                Some(Err(())) => {
                    log::warn!(
                        "Bad protocol from MASTER, the first byte is not '$' (we received ''), are you sure the host and port are right?"
                    );
                    self.cancel_handshake(true);
                    return false;
                }
            };
            self.repl.link.transfer_lastio = now_secs();
            if line.is_empty() {
                continue;
            }
            if let Some(err) = line.strip_prefix('-') {
                log::warn!("MASTER aborted replication with an error: {err}");
                self.cancel_handshake(true);
                return false;
            }
            if !line.starts_with('$') {
                log::warn!(
                    "Bad protocol from MASTER, the first byte is not '$' (we received '{line}'), are you sure the host and port are right?"
                );
                self.cancel_handshake(true);
                return false;
            }
            let Some(t) = self.repl.link.transfer.as_mut() else { return false };
            let target = if t.diskless { "to parser" } else { "to disk" };
            match line.strip_prefix("$EOF:").filter(|m| m.len() >= 40) {
                Some(m) => {
                    t.mark = Some(m.as_bytes()[..40].to_vec());
                    t.size = 0;
                    log::info!("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF {target}");
                }
                None => {
                    t.mark = None;
                    t.size = line[1..].trim().parse::<i64>().unwrap_or(0).max(0);
                    log::info!("MASTER <-> REPLICA sync: receiving {} bytes from master {target}", t.size);
                }
            }
            if t.diskless {
                self.begin_stream_load();
            }
            return self.repl.link.transfer.is_some();
        }
    }

    /// Before the new dataset replaces the old one: no AOF, no snapshot
    /// child writing the old data (`readSyncBulkPayload`).
    fn prepare_for_new_dataset(&mut self, diskless: bool) {
        if self.aof.status != crate::persist::aof::AofStatus::Off {
            self.aof_stop();
        }
        if let Some(ch) = self.persist.child.as_ref().filter(|c| c.kind == crate::persist::ChildKind::Rdb) {
            if !diskless {
                log::info!("Replica is about to load the RDB file received from the master, but there is a pending RDB child running. Killing process {} and removing its temp file to avoid any race", ch.pid);
            }
            self.kill_rdb_child();
        }
    }

    /// A full sync with a new history: our own replicas must resync too
    /// (`replicationAttachToNewMaster`).
    fn attach_to_new_master(&mut self) {
        self.discard_cached_master();
        self.disconnect_replicas();
        self.repl.backlog = None;
    }

    /// Empties the dataset before loading the master's.
    fn flush_for_sync(&mut self) {
        log::info!("MASTER <-> REPLICA sync: Flushing old data");
        self.empty_data(None, false);
        // emptyData drops the functions with the keys.
        self.scripting.functions.clear();
        self.repl.slave_keys.clear();
    }

    /// Diskless load: set up where the data goes.
    fn begin_stream_load(&mut self) {
        self.prepare_for_new_dataset(true);
        let swapdb = self.cfg.repl_diskless_load == 2;
        let is_async = swapdb && self.replid == self.repl.link.master_replid;
        if !swapdb {
            self.attach_to_new_master();
            self.flush_for_sync();
        }
        log::info!("MASTER <-> REPLICA sync: Loading DB in memory");
        if is_async {
            self.repl.async_loading = true;
        } else {
            self.loading = true;
        }
        let load = StreamLoad::new(self, swapdb);
        if let Some(t) = self.repl.link.transfer.as_mut() {
            t.load = Some(load);
            t.swapdb = swapdb;
        }
    }

    /// Runs the diskless loader on what arrived.
    fn stream_load_step(&mut self, input_complete: bool) {
        let Some(mut load) = self.repl.link.transfer.as_mut().and_then(|t| t.load.take()) else {
            return;
        };
        let res = load.run(self, LOAD_BUDGET, input_complete);
        let Some(t) = self.repl.link.transfer.as_mut() else { return };
        match res {
            Err(e) => {
                t.load = Some(load);
                let msg = match e {
                    crate::persist::rdb::codec::LoadError::Corrupt(m) => m,
                    crate::persist::rdb::codec::LoadError::Io(e) => crate::util::strerror(&e),
                };
                self.stream_load_failed(&msg);
            }
            Ok(Progress::Budget) => {
                t.load = Some(load);
                self.repl.link.transfer_lastio = now_secs();
                self.repl.link.transfer_more = true;
            }
            Ok(Progress::NeedData) => {
                t.load = Some(load);
                if input_complete {
                    self.stream_load_failed("Short read or OOM loading DB. Unrecoverable error, aborting now.");
                }
            }
            Ok(Progress::Done) => {
                let mut rest = load.take_rest();
                if let Some(mark) = t.mark.clone() {
                    if rest.len() < 40 {
                        // The mark is still on its way.
                        t.load = Some(load);
                        if let Some(l) = t.load.as_mut() {
                            l.feed(&rest);
                        }
                        return;
                    }
                    if rest[..40] != mark[..] {
                        t.load = Some(load);
                        log::warn!("Replication stream EOF marker is broken");
                        self.stream_load_failed("Replication stream EOF marker is broken");
                        return;
                    }
                    rest.drain(..40);
                }
                // Whatever followed the RDB is stream for the master client.
                rest.extend_from_slice(&t.rbuf);
                t.rbuf = rest;
                let usemark = t.mark.is_some();
                let swapdb = t.swapdb;
                self.finish_stream_sync(load, swapdb, usemark);
            }
        }
    }

    /// The diskless load failed: the old dataset stays (swapdb) or the
    /// half-loaded one is dropped, and we reconnect.
    fn stream_load_failed(&mut self, msg: &str) {
        log::warn!("Internal error in RDB reading offset 0, function at rdb.c:0 -> {msg}");
        log::warn!("Failed trying to load the MASTER synchronization DB from socket: {msg}");
        self.cancel_handshake(true);
    }

    /// The diskless load succeeded: the new dataset goes live.
    fn finish_stream_sync(&mut self, load: StreamLoad, swapdb: bool, usemark: bool) {
        let (mut loaded, stats) = load.finish(self);
        if swapdb {
            self.attach_to_new_master();
            log::info!("MASTER <-> REPLICA sync: Swapping active DB with loaded DB");
        }
        self.replace_all_dbs(&mut loaded);
        if swapdb {
            self.repl.slave_keys.clear();
            log::info!("MASTER <-> REPLICA sync: Discarding old DB in background");
        }
        drop(loaded);
        self.add_dirty(1);
        self.loading = false;
        self.repl.async_loading = false;
        self.persist.last_load_keys = stats.keys_loaded;
        self.persist.last_load_expired = stats.keys_expired;
        log::info!(
            "Done loading RDB, keys loaded: {}, keys expired: {}.",
            stats.keys_loaded,
            stats.keys_expired
        );
        self.finish_sync(stats.repl_stream_db.unwrap_or(0), usemark);
    }

    /// The RDB file is complete: load it (`readSyncBulkPayload`, disk).
    fn finish_disk_sync(&mut self) {
        let Some(t) = self.repl.link.transfer.as_mut() else { return };
        let Some((file, tmp)) = t.file.take() else { return };
        let usemark = t.mark.is_some();
        self.prepare_for_new_dataset(false);
        self.attach_to_new_master();
        self.flush_for_sync();
        log::info!("MASTER <-> REPLICA sync: Loading DB in memory");
        if let Err(e) = file.sync_all() {
            log::warn!(
                "Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: {}",
                crate::util::strerror(&e)
            );
            let _ = std::fs::remove_file(&tmp);
            self.cancel_handshake(true);
            return;
        }
        drop(file);
        let path = self.rdb_path();
        if let Err(e) = std::fs::rename(&tmp, &path) {
            log::warn!(
                "Failed trying to rename the temp DB into {path} in MASTER <-> REPLICA synchronization: {}",
                crate::util::strerror(&e)
            );
            let _ = std::fs::remove_file(&tmp);
            self.cancel_handshake(true);
            return;
        }
        if let Ok(d) = std::fs::File::open(".") {
            let _ = d.sync_all();
        }
        self.loading = true;
        let res = crate::persist::rdb::load_file(self, &path);
        self.loading = false;
        let stats = match res {
            Ok(Some(s)) => s,
            Ok(None) | Err(_) => {
                let why = match res {
                    Err(crate::persist::rdb::codec::LoadError::Corrupt(m)) => {
                        log::warn!("Internal error in RDB reading offset 0, function at rdb.c:0 -> {m}");
                        m
                    }
                    Err(crate::persist::rdb::codec::LoadError::Io(e)) => crate::util::strerror(&e),
                    _ => "No such file or directory".to_string(),
                };
                log::warn!("Failed trying to load the MASTER synchronization DB from disk: {why}");
                self.cancel_handshake(true);
                return;
            }
        };
        self.persist.last_load_keys = stats.keys_loaded;
        self.persist.last_load_expired = stats.keys_expired;
        log::info!(
            "Done loading RDB, keys loaded: {}, keys expired: {}.",
            stats.keys_loaded,
            stats.keys_expired
        );
        for db in 0..self.dbs.len() {
            self.on_db_change(crate::db::change::DbChange::Replaced(db));
        }
        self.finish_sync(stats.repl_stream_db.unwrap_or(0), usemark);
    }

    /// The final step of a full sync: the master client, the new
    /// replication ID and offset, the backlog.
    fn finish_sync(&mut self, stream_db: i64, usemark: bool) {
        let initial = self.repl.link.master_initial_offset;
        self.repl.link.reploff = initial;
        self.repl.link.read_reploff = initial;
        self.repl.link.client_replid = self.repl.link.master_replid.clone();
        self.repl.link.pre_psync = initial == -1;
        self.create_master_client(usize::try_from(stream_db).unwrap_or(0));
        if self.repl.link.master.is_none() {
            return;
        }
        // Our history is now the master's.
        self.replid = self.repl.link.master_replid.clone();
        self.repl.master_repl_offset = initial;
        self.clear_replication_id2();
        if self.repl.backlog.is_none() {
            self.create_backlog();
        }
        log::info!("MASTER <-> REPLICA sync: Finished with success");
        if self.supervised_mode == crate::server::supervise::SYSTEMD {
            crate::server::supervise::notify(
                "STATUS=MASTER <-> REPLICA sync: Finished with success. Ready to accept connections in read-write mode.\n",
            );
        }
        // The master streams nothing after a diskless RDB until it hears
        // from us.
        if usemark {
            self.send_ack();
        }
        self.restart_aof_after_sync();
    }

    // ------------------------------------------------------ the stream

    /// After each command from the master: the bytes it took are applied
    /// (advancing our offset) and proxied to our replicas and backlog;
    /// inside MULTI they wait for EXEC.
    pub fn master_applied(&mut self, c: &Client, consumed: &[u8]) {
        if !self.repl.link.is_master(c) {
            return;
        }
        if c.has(cf::MULTI) {
            self.repl.link.unapplied.extend_from_slice(consumed);
            return;
        }
        if self.repl.link.unapplied.is_empty() {
            self.repl.link.reploff += consumed.len() as i64;
            self.feed_stream(consumed);
        } else {
            let mut bytes = std::mem::take(&mut self.repl.link.unapplied);
            bytes.extend_from_slice(consumed);
            self.repl.link.reploff += bytes.len() as i64;
            self.feed_stream(&bytes);
        }
    }

    /// Bytes parsed from the master but not part of a command yet
    /// (blank lines): counted with the next command.
    pub fn master_unapplied(&mut self, c: &Client, bytes: &[u8]) {
        if self.repl.link.is_master(c) {
            self.repl.link.unapplied.extend_from_slice(bytes);
        }
    }

    /// The ACK bytes for our current offset.
    pub fn ack_bytes(&self) -> Vec<u8> {
        command_bytes(&[b"REPLCONF", b"ACK", self.repl.link.reploff.to_string().as_bytes()])
    }

    /// Tells the master how far we got (`replicationSendAck`).
    pub fn send_ack(&mut self) {
        let Some(key) = self.repl.link.master_key() else { return };
        let ack = self.ack_bytes();
        self.with_client_output(key, |r| r.raw(&ack));
    }

    /// The replica half of `replicationCron`.
    pub fn replica_cron(&mut self) {
        if !self.is_replica() {
            return;
        }
        let now = now_secs();
        let timeout = self.cfg.repl_timeout;
        let state = self.repl.link.state;
        if (state == LinkState::Connecting || state.is_handshake()) && now - self.repl.link.transfer_lastio > timeout {
            log::warn!("Timeout connecting to the MASTER...");
            self.cancel_handshake(true);
        }
        if self.repl.link.state == LinkState::Transfer && now - self.repl.link.transfer_lastio > timeout {
            log::warn!("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
            self.cancel_handshake(true);
        }
        if self.repl.link.state == LinkState::Connected {
            if let Some(key) = self.repl.link.master_key() {
                let stale = matches!(self.clients.get(key), Some(Some(c)) if now - c.last_interaction > timeout);
                if stale {
                    log::warn!("MASTER timeout: no data nor PING received...");
                    self.free_client(key);
                }
            }
        }
        if self.repl.link.state == LinkState::Connect {
            let (h, p) = self.master_addr();
            log::info!("Connecting to MASTER {h}:{p}");
            self.connect_with_master();
        }
        if self.repl.link.master.is_some() && !self.repl.link.pre_psync {
            self.send_ack();
        }
    }

    // ------------------------------------------- writable replica expiry

    /// On a writable replica, keys its clients gave an expiry are
    /// remembered, since only these can be expired locally
    /// (`rememberSlaveKeyWithExpire`).
    pub fn remember_replica_keys_with_expire(&mut self, c: &Client, cmd: &crate::commands::Command, argv: &[&[u8]]) {
        if !self.is_replica() || self.cfg.replica_read_only || c.has(cf::MASTER) {
            return;
        }
        let mut keys = Vec::new();
        crate::commands::get_keys(cmd, argv, &mut keys);
        let db = c.db;
        for k in keys {
            let Some(key) = argv.get(k.pos) else { continue };
            if self.dbs[db].get_expire(key) != -1 && db < 64 {
                *self.repl.slave_keys.entry(key.to_vec()).or_insert(0) |= 1u64 << db;
            }
        }
    }

    /// Expires the remembered keys whose time passed (`expireSlaveKeys`).
    pub fn expire_replica_keys(&mut self) {
        if self.repl.slave_keys.is_empty() {
            return;
        }
        let start = crate::util::mstime();
        let keys: Vec<Vec<u8>> = self.repl.slave_keys.keys().cloned().collect();
        let (mut cycles, mut noexpire) = (0u64, 0);
        for key in keys {
            let Some(dbids) = self.repl.slave_keys.get(&key).copied() else {
                continue;
            };
            let mut keep = 0u64;
            for db in 0..self.dbs.len().min(64) {
                if dbids & (1u64 << db) == 0 {
                    continue;
                }
                let when = self.dbs[db].get_expire(&key);
                if when == -1 {
                    continue;
                }
                if when < start {
                    self.delete_expired_key(db, &key);
                } else {
                    noexpire += 1;
                    keep |= 1u64 << db;
                }
            }
            if keep != 0 {
                self.repl.slave_keys.insert(key, keep);
            } else {
                self.repl.slave_keys.remove(&key);
            }
            cycles += 1;
            if noexpire > 3 || (cycles % 64 == 0 && crate::util::mstime() - start > 1) {
                break;
            }
        }
        self.flush_propagation_with(false);
    }
}
