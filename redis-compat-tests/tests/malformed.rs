//! Malformed and hostile input: random bytes, truncated frames, huge lengths,
//! huge inline lines and huge argument counts. After each scenario the
//! server must still answer PING on a new connection, and where Redis
//! answers with a protocol error the exact bytes must match.

use redis_compat_tests::*;
use std::time::Duration;

/// After the client half-closes, Redis answers what it can and closes.
#[track_caller]
fn read_until_eof(c: &mut Conn) -> Vec<u8> {
    c.read_to_close(Duration::from_secs(3))
}

/// Valid RESP reply frames only (no garbage, no partial frame).
#[track_caller]
fn assert_valid_frames(data: &[u8], input: &[u8]) -> Vec<Reply> {
    match parse_all_frames(data) {
        Ok(v) => v,
        Err(e) => panic!(
            "server sent invalid RESP ({}) for input \"{}\"",
            e,
            escape(&input[..input.len().min(200)])
        ),
    }
}

fn set_cmd() -> Vec<u8> {
    encode_cmd(&[b"SET", b"key", b"value"])
}

#[test]
fn protocol_error_forms() {
    let mut s = Server::start(&[]);
    let cases: &[(&[u8], &[u8])] = &[
        (b"*2147483648\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
        (b"*9223372036854775807\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
        (b"*99999999999999999999\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
        (b"*-0\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
        (b"*01\r\n$4\r\nPING\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
        (b"* 1\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
        (b"*1\n$4\r\nPING\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
        (b"*1\r\n$2147483648\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
        (b"*1\r\n$9223372036854775807\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
        (b"*1\r\n$2147483647\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
        (b"*1\r\n$-0\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
        (b"*1\r\n$04\r\nPING\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
        (b"*1\r\n$4\nPING\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
        (b"*2\r\n$4\r\nECHO\r\n+x\r\n", b"-ERR Protocol error: expected '$', got '+'\r\n"),
        (b"*2\r\n$4\r\nECHO\r\n*1\r\n", b"-ERR Protocol error: expected '$', got '*'\r\n"),
    ];
    for (input, err) in cases {
        let mut c = s.conn();
        c.send_raw(input);
        check_bytes(&c.read_raw_reply(), err, &escape(input));
        c.expect_closed();
        s.assert_alive();
    }
}

#[test]
fn lenient_parsing_quirks() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    // The two bytes after a bulk payload are skipped without being checked.
    c.send_raw(b"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n");
    check_bytes(&c.read_raw_replies(2), b"+PONG\r\n+PONG\r\n", "unchecked bulk terminator");
    // Extra CR after the payload leaves a lone LF = empty inline line.
    c.send_raw(b"*1\r\n$4\r\nPING\r\r\n*1\r\n$4\r\nPING\r\n");
    check_bytes(&c.read_raw_replies(2), b"+PONG\r\n+PONG\r\n", "extra CR");
    // Payload bytes are taken literally, even CR LF.
    c.send_raw(b"*1\r\n$4\r\nPI\r\n\r\n");
    check_bytes(
        &c.read_raw_reply(),
        b"-ERR unknown command 'PI  ', with args beginning with: \r\n",
        "CRLF inside payload",
    );
    c.send_raw(b"*1\r\n$4\r\n\x00\x00\x00\x00\r\n");
    check_bytes(
        &c.read_raw_reply(),
        b"-ERR unknown command '', with args beginning with: \r\n",
        "NUL command name",
    );
    // Lines not starting with '*' are inline commands, whatever they look like.
    c.send_raw(b"$4\r\nPING\r\n");
    check_bytes(
        &c.read_raw_replies(2),
        b"-ERR unknown command '$4', with args beginning with: \r\n+PONG\r\n",
        "bulk header as inline",
    );
    c.send_raw(b":1\r\n+PING\r\n-ERR\r\n");
    check_bytes(
        &c.read_raw_replies(3),
        b"-ERR unknown command ':1', with args beginning with: \r\n-ERR unknown command '+PING', with args beginning with: \r\n-ERR unknown command '-ERR', with args beginning with: \r\n",
        "reply-like inline lines",
    );
    // Lone CRs are whitespace in inline commands.
    c.send_raw(b"\r\r\nPING\r\n");
    check_bytes(&c.read_raw_reply(), b"+PONG\r\n", "CR CR LF");
    // A multibulk count followed by CR CR LF: the two bytes after the first
    // CR are skipped, the LF left over is then not a '$' (and the error
    // text has the newline replaced by a space).
    c.send_raw(b"*1\r\r\n");
    c.expect_no_reply(Duration::from_millis(100));
    c.send_raw(b"$4\r\nPING\r\n");
    check_bytes(
        &c.read_raw_reply(),
        b"-ERR Protocol error: expected '$', got ' '\r\n",
        "after *1 CR CR LF",
    );
    c.expect_closed();
}

#[test]
fn nul_in_inline_stalls_until_limit() {
    let mut s = Server::start(&[]);
    let mut c = s.conn();
    // The inline parser searches for '\n' with strchr: a NUL hides it.
    c.send_raw(b"PI\x00NG\r\n");
    c.expect_no_reply(Duration::from_millis(150));
    c.send_raw(b"PING\r\n");
    c.expect_no_reply(Duration::from_millis(150));
    let filler = vec![b'A'; 70 * 1024];
    let _ = c.try_send_raw(&filler);
    check_bytes(
        &c.read_raw_reply(),
        b"-ERR Protocol error: too big inline request\r\n",
        "NUL then 70KB",
    );
    c.expect_closed();
    s.assert_alive();
    // Same inside a multibulk header: strchr('\r') stops at the NUL.
    let mut c = s.conn();
    c.send_raw(b"*1\r\n\x00\r\n");
    c.expect_no_reply(Duration::from_millis(150));
    c.shutdown_write();
    assert!(read_until_eof(&mut c).is_empty());
    s.assert_alive();
}

#[test]
fn truncated_frames_are_never_executed() {
    let mut s = Server::start(&[]);
    let full = set_cmd();
    for cut in 1..full.len() {
        let mut c = s.conn();
        c.send_raw(&full[..cut]);
        c.shutdown_write();
        let got = read_until_eof(&mut c);
        assert!(got.is_empty(), "prefix {} got reply \"{}\"", cut, escape(&got));
    }
    let mut c = s.conn();
    assert_reply!(c, "EXISTS key", b":0\r\n");
    s.assert_alive();
    // Sent in two parts with a pause: executed exactly once.
    let mut c = s.conn();
    for cut in 1..full.len() {
        c.send_raw(&full[..cut]);
        std::thread::sleep(Duration::from_millis(2));
        c.send_raw(&full[cut..]);
        check_bytes(&c.read_raw_reply(), b"+OK\r\n", &format!("split at {}", cut));
    }
    assert_reply!(c, "GET key", b"$5\r\nvalue\r\n");
    // A truncated frame followed by a new connection does not affect it.
    let mut t = s.conn();
    t.send_raw(b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva");
    let mut c2 = s.conn();
    assert_reply!(c2, "GET key", b"$5\r\nvalue\r\n");
    drop(t);
    s.assert_alive();
}

#[test]
fn huge_declared_lengths_without_data() {
    let mut s = Server::start(&[]);
    // Accepted headers with no data following, then the client goes away.
    for input in [
        &b"*2147483647\r\n"[..],
        b"*1\r\n$536870912\r\n",
        b"*2\r\n$3\r\nGET\r\n$536870912\r\nabc",
        b"*1000000\r\n$1\r\nx\r\n",
    ] {
        let mut c = s.conn();
        c.send_raw(input);
        c.expect_no_reply(Duration::from_millis(100));
        c.shutdown_write();
        let got = read_until_eof(&mut c);
        assert!(got.is_empty(), "{} got \"{}\"", escape(input), escape(&got));
        s.assert_alive();
    }
    // Rejected lengths
    for (input, err) in [
        (&b"*2147483648\r\n"[..], &b"-ERR Protocol error: invalid multibulk length\r\n"[..]),
        (b"*1\r\n$2147483648\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
        (b"*1\r\n$536870913\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    ] {
        let mut c = s.conn();
        c.send_raw(input);
        check_bytes(&c.read_raw_reply(), err, &escape(input));
        c.expect_closed();
        s.assert_alive();
    }
}

#[test]
fn one_megabyte_inline_line() {
    let mut s = Server::start(&[]);
    // With a newline only at the very end.
    let mut line = b"SET k ".to_vec();
    line.extend(vec![b'v'; 1024 * 1024]);
    line.extend_from_slice(b"\r\n");
    let mut c = s.conn();
    let _ = c.try_send_raw(&line);
    check_bytes(
        &c.read_raw_reply(),
        b"-ERR Protocol error: too big inline request\r\n",
        "1MB inline line",
    );
    c.expect_closed();
    s.assert_alive();
    // Without any newline.
    let mut c = s.conn();
    let _ = c.try_send_raw(&vec![b'x'; 1024 * 1024]);
    check_bytes(
        &c.read_raw_reply(),
        b"-ERR Protocol error: too big inline request\r\n",
        "1MB without newline",
    );
    c.expect_closed();
    let mut c = s.conn();
    assert_reply!(c, "EXISTS k", b":0\r\n");
    s.assert_alive();
}

#[test]
fn hundred_thousand_arguments() {
    let mut s = Server::start(&[]);
    let mut c = s.conn();
    // MSET with 50000 pairs = 100001 arguments
    let mut args: Vec<Vec<u8>> = vec![b"MSET".to_vec()];
    for i in 0..50_000 {
        args.push(format!("k{}", i).into_bytes());
        args.push(format!("v{}", i).into_bytes());
    }
    let refs: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
    check_bytes(&c.cmd_raw(&refs), b"+OK\r\n", "MSET 100001 args");
    assert_reply!(c, "DBSIZE", b":50000\r\n");
    assert_reply!(c, "GET k49999", b"$6\r\nv49999\r\n");
    // Same amount of arguments, delivered in small irregular chunks.
    let mut del: Vec<Vec<u8>> = vec![b"DEL".to_vec()];
    for i in 0..100_000 {
        del.push(format!("k{}", i).into_bytes());
    }
    let refs: Vec<&[u8]> = del.iter().map(|a| a.as_slice()).collect();
    let enc = encode_cmd(&refs);
    let mut rng = XorShift::new(42);
    let mut pos = 0;
    while pos < enc.len() {
        let n = (1 + rng.below(8192)).min(enc.len() - pos);
        c.send_raw(&enc[pos..pos + n]);
        pos += n;
    }
    check_bytes(&c.read_raw_reply(), b":50000\r\n", "DEL 100000 keys");
    assert_reply!(c, "DBSIZE", b":0\r\n");
    // Unknown command with 100k arguments: the args list is cut at 128 bytes.
    let x: Vec<&[u8]> = vec![b"x"; 100_000];
    let mut exp = b"-ERR unknown command 'x', with args beginning with: ".to_vec();
    for _ in 0..32 {
        exp.extend_from_slice(b"'x' ");
    }
    exp.extend_from_slice(b"\r\n");
    check_bytes(&c.cmd_raw(&x), &exp, "unknown command with 100k args");
    // Wrong arity with 100k arguments
    let mut g: Vec<&[u8]> = vec![b"GET"];
    g.extend(vec![&b"a"[..]; 99_999]);
    check_bytes(
        &c.cmd_raw(&g),
        b"-ERR wrong number of arguments for 'get' command\r\n",
        "GET with 100k args",
    );
    s.assert_alive();
}

const ALPHABET: &[u8] = b"*$\r\n\r\n\r\n:+-0123456789-1 PINGSETGETECHOabcxyz\"'\\\x00\xff\t";

fn mutate(rng: &mut XorShift, base: &[u8]) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..1 + rng.below(3) {
        if v.is_empty() {
            v.push(*rng.pick(ALPHABET));
            continue;
        }
        let at = rng.below(v.len());
        match rng.below(4) {
            0 => v[at] = *rng.pick(ALPHABET),
            1 => v.insert(at, *rng.pick(ALPHABET)),
            2 => {
                v.remove(at);
            }
            _ => v.truncate(at),
        }
    }
    v
}

#[test]
fn random_bytes_fuzz() {
    let mut s = Server::start(&[]);
    let mut rng = XorShift::new(0x05EE_D0F0_DD15);
    let bases: Vec<Vec<u8>> = vec![
        set_cmd(),
        encode_cmd(&[b"GET", b"key"]),
        encode_cmd(&[b"ECHO", b"hello world"]),
        encode_cmd(&[b"PING"]),
        b"PING\r\nECHO \"a b\" 'c'\r\n".to_vec(),
        b"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n*1\r\n$4\r\nPING\r\n".to_vec(),
    ];
    for i in 0..300 {
        let input: Vec<u8> = match i % 3 {
            // pure random bytes from the protocol-ish alphabet
            0 => (0..1 + rng.below(200)).map(|_| *rng.pick(ALPHABET)).collect(),
            // arbitrary bytes
            1 => (0..1 + rng.below(200)).map(|_| rng.next_u64() as u8).collect(),
            // small mutations of valid traffic
            _ => {
                let base = rng.pick(&bases).clone();
                mutate(&mut rng, &base)
            }
        };
        let mut c = s.conn();
        if c.try_send_raw(&input).is_ok() {
            c.shutdown_write();
        }
        let got = read_until_eof(&mut c);
        let frames = assert_valid_frames(&got, &input);
        // Any protocol error must be the last thing sent.
        if let Some(pos) = frames
            .iter()
            .position(|f| matches!(f, Reply::Error(e) if e.starts_with("ERR Protocol error")))
        {
            assert_eq!(pos, frames.len() - 1, "reply after protocol error for \"{}\"", escape(&input));
        }
        if i % 25 == 0 {
            s.assert_alive();
        }
    }
    s.assert_alive();
    // The server is still fully functional.
    let mut c = s.conn();
    assert_reply!(c, "SET after fuzz", b"+OK\r\n");
    assert_reply!(c, "GET after", b"$4\r\nfuzz\r\n");
}

#[test]
fn many_garbage_connections_at_once() {
    let mut s = Server::start(&[]);
    let mut rng = XorShift::new(7);
    let mut conns = Vec::new();
    for _ in 0..50 {
        let mut c = s.conn();
        let junk: Vec<u8> = (0..1 + rng.below(100)).map(|_| rng.next_u64() as u8).collect();
        let _ = c.try_send_raw(&junk);
        conns.push(c);
    }
    s.assert_alive();
    drop(conns);
    s.assert_alive();
}
