//! TS.* commands (RedisTimeSeries 1.12, built in): single series —
//! create/alter/add/madd/incrby/decrby/del/get/range/revrange/info.
//! Expected replies are the module's texts and shapes (RESP2 sample
//! values are simple strings, RESP3 doubles; TS.INFO is a flat array or
//! a map). memoryUsage is ours (different chunk layout), so tests mask it.

use redis_compat_tests::*;

/// `show` with TS.INFO's memoryUsage value masked.
fn info(c: &mut Conn, key: &str) -> String {
    let s = show(&run(c, &["TS.INFO", key]));
    let Some(i) = s.find("+memoryUsage") else {
        return s;
    };
    // "+memoryUsage, :123" (RESP2) or "+memoryUsage: :123" (RESP3).
    let head = i + "+memoryUsage".len() + 3;
    let end = s[head..].find(|ch: char| !ch.is_ascii_digit()).map_or(s.len(), |p| head + p);
    let n: i64 = s[head..end].parse().unwrap_or(0);
    assert!(n > 0, "memoryUsage {n}");
    format!("{}MEM{}", &s[..head], &s[end..])
}

#[test]
fn create_add_get_range_resp2() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (
                &["TS.CREATE", "t", "RETENTION", "0", "LABELS", "city", "tlv", "kind", "temp"],
                "+OK",
            ),
            (&["TS.CREATE", "t"], "!ERR TSDB: key already exists"),
            (&["TYPE", "t"], "+TSDB-TYPE"),
            (&["TS.GET", "t"], "[]"),
            (&["TS.ADD", "t", "1000", "20.5"], ":1000"),
            (&["TS.ADD", "t", "2000", "21"], ":2000"),
            (&["TS.ADD", "t", "3000", "100"], ":3000"),
            (&["TS.ADD", "t", "4000", "0.5"], ":4000"),
            (&["TS.GET", "t"], "[:4000, +5E-1]"),
            (
                &["TS.RANGE", "t", "-", "+"],
                "[[:1000, +20.5], [:2000, +21], [:3000, +100], [:4000, +5E-1]]",
            ),
            (&["TS.REVRANGE", "t", "-", "+", "COUNT", "2"], "[[:4000, +5E-1], [:3000, +100]]"),
            (&["TS.RANGE", "t", "1500", "3000"], "[[:2000, +21], [:3000, +100]]"),
            (
                &["TS.RANGE", "t", "-", "+", "FILTER_BY_TS", "3000", "1000", "999"],
                "[[:1000, +20.5], [:3000, +100]]",
            ),
            (
                &["TS.RANGE", "t", "-", "+", "FILTER_BY_VALUE", "20", "30"],
                "[[:1000, +20.5], [:2000, +21]]",
            ),
            // BLOCK is the default duplicate policy.
            (
                &["TS.ADD", "t", "2000", "5"],
                "!ERR TSDB: Error at upsert, update is not supported when DUPLICATE_POLICY is set to BLOCK mode",
            ),
            (&["TS.ADD", "t", "2000", "5", "ON_DUPLICATE", "SUM"], ":2000"),
            (&["TS.ADD", "t", "2000", "1", "ON_DUPLICATE", "max"], ":2000"),
            (&["TS.ADD", "t", "2000", "1", "ON_DUPLICATE", "FIRST"], ":2000"),
            (&["TS.RANGE", "t", "2000", "2000"], "[[:2000, +26]]"),
            (&["TS.ADD", "t", "2000", "1", "ON_DUPLICATE", "MIN"], ":2000"),
            (
                &["TS.ADD", "t", "2500", "7", "ON_DUPLICATE", "nope"],
                "!ERR TSDB: Unknown DUPLICATE_POLICY",
            ),
            // Out of order inserts land in place.
            (&["TS.ADD", "t", "1500", "3"], ":1500"),
            (&["TS.RANGE", "t", "-", "2000"], "[[:1000, +20.5], [:1500, +3], [:2000, +1]]"),
            (&["TS.DEL", "t", "1200", "2500"], ":2"),
            (&["TS.DEL", "t", "-", "+"], ":3"),
            (&["TS.GET", "t"], "[]"),
            (&["TS.RANGE", "t", "-", "+"], "[]"),
        ],
    );
}

#[test]
fn info_resp2_and_resp3() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (
                &[
                    "TS.CREATE",
                    "t",
                    "RETENTION",
                    "60000",
                    "CHUNK_SIZE",
                    "128",
                    "DUPLICATE_POLICY",
                    "LAST",
                    "ENCODING",
                    "UNCOMPRESSED",
                    "LABELS",
                    "a",
                    "1",
                ],
                "+OK",
            ),
            (&["TS.ADD", "t", "10", "1"], ":10"),
            (&["TS.ADD", "t", "20", "2"], ":20"),
        ],
    );
    assert_eq!(
        info(&mut c, "t"),
        "[+totalSamples, :2, +memoryUsage, :MEM, +firstTimestamp, :10, +lastTimestamp, :20, +retentionTime, :60000, +chunkCount, :1, +chunkSize, :128, +chunkType, +uncompressed, +duplicatePolicy, +last, +labels, [['a', '1']], +sourceKey, nil, +rules, [], +ignoreMaxTimeDiff, :0, +ignoreMaxValDiff, '0']"
    );
    check(&mut c, &[(&["TS.ALTER", "t", "IGNORE", "5", "0.5", "LABELS"], "+OK")]);
    assert!(info(&mut c, "t").ends_with("+labels, [], +sourceKey, nil, +rules, [], +ignoreMaxTimeDiff, :5, +ignoreMaxValDiff, '0.5']"));
    check(&mut c, &[(&["TS.CREATE", "c"], "+OK")]);
    assert_eq!(
        info(&mut c, "c"),
        "[+totalSamples, :0, +memoryUsage, :MEM, +firstTimestamp, :0, +lastTimestamp, :0, +retentionTime, :0, +chunkCount, :1, +chunkSize, :4096, +chunkType, +compressed, +duplicatePolicy, nil, +labels, [], +sourceKey, nil, +rules, [], +ignoreMaxTimeDiff, :0, +ignoreMaxValDiff, '0']"
    );
    assert!(!run(&mut c, &["HELLO", "3"]).is_error());
    assert_eq!(
        info(&mut c, "t"),
        "{+totalSamples: :2, +memoryUsage: :MEM, +firstTimestamp: :10, +lastTimestamp: :20, +retentionTime: :60000, +chunkCount: :1, +chunkSize: :128, +chunkType: +uncompressed, +duplicatePolicy: +last, +labels: {}, +sourceKey: nil, +rules: {}, +ignoreMaxTimeDiff: :5, +ignoreMaxValDiff: ,0.5}"
    );
    check(
        &mut c,
        &[
            (&["TS.GET", "t"], "[:20, ,2]"),
            (&["TS.RANGE", "t", "-", "+"], "[[:10, ,1], [:20, ,2]]"),
            (&["TS.ADD", "t", "30", "0.25"], ":30"),
            (&["TS.GET", "t"], "[:30, ,0.25]"),
        ],
    );
    let d = show(&run(&mut c, &["TS.INFO", "t", "DEBUG"]));
    assert!(
        d.contains(
            "+keySelfName: 't', +Chunks: [{+startTimestamp: :10, +endTimestamp: :30, +samples: :3, +size: :48, +bytesPerSample: ,16}]"
        ),
        "{d}"
    );
}

#[test]
fn aggregation() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    for (t, v) in [(1, "1"), (2, "3"), (11, "5"), (15, "7"), (35, "2")] {
        run(&mut c, &["TS.ADD", "s", &t.to_string(), v]);
    }
    check(
        &mut c,
        &[
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "avg", "10"],
                "[[:0, +2], [:10, +6], [:30, +2]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "sum", "10"],
                "[[:0, +4], [:10, +12], [:30, +2]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "min", "10"],
                "[[:0, +1], [:10, +5], [:30, +2]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "max", "10"],
                "[[:0, +3], [:10, +7], [:30, +2]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "range", "10"],
                "[[:0, +2], [:10, +2], [:30, +0]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "count", "10"],
                "[[:0, +2], [:10, +2], [:30, +1]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "first", "10"],
                "[[:0, +1], [:10, +5], [:30, +2]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "last", "10"],
                "[[:0, +3], [:10, +7], [:30, +2]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "var.p", "10"],
                "[[:0, +1], [:10, +1], [:30, +0]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "var.s", "10"],
                "[[:0, +2], [:10, +2], [:30, +0]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "std.p", "10"],
                "[[:0, +1], [:10, +1], [:30, +0]]",
            ),
            (
                &["TS.REVRANGE", "s", "-", "+", "AGGREGATION", "sum", "10"],
                "[[:30, +2], [:10, +12], [:0, +4]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "sum", "10", "EMPTY"],
                "[[:0, +4], [:10, +12], [:20, +0], [:30, +2]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "max", "10", "EMPTY"],
                "[[:0, +3], [:10, +7], [:20, +NaN], [:30, +2]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "last", "10", "EMPTY"],
                "[[:0, +3], [:10, +7], [:20, +7], [:30, +2]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "sum", "10", "BUCKETTIMESTAMP", "+"],
                "[[:10, +4], [:20, +12], [:40, +2]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "sum", "10", "BUCKETTIMESTAMP", "mid"],
                "[[:5, +4], [:15, +12], [:35, +2]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "ALIGN", "5", "AGGREGATION", "sum", "10"],
                "[[:0, +4], [:5, +5], [:15, +7], [:35, +2]]",
            ),
            (
                &["TS.RANGE", "s", "2", "+", "ALIGN", "start", "AGGREGATION", "count", "10"],
                "[[:2, +2], [:12, +1], [:32, +1]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "sum", "10", "COUNT", "2"],
                "[[:0, +4], [:10, +12]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "COUNT", "1", "AGGREGATION", "count", "10"],
                "[[:0, +2]]",
            ),
            (
                &["TS.RANGE", "s", "-", "+", "AGGREGATION", "twa", "100"],
                "[[:0, +4.470588235294118]]",
            ),
        ],
    );
}

#[test]
fn errors_are_the_modules() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["SET", "str", "x"], "+OK"),
            (&["TS.ADD", "t"], "!ERR wrong number of arguments for 'TS.ADD' command"),
            (&["TS.ADD", "t", "1", "abc"], "!ERR TSDB: invalid value"),
            (&["TS.ADD", "t", "x", "1"], "!ERR TSDB: invalid timestamp"),
            (
                &["TS.ADD", "t", "-1", "1"],
                "!ERR TSDB: invalid timestamp, must be a nonnegative integer",
            ),
            (&["TS.ADD", "str", "1", "1"], "!ERR TSDB: the key is not a TSDB key"),
            (
                &["TS.GET", "str"],
                "!ERR WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (&["TS.GET", "nokey"], "!ERR TSDB: the key does not exist"),
            (&["TS.CREATE", "t", "RETENTION", "x"], "!ERR TSDB: Couldn't parse RETENTION"),
            (&["TS.CREATE", "t", "RETENTION", "-1"], "!TSDB: Couldn't parse RETENTION"),
            (&["TS.CREATE", "t", "RETENTION"], "!ERR TSDB: Couldn't parse RETENTION"),
            (
                &["TS.CREATE", "t", "CHUNK_SIZE", "47"],
                "!ERR TSDB: CHUNK_SIZE value must be a multiple of 8 in the range [48 .. 1048576]",
            ),
            (&["TS.CREATE", "t", "CHUNK_SIZE", "x"], "!ERR TSDB: Couldn't parse CHUNK_SIZE"),
            (&["TS.CREATE", "t", "ENCODING", "zip"], "!ERR TSDB: unknown ENCODING parameter"),
            (&["TS.CREATE", "t", "DUPLICATE_POLICY", "x"], "!ERR TSDB: Unknown DUPLICATE_POLICY"),
            (&["TS.CREATE", "t", "LABELS", "a", "(b)"], "!ERR TSDB: Couldn't parse LABELS"),
            (&["TS.CREATE", "t", "LABELS", "a", ""], "!ERR TSDB: Couldn't parse LABELS"),
            (&["TS.CREATE", "t", "IGNORE", "1"], "!ERR TSDB: Couldn't parse IGNORE"),
            (
                &["TS.CREATE", "t", "IGNORE", "-1", "1"],
                "!ERR TSDB: IGNORE arguments cannot be negative",
            ),
            (&["TS.CREATE", "t"], "+OK"),
            (&["TS.RANGE", "t", "x", "+"], "!ERR TSDB: wrong fromTimestamp"),
            (&["TS.RANGE", "t", "-", "y"], "!ERR TSDB: wrong toTimestamp"),
            (&["TS.RANGE", "t", "-", "+", "COUNT"], "!ERR TSDB: COUNT argument is missing"),
            (&["TS.RANGE", "t", "-", "+", "COUNT", "0"], "!ERR TSDB: Invalid COUNT value"),
            (
                &["TS.RANGE", "t", "-", "+", "AGGREGATION", "foo", "10"],
                "!ERR TSDB: Unknown aggregation type",
            ),
            (
                &["TS.RANGE", "t", "-", "+", "AGGREGATION", "avg", "0"],
                "!ERR TSDB: bucketDuration must be greater than zero",
            ),
            (
                &["TS.RANGE", "t", "-", "+", "AGGREGATION", "avg"],
                "!ERR TSDB: Couldn't parse AGGREGATION",
            ),
            (
                &["TS.RANGE", "t", "-", "+", "ALIGN", "start"],
                "!ERR TSDB: ALIGN parameter can only be used with AGGREGATION",
            ),
            (
                &["TS.RANGE", "t", "-", "+", "ALIGN", "start", "AGGREGATION", "avg", "5"],
                "!ERR TSDB: start alignment can only be used with explicit start timestamp",
            ),
            (
                &["TS.RANGE", "t", "0", "+", "ALIGN", "end", "AGGREGATION", "avg", "5"],
                "!ERR TSDB: end alignment can only be used with explicit end timestamp",
            ),
            (
                &["TS.RANGE", "t", "0", "+", "ALIGN", "zz", "AGGREGATION", "avg", "5"],
                "!ERR TSDB: unknown ALIGN parameter",
            ),
            (
                &["TS.RANGE", "t", "-", "+", "FILTER_BY_VALUE", "1"],
                "!ERR TSDB: FILTER_BY_VALUE one or more arguments are missing",
            ),
            (
                &["TS.RANGE", "t", "-", "+", "FILTER_BY_TS", "x"],
                "!ERR TSDB: FILTER_BY_TS one or more arguments are missing",
            ),
            (
                &["TS.RANGE", "t", "-", "+", "AGGREGATION", "avg", "5", "BUCKETTIMESTAMP", "x"],
                "!ERR TSDB: unknown BUCKETTIMESTAMP parameter",
            ),
            (
                &["TS.RANGE", "t", "-", "+", "AGGREGATION", "avg", "5", "FOO", "EMPTY"],
                "!ERR TSDB: EMPTY flag should be the 3rd or 5th flag after AGGREGATION flag",
            ),
            (&["TS.GET", "t", "x"], "!ERR TSDB: wrong 3rd argument"),
            (&["TS.INCRBY", "t", "x"], "!ERR TSDB: invalid increase/decrease value"),
            (&["TS.ADD", "t", "100", "1"], ":100"),
            (
                &["TS.INCRBY", "t", "1", "TIMESTAMP", "50"],
                "!TSDB: timestamp must be equal to or higher than the maximum existing timestamp",
            ),
            (&["TS.MADD", "t", "1"], "!ERR wrong number of arguments for 'TS.MADD' command"),
            (&["TS.ALTER", "nokey", "RETENTION", "1"], "!ERR TSDB: the key does not exist"),
        ],
    );
}

#[test]
fn incrby_madd_retention_ignore() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["TS.INCRBY", "n", "5", "TIMESTAMP", "10"], ":10"),
            (&["TS.INCRBY", "n", "2.5", "TIMESTAMP", "10"], ":10"),
            (&["TS.DECRBY", "n", "1", "TIMESTAMP", "20"], ":20"),
            (&["TS.RANGE", "n", "-", "+"], "[[:10, +7.5], [:20, +6.5]]"),
            (&["TS.CREATE", "m"], "+OK"),
            (&["SET", "str", "x"], "+OK"),
            (
                &[
                    "TS.MADD", "m", "1", "1", "m", "2", "x", "nokey", "1", "1", "str", "1", "1", "m", "3", "3",
                ],
                "[:1, !ERR TSDB: invalid value, !ERR TSDB: the key is not a TSDB key, !ERR TSDB: the key is not a TSDB key, :3]",
            ),
            (
                &["TS.CREATE", "r", "RETENTION", "100", "CHUNK_SIZE", "48", "ENCODING", "UNCOMPRESSED"],
                "+OK",
            ),
        ],
    );
    for t in 0..50 {
        run(&mut c, &["TS.ADD", "r", &(t * 10).to_string(), "1"]);
    }
    check(
        &mut c,
        &[
            (&["TS.RANGE", "r", "-", "+"], "[[:390, +1], [:400, +1], [:410, +1], [:420, +1], [:430, +1], [:440, +1], [:450, +1], [:460, +1], [:470, +1], [:480, +1], [:490, +1]]"),
            (&["TS.ADD", "r", "100", "1"], "!ERR TSDB: Timestamp is older than retention"),
            (&["TS.CREATE", "i", "IGNORE", "10", "0.5", "DUPLICATE_POLICY", "LAST"], "+OK"),
            (&["TS.ADD", "i", "100", "1"], ":100"),
            (&["TS.ADD", "i", "105", "1.4"], ":100"),
            (&["TS.ADD", "i", "111", "1.4"], ":111"),
            (&["TS.ADD", "i", "115", "3"], ":115"),
            (&["TS.RANGE", "i", "-", "+"], "[[:100, +1], [:111, +1.4], [:115, +3]]"),
        ],
    );
    let r = info(&mut c, "r");
    assert!(r.starts_with("[+totalSamples, :11,"), "{r}");
    assert!(r.contains("+firstTimestamp, :390,"), "{r}");
}

#[test]
fn hostile_input_and_persistence() {
    let dir = Server::scratch_dir("ts");
    let srv = Server::start_with(&server_bin(), Some(&dir), &["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    let mut rng = XorShift::new(42);
    let words = [
        "-",
        "+",
        "0",
        "1",
        "-1",
        "9223372036854775807",
        "AGGREGATION",
        "avg",
        "twa",
        "COUNT",
        "ALIGN",
        "EMPTY",
        "BUCKETTIMESTAMP",
        "FILTER_BY_TS",
        "FILTER_BY_VALUE",
        "LABELS",
        "RETENTION",
        "CHUNK_SIZE",
        "IGNORE",
        "ON_DUPLICATE",
        "TIMESTAMP",
        "1e308",
        "nan",
        "",
        "x",
    ];
    let cmds = [
        "TS.ADD",
        "TS.RANGE",
        "TS.REVRANGE",
        "TS.CREATE",
        "TS.ALTER",
        "TS.INCRBY",
        "TS.DEL",
        "TS.GET",
        "TS.INFO",
        "TS.MADD",
    ];
    for _ in 0..3000 {
        let mut a = vec![*rng.pick(&cmds), "k"];
        for _ in 0..rng.below(9) {
            a.push(*rng.pick(&words));
        }
        let _ = run(&mut c, &a);
    }
    check(&mut c, &[(&["PING"], "+PONG")]);
    run(&mut c, &["DEL", "k"]);
    check(
        &mut c,
        &[(&["TS.CREATE", "a", "LABELS", "x", "y", "DUPLICATE_POLICY", "SUM"], "+OK")],
    );
    for i in 0..5000u64 {
        run(
            &mut c,
            &["TS.ADD", "a", &(i * 7 + (i % 3)).to_string(), &format!("{}.{}", i % 97, i % 10)],
        );
    }
    run(&mut c, &["TS.ADD", "a", "500", "3.25"]);
    let all = show(&run(&mut c, &["TS.RANGE", "a", "-", "+"]));
    let inf = info(&mut c, "a");
    let check_all = |c: &mut Conn| {
        assert_eq!(show(&run(c, &["TS.RANGE", "a", "-", "+"])), all);
        assert_eq!(info(c, "a"), inf);
    };
    check(&mut c, &[(&["DEBUG", "RELOAD"], "+OK")]);
    check_all(&mut c);
    let d = run(&mut c, &["DUMP", "a"]).bytes().unwrap_or_default().to_vec();
    check(&mut c, &[(&["DEL", "a"], ":1")]);
    assert_eq!(show(&c.cmd(&[b"RESTORE", b"a", b"0", &d])), "+OK");
    check_all(&mut c);
    // Truncated and bit-flipped payloads are refused, never crash.
    check(&mut c, &[(&["DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"], "+OK")]);
    for n in [1, 5, 11, 30, d.len() / 2, d.len() - 11] {
        let mut p = d[..n].to_vec();
        p.extend_from_slice(&d[d.len() - 10..]);
        assert!(c.cmd(&[b"RESTORE", b"bad", b"0", &p]).is_error());
    }
    for i in 0..200 {
        let mut p = d.clone();
        let at = rng.below(p.len() - 10);
        p[at] ^= 1 << (i % 8);
        let _ = c.cmd(&[b"RESTORE", b"bad", b"0", b"REPLACE", &p]);
    }
    check(&mut c, &[(&["PING"], "+PONG")]);
    reload_from_command_aof(&mut c);
    check_all(&mut c);
    drop(c);
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}

/// EMPTY over a 1e12 ms gap with 1 ms buckets: COUNT bounds the work
/// (forward keeps the first buckets, REVRANGE the last ones), and the
/// server answers at once instead of filling a trillion buckets.
#[test]
fn empty_fill_over_a_huge_gap_stops_at_count() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["TS.ADD", "g", "0", "1"], ":0"),
            (&["TS.ADD", "g", "1000000000000", "2"], ":1000000000000"),
            (
                &["TS.RANGE", "g", "-", "+", "AGGREGATION", "sum", "1", "EMPTY", "COUNT", "3"],
                "[[:0, +1], [:1, +0], [:2, +0]]",
            ),
            (
                &["TS.REVRANGE", "g", "-", "+", "COUNT", "3", "AGGREGATION", "sum", "1", "EMPTY"],
                "[[:1000000000000, +2], [:999999999999, +0], [:999999999998, +0]]",
            ),
            (
                &["TS.RANGE", "g", "-", "+", "AGGREGATION", "last", "1", "EMPTY", "COUNT", "2"],
                "[[:0, +1], [:1, +1]]",
            ),
            (&["PING"], "+PONG"),
        ],
    );
}

fn labelled(c: &mut Conn) {
    check(
        c,
        &[
            (&["TS.CREATE", "a", "LABELS", "city", "tlv", "kind", "temp"], "+OK"),
            (&["TS.CREATE", "b", "LABELS", "city", "nyc", "kind", "temp"], "+OK"),
            (&["TS.CREATE", "c", "LABELS", "city", "tlv"], "+OK"),
            (&["TS.CREATE", "d"], "+OK"),
            (&["SET", "s", "x"], "+OK"),
            (&["TS.ADD", "a", "10", "1.5"], ":10"),
            (&["TS.ADD", "b", "20", "2"], ":20"),
        ],
    );
}

#[test]
fn queryindex_and_mget_filters() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    labelled(&mut c);
    check(
        &mut c,
        &[
            (&["TS.QUERYINDEX", "city=tlv"], "['a', 'c']"),
            (&["TS.QUERYINDEX", "city=tlv", "kind="], "['c']"),
            (&["TS.QUERYINDEX", "city=tlv", "kind!="], "['a']"),
            (&["TS.QUERYINDEX", "city!=tlv", "kind=temp"], "['b']"),
            (&["TS.QUERYINDEX", "city=(nyc,tlv)"], "['a', 'b', 'c']"),
            (&["TS.QUERYINDEX", "city=(nyc,tlv)", "kind!=(temp)"], "['c']"),
            (&["TS.QUERYINDEX", "kind=temp", "city!=(nyc)"], "['a']"),
            (&["TS.QUERYINDEX", "city=()"], "[]"),
            (&["TS.QUERYINDEX", "city==tlv"], "['a', 'c']"),
            (&["TS.QUERYINDEX", "city=lon"], "[]"),
            (&["TS.QUERYINDEX", "city!=tlv"], "!ERR TSDB: please provide at least one matcher"),
            (
                &["TS.QUERYINDEX", "city=", "kind!="],
                "!ERR TSDB: please provide at least one matcher",
            ),
            (&["TS.QUERYINDEX", "city"], "!ERR TSDB: failed parsing labels"),
            (&["TS.QUERYINDEX", "city=(a,,b)"], "!ERR TSDB: failed parsing labels"),
            (&["TS.QUERYINDEX", "city=(a"], "!ERR TSDB: failed parsing labels"),
            (&["TS.QUERYINDEX"], "!ERR wrong number of arguments for 'TS.QUERYINDEX' command"),
            (
                &["TS.MGET", "FILTER", "kind=temp"],
                "[['a', [], [:10, +1.5]], ['b', [], [:20, +2]]]",
            ),
            (&["TS.MGET", "FILTER", "city=tlv", "kind="], "[['c', [], []]]"),
            (
                &["TS.MGET", "WITHLABELS", "FILTER", "city=nyc"],
                "[['b', [['city', 'nyc'], ['kind', 'temp']], [:20, +2]]]",
            ),
            (
                &["TS.MGET", "SELECTED_LABELS", "kind", "zone", "FILTER", "city=tlv"],
                "[['a', [['kind', 'temp'], ['zone', nil]], [:10, +1.5]], ['c', [['kind', nil], ['zone', nil]], []]]",
            ),
            (&["TS.MGET", "LATEST", "FILTER", "city=nyc"], "[['b', [], [:20, +2]]]"),
            (
                &["TS.MGET", "WITHLABELS", "SELECTED_LABELS", "x", "FILTER", "city=nyc"],
                "!ERR TSDB: cannot accept WITHLABELS and SELECT_LABELS together",
            ),
            (
                &["TS.MGET", "SELECTED_LABELS", "FILTER", "city=nyc"],
                "!ERR TSDB: SELECT_LABELS should have at least 1 parameter",
            ),
            (&["TS.MGET", "FILTER", "city!=x"], "!ERR TSDB: please provide at least one matcher"),
            (&["TS.MGET", "FILTER", "city"], "!ERR TSDB: failed parsing labels"),
            (
                &["TS.MGET", "city=x", "y=z"],
                "!ERR wrong number of arguments for 'TS.MGET' command",
            ),
            (&["TS.MGET", "FILTER"], "!ERR wrong number of arguments for 'TS.MGET' command"),
        ],
    );
    assert!(!run(&mut c, &["HELLO", "3"]).is_error());
    check(
        &mut c,
        &[
            (&["TS.QUERYINDEX", "city=tlv"], "['a', 'c']"),
            (
                &["TS.MGET", "WITHLABELS", "FILTER", "city=(nyc,tlv)", "kind!="],
                "{'a': [{'city': 'tlv', 'kind': 'temp'}, [:10, ,1.5]], 'b': [{'city': 'nyc', 'kind': 'temp'}, [:20, ,2]]}",
            ),
            (&["TS.MGET", "FILTER", "city=tlv", "kind="], "{'c': [{}, []]}"),
        ],
    );
}

/// The selection follows every way a key can come and go: delete, expiry,
/// RENAME, MOVE, SWAPDB, FLUSHDB, TS.ALTER LABELS, a value replaced by
/// another type, and a restart from the RDB file.
#[test]
fn filters_follow_the_keyspace() {
    let srv = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    labelled(&mut c);
    check(
        &mut c,
        &[
            (&["RENAME", "a", "a2"], "+OK"),
            (&["TS.QUERYINDEX", "city=tlv"], "['a2', 'c']"),
            (&["MOVE", "c", "1"], ":1"),
            (&["TS.QUERYINDEX", "city=tlv"], "['a2']"),
            (&["TS.ALTER", "b", "LABELS", "city", "tlv"], "+OK"),
            (&["TS.QUERYINDEX", "city=tlv"], "['a2', 'b']"),
            (&["TS.QUERYINDEX", "kind=temp"], "['a2']"),
            (&["SET", "b", "str"], "+OK"),
            (&["TS.QUERYINDEX", "city=tlv"], "['a2']"),
            (&["SWAPDB", "0", "1"], "+OK"),
            (&["TS.QUERYINDEX", "city=tlv"], "['c']"),
            (&["SWAPDB", "0", "1"], "+OK"),
            (&["PEXPIRE", "a2", "1"], ":1"),
            (&["DEBUG", "SLEEP", "0.01"], "+OK"),
            (&["TS.QUERYINDEX", "city=tlv"], "[]"),
            (&["SELECT", "1"], "+OK"),
            (&["TS.QUERYINDEX", "city=tlv"], "['c']"),
            (&["DEBUG", "RELOAD"], "+OK"),
            (&["TS.QUERYINDEX", "city=tlv"], "['c']"),
            (&["DEL", "c"], ":1"),
            (&["TS.QUERYINDEX", "city=tlv"], "[]"),
            (&["SELECT", "0"], "+OK"),
            (&["TS.CREATE", "n", "LABELS", "city", "tlv"], "+OK"),
            (&["FLUSHDB"], "+OK"),
            (&["TS.QUERYINDEX", "city=tlv"], "[]"),
        ],
    );
}

/// Model test: random creates, deletes, renames, moves, label changes,
/// overwrites, swaps and flushes over two databases; after each step a
/// random filter's answer equals the one computed from a model of the
/// keyspace.
#[test]
fn filters_agree_with_a_model_of_the_keyspace() {
    use std::collections::BTreeMap;
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let mut seed: u64 = 0x5eed_1234_abcd_0001;
    let mut rnd = move |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    type Labels = Vec<(String, String)>;
    let mut model: [BTreeMap<String, Option<Labels>>; 2] = [BTreeMap::new(), BTreeMap::new()];
    let mut cur = 0usize;
    let mut hits = 0;
    let names = ["la", "lb", "lc"];
    let vals = ["x", "y", "z"];
    for step in 0..600 {
        let key = format!("k{}", rnd(12));
        let op = rnd(100);
        if op < 35 {
            let mut labels: Labels = Vec::new();
            for n in names {
                if rnd(3) > 0 {
                    labels.push((n.to_string(), vals[rnd(3) as usize].to_string()));
                }
            }
            let mut args: Vec<String> = vec!["TS.CREATE".into(), key.clone(), "LABELS".into()];
            for (k, v) in &labels {
                args.extend([k.clone(), v.clone()]);
            }
            let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
            let r = run(&mut c, &a);
            match model[cur].entry(key) {
                std::collections::btree_map::Entry::Occupied(_) => assert!(r.is_error()),
                std::collections::btree_map::Entry::Vacant(e) => {
                    assert!(!r.is_error(), "{}", show(&r));
                    e.insert(Some(labels));
                }
            }
        } else if op < 50 {
            run(&mut c, &["DEL", &key]);
            model[cur].remove(&key);
        } else if op < 60 {
            let to = format!("k{}", rnd(12));
            let r = run(&mut c, &["RENAME", &key, &to]);
            if let Some(v) = model[cur].remove(&key) {
                assert!(!r.is_error());
                model[cur].insert(to, v);
            }
        } else if op < 68 {
            let r = run(&mut c, &["MOVE", &key, if cur == 0 { "1" } else { "0" }]);
            if model[cur].contains_key(&key) && !model[1 - cur].contains_key(&key) {
                assert_eq!(r.int(), 1);
                let v = model[cur].remove(&key).unwrap_or_default();
                model[1 - cur].insert(key, v);
            }
        } else if op < 78 {
            let l = names[rnd(3) as usize];
            let v = vals[rnd(3) as usize];
            let r = run(&mut c, &["TS.ALTER", &key, "LABELS", l, v]);
            match model[cur].get_mut(&key) {
                Some(Some(ls)) => {
                    assert!(!r.is_error());
                    *ls = vec![(l.to_string(), v.to_string())];
                }
                _ => assert!(r.is_error()),
            }
        } else if op < 84 {
            run(&mut c, &["SET", &key, "plain"]);
            model[cur].insert(key, None);
        } else if op < 90 {
            run(&mut c, &["SWAPDB", "0", "1"]);
            model.swap(0, 1);
        } else if op < 94 {
            cur = 1 - cur;
            run(&mut c, &["SELECT", &cur.to_string()]);
        } else if op < 96 {
            run(&mut c, &["FLUSHDB"]);
            model[cur].clear();
        } else if step % 7 == 0 {
            run(&mut c, &["FLUSHALL"]);
            model[0].clear();
            model[1].clear();
        }
        // A random filter: one selecting term plus up to two others.
        let l = names[rnd(3) as usize];
        let mut terms = vec![if rnd(2) == 0 {
            format!("{l}={}", vals[rnd(3) as usize])
        } else {
            format!("{l}=({},{})", vals[rnd(3) as usize], vals[rnd(3) as usize])
        }];
        for _ in 0..rnd(3) {
            let l = names[rnd(3) as usize];
            let v = vals[rnd(3) as usize];
            terms.push(match rnd(4) {
                0 => format!("{l}!={v}"),
                1 => format!("{l}="),
                2 => format!("{l}!="),
                _ => format!("{l}!=({v})"),
            });
        }
        let get = |ls: &Labels, l: &str| ls.iter().find(|x| x.0 == l).map(|x| x.1.clone());
        let ok = |ls: &Labels, t: &str| -> bool {
            if let Some((l, rest)) = t.split_once("!=") {
                match rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
                    Some(list) => get(ls, l).is_none_or(|x| list.split(',').all(|v| v != x)),
                    None if rest.is_empty() => get(ls, l).is_some(),
                    None => get(ls, l).as_deref() != Some(rest),
                }
            } else {
                let (l, rest) = t.split_once('=').unwrap_or((t, ""));
                match rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
                    Some(list) => get(ls, l).is_some_and(|x| list.split(',').any(|v| v == x)),
                    None if rest.is_empty() => get(ls, l).is_none(),
                    None => get(ls, l).as_deref() == Some(rest),
                }
            }
        };
        let want: Vec<String> = model[cur]
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|ls| (k, ls)))
            .filter(|(_, ls)| terms.iter().all(|t| ok(ls, t)))
            .map(|(k, _)| k.clone())
            .collect();
        let mut args = vec!["TS.QUERYINDEX"];
        args.extend(terms.iter().map(|s| s.as_str()));
        let got = run(&mut c, &args).strings();
        assert_eq!(got, want, "step {step}: {terms:?}");
        hits += usize::from(!want.is_empty());
    }
    assert!(hits > 100, "only {hits} filters selected anything");
}

/// TS.MRANGE / TS.MREVRANGE: per-series ranges in key order, the label
/// query, aggregation, and GROUPBY ... REDUCE with the module's
/// `label=value` names and `__reducer__` / `__source__` labels.
#[test]
fn mrange_and_groupby() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    labelled(&mut c);
    check(
        &mut c,
        &[
            (&["TS.ADD", "a", "20", "3"], ":20"),
            (&["TS.ADD", "b", "30", "4"], ":30"),
            (&["TS.ADD", "c", "10", "5"], ":10"),
            (
                &["TS.MRANGE", "-", "+", "FILTER", "kind=temp"],
                "[['a', [], [[:10, +1.5], [:20, +3]]], ['b', [], [[:20, +2], [:30, +4]]]]",
            ),
            (
                &["TS.MREVRANGE", "-", "+", "COUNT", "1", "WITHLABELS", "FILTER", "city=nyc"],
                "[['b', [['city', 'nyc'], ['kind', 'temp']], [[:30, +4]]]]",
            ),
            (
                &["TS.MRANGE", "15", "+", "SELECTED_LABELS", "kind", "FILTER", "city=tlv"],
                "[['a', [['kind', 'temp']], [[:20, +3]]], ['c', [['kind', nil]], []]]",
            ),
            (
                &["TS.MRANGE", "-", "+", "LATEST", "FILTER_BY_VALUE", "2", "4", "FILTER", "kind=temp"],
                "[['a', [], [[:20, +3]]], ['b', [], [[:20, +2], [:30, +4]]]]",
            ),
            (
                &["TS.MRANGE", "-", "+", "FILTER_BY_TS", "20", "FILTER", "kind=temp"],
                "[['a', [], [[:20, +3]]], ['b', [], [[:20, +2]]]]",
            ),
            (
                &["TS.MRANGE", "0", "100", "AGGREGATION", "sum", "100", "FILTER", "city=(tlv,nyc)"],
                "[['a', [], [[:0, +4.5]]], ['b', [], [[:0, +6]]], ['c', [], [[:0, +5]]]]",
            ),
            (&["TS.MRANGE", "-", "+", "FILTER", "city=lon"], "[]"),
            (
                &[
                    "TS.MRANGE",
                    "-",
                    "+",
                    "FILTER",
                    "city=(tlv,nyc)",
                    "GROUPBY",
                    "city",
                    "REDUCE",
                    "max",
                ],
                "[['city=nyc', [], [[:20, +2], [:30, +4]]], ['city=tlv', [], [[:10, +5], [:20, +3]]]]",
            ),
            (
                &[
                    "TS.MREVRANGE",
                    "-",
                    "+",
                    "COUNT",
                    "1",
                    "WITHLABELS",
                    "FILTER",
                    "kind=temp",
                    "GROUPBY",
                    "kind",
                    "REDUCE",
                    "sum",
                ],
                "[['kind=temp', [['kind', 'temp'], ['__reducer__', 'sum'], ['__source__', 'a,b']], [[:30, +4]]]]",
            ),
            (
                &["TS.MRANGE", "-", "+", "FILTER", "kind=temp", "GROUPBY", "kind", "REDUCE", "count"],
                "[['kind=temp', [], [[:10, +1], [:20, +2], [:30, +1]]]]",
            ),
            (
                &["TS.MRANGE", "-", "+", "FILTER", "city=tlv", "GROUPBY", "kind", "REDUCE", "avg"],
                "[['kind=temp', [], [[:10, +1.5], [:20, +3]]]]",
            ),
            (&["TS.MRANGE", "-", "+"], "!ERR wrong number of arguments for 'TS.MRANGE' command"),
            (&["TS.MRANGE", "-", "+", "COUNT", "1"], "!ERR TSDB: missing FILTER argument"),
            (&["TS.MRANGE", "x", "+", "FILTER", "a=b"], "!ERR TSDB: wrong fromTimestamp"),
            (&["TS.MRANGE", "-", "+", "FILTER"], "!ERR TSDB: missing labels for filter argument"),
            (
                &["TS.MRANGE", "-", "+", "FILTER", "a!=b"],
                "!ERR TSDB: please provide at least one matcher",
            ),
            (
                &["TS.MRANGE", "-", "+", "GROUPBY", "a", "REDUCE", "max", "FILTER", "a=b"],
                "!ERR TSDB: GROUPBY should always come after filter",
            ),
            (
                &["TS.MRANGE", "-", "+", "FILTER", "a=b", "GROUPBY", "a", "REDUCE", "last"],
                "!ERR TSDB: Invalid reducer type",
            ),
            (
                &["TS.MRANGE", "-", "+", "FILTER", "a=b", "GROUPBY", "a", "REDUCE"],
                "!ERR wrong number of arguments for 'TS.MRANGE' command",
            ),
            (
                &["TS.MRANGE", "-", "+", "FILTER", "a=b", "GROUPBY", "a", "x", "max"],
                "!ERR wrong number of arguments for 'TS.MRANGE' command",
            ),
        ],
    );
    assert!(!run(&mut c, &["HELLO", "3"]).is_error());
    check(
        &mut c,
        &[
            (
                &[
                    "TS.MRANGE",
                    "-",
                    "+",
                    "WITHLABELS",
                    "AGGREGATION",
                    "max",
                    "100",
                    "FILTER",
                    "city=nyc",
                ],
                "{'b': [{'city': 'nyc', 'kind': 'temp'}, {'aggregators': ['max']}, [[:0, ,4]]]}",
            ),
            (
                &["TS.MREVRANGE", "-", "+", "FILTER", "city=tlv", "kind="],
                "{'c': [{}, {'aggregators': []}, [[:10, ,5]]]}",
            ),
            (
                &[
                    "TS.MRANGE",
                    "-",
                    "+",
                    "WITHLABELS",
                    "FILTER",
                    "kind=temp",
                    "GROUPBY",
                    "kind",
                    "REDUCE",
                    "min",
                ],
                "{'kind=temp': [{'kind': 'temp'}, {'reducers': ['min']}, {'sources': ['a', 'b']}, [[:10, ,1.5], [:20, ,2], [:30, ,4]]]}",
            ),
        ],
    );
}
