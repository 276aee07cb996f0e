//! The BF.* commands (RedisBloom 2.8's `rebloom.c`), with the module's
//! argument rules and error texts, several of which have no `ERR` code
//! ("Bad error rate", "Nonscaling filters cannot expand" ...).
//!
//! Module quirks kept because clients can see them: option names of
//! BF.RESERVE are looked for anywhere in the arguments (the key included)
//! and unknown extra arguments are ignored; BF.INSERT recognises its
//! options by their first letters; BF.EXISTS and BF.MEXISTS answer 0 for a
//! key of another type; every write that reached the filter dirties and
//! propagates the command as given, even when no bit changed. The module
//! fires no keyspace events.

use super::{AddError, Bloom, InitError};
use crate::db::change::KeyWrite;
use crate::error::Error;
use crate::object::{NewValue, Obj};
use crate::server::{CmdResult, Ctx, Server};
use crate::stack::StackValue;
use crate::util::num::{parse_f64, parse_i64};

const DEFAULT_ERROR: f64 = 0.01;
const DEFAULT_CAPACITY: i64 = 100;
const DEFAULT_EXPANSION: i64 = 2;

const NOT_FOUND: Error = Error::err("ERR not found");
const EXISTS: Error = Error::err("ERR item exists");

/// `RedisModule_WrongArity`: names the command as the client typed it.
pub fn wrong_arity(argv: &[&[u8]]) -> Error {
    Error::msg(format!(
        "ERR wrong number of arguments for '{}' command",
        String::from_utf8_lossy(argv[0])
    ))
}

/// `RMUtil_ArgIndex`: the first argument (from argv[0]) equal to `name`,
/// case-insensitively.
pub fn arg_index(argv: &[&[u8]], name: &str) -> Option<usize> {
    argv.iter().position(|a| a.eq_ignore_ascii_case(name.as_bytes()))
}

/// The filter at `key` for reading: `Ok(None)` when missing.
fn read<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s mut Bloom>, Error> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(e) => match e.obj_mut() {
            Some(Obj::Stack(StackValue::Bloom(b))) => Ok(Some(b)),
            _ => Err(Error::WrongType),
        },
    }
}

/// The filter at `key` for writing: `Ok(None)` when missing.
fn write<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s mut Bloom>, Error> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(e) => match e.obj_mut() {
            Some(Obj::Stack(StackValue::Bloom(b))) => Ok(Some(b)),
            _ => Err(Error::WrongType),
        },
    }
}

fn create(srv: &mut Server, db: usize, key: &[u8], b: Bloom) {
    srv.db_add(db, key, NewValue::Obj(Box::new(Obj::Stack(StackValue::Bloom(Box::new(b))))));
}

fn create_error(e: InitError) -> Error {
    match e {
        InitError::NoMemory => Error::err("ERR Insufficient memory to create filter"),
        InitError::Invalid => Error::err("ERR could not create filter"),
    }
}

fn is_multi(argv: &[&[u8]]) -> bool {
    argv[0].get(3).is_some_and(|c| c.eq_ignore_ascii_case(&b'm'))
}

/// `BF.RESERVE key error_rate capacity [EXPANSION expansion] [NONSCALING]`
pub fn bf_reserve_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 4 || argv.len() > 7 {
        return Err(wrong_arity(argv));
    }
    let error = parse_f64(argv[2]).ok_or(Error::err("ERR bad error rate"))?;
    if error >= 1.0 || error <= 0.0 {
        return Err(Error::err("ERR (0 < error rate range < 1) "));
    }
    let capacity = parse_i64(argv[3]).ok_or(Error::err("ERR bad capacity"))?;
    if capacity <= 0 {
        return Err(Error::err("ERR (capacity should be larger than 0)"));
    }
    let nonscaling = arg_index(argv, "NONSCALING").is_some();
    let mut expansion = DEFAULT_EXPANSION;
    if let Some(i) = arg_index(argv, "EXPANSION") {
        if i + 1 == argv.len() {
            return Err(Error::err("ERR no expansion"));
        }
        if nonscaling {
            return Err(Error::err("Nonscaling filters cannot expand"));
        }
        expansion = parse_i64(argv[i + 1]).ok_or(Error::err("ERR bad expansion"))?;
        if expansion < 1 {
            return Err(Error::err("ERR expansion should be greater or equal to 1"));
        }
    }
    let key = argv[1];
    let db = ctx.dbi();
    if write(ctx.srv, db, key)?.is_some() {
        return Err(EXISTS);
    }
    let b = Bloom::new(capacity as u64, error, expansion as u32, nonscaling).map_err(create_error)?;
    create(ctx.srv, db, key, b);
    ctx.c.reply.ok();
    ctx.key_modified(key, KeyWrite::silent());
    Ok(())
}

struct InsertOptions {
    capacity: i64,
    error: f64,
    autocreate: bool,
    multi: bool,
    expansion: i64,
    nonscaling: bool,
}

impl InsertOptions {
    fn defaults(multi: bool) -> InsertOptions {
        InsertOptions {
            capacity: DEFAULT_CAPACITY,
            error: DEFAULT_ERROR,
            autocreate: true,
            multi,
            expansion: DEFAULT_EXPANSION,
            nonscaling: false,
        }
    }
}

/// `bfInsertCommon`: adds `items`, creating the filter if allowed.
fn insert(ctx: &mut Ctx, key: &[u8], items: &[&[u8]], o: &InsertOptions) -> CmdResult {
    let db = ctx.dbi();
    if write(ctx.srv, db, key)?.is_none() {
        if !o.autocreate {
            return Err(NOT_FOUND);
        }
        let b = Bloom::new(o.capacity as u64, o.error, o.expansion as u32, o.nonscaling).map_err(create_error)?;
        create(ctx.srv, db, key, b);
    }
    let Some(Obj::Stack(StackValue::Bloom(b))) = ctx.srv.dbs[db].find_mut(key).and_then(|e| e.obj_mut()) else {
        return Err(NOT_FOUND);
    };
    let r = &mut ctx.c.reply;
    let deferred = o.multi.then(|| r.deferred());
    let mut n = 0;
    let mut single_err = None;
    for item in items {
        n += 1;
        match b.add(item) {
            Ok(fresh) => r.bool(fresh),
            Err(e) => {
                let msg = match e {
                    AddError::Full => "ERR non scaling filter is full",
                    AddError::Failed => "ERR problem inserting into filter",
                };
                if o.multi {
                    r.error(msg.as_bytes());
                } else {
                    single_err = Some(Error::err(msg));
                }
                if e == AddError::Full {
                    break;
                }
            }
        }
    }
    if let Some(d) = deferred {
        r.set_deferred_array(d, n);
    }
    ctx.key_modified(key, KeyWrite::silent());
    match single_err {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// `BF.ADD key item` and `BF.MADD key item [item ...]`
pub fn bf_add_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let multi = is_multi(argv);
    if (multi && argv.len() < 3) || (!multi && argv.len() != 3) {
        return Err(wrong_arity(argv));
    }
    insert(ctx, argv[1], &argv[2..], &InsertOptions::defaults(multi))
}

/// `BF.INSERT key [CAPACITY c] [ERROR e] [EXPANSION x] [NOCREATE]
/// [NONSCALING] ITEMS item [item ...]`: options are told apart by their
/// first letters, as the module does.
pub fn bf_insert_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 4 {
        return Err(wrong_arity(argv));
    }
    let mut o = InsertOptions::defaults(true);
    let mut items = None;
    let mut pos = 2;
    let at = |a: &[u8], i: usize| a.get(i).map_or(0, |c| c.to_ascii_lowercase());
    while pos < argv.len() && items.is_none() {
        let a = argv[pos];
        match at(a, 0) {
            b'i' => {
                pos += 1;
                items = Some(pos);
            }
            b'e' => {
                pos += 1;
                if pos == argv.len() {
                    return Err(wrong_arity(argv));
                }
                if at(a, 1) == b'r' {
                    o.error = parse_f64(argv[pos]).ok_or(Error::err("Bad error rate"))?;
                } else {
                    o.expansion = parse_i64(argv[pos]).ok_or(Error::err("Bad expansion"))?;
                }
                pos += 1;
            }
            b'c' => {
                pos += 1;
                if pos == argv.len() {
                    return Err(wrong_arity(argv));
                }
                o.capacity = parse_i64(argv[pos]).ok_or(Error::err("Bad capacity"))?;
                pos += 1;
            }
            b'n' => {
                if at(a, 2) == b'c' {
                    o.autocreate = false;
                } else {
                    o.nonscaling = true;
                }
                pos += 1;
            }
            _ => return Err(Error::err("Unknown argument received")),
        }
    }
    let items = match items {
        Some(i) if i < argv.len() => i,
        _ => return Err(wrong_arity(argv)),
    };
    if o.error <= 0.0 || o.error >= 1.0 || o.capacity < 1 || o.expansion < 1 {
        return Err(Error::err("Bad argument received"));
    }
    insert(ctx, argv[1], &argv[items..], &o)
}

/// `BF.EXISTS key item` and `BF.MEXISTS key item [item ...]`: a missing
/// key or one of another type holds nothing.
pub fn bf_exists_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let multi = is_multi(argv);
    if (multi && argv.len() < 3) || (!multi && argv.len() != 3) {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let b = read(ctx.srv, db, argv[1]).ok().flatten();
    let r = &mut ctx.c.reply;
    if multi {
        r.array_len(argv.len() - 2);
    }
    for item in &argv[2..] {
        r.bool(b.as_ref().is_some_and(|b| b.contains(item)));
    }
    Ok(())
}

/// `BF.INFO key [CAPACITY | SIZE | FILTERS | ITEMS | EXPANSION]`
pub fn bf_info_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 2 && argv.len() != 3 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let b = read(ctx.srv, db, argv[1])?.ok_or(NOT_FOUND)?;
    let fields: [(&str, &[u8], Option<u64>); 5] = [
        ("Capacity", b"capacity", Some(b.capacity())),
        ("Size", b"size", Some(b.module_size())),
        ("Number of filters", b"filters", Some(b.links.len() as u64)),
        ("Number of items inserted", b"items", Some(b.items)),
        ("Expansion rate", b"expansion", b.scales().then_some(b.growth as u64)),
    ];
    let r = &mut ctx.c.reply;
    let value = |r: &mut crate::resp::reply::ReplyBuf, v: Option<u64>| match v {
        Some(v) => r.int(v as i64),
        None => r.null(),
    };
    if let Some(which) = argv.get(2) {
        let Some(&(name, _, v)) = fields.iter().find(|f| which.eq_ignore_ascii_case(f.1)) else {
            return Err(Error::err("Invalid information value"));
        };
        if r.resp == 3 {
            r.map_len(1);
            r.status(name.as_bytes());
        } else {
            r.array_len(1);
        }
        value(r, v);
        return Ok(());
    }
    r.map_len(fields.len());
    for (name, _, v) in fields {
        r.status(name.as_bytes());
        value(r, v);
    }
    Ok(())
}

/// `BF.CARD key`: 0 for a missing key.
pub fn bf_card_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 2 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let n = read(ctx.srv, db, argv[1])?.map_or(0, |b| b.items);
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `BF.DEBUG key`: the chain's size, then one line per link.
pub fn bf_debug_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 2 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let lines = read(ctx.srv, db, argv[1])?.ok_or(NOT_FOUND)?.debug_lines();
    let r = &mut ctx.c.reply;
    r.array_len(lines.len());
    for l in lines {
        r.bulk(l.as_bytes());
    }
    Ok(())
}

/// `BF.SCANDUMP key iterator`: iterator 0 gives the header (next 1),
/// then the bit arrays chunk by chunk, then `0` and an empty string.
pub fn bf_scandump_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 3 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let b = read(ctx.srv, db, argv[1])?.ok_or(NOT_FOUND)?;
    let iter = parse_i64(argv[2]).ok_or(Error::err("Second argument must be numeric"))?;
    let r = &mut ctx.c.reply;
    r.array_len(2);
    if iter == 0 {
        r.int(1);
        r.bulk(&b.header());
    } else {
        match b.chunk(iter) {
            Some((next, data)) => {
                r.int(next);
                r.bulk(data);
            }
            None => {
                r.int(0);
                r.bulk(b"");
            }
        }
    }
    Ok(())
}

/// `BF.LOADCHUNK key iterator data`: iterator 1 on a missing key creates
/// the filter from a SCANDUMP header; later chunks fill its bit arrays.
pub fn bf_loadchunk_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 4 {
        return Err(wrong_arity(argv));
    }
    let iter = parse_i64(argv[2]).ok_or(Error::err("ERR Second argument must be numeric"))?;
    let (key, data) = (argv[1], argv[3]);
    let db = ctx.dbi();
    match write(ctx.srv, db, key)? {
        None if iter == 1 => {
            let b = Bloom::from_header(data).ok_or(Error::err("ERR received bad data"))?;
            create(ctx.srv, db, key, b);
        }
        None => return Err(NOT_FOUND),
        Some(b) => b.load_chunk(iter, data).map_err(Error::err)?,
    }
    ctx.c.reply.ok();
    ctx.key_modified(key, KeyWrite::silent());
    Ok(())
}
