//! The RDB file format, version 10 (rdb.c): saving the whole dataset and
//! loading it back, byte-compatible with Redis 7.0 in both directions.
//! `codec.rs` has the primitives; value payloads are written and read
//! here, dispatching to each type's RDB encoding.

pub mod check;
pub mod codec;

use crate::db::lookup;
use crate::object::{string_value, NewValue, Obj, ValueRef};
use crate::server::Server;
use codec::*;
use std::io::{self, BufWriter, Read, Write};

/// Statistics of one load, for the log and INFO.
#[derive(Default, Debug)]
pub struct LoadStats {
    pub keys_loaded: u64,
    pub keys_expired: u64,
    /// Empty collections met (old files may hold them): not stored.
    pub empty_keys_skipped: u64,
}

/// The RDB type byte of a value (`rdbSaveObjectType`).
pub fn value_type_byte(v: ValueRef) -> u8 {
    match v {
        ValueRef::Int(_) | ValueRef::Emb(_) | ValueRef::Obj(Obj::Str(_)) => TYPE_STRING,
        ValueRef::Obj(o) => crate::persist::types::collection_type(o),
    }
}

/// The payload of a value (`rdbSaveObject`).
pub fn write_payload<W: Write>(w: &mut RdbWriter<W>, v: ValueRef) -> io::Result<()> {
    match v {
        ValueRef::Int(i) => w.int_string(i),
        ValueRef::Emb(b) => w.string(b),
        ValueRef::Obj(Obj::Str(s)) => w.string(s),
        ValueRef::Obj(o) => crate::persist::types::write_collection(w, o),
    }
}

/// A value read from an RDB payload, before it is stored.
pub enum LoadedValue {
    Str(Vec<u8>),
    Obj(Obj),
    /// An empty collection (old files may contain them): not stored.
    Empty,
}

/// Reads a value payload of RDB type `t` (`rdbLoadObject`).
pub fn read_value<R: Read>(srv: &mut Server, r: &mut RdbReader<R>, t: u8) -> LoadResult<LoadedValue> {
    if t == TYPE_STRING {
        return Ok(LoadedValue::Str(r.string()?));
    }
    Ok(match crate::persist::types::read_collection(srv, r, t)? {
        Some(o) => LoadedValue::Obj(o),
        None => LoadedValue::Empty,
    })
}

/// Stores a loaded value under `key` (which must not exist). False when
/// nothing was stored (empty collection).
pub fn store_value(srv: &mut Server, db: usize, key: &[u8], v: LoadedValue) -> bool {
    match v {
        LoadedValue::Str(s) => {
            let shared = srv.shared_ints_allowed();
            srv.db_add(db, key, string_value(&s, shared));
        }
        LoadedValue::Obj(o) => srv.db_add(db, key, NewValue::Obj(Box::new(o))),
        LoadedValue::Empty => return false,
    }
    true
}

/// Writes the whole dataset (`rdbSaveRio`).
pub fn save<W: Write>(srv: &Server, w: &mut RdbWriter<W>, aof_base: bool) -> io::Result<()> {
    w.raw(format!("REDIS{RDB_VERSION:04}").as_bytes())?;
    w.aux(b"redis-ver", crate::REDIS_VERSION.as_bytes())?;
    w.aux(b"redis-bits", b"64")?;
    w.aux(b"ctime", crate::util::mstime().div_euclid(1000).to_string().as_bytes())?;
    w.aux(b"used-mem", crate::alloc::used_memory().to_string().as_bytes())?;
    w.aux(b"aof-base", if aof_base { b"1" } else { b"0" })?;
    use crate::config::enums::{MAXMEMORY_FLAG_LFU, MAXMEMORY_FLAG_LRU};
    let save_lru = srv.cfg.maxmemory_policy & MAXMEMORY_FLAG_LRU != 0;
    let save_lfu = srv.cfg.maxmemory_policy & MAXMEMORY_FLAG_LFU != 0;
    let clock = srv.lru_clock();
    let delay = srv.cfg.rdb_key_save_delay;
    crate::scripting::function::write_rdb(srv, w)?;
    let mut keys_done = 0u64;
    for (j, db) in srv.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        w.u8(OP_SELECTDB)?;
        w.len(j as u64)?;
        w.u8(OP_RESIZEDB)?;
        w.len(db.len() as u64)?;
        w.len(db.expires.len() as u64)?;
        for e in db.dict.iter() {
            let key = e.key();
            if e.has_expire() {
                let when = db.get_expire(key);
                if when != -1 {
                    w.u8(OP_EXPIRETIME_MS)?;
                    w.ms_time(when)?;
                }
            }
            if save_lru {
                w.u8(OP_IDLE)?;
                w.len((crate::db::estimate_idle_ms(clock, e.lru()) / 1000) as u64)?;
            }
            if save_lfu {
                w.u8(OP_FREQ)?;
                w.u8(crate::db::evict::lfu_decayed_counter(e.lru(), srv.unixtime, srv.cfg.lfu_decay_time) as u8)?;
            }
            let value = e.value();
            w.u8(value_type_byte(value))?;
            w.string(key)?;
            write_payload(w, value)?;
            if delay != 0 {
                debug_delay(delay);
            }
            keys_done += 1;
            crate::persist::childinfo::key_done(keys_done);
        }
    }
    Ok(())
}

/// `debugDelay`: positive = microseconds, negative = 1/-N of a µs on average.
pub fn debug_delay(usec: i64) {
    if usec > 0 {
        std::thread::sleep(std::time::Duration::from_micros(usec as u64));
    } else if usec < 0 && crate::util::rand_below((-usec) as u64) == 0 {
        std::thread::sleep(std::time::Duration::from_micros(1));
    }
}

/// Saves to `path` through a temp file, fsync and rename, so a crash never
/// leaves a half-written `dump.rdb` (`rdbSave`).
pub fn save_file(srv: &Server, path: &str) -> io::Result<()> {
    let tmp = format!("temp-{}.rdb", std::process::id());
    let res = (|| {
        let f = std::fs::File::create(&tmp)?;
        let mut w = RdbWriter::new(BufWriter::with_capacity(64 * 1024, f), srv.cfg.rdbchecksum, srv.cfg.rdbcompression);
        save(srv, &mut w, false)?;
        let f = w.finish()?.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // Make the rename durable too.
        if let Ok(d) = std::fs::File::open(".") {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}

/// Loads an RDB stream into the (empty or merging) dataset (`rdbLoadRio`).
pub fn load<R: Read>(srv: &mut Server, r: &mut RdbReader<R>) -> LoadResult<LoadStats> {
    let mut magic = [0u8; 9];
    r.exact(&mut magic)?;
    if &magic[..5] != b"REDIS" {
        return corrupt("Wrong signature trying to load DB from file");
    }
    let ver: u32 = std::str::from_utf8(&magic[5..]).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    if !(1..=RDB_VERSION).contains(&ver) {
        return corrupt(format!("Can't handle RDB format version {ver}"));
    }
    let mut stats = LoadStats::default();
    let mut db = 0usize;
    let mut expire: i64 = -1;
    let mut lru_idle: Option<u64> = None;
    let mut lfu_freq: Option<u8> = None;
    let now = crate::util::mstime();
    let is_master = srv.cfg.special.replicaof.is_none();
    let delay = srv.cfg.key_load_delay;
    loop {
        let t = r.u8()?;
        match t {
            OP_EXPIRETIME => {
                expire = r.s_time()? * 1000;
                continue;
            }
            OP_EXPIRETIME_MS => {
                expire = r.ms_time()?;
                continue;
            }
            OP_FREQ => {
                lfu_freq = Some(r.u8()?);
                continue;
            }
            OP_IDLE => {
                lru_idle = Some(r.len()?);
                continue;
            }
            OP_EOF => break,
            OP_SELECTDB => {
                let id = r.len()?;
                if id >= srv.dbs.len() as u64 {
                    return corrupt(format!(
                        "FATAL: Data file was created with a Redis server configured to handle more than {} databases. Exiting\n",
                        srv.dbs.len()
                    ));
                }
                db = id as usize;
                continue;
            }
            OP_RESIZEDB => {
                let size = r.len()?;
                let _expires = r.len()?;
                let want = srv.dbs[db].len() + size.min(1 << 28) as usize;
                srv.dbs[db].dict.expand(want);
                continue;
            }
            OP_AUX => {
                let k = r.string()?;
                let v = r.string()?;
                match k.as_slice() {
                    b"redis-ver" => log::info!("Loading RDB produced by version {}", String::from_utf8_lossy(&v)),
                    b"ctime" => {
                        let ctime: i64 = std::str::from_utf8(&v).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
                        let age = (now / 1000 - ctime).max(0);
                        log::info!("RDB age {age} seconds");
                    }
                    b"used-mem" => {
                        let m: f64 = std::str::from_utf8(&v).ok().and_then(|s| s.parse().ok()).unwrap_or(0.0);
                        srv.loading_progress.rdb_used_mem = m as u64;
                        log::info!("RDB memory usage when created {:.2} Mb", m / (1024.0 * 1024.0));
                    }
                    _ => {}
                }
                continue;
            }
            OP_MODULE_AUX => return corrupt("The RDB file contains AUX module data I can't load: no matching module"),
            OP_FUNCTION2 | OP_FUNCTION_PRE_GA => {
                let code = match crate::scripting::function::read_function_record(r, t) {
                    Ok(c) => c,
                    Err(e) => {
                        let e = e.unwrap_or_default();
                        log::warn!("Failed loading library, {e}");
                        return corrupt(format!("Failed loading library, {e}"));
                    }
                };
                let replace = srv.rdb_load_allow_dup;
                if let Err(e) = crate::scripting::function::create_library(srv, &code, replace, 0) {
                    log::warn!("Failed loading library, {e}");
                    return corrupt(format!("Failed loading library, {e}"));
                }
                continue;
            }
            _ => {}
        }
        // A key/value pair of type `t`.
        let key = r.string()?;
        let expired = expire != -1 && expire < now && is_master && !srv.loading_aof_preamble;
        if srv.dbs[db].dict.get(&key).is_some() {
            // Duplicate key: Redis refuses, unless it is a merge.
            if !srv.rdb_load_allow_dup {
                return corrupt(format!("Duplicate key '{}' found in RDB file", String::from_utf8_lossy(&key)));
            }
            srv.dbs[db].delete(&key);
        }
        let v = read_value(srv, r, t)?;
        if !store_value(srv, db, &key, v) {
            if stats.empty_keys_skipped < 10 {
                log::warn!("rdbLoadObject skipping empty key: {}", String::from_utf8_lossy(c_str(&key)));
            }
            stats.empty_keys_skipped += 1;
            expire = -1;
            lru_idle = None;
            lfu_freq = None;
            continue;
        }
        if expired {
            srv.dbs[db].delete(&key);
            stats.keys_expired += 1;
        } else {
            if expire != -1 {
                srv.dbs[db].set_expire(&key, expire);
            }
            if let Some(e) = srv.lookup_key(db, &key, lookup::NOTOUCH | lookup::NOSTATS | lookup::NONOTIFY | lookup::NOEXPIRE) {
                if let Some(idle) = lru_idle {
                    let clock = crate::db::lru_clock_at(now - (idle as i64) * 1000);
                    e.set_lru(clock);
                }
                if let Some(f) = lfu_freq {
                    e.set_lru((crate::db::evict::lfu_initial(now / 1000) & !255) | u32::from(f));
                }
            }
            stats.keys_loaded += 1;
        }
        expire = -1;
        lru_idle = None;
        lfu_freq = None;
        if delay != 0 {
            debug_delay(delay);
        }
        srv.loading_progress_at(r.read);
    }
    if ver >= 5 {
        let expected = r.checksum();
        let found = r.trailer()?;
        if srv.cfg.rdbchecksum && !srv.skip_checksum_validation {
            if found == 0 {
                log::warn!("RDB file was saved with checksum disabled: no check performed.");
            } else if found != expected {
                log::warn!("Wrong RDB checksum expected: ({expected:x}) but got ({found:x}). Aborting now.");
                return corrupt("RDB CRC error");
            }
        }
    }
    Ok(stats)
}

/// The bytes of `s` up to its first NUL, as a `%s` format prints them.
fn c_str(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}

/// Loads `path`. Ok(None) when the file does not exist.
pub fn load_file(srv: &mut Server, path: &str) -> LoadResult<Option<LoadStats>> {
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(LoadError::Io(e)),
    };
    let mut r = RdbReader::new(io::BufReader::with_capacity(64 * 1024, f));
    load(srv, &mut r).map(Some)
}
