//! SORT and SORT_RO. Mirrors tests/unit/sort.tcl, plus the SORT tests of
//! unit/type/list.tcl and unit/multi.tcl, and edge cases checked against
//! redis-server 7.0.15 (patterns as C strings, ties under LIMIT, STORE).

use redis_compat_tests::*;
use std::time::Duration;

const WRONGTYPE: &[u8] = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const NOT_INT: &[u8] = b"-ERR value is not an integer or out of range\r\n";
const SYNTAX: &[u8] = b"-ERR syntax error\r\n";
const BAD_DOUBLE: &[u8] = b"-ERR One or more scores can't be converted into double\r\n";

fn server() -> Server {
    Server::start(&["--enable-debug-command", "yes"])
}

#[test]
fn numeric_alpha_desc_limit() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "RPUSH l 3 1 2 10", b":4\r\n");
    assert_reply!(c, "SORT l", bulks(&["1", "2", "3", "10"]));
    assert_reply!(c, "SORT l DESC", bulks(&["10", "3", "2", "1"]));
    assert_reply!(c, "SORT l ALPHA", bulks(&["1", "10", "2", "3"]));
    assert_reply!(c, "SORT l ALPHA DESC LIMIT 1 2", bulks(&["2", "10"]));
    assert_reply!(c, "SORT l LIMIT 1 -1", bulks(&["2", "3", "10"]));
    assert_reply!(c, "SORT l LIMIT -5 2", bulks(&["1", "2"]));
    assert_reply!(c, "SORT l LIMIT 10 10", b"*0\r\n");
    assert_reply!(c, "SORT l LIMIT 0 0", b"*0\r\n");
    assert_reply!(c, "SORT l LIMIT 9223372036854775807 1", b"*0\r\n");
    assert_reply!(c, "SORT l LIMIT 2 9223372036854775807", bulks(&["3", "10"]));
    // The last of ASC/DESC wins.
    assert_reply!(c, "SORT l DESC ASC", bulks(&["1", "2", "3", "10"]));
    assert_reply!(c, "SORT nokey", b"*0\r\n");
    // Floats and strtod's syntax (issue #19 of the Tcl suite and friends).
    assert_reply!(c, ["RPUSH", "f", "1.5", " 2", "0x10", "-inf", "", "5.10"], b":6\r\n");
    assert_reply!(c, "SORT f", bulks(&["-inf", "", "1.5", " 2", "5.10", "0x10"]));
    // Equal scores fall back to comparing the elements.
    assert_reply!(c, "RPUSH n 3.0 3 03", b":3\r\n");
    assert_reply!(c, "SORT n", bulks(&["03", "3", "3.0"]));
    assert_reply!(c, "SORT n DESC", bulks(&["3.0", "3", "03"]));
}

#[test]
fn errors() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "RPUSH l 1 2", b":2\r\n");
    assert_reply!(c, "SORT l LIMIT 0", SYNTAX);
    assert_reply!(c, "SORT l LIMIT 0 abc", NOT_INT);
    assert_reply!(c, "SORT l LIMIT x 1", NOT_INT);
    assert_reply!(c, "SORT l foo", SYNTAX);
    assert_reply!(c, "SORT l BY", SYNTAX);
    assert_reply!(c, "SORT l GET", SYNTAX);
    assert_reply!(c, "SORT l STORE", SYNTAX);
    assert_reply!(c, "SORT_RO l STORE dst", SYNTAX);
    assert_reply!(c, "SORT", b"-ERR wrong number of arguments for 'sort' command\r\n");
    // Syntax errors come before the type check.
    assert_reply!(c, "SET s x", b"+OK\r\n");
    assert_reply!(c, "SORT s foo", SYNTAX);
    assert_reply!(c, "SORT s", WRONGTYPE);
    assert_reply!(c, "HSET h f v", b":1\r\n");
    assert_reply!(c, "SORT_RO h", WRONGTYPE);
    assert_reply!(c, "SORT s STORE dst", WRONGTYPE);
    // Bad weights: in the elements or in the BY keys.
    assert_reply!(c, "SADD myset 1 2 3 4 not-a-double", b":5\r\n");
    assert_reply!(c, "SORT myset", BAD_DOUBLE);
    assert_reply!(c, "SORT myset ALPHA LIMIT 0 1", bulks(&["1"]));
    assert_reply!(c, "MSET score:1 10 score:2 20 score:3 1e400 score:4 nan", b"+OK\r\n");
    assert_reply!(c, "SADD s2 1 2", b":2\r\n");
    assert_reply!(c, "SORT s2 BY score:*", bulks(&["1", "2"]));
    assert_reply!(c, "SADD s2 3", b":1\r\n");
    assert_reply!(c, "SORT s2 BY score:*", BAD_DOUBLE);
    assert_reply!(c, "SORT s2 BY score:* STORE dst", BAD_DOUBLE);
    assert_reply!(c, "EXISTS dst", b":0\r\n");
    assert_reply!(c, "SREM s2 3", b":1\r\n");
    assert_reply!(c, "SADD s2 4", b":1\r\n");
    assert_reply!(c, "SORT s2 BY score:*", BAD_DOUBLE);
}

#[test]
fn by_and_get_patterns() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "RPUSH l 1 2 3", b":3\r\n");
    assert_reply!(c, "MSET w_1 30 w_2 10 w_3 20", b"+OK\r\n");
    assert_reply!(c, "HSET h_1 f 3 g a", b":2\r\n");
    assert_reply!(c, "HSET h_2 f 1 g b", b":2\r\n");
    assert_reply!(c, "HSET h_3 f 2", b":1\r\n");
    assert_reply!(c, "SORT l BY w_*", bulks(&["2", "3", "1"]));
    assert_reply!(c, "SORT l BY w_* DESC LIMIT 0 1", bulks(&["1"]));
    assert_reply!(c, "SORT l BY h_*->f", bulks(&["2", "3", "1"]));
    assert_reply!(c, "SORT l BY w_* GET # GET w_* GET h_*->g", {
        let mut v = b"*9\r\n".to_vec();
        for part in [
            "$1\r\n2\r\n$2\r\n10\r\n$1\r\nb\r\n",
            "$1\r\n3\r\n$2\r\n20\r\n$-1\r\n",
            "$1\r\n1\r\n$2\r\n30\r\n$1\r\na\r\n",
        ] {
            v.extend_from_slice(part.as_bytes());
        }
        v
    });
    // A GET pattern without `*` names nothing.
    assert_reply!(c, "SORT l GET nopattern", b"*3\r\n$-1\r\n$-1\r\n$-1\r\n");
    // Missing BY keys weigh 0; ties are ordered by the elements.
    assert_reply!(c, "SORT l BY nokey_*", bulks(&["1", "2", "3"]));
    // A wrong type behind a pattern is as good as missing.
    assert_reply!(
        c,
        "SORT l BY h_* GET h_* GET w_*->f",
        b"*6\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n"
    );
    // "->" at the very end is part of the key name.
    assert_reply!(c, "DEL l", b":1\r\n");
    assert_reply!(c, "LPUSH mylist a", b":1\r\n");
    assert_reply!(c, "SET x:a-> 100", b"+OK\r\n");
    assert_reply!(c, "SORT mylist BY num GET x:*->", bulks(&["100"]));
    assert_reply!(c, "SORT_RO mylist BY nosort GET x:*->", bulks(&["100"]));
    // ALPHA by pattern: missing values sort first.
    assert_reply!(c, "RPUSH a p q r", b":3\r\n");
    assert_reply!(c, "MSET k_p zz k_r aa", b"+OK\r\n");
    assert_reply!(c, "SORT a BY k_* ALPHA", bulks(&["q", "r", "p"]));
    assert_reply!(c, "SORT a BY k_* ALPHA DESC", bulks(&["p", "r", "q"]));
}

#[test]
fn patterns_are_c_strings() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "RPUSH n 1 2", b":2\r\n");
    assert_reply!(c, ["SET", "w_1\0xx", "5"], b"+OK\r\n");
    assert_reply!(c, ["SET", "w_2\0xx", "3"], b"+OK\r\n");
    // `*` is looked for before the first NUL, the key keeps the rest.
    assert_reply!(c, ["SORT", "n", "BY", "w_*\0xx"], bulks(&["2", "1"]));
    assert_reply!(c, ["SORT", "n", "BY", "w_\0*"], bulks(&["1", "2"]));
    assert_reply!(c, ["SORT", "n", "GET", "#\0zz"], bulks(&["1", "2"]));
    assert_reply!(c, ["SORT", "n", "GET", "w_*\0xx"], bulks(&["5", "3"]));
    assert_reply!(c, ["HSET", "h_1", "f\0g", "7"], b":1\r\n");
    assert_reply!(c, ["SORT", "n", "GET", "h_*->f\0g"], b"*2\r\n$1\r\n7\r\n$-1\r\n");
    assert_reply!(c, ["SORT", "n", "GET", "h_*\0->f"], b"*2\r\n$-1\r\n$-1\r\n");
    // A weight is read up to its first NUL.
    assert_reply!(c, ["RPUSH", "b", "2", "1\0junk"], b":2\r\n");
    assert_reply!(c, "SORT b", b"*2\r\n$6\r\n1\x00junk\r\n$1\r\n2\r\n");
}

#[test]
fn ties_under_limit_follow_redis_partial_sort() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "RPUSH l e0 e1 e2 e3 e4 e5 e6 e7 e8 e9", b":10\r\n");
    // Every weight is missing: all equal. Without LIMIT the sort is
    // stable; with LIMIT Redis's partial quicksort moves things around.
    assert_reply!(
        c,
        "SORT l BY nokey_* ALPHA",
        bulks(&["e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"])
    );
    assert_reply!(c, "SORT l BY nokey_* ALPHA LIMIT 0 5", bulks(&["e9", "e1", "e2", "e3", "e4"]));
    assert_reply!(c, "SORT l BY nokey_* ALPHA DESC LIMIT 2 3", bulks(&["e2", "e3", "e4"]));
}

#[test]
fn nosort_keeps_native_order() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "LPUSH testa 2 1 4 3 5", b":5\r\n");
    assert_reply!(c, "SORT testa BY nosort", bulks(&["5", "3", "4", "1", "2"]));
    assert_reply!(c, "SORT testa BY nosort DESC", bulks(&["2", "1", "4", "3", "5"]));
    assert_reply!(c, "SORT testa BY nosort LIMIT 1 3 DESC", bulks(&["1", "4", "3"]));
    assert_reply!(c, "SORT testa BY nosort STORE testb", b":5\r\n");
    assert_reply!(c, "LRANGE testb 0 -1", bulks(&["5", "3", "4", "1", "2"]));
    assert_reply!(c, "SORT testa BY nosort LIMIT 0 3 STORE testb", b":3\r\n");
    assert_reply!(c, "LRANGE testb 0 -1", bulks(&["5", "3", "4"]));
    // Sorted sets: score order, LIMIT taken directly.
    assert_reply!(c, "ZADD zset 1 a 5 b 2 c 10 d 3 e", b":5\r\n");
    assert_reply!(c, "OBJECT ENCODING zset", b"$8\r\nlistpack\r\n");
    assert_reply!(c, "SORT zset BY nosort ASC", bulks(&["a", "c", "e", "b", "d"]));
    // SORT converts the sorted set for good, as Redis does.
    assert_reply!(c, "OBJECT ENCODING zset", b"$8\r\nskiplist\r\n");
    assert_reply!(c, "SORT zset BY nosort DESC", bulks(&["d", "b", "e", "c", "a"]));
    assert_reply!(c, "SORT zset BY nosort DESC LIMIT 0 2", bulks(&["d", "b"]));
    assert_reply!(c, "SORT zset BY nosort LIMIT 5 10", b"*0\r\n");
    assert_reply!(c, "SORT zset BY nosort LIMIT -10 100", bulks(&["a", "c", "e", "b", "d"]));
    assert_reply!(c, "SORT zset ALPHA DESC", bulks(&["e", "d", "c", "b", "a"]));
    // Sets: a stored result is sorted so that replicas agree.
    assert_reply!(c, "SADD myset a b c d e f g h i l m n o p q r s t u v z aa aaa azz", b":24\r\n");
    assert_reply!(c, "SORT myset ALPHA BY _ STORE mylist", b":24\r\n");
    assert_reply!(
        c,
        "LRANGE mylist 0 -1",
        bulks(&[
            "a", "aa", "aaa", "azz", "b", "c", "d", "e", "f", "g", "h", "i", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "z"
        ])
    );
    // An intset iterates in ascending order: BY nosort shows it.
    assert_reply!(c, "SADD ints 5 3 1", b":3\r\n");
    assert_reply!(c, "SORT ints BY nosort DESC", bulks(&["1", "3", "5"]));
    assert_reply!(c, "SORT ints BY nosort DESC STORE out", b":3\r\n");
    assert_reply!(c, "LRANGE out 0 -1", bulks(&["5", "3", "1"]));
}

#[test]
fn store() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "SORT foo STORE bar", b":0\r\n");
    assert_reply!(c, "LPUSH foo bar", b":1\r\n");
    assert_reply!(c, "SORT foo ALPHA LIMIT 10 10 STORE zap", b":0\r\n");
    assert_reply!(c, "EXISTS zap", b":0\r\n");
    // An empty result removes the destination.
    assert_reply!(c, "SORT emptylist STORE foo", b":0\r\n");
    assert_reply!(c, "EXISTS foo", b":0\r\n");
    // The destination is replaced whatever its type, and loses its TTL.
    assert_reply!(c, "RPUSH src 3 1 2", b":3\r\n");
    assert_reply!(c, "SET dst x EX 100", b"+OK\r\n");
    assert_reply!(c, "SORT src STORE dst", b":3\r\n");
    assert_reply!(c, "TTL dst", b":-1\r\n");
    assert_reply!(c, "TYPE dst", b"+list\r\n");
    assert_reply!(c, "OBJECT ENCODING dst", b"$9\r\nquicklist\r\n");
    assert_reply!(c, "LRANGE dst 0 -1", bulks(&["1", "2", "3"]));
    // GET values are stored; missing ones as empty strings. The count is
    // of stored elements.
    assert_reply!(c, "MSET w_1 one w_3 three", b"+OK\r\n");
    assert_reply!(c, "SORT src GET # GET w_* STORE dst", b":6\r\n");
    assert_reply!(c, "LRANGE dst 0 -1", bulks(&["1", "one", "2", "", "3", "three"]));
    // The last STORE wins; the sorted key can be its own destination.
    assert_reply!(c, "SORT src DESC STORE a STORE src", b":3\r\n");
    assert_reply!(c, "EXISTS a", b":0\r\n");
    assert_reply!(c, "LRANGE src 0 -1", bulks(&["3", "2", "1"]));
    // Integer-encoded GET values (unit/violations.tcl).
    assert_reply!(c, "SET S1 asdf", b"+OK\r\n");
    assert_reply!(c, "SET S2 123", b"+OK\r\n");
    assert_reply!(c, "SADD myset 1 2", b":2\r\n");
    assert_reply!(c, "MSET D1 1 D2 2", b"+OK\r\n");
    assert_reply!(c, "SORT myset BY D* GET S* STORE mylist", b":2\r\n");
    assert_reply!(c, "LRANGE mylist 0 -1", bulks(&["asdf", "123"]));
}

#[test]
fn store_invalidates_watch_even_when_empty() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "LPUSH foo bar", b":1\r\n");
    assert_reply!(c, "WATCH foo", b"+OK\r\n");
    assert_reply!(c, "SORT emptylist STORE foo", b":0\r\n");
    assert_reply!(c, "MULTI", b"+OK\r\n");
    assert_reply!(c, "PING", b"+QUEUED\r\n");
    assert_reply!(c, "EXEC", b"*-1\r\n");
}

#[test]
fn store_wakes_blocked_pop() {
    let s = server();
    let mut c = s.conn();
    let mut b = s.conn();
    b.send_cmd(&[b"BLPOP", b"foo", b"5"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !c.cmd_str("INFO clients").str().contains("blocked_clients:1\r\n") {
        assert!(std::time::Instant::now() < deadline, "BLPOP never blocked");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_reply!(c, "LPUSH notfoo hello hola aguacate konichiwa zanzibar", b":5\r\n");
    assert_reply!(c, "SORT notfoo ALPHA STORE foo", b":5\r\n");
    check_bytes(&b.read_raw_reply(), &bulks(&["foo", "aguacate"]), "BLPOP served by SORT STORE");
}

#[test]
fn keyspace_events() {
    let s = server();
    let mut c = s.conn();
    let mut sub = s.conn();
    assert_reply!(c, "CONFIG SET notify-keyspace-events KEA", b"+OK\r\n");
    sub.send_cmd(&[b"PSUBSCRIBE", b"__keyevent@0__:*"]);
    sub.read_raw_reply();
    assert_reply!(c, "RPUSH l 2 1", b":2\r\n");
    assert_reply!(c, "SORT l STORE d", b":2\r\n");
    assert_reply!(c, "SORT nokey STORE d", b":0\r\n");
    assert_reply!(c, "SORT nokey STORE d", b":0\r\n");
    let got = sub.read_raw_replies(3);
    let mut want = Vec::new();
    for (ev, key) in [("rpush", "l"), ("sortstore", "d"), ("del", "d")] {
        want.extend(keyevent(ev, key));
    }
    check_bytes(&got, &want, "events of SORT STORE");
    sub.expect_no_reply(Duration::from_millis(100));
}

#[test]
fn expired_keys_are_missing() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "DEBUG SET-ACTIVE-EXPIRE 0", b"+OK\r\n");
    assert_reply!(c, "RPUSH l 1 2", b":2\r\n");
    assert_reply!(c, "SET w_1 5 PX 1", b"+OK\r\n");
    assert_reply!(c, "SET w_2 3", b"+OK\r\n");
    assert_reply!(c, "RPUSH gone 1 2", b":2\r\n");
    assert_reply!(c, "PEXPIRE gone 1", b":1\r\n");
    std::thread::sleep(Duration::from_millis(10));
    assert_reply!(c, "SORT l BY w_*", bulks(&["1", "2"]));
    assert_reply!(c, "SORT l GET w_*", b"*2\r\n$-1\r\n$1\r\n3\r\n");
    assert_reply!(c, "SORT gone", b"*0\r\n");
    assert_reply!(c, "SORT gone STORE l", b":0\r\n");
    assert_reply!(c, "EXISTS l gone w_1", b":0\r\n");
}

#[test]
fn resp3_nulls() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("HELLO 3");
    assert_reply!(c, "RPUSH l 1", b":1\r\n");
    assert_reply!(c, "SORT l GET nokey_* GET #", b"*2\r\n_\r\n$1\r\n1\r\n");
}

#[test]
fn getkeys() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "COMMAND GETKEYS sort abc store def", bulks(&["abc", "def"]));
    assert_reply!(c, "COMMAND GETKEYS sort_ro abc", bulks(&["abc"]));
    assert_reply!(
        c,
        "COMMAND GETKEYS sort abc store invalid store stillbad store def",
        bulks(&["abc", "def"])
    );
    assert_reply!(c, "COMMAND GETKEYS sort abc get store limit store store", bulks(&["abc"]));
}
