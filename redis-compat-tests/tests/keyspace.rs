//! Keyspace commands: DEL/UNLINK/EXISTS/TYPE/TOUCH, KEYS globbing, SCAN,
//! RENAME/RENAMENX/MOVE/COPY/SWAPDB, SELECT, FLUSHDB/FLUSHALL/DBSIZE/RANDOMKEY.
//! Mirrors tests/unit/keyspace.tcl and tests/unit/scan.tcl.

use redis_compat_tests::*;
use std::collections::BTreeSet;

fn sorted(r: &Reply) -> Vec<String> {
    let mut v = r.strings();
    v.sort();
    v
}

fn keys(c: &mut Conn, pattern: &str) -> Vec<String> {
    sorted(&c.cmd(&[b"KEYS", pattern.as_bytes()]))
}

/// Run a full SCAN iteration with extra args and return all keys returned.
fn scan_all(c: &mut Conn, extra: &[&str]) -> BTreeSet<String> {
    let mut cursor = "0".to_string();
    let mut out = BTreeSet::new();
    let mut rounds = 0;
    loop {
        let mut args: Vec<&[u8]> = vec![b"SCAN", cursor.as_bytes()];
        for e in extra {
            args.push(e.as_bytes());
        }
        let r = c.cmd(&args);
        let parts = r.array();
        assert_eq!(parts.len(), 2, "SCAN reply shape: {:?}", r);
        // the cursor is a bulk string
        assert!(matches!(parts[0], Reply::Bulk(Some(_))), "cursor must be bulk: {:?}", parts[0]);
        let next = parts[0].str();
        for k in parts[1].strings() {
            out.insert(k);
        }
        cursor = next;
        rounds += 1;
        assert!(rounds < 100_000, "SCAN does not terminate");
        if cursor == "0" {
            break;
        }
    }
    out
}

fn set_of(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn del_unlink_exists_type() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_reply!(c, "SET foo bar", b"+OK\r\n");
    assert_reply!(c, "SET foo2 bar", b"+OK\r\n");
    assert_reply!(c, "EXISTS foo", b":1\r\n");
    assert_reply!(c, "EXISTS nokey", b":0\r\n");
    assert_reply!(c, "EXISTS foo foo nokey foo2", b":3\r\n");
    assert_reply!(c, "DEL foo foo nokey", b":1\r\n");
    assert_reply!(c, "DEL foo", b":0\r\n");
    assert_reply!(c, "UNLINK foo2 foo2", b":1\r\n");
    assert_reply!(c, "UNLINK foo2", b":0\r\n");
    assert_reply!(c, "DEL", b"-ERR wrong number of arguments for 'del' command\r\n");
    assert_reply!(c, "UNLINK", b"-ERR wrong number of arguments for 'unlink' command\r\n");
    assert_reply!(c, "EXISTS", b"-ERR wrong number of arguments for 'exists' command\r\n");

    c.cmd_str("SET str v");
    assert_reply!(c, "TYPE str", b"+string\r\n");
    assert_reply!(c, "TYPE nokey", b"+none\r\n");
    assert_reply!(c, "TYPE", b"-ERR wrong number of arguments for 'type' command\r\n");
    assert_reply!(c, "DEL str", b":1\r\n");
    assert_reply!(c, "DBSIZE", b":0\r\n");
}

/// TYPE/DEL across every data type (needs list/set/zset/hash/stream).
#[test]
fn type_of_every_kind() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    c.cmd_str("SET str v");
    c.cmd_str("RPUSH list a b c");
    c.cmd_str("SADD set a");
    c.cmd_str("ZADD zset 1 a");
    c.cmd_str("HSET hash f v");
    assert_reply!(c, "TYPE str", b"+string\r\n");
    assert_reply!(c, "TYPE list", b"+list\r\n");
    assert_reply!(c, "TYPE set", b"+set\r\n");
    assert_reply!(c, "TYPE zset", b"+zset\r\n");
    assert_reply!(c, "TYPE hash", b"+hash\r\n");
    assert_reply!(c, "EXISTS str list set zset hash", b":5\r\n");
    assert_reply!(c, "DEL str list set zset hash", b":5\r\n");
    assert_reply!(c, "DBSIZE", b":0\r\n");
}

#[test]
fn touch_and_dbsize_and_randomkey() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_reply!(c, "RANDOMKEY", b"$-1\r\n");
    assert_reply!(c, "DBSIZE", b":0\r\n");
    c.cmd_str("SET only v");
    assert_reply!(c, "RANDOMKEY", b"$4\r\nonly\r\n");
    c.cmd_str("MSET a 1 b 2 c 3");
    assert_reply!(c, "DBSIZE", b":4\r\n");
    assert_reply!(c, "TOUCH a b nokey a", b":3\r\n");
    assert_reply!(c, "TOUCH nokey", b":0\r\n");
    assert_reply!(c, "TOUCH", b"-ERR wrong number of arguments for 'touch' command\r\n");
    assert_reply!(c, "DBSIZE x", b"-ERR wrong number of arguments for 'dbsize' command\r\n");
    assert_reply!(c, "RANDOMKEY x", b"-ERR wrong number of arguments for 'randomkey' command\r\n");
    for _ in 0..20 {
        let k = c.cmd_str("RANDOMKEY").str();
        assert!(["only", "a", "b", "c"].contains(&k.as_str()), "{}", k);
    }
    // RANDOMKEY in RESP3 on an empty db
    c.cmd_str("FLUSHDB");
    c.cmd_str("HELLO 3");
    assert_reply!(c, "RANDOMKEY", b"_\r\n");
}

#[test]
fn keys_glob_patterns() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    let all = [
        "a", "b", "c", "d", "ab", "a*b", "h?llo", "hello", "hallo", "hxllo", "x", "[", "key:1", "key:2", "key:10",
    ];
    for k in all {
        c.cmd(&[b"SET", k.as_bytes(), b"v"]);
    }
    let mut every: Vec<String> = all.iter().map(|s| s.to_string()).collect();
    every.sort();
    assert_eq!(keys(&mut c, "*"), every);
    assert_eq!(keys(&mut c, "h?llo"), ["h?llo", "hallo", "hello", "hxllo"]);
    assert_eq!(keys(&mut c, "h[ae]llo"), ["hallo", "hello"]);
    assert_eq!(keys(&mut c, "h[^e]llo"), ["h?llo", "hallo", "hxllo"]);
    assert_eq!(keys(&mut c, "h[a-e]llo"), ["hallo", "hello"]);
    assert_eq!(keys(&mut c, "[a-c]"), ["a", "b", "c"]);
    // reversed ranges work too
    assert_eq!(keys(&mut c, "[c-a]"), ["a", "b", "c"]);
    assert_eq!(keys(&mut c, "[^a-c]"), ["[", "d", "x"]);
    assert_eq!(keys(&mut c, "?"), ["[", "a", "b", "c", "d", "x"]);
    assert_eq!(keys(&mut c, "a\\*b"), ["a*b"]);
    assert_eq!(keys(&mut c, "h\\?llo"), ["h?llo"]);
    assert_eq!(keys(&mut c, "\\["), ["["]);
    assert_eq!(keys(&mut c, "a*"), ["a", "a*b", "ab"]);
    assert_eq!(keys(&mut c, "*llo"), ["h?llo", "hallo", "hello", "hxllo"]);
    assert_eq!(keys(&mut c, "key:*"), ["key:1", "key:10", "key:2"]);
    assert_eq!(keys(&mut c, "key:?"), ["key:1", "key:2"]);
    assert_eq!(keys(&mut c, "key:1*"), ["key:1", "key:10"]);
    assert_eq!(keys(&mut c, "nomatch*"), Vec::<String>::new());
    // '!' is not a negation in Redis globs
    assert_eq!(keys(&mut c, "h[!e]llo"), ["hello"]);
    // stringmatchlen quirks with unterminated brackets
    assert_eq!(keys(&mut c, "["), Vec::<String>::new());
    assert_eq!(keys(&mut c, "[ab"), ["a", "b"]);
    assert_eq!(keys(&mut c, "[^"), ["[", "a", "b", "c", "d", "x"]);
    assert_eq!(keys(&mut c, "a\\"), Vec::<String>::new());
    assert_reply!(c, "KEYS nomatch", b"*0\r\n");
    assert_reply!(c, "KEYS hello", b"*1\r\n$5\r\nhello\r\n");
    assert_reply!(c, "KEYS", b"-ERR wrong number of arguments for 'keys' command\r\n");
}

#[test]
fn scan_full_iteration() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    let mut expected_all = BTreeSet::new();
    let mut expected_match = BTreeSet::new();
    // Build the dataset in one pipelined write.
    let mut buf = Vec::new();
    for i in 0..1000 {
        let k = format!("key:{}", i);
        buf.extend(encode_cmd(&[b"SET", k.as_bytes(), b"v"]));
        expected_all.insert(k.clone());
        if k.starts_with("key:1") {
            expected_match.insert(k);
        }
    }
    c.send_raw(&buf);
    c.read_raw_replies(1000);
    assert_reply!(c, "DBSIZE", b":1000\r\n");

    assert_eq!(scan_all(&mut c, &[]), expected_all);
    assert_eq!(scan_all(&mut c, &["COUNT", "5"]), expected_all);
    assert_eq!(scan_all(&mut c, &["COUNT", "1000"]), expected_all);
    assert_eq!(scan_all(&mut c, &["MATCH", "key:1*"]), expected_match);
    assert_eq!(scan_all(&mut c, &["MATCH", "key:1*", "COUNT", "100"]), expected_match);
    assert_eq!(scan_all(&mut c, &["TYPE", "string"]), expected_all);
    assert_eq!(scan_all(&mut c, &["TYPE", "hash"]), BTreeSet::new());
    // An unknown type just matches nothing in 7.0.
    assert_eq!(scan_all(&mut c, &["TYPE", "foo"]), BTreeSet::new());
    // Last COUNT wins
    assert_eq!(scan_all(&mut c, &["COUNT", "1", "COUNT", "100"]), expected_all);
}

/// SCAN TYPE with several data types (needs lists).
#[test]
fn scan_type_filter() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    let mut strings = BTreeSet::new();
    let mut lists = BTreeSet::new();
    let mut buf = Vec::new();
    for i in 0..200 {
        let k = format!("str:{}", i);
        buf.extend(encode_cmd(&[b"SET", k.as_bytes(), b"v"]));
        strings.insert(k);
    }
    for i in 0..50 {
        let k = format!("list:{}", i);
        buf.extend(encode_cmd(&[b"RPUSH", k.as_bytes(), b"x"]));
        lists.insert(k);
    }
    c.send_raw(&buf);
    c.read_raw_replies(250);
    assert_reply!(c, "DBSIZE", b":250\r\n");
    let all: BTreeSet<String> = strings.union(&lists).cloned().collect();
    assert_eq!(scan_all(&mut c, &[]), all);
    assert_eq!(scan_all(&mut c, &["TYPE", "list"]), lists);
    assert_eq!(scan_all(&mut c, &["TYPE", "LIST", "COUNT", "7"]), lists);
    assert_eq!(scan_all(&mut c, &["TYPE", "List"]), lists);
    assert_eq!(scan_all(&mut c, &["TYPE", "string"]), strings);
    assert_eq!(
        scan_all(&mut c, &["TYPE", "list", "MATCH", "list:1*"]),
        lists.iter().filter(|k| k.starts_with("list:1")).cloned().collect()
    );
    assert_eq!(scan_all(&mut c, &["TYPE", "string", "MATCH", "list:*"]), BTreeSet::new());
    assert_eq!(scan_all(&mut c, &["TYPE", "zset"]), BTreeSet::new());
}

#[test]
fn scan_small_and_errors() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_reply!(c, "SCAN 0", b"*2\r\n$1\r\n0\r\n*0\r\n");
    c.cmd_str("MSET a 1 b 2 l x");
    assert_eq!(scan_all(&mut c, &[]), set_of(&["a", "b", "l"]));
    assert_eq!(scan_all(&mut c, &["MATCH", "a*"]), set_of(&["a"]));
    assert_eq!(scan_all(&mut c, &["MATCH", "[ab]"]), set_of(&["a", "b"]));
    assert_eq!(scan_all(&mut c, &["TYPE", "string"]), set_of(&["a", "b", "l"]));
    assert_eq!(scan_all(&mut c, &["TYPE", "STRING"]), set_of(&["a", "b", "l"]));
    assert_eq!(
        scan_all(&mut c, &["MATCH", "*", "COUNT", "10", "TYPE", "string"]),
        set_of(&["a", "b", "l"])
    );
    assert_eq!(scan_all(&mut c, &["TYPE", "list"]), set_of(&[]));
    assert_reply!(c, "SCAN 0 COUNT 0", b"-ERR syntax error\r\n");
    assert_reply!(c, "SCAN 0 COUNT -1", b"-ERR syntax error\r\n");
    assert_reply!(c, "SCAN 0 COUNT abc", b"-ERR value is not an integer or out of range\r\n");
    assert_reply!(c, "SCAN abc", b"-ERR invalid cursor\r\n");
    assert_reply!(c, "SCAN 18446744073709551616", b"-ERR invalid cursor\r\n");
    assert_reply!(c, "SCAN 0 MATCH", b"-ERR syntax error\r\n");
    assert_reply!(c, "SCAN 0 FOO bar", b"-ERR syntax error\r\n");
    assert_reply!(c, "SCAN", b"-ERR wrong number of arguments for 'scan' command\r\n");
}

#[test]
fn rename_and_renamenx() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    c.cmd_str("SET a 1");
    assert_reply!(c, "RENAME a b", b"+OK\r\n");
    assert_reply!(c, "GET b", b"$1\r\n1\r\n");
    assert_reply!(c, "EXISTS a", b":0\r\n");
    assert_reply!(c, "RENAME a b", b"-ERR no such key\r\n");
    assert_reply!(c, "RENAME b b", b"+OK\r\n");
    assert_reply!(c, "RENAME nokey nokey", b"-ERR no such key\r\n");
    c.cmd_str("SET c 3");
    assert_reply!(c, "RENAMENX b c", b":0\r\n");
    assert_reply!(c, "GET c", b"$1\r\n3\r\n");
    assert_reply!(c, "RENAMENX b d", b":1\r\n");
    assert_reply!(c, "RENAMENX d d", b":0\r\n");
    assert_reply!(c, "RENAMENX nokey x", b"-ERR no such key\r\n");
    // RENAME overwrites
    c.cmd_str("SET c2 other");
    assert_reply!(c, "RENAME c c2", b"+OK\r\n");
    assert_reply!(c, "GET c2", b"$1\r\n3\r\n");
    assert_reply!(c, "EXISTS c", b":0\r\n");
    // TTL moves with the key
    c.cmd_str("SET t v EX 100");
    assert_reply!(c, "RENAME t t2", b"+OK\r\n");
    let ttl = c.cmd_str("TTL t2").int();
    assert!((95..=100).contains(&ttl), "ttl {}", ttl);
    // RENAME onto a key with a TTL drops the destination's TTL
    c.cmd_str("SET e1 v");
    assert_reply!(c, "RENAME e1 t2", b"+OK\r\n");
    assert_reply!(c, "TTL t2", b":-1\r\n");
    assert_reply!(c, "RENAME a", b"-ERR wrong number of arguments for 'rename' command\r\n");
    assert_reply!(c, "RENAMENX", b"-ERR wrong number of arguments for 'renamenx' command\r\n");
}

#[test]
fn select_and_move() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_reply!(c, "SELECT 16", b"-ERR DB index is out of range\r\n");
    assert_reply!(c, "SELECT -1", b"-ERR DB index is out of range\r\n");
    assert_reply!(c, "SELECT abc", b"-ERR value is not an integer or out of range\r\n");
    assert_reply!(c, "SELECT 01", b"-ERR value is not an integer or out of range\r\n");
    assert_reply!(c, "SELECT 1.0", b"-ERR value is not an integer or out of range\r\n");
    assert_reply!(c, "SELECT", b"-ERR wrong number of arguments for 'select' command\r\n");
    assert_reply!(c, "SELECT 15", b"+OK\r\n");
    assert_reply!(c, "SELECT 0", b"+OK\r\n");

    c.cmd_str("SET d 1");
    assert_reply!(c, "MOVE d 1", b":1\r\n");
    assert_reply!(c, "EXISTS d", b":0\r\n");
    assert_reply!(c, "MOVE d 1", b":0\r\n");
    assert_reply!(c, "MOVE nokey 1", b":0\r\n");
    c.cmd_str("SET c 3");
    assert_reply!(c, "MOVE c 0", b"-ERR source and destination objects are the same\r\n");
    assert_reply!(c, "MOVE c 16", b"-ERR DB index is out of range\r\n");
    assert_reply!(c, "MOVE c -1", b"-ERR DB index is out of range\r\n");
    assert_reply!(c, "MOVE c abc", b"-ERR value is not an integer or out of range\r\n");
    assert_reply!(c, "MOVE c", b"-ERR wrong number of arguments for 'move' command\r\n");
    assert_reply!(c, "SELECT 1", b"+OK\r\n");
    assert_reply!(c, "GET d", b"$1\r\n1\r\n");
    assert_reply!(c, "SET c x", b"+OK\r\n");
    assert_reply!(c, "SELECT 0", b"+OK\r\n");
    // target exists: not moved
    assert_reply!(c, "MOVE c 1", b":0\r\n");
    assert_reply!(c, "GET c", b"$1\r\n3\r\n");
    // a second connection has its own selected db
    let mut c2 = s.conn();
    assert_reply!(c2, "GET d", b"$-1\r\n");
    // MOVE keeps the TTL
    c.cmd_str("SET t v EX 100");
    assert_reply!(c, "MOVE t 2", b":1\r\n");
    c.cmd_str("SELECT 2");
    let ttl = c.cmd_str("TTL t").int();
    assert!((95..=100).contains(&ttl), "ttl {}", ttl);
}

#[test]
fn copy_command() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    c.cmd_str("SET c 3");
    assert_reply!(c, "COPY c e", b":1\r\n");
    assert_reply!(c, "GET e", b"$1\r\n3\r\n");
    assert_reply!(c, "COPY c e", b":0\r\n");
    c.cmd_str("SET c 4");
    assert_reply!(c, "COPY c e REPLACE", b":1\r\n");
    assert_reply!(c, "GET e", b"$1\r\n4\r\n");
    assert_reply!(c, "COPY c e REPLACE REPLACE", b":1\r\n");
    assert_reply!(c, "COPY c e DB 1", b":1\r\n");
    assert_reply!(c, "COPY c e DB 1", b":0\r\n");
    assert_reply!(c, "COPY c e DB 1 REPLACE", b":1\r\n");
    assert_reply!(c, "COPY c c DB 1 REPLACE", b":1\r\n");
    assert_reply!(c, "COPY c e DB 16", b"-ERR DB index is out of range\r\n");
    assert_reply!(c, "COPY c e DB abc", b"-ERR value is not an integer or out of range\r\n");
    assert_reply!(c, "COPY c c", b"-ERR source and destination objects are the same\r\n");
    assert_reply!(c, "COPY c c DB 0", b"-ERR source and destination objects are the same\r\n");
    assert_reply!(c, "COPY nokey z", b":0\r\n");
    assert_reply!(c, "COPY c e FOO", b"-ERR syntax error\r\n");
    assert_reply!(c, "COPY c e DB", b"-ERR syntax error\r\n");
    assert_reply!(c, "COPY c", b"-ERR wrong number of arguments for 'copy' command\r\n");
    // copies are independent
    assert_reply!(c, "COPY c c3", b":1\r\n");
    c.cmd_str("APPEND c3 x");
    assert_reply!(c, "GET c", b"$1\r\n4\r\n");
    assert_reply!(c, "GET c3", b"$2\r\n4x\r\n");
    // TTL is copied
    c.cmd_str("SET t v EX 100");
    assert_reply!(c, "COPY t t2", b":1\r\n");
    let ttl = c.cmd_str("TTL t2").int();
    assert!((95..=100).contains(&ttl), "ttl {}", ttl);
    c.cmd_str("SELECT 1");
    assert_reply!(c, "GET e", b"$1\r\n4\r\n");
    assert_reply!(c, "GET c", b"$1\r\n4\r\n");
}

#[test]
fn swapdb() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    let mut c1 = s.conn();
    c1.cmd_str("SELECT 1");
    c.cmd_str("MSET a 1 b 2");
    c1.cmd_str("SET x 9");
    assert_reply!(c, "SWAPDB 0 1", b"+OK\r\n");
    // connections keep their db index; the data moved
    assert_reply!(c, "DBSIZE", b":1\r\n");
    assert_reply!(c, "GET x", b"$1\r\n9\r\n");
    assert_reply!(c1, "DBSIZE", b":2\r\n");
    assert_reply!(c1, "GET a", b"$1\r\n1\r\n");
    assert_reply!(c, "SWAPDB 0 0", b"+OK\r\n");
    assert_reply!(c, "SWAPDB 0 16", b"-ERR DB index is out of range\r\n");
    assert_reply!(c, "SWAPDB 0 -1", b"-ERR DB index is out of range\r\n");
    assert_reply!(c, "SWAPDB a 1", b"-ERR invalid first DB index\r\n");
    assert_reply!(c, "SWAPDB 0 a", b"-ERR invalid second DB index\r\n");
    assert_reply!(c, "SWAPDB 0", b"-ERR wrong number of arguments for 'swapdb' command\r\n");
}

#[test]
fn flushdb_and_flushall() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    c.cmd_str("MSET a 1 b 2");
    c.cmd_str("SELECT 1");
    c.cmd_str("SET x 1");
    assert_reply!(c, "FLUSHDB", b"+OK\r\n");
    assert_reply!(c, "DBSIZE", b":0\r\n");
    c.cmd_str("SELECT 0");
    assert_reply!(c, "DBSIZE", b":2\r\n");
    assert_reply!(c, "FLUSHDB FOO", b"-ERR syntax error\r\n");
    assert_reply!(c, "FLUSHDB SYNC ASYNC", b"-ERR syntax error\r\n");
    assert_reply!(c, "FLUSHALL FOO", b"-ERR syntax error\r\n");
    assert_reply!(c, "FLUSHDB ASYNC", b"+OK\r\n");
    assert_reply!(c, "DBSIZE", b":0\r\n");
    c.cmd_str("SET a 1");
    assert_reply!(c, "FLUSHDB sync", b"+OK\r\n");
    assert_reply!(c, "DBSIZE", b":0\r\n");
    c.cmd_str("SET a 1");
    c.cmd_str("SELECT 5");
    c.cmd_str("SET a 1");
    assert_reply!(c, "FLUSHALL", b"+OK\r\n");
    assert_reply!(c, "DBSIZE", b":0\r\n");
    c.cmd_str("SELECT 0");
    assert_reply!(c, "DBSIZE", b":0\r\n");
    c.cmd_str("SET a 1");
    assert_reply!(c, "FLUSHALL ASYNC", b"+OK\r\n");
    assert_reply!(c, "DBSIZE", b":0\r\n");
    assert_reply!(c, "FLUSHALL SYNC", b"+OK\r\n");
}

#[test]
fn wrongtype_against_list() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    c.cmd_str("LPUSH l a");
    let wt = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    for cmd in [
        "GET l",
        "GETEX l",
        "GETDEL l",
        "APPEND l x",
        "STRLEN l",
        "INCR l",
        "DECR l",
        "INCRBY l 1",
        "DECRBY l 1",
        "INCRBYFLOAT l 1",
        "SETRANGE l 0 x",
        "GETRANGE l 0 1",
        "GETSET l v",
        "SET l v GET",
        "SADD l x",
        "HSET l f v",
        "ZADD l 1 a",
    ] {
        assert_reply!(c, cmd, wt);
    }
    // commands that do not care about the type
    assert_reply!(c, "EXISTS l", b":1\r\n");
    assert_reply!(c, "MGET l", b"*1\r\n$-1\r\n");
    assert_reply!(c, "SET l v", b"+OK\r\n");
    assert_reply!(c, "GET l", b"$1\r\nv\r\n");
}

/// RENAME/COPY with a non-string value (needs lists).
#[test]
fn rename_and_copy_list_values() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    c.cmd_str("SET c 3");
    c.cmd_str("RPUSH list a b c");
    assert_reply!(c, "RENAME list c", b"+OK\r\n");
    assert_reply!(c, "TYPE c", b"+list\r\n");
    assert_reply!(c, "LRANGE c 0 -1", b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
    assert_reply!(c, "COPY c list2", b":1\r\n");
    c.cmd_str("RPUSH list2 d");
    assert_reply!(c, "LLEN c", b":3\r\n");
    assert_reply!(c, "LLEN list2", b":4\r\n");
    assert_reply!(c, "COPY c list2", b":0\r\n");
    assert_reply!(c, "COPY c list2 REPLACE", b":1\r\n");
    assert_reply!(c, "LLEN list2", b":3\r\n");
    c.cmd_str("SET s v");
    assert_reply!(c, "RENAMENX s c", b":0\r\n");
    assert_reply!(c, "MOVE c 1", b":1\r\n");
    c.cmd_str("SELECT 1");
    assert_reply!(c, "TYPE c", b"+list\r\n");
}
