//! Client-side caching: CLIENT TRACKING and its invalidation messages, in
//! RESP2 (redirect to a `__redis__:invalidate` subscriber) and RESP3
//! (pushes on the same connection or to a RESP3 redirect client). Mirrors
//! parts of tests/unit/tracking.tcl, with exact bytes.

use redis_compat_tests::*;

fn client_id(c: &mut Conn) -> String {
    c.cmd_str("CLIENT ID").int().to_string()
}

#[test]
fn resp2_redirect_to_subscriber_across_connections() {
    let srv = Server::start(&[]);
    let mut reader = srv.conn();
    let mut listener = srv.conn();
    let mut writer = srv.conn();
    let id = client_id(&mut listener);
    check_bytes(
        &listener.cmd_str_raw("SUBSCRIBE __redis__:invalidate"),
        b"*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n",
        "subscribe",
    );
    check_bytes(
        &reader.cmd_raw(&[b"CLIENT", b"TRACKING", b"on", b"REDIRECT", id.as_bytes()]),
        b"+OK\r\n",
        "tracking on",
    );
    check_bytes(&reader.cmd_str_raw("CLIENT GETREDIR"), format!(":{id}\r\n").as_bytes(), "getredir");
    writer.cmd_str("SET k1 v1");
    check_bytes(&reader.cmd_str_raw("GET k1"), b"$2\r\nv1\r\n", "get");
    writer.cmd_str("SET k1 v2");
    check_bytes(
        &listener.read_raw_reply(),
        b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nk1\r\n",
        "invalidation",
    );
    // Told once: the key is no longer tracked until read again.
    writer.cmd_str("SET k1 v3");
    writer.cmd_str("SET other x");
    check_bytes(&listener.cmd_str_raw("PING"), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n", "nothing pending");
    // A flush invalidates everything with a null.
    reader.cmd_str("GET k1");
    writer.cmd_str("FLUSHALL");
    check_bytes(
        &listener.read_raw_reply(),
        b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n",
        "flush invalidation",
    );
    let info = reader.cmd_str("INFO").str();
    assert!(info.contains("tracking_clients:1\r\n"), "{info}");
    check_bytes(&reader.cmd_str_raw("CLIENT TRACKING off"), b"+OK\r\n", "tracking off");
    check_bytes(&reader.cmd_str_raw("CLIENT GETREDIR"), b":-1\r\n", "getredir off");
}

#[test]
fn resp3_push_on_same_connection_comes_after_the_reply() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let mut other = srv.conn();
    c.cmd_str("HELLO 3");
    c.cmd_str("CLIENT TRACKING on");
    c.cmd_str("SET a 1");
    c.cmd_str("GET a");
    // The client's own write: reply first, then the push.
    check_bytes(&c.cmd_str_raw("INCR a"), b":2\r\n", "incr reply");
    check_bytes(&c.read_raw_reply(), b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\na\r\n", "push");
    // Another client's write reaches us before our next reply.
    c.cmd_str("GET a");
    other.cmd_str("SET a 5");
    check_bytes(
        &c.cmd_str_raw("PING"),
        b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\na\r\n",
        "push first",
    );
    check_bytes(&c.read_raw_reply(), b"+PONG\r\n", "then pong");
    // Flush: a null push.
    c.cmd_str("GET a");
    check_bytes(&c.cmd_str_raw("FLUSHDB"), b"+OK\r\n", "flushdb");
    check_bytes(&c.read_raw_reply(), b">2\r\n$10\r\ninvalidate\r\n_\r\n", "null push");
}

#[test]
fn resp3_redirect_and_broken_redirect() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let mut target = srv.conn();
    let mut writer = srv.conn();
    target.cmd_str("HELLO 3");
    let id = client_id(&mut target);
    c.cmd_str("HELLO 3");
    c.cmd(&[b"CLIENT", b"TRACKING", b"on", b"REDIRECT", id.as_bytes()]);
    c.cmd_str("GET k");
    writer.cmd_str("SET k 1");
    check_bytes(
        &target.read_raw_reply(),
        b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n",
        "redirected push",
    );
    // The redirect client goes away: the tracking client is told.
    target.cmd_str("QUIT");
    c.cmd_str("GET k");
    writer.cmd_str("SET k 2");
    let mut got = Vec::new();
    for _ in 0..50 {
        let r = c.cmd_str_raw("PING");
        if r.starts_with(b">2") {
            got = r;
            c.read_raw_reply();
            break;
        }
    }
    check_bytes(
        &got,
        format!(">2\r\n$21\r\ntracking-redir-broken\r\n:{id}\r\n").as_bytes(),
        "broken redirect push",
    );
    let info = c.cmd_str("CLIENT TRACKINGINFO");
    assert_eq!(
        info.field("flags").map(|f| f.strings()),
        Some(vec!["on".to_string(), "broken_redirect".to_string()])
    );
}

#[test]
fn bcast_prefixes_noloop_and_errors() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let mut other = srv.conn();
    c.cmd_str("HELLO 3");
    check_bytes(
        &c.cmd_str_raw("CLIENT TRACKING on BCAST PREFIX foo PREFIX fo"),
        b"-ERR Prefix 'foo' overlaps with another provided prefix 'fo'. Prefixes for a single client must not overlap.\r\n",
        "overlap",
    );
    check_bytes(
        &c.cmd_str_raw("CLIENT TRACKING on PREFIX foo"),
        b"-ERR PREFIX option requires BCAST mode to be enabled\r\n",
        "prefix without bcast",
    );
    check_bytes(
        &c.cmd_str_raw("CLIENT TRACKING on BCAST OPTIN"),
        b"-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n",
        "optin bcast",
    );
    check_bytes(
        &c.cmd_str_raw("CLIENT TRACKING on BCAST PREFIX a: PREFIX b: NOLOOP"),
        b"+OK\r\n",
        "bcast on",
    );
    check_bytes(
        &c.cmd_str_raw("CLIENT TRACKING on BCAST PREFIX a:x"),
        b"-ERR Prefix 'a:x' overlaps with an existing prefix 'a:'. Prefixes for a single client must not overlap.\r\n",
        "existing overlap",
    );
    // Our own writes are not echoed back (NOLOOP); another client's are,
    // batched per prefix in key order.
    c.cmd_str("SET a:1 x");
    other.cmd_str("MSET a:3 x a:2 x c:1 x");
    check_bytes(
        &c.cmd_str_raw("PING"),
        b">2\r\n$10\r\ninvalidate\r\n*2\r\n$3\r\na:2\r\n$3\r\na:3\r\n",
        "bcast push",
    );
    check_bytes(&c.read_raw_reply(), b"+PONG\r\n", "pong");
    let info = c.cmd_str("CLIENT TRACKINGINFO");
    assert_eq!(
        info.field("prefixes").map(|f| f.strings()),
        Some(vec!["a:".to_string(), "b:".to_string()])
    );
}

#[test]
fn optin_optout_caching() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let mut other = srv.conn();
    c.cmd_str("HELLO 3");
    check_bytes(
        &c.cmd_str_raw("CLIENT CACHING yes"),
        b"-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n",
        "caching without tracking",
    );
    c.cmd_str("CLIENT TRACKING on OPTIN");
    c.cmd_str("GET notcached");
    check_bytes(&c.cmd_str_raw("CLIENT CACHING yes"), b"+OK\r\n", "caching yes");
    c.cmd_str("GET cached");
    other.cmd_str("SET notcached 1");
    other.cmd_str("SET cached 1");
    check_bytes(
        &c.cmd_str_raw("PING"),
        b">2\r\n$10\r\ninvalidate\r\n*1\r\n$6\r\ncached\r\n",
        "only the opted-in key",
    );
    check_bytes(&c.read_raw_reply(), b"+PONG\r\n", "pong");
    check_bytes(
        &c.cmd_str_raw("CLIENT CACHING no"),
        b"-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n",
        "caching no in optin",
    );
}

#[test]
fn tracking_table_limit_evicts_with_invalidation() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    c.cmd_str("HELLO 3");
    c.cmd_str("CLIENT TRACKING on");
    for i in 0..10 {
        c.cmd_str(&format!("GET key{i}"));
    }
    let info = c.cmd_str("INFO stats").str();
    assert!(info.contains("tracking_total_keys:10\r\n"), "{info}");
    c.cmd_str("CONFIG SET tracking-table-max-keys 4");
    // The next command trims the table; the evicted keys are invalidated
    // before its reply.
    let mut pushes = 0;
    let r = c.cmd_str_raw("PING");
    if r != b"+PONG\r\n" {
        assert!(r.starts_with(b">2\r\n$10\r\ninvalidate\r\n*1\r\n"), "{}", escape(&r));
        pushes += 1;
        while c.read_raw_reply().starts_with(b">2") {
            pushes += 1;
        }
    }
    assert_eq!(pushes, 6);
    let info = c.cmd_str("INFO stats").str();
    assert!(info.contains("tracking_total_keys:4\r\n"), "{info}");
}
