//! CF.* commands (RedisBloom 2.8's cuckoo filters, built in). Expected
//! replies are the module's texts and figures (a 1000-item filter with
//! bucket size 2 has 512 buckets, CF.INFO Size 1080), in RESP2 and RESP3.

use redis_compat_tests::*;

#[test]
fn add_exists_count_del_resp2() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["CF.EXISTS", "cf", "a"], ":0"),
            (&["CF.ADD", "cf", "a"], ":1"),
            (&["CF.ADD", "cf", "a"], ":1"),
            (&["CF.COUNT", "cf", "a"], ":2"),
            (&["CF.ADDNX", "cf", "a"], ":0"),
            (&["CF.ADDNX", "cf", "b"], ":1"),
            (&["CF.EXISTS", "cf", "b"], ":1"),
            (&["CF.MEXISTS", "cf", "a", "b", "zz"], "[:1, :1, :0]"),
            (&["CF.DEL", "cf", "a"], ":1"),
            (&["CF.COUNT", "cf", "a"], ":1"),
            (&["CF.DEL", "cf", "zz"], ":0"),
            (&["TYPE", "cf"], "+MBbloomCF"),
            (
                &["CF.INFO", "cf"],
                "[+Size, :1080, +Number of buckets, :512, +Number of filters, :1, +Number of items inserted, :2, +Number of items deleted, :1, +Bucket size, :2, +Expansion rate, :1, +Max iterations, :20]",
            ),
            (&["CF.DEBUG", "cf"], "'bktsize:2 buckets:512 items:2 deletes:1 filters:1 max_iterations:20 expansion:1'"),
            (&["CF.INSERT", "i", "CAPACITY", "100", "ITEMS", "x", "y", "x"], "[:1, :1, :1]"),
            (&["CF.INSERTNX", "i", "ITEMS", "x", "new"], "[:0, :1]"),
            (&["CF.INFO", "i"], "[+Size, :184, +Number of buckets, :64, +Number of filters, :1, +Number of items inserted, :4, +Number of items deleted, :0, +Bucket size, :2, +Expansion rate, :1, +Max iterations, :20]"),
            (&["CF.RESERVE", "r", "1000", "BUCKETSIZE", "4", "MAXITERATIONS", "50", "EXPANSION", "3"], "+OK"),
            (&["CF.DEBUG", "r"], "'bktsize:4 buckets:256 items:0 deletes:0 filters:1 max_iterations:50 expansion:4'"),
            (&["CF.COMPACT", "cf"], "+OK"),
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
            (&["CF.ADD", "cf", "a"], "#t"),
            (&["CF.ADDNX", "cf", "a"], "#f"),
            (&["CF.INSERT", "cf", "ITEMS", "b"], "[#t]"),
            (&["CF.INSERTNX", "cf", "ITEMS", "b", "c"], "[:0, :1]"),
            (&["CF.EXISTS", "cf", "a"], "#t"),
            (&["CF.MEXISTS", "cf", "a", "q"], "[#t, #f]"),
            (&["CF.EXISTS", "nokey", "a"], "#f"),
            (&["CF.COUNT", "cf", "a"], ":1"),
            (&["CF.COUNT", "nokey", "a"], ":0"),
            (&["CF.DEL", "cf", "a"], "#t"),
            (&["CF.DEL", "cf", "a"], "#f"),
            (
                &["CF.INFO", "cf"],
                "{+Size: :1080, +Number of buckets: :512, +Number of filters: :1, +Number of items inserted: :2, +Number of items deleted: :1, +Bucket size: :2, +Expansion rate: :1, +Max iterations: :20}",
            ),
        ],
    );
}

#[test]
fn full_filters_and_growth() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[(&["CF.RESERVE", "f", "4", "EXPANSION", "0", "MAXITERATIONS", "5"], "+OK")],
    );
    let items: Vec<String> = (0..20).map(|i| format!("it{i}")).collect();
    let mut args = vec!["CF.INSERT", "f", "ITEMS"];
    args.extend(items.iter().map(|s| s.as_str()));
    let r = show(&run(&mut c, &args));
    assert!(r.contains(":-1"), "{r}");
    let mut full = false;
    for it in &items {
        if show(&run(&mut c, &["CF.ADD", "f", it])) == "!Filter is full" {
            full = true;
        }
    }
    assert!(full);
    check(&mut c, &[(&["CF.INFO", "f"], "[+Size, :60, +Number of buckets, :2, +Number of filters, :1, +Number of items inserted, :4, +Number of items deleted, :0, +Bucket size, :2, +Expansion rate, :0, +Max iterations, :5]")]);
    // A growing filter: sub-filters double with EXPANSION 2, deletes compact.
    check(&mut c, &[(&["CF.RESERVE", "g", "64", "EXPANSION", "2"], "+OK")]);
    let items: Vec<String> = (0..400).map(|i| format!("g{i}")).collect();
    let mut args = vec!["CF.INSERT", "g", "ITEMS"];
    args.extend(items.iter().map(|s| s.as_str()));
    assert!(run(&mut c, &args).array().iter().all(|r| *r == Reply::Int(1)));
    let filters = |c: &mut Conn| run(c, &["CF.INFO", "g"]).array()[5].int();
    assert!(filters(&mut c) >= 3);
    for it in &items {
        assert_eq!(run(&mut c, &["CF.EXISTS", "g", it]), Reply::Int(1));
    }
    for it in &items {
        assert_eq!(run(&mut c, &["CF.DEL", "g", it]), Reply::Int(1));
    }
    assert_eq!(filters(&mut c), 1);
}

#[test]
fn errors_are_the_modules() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["SET", "str", "x"], "+OK"),
            (&["CF.ADD", "k"], "!ERR wrong number of arguments for 'CF.ADD' command"),
            (
                &["CF.RESERVE", "k", "100", "BUCKETSIZE"],
                "!ERR wrong number of arguments for 'CF.RESERVE' command",
            ),
            (&["CF.RESERVE", "k", "x"], "!Bad capacity"),
            (&["CF.RESERVE", "k", "3"], "!Capacity must be at least (BucketSize * 2)"),
            (
                &["CF.RESERVE", "k", "100", "BUCKETSIZE", "0"],
                "!BUCKETSIZE: value must be an integer between 1 and 255, inclusive.",
            ),
            (&["CF.RESERVE", "k", "100", "BUCKETSIZE", "x"], "!Couldn't parse BUCKETSIZE"),
            (
                &["CF.RESERVE", "k", "100", "MAXITERATIONS", "0"],
                "!MAXITERATIONS: value must be an integer between 1 and 65535, inclusive.",
            ),
            (
                &["CF.RESERVE", "k", "100", "EXPANSION", "40000"],
                "!EXPANSION: value must be an integer between 0 and 32768, inclusive.",
            ),
            (
                &["CF.RESERVE", "str", "100"],
                "!WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (
                &["CF.ADD", "str", "a"],
                "!WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (&["CF.EXISTS", "str", "a"], ":0"),
            (&["CF.DEL", "str", "a"], "!Not found"),
            (&["CF.DEL", "nokey", "a"], "!Not found"),
            (&["CF.COMPACT", "nokey"], "!Cuckoo filter was not found"),
            (&["CF.INFO", "nokey"], "!ERR not found"),
            (&["CF.INSERT", "k", "NOCREATE", "ITEMS", "a"], "!ERR not found"),
            (
                &["CF.INSERT", "k", "CAPACITY", "3", "ITEMS", "a"],
                "!Capacity must be at least (BucketSize * 2)",
            ),
            (&["CF.INSERT", "k", "CAPACITY", "x", "ITEMS", "a"], "!Bad capacity"),
            (&["CF.INSERT", "k", "BOGUS", "ITEMS", "a"], "!Unknown argument received"),
            (
                &["CF.INSERT", "k", "ITEMS"],
                "!ERR wrong number of arguments for 'CF.INSERT' command",
            ),
            (&["CF.ADD", "k", "a"], ":1"),
            (&["CF.RESERVE", "k", "100"], "!ERR item exists"),
            (&["CF.SCANDUMP", "k", "-1"], "!Invalid position"),
            (&["CF.SCANDUMP", "nokey", "0"], "!ERR not found"),
            (&["CF.LOADCHUNK", "k", "0", "x"], "!Invalid position"),
            (&["CF.LOADCHUNK", "k", "1", "x"], "!ERR item exists"),
            (&["CF.LOADCHUNK", "new", "1", "x"], "!Invalid header"),
            (&["CF.LOADCHUNK", "new", "5", "x"], "!ERR not found"),
            (&["CF.LOADCHUNK", "k", "99999", "x"], "!Couldn't load chunk!"),
            (&["CF.RESERVE", "e", "100"], "+OK"),
            (&["CF.SCANDUMP", "e", "0"], "[:0, nil]"),
        ],
    );
}

fn scandump(c: &mut Conn, key: &str) -> Vec<(i64, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let r = run(c, &["CF.SCANDUMP", key, &pos.to_string()]);
        let a = r.array();
        let next = a[0].int();
        if next == 0 {
            assert_eq!(a[1], Reply::Bulk(None));
            return out;
        }
        out.push((next, a[1].bytes().unwrap_or_default().to_vec()));
        pos = next;
    }
}

#[test]
fn scandump_loadchunk_and_persistence() {
    let dir = Server::scratch_dir("cuckoo");
    let srv = Server::start_with(&server_bin(), Some(&dir), &["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    check(&mut c, &[(&["CF.RESERVE", "src", "64", "EXPANSION", "2"], "+OK")]);
    for i in 0..300 {
        run(&mut c, &["CF.ADD", "src", &format!("v{i}")]);
    }
    run(&mut c, &["CF.DEL", "src", "v1"]);
    let chunks = scandump(&mut c, "src");
    assert_eq!(chunks[0].0, 1);
    assert_eq!(chunks[0].1.len(), 38);
    for (pos, data) in &chunks {
        let r = c.cmd(&[b"CF.LOADCHUNK", b"dst", pos.to_string().as_bytes(), data]);
        assert_eq!(show(&r), "+OK");
    }
    let info = show(&run(&mut c, &["CF.INFO", "src"]));
    assert_eq!(show(&run(&mut c, &["CF.INFO", "dst"])), info);
    assert_eq!(scandump(&mut c, "dst"), chunks);
    // Hostile headers: the server answers and lives.
    for i in 0..38 {
        let mut h = chunks[0].1.clone();
        h[i] = h[i].wrapping_add(0x77);
        let r = c.cmd(&[b"CF.LOADCHUNK", b"h", b"1", &h]);
        if !r.is_error() {
            run(&mut c, &["CF.ADD", "h", "probe"]);
            run(&mut c, &["CF.DEL", "h", "probe"]);
            run(&mut c, &["DEL", "h"]);
        }
    }
    let check_all = |c: &mut Conn| {
        assert_eq!(show(&run(c, &["CF.INFO", "src"])), info);
        for i in 2..300 {
            assert_eq!(run(c, &["CF.EXISTS", "src", &format!("v{i}")]), Reply::Int(1));
        }
    };
    check(&mut c, &[(&["DEBUG", "RELOAD"], "+OK")]);
    check_all(&mut c);
    let d = run(&mut c, &["DUMP", "src"]).bytes().unwrap_or_default().to_vec();
    check(&mut c, &[(&["DEL", "src"], ":1")]);
    assert_eq!(show(&c.cmd(&[b"RESTORE", b"src", b"0", &d])), "+OK");
    check_all(&mut c);
    reload_from_command_aof(&mut c);
    check_all(&mut c);
    check(&mut c, &[(&["CONFIG", "SET", "appendonly", "no"], "+OK"), (&["SAVE"], "+OK")]);
    drop(c);
    drop(srv);
    let srv = Server::start_with(&server_bin(), Some(&dir), &[]);
    let mut c = srv.conn();
    check_all(&mut c);
    drop(c);
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}
