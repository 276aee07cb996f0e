//! TOPK.* commands (RedisBloom 2.8's HeavyKeeper Top-K lists, built in).
//! The scenarios avoid bucket collisions (wide lists, few items), where
//! the module's random decay cannot show, so replies are the module's
//! exactly, in RESP2 and RESP3; plus hostile input and persistence.

use redis_compat_tests::*;

const WRONGTYPE: &str = "!WRONGTYPE Operation against a key holding the wrong kind of value";

#[test]
fn reserve_add_list_count_resp2() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["TOPK.RESERVE", "t", "2", "50", "4", "0.9"], "+OK"),
            (&["TYPE", "t"], "+TopK-TYPE"),
            (
                &["TOPK.INFO", "t"],
                "[+k, :2, +width, :50, +depth, :4, +decay, '0.90000000000000002']",
            ),
            (&["TOPK.LIST", "t"], "[]"),
            (&["TOPK.ADD", "t", "a", "b", "a"], "[nil, nil, nil]"),
            (&["TOPK.INCRBY", "t", "c", "5"], "['b']"),
            (&["TOPK.LIST", "t"], "['c', 'a']"),
            (&["TOPK.LIST", "t", "WITHCOUNT"], "['c', :5, 'a', :2]"),
            // The module compares only the letters given.
            (&["TOPK.LIST", "t", "with"], "['c', :5, 'a', :2]"),
            (&["TOPK.QUERY", "t", "a", "b", "c"], "[:1, :0, :1]"),
            (&["TOPK.COUNT", "t", "a", "b", "c", "zz"], "[:2, :1, :5, :0]"),
            // b reaches the heap's minimum (a's 2) and takes its slot.
            (&["TOPK.INCRBY", "t", "a", "0", "b", "2"], "[nil, 'a']"),
            (&["TOPK.INCRBY", "t", "b", "3"], "[nil]"),
            (&["TOPK.LIST", "t", "WITHCOUNT"], "['b', :6, 'c', :5]"),
            (&["TOPK.RESERVE", "d", "3"], "+OK"),
            (
                &["TOPK.INFO", "d"],
                "[+k, :3, +width, :8, +depth, :7, +decay, '0.90000000000000002']",
            ),
            // Items are C strings to the module: cut at a NUL in replies.
            (&["TOPK.RESERVE", "n", "1", "100", "3", "1"], "+OK"),
            (&["TOPK.ADD", "n", "x\u{0}y"], "[nil]"),
            (&["TOPK.ADD", "n", "x\u{0}y", "x\u{0}y"], "[nil, nil]"),
            (&["TOPK.QUERY", "n", "x\u{0}y", "x"], "[:1, :0]"),
            (&["TOPK.LIST", "n", "WITHCOUNT"], "['x', :3]"),
            (&["TOPK.INCRBY", "n", "q", "9"], "['x']"),
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
            (&["TOPK.RESERVE", "t", "2", "50", "4", "0.9"], "+OK"),
            (&["TOPK.ADD", "t", "a"], "[nil]"),
            (&["TOPK.QUERY", "t", "a", "b"], "[#t, #f]"),
            (&["TOPK.COUNT", "t", "a"], "[:1]"),
            (&["TOPK.LIST", "t", "WITHCOUNT"], "['a', :1]"),
            (
                &["TOPK.INFO", "t"],
                "{+k: :2, +width: :50, +depth: :4, +decay: ,0.90000000000000002}",
            ),
        ],
    );
}

#[test]
fn errors_are_the_modules() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let incr = "!TopK: increment must be an integer greater or equal to 0                            and smaller or equal to 100,000";
    check(
        &mut c,
        &[
            (&["TOPK.RESERVE", "t", "2"], "+OK"),
            (&["SET", "s", "v"], "+OK"),
            (&["TOPK.RESERVE", "t", "2"], "!TopK: key already exists"),
            (&["TOPK.RESERVE", "s", "x"], "!TopK: key already exists"),
            (&["TOPK.RESERVE", "n"], "!ERR wrong number of arguments for 'TOPK.RESERVE' command"),
            (
                &["TOPK.RESERVE", "n", "2", "4"],
                "!ERR wrong number of arguments for 'TOPK.RESERVE' command",
            ),
            (
                &["TOPK.RESERVE", "n", "2", "4", "4"],
                "!ERR wrong number of arguments for 'TOPK.RESERVE' command",
            ),
            (&["TOPK.RESERVE", "n", "0"], "!TopK: invalid k"),
            (&["TOPK.RESERVE", "n", "x"], "!TopK: invalid k"),
            (&["TOPK.RESERVE", "n", "4294967296"], "!TopK: invalid k"),
            (&["TOPK.RESERVE", "n", "2", "0", "4", "0.9"], "!TopK: invalid width"),
            (&["TOPK.RESERVE", "n", "2", "4294967296", "4", "0.9"], "!TopK: invalid width"),
            (&["TOPK.RESERVE", "n", "2", "4", "-1", "0.9"], "!TopK: invalid depth"),
            (
                &["TOPK.RESERVE", "n", "2", "4", "4", "0"],
                "!TopK: invalid decay value. must be '<= 1' & '> 0'",
            ),
            (
                &["TOPK.RESERVE", "n", "2", "4", "4", "1.5"],
                "!TopK: invalid decay value. must be '<= 1' & '> 0'",
            ),
            (
                &["TOPK.RESERVE", "n", "2", "4", "4", "x"],
                "!TopK: invalid decay value. must be '<= 1' & '> 0'",
            ),
            // Huge lists are refused before anything is allocated.
            (
                &["TOPK.RESERVE", "n", "1", "4294967295", "4294967295", "0.9"],
                "!ERR Insufficient memory to create topk data structure",
            ),
            // width * depth * 8 is exactly 2^64: a wrapping size check
            // would pass it and the allocation would abort the server.
            (
                &["TOPK.RESERVE", "n", "1", "2147483648", "1073741824", "0.9"],
                "!ERR Insufficient memory to create topk data structure",
            ),
            (
                &["TOPK.RESERVE", "n", "200000000"],
                "!ERR Insufficient memory to create topk data structure",
            ),
            (&["EXISTS", "n"], ":0"),
            (&["TOPK.ADD", "t"], "!ERR wrong number of arguments for 'TOPK.ADD' command"),
            (&["TOPK.ADD", "missing", "a"], "!TopK: key does not exist"),
            (&["TOPK.ADD", "s", "a"], WRONGTYPE),
            (
                &["TOPK.INCRBY", "t", "a"],
                "!ERR wrong number of arguments for 'TOPK.INCRBY' command",
            ),
            (
                &["TOPK.INCRBY", "t", "a", "1", "b"],
                "!ERR wrong number of arguments for 'TOPK.INCRBY' command",
            ),
            (&["TOPK.INCRBY", "t", "a", "1", "b", "-1"], incr),
            (&["TOPK.INCRBY", "t", "a", "100001"], incr),
            (&["TOPK.INCRBY", "t", "a", "x"], incr),
            (&["TOPK.INCRBY", "missing", "a", "1"], "!TopK: key does not exist"),
            (&["TOPK.LIST", "t"], "[]"),
            (&["TOPK.LIST", "t", "foo"], "!WITHCOUNT keyword expected"),
            (&["TOPK.LIST", "t", "WITHCOUNTS"], "!WITHCOUNT keyword expected"),
            (
                &["TOPK.LIST", "t", "WITHCOUNT", "x"],
                "!ERR wrong number of arguments for 'TOPK.LIST' command",
            ),
            (&["TOPK.LIST", "missing"], "!TopK: key does not exist"),
            (&["TOPK.LIST", "s"], WRONGTYPE),
            (&["TOPK.QUERY", "t"], "!ERR wrong number of arguments for 'TOPK.QUERY' command"),
            (&["TOPK.QUERY", "missing", "a"], "!TopK: key does not exist"),
            (&["TOPK.COUNT", "t"], "!ERR wrong number of arguments for 'TOPK.COUNT' command"),
            (&["TOPK.COUNT", "s", "a"], WRONGTYPE),
            (&["TOPK.INFO", "t", "x"], "!ERR wrong number of arguments for 'TOPK.INFO' command"),
            (&["TOPK.INFO", "missing"], "!TopK: key does not exist"),
            (&["PING"], "+PONG"),
        ],
    );
}

/// A TopK-TYPE DUMP payload: `real`'s type id and footer around the given
/// k, width, depth, decay and strings (each as claimed length + bytes).
fn payload(real: &[u8], dims: [u64; 3], decay: f64, strings: &[(u64, &[u8])]) -> Vec<u8> {
    let mut p = real[..10].to_vec();
    for v in dims {
        p.push(2);
        p.extend(rdb_len(v));
    }
    p.push(4);
    p.extend_from_slice(&decay.to_le_bytes());
    for (len, s) in strings {
        p.push(5);
        p.extend(rdb_len(*len));
        p.extend_from_slice(s);
    }
    p.push(0);
    p.extend_from_slice(&real[real.len() - 10..]);
    p
}

fn heap_bucket(fp: u32, len: u32, count: u32) -> Vec<u8> {
    let mut h = fp.to_le_bytes().to_vec();
    h.extend_from_slice(&len.to_le_bytes());
    h.extend_from_slice(&[0; 8]);
    h.extend_from_slice(&count.to_le_bytes());
    h.extend_from_slice(&[0; 4]);
    h
}

#[test]
fn corrupt_payloads_are_refused() {
    let srv = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["TOPK.RESERVE", "e", "1", "1", "1", "0.5"], "+OK"),
            (&["DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"], "+OK"),
            (&["CONFIG", "SET", "rdbcompression", "no"], "+OK"),
        ],
    );
    let real = run(&mut c, &["DUMP", "e"]).bytes().unwrap_or_default().to_vec();
    let zero8 = [0u8; 8];
    let heap = heap_bucket(0, 0, 0);
    // The layout we build must be the one DUMP writes.
    let empty = payload(&real, [1, 1, 1], 0.5, &[(8, &zero8), (24, &heap), (1, b"\0")]);
    assert_eq!(empty, real);
    // A list with one item, built by hand, loads and answers.
    let mut bucket = 77u32.to_le_bytes().to_vec();
    bucket.extend_from_slice(&4u32.to_le_bytes());
    let h = heap_bucket(77, 3, 4);
    let ok = payload(&real, [1, 1, 1], 0.5, &[(8, &bucket), (24, &h), (4, b"abc\0")]);
    assert_eq!(show(&c.cmd(&[b"RESTORE", b"ok", b"0", &ok])), "+OK");
    check(&mut c, &[(&["TOPK.LIST", "ok", "WITHCOUNT"], "['abc', :4]")]);
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("k 0", payload(&real, [0, 1, 1], 0.5, &[(8, &zero8), (0, b"")])),
        ("width 0", payload(&real, [1, 0, 1], 0.5, &[(0, b""), (24, &heap), (1, b"\0")])),
        (
            "k beyond u32",
            payload(&real, [1 << 32, 1, 1], 0.5, &[(8, &zero8), (24, &heap), (1, b"\0")]),
        ),
        ("decay 0", payload(&real, [1, 1, 1], 0.0, &[(8, &zero8), (24, &heap), (1, b"\0")])),
        (
            "decay nan",
            payload(&real, [1, 1, 1], f64::NAN, &[(8, &zero8), (24, &heap), (1, b"\0")]),
        ),
        ("decay 2", payload(&real, [1, 1, 1], 2.0, &[(8, &zero8), (24, &heap), (1, b"\0")])),
        (
            "short buckets",
            payload(&real, [1, 1, 1], 0.5, &[(7, &zero8[..7]), (24, &heap), (1, b"\0")]),
        ),
        (
            "short heap",
            payload(&real, [1, 1, 1], 0.5, &[(8, &zero8), (23, &heap[..23]), (1, b"\0")]),
        ),
        (
            "item without NUL",
            payload(&real, [1, 1, 1], 0.5, &[(8, &zero8), (24, &heap), (0, b"")]),
        ),
        (
            "missing item",
            payload(
                &real,
                [2, 1, 1],
                0.5,
                &[(8, &zero8), (48, &[heap.clone(), heap.clone()].concat()), (1, b"\0")],
            ),
        ),
        (
            "huge dims",
            payload(&real, [1, 1 << 31, 1 << 31], 0.5, &[(8, &zero8), (24, &heap), (1, b"\0")]),
        ),
        (
            "huge k claim",
            payload(&real, [100_000_000, 1, 1], 0.5, &[(8, &zero8), (2_400_000_000, &heap)]),
        ),
        ("huge string claim", payload(&real, [1, 1 << 20, 64], 0.5, &[(1 << 29, &zero8)])),
    ];
    for (what, p) in bad {
        let r = c.cmd(&[b"RESTORE", b"bad", b"0", &p]);
        assert_eq!(show(&r), "!ERR Bad data format", "{what}");
    }
    check(&mut c, &[(&["EXISTS", "bad"], ":0"), (&["PING"], "+PONG")]);
}

#[test]
fn persistence_reload_dump_restore_aof_restart() {
    let dir = Server::scratch_dir("topk");
    let srv = Server::start_with(&server_bin(), Some(&dir), &["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    check(&mut c, &[(&["TOPK.RESERVE", "t", "5", "20", "5", "0.9"], "+OK")]);
    for i in 0..400u32 {
        let item = format!("v{}", (i * 7) % 13 % (1 + i % 9));
        run(&mut c, &["TOPK.INCRBY", "t", &item, &(i % 4).to_string()]);
    }
    let items: Vec<String> = (0..13).map(|i| format!("v{i}")).collect();
    let mut q = vec!["TOPK.COUNT", "t"];
    q.extend(items.iter().map(|s| s.as_str()));
    let counts = show(&run(&mut c, &q));
    let list = show(&run(&mut c, &["TOPK.LIST", "t", "WITHCOUNT"]));
    assert!(list.len() > 10, "{list}");
    let check_all = |c: &mut Conn| {
        assert_eq!(show(&run(c, &q)), counts);
        assert_eq!(show(&run(c, &["TOPK.LIST", "t", "WITHCOUNT"])), list);
        assert_eq!(
            show(&run(c, &["TOPK.INFO", "t"])),
            "[+k, :5, +width, :20, +depth, :5, +decay, '0.90000000000000002']"
        );
    };
    check(&mut c, &[(&["DEBUG", "RELOAD"], "+OK")]);
    check_all(&mut c);
    let d = run(&mut c, &["DUMP", "t"]).bytes().unwrap_or_default().to_vec();
    check(&mut c, &[(&["DEL", "t"], ":1")]);
    assert_eq!(show(&c.cmd(&[b"RESTORE", b"t", b"0", &d])), "+OK");
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
