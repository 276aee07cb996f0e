//! The TDIGEST.* commands (RedisBloom 2.8's `rm_tdigest.c`), with the
//! module's argument checks in its order, its error texts (all "ERR
//! T-Digest: ...") and reply shapes: doubles as `RedisModule_ReplyWithDouble`
//! prints them (RESP2 bulk "%.17g", "inf", "nan"; RESP3 `,`), ranks as
//! integers cast the way C casts a double.
//!
//! Like the other RedisBloom families, a write dirties and propagates the
//! command as given and fires no keyspace event. Queries that compress
//! (QUANTILE, CDF, RANK, BYRANK, TRIMMED_MEAN and MERGE's sources) change
//! the value in place without dirtying it, as the module does.

use super::{Digest, TDigest};
use crate::db::change::KeyWrite;
use crate::error::Error;
use crate::object::{NewValue, Obj};
use crate::server::{CmdResult, Ctx, Server};
use crate::stack::bloom::commands::{arg_index, wrong_arity};
use crate::stack::StackValue;
use crate::util::num::{parse_f64, parse_i64};

const NO_KEY: Error = Error::err("ERR T-Digest: key does not exist");
const OVERFLOW: Error = Error::err("ERR T-Digest: overflow detected");
const DEFAULT_COMPRESSION: i64 = 100;

/// `_TDigest_KeyCheck`: the digest at `key`, or the module's error.
fn lookup<'s>(srv: &'s mut Server, db: usize, key: &[u8], write: bool) -> Result<&'s mut Digest, Error> {
    let e = if write {
        srv.lookup_write(db, key)
    } else {
        srv.lookup_read(db, key)
    };
    match e {
        None => Err(NO_KEY),
        Some(e) => match e.obj_mut() {
            Some(Obj::Stack(StackValue::TDigest(t))) => Ok(t.get_mut()),
            _ => Err(Error::WrongType),
        },
    }
}

/// The digest at `key` without touching stats or expiry (already looked up).
fn peek_mut<'d>(srv: &'d mut Server, db: usize, key: &[u8]) -> Option<&'d mut Digest> {
    match srv.dbs[db].find_mut(key)?.obj_mut() {
        Some(Obj::Stack(StackValue::TDigest(t))) => Some(t.get_mut()),
        _ => None,
    }
}

/// `_TDigest_ParseCompressionParameter`.
fn parse_compression(arg: &[u8]) -> Result<i64, Error> {
    let c = parse_i64(arg).ok_or(Error::err("ERR T-Digest: error parsing compression parameter"))?;
    if c <= 0 {
        return Err(Error::err("ERR T-Digest: compression parameter needs to be a positive integer"));
    }
    Ok(c)
}

fn store(v: Digest) -> NewValue<'static> {
    NewValue::Obj(Box::new(Obj::Stack(StackValue::TDigest(Box::new(TDigest(v.into()))))))
}

/// `TDIGEST.CREATE key [COMPRESSION compression]`
pub fn tdigest_create_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 2 && argv.len() != 4 {
        return Err(wrong_arity(argv));
    }
    let key = argv[1];
    let db = ctx.dbi();
    if let Some(e) = ctx.srv.lookup_write(db, key) {
        return Err(match e.obj_mut() {
            Some(Obj::Stack(StackValue::TDigest(_))) => Error::err("ERR T-Digest: key already exists"),
            _ => Error::WrongType,
        });
    }
    let mut compression = DEFAULT_COMPRESSION;
    if argv.len() == 4 {
        // The module looks for the keyword in either of the two places.
        if arg_index(&argv[2..], "COMPRESSION").is_none() {
            return Err(Error::err("ERR T-Digest: wrong keyword"));
        }
        compression = parse_compression(argv[3])?;
    }
    let t = Digest::new(compression).ok_or(Error::err("ERR T-Digest: allocation failed"))?;
    ctx.srv.db_add(db, key, store(t));
    ctx.c.reply.ok();
    ctx.key_modified(key, KeyWrite::silent());
    Ok(())
}

/// `TDIGEST.RESET key`
pub fn tdigest_reset_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 2 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    lookup(ctx.srv, db, argv[1], true)?.reset();
    ctx.c.reply.ok();
    ctx.key_modified(argv[1], KeyWrite::silent());
    Ok(())
}

/// `TDIGEST.ADD key value [value ...]`: every value is checked before any
/// is added.
pub fn tdigest_add_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 3 {
        return Err(wrong_arity(argv));
    }
    let key = argv[1];
    let db = ctx.dbi();
    let t = lookup(ctx.srv, db, key, true)?;
    let mut vals = Vec::with_capacity(argv.len() - 2);
    for a in &argv[2..] {
        let v = parse_f64(a).ok_or(Error::err("ERR T-Digest: error parsing val parameter"))?;
        if !v.is_finite() {
            return Err(Error::err("ERR T-Digest: val parameter needs to be a finite number"));
        }
        vals.push(v);
    }
    for v in vals {
        // The module answers without propagating what it already added.
        t.add(v, 1).map_err(|_| OVERFLOW)?;
    }
    ctx.c.reply.ok();
    ctx.key_modified(key, KeyWrite::silent());
    Ok(())
}

/// `TDIGEST.MERGE dest numkeys src [src ...] [COMPRESSION c] [OVERRIDE]`:
/// a new digest (the given compression, else dest's, else the largest of
/// the sources') receives dest's nodes (unless OVERRIDE) and then each
/// source's, and replaces dest (its TTL goes, as with the module's
/// `ModuleTypeSetValue`).
pub fn tdigest_merge_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 4 {
        return Err(wrong_arity(argv));
    }
    let dest = argv[1];
    let db = ctx.dbi();
    let dest_compression = match ctx.srv.lookup_read(db, dest) {
        None => None,
        Some(e) => match e.obj_mut() {
            Some(Obj::Stack(StackValue::TDigest(t))) => Some(t.get_mut().compression as i64),
            _ => return Err(Error::WrongType),
        },
    };
    let numkeys = parse_i64(argv[2]).ok_or(Error::err("ERR T-Digest: error parsing numkeys"))?;
    if numkeys <= 0 {
        return Err(Error::err("ERR T-Digest: numkeys needs to be a positive integer"));
    }
    if numkeys > (argv.len() - 3) as i64 {
        return Err(wrong_arity(argv));
    }
    let numkeys = numkeys as usize;
    let mut compression = dest_compression.unwrap_or(0);
    let mut use_max = dest_compression.is_none();
    let mut overwrite = false;
    let rest = &argv[3 + numkeys..];
    if !rest.is_empty() {
        let comp_at = arg_index(rest, "COMPRESSION");
        if let Some(i) = comp_at {
            use_max = false;
            let Some(arg) = rest.get(i + 1) else {
                return Err(wrong_arity(argv));
            };
            compression = parse_compression(arg)?;
        }
        let over_at = arg_index(rest, "OVERRIDE");
        if over_at.is_some() {
            overwrite = true;
            if comp_at.is_none() {
                use_max = true;
                compression = 0;
            }
        }
        if comp_at.is_none() && over_at.is_none() {
            return Err(Error::err("ERR T-Digest: wrong keyword"));
        }
    }
    let sources = &argv[3..3 + numkeys];
    for src in sources {
        let c = if *src == dest {
            dest_compression.ok_or(NO_KEY)?
        } else {
            lookup(ctx.srv, db, src, false)?.compression as i64
        };
        if use_max {
            compression = compression.max(c);
        }
    }
    let mut to = Digest::new(compression).ok_or(Error::err("ERR T-Digest: allocation of destination digest failed"))?;
    if dest_compression.is_some() && !overwrite {
        if let Some(start) = peek_mut(ctx.srv, db, dest) {
            // The module ignores an overflow here.
            let _ = to.merge_from(start);
        }
    }
    for src in sources {
        let Some(from) = peek_mut(ctx.srv, db, src) else {
            return Err(NO_KEY);
        };
        to.merge_from(from).map_err(|_| OVERFLOW)?;
    }
    ctx.srv.set_key(db, dest, store(to), false);
    ctx.c.reply.ok();
    ctx.key_modified(dest, KeyWrite::silent());
    Ok(())
}

/// `TDIGEST.MIN key` / `TDIGEST.MAX key`: nan when empty.
pub fn tdigest_minmax_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 2 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let t = lookup(ctx.srv, db, argv[1], false)?;
    let v = if t.size() <= 0 {
        f64::NAN
    } else if argv[0].eq_ignore_ascii_case(b"tdigest.min") {
        t.min
    } else {
        t.max
    };
    ctx.c.reply.double(v);
    Ok(())
}

/// `_halfRoundDown`: rounds halves toward zero.
fn half_round_down(f: f64) -> f64 {
    let int_part = f.trunc();
    let frac = f - int_part;
    if frac.abs() <= 0.5 {
        int_part
    } else if int_part >= 0.0 {
        int_part + 1.0
    } else {
        int_part - 1.0
    }
}

/// `TDIGEST.RANK key value [value ...]` / `TDIGEST.REVRANK ...`
pub fn tdigest_rank_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 3 {
        return Err(wrong_arity(argv));
    }
    let reverse = argv[0].eq_ignore_ascii_case(b"tdigest.revrank");
    let db = ctx.dbi();
    let t = lookup(ctx.srv, db, argv[1], false)?;
    let mut vals = Vec::with_capacity(argv.len() - 2);
    for a in &argv[2..] {
        vals.push(parse_f64(a).ok_or(Error::err("ERR T-Digest: error parsing value"))?);
    }
    let size = t.size() as f64;
    let (min, max) = (t.min, t.max);
    let r = &mut ctx.c.reply;
    r.array_len(vals.len());
    for v in vals {
        let rank = if size == 0.0 {
            -2.0
        } else if v < min {
            if reverse {
                size
            } else {
                -1.0
            }
        } else if v > max {
            if reverse {
                -1.0
            } else {
                size
            }
        } else {
            let abs = t.cdf(v) * size;
            if reverse {
                (size - abs.round()).round()
            } else {
                half_round_down(abs)
            }
        };
        r.int(super::c_ll(rank));
    }
    Ok(())
}

/// `TDIGEST.BYRANK key rank [rank ...]` / `TDIGEST.BYREVRANK ...`
pub fn tdigest_byrank_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 3 {
        return Err(wrong_arity(argv));
    }
    let reverse = argv[0].eq_ignore_ascii_case(b"tdigest.byrevrank");
    let db = ctx.dbi();
    let t = lookup(ctx.srv, db, argv[1], false)?;
    let mut ranks = Vec::with_capacity(argv.len() - 2);
    for a in &argv[2..] {
        let v = parse_i64(a).ok_or(Error::err("ERR T-Digest: error parsing rank"))?;
        if v < 0 {
            return Err(Error::err("ERR T-Digest: rank needs to be non negative"));
        }
        ranks.push(v as f64);
    }
    let size = t.size() as f64;
    let (min, max) = (t.min, t.max);
    let r = &mut ctx.c.reply;
    r.array_len(ranks.len());
    for rank in ranks {
        let v = if size == 0.0 {
            f64::NAN
        } else if rank == 0.0 {
            if reverse {
                max
            } else {
                min
            }
        } else if rank >= size {
            if reverse {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }
        } else {
            let at = if reverse { size - rank - 1.0 } else { rank };
            t.quantile(at / size)
        };
        r.double(v);
    }
    Ok(())
}

/// `TDIGEST.QUANTILE key q [q ...]`: each ascending run of quantiles is
/// answered in one walk over the centroids, as the module does.
pub fn tdigest_quantile_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 3 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let t = lookup(ctx.srv, db, argv[1], false)?;
    let mut qs = Vec::with_capacity(argv.len() - 2);
    for a in &argv[2..] {
        let q = parse_f64(a).ok_or(Error::err("ERR T-Digest: error parsing quantile"))?;
        if !(0.0..=1.0).contains(&q) {
            return Err(Error::err("ERR T-Digest: quantile should be in [0,1]"));
        }
        qs.push(q);
    }
    let mut out = Vec::with_capacity(qs.len());
    let mut start = 0;
    while start < qs.len() {
        let mut end = start;
        while end + 1 < qs.len() && qs[end] <= qs[end + 1] {
            end += 1;
        }
        t.quantiles(&qs[start..=end], &mut out);
        start = end + 1;
    }
    let r = &mut ctx.c.reply;
    r.array_len(out.len());
    for v in out {
        r.double(v);
    }
    Ok(())
}

/// `TDIGEST.CDF key value [value ...]`
pub fn tdigest_cdf_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 3 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let t = lookup(ctx.srv, db, argv[1], false)?;
    let mut vals = Vec::with_capacity(argv.len() - 2);
    for a in &argv[2..] {
        vals.push(parse_f64(a).ok_or(Error::err("ERR T-Digest: error parsing cdf"))?);
    }
    let r = &mut ctx.c.reply;
    r.array_len(vals.len());
    for v in vals {
        r.double(t.cdf(v));
    }
    Ok(())
}

/// `TDIGEST.TRIMMED_MEAN key low_cut_percentile high_cut_percentile`
pub fn tdigest_trimmed_mean_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 4 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let t = lookup(ctx.srv, db, argv[1], false)?;
    let low = parse_f64(argv[2]).ok_or(Error::err("ERR T-Digest: error parsing low_cut_percentile"))?;
    let high = parse_f64(argv[3]).ok_or(Error::err("ERR T-Digest: error parsing high_cut_percentile"))?;
    let in01 = |v: f64| (0.0..=1.0).contains(&v);
    if !in01(low) || !in01(high) {
        return Err(Error::err(
            "ERR T-Digest: low_cut_percentile and high_cut_percentile should be in [0,1]",
        ));
    }
    if low >= high {
        return Err(Error::err(
            "ERR T-Digest: low_cut_percentile should be lower than high_cut_percentile",
        ));
    }
    let v = t.trimmed_mean(low, high);
    ctx.c.reply.double(v);
    Ok(())
}

/// `TDIGEST.INFO key`: nine fields (a map in RESP3).
pub fn tdigest_info_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 2 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let t = lookup(ctx.srv, db, argv[1], false)?;
    let fields: [(&str, i64); 9] = [
        ("Compression", super::c_ll(t.compression)),
        ("Capacity", t.cap),
        ("Merged nodes", t.merged_nodes as i64),
        ("Unmerged nodes", t.unmerged_nodes as i64),
        ("Merged weight", t.merged_weight),
        ("Unmerged weight", t.unmerged_weight),
        ("Observations", t.size()),
        ("Total compressions", t.total_compressions),
        ("Memory usage", t.module_size()),
    ];
    let r = &mut ctx.c.reply;
    r.map_len(fields.len());
    for (name, v) in fields {
        r.status(name.as_bytes());
        r.int(v);
    }
    Ok(())
}
