//! The TS.* commands (RedisTimeSeries 1.12's `module.c` /
//! `query_language.c`, MRANGE's GROUPBY after `resultset.c`): argument
//! grammar, error texts ("ERR TSDB: ..." unless the module sends its text
//! bare), reply shapes.
//!
//! Options are found the module's way (`RMUtil_ArgIndex`: the first
//! argument equal to the keyword, searched from the command name on), so
//! keywords may come in any order and LABELS takes the rest of the line.
//! Sample values print as the module's RESP2 strings (`fmt_value`) and
//! as doubles in RESP3.

use super::agg::{self, Agg, BucketTs};
use super::filter;
use super::{fmt_value, AddError, Policy, Series, DEFAULT_CHUNK_SIZE};
use crate::config::special::notify;
use crate::db::change::{Event, KeyWrite};
use crate::error::Error;
use crate::object::{NewValue, Obj};
use crate::resp::reply::ReplyBuf;
use crate::server::{CmdResult, Ctx, Server};
use crate::stack::bloom::commands::{arg_index, wrong_arity};
use crate::stack::StackValue;
use crate::util::num::{parse_f64, parse_i64};

const NO_KEY: Error = Error::err("ERR TSDB: the key does not exist");
const WRONG_TYPE: Error = Error::err("ERR WRONGTYPE Operation against a key holding the wrong kind of value");

fn ev(name: &'static str) -> KeyWrite {
    KeyWrite::new(Event::new(notify::MODULE, name))
}

/// `GetSeries`: the series at `key`, or the module's errors.
fn lookup<'s>(srv: &'s mut Server, db: usize, key: &[u8], write: bool) -> Result<&'s mut Series, Error> {
    let e = if write {
        srv.lookup_write(db, key)
    } else {
        srv.lookup_read(db, key)
    };
    match e {
        None => Err(NO_KEY),
        Some(e) => match e.obj_mut() {
            Some(Obj::Stack(StackValue::Series(s))) => Ok(s),
            _ => Err(WRONG_TYPE),
        },
    }
}

/// `RMUtil_ArgIndex` with the module's `> 0` test.
fn opt(argv: &[&[u8]], name: &str) -> Option<usize> {
    arg_index(argv, name).filter(|&i| i > 0)
}

/// `RedisModule_StringToLongLong` on the argument after `i`.
fn long_after(argv: &[&[u8]], i: usize) -> Option<i64> {
    argv.get(i + 1).and_then(|a| parse_i64(a))
}

/// The parsed create options (`CreateCtx`).
struct Create {
    retention: u64,
    chunk_size: u64,
    compressed: bool,
    policy: Option<Policy>,
    labels: Vec<(Vec<u8>, Vec<u8>)>,
    ignore: (u64, f64),
}

const CHUNK_ERR: Error = Error::err("ERR TSDB: CHUNK_SIZE value must be a multiple of 8 in the range [48 .. 1048576]");

fn parse_policy(argv: &[&[u8]], name: &str) -> Result<Option<Policy>, Error> {
    match arg_index(argv, name) {
        None => Ok(None),
        Some(i) => {
            let a = argv.get(i + 1).ok_or(Error::err("ERR TSDB: Couldn't parse DUPLICATE_POLICY"))?;
            Policy::parse(a).map(Some).ok_or(Error::err("ERR TSDB: Unknown DUPLICATE_POLICY"))
        }
    }
}

/// `parseCreateArgs`.
fn parse_create(argv: &[&[u8]]) -> Result<Create, Error> {
    let mut labels = Vec::new();
    if let Some(pos) = arg_index(argv, "LABELS") {
        let rest = &argv[pos + 1..];
        for p in rest.chunks_exact(2) {
            if p[0].is_empty() || p[1].is_empty() || p[1].iter().any(|c| b"(),".contains(c)) {
                return Err(Error::err("ERR TSDB: Couldn't parse LABELS"));
            }
            labels.push((p[0].to_vec(), p[1].to_vec()));
        }
    }
    let mut retention = 0i64;
    if let Some(i) = opt(argv, "RETENTION") {
        retention = long_after(argv, i).ok_or(Error::err("ERR TSDB: Couldn't parse RETENTION"))?;
    }
    if retention < 0 {
        return Err(Error::err("TSDB: Couldn't parse RETENTION"));
    }
    let mut chunk_size = DEFAULT_CHUNK_SIZE as i64;
    if let Some(i) = arg_index(argv, "CHUNK_SIZE") {
        chunk_size = long_after(argv, i).ok_or(Error::err("ERR TSDB: Couldn't parse CHUNK_SIZE"))?;
        if !(48..=1_048_576).contains(&chunk_size) || chunk_size % 8 != 0 {
            return Err(CHUNK_ERR);
        }
    }
    let mut compressed = true;
    if let Some(i) = opt(argv, "ENCODING") {
        let a = argv.get(i + 1).ok_or_else(|| wrong_arity(argv))?;
        if a.eq_ignore_ascii_case(b"UNCOMPRESSED") {
            compressed = false;
        } else if !a.eq_ignore_ascii_case(b"COMPRESSED") {
            return Err(Error::err("ERR TSDB: unknown ENCODING parameter"));
        }
    } else {
        if opt(argv, "UNCOMPRESSED").is_some() {
            compressed = false;
        }
        if opt(argv, "COMPRESSED").is_some() {
            compressed = true;
        }
    }
    let policy = parse_policy(argv, "DUPLICATE_POLICY")?;
    let mut ignore = (0u64, 0f64);
    if let Some(i) = opt(argv, "IGNORE") {
        if i + 2 >= argv.len() {
            return Err(Error::err("ERR TSDB: Couldn't parse IGNORE"));
        }
        let t = parse_i64(argv[i + 1]).ok_or(Error::err("ERR TSDB: Couldn't parse IGNORE"))?;
        let v = parse_f64(argv[i + 2]).ok_or(Error::err("ERR TSDB: Couldn't parse IGNORE"))?;
        if t < 0 || v < 0.0 {
            return Err(Error::err("ERR TSDB: IGNORE arguments cannot be negative"));
        }
        ignore = (t as u64, v);
    }
    Ok(Create {
        retention: retention as u64,
        chunk_size: chunk_size as u64,
        compressed,
        policy,
        labels,
        ignore,
    })
}

fn new_series(c: Create) -> Series {
    let mut s = Series::new(c.retention, c.chunk_size, c.compressed);
    s.policy = c.policy;
    s.labels = c.labels;
    s.ignore_time = c.ignore.0;
    s.ignore_val = c.ignore.1;
    s
}

fn insert(srv: &mut Server, db: usize, key: &[u8], s: Series) {
    srv.db_add(db, key, NewValue::Obj(Box::new(Obj::Stack(StackValue::Series(Box::new(s))))));
}

/// `TS.CREATE key [options]`
pub fn ts_create_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 2 {
        return Err(wrong_arity(argv));
    }
    let c = parse_create(argv)?;
    let db = ctx.dbi();
    let key = argv[1];
    if ctx.srv.lookup_write(db, key).is_some() {
        return Err(Error::err("ERR TSDB: key already exists"));
    }
    insert(ctx.srv, db, key, new_series(c));
    ctx.c.reply.ok();
    ctx.key_modified(key, ev("ts.create"));
    Ok(())
}

/// `TS.ALTER key [options]`: only the options given change.
pub fn ts_alter_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 2 {
        return Err(wrong_arity(argv));
    }
    let c = parse_create(argv)?;
    let db = ctx.dbi();
    let key = argv[1];
    let s = lookup(ctx.srv, db, key, true)?;
    if opt(argv, "RETENTION").is_some() {
        s.retention = c.retention;
    }
    if opt(argv, "CHUNK_SIZE").is_some() {
        s.chunk_size = c.chunk_size;
    }
    if opt(argv, "DUPLICATE_POLICY").is_some() {
        s.policy = c.policy;
    }
    if opt(argv, "LABELS").is_some() {
        s.labels = c.labels;
    }
    if opt(argv, "IGNORE").is_some() {
        s.ignore_time = c.ignore.0;
        s.ignore_val = c.ignore.1;
    }
    ctx.c.reply.ok();
    ctx.key_modified(key, ev("ts.alter"));
    Ok(())
}

/// The module's value parser (fast_double_parser): a decimal number at
/// the start of the argument; what follows it is ignored.
pub fn parse_value(a: &[u8]) -> Option<f64> {
    let mut i = 0;
    if a.first() == Some(&b'-') {
        i += 1;
    }
    let int_start = i;
    while a.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if i == int_start || (a[int_start] == b'0' && i - int_start > 1) {
        return None;
    }
    if a.get(i) == Some(&b'.') {
        i += 1;
        while a.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if matches!(a.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(a.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        let d = j;
        while a.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        if j > d {
            i = j;
        }
    }
    let v: f64 = std::str::from_utf8(&a[..i]).ok()?.parse().ok()?;
    v.is_finite().then_some(v)
}

/// What `add` did.
enum Added {
    /// The reply was written (timestamp or IGNORE's last timestamp).
    Done,
}

/// `add` + `internalAdd`: parses, creates the series when `create` gives
/// the create arguments, inserts, writes the reply.
fn add(
    srv: &mut Server,
    reply: &mut ReplyBuf,
    db: usize,
    key: &[u8],
    ts: &[u8],
    val: &[u8],
    create: Option<&[&[u8]]>,
) -> Result<Added, Error> {
    let v = parse_value(val).ok_or(Error::err("ERR TSDB: invalid value"))?;
    let t = parse_i64(ts).ok_or(Error::err("ERR TSDB: invalid timestamp"))?;
    if t < 0 {
        return Err(Error::err("ERR TSDB: invalid timestamp, must be a nonnegative integer"));
    }
    let t = t as u64;
    let mut over: Option<Policy> = None;
    let exists = srv.lookup_write(db, key).is_some();
    match (exists, create) {
        (false, Some(argv)) => {
            let c = parse_create(argv)?;
            insert(srv, db, key, new_series(c));
        }
        (false, None) => return Err(Error::err("ERR TSDB: the key is not a TSDB key")),
        (true, _) => {
            lookup(srv, db, key, true).map_err(|_| Error::err("ERR TSDB: the key is not a TSDB key"))?;
            if let Some(argv) = create {
                over = parse_policy(argv, "ON_DUPLICATE")?;
            }
        }
    }
    let s = lookup(srv, db, key, true)?;
    let policy = over.or(s.policy).unwrap_or(Policy::Block);
    match s.add(t, v, policy) {
        Ok(true) => reply.int(t as i64),
        Ok(false) => reply.int(s.last_ts as i64),
        Err(AddError::TooOld) => return Err(Error::err("ERR TSDB: Timestamp is older than retention")),
        Err(AddError::Blocked) => {
            return Err(Error::err(
                "ERR TSDB: Error at upsert, update is not supported when DUPLICATE_POLICY is set to BLOCK mode",
            ))
        }
    }
    Ok(Added::Done)
}

fn now_text(srv: &Server) -> Vec<u8> {
    srv.now_ms().to_string().into_bytes()
}

/// `TS.ADD key timestamp value [options]`
pub fn ts_add_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 4 {
        return Err(wrong_arity(argv));
    }
    let key = argv[1];
    let db = ctx.dbi();
    let now;
    let ts: &[u8] = if argv[2] == b"*" {
        now = now_text(ctx.srv);
        &now
    } else {
        argv[2]
    };
    add(ctx.srv, &mut ctx.c.reply, db, key, ts, argv[3], Some(argv))?;
    if argv[2] == b"*" {
        let mut p: Vec<Vec<u8>> = argv.iter().map(|a| a.to_vec()).collect();
        p[2] = ts.to_vec();
        ctx.propagate_as(p);
    }
    ctx.key_modified(key, ev("ts.add"));
    Ok(())
}

/// `TS.MADD key timestamp value [key timestamp value ...]`: one reply per
/// triple (an error for a failed one); only successful ones propagate.
pub fn ts_madd_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 4 || !(argv.len() - 1).is_multiple_of(3) {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let now = now_text(ctx.srv);
    ctx.c.reply.array_len((argv.len() - 1) / 3);
    let mut prop: Vec<Vec<u8>> = vec![b"TS.MADD".to_vec()];
    let mut done = Vec::new();
    for tr in argv[1..].chunks_exact(3) {
        let ts: &[u8] = if tr[1] == b"*" { &now } else { tr[1] };
        match add(ctx.srv, &mut ctx.c.reply, db, tr[0], ts, tr[2], None) {
            Ok(_) => {
                prop.extend([tr[0].to_vec(), ts.to_vec(), tr[2].to_vec()]);
                done.push(tr[0]);
            }
            Err(e) => ctx.c.reply.error(e.text().as_bytes()),
        }
    }
    if done.is_empty() {
        ctx.no_propagate = true;
    } else {
        ctx.propagate_as(prop);
    }
    for k in done {
        ctx.key_modified(k, ev("ts.add"));
    }
    Ok(())
}

/// `TS.INCRBY|TS.DECRBY key value [TIMESTAMP ts] [options]`
pub fn ts_incrby_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 3 {
        return Err(wrong_arity(argv));
    }
    let incr = argv[0].eq_ignore_ascii_case(b"ts.incrby");
    let key = argv[1];
    let db = ctx.dbi();
    let by = parse_f64(argv[2]).ok_or(Error::err("ERR TSDB: invalid increase/decrease value"))?;
    let mut explicit = true;
    let t = match arg_index(argv, "TIMESTAMP") {
        Some(i) if argv.get(i + 1).is_some_and(|a| *a != b"*") => {
            let t = long_after(argv, i)
                .filter(|t| *t >= 0)
                .ok_or(Error::err("ERR TSDB: invalid timestamp"))?;
            t as u64
        }
        _ => {
            explicit = false;
            ctx.srv.now_ms() as u64
        }
    };
    let exists = ctx.srv.lookup_write(db, key).is_some();
    if !exists {
        let c = parse_create(argv)?;
        insert(ctx.srv, db, key, new_series(c));
    }
    let s = lookup(ctx.srv, db, key, true)?;
    if t < s.last_ts && s.last_ts != 0 {
        return Err(Error::err(
            "TSDB: timestamp must be equal to or higher than the maximum existing timestamp",
        ));
    }
    let v = if incr { s.last_val + by } else { s.last_val - by };
    match s.add(t, v, Policy::Last) {
        Ok(true) => ctx.c.reply.int(t as i64),
        Ok(false) => ctx.c.reply.int(s.last_ts as i64),
        Err(_) => return Err(Error::err("ERR TSDB: Timestamp is older than retention")),
    }
    if !explicit {
        let mut p: Vec<Vec<u8>> = argv.iter().map(|a| a.to_vec()).collect();
        match arg_index(argv, "TIMESTAMP") {
            Some(i) if i + 1 < p.len() => p[i + 1] = t.to_string().into_bytes(),
            _ => p.extend([b"TIMESTAMP".to_vec(), t.to_string().into_bytes()]),
        }
        ctx.propagate_as(p);
    }
    let name = if incr { "ts.incrby" } else { "ts.decrby" };
    ctx.key_modified(key, KeyWrite::new(Event::new(notify::GENERIC, name)));
    Ok(())
}

/// Parsed range arguments (`RangeArgs`).
pub struct RangeArgs {
    pub from: u64,
    pub to: u64,
    pub count: Option<usize>,
    pub agg: Option<(Agg, u64)>,
    pub align: u64,
    pub bucket_ts: BucketTs,
    pub empty: bool,
    pub filter_ts: Option<Vec<u64>>,
    pub filter_val: Option<(f64, f64)>,
}

fn parse_ts(a: &[u8]) -> Option<u64> {
    parse_i64(a).filter(|v| *v >= 0).map(|v| v as u64)
}

/// `parseRangeArguments` from `argv[at]` (from, to) on.
pub fn parse_range(argv: &[&[u8]], at: usize) -> Result<RangeArgs, Error> {
    let from_min = argv[at] == b"-";
    let from = if from_min {
        0
    } else {
        parse_ts(argv[at]).ok_or(Error::err("ERR TSDB: wrong fromTimestamp"))?
    };
    let to_max = argv[at + 1] == b"+";
    let to = if to_max {
        i64::MAX as u64
    } else {
        parse_ts(argv[at + 1]).ok_or(Error::err("ERR TSDB: wrong toTimestamp"))?
    };
    // COUNT (skipping one that is an aggregator's or reducer's argument).
    let mut count = None;
    if let Some(mut off) = opt(argv, "COUNT") {
        let mut skip = false;
        for kw in ["AGGREGATION", "REDUCE"] {
            if let Some(a) = opt(argv, kw) {
                if off == a + 1 {
                    match arg_index(&argv[a + 2..], "COUNT") {
                        None => skip = true,
                        Some(o) => off = o + a + 2,
                    }
                }
            }
        }
        if !skip {
            if off + 1 == argv.len() {
                return Err(Error::err("ERR TSDB: COUNT argument is missing"));
            }
            let c = parse_i64(argv[off + 1]).ok_or(Error::err("ERR TSDB: Couldn't parse COUNT"))?;
            if c < 1 {
                return Err(Error::err("ERR TSDB: Invalid COUNT value"));
            }
            count = Some(c as usize);
        }
    }
    let mut agg = None;
    let mut empty = false;
    let mut bucket_ts = BucketTs::Start;
    if let Some(off) = opt(argv, "AGGREGATION") {
        if off + 3 > argv.len() {
            return Err(Error::err("ERR TSDB: Couldn't parse AGGREGATION"));
        }
        let dur = parse_i64(argv[off + 2]).ok_or(Error::err("ERR TSDB: Couldn't parse AGGREGATION"))?;
        let a = Agg::parse(argv[off + 1]).ok_or(Error::err("ERR TSDB: Unknown aggregation type"))?;
        if dur <= 0 {
            return Err(Error::err("ERR TSDB: bucketDuration must be greater than zero"));
        }
        agg = Some((a, dur as u64));
        if let Some(e) = opt(argv, "EMPTY") {
            if e != off + 3 && e != off + 5 {
                return Err(Error::err(
                    "ERR TSDB: EMPTY flag should be the 3rd or 5th flag after AGGREGATION flag",
                ));
            }
            empty = true;
        }
        if let Some(b) = opt(argv, "BUCKETTIMESTAMP") {
            if b != off + 3 && b != off + 4 {
                return Err(Error::err(
                    "ERR TSDB: BUCKETTIMESTAMP flag should be the 3rd or 4th flag after AGGREGATION flag",
                ));
            }
            let v = argv.get(b + 1).ok_or_else(|| wrong_arity(argv))?;
            bucket_ts = match v.to_ascii_lowercase().as_slice() {
                b"start" | b"-" => BucketTs::Start,
                b"end" | b"+" => BucketTs::End,
                b"mid" | b"~" => BucketTs::Mid,
                _ => return Err(Error::err("ERR TSDB: unknown BUCKETTIMESTAMP parameter")),
            };
        }
    }
    let mut align = 0;
    if let Some(i) = opt(argv, "ALIGN") {
        let v = argv.get(i + 1).ok_or_else(|| wrong_arity(argv))?;
        let (a, kind) = match v.to_ascii_lowercase().as_slice() {
            b"start" | b"-" => (from, 1),
            b"end" | b"+" => (to, 2),
            _ => (parse_ts(v).ok_or(Error::err("ERR TSDB: unknown ALIGN parameter"))?, 0),
        };
        if agg.is_none() {
            return Err(Error::err("ERR TSDB: ALIGN parameter can only be used with AGGREGATION"));
        }
        if kind == 1 && from_min {
            return Err(Error::err(
                "ERR TSDB: start alignment can only be used with explicit start timestamp",
            ));
        }
        if kind == 2 && to_max {
            return Err(Error::err("ERR TSDB: end alignment can only be used with explicit end timestamp"));
        }
        align = a;
    }
    let mut filter_val = None;
    if let Some(off) = opt(argv, "FILTER_BY_VALUE") {
        if off + 2 >= argv.len() {
            return Err(Error::err("ERR TSDB: FILTER_BY_VALUE one or more arguments are missing"));
        }
        let min = parse_f64(argv[off + 1]).ok_or(Error::err("ERR TSDB: Couldn't parse MIN"))?;
        let max = parse_f64(argv[off + 2]).ok_or(Error::err("ERR TSDB: Couldn't parse MAX"))?;
        filter_val = Some((min, max));
    }
    let mut filter_ts = None;
    if let Some(off) = opt(argv, "FILTER_BY_TS") {
        let mut v: Vec<u64> = argv[off + 1..].iter().take(128).map_while(|a| parse_ts(a)).collect();
        if v.is_empty() {
            return Err(Error::err("ERR TSDB: FILTER_BY_TS one or more arguments are missing"));
        }
        v.sort_unstable();
        v.dedup();
        filter_ts = Some(v);
    }
    Ok(RangeArgs {
        from,
        to,
        count,
        agg,
        align,
        bucket_ts,
        empty,
        filter_ts,
        filter_val,
    })
}

/// `SeriesQuery`: the samples (or buckets) a range reports, in order.
pub fn query(s: &Series, a: &RangeArgs, rev: bool) -> Vec<(u64, f64)> {
    let from = a.from.max(s.min_valid());
    let mut v = if from <= a.to { s.range(from, a.to) } else { Vec::new() };
    if let Some(ts) = &a.filter_ts {
        v.retain(|x| ts.binary_search(&x.0).is_ok());
    }
    if let Some((min, max)) = a.filter_val {
        v.retain(|x| x.1 >= min && x.1 <= max);
    }
    if let Some((g, dur)) = a.agg {
        let all = if g == Agg::Twa { s.range(0, u64::MAX) } else { Vec::new() };
        v = agg::aggregate(&v, &all, g, dur, a.align, a.bucket_ts, a.empty, a.count.map(|c| (c, rev)));
    }
    if rev {
        v.reverse();
    }
    if let Some(c) = a.count {
        v.truncate(c);
    }
    v
}

pub fn reply_sample(r: &mut ReplyBuf, t: u64, v: f64) {
    r.array_len(2);
    r.int(t as i64);
    if r.resp == 2 {
        r.status(fmt_value(v).as_bytes());
    } else {
        r.double(v);
    }
}

/// `TS.RANGE|TS.REVRANGE key from to [options]`
pub fn ts_range_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 4 {
        return Err(wrong_arity(argv));
    }
    let rev = argv[0].eq_ignore_ascii_case(b"ts.revrange");
    let db = ctx.dbi();
    let s = lookup(ctx.srv, db, argv[1], false)?;
    let a = parse_range(argv, 2)?;
    let v = query(s, &a, rev);
    let r = &mut ctx.c.reply;
    r.array_len(v.len());
    for (t, x) in v {
        reply_sample(r, t, x);
    }
    Ok(())
}

/// `TS.GET key [LATEST]`
pub fn ts_get_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 2 || argv.len() > 3 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let s = lookup(ctx.srv, db, argv[1], false)?;
    if argv.len() == 3 && !argv[2].eq_ignore_ascii_case(b"LATEST") {
        return Err(Error::err("ERR TSDB: wrong 3rd argument"));
    }
    let r = &mut ctx.c.reply;
    if s.total() == 0 {
        r.array_len(0);
    } else {
        reply_sample(r, s.last_ts, s.last_val);
    }
    Ok(())
}

/// `TS.DEL key from to`
pub fn ts_del_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() != 4 {
        return Err(wrong_arity(argv));
    }
    let a = parse_range(argv, 2)?;
    let db = ctx.dbi();
    let key = argv[1];
    let s = lookup(ctx.srv, db, key, true)?;
    let n = s.delete_range(a.from, a.to);
    ctx.c.reply.int(n as i64);
    ctx.key_modified(key, ev("ts.del"));
    Ok(())
}

fn reply_labels(r: &mut ReplyBuf, labels: &[(Vec<u8>, Vec<u8>)]) {
    if r.resp == 2 {
        r.array_len(labels.len());
    } else {
        r.map_len(labels.len());
    }
    for (k, v) in labels {
        if r.resp == 2 {
            r.array_len(2);
        }
        r.bulk(k);
        r.bulk(v);
    }
}

/// `TS.INFO key [DEBUG]`
pub fn ts_info_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 2 || argv.len() > 3 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let s = lookup(ctx.srv, db, argv[1], false)?;
    let debug = argv[1..].iter().any(|a| a.eq_ignore_ascii_case(b"DEBUG"));
    let r = &mut ctx.c.reply;
    let resp3 = r.resp != 2;
    let n = if debug { 16 } else { 14 };
    if resp3 {
        r.map_len(n);
    } else {
        r.array_len(n * 2);
    }
    let (visible, min) = s.visible();
    let first = s.range(min, u64::MAX).first().map_or(0, |x| x.0);
    let ints: [(&str, i64); 7] = [
        ("totalSamples", visible as i64),
        ("memoryUsage", s.memory() as i64),
        ("firstTimestamp", first as i64),
        ("lastTimestamp", s.last_ts as i64),
        ("retentionTime", s.retention as i64),
        ("chunkCount", s.chunks().len().max(1) as i64),
        ("chunkSize", s.chunk_size as i64),
    ];
    for (k, v) in ints {
        r.status(k.as_bytes());
        r.int(v);
    }
    r.status(b"chunkType");
    r.status(if s.compressed { b"compressed" } else { b"uncompressed" });
    r.status(b"duplicatePolicy");
    match s.policy {
        Some(p) => r.status(p.name().as_bytes()),
        None => r.null(),
    }
    r.status(b"labels");
    reply_labels(r, &s.labels);
    r.status(b"sourceKey");
    match &s.src_key {
        Some(k) => r.bulk(k),
        None => r.null(),
    }
    r.status(b"rules");
    if resp3 {
        r.map_len(0);
    } else {
        r.array_len(0);
    }
    r.status(b"ignoreMaxTimeDiff");
    r.int(s.ignore_time as i64);
    r.status(b"ignoreMaxValDiff");
    r.double(s.ignore_val);
    if debug {
        r.status(b"keySelfName");
        r.bulk(argv[1]);
        r.status(b"Chunks");
        r.array_len(s.chunks().len());
        for c in s.chunks() {
            if resp3 {
                r.map_len(5);
            } else {
                r.array_len(10);
            }
            let n = c.len();
            r.status(b"startTimestamp");
            r.int(c.first_ts().map_or(-1, |t| t as i64));
            r.status(b"endTimestamp");
            r.int(c.last_ts().map_or(-1, |t| t as i64));
            r.status(b"samples");
            r.int(n as i64);
            r.status(b"size");
            r.int(c.size() as i64);
            r.status(b"bytesPerSample");
            let bps = if n == 0 { 0.0 } else { (c.size() as f32 / n as f32) as f64 };
            r.double(bps);
        }
    }
    Ok(())
}

/// `TS.QUERYINDEX filter...`: the matching keys, sorted (a set in RESP3).
pub fn ts_queryindex_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 2 {
        return Err(wrong_arity(argv));
    }
    let preds = filter::parse_filter(&argv[1..])?;
    let db = ctx.dbi();
    let keys = filter::select(ctx.srv, db, &preds);
    let r = &mut ctx.c.reply;
    if r.resp == 2 {
        r.array_len(keys.len());
    } else {
        r.set_len(keys.len());
    }
    for (k, _) in keys {
        r.bulk(k);
    }
    Ok(())
}

/// Words that end a SELECTED_LABELS list (the module's query tokens).
const QUERY_TOKENS: [&str; 9] = [
    "WITHLABELS",
    "AGGREGATION",
    "LIMIT",
    "GROUPBY",
    "REDUCE",
    "FILTER",
    "FILTER_BY_VALUE",
    "FILTER_BY_TS",
    "COUNT",
];

/// Which labels a multi-series reply shows (`parseLabelQuery`).
enum LabelQuery<'a> {
    None,
    All,
    Selected(&'a [&'a [u8]]),
}

fn parse_label_query<'a>(argv: &'a [&'a [u8]]) -> Result<LabelQuery<'a>, Error> {
    let with = opt(argv, "WITHLABELS").is_some();
    let sel = opt(argv, "SELECTED_LABELS");
    match sel {
        Some(_) if with => Err(Error::err("ERR TSDB: cannot accept WITHLABELS and SELECT_LABELS together")),
        Some(i) => {
            let rest = &argv[i + 1..];
            let n = rest
                .iter()
                .position(|a| QUERY_TOKENS.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(a)))
                .unwrap_or(rest.len());
            if n == 0 {
                return Err(Error::err("ERR TSDB: SELECT_LABELS should have at least 1 parameter"));
            }
            if n > 50 {
                return Err(Error::err("ERR TSDB: reached max size for SELECT_LABELS"));
            }
            Ok(LabelQuery::Selected(&rest[..n]))
        }
        None if with => Ok(LabelQuery::All),
        None => Ok(LabelQuery::None),
    }
}

fn reply_label_query(r: &mut ReplyBuf, s: &Series, q: &LabelQuery) {
    match q {
        LabelQuery::None => reply_labels(r, &[]),
        LabelQuery::All => reply_labels(r, &s.labels),
        LabelQuery::Selected(names) => {
            if r.resp == 2 {
                r.array_len(names.len());
            } else {
                r.map_len(names.len());
            }
            for n in names.iter() {
                if r.resp == 2 {
                    r.array_len(2);
                }
                r.bulk(n);
                match s.labels.iter().find(|(k, _)| k == n) {
                    Some((_, v)) => r.bulk(v),
                    None => r.null(),
                }
            }
        }
    }
}

/// `TS.MGET [LATEST] [WITHLABELS | SELECTED_LABELS label...] FILTER filter...`
pub fn ts_mget_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 3 {
        return Err(wrong_arity(argv));
    }
    let f = arg_index(argv, "FILTER").ok_or_else(|| wrong_arity(argv))?;
    let lq = parse_label_query(argv)?;
    let preds = filter::parse_filter(&argv[f + 1..])?;
    let db = ctx.dbi();
    let found = filter::select(ctx.srv, db, &preds);
    let r = &mut ctx.c.reply;
    series_list_len(r, found.len());
    for (k, s) in found {
        series_head(r, k, 2);
        reply_label_query(r, s, &lq);
        if s.total() == 0 {
            r.array_len(0);
        } else {
            reply_sample(r, s.last_ts, s.last_val);
        }
    }
    Ok(())
}

/// Opens the reply of a multi-series command (MGET, MRANGE): a map keyed
/// by series name in RESP3, an array of `[name, ...]` entries in RESP2.
fn series_list_len(r: &mut ReplyBuf, n: usize) {
    if r.resp != 2 {
        r.map_len(n);
    } else {
        r.array_len(n);
    }
}

/// One series' name and the opening of its `parts` (labels, samples ...):
/// `name => [parts]` in RESP3, `[name, parts...]` in RESP2 (3 elements).
fn series_head(r: &mut ReplyBuf, name: &[u8], parts: usize) {
    if r.resp != 2 {
        r.bulk(name);
        r.array_len(parts);
    } else {
        r.array_len(3);
        r.bulk(name);
    }
}

/// A GROUPBY's reduced series: its name (`label=value`), labels and samples.
struct Reduced {
    name: Vec<u8>,
    labels: Vec<(Vec<u8>, Vec<u8>)>,
    sources: Vec<Vec<u8>>,
    samples: Vec<(u64, f64)>,
}

/// Merge the groups' samples timestamp by timestamp with the reducer.
fn reduce(parts: &[Vec<(u64, f64)>], r: Agg) -> Vec<(u64, f64)> {
    let mut all: Vec<(u64, f64)> = parts.iter().flatten().copied().collect();
    all.sort_by_key(|x| x.0);
    let mut out = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let t = all[i].0;
        let n = all[i..].iter().take_while(|x| x.0 == t).count();
        out.push((t, r.compute(&all[i..i + n], t, t, None, None)));
        i += n;
    }
    out
}

/// `TS.MRANGE|TS.MREVRANGE from to [options] FILTER filter... [GROUPBY label REDUCE reducer]`
pub fn ts_mrange_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 4 {
        return Err(wrong_arity(argv));
    }
    let rev = argv[0].eq_ignore_ascii_case(b"ts.mrevrange");
    let a = parse_range(argv, 1)?;
    let f = arg_index(argv, "FILTER").ok_or(Error::err("ERR TSDB: missing FILTER argument"))?;
    let lq = parse_label_query(argv)?;
    let g = arg_index(argv, "GROUPBY");
    if let Some(g) = g {
        if g < f {
            return Err(Error::err("ERR TSDB: GROUPBY should always come after filter"));
        }
    }
    let last = g.map_or(argv.len() - 1, |g| g - 1);
    if last == f {
        return Err(Error::err("ERR TSDB: missing labels for filter argument"));
    }
    let preds = filter::parse_filter(&argv[f + 1..=last])?;
    let group = match g {
        None => None,
        Some(g) => {
            if g + 1 >= argv.len() {
                return Err(wrong_arity(argv));
            }
            let red = arg_index(argv, "REDUCE");
            if red.is_none() || argv.len() - g != 4 {
                return Err(wrong_arity(argv));
            }
            let red = red.map_or(argv.len() - 1, |r| r + 1).min(argv.len() - 1);
            let r = Agg::parse(argv[red])
                .filter(|r| !matches!(r, Agg::First | Agg::Last | Agg::Twa))
                .ok_or(Error::err("ERR TSDB: Invalid reducer type"))?;
            Some((argv[g + 1], r))
        }
    };
    let db = ctx.dbi();
    let found = filter::select(ctx.srv, db, &preds);
    let r = &mut ctx.c.reply;
    let resp3 = r.resp != 2;
    let Some((label, reducer)) = group else {
        series_list_len(r, found.len());
        for (k, s) in found {
            series_head(r, k, 3);
            reply_label_query(r, s, &lq);
            if resp3 {
                r.map_len(1);
                r.bulk(b"aggregators");
                match a.agg {
                    Some((g, _)) => {
                        r.array_len(1);
                        r.bulk(g.name().as_bytes());
                    }
                    None => r.array_len(0),
                }
            }
            let v = query(s, &a, rev);
            r.array_len(v.len());
            for (t, x) in v {
                reply_sample(r, t, x);
            }
        }
        return Ok(());
    };
    // Group the selected series by the label's value (groups sorted by value).
    let mut groups: std::collections::BTreeMap<&[u8], Vec<(&[u8], &Series)>> = Default::default();
    for (k, s) in found {
        if let Some((_, v)) = s.labels.iter().find(|(l, _)| l.as_slice() == label) {
            groups.entry(v.as_slice()).or_default().push((k, s));
        }
    }
    // The sources are read in full order with everything but COUNT; the
    // reduced series then reports COUNT samples in the asked direction.
    let uncounted = RangeArgs {
        count: None,
        filter_ts: a.filter_ts.clone(),
        ..a
    };
    let out: Vec<Reduced> = groups
        .into_iter()
        .map(|(value, members)| {
            let parts: Vec<_> = members.iter().map(|(_, s)| query(s, &uncounted, false)).collect();
            let mut samples = reduce(&parts, reducer);
            if rev {
                samples.reverse();
            }
            if let Some(c) = a.count {
                samples.truncate(c);
            }
            let sources: Vec<Vec<u8>> = members.iter().map(|(k, _)| k.to_vec()).collect();
            let name = [label, b"=", value].concat();
            let labels = vec![
                (label.to_vec(), value.to_vec()),
                (b"__reducer__".to_vec(), reducer.name().as_bytes().to_vec()),
                (b"__source__".to_vec(), sources.join(&b","[..])),
            ];
            Reduced {
                name,
                labels,
                sources,
                samples,
            }
        })
        .collect();
    if resp3 {
        r.map_len(out.len());
    } else {
        r.array_len(out.len());
    }
    for g in &out {
        if !resp3 {
            r.array_len(3);
        }
        r.bulk(&g.name);
        if resp3 {
            r.array_len(4);
        }
        match &lq {
            // RESP3 leaves the two reducer labels to the maps below.
            LabelQuery::All if resp3 => reply_labels(r, &g.labels[..1]),
            LabelQuery::All => reply_labels(r, &g.labels),
            LabelQuery::None => reply_labels(r, &[]),
            LabelQuery::Selected(names) => {
                if resp3 {
                    r.map_len(names.len());
                } else {
                    r.array_len(names.len());
                }
                for n in names.iter() {
                    if !resp3 {
                        r.array_len(2);
                    }
                    r.bulk(n);
                    match g.labels.iter().find(|(k, _)| k == n) {
                        Some((_, v)) => r.bulk(v),
                        None => r.null(),
                    }
                }
            }
        }
        if resp3 {
            r.map_len(1);
            r.bulk(b"reducers");
            r.array_len(1);
            r.bulk(reducer.name().as_bytes());
            r.map_len(1);
            r.bulk(b"sources");
            r.array_len(g.sources.len());
            for s in &g.sources {
                r.bulk(s);
            }
        }
        r.array_len(g.samples.len());
        for &(t, x) in &g.samples {
            reply_sample(r, t, x);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_parser_is_the_modules() {
        assert_eq!(parse_value(b"1.5"), Some(1.5));
        assert_eq!(parse_value(b"1.5abc"), Some(1.5));
        assert_eq!(parse_value(b"-3e2"), Some(-300.0));
        assert_eq!(parse_value(b"abc"), None);
        assert_eq!(parse_value(b""), None);
        assert_eq!(parse_value(b"+1"), None);
        assert_eq!(parse_value(b"nan"), None);
        assert_eq!(parse_value(b"1e999"), None);
        assert_eq!(parse_value(b"-"), None);
    }
}
