//! Periodic work, `hz` times per second (`serverCron`, `clientsCron`,
//! `databasesCron`).

use super::{PauseKind, Server};
use crate::client::flags as cf;

impl Server {
    pub fn server_cron(&mut self) {
        // The software watchdog fires unless the loop is back here first.
        if self.cfg.watchdog_period != 0 {
            crate::debug::sig::watchdog_schedule(self.cfg.watchdog_period);
        }
        self.update_cached_time();
        if self.pause_cron {
            return;
        }
        self.adapt_hz();
        self.lru_clock = crate::db::lru_clock_at(self.mstime);
        let used = crate::alloc::used_memory();
        if used > self.stats.peak_memory {
            self.stats.peak_memory = used;
        }
        if self.cronloops.is_multiple_of((self.cfg.hz.max(1) as u64 / 10).max(1)) {
            let now = self.mstime;
            self.stats.inst_ops.track(now, self.stats.numcommands);
            self.stats.inst_input.track(now, self.stats.net_input_bytes);
            self.stats.inst_output.track(now, self.stats.net_output_bytes);
        }
        self.clients_cron();
        self.databases_cron();
        self.tracking_limit_used_slots();
        self.check_child_done();
        self.check_save_points();
        self.replication_cron();
        self.aof_cron();
        self.check_pause_end();
        // Once a second (`run_with_period(1000)`).
        if self.cronloops.is_multiple_of(self.hz.max(1) as u64) {
            self.migrate_close_timedout_sockets();
        }
        self.cronloops += 1;
    }

    /// Closes idle clients, shrinks idle buffers (`clientsCron`).
    fn clients_cron(&mut self) {
        let now = self.unixtime;
        let max_idle = self.cfg.timeout;
        let mut idle: Vec<usize> = Vec::new();
        let mut with_output: Vec<usize> = Vec::new();
        let (resizing, peak_reset, now_ms) = (self.reply_buffer_resizing, self.reply_buffer_peak_reset_time, self.mstime);
        let (mut shrinks, mut expands) = (0, 0);
        for (key, slot) in self.clients.iter_mut() {
            let Some(c) = slot.as_mut() else { continue };
            if max_idle > 0
                && !c.has(cf::SLAVE | cf::MASTER | cf::BLOCKED | cf::POSTPONED | cf::PUBSUB)
                && now - c.last_interaction > max_idle
            {
                log::debug!("Closing idle client");
                idle.push(key);
                continue;
            }
            // Redis visits at least 5 clients per cron call: with few
            // clients, every one each time.
            resize_query_buffer(c, now);
            // Replicas' output is the shared replication buffer.
            if c.reply.pending() > 0 || (c.has(cf::SLAVE) && !c.has(cf::MONITOR)) {
                with_output.push(key);
            }
            if resizing {
                match c.resize_reply_buffer(now_ms, peak_reset) {
                    1 => expands += 1,
                    -1 => shrinks += 1,
                    _ => {}
                }
            }
        }
        self.stats.reply_buffer_shrinks += shrinks;
        self.stats.reply_buffer_expands += expands;
        for key in idle {
            self.free_client(key);
        }
        // Every client's memory, counted under its current type (INFO's
        // totals), and filed for eviction when it may be evicted.
        let keys: Vec<usize> = self.clients.iter().filter(|(_, c)| c.is_some()).map(|(k, _)| k).collect();
        for key in keys {
            if let Some(mut c) = self.clients.get_mut(key).and_then(|s| s.take()) {
                if !self.update_client_mem_and_bucket(&mut c) {
                    self.update_client_memory(&mut c);
                }
                self.clients[key] = Some(c);
            }
        }
        // A soft output limit is enforced even when no new reply arrives.
        for key in with_output {
            let Some(mut c) = self.clients.get_mut(key).and_then(|s| s.take()) else {
                continue;
            };
            self.check_output_limits(&mut c);
            let close = c.has(cf::CLOSE_ASAP);
            self.clients[key] = Some(c);
            if close {
                self.to_close.push(key);
            }
        }
    }

    /// Active expiry, table shrinking and incremental rehashing
    /// (`databasesCron`).
    fn databases_cron(&mut self) {
        if self.active_expire_enabled {
            if self.cfg.special.replicaof.is_none() {
                self.active_expire_cycle(crate::db::expire::CycleKind::Slow);
            } else {
                // Only keys a writable replica's own clients gave a TTL.
                self.expire_replica_keys();
            }
        }
        self.active_defrag_cron();
        // No resizing while a fork child shares our pages.
        if self.persist.child.is_some() {
            return;
        }
        for db in &mut self.dbs {
            db.shrink_if_sparse();
        }
        if self.cfg.activerehashing {
            for db in &mut self.dbs {
                if db.rehash_for_1ms() {
                    break;
                }
            }
        }
    }

    /// Ends CLIENT PAUSE when its time is up, releasing held clients.
    pub fn check_pause_end(&mut self) {
        if self.pause != PauseKind::None && crate::util::mstime() >= self.pause_end_ms {
            self.unpause();
        }
    }

    /// True while CLIENT PAUSE holds, ending it first if its time is up
    /// (`checkClientPauseTimeoutAndReturnIfPaused`).
    pub fn clients_paused(&mut self) -> bool {
        self.check_pause_end();
        self.pause != PauseKind::None
    }

    /// Ends CLIENT PAUSE now.
    pub fn unpause(&mut self) {
        self.pause = PauseKind::None;
        self.pause_end_ms = 0;
        let held = std::mem::take(&mut self.paused_clients);
        for &key in &held {
            if let Some(Some(c)) = self.clients.get_mut(key) {
                c.flags &= !crate::client::flags::POSTPONED;
            }
        }
        self.pending_read.extend(held);
    }
}

/// Gives back query buffer space (`clientsCronResizeQueryBuffer`): all of
/// it when the client has been idle for over 2 seconds, or down to the
/// recent peak when the buffer is over 32 KiB and more than twice that
/// peak. Only when at least 4 KiB would be saved. Then the peak restarts.
fn resize_query_buffer(c: &mut crate::client::Client, now: i64) {
    const RESIZE_THRESHOLD: usize = 32 * 1024;
    let (len, cap) = (c.querybuf.len(), c.querybuf.capacity());
    // Where a big argument being received will end: our buffer still holds
    // its request's header before it (Redis's starts at the bulk), so the
    // room to keep is the bulk's offset plus its length. Keeping less made
    // the last read grow the buffer to twice the argument (seen under load
    // in unit/client-eviction, when the cron ran mid-transfer).
    let pending_end = c.parser.big_arg_remaining().map_or(0, |b| c.qb_pos + b);
    if cap - len > 4 * 1024 {
        if now - c.last_interaction > 2 {
            c.querybuf.shrink_to(len.max(pending_end));
        } else if cap > RESIZE_THRESHOLD && cap / 2 > c.querybuf_peak {
            let keep = len.max(c.querybuf_peak).max(pending_end);
            c.querybuf.shrink_to(keep);
        }
    }
    c.querybuf_peak = len.max(pending_end);
    c.parser.shrink_idle();
}

/// `MAX_CLIENTS_PER_CLOCK_TICK`: with dynamic-hz, the cron runs more
/// often while there are more clients than this per run.
const MAX_CLIENTS_PER_CLOCK_TICK: usize = 200;
/// `CONFIG_MAX_HZ`.
const MAX_HZ: i64 = 500;

/// The cron frequency for `configured` hz and `clients` connected: doubled
/// while each run would visit more than 200 clients, up to 500.
pub fn dynamic_hz(configured: i64, clients: usize) -> i64 {
    let mut hz = configured.max(1);
    while clients / hz as usize > MAX_CLIENTS_PER_CLOCK_TICK {
        hz *= 2;
        if hz > MAX_HZ {
            hz = MAX_HZ;
            break;
        }
    }
    hz
}

impl Server {
    /// `dynamic-hz`: the cron frequency follows the number of clients
    /// (INFO hz; configured_hz stays `hz`).
    fn adapt_hz(&mut self) {
        self.hz = if self.cfg.dynamic_hz {
            dynamic_hz(self.cfg.hz, self.num_clients())
        } else {
            self.cfg.hz
        };
    }
}

#[cfg(test)]
mod dynamic_hz_tests {
    use super::dynamic_hz;

    #[test]
    fn hz_doubles_with_clients_up_to_500() {
        assert_eq!(dynamic_hz(10, 0), 10);
        assert_eq!(dynamic_hz(10, 2000), 10);
        assert_eq!(dynamic_hz(10, 2010), 20);
        assert_eq!(dynamic_hz(10, 4010), 20);
        assert_eq!(dynamic_hz(10, 4020), 40);
        assert_eq!(dynamic_hz(10, 1_000_000), 500);
        assert_eq!(dynamic_hz(100, 30_000), 200);
    }
}
