//! String commands. Mirrors tests/unit/type/string.tcl and
//! tests/unit/type/incr.tcl.

use redis_compat_tests::*;

const WRONGTYPE: &[u8] = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const NOT_INT: &[u8] = b"-ERR value is not an integer or out of range\r\n";
const SYNTAX: &[u8] = b"-ERR syntax error\r\n";

fn server() -> Server {
    Server::start(&[])
}

#[test]
fn set_get_basics() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "SET foo bar", b"+OK\r\n");
    assert_reply!(c, "GET foo", b"$3\r\nbar\r\n");
    assert_reply!(c, "GET nokey", b"$-1\r\n");
    assert_reply!(c, ["SET", "empty", ""], b"+OK\r\n");
    assert_reply!(c, "GET empty", b"$0\r\n\r\n");
    assert_reply!(c, "SET k", b"-ERR wrong number of arguments for 'set' command\r\n");
    assert_reply!(c, "GET", b"-ERR wrong number of arguments for 'get' command\r\n");
    let big = "x".repeat(100_000);
    assert_reply!(c, ["SET", "big", big.as_str()], b"+OK\r\n");
    let mut exp = b"$100000\r\n".to_vec();
    exp.extend(big.as_bytes());
    exp.extend(b"\r\n");
    assert_reply!(c, "GET big", exp);
}

#[test]
fn set_nx_xx_get() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "SET k v", b"+OK\r\n");
    assert_reply!(c, "SET k v NX", b"$-1\r\n");
    assert_reply!(c, "SET k v2 XX", b"+OK\r\n");
    assert_reply!(c, "SET k2 v XX", b"$-1\r\n");
    assert_reply!(c, "EXISTS k2", b":0\r\n");
    assert_reply!(c, "SET k2 v nx", b"+OK\r\n");
    assert_reply!(c, "SET k v NX XX", SYNTAX);
    assert_reply!(c, "SET k v XX GET NX", SYNTAX);
    // repeated identical flags are fine
    assert_reply!(c, "SET k v NX NX", b"$-1\r\n");
    assert_reply!(c, "SET k v XX XX", b"+OK\r\n");
    // GET returns the old value
    assert_reply!(c, "SET k v3 GET", b"$1\r\nv\r\n");
    assert_reply!(c, "GET k", b"$2\r\nv3\r\n");
    assert_reply!(c, "SET k v4 GET NX", b"$2\r\nv3\r\n");
    assert_reply!(c, "GET k", b"$2\r\nv3\r\n"); // not set
    assert_reply!(c, "SET new v GET NX", b"$-1\r\n");
    assert_reply!(c, "GET new", b"$1\r\nv\r\n"); // set
    assert_reply!(c, "SET k v5 GET XX", b"$2\r\nv3\r\n");
    assert_reply!(c, "SET nokey v GET XX", b"$-1\r\n");
    assert_reply!(c, "EXISTS nokey", b":0\r\n");
    assert_reply!(c, "SET g v GET", b"$-1\r\n");
    assert_reply!(c, "SET g w GET GET", b"$1\r\nv\r\n");
}

#[test]
fn set_expire_options_and_errors() {
    let s = server();
    let mut c = s.conn();
    let inv = b"-ERR invalid expire time in 'set' command\r\n";
    assert_reply!(c, "SET k v EX 0", inv);
    assert_reply!(c, "SET k v EX -1", inv);
    assert_reply!(c, "SET k v PX 0", inv);
    assert_reply!(c, "SET k v EXAT 0", inv);
    assert_reply!(c, "SET k v PXAT 0", inv);
    assert_reply!(c, "SET k v EXAT -1", inv);
    assert_reply!(c, "SET k v EX 9223372036854775807", inv);
    assert_reply!(c, "SET k v PX 9223372036854775807", inv);
    assert_reply!(c, "SET k v EX 9223372036854775", inv);
    assert_reply!(c, "SET k v EX -9223372036854775808", inv);
    assert_reply!(c, "SET k v PX -9223372036854775808", inv);
    assert_reply!(c, "SET k v EX 0 NX", inv);
    assert_reply!(c, "SET k v EX 0 GET", inv);
    assert_reply!(c, "SET k v EX abc", NOT_INT);
    assert_reply!(c, "SET k v EX 1.5", NOT_INT);
    assert_reply!(c, "SET k v PXAT abc", NOT_INT);
    assert_reply!(c, "SET k v EX", SYNTAX);
    assert_reply!(c, "SET k v EX 10 PX 100", SYNTAX);
    assert_reply!(c, "SET k v ex 10 px 10", SYNTAX);
    assert_reply!(c, "SET k v KEEPTTL EX 10", SYNTAX);
    assert_reply!(c, "SET k v EX 10 KEEPTTL", SYNTAX);
    assert_reply!(c, "SET k v KEEPTTL PXAT 100", SYNTAX);
    assert_reply!(c, "SET k v EXAT 100 PXAT 100", SYNTAX);
    // syntax errors are detected before the expire value is checked
    assert_reply!(c, "SET k v EX abc NX XX", SYNTAX);
    assert_reply!(c, "SET k v foo", SYNTAX);
    assert_reply!(c, "SET k v PERSIST", SYNTAX);
    assert_reply!(c, "EXISTS k", b":0\r\n");
    // last one wins for the same option
    assert_reply!(c, "SET k v EX 10 EX 200", b"+OK\r\n");
    let t = c.cmd_str("TTL k").int();
    assert!((198..=200).contains(&t), "ttl {}", t);
    assert_reply!(c, "SET k v ex 100", b"+OK\r\n");
    let t = c.cmd_str("TTL k").int();
    assert!((98..=100).contains(&t), "ttl {}", t);
    assert_reply!(c, "SET k v px 1500 xx", b"+OK\r\n");
    let p = c.cmd_str("PTTL k").int();
    assert!((1000..=1500).contains(&p), "pttl {}", p);
    assert_reply!(c, "SET k v KEEPTTL", b"+OK\r\n");
    let p = c.cmd_str("PTTL k").int();
    assert!((1000..=1500).contains(&p), "pttl {}", p);
    assert_reply!(c, "SET k v KEEPTTL KEEPTTL", b"+OK\r\n");
    assert_reply!(c, "SET k v", b"+OK\r\n");
    assert_reply!(c, "TTL k", b":-1\r\n");
    assert_reply!(c, "SET k2 v GET EX 100", b"$-1\r\n");
    let t = c.cmd_str("TTL k2").int();
    assert!((98..=100).contains(&t), "ttl {}", t);
    assert_reply!(c, "SET k3 v EX 100 NX GET", b"$-1\r\n");
    assert_reply!(c, "SET k3 w EX 100 NX GET", b"$1\r\nv\r\n");
}

#[test]
fn setnx_setex_psetex_getset_mset_mget() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "SETNX z 5", b":1\r\n");
    assert_reply!(c, "SETNX z 6", b":0\r\n");
    assert_reply!(c, "GET z", b"$1\r\n5\r\n");
    assert_reply!(c, "SETEX se 100 v", b"+OK\r\n");
    let t = c.cmd_str("TTL se").int();
    assert!((98..=100).contains(&t), "ttl {}", t);
    assert_reply!(c, "SETEX se 0 v", b"-ERR invalid expire time in 'setex' command\r\n");
    assert_reply!(c, "SETEX se -5 v", b"-ERR invalid expire time in 'setex' command\r\n");
    assert_reply!(
        c,
        "SETEX se 9223372036854775807 v",
        b"-ERR invalid expire time in 'setex' command\r\n"
    );
    assert_reply!(c, "SETEX se abc v", NOT_INT);
    assert_reply!(c, "SETEX se 100", b"-ERR wrong number of arguments for 'setex' command\r\n");
    assert_reply!(c, "PSETEX pe 100000 v", b"+OK\r\n");
    let p = c.cmd_str("PTTL pe").int();
    assert!((98_000..=100_000).contains(&p), "pttl {}", p);
    assert_reply!(c, "PSETEX pe 0 v", b"-ERR invalid expire time in 'psetex' command\r\n");
    assert_reply!(c, "PSETEX pe -1 v", b"-ERR invalid expire time in 'psetex' command\r\n");
    assert_reply!(c, "PSETEX pe abc v", NOT_INT);
    assert_reply!(c, "GETSET z new", b"$1\r\n5\r\n");
    assert_reply!(c, "GET z", b"$3\r\nnew\r\n");
    assert_reply!(c, "GETSET nokey v", b"$-1\r\n");
    assert_reply!(c, "GET nokey", b"$1\r\nv\r\n");
    assert_reply!(c, "MSET x 1 y 2", b"+OK\r\n");
    assert_reply!(c, "MSET x 1 y", b"-ERR wrong number of arguments for 'mset' command\r\n");
    assert_reply!(c, "MGET x y nokey2", b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n");
    assert_reply!(c, "MGET", b"-ERR wrong number of arguments for 'mget' command\r\n");
    assert_reply!(c, "SETNX", b"-ERR wrong number of arguments for 'setnx' command\r\n");
    assert_reply!(c, "GETSET a", b"-ERR wrong number of arguments for 'getset' command\r\n");
    // MSET with duplicate keys: last wins
    assert_reply!(c, "MSET d 1 d 2", b"+OK\r\n");
    assert_reply!(c, "GET d", b"$1\r\n2\r\n");
}

#[test]
fn msetnx() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "MSETNX m1 a m2 b", b":1\r\n");
    assert_reply!(c, "MGET m1 m2", b"*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    // all or nothing
    assert_reply!(c, "MSETNX m2 c m3 d", b":0\r\n");
    assert_reply!(c, "EXISTS m3", b":0\r\n");
    assert_reply!(c, "GET m2", b"$1\r\nb\r\n");
    // duplicate new key in the same call: last value wins
    assert_reply!(c, "MSETNX q 1 q 2", b":1\r\n");
    assert_reply!(c, "GET q", b"$1\r\n2\r\n");
    assert_reply!(c, "MSETNX m1", b"-ERR wrong number of arguments for 'msetnx' command\r\n");
    assert_reply!(c, "MSETNX m1 a m2", b"-ERR wrong number of arguments for 'msetnx' command\r\n");
    // a key of another type also blocks it
}

#[test]
fn getex_and_getdel() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("SET k hello");
    assert_reply!(c, "GETEX k", b"$5\r\nhello\r\n");
    assert_reply!(c, "TTL k", b":-1\r\n");
    assert_reply!(c, "GETEX k EX 100", b"$5\r\nhello\r\n");
    let t = c.cmd_str("TTL k").int();
    assert!((98..=100).contains(&t), "ttl {}", t);
    assert_reply!(c, "GETEX k PX 50000", b"$5\r\nhello\r\n");
    let p = c.cmd_str("PTTL k").int();
    assert!((48_000..=50_000).contains(&p), "pttl {}", p);
    assert_reply!(c, "GETEX k EXAT 4102444800", b"$5\r\nhello\r\n");
    assert_reply!(c, "EXPIRETIME k", b":4102444800\r\n");
    assert_reply!(c, "GETEX k PXAT 4102444800123", b"$5\r\nhello\r\n");
    assert_reply!(c, "PEXPIRETIME k", b":4102444800123\r\n");
    assert_reply!(c, "GETEX k PERSIST", b"$5\r\nhello\r\n");
    assert_reply!(c, "TTL k", b":-1\r\n");
    assert_reply!(c, "GETEX k PERSIST PERSIST", b"$5\r\nhello\r\n");
    assert_reply!(c, "GETEX k EX 10 EX 100", b"$5\r\nhello\r\n");
    let inv = b"-ERR invalid expire time in 'getex' command\r\n";
    assert_reply!(c, "GETEX k PX 0", inv);
    assert_reply!(c, "GETEX k EX -1", inv);
    assert_reply!(c, "GETEX k EX 9223372036854775807", inv);
    assert_reply!(c, "GETEX k EX abc", NOT_INT);
    assert_reply!(c, "GETEX k EX 10 PX 10", SYNTAX);
    assert_reply!(c, "GETEX k PERSIST EX 10", SYNTAX);
    assert_reply!(c, "GETEX k FOO", SYNTAX);
    assert_reply!(c, "GETEX k KEEPTTL", SYNTAX);
    assert_reply!(c, "GETEX k EX", SYNTAX);
    assert_reply!(c, "GETEX nokey EX 10", b"$-1\r\n");
    assert_reply!(c, "EXISTS nokey", b":0\r\n");
    assert_reply!(c, "GETEX", b"-ERR wrong number of arguments for 'getex' command\r\n");
    // an expire time in the past deletes the key but returns the value
    assert_reply!(c, "GETEX k EXAT 1", b"$5\r\nhello\r\n");
    assert_reply!(c, "EXISTS k", b":0\r\n");
    c.cmd_str("SET k hello");
    assert_reply!(c, "GETEX k PXAT 1", b"$5\r\nhello\r\n");
    assert_reply!(c, "GET k", b"$-1\r\n");

    c.cmd_str("SET d v");
    assert_reply!(c, "GETDEL d", b"$1\r\nv\r\n");
    assert_reply!(c, "GETDEL d", b"$-1\r\n");
    assert_reply!(c, "EXISTS d", b":0\r\n");
    assert_reply!(c, "GETDEL", b"-ERR wrong number of arguments for 'getdel' command\r\n");
    assert_reply!(c, "GETDEL a b", b"-ERR wrong number of arguments for 'getdel' command\r\n");
}

#[test]
fn append_and_strlen() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "APPEND a foo", b":3\r\n");
    assert_reply!(c, "APPEND a bar", b":6\r\n");
    assert_reply!(c, "GET a", b"$6\r\nfoobar\r\n");
    assert_reply!(c, ["APPEND", "a", ""], b":6\r\n");
    assert_reply!(c, "STRLEN a", b":6\r\n");
    assert_reply!(c, "STRLEN nokey", b":0\r\n");
    c.cmd_str("SET n 10");
    assert_reply!(c, "APPEND n 5", b":3\r\n");
    assert_reply!(c, "GET n", b"$3\r\n105\r\n");
    c.cmd_str("SET i 12345");
    // STRLEN of an int-encoded value is its decimal length
    assert_reply!(c, "STRLEN i", b":5\r\n");
    c.cmd_str("SET neg -9223372036854775808");
    assert_reply!(c, "STRLEN neg", b":20\r\n");
    assert_reply!(c, ["APPEND", "bin", "a\x00b"], b":3\r\n");
    assert_reply!(c, "STRLEN bin", b":3\r\n");
    assert_reply!(c, "APPEND a", b"-ERR wrong number of arguments for 'append' command\r\n");
    assert_reply!(c, "STRLEN", b"-ERR wrong number of arguments for 'strlen' command\r\n");
    // 1000 appends
    for _ in 0..1000 {
        c.send_cmd(&[b"APPEND", b"many", b"xy"]);
    }
    let got = c.read_raw_replies(1000);
    assert!(got.ends_with(b":2000\r\n"));
    assert_reply!(c, "STRLEN many", b":2000\r\n");
}

#[test]
fn setrange() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "SETRANGE k 0 hello", b":5\r\n");
    assert_reply!(c, "SETRANGE k 10 x", b":11\r\n");
    assert_reply!(c, "GET k", b"$11\r\nhello\x00\x00\x00\x00\x00x\r\n");
    assert_reply!(c, "SETRANGE k 1 EY", b":11\r\n");
    assert_reply!(c, "GETRANGE k 0 4", b"$5\r\nhEYlo\r\n");
    assert_reply!(c, "SETRANGE k -1 x", b"-ERR offset is out of range\r\n");
    assert_reply!(c, "SETRANGE k abc x", NOT_INT);
    // empty value: no-op that returns current length, and does not create keys
    assert_reply!(c, ["SETRANGE", "k", "5", ""], b":11\r\n");
    assert_reply!(c, ["SETRANGE", "k", "536870912", ""], b":11\r\n");
    assert_reply!(c, ["SETRANGE", "k2", "5", ""], b":0\r\n");
    assert_reply!(c, ["SETRANGE", "k2", "536870912", ""], b":0\r\n");
    assert_reply!(c, "EXISTS k2", b":0\r\n");
    // 512MB limit (checked before allocating)
    let big = b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
    assert_reply!(c, "SETRANGE k 536870912 x", big);
    assert_reply!(c, "SETRANGE k2 536870912 x", big);
    assert_reply!(c, "SETRANGE k2 536870911 xx", big);
    assert_reply!(c, "EXISTS k2", b":0\r\n");
    // on an int-encoded value
    c.cmd_str("SET i 1234");
    assert_reply!(c, "SETRANGE i 1 x", b":4\r\n");
    assert_reply!(c, "GET i", b"$4\r\n1x34\r\n");
    c.cmd_str("SET i 1234");
    assert_reply!(c, "SETRANGE i 5 9", b":6\r\n");
    assert_reply!(c, "GET i", b"$6\r\n1234\x009\r\n");
    assert_reply!(c, "SETRANGE a", b"-ERR wrong number of arguments for 'setrange' command\r\n");
}

#[test]
fn setrange_respects_proto_max_bulk_len() {
    let s = Server::start(&["--proto-max-bulk-len", "1mb"]);
    let mut c = s.conn();
    assert_reply!(c, "SETRANGE k 1048575 x", b":1048576\r\n");
    assert_reply!(
        c,
        "SETRANGE k 1048576 x",
        b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"
    );
    assert_reply!(
        c,
        "APPEND k x",
        b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"
    );
    assert_reply!(c, "STRLEN k", b":1048576\r\n");
}

#[test]
fn getrange() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("SET s 0123456789");
    assert_reply!(c, "GETRANGE s 0 3", b"$4\r\n0123\r\n");
    assert_reply!(c, "GETRANGE s 0 -1", b"$10\r\n0123456789\r\n");
    assert_reply!(c, "GETRANGE s -3 -1", b"$3\r\n789\r\n");
    assert_reply!(c, "GETRANGE s 5 3", b"$0\r\n\r\n");
    assert_reply!(c, "GETRANGE s -100 2", b"$3\r\n012\r\n");
    assert_reply!(c, "GETRANGE s 0 100", b"$10\r\n0123456789\r\n");
    assert_reply!(c, "GETRANGE s 20 30", b"$0\r\n\r\n");
    assert_reply!(c, "GETRANGE s -1 -5", b"$0\r\n\r\n");
    assert_reply!(c, "GETRANGE s 9 9", b"$1\r\n9\r\n");
    assert_reply!(c, "GETRANGE s 10 10", b"$0\r\n\r\n");
    assert_reply!(c, "GETRANGE s -1 -1", b"$1\r\n9\r\n");
    assert_reply!(c, "GETRANGE s 3 -8", b"$0\r\n\r\n");
    // Redis 7.0 quirk: a negative end clamped to 0 still returns the first byte
    assert_reply!(c, "GETRANGE s 0 -100", b"$1\r\n0\r\n");
    assert_reply!(c, "GETRANGE s -100 -100", b"$1\r\n0\r\n");
    assert_reply!(c, "GETRANGE s 9223372036854775807 9223372036854775807", b"$0\r\n\r\n");
    assert_reply!(c, "GETRANGE s -9223372036854775808 5", b"$6\r\n012345\r\n");
    assert_reply!(c, "GETRANGE nokey 0 -1", b"$0\r\n\r\n");
    assert_reply!(c, "GETRANGE s a b", NOT_INT);
    assert_reply!(c, "GETRANGE s 0", b"-ERR wrong number of arguments for 'getrange' command\r\n");
    assert_reply!(c, "SUBSTR s 0 2", b"$3\r\n012\r\n");
    c.cmd_str("SET i 12345");
    assert_reply!(c, "GETRANGE i 1 2", b"$2\r\n23\r\n");
    assert_reply!(c, "GETRANGE i -2 -1", b"$2\r\n45\r\n");
    assert_reply!(c, ["SET", "e", ""], b"+OK\r\n");
    assert_reply!(c, "GETRANGE e 0 -1", b"$0\r\n\r\n");
    assert_reply!(c, "GETRANGE e 0 0", b"$0\r\n\r\n");
}

#[test]
fn incr_decr_family() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "INCR n", b":1\r\n");
    assert_reply!(c, "INCR n", b":2\r\n");
    assert_reply!(c, "INCRBY n 10", b":12\r\n");
    assert_reply!(c, "DECR n", b":11\r\n");
    assert_reply!(c, "DECRBY n 20", b":-9\r\n");
    assert_reply!(c, "INCRBY n -5", b":-14\r\n");
    assert_reply!(c, "DECRBY n -5", b":-9\r\n");
    assert_reply!(c, "DECR newkey", b":-1\r\n");
    assert_reply!(c, "GET n", b"$2\r\n-9\r\n");
    c.cmd_str("SET n 9223372036854775806");
    assert_reply!(c, "INCR n", b":9223372036854775807\r\n");
    let ovf = b"-ERR increment or decrement would overflow\r\n";
    assert_reply!(c, "INCR n", ovf);
    assert_reply!(c, "INCRBY n 1", ovf);
    assert_reply!(c, "GET n", b"$19\r\n9223372036854775807\r\n");
    c.cmd_str("SET m -9223372036854775808");
    assert_reply!(c, "DECR m", ovf);
    assert_reply!(c, "DECRBY m 1", ovf);
    assert_reply!(c, "INCRBY m -1", ovf);
    c.cmd_str("SET m 0");
    assert_reply!(c, "DECRBY m -9223372036854775808", b"-ERR decrement would overflow\r\n");
    assert_reply!(c, "DECRBY m -9223372036854775807", b":9223372036854775807\r\n");
    c.cmd_str("SET m 5");
    assert_reply!(c, "DECRBY m -9223372036854775807", ovf);
    c.cmd_str("SET m -5");
    assert_reply!(c, "DECRBY m 9223372036854775807", ovf);
    assert_reply!(c, "INCRBY m 9223372036854775808", NOT_INT);
    assert_reply!(c, "INCRBY m abc", NOT_INT);
    assert_reply!(c, "INCRBY m 1.5", NOT_INT);
    for bad in ["abc", " 1", "1 ", "01", "+1", "1.5", "", "-0", "99999999999999999999", "0x10"] {
        assert_reply!(c, ["SET", "s", bad], b"+OK\r\n");
        assert_reply!(c, "INCR s", NOT_INT);
        assert_reply!(c, "DECR s", NOT_INT);
    }
    assert_reply!(c, "INCR", b"-ERR wrong number of arguments for 'incr' command\r\n");
    assert_reply!(c, "DECR a b", b"-ERR wrong number of arguments for 'decr' command\r\n");
    assert_reply!(c, "INCRBY n", b"-ERR wrong number of arguments for 'incrby' command\r\n");
    // INCR works on values that are strings holding integers
    let v = "1".repeat(18);
    assert_reply!(c, ["SET", "long", v.as_str()], b"+OK\r\n");
    assert_reply!(c, "INCR long", b":111111111111111112\r\n");
    assert_reply!(c, "APPEND e 7", b":1\r\n");
    assert_reply!(c, "INCR e", b":8\r\n");
}

#[test]
fn incrbyfloat_formatting() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "INCRBYFLOAT f 10.5", b"$4\r\n10.5\r\n");
    assert_reply!(c, "INCRBYFLOAT f 0.1", b"$4\r\n10.6\r\n");
    assert_reply!(c, "INCRBYFLOAT f -5", b"$3\r\n5.6\r\n");
    assert_reply!(c, "GET f", b"$3\r\n5.6\r\n");
    c.cmd_str("SET f 5.0e3");
    assert_reply!(c, "INCRBYFLOAT f 2.0e2", b"$4\r\n5200\r\n");
    assert_reply!(c, "INCRBYFLOAT g 3.0e3", b"$4\r\n3000\r\n");
    assert_reply!(c, "INCRBYFLOAT s 5.0e3", b"$4\r\n5000\r\n");
    assert_reply!(c, "INCRBYFLOAT h 1", b"$1\r\n1\r\n");
    assert_reply!(c, "INCRBYFLOAT h 1.5", b"$3\r\n2.5\r\n");
    assert_reply!(c, "INCRBYFLOAT k 0.1", b"$3\r\n0.1\r\n");
    assert_reply!(c, "INCRBYFLOAT k 0.2", b"$3\r\n0.3\r\n");
    assert_reply!(c, "INCRBYFLOAT v 1e20", b"$21\r\n100000000000000000000\r\n");
    assert_reply!(c, "INCRBYFLOAT u 1e-20", b"$1\r\n0\r\n");
    assert_reply!(c, "INCRBYFLOAT u2 1e-5", b"$7\r\n0.00001\r\n");
    assert_reply!(c, "INCRBYFLOAT t -0", b"$1\r\n0\r\n");
    assert_reply!(c, "INCRBYFLOAT q 0x10", b"$2\r\n16\r\n");
    assert_reply!(c, "INCRBYFLOAT p 1.", b"$1\r\n1\r\n");
    assert_reply!(c, "INCRBYFLOAT o .5", b"$3\r\n0.5\r\n");
    assert_reply!(c, "INCRBYFLOAT m 3", b"$1\r\n3\r\n");
    assert_reply!(c, "INCRBYFLOAT m -3", b"$1\r\n0\r\n");
    assert_reply!(c, "INCRBYFLOAT i -5.5", b"$4\r\n-5.5\r\n");
    assert_reply!(c, "INCRBYFLOAT i 0.5", b"$2\r\n-5\r\n");
    assert_reply!(c, "INCRBYFLOAT k3 100", b"$3\r\n100\r\n");
    assert_reply!(c, "INCRBYFLOAT k3 -0.001", b"$6\r\n99.999\r\n");
    assert_reply!(c, "INCRBYFLOAT j 1.5e1", b"$2\r\n15\r\n");
    c.cmd_str("SET e 1.50000");
    assert_reply!(c, "INCRBYFLOAT e 0", b"$3\r\n1.5\r\n");
    c.cmd_str("SET big 9223372036854775807");
    assert_reply!(c, "INCRBYFLOAT big 1", b"$19\r\n9223372036854775808\r\n");
    // the result is stored as a string: INCR fails afterwards if it is not integral
    assert_reply!(c, "INCR k", NOT_INT);
    assert_reply!(c, "INCR f", b":5201\r\n");
    c.cmd_str("SET w 10");
    assert_reply!(c, "INCRBYFLOAT w 0", b"$2\r\n10\r\n");
    assert_reply!(c, "INCR w", b":11\r\n");
}

#[test]
fn incrbyfloat_errors() {
    let s = server();
    let mut c = s.conn();
    let not_float = b"-ERR value is not a valid float\r\n";
    let nan = b"-ERR increment would produce NaN or Infinity\r\n";
    assert_reply!(c, "INCRBYFLOAT x abc", not_float);
    assert_reply!(c, "INCRBYFLOAT y nan", not_float);
    assert_reply!(c, ["INCRBYFLOAT", "r", " 1"], not_float);
    assert_reply!(c, ["INCRBYFLOAT", "r", "1 "], not_float);
    assert_reply!(c, ["INCRBYFLOAT", "r", ""], not_float);
    assert_reply!(c, "INCRBYFLOAT y inf", nan);
    assert_reply!(c, "INCRBYFLOAT y +inf", nan);
    assert_reply!(c, "INCRBYFLOAT y -inf", nan);
    assert_reply!(c, "EXISTS x y r", b":0\r\n");
    c.cmd_str("SET z abc");
    assert_reply!(c, "INCRBYFLOAT z 1", not_float);
    assert_reply!(c, ["SET", "e", ""], b"+OK\r\n");
    assert_reply!(c, "INCRBYFLOAT e 1", not_float);
    assert_reply!(c, "INCRBYFLOAT a", b"-ERR wrong number of arguments for 'incrbyfloat' command\r\n");
}

/// Redis computes INCRBYFLOAT in x87 80-bit `long double` and prints it with
/// "%.17Lf" (trailing zeros removed). An f64 implementation gives different
/// digits for these.
#[test]
fn incrbyfloat_long_double_precision() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "INCRBYFLOAT k2 1.1", b"$3\r\n1.1\r\n");
    assert_reply!(c, "INCRBYFLOAT k2 2.2", b"$3\r\n3.3\r\n");
    assert_reply!(c, "INCRBYFLOAT w 1.23456789012345678", b"$19\r\n1.23456789012345678\r\n");
    assert_reply!(c, "INCRBYFLOAT j 15", b"$2\r\n15\r\n");
    assert_reply!(c, "INCRBYFLOAT j 1e17", b"$18\r\n100000000000000015\r\n");
    assert_reply!(c, "INCRBYFLOAT i4 123456789.123456789", b"$27\r\n123456789.12345678899873747\r\n");
}

/// long double has a much larger range than f64: 1e400 is finite.
#[test]
fn incrbyfloat_long_double_range() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(
        c,
        "INCRBYFLOAT x 1e400",
        b"$401\r\n10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880\r\n"
    );
    assert_reply!(c, "SET y 1e308", b"+OK\r\n");
    assert_reply!(
        c,
        "INCRBYFLOAT y 1e308",
        b"$309\r\n199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096\r\n"
    );
}

#[test]
fn object_encoding_transitions() {
    let s = server();
    let mut c = s.conn();
    let enc = |c: &mut Conn, k: &str| c.cmd(&[b"OBJECT", b"ENCODING", k.as_bytes()]).str();
    c.cmd(&[b"SET", b"a", "a".repeat(44).as_bytes()]);
    assert_eq!(enc(&mut c, "a"), "embstr");
    c.cmd(&[b"SET", b"b", "a".repeat(45).as_bytes()]);
    assert_eq!(enc(&mut c, "b"), "raw");
    for (v, e) in [
        ("123", "int"),
        ("0", "int"),
        ("-1", "int"),
        ("-9223372036854775808", "int"),
        ("9223372036854775807", "int"),
        ("9223372036854775808", "embstr"),
        ("0123", "embstr"),
        ("1.5", "embstr"),
        ("+1", "embstr"),
        ("12345678901234567890", "embstr"),
        ("foo", "embstr"),
    ] {
        c.cmd(&[b"SET", b"v", v.as_bytes()]);
        assert_eq!(enc(&mut c, "v"), e, "encoding of {:?}", v);
    }
    assert_reply!(c, "SET s foo", b"+OK\r\n");
    assert_reply!(c, "OBJECT ENCODING s", b"$6\r\nembstr\r\n");
    assert_reply!(c, "APPEND s bar", b":6\r\n");
    assert_reply!(c, "OBJECT ENCODING s", b"$3\r\nraw\r\n");
    c.cmd_str("SET i 123");
    assert_reply!(c, "OBJECT ENCODING i", b"$3\r\nint\r\n");
    assert_reply!(c, "SETRANGE i 0 9", b":3\r\n");
    assert_reply!(c, "OBJECT ENCODING i", b"$3\r\nraw\r\n");
    c.cmd_str("SET n 10");
    c.cmd_str("APPEND n 5");
    assert_reply!(c, "OBJECT ENCODING n", b"$3\r\nraw\r\n");
    assert_reply!(c, "INCR n", b":106\r\n");
    assert_reply!(c, "OBJECT ENCODING n", b"$3\r\nint\r\n");
    assert_reply!(c, "INCR counter", b":1\r\n");
    assert_reply!(c, "OBJECT ENCODING counter", b"$3\r\nint\r\n");
    assert_reply!(c, "SETRANGE new 0 abc", b":3\r\n");
    assert_reply!(c, "OBJECT ENCODING new", b"$3\r\nraw\r\n");
    assert_reply!(c, "INCRBYFLOAT fl 1.5", b"$3\r\n1.5\r\n");
    assert_reply!(c, "OBJECT ENCODING fl", b"$6\r\nembstr\r\n");
    assert_reply!(c, "INCRBYFLOAT fl2 1", b"$1\r\n1\r\n");
    assert_reply!(c, "OBJECT ENCODING fl2", b"$6\r\nembstr\r\n");
    assert_reply!(c, "GETSET g 5", b"$-1\r\n");
    assert_reply!(c, "OBJECT ENCODING g", b"$3\r\nint\r\n");
    assert_reply!(c, "OBJECT ENCODING nokey", b"$-1\r\n");
    // shared integers (< 10000) report a refcount of INT_MAX
    c.cmd_str("SET sm 9999");
    assert_reply!(c, "OBJECT REFCOUNT sm", b":2147483647\r\n");
    c.cmd_str("SET sp 10000");
    assert_reply!(c, "OBJECT REFCOUNT sp", b":1\r\n");
    assert_reply!(c, "OBJECT REFCOUNT nokey", b"$-1\r\n");
    assert_reply!(
        c,
        "OBJECT FREQ sp",
        b"-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n"
    );
}

#[test]
fn lcs() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("MSET key1 ohmytext key2 mynewtext");
    assert_reply!(c, "LCS key1 key2", b"$6\r\nmytext\r\n");
    assert_reply!(c, "LCS key1 key2 LEN", b":6\r\n");
    assert_reply!(c, "LCS key1 key2 len", b":6\r\n");
    assert_reply!(
        c,
        "LCS key1 key2 IDX",
        b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"
    );
    assert_reply!(
        c,
        "LCS key1 key2 IDX MINMATCHLEN 4",
        b"*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n"
    );
    assert_reply!(
        c,
        "LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN",
        b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"
    );
    assert_reply!(
        c,
        "LCS key1 key2 IDX WITHMATCHLEN",
        b"*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"
    );
    // options that do not apply are ignored
    assert_reply!(c, "LCS key1 key2 WITHMATCHLEN", b"$6\r\nmytext\r\n");
    assert_reply!(c, "LCS key1 key2 MINMATCHLEN -1", b"$6\r\nmytext\r\n");
    assert_reply!(c, "LCS key1 key2 LEN MINMATCHLEN 3", b":6\r\n");
    assert_reply!(
        c,
        "LCS key1 key2 LEN IDX",
        b"-ERR If you want both the length and indexes, please just use IDX.\r\n"
    );
    assert_reply!(c, "LCS key1 key2 FOO", SYNTAX);
    assert_reply!(c, "LCS key1 key2 MINMATCHLEN", SYNTAX);
    assert_reply!(c, "LCS key1 key2 MINMATCHLEN abc", NOT_INT);
    assert_reply!(c, "LCS key1 nokey", b"$0\r\n\r\n");
    assert_reply!(c, "LCS nokey nokey2 LEN", b":0\r\n");
    assert_reply!(c, "LCS nokey nokey2 IDX", b"*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
    assert_reply!(c, "LCS key1", b"-ERR wrong number of arguments for 'lcs' command\r\n");
    // tie breaking of the backtrack
    c.cmd_str("MSET a ABCBDAB b BDCABA");
    assert_reply!(c, "LCS a b", b"$4\r\nBDAB\r\n");
    assert_reply!(
        c,
        "LCS a b IDX WITHMATCHLEN",
        b"*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:5\r\n:6\r\n*2\r\n:3\r\n:4\r\n:2\r\n*3\r\n*2\r\n:3\r\n:4\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:4\r\n"
    );
    c.cmd_str("MSET r1 GCTAGCATAGCTAGCATCGATCGATCGATCG r2 TTAGCATCGATCGTAGCTAGTCGATCGATCGAT");
    assert_reply!(c, "LCS r1 r2", b"$26\r\nTAGCATGCTAGCATCGATCGATCGAT\r\n");
    assert_reply!(
        c,
        "LCS r1 r2 IDX MINMATCHLEN 5 WITHMATCHLEN",
        b"*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:16\r\n:28\r\n*2\r\n:20\r\n:32\r\n:13\r\n*3\r\n*2\r\n:2\r\n:7\r\n*2\r\n:1\r\n:6\r\n:6\r\n$3\r\nlen\r\n:26\r\n"
    );
    // RESP3: IDX returns a map
    c.cmd_str("HELLO 3");
    assert_reply!(
        c,
        "LCS key1 key2 IDX WITHMATCHLEN",
        b"%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"
    );
    assert_reply!(c, "LCS nokey nokey2 IDX", b"%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
}

/// String commands against a key holding a list (needs LPUSH).
#[test]
fn string_commands_against_list_key() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("LPUSH l a");
    for cmd in [
        "GET l",
        "SET l v GET",
        "SET l v NX GET",
        "GETSET l v",
        "GETDEL l",
        "GETEX l",
        "GETEX l PERSIST",
        "APPEND l x",
        "STRLEN l",
        "SETRANGE l 0 x",
        "GETRANGE l 0 1",
        "INCR l",
        "DECR l",
        "INCRBY l 1",
        "DECRBY l 1",
        "INCRBYFLOAT l 1",
    ] {
        assert_reply!(c, cmd, WRONGTYPE);
    }
    assert_reply!(c, "EXISTS l", b":1\r\n");
    assert_reply!(c, "OBJECT ENCODING l", b"$9\r\nquicklist\r\n");
    c.cmd_str("MSET x 1 y 2");
    // MGET returns nil for non-string values
    assert_reply!(c, "MGET x y nokey l", b"*4\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n$-1\r\n");
    // MSETNX is blocked by a key of any type
    assert_reply!(c, "MSETNX l x z y", b":0\r\n");
    assert_reply!(c, "EXISTS z", b":0\r\n");
    c.cmd_str("SET key1 ohmytext");
    assert_reply!(c, "LCS key1 l", b"-ERR The specified keys must contain string values\r\n");
    assert_reply!(c, "LCS l key1", b"-ERR The specified keys must contain string values\r\n");
    // plain SET overwrites any type
    assert_reply!(c, "SET l v", b"+OK\r\n");
    assert_reply!(c, "GET l", b"$1\r\nv\r\n");
}
