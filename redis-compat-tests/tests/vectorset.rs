//! Vector sets (Redis 8's built-in `vectorset` module): the README's
//! examples and the module's error texts and reply shapes in RESP2 and
//! RESP3, filtered search, recall of the HNSW search against TRUTH, and
//! persistence (DEBUG RELOAD, DUMP/RESTORE, AOF rewrite, restart) and
//! replication.

use redis_compat_tests::*;

const WRONGTYPE: &str = "!WRONGTYPE Operation against a key holding the wrong kind of value";

fn doubles(r: &Reply) -> Vec<f64> {
    r.strings().iter().map(|s| s.parse().unwrap_or(f64::NAN)).collect()
}

#[test]
fn readme_examples_resp2() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["VADD", "vset", "VALUES", "3", "1", "0", "1", "bar"], ":1"),
            (&["TYPE", "vset"], "+vectorset"),
            (&["OBJECT", "ENCODING", "vset"], "'raw'"),
            (&["VREM", "vset", "bar"], ":1"),
            (&["VREM", "vset", "bar"], ":0"),
            // The last element took the key with it.
            (&["EXISTS", "vset"], ":0"),
            (
                &["VADD", "vset", "VALUES", "3", "1", "1", "1", "a", "SETATTR", "{\"year\": 1950}"],
                ":1",
            ),
            (
                &["VADD", "vset", "VALUES", "3", "-1", "-1", "-1", "b", "SETATTR", "{\"year\": 1951}"],
                ":1",
            ),
            (&["VADD", "vset", "VALUES", "3", "0", "1", "0", "c"], ":1"),
            (&["VSETATTR", "vset", "c", "{\"year\": 1952}"], ":1"),
            (&["VGETATTR", "vset", "c"], "'{\"year\": 1952}'"),
            (
                &["VSIM", "vset", "VALUES", "3", "0", "1", "0", "FILTER", ".year > 1950"],
                "['c', 'b']",
            ),
            (
                &["VSIM", "vset", "VALUES", "3", "0", "1", "0", "FILTER", ".year > 1950", "COUNT", "1"],
                "['c']",
            ),
            (&["VSIM", "vset", "ELE", "a", "COUNT", "1"], "['a']"),
            (&["VCARD", "vset"], ":3"),
            (&["VDIM", "vset"], ":3"),
            (&["VISMEMBER", "vset", "a"], ":1"),
            (&["VISMEMBER", "vset", "zz"], ":0"),
            (&["VISMEMBER", "nokey", "a"], ":0"),
            (&["VCARD", "nokey"], ":0"),
            (&["VSIM", "nokey", "ELE", "a"], "[]"),
            (&["VGETATTR", "vset", "zz"], "nil"),
            (&["VGETATTR", "nokey", "a"], "nil"),
            (&["VSETATTR", "nokey", "a", "{}"], ":0"),
            (&["VSETATTR", "vset", "zz", "{}"], ":0"),
            (&["VEMB", "nokey", "a"], "nil"),
            (&["VEMB", "vset", "zz"], "nil"),
            (&["VLINKS", "vset", "zz"], "nil"),
            (&["VINFO", "nokey"], "nil"),
            (&["VRANDMEMBER", "nokey"], "nil"),
            (&["VRANDMEMBER", "nokey", "3"], "[]"),
            (&["VRANDMEMBER", "vset", "0"], "[]"),
            (&["VRANGE", "vset", "-", "+"], "['a', 'b', 'c']"),
            (&["VRANGE", "vset", "(a", "[c", "1"], "['b']"),
            // An empty string removes the attributes.
            (&["VSETATTR", "vset", "c", ""], ":1"),
            (&["VGETATTR", "vset", "c"], "nil"),
            (&["VSIM", "vset", "VALUES", "3", "0", "1", "0", "FILTER", ".year > 1950"], "['b']"),
        ],
    );
    // Ordering by similarity, scores from 1 (same direction) to 0.
    let r = run(&mut c, &["VSIM", "vset", "VALUES", "3", "1", "1", "1", "WITHSCORES", "WITHATTRIBS"]);
    let v = r.array();
    assert_eq!(v.len(), 9, "{}", show(&r));
    assert_eq!(show(&v[0]), "'a'");
    assert!((v[1].str().parse::<f64>().unwrap() - 1.0).abs() < 0.01);
    assert_eq!(show(&v[2]), "'{\"year\": 1950}'");
    assert_eq!(show(&v[3]), "'c'");
    assert_eq!(show(&v[5]), "nil");
    assert_eq!(show(&v[6]), "'b'");
    assert!(v[7].str().parse::<f64>().unwrap() < 0.01);
    // VINFO, VEMB and VRANDMEMBER shapes.
    let info = show(&run(&mut c, &["VINFO", "vset"]));
    assert!(
        info.starts_with("[+quant-type, +int8, +hnsw-m, :16, +vector-dim, :3, +projection-input-dim, :0, +size, :3, +max-level, :"),
        "{info}"
    );
    assert!(info.contains("+attributes-count, :2, +vset-uid, :"), "{info}");
    let e = doubles(&run(&mut c, &["VEMB", "vset", "b"]));
    assert_eq!(e.len(), 3);
    assert!(e.iter().all(|x| (x + 1.0).abs() < 0.02), "{e:?}");
    let raw = run(&mut c, &["VEMB", "vset", "b", "RAW"]);
    assert_eq!(raw.array().len(), 4);
    assert_eq!(show(&raw.array()[0]), "+int8");
    assert_eq!(raw.array()[1].bytes().unwrap(), &[0x81, 0x81, 0x81]);
    let all = run(&mut c, &["VRANDMEMBER", "vset", "10"]).strings();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(sorted, ["a", "b", "c"]);
    assert_eq!(run(&mut c, &["VRANDMEMBER", "vset", "-7"]).array().len(), 7);
    assert!(["a", "b", "c"].contains(&run(&mut c, &["VRANDMEMBER", "vset"]).str().as_str()));
    // Every level lists neighbours that are members.
    let links = run(&mut c, &["VLINKS", "vset", "a"]);
    let bottom = links.array().last().map(|l| l.strings()).unwrap_or_default();
    assert_eq!(bottom.len(), 2, "{}", show(&links));
    let ws = run(&mut c, &["VLINKS", "vset", "a", "WITHSCORES"]);
    assert_eq!(ws.array().last().unwrap().array().len(), 4);
    // Updating an element's vector: 0, attributes kept.
    check(
        &mut c,
        &[
            (&["VADD", "vset", "VALUES", "3", "0", "0", "1", "a"], ":0"),
            (&["VGETATTR", "vset", "a"], "'{\"year\": 1950}'"),
            (&["VSIM", "vset", "VALUES", "3", "0", "0", "1", "COUNT", "1"], "['a']"),
            (&["VCARD", "vset"], ":3"),
        ],
    );
    let module_list = show(&run(&mut c, &["MODULE", "LIST"]));
    assert!(module_list.contains("'name', 'vectorset', 'ver', :1"), "{module_list}");
    let info = run(&mut c, &["INFO", "modules"]).str();
    assert!(
        info.contains("module:name=vectorset,ver=1,api=1,filters=0,usedby=[],using=[],options=[handle-io-errors|handle-repl-async-load]"),
        "{info}"
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
            (&["VADD", "v", "VALUES", "2", "1", "0", "x", "NOQUANT"], "#t"),
            (
                &["VADD", "v", "VALUES", "2", "0", "1", "y", "NOQUANT", "SETATTR", "{\"a\":1}"],
                "#t",
            ),
            (&["VADD", "v", "VALUES", "2", "0", "1", "y", "NOQUANT"], "#f"),
            (&["VISMEMBER", "v", "x"], "#t"),
            (&["VREM", "v", "nope"], "#f"),
            (&["VSIM", "v", "VALUES", "2", "1", "0", "WITHSCORES"], "{'x': ,1, 'y': ,0.5}"),
            (
                &["VSIM", "v", "VALUES", "2", "1", "0", "WITHATTRIBS"],
                "{'x': nil, 'y': '{\"a\":1}'}",
            ),
            (
                &["VSIM", "v", "VALUES", "2", "0", "1", "WITHSCORES", "WITHATTRIBS"],
                "{'y': [,1, '{\"a\":1}'], 'x': [,0.5, nil]}",
            ),
            (&["VSIM", "v", "VALUES", "2", "1", "0"], "['x', 'y']"),
            (&["VEMB", "v", "x"], "[,1, ,0]"),
            (&["VEMB", "v", "x", "RAW"], "[+f32, '\u{0}\u{0}\u{fffd}?\u{0}\u{0}\u{0}\u{0}', ,1]"),
            (&["VINFO", "nokey"], "nil"),
            (&["VLINKS", "v", "x", "WITHSCORES"], "[{'y': ,0.5}]"),
        ],
    );
    let info = show(&run(&mut c, &["VINFO", "v"]));
    assert!(info.starts_with("{+quant-type: +f32, +hnsw-m: :16, +vector-dim: :2, "), "{info}");
}

#[test]
fn errors_as_the_module() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["SET", "s", "x"], "+OK"),
            (&["VADD", "s", "VALUES", "1", "1", "e"], WRONGTYPE),
            (&["VSIM", "s", "ELE", "e"], WRONGTYPE),
            (&["VCARD", "s"], WRONGTYPE),
            (&["VADD", "v"], "!ERR wrong number of arguments for 'vadd' command"),
            (&["VADD", "v", "VALUES", "2", "1", "e"], "!ERR invalid vector specification"),
            (&["VADD", "v", "VALUES", "x", "1", "e"], "!ERR invalid vector specification"),
            (&["VADD", "v", "VALUES", "0", "e", "f"], "!ERR invalid vector specification"),
            (&["VADD", "v", "VALUES", "1", "nan", "e"], "!ERR invalid vector specification"),
            (&["VADD", "v", "FP32", "abc", "e"], "!ERR invalid vector specification"),
            (&["VADD", "v", "BLOB", "abc", "e"], "!ERR invalid vector specification"),
            (
                &["VADD", "v", "REDUCE", "0", "VALUES", "1", "1", "e"],
                "!ERR invalid vector specification",
            ),
            (
                &["VADD", "v", "REDUCE", "3", "VALUES", "2", "1", "1", "e"],
                "!ERR invalid vector specification",
            ),
            // Arity the handler finds wrong names the command as typed.
            (
                &["VADD", "v", "VALUES", "2", "1", "1"],
                "!ERR wrong number of arguments for 'VADD' command",
            ),
            (&["VADD", "v", "VALUES", "1", "1", "e", "EF", "0"], "!ERR invalid EF"),
            (&["VADD", "v", "VALUES", "1", "1", "e", "M", "2"], "!ERR invalid M"),
            (&["VADD", "v", "VALUES", "1", "1", "e", "FOO"], "!ERR invalid option after element"),
            (&["VADD", "v", "VALUES", "1", "1", "e", "EF"], "!ERR invalid option after element"),
            (&["VADD", "v", "VALUES", "2", "1", "0", "e"], ":1"),
            (
                &["VADD", "v", "VALUES", "3", "1", "0", "0", "f"],
                "!ERR Vector dimension mismatch - got 3 but set has 2",
            ),
            (
                &["VADD", "v", "VALUES", "2", "1", "0", "f", "NOQUANT"],
                "!ERR asked quantization mismatch with existing vector set",
            ),
            (
                &["VADD", "v", "VALUES", "2", "1", "0", "f", "M", "32"],
                "!ERR asked M value mismatch with existing vector set",
            ),
            (
                &["VADD", "v", "REDUCE", "1", "VALUES", "2", "1", "0", "f"],
                "!ERR cannot add projection to existing set without projection",
            ),
            (&["VSIM", "v", "ELE", "zz"], "!ERR element not found in set"),
            (
                &["VSIM", "v", "VALUES", "3", "1", "0", "0"],
                "!ERR Vector dimension mismatch - got 3 but set has 2",
            ),
            (&["VSIM", "v", "FOO", "1"], "!ERR invalid vector specification"),
            (&["VSIM", "v", "ELE", "e", "COUNT", "0"], "!ERR invalid COUNT"),
            (&["VSIM", "v", "ELE", "e", "EPSILON", "0"], "!ERR invalid EPSILON"),
            (&["VSIM", "v", "ELE", "e", "EF", "1000001"], "!ERR invalid EF"),
            (&["VSIM", "v", "ELE", "e", "FILTER-EF", "-1"], "!ERR invalid FILTER-EF"),
            (&["VSIM", "v", "ELE", "e", "COUNT"], "!ERR syntax error in VSIM command"),
            (&["VSIM", "v", "ELE", "e", "BOGUS"], "!ERR syntax error in VSIM command"),
            (
                &["VSIM", "v", "ELE", "e", "FILTER", ".a > > 1"],
                "!ERR syntax error in FILTER expression near: > 1",
            ),
            (
                &["VSIM", "v", "ELE", "e", "FILTER", "'open"],
                "!ERR syntax error in FILTER expression near: 'open",
            ),
            (&["VEMB", "v", "e", "RAWX"], "!ERR invalid option"),
            (&["VDIM", "nokey"], "!ERR key does not exist"),
            (&["vlinks", "v", "e", "X"], "!ERR wrong number of arguments for 'vlinks' command"),
            (&["VRANDMEMBER", "v", "x"], "!ERR COUNT value is not an integer"),
            (&["VRANGE", "v", "a", "+"], "!ERR invalid start range format"),
            (&["VRANGE", "v", "-", "b"], "!ERR invalid end range format"),
            (
                &["VRANGE", "v", "+", "-"],
                "!ERR '-' can only be used as first argument, '+' only as second",
            ),
            (&["VRANGE", "v", "-", "+", "x"], "!ERR invalid COUNT value"),
            (&["VREM", "v"], "!ERR wrong number of arguments for 'vrem' command"),
            (&["VCARD", "v"], ":1"),
        ],
    );
}

#[test]
fn reduce_projects_queries_too() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["VADD", "r", "REDUCE", "2", "VALUES", "4", "1", "2", "3", "4", "a"], ":1"),
            (&["VADD", "r", "REDUCE", "2", "VALUES", "4", "-1", "-2", "-3", "-4", "b"], ":1"),
            (&["VDIM", "r"], ":2"),
            (
                &["VADD", "r", "VALUES", "4", "1", "2", "3", "4", "c"],
                "!ERR Vector dimension mismatch - got 4 but set has 2",
            ),
            (
                &["VADD", "r", "REDUCE", "2", "VALUES", "3", "1", "2", "3", "c"],
                "!ERR Input dimension mismatch for projection - got 3 but projection expects 4",
            ),
            (&["VSIM", "r", "VALUES", "4", "1", "2", "3", "4", "COUNT", "1"], "['a']"),
            (
                &["VSIM", "r", "VALUES", "3", "1", "2", "3"],
                "!ERR Input dimension mismatch for projection - got 3 but projection expects 4",
            ),
        ],
    );
    let info = show(&run(&mut c, &["VINFO", "r"]));
    assert!(info.contains("+vector-dim, :2, +projection-input-dim, :4"), "{info}");
}

/// Deterministic clustered vectors.
fn vectors(n: usize, dim: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = XorShift::new(seed);
    let mut f = move || (rng.next_u64() % 10_000) as f32 / 10_000.0;
    let centres: Vec<Vec<f32>> = (0..10).map(|_| (0..dim).map(|_| f() * 2.0 - 1.0).collect()).collect();
    (0..n)
        .map(|i| centres[i % 10].iter().map(|x| x + (f() - 0.5) * 0.5).collect())
        .collect()
}

fn fp32(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[test]
fn recall_against_truth_with_deletes() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let data = vectors(2000, 24, 11);
    for (quant, min) in [("NOQUANT", 0.95), ("Q8", 0.93)] {
        let key = format!("k{quant}");
        for (i, v) in data.iter().enumerate() {
            let name = format!("e{i}");
            let r = c.cmd(&[b"VADD", key.as_bytes(), b"FP32", &fp32(v), name.as_bytes(), quant.as_bytes()]);
            assert_eq!(show(&r), ":1");
        }
        // Remove a third of them: the graph is repaired, not rebuilt.
        for i in (0..2000).step_by(3) {
            assert_eq!(show(&run(&mut c, &["VREM", &key, &format!("e{i}")])), ":1");
        }
        let mut hit = 0;
        let queries = vectors(40, 24, 99);
        for q in &queries {
            let blob = fp32(q);
            let got = c.cmd(&[b"VSIM", key.as_bytes(), b"FP32", &blob, b"COUNT", b"10"]).strings();
            let truth = c
                .cmd(&[b"VSIM", key.as_bytes(), b"FP32", &blob, b"COUNT", b"10", b"TRUTH"])
                .strings();
            assert_eq!(truth.len(), 10);
            hit += got.iter().filter(|g| truth.contains(g)).count();
        }
        let recall = hit as f64 / 400.0;
        assert!(recall >= min, "{quant} recall {recall}");
    }
    // BIN works, with lower recall.
    for (i, v) in data.iter().take(300).enumerate() {
        c.cmd(&[b"VADD", b"bin", b"FP32", &fp32(v), format!("e{i}").as_bytes(), b"BIN"]);
    }
    check(&mut c, &[(&["VCARD", "bin"], ":300")]);
    assert_eq!(show(&run(&mut c, &["VSIM", "bin", "ELE", "e5", "COUNT", "1"])), "['e5']");
    // EPSILON keeps only close elements.
    let near = run(
        &mut c,
        &["VSIM", "kNOQUANT", "ELE", "e1", "COUNT", "500", "EPSILON", "0.05", "WITHSCORES"],
    );
    let v = near.array();
    assert!(!v.is_empty() && v.len() < 1000);
    for p in v.chunks(2) {
        assert!(p[1].str().parse::<f64>().unwrap() >= 0.95);
    }
}

#[test]
fn filters_and_hostile_expressions() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    for i in 0..200 {
        let attr = format!(
            "{{\"n\": {i}, \"tag\": \"{}\", \"list\": [1, \"x\"]}}",
            if i % 2 == 0 { "even" } else { "odd" }
        );
        let v = [(i as f32).cos(), (i as f32).sin()];
        c.cmd(&[
            b"VADD",
            b"f",
            b"FP32",
            &fp32(&v),
            format!("e{i}").as_bytes(),
            b"SETATTR",
            attr.as_bytes(),
        ]);
    }
    let all = |c: &mut Conn, f: &str| run(c, &["VSIM", "f", "ELE", "e0", "COUNT", "1000", "FILTER", f, "FILTER-EF", "100000"]).strings();
    assert_eq!(all(&mut c, ".n < 10 and .tag == 'even'").len(), 5);
    assert_eq!(all(&mut c, ".n in [1, 2, 3] or .n ** 2 == 10000").len(), 4);
    assert_eq!(all(&mut c, "'x' in .list and not (.n >= 3)").len(), 3);
    assert_eq!(all(&mut c, "'ev' in .tag and .n % 50 == 0").len(), 4);
    assert_eq!(all(&mut c, ".missing > 1").len(), 0);
    assert_eq!(all(&mut c, "(.n + 1) * 2 - 2 == 2 * .n and .n / 2 == 3").len(), 1);
    // TRUTH with a filter agrees.
    let t = run(&mut c, &["VSIM", "f", "ELE", "e0", "COUNT", "1000", "FILTER", ".n < 10", "TRUTH"]).strings();
    assert_eq!(t.len(), 10);
    // Hostile expressions: errors or results, never a crash.
    let deep = "(".repeat(100_000) + "1" + &")".repeat(100_000);
    let nots = "!".repeat(50_000) + "1";
    let big = "9".repeat(10_000);
    for f in [
        deep.as_str(),
        &nots,
        &big,
        "'unterminated",
        "\"",
        ".",
        "[",
        "[1,",
        "1 in",
        "** 2",
        "\u{0}",
        "1e999 > 1",
    ] {
        let r = c.cmd(&[b"VSIM", b"f", b"ELE", b"e0", b"FILTER", f.as_bytes()]);
        if r.is_error() {
            assert!(r.str().starts_with("ERR syntax error in FILTER expression near: "), "{}", r.str());
        }
    }
    // Hostile attributes.
    let deep_json = "[".repeat(100_000);
    check(&mut c, &[(&["VSETATTR", "f", "e0", &deep_json], ":1")]);
    assert_eq!(all(&mut c, ".n == 0").len(), 0);
    check(&mut c, &[(&["PING"], "+PONG")]);
}

fn snapshot(c: &mut Conn) -> String {
    let mut out = String::new();
    for k in ["p", "q8", "bin"] {
        out += &show(&run(c, &["VCARD", k]));
        out += &show(&run(c, &["VRANGE", k, "-", "+"]));
        for e in ["e0", "e7", "e33"] {
            out += &show(&run(c, &["VEMB", k, e, "RAW"]));
            out += &show(&run(c, &["VGETATTR", k, e]));
        }
        out += &show(&run(c, &["VSIM", k, "ELE", "e7", "COUNT", "5", "TRUTH"]));
        let info = show(&run(c, &["VINFO", k]));
        out += &info[..info.find("+max-level").unwrap_or(0)];
    }
    out
}

#[test]
fn persistence_reload_dump_restore_aof_restart() {
    let dir = Server::scratch_dir("vectorset");
    let srv = Server::start_with(&server_bin(), Some(&dir), &["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    let data = vectors(60, 8, 5);
    for (i, v) in data.iter().enumerate() {
        let name = format!("e{i}");
        let attr = format!("{{\"i\": {i}}}");
        c.cmd(&[
            b"VADD",
            b"p",
            b"FP32",
            &fp32(v),
            name.as_bytes(),
            b"NOQUANT",
            b"M",
            b"8",
            b"SETATTR",
            attr.as_bytes(),
        ]);
        c.cmd(&[b"VADD", b"q8", b"FP32", &fp32(v), name.as_bytes()]);
        c.cmd(&[b"VADD", b"bin", b"FP32", &fp32(v), name.as_bytes(), b"BIN"]);
    }
    let want = snapshot(&mut c);
    assert!(want.contains("+hnsw-m, :8"), "{want}");
    check(&mut c, &[(&["DEBUG", "RELOAD"], "+OK")]);
    assert_eq!(snapshot(&mut c), want);
    for k in ["p", "q8", "bin"] {
        let d = run(&mut c, &["DUMP", k]).bytes().unwrap_or_default().to_vec();
        check(&mut c, &[(&["DEL", k], ":1")]);
        assert_eq!(show(&c.cmd(&[b"RESTORE", k.as_bytes(), b"0", &d])), "+OK");
    }
    assert_eq!(snapshot(&mut c), want);
    reload_from_command_aof(&mut c);
    assert_eq!(snapshot(&mut c), want);
    check(&mut c, &[(&["CONFIG", "SET", "appendonly", "no"], "+OK"), (&["SAVE"], "+OK")]);
    drop(c);
    drop(srv);
    let srv = Server::start_with(&server_bin(), Some(&dir), &[]);
    let mut c = srv.conn();
    assert_eq!(snapshot(&mut c), want);
    // A damaged payload is refused, never loaded half.
    let d = run(&mut c, &["DUMP", "q8"]).bytes().unwrap_or_default().to_vec();
    for cut in [5, d.len() / 2, d.len() - 12] {
        let mut p = d[..cut].to_vec();
        p.extend_from_slice(&d[d.len() - 10..]);
        let r = c.cmd(&[b"RESTORE", b"bad", b"0", &p]);
        assert!(r.is_error(), "{}", show(&r));
    }
    check(&mut c, &[(&["EXISTS", "bad"], ":0"), (&["PING"], "+PONG")]);
    drop(c);
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replication_carries_the_commands() {
    let master = Server::start(&[]);
    let replica = Server::start(&[]);
    let mut m = master.conn();
    let mut r = replica.conn();
    check(
        &mut m,
        &[(&["VADD", "v", "VALUES", "2", "1", "0", "a", "SETATTR", "{\"x\":1}"], ":1")],
    );
    let port = master.port().to_string();
    check(&mut r, &[(&["REPLICAOF", "127.0.0.1", &port], "+OK")]);
    wait_until("the link", || {
        run(&mut r, &["INFO", "replication"])
            .str()
            .lines()
            .any(|l| l == "master_link_status:up")
    });
    for i in 0..50 {
        let (x, y) = ((i as f32).cos().to_string(), (i as f32).sin().to_string());
        run(&mut m, &["VADD", "v", "VALUES", "2", &x, &y, &format!("e{i}")]);
    }
    check(
        &mut m,
        &[
            (&["VREM", "v", "e3"], ":1"),
            (&["VSETATTR", "v", "e4", "{\"y\":2}"], ":1"),
            (&["VADD", "v", "VALUES", "2", "0", "1", "a"], ":0"),
        ],
    );
    let offset = |c: &mut Conn, f: &str| {
        run(c, &["INFO", "replication"])
            .str()
            .lines()
            .find_map(|l| l.strip_prefix(f).map(str::to_string))
    };
    wait_until("the replica to catch up", || {
        offset(&mut m, "master_repl_offset:") == offset(&mut r, "slave_repl_offset:")
    });
    for cmd in [
        &["VCARD", "v"][..],
        &["VRANGE", "v", "-", "+"],
        &["VGETATTR", "v", "e4"],
        &["VGETATTR", "v", "a"],
        &["VEMB", "v", "a", "RAW"],
        &["VSIM", "v", "ELE", "e10", "COUNT", "5", "TRUTH"],
    ] {
        assert_eq!(show(&run(&mut r, cmd)), show(&run(&mut m, cmd)), "{cmd:?}");
    }
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !cond() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
