//! INFO (`genRedisInfoString`) and the start-up banner.

use super::{CmdResult, Ctx, Server};
use crate::client::flags as cf;
use std::fmt::Write;

/// Sections INFO shows with no argument (or "default").
const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "errorstats",
    "cluster",
    "keyspace",
];

/// Bytes with a unit, as Redis prints `*_human` fields (`bytesToHuman`).
pub fn bytes_to_human(n: u64) -> String {
    let n = n as f64;
    const K: f64 = 1024.0;
    if n < K {
        format!("{}B", n as u64)
    } else if n < K * K {
        format!("{:.2}K", n / K)
    } else if n < K * K * K {
        format!("{:.2}M", n / (K * K))
    } else if n < K * K * K * K {
        format!("{:.2}G", n / (K * K * K))
    } else if n < K * K * K * K * K {
        format!("{:.2}T", n / (K * K * K * K))
    } else {
        format!("{:.2}P", n / (K * K * K * K * K))
    }
}

fn uname() -> (String, String, String) {
    // SAFETY: an all-zero utsname is valid to be filled by uname(2).
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `u` is a valid out-pointer.
    if unsafe { libc::uname(&mut u) } != 0 {
        return ("Linux".into(), String::new(), String::new());
    }
    let f = |a: &[libc::c_char]| {
        let bytes: Vec<u8> = a.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    (f(&u.sysname), f(&u.release), f(&u.machine))
}

fn rusage(who: i32) -> (f64, f64) {
    // SAFETY: an all-zero rusage is valid to be filled by getrusage(2).
    let mut r: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `r` is a valid out-pointer.
    unsafe { libc::getrusage(who, &mut r) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    (t(r.ru_stime), t(r.ru_utime))
}

fn total_system_memory() -> u64 {
    // SAFETY: sysconf has no memory-safety preconditions.
    let (pages, size) = unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
    (pages.max(0) as u64) * (size.max(0) as u64)
}

impl Server {
    /// Builds the INFO text for the requested sections.
    pub fn info_string(&self, sections: &[Vec<u8>], current: Option<&crate::client::Client>) -> String {
        let mut wanted: Vec<String> = Vec::new();
        let (mut all, mut everything) = (false, false);
        if sections.is_empty() {
            wanted.extend(DEFAULT_SECTIONS.iter().map(|s| s.to_string()));
        }
        for s in sections {
            let s = String::from_utf8_lossy(s).to_lowercase();
            match s.as_str() {
                "default" => wanted.extend(DEFAULT_SECTIONS.iter().map(|s| s.to_string())),
                "all" => all = true,
                "everything" => {
                    all = true;
                    everything = true;
                }
                _ => wanted.push(s),
            }
        }
        let want = |name: &str| all || wanted.iter().any(|w| w == name);
        let mut out = String::new();
        let mut n = 0;
        let mut section = |out: &mut String, title: &str| {
            if n > 0 {
                out.push_str("\r\n");
            }
            n += 1;
            let _ = write!(out, "# {title}\r\n");
        };
        let uptime = self.unixtime - self.start_time;
        if want("server") {
            section(&mut out, "Server");
            let (sys, rel, mach) = uname();
            let _ = write!(
                out,
                "redis_version:{}\r\noxidis_version:{}\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\nredis_mode:{}\r\nos:{} {} {}\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:0.0.0\r\nprocess_id:{}\r\nprocess_supervised:{}\r\nrun_id:{}\r\ntcp_port:{}\r\nserver_time_usec:{}\r\nuptime_in_seconds:{}\r\nuptime_in_days:{}\r\nhz:{}\r\nconfigured_hz:{}\r\nlru_clock:{}\r\nexecutable:{}\r\nconfig_file:{}\r\nio_threads_active:0\r\n",
                crate::REDIS_VERSION,
                crate::OXIDIS_VERSION,
                if self.cfg.cluster_enabled { "cluster" } else { "standalone" },
                sys,
                rel,
                mach,
                self.pid,
                crate::server::supervise::info_name(self.supervised_mode),
                self.run_id,
                if self.cfg.port != 0 { self.cfg.port } else { self.cfg.tls_port },
                crate::util::ustime(),
                uptime,
                uptime / 86400,
                self.hz,
                self.cfg.hz,
                self.lru_clock(),
                self.executable,
                self.config_file.as_deref().unwrap_or(""),
            );
            if self.shutdown_initiated() {
                let left = self.repl.shutdown.deadline_ms - crate::util::mstime();
                let _ = write!(out, "shutdown_in_milliseconds:{left}\r\n");
            }
        }
        if want("clients") {
            section(&mut out, "Clients");
            let clients = self.clients_sorted(current);
            let maxin = clients.iter().map(|c| c.querybuf_peak).max().unwrap_or(0);
            let maxout = clients.iter().map(|c| c.reply_peak).max().unwrap_or(0);
            let blocked = clients.iter().filter(|c| c.has(cf::BLOCKED | cf::POSTPONED)).count();
            let tracking = self.tracking.num_clients();
            let _ = write!(
                out,
                "connected_clients:{}\r\ncluster_connections:0\r\nmaxclients:{}\r\nclient_recent_max_input_buffer:{}\r\nclient_recent_max_output_buffer:{}\r\nblocked_clients:{}\r\ntracking_clients:{}\r\nclients_in_timeout_table:0\r\n",
                // Replicas are not counted (`server.clients - server.slaves`).
                clients.len() - clients.iter().filter(|c| c.has(cf::SLAVE) && !c.has(cf::MONITOR)).count(),
                self.cfg.maxclients,
                maxin,
                maxout,
                blocked,
                tracking
            );
        }
        if want("memory") {
            section(&mut out, "Memory");
            let used = crate::alloc::used_memory() as u64;
            let rss = crate::alloc::rss_bytes() as u64;
            let peak = (self.stats.peak_memory as u64).max(used);
            let (allocated, active, resident, _retained, _mapped) = crate::alloc::jemalloc_stats();
            let sysmem = total_system_memory();
            let maxmem = self.cfg.maxmemory as u64;
            let policy = crate::config::enum_name(crate::config::enums::MAXMEMORY_POLICY_ENUM, self.cfg.maxmemory_policy, false);
            let frag = if used > 0 { rss as f64 / used as f64 } else { 0.0 };
            let (backlog_mem, repl_bufs) = self.replication_memory_split();
            let not_counted = self.memory_not_counted_for_evict();
            let lua_mem = self.scripting_memory_info();
            let _ = write!(
                out,
                "used_memory:{used}\r\nused_memory_human:{}\r\nused_memory_rss:{rss}\r\nused_memory_rss_human:{}\r\nused_memory_peak:{peak}\r\nused_memory_peak_human:{}\r\nused_memory_peak_perc:{:.2}%\r\nused_memory_overhead:0\r\nused_memory_startup:0\r\nused_memory_dataset:{used}\r\nused_memory_dataset_perc:100.00%\r\nallocator_allocated:{allocated}\r\nallocator_active:{active}\r\nallocator_resident:{resident}\r\ntotal_system_memory:{sysmem}\r\ntotal_system_memory_human:{}\r\n{lua_mem}maxmemory:{maxmem}\r\nmaxmemory_human:{}\r\nmaxmemory_policy:{policy}\r\nallocator_frag_ratio:{:.2}\r\nallocator_frag_bytes:{}\r\nallocator_rss_ratio:{:.2}\r\nallocator_rss_bytes:{}\r\nrss_overhead_ratio:1.00\r\nrss_overhead_bytes:0\r\nmem_fragmentation_ratio:{frag:.2}\r\nmem_fragmentation_bytes:{}\r\nmem_not_counted_for_evict:{not_counted}\r\nmem_replication_backlog:{backlog_mem}\r\nmem_total_replication_buffers:{}\r\nmem_clients_slaves:{repl_bufs}\r\nmem_clients_normal:{}\r\nmem_cluster_links:0\r\nmem_aof_buffer:0\r\nmem_allocator:jemalloc-5.3.0\r\nactive_defrag_running:{}\r\nlazyfree_pending_objects:{}\r\nlazyfreed_objects:{}\r\n",
                bytes_to_human(used),
                bytes_to_human(rss),
                bytes_to_human(peak),
                if peak > 0 { used as f64 * 100.0 / peak as f64 } else { 0.0 },
                bytes_to_human(sysmem),
                bytes_to_human(maxmem),
                if allocated > 0 { active as f64 / allocated as f64 } else { 0.0 },
                active.saturating_sub(allocated),
                if active > 0 { resident as f64 / active as f64 } else { 0.0 },
                resident as i64 - active as i64,
                rss as i64 - used as i64,
                self.repl.backlog.as_ref().map_or(0, |b| b.memory()),
                self.clients_sorted(current)
                    .iter()
                    .filter(|c| !c.has(cf::SLAVE) || c.has(cf::MONITOR))
                    .map(|c| self.client_memory(c))
                    .sum::<usize>(),
                self.defrag.running,
                self.lazyfree.pending(),
                self.lazyfree.freed(),
            );
        }
        if want("persistence") {
            section(&mut out, "Persistence");
            let ci = &self.persist.child_info;
            let _ = write!(
                out,
                "loading:{}\r\nasync_loading:{}\r\ncurrent_cow_peak:{}\r\ncurrent_cow_size:{}\r\ncurrent_cow_size_age:{}\r\ncurrent_fork_perc:{:.2}\r\ncurrent_save_keys_processed:{}\r\ncurrent_save_keys_total:{}\r\nrdb_changes_since_last_save:{}\r\nrdb_bgsave_in_progress:{}\r\nrdb_last_save_time:{}\r\nrdb_last_bgsave_status:{}\r\nrdb_last_bgsave_time_sec:{}\r\nrdb_current_bgsave_time_sec:{}\r\nrdb_saves:{}\r\nrdb_last_cow_size:{}\r\nrdb_last_load_keys_expired:{}\r\nrdb_last_load_keys_loaded:{}\r\naof_enabled:{}\r\naof_rewrite_in_progress:{}\r\naof_rewrite_scheduled:{}\r\naof_last_rewrite_time_sec:{}\r\naof_current_rewrite_time_sec:{}\r\naof_last_bgrewrite_status:{}\r\naof_rewrites:{}\r\naof_rewrites_consecutive_failures:{}\r\naof_last_write_status:{}\r\naof_last_cow_size:{}\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n{}",
                u8::from(self.loading),
                u8::from(self.repl.async_loading),
                ci.cow_peak,
                ci.cow,
                if ci.cow_updated_us != 0 { (crate::util::monotonic_us().saturating_sub(ci.cow_updated_us)) / 1_000_000 } else { 0 },
                ci.fork_perc(),
                ci.keys_processed,
                ci.keys_total,
                self.dirty.get(),
                u8::from(self.persist.child.is_some()),
                self.lastsave,
                if self.lastbgsave_ok { "ok" } else { "err" },
                if self.persist.rdb_saves > 0 || !self.lastbgsave_ok { self.persist.last_bgsave_time_sec } else { -1 },
                self.persist.child.as_ref().map(|c| (crate::util::mstime() - c.start_ms) / 1000).unwrap_or(-1),
                self.persist.rdb_saves,
                self.persist.rdb_last_cow_size,
                self.persist.last_load_expired,
                self.persist.last_load_keys,
                u8::from(self.aof.status != crate::persist::aof::AofStatus::Off),
                u8::from(self.persist.child.as_ref().is_some_and(|c| c.kind == crate::persist::ChildKind::Aof)),
                u8::from(self.aof.rewrite_scheduled),
                self.aof.last_rewrite_time,
                if self.aof.rewrite_time_start >= 0 { self.unixtime - self.aof.rewrite_time_start } else { -1 },
                if self.aof.last_rewrite_ok { "ok" } else { "err" },
                self.aof.rewrites,
                self.aof.consecutive_failures,
                if self.aof.last_write_ok { "ok" } else { "err" },
                self.persist.aof_last_cow_size,
                if self.aof.status != crate::persist::aof::AofStatus::Off {
                    format!(
                        "aof_current_size:{}\r\naof_base_size:{}\r\naof_pending_rewrite:{}\r\naof_buffer_length:{}\r\naof_pending_bio_fsync:{}\r\naof_delayed_fsync:{}\r\n",
                        self.aof.current_size,
                        self.aof.base_size,
                        u8::from(self.aof.rewrite_scheduled),
                        self.aof.buf.len(),
                        self.aof.pending_fsync(),
                        self.aof.delayed_fsync
                    )
                } else {
                    String::new()
                },
            );
            if self.loading {
                out.push_str(&self.loading_info());
            }
        }
        if want("stats") {
            section(&mut out, "Stats");
            let st = &self.stats;
            let (ps_channels, ps_patterns, ps_shard) = self.pubsub_counts();
            let _ = write!(
                out,
                "total_connections_received:{}\r\ntotal_commands_processed:{}\r\ninstantaneous_ops_per_sec:{}\r\ntotal_net_input_bytes:{}\r\ntotal_net_output_bytes:{}\r\ntotal_net_repl_input_bytes:{}\r\ntotal_net_repl_output_bytes:{}\r\ninstantaneous_input_kbps:{:.2}\r\ninstantaneous_output_kbps:{:.2}\r\ninstantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00\r\nrejected_connections:{}\r\nsync_full:{}\r\nsync_partial_ok:{}\r\nsync_partial_err:{}\r\nexpired_keys:{}\r\nexpired_stale_perc:{:.2}\r\nexpired_time_cap_reached_count:{}\r\nexpire_cycle_cpu_milliseconds:{}\r\nevicted_keys:{}\r\nevicted_clients:{}\r\ntotal_eviction_exceeded_time:0\r\ncurrent_eviction_exceeded_time:0\r\nkeyspace_hits:{}\r\nkeyspace_misses:{}\r\npubsub_channels:{}\r\npubsub_patterns:{}\r\npubsubshard_channels:{}\r\nlatest_fork_usec:{}\r\ntotal_forks:{}\r\nmigrate_cached_sockets:{}\r\nslave_expires_tracked_keys:{}\r\nactive_defrag_hits:{}\r\nactive_defrag_misses:{}\r\nactive_defrag_key_hits:{}\r\nactive_defrag_key_misses:{}\r\ntotal_active_defrag_time:{}\r\ncurrent_active_defrag_time:{}\r\ntracking_total_keys:{}\r\ntracking_total_items:{}\r\ntracking_total_prefixes:{}\r\nunexpected_error_replies:{}\r\ntotal_error_replies:{}\r\ndump_payload_sanitizations:{}\r\ntotal_reads_processed:{}\r\ntotal_writes_processed:{}\r\nio_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\nreply_buffer_shrinks:{}\r\nreply_buffer_expands:{}\r\n",
                st.numconnections,
                st.numcommands,
                st.inst_ops.per_sec(),
                st.net_input_bytes,
                st.net_output_bytes,
                self.repl.stat_net_input_bytes,
                self.repl.stat_net_output_bytes,
                st.inst_input.per_sec() as f64 / 1024.0,
                st.inst_output.per_sec() as f64 / 1024.0,
                st.rejected_conn,
                self.repl.stat_sync_full,
                self.repl.stat_sync_partial_ok,
                self.repl.stat_sync_partial_err,
                st.expiredkeys,
                st.expired_stale_perc * 100.0,
                st.expired_time_cap_reached_count,
                st.expire_cycle_time_used / 1000,
                st.evictedkeys,
                st.evictedclients,
                st.keyspace_hits,
                st.keyspace_misses,
                ps_channels,
                ps_patterns,
                ps_shard,
                self.persist.latest_fork_usec,
                self.persist.total_forks,
                self.migrate_sockets.len(),
                self.repl.slave_keys.len(),
                st.defrag_hits,
                st.defrag_misses,
                st.defrag_key_hits,
                st.defrag_key_misses,
                st.defrag_total_ms,
                self.defrag.current_ms(),
                self.tracking.total_keys(),
                self.tracking.total_items(),
                self.tracking.total_prefixes(),
                st.unexpected_error_replies,
                st.total_error_replies,
                st.dump_payload_sanitizations,
                st.total_reads_processed,
                st.total_writes_processed,
                st.reply_buffer_shrinks,
                st.reply_buffer_expands,
            );
        }
        if want("replication") {
            section(&mut out, "Replication");
            out.push_str(&self.info_replication());
        }
        if want("cpu") {
            section(&mut out, "CPU");
            let (ss, su) = rusage(libc::RUSAGE_SELF);
            let (cs, cu) = rusage(libc::RUSAGE_CHILDREN);
            let (ts, tu) = rusage(libc::RUSAGE_THREAD);
            let _ = write!(
                out,
                "used_cpu_sys:{ss:.6}\r\nused_cpu_user:{su:.6}\r\nused_cpu_sys_children:{cs:.6}\r\nused_cpu_user_children:{cu:.6}\r\nused_cpu_sys_main_thread:{ts:.6}\r\nused_cpu_user_main_thread:{tu:.6}\r\n"
            );
        }
        if want("module_list") || want("modules") || everything {
            section(&mut out, "Modules");
            crate::stack::module::info_lines(&mut out);
        }
        if want("commandstats") {
            section(&mut out, "Commandstats");
            for c in &self.cmds.cmds {
                let st = &self.cmd_stats[c.id];
                if st.calls == 0 && st.failed == 0 && st.rejected == 0 {
                    continue;
                }
                let per = if st.calls == 0 { 0.0 } else { st.usec as f64 / st.calls as f64 };
                let _ = write!(
                    out,
                    "cmdstat_{}:calls={},usec={},usec_per_call={:.2},rejected_calls={},failed_calls={}\r\n",
                    c.fullname, st.calls, st.usec, per, st.rejected, st.failed
                );
            }
        }
        if want("errorstats") {
            section(&mut out, "Errorstats");
            for (code, n) in &self.error_stats {
                let _ = write!(out, "errorstat_{code}:count={n}\r\n");
            }
        }
        if want("latencystats") {
            section(&mut out, "Latencystats");
            for c in &self.cmds.cmds {
                let Some(h) = self.cmd_stats[c.id].latency.as_ref() else { continue };
                if h.is_empty() {
                    continue;
                }
                let _ = write!(out, "latency_percentiles_usec_{}:", c.fullname);
                let ps = &self.cfg.special.latency_percentiles;
                for (i, p) in ps.iter().enumerate() {
                    let _ = write!(
                        out,
                        "p{}={:.3}",
                        crate::config::special::trim_double(*p),
                        h.value_at(*p) as f64 / 1000.0
                    );
                    if i + 1 != ps.len() {
                        out.push(',');
                    }
                }
                out.push_str("\r\n");
            }
        }
        if want("cluster") {
            section(&mut out, "Cluster");
            let _ = write!(out, "cluster_enabled:{}\r\n", u8::from(self.cfg.cluster_enabled));
        }
        if want("keyspace") {
            section(&mut out, "Keyspace");
            for (i, db) in self.dbs.iter().enumerate() {
                if !db.is_empty() {
                    let _ = write!(
                        out,
                        "db{}:keys={},expires={},avg_ttl={}\r\n",
                        i,
                        db.len(),
                        db.volatile_len(),
                        db.avg_ttl
                    );
                }
            }
        }
        out
    }
}

/// `INFO [section ...]`
pub fn info_command(ctx: &mut Ctx) -> CmdResult {
    let sections: Vec<Vec<u8>> = ctx.argv[1..].iter().map(|s| s.to_vec()).collect();
    let text = ctx.srv.info_string(&sections, Some(ctx.c));
    ctx.c.reply.verbatim(text.as_bytes(), b"txt");
    Ok(())
}

/// Logs the start-up banner. It carries " PID: <pid>", which tools (and the
/// Redis test suite) wait for.
pub fn banner(srv: &Server) {
    let mode = if srv.cfg.cluster_enabled { "cluster" } else { "standalone" };
    let port = if srv.cfg.port != 0 { srv.cfg.port } else { srv.cfg.tls_port };
    let interactive = srv.cfg.logfile.is_empty() && !srv.cfg.syslog_enabled && {
        // SAFETY: isatty has no memory-safety preconditions.
        unsafe { libc::isatty(1) == 1 }
    };
    if srv.cfg.always_show_logo || interactive {
        let text = format!(
            "\n      ___       _     _ _\n     / _ \\__  _(_) __| (_)___     Oxidis {} (Redis {} compatible) 64 bit\n    | | | \\ \\/ / |/ _` | / __|\n    | |_| |>  <| | (_| | \\__ \\    Running in {} mode\n     \\___//_/\\_\\_|\\__,_|_|___/    Port: {}\n                                  PID: {}\n\n",
            crate::OXIDIS_VERSION,
            crate::REDIS_VERSION,
            mode,
            port,
            srv.pid
        );
        crate::util::log::write_raw(text.as_bytes());
    } else {
        log::info!("Running mode={mode}, port={port}.");
    }
}

impl Server {
    /// The scripting lines of INFO memory.
    fn scripting_memory_info(&self) -> String {
        let sc = &self.scripting;
        let vm_eval = sc.eval_memory();
        let vm_funcs = sc.functions.vm_memory();
        let scripts_eval = sc.scripts_memory();
        let funcs = sc.functions.memory_overhead();
        let vm_total = (vm_eval + vm_funcs) as u64;
        format!(
            "used_memory_lua:{vm_eval}\r\nused_memory_vm_eval:{vm_eval}\r\nused_memory_lua_human:{}\r\nused_memory_scripts_eval:{scripts_eval}\r\nnumber_of_cached_scripts:{}\r\nnumber_of_functions:{}\r\nnumber_of_libraries:{}\r\nused_memory_vm_functions:{vm_funcs}\r\nused_memory_vm_total:{vm_total}\r\nused_memory_vm_total_human:{}\r\nused_memory_functions:{funcs}\r\nused_memory_scripts:{}\r\nused_memory_scripts_human:{}\r\n",
            bytes_to_human(vm_eval as u64),
            sc.scripts.len(),
            sc.functions.num_functions(),
            sc.functions.libraries.len(),
            bytes_to_human(vm_total),
            scripts_eval + funcs,
            bytes_to_human((scripts_eval + funcs) as u64),
        )
    }

    /// The `loading_*` lines of INFO persistence during a load.
    fn loading_info(&self) -> String {
        let lp = &self.loading_progress;
        let mut perc = 0.0;
        let mut remaining: i64 = 1;
        if lp.total_bytes != 0 {
            perc = lp.loaded_bytes as f64 / lp.total_bytes as f64 * 100.0;
            remaining = lp.total_bytes as i64 - lp.loaded_bytes as i64;
        } else if lp.rdb_used_mem != 0 {
            // used-mem is only a rough estimate of the file size.
            perc = (lp.loaded_bytes as f64 / lp.rdb_used_mem as f64 * 100.0).min(99.99);
            remaining = (lp.rdb_used_mem as i64 - lp.loaded_bytes as i64).max(1);
        }
        let elapsed = crate::util::mstime() / 1000 - lp.start_time;
        let eta = if elapsed == 0 {
            1
        } else {
            elapsed * remaining / (lp.loaded_bytes as i64 + 1)
        };
        format!(
            "loading_start_time:{}\r\nloading_total_bytes:{}\r\nloading_rdb_used_mem:{}\r\nloading_loaded_bytes:{}\r\nloading_loaded_perc:{:.2}\r\nloading_eta_seconds:{}\r\n",
            lp.start_time, lp.total_bytes, lp.rdb_used_mem, lp.loaded_bytes, perc, eta
        )
    }
}
