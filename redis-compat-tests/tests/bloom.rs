//! BF.* commands (RedisBloom 2.8's scalable Bloom filters, built in).
//! Expected replies are the module's (its rebloom.c texts and its test
//! suite's figures): sizes follow from its link layout (a 100-item filter
//! at 1% is one 144-byte link, BF.INFO Size 240). A reply is rendered as
//! a short text (`:int`, `nil`, `[..]`, `{k: v}`, `!error`, `+status`,
//! `#t`) so a case reads as one line.

use redis_compat_tests::*;

#[test]
fn add_exists_info_resp2() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["BF.EXISTS", "bf", "foo"], ":0"),
            (&["BF.CARD", "bf"], ":0"),
            (&["BF.ADD", "bf", "foo"], ":1"),
            (&["BF.ADD", "bf", "foo"], ":0"),
            (&["BF.EXISTS", "bf", "foo"], ":1"),
            (&["BF.EXISTS", "bf", "bar"], ":0"),
            (&["BF.MADD", "bf", "foo", "bar", "baz"], "[:0, :1, :1]"),
            (&["BF.MEXISTS", "bf", "foo", "nope", "baz"], "[:1, :0, :1]"),
            (&["BF.CARD", "bf"], ":3"),
            (&["TYPE", "bf"], "+MBbloom--"),
            (&["OBJECT", "ENCODING", "bf"], "'raw'"),
            (
                &["BF.INFO", "bf"],
                "[+Capacity, :100, +Size, :240, +Number of filters, :1, +Number of items inserted, :3, +Expansion rate, :2]",
            ),
            (&["BF.INFO", "bf", "CAPACITY"], "[:100]"),
            (&["BF.INFO", "bf", "size"], "[:240]"),
            (&["BF.INFO", "bf", "Filters"], "[:1]"),
            (&["BF.INFO", "bf", "items"], "[:3]"),
            (&["BF.INFO", "bf", "expansion"], "[:2]"),
            (&["BF.INFO", "bf", "other"], "!Invalid information value"),
            (&["BF.INFO", "nokey"], "!ERR not found"),
            (
                &["BF.DEBUG", "bf"],
                "['size:3', 'bytes:144 bits:1152 hashes:8 hashwidth:64 capacity:100 size:3 ratio:0.005']",
            ),
            (&["BF.RESERVE", "r", "0.001", "1000", "NONSCALING"], "+OK"),
            (
                &["BF.INFO", "r"],
                "[+Capacity, :1000, +Size, :1896, +Number of filters, :1, +Number of items inserted, :0, +Expansion rate, nil]",
            ),
            (&["BF.RESERVE", "r", "0.01", "10"], "!ERR item exists"),
            (&["BF.RESERVE", "e", "0.01", "1000", "EXPANSION", "4"], "+OK"),
            (&["BF.INFO", "e", "size"], "[:1480]"),
            (&["BF.INFO", "e", "expansion"], "[:4]"),
        ],
    );
}

#[test]
fn resp3_replies() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    assert!(!run(&mut c, &["HELLO", "3"]).is_error());
    check(
        &mut c,
        &[
            (&["BF.ADD", "bf", "a"], "#t"),
            (&["BF.ADD", "bf", "a"], "#f"),
            (&["BF.MADD", "bf", "a", "b"], "[#f, #t]"),
            (&["BF.EXISTS", "bf", "b"], "#t"),
            (&["BF.MEXISTS", "bf", "b", "c"], "[#t, #f]"),
            (&["BF.MEXISTS", "nokey", "b"], "[#f]"),
            (
                &["BF.INFO", "bf"],
                "{+Capacity: :100, +Size: :240, +Number of filters: :1, +Number of items inserted: :2, +Expansion rate: :2}",
            ),
            (&["BF.INFO", "bf", "items"], "{+Number of items inserted: :2}"),
            (&["BF.INSERT", "n", "NONSCALING", "ITEMS", "x"], "[#t]"),
            (&["BF.INFO", "n", "expansion"], "{+Expansion rate: nil}"),
            (&["BF.CARD", "bf"], ":2"),
        ],
    );
}

#[test]
fn insert_options_and_scaling() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["BF.INSERT", "k", "NOCREATE", "ITEMS", "a"], "!ERR not found"),
            (
                &[
                    "BF.INSERT",
                    "k",
                    "CAPACITY",
                    "2",
                    "ERROR",
                    "0.1",
                    "NONSCALING",
                    "ITEMS",
                    "a",
                    "b",
                    "c",
                    "d",
                ],
                "[:1, :1, !ERR non scaling filter is full]",
            ),
            (&["BF.CARD", "k"], ":2"),
            (&["BF.ADD", "k", "zz"], "!ERR non scaling filter is full"),
            (&["BF.INSERT", "k", "ITEMS", "a"], "[:0]"),
            (&["BF.INSERT", "s", "CAPACITY", "10", "EXPANSION", "3", "ITEMS", "a"], "[:1]"),
            (&["BF.INFO", "s", "expansion"], "[:3]"),
            // Options are told apart by their first letters, as the module does.
            (&["BF.INSERT", "t", "cap", "50", "err", "0.2", "i", "x"], "[:1]"),
            (&["BF.INFO", "t", "capacity"], "[:50]"),
        ],
    );
    // 1000 distinct items into a 100-item filter: links of 100, 200, 400, 800.
    let items: Vec<String> = (0..1000).map(|i| format!("item:{i}")).collect();
    let mut args = vec!["BF.MADD", "g"];
    args.extend(items.iter().map(|s| s.as_str()));
    let r = run(&mut c, &args);
    assert_eq!(r.array().len(), 1000);
    check(
        &mut c,
        &[(&["BF.INFO", "g", "filters"], "[:4]"), (&["BF.INFO", "g", "capacity"], "[:1500]")],
    );
    let card = run(&mut c, &["BF.CARD", "g"]).int();
    assert!((700..=1000).contains(&card), "card {card}");
    let mut args = vec!["BF.MEXISTS", "g"];
    args.extend(items.iter().map(|s| s.as_str()));
    assert!(run(&mut c, &args).array().iter().all(|r| *r == Reply::Int(1)));
    // The false-positive rate stays near the requested 1%.
    let others: Vec<String> = (0..2000).map(|i| format!("other:{i}")).collect();
    let mut args = vec!["BF.MEXISTS", "g"];
    args.extend(others.iter().map(|s| s.as_str()));
    let fp = run(&mut c, &args).array().iter().filter(|r| **r == Reply::Int(1)).count();
    assert!(fp < 60, "{fp} false positives in 2000");
}

#[test]
fn errors_are_the_modules() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["SET", "str", "x"], "+OK"),
            (&["bf.Add", "k"], "!ERR wrong number of arguments for 'bf.Add' command"),
            (&["BF.ADD", "k", "a", "b"], "!ERR wrong number of arguments for 'BF.ADD' command"),
            (&["BF.MADD", "k"], "!ERR wrong number of arguments for 'BF.MADD' command"),
            (&["BF.EXISTS", "k"], "!ERR wrong number of arguments for 'BF.EXISTS' command"),
            (
                &["BF.RESERVE", "k", "0.01"],
                "!ERR wrong number of arguments for 'BF.RESERVE' command",
            ),
            (&["BF.RESERVE", "k", "x", "100"], "!ERR bad error rate"),
            (&["BF.RESERVE", "k", "1", "100"], "!ERR (0 < error rate range < 1) "),
            (&["BF.RESERVE", "k", "0", "100"], "!ERR (0 < error rate range < 1) "),
            (&["BF.RESERVE", "k", "0.01", "x"], "!ERR bad capacity"),
            (&["BF.RESERVE", "k", "0.01", "0"], "!ERR (capacity should be larger than 0)"),
            (&["BF.RESERVE", "k", "0.01", "10", "EXPANSION"], "!ERR no expansion"),
            (&["BF.RESERVE", "k", "0.01", "10", "EXPANSION", "x"], "!ERR bad expansion"),
            (
                &["BF.RESERVE", "k", "0.01", "10", "EXPANSION", "0"],
                "!ERR expansion should be greater or equal to 1",
            ),
            (
                &["BF.RESERVE", "k", "0.01", "10", "NONSCALING", "EXPANSION", "2"],
                "!Nonscaling filters cannot expand",
            ),
            (
                &["BF.RESERVE", "str", "0.01", "10"],
                "!WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (
                &["BF.ADD", "str", "a"],
                "!WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (&["BF.EXISTS", "str", "a"], ":0"),
            (&["BF.MEXISTS", "str", "a"], "[:0]"),
            (
                &["BF.CARD", "str"],
                "!WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (
                &["BF.INFO", "str"],
                "!WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (
                &["BF.INSERT", "k", "ITEMS"],
                "!ERR wrong number of arguments for 'BF.INSERT' command",
            ),
            (&["BF.INSERT", "k", "CAPACITY", "x", "ITEMS", "a"], "!Bad capacity"),
            (&["BF.INSERT", "k", "ERROR", "x", "ITEMS", "a"], "!Bad error rate"),
            (&["BF.INSERT", "k", "EXPANSION", "x", "ITEMS", "a"], "!Bad expansion"),
            (&["BF.INSERT", "k", "ERROR", "2", "ITEMS", "a"], "!Bad argument received"),
            (&["BF.INSERT", "k", "CAPACITY", "0", "ITEMS", "a"], "!Bad argument received"),
            (&["BF.INSERT", "k", "BOGUS", "ITEMS", "a"], "!Unknown argument received"),
            (&["BF.INSERT", "k", "", "ITEMS", "a"], "!Unknown argument received"),
            (
                &["BF.INSERT", "k", "CAPACITY", "10", "ERROR"],
                "!ERR wrong number of arguments for 'BF.INSERT' command",
            ),
            (&["BF.SCANDUMP", "nokey", "0"], "!ERR not found"),
            (&["BF.ADD", "k", "a"], ":1"),
            (&["BF.SCANDUMP", "k", "x"], "!Second argument must be numeric"),
            (&["BF.LOADCHUNK", "k", "x", "data"], "!ERR Second argument must be numeric"),
            (&["BF.LOADCHUNK", "new", "2", "data"], "!ERR not found"),
            (&["BF.LOADCHUNK", "new", "1", "garbage"], "!ERR received bad data"),
            (&["BF.LOADCHUNK", "k", "1", "garbage"], "!ERR received bad data"),
            (&["BF.LOADCHUNK", "k", "10000", "xx"], "!ERR invalid offset - no link found"),
            (&["EXISTS", "new"], ":0"),
        ],
    );
}

fn scandump(c: &mut Conn, key: &str) -> Vec<(i64, Vec<u8>)> {
    let mut out = Vec::new();
    let mut iter = 0;
    loop {
        let r = run(c, &["BF.SCANDUMP", key, &iter.to_string()]);
        let a = r.array();
        let next = a[0].int();
        if next == 0 {
            assert_eq!(a[1].bytes(), Some(&b""[..]));
            return out;
        }
        out.push((next, a[1].bytes().unwrap_or_default().to_vec()));
        iter = next;
    }
}

#[test]
fn scandump_and_loadchunk() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(&mut c, &[(&["BF.RESERVE", "src", "0.01", "100"], "+OK")]);
    for i in 0..300 {
        run(&mut c, &["BF.ADD", "src", &format!("v{i}")]);
    }
    let chunks = scandump(&mut c, "src");
    // The header (iterator 1), then one chunk per link.
    assert_eq!(chunks.len(), 1 + 2);
    assert_eq!(chunks[0].0, 1);
    assert_eq!(chunks[0].1.len(), 20 + 2 * 53);
    assert_eq!(chunks[1], (1 + 144, chunks[1].1.clone()));
    for (iter, data) in &chunks {
        let r = c.cmd(&[b"BF.LOADCHUNK", b"dst", iter.to_string().as_bytes(), data]);
        assert_eq!(show(&r), "+OK");
    }
    for i in 0..300 {
        assert_eq!(run(&mut c, &["BF.EXISTS", "dst", &format!("v{i}")]), Reply::Int(1));
    }
    assert_eq!(show(&run(&mut c, &["BF.INFO", "dst"])), show(&run(&mut c, &["BF.INFO", "src"])));
    assert_eq!(scandump(&mut c, "dst"), chunks);
    // A chunk longer than what is left of its link is refused.
    let mut big = chunks[1].1.clone();
    big.push(0);
    let r = c.cmd(&[b"BF.LOADCHUNK", b"dst", (chunks[1].0 + 1).to_string().as_bytes(), &big]);
    assert_eq!(show(&r), "!ERR invalid chunk - Too big for current filter");
    // A header whose counts disagree is refused.
    let mut hdr = chunks[0].1.clone();
    hdr[0] ^= 1;
    let r = c.cmd(&[b"BF.LOADCHUNK", b"bad", b"1", &hdr]);
    assert_eq!(show(&r), "!ERR received bad data");
    // Hostile headers: every byte flipped, the server answers and lives.
    for i in 0..hdr.len() {
        let mut h = chunks[0].1.clone();
        h[i] = h[i].wrapping_add(0x5b);
        let r = c.cmd(&[b"BF.LOADCHUNK", b"h", b"1", &h]);
        if !r.is_error() {
            run(&mut c, &["BF.ADD", "h", "probe"]);
            run(&mut c, &["BF.INFO", "h"]);
            run(&mut c, &["DEL", "h"]);
        }
    }
    assert_eq!(run(&mut c, &["PING"]), Reply::Status("PONG".into()));
}

fn filled(c: &mut Conn) -> String {
    check(
        c,
        &[
            (&["BF.RESERVE", "a", "0.001", "50", "EXPANSION", "3"], "+OK"),
            (&["BF.RESERVE", "n", "0.1", "5", "NONSCALING"], "+OK"),
        ],
    );
    for i in 0..200 {
        run(c, &["BF.ADD", "a", &format!("{i}")]);
    }
    run(c, &["BF.MADD", "n", "x", "y"]);
    let mut s = show(&run(c, &["BF.INFO", "a"])) + &show(&run(c, &["BF.INFO", "n"]));
    s += &show(&run(c, &["BF.DEBUG", "a"]));
    s
}

fn same_after(c: &mut Conn, before: &str) {
    let after = show(&run(c, &["BF.INFO", "a"])) + &show(&run(c, &["BF.INFO", "n"])) + &show(&run(c, &["BF.DEBUG", "a"]));
    assert_eq!(after, before);
    for i in 0..200 {
        assert_eq!(run(c, &["BF.EXISTS", "a", &format!("{i}")]), Reply::Int(1));
    }
    assert_eq!(show(&run(c, &["BF.MEXISTS", "n", "x", "y"])), "[:1, :1]");
}

#[test]
fn persistence_reload_dump_restore_restart_aof() {
    let dir = Server::scratch_dir("bloom");
    let srv = Server::start_with(&server_bin(), Some(&dir), &["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    let before = filled(&mut c);
    check(&mut c, &[(&["DEBUG", "RELOAD"], "+OK")]);
    same_after(&mut c, &before);
    // DUMP/RESTORE, and a corrupt payload refused.
    let d = run(&mut c, &["DUMP", "a"]).bytes().unwrap_or_default().to_vec();
    let r = c.cmd(&[b"RESTORE", b"a2", b"0", &d]);
    assert_eq!(show(&r), "+OK");
    assert_eq!(show(&run(&mut c, &["BF.DEBUG", "a2"])), show(&run(&mut c, &["BF.DEBUG", "a"])));
    let mut bad = d.clone();
    let mid = bad.len() / 2;
    bad.truncate(mid);
    assert!(c.cmd(&[b"RESTORE", b"a3", b"0", &bad]).is_error());
    // AOF rewrite without an RDB preamble: BF.LOADCHUNK commands.
    check(
        &mut c,
        &[
            (&["DEL", "a2"], ":1"),
            (&["CONFIG", "SET", "aof-use-rdb-preamble", "no"], "+OK"),
            (&["CONFIG", "SET", "appendonly", "yes"], "+OK"),
        ],
    );
    let wait_rewrite = |c: &mut Conn| {
        for _ in 0..200 {
            let info = run(c, &["INFO", "persistence"]).str();
            if info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0") {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("rewrite did not finish");
    };
    wait_rewrite(&mut c);
    check(&mut c, &[(&["DEBUG", "LOADAOF"], "+OK")]);
    same_after(&mut c, &before);
    check(&mut c, &[(&["CONFIG", "SET", "appendonly", "no"], "+OK"), (&["SAVE"], "+OK")]);
    drop(c);
    drop(srv);
    let srv = Server::start_with(&server_bin(), Some(&dir), &["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    same_after(&mut c, &before);
    drop(c);
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn module_is_listed() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let list = show(&run(&mut c, &["MODULE", "LIST"]));
    assert!(list.contains("['name', 'bf', 'ver', :20807, 'path', '', 'args', []]"), "{list}");
    let info = run(&mut c, &["INFO", "modules"]).str();
    assert!(
        info.contains("module:name=bf,ver=20807,api=1,filters=0,usedby=[],using=[],options=[]"),
        "{info}"
    );
}
