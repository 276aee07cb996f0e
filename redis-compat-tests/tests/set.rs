//! Set commands. Mirrors tests/unit/type/set.tcl and the SSCAN parts of
//! tests/unit/scan.tcl, with exact reply bytes checked against Redis 7.0.15
//! (run with `OXIDIS_BIN=/usr/bin/redis-server`). Replies whose order
//! depends on a hash table are compared sorted; intset order is exact.

use redis_compat_tests::*;
use std::collections::BTreeSet;
use std::time::Duration;

const WRONGTYPE: &[u8] = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const NOT_INT: &[u8] = b"-ERR value is not an integer or out of range\r\n";
const SYNTAX: &[u8] = b"-ERR syntax error\r\n";
const EMPTY_SCAN: &[u8] = b"*2\r\n$1\r\n0\r\n*0\r\n";
const INTSET: &[u8] = b"$6\r\nintset\r\n";
const HASHTABLE: &[u8] = b"$9\r\nhashtable\r\n";

fn server() -> Server {
    Server::start(&["--enable-debug-command", "yes"])
}

fn sorted(r: &Reply) -> Vec<String> {
    let mut v = r.strings();
    v.sort();
    v
}

fn sorted_cmd(c: &mut Conn, cmd: &str) -> Vec<String> {
    sorted(&c.cmd_str(cmd))
}

fn strs(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[test]
fn basics_both_encodings() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "SADD myset foo", b":1\r\n");
    assert_reply!(c, "OBJECT ENCODING myset", HASHTABLE);
    assert_reply!(c, "SADD myset bar", b":1\r\n");
    assert_reply!(c, "SADD myset bar", b":0\r\n");
    assert_reply!(c, "SCARD myset", b":2\r\n");
    assert_reply!(c, "SISMEMBER myset foo", b":1\r\n");
    assert_reply!(c, "SISMEMBER myset bla", b":0\r\n");
    assert_reply!(c, "SMISMEMBER myset foo bla", b"*2\r\n:1\r\n:0\r\n");
    assert_eq!(sorted_cmd(&mut c, "SMEMBERS myset"), strs(&["bar", "foo"]));

    assert_reply!(c, "SADD ints 17", b":1\r\n");
    assert_reply!(c, "OBJECT ENCODING ints", INTSET);
    assert_reply!(c, "SADD ints 16 -5 100000 9223372036854775807 -9223372036854775808 16", b":5\r\n");
    assert_reply!(c, "OBJECT ENCODING ints", INTSET);
    // An intset replies in ascending order.
    assert_reply!(
        c,
        "SMEMBERS ints",
        bulks(&["-9223372036854775808", "-5", "16", "17", "100000", "9223372036854775807"])
    );
    assert_reply!(c, "SISMEMBER ints 16", b":1\r\n");
    assert_reply!(c, "SISMEMBER ints 016", b":0\r\n");
    assert_reply!(c, "SISMEMBER ints 18", b":0\r\n");
    assert_reply!(c, "SISMEMBER ints x", b":0\r\n");
    assert_reply!(c, "SMISMEMBER ints 18 16 x", b"*3\r\n:0\r\n:1\r\n:0\r\n");
    assert_reply!(c, "SCARD ints", b":6\r\n");

    assert_reply!(c, "SMISMEMBER nokey a b", b"*2\r\n:0\r\n:0\r\n");
    assert_reply!(
        c,
        "SMISMEMBER nokey",
        b"-ERR wrong number of arguments for 'smismember' command\r\n"
    );
    assert_reply!(c, "SISMEMBER nokey a", b":0\r\n");
    assert_reply!(c, "SCARD nokey", b":0\r\n");
    assert_reply!(c, "SMEMBERS nokey", b"*0\r\n");
    assert_reply!(c, "SADD s", b"-ERR wrong number of arguments for 'sadd' command\r\n");
    assert_reply!(c, ["SADD", "bin", "a\x00\r\nb", ""], b":2\r\n");
    assert_reply!(c, ["SISMEMBER", "bin", "a\x00\r\nb"], b":1\r\n");
    assert_reply!(c, ["SISMEMBER", "bin", ""], b":1\r\n");
}

#[test]
fn encoding_conversions() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("SADD s 1 2 3");
    assert_reply!(c, "OBJECT ENCODING s", INTSET);
    assert_reply!(c, "SADD s a", b":1\r\n");
    assert_reply!(c, "OBJECT ENCODING s", HASHTABLE);
    // Never back.
    c.cmd_str("SREM s a");
    assert_reply!(c, "OBJECT ENCODING s", HASHTABLE);
    // Not an integer to Redis: too big, leading zero, sign, space.
    for v in ["213244124402402314402033402", "01", "+1", " 1", "1.0", "-0"] {
        c.cmd_str("DEL t");
        c.cmd(&[b"SADD", b"t", v.as_bytes()]);
        assert_reply!(c, "OBJECT ENCODING t", HASHTABLE);
        assert_reply!(c, ["SISMEMBER", "t", v], b":1\r\n");
    }
    c.cmd_str("CONFIG SET set-max-intset-entries 4");
    c.cmd_str("SADD m 1 2 3 4");
    assert_reply!(c, "OBJECT ENCODING m", INTSET);
    c.cmd_str("SADD m 4");
    assert_reply!(c, "OBJECT ENCODING m", INTSET);
    c.cmd_str("SADD m 5");
    assert_reply!(c, "OBJECT ENCODING m", HASHTABLE);
    c.cmd_str("CONFIG SET set-max-intset-entries 0");
    c.cmd_str("SADD z 1");
    assert_reply!(c, "OBJECT ENCODING z", HASHTABLE);
    c.cmd_str("CONFIG SET set-max-intset-entries 512");
    c.cmd_str("DEL big");
    for i in 0..512 {
        c.cmd(&[b"SADD", b"big", i.to_string().as_bytes()]);
    }
    assert_reply!(c, "OBJECT ENCODING big", INTSET);
    assert_reply!(c, "SADD big 512", b":1\r\n");
    assert_reply!(c, "OBJECT ENCODING big", HASHTABLE);
    // Same members, same digest, whatever the encoding.
    c.cmd_str("SADD d1 1 2 3");
    c.cmd_str("SADD d2 1 2 3 x");
    c.cmd_str("SREM d2 x");
    let want = b"*1\r\n+2a462a3f51a1db89738ebbeef0c47ce1bbc85246\r\n";
    assert_reply!(c, "DEBUG DIGEST-VALUE d1", want);
    assert_reply!(c, "DEBUG DIGEST-VALUE d2", want);
}

#[test]
fn srem() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("SADD myset foo bar ciao");
    assert_reply!(c, "SREM myset qux", b":0\r\n");
    assert_reply!(c, "SREM myset foo", b":1\r\n");
    assert_eq!(sorted_cmd(&mut c, "SMEMBERS myset"), strs(&["bar", "ciao"]));
    c.cmd_str("SADD ints 3 4 5");
    assert_reply!(c, "SREM ints 6 x", b":0\r\n");
    assert_reply!(c, "SREM ints 4 4", b":1\r\n");
    assert_reply!(c, "SMEMBERS ints", bulks(&["3", "5"]));
    assert_reply!(c, "SREM nokey a", b":0\r\n");
    c.cmd_str("SADD v 1 2 3");
    assert_reply!(c, "SREM v 1 2 3 4 5 6 7 8", b":3\r\n");
    assert_reply!(c, "EXISTS v", b":0\r\n");
}

#[test]
fn wrong_type() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("SET str x");
    c.cmd_str("SADD set a");
    for cmd in [
        "SADD str a",
        "SREM str a",
        "SISMEMBER str a",
        "SMISMEMBER str a",
        "SCARD str",
        "SMEMBERS str",
        "SPOP str",
        "SPOP str 1",
        "SRANDMEMBER str",
        "SRANDMEMBER str 2",
        "SINTER str",
        "SINTER nokey str",
        "SINTER set str",
        "SINTERCARD 2 str nokey",
        "SINTERSTORE d str",
        "SUNION nokey str",
        "SUNIONSTORE d set str",
        "SDIFF str nokey",
        "SDIFF set str",
        "SDIFFSTORE d nokey str",
        "SMOVE str set a",
        "SMOVE set str a",
        "SSCAN str 0",
    ] {
        assert_reply!(c, cmd, WRONGTYPE);
    }
    assert_reply!(c, "EXISTS d", b":0\r\n");
    // A missing source is checked before the destination's type.
    assert_reply!(c, "SMOVE nokey str a", b":0\r\n");
    assert_reply!(c, "SPOP str x", b"-ERR value is out of range, must be positive\r\n");
    assert_reply!(c, "SRANDMEMBER str x", NOT_INT);
    assert_reply!(c, "SSCAN str x", b"-ERR invalid cursor\r\n");
}

#[test]
fn set_algebra_intsets() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("SADD a 1 2 3 4 5 6");
    c.cmd_str("SADD b 4 5 6 7 8");
    c.cmd_str("SADD c 5 6 9");
    assert_reply!(c, "SINTER a b", bulks(&["4", "5", "6"]));
    assert_reply!(c, "SINTER a b c", bulks(&["5", "6"]));
    assert_reply!(c, "SINTER a a a", bulks(&["1", "2", "3", "4", "5", "6"]));
    assert_reply!(c, "SINTER a b nokey", b"*0\r\n");
    assert_reply!(c, "SUNION a b", bulks(&["1", "2", "3", "4", "5", "6", "7", "8"]));
    assert_reply!(c, "SUNION nokey c nokey2", bulks(&["5", "6", "9"]));
    assert_reply!(c, "SDIFF a b", bulks(&["1", "2", "3"]));
    assert_reply!(c, "SDIFF a b c", bulks(&["1", "2", "3"]));
    assert_reply!(c, "SDIFF a nokey", bulks(&["1", "2", "3", "4", "5", "6"]));
    assert_reply!(c, "SDIFF nokey a", b"*0\r\n");
    assert_reply!(c, "SDIFF a a", b"*0\r\n");
    assert_reply!(c, "SDIFF a c a", b"*0\r\n");
    assert_reply!(c, "SINTERCARD 2 a b", b":3\r\n");
    assert_reply!(c, "SINTERCARD 2 a b LIMIT 0", b":3\r\n");
    assert_reply!(c, "SINTERCARD 2 a b LIMIT 2", b":2\r\n");
    assert_reply!(c, "SINTERCARD 2 a b limit 10", b":3\r\n");
    assert_reply!(c, "SINTERCARD 3 a b c", b":2\r\n");
    assert_reply!(c, "SINTERCARD 1 nokey", b":0\r\n");
    assert_reply!(c, "SINTERCARD 2 a nokey LIMIT 1", b":0\r\n");

    // STORE results built from intsets are intsets.
    assert_reply!(c, "SINTERSTORE d a b", b":3\r\n");
    assert_reply!(c, "OBJECT ENCODING d", INTSET);
    assert_reply!(c, "SMEMBERS d", bulks(&["4", "5", "6"]));
    assert_reply!(c, "SUNIONSTORE d a b", b":8\r\n");
    assert_reply!(c, "OBJECT ENCODING d", INTSET);
    assert_reply!(c, "SDIFFSTORE d a b c", b":3\r\n");
    assert_reply!(c, "OBJECT ENCODING d", INTSET);
    assert_reply!(c, "SMEMBERS d", bulks(&["1", "2", "3"]));
    // ... even when the source was a table of integers.
    c.cmd_str("SADD t 3 2 1 x");
    c.cmd_str("SREM t x");
    assert_reply!(c, "OBJECT ENCODING t", HASHTABLE);
    assert_reply!(c, "SUNION t", bulks(&["1", "2", "3"]));
    assert_reply!(c, "SINTERSTORE d2 t a", b":3\r\n");
    assert_reply!(c, "OBJECT ENCODING d2", INTSET);
    assert_reply!(c, "SMEMBERS d2", bulks(&["1", "2", "3"]));
    assert_reply!(c, "SUNIONSTORE d3 t", b":3\r\n");
    assert_reply!(c, "OBJECT ENCODING d3", INTSET);
    // More than set-max-intset-entries integers make a table.
    c.cmd_str("CONFIG SET set-max-intset-entries 4");
    assert_reply!(c, "SUNIONSTORE d4 a", b":6\r\n");
    assert_reply!(c, "OBJECT ENCODING d4", HASHTABLE);
    c.cmd_str("CONFIG SET set-max-intset-entries 512");

    // Empty results delete the destination, whatever it held.
    c.cmd_str("SET d5 xxx");
    assert_reply!(c, "SINTERSTORE d5 nokey a", b":0\r\n");
    assert_reply!(c, "EXISTS d5", b":0\r\n");
    c.cmd_str("SET d5 xxx");
    assert_reply!(c, "SUNIONSTORE d5 nokey nokey2", b":0\r\n");
    assert_reply!(c, "EXISTS d5", b":0\r\n");
    c.cmd_str("SET d5 xxx");
    assert_reply!(c, "SDIFFSTORE d5 a a", b":0\r\n");
    assert_reply!(c, "EXISTS d5", b":0\r\n");
    c.cmd_str("SADD d5 x");
    assert_reply!(c, "SINTERSTORE d5 a c b", b":2\r\n");
    assert_reply!(c, "SMEMBERS d5", bulks(&["5", "6"]));
    // A store replaces the value and drops its TTL.
    c.cmd_str("EXPIRE d5 100");
    assert_reply!(c, "SUNIONSTORE d5 c", b":3\r\n");
    assert_reply!(c, "TTL d5", b":-1\r\n");
}

#[test]
fn set_algebra_tables() {
    let s = server();
    let mut c = s.conn();
    for i in 0..200 {
        c.cmd(&[b"SADD", b"set1", i.to_string().as_bytes()]);
        c.cmd(&[b"SADD", b"set2", (i + 195).to_string().as_bytes()]);
    }
    c.cmd_str("SADD set3 199 195 1000 2000");
    for i in 5..200 {
        c.cmd(&[b"SADD", b"set4", i.to_string().as_bytes()]);
    }
    c.cmd_str("SADD set5 0");
    for k in ["set1", "set2", "set3", "set4", "set5"] {
        c.cmd(&[b"SADD", k.as_bytes(), b"foo"]);
        assert_reply!(c, ["OBJECT", "ENCODING", k], HASHTABLE);
    }
    assert_eq!(
        sorted_cmd(&mut c, "SINTER set1 set2"),
        strs(&["195", "196", "197", "198", "199", "foo"])
    );
    assert_reply!(c, "SINTERCARD 2 set1 set2", b":6\r\n");
    assert_reply!(c, "SINTERCARD 2 set1 set2 LIMIT 3", b":3\r\n");
    assert_reply!(c, "SINTERSTORE setres set1 set2", b":6\r\n");
    assert_reply!(c, "OBJECT ENCODING setres", HASHTABLE);
    assert_eq!(sorted_cmd(&mut c, "SINTER set1 set2 set3"), strs(&["195", "199", "foo"]));
    let mut union: BTreeSet<String> = c.cmd_str("SMEMBERS set1").strings().into_iter().collect();
    union.extend(c.cmd_str("SMEMBERS set2").strings());
    let got: BTreeSet<String> = c.cmd_str("SUNION nokey set1 set2 nokey2").strings().into_iter().collect();
    assert_eq!(got, union);
    assert_reply!(c, "SUNIONSTORE setres set1 set2", format!(":{}\r\n", union.len()).as_bytes());
    assert_eq!(sorted_cmd(&mut c, "SDIFF set1 set4"), strs(&["0", "1", "2", "3", "4"]));
    assert_eq!(sorted_cmd(&mut c, "SDIFF set1 set4 set5"), strs(&["1", "2", "3", "4"]));
    assert_reply!(c, "SDIFFSTORE setres set1 set4 set5", b":4\r\n");
    assert_eq!(sorted_cmd(&mut c, "SMEMBERS setres"), strs(&["1", "2", "3", "4"]));
    // Only integers left: the stored result is an intset.
    assert_reply!(c, "OBJECT ENCODING setres", INTSET);
    assert_reply!(c, "SMEMBERS setres", bulks(&["1", "2", "3", "4"]));
    assert_reply!(c, "SDIFF set1 set1 set1", b"*0\r\n");
    assert_eq!(sorted_cmd(&mut c, "SINTER set1 set1").len(), 201);
    // Same integer members, different encodings.
    c.cmd_str("SADD i1 1 2 3");
    c.cmd_str("SADD i2 1 2 3 a");
    c.cmd_str("SREM i2 a");
    assert_reply!(c, "SINTER i1 i2", bulks(&["1", "2", "3"]));
    assert_eq!(sorted_cmd(&mut c, "SINTER i2 i1"), strs(&["1", "2", "3"]));
    assert_reply!(c, "SDIFF i1 i2", b"*0\r\n");
    assert_reply!(c, "SDIFF i2 i1", b"*0\r\n");
}

#[test]
fn sintercard_arguments() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "SINTERCARD", b"-ERR wrong number of arguments for 'sintercard' command\r\n");
    assert_reply!(c, "SINTERCARD 1", b"-ERR wrong number of arguments for 'sintercard' command\r\n");
    let numkeys = b"-ERR numkeys should be greater than 0\r\n";
    assert_reply!(c, "SINTERCARD 0 myset", numkeys);
    assert_reply!(c, "SINTERCARD a myset", numkeys);
    assert_reply!(c, "SINTERCARD -1 myset", numkeys);
    let toomany = b"-ERR Number of keys can't be greater than number of args\r\n";
    assert_reply!(c, "SINTERCARD 2 myset", toomany);
    assert_reply!(c, "SINTERCARD 3 myset myset2", toomany);
    assert_reply!(c, "SINTERCARD 1 myset myset2", SYNTAX);
    assert_reply!(c, "SINTERCARD 1 myset bar_arg", SYNTAX);
    assert_reply!(c, "SINTERCARD 1 myset LIMIT", SYNTAX);
    let limit = b"-ERR LIMIT can't be negative\r\n";
    assert_reply!(c, "SINTERCARD 1 myset LIMIT -1", limit);
    assert_reply!(c, "SINTERCARD 1 myset LIMIT a", limit);
    assert_reply!(c, "SINTERCARD 1 myset LIMIT 5 LIMIT 0", b":0\r\n");
}

#[test]
fn smove() {
    let s = server();
    let mut c = s.conn();
    let setup = |c: &mut Conn| {
        c.cmd_str("DEL myset1 myset2 myset3");
        c.cmd_str("SADD myset1 1 a b");
        c.cmd_str("SADD myset2 2 3 4");
    };
    setup(&mut c);
    assert_reply!(c, "SMOVE myset1 myset2 a", b":1\r\n");
    assert_eq!(sorted_cmd(&mut c, "SMEMBERS myset1"), strs(&["1", "b"]));
    assert_eq!(sorted_cmd(&mut c, "SMEMBERS myset2"), strs(&["2", "3", "4", "a"]));
    assert_reply!(c, "OBJECT ENCODING myset2", HASHTABLE);
    setup(&mut c);
    assert_reply!(c, "SMOVE myset1 myset2 1", b":1\r\n");
    assert_reply!(c, "SMEMBERS myset2", bulks(&["1", "2", "3", "4"]));
    assert_reply!(c, "OBJECT ENCODING myset2", INTSET);
    setup(&mut c);
    assert_reply!(c, "SMOVE myset2 myset1 2", b":1\r\n");
    assert_reply!(c, "SMEMBERS myset2", bulks(&["3", "4"]));
    setup(&mut c);
    assert_reply!(c, "SMOVE myset1 myset2 foo", b":0\r\n");
    assert_reply!(c, "SMOVE myset1 myset1 foo", b":0\r\n");
    assert_reply!(c, "SMOVE myset1 myset1 a", b":1\r\n");
    assert_reply!(c, "SMOVE noset myset2 foo", b":0\r\n");
    assert_reply!(c, "SMOVE myset1 myset3 a", b":1\r\n");
    assert_reply!(c, "OBJECT ENCODING myset3", HASHTABLE);
    assert_reply!(c, "SMOVE myset2 myset4 2", b":1\r\n");
    assert_reply!(c, "OBJECT ENCODING myset4", INTSET);
    // Moving the last member deletes the source.
    c.cmd_str("SADD last x");
    assert_reply!(c, "SMOVE last myset3 x", b":1\r\n");
    assert_reply!(c, "EXISTS last", b":0\r\n");
    // Already in the destination: removed from the source only.
    c.cmd_str("SADD src a b");
    c.cmd_str("SADD dst a");
    assert_reply!(c, "SMOVE src dst a", b":1\r\n");
    assert_reply!(c, "SMEMBERS src", bulks(&["b"]));
    assert_reply!(c, "SCARD dst", b":1\r\n");
}

#[test]
fn smove_only_notifies_dst_when_added() {
    let s = server();
    let mut c = s.conn();
    let mut other = s.conn();
    c.cmd_str("SADD srcset a b");
    c.cmd_str("SADD dstset a");
    c.cmd_str("WATCH dstset");
    c.cmd_str("MULTI");
    c.cmd_str("SADD dstset c");
    other.cmd_str("SMOVE srcset dstset a");
    assert_reply!(c, "EXEC", b"*1\r\n:1\r\n");
    assert_reply!(c, "SCARD dstset", b":2\r\n");
}

#[test]
fn spop() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "SPOP nokey", b"$-1\r\n");
    assert_reply!(c, "SPOP nokey 5", b"*0\r\n");
    assert_reply!(c, "SPOP nokey x", b"-ERR value is out of range, must be positive\r\n");
    assert_reply!(c, "SPOP nokey -1", b"-ERR value is out of range, must be positive\r\n");
    c.cmd_str("SADD s 1 2 3");
    assert_reply!(c, "SPOP s 1 2", SYNTAX);
    assert_reply!(c, "SPOP s 0", b"*0\r\n");
    // Popping everything replies with the whole set, in intset order.
    assert_reply!(c, "SPOP s 3", bulks(&["1", "2", "3"]));
    assert_reply!(c, "EXISTS s", b":0\r\n");
    c.cmd_str("SADD s 3 1 2");
    assert_reply!(c, "SPOP s 30", bulks(&["1", "2", "3"]));
    c.cmd_str("SADD one 5");
    assert_reply!(c, "SPOP one", b"$1\r\n5\r\n");
    assert_reply!(c, "EXISTS one", b":0\r\n");
    c.cmd_str("SADD one x");
    assert_reply!(c, "SPOP one 1", bulks(&["x"]));
    assert_reply!(c, "EXISTS one", b":0\r\n");

    for (enc, members) in [
        ("hashtable", (b'a'..=b'z').map(|b| (b as char).to_string()).collect::<Vec<_>>()),
        ("intset", (1..=26).map(|i| i.to_string()).collect::<Vec<_>>()),
    ] {
        c.cmd_str("DEL myset");
        let mut args: Vec<&[u8]> = vec![b"SADD", b"myset"];
        args.extend(members.iter().map(|m| m.as_bytes()));
        c.cmd(&args);
        assert_reply!(c, "OBJECT ENCODING myset", format!("${}\r\n{}\r\n", enc.len(), enc).as_bytes());
        let mut all = Vec::new();
        for n in ["11", "9", "0", "4", "1", "0", "1", "0"] {
            let r = c.cmd(&[b"SPOP", b"myset", n.as_bytes()]);
            assert_eq!(r.array().len(), n.parse::<usize>().unwrap());
            all.extend(r.strings());
        }
        all.sort();
        let mut want = members.clone();
        want.sort();
        assert_eq!(all, want);
        assert_reply!(c, "SCARD myset", b":0\r\n");
    }
    // The three code paths keep the set consistent.
    for count in ["2", "18", "30"] {
        c.cmd_str("DEL myset");
        let members: Vec<String> = (1..=20).map(|i| i.to_string()).collect();
        let mut args: Vec<&[u8]> = vec![b"SADD", b"myset"];
        args.extend(members.iter().map(|m| m.as_bytes()));
        c.cmd(&args);
        let popped = c.cmd(&[b"SPOP", b"myset", count.as_bytes()]).strings();
        let left = c.cmd_str("SMEMBERS myset").strings();
        assert_eq!(popped.len(), count.parse::<usize>().unwrap().min(20));
        let mut all: Vec<String> = popped.into_iter().chain(left).collect();
        all.sort();
        let mut want = members.clone();
        want.sort();
        assert_eq!(all, want);
    }
    // Survivors of a big pop of a table of integers form an intset.
    c.cmd_str("DEL t");
    let mut args: Vec<Vec<u8>> = vec![b"SADD".to_vec(), b"t".to_vec(), b"x".to_vec()];
    args.extend((0..40).map(|i: i32| i.to_string().into_bytes()));
    let refs: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
    c.cmd(&refs);
    c.cmd_str("SREM t x");
    assert_reply!(c, "OBJECT ENCODING t", HASHTABLE);
    c.cmd_str("SPOP t 39");
    assert_reply!(c, "OBJECT ENCODING t", INTSET);
    // A big pop keeps the TTL (the value is overwritten, not the key).
    c.cmd_str("SADD ttl 1 2 3 4 5 6 7 8 9 10");
    c.cmd_str("EXPIRE ttl 100");
    c.cmd_str("SPOP ttl 9");
    assert_reply!(c, "SCARD ttl", b":1\r\n");
    assert_reply!(c, "TTL ttl", b":100\r\n");

    c.cmd_str("HELLO 3");
    c.cmd_str("SADD r3 1 2");
    assert_reply!(c, "SPOP nokey 3", b"~0\r\n");
    assert_reply!(c, "SPOP r3 0", b"~0\r\n");
    assert_reply!(c, "SPOP r3 5", b"~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    assert_reply!(c, "SPOP nokey", b"_\r\n");
}

#[test]
fn srandmember_shapes() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "SRANDMEMBER nokey", b"$-1\r\n");
    assert_reply!(c, "SRANDMEMBER nokey 100", b"*0\r\n");
    assert_reply!(c, "SRANDMEMBER nokey -100", b"*0\r\n");
    c.cmd_str("SADD myset a");
    assert_reply!(c, "SRANDMEMBER myset 0", b"*0\r\n");
    assert_reply!(c, "SRANDMEMBER myset 1 2", SYNTAX);
    assert_reply!(
        c,
        "SRANDMEMBER myset -9223372036854775808",
        b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"
    );
    assert_reply!(c, "SRANDMEMBER myset", b"$1\r\na\r\n");
    assert_reply!(c, "SRANDMEMBER myset -3", bulks(&["a", "a", "a"]));
    assert_reply!(c, "SRANDMEMBER myset 9223372036854775807", bulks(&["a"]));
    c.cmd_str("SADD ints 3 2 1");
    assert_reply!(c, "SRANDMEMBER ints 3", bulks(&["1", "2", "3"]));
    assert_reply!(c, "SRANDMEMBER ints 100", bulks(&["1", "2", "3"]));
    c.cmd_str("HELLO 3");
    assert_reply!(c, "SRANDMEMBER nokey", b"_\r\n");
    assert_reply!(c, "SRANDMEMBER nokey 5", b"*0\r\n");
    assert_reply!(c, "SRANDMEMBER ints 100", bulks(&["1", "2", "3"]));
    assert_reply!(c, "SMEMBERS ints", b"~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    assert_reply!(c, "SMEMBERS nokey", b"~0\r\n");
    assert_reply!(c, "SINTER ints nokey", b"~0\r\n");
    assert_reply!(c, "SUNION ints", b"~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    assert_reply!(c, "SDIFF nokey", b"~0\r\n");
}

/// Pearson's chi-square statistic of `picks` against a uniform
/// distribution over `universe` (like the suite's `chi_square_value`).
fn chi_square(picks: &[String], universe: &BTreeSet<String>) -> f64 {
    let expected = picks.len() as f64 / universe.len() as f64;
    universe
        .iter()
        .map(|u| {
            let n = picks.iter().filter(|p| *p == u).count() as f64;
            (n - expected).powi(2) / expected
        })
        .sum()
}

#[test]
fn srandmember_distribution() {
    let s = server();
    let mut c = s.conn();
    for (key, members) in [
        (
            "ht",
            vec!["1", "5", "10", "50", "125", "MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH"],
        ),
        ("is", vec!["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]),
    ] {
        let mut args: Vec<&[u8]> = vec![b"SADD", key.as_bytes()];
        args.extend(members.iter().map(|m| m.as_bytes()));
        c.cmd(&args);
        let universe: BTreeSet<String> = members.iter().map(|m| m.to_string()).collect();
        let r = c.cmd(&[b"SRANDMEMBER", key.as_bytes(), b"-1000"]).strings();
        assert_eq!(r.len(), 1000);
        assert!(chi_square(&r, &universe) < 40.0, "negative count not uniform for {key}");
        for size in [8usize, 2] {
            let mut all = Vec::new();
            for _ in 0..(1000 / size) {
                let r = c.cmd(&[b"SRANDMEMBER", key.as_bytes(), size.to_string().as_bytes()]).strings();
                let uniq: BTreeSet<&String> = r.iter().collect();
                assert_eq!(uniq.len(), size, "duplicates in a positive count reply");
                assert!(r.iter().all(|m| universe.contains(m)));
                all.extend(r);
            }
            assert!(chi_square(&all, &universe) < 40.0, "count {size} not uniform for {key}");
        }
    }
    // Bigger sets: every member eventually shows up on each path.
    let members: Vec<String> = (0..50).map(|i| i.to_string()).collect();
    let mut args: Vec<&[u8]> = vec![b"SADD", b"fifty"];
    args.extend(members.iter().map(|m| m.as_bytes()));
    c.cmd(&args);
    for count in ["-10", "45", "5"] {
        let mut seen = BTreeSet::new();
        for _ in 0..1000 {
            seen.extend(c.cmd(&[b"SRANDMEMBER", b"fifty", count.as_bytes()]).strings());
            if seen.len() == 50 {
                break;
            }
        }
        assert_eq!(seen.len(), 50, "count {count}");
    }
}

#[test]
fn sscan() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "SSCAN nokey 0", EMPTY_SCAN);
    assert_reply!(c, "SSCAN nokey 0 foo bar", EMPTY_SCAN);
    c.cmd_str("SADD ints 3 1 2 10 11");
    assert_reply!(
        c,
        "SSCAN ints 0",
        b"*2\r\n$1\r\n0\r\n*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n$2\r\n11\r\n"
    );
    assert_reply!(
        c,
        "SSCAN ints 0 MATCH 1* COUNT 1",
        b"*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$2\r\n10\r\n$2\r\n11\r\n"
    );
    assert_reply!(c, "SSCAN ints 12345 MATCH *2*", b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\n2\r\n");
    assert_reply!(c, "SSCAN ints 0 COUNT 0", SYNTAX);
    assert_reply!(c, "SSCAN ints 0 COUNT x", NOT_INT);
    assert_reply!(c, "SSCAN ints 0 TYPE set", SYNTAX);
    assert_reply!(c, "SSCAN ints x", b"-ERR invalid cursor\r\n");
    c.cmd_str("SADD mykey foo fab fiz foobar 1 2 3 4");
    let r = c.cmd_str("SSCAN mykey 0 MATCH foo* COUNT 10000");
    assert_eq!(r.array()[0].str(), "0");
    assert_eq!(sorted(&r.array()[1]), strs(&["foo", "foobar"]));
    c.cmd_str("SADD issue 1 a");
    let r = c.cmd_str("SSCAN issue 0 MATCH *a* COUNT 100");
    assert_eq!(sorted(&r.array()[1]), strs(&["a"]));
    let r = c.cmd_str("SSCAN issue 0 MATCH *1* COUNT 100");
    assert_eq!(sorted(&r.array()[1]), strs(&["1"]));

    // A table is walked with the cursor; members present throughout come
    // back even when the table shrinks half way (scan.tcl issue #4906).
    for round in 0..20 {
        c.cmd_str("DEL set");
        c.cmd_str("SADD set x");
        let total = 101 + round * 37;
        let mut args: Vec<Vec<u8>> = vec![b"SADD".to_vec(), b"set".to_vec()];
        args.extend((0..total).map(|j| j.to_string().into_bytes()));
        let refs: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
        c.cmd(&refs);
        let mut found = BTreeSet::new();
        let mut cursor = "0".to_string();
        let mut iteration = 0;
        loop {
            let r = c.cmd(&[b"SSCAN", b"set", cursor.as_bytes()]);
            cursor = r.array()[0].str();
            found.extend(r.array()[1].strings());
            iteration += 1;
            if iteration == round % 5 + 1 {
                let mut rem: Vec<Vec<u8>> = vec![b"SREM".to_vec(), b"set".to_vec()];
                rem.extend((100..total).map(|j| j.to_string().into_bytes()));
                let refs: Vec<&[u8]> = rem.iter().map(|a| a.as_slice()).collect();
                c.cmd(&refs);
            }
            if cursor == "0" {
                break;
            }
        }
        for j in 0..100 {
            assert!(found.contains(&j.to_string()), "SSCAN element missing {j}");
        }
    }
}

#[test]
fn keyspace_events() {
    let s = server();
    let mut c = s.conn();
    let mut sub = s.conn();
    c.cmd_str("CONFIG SET notify-keyspace-events KEA");
    assert_reply!(
        sub,
        "PSUBSCRIBE __keyevent@0__:*",
        b"*3\r\n$10\r\npsubscribe\r\n$16\r\n__keyevent@0__:*\r\n:1\r\n"
    );
    let ev = keyevent;
    let mut expect = Vec::new();
    c.cmd_str("SADD s 1 2 3");
    expect.extend(ev("sadd", "s"));
    c.cmd_str("SADD s 1");
    c.cmd_str("SREM s 9");
    c.cmd_str("SREM s 1");
    expect.extend(ev("srem", "s"));
    c.cmd_str("SMOVE s d 2");
    expect.extend(ev("srem", "s"));
    expect.extend(ev("sadd", "d"));
    c.cmd_str("SADD d 3");
    expect.extend(ev("sadd", "d"));
    c.cmd_str("SMOVE s d 3");
    expect.extend(ev("srem", "s"));
    expect.extend(ev("del", "s"));
    c.cmd_str("SADD p 1 2 3 4 5 6 7 8 9 10");
    expect.extend(ev("sadd", "p"));
    c.cmd_str("SPOP p");
    expect.extend(ev("spop", "p"));
    c.cmd_str("SPOP p 2");
    expect.extend(ev("spop", "p"));
    c.cmd_str("SPOP p 0");
    c.cmd_str("SPOP p 100");
    expect.extend(ev("spop", "p"));
    expect.extend(ev("del", "p"));
    c.cmd_str("SINTERSTORE x d d");
    expect.extend(ev("sinterstore", "x"));
    c.cmd_str("SUNIONSTORE x d");
    expect.extend(ev("sunionstore", "x"));
    c.cmd_str("SDIFFSTORE x d nokey");
    expect.extend(ev("sdiffstore", "x"));
    c.cmd_str("SDIFFSTORE x d d");
    expect.extend(ev("del", "x"));
    c.cmd_str("SINTERSTORE x nokey");
    c.cmd_str("SINTER d nokey");
    let got = sub.read_for(Duration::from_millis(300));
    check_bytes(&got, &expect, "keyspace events");
}

#[test]
fn intset_stress() {
    // Random integers of every width, then popped one by one.
    let s = server();
    let mut c = s.conn();
    let mut rng = XorShift::new(0x5eed);
    for _ in 0..10 {
        c.cmd_str("DEL s");
        let mut model = BTreeSet::new();
        let len = rng.below(600);
        for _ in 0..len {
            let v: i128 = match rng.below(3) {
                0 => rng.below(65536) as i128,
                1 => rng.below(1 << 32) as i128,
                _ => rng.next_u64() as i64 as i128,
            };
            let v = v.to_string();
            c.cmd(&[b"SADD", b"s", v.as_bytes()]);
            model.insert(v);
        }
        let got: BTreeSet<String> = c.cmd_str("SMEMBERS s").strings().into_iter().collect();
        assert_eq!(got, model);
        for _ in 0..model.len() {
            let e = c.cmd_str("SPOP s").str();
            assert!(model.remove(&e), "popped {e} twice");
        }
        assert_reply!(c, "SCARD s", b":0\r\n");
    }
}
