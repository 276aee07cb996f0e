//! CONFIG GET/SET/RESETSTAT/HELP plus server introspection commands
//! (INFO, COMMAND, TIME). Mirrors tests/unit/introspection.tcl and
//! tests/unit/info.tcl.

use redis_compat_tests::*;
use std::collections::BTreeMap;

fn cfg_err(param: &str, msg: &str) -> Vec<u8> {
    format!("-ERR CONFIG SET failed (possibly related to argument '{}') - {}\r\n", param, msg).into_bytes()
}

/// CONFIG GET with one or more space-separated patterns, as a map (the
/// order of several parameters follows Redis's dict order, which is random).
fn config_map(c: &mut Conn, pattern: &str) -> BTreeMap<String, String> {
    let r = c.cmd_str(&format!("CONFIG GET {}", pattern));
    let n = r.pairs().len();
    let m: BTreeMap<String, String> = r.pairs().into_iter().map(|(k, v)| (k.str(), v.str())).collect();
    assert_eq!(m.len(), n, "duplicate names in CONFIG GET reply");
    m
}

fn map_of(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn config_get_single_and_multiple() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_reply!(c, "CONFIG GET maxmemory", b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
    assert_reply!(
        c,
        "CONFIG GET maxmemory-policy",
        b"*2\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n"
    );
    assert_reply!(c, "CONFIG GET nosuch", b"*0\r\n");
    assert_reply!(c, "CONFIG GET nosuch*", b"*0\r\n");
    assert_eq!(
        config_map(&mut c, "maxmemory maxmemory-policy"),
        map_of(&[("maxmemory", "0"), ("maxmemory-policy", "noeviction")])
    );
    // duplicates are reported once
    assert_reply!(c, "CONFIG GET maxmemory maxmemory", b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
    assert_reply!(c, "CONFIG GET maxmemory nosuch", b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
    // an exact (non-glob) name is echoed back as given
    assert_reply!(c, "CONFIG GET MAXMEMORY", b"*2\r\n$9\r\nMAXMEMORY\r\n$1\r\n0\r\n");
    // values from the command line
    assert_reply!(c, "CONFIG GET save", b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
    assert_reply!(c, "CONFIG GET appendonly", b"*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n");
    assert_reply!(c, "CONFIG GET bind", b"*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n");
    assert_reply!(c, "CONFIG GET databases", b"*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n");
    assert_reply!(c, "CONFIG GET daemonize", b"*2\r\n$9\r\ndaemonize\r\n$2\r\nno\r\n");
    let port = s.port().to_string();
    assert_reply!(c, "CONFIG GET port", format!("*2\r\n$4\r\nport\r\n${}\r\n{}\r\n", port.len(), port));
    let dir = std::fs::canonicalize(s.dir()).unwrap().to_string_lossy().into_owned();
    assert_eq!(config_map(&mut c, "dir"), map_of(&[("dir", &dir)]));
    assert_reply!(
        c,
        "CONFIG GET proto-max-bulk-len",
        b"*2\r\n$18\r\nproto-max-bulk-len\r\n$9\r\n536870912\r\n"
    );
    assert_reply!(c, "CONFIG GET hz", b"*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
    assert_reply!(c, "CONFIG GET timeout", b"*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n");
    assert_reply!(c, "CONFIG GET requirepass", b"*2\r\n$11\r\nrequirepass\r\n$0\r\n\r\n");
    assert_reply!(c, "CONFIG GET maxclients", b"*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
    assert_reply!(
        c,
        "CONFIG GET list-max-listpack-size",
        b"*2\r\n$22\r\nlist-max-listpack-size\r\n$2\r\n-2\r\n"
    );
    assert_reply!(c, "CONFIG GET", b"-ERR wrong number of arguments for 'config|get' command\r\n");
    // RESP3: a map
    c.cmd_str("HELLO 3");
    assert_reply!(c, "CONFIG GET maxmemory", b"%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
    assert_reply!(c, "CONFIG GET nosuch", b"%0\r\n");
}

#[test]
fn config_get_globs() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_eq!(
        config_map(&mut c, "maxmemory*"),
        map_of(&[
            ("maxmemory", "0"),
            ("maxmemory-policy", "noeviction"),
            ("maxmemory-samples", "5"),
            ("maxmemory-eviction-tenacity", "10"),
            ("maxmemory-clients", "0"),
        ])
    );
    // aliases are listed too
    assert_eq!(
        config_map(&mut c, "hash-max-*"),
        map_of(&[
            ("hash-max-listpack-entries", "512"),
            ("hash-max-listpack-value", "64"),
            ("hash-max-ziplist-entries", "512"),
            ("hash-max-ziplist-value", "64"),
        ])
    );
    assert_eq!(
        config_map(&mut c, "*max*-entries*"),
        map_of(&[
            ("hash-max-listpack-entries", "512"),
            ("zset-max-ziplist-entries", "128"),
            ("stream-node-max-entries", "100"),
            ("set-max-intset-entries", "512"),
            ("hash-max-ziplist-entries", "512"),
            ("zset-max-listpack-entries", "128"),
        ])
    );
    assert_eq!(config_map(&mut c, "?z"), map_of(&[("hz", "10")]));
    assert_eq!(
        config_map(&mut c, "lazyfree-lazy-[eu]*"),
        map_of(&[
            ("lazyfree-lazy-eviction", "no"),
            ("lazyfree-lazy-expire", "no"),
            ("lazyfree-lazy-user-del", "no"),
            ("lazyfree-lazy-user-flush", "no"),
        ])
    );
    // several patterns, overlapping results are not duplicated
    let r = c.cmd_str("CONFIG GET maxmemory* maxmemory-policy");
    assert_eq!(r.array().len(), 10);
    // everything
    let all = config_map(&mut c, "*");
    assert!(all.len() > 150, "only {} params", all.len());
    for k in ["maxmemory", "port", "bind", "save", "appendonly", "databases", "dir", "hz"] {
        assert!(all.contains_key(k), "missing {}", k);
    }
}

#[test]
fn config_set_values_and_units() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    for (v, exp) in [
        ("100mb", "104857600"),
        ("1gb", "1073741824"),
        ("1G", "1000000000"),
        ("1k", "1000"),
        ("1K", "1000"),
        ("1kb", "1024"),
        ("1m", "1000000"),
        ("100B", "100"),
        ("100b", "100"),
        ("5gb", "5368709120"),
        ("9223372036854775808", "9223372036854775808"),
        // saturates on overflow
        ("99999999999999999999", "18446744073709551615"),
        ("", "0"),
        ("0", "0"),
    ] {
        assert_reply!(c, ["CONFIG", "SET", "maxmemory", v], b"+OK\r\n");
        assert_eq!(config_map(&mut c, "maxmemory"), map_of(&[("maxmemory", exp)]), "maxmemory {}", v);
    }
    let mem = cfg_err("maxmemory", "argument must be a memory value");
    assert_reply!(c, "CONFIG SET maxmemory abc", mem);
    assert_reply!(c, "CONFIG SET maxmemory -1", mem);
    assert_reply!(c, "CONFIG SET maxmemory 1.5mb", mem);
    assert_reply!(c, "CONFIG SET maxmemory 1tb", mem);

    assert_reply!(c, "CONFIG SET maxmemory-policy allkeys-lru", b"+OK\r\n");
    assert_reply!(c, "CONFIG SET maxmemory-policy ALLKEYS-LFU", b"+OK\r\n");
    assert_reply!(
        c,
        "CONFIG GET maxmemory-policy",
        b"*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lfu\r\n"
    );
    assert_reply!(c, "CONFIG SET maxmemory-policy noeviction", b"+OK\r\n");

    assert_reply!(c, "CONFIG SET lazyfree-lazy-eviction yes", b"+OK\r\n");
    assert_reply!(
        c,
        "CONFIG GET lazyfree-lazy-eviction",
        b"*2\r\n$22\r\nlazyfree-lazy-eviction\r\n$3\r\nyes\r\n"
    );
    assert_reply!(c, "CONFIG SET lazyfree-lazy-eviction NO", b"+OK\r\n");
    assert_reply!(
        c,
        "CONFIG GET lazyfree-lazy-eviction",
        b"*2\r\n$22\r\nlazyfree-lazy-eviction\r\n$2\r\nno\r\n"
    );

    // hz is clamped to [1, 500]
    assert_reply!(c, "CONFIG SET hz 0", b"+OK\r\n");
    assert_reply!(c, "CONFIG GET hz", b"*2\r\n$2\r\nhz\r\n$1\r\n1\r\n");
    assert_reply!(c, "CONFIG SET hz 1000", b"+OK\r\n");
    assert_reply!(c, "CONFIG GET hz", b"*2\r\n$2\r\nhz\r\n$3\r\n500\r\n");
    assert_reply!(c, "CONFIG SET hz 10", b"+OK\r\n");

    assert_reply!(c, ["CONFIG", "SET", "save", "100 10"], b"+OK\r\n");
    assert_reply!(c, "CONFIG GET save", b"*2\r\n$4\r\nsave\r\n$6\r\n100 10\r\n");
    assert_reply!(c, ["CONFIG", "SET", "save", ""], b"+OK\r\n");
    assert_reply!(c, "CONFIG GET save", b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n");

    assert_reply!(c, "CONFIG SET loglevel warning", b"+OK\r\n");
    assert_reply!(c, "CONFIG GET loglevel", b"*2\r\n$8\r\nloglevel\r\n$7\r\nwarning\r\n");
    // notify-keyspace-events is normalised
    assert_reply!(c, "CONFIG SET notify-keyspace-events KEA", b"+OK\r\n");
    assert_reply!(
        c,
        "CONFIG GET notify-keyspace-events",
        b"*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n"
    );
    assert_reply!(c, ["CONFIG", "SET", "notify-keyspace-events", ""], b"+OK\r\n");
    assert_reply!(
        c,
        "CONFIG GET notify-keyspace-events",
        b"*2\r\n$22\r\nnotify-keyspace-events\r\n$0\r\n\r\n"
    );

    // percent values
    assert_reply!(c, "CONFIG SET maxmemory-clients 10%", b"+OK\r\n");
    assert_reply!(
        c,
        "CONFIG GET maxmemory-clients",
        b"*2\r\n$17\r\nmaxmemory-clients\r\n$3\r\n10%\r\n"
    );
    assert_reply!(c, "CONFIG SET maxmemory-clients 0", b"+OK\r\n");

    // setting through an alias updates the real name
    assert_reply!(c, "CONFIG SET hash-max-ziplist-entries 100", b"+OK\r\n");
    assert_reply!(
        c,
        "CONFIG GET hash-max-listpack-entries",
        b"*2\r\n$25\r\nhash-max-listpack-entries\r\n$3\r\n100\r\n"
    );
    assert_reply!(c, "CONFIG SET lua-time-limit 4000", b"+OK\r\n");
    assert_eq!(
        config_map(&mut c, "lua-time-limit busy-reply-threshold"),
        map_of(&[("lua-time-limit", "4000"), ("busy-reply-threshold", "4000")])
    );
    // case-insensitive parameter names
    assert_reply!(c, "CONFIG SET MAXMEMORY 1mb", b"+OK\r\n");
    assert_reply!(c, "CONFIG GET maxmemory", b"*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n");
    assert_reply!(c, "CONFIG SET timeout 0", b"+OK\r\n");
}

#[test]
fn config_set_errors() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_reply!(
        c,
        "CONFIG SET nosuch 1",
        b"-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n"
    );
    assert_reply!(
        c,
        "CONFIG SET maxmemory 1 2 3",
        b"-ERR Unknown option or number of arguments for CONFIG SET - '2'\r\n"
    );
    assert_reply!(c, "CONFIG SET daemonize yes", cfg_err("daemonize", "can't set immutable config"));
    assert_reply!(c, "CONFIG SET databases 5", cfg_err("databases", "can't set immutable config"));
    assert_reply!(c, "CONFIG SET io-threads 2", cfg_err("io-threads", "can't set immutable config"));
    assert_reply!(
        c,
        "CONFIG SET enable-debug-command yes",
        cfg_err("enable-debug-command", "can't set immutable config")
    );
    assert_reply!(c, "CONFIG SET dir /nonexistent/xyz", cfg_err("dir", "can't set protected config"));
    assert_reply!(
        c,
        "CONFIG SET maxmemory-policy foo",
        cfg_err("maxmemory-policy", "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")
    );
    assert_reply!(
        c,
        "CONFIG SET loglevel foo",
        cfg_err(
            "loglevel",
            "argument(s) must be one of the following: debug, verbose, notice, warning"
        )
    );
    assert_reply!(
        c,
        "CONFIG SET appendfsync foo",
        cfg_err("appendfsync", "argument(s) must be one of the following: everysec, always, no")
    );
    assert_reply!(
        c,
        "CONFIG SET appendonly maybe",
        cfg_err("appendonly", "argument must be 'yes' or 'no'")
    );
    assert_reply!(c, "CONFIG SET hz abc", cfg_err("hz", "argument couldn't be parsed into an integer"));
    assert_reply!(
        c,
        "CONFIG SET hz -1",
        cfg_err("hz", "argument must be between 0 and 2147483647 inclusive")
    );
    assert_reply!(
        c,
        "CONFIG SET timeout -1",
        cfg_err("timeout", "argument must be between 0 and 2147483647 inclusive")
    );
    assert_reply!(
        c,
        "CONFIG SET timeout 99999999999",
        cfg_err("timeout", "argument must be between 0 and 2147483647 inclusive")
    );
    assert_reply!(
        c,
        "CONFIG SET maxclients 0",
        cfg_err("maxclients", "argument must be between 1 and 4294967295 inclusive")
    );
    assert_reply!(
        c,
        "CONFIG SET port 99999",
        cfg_err("port", "argument must be between 0 and 65535 inclusive")
    );
    assert_reply!(
        c,
        "CONFIG SET proto-max-bulk-len 100",
        cfg_err(
            "proto-max-bulk-len",
            "argument must be between 1048576 and 9223372036854775807 inclusive"
        )
    );
    assert_reply!(
        c,
        "CONFIG SET list-max-listpack-size abc",
        cfg_err("list-max-listpack-size", "argument couldn't be parsed into an integer")
    );
    assert_reply!(c, "CONFIG SET save abc", cfg_err("save", "Invalid save parameters"));
    assert_reply!(
        c,
        ["CONFIG", "SET", "save", "100 10 200"],
        cfg_err("save", "Invalid save parameters")
    );
    assert_reply!(
        c,
        "CONFIG SET notify-keyspace-events bad",
        cfg_err("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    );
    assert_reply!(c, "CONFIG SET maxmemory 1 maxmemory 2", cfg_err("maxmemory", "duplicate parameter"));
    assert_reply!(
        c,
        "CONFIG SET maxmemory-policy allkeys-lru maxmemory-policy noeviction",
        cfg_err("maxmemory-policy", "duplicate parameter")
    );
    assert_reply!(
        c,
        "CONFIG SET maxmemory",
        b"-ERR wrong number of arguments for 'config|set' command\r\n"
    );
    assert_reply!(c, "CONFIG SET", b"-ERR wrong number of arguments for 'config|set' command\r\n");
    assert_reply!(c, "CONFIG SET maxmemory 1 maxmemory-policy", b"-ERR syntax error\r\n");
    // nothing changed
    assert_reply!(c, "CONFIG GET maxmemory", b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
    assert_reply!(
        c,
        "CONFIG GET maxmemory-policy",
        b"*2\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n"
    );
    assert_reply!(c, "CONFIG GET hz", b"*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
}

#[test]
fn config_set_multiple_is_atomic() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_reply!(c, "CONFIG SET maxmemory 10mb maxmemory-policy volatile-lru", b"+OK\r\n");
    assert_eq!(
        config_map(&mut c, "maxmemory maxmemory-policy"),
        map_of(&[("maxmemory", "10485760"), ("maxmemory-policy", "volatile-lru")])
    );
    // one bad value: nothing is applied
    assert_reply!(
        c,
        "CONFIG SET maxmemory 20mb maxmemory-policy bad",
        cfg_err("maxmemory-policy", "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")
    );
    assert_reply!(
        c,
        "CONFIG SET maxmemory 30mb lazyfree-lazy-eviction maybe",
        cfg_err("lazyfree-lazy-eviction", "argument must be 'yes' or 'no'")
    );
    assert_reply!(
        c,
        "CONFIG SET daemonize yes maxmemory 10",
        cfg_err("daemonize", "can't set immutable config")
    );
    assert_reply!(
        c,
        "CONFIG SET nosuch 1 maxmemory 10",
        b"-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n"
    );
    assert_reply!(
        c,
        "CONFIG SET maxmemory 10 nosuch 1",
        b"-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n"
    );
    assert_eq!(
        config_map(&mut c, "maxmemory maxmemory-policy"),
        map_of(&[("maxmemory", "10485760"), ("maxmemory-policy", "volatile-lru")])
    );
    assert_reply!(c, "CONFIG SET hz 20 timeout 30 maxmemory 0 maxmemory-policy noeviction", b"+OK\r\n");
    assert_eq!(config_map(&mut c, "hz"), map_of(&[("hz", "20")]));
    assert_eq!(config_map(&mut c, "timeout"), map_of(&[("timeout", "30")]));
}

#[test]
fn config_from_command_line_args() {
    let s = Server::start(&["--maxmemory", "10mb", "--maxmemory-policy", "allkeys-lru", "--hz", "15"]);
    let mut c = s.conn();
    assert_eq!(
        config_map(&mut c, "maxmemory maxmemory-policy hz"),
        map_of(&[("maxmemory", "10485760"), ("maxmemory-policy", "allkeys-lru"), ("hz", "15")])
    );
    // later arguments override earlier ones
    let s2 = Server::start(&["--hz", "15", "--hz", "25", "--databases", "4"]);
    let mut c2 = s2.conn();
    assert_reply!(c2, "CONFIG GET hz", b"*2\r\n$2\r\nhz\r\n$2\r\n25\r\n");
    assert_reply!(c2, "CONFIG GET databases", b"*2\r\n$9\r\ndatabases\r\n$1\r\n4\r\n");
    assert_reply!(c2, "SELECT 3", b"+OK\r\n");
    assert_reply!(c2, "SELECT 4", b"-ERR DB index is out of range\r\n");
}

#[test]
fn config_resetstat_and_help() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    c.cmd_str("SET a 1");
    c.cmd_str("GET a");
    c.cmd_str("NOSUCHCMD");
    assert_reply!(c, "CONFIG RESETSTAT", b"+OK\r\n");
    let info = c.cmd_str("INFO stats").str();
    assert!(info.contains("\r\ntotal_error_replies:0\r\n"), "{}", info);
    assert!(info.contains("\r\nkeyspace_hits:0\r\n"), "{}", info);
    // Help prose is our own; the frame (header, subcommands, footer) is Redis's.
    let help = c.cmd_str("CONFIG HELP").strings();
    assert_eq!(help[0], "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    for sub in ["GET <pattern>", "SET <directive> <value>", "RESETSTAT", "REWRITE"] {
        assert!(help.iter().any(|l| l == sub), "missing {sub} in {help:?}");
    }
    assert_eq!(help[help.len() - 2..], ["HELP".to_string(), "    Prints this help.".to_string()]);
    assert_reply!(c, "CONFIG FOO", b"-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n");
}

#[test]
fn info_sections() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    let headers = |text: &str| -> Vec<String> { text.split("\r\n").filter(|l| l.starts_with('#')).map(|l| l.to_string()).collect() };
    let default = [
        "# Server",
        "# Clients",
        "# Memory",
        "# Persistence",
        "# Stats",
        "# Replication",
        "# CPU",
        "# Modules",
        "# Errorstats",
        "# Cluster",
        "# Keyspace",
    ];
    let all = [
        "# Server",
        "# Clients",
        "# Memory",
        "# Persistence",
        "# Stats",
        "# Replication",
        "# CPU",
        "# Modules",
        "# Commandstats",
        "# Errorstats",
        "# Latencystats",
        "# Cluster",
        "# Keyspace",
    ];
    let info = c.cmd_str("INFO").str();
    assert_eq!(headers(&info), default);
    assert_eq!(headers(&c.cmd_str("INFO default").str()), default);
    assert_eq!(headers(&c.cmd_str("INFO all").str()), all);
    assert_eq!(headers(&c.cmd_str("INFO everything").str()), all);
    assert!(info.ends_with("\r\n"));
    let server = c.cmd_str("INFO server").str();
    assert!(server.starts_with("# Server\r\nredis_version:7.0.15\r\n"), "{}", server);
    assert_eq!(headers(&server), ["# Server"]);
    assert!(server.contains("\r\nredis_mode:standalone\r\n"));
    assert!(server.contains(&format!("\r\ntcp_port:{}\r\n", s.port())));
    assert!(server.contains("\r\narch_bits:64\r\n"));
    assert!(server.contains("\r\nrun_id:"));
    assert!(server.contains("\r\nuptime_in_seconds:"));
    // case-insensitive, multiple sections
    let two = c.cmd_str("INFO SERVER clients").str();
    assert_eq!(headers(&two), ["# Server", "# Clients"]);
    assert!(two.contains("\r\nconnected_clients:1\r\n"), "{}", two);
    assert_reply!(c, "INFO nosuch", b"$0\r\n\r\n");
    let repl = c.cmd_str("INFO replication").str();
    assert!(
        repl.starts_with("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"),
        "{}",
        repl
    );
    let mem = c.cmd_str("INFO memory").str();
    assert!(mem.starts_with("# Memory\r\nused_memory:"), "{}", mem);
    // RESP3 returns a verbatim string
    c.cmd_str("HELLO 3");
    c.cmd_str("SET k v");
    assert_reply!(
        c,
        "INFO keyspace",
        b"=48\r\ntxt:# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n\r\n"
    );
}

#[test]
fn command_introspection() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    let n = c.cmd_str("COMMAND COUNT").int();
    assert!(n > 0, "COMMAND COUNT = {}", n);
    assert_reply!(
        c,
        "COMMAND COUNT x",
        b"-ERR wrong number of arguments for 'command|count' command\r\n"
    );
    let get_info: &[u8] = b"*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";
    let mut exp = b"*1\r\n".to_vec();
    exp.extend_from_slice(get_info);
    assert_reply!(c, "COMMAND INFO get", exp);
    assert_reply!(c, "COMMAND INFO GET", exp);
    let mut exp = b"*2\r\n".to_vec();
    exp.extend_from_slice(get_info);
    exp.extend_from_slice(b"$-1\r\n");
    assert_reply!(c, "COMMAND INFO get nosuch", exp);
    assert_reply!(c, "COMMAND INFO nosuch", b"*1\r\n$-1\r\n");
    // decoded shape of a few entries
    let r = c.cmd_str("COMMAND INFO set mset ping");
    let arr = r.array();
    assert_eq!(arr.len(), 3);
    let set = arr[0].array();
    assert_eq!(set.len(), 10);
    assert_eq!(set[0].str(), "set");
    assert_eq!(set[1], Reply::Int(-3));
    assert_eq!((set[3].int(), set[4].int(), set[5].int()), (1, 1, 1));
    let mset = arr[1].array();
    assert_eq!(mset[1], Reply::Int(-3));
    assert_eq!((mset[3].int(), mset[4].int(), mset[5].int()), (1, -1, 2));
    let ping = arr[2].array();
    assert_eq!(ping[1], Reply::Int(-1));
    assert_eq!((ping[3].int(), ping[4].int(), ping[5].int()), (0, 0, 0));
    // COMMAND without args lists every command
    let all = c.cmd_str("COMMAND");
    assert_eq!(all.array().len() as i64, n);
    // GETKEYS
    assert_reply!(c, "COMMAND GETKEYS SET a b", b"*1\r\n$1\r\na\r\n");
    assert_reply!(c, "COMMAND GETKEYS MSET a 1 b 2", b"*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    assert_reply!(c, "COMMAND GETKEYS LCS a b", b"*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    assert_reply!(c, "COMMAND GETKEYS COPY a b DB 1", b"*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    assert_reply!(
        c,
        "COMMAND GETKEYS ZUNIONSTORE dst 2 a b",
        b"*3\r\n$3\r\ndst\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
    assert_reply!(
        c,
        "COMMAND GETKEYS ZUNIONSTORE dst 5 a b",
        b"-ERR Invalid arguments specified for command\r\n"
    );
    assert_reply!(c, "COMMAND GETKEYS nosuch a", b"-ERR Invalid command specified\r\n");
    assert_reply!(c, "COMMAND GETKEYS PING x", b"-ERR The command has no key arguments\r\n");
    assert_reply!(
        c,
        "COMMAND GETKEYS GET a b",
        b"-ERR Invalid number of arguments specified for command\r\n"
    );
    assert_reply!(
        c,
        "COMMAND GETKEYS GET",
        b"-ERR wrong number of arguments for 'command|getkeys' command\r\n"
    );
    assert_reply!(
        c,
        "COMMAND GETKEYS",
        b"-ERR wrong number of arguments for 'command|getkeys' command\r\n"
    );
    assert_reply!(
        c,
        "COMMAND GETKEYSANDFLAGS SET a b",
        b"*1\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n"
    );
    let mut list = c.cmd_str("COMMAND LIST FILTERBY PATTERN get*").strings();
    list.sort();
    assert_eq!(list, ["get", "getbit", "getdel", "getex", "getrange", "getset"]);
    c.cmd_str("HELLO 3");
    assert_reply!(c, "COMMAND INFO nosuch", b"*1\r\n_\r\n");
}

#[test]
fn time_command() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    let r = c.cmd_str("TIME");
    let parts = r.array();
    assert_eq!(parts.len(), 2);
    let secs: i64 = parts[0].str().parse().unwrap();
    let usecs: i64 = parts[1].str().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((secs - now).abs() <= 2, "TIME {} vs {}", secs, now);
    assert!((0..1_000_000).contains(&usecs));
    assert!(matches!(parts[0], Reply::Bulk(Some(_))));
    assert!(matches!(parts[1], Reply::Bulk(Some(_))));
    assert_reply!(c, "TIME x", b"-ERR wrong number of arguments for 'time' command\r\n");
}

/// Active defragmentation is available (as in a Redis built with its own
/// jemalloc; Debian's redis-server 7.0.15 refuses `activedefrag yes`);
/// DEBUG MALLCTL / MALLCTL-STR reach jemalloc's controls.
#[test]
fn activedefrag_is_accepted_and_mallctl_reaches_jemalloc() {
    let s = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = s.conn();
    assert_eq!(c.cmd_str_raw("CONFIG SET activedefrag yes"), b"+OK\r\n");
    assert_eq!(c.cmd_str_raw("CONFIG GET activedefrag"), bulks(&["activedefrag", "yes"]));
    assert_eq!(c.cmd_str_raw("CONFIG SET activedefrag no"), b"+OK\r\n");
    assert_eq!(c.cmd_str_raw("CONFIG GET activedefrag"), bulks(&["activedefrag", "no"]));
    assert_eq!(c.cmd_str_raw("DEBUG MALLCTL arenas.page"), b":4096\r\n");
    assert_eq!(c.cmd_str_raw("DEBUG MALLCTL opt.narenas 5"), b"-ERR Operation not permitted\r\n");
    assert_eq!(c.cmd_str_raw("DEBUG MALLCTL no.such.thing"), b"-ERR No such file or directory\r\n");
    assert_eq!(
        c.cmd_str_raw("DEBUG MALLCTL arenas.page x"),
        b"-ERR value is not an integer or out of range\r\n"
    );
    assert!(c.cmd_str("DEBUG MALLCTL-STR version").str().starts_with("5."));
    assert_eq!(c.cmd_str_raw("DEBUG MALLCTL-STR thread.tcache.flush VOID"), b"+OK\r\n");
    // Fragmentation fields stay consistent with the allocator totals.
    let info = c.cmd_str("INFO memory").str();
    let field = |k: &str| -> f64 {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}:")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {k} in {info}"))
    };
    let ratio = field("allocator_frag_ratio");
    let expect = field("allocator_active") / field("allocator_allocated");
    assert!((ratio - expect).abs() < 0.02, "{ratio} vs {expect}");
    assert_eq!(field("active_defrag_running"), 0.0);
}

/// LOLWUT: the version line by default (the server is 7.0), Schotter for
/// VERSION 5 (deterministic top rows), the skyline for VERSION 6.
#[test]
fn lolwut_versions() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_eq!(c.cmd_str_raw("LOLWUT"), bulk("Redis ver. 7.0.15\n"));
    assert_eq!(c.cmd_str_raw("LOLWUT VERSION 7"), bulk("Redis ver. 7.0.15\n"));
    assert_eq!(c.cmd_str_raw("LOLWUT 5"), bulk("Redis ver. 7.0.15\n"));
    assert_eq!(
        c.cmd_str_raw("LOLWUT VERSION x"),
        b"-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        c.cmd_str_raw("LOLWUT VERSION 5 a"),
        b"-ERR value is not an integer or out of range\r\n"
    );
    // 20 columns, 4x4 squares: the first two rows of squares are straight.
    let five = c.cmd_str("LOLWUT VERSION 5 20 4 4").str();
    let lines: Vec<&str> = five.split('\n').collect();
    assert_eq!(lines[0], "⠀⡤⠤⠤⠤⣤⠤⠤⠤⢤⡤⠤⠤⠤⣤⠤⠤⠤⢤⠀");
    assert_eq!(lines[1], "⠀⡇⠀⠀⠀⣿⠀⠀⠀⢸⡇⠀⠀⠀⣿⠀⠀⠀⢸⠀");
    assert_eq!(lines[2], "⠀⣧⣤⣤⣤⣿⣤⣤⣤⣼⣧⣤⣤⣤⣿⣤⣤⣤⣼⠀");
    assert!(five.ends_with("\n\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n"));
    // Default size: 66 characters by 49 lines of art (9817 bytes in all).
    assert_eq!(c.cmd_str("LOLWUT VERSION 5").str().len(), 9817);
    // Clamped: one column, one square.
    assert_eq!(
        c.cmd_str("LOLWUT VERSION 5 -3 0 0").str(),
        "⠋\n\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n"
    );
    let six = c.cmd_str("LOLWUT VERSION 6 10 3").str();
    let art: Vec<&str> = six.split('\n').take(3).collect();
    for row in &art {
        assert_eq!(row.matches(" \x1b[0m").count(), 10, "{row:?}");
    }
    assert!(six.ends_with(
        "\nDedicated to the 8 bit game developers of past and present.\nOriginal 8 bit image from Plaguemon by hikikomori. Redis ver. 7.0.15\n"
    ));
    // RESP3: a verbatim string of type txt.
    c.cmd_str("HELLO 3");
    assert_eq!(c.cmd_str_raw("LOLWUT"), b"=22\r\ntxt:Redis ver. 7.0.15\n\r\n".to_vec());
}
