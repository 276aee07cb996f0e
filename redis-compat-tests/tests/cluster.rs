//! Cluster mode start-up (issue 15, part 2): `cluster-enabled yes` loads or
//! creates nodes.conf under its lock, binds the bus port, and answers
//! CLUSTER MYID / NODES / INFO as redis-server 7.0.15 does for a lone
//! node; hostile input on the bus port never brings the node down, and the
//! message counters of CLUSTER INFO move as Redis's do for the same bytes.
//! Bus ports are chosen free (`cluster-port`), not port + 10000.

use redis_compat_tests::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

const REDIS: &str = "/usr/bin/redis-server";

fn have_redis() -> bool {
    Path::new(REDIS).exists()
}

/// A cluster node of `bin` in `dir` with its own free bus port.
fn start_node(bin: &Path, dir: &Path) -> (Server, u16) {
    let cport = free_port();
    let cport_s = cport.to_string();
    // Oxidis refuses cluster mode unless the preview is asked for (the
    // variable means nothing to redis-server).
    let srv = Server::start_with_env(
        bin,
        Some(dir),
        &["--cluster-enabled", "yes", "--cluster-port", &cport_s],
        &[("OXIDIS_CLUSTER_PREVIEW", Some("1"))],
    );
    (srv, cport)
}

/// Text with the node's id and ports replaced by placeholders, so two
/// servers' answers compare.
fn normalize(text: &str, id: &str, port: u16, cport: u16) -> String {
    text.replace(id, "<ID>")
        .replace(&format!(":{port}@{cport}"), ":<P>@<CP>")
        .replace(&format!(":0@{cport}"), ":0@<CP>")
}

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(r.bytes().unwrap_or_else(|| panic!("not a string: {}", show(r)))).into_owned()
}

struct Seen {
    myid: String,
    nodes: String,
    info: String,
    conf: String,
}

fn observe(bin: &Path, tag: &str) -> Seen {
    let dir = Server::scratch_dir(tag);
    let (srv, cport) = start_node(bin, &dir);
    let mut c = srv.conn();
    let myid = text(&c.cmd_str("CLUSTER MYID"));
    let early = text(&c.cmd_str("CLUSTER INFO"));
    // A master keeps its initial state for two seconds.
    std::thread::sleep(Duration::from_millis(2300));
    let nodes = text(&c.cmd_str("CLUSTER NODES"));
    let info = text(&c.cmd_str("CLUSTER INFO"));
    let conf = std::fs::read_to_string(dir.join("nodes.conf")).unwrap_or_default();
    let n = |s: &str| normalize(s, &myid, srv.port(), cport);
    let seen = Seen {
        nodes: n(&nodes),
        info: n(&format!("{early}--\n{info}")),
        conf: n(&conf),
        myid,
    };
    drop(c);
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
    seen
}

#[test]
fn lone_node_answers_as_redis() {
    let ours = observe(&server_bin(), "cl-ours");
    assert_eq!(ours.myid.len(), 40, "{}", ours.myid);
    assert!(
        ours.myid.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{}",
        ours.myid
    );
    assert_eq!(ours.nodes, "<ID> :<P>@<CP> myself,master - 0 0 0 connected\n");
    assert!(
        ours.info.starts_with("cluster_state:fail\r\ncluster_slots_assigned:0\r\n"),
        "{}",
        ours.info
    );
    assert!(
        ours.info.contains("cluster_size:1\r\n") && ours.info.contains("cluster_size:0\r\n"),
        "{}",
        ours.info
    );
    assert!(ours.conf.contains("vars currentEpoch 0 lastVoteEpoch 0\n"), "{}", ours.conf);
    if !have_redis() {
        return;
    }
    let real = observe(Path::new(REDIS), "cl-real");
    assert_eq!(ours.nodes, real.nodes, "CLUSTER NODES");
    assert_eq!(ours.info, real.info, "CLUSTER INFO");
    assert_eq!(ours.conf, real.conf, "nodes.conf");
}

#[test]
fn restart_keeps_the_id_and_the_lock_refuses_a_second_node() {
    let dir = Server::scratch_dir("cl-restart");
    let (srv, _) = start_node(&server_bin(), &dir);
    let id = text(&srv.conn().cmd_str("CLUSTER MYID"));
    // A second server on the same nodes.conf must refuse to start.
    let port = free_port().to_string();
    let cport = free_port().to_string();
    let out = std::process::Command::new(server_bin())
        .env("OXIDIS_CLUSTER_PREVIEW", "1")
        .args(["--port", &port, "--cluster-enabled", "yes", "--cluster-port", &cport, "--save", ""])
        .current_dir(&dir)
        .output()
        .expect("spawn");
    assert!(!out.status.success(), "second node started on a locked nodes.conf");
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(log.contains("is already used by a different Redis Cluster node"), "{log}");
    drop(srv);
    let (srv, _) = start_node(&server_bin(), &dir);
    assert_eq!(text(&srv.conn().cmd_str("CLUSTER MYID")), id);
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn standalone_still_refuses_cluster_commands() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    for cmd in ["CLUSTER MYID", "CLUSTER NODES", "CLUSTER INFO"] {
        assert_eq!(show(&c.cmd_str(cmd)), "!ERR This instance has cluster support disabled", "{cmd}");
    }
}

/// A 2,256-byte header: signature, total length, version 1, `ty`.
fn header(totlen: u32, ty: u16) -> Vec<u8> {
    let mut p = vec![0u8; 2256];
    p[0..4].copy_from_slice(b"RCmb");
    p[4..8].copy_from_slice(&totlen.to_be_bytes());
    p[8..10].copy_from_slice(&1u16.to_be_bytes());
    p[12..14].copy_from_slice(&ty.to_be_bytes());
    p
}

/// Sends `data` on a fresh bus connection, then closes it.
fn send_bus(cport: u16, data: &[u8]) {
    let mut s = TcpStream::connect(("127.0.0.1", cport)).expect("connect to the bus port");
    let _ = s.set_read_timeout(Some(Duration::from_millis(100)));
    let _ = s.write_all(data);
    // Give the node the time to read (and maybe answer) before closing.
    let mut sink = [0u8; 4096];
    let _ = s.read(&mut sink);
}

/// The `_received` lines of CLUSTER INFO once they stop changing.
fn received_counters(c: &mut Conn) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut last = Vec::new();
    loop {
        let info = text(&c.cmd_str("CLUSTER INFO"));
        let now: Vec<String> = info.lines().filter(|l| l.contains("_received")).map(String::from).collect();
        if now == last || Instant::now() > deadline {
            return now;
        }
        last = now;
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn hostile(bin: &Path, tag: &str) -> Vec<String> {
    let dir = Server::scratch_dir(tag);
    let (mut srv, cport) = start_node(bin, &dir);
    let mut rng = XorShift::new(15);
    // Random bytes (a bad signature: the link is dropped at once).
    let junk: Vec<u8> = (0..5000).map(|_| rng.next_u64() as u8).collect();
    send_bus(cport, &junk);
    // A truncated header, then EOF.
    send_bus(cport, &header(2256, 0)[..100]);
    // A total length below the header size.
    send_bus(cport, &header(16, 0)[..8]);
    // A huge announced length followed by far fewer bytes.
    let mut huge = header(u32::MAX, 4);
    huge.extend(std::iter::repeat_n(0u8, 1 << 20));
    send_bus(cport, &huge);
    // A wrong version, and a PING whose length disagrees with its gossip
    // count: both dropped, both counted.
    let mut v2 = header(2256, 0);
    v2[8..10].copy_from_slice(&2u16.to_be_bytes());
    send_bus(cport, &v2);
    let mut bad = header(2256, 0);
    bad[14..16].copy_from_slice(&3u16.to_be_bytes());
    send_bus(cport, &bad);
    // Many random-typed, random-bodied packets on one link.
    let mut many = Vec::new();
    for _ in 0..50 {
        let mut p = header(2256, (rng.next_u64() % 12) as u16 + 3);
        for b in p[16..].iter_mut() {
            *b = rng.next_u64() as u8;
        }
        p[8..10].copy_from_slice(&1u16.to_be_bytes());
        many.extend_from_slice(&p);
    }
    send_bus(cport, &many);
    srv.assert_alive();
    let mut c = srv.conn();
    assert_eq!(show(&c.cmd_str("PING")), "+PONG");
    let counters = received_counters(&mut c);
    drop(c);
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
    counters
}

#[test]
fn hostile_bus_input_never_brings_the_node_down() {
    let ours = hostile(&server_bin(), "cl-hostile");
    assert!(ours.iter().any(|l| l.starts_with("cluster_stats_messages_received:")), "{ours:?}");
    if have_redis() {
        let real = hostile(Path::new(REDIS), "cl-hostile-real");
        assert_eq!(ours, real, "CLUSTER INFO received counters");
    }
}

/// Without OXIDIS_CLUSTER_PREVIEW, `cluster-enabled yes` is refused at
/// start-up: a node that cannot join a cluster must not look like one.
#[test]
fn cluster_mode_is_refused_without_the_preview_switch() {
    let port = free_port().to_string();
    let out = std::process::Command::new(server_bin())
        .env_remove("OXIDIS_CLUSTER_PREVIEW")
        .args(["--port", &port, "--cluster-enabled", "yes", "--save", ""])
        .output()
        .expect("run the server");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'cluster-enabled yes': Oxidis does not support cluster mode yet"),
        "{err}"
    );
}
