//! The CF.* commands (RedisBloom 2.8's `rebloom.c`), with the module's
//! argument rules, error texts and its RESP3 reply shapes (CF.INSERTNX
//! answers integers even in RESP3; CF.COUNT always does).
//!
//! Like BF, every write that reached the filter dirties and propagates the
//! command as given; the module fires no keyspace events. CF.DEL and
//! CF.COMPACT answer their own "not found" texts for a missing key or one
//! of another type.

use super::{hash, Cuckoo, Insert};
use crate::db::change::KeyWrite;
use crate::error::Error;
use crate::object::{NewValue, Obj};
use crate::server::{CmdResult, Ctx, Server};
use crate::stack::bloom::commands::{arg_index, wrong_arity};
use crate::stack::StackValue;
use crate::util::num::parse_i64;

const DEFAULT_CAPACITY: i64 = 1024;
/// `CFMaxExpansions`: sub-filters beyond which adds are refused.
const MAX_EXPANSIONS: usize = 32;

const NOT_FOUND: Error = Error::err("ERR not found");
const EXISTS: Error = Error::err("ERR item exists");

/// `Ok(None)`: missing; `Err`: another type.
fn lookup<'s>(srv: &'s mut Server, db: usize, key: &[u8], write: bool) -> Result<Option<&'s mut Cuckoo>, Error> {
    let e = if write {
        srv.lookup_write(db, key)
    } else {
        srv.lookup_read(db, key)
    };
    match e {
        None => Ok(None),
        Some(e) => match e.obj_mut() {
            Some(Obj::Stack(StackValue::Cuckoo(c))) => Ok(Some(c)),
            _ => Err(Error::WrongType),
        },
    }
}

fn create(srv: &mut Server, db: usize, key: &[u8], c: Cuckoo) {
    srv.db_add(db, key, NewValue::Obj(Box::new(Obj::Stack(StackValue::Cuckoo(Box::new(c))))));
}

fn stored<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Option<&'s mut Cuckoo> {
    match srv.dbs[db].find_mut(key).and_then(|e| e.obj_mut()) {
        Some(Obj::Stack(StackValue::Cuckoo(c))) => Some(c),
        _ => None,
    }
}

/// An option value of CF.RESERVE (`argv[i + 1]`, missing when `i` is last).
fn opt(argv: &[&[u8]], name: &str, default: u16, min: i64, max: i64, what: &'static str, range: &'static str) -> Result<u16, Error> {
    let Some(i) = arg_index(argv, name) else {
        return Ok(default);
    };
    let v = argv.get(i + 1).and_then(|a| parse_i64(a)).ok_or(Error::err(what))?;
    if v < min || v > max {
        return Err(Error::err(range));
    }
    Ok(v as u16)
}

/// `CF.RESERVE key capacity [BUCKETSIZE n] [MAXITERATIONS n] [EXPANSION n]`
pub fn cf_reserve_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 3 || argv.len().is_multiple_of(2) {
        return Err(wrong_arity(argv));
    }
    let capacity = parse_i64(argv[2]).ok_or(Error::err("Bad capacity"))?;
    let max_iter = opt(
        argv,
        "MAXITERATIONS",
        super::DEFAULT_MAX_ITERATIONS,
        1,
        super::MAX_ITERATIONS,
        "Couldn't parse MAXITERATIONS",
        "MAXITERATIONS: value must be an integer between 1 and 65535, inclusive.",
    )?;
    let bucket_size = opt(
        argv,
        "BUCKETSIZE",
        super::DEFAULT_BUCKET_SIZE,
        1,
        super::MAX_BUCKET_SIZE,
        "Couldn't parse BUCKETSIZE",
        "BUCKETSIZE: value must be an integer between 1 and 255, inclusive.",
    )?;
    let expansion = opt(
        argv,
        "EXPANSION",
        super::DEFAULT_EXPANSION,
        0,
        super::MAX_EXPANSION,
        "Couldn't parse EXPANSION",
        "EXPANSION: value must be an integer between 0 and 32768, inclusive.",
    )?;
    if bucket_size as i64 * 2 > capacity {
        return Err(Error::err("Capacity must be at least (BucketSize * 2)"));
    }
    let key = argv[1];
    let db = ctx.dbi();
    if lookup(ctx.srv, db, key, true)?.is_some() {
        return Err(EXISTS);
    }
    let cf =
        Cuckoo::new(capacity as u64, bucket_size, max_iter, expansion).ok_or(Error::err("ERR Insufficient memory to create filter"))?;
    create(ctx.srv, db, key, cf);
    ctx.c.reply.ok();
    ctx.key_modified(key, KeyWrite::silent());
    Ok(())
}

struct InsertOptions {
    nx: bool,
    autocreate: bool,
    multi: bool,
    capacity: i64,
}

/// `cfInsertCommon`.
fn insert(ctx: &mut Ctx, key: &[u8], items: &[&[u8]], o: &InsertOptions) -> CmdResult {
    let db = ctx.dbi();
    if lookup(ctx.srv, db, key, true)?.is_none() {
        if !o.autocreate {
            return Err(NOT_FOUND);
        }
        if o.capacity < super::DEFAULT_BUCKET_SIZE as i64 * 2 {
            return Err(Error::err("ERR Could not create filter"));
        }
        let cf = Cuckoo::new(
            o.capacity as u64,
            super::DEFAULT_BUCKET_SIZE,
            super::DEFAULT_MAX_ITERATIONS,
            super::DEFAULT_EXPANSION,
        )
        .ok_or(Error::err("ERR Insufficient memory to create filter"))?;
        create(ctx.srv, db, key, cf);
    }
    let Some(cf) = stored(ctx.srv, db, key) else {
        return Err(NOT_FOUND);
    };
    if cf.filters.len() >= MAX_EXPANSIONS {
        return Err(Error::err("Maximum expansions reached"));
    }
    let r = &mut ctx.c.reply;
    let resp3 = r.resp == 3;
    // CF.INSERTNX answers integers in both protocols.
    let bools = resp3 && (!o.nx || !o.multi);
    if o.multi {
        r.array_len(items.len());
    }
    for item in items {
        match cf.insert(hash(item), o.nx) {
            s @ (Insert::Inserted | Insert::Exists) => {
                let v = s == Insert::Inserted;
                if bools {
                    r.bool(v);
                } else {
                    r.int(v as i64);
                }
            }
            s => {
                if !o.multi {
                    return Err(Error::err(if s == Insert::NoSpace {
                        "Filter is full"
                    } else {
                        "ERR Insufficient memory"
                    }));
                }
                if resp3 && !o.nx {
                    r.bool(false);
                } else {
                    r.int(-1);
                }
            }
        }
    }
    ctx.key_modified(key, KeyWrite::silent());
    Ok(())
}

fn is_nx(argv: &[&[u8]]) -> bool {
    argv[0].last().is_some_and(|c| c.eq_ignore_ascii_case(&b'x'))
}

/// `CF.ADD key item` / `CF.ADDNX key item`
pub fn cf_add_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let o = InsertOptions {
        nx: is_nx(argv),
        autocreate: true,
        multi: false,
        capacity: DEFAULT_CAPACITY,
    };
    if argv.len() != 3 {
        return Err(wrong_arity(argv));
    }
    insert(ctx, argv[1], &argv[2..], &o)
}

/// `CF.INSERT[NX] key [CAPACITY c] [NOCREATE] ITEMS item [item ...]`:
/// options told apart by their first letters.
pub fn cf_insert_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut o = InsertOptions {
        nx: is_nx(argv),
        autocreate: true,
        multi: true,
        capacity: DEFAULT_CAPACITY,
    };
    if argv.len() < 4 {
        return Err(wrong_arity(argv));
    }
    let mut pos = 2;
    let mut items = None;
    while pos < argv.len() && items.is_none() {
        match argv[pos].first().map_or(0, |c| c.to_ascii_lowercase()) {
            b'c' => {
                pos += 1;
                if pos == argv.len() {
                    return Err(wrong_arity(argv));
                }
                o.capacity = parse_i64(argv[pos]).ok_or(Error::err("Bad capacity"))?;
                pos += 1;
                if (super::DEFAULT_BUCKET_SIZE as i64) * 2 > o.capacity {
                    return Err(Error::err("Capacity must be at least (BucketSize * 2)"));
                }
            }
            b'i' => {
                pos += 1;
                items = Some(pos);
            }
            b'n' => {
                o.autocreate = false;
                pos += 1;
            }
            _ => return Err(Error::err("Unknown argument received")),
        }
    }
    let items = match items {
        Some(i) if i < argv.len() => i,
        _ => return Err(wrong_arity(argv)),
    };
    insert(ctx, argv[1], &argv[items..], &o)
}

/// `CF.EXISTS key item`, `CF.MEXISTS key item [item ...]`, `CF.COUNT key
/// item`: a missing key or one of another type holds nothing.
pub fn cf_exists_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let multi = argv[0].get(3).is_some_and(|c| c.eq_ignore_ascii_case(&b'm'));
    let count = argv[0].last().is_some_and(|c| c.eq_ignore_ascii_case(&b't'));
    if (multi && argv.len() < 3) || (!multi && argv.len() != 3) {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let cf = lookup(ctx.srv, db, argv[1], false).ok().flatten();
    let r = &mut ctx.c.reply;
    let bools = r.resp == 3 && !count;
    if multi {
        r.array_len(argv.len() - 2);
    }
    for item in &argv[2..] {
        let v = match cf.as_ref() {
            None => 0,
            Some(cf) if count => cf.count(hash(item)) as i64,
            Some(cf) => cf.contains(hash(item)) as i64,
        };
        if bools {
            r.bool(v != 0);
        } else {
            r.int(v);
        }
    }
    Ok(())
}

/// `CF.DEL key item`
pub fn cf_del_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 3 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let cf = lookup(ctx.srv, db, argv[1], true).ok().flatten().ok_or(Error::err("Not found"))?;
    let done = cf.delete(hash(argv[2]));
    ctx.c.reply.bool(done);
    ctx.key_modified(argv[1], KeyWrite::silent());
    Ok(())
}

/// `CF.COMPACT key`
pub fn cf_compact_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 2 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let cf = lookup(ctx.srv, db, argv[1], true)
        .ok()
        .flatten()
        .ok_or(Error::err("Cuckoo filter was not found"))?;
    cf.compact(true);
    ctx.c.reply.ok();
    ctx.key_modified(argv[1], KeyWrite::silent());
    Ok(())
}

/// `CF.INFO key`
pub fn cf_info_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 2 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let cf = lookup(ctx.srv, db, argv[1], false)?.ok_or(NOT_FOUND)?;
    let fields: [(&str, u64); 8] = [
        ("Size", cf.module_size()),
        ("Number of buckets", cf.buckets),
        ("Number of filters", cf.filters.len() as u64),
        ("Number of items inserted", cf.items),
        ("Number of items deleted", cf.deletes),
        ("Bucket size", cf.bucket_size as u64),
        ("Expansion rate", cf.expansion as u64),
        ("Max iterations", cf.max_iterations as u64),
    ];
    let r = &mut ctx.c.reply;
    r.map_len(fields.len());
    for (name, v) in fields {
        r.status(name.as_bytes());
        r.int(v as i64);
    }
    Ok(())
}

/// `CF.DEBUG key`
pub fn cf_debug_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 2 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let cf = lookup(ctx.srv, db, argv[1], false)?.ok_or(NOT_FOUND)?;
    let line = format!(
        "bktsize:{} buckets:{} items:{} deletes:{} filters:{} max_iterations:{} expansion:{}",
        cf.bucket_size,
        cf.buckets,
        cf.items,
        cf.deletes,
        cf.filters.len(),
        cf.max_iterations,
        cf.expansion
    );
    ctx.c.reply.bulk(line.as_bytes());
    Ok(())
}

/// `CF.SCANDUMP key position`
pub fn cf_scandump_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 3 {
        return Err(wrong_arity(argv));
    }
    let pos = parse_i64(argv[2]).filter(|&p| p >= 0).ok_or(Error::err("Invalid position"))?;
    let db = ctx.dbi();
    let cf = lookup(ctx.srv, db, argv[1], false)?.ok_or(NOT_FOUND)?;
    let r = &mut ctx.c.reply;
    r.array_len(2);
    if cf.items == 0 {
        r.int(0);
        r.null();
    } else if pos == 0 {
        r.int(1);
        r.bulk(&cf.header());
    } else {
        match cf.chunk(pos) {
            Some((next, data)) => {
                r.int(next);
                r.bulk(data);
            }
            None => {
                r.int(0);
                r.null();
            }
        }
    }
    Ok(())
}

/// `CF.LOADCHUNK key position data`
pub fn cf_loadchunk_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 4 {
        return Err(wrong_arity(argv));
    }
    let (key, data) = (argv[1], argv[3]);
    let db = ctx.dbi();
    let found = lookup(ctx.srv, db, key, true).map(|c| c.is_some());
    let pos = parse_i64(argv[2]).filter(|&p| p != 0).ok_or(Error::err("Invalid position"))?;
    if pos == 1 {
        match found {
            Ok(false) => {}
            Ok(true) => return Err(EXISTS),
            Err(e) => return Err(e),
        }
        if data.len() != super::HEADER_LEN {
            return Err(Error::err("Invalid header"));
        }
        let cf = Cuckoo::from_header(data).ok_or(Error::err("Couldn't create filter!"))?;
        create(ctx.srv, db, key, cf);
    } else {
        if !found? {
            return Err(NOT_FOUND);
        }
        let Some(cf) = stored(ctx.srv, db, key) else {
            return Err(NOT_FOUND);
        };
        if !cf.load_chunk(pos, data) {
            return Err(Error::err("Couldn't load chunk!"));
        }
    }
    ctx.c.reply.ok();
    ctx.key_modified(key, KeyWrite::silent());
    Ok(())
}
