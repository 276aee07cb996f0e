//! List commands, including the blocking ones. Mirrors
//! tests/unit/type/list.tcl, list-2.tcl and list-3.tcl.

use redis_compat_tests::*;
use std::time::{Duration, Instant};

const WRONGTYPE: &[u8] = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const NOT_INT: &[u8] = b"-ERR value is not an integer or out of range\r\n";
const SYNTAX: &[u8] = b"-ERR syntax error\r\n";
const MUST_BE_POSITIVE: &[u8] = b"-ERR value is out of range, must be positive\r\n";

fn server() -> Server {
    Server::start(&["--enable-debug-command", "yes"])
}

/// Waits until INFO reports `n` blocked clients.
fn wait_blocked(c: &mut Conn, n: usize) {
    let want = format!("blocked_clients:{}\r\n", n);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let info = c.cmd_str("INFO clients").str();
        if info.contains(&want) {
            return;
        }
        assert!(Instant::now() < deadline, "never reached {} blocked clients: {}", n, info);
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn push_pop_len_index() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "LPUSH l aa", b":1\r\n");
    assert_reply!(c, "RPUSH l bb cc", b":3\r\n");
    assert_reply!(c, "LPUSH l x y", b":5\r\n");
    assert_reply!(c, "LRANGE l 0 -1", bulks(&["y", "x", "aa", "bb", "cc"]));
    assert_reply!(c, "LLEN l", b":5\r\n");
    assert_reply!(c, "LLEN nokey", b":0\r\n");
    assert_reply!(c, "LINDEX l 0", b"$1\r\ny\r\n");
    assert_reply!(c, "LINDEX l -1", b"$2\r\ncc\r\n");
    assert_reply!(c, "LINDEX l 5", b"$-1\r\n");
    assert_reply!(c, "LINDEX l -6", b"$-1\r\n");
    assert_reply!(c, "LINDEX l -9223372036854775808", b"$-1\r\n");
    assert_reply!(c, "LINDEX l abc", NOT_INT);
    assert_reply!(c, "LINDEX nokey abc", b"$-1\r\n");
    assert_reply!(c, "LPOP l", b"$1\r\ny\r\n");
    assert_reply!(c, "RPOP l", b"$2\r\ncc\r\n");
    assert_reply!(c, "OBJECT ENCODING l", b"$9\r\nquicklist\r\n");
    assert_reply!(c, "LPUSHX nokey a", b":0\r\n");
    assert_reply!(c, "RPUSHX nokey a", b":0\r\n");
    assert_reply!(c, "EXISTS nokey", b":0\r\n");
    assert_reply!(c, "LPUSHX l a b", b":5\r\n");
    assert_reply!(c, "RPUSHX l z", b":6\r\n");
    assert_reply!(c, "LRANGE l 0 -1", bulks(&["b", "a", "x", "aa", "bb", "z"]));
    // Popping the last element deletes the key.
    assert_reply!(c, "RPUSH one v", b":1\r\n");
    assert_reply!(c, "RPOP one", b"$1\r\nv\r\n");
    assert_reply!(c, "EXISTS one", b":0\r\n");
    assert_reply!(c, "LPOP one", b"$-1\r\n");
}

#[test]
fn values_round_trip_in_every_encoding() {
    let s = server();
    let mut c = s.conn();
    let vals = [
        "0",
        "-1",
        "127",
        "128",
        "-4096",
        "4095",
        "32767",
        "-32768",
        "8388607",
        "2147483647",
        "-2147483648",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "-0",
        "01",
        "+1",
        " 1",
        "1.5",
        "",
        "hello",
    ];
    let mut args: Vec<&[u8]> = vec![b"RPUSH", b"v"];
    args.extend(vals.iter().map(|v| v.as_bytes()));
    c.cmd(&args);
    assert_reply!(c, "LRANGE v 0 -1", bulks(&vals));
    assert_reply!(c, "LRANGE v -3 -1", bulks(&["1.5", "", "hello"]));
    let big = "x".repeat(70000);
    assert_reply!(c, ["RPUSH", "v", big.as_str()], b":22\r\n");
    assert_reply!(c, "LINDEX v -1", bulk(&big));
    assert_reply!(c, "LINDEX v 13", b"$19\r\n9223372036854775808\r\n");
    assert_reply!(c, "LPOS v 128", b":3\r\n");
    assert_reply!(c, "LPOS v 0128", b"$-1\r\n");
    assert_reply!(c, "LPOS v -0", b":14\r\n");
}

#[test]
fn pop_with_count_resp2_and_resp3() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "LPUSH lc aa bb cc dd ee ff gg", b":7\r\n");
    assert_reply!(c, "LPOP lc 1", bulks(&["gg"]));
    assert_reply!(c, "LPOP lc 2", bulks(&["ff", "ee"]));
    assert_reply!(c, "RPOP lc 2", bulks(&["aa", "bb"]));
    assert_reply!(c, "LPOP lc 0", b"*0\r\n");
    assert_reply!(c, "RPOP lc 123", bulks(&["cc", "dd"]));
    assert_reply!(c, "EXISTS lc", b":0\r\n");
    assert_reply!(c, "LPOP lc", b"$-1\r\n");
    assert_reply!(c, "LPOP lc 0", b"*-1\r\n");
    assert_reply!(c, "RPOP lc 1", b"*-1\r\n");
    assert_reply!(c, "LPOP lc -1", MUST_BE_POSITIVE);
    assert_reply!(c, "LPOP lc abc", MUST_BE_POSITIVE);
    assert_reply!(c, "LPOP lc 1 2", b"-ERR wrong number of arguments for 'lpop' command\r\n");
    assert_reply!(c, "RPOP lc 1 2", b"-ERR wrong number of arguments for 'rpop' command\r\n");
    c.cmd_str("HELLO 3");
    assert_reply!(c, "LPOP lc", b"_\r\n");
    assert_reply!(c, "RPOP lc 1", b"_\r\n");
    assert_reply!(c, "LPOP lc 0", b"_\r\n");
    assert_reply!(c, "LINDEX lc 0", b"_\r\n");
    assert_reply!(c, "RPUSH lc zero", b":1\r\n");
    assert_reply!(c, "LPOP lc 0", b"*0\r\n");
    assert_reply!(c, "LPOS lc x", b"_\r\n");
    assert_reply!(c, "LMPOP 1 nokey left", b"_\r\n");
    assert_reply!(c, "LMPOP 1 lc left", b"*2\r\n$2\r\nlc\r\n*1\r\n$4\r\nzero\r\n");
    assert_reply!(c, "BLPOP nokey 0.01", b"_\r\n");
}

#[test]
fn lrange_and_ltrim() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("RPUSH l 0 1 2 3 4 5 6 7 8 9");
    assert_reply!(c, "LRANGE l 1 -2", bulks(&["1", "2", "3", "4", "5", "6", "7", "8"]));
    assert_reply!(c, "LRANGE l -3 -1", bulks(&["7", "8", "9"]));
    assert_reply!(c, "LRANGE l 6 2", b"*0\r\n");
    assert_reply!(c, "LRANGE l -1 -2", b"*0\r\n");
    assert_reply!(c, "LRANGE l 0 -11", b"*0\r\n");
    assert_reply!(c, "LRANGE l 0 -10", bulks(&["0"]));
    assert_reply!(c, "LRANGE l -1000 1000", bulks(&["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]));
    assert_reply!(c, "LRANGE l 10 20", b"*0\r\n");
    assert_reply!(c, "LRANGE nokey 0 1", b"*0\r\n");
    assert_reply!(c, "LRANGE nokey a 1", NOT_INT);
    assert_reply!(c, "LRANGE l 0 b", NOT_INT);

    assert_reply!(c, "LTRIM l 1 -2", b"+OK\r\n");
    assert_reply!(c, "LRANGE l 0 -1", bulks(&["1", "2", "3", "4", "5", "6", "7", "8"]));
    assert_reply!(c, "LTRIM l -3 100", b"+OK\r\n");
    assert_reply!(c, "LRANGE l 0 -1", bulks(&["6", "7", "8"]));
    assert_reply!(c, "LTRIM l 0 -4", b"+OK\r\n");
    assert_reply!(c, "EXISTS l", b":0\r\n");
    assert_reply!(c, "LTRIM nokey 0 1", b"+OK\r\n");
    assert_reply!(c, "LTRIM nokey a 1", NOT_INT);
    c.cmd_str("SET s x");
    assert_reply!(c, "LTRIM s 0 1", WRONGTYPE);
    assert_reply!(c, "LTRIM s x 1", NOT_INT);
    assert_reply!(c, "LRANGE s 0 1", WRONGTYPE);
}

#[test]
fn lset_linsert_lrem() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("RPUSH l 99 98 big 96 95");
    assert_reply!(c, "LSET l 1 foo", b"+OK\r\n");
    assert_reply!(c, "LSET l -1 bar", b"+OK\r\n");
    assert_reply!(c, "LRANGE l 0 -1", bulks(&["99", "foo", "big", "96", "bar"]));
    assert_reply!(c, "LSET l 10 x", b"-ERR index out of range\r\n");
    assert_reply!(c, "LSET l -6 x", b"-ERR index out of range\r\n");
    assert_reply!(c, "LSET l abc x", NOT_INT);
    assert_reply!(c, "LSET nokey 0 x", b"-ERR no such key\r\n");

    assert_reply!(c, "LINSERT l BEFORE big zz", b":6\r\n");
    assert_reply!(c, "LINSERT l after bar yy", b":7\r\n");
    assert_reply!(c, "LINSERT l after nothere yy", b":-1\r\n");
    assert_reply!(c, "LINSERT l before 99 42", b":8\r\n");
    assert_reply!(c, "LINSERT nokey before a b", b":0\r\n");
    assert_reply!(c, "LINSERT l middle a b", SYNTAX);
    assert_reply!(c, "LINSERT nokey middle a b", SYNTAX);
    assert_reply!(c, "LRANGE l 0 -1", bulks(&["42", "99", "foo", "zz", "big", "96", "bar", "yy"]));

    c.cmd_str("DEL l");
    c.cmd_str("RPUSH l e foo bar foobar foobared zap bar test foo foo");
    assert_reply!(c, "LREM l 0 bar", b":2\r\n");
    assert_reply!(c, "LREM l 1 foo", b":1\r\n");
    assert_reply!(c, "LREM l -1 foo", b":1\r\n");
    assert_reply!(c, "LRANGE l 0 -1", bulks(&["e", "foobar", "foobared", "zap", "test", "foo"]));
    assert_reply!(c, "LREM l 1 nosuch", b":0\r\n");
    assert_reply!(c, "LREM l abc x", NOT_INT);
    assert_reply!(c, "LREM nokey 0 x", b":0\r\n");
    c.cmd_str("RPUSH n 1 2 3 2");
    assert_reply!(c, "LREM n -5 2", b":2\r\n");
    assert_reply!(c, "LREM n 0 1", b":1\r\n");
    assert_reply!(c, "LREM n 0 3", b":1\r\n");
    assert_reply!(c, "EXISTS n", b":0\r\n");

    c.cmd_str("SET s x");
    assert_reply!(c, "LSET s 0 x", WRONGTYPE);
    assert_reply!(c, "LSET s abc x", WRONGTYPE);
    assert_reply!(c, "LINSERT s before a b", WRONGTYPE);
    assert_reply!(c, "LREM s 0 x", WRONGTYPE);
    assert_reply!(c, "LREM s x x", NOT_INT);
    assert_reply!(c, "LPUSH s a", WRONGTYPE);
    assert_reply!(c, "RPUSHX s a", WRONGTYPE);
    assert_reply!(c, "LLEN s", WRONGTYPE);
    assert_reply!(c, "LINDEX s abc", WRONGTYPE);
    assert_reply!(c, "LPOP s", WRONGTYPE);
    assert_reply!(c, "LPOP s abc", MUST_BE_POSITIVE);
}

#[test]
fn lpos_options_and_errors() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("RPUSH l a b c 1 2 3 c c");
    assert_reply!(c, "LPOS l a", b":0\r\n");
    assert_reply!(c, "LPOS l c", b":2\r\n");
    assert_reply!(c, "LPOS l c RANK 2", b":6\r\n");
    assert_reply!(c, "LPOS l c RANK 4", b"$-1\r\n");
    assert_reply!(c, "LPOS l c RANK -1", b":7\r\n");
    assert_reply!(c, "LPOS l c RANK -2", b":6\r\n");
    assert_reply!(c, "LPOS l c COUNT 0", b"*3\r\n:2\r\n:6\r\n:7\r\n");
    assert_reply!(c, "LPOS l c COUNT 2", b"*2\r\n:2\r\n:6\r\n");
    assert_reply!(c, "LPOS l c COUNT 0 RANK 2", b"*2\r\n:6\r\n:7\r\n");
    assert_reply!(c, "LPOS l c COUNT 2 RANK -1", b"*2\r\n:7\r\n:6\r\n");
    assert_reply!(c, "LPOS l c COUNT 0 MAXLEN 1", b"*0\r\n");
    assert_reply!(c, "LPOS l c COUNT 0 MAXLEN 3", b"*1\r\n:2\r\n");
    assert_reply!(c, "LPOS l c COUNT 0 MAXLEN 3 RANK -1", b"*2\r\n:7\r\n:6\r\n");
    assert_reply!(c, "LPOS l c COUNT 0 MAXLEN 7 RANK 2", b"*1\r\n:6\r\n");
    assert_reply!(c, "LPOS l c MAXLEN 2", b"$-1\r\n");
    assert_reply!(c, "LPOS l 3", b":5\r\n");
    assert_reply!(c, "LPOS l x COUNT 2 RANK -1", b"*0\r\n");
    assert_reply!(c, "LPOS nokey c", b"$-1\r\n");
    assert_reply!(c, "LPOS nokey c COUNT 0 RANK 2", b"*0\r\n");
    // The most negative rank wraps to itself and matches from the tail.
    assert_reply!(c, "LPOS l c RANK -9223372036854775808", b":7\r\n");
    assert_reply!(c, "LPOS l c RANK -9223372036854775808 COUNT 2", b"*3\r\n:7\r\n:6\r\n:2\r\n");
    assert_reply!(
        c,
        "LPOS l c RANK 0",
        b"-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"
    );
    assert_reply!(c, "LPOS l c RANK x", NOT_INT);
    assert_reply!(c, "LPOS l c COUNT -1", b"-ERR COUNT can't be negative\r\n");
    assert_reply!(c, "LPOS l c COUNT x", b"-ERR COUNT can't be negative\r\n");
    assert_reply!(c, "LPOS l c MAXLEN -1", b"-ERR MAXLEN can't be negative\r\n");
    assert_reply!(c, "LPOS l c RANK", SYNTAX);
    assert_reply!(c, "LPOS l c FOO 1", SYNTAX);
    c.cmd_str("SET s x");
    assert_reply!(c, "LPOS s a", WRONGTYPE);
    assert_reply!(c, "LPOS s a RANK 0", b"-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n");
}

#[test]
fn lmove_and_rpoplpush() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("RPUSH src a b c d");
    assert_reply!(c, "RPOPLPUSH src dst", b"$1\r\nd\r\n");
    assert_reply!(c, "LMOVE src dst LEFT RIGHT", b"$1\r\na\r\n");
    assert_reply!(c, "LMOVE src dst right left", b"$1\r\nc\r\n");
    assert_reply!(c, "LRANGE src 0 -1", bulks(&["b"]));
    assert_reply!(c, "LRANGE dst 0 -1", bulks(&["c", "d", "a"]));
    assert_reply!(c, "LMOVE src dst left left", b"$1\r\nb\r\n");
    assert_reply!(c, "EXISTS src", b":0\r\n");
    assert_reply!(c, "LMOVE src dst left left", b"$-1\r\n");
    assert_reply!(c, "RPOPLPUSH src dst", b"$-1\r\n");
    assert_reply!(c, "EXISTS src", b":0\r\n");
    // Same list as source and destination, including a single element.
    assert_reply!(c, "RPOPLPUSH dst dst", b"$1\r\na\r\n");
    assert_reply!(c, "LRANGE dst 0 -1", bulks(&["a", "b", "c", "d"]));
    assert_reply!(c, "LMOVE dst dst left right", b"$1\r\na\r\n");
    assert_reply!(c, "LRANGE dst 0 -1", bulks(&["b", "c", "d", "a"]));
    c.cmd_str("RPUSH single x");
    assert_reply!(c, "RPOPLPUSH single single", b"$1\r\nx\r\n");
    assert_reply!(c, "LRANGE single 0 -1", bulks(&["x"]));
    // Errors.
    assert_reply!(c, "LMOVE dst other up left", SYNTAX);
    assert_reply!(c, "LMOVE dst other left down", SYNTAX);
    c.cmd_str("SET str x");
    assert_reply!(c, "RPOPLPUSH dst str", WRONGTYPE);
    assert_reply!(c, "LRANGE dst 0 -1", bulks(&["b", "c", "d", "a"]));
    assert_reply!(c, "RPOPLPUSH str dst", WRONGTYPE);
    assert_reply!(c, "LMOVE nokey str left left", b"$-1\r\n");
}

#[test]
fn lmpop_arguments_and_results() {
    let s = server();
    let mut c = s.conn();
    let arity = b"-ERR wrong number of arguments for 'lmpop' command\r\n";
    assert_reply!(c, "LMPOP", arity);
    assert_reply!(c, "LMPOP 1", arity);
    assert_reply!(c, "LMPOP 1 l", arity);
    let numkeys = b"-ERR numkeys should be greater than 0\r\n";
    assert_reply!(c, "LMPOP 0 l LEFT", numkeys);
    assert_reply!(c, "LMPOP a l LEFT", numkeys);
    assert_reply!(c, "LMPOP -1 l RIGHT", numkeys);
    assert_reply!(c, "LMPOP 1 l bad_where", SYNTAX);
    assert_reply!(c, "LMPOP 1 l LEFT bar_arg", SYNTAX);
    assert_reply!(c, "LMPOP 1 l RIGHT LEFT", SYNTAX);
    assert_reply!(c, "LMPOP 1 l COUNT", SYNTAX);
    assert_reply!(c, "LMPOP 1 l LEFT COUNT 1 COUNT 2", SYNTAX);
    assert_reply!(c, "LMPOP 2 l l2 bad_arg", SYNTAX);
    assert_reply!(c, "LMPOP 2 l LEFT", SYNTAX);
    assert_reply!(c, "LMPOP 9223372036854775807 l LEFT", SYNTAX);
    let count = b"-ERR count should be greater than 0\r\n";
    assert_reply!(c, "LMPOP 1 l LEFT COUNT 0", count);
    assert_reply!(c, "LMPOP 1 l RIGHT COUNT a", count);
    assert_reply!(c, "LMPOP 1 l LEFT COUNT -1", count);

    assert_reply!(c, "LMPOP 2 l l2 LEFT", b"*-1\r\n");
    c.cmd_str("RPUSH l a b c d e f");
    assert_reply!(c, "LMPOP 2 l l LEFT COUNT 2", b"*2\r\n$1\r\nl\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    assert_reply!(c, "LMPOP 2 l l right count 2", b"*2\r\n$1\r\nl\r\n*2\r\n$1\r\nf\r\n$1\r\ne\r\n");
    assert_reply!(c, "LMPOP 2 nokey l left", b"*2\r\n$1\r\nl\r\n*1\r\n$1\r\nc\r\n");
    assert_reply!(c, "LMPOP 1 l right COUNT 10", b"*2\r\n$1\r\nl\r\n*1\r\n$1\r\nd\r\n");
    assert_reply!(c, "EXISTS l", b":0\r\n");
    c.cmd_str("SET s x");
    assert_reply!(c, "LMPOP 2 nokey s left", WRONGTYPE);
    c.cmd_str("RPUSH l2 1");
    assert_reply!(c, "LMPOP 2 l2 s left", b"*2\r\n$2\r\nl2\r\n*1\r\n$1\r\n1\r\n");
}

#[test]
fn plain_nodes_and_compression() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "CONFIG SET list-compress-depth 1", b"+OK\r\n");
    assert_reply!(c, "CONFIG SET list-max-listpack-size 2", b"+OK\r\n");
    let v = |ch: char| ch.to_string().repeat(500);
    for ch in ['a', 'b', 'c', 'd'] {
        c.cmd(&[b"LPUSH", b"l1", v(ch).as_bytes()]);
    }
    for (n, ch) in ['e', 'f', 'g', 'j'].into_iter().enumerate() {
        let want = format!(":{}\r\n", 5 + n);
        assert_reply!(c, ["LINSERT", "l1", "AFTER", v('d').as_str(), v(ch).as_str()], want.as_bytes());
    }
    for ch in ['d', 'j', 'g', 'f', 'e', 'c', 'b', 'a'] {
        assert_reply!(c, "LPOP l1", bulk(&v(ch)));
    }
    // Elements at or over the packed threshold get plain nodes.
    assert_reply!(c, "DEBUG QUICKLIST-PACKED-THRESHOLD 1b", b"+OK\r\n");
    c.cmd_str("RPUSH p aa bb cc");
    assert_reply!(c, "LSET p 0 xxxxxxxxxxx", b"+OK\r\n");
    assert_reply!(c, "LPOS p xxxxxxxxxxx", b":0\r\n");
    assert_reply!(c, "LINSERT p before bb 9", b":4\r\n");
    assert_reply!(c, "LRANGE p 0 -1", bulks(&["xxxxxxxxxxx", "9", "bb", "cc"]));
    assert_reply!(c, "LREM p 0 bb", b":1\r\n");
    assert_reply!(c, "LTRIM p 1 -1", b"+OK\r\n");
    assert_reply!(c, "LMOVE p p right left", b"$2\r\ncc\r\n");
    assert_reply!(c, "LRANGE p 0 -1", bulks(&["cc", "9"]));
    assert_reply!(c, "DEBUG QUICKLIST-PACKED-THRESHOLD 0", b"+OK\r\n");
    let bad = b"-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n";
    assert_reply!(c, "DEBUG QUICKLIST-PACKED-THRESHOLD 4gb", bad);
    assert_reply!(c, "DEBUG QUICKLIST-PACKED-THRESHOLD abc", bad);
    assert_reply!(c, "DEBUG QUICKLIST-PACKED-THRESHOLD -1", bad);
    assert_reply!(c, "DEBUG QUICKLIST p", b"+Quicklist structure printed on stdout\r\n");
    assert_reply!(c, "DEBUG LISTPACK p", b"-ERR Not a listpack encoded object.\r\n");
    assert_reply!(c, "DEBUG LISTPACK nokey", b"-ERR no such key\r\n");
    assert_reply!(c, "DEBUG QUICKLIST nokey", b"-ERR no such key\r\n");
    c.cmd_str("SET s x");
    assert_reply!(c, "DEBUG QUICKLIST s", b"-ERR Not a quicklist encoded object.\r\n");
    assert_reply!(c, "DEBUG LISTPACK s", b"-ERR Not a listpack encoded object.\r\n");
    c.cmd_str("CONFIG SET list-compress-depth 0");
}

#[test]
fn digest_is_independent_of_layout() {
    let s = server();
    let mut c = s.conn();
    c.cmd(&[b"RPUSH", b"d", b"1", b"two", b"3", b"-5", b"9223372036854775807", b""]);
    let want = b"*1\r\n+d1b6e17cd59631182ac4dfe2be33b72771650768\r\n";
    assert_reply!(c, "DEBUG DIGEST-VALUE d", want);
    c.cmd_str("CONFIG SET list-max-listpack-size 1");
    c.cmd_str("CONFIG SET list-compress-depth 1");
    c.cmd(&[b"RPUSH", b"d2", b"1", b"two", b"3", b"-5", b"9223372036854775807", b""]);
    assert_reply!(c, "DEBUG DIGEST-VALUE d2", want);
}

#[test]
fn keyspace_events() {
    let s = server();
    let mut c = s.conn();
    let mut sub = s.conn();
    // "A" does not include "n": no "new" events.
    c.cmd_str("CONFIG SET notify-keyspace-events KEA");
    assert_reply!(
        sub,
        "PSUBSCRIBE __keyevent@0__:*",
        b"*3\r\n$10\r\npsubscribe\r\n$16\r\n__keyevent@0__:*\r\n:1\r\n"
    );
    let ev = keyevent;
    let mut expect = Vec::new();
    c.cmd_str("RPUSH l a b c");
    expect.extend(ev("rpush", "l"));
    c.cmd_str("LPUSH l z");
    expect.extend(ev("lpush", "l"));
    c.cmd_str("LINSERT l before a y");
    expect.extend(ev("linsert", "l"));
    c.cmd_str("LINSERT l before nothere y");
    c.cmd_str("LSET l 0 w");
    expect.extend(ev("lset", "l"));
    c.cmd_str("LREM l 0 y");
    expect.extend(ev("lrem", "l"));
    c.cmd_str("LREM l 0 nothere");
    c.cmd_str("LTRIM l 0 -1");
    expect.extend(ev("ltrim", "l"));
    c.cmd_str("LMOVE l l2 right left");
    expect.extend(ev("lpush", "l2"));
    expect.extend(ev("rpop", "l"));
    c.cmd_str("RPOPLPUSH l l2");
    expect.extend(ev("lpush", "l2"));
    expect.extend(ev("rpop", "l"));
    c.cmd_str("LPOP l 5");
    expect.extend(ev("lpop", "l"));
    expect.extend(ev("del", "l"));
    c.cmd_str("LMPOP 1 l2 right count 1");
    expect.extend(ev("rpop", "l2"));
    c.cmd_str("LTRIM l2 1 0");
    expect.extend(ev("ltrim", "l2"));
    expect.extend(ev("del", "l2"));
    c.cmd_str("RPUSH x 1");
    expect.extend(ev("rpush", "x"));
    c.cmd_str("LREM x 1 1");
    expect.extend(ev("lrem", "x"));
    expect.extend(ev("del", "x"));
    let got = sub.read_for(Duration::from_millis(300));
    check_bytes(&got, &expect, "keyspace events");
}

#[test]
fn blocking_pop_with_data_and_errors() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("RPUSH b1 a b c d");
    assert_reply!(c, "BLPOP b1 1", bulks(&["b1", "a"]));
    assert_reply!(c, "BRPOP nokey b1 1", bulks(&["b1", "d"]));
    assert_reply!(
        c,
        "BLMPOP 1 2 nokey b1 RIGHT COUNT 5",
        b"*2\r\n$2\r\nb1\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_reply!(c, "EXISTS b1", b":0\r\n");
    c.cmd_str("RPUSH b1 x y");
    assert_reply!(c, "BRPOPLPUSH b1 t 0", b"$1\r\ny\r\n");
    assert_reply!(c, "BLMOVE b1 t LEFT RIGHT 0", b"$1\r\nx\r\n");
    assert_reply!(c, "LRANGE t 0 -1", bulks(&["y", "x"]));
    assert_reply!(c, "BLPOP b1 -1", b"-ERR timeout is negative\r\n");
    assert_reply!(c, "BLPOP b1 abc", b"-ERR timeout is not a float or out of range\r\n");
    assert_reply!(c, "BLMPOP abc 1 b1 left", b"-ERR timeout is not a float or out of range\r\n");
    assert_reply!(c, "BLMPOP 0 0 b1 left", b"-ERR numkeys should be greater than 0\r\n");
    assert_reply!(c, "BLMOVE b1 t up left 0", SYNTAX);
    assert_reply!(c, "BRPOPLPUSH b1 t -1", b"-ERR timeout is negative\r\n");
    c.cmd_str("SET s x");
    assert_reply!(c, "BLPOP nokey s 0", WRONGTYPE);
    assert_reply!(c, "BLMPOP 0 2 nokey s left count 1", WRONGTYPE);
    assert_reply!(c, "BRPOPLPUSH s t 0", WRONGTYPE);
    c.cmd_str("RPUSH b1 v");
    assert_reply!(c, "BRPOPLPUSH b1 s 0", WRONGTYPE);
    assert_reply!(c, "LRANGE b1 0 -1", bulks(&["v"]));
}

#[test]
fn blocking_timeouts() {
    let s = server();
    let mut c = s.conn();
    for cmd in [
        "BLPOP k1 k2 0.2",
        "BRPOP k1 0.2",
        "BLMPOP 0.2 1 k1 left",
        "BRPOPLPUSH k1 k2 0.2",
        "BLMOVE k1 k2 left right 0.2",
    ] {
        let start = Instant::now();
        assert_reply!(c, cmd, b"*-1\r\n");
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(190) && took < Duration::from_secs(2),
            "{} took {:?}",
            cmd,
            took
        );
    }
    c.cmd_str("HELLO 3");
    assert_reply!(c, "BLPOP k1 0.05", b"_\r\n");
    // A zero timeout blocks until data arrives.
    let mut w = s.conn();
    w.send_cmd(&[b"BLPOP", b"k1", b"0"]);
    wait_blocked(&mut c, 1);
    w.expect_no_reply(Duration::from_millis(300));
    c.cmd_str("RPUSH k1 late");
    assert_eq!(escape(&w.read_raw_reply()), escape(&bulks(&["k1", "late"])));
}

#[test]
fn blocked_clients_are_served_in_fifo_order() {
    let s = server();
    let mut c = s.conn();
    let mut waiters: Vec<Conn> = (0..3).map(|_| s.conn()).collect();
    for (i, w) in waiters.iter_mut().enumerate() {
        w.send_cmd(&[b"BLPOP", b"q", b"5"]);
        wait_blocked(&mut c, i + 1);
    }
    assert_reply!(c, "RPUSH q a b c d", b":4\r\n");
    for (w, v) in waiters.iter_mut().zip(["a", "b", "c"]) {
        assert_eq!(escape(&w.read_raw_reply()), escape(&bulks(&["q", v])));
    }
    assert_reply!(c, "LRANGE q 0 -1", bulks(&["d"]));
    wait_blocked(&mut c, 0);

    // BLMPOP with counts: the first client takes what it asks for, the next
    // one the rest, the third keeps waiting.
    c.cmd_str("DEL q q2");
    let mut w1 = s.conn();
    let mut w2 = s.conn();
    let mut w3 = s.conn();
    w1.send_cmd(&[b"BLMPOP", b"0", b"2", b"q", b"q2", b"LEFT", b"COUNT", b"2"]);
    wait_blocked(&mut c, 1);
    w2.send_cmd(&[b"BLMPOP", b"0", b"2", b"q", b"q2", b"RIGHT", b"COUNT", b"10"]);
    wait_blocked(&mut c, 2);
    w3.send_cmd(&[b"BLPOP", b"q", b"0"]);
    wait_blocked(&mut c, 3);
    c.cmd_str("RPUSH q 1 2 3 4 5");
    check_bytes(&w1.read_raw_reply(), b"*2\r\n$1\r\nq\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n", "w1");
    check_bytes(
        &w2.read_raw_reply(),
        b"*2\r\n$1\r\nq\r\n*3\r\n$1\r\n5\r\n$1\r\n4\r\n$1\r\n3\r\n",
        "w2",
    );
    w3.expect_no_reply(Duration::from_millis(200));
    wait_blocked(&mut c, 1);
    c.cmd_str("LPUSH q last");
    check_bytes(&w3.read_raw_reply(), &bulks(&["q", "last"]), "w3");
    assert_reply!(c, "EXISTS q", b":0\r\n");
}

#[test]
fn push_inside_multi_serves_after_exec() {
    let s = server();
    let mut c = s.conn();
    let mut w = s.conn();
    w.send_cmd(&[b"BLPOP", b"m", b"0"]);
    wait_blocked(&mut c, 1);
    assert_reply!(c, "MULTI", b"+OK\r\n");
    assert_reply!(c, "RPUSH m a b", b"+QUEUED\r\n");
    assert_reply!(c, "LLEN m", b"+QUEUED\r\n");
    assert_reply!(c, "LPUSH m c", b"+QUEUED\r\n");
    // Nothing is served while the transaction runs: LLEN sees both elements.
    assert_reply!(c, "EXEC", b"*3\r\n:2\r\n:2\r\n:3\r\n");
    check_bytes(&w.read_raw_reply(), &bulks(&["m", "c"]), "served after EXEC");
    assert_reply!(c, "LRANGE m 0 -1", bulks(&["a", "b"]));

    // A push immediately deleted inside the transaction wakes nobody.
    c.cmd_str("DEL m");
    w.send_cmd(&[b"BLPOP", b"m", b"0"]);
    wait_blocked(&mut c, 1);
    c.cmd_str("MULTI");
    c.cmd_str("LPUSH m a");
    c.cmd_str("DEL m");
    c.cmd_str("SET m foo");
    assert_reply!(c, "EXEC", b"*3\r\n:1\r\n:1\r\n+OK\r\n");
    w.expect_no_reply(Duration::from_millis(200));
    c.cmd_str("DEL m");
    c.cmd_str("LPUSH m b");
    check_bytes(&w.read_raw_reply(), &bulks(&["m", "b"]), "served later");

    // Blocking commands inside MULTI answer as if timed out.
    c.cmd_str("RPUSH x foo");
    c.cmd_str("MULTI");
    c.cmd_str("BLPOP x 0");
    c.cmd_str("BLPOP x 0");
    c.cmd_str("BRPOPLPUSH x y 0");
    c.cmd_str("BLMPOP 0 1 x left");
    assert_reply!(c, "EXEC", b"*4\r\n*2\r\n$1\r\nx\r\n$3\r\nfoo\r\n*-1\r\n$-1\r\n*-1\r\n");
}

#[test]
fn blocking_move_chains() {
    let s = server();
    let mut c = s.conn();
    // BLMOVE blocked, then served: its push wakes a BLPOP on the target.
    let mut w1 = s.conn();
    let mut w2 = s.conn();
    w2.send_cmd(&[b"BLPOP", b"target", b"0"]);
    wait_blocked(&mut c, 1);
    w1.send_cmd(&[b"BLMOVE", b"src", b"target", b"RIGHT", b"LEFT", b"0"]);
    wait_blocked(&mut c, 2);
    c.cmd_str("RPUSH src foo");
    check_bytes(&w1.read_raw_reply(), b"$3\r\nfoo\r\n", "blmove");
    check_bytes(&w2.read_raw_reply(), &bulks(&["target", "foo"]), "blpop on target");
    assert_reply!(c, "EXISTS src target", b":0\r\n");

    // Wrong destination type when served: error, element stays.
    c.cmd_str("SET str x");
    w1.send_cmd(&[b"BRPOPLPUSH", b"src", b"str", b"0"]);
    wait_blocked(&mut c, 1);
    c.cmd_str("RPUSH src a b c");
    check_bytes(&w1.read_raw_reply(), WRONGTYPE, "wrong dst type");
    assert_reply!(c, "LRANGE src 0 -1", bulks(&["a", "b", "c"]));

    // Self-referential BRPOPLPUSH.
    c.cmd_str("DEL src");
    w1.send_cmd(&[b"BRPOPLPUSH", b"src", b"src", b"0"]);
    wait_blocked(&mut c, 1);
    c.cmd_str("RPUSH src only");
    check_bytes(&w1.read_raw_reply(), b"$4\r\nonly\r\n", "self");
    assert_reply!(c, "LRANGE src 0 -1", bulks(&["only"]));

    // A key renamed into place serves the waiter.
    w1.send_cmd(&[b"BLPOP", b"foo", b"0"]);
    wait_blocked(&mut c, 1);
    c.cmd_str("LPUSH bob abc def hij");
    c.cmd_str("RENAME bob foo");
    check_bytes(&w1.read_raw_reply(), &bulks(&["foo", "hij"]), "rename");
}
