//! Streams. Exact replies and errors of the entry and consumer-group
//! commands (checked against redis-server 7.0.15), blocking XREAD /
//! XREADGROUP, and the stream's on-disk forms: DUMP payloads byte-equal to
//! Redis's, RDB files moving between Oxidis and redis-server in both
//! directions, DEBUG RELOAD and the AOF rewrite.

use redis_compat_tests::*;
use std::path::Path;
use std::time::{Duration, Instant};

const REDIS: &str = "/usr/bin/redis-server";
const WRONGTYPE: &[u8] = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const BAD_ID: &[u8] = b"-ERR Invalid stream ID specified as stream command argument\r\n";

fn server() -> Server {
    Server::start(&["--enable-debug-command", "yes"])
}

fn redis_available() -> bool {
    if Path::new(REDIS).exists() {
        return true;
    }
    eprintln!("skipped: {REDIS} is not installed (apt-get install redis-server)");
    false
}

/// One entry as RESP: `[id, [field, value, ...]]`.
fn entry(id: &str, fields: &[&str]) -> Vec<u8> {
    let mut out = b"*2\r\n".to_vec();
    out.extend(bulk(id));
    out.extend(format!("*{}\r\n", fields.len()).into_bytes());
    for f in fields {
        out.extend(bulk(f));
    }
    out
}

fn entries(items: &[(&str, &[&str])]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for (id, fields) in items {
        out.extend(entry(id, fields));
    }
    out
}

#[test]
fn xadd_ids_and_ranges() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "XADD s 1-1 a 1", bulk("1-1"));
    assert_reply!(c, "XADD s 1-* b 2", bulk("1-2"));
    assert_reply!(c, "XADD s 2 a 3", bulk("2-0"));
    assert_reply!(
        c,
        "XADD s 2-0 a 3",
        b"-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"
    );
    assert_reply!(c, "XADD s 0-0 a 1", b"-ERR The ID specified in XADD must be greater than 0-0\r\n");
    assert_reply!(c, "XADD s 3-x a 1", BAD_ID);
    assert_reply!(c, "XADD s 3 a", b"-ERR wrong number of arguments for 'xadd' command\r\n");
    assert_reply!(c, "XADD nokey NOMKSTREAM * a 1", b"$-1\r\n");
    assert_reply!(c, "EXISTS nokey", b":0\r\n");
    assert_reply!(c, "XLEN s", b":3\r\n");
    assert_reply!(
        c,
        "XRANGE s - +",
        entries(&[("1-1", &["a", "1"]), ("1-2", &["b", "2"]), ("2-0", &["a", "3"])])
    );
    assert_reply!(c, "XRANGE s (1-1 + COUNT 1", entries(&[("1-2", &["b", "2"])]));
    assert_reply!(c, "XRANGE s 1 1", entries(&[("1-1", &["a", "1"]), ("1-2", &["b", "2"])]));
    assert_reply!(c, "XREVRANGE s + (1-1", entries(&[("2-0", &["a", "3"]), ("1-2", &["b", "2"])]));
    assert_reply!(c, "XRANGE s - + COUNT 0", b"*-1\r\n");
    assert_reply!(c, "XRANGE s (- +", BAD_ID);
    assert_reply!(c, "XRANGE s - (0-0", b"-ERR invalid end ID for the interval\r\n");
    assert_reply!(c, "XDEL s 1-2 9-9", b":1\r\n");
    assert_reply!(c, "XRANGE s - +", entries(&[("1-1", &["a", "1"]), ("2-0", &["a", "3"])]));
    assert_reply!(c, "OBJECT ENCODING s", b"$6\r\nstream\r\n");
    assert_reply!(c, "TYPE s", b"+stream\r\n");
    assert_reply!(c, "SCAN 0 TYPE stream", b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\ns\r\n");
    assert_reply!(c, "SET str x", b"+OK\r\n");
    assert_reply!(c, "XADD str * a 1", WRONGTYPE);
    assert_reply!(c, "XLEN str", WRONGTYPE);
}

#[test]
fn trimming_and_xsetid() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "CONFIG SET stream-node-max-entries 2", b"+OK\r\n");
    for i in 1..=7 {
        assert_reply!(c, &format!("XADD s {i}-0 f v"), bulk(&format!("{i}-0")));
    }
    // `~` removes whole nodes only: nodes of 2, so 7 -> 5 for MAXLEN ~ 4.
    assert_reply!(c, "XTRIM s MAXLEN ~ 4", b":2\r\n");
    assert_reply!(c, "XTRIM s MAXLEN = 4", b":1\r\n");
    assert_reply!(c, "XTRIM s MINID 6", b":2\r\n");
    assert_reply!(
        c,
        "XTRIM s MAXLEN 1 LIMIT 1",
        b"-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n"
    );
    assert_reply!(c, "XTRIM s FOO 1", b"-ERR syntax error\r\n");
    assert_reply!(c, "XADD s MAXLEN = 1 8-0 f v", bulk("8-0"));
    assert_reply!(c, "XRANGE s - +", entries(&[("8-0", &["f", "v"])]));
    assert_reply!(
        c,
        "XSETID s 7-0",
        b"-ERR The ID specified in XSETID is smaller than the target stream top item\r\n"
    );
    assert_reply!(c, "XSETID s 10-0 ENTRIESADDED 20 MAXDELETEDID 9-0", b"+OK\r\n");
    assert_reply!(c, "XSETID nokey 1-0", b"-ERR no such key\r\n");
    let info = c.cmd_str("XINFO STREAM s");
    assert_eq!(info.field("last-generated-id").map(|r| r.str()), Some("10-0".into()));
    assert_eq!(info.field("entries-added").map(|r| r.int()), Some(20));
    assert_eq!(info.field("max-deleted-entry-id").map(|r| r.str()), Some("9-0".into()));
    assert_eq!(info.field("recorded-first-entry-id").map(|r| r.str()), Some("8-0".into()));
    assert_eq!(info.field("radix-tree-keys").map(|r| r.int()), Some(1));
}

#[test]
fn consumer_groups() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "XGROUP CREATE s g $", b"-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n");
    assert_reply!(c, "XGROUP CREATE s g $ MKSTREAM", b"+OK\r\n");
    assert_reply!(c, "XGROUP CREATE s g $", b"-BUSYGROUP Consumer Group name already exists\r\n");
    assert_reply!(c, "XADD s 1-0 a 1", bulk("1-0"));
    assert_reply!(c, "XADD s 2-0 b 2", bulk("2-0"));
    let mut want = b"*1\r\n*2\r\n$1\r\ns\r\n".to_vec();
    want.extend(entries(&[("1-0", &["a", "1"])]));
    assert_reply!(c, "XREADGROUP GROUP g alice COUNT 1 STREAMS s >", want);
    assert_reply!(c, "XREADGROUP GROUP g alice STREAMS s $", b"-ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.\r\n");
    assert_reply!(
        c,
        "XREADGROUP GROUP nog alice STREAMS s >",
        b"-NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option\r\n"
    );
    assert_reply!(c, "XREADGROUP GROUP g bob NOACK STREAMS s >", {
        let mut w = b"*1\r\n*2\r\n$1\r\ns\r\n".to_vec();
        w.extend(entries(&[("2-0", &["b", "2"])]));
        w
    });
    assert_reply!(
        c,
        "XPENDING s g",
        b"*4\r\n:1\r\n$3\r\n1-0\r\n$3\r\n1-0\r\n*1\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n"
    );
    // Bob's history is empty (NOACK); Alice's has her entry.
    assert_reply!(c, "XREADGROUP GROUP g bob STREAMS s 0", b"*1\r\n*2\r\n$1\r\ns\r\n*0\r\n");
    assert_reply!(c, "XCLAIM s g bob 0 1-0 JUSTID", b"*1\r\n$3\r\n1-0\r\n");
    assert_reply!(c, "XPENDING s g - + 10 alice", b"*0\r\n");
    assert_reply!(c, "XACK s g 1-0 1-0 5-0", b":1\r\n");
    assert_reply!(c, "XAUTOCLAIM s g bob 0 0 COUNT 0", b"-ERR COUNT must be > 0\r\n");
    assert_reply!(c, "XAUTOCLAIM s g bob 0 0", b"*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n");
    assert_reply!(c, "XGROUP CREATECONSUMER s g carol", b":1\r\n");
    assert_reply!(c, "XGROUP DELCONSUMER s g carol", b":0\r\n");
    assert_reply!(
        c,
        "XGROUP SETID s nog 0",
        b"-NOGROUP No such consumer group 'nog' for key name 's'\r\n"
    );
    assert_reply!(c, "XGROUP SETID s g 0 ENTRIESREAD 0", b"+OK\r\n");
    let groups = c.cmd_str("XINFO GROUPS s");
    let g = &groups.array()[0];
    assert_eq!(g.field("consumers").map(|r| r.int()), Some(2));
    assert_eq!(g.field("lag").map(|r| r.int()), Some(2));
    assert_reply!(c, "XGROUP DESTROY s g", b":1\r\n");
    assert_reply!(c, "XGROUP DESTROY s g", b":0\r\n");
}

#[test]
fn blocking_reads() {
    let s = server();
    let mut a = s.conn();
    let mut b = s.conn();
    // XREAD on `$` is served by the next XADD.
    a.send_cmd(&[b"XREAD", b"BLOCK", b"0", b"STREAMS", b"s", b"$"]);
    std::thread::sleep(Duration::from_millis(100));
    assert_reply!(b, "XADD s 1-0 f v", bulk("1-0"));
    let mut want = b"*1\r\n*2\r\n$1\r\ns\r\n".to_vec();
    want.extend(entries(&[("1-0", &["f", "v"])]));
    check_bytes(&a.read_raw_reply(), &want, "XREAD BLOCK served by XADD");
    // XREADGROUP learns that its key was deleted.
    assert_reply!(b, "XGROUP CREATE s g $", b"+OK\r\n");
    a.send_cmd(&[b"XREADGROUP", b"GROUP", b"g", b"c", b"BLOCK", b"0", b"STREAMS", b"s", b">"]);
    std::thread::sleep(Duration::from_millis(100));
    assert_reply!(b, "DEL s", b":1\r\n");
    check_bytes(
        &a.read_raw_reply(),
        b"-UNBLOCKED the stream key no longer exists\r\n",
        "key deleted",
    );
    // ...or that its group was destroyed.
    assert_reply!(b, "XGROUP CREATE s g $ MKSTREAM", b"+OK\r\n");
    a.send_cmd(&[b"XREADGROUP", b"GROUP", b"g", b"c", b"BLOCK", b"0", b"STREAMS", b"s", b">"]);
    std::thread::sleep(Duration::from_millis(100));
    assert_reply!(b, "XGROUP DESTROY s g", b":1\r\n");
    check_bytes(
        &a.read_raw_reply(),
        b"-NOGROUP the consumer group this client was blocked on no longer exists\r\n",
        "group destroyed",
    );
    // A timeout answers a null array; inside MULTI nothing blocks.
    assert_reply!(a, "XREAD BLOCK 50 STREAMS s $", b"*-1\r\n");
    assert_reply!(a, "MULTI", b"+OK\r\n");
    assert_reply!(a, "XREAD BLOCK 0 STREAMS s $", b"+QUEUED\r\n");
    assert_reply!(a, "EXEC", b"*1\r\n*-1\r\n");
}

/// Streams with several nodes, tombstones, groups, consumers and pending
/// entries.
fn populate_streams(c: &mut Conn) {
    let mut cmds: Vec<String> = vec![
        "CONFIG SET stream-node-max-entries 10".into(),
        "XADD empty MAXLEN 0 5-5 x y".into(),
        "XGROUP CREATE empty eg $".into(),
    ];
    for i in 1..=100 {
        let fields = if i % 7 == 0 {
            "other 1 more 2".to_string()
        } else {
            format!("a {i} b v{i}")
        };
        cmds.push(format!("XADD big {i}-{} {fields}", i % 3));
    }
    cmds.extend(
        [
            "XDEL big 5-2 50-2 51-0 99-0",
            "XGROUP CREATE big g1 0",
            "XGROUP CREATE big g2 $ ENTRIESREAD 100",
            "XREADGROUP GROUP g1 alice COUNT 5 STREAMS big >",
            "XREADGROUP GROUP g1 bob COUNT 3 STREAMS big >",
            "XREADGROUP GROUP g1 carol NOACK COUNT 2 STREAMS big >",
            "XACK big g1 2-2",
            "XCLAIM big g1 dave 0 3-0 TIME 1700000000000 RETRYCOUNT 7",
            "XGROUP CREATECONSUMER big g2 idle",
            "XADD small 1-1 f v",
            "XSETID small 9-9 ENTRIESADDED 3 MAXDELETEDID 2-0",
        ]
        .map(String::from),
    );
    for cmd in &cmds {
        let r = c.cmd_str(cmd);
        assert!(!r.is_error(), "{cmd}: {}", r.str());
    }
}

/// What must be the same after a reload: the digest, and every stream's
/// full description (delivery and seen times are persisted too).
fn snapshot(c: &mut Conn) -> Vec<Vec<u8>> {
    let mut out = vec![c.cmd_str_raw("DEBUG DIGEST")];
    for k in ["empty", "big", "small"] {
        out.push(c.cmd_str_raw(&format!("XINFO STREAM {k} FULL COUNT 0")));
    }
    out
}

#[test]
fn rdb_files_round_trip_with_redis() {
    if !redis_available() {
        return;
    }
    let dir = Server::scratch_dir("stream-rdb-interop");
    let args = ["--enable-debug-command", "yes"];
    let ours = Server::start_with(&server_bin(), Some(&dir), &args);
    let mut c = ours.conn();
    populate_streams(&mut c);
    let before = snapshot(&mut c);
    assert!(!c.cmd_str("SAVE").is_error());
    drop(c);
    drop(ours);
    let theirs = Server::start_with(Path::new(REDIS), Some(&dir), &args);
    let mut r = theirs.conn();
    let loaded = snapshot(&mut r);
    for (a, b) in before.iter().zip(&loaded) {
        check_bytes(b, a, "redis-server loading our dump.rdb");
    }
    r.cmd_str("XADD big 200-0 new entry");
    r.cmd_str("XREADGROUP GROUP g2 erin STREAMS big >");
    r.cmd_str("XGROUP DESTROY big g1");
    let theirs_snap = snapshot(&mut r);
    assert!(!r.cmd_str("SAVE").is_error());
    drop(r);
    drop(theirs);
    let ours = Server::start_with(&server_bin(), Some(&dir), &args);
    let mut c = ours.conn();
    for (a, b) in theirs_snap.iter().zip(&snapshot(&mut c)) {
        check_bytes(b, a, "loading redis-server's dump.rdb");
    }
    drop(c);
    drop(ours);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dump_payloads_match_redis() {
    if !redis_available() {
        return;
    }
    let args = ["--enable-debug-command", "yes"];
    let ours = Server::start(&args);
    let theirs = Server::start_with(Path::new(REDIS), None, &args);
    let (mut o, mut r) = (ours.conn(), theirs.conn());
    let mut rng = XorShift::new(0x57ae);
    for c in [&mut o, &mut r] {
        c.cmd_str("CONFIG SET stream-node-max-entries 7");
        c.cmd_str("CONFIG SET stream-node-max-bytes 300");
    }
    for i in 1..400u64 {
        let cmd = match rng.below(10) {
            0 => format!("XDEL s {}-0", rng.below(i as usize)),
            1 => format!("XTRIM s MAXLEN ~ {}", 50 + rng.below(50)),
            2 if i % 3 == 0 => format!("XADD s {i}-0 {} {}", rng.below(1000), "x".repeat(rng.below(40))),
            _ => format!("XADD s {i}-0 a {} b {}", rng.next_u64(), "y".repeat(rng.below(70))),
        };
        let (a, b) = (o.cmd_str_raw(&cmd), r.cmd_str_raw(&cmd));
        check_bytes(&a, &b, &cmd);
    }
    check_bytes(&o.cmd_str_raw("DUMP s"), &r.cmd_str_raw("DUMP s"), "DUMP s");
    check_bytes(&o.cmd_str_raw("XINFO STREAM s"), &r.cmd_str_raw("XINFO STREAM s"), "XINFO STREAM s");
    // Each side restores the other's payload to the same stream.
    let (d_o, d_r) = (o.cmd(&[b"DUMP", b"s"]), r.cmd(&[b"DUMP", b"s"]));
    let (d_o, d_r) = (d_o.bytes().unwrap_or_default().to_vec(), d_r.bytes().unwrap_or_default().to_vec());
    assert_reply!(o, [b"RESTORE".as_slice(), b"t", b"0", &d_r], b"+OK\r\n");
    assert_reply!(r, [b"RESTORE".as_slice(), b"t", b"0", &d_o], b"+OK\r\n");
    check_bytes(&o.cmd_str_raw("DEBUG DIGEST"), &r.cmd_str_raw("DEBUG DIGEST"), "DEBUG DIGEST");
}

#[test]
fn debug_reload_and_aof_rewrite_keep_streams() {
    let s = server();
    let mut c = s.conn();
    populate_streams(&mut c);
    let before = snapshot(&mut c);
    assert_reply!(c, "DEBUG RELOAD", b"+OK\r\n");
    for (a, b) in before.iter().zip(&snapshot(&mut c)) {
        check_bytes(b, a, "after DEBUG RELOAD");
    }
    c.cmd_str("CONFIG SET aof-use-rdb-preamble no");
    c.cmd_str("CONFIG SET appendonly yes");
    let deadline = Instant::now() + Duration::from_secs(20);
    while c.cmd_str("INFO persistence").str().contains("aof_rewrite_in_progress:1") {
        assert!(Instant::now() < deadline, "AOF rewrite did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_reply!(c, "DEBUG LOADAOF", b"+OK\r\n");
    // The rewrite rebuilds streams with XADD/XCLAIM: node layout and
    // seen-times may differ, the entries, counters and PELs may not.
    assert_eq!(c.cmd_str_raw("DEBUG DIGEST"), before[0], "digest after the AOF rewrite");
    let big = c.cmd_str("XINFO STREAM big FULL COUNT 0");
    for f in [
        "length",
        "last-generated-id",
        "max-deleted-entry-id",
        "entries-added",
        "recorded-first-entry-id",
    ] {
        let want = parse_reply(&before[2]).field(f).map(|r| format!("{r:?}"));
        assert_eq!(big.field(f).map(|r| format!("{r:?}")), want, "{f}");
    }
    assert_reply!(
        c,
        "XPENDING big g1",
        b"*4\r\n:7\r\n$3\r\n1-1\r\n$3\r\n9-0\r\n*3\r\n*2\r\n$5\r\nalice\r\n$1\r\n3\r\n*2\r\n$3\r\nbob\r\n$1\r\n3\r\n*2\r\n$4\r\ndave\r\n$1\r\n1\r\n"
    );
}
