//! Blocking commands (blocked.c): BLPOP and friends park the client until
//! one of its keys gets data, the timeout passes, or CLIENT UNBLOCK.
//!
//! A blocked client keeps a copy of its command. When a key it waits on is
//! signalled ready (a value of the right type appeared), clients blocked on
//! it are served in FIFO order by running their command again: it now finds
//! data and replies like its non-blocking sibling. If it would block again
//! (the data went to someone earlier in the queue), it keeps its place.
//! Ready keys are handled after the command that made them ready (so a
//! push inside MULTI or a script serves clients only after EXEC), and
//! before the loop sleeps.

use crate::client::{flags as cf, Client};
use crate::error::Error;
use crate::object::ValueType;
use crate::server::{Ctx, Server};
use std::collections::{BTreeSet, HashMap, VecDeque};

/// What a blocked client waits for.
pub struct BlockState {
    pub db: usize,
    pub keys: Vec<Vec<u8>>,
    /// Absolute deadline in ms, 0 = forever.
    pub deadline: i64,
    /// The command to run again once served.
    pub argv: Vec<Vec<u8>>,
    /// The value type that can serve it.
    pub vtype: ValueType,
    /// WAIT: (replication offset, replicas) it waits for, instead of keys.
    pub wait: Option<(i64, i64)>,
}

/// Server-wide blocking bookkeeping.
#[derive(Default)]
pub struct Blocking {
    /// (db, key) -> blocked clients in arrival order.
    pub keys: HashMap<(usize, Vec<u8>), VecDeque<usize>>,
    /// Keys signalled ready since the last pass, in signal order.
    pub ready: Vec<(usize, Vec<u8>)>,
    /// (deadline, client id, slab key) of clients with a timeout.
    pub timeouts: BTreeSet<(i64, u64, usize)>,
    /// Clients currently blocked (INFO blocked_clients).
    pub count: usize,
    /// Slab key of the client whose command is being re-run to serve it.
    serving: Option<usize>,
    /// Set when the re-run command blocked again.
    reblocked: bool,
    /// The ready key the re-run command must serve from.
    serving_key: Option<Vec<u8>>,
}

/// Parses a blocking timeout in seconds (fractions allowed) into an
/// absolute deadline in ms, 0 meaning "forever" (`getTimeoutFromObjectOrReply`).
pub fn parse_timeout(arg: &[u8]) -> Result<i64, Error> {
    let secs = crate::util::num::parse_f64(arg)
        .filter(|v| !v.is_nan())
        .ok_or(Error::err("ERR timeout is not a float or out of range"))?;
    // Redis takes ceil(secs * 1000) as a long long; values that do not
    // fit (inf, 1e300) come out negative there, so they are "negative"
    // here too, while a tiny negative like -0.0001 rounds to 0: forever.
    let ms = (secs * 1000.0).ceil();
    if !(ms > -9.2e18 && ms < 9.2e18) || ms < 0.0 {
        return Err(Error::err("ERR timeout is negative"));
    }
    let ms = ms as i64;
    if ms > 0 {
        Ok(crate::util::mstime().saturating_add(ms))
    } else {
        Ok(0)
    }
}

impl Ctx<'_> {
    /// True where a blocking command must not block and answers as if it
    /// timed out: inside EXEC and scripts.
    pub fn deny_blocking(&self) -> bool {
        // Our master's stream never blocks (a master propagates the
        // non-blocking form; a blocked master client would stall the link).
        self.srv.calls.in_exec || self.srv.calls.depth > 1 || self.c.has(crate::client::flags::MASTER)
    }

    /// True while a blocked client's command runs again to be served from
    /// a key that became ready (XREAD/XREADGROUP then follow Redis's
    /// serving rules, which differ from a first call's).
    pub fn serving_blocked(&self) -> bool {
        self.srv.blocking.serving == Some(self.c.key) && self.srv.blocking.serving_key.is_some()
    }

    /// The keys a blocking command should try: all of them normally, but
    /// only the key that became ready when it is re-run to be served (Redis
    /// serves a blocked client from the key that got data, even if an
    /// earlier key of its list has some too).
    pub fn keys_to_serve<'k>(&self, keys: &[&'k [u8]]) -> Vec<&'k [u8]> {
        match &self.srv.blocking.serving_key {
            Some(ready) if self.srv.blocking.serving == Some(self.c.key) => {
                keys.iter().copied().filter(|k| *k == ready.as_slice()).take(1).collect()
            }
            _ => keys.to_vec(),
        }
    }
}

impl Server {
    /// Parks `c` until one of `keys` (in its db) holds a `vtype` value
    /// (`blockForKeys`). The caller replies nothing.
    pub fn block_for_keys(&mut self, c: &mut Client, argv: &[&[u8]], keys: &[&[u8]], deadline: i64, vtype: ValueType) {
        if self.blocking.serving == Some(c.key) {
            // Re-run while being served, but the data is gone: keep waiting.
            self.blocking.reblocked = true;
            return;
        }
        let db = c.db;
        let mut uniq: Vec<Vec<u8>> = Vec::new();
        for &k in keys {
            if !uniq.iter().any(|u| u == k) {
                uniq.push(k.to_vec());
            }
        }
        for k in &uniq {
            self.blocking.keys.entry((db, k.clone())).or_default().push_back(c.key);
        }
        if deadline > 0 {
            self.blocking.timeouts.insert((deadline, c.id, c.key));
        }
        c.bstate = Some(Box::new(BlockState {
            db,
            keys: uniq,
            deadline,
            argv: argv.iter().map(|a| a.to_vec()).collect(),
            vtype,
            wait: None,
        }));
        c.flags |= cf::BLOCKED;
        self.blocking.count += 1;
    }

    /// Parks a WAIT client until `numreplicas` replicas acknowledged
    /// `offset` or `deadline` passes (`blockClient(c, BLOCKED_WAIT)`).
    pub fn block_for_wait(&mut self, c: &mut Client, argv: &[&[u8]], deadline: i64, offset: i64, numreplicas: i64) {
        if deadline > 0 {
            self.blocking.timeouts.insert((deadline, c.id, c.key));
        }
        c.bstate = Some(Box::new(BlockState {
            db: c.db,
            keys: Vec::new(),
            deadline,
            argv: argv.iter().map(|a| a.to_vec()).collect(),
            vtype: ValueType::String,
            wait: Some((offset, numreplicas)),
        }));
        c.flags |= cf::BLOCKED;
        self.blocking.count += 1;
    }

    /// The reply of a blocked command whose time is up
    /// (`replyToBlockedClientTimedOut`).
    pub fn reply_blocked_timeout(&mut self, c: &mut Client) {
        match c.bstate.as_ref().and_then(|b| b.wait) {
            Some((offset, _)) => {
                let n = self.count_acks(offset);
                c.reply.int(n);
            }
            None => c.reply.null_array(),
        }
    }

    /// Notes that `key` may now serve blocked clients (`signalKeyAsReady`).
    pub fn signal_key_as_ready(&mut self, db: usize, key: &[u8]) {
        if self.blocking.keys.is_empty() {
            return;
        }
        let k = (db, key.to_vec());
        if self.blocking.keys.contains_key(&k) && !self.blocking.ready.contains(&k) {
            self.blocking.ready.push(k);
        }
    }

    /// Forgets a client's blocking state (`unblockClient`), without
    /// replying. Queues its remaining input for processing.
    pub fn unblock_client(&mut self, c: &mut Client) {
        let Some(bs) = c.bstate.take() else {
            return;
        };
        if bs.wait.is_some() {
            self.repl.waiting_acks.retain(|&k| k != c.key);
        }
        for k in bs.keys {
            let entry = (bs.db, k);
            if let Some(q) = self.blocking.keys.get_mut(&entry) {
                q.retain(|&x| x != c.key);
                if q.is_empty() {
                    self.blocking.keys.remove(&entry);
                }
            }
        }
        if bs.deadline > 0 {
            self.blocking.timeouts.remove(&(bs.deadline, c.id, c.key));
        }
        c.flags &= !cf::BLOCKED;
        self.blocking.count = self.blocking.count.saturating_sub(1);
        if !c.querybuf.is_empty() || c.parser.in_progress() {
            self.pending_read.push(c.key);
        }
    }

    /// Serves clients blocked on keys that became ready
    /// (`handleClientsBlockedOnKeys`).
    pub fn handle_clients_blocked_on_keys(&mut self) {
        while !self.blocking.ready.is_empty() {
            let ready = std::mem::take(&mut self.blocking.ready);
            for (db, key) in ready {
                let Some(queue) = self.blocking.keys.get(&(db, key.clone())).cloned() else {
                    continue;
                };
                for ckey in queue {
                    let Some(vt) = self.dbs[db].find(&key).map(|e| e.value().value_type()) else {
                        break;
                    };
                    let Some(mut c) = self.clients.get_mut(ckey).and_then(|s| s.take()) else {
                        continue;
                    };
                    if c.bstate.as_ref().is_none_or(|b| b.vtype != vt) {
                        self.clients[ckey] = Some(c);
                        continue;
                    }
                    self.blocking.serving_key = Some(key.clone());
                    self.serve_blocked(&mut c);
                    self.blocking.serving_key = None;
                    self.put_back_client(ckey, c);
                }
                let vt = self.dbs[db].find(&key).map(|e| e.value().value_type());
                if vt != Some(ValueType::Stream) {
                    self.unblock_deleted_stream_readgroup_clients(db, &key);
                }
            }
        }
    }

    /// A stream that XREADGROUP clients wait on was deleted or replaced by
    /// another type: its groups are gone, so they are answered (with an
    /// error) now rather than at the next XADD
    /// (`unblockDeletedStreamReadgroupClients`). Their command runs again
    /// and reports it.
    fn unblock_deleted_stream_readgroup_clients(&mut self, db: usize, key: &[u8]) {
        let Some(queue) = self.blocking.keys.get(&(db, key.to_vec())).cloned() else {
            return;
        };
        for ckey in queue {
            let Some(mut c) = self.clients.get_mut(ckey).and_then(|s| s.take()) else {
                continue;
            };
            let readgroup = c
                .bstate
                .as_ref()
                .is_some_and(|b| b.vtype == ValueType::Stream && b.argv.first().is_some_and(|a| a.eq_ignore_ascii_case(b"xreadgroup")));
            if readgroup {
                self.blocking.serving_key = Some(key.to_vec());
                self.serve_blocked(&mut c);
                self.blocking.serving_key = None;
                self.put_back_client(ckey, c);
            } else {
                self.clients[ckey] = Some(c);
            }
        }
    }

    /// Re-runs a blocked client's command; unblocks it unless it blocked
    /// again.
    fn serve_blocked(&mut self, c: &mut Client) {
        let Some(argv) = c.bstate.as_ref().map(|b| b.argv.clone()) else {
            return;
        };
        let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
        let Some(cmd) = self.cmds.lookup(&refs) else {
            return;
        };
        let saved_db = c.db;
        if let Some(b) = c.bstate.as_ref() {
            c.db = b.db;
        }
        self.blocking.serving = Some(c.key);
        self.blocking.reblocked = false;
        self.running.key = Some(c.key);
        self.running.resp = c.reply.resp;
        self.running.pubsub = c.has(cf::PUBSUB);
        let errors = self.stats.total_error_replies;
        let start = crate::util::monotonic_us();
        self.call(c, cmd, &refs);
        let took = crate::util::monotonic_us().saturating_sub(start);
        self.running.key = None;
        self.blocking.serving = None;
        c.db = saved_db;
        if !self.blocking.reblocked {
            let failed = self.stats.total_error_replies > errors;
            self.stats_on_unblock(c, took, failed);
            self.unblock_client(c);
        }
        if !self.running.output.is_empty() {
            let out = std::mem::take(&mut self.running.output);
            c.reply.raw(&out);
        }
    }

    /// Counts a blocking command once it is done: served, timed out or
    /// unblocked (`updateStatsOnUnblock`); `call` skipped it while it was
    /// blocked.
    pub fn stats_on_unblock(&mut self, c: &Client, duration_us: u64, failed: bool) {
        let Some(cmd) = c.last_cmd else { return };
        let tracking = self.cfg.latency_tracking;
        let st = &mut self.cmd_stats[cmd.id];
        st.calls += 1;
        st.usec += duration_us;
        if failed {
            st.failed += 1;
        }
        if tracking {
            st.latency.get_or_insert_with(Default::default).record(duration_us.max(1) * 1000);
        }
        if let Some(argv) = c.bstate.as_ref().map(|b| b.argv.clone()) {
            let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
            self.slowlog_push(c, &refs, duration_us);
        }
    }

    /// Puts a client back into the slab and queues its output.
    pub fn put_back_client(&mut self, key: usize, mut c: Box<Client>) {
        if c.reply.pending() > 0 && !c.has(cf::PENDING_WRITE) {
            c.flags |= cf::PENDING_WRITE;
            self.pending_write.push(key);
        }
        self.clients[key] = Some(c);
    }

    /// Replies to clients whose timeout passed (`handleBlockedClientsTimeout`).
    pub fn handle_blocked_timeouts(&mut self) {
        if self.blocking.timeouts.is_empty() {
            return;
        }
        let now = crate::util::mstime();
        while let Some(&(deadline, id, key)) = self.blocking.timeouts.iter().next() {
            if deadline > now {
                break;
            }
            self.blocking.timeouts.remove(&(deadline, id, key));
            let Some(mut c) = self.clients.get_mut(key).and_then(|s| s.take()) else {
                continue;
            };
            if c.id == id && c.has(cf::BLOCKED) {
                self.reply_blocked_timeout(&mut c);
                self.stats.numcommands += 1;
                self.stats_on_unblock(&c, 0, false);
                self.unblock_client(&mut c);
            }
            self.put_back_client(key, c);
        }
    }

    /// The earliest blocking deadline, for the poll timeout.
    pub fn next_block_deadline(&self) -> Option<i64> {
        self.blocking.timeouts.iter().next().map(|t| t.0)
    }

    /// After SWAPDB: keys in `db` that now hold data serve their waiters
    /// (`scanDatabaseForReadyKeys`).
    pub fn scan_db_for_ready_keys(&mut self, db: usize) {
        let keys: Vec<Vec<u8>> = self
            .blocking
            .keys
            .keys()
            .filter(|(d, _)| *d == db)
            .map(|(_, k)| k.clone())
            .collect();
        for k in keys {
            if self.dbs[db].find(&k).is_some() {
                self.signal_key_as_ready(db, &k);
            }
        }
    }
}

impl Server {
    /// Before `emptied` is flushed or swapped with `replaced_with`: keys
    /// with blocked clients that hold a stream now and will not after
    /// are signalled, so XREADGROUP clients get their error
    /// (`scanDatabaseForDeletedStreams`).
    pub fn scan_db_for_deleted_streams(&mut self, emptied: usize, replaced_with: Option<usize>) {
        if self.blocking.keys.is_empty() {
            return;
        }
        let is_stream = |srv: &Server, db: usize, k: &[u8]| srv.dbs[db].find(k).map(|e| e.value().value_type()) == Some(ValueType::Stream);
        let keys: Vec<Vec<u8>> = self
            .blocking
            .keys
            .keys()
            .filter(|(d, _)| *d == emptied)
            .map(|(_, k)| k.clone())
            .collect();
        for k in keys {
            let was = is_stream(self, emptied, &k);
            let will = replaced_with.is_some_and(|r| is_stream(self, r, &k));
            if was && !will {
                self.signal_key_as_ready(emptied, &k);
            }
        }
    }
}

/// `CLIENT UNBLOCK client-id [TIMEOUT|ERROR]`
pub fn client_unblock_command(ctx: &mut Ctx) -> crate::server::CmdResult {
    let id = crate::util::num::parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
    let as_error = match ctx.argv.get(3).map(|a| a.to_ascii_lowercase()) {
        None => false,
        Some(a) if a == b"timeout" => false,
        Some(a) if a == b"error" => true,
        Some(_) => return Err(Error::err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")),
    };
    let target = ctx
        .srv
        .clients
        .iter()
        .find_map(|(k, c)| c.as_deref().filter(|c| c.id as i64 == id && c.bstate.is_some()).map(|_| k));
    let Some(key) = target else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    if let Some(mut c) = ctx.srv.clients.get_mut(key).and_then(|s| s.take()) {
        if as_error {
            let e = Error::err("UNBLOCKED client unblocked via CLIENT UNBLOCK");
            ctx.srv.reply_error(&mut c, &e);
        } else {
            ctx.srv.reply_blocked_timeout(&mut c);
        }
        ctx.srv.stats.numcommands += 1;
        ctx.srv.stats_on_unblock(&c, 0, as_error);
        ctx.srv.unblock_client(&mut c);
        ctx.srv.put_back_client(key, c);
    }
    ctx.c.reply.int(1);
    Ok(())
}
