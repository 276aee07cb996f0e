//! The change hook against a shadow model of the keyspace.
//!
//! Random command sequences over every type, plus RENAME, MOVE, COPY,
//! SWAPDB, FLUSHDB/FLUSHALL, RESTORE, DEBUG RELOAD, lazy and active expiry
//! and eviction, run through the real command path with a recorder on the
//! hook. For every step the model predicts the changes (which key, what
//! kind, which events) and the test checks that the hook reported each
//! exactly once; after every step the model and the real keyspace must
//! hold the same keys, types, TTL flags and values.
//!
//! One allowance, deliberate: a string command that modifies a value in
//! place (APPEND, INCR) may first re-encode it, which Redis does with
//! `dbOverwrite` too; that shows up as a `Replaced` before its `Written`.

use super::change::{DbChange, Recorded, RecordedKind, Removal};
use crate::client::Client;
use crate::object::ValueType;
use crate::server::Server;
use crate::util::test_rng::Rng;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

// ------------------------------------------------------------ the model

#[derive(Clone, Debug, PartialEq)]
enum V {
    Str(Vec<u8>),
    List(VecDeque<Vec<u8>>),
    Set(BTreeSet<Vec<u8>>),
    Hash(BTreeMap<Vec<u8>, Vec<u8>>),
    ZSet(BTreeMap<Vec<u8>, i64>),
    /// Entry IDs, oldest first.
    Stream(Vec<Vec<u8>>),
}

#[derive(Clone, Debug, PartialEq)]
struct Entry {
    v: V,
    ttl: bool,
}

type DbModel = BTreeMap<Vec<u8>, Entry>;

/// What one step is expected to report.
#[derive(Default)]
struct Expect {
    keys: Vec<(usize, Vec<u8>, RecordedKind)>,
    dbs: Vec<DbChange>,
    /// Keys where a re-encoding `Replaced` may precede the `Written`.
    may_reencode: Vec<(usize, Vec<u8>)>,
    /// The command must fail (and change nothing).
    error: bool,
}

impl Expect {
    fn created(&mut self, db: usize, k: &[u8]) {
        self.keys.push((db, k.to_vec(), RecordedKind::Created));
    }
    fn replaced(&mut self, db: usize, k: &[u8]) {
        self.keys.push((db, k.to_vec(), RecordedKind::Replaced));
    }
    fn removed(&mut self, db: usize, k: &[u8], why: Removal) {
        self.keys.push((db, k.to_vec(), RecordedKind::Removed(why)));
    }
    fn written(&mut self, db: usize, k: &[u8], events: &[&'static str]) {
        self.keys.push((db, k.to_vec(), RecordedKind::Written(events.to_vec())));
    }
    /// `setKey`: Replaced if it existed, else Created.
    fn stored(&mut self, db: usize, k: &[u8], existed: bool) {
        if existed {
            self.replaced(db, k)
        } else {
            self.created(db, k)
        }
    }
    fn error() -> Expect {
        Expect {
            error: true,
            ..Default::default()
        }
    }
}

// ------------------------------------------------------- the harness

/// A RESP2 reply, parsed.
#[derive(Clone, Debug, PartialEq)]
enum Reply {
    Status(Vec<u8>),
    Error(Vec<u8>),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

fn parse_reply(b: &[u8], pos: &mut usize) -> Reply {
    let line_end = b[*pos..].windows(2).position(|w| w == b"\r\n").expect("reply line") + *pos;
    let t = b[*pos];
    let line = b[*pos + 1..line_end].to_vec();
    *pos = line_end + 2;
    let num = || String::from_utf8_lossy(&line).parse::<i64>().expect("reply number");
    match t {
        b'+' => Reply::Status(line),
        b'-' => Reply::Error(line),
        b':' => Reply::Int(num()),
        b'$' => {
            let n = num();
            if n < 0 {
                return Reply::Bulk(None);
            }
            let v = b[*pos..*pos + n as usize].to_vec();
            *pos += n as usize + 2;
            Reply::Bulk(Some(v))
        }
        b'*' => {
            let n = num();
            if n < 0 {
                return Reply::Array(None);
            }
            Reply::Array(Some((0..n).map(|_| parse_reply(b, pos)).collect()))
        }
        other => panic!("unexpected reply type {}", other as char),
    }
}

struct Harness {
    srv: Server,
    c: Box<Client>,
    model: [DbModel; 2],
    rng: Rng,
    /// Which kinds of change the run has seen (the test asserts it saw
    /// them all, so it cannot pass by exercising nothing).
    seen: BTreeSet<String>,
    _dir: TempDir,
    /// SAVE and DEBUG RELOAD write `temp-<pid>.rdb` in the working directory.
    _rdb: std::sync::MutexGuard<'static, ()>,
}

/// Model updates that need the reply (server-chosen members and IDs).
type AfterReply = Box<dyn FnOnce(&mut Harness, &Reply)>;

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const KEYS: [&[u8]; 5] = [b"a", b"b", b"c", b"d", b"e"];
const MEMBERS: [&[u8]; 4] = [b"1", b"2", b"x", b"y"];
const HVALS: [&[u8]; 3] = [b"1", b"7", b"z"];

impl Harness {
    fn new(seed: u64) -> Harness {
        let reg: &'static crate::commands::Registry = Box::leak(Box::new(crate::commands::Registry::build()));
        let mut cfg = crate::config::Config::defaults();
        cfg.enable_debug_command = crate::config::enums::PROTECTED_ACTION_YES;
        // Small encodings switch over quickly, so conversions are covered.
        cfg.list_max_listpack_size = 3;
        cfg.set_max_intset_entries = 2;
        cfg.hash_max_listpack_entries = 2;
        cfg.zset_max_listpack_entries = 2;
        let dir = std::env::temp_dir().join(format!("oxidis-model-{}-{seed}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        cfg.dbfilename = dir.join("dump.rdb").to_string_lossy().into_owned();
        cfg.special.save.clear();
        let mut srv = Server::new(cfg, reg, None, String::new());
        srv.update_cached_time();
        let id = srv.next_client_id;
        srv.next_client_id += 1;
        let key = srv.clients.insert(None);
        srv.client_by_id.insert(id, key);
        let mut c = Box::new(Client::new(id, key, None, "", srv.unixtime));
        c.authenticated = true;
        Harness {
            srv,
            c,
            model: [DbModel::new(), DbModel::new()],
            rng: Rng::new(seed),
            seen: BTreeSet::new(),
            _dir: TempDir(dir),
            _rdb: crate::util::test_rng::lock_rdb_temp_file(),
        }
    }

    /// Runs one command through the real input path; returns its reply.
    fn run(&mut self, argv: &[&[u8]]) -> Reply {
        let mut req = format!("*{}\r\n", argv.len()).into_bytes();
        for a in argv {
            req.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            req.extend_from_slice(a);
            req.extend_from_slice(b"\r\n");
        }
        self.c.reply.buf.clear();
        self.c.reply.sent = 0;
        self.c.querybuf.extend_from_slice(&req);
        self.srv.process_input(&mut self.c);
        let mut pos = 0;
        parse_reply(&self.c.reply.buf, &mut pos)
    }

    fn cur(&self) -> usize {
        self.c.db
    }

    fn get(&self, db: usize, k: &[u8]) -> Option<&Entry> {
        self.model[db].get(k)
    }

    fn recording(&mut self, on: bool) {
        self.srv.changes.recorder = on.then(Vec::new);
    }

    fn take_recorded(&mut self) -> Vec<Recorded> {
        self.srv.changes.recorder.take().unwrap_or_default()
    }

    /// The real keyspace, read back into the model's shape.
    fn real_state(&mut self) -> [DbModel; 2] {
        for db in 2..self.srv.dbs.len() {
            assert!(self.srv.dbs[db].is_empty(), "db {db} should be empty");
        }
        let saved_db = self.c.db;
        let mut out = [DbModel::new(), DbModel::new()];
        for (db, out) in out.iter_mut().enumerate() {
            let keys: Vec<(Vec<u8>, ValueType, bool)> = self.srv.dbs[db]
                .iter()
                .map(|e| (e.key().to_vec(), e.value().value_type(), e.has_expire()))
                .collect();
            self.c.db = db;
            for (k, t, ttl) in keys {
                let v = self.read_value(&k, t);
                out.insert(k, Entry { v, ttl });
            }
        }
        self.c.db = saved_db;
        out
    }

    fn read_value(&mut self, k: &[u8], t: ValueType) -> V {
        let items = |r: Reply| -> Vec<Vec<u8>> {
            match r {
                Reply::Array(Some(v)) => v
                    .into_iter()
                    .map(|x| match x {
                        Reply::Bulk(Some(b)) => b,
                        Reply::Array(Some(mut entry)) => match entry.swap_remove(0) {
                            Reply::Bulk(Some(id)) => id,
                            other => panic!("stream entry id {other:?}"),
                        },
                        other => panic!("element {other:?}"),
                    })
                    .collect(),
                other => panic!("array reply expected, got {other:?}"),
            }
        };
        match t {
            ValueType::String => match self.run(&[b"GET", k]) {
                Reply::Bulk(Some(b)) => V::Str(b),
                other => panic!("GET {other:?}"),
            },
            ValueType::List => V::List(items(self.run(&[b"LRANGE", k, b"0", b"-1"])).into()),
            ValueType::Set => V::Set(items(self.run(&[b"SMEMBERS", k])).into_iter().collect()),
            ValueType::Hash => {
                let flat = items(self.run(&[b"HGETALL", k]));
                V::Hash(flat.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect())
            }
            ValueType::ZSet => {
                let flat = items(self.run(&[b"ZRANGE", k, b"0", b"-1", b"WITHSCORES"]));
                V::ZSet(
                    flat.chunks(2)
                        .map(|p| (p[0].clone(), String::from_utf8_lossy(&p[1]).parse().expect("integer score")))
                        .collect(),
                )
            }
            ValueType::Stream => V::Stream(items(self.run(&[b"XRANGE", k, b"-", b"+"]))),
            ValueType::Module(k) => panic!("the model makes no {} values", k.type_name()),
        }
    }

    fn check_state(&mut self, what: &str) {
        let real = self.real_state();
        assert_eq!(real, self.model, "keyspace differs from the model after {what}");
    }

    /// Compares what the hook reported with what the model expects: per
    /// key, the same changes in the same order, each exactly once; the
    /// database-wide changes in order.
    fn check_changes(&mut self, what: &str, recorded: &[Recorded], exp: &Expect) {
        for r in recorded {
            let label = match r {
                Recorded::Key {
                    change: RecordedKind::Written(_),
                    ..
                } => "Written".to_string(),
                Recorded::Key { change, .. } => format!("{change:?}"),
                Recorded::Db(d) => format!("Db:{}", format!("{d:?}").split('(').next().unwrap_or_default()),
            };
            self.seen.insert(label);
        }
        let mut got: HashMap<(usize, Vec<u8>), Vec<RecordedKind>> = HashMap::new();
        let mut got_dbs = Vec::new();
        for r in recorded {
            match r {
                Recorded::Key { db, key, change } => got.entry((*db, key.clone())).or_default().push(change.clone()),
                Recorded::Db(d) => got_dbs.push(*d),
            }
        }
        let mut want: HashMap<(usize, Vec<u8>), Vec<RecordedKind>> = HashMap::new();
        for (db, key, change) in &exp.keys {
            want.entry((*db, key.clone())).or_default().push(change.clone());
        }
        for (db, key) in &exp.may_reencode {
            if let Some(v) = got.get_mut(&(*db, key.clone())) {
                let first_of_write = v.iter().position(|c| matches!(c, RecordedKind::Written(_)));
                if let Some(i) = first_of_write {
                    if i > 0 && v[i - 1] == RecordedKind::Replaced && !want[&(*db, key.clone())].contains(&RecordedKind::Replaced) {
                        v.remove(i - 1);
                    }
                }
            }
        }
        assert_eq!(got, want, "key changes of {what}");
        assert_eq!(got_dbs, exp.dbs, "database changes of {what}");
    }
}

fn b(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

// ------------------------------------------------------------- steps

impl Harness {
    /// One random step: picks a command, predicts its changes, runs it,
    /// checks the hook and updates the model.
    fn step(&mut self, n: usize) {
        let db = self.cur();
        let k = self.rng.pick(&KEYS).to_vec();
        let k2 = self.rng.pick(&KEYS).to_vec();
        let m = self.rng.pick(&MEMBERS).to_vec();
        let op = self.rng.below(46);
        let mut exp = Expect::default();
        let existing = self.get(db, &k).cloned();
        let argv: Vec<Vec<u8>>;
        // Post-processing that needs the reply (server-chosen results).
        let mut from_reply: Option<AfterReply> = None;
        match op {
            // ---- strings
            0 | 1 => {
                let ex = self.rng.chance(30);
                argv = if ex {
                    vec![b("SET"), k.clone(), m.clone(), b("EX"), b("100")]
                } else {
                    vec![b("SET"), k.clone(), m.clone()]
                };
                exp.stored(db, &k, existing.is_some());
                exp.written(db, &k, if ex { &["set", "expire"] } else { &["set"] });
                self.model[db].insert(
                    k.clone(),
                    Entry {
                        v: V::Str(m.clone()),
                        ttl: ex,
                    },
                );
            }
            2 => {
                argv = vec![b("APPEND"), k.clone(), m.clone()];
                match &existing {
                    Some(Entry { v: V::Str(s), ttl }) => {
                        let mut s = s.clone();
                        s.extend_from_slice(&m);
                        exp.written(db, &k, &["append"]);
                        exp.may_reencode.push((db, k.clone()));
                        let ttl = *ttl;
                        self.model[db].insert(k.clone(), Entry { v: V::Str(s), ttl });
                    }
                    Some(_) => exp = Expect::error(),
                    None => {
                        exp.created(db, &k);
                        exp.written(db, &k, &["append"]);
                        self.model[db].insert(
                            k.clone(),
                            Entry {
                                v: V::Str(m.clone()),
                                ttl: false,
                            },
                        );
                    }
                }
            }
            3 => {
                argv = vec![b("INCR"), k.clone()];
                match &existing {
                    Some(Entry { v: V::Str(s), ttl }) => match String::from_utf8_lossy(s).parse::<i64>() {
                        Ok(n) if s.first() != Some(&b'0') || s.len() == 1 => {
                            exp.written(db, &k, &["incrby"]);
                            exp.may_reencode.push((db, k.clone()));
                            let ttl = *ttl;
                            self.model[db].insert(
                                k.clone(),
                                Entry {
                                    v: V::Str(b(&(n + 1).to_string())),
                                    ttl,
                                },
                            );
                        }
                        _ => exp = Expect::error(),
                    },
                    Some(_) => exp = Expect::error(),
                    None => {
                        exp.created(db, &k);
                        exp.written(db, &k, &["incrby"]);
                        self.model[db].insert(
                            k.clone(),
                            Entry {
                                v: V::Str(b("1")),
                                ttl: false,
                            },
                        );
                    }
                }
            }
            4 => {
                argv = vec![b("GETDEL"), k.clone()];
                match &existing {
                    Some(Entry { v: V::Str(_), .. }) => {
                        exp.removed(db, &k, Removal::Deleted);
                        exp.written(db, &k, &["del"]);
                        self.model[db].remove(&k);
                    }
                    Some(_) => exp = Expect::error(),
                    None => {}
                }
            }
            // ---- keyspace
            5 | 6 => {
                argv = vec![b(if op == 5 { "DEL" } else { "UNLINK" }), k.clone(), k2.clone()];
                for key in [&k, &k2] {
                    if self.model[db].remove(key).is_some() {
                        exp.removed(db, key, Removal::Deleted);
                        exp.written(db, key, &["del"]);
                    }
                }
            }
            7 => {
                argv = vec![b("EXPIRE"), k.clone(), b("100")];
                if let Some(e) = self.model[db].get_mut(&k) {
                    e.ttl = true;
                    exp.written(db, &k, &["expire"]);
                }
            }
            8 => {
                argv = vec![b("PERSIST"), k.clone()];
                if let Some(e) = self.model[db].get_mut(&k) {
                    if e.ttl {
                        e.ttl = false;
                        exp.written(db, &k, &["persist"]);
                    }
                }
            }
            9 | 10 => {
                let nx = op == 10;
                argv = vec![b(if nx { "RENAMENX" } else { "RENAME" }), k.clone(), k2.clone()];
                match existing {
                    None => exp = Expect::error(),
                    Some(_) if k == k2 => {}
                    Some(_) if nx && self.get(db, &k2).is_some() => {}
                    Some(e) => {
                        if self.model[db].remove(&k2).is_some() {
                            exp.removed(db, &k2, Removal::Deleted);
                        }
                        self.model[db].remove(&k);
                        exp.created(db, &k2);
                        exp.removed(db, &k, Removal::Renamed);
                        exp.written(db, &k, &["rename_from"]);
                        exp.written(db, &k2, &["rename_to"]);
                        self.model[db].insert(k2.clone(), e);
                    }
                }
            }
            11 => {
                let other = 1 - db;
                argv = vec![b("MOVE"), k.clone(), other.to_string().into_bytes()];
                if let Some(e) = existing {
                    if self.get(other, &k).is_none() {
                        self.model[db].remove(&k);
                        exp.created(other, &k);
                        exp.removed(db, &k, Removal::Moved);
                        exp.written(db, &k, &["move_from"]);
                        exp.written(other, &k, &["move_to"]);
                        self.model[other].insert(k.clone(), e);
                    }
                }
            }
            12 | 13 => {
                let to = if op == 13 { 1 - db } else { db };
                let replace = self.rng.chance(50);
                let mut a = vec![b("COPY"), k.clone(), k2.clone(), b("DB"), to.to_string().into_bytes()];
                if replace {
                    a.push(b("REPLACE"));
                }
                argv = a;
                if to == db && k == k2 {
                    exp = Expect::error();
                } else if let Some(e) = existing {
                    let dst_exists = self.get(to, &k2).is_some();
                    if !dst_exists || replace {
                        if dst_exists {
                            exp.removed(to, &k2, Removal::Deleted);
                        }
                        exp.created(to, &k2);
                        exp.written(to, &k2, &["copy_to"]);
                        self.model[to].insert(k2.clone(), e);
                    }
                }
            }
            14 => {
                argv = vec![b("SWAPDB"), b("0"), b("1")];
                exp.dbs = vec![DbChange::Swapping(0, 1), DbChange::Replaced(0), DbChange::Replaced(1)];
                self.model.swap(0, 1);
            }
            15 => {
                if self.rng.chance(50) {
                    argv = vec![b("FLUSHDB"), if self.rng.chance(50) { b("ASYNC") } else { b("SYNC") }];
                    exp.dbs = vec![DbChange::Emptying(Some(db))];
                    self.model[db].clear();
                } else {
                    argv = vec![b("FLUSHALL")];
                    exp.dbs = vec![DbChange::Emptying(None)];
                    self.model = [DbModel::new(), DbModel::new()];
                }
            }
            16 => {
                let to = self.rng.index(2);
                argv = vec![b("SELECT"), to.to_string().into_bytes()];
            }
            // ---- lists
            17 | 18 => {
                let left = op == 17;
                let vals = [m.clone(), self.rng.pick(&MEMBERS).to_vec()];
                argv = vec![b(if left { "LPUSH" } else { "RPUSH" }), k.clone(), vals[0].clone(), vals[1].clone()];
                match &existing {
                    Some(e) if !matches!(e.v, V::List(_)) => exp = Expect::error(),
                    _ => {
                        if existing.is_none() {
                            exp.created(db, &k);
                            self.model[db].insert(
                                k.clone(),
                                Entry {
                                    v: V::List(VecDeque::new()),
                                    ttl: false,
                                },
                            );
                        }
                        exp.written(db, &k, &[if left { "lpush" } else { "rpush" }]);
                        if let Some(Entry { v: V::List(l), .. }) = self.model[db].get_mut(&k) {
                            for v in vals {
                                if left {
                                    l.push_front(v)
                                } else {
                                    l.push_back(v)
                                }
                            }
                        }
                    }
                }
            }
            19 | 20 => {
                let left = op == 19;
                let count = 1 + self.rng.below(3) as usize;
                argv = vec![b(if left { "LPOP" } else { "RPOP" }), k.clone(), count.to_string().into_bytes()];
                match &existing {
                    Some(Entry { v: V::List(l), .. }) => {
                        let mut l = l.clone();
                        for _ in 0..count.min(l.len()) {
                            if left {
                                l.pop_front();
                            } else {
                                l.pop_back();
                            }
                        }
                        let ev = if left { "lpop" } else { "rpop" };
                        self.list_result(db, &k, l, &[ev], &mut exp);
                    }
                    Some(_) => exp = Expect::error(),
                    None => {}
                }
            }
            21 => {
                argv = vec![b("LMOVE"), k.clone(), k2.clone(), b("LEFT"), b("RIGHT")];
                let dst = self.get(db, &k2).cloned();
                match (&existing, &dst) {
                    (Some(e), _) if !matches!(e.v, V::List(_)) => exp = Expect::error(),
                    (Some(_), Some(d)) if !matches!(d.v, V::List(_)) => exp = Expect::error(),
                    (Some(Entry { v: V::List(l), ttl }), _) => {
                        let mut l = l.clone();
                        let moved = l.pop_front().expect("lists are never empty");
                        if k == k2 {
                            l.push_back(moved);
                            exp.written(db, &k, &["rpush"]);
                            exp.written(db, &k, &["lpop"]);
                            self.model[db].insert(k.clone(), Entry { v: V::List(l), ttl: *ttl });
                        } else {
                            let mut d = match dst {
                                Some(Entry { v: V::List(d), ttl }) => (d, ttl),
                                _ => {
                                    exp.created(db, &k2);
                                    (VecDeque::new(), false)
                                }
                            };
                            d.0.push_back(moved);
                            exp.written(db, &k2, &["rpush"]);
                            self.model[db].insert(k2.clone(), Entry { v: V::List(d.0), ttl: d.1 });
                            self.list_result(db, &k, l, &["lpop"], &mut exp);
                        }
                    }
                    _ => {}
                }
            }
            22 => {
                let start = self.rng.below(3) as i64 - 1;
                let stop = self.rng.below(3) as i64 - 1;
                argv = vec![b("LTRIM"), k.clone(), start.to_string().into_bytes(), stop.to_string().into_bytes()];
                match &existing {
                    Some(Entry { v: V::List(l), .. }) => {
                        let len = l.len() as i64;
                        let s = if start < 0 { (len + start).max(0) } else { start };
                        let e = if stop < 0 { len + stop } else { stop.min(len - 1) };
                        let kept: VecDeque<Vec<u8>> = if s > e || s >= len {
                            VecDeque::new()
                        } else {
                            l.iter().skip(s as usize).take((e - s + 1) as usize).cloned().collect()
                        };
                        self.list_result(db, &k, kept, &["ltrim"], &mut exp);
                    }
                    Some(_) => exp = Expect::error(),
                    None => {}
                }
            }
            23 => {
                let count = self.rng.below(3) as i64 - 1;
                argv = vec![b("LREM"), k.clone(), count.to_string().into_bytes(), m.clone()];
                match &existing {
                    Some(Entry { v: V::List(l), .. }) => {
                        let mut l = l.clone();
                        let before = l.len();
                        let limit = if count == 0 { usize::MAX } else { count.unsigned_abs() as usize };
                        let mut removed = 0;
                        if count >= 0 {
                            let mut i = 0;
                            while i < l.len() && removed < limit {
                                if l[i] == m {
                                    l.remove(i);
                                    removed += 1;
                                } else {
                                    i += 1;
                                }
                            }
                        } else {
                            let mut i = l.len();
                            while i > 0 && removed < limit {
                                i -= 1;
                                if l[i] == m {
                                    l.remove(i);
                                    removed += 1;
                                }
                            }
                        }
                        if l.len() != before {
                            self.list_result(db, &k, l, &["lrem"], &mut exp);
                        }
                    }
                    Some(_) => exp = Expect::error(),
                    None => {}
                }
            }
            // ---- sets
            24 => {
                argv = vec![b("SADD"), k.clone(), m.clone()];
                match &existing {
                    Some(Entry { v: V::Set(s), .. }) => {
                        if !s.contains(&m) {
                            exp.written(db, &k, &["sadd"]);
                            self.set_mut(db, &k).insert(m.clone());
                        }
                    }
                    Some(_) => exp = Expect::error(),
                    None => {
                        exp.created(db, &k);
                        exp.written(db, &k, &["sadd"]);
                        self.model[db].insert(
                            k.clone(),
                            Entry {
                                v: V::Set([m.clone()].into()),
                                ttl: false,
                            },
                        );
                    }
                }
            }
            25 => {
                argv = vec![b("SREM"), k.clone(), m.clone()];
                match &existing {
                    Some(Entry { v: V::Set(s), .. }) if s.contains(&m) => {
                        let mut s = s.clone();
                        s.remove(&m);
                        self.collection_result(db, &k, s.is_empty(), "srem", &mut exp);
                        if !s.is_empty() {
                            *self.set_mut(db, &k) = s;
                        }
                    }
                    Some(Entry { v: V::Set(_), .. }) => {}
                    Some(_) => exp = Expect::error(),
                    None => {}
                }
            }
            26 => {
                argv = vec![b("SPOP"), k.clone()];
                match &existing {
                    Some(Entry { v: V::Set(s), .. }) => {
                        let emptied = s.len() == 1;
                        self.collection_result(db, &k, emptied, "spop", &mut exp);
                        if !emptied {
                            let key = k.clone();
                            from_reply = Some(Box::new(move |h: &mut Harness, r: &Reply| {
                                let Reply::Bulk(Some(m)) = r else { panic!("SPOP reply {r:?}") };
                                assert!(h.set_mut(db, &key).remove(m), "SPOP popped a non-member");
                            }));
                        }
                    }
                    Some(_) => exp = Expect::error(),
                    None => {}
                }
            }
            27 => {
                argv = vec![b("SMOVE"), k.clone(), k2.clone(), m.clone()];
                let dst = self.get(db, &k2).cloned();
                match (&existing, &dst) {
                    // A missing source answers 0 before any type check.
                    (None, _) => {}
                    (Some(e), _) if !matches!(e.v, V::Set(_)) => exp = Expect::error(),
                    (_, Some(d)) if !matches!(d.v, V::Set(_)) => exp = Expect::error(),
                    (Some(Entry { v: V::Set(s), .. }), _) if s.contains(&m) && k != k2 => {
                        let mut s = s.clone();
                        s.remove(&m);
                        self.collection_result(db, &k, s.is_empty(), "srem", &mut exp);
                        if !s.is_empty() {
                            *self.set_mut(db, &k) = s;
                        }
                        match dst {
                            Some(Entry { v: V::Set(d), .. }) => {
                                if !d.contains(&m) {
                                    exp.written(db, &k2, &["sadd"]);
                                    self.set_mut(db, &k2).insert(m.clone());
                                }
                            }
                            _ => {
                                exp.created(db, &k2);
                                exp.written(db, &k2, &["sadd"]);
                                self.model[db].insert(
                                    k2.clone(),
                                    Entry {
                                        v: V::Set([m.clone()].into()),
                                        ttl: false,
                                    },
                                );
                            }
                        }
                    }
                    _ => {}
                }
            }
            28 | 29 => {
                let union = op == 29;
                let src2 = self.rng.pick(&KEYS).to_vec();
                argv = vec![
                    b(if union { "SUNIONSTORE" } else { "SINTERSTORE" }),
                    k2.clone(),
                    k.clone(),
                    src2.clone(),
                ];
                let sets: Option<Vec<Option<BTreeSet<Vec<u8>>>>> = [&k, &src2]
                    .iter()
                    .map(|key| match self.get(db, key) {
                        None => Some(None),
                        Some(Entry { v: V::Set(s), .. }) => Some(Some(s.clone())),
                        Some(_) => None,
                    })
                    .collect();
                match sets {
                    None => exp = Expect::error(),
                    Some(sets) => {
                        let result: BTreeSet<Vec<u8>> = if union {
                            sets.iter().flatten().flatten().cloned().collect()
                        } else if sets.iter().any(|s| s.is_none()) {
                            BTreeSet::new()
                        } else {
                            let (a, b2) = (sets[0].clone().unwrap_or_default(), sets[1].clone().unwrap_or_default());
                            a.intersection(&b2).cloned().collect()
                        };
                        let ev = if union { "sunionstore" } else { "sinterstore" };
                        self.store_result(db, &k2, (!result.is_empty()).then_some(V::Set(result)), ev, &mut exp);
                    }
                }
            }
            // ---- hashes
            30 => {
                let v = self.rng.pick(&HVALS).to_vec();
                argv = vec![b("HSET"), k.clone(), m.clone(), v.clone()];
                match &existing {
                    Some(Entry { v: V::Hash(_), .. }) | None => {
                        if existing.is_none() {
                            exp.created(db, &k);
                            self.model[db].insert(
                                k.clone(),
                                Entry {
                                    v: V::Hash(BTreeMap::new()),
                                    ttl: false,
                                },
                            );
                        }
                        exp.written(db, &k, &["hset"]);
                        if let Some(Entry { v: V::Hash(h), .. }) = self.model[db].get_mut(&k) {
                            h.insert(m.clone(), v);
                        }
                    }
                    Some(_) => exp = Expect::error(),
                }
            }
            31 => {
                argv = vec![b("HDEL"), k.clone(), m.clone()];
                match &existing {
                    Some(Entry { v: V::Hash(h), ttl }) if h.contains_key(&m) => {
                        let mut h = h.clone();
                        h.remove(&m);
                        self.collection_result(db, &k, h.is_empty(), "hdel", &mut exp);
                        if !h.is_empty() {
                            self.model[db].insert(k.clone(), Entry { v: V::Hash(h), ttl: *ttl });
                        }
                    }
                    Some(Entry { v: V::Hash(_), .. }) => {}
                    Some(_) => exp = Expect::error(),
                    None => {}
                }
            }
            32 => {
                argv = vec![b("HINCRBY"), k.clone(), m.clone(), b("2")];
                match &existing {
                    Some(Entry { v: V::Hash(h), .. }) => match h.get(&m).map(|v| String::from_utf8_lossy(v).parse::<i64>()) {
                        Some(Err(_)) => exp = Expect::error(),
                        cur => {
                            let n = cur.and_then(|r| r.ok()).unwrap_or(0) + 2;
                            exp.written(db, &k, &["hincrby"]);
                            if let Some(Entry { v: V::Hash(h), .. }) = self.model[db].get_mut(&k) {
                                h.insert(m.clone(), b(&n.to_string()));
                            }
                        }
                    },
                    Some(_) => exp = Expect::error(),
                    None => {
                        exp.created(db, &k);
                        exp.written(db, &k, &["hincrby"]);
                        self.model[db].insert(
                            k.clone(),
                            Entry {
                                v: V::Hash([(m.clone(), b("2"))].into()),
                                ttl: false,
                            },
                        );
                    }
                }
            }
            // ---- sorted sets
            33 | 34 => {
                let incr = op == 34;
                let score = 1 + self.rng.below(3) as i64;
                argv = if incr {
                    vec![b("ZINCRBY"), k.clone(), score.to_string().into_bytes(), m.clone()]
                } else {
                    vec![b("ZADD"), k.clone(), score.to_string().into_bytes(), m.clone()]
                };
                match &existing {
                    Some(Entry { v: V::ZSet(z), .. }) => {
                        let old = z.get(&m).copied();
                        let new = if incr { old.unwrap_or(0) + score } else { score };
                        if old != Some(new) {
                            exp.written(db, &k, &[if incr { "zincr" } else { "zadd" }]);
                            if let Some(Entry { v: V::ZSet(z), .. }) = self.model[db].get_mut(&k) {
                                z.insert(m.clone(), new);
                            }
                        }
                    }
                    Some(_) => exp = Expect::error(),
                    None => {
                        exp.created(db, &k);
                        exp.written(db, &k, &[if incr { "zincr" } else { "zadd" }]);
                        self.model[db].insert(
                            k.clone(),
                            Entry {
                                v: V::ZSet([(m.clone(), score)].into()),
                                ttl: false,
                            },
                        );
                    }
                }
            }
            35 => {
                argv = vec![b("ZREM"), k.clone(), m.clone()];
                match &existing {
                    Some(Entry { v: V::ZSet(z), ttl }) if z.contains_key(&m) => {
                        let mut z = z.clone();
                        z.remove(&m);
                        self.collection_result(db, &k, z.is_empty(), "zrem", &mut exp);
                        if !z.is_empty() {
                            self.model[db].insert(k.clone(), Entry { v: V::ZSet(z), ttl: *ttl });
                        }
                    }
                    Some(Entry { v: V::ZSet(_), .. }) => {}
                    Some(_) => exp = Expect::error(),
                    None => {}
                }
            }
            36 => {
                let count = 1 + self.rng.below(2) as usize;
                argv = vec![b("ZPOPMIN"), k.clone(), count.to_string().into_bytes()];
                match &existing {
                    Some(Entry { v: V::ZSet(z), ttl }) => {
                        let mut order: Vec<(i64, Vec<u8>)> = z.iter().map(|(m, s)| (*s, m.clone())).collect();
                        order.sort();
                        let mut z = z.clone();
                        for (_, m) in order.iter().take(count) {
                            z.remove(m);
                        }
                        self.collection_result(db, &k, z.is_empty(), "zpopmin", &mut exp);
                        if !z.is_empty() {
                            self.model[db].insert(k.clone(), Entry { v: V::ZSet(z), ttl: *ttl });
                        }
                    }
                    Some(_) => exp = Expect::error(),
                    None => {}
                }
            }
            37 => {
                let src2 = self.rng.pick(&KEYS).to_vec();
                argv = vec![b("ZUNIONSTORE"), k2.clone(), b("2"), k.clone(), src2.clone()];
                let srcs: Option<Vec<BTreeMap<Vec<u8>, i64>>> = [&k, &src2]
                    .iter()
                    .map(|key| match self.get(db, key) {
                        None => Some(BTreeMap::new()),
                        Some(Entry { v: V::ZSet(z), .. }) => Some(z.clone()),
                        Some(Entry { v: V::Set(s), .. }) => Some(s.iter().map(|m| (m.clone(), 1)).collect()),
                        Some(_) => None,
                    })
                    .collect();
                match srcs {
                    None => exp = Expect::error(),
                    Some(srcs) => {
                        let mut u: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
                        for z in srcs {
                            for (m, s) in z {
                                *u.entry(m).or_default() += s;
                            }
                        }
                        self.store_result(db, &k2, (!u.is_empty()).then_some(V::ZSet(u)), "zunionstore", &mut exp);
                    }
                }
            }
            // ---- streams
            38 => {
                let trim = self.rng.chance(40);
                argv = if trim {
                    vec![b("XADD"), k.clone(), b("MAXLEN"), b("2"), b("*"), m.clone(), b("v")]
                } else {
                    vec![b("XADD"), k.clone(), b("*"), m.clone(), b("v")]
                };
                match &existing {
                    Some(Entry { v: V::Stream(ids), .. }) => {
                        let trims = trim && ids.len() + 1 > 2;
                        exp.written(db, &k, if trims { &["xadd", "xtrim"] } else { &["xadd"] });
                    }
                    Some(_) => exp = Expect::error(),
                    None => {
                        exp.created(db, &k);
                        exp.written(db, &k, &["xadd"]);
                        self.model[db].insert(
                            k.clone(),
                            Entry {
                                v: V::Stream(Vec::new()),
                                ttl: false,
                            },
                        );
                    }
                }
                if !exp.error {
                    let key = k.clone();
                    from_reply = Some(Box::new(move |h: &mut Harness, r: &Reply| {
                        let Reply::Bulk(Some(id)) = r else { panic!("XADD reply {r:?}") };
                        if let Some(Entry { v: V::Stream(ids), .. }) = h.model[db].get_mut(&key) {
                            ids.push(id.clone());
                            while trim && ids.len() > 2 {
                                ids.remove(0);
                            }
                        }
                    }));
                }
            }
            39 => match &existing {
                Some(Entry { v: V::Stream(ids), .. }) if !ids.is_empty() => {
                    let id = self.rng.pick(ids).clone();
                    argv = vec![b("XDEL"), k.clone(), id.clone()];
                    exp.written(db, &k, &["xdel"]);
                    if let Some(Entry { v: V::Stream(ids), .. }) = self.model[db].get_mut(&k) {
                        ids.retain(|x| *x != id);
                    }
                }
                Some(Entry { v: V::Stream(_), .. }) | None => argv = vec![b("XDEL"), k.clone(), b("1-1")],
                Some(_) => {
                    argv = vec![b("XDEL"), k.clone(), b("1-1")];
                    exp = Expect::error();
                }
            },
            40 => {
                argv = vec![b("XTRIM"), k.clone(), b("MAXLEN"), b("1")];
                match &existing {
                    Some(Entry { v: V::Stream(ids), .. }) if ids.len() > 1 => {
                        exp.written(db, &k, &["xtrim"]);
                        if let Some(Entry { v: V::Stream(ids), .. }) = self.model[db].get_mut(&k) {
                            let n = ids.len();
                            ids.drain(..n - 1);
                        }
                    }
                    Some(Entry { v: V::Stream(_), .. }) => {}
                    Some(_) => exp = Expect::error(),
                    None => {}
                }
            }
            // ---- DUMP + RESTORE
            41 => {
                let Some(e) = existing else {
                    return self.step(n);
                };
                let payload = match self.run(&[b"DUMP", &k]) {
                    Reply::Bulk(Some(p)) => p,
                    other => panic!("DUMP {other:?}"),
                };
                let replace = self.rng.chance(50);
                let mut a = vec![b("RESTORE"), k2.clone(), b("0"), payload];
                if replace {
                    a.push(b("REPLACE"));
                }
                argv = a;
                let dst_exists = self.get(db, &k2).is_some();
                if dst_exists && !replace {
                    exp = Expect::error();
                } else {
                    if dst_exists {
                        exp.removed(db, &k2, Removal::Deleted);
                    }
                    exp.created(db, &k2);
                    exp.written(db, &k2, &["restore"]);
                    self.model[db].insert(k2.clone(), Entry { v: e.v, ttl: false });
                }
            }
            // ---- whole-keyspace and time-driven changes
            42 => {
                argv = vec![b("DEBUG"), b("RELOAD")];
                exp.dbs = vec![DbChange::Emptying(None)];
                for (d, keys) in self.model.iter().enumerate() {
                    for key in keys.keys() {
                        exp.keys.push((d, key.clone(), RecordedKind::Loaded));
                    }
                }
            }
            43 | 44 => return self.expire_step(n, &k, op == 43),
            _ => return self.evict_step(n),
        }
        let argv: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
        let what = format!(
            "step {n}: {:?} in db {db}",
            argv.iter().map(|a| String::from_utf8_lossy(a)).collect::<Vec<_>>()
        );
        self.recording(true);
        let reply = self.run(&argv);
        let recorded = self.take_recorded();
        if exp.error {
            assert!(matches!(reply, Reply::Error(_)), "{what}: expected an error, got {reply:?}");
        } else {
            assert!(!matches!(reply, Reply::Error(_)), "{what}: unexpected error {reply:?}");
        }
        self.check_changes(&what, &recorded, &exp);
        if let Some(f) = from_reply {
            f(self, &reply);
        }
        self.check_state(&what);
    }

    fn set_mut(&mut self, db: usize, k: &[u8]) -> &mut BTreeSet<Vec<u8>> {
        match self.model[db].get_mut(k) {
            Some(Entry { v: V::Set(s), .. }) => s,
            other => panic!("model: not a set: {other:?}"),
        }
    }

    /// A collection command's write on `k`: removed first if it emptied
    /// the key, then one write with the command's event (and `del`).
    fn collection_result(&mut self, db: usize, k: &[u8], emptied: bool, event: &'static str, exp: &mut Expect) {
        if emptied {
            exp.removed(db, k, Removal::Deleted);
            exp.written(db, k, &[event, "del"]);
            self.model[db].remove(k);
        } else {
            exp.written(db, k, &[event]);
        }
    }

    /// A list after a command removed elements (`kept` is what is left).
    fn list_result(&mut self, db: usize, k: &[u8], kept: VecDeque<Vec<u8>>, events: &[&'static str], exp: &mut Expect) {
        let emptied = kept.is_empty();
        self.collection_result(db, k, emptied, events[0], exp);
        if !emptied {
            if let Some(Entry { v, .. }) = self.model[db].get_mut(k) {
                *v = V::List(kept);
            }
        }
    }

    /// A *STORE command's destination: `setKey` of the result, or the
    /// destination deleted when the result is empty.
    fn store_result(&mut self, db: usize, dst: &[u8], result: Option<V>, event: &'static str, exp: &mut Expect) {
        let existed = self.get(db, dst).is_some();
        match result {
            Some(v) => {
                exp.stored(db, dst, existed);
                exp.written(db, dst, &[event]);
                self.model[db].insert(dst.to_vec(), Entry { v, ttl: false });
            }
            None if existed => {
                exp.removed(db, dst, Removal::Deleted);
                exp.written(db, dst, &["del"]);
                self.model[db].remove(dst);
            }
            None => {}
        }
    }

    /// A key given a 1 ms TTL expires, found either by a read (lazy) or
    /// by the active expire cycle.
    fn expire_step(&mut self, n: usize, k: &[u8], lazy: bool) {
        let db = self.cur();
        if self.get(db, k).is_none() {
            return;
        }
        let what = format!(
            "step {n}: {} expiry of {}",
            if lazy { "lazy" } else { "active" },
            String::from_utf8_lossy(k)
        );
        self.recording(true);
        assert_eq!(self.run(&[b"PEXPIRE", k, b"5"]), Reply::Int(1));
        if self.srv.dbs[db].find(k).is_none() {
            // The clock moved past the new expiry time while PEXPIRE ran
            // (a loaded machine): Redis deletes the key at once then.
            let recorded = self.take_recorded();
            let mut exp = Expect::default();
            exp.removed(db, k, Removal::Deleted);
            exp.written(db, k, &["del"]);
            self.check_changes(&what, &recorded, &exp);
            self.model[db].remove(k);
            return self.check_state(&what);
        }
        std::thread::sleep(std::time::Duration::from_millis(8));
        if lazy {
            assert_eq!(self.run(&[b"EXISTS", k]), Reply::Int(0), "{what}");
        } else {
            for _ in 0..100 {
                self.srv.active_expire_cycle(crate::db::expire::CycleKind::Slow);
                if self.srv.dbs[db].find(k).is_none() {
                    break;
                }
            }
        }
        let recorded = self.take_recorded();
        let mut exp = Expect::default();
        exp.written(db, k, &["expire"]);
        exp.removed(db, k, Removal::Expired);
        self.check_changes(&what, &recorded, &exp);
        self.model[db].remove(k);
        self.check_state(&what);
    }

    /// maxmemory far below what is used: the next command evicts every
    /// key, each reported once as evicted.
    fn evict_step(&mut self, n: usize) {
        let what = format!("step {n}: eviction");
        self.srv.cfg.maxmemory = 1;
        self.srv.cfg.maxmemory_policy = crate::config::enums::MAXMEMORY_ALLKEYS_RANDOM;
        self.recording(true);
        self.run(&[b"PING"]);
        let recorded = self.take_recorded();
        self.srv.cfg.maxmemory = 0;
        self.srv.cfg.maxmemory_policy = crate::config::enums::MAXMEMORY_NO_EVICTION;
        let mut exp = Expect::default();
        for (d, keys) in self.model.iter().enumerate() {
            for key in keys.keys() {
                exp.removed(d, key, Removal::Evicted);
            }
        }
        self.check_changes(&what, &recorded, &exp);
        self.model = [DbModel::new(), DbModel::new()];
        self.check_state(&what);
    }
}

#[test]
fn change_hook_reports_every_change_once() {
    let mut seen = BTreeSet::new();
    for seed in 1..=6u64 {
        let mut h = Harness::new(seed);
        for n in 0..700 {
            h.step(n);
        }
        seen.extend(std::mem::take(&mut h.seen));
    }
    let all = [
        "Created",
        "Loaded",
        "Replaced",
        "Written",
        "Removed(Deleted)",
        "Removed(Expired)",
        "Removed(Evicted)",
        "Removed(Renamed)",
        "Removed(Moved)",
        "Db:Emptying",
        "Db:Swapping",
        "Db:Replaced",
    ];
    for kind in all {
        assert!(seen.contains(kind), "the random run never produced {kind}: {seen:?}");
    }
}
