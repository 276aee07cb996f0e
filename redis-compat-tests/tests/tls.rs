//! TLS: `tls-port` served beside `port`, handshakes that go wrong
//! (plaintext on the TLS port, a ClientHello of garbage, a client that
//! stops mid-handshake, an oversized record), many records arriving at
//! once, certificate rotation with CONFIG SET while clients stay
//! connected, `tls-auth-clients`, encrypted keys, and replication over TLS
//! in both directions with redis-server 7.0.15. The certificates are made
//! when the tests run (an EC CA, a server, a client and a second server
//! certificate), with the OpenSSL the server links.

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{Ssl, SslContext, SslMethod, SslStream, SslVerifyMode};
use openssl::symm::Cipher;
use openssl::x509::extension::BasicConstraints;
use openssl::x509::{X509Name, X509};
use redis_compat_tests::*;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const REDIS: &str = "/usr/bin/redis-server";

fn new_key() -> PKey<Private> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("P-256");
    PKey::from_ec_key(EcKey::generate(&group).expect("EC key")).expect("pkey")
}

/// A certificate for `cn` signed by `issuer` (self-signed when None).
fn new_cert(cn: &str, key: &PKey<Private>, issuer: Option<(&X509, &PKey<Private>)>) -> X509 {
    let mut name = X509Name::builder().expect("name");
    name.append_entry_by_text("O", "Oxidis Test").expect("O");
    name.append_entry_by_text("CN", cn).expect("CN");
    let name = name.build();
    let mut b = X509::builder().expect("x509");
    b.set_version(2).expect("version");
    let serial = BigNum::from_u32(cn.len() as u32 * 7919 + 1).and_then(|n| n.to_asn1_integer());
    b.set_serial_number(&serial.expect("serial")).expect("serial");
    b.set_subject_name(&name).expect("subject");
    b.set_pubkey(key).expect("pubkey");
    b.set_not_before(&Asn1Time::days_from_now(0).expect("time")).expect("nb");
    b.set_not_after(&Asn1Time::days_from_now(30).expect("time")).expect("na");
    match issuer {
        None => {
            b.set_issuer_name(&name).expect("issuer");
            b.append_extension(BasicConstraints::new().critical().ca().build().expect("bc"))
                .expect("ext");
            b.sign(key, MessageDigest::sha256()).expect("sign");
        }
        Some((ca, ca_key)) => {
            b.set_issuer_name(ca.subject_name()).expect("issuer");
            b.sign(ca_key, MessageDigest::sha256()).expect("sign");
        }
    }
    b.build()
}

/// Test certificates in a scratch directory.
struct Pki {
    dir: PathBuf,
}

impl Pki {
    fn new(tag: &str) -> Pki {
        let dir = Server::scratch_dir(&format!("pki-{tag}"));
        let ca_key = new_key();
        let ca = new_cert("Certificate Authority", &ca_key, None);
        let write = |name: &str, data: &[u8]| std::fs::write(dir.join(name), data).expect("write pem");
        write("ca.crt", &ca.to_pem().expect("pem"));
        for (name, cn) in [("server", "Server"), ("client", "Client"), ("rotated", "Rotated")] {
            let key = new_key();
            let cert = new_cert(cn, &key, Some((&ca, &ca_key)));
            write(&format!("{name}.crt"), &cert.to_pem().expect("pem"));
            write(&format!("{name}.key"), &key.private_key_to_pem_pkcs8().expect("pem"));
            if name == "server" {
                let enc = key
                    .private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), b"1234")
                    .expect("encrypted pem");
                write("server.key.encrypted", &enc);
            }
        }
        Pki { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    /// Server arguments for a TLS port with these certificates.
    fn server_args(&self, tls_port: u16) -> Vec<String> {
        let mut v: Vec<String> = vec!["--tls-port".into(), tls_port.to_string()];
        for (opt, file) in [
            ("--tls-cert-file", "server.crt"),
            ("--tls-key-file", "server.key"),
            ("--tls-ca-cert-file", "ca.crt"),
        ] {
            v.push(opt.into());
            v.push(self.path(file));
        }
        v
    }

    /// A client context: verifies the server against the CA, presents the
    /// client certificate when `with_cert`.
    fn client_ctx(&self, with_cert: bool) -> SslContext {
        let mut b = SslContext::builder(SslMethod::tls_client()).expect("ctx");
        b.set_ca_file(self.path("ca.crt")).expect("ca");
        b.set_verify(SslVerifyMode::PEER);
        if with_cert {
            b.set_certificate_file(self.path("client.crt"), openssl::ssl::SslFiletype::PEM)
                .expect("cert");
            b.set_private_key_file(self.path("client.key"), openssl::ssl::SslFiletype::PEM)
                .expect("key");
        }
        b.build()
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server of ours (or `$OXIDIS_BIN`) with a TLS port too.
fn start_tls(pki: &Pki, extra: &[&str]) -> (Server, u16) {
    start_tls_with(&server_bin(), None, pki, extra)
}

fn start_tls_with(bin: &Path, dir: Option<&Path>, pki: &Pki, extra: &[&str]) -> (Server, u16) {
    let tls_port = free_port();
    let args = pki.server_args(tls_port);
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend_from_slice(extra);
    (Server::start_with(bin, dir, &all), tls_port)
}

/// A RESP client over TLS.
struct TlsConn {
    s: SslStream<TcpStream>,
    buf: Vec<u8>,
}

impl TlsConn {
    fn try_connect(port: u16, pki: &Pki, with_cert: bool) -> Result<TlsConn, String> {
        let tcp = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        tcp.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
        let ssl = Ssl::new(&pki.client_ctx(with_cert)).map_err(|e| e.to_string())?;
        let s = ssl.connect(tcp).map_err(|e| e.to_string())?;
        Ok(TlsConn { s, buf: Vec::new() })
    }

    fn connect(port: u16, pki: &Pki) -> TlsConn {
        match Self::try_connect(port, pki, true) {
            Ok(c) => c,
            Err(e) => panic!("TLS connect to {port}: {e}"),
        }
    }

    fn send(&mut self, args: &[&[u8]]) -> std::io::Result<()> {
        self.s.write_all(&encode_cmd(args))
    }

    /// One reply, or the error that ended the connection.
    fn try_read_reply(&mut self) -> Result<Reply, String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some((r, n)) = parse_first(&self.buf)? {
                self.buf.drain(..n);
                return Ok(r);
            }
            if Instant::now() > deadline {
                return Err("timed out".into());
            }
            let mut tmp = [0u8; 65536];
            match self.s.read(&mut tmp) {
                Ok(0) => return Err("connection closed".into()),
                Ok(n) => self.buf.extend_from_slice(&tmp[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    fn cmd(&mut self, args: &[&[u8]]) -> Reply {
        if let Err(e) = self.send(args) {
            panic!("TLS write: {e}");
        }
        match self.try_read_reply() {
            Ok(r) => r,
            Err(e) => panic!("TLS read: {e}"),
        }
    }

    fn cmd_str(&mut self, s: &str) -> Reply {
        let parts: Vec<&[u8]> = s.split(' ').map(str::as_bytes).collect();
        self.cmd(&parts)
    }

    fn peer_cn(&self) -> String {
        let cert = self.s.ssl().peer_certificate().expect("peer certificate");
        let cn = cert.subject_name().entries_by_nid(Nid::COMMONNAME).next().expect("CN");
        cn.data().to_string().unwrap_or_default()
    }
}

/// Reads from a raw socket until EOF or an error; what arrived. Panics if
/// the peer keeps the connection open for `d`.
fn read_until_closed(s: &mut TcpStream, d: Duration) -> Vec<u8> {
    let _ = s.set_read_timeout(Some(Duration::from_millis(100)));
    let deadline = Instant::now() + d;
    let mut got = Vec::new();
    let mut tmp = [0u8; 4096];
    loop {
        match s.read(&mut tmp) {
            Ok(0) => return got,
            Ok(n) => got.extend_from_slice(&tmp[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => {
                assert!(Instant::now() < deadline, "connection still open after {d:?}");
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return got,
        }
    }
}

fn assert_serves_tls(port: u16, pki: &Pki) {
    let mut c = TlsConn::connect(port, pki);
    assert_eq!(c.cmd_str("PING").str(), "PONG");
}

#[test]
fn port_and_tls_port_serve_the_same_data() {
    let pki = Pki::new("both");
    let (srv, tls_port) = start_tls(&pki, &[]);
    let mut plain = srv.conn();
    let mut tls = TlsConn::connect(tls_port, &pki);
    assert_eq!(plain.cmd_str("SET from-plain 1").str(), "OK");
    assert_eq!(tls.cmd_str("GET from-plain").str(), "1");
    assert_eq!(tls.cmd_str("SET from-tls 2").str(), "OK");
    assert_eq!(plain.cmd_str("GET from-tls").str(), "2");
    assert_eq!(
        tls.cmd_str("CONFIG GET tls-port").strings(),
        vec!["tls-port".to_string(), tls_port.to_string()]
    );
    // A big value crosses many records both ways.
    let big: Vec<u8> = (0..3_000_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    assert_eq!(tls.cmd(&[b"SET", b"big", &big]).str(), "OK");
    assert_eq!(tls.cmd(&[b"GET", b"big"]).bytes(), Some(&big[..]));
    assert_eq!(plain.cmd(&[b"STRLEN", b"big"]).int(), 3_000_000);
}

#[test]
fn plaintext_on_the_tls_port_is_closed() {
    let pki = Pki::new("plain");
    let (mut srv, tls_port) = start_tls(&pki, &[]);
    let mut s = TcpStream::connect(("127.0.0.1", tls_port)).expect("connect");
    s.write_all(b"*1\r\n$4\r\nPING\r\n").expect("write");
    let got = read_until_closed(&mut s, Duration::from_secs(5));
    assert!(!got.windows(5).any(|w| w == b"+PONG"), "plaintext got an answer: {}", escape(&got));
    // Inline plaintext too.
    let mut s = TcpStream::connect(("127.0.0.1", tls_port)).expect("connect");
    s.write_all(b"PING\r\n").expect("write");
    read_until_closed(&mut s, Duration::from_secs(5));
    srv.assert_alive();
    assert_serves_tls(tls_port, &pki);
}

#[test]
fn garbage_client_hellos_are_refused() {
    let pki = Pki::new("garbage");
    let (mut srv, tls_port) = start_tls(&pki, &[]);
    let mut rng = XorShift::new(12);
    let mut hellos: Vec<Vec<u8>> = Vec::new();
    // A handshake record of random bytes.
    let mut h = vec![0x16, 0x03, 0x01, 0x00, 0x40];
    h.extend((0..0x40).map(|_| rng.next_u64() as u8));
    hellos.push(h);
    // A ClientHello header whose body is random.
    let mut h = vec![0x16, 0x03, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0xfc, 0x03, 0x03];
    h.extend((0..0xfa).map(|_| rng.next_u64() as u8));
    hellos.push(h);
    // A record claiming the largest length, then too little.
    hellos.push(vec![0x16, 0x03, 0x01, 0xff, 0xff, 0x01, 0x00]);
    // Not a handshake record at all, and an impossible version.
    hellos.push(vec![0x17, 0x03, 0x03, 0x00, 0x05, 1, 2, 3, 4, 5]);
    hellos.push(vec![0x16, 0x7f, 0x7f, 0x00, 0x05, 1, 2, 3, 4, 5]);
    for (i, hello) in hellos.iter().enumerate() {
        let mut s = TcpStream::connect(("127.0.0.1", tls_port)).expect("connect");
        s.write_all(hello).expect("write");
        if i == 2 {
            // The rest of the claimed length never comes: close ourselves.
            std::thread::sleep(Duration::from_millis(100));
            drop(s);
            continue;
        }
        let got = read_until_closed(&mut s, Duration::from_secs(5));
        // At most a TLS alert comes back.
        assert!(got.is_empty() || got[0] == 0x15, "hello {i}: got {}", escape(&got));
    }
    srv.assert_alive();
    assert_serves_tls(tls_port, &pki);
}

#[test]
fn a_client_stuck_mid_handshake_blocks_nobody() {
    let pki = Pki::new("stuck");
    let (mut srv, tls_port) = start_tls(&pki, &[]);
    // One connects and says nothing, one sends half a ClientHello record.
    let silent = TcpStream::connect(("127.0.0.1", tls_port)).expect("connect");
    let mut half = TcpStream::connect(("127.0.0.1", tls_port)).expect("connect");
    half.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01]).expect("write");
    // Everyone else is served meanwhile.
    for i in 0..20 {
        let mut c = TlsConn::connect(tls_port, &pki);
        let k = format!("key:{i}");
        assert_eq!(c.cmd(&[b"SET", k.as_bytes(), b"v"]).str(), "OK");
    }
    let mut plain = srv.conn();
    assert_eq!(plain.cmd_str("DBSIZE").int(), 20);
    // They count as connected clients until they go.
    let clients = plain.cmd_str("CLIENT LIST").str();
    assert!(clients.lines().count() >= 3, "{clients}");
    drop(silent);
    drop(half);
    srv.assert_alive();
    assert_eq!(plain.cmd_str("DBSIZE").int(), 20);
}

#[test]
fn an_oversized_record_closes_only_that_client() {
    let pki = Pki::new("huge");
    let (mut srv, tls_port) = start_tls(&pki, &[]);
    let mut other = TlsConn::connect(tls_port, &pki);
    assert_eq!(other.cmd_str("SET kept 1").str(), "OK");
    let mut bad = TlsConn::connect(tls_port, &pki);
    assert_eq!(bad.cmd_str("PING").str(), "PONG");
    // Behind OpenSSL's back: an application-data record of 64 KiB, far
    // over the 16 KiB (+ expansion) TLS allows.
    let mut rec = vec![0x17, 0x03, 0x03, 0xff, 0xff];
    rec.extend(std::iter::repeat_n(0u8, 0xffff));
    let _ = bad.s.get_mut().write_all(&rec);
    let _ = bad.s.get_ref().set_read_timeout(Some(Duration::from_secs(5)));
    let mut tmp = [0u8; 64];
    match bad.s.read(&mut tmp) {
        Ok(0) | Err(_) => {}
        Ok(n) => panic!("server answered an oversized record: {}", escape(&tmp[..n])),
    }
    srv.assert_alive();
    assert_eq!(other.cmd_str("GET kept").str(), "1");
    assert_serves_tls(tls_port, &pki);
}

#[test]
fn records_already_received_are_served_without_more_input() {
    let pki = Pki::new("pending");
    let (_srv, tls_port) = start_tls(&pki, &[]);
    let mut c = TlsConn::connect(tls_port, &pki);
    // 300 commands, each its own TLS record, all sent before reading: the
    // server gets many records per read and must serve every one of them
    // though no further bytes (and so no readiness event) will come.
    let mut expected = Vec::new();
    for i in 0..300 {
        let k = format!("k{i}");
        c.send(&[b"SET", k.as_bytes(), k.as_bytes()]).expect("send");
        expected.push(Reply::Status("OK".into()));
    }
    c.send(&[b"DBSIZE"]).expect("send");
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(&c.try_read_reply().unwrap_or_else(|e| panic!("reply {i}: {e}")), want);
    }
    assert_eq!(c.try_read_reply().map(|r| r.int()), Ok(300));
}

#[test]
fn config_set_rotates_the_certificate_without_dropping_clients() {
    let pki = Pki::new("rotate");
    let (mut srv, tls_port) = start_tls(&pki, &[]);
    let mut before = TlsConn::connect(tls_port, &pki);
    assert_eq!(before.peer_cn(), "Server");
    let (crt, key) = (pki.path("rotated.crt"), pki.path("rotated.key"));
    let r = before.cmd(&[b"CONFIG", b"SET", b"tls-cert-file", crt.as_bytes(), b"tls-key-file", key.as_bytes()]);
    assert_eq!(r.str(), "OK");
    assert_eq!(before.cmd_str("PING").str(), "PONG");
    let mut after = TlsConn::connect(tls_port, &pki);
    assert_eq!(after.peer_cn(), "Rotated");
    // A bad file is refused whole: the rotated certificate stays.
    let r = after.cmd_str("CONFIG SET tls-cert-file /nonexistent/redis.crt");
    assert_eq!(
        r.str(),
        "ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs."
    );
    assert_eq!(after.cmd_str("CONFIG GET tls-cert-file").strings()[1], crt);
    let mut third = TlsConn::connect(tls_port, &pki);
    assert_eq!(third.peer_cn(), "Rotated");
    // A key that does not match the certificate is refused too.
    let mismatched = pki.path("client.key");
    let r = third.cmd(&[b"CONFIG", b"SET", b"tls-key-file", mismatched.as_bytes()]);
    assert!(r.is_error(), "{r:?}");
    assert_eq!(before.cmd_str("PING").str(), "PONG");
    srv.assert_alive();
}

#[test]
fn tls_auth_clients_yes_optional_no() {
    let pki = Pki::new("auth");
    let (srv, tls_port) = start_tls(&pki, &[]);
    let mut plain = srv.conn();
    let refused = |pki: &Pki| match TlsConn::try_connect(tls_port, pki, false) {
        Err(_) => true,
        Ok(mut c) => {
            // TLS 1.3: the client learns of the refusal on its first read.
            let _ = c.send(&[b"PING"]);
            c.try_read_reply().is_err()
        }
    };
    assert!(refused(&pki), "a client without a certificate was served");
    assert_eq!(plain.cmd_str("CONFIG SET tls-auth-clients optional").str(), "OK");
    assert!(!refused(&pki));
    assert_serves_tls(tls_port, &pki);
    assert_eq!(plain.cmd_str("CONFIG SET tls-auth-clients no").str(), "OK");
    assert!(!refused(&pki));
    assert_eq!(plain.cmd_str("CONFIG SET tls-auth-clients yes").str(), "OK");
    assert!(refused(&pki));
}

#[test]
fn an_encrypted_key_needs_its_password() {
    let pki = Pki::new("keypass");
    let (mut srv, tls_port) = start_tls(&pki, &[]);
    let mut plain = srv.conn();
    let enc = pki.path("server.key.encrypted");
    let r = plain.cmd(&[b"CONFIG", b"SET", b"tls-key-file", enc.as_bytes()]);
    assert_eq!(
        r.str(),
        "ERR CONFIG SET failed (possibly related to argument 'tls-key-file') - Unable to update TLS configuration. Check server logs."
    );
    assert_eq!(plain.cmd_str("CONFIG SET tls-key-file-pass wrong").str(), "OK");
    assert!(plain.cmd(&[b"CONFIG", b"SET", b"tls-key-file", enc.as_bytes()]).is_error());
    assert_eq!(plain.cmd_str("CONFIG SET tls-key-file-pass 1234").str(), "OK");
    assert_eq!(plain.cmd(&[b"CONFIG", b"SET", b"tls-key-file", enc.as_bytes()]).str(), "OK");
    assert_serves_tls(tls_port, &pki);
    // The password is not shown back in the clear by the log or refused
    // later: a restart from these directives works too.
    srv.assert_alive();
}

#[test]
fn tls_port_can_move_and_bad_tls_config_refuses_to_start() {
    let pki = Pki::new("move");
    let (srv, tls_port) = start_tls(&pki, &[]);
    let mut plain = srv.conn();
    let new_port = free_port();
    let r = plain.cmd(&[b"CONFIG", b"SET", b"tls-port", new_port.to_string().as_bytes()]);
    assert_eq!(r.str(), "OK");
    assert_serves_tls(new_port, &pki);
    assert!(TcpStream::connect(("127.0.0.1", tls_port)).is_err(), "old TLS port still open");
    assert_eq!(plain.cmd_str("CONFIG SET tls-port 0").str(), "OK");
    assert!(TcpStream::connect(("127.0.0.1", new_port)).is_err(), "TLS port still open");
    // A server told to serve TLS with a certificate it cannot load exits.
    let dir = Server::scratch_dir("tls-bad-start");
    let out = std::process::Command::new(server_bin())
        .args(["--port", "0", "--tls-port", &free_port().to_string()])
        .args(["--tls-cert-file", "/nonexistent.crt", "--tls-key-file", "/nonexistent.key"])
        .args(["--tls-ca-cert-file", &pki.path("ca.crt"), "--dir", &dir.to_string_lossy()])
        .output()
        .expect("run");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Failed to load certificate: /nonexistent.crt"), "{text}");
    assert!(text.contains("Failed to configure TLS. Check logs for more info."), "{text}");
}

fn info_field(c: &mut Conn, section: &str, field: &str) -> Option<String> {
    let text = c.cmd(&[b"INFO", section.as_bytes()]).str();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")).map(|v| v.trim().to_string()))
}

fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if cond() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}");
}

/// Master and replica over TLS (`tls-replication yes` on both): a full
/// sync, then the stream, then a partial resync after the link breaks.
fn replicate_over_tls(master_bin: &Path, replica_bin: &Path) {
    let pki = Pki::new("repl");
    let extra = ["--tls-replication", "yes", "--enable-debug-command", "yes"];
    let (mdir, rdir) = (Server::scratch_dir("tls-m"), Server::scratch_dir("tls-r"));
    let (master, m_tls) = start_tls_with(master_bin, Some(&mdir), &pki, &extra);
    let (replica, r_tls) = start_tls_with(replica_bin, Some(&rdir), &pki, &extra);
    let (mut m, mut r) = (master.conn(), replica.conn());
    for i in 0..500 {
        m.cmd(&[b"RPUSH", format!("list:{}", i % 10).as_bytes(), format!("{i}").as_bytes()]);
    }
    let r_port = m_tls.to_string();
    assert_eq!(r.cmd(&[b"REPLICAOF", b"127.0.0.1", r_port.as_bytes()]).str(), "OK");
    wait_for("master_link_status:up", || {
        info_field(&mut r, "replication", "master_link_status").as_deref() == Some("up")
    });
    for i in 0..200 {
        m.cmd(&[b"SET", format!("after:{i}").as_bytes(), b"x"]);
    }
    let in_sync = |m: &mut Conn, r: &mut Conn| {
        let mo = info_field(m, "replication", "master_repl_offset");
        mo.is_some() && mo == info_field(r, "replication", "slave_repl_offset")
    };
    wait_for("replica to catch up", || in_sync(&mut m, &mut r));
    assert_eq!(m.cmd_str("DEBUG DIGEST").str(), r.cmd_str("DEBUG DIGEST").str());
    // The replica announced its TLS port.
    let slave0 = info_field(&mut m, "replication", "slave0").unwrap_or_default();
    assert!(slave0.contains(&format!("port={r_tls},")), "{slave0}");
    // Break the link: the replica reconnects over TLS and resyncs
    // partially.
    m.cmd_str("CLIENT KILL TYPE replica");
    m.cmd_str("SET after-kill 1");
    wait_for("resync", || in_sync(&mut m, &mut r) && r.cmd_str("GET after-kill").str() == "1");
    assert_eq!(info_field(&mut m, "stats", "sync_partial_ok").as_deref(), Some("1"));
    assert_eq!(m.cmd_str("DEBUG DIGEST").str(), r.cmd_str("DEBUG DIGEST").str());
    drop(master);
    drop(replica);
    let _ = std::fs::remove_dir_all(&mdir);
    let _ = std::fs::remove_dir_all(&rdir);
}

#[test]
fn replication_over_tls_between_our_servers() {
    replicate_over_tls(&server_bin(), &server_bin());
}

#[test]
fn replication_over_tls_with_redis_as_replica() {
    if !Path::new(REDIS).exists() {
        eprintln!("skipped: {REDIS} not installed");
        return;
    }
    replicate_over_tls(&server_bin(), Path::new(REDIS));
}

#[test]
fn replication_over_tls_with_redis_as_master() {
    if !Path::new(REDIS).exists() {
        eprintln!("skipped: {REDIS} not installed");
        return;
    }
    replicate_over_tls(Path::new(REDIS), &server_bin());
}
