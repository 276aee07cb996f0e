//! Connection, codec, pipelines, transactions, scripts, reconnection, pool.

mod common;
use common::{each, opts};
use oxidis_client::{cmd, Connection, Error, Pool, Script, Value};
use std::time::{Duration, Instant};

#[test]
fn typed_replies_resp2_and_resp3() {
    each(&[], |name, s| {
        for resp3 in [false, true] {
            let o = if resp3 { opts(s).resp3() } else { opts(s) };
            let mut c = Connection::connect(o).unwrap();
            let key = b"k\x00\r\n\xff";
            let val = b"v\r\n\x00\x01";
            let _: () = c.query(&cmd("SET").arg(key).arg(val)).unwrap();
            let got: Vec<u8> = c.query(&cmd("GET").arg(key)).unwrap();
            assert_eq!(got, val, "{}", name);
            let none: Option<Vec<u8>> = c.query(&cmd("GET").arg("missing")).unwrap();
            assert_eq!(none, None);
            let n: i64 = c.query(&cmd("INCRBY").arg("n").arg(&5i64)).unwrap();
            assert_eq!(n, 5);
            let _: i64 = c.query(&cmd("HSET").arg("h").arg("f").arg("v")).unwrap();
            let h: Value = c.query(&cmd("HGETALL").arg("h")).unwrap();
            let _: i64 = c.query(&cmd("ZADD").arg("z").arg("1.5").arg("m")).unwrap();
            let score: Value = c.query(&cmd("ZSCORE").arg("z").arg("m")).unwrap();
            if resp3 {
                assert_eq!(
                    h,
                    Value::Map(vec![(Value::Bulk(b"f".to_vec()), Value::Bulk(b"v".to_vec()))]),
                    "{}",
                    name
                );
                assert_eq!(score, Value::Double(1.5), "{}", name);
            } else {
                assert_eq!(h, Value::Array(vec![Value::Bulk(b"f".to_vec()), Value::Bulk(b"v".to_vec())]));
                assert_eq!(score, Value::Bulk(b"1.5".to_vec()));
            }
            let f: f64 = c.query(&cmd("ZSCORE").arg("z").arg("m")).unwrap();
            assert_eq!(f, 1.5);
            match c.query::<Value>(&cmd("LPUSH").arg(key).arg("x")) {
                Err(e) => assert_eq!(e.code(), Some("WRONGTYPE"), "{}", name),
                other => panic!("{:?}", other),
            }
            let _: () = c.query(&cmd("FLUSHALL")).unwrap();
        }
    });
}

#[test]
fn pipeline_keeps_order_and_errors() {
    each(&[], |name, s| {
        let mut c = Connection::connect(opts(s)).unwrap();
        let mut p = c.pipeline();
        for i in 0..500 {
            p.add(cmd("SET").arg(&format!("k{}", i)).arg(&i));
        }
        p.add(cmd("GET").arg("k499")).add(cmd("INCR").arg("k1")).add(cmd("NOSUCHCMD"));
        let r = p.run(&mut c).unwrap();
        assert_eq!(r.len(), 503);
        assert_eq!(r[500], Value::Bulk(b"499".to_vec()), "{}", name);
        assert_eq!(r[501], Value::Int(2));
        assert!(
            matches!(&r[502], Value::Error(e) if e.starts_with(b"ERR unknown command")),
            "{:?}",
            r[502]
        );
        // Atomic: queued error aborts.
        let mut p = c.pipeline();
        p.add(cmd("SET").arg("a").arg("1")).add(cmd("INCR").arg("a"));
        assert_eq!(
            p.run_atomic(&mut c).unwrap(),
            Some(vec![Value::Status(b"OK".to_vec()), Value::Int(2)])
        );
        let mut bad = c.pipeline();
        bad.add(cmd("SET").arg("a")).add(cmd("INCR").arg("a"));
        assert!(matches!(bad.run_atomic(&mut c), Err(Error::Server(m)) if m.contains("wrong number of arguments")));
        let a: i64 = c.query(&cmd("GET").arg("a")).unwrap();
        assert_eq!(a, 2);
    });
}

#[test]
fn watch_retry_transaction_under_contention() {
    each(&[], |name, s| {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let o = opts(s);
                std::thread::spawn(move || {
                    let mut c = Connection::connect(o).unwrap();
                    for _ in 0..50 {
                        c.transaction(&["counter"], 1000, |c| {
                            let cur: Option<i64> = c.query(&cmd("GET").arg("counter"))?;
                            let mut p = c.pipeline();
                            p.add(cmd("SET").arg("counter").arg(&(cur.unwrap_or(0) + 1)));
                            Ok(p)
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let mut c = Connection::connect(opts(s)).unwrap();
        let n: i64 = c.query(&cmd("GET").arg("counter")).unwrap();
        assert_eq!(n, 200, "{}: lost updates", name);
    });
}

#[test]
fn script_by_sha_falls_back_to_eval() {
    each(&[], |name, s| {
        let mut c = Connection::connect(opts(s)).unwrap();
        let sc = Script::new("return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}");
        let _: () = c.query(&cmd("SCRIPT").arg("FLUSH")).unwrap();
        let r: (Vec<u8>, Vec<u8>, i64) = sc.invoke(&mut c, &[&"cnt"], &[&b"\x00x"]).unwrap();
        assert_eq!(r, (b"cnt".to_vec(), b"\x00x".to_vec(), 1), "{}", name);
        // Now cached: EVALSHA succeeds directly.
        let exists: Vec<i64> = c.query(&cmd("SCRIPT").arg("EXISTS").arg(sc.sha())).unwrap();
        assert_eq!(exists, vec![1], "{}: EVAL must have cached the script under our SHA", name);
        let r: (Vec<u8>, Vec<u8>, i64) = sc.invoke(&mut c, &[&"cnt"], &[&"y"]).unwrap();
        assert_eq!(r.2, 2);
        let _: () = c.query(&cmd("SCRIPT").arg("FLUSH")).unwrap();
        sc.load(&mut c).unwrap();
        let bad = Script::new("return redis.call('NOSUCH')");
        assert!(matches!(bad.invoke::<Value>(&mut c, &[], &[]), Err(Error::Server(_))));
    });
}

#[test]
fn reconnect_restores_db_name_and_auth() {
    each(&["--requirepass", "pw"], |name, s| {
        for resp3 in [false, true] {
            let mut admin = Connection::connect(opts(s).auth(None, "pw")).unwrap();
            let _: () = admin
                .query(&cmd("ACL").arg("SETUSER").arg("app").arg("on").arg(">apppw").arg("~*").arg("+@all"))
                .unwrap();
            let mut o = opts(s).auth(Some("app"), "apppw").db(2).name("worker-1");
            if resp3 {
                o = o.resp3();
            }
            let mut c = Connection::connect(o).unwrap();
            let _: () = c.query(&cmd("SELECT").arg("5")).unwrap();
            let _: () = c.query(&cmd("CLIENT").arg("SETNAME").arg("renamed")).unwrap();
            let g0 = c.generation();
            let id = c.client_id().unwrap();
            let killed: i64 = admin.query(&cmd("CLIENT").arg("KILL").arg("ID").arg(&id)).unwrap();
            assert_eq!(killed, 1);
            // The next call notices the close, reconnects and replays state.
            let who: String = c.query(&cmd("ACL").arg("WHOAMI")).unwrap();
            assert_eq!(who, "app", "{}", name);
            assert!(c.generation() > g0);
            assert_ne!(c.client_id().unwrap(), id);
            let nm: String = c.query(&cmd("CLIENT").arg("GETNAME")).unwrap();
            assert_eq!(nm, "renamed", "{}", name);
            let _: () = c.query(&cmd("SET").arg("where").arg("here")).unwrap();
            let _: () = admin.query(&cmd("SELECT").arg("5")).unwrap();
            let w: Option<String> = admin.query(&cmd("GET").arg("where")).unwrap();
            assert_eq!(w.as_deref(), Some("here"), "{}: SELECT 5 not restored", name);
            let _: () = admin.query(&cmd("FLUSHALL")).unwrap();
        }
        // A wrong password is an error, not an endless retry.
        let t = Instant::now();
        assert!(matches!(Connection::connect(opts(s).auth(None, "wrong")), Err(Error::Server(_))));
        assert!(t.elapsed() < Duration::from_secs(1));
    });
}

#[test]
fn read_timeout_drops_the_connection_and_recovers() {
    each(&[], |name, s| {
        let mut c = Connection::connect(opts(s).read_timeout(Some(Duration::from_millis(200)))).unwrap();
        let t = Instant::now();
        let r = c.query::<Value>(&cmd("BLPOP").arg("nokey").arg("0.6"));
        assert!(matches!(r, Err(Error::Io(_))), "{}: {:?}", name, r);
        assert!(t.elapsed() < Duration::from_millis(550));
        std::thread::sleep(Duration::from_millis(500));
        let pong: String = c.query(&cmd("PING")).unwrap();
        assert_eq!(pong, "PONG");
    });
}

#[test]
fn reconnect_backoff_waits_for_a_restarted_server() {
    let (_, bin) = common::binaries().remove(0);
    let mut s = common::start(&bin, &[]);
    let port = s.port();
    let mut o = opts(&s);
    o.backoff.attempts = 3;
    o.backoff.base = Duration::from_millis(10);
    let mut c = Connection::connect(o).unwrap();
    s.kill9();
    let t = Instant::now();
    assert!(c.query::<Value>(&cmd("PING")).is_err());
    assert!(t.elapsed() >= Duration::from_millis(25), "backoff did not wait");
    let _ = port;
}

#[test]
fn pool_bounds_connections() {
    each(&[], |name, s| {
        let pool = Pool::new(opts(s), 3);
        let ts: Vec<_> = (0..8)
            .map(|i| {
                let pool = pool.clone();
                std::thread::spawn(move || {
                    for j in 0..50 {
                        let mut c = pool.get().unwrap();
                        let _: i64 = c.query(&cmd("INCR").arg("hits")).unwrap();
                        let _: () = c.query(&cmd("SET").arg(&format!("t{}", i)).arg(&j)).unwrap();
                    }
                })
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
        assert!(pool.open_count() <= 3, "{}", name);
        let n: i64 = pool.get().unwrap().query(&cmd("GET").arg("hits")).unwrap();
        assert_eq!(n, 400);
        let clients: String = pool.get().unwrap().query(&cmd("CLIENT").arg("LIST")).unwrap();
        assert!(clients.lines().count() <= 3, "{}", clients);
    });
}

/// A fake server answering every command with `reply`.
fn fake_server(reply: &'static [u8]) -> u16 {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 || s.write_all(reply).is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

#[test]
fn hostile_server_replies_are_errors_not_panics() {
    let cases: &[&'static [u8]] = &[b"?what\r\n", b"$99999999999999\r\n", b"*1\r\n:1x\r\n", b"$3\r\nabcXY", b"+ok\n"];
    for reply in cases {
        let port = fake_server(reply);
        let mut c = Connection::connect(oxidis_client::ConnectOptions::new(format!("127.0.0.1:{}", port))).unwrap();
        let r = c.query::<Value>(&cmd("PING"));
        assert!(
            matches!(r, Err(Error::Protocol(_))),
            "{:?} -> {:?}",
            String::from_utf8_lossy(reply),
            r
        );
        assert!(!c.is_connected(), "a desynchronised stream must be dropped");
    }
    // A reply cut short by a closing server is an I/O error.
    let port = fake_server(b"$10\r\nabc");
    let mut c = Connection::connect(
        oxidis_client::ConnectOptions::new(format!("127.0.0.1:{}", port)).read_timeout(Some(Duration::from_millis(200))),
    )
    .unwrap();
    assert!(matches!(c.query::<Value>(&cmd("PING")), Err(Error::Io(_))));
}
