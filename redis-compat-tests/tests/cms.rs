//! CMS.* commands (RedisBloom 2.8's count-min sketches, built in).
//! Expected replies are the module's texts and figures (INITBYPROB 0.001
//! 0.01 gives width 2000, depth 7), in RESP2 and RESP3, plus hostile
//! dimensions and payloads and every persistence path.

use redis_compat_tests::*;

#[test]
fn init_incrby_query_info_resp2() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["CMS.INITBYDIM", "a", "1000", "5"], "+OK"),
            (&["TYPE", "a"], "+CMSk-TYPE"),
            (&["OBJECT", "ENCODING", "a"], "'raw'"),
            (&["CMS.INCRBY", "a", "x", "3", "y", "1"], "[:3, :1]"),
            (&["CMS.INCRBY", "a", "x", "4"], "[:7]"),
            (&["CMS.QUERY", "a", "x", "y", "zz"], "[:7, :1, :0]"),
            (&["CMS.INFO", "a"], "[+width, :1000, +depth, :5, +count, :8]"),
            (&["CMS.INITBYPROB", "p", "0.001", "0.01"], "+OK"),
            (&["CMS.INFO", "p"], "[+width, :2000, +depth, :7, +count, :0]"),
            (&["CMS.INITBYPROB", "q", "0.01", "0.5"], "+OK"),
            (&["CMS.INFO", "q"], "[+width, :200, +depth, :1, +count, :0]"),
            // Counters saturate: reaching u32::MAX answers the overflow error.
            (&["CMS.INCRBY", "a", "big", "4294967294"], "[:4294967294]"),
            (&["CMS.INCRBY", "a", "big", "1", "x", "0"], "[!CMS: INCRBY overflow, :7]"),
            (&["CMS.INCRBY", "a", "big", "5"], "[!CMS: INCRBY overflow]"),
            (&["CMS.QUERY", "a", "big"], "[:4294967295]"),
            (&["CMS.INCRBY", "a", "huge", "9223372036854775807"], "[!CMS: INCRBY overflow]"),
            // The count is the module's 64-bit sum.
            (&["CMS.INFO", "a"], "[+width, :1000, +depth, :5, +count, :-9223372032559808501]"),
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
            (&["CMS.INITBYDIM", "a", "100", "4"], "+OK"),
            (&["CMS.INCRBY", "a", "x", "2", "y", "4294967295"], "[:2, !CMS: INCRBY overflow]"),
            (&["CMS.QUERY", "a", "x", "n"], "[:2, :0]"),
            (&["CMS.INFO", "a"], "{+width: :100, +depth: :4, +count: :4294967297}"),
            (&["CMS.QUERY", "nokey", "x"], "!CMS: key does not exist"),
        ],
    );
}

#[test]
fn merge_with_weights() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["CMS.INITBYDIM", "a", "100", "5"], "+OK"),
            (&["CMS.INITBYDIM", "b", "100", "5"], "+OK"),
            (&["CMS.INITBYDIM", "d", "100", "5"], "+OK"),
            (&["CMS.INITBYDIM", "small", "10", "5"], "+OK"),
            (&["SET", "s", "v"], "+OK"),
            (&["CMS.INCRBY", "a", "x", "3", "y", "1"], "[:3, :1]"),
            (&["CMS.INCRBY", "b", "x", "2"], "[:2]"),
            (&["CMS.MERGE", "d", "2", "a", "b"], "+OK"),
            (&["CMS.QUERY", "d", "x", "y"], "[:5, :1]"),
            (&["CMS.INFO", "d"], "[+width, :100, +depth, :5, +count, :6]"),
            (&["CMS.MERGE", "d", "2", "a", "b", "weights", "2", "3"], "+OK"),
            (&["CMS.QUERY", "d", "x", "y"], "[:12, :2]"),
            (&["CMS.INFO", "d"], "[+width, :100, +depth, :5, +count, :14]"),
            // A negative weight is fine while every result stays in range.
            (&["CMS.MERGE", "d", "2", "d", "a", "WEIGHTS", "1", "-2"], "+OK"),
            (&["CMS.QUERY", "d", "x", "y"], "[:6, :0]"),
            (&["CMS.INFO", "d"], "[+width, :100, +depth, :5, +count, :6]"),
            (&["CMS.MERGE", "d", "1", "a", "WEIGHTS", "-1"], "!CMS: MERGE overflow"),
            (
                &["CMS.MERGE", "d", "1", "a", "WEIGHTS", "9223372036854775807"],
                "!CMS: MERGE overflow",
            ),
            // Nothing changed on a refused merge.
            (&["CMS.QUERY", "d", "x", "y"], "[:6, :0]"),
            (&["CMS.MERGE", "a", "2", "a", "b"], "+OK"),
            (&["CMS.QUERY", "a", "x"], "[:5]"),
            (&["CMS.MERGE", "d", "1"], "!ERR wrong number of arguments for 'CMS.MERGE' command"),
            (&["CMS.MERGE", "nokey", "1", "a"], "!CMS: key does not exist"),
            (
                &["CMS.MERGE", "s", "1", "a"],
                "!WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (&["CMS.MERGE", "d", "x", "a"], "!CMS: invalid numkeys"),
            (&["CMS.MERGE", "d", "0", "a"], "!CMS: Number of keys must be positive"),
            (&["CMS.MERGE", "d", "-1", "a"], "!CMS: Number of keys must be positive"),
            (&["CMS.MERGE", "d", "3", "a", "b"], "!CMS: wrong number of keys"),
            (
                &["CMS.MERGE", "d", "2", "a", "b", "WEIGHTS", "1"],
                "!CMS: wrong number of keys/weights",
            ),
            (
                &["CMS.MERGE", "d", "1", "a", "b", "WEIGHTS", "1"],
                "!CMS: wrong number of keys/weights",
            ),
            (&["CMS.MERGE", "d", "1", "a", "WEIGHTS", "z"], "!CMS: invalid weight value"),
            (&["CMS.MERGE", "d", "1", "missing"], "!CMS: key does not exist"),
            (
                &["CMS.MERGE", "d", "1", "s"],
                "!WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (&["CMS.MERGE", "d", "2", "a", "small"], "!CMS: width/depth is not equal"),
        ],
    );
}

#[test]
fn errors_are_the_modules() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let wrongtype = "!WRONGTYPE Operation against a key holding the wrong kind of value";
    check(
        &mut c,
        &[
            (&["CMS.INITBYDIM", "a", "10", "10"], "+OK"),
            (&["SET", "s", "v"], "+OK"),
            (&["CMS.INITBYDIM", "a", "10", "10"], "!CMS: key already exists"),
            (&["CMS.INITBYDIM", "s", "10", "10"], "!CMS: key already exists"),
            (&["CMS.INITBYPROB", "s", "bad", "bad"], "!CMS: key already exists"),
            (
                &["CMS.INITBYDIM", "n", "10"],
                "!ERR wrong number of arguments for 'CMS.INITBYDIM' command",
            ),
            (&["CMS.INITBYDIM", "n", "0", "5"], "!CMS: invalid width"),
            (&["CMS.INITBYDIM", "n", "x", "5"], "!CMS: invalid width"),
            (&["CMS.INITBYDIM", "n", "5", "-1"], "!CMS: invalid depth"),
            (&["CMS.INITBYDIM", "n", "9223372036854775807", "2"], "!CMS: invalid init arguments"),
            (&["CMS.INITBYPROB", "n", "0", "0.5"], "!CMS: invalid overestimation value"),
            (&["CMS.INITBYPROB", "n", "1", "0.5"], "!CMS: invalid overestimation value"),
            (&["CMS.INITBYPROB", "n", "0.1", "1"], "!CMS: invalid prob value"),
            (&["CMS.INITBYPROB", "n", "0.1", "nan"], "!CMS: invalid prob value"),
            (&["CMS.INITBYPROB", "n", "1e-300", "0.5"], "!CMS: invalid init arguments"),
            (&["CMS.INITBYPROB", "n", "0.5", "1e-300"], "!CMS: invalid init arguments"),
            // Huge dimensions are refused before anything is allocated.
            (
                &["CMS.INITBYDIM", "n", "4294967296", "1000"],
                "!CMS: Insufficient memory to create the key",
            ),
            (
                &["CMS.INITBYPROB", "n", "1e-12", "0.01"],
                "!CMS: Insufficient memory to create the key",
            ),
            (&["EXISTS", "n"], ":0"),
            (&["CMS.INCRBY", "a", "x"], "!ERR wrong number of arguments for 'CMS.INCRBY' command"),
            (
                &["CMS.INCRBY", "a", "x", "1", "y"],
                "!ERR wrong number of arguments for 'CMS.INCRBY' command",
            ),
            (&["CMS.INCRBY", "a", "x", "foo"], "!CMS: Cannot parse number"),
            (&["CMS.INCRBY", "a", "x", "1", "y", "-1"], "!CMS: Number cannot be negative"),
            (&["CMS.QUERY", "a", "x"], "[:0]"),
            (&["CMS.INCRBY", "missing", "x", "1"], "!CMS: key does not exist"),
            (&["CMS.INCRBY", "s", "x", "1"], wrongtype),
            (&["CMS.QUERY", "a"], "!ERR wrong number of arguments for 'CMS.QUERY' command"),
            (&["CMS.QUERY", "s", "x"], wrongtype),
            (&["CMS.INFO", "a", "b"], "!ERR wrong number of arguments for 'CMS.INFO' command"),
            (&["CMS.INFO", "missing"], "!CMS: key does not exist"),
            (&["CMS.INFO", "s"], wrongtype),
            (&["PING"], "+PONG"),
        ],
    );
}

/// A CMSk-TYPE DUMP payload with the given fields, reusing the type id
/// and footer of `real` (checksums are skipped by the caller).
fn payload(real: &[u8], id_tweak: u8, width: u64, depth: u64, count: u64, str_len: u64, data: &[u8]) -> Vec<u8> {
    let mut p = real[..10].to_vec();
    p[9] = p[9].wrapping_add(id_tweak);
    for v in [width, depth, count] {
        p.push(2);
        p.extend(rdb_len(v));
    }
    p.push(5);
    p.extend(rdb_len(str_len));
    p.extend_from_slice(data);
    p.push(0);
    p.extend_from_slice(&real[real.len() - 10..]);
    p
}

#[test]
fn corrupt_payloads_are_refused() {
    let srv = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["CMS.INITBYDIM", "a", "2", "2"], "+OK"),
            (&["CMS.INCRBY", "a", "x", "7"], "[:7]"),
            (&["DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"], "+OK"),
        ],
    );
    let real = run(&mut c, &["DUMP", "a"]).bytes().unwrap_or_default().to_vec();
    // The layout we build must be the one DUMP writes.
    let counters = &real[real.len() - 27..real.len() - 11];
    assert_eq!(payload(&real, 0, 2, 2, 7, 16, counters), real);
    let ok = payload(&real, 0, 4, 1, 9, 16, &[1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]);
    assert_eq!(show(&c.cmd(&[b"RESTORE", b"ok", b"0", &ok])), "+OK");
    check(&mut c, &[(&["CMS.INFO", "ok"], "[+width, :4, +depth, :1, +count, :9]")]);
    let zeros = [0u8; 16];
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("encver 1", payload(&real, 1, 2, 2, 0, 16, &zeros)),
        ("zero width", payload(&real, 0, 0, 2, 0, 0, &[])),
        ("zero depth", payload(&real, 0, 2, 0, 0, 0, &[])),
        ("short counters", payload(&real, 0, 2, 2, 0, 15, &zeros[..15])),
        ("long counters", payload(&real, 0, 2, 1, 0, 16, &zeros)),
        ("huge dims", payload(&real, 0, 1 << 40, 1 << 40, 0, 16, &zeros)),
        ("overflowing dims", payload(&real, 0, u64::MAX, 4, 0, 16, &zeros)),
        ("huge string claim", payload(&real, 0, 1 << 20, 1 << 10, 0, 1 << 32, &zeros)),
    ];
    for (what, p) in bad {
        let r = c.cmd(&[b"RESTORE", b"bad", b"0", &p]);
        assert_eq!(show(&r), "!ERR Bad data format", "{what}");
    }
    // A truncated payload loses its footer.
    let r = c.cmd(&[b"RESTORE", b"bad", b"0", &real[..real.len() / 2]]);
    assert_eq!(show(&r), "!ERR DUMP payload version or checksum are wrong");
    check(&mut c, &[(&["EXISTS", "bad"], ":0"), (&["PING"], "+PONG")]);
}

#[test]
fn persistence_reload_dump_restore_aof_restart() {
    let dir = Server::scratch_dir("cms");
    let srv = Server::start_with(&server_bin(), Some(&dir), &["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    check(&mut c, &[(&["CMS.INITBYPROB", "a", "0.01", "0.01"], "+OK")]);
    for i in 0..300 {
        run(&mut c, &["CMS.INCRBY", "a", &format!("v{}", i % 50), &i.to_string()]);
    }
    let items: Vec<String> = (0..60).map(|i| format!("v{i}")).collect();
    let mut q = vec!["CMS.QUERY", "a"];
    q.extend(items.iter().map(|s| s.as_str()));
    let want = show(&run(&mut c, &q));
    let info = show(&run(&mut c, &["CMS.INFO", "a"]));
    assert_eq!(info, "[+width, :200, +depth, :7, +count, :44850]");
    let check_all = |c: &mut Conn| {
        assert_eq!(show(&run(c, &q)), want);
        assert_eq!(show(&run(c, &["CMS.INFO", "a"])), info);
    };
    check(&mut c, &[(&["DEBUG", "RELOAD"], "+OK")]);
    check_all(&mut c);
    let d = run(&mut c, &["DUMP", "a"]).bytes().unwrap_or_default().to_vec();
    check(&mut c, &[(&["DEL", "a"], ":1")]);
    assert_eq!(show(&c.cmd(&[b"RESTORE", b"a", b"0", &d])), "+OK");
    check_all(&mut c);
    // AOF rewrite without an RDB preamble: RESTORE of the DUMP payload.
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
