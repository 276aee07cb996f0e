//! Coordinated failover (`FAILOVER`, replication.c): the master pauses
//! writes, waits until a replica (the designated one, or any) has
//! acknowledged the whole stream, then turns replica of it and sends
//! `PSYNC <replid> <offset> FAILOVER`; the target promotes itself and
//! answers +CONTINUE, so both sides keep their history.

use crate::error::Error;
use crate::server::{CmdResult, Ctx, PauseKind, Server};

/// `server.failover_state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FailoverState {
    #[default]
    None,
    WaitForSync,
    InProgress,
}

#[derive(Default)]
pub struct Failover {
    pub state: FailoverState,
    /// Give up (or force) at this time (ms); 0: never.
    pub end_ms: i64,
    pub force: bool,
    pub target: Option<(String, u16)>,
    prev_pause: Option<(PauseKind, i64)>,
}

impl Failover {
    /// For INFO `master_failover_state`.
    pub fn state_name(&self) -> &'static str {
        match self.state {
            FailoverState::None => "no-failover",
            FailoverState::WaitForSync => "waiting-for-sync",
            FailoverState::InProgress => "failover-in-progress",
        }
    }
}

impl Server {
    /// The replica announcing `host:port` (`findReplica`).
    fn find_replica(&self, host: &str, port: u16) -> Option<usize> {
        self.repl
            .replicas
            .iter()
            .position(|r| r.ip.eq_ignore_ascii_case(host) && r.port == port)
    }

    /// Ends the failover, resuming writes (`clearFailoverState`).
    pub fn clear_failover_state(&mut self) {
        let fo = std::mem::take(&mut self.repl.failover);
        if let Some((kind, end)) = fo.prev_pause {
            if kind == PauseKind::None {
                self.unpause();
            } else {
                self.pause = kind;
                self.pause_end_ms = end;
            }
        }
    }

    /// Gives up the failover (`abortFailover`).
    pub fn abort_failover(&mut self, why: &str) {
        let fo = &self.repl.failover;
        if fo.state == FailoverState::None {
            return;
        }
        match &fo.target {
            Some((h, p)) => log::info!("FAILOVER to {h}:{p} aborted: {why}"),
            None => log::info!("FAILOVER to any replica aborted: {why}"),
        }
        if fo.state == FailoverState::InProgress {
            self.replication_unset_master();
        }
        self.clear_failover_state();
    }

    /// Moves the failover on (`updateFailoverStatus`), before sleeping.
    #[inline]
    pub fn update_failover_status(&mut self) {
        if self.repl.failover.state != FailoverState::WaitForSync {
            return;
        }
        self.update_failover_status_run();
    }

    fn update_failover_status_run(&mut self) {
        let now = crate::util::mstime();
        let fo = &self.repl.failover;
        if fo.end_ms != 0 && fo.end_ms <= now {
            if fo.force {
                if let Some((h, p)) = fo.target.clone() {
                    log::info!("FAILOVER to {h}:{p} time out exceeded, failing over.");
                    self.repl.failover.state = FailoverState::InProgress;
                    self.replication_set_master(h, p);
                    return;
                }
            }
            self.abort_failover("Replica never caught up before timeout");
            return;
        }
        let off = self.repl.master_repl_offset;
        let caught_up = match &self.repl.failover.target {
            Some((h, p)) => self.find_replica(h, *p).is_some_and(|i| self.repl.replicas[i].ack_off == off),
            None => match self.repl.replicas.iter().find(|r| r.ack_off == off) {
                Some(r) => {
                    self.repl.failover.target = Some((r.ip.clone(), r.port));
                    true
                }
                None => false,
            },
        };
        if caught_up {
            if let Some((h, p)) = self.repl.failover.target.clone() {
                self.repl.failover.state = FailoverState::InProgress;
                log::info!("Failover target {h}:{p} is synced, failing over.");
                self.replication_set_master(h, p);
            }
        }
    }

    /// Whether the PSYNC we send carries FAILOVER.
    pub fn failover_in_progress(&self) -> bool {
        self.repl.failover.state == FailoverState::InProgress
    }
}

/// `FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]`
pub fn failover_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.srv.cfg.cluster_enabled {
        return Err(Error::err(
            "ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.",
        ));
    }
    if ctx.argc() == 2 && ctx.argv[1].eq_ignore_ascii_case(b"abort") {
        if ctx.srv.repl.failover.state == FailoverState::None {
            return Err(Error::err("ERR No failover in progress."));
        }
        ctx.srv.abort_failover("Failover manually aborted");
        ctx.c.reply.ok();
        return Ok(());
    }
    let mut timeout: i64 = 0;
    let mut force = false;
    let mut target: Option<(String, i64)> = None;
    let argv = ctx.argv;
    let mut j = 1;
    while j < argv.len() {
        let a = argv[j];
        if a.eq_ignore_ascii_case(b"timeout") && j + 1 < argv.len() && timeout == 0 {
            timeout = crate::util::num::parse_i64(argv[j + 1]).ok_or(Error::NotInteger)?;
            if timeout <= 0 {
                return Err(Error::err("ERR FAILOVER timeout must be greater than 0"));
            }
            j += 2;
        } else if a.eq_ignore_ascii_case(b"to") && j + 2 < argv.len() && target.is_none() {
            let port = crate::util::num::parse_i64(argv[j + 2]).ok_or(Error::NotInteger)?;
            target = Some((String::from_utf8_lossy(argv[j + 1]).into_owned(), port));
            j += 3;
        } else if a.eq_ignore_ascii_case(b"force") && !force {
            force = true;
            j += 1;
        } else {
            return Err(Error::Syntax);
        }
    }
    let srv = &mut *ctx.srv;
    if srv.repl.failover.state != FailoverState::None {
        return Err(Error::err("ERR FAILOVER already in progress."));
    }
    if srv.is_replica() {
        return Err(Error::err("ERR FAILOVER is not valid when server is a replica."));
    }
    if srv.repl.replicas.is_empty() {
        return Err(Error::err("ERR FAILOVER requires connected replicas."));
    }
    if force && (timeout == 0 || target.is_none()) {
        return Err(Error::err(
            "ERR FAILOVER with force option requires both a timeout and target HOST and IP.",
        ));
    }
    let mut tgt = None;
    if let Some((host, port)) = target {
        let idx = u16::try_from(port).ok().and_then(|p| srv.find_replica(&host, p));
        let Some(idx) = idx else {
            return Err(Error::err("ERR FAILOVER target HOST and PORT is not a replica."));
        };
        if srv.repl.replicas[idx].state != super::ReplicaState::Online {
            return Err(Error::err("ERR FAILOVER target replica is not online."));
        }
        log::info!("FAILOVER requested to {host}:{port}.");
        tgt = Some((host, port as u16));
    } else {
        log::info!("FAILOVER requested to any replica.");
    }
    let now = crate::util::mstime();
    let prev = (srv.pause, srv.pause_end_ms);
    srv.repl.failover = Failover {
        state: FailoverState::WaitForSync,
        end_ms: if timeout > 0 { now.saturating_add(timeout) } else { 0 },
        force,
        target: tgt,
        prev_pause: Some(prev),
    };
    // Writes stop so the replicas can catch up.
    if srv.pause == PauseKind::None {
        srv.pause = PauseKind::Write;
    }
    srv.pause_end_ms = i64::MAX;
    ctx.c.reply.ok();
    Ok(())
}
