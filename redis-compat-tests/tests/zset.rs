//! Sorted set commands. Mirrors tests/unit/type/zset.tcl, with exact reply
//! bytes checked against Redis 7.0.15 (run with
//! `OXIDIS_BIN=/usr/bin/redis-server`).

use redis_compat_tests::*;
use std::time::Duration;

const WRONGTYPE: &[u8] = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const NOT_INT: &[u8] = b"-ERR value is not an integer or out of range\r\n";
const NOT_FLOAT: &[u8] = b"-ERR value is not a valid float\r\n";
const SYNTAX: &[u8] = b"-ERR syntax error\r\n";
const NOT_FLOAT_RANGE: &[u8] = b"-ERR min or max is not a float\r\n";
const NOT_LEX_RANGE: &[u8] = b"-ERR min or max not valid string range item\r\n";

fn server() -> Server {
    Server::start(&["--enable-debug-command", "yes"])
}

/// Switches a connection to RESP3, ignoring the HELLO reply.
fn resp3(c: &mut Conn) {
    c.cmd_str("HELLO 3");
}

#[test]
fn zadd_options_and_errors() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "ZADD z 1 a 2 b", b":2\r\n");
    assert_reply!(c, "ZADD z 1 a 3 c", b":1\r\n");
    assert_reply!(c, "ZADD z CH 5 a 3 c 4 d", b":2\r\n");
    assert_reply!(c, "ZADD z XX 10 a 10 new", b":0\r\n");
    assert_reply!(c, "ZSCORE z a", b"$2\r\n10\r\n");
    assert_reply!(c, "ZSCORE z new", b"$-1\r\n");
    assert_reply!(c, "ZADD z NX 1 a 1 e", b":1\r\n");
    assert_reply!(c, "ZADD z GT CH 5 a 11 b", b":1\r\n");
    assert_reply!(c, "ZADD z LT CH 5 a 20 b", b":1\r\n");
    assert_reply!(c, "ZADD z XX GT CH 100 a 100 zz", b":1\r\n");
    assert_reply!(c, "ZADD nokey XX 1 a", b":0\r\n");
    assert_reply!(c, "EXISTS nokey", b":0\r\n");
    assert_reply!(
        c,
        "ZADD z NX XX 1 a",
        b"-ERR XX and NX options at the same time are not compatible\r\n"
    );
    let gtlt = b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n";
    assert_reply!(c, "ZADD z GT NX 1 a", gtlt);
    assert_reply!(c, "ZADD z LT NX 1 a", gtlt);
    assert_reply!(c, "ZADD z LT GT 1 a", gtlt);
    assert_reply!(
        c,
        "ZADD z INCR 1 a 2 b",
        b"-ERR INCR option supports a single increment-element pair\r\n"
    );
    assert_reply!(c, "ZADD z 1", b"-ERR wrong number of arguments for 'zadd' command\r\n");
    assert_reply!(c, "ZADD z NX 1", SYNTAX);
    assert_reply!(c, "ZADD z NX CH", SYNTAX);
    assert_reply!(c, "ZADD z 1 a 2", SYNTAX);
    assert_reply!(c, "ZADD z nan a", NOT_FLOAT);
    assert_reply!(c, ["ZADD", "z", "", "a"], NOT_FLOAT);
    assert_reply!(c, "ZADD z 1 a x b", NOT_FLOAT);
    assert_reply!(c, "ZADD z 1x a", NOT_FLOAT);
    assert_reply!(c, "ZADD z 1e400 a", NOT_FLOAT);
    assert_reply!(c, "ZADD z", b"-ERR wrong number of arguments for 'zadd' command\r\n");
    // The failing commands changed nothing.
    assert_reply!(
        c,
        "ZRANGE z 0 -1 WITHSCORES",
        b"*10\r\n$1\r\ne\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$2\r\n11\r\n$1\r\na\r\n$3\r\n100\r\n"
    );
    assert_reply!(c, "SET str x", b"+OK\r\n");
    assert_reply!(c, "ZADD str 1 a", WRONGTYPE);
    // Scores are parsed before the type check.
    assert_reply!(c, "ZADD str nan a", NOT_FLOAT);
}

#[test]
fn zadd_incr_and_zincrby() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "ZINCRBY z 1.5 a", b"$3\r\n1.5\r\n");
    assert_reply!(c, "ZADD z INCR 0.1 a", b"$18\r\n1.6000000000000001\r\n");
    assert_reply!(c, "ZADD z INCR 0.25 a", b"$18\r\n1.8500000000000001\r\n");
    assert_reply!(c, "ZADD z INCR NX 1 a", b"$-1\r\n");
    assert_reply!(c, "ZADD z INCR XX 1 nope", b"$-1\r\n");
    assert_reply!(c, "ZADD z INCR GT -1 a", b"$-1\r\n");
    assert_reply!(c, "ZADD z INCR LT 1 a", b"$-1\r\n");
    assert_reply!(c, "ZADD z INCR GT inf a", b"$3\r\ninf\r\n");
    assert_reply!(c, "ZINCRBY z -inf a", b"-ERR resulting score is not a number (NaN)\r\n");
    assert_reply!(c, "ZSCORE z a", b"$3\r\ninf\r\n");
    assert_reply!(c, "ZINCRBY z abc a", NOT_FLOAT);
    assert_reply!(c, "ZINCRBY z 1 a b", b"-ERR wrong number of arguments for 'zincrby' command\r\n");
    // An option word in the increment's place is taken as an option.
    assert_reply!(c, "ZINCRBY z xx a", SYNTAX);
    resp3(&mut c);
    assert_reply!(c, "ZINCRBY z 2 b", b",2\r\n");
    assert_reply!(c, "ZADD z INCR NX 1 b", b"_\r\n");
    assert_reply!(c, "ZSCORE z a", b",inf\r\n");
    assert_reply!(c, "ZSCORE z nope", b"_\r\n");
    assert_reply!(c, "ZMSCORE z a nope b", b"*3\r\n,inf\r\n_\r\n,2\r\n");
}

#[test]
fn scores_format_and_parse() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "ZADD z 0.1 a -0 b 1e20 c 4611686018427387904 d 1e-320 e", b":5\r\n");
    assert_reply!(c, "ZSCORE z a", b"$19\r\n0.10000000000000001\r\n");
    assert_reply!(c, "ZSCORE z b", b"$1\r\n0\r\n");
    assert_reply!(c, "ZSCORE z c", b"$5\r\n1e+20\r\n");
    assert_reply!(c, "ZSCORE z d", b"$22\r\n4.6116860184273879e+18\r\n");
    assert_reply!(c, "ZSCORE z e", b"$23\r\n9.9998886718268301e-321\r\n");
    // Skiplist keeps -0.
    assert_reply!(c, "CONFIG SET zset-max-listpack-entries 0", b"+OK\r\n");
    assert_reply!(c, "ZADD sl -0 b", b":1\r\n");
    assert_reply!(c, "ZSCORE sl b", b"$2\r\n-0\r\n");
    assert_reply!(
        c,
        "ZADD big 179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368 m",
        b":1\r\n"
    );
    assert_reply!(c, "ZSCORE big m", b"$23\r\n1.7976931348623157e+308\r\n");
}

#[test]
fn encodings_and_conversions() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "CONFIG SET zset-max-listpack-entries 3", b"+OK\r\n");
    assert_reply!(c, "CONFIG SET zset-max-listpack-value 5", b"+OK\r\n");
    assert_reply!(c, "ZADD z 1 a 2 b 3 c", b":3\r\n");
    assert_reply!(c, "OBJECT ENCODING z", b"$8\r\nlistpack\r\n");
    assert_reply!(c, "ZADD z 4 d", b":1\r\n");
    assert_reply!(c, "OBJECT ENCODING z", b"$8\r\nskiplist\r\n");
    // Removing does not convert back.
    assert_reply!(c, "ZREM z a b", b":2\r\n");
    assert_reply!(c, "OBJECT ENCODING z", b"$8\r\nskiplist\r\n");
    assert_reply!(c, "ZADD v 1 abcde", b":1\r\n");
    assert_reply!(c, "OBJECT ENCODING v", b"$8\r\nlistpack\r\n");
    assert_reply!(c, "ZADD v 1 abcdef", b":1\r\n");
    assert_reply!(c, "OBJECT ENCODING v", b"$8\r\nskiplist\r\n");
    // A new key is created as a skiplist when the first member is too long.
    assert_reply!(c, "ZADD w 1 abcdef", b":1\r\n");
    assert_reply!(c, "OBJECT ENCODING w", b"$8\r\nskiplist\r\n");
    // STORE results are listpacks again when small enough.
    assert_reply!(c, "ZUNIONSTORE u 1 z", b":2\r\n");
    assert_reply!(c, "OBJECT ENCODING u", b"$8\r\nlistpack\r\n");
    assert_reply!(c, "ZRANGESTORE r z 0 -1", b":2\r\n");
    assert_reply!(c, "OBJECT ENCODING r", b"$8\r\nlistpack\r\n");
    assert_reply!(c, "ZRANGESTORE r v 0 -1", b":2\r\n");
    assert_reply!(c, "OBJECT ENCODING r", b"$8\r\nskiplist\r\n");
    assert_reply!(c, "ZADD z 5 e 6 f", b":2\r\n");
    assert_reply!(c, "ZINTERSTORE i 2 z z", b":4\r\n");
    assert_reply!(c, "OBJECT ENCODING i", b"$8\r\nskiplist\r\n");
    assert_reply!(c, "ZDIFFSTORE d 2 z u", b":2\r\n");
    assert_reply!(c, "OBJECT ENCODING d", b"$8\r\nlistpack\r\n");
    assert_reply!(c, "CONFIG SET zset-max-listpack-entries 0", b"+OK\r\n");
    assert_reply!(c, "ZRANGESTORE r2 u 0 -1 BYSCORE", b":0\r\n");
    assert_reply!(c, "ZRANGESTORE r2 u -inf +inf BYSCORE", b":2\r\n");
    assert_reply!(c, "OBJECT ENCODING r2", b"$8\r\nskiplist\r\n");
    // Digests do not depend on the encoding.
    assert_reply!(c, "CONFIG SET zset-max-listpack-entries 128", b"+OK\r\n");
    assert_reply!(c, "CONFIG SET zset-max-listpack-value 64", b"+OK\r\n");
    assert_reply!(c, "ZADD lp 1 a 2.5 b -inf c", b":3\r\n");
    assert_reply!(c, "CONFIG SET zset-max-listpack-entries 0", b"+OK\r\n");
    assert_reply!(c, "ZADD sk 1 a 2.5 b -inf c", b":3\r\n");
    assert_reply!(c, "OBJECT ENCODING sk", b"$8\r\nskiplist\r\n");
    let d1 = c.cmd_str_raw("DEBUG DIGEST-VALUE lp");
    let d2 = c.cmd_str_raw("DEBUG DIGEST-VALUE sk");
    check_bytes(&d1, &d2, "digest of equal sets in two encodings");
    assert_reply_glob!(c, "DEBUG DIGEST-VALUE lp", "*1\r\n+????????????????????????????????????????\r\n");
}

#[test]
fn zrange_by_rank() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "ZADD z 1 a 2 b 3 c 4 d", b":4\r\n");
    assert_reply!(c, "ZRANGE z 0 -1", b"*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
    assert_reply!(c, "ZRANGE z 1 2 WITHSCORES", b"*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
    assert_reply!(c, "ZRANGE z -2 100", b"*2\r\n$1\r\nc\r\n$1\r\nd\r\n");
    assert_reply!(c, "ZRANGE z 3 1", b"*0\r\n");
    assert_reply!(c, "ZRANGE z -100 -5", b"*0\r\n");
    assert_reply!(c, "ZRANGE z 0 1 REV", b"*2\r\n$1\r\nd\r\n$1\r\nc\r\n");
    assert_reply!(
        c,
        "ZREVRANGE z 0 1 WITHSCORES",
        b"*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_reply!(c, "ZRANGE nokey 0 -1", b"*0\r\n");
    assert_reply!(c, "ZRANGE z a 1", NOT_INT);
    assert_reply!(
        c,
        "ZRANGE z 0 1 LIMIT 0 1",
        b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n"
    );
    // LIMIT with a count of -1 is "no limit", accepted by rank.
    assert_reply!(c, "ZRANGE z 0 0 LIMIT 5 -1", b"*1\r\n$1\r\na\r\n");
    assert_reply!(c, "ZRANGE z 0 1 FOO", SYNTAX);
    assert_reply!(c, "ZRANGE z 0 1 REV REV", SYNTAX);
    assert_reply!(c, "ZRANGE z 0 1 BYSCORE BYLEX", SYNTAX);
    assert_reply!(c, "ZREVRANGE z 0 1 REV", SYNTAX);
    assert_reply!(
        c,
        "ZRANGE z (1 2 BYLEX WITHSCORES",
        b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"
    );
    assert_reply!(c, "SET str x", b"+OK\r\n");
    assert_reply!(c, "ZRANGE str 0 -1", WRONGTYPE);
    resp3(&mut c);
    assert_reply!(
        c,
        "ZRANGE z 0 1 WITHSCORES",
        b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
    );
    assert_reply!(c, "ZRANGE z 0 1", b"*2\r\n$1\r\na\r\n$1\r\nb\r\n");
}

#[test]
fn zrange_by_score() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "ZADD z -inf ninf 1 a 2 b 3 c 4 d 5 e inf pinf", b":7\r\n");
    assert_reply!(c, "ZRANGEBYSCORE z (1 3", b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    assert_reply!(
        c,
        "ZRANGEBYSCORE z -inf 2 WITHSCORES",
        b"*6\r\n$4\r\nninf\r\n$4\r\n-inf\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_reply!(c, "ZREVRANGEBYSCORE z 3 (1", b"*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
    assert_reply!(c, "ZRANGEBYSCORE z 1 5 LIMIT 1 2", b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    assert_reply!(c, "ZRANGEBYSCORE z 1 5 LIMIT 3 -1", b"*2\r\n$1\r\nd\r\n$1\r\ne\r\n");
    assert_reply!(c, "ZRANGEBYSCORE z 1 5 LIMIT -1 2", b"*0\r\n");
    assert_reply!(c, "ZRANGEBYSCORE z 1 5 LIMIT 1 0", b"*0\r\n");
    assert_reply!(c, "ZRANGEBYSCORE z 1 5 LIMIT 100 1", b"*0\r\n");
    assert_reply!(
        c,
        "ZREVRANGEBYSCORE z +inf -inf LIMIT 1 2 WITHSCORES",
        b"*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n"
    );
    assert_reply!(c, "ZRANGE z 5 (1 BYSCORE REV LIMIT 0 2", b"*2\r\n$1\r\ne\r\n$1\r\nd\r\n");
    assert_reply!(c, "ZRANGEBYSCORE z 3 1", b"*0\r\n");
    assert_reply!(c, "ZRANGEBYSCORE z (3 (3", b"*0\r\n");
    assert_reply!(c, "ZRANGEBYSCORE z 3 3", b"*1\r\n$1\r\nc\r\n");
    // strtod rules: an empty bound is 0, leading spaces are fine.
    assert_reply!(c, ["ZRANGEBYSCORE", "z", "", " 1"], b"*1\r\n$1\r\na\r\n");
    assert_reply!(c, "ZRANGEBYSCORE z nan 1", NOT_FLOAT_RANGE);
    assert_reply!(c, "ZRANGEBYSCORE z 1 (nan", NOT_FLOAT_RANGE);
    assert_reply!(c, "ZRANGEBYSCORE z 1x 2", NOT_FLOAT_RANGE);
    assert_reply!(c, "ZRANGEBYSCORE z 1 2 LIMIT 1", SYNTAX);
    assert_reply!(c, "ZRANGEBYSCORE z 1 2 LIMIT a 1", NOT_INT);
    assert_reply!(c, "ZRANGEBYSCORE nokey 1 2", b"*0\r\n");
    assert_reply!(c, "ZCOUNT z (1 3", b":2\r\n");
    assert_reply!(c, "ZCOUNT z -inf +inf", b":7\r\n");
    assert_reply!(c, "ZCOUNT z 10 1", b":0\r\n");
    assert_reply!(c, "ZCOUNT nokey 1 2", b":0\r\n");
    assert_reply!(c, "ZCOUNT z a 1", NOT_FLOAT_RANGE);
    resp3(&mut c);
    assert_reply!(
        c,
        "ZRANGEBYSCORE z 4 +inf WITHSCORES",
        b"*3\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\ne\r\n,5\r\n*2\r\n$4\r\npinf\r\n,inf\r\n"
    );
}

#[test]
fn zrange_by_lex() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "ZADD z 0 alpha 0 bar 0 cool 0 down 0 elephant 0 foo 0 great", b":7\r\n");
    assert_reply!(c, "ZRANGEBYLEX z - [cool", b"*3\r\n$5\r\nalpha\r\n$3\r\nbar\r\n$4\r\ncool\r\n");
    assert_reply!(c, "ZRANGEBYLEX z (bar (down", b"*1\r\n$4\r\ncool\r\n");
    assert_reply!(c, "ZRANGEBYLEX z [e +", b"*3\r\n$8\r\nelephant\r\n$3\r\nfoo\r\n$5\r\ngreat\r\n");
    assert_reply!(c, "ZREVRANGEBYLEX z [cool -", b"*3\r\n$4\r\ncool\r\n$3\r\nbar\r\n$5\r\nalpha\r\n");
    assert_reply!(c, "ZRANGEBYLEX z - + LIMIT 2 2", b"*2\r\n$4\r\ncool\r\n$4\r\ndown\r\n");
    assert_reply!(c, "ZREVRANGEBYLEX z + - LIMIT 1 1", b"*1\r\n$3\r\nfoo\r\n");
    assert_reply!(
        c,
        "ZRANGE z [f - BYLEX REV",
        b"*5\r\n$8\r\nelephant\r\n$4\r\ndown\r\n$4\r\ncool\r\n$3\r\nbar\r\n$5\r\nalpha\r\n"
    );
    assert_reply!(c, "ZRANGEBYLEX z + -", b"*0\r\n");
    assert_reply!(c, "ZRANGEBYLEX z (foo [foo", b"*0\r\n");
    assert_reply!(c, "ZLEXCOUNT z - +", b":7\r\n");
    assert_reply!(c, "ZLEXCOUNT z [b (f", b":4\r\n");
    assert_reply!(c, "ZLEXCOUNT nokey - +", b":0\r\n");
    assert_reply!(c, "ZRANGEBYLEX z foo +", NOT_LEX_RANGE);
    assert_reply!(c, "ZRANGEBYLEX z - +x", NOT_LEX_RANGE);
    assert_reply!(c, ["ZRANGEBYLEX", "z", "", "+"], NOT_LEX_RANGE);
    assert_reply!(c, "ZLEXCOUNT z a b", NOT_LEX_RANGE);
    assert_reply!(
        c,
        "ZRANGEBYLEX z - + WITHSCORES",
        b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"
    );
    assert_reply!(c, "ZRANGEBYLEX z - + FOO", SYNTAX);
}

#[test]
fn zrangestore() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "ZADD z 1 a 2 b 3 c 4 d", b":4\r\n");
    assert_reply!(c, "ZRANGESTORE dst z 0 -1", b":4\r\n");
    assert_reply!(
        c,
        "ZRANGE dst 0 -1 WITHSCORES",
        b"*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"
    );
    assert_reply!(c, "ZRANGESTORE dst z 4 +inf BYSCORE REV", b":0\r\n");
    assert_reply!(c, "EXISTS dst", b":0\r\n");
    assert_reply!(c, "ZRANGESTORE dst z +inf 3 BYSCORE REV LIMIT 0 1", b":1\r\n");
    assert_reply!(c, "ZRANGE dst 0 -1", b"*1\r\n$1\r\nd\r\n");
    // An empty result deletes the destination, a missing source too.
    assert_reply!(c, "ZRANGESTORE dst z 5 10", b":0\r\n");
    assert_reply!(c, "EXISTS dst", b":0\r\n");
    assert_reply!(c, "SET dst x", b"+OK\r\n");
    assert_reply!(c, "EXPIRE dst 100", b":1\r\n");
    assert_reply!(c, "ZRANGESTORE dst z 0 0", b":1\r\n");
    assert_reply!(c, "TTL dst", b":-1\r\n");
    assert_reply!(c, "ZRANGESTORE dst nokey 0 -1", b":0\r\n");
    assert_reply!(c, "EXISTS dst", b":0\r\n");
    assert_reply!(c, "ZRANGESTORE dst z [a [c BYLEX", b":3\r\n");
    assert_reply!(c, "ZRANGESTORE dst z 0 -1 WITHSCORES", SYNTAX);
    assert_reply!(c, "SET str x", b"+OK\r\n");
    assert_reply!(c, "ZRANGESTORE dst str 0 -1", WRONGTYPE);
    assert_reply!(c, "ZCARD dst", b":3\r\n");
    resp3(&mut c);
    assert_reply!(c, "ZRANGESTORE dst z 0 1", b":2\r\n");
}

#[test]
fn zrem_and_zremrange() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "ZADD z 1 a 2 b 3 c 4 d 5 e 6 f", b":6\r\n");
    assert_reply!(c, "ZREM z a nope a", b":1\r\n");
    assert_reply!(c, "ZREM nokey a", b":0\r\n");
    assert_reply!(c, "ZREMRANGEBYRANK z 0 0", b":1\r\n");
    assert_reply!(c, "ZREMRANGEBYRANK z 10 20", b":0\r\n");
    assert_reply!(c, "ZREMRANGEBYRANK z -1 -1", b":1\r\n");
    assert_reply!(c, "ZREMRANGEBYRANK z a 1", NOT_INT);
    assert_reply!(c, "ZRANGE z 0 -1", b"*3\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n");
    assert_reply!(c, "ZREMRANGEBYSCORE z (3 4", b":1\r\n");
    assert_reply!(c, "ZREMRANGEBYSCORE z x 4", NOT_FLOAT_RANGE);
    assert_reply!(c, "ZREMRANGEBYSCORE nokey 1 2", b":0\r\n");
    assert_reply!(c, "ZREMRANGEBYSCORE z -inf +inf", b":2\r\n");
    assert_reply!(c, "EXISTS z", b":0\r\n");
    assert_reply!(c, "ZADD l 0 a 0 b 0 c 0 d", b":4\r\n");
    assert_reply!(c, "ZREMRANGEBYLEX l (a [c", b":2\r\n");
    assert_reply!(c, "ZREMRANGEBYLEX l a c", NOT_LEX_RANGE);
    assert_reply!(c, "ZREMRANGEBYLEX l - +", b":2\r\n");
    assert_reply!(c, "EXISTS l", b":0\r\n");
    assert_reply!(c, "ZADD z 1 a 2 b", b":2\r\n");
    assert_reply!(c, "ZREM z a b c", b":2\r\n");
    assert_reply!(c, "EXISTS z", b":0\r\n");
    assert_reply!(c, "SET str x", b"+OK\r\n");
    assert_reply!(c, "ZREM str a", WRONGTYPE);
    assert_reply!(c, "ZREMRANGEBYRANK str 0 1", WRONGTYPE);
    // Range errors come before the type check.
    assert_reply!(c, "ZREMRANGEBYSCORE str a 1", NOT_FLOAT_RANGE);
}

#[test]
fn single_key_reads() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "ZADD z 1 a 2 b 3 c", b":3\r\n");
    assert_reply!(c, "ZCARD z", b":3\r\n");
    assert_reply!(c, "ZCARD nokey", b":0\r\n");
    assert_reply!(c, "ZRANK z c", b":2\r\n");
    assert_reply!(c, "ZREVRANK z c", b":0\r\n");
    assert_reply!(c, "ZRANK z nope", b"$-1\r\n");
    assert_reply!(c, "ZRANK nokey a", b"$-1\r\n");
    assert_reply!(c, "ZMSCORE z a nope c", b"*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n3\r\n");
    assert_reply!(c, "ZMSCORE nokey a b", b"*2\r\n$-1\r\n$-1\r\n");
    assert_reply!(c, "ZMSCORE z", b"-ERR wrong number of arguments for 'zmscore' command\r\n");
    assert_reply!(c, "SET str x", b"+OK\r\n");
    assert_reply!(c, "ZSCORE str a", WRONGTYPE);
    assert_reply!(c, "ZMSCORE str a", WRONGTYPE);
    assert_reply!(c, "ZCARD str", WRONGTYPE);
    assert_reply!(c, "ZRANK str a", WRONGTYPE);
    resp3(&mut c);
    assert_reply!(c, "ZRANK z nope", b"_\r\n");
}

#[test]
fn set_operations() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "ZADD a 1 x 2 y 3 z", b":3\r\n");
    assert_reply!(c, "ZADD b 1 y 2 z 3 w", b":3\r\n");
    assert_reply!(
        c,
        "ZUNION 2 a b WITHSCORES",
        b"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\nw\r\n$1\r\n3\r\n$1\r\ny\r\n$1\r\n3\r\n$1\r\nz\r\n$1\r\n5\r\n"
    );
    assert_reply!(
        c,
        "ZINTER 2 a b WEIGHTS 2 3 WITHSCORES",
        b"*4\r\n$1\r\ny\r\n$1\r\n7\r\n$1\r\nz\r\n$2\r\n12\r\n"
    );
    assert_reply!(c, "ZINTER 2 a b AGGREGATE MAX", b"*2\r\n$1\r\ny\r\n$1\r\nz\r\n");
    assert_reply!(
        c,
        "ZUNION 2 a b AGGREGATE min WITHSCORES",
        b"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n1\r\n$1\r\nz\r\n$1\r\n2\r\n$1\r\nw\r\n$1\r\n3\r\n"
    );
    assert_reply!(c, "ZDIFF 2 a b WITHSCORES", b"*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
    assert_reply!(c, "ZDIFF 2 a a", b"*0\r\n");
    assert_reply!(c, "ZINTERCARD 2 a b", b":2\r\n");
    assert_reply!(c, "ZINTERCARD 2 a b LIMIT 1", b":1\r\n");
    assert_reply!(c, "ZINTERCARD 2 a nokey", b":0\r\n");
    // Plain sets score 1.
    assert_reply!(c, "SADD s x w 7", b":3\r\n");
    assert_reply!(c, "ZUNIONSTORE dst 2 s b WEIGHTS 2 1", b":5\r\n");
    assert_reply!(
        c,
        "ZRANGE dst 0 -1 WITHSCORES",
        b"*10\r\n$1\r\ny\r\n$1\r\n1\r\n$1\r\n7\r\n$1\r\n2\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n2\r\n$1\r\nw\r\n$1\r\n5\r\n"
    );
    assert_reply!(c, "ZINTERSTORE dst 2 s b", b":1\r\n");
    assert_reply!(c, "ZRANGE dst 0 -1 WITHSCORES", b"*2\r\n$1\r\nw\r\n$1\r\n4\r\n");
    assert_reply!(c, "ZDIFFSTORE dst 2 s a", b":2\r\n");
    assert_reply!(
        c,
        "ZRANGE dst 0 -1 WITHSCORES",
        b"*4\r\n$1\r\n7\r\n$1\r\n1\r\n$1\r\nw\r\n$1\r\n1\r\n"
    );
    // inf - inf sums to 0; NaN weights are refused.
    assert_reply!(c, "ZADD p inf k", b":1\r\n");
    assert_reply!(c, "ZADD n -inf k", b":1\r\n");
    assert_reply!(c, "ZUNION 2 p n WITHSCORES", b"*2\r\n$1\r\nk\r\n$1\r\n0\r\n");
    assert_reply!(c, "ZUNION 2 p n WEIGHTS 0 1 WITHSCORES", b"*2\r\n$1\r\nk\r\n$4\r\n-inf\r\n");
    assert_reply!(c, "ZUNION 2 p n WEIGHTS nan 1", b"-ERR weight value is not a float\r\n");
    // An empty result deletes the destination.
    assert_reply!(c, "ZINTERSTORE dst 2 a nokey", b":0\r\n");
    assert_reply!(c, "EXISTS dst", b":0\r\n");
    // Errors.
    assert_reply!(c, "ZUNION 0 a", b"-ERR at least 1 input key is needed for 'zunion' command\r\n");
    assert_reply!(
        c,
        "ZINTERSTORE dst 0 a",
        b"-ERR at least 1 input key is needed for 'zinterstore' command\r\n"
    );
    assert_reply!(
        c,
        "ZINTERCARD 0 a",
        b"-ERR at least 1 input key is needed for 'zintercard' command\r\n"
    );
    assert_reply!(c, "ZUNION 3 a b", SYNTAX);
    assert_reply!(c, "ZUNION x a", NOT_INT);
    assert_reply!(c, "ZUNION 1 a WEIGHTS", SYNTAX);
    assert_reply!(c, "ZUNION 1 a AGGREGATE foo", SYNTAX);
    assert_reply!(c, "ZDIFF 1 a WEIGHTS 1", SYNTAX);
    assert_reply!(c, "ZUNIONSTORE dst 1 a WITHSCORES", SYNTAX);
    assert_reply!(c, "ZINTERCARD 1 a WITHSCORES", SYNTAX);
    assert_reply!(c, "ZINTERCARD 1 a LIMIT", SYNTAX);
    assert_reply!(c, "ZINTERCARD 1 a LIMIT -1", b"-ERR LIMIT can't be negative\r\n");
    assert_reply!(c, "ZINTERCARD 1 a LIMIT x", b"-ERR LIMIT can't be negative\r\n");
    assert_reply!(c, "SET str x", b"+OK\r\n");
    assert_reply!(c, "ZUNION 2 a str", WRONGTYPE);
    // The type check comes before option errors.
    assert_reply!(c, "ZUNION 2 a str FOO", WRONGTYPE);
    resp3(&mut c);
    assert_reply!(
        c,
        "ZINTER 2 a b WITHSCORES",
        b"*2\r\n*2\r\n$1\r\ny\r\n,3\r\n*2\r\n$1\r\nz\r\n,5\r\n"
    );
}

#[test]
fn pops() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "ZADD z 1 a 2 b 3 c 4 d", b":4\r\n");
    assert_reply!(c, "ZPOPMIN z", b"*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_reply!(c, "ZPOPMAX z 2", b"*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n");
    assert_reply!(c, "ZPOPMIN z 0", b"*0\r\n");
    assert_reply!(c, "ZPOPMIN z -1", b"-ERR value is out of range, must be positive\r\n");
    assert_reply!(c, "ZPOPMIN z x", b"-ERR value is out of range, must be positive\r\n");
    assert_reply!(c, "ZPOPMIN z 1 2", SYNTAX);
    assert_reply!(c, "ZPOPMIN nokey", b"*0\r\n");
    assert_reply!(c, "ZPOPMIN z 10", b"*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    assert_reply!(c, "EXISTS z", b":0\r\n");
    assert_reply!(c, "ZADD z 1 a 2 b 3 c", b":3\r\n");
    assert_reply!(
        c,
        "ZMPOP 2 nokey z MAX COUNT 2",
        b"*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_reply!(c, "ZMPOP 1 z min", b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_reply!(c, "ZMPOP 1 z MIN", b"*-1\r\n");
    assert_reply!(c, "ZMPOP 0 z MIN", b"-ERR numkeys should be greater than 0\r\n");
    assert_reply!(c, "ZMPOP x z MIN", b"-ERR numkeys should be greater than 0\r\n");
    assert_reply!(c, "ZMPOP 2 z MIN", SYNTAX);
    assert_reply!(c, "ZMPOP 1 z FOO", SYNTAX);
    assert_reply!(c, "ZMPOP 1 z MIN COUNT 0", b"-ERR count should be greater than 0\r\n");
    assert_reply!(c, "ZMPOP 1 z MIN COUNT 1 COUNT 1", SYNTAX);
    assert_reply!(c, "ZMPOP 1 z MIN COUNT", SYNTAX);
    assert_reply!(c, "SET str x", b"+OK\r\n");
    assert_reply!(c, "ZPOPMIN str", WRONGTYPE);
    assert_reply!(c, "ZMPOP 2 nokey str MIN", WRONGTYPE);
    resp3(&mut c);
    assert_reply!(c, "ZADD z 1 a 2 b 3 c", b":3\r\n");
    assert_reply!(c, "ZPOPMIN z", b"*2\r\n$1\r\na\r\n,1\r\n");
    assert_reply!(c, "ZPOPMIN z 1", b"*1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
    assert_reply!(c, "ZMPOP 1 z MAX", b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n,3\r\n");
    assert_reply!(c, "ZMPOP 1 z MAX", b"_\r\n");
    assert_reply!(c, "ZPOPMAX z", b"*0\r\n");
}

#[test]
fn blocking_pops() {
    let s = server();
    let mut c = s.conn();
    let mut b = s.conn();
    // Data present: served at once, like ZPOPMIN.
    assert_reply!(c, "ZADD z 1 a 2 b", b":2\r\n");
    assert_reply!(b, "BZPOPMIN nokey z 0", b"*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_reply!(
        b,
        "BZMPOP 0 1 z MAX COUNT 5",
        b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    // Timeout.
    assert_reply!(b, "BZPOPMAX z 0.01", b"*-1\r\n");
    assert_reply!(b, "BZMPOP 0.01 1 z MIN", b"*-1\r\n");
    // Served when data arrives.
    b.send_cmd(&[b"BZPOPMAX", b"k1", b"k2", b"0"]);
    b.expect_no_reply(Duration::from_millis(100));
    assert_reply!(c, "ZADD k2 1 x 2 y", b":2\r\n");
    assert_eq!(b.read_raw_reply(), b"*3\r\n$2\r\nk2\r\n$1\r\ny\r\n$1\r\n2\r\n".to_vec());
    b.send_cmd(&[b"BZMPOP", b"0", b"2", b"k1", b"k2", b"MIN", b"COUNT", b"10"]);
    assert_eq!(b.read_raw_reply(), b"*2\r\n$2\r\nk2\r\n*1\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n".to_vec());
    assert_reply!(c, "EXISTS k2", b":0\r\n");
    // Inside MULTI a blocking pop does not block.
    assert_reply!(c, "MULTI", b"+OK\r\n");
    assert_reply!(c, "BZPOPMIN k1 0", b"+QUEUED\r\n");
    assert_reply!(c, "BZMPOP 0 1 k1 MIN", b"+QUEUED\r\n");
    assert_reply!(c, "EXEC", b"*2\r\n*-1\r\n*-1\r\n");
    // Errors.
    assert_reply!(c, "BZPOPMIN k1 -1", b"-ERR timeout is negative\r\n");
    assert_reply!(c, "BZPOPMIN k1 x", b"-ERR timeout is not a float or out of range\r\n");
    assert_reply!(c, "BZMPOP 0 0 k1 MIN", b"-ERR numkeys should be greater than 0\r\n");
    assert_reply!(c, "SET str x", b"+OK\r\n");
    assert_reply!(c, "BZPOPMIN str 0", WRONGTYPE);
    assert_reply!(c, "BZMPOP 0 1 str MIN", WRONGTYPE);
    resp3(&mut b);
    assert_reply!(c, "ZADD z 1 a", b":1\r\n");
    assert_reply!(b, "BZPOPMIN z 0", b"*3\r\n$1\r\nz\r\n$1\r\na\r\n,1\r\n");
    assert_reply!(b, "BZPOPMIN z 0.01", b"_\r\n");
}

#[test]
fn zrandmember() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "ZADD z 1 a", b":1\r\n");
    assert_reply!(c, "ZRANDMEMBER z", b"$1\r\na\r\n");
    assert_reply!(c, "ZRANDMEMBER z 1", b"*1\r\n$1\r\na\r\n");
    assert_reply!(c, "ZRANDMEMBER z -3", b"*3\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n");
    assert_reply!(
        c,
        "ZRANDMEMBER z -2 WITHSCORES",
        b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_reply!(c, "ZRANDMEMBER z 5 WITHSCORES", b"*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_reply!(c, "ZRANDMEMBER z 0", b"*0\r\n");
    assert_reply!(c, "ZRANDMEMBER nokey", b"$-1\r\n");
    assert_reply!(c, "ZRANDMEMBER nokey 5", b"*0\r\n");
    assert_reply!(c, "ZRANDMEMBER z 1 foo", SYNTAX);
    assert_reply!(c, "ZRANDMEMBER z x", NOT_INT);
    assert_reply!(
        c,
        "ZRANDMEMBER z -9223372036854775807 WITHSCORES",
        b"-ERR value is out of range\r\n"
    );
    assert_reply!(
        c,
        "ZRANDMEMBER z -9223372036854775808",
        b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"
    );
    // Whole sets come from the highest element down.
    assert_reply!(c, "ZADD z 2 b 3 c", b":2\r\n");
    assert_reply!(c, "ZRANDMEMBER z 3", b"*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");
    assert_reply!(c, "SET str x", b"+OK\r\n");
    assert_reply!(c, "ZRANDMEMBER str", WRONGTYPE);
    assert_reply!(c, "ZRANDMEMBER str 1", WRONGTYPE);
    resp3(&mut c);
    assert_reply!(
        c,
        "ZRANDMEMBER z 3 WITHSCORES",
        b"*3\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n"
    );
    assert_reply_glob!(c, "ZRANDMEMBER z -1 WITHSCORES", "*1\r\n*2\r\n$1\r\n?\r\n,?\r\n");
}

/// The keyevent notifications received within a short while, as
/// "event key" lines.
fn keyevents(sub: &mut Conn) -> Vec<String> {
    let raw = sub.read_for(Duration::from_millis(200));
    let frames = parse_all_frames(&raw).unwrap_or_default();
    frames
        .iter()
        .filter_map(|f| {
            let a = f.array();
            if a.len() == 4 {
                let chan = a[2].str();
                let event = chan.rsplit(':').next().unwrap_or("").to_string();
                Some(format!("{} {}", event, a[3].str()))
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn keyspace_events() {
    let s = server();
    let mut c = s.conn();
    let mut sub = s.conn();
    assert_reply!(c, "CONFIG SET notify-keyspace-events Ez", b"+OK\r\n");
    sub.send_cmd(&[b"PSUBSCRIBE", b"__keyevent@*"]);
    sub.read_raw_reply();
    let cmds = [
        "ZADD z 1 a 2 b 3 c 4 d 5 e 6 f",
        "ZADD z 1 a",
        "ZADD z XX 7 nope",
        "ZINCRBY z 1 a",
        "ZADD z INCR 0 a",
        "ZREM z nope",
        "ZREM z a",
        "ZREMRANGEBYSCORE z 2 2",
        "ZREMRANGEBYRANK z 0 0",
        "ZREMRANGEBYLEX z [d [d",
        "ZPOPMIN z",
        "ZPOPMAX z 5",
        "ZADD s 1 a 2 b",
        "ZUNIONSTORE u 1 s",
        "ZINTERSTORE i 1 s",
        "ZDIFFSTORE d 1 s",
        "ZRANGESTORE r s 0 0",
        "ZRANGESTORE r s 5 6",
        "ZMPOP 1 s MIN COUNT 10",
    ];
    for cmd in cmds {
        c.cmd_str(cmd);
    }
    assert_eq!(
        keyevents(&mut sub),
        vec![
            "zadd z",
            "zincr z",
            "zrem z",
            "zremrangebyscore z",
            "zremrangebyrank z",
            "zremrangebylex z",
            "zpopmin z",
            "zpopmax z",
            "zadd s",
            "zunionstore u",
            "zinterstore i",
            "zdiffstore d",
            "zrangestore r",
            "zpopmin s",
        ]
    );
    assert_reply!(c, "CONFIG SET notify-keyspace-events Eg", b"+OK\r\n");
    for cmd in [
        "ZADD z 1 a",
        "ZREM z a",
        "ZADD z 1 a",
        "ZPOPMIN z",
        "ZADD z 1 a",
        "ZREMRANGEBYRANK z 0 -1",
        "ZADD z 1 a",
        "ZRANGESTORE z nokey 0 -1",
    ] {
        c.cmd_str(cmd);
    }
    assert_eq!(keyevents(&mut sub), vec!["del z", "del z", "del z", "del z"]);
}

#[test]
fn zscan() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "ZADD z 1 a 2.5 b 3 c", b":3\r\n");
    assert_reply!(
        c,
        "ZSCAN z 0",
        b"*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_reply!(c, "ZSCAN z 0 MATCH b*", b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$3\r\n2.5\r\n");
    assert_reply!(c, "ZSCAN nokey 0", b"*2\r\n$1\r\n0\r\n*0\r\n");
    assert_reply!(c, "ZSCAN nokey 0 COUNT 0", b"*2\r\n$1\r\n0\r\n*0\r\n");
    assert_reply!(c, "ZSCAN z 0 COUNT 0", SYNTAX);
    assert_reply!(c, "ZSCAN z 0 TYPE zset", SYNTAX);
    assert_reply!(c, "ZSCAN z x", b"-ERR invalid cursor\r\n");
    assert_reply!(c, "SET str x", b"+OK\r\n");
    assert_reply!(c, "ZSCAN str 0", WRONGTYPE);
    // Skiplist: members and %.17g scores, every member exactly once.
    assert_reply!(c, "CONFIG SET zset-max-listpack-entries 0", b"+OK\r\n");
    assert_reply!(
        c,
        "ZADD sk 0.1 m0 1 m1 2 m2 3 m3 4 m4 5 m5 6 m6 7 m7 8 m8 9 m9 10 m10 11 m11",
        b":12\r\n"
    );
    let mut cursor = "0".to_string();
    let mut seen = Vec::new();
    loop {
        let r = c.cmd_str(&format!("ZSCAN sk {cursor} COUNT 3"));
        let a = r.array();
        cursor = a[0].str();
        for p in a[1].array().chunks(2) {
            seen.push((p[0].str(), p[1].str()));
        }
        if cursor == "0" {
            break;
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 12);
    assert!(seen.contains(&("m0".to_string(), "0.10000000000000001".to_string())));
    assert!(seen.contains(&("m11".to_string(), "11".to_string())));
}
