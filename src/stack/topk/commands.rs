//! The TOPK.* commands (RedisBloom 2.8's `rm_topk.c`), with the module's
//! argument rules, error texts ("TopK: ...") and reply shapes: items come
//! back as C strings (cut at a NUL byte), TOPK.QUERY answers booleans in
//! RESP3, TOPK.INFO's decay is a double.
//!
//! A write that reached the list dirties and propagates the command as
//! given, and fires no keyspace event. TOPK.RESERVE answers "key already
//! exists" for a key of any type. Where the module would answer a bad
//! TOPK.INCRBY increment inside an array it already announced (leaving the
//! reply short), we check every increment first and answer the error alone.

use super::{c_str, TopK};
use crate::db::change::KeyWrite;
use crate::error::Error;
use crate::object::{NewValue, Obj};
use crate::server::{CmdResult, Ctx, Server};
use crate::stack::bloom::commands::wrong_arity;
use crate::stack::StackValue;
use crate::util::num::{parse_f64, parse_i64};

const NO_KEY: Error = Error::err("TopK: key does not exist");
const MAX_INCREMENT: i64 = 100_000;

/// `GetTopKKey`.
fn lookup<'s>(srv: &'s mut Server, db: usize, key: &[u8], write: bool) -> Result<&'s mut TopK, Error> {
    let e = if write {
        srv.lookup_write(db, key)
    } else {
        srv.lookup_read(db, key)
    };
    match e {
        None => Err(NO_KEY),
        Some(e) => match e.obj_mut() {
            Some(Obj::Stack(StackValue::TopK(t))) => Ok(t),
            _ => Err(Error::WrongType),
        },
    }
}

/// `TOPK.RESERVE key topk [width depth decay]`
pub fn topk_reserve_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 3 && argv.len() != 6 {
        return Err(wrong_arity(argv));
    }
    let key = argv[1];
    let db = ctx.dbi();
    if ctx.srv.lookup_write(db, key).is_some() {
        return Err(Error::err("TopK: key already exists"));
    }
    let dim = |a: &[u8]| parse_i64(a).filter(|v| (1..=u32::MAX as i64).contains(v)).map(|v| v as u32);
    let k = dim(argv[2]).ok_or(Error::err("TopK: invalid k"))?;
    let (width, depth, decay) = if argv.len() == 6 {
        let width = dim(argv[3]).ok_or(Error::err("TopK: invalid width"))?;
        let depth = dim(argv[4]).ok_or(Error::err("TopK: invalid depth"))?;
        let decay = parse_f64(argv[5])
            .filter(|d| *d > 0.0 && *d <= 1.0)
            .ok_or(Error::err("TopK: invalid decay value. must be '<= 1' & '> 0'"))?;
        (width, depth, decay)
    } else {
        (8, 7, 0.9)
    };
    let t = TopK::new(k, width, depth, decay).ok_or(Error::err("ERR Insufficient memory to create topk data structure"))?;
    ctx.srv
        .db_add(db, key, NewValue::Obj(Box::new(Obj::Stack(StackValue::TopK(Box::new(t))))));
    ctx.c.reply.ok();
    ctx.key_modified(key, KeyWrite::silent());
    Ok(())
}

fn add_all(ctx: &mut Ctx, key: &[u8], items: &[(&[u8], u32)]) -> CmdResult {
    let db = ctx.dbi();
    let t = lookup(ctx.srv, db, key, true)?;
    let r = &mut ctx.c.reply;
    r.array_len(items.len());
    for (item, incr) in items {
        match t.add(item, *incr) {
            Some(expelled) => r.bulk(c_str(&expelled)),
            None => r.null(),
        }
    }
    ctx.key_modified(key, KeyWrite::silent());
    Ok(())
}

/// `TOPK.ADD key item [item ...]`: the item each add expelled, or nil.
pub fn topk_add_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 3 {
        return Err(wrong_arity(argv));
    }
    let items: Vec<(&[u8], u32)> = argv[2..].iter().map(|a| (*a, 1)).collect();
    add_all(ctx, argv[1], &items)
}

/// `TOPK.INCRBY key item increment [item increment ...]`
pub fn topk_incrby_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 4 || argv.len() % 2 == 1 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    lookup(ctx.srv, db, argv[1], true)?;
    let mut items = Vec::with_capacity((argv.len() - 2) / 2);
    for p in argv[2..].chunks_exact(2) {
        let v = parse_i64(p[1]).filter(|v| (0..=MAX_INCREMENT).contains(v)).ok_or(Error::err(
            "TopK: increment must be an integer greater or equal to 0                            and smaller or equal to 100,000",
        ))?;
        items.push((p[0], v as u32));
    }
    add_all(ctx, argv[1], &items)
}

/// `TOPK.QUERY key item [item ...]`
pub fn topk_query_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 3 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let t = lookup(ctx.srv, db, argv[1], false)?;
    let r = &mut ctx.c.reply;
    r.array_len(argv.len() - 2);
    for item in &argv[2..] {
        let found = t.query(item);
        if r.resp == 3 {
            r.bool(found);
        } else {
            r.int(found as i64);
        }
    }
    Ok(())
}

/// `TOPK.COUNT key item [item ...]`
pub fn topk_count_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 3 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let t = lookup(ctx.srv, db, argv[1], false)?;
    let r = &mut ctx.c.reply;
    r.array_len(argv.len() - 2);
    for item in &argv[2..] {
        r.int(i64::from(t.count(item)));
    }
    Ok(())
}

/// `TOPK.LIST key [WITHCOUNT]`: the heap's items by descending count.
pub fn topk_list_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 2 && argv.len() != 3 {
        return Err(wrong_arity(argv));
    }
    // The module compares only as many letters as given (`strncasecmp`).
    let with_count = match argv.get(2) {
        None => false,
        Some(a) if a.len() <= 9 && a.eq_ignore_ascii_case(&b"WITHCOUNT"[..a.len()]) => true,
        Some(_) => return Err(Error::err("WITHCOUNT keyword expected")),
    };
    let db = ctx.dbi();
    let t = lookup(ctx.srv, db, argv[1], false)?;
    let slots: Vec<_> = t.list().into_iter().take_while(|s| s.count != 0).collect();
    let r = &mut ctx.c.reply;
    r.array_len(slots.len() * (1 + with_count as usize));
    for s in slots {
        r.bulk(c_str(s.item.as_deref().unwrap_or(&[])));
        if with_count {
            r.int(i64::from(s.count));
        }
    }
    Ok(())
}

/// `TOPK.INFO key`: k, width, depth and decay (a map in RESP3).
pub fn topk_info_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 2 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let t = lookup(ctx.srv, db, argv[1], false)?;
    let r = &mut ctx.c.reply;
    r.map_len(4);
    for (name, v) in [("k", t.k), ("width", t.width), ("depth", t.depth)] {
        r.status(name.as_bytes());
        r.int(i64::from(v));
    }
    r.status(b"decay");
    r.double(t.decay);
    Ok(())
}
