//! CLIENT subcommands and AUTH. Mirrors tests/unit/introspection.tcl and
//! tests/unit/auth.tcl.

use redis_compat_tests::*;
use std::time::Duration;

const FIELDS: [&str; 28] = [
    "id",
    "addr",
    "laddr",
    "fd",
    "name",
    "age",
    "idle",
    "flags",
    "db",
    "sub",
    "psub",
    "ssub",
    "multi",
    "qbuf",
    "qbuf-free",
    "argv-mem",
    "multi-mem",
    "rbs",
    "rbp",
    "obl",
    "oll",
    "omem",
    "tot-mem",
    "events",
    "cmd",
    "user",
    "redir",
    "resp",
];

fn field<'a>(fields: &'a [(String, String)], k: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no field {} in {:?}", k, fields))
}

fn is_uint(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Check the shape of one CLIENT LIST / CLIENT INFO line.
fn check_client_line(line: &str, port: u16) -> Vec<(String, String)> {
    let f = parse_kv_fields(line);
    let names: Vec<&str> = f.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, FIELDS, "field names/order in {:?}", line);
    for k in [
        "id",
        "fd",
        "age",
        "idle",
        "db",
        "sub",
        "psub",
        "ssub",
        "qbuf",
        "qbuf-free",
        "argv-mem",
        "multi-mem",
        "rbs",
        "rbp",
        "obl",
        "oll",
        "omem",
        "tot-mem",
    ] {
        assert!(is_uint(field(&f, k)), "{}={} not numeric in {:?}", k, field(&f, k), line);
    }
    let addr = field(&f, "addr");
    assert!(glob_match(b"127.0.0.1:*", addr.as_bytes()), "addr {}", addr);
    assert_eq!(field(&f, "laddr"), format!("127.0.0.1:{}", port));
    assert_eq!(field(&f, "user"), "default");
    assert_eq!(field(&f, "redir"), "-1");
    f
}

#[test]
fn client_id_increases() {
    let s = Server::start(&[]);
    let mut a = s.conn();
    let mut b = s.conn();
    let ia = a.cmd_str("CLIENT ID").int();
    let ib = b.cmd_str("CLIENT ID").int();
    assert!(ia > 0 && ib > ia, "{} {}", ia, ib);
    assert_reply!(a, "CLIENT ID", format!(":{}\r\n", ia));
    assert_reply!(a, "CLIENT ID x", b"-ERR wrong number of arguments for 'client|id' command\r\n");
}

#[test]
fn client_setname_getname() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_reply!(c, "CLIENT GETNAME", b"$-1\r\n");
    assert_reply!(c, "CLIENT SETNAME foo", b"+OK\r\n");
    assert_reply!(c, "CLIENT GETNAME", b"$3\r\nfoo\r\n");
    let bad = b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n";
    assert_reply!(c, ["CLIENT", "SETNAME", "a b"], bad);
    assert_reply!(c, ["CLIENT", "SETNAME", "a\nb"], bad);
    assert_reply!(c, ["CLIENT", "SETNAME", "caf\u{e9}"], bad);
    assert_reply!(c, ["CLIENT", "SETNAME", "a\x7fb"], bad);
    assert_reply!(c, "CLIENT GETNAME", b"$3\r\nfoo\r\n");
    assert_reply!(c, ["CLIENT", "SETNAME", "!~"], b"+OK\r\n");
    assert_reply!(c, "CLIENT GETNAME", b"$2\r\n!~\r\n");
    // empty name removes it
    assert_reply!(c, ["CLIENT", "SETNAME", ""], b"+OK\r\n");
    assert_reply!(c, "CLIENT GETNAME", b"$-1\r\n");
    assert_reply!(
        c,
        "CLIENT SETNAME",
        b"-ERR wrong number of arguments for 'client|setname' command\r\n"
    );
    assert_reply!(
        c,
        "CLIENT SETNAME a b",
        b"-ERR wrong number of arguments for 'client|setname' command\r\n"
    );
    assert_reply!(
        c,
        "CLIENT GETNAME x",
        b"-ERR wrong number of arguments for 'client|getname' command\r\n"
    );
    c.cmd_str("HELLO 3");
    assert_reply!(c, "CLIENT GETNAME", b"_\r\n");
}

#[test]
fn client_info_format() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    let id = c.cmd_str("CLIENT ID").int();
    c.cmd_str("CLIENT SETNAME myconn");
    c.cmd_str("SELECT 2");
    let raw = c.cmd_str_raw("CLIENT INFO");
    assert!(raw.starts_with(b"$"), "CLIENT INFO must be a bulk string: {}", escape(&raw));
    let info = parse_reply(&raw).str();
    assert!(info.ends_with('\n') && !info.ends_with("\r\n"), "{:?}", info);
    assert_eq!(info.matches('\n').count(), 1);
    let f = check_client_line(&info, s.port());
    assert_eq!(field(&f, "id"), id.to_string());
    assert_eq!(field(&f, "name"), "myconn");
    assert_eq!(field(&f, "flags"), "N");
    assert_eq!(field(&f, "db"), "2");
    assert_eq!(field(&f, "multi"), "-1");
    assert_eq!(field(&f, "events"), "r");
    assert_eq!(field(&f, "cmd"), "client|info");
    assert_eq!(field(&f, "resp"), "2");
    assert_eq!(field(&f, "sub"), "0");
    // The address matches our local socket.
    let local = c.stream().local_addr().unwrap().to_string();
    assert_eq!(field(&f, "addr"), local);
    // RESP3: verbatim string
    c.cmd_str("HELLO 3");
    let raw = c.cmd_str_raw("CLIENT INFO");
    assert!(raw.starts_with(b"="), "{}", escape(&raw));
    let r = parse_reply(&raw);
    match &r {
        Reply::Verbatim(fmt, body) => {
            assert_eq!(fmt, "txt");
            let f = check_client_line(&String::from_utf8_lossy(body), s.port());
            assert_eq!(field(&f, "resp"), "3");
        }
        other => panic!("expected verbatim, got {:?}", other),
    }
    assert_reply!(c, "CLIENT INFO x", b"-ERR wrong number of arguments for 'client|info' command\r\n");
}

#[test]
fn client_list_format_and_filters() {
    let s = Server::start(&[]);
    let mut a = s.conn();
    let mut b = s.conn();
    let ia = a.cmd_str("CLIENT ID").int();
    let ib = b.cmd_str("CLIENT ID").int();
    b.cmd_str("CLIENT SETNAME bee");
    b.cmd_str("MULTI");
    b.cmd_str("PING");
    b.cmd_str("PING");
    let list = a.cmd_str("CLIENT LIST").str();
    let lines: Vec<&str> = list.split_terminator('\n').collect();
    assert_eq!(lines.len(), 2, "{:?}", list);
    assert!(list.ends_with('\n'));
    let fa = check_client_line(lines[0], s.port());
    let fb = check_client_line(lines[1], s.port());
    // ordered by id
    assert_eq!(field(&fa, "id"), ia.to_string());
    assert_eq!(field(&fb, "id"), ib.to_string());
    assert_eq!(field(&fa, "cmd"), "client|list");
    assert_eq!(field(&fb, "name"), "bee");
    assert_eq!(field(&fb, "flags"), "x");
    assert_eq!(field(&fb, "multi"), "2");
    assert_eq!(field(&fb, "cmd"), "ping");
    b.cmd_str("DISCARD");

    // filters
    let only_b = a.cmd_str(&format!("CLIENT LIST ID {}", ib)).str();
    assert_eq!(only_b.matches('\n').count(), 1);
    assert!(only_b.starts_with(&format!("id={} ", ib)));
    let both = a.cmd_str(&format!("CLIENT LIST ID {} {} 99999", ib, ia)).str();
    assert_eq!(both.matches('\n').count(), 2);
    assert_reply!(a, "CLIENT LIST ID 99999", b"$0\r\n\r\n");
    assert_reply!(a, "CLIENT LIST ID 0", b"$0\r\n\r\n");
    let normal = a.cmd_str("CLIENT LIST TYPE normal").str();
    assert_eq!(normal.matches('\n').count(), 2);
    let normal2 = a.cmd_str("CLIENT LIST TYPE NORMAL").str();
    assert_eq!(normal2.matches('\n').count(), 2);
    assert_reply!(a, "CLIENT LIST TYPE pubsub", b"$0\r\n\r\n");
    assert_reply!(a, "CLIENT LIST TYPE replica", b"$0\r\n\r\n");
    assert_reply!(a, "CLIENT LIST TYPE slave", b"$0\r\n\r\n");
    assert_reply!(a, "CLIENT LIST TYPE master", b"$0\r\n\r\n");
    assert_reply!(a, "CLIENT LIST TYPE foo", b"-ERR Unknown client type 'foo'\r\n");
    assert_reply!(a, "CLIENT LIST ID abc", b"-ERR Invalid client ID\r\n");
    assert_reply!(a, "CLIENT LIST FOO", b"-ERR syntax error\r\n");
    assert_reply!(a, "CLIENT LIST TYPE", b"-ERR syntax error\r\n");
    assert_reply!(a, "CLIENT LIST ID", b"-ERR syntax error\r\n");
    assert_reply!(a, "CLIENT LIST TYPE normal x", b"-ERR syntax error\r\n");
    // a pubsub client
    b.cmd_str("SUBSCRIBE ch");
    let ps = a.cmd_str("CLIENT LIST TYPE pubsub").str();
    let fps = check_client_line(ps.trim_end_matches('\n'), s.port());
    assert_eq!(field(&fps, "id"), ib.to_string());
    assert_eq!(field(&fps, "flags"), "P");
    assert_eq!(field(&fps, "sub"), "1");
    // a closed connection disappears
    drop(b);
    let mut n = 0;
    for _ in 0..100 {
        n = a.cmd_str("CLIENT LIST").str().matches('\n').count();
        if n == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(n, 1);
}

#[test]
fn client_kill_filters() {
    let s = Server::start(&[]);
    let mut me = s.conn();
    let my_id = me.cmd_str("CLIENT ID").int();

    // old form: CLIENT KILL addr:port
    let mut v1 = s.conn();
    v1.cmd_str("PING"); // make sure the server has accepted it
    let v1_addr = v1.stream().local_addr().unwrap().to_string();
    assert_reply!(me, ["CLIENT", "KILL", v1_addr.as_str()], b"+OK\r\n");
    v1.expect_closed();
    assert_reply!(me, ["CLIENT", "KILL", v1_addr.as_str()], b"-ERR No such client\r\n");
    assert_reply!(me, "CLIENT KILL 1.2.3.4:5", b"-ERR No such client\r\n");

    // ID
    let mut v2 = s.conn();
    let v2_id = v2.cmd_str("CLIENT ID").int();
    assert_reply!(me, &format!("CLIENT KILL ID {}", v2_id), b":1\r\n");
    v2.expect_closed();
    assert_reply!(me, &format!("CLIENT KILL ID {}", v2_id), b":0\r\n");

    // ADDR / LADDR
    let mut v3 = s.conn();
    v3.cmd_str("PING");
    let v3_addr = v3.stream().local_addr().unwrap().to_string();
    assert_reply!(me, ["CLIENT", "KILL", "ADDR", v3_addr.as_str()], b":1\r\n");
    v3.expect_closed();
    assert_reply!(me, "CLIENT KILL ADDR 1.2.3.4:5", b":0\r\n");
    assert_reply!(me, "CLIENT KILL LADDR 1.1.1.1:1", b":0\r\n");
    let mut v4 = s.conn();
    let mut v5 = s.conn();
    v4.cmd_str("PING");
    v5.cmd_str("PING");
    let laddr = format!("127.0.0.1:{}", s.port());
    // SKIPME defaults to yes
    assert_reply!(me, ["CLIENT", "KILL", "LADDR", laddr.as_str()], b":2\r\n");
    v4.expect_closed();
    v5.expect_closed();

    // TYPE / USER
    let mut v6 = s.conn();
    v6.cmd_str("PING");
    assert_reply!(me, "CLIENT KILL TYPE normal", b":1\r\n");
    v6.expect_closed();
    assert_reply!(me, "CLIENT KILL TYPE pubsub", b":0\r\n");
    let mut v7 = s.conn();
    v7.cmd_str("PING");
    assert_reply!(me, "CLIENT KILL USER default", b":1\r\n");
    v7.expect_closed();
    // combined filters must all match
    let mut v8 = s.conn();
    let v8_id = v8.cmd_str("CLIENT ID").int();
    assert_reply!(me, &format!("CLIENT KILL ID {} TYPE pubsub", v8_id), b":0\r\n");
    assert_reply!(me, &format!("CLIENT KILL ID {} TYPE normal", v8_id), b":1\r\n");
    v8.expect_closed();

    // errors
    assert_reply!(me, "CLIENT KILL ID abc", b"-ERR client-id should be greater than 0\r\n");
    assert_reply!(me, "CLIENT KILL ID 0", b"-ERR client-id should be greater than 0\r\n");
    assert_reply!(me, "CLIENT KILL ID -1", b"-ERR client-id should be greater than 0\r\n");
    assert_reply!(me, "CLIENT KILL TYPE foo", b"-ERR Unknown client type 'foo'\r\n");
    assert_reply!(me, "CLIENT KILL USER nouser", b"-ERR No such user 'nouser'\r\n");
    assert_reply!(me, "CLIENT KILL SKIPME maybe", b"-ERR syntax error\r\n");
    assert_reply!(me, "CLIENT KILL FOO bar", b"-ERR syntax error\r\n");
    assert_reply!(me, "CLIENT KILL MAXAGE 10", b"-ERR syntax error\r\n");
    // with three args the old form is used: "ADDR" is taken as an address
    assert_reply!(me, "CLIENT KILL ADDR", b"-ERR No such client\r\n");
    assert_reply!(me, "CLIENT KILL", b"-ERR wrong number of arguments for 'client|kill' command\r\n");
    assert_reply!(me, "CLIENT KILL SKIPME yes", b":0\r\n");
    assert_reply!(me, &format!("CLIENT KILL ID {}", my_id), b":0\r\n");

    // SKIPME no kills the caller too, after replying
    assert_reply!(me, &format!("CLIENT KILL ID {} SKIPME no", my_id), b":1\r\n");
    me.expect_closed();
    let mut c = s.conn();
    assert_reply!(c, "PING", b"+PONG\r\n");
}

#[test]
fn client_reply_off_on_skip() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    let quiet = Duration::from_millis(100);
    c.send_cmd(&[b"CLIENT", b"REPLY", b"OFF"]);
    c.send_cmd(&[b"PING"]);
    c.send_cmd(&[b"SET", b"a", b"1"]);
    c.send_cmd(&[b"NOSUCH"]); // errors are suppressed too
    c.send_cmd(&[b"GET"]);
    c.expect_no_reply(quiet);
    assert_reply!(c, "CLIENT REPLY ON", b"+OK\r\n");
    assert_reply!(c, "GET a", b"$1\r\n1\r\n");

    c.send_cmd(&[b"CLIENT", b"REPLY", b"SKIP"]);
    c.send_cmd(&[b"INCR", b"a"]);
    assert_reply!(c, "INCR a", b":3\r\n");

    // SKIP then ON: the ON reply is sent
    c.send_cmd(&[b"CLIENT", b"REPLY", b"SKIP"]);
    assert_reply!(c, "CLIENT REPLY ON", b"+OK\r\n");
    assert_reply!(c, "PING", b"+PONG\r\n");

    // SKIP then OFF: still off
    c.send_cmd(&[b"CLIENT", b"REPLY", b"SKIP"]);
    c.send_cmd(&[b"CLIENT", b"REPLY", b"OFF"]);
    c.send_cmd(&[b"PING"]);
    c.expect_no_reply(quiet);
    assert_reply!(c, "client reply on", b"+OK\r\n");

    assert_reply!(c, "CLIENT REPLY foo", b"-ERR syntax error\r\n");
    assert_reply!(c, "CLIENT REPLY", b"-ERR wrong number of arguments for 'client|reply' command\r\n");
    assert_reply!(
        c,
        "CLIENT REPLY on off",
        b"-ERR wrong number of arguments for 'client|reply' command\r\n"
    );
    // pipelined: only the non-skipped replies
    let mut buf = Vec::new();
    buf.extend(encode_cmd(&[b"CLIENT", b"REPLY", b"SKIP"]));
    buf.extend(encode_cmd(&[b"ECHO", b"one"]));
    buf.extend(encode_cmd(&[b"ECHO", b"two"]));
    c.send_raw(&buf);
    check_bytes(&c.read_raw_reply(), b"$3\r\ntwo\r\n", "after SKIP");
    c.expect_no_reply(quiet);
}

#[test]
fn client_misc_subcommands() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_reply!(c, "CLIENT NO-EVICT on", b"+OK\r\n");
    assert_reply!(c, "CLIENT NO-EVICT off", b"+OK\r\n");
    assert_reply!(c, "CLIENT NO-EVICT foo", b"-ERR syntax error\r\n");
    assert_reply!(c, "CLIENT NOEVICT on", b"-ERR unknown subcommand 'NOEVICT'. Try CLIENT HELP.\r\n");
    assert_reply!(c, "CLIENT FOO", b"-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
    assert_reply!(c, "CLIENT", b"-ERR wrong number of arguments for 'client' command\r\n");
    let help = c.cmd_str("CLIENT HELP");
    // The help text is prose (ours differs from Redis's); its frame is not.
    let lines = help.strings();
    assert!(lines.len() > 10);
    assert_eq!(lines[0], "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert_eq!(lines[lines.len() - 2], "HELP");
    assert_eq!(lines[lines.len() - 1], "    Prints this help.");
}

#[test]
fn auth_without_requirepass() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    assert_reply!(
        c,
        "AUTH foo",
        b"-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n"
    );
    // the default user is "nopass": any password works with the 2-arg form
    assert_reply!(c, "AUTH default anything", b"+OK\r\n");
    assert_reply!(
        c,
        "AUTH nosuchuser pw",
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_reply!(c, "AUTH", b"-ERR wrong number of arguments for 'auth' command\r\n");
    assert_reply!(c, "AUTH a b c", b"-ERR syntax error\r\n");
    assert_reply!(c, "PING", b"+PONG\r\n");
}

#[test]
fn auth_with_requirepass() {
    let s = Server::start(&["--requirepass", "secret"]);
    let mut c = s.conn();
    let noauth = b"-NOAUTH Authentication required.\r\n";
    assert_reply!(c, "PING", noauth);
    assert_reply!(c, "GET a", noauth);
    assert_reply!(c, "CLIENT ID", noauth);
    // unknown commands are reported before the auth check
    assert_reply!(c, "NOSUCHCMD", b"-ERR unknown command 'NOSUCHCMD', with args beginning with: \r\n");
    assert_reply!(c, "GET", b"-ERR wrong number of arguments for 'get' command\r\n");
    c.send_raw(b"PING\r\n");
    check_bytes(&c.read_raw_reply(), noauth, "inline PING before AUTH");
    let hello_noauth = b"-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n";
    assert_reply!(c, "HELLO", hello_noauth);
    assert_reply!(c, "HELLO 3", hello_noauth);
    let wrongpass = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    assert_reply!(c, "AUTH bad", wrongpass);
    assert_reply!(c, "AUTH default bad", wrongpass);
    assert_reply!(c, "AUTH foo secret", wrongpass);
    assert_reply!(c, "HELLO 3 AUTH default bad", wrongpass);
    assert_reply!(c, "AUTH", b"-ERR wrong number of arguments for 'auth' command\r\n");
    assert_reply!(c, "AUTH secret", b"+OK\r\n");
    assert_reply!(c, "PING", b"+PONG\r\n");
    // a failed AUTH does not log out
    assert_reply!(c, "AUTH bad", wrongpass);
    assert_reply!(c, "PING", b"+PONG\r\n");
    // RESET logs out
    assert_reply!(c, "RESET", b"+RESET\r\n");
    assert_reply!(c, "PING", noauth);
    assert_reply!(c, "AUTH default secret", b"+OK\r\n");
    assert_reply!(c, "PING", b"+PONG\r\n");

    // HELLO AUTH
    let mut c2 = s.conn();
    let r = c2.cmd_str("HELLO 3 AUTH default secret");
    assert_eq!(r.field("proto"), Some(Reply::Int(3)));
    assert_reply!(c2, "GET nokey", b"_\r\n");
    let mut c3 = s.conn();
    let r = c3.cmd_str("HELLO 2 AUTH default secret SETNAME named");
    assert_eq!(r.field("proto"), Some(Reply::Int(2)));
    assert_reply!(c3, "CLIENT GETNAME", b"$5\r\nnamed\r\n");

    // QUIT works without auth
    let mut c4 = s.conn();
    assert_reply!(c4, "QUIT", b"+OK\r\n");
    c4.expect_closed();

    // requirepass can be changed at runtime
    assert_reply!(c, "CONFIG SET requirepass other", b"+OK\r\n");
    let mut c5 = s.conn();
    assert_reply!(c5, "AUTH secret", wrongpass);
    assert_reply!(c5, "AUTH other", b"+OK\r\n");
    // clearing it makes new connections authenticated
    assert_reply!(c, ["CONFIG", "SET", "requirepass", ""], b"+OK\r\n");
    let mut c6 = s.conn();
    assert_reply!(c6, "PING", b"+PONG\r\n");
}

#[test]
fn unauthenticated_protocol_limits() {
    let s = Server::start(&["--requirepass", "secret"]);
    let mut c = s.conn();
    c.send_raw(b"*11\r\n");
    check_bytes(
        &c.read_raw_reply(),
        b"-ERR Protocol error: unauthenticated multibulk length\r\n",
        "*11 before auth",
    );
    c.expect_closed();
    let mut c = s.conn();
    c.send_raw(b"*10\r\n$16385\r\n");
    check_bytes(
        &c.read_raw_reply(),
        b"-ERR Protocol error: unauthenticated bulk length\r\n",
        "$16385 before auth",
    );
    c.expect_closed();
    // at the limits: accepted (the server waits for the rest)
    let mut c = s.conn();
    c.send_raw(b"*10\r\n$16384\r\n");
    c.expect_no_reply(Duration::from_millis(100));
    // after AUTH the limits do not apply
    let mut c = s.conn();
    assert_reply!(c, "AUTH secret", b"+OK\r\n");
    let args: Vec<Vec<u8>> = std::iter::once(b"MSET".to_vec())
        .chain((0..20).map(|i| format!("k{}", i % 10).into_bytes()))
        .collect();
    let refs: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
    check_bytes(&c.cmd_raw(&refs), b"+OK\r\n", "MSET with 21 args after AUTH");
    let big = vec![b'x'; 20000];
    check_bytes(&c.cmd_raw(&[b"SET", b"big", &big]), b"+OK\r\n", "20000 byte value after AUTH");
}
