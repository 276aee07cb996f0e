//! Strings (t_string.c): the string type API, then its commands.
//!
//! A string value is an integer (`int`), a short immutable string
//! embedded in its keyspace entry (`embstr`) or a boxed growable buffer
//! (`raw`). Modifying commands (APPEND, SETRANGE) turn a value into `raw`,
//! as Redis does.

use crate::config::special::notify;
use crate::db::change::{ev, Event, KeyWrite};
use crate::db::{lookup, KvEntry};
use crate::error::Error;
use crate::object::{int_value, string_value, NewValue, Obj, ValueRef};
use crate::server::{CmdResult, Ctx, Server};
use crate::util::num::{fmt_i64, long_double_add, parse_i64, LdAddError, LONG_STR_SIZE};

// ---------------------------------------------------------------------------
// String type API
// ---------------------------------------------------------------------------

/// The bytes of a string value (integers formatted into `buf`), or
/// WRONGTYPE.
pub fn string_bytes<'a>(v: ValueRef<'a>, buf: &'a mut [u8; LONG_STR_SIZE]) -> Result<&'a [u8], Error> {
    match v {
        ValueRef::Int(i) => Ok(fmt_i64(i, buf)),
        ValueRef::Emb(b) => Ok(b),
        ValueRef::Obj(Obj::Str(s)) => Ok(s),
        ValueRef::Obj(_) => Err(Error::WrongType),
    }
}

/// The integer held by a string value (`getLongLongFromObject`).
fn string_as_i64(v: ValueRef<'_>) -> Result<i64, Error> {
    match v {
        ValueRef::Int(i) => Ok(i),
        other => {
            let mut buf = [0u8; LONG_STR_SIZE];
            parse_i64(string_bytes(other, &mut buf)?).ok_or(Error::NotInteger)
        }
    }
}

/// Rejects a string that would exceed `proto-max-bulk-len`
/// (`checkStringLength`).
fn check_string_length(srv: &Server, size: u64, append: u64) -> Result<(), Error> {
    match size.checked_add(append) {
        Some(total) if total <= srv.cfg.proto_max_bulk_len as u64 => Ok(()),
        _ => Err(Error::StringTooLong),
    }
}

/// Makes the value of an existing string key a private raw buffer
/// (`dbUnshareStringValue`) and returns it for modification.
pub(crate) fn unshare_string<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Option<&'s mut Vec<u8>> {
    let is_raw = matches!(srv.dbs[db].find(key)?.value(), ValueRef::Obj(Obj::Str(_)));
    if !is_raw {
        let mut buf = [0u8; LONG_STR_SIZE];
        let bytes = string_bytes(srv.dbs[db].find(key)?.value(), &mut buf).ok()?.to_vec();
        srv.db_overwrite(db, key, NewValue::Obj(Box::new(Obj::Str(bytes))));
    }
    match srv.dbs[db].find_mut(key)?.obj_mut()? {
        Obj::Str(s) => Some(s),
        _ => None,
    }
}

/// Replies with a string entry's value, or WRONGTYPE.
fn reply_string(ctx_reply: &mut crate::resp::ReplyBuf, e: &KvEntry) -> Result<(), Error> {
    let mut buf = [0u8; LONG_STR_SIZE];
    let b = string_bytes(e.value(), &mut buf)?;
    ctx_reply.bulk(b);
    Ok(())
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

const SET_NX: u32 = 1 << 0;
const SET_XX: u32 = 1 << 1;
const SET_EX: u32 = 1 << 2;
const SET_PX: u32 = 1 << 3;
const SET_KEEPTTL: u32 = 1 << 4;
const SET_GET: u32 = 1 << 5;
const SET_EXAT: u32 = 1 << 6;
const SET_PXAT: u32 = 1 << 7;
const SET_PERSIST: u32 = 1 << 8;
const ANY_EXPIRE: u32 = SET_EX | SET_PX | SET_EXAT | SET_PXAT;

#[derive(PartialEq, Eq, Clone, Copy)]
enum ArgsFor {
    Set,
    GetEx,
}

/// Parses SET/GETEX options (`parseExtendedStringArgumentsOrReply`).
/// Returns the flags and the expire argument.
fn parse_string_args<'a>(argv: &[&'a [u8]], kind: ArgsFor) -> Result<(u32, Option<&'a [u8]>), Error> {
    let mut flags = 0u32;
    let mut expire = None;
    let mut j = if kind == ArgsFor::GetEx { 2 } else { 3 };
    let is_set = kind == ArgsFor::Set;
    while j < argv.len() {
        let opt = argv[j].to_ascii_lowercase();
        let has_next = j + 1 < argv.len();
        let no_exp_except = |allowed: u32| flags & (ANY_EXPIRE & !allowed) == 0 && flags & (SET_KEEPTTL | SET_PERSIST) == 0;
        match opt.as_slice() {
            b"nx" if is_set && flags & SET_XX == 0 => flags |= SET_NX,
            b"xx" if is_set && flags & SET_NX == 0 => flags |= SET_XX,
            b"get" if is_set => flags |= SET_GET,
            b"keepttl" if is_set && flags & (ANY_EXPIRE | SET_PERSIST) == 0 => flags |= SET_KEEPTTL,
            b"persist" if !is_set && flags & (ANY_EXPIRE | SET_KEEPTTL) == 0 => flags |= SET_PERSIST,
            b"ex" if has_next && no_exp_except(SET_EX) => {
                flags |= SET_EX;
                expire = Some(argv[j + 1]);
                j += 1;
            }
            b"px" if has_next && no_exp_except(SET_PX) => {
                flags |= SET_PX;
                expire = Some(argv[j + 1]);
                j += 1;
            }
            b"exat" if has_next && no_exp_except(SET_EXAT) => {
                flags |= SET_EXAT;
                expire = Some(argv[j + 1]);
                j += 1;
            }
            b"pxat" if has_next && no_exp_except(SET_PXAT) => {
                flags |= SET_PXAT;
                expire = Some(argv[j + 1]);
                j += 1;
            }
            _ => return Err(Error::Syntax),
        }
        j += 1;
    }
    Ok((flags, expire))
}

/// Converts the expire argument to an absolute unix time in ms
/// (`getExpireMillisecondsOrReply`).
fn expire_ms(ctx: &Ctx, arg: &[u8], flags: u32) -> Result<i64, Error> {
    let mut ms = parse_i64(arg).ok_or(Error::NotInteger)?;
    let seconds = flags & (SET_EX | SET_EXAT) != 0;
    let bad = || Error::msg(format!("ERR invalid expire time in '{}' command", ctx.cmd.fullname));
    if ms <= 0 || (seconds && ms > i64::MAX / 1000) {
        return Err(bad());
    }
    if seconds {
        ms *= 1000;
    }
    if flags & (SET_PX | SET_EX) != 0 {
        ms = ms.checked_add(crate::util::mstime()).ok_or_else(bad)?;
    }
    if ms <= 0 {
        return Err(bad());
    }
    Ok(ms)
}

/// The body of SET and its variants (`setGenericCommand`). `on_ok` /
/// `on_abort` override the default +OK / null replies (SETNX's 1 / 0).
fn set_generic(ctx: &mut Ctx, flags: u32, key_i: usize, val_i: usize, expire: Option<&[u8]>, replies: Option<(i64, i64)>) -> CmdResult {
    let ms = match expire {
        Some(e) => Some(expire_ms(ctx, e, flags)?),
        None => None,
    };
    let db = ctx.dbi();
    let key = ctx.argv[key_i];
    if flags & SET_GET != 0 {
        match ctx.srv.lookup_read(db, key) {
            None => ctx.c.reply.null(),
            Some(e) => reply_string(&mut ctx.c.reply, e)?,
        }
    }
    let found = ctx.srv.lookup_write(db, key).is_some();
    if (flags & SET_NX != 0 && found) || (flags & SET_XX != 0 && !found) {
        if flags & SET_GET == 0 {
            match replies {
                Some((_, abort)) => ctx.c.reply.int(abort),
                None => ctx.c.reply.null(),
            }
        }
        return Ok(());
    }
    let shared = ctx.srv.shared_ints_allowed();
    let value = ctx.argv[val_i];
    ctx.srv.set_key(db, key, string_value(value, shared), flags & SET_KEEPTTL != 0);
    if let Some(ms) = ms {
        ctx.srv.dbs[db].set_expire(key, ms);
    }
    ctx.key_modified(key, KeyWrite::new(ev::SET).also_if(ms.is_some(), ev::EXPIRE));
    if let Some(ms) = ms {
        ctx.propagate_as(vec![
            b"SET".to_vec(),
            key.to_vec(),
            value.to_vec(),
            b"PXAT".to_vec(),
            ms.to_string().into_bytes(),
        ]);
    }
    if flags & SET_GET == 0 {
        match replies {
            Some((ok, _)) => ctx.c.reply.int(ok),
            None => ctx.c.reply.ok(),
        }
    }
    if flags & SET_GET != 0 && ms.is_none() {
        // Propagate without GET.
        let argv: Vec<Vec<u8>> = ctx
            .argv
            .iter()
            .enumerate()
            .filter(|(j, a)| *j < 3 || !a.eq_ignore_ascii_case(b"get"))
            .map(|(_, a)| a.to_vec())
            .collect();
        ctx.propagate_as(argv);
    }
    Ok(())
}

/// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL]`
pub fn set_command(ctx: &mut Ctx) -> CmdResult {
    let (flags, expire) = parse_string_args(ctx.argv, ArgsFor::Set)?;
    set_generic(ctx, flags, 1, 2, expire, None)
}

/// `SETNX key value`
pub fn setnx_command(ctx: &mut Ctx) -> CmdResult {
    set_generic(ctx, SET_NX, 1, 2, None, Some((1, 0)))
}

/// `SETEX key seconds value`
pub fn setex_command(ctx: &mut Ctx) -> CmdResult {
    let exp = ctx.argv[2];
    set_generic(ctx, SET_EX, 1, 3, Some(exp), None)
}

/// `PSETEX key milliseconds value`
pub fn psetex_command(ctx: &mut Ctx) -> CmdResult {
    let exp = ctx.argv[2];
    set_generic(ctx, SET_PX, 1, 3, Some(exp), None)
}

/// `GET key`
pub fn get_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.c.db;
    match ctx.srv.lookup_read(db, ctx.argv[1]) {
        None => ctx.c.reply.null(),
        Some(e) => reply_string(&mut ctx.c.reply, e)?,
    }
    Ok(())
}

/// `GETEX key [EX s|PX ms|EXAT ts|PXAT ts|PERSIST]`
pub fn getex_command(ctx: &mut Ctx) -> CmdResult {
    let (flags, expire) = parse_string_args(ctx.argv, ArgsFor::GetEx)?;
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let mut buf = [0u8; LONG_STR_SIZE];
    let value = match ctx.srv.lookup_read(db, key) {
        None => {
            ctx.c.reply.null();
            return Ok(());
        }
        Some(e) => string_bytes(e.value(), &mut buf)?.to_vec(),
    };
    let ms = match expire {
        Some(e) => Some(expire_ms(ctx, e, flags)?),
        None => None,
    };
    ctx.c.reply.bulk(&value);
    let absolute = flags & (SET_PXAT | SET_EXAT) != 0;
    match ms {
        Some(ms) if absolute && ms <= crate::util::mstime() && !ctx.srv.loading && ctx.srv.cfg.special.replicaof.is_none() => {
            ctx.srv.db_delete(db, key);
            let del: &[u8] = if ctx.srv.cfg.lazyfree_lazy_expire { b"UNLINK" } else { b"DEL" };
            ctx.propagate_as(vec![del.to_vec(), key.to_vec()]);
            ctx.key_modified(key, ev::DEL);
        }
        Some(ms) => {
            ctx.srv.dbs[db].set_expire(key, ms);
            ctx.propagate_as(vec![b"PEXPIREAT".to_vec(), key.to_vec(), ms.to_string().into_bytes()]);
            ctx.key_modified(key, ev::EXPIRE);
        }
        None if flags & SET_PERSIST != 0 => {
            if ctx.srv.dbs[db].remove_expire(key) {
                ctx.propagate_as(vec![b"PERSIST".to_vec(), key.to_vec()]);
                ctx.key_modified(key, ev::PERSIST);
            } else {
                ctx.no_propagate = true;
            }
        }
        None => ctx.no_propagate = true,
    }
    Ok(())
}

/// `GETDEL key`
pub fn getdel_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    match ctx.srv.lookup_read(db, key) {
        None => {
            ctx.c.reply.null();
            return Ok(());
        }
        Some(e) => reply_string(&mut ctx.c.reply, e)?,
    }
    if ctx.srv.db_delete(db, key) {
        let del: &[u8] = if ctx.srv.cfg.lazyfree_lazy_user_del { b"UNLINK" } else { b"DEL" };
        ctx.propagate_as(vec![del.to_vec(), key.to_vec()]);
        ctx.key_modified(key, ev::DEL);
    }
    Ok(())
}

/// `GETSET key value`
pub fn getset_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    match ctx.srv.lookup_read(db, key) {
        None => ctx.c.reply.null(),
        Some(e) => reply_string(&mut ctx.c.reply, e)?,
    }
    let shared = ctx.srv.shared_ints_allowed();
    ctx.srv.set_key(db, key, string_value(ctx.argv[2], shared), false);
    ctx.key_modified(key, ev::SET);
    ctx.propagate_as(vec![b"SET".to_vec(), key.to_vec(), ctx.argv[2].to_vec()]);
    Ok(())
}

/// `MGET key [key ...]`
pub fn mget_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    ctx.c.reply.array_len(ctx.argc() - 1);
    let mut buf = [0u8; LONG_STR_SIZE];
    for &key in &ctx.argv[1..] {
        match ctx.srv.lookup_read(db, key).map(|e| e.value()) {
            Some(v) => match string_bytes(v, &mut buf) {
                Ok(b) => ctx.c.reply.bulk(b),
                Err(_) => ctx.c.reply.null(),
            },
            None => ctx.c.reply.null(),
        }
    }
    Ok(())
}

/// Shared body of MSET and MSETNX (`msetGenericCommand`).
fn mset_generic(ctx: &mut Ctx, nx: bool) -> CmdResult {
    if ctx.argc().is_multiple_of(2) {
        return Err(Error::WrongArity(ctx.cmd.fullname.clone()));
    }
    let db = ctx.dbi();
    if nx {
        for j in (1..ctx.argc()).step_by(2) {
            if ctx.srv.lookup_write(db, ctx.argv[j]).is_some() {
                ctx.c.reply.int(0);
                return Ok(());
            }
        }
    }
    let shared = ctx.srv.shared_ints_allowed();
    for j in (1..ctx.argc()).step_by(2) {
        let key = ctx.argv[j];
        ctx.srv.set_key(db, key, string_value(ctx.argv[j + 1], shared), false);
        ctx.key_modified(key, ev::SET);
    }
    if nx {
        ctx.c.reply.int(1);
    } else {
        ctx.c.reply.ok();
    }
    Ok(())
}

/// `MSET key value [key value ...]`
pub fn mset_command(ctx: &mut Ctx) -> CmdResult {
    mset_generic(ctx, false)
}

/// `MSETNX key value [key value ...]`
pub fn msetnx_command(ctx: &mut Ctx) -> CmdResult {
    mset_generic(ctx, true)
}

/// `APPEND key value`
pub fn append_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let append = ctx.argv[2];
    let total = match ctx.srv.lookup_write(db, key) {
        None => {
            let shared = ctx.srv.shared_ints_allowed();
            ctx.srv.db_add(db, key, string_value(append, shared));
            append.len()
        }
        Some(e) => {
            let len = e.value().string_len().ok_or(Error::WrongType)?;
            check_string_length(ctx.srv, len as u64, append.len() as u64)?;
            let s = unshare_string(ctx.srv, db, key).ok_or(Error::WrongType)?;
            s.extend_from_slice(append);
            s.len()
        }
    };
    ctx.key_modified(key, Event::new(notify::STRING, "append"));
    ctx.c.reply.int(total as i64);
    Ok(())
}

/// `STRLEN key`
pub fn strlen_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let n = match ctx.srv.lookup_read(db, ctx.argv[1]) {
        None => 0,
        Some(e) => e.value().string_len().ok_or(Error::WrongType)?,
    };
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// Shared body of INCR, DECR, INCRBY, DECRBY (`incrDecrCommand`).
fn incr_decr(ctx: &mut Ctx, incr: i64) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let (exists, old) = match ctx.srv.lookup_write(db, key) {
        None => (false, 0),
        Some(e) => (true, string_as_i64(e.value())?),
    };
    if (incr < 0 && old < 0 && incr < i64::MIN - old) || (incr > 0 && old > 0 && incr > i64::MAX - old) {
        return Err(Error::Overflow);
    }
    let value = old + incr;
    let shared_ok = ctx.srv.shared_ints_allowed();
    let shared = shared_ok && (0..crate::object::SHARED_INTEGERS).contains(&value);
    let in_place = exists && ctx.srv.dbs[db].find_mut(key).is_some_and(|e| e.set_int(value, shared));
    if !in_place {
        if exists {
            ctx.srv.db_overwrite(db, key, int_value(value, shared_ok));
        } else {
            ctx.srv.db_add(db, key, int_value(value, shared_ok));
        }
    }
    ctx.key_modified(key, Event::new(notify::STRING, "incrby"));
    ctx.c.reply.int(value);
    Ok(())
}

/// `INCR key`
pub fn incr_command(ctx: &mut Ctx) -> CmdResult {
    incr_decr(ctx, 1)
}

/// `DECR key`
pub fn decr_command(ctx: &mut Ctx) -> CmdResult {
    incr_decr(ctx, -1)
}

/// `INCRBY key increment`
pub fn incrby_command(ctx: &mut Ctx) -> CmdResult {
    let incr = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
    incr_decr(ctx, incr)
}

/// `DECRBY key decrement`
pub fn decrby_command(ctx: &mut Ctx) -> CmdResult {
    let incr = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
    if incr == i64::MIN {
        return Err(Error::err("ERR decrement would overflow"));
    }
    incr_decr(ctx, -incr)
}

/// `INCRBYFLOAT key increment`
pub fn incrbyfloat_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let mut buf = [0u8; LONG_STR_SIZE];
    let (exists, base) = match ctx.srv.lookup_write(db, key) {
        None => (false, b"0".to_vec()),
        Some(e) => (true, string_bytes(e.value(), &mut buf)?.to_vec()),
    };
    let mut result = Vec::with_capacity(32);
    match long_double_add(&base, ctx.argv[2], &mut result) {
        Ok(()) => {}
        Err(LdAddError::BadBase) | Err(LdAddError::BadIncr) => return Err(Error::NotFloat),
        Err(LdAddError::NanOrInf) => return Err(Error::err("ERR increment would produce NaN or Infinity")),
    }
    // Redis stores the text as a plain string object, never int-encoded.
    let value = if result.len() <= crate::object::EMBSTR_SIZE_LIMIT {
        NewValue::Emb(&result)
    } else {
        NewValue::Obj(Box::new(Obj::Str(result.clone())))
    };
    if exists {
        ctx.srv.db_overwrite(db, key, value);
    } else {
        ctx.srv.db_add(db, key, value);
    }
    ctx.key_modified(key, Event::new(notify::STRING, "incrbyfloat"));
    ctx.c.reply.bulk(&result);
    ctx.propagate_as(vec![b"SET".to_vec(), key.to_vec(), result, b"KEEPTTL".to_vec()]);
    Ok(())
}

/// `GETRANGE key start end` (and the deprecated `SUBSTR`).
pub fn getrange_command(ctx: &mut Ctx) -> CmdResult {
    let mut start = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
    let mut end = parse_i64(ctx.argv[3]).ok_or(Error::NotInteger)?;
    let db = ctx.dbi();
    let mut buf = [0u8; LONG_STR_SIZE];
    let Some(e) = ctx.srv.lookup_read(db, ctx.argv[1]) else {
        ctx.c.reply.bulk(b"");
        return Ok(());
    };
    let s = string_bytes(e.value(), &mut buf)?;
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        ctx.c.reply.bulk(b"");
        return Ok(());
    }
    if start < 0 {
        start += len;
    }
    if end < 0 {
        end += len;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        ctx.c.reply.bulk(b"");
    } else {
        ctx.c.reply.bulk(&s[start as usize..=end as usize]);
    }
    Ok(())
}

/// `SETRANGE key offset value`
pub fn setrange_command(ctx: &mut Ctx) -> CmdResult {
    let offset = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
    if offset < 0 {
        return Err(Error::err("ERR offset is out of range"));
    }
    let offset = offset as u64;
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let value = ctx.argv[3];
    match ctx.srv.lookup_write(db, key) {
        None => {
            if value.is_empty() {
                ctx.c.reply.int(0);
                return Ok(());
            }
            check_string_length(ctx.srv, offset, value.len() as u64)?;
            // Exactly sized, like Redis's sdsnewlen (no growth slack).
            let mut s = Vec::with_capacity(offset as usize + value.len());
            s.resize(offset as usize, 0);
            s.extend_from_slice(value);
            ctx.srv.db_add(db, key, NewValue::Obj(Box::new(Obj::Str(s))));
        }
        Some(e) => {
            let len = e.value().string_len().ok_or(Error::WrongType)?;
            if value.is_empty() {
                ctx.c.reply.int(len as i64);
                return Ok(());
            }
            check_string_length(ctx.srv, offset, value.len() as u64)?;
            let s = unshare_string(ctx.srv, db, key).ok_or(Error::WrongType)?;
            let end = offset as usize + value.len();
            if s.len() < end {
                s.resize(end, 0);
            }
            s[offset as usize..end].copy_from_slice(value);
        }
    }
    ctx.key_modified(key, Event::new(notify::STRING, "setrange"));
    let n = ctx.srv.dbs[db].find(key).and_then(|e| e.value().string_len()).unwrap_or(0);
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]`
pub fn lcs_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let mut ba = [0u8; LONG_STR_SIZE];
    let mut bb = [0u8; LONG_STR_SIZE];
    let a = ctx
        .srv
        .lookup_read(db, ctx.argv[1])
        .map(|e| string_bytes(e.value(), &mut ba).map(|s| s.to_vec()));
    let b = ctx
        .srv
        .lookup_read(db, ctx.argv[2])
        .map(|e| string_bytes(e.value(), &mut bb).map(|s| s.to_vec()));
    let (a, b) = match (a, b) {
        (Some(Err(_)), _) | (_, Some(Err(_))) => return Err(Error::err("ERR The specified keys must contain string values")),
        (a, b) => (
            a.and_then(|r| r.ok()).unwrap_or_default(),
            b.and_then(|r| r.ok()).unwrap_or_default(),
        ),
    };
    let (mut getidx, mut getlen, mut withmatchlen, mut minmatchlen) = (false, false, false, 0i64);
    let mut j = 3;
    while j < ctx.argc() {
        let opt = ctx.argv[j].to_ascii_lowercase();
        let more = ctx.argc() - 1 - j;
        match opt.as_slice() {
            b"idx" => getidx = true,
            b"len" => getlen = true,
            b"withmatchlen" => withmatchlen = true,
            b"minmatchlen" if more > 0 => {
                minmatchlen = parse_i64(ctx.argv[j + 1]).ok_or(Error::NotInteger)?.max(0);
                j += 1;
            }
            _ => return Err(Error::Syntax),
        }
        j += 1;
    }
    if getidx && getlen {
        return Err(Error::err("ERR If you want both the length and indexes, please just use IDX."));
    }
    if a.len() as u64 >= u64::from(u32::MAX) - 1 || b.len() as u64 >= u64::from(u32::MAX) - 1 {
        return Err(Error::err("ERR String too long for LCS"));
    }
    let (alen, blen) = (a.len(), b.len());
    let cells = (alen as u64 + 1) * (blen as u64 + 1);
    if cells * 4 > ctx.srv.cfg.proto_max_bulk_len as u64 {
        return Err(Error::err(
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        ));
    }
    let w = blen + 1;
    let mut t = vec![0u32; cells as usize];
    for i in 1..=alen {
        for k in 1..=blen {
            t[i * w + k] = if a[i - 1] == b[k - 1] {
                t[(i - 1) * w + k - 1] + 1
            } else {
                t[(i - 1) * w + k].max(t[i * w + k - 1])
            };
        }
    }
    let total = t[alen * w + blen];
    let r = &mut ctx.c.reply;
    if getlen && !getidx {
        r.int(i64::from(total));
        return Ok(());
    }
    let mut result = vec![0u8; total as usize];
    let mut idx = total as usize;
    let mut deferred = None;
    if getidx {
        r.map_len(2);
        r.bulk(b"matches");
        deferred = Some(r.deferred());
    }
    let mut arraylen = 0;
    let (mut i, mut k) = (alen, blen);
    // `alen` as a range start means "no range in progress".
    let (mut a_start, mut a_end, mut b_start, mut b_end) = (alen, 0usize, 0usize, 0usize);
    while i > 0 && k > 0 {
        let mut emit = false;
        if a[i - 1] == b[k - 1] {
            result[idx - 1] = a[i - 1];
            if a_start == alen {
                a_start = i - 1;
                a_end = i - 1;
                b_start = k - 1;
                b_end = k - 1;
            } else if a_start == i && b_start == k {
                a_start -= 1;
                b_start -= 1;
            } else {
                emit = true;
            }
            if a_start == 0 || b_start == 0 {
                emit = true;
            }
            idx -= 1;
            i -= 1;
            k -= 1;
        } else {
            if t[(i - 1) * w + k] > t[i * w + k - 1] {
                i -= 1;
            } else {
                k -= 1;
            }
            if a_start != alen {
                emit = true;
            }
        }
        let match_len = a_end as i64 - a_start as i64 + 1;
        if emit {
            if (minmatchlen == 0 || match_len >= minmatchlen) && deferred.is_some() {
                r.array_len(2 + usize::from(withmatchlen));
                r.array_len(2);
                r.int(a_start as i64);
                r.int(a_end as i64);
                r.array_len(2);
                r.int(b_start as i64);
                r.int(b_end as i64);
                if withmatchlen {
                    r.int(match_len);
                }
                arraylen += 1;
            }
            a_start = alen;
        }
    }
    if let Some(d) = deferred {
        r.bulk(b"len");
        r.int(i64::from(total));
        r.set_deferred_array(d, arraylen);
    } else {
        r.bulk(&result);
    }
    Ok(())
}

/// Reads a string key for other modules (DEBUG, SORT...): None if missing.
pub fn get_string_value(srv: &mut Server, db: usize, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
    let mut buf = [0u8; LONG_STR_SIZE];
    match srv.lookup_key(db, key, lookup::NOTOUCH) {
        None => Ok(None),
        Some(e) => Ok(Some(string_bytes(e.value(), &mut buf)?.to_vec())),
    }
}
