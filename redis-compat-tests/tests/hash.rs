//! Hash commands. Mirrors tests/unit/type/hash.tcl and the HSCAN parts of
//! tests/unit/scan.tcl, with exact reply bytes checked against Redis 7.0.15
//! (run with `OXIDIS_BIN=/usr/bin/redis-server`).

use redis_compat_tests::*;
use std::collections::BTreeSet;
use std::time::Duration;

const WRONGTYPE: &[u8] = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const NOT_INT: &[u8] = b"-ERR value is not an integer or out of range\r\n";
const NOT_FLOAT: &[u8] = b"-ERR value is not a valid float\r\n";
const SYNTAX: &[u8] = b"-ERR syntax error\r\n";
const EMPTY_SCAN: &[u8] = b"*2\r\n$1\r\n0\r\n*0\r\n";

fn server() -> Server {
    Server::start(&["--enable-debug-command", "yes"])
}

fn sorted(r: &Reply) -> Vec<String> {
    let mut v = r.strings();
    v.sort();
    v
}

#[test]
fn hset_hget_and_friends() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "HSET h a 1 b 2", b":2\r\n");
    assert_reply!(c, "HSET h a 10 c 3", b":1\r\n");
    assert_reply!(c, "HMSET h d 4", b"+OK\r\n");
    assert_reply!(c, "HSET h a", b"-ERR wrong number of arguments for 'hset' command\r\n");
    assert_reply!(c, "HSET h a 1 b", b"-ERR wrong number of arguments for 'hset' command\r\n");
    assert_reply!(c, "HMSET h a 1 b", b"-ERR wrong number of arguments for 'hmset' command\r\n");
    assert_reply!(c, "HGET h a", b"$2\r\n10\r\n");
    assert_reply!(c, "HGET h zz", b"$-1\r\n");
    assert_reply!(c, "HGET nokey a", b"$-1\r\n");
    assert_reply!(c, "HMGET h a zz d", b"*3\r\n$2\r\n10\r\n$-1\r\n$1\r\n4\r\n");
    assert_reply!(c, "HMGET nokey a b", b"*2\r\n$-1\r\n$-1\r\n");
    assert_reply!(c, "HSETNX h a 5", b":0\r\n");
    assert_reply!(c, "HSETNX h e 5", b":1\r\n");
    assert_reply!(c, "HSETNX h2 f v", b":1\r\n");
    assert_reply!(c, "HLEN h", b":5\r\n");
    assert_reply!(c, "HLEN nokey", b":0\r\n");
    assert_reply!(c, "HEXISTS h a", b":1\r\n");
    assert_reply!(c, "HEXISTS h zz", b":0\r\n");
    assert_reply!(c, "HEXISTS nokey a", b":0\r\n");
    // A listpack keeps insertion order, so these replies are exact.
    assert_reply!(c, "HGETALL h", bulks(&["a", "10", "b", "2", "c", "3", "d", "4", "e", "5"]));
    assert_reply!(c, "HKEYS h", bulks(&["a", "b", "c", "d", "e"]));
    assert_reply!(c, "HVALS h", bulks(&["10", "2", "3", "4", "5"]));
    assert_reply!(c, "HGETALL nokey", b"*0\r\n");
    assert_reply!(c, "HKEYS nokey", b"*0\r\n");
    assert_reply!(c, "HVALS nokey", b"*0\r\n");
    assert_reply!(c, ["HSET", "bin", "f\x00\r\n", "v\x00\x01"], b":1\r\n");
    assert_reply!(c, ["HGET", "bin", "f\x00\r\n"], b"$3\r\nv\x00\x01\r\n");
    assert_reply!(c, ["HSET", "bin", "", ""], b":1\r\n");
    assert_reply!(c, ["HGET", "bin", ""], b"$0\r\n\r\n");
    assert_reply!(c, ["HSTRLEN", "bin", ""], b":0\r\n");
}

#[test]
fn hdel_and_key_removal() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("HSET h a 1 b 2 c 3");
    assert_reply!(c, "HDEL h x y", b":0\r\n");
    assert_reply!(c, "HDEL h a a", b":1\r\n");
    assert_reply!(c, "HDEL h b x", b":1\r\n");
    assert_reply!(c, "HDEL nokey a", b":0\r\n");
    assert_reply!(c, "HDEL h", b"-ERR wrong number of arguments for 'hdel' command\r\n");
    // Deleting the last field deletes the key.
    assert_reply!(c, "HDEL h c d", b":1\r\n");
    assert_reply!(c, "EXISTS h", b":0\r\n");
    c.cmd_str("HSET h a 1 b 2 c 3");
    assert_reply!(c, "HDEL h a b c d", b":3\r\n");
    assert_reply!(c, "EXISTS h", b":0\r\n");
}

#[test]
fn hstrlen_corner_cases() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("CONFIG SET hash-max-listpack-entries 1");
    c.cmd_str("HSET big x y z w");
    assert_reply!(c, "OBJECT ENCODING big", b"$9\r\nhashtable\r\n");
    for v in [
        "-9223372036854775808",
        "9223372036854775807",
        "9223372036854775808",
        "",
        "0",
        "-1",
        "x",
        "007",
        "1.5",
    ] {
        c.cmd(&[b"HSET", b"small", b"field", v.as_bytes()]);
        c.cmd(&[b"HSET", b"big", b"field", v.as_bytes()]);
        let want = format!(":{}\r\n", v.len());
        assert_reply!(c, "HSTRLEN small field", want.as_bytes());
        assert_reply!(c, "HSTRLEN big field", want.as_bytes());
        let bulk = format!("${}\r\n{}\r\n", v.len(), v);
        assert_reply!(c, "HGET small field", bulk.as_bytes());
    }
    assert_reply!(c, "OBJECT ENCODING small", b"$8\r\nlistpack\r\n");
    assert_reply!(c, "HSTRLEN small nofield", b":0\r\n");
    assert_reply!(c, "HSTRLEN nokey field", b":0\r\n");
}

#[test]
fn hincrby() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "HINCRBY h f 2", b":2\r\n");
    assert_reply!(c, "HINCRBY h f -5", b":-3\r\n");
    assert_reply!(c, "HINCRBY h f x", NOT_INT);
    assert_reply!(c, "HINCRBY h f 1.5", NOT_INT);
    assert_reply!(c, "HINCRBY nokey f x", NOT_INT);
    assert_reply!(c, "EXISTS nokey", b":0\r\n");
    c.cmd_str("HSET h n 17179869184");
    assert_reply!(c, "HINCRBY h n 17179869184", b":34359738368\r\n");
    c.cmd(&[b"HSET", b"h", b"sp", b" 11"]);
    assert_reply!(c, "HINCRBY h sp 1", b"-ERR hash value is not an integer\r\n");
    c.cmd(&[b"HSET", b"h", b"sp", b"11 "]);
    assert_reply!(c, "HINCRBY h sp 1", b"-ERR hash value is not an integer\r\n");
    c.cmd_str("HSET h big -9223372036854775484");
    assert_reply!(c, "HINCRBY h big -1", b":-9223372036854775485\r\n");
    assert_reply!(c, "HINCRBY h big -10000", b"-ERR increment or decrement would overflow\r\n");
    c.cmd_str("HSET h top 9223372036854775807");
    assert_reply!(c, "HINCRBY h top 1", b"-ERR increment or decrement would overflow\r\n");
    assert_reply!(c, "HINCRBY h top 0", b":9223372036854775807\r\n");
    assert_reply!(c, "HGET h f", b"$2\r\n-3\r\n");
}

#[test]
fn hincrbyfloat() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "HINCRBYFLOAT h f 2.5", b"$3\r\n2.5\r\n");
    assert_reply!(c, "HINCRBYFLOAT h f 3.5", b"$1\r\n6\r\n");
    assert_reply!(c, "HINCRBYFLOAT h g 1.23", b"$4\r\n1.23\r\n");
    assert_reply!(c, "HINCRBYFLOAT h g 0.77", b"$1\r\n2\r\n");
    assert_reply!(c, "HINCRBYFLOAT h g -0.1", b"$3\r\n1.9\r\n");
    // x87 long double arithmetic shows through, as in Redis.
    assert_reply!(c, "HINCRBYFLOAT h g 5.0e3", b"$22\r\n5001.89999999999999991\r\n");
    assert_reply!(c, "HINCRBYFLOAT h g 0x10", b"$22\r\n5017.89999999999999991\r\n");
    c.cmd_str("HSET h n 17179869184");
    assert_reply!(c, "HINCRBYFLOAT h n 1", b"$11\r\n17179869185\r\n");
    assert_reply!(c, "HINCRBYFLOAT h f abc", NOT_FLOAT);
    assert_reply!(c, "HINCRBYFLOAT nokey f abc", NOT_FLOAT);
    assert_reply!(c, ["HINCRBYFLOAT", "h", "f", " 1"], NOT_FLOAT);
    assert_reply!(c, "HINCRBYFLOAT h f nan", NOT_FLOAT);
    let naninf = b"-ERR value is NaN or Infinity\r\n";
    assert_reply!(c, "HINCRBYFLOAT h f inf", naninf);
    assert_reply!(c, "HINCRBYFLOAT hfoo field +inf", naninf);
    assert_reply!(c, "HINCRBYFLOAT h f -infinity", naninf);
    assert_reply!(c, "EXISTS hfoo", b":0\r\n");
    c.cmd(&[b"HSET", b"h", b"sp", b" 11"]);
    assert_reply!(c, "HINCRBYFLOAT h sp 1", b"-ERR hash value is not a float\r\n");
    c.cmd(&[b"HSET", b"h", b"nul", b"1\x002"]);
    assert_reply!(c, "HINCRBYFLOAT h nul 1", b"-ERR hash value is not a float\r\n");
    // Values beyond double range are fine in long double...
    let huge = c.cmd_str("HINCRBYFLOAT h x 1e4000").str();
    assert_eq!(huge.len(), 4000);
    assert!(huge.starts_with("9999999999999999999965463873099623784932"), "{huge}");
    // ...up to the point where the sum overflows.
    c.cmd_str("HSET h y 1e4932");
    assert_reply!(c, "HINCRBYFLOAT h y 1e4932", b"-ERR increment would produce NaN or Infinity\r\n");
    assert_reply!(c, "HGET h y", b"$6\r\n1e4932\r\n");
}

#[test]
fn encoding_conversions() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("CONFIG SET hash-max-listpack-entries 4");
    c.cmd_str("CONFIG SET hash-max-listpack-value 10");
    c.cmd_str("HSET h a 1 b 2 c 3 d 4");
    assert_reply!(c, "OBJECT ENCODING h", b"$8\r\nlistpack\r\n");
    // An update does not add an entry.
    c.cmd_str("HSET h a 5");
    assert_reply!(c, "OBJECT ENCODING h", b"$8\r\nlistpack\r\n");
    c.cmd_str("HSET h e 5");
    assert_reply!(c, "OBJECT ENCODING h", b"$9\r\nhashtable\r\n");
    // Never back, even when it shrinks.
    c.cmd_str("HDEL h a b c d");
    assert_reply!(c, "OBJECT ENCODING h", b"$9\r\nhashtable\r\n");
    assert_reply!(c, "HGETALL h", bulks(&["e", "5"]));

    // Exactly max-value bytes fit; one more converts.
    c.cmd_str("HSET v f 0123456789");
    assert_reply!(c, "OBJECT ENCODING v", b"$8\r\nlistpack\r\n");
    c.cmd_str("HSET v 0123456789 x");
    assert_reply!(c, "OBJECT ENCODING v", b"$8\r\nlistpack\r\n");
    c.cmd_str("HSET v g 01234567890");
    assert_reply!(c, "OBJECT ENCODING v", b"$9\r\nhashtable\r\n");
    // A long field converts a new hash before anything is added.
    c.cmd_str("HSET w 01234567890 x");
    assert_reply!(c, "OBJECT ENCODING w", b"$9\r\nhashtable\r\n");
    c.cmd_str("HSETNX x 01234567890 x");
    assert_reply!(c, "OBJECT ENCODING x", b"$9\r\nhashtable\r\n");

    // HINCRBYFLOAT converts on the length of the result (hash.tcl).
    c.cmd_str("CONFIG SET hash-max-listpack-value 8");
    c.cmd_str("HSET small tmp 0");
    c.cmd_str("HSET big tmp 0");
    assert_reply!(c, "HINCRBYFLOAT small tmp 0.000005", b"$8\r\n0.000005\r\n");
    assert_reply!(c, "HINCRBYFLOAT big tmp 0.0000005", b"$9\r\n0.0000005\r\n");
    assert_reply!(c, "OBJECT ENCODING small", b"$8\r\nlistpack\r\n");
    assert_reply!(c, "OBJECT ENCODING big", b"$9\r\nhashtable\r\n");
    c.cmd_str("HINCRBYFLOAT small2 abcdefgh 1");
    c.cmd_str("HINCRBYFLOAT big2 abcdefghi 1");
    assert_reply!(c, "OBJECT ENCODING small2", b"$8\r\nlistpack\r\n");
    assert_reply!(c, "OBJECT ENCODING big2", b"$9\r\nhashtable\r\n");
    c.cmd_str("HINCRBY big3 abcdefghi 1");
    assert_reply!(c, "OBJECT ENCODING big3", b"$9\r\nhashtable\r\n");

    // Entries 0 means every hash is a table from its first field.
    c.cmd_str("CONFIG SET hash-max-listpack-entries 0");
    c.cmd_str("HSET zero a 1");
    assert_reply!(c, "OBJECT ENCODING zero", b"$9\r\nhashtable\r\n");
}

#[test]
fn table_and_listpack_agree() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("CONFIG SET hash-max-listpack-entries 1000");
    let mut args: Vec<String> = vec!["HSET".into(), "lp".into()];
    for i in 0..300 {
        args.push(format!("field:{i}"));
        args.push(format!("{}", i * 7 - 500));
    }
    let refs: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    assert_reply!(c, [refs[0], refs[1], refs[2], refs[3]], b":1\r\n");
    c.cmd(&refs);
    c.cmd_str("CONFIG SET hash-max-listpack-entries 16");
    let mut refs2 = refs.clone();
    refs2[1] = b"ht";
    c.cmd(&refs2);
    assert_reply!(c, "OBJECT ENCODING lp", b"$8\r\nlistpack\r\n");
    assert_reply!(c, "OBJECT ENCODING ht", b"$9\r\nhashtable\r\n");
    let a = c.cmd_str("HGETALL lp");
    let b = c.cmd_str("HGETALL ht");
    let mut pa = a.pairs().into_iter().map(|(k, v)| (k.str(), v.str())).collect::<Vec<_>>();
    let mut pb = b.pairs().into_iter().map(|(k, v)| (k.str(), v.str())).collect::<Vec<_>>();
    pa.sort();
    pb.sort();
    assert_eq!(pa.len(), 300);
    assert_eq!(pa, pb);
    assert_eq!(sorted(&c.cmd_str("HKEYS lp")), sorted(&c.cmd_str("HKEYS ht")));
    assert_eq!(sorted(&c.cmd_str("HVALS lp")), sorted(&c.cmd_str("HVALS ht")));
    // Same content, same digest, whatever the encoding.
    let dl = c.cmd_str("DEBUG DIGEST-VALUE lp");
    let dh = c.cmd_str("DEBUG DIGEST-VALUE ht");
    assert_eq!(dl.array()[0].str(), dh.array()[0].str());
    for i in (0..300).step_by(37) {
        let f = format!("field:{i}");
        let v = format!("{}", i * 7 - 500);
        let want = format!("${}\r\n{}\r\n", v.len(), v);
        assert_reply!(c, ["HGET", "lp", f.as_str()], want.as_bytes());
        assert_reply!(c, ["HGET", "ht", f.as_str()], want.as_bytes());
    }
}

#[test]
fn digest_values() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("HSET h a 1 b hello c 3");
    let want = b"*1\r\n+124213989c18e45d199219c9f1b6b9f4cb800396\r\n";
    assert_reply!(c, "DEBUG DIGEST-VALUE h", want);
    c.cmd_str("CONFIG SET hash-max-listpack-entries 1");
    c.cmd_str("HSET h2 a 1 b hello c 3");
    assert_reply!(c, "OBJECT ENCODING h2", b"$9\r\nhashtable\r\n");
    assert_reply!(c, "DEBUG DIGEST-VALUE h2", want);
}

#[test]
fn wrong_type() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("SET str x");
    for cmd in [
        "HSET str a b",
        "HMSET str a b",
        "HSETNX str a b",
        "HGET str a",
        "HMGET str a",
        "HDEL str a",
        "HLEN str",
        "HSTRLEN str a",
        "HEXISTS str a",
        "HKEYS str",
        "HVALS str",
        "HGETALL str",
        "HINCRBY str a 1",
        "HINCRBYFLOAT str a 1",
        "HRANDFIELD str",
        "HRANDFIELD str 2",
        "HRANDFIELD str -2 WITHVALUES",
        "HSCAN str 0",
    ] {
        assert_reply!(c, cmd, WRONGTYPE);
    }
    // Argument errors come before the type check where Redis checks them first.
    assert_reply!(c, "HINCRBY str a x", NOT_INT);
    assert_reply!(c, "HINCRBYFLOAT str a x", NOT_FLOAT);
    assert_reply!(c, "HRANDFIELD str x", NOT_INT);
    assert_reply!(c, "HSCAN str x", b"-ERR invalid cursor\r\n");
    assert_reply!(c, "GET str", b"$1\r\nx\r\n");
}

#[test]
fn hrandfield_errors_and_shapes() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "HRANDFIELD nokey", b"$-1\r\n");
    assert_reply!(c, "HRANDFIELD nokey 5", b"*0\r\n");
    assert_reply!(c, "HRANDFIELD nokey -5 WITHVALUES", b"*0\r\n");
    c.cmd_str("HSET h a 1");
    assert_reply!(c, "HRANDFIELD h", b"$1\r\na\r\n");
    assert_reply!(c, "HRANDFIELD h 0", b"*0\r\n");
    assert_reply!(c, "HRANDFIELD h 0 WITHVALUES", b"*0\r\n");
    assert_reply!(c, "HRANDFIELD h x", NOT_INT);
    assert_reply!(c, "HRANDFIELD h 1 WITHVALUE", SYNTAX);
    assert_reply!(c, "HRANDFIELD h 1 WITHVALUES x", SYNTAX);
    let range = b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n";
    assert_reply!(c, "HRANDFIELD h -9223372036854775808", range);
    assert_reply!(c, "HRANDFIELD h -9223372036854775808 WITHVALUES", range);
    let out = b"-ERR value is out of range\r\n";
    assert_reply!(c, "HRANDFIELD h -9223372036854770000 WITHVALUES", out);
    assert_reply!(c, "HRANDFIELD h 4611686018427387904 WITHVALUES", out);
    assert_reply!(c, "HRANDFIELD h -4611686018427387904 WITHVALUES", out);
    // One field: every path is deterministic.
    assert_reply!(c, "HRANDFIELD h 1", b"*1\r\n$1\r\na\r\n");
    assert_reply!(c, "HRANDFIELD h 5", b"*1\r\n$1\r\na\r\n");
    assert_reply!(c, "HRANDFIELD h -3", bulks(&["a", "a", "a"]));
    assert_reply!(c, "HRANDFIELD h 1 WITHVALUES", bulks(&["a", "1"]));
    assert_reply!(c, "HRANDFIELD h 4611686018427387903 withvalues", bulks(&["a", "1"]));
    assert_reply!(c, "HRANDFIELD h -2 WITHVALUES", bulks(&["a", "1", "a", "1"]));
    // Asking for everything returns the listpack in order.
    c.cmd_str("HSET h b 2 c 3");
    assert_reply!(c, "HRANDFIELD h 3", bulks(&["a", "b", "c"]));
    assert_reply!(c, "HRANDFIELD h 10 WITHVALUES", bulks(&["a", "1", "b", "2", "c", "3"]));

    // RESP3: pairs are nested, a missing key is a null.
    c.cmd_str("HELLO 3");
    assert_reply!(c, "HRANDFIELD nokey", b"_\r\n");
    assert_reply!(c, "HRANDFIELD nokey 3", b"*0\r\n");
    assert_reply!(c, "HRANDFIELD h 0 WITHVALUES", b"*0\r\n");
    assert_reply!(
        c,
        "HRANDFIELD h 3 WITHVALUES",
        b"*3\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_reply!(c, "HRANDFIELD h 3", bulks(&["a", "b", "c"]));
    c.cmd_str("HDEL h b c");
    assert_reply!(
        c,
        "HRANDFIELD h -2 WITHVALUES",
        b"*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_reply!(c, "HRANDFIELD h 1 WITHVALUES", b"*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_reply!(c, "HGETALL h", b"%1\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_reply!(c, "HGETALL nokey", b"%0\r\n");
    assert_reply!(c, "HKEYS nokey", b"*0\r\n");
    assert_reply!(c, "HGET h zz", b"_\r\n");
    assert_reply!(c, "HMGET h a zz", b"*2\r\n$1\r\n1\r\n_\r\n");
    assert_reply!(c, "HINCRBYFLOAT h f 1.5", b"$3\r\n1.5\r\n");
}

/// Counts of each field over many random picks, for both encodings and all
/// of HRANDFIELD's code paths.
#[test]
fn hrandfield_distribution() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("CONFIG SET hash-max-listpack-value 10");
    let long = "x".repeat(80);
    for (key, last) in [("lp", "9"), ("ht", long.as_str())] {
        let mut args: Vec<String> = vec!["HSET".into(), key.into()];
        for i in 0..9 {
            args.push(format!("f{i}"));
            args.push(format!("{i}"));
        }
        args.push(last.to_string());
        args.push("v".into());
        let refs: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        c.cmd(&refs);
        let fields: BTreeSet<String> = c.cmd(&[b"HKEYS", key.as_bytes()]).strings().into_iter().collect();
        assert_eq!(fields.len(), 10);
        // Negative count: repetitions, uniform.
        let r = c.cmd(&[b"HRANDFIELD", key.as_bytes(), b"-1000"]).strings();
        assert_eq!(r.len(), 1000);
        assert!(chi_square(&r, &fields) < 40.0, "negative count not uniform for {key}");
        // Positive counts (copy-and-remove and random-pick paths).
        for size in [8usize, 2] {
            let mut all = Vec::new();
            for _ in 0..(1000 / size) {
                let r = c.cmd(&[b"HRANDFIELD", key.as_bytes(), size.to_string().as_bytes(), b"WITHVALUES"]);
                let pairs = r.pairs();
                assert_eq!(pairs.len(), size);
                let uniq: BTreeSet<String> = pairs.iter().map(|(f, _)| f.str()).collect();
                assert_eq!(uniq.len(), size, "duplicates in a positive count reply");
                for (f, v) in pairs {
                    let want = c.cmd(&[b"HGET", key.as_bytes(), f.str().as_bytes()]);
                    assert_eq!(want.str(), v.str());
                    all.push(f.str());
                }
            }
            assert!(chi_square(&all, &fields) < 40.0, "count {size} not uniform for {key}");
        }
    }
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
fn hscan() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "HSCAN nokey 0", EMPTY_SCAN);
    // Options are parsed after the key lookup, as in Redis.
    assert_reply!(c, "HSCAN nokey 0 foo bar", EMPTY_SCAN);
    assert_reply!(c, "HSCAN nokey x", b"-ERR invalid cursor\r\n");
    c.cmd_str("HMSET mykey foo 1 fab 2 fiz 3 foobar 10 1 a 2 b 3 c 4 d");
    // A listpack is returned whole, with cursor 0.
    assert_reply!(
        c,
        "HSCAN mykey 0",
        b"*2\r\n$1\r\n0\r\n*16\r\n$3\r\nfoo\r\n$1\r\n1\r\n$3\r\nfab\r\n$1\r\n2\r\n$3\r\nfiz\r\n$1\r\n3\r\n$6\r\nfoobar\r\n$2\r\n10\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n4\r\n$1\r\nd\r\n"
    );
    assert_reply!(
        c,
        "HSCAN mykey 0 MATCH foo* COUNT 1",
        b"*2\r\n$1\r\n0\r\n*4\r\n$3\r\nfoo\r\n$1\r\n1\r\n$6\r\nfoobar\r\n$2\r\n10\r\n"
    );
    assert_reply!(c, "HSCAN mykey 0 MATCH 1*", b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\na\r\n");
    assert_reply!(c, "HSCAN mykey 0 COUNT 0", SYNTAX);
    assert_reply!(c, "HSCAN mykey 0 COUNT -1", SYNTAX);
    assert_reply!(c, "HSCAN mykey 0 COUNT x", NOT_INT);
    assert_reply!(c, "HSCAN mykey 0 MATCH", SYNTAX);
    assert_reply!(c, "HSCAN mykey 0 TYPE hash", SYNTAX);
    assert_reply!(c, "HSCAN mykey 0 foo bar", SYNTAX);
    // strtoul() takes "-1" (as ULONG_MAX); a listpack ignores the cursor.
    let whole = c.cmd_str_raw("HSCAN mykey 0");
    assert_reply!(c, "HSCAN mykey -1", whole);
    assert_reply!(c, "HSCAN mykey 18446744073709551615", whole);
    assert_reply!(c, "HSCAN mykey 18446744073709551616", b"-ERR invalid cursor\r\n");
    assert_reply!(c, "HSCAN mykey 1.5", b"-ERR invalid cursor\r\n");

    // A table is walked with the cursor; every pair comes back.
    c.cmd_str("CONFIG SET hash-max-listpack-entries 16");
    let mut args: Vec<String> = vec!["HMSET".into(), "big".into()];
    for j in 0..1000 {
        args.push(format!("key:{j}"));
        args.push(format!("{j}"));
    }
    let refs: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    c.cmd(&refs);
    assert_reply!(c, "OBJECT ENCODING big", b"$9\r\nhashtable\r\n");
    let mut seen = BTreeSet::new();
    let mut cursor = "0".to_string();
    let mut rounds = 0;
    loop {
        let r = c.cmd(&[b"HSCAN", b"big", cursor.as_bytes()]);
        let parts = r.array();
        cursor = parts[0].str();
        for (k, v) in parts[1].pairs() {
            assert_eq!(k.str(), format!("key:{}", v.str()));
            seen.insert(k.str());
        }
        rounds += 1;
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), 1000);
    assert!(rounds > 10, "COUNT 10 should take many rounds");
    let r = c.cmd_str("HSCAN big 0 COUNT 10000 MATCH key:99*");
    let got: BTreeSet<String> = r.array()[1].pairs().into_iter().map(|(k, _)| k.str()).collect();
    assert_eq!(got.len(), 11);
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
    c.cmd_str("HSET h a 1 b 2");
    expect.extend(ev("hset", "h"));
    c.cmd_str("HMSET h a 3");
    expect.extend(ev("hset", "h"));
    c.cmd_str("HSETNX h a 1");
    c.cmd_str("HSETNX h c 1");
    expect.extend(ev("hset", "h"));
    c.cmd_str("HINCRBY h n 1");
    expect.extend(ev("hincrby", "h"));
    c.cmd_str("HINCRBYFLOAT h n 1.5");
    expect.extend(ev("hincrbyfloat", "h"));
    c.cmd_str("HINCRBY h a x");
    c.cmd_str("HDEL h zz");
    c.cmd_str("HDEL h a b");
    expect.extend(ev("hdel", "h"));
    c.cmd_str("HDEL h c n");
    expect.extend(ev("hdel", "h"));
    expect.extend(ev("del", "h"));
    c.cmd_str("HGET h a");
    let got = sub.read_for(Duration::from_millis(300));
    check_bytes(&got, &expect, "keyspace events");
}

#[test]
fn watch_sees_hash_writes() {
    let s = server();
    let mut c = s.conn();
    let mut other = s.conn();
    c.cmd_str("HSET h a 1");
    for (write, touches) in [
        ("HSET h a 2", true),
        ("HSETNX h a 3", false),
        ("HDEL h nofield", false),
        ("HINCRBY h a 1", true),
        ("HGET h a", false),
    ] {
        c.cmd_str("WATCH h");
        c.cmd_str("MULTI");
        c.cmd_str("PING");
        other.cmd_str(write);
        let r = c.cmd_str_raw("EXEC");
        let want: &[u8] = if touches { b"*-1\r\n" } else { b"*1\r\n+PONG\r\n" };
        check_bytes(&r, want, write);
    }
}

#[test]
fn many_small_hashes_memory() {
    // 100,000 hashes of 10 small fields (listpacks). Redis 7.0.15 grows
    // used_memory by 26,647,776 bytes here (keys, listpacks, the bucket
    // array): allow nothing beyond measurement noise on top.
    let s = server();
    let mut c = s.conn();
    let used = |c: &mut Conn| -> i64 {
        let info = c.cmd_str("INFO memory").str();
        info.lines()
            .find_map(|l| l.strip_prefix("used_memory:"))
            .and_then(|v| v.trim().parse().ok())
            .expect("used_memory")
    };
    // Warm up what the first use of a command allocates (latency
    // histograms and the like): only the data should be measured.
    c.cmd_str("HSET warm a b");
    c.cmd_str("OBJECT ENCODING warm");
    c.cmd_str("DEL warm");
    used(&mut c);
    let before = used(&mut c);
    let n = 100_000;
    let mut batch = Vec::new();
    for i in 0..n {
        let mut args: Vec<Vec<u8>> = vec![b"HSET".to_vec(), format!("key:{i}").into_bytes()];
        for j in 0..10 {
            args.push(format!("field{j}").into_bytes());
            args.push(format!("value{j}").into_bytes());
        }
        let refs: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
        batch.extend(encode_cmd(&refs));
        if i % 1000 == 999 {
            c.send_raw(&batch);
            batch.clear();
            c.read_raw_replies(1000);
        }
    }
    assert_reply!(c, "OBJECT ENCODING key:5", b"$8\r\nlistpack\r\n");
    // Measure from a fresh connection: the loader's buffers are not data.
    drop(c);
    std::thread::sleep(Duration::from_millis(200));
    let mut c = s.conn();
    let delta = used(&mut c) - before;
    eprintln!("100k small hashes: used_memory grew by {delta} bytes");
    assert!(delta <= 26_650_000, "100k small hashes took {delta} bytes");
}
