//! Redis Cluster (cluster.c). With `cluster-enabled yes` start-up loads or
//! creates nodes.conf under its lock, binds the bus port and accepts links
//! whose packets are framed and validated (`state.rs`, done); the message
//! handler, outbound links and gossip are not written yet, so a node does
//! not join others. CLUSTER MYID / NODES / INFO answer from the node
//! table; the other subcommands still answer as on a standalone instance.
//! This note is the plan the pieces below are built to; what exists today
//! is marked (done).
//!
//! **State** (`ClusterState`, owned by `Server`, touched only from the event
//! loop like the keyspace): the node table, a map from 40-byte node name to
//! `Node` (flags, ip/port/cport/pport, hostname, master and replicas,
//! ping/pong times, fail reports, config epoch, its slot bitmap, its link);
//! `current_epoch` and `last_vote_epoch`; the slot map, 16,384 entries of
//! owner plus the migrating-to / importing-from tables.
//!
//! **Per-slot key index** (`slot_index.rs`, done): for each slot, the keys of db 0
//! that hash to it, fed only by `Server::on_key_change` /
//! `on_db_change` (src/db/change.rs) and only when cluster mode is on, so a
//! standalone server pays one branch per change. It answers
//! COUNTKEYSINSLOT / GETKEYSINSLOT and "slot is empty" for migration and
//! DELSLOTS. Keys hash with CRC16 over the hash tag (`slot.rs`, done).
//!
//! **Bus** (`bus/`): a listener on the cluster port and one outbound plus
//! any inbound links per node, each a `net::Conn` (plain or TLS, as
//! `tls-cluster` says) registered with its own `ae::Tok` kind, in the same
//! event loop as clients; nothing outside `bus/` knows the wire format.
//! `bus/msg.rs` (done) encodes and decodes every 7.0 message, framing and
//! dropping packets exactly where `clusterIsValidPacket` does. The handler
//! turns decoded messages into node-table updates.
//!
//! **Gate**: the redirect decision (MOVED, ASK, TRYAGAIN, CROSSSLOT,
//! CLUSTERDOWN) is one check in `Server::gate` (src/server/call.rs, at the
//! marked place after ACL), fed by the one key extractor the ACL check
//! uses; commands never look at slots themselves.
//!
//! **nodes.conf** (`nodes_conf.rs`, done): 7.0's line format (the CLUSTER
//! NODES lines plus a `vars` line) read at start and rewritten whenever the
//! config changes. As in Redis the file is rewritten in place with one
//! write, padded with newlines to the old size, fsynced, then truncated:
//! a rename would swap the inode out from under the `flock` that the
//! process holds on it for its whole life so that a second server on the
//! same file refuses to start (a forked child must close that fd).
//!
//! **Cron**: `cluster_cron` runs from server cron every 100 ms (reconnect
//! links, ping a random node each second, time out pings, mark PFAIL/FAIL,
//! replica migration); `cluster_before_sleep` does the deferred work a
//! message asked for (save the config, update state, attempt a failover).
//! Replica elections (AUTH_REQUEST/ACK, votes per epoch) and manual
//! failover live in `failover.rs`, driven from these two hooks.

/// Node flags (`CLUSTER_NODE_*`): the same bits in the node table, in
/// gossip entries and message headers, and (by name) in nodes.conf.
pub mod node_flag {
    pub const MASTER: u16 = 1;
    pub const SLAVE: u16 = 2;
    pub const PFAIL: u16 = 4;
    pub const FAIL: u16 = 8;
    pub const MYSELF: u16 = 16;
    pub const HANDSHAKE: u16 = 32;
    pub const NOADDR: u16 = 64;
    pub const MEET: u16 = 128;
    pub const MIGRATE_TO: u16 = 256;
    pub const NOFAILOVER: u16 = 512;
}

pub mod bus;
pub mod nodes_conf;
pub mod slot;
pub mod slot_index;
pub mod state;

use crate::error::Error;
use crate::server::{CmdResult, Ctx};
use crate::util::num::parse_i64;

fn disabled() -> Error {
    Error::err("ERR This instance has cluster support disabled")
}

/// CLUSTER (every subcommand), READONLY, READWRITE and ASKING on a server
/// without cluster support enabled.
pub fn cluster_disabled_command(_ctx: &mut Ctx) -> CmdResult {
    Err(disabled())
}

/// The cluster state, present exactly when cluster mode is on.
fn state<'a>(ctx: &'a Ctx) -> Result<&'a state::ClusterState, Error> {
    ctx.srv.cluster.as_deref().ok_or_else(disabled)
}

/// `CLUSTER MYID`
pub fn cluster_myid_command(ctx: &mut Ctx) -> CmdResult {
    let name = state(ctx)?.myself().name;
    ctx.c.reply.bulk(&name);
    Ok(())
}

/// `CLUSTER NODES`
pub fn cluster_nodes_command(ctx: &mut Ctx) -> CmdResult {
    let text = state(ctx)?.nodes_text();
    ctx.c.reply.verbatim(&text, b"txt");
    Ok(())
}

/// `CLUSTER INFO`
pub fn cluster_info_command(ctx: &mut Ctx) -> CmdResult {
    let text = state(ctx)?.info(ctx.srv.cfg.cluster_require_full_coverage);
    ctx.c.reply.verbatim(&text, b"txt");
    Ok(())
}

/// The per-slot key index, present exactly when cluster mode is on.
fn slot_index<'a>(ctx: &'a Ctx) -> Result<&'a slot_index::SlotIndex, Error> {
    match ctx.srv.changes.slot_index.as_deref() {
        Some(ix) if ctx.srv.cfg.cluster_enabled => Ok(ix),
        _ => Err(disabled()),
    }
}

/// A slot argument: an integer (else the usual error), in range (else
/// `invalid`).
fn slot_arg(arg: &[u8], invalid: &'static str) -> Result<usize, Error> {
    let n = parse_i64(arg).ok_or(Error::NotInteger)?;
    usize::try_from(n).ok().filter(|&s| s < slot::SLOTS).ok_or(Error::err(invalid))
}

/// `CLUSTER KEYSLOT key`
pub fn cluster_keyslot_command(ctx: &mut Ctx) -> CmdResult {
    slot_index(ctx)?;
    let s = slot::key_slot(ctx.argv[2]);
    ctx.c.reply.int(s as i64);
    Ok(())
}

/// `CLUSTER COUNTKEYSINSLOT slot`
pub fn cluster_countkeysinslot_command(ctx: &mut Ctx) -> CmdResult {
    let n = slot_index(ctx)?.count(slot_arg(ctx.argv[2], "ERR Invalid slot")?);
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `CLUSTER GETKEYSINSLOT slot count`
pub fn cluster_getkeysinslot_command(ctx: &mut Ctx) -> CmdResult {
    const INVALID: &str = "ERR Invalid slot or number of keys";
    slot_index(ctx)?;
    let slot = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
    let max = parse_i64(ctx.argv[3]).ok_or(Error::NotInteger)?;
    if !(0..slot::SLOTS as i64).contains(&slot) || max < 0 {
        return Err(Error::err(INVALID));
    }
    let Some(ix) = ctx.srv.changes.slot_index.as_deref() else {
        return Err(disabled());
    };
    let slot = slot as usize;
    ctx.c.reply.array_len(ix.count(slot).min(max as usize));
    for k in ix.keys(slot, max as usize) {
        ctx.c.reply.bulk(k);
    }
    Ok(())
}
