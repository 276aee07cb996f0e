//! Shutdown waits for lagging replicas (Redis 7.0, `shutdown-timeout`).
//!
//! Unless `NOW` was asked or `shutdown-timeout` is 0, a master whose
//! replicas have not acknowledged the whole stream pauses writes, asks
//! them for an ACK, and finishes the shutdown once all caught up or the
//! timeout passed (`prepareForShutdown`, `isReadyToShutdown`,
//! `finishShutdown`, `cancelShutdown`, `abortShutdown` in server.c).
//! SHUTDOWN callers stay blocked meanwhile; SHUTDOWN ABORT cancels.

use crate::client::{flags as cf, Client};
use crate::server::{PauseKind, Server};

/// A shutdown waiting for replicas.
#[derive(Default)]
pub struct ShutdownWait {
    /// When the wait ends (ms); 0 when no shutdown is in progress.
    pub deadline_ms: i64,
    /// The SHUTDOWN / signal flags.
    pub flags: i32,
    /// SHUTDOWN callers blocked until it ends: (slab key, client id).
    pub clients: Vec<(usize, u64)>,
    /// The pause in force before ours, restored on cancel.
    prev_pause: Option<(PauseKind, i64)>,
}

impl Server {
    /// True while a shutdown waits for replicas (`isShutdownInitiated`).
    pub fn shutdown_initiated(&self) -> bool {
        self.repl.shutdown.deadline_ms != 0
    }

    /// Every replica acknowledged the whole stream (`isReadyToShutdown`).
    pub fn ready_to_shutdown(&self) -> bool {
        let off = self.repl.master_repl_offset;
        self.repl.replicas.iter().all(|r| r.ack_off == off)
    }

    /// Starts waiting for replicas when there is reason to; true when it
    /// did (the caller must not exit yet).
    pub fn shutdown_wait_for_replicas(&mut self, flags: i32) -> bool {
        use crate::config::enums::SHUTDOWN_NOW;
        self.repl.shutdown.flags = flags;
        if flags & SHUTDOWN_NOW != 0 || self.cfg.shutdown_timeout == 0 || self.ready_to_shutdown() {
            return false;
        }
        let now = crate::util::mstime();
        self.repl.shutdown.deadline_ms = now.saturating_add(self.cfg.shutdown_timeout.saturating_mul(1000)).max(1);
        if self.pause == PauseKind::None {
            // Right away: the pause below would hold it back.
            self.feed_replicas_argv(None, &[b"REPLCONF".to_vec(), b"GETACK".to_vec(), b"*".to_vec()]);
        }
        // Writes wait: the replicas must be able to catch up.
        self.repl.shutdown.prev_pause = Some((self.pause, self.pause_end_ms));
        if self.pause == PauseKind::None {
            self.pause = PauseKind::Write;
        }
        self.pause_end_ms = i64::MAX;
        log::info!("Waiting for replicas before shutting down.");
        true
    }

    /// Logs the replicas that did not catch up (`finishShutdown`, first
    /// part).
    pub fn log_lagging_replicas(&self) {
        let off = self.repl.master_repl_offset;
        let now = crate::util::mstime() / 1000;
        let mut lagging = 0;
        for r in &self.repl.replicas {
            if r.ack_off != off {
                lagging += 1;
                let online = r.state == super::ReplicaState::Online;
                let lag = if online { now - r.ack_time } else { 0 };
                let state = match r.state {
                    super::ReplicaState::WaitBgsaveStart | super::ReplicaState::WaitBgsaveEnd => "wait_bgsave",
                    super::ReplicaState::SendBulk => "send_bulk",
                    super::ReplicaState::Online => "online",
                };
                log::warn!(
                    "Lagging replica {} reported offset {} behind master, lag={lag}, state={state}.",
                    r.name(),
                    off - r.ack_off
                );
            }
        }
        let n = self.repl.replicas.len();
        if n > 0 {
            log::info!("{} of {n} replicas are in sync when shutting down.", n - lagging);
        }
    }

    /// Gives up the shutdown in progress: writes resume, blocked SHUTDOWN
    /// callers get an error (`cancelShutdown`).
    pub fn cancel_shutdown(&mut self) {
        self.shutdown_asap = false;
        let sd = std::mem::take(&mut self.repl.shutdown);
        if let Some((kind, end)) = sd.prev_pause {
            if kind == PauseKind::None {
                self.unpause();
            } else {
                self.pause = kind;
                self.pause_end_ms = end;
            }
        }
        for (key, id) in sd.clients {
            let Some(mut c) = self.clients.get_mut(key).and_then(|s| s.take()) else {
                continue;
            };
            if c.id == id && c.has(cf::BLOCKED) {
                let e = crate::error::Error::err("ERR Errors trying to SHUTDOWN. Check logs.");
                self.reply_error(&mut c, &e);
                self.unblock_client(&mut c);
            }
            self.put_back_client(key, c);
        }
    }

    /// `SHUTDOWN ABORT` (`abortShutdown`): false when nothing to abort.
    pub fn abort_shutdown(&mut self) -> bool {
        if self.shutdown_initiated() {
            self.cancel_shutdown();
        } else if self.shutdown_asap {
            self.shutdown_asap = false;
        } else {
            return false;
        }
        log::warn!("Shutdown manually aborted.");
        true
    }

    /// Parks a SHUTDOWN caller until the shutdown ends (`BLOCKED_SHUTDOWN`).
    pub fn block_for_shutdown(&mut self, c: &mut Client, argv: &[&[u8]]) {
        self.block_for_wait(c, argv, 0, i64::MAX, i64::MAX);
        // Not a WAIT: it waits for the shutdown, not for ACKs.
        if let Some(bs) = c.bstate.as_mut() {
            bs.wait = None;
        }
        self.repl.shutdown.clients.push((c.key, c.id));
    }

    /// Checked by the event loop while a shutdown waits: true when the
    /// process may exit now.
    pub fn shutdown_wait_done(&mut self) -> bool {
        if !self.shutdown_initiated() {
            return false;
        }
        if crate::util::mstime() < self.repl.shutdown.deadline_ms && !self.ready_to_shutdown() {
            return false;
        }
        let flags = self.repl.shutdown.flags;
        self.finish_shutdown(flags).is_ok()
    }
}
