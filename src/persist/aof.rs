//! Append-only file, Redis 7.0 multi-part layout (aof.c).
//!
//! `appenddirname/` holds a base file (an RDB preamble, or commands), incr
//! files of commands written since, and `<appendfilename>.manifest`
//! listing them:
//!
//! ```text
//! file appendonly.aof.1.base.rdb seq 1 type b
//! file appendonly.aof.1.incr.aof seq 1 type i
//! ```
//!
//! Propagated commands are buffered and written to the last incr file
//! before the loop sleeps; `appendfsync always` fsyncs there, `everysec`
//! hands the fsync to a background thread once a second. BGREWRITEAOF
//! forks a child that writes a new base while the parent starts a new incr
//! file; when the child is done the manifest switches over and older files
//! are deleted.

use crate::client::Client;
use crate::commands::Kind;
use crate::error::Error;
use crate::persist::rdb::codec::RdbWriter;
use crate::repl::encode_command;
use crate::resp::{ParseLimits, Parsed, RequestParser};
use crate::server::{CmdResult, Ctx, Server};
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;

/// Whether commands are being appended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AofStatus {
    Off,
    On,
    /// Turned on at run time: commands go to a temp incr file until the
    /// first rewrite produces a base.
    WaitRewrite,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AofInfo {
    pub name: String,
    pub seq: i64,
    pub kind: u8,
}

/// The manifest: base, history (to delete), incr files.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    pub base: Option<AofInfo>,
    pub history: Vec<AofInfo>,
    pub incr: Vec<AofInfo>,
    pub base_seq: i64,
    pub incr_seq: i64,
    pub dirty: bool,
}

/// Background fsync of the AOF (bio.c's BIO_AOF_FSYNC job).
struct Fsyncer {
    tx: Sender<File>,
    pending: Arc<AtomicU64>,
    failed: Arc<AtomicBool>,
}

impl Fsyncer {
    fn spawn() -> Option<Fsyncer> {
        let (tx, rx) = std::sync::mpsc::channel::<File>();
        let pending = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicBool::new(false));
        let (p, f) = (pending.clone(), failed.clone());
        std::thread::Builder::new()
            .name("aof-fsync".into())
            .spawn(move || {
                while let Ok(file) = rx.recv() {
                    if file.sync_data().is_err() {
                        f.store(true, Ordering::Relaxed);
                    }
                    p.fetch_sub(1, Ordering::Relaxed);
                }
            })
            .ok()?;
        Some(Fsyncer { tx, pending, failed })
    }
}

pub struct AofState {
    pub status: AofStatus,
    pub manifest: Manifest,
    file: Option<File>,
    pub buf: Vec<u8>,
    selected_db: i64,
    /// Second of the last `#TS:` annotation (aof-timestamp-enabled).
    cur_timestamp: i64,
    /// DEBUG AOF-FLUSH-SLEEP: µs to sleep before each write (tests).
    pub flush_sleep_us: u64,
    last_fsync: i64,
    pub current_size: u64,
    pub base_size: u64,
    pub rewrite_scheduled: bool,
    pub last_rewrite_ok: bool,
    pub last_write_ok: bool,
    pub rewrites: u64,
    pub consecutive_failures: u64,
    /// Back-off after repeated rewrite failures (`aofRewriteLimited`).
    limit_delay_minutes: i64,
    limit_next_time: i64,
    pub rewrite_time_start: i64,
    pub last_rewrite_time: i64,
    pub delayed_fsync: u64,
    fsyncer: Option<Fsyncer>,
}

impl Default for AofState {
    fn default() -> Self {
        AofState {
            status: AofStatus::Off,
            manifest: Manifest::default(),
            file: None,
            buf: Vec::new(),
            selected_db: -1,
            cur_timestamp: 0,
            flush_sleep_us: 0,
            last_fsync: 0,
            current_size: 0,
            base_size: 0,
            rewrite_scheduled: false,
            last_rewrite_ok: true,
            last_write_ok: true,
            rewrites: 0,
            consecutive_failures: 0,
            limit_delay_minutes: 0,
            limit_next_time: 0,
            rewrite_time_start: -1,
            last_rewrite_time: -1,
            delayed_fsync: 0,
            fsyncer: None,
        }
    }
}

impl AofState {
    pub fn pending_fsync(&self) -> u64 {
        self.fsyncer.as_ref().map(|f| f.pending.load(Ordering::Relaxed)).unwrap_or(0)
    }
}

const BASE_SUFFIX: &str = ".base";
const INCR_SUFFIX: &str = ".incr";
const TEMP_PREFIX: &str = "temp-";

fn quote_name(name: &str) -> String {
    if name
        .bytes()
        .any(|c| c.is_ascii_whitespace() || c == b'"' || c == b'\'' || !c.is_ascii_graphic())
    {
        crate::config::file::repr(name.as_bytes())
    } else {
        name.to_string()
    }
}

impl Manifest {
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for ai in self.base.iter().chain(self.history.iter()).chain(self.incr.iter()) {
            out.push_str(&format!("file {} seq {} type {}\n", quote_name(&ai.name), ai.seq, ai.kind as char));
        }
        out
    }

    /// Parses a manifest (`aofLoadManifestFromFile`).
    pub fn parse(text: &str) -> Result<Manifest, (usize, String, &'static str)> {
        const MANIFEST_MAX_LINE: usize = 1024;
        let mut m = Manifest::default();
        let mut maxseq = 0;
        if text.is_empty() {
            return Err((0, String::new(), "Found an empty AOF manifest"));
        }
        for (i, raw) in text.split_inclusive('\n').enumerate() {
            let ln = i + 1;
            if raw.starts_with('#') {
                continue;
            }
            // Lines are read with a 1024-byte buffer: a longer one, or a
            // last one without a newline, is refused.
            if !raw.ends_with('\n') || raw.len() > MANIFEST_MAX_LINE {
                return Err((ln, raw.to_string(), "The AOF manifest file contains too long line"));
            }
            let line = raw.trim_matches(|c| c == ' ' || c == '\t' || c == '\r' || c == '\n');
            if line.is_empty() {
                return Err((ln, line.to_string(), "Invalid AOF manifest file format"));
            }
            let Some(argv) = crate::resp::parser::split_args(line.as_bytes()) else {
                return Err((ln, line.to_string(), "Invalid AOF manifest file format"));
            };
            if argv.len() < 6 || argv.len() % 2 == 1 {
                return Err((ln, line.to_string(), "Invalid AOF manifest file format"));
            }
            let (mut name, mut seq, mut kind) = (None, 0i64, 0u8);
            for pair in argv.chunks(2) {
                let k = String::from_utf8_lossy(&pair[0]).to_lowercase();
                let v = String::from_utf8_lossy(&pair[1]).into_owned();
                match k.as_str() {
                    "file" => {
                        if v.contains('/') {
                            return Err((ln, line.to_string(), "File can't be a path, just a filename"));
                        }
                        name = Some(v);
                    }
                    "seq" => seq = v.parse().unwrap_or(0),
                    "type" => kind = v.bytes().next().unwrap_or(0),
                    _ => {}
                }
            }
            let Some(name) = name.filter(|_| seq != 0 && kind != 0) else {
                return Err((ln, line.to_string(), "Invalid AOF manifest file format"));
            };
            let ai = AofInfo { name, seq, kind };
            match kind {
                b'b' => {
                    if m.base.is_some() {
                        return Err((ln, line.to_string(), "Found duplicate base file information"));
                    }
                    m.base_seq = seq;
                    m.base = Some(ai);
                }
                b'h' => m.history.push(ai),
                b'i' => {
                    if seq <= maxseq {
                        return Err((ln, line.to_string(), "Found a non-monotonic sequence number"));
                    }
                    maxseq = seq;
                    m.incr_seq = seq;
                    m.incr.push(ai);
                }
                _ => return Err((ln, line.to_string(), "Unknown AOF file type")),
            }
        }
        Ok(m)
    }
}

impl Server {
    fn aof_dir(&self) -> String {
        self.cfg.appenddirname.clone()
    }

    fn aof_path(&self, name: &str) -> String {
        format!("{}/{}", self.aof_dir(), name)
    }

    fn manifest_name(&self) -> String {
        format!("{}.manifest", self.cfg.appendfilename)
    }

    fn temp_incr_name(&self) -> String {
        format!("{TEMP_PREFIX}{}{INCR_SUFFIX}", self.cfg.appendfilename)
    }

    fn new_base_name(&self, m: &mut Manifest) -> String {
        if let Some(mut b) = m.base.take() {
            b.kind = b'h';
            m.history.insert(0, b);
        }
        m.base_seq += 1;
        let fmt = if self.cfg.aof_use_rdb_preamble { ".rdb" } else { ".aof" };
        let name = format!("{}.{}{BASE_SUFFIX}{fmt}", self.cfg.appendfilename, m.base_seq);
        m.base = Some(AofInfo {
            name: name.clone(),
            seq: m.base_seq,
            kind: b'b',
        });
        m.dirty = true;
        name
    }

    fn new_incr_name(&self, m: &mut Manifest) -> String {
        m.incr_seq += 1;
        let name = format!("{}.{}{INCR_SUFFIX}.aof", self.cfg.appendfilename, m.incr_seq);
        m.incr.push(AofInfo {
            name: name.clone(),
            seq: m.incr_seq,
            kind: b'i',
        });
        m.dirty = true;
        name
    }

    /// Writes the manifest through a temp file and rename.
    fn persist_manifest(&self, m: &mut Manifest) -> io::Result<()> {
        if !m.dirty {
            return Ok(());
        }
        let tmp = self.aof_path(&format!("{TEMP_PREFIX}{}", self.manifest_name()));
        let path = self.aof_path(&self.manifest_name());
        let mut f = File::create(&tmp)?;
        f.write_all(m.to_text().as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        if let Ok(d) = File::open(self.aof_dir()) {
            let _ = d.sync_all();
        }
        m.dirty = false;
        Ok(())
    }

    /// Appends a propagated command to the AOF buffer (`feedAppendOnlyFile`).
    pub fn feed_aof(&mut self, db: usize, argv: &[Vec<u8>]) {
        if self.aof.status == AofStatus::Off {
            return;
        }
        if self.cfg.aof_timestamp_enabled && self.aof.cur_timestamp < self.unixtime {
            self.aof.cur_timestamp = self.unixtime;
            self.aof.buf.extend_from_slice(format!("#TS:{}\r\n", self.unixtime).as_bytes());
        }
        if self.aof.selected_db != db as i64 {
            encode_command(&mut self.aof.buf, &[b"SELECT".to_vec(), db.to_string().into_bytes()]);
            self.aof.selected_db = db as i64;
        }
        encode_command(&mut self.aof.buf, argv);
    }

    /// Writes the buffer to the current incr file and fsyncs per policy
    /// (`flushAppendOnlyFile`). `force` also fsyncs under everysec.
    pub fn flush_aof(&mut self, force: bool) {
        use crate::config::enums::{AOF_FSYNC_ALWAYS, AOF_FSYNC_EVERYSEC};
        if self.aof.status == AofStatus::Off || self.aof.file.is_none() {
            return;
        }
        if !self.aof.buf.is_empty() {
            if self.aof.flush_sleep_us != 0 {
                std::thread::sleep(std::time::Duration::from_micros(self.aof.flush_sleep_us));
            }
            let buf = std::mem::take(&mut self.aof.buf);
            let res = self.aof.file.as_mut().map(|f| f.write_all(&buf)).unwrap_or(Ok(()));
            match res {
                Ok(()) => {
                    self.aof.current_size += buf.len() as u64;
                    if !self.aof.last_write_ok {
                        log::warn!("AOF write error looks solved, Redis can write again.");
                    }
                    self.aof.last_write_ok = true;
                }
                Err(e) => {
                    log::warn!("Error writing to the AOF file: {}", crate::util::strerror(&e));
                    if self.cfg.appendfsync == AOF_FSYNC_ALWAYS {
                        log::warn!("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
                        std::process::exit(1);
                    }
                    self.aof.last_write_ok = false;
                    // Keep the data to retry.
                    self.aof.buf = buf;
                    return;
                }
            }
        }
        let now = crate::util::mstime() / 1000;
        let policy = self.cfg.appendfsync;
        if policy == AOF_FSYNC_ALWAYS {
            if let Some(f) = self.aof.file.as_ref() {
                if let Err(e) = f.sync_data() {
                    log::warn!(
                        "Can't persist AOF for fsync error when the AOF fsync policy is 'always': {}. Exiting...",
                        crate::util::strerror(&e)
                    );
                    std::process::exit(1);
                }
            }
            self.aof.last_fsync = now;
        } else if policy == AOF_FSYNC_EVERYSEC && (force || now > self.aof.last_fsync) {
            if self.cfg.no_appendfsync_on_rewrite && self.persist.child.is_some() {
                return;
            }
            if self.aof.fsyncer.is_none() {
                self.aof.fsyncer = Fsyncer::spawn();
            }
            let dup = self.aof.file.as_ref().and_then(|f| f.try_clone().ok());
            match (self.aof.fsyncer.as_ref(), dup) {
                (Some(fs), Some(d)) => {
                    if fs.pending.load(Ordering::Relaxed) > 0 && !force {
                        self.aof.delayed_fsync += 1;
                        return;
                    }
                    fs.pending.fetch_add(1, Ordering::Relaxed);
                    if fs.tx.send(d).is_err() {
                        fs.pending.fetch_sub(1, Ordering::Relaxed);
                    }
                }
                (_, Some(d)) => {
                    let _ = d.sync_data();
                }
                _ => {}
            }
            self.aof.last_fsync = now;
        }
    }

    /// Opens (creating if needed) the files at start-up
    /// (`aofOpenIfNeededOnServerStart`).
    pub fn aof_open_on_start(&mut self) {
        if self.aof.status != AofStatus::On {
            return;
        }
        let dir = self.aof_dir();
        if let Err(e) = std::fs::create_dir_all(&dir) {
            log::warn!("Can't open or create append-only dir {dir}: {}", crate::util::strerror(&e));
            std::process::exit(1);
        }
        let mut m = self.aof.manifest.clone();
        let had_incr = !m.incr.is_empty();
        if m.base.is_none() && m.incr.is_empty() {
            let base = self.new_base_name(&mut m);
            if let Err(e) = self.write_aof_base(&self.aof_path(&base)) {
                log::warn!("Can't create the AOF base file {base}: {}", crate::util::strerror(&e));
                std::process::exit(1);
            }
            log::info!("Creating AOF base file {base} on server start");
        }
        let incr = match m.incr.last() {
            Some(i) => i.name.clone(),
            None => self.new_incr_name(&mut m),
        };
        match OpenOptions::new().append(true).create(true).open(self.aof_path(&incr)) {
            Ok(f) => self.aof.file = Some(f),
            Err(e) => {
                log::warn!("Can't open the append-only file {incr}: {}", crate::util::strerror(&e));
                std::process::exit(1);
            }
        }
        if self.persist_manifest(&mut m).is_err() {
            std::process::exit(1);
        }
        self.aof.manifest = m;
        self.aof.current_size = self.aof_files_size();
        self.aof.base_size = self.aof.current_size;
        if had_incr {
            log::info!("Opening AOF incr file {incr} on server start");
        } else {
            log::info!("Creating AOF incr file {incr} on server start");
        }
    }

    /// Size of base + incr files.
    fn aof_files_size(&self) -> u64 {
        let m = &self.aof.manifest;
        m.base
            .iter()
            .chain(m.incr.iter())
            .map(|ai| std::fs::metadata(self.aof_path(&ai.name)).map(|x| x.len()).unwrap_or(0))
            .sum()
    }

    /// Writes a base file: an RDB preamble, or commands
    /// (`rewriteAppendOnlyFile`).
    pub fn write_aof_base(&self, path: &str) -> io::Result<()> {
        let tmp = format!("{path}.tmp-{}", std::process::id());
        let f = File::create(&tmp)?;
        let mut out = BufWriter::with_capacity(64 * 1024, f);
        if self.cfg.aof_use_rdb_preamble {
            let mut w = RdbWriter::new(&mut out, self.cfg.rdbchecksum, self.cfg.rdbcompression);
            crate::persist::rdb::save(self, &mut w, true)?;
            w.finish()?;
        } else {
            self.write_aof_commands(&mut out)?;
        }
        let f = out.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// The dataset as commands (rewrite without an RDB preamble).
    fn write_aof_commands<W: Write>(&self, out: &mut W) -> io::Result<()> {
        let mut buf = Vec::new();
        if self.cfg.aof_timestamp_enabled {
            buf.extend_from_slice(format!("#TS:{}\r\n", crate::util::mstime() / 1000).as_bytes());
        }
        for cmd in crate::scripting::function::load_commands(self) {
            encode_command(&mut buf, &cmd);
        }
        for (j, db) in self.dbs.iter().enumerate() {
            if db.is_empty() {
                continue;
            }
            encode_command(&mut buf, &[b"SELECT".to_vec(), j.to_string().into_bytes()]);
            for e in db.iter() {
                let key = e.key().to_vec();
                for cmd in crate::persist::types::rewrite_commands(&key, e.value()) {
                    encode_command(&mut buf, &cmd);
                }
                if e.has_expire() {
                    let when = db.get_expire(&key);
                    encode_command(&mut buf, &[b"PEXPIREAT".to_vec(), key, when.to_string().into_bytes()]);
                }
                if buf.len() > 64 * 1024 {
                    out.write_all(&buf)?;
                    buf.clear();
                }
            }
        }
        out.write_all(&buf)
    }

    /// Starts a rewrite in a fork child (`rewriteAppendOnlyFileBackground`).
    pub fn aof_rewrite_start(&mut self) -> Result<(), String> {
        if self.persist.child.is_some() {
            return Err("child running".into());
        }
        let dir = self.aof_dir();
        if let Err(e) = std::fs::create_dir_all(&dir) {
            log::warn!("Can't open or create append-only dir {dir}: {}", crate::util::strerror(&e));
            self.aof.last_rewrite_ok = false;
            return Err("dir".into());
        }
        self.aof.selected_db = -1;
        self.flush_aof(true);
        // New writes go to a new incr file from now on.
        if self.aof.status != AofStatus::Off {
            let (name, mut m) = if self.aof.status == AofStatus::WaitRewrite {
                (self.temp_incr_name(), None)
            } else {
                let mut m = self.aof.manifest.clone();
                (self.new_incr_name(&mut m), Some(m))
            };
            let f = match OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(self.aof_path(&name))
            {
                Ok(f) => f,
                Err(e) => {
                    log::warn!("Can't open the append-only file {name}: {}", crate::util::strerror(&e));
                    self.aof.last_rewrite_ok = false;
                    return Err("open".into());
                }
            };
            if let Some(m) = m.as_mut() {
                if self.persist_manifest(m).is_err() {
                    self.aof.last_rewrite_ok = false;
                    return Err("manifest".into());
                }
            }
            log::info!("Creating AOF incr file {name} on background rewrite");
            if let Some(old) = self.aof.file.replace(f) {
                let _ = old.sync_data();
            }
            if let Some(m) = m {
                self.aof.manifest = m;
            }
        }
        self.aof.rewrites += 1;
        let start = crate::util::monotonic_us();
        let pipe = crate::persist::childinfo::open_pipe();
        // SAFETY: single-threaded loop (the fsync thread holds no locks we
        // use); the child writes a file and leaves with _exit.
        match unsafe { nix::unistd::fork() } {
            Err(e) => {
                self.aof.last_rewrite_ok = false;
                log::warn!("Can't rewrite append only file in background: fork: {e}");
                Err(format!("fork: {e}"))
            }
            Ok(nix::unistd::ForkResult::Child) => {
                crate::util::log::set_role(b'C');
                let _ = crate::proctitle::set(&self.cfg, self.config_file.as_deref(), Some("redis-aof-rewrite"));
                self.cluster_close_child_fds();
                let _ = self.set_oom_score_adj(Some(crate::server::oomscore::OOM_BGCHILD));
                if let Some(p) = pipe {
                    p.into_child("AOF rewrite");
                }
                let tmp = format!("temp-rewriteaof-bg-{}.aof", std::process::id());
                let code = match self.write_aof_base(&tmp) {
                    Ok(()) => {
                        log::info!("Successfully created the temporary AOF base file {tmp}");
                        crate::persist::childinfo::report(crate::persist::childinfo::InfoType::AofCow, self.total_keys());
                        0
                    }
                    Err(e) => {
                        log::warn!("Error writing the AOF base file: {}", crate::util::strerror(&e));
                        1
                    }
                };
                // SAFETY: leave the child without running destructors.
                unsafe { libc::_exit(code) }
            }
            Ok(nix::unistd::ForkResult::Parent { child }) => {
                let pid = child.as_raw();
                self.persist.latest_fork_usec = crate::util::monotonic_us() - start;
                self.latency_sample("fork", self.persist.latest_fork_usec / 1000);
                self.persist.total_forks += 1;
                crate::ds::dict::set_can_resize(false);
                if let Some(p) = pipe {
                    let total = self.total_keys();
                    p.into_parent(&mut self.persist.child_info, total);
                }
                log::info!("Background append only file rewriting started by pid {pid}");
                self.aof.rewrite_scheduled = false;
                self.aof.rewrite_time_start = crate::util::mstime() / 1000;
                self.persist.child = Some(crate::persist::Child {
                    pid,
                    kind: crate::persist::ChildKind::Aof,
                    start_ms: crate::util::mstime(),
                    dirty_before: self.dirty.get(),
                });
                Ok(())
            }
        }
    }

    /// Installs the rewritten base (`backgroundRewriteDoneHandler`).
    pub fn aof_rewrite_done(&mut self, pid: i32, ok: bool, signal: Option<i32>) {
        let tmp = format!("temp-rewriteaof-bg-{pid}.aof");
        if ok {
            log::info!("Background AOF rewrite terminated with success");
            let mut m = self.aof.manifest.clone();
            let base = self.new_base_name(&mut m);
            let res = (|| -> Result<(), String> {
                std::fs::rename(&tmp, self.aof_path(&base)).map_err(|e| {
                    log::warn!(
                        "Error trying to rename the temporary AOF base file {tmp} into {}: {}",
                        self.aof_path(&base),
                        crate::util::strerror(&e)
                    );
                    String::new()
                })?;
                log::info!("Successfully renamed the temporary AOF base file {tmp} into {base}");
                if self.aof.status == AofStatus::WaitRewrite {
                    let t = self.temp_incr_name();
                    let incr = self.new_incr_name(&mut m);
                    std::fs::rename(self.aof_path(&t), self.aof_path(&incr)).map_err(|_| String::new())?;
                    log::info!("Successfully renamed the temporary AOF incr file {t} into {incr}");
                }
                // Every incr file but the one in use is covered by the new base.
                let keep = if self.aof.file.is_some() { 1 } else { 0 };
                while m.incr.len() > keep {
                    let mut h = m.incr.remove(0);
                    h.kind = b'h';
                    m.history.insert(0, h);
                }
                m.dirty = true;
                self.persist_manifest(&mut m).map_err(|_| String::new())
            })();
            match res {
                Ok(()) => {
                    self.aof.manifest = m;
                    if self.aof.status != AofStatus::Off {
                        self.aof.current_size = self.aof_files_size();
                        self.aof.base_size = self.aof.current_size;
                    }
                    self.aof_delete_history();
                    self.aof.last_rewrite_ok = true;
                    self.aof.consecutive_failures = 0;
                    log::info!("Background AOF rewrite finished successfully");
                    if self.aof.status == AofStatus::WaitRewrite {
                        self.aof.status = AofStatus::On;
                        // The temp incr file was renamed under the open fd.
                    }
                }
                Err(_) => {
                    self.aof.last_rewrite_ok = false;
                    self.aof.consecutive_failures += 1;
                }
            }
        } else if let Some(sig) = signal {
            if sig != libc::SIGUSR1 {
                self.aof.last_rewrite_ok = false;
                self.aof.consecutive_failures += 1;
            }
            log::warn!("Background AOF rewrite terminated by signal {sig}");
        } else {
            self.aof.last_rewrite_ok = false;
            self.aof.consecutive_failures += 1;
            log::warn!("Background AOF rewrite terminated with error");
        }
        let _ = std::fs::remove_file(&tmp);
        if self.aof.status == AofStatus::WaitRewrite {
            self.aof.buf.clear();
            let t = self.aof_path(&self.temp_incr_name());
            log::info!("Removing the temp incr aof file {} in the background", self.temp_incr_name());
            let _ = std::fs::remove_file(t);
        }
        self.aof.last_rewrite_time = (crate::util::mstime() / 1000 - self.aof.rewrite_time_start).max(0);
        self.aof.rewrite_time_start = -1;
        // Still waiting for a rewrite to switch the AOF on: try again.
        if self.aof.status == AofStatus::WaitRewrite {
            self.aof.rewrite_scheduled = true;
        }
    }

    /// Deletes history files (`aofDelHistoryFiles`).
    pub fn aof_delete_history(&mut self) {
        if self.cfg.aof_disable_auto_gc || self.aof.manifest.history.is_empty() {
            return;
        }
        for h in std::mem::take(&mut self.aof.manifest.history) {
            log::info!("Removing the history file {} in the background", h.name);
            let _ = std::fs::remove_file(self.aof_path(&h.name));
        }
        self.aof.manifest.dirty = true;
        let mut m = std::mem::take(&mut self.aof.manifest);
        let _ = self.persist_manifest(&mut m);
        self.aof.manifest = m;
    }

    /// CONFIG SET appendonly yes (`startAppendOnly`).
    pub fn aof_start(&mut self) -> Result<(), String> {
        self.aof.status = AofStatus::WaitRewrite;
        if self
            .persist
            .child
            .as_ref()
            .is_some_and(|c| c.kind != crate::persist::ChildKind::Aof)
        {
            self.aof.rewrite_scheduled = true;
            log::warn!("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
        } else if self.calls.in_exec {
            self.aof.rewrite_scheduled = true;
            log::warn!("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.");
        } else if self.aof_rewrite_start().is_err() {
            self.aof.status = AofStatus::Off;
            log::warn!("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
            return Err("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.".into());
        }
        self.aof.last_fsync = crate::util::mstime() / 1000;
        Ok(())
    }

    /// CONFIG SET appendonly no (`stopAppendOnly`).
    pub fn aof_stop(&mut self) {
        self.flush_aof(true);
        if let Some(f) = self.aof.file.take() {
            let _ = f.sync_all();
        }
        self.aof.selected_db = -1;
        self.aof.status = AofStatus::Off;
        self.aof.rewrite_scheduled = false;
        if let Some(c) = self.persist.child.as_ref().filter(|c| c.kind == crate::persist::ChildKind::Aof) {
            log::info!("Killing running AOF rewrite child: {}", c.pid);
            // Waits for it (killAppendOnlyChild), so a BGREWRITEAOF right
            // after is not refused as already in progress.
            self.kill_child();
            self.aof.rewrite_time_start = -1;
        }
        self.aof.buf.clear();
    }

    /// Flushes and fsyncs the AOF before exiting.
    pub fn aof_stop_for_shutdown(&mut self) {
        self.flush_aof(true);
        if let Some(f) = self.aof.file.as_ref() {
            let _ = f.sync_all();
        }
    }

    /// After three consecutive failed rewrites, automatic and scheduled
    /// rewrites wait 1, 2, 4... up to 60 minutes (`aofRewriteLimited`).
    /// BGREWRITEAOF resets the failure count, so it always runs.
    fn aof_rewrite_limited(&mut self) -> bool {
        const THRESHOLD: u64 = 3;
        const MAX_MINUTES: i64 = 60;
        let a = &mut self.aof;
        if a.consecutive_failures < THRESHOLD {
            a.limit_delay_minutes = 0;
            a.limit_next_time = 0;
            return false;
        }
        if a.limit_next_time != 0 {
            if self.unixtime < a.limit_next_time {
                return true;
            }
            a.limit_next_time = 0;
            return false;
        }
        a.limit_delay_minutes = if a.limit_delay_minutes == 0 {
            1
        } else {
            (a.limit_delay_minutes * 2).min(MAX_MINUTES)
        };
        a.limit_next_time = self.unixtime + a.limit_delay_minutes * 60;
        log::warn!(
            "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in {} minutes",
            a.limit_delay_minutes
        );
        true
    }

    /// Starts a scheduled or automatic rewrite (serverCron).
    pub fn aof_cron(&mut self) {
        if self.persist.child.is_none() && self.aof.rewrite_scheduled && !self.aof_rewrite_limited() {
            let _ = self.aof_rewrite_start();
        }
        if self.aof.status == AofStatus::On && self.persist.child.is_none() && self.cfg.auto_aof_rewrite_percentage > 0 {
            let base = self.aof.base_size.max(1);
            let cur = self.aof.current_size;
            if cur > self.cfg.auto_aof_rewrite_min_size as u64 {
                let growth = (cur * 100 / base).saturating_sub(100);
                if growth >= self.cfg.auto_aof_rewrite_percentage as u64 && !self.aof_rewrite_limited() {
                    log::info!("Starting automatic rewriting of AOF on {growth}% growth");
                    let _ = self.aof_rewrite_start();
                }
            }
        }
        // everysec: make sure data is not left in the buffer past a second.
        if self.aof.status != AofStatus::Off {
            self.flush_aof(false);
        }
        if let Some(fs) = self.aof.fsyncer.as_ref() {
            if fs.failed.swap(false, Ordering::Relaxed) {
                log::warn!("Fail to fsync the AOF file");
                self.aof.last_write_ok = false;
            }
        }
    }

    /// Loads the AOF at start-up (`loadAppendOnlyFiles`). Exits on error.
    /// Moves an old single-file AOF into the AOF directory as its base
    /// (`aofUpgradePrepare`). Exits on failure.
    fn aof_upgrade_prepare(&mut self, name: &str) {
        let dir = self.aof_dir();
        if let Err(e) = std::fs::create_dir_all(&dir) {
            log::warn!("Can't open or create append-only dir {dir}: {}", crate::util::strerror(&e));
            std::process::exit(1);
        }
        let mut m = std::mem::take(&mut self.aof.manifest);
        m.base = Some(AofInfo {
            name: name.to_string(),
            seq: 1,
            kind: b'b',
        });
        m.base_seq = 1;
        m.dirty = true;
        if self.persist_manifest(&mut m).is_err() {
            std::process::exit(1);
        }
        if let Err(e) = std::fs::rename(name, self.aof_path(name)) {
            log::warn!(
                "Error trying to move the old AOF file {name} into dir {dir}: {}",
                crate::util::strerror(&e)
            );
            std::process::exit(1);
        }
        log::info!("Successfully migrated an old-style AOF file ({name}) into the AOF directory ({dir}).");
        self.aof.manifest = m;
    }

    pub fn load_aof(&mut self) {
        let dir = self.aof_dir();
        let manifest_path = self.aof_path(&self.manifest_name());
        // `aofLoadManifestFromDisk`: only when the directory and the
        // manifest exist.
        self.aof.manifest = Manifest::default();
        if std::path::Path::new(&dir).is_dir() && std::path::Path::new(&manifest_path).exists() {
            let text = match std::fs::read_to_string(&manifest_path) {
                Ok(t) => t,
                Err(e) => {
                    log::warn!(
                        "Fatal error: can't open the AOF manifest file {manifest_path} for reading: {}",
                        crate::util::strerror(&e)
                    );
                    std::process::exit(1);
                }
            };
            match Manifest::parse(&text) {
                Ok(m) => self.aof.manifest = m,
                Err((ln, line, err)) => {
                    log::warn!("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
                    if ln > 0 {
                        log::warn!("Reading the manifest file, at line {ln}\n");
                        log::warn!(">>> '{line}'\n");
                    }
                    log::warn!("{err}\n");
                    std::process::exit(1);
                }
            }
        }
        // An old-style appendonly.aof in `dir` is upgraded into the AOF
        // directory when there is no directory, no manifest content, or a
        // manifest naming it as the only (base) file that was not moved yet
        // (an upgrade interrupted before the rename).
        let name = self.cfg.appendfilename.clone();
        if std::path::Path::new(&name).is_file() {
            let m = &self.aof.manifest;
            let interrupted = m.incr.is_empty()
                && m.base.as_ref().is_some_and(|b| b.name == name)
                && !std::path::Path::new(&self.aof_path(&name)).exists();
            if !std::path::Path::new(&dir).is_dir() || (m.base.is_none() && m.incr.is_empty()) || interrupted {
                self.aof_upgrade_prepare(&name);
            }
        }
        let m = self.aof.manifest.clone();
        let files: Vec<AofInfo> = m.base.iter().chain(m.incr.iter()).cloned().collect();
        if files.is_empty() {
            return;
        }
        let start = crate::util::monotonic_us();
        let mut sizes: Vec<u64> = Vec::with_capacity(files.len());
        for f in &files {
            match std::fs::metadata(self.aof_path(&f.name)) {
                Ok(md) => sizes.push(md.len()),
                Err(e) => {
                    // A file named by the manifest but missing is fatal.
                    log::warn!(
                        "Unable to obtain the AOF file {} length. stat: {}",
                        f.name,
                        crate::util::strerror(&e)
                    );
                    std::process::exit(1);
                }
            }
        }
        if sizes.iter().sum::<u64>() == 0 {
            return;
        }
        self.start_loading(sizes.iter().sum());
        let total = files.len();
        for (i, f) in files.iter().enumerate() {
            self.loading_progress.base = sizes[..i].iter().sum();
            let t0 = crate::util::monotonic_us();
            let last = i + 1 == total;
            match self.load_aof_file(&self.aof_path(&f.name), f.kind == b'b', last) {
                Ok(()) => {
                    let kind = if f.kind == b'b' { "base" } else { "incr" };
                    log::info!(
                        "DB loaded from {kind} file {}: {:.3} seconds",
                        f.name,
                        (crate::util::monotonic_us() - t0) as f64 / 1e6
                    );
                }
                Err(msg) => {
                    log::warn!("{msg}");
                    std::process::exit(1);
                }
            }
        }
        self.loading = false;
        self.aof.current_size = self.aof_files_size();
        self.aof.base_size = self.aof.current_size;
        log::info!(
            "DB loaded from append only file: {:.3} seconds",
            (crate::util::monotonic_us() - start) as f64 / 1e6
        );
    }

    /// Replays one AOF file (`loadSingleAppendOnlyFile`). The file is
    /// streamed: only the request being parsed is held in memory (a whole
    /// file in memory would double the footprint of a big AOF at start-up,
    /// and would dilute the fragmentation the active defrag measures
    /// while loading).
    pub fn load_aof_file(&mut self, path: &str, is_base: bool, is_last: bool) -> Result<(), String> {
        let read_err = |e: &io::Error| {
            format!(
                "Unrecoverable error reading the append only file {path}: {}",
                crate::util::strerror(e)
            )
        };
        let mut rd = match File::open(path) {
            Ok(f) => io::BufReader::with_capacity(AOF_READ_CHUNK, f),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(format!("The append log file {path} doesn't exist: {}", crate::util::strerror(&e)))
            }
            Err(e) => {
                return Err(format!(
                    "Fatal error: can't open the append log file {path} for reading: {}",
                    crate::util::strerror(&e)
                ))
            }
        };
        let head = io::BufRead::fill_buf(&mut rd).map_err(|e| read_err(&e))?;
        if head.is_empty() {
            return Ok(());
        }
        // File offset of buf[0].
        let mut base = 0u64;
        if head.starts_with(b"REDIS") {
            log::info!(
                "{}",
                if is_base {
                    "Reading RDB base file on AOF loading..."
                } else {
                    "Reading RDB preamble from AOF file..."
                }
            );
            let mut r = crate::persist::rdb::codec::RdbReader::new(&mut rd);
            self.loading_aof_preamble = true;
            let res = crate::persist::rdb::load(self, &mut r);
            self.loading_aof_preamble = false;
            if res.is_err() {
                return Err(format!("Error reading the RDB base file {path}, AOF loading aborted"));
            }
            base = r.read;
        }
        // Replay the commands with a fake client.
        let mut fake = Client::new(crate::client::AOF_CLIENT_ID, usize::MAX, None, "", self.unixtime);
        fake.authenticated = true;
        fake.user = None;
        let mut parser = RequestParser::new();
        let lim = ParseLimits {
            proto_max_bulk_len: i64::MAX,
            auth_required: false,
            is_master: true,
        };
        let mut buf: Vec<u8> = Vec::new();
        let mut pos = 0usize;
        // Wanted bytes beyond the buffer's end before parsing goes on (0:
        // parse what is there).
        let mut want = 1usize;
        let mut last_valid = base;
        let mut in_multi = false;
        // DEBUG's key-load-delay applies per command here too (tests slow
        // loading down with it, e.g. to see the active defrag at work).
        let delay = self.cfg.key_load_delay;
        let mut loops = 0u64;
        loop {
            if want > 0 {
                // Drop what was replayed; keep the request in progress.
                let keep = if parser.in_progress() { parser.start } else { pos };
                if keep > 0 {
                    buf.drain(..keep);
                    if parser.in_progress() {
                        parser.shift(keep);
                    }
                    pos -= keep;
                    base += keep as u64;
                }
                let old = buf.len();
                buf.resize(old + want.max(AOF_READ_CHUNK), 0);
                let n = loop {
                    match rd.read(&mut buf[old..]) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(read_err(&e)),
                    }
                };
                buf.truncate(old + n);
                if n == 0 {
                    break;
                }
                want = 0;
            }
            if pos >= buf.len() {
                want = 1;
                continue;
            }
            if !parser.in_progress() && buf[pos] != b'*' {
                if buf[pos] == b'#' {
                    // Annotation line (aof-timestamp-enabled).
                    match buf[pos..].iter().position(|&c| c == b'\n') {
                        Some(n) => {
                            pos += n + 1;
                            last_valid = base + pos as u64;
                        }
                        None => want = 1,
                    }
                    continue;
                }
                return Err(format!("Bad file format reading the append only file {path}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"));
            }
            match parser.parse(&buf, &mut pos, &lim) {
                Ok(Parsed::Request) => {
                    let argv: Vec<&[u8]> = parser.args.iter().map(|&(s, l)| &buf[s..s + l]).collect();
                    let Some(cmd) = self.cmds.lookup(&argv) else {
                        return Err(format!(
                            "Unknown command '{}' reading the append only file {path}",
                            String::from_utf8_lossy(argv[0])
                        ));
                    };
                    if cmd.kind == Kind::Multi {
                        in_multi = true;
                    }
                    if fake.has(crate::client::flags::MULTI) && !matches!(cmd.kind, Kind::Exec | Kind::Multi) {
                        self.queue_multi_command(&mut fake, cmd, &argv, cmd.flags);
                    } else {
                        self.call(&mut fake, cmd, &argv);
                    }
                    fake.reply.buf.clear();
                    fake.reply.sent = 0;
                    if cmd.kind == Kind::Exec {
                        in_multi = false;
                    }
                    if !in_multi {
                        last_valid = base + pos as u64;
                    }
                    if delay != 0 {
                        crate::persist::rdb::debug_delay(delay);
                    }
                    self.loading_progress_at(base + pos as u64);
                    // Like Redis, serve events every 1024 commands too, so
                    // the blocked cron's slices stay short.
                    loops += 1;
                    if loops.is_multiple_of(1024)
                        && self.loading
                        && self.repl.link.transfer.is_none()
                        && self.repl.link.master_key().is_none()
                    {
                        self.process_events_while_blocked();
                    }
                }
                Ok(Parsed::Empty) => {}
                Ok(Parsed::Incomplete { reserve }) => want = reserve.max(1),
                Err(_) => {
                    return Err(format!("Bad file format reading the append only file {path}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"))
                }
            }
        }
        if pos < buf.len() || parser.in_progress() || in_multi {
            // Truncated tail.
            if is_last && self.cfg.aof_load_truncated {
                log::warn!("!!! Warning: short read while loading the AOF file {path}!!!");
                log::warn!("!!! Truncating the AOF {path} at offset {last_valid} !!!");
                if let Ok(f) = OpenOptions::new().write(true).open(path) {
                    let _ = f.set_len(last_valid);
                }
                if in_multi {
                    log::warn!("Revert incomplete MULTI/EXEC transaction in AOF file {path}");
                    fake.mstate = Default::default();
                }
                log::warn!("AOF {path} loaded anyway because aof-load-truncated is enabled");
            } else if !is_last {
                return Err("Fatal error: the truncated file is not the last file".into());
            } else {
                return Err(format!("Unexpected end of file reading the append only file {path}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."));
            }
        }
        Ok(())
    }
}

/// Bytes read from an AOF at a time while loading.
const AOF_READ_CHUNK: usize = 256 << 10;

/// CONFIG SET aof-disable-auto-gc (`updateAofAutoGCEnabled`): turning
/// the garbage collection back on removes the history files at once.
pub fn apply_auto_gc(srv: &mut Server) -> Result<(), String> {
    if !srv.cfg.aof_disable_auto_gc {
        srv.aof_delete_history();
    }
    Ok(())
}

/// `BGREWRITEAOF`
pub fn bgrewriteaof_command(ctx: &mut Ctx) -> CmdResult {
    if ctx
        .srv
        .persist
        .child
        .as_ref()
        .is_some_and(|c| c.kind == crate::persist::ChildKind::Aof)
    {
        return Err(Error::err("ERR Background append only file rewriting already in progress"));
    }
    if ctx.srv.persist.child.is_some() || ctx.srv.calls.in_exec {
        ctx.srv.aof.rewrite_scheduled = true;
        ctx.srv.aof.consecutive_failures = 0;
        ctx.c.reply.status(b"Background append only file rewriting scheduled");
        return Ok(());
    }
    match ctx.srv.aof_rewrite_start() {
        Ok(()) => {
            ctx.c.reply.status(b"Background append only file rewriting started");
            Ok(())
        }
        Err(_) => Err(Error::err(
            "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.",
        )),
    }
}

/// The apply hook of `appendonly`.
pub fn apply_appendonly(srv: &mut Server) -> Result<(), String> {
    if srv.cfg.appendonly && srv.aof.status == AofStatus::Off {
        srv.aof_start()
    } else if !srv.cfg.appendonly && srv.aof.status != AofStatus::Off {
        srv.aof_stop();
        Ok(())
    } else {
        Ok(())
    }
}
