//! TDIGEST.* commands (RedisBloom 2.8's t-digests, built in). Expected
//! figures come from running t-digest-c at the commit RedisBloom 2.8
//! builds (5b89d70) on the same inputs, with rm_tdigest.c's reply logic
//! (rank rounding, empty and single-sample cases) applied by hand; the
//! error texts are the module's.

use redis_compat_tests::*;

const WRONGTYPE: &str = "!WRONGTYPE Operation against a key holding the wrong kind of value";

/// TDIGEST.INFO's RESP2 reply for the nine figures.
#[allow(clippy::too_many_arguments)]
fn info2(c: u64, cap: u64, merged: u64, unmerged: u64, mw: u64, uw: u64, tc: u64, mem: u64) -> String {
    format!(
        "[+Compression, :{c}, +Capacity, :{cap}, +Merged nodes, :{merged}, +Unmerged nodes, :{unmerged}, \
         +Merged weight, :{mw}, +Unmerged weight, :{uw}, +Observations, :{}, +Total compressions, :{tc}, \
         +Memory usage, :{mem}]",
        mw + uw
    )
}

#[test]
fn one_to_ten_resp2() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let add: Vec<String> = (1..=10).map(|i| i.to_string()).collect();
    let mut args = vec!["TDIGEST.ADD", "t"];
    args.extend(add.iter().map(|s| s.as_str()));
    let before = info2(100, 610, 0, 10, 0, 10, 0, 9768);
    let after = info2(100, 610, 10, 0, 10, 0, 1, 9768);
    check(
        &mut c,
        &[
            (&["TDIGEST.CREATE", "t"], "+OK"),
            (&["TYPE", "t"], "+TDIS-TYPE"),
            (&["OBJECT", "ENCODING", "t"], "'raw'"),
            (&args, "+OK"),
            (&["TDIGEST.INFO", "t"], &before),
            (&["TDIGEST.MIN", "t"], "'1'"),
            (&["TDIGEST.MAX", "t"], "'10'"),
            // MIN/MAX do not compress; the queries below do.
            (&["TDIGEST.INFO", "t"], &before),
            (
                &["TDIGEST.QUANTILE", "t", "0", "0.1", "0.5", "0.9", "1"],
                "['1', '2', '6', '10', '10']",
            ),
            (&["TDIGEST.INFO", "t"], &after),
            (&["TDIGEST.QUANTILE", "t", "0.9", "0.1", "0.5"], "['10', '2', '6']"),
            (
                &["TDIGEST.CDF", "t", "0", "1", "5", "5.5", "10", "11"],
                "['0', '0.050000000000000003', '0.45000000000000001', '0.5', '0.94999999999999996', '1']",
            ),
            (&["TDIGEST.RANK", "t", "0", "1", "5", "10", "11"], "[:-1, :0, :4, :9, :10]"),
            (&["TDIGEST.REVRANK", "t", "0", "1", "5", "10", "11"], "[:10, :9, :5, :0, :-1]"),
            (&["TDIGEST.BYRANK", "t", "0", "1", "5", "9", "10"], "['1', '2', '6', '10', 'inf']"),
            (
                &["TDIGEST.BYREVRANK", "t", "0", "1", "5", "9", "10"],
                "['10', '9', '5', '1', '-inf']",
            ),
            (&["TDIGEST.TRIMMED_MEAN", "t", "0.1", "0.9"], "'5.5'"),
            (&["TDIGEST.TRIMMED_MEAN", "t", "0", "0.5"], "'3'"),
            (&["TDIGEST.INFO", "t"], &after),
            (&["TDIGEST.RESET", "t"], "+OK"),
            (&["TDIGEST.INFO", "t"], &info2(100, 610, 0, 0, 0, 0, 0, 9768)),
        ],
    );
}

#[test]
fn empty_and_single_sample() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["TDIGEST.CREATE", "e", "COMPRESSION", "50"], "+OK"),
            (&["TDIGEST.INFO", "e"], &info2(50, 310, 0, 0, 0, 0, 0, 4968)),
            (&["TDIGEST.MIN", "e"], "'nan'"),
            (&["TDIGEST.MAX", "e"], "'nan'"),
            (&["TDIGEST.QUANTILE", "e", "0", "0.5"], "['nan', 'nan']"),
            (&["TDIGEST.CDF", "e", "1"], "['nan']"),
            (&["TDIGEST.RANK", "e", "1", "2"], "[:-2, :-2]"),
            (&["TDIGEST.REVRANK", "e", "1"], "[:-2]"),
            (&["TDIGEST.BYRANK", "e", "0", "1"], "['nan', 'nan']"),
            (&["TDIGEST.BYREVRANK", "e", "0"], "['nan']"),
            (&["TDIGEST.TRIMMED_MEAN", "e", "0.1", "0.9"], "'nan'"),
            // One sample is never compressed into a centroid by this
            // library version: quantile and cdf answer nan, and a rank at
            // the sample is C's cast of nan.
            (&["TDIGEST.CREATE", "s"], "+OK"),
            (&["TDIGEST.ADD", "s", "5"], "+OK"),
            (&["TDIGEST.MIN", "s"], "'5'"),
            (&["TDIGEST.MAX", "s"], "'5'"),
            (&["TDIGEST.QUANTILE", "s", "0.5"], "['nan']"),
            (&["TDIGEST.CDF", "s", "5"], "['nan']"),
            (&["TDIGEST.RANK", "s", "0", "5", "10"], "[:-1, :-9223372036854775808, :1]"),
            (&["TDIGEST.REVRANK", "s", "0", "5", "10"], "[:1, :-9223372036854775808, :-1]"),
            (&["TDIGEST.BYRANK", "s", "0", "1"], "['5', 'inf']"),
            (&["TDIGEST.BYREVRANK", "s", "0", "1"], "['5', '-inf']"),
            (&["TDIGEST.TRIMMED_MEAN", "s", "0", "1"], "'nan'"),
            (&["TDIGEST.INFO", "s"], &info2(100, 610, 0, 1, 0, 1, 0, 9768)),
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
            (&["TDIGEST.CREATE", "t", "compression", "100"], "+OK"),
            (&["TDIGEST.ADD", "t", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], "+OK"),
            (&["TDIGEST.QUANTILE", "t", "0.5", "1"], "[,6, ,10]"),
            (&["TDIGEST.CDF", "t", "5.5", "11"], "[,0.5, ,1]"),
            (&["TDIGEST.BYRANK", "t", "10"], "[,inf]"),
            (&["TDIGEST.BYREVRANK", "t", "10"], "[,-inf]"),
            (&["TDIGEST.MIN", "t"], ",1"),
            (&["TDIGEST.TRIMMED_MEAN", "t", "0.1", "0.9"], ",5.5"),
            (&["TDIGEST.RANK", "t", "5"], "[:4]"),
            (
                &["TDIGEST.INFO", "t"],
                "{+Compression: :100, +Capacity: :610, +Merged nodes: :10, +Unmerged nodes: :0, \
                 +Merged weight: :10, +Unmerged weight: :0, +Observations: :10, +Total compressions: :1, \
                 +Memory usage: :9768}",
            ),
            (&["TDIGEST.CREATE", "e"], "+OK"),
            (&["TDIGEST.MIN", "e"], ",nan"),
            (&["TDIGEST.QUANTILE", "nokey", "0.5"], "!ERR T-Digest: key does not exist"),
        ],
    );
}

/// a: compression 20, 0..100; b: compression 50, 0, 3, ..., 147.
fn merge_sources(c: &mut Conn) {
    check(
        c,
        &[
            (&["TDIGEST.CREATE", "a", "COMPRESSION", "20"], "+OK"),
            (&["TDIGEST.CREATE", "b", "COMPRESSION", "50"], "+OK"),
        ],
    );
    for i in 0..100 {
        run(c, &["TDIGEST.ADD", "a", &i.to_string()]);
    }
    for i in 0..50 {
        run(c, &["TDIGEST.ADD", "b", &(i * 3).to_string()]);
    }
}

#[test]
fn merge_compression_and_override() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    merge_sources(&mut c);
    check(
        &mut c,
        &[
            (&["TDIGEST.INFO", "a"], &info2(20, 130, 0, 100, 0, 100, 0, 2088)),
            // No dest, no COMPRESSION: the largest of the sources'.
            (&["TDIGEST.MERGE", "d", "2", "a", "b"], "+OK"),
            // Merging compressed the sources.
            (&["TDIGEST.INFO", "a"], &info2(20, 130, 13, 0, 100, 0, 1, 2088)),
            (&["TDIGEST.INFO", "b"], &info2(50, 310, 22, 0, 50, 0, 1, 4968)),
            (&["TDIGEST.INFO", "d"], &info2(50, 310, 13, 22, 100, 50, 1, 4968)),
            (
                &["TDIGEST.QUANTILE", "d", "0", "0.1", "0.5", "0.9", "1"],
                "['0', '10.785714285714286', '55.342105263157897', '104.5', '147']",
            ),
            (
                &["TDIGEST.CDF", "d", "0", "1", "5", "5.5", "10", "11"],
                "['0.0066666666666666671', '0.016666666666666666', '0.051111111111111114', \
                 '0.053888888888888896', '0.092666666666666675', '0.10200000000000001']",
            ),
            (&["TDIGEST.RANK", "d", "0", "1", "5", "10", "11"], "[:1, :2, :8, :14, :15]"),
            (
                &["TDIGEST.REVRANK", "d", "0", "1", "5", "10", "11"],
                "[:149, :147, :142, :136, :135]",
            ),
            (
                &["TDIGEST.BYRANK", "d", "0", "1", "5", "9", "10"],
                "['0', '0', '3', '6.375', '7.125']",
            ),
            (
                &["TDIGEST.BYREVRANK", "d", "0", "1", "5", "9", "10"],
                "['147', '144', '131', '118.42592592592592', '115.27777777777777']",
            ),
            (&["TDIGEST.TRIMMED_MEAN", "d", "0.1", "0.9"], "'55.580555555555556'"),
            (&["TDIGEST.INFO", "d"], &info2(50, 310, 24, 0, 150, 0, 2, 4968)),
            // Dest exists: its compression, its own nodes first.
            (&["TDIGEST.MERGE", "d", "1", "a"], "+OK"),
            (&["TDIGEST.INFO", "d"], &info2(50, 310, 24, 13, 150, 100, 1, 4968)),
            (
                &["TDIGEST.QUANTILE", "d", "0.1", "0.5", "0.9"],
                "['11.467105263157896', '57.196078431372548', '95.659999999999997']",
            ),
            // Dest as a source too, with a new compression.
            (&["TDIGEST.MERGE", "d", "2", "a", "d", "COMPRESSION", "200"], "+OK"),
            (&["TDIGEST.INFO", "d"], &info2(200, 1210, 37, 26, 350, 250, 2, 19368)),
            (
                &["TDIGEST.QUANTILE", "d", "0.1", "0.5", "0.9"],
                "['13.638157894736842', '57', '95.130769230769232']",
            ),
            // OVERRIDE drops dest's nodes and picks the sources' largest compression.
            (&["EXPIRE", "d", "1000"], ":1"),
            (&["TDIGEST.MERGE", "d", "1", "a", "override"], "+OK"),
            (&["TTL", "d"], ":-1"),
            (&["TDIGEST.INFO", "d"], &info2(20, 130, 0, 13, 0, 100, 0, 2088)),
            (&["TDIGEST.QUANTILE", "d", "0.1", "0.5", "0.9"], "['9.5', '49.5', '89.5']"),
            (&["TDIGEST.MERGE", "d", "1", "a", "OVERRIDE", "COMPRESSION", "7"], "+OK"),
            (&["TDIGEST.INFO", "d"], &info2(7, 52, 0, 13, 0, 100, 0, 840)),
        ],
    );
}

#[test]
fn errors_are_the_modules() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let arity = |n: &str| format!("!ERR wrong number of arguments for '{n}' command");
    check(
        &mut c,
        &[
            (&["TDIGEST.CREATE", "t"], "+OK"),
            (&["SET", "s", "v"], "+OK"),
            (&["TDIGEST.CREATE", "t"], "!ERR T-Digest: key already exists"),
            (&["TDIGEST.CREATE", "s"], WRONGTYPE),
            (&["TDIGEST.CREATE", "n", "COMPRESSION"], &arity("TDIGEST.CREATE")),
            (&["tdigest.create"], &arity("tdigest.create")),
            (&["TDIGEST.CREATE", "n", "COMPRESS", "10"], "!ERR T-Digest: wrong keyword"),
            // The keyword may sit in either slot; the number is always the last.
            (
                &["TDIGEST.CREATE", "n", "10", "COMPRESSION"],
                "!ERR T-Digest: error parsing compression parameter",
            ),
            (
                &["TDIGEST.CREATE", "n", "COMPRESSION", "1.5"],
                "!ERR T-Digest: error parsing compression parameter",
            ),
            (
                &["TDIGEST.CREATE", "n", "COMPRESSION", "0"],
                "!ERR T-Digest: compression parameter needs to be a positive integer",
            ),
            (
                &["TDIGEST.CREATE", "n", "COMPRESSION", "-5"],
                "!ERR T-Digest: compression parameter needs to be a positive integer",
            ),
            (
                &["TDIGEST.CREATE", "n", "COMPRESSION", "9223372036854775807"],
                "!ERR T-Digest: allocation failed",
            ),
            (&["EXISTS", "n"], ":0"),
            (&["TDIGEST.ADD", "t"], &arity("TDIGEST.ADD")),
            (&["TDIGEST.ADD", "missing", "1"], "!ERR T-Digest: key does not exist"),
            (&["TDIGEST.ADD", "s", "1"], WRONGTYPE),
            (&["TDIGEST.ADD", "t", "1", "x"], "!ERR T-Digest: error parsing val parameter"),
            (&["TDIGEST.ADD", "t", "1", "nan"], "!ERR T-Digest: error parsing val parameter"),
            (&["TDIGEST.ADD", "t", "1", "1e400"], "!ERR T-Digest: error parsing val parameter"),
            (&["TDIGEST.ADD", "t", "1", " 2"], "!ERR T-Digest: error parsing val parameter"),
            (
                &["TDIGEST.ADD", "t", "1", "inf"],
                "!ERR T-Digest: val parameter needs to be a finite number",
            ),
            (
                &["TDIGEST.ADD", "t", "-inf"],
                "!ERR T-Digest: val parameter needs to be a finite number",
            ),
            // Nothing was added by the refused calls.
            (&["TDIGEST.INFO", "t"], &info2(100, 610, 0, 0, 0, 0, 0, 9768)),
            (&["TDIGEST.RESET", "t", "x"], &arity("TDIGEST.RESET")),
            (&["TDIGEST.RESET", "missing"], "!ERR T-Digest: key does not exist"),
            (&["TDIGEST.MIN", "s"], WRONGTYPE),
            (&["TDIGEST.MAX", "t", "x"], &arity("TDIGEST.MAX")),
            (&["TDIGEST.QUANTILE", "t"], &arity("TDIGEST.QUANTILE")),
            (&["TDIGEST.QUANTILE", "t", "x"], "!ERR T-Digest: error parsing quantile"),
            (&["TDIGEST.QUANTILE", "t", "1.01"], "!ERR T-Digest: quantile should be in [0,1]"),
            (&["TDIGEST.QUANTILE", "t", "-0.1"], "!ERR T-Digest: quantile should be in [0,1]"),
            (&["TDIGEST.CDF", "t", "x"], "!ERR T-Digest: error parsing cdf"),
            (&["TDIGEST.CDF", "t", "inf"], "['nan']"),
            (&["TDIGEST.RANK", "t", "nan"], "!ERR T-Digest: error parsing value"),
            (&["TDIGEST.REVRANK", "s", "1"], WRONGTYPE),
            (&["TDIGEST.BYRANK", "t", "1.5"], "!ERR T-Digest: error parsing rank"),
            (&["TDIGEST.BYREVRANK", "t", "-1"], "!ERR T-Digest: rank needs to be non negative"),
            (&["TDIGEST.TRIMMED_MEAN", "t", "0.1"], &arity("TDIGEST.TRIMMED_MEAN")),
            (
                &["TDIGEST.TRIMMED_MEAN", "t", "x", "0.5"],
                "!ERR T-Digest: error parsing low_cut_percentile",
            ),
            (
                &["TDIGEST.TRIMMED_MEAN", "t", "0.1", "y"],
                "!ERR T-Digest: error parsing high_cut_percentile",
            ),
            (
                &["TDIGEST.TRIMMED_MEAN", "t", "0.1", "1.5"],
                "!ERR T-Digest: low_cut_percentile and high_cut_percentile should be in [0,1]",
            ),
            (
                &["TDIGEST.TRIMMED_MEAN", "t", "0.5", "0.5"],
                "!ERR T-Digest: low_cut_percentile should be lower than high_cut_percentile",
            ),
            (&["TDIGEST.INFO", "missing"], "!ERR T-Digest: key does not exist"),
            (&["TDIGEST.INFO"], &arity("TDIGEST.INFO")),
            (&["TDIGEST.MERGE", "d", "1"], &arity("TDIGEST.MERGE")),
            (&["TDIGEST.MERGE", "s", "1", "t"], WRONGTYPE),
            (&["TDIGEST.MERGE", "d", "x", "t"], "!ERR T-Digest: error parsing numkeys"),
            (
                &["TDIGEST.MERGE", "d", "0", "t"],
                "!ERR T-Digest: numkeys needs to be a positive integer",
            ),
            (&["TDIGEST.MERGE", "d", "3", "t", "t"], &arity("TDIGEST.MERGE")),
            (&["TDIGEST.MERGE", "d", "1", "t", "JUNK"], "!ERR T-Digest: wrong keyword"),
            (&["TDIGEST.MERGE", "d", "1", "t", "COMPRESSION"], &arity("TDIGEST.MERGE")),
            (
                &["TDIGEST.MERGE", "d", "1", "t", "COMPRESSION", "z"],
                "!ERR T-Digest: error parsing compression parameter",
            ),
            (
                &["TDIGEST.MERGE", "d", "1", "t", "COMPRESSION", "0"],
                "!ERR T-Digest: compression parameter needs to be a positive integer",
            ),
            (&["TDIGEST.MERGE", "d", "2", "t", "missing"], "!ERR T-Digest: key does not exist"),
            (&["TDIGEST.MERGE", "d", "2", "t", "s"], WRONGTYPE),
            (&["TDIGEST.MERGE", "d", "1", "d"], "!ERR T-Digest: key does not exist"),
            (
                &["TDIGEST.MERGE", "d", "1", "t", "COMPRESSION", "9223372036854775807"],
                "!ERR T-Digest: allocation of destination digest failed",
            ),
            (&["EXISTS", "d"], ":0"),
            // Extra words after a keyword are ignored, as RMUtil_ArgIndex finds it anywhere.
            (&["TDIGEST.MERGE", "d", "1", "t", "COMPRESSION", "10", "JUNK"], "+OK"),
            (&["PING"], "+PONG"),
        ],
    );
}

#[test]
fn hostile_input_keeps_the_server_up() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["TDIGEST.CREATE", "t", "COMPRESSION", "1"], "+OK"),
            (
                &["TDIGEST.ADD", "t", "1.7976931348623157e308", "-1.7976931348623157e308", "0"],
                "+OK",
            ),
            (&["TDIGEST.MIN", "t"], "'-1.7976931348623157e+308'"),
            (&["TDIGEST.MAX", "t"], "'1.7976931348623157e+308'"),
        ],
    );
    check(
        &mut c,
        &[
            (
                &["TDIGEST.QUANTILE", "t", "0", "0.5", "1"],
                "['-1.7976931348623157e+308', '0', '1.7976931348623157e+308']",
            ),
            (&["TDIGEST.CDF", "t", "0", "inf", "-inf"], "['0.5', '1', '0']"),
            (&["TDIGEST.TRIMMED_MEAN", "t", "0", "1"], "'0'"),
            (&["TDIGEST.RANK", "t", "0", "1e308"], "[:1, :2]"),
            (
                &["TDIGEST.BYRANK", "t", "1", "2", "9223372036854775807"],
                "['0', '1.7976931348623157e+308', 'inf']",
            ),
        ],
    );
    // Many equal samples at the smallest compression.
    let vals: Vec<String> = (0..5000)
        .map(|i| if i % 2 == 0 { "3".into() } else { format!("{}", i % 7) })
        .collect();
    let mut args = vec!["TDIGEST.ADD", "t"];
    args.extend(vals.iter().map(|s| s.as_str()));
    check(&mut c, &[(&args, "+OK")]);
    check(
        &mut c,
        &[
            (&["TDIGEST.INFO", "t"], &info2(1, 16, 7, 1, 5002, 1, 577, 264)),
            (&["TDIGEST.QUANTILE", "t", "0.5"], "['3.0125377564046003']"),
            (&["PING"], "+PONG"),
        ],
    );
}

/// A TDIS-TYPE DUMP payload with the given fields, reusing the type id
/// and footer of `real` (checksums are skipped by the caller). Doubles
/// are RDB binary doubles (opcode 4), signed fields opcode 2.
fn payload(real: &[u8], head: [f64; 3], ints: [i64; 4], weights: [f64; 2], means: &[f64], counts: &[f64]) -> Vec<u8> {
    let mut p = real[..10].to_vec();
    let dbl = |p: &mut Vec<u8>, d: f64| {
        p.push(4);
        p.extend_from_slice(&d.to_le_bytes());
    };
    for d in head {
        dbl(&mut p, d);
    }
    for v in ints {
        p.push(2);
        p.extend(rdb_len(v as u64));
    }
    for d in weights {
        dbl(&mut p, d);
    }
    for d in means.iter().chain(counts) {
        dbl(&mut p, *d);
    }
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
            (&["TDIGEST.CREATE", "a", "COMPRESSION", "10"], "+OK"),
            (&["TDIGEST.ADD", "a", "1", "2", "3"], "+OK"),
            (&["DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"], "+OK"),
        ],
    );
    let real = run(&mut c, &["DUMP", "a"]).bytes().unwrap_or_default().to_vec();
    // The layout we build must be the one DUMP writes (DUMP compresses).
    let good = payload(
        &real,
        [10.0, 1.0, 3.0],
        [70, 3, 0, 1],
        [3.0, 0.0],
        &[1.0, 2.0, 3.0],
        &[1.0, 1.0, 1.0],
    );
    assert_eq!(good, real);
    let ok = payload(&real, [10.0, 1.0, 9.0], [70, 2, 0, 4], [5.0, 0.0], &[1.0, 9.0], &[2.0, 3.0]);
    assert_eq!(show(&c.cmd(&[b"RESTORE", b"ok", b"0", &ok])), "+OK");
    check(
        &mut c,
        &[
            (&["TDIGEST.INFO", "ok"], &info2(10, 70, 2, 0, 5, 0, 4, 1128)),
            (&["TDIGEST.QUANTILE", "ok", "0", "1"], "['-nan', '9']"),
        ],
    );
    let bad: Vec<(&str, Vec<u8>)> = vec![
        (
            "zero compression",
            payload(&real, [0.0, 1.0, 3.0], [10, 0, 0, 0], [0.0, 0.0], &[], &[]),
        ),
        (
            "nan compression",
            payload(&real, [f64::NAN, 1.0, 3.0], [70, 0, 0, 0], [0.0, 0.0], &[], &[]),
        ),
        (
            "huge compression",
            payload(&real, [1e12, 1.0, 3.0], [6_000_000_000_010, 0, 0, 0], [0.0, 0.0], &[], &[]),
        ),
        (
            "cap mismatch",
            payload(&real, [10.0, 1.0, 3.0], [1 << 40, 1, 0, 0], [1.0, 0.0], &[1.0], &[1.0]),
        ),
        (
            "merged over cap",
            payload(&real, [10.0, 1.0, 3.0], [70, 71, 0, 0], [1.0, 0.0], &[1.0], &[1.0]),
        ),
        (
            "negative merged",
            payload(&real, [10.0, 1.0, 3.0], [70, -1, 0, 0], [1.0, 0.0], &[], &[]),
        ),
        (
            "unmerged over cap",
            payload(&real, [10.0, 1.0, 3.0], [70, 1, 70, 0], [1.0, 0.0], &[1.0], &[1.0]),
        ),
        // Unmerged nodes are not in the file; more than a module file can hold are refused.
        (
            "many unmerged",
            payload(&real, [1000.0, 1.0, 3.0], [6010, 0, 2000, 0], [0.0, 0.0], &[], &[]),
        ),
        (
            "negative weight",
            payload(&real, [10.0, 1.0, 3.0], [70, 1, 0, 0], [-1.0, 0.0], &[1.0], &[1.0]),
        ),
        (
            "nan node weight",
            payload(&real, [10.0, 1.0, 3.0], [70, 1, 0, 0], [1.0, 0.0], &[1.0], &[f64::NAN]),
        ),
        (
            "huge weight",
            payload(&real, [10.0, 1.0, 3.0], [70, 1, 0, 0], [1e19, 0.0], &[1.0], &[1.0]),
        ),
        (
            "short nodes",
            payload(&real, [10.0, 1.0, 3.0], [70, 3, 0, 0], [3.0, 0.0], &[1.0, 2.0, 3.0], &[1.0]),
        ),
    ];
    for (what, p) in bad {
        let r = c.cmd(&[b"RESTORE", b"bad", b"0", &p]);
        assert_eq!(show(&r), "!ERR Bad data format", "{what}");
    }
    let mut v1 = real.clone();
    v1[9] = v1[9].wrapping_add(1);
    assert_eq!(show(&c.cmd(&[b"RESTORE", b"bad", b"0", &v1])), "!ERR Bad data format");
    let r = c.cmd(&[b"RESTORE", b"bad", b"0", &real[..real.len() / 2]]);
    assert_eq!(show(&r), "!ERR DUMP payload version or checksum are wrong");
    check(&mut c, &[(&["EXISTS", "bad"], ":0"), (&["PING"], "+PONG")]);
}

#[test]
fn persistence_reload_dump_restore_aof_restart() {
    let dir = Server::scratch_dir("tdigest");
    let srv = Server::start_with(&server_bin(), Some(&dir), &["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    check(&mut c, &[(&["TDIGEST.CREATE", "p", "COMPRESSION", "30"], "+OK")]);
    let vals: Vec<String> = (0..1000).map(|i| format!("{}", f64::from((i * i) % 997) / 3.0)).collect();
    for chunk in vals.chunks(100) {
        let mut args = vec!["TDIGEST.ADD", "p"];
        args.extend(chunk.iter().map(|s| s.as_str()));
        check(&mut c, &[(&args, "+OK")]);
    }
    check(&mut c, &[(&["TDIGEST.INFO", "p"], &info2(30, 190, 19, 126, 874, 126, 5, 3048))]);
    // Saving compresses: what comes back is the compressed digest.
    let loaded = info2(30, 190, 20, 0, 1000, 0, 6, 3048);
    let q = ["TDIGEST.QUANTILE", "p", "0", "0.01", "0.3", "0.5", "0.77", "0.99", "1"];
    let want_q = "['0', '2.5', '99.487933731633248', '164.8169575837947', '255.14502609547071', \
                  '328.55555555555554', '332']";
    let check_all = |c: &mut Conn| {
        assert_eq!(show(&run(c, &["TDIGEST.INFO", "p"])), loaded);
        assert_eq!(show(&run(c, &q)), want_q);
        assert_eq!(show(&run(c, &["TDIGEST.MIN", "p"])), "'0'");
        assert_eq!(show(&run(c, &["TDIGEST.MAX", "p"])), "'332'");
    };
    check(&mut c, &[(&["DEBUG", "RELOAD"], "+OK")]);
    check_all(&mut c);
    let d = run(&mut c, &["DUMP", "p"]).bytes().unwrap_or_default().to_vec();
    check(&mut c, &[(&["DEL", "p"], ":1")]);
    assert_eq!(show(&c.cmd(&[b"RESTORE", b"p", b"0", &d])), "+OK");
    check_all(&mut c);
    reload_from_command_aof(&mut c);
    check_all(&mut c);
    check(
        &mut c,
        &[
            (&["TDIGEST.ADD", "p", "5", "7"], "+OK"),
            (&["TDIGEST.INFO", "p"], &info2(30, 190, 20, 2, 1000, 2, 6, 3048)),
            (&["TDIGEST.RESET", "p"], "+OK"),
            (&["TDIGEST.MERGE", "p", "1", "p", "OVERRIDE"], "+OK"),
            (&["DEL", "p"], ":1"),
        ],
    );
    // The AOF replays the writes as given.
    check(&mut c, &[(&["TDIGEST.CREATE", "p", "COMPRESSION", "30"], "+OK")]);
    for chunk in vals.chunks(100) {
        let mut args = vec!["TDIGEST.ADD", "p"];
        args.extend(chunk.iter().map(|s| s.as_str()));
        check(&mut c, &[(&args, "+OK")]);
    }
    check(&mut c, &[(&["DEBUG", "LOADAOF"], "+OK")]);
    check(&mut c, &[(&["TDIGEST.INFO", "p"], &info2(30, 190, 19, 126, 874, 126, 5, 3048))]);
    assert_eq!(show(&run(&mut c, &q)), want_q);
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

/// The module's rdb_save compresses the value it writes in place: after
/// DUMP or SAVE the live digest is compressed (a BGSAVE's child compresses
/// only its own copy).
#[test]
fn save_and_dump_compress_the_live_value() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let add = ["TDIGEST.ADD", "t", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];
    check(
        &mut c,
        &[
            (&["TDIGEST.CREATE", "t"], "+OK"),
            (&add, "+OK"),
            (&["TDIGEST.INFO", "t"], &info2(100, 610, 0, 10, 0, 10, 0, 9768)),
        ],
    );
    assert!(run(&mut c, &["DUMP", "t"]).bytes().is_some());
    check(
        &mut c,
        &[
            (&["TDIGEST.INFO", "t"], &info2(100, 610, 10, 0, 10, 0, 1, 9768)),
            (&add, "+OK"),
            (&["SAVE"], "+OK"),
            (&["TDIGEST.INFO", "t"], &info2(100, 610, 20, 0, 20, 0, 2, 9768)),
            (&add, "+OK"),
            (&["BGSAVE"], "+Background saving started"),
        ],
    );
    for _ in 0..200 {
        if run(&mut c, &["INFO", "persistence"]).str().contains("rdb_bgsave_in_progress:0") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    check(&mut c, &[(&["TDIGEST.INFO", "t"], &info2(100, 610, 20, 10, 20, 10, 2, 9768))]);
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !cond() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A full sync carries the digest compressed by the master's forked child
/// (the master's own value stays as it was); writes stream as given.
#[test]
fn replica_by_full_sync_and_stream() {
    let master = Server::start(&[]);
    let replica = Server::start(&[]);
    let mut m = master.conn();
    let mut r = replica.conn();
    check(
        &mut m,
        &[
            (&["TDIGEST.CREATE", "t"], "+OK"),
            (&["TDIGEST.ADD", "t", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], "+OK"),
        ],
    );
    let port = master.port().to_string();
    check(&mut r, &[(&["REPLICAOF", "127.0.0.1", &port], "+OK")]);
    wait_until("the link", || {
        run(&mut r, &["INFO", "replication"])
            .str()
            .lines()
            .any(|l| l == "master_link_status:up")
    });
    check(
        &mut m,
        &[
            (&["TDIGEST.ADD", "t", "11", "12"], "+OK"),
            (&["TDIGEST.CREATE", "e", "COMPRESSION", "40"], "+OK"),
            (&["TDIGEST.MERGE", "d", "2", "t", "e"], "+OK"),
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
    // MERGE compressed t on both sides; before it, only the replica's copy was.
    check(&mut m, &[(&["TDIGEST.INFO", "t"], &info2(100, 610, 12, 0, 12, 0, 1, 9768))]);
    check(&mut r, &[(&["TDIGEST.INFO", "t"], &info2(100, 610, 12, 0, 12, 0, 2, 9768))]);
    for c in [&mut m, &mut r] {
        check(
            c,
            &[
                // Merging e compressed the new digest first.
                (&["TDIGEST.INFO", "d"], &info2(100, 610, 12, 0, 12, 0, 1, 9768)),
                (&["TDIGEST.QUANTILE", "d", "0.5"], "['7']"),
                (&["TDIGEST.MIN", "t"], "'1'"),
                (&["TDIGEST.MAX", "t"], "'12'"),
            ],
        );
    }
    check(
        &mut r,
        &[(&["TDIGEST.ADD", "t", "1"], "!READONLY You can't write against a read only replica.")],
    );
}
