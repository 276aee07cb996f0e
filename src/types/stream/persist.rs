//! Streams on disk: the RDB payload of types 15 (`STREAM_LISTPACKS`, read
//! only) and 19 (`STREAM_LISTPACKS_2`, what 7.0 writes), the check of
//! each node's listpack (`streamValidateListpackIntegrity`), and the
//! commands of an AOF rewrite (`rewriteStreamObject` in aof.c).
//!
//! Every node listpack is checked entry by entry whatever
//! `sanitize-dump-payload` says, so the stream code never meets a
//! malformed node. What the setting adds is Redis's check that every
//! pending entry has an owner.

use super::{Group, Listpack, Stream, StreamId, INVALID_ENTRIES_READ};
use crate::persist::rdb::codec::{corrupt, Len, LoadResult, RdbReader, RdbWriter, TYPE_STREAM_LISTPACKS_2};
use crate::server::Server;
use std::io::{self, Read, Write};

// ---------------------------------------------------------------------------
// RDB
// ---------------------------------------------------------------------------

/// Writes the payload of RDB type 19 (`rdbSaveObject` for streams).
pub fn write_rdb<W: Write>(w: &mut RdbWriter<W>, s: &Stream) -> io::Result<()> {
    w.len(s.node_count() as u64)?;
    for (master, lp) in s.nodes() {
        w.string(&master.encode())?;
        w.string(lp.as_bytes())?;
    }
    w.len(s.length())?;
    w.len(s.last_id.ms)?;
    w.len(s.last_id.seq)?;
    w.len(s.first_id.ms)?;
    w.len(s.first_id.seq)?;
    w.len(s.max_deleted_id.ms)?;
    w.len(s.max_deleted_id.seq)?;
    w.len(s.entries_added)?;
    w.len(s.group_count() as u64)?;
    for (name, g) in s.groups() {
        w.string(name)?;
        w.len(g.last_id.ms)?;
        w.len(g.last_id.seq)?;
        // -1 is written as the unsigned length 2^64-1, as Redis does.
        w.len(g.entries_read as u64)?;
        w.len(g.pel.len() as u64)?;
        for (id, nack) in &g.pel {
            w.raw(&id.encode())?;
            w.ms_time(nack.delivery_time)?;
            w.len(nack.delivery_count)?;
        }
        w.len(g.consumer_count() as u64)?;
        for c in g.consumers() {
            w.string(&c.name)?;
            w.ms_time(c.seen_time)?;
            w.len(c.pel.len() as u64)?;
            for id in &c.pel {
                w.raw(&id.encode())?;
            }
        }
    }
    Ok(())
}

/// A length as `rdbLoadLen` reads it when the caller ignores the
/// "encoded" flag: an encoded-type byte yields its low 6 bits.
fn load_len<R: Read>(r: &mut RdbReader<R>) -> LoadResult<u64> {
    Ok(match r.len_or_enc()? {
        Len::Len(n) => n,
        Len::Encoded(e) => u64::from(e),
    })
}

fn load_id<R: Read>(r: &mut RdbReader<R>) -> LoadResult<StreamId> {
    let ms = load_len(r)?;
    let seq = load_len(r)?;
    Ok(StreamId::new(ms, seq))
}

fn load_raw_id<R: Read>(r: &mut RdbReader<R>) -> LoadResult<StreamId> {
    let mut b = [0u8; 16];
    r.exact(&mut b)?;
    Ok(StreamId::decode(&b))
}

/// Reads a stream payload of RDB type 15 or 19 (`rdbLoadObject`). With
/// `deep` (sanitize-dump-payload), every pending entry must have an
/// owner.
pub fn read_rdb<R: Read>(srv: &mut Server, r: &mut RdbReader<R>, t: u8, deep: bool) -> LoadResult<Stream> {
    let mut s = Stream::new();
    let nodes = load_len(r)?;
    for _ in 0..nodes {
        let key = r.string()?;
        let Ok(key) = <[u8; 16]>::try_from(key.as_slice()) else {
            return corrupt("Stream node key entry is not the size of a stream ID");
        };
        let bytes = r.string()?;
        if deep {
            srv.stats.dump_payload_sanitizations += 1;
        }
        let lp = validate_node(bytes, deep)?;
        if !s.insert_node(StreamId::decode(&key), lp) {
            return corrupt("Listpack re-added with existing key");
        }
    }
    s.set_length(load_len(r)?);
    s.last_id = load_id(r)?;
    if t == TYPE_STREAM_LISTPACKS_2 {
        s.first_id = load_id(r)?;
        s.max_deleted_id = load_id(r)?;
        s.entries_added = load_len(r)?;
    } else {
        // Before 7.0 these were not saved.
        s.max_deleted_id = StreamId::ZERO;
        s.entries_added = s.length();
        s.first_id = s.edge_id(true, true);
    }
    if s.length() != 0 && s.node_count() == 0 {
        return corrupt("Stream length inconsistent with rax entries");
    }
    let groups = load_len(r)?;
    for _ in 0..groups {
        let name = r.string()?;
        let last_id = load_id(r)?;
        let entries_read = if t == TYPE_STREAM_LISTPACKS_2 {
            load_len(r)? as i64
        } else {
            s.estimate_distance(last_id)
        };
        if !s.create_group(&name, last_id, entries_read) {
            return corrupt(format!("Duplicated consumer group name {}", String::from_utf8_lossy(&name)));
        }
        let mut g = match s.groups.remove(&name) {
            Some(g) => g,
            None => Group::new(last_id, INVALID_ENTRIES_READ),
        };
        let res = read_group_body(r, &mut g, deep);
        s.groups.insert(name, g);
        res?;
    }
    Ok(s)
}

/// A group's PEL and consumers.
fn read_group_body<R: Read>(r: &mut RdbReader<R>, g: &mut Group, deep: bool) -> LoadResult<()> {
    let pel = load_len(r)?;
    for _ in 0..pel {
        let id = load_raw_id(r)?;
        let time = r.ms_time()?;
        let count = load_len(r)?;
        if !g.load_nack(id, time, count) {
            return corrupt("Duplicated global PEL entry loading stream consumer group");
        }
    }
    let consumers = load_len(r)?;
    for _ in 0..consumers {
        let name = r.string()?;
        let Some(slot) = g.create_consumer(&name, 0) else {
            return corrupt("Duplicate stream consumer detected.");
        };
        let seen = r.ms_time()?;
        g.set_seen_time(slot, seen);
        let n = load_len(r)?;
        for _ in 0..n {
            let id = load_raw_id(r)?;
            if let Err(e) = g.load_consumer_pending(slot, id) {
                return corrupt(e);
            }
        }
    }
    if deep && g.has_unowned() {
        return corrupt("Stream CG PEL entry without consumer");
    }
    Ok(())
}

/// Checks a node's listpack: a well-formed listpack, then the stream
/// layout (master entry, then exactly `count + deleted` entries whose
/// lp-count matches their shape). Counts must not be negative.
fn validate_node(bytes: Vec<u8>, deep: bool) -> LoadResult<Listpack> {
    // Redis's shallow check (header only) reports an empty node this way.
    if !deep && bytes.len() >= 7 && bytes[6] == 0xFF && Listpack::validate(&bytes) {
        return corrupt("Empty listpack inside stream");
    }
    let Some(lp) = Listpack::from_bytes(bytes) else {
        return corrupt("Stream listpack integrity check failed.");
    };
    if !stream_layout_ok(&lp) {
        return corrupt("Stream listpack integrity check failed.");
    }
    Ok(lp)
}

/// The entry-by-entry part of `streamValidateListpackIntegrity`.
pub(super) fn stream_layout_ok(lp: &Listpack) -> bool {
    fn int(lp: &Listpack, p: Option<usize>) -> Option<i64> {
        lp.get(p?).as_i64()
    }
    let count_pos = lp.first();
    let Some(count) = int(lp, count_pos) else {
        return false;
    };
    let p = count_pos.and_then(|p| lp.next(p));
    let Some(deleted) = int(lp, p) else {
        return false;
    };
    let p = p.and_then(|p| lp.next(p));
    let Some(master_fields) = int(lp, p) else {
        return false;
    };
    if count < 0 || deleted < 0 || master_fields < 0 {
        return false;
    }
    let mut p = p.and_then(|p| lp.next(p));
    for _ in 0..master_fields {
        p = match p.and_then(|p| lp.next(p)) {
            Some(q) => Some(q),
            None => return false,
        };
    }
    if int(lp, p) != Some(0) {
        return false;
    }
    p = p.and_then(|q| lp.next(q));
    let mut entries = count.saturating_add(deleted);
    while entries > 0 {
        entries -= 1;
        let Some(flags) = int(lp, p) else {
            return false;
        };
        p = p.and_then(|q| lp.next(q));
        if int(lp, p).is_none() {
            return false;
        }
        p = p.and_then(|q| lp.next(q));
        if int(lp, p).is_none() {
            return false;
        }
        p = p.and_then(|q| lp.next(q));
        let mut fields = master_fields;
        let mut extra = 3;
        if flags & super::FLAG_SAMEFIELDS == 0 {
            let Some(n) = int(lp, p) else {
                return false;
            };
            if n < 0 {
                return false;
            }
            fields = n;
            p = p.and_then(|q| lp.next(q));
            for _ in 0..fields {
                if p.is_none() {
                    return false;
                }
                p = p.and_then(|q| lp.next(q));
            }
            extra += fields + 1;
        }
        for _ in 0..fields {
            if p.is_none() {
                return false;
            }
            p = p.and_then(|q| lp.next(q));
        }
        if int(lp, p) != Some(fields + extra) {
            return false;
        }
        p = p.and_then(|q| lp.next(q));
    }
    p.is_none()
}

// ---------------------------------------------------------------------------
// AOF rewrite
// ---------------------------------------------------------------------------

/// The commands that rebuild a stream (`rewriteStreamObject`): its
/// entries, its last ID and counters, its groups with their consumers and
/// pending entries.
pub fn rewrite_commands(key: &[u8], s: &Stream) -> Vec<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let k = || key.to_vec();
    if s.length() > 0 {
        for e in s.iter() {
            let mut cmd = Vec::with_capacity(3 + 2 * e.numfields());
            cmd.push(b"XADD".to_vec());
            cmd.push(k());
            cmd.push(e.id.to_bytes());
            for (f, v) in e.fields() {
                cmd.push(f.to_vec());
                cmd.push(v.to_vec());
            }
            out.push(cmd);
        }
    } else {
        // An empty stream: add an entry and trim it away at once.
        out.push(vec![
            b"XADD".to_vec(),
            k(),
            b"MAXLEN".to_vec(),
            b"0".to_vec(),
            StreamId::new(0, 1).to_bytes(),
            b"x".to_vec(),
            b"y".to_vec(),
        ]);
    }
    out.push(vec![
        b"XSETID".to_vec(),
        k(),
        s.last_id.to_bytes(),
        b"ENTRIESADDED".to_vec(),
        (s.entries_added as i64).to_string().into_bytes(),
        b"MAXDELETEDID".to_vec(),
        s.max_deleted_id.to_bytes(),
    ]);
    for (name, g) in s.groups() {
        out.push(vec![
            b"XGROUP".to_vec(),
            b"CREATE".to_vec(),
            k(),
            name.clone(),
            g.last_id.to_bytes(),
            b"ENTRIESREAD".to_vec(),
            g.entries_read.to_string().into_bytes(),
        ]);
        for c in g.consumers() {
            if c.pel.is_empty() {
                out.push(vec![
                    b"XGROUP".to_vec(),
                    b"CREATECONSUMER".to_vec(),
                    k(),
                    name.clone(),
                    c.name.clone(),
                ]);
                continue;
            }
            for id in &c.pel {
                let (time, count) = g.pel.get(id).map_or((0, 0), |n| (n.delivery_time, n.delivery_count));
                out.push(vec![
                    b"XCLAIM".to_vec(),
                    k(),
                    name.clone(),
                    c.name.clone(),
                    b"0".to_vec(),
                    id.to_bytes(),
                    b"TIME".to_vec(),
                    time.to_string().into_bytes(),
                    b"RETRYCOUNT".to_vec(),
                    (count as i64).to_string().into_bytes(),
                    b"JUSTID".to_vec(),
                    b"FORCE".to_vec(),
                ]);
            }
        }
    }
    out
}
