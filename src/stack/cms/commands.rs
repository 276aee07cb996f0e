//! The CMS.* commands (RedisBloom 2.8's `rm_cms.c`), with the module's
//! argument order, error texts (all starting "CMS: ") and reply shapes.
//!
//! Like the other RedisBloom families, a write that reached the sketch
//! dirties and propagates the command as given, and fires no keyspace
//! event. The init commands answer "key already exists" for a key of any
//! type; the others answer WRONGTYPE for a key of another type.

use super::{dims_from_prob, Cms};
use crate::db::change::KeyWrite;
use crate::error::Error;
use crate::object::{NewValue, Obj, ValueRef};
use crate::server::{CmdResult, Ctx, Server};
use crate::stack::bloom::commands::{arg_index, wrong_arity};
use crate::stack::StackValue;
use crate::util::num::{parse_f64, parse_i64};

const NO_KEY: Error = Error::err("CMS: key does not exist");

/// `GetCMSKey`: the sketch at `key`, or the module's error.
fn lookup<'s>(srv: &'s mut Server, db: usize, key: &[u8], write: bool) -> Result<&'s mut Cms, Error> {
    let e = if write {
        srv.lookup_write(db, key)
    } else {
        srv.lookup_read(db, key)
    };
    match e {
        None => Err(NO_KEY),
        Some(e) => match e.obj_mut() {
            Some(Obj::Stack(StackValue::Cms(c))) => Ok(c),
            _ => Err(Error::WrongType),
        },
    }
}

/// The sketch at `key` without touching stats or expiry (already looked up).
fn peek<'d>(srv: &'d Server, db: usize, key: &[u8]) -> Option<&'d Cms> {
    match srv.dbs[db].find(key)?.value() {
        ValueRef::Obj(Obj::Stack(StackValue::Cms(c))) => Some(c),
        _ => None,
    }
}

/// `CMS.INITBYDIM key width depth` / `CMS.INITBYPROB key error probability`
pub fn cms_init_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 4 {
        return Err(wrong_arity(argv));
    }
    let key = argv[1];
    let db = ctx.dbi();
    if ctx.srv.lookup_write(db, key).is_some() {
        return Err(Error::err("CMS: key already exists"));
    }
    let (width, depth) = if argv[0].eq_ignore_ascii_case(b"cms.initbydim") {
        let width = parse_i64(argv[2]).filter(|&w| w >= 1).ok_or(Error::err("CMS: invalid width"))?;
        let depth = parse_i64(argv[3]).filter(|&d| d >= 1).ok_or(Error::err("CMS: invalid depth"))?;
        (width as u64, depth as u64)
    } else {
        let in_range = |v: &f64| *v > 0.0 && *v < 1.0;
        let error = parse_f64(argv[2])
            .filter(in_range)
            .ok_or(Error::err("CMS: invalid overestimation value"))?;
        let prob = parse_f64(argv[3]).filter(in_range).ok_or(Error::err("CMS: invalid prob value"))?;
        dims_from_prob(error, prob)
    };
    // The module compares as signed long longs.
    let (w, d) = (width as i64, depth as i64);
    if w < 1 || d < 1 || w > i64::MAX / d {
        return Err(Error::err("CMS: invalid init arguments"));
    }
    let cms = Cms::new(width, depth).ok_or(Error::err("CMS: Insufficient memory to create the key"))?;
    ctx.srv
        .db_add(db, key, NewValue::Obj(Box::new(Obj::Stack(StackValue::Cms(Box::new(cms))))));
    ctx.c.reply.ok();
    ctx.key_modified(key, KeyWrite::silent());
    Ok(())
}

/// `CMS.INCRBY key item increment [item increment ...]`
pub fn cms_incrby_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 4 || argv.len() % 2 == 1 {
        return Err(wrong_arity(argv));
    }
    let key = argv[1];
    let db = ctx.dbi();
    let cms = lookup(ctx.srv, db, key, true)?;
    let mut pairs = Vec::with_capacity((argv.len() - 2) / 2);
    for p in argv[2..].chunks_exact(2) {
        let v = parse_i64(p[1]).ok_or(Error::err("CMS: Cannot parse number"))?;
        if v < 0 {
            return Err(Error::err("CMS: Number cannot be negative"));
        }
        pairs.push((p[0], v as u64));
    }
    let r = &mut ctx.c.reply;
    r.array_len(pairs.len());
    for (item, v) in pairs {
        let min = cms.incr_by(item, v);
        if min == u32::MAX {
            r.error(b"CMS: INCRBY overflow");
        } else {
            r.int(i64::from(min));
        }
    }
    ctx.key_modified(key, KeyWrite::silent());
    Ok(())
}

/// `CMS.QUERY key item [item ...]`
pub fn cms_query_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 3 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let cms = lookup(ctx.srv, db, argv[1], false)?;
    let r = &mut ctx.c.reply;
    r.array_len(argv.len() - 2);
    for item in &argv[2..] {
        r.int(i64::from(cms.query(item)));
    }
    Ok(())
}

/// `CMS.MERGE dest numkeys src [src ...] [WEIGHTS weight [weight ...]]`:
/// dest must exist with the sources' dimensions; it may be a source.
pub fn cms_merge_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 4 {
        return Err(wrong_arity(argv));
    }
    let dest = argv[1];
    let db = ctx.dbi();
    let (width, depth) = {
        let d = lookup(ctx.srv, db, dest, true)?;
        (d.width, d.depth)
    };
    let numkeys = parse_i64(argv[2]).ok_or(Error::err("CMS: invalid numkeys"))?;
    let rest = &argv[3..];
    if numkeys <= 0 {
        return Err(Error::err("CMS: Number of keys must be positive"));
    }
    let n = rest.len() as i64;
    let weights_at = arg_index(rest, "WEIGHTS");
    match weights_at {
        None if numkeys != n => return Err(Error::err("CMS: wrong number of keys")),
        Some(pos) if pos as i64 != numkeys || n != 1 + numkeys * 2 => {
            return Err(Error::err("CMS: wrong number of keys/weights"));
        }
        _ => {}
    }
    let numkeys = numkeys as usize;
    let mut weights = Vec::with_capacity(numkeys);
    for (i, src) in rest[..numkeys].iter().enumerate() {
        let w = match weights_at {
            None => 1,
            Some(_) => parse_i64(rest[numkeys + 1 + i]).ok_or(Error::err("CMS: invalid weight value"))?,
        };
        let s = lookup(ctx.srv, db, src, false)?;
        if s.width != width || s.depth != depth {
            return Err(Error::err("CMS: width/depth is not equal"));
        }
        weights.push(w);
    }
    let merged = {
        let mut sources = Vec::with_capacity(numkeys);
        for (src, w) in rest[..numkeys].iter().zip(&weights) {
            sources.push((peek(ctx.srv, db, src).ok_or(NO_KEY)?, *w));
        }
        Cms::merged(&sources)
    };
    let (counters, count) = merged.ok_or(Error::err("CMS: MERGE overflow"))?;
    match ctx.srv.dbs[db].find_mut(dest).and_then(|e| e.obj_mut()) {
        Some(Obj::Stack(StackValue::Cms(d))) => {
            d.counters = counters;
            d.count = count;
        }
        _ => return Err(NO_KEY),
    }
    ctx.c.reply.ok();
    ctx.key_modified(dest, KeyWrite::silent());
    Ok(())
}

/// `CMS.INFO key`: width, depth and count (a map in RESP3).
pub fn cms_info_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 2 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let cms = lookup(ctx.srv, db, argv[1], false)?;
    let fields = [("width", cms.width), ("depth", cms.depth), ("count", cms.count)];
    let r = &mut ctx.c.reply;
    r.map_len(fields.len());
    for (name, v) in fields {
        r.status(name.as_bytes());
        r.int(v as i64);
    }
    Ok(())
}
