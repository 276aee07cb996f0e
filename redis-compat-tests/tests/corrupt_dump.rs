//! Corrupt DUMP payloads and RDB files (tests/integration/corrupt-dump.tcl
//! and corrupt-dump-fuzzer.tcl): RESTORE refuses them
//! with Redis's errors and never takes the server down, whatever
//! `sanitize-dump-payload` says; a corrupt file stops the server with the
//! redis-check-rdb report; empty keys in a file are skipped and logged.

use redis_compat_tests::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BAD_FORMAT: &[u8] = b"-ERR Bad data format\r\n";

fn server() -> Server {
    Server::start(&["--enable-debug-command", "yes", "--loglevel", "verbose"])
}

fn restore(c: &mut Conn, key: &str, payload: &[u8], extra: &[&str]) -> Vec<u8> {
    let mut args: Vec<&[u8]> = vec![b"RESTORE", key.as_bytes(), b"0", payload];
    args.extend(extra.iter().map(|a| a.as_bytes()));
    c.cmd_raw(&args)
}

fn info_field(c: &mut Conn, section: &str, name: &str) -> String {
    let info = c.cmd(&[b"INFO", section.as_bytes()]).str();
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")).map(str::to_string))
        .unwrap_or_else(|| panic!("INFO has no {name}"))
}

// Payloads of tests/integration/corrupt-dump.tcl.
const HASH_ZIPLIST_BAD_ENTRY_LEN: &[u8] = b"\x0D\x1B\x1B\x00\x00\x00\x16\x00\x00\x00\x04\x00\x00\x02\x61\x00\x04\x02\x62\x00\x04\x14\x63\x00\x04\x02\x64\x00\xFF\x09\x00\xD9\x10\x54\x92\x15\xF5\x5F\x52";
const QUICKLIST_ZIPLIST_WRONG_COUNT: &[u8] =
    b"\x0E\x01\x13\x13\x00\x00\x00\x0E\x00\x00\x00\x03\x00\x00\x02\x61\x00\x04\x02\x62\x00\xFF\x09\x00\x4D\xE2\x0A\x2F\x08\x25\xDF\x91";
const HASH_LISTPACK_DUP: &[u8] = b"\x10\x17\x17\x00\x00\x00\x04\x00\x82\x61\x00\x03\x82\x62\x00\x03\x82\x61\x00\x03\x82\x64\x00\x03\xff\x0a\x00\xc0\xcf\xa6\x87\xe5\xa7\xc5\xbe";
const ZSET_ZIPLIST_BAD_TAIL: &[u8] = b"\x0C\x19\x19\x00\x00\x00\x02\x00\x00\x00\x06\x00\x00\xF1\x02\xF1\x02\x02\x5F\x31\x04\xF2\x02\xF3\x02\xF3\xFF\x09\x00\x4D\x72\x7B\x97\xCD\x9A\x70\xC1";
const SET_OOM_LEN: &[u8] = b"\x02\x81\x02\x5F\x31\xC0\x00\xC0\x02\x09\x00\xCD\x84\x2C\xB7\xE8\xA4\x49\x57";
const STRING_HUGE_LEN: &[u8] = b"\x0A\x81\x7F\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x13\x00\x00\x00\x0E\x00\x00\x00\x02\x00\x00\x02\x61\x00\x04\x02\x62\x00\xFF\x09\x00\x57\x04\xE5\xCD\xD4\x37\x6C\x57";

#[test]
fn corrupt_payloads_are_refused_and_logged() {
    let srv = server();
    let mut c = srv.conn();
    for mode in ["no", "yes"] {
        assert_reply!(c, &format!("CONFIG SET sanitize-dump-payload {mode}"), b"+OK\r\n");
        check_bytes(&restore(&mut c, "k", HASH_ZIPLIST_BAD_ENTRY_LEN, &[]), BAD_FORMAT, "hash ziplist");
        check_bytes(&restore(&mut c, "k", QUICKLIST_ZIPLIST_WRONG_COUNT, &[]), BAD_FORMAT, "quicklist");
        check_bytes(&restore(&mut c, "k", STRING_HUGE_LEN, &[]), BAD_FORMAT, "huge string length");
    }
    assert_reply!(c, "DEBUG SET-SKIP-CHECKSUM-VALIDATION 1", b"+OK\r\n");
    check_bytes(&restore(&mut c, "k", ZSET_ZIPLIST_BAD_TAIL, &[]), BAD_FORMAT, "zset ziplist");
    // A length claiming 2^64 elements allocates nothing up front.
    check_bytes(&restore(&mut c, "k", SET_OOM_LEN, &[]), BAD_FORMAT, "set length");
    assert_reply!(c, "DBSIZE", b":0\r\n");
    assert_reply!(c, "PING", b"+PONG\r\n");
    let log = srv.log_contents();
    // Logged at verbose with rdb.c's wording (and line numbers).
    assert!(
        log.contains("function at rdb.c:2275 -> Hash ziplist integrity check failed."),
        "{log}"
    );
    assert!(log.contains("-> Ziplist integrity check failed."), "{log}");
    assert!(log.contains("-> Zset ziplist integrity check failed."), "{log}");
}

#[test]
fn checksum_and_skip_checksum_validation() {
    let srv = server();
    let mut c = srv.conn();
    assert_reply!(c, "SET s hello", b"+OK\r\n");
    let mut p = c.cmd_str("DUMP s").bytes().map(|b| b.to_vec()).unwrap_or_default();
    let n = p.len();
    p[n - 1] ^= 0x55;
    let wrong = b"-ERR DUMP payload version or checksum are wrong\r\n";
    check_bytes(&restore(&mut c, "t", &p, &[]), wrong, "bad CRC");
    // A payload of a newer RDB version is refused even without the CRC.
    let mut newer = p.clone();
    newer[n - 10] = 0x7f;
    assert_reply!(c, "DEBUG SET-SKIP-CHECKSUM-VALIDATION 1", b"+OK\r\n");
    check_bytes(&restore(&mut c, "t", &newer, &[]), wrong, "newer version");
    check_bytes(&restore(&mut c, "t", &p, &[]), b"+OK\r\n", "CRC not checked");
    assert_reply!(c, "GET t", b"$5\r\nhello\r\n");
    assert_reply!(c, "DEBUG SET-SKIP-CHECKSUM-VALIDATION 0", b"+OK\r\n");
    check_bytes(&restore(&mut c, "u", &p, &[]), wrong, "CRC checked again");
    // Too short to hold the footer.
    check_bytes(&restore(&mut c, "u", b"\x00\x01", &[]), wrong, "short payload");
}

#[test]
fn sanitize_modes_and_duplicates() {
    let srv = server();
    let mut c = srv.conn();
    assert_reply!(c, "DEBUG SET-SKIP-CHECKSUM-VALIDATION 1", b"+OK\r\n");
    let count = |c: &mut Conn| {
        info_field(c, "stats", "dump_payload_sanitizations")
            .parse::<u64>()
            .unwrap_or(u64::MAX)
    };
    // Deep checks find the duplicate field, for every RESTORE with "yes"
    // and for clients' ones with "clients".
    for mode in ["yes", "clients"] {
        assert_reply!(c, &format!("CONFIG SET sanitize-dump-payload {mode}"), b"+OK\r\n");
        let before = count(&mut c);
        check_bytes(&restore(&mut c, "h", HASH_LISTPACK_DUP, &[]), BAD_FORMAT, mode);
        assert_eq!(count(&mut c), before + 1, "sanitizations with {mode}");
    }
    // Without them the hash is taken as it is, and stays usable.
    assert_reply!(c, "CONFIG SET sanitize-dump-payload no", b"+OK\r\n");
    let before = count(&mut c);
    check_bytes(&restore(&mut c, "h", HASH_LISTPACK_DUP, &[]), b"+OK\r\n", "no");
    assert_eq!(count(&mut c), before);
    assert_reply!(c, "HLEN h", b":2\r\n");
    assert_reply!(c, "HSET h e 5", b":1\r\n");
    // (The fields of that payload are "a\0", "b\0", "a\0", "d\0".)
    assert_reply!(c, ["HDEL", "h", "a\0"], b":1\r\n");
    assert_reply!(c, "CONFIG SET hash-max-listpack-entries 1", b"+OK\r\n");
    assert_reply!(c, "HSET h f 6", b":1\r\n");
    assert_reply!(c, "OBJECT ENCODING h", b"$9\r\nhashtable\r\n");
    // Converting it while loading finds the duplicate: where Redis dumps
    // the listpack to the log and panics, the RESTORE is refused.
    if server_bin().ends_with("redis-server") {
        return;
    }
    check_bytes(&restore(&mut c, "h2", HASH_LISTPACK_DUP, &[]), BAD_FORMAT, "convert");
    assert_reply!(c, "PING", b"+PONG\r\n");
    let log = srv.log_contents();
    assert!(log.contains("listpack with dup elements dump (hexdump of 23 bytes):"), "{log}");
    assert!(log.contains("\n17000000040082610003826200038261000382640003ff\n"), "{log}");
}

/// Random commands of the key's type (`generate_fuzzy_traffic_on_key`).
fn traffic(rng: &mut XorShift, c: &mut Conn, key: &str, ty: &str) {
    let vals = [
        "0", "1", "-1", "_1", "_3", "abc", "2", "4", "100000", "+inf", "-inf", "(1", "[a", "-", "+",
    ];
    let cmds: &[&[&str]] = match ty {
        "list" => &[
            &["LINDEX", "K", "V"],
            &["LINSERT", "K", "BEFORE", "V", "V"],
            &["LLEN", "K"],
            &["LPOP", "K"],
            &["LPOS", "K", "V"],
            &["LPUSH", "K", "V"],
            &["LRANGE", "K", "V", "V"],
            &["LREM", "K", "V", "V"],
            &["LSET", "K", "V", "V"],
            &["LTRIM", "K", "V", "V"],
            &["RPOP", "K"],
            &["RPOPLPUSH", "K", "K"],
            &["RPUSH", "K", "V"],
        ],
        "hash" => &[
            &["HDEL", "K", "V"],
            &["HEXISTS", "K", "V"],
            &["HGET", "K", "V"],
            &["HGETALL", "K"],
            &["HINCRBY", "K", "V", "V"],
            &["HINCRBYFLOAT", "K", "V", "V"],
            &["HKEYS", "K"],
            &["HLEN", "K"],
            &["HMGET", "K", "V", "V"],
            &["HSCAN", "K", "0"],
            &["HSET", "K", "V", "V"],
            &["HSETNX", "K", "V", "V"],
            &["HSTRLEN", "K", "V"],
            &["HVALS", "K"],
            &["HRANDFIELD", "K", "V", "WITHVALUES"],
        ],
        "set" => &[
            &["SADD", "K", "V"],
            &["SCARD", "K"],
            &["SISMEMBER", "K", "V"],
            &["SMEMBERS", "K"],
            &["SPOP", "K"],
            &["SRANDMEMBER", "K", "V"],
            &["SREM", "K", "V"],
            &["SSCAN", "K", "0"],
            &["SUNION", "K", "K"],
            &["SINTER", "K", "K"],
            &["SDIFF", "K", "K"],
        ],
        "zset" => &[
            &["ZADD", "K", "V", "V"],
            &["ZCARD", "K"],
            &["ZCOUNT", "K", "V", "V"],
            &["ZINCRBY", "K", "V", "V"],
            &["ZLEXCOUNT", "K", "V", "V"],
            &["ZPOPMAX", "K"],
            &["ZPOPMIN", "K"],
            &["ZRANGE", "K", "V", "V", "WITHSCORES"],
            &["ZRANGEBYLEX", "K", "V", "V"],
            &["ZRANGEBYSCORE", "K", "V", "V"],
            &["ZRANK", "K", "V"],
            &["ZREM", "K", "V"],
            &["ZREMRANGEBYRANK", "K", "V", "V"],
            &["ZREMRANGEBYSCORE", "K", "V", "V"],
            &["ZREVRANGE", "K", "V", "V"],
            &["ZSCORE", "K", "V"],
            &["ZSCAN", "K", "0"],
            &["ZRANDMEMBER", "K", "V", "WITHSCORES"],
            &["ZUNIONSTORE", "K", "1", "K"],
        ],
        "stream" => &[
            &["XLEN", "K"],
            &["XRANGE", "K", "-", "+"],
            &["XREVRANGE", "K", "+", "-", "COUNT", "V"],
            &["XADD", "K", "*", "V", "V"],
            &["XDEL", "K", "V"],
            &["XTRIM", "K", "MAXLEN", "V"],
            &["XINFO", "STREAM", "K", "FULL"],
            &["XINFO", "GROUPS", "K"],
            &["XINFO", "CONSUMERS", "K", "mygroup"],
            &["XREAD", "STREAMS", "K", "0"],
            &["XREADGROUP", "GROUP", "mygroup", "Alice", "STREAMS", "K", ">"],
            &["XPENDING", "K", "mygroup", "-", "+", "10"],
            &["XAUTOCLAIM", "K", "mygroup", "Bob", "0", "0"],
            &["XSETID", "K", "V"],
        ],
        _ => &[&["GET", "K"], &["APPEND", "K", "V"], &["STRLEN", "K"], &["GETRANGE", "K", "V", "V"]],
    };
    for _ in 0..60 {
        let tmpl = *rng.pick(cmds);
        let args: Vec<Vec<u8>> = tmpl
            .iter()
            .map(|a| match *a {
                "K" => key.as_bytes().to_vec(),
                "V" => rng.pick(&vals).as_bytes().to_vec(),
                other => other.as_bytes().to_vec(),
            })
            .collect();
        let refs: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
        let _ = c.cmd(&refs);
    }
    // The whole value, read back and serialized again.
    let _ = c.cmd(&[b"DUMP", key.as_bytes()]);
    let _ = c.cmd(&[b"DEBUG", b"DIGEST-VALUE", key.as_bytes()]);
}

fn fill(c: &mut Conn) {
    for cfg in [
        "list-max-ziplist-size 5",
        "hash-max-ziplist-entries 5",
        "zset-max-ziplist-entries 5",
        "set-max-intset-entries 5",
        "stream-node-max-entries 5",
    ] {
        assert_reply!(c, &format!("CONFIG SET {cfg}"), b"+OK\r\n");
    }
    for (suffix, n) in [("", 3), ("big", 10)] {
        for j in 0..n {
            let v = if j % 2 == 0 { j.to_string() } else { format!("_{j}") };
            let j = j.to_string();
            c.cmd(&[b"HSET", format!("hash{suffix}").as_bytes(), j.as_bytes(), v.as_bytes()]);
            c.cmd(&[b"LPUSH", format!("list{suffix}").as_bytes(), v.as_bytes()]);
            c.cmd(&[b"ZADD", format!("zset{suffix}").as_bytes(), j.as_bytes(), v.as_bytes()]);
            c.cmd(&[b"SADD", format!("set{suffix}").as_bytes(), v.as_bytes()]);
            c.cmd(&[b"SADD", format!("intset{suffix}").as_bytes(), j.as_bytes()]);
            c.cmd(&[
                b"XADD",
                format!("stream{suffix}").as_bytes(),
                b"*",
                b"item",
                b"1",
                b"value",
                v.as_bytes(),
            ]);
        }
    }
    // Stream metadata: a group, a consumer, pending and deleted entries.
    assert_reply!(c, "XGROUP CREATE stream mygroup 0", b"+OK\r\n");
    let read = c.cmd_str("XREADGROUP GROUP mygroup Alice COUNT 2 STREAMS stream >");
    assert!(!read.is_error(), "{read:?}");
    c.cmd_str("XADD streambig * item 1 unique value");
    assert_reply!(c, "INCR int", b":1\r\n");
    assert_reply!(c, "SET string str", b"+OK\r\n");
}

#[test]
fn fuzzed_restores_never_take_the_server_down() {
    // redis-server itself may stop on an unsanitized payload (it accepts
    // some corrupt listpacks and asserts later): only "yes" applies to it.
    let is_redis = server_bin().ends_with("redis-server");
    for (mode, seed) in [("no", 0x5eed_0001u64), ("yes", 0x5eed_0002)] {
        if is_redis && mode == "no" {
            continue;
        }
        let mut srv = Server::start(&["--enable-debug-command", "yes"]);
        let mut c = srv.conn();
        assert_reply!(c, &format!("CONFIG SET sanitize-dump-payload {mode}"), b"+OK\r\n");
        assert_reply!(c, "DEBUG SET-SKIP-CHECKSUM-VALIDATION 1", b"+OK\r\n");
        fill(&mut c);
        let dbsize = c.cmd_str("DBSIZE").int();
        let mut rng = XorShift::new(seed);
        let (mut accepted, mut refused) = (0, 0);
        for _ in 0..300 {
            let key = c.cmd_str("RANDOMKEY").str();
            let mut p = c.cmd(&[b"DUMP", key.as_bytes()]).bytes().map(|b| b.to_vec()).unwrap_or_default();
            let changes = if rng.below(10) == 0 { 2 } else { 1 };
            for _ in 0..changes {
                let i = rng.below(p.len());
                p[i] = rng.below(255) as u8;
            }
            let target = format!("_{key}");
            let r = c.cmd(&[b"RESTORE", target.as_bytes(), b"0", &p, b"REPLACE"]);
            match r {
                Reply::Status(_) => {
                    accepted += 1;
                    let ty = c.cmd(&[b"TYPE", target.as_bytes()]).str();
                    traffic(&mut rng, &mut c, &target, &ty);
                    c.cmd(&[b"DEL", target.as_bytes()]);
                }
                Reply::Error(e) => {
                    assert!(e.starts_with("ERR "), "RESTORE error {e:?} for payload {}", escape(&p));
                    refused += 1;
                }
                other => panic!("RESTORE replied {other:?}"),
            }
            srv.assert_alive();
            assert_eq!(c.cmd_str("DBSIZE").int(), dbsize, "payload {}", escape(&p));
        }
        assert!(accepted > 20 && refused > 20, "{mode}: {accepted} accepted, {refused} refused");
    }
}

/// An RDB file (version 10, no checksum) holding `body` in database 0.
fn rdb_file(body: &[u8]) -> Vec<u8> {
    let mut f = b"REDIS0010".to_vec();
    f.extend_from_slice(b"\xFA\x09redis-ver\x067.0.15");
    f.extend_from_slice(b"\xFE\x00");
    f.extend_from_slice(body);
    f.push(0xFF);
    f.extend_from_slice(&[0; 8]);
    f
}

fn key_entry(t: u8, key: &str, value: &[u8]) -> Vec<u8> {
    let mut e = vec![t, key.len() as u8];
    e.extend_from_slice(key.as_bytes());
    e.extend_from_slice(value);
    e
}

#[test]
fn corrupt_rdb_file_is_reported_and_stops_the_server() {
    let dir = Server::scratch_dir("corrupt-rdb");
    let mut body = key_entry(0, "ok", b"\x02hi");
    // The value of the corrupt hash ziplist payload above, under key "bad".
    let v = &HASH_ZIPLIST_BAD_ENTRY_LEN[1..HASH_ZIPLIST_BAD_ENTRY_LEN.len() - 10];
    body.extend(key_entry(13, "bad", v));
    let path = dir.join("bad.rdb");
    std::fs::write(&path, rdb_file(&body)).unwrap_or_else(|e| panic!("write {path:?}: {e}"));
    let out = dir.join("stdout");
    let out_file = std::fs::File::create(&out).unwrap_or_else(|e| panic!("create {out:?}: {e}"));
    let port = match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(a) => a.port().to_string(),
        Err(e) => panic!("no free port: {e}"),
    };
    let mut child = Command::new(server_bin())
        .args(["--port", &port, "--bind", "127.0.0.1", "--save", "", "--dbfilename", "bad.rdb"])
        .arg("--dir")
        .arg(&dir)
        .stdin(Stdio::null())
        .stdout(out_file)
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("server did not stop on a corrupt RDB file");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(1));
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let want = [
        "# Internal error in RDB reading offset 0, function at rdb.c:2275 -> Hash ziplist integrity check failed.",
        "[offset 0] Checking RDB file bad.rdb",
        "[offset 27] AUX FIELD redis-ver = '7.0.15'",
        "[offset 29] Selecting DB ID 0",
        "--- RDB ERROR DETECTED ---",
        "[offset 69] Internal error in RDB reading offset 0, function at rdb.c:2275 -> Hash ziplist integrity check failed.",
        "[additional info] While doing: read-object-value",
        "[additional info] Reading key 'bad'",
        "[additional info] Reading type 13 (hash-ziplist)",
        "[info] 2 keys read",
        "[info] 0 expires",
        "[info] 0 already expired",
        "# Terminating server after rdb file reading failure.",
    ];
    let mut at = 0;
    for w in want {
        match text[at..].find(w) {
            Some(i) => at += i + w.len(),
            None => panic!("missing (in order) {w:?} in:\n{text}"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn empty_keys_in_rdb_file_are_skipped() {
    let dir = Server::scratch_dir("empty-keys");
    let mut body = Vec::new();
    body.extend(key_entry(2, "set", b"\x00"));
    body.extend(key_entry(1, "list", b"\x00"));
    body.extend(key_entry(4, "hash", b"\x00"));
    body.extend(key_entry(5, "zset", b"\x00"));
    // A quicklist whose only node is an empty ziplist.
    body.extend(key_entry(
        14,
        "list_quicklist_empty_ziplist",
        b"\x01\x0B\x0B\x00\x00\x00\x0A\x00\x00\x00\x00\x00\xFF",
    ));
    body.extend(key_entry(0, "kept", b"\x01v"));
    std::fs::write(dir.join("empty.rdb"), rdb_file(&body)).unwrap_or_else(|e| panic!("write: {e}"));
    for mode in ["no", "yes"] {
        let srv = Server::start_with(
            &server_bin(),
            Some(Path::new(&dir)),
            &["--dbfilename", "empty.rdb", "--sanitize-dump-payload", mode],
        );
        let mut c = srv.conn();
        assert_reply!(c, "DBSIZE", b":1\r\n");
        let log = srv.log_contents();
        for k in ["set", "list", "hash", "zset", "list_quicklist_empty_ziplist"] {
            assert!(log.contains(&format!("rdbLoadObject skipping empty key: {k}\n")), "{k}: {log}");
        }
        assert!(
            log.contains("Done loading RDB, keys loaded: 1, keys expired: 0, empty keys skipped: 5."),
            "{log}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn debug_reload_of_a_corrupt_file_fails_and_the_server_stays_up() {
    // A load asked for by a client is a "restore context" for Redis: the
    // report is logged at verbose and only the command fails.
    let mut srv = Server::start(&["--enable-debug-command", "yes", "--loglevel", "verbose"]);
    let mut c = srv.conn();
    assert_reply!(c, "SET k v", b"+OK\r\n");
    let v = &HASH_ZIPLIST_BAD_ENTRY_LEN[1..HASH_ZIPLIST_BAD_ENTRY_LEN.len() - 10];
    let path = srv.dir().join("dump.rdb");
    std::fs::write(&path, rdb_file(&key_entry(13, "bad", v))).unwrap_or_else(|e| panic!("write {path:?}: {e}"));
    assert_reply!(c, "DEBUG RELOAD NOSAVE", b"-ERR Error trying to load the RDB dump\r\n");
    srv.assert_alive();
    assert_reply!(c, "DBSIZE", b":0\r\n");
    let log = srv.log_contents();
    let want = [
        "- Internal error in RDB reading offset 0, function at rdb.c:2275 -> Hash ziplist integrity check failed.",
        "# Short read or OOM loading DB. Unrecoverable error, aborting now.",
        "- Internal error in RDB reading offset 0, function at rdb.c:3249 -> Unexpected EOF reading RDB file",
    ];
    let mut at = 0;
    for w in want {
        match log[at..].find(w) {
            Some(i) => at += i + w.len(),
            None => panic!("missing (in order) {w:?} in:\n{log}"),
        }
    }
}
