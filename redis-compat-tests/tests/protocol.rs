//! Wire protocol: inline and multibulk parsing, protocol errors, pipelining,
//! PING/ECHO/QUIT/RESET/HELLO, RESP3 reply forms, DEBUG PROTOCOL.
//! Mirrors tests/unit/protocol.tcl plus facts from networking.c.

use redis_compat_tests::*;

fn server() -> Server {
    Server::start(&[])
}

fn debug_server() -> Server {
    Server::start(&["--enable-debug-command", "yes"])
}

#[test]
fn inline_ping_crlf_and_bare_lf() {
    let s = server();
    let mut c = s.conn();
    c.send_raw(b"PING\r\n");
    check_bytes(&c.read_raw_reply(), b"+PONG\r\n", "inline PING");
    c.send_raw(b"set a b\n");
    check_bytes(&c.read_raw_reply(), b"+OK\r\n", "inline set with bare LF");
    c.send_raw(b"get a\n");
    check_bytes(&c.read_raw_reply(), b"$1\r\nb\r\n", "inline get with bare LF");
    c.send_raw(b"PiNg\r\n");
    check_bytes(&c.read_raw_reply(), b"+PONG\r\n", "mixed case inline");
    c.send_raw(b"ping   hello\r\n");
    check_bytes(&c.read_raw_reply(), b"$5\r\nhello\r\n", "extra spaces between inline args");
}

#[test]
fn inline_quoting_rules() {
    let s = server();
    let mut c = s.conn();
    c.send_raw(b"set \"a b\" \"c\\x41\\n\"\r\n");
    check_bytes(&c.read_raw_reply(), b"+OK\r\n", "quoted inline set");
    assert_reply!(c, ["GET", "a b"], b"$3\r\ncA\n\r\n");
    c.send_raw(b"set 'it\\'s' x\r\n");
    check_bytes(&c.read_raw_reply(), b"+OK\r\n", "single quoted escape");
    assert_reply!(c, ["GET", "it's"], b"$1\r\nx\r\n");
    c.send_raw(b"echo \"\\t\\a\\b\\r\\\"\\q\"\r\n");
    check_bytes(&c.read_raw_reply(), b"$6\r\n\t\x07\x08\r\"q\r\n", "double quote escapes");
    c.send_raw(b"echo \"\\x4g\"\r\n");
    check_bytes(&c.read_raw_reply(), b"$3\r\nx4g\r\n", "invalid hex escape kept literally");
    c.send_raw(b"echo 'a\\nb'\r\n");
    check_bytes(&c.read_raw_reply(), b"$4\r\na\\nb\r\n", "single quotes do not interpret \\n");
    c.send_raw(b"echo \"\"\r\n");
    check_bytes(&c.read_raw_reply(), b"$0\r\n\r\n", "empty quoted arg");
    c.send_raw(b"echo 'a b' c\r\n");
    check_bytes(
        &c.read_raw_reply(),
        b"-ERR wrong number of arguments for 'echo' command\r\n",
        "quoted arg with space counts as one",
    );
}

#[test]
fn empty_lines_and_empty_multibulk_are_ignored() {
    let s = server();
    let mut c = s.conn();
    c.send_raw(b"\r\n\n   \r\n*0\r\n*-10\r\n*-1\r\nPING\r\n");
    check_bytes(&c.read_raw_reply(), b"+PONG\r\n", "only the PING is answered");
    c.expect_no_reply(std::time::Duration::from_millis(100));
}

#[test]
fn pipelining_1000_commands_in_one_write() {
    let s = server();
    let mut c = s.conn();
    let mut buf = Vec::new();
    for i in 0..1000 {
        if i % 2 == 0 {
            buf.extend(encode_cmd(&[b"INCR", b"counter"]));
        } else {
            buf.extend_from_slice(b"INCR counter\r\n");
        }
    }
    c.send_raw(&buf);
    let mut expected = Vec::new();
    for i in 1..=1000 {
        expected.extend(format!(":{}\r\n", i).into_bytes());
    }
    let got = c.read_raw_replies(1000);
    check_bytes(&got, &expected, "1000 pipelined INCR");
    assert_reply!(c, "GET counter", b"$4\r\n1000\r\n");
}

#[test]
fn pipelined_mixed_commands_with_errors() {
    let s = server();
    let mut c = s.conn();
    let mut buf = Vec::new();
    buf.extend(encode_cmd(&[b"SET", b"k", b"v"]));
    buf.extend(encode_cmd(&[b"GET"]));
    buf.extend(encode_cmd(&[b"GET", b"k"]));
    buf.extend(encode_cmd(&[b"NOSUCH"]));
    buf.extend(b"PING\r\n");
    c.send_raw(&buf);
    let got = c.read_raw_replies(5);
    check_bytes(
        &got,
        b"+OK\r\n-ERR wrong number of arguments for 'get' command\r\n$1\r\nv\r\n-ERR unknown command 'NOSUCH', with args beginning with: \r\n+PONG\r\n",
        "pipeline",
    );
}

#[test]
fn multibulk_split_across_writes() {
    let s = server();
    let mut c = s.conn();
    let full = encode_cmd(&[b"SET", b"key", b"a-longer-value"]);
    for chunk in full.chunks(3) {
        c.send_raw(chunk);
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    check_bytes(&c.read_raw_reply(), b"+OK\r\n", "byte-by-byte multibulk");
    assert_reply!(c, "GET key", b"$14\r\na-longer-value\r\n");
}

#[test]
fn binary_safe_bulk_arguments() {
    let s = server();
    let mut c = s.conn();
    let val: Vec<u8> = (0u8..=255).collect();
    assert_reply!(c, [b"SET".as_ref(), b"bin\x00key".as_ref(), &val[..]], b"+OK\r\n");
    let mut exp = b"$256\r\n".to_vec();
    exp.extend_from_slice(&val);
    exp.extend_from_slice(b"\r\n");
    assert_reply!(c, ["GET", "bin\x00key"], exp);
    assert_reply!(c, ["STRLEN", "bin\x00key"], b":256\r\n");
}

fn expect_proto_error(s: &Server, send: &[u8], err: &[u8]) {
    let mut c = s.conn();
    c.send_raw(send);
    let r = c.read_raw_reply();
    check_bytes(&r, err, &escape(send));
    c.expect_closed();
}

#[test]
fn invalid_multibulk_length() {
    let s = server();
    let e = b"-ERR Protocol error: invalid multibulk length\r\n";
    expect_proto_error(&s, b"*3000000000\r\n", e);
    expect_proto_error(&s, b"*2147483648\r\n", e);
    expect_proto_error(&s, b"*abc\r\n", e);
    expect_proto_error(&s, b"*\r\n", e);
    expect_proto_error(&s, b"*1x\r\n", e);
    expect_proto_error(&s, b"*+1\r\n", e);
    let mut c = s.conn();
    assert_reply!(c, "PING", b"+PONG\r\n");
}

#[test]
fn expected_dollar_errors() {
    let s = server();
    expect_proto_error(
        &s,
        b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n",
        b"-ERR Protocol error: expected '$', got 'f'\r\n",
    );
    expect_proto_error(&s, b"*1\r\nfoo\r\n", b"-ERR Protocol error: expected '$', got 'f'\r\n");
    expect_proto_error(&s, b"*2\r\n$4\r\nPING\r\n:1\r\n", b"-ERR Protocol error: expected '$', got ':'\r\n");
}

#[test]
fn invalid_bulk_length() {
    let s = server();
    let e = b"-ERR Protocol error: invalid bulk length\r\n";
    expect_proto_error(&s, b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n", e);
    expect_proto_error(&s, b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n", e);
    expect_proto_error(&s, b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n", e);
    expect_proto_error(&s, b"*1\r\n$2147483648\r\n", e);
    // proto-max-bulk-len defaults to 512MB: one more is refused.
    expect_proto_error(&s, b"*1\r\n$536870913\r\n", e);
    expect_proto_error(&s, b"*1\r\n$\r\n", e);
    expect_proto_error(&s, b"*1\r\n$+1\r\n", e);
    expect_proto_error(&s, b"*1\r\n$-1\r\n", e);
    let mut c = s.conn();
    assert_reply!(c, "PING", b"+PONG\r\n");
}

#[test]
fn bulk_length_at_limit_waits_for_data() {
    let s = server();
    let mut c = s.conn();
    // Exactly proto-max-bulk-len is accepted: the server just waits for data.
    c.send_raw(b"*1\r\n$536870912\r\n");
    c.expect_no_reply(std::time::Duration::from_millis(200));
    let mut c2 = s.conn();
    c2.send_raw(b"*2147483647\r\n");
    c2.expect_no_reply(std::time::Duration::from_millis(200));
    let mut c3 = s.conn();
    assert_reply!(c3, "PING", b"+PONG\r\n");
}

#[test]
fn unbalanced_quotes() {
    let s = server();
    let e = b"-ERR Protocol error: unbalanced quotes in request\r\n";
    expect_proto_error(&s, b"set \"\"\"test-key\"\"\" test-value\r\nping\r\n", e);
    expect_proto_error(&s, b"set \"foo\"bar x\r\n", e);
    expect_proto_error(&s, b"echo \"\r\n", e);
    expect_proto_error(&s, b"echo 'abc\r\n", e);
}

#[test]
fn too_big_inline_request() {
    let s = server();
    let mut c = s.conn();
    // More than 64KB without a newline.
    let big = vec![b'a'; 70 * 1024];
    let _ = c.try_send_raw(&big);
    check_bytes(
        &c.read_raw_reply(),
        b"-ERR Protocol error: too big inline request\r\n",
        "70KB inline without newline",
    );
    c.expect_closed();
    // Just under the limit with a newline is a normal (unknown) command.
    let mut c = s.conn();
    let mut line = vec![b'x'; 60 * 1024];
    line.extend_from_slice(b"\r\n");
    c.send_raw(&line);
    let r = c.read_raw_reply();
    let mut exp = b"-ERR unknown command '".to_vec();
    exp.extend(vec![b'x'; 128]);
    exp.extend_from_slice(b"', with args beginning with: \r\n");
    check_bytes(&r, &exp, "60KB inline command name truncated to 128 chars");
}

#[test]
fn too_big_count_strings() {
    let s = server();
    let mut c = s.conn();
    let mut data = b"*".to_vec();
    data.extend(vec![b'1'; 70 * 1024]);
    let _ = c.try_send_raw(&data);
    check_bytes(
        &c.read_raw_reply(),
        b"-ERR Protocol error: too big mbulk count string\r\n",
        "huge multibulk count without CR",
    );
    c.expect_closed();

    let mut c = s.conn();
    let mut data = b"*1\r\n$".to_vec();
    data.extend(vec![b'1'; 70 * 1024]);
    let _ = c.try_send_raw(&data);
    check_bytes(
        &c.read_raw_reply(),
        b"-ERR Protocol error: too big bulk count string\r\n",
        "huge bulk count without CR",
    );
    c.expect_closed();
}

#[test]
fn commands_before_protocol_error_are_executed() {
    let s = server();
    let mut c = s.conn();
    c.send_raw(b"*1\r\n$4\r\nPING\r\nSET before 1\r\n*abc\r\nSET after 1\r\n");
    let got = c.read_raw_replies(3);
    check_bytes(
        &got,
        b"+PONG\r\n+OK\r\n-ERR Protocol error: invalid multibulk length\r\n",
        "replies before the error",
    );
    c.expect_closed();
    let mut c = s.conn();
    assert_reply!(c, "EXISTS before after", b":1\r\n");
}

#[test]
fn protocol_desync_regression() {
    // tests/unit/protocol.tcl "Protocol desync regression test"
    let s = server();
    for seq in [&b"\x00"[..], b"*\x00", b"$\x00"] {
        let mut c = s.conn();
        c.send_raw(seq);
        let payload = {
            let mut p = vec![b'A'; 1024];
            p.push(b'\n');
            p
        };
        // Keep writing until the server complains and closes.
        let mut closed = false;
        let mut got = Vec::new();
        for _ in 0..200 {
            if c.try_send_raw(&payload).is_err() {
                closed = true;
                break;
            }
            got.extend(c.read_for(std::time::Duration::from_millis(1)));
            if !got.is_empty() {
                break;
            }
        }
        got.extend(c.read_for(std::time::Duration::from_millis(300)));
        let text = String::from_utf8_lossy(&got);
        assert!(
            text.contains("Protocol error"),
            "seq {:?}: expected a protocol error, got {:?} (closed={})",
            escape(seq),
            text,
            closed
        );
    }
    let mut c = s.conn();
    assert_reply!(c, "PING", b"+PONG\r\n");
}

#[test]
fn unknown_command_error_format() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "foo a b", b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n");
    assert_reply!(c, "foo", b"-ERR unknown command 'foo', with args beginning with: \r\n");
    assert_reply!(c, [""], b"-ERR unknown command '', with args beginning with: \r\n");
    // Newlines in args are replaced by spaces.
    assert_reply!(
        c,
        ["foo", "a\r\nb"],
        b"-ERR unknown command 'foo', with args beginning with: 'a  b' \r\n"
    );
    // A NUL byte ends the argument (C string formatting).
    assert_reply!(
        c,
        ["foo", "a\x00b"],
        b"-ERR unknown command 'foo', with args beginning with: 'a' \r\n"
    );
    // Arguments are truncated at 128 bytes total.
    let long = "x".repeat(200);
    let mut exp = b"-ERR unknown command 'foo', with args beginning with: '".to_vec();
    exp.extend(vec![b'x'; 128]);
    exp.extend_from_slice(b"' \r\n");
    assert_reply!(c, ["foo", long.as_str()], exp);
    assert_reply!(
        c,
        "foo a b c d e f g h i j k l m n o p q r s t u v w x y z aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbb",
        b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' 'c' 'd' 'e' 'f' 'g' 'h' 'i' 'j' 'k' 'l' 'm' 'n' 'o' 'p' 'q' 'r' 's' 't' 'u' 'v' 'w' 'x' 'y' 'z' 'aaaaaaaaaaaaaaaaaaaaaaaa' \r\n"
    );
    let long_name = "n".repeat(150);
    let mut exp = b"-ERR unknown command '".to_vec();
    exp.extend(vec![b'n'; 128]);
    exp.extend_from_slice(b"', with args beginning with: 'a' \r\n");
    assert_reply!(c, [long_name.as_str(), "a"], exp);
    // Unknown subcommands of container commands.
    assert_reply!(c, "CONFIG FOO", b"-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n");
    assert_reply!(c, "client foo", b"-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n");
    assert_reply!(c, "COMMAND FOO", b"-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n");
    assert_reply!(c, "OBJECT FOO x", b"-ERR unknown subcommand 'FOO'. Try OBJECT HELP.\r\n");
}

#[test]
fn arity_errors_use_lowercase_full_name() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "GET", b"-ERR wrong number of arguments for 'get' command\r\n");
    assert_reply!(c, "get a b", b"-ERR wrong number of arguments for 'get' command\r\n");
    assert_reply!(c, "PING x y z", b"-ERR wrong number of arguments for 'ping' command\r\n");
    assert_reply!(c, "CONFIG", b"-ERR wrong number of arguments for 'config' command\r\n");
    assert_reply!(c, "CONFIG GET", b"-ERR wrong number of arguments for 'config|get' command\r\n");
    assert_reply!(
        c,
        "config set maxmemory",
        b"-ERR wrong number of arguments for 'config|set' command\r\n"
    );
    assert_reply!(
        c,
        "CLIENT SETNAME",
        b"-ERR wrong number of arguments for 'client|setname' command\r\n"
    );
    assert_reply!(
        c,
        "OBJECT ENCODING",
        b"-ERR wrong number of arguments for 'object|encoding' command\r\n"
    );
    assert_reply!(c, "MSET a", b"-ERR wrong number of arguments for 'mset' command\r\n");
    assert_reply!(c, "MSET a 1 b", b"-ERR wrong number of arguments for 'mset' command\r\n");
}

#[test]
fn ping_and_echo() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "PING", b"+PONG\r\n");
    assert_reply!(c, "ping hello", b"$5\r\nhello\r\n");
    assert_reply!(c, ["PING", ""], b"$0\r\n\r\n");
    assert_reply!(c, "ECHO hi", b"$2\r\nhi\r\n");
    assert_reply!(c, ["ECHO", ""], b"$0\r\n\r\n");
    assert_reply!(c, "ECHO", b"-ERR wrong number of arguments for 'echo' command\r\n");
    assert_reply!(c, "ECHO a b", b"-ERR wrong number of arguments for 'echo' command\r\n");
}

#[test]
fn quit_replies_ok_and_closes() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "QUIT", b"+OK\r\n");
    c.expect_closed();
    let mut c = s.conn();
    assert_reply!(c, "quit extra args", b"+OK\r\n");
    c.expect_closed();
    let mut c = s.conn();
    c.send_raw(b"QUIT\r\nPING\r\n");
    check_bytes(&c.read_raw_reply(), b"+OK\r\n", "inline QUIT");
    c.expect_closed();
}

#[test]
fn reset_restores_connection_state() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "SELECT 3", b"+OK\r\n");
    assert_reply!(c, "SET k3 v", b"+OK\r\n");
    assert_reply!(c, "CLIENT SETNAME myname", b"+OK\r\n");
    let _ = c.cmd_str("HELLO 3");
    assert_reply!(c, "MULTI", b"+OK\r\n");
    assert_reply!(c, "RESET", b"+RESET\r\n");
    // back to RESP2, db 0, no name, no MULTI
    assert_reply!(c, "GET k3", b"$-1\r\n");
    assert_reply!(c, "CLIENT GETNAME", b"$-1\r\n");
    assert_reply!(c, "EXEC", b"-ERR EXEC without MULTI\r\n");
    let info = c.cmd_str("CLIENT INFO").str();
    assert!(info.contains(" db=0 "), "{}", info);
    assert!(info.contains(" resp=2"), "{}", info);
    assert!(info.contains(" name= "), "{}", info);
    // RESET also turns CLIENT REPLY back on.
    c.send_cmd(&[b"CLIENT", b"REPLY", b"OFF"]);
    assert_reply!(c, "RESET", b"+RESET\r\n");
    assert_reply!(c, "PING", b"+PONG\r\n");
}

const HELLO_KEYS: [&str; 7] = ["server", "version", "proto", "id", "mode", "role", "modules"];

#[test]
fn hello_resp2_and_resp3() {
    let s = server();
    let mut c = s.conn();
    let id = c.cmd_str("CLIENT ID").int();

    let r2 = c.cmd_str_raw("HELLO");
    let exp2 = format!(
        "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:{}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
        id
    );
    check_bytes(&r2, exp2.as_bytes(), "HELLO");
    check_bytes(&c.cmd_str_raw("HELLO 2"), exp2.as_bytes(), "HELLO 2");

    let r3 = c.cmd_str_raw("HELLO 3");
    let exp3 = format!(
        "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:{}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
        id
    );
    check_bytes(&r3, exp3.as_bytes(), "HELLO 3");
    let parsed = parse_reply(&r3);
    let keys: Vec<String> = parsed.pairs().iter().map(|(k, _)| k.str()).collect();
    assert_eq!(keys, HELLO_KEYS);
    assert_eq!(parsed.field("proto"), Some(Reply::Int(3)));

    // In RESP3 the replies change shape.
    assert_reply!(c, "GET nokey", b"_\r\n");
    assert_reply!(c, "CONFIG GET maxmemory", b"%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
    // HELLO 2 switches back
    let r = c.cmd_str("HELLO 2");
    assert_eq!(r.field("proto"), Some(Reply::Int(2)));
    assert_reply!(c, "GET nokey", b"$-1\r\n");
}

#[test]
fn hello_errors() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, "HELLO 4", b"-NOPROTO unsupported protocol version\r\n");
    assert_reply!(c, "HELLO 1", b"-NOPROTO unsupported protocol version\r\n");
    assert_reply!(c, "HELLO 0", b"-NOPROTO unsupported protocol version\r\n");
    assert_reply!(c, "HELLO -1", b"-NOPROTO unsupported protocol version\r\n");
    assert_reply!(c, "HELLO abc", b"-ERR Protocol version is not an integer or out of range\r\n");
    assert_reply!(c, "HELLO 3 FOO", b"-ERR Syntax error in HELLO option 'FOO'\r\n");
    assert_reply!(c, "HELLO 3 AUTH default", b"-ERR Syntax error in HELLO option 'AUTH'\r\n");
    assert_reply!(c, "HELLO 3 SETNAME", b"-ERR Syntax error in HELLO option 'SETNAME'\r\n");
    assert_reply!(
        c,
        ["HELLO", "3", "SETNAME", "a b"],
        b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
    );
    // Errors do not change the protocol.
    assert_reply!(c, "GET nokey", b"$-1\r\n");
    // SETNAME through HELLO
    let r = c.cmd_str("HELLO 3 SETNAME viahello");
    assert_eq!(r.field("proto"), Some(Reply::Int(3)));
    assert_reply!(c, "CLIENT GETNAME", b"$8\r\nviahello\r\n");
    // AUTH with the default user works when no password is set (nopass user).
    let r = c.cmd_str("HELLO 2 AUTH default anything");
    assert_eq!(r.field("proto"), Some(Reply::Int(2)));
}

#[test]
fn resp3_reply_types() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("SET str v");
    // RESP2 forms
    assert_reply!(c, "GET nokey", b"$-1\r\n");
    assert_reply!(c, "MGET str nokey", b"*2\r\n$1\r\nv\r\n$-1\r\n");
    assert_reply!(c, "SET str v NX", b"$-1\r\n");
    assert_reply!(c, "CLIENT GETNAME", b"$-1\r\n");
    assert_reply!(c, "OBJECT ENCODING nokey", b"$-1\r\n");
    c.cmd_str("HELLO 3");
    assert_reply!(c, "GET nokey", b"_\r\n");
    assert_reply!(c, "MGET str nokey", b"*2\r\n$1\r\nv\r\n_\r\n");
    assert_reply!(c, "SET str v NX", b"_\r\n");
    assert_reply!(c, "SET str2 v XX GET", b"_\r\n");
    assert_reply!(c, "GETDEL nokey", b"_\r\n");
    assert_reply!(c, "GETEX nokey", b"_\r\n");
    assert_reply!(c, "CLIENT GETNAME", b"_\r\n");
    assert_reply!(c, "RANDOMKEY", b"$3\r\nstr\r\n");
    assert_reply!(c, "OBJECT ENCODING nokey", b"_\r\n");
    assert_reply!(c, "COMMAND INFO nosuch", b"*1\r\n_\r\n");
    // INCRBYFLOAT stays a bulk string even in RESP3
    assert_reply!(c, "INCRBYFLOAT fl 1.5", b"$3\r\n1.5\r\n");
    // integers, statuses and errors are unchanged
    assert_reply!(c, "EXISTS str", b":1\r\n");
    assert_reply!(c, "PING", b"+PONG\r\n");
    assert_reply!(c, "GET", b"-ERR wrong number of arguments for 'get' command\r\n");
}

/// RESP3 doubles (needs sorted sets) and set nulls.
#[test]
fn resp3_doubles() {
    let s = server();
    let mut c = s.conn();
    c.cmd_str("ZADD z 1.5 a 10 b inf c -inf d 0.1 e 1e20 f -0 h 1e-7 j");
    // RESP2: doubles are bulk strings formatted with %.17g
    assert_reply!(c, "ZSCORE z a", b"$3\r\n1.5\r\n");
    assert_reply!(c, "ZSCORE z e", b"$19\r\n0.10000000000000001\r\n");
    assert_reply!(c, "ZSCORE z c", b"$3\r\ninf\r\n");
    assert_reply!(c, "ZSCORE z nosuch", b"$-1\r\n");
    assert_reply!(c, "SRANDMEMBER nokey", b"$-1\r\n");
    c.cmd_str("HELLO 3");
    assert_reply!(c, "ZSCORE z a", b",1.5\r\n");
    assert_reply!(c, "ZSCORE z b", b",10\r\n");
    assert_reply!(c, "ZSCORE z c", b",inf\r\n");
    assert_reply!(c, "ZSCORE z d", b",-inf\r\n");
    assert_reply!(c, "ZSCORE z e", b",0.10000000000000001\r\n");
    assert_reply!(c, "ZSCORE z f", b",1e+20\r\n");
    assert_reply!(c, "ZSCORE z h", b",0\r\n");
    assert_reply!(c, "ZSCORE z j", b",9.9999999999999995e-08\r\n");
    assert_reply!(c, "ZINCRBY z 1 a", b",2.5\r\n");
    assert_reply!(c, "ZSCORE z nosuch", b"_\r\n");
    assert_reply!(c, "SRANDMEMBER nokey", b"_\r\n");
    assert_reply!(c, "SRANDMEMBER nokey 5", b"*0\r\n");
}

#[test]
fn exec_null_reply_resp2_and_resp3() {
    let s = server();
    let mut c = s.conn();
    let mut other = s.conn();
    for (proto, null) in [("2", &b"*-1\r\n"[..]), ("3", &b"_\r\n"[..])] {
        c.cmd_str(&format!("HELLO {}", proto));
        assert_reply!(c, "WATCH k", b"+OK\r\n");
        assert_reply!(other, "SET k x", b"+OK\r\n");
        assert_reply!(c, "MULTI", b"+OK\r\n");
        assert_reply!(c, "PING", b"+QUEUED\r\n");
        assert_reply!(c, "EXEC", null);
    }
    assert_reply!(c, "MULTI", b"+OK\r\n");
    assert_reply!(c, "MULTI", b"-ERR MULTI calls can not be nested\r\n");
    assert_reply!(c, "SET a", b"-ERR wrong number of arguments for 'set' command\r\n");
    assert_reply!(c, "EXEC", b"-EXECABORT Transaction discarded because of previous errors.\r\n");
    assert_reply!(c, "EXEC", b"-ERR EXEC without MULTI\r\n");
    assert_reply!(c, "DISCARD", b"-ERR DISCARD without MULTI\r\n");
}

#[test]
fn debug_protocol_resp2() {
    let s = debug_server();
    let mut c = s.conn();
    assert_reply!(c, "DEBUG PROTOCOL string", b"$11\r\nHello World\r\n");
    assert_reply!(c, "DEBUG PROTOCOL integer", b":12345\r\n");
    assert_reply!(c, "DEBUG PROTOCOL double", b"$5\r\n3.141\r\n");
    assert_reply!(c, "DEBUG PROTOCOL bignum", b"$37\r\n1234567999999999999999999999999999999\r\n");
    assert_reply!(c, "DEBUG PROTOCOL null", b"$-1\r\n");
    assert_reply!(c, "DEBUG PROTOCOL array", b"*3\r\n:0\r\n:1\r\n:2\r\n");
    assert_reply!(c, "DEBUG PROTOCOL set", b"*3\r\n:0\r\n:1\r\n:2\r\n");
    assert_reply!(c, "DEBUG PROTOCOL map", b"*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n");
    assert_reply!(c, "DEBUG PROTOCOL attrib", b"$39\r\nSome real reply following the attribute\r\n");
    assert_reply!(c, "DEBUG PROTOCOL push", b"-ERR RESP2 is not supported by this command\r\n");
    assert_reply!(c, "DEBUG PROTOCOL verbatim", b"$25\r\nThis is a verbatim\nstring\r\n");
    assert_reply!(c, "DEBUG PROTOCOL true", b":1\r\n");
    assert_reply!(c, "DEBUG PROTOCOL false", b":0\r\n");
    assert_reply!(
        c,
        "DEBUG PROTOCOL foo",
        b"-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n"
    );
    assert_reply!(c, "DEBUG SLEEP 0", b"+OK\r\n");
}

#[test]
fn debug_protocol_resp3() {
    let s = debug_server();
    let mut c = s.conn();
    c.cmd_str("HELLO 3");
    assert_reply!(c, "DEBUG PROTOCOL string", b"$11\r\nHello World\r\n");
    assert_reply!(c, "DEBUG PROTOCOL integer", b":12345\r\n");
    assert_reply!(c, "DEBUG PROTOCOL double", b",3.141\r\n");
    assert_reply!(c, "DEBUG PROTOCOL bignum", b"(1234567999999999999999999999999999999\r\n");
    assert_reply!(c, "DEBUG PROTOCOL null", b"_\r\n");
    assert_reply!(c, "DEBUG PROTOCOL array", b"*3\r\n:0\r\n:1\r\n:2\r\n");
    assert_reply!(c, "DEBUG PROTOCOL set", b"~3\r\n:0\r\n:1\r\n:2\r\n");
    assert_reply!(c, "DEBUG PROTOCOL map", b"%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n");
    // attribute frame + the real reply, read as one frame
    assert_reply!(
        c,
        "DEBUG PROTOCOL attrib",
        b"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n"
    );
    // push frame, then the real reply as a second frame
    assert_reply!(c, "DEBUG PROTOCOL push", b">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n");
    check_bytes(
        &c.read_raw_reply(),
        b"$40\r\nSome real reply following the push reply\r\n",
        "reply after push",
    );
    assert_reply!(c, "DEBUG PROTOCOL verbatim", b"=29\r\ntxt:This is a verbatim\nstring\r\n");
    assert_reply!(c, "DEBUG PROTOCOL true", b"#t\r\n");
    assert_reply!(c, "DEBUG PROTOCOL false", b"#f\r\n");
    // decoded forms
    let r = c.cmd_str("DEBUG PROTOCOL map");
    assert_eq!(
        r,
        Reply::Map(vec![
            (Reply::Int(0), Reply::Bool(false)),
            (Reply::Int(1), Reply::Bool(true)),
            (Reply::Int(2), Reply::Bool(false)),
        ])
    );
    let r = c.cmd_str("DEBUG PROTOCOL verbatim");
    assert_eq!(r, Reply::Verbatim("txt".into(), b"This is a verbatim\nstring".to_vec()));
    let r = c.cmd_str("DEBUG PROTOCOL attrib");
    match r {
        Reply::Attribute(attrs, inner) => {
            assert_eq!(attrs.len(), 1);
            assert_eq!(inner.str(), "Some real reply following the attribute");
        }
        other => panic!("expected attribute, got {:?}", other),
    }
}

#[test]
fn debug_disabled_by_default() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(
        c,
        "DEBUG SLEEP 0",
        b"-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n"
    );
}

#[test]
fn debug_argument_errors() {
    let s = debug_server();
    let mut c = s.conn();
    assert_reply!(
        c,
        "DEBUG SLEEP",
        b"-ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.\r\n"
    );
    assert_reply!(
        c,
        "DEBUG PROTOCOL",
        b"-ERR unknown subcommand or wrong number of arguments for 'PROTOCOL'. Try DEBUG HELP.\r\n"
    );
    assert_reply!(c, "DEBUG SLEEP 0.01", b"+OK\r\n");
}

/// HTTP sent to the server (a browser tricked by cross-protocol
/// scripting): the connection is dropped without a reply and the attempt
/// is logged, once (`securityWarningCommand`); other clients are fine.
#[test]
fn post_and_host_commands_drop_the_connection() {
    let s = server();
    let mut c = s.conn();
    c.send_raw(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    c.expect_closed();
    let mut c = s.conn();
    c.send_raw(b"Host: example.com\r\n");
    c.expect_closed();
    let mut c = s.conn();
    assert_reply!(c, ["SET", "post", "1"], b"+OK\r\n");
    let log = s.log_contents();
    assert_eq!(
        log.matches("Possible SECURITY ATTACK detected").count(),
        1,
        "logged once a minute: {log}"
    );
}
