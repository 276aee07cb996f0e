//! Robustness of the payload loaders: valid payloads of every encoding are
//! corrupted at random (one or two bytes changed, or cut short) and loaded
//! with and without deep sanitization. A load may fail, but must never
//! panic, and whatever it accepts must survive being used: iterated,
//! modified, converted and serialized again.

use super::dump::dump_payload;
use super::rdb::codec::*;
use super::rdb::{read_value, LoadedValue};
use crate::ds::quicklist::Where;
use crate::object::{Obj, ValueRef};
use crate::server::Server;
use crate::types::hash::HashLimits;
use crate::types::zset::Limits as ZsetLimits;
use std::panic::{catch_unwind, AssertUnwindSafe};

fn server(compress_depth: i64) -> Server {
    let reg: &'static crate::commands::Registry = Box::leak(Box::new(crate::commands::Registry::build()));
    let mut cfg = crate::config::Config::defaults();
    cfg.list_max_listpack_size = 5;
    cfg.list_compress_depth = compress_depth;
    cfg.hash_max_listpack_entries = 5;
    cfg.zset_max_listpack_entries = 5;
    cfg.set_max_intset_entries = 5;
    cfg.stream_node_max_entries = 5;
    Server::new(cfg, reg, None, String::new())
}

/// A payload body (type byte and value, no footer) written with `f`.
fn body(t: u8, f: impl FnOnce(&mut RdbWriter<Vec<u8>>) -> std::io::Result<()>) -> Vec<u8> {
    let mut w = RdbWriter::new(Vec::new(), false, true);
    assert!(w.u8(t).is_ok());
    assert!(f(&mut w).is_ok());
    w.into_parts().0
}

fn elems(n: usize, ints: bool) -> Vec<Vec<u8>> {
    (0..n)
        .map(|j| {
            if ints || j % 2 == 0 {
                (j as i64 * 1000 - 7).to_string().into_bytes()
            } else {
                format!("_{j}{}", "x".repeat(j % 7 * 3)).into_bytes()
            }
        })
        .collect()
}

/// A ziplist of `items` (small strings, and one-byte prevlens).
fn ziplist(items: &[&[u8]]) -> Vec<u8> {
    let mut entries = Vec::new();
    let mut prev = 0usize;
    let mut tail = 10;
    for it in items {
        assert!(it.len() < 64);
        tail = 10 + entries.len();
        let start = entries.len();
        entries.push(prev as u8);
        entries.push(it.len() as u8);
        entries.extend_from_slice(it);
        prev = entries.len() - start;
    }
    let mut zl = Vec::new();
    zl.extend_from_slice(&((10 + entries.len() + 1) as u32).to_le_bytes());
    zl.extend_from_slice(&(tail as u32).to_le_bytes());
    zl.extend_from_slice(&(items.len() as u16).to_le_bytes());
    zl.extend_from_slice(&entries);
    zl.push(0xFF);
    zl
}

/// A zipmap of field/value pairs.
fn zipmap(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut zm = vec![pairs.len() as u8];
    for (f, v) in pairs {
        zm.push(f.len() as u8);
        zm.extend_from_slice(f);
        zm.push(v.len() as u8);
        zm.push(0);
        zm.extend_from_slice(v);
    }
    zm.push(0xFF);
    zm
}

/// Valid payload bodies of every type and encoding.
fn seeds(srv: &mut Server) -> Vec<Vec<u8>> {
    let mut legacy = Vec::new();
    for &n in &[3usize, 12] {
        let items = elems(n, false);
        legacy.push(body(TYPE_LIST, |w| {
            w.len(n as u64)?;
            items.iter().try_for_each(|e| w.string(e))
        }));
        for ints in [true, false] {
            let items = elems(n, ints);
            legacy.push(body(TYPE_SET, |w| {
                w.len(n as u64)?;
                items.iter().try_for_each(|e| w.string(e))
            }));
        }
        legacy.push(body(TYPE_HASH, |w| {
            w.len(n as u64)?;
            items.iter().enumerate().try_for_each(|(j, e)| {
                w.string(j.to_string().as_bytes())?;
                w.string(e)
            })
        }));
        legacy.push(body(TYPE_ZSET_2, |w| {
            w.len(n as u64)?;
            items.iter().enumerate().try_for_each(|(j, e)| {
                w.string(e)?;
                w.binary_double(j as f64 * 1.5)
            })
        }));
    }
    let mut out = Vec::new();
    // Through a load and a DUMP, the legacy forms become the current ones
    // (quicklist of listpacks, intset, listpack hashes and sorted sets).
    for b in &legacy {
        let mut r = RdbReader::new(&b[1..]);
        let Ok(LoadedValue::Obj(o)) = read_value(srv, &mut r, b[0]) else {
            panic!("seed does not load");
        };
        let p = dump_payload(ValueRef::Obj(&o), true);
        out.push(p[..p.len() - 10].to_vec());
        out.push(b.clone());
    }
    out.push(body(TYPE_STRING, |w| w.string(b"hello world")));
    // LZF-compressed string.
    let long = b"abcdefgh".repeat(40);
    out.push(body(TYPE_STRING, |w| w.string(&long)));
    assert!(out.last().is_some_and(|b| b.len() < long.len()), "string not compressed");
    let zl: Vec<&[u8]> = vec![b"a", b"1", b"bb", b"2", b"ccc", b"3"];
    let zl = ziplist(&zl);
    out.push(body(TYPE_HASH_ZIPLIST, |w| w.string(&zl)));
    out.push(body(TYPE_ZSET_ZIPLIST, |w| w.string(&zl)));
    out.push(body(TYPE_LIST_ZIPLIST, |w| w.string(&zl)));
    out.push(body(TYPE_LIST_QUICKLIST, |w| {
        w.len(2)?;
        w.string(&zl)?;
        w.string(&zl)
    }));
    // Streams: several nodes, a field set that differs from the master
    // entry, a consumer group with a consumer.
    use crate::types::stream::{NodeLimits, Stream, StreamId};
    let mut st = Stream::new();
    for j in 0..12 {
        let v = j.to_string();
        let pairs: [&[u8]; 4] = if j == 7 {
            [b"other", v.as_bytes(), b"value", b"x"]
        } else {
            [b"item", b"1", b"value", v.as_bytes()]
        };
        assert!(st.append(&pairs, None, NodeLimits::of(srv)).is_ok());
    }
    assert!(st.create_group(b"mygroup", StreamId::ZERO, 0));
    if let Some(g) = st.group_mut(b"mygroup") {
        let _ = g.create_consumer(b"Alice", 1000);
    }
    let p = dump_payload(ValueRef::Obj(&Obj::Stream(Box::new(st))), true);
    out.push(p[..p.len() - 10].to_vec());
    for v in crate::stack::StackValue::fuzz_samples() {
        let p = dump_payload(ValueRef::Obj(&Obj::Stack(v)), true);
        out.push(p[..p.len() - 10].to_vec());
    }
    let zm = zipmap(&[(b"f1", b"v1"), (b"field2", b"value2"), (b"3", b"")]);
    out.push(body(TYPE_HASH_ZIPMAP, |w| w.string(&zm)));
    out
}

/// Uses a loaded value the way commands would.
fn exercise(srv: &Server, o: &mut Obj) {
    let _ = dump_payload(ValueRef::Obj(o), true);
    let _ = super::types::rewrite_commands(b"k", ValueRef::Obj(o));
    match o {
        Obj::Str(_) | Obj::Stream(_) => {}
        Obj::Stack(v) => {
            let _ = v.digest();
            let _ = v.mem_usage();
            let _ = v.free_effort();
            let copy = v.clone();
            let _ = dump_payload(ValueRef::Obj(&Obj::Stack(copy)), true);
        }
        Obj::List(l) => {
            let all = l.to_vec();
            let _ = l.with_index(0, |v| v.to_vec());
            let _ = l.with_index(-1, |v| v.to_vec());
            let _ = l.with_index(all.len() as i64 / 2, |v| v.to_vec());
            l.push(b"new", Where::Head);
            l.push(&[b'y'; 100], Where::Tail);
            if let Some(first) = all.first() {
                let _ = l.insert(first, b"ins", true);
                let _ = l.remove(first, 1);
            }
            let _ = l.set(1, b"set");
            let _ = l.pop(Where::Head);
            let _ = l.pop(Where::Tail);
            l.del_range(0, 1);
            let _ = l.to_vec();
        }
        Obj::Hash(h) => {
            let lim = HashLimits::of(srv);
            let fields: Vec<Vec<u8>> = h.iter().map(|(f, _)| f.to_vec()).collect();
            for f in &fields {
                let _ = h.get(f);
            }
            let _ = h.random_pair().map(|(f, v)| (f.to_vec(), v.to_vec()));
            let _ = h.set(b"newfield", b"v", lim);
            if let Some(f) = fields.first() {
                let _ = h.delete(f);
            }
            h.convert_to_table();
            let _ = h.iter().count();
        }
        Obj::Set(s) => {
            let members: Vec<Vec<u8>> = s.iter().map(|m| m.to_vec()).collect();
            for m in &members {
                let _ = s.contains(m);
            }
            let _ = s.random().map(|m| m.to_vec());
            let _ = s.add(b"12345", 5);
            if let Some(m) = members.first() {
                let _ = s.remove(m);
            }
            let _ = s.add(b"text", 5);
            let _ = s.iter().count();
        }
        Obj::ZSet(z) => {
            let lim = ZsetLimits::of(srv);
            let members: Vec<Vec<u8>> = z.iter().map(|(m, _)| m.to_vec()).collect();
            for m in &members {
                let _ = z.rank(m, false);
                let _ = z.score(m);
            }
            let _ = z.at_rank(0, true).map(|c| c.score());
            let _ = z.add(3.25, b"added", 0, &lim);
            if let Some(m) = members.first() {
                let _ = z.remove(m);
            }
            z.convert_to_skiplist();
            for (m, score) in z.iter() {
                let _ = (m.to_vec(), score);
            }
            if let Some(m) = members.last() {
                let _ = z.remove(m);
            }
        }
    }
}

use crate::util::test_rng::Rng;

fn corrupt(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut p = seed.to_vec();
    if rng.index(10) == 0 {
        p.truncate(rng.index(p.len()).max(1));
        return p;
    }
    let count = if rng.index(10) == 0 { 2 } else { 1 };
    for _ in 0..count {
        // Never the type byte: that is covered by unknown-type tests.
        let idx = 1 + rng.index(p.len() - 1);
        p[idx] = rng.next_u64() as u8;
    }
    p
}

#[test]
fn corrupt_payloads_never_panic() {
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    let (mut tried, mut accepted) = (0usize, 0usize);
    for compress in [0, 1] {
        let mut srv = server(compress);
        let seeds = seeds(&mut srv);
        for sanitize in [0, 1] {
            srv.cfg.sanitize_dump_payload = sanitize;
            for seed in &seeds {
                for _ in 0..3000 {
                    let p = corrupt(&mut rng, seed);
                    let res = catch_unwind(AssertUnwindSafe(|| {
                        let mut r = RdbReader::new(&p[1..]);
                        if let Ok(LoadedValue::Obj(mut o)) = read_value(&mut srv, &mut r, p[0]) {
                            exercise(&srv, &mut o);
                            accepted += 1;
                        }
                    }));
                    tried += 1;
                    assert!(res.is_ok(), "panic on payload {:02x?} (sanitize {sanitize})", p);
                }
            }
        }
    }
    // Many corruptions land in element data and still load: those values
    // must have been exercised, not just refused.
    assert!(accepted * 10 > tried, "{accepted} of {tried} loaded");
}

#[test]
fn seeds_load_and_exercise() {
    let mut srv = server(1);
    for seed in seeds(&mut srv) {
        let mut r = RdbReader::new(&seed[1..]);
        match read_value(&mut srv, &mut r, seed[0]) {
            Ok(LoadedValue::Obj(mut o)) => exercise(&srv, &mut o),
            Ok(LoadedValue::Str(_)) => {}
            _ => panic!("seed of type {} does not load", seed[0]),
        }
    }
}

#[test]
fn payloads_from_other_limits_load_and_exercise() {
    // Nodes, listpacks and intsets bigger (or smaller) than the loading
    // server's limits are taken as they are, and must still work.
    let mut big = server(0);
    big.cfg.list_max_listpack_size = 128;
    big.cfg.hash_max_listpack_entries = 512;
    big.cfg.zset_max_listpack_entries = 128;
    big.cfg.set_max_intset_entries = 512;
    let seeds = seeds(&mut big);
    for fill in [1, 2, -1] {
        let mut srv = server(1);
        srv.cfg.list_max_listpack_size = fill;
        srv.cfg.hash_max_listpack_entries = 1;
        srv.cfg.zset_max_listpack_entries = 1;
        srv.cfg.set_max_intset_entries = 1;
        for seed in &seeds {
            let mut r = RdbReader::new(&seed[1..]);
            match read_value(&mut srv, &mut r, seed[0]) {
                Ok(LoadedValue::Obj(mut o)) => exercise(&srv, &mut o),
                Ok(LoadedValue::Str(_)) => {}
                _ => panic!("seed of type {} does not load", seed[0]),
            }
        }
    }
}

#[test]
fn hash_listpack_duplicates() {
    // Field "a" twice: refused when sanitizing, kept (and usable) when not,
    // refused when the load has to convert it.
    let mut lp = crate::ds::listpack::Listpack::new();
    for e in [&b"a"[..], b"1", b"b", b"2", b"a", b"3"] {
        lp.append(e);
    }
    let p = body(TYPE_HASH_LISTPACK, |w| w.string(lp.as_bytes()));
    let mut srv = server(0);
    let load = |srv: &mut Server| {
        let mut r = RdbReader::new(&p[1..]);
        read_value(srv, &mut r, p[0])
    };
    srv.cfg.sanitize_dump_payload = 1;
    assert!(matches!(load(&mut srv), Err(LoadError::Corrupt(m)) if m == "Hash listpack integrity check failed."));
    srv.cfg.sanitize_dump_payload = 0;
    match load(&mut srv) {
        Ok(LoadedValue::Obj(mut o)) => exercise(&srv, &mut o),
        _ => panic!("unsanitized duplicate fields are accepted"),
    }
    srv.cfg.hash_max_listpack_entries = 1;
    assert!(matches!(load(&mut srv), Err(LoadError::Corrupt(m)) if m == "Listpack corruption detected"));
}
