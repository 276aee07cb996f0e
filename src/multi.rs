//! Transactions (multi.c): MULTI queues commands, EXEC runs them
//! atomically (the loop owns everything, so nothing interleaves), WATCH
//! gives optimistic locking by flagging clients whose watched keys change.
//!
//! Watched keys are tracked per database as key -> watchers (slab key of
//! the client, and whether the key was already logically expired when
//! watched), and per client as the list of (db, key) it watches.

use crate::client::{flags as cf, Client};
use crate::commands::Command;
use crate::error::Error;
use crate::server::{CmdResult, Ctx, Server};
use std::collections::HashMap;

/// One queued command.
pub struct QueuedCommand {
    pub cmd: &'static Command,
    pub argv: Vec<Vec<u8>>,
}

/// A client's MULTI state.
#[derive(Default)]
pub struct MultiState {
    pub commands: Vec<QueuedCommand>,
    /// OR of the queued commands' flags (for the EXEC gates).
    pub cmd_flags: u64,
    /// OR of the flags each queued command lacks (EXEC is denied when
    /// stale or loading if any queued command would be).
    pub cmd_inv_flags: u64,
    /// Bytes held by queued arguments (`multi-mem` in CLIENT LIST).
    pub argv_bytes: usize,
}

/// Who watches a key.
#[derive(Clone, Copy, Debug)]
pub struct Watcher {
    pub client: usize,
    /// The key was logically expired (but not yet deleted) at WATCH time.
    pub expired: bool,
}

/// Watched keys of one database.
pub type WatchedKeys = HashMap<Vec<u8>, Vec<Watcher>>;

impl Server {
    /// Adds a command to the client's transaction (`queueMultiCommand`).
    pub fn queue_multi_command(&mut self, c: &mut Client, cmd: &'static Command, argv: &[&[u8]], cmd_flags: u64) {
        if !c.has(cf::DIRTY_CAS | cf::DIRTY_EXEC) {
            let owned: Vec<Vec<u8>> = argv.iter().map(|a| a.to_vec()).collect();
            c.mstate.argv_bytes += owned.iter().map(|a| a.len()).sum::<usize>();
            c.mstate.cmd_flags |= cmd_flags;
            c.mstate.cmd_inv_flags |= !cmd_flags;
            c.mstate.commands.push(QueuedCommand { cmd, argv: owned });
        }
        c.reply.raw(b"+QUEUED\r\n");
    }

    /// Ends a transaction (`discardTransaction`).
    pub fn discard_transaction(&mut self, c: &mut Client) {
        c.mstate = MultiState::default();
        c.flags &= !(cf::MULTI | cf::DIRTY_CAS | cf::DIRTY_EXEC);
        self.unwatch_all_keys(c);
    }

    /// Starts watching `key` in the client's db (`watchForKey`).
    fn watch_key(&mut self, c: &mut Client, key: &[u8]) {
        let db = c.db;
        if c.watched.iter().any(|(d, k)| *d == db && k == key) {
            return;
        }
        let now = self.now_ms();
        let expired = self.dbs[db].is_expired(key, now);
        self.dbs[db]
            .watched
            .entry(key.to_vec())
            .or_default()
            .push(Watcher { client: c.key, expired });
        c.watched.push((db, key.to_vec()));
    }

    /// Stops watching everything (`unwatchAllKeys`).
    pub fn unwatch_all_keys(&mut self, c: &mut Client) {
        for (db, key) in std::mem::take(&mut c.watched) {
            let map = &mut self.dbs[db].watched;
            if let Some(list) = map.get_mut(&key) {
                list.retain(|w| w.client != c.key);
                if list.is_empty() {
                    map.remove(&key);
                }
            }
        }
    }

    /// True when a watched key expired since it was watched
    /// (`isWatchedKeyExpired`).
    fn watched_key_expired(&self, c: &Client) -> bool {
        let now = self.now_ms();
        c.watched.iter().any(|(db, key)| {
            let was_expired = self.dbs[*db]
                .watched
                .get(key)
                .and_then(|l| l.iter().find(|w| w.client == c.key))
                .is_some_and(|w| w.expired);
            !was_expired && self.dbs[*db].is_expired(key, now)
        })
    }

    /// Flags the clients watching a key that changed (`touchWatchedKey`).
    pub fn touch_watched_key(&mut self, db: usize, key: &[u8]) {
        if self.dbs[db].watched.is_empty() {
            return;
        }
        let exists = self.dbs[db].find(key).is_some();
        let mut dirty = Vec::new();
        if let Some(list) = self.dbs[db].watched.get_mut(key) {
            for w in list.iter_mut() {
                if w.expired {
                    // Deleting a key that had already expired is no
                    // logical change.
                    if !exists {
                        w.expired = false;
                        continue;
                    }
                    // Redis 7.0 stops at the first such watcher.
                    break;
                }
                dirty.push(w.client);
            }
        }
        for k in dirty {
            self.add_client_flags(k, cf::DIRTY_CAS);
        }
    }

    /// Flags watchers of keys in a database that was emptied or replaced
    /// (`touchAllWatchedKeysInDb`). `replaced_with` is the db whose content
    /// moves in (SWAPDB).
    pub fn touch_all_watched_keys_in_db(&mut self, emptied: usize, replaced_with: Option<usize>) {
        if self.dbs[emptied].watched.is_empty() {
            return;
        }
        let now = self.now_ms();
        let keys: Vec<Vec<u8>> = self.dbs[emptied].watched.keys().cloned().collect();
        let mut dirty = Vec::new();
        for key in keys {
            let in_emptied = self.dbs[emptied].find(&key).is_some();
            let in_replacement = replaced_with.is_some_and(|r| self.dbs[r].find(&key).is_some());
            if !in_emptied && !in_replacement {
                continue;
            }
            let repl_expired = replaced_with.is_some_and(|r| self.dbs[r].is_expired(&key, now));
            if let Some(list) = self.dbs[emptied].watched.get_mut(&key) {
                for w in list.iter_mut() {
                    if w.expired {
                        if !in_replacement {
                            w.expired = false;
                            continue;
                        } else if repl_expired {
                            continue;
                        }
                    } else if !in_emptied && repl_expired {
                        w.expired = true;
                        continue;
                    }
                    dirty.push(w.client);
                }
            }
        }
        for k in dirty {
            self.add_client_flags(k, cf::DIRTY_CAS);
        }
    }

    /// Sets flags on a client by slab key, including the client currently
    /// running (its flags are applied when it is put back).
    pub fn add_client_flags(&mut self, key: usize, flags: u64) {
        if flags & cf::CLOSE_ASAP != 0 {
            self.close_asap_marked = true;
        }
        match self.clients.get_mut(key) {
            Some(Some(c)) => c.flags |= flags,
            Some(None) => self.running.client_flags.push((key, flags)),
            None => {}
        }
    }
}

/// `MULTI`
pub fn multi_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.c.has(cf::MULTI) {
        return Err(Error::err("ERR MULTI calls can not be nested"));
    }
    ctx.c.flags |= cf::MULTI;
    ctx.c.reply.ok();
    Ok(())
}

/// `DISCARD`
pub fn discard_command(ctx: &mut Ctx) -> CmdResult {
    if !ctx.c.has(cf::MULTI) {
        return Err(Error::err("ERR DISCARD without MULTI"));
    }
    ctx.srv.discard_transaction(ctx.c);
    ctx.c.reply.ok();
    Ok(())
}

/// `WATCH key [key ...]`
pub fn watch_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.c.has(cf::MULTI) {
        return Err(Error::err("ERR WATCH inside MULTI is not allowed"));
    }
    if !ctx.c.has(cf::DIRTY_CAS) {
        for &key in &ctx.argv[1..] {
            ctx.srv.watch_key(ctx.c, key);
        }
    }
    ctx.c.reply.ok();
    Ok(())
}

/// `UNWATCH`
pub fn unwatch_command(ctx: &mut Ctx) -> CmdResult {
    ctx.srv.unwatch_all_keys(ctx.c);
    ctx.c.flags &= !cf::DIRTY_CAS;
    ctx.c.reply.ok();
    Ok(())
}

/// `EXEC`
/// The error for a queued command that the user's rules no longer allow.
fn exec_acl_error(d: crate::acl::user::Denied) -> Error {
    use crate::acl::user::Denied;
    let reason = match d {
        Denied::Command => "no permission to execute the command or subcommand",
        Denied::Key(_) => "no permission to touch the specified keys",
        Denied::Channel(_) => "no permission to access one of the channels used as arguments",
    };
    Error::msg(format!(
        "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: {reason}"
    ))
}

pub fn exec_command(ctx: &mut Ctx) -> CmdResult {
    if !ctx.c.has(cf::MULTI) {
        return Err(Error::err("ERR EXEC without MULTI"));
    }
    if ctx.srv.watched_key_expired(ctx.c) {
        ctx.c.flags |= cf::DIRTY_CAS;
    }
    if ctx.c.has(cf::DIRTY_CAS | cf::DIRTY_EXEC) {
        let abort = ctx.c.has(cf::DIRTY_EXEC);
        ctx.srv.discard_transaction(ctx.c);
        if abort {
            return Err(Error::ExecAbort);
        }
        ctx.c.reply.null_array();
        return Ok(());
    }
    ctx.srv.unwatch_all_keys(ctx.c);
    let state = std::mem::take(&mut ctx.c.mstate);
    ctx.srv.calls.in_exec = true;
    ctx.c.reply.array_len(state.commands.len());
    for (i, q) in state.commands.iter().enumerate() {
        let argv: Vec<&[u8]> = q.argv.iter().map(|a| a.as_slice()).collect();
        // The rules may have changed since the command was queued.
        if let Err(d) = ctx.srv.acl.check(ctx.c.user, q.cmd, &argv) {
            ctx.srv
                .acl_log_denial(ctx.c, ctx.c.user, d, crate::acl::log::Context::Multi, q.cmd, &argv);
            ctx.srv.reply_error(ctx.c, &exec_acl_error(d));
            // Like Redis, the error is only charged to EXEC when no queued
            // command runs after it.
            if i + 1 < state.commands.len() {
                ctx.srv.calls.prev_err_count = ctx.srv.stats.total_error_replies;
            }
            continue;
        }
        ctx.srv.call(ctx.c, q.cmd, &argv);
    }
    ctx.srv.calls.in_exec = false;
    ctx.srv.discard_transaction(ctx.c);
    // The queued commands propagated themselves; EXEC adds nothing.
    ctx.no_propagate = true;
    Ok(())
}
