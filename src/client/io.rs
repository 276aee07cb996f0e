//! Moving bytes between sockets and client buffers (networking.c):
//! accepting, reading into the query buffer, running every complete
//! request in it, writing replies, and freeing clients.

use super::{flags as cf, Client};
use crate::ae::Tok;
use crate::net::tls::ClientAuth;
use crate::net::Conn;
use crate::resp::{ParseLimits, Parsed};
use crate::server::Server;
use std::io;

/// Bytes read from a socket per read call (`PROTO_IOBUF_LEN`).
const IOBUF_LEN: usize = 16 * 1024;
/// Reads per readable event before giving other clients a turn.
const MAX_READS_PER_EVENT: usize = 16;
/// Bytes written to one client per event before moving on (`NET_MAX_WRITES_PER_EVENT`).
const MAX_WRITE_PER_EVENT: usize = 64 * 1024;

/// Outcome of draining a socket.
enum ReadOutcome {
    /// Read everything available for now.
    Drained,
    /// More may be available; come back next loop iteration.
    More,
    /// The peer closed or an error happened.
    Closed,
}

impl Server {
    /// Accepts every pending connection on listener `idx`.
    pub fn accept_clients(&mut self, idx: usize) {
        loop {
            // An event queued before CONFIG SET bind/port shrank the list.
            let Some(l) = self.listeners.get(idx) else { return };
            let tls = self.tls.as_ref().map(|t| (t, ClientAuth::from_config(self.cfg.tls_auth_clients)));
            match l.accept(self.cfg.tcp_keepalive, tls) {
                Ok(conn) => self.create_client(conn),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    log::warn!("Accepting client connection: {}", crate::util::strerror(&e));
                    return;
                }
            }
        }
    }

    fn create_client(&mut self, mut conn: Conn) {
        if self.num_clients() >= self.cfg.maxclients as usize {
            let _ = conn.write(b"-ERR max number of clients reached\r\n");
            self.stats.rejected_conn += 1;
            return;
        }
        let unix = conn.is_unix();
        let id = self.next_client_id;
        self.next_client_id += 1;
        let key = self.clients.insert(None);
        let c = Client::new(id, key, Some(conn), &self.cfg.unixsocket, self.unixtime);
        let mut c = Box::new(c);
        let mut denied = false;
        if !unix && self.protected_mode_denies(&c) {
            let msg = b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a valid password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";
            self.stats.rejected_conn += 1;
            if !c.conn.as_ref().is_some_and(Conn::handshake_pending) {
                if let Some(conn) = c.conn.as_mut() {
                    let _ = conn.write(msg);
                }
                self.clients.remove(key);
                return;
            }
            // TLS: the refusal can only be read once the handshake is
            // done (Redis checks in `clientAcceptHandler`). Queue it; the
            // write path drives the handshake, sends it, and closes. A
            // closing client reads nothing, so no command of it runs.
            c.reply.raw(msg);
            c.flags |= cf::CLOSE_AFTER_REPLY | cf::PENDING_WRITE;
            denied = true;
        }
        if let (Some(reg), Some(conn)) = (self.registry.as_ref(), c.conn.as_mut()) {
            let interest = mio::Interest::READABLE | mio::Interest::WRITABLE;
            if let Err(e) = reg.register(conn, Tok::Client(key).into(), interest) {
                log::warn!("Error registering fd event for the new client: {e}");
                self.clients.remove(key);
                return;
            }
        }
        log::debug!("Accepted {}", c.addr);
        self.set_default_auth(&mut c);
        self.stats.numconnections += 1;
        self.client_by_id.insert(id, key);
        self.clients[key] = Some(c);
        if denied {
            self.pending_write.push(key);
        }
    }

    /// Protected mode refuses non-loopback clients when there is no
    /// password and no explicit bind.
    /// Protected mode (Redis 7.0): no password for the default user means
    /// only loopback and unix socket clients, whatever `bind` says.
    fn protected_mode_denies(&self, c: &Client) -> bool {
        self.cfg.protected_mode && self.default_user_nopass() && !crate::server::call::is_local_client(c)
    }

    /// Handles a readable event for client `key`.
    /// `hup`: the peer closed its side, so read until EOF even after a
    /// short read (edge-triggered polling reports the close only once).
    pub fn handle_readable(&mut self, key: usize, hup: bool) {
        let Some(mut c) = self.clients.get_mut(key).and_then(|s| s.take()) else {
            return;
        };
        let outcome = self.read_from_client(&mut c, hup);
        match outcome {
            ReadOutcome::Closed => {
                self.clients[key] = Some(c);
                self.free_client(key);
                return;
            }
            ReadOutcome::More => self.pending_read.push(key),
            ReadOutcome::Drained => {}
        }
        self.after_client_work(key, c);
    }

    /// Puts a client back after it ran, queuing its output.
    fn after_client_work(&mut self, key: usize, mut c: Box<Client>) {
        self.check_output_limits(&mut c);
        self.update_client_mem_and_bucket(&mut c);
        if c.reply.pending() > 0 && !c.has(cf::PENDING_WRITE) {
            c.flags |= cf::PENDING_WRITE;
            self.pending_write.push(key);
        }
        let close_now = c.has(cf::CLOSE_ASAP);
        self.clients[key] = Some(c);
        if close_now {
            self.to_close.push(key);
        }
    }

    /// Re-runs input processing for a client whose commands were held back
    /// (reads that hit the per-event cap, unpaused or unblocked clients).
    pub fn handle_pending_read(&mut self, key: usize) {
        let Some(mut c) = self.clients.get_mut(key).and_then(|s| s.take()) else {
            return;
        };
        self.process_input(&mut c);
        match self.read_from_client(&mut c, false) {
            ReadOutcome::Closed => {
                self.clients[key] = Some(c);
                self.free_client(key);
                return;
            }
            ReadOutcome::More => self.pending_read.push(key),
            ReadOutcome::Drained => {}
        }
        self.after_client_work(key, c);
    }

    /// Reads what the socket has (up to a fair share) and runs every
    /// complete request.
    fn read_from_client(&mut self, c: &mut Client, hup: bool) -> ReadOutcome {
        for _ in 0..MAX_READS_PER_EVENT {
            if c.is_closing() {
                return ReadOutcome::Drained;
            }
            let mut want = IOBUF_LEN;
            if let Some(big) = c.parser.big_arg_remaining() {
                // Read the rest of a big argument at once, into the room
                // reserved for it, and no further (`PROTO_MBULK_BIG_ARG`):
                // a larger request would make the buffer grow past it.
                let have = c.querybuf.len().saturating_sub(c.qb_pos);
                want = big.saturating_sub(have).max(1);
                // Exactly that room (sdsMakeRoomForNonGreedy): the read's
                // own reserve would round a grown buffer up to twice it.
                c.querybuf.reserve_exact(want);
            }
            let read = match c.conn.as_mut() {
                Some(conn) => conn.read_into(&mut c.querybuf, want),
                None => return ReadOutcome::Drained,
            };
            match read {
                Ok(0) => {
                    log::debug!(
                        "Client closed connection id={} addr={} laddr={} fd={} name={}",
                        c.id,
                        c.addr,
                        c.laddr,
                        c.fd,
                        c.name.as_deref().map(String::from_utf8_lossy).unwrap_or_default()
                    );
                    return ReadOutcome::Closed;
                }
                Ok(n) => {
                    self.stats.net_input_bytes += n as u64;
                    if c.has(cf::MASTER) {
                        self.repl.link.read_reploff += n as i64;
                        self.repl.stat_net_input_bytes += n as u64;
                    }
                    self.stats.total_reads_processed += 1;
                    c.last_interaction = self.unixtime;
                    c.querybuf_peak = c.querybuf_peak.max(c.querybuf.len());
                    if c.querybuf.len() > self.cfg.client_query_buffer_limit as usize && !c.has(cf::MASTER) {
                        log::warn!(
                            "Closing client that reached max query buffer length: id={} addr={} (qbuf initial bytes: {:?})",
                            c.id,
                            c.addr,
                            String::from_utf8_lossy(&c.querybuf[..c.querybuf.len().min(64)])
                        );
                        self.stats.client_qbuf_limit_disconnections += 1;
                        return ReadOutcome::Closed;
                    }
                    self.process_input(c);
                    // A short read drained the socket, unless the
                    // connection holds input no event will announce
                    // (TLS): then read again, now or next iteration.
                    if n < want && !hup && !c.conn.as_ref().is_some_and(Conn::has_pending_input) {
                        return ReadOutcome::Drained;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return ReadOutcome::Drained,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    log::debug!("Reading from client: {}", crate::util::strerror(&e));
                    return ReadOutcome::Closed;
                }
            }
        }
        ReadOutcome::More
    }

    /// Parses and runs every complete request in the query buffer
    /// (`processInputBuffer`).
    pub fn process_input(&mut self, c: &mut Client) {
        let mut qb = std::mem::take(&mut c.querybuf);
        let mut parser = std::mem::take(&mut c.parser);
        let mut pos = c.qb_pos;
        // From our master, the bytes of each command advance the
        // replication offset and are proxied to our replicas.
        let from_master = c.has(cf::MASTER);
        let mut applied_from = pos;
        while pos < qb.len() {
            if c.is_closing() || c.has(cf::BLOCKED | cf::POSTPONED) {
                break;
            }
            let lim = ParseLimits {
                proto_max_bulk_len: self.cfg.proto_max_bulk_len,
                auth_required: self.auth_required(c),
                is_master: c.has(cf::MASTER),
            };
            let before = pos;
            match parser.parse(&qb, &mut pos, &lim) {
                Ok(Parsed::Request) => {
                    let mut stack: [&[u8]; 16] = [&[]; 16];
                    let heap: Vec<&[u8]>;
                    let argv: &[&[u8]] = if parser.is_inline {
                        heap = parser.inline_args.iter().map(|a| a.as_slice()).collect();
                        &heap
                    } else if parser.args.len() <= stack.len() {
                        for (slot, &(s, l)) in stack.iter_mut().zip(parser.args.iter()) {
                            *slot = &qb[s..s + l];
                        }
                        &stack[..parser.args.len()]
                    } else {
                        heap = parser.args.iter().map(|&(s, l)| &qb[s..s + l]).collect();
                        &heap
                    };
                    c.qbuf_in_flight = (qb.len(), qb.capacity());
                    self.execute_request(c, argv);
                    c.qbuf_in_flight = (0, 0);
                    if c.has(cf::POSTPONED) {
                        // Held back until the pause ends: parse it again then.
                        pos = before;
                        parser.reset();
                        break;
                    }
                    if from_master {
                        self.master_applied(c, &qb[applied_from..pos]);
                        applied_from = pos;
                    }
                }
                Ok(Parsed::Empty) => {}
                Ok(Parsed::Incomplete { reserve }) => {
                    if reserve > 0 {
                        // Exactly the big argument's size, as Redis
                        // (sdsMakeRoomForNonGreedy): client memory
                        // accounting and eviction see what it needs.
                        qb.reserve_exact(reserve);
                    }
                    break;
                }
                Err(e) => {
                    let mut msg = b"ERR ".to_vec();
                    msg.extend_from_slice(&e.message());
                    let text = String::from_utf8_lossy(&msg).into_owned();
                    log::debug!(
                        "Protocol error ({}) from client: id={} addr={}",
                        String::from_utf8_lossy(&e.message()),
                        c.id,
                        c.addr
                    );
                    self.reply_error(c, &crate::error::Error::msg(text));
                    c.flags |= cf::CLOSE_AFTER_REPLY | cf::PROTOCOL_ERROR;
                    parser.reset();
                    pos = qb.len();
                    break;
                }
            }
        }
        if from_master && applied_from < pos {
            self.master_unapplied(c, &qb[applied_from..pos]);
        }
        let keep_from = if parser.in_progress() { parser.start } else { pos };
        if keep_from >= qb.len() {
            // The room a big argument needed stays (Redis gives the client
            // a fresh buffer of that size, expecting another one); the
            // clients cron shrinks it when it is not used.
            qb.clear();
            pos = 0;
            if parser.in_progress() {
                parser.shift(keep_from);
            }
        } else if keep_from > 0 {
            qb.drain(..keep_from);
            pos -= keep_from;
            if parser.in_progress() {
                parser.shift(keep_from);
            }
        }
        c.qb_pos = pos;
        c.querybuf = qb;
        c.parser = parser;
    }

    /// Runs one parsed request and applies CLIENT REPLY OFF/SKIP.
    fn execute_request(&mut self, c: &mut Client, argv: &[&[u8]]) {
        let mark = c.reply.buf.len();
        let from_master = c.has(cf::MASTER);
        let from_replica = c.has(cf::SLAVE) && !c.has(cf::MONITOR);
        c.argv_len_sum = argv.iter().map(|a| a.len()).sum();
        c.argc = argv.len();
        self.running.key = Some(c.key);
        self.running.resp = c.reply.resp;
        self.running.pubsub = c.has(cf::PUBSUB);
        self.repl.current_is_master = from_master;
        self.process_command(c, argv);
        self.repl.current_is_master = false;
        self.running.key = None;
        if c.has(cf::POSTPONED) {
            c.argv_len_sum = 0;
            c.argc = 0;
            return;
        }
        // Not while a script runs (a command served during a busy script):
        // its writes are only visible to blocked clients once it is done.
        if !self.blocking.ready.is_empty() && !crate::scripting::script_running() {
            self.handle_clients_blocked_on_keys();
        }
        if c.has(cf::REPLY_OFF | cf::REPLY_SKIP) {
            c.reply.buf.truncate(mark.max(c.reply.sent));
        }
        if from_master {
            // The master gets no replies, only the ACKs it asks for.
            c.reply.buf.truncate(mark.max(c.reply.sent));
            if self.repl.link.ack_requested {
                self.repl.link.ack_requested = false;
                let ack = self.ack_bytes();
                c.reply.raw(&ack);
            }
        } else if from_replica && c.reply.buf.len() > mark {
            // A reply would corrupt the replication stream.
            let name = self.cmds.lookup(argv).map(|x| x.fullname.as_str()).unwrap_or("<unknown>");
            log::warn!(
                "Replica generated a reply to command '{name}', disconnecting it: {}",
                crate::client::commands::client_info_string(self, c)
            );
            c.reply.buf.truncate(mark.max(c.reply.sent));
            c.flags |= cf::CLOSE_ASAP;
            self.close_asap_marked = true;
        }
        if from_replica {
            self.replica_after_command(c);
        }
        // Pushes for this client (its own subscription replies while its
        // replies are off, messages and invalidations from others) are
        // not replies: they always go out, after the reply.
        if !self.running.output.is_empty() {
            let out = std::mem::take(&mut self.running.output);
            c.reply.raw(&out);
        }
        if !self.running.client_flags.is_empty() {
            for (k, f) in std::mem::take(&mut self.running.client_flags) {
                if k == c.key {
                    c.flags |= f;
                }
            }
        }
        c.argv_len_sum = 0;
        c.argc = 0;
        // Its buffers may have grown: the next command's eviction check
        // must see it (`processCommandAndResetClient`).
        self.update_client_mem_and_bucket(c);
        // CLIENT CACHING applies to the next command (or transaction) only.
        if c.has(cf::TRACKING_CACHING)
            && !c.has(cf::MULTI)
            && !c
                .last_cmd
                .is_some_and(|x| x.family == crate::commands::Kind::Client && x.parent.is_some())
        {
            c.flags &= !cf::TRACKING_CACHING;
        }
        c.flags &= !cf::REPLY_SKIP;
        if c.has(cf::REPLY_SKIP_NEXT) {
            c.flags |= cf::REPLY_SKIP;
            c.flags &= !cf::REPLY_SKIP_NEXT;
        }
        c.last_interaction = self.unixtime;
    }

    /// Writes pending replies of every client that has some
    /// (`handleClientsWithPendingWrites`).
    pub fn handle_pending_writes(&mut self) {
        let mut keys = std::mem::take(&mut self.pending_write);
        for &key in &keys {
            let Some(Some(c)) = self.clients.get_mut(key) else {
                continue;
            };
            c.flags &= !cf::PENDING_WRITE;
            if self.write_to_client(key) {
                // Socket full or fair share used: keep it queued.
                if let Some(Some(c)) = self.clients.get_mut(key) {
                    if !c.has(cf::PENDING_WRITE) {
                        c.flags |= cf::PENDING_WRITE;
                        self.pending_write.push(key);
                    }
                }
            }
        }
        // Its allocation serves the next round (no allocation per request).
        if self.pending_write.is_empty() {
            keys.clear();
            self.pending_write = keys;
        }
    }

    /// Writes as much of a client's output as the socket takes. Returns
    /// true when output remains. Frees the client on error, or when it
    /// asked to be closed after its reply and everything is written.
    pub fn write_to_client(&mut self, key: usize) -> bool {
        let is_replica = matches!(self.clients.get(key), Some(Some(c)) if c.has(cf::SLAVE) && !c.has(cf::MONITOR));
        if is_replica {
            // A snapshot file being sent: its next piece.
            self.replica_refill(key);
        }
        let Some(Some(c)) = self.clients.get_mut(key) else {
            return false;
        };
        if c.has(cf::CLOSE_ASAP) {
            // Going away anyway: nothing more is sent (for a replica over
            // its limit, not even the stream that got it there).
            return false;
        }
        let mut written = 0;
        let mut err = false;
        let mut blocked = false;
        if let Some(conn) = c.conn.as_mut() {
            while c.reply.sent < c.reply.buf.len() {
                match conn.write(&c.reply.buf[c.reply.sent..]) {
                    Ok(0) => {
                        err = true;
                        break;
                    }
                    Ok(n) => {
                        c.reply.sent += n;
                        written += n;
                        if written >= MAX_WRITE_PER_EVENT && self.cfg.maxmemory == 0 {
                            break;
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        blocked = true;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => {
                        err = true;
                        break;
                    }
                }
            }
        } else {
            // A client without a connection (never true for socket clients).
            c.reply.sent = c.reply.buf.len();
        }
        self.stats.net_output_bytes += written as u64;
        if written > 0 {
            self.stats.total_writes_processed += 1;
            // Sending ACKs to our master is no sign of life from it.
            if !c.has(cf::MASTER) {
                c.last_interaction = self.unixtime;
            }
        }
        if is_replica && !err && !blocked && c.reply.pending() == 0 {
            // Then the stream, from the shared replication buffer.
            if let Some(conn) = c.conn.as_mut() {
                let (n, failed, full) = write_replica_stream(conn, &mut self.repl, key);
                err |= failed;
                blocked |= full;
                self.repl.stat_net_output_bytes += n as u64;
                if n > 0 {
                    c.last_interaction = self.unixtime;
                    self.trim_backlog(crate::repl::backlog::TRIM_BLOCKS_PER_CALL);
                }
            }
        }
        let Some(Some(c)) = self.clients.get_mut(key) else {
            return false;
        };
        c.note_reply_peak();
        c.reply.compact_after_write(c.reply_buf_size);
        let mut remaining = c.reply.pending() > 0;
        if is_replica && !remaining {
            if let Some(Some(c)) = self.clients.get(key) {
                remaining = self.replica_stream_pending(c);
            }
        }
        let Some(Some(c)) = self.clients.get(key) else {
            return false;
        };
        let done_close = !remaining && c.has(cf::CLOSE_AFTER_REPLY);
        if err || done_close {
            self.free_client(key);
            return false;
        }
        if is_replica && !remaining {
            self.replica_after_write(key);
            // More of a snapshot file to send: keep going.
            remaining = self.replica_refill(key);
        }
        if self.client_mem_tracked() {
            self.recount_client(key);
        }
        remaining && !blocked
    }

    /// Applies `client-output-buffer-limit` to a client
    /// (`checkClientOutputBufferLimits`).
    pub fn check_output_limits(&mut self, c: &mut Client) {
        use crate::client::ClientType;
        use crate::config::special::{OBUF_NORMAL, OBUF_PUBSUB, OBUF_REPLICA};
        // After every command: a normal client with a small reply under
        // its class's limits (the common case) is decided here. At most
        // 1024 bytes, an unauthenticated client is within bounds too.
        if c.flags & (cf::MASTER | cf::SLAVE | cf::PUBSUB) == 0 {
            let lim = &self.cfg.special.client_obuf_limits[OBUF_NORMAL];
            let used = c.reply.pending() as u64;
            if used <= 1024 && (lim.hard == 0 || used < lim.hard) && (lim.soft == 0 || used < lim.soft) {
                c.obuf_soft_limit_reached_time = 0;
                return;
            }
        }
        let class = match c.client_type() {
            ClientType::Normal | ClientType::Master => OBUF_NORMAL,
            ClientType::Replica => OBUF_REPLICA,
            ClientType::Pubsub => OBUF_PUBSUB,
        };
        let lim = self.cfg.special.client_obuf_limits[class];
        let used = self.client_obuf_used(c);
        // A client that has not authenticated may not pile up replies it
        // does not read (a few NOAUTH errors at most).
        let unauth = used > 1024 && self.auth_required(c);
        // A replica hard limit below repl-backlog-size is raised to it: the
        // replica shares the backlog's memory anyway, and would otherwise
        // be dropped right after a partial resync the backlog allowed.
        let mut hard_limit = lim.hard;
        if class == OBUF_REPLICA && hard_limit != 0 {
            hard_limit = hard_limit.max(self.cfg.repl_backlog_size.max(0) as u64);
        }
        let hard = unauth || (lim.hard != 0 && used >= hard_limit);
        let mut soft = !unauth && lim.soft != 0 && used >= lim.soft;
        if soft {
            if c.obuf_soft_limit_reached_time == 0 {
                c.obuf_soft_limit_reached_time = self.unixtime;
                soft = false;
            } else if (self.unixtime - c.obuf_soft_limit_reached_time) as u64 <= lim.soft_seconds {
                soft = false;
            }
        } else if !unauth {
            c.obuf_soft_limit_reached_time = 0;
        }
        if (hard || soft) && !c.has(cf::CLOSE_ASAP) {
            log::warn!(
                "Client id={} addr={} laddr={} fd={} name={} scheduled to be closed ASAP for overcoming of output buffer limits.",
                c.id,
                c.addr,
                c.laddr,
                c.fd,
                c.name.as_deref().map(String::from_utf8_lossy).unwrap_or_default()
            );
            self.stats.client_outbuf_limit_disconnections += 1;
            c.flags |= cf::CLOSE_ASAP;
            self.close_asap_marked = true;
            // Nothing more is sent to a client closed for its buffer, and
            // the memory is given back now (so client eviction does not
            // count it).
            c.reply.buf = Vec::new();
            c.reply.sent = 0;
        }
    }

    /// Frees a client now (`freeClient`). If it is running (taken out of
    /// the slab), it is only marked and freed later.
    pub fn free_client(&mut self, key: usize) {
        match self.clients.get_mut(key) {
            Some(Some(_)) => {}
            Some(None) => {
                self.to_close.push(key);
                return;
            }
            None => return,
        }
        if let Some(Some(mut c)) = self.clients.try_remove(key) {
            if let (Some(reg), Some(conn)) = (self.registry.as_ref(), c.conn.as_mut()) {
                let _ = reg.deregister(conn);
            }
            self.on_client_freed(&mut c);
        }
    }

    /// True when clients must be recounted as their buffers change (client
    /// eviction is on); otherwise the cron's recount is enough.
    #[inline]
    pub fn client_mem_tracked(&self) -> bool {
        self.cfg.maxmemory_clients != 0
    }

    /// Recounts a client that is in the client table.
    pub fn recount_client(&mut self, key: usize) {
        if let Some(mut c) = self.clients.get_mut(key).and_then(|s| s.take()) {
            self.update_client_mem_and_bucket(&mut c);
            self.clients[key] = Some(c);
        }
    }

    /// Frees clients marked to close (`freeClientsInAsyncFreeQueue`).
    #[inline]
    pub fn free_clients_to_close(&mut self) {
        if self.to_close.is_empty() && !self.close_asap_marked {
            return;
        }
        self.free_clients_to_close_run();
    }

    fn free_clients_to_close_run(&mut self) {
        if !self.to_close.is_empty() {
            let keys = std::mem::take(&mut self.to_close);
            for key in keys {
                self.free_client(key);
            }
        }
        // Clients marked CLOSE_ASAP while running: a walk of the whole
        // table, so only after something marked one (`close_asap_marked`).
        if !std::mem::take(&mut self.close_asap_marked) {
            return;
        }
        let marked: Vec<usize> = self
            .clients
            .iter()
            .filter_map(|(k, c)| c.as_ref().filter(|c| c.has(cf::CLOSE_ASAP)).map(|_| k))
            .collect();
        for key in marked {
            self.free_client(key);
        }
    }

    /// Bookkeeping when a client goes away (pub/sub, blocking, WATCH...).
    fn on_client_freed(&mut self, c: &mut Client) {
        self.forget_client_memory(c);
        self.client_by_id.remove(&c.id);
        if c.has(cf::TRACKING) {
            self.disable_tracking(c);
        }
        self.repl_client_freed(c);
        self.unblock_client(c);
        self.pending_read.retain(|&k| k != c.key);
        if c.has(cf::POSTPONED) {
            self.paused_clients.retain(|&k| k != c.key);
        }
        self.unwatch_all_keys(c);
        self.pubsub_unsubscribe_all(c, false);
        if c.has(cf::MONITOR) {
            self.monitors.retain(|&k| k != c.key);
        }
    }
}

/// Writes a replica's share of the replication stream from the shared
/// buffer to its socket, advancing its cursor (the replica half of
/// `_writeToClient`). Returns (bytes written, error, socket full).
/// Replicas are not held to a per-event write budget, as in Redis.
fn write_replica_stream(conn: &mut crate::net::Conn, repl: &mut crate::repl::ReplState, key: usize) -> (usize, bool, bool) {
    let Some(b) = repl.backlog.as_ref() else {
        return (0, false, false);
    };
    let Some(r) = repl.replicas.iter_mut().find(|r| r.key == key) else {
        return (0, false, false);
    };
    if !r.streaming() {
        return (0, false, false);
    }
    let Some(cursor) = r.cursor.as_mut() else {
        return (0, false, false);
    };
    let mut written = 0;
    loop {
        let chunk = b.chunk_at(*cursor);
        if chunk.is_empty() {
            return (written, false, false);
        }
        match conn.write(chunk) {
            Ok(0) => return (written, true, false),
            Ok(n) => {
                *cursor += n as i64;
                written += n;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return (written, false, true),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return (written, true, false),
        }
    }
}
