//! Streams (t_stream.c, stream.h): the stream type and its API. The
//! commands live next to it: `commands.rs` (XADD, XRANGE, XLEN, XDEL,
//! XTRIM, XSETID, XINFO), `groups.rs` (consumer groups: the group type,
//! XGROUP, XREAD/XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM) and
//! `persist.rs` (RDB type 15/19, the AOF rewrite, payload validation).
//!
//! A stream is stored the way Redis stores it, so RDB and DUMP payloads
//! are byte-identical: an ordered map from a node's *master ID* (compared
//! as the 128-bit big-endian number Redis uses as rax key) to a listpack
//! holding that node's entries:
//!
//! ```text
//! count | deleted | master-fields | field_1 .. field_N | 0        (master entry)
//! flags | ms-delta | seq-delta | [numfields | field value ..] or [value ..] | lp-count
//! ```
//!
//! Entry IDs are deltas from the master ID; an entry with exactly the
//! master's fields (flag SAMEFIELDS) stores only its values; deleted
//! entries stay as tombstones (flag DELETED) until their node goes. The
//! trailing lp-count lets the node be walked backwards. A node is closed
//! once it reaches `stream-node-max-bytes` or `stream-node-max-entries`.
//!
//! Listpacks loaded from RDB/RESTORE are validated entry by entry before
//! they get here (`persist.rs`), and every walk below goes through
//! `Option`s, so even a payload whose counters lie cannot make the code
//! index out of bounds or loop forever.

mod commands;
mod groups;
mod persist;
#[cfg(test)]
mod tests;

pub use commands::*;
pub use groups::*;
pub use persist::*;

use crate::debug::mix_digest;
use crate::ds::listpack::{Listpack, LpValue};
use crate::error::Error;
use crate::server::{CmdResult, Ctx, Server};
use crate::util::num::parse_i64;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------
// Stream IDs
// ---------------------------------------------------------------------------

/// A stream entry ID: milliseconds and a sequence number. The derived
/// order (ms, then seq) is the order of Redis's big-endian rax keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const ZERO: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    pub fn is_zero(self) -> bool {
        self == StreamId::ZERO
    }

    /// The next ID, None past the maximum (`streamIncrID` failing).
    pub fn incr(self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                None
            } else {
                Some(StreamId::new(self.ms + 1, 0))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq + 1))
        }
    }

    /// The previous ID, None below 0-0 (`streamDecrID` failing).
    pub fn decr(self) -> Option<StreamId> {
        if self.seq == 0 {
            if self.ms == 0 {
                None
            } else {
                Some(StreamId::new(self.ms - 1, u64::MAX))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq - 1))
        }
    }

    /// The 128-bit big-endian form (`streamEncodeID`), as in rax keys and
    /// RDB PELs.
    pub fn encode(self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.ms.to_be_bytes());
        b[8..].copy_from_slice(&self.seq.to_be_bytes());
        b
    }

    /// The reverse of [`StreamId::encode`].
    pub fn decode(b: &[u8; 16]) -> StreamId {
        let mut ms = [0u8; 8];
        let mut seq = [0u8; 8];
        ms.copy_from_slice(&b[..8]);
        seq.copy_from_slice(&b[8..]);
        StreamId::new(u64::from_be_bytes(ms), u64::from_be_bytes(seq))
    }

    /// Appends `<ms>-<seq>`.
    pub fn write_to(self, out: &mut Vec<u8>) {
        push_u64(out, self.ms);
        out.push(b'-');
        push_u64(out, self.seq);
    }

    /// `<ms>-<seq>` as bytes (`createStreamIDString`).
    pub fn to_bytes(self) -> Vec<u8> {
        let mut v = Vec::with_capacity(41);
        self.write_to(&mut v);
        v
    }
}

/// Appends an unsigned decimal.
fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// `string2ull`: a strict integer first, then what C's `strtoull` takes
/// (leading spaces, a sign, leading zeros; a minus wraps around).
fn parse_u64_c(s: &[u8]) -> Option<u64> {
    if let Some(v) = parse_i64(s) {
        return u64::try_from(v).ok();
    }
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    if i == s.len() || s.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in &s[i..] {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// The error every malformed ID gets.
pub fn invalid_id() -> Error {
    Error::err("ERR Invalid stream ID specified as stream command argument")
}

/// A parsed ID argument (`streamGenericParseIDOrReply`). `seq_given` is
/// false for the `<ms>-*` form, accepted only when `allow_seq_star`.
#[derive(Clone, Copy, Debug)]
pub struct ParsedId {
    pub id: StreamId,
    pub seq_given: bool,
}

/// Parses `<ms>[-<seq>]`, `-` and `+` (unless `strict`); a missing
/// sequence becomes `missing_seq`.
pub fn parse_id_full(arg: &[u8], missing_seq: u64, strict: bool, allow_seq_star: bool) -> Result<ParsedId, Error> {
    // Redis copies the argument into a 128-byte C buffer: longer ones are
    // refused and anything after a NUL is not seen.
    if arg.len() > 127 {
        return Err(invalid_id());
    }
    let arg = match arg.iter().position(|&c| c == 0) {
        Some(n) => &arg[..n],
        None => arg,
    };
    if arg == b"-" || arg == b"+" {
        if strict {
            return Err(invalid_id());
        }
        let id = if arg == b"-" { StreamId::ZERO } else { StreamId::MAX };
        return Ok(ParsedId { id, seq_given: true });
    }
    let (ms_part, seq_part) = match arg.iter().position(|&c| c == b'-') {
        Some(n) => (&arg[..n], Some(&arg[n + 1..])),
        None => (arg, None),
    };
    let ms = parse_u64_c(ms_part).ok_or_else(invalid_id)?;
    let (seq, seq_given) = match seq_part {
        Some(b"*") if allow_seq_star => (0, false),
        Some(s) => (parse_u64_c(s).ok_or_else(invalid_id)?, true),
        None => (missing_seq, true),
    };
    Ok(ParsedId {
        id: StreamId::new(ms, seq),
        seq_given,
    })
}

/// A strict ID (no `-`/`+`), missing sequence 0.
pub fn parse_strict_id(arg: &[u8]) -> Result<StreamId, Error> {
    parse_id_full(arg, 0, true, false).map(|p| p.id)
}

/// A range bound (`streamParseIntervalIDOrReply`): `(` makes it
/// exclusive (and then `-`/`+` are refused). Returns (id, exclusive).
pub fn parse_interval_id(arg: &[u8], missing_seq: u64) -> Result<(StreamId, bool), Error> {
    if arg.len() > 1 && arg[0] == b'(' {
        Ok((parse_id_full(&arg[1..], missing_seq, true, false)?.id, true))
    } else {
        Ok((parse_id_full(arg, missing_seq, false, false)?.id, false))
    }
}

/// A range start: exclusive bounds move up by one.
pub fn parse_range_start(arg: &[u8]) -> Result<StreamId, Error> {
    let (id, ex) = parse_interval_id(arg, 0)?;
    if ex {
        id.incr().ok_or(Error::err("ERR invalid start ID for the interval"))
    } else {
        Ok(id)
    }
}

/// A range end: exclusive bounds move down by one.
pub fn parse_range_end(arg: &[u8]) -> Result<StreamId, Error> {
    let (id, ex) = parse_interval_id(arg, u64::MAX)?;
    if ex {
        id.decr().ok_or(Error::err("ERR invalid end ID for the interval"))
    } else {
        Ok(id)
    }
}

// ---------------------------------------------------------------------------
// Node (listpack) layout
// ---------------------------------------------------------------------------

/// Entry flags (`STREAM_ITEM_FLAG_*`).
const FLAG_DELETED: i64 = 1 << 0;
const FLAG_SAMEFIELDS: i64 = 1 << 1;

/// Upper bound on a node's listpack (`STREAM_LISTPACK_MAX_SIZE`), and on
/// the bytes of one entry.
pub const LISTPACK_MAX_SIZE: usize = 1 << 30;
/// A new node's buffer is preallocated up to this (`STREAM_LISTPACK_MAX_PRE_ALLOCATE`).
const LISTPACK_MAX_PREALLOC: usize = 4096;

/// An integer element (counters, flags, deltas): the stored integer, or
/// a string that parses as one; anything else reads as 0.
#[inline]
fn lp_int(lp: &Listpack, pos: usize) -> i64 {
    lp.get(pos).as_i64().unwrap_or(0)
}

/// A count read from a node, never negative.
#[inline]
fn lp_count(lp: &Listpack, pos: usize) -> usize {
    usize::try_from(lp_int(lp, pos)).unwrap_or(0)
}

/// Where the parts of a node are.
#[derive(Clone, Copy, Debug)]
struct Layout {
    /// Live entries (header count).
    count: i64,
    /// Tombstones (header count).
    deleted: i64,
    master_fields: usize,
    /// The first master field (or the master terminator if none).
    master_start: usize,
    /// The first entry's flags.
    entries_start: Option<usize>,
}

fn layout(lp: &Listpack) -> Option<Layout> {
    let p_count = lp.first()?;
    let p_deleted = lp.next(p_count)?;
    let p_fields = lp.next(p_deleted)?;
    let master_fields = lp_count(lp, p_fields);
    let master_start = lp.next(p_fields)?;
    let mut p = master_start;
    for _ in 0..master_fields {
        p = lp.next(p)?;
    }
    Some(Layout {
        count: lp_int(lp, p_count),
        deleted: lp_int(lp, p_deleted),
        master_fields,
        master_start,
        entries_start: lp.next(p),
    })
}

/// One entry of a node, located.
#[derive(Clone, Copy, Debug)]
struct RawEntry {
    id: StreamId,
    flags: i64,
    flags_pos: usize,
    numfields: usize,
    /// The first field (or value, with SAMEFIELDS); the lp-count when
    /// there are no fields.
    body_pos: usize,
    /// The next entry's flags.
    next: Option<usize>,
}

impl RawEntry {
    fn deleted(&self) -> bool {
        self.flags & FLAG_DELETED != 0
    }
    fn samefields(&self) -> bool {
        self.flags & FLAG_SAMEFIELDS != 0
    }
}

/// Reads the entry whose flags are at `p`.
fn read_entry(lp: &Listpack, master: StreamId, lay: &Layout, p: usize) -> Option<RawEntry> {
    let flags = lp_int(lp, p);
    let p_ms = lp.next(p)?;
    let p_seq = lp.next(p_ms)?;
    let id = StreamId::new(
        master.ms.wrapping_add(lp_int(lp, p_ms) as u64),
        master.seq.wrapping_add(lp_int(lp, p_seq) as u64),
    );
    let mut q = lp.next(p_seq)?;
    let (numfields, elements) = if flags & FLAG_SAMEFIELDS != 0 {
        (lay.master_fields, lay.master_fields)
    } else {
        let n = lp_count(lp, q);
        q = lp.next(q)?;
        (n, n.saturating_mul(2))
    };
    let body_pos = q;
    for _ in 0..elements {
        q = lp.next(q)?;
    }
    Some(RawEntry {
        id,
        flags,
        flags_pos: p,
        numfields,
        body_pos,
        next: lp.next(q),
    })
}

/// From the lp-count at `p`, the flags of that entry; None at the master
/// terminator.
fn entry_start_from_end(lp: &Listpack, p: usize) -> Option<usize> {
    let back = lp_count(lp, p);
    if back == 0 {
        return None;
    }
    let mut q = p;
    for _ in 0..back {
        q = lp.prev(q)?;
    }
    Some(q)
}

// ---------------------------------------------------------------------------
// The stream
// ---------------------------------------------------------------------------

/// Node size limits (`stream-node-max-bytes`, `stream-node-max-entries`).
#[derive(Clone, Copy, Debug)]
pub struct NodeLimits {
    pub max_bytes: i64,
    pub max_entries: i64,
}

impl NodeLimits {
    pub fn of(srv: &Server) -> NodeLimits {
        NodeLimits {
            max_bytes: srv.cfg.stream_node_max_bytes,
            max_entries: srv.cfg.stream_node_max_entries,
        }
    }
}

/// A stream value.
#[derive(Clone, Debug, Default)]
pub struct Stream {
    /// Master ID -> node.
    nodes: BTreeMap<StreamId, Listpack>,
    /// Live entries.
    length: u64,
    /// The last ID ever added (or set by XSETID).
    pub last_id: StreamId,
    /// The first live entry, 0-0 when empty.
    pub first_id: StreamId,
    /// The greatest ID ever deleted with XDEL.
    pub max_deleted_id: StreamId,
    /// All entries ever added.
    pub entries_added: u64,
    /// Consumer groups by name.
    pub(crate) groups: BTreeMap<Vec<u8>, Group>,
    /// XINFO's radix-tree-nodes for the current node keys, computed on
    /// demand (a walk over every key) and forgotten when a node comes or
    /// goes; [`RAX_NODES_UNKNOWN`] when not known.
    rax_nodes: std::cell::Cell<usize>,
}

/// `Stream::rax_nodes` when it must be recomputed (a rax always has at
/// least its root, so 0 is free, and it is what `Default` gives).
const RAX_NODES_UNKNOWN: usize = 0;

/// Why an append failed.
#[derive(Debug, PartialEq, Eq)]
pub enum AppendError {
    /// The ID is not greater than the last one (`EDOM`).
    IdTooSmall,
    /// The fields and values are too large for a node (`ERANGE`).
    TooLarge,
}

impl Stream {
    /// Active defrag from `cursor` (a node index), about `budget` nodes;
    /// returns the next cursor (0: done). Each node's listpack moves; the
    /// ordered map's own nodes are the standard library's and stay, as do
    /// the PEL entries (stored inline in the group's ordered maps). After
    /// the last node, the consumer tables and names move. An index cursor
    /// stays valid across writes: at worst a node is visited twice or
    /// skipped this scan.
    pub fn defrag(&mut self, mv: &mut crate::server::defrag::Mover, cursor: u64, budget: usize) -> u64 {
        let start = usize::try_from(cursor).unwrap_or(usize::MAX);
        let mut seen = 0usize;
        for lp in self.nodes.values_mut().skip(start) {
            lp.defrag(mv);
            seen += 1;
            if seen >= budget.max(1) {
                let next = start.saturating_add(seen);
                if next < self.nodes.len() {
                    return next as u64;
                }
                break;
            }
        }
        for g in self.groups.values_mut() {
            g.defrag(mv);
        }
        0
    }

    pub fn new() -> Stream {
        Stream::default()
    }

    pub fn encoding_name(&self) -> &'static str {
        "stream"
    }

    /// Live entries (`streamLength`).
    pub fn len(&self) -> usize {
        usize::try_from(self.length).unwrap_or(usize::MAX)
    }

    pub fn length(&self) -> u64 {
        self.length
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// Number of nodes (XINFO's radix-tree-keys).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The nodes in order, as (master ID, listpack).
    pub fn nodes(&self) -> impl Iterator<Item = (&StreamId, &Listpack)> {
        self.nodes.iter()
    }

    /// Adds a node read from RDB; false if its master ID is taken.
    pub(crate) fn insert_node(&mut self, master: StreamId, lp: Listpack) -> bool {
        if self.nodes.contains_key(&master) {
            return false;
        }
        self.nodes.insert(master, lp);
        self.rax_nodes.set(RAX_NODES_UNKNOWN);
        true
    }

    pub(crate) fn set_length(&mut self, n: u64) {
        self.length = n;
    }

    /// Entries in `[start, end]`, in order or reversed
    /// (`streamIteratorStart`), without tombstones.
    pub fn range(&self, start: StreamId, end: StreamId, rev: bool) -> Iter<'_> {
        Iter::new(self, start, end, rev, true)
    }

    /// Every entry, oldest first.
    pub fn iter(&self) -> Iter<'_> {
        self.range(StreamId::ZERO, StreamId::MAX, false)
    }

    /// True if a live entry with this ID exists (`streamEntryExists`).
    pub fn entry_exists(&self, id: StreamId) -> bool {
        self.range(id, id, false).next().is_some()
    }

    /// The last live ID (`streamLastValidID`), None when empty.
    pub fn last_valid_id(&self) -> Option<StreamId> {
        self.range(StreamId::ZERO, StreamId::MAX, true).next().map(|e| e.id)
    }

    /// The first or last entry ID, tombstones included or not
    /// (`streamGetEdgeID`); MAX (first) or 0-0 (last) when there is none.
    pub fn edge_id(&self, first: bool, skip_tombstones: bool) -> StreamId {
        let found = Iter::new(self, StreamId::ZERO, StreamId::MAX, !first, skip_tombstones).next();
        match found {
            Some(e) => e.id,
            None if first => StreamId::MAX,
            None => StreamId::ZERO,
        }
    }

    /// Appends an entry (`streamAppendItem`): `pairs` is field, value,
    /// field, value... `use_id` is an explicit ID, with `seq_given` false
    /// for `<ms>-*`.
    pub fn append(&mut self, pairs: &[&[u8]], use_id: Option<ParsedId>, limits: NodeLimits) -> Result<StreamId, AppendError> {
        let id = match use_id {
            Some(p) if p.seq_given => p.id,
            Some(p) => {
                if self.last_id.ms == p.id.ms {
                    if self.last_id.seq == u64::MAX {
                        // Redis returns here without setting errno, so
                        // XADD reports the other error.
                        return Err(AppendError::TooLarge);
                    }
                    StreamId::new(p.id.ms, self.last_id.seq + 1)
                } else {
                    p.id
                }
            }
            None => next_id(self.last_id).ok_or(AppendError::IdTooSmall)?,
        };
        if id <= self.last_id {
            return Err(AppendError::IdTooSmall);
        }
        let total: usize = pairs.iter().map(|p| p.len()).fold(0usize, |a, b| a.saturating_add(b));
        if total > LISTPACK_MAX_SIZE {
            return Err(AppendError::TooLarge);
        }
        let numfields = pairs.len() / 2;

        // Close the tail node if it is full.
        let mut max_bytes = usize::try_from(limits.max_bytes).unwrap_or(0);
        if max_bytes == 0 || max_bytes > LISTPACK_MAX_SIZE {
            max_bytes = LISTPACK_MAX_SIZE;
        }
        let mut tail_open = false;
        if let Some((_, lp)) = self.nodes.iter_mut().next_back() {
            let full = if lp.bytes().saturating_add(total) >= max_bytes {
                true
            } else if limits.max_entries != 0 {
                let (count, deleted) = match layout(lp) {
                    Some(l) => (l.count, l.deleted),
                    None => (i64::MAX, 0),
                };
                count.saturating_add(deleted) >= limits.max_entries
            } else {
                false
            };
            if full {
                lp.shrink_to_fit();
            } else {
                tail_open = true;
            }
        }

        let mut flags = 0;
        if !tail_open {
            // A new node whose master entry has this entry's fields.
            let mut prealloc = LISTPACK_MAX_PREALLOC;
            if limits.max_bytes > 0 && (limits.max_bytes as u64) < prealloc as u64 {
                prealloc = limits.max_bytes as usize;
            }
            let mut lp = Listpack::with_capacity(prealloc);
            lp.append_int(1);
            lp.append_int(0);
            lp.append_int(numfields as i64);
            for pair in pairs.chunks_exact(2) {
                lp.append(pair[0]);
            }
            lp.append_int(0);
            self.nodes.insert(id, lp);
            self.rax_nodes.set(RAX_NODES_UNKNOWN);
            flags |= FLAG_SAMEFIELDS;
        }
        let Some((&master, lp)) = self.nodes.iter_mut().next_back() else {
            return Err(AppendError::TooLarge);
        };
        if tail_open {
            let Some(lay) = layout(lp) else {
                return Err(AppendError::TooLarge);
            };
            if let Some(p) = lp.first() {
                lp.replace_int(p, lay.count.saturating_add(1));
            }
            // Positions moved if the count grew a byte: re-read.
            if let Some(lay) = layout(lp) {
                if lay.master_fields == numfields {
                    let mut p = Some(lay.master_start);
                    let mut same = true;
                    for pair in pairs.chunks_exact(2) {
                        match p {
                            Some(q) if lp.get(q).eq_bytes(pair[0]) => p = lp.next(q),
                            _ => {
                                same = false;
                                break;
                            }
                        }
                    }
                    if same {
                        flags |= FLAG_SAMEFIELDS;
                    }
                }
            }
        }
        lp.append_int(flags);
        lp.append_int(id.ms.wrapping_sub(master.ms) as i64);
        lp.append_int(id.seq.wrapping_sub(master.seq) as i64);
        let same = flags & FLAG_SAMEFIELDS != 0;
        if !same {
            lp.append_int(numfields as i64);
        }
        for pair in pairs.chunks_exact(2) {
            if !same {
                lp.append(pair[0]);
            }
            lp.append(pair[1]);
        }
        let lp_count = if same { numfields + 3 } else { 2 * numfields + 4 };
        lp.append_int(lp_count as i64);

        self.length += 1;
        self.entries_added = self.entries_added.wrapping_add(1);
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        Ok(id)
    }

    /// Deletes a live entry (`streamDeleteItem`); true if it was there.
    /// Does not touch first_id / max_deleted_id (XDEL does).
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some((&master, lp)) = self.nodes.range_mut(..=id).next_back() else {
            return false;
        };
        let Some(lay) = layout(lp) else {
            return false;
        };
        let mut p = lay.entries_start;
        let mut found = None;
        while let Some(q) = p {
            let Some(e) = read_entry(lp, master, &lay, q) else {
                break;
            };
            if e.id > id {
                break;
            }
            if e.id == id && !e.deleted() {
                found = Some(e);
                break;
            }
            p = e.next;
        }
        let Some(e) = found else {
            return false;
        };
        if lay.count <= 1 {
            // The node's last live entry: the whole node goes.
            self.nodes.remove(&master);
            self.rax_nodes.set(RAX_NODES_UNKNOWN);
        } else {
            lp.replace_int(e.flags_pos, e.flags | FLAG_DELETED);
            if let Some(p0) = lp.first() {
                lp.replace_int(p0, lay.count - 1);
                if let Some(p1) = lp.next(p0) {
                    lp.replace_int(p1, lay.deleted.saturating_add(1));
                }
            }
        }
        self.length = self.length.saturating_sub(1);
        true
    }

    /// Trims from the head (`streamTrim`); returns the entries removed.
    pub fn trim(&mut self, t: &Trim) -> u64 {
        let mut deleted: i64 = 0;
        loop {
            if let TrimBy::MaxLen(maxlen) = t.by {
                if self.length <= maxlen {
                    break;
                }
            }
            let Some(mut node) = self.nodes.first_entry() else {
                break;
            };
            let master = *node.key();
            let lp = node.get_mut();
            let Some(lay) = layout(lp) else {
                break;
            };
            let entries = lay.count;
            if t.limit != 0 && deleted.saturating_add(entries) > t.limit {
                break;
            }
            let remove_node = match t.by {
                TrimBy::MaxLen(maxlen) => i128::from(self.length) - i128::from(entries) >= i128::from(maxlen),
                TrimBy::MinId(minid) => {
                    let last = lp
                        .last()
                        .and_then(|p| entry_start_from_end(lp, p))
                        .and_then(|p| read_entry(lp, master, &lay, p));
                    match last {
                        Some(e) => e.id < minid,
                        None => false,
                    }
                }
            };
            if remove_node {
                node.remove();
                self.rax_nodes.set(RAX_NODES_UNKNOWN);
                self.length = u64::try_from(i128::from(self.length) - i128::from(entries)).unwrap_or(0);
                deleted = deleted.saturating_add(entries);
                continue;
            }
            if t.approx {
                break;
            }
            // Mark entries of this node as deleted until the goal is met.
            let mut removed_here: i64 = 0;
            let mut p = lay.entries_start;
            while let Some(q) = p {
                let Some(e) = read_entry(lp, master, &lay, q) else {
                    break;
                };
                let stop = match t.by {
                    TrimBy::MaxLen(maxlen) => self.length <= maxlen,
                    TrimBy::MinId(minid) => e.id >= minid,
                };
                if stop {
                    break;
                }
                if e.deleted() {
                    p = e.next;
                    continue;
                }
                lp.replace_int(e.flags_pos, e.flags | FLAG_DELETED);
                removed_here += 1;
                self.length = self.length.saturating_sub(1);
                p = read_entry(lp, master, &lay, q).and_then(|e| e.next);
            }
            deleted = deleted.saturating_add(removed_here);
            if let Some(p0) = lp.first() {
                lp.replace_int(p0, entries - removed_here);
                if let Some(p1) = lp.next(p0) {
                    lp.replace_int(p1, lay.deleted.saturating_add(removed_here));
                }
            }
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::ZERO;
        } else if deleted != 0 {
            self.first_id = self.edge_id(true, true);
        }
        u64::try_from(deleted).unwrap_or(0)
    }

    /// True if a tombstone may lie in `[start, end]`
    /// (`streamRangeHasTombstones`).
    pub fn range_has_tombstones(&self, start: Option<StreamId>, end: Option<StreamId>) -> bool {
        if self.length == 0 || self.max_deleted_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_id {
            return false;
        }
        let start = start.unwrap_or(StreamId::ZERO);
        let end = end.unwrap_or(StreamId::MAX);
        start <= self.max_deleted_id && self.max_deleted_id <= end
    }

    /// The logical read counter of `id` (its distance from the first
    /// entry ever added), when it can be known
    /// (`streamEstimateDistanceFromFirstEverEntry`); -1 when not.
    pub fn estimate_distance(&self, id: StreamId) -> i64 {
        let added = self.entries_added as i64;
        if self.entries_added == 0 {
            return 0;
        }
        if self.length == 0 && id <= self.last_id {
            return added;
        }
        match id.cmp(&self.last_id) {
            std::cmp::Ordering::Equal => return added,
            std::cmp::Ordering::Greater => return INVALID_ENTRIES_READ,
            std::cmp::Ordering::Less => {}
        }
        if self.max_deleted_id.is_zero() || self.max_deleted_id < self.first_id {
            let len = self.length as i64;
            match id.cmp(&self.first_id) {
                std::cmp::Ordering::Less => return added.wrapping_sub(len),
                std::cmp::Ordering::Equal => return added.wrapping_sub(len).wrapping_add(1),
                std::cmp::Ordering::Greater => {}
            }
        }
        INVALID_ENTRIES_READ
    }

    /// A group's lag, None when it cannot be computed
    /// (`streamReplyWithCGLag`).
    pub fn group_lag(&self, g: &Group) -> Option<i64> {
        let added = self.entries_added as i64;
        if self.entries_added == 0 {
            return Some(0);
        }
        if g.entries_read != INVALID_ENTRIES_READ && !self.range_has_tombstones(Some(g.last_id), None) {
            return Some(added.wrapping_sub(g.entries_read));
        }
        let read = self.estimate_distance(g.last_id);
        (read != INVALID_ENTRIES_READ).then(|| added.wrapping_sub(read))
    }

    /// Mixes the entries into a DEBUG DIGEST accumulator
    /// (`xorObjectDigest`): each ID as `ms.seq`, then fields and values.
    /// Consumer groups are not part of it.
    pub fn digest(&self, d: &mut [u8; 20]) {
        let mut buf = Vec::new();
        for e in self.iter() {
            buf.clear();
            push_u64(&mut buf, e.id.ms);
            buf.push(b'.');
            push_u64(&mut buf, e.id.seq);
            mix_digest(d, &buf);
            for (f, v) in e.fields() {
                buf.clear();
                f.write_to(&mut buf);
                mix_digest(d, &buf);
                buf.clear();
                v.write_to(&mut buf);
                mix_digest(d, &buf);
            }
        }
    }

    /// Heap bytes used (for MEMORY USAGE), in jemalloc size classes.
    pub fn alloc_size(&self) -> usize {
        use crate::object::jemalloc_class as class;
        let mut n = class(std::mem::size_of::<Stream>());
        // B-tree slots: key + listpack header, about 2/3 full.
        let slot = std::mem::size_of::<StreamId>() + std::mem::size_of::<Listpack>();
        n += self.nodes.len() * slot * 3 / 2;
        for lp in self.nodes.values() {
            n += class(lp.capacity());
        }
        for (name, g) in &self.groups {
            n += class(name.len()) + g.alloc_size();
        }
        n
    }

    /// How much work freeing this stream is (`lazyfreeGetFreeEffort`):
    /// one per radix-tree node, plus, per group, one and the size of the
    /// first group's PEL (Redis takes it as typical). Above
    /// `LAZYFREE_THRESHOLD` (64) Redis frees the value in the background.
    pub fn free_effort(&self) -> usize {
        let mut effort = self.rax_node_count();
        if let Some(first) = self.groups.values().next() {
            effort = effort.saturating_add(self.groups.len().saturating_mul(1 + first.pel.len()));
        }
        effort
    }

    /// The number of nodes Redis's rax would have for these node keys
    /// (XINFO STREAM's radix-tree-nodes).
    pub fn rax_node_count(&self) -> usize {
        let cached = self.rax_nodes.get();
        if cached != RAX_NODES_UNKNOWN {
            return cached;
        }
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(|k| k.encode()).collect();
        let n = rax_nodes(&keys, 0);
        self.rax_nodes.set(n);
        n
    }

    /// The group called `name`.
    pub fn group(&self, name: &[u8]) -> Option<&Group> {
        self.groups.get(name)
    }

    pub fn group_mut(&mut self, name: &[u8]) -> Option<&mut Group> {
        self.groups.get_mut(name)
    }

    /// Creates a group; false if the name is taken (`streamCreateCG`).
    pub fn create_group(&mut self, name: &[u8], last_id: StreamId, entries_read: i64) -> bool {
        if self.groups.contains_key(name) {
            return false;
        }
        self.groups.insert(name.to_vec(), Group::new(last_id, entries_read));
        true
    }

    /// Removes a group; false if there was none.
    pub fn destroy_group(&mut self, name: &[u8]) -> bool {
        self.groups.remove(name).is_some()
    }

    /// The groups in name order.
    pub fn groups(&self) -> impl Iterator<Item = (&Vec<u8>, &Group)> {
        self.groups.iter()
    }

    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// Runs `f` on the group `name` with the stream's entries at hand
    /// (the group is lifted out meanwhile, so `f` must not look at the
    /// stream's groups). None if there is no such group.
    pub fn with_group<R>(&mut self, name: &[u8], f: impl FnOnce(&Stream, &mut Group) -> R) -> Option<R> {
        let (key, mut g) = self.groups.remove_entry(name)?;
        let r = f(self, &mut g);
        self.groups.insert(key, g);
        Some(r)
    }
}

/// An ID for XADD `*` (`streamNextID`): now, or the last one plus one
/// when the clock has not moved past it.
fn next_id(last: StreamId) -> Option<StreamId> {
    let ms = u64::try_from(crate::util::mstime()).unwrap_or(0);
    if ms > last.ms {
        Some(StreamId::new(ms, 0))
    } else {
        last.incr()
    }
}

/// Nodes of a rax holding `keys` (sorted, distinct, all 16 bytes) below
/// a node at depth `depth`: this node, a branching node where the keys
/// first differ (when that is deeper), and the subtrees of each branch.
fn rax_nodes(keys: &[[u8; 16]], depth: usize) -> usize {
    let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
        return 1;
    };
    if depth == 16 {
        return 1;
    }
    let common = (depth..16).find(|&i| first[i] != last[i]).unwrap_or(16);
    if common == 16 {
        // One key: this node (a compressed path) and its leaf.
        return 2;
    }
    let mut total = 1 + usize::from(common > depth);
    let mut i = 0;
    while i < keys.len() {
        let b = keys[i][common];
        let mut j = i + 1;
        while j < keys.len() && keys[j][common] == b {
            j += 1;
        }
        total += rax_nodes(&keys[i..j], common + 1);
        i = j;
    }
    total
}

/// How to trim.
#[derive(Clone, Copy, Debug)]
pub enum TrimBy {
    MaxLen(u64),
    MinId(StreamId),
}

/// Trimming arguments (`streamAddTrimArgs`, the trim part).
#[derive(Clone, Copy, Debug)]
pub struct Trim {
    pub by: TrimBy,
    /// `~`: only whole nodes go.
    pub approx: bool,
    /// At most this many entries (0: no limit).
    pub limit: i64,
}

// ---------------------------------------------------------------------------
// Iteration
// ---------------------------------------------------------------------------

/// A node being walked.
struct NodeCursor<'a> {
    master: StreamId,
    lp: &'a Listpack,
    lay: Layout,
    /// Forward: the next entry's flags. Reverse: the lp-count of the next
    /// entry to look at.
    pos: Option<usize>,
}

/// Entries of a stream within a range (`streamIterator`).
pub struct Iter<'a> {
    nodes: std::collections::btree_map::Range<'a, StreamId, Listpack>,
    cur: Option<NodeCursor<'a>>,
    start: StreamId,
    end: StreamId,
    rev: bool,
    skip_tombstones: bool,
    done: bool,
}

impl<'a> Iter<'a> {
    fn new(s: &'a Stream, start: StreamId, end: StreamId, rev: bool, skip_tombstones: bool) -> Iter<'a> {
        let nodes = if !rev {
            // Start from the node that may hold `start`.
            match s.nodes.range(..=start).next_back() {
                Some((&k, _)) => s.nodes.range(k..),
                None => s.nodes.range(..),
            }
        } else {
            s.nodes.range(..=end)
        };
        Iter {
            nodes,
            cur: None,
            start,
            end,
            rev,
            skip_tombstones,
            done: false,
        }
    }

    fn open_next_node(&mut self) -> bool {
        let next = if self.rev { self.nodes.next_back() } else { self.nodes.next() };
        let Some((&master, lp)) = next else {
            return false;
        };
        let Some(lay) = layout(lp) else {
            self.cur = Some(NodeCursor {
                master,
                lp,
                lay: Layout {
                    count: 0,
                    deleted: 0,
                    master_fields: 0,
                    master_start: 0,
                    entries_start: None,
                },
                pos: None,
            });
            return true;
        };
        let pos = if self.rev { lp.last() } else { lay.entries_start };
        self.cur = Some(NodeCursor { master, lp, lay, pos });
        true
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        if self.done {
            return None;
        }
        loop {
            let Some(c) = self.cur.as_mut() else {
                if !self.open_next_node() {
                    self.done = true;
                    return None;
                }
                continue;
            };
            let Some(p) = c.pos else {
                self.cur = None;
                continue;
            };
            let raw = if !self.rev {
                read_entry(c.lp, c.master, &c.lay, p)
            } else {
                entry_start_from_end(c.lp, p).and_then(|f| read_entry(c.lp, c.master, &c.lay, f))
            };
            let Some(e) = raw else {
                self.cur = None;
                continue;
            };
            c.pos = if !self.rev { e.next } else { c.lp.prev(e.flags_pos) };
            let visible = !self.skip_tombstones || !e.deleted();
            let entry = Entry {
                id: e.id,
                deleted: e.deleted(),
                lp: c.lp,
                numfields: e.numfields,
                samefields: e.samefields(),
                master_start: c.lay.master_start,
                body_pos: e.body_pos,
            };
            if !self.rev {
                if e.id >= self.start && visible {
                    if e.id > self.end {
                        self.done = true;
                        return None;
                    }
                    return Some(entry);
                }
            } else if e.id <= self.end && visible {
                if e.id < self.start {
                    self.done = true;
                    return None;
                }
                return Some(entry);
            }
        }
    }
}

/// An entry found by [`Iter`].
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    pub id: StreamId,
    pub deleted: bool,
    lp: &'a Listpack,
    numfields: usize,
    samefields: bool,
    master_start: usize,
    body_pos: usize,
}

impl<'a> Entry<'a> {
    pub fn numfields(&self) -> usize {
        self.numfields
    }

    /// The (field, value) pairs.
    pub fn fields(&self) -> Fields<'a> {
        Fields {
            lp: self.lp,
            left: self.numfields,
            field: if self.samefields { Some(self.master_start) } else { None },
            pos: Some(self.body_pos),
        }
    }
}

/// The (field, value) pairs of an [`Entry`].
pub struct Fields<'a> {
    lp: &'a Listpack,
    left: usize,
    /// With SAMEFIELDS: the next master field.
    field: Option<usize>,
    pos: Option<usize>,
}

impl<'a> Iterator for Fields<'a> {
    type Item = (LpValue<'a>, LpValue<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let lp = self.lp;
        let f = match self.field {
            Some(m) => {
                self.field = lp.next(m);
                lp.get(m)
            }
            None => {
                let p = self.pos?;
                self.pos = lp.next(p);
                lp.get(p)
            }
        };
        let p = self.pos?;
        self.pos = lp.next(p);
        Some((f, lp.get(p)))
    }
}

// ---------------------------------------------------------------------------
// DEBUG
// ---------------------------------------------------------------------------

/// Streams own no DEBUG subcommand.
pub fn debug_hook(_ctx: &mut Ctx) -> Option<CmdResult> {
    None
}
