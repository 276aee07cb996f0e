//! Concurrency tests for the patterns, against Oxidis and redis-server.

mod common;
use common::{each, opts};
use oxidis_client::patterns::cache::CacheAside;
use oxidis_client::patterns::lock::{Lock, Redlock};
use oxidis_client::patterns::queue::{ReliableQueue, StreamQueue};
use oxidis_client::patterns::ratelimit::Limiter;
use oxidis_client::{cmd, Connection};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn lock_is_exclusive_with_increasing_fences() {
    each(&[], |name, s| {
        let inside = Arc::new(AtomicUsize::new(0));
        let fences = Arc::new(Mutex::new(Vec::new()));
        let ts: Vec<_> = (0..20)
            .map(|_| {
                let (o, inside, fences) = (opts(s), inside.clone(), fences.clone());
                std::thread::spawn(move || {
                    let mut c = Connection::connect(o).unwrap();
                    for _ in 0..5 {
                        let l = Lock::acquire(&mut c, b"res", Duration::from_secs(5), Duration::from_secs(20))
                            .unwrap()
                            .expect("lock");
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders at once");
                        fences.lock().unwrap().push(l.fence());
                        std::thread::sleep(Duration::from_millis(1));
                        inside.fetch_sub(1, Ordering::SeqCst);
                        assert!(l.release(&mut c).unwrap());
                    }
                })
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
        let f = fences.lock().unwrap();
        assert_eq!(f.len(), 100, "{}", name);
        assert!(
            f.windows(2).all(|w| w[0] < w[1]),
            "{}: fences not increasing in holding order",
            name
        );
        // Safe release / extend: an expired holder cannot touch the next one's lock.
        let mut c = Connection::connect(opts(s)).unwrap();
        let mut a = Lock::try_acquire(&mut c, b"short", Duration::from_millis(50)).unwrap().unwrap();
        assert!(Lock::try_acquire(&mut c, b"short", Duration::from_secs(1)).unwrap().is_none());
        std::thread::sleep(Duration::from_millis(120));
        let b = Lock::try_acquire(&mut c, b"short", Duration::from_secs(5)).unwrap().unwrap();
        assert!(b.fence() > a.fence());
        assert!(!a.extend(&mut c, Duration::from_secs(5)).unwrap());
        assert!(!a.clone().release(&mut c).unwrap());
        let mut b2 = b.clone();
        assert!(b2.extend(&mut c, Duration::from_secs(9)).unwrap());
        let pttl: i64 = c.query(&cmd("PTTL").arg("short")).unwrap();
        assert!(pttl > 5000);
        assert!(b.release(&mut c).unwrap());
    });
}

#[test]
fn redlock_majority_and_exclusion() {
    let (_, bin) = common::binaries().remove(0);
    let mut servers: Vec<_> = (0..3).map(|_| common::start(&bin, &[])).collect();
    let conns = |servers: &Vec<common::Server>| servers.iter().map(|s| Connection::connect(opts(s)).unwrap()).collect::<Vec<_>>();
    let inside = Arc::new(AtomicUsize::new(0));
    let held = Arc::new(AtomicUsize::new(0));
    let ts: Vec<_> = (0..8)
        .map(|_| {
            let (cs, inside, held) = (conns(&servers), inside.clone(), held.clone());
            std::thread::spawn(move || {
                let mut rl = Redlock::new(cs).unwrap();
                for _ in 0..5 {
                    let g = rl
                        .lock(b"rl", Duration::from_secs(5), Duration::from_secs(30))
                        .unwrap()
                        .expect("redlock");
                    assert!(g.valid_until > Instant::now());
                    assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two Redlock holders");
                    std::thread::sleep(Duration::from_millis(1));
                    inside.fetch_sub(1, Ordering::SeqCst);
                    held.fetch_add(1, Ordering::SeqCst);
                    rl.unlock(g);
                }
            })
        })
        .collect();
    for t in ts {
        t.join().unwrap();
    }
    assert_eq!(held.load(Ordering::SeqCst), 40);
    // One server down: 2 of 3 is still a majority; two down is not.
    let mut rl = Redlock::new(conns(&servers)).unwrap();
    servers[0].kill9();
    let g = rl.try_lock(b"x", Duration::from_secs(2)).unwrap().expect("majority of 2/3");
    rl.unlock(g);
    servers[1].kill9();
    assert!(rl.try_lock(b"x", Duration::from_secs(2)).unwrap().is_none());
}

#[test]
fn limiters_never_admit_more_than_quota() {
    each(&[], |name, s| {
        let limiters = [
            Limiter::FixedWindow {
                limit: 30,
                window: Duration::from_secs(20),
            },
            Limiter::SlidingLog {
                limit: 30,
                window: Duration::from_secs(20),
            },
            Limiter::SlidingCounter {
                limit: 30,
                window: Duration::from_secs(20),
            },
            Limiter::Gcra {
                limit: 30,
                period: Duration::from_secs(20),
            },
        ];
        for (i, lim) in limiters.into_iter().enumerate() {
            let key = format!("rl{}", i);
            let admitted = Arc::new(AtomicUsize::new(0));
            let ts: Vec<_> = (0..50)
                .map(|_| {
                    let (o, key, admitted) = (opts(s), key.clone(), admitted.clone());
                    std::thread::spawn(move || {
                        let mut c = Connection::connect(o).unwrap();
                        for _ in 0..2 {
                            let d = lim.check(&mut c, key.as_bytes()).unwrap();
                            if d.allowed {
                                admitted.fetch_add(1, Ordering::SeqCst);
                            } else {
                                assert_eq!(d.remaining, 0);
                                assert!(d.reset > Duration::ZERO && d.reset <= Duration::from_secs(20), "{:?}", d);
                            }
                        }
                    })
                })
                .collect();
            for t in ts {
                t.join().unwrap();
            }
            let n = admitted.load(Ordering::SeqCst);
            // The sliding counter may start inside a window whose previous
            // one is empty: it admits exactly the limit, like the others.
            assert_eq!(n, 30, "{}: {:?} admitted {}", name, lim, n);
        }
        // Remaining and refill.
        let mut c = Connection::connect(opts(s)).unwrap();
        let lim = Limiter::Gcra {
            limit: 4,
            period: Duration::from_millis(400),
        };
        let ds: Vec<_> = (0..5).map(|_| lim.check(&mut c, b"g").unwrap()).collect();
        assert_eq!(
            ds.iter().map(|d| d.remaining).collect::<Vec<_>>()[..4],
            [3, 2, 1, 0],
            "{}: {:?}",
            name,
            ds
        );
        assert!(!ds[4].allowed);
        std::thread::sleep(ds[4].reset + Duration::from_millis(20));
        assert!(lim.check(&mut c, b"g").unwrap().allowed, "{}: GCRA did not refill", name);
        let lim = Limiter::FixedWindow {
            limit: 2,
            window: Duration::from_millis(200),
        };
        assert_eq!(lim.check(&mut c, b"f").unwrap().remaining, 1);
        assert!(lim.check(&mut c, b"f").unwrap().allowed);
        let d = lim.check(&mut c, b"f").unwrap();
        assert!(!d.allowed);
        std::thread::sleep(d.reset + Duration::from_millis(20));
        assert!(lim.check(&mut c, b"f").unwrap().allowed);
    });
}

#[test]
fn reliable_queue_redelivers_after_a_crash() {
    each(&[], |name, s| {
        let q = ReliableQueue::new("jobs", Duration::from_millis(300));
        let mut c = Connection::connect(opts(s)).unwrap();
        let total = 200;
        for i in 0..total {
            q.push(&mut c, format!("job-{}", i).as_bytes()).unwrap();
        }
        // A worker that takes 10 jobs and dies without acknowledging them.
        let mut crash = Connection::connect(opts(s)).unwrap();
        let lost: Vec<_> = (0..10)
            .map(|_| q.receive(&mut crash, Duration::from_millis(100)).unwrap().unwrap())
            .collect();
        drop(crash);
        let done = Arc::new(Mutex::new(HashMap::<Vec<u8>, usize>::new()));
        let ts: Vec<_> = (0..6)
            .map(|w| {
                let (o, q, done) = (opts(s), q.clone(), done.clone());
                std::thread::spawn(move || {
                    let mut c = Connection::connect(o).unwrap();
                    let start = Instant::now();
                    while start.elapsed() < Duration::from_secs(10) {
                        if w == 0 {
                            q.requeue_expired(&mut c).unwrap();
                        }
                        match q.receive(&mut c, Duration::from_millis(50)).unwrap() {
                            Some(job) => {
                                *done.lock().unwrap().entry(job.payload.clone()).or_default() += 1;
                                assert!(q.ack(&mut c, &job).unwrap());
                            }
                            None if done.lock().unwrap().len() == total => return,
                            None => {}
                        }
                    }
                })
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
        let d = done.lock().unwrap();
        assert_eq!(d.len(), total, "{}: not every job processed", name);
        assert!(d.values().all(|&n| n == 1), "{}: a job was processed twice", name);
        assert!(lost.iter().all(|j| d.contains_key(&j.payload)));
        assert_eq!(q.lengths(&mut c).unwrap(), (0, 0));
    });
}

#[test]
fn stream_queue_claims_stuck_and_dead_letters_poison() {
    each(&[], |name, s| {
        let q = StreamQueue::new("events", "workers", 3);
        let mut c = Connection::connect(opts(s)).unwrap();
        q.create(&mut c).unwrap();
        q.create(&mut c).unwrap();
        let total = 100;
        for i in 0..total {
            q.push(&mut c, format!("m{}", i).as_bytes()).unwrap();
        }
        q.push(&mut c, b"poison").unwrap();
        let crashed = q.receive(&mut c, "crasher", 7, Duration::from_millis(100)).unwrap();
        assert_eq!(crashed.len(), 7, "{}", name);
        let done = Arc::new(Mutex::new(HashMap::<Vec<u8>, usize>::new()));
        let ts: Vec<_> = (0..4)
            .map(|w| {
                let (o, q, done) = (opts(s), q.clone(), done.clone());
                std::thread::spawn(move || {
                    let mut c = Connection::connect(o).unwrap();
                    let me = format!("w{}", w);
                    let start = Instant::now();
                    while start.elapsed() < Duration::from_secs(15) {
                        let (mut msgs, _) = q.reclaim(&mut c, &me, Duration::from_millis(150), 10).unwrap();
                        msgs.extend(q.receive(&mut c, &me, 10, Duration::from_millis(50)).unwrap());
                        for m in msgs {
                            if m.payload == b"poison" {
                                continue; // always fails: never acknowledged
                            }
                            *done.lock().unwrap().entry(m.payload.clone()).or_default() += 1;
                            assert!(q.ack(&mut c, &m.id).unwrap());
                        }
                        let dead: i64 = c.query(&cmd("XLEN").arg(q.dead_letter_key())).unwrap();
                        if done.lock().unwrap().len() == total && dead == 1 {
                            return;
                        }
                    }
                })
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
        let d = done.lock().unwrap();
        assert_eq!(d.len(), total, "{}: not every message processed", name);
        assert!(d.values().all(|&n| n == 1), "{}: duplicate processing", name);
        let dead: oxidis_client::Value = c.query(&cmd("XRANGE").arg(q.dead_letter_key()).arg("-").arg("+")).unwrap();
        let flat = format!("{:?}", dead);
        assert!(
            flat.contains("112, 111, 105, 115, 111, 110"),
            "{}: poison not dead-lettered: {}",
            name,
            flat
        );
        let pending: oxidis_client::Value = c.query(&cmd("XPENDING").arg("events").arg("workers")).unwrap();
        assert_eq!(pending.into_items().unwrap()[0], oxidis_client::Value::Int(0), "{}", name);
    });
}

#[test]
fn cache_aside_loads_once_under_a_stampede() {
    each(&[], |name, s| {
        let cache = CacheAside {
            ttl: Duration::from_millis(300),
            jitter: Duration::from_millis(50),
            stale: Duration::from_secs(5),
            lock_ttl: Duration::from_secs(3),
        };
        let loads = Arc::new(AtomicUsize::new(0));
        let run = |round: usize| {
            let ts: Vec<_> = (0..30)
                .map(|_| {
                    let (o, cache, loads) = (opts(s), cache.clone(), loads.clone());
                    std::thread::spawn(move || {
                        let mut c = Connection::connect(o).unwrap();
                        cache
                            .get_or_load(&mut c, b"user:1", || {
                                loads.fetch_add(1, Ordering::SeqCst);
                                std::thread::sleep(Duration::from_millis(100));
                                Ok(format!("v{}", round).into_bytes())
                            })
                            .unwrap()
                    })
                })
                .collect();
            ts.into_iter().map(|t| t.join().unwrap()).collect::<Vec<_>>()
        };
        let first = run(1);
        assert_eq!(loads.load(Ordering::SeqCst), 1, "{}: stampede loaded more than once", name);
        assert!(first.iter().all(|v| v == b"v1"));
        // Stale: one refresh, the others are served the stale value at once.
        std::thread::sleep(Duration::from_millis(400));
        let second = run(2);
        assert_eq!(loads.load(Ordering::SeqCst), 2, "{}: stale refresh not single", name);
        assert!(second.iter().all(|v| v == b"v1" || v == b"v2"));
        let mut c = Connection::connect(opts(s)).unwrap();
        let v = cache.get_or_load(&mut c, b"user:1", || Ok(b"never".to_vec())).unwrap();
        assert_eq!(v, b"v2");
        cache.write_through(&mut c, b"user:1", b"v3", |_| Ok(())).unwrap();
        assert_eq!(cache.get_or_load(&mut c, b"user:1", || Ok(b"never".to_vec())).unwrap(), b"v3");
        assert!(cache
            .write_through(&mut c, b"user:1", b"v4", |_| Err(oxidis_client::Error::Other("db down".into())))
            .is_err());
        assert_eq!(cache.get_or_load(&mut c, b"user:1", || Ok(b"never".to_vec())).unwrap(), b"v3");
    });
}
