//! DEBUG (debug.c): test and diagnosis helpers, including the dataset
//! digest that compares datasets by content (equal data, equal digest,
//! whatever the encodings). `crash.rs` writes the bug report a panic or
//! a failed assertion leaves in the log.

pub mod crash;

use crate::db::{estimate_idle_ms, KvEntry};
use crate::error::Error;
use crate::object::{NewValue, Obj, ValueRef};
use crate::server::{CmdResult, Ctx, Server};
use crate::util::num::{parse_f64, parse_i64};
use sha1::{Digest, Sha1};

pub type Digest20 = [u8; 20];

/// XORs the SHA1 of `data` into `d` (`xorDigest`).
pub fn xor_digest(d: &mut Digest20, data: &[u8]) {
    let h = Sha1::digest(data);
    for (a, b) in d.iter_mut().zip(h.iter()) {
        *a ^= b;
    }
}

/// XORs then re-hashes, so order matters (`mixDigest`).
pub fn mix_digest(d: &mut Digest20, data: &[u8]) {
    xor_digest(d, data);
    let h = Sha1::digest(&d[..]);
    d.copy_from_slice(&h);
}

/// Redis's numeric type codes, hashed into each value's digest.
fn type_code(v: &ValueRef) -> u32 {
    use crate::object::ValueType::*;
    match v.value_type() {
        String => 0,
        List => 1,
        Set => 2,
        ZSet => 3,
        Hash => 4,
        Stream => 6,
        Module(_) => 5,
    }
}

/// Digest of one value (`xorObjectDigest`).
fn object_digest(d: &mut Digest20, v: ValueRef, has_expire: bool) {
    mix_digest(d, &type_code(&v).to_be_bytes());
    let mut buf = [0u8; crate::util::num::LONG_STR_SIZE];
    match v {
        ValueRef::Int(i) => mix_digest(d, crate::util::num::fmt_i64(i, &mut buf)),
        ValueRef::Emb(b) => mix_digest(d, b),
        ValueRef::Obj(Obj::Str(s)) => mix_digest(d, s),
        ValueRef::Obj(Obj::List(l)) => l.digest(d),
        ValueRef::Obj(Obj::Hash(h)) => h.digest(d),
        ValueRef::Obj(Obj::Set(s)) => s.digest(d),
        ValueRef::Obj(Obj::ZSet(z)) => z.digest(d),
        ValueRef::Obj(Obj::Stream(s)) => s.digest(d),
        ValueRef::Obj(Obj::Stack(v)) => xor_digest(d, &v.digest()),
    }
    if has_expire {
        xor_digest(d, b"!!expire!!");
    }
}

fn hex(d: &Digest20) -> Vec<u8> {
    d.iter().flat_map(|b| format!("{b:02x}").into_bytes()).collect()
}

impl Server {
    /// The digest of the whole dataset (`computeDatasetDigest`).
    pub fn dataset_digest(&self) -> Digest20 {
        let mut fin = [0u8; 20];
        for (j, db) in self.dbs.iter().enumerate() {
            if db.is_empty() {
                continue;
            }
            mix_digest(&mut fin, &(j as u32).to_be_bytes());
            for e in db.iter() {
                let mut d = [0u8; 20];
                mix_digest(&mut d, e.key());
                object_digest(&mut d, e.value(), e.has_expire());
                xor_digest(&mut fin, &d);
            }
        }
        fin
    }
}

/// The length a value would take in an RDB file (`rdbSavedObjectLen`),
/// for DEBUG OBJECT.
fn serialized_len(e: &KvEntry) -> usize {
    fn len_prefix(n: usize) -> usize {
        if n < 1 << 6 {
            1
        } else if n < 1 << 14 {
            2
        } else if n <= u32::MAX as usize {
            5
        } else {
            9
        }
    }
    let str_len = |b: &[u8]| {
        if b.len() <= 11 {
            if let Some(v) = parse_i64(b) {
                if i8::try_from(v).is_ok() {
                    return 2;
                } else if i16::try_from(v).is_ok() {
                    return 3;
                } else if i32::try_from(v).is_ok() {
                    return 5;
                }
            }
        }
        len_prefix(b.len()) + b.len()
    };
    let mut buf = [0u8; crate::util::num::LONG_STR_SIZE];
    match e.value() {
        ValueRef::Int(i) => str_len(crate::util::num::fmt_i64(i, &mut buf)),
        ValueRef::Emb(b) => str_len(b),
        ValueRef::Obj(Obj::Str(s)) => str_len(s),
        ValueRef::Obj(o) => o.serialized_len_estimate(),
    }
}

const HELP: &[&str] = &[
    "AOF-FLUSH-SLEEP <microsec>",
    "    Server will sleep before flushing the AOF, this is used for testing.",
    "ASSERT",
    "    Fail an assertion: the server logs a bug report and exits.",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "CONFIG-REWRITE-FORCE-ALL",
    "    Like CONFIG REWRITE but writes all configuration options, including",
    "    keywords not listed in original configuration file or default values.",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "HTSTATS <dbid>",
    "    Return hash table statistics of the specified Redis database.",
    "HTSTATS-KEY <key>",
    "    Like HTSTATS but for the hash table stored at <key>'s value.",
    "OBJECT <key>",
    "    Show low level info about the <key> and associated value.",
    "PANIC",
    "    Panic: the server logs a bug report and exits.",
    "PAUSE-CRON <0|1>",
    "    Stop or resume the periodic server tasks.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
    "    In case NEVER is provided the last observed peak will never be reset",
    "    In case RESET is provided the peak reset time will be restored to the default value",
    "REPLYBUFFER RESIZING <0|1>",
    "    Enable or disable the reply buffer resize cron job",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>, or <prefix>:<num>.",
    "PROTOCOL <type>",
    "    Reply with a test value of the given RESP type: string, integer,",
    "    double, bignum, null, array, set, map, attrib, push, verbatim, true,",
    "    false.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Turn the active expire cycle off or on.",
    "SLEEP <seconds>",
    "    Block the server for <seconds> (fractions allowed).",
];

/// `DEBUG subcommand [arg ...]`
pub fn debug_command(ctx: &mut Ctx) -> CmdResult {
    let sub = ctx.argv[1].to_ascii_lowercase();
    let argc = ctx.argc();
    match sub.as_slice() {
        b"help" => ctx.c.reply.help(ctx.argv[0], HELP),
        b"sleep" if argc == 3 => {
            let secs = parse_f64(ctx.argv[2]).unwrap_or(0.0).max(0.0);
            std::thread::sleep(std::time::Duration::from_micros((secs * 1e6) as u64));
            ctx.c.reply.ok();
        }
        b"replybuffer" if argc == 4 => {
            match ctx.argv[2].to_ascii_lowercase().as_slice() {
                b"peak-reset-time" => {
                    ctx.srv.reply_buffer_peak_reset_time = match ctx.argv[3].to_ascii_lowercase().as_slice() {
                        b"never" => -1,
                        b"reset" => crate::client::REPLY_BUFFER_PEAK_RESET_MS,
                        v => parse_i64(v).ok_or(Error::NotInteger)?,
                    };
                }
                b"resizing" => ctx.srv.reply_buffer_resizing = parse_i64(ctx.argv[3]).unwrap_or(0) != 0,
                _ => {
                    return Err(Error::msg(format!(
                        "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
                        String::from_utf8_lossy(ctx.argv[1])
                    )))
                }
            }
            ctx.c.reply.ok();
        }
        b"pause-cron" if argc == 3 => {
            ctx.srv.pause_cron = parse_i64(ctx.argv[2]).unwrap_or(0) != 0;
            ctx.c.reply.ok();
        }
        b"set-active-expire" if argc == 3 => {
            ctx.srv.active_expire_enabled = parse_i64(ctx.argv[2]).unwrap_or(0) != 0;
            ctx.c.reply.ok();
        }
        b"log" if argc == 3 => {
            log::warn!("DEBUG LOG: {}", String::from_utf8_lossy(ctx.argv[2]));
            ctx.c.reply.ok();
        }
        b"aof-flush-sleep" if argc == 3 => {
            ctx.srv.aof.flush_sleep_us = parse_i64(ctx.argv[2]).unwrap_or(0).max(0) as u64;
            ctx.c.reply.ok();
        }
        b"htstats" if argc == 3 => {
            let dbid = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
            if dbid < 0 || dbid >= ctx.srv.dbs.len() as i64 {
                return Err(Error::err("ERR Out of range database"));
            }
            let db = &ctx.srv.dbs[dbid as usize];
            let (main, expires) = db.stats_text();
            let mut text = String::from("[Dictionary HT]\n");
            text.push_str(&main);
            text.push_str("[Expires HT]\n");
            text.push_str(&expires);
            ctx.c.reply.verbatim(text.as_bytes(), b"txt");
        }
        b"config-rewrite-force-all" if argc == 2 => {
            let Some(path) = ctx.srv.config_file.clone() else {
                return Err(Error::msg(
                    "ERR CONFIG-REWRITE-FORCE-ALL failed: No such file or directory".to_string(),
                ));
            };
            crate::config::file::rewrite(&path, &ctx.srv.cfg, true, ctx.srv.acl_config_lines().as_deref())
                .map_err(|e| Error::msg(format!("ERR CONFIG-REWRITE-FORCE-ALL failed: {e}")))?;
            ctx.c.reply.ok();
        }
        b"change-repl-id" if argc == 2 => {
            log::warn!("Changing replication IDs after receiving DEBUG change-repl-id");
            ctx.srv.replid = crate::util::random_hex40();
            ctx.srv.replid2 = "0".repeat(40);
            ctx.c.reply.ok();
        }
        b"object" if argc == 3 => {
            let db = ctx.dbi();
            let clock = ctx.srv.lru_clock();
            let e = ctx.srv.dbs[db].find(ctx.argv[2]).ok_or(Error::NoSuchKey)?;
            let refcount = if e.is_shared() { crate::object::SHARED_REFCOUNT } else { 1 };
            let line = format!(
                "Value at:{:p} refcount:{} encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}",
                e as *const KvEntry,
                refcount,
                e.value().encoding_name(),
                serialized_len(e),
                e.lru(),
                estimate_idle_ms(clock, e.lru()) / 1000
            );
            ctx.c.reply.status(line.as_bytes());
        }
        b"populate" if (3..=5).contains(&argc) => {
            let count = parse_i64(ctx.argv[2]).filter(|v| *v >= 0).ok_or(Error::NotPositive)?;
            let valsize = if argc == 5 {
                parse_i64(ctx.argv[4]).filter(|v| *v >= 0).ok_or(Error::NotPositive)? as usize
            } else {
                0
            };
            let prefix: &[u8] = if argc >= 4 { ctx.argv[3] } else { b"key" };
            let db = ctx.dbi();
            let want = ctx.srv.dbs[db].len() + count as usize;
            ctx.srv.dbs[db].expand(want);
            for j in 0..count {
                let mut key = prefix.to_vec();
                key.push(b':');
                key.extend_from_slice(j.to_string().as_bytes());
                if ctx.srv.lookup_write(db, &key).is_some() {
                    continue;
                }
                let mut val = format!("value:{j}").into_bytes();
                if valsize > 0 {
                    val.resize(valsize, 0);
                }
                let nv = if val.len() <= crate::object::EMBSTR_SIZE_LIMIT {
                    NewValue::Emb(&val)
                } else {
                    NewValue::Obj(Box::new(Obj::Str(val.clone())))
                };
                ctx.srv.db_add(db, &key, nv);
                // Signalled like a write, but DEBUG POPULATE does not count
                // towards the next save.
                ctx.key_modified(&key, crate::db::change::KeyWrite::silent().dirty(0));
            }
            ctx.c.reply.ok();
        }
        b"digest" if argc == 2 => {
            let d = ctx.srv.dataset_digest();
            ctx.c.reply.status(&hex(&d));
        }
        b"digest-value" => {
            let db = ctx.dbi();
            ctx.c.reply.array_len(argc - 2);
            for &key in &ctx.argv[2..] {
                let mut d = [0u8; 20];
                if let Some(e) = ctx.srv.dbs[db].find(key) {
                    object_digest(&mut d, e.value(), e.has_expire());
                }
                ctx.c.reply.status(&hex(&d));
            }
        }
        b"protocol" if argc == 3 => debug_protocol(ctx)?,
        b"reload" | b"loadaof" if ctx.srv.loading => {
            // Only reachable from a file being loaded: never recurse into it.
            return Err(Error::err("ERR DEBUG RELOAD and LOADAOF cannot run while loading"));
        }
        b"reload" => {
            let (mut flush, mut save, mut merge) = (true, true, false);
            for opt in &ctx.argv[2..] {
                match opt.to_ascii_lowercase().as_slice() {
                    b"merge" => merge = true,
                    b"noflush" => flush = false,
                    b"nosave" => save = false,
                    _ => return Err(Error::err("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")),
                }
            }
            if save && ctx.srv.save_rdb_now().is_err() {
                return Err(Error::err("ERR"));
            }
            if flush {
                ctx.srv.empty_data(None, false);
                ctx.srv.scripting.functions.clear();
            }
            let path = ctx.srv.rdb_path();
            ctx.srv.rdb_load_allow_dup = merge;
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            ctx.srv.start_loading(size);
            let res = crate::persist::rdb::load_file(ctx.srv, &path);
            ctx.srv.loading = false;
            ctx.srv.rdb_load_allow_dup = false;
            if let Err(e) = res {
                // Loading for a client counts as a RESTORE context in
                // `rdbReportError`: logged at verbose, the server stays up.
                if let crate::persist::rdb::codec::LoadError::Corrupt(msg) = e {
                    crate::persist::rdb::codec::log_client_load_failure(&msg);
                }
                return Err(Error::err("ERR Error trying to load the RDB dump"));
            }
            log::warn!("DB reloaded by DEBUG RELOAD");
            ctx.c.reply.ok();
        }
        b"loadaof" => {
            if ctx.srv.aof.status == crate::persist::aof::AofStatus::On {
                ctx.srv.flush_aof(true);
            }
            ctx.srv.empty_data(None, false);
            ctx.srv.scripting.functions.clear();
            ctx.srv.load_aof();
            ctx.srv.dirty.reset();
            log::warn!("Append Only File loaded by DEBUG LOADAOF");
            ctx.c.reply.ok();
        }
        b"replicate" if argc >= 3 => {
            // Straight into the stream, in the db last selected there.
            let argv: Vec<Vec<u8>> = ctx.argv[2..].iter().map(|a| a.to_vec()).collect();
            ctx.srv.feed_replicas_argv(None, &argv);
            ctx.c.reply.ok();
        }
        b"panic" => {
            // `serverPanic`: the bug report, then the process ends.
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            panic!("DEBUG PANIC called at Unix time {now}");
        }
        b"assert" => {
            // `serverAssertWithInfo(c, c->argv[0], 1 == 2)`: the client and
            // its first argument are the context of the report.
            std::panic::panic_any(assert_context(ctx, "1 == 2"));
        }
        b"set-disable-deny-scripts" if argc == 3 => {
            ctx.srv.scripting.disable_deny_script = parse_i64(ctx.argv[2]).unwrap_or(0) != 0;
            ctx.c.reply.ok();
        }
        b"set-skip-checksum-validation" if argc == 3 => {
            ctx.srv.skip_checksum_validation = parse_i64(ctx.argv[2]).unwrap_or(0) != 0;
            ctx.c.reply.ok();
        }
        _ => {
            // Subcommands owned by the data types (DEBUG LISTPACK, ...).
            let hooks: [fn(&mut Ctx) -> Option<CmdResult>; 5] = [
                crate::types::list::debug_hook,
                crate::types::hash::debug_hook,
                crate::types::set::debug_hook,
                crate::types::zset::debug_hook,
                crate::types::stream::debug_hook,
            ];
            for hook in hooks {
                if let Some(r) = hook(ctx) {
                    return r;
                }
            }
            return Err(Error::msg(format!(
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
                String::from_utf8_lossy(ctx.argv[1])
            )));
        }
    }
    Ok(())
}

/// The context of an assertion about the running command: the client
/// and its first argument, a string object (`OBJ_STRING`, embstr up to
/// 44 bytes as Redis creates argv objects, else raw).
fn assert_context(ctx: &Ctx, expr: &'static str) -> crash::AssertionFailed {
    let first = ctx.argv.first().map_or(0, |a| a.len());
    crash::AssertionFailed {
        expr,
        client: Some(crash::ClientContext {
            flags: ctx.c.flags,
            conn: format!("fd={}", ctx.c.fd),
            argv: ctx.argv.iter().map(|a| a.to_vec()).collect(),
        }),
        object: Some(crash::ObjectContext {
            type_code: 0,
            encoding: if first <= 44 { 8 } else { 0 },
            refcount: 1,
        }),
    }
}

/// `DEBUG PROTOCOL <type>`: a sample reply of each RESP type.
fn debug_protocol(ctx: &mut Ctx) -> CmdResult {
    let name = ctx.argv[2].to_ascii_lowercase();
    let r = &mut ctx.c.reply;
    match name.as_slice() {
        b"string" => r.bulk(b"Hello World"),
        b"integer" => r.int(12345),
        // Redis's sample value, not an approximation of pi.
        #[allow(clippy::approx_constant)]
        b"double" => r.double(3.141),
        b"bignum" => r.big_number(b"1234567999999999999999999999999999999"),
        b"null" => r.null(),
        b"array" => {
            r.array_len(3);
            for j in 0..3 {
                r.int(j);
            }
        }
        b"set" => {
            r.set_len(3);
            for j in 0..3 {
                r.int(j);
            }
        }
        b"map" => {
            r.map_len(3);
            for j in 0..3 {
                r.int(j);
                r.bool(j == 1);
            }
        }
        b"attrib" => {
            if r.resp >= 3 {
                r.attribute_len(1);
                r.bulk(b"key-popularity");
                r.array_len(2);
                r.bulk(b"key:123");
                r.int(90);
            }
            r.bulk(b"Some real reply following the attribute");
        }
        b"push" => {
            if r.resp < 3 {
                return Err(Error::err("ERR RESP2 is not supported by this command"));
            }
            r.push_len(2);
            r.bulk(b"server-cpu-usage");
            r.int(42);
            r.bulk(b"Some real reply following the push reply");
        }
        b"true" => r.bool(true),
        b"false" => r.bool(false),
        b"verbatim" => r.verbatim(b"This is a verbatim\nstring", b"txt"),
        _ => {
            return Err(Error::err(
                "ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
            ))
        }
    }
    Ok(())
}
