//! Key expiration: EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT with NX/XX/GT/LT,
//! TTL/PTTL/EXPIRETIME/PEXPIRETIME, PERSIST, and which writes keep the TTL.
//! Mirrors tests/unit/expire.tcl. Time-dependent values are checked as ranges.

use redis_compat_tests::*;
use std::thread::sleep;
use std::time::Duration;

/// 2100-01-01T00:00:00Z
const FUTURE: i64 = 4102444800;

fn ttl(c: &mut Conn, key: &str) -> i64 {
    c.cmd(&[b"TTL", key.as_bytes()]).int()
}
fn pttl(c: &mut Conn, key: &str) -> i64 {
    c.cmd(&[b"PTTL", key.as_bytes()]).int()
}

#[test]
fn ttl_of_missing_and_persistent_keys() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_reply!(c, "TTL nokey", b":-2\r\n");
    assert_reply!(c, "PTTL nokey", b":-2\r\n");
    assert_reply!(c, "EXPIRETIME nokey", b":-2\r\n");
    assert_reply!(c, "PEXPIRETIME nokey", b":-2\r\n");
    c.cmd_str("SET p 1");
    assert_reply!(c, "TTL p", b":-1\r\n");
    assert_reply!(c, "PTTL p", b":-1\r\n");
    assert_reply!(c, "EXPIRETIME p", b":-1\r\n");
    assert_reply!(c, "PEXPIRETIME p", b":-1\r\n");
    assert_reply!(c, "TTL", b"-ERR wrong number of arguments for 'ttl' command\r\n");
    assert_reply!(c, "PTTL", b"-ERR wrong number of arguments for 'pttl' command\r\n");
    assert_reply!(c, "EXPIRETIME", b"-ERR wrong number of arguments for 'expiretime' command\r\n");
    assert_reply!(c, "PERSIST", b"-ERR wrong number of arguments for 'persist' command\r\n");
    assert_reply!(c, "EXPIRE", b"-ERR wrong number of arguments for 'expire' command\r\n");
    assert_reply!(c, "EXPIRE p", b"-ERR wrong number of arguments for 'expire' command\r\n");
}

#[test]
fn expire_and_ttl_ranges() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    c.cmd_str("SET k v");
    assert_reply!(c, "EXPIRE k 100", b":1\r\n");
    let t = ttl(&mut c, "k");
    assert!((98..=100).contains(&t), "ttl {}", t);
    let p = pttl(&mut c, "k");
    assert!((98_000..=100_000).contains(&p), "pttl {}", p);
    assert_reply!(c, "PEXPIRE k 50000", b":1\r\n");
    let p = pttl(&mut c, "k");
    assert!((48_000..=50_000).contains(&p), "pttl {}", p);
    // TTL rounds to the nearest second
    assert_reply!(c, "PEXPIRE k 1900", b":1\r\n");
    assert_reply!(c, "TTL k", b":2\r\n");
    assert_reply!(c, "PEXPIRE k 1400", b":1\r\n");
    assert_reply!(c, "TTL k", b":1\r\n");
    assert_reply!(c, "EXPIRE nokey 100", b":0\r\n");
    assert_reply!(c, "PEXPIRE nokey 100", b":0\r\n");
    assert_reply!(c, "EXPIRE k abc", b"-ERR value is not an integer or out of range\r\n");
    assert_reply!(c, "EXPIRE k 1.5", b"-ERR value is not an integer or out of range\r\n");
}

#[test]
fn expiretime_is_absolute() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    c.cmd_str("SET p 1");
    assert_reply!(c, &format!("EXPIREAT p {}", FUTURE), b":1\r\n");
    assert_reply!(c, "EXPIRETIME p", format!(":{}\r\n", FUTURE));
    assert_reply!(c, "PEXPIRETIME p", format!(":{}000\r\n", FUTURE));
    assert_reply!(c, &format!("PEXPIREAT p {}123", FUTURE), b":1\r\n");
    assert_reply!(c, "PEXPIRETIME p", format!(":{}123\r\n", FUTURE));
    assert_reply!(c, "EXPIRETIME p", format!(":{}\r\n", FUTURE));
    // EXPIRETIME rounds to the nearest second
    assert_reply!(c, &format!("PEXPIREAT p {}500", FUTURE), b":1\r\n");
    assert_reply!(c, "EXPIRETIME p", format!(":{}\r\n", FUTURE + 1));
    assert_reply!(c, &format!("PEXPIREAT p {}499", FUTURE), b":1\r\n");
    assert_reply!(c, "EXPIRETIME p", format!(":{}\r\n", FUTURE));
    let t = ttl(&mut c, "p");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((t - (FUTURE - now)).abs() <= 2, "ttl {} vs {}", t, FUTURE - now);
    // SET EXAT / PXAT
    assert_reply!(c, &format!("SET q v EXAT {}", FUTURE), b"+OK\r\n");
    assert_reply!(c, "PEXPIRETIME q", format!(":{}000\r\n", FUTURE));
    assert_reply!(c, &format!("SET q v PXAT {}777", FUTURE), b"+OK\r\n");
    assert_reply!(c, "PEXPIRETIME q", format!(":{}777\r\n", FUTURE));
    assert_reply!(c, "EXPIREAT q abc", b"-ERR value is not an integer or out of range\r\n");
    assert_reply!(c, &format!("EXPIREAT q {} FOO", FUTURE), b"-ERR Unsupported option FOO\r\n");
}

#[test]
fn persist() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    c.cmd_str("SET p 1 EX 100");
    assert_reply!(c, "PERSIST p", b":1\r\n");
    assert_reply!(c, "TTL p", b":-1\r\n");
    assert_reply!(c, "PERSIST p", b":0\r\n");
    assert_reply!(c, "PERSIST nokey", b":0\r\n");
    assert_reply!(c, "GET p", b"$1\r\n1\r\n");
}

#[test]
fn expire_options_nx_xx_gt_lt() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    c.cmd_str("SET p 1");
    // no TTL yet
    assert_reply!(c, "EXPIRE p 100 XX", b":0\r\n");
    // a persistent key counts as an infinite TTL: GT never, LT always
    assert_reply!(c, "EXPIRE p 100 GT", b":0\r\n");
    assert_reply!(c, "PEXPIRE p 100000 gt", b":0\r\n");
    assert_reply!(c, "TTL p", b":-1\r\n");
    assert_reply!(c, "EXPIRE p 100 NX", b":1\r\n");
    assert_reply!(c, "EXPIRE p 200 NX", b":0\r\n");
    assert_reply!(c, "EXPIRE p 50 GT", b":0\r\n");
    assert_reply!(c, "EXPIRE p 200 GT", b":1\r\n");
    let t = ttl(&mut c, "p");
    assert!((198..=200).contains(&t), "ttl {}", t);
    assert_reply!(c, "EXPIRE p 300 LT", b":0\r\n");
    assert_reply!(c, "EXPIRE p 100 LT", b":1\r\n");
    assert_reply!(c, "EXPIRE p 150 XX", b":1\r\n");
    let t = ttl(&mut c, "p");
    assert!((148..=150).contains(&t), "ttl {}", t);
    assert_reply!(c, "PERSIST p", b":1\r\n");
    assert_reply!(c, "EXPIRE p 100 LT", b":1\r\n");
    assert_reply!(c, "PERSIST p", b":1\r\n");
    assert_reply!(c, "EXPIRE p 100 nx", b":1\r\n");
    assert_reply!(c, "EXPIRE p 100 NX NX", b":0\r\n");
    assert_reply!(c, "EXPIRE p 100 XX XX", b":1\r\n");
    // EXPIREAT/PEXPIREAT take the same flags
    assert_reply!(c, "PERSIST p", b":1\r\n");
    assert_reply!(c, &format!("EXPIREAT p {} XX", FUTURE), b":0\r\n");
    assert_reply!(c, &format!("EXPIREAT p {} NX", FUTURE), b":1\r\n");
    assert_reply!(c, &format!("PEXPIREAT p {}000 GT", FUTURE), b":0\r\n");
    assert_reply!(c, &format!("PEXPIREAT p {}001 GT", FUTURE), b":1\r\n");
    assert_reply!(c, "PEXPIRETIME p", format!(":{}001\r\n", FUTURE));
    // incompatible combinations
    let nx_err = b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n";
    assert_reply!(c, "EXPIRE p 100 NX XX", nx_err);
    assert_reply!(c, "EXPIRE p 100 NX GT", nx_err);
    assert_reply!(c, "EXPIRE p 100 NX LT", nx_err);
    assert_reply!(c, "EXPIRE p 1 NX XX GT", nx_err);
    assert_reply!(
        c,
        "EXPIRE p 100 GT LT",
        b"-ERR GT and LT options at the same time are not compatible\r\n"
    );
    assert_reply!(
        c,
        "PEXPIRE p 100 LT GT",
        b"-ERR GT and LT options at the same time are not compatible\r\n"
    );
    // XX with GT / LT is allowed
    assert_reply!(c, "EXPIRE p 100 XX LT", b":1\r\n");
    assert_reply!(c, "EXPIRE p 100 FOO", b"-ERR Unsupported option FOO\r\n");
    assert_reply!(c, "EXPIRE p 100 foo", b"-ERR Unsupported option foo\r\n");
}

#[test]
fn non_positive_expire_deletes_key() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    for cmd in [
        "EXPIRE q 0",
        "EXPIRE q -1",
        "PEXPIRE q -100",
        "EXPIREAT q 1",
        "PEXPIREAT q -1",
        "EXPIRE q 0 LT",
        "EXPIRE q 0 NX",
    ] {
        c.cmd_str("SET q 1");
        assert_reply!(c, cmd, b":1\r\n");
        assert_reply!(c, "EXISTS q", b":0\r\n");
    }
    c.cmd_str("SET q 1 EX 100");
    assert_reply!(c, "EXPIRE q -5 XX", b":1\r\n");
    assert_reply!(c, "EXISTS q", b":0\r\n");
    // GT with a past time on a persistent key does nothing
    c.cmd_str("SET q 1");
    assert_reply!(c, "EXPIRE q 0 GT", b":0\r\n");
    assert_reply!(c, "EXISTS q", b":1\r\n");
    // SET with EXAT in the past: the key is gone immediately
    assert_reply!(c, "SET past v EXAT 1", b"+OK\r\n");
    assert_reply!(c, "EXISTS past", b":0\r\n");
    assert_reply!(c, "TTL past", b":-2\r\n");
    assert_reply!(c, "SET past v PXAT 1", b"+OK\r\n");
    assert_reply!(c, "GET past", b"$-1\r\n");
}

#[test]
fn expire_overflow_errors() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    c.cmd_str("SET p 1");
    assert_reply!(
        c,
        "EXPIRE p 9223372036854775807",
        b"-ERR invalid expire time in 'expire' command\r\n"
    );
    assert_reply!(c, "EXPIRE p 9223372036854775", b"-ERR invalid expire time in 'expire' command\r\n");
    assert_reply!(c, "EXPIRE p 9223372036854774", b"-ERR invalid expire time in 'expire' command\r\n");
    assert_reply!(
        c,
        "PEXPIRE p 9223372036854775807",
        b"-ERR invalid expire time in 'pexpire' command\r\n"
    );
    assert_reply!(
        c,
        "PEXPIRE p 9223372036854770000",
        b"-ERR invalid expire time in 'pexpire' command\r\n"
    );
    assert_reply!(
        c,
        "EXPIRE p -9223372036854775808",
        b"-ERR invalid expire time in 'expire' command\r\n"
    );
    assert_reply!(
        c,
        "EXPIREAT p 9223372036854775807",
        b"-ERR invalid expire time in 'expireat' command\r\n"
    );
    assert_reply!(
        c,
        "EXPIRE p 9223372036854775808",
        b"-ERR value is not an integer or out of range\r\n"
    );
    assert_reply!(c, "TTL p", b":-1\r\n");
    // the largest absolute times are accepted
    assert_reply!(c, "PEXPIREAT p 9223372036854775807", b":1\r\n");
    assert_reply!(c, "PEXPIRETIME p", b":9223372036854775807\r\n");
    assert_reply!(c, "EXPIREAT p 9223372036854774", b":1\r\n");
    assert_reply!(c, "PEXPIRETIME p", b":9223372036854774000\r\n");
    assert_reply!(c, "SET p v PXAT 9223372036854775807", b"+OK\r\n");
    assert_reply!(c, "PEXPIRETIME p", b":9223372036854775807\r\n");
}

#[test]
fn keys_actually_expire() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    c.cmd_str("SET x foobar PX 100");
    c.cmd_str("PSETEX y 100 foobar");
    c.cmd_str("SET z v PX 1200");
    c.cmd_str("SET keep v");
    assert_reply!(c, "GET x", b"$6\r\nfoobar\r\n");
    sleep(Duration::from_millis(250));
    assert_reply!(c, "GET x", b"$-1\r\n");
    assert_reply!(c, "EXISTS y", b":0\r\n");
    assert_reply!(c, "TTL x", b":-2\r\n");
    let mut k = c.cmd_str("KEYS *").strings();
    k.sort();
    assert_eq!(k, ["keep", "z"]);
    sleep(Duration::from_millis(1100));
    assert_reply!(c, "KEYS *", b"*1\r\n$4\r\nkeep\r\n");
    assert_reply!(c, "SCAN 0 COUNT 100", b"*2\r\n$1\r\n0\r\n*1\r\n$4\r\nkeep\r\n");
    assert_reply!(c, "GET z", b"$-1\r\n");
    // expired keys can be recreated
    assert_reply!(c, "SETNX x again", b":1\r\n");
    assert_reply!(c, "TTL x", b":-1\r\n");
}

#[test]
fn which_writes_keep_the_ttl() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    let in_range = |t: i64| (95..=100).contains(&t);

    c.cmd_str("SET k v EX 100");
    c.cmd_str("SET k v2");
    assert_reply!(c, "TTL k", b":-1\r\n"); // SET clears

    c.cmd_str("SET k v EX 100");
    c.cmd_str("APPEND k x");
    assert!(in_range(ttl(&mut c, "k")), "APPEND keeps ttl");

    c.cmd_str("SET n 5 EX 100");
    c.cmd_str("INCR n");
    assert!(in_range(ttl(&mut c, "n")), "INCR keeps ttl");
    c.cmd_str("INCRBYFLOAT n 1.5");
    assert!(in_range(ttl(&mut c, "n")), "INCRBYFLOAT keeps ttl");

    c.cmd_str("SETRANGE n 0 1");
    assert!(in_range(ttl(&mut c, "n")), "SETRANGE keeps ttl");

    c.cmd_str("GETSET n 1");
    assert_reply!(c, "TTL n", b":-1\r\n"); // GETSET clears

    c.cmd_str("SET k v EX 100");
    assert_reply!(c, "SET k v3 KEEPTTL GET", b"$1\r\nv\r\n");
    assert!(in_range(ttl(&mut c, "k")), "KEEPTTL keeps ttl");
    assert_reply!(c, "SETNX k other", b":0\r\n");
    assert!(in_range(ttl(&mut c, "k")), "failed SETNX keeps ttl");
    assert_reply!(c, "SET k other NX", b"$-1\r\n");
    assert!(in_range(ttl(&mut c, "k")), "failed SET NX keeps ttl");
    assert_reply!(c, "SET k xx XX", b"+OK\r\n");
    assert_reply!(c, "TTL k", b":-1\r\n");

    c.cmd_str("SET k v EX 100");
    assert_reply!(c, "GETEX k PERSIST", b"$1\r\nv\r\n");
    assert_reply!(c, "TTL k", b":-1\r\n");
    c.cmd_str("SET k v EX 100");
    assert_reply!(c, "GETEX k", b"$1\r\nv\r\n");
    assert!(in_range(ttl(&mut c, "k")), "plain GETEX keeps ttl");

    c.cmd_str("SET k v EX 100");
    c.cmd_str("MSET k w");
    assert_reply!(c, "TTL k", b":-1\r\n"); // MSET clears
}

#[test]
fn info_keyspace_counts_expires() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_reply!(c, "INFO keyspace", b"$12\r\n# Keyspace\r\n\r\n");
    c.cmd_str("SET a 1");
    c.cmd_str("SET b 1 EX 1000");
    c.cmd_str("SELECT 3");
    c.cmd_str("SET c 1");
    let info = c.cmd_str("INFO keyspace").str();
    let lines: Vec<&str> = info.split("\r\n").collect();
    assert_eq!(lines[0], "# Keyspace");
    assert!(glob_match(b"db0:keys=2,expires=1,avg_ttl=*", lines[1].as_bytes()), "{}", info);
    assert_eq!(lines[2], "db3:keys=1,expires=0,avg_ttl=0");
}
