//! The cluster's runtime state (`clusterState`) and start-up
//! (`clusterInit`): nodes.conf loaded or created under its lock, the node
//! table, and the bus listener with its inbound links.
//!
//! The node table is, for now, the parsed nodes.conf ([`NodesConf`]):
//! one [`NodeLine`] per node, `myself` flagged. Links only read and
//! validate packets (framing and `clusterIsValidPacket`'s checks, the link
//! dropped on a framing error exactly as Redis does); the message handler
//! (MEET/PING/PONG, gossip) is the next step.
//!
//! A bus link is untrusted input: its buffer grows only with the bytes the
//! peer actually sent (a header announcing a huge length reserves
//! nothing), one packet at a time.

use super::bus::msg::{self, NAME_LEN, SLOT_BYTES};
use super::node_flag as nf;
use super::nodes_conf::{self, NodeLine, NodesConf};
use crate::ae::Tok;
use crate::net::listener::{listen_tcp, Listener};
use crate::net::Conn;
use crate::server::Server;
use mio::Interest;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::PathBuf;

/// How much a link reads per call.
const READ_CHUNK: usize = 16 * 1024;

/// One inbound bus link (`clusterLink` created by the accept handler).
pub struct Link {
    pub conn: Conn,
    /// Bytes of the packet being assembled (never more than one packet
    /// plus one read chunk).
    buf: Vec<u8>,
}

pub struct ClusterState {
    /// The node table and epochs, in nodes.conf's shape.
    pub conf: NodesConf,
    /// Index of `myself` in `conf.nodes`.
    pub myself: usize,
    pub path: PathBuf,
    /// nodes.conf, locked for the life of the process.
    lock: File,
    pub listeners: Vec<Listener>,
    pub links: slab::Slab<Link>,
    /// Packets received and accepted, by type (`stats_bus_messages_received`).
    pub received: [u64; msg::ty::COUNT as usize],
    /// Packets dropped by validation.
    pub dropped: u64,
    /// When start-up finished (ms): a master reports the initial state
    /// (fail, size 1) for its first two seconds (`CLUSTER_WRITABLE_DELAY`).
    pub init_ms: i64,
}

/// How long a master keeps its initial state after start (ms).
const WRITABLE_DELAY_MS: i64 = 2000;

impl ClusterState {
    pub fn myself(&self) -> &NodeLine {
        &self.conf.nodes[self.myself]
    }

    pub fn myself_mut(&mut self) -> &mut NodeLine {
        &mut self.conf.nodes[self.myself]
    }

    /// Descriptors a forked child must not keep: the lock (else the lock
    /// outlives a killed parent) and the bus sockets.
    pub fn child_fds(&self) -> Vec<i32> {
        let mut v = vec![self.lock.as_raw_fd()];
        v.extend(self.links.iter().map(|(_, l)| l.conn.fd()));
        v
    }

    /// `CLUSTER INFO`'s text.
    pub fn info(&self, require_full_coverage: bool) -> Vec<u8> {
        let mut assigned = 0;
        let (mut ok, mut pfail, mut fail) = (0, 0, 0);
        for slot in 0..msg::SLOTS {
            let Some(n) = self.conf.nodes.iter().find(|n| n.has_slot(slot)) else {
                continue;
            };
            assigned += 1;
            if n.flags & nf::FAIL != 0 {
                fail += 1;
            } else if n.flags & nf::PFAIL != 0 {
                pfail += 1;
            } else {
                ok += 1;
            }
        }
        // Masters serving at least one slot, and those reachable.
        let serving = |n: &&NodeLine| n.flags & nf::MASTER != 0 && n.slots.iter().any(|b| *b != 0);
        let size = self.conf.nodes.iter().filter(serving).count();
        let reachable = self
            .conf
            .nodes
            .iter()
            .filter(serving)
            .filter(|n| n.flags & (nf::FAIL | nf::PFAIL) == 0)
            .count();
        let covered = !require_full_coverage || (assigned == msg::SLOTS && ok == msg::SLOTS);
        let me = self.myself();
        let (state_ok, size) = if me.flags & nf::MASTER != 0 && crate::util::mstime() - self.init_ms < WRITABLE_DELAY_MS {
            (false, 1)
        } else {
            (covered && size > 0 && reachable > size / 2, size)
        };
        let my_epoch = match me.master.and_then(|m| self.conf.nodes.iter().find(|n| n.name == m)) {
            Some(m) if me.flags & nf::SLAVE != 0 => m.config_epoch,
            _ => me.config_epoch,
        };
        let mut out = format!(
            "cluster_state:{}\r\ncluster_slots_assigned:{assigned}\r\ncluster_slots_ok:{ok}\r\ncluster_slots_pfail:{pfail}\r\ncluster_slots_fail:{fail}\r\ncluster_known_nodes:{}\r\ncluster_size:{size}\r\ncluster_current_epoch:{}\r\ncluster_my_epoch:{my_epoch}\r\n",
            if state_ok { "ok" } else { "fail" },
            self.conf.nodes.len(),
            self.conf.current_epoch,
        );
        // Nothing is sent yet: the sent section is the total alone.
        out.push_str("cluster_stats_messages_sent:0\r\n");
        let mut total = 0;
        for (t, &n) in self.received.iter().enumerate() {
            if n != 0 {
                total += n;
                out.push_str(&format!("cluster_stats_messages_{}_received:{n}\r\n", type_name(t)));
            }
        }
        out.push_str(&format!("cluster_stats_messages_received:{total}\r\n"));
        out.push_str("total_cluster_links_buffer_limit_exceeded:0\r\n");
        out.into_bytes()
    }

    /// `CLUSTER NODES`'s text: one line per node, myself first.
    pub fn nodes_text(&self) -> Vec<u8> {
        let mut out = Vec::new();
        nodes_conf::node_line(self.myself(), &mut out);
        out.push(b'\n');
        for (i, n) in self.conf.nodes.iter().enumerate() {
            if i != self.myself {
                nodes_conf::node_line(n, &mut out);
                out.push(b'\n');
            }
        }
        out
    }

    /// Writes nodes.conf (`clusterSaveConfig`).
    pub fn save(&self, fsync: bool) -> io::Result<()> {
        nodes_conf::save(&self.path, &self.conf, fsync)
    }
}

/// A message type's name in CLUSTER INFO (`clusterGetMessageTypeString`).
fn type_name(t: usize) -> &'static str {
    const NAMES: [&str; msg::ty::COUNT as usize] = [
        "ping",
        "pong",
        "meet",
        "fail",
        "publish",
        "auth-req",
        "auth-ack",
        "update",
        "mfstart",
        "module",
        "publishshard",
    ];
    NAMES.get(t).copied().unwrap_or("unknown")
}

/// The bus port for a client port: `cluster-port`, else port + 10000.
pub fn bus_port(cluster_port: i64, port: i64) -> i64 {
    if cluster_port != 0 {
        cluster_port
    } else {
        port + nodes_conf::CLUSTER_PORT_INCR
    }
}

/// A fresh `myself` (`createClusterNode(NULL, MYSELF|MASTER)`).
fn new_myself(port: i64, cport: i64) -> NodeLine {
    let mut name = [0u8; NAME_LEN];
    name.copy_from_slice(crate::util::random_hex40().as_bytes());
    NodeLine {
        name,
        ip: Vec::new(),
        port,
        cport,
        hostname: Vec::new(),
        flags: nf::MYSELF | nf::MASTER,
        master: None,
        ping_sent: 0,
        pong_received: 0,
        config_epoch: 0,
        connected: true,
        slots: Box::new([0u8; SLOT_BYTES]),
        moves: Vec::new(),
    }
}

impl Server {
    /// `clusterInit`: lock and load (or create) nodes.conf, bind the bus
    /// port, start the per-slot key index. Errors are logged; the caller
    /// exits.
    #[allow(clippy::result_unit_err)] // the reason is already logged, as Redis does
    pub fn cluster_init(&mut self) -> Result<(), ()> {
        let path = PathBuf::from(&self.cfg.cluster_config_file);
        let lock = match nodes_conf::lock(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                log::warn!(
                    "Sorry, the cluster configuration file {} is already used by a different Redis Cluster node. Please make sure that different nodes use different cluster configuration files.",
                    path.display()
                );
                return Err(());
            }
            Err(e) => {
                log::warn!(
                    "Can't open {} in order to acquire a lock: {}",
                    path.display(),
                    crate::util::strerror(&e)
                );
                return Err(());
            }
        };
        let port = if self.cfg.port != 0 { self.cfg.port } else { self.cfg.tls_port };
        let cport = bus_port(self.cfg.cluster_port, port);
        if !(1..=65535).contains(&cport) {
            log::warn!(
                "Redis port number too high. Cluster communication port is 10,000 port numbers higher than your Redis port. Your Redis port number must be 55535 or less."
            );
            return Err(());
        }
        let (conf, myself, fresh) = match nodes_conf::load(&path) {
            Ok(Some(mut conf)) => {
                let Some(i) = conf.nodes.iter().position(|n| n.flags & nf::MYSELF != 0) else {
                    log::warn!("Unrecoverable error: corrupted cluster config file (no myself).");
                    return Err(());
                };
                for (j, n) in conf.nodes.iter_mut().enumerate() {
                    // Only myself is connected until links come up.
                    n.connected = j == i;
                }
                log::info!(
                    "Node configuration loaded, I'm {:.40}",
                    String::from_utf8_lossy(&conf.nodes[i].name)
                );
                (conf, i, false)
            }
            Ok(None) => {
                // Written with no address yet, as Redis does: ports are
                // filled in after the first save.
                let me = new_myself(0, 0);
                log::warn!("No cluster configuration found, I'm {}", String::from_utf8_lossy(&me.name));
                (
                    NodesConf {
                        nodes: vec![me],
                        current_epoch: 0,
                        last_vote_epoch: 0,
                    },
                    0,
                    true,
                )
            }
            Err(e) => {
                log::warn!("Unrecoverable error: {e}");
                return Err(());
            }
        };
        let listeners = match listen_tcp(&self.cfg.special.bind, cport as u16, self.cfg.tcp_backlog as i32, false) {
            Ok(ls) if !ls.is_empty() => ls,
            Ok(_) => {
                log::warn!("Failed listening on port {cport} (cluster), aborting.");
                return Err(());
            }
            Err((addr, e)) => {
                log::warn!(
                    "Warning: Could not create server TCP listening socket {}:{}: {}",
                    addr,
                    cport,
                    crate::util::strerror(&e)
                );
                log::warn!("Failed listening on port {cport} (cluster), aborting.");
                return Err(());
            }
        };
        let mut st = ClusterState {
            conf,
            myself,
            path,
            lock,
            listeners,
            links: slab::Slab::new(),
            received: [0; msg::ty::COUNT as usize],
            dropped: 0,
            init_ms: crate::util::mstime(),
        };
        if fresh {
            if let Err(e) = st.save(true) {
                log::warn!("Fatal: can't update cluster config file: {}", crate::util::strerror(&e));
                return Err(());
            }
        }
        st.myself_mut().port = port;
        st.myself_mut().cport = cport;
        self.cluster = Some(Box::new(st));
        self.enable_slot_index();
        Ok(())
    }

    /// Closes, in a forked child, the descriptors only the parent may
    /// hold: the nodes.conf lock above all (the child would otherwise keep
    /// the file locked after the parent dies).
    pub fn cluster_close_child_fds(&self) {
        if let Some(cl) = self.cluster.as_ref() {
            for fd in cl.child_fds() {
                // SAFETY: called only in a forked child, which never uses
                // these descriptors again (their owners are never dropped
                // there: the child leaves with _exit).
                unsafe { libc::close(fd) };
            }
        }
    }

    /// Registers the bus listeners with the poller.
    pub fn cluster_register(&mut self, registry: &mio::Registry) -> io::Result<()> {
        if let Some(cl) = self.cluster.as_mut() {
            for (i, l) in cl.listeners.iter_mut().enumerate() {
                registry.register(l, Tok::ClusterBus(i).into(), Interest::READABLE)?;
            }
        }
        Ok(())
    }

    /// Accepts pending bus connections (`clusterAcceptHandler`; at most
    /// 1,000 per event as Redis does).
    pub fn cluster_accept(&mut self, idx: usize) {
        let Some(cl) = self.cluster.as_mut() else { return };
        let Some(registry) = self.registry.as_ref() else { return };
        for _ in 0..1000 {
            let Some(l) = cl.listeners.get(idx) else { return };
            let mut conn = match l.accept(0, None) {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) => {
                    log::debug!("Error accepting cluster node: {e}");
                    return;
                }
            };
            let entry = cl.links.vacant_entry();
            let key = entry.key();
            if registry
                .register(&mut conn, Tok::ClusterLink(key).into(), Interest::READABLE)
                .is_err()
            {
                continue;
            }
            log::debug!("Accepting cluster node connection from {}", conn.peer_id(""));
            entry.insert(Link { conn, buf: Vec::new() });
        }
    }

    /// Reads a bus link (`clusterReadHandler`): packets are framed and
    /// validated; a framing error or EOF frees the link.
    pub fn cluster_link_event(&mut self, key: usize) {
        let Some(cl) = self.cluster.as_mut() else { return };
        let Some(link) = cl.links.get_mut(key) else { return };
        let mut keep = true;
        'read: loop {
            // Read no further than the current packet, a chunk at a time.
            let want = match msg::frame_len(&link.buf) {
                Ok(Some(n)) => n.saturating_sub(link.buf.len()).clamp(1, READ_CHUNK),
                Ok(None) => READ_CHUNK,
                Err(_) => {
                    keep = false;
                    break;
                }
            };
            match link.conn.read_into(&mut link.buf, want) {
                Ok(0) => {
                    keep = false;
                    break;
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    keep = false;
                    break;
                }
            }
            // Every whole packet now in the buffer.
            loop {
                match msg::frame_len(&link.buf) {
                    Ok(Some(n)) if link.buf.len() >= n => {
                        // Counted by the header's type before any check,
                        // as Redis does.
                        let t = u16::from_be_bytes([link.buf[12], link.buf[13]]) as usize;
                        if let Some(c) = cl.received.get_mut(t) {
                            *c += 1;
                        }
                        if msg::decode(&link.buf[..n]).is_err() {
                            cl.dropped += 1;
                        }
                        link.buf.drain(..n);
                        if link.buf.capacity() > READ_CHUNK * 4 {
                            link.buf.shrink_to(READ_CHUNK);
                        }
                    }
                    Ok(_) => break,
                    Err(_) => {
                        keep = false;
                        break 'read;
                    }
                }
            }
        }
        if !keep {
            let mut link = cl.links.remove(key);
            if let Some(r) = self.registry.as_ref() {
                let _ = r.deregister(&mut link.conn);
            }
        }
    }
}
