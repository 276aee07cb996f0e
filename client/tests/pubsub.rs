//! Pub/sub, keyspace notifications and client-side caching.

mod common;
use common::{each, opts};
use oxidis_client::pubsub::{KeyspaceListener, Kind, PubSub};
use oxidis_client::tracking::{CachingClient, Mode};
use oxidis_client::{cmd, Connection};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const T: Duration = Duration::from_secs(2);

#[test]
fn channels_patterns_shards_and_resubscribe() {
    each(&[], |name, s| {
        for resp3 in [false, true] {
            let o = if resp3 { opts(s).resp3() } else { opts(s) };
            let mut ps = PubSub::connect(o).unwrap();
            ps.subscribe(&[b"news", b"bin\x00ch"]).unwrap();
            ps.psubscribe(&[b"ev.*"]).unwrap();
            ps.ssubscribe(&[b"shard1"]).unwrap();
            let mut p = Connection::connect(opts(s)).unwrap();
            let n: i64 = p.query(&cmd("PUBLISH").arg("news").arg("hello")).unwrap();
            assert_eq!(n, 1, "{} resp3={}", name, resp3);
            let _: i64 = p.query(&cmd("PUBLISH").arg(b"bin\x00ch").arg(b"\x00\xff")).unwrap();
            let _: i64 = p.query(&cmd("PUBLISH").arg("ev.login").arg("u1")).unwrap();
            let _: i64 = p.query(&cmd("SPUBLISH").arg("shard1").arg("s")).unwrap();
            let m = ps.next_message(T).unwrap().unwrap();
            assert_eq!(
                (m.kind, &m.channel[..], &m.payload[..]),
                (Kind::Channel, &b"news"[..], &b"hello"[..])
            );
            let m = ps.next_message(T).unwrap().unwrap();
            assert_eq!((&m.channel[..], &m.payload[..]), (&b"bin\x00ch"[..], &b"\x00\xff"[..]));
            let m = ps.next_message(T).unwrap().unwrap();
            assert_eq!(
                (m.kind, m.pattern.as_deref(), &m.channel[..]),
                (Kind::Pattern, Some(&b"ev.*"[..]), &b"ev.login"[..])
            );
            let m = ps.next_message(T).unwrap().unwrap();
            assert_eq!((m.kind, &m.payload[..]), (Kind::Shard, &b"s"[..]));
            assert_eq!(ps.next_message(Duration::from_millis(50)).unwrap(), None);
            // Killed: the next read reconnects and subscribes again.
            let id: i64 = {
                let list: String = p.query(&cmd("CLIENT").arg("LIST")).unwrap();
                let line = list.lines().find(|l| l.contains("psub=1")).unwrap().to_string();
                line.split(' ').next().unwrap().trim_start_matches("id=").parse().unwrap()
            };
            let _: i64 = p.query(&cmd("CLIENT").arg("KILL").arg("ID").arg(&id)).unwrap();
            assert_eq!(ps.next_message(Duration::from_millis(200)).unwrap(), None);
            let mut got = None;
            for _ in 0..50 {
                let _: i64 = p.query(&cmd("PUBLISH").arg("ev.again").arg("x")).unwrap();
                if let Some(m) = ps.next_message(Duration::from_millis(50)).unwrap() {
                    got = Some(m);
                    break;
                }
            }
            assert_eq!(got.unwrap().channel, b"ev.again", "{}: not resubscribed", name);
            ps.unsubscribe(&[b"news"]).unwrap();
        }
    });
}

#[test]
fn keyspace_listener_yields_typed_events() {
    each(&[], |name, s| {
        let mut l = KeyspaceListener::new(opts(s), Some("KA"), Some(0), b"user:*").unwrap();
        let mut c = Connection::connect(opts(s)).unwrap();
        let _: () = c.query(&cmd("SET").arg("user:1").arg("a")).unwrap();
        let _: () = c.query(&cmd("SET").arg("other").arg("a")).unwrap();
        let _: i64 = c.query(&cmd("LPUSH").arg("user:2").arg("a")).unwrap();
        let _: i64 = c.query(&cmd("DEL").arg("user:1")).unwrap();
        let evs: Vec<_> = (0..3).map(|_| l.next_event(T).unwrap().expect("event")).collect();
        let got: Vec<_> = evs
            .iter()
            .map(|e| (e.db, String::from_utf8_lossy(&e.key).into_owned(), e.event.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, "user:1".into(), "set".into()),
                (0, "user:2".into(), "lpush".into()),
                (0, "user:1".into(), "del".into())
            ],
            "{}",
            name
        );
    });
}

fn tracking_modes(name: &str, s: &common::Server, resp3: bool) {
    let o = if resp3 { opts(s).resp3() } else { opts(s) };
    let mut w = Connection::connect(opts(s)).unwrap();
    for mode in [Mode::Default, Mode::Bcast(vec![b"c:".to_vec()]), Mode::OptIn] {
        let mut cc = CachingClient::connect(o.clone(), mode.clone(), 100).unwrap();
        let _: () = w.query(&cmd("SET").arg("c:k").arg("1")).unwrap();
        assert_eq!(cc.get(b"c:k").unwrap().as_deref(), Some(&b"1"[..]));
        // In BCAST mode our own SET's invalidation may still be on its way
        // (it then poisons the first fetch): hits come once it has landed.
        for _ in 0..100 {
            if cc.stats().hits > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
            assert_eq!(cc.get(b"c:k").unwrap().as_deref(), Some(&b"1"[..]));
        }
        assert!(cc.stats().hits > 0, "{} {:?} resp3={}", name, mode, resp3);
        let _: () = w.query(&cmd("SET").arg("c:k").arg("2")).unwrap();
        let mut v = None;
        for _ in 0..100 {
            v = cc.get(b"c:k").unwrap();
            if v.as_deref() == Some(&b"2"[..]) {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            v.as_deref(),
            Some(&b"2"[..]),
            "{} {:?} resp3={}: invalidation never applied",
            name,
            mode,
            resp3
        );
        assert!(cc.stats().invalidations >= 1);
        // Bounded.
        for i in 0..300 {
            cc.get(format!("c:n{}", i).as_bytes()).unwrap();
        }
        assert!(cc.len() <= 100);
        // Disconnect: cache flushed, tracking re-enabled.
        let flushes = cc.stats().flushes;
        let id = cc.connection().client_id().unwrap();
        let _: i64 = w.query(&cmd("CLIENT").arg("KILL").arg("ID").arg(&id)).unwrap();
        assert_eq!(cc.get(b"c:k").unwrap().as_deref(), Some(&b"2"[..]));
        assert!(cc.stats().flushes > flushes, "{} {:?}: cache not flushed on reconnect", name, mode);
        let _: () = w.query(&cmd("SET").arg("c:k").arg("3")).unwrap();
        let mut v = None;
        for _ in 0..100 {
            v = cc.get(b"c:k").unwrap();
            if v.as_deref() == Some(&b"3"[..]) {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(v.as_deref(), Some(&b"3"[..]), "{} {:?}: tracking not restored", name, mode);
        let _: () = w.query(&cmd("FLUSHALL")).unwrap();
    }
}

#[test]
fn tracking_modes_resp2_redirect() {
    each(&[], |name, s| tracking_modes(name, s, false));
}

#[test]
fn tracking_modes_resp3_push() {
    each(&[], |name, s| tracking_modes(name, s, true));
}

/// Writers bump a counter; readers through the cache must never go back
/// in time, and must see the final value once the writers stop.
#[test]
fn no_stale_reads_with_concurrent_writers() {
    each(&[], |name, s| {
        for resp3 in [false, true] {
            let stop = Arc::new(AtomicBool::new(false));
            let last = Arc::new(AtomicI64::new(0));
            let writers: Vec<_> = (0..2)
                .map(|_| {
                    let (o, stop, last) = (opts(s), stop.clone(), last.clone());
                    std::thread::spawn(move || {
                        let mut w = Connection::connect(o).unwrap();
                        while !stop.load(Ordering::SeqCst) {
                            let n: i64 = w.query(&cmd("INCR").arg("ctr")).unwrap();
                            last.fetch_max(n, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_micros(300));
                        }
                    })
                })
                .collect();
            let o = if resp3 { opts(s).resp3() } else { opts(s) };
            let mut cc = CachingClient::connect(o, Mode::Default, 10).unwrap();
            while last.load(Ordering::SeqCst) < 5 {
                std::thread::sleep(Duration::from_millis(1));
            }
            let mut prev = 0i64;
            let start = std::time::Instant::now();
            while start.elapsed() < Duration::from_millis(300) {
                let v: i64 = cc
                    .get(b"ctr")
                    .unwrap()
                    .map(|b| String::from_utf8(b).unwrap().parse().unwrap())
                    .unwrap_or(0);
                assert!(v >= prev, "{} resp3={}: read went back from {} to {}", name, resp3, prev, v);
                prev = v;
            }
            stop.store(true, Ordering::SeqCst);
            for t in writers {
                t.join().unwrap();
            }
            let fin = last.load(Ordering::SeqCst);
            let mut v = 0;
            for _ in 0..200 {
                v = cc
                    .get(b"ctr")
                    .unwrap()
                    .map(|b| String::from_utf8(b).unwrap().parse().unwrap())
                    .unwrap_or(0);
                if v == fin {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            assert_eq!(v, fin, "{} resp3={}: stale after writers stopped", name, resp3);
            let st = cc.stats();
            assert!(st.invalidations > 0 && st.hits > 0, "{} {:?}", name, st);
            let mut c = Connection::connect(opts(s)).unwrap();
            let _: () = c.query(&cmd("DEL").arg("ctr")).unwrap();
        }
    });
}
