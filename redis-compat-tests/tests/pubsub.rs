//! Pub/Sub under pressure and transactions under contention:
//! - a subscriber that never reads is disconnected once its output buffer
//!   passes the `client-output-buffer-limit pubsub` hard limit, in RESP2
//!   and RESP3, while the publisher and other clients keep being served;
//! - the soft limit disconnects a subscriber that stays above it for
//!   longer than its seconds;
//! - WATCH/MULTI/EXEC optimistic locking between racing clients never
//!   loses an update.

use redis_compat_tests::*;
use std::time::{Duration, Instant};

/// Publishes `msg` to `channel` in pipelined batches until `done` says
/// so; returns how many messages went out. Panics if the server stops
/// answering the publisher (it must never block on a slow subscriber).
fn publish_until(publisher: &mut Conn, channel: &[u8], msg: &[u8], mut done: impl FnMut() -> bool) -> usize {
    let start = Instant::now();
    let mut sent = 0;
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "slow subscriber was never disconnected ({sent} messages published)"
        );
        let mut batch = Vec::new();
        for _ in 0..64 {
            batch.extend_from_slice(&encode_cmd(&[b"PUBLISH", channel, msg]));
        }
        publisher.send_raw(&batch);
        let replies = parse_all_frames(&publisher.read_raw_replies(64)).expect("publish replies");
        assert_eq!(replies.len(), 64);
        for r in &replies {
            assert!(!r.is_error(), "PUBLISH failed: {r:?}");
        }
        sent += 64;
    }
    sent
}

fn numsub(c: &mut Conn, channel: &str) -> i64 {
    let r = c.cmd_str(&format!("PUBSUB NUMSUB {channel}"));
    r.array()[1].int()
}

fn slow_subscriber_is_disconnected(resp3: bool) {
    let srv = Server::start(&[]);
    let mut admin = srv.conn();
    assert_eq!(
        admin
            .cmd(&[b"CONFIG", b"SET", b"client-output-buffer-limit", b"pubsub 1mb 0 0"])
            .str(),
        "OK"
    );

    let mut sub = srv.conn();
    if resp3 {
        assert!(!sub.cmd_str("HELLO 3").is_error());
    }
    let confirm = sub.cmd_str("SUBSCRIBE news");
    assert_eq!(confirm.array()[0].str(), "subscribe");
    // A healthy subscriber on the same channel keeps receiving.
    let mut healthy = srv.conn();
    healthy.cmd_str("SUBSCRIBE news");
    assert_eq!(numsub(&mut admin, "news"), 2);

    let mut publisher = srv.conn();
    let payload = vec![b'x'; 4096];
    let mut healthy_seen = 0usize;
    let mut check = 0u32;
    let sent = publish_until(&mut publisher, b"news", &payload, || {
        // Drain the healthy subscriber so only `sub` lags behind.
        healthy.set_read_timeout(Duration::from_millis(1));
        while healthy.try_read_raw_reply().is_some() {
            healthy_seen += 1;
        }
        check += 1;
        check.is_multiple_of(4) && numsub(&mut admin, "news") < 2
    });
    healthy.set_read_timeout(Duration::from_secs(10));
    // The lagging subscriber is gone; the healthy one is still there.
    assert_eq!(numsub(&mut admin, "news"), 1);
    let list = admin.cmd_str("CLIENT LIST TYPE pubsub").str();
    assert_eq!(list.lines().count(), 1, "{list}");
    // Far more than the limit's worth went out without the publisher
    // ever being refused or blocked, and others are still served.
    assert!(sent * payload.len() > 1024 * 1024);
    assert_eq!(admin.cmd_str("PING").str(), "PONG");
    assert_eq!(publisher.cmd_str("PUBLISH news last").int(), 1);
    // The healthy subscriber got every message in order, ending with "last".
    let mut last = Vec::new();
    while healthy_seen < sent + 1 {
        last = healthy.read_raw_reply();
        healthy_seen += 1;
    }
    assert!(last.ends_with(b"$4\r\nlast\r\n"), "{}", escape(&last));
    // The disconnected client's socket is closed (after what was already
    // in flight).
    sub.set_read_timeout(Duration::from_secs(10));
    let rest = sub.read_to_close(Duration::from_secs(10));
    assert!(!rest.is_empty());
}

#[test]
fn slow_subscriber_disconnected_at_hard_limit_resp2() {
    slow_subscriber_is_disconnected(false);
}

#[test]
fn slow_subscriber_disconnected_at_hard_limit_resp3() {
    slow_subscriber_is_disconnected(true);
}

#[test]
fn soft_limit_needs_to_last() {
    let srv = Server::start(&[]);
    let mut admin = srv.conn();
    // Soft limit 64kb for 2 seconds, no hard limit.
    assert_eq!(
        admin
            .cmd(&[b"CONFIG", b"SET", b"client-output-buffer-limit", b"pubsub 0 64kb 2"])
            .str(),
        "OK"
    );
    let mut sub = srv.conn();
    sub.cmd_str("SUBSCRIBE ch");
    let mut publisher = srv.conn();
    let payload = vec![b'y'; 16 * 1024];
    // Fill well past the soft limit (and the socket buffers), then stop.
    let start = Instant::now();
    let mut overflow_seen = false;
    while start.elapsed() < Duration::from_secs(20) {
        for _ in 0..16 {
            publisher.cmd(&[b"PUBLISH", b"ch", &payload]);
        }
        let line = admin.cmd_str("CLIENT LIST TYPE pubsub").str();
        let omem: u64 = line
            .split(' ')
            .find_map(|f| f.strip_prefix("omem="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if omem > 64 * 1024 {
            overflow_seen = true;
            break;
        }
    }
    assert!(overflow_seen, "output buffer never passed the soft limit");
    // Still connected right away: the soft limit must last 2 seconds.
    assert_eq!(numsub(&mut admin, "ch"), 1);
    // Keep it above the limit; it is dropped after the soft seconds.
    let deadline = Instant::now() + Duration::from_secs(15);
    while numsub(&mut admin, "ch") == 1 {
        assert!(Instant::now() < deadline, "soft limit never enforced");
        publisher.cmd(&[b"PUBLISH", b"ch", &payload]);
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(admin.cmd_str("PING").str(), "PONG");
}

/// Two clients increment the same counter with WATCH/GET/MULTI/SET/EXEC,
/// retrying when EXEC returns nil. Every successful EXEC must count and no
/// update may be lost; with real contention some EXECs must fail.
#[test]
fn watch_race_between_clients_resp2() {
    watch_race_between_clients(false);
}

#[test]
fn watch_race_between_clients_resp3() {
    watch_race_between_clients(true);
}

fn watch_race_between_clients(resp3: bool) {
    let srv = Server::start(&[]);
    let port = srv.port();
    srv.conn().cmd_str("SET counter 0");
    const PER_CLIENT: usize = 300;
    let workers: Vec<_> = (0..2)
        .map(|_| {
            std::thread::spawn(move || {
                let mut c = Conn::connect(port);
                if resp3 {
                    assert!(!c.cmd_str("HELLO 3").is_error());
                }
                let (mut done, mut aborted) = (0usize, 0usize);
                while done < PER_CLIENT {
                    assert_eq!(c.cmd_str("WATCH counter").str(), "OK");
                    let v: i64 = c.cmd_str("GET counter").str().parse().expect("integer counter");
                    // Widen the race window a little.
                    std::thread::yield_now();
                    c.send_raw(
                        &[
                            encode_cmd(&[b"MULTI"]),
                            encode_cmd(&[b"SET", b"counter", (v + 1).to_string().as_bytes()]),
                            encode_cmd(&[b"EXEC"]),
                        ]
                        .concat(),
                    );
                    let replies = parse_all_frames(&c.read_raw_replies(3)).expect("replies");
                    assert_eq!(replies[0].str(), "OK");
                    assert_eq!(replies[1].str(), "QUEUED");
                    match &replies[2] {
                        Reply::Bulk(None) | Reply::Array(None) | Reply::Null => aborted += 1,
                        r => {
                            assert_eq!(r.array().len(), 1, "{r:?}");
                            done += 1;
                        }
                    }
                }
                aborted
            })
        })
        .collect();
    let aborted: usize = workers.into_iter().map(|w| w.join().expect("worker")).sum();
    let mut c = srv.conn();
    assert_eq!(c.cmd_str("GET counter").str(), (2 * PER_CLIENT).to_string());
    // Not a timing claim: with two clients interleaving 600 read-modify-
    // write cycles on one key, at least one conflict is all but certain.
    assert!(aborted > 0, "no EXEC was ever aborted: WATCH did not detect the race");
}

/// A key modified by another client between WATCH and EXEC aborts the
/// transaction, including through expiry, DEL, FLUSHALL and SWAPDB.
#[test]
fn watch_invalidated_by_other_clients() {
    let srv = Server::start(&[]);
    let mut a = srv.conn();
    let mut b = srv.conn();
    let cases: &[(&str, &str)] = &[
        ("SET k v", "SET k other"),
        ("SET k v", "DEL k"),
        ("SET k v", "FLUSHALL"),
        ("SET k v", "SWAPDB 0 1"),
        ("SET k v", "EXPIRE k 100"),
        ("SET k v", "RENAME k k2"),
    ];
    for (setup, interfere) in cases {
        a.cmd_str("FLUSHALL");
        a.cmd_str("SELECT 1");
        a.cmd_str("FLUSHDB");
        a.cmd_str("SELECT 0");
        a.cmd_str(setup);
        assert_eq!(a.cmd_str("WATCH k").str(), "OK");
        assert!(!b.cmd_str(interfere).is_error(), "{interfere}");
        assert_eq!(a.cmd_str("MULTI").str(), "OK");
        assert_eq!(a.cmd_str("PING").str(), "QUEUED");
        let r = a.cmd_str("EXEC");
        assert!(
            matches!(r, Reply::Bulk(None) | Reply::Array(None) | Reply::Null),
            "EXEC after {interfere} should abort, got {r:?}"
        );
    }
    // Untouched: EXEC runs.
    a.cmd_str("SET k v");
    a.cmd_str("WATCH k");
    b.cmd_str("SET unrelated 1");
    a.cmd_str("MULTI");
    a.cmd_str("GET k");
    assert_eq!(a.cmd_str("EXEC").array()[0].str(), "v");
}
