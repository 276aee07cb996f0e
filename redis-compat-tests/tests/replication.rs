//! Replication, replica side: REPLICAOF against a real master (ours or
//! redis-server 7.0.15), partial resync after a broken link, the errors a
//! replica gives (READONLY, MASTERDOWN, NOREPLICAS on the master), and
//! robustness against a master that speaks garbage: a fake master in the
//! test sends broken PSYNC replies, corrupt or truncated RDB payloads and
//! malformed command streams, and the replica must stay up, keep serving,
//! and connect again.

use redis_compat_tests::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

const REDIS: &str = "/usr/bin/redis-server";

/// INFO <section> as `field -> value` lines.
fn info_field(c: &mut Conn, section: &str, field: &str) -> Option<String> {
    let r = c.cmd(&[b"INFO", section.as_bytes()]);
    let text = r.str();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")).map(|v| v.trim().to_string()))
}

fn wait_for(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if cond() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}");
}

fn wait_link_up(replica: &mut Conn) {
    wait_for("master_link_status:up", Duration::from_secs(20), || {
        info_field(replica, "replication", "master_link_status").as_deref() == Some("up")
    });
}

fn replicaof(c: &mut Conn, port: u16) {
    let r = c.cmd(&[b"REPLICAOF", b"127.0.0.1", port.to_string().as_bytes()]);
    assert_eq!(r.str(), "OK");
}

fn digest(c: &mut Conn) -> String {
    let r = c.cmd(&[b"DEBUG", b"DIGEST"]);
    assert!(!r.is_error(), "DEBUG DIGEST: {r:?}");
    r.str()
}

/// A server (ours) with DEBUG enabled and `args`.
fn start(args: &[&str]) -> Server {
    let mut all = vec!["--enable-debug-command", "yes"];
    all.extend_from_slice(args);
    Server::start(&all)
}

/// redis-server 7.0.15 with DEBUG enabled, in `dir`.
fn start_redis(dir: &Path, args: &[&str]) -> Server {
    let mut all = vec!["--enable-debug-command", "yes"];
    all.extend_from_slice(args);
    Server::start_with(Path::new(REDIS), Some(dir), &all)
}

/// Waits until the replica acknowledged everything the master has.
fn wait_in_sync(master: &mut Conn, replica: &mut Conn) {
    wait_for("replica to catch up", Duration::from_secs(20), || {
        let m = info_field(master, "replication", "master_repl_offset");
        let r = info_field(replica, "replication", "slave_repl_offset");
        m.is_some() && m == r
    });
}

#[test]
fn replica_follows_master_and_reports_roles() {
    let master = start(&[]);
    let replica = start(&[]);
    let mut m = master.conn();
    let mut r = replica.conn();
    m.cmd_str("SET before-sync 1");
    m.cmd_str("RPUSH list a b c");
    replicaof(&mut r, master.port());
    // The role changes at once, the link comes up after the sync.
    assert_eq!(info_field(&mut r, "replication", "role").as_deref(), Some("slave"));
    wait_link_up(&mut r);
    m.cmd_str("SET after-sync 2");
    m.cmd_str("SELECT 3");
    m.cmd_str("SET in-db-3 x");
    m.cmd_str("SELECT 0");
    wait_in_sync(&mut m, &mut r);
    assert_eq!(r.cmd_str("GET before-sync").str(), "1");
    assert_eq!(r.cmd_str("GET after-sync").str(), "2");
    assert_eq!(digest(&mut m), digest(&mut r));

    // ROLE on both sides.
    let role = r.cmd_str("ROLE");
    let items = role.array();
    assert_eq!(items[0].str(), "slave");
    assert_eq!(items[2].int(), master.port() as i64);
    assert_eq!(items[3].str(), "connected");
    let role = m.cmd_str("ROLE");
    assert_eq!(role.array()[0].str(), "master");
    assert_eq!(role.array()[2].array().len(), 1);

    // INFO on the master lists the replica as online.
    let slave0 = info_field(&mut m, "replication", "slave0").unwrap_or_default();
    assert!(
        glob_match(b"ip=127.0.0.1,port=*,state=online,offset=*,lag=*", slave0.as_bytes()),
        "slave0: {slave0}"
    );
    assert_eq!(info_field(&mut m, "replication", "connected_slaves").as_deref(), Some("1"));

    // A read-only replica refuses writes.
    let e = r.cmd_str("SET x y");
    assert_eq!(e.str(), "READONLY You can't write against a read only replica.");

    // WAIT counts the replica.
    m.cmd_str("SET waited 1");
    assert_eq!(m.cmd_str("WAIT 1 5000").int(), 1);

    // Writes need enough good replicas.
    m.cmd_str("CONFIG SET min-replicas-to-write 2");
    let e = m.cmd_str("SET x y");
    assert_eq!(e.str(), "NOREPLICAS Not enough good replicas to write.");
    m.cmd_str("CONFIG SET min-replicas-to-write 0");

    // Promotion: writable again, same data, the old ID becomes replid2.
    let replid = info_field(&mut r, "replication", "master_replid").unwrap_or_default();
    assert_eq!(r.cmd_str("REPLICAOF NO ONE").str(), "OK");
    assert_eq!(info_field(&mut r, "replication", "role").as_deref(), Some("master"));
    assert_eq!(info_field(&mut r, "replication", "master_replid2"), Some(replid));
    assert_eq!(r.cmd_str("SET x y").str(), "OK");
}

#[test]
fn replica_serve_stale_data_no_gives_masterdown() {
    // Nothing listens on the port: the link stays down.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = l.local_addr().unwrap().port();
    drop(l);
    let replica = start(&["--replica-serve-stale-data", "no"]);
    let mut r = replica.conn();
    replicaof(&mut r, dead_port);
    let e = r.cmd_str("GET x");
    assert_eq!(
        e.str(),
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
    );
    // INFO still works (PING is not a stale-ok command).
    assert_eq!(info_field(&mut r, "replication", "master_link_status").as_deref(), Some("down"));
    assert!(r.cmd_str("PING").str().starts_with("MASTERDOWN"));
    assert_eq!(r.cmd_str("CONFIG SET replica-serve-stale-data yes").str(), "OK");
    assert_eq!(r.cmd_str("GET x"), Reply::Bulk(None));
}

#[test]
fn partial_resync_after_link_is_killed() {
    let master = start(&["--repl-diskless-sync", "no"]);
    let replica = start(&[]);
    let mut m = master.conn();
    let mut r = replica.conn();
    replicaof(&mut r, master.port());
    wait_link_up(&mut r);
    for i in 0..100 {
        m.cmd(&[b"SET", format!("k{i}").as_bytes(), b"v"]);
    }
    wait_in_sync(&mut m, &mut r);
    let full_before = info_field(&mut m, "stats", "sync_full").unwrap_or_default();
    m.cmd_str("CLIENT KILL TYPE replica");
    for i in 0..100 {
        m.cmd(&[b"SET", format!("after{i}").as_bytes(), b"v"]);
    }
    wait_link_up(&mut r);
    wait_in_sync(&mut m, &mut r);
    assert_eq!(info_field(&mut m, "stats", "sync_full"), Some(full_before));
    assert_eq!(info_field(&mut m, "stats", "sync_partial_ok").as_deref(), Some("1"));
    assert_eq!(digest(&mut m), digest(&mut r));
}

#[test]
fn chained_replicas_get_the_stream() {
    let master = start(&[]);
    let mid = start(&[]);
    let leaf = start(&[]);
    let (mut m, mut a, mut b) = (master.conn(), mid.conn(), leaf.conn());
    m.cmd_str("SET a 1");
    replicaof(&mut a, master.port());
    replicaof(&mut b, mid.port());
    wait_link_up(&mut a);
    wait_link_up(&mut b);
    m.cmd_str("INCR a");
    m.cmd_str("HSET h f v");
    wait_in_sync(&mut m, &mut a);
    wait_in_sync(&mut a, &mut b);
    assert_eq!(b.cmd_str("GET a").str(), "2");
    assert_eq!(digest(&mut m), digest(&mut b));
    // The offsets are the master's all along the chain.
    assert_eq!(
        info_field(&mut m, "replication", "master_repl_offset"),
        info_field(&mut b, "replication", "master_repl_offset")
    );
}

#[test]
fn expired_keys_stay_on_replica_until_master_deletes_them() {
    let master = start(&[]);
    let replica = start(&[]);
    let (mut m, mut r) = (master.conn(), replica.conn());
    replicaof(&mut r, master.port());
    wait_link_up(&mut r);
    m.cmd_str("DEBUG SET-ACTIVE-EXPIRE 0");
    m.cmd_str("SET k v PX 50");
    wait_in_sync(&mut m, &mut r);
    std::thread::sleep(Duration::from_millis(100));
    // Logically expired on the replica, but not deleted there.
    assert_eq!(r.cmd_str("EXISTS k").int(), 0);
    assert!(!r.cmd_str("DEBUG OBJECT k").is_error());
    // The master's access deletes it and propagates the DEL.
    assert_eq!(m.cmd_str("GET k"), Reply::Bulk(None));
    wait_in_sync(&mut m, &mut r);
    assert!(r.cmd_str("DEBUG OBJECT k").is_error());
}

fn redis_available() -> bool {
    if Path::new(REDIS).exists() {
        return true;
    }
    eprintln!("skipped: {REDIS} is not installed");
    false
}

fn fill(c: &mut Conn) {
    for i in 0..200 {
        c.cmd(&[b"SET", format!("s{i}").as_bytes(), format!("{i}").as_bytes()]);
        c.cmd(&[b"RPUSH", b"list", format!("{i}").as_bytes()]);
        c.cmd(&[b"HSET", b"hash", format!("f{i}").as_bytes(), b"v"]);
        c.cmd(&[b"ZADD", b"zset", format!("{i}").as_bytes(), format!("m{i}").as_bytes()]);
        c.cmd(&[b"SADD", b"set", format!("{i}").as_bytes()]);
    }
    c.cmd_str("SET big-expiring x EX 1000");
}

/// Our replica of redis-server 7.0.15, with disk and diskless transfers.
#[test]
fn replica_of_real_redis() {
    if !redis_available() {
        return;
    }
    for (sync, load) in [("no", "disabled"), ("yes", "disabled"), ("yes", "swapdb"), ("no", "on-empty-db")] {
        let dir = Server::scratch_dir("redis-master");
        let master = start_redis(&dir, &["--repl-diskless-sync", sync, "--repl-diskless-sync-delay", "0"]);
        let replica = start(&["--repl-diskless-load", load]);
        let (mut m, mut r) = (master.conn(), replica.conn());
        fill(&mut m);
        replicaof(&mut r, master.port());
        wait_link_up(&mut r);
        m.cmd_str("INCR s1");
        m.cmd_str("LPOP list");
        wait_in_sync(&mut m, &mut r);
        assert_eq!(digest(&mut m), digest(&mut r), "sync={sync} load={load}");
        // Partial resync with a real master.
        m.cmd_str("CLIENT KILL TYPE replica");
        m.cmd_str("SET after-kill 1");
        wait_link_up(&mut r);
        wait_in_sync(&mut m, &mut r);
        assert_eq!(info_field(&mut m, "stats", "sync_partial_ok").as_deref(), Some("1"));
        assert_eq!(digest(&mut m), digest(&mut r));
        drop(master);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// redis-server 7.0.15 as a replica of ours.
#[test]
fn real_redis_replica_of_ours() {
    if !redis_available() {
        return;
    }
    for sync in ["no", "yes"] {
        let master = start(&["--repl-diskless-sync", sync, "--repl-diskless-sync-delay", "0"]);
        let dir = Server::scratch_dir("redis-replica");
        let replica = start_redis(&dir, &[]);
        let (mut m, mut r) = (master.conn(), replica.conn());
        fill(&mut m);
        replicaof(&mut r, master.port());
        wait_link_up(&mut r);
        m.cmd_str("INCR s1");
        wait_in_sync(&mut m, &mut r);
        assert_eq!(digest(&mut m), digest(&mut r), "diskless sync={sync}");
        m.cmd_str("CLIENT KILL TYPE replica");
        m.cmd_str("SET after-kill 1");
        wait_link_up(&mut r);
        wait_in_sync(&mut m, &mut r);
        assert_eq!(info_field(&mut m, "stats", "sync_partial_ok").as_deref(), Some("1"));
        assert_eq!(digest(&mut m), digest(&mut r));
        drop(replica);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

// ------------------------------------------------------------ fake master

/// An empty RDB (version 10, checksum disabled).
fn empty_rdb() -> Vec<u8> {
    let mut v = b"REDIS0010".to_vec();
    v.push(0xff);
    v.extend_from_slice(&[0u8; 8]);
    v
}

/// A master we script by hand.
struct FakeMaster {
    listener: TcpListener,
}

impl FakeMaster {
    fn new() -> FakeMaster {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        FakeMaster { listener }
    }

    fn port(&self) -> u16 {
        self.listener.local_addr().unwrap().port()
    }

    /// Accepts the replica's next connection (within 15 s).
    fn accept(&self) -> TcpStream {
        self.listener.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            match self.listener.accept() {
                Ok((s, _)) => {
                    s.set_nonblocking(false).unwrap();
                    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                    return s;
                }
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => panic!("the replica did not connect: {e}"),
            }
        }
    }

    /// Accepts connections until one goes through the handshake (an
    /// earlier attempt of the replica may be queued and already closed).
    fn session(&self) -> (TcpStream, Vec<String>) {
        for _ in 0..5 {
            let mut s = self.accept();
            if let Some(psync) = Self::try_handshake(&mut s) {
                return (s, psync);
            }
        }
        panic!("no handshake completed in 5 connections");
    }

    fn try_handshake(s: &mut TcpStream) -> Option<Vec<String>> {
        let mut buf = Vec::new();
        loop {
            let cmd = try_read_command(s, &mut buf)?;
            let name = cmd.first().map(|a| a.to_ascii_uppercase()).unwrap_or_default();
            let reply: &[u8] = match name.as_str() {
                "PING" => b"+PONG\r\n",
                "PSYNC" | "SYNC" => return Some(cmd),
                _ => b"+OK\r\n",
            };
            s.write_all(reply).ok()?;
        }
    }

    /// Runs the handshake up to PSYNC, answering OK to everything; returns
    /// the PSYNC arguments.
    fn handshake(s: &mut TcpStream) -> Vec<String> {
        let mut buf = Vec::new();
        loop {
            let cmd = read_command(s, &mut buf);
            let name = cmd.first().map(|a| a.to_ascii_uppercase()).unwrap_or_default();
            match name.as_str() {
                "PING" => s.write_all(b"+PONG\r\n").unwrap(),
                "PSYNC" | "SYNC" => return cmd,
                _ => s.write_all(b"+OK\r\n").unwrap(),
            }
        }
    }
}

/// Reads one multibulk command (the handshake is all multibulk).
fn read_command(s: &mut TcpStream, buf: &mut Vec<u8>) -> Vec<String> {
    loop {
        if let Some((args, n)) = parse_multibulk(buf) {
            buf.drain(..n);
            return args;
        }
        let mut tmp = [0u8; 4096];
        let n = s.read(&mut tmp).expect("read from replica");
        assert!(n > 0, "replica closed the connection during the handshake");
        buf.extend_from_slice(&tmp[..n]);
    }
}

fn try_read_command(s: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Vec<String>> {
    loop {
        if let Some((args, n)) = parse_multibulk(buf) {
            buf.drain(..n);
            return Some(args);
        }
        let mut tmp = [0u8; 4096];
        match s.read(&mut tmp) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&tmp[..n]),
        }
    }
}

fn parse_multibulk(b: &[u8]) -> Option<(Vec<String>, usize)> {
    let line_end = |from: usize| b[from..].windows(2).position(|w| w == b"\r\n").map(|p| from + p);
    if b.first() != Some(&b'*') {
        return None;
    }
    let e = line_end(0)?;
    let n: usize = std::str::from_utf8(&b[1..e]).ok()?.parse().ok()?;
    let mut pos = e + 2;
    let mut args = Vec::new();
    for _ in 0..n {
        let e = line_end(pos)?;
        let len: usize = std::str::from_utf8(&b[pos + 1..e]).ok()?.parse().ok()?;
        let start = e + 2;
        if b.len() < start + len + 2 {
            return None;
        }
        args.push(String::from_utf8_lossy(&b[start..start + len]).into_owned());
        pos = start + len + 2;
    }
    Some((args, pos))
}

const REPLID: &str = "0123456789012345678901234567890123456789";

/// The replica is alive, serves reads and still knows `keep`.
fn assert_serving(replica: &mut Server) {
    replica.assert_alive();
    let mut c = replica.conn();
    let r = c.cmd_str("DBSIZE");
    assert!(!r.is_error() || r.str().starts_with("LOADING"), "DBSIZE: {r:?}");
}

#[test]
fn fake_master_full_sync_then_stream() {
    let fm = FakeMaster::new();
    let replica = start(&[]);
    let mut r = replica.conn();
    replicaof(&mut r, fm.port());
    let mut s = fm.accept();
    let psync = FakeMaster::handshake(&mut s);
    // A master turning replica offers its own history.
    assert_eq!(psync[0], "PSYNC");
    assert_eq!(psync.len(), 3);
    let rdb = empty_rdb();
    s.write_all(format!("+FULLRESYNC {REPLID} 100\r\n${}\r\n", rdb.len()).as_bytes())
        .unwrap();
    s.write_all(&rdb).unwrap();
    let mut stream = Vec::new();
    stream.extend(encode_cmd(&[b"SELECT", b"0"]));
    stream.extend(encode_cmd(&[b"SET", b"from-master", b"1"]));
    stream.extend(encode_cmd(&[b"PING"]));
    s.write_all(&stream).unwrap();
    wait_link_up(&mut r);
    wait_for("the SET from the fake master", Duration::from_secs(10), || {
        r.cmd_str("GET from-master") == Reply::Bulk(Some(b"1".to_vec()))
    });
    let off = info_field(&mut r, "replication", "slave_repl_offset").unwrap_or_default();
    assert_eq!(off, (100 + stream.len()).to_string());
    assert_eq!(info_field(&mut r, "replication", "master_replid").as_deref(), Some(REPLID));
    // GETACK gets an ACK with our offset, and nothing else comes back.
    s.write_all(&encode_cmd(&[b"REPLCONF", b"GETACK", b"*"])).unwrap();
    let mut buf = Vec::new();
    loop {
        let cmd = read_command(&mut s, &mut buf);
        assert_eq!(cmd[0], "REPLCONF");
        assert_eq!(cmd[1], "ACK");
        let want = (100 + stream.len() + encode_cmd(&[b"REPLCONF", b"GETACK", b"*"]).len()).to_string();
        if cmd[2] == want {
            break;
        }
    }
    // An unknown command from the master is skipped, not answered.
    s.write_all(&encode_cmd(&[b"NOSUCHCOMMAND", b"x"])).unwrap();
    s.write_all(&encode_cmd(&[b"SET", b"after-unknown", b"1"])).unwrap();
    wait_for("the stream to go on after an unknown command", Duration::from_secs(10), || {
        r.cmd_str("GET after-unknown") == Reply::Bulk(Some(b"1".to_vec()))
    });
}

/// Each case: what follows the PSYNC. The replica must stay up and
/// connect again.
#[test]
fn fake_master_garbage_never_crashes_the_replica() {
    let rdb = empty_rdb();
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("garbage PSYNC reply".into(), b"+WHAT IS THIS\r\n".to_vec()),
        ("short FULLRESYNC".into(), b"+FULLRESYNC abc\r\n$18\r\n".to_vec()),
        ("error to PSYNC".into(), b"-ERR no\r\n".to_vec()),
        (
            "CONTINUE without cached master".into(),
            format!("+CONTINUE {REPLID}\r\n").into_bytes(),
        ),
        ("bad bulk length".into(), format!("+FULLRESYNC {REPLID} 0\r\n$abc\r\n").into_bytes()),
        (
            "negative bulk length".into(),
            format!("+FULLRESYNC {REPLID} 0\r\n$-5\r\n").into_bytes(),
        ),
        (
            "huge bulk length".into(),
            format!("+FULLRESYNC {REPLID} 0\r\n$99999999999999999999\r\n").into_bytes(),
        ),
        ("not a bulk".into(), format!("+FULLRESYNC {REPLID} 0\r\nhello\r\n").into_bytes()),
        ("truncated RDB".into(), {
            let mut v = format!("+FULLRESYNC {REPLID} 0\r\n$100\r\n").into_bytes();
            v.extend_from_slice(b"REDIS0010");
            v
        }),
        ("corrupt RDB".into(), {
            let mut v = format!("+FULLRESYNC {REPLID} 0\r\n$30\r\n").into_bytes();
            v.extend_from_slice(b"REDIS0010\x00\xc0\xff\xff\xff\xff\xffxxxxxxxxxxxxxxxx");
            v
        }),
        ("bad RDB version".into(), {
            let mut v = format!("+FULLRESYNC {REPLID} 0\r\n$18\r\n").into_bytes();
            v.extend_from_slice(b"REDIS9999\xff\0\0\0\0\0\0\0\0");
            v
        }),
        ("corrupt EOF-marked RDB".into(), {
            let mark = "a".repeat(40);
            let mut v = format!("+FULLRESYNC {REPLID} 0\r\n$EOF:{mark}\r\n").into_bytes();
            v.extend_from_slice(b"REDIS0010\x00\x05\x01k\x01v\xfe\xfe\xfe\xfe");
            v.extend_from_slice(mark.as_bytes());
            v
        }),
        ("EOF-marked RDB with a wrong mark after it".into(), {
            let mark = "b".repeat(40);
            let mut v = format!("+FULLRESYNC {REPLID} 0\r\n$EOF:{mark}\r\n").into_bytes();
            v.extend_from_slice(&rdb);
            v.extend_from_slice("c".repeat(40).as_bytes());
            v.extend_from_slice(mark.as_bytes());
            v
        }),
    ];
    // Valid RDB, then a broken command stream.
    for (name, tail) in [
        ("negative multibulk", b"*-5\r\n".to_vec()),
        ("bad bulk in multibulk", b"*1\r\n$x\r\n".to_vec()),
        ("huge multibulk", b"*999999999999\r\n".to_vec()),
        ("unbalanced quotes", b"SET \"a b\r\n".to_vec()),
        ("binary junk", (0..=255u8).cycle().take(3000).collect::<Vec<u8>>()),
        ("wrong arity", encode_cmd(&[b"SET"])),
        ("EXEC without MULTI", encode_cmd(&[b"EXEC"])),
        ("MULTI then close", encode_cmd(&[b"MULTI"])),
        ("SELECT out of range", encode_cmd(&[b"SELECT", b"99999"])),
        ("blocking command", encode_cmd(&[b"BLPOP", b"nolist", b"0"])),
        ("REPLICAOF from the master", encode_cmd(&[b"REPLICAOF", b"NO", b"ONE"])),
        ("SYNC from the master", encode_cmd(&[b"SYNC"])),
    ] {
        let mut v = format!("+FULLRESYNC {REPLID} 0\r\n${}\r\n", rdb.len()).into_bytes();
        v.extend_from_slice(&rdb);
        v.extend_from_slice(&tail);
        cases.push((format!("stream: {name}"), v));
    }
    let mut seed = XorShift::new(0x5eed_cafe);
    for i in 0..8 {
        let mut v = format!("+FULLRESYNC {REPLID} 0\r\n${}\r\n", rdb.len() + 64).into_bytes();
        v.extend_from_slice(&rdb);
        v.extend((0..64 + seed.below(500)).map(|_| seed.next_u64() as u8));
        cases.push((format!("random tail {i}"), v));
    }

    let fm = FakeMaster::new();
    let mut replica = start(&["--repl-diskless-load", "swapdb", "--repl-timeout", "3"]);
    let mut r = replica.conn();
    r.cmd_str("SET keep me");
    replicaof(&mut r, fm.port());
    for (name, bytes) in &cases {
        let (mut s, _) = fm.session();
        let _ = s.write_all(bytes);
        std::thread::sleep(Duration::from_millis(150));
        drop(s);
        assert!(
            replica.is_alive(),
            "replica died on case '{name}'; log:\n{}",
            replica.log_contents()
        );
        assert_serving(&mut replica);
        // A fresh connection still works, and the replica stays a replica
        // (except for the REPLICAOF NO ONE case, which it obeys).
        if name.contains("REPLICAOF") {
            replicaof(&mut r, fm.port());
        }
    }
    // After all that, a good sync still works.
    let (mut s, psync) = fm.session();
    assert_eq!(psync[0], "PSYNC");
    s.write_all(format!("+FULLRESYNC {REPLID} 0\r\n${}\r\n", rdb.len()).as_bytes())
        .unwrap();
    s.write_all(&rdb).unwrap();
    s.write_all(&encode_cmd(&[b"SET", b"good", b"1"])).unwrap();
    wait_for("a good sync after the bad ones", Duration::from_secs(10), || {
        r.cmd_str("GET good") == Reply::Bulk(Some(b"1".to_vec()))
    });
    replica.assert_alive();
}

/// A real snapshot, mutated at random, sent as the sync payload (sized
/// and EOF-marked, to a disk and to a diskless loader): the replica may
/// refuse it, never crash.
#[test]
fn fake_master_mutated_rdb_never_crashes_the_replica() {
    // A snapshot with every type and encoding we make.
    let src = start(&[]);
    let mut c = src.conn();
    fill(&mut c);
    for i in 0..5 {
        c.cmd(&[b"HSET", b"small-hash", format!("f{i}").as_bytes(), b"v"]);
        c.cmd(&[b"ZADD", b"small-zset", b"1.5", format!("m{i}").as_bytes()]);
        c.cmd(&[b"SADD", b"small-set", format!("s{i}").as_bytes()]);
        c.cmd(&[b"RPUSH", b"small-list", format!("{i}").as_bytes()]);
    }
    c.cmd_str("SET counter 12345");
    c.cmd_str("PFADD hll a b c");
    assert_eq!(c.cmd_str("SAVE").str(), "OK");
    let rdb = std::fs::read(src.dir().join("dump.rdb")).expect("dump.rdb");
    drop(c);
    drop(src);

    let fm = FakeMaster::new();
    let mut seed = XorShift::new(0xbad5eed);
    for load in ["disabled", "swapdb"] {
        let mut replica = start(&["--repl-diskless-load", load, "--repl-timeout", "3"]);
        let mut r = replica.conn();
        replicaof(&mut r, fm.port());
        for round in 0..40 {
            let mut payload = rdb.clone();
            let flips = 1 + seed.below(8);
            for _ in 0..flips {
                let at = seed.below(payload.len());
                payload[at] = seed.next_u64() as u8;
            }
            if seed.below(4) == 0 {
                let cut = seed.below(payload.len());
                payload.truncate(cut);
            }
            let (mut s, _) = fm.session();
            let mut out = format!("+FULLRESYNC {REPLID} 0\r\n").into_bytes();
            if round % 2 == 0 {
                out.extend(format!("${}\r\n", payload.len()).into_bytes());
                out.extend_from_slice(&payload);
            } else {
                let mark = "m".repeat(40);
                out.extend(format!("$EOF:{mark}\r\n").into_bytes());
                out.extend_from_slice(&payload);
                out.extend_from_slice(mark.as_bytes());
            }
            out.extend(encode_cmd(&[b"SET", b"after", b"1"]));
            let _ = s.write_all(&out);
            std::thread::sleep(Duration::from_millis(100));
            drop(s);
            assert!(
                replica.is_alive(),
                "replica ({load}) died on round {round}; log:\n{}",
                replica.log_contents()
            );
        }
        assert_serving(&mut replica);
        if std::env::var("REPL_DEBUG_LOG").is_ok() {
            eprintln!("{}", replica.log_contents());
        }
    }
}
