//! A connected client (the `client` struct of server.h and the client
//! bookkeeping of networking.c): its connection, query buffer and parser
//! state, reply buffer, selected database and flags.
//!
//! The read and write paths that move bytes between the socket and these
//! buffers live in `io.rs`; the CLIENT/HELLO/AUTH/... commands in
//! `commands.rs`.

pub mod commands;
pub mod evict;
pub mod io;

use crate::commands::Command;
use crate::net::Conn;
use crate::resp::{ReplyBuf, RequestParser};

/// Id of the fake client that replays the AOF (`CLIENT_ID_AOF`).
pub const AOF_CLIENT_ID: u64 = u64::MAX;

/// `PROTO_REPLY_CHUNK_BYTES`: the static reply buffer a Redis client
/// starts with, and the most the cron grows it to.
pub const REPLY_CHUNK_BYTES: usize = 16 * 1024;
/// `PROTO_REPLY_MIN_BYTES`: the least the cron shrinks it to.
pub const REPLY_MIN_BYTES: usize = 1024;
/// `REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME`, in ms.
pub const REPLY_BUFFER_PEAK_RESET_MS: i64 = 5000;

/// Client flags (`CLIENT_*`).
pub mod flags {
    pub const SLAVE: u64 = 1 << 0;
    pub const MASTER: u64 = 1 << 1;
    pub const MONITOR: u64 = 1 << 2;
    pub const MULTI: u64 = 1 << 3;
    pub const BLOCKED: u64 = 1 << 4;
    pub const DIRTY_CAS: u64 = 1 << 5;
    pub const CLOSE_AFTER_REPLY: u64 = 1 << 6;
    pub const UNBLOCKED: u64 = 1 << 7;
    /// The client a script runs its commands with (SORT orders sets for it).
    pub const SCRIPT: u64 = 1 << 8;
    pub const ASKING: u64 = 1 << 9;
    pub const CLOSE_ASAP: u64 = 1 << 10;
    pub const UNIX_SOCKET: u64 = 1 << 11;
    pub const DIRTY_EXEC: u64 = 1 << 12;
    pub const PUBSUB: u64 = 1 << 18;
    /// SCRIPT DEBUG YES/SYNC: the next EVAL runs in the Lua debugger.
    pub const LUA_DEBUG: u64 = 1 << 25;
    pub const LUA_DEBUG_SYNC: u64 = 1 << 26;
    pub const READONLY: u64 = 1 << 17;
    pub const REPLY_OFF: u64 = 1 << 22;
    pub const REPLY_SKIP_NEXT: u64 = 1 << 23;
    pub const REPLY_SKIP: u64 = 1 << 24;
    pub const TRACKING: u64 = 1 << 31;
    pub const TRACKING_BROKEN_REDIR: u64 = 1 << 32;
    pub const TRACKING_BCAST: u64 = 1 << 33;
    pub const TRACKING_OPTIN: u64 = 1 << 34;
    pub const TRACKING_OPTOUT: u64 = 1 << 35;
    /// CLIENT CACHING yes/no was given for the next command.
    pub const TRACKING_CACHING: u64 = 1 << 36;
    pub const TRACKING_NOLOOP: u64 = 1 << 37;
    pub const PROTOCOL_ERROR: u64 = 1 << 39;
    pub const NO_EVICT: u64 = 1 << 43;
    /// Held back by CLIENT PAUSE (`BLOCKED_POSTPONE`): its command stays in
    /// the query buffer and runs again when the pause ends.
    pub const POSTPONED: u64 = 1 << 44;
    /// The client is in the pending-write list.
    pub const PENDING_WRITE: u64 = 1 << 21;
}

/// Client types for output buffer limits and CLIENT KILL TYPE (in
/// Redis's `CLIENT_TYPE_*` order: they index per-type memory totals).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientType {
    Normal = 0,
    Replica = 1,
    Pubsub = 2,
    Master = 3,
}

pub struct Client {
    pub id: u64,
    /// Slab key; also its event token (`ae::Tok::Client`).
    pub key: usize,
    pub conn: Option<Conn>,
    pub flags: u64,
    pub db: usize,
    pub name: Option<Vec<u8>>,
    /// CLIENT TRACKING REDIRECT target id (0: none).
    pub tracking_redirect: u64,
    pub authenticated: bool,
    /// The ACL user; None for clients that may run anything (the master
    /// link, AOF loading).
    pub user: Option<crate::acl::UserId>,
    /// Unread input; `qb_pos` is the first unparsed byte.
    pub querybuf: Vec<u8>,
    /// Length and capacity of the query buffer while its requests run (it
    /// is moved out of the client then); CLIENT LIST reports it.
    pub qbuf_in_flight: (usize, usize),
    pub qb_pos: usize,
    pub querybuf_peak: usize,
    pub parser: RequestParser,
    pub reply: ReplyBuf,
    /// The size of the reply buffer Redis would keep allocated for this
    /// client (its "static" buffer, `buf_usable_size`): between
    /// `REPLY_MIN_BYTES` and `REPLY_CHUNK_BYTES`, adjusted by the clients
    /// cron to recent use. A drained buffer larger than this is shrunk back
    /// (Redis frees its reply list once written).
    pub reply_buf_size: usize,
    /// The most the reply buffer held, up to `reply_buf_size`, since the
    /// last peak reset (`buf_peak`).
    pub reply_peak: usize,
    /// When `reply_peak` was last reset (ms).
    pub reply_peak_reset_ms: i64,
    pub ctime: i64,
    pub last_interaction: i64,
    pub last_cmd: Option<&'static Command>,
    /// Bytes held by the arguments of the command being executed.
    pub argv_len_sum: usize,
    /// How many arguments the command being executed has (0 between
    /// commands): with `argv_len_sum`, its argv in the memory figures.
    pub argc: usize,
    pub addr: String,
    pub laddr: String,
    /// When the output buffer first went over the soft limit (0 = not over).
    pub obuf_soft_limit_reached_time: i64,
    pub fd: i32,
    /// Queued commands while in MULTI.
    pub mstate: crate::multi::MultiState,
    /// Keys this client WATCHes: (db, key).
    pub watched: Vec<(usize, Vec<u8>)>,
    /// Pub/sub subscriptions.
    pub subs: crate::pubsub::ClientSubs,
    /// Set while blocked on keys (BLPOP & co).
    pub bstate: Option<Box<crate::blocked::BlockState>>,
    /// What a replica announced with REPLCONF.
    pub repl: Option<Box<crate::repl::ReplicaInfo>>,
    /// The replication offset after this client's last command (WAIT).
    pub woff: i64,
    /// The memory this client was last counted with, and as which
    /// `ClientType` (`last_memory_usage`, `last_memory_type`).
    pub last_mem: usize,
    pub last_mem_type: u8,
    /// Its client-eviction bucket, when it is in one.
    pub mem_bucket: Option<u8>,
}

impl Client {
    pub fn new(id: u64, key: usize, conn: Option<Conn>, unixsocket: &str, now: i64) -> Client {
        let (addr, laddr, fd, unix) = match &conn {
            Some(c) => (c.peer_id(unixsocket), c.sock_name(unixsocket), c.fd(), c.is_unix()),
            None => (String::new(), String::new(), -1, false),
        };
        let static_buf = if conn.is_some() { REPLY_CHUNK_BYTES } else { 0 };
        Client {
            id,
            key,
            conn,
            flags: if unix { flags::UNIX_SOCKET } else { 0 },
            db: 0,
            name: None,
            tracking_redirect: 0,
            authenticated: false,
            user: Some(crate::acl::UserId::DEFAULT),
            querybuf: Vec::new(),
            qbuf_in_flight: (0, 0),
            qb_pos: 0,
            querybuf_peak: 0,
            parser: RequestParser::new(),
            // A connection's buffer is allocated whole up front, as Redis
            // allocates its static `buf` in createClient: the first big
            // reply (an INFO) must not grow it right after used_memory was
            // read (unit/maxmemory's rehash test leaves a 10 KB margin).
            // The clients cron shrinks it like Redis's once it idles.
            reply: ReplyBuf::with_capacity(static_buf),
            reply_buf_size: REPLY_CHUNK_BYTES,
            reply_peak: 0,
            reply_peak_reset_ms: now * 1000,
            ctime: now,
            last_interaction: now,
            last_cmd: None,
            argv_len_sum: 0,
            argc: 0,
            addr,
            laddr,
            obuf_soft_limit_reached_time: 0,
            fd,
            mstate: Default::default(),
            watched: Vec::new(),
            subs: Default::default(),
            bstate: None,
            repl: None,
            woff: 0,
            last_mem: 0,
            last_mem_type: ClientType::Normal as u8,
            mem_bucket: None,
        }
    }

    #[inline]
    /// Commands from this client are applied whatever our own state: our
    /// master's stream, and the AOF being loaded (`mustObeyClient`).
    pub fn must_obey(&self) -> bool {
        self.has(flags::MASTER) || self.id == AOF_CLIENT_ID
    }

    pub fn has(&self, f: u64) -> bool {
        self.flags & f != 0
    }

    pub fn client_type(&self) -> ClientType {
        if self.has(flags::MASTER) {
            ClientType::Master
        } else if self.has(flags::SLAVE) && !self.has(flags::MONITOR) {
            ClientType::Replica
        } else if self.has(flags::PUBSUB) {
            ClientType::Pubsub
        } else {
            ClientType::Normal
        }
    }

    /// True when the client is going away: no more commands are run for it.
    pub fn is_closing(&self) -> bool {
        self.has(flags::CLOSE_ASAP | flags::CLOSE_AFTER_REPLY)
    }

    /// The `flags=` field of CLIENT LIST.
    pub fn flags_string(&self) -> String {
        let mut s = String::new();
        if self.has(flags::SLAVE) {
            s.push(if self.has(flags::MONITOR) { 'O' } else { 'S' });
        }
        for (f, ch) in [
            (flags::MASTER, 'M'),
            (flags::PUBSUB, 'P'),
            (flags::MULTI, 'x'),
            (flags::BLOCKED | flags::POSTPONED, 'b'),
            (flags::TRACKING, 't'),
            (flags::TRACKING_BROKEN_REDIR, 'R'),
            (flags::TRACKING_BCAST, 'B'),
            (flags::DIRTY_CAS, 'd'),
            (flags::CLOSE_AFTER_REPLY, 'c'),
            (flags::UNBLOCKED, 'u'),
            (flags::CLOSE_ASAP, 'A'),
            (flags::UNIX_SOCKET, 'U'),
            (flags::READONLY, 'r'),
            (flags::NO_EVICT, 'e'),
        ] {
            if self.has(f) {
                s.push(ch);
            }
        }
        if s.is_empty() {
            s.push('N');
        }
        s
    }

    /// Records how full the reply buffer got (before a write).
    #[inline]
    pub fn note_reply_peak(&mut self) {
        let held = self.reply.buf.len().min(self.reply_buf_size);
        if held > self.reply_peak {
            self.reply_peak = held;
        }
    }

    /// The clients cron's reply buffer resizing
    /// (`clientsCronResizeOutputBuffer`): a buffer whose recent peak used
    /// less than half of it shrinks to that peak (at least 1 KB); one that
    /// was filled doubles (up to 16 KB). Returns +1 / -1 for a grow /
    /// shrink (INFO stats), 0 otherwise.
    pub fn resize_reply_buffer(&mut self, now_ms: i64, peak_reset_ms: i64) -> i32 {
        let (shrink_to, grow_to) = (self.reply_buf_size / 2, self.reply_buf_size * 2);
        let mut resized = 0;
        let mut new_size = 0;
        if shrink_to >= REPLY_MIN_BYTES && self.reply_peak < shrink_to {
            new_size = REPLY_MIN_BYTES.max(self.reply_peak + 1);
            resized = -1;
        } else if grow_to < REPLY_CHUNK_BYTES * 2 && self.reply_peak == self.reply_buf_size {
            new_size = REPLY_CHUNK_BYTES.min(grow_to);
            resized = 1;
        }
        if peak_reset_ms >= 0 && now_ms - self.reply_peak_reset_ms >= peak_reset_ms {
            self.reply_peak = self.reply.buf.len().min(self.reply_buf_size);
            self.reply_peak_reset_ms = now_ms;
        }
        if new_size != 0 {
            self.reply_buf_size = new_size;
            if self.reply.pending() == 0 && self.reply.buf.capacity() > new_size {
                self.reply.buf = Vec::with_capacity(new_size);
                self.reply.sent = 0;
            }
        }
        resized
    }
}
