//! The per-slot key index against a scan of database 0, under random
//! commands run through the real input path: writes of several types,
//! deletes, pops that empty a key, lazy and active expiry, RENAME, COPY,
//! MOVE both ways, SWAPDB, FLUSHDB, FLUSHALL and DEBUG RELOAD (an RDB
//! load). The index is switched on in a standalone server; cluster mode
//! would refuse SWAPDB, MOVE and SELECT, which only makes db 0 change in
//! fewer ways.

use super::*;
use crate::client::Client;
use crate::util::test_rng::Rng;
use std::collections::{BTreeMap, BTreeSet};

struct Harness {
    srv: Server,
    c: Box<Client>,
    dir: std::path::PathBuf,
    /// SAVE and DEBUG RELOAD write `temp-<pid>.rdb` in the working directory.
    _rdb: std::sync::MutexGuard<'static, ()>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Harness {
    fn new(seed: u64) -> Harness {
        let reg: &'static crate::commands::Registry = Box::leak(Box::new(crate::commands::Registry::build()));
        let mut cfg = crate::config::Config::defaults();
        cfg.enable_debug_command = crate::config::enums::PROTECTED_ACTION_YES;
        let dir = std::env::temp_dir().join(format!("oxidis-slotindex-{}-{seed}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
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
            dir,
            _rdb: crate::util::test_rng::lock_rdb_temp_file(),
        }
    }

    /// Runs one command; returns the raw reply.
    fn run(&mut self, argv: &[&[u8]]) -> Vec<u8> {
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
        self.c.reply.buf.clone()
    }

    fn scan(&self) -> BTreeMap<usize, BTreeSet<Vec<u8>>> {
        let mut m: BTreeMap<usize, BTreeSet<Vec<u8>>> = BTreeMap::new();
        for e in self.srv.dbs[0].iter() {
            m.entry(key_slot(e.key()) as usize).or_default().insert(e.key().to_vec());
        }
        m
    }

    fn check(&self, what: &str) {
        let ix = self.srv.changes.slot_index.as_ref().unwrap();
        let scan = self.scan();
        let total: usize = scan.values().map(|s| s.len()).sum();
        assert_eq!(ix.len(), total, "{what}: total");
        for (slot, keys) in &scan {
            assert_eq!(ix.count(*slot), keys.len(), "{what}: count of slot {slot}");
            let got: BTreeSet<Vec<u8>> = ix.keys(*slot, usize::MAX).map(|k| k.to_vec()).collect();
            assert_eq!(&got, keys, "{what}: keys of slot {slot}");
        }
    }
}

/// Keys that share slots through hash tags, and a binary one.
const KEYS: [&[u8]; 8] = [b"a", b"b", b"{a}x", b"{a}y", b"{b}1", b"foo", b"\x00\xff{z}", b"{}"];

#[test]
fn index_follows_the_keyspace() {
    let mut h = Harness::new(11);
    h.run(&[b"SET", b"pre", b"1"]);
    h.srv.enable_slot_index();
    h.check("enabled on a non-empty keyspace");
    let mut rng = Rng::new(11);
    let mut changed = BTreeSet::new();
    let mut max_total = 0;
    for step in 0..3000 {
        let k = *rng.pick(&KEYS);
        let k2 = *rng.pick(&KEYS);
        let mut before = h.scan();
        let op = rng.below(100);
        let name = match op {
            0..=24 => {
                h.run(&[b"SET", k, b"v"]);
                "set"
            }
            25..=32 => {
                h.run(&[b"RPUSH", k, b"x"]);
                "rpush"
            }
            33..=37 => {
                h.run(&[b"SADD", k, b"m"]);
                "sadd"
            }
            38..=45 => {
                h.run(&[b"DEL", k, k2]);
                "del"
            }
            46..=49 => {
                h.run(&[b"LPOP", k]);
                "lpop"
            }
            50..=57 => {
                h.run(&[b"RENAME", k, k2]);
                "rename"
            }
            58..=61 => {
                h.run(&[b"COPY", k, k2]);
                "copy"
            }
            62..=67 => {
                h.run(&[b"MOVE", k, b"1"]);
                "move out"
            }
            68..=71 => {
                h.run(&[b"SELECT", b"1"]);
                h.run(&[b"SET", k2, b"w"]);
                h.run(&[b"MOVE", k, b"0"]);
                h.run(&[b"SELECT", b"0"]);
                "move in"
            }
            72..=75 => {
                h.run(&[b"SWAPDB", b"0", b"1"]);
                "swapdb"
            }
            76..=79 => {
                h.run(&[b"GETDEL", k]);
                "getdel"
            }
            80..=85 => {
                h.run(&[b"PEXPIRE", k, b"1"]);
                std::thread::sleep(std::time::Duration::from_millis(3));
                if rng.chance(50) {
                    h.run(&[b"GET", k]);
                    "lazy expiry"
                } else {
                    for _ in 0..20 {
                        h.srv.active_expire_cycle(crate::db::expire::CycleKind::Slow);
                    }
                    "active expiry"
                }
            }
            86..=88 => {
                h.run(&[b"SELECT", b"1"]);
                h.run(&[b"FLUSHDB"]);
                h.run(&[b"SELECT", b"0"]);
                "flushdb 1"
            }
            89..=90 => {
                h.run(&[b"FLUSHDB"]);
                "flushdb 0"
            }
            91 => {
                h.run(&[b"FLUSHALL"]);
                "flushall"
            }
            92..=94 => {
                // Loading replaces the index's contents wholesale: make
                // the keyspace differ from the file first.
                let r = h.run(&[b"SAVE"]);
                assert_eq!(r, b"+OK\r\n");
                h.run(&[b"SET", b"after-save", b"1"]);
                h.run(&[b"DEL", KEYS[0]]);
                h.check("before reload");
                before = h.scan();
                let r = h.run(&[b"DEBUG", b"RELOAD", b"NOSAVE"]);
                assert_eq!(r, b"+OK\r\n");
                "debug reload"
            }
            _ => {
                h.run(&[b"UNLINK", k]);
                "unlink"
            }
        };
        let after = h.scan();
        if before != after {
            changed.insert(name);
        }
        max_total = max_total.max(after.values().map(|s| s.len()).sum::<usize>());
        h.check(&format!("step {step}: {name}"));
    }
    // The run exercised every kind of change (so it cannot pass by doing
    // nothing) on a keyspace of some size.
    for name in [
        "set",
        "rpush",
        "sadd",
        "del",
        "lpop",
        "rename",
        "copy",
        "move out",
        "move in",
        "swapdb",
        "getdel",
        "lazy expiry",
        "active expiry",
        "flushdb 0",
        "flushall",
        "debug reload",
        "unlink",
    ] {
        assert!(changed.contains(name), "{name} never changed db 0");
    }
    assert!(max_total >= 6, "{max_total}");
}

#[test]
fn index_unit() {
    let mut ix = SlotIndex::default();
    ix.add(b"{user}1");
    ix.add(b"{user}2");
    ix.add(b"{user}2");
    ix.add(b"other");
    let s = key_slot(b"user") as usize;
    assert_eq!(ix.count(s), 2);
    assert_eq!(ix.len(), 3);
    assert_eq!(ix.keys(s, 1).count(), 1);
    assert_eq!(ix.keys(s, 10).count(), 2);
    assert_eq!(ix.count(SLOTS), 0);
    assert_eq!(ix.keys(SLOTS + 5, 10).count(), 0);
    ix.remove(b"{user}1");
    ix.remove(b"{user}1");
    assert_eq!((ix.count(s), ix.len()), (1, 2));
    ix.clear();
    assert!(ix.is_empty());
}

/// A standalone server keeps no index.
#[test]
fn standalone_has_no_index() {
    let mut h = Harness::new(12);
    h.run(&[b"SET", b"k", b"v"]);
    h.run(&[b"SWAPDB", b"0", b"1"]);
    h.run(&[b"FLUSHALL"]);
    assert!(h.srv.changes.slot_index.is_none());
}

/// CLUSTER KEYSLOT / COUNTKEYSINSLOT / GETKEYSINSLOT with cluster mode on
/// (switched on in the server's config, as start-up will), replies and
/// errors as redis-server 7.0.15 gives them.
#[test]
fn slot_commands() {
    let mut h = Harness::new(13);
    assert_eq!(
        h.run(&[b"CLUSTER", b"KEYSLOT", b"foo"]),
        b"-ERR This instance has cluster support disabled\r\n"
    );
    h.srv.cfg.cluster_enabled = true;
    h.srv.enable_slot_index();
    assert_eq!(h.run(&[b"CLUSTER", b"KEYSLOT", b"foo"]), b":12182\r\n");
    assert_eq!(h.run(&[b"CLUSTER", b"keyslot", b"{user1000}.following"]), b":3443\r\n");
    for k in [&b"{t}1"[..], b"{t}2", b"{t}3", b"other"] {
        h.run(&[b"SET", k, b"v"]);
    }
    let s = key_slot(b"t").to_string();
    let s = s.as_bytes();
    assert_eq!(h.run(&[b"CLUSTER", b"COUNTKEYSINSLOT", s]), b":3\r\n");
    assert_eq!(h.run(&[b"CLUSTER", b"COUNTKEYSINSLOT", b"0"]), b":0\r\n");
    let r = h.run(&[b"CLUSTER", b"GETKEYSINSLOT", s, b"10"]);
    assert!(r.starts_with(b"*3\r\n"), "{}", String::from_utf8_lossy(&r));
    for k in ["{t}1", "{t}2", "{t}3"] {
        assert!(r.windows(k.len()).any(|w| w == k.as_bytes()));
    }
    let r = h.run(&[b"CLUSTER", b"GETKEYSINSLOT", s, b"2"]);
    assert_eq!(r.iter().filter(|&&b| b == b'$').count(), 2);
    assert!(r.starts_with(b"*2\r\n"));
    assert_eq!(h.run(&[b"CLUSTER", b"GETKEYSINSLOT", s, b"0"]), b"*0\r\n");
    h.run(&[b"DEL", b"{t}2"]);
    assert_eq!(h.run(&[b"CLUSTER", b"COUNTKEYSINSLOT", s]), b":2\r\n");
    for (argv, err) in [
        (&[&b"CLUSTER"[..], b"COUNTKEYSINSLOT", b"16384"][..], "-ERR Invalid slot\r\n"),
        (&[b"CLUSTER", b"COUNTKEYSINSLOT", b"-1"], "-ERR Invalid slot\r\n"),
        (
            &[b"CLUSTER", b"COUNTKEYSINSLOT", b"x"],
            "-ERR value is not an integer or out of range\r\n",
        ),
        (
            &[b"CLUSTER", b"GETKEYSINSLOT", b"16384", b"1"],
            "-ERR Invalid slot or number of keys\r\n",
        ),
        (
            &[b"CLUSTER", b"GETKEYSINSLOT", b"1", b"-1"],
            "-ERR Invalid slot or number of keys\r\n",
        ),
        (
            &[b"CLUSTER", b"GETKEYSINSLOT", b"1", b"x"],
            "-ERR value is not an integer or out of range\r\n",
        ),
    ] {
        assert_eq!(String::from_utf8_lossy(&h.run(argv)), err, "{argv:?}");
    }
}
