//! nodes.conf, Redis 7.0's cluster config file: one line per node, the
//! same text as CLUSTER NODES (`name ip:port@cport[,hostname] flags master
//! ping_sent pong_received config_epoch link-state slots...`), the node
//! that wrote it marked `myself` and carrying its migrating
//! (`[slot->-name]`) and importing (`[slot-<-name]`) slots, then
//! `vars currentEpoch N lastVoteEpoch M`.
//!
//! This file reads and writes the text and the file; turning lines into the
//! node table (a replica's epoch is its master's, ping times become "now")
//! is the node table's job. Parsing accepts what Redis accepts, with the
//! same leniency (numbers read as `atoi`/`strtoull` do, a range whose start
//! is past its end adds nothing); where Redis would crash or read past a
//! buffer (an unknown flag, two `myself` lines, a malformed migration
//! marker, an IP longer than its field) the file is rejected instead.

use super::bus::msg::{IP_LEN, NAME_LEN, SLOTS, SLOT_BYTES};
use super::node_flag as nf;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::Path;

/// Added to a node's port for its bus port when a line has no `@cport`.
pub const CLUSTER_PORT_INCR: i64 = 10000;

/// Flag names in the order Redis writes them.
const FLAG_NAMES: [(u16, &str); 8] = [
    (nf::MYSELF, "myself"),
    (nf::MASTER, "master"),
    (nf::SLAVE, "slave"),
    (nf::PFAIL, "fail?"),
    (nf::FAIL, "fail"),
    (nf::HANDSHAKE, "handshake"),
    (nf::NOADDR, "noaddr"),
    (nf::NOFAILOVER, "nofailover"),
];

/// A slot this node is moving (only on the `myself` line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotMove {
    Migrating { slot: u16, to: [u8; NAME_LEN] },
    Importing { slot: u16, from: [u8; NAME_LEN] },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeLine {
    pub name: [u8; NAME_LEN],
    pub ip: Vec<u8>,
    pub port: i64,
    pub cport: i64,
    /// Announced hostname; empty when none.
    pub hostname: Vec<u8>,
    pub flags: u16,
    pub master: Option<[u8; NAME_LEN]>,
    pub ping_sent: i64,
    pub pong_received: i64,
    pub config_epoch: u64,
    pub connected: bool,
    pub slots: Box<[u8; SLOT_BYTES]>,
    pub moves: Vec<SlotMove>,
}

impl NodeLine {
    pub fn has_slot(&self, slot: usize) -> bool {
        self.slots[slot / 8] & (1 << (slot % 8)) != 0
    }

    pub fn set_slot(&mut self, slot: usize) {
        self.slots[slot / 8] |= 1 << (slot % 8);
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodesConf {
    pub nodes: Vec<NodeLine>,
    pub current_epoch: u64,
    pub last_vote_epoch: u64,
}

/// Why a config file is refused ("corrupted cluster config file").
#[derive(Debug, PartialEq, Eq)]
pub struct FormatError {
    /// 1-based line number (0: the file as a whole, no `myself`).
    pub line: usize,
    pub what: &'static str,
}

/// C's `atoi` as glibc has it (leading blanks, a sign, digits, the rest
/// ignored; nothing numeric gives 0), saturating instead of overflowing.
fn atoi(s: &[u8]) -> i64 {
    let s = trim_start(s);
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for &b in digits.iter().take_while(|b| b.is_ascii_digit()) {
        v = v.saturating_mul(10).saturating_add((b - b'0') as i64);
    }
    if neg {
        -v
    } else {
        v
    }
}

/// `strtoull(s, NULL, 10)`: like `atoi`, a leading minus negates modulo
/// 2^64, overflow saturates at u64::MAX.
fn strtoull(s: &[u8]) -> u64 {
    let s = trim_start(s);
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: u64 = 0;
    for &b in digits.iter().take_while(|b| b.is_ascii_digit()) {
        match v.checked_mul(10).and_then(|x| x.checked_add((b - b'0') as u64)) {
            Some(x) => v = x,
            None => return u64::MAX,
        }
    }
    if neg {
        v.wrapping_neg()
    } else {
        v
    }
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| is_space(**b)).count();
    &s[n..]
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn node_name(s: &[u8]) -> Option<[u8; NAME_LEN]> {
    if s.len() != NAME_LEN || !s.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        return None;
    }
    let mut n = [0u8; NAME_LEN];
    n.copy_from_slice(s);
    Some(n)
}

fn find(s: &[u8], b: u8) -> Option<usize> {
    s.iter().position(|&x| x == b)
}

/// Parses the contents of nodes.conf. `Ok(None)`: an empty file, which
/// Redis treats as no config (a new node).
pub fn parse(text: &[u8]) -> Result<Option<NodesConf>, FormatError> {
    if text.is_empty() {
        return Ok(None);
    }
    let mut conf = NodesConf::default();
    let mut myself = false;
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        let err = |what| FormatError { line: i + 1, what };
        // Redis splits with quote handling; it never writes quotes, and
        // names, addresses and flags cannot hold them.
        let argv: Vec<&[u8]> = line.split(|&b| is_space(b)).filter(|a| !a.is_empty()).collect();
        if argv.is_empty() {
            continue;
        }
        if argv[0].eq_ignore_ascii_case(b"vars") {
            if argv.len().is_multiple_of(2) {
                return Err(err("vars needs name value pairs"));
            }
            for kv in argv[1..].chunks(2) {
                if kv[0].eq_ignore_ascii_case(b"currentEpoch") {
                    conf.current_epoch = strtoull(kv[1]);
                } else if kv[0].eq_ignore_ascii_case(b"lastVoteEpoch") {
                    conf.last_vote_epoch = strtoull(kv[1]);
                }
                // Unknown variables are skipped (Redis logs them).
            }
            continue;
        }
        if argv.len() < 8 {
            return Err(err("a node line has at least eight fields"));
        }
        let name = node_name(argv[0]).ok_or(err("bad node name"))?;
        // ip:port[@cport][,hostname]
        let mut addr = argv[1];
        let mut hostname = Vec::new();
        if let Some(c) = find(addr, b',') {
            hostname = addr[c + 1..].to_vec();
            addr = &addr[..c];
        }
        let colon = addr.iter().rposition(|&b| b == b':').ok_or(err("address without port"))?;
        let ip = addr[..colon].to_vec();
        if ip.len() >= IP_LEN {
            return Err(err("address too long"));
        }
        let ports = &addr[colon + 1..];
        let (port, cport) = match find(ports, b'@') {
            Some(at) => (atoi(&ports[..at]), atoi(&ports[at + 1..])),
            None => (atoi(ports), atoi(ports) + CLUSTER_PORT_INCR),
        };
        let mut flags = 0u16;
        for f in argv[2].split(|&b| b == b',') {
            if f.eq_ignore_ascii_case(b"noflags") {
                continue;
            }
            let bit = FLAG_NAMES
                .iter()
                .find(|(_, n)| f.eq_ignore_ascii_case(n.as_bytes()))
                .map(|(b, _)| *b)
                .ok_or(err("unknown node flag"))?;
            if bit == nf::MYSELF {
                if myself {
                    return Err(err("two nodes marked myself"));
                }
                myself = true;
            }
            flags |= bit;
        }
        let master = if argv[3].first() != Some(&b'-') {
            Some(node_name(argv[3]).ok_or(err("bad master name"))?)
        } else {
            None
        };
        let mut node = NodeLine {
            name,
            ip,
            port,
            cport,
            hostname,
            flags,
            master,
            ping_sent: atoi(argv[4]),
            pong_received: atoi(argv[5]),
            config_epoch: strtoull(argv[6]),
            connected: argv[7] == b"connected",
            slots: Box::new([0; SLOT_BYTES]),
            moves: Vec::new(),
        };
        for a in &argv[8..] {
            if a[0] == b'[' {
                // [slot->-name] or [slot-<-name]
                let dash = find(a, b'-').ok_or(err("bad slot marker"))?;
                let slot = atoi(&a[1..dash]);
                if !(0..SLOTS as i64).contains(&slot) {
                    return Err(err("slot out of range"));
                }
                let direction = a.get(dash + 1).copied().ok_or(err("bad slot marker"))?;
                let rest = a.get(dash + 3..).ok_or(err("bad slot marker"))?;
                let close = find(rest, b']').ok_or(err("bad slot marker"))?;
                let other = node_name(&rest[..close]).ok_or(err("bad node name in slot marker"))?;
                let slot = slot as u16;
                node.moves.push(if direction == b'>' {
                    SlotMove::Migrating { slot, to: other }
                } else {
                    SlotMove::Importing { slot, from: other }
                });
                continue;
            }
            let (start, stop) = match find(a, b'-') {
                Some(d) => (atoi(&a[..d]), atoi(&a[d + 1..])),
                None => (atoi(a), atoi(a)),
            };
            let range = 0..SLOTS as i64;
            if !range.contains(&start) || !range.contains(&stop) {
                return Err(err("slot out of range"));
            }
            for s in start..=stop {
                node.set_slot(s as usize);
            }
        }
        conf.nodes.push(node);
    }
    if !myself {
        return Err(FormatError {
            line: 0,
            what: "no node marked myself",
        });
    }
    Ok(Some(conf))
}

/// One node's line as CLUSTER NODES and nodes.conf show it (without the
/// newline). Moves are written only for the `myself` node, in slot order,
/// a migration before an import of the same slot as Redis keeps only one.
pub fn node_line(n: &NodeLine, out: &mut Vec<u8>) {
    out.extend_from_slice(&n.name);
    out.push(b' ');
    out.extend_from_slice(&n.ip);
    out.extend_from_slice(format!(":{}@{}", n.port, n.cport).as_bytes());
    if !n.hostname.is_empty() {
        out.push(b',');
        out.extend_from_slice(&n.hostname);
    }
    out.push(b' ');
    let names: Vec<&str> = FLAG_NAMES.iter().filter(|(b, _)| n.flags & b != 0).map(|(_, s)| *s).collect();
    if names.is_empty() {
        out.extend_from_slice(b"noflags");
    } else {
        out.extend_from_slice(names.join(",").as_bytes());
    }
    out.push(b' ');
    match &n.master {
        Some(m) => out.extend_from_slice(m),
        None => out.push(b'-'),
    }
    let link = if n.connected || n.flags & nf::MYSELF != 0 {
        "connected"
    } else {
        "disconnected"
    };
    out.extend_from_slice(format!(" {} {} {} {}", n.ping_sent, n.pong_received, n.config_epoch, link).as_bytes());
    let mut s = 0;
    while s < SLOTS {
        if !n.has_slot(s) {
            s += 1;
            continue;
        }
        let start = s;
        while s + 1 < SLOTS && n.has_slot(s + 1) {
            s += 1;
        }
        if start == s {
            out.extend_from_slice(format!(" {start}").as_bytes());
        } else {
            out.extend_from_slice(format!(" {start}-{s}").as_bytes());
        }
        s += 1;
    }
    if n.flags & nf::MYSELF != 0 {
        let mut moves = n.moves.clone();
        moves.sort_by_key(|m| match m {
            SlotMove::Migrating { slot, .. } => (*slot, 0),
            SlotMove::Importing { slot, .. } => (*slot, 1),
        });
        moves.dedup_by_key(|m| match m {
            SlotMove::Migrating { slot, .. } | SlotMove::Importing { slot, .. } => *slot,
        });
        for m in moves {
            let (slot, arrow, other) = match m {
                SlotMove::Migrating { slot, to } => (slot, "->-", to),
                SlotMove::Importing { slot, from } => (slot, "-<-", from),
            };
            out.extend_from_slice(format!(" [{slot}{arrow}").as_bytes());
            out.extend_from_slice(&other);
            out.push(b']');
        }
    }
}

/// The whole file's text.
pub fn render(conf: &NodesConf) -> Vec<u8> {
    let mut out = Vec::new();
    for n in &conf.nodes {
        node_line(n, &mut out);
        out.push(b'\n');
    }
    out.extend_from_slice(format!("vars currentEpoch {} lastVoteEpoch {}\n", conf.current_epoch, conf.last_vote_epoch).as_bytes());
    out
}

/// Takes the exclusive lock Redis takes on nodes.conf (creating the file),
/// to be held for the life of the process. `WouldBlock`: another process
/// holds it.
pub fn lock(path: &Path) -> io::Result<File> {
    let f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .custom_flags(libc::O_CLOEXEC)
        .open(path)?;
    // SAFETY: flock on a descriptor we own and keep open; no memory is
    // passed.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(f)
}

/// Reads and parses the file. `Ok(None)`: missing or empty (a new node).
pub fn load(path: &Path) -> io::Result<Option<NodesConf>> {
    let mut text = Vec::new();
    match File::open(path) {
        Ok(mut f) => f.read_to_end(&mut text)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    parse(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("corrupted cluster config file (line {}: {})", e.line, e.what),
        )
    })
}

/// Rewrites the file in place as Redis does: one write of the new text,
/// padded with newlines to the old length (so a crash mid-way leaves
/// parseable text), an fsync when asked, then truncation to the new
/// length. In place, because the process's `flock` is on this inode.
pub fn save(path: &Path, conf: &NodesConf, fsync: bool) -> io::Result<()> {
    let mut text = render(conf);
    let len = text.len() as u64;
    let mut f = OpenOptions::new().write(true).create(true).truncate(false).mode(0o644).open(path)?;
    let old = f.metadata()?.len();
    if old > len {
        text.resize(old as usize, b'\n');
    }
    f.write_all(&text)?;
    if fsync {
        f.sync_all()?;
    }
    if old > len {
        f.set_len(len)?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "nodes_conf_tests.rs"]
mod tests;
