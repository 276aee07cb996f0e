//! The vector set commands (Redis 8's `vset.c`): VADD, VSIM, VREM, VCARD,
//! VDIM, VEMB, VSETATTR, VGETATTR, VLINKS, VINFO, VRANDMEMBER, VISMEMBER,
//! VRANGE, with the module's argument order, error texts and reply shapes
//! (booleans are integers in RESP2; VSIM WITHSCORES/WITHATTRIBS is a map in
//! RESP3).
//!
//! Everything runs on the event loop: VSIM's thread and VADD CAS's
//! background candidate search are accepted and run synchronously (the
//! replies are the same; only latency differs). A write that changed the
//! set propagates the command verbatim, as the module does; the replica
//! draws its own HNSW levels, so its graph differs while its contents and
//! replies match. VADD that only updated an element propagates too (the
//! module does not, leaving the replica with the old vector). No keyspace
//! events: the module fires none.

use super::expr::Expr;
use super::{Quant, VectorSet, DEFAULT_EF_CONSTRUCTION, DEFAULT_M, MAX_DIM, MAX_M, MIN_M};
use crate::db::change::KeyWrite;
use crate::error::Error;
use crate::object::{NewValue, Obj};
use crate::server::{CmdResult, Ctx, Server};
use crate::stack::bloom::commands::wrong_arity;
use crate::stack::vector::hnsw::Space;
use crate::stack::StackValue;
use crate::util::num::{parse_f64, parse_i64};

const DEFAULT_SEARCH_EF: usize = 100;
const DEFAULT_COUNT: i64 = 10;
const INVALID_VECTOR: Error = Error::err("ERR invalid vector specification");

fn is(a: &[u8], word: &str) -> bool {
    a.eq_ignore_ascii_case(word.as_bytes())
}

/// The set under `key`: Ok(None) when missing, WRONGTYPE for another type.
fn lookup<'s>(srv: &'s mut Server, db: usize, key: &[u8], write: bool) -> Result<Option<&'s mut VectorSet>, Error> {
    let e = if write {
        srv.lookup_write(db, key)
    } else {
        srv.lookup_read(db, key)
    };
    match e {
        None => Ok(None),
        Some(e) => match e.obj_mut() {
            Some(Obj::Stack(StackValue::VectorSet(v))) => Ok(Some(v)),
            _ => Err(Error::WrongType),
        },
    }
}

/// A parsed vector: `[REDUCE dim] FP32 blob | VALUES n v1 .. vn` from
/// `argv[start]`; (vector, reduce dim or 0, arguments consumed).
fn parse_vector(argv: &[&[u8]], start: usize, allow_reduce: bool) -> Option<(Vec<f32>, usize, usize)> {
    let mut i = start;
    let mut reduce = 0usize;
    if allow_reduce && argv.len() > start + 2 && is(argv[start], "REDUCE") {
        let r = parse_i64(argv[start + 1]).filter(|&r| r > 0)?;
        reduce = usize::try_from(r).ok()?;
        i += 2;
    }
    let fmt = argv.get(i)?;
    let v: Vec<f32> = if is(fmt, "FP32") {
        let blob = argv.get(i + 1)?;
        if blob.len() % 4 != 0 || blob.len() < 4 || blob.len() / 4 > MAX_DIM {
            return None;
        }
        i += 2;
        blob.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
    } else if is(fmt, "VALUES") {
        let n = parse_i64(argv.get(i + 1)?).filter(|&n| (1..=MAX_DIM as i64).contains(&n))? as usize;
        if argv.len() < i + 2 + n {
            return None;
        }
        let v = argv[i + 2..i + 2 + n]
            .iter()
            .map(|a| parse_f64(a).map(|x| x as f32))
            .collect::<Option<Vec<f32>>>()?;
        i += 2 + n;
        v
    } else {
        return None;
    };
    if reduce > v.len() {
        return None;
    }
    Some((v, reduce, i - start))
}

/// `VADD key [REDUCE dim] FP32|VALUES vector element [CAS] [NOQUANT|Q8|BIN]
/// [EF n] [SETATTR json] [M n]`
pub fn vadd_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 5 {
        return Err(wrong_arity(argv));
    }
    let (mut vec, reduce, used) = parse_vector(argv, 2, true).ok_or(INVALID_VECTOR)?;
    if argv.len() < 2 + used + 1 {
        return Err(wrong_arity(argv));
    }
    let name = argv[2 + used];
    let mut ef = DEFAULT_EF_CONSTRUCTION as i64;
    let mut m = DEFAULT_M as i64;
    let mut attr: Option<&[u8]> = None;
    let mut quant = Quant::Q8;
    let mut j = 2 + used + 1;
    while j < argv.len() {
        let opt = argv[j];
        let has_arg = j + 1 < argv.len();
        if is(opt, "CAS") {
            // Runs synchronously: see the module header.
        } else if is(opt, "EF") && has_arg {
            ef = parse_i64(argv[j + 1])
                .filter(|&e| e > 0 && e <= 1_000_000)
                .ok_or(Error::err("ERR invalid EF"))?;
            j += 1;
        } else if is(opt, "M") && has_arg {
            m = parse_i64(argv[j + 1])
                .filter(|m| (MIN_M..=MAX_M).contains(m))
                .ok_or(Error::err("ERR invalid M"))?;
            j += 1;
        } else if is(opt, "SETATTR") && has_arg {
            attr = Some(argv[j + 1]);
            j += 1;
        } else if is(opt, "NOQUANT") {
            quant = Quant::F32;
        } else if is(opt, "BIN") {
            quant = Quant::Bin;
        } else if is(opt, "Q8") {
            quant = Quant::Q8;
        } else {
            return Err(Error::err("ERR invalid option after element"));
        }
        j += 1;
    }
    let key = argv[1];
    let db = ctx.dbi();
    let dim = vec.len();
    let added = match lookup(ctx.srv, db, key, true)? {
        None => {
            let mut vs = VectorSet::new(if reduce > 0 { reduce } else { dim }, quant, m as usize);
            if reduce > 0 {
                vs.set_projection(dim);
                vec = vs.project(vec);
            }
            let added = vs.insert(name, vec, attr, ef as usize);
            ctx.srv
                .db_add(db, key, NewValue::Obj(Box::new(Obj::Stack(StackValue::VectorSet(Box::new(vs))))));
            added
        }
        Some(vs) => {
            if vs.quant() != quant {
                return Err(Error::err("ERR asked quantization mismatch with existing vector set"));
            }
            if vs.hnsw.m() as i64 != m {
                return Err(Error::err("ERR asked M value mismatch with existing vector set"));
            }
            if (vs.proj_input == 0 && vs.dim() != dim) || (vs.proj_input != 0 && vs.dim() != reduce) {
                return Err(Error::msg(format!(
                    "ERR Vector dimension mismatch - got {dim} but set has {}",
                    vs.dim()
                )));
            }
            if reduce > 0 {
                if vs.proj_input == 0 {
                    return Err(Error::err("ERR cannot add projection to existing set without projection"));
                }
                if reduce != vs.dim() {
                    return Err(Error::err("ERR projection dimension mismatch with existing set"));
                }
            }
            if vs.proj_input != 0 {
                if dim != vs.proj_input {
                    return Err(Error::msg(format!(
                        "ERR Input dimension mismatch for projection - got {dim} but projection expects {}",
                        vs.proj_input
                    )));
                }
                vec = vs.project(vec);
            }
            vs.insert(name, vec, attr, ef as usize)
        }
    };
    ctx.c.reply.bool(added);
    ctx.key_modified(key, KeyWrite::silent());
    Ok(())
}

/// `VSIM key ELE|FP32|VALUES ... [WITHSCORES] [WITHATTRIBS] [COUNT n]
/// [EPSILON d] [EF n] [FILTER expr] [FILTER-EF n] [TRUTH] [NOTHREAD]`
pub fn vsim_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 4 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let Some(vs) = lookup(ctx.srv, db, argv[1], false)? else {
        ctx.c.reply.array_len(0);
        return Ok(());
    };
    let vs: &VectorSet = vs;
    let (vec, used) = if is(argv[2], "ELE") {
        let id = vs.id_of(argv[3]).ok_or(Error::err("ERR element not found in set"))?;
        (vs.store.vector(id), 2)
    } else {
        let (mut vec, _, _) = parse_vector(argv, 2, false).ok_or(INVALID_VECTOR)?;
        if vs.proj_input != 0 && vec.len() != vs.dim() {
            if vec.len() != vs.proj_input {
                return Err(Error::msg(format!(
                    "ERR Input dimension mismatch for projection - got {} but projection expects {}",
                    vec.len(),
                    vs.proj_input
                )));
            }
            vec = vs.project(vec);
        }
        let used = if is(argv[2], "FP32") {
            2
        } else if is(argv[2], "VALUES") {
            let n = parse_i64(argv[3]).ok_or(Error::err("ERR invalid vector dimension"))?;
            2 + n as usize
        } else {
            return Err(Error::err("ERR vector type must be ELE, FP32 or VALUES"));
        };
        (vec, used)
    };
    if vec.len() != vs.dim() {
        return Err(Error::msg(format!(
            "ERR Vector dimension mismatch - got {} but set has {}",
            vec.len(),
            vs.dim()
        )));
    }
    let (mut withscores, mut withattribs, mut truth) = (false, false, false);
    let mut count = DEFAULT_COUNT;
    let mut epsilon = 2.0f64;
    let mut ef = 0i64;
    let mut filter_ef = 0i64;
    let mut filter: Option<Expr> = None;
    let mut j = 2 + used;
    while j < argv.len() {
        let opt = argv[j];
        let arg = argv.get(j + 1).copied();
        match arg {
            _ if is(opt, "WITHSCORES") => withscores = true,
            _ if is(opt, "WITHATTRIBS") => withattribs = true,
            _ if is(opt, "TRUTH") => truth = true,
            _ if is(opt, "NOTHREAD") => {}
            Some(a) if is(opt, "COUNT") => {
                count = parse_i64(a).filter(|&c| c > 0).ok_or(Error::err("ERR invalid COUNT"))?;
                j += 1;
            }
            Some(a) if is(opt, "EPSILON") => {
                epsilon = parse_f64(a).filter(|&e| e > 0.0).ok_or(Error::err("ERR invalid EPSILON"))?;
                j += 1;
            }
            Some(a) if is(opt, "EF") => {
                ef = parse_i64(a)
                    .filter(|&e| e > 0 && e <= 1_000_000)
                    .ok_or(Error::err("ERR invalid EF"))?;
                j += 1;
            }
            Some(a) if is(opt, "FILTER-EF") => {
                filter_ef = parse_i64(a).filter(|&e| e > 0).ok_or(Error::err("ERR invalid FILTER-EF"))?;
                j += 1;
            }
            Some(a) if is(opt, "FILTER") => {
                filter = Some(Expr::compile(a).map_err(|pos| {
                    let pos = if pos >= a.len() { 0 } else { pos };
                    // The module prints the rest as a C string.
                    let rest = &a[pos..];
                    let rest = rest.iter().position(|&c| c == 0).map_or(rest, |n| &rest[..n]);
                    Error::msg(format!(
                        "ERR syntax error in FILTER expression near: {}",
                        String::from_utf8_lossy(rest)
                    ))
                })?);
                j += 1;
            }
            _ => return Err(Error::err("ERR syntax error in VSIM command")),
        }
        j += 1;
    }
    let count = count as usize;
    let filter_ef = if filter_ef == 0 {
        count.saturating_mul(100)
    } else {
        filter_ef as usize
    };
    let mut ef = if ef == 0 { DEFAULT_SEARCH_EF } else { ef as usize };
    ef = ef.max(count).min(vs.len());
    let q = vs.store.query(vec);
    let mut accept = |id: u32| {
        filter
            .as_ref()
            .is_none_or(|f| vs.elem(id).and_then(|e| e.attr.as_deref()).is_some_and(|a| f.eval(a)))
    };
    let found: Vec<(u32, f32)> = if truth {
        let mut all: Vec<(u32, f32)> = vs
            .ids()
            .filter(|&id| accept(id))
            .map(|id| (id, vs.store.dist_query(&q, id)))
            .collect();
        all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        all.truncate(ef);
        all
    } else if filter.is_some() {
        vs.hnsw.search_limited(&vs.store, &q, ef, ef, Some(&mut accept), filter_ef)
    } else {
        vs.hnsw.search(&vs.store, &q, ef, ef)
    };
    let r = &mut ctx.c.reply;
    let resp3 = r.resp == 3;
    let as_map = resp3 && (withscores || withattribs);
    let hdr = r.deferred();
    let mut n = 0;
    for (id, d) in found.into_iter().take(count) {
        if f64::from(d) / 2.0 > epsilon {
            break;
        }
        let Some(e) = vs.elem(id) else { continue };
        r.bulk(&e.name);
        n += 1;
        if resp3 && withscores && withattribs {
            r.array_len(2);
        }
        if withscores {
            r.double(1.0 - f64::from(d) / 2.0);
        }
        if withattribs {
            match &e.attr {
                Some(a) => r.bulk(a),
                None => r.null(),
            }
        }
    }
    if as_map {
        r.set_deferred_map(hdr, n);
    } else {
        r.set_deferred_array(hdr, n * (1 + withscores as usize + withattribs as usize));
    }
    Ok(())
}

/// `VDIM key`
pub fn vdim_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let vs = lookup(ctx.srv, db, ctx.argv[1], false)?.ok_or(Error::err("ERR key does not exist"))?;
    let d = vs.dim() as i64;
    ctx.c.reply.int(d);
    Ok(())
}

/// `VCARD key`
pub fn vcard_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let n = lookup(ctx.srv, db, ctx.argv[1], false)?.map_or(0, |v| v.len() as i64);
    ctx.c.reply.int(n);
    Ok(())
}

/// `VREM key element`: deletes the key with its last element.
pub fn vrem_command(ctx: &mut Ctx) -> CmdResult {
    let (key, name) = (ctx.argv[1], ctx.argv[2]);
    let db = ctx.dbi();
    let Some(vs) = lookup(ctx.srv, db, key, true)? else {
        ctx.c.reply.bool(false);
        return Ok(());
    };
    if vs.remove(name).is_none() {
        ctx.c.reply.bool(false);
        return Ok(());
    }
    if vs.is_empty() {
        ctx.srv.db_delete(db, key);
    }
    ctx.c.reply.bool(true);
    ctx.key_modified(key, KeyWrite::silent());
    Ok(())
}

/// `VEMB key element [RAW]`
pub fn vemb_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut raw = false;
    for a in &argv[3..] {
        if is(a, "RAW") {
            raw = true;
        } else {
            return Err(Error::err("ERR invalid option"));
        }
    }
    let db = ctx.dbi();
    let Some(vs) = lookup(ctx.srv, db, argv[1], false)? else {
        ctx.c.reply.null();
        return Ok(());
    };
    let vs: &VectorSet = vs;
    let r = &mut ctx.c.reply;
    let Some(id) = vs.id_of(argv[2]) else {
        r.null();
        return Ok(());
    };
    let Some(e) = vs.elem(id) else {
        r.null();
        return Ok(());
    };
    if raw {
        let q8 = vs.quant() == Quant::Q8;
        r.array_len(3 + q8 as usize);
        r.status(vs.quant().name().as_bytes());
        r.bulk(&vs.store.raw(id));
        r.double(f64::from(e.l2));
        if q8 {
            r.double(f64::from(e.range));
        }
    } else {
        let v = vs.store.vector(id);
        r.array_len(v.len());
        for x in v {
            r.double(f64::from(x));
        }
    }
    Ok(())
}

/// `VSETATTR key element json`: an empty string removes the attributes.
pub fn vsetattr_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let db = ctx.dbi();
    let done = match lookup(ctx.srv, db, argv[1], true)? {
        None => false,
        Some(vs) => vs.set_attr(argv[2], argv[3]),
    };
    ctx.c.reply.bool(done);
    if done {
        ctx.key_modified(argv[1], KeyWrite::silent());
    }
    Ok(())
}

/// `VGETATTR key element`
pub fn vgetattr_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let db = ctx.dbi();
    let vs = lookup(ctx.srv, db, argv[1], false)?;
    let attr = vs.and_then(|vs| vs.id_of(argv[2]).and_then(|id| vs.elem(id)).and_then(|e| e.attr.clone()));
    match attr {
        Some(a) => ctx.c.reply.bulk(&a),
        None => ctx.c.reply.null(),
    }
    Ok(())
}

/// `VLINKS key element [WITHSCORES]`: the neighbours per level, highest
/// level first.
pub fn vlinks_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() > 4 {
        return Err(wrong_arity(argv));
    }
    let withscores = match argv.get(3) {
        None => false,
        Some(a) if is(a, "WITHSCORES") => true,
        Some(_) => return Err(wrong_arity(argv)),
    };
    let db = ctx.dbi();
    let Some(vs) = lookup(ctx.srv, db, argv[1], false)? else {
        ctx.c.reply.null();
        return Ok(());
    };
    let vs: &VectorSet = vs;
    let r = &mut ctx.c.reply;
    let Some((id, level)) = vs.id_of(argv[2]).and_then(|id| Some((id, vs.hnsw.level(id)?))) else {
        r.null();
        return Ok(());
    };
    r.array_len(level + 1);
    for l in (0..=level).rev() {
        let links = vs.hnsw.links(id, l);
        if withscores {
            r.map_len(links.len());
        } else {
            r.array_len(links.len());
        }
        for &n in links {
            r.bulk(vs.elem(n).map_or(&b""[..], |e| &e.name));
            if withscores {
                let sim = 1.0 - vs.store.dist(id, n) / 2.0;
                r.double(f64::from(sim));
            }
        }
    }
    Ok(())
}

/// `VINFO key`
pub fn vinfo_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let Some(vs) = lookup(ctx.srv, db, ctx.argv[1], false)? else {
        ctx.c.reply.null_array();
        return Ok(());
    };
    let vs: &VectorSet = vs;
    let r = &mut ctx.c.reply;
    r.map_len(9);
    r.status(b"quant-type");
    r.status(vs.quant().name().as_bytes());
    for (k, v) in [
        ("hnsw-m", vs.hnsw.m() as i64),
        ("vector-dim", vs.dim() as i64),
        ("projection-input-dim", vs.proj_input as i64),
        ("size", vs.len() as i64),
        ("max-level", vs.hnsw.max_level() as i64),
        ("attributes-count", vs.numattribs as i64),
        ("vset-uid", vs.uid as i64),
        ("hnsw-max-node-uid", vs.last_id as i64),
    ] {
        r.status(k.as_bytes());
        r.int(v);
    }
    Ok(())
}

/// `VRANDMEMBER key [count]`
pub fn vrandmember_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() > 3 {
        return Err(wrong_arity(argv));
    }
    let count = match argv.get(2) {
        None => None,
        Some(a) => Some(parse_i64(a).ok_or(Error::err("ERR COUNT value is not an integer"))?),
    };
    if count == Some(0) {
        ctx.c.reply.array_len(0);
        return Ok(());
    }
    let db = ctx.dbi();
    let vs = lookup(ctx.srv, db, argv[1], false)?;
    let r = &mut ctx.c.reply;
    let Some(vs) = vs.filter(|v| !v.is_empty()) else {
        if count.is_none() {
            r.null();
        } else {
            r.array_len(0);
        }
        return Ok(());
    };
    let vs: &VectorSet = vs;
    let name = |id: u32| vs.elem(id).map_or(&b""[..], |e| &e.name[..]);
    let Some(count) = count else {
        match vs.random_id() {
            Some(id) => r.bulk(name(id)),
            None => r.null(),
        }
        return Ok(());
    };
    let size = vs.len() as u64;
    if count < 0 {
        let n = count.unsigned_abs();
        r.array_len(n as usize);
        for _ in 0..n {
            if let Some(id) = vs.random_id() {
                r.bulk(name(id));
            }
        }
        return Ok(());
    }
    let n = (count as u64).min(size);
    r.array_len(n as usize);
    if (n as f64) <= size as f64 * 0.2 {
        let mut seen = std::collections::HashSet::new();
        while (seen.len() as u64) < n {
            if let Some(id) = vs.random_id() {
                if seen.insert(id) {
                    r.bulk(name(id));
                }
            }
        }
    } else {
        // A run of consecutive elements from a random start, as the
        // module walks its node list.
        let ids: Vec<u32> = vs.ids().collect();
        let start = (crate::util::rand_u64() % ids.len() as u64) as usize;
        for k in 0..n as usize {
            r.bulk(name(ids[(start + k) % ids.len()]));
        }
    }
    Ok(())
}

/// `VISMEMBER key element`
pub fn vismember_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let found = lookup(ctx.srv, db, ctx.argv[1], false)?.is_some_and(|v| v.id_of(ctx.argv[2]).is_some());
    ctx.c.reply.bool(found);
    Ok(())
}

/// A VRANGE bound: `-`, `+`, `[ele` or `(ele`.
enum Bound<'a> {
    Min,
    Max,
    Incl(&'a [u8]),
    Excl(&'a [u8]),
}

fn bound(a: &[u8]) -> Option<Bound<'_>> {
    match a {
        b"-" => Some(Bound::Min),
        b"+" => Some(Bound::Max),
        [b'[', rest @ ..] if !rest.is_empty() => Some(Bound::Incl(rest)),
        [b'(', rest @ ..] if !rest.is_empty() => Some(Bound::Excl(rest)),
        _ => None,
    }
}

/// `VRANGE key start end [count]`: elements in lexicographic order.
pub fn vrange_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() > 5 {
        return Err(wrong_arity(argv));
    }
    let count = match argv.get(4) {
        None => -1,
        Some(a) => parse_i64(a).ok_or(Error::err("ERR invalid COUNT value"))?,
    };
    let start = bound(argv[2]).ok_or(Error::err("ERR invalid start range format"))?;
    let end = bound(argv[3]).ok_or(Error::err("ERR invalid end range format"))?;
    if matches!(start, Bound::Max) || matches!(end, Bound::Min) {
        return Err(Error::err("ERR '-' can only be used as first argument, '+' only as second"));
    }
    let db = ctx.dbi();
    let Some(vs) = lookup(ctx.srv, db, argv[1], false)? else {
        ctx.c.reply.array_len(0);
        return Ok(());
    };
    let mut names: Vec<&[u8]> = vs
        .dict
        .keys()
        .map(|k| &k[..])
        .filter(|k| match start {
            Bound::Incl(s) => *k >= s,
            Bound::Excl(s) => *k > s,
            _ => true,
        })
        .filter(|k| match end {
            Bound::Incl(e) => *k <= e,
            Bound::Excl(e) => *k < e,
            _ => true,
        })
        .collect();
    names.sort_unstable();
    if count >= 0 {
        names.truncate(count as usize);
    }
    let r = &mut ctx.c.reply;
    r.array_len(names.len());
    for n in names {
        r.bulk(n);
    }
    Ok(())
}
