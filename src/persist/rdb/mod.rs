//! The RDB file format, version 10 (rdb.c): saving the whole dataset and
//! loading it back, byte-compatible with Redis 7.0 in both directions.
//! `codec.rs` has the primitives; value payloads are written and read
//! here, dispatching to each type's RDB encoding.

pub mod check;
pub mod codec;

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
    /// Replication info found in AUX fields (`rdbSaveInfo`).
    pub repl_stream_db: Option<i64>,
    pub repl_id: Option<String>,
    pub repl_offset: Option<i64>,
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
    save_filtered(srv, w, aof_base, 0)
}

/// As [`save`], leaving out what the `repl::REQ_*` bits in `req` say (a
/// replica's `REPLCONF rdb-filter-only`).
pub fn save_filtered<W: Write>(srv: &Server, w: &mut RdbWriter<W>, aof_base: bool, req: u8) -> io::Result<()> {
    w.raw(format!("REDIS{RDB_VERSION:04}").as_bytes())?;
    w.aux(b"redis-ver", crate::REDIS_VERSION.as_bytes())?;
    w.aux(b"redis-bits", b"64")?;
    w.aux(b"ctime", crate::util::mstime().div_euclid(1000).to_string().as_bytes())?;
    w.aux(b"used-mem", crate::alloc::used_memory().to_string().as_bytes())?;
    // Replication position, so a restarted replica (or master) can PSYNC;
    // never in an AOF preamble (`rdbSaveInfoAuxFields`).
    if let Some(stream_db) = srv.rdb_repl_stream_db().filter(|_| !aof_base) {
        w.aux(b"repl-stream-db", stream_db.to_string().as_bytes())?;
        w.aux(b"repl-id", srv.replid.as_bytes())?;
        w.aux(b"repl-offset", srv.repl.master_repl_offset.to_string().as_bytes())?;
    }
    w.aux(b"aof-base", if aof_base { b"1" } else { b"0" })?;
    use crate::config::enums::{MAXMEMORY_FLAG_LFU, MAXMEMORY_FLAG_LRU};
    let save_lru = srv.cfg.maxmemory_policy & MAXMEMORY_FLAG_LRU != 0;
    let save_lfu = srv.cfg.maxmemory_policy & MAXMEMORY_FLAG_LFU != 0;
    let clock = srv.lru_clock();
    let delay = srv.cfg.rdb_key_save_delay;
    if req & crate::repl::REQ_EXCLUDE_FUNCTIONS == 0 {
        crate::scripting::function::write_rdb(srv, w)?;
    }
    let mut keys_done = 0u64;
    for (j, db) in srv.dbs.iter().enumerate() {
        if db.is_empty() || req & crate::repl::REQ_EXCLUDE_DATA != 0 {
            continue;
        }
        w.u8(OP_SELECTDB)?;
        w.len(j as u64)?;
        w.u8(OP_RESIZEDB)?;
        w.len(db.len() as u64)?;
        w.len(db.volatile_len() as u64)?;
        for e in db.iter() {
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

/// Removes this process's `temp-<pid>.rdb` (`rdbRemoveTempFile`); safe to
/// call from a signal handler (no allocation, only getpid and unlink).
pub fn remove_temp_file_from_handler() {
    let mut name = [0u8; 48];
    let mut pos = 0;
    for &b in b"temp-" {
        name[pos] = b;
        pos += 1;
    }
    // SAFETY: getpid is async-signal-safe.
    let pid = unsafe { libc::getpid() };
    crate::util::log::push_decimal(&mut name, &mut pos, pid.max(0) as u64);
    for &b in b".rdb\0" {
        name[pos] = b;
        pos += 1;
    }
    // SAFETY: `name` is NUL-terminated within its bounds; unlink is
    // async-signal-safe.
    unsafe { libc::unlink(name.as_ptr().cast()) };
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

/// What one loader step achieved.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// More records follow.
    More,
    /// The EOF opcode and the checksum were read: the load is complete.
    Done,
}

/// An RDB load in progress (`rdbLoadRio` turned inside out): each `step`
/// reads one record, so a caller that gets its bytes in pieces (a
/// diskless replica reading its master's socket) can stop between
/// records and resume later. Every step only changes the loader's state
/// once its record was read whole, so a step that failed for lack of data
/// can be retried from the same input position.
pub struct Loader {
    pub stats: LoadStats,
    /// RDB version, 0 until the header was read.
    ver: u32,
    db: usize,
    expire: i64,
    lru_idle: Option<u64>,
    lfu_freq: Option<u8>,
    now: i64,
    is_master: bool,
    delay: i64,
}

impl Loader {
    pub fn new(srv: &Server) -> Loader {
        Loader {
            stats: LoadStats::default(),
            ver: 0,
            db: 0,
            expire: -1,
            lru_idle: None,
            lfu_freq: None,
            now: crate::util::mstime(),
            is_master: srv.cfg.special.replicaof.is_none(),
            delay: srv.cfg.key_load_delay,
        }
    }

    /// Reads and applies one record.
    pub fn step<R: Read>(&mut self, srv: &mut Server, r: &mut RdbReader<R>) -> LoadResult<Step> {
        if self.ver == 0 {
            let mut magic = [0u8; 9];
            r.exact(&mut magic)?;
            if &magic[..5] != b"REDIS" {
                return corrupt("Wrong signature trying to load DB from file");
            }
            let ver: u32 = std::str::from_utf8(&magic[5..]).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
            if !(1..=RDB_VERSION).contains(&ver) {
                return corrupt(format!("Can't handle RDB format version {ver}"));
            }
            self.ver = ver;
            return Ok(Step::More);
        }
        let t = r.u8()?;
        match t {
            OP_EXPIRETIME => {
                self.expire = r.s_time()? * 1000;
                return Ok(Step::More);
            }
            OP_EXPIRETIME_MS => {
                self.expire = r.ms_time()?;
                return Ok(Step::More);
            }
            OP_FREQ => {
                self.lfu_freq = Some(r.u8()?);
                return Ok(Step::More);
            }
            OP_IDLE => {
                self.lru_idle = Some(r.len()?);
                return Ok(Step::More);
            }
            OP_EOF => {
                if self.ver >= 5 {
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
                return Ok(Step::Done);
            }
            OP_SELECTDB => {
                let id = r.len()?;
                if id >= srv.dbs.len() as u64 {
                    return corrupt(format!(
                        "FATAL: Data file was created with a Redis server configured to handle more than {} databases. Exiting\n",
                        srv.dbs.len()
                    ));
                }
                self.db = id as usize;
                return Ok(Step::More);
            }
            OP_RESIZEDB => {
                let size = r.len()?;
                let _expires = r.len()?;
                let want = srv.dbs[self.db].len() + size.min(1 << 28) as usize;
                srv.dbs[self.db].expand(want);
                return Ok(Step::More);
            }
            OP_AUX => {
                let k = r.string()?;
                let v = r.string()?;
                self.aux(srv, &k, &v);
                return Ok(Step::More);
            }
            OP_MODULE_AUX => return corrupt("The RDB file contains AUX module data I can't load: no matching module"),
            OP_FUNCTION2 | OP_FUNCTION_PRE_GA => {
                // A short read surfaces as itself (a diskless load retries
                // the record when more bytes arrive).
                let code = if t == OP_FUNCTION2 {
                    r.string()?
                } else {
                    match crate::scripting::function::read_function_record(r, t) {
                        Ok(c) => c,
                        Err(e) => {
                            let e = e.unwrap_or_default();
                            log::warn!("Failed loading library, {e}");
                            return corrupt(format!("Failed loading library, {e}"));
                        }
                    }
                };
                let replace = srv.rdb_load_allow_dup;
                if let Err(e) = crate::scripting::function::create_library(srv, &code, replace, 0) {
                    log::warn!("Failed loading library, {e}");
                    return corrupt(format!("Failed loading library, {e}"));
                }
                return Ok(Step::More);
            }
            _ => {}
        }
        // A key/value pair of type `t`.
        let key = r.string()?;
        let v = read_value(srv, r, t)?;
        let db = self.db;
        let (expire, lru_idle, lfu_freq) = (self.expire, self.lru_idle, self.lfu_freq);
        self.expire = -1;
        self.lru_idle = None;
        self.lfu_freq = None;
        let expired = expire != -1 && expire < self.now && self.is_master && !srv.loading_aof_preamble;
        let bytes;
        let value = match v {
            LoadedValue::Str(s) => {
                bytes = s;
                string_value(&bytes, srv.shared_ints_allowed())
            }
            LoadedValue::Obj(o) => NewValue::Obj(Box::new(o)),
            LoadedValue::Empty => {
                if self.stats.empty_keys_skipped < 10 {
                    log::warn!("rdbLoadObject skipping empty key: {}", String::from_utf8_lossy(c_str(&key)));
                }
                self.stats.empty_keys_skipped += 1;
                return Ok(Step::More);
            }
        };
        if expired {
            // Never added (`rdbLoadRio`): the master's DEL follows in the
            // stream, or we are the master and it is gone.
            self.stats.keys_expired += 1;
            if srv.repl.feed_expired_on_load {
                let cmd: &[u8] = if srv.cfg.lazyfree_lazy_expire { b"UNLINK" } else { b"DEL" };
                srv.feed_replicas_argv(Some(db), &[cmd.to_vec(), key.clone()]);
            }
        } else {
            // Duplicate key: Redis refuses, unless it is a merge.
            if !srv.load_key(db, &key, value, expire, srv.rdb_load_allow_dup) {
                return corrupt(format!("Duplicate key '{}' found in RDB file", String::from_utf8_lossy(&key)));
            }
            let now = self.now;
            if let Some(e) = srv.dbs[db].find_mut(&key) {
                if let Some(idle) = lru_idle {
                    let clock = crate::db::lru_clock_at(now - (idle as i64) * 1000);
                    e.set_lru(clock);
                }
                if let Some(f) = lfu_freq {
                    e.set_lru((crate::db::evict::lfu_initial(now / 1000) & !255) | u32::from(f));
                }
            }
            self.stats.keys_loaded += 1;
        }
        if self.delay != 0 {
            debug_delay(self.delay);
        }
        srv.loading_progress_at(r.read);
        Ok(Step::More)
    }

    /// An AUX field: logged, or remembered for replication.
    fn aux(&mut self, srv: &mut Server, k: &[u8], v: &[u8]) {
        let num = |v: &[u8]| -> Option<i64> { std::str::from_utf8(v).ok().and_then(|s| s.trim().parse().ok()) };
        match k {
            b"redis-ver" => log::info!("Loading RDB produced by version {}", String::from_utf8_lossy(v)),
            b"ctime" => {
                let age = (self.now / 1000 - num(v).unwrap_or(0)).max(0);
                log::info!("RDB age {age} seconds");
            }
            b"used-mem" => {
                let m: f64 = std::str::from_utf8(v).ok().and_then(|s| s.parse().ok()).unwrap_or(0.0);
                srv.loading_progress.rdb_used_mem = m as u64;
                log::info!("RDB memory usage when created {:.2} Mb", m / (1024.0 * 1024.0));
            }
            b"repl-stream-db" => self.stats.repl_stream_db = Some(num(v).unwrap_or(0)),
            b"repl-id" if v.len() == 40 => self.stats.repl_id = Some(String::from_utf8_lossy(v).into_owned()),
            b"repl-offset" => self.stats.repl_offset = Some(num(v).unwrap_or(0)),
            _ if k.first() == Some(&b'%') => {
                log::info!("RDB '{}': {}", String::from_utf8_lossy(k), String::from_utf8_lossy(v));
            }
            _ => {}
        }
    }
}

/// Loads an RDB stream into the (empty or merging) dataset (`rdbLoadRio`).
pub fn load<R: Read>(srv: &mut Server, r: &mut RdbReader<R>) -> LoadResult<LoadStats> {
    let mut l = Loader::new(srv);
    while l.step(srv, r)? == Step::More {}
    Ok(l.stats)
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
