//! The async API (feature `tokio`): `cargo test -p oxidis-client --features tokio --test aio`.
#![cfg(feature = "tokio")]

mod common;
use common::{each, opts};
use oxidis_client::{cmd, AsyncConnection, Connection, Error, MultiplexedConnection, Pipeline, Script, Value};
use std::time::Duration;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn async_commands_pipelines_transactions_scripts() {
    each(&[], |name, s| {
        rt().block_on(async {
            for resp3 in [false, true] {
                let o = if resp3 { opts(s).resp3() } else { opts(s) };
                let mut c = AsyncConnection::connect(o).await.unwrap();
                let key = b"k\x00\r\n\xff";
                let _: () = c.query(&cmd("SET").arg(key).arg("v\r\n")).await.unwrap();
                let got: Vec<u8> = c.query(&cmd("GET").arg(key)).await.unwrap();
                assert_eq!(got, b"v\r\n", "{}", name);
                let e = c.query::<Value>(&cmd("INCR").arg(key)).await.unwrap_err();
                assert!(matches!(&e, Error::Server(m) if m.starts_with("ERR")), "{} {:?}", name, e);
                let mut p = Pipeline::new();
                p.add(cmd("DEL").arg("n"))
                    .add(cmd("INCR").arg("n"))
                    .add(cmd("INCR").arg(key))
                    .add(cmd("INCRBY").arg("n").arg(&4i64));
                let r = c.pipeline(&p).await.unwrap();
                assert_eq!(r.len(), 4);
                assert_eq!(r[1], Value::Int(1));
                assert!(matches!(r[2], Value::Error(_)), "{} {:?}", name, r);
                assert_eq!(r[3], Value::Int(5));
                let mut p = Pipeline::new();
                p.add(cmd("INCR").arg("n")).add(cmd("GET").arg("n"));
                let r = c.pipeline_atomic(&p).await.unwrap().unwrap();
                assert_eq!(r[0], Value::Int(6), "{}", name);
            }
            // WATCH retry: the first attempt's key is changed by another client.
            let mut c = AsyncConnection::connect(opts(s)).await.unwrap();
            let mut other = Connection::connect(opts(s)).unwrap();
            let _: () = c.query(&cmd("SET").arg("bal").arg("10")).await.unwrap();
            let mut tries = 0;
            let r = c
                .transaction(&["bal"], &[cmd("GET").arg("bal")], 5, |got| {
                    tries += 1;
                    if tries == 1 {
                        let _: i64 = other.query(&cmd("INCRBY").arg("bal").arg("100")).unwrap();
                    }
                    let n: i64 = std::str::from_utf8(got[0].as_bytes().unwrap()).unwrap().parse().unwrap();
                    let mut p = Pipeline::new();
                    p.add(cmd("SET").arg("bal").arg(&(n * 2)));
                    Ok(p)
                })
                .await
                .unwrap();
            assert_eq!(tries, 2, "{}", name);
            assert_eq!(r.len(), 1);
            let bal: i64 = c.query(&cmd("GET").arg("bal")).await.unwrap();
            assert_eq!(bal, 220, "{}", name);
            // Scripts: EVALSHA, EVAL after NOSCRIPT.
            let _: () = c.query(&cmd("SCRIPT").arg("FLUSH")).await.unwrap();
            let sc = Script::new("return redis.call('INCRBY', KEYS[1], ARGV[1])");
            let v: i64 = sc.invoke_async(&mut c, &[&"sc"], &[&7i64]).await.unwrap();
            assert_eq!(v, 7);
            let v: i64 = sc.invoke_async(&mut c, &[&"sc"], &[&1i64]).await.unwrap();
            assert_eq!(v, 8, "{}", name);
        });
    });
}

#[test]
fn async_reconnect_replays_state_and_times_out() {
    each(&[], |name, s| {
        rt().block_on(async {
            let mut o = opts(s).name("first");
            o.read_timeout = Some(Duration::from_millis(300));
            let mut c = AsyncConnection::connect(o).await.unwrap();
            let _: () = c.query(&cmd("SELECT").arg("3")).await.unwrap();
            let _: () = c.query(&cmd("CLIENT").arg("SETNAME").arg("renamed")).await.unwrap();
            let _: () = c.query(&cmd("SET").arg("in3").arg("x")).await.unwrap();
            let id: i64 = c.query(&cmd("CLIENT").arg("ID")).await.unwrap();
            let mut admin = Connection::connect(opts(s)).unwrap();
            let _: i64 = admin.query(&cmd("CLIENT").arg("KILL").arg("ID").arg(&id)).unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
            // At most one call may see the dead socket; then it reconnects.
            let mut got = None;
            for _ in 0..2 {
                match c.query::<Option<Vec<u8>>>(&cmd("GET").arg("in3")).await {
                    Ok(v) => {
                        got = Some(v);
                        break;
                    }
                    Err(e) => assert!(e.is_io(), "{} {:?}", name, e),
                }
            }
            assert_eq!(got, Some(Some(b"x".to_vec())), "{}: SELECT replayed", name);
            assert_eq!(c.generation(), 2);
            let n: String = c.query(&cmd("CLIENT").arg("GETNAME")).await.unwrap();
            assert_eq!(n, "renamed", "{}", name);
            // A reply slower than the read timeout: an I/O error, then a fresh socket.
            let e = c.query::<Value>(&cmd("BLPOP").arg("nothing").arg("1")).await.unwrap_err();
            assert!(
                matches!(&e, Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut),
                "{} {:?}",
                name,
                e
            );
            let v: String = c.query(&cmd("PING")).await.unwrap();
            assert_eq!(v, "PONG");
            assert_eq!(c.generation(), 3);
            // A refused password is not retried.
            let e = AsyncConnection::connect(opts(s).auth(None, "nope")).await.err().unwrap();
            assert!(matches!(e, Error::Server(_)), "{} {:?}", name, e);
        });
    });
}

#[test]
fn multiplexed_100_tasks_with_client_kill() {
    each(&[], |name, s| {
        rt().block_on(async {
            let m = MultiplexedConnection::connect(opts(s)).await.unwrap();
            let id: i64 = m.query(&cmd("CLIENT").arg("ID")).await.unwrap();
            let mut tasks = Vec::new();
            for t in 0..100 {
                let m = m.clone();
                tasks.push(tokio::spawn(async move {
                    let key = format!("task:{}", t);
                    let mut ok = 0;
                    let mut failed = 0;
                    for i in 0..40 {
                        let val = format!("{}:{}", t, i);
                        let mut p = Pipeline::new();
                        p.add(cmd("SET").arg(&key).arg(&val)).add(cmd("GET").arg(&key));
                        match m.pipeline(&p).await {
                            Ok(r) => {
                                assert_eq!(r[1], Value::Bulk(val.into_bytes()), "replies out of order");
                                ok += 1;
                            }
                            Err(e) => {
                                assert!(e.is_io(), "{:?}", e);
                                failed += 1;
                            }
                        }
                        let got: String = match m.query(&cmd("ECHO").arg(&key)).await {
                            Ok(v) => v,
                            Err(e) => {
                                assert!(e.is_io(), "{:?}", e);
                                failed += 1;
                                continue;
                            }
                        };
                        assert_eq!(got, key, "replies out of order");
                        if i % 8 == 0 {
                            tokio::task::yield_now().await;
                        }
                    }
                    (ok, failed)
                }));
            }
            // Kill the shared socket while the tasks run.
            tokio::time::sleep(Duration::from_millis(5)).await;
            let mut admin = Connection::connect(opts(s)).unwrap();
            let killed: i64 = admin.query(&cmd("CLIENT").arg("KILL").arg("ID").arg(&id)).unwrap();
            assert_eq!(killed, 1, "{}", name);
            let (mut ok, mut failed) = (0, 0);
            for t in tasks {
                let (o, f) = t.await.unwrap();
                ok += o;
                failed += f;
            }
            assert!(ok > 0, "{}", name);
            assert!(m.generation() >= 2, "{}: reconnected (ok {} failed {})", name, ok, failed);
            let v: String = m.query(&cmd("GET").arg("task:7")).await.unwrap();
            assert_eq!(v, "7:39", "{}", name);
        });
    });
}
