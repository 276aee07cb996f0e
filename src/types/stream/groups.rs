//! Consumer groups (the second half of t_stream.c): the group, consumer
//! and pending-entry types, then XGROUP, XREAD/XREADGROUP (one generic
//! command, like `xreadCommand`), XACK, XPENDING, XCLAIM and XAUTOCLAIM.
//!
//! A group keeps its pending entries list (PEL: ID -> NACK) and its
//! consumers, each with its own set of pending IDs. Redis shares one NACK
//! between the two PELs through a pointer to the consumer; here the NACK
//! names its consumer by a slot number in the group's consumer table, so
//! a copy of the group (COPY) stays consistent without fixing pointers.

use super::{parse_id_full, parse_interval_id, parse_strict_id, reply_entry, reply_id, Stream, StreamId};
use crate::client::flags as cf;
use crate::config::special::notify;
use crate::db::change::{Event, KeyWrite};
use crate::error::Error;
use crate::object::{NewValue, Obj, ValueType};
use crate::resp::ReplyBuf;
use crate::server::{CmdResult, Ctx, Server};
use crate::util::mstime;
use crate::util::num::parse_i64;
use std::collections::{BTreeMap, BTreeSet};

/// A stream event.
const fn stream_event(name: &'static str) -> Event {
    Event::new(notify::STREAM, name)
}

/// The epilogue of consumer-group bookkeeping (pending entries, consumers,
/// delivered IDs): it counts `dirty` towards the next save (plus one for
/// a consumer created, which fires `xgroup-createconsumer`), but WATCH and
/// client-side caching do not hear of it, as in Redis.
fn group_state_changed(ctx: &mut Ctx, key: &[u8], consumer_created: bool, dirty: u64) {
    let w = if consumer_created {
        KeyWrite::new(stream_event("xgroup-createconsumer")).dirty(dirty + 1)
    } else if dirty > 0 {
        KeyWrite::silent().dirty(dirty)
    } else {
        return;
    };
    ctx.key_modified(key, w.unsignalled());
}

// ---------------------------------------------------------------------------
// Group representation
// ---------------------------------------------------------------------------

/// `entries_read` when the group's read counter is not known
/// (`SCG_INVALID_ENTRIES_READ`).
pub const INVALID_ENTRIES_READ: i64 = -1;

/// A NACK whose owner is unknown: only a payload loaded without
/// `sanitize-dump-payload` can leave one behind.
const NO_CONSUMER: u32 = u32::MAX;

/// A message delivered and not yet acknowledged (`streamNACK`).
#[derive(Clone, Copy, Debug)]
pub struct Nack {
    /// Unix time in ms of the last delivery.
    pub delivery_time: i64,
    pub delivery_count: u64,
    /// Slot of the consumer it was last delivered to.
    consumer: u32,
}

/// A consumer (`streamConsumer`).
#[derive(Clone, Debug)]
pub struct Consumer {
    pub name: Vec<u8>,
    /// Unix time in ms it was last active.
    pub seen_time: i64,
    /// IDs pending for this consumer; their NACKs live in the group PEL.
    pub pel: BTreeSet<StreamId>,
}

/// A consumer group (`streamCG`).
#[derive(Clone, Debug)]
pub struct Group {
    /// Last delivered ID.
    pub last_id: StreamId,
    /// Logical read counter, or [`INVALID_ENTRIES_READ`].
    pub entries_read: i64,
    /// The group PEL.
    pub pel: BTreeMap<StreamId, Nack>,
    /// Consumer name -> slot.
    by_name: BTreeMap<Vec<u8>, u32>,
    slots: Vec<Option<Consumer>>,
    free: Vec<u32>,
}

impl Group {
    /// Active defrag: the consumer table and each consumer's name.
    pub fn defrag(&mut self, mv: &mut crate::server::defrag::Mover) {
        mv.vec(&mut self.slots);
        for c in self.slots.iter_mut().flatten() {
            mv.vec(&mut c.name);
        }
    }
}

/// The claiming consumer of XCLAIM / XAUTOCLAIM: looked up, or created,
/// only once an entry is actually claimed, then remembered in `slot`.
fn claimer_slot(g: &mut Group, slot: &mut Option<u32>, cname: &[u8], created: &mut bool) -> u32 {
    if let Some(sl) = *slot {
        return sl;
    }
    let sl = match g.lookup_consumer(cname, false) {
        Some(sl) => sl,
        None => {
            *created = true;
            g.create_consumer(cname, mstime()).unwrap_or(NO_CONSUMER)
        }
    };
    *slot = Some(sl);
    sl
}

impl Group {
    pub fn new(last_id: StreamId, entries_read: i64) -> Group {
        Group {
            last_id,
            entries_read,
            pel: BTreeMap::new(),
            by_name: BTreeMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    pub fn consumer_count(&self) -> usize {
        self.by_name.len()
    }

    /// The slot of the consumer `name`.
    pub fn lookup(&self, name: &[u8]) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    pub fn consumer(&self, slot: u32) -> Option<&Consumer> {
        self.slots.get(slot as usize).and_then(|c| c.as_ref())
    }

    fn consumer_mut(&mut self, slot: u32) -> Option<&mut Consumer> {
        self.slots.get_mut(slot as usize).and_then(|c| c.as_mut())
    }

    /// The name of the consumer in `slot` (empty for an unowned NACK).
    pub fn consumer_name(&self, slot: u32) -> &[u8] {
        self.consumer(slot).map_or(&[][..], |c| &c.name)
    }

    /// The name of the consumer owning a NACK.
    pub fn owner_name(&self, n: &Nack) -> &[u8] {
        self.consumer_name(n.consumer)
    }

    /// Looks a consumer up, refreshing its seen-time unless `no_refresh`
    /// (`streamLookupConsumer`).
    pub fn lookup_consumer(&mut self, name: &[u8], no_refresh: bool) -> Option<u32> {
        let slot = self.lookup(name)?;
        if !no_refresh {
            if let Some(c) = self.consumer_mut(slot) {
                c.seen_time = mstime();
            }
        }
        Some(slot)
    }

    /// Adds a consumer; None if it exists (`streamCreateConsumer` without
    /// its notification).
    pub fn create_consumer(&mut self, name: &[u8], seen_time: i64) -> Option<u32> {
        if self.by_name.contains_key(name) {
            return None;
        }
        let c = Consumer {
            name: name.to_vec(),
            seen_time,
            pel: BTreeSet::new(),
        };
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some(c);
                s
            }
            None => {
                self.slots.push(Some(c));
                (self.slots.len() - 1) as u32
            }
        };
        self.by_name.insert(name.to_vec(), slot);
        Some(slot)
    }

    /// Sets a consumer's seen-time (RDB loading).
    pub(crate) fn set_seen_time(&mut self, slot: u32, t: i64) {
        if let Some(c) = self.consumer_mut(slot) {
            c.seen_time = t;
        }
    }

    /// Deletes a consumer and its pending entries; returns how many it had
    /// (`streamDelConsumer`).
    pub fn delete_consumer(&mut self, slot: u32) -> usize {
        let Some(c) = self.slots.get_mut(slot as usize).and_then(|c| c.take()) else {
            return 0;
        };
        for id in &c.pel {
            self.pel.remove(id);
        }
        self.by_name.remove(&c.name);
        self.free.push(slot);
        c.pel.len()
    }

    /// Consumers in name order.
    pub fn consumers(&self) -> impl Iterator<Item = &Consumer> {
        self.by_name.values().filter_map(|&s| self.consumer(s))
    }

    /// Records a delivery of `id` to `slot` (the PEL part of
    /// `streamReplyWithRange`): a new NACK, or an existing one moved to
    /// this consumer with its counter reset. Returns the NACK.
    fn deliver(&mut self, id: StreamId, slot: u32, now: i64) -> Nack {
        let old = self.pel.insert(
            id,
            Nack {
                delivery_time: now,
                delivery_count: 1,
                consumer: slot,
            },
        );
        if let Some(old) = old {
            if let Some(c) = self.consumer_mut(old.consumer) {
                c.pel.remove(&id);
            }
        }
        if let Some(c) = self.consumer_mut(slot) {
            c.pel.insert(id);
        }
        Nack {
            delivery_time: now,
            delivery_count: 1,
            consumer: slot,
        }
    }

    /// Drops a pending entry from the group and its consumer; false if it
    /// was not pending.
    pub fn remove_pending(&mut self, id: StreamId) -> bool {
        let Some(n) = self.pel.remove(&id) else {
            return false;
        };
        if let Some(c) = self.consumer_mut(n.consumer) {
            c.pel.remove(&id);
        }
        true
    }

    /// Makes `slot` the owner of the pending `id`.
    fn set_owner(&mut self, id: StreamId, slot: u32) {
        let Some(old) = self.pel.get(&id).map(|n| n.consumer) else {
            return;
        };
        if old == slot {
            return;
        }
        if let Some(c) = self.consumer_mut(old) {
            c.pel.remove(&id);
        }
        if let Some(n) = self.pel.get_mut(&id) {
            n.consumer = slot;
        }
        if let Some(c) = self.consumer_mut(slot) {
            c.pel.insert(id);
        }
    }

    /// RDB loading: a NACK of the group PEL, owner still unknown. False if
    /// the ID is already there.
    pub(crate) fn load_nack(&mut self, id: StreamId, delivery_time: i64, delivery_count: u64) -> bool {
        if self.pel.contains_key(&id) {
            return false;
        }
        self.pel.insert(
            id,
            Nack {
                delivery_time,
                delivery_count,
                consumer: NO_CONSUMER,
            },
        );
        true
    }

    /// RDB loading: gives a loaded NACK to a consumer.
    pub(crate) fn load_consumer_pending(&mut self, slot: u32, id: StreamId) -> Result<(), &'static str> {
        let Some(n) = self.pel.get_mut(&id) else {
            return Err("Consumer entry not found in group global PEL");
        };
        if n.consumer != NO_CONSUMER {
            return Err("Stream consumer PEL entry already has a consumer assigned");
        }
        n.consumer = slot;
        match self.consumer_mut(slot) {
            Some(c) if !c.pel.contains(&id) => {
                c.pel.insert(id);
                Ok(())
            }
            _ => Err("Duplicated consumer PEL entry  loading a stream consumer group"),
        }
    }

    /// True if some NACK has no owner (checked when sanitizing).
    pub(crate) fn has_unowned(&self) -> bool {
        self.pel.values().any(|n| n.consumer == NO_CONSUMER)
    }

    /// Heap bytes (MEMORY USAGE), roughly.
    pub fn alloc_size(&self) -> usize {
        use crate::object::jemalloc_class as class;
        let mut n = class(std::mem::size_of::<Group>());
        n += self.pel.len() * (16 + std::mem::size_of::<Nack>()) * 3 / 2;
        for c in self.consumers() {
            n += class(std::mem::size_of::<Consumer>()) + 2 * class(c.name.len()) + c.pel.len() * 16 * 3 / 2;
        }
        n
    }
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/// Bytes shown in an error the way C's `%s` shows them (up to a NUL).
pub(crate) fn cstr(b: &[u8]) -> String {
    let b = match b.iter().position(|&c| c == 0) {
        Some(n) => &b[..n],
        None => b,
    };
    String::from_utf8_lossy(b).into_owned()
}

/// `addReplySubcommandSyntaxError`.
pub(crate) fn subcommand_syntax_error(argv: &[&[u8]]) -> Error {
    let sub = cstr(argv.get(1).copied().unwrap_or(b""));
    let sub: String = sub
        .chars()
        .scan(0usize, |n, ch| {
            *n += ch.len_utf8();
            (*n <= 128).then_some(ch)
        })
        .collect();
    Error::msg(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        sub,
        cstr(argv.first().copied().unwrap_or(b"")).to_uppercase()
    ))
}

/// The stream at `key`, or WRONGTYPE, looked up for reading.
pub(crate) fn lookup_stream_read<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s mut Stream>, Error> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(e) => match e.obj_mut() {
            Some(Obj::Stream(s)) => Ok(Some(s)),
            _ => Err(Error::WrongType),
        },
    }
}

/// The stream at `key`, or WRONGTYPE, looked up for writing.
pub(crate) fn lookup_stream_write<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s mut Stream>, Error> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(e) => match e.obj_mut() {
            Some(Obj::Stream(s)) => Ok(Some(s)),
            _ => Err(Error::WrongType),
        },
    }
}

/// The stream at `key` without lookup side effects (the key is known to
/// hold one).
pub(crate) fn stream_at<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Option<&'s mut Stream> {
    match srv.dbs[db].find_mut(key).and_then(|e| e.obj_mut()) {
        Some(Obj::Stream(s)) => Some(s),
        _ => None,
    }
}

/// Creates an empty stream at `key` (which must not exist).
pub(crate) fn create_stream(srv: &mut Server, db: usize, key: &[u8]) {
    srv.db_add(db, key, NewValue::Obj(Box::new(Obj::Stream(Box::new(Stream::new())))));
}

/// Whether a client's commands are replayed as given (`mustObeyClient`):
/// the master link or the AOF loader (whose fake client has the last id).
pub(crate) fn must_obey(ctx: &Ctx) -> bool {
    ctx.c.must_obey()
}

fn int_bytes(v: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(20);
    crate::util::num::push_i64(&mut out, v);
    out
}

/// `XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> FORCE
/// JUSTID LASTID <group last id>`: how a PEL change is propagated
/// (`streamPropagateXCLAIM`).
fn xclaim_propagation(key: &[u8], group: &[u8], g: &Group, id_arg: &[u8], n: &Nack) -> Vec<Vec<u8>> {
    vec![
        b"XCLAIM".to_vec(),
        key.to_vec(),
        group.to_vec(),
        g.owner_name(n).to_vec(),
        b"0".to_vec(),
        id_arg.to_vec(),
        b"TIME".to_vec(),
        int_bytes(n.delivery_time),
        b"RETRYCOUNT".to_vec(),
        int_bytes(n.delivery_count as i64),
        b"FORCE".to_vec(),
        b"JUSTID".to_vec(),
        b"LASTID".to_vec(),
        g.last_id.to_bytes(),
    ]
}

/// `XGROUP SETID <key> <group> <id> ENTRIESREAD <n>` (`streamPropagateGroupID`).
fn setid_propagation(key: &[u8], group: &[u8], g: &Group) -> Vec<Vec<u8>> {
    vec![
        b"XGROUP".to_vec(),
        b"SETID".to_vec(),
        key.to_vec(),
        group.to_vec(),
        g.last_id.to_bytes(),
        b"ENTRIESREAD".to_vec(),
        int_bytes(g.entries_read),
    ]
}

/// `XGROUP CREATECONSUMER <key> <group> <consumer>`
/// (`streamPropagateConsumerCreation`).
fn createconsumer_propagation(key: &[u8], group: &[u8], consumer: &[u8]) -> Vec<Vec<u8>> {
    vec![
        b"XGROUP".to_vec(),
        b"CREATECONSUMER".to_vec(),
        key.to_vec(),
        group.to_vec(),
        consumer.to_vec(),
    ]
}

// ---------------------------------------------------------------------------
// XGROUP
// ---------------------------------------------------------------------------

/// The body of every XGROUP subcommand (`xgroupCommand`).
fn xgroup_generic(ctx: &mut Ctx) -> CmdResult {
    let argc = ctx.argc();
    let opt = ctx.argv[1].to_ascii_lowercase();
    let db = ctx.dbi();
    let mut mkstream = false;
    let mut entries_read = INVALID_ENTRIES_READ;
    let mut exists = false;
    let mut has_group = false;
    if argc >= 4 {
        let create = opt == b"create";
        let setid = opt == b"setid";
        let mut i = 5;
        while i < argc {
            let a = ctx.argv[i];
            if create && a.eq_ignore_ascii_case(b"mkstream") {
                mkstream = true;
                i += 1;
            } else if (create || setid) && a.eq_ignore_ascii_case(b"entriesread") && i + 1 < argc {
                entries_read = parse_i64(ctx.argv[i + 1]).ok_or(Error::NotInteger)?;
                if entries_read < 0 && entries_read != INVALID_ENTRIES_READ {
                    return Err(Error::err("ERR value for ENTRIESREAD must be positive or -1"));
                }
                i += 2;
            } else {
                return Err(subcommand_syntax_error(ctx.argv));
            }
        }
        if let Some(s) = lookup_stream_write(ctx.srv, db, ctx.argv[2])? {
            exists = true;
            has_group = s.group(ctx.argv[3]).is_some();
        }
    }
    if argc >= 4 && !mkstream {
        if !exists {
            return Err(Error::err(
                "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
            ));
        }
        if !has_group && matches!(opt.as_slice(), b"setid" | b"createconsumer" | b"delconsumer") {
            return Err(Error::msg(format!(
                "NOGROUP No such consumer group '{}' for key name '{}'",
                cstr(ctx.argv[3]),
                cstr(ctx.argv[2])
            )));
        }
    }
    let key = ctx.argv.get(2).copied().unwrap_or(b"");
    let grp = ctx.argv.get(3).copied().unwrap_or(b"");
    match opt.as_slice() {
        b"help" if argc == 2 => {
            ctx.c.reply.help(
                ctx.argv[0],
                &[
                    "CREATE <key> <groupname> <id|$> [option]",
                    "    Create a new consumer group. Options are:",
                    "    * MKSTREAM",
                    "      Create the empty stream if it does not exist.",
                    "    * ENTRIESREAD entries_read",
                    "      Set the group's entries_read counter (internal use).",
                    "CREATECONSUMER <key> <groupname> <consumer>",
                    "    Create a new consumer in the specified group.",
                    "DELCONSUMER <key> <groupname> <consumer>",
                    "    Remove the specified consumer.",
                    "DESTROY <key> <groupname>",
                    "    Remove the specified group.",
                    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                    "    Set the current group ID and entries_read counter.",
                ],
            );
        }
        b"create" if (5..=8).contains(&argc) => {
            let id = if ctx.argv[4] == b"$" {
                match stream_at(ctx.srv, db, key) {
                    Some(s) if exists => s.last_id,
                    _ => StreamId::ZERO,
                }
            } else {
                parse_strict_id(ctx.argv[4])?
            };
            if !exists {
                create_stream(ctx.srv, db, key);
            }
            let created = stream_at(ctx.srv, db, key).is_some_and(|s| s.create_group(grp, id, entries_read));
            if !created {
                // (A stream just made by MKSTREAM has no groups.)
                return Err(Error::err("BUSYGROUP Consumer Group name already exists"));
            }
            ctx.c.reply.ok();
            // Only the stream's creation is visible to WATCH and tracking.
            let w = KeyWrite::new(stream_event("xgroup-create"));
            ctx.key_modified(key, if exists { w.unsignalled() } else { w });
        }
        b"setid" if argc == 5 || argc == 7 => {
            let Some(s) = stream_at(ctx.srv, db, key) else {
                return Err(Error::NoSuchKey);
            };
            let id = if ctx.argv[4] == b"$" {
                s.last_id
            } else {
                parse_id_full(ctx.argv[4], 0, false, false)?.id
            };
            if let Some(g) = s.group_mut(grp) {
                g.last_id = id;
                g.entries_read = entries_read;
            }
            ctx.c.reply.ok();
            ctx.key_modified(key, KeyWrite::new(stream_event("xgroup-setid")).unsignalled());
        }
        b"destroy" if argc == 4 => {
            let destroyed = stream_at(ctx.srv, db, key).is_some_and(|s| s.destroy_group(grp));
            if destroyed {
                ctx.c.reply.int(1);
                ctx.key_modified(key, KeyWrite::new(stream_event("xgroup-destroy")).unsignalled());
                // Clients blocked in XREADGROUP on this group get -NOGROUP.
                ctx.srv.signal_key_as_ready(db, key);
            } else {
                ctx.c.reply.int(0);
            }
        }
        b"createconsumer" if argc == 5 => {
            let created = stream_at(ctx.srv, db, key)
                .and_then(|s| s.group_mut(grp))
                .and_then(|g| g.create_consumer(ctx.argv[4], mstime()))
                .is_some();
            group_state_changed(ctx, key, created, 0);
            ctx.c.reply.int(i64::from(created));
        }
        b"delconsumer" if argc == 5 => {
            let mut pending = None;
            if let Some(g) = stream_at(ctx.srv, db, key).and_then(|s| s.group_mut(grp)) {
                if let Some(slot) = g.lookup_consumer(ctx.argv[4], true) {
                    pending = Some(g.delete_consumer(slot));
                }
            }
            if pending.is_some() {
                ctx.key_modified(key, KeyWrite::new(stream_event("xgroup-delconsumer")).unsignalled());
            }
            ctx.c.reply.int(pending.unwrap_or(0) as i64);
        }
        _ => return Err(subcommand_syntax_error(ctx.argv)),
    }
    Ok(())
}

/// `XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]`
pub fn xgroup_create_command(ctx: &mut Ctx) -> CmdResult {
    xgroup_generic(ctx)
}

/// `XGROUP SETID key group id|$ [ENTRIESREAD entries-read]`
pub fn xgroup_setid_command(ctx: &mut Ctx) -> CmdResult {
    xgroup_generic(ctx)
}

/// `XGROUP DESTROY key group`
pub fn xgroup_destroy_command(ctx: &mut Ctx) -> CmdResult {
    xgroup_generic(ctx)
}

/// `XGROUP CREATECONSUMER key group consumer`
pub fn xgroup_createconsumer_command(ctx: &mut Ctx) -> CmdResult {
    xgroup_generic(ctx)
}

/// `XGROUP DELCONSUMER key group consumer`
pub fn xgroup_delconsumer_command(ctx: &mut Ctx) -> CmdResult {
    xgroup_generic(ctx)
}

/// `XGROUP HELP`
pub fn xgroup_help_command(ctx: &mut Ctx) -> CmdResult {
    xgroup_generic(ctx)
}

// ---------------------------------------------------------------------------
// XREAD / XREADGROUP
// ---------------------------------------------------------------------------

/// The COUNT a blocked XREAD gets when it gave none
/// (`XREAD_BLOCKED_DEFAULT_COUNT`).
const BLOCKED_DEFAULT_COUNT: usize = 1000;

/// What an ID argument of XREAD/XREADGROUP asks for.
#[derive(Clone, Copy, Debug)]
enum ReadFrom {
    /// Entries after this ID.
    After(StreamId),
    /// XREADGROUP `>`: entries never delivered to the group.
    New,
}

/// Emits the entries of `s` from `start` (inclusive), at most `count`
/// (0: all), delivering them to the group when there is one
/// (`streamReplyWithRange`). Propagation commands are pushed on `props`.
#[allow(clippy::too_many_arguments)]
fn reply_range_to_group(
    r: &mut ReplyBuf,
    s: &Stream,
    g: &mut Group,
    start: StreamId,
    count: usize,
    slot: u32,
    noack: bool,
    key: &[u8],
    grp: &[u8],
    props: &mut Vec<Vec<Vec<u8>>>,
    propagate: bool,
) -> usize {
    let d = r.deferred();
    let mut n = 0;
    let mut propagate_last_id = false;
    for e in s.range(start, StreamId::MAX, false) {
        if e.id > g.last_id {
            if g.entries_read != INVALID_ENTRIES_READ && !s.range_has_tombstones(Some(e.id), None) {
                g.entries_read += 1;
            } else if s.entries_added != 0 {
                g.entries_read = s.estimate_distance(e.id);
            }
            g.last_id = e.id;
            if noack {
                propagate_last_id = true;
            }
        }
        reply_entry(r, &e);
        if !noack {
            let nack = g.deliver(e.id, slot, mstime());
            if propagate {
                props.push(xclaim_propagation(key, grp, g, &e.id.to_bytes(), &nack));
            }
        }
        n += 1;
        if count != 0 && n == count {
            break;
        }
    }
    if propagate && propagate_last_id {
        props.push(setid_propagation(key, grp, g));
    }
    r.set_deferred_array(d, n);
    n
}

/// The consumer's own pending entries from `start`, at most `count`
/// (`streamReplyWithRangeFromConsumerPEL`); deleted entries show as
/// their ID with a null body.
fn reply_consumer_history(r: &mut ReplyBuf, s: &Stream, g: &mut Group, slot: u32, start: StreamId, count: usize) {
    let ids: Vec<StreamId> = match g.consumer(slot) {
        Some(c) => {
            let it = c.pel.range(start..).copied();
            if count == 0 {
                it.collect()
            } else {
                it.take(count).collect()
            }
        }
        None => Vec::new(),
    };
    r.array_len(ids.len());
    let now = mstime();
    for id in ids {
        match s.range(id, id, false).next() {
            Some(e) => {
                reply_entry(r, &e);
                if let Some(n) = g.pel.get_mut(&id) {
                    n.delivery_time = now;
                    n.delivery_count = n.delivery_count.wrapping_add(1);
                }
            }
            None => {
                r.array_len(2);
                reply_id(r, id);
                r.null_array();
            }
        }
    }
}

/// Parses a BLOCK timeout in ms into an absolute deadline (0: forever)
/// (`getTimeoutFromObjectOrReply` with milliseconds).
fn parse_block_ms(arg: &[u8]) -> Result<i64, Error> {
    let ms = parse_i64(arg).ok_or(Error::err("ERR timeout is not an integer or out of range"))?;
    if ms < 0 {
        return Err(Error::err("ERR timeout is negative"));
    }
    Ok(if ms > 0 { mstime().saturating_add(ms) } else { 0 })
}

/// `XREAD` and `XREADGROUP` (`xreadCommand`). When a blocked client is
/// served, the command runs again on the key that got data: then it
/// serves that key only, if its last ID moved past what the client
/// waits for, like `serveClientsBlockedOnStreamKey`.
fn xread_generic(ctx: &mut Ctx, xreadgroup: bool) -> CmdResult {
    let argc = ctx.argc();
    let mut block: Option<i64> = None;
    let mut count: usize = 0;
    let mut streams_arg = 0;
    let mut group: Option<(&[u8], &[u8])> = None;
    let mut noack = false;
    let mut i = 1;
    while i < argc {
        let moreargs = argc - i - 1;
        let o = ctx.argv[i];
        if o.eq_ignore_ascii_case(b"block") && moreargs > 0 {
            if ctx.c.has(cf::SCRIPT) {
                // No sense in blocking inside a script (Redis keeps this
                // error for Lua rather than its generic deny-blocking one).
                return Err(Error::msg(format!(
                    "ERR {} command is not allowed with BLOCK option from scripts",
                    String::from_utf8_lossy(ctx.argv[0])
                )));
            }
            i += 1;
            block = Some(parse_block_ms(ctx.argv[i])?);
        } else if o.eq_ignore_ascii_case(b"count") && moreargs > 0 {
            i += 1;
            let n = parse_i64(ctx.argv[i]).ok_or(Error::NotInteger)?;
            count = usize::try_from(n).unwrap_or(0);
        } else if o.eq_ignore_ascii_case(b"streams") && moreargs > 0 {
            streams_arg = i + 1;
            if !(argc - streams_arg).is_multiple_of(2) {
                return Err(Error::err(
                    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                ));
            }
            break;
        } else if o.eq_ignore_ascii_case(b"group") && moreargs >= 2 {
            if !xreadgroup {
                return Err(Error::err(
                    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            group = Some((ctx.argv[i + 1], ctx.argv[i + 2]));
            i += 2;
        } else if o.eq_ignore_ascii_case(b"noack") {
            if !xreadgroup {
                return Err(Error::err(
                    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            noack = true;
        } else {
            return Err(Error::Syntax);
        }
        i += 1;
    }
    if streams_arg == 0 {
        return Err(Error::Syntax);
    }
    if xreadgroup && group.is_none() {
        return Err(Error::err("ERR Missing GROUP option for XREADGROUP"));
    }
    let nstreams = (argc - streams_arg) / 2;
    let keys: Vec<&[u8]> = ctx.argv[streams_arg..streams_arg + nstreams].to_vec();
    let id_args: Vec<&[u8]> = ctx.argv[streams_arg + nstreams..].to_vec();
    let db = ctx.dbi();

    if ctx.serving_blocked() {
        return xread_serve_blocked(ctx, &keys, &id_args, group, count, noack);
    }

    // Resolve the IDs (and check the keys and groups) first.
    let mut from: Vec<ReadFrom> = Vec::with_capacity(nstreams);
    for (k, &key) in keys.iter().enumerate() {
        let s = lookup_stream_read(ctx.srv, db, key)?;
        if let Some((grp, _)) = group {
            if s.as_ref().and_then(|s| s.group(grp)).is_none() {
                return Err(Error::msg(format!(
                    "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                    cstr(key),
                    cstr(grp)
                )));
            }
        }
        let a = id_args[k];
        if a == b"$" {
            if xreadgroup {
                return Err(Error::err("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."));
            }
            from.push(ReadFrom::After(s.map_or(StreamId::ZERO, |s| s.last_id)));
        } else if a == b">" {
            if !xreadgroup {
                return Err(Error::err(
                    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
                ));
            }
            from.push(ReadFrom::New);
        } else {
            from.push(ReadFrom::After(parse_strict_id(a)?));
        }
    }

    // Serve what can be served now.
    let mut props: Vec<Vec<Vec<u8>>> = Vec::new();
    let propagate = ctx.srv.propagation_needed();
    let mut served = 0;
    let mut top = None;
    for (k, &key) in keys.iter().enumerate() {
        let Ok(Some(s)) = lookup_stream_read(ctx.srv, db, key) else {
            continue;
        };
        let (start, history) = match (from[k], group) {
            (ReadFrom::After(id), Some(_)) => (id, true),
            (ReadFrom::New, Some((grp, _))) => {
                let last = s.group(grp).map_or(StreamId::MAX, |g| g.last_id);
                match s.last_valid_id() {
                    Some(max) if s.length() > 0 && max > last => (last, false),
                    _ => continue,
                }
            }
            (ReadFrom::After(id), None) => match s.last_valid_id() {
                Some(max) if s.length() > 0 && max > id => (id, false),
                _ => continue,
            },
            (ReadFrom::New, None) => continue,
        };
        served += 1;
        if served == 1 {
            top = Some(ctx.c.reply.deferred());
        }
        let start = start.incr().unwrap_or(StreamId::ZERO);
        if ctx.c.reply.resp == 2 {
            ctx.c.reply.array_len(2);
        }
        ctx.c.reply.bulk(key);
        match group {
            None => {
                reply_range(&mut ctx.c.reply, s, start, count);
            }
            Some((grp, cname)) => {
                let mut created = false;
                let mut slot = NO_CONSUMER;
                let r = &mut ctx.c.reply;
                s.with_group(grp, |s, g| {
                    if let Some(sl) = g.lookup_consumer(cname, false) {
                        slot = sl;
                    } else {
                        slot = g.create_consumer(cname, mstime()).unwrap_or(NO_CONSUMER);
                        created = true;
                    }
                    if created && noack && propagate {
                        props.push(createconsumer_propagation(key, grp, cname));
                    }
                    if history {
                        reply_consumer_history(r, s, g, slot, start, count);
                    } else {
                        reply_range_to_group(r, s, g, start, count, slot, noack, key, grp, &mut props, propagate);
                    }
                });
                group_state_changed(ctx, key, created, 1);
            }
        }
    }
    ctx.no_propagate = true;
    for p in props {
        ctx.srv.propagate(db, p);
    }
    if let Some(d) = top {
        if ctx.c.reply.resp == 2 {
            ctx.c.reply.set_deferred_array(d, served);
        } else {
            ctx.c.reply.set_deferred_map(d, served);
        }
        return Ok(());
    }

    let Some(deadline) = block else {
        ctx.c.reply.null_array();
        return Ok(());
    };
    if ctx.deny_blocking() {
        ctx.c.reply.null_array();
        return Ok(());
    }
    // Block. `$` is pinned to the last ID it meant now, so the command
    // run again when data arrives waits for the same thing.
    let mut argv: Vec<Vec<u8>> = ctx.argv.iter().map(|a| a.to_vec()).collect();
    for (k, f) in from.iter().enumerate() {
        if let (ReadFrom::After(id), true) = (f, id_args[k] == b"$") {
            argv[streams_arg + nstreams + k] = id.to_bytes();
        }
    }
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
    ctx.srv.block_for_keys(ctx.c, &refs, &keys, deadline, ValueType::Stream);
    Ok(())
}

/// Replies with the entries from `start`, at most `count` (0: all).
fn reply_range(r: &mut ReplyBuf, s: &Stream, start: StreamId, count: usize) -> usize {
    let d = r.deferred();
    let mut n = 0;
    for e in s.range(start, StreamId::MAX, false) {
        reply_entry(r, &e);
        n += 1;
        if count != 0 && n == count {
            break;
        }
    }
    r.set_deferred_array(d, n);
    n
}

/// A blocked XREAD/XREADGROUP being served from the key that became
/// ready (`serveClientsBlockedOnStreamKey`, and for a key that is gone,
/// `unblockDeletedStreamReadgroupClients`).
fn xread_serve_blocked(
    ctx: &mut Ctx,
    keys: &[&[u8]],
    id_args: &[&[u8]],
    group: Option<(&[u8], &[u8])>,
    count: usize,
    noack: bool,
) -> CmdResult {
    let db = ctx.dbi();
    let ready = ctx.keys_to_serve(keys);
    let Some(&key) = ready.first() else {
        ctx.srv.block_for_keys(ctx.c, ctx.argv, keys, 0, ValueType::Stream);
        return Ok(());
    };
    let k = keys.iter().position(|&x| x == key).unwrap_or(0);
    let count = if count == 0 { BLOCKED_DEFAULT_COUNT } else { count };
    let vtype = ctx
        .srv
        .lookup_key(db, key, crate::db::lookup::NONOTIFY | crate::db::lookup::NOSTATS)
        .map(|e| e.value().value_type());
    if vtype != Some(ValueType::Stream) {
        if group.is_some() {
            return Err(Error::err("UNBLOCKED the stream key no longer exists"));
        }
        ctx.srv.block_for_keys(ctx.c, ctx.argv, keys, 0, ValueType::Stream);
        return Ok(());
    }
    let propagate = ctx.srv.propagation_needed();
    let mut props = Vec::new();
    let Some(s) = stream_at(ctx.srv, db, key) else {
        return Ok(());
    };
    let gt = match group {
        Some((grp, _)) => match s.group(grp) {
            Some(g) => g.last_id,
            None => {
                return Err(Error::err("NOGROUP the consumer group this client was blocked on no longer exists"));
            }
        },
        None => match parse_strict_id(id_args[k]) {
            Ok(id) => id,
            Err(_) => StreamId::MAX,
        },
    };
    if s.last_id <= gt {
        ctx.srv.block_for_keys(ctx.c, ctx.argv, keys, 0, ValueType::Stream);
        return Ok(());
    }
    let start = gt.incr().unwrap_or(StreamId::ZERO);
    let r = &mut ctx.c.reply;
    if r.resp == 2 {
        r.array_len(1);
        r.array_len(2);
    } else {
        r.map_len(1);
    }
    r.bulk(key);
    let mut created = false;
    match group {
        None => {
            reply_range(r, s, start, count);
        }
        Some((grp, cname)) => {
            s.with_group(grp, |s, g| {
                let slot = match g.lookup_consumer(cname, false) {
                    Some(sl) => sl,
                    None => {
                        created = true;
                        if noack && propagate {
                            props.push(createconsumer_propagation(key, grp, cname));
                        }
                        g.create_consumer(cname, mstime()).unwrap_or(NO_CONSUMER)
                    }
                };
                reply_range_to_group(r, s, g, start, count, slot, noack, key, grp, &mut props, propagate);
            });
        }
    }
    group_state_changed(ctx, key, created, 0);
    ctx.no_propagate = true;
    for p in props {
        ctx.srv.propagate(db, p);
    }
    Ok(())
}

/// `XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]`
pub fn xread_command(ctx: &mut Ctx) -> CmdResult {
    xread_generic(ctx, false)
}

/// `XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds]
/// [NOACK] STREAMS key [key ...] id [id ...]`
pub fn xreadgroup_command(ctx: &mut Ctx) -> CmdResult {
    xread_generic(ctx, true)
}

// ---------------------------------------------------------------------------
// XACK, XPENDING
// ---------------------------------------------------------------------------

/// `XACK key group id [id ...]`
pub fn xack_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let Some(s) = lookup_stream_read(ctx.srv, db, ctx.argv[1])? else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    let Some(g) = s.group_mut(ctx.argv[2]) else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    // All or nothing: every ID must parse before any is acknowledged.
    let ids = ctx.argv[3..].iter().map(|a| parse_strict_id(a)).collect::<Result<Vec<_>, _>>()?;
    let mut acked = 0;
    for id in ids {
        if g.remove_pending(id) {
            acked += 1;
        }
    }
    group_state_changed(ctx, ctx.argv[1], false, acked);
    ctx.c.reply.int(acked as i64);
    Ok(())
}

/// `XPENDING key group [[IDLE min-idle-time] start end count [consumer]]`
pub fn xpending_command(ctx: &mut Ctx) -> CmdResult {
    let argc = ctx.argc();
    let justinfo = argc == 3;
    if argc != 3 && !(6..=9).contains(&argc) {
        return Err(Error::Syntax);
    }
    let mut minidle = 0i64;
    let mut count = 0usize;
    let (mut start, mut end) = (StreamId::ZERO, StreamId::MAX);
    let mut consumer: Option<&[u8]> = None;
    if argc >= 6 {
        let mut startidx = 3;
        if ctx.argv[3].eq_ignore_ascii_case(b"idle") {
            minidle = parse_i64(ctx.argv[4]).ok_or(Error::NotInteger)?;
            if argc < 8 {
                return Err(Error::Syntax);
            }
            startidx += 2;
        }
        let n = parse_i64(ctx.argv[startidx + 2]).ok_or(Error::NotInteger)?;
        count = usize::try_from(n).unwrap_or(0);
        start = super::parse_range_start(ctx.argv[startidx])?;
        end = super::parse_range_end(ctx.argv[startidx + 1])?;
        if startidx + 3 < argc {
            consumer = Some(ctx.argv[startidx + 3]);
        }
    }
    let db = ctx.dbi();
    let (key, grp) = (ctx.argv[1], ctx.argv[2]);
    let s = lookup_stream_read(ctx.srv, db, key)?;
    let Some(g) = s.and_then(|s| s.group_mut(grp)) else {
        return Err(Error::msg(format!(
            "NOGROUP No such key '{}' or consumer group '{}'",
            cstr(key),
            cstr(grp)
        )));
    };
    let r = &mut ctx.c.reply;
    if justinfo {
        r.array_len(4);
        r.int(g.pel.len() as i64);
        match (g.pel.keys().next(), g.pel.keys().next_back()) {
            (Some(&first), Some(&last)) => {
                reply_id(r, first);
                reply_id(r, last);
                let owners: Vec<&Consumer> = g.consumers().filter(|c| !c.pel.is_empty()).collect();
                r.array_len(owners.len());
                for c in owners {
                    r.array_len(2);
                    r.bulk(&c.name);
                    r.bulk_i64(c.pel.len() as i64);
                }
            }
            _ => {
                r.null();
                r.null();
                r.null_array();
            }
        }
        return Ok(());
    }
    let slot = match consumer {
        Some(name) => match g.lookup_consumer(name, true) {
            Some(sl) => Some(sl),
            None => {
                r.array_len(0);
                return Ok(());
            }
        },
        None => None,
    };
    let now = mstime();
    let ids: Box<dyn Iterator<Item = StreamId> + '_> = match slot.and_then(|sl| g.consumer(sl)) {
        Some(c) if start <= end => Box::new(c.pel.range(start..=end).copied()),
        None if start <= end => Box::new(g.pel.range(start..=end).map(|(&id, _)| id)),
        _ => Box::new(std::iter::empty()),
    };
    let d = r.deferred();
    let mut n = 0;
    for id in ids {
        if count == 0 {
            break;
        }
        let Some(nack) = g.pel.get(&id) else {
            continue;
        };
        if minidle != 0 && now.wrapping_sub(nack.delivery_time) < minidle {
            continue;
        }
        n += 1;
        count -= 1;
        r.array_len(4);
        reply_id(r, id);
        r.bulk(g.owner_name(nack));
        r.int(now.wrapping_sub(nack.delivery_time).max(0));
        r.int(nack.delivery_count as i64);
    }
    r.set_deferred_array(d, n);
    Ok(())
}

// ---------------------------------------------------------------------------
// XCLAIM, XAUTOCLAIM
// ---------------------------------------------------------------------------

/// `XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms]
/// [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID]
/// [LASTID lastid]`
pub fn xclaim_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let argc = ctx.argc();
    let (key, grp, cname) = (ctx.argv[1], ctx.argv[2], ctx.argv[3]);
    let has_group = lookup_stream_read(ctx.srv, db, key)?.is_some_and(|s| s.group(grp).is_some());
    if !has_group {
        return Err(Error::msg(format!(
            "NOGROUP No such key '{}' or consumer group '{}'",
            cstr(key),
            cstr(grp)
        )));
    }
    let minidle = parse_i64(ctx.argv[4])
        .ok_or(Error::err("ERR Invalid min-idle-time argument for XCLAIM"))?
        .max(0);
    let mut ids = Vec::new();
    let mut j = 5;
    while j < argc {
        match parse_strict_id(ctx.argv[j]) {
            Ok(id) => ids.push((id, ctx.argv[j])),
            Err(_) => break,
        }
        j += 1;
    }
    let now = mstime();
    let mut force = false;
    let mut justid = false;
    let mut deliverytime: i64 = -1;
    let mut retrycount: i64 = -1;
    let mut last_id = StreamId::ZERO;
    while j < argc {
        let moreargs = argc - 1 - j;
        let opt = ctx.argv[j];
        if opt.eq_ignore_ascii_case(b"force") {
            force = true;
        } else if opt.eq_ignore_ascii_case(b"justid") {
            justid = true;
        } else if opt.eq_ignore_ascii_case(b"idle") && moreargs > 0 {
            j += 1;
            let v = parse_i64(ctx.argv[j]).ok_or(Error::err("ERR Invalid IDLE option argument for XCLAIM"))?;
            deliverytime = now.wrapping_sub(v);
        } else if opt.eq_ignore_ascii_case(b"time") && moreargs > 0 {
            j += 1;
            deliverytime = parse_i64(ctx.argv[j]).ok_or(Error::err("ERR Invalid TIME option argument for XCLAIM"))?;
        } else if opt.eq_ignore_ascii_case(b"retrycount") && moreargs > 0 {
            j += 1;
            retrycount = parse_i64(ctx.argv[j]).ok_or(Error::err("ERR Invalid RETRYCOUNT option argument for XCLAIM"))?;
        } else if opt.eq_ignore_ascii_case(b"lastid") && moreargs > 0 {
            j += 1;
            last_id = parse_strict_id(ctx.argv[j])?;
        } else {
            return Err(Error::msg(format!("ERR Unrecognized XCLAIM option '{}'", cstr(opt))));
        }
        j += 1;
    }
    if deliverytime == -1 || deliverytime < 0 || deliverytime > now {
        deliverytime = now;
    }

    let propagate = ctx.srv.propagation_needed();
    let mut props: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut dirty = 0u64;
    let mut created = false;
    let Some(s) = stream_at(ctx.srv, db, key) else {
        return Ok(());
    };
    let r = &mut ctx.c.reply;
    s.with_group(grp, |s, g| {
        let mut propagate_last_id = false;
        if last_id > g.last_id {
            g.last_id = last_id;
            propagate_last_id = true;
        }
        let mut slot: Option<u32> = None;
        let d = r.deferred();
        let mut n = 0;
        for &(id, id_arg) in &ids {
            let pending = g.pel.get(&id).copied();
            if !s.entry_exists(id) {
                // Gone from the stream: drop it from the PEL too.
                if let Some(nack) = pending {
                    if propagate {
                        props.push(xclaim_propagation(key, grp, g, id_arg, &nack));
                    }
                    propagate_last_id = false;
                    dirty += 1;
                    g.remove_pending(id);
                }
                continue;
            }
            let mut nack = match pending {
                Some(nack) => nack,
                None if force => {
                    let fresh = Nack {
                        delivery_time: now,
                        delivery_count: 1,
                        consumer: NO_CONSUMER,
                    };
                    g.pel.insert(id, fresh);
                    fresh
                }
                None => continue,
            };
            if nack.consumer != NO_CONSUMER && minidle != 0 && now.wrapping_sub(nack.delivery_time) < minidle {
                continue;
            }
            let sl = claimer_slot(g, &mut slot, cname, &mut created);
            nack.delivery_time = deliverytime;
            if retrycount >= 0 {
                nack.delivery_count = retrycount as u64;
            } else if !justid {
                nack.delivery_count = nack.delivery_count.wrapping_add(1);
            }
            if let Some(p) = g.pel.get_mut(&id) {
                p.delivery_time = nack.delivery_time;
                p.delivery_count = nack.delivery_count;
            }
            if nack.consumer != sl {
                if nack.consumer == NO_CONSUMER {
                    if let Some(p) = g.pel.get_mut(&id) {
                        p.consumer = sl;
                    }
                    if let Some(c) = g.consumer_mut(sl) {
                        c.pel.insert(id);
                    }
                } else {
                    g.set_owner(id, sl);
                }
                nack.consumer = sl;
            }
            if justid {
                reply_id(r, id);
            } else if let Some(e) = s.range(id, id, false).next() {
                reply_entry(r, &e);
            }
            n += 1;
            if propagate {
                props.push(xclaim_propagation(key, grp, g, id_arg, &nack));
            }
            propagate_last_id = false;
            dirty += 1;
        }
        if propagate_last_id {
            if propagate {
                props.push(setid_propagation(key, grp, g));
            }
            dirty += 1;
        }
        r.set_deferred_array(d, n);
    });
    group_state_changed(ctx, key, created, dirty);
    ctx.no_propagate = true;
    for p in props {
        ctx.srv.propagate(db, p);
    }
    Ok(())
}

/// `XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]`
pub fn xautoclaim_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let argc = ctx.argc();
    let (key, grp, cname) = (ctx.argv[1], ctx.argv[2], ctx.argv[3]);
    let minidle = parse_i64(ctx.argv[4])
        .ok_or(Error::err("ERR Invalid min-idle-time argument for XAUTOCLAIM"))?
        .max(0);
    let (start, ex) = parse_interval_id(ctx.argv[5], 0)?;
    let start = if ex {
        start.incr().ok_or(Error::err("ERR invalid start ID for the interval"))?
    } else {
        start
    };
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < argc {
        let moreargs = argc - 1 - j;
        let opt = ctx.argv[j];
        if opt.eq_ignore_ascii_case(b"count") && moreargs > 0 {
            // The C code caps it so that count * attempts factor and
            // count * sizeof(streamID) cannot overflow.
            let max = i64::MAX / 16;
            count = match parse_i64(ctx.argv[j + 1]) {
                Some(v) if (1..=max).contains(&v) => v,
                _ => return Err(Error::err("ERR COUNT must be > 0")),
            };
            j += 1;
        } else if opt.eq_ignore_ascii_case(b"justid") {
            justid = true;
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    let has_group = lookup_stream_read(ctx.srv, db, key)?.is_some_and(|s| s.group(grp).is_some());
    if !has_group {
        return Err(Error::msg(format!(
            "NOGROUP No such key '{}' or consumer group '{}'",
            cstr(key),
            cstr(grp)
        )));
    }

    let propagate = ctx.srv.propagation_needed();
    let mut props: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut dirty = 0u64;
    let mut created = false;
    let Some(s) = stream_at(ctx.srv, db, key) else {
        return Ok(());
    };
    let r = &mut ctx.c.reply;
    s.with_group(grp, |s, g| {
        let now = mstime();
        let mut attempts = count.saturating_mul(10);
        let mut slot: Option<u32> = None;
        let mut deleted: Vec<StreamId> = Vec::new();
        // The cursor comes first but is known last: build the claimed
        // entries aside.
        let mut claimed_reply = ReplyBuf::new();
        claimed_reply.resp = r.resp;
        let mut n = 0;
        let mut next_from = Some(start);
        loop {
            if attempts == 0 {
                break;
            }
            attempts -= 1;
            if count == 0 {
                break;
            }
            let Some(from) = next_from else {
                break;
            };
            let Some((&id, &nack)) = g.pel.range(from..).next() else {
                next_from = None;
                break;
            };
            next_from = id.incr();
            if !s.entry_exists(id) {
                if propagate {
                    props.push(xclaim_propagation(key, grp, g, &id.to_bytes(), &nack));
                }
                dirty += 1;
                g.remove_pending(id);
                deleted.push(id);
                count -= 1;
                continue;
            }
            if minidle != 0 && now.wrapping_sub(nack.delivery_time) < minidle {
                continue;
            }
            let sl = claimer_slot(g, &mut slot, cname, &mut created);
            if nack.consumer == NO_CONSUMER {
                if let Some(p) = g.pel.get_mut(&id) {
                    p.consumer = sl;
                }
                if let Some(c) = g.consumer_mut(sl) {
                    c.pel.insert(id);
                }
            } else {
                g.set_owner(id, sl);
            }
            let mut claimed = nack;
            claimed.consumer = sl;
            claimed.delivery_time = now;
            if !justid {
                claimed.delivery_count = claimed.delivery_count.wrapping_add(1);
            }
            if let Some(p) = g.pel.get_mut(&id) {
                *p = claimed;
            }
            if justid {
                reply_id(&mut claimed_reply, id);
            } else if let Some(e) = s.range(id, id, false).next() {
                reply_entry(&mut claimed_reply, &e);
            }
            n += 1;
            count -= 1;
            if propagate {
                props.push(xclaim_propagation(key, grp, g, &id.to_bytes(), &claimed));
            }
            dirty += 1;
        }
        let cursor = next_from
            .and_then(|f| g.pel.range(f..).next().map(|(&id, _)| id))
            .unwrap_or(StreamId::ZERO);
        r.array_len(3);
        reply_id(r, cursor);
        r.array_len(n);
        r.raw(&claimed_reply.buf);
        r.array_len(deleted.len());
        for id in deleted {
            reply_id(r, id);
        }
    });
    group_state_changed(ctx, key, created, dirty);
    ctx.no_propagate = true;
    for p in props {
        ctx.srv.propagate(db, p);
    }
    Ok(())
}
