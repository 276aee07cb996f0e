//! Client memory accounting and client eviction (`maxmemory-clients`,
//! Redis 7.0: the client-memory parts of server.c and networking.c).
//!
//! Each client remembers the memory it was last counted with and under
//! which type; the per-type totals (`stat_clients_type_memory`) are the
//! sum of those, so INFO and the eviction check are O(1). A client is
//! recounted when something changed its buffers: after a read, after
//! each command, after a write, when another client's command queued
//! output for it (pub/sub, tracking), and by the clients cron.
//!
//! With `maxmemory-clients` set, every client that may be evicted (normal
//! and pub/sub clients without CLIENT NO-EVICT) also sits in one of 19
//! buckets by the log2 of its memory (32 KiB and less in the first, 8 GiB
//! and more in the last). When normal and pub/sub clients together use
//! the limit or more, clients are closed from the top bucket down until
//! they use less (`evictClients`), before each command and before the
//! loop sleeps. Closing clients over their output buffer limit comes
//! first (before_sleep frees them before evicting), so a client is never
//! evicted for memory that is about to be freed anyway.

use super::{flags as cf, Client, ClientType};
use crate::server::Server;
use std::collections::HashSet;

/// `CLIENT_MEM_USAGE_BUCKET_MIN_LOG`: clients up to 32 KiB share a bucket.
const BUCKET_MIN_LOG: u32 = 15;
/// `CLIENT_MEM_USAGE_BUCKET_MAX_LOG`: clients from 8 GiB share a bucket.
const BUCKET_MAX_LOG: u32 = 33;
const BUCKETS: usize = (BUCKET_MAX_LOG - BUCKET_MIN_LOG + 1) as usize;

/// The smallest effective limit, so a bad setting cannot lock everyone
/// out (`getClientEvictionLimit`).
const MIN_LIMIT: usize = 128 * 1024;

/// Bytes counted per WATCHed key (a list node and a `watchedKey`).
const WATCHED_KEY_COST: usize = 56;
/// Bytes counted per pub/sub channel, shard channel or pattern.
const SUBSCRIPTION_COST: usize = 48;
/// Bytes counted per BCAST tracking prefix.
const TRACKING_PREFIX_COST: usize = 32;

/// The server's view of client memory.
#[derive(Default)]
pub struct ClientMemory {
    /// Memory of the clients of each type (`ClientType as usize`).
    pub by_type: [usize; 4],
    /// Evictable clients by memory bucket (slab keys); `None` while
    /// `maxmemory-clients` is 0.
    buckets: Option<Vec<HashSet<usize>>>,
}

/// The bucket for `mem` bytes (`getMemUsageBucket`): log2, clamped.
fn bucket_of(mem: usize) -> usize {
    let bits = usize::BITS - mem.leading_zeros();
    (bits.clamp(BUCKET_MIN_LOG, BUCKET_MAX_LOG) - BUCKET_MIN_LOG) as usize
}

impl Client {
    /// Memory held by this client's own structures and buffers, without
    /// what only the server knows about (tracking prefixes, a replica's
    /// share of the replication buffer): see `Server::client_memory`.
    /// Returns (output buffer, total).
    pub fn memory_usage(&self) -> (usize, usize) {
        let obuf = self.reply.buf.capacity();
        // Parsed arguments are views into the query buffer, which is
        // counted (also while a command runs and the buffer is lent out).
        let qbuf = self.querybuf.capacity() + self.qbuf_in_flight.1;
        let multi = self.mstate.argv_bytes + self.mstate.commands.capacity() * std::mem::size_of::<crate::multi::QueuedCommand>();
        let watched = self.watched.len() * WATCHED_KEY_COST;
        let subs = self.subs.total() * SUBSCRIPTION_COST;
        // While a command runs, its arguments as Redis counts argv: their
        // lengths plus one pointer each (they are views into the buffer
        // here, but CLIENT LIST and the eviction limits users derive from it
        // expect Redis's figure).
        let argv = self.argv_len_sum + self.argc * std::mem::size_of::<usize>();
        let total = obuf + qbuf + argv + multi + watched + subs + std::mem::size_of::<Client>();
        (obuf, total)
    }
}

impl Server {
    /// Everything a client costs (`getClientMemoryUsage`).
    pub fn client_memory(&self, c: &Client) -> usize {
        let (_, mut total) = c.memory_usage();
        if c.has(cf::TRACKING_BCAST) {
            total += self.tracking.client_prefixes(c.id) * TRACKING_PREFIX_COST;
        }
        if c.client_type() == ClientType::Replica {
            total += self.client_obuf_used(c) as usize;
        }
        total
    }

    /// Recounts a client under its current type (`updateClientMemoryUsage`).
    pub fn update_client_memory(&mut self, c: &mut Client) {
        let mem = self.client_memory(c);
        let ty = c.client_type() as usize;
        let totals = &mut self.client_mem.by_type;
        totals[c.last_mem_type as usize] = totals[c.last_mem_type as usize].saturating_sub(c.last_mem);
        totals[ty] += mem;
        c.last_mem = mem;
        c.last_mem_type = ty as u8;
    }

    /// `clientEvictionAllowed`.
    fn client_eviction_allowed(&self, c: &Client) -> bool {
        self.cfg.maxmemory_clients != 0 && !c.has(cf::NO_EVICT) && matches!(c.client_type(), ClientType::Normal | ClientType::Pubsub)
    }

    /// Recounts a client and files it in its bucket; false (and out of
    /// the buckets) when it may not be evicted
    /// (`updateClientMemUsageAndBucket`). Runs around every command: with
    /// client eviction off (the default) it is one test.
    #[inline]
    pub fn update_client_mem_and_bucket(&mut self, c: &mut Client) -> bool {
        if self.cfg.maxmemory_clients == 0 && c.mem_bucket.is_none() {
            return false;
        }
        self.update_client_mem_and_bucket_slow(c)
    }

    fn update_client_mem_and_bucket_slow(&mut self, c: &mut Client) -> bool {
        if !self.client_eviction_allowed(c) {
            self.remove_from_mem_bucket(c);
            return false;
        }
        self.update_client_memory(c);
        let b = bucket_of(c.last_mem) as u8;
        if c.mem_bucket != Some(b) {
            self.remove_from_mem_bucket(c);
            if let Some(buckets) = self.client_mem.buckets.as_mut() {
                buckets[b as usize].insert(c.key);
                c.mem_bucket = Some(b);
            }
        }
        true
    }

    fn remove_from_mem_bucket(&mut self, c: &mut Client) {
        if let Some(b) = c.mem_bucket.take() {
            if let Some(buckets) = self.client_mem.buckets.as_mut() {
                buckets[b as usize].remove(&c.key);
            }
        }
    }

    /// A client goes away: its memory is no longer counted.
    pub fn forget_client_memory(&mut self, c: &mut Client) {
        self.remove_from_mem_bucket(c);
        let t = &mut self.client_mem.by_type[c.last_mem_type as usize];
        *t = t.saturating_sub(c.last_mem);
        c.last_mem = 0;
    }

    /// Normal, pub/sub and master clients (INFO `mem_clients_normal`).
    pub fn mem_clients_normal(&self) -> usize {
        let t = &self.client_mem.by_type;
        t[ClientType::Normal as usize] + t[ClientType::Pubsub as usize] + t[ClientType::Master as usize]
    }

    /// The limit in bytes, 0 for none (`getClientEvictionLimit`).
    pub fn client_eviction_limit(&self) -> usize {
        let v = self.cfg.maxmemory_clients;
        let limit = if v < 0 {
            // A percentage of maxmemory (stored negated).
            if self.cfg.maxmemory <= 0 {
                return 0;
            }
            ((self.cfg.maxmemory as f64) * (-v as f64) / 100.0) as usize
        } else if v > 0 {
            usize::try_from(v).unwrap_or(usize::MAX)
        } else {
            return 0;
        };
        limit.max(MIN_LIMIT)
    }

    /// Closes the biggest evictable clients while normal and pub/sub
    /// clients use the limit or more (`evictClients`). `running` is the
    /// client whose command is about to run (it is out of the client
    /// table); returns true when it was the one evicted: it is marked to
    /// close and its command must not run.
    #[inline]
    pub fn evict_clients(&mut self, running: Option<&mut Client>) -> bool {
        if self.client_mem.buckets.is_none() {
            return false;
        }
        self.evict_clients_slow(running)
    }

    fn evict_clients_slow(&mut self, mut running: Option<&mut Client>) -> bool {
        let limit = self.client_eviction_limit();
        if limit == 0 {
            return false;
        }
        let mut evicted_running = false;
        loop {
            let t = &self.client_mem.by_type;
            if t[ClientType::Normal as usize] + t[ClientType::Pubsub as usize] < limit {
                break;
            }
            let victim = self
                .client_mem
                .buckets
                .as_ref()
                .and_then(|b| b.iter().rev().find_map(|s| s.iter().next().copied()));
            let Some(key) = victim else {
                log::warn!("Over client maxmemory after evicting all evictable clients");
                break;
            };
            self.stats.evictedclients += 1;
            match running.as_deref_mut() {
                Some(c) if c.key == key => {
                    log::info!("Evicting client: {}", super::commands::client_info_string(self, c));
                    self.forget_client_memory(c);
                    c.flags |= cf::CLOSE_ASAP;
                    self.close_asap_marked = true;
                    evicted_running = true;
                }
                _ => match self.clients.get(key) {
                    Some(Some(c)) => {
                        log::info!("Evicting client: {}", super::commands::client_info_string(self, c));
                        self.free_client(key);
                    }
                    _ => {
                        // Not in the table (running further up the stack):
                        // it goes as soon as it is back.
                        if let Some(b) = self.client_mem.buckets.as_mut() {
                            for s in b.iter_mut() {
                                s.remove(&key);
                            }
                        }
                        self.add_client_flags(key, cf::CLOSE_ASAP);
                    }
                },
            }
        }
        evicted_running
    }
}

/// Applies `maxmemory-clients` (`applyClientMaxMemoryUsage`): buckets are
/// made (every client filed) when eviction is turned on, dropped when off.
pub fn apply_maxmemory_clients(srv: &mut Server) -> Result<(), String> {
    let on = srv.cfg.maxmemory_clients != 0;
    if on == srv.client_mem.buckets.is_some() {
        return Ok(());
    }
    if on {
        srv.client_mem.buckets = Some(vec![HashSet::new(); BUCKETS]);
    }
    let keys: Vec<usize> = srv.clients.iter().filter(|(_, c)| c.is_some()).map(|(k, _)| k).collect();
    for key in keys {
        let Some(mut c) = srv.clients.get_mut(key).and_then(|s| s.take()) else {
            continue;
        };
        if on {
            srv.update_client_mem_and_bucket(&mut c);
        } else {
            c.mem_bucket = None;
        }
        srv.clients[key] = Some(c);
    }
    if !on {
        srv.client_mem.buckets = None;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_log2_clamped() {
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(1), 0);
        assert_eq!(bucket_of(32 * 1024 - 1), 0);
        assert_eq!(bucket_of(32 * 1024), 1);
        assert_eq!(bucket_of(64 * 1024), 2);
        assert_eq!(bucket_of(1 << 20), 6);
        assert_eq!(bucket_of(usize::MAX), BUCKETS - 1);
        // Doubling moves a client up exactly one bucket.
        for shift in 16..32 {
            assert_eq!(bucket_of(1 << shift) + 1, bucket_of(1 << (shift + 1)));
        }
    }
}
