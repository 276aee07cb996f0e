//! MIGRATE between two servers (and to/from a real redis-server when
//! `/usr/bin/redis-server` is installed), RESTORE-ASKING. Mirrors the
//! MIGRATE tests of tests/unit/dump.tcl, with exact replies checked
//! against redis-server 7.0.15.

use redis_compat_tests::*;
use std::path::Path;
use std::time::{Duration, Instant};

const REDIS_SERVER: &str = "/usr/bin/redis-server";
const BUSYKEY: &[u8] = b"-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n";

fn server() -> Server {
    Server::start(&["--enable-debug-command", "yes"])
}

fn cached_sockets(c: &mut Conn) -> String {
    let info = c.cmd_str("INFO stats").str();
    info.lines()
        .find(|l| l.starts_with("migrate_cached_sockets:"))
        .unwrap_or("missing")
        .to_string()
}

/// `MIGRATE 127.0.0.1 <port> <rest...>` as arguments.
fn migrate(c: &mut Conn, port: u16, rest: &[&str]) -> Vec<u8> {
    let port = port.to_string();
    let mut args: Vec<&[u8]> = vec![b"MIGRATE", b"127.0.0.1", port.as_bytes()];
    args.extend(rest.iter().map(|a| a.as_bytes()));
    c.cmd_raw(&args)
}

#[test]
fn migrate_moves_copies_and_replaces() {
    let src = server();
    let dst = server();
    let (mut a, mut b) = (src.conn(), dst.conn());
    let port = dst.port();
    assert_eq!(cached_sockets(&mut a), "migrate_cached_sockets:0");
    assert_reply!(a, "SET key SomeValue", b"+OK\r\n");
    check_bytes(&migrate(&mut a, port, &["key", "9", "5000"]), b"+OK\r\n", "MIGRATE key");
    assert_eq!(cached_sockets(&mut a), "migrate_cached_sockets:1");
    assert_reply!(a, "EXISTS key", b":0\r\n");
    assert_reply!(b, "SELECT 9", b"+OK\r\n");
    assert_reply!(b, "GET key", bulk("SomeValue"));
    assert_reply!(b, "TTL key", b":-1\r\n");

    // COPY keeps the source.
    assert_reply!(a, "RPUSH list a b c d", b":4\r\n");
    check_bytes(&migrate(&mut a, port, &["list", "9", "5000", "COPY"]), b"+OK\r\n", "MIGRATE COPY");
    assert_reply!(a, "LRANGE list 0 -1", bulks(&["a", "b", "c", "d"]));
    assert_reply!(b, "LRANGE list 0 -1", bulks(&["a", "b", "c", "d"]));
    // An existing key is not overwritten without REPLACE.
    check_bytes(
        &migrate(&mut a, port, &["list", "9", "5000", "COPY"]),
        BUSYKEY,
        "MIGRATE onto a busy key",
    );
    assert_reply!(b, "SET list somevalue", b"+OK\r\n");
    check_bytes(
        &migrate(&mut a, port, &["list", "9", "5000", "copy", "replace"]),
        b"+OK\r\n",
        "MIGRATE REPLACE",
    );
    assert_reply!(b, "LRANGE list 0 -1", bulks(&["a", "b", "c", "d"]));

    // The TTL goes along.
    assert_reply!(a, "SET t v EX 10", b"+OK\r\n");
    check_bytes(&migrate(&mut a, port, &["t", "9", "5000"]), b"+OK\r\n", "MIGRATE with TTL");
    let ttl = b.cmd_str("TTL t").int();
    assert!((7..=10).contains(&ttl), "ttl {ttl}");

    // Hashes, sets, sorted sets and a large list.
    assert_reply!(a, "HSET h f1 v1 f2 v2", b":2\r\n");
    assert_reply!(a, "SADD s 1 2 x", b":3\r\n");
    assert_reply!(a, "ZADD z 1 a 2.5 b", b":2\r\n");
    for _ in 0..2000 {
        a.send_cmd(&[b"RPUSH", b"big", b"1", b"2", b"3", b"item 1", b"item 2"]);
    }
    a.read_raw_replies(2000);
    check_bytes(
        &migrate(&mut a, port, &["", "9", "10000", "KEYS", "h", "s", "z", "big"]),
        b"+OK\r\n",
        "MIGRATE KEYS",
    );
    assert_reply!(a, "EXISTS h s z big", b":0\r\n");
    assert_reply!(b, "HGET h f2", bulk("v2"));
    assert_reply!(b, "SCARD s", b":3\r\n");
    assert_reply!(b, "ZSCORE z b", bulk("2.5"));
    assert_reply!(b, "LLEN big", b":10000\r\n");
    assert_reply!(b, "LINDEX big -1", bulk("item 2"));
}

#[test]
fn migrate_keys_option() {
    let src = server();
    let dst = server();
    let (mut a, mut b) = (src.conn(), dst.conn());
    let port = dst.port();
    assert_reply!(
        a,
        "MIGRATE 127.0.0.1 6379 NotEmpty 9 5000 keys a b c",
        b"-ERR When using MIGRATE KEYS option, the key argument must be set to the empty string\r\n"
    );
    assert_reply!(a, "MIGRATE 127.0.0.1 6379 k 9 5000 AUTH", b"-ERR syntax error\r\n");
    assert_reply!(a, "MIGRATE 127.0.0.1 6379 k 9 5000 AUTH2 user", b"-ERR syntax error\r\n");
    assert_reply!(a, "MIGRATE 127.0.0.1 6379 k 9 5000 NOPE", b"-ERR syntax error\r\n");
    assert_reply!(
        a,
        "MIGRATE 127.0.0.1 6379 k 9 soon",
        b"-ERR value is not an integer or out of range\r\n"
    );
    assert_reply!(
        a,
        "MIGRATE 127.0.0.1 6379 k db 5000",
        b"-ERR value is not an integer or out of range\r\n"
    );
    assert_reply!(a, "MIGRATE 127.0.0.1 6379 k 9 5000", b"+NOKEY\r\n");
    assert_reply!(a, ["MIGRATE", "127.0.0.1", "6379", "", "9", "5000", "KEYS"], b"+NOKEY\r\n");

    assert_reply!(a, "MSET key1 v1 key2 v2 key3 v3", b"+OK\r\n");
    check_bytes(
        &migrate(&mut a, port, &["", "9", "5000", "keys", "nokey-1", "nokey-2"]),
        b"+NOKEY\r\n",
        "NOKEY",
    );
    check_bytes(
        &migrate(
            &mut a,
            port,
            &["", "9", "5000", "keys", "nokey-1", "key1", "nokey-2", "key2", "key3"],
        ),
        b"+OK\r\n",
        "MIGRATE KEYS with missing ones",
    );
    assert_reply!(a, "DBSIZE", b":0\r\n");
    assert_reply!(b, "SELECT 9", b"+OK\r\n");
    assert_reply!(b, "MGET key1 key2 key3", bulks(&["v1", "v2", "v3"]));

    // Only the keys the target acknowledged are deleted.
    assert_reply!(a, "MSET a 1 b 2 c 3 d 4 e 5", b"+OK\r\n");
    assert_reply!(b, "MSET c _ d _", b"+OK\r\n");
    check_bytes(
        &migrate(&mut a, port, &["", "9", "5000", "keys", "a", "b", "c", "d", "e"]),
        BUSYKEY,
        "busy keys",
    );
    assert_reply!(a, "DBSIZE", b":2\r\n");
    assert_reply!(a, "MGET c d", bulks(&["3", "4"]));
    assert_reply!(b, "DBSIZE", b":8\r\n");
}

#[test]
fn migrate_auth() {
    let src = server();
    let dst = server();
    let (mut a, mut b) = (src.conn(), dst.conn());
    let port = dst.port();
    assert_reply!(b, "CONFIG SET requirepass foobar", b"+OK\r\n");
    assert_reply!(b, "AUTH foobar", b"+OK\r\n");
    assert_reply!(a, "RPUSH list a b c d", b":4\r\n");
    check_bytes(&migrate(&mut a, port, &["list", "9", "5000", "AUTH", "foobar"]), b"+OK\r\n", "AUTH");
    assert_reply!(b, "SELECT 9", b"+OK\r\n");
    assert_reply!(b, "LRANGE list 0 -1", bulks(&["a", "b", "c", "d"]));
    assert_reply!(a, "RPUSH list2 x", b":1\r\n");
    check_bytes(
        &migrate(&mut a, port, &["list2", "9", "5000", "AUTH2", "default", "foobar"]),
        b"+OK\r\n",
        "AUTH2",
    );
    assert_reply!(a, "RPUSH list3 x", b":1\r\n");
    let wrongpass = b"-ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled.\r\n";
    check_bytes(
        &migrate(&mut a, port, &["list3", "9", "5000", "AUTH", "nope"]),
        wrongpass,
        "wrong AUTH",
    );
    assert_reply!(a, "EXISTS list3", b":1\r\n");
    // The password is not in the slowlog.
    assert_reply!(a, "CONFIG SET slowlog-log-slower-than 0", b"+OK\r\n");
    migrate(&mut a, port, &["nokey", "9", "5000", "AUTH2", "user", "secret"]);
    let log = a.cmd_str("SLOWLOG GET 1").array()[0].array()[3].strings();
    assert_eq!(log[6..], ["AUTH2", "(redacted)", "(redacted)"]);
}

#[test]
fn migrate_io_errors_and_timeout() {
    let src = server();
    let dst = server();
    let mut a = src.conn();
    assert_reply!(a, "SET key v", b"+OK\r\n");
    // Nothing listens there: the connect starts, the first write fails.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").map(|l| l.local_addr().map(|a| a.port()));
    let closed = closed.ok().and_then(|r| r.ok()).unwrap_or(1);
    check_bytes(
        &migrate(&mut a, closed, &["key", "0", "500"]),
        b"-IOERR error or timeout writing to target instance\r\n",
        "MIGRATE to a closed port",
    );
    // A port that is no service at all: the connect cannot start.
    assert_reply!(
        a,
        "MIGRATE 127.0.0.1 -1 key 0 500",
        b"-IOERR error or timeout connecting to the client\r\n"
    );
    assert_reply!(
        a,
        ["MIGRATE", "", "6379", "key", "0", "500"],
        b"-IOERR error or timeout connecting to the client\r\n"
    );
    assert_eq!(cached_sockets(&mut a), "migrate_cached_sockets:0");
    assert_reply!(a, "EXISTS key", b":1\r\n");

    // The target does not answer within the timeout.
    let mut sleeper = dst.conn();
    sleeper.send_cmd(&[b"DEBUG", b"SLEEP", b"1.0"]);
    std::thread::sleep(Duration::from_millis(50));
    let t0 = Instant::now();
    check_bytes(
        &migrate(&mut a, dst.port(), &["key", "9", "300"]),
        b"-IOERR error or timeout reading to target instance\r\n",
        "MIGRATE timeout",
    );
    assert!(t0.elapsed() < Duration::from_millis(900), "took {:?}", t0.elapsed());
    assert_reply!(a, "EXISTS key", b":1\r\n");
    assert_eq!(cached_sockets(&mut a), "migrate_cached_sockets:0");
    sleeper.read_raw_reply();
}

#[test]
fn migrate_reuses_and_releases_connections() {
    let src = server();
    let dst = server();
    let (mut a, mut b) = (src.conn(), dst.conn());
    let port = dst.port();
    assert_reply!(a, "MSET k1 1 k2 2 k3 3", b"+OK\r\n");
    check_bytes(&migrate(&mut a, port, &["k1", "3", "1000"]), b"+OK\r\n", "first");
    // One connection on the target for MIGRATE, plus ours.
    assert!(b.cmd_str("CLIENT LIST").str().lines().count() == 2);
    check_bytes(&migrate(&mut a, port, &["k2", "3", "1000"]), b"+OK\r\n", "second");
    assert!(b.cmd_str("CLIENT LIST").str().lines().count() == 2);
    // The cached connection dies: MIGRATE reconnects once by itself.
    assert_reply!(b, "CLIENT KILL TYPE normal SKIPME yes", b":1\r\n");
    check_bytes(
        &migrate(&mut a, port, &["k3", "3", "1000"]),
        b"+OK\r\n",
        "after the target dropped it",
    );
    assert_reply!(b, "SELECT 3", b"+OK\r\n");
    assert_reply!(b, "MGET k1 k2 k3", bulks(&["1", "2", "3"]));
    assert_eq!(cached_sockets(&mut a), "migrate_cached_sockets:1");
    // Unused for more than 10 seconds, it is closed by the cron.
    let deadline = Instant::now() + Duration::from_secs(20);
    while cached_sockets(&mut a) != "migrate_cached_sockets:0" {
        assert!(Instant::now() < deadline, "cached MIGRATE connection never released");
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(b.cmd_str("CLIENT LIST").str().lines().count() == 1);
}

/// The bytes of every `*.incr.aof` file under the server's AOF directory.
fn aof_tail(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir.join("appendonlydir")) {
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().ends_with(".incr.aof") {
                out.extend(std::fs::read(e.path()).unwrap_or_default());
            }
        }
    }
    out
}

#[test]
fn migrate_and_sort_store_propagation() {
    let src = Server::start(&["--appendonly", "yes"]);
    let dst = server();
    let mut a = src.conn();
    let port = dst.port();
    assert_reply!(a, "MSET a 1 b 2 c 3", b"+OK\r\n");
    check_bytes(
        &migrate(&mut a, port, &["", "5", "1000", "KEYS", "a", "nokey", "b"]),
        b"+OK\r\n",
        "MIGRATE",
    );
    check_bytes(&migrate(&mut a, port, &["c", "5", "1000", "COPY"]), b"+OK\r\n", "MIGRATE COPY");
    assert_reply!(a, "RPUSH l 2 1", b":2\r\n");
    assert_reply!(a, "SORT l STORE d", b":2\r\n");
    assert_reply!(a, "SORT l", bulks(&["1", "2"]));
    let want: &[u8] = b"*7\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n\
*3\r\n$3\r\nDEL\r\n$1\r\na\r\n$1\r\nb\r\n\
*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\n2\r\n$1\r\n1\r\n\
*4\r\n$4\r\nSORT\r\n$1\r\nl\r\n$5\r\nSTORE\r\n$1\r\nd\r\n";
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let aof = aof_tail(src.dir());
        if aof.ends_with(want) {
            break;
        }
        assert!(Instant::now() < deadline, "AOF tail: {}", escape(&aof));
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Moves values of every type one way and checks them on the other side.
fn migrate_all_types(from: &Server, to: &Server) {
    let (mut a, mut b) = (from.conn(), to.conn());
    assert_reply!(a, "SET str hello", b"+OK\r\n");
    assert_reply!(a, "SET int 12345", b"+OK\r\n");
    assert_reply!(a, "RPUSH list a 1 b 2", b":4\r\n");
    assert_reply!(a, "HSET hash f v g 7", b":2\r\n");
    assert_reply!(a, "SADD iset 3 1 2", b":3\r\n");
    assert_reply!(a, "SADD set x y", b":2\r\n");
    assert_reply!(a, "ZADD zset 1.5 a 2 b", b":2\r\n");
    for i in 0..300 {
        let f = format!("field{i}");
        a.send_cmd(&[b"HSET", b"bighash", f.as_bytes(), b"some value"]);
        a.send_cmd(&[b"ZADD", b"bigzset", i.to_string().as_bytes(), f.as_bytes()]);
    }
    a.read_raw_replies(600);
    let keys = ["str", "int", "list", "hash", "iset", "set", "zset", "bighash", "bigzset"];
    let mut rest = vec!["", "0", "5000", "KEYS"];
    rest.extend(keys);
    check_bytes(&migrate(&mut a, to.port(), &rest), b"+OK\r\n", "MIGRATE of every type");
    assert_reply!(a, "DBSIZE", b":0\r\n");
    assert_reply!(b, "MGET str int", bulks(&["hello", "12345"]));
    assert_reply!(b, "LRANGE list 0 -1", bulks(&["a", "1", "b", "2"]));
    assert_reply!(b, "HGET hash g", bulk("7"));
    assert_reply!(b, "SMEMBERS iset", bulks(&["1", "2", "3"]));
    assert_reply!(b, "SISMEMBER set y", b":1\r\n");
    assert_reply!(b, "ZRANGE zset 0 -1 WITHSCORES", bulks(&["a", "1.5", "b", "2"]));
    assert_reply!(b, "HLEN bighash", b":300\r\n");
    assert_reply!(b, "ZSCORE bigzset field299", bulk("299"));
    assert_reply!(b, "OBJECT ENCODING bigzset", bulk("skiplist"));
}

#[test]
fn migrate_to_and_from_redis_server() {
    if !Path::new(REDIS_SERVER).exists() {
        eprintln!("skipped: {REDIS_SERVER} is not installed, MIGRATE against the real server not checked");
        return;
    }
    let ours = server();
    let theirs = Server::start_with(Path::new(REDIS_SERVER), None, &[]);
    migrate_all_types(&ours, &theirs);
    theirs.conn().cmd_str("FLUSHALL");
    migrate_all_types(&theirs, &ours);
}

#[test]
fn restore_asking_is_restore() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "SET foo bar", b"+OK\r\n");
    let dump = c.cmd_str("DUMP foo");
    let payload = dump.bytes().map(|b| b.to_vec()).unwrap_or_default();
    assert_reply!(
        c,
        ["RESTORE-ASKING", "foo", "0", &payload],
        b"-BUSYKEY Target key name already exists.\r\n"
    );
    assert_reply!(c, ["RESTORE-ASKING", "foo2", "0", &payload], b"+OK\r\n");
    assert_reply!(c, "GET foo2", bulk("bar"));
}
