//! The server: global state owned by the event loop (server.c's `struct
//! redisServer`), the command gate and `call` (`call.rs`), the periodic
//! work (`cron.rs`), INFO (`info.rs`) and server-level commands.
//!
//! Nothing here is shared across threads: the event loop owns the
//! `Server`, and commands run to completion with `&mut Server`.

pub mod busypoll;
pub mod call;
pub mod commands;
pub mod cron;
pub mod defrag;
pub mod info;
pub mod oomscore;
pub mod run;
pub mod supervise;
pub mod tls;

use crate::client::Client;
use crate::commands::{Command, Registry};
use crate::config::Config;
use crate::db::Db;
use crate::error::Error;
use crate::net::listener::Listener;
use std::collections::BTreeMap;

pub type CmdResult = Result<(), Error>;

/// Per-command statistics (INFO commandstats / latencystats).
#[derive(Default, Clone, Debug)]
pub struct CmdStats {
    pub calls: u64,
    pub usec: u64,
    pub rejected: u64,
    pub failed: u64,
    /// Call durations, while `latency-tracking` is on.
    pub latency: Option<Box<crate::latency::Histogram>>,
}

/// Counters reported by INFO stats and reset by CONFIG RESETSTAT.
#[derive(Default, Debug)]
pub struct Stats {
    /// Active defrag: allocations moved / left, keys with something moved
    /// / nothing, and milliseconds spent running (finished periods).
    pub defrag_hits: u64,
    pub defrag_misses: u64,
    pub defrag_key_hits: u64,
    pub defrag_key_misses: u64,
    pub defrag_total_ms: u64,
    pub numcommands: u64,
    pub numconnections: u64,
    pub rejected_conn: u64,
    pub expiredkeys: u64,
    pub expired_stale_perc: f64,
    pub expired_time_cap_reached_count: u64,
    pub expire_cycle_time_used: u64,
    pub evictedkeys: u64,
    pub evictedclients: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    pub total_error_replies: u64,
    pub unexpected_error_replies: u64,
    pub client_qbuf_limit_disconnections: u64,
    pub client_outbuf_limit_disconnections: u64,
    pub total_reads_processed: u64,
    pub total_writes_processed: u64,
    pub dump_payload_sanitizations: u64,
    pub io_reads_processed: u64,
    /// Static reply buffers shrunk / grown by the clients cron.
    pub reply_buffer_shrinks: u64,
    pub reply_buffer_expands: u64,
    pub peak_memory: usize,
    /// Samples behind `instantaneous_ops_per_sec` and the kbps fields.
    pub inst_ops: InstMetric,
    pub inst_input: InstMetric,
    pub inst_output: InstMetric,
}

/// A rate over the last few cron samples (`trackInstantaneousMetric`).
#[derive(Default, Debug)]
pub struct InstMetric {
    last_sample_ms: i64,
    last_reading: u64,
    samples: [u64; 16],
    idx: usize,
}

impl InstMetric {
    /// Records `reading` (a monotonically growing counter) at `now_ms`.
    pub fn track(&mut self, now_ms: i64, reading: u64) {
        if self.last_sample_ms > 0 {
            let dt = (now_ms - self.last_sample_ms).max(1) as u64;
            let per_sec = reading.saturating_sub(self.last_reading) * 1000 / dt;
            self.samples[self.idx] = per_sec;
            self.idx = (self.idx + 1) % self.samples.len();
        }
        self.last_sample_ms = now_ms;
        self.last_reading = reading;
    }

    /// Mean of the samples, per second.
    pub fn per_sec(&self) -> u64 {
        self.samples.iter().sum::<u64>() / self.samples.len() as u64
    }
}

/// CLIENT PAUSE state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PauseKind {
    None,
    Write,
    All,
}

/// What INFO shows about a load in progress (`loading_*` fields).
#[derive(Default, Clone, Copy)]
pub struct LoadingProgress {
    pub start_time: i64,
    pub total_bytes: u64,
    pub loaded_bytes: u64,
    pub rdb_used_mem: u64,
    /// Bytes of earlier files of the same load (AOF base + incr files).
    pub base: u64,
}

pub struct Server {
    pub cfg: Config,
    /// The client whose command is running (call.rs).
    pub running: call::Running,
    /// The call in progress and the calls nested in it (call.rs).
    pub calls: call::CallState,
    pub cmds: &'static Registry,
    pub dbs: Vec<Db>,
    /// Clients by slab key. A client is taken out (None) while its
    /// commands run, so handlers get `&mut Client` next to `&mut Server`.
    pub clients: slab::Slab<Option<Box<Client>>>,
    pub next_client_id: u64,
    pub listeners: Vec<Listener>,
    /// Cluster mode's state (src/cluster/state.rs); None when standalone.
    pub cluster: Option<Box<crate::cluster::state::ClusterState>>,
    /// The TLS contexts, once configured (tls.rs); new connections use
    /// the current ones.
    pub tls: Option<crate::net::tls::Tls>,
    pub registry: Option<mio::Registry>,
    /// The poller (set up by `init_event_loop`, before loading).
    pub poll: Option<mio::Poll>,
    /// Read end of the signal self-pipe.
    pub sig_fd: Option<std::os::fd::OwnedFd>,
    /// Inside `process_events_while_blocked` (it does not nest).
    pub in_events_while_blocked: bool,
    /// Spin-before-sleep state of the loop (busypoll.rs).
    pub busy_poll: busypoll::BusyPoll,
    /// When the last poll returned (monotonic µs).
    pub polled_at_us: u64,
    /// Progress of the load in course, for INFO persistence.
    pub loading_progress: LoadingProgress,
    /// The background freeing thread (UNLINK, FLUSHALL ASYNC...).
    pub lazyfree: crate::lazyfree::LazyFree,
    /// What oom-score-adj changed (oomscore.rs).
    pub oom: oomscore::OomState,
    pub stats: Stats,
    pub cmd_stats: Vec<CmdStats>,
    /// errorstats: count per error code, sorted like Redis's rax.
    pub error_stats: BTreeMap<String, u64>,
    /// Changes since the last save; only the write epilogue and keyless
    /// writes (`add_dirty`) add to it (db/change.rs).
    pub dirty: crate::db::change::Dirty,
    /// Cached wall-clock time (ms), refreshed before every command.
    pub mstime: i64,
    pub unixtime: i64,
    pub lru_clock: u32,
    pub start_time: i64,
    pub start_monotonic_us: u64,
    pub run_id: String,
    pub replid: String,
    pub replid2: String,
    pub executable: String,
    pub config_file: Option<String>,
    /// Clients with replies waiting to be written (slab keys).
    pub pending_write: Vec<usize>,
    /// Clients with unread or unprocessed input to come back to.
    pub pending_read: Vec<usize>,
    /// Clients to free at the next opportunity.
    pub to_close: Vec<usize>,
    /// A client got `CLOSE_ASAP` without being queued in `to_close`:
    /// `free_clients_to_close` walks the table for it. Set wherever the
    /// flag is set.
    pub close_asap_marked: bool,
    /// Clients whose next command waits for CLIENT PAUSE to end.
    pub paused_clients: Vec<usize>,
    /// The last shutdown signal received.
    pub last_signal: i32,
    /// `supervise::SYSTEMD`/`UPSTART` when a service manager supervises
    /// us (`server.supervised_mode`), else `supervise::NONE`.
    pub supervised_mode: i32,
    pub shutdown_asap: bool,
    pub shutdown_flags: i32,
    pub pause: PauseKind,
    pub pause_end_ms: i64,
    pub cronloops: u64,
    pub hz: i64,
    pub active_expire_enabled: bool,
    pub lastsave: i64,
    pub lastbgsave_ok: bool,
    pub pid: u32,
    pub protected_warning_done: bool,
    /// Result of the last active expire cycle (for `expired_stale_perc`).
    pub active_expire_state: crate::db::expire::CycleState,
    pub loading: bool,
    /// Active defragmentation's walk and duty cycle (`defrag.rs`).
    pub defrag: defrag::State,
    pub pubsub: crate::pubsub::PubSub,
    /// How often a client's reply buffer peak is reset, in ms (-1: never);
    /// DEBUG REPLYBUFFER PEAK-RESET-TIME.
    pub reply_buffer_peak_reset_time: i64,
    /// DEBUG REPLYBUFFER RESIZING.
    pub reply_buffer_resizing: bool,
    /// DEBUG PAUSE-CRON: skip the cron's work.
    pub pause_cron: bool,
    /// Client memory totals and eviction buckets (`client/evict.rs`).
    pub client_mem: crate::client::evict::ClientMemory,
    /// Client id -> slab key, for every connected client.
    pub client_by_id: std::collections::HashMap<u64, usize, foldhash::fast::RandomState>,
    pub tracking: crate::tracking::Tracking,
    /// Clients in MONITOR mode (slab keys).
    pub monitors: Vec<usize>,
    pub slowlog: crate::slowlog::SlowLog,
    pub latency_monitor: crate::latency::Monitor,
    /// Clients blocked on keys.
    pub blocking: crate::blocked::Blocking,
    /// Eviction candidates and state.
    pub eviction_pool: crate::db::evict::EvictionPool,
    /// Snapshots and fork children.
    pub persist: crate::persist::PersistState,
    pub dirty_before_bgsave: u64,
    /// Loading an AOF's RDB preamble: expired keys are kept (the AOF tail
    /// may rely on them).
    pub loading_aof_preamble: bool,
    /// DEBUG SET-SKIP-CHECKSUM-VALIDATION.
    pub skip_checksum_validation: bool,
    /// DEBUG RELOAD MERGE: a loaded key replaces an existing one.
    pub rdb_load_allow_dup: bool,
    /// Replication, master and replica side.
    pub repl: crate::repl::ReplState,
    /// A replica asked for a sync during the last command.
    pub repl_sync_requested: bool,
    /// The append-only file.
    pub aof: crate::persist::aof::AofState,
    /// EVAL scripts, function libraries and the running script.
    pub scripting: crate::scripting::Scripting,
    /// Events polled but not yet handled: (token, readable, closed,
    /// writable). A busy script serving the loop from inside one of them
    /// handles the rest of the batch (the poller is edge-triggered, so
    /// they would not be reported again).
    pub ready_events: std::collections::VecDeque<(mio::Token, bool, bool, bool)>,
    /// Connections MIGRATE keeps open to its targets.
    pub migrate_sockets: crate::persist::migrate::SocketCache,
    /// When the last cross-protocol attack was logged (unix seconds).
    pub last_security_warning: i64,
    /// The key change hook's own state (db/change.rs).
    pub changes: crate::db::change::ChangeState,
    /// The keys holding time series, kept by the key-change hook.
    pub ts_index: crate::stack::timeseries::index::SeriesKeys,
    /// ACL users and the ACL log.
    pub acl: crate::acl::Acl,
}

/// What a command handler sees: the server, its client, its arguments.
pub struct Ctx<'a> {
    pub srv: &'a mut Server,
    pub c: &'a mut Client,
    pub argv: &'a [&'a [u8]],
    pub cmd: &'static Command,
    /// Set by a handler to propagate something other than its own argv
    /// (e.g. SET with EX becomes SET with PXAT).
    pub propagate_as: Option<Vec<Vec<u8>>>,
    /// Set by a handler that must not be propagated at all.
    pub no_propagate: bool,
    /// Set by a handler that must be propagated even if it changed nothing
    /// (PUBLISH, FLUSHALL on an empty dataset).
    pub force_propagate: bool,
}

impl<'a> Ctx<'a> {
    #[inline]
    pub fn argc(&self) -> usize {
        self.argv.len()
    }

    /// The client's selected database index.
    #[inline]
    pub fn dbi(&self) -> usize {
        self.c.db
    }

    /// Rewrites what gets propagated for this command.
    pub fn propagate_as(&mut self, argv: Vec<Vec<u8>>) {
        self.propagate_as = Some(argv);
    }
}

impl Server {
    /// The server's current time for expiry decisions: fixed during a
    /// command, so a key cannot expire half way through it.
    #[inline]
    pub fn now_ms(&self) -> i64 {
        if self.calls.fixed_time_expire > 0 {
            self.mstime
        } else {
            crate::util::mstime()
        }
    }

    /// Refreshes the cached clocks (`updateCachedTime`).
    pub fn update_cached_time(&mut self) {
        self.mstime = crate::util::mstime();
        self.unixtime = self.mstime / 1000;
    }

    /// Whether anything consumes propagated commands (replicas, AOF):
    /// without a consumer nothing is copied for propagation.
    #[inline]
    pub fn propagation_needed(&self) -> bool {
        !self.repl.replicas.is_empty() || self.repl.backlog.is_some() || self.aof.status != crate::persist::aof::AofStatus::Off
    }

    /// Queues a command for AOF and replicas (`alsoPropagate`).
    pub fn propagate(&mut self, db: usize, argv: Vec<Vec<u8>>) {
        let targets = self.calls.targets;
        if targets != 0 {
            self.calls.propagation.push((db, argv, targets));
        }
    }

    /// Hands queued commands to replicas and AOF
    /// (`propagatePendingCommands`): several commands from one call (EXEC,
    /// scripts) go as one MULTI/EXEC block.
    pub fn flush_propagation(&mut self) {
        self.flush_propagation_with(true)
    }

    /// As `flush_propagation`; `transaction: false` never wraps in
    /// MULTI/EXEC (active expiry, eviction, commands that touch arbitrary
    /// keys like SCAN whose lazy expirations are independent).
    #[inline]
    pub fn flush_propagation_with(&mut self, transaction: bool) {
        if self.calls.propagation.is_empty() {
            return;
        }
        self.flush_propagation_batch(transaction);
    }

    fn flush_propagation_batch(&mut self, transaction: bool) {
        let mut batch = std::mem::take(&mut self.calls.propagation);
        if !self.propagation_needed() {
            return;
        }
        if transaction && batch.len() > 1 {
            // MULTI takes the first command's db (so its SELECT comes
            // first), EXEC the last one's (so no SELECT precedes it).
            let (first, last) = (batch[0].0, batch[batch.len() - 1].0);
            let all = crate::scripting::PROPAGATE_AOF | crate::scripting::PROPAGATE_REPL;
            batch.insert(0, (first, vec![b"MULTI".to_vec()], all));
            batch.push((last, vec![b"EXEC".to_vec()], all));
        }
        for (db, argv, targets) in &batch {
            if targets & crate::scripting::PROPAGATE_AOF != 0 {
                self.feed_aof(*db, argv);
            }
            if targets & crate::scripting::PROPAGATE_REPL != 0 {
                self.feed_replicas(*db, argv);
            }
        }
    }

    /// Counts an error reply in INFO errorstats (`afterErrorReply`).
    pub fn count_error(&mut self, text: &str) {
        self.stats.total_error_replies += 1;
        let code = Error::code(text);
        if let Some(n) = self.error_stats.get_mut(code) {
            *n += 1;
        } else if self.error_stats.len() < 128 {
            self.error_stats.insert(code.to_string(), 1);
        } else {
            *self.error_stats.entry("ERRORSTATS_DISABLED".into()).or_insert(0) += 1;
        }
    }

    /// Writes an error reply to `c` and counts it. The only place errors
    /// are written.
    pub fn reply_error(&mut self, c: &mut Client, e: &Error) {
        let text = e.text();
        self.count_error(&text);
        // An error on a replication link is a bug somewhere: say so loudly
        // (`afterErrorReply`).
        let is_master = c.has(crate::client::flags::MASTER);
        let is_replica = c.has(crate::client::flags::SLAVE) && !c.has(crate::client::flags::MONITOR);
        if is_master || is_replica {
            let (to, from) = if is_master { ("master", "replica") } else { ("replica", "master") };
            let name = c.last_cmd.map(|cmd| cmd.fullname.as_str()).unwrap_or("<unknown>");
            log::warn!("== CRITICAL == This {from} is sending an error to its {to}: '{text}' after processing the command '{name}'");
            self.stats.unexpected_error_replies += 1;
        }
        c.reply.error(text.as_bytes());
    }

    /// Whether maxmemory is set with an LRU/LFU policy, in which case
    /// integers are not shared objects (each value needs its own LRU).
    pub fn shared_ints_allowed(&self) -> bool {
        use crate::config::enums::{MAXMEMORY_FLAG_LFU, MAXMEMORY_FLAG_LRU};
        self.cfg.maxmemory == 0 || self.cfg.maxmemory_policy & (MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_LFU) == 0
    }

    /// True when the LFU policy is in use (OBJECT FREQ).
    pub fn lfu_enabled(&self) -> bool {
        self.cfg.maxmemory_policy & crate::config::enums::MAXMEMORY_FLAG_LFU != 0
    }

    /// All clients, including `current` (which is taken out of the slab
    /// while it runs a command), ordered by id like Redis's client list.
    pub fn clients_sorted<'s>(&'s self, current: Option<&'s Client>) -> Vec<&'s Client> {
        let mut v: Vec<&Client> = self.clients.iter().filter_map(|(_, c)| c.as_deref()).collect();
        if let Some(c) = current {
            v.push(c);
        }
        v.sort_by_key(|c| c.id);
        v
    }

    /// Number of connected clients (including one taken out to run).
    pub fn num_clients(&self) -> usize {
        self.clients.len()
    }
}
