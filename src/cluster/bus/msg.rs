//! The cluster bus message format (Redis 7.0's `clusterMsg`): one fixed
//! 2,256-byte header, big-endian, followed by a body whose layout depends
//! on the message type. This file only turns bytes into [`Msg`] values and
//! back; what a message means to the node table lives elsewhere.
//!
//! Two steps, as the bus reads a link:
//! - [`frame_len`] looks at the first 8 bytes of a link's input: a bad
//!   signature or a total length below the header size is a link error
//!   (the link is closed), otherwise it says how many bytes make the packet;
//! - [`decode`] checks a whole packet the way Redis's `clusterIsValidPacket`
//!   does (version, and the exact length each type implies); a packet that
//!   fails is dropped and the link stays up.
//!
//! Where Redis's arithmetic can wrap (the 32-bit sum of PUBLISH lengths, a
//! ping extension length read into 16 bits) we compute in 64 bits and reject
//! what does not fit, so a packet Redis would mis-read is dropped here: no
//! valid packet differs.

/// Packet signature ("Redis Cluster message bus").
pub const SIG: &[u8; 4] = b"RCmb";
/// The one protocol version 7.0 speaks.
pub const PROTO_VER: u16 = 1;
/// Size of the fixed header; also the smallest packet a link accepts.
pub const HEADER_LEN: usize = 2256;
/// Node names are 40 hex characters, not NUL-terminated.
pub const NAME_LEN: usize = 40;
/// IP fields hold a NUL-terminated string in 46 bytes.
pub const IP_LEN: usize = 46;
/// Number of hash slots, and the bytes of a slot bitmap.
pub const SLOTS: usize = 16384;
pub const SLOT_BYTES: usize = SLOTS / 8;
/// Size of one gossip entry in PING/PONG/MEET.
pub const GOSSIP_LEN: usize = 104;
/// Size of a ping extension's header (length u32, type u16, padding u16).
pub const EXT_HEADER_LEN: usize = 8;
/// Body sizes of the fixed-size messages.
pub const FAIL_LEN: usize = NAME_LEN;
pub const UPDATE_LEN: usize = 8 + NAME_LEN + SLOT_BYTES;
/// PUBLISH: channel_len u32, message_len u32, then both byte strings.
pub const PUBLISH_FIXED: usize = 8;
/// MODULE: module_id u64, len u32, type u8, then the payload.
pub const MODULE_FIXED: usize = 13;

/// Message types.
pub mod ty {
    pub const PING: u16 = 0;
    pub const PONG: u16 = 1;
    pub const MEET: u16 = 2;
    pub const FAIL: u16 = 3;
    pub const PUBLISH: u16 = 4;
    pub const FAILOVER_AUTH_REQUEST: u16 = 5;
    pub const FAILOVER_AUTH_ACK: u16 = 6;
    pub const UPDATE: u16 = 7;
    pub const MFSTART: u16 = 8;
    pub const MODULE: u16 = 9;
    pub const PUBLISHSHARD: u16 = 10;
    /// Types 7.0 knows; counters are kept per known type.
    pub const COUNT: u16 = 11;
}

/// Bits of `mflags[0]`.
pub mod flag0 {
    /// The sending master is paused for a manual failover.
    pub const PAUSED: u8 = 1 << 0;
    /// Vote for this AUTH_REQUEST even though the master is up.
    pub const FORCEACK: u8 = 1 << 1;
    /// PING/PONG/MEET carries ping extensions after the gossip.
    pub const EXT_DATA: u8 = 1 << 2;
}

/// Ping extension types. 7.0 defines only the hostname; later versions
/// add more (forgotten node, shard id, human node name), which 7.0 skips.
pub mod ext_ty {
    pub const HOSTNAME: u16 = 0;
}

/// The header fields other than those derived from the body (signature,
/// total length, version, type, gossip count, extension count).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub port: u16,
    pub current_epoch: u64,
    pub config_epoch: u64,
    pub offset: u64,
    pub sender: [u8; NAME_LEN],
    pub myslots: Box<[u8; SLOT_BYTES]>,
    /// The master's name for a replica, all zero for a master.
    pub slaveof: [u8; NAME_LEN],
    /// The sender's IP as it announces it (NUL-terminated), or all zero.
    pub myip: [u8; IP_LEN],
    pub pport: u16,
    pub cport: u16,
    pub flags: u16,
    pub state: u8,
    pub mflags: [u8; 3],
}

impl Default for Header {
    fn default() -> Header {
        Header {
            port: 0,
            current_epoch: 0,
            config_epoch: 0,
            offset: 0,
            sender: [0; NAME_LEN],
            myslots: Box::new([0; SLOT_BYTES]),
            slaveof: [0; NAME_LEN],
            myip: [0; IP_LEN],
            pport: 0,
            cport: 0,
            flags: 0,
            state: 0,
            mflags: [0; 3],
        }
    }
}

/// What a node says about another node in a PING/PONG/MEET.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gossip {
    pub name: [u8; NAME_LEN],
    pub ping_sent: u32,
    pub pong_received: u32,
    pub ip: [u8; IP_LEN],
    pub port: u16,
    pub cport: u16,
    pub flags: u16,
    pub pport: u16,
}

/// A ping extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PingExt {
    /// The sender's announced hostname (without its NUL).
    Hostname(Vec<u8>),
    /// A type 7.0 does not know, kept as its raw (padded) data.
    Unknown { ty: u16, data: Vec<u8> },
}

/// Which of the three gossip-carrying messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PingKind {
    Ping,
    Pong,
    Meet,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    Ping {
        kind: PingKind,
        gossip: Vec<Gossip>,
        exts: Vec<PingExt>,
    },
    Fail {
        node: [u8; NAME_LEN],
    },
    /// PUBLISH, or PUBLISHSHARD when `shard`.
    Publish {
        shard: bool,
        channel: Vec<u8>,
        message: Vec<u8>,
    },
    FailoverAuthRequest,
    FailoverAuthAck,
    MfStart,
    Update {
        config_epoch: u64,
        node: [u8; NAME_LEN],
        slots: Box<[u8; SLOT_BYTES]>,
    },
    Module {
        module_id: u64,
        ty: u8,
        payload: Vec<u8>,
    },
    /// A type this version does not know: accepted whatever its length,
    /// as Redis does, and ignored by the receiver.
    Unknown {
        ty: u16,
        data: Vec<u8>,
    },
}

impl Body {
    pub fn type_code(&self) -> u16 {
        match self {
            Body::Ping { kind, .. } => match kind {
                PingKind::Ping => ty::PING,
                PingKind::Pong => ty::PONG,
                PingKind::Meet => ty::MEET,
            },
            Body::Fail { .. } => ty::FAIL,
            Body::Publish { shard: false, .. } => ty::PUBLISH,
            Body::Publish { shard: true, .. } => ty::PUBLISHSHARD,
            Body::FailoverAuthRequest => ty::FAILOVER_AUTH_REQUEST,
            Body::FailoverAuthAck => ty::FAILOVER_AUTH_ACK,
            Body::MfStart => ty::MFSTART,
            Body::Update { .. } => ty::UPDATE,
            Body::Module { .. } => ty::MODULE,
            Body::Unknown { ty, .. } => *ty,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    pub hdr: Header,
    pub body: Body,
}

/// Why a link's input cannot be framed: the link must be closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkError {
    BadSignature,
    /// The announced total length is below the header size.
    TooShort(u32),
}

/// Why a packet is dropped (the link stays up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drop {
    /// Fewer bytes than the header, or than the packet announces.
    Truncated,
    BadSignature,
    Version(u16),
    /// The total length disagrees with what the type and counts imply.
    Length {
        ty: u16,
        totlen: u64,
        expected: u64,
    },
    /// A ping extension shorter than its header or not a multiple of 8.
    ExtPadding {
        ty: u16,
        len: u32,
    },
    /// A hostname extension without its terminating NUL.
    ExtNoNul {
        ty: u16,
    },
}

/// How many bytes the packet at the start of `buf` spans, once 8 bytes are
/// there (`Ok(None)` before). Redis checks this when the 8th byte arrives.
pub fn frame_len(buf: &[u8]) -> Result<Option<usize>, LinkError> {
    if buf.len() < 8 {
        return Ok(None);
    }
    if &buf[0..4] != SIG {
        return Err(LinkError::BadSignature);
    }
    let totlen = be32(buf, 4);
    if (totlen as usize) < HEADER_LEN {
        return Err(LinkError::TooShort(totlen));
    }
    Ok(Some(totlen as usize))
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn be64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_be_bytes(a)
}

fn arr<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[at..at + N]);
    a
}

fn slot_map(b: &[u8], at: usize) -> Box<[u8; SLOT_BYTES]> {
    let mut m = Box::new([0u8; SLOT_BYTES]);
    m.copy_from_slice(&b[at..at + SLOT_BYTES]);
    m
}

/// Header field offsets (cluster.h's static asserts say the same).
mod off {
    pub const TOTLEN: usize = 4;
    pub const VER: usize = 8;
    pub const PORT: usize = 10;
    pub const TYPE: usize = 12;
    pub const COUNT: usize = 14;
    pub const CURRENT_EPOCH: usize = 16;
    pub const CONFIG_EPOCH: usize = 24;
    pub const OFFSET: usize = 32;
    pub const SENDER: usize = 40;
    pub const MYSLOTS: usize = 80;
    pub const SLAVEOF: usize = 2128;
    pub const MYIP: usize = 2168;
    pub const EXTENSIONS: usize = 2214;
    pub const PPORT: usize = 2246;
    pub const CPORT: usize = 2248;
    pub const FLAGS: usize = 2250;
    pub const STATE: usize = 2252;
    pub const MFLAGS: usize = 2253;
}

/// Checks and decodes one whole packet (`pkt` is exactly what
/// [`frame_len`] announced; a longer slice is read up to its total length).
pub fn decode(pkt: &[u8]) -> Result<Msg, Drop> {
    if pkt.len() < HEADER_LEN {
        return Err(Drop::Truncated);
    }
    if &pkt[0..4] != SIG {
        return Err(Drop::BadSignature);
    }
    let totlen = be32(pkt, off::TOTLEN) as usize;
    if totlen < HEADER_LEN || totlen > pkt.len() {
        return Err(Drop::Truncated);
    }
    let pkt = &pkt[..totlen];
    let ver = be16(pkt, off::VER);
    if ver != PROTO_VER {
        return Err(Drop::Version(ver));
    }
    let t = be16(pkt, off::TYPE);
    let count = be16(pkt, off::COUNT) as usize;
    let hdr = Header {
        port: be16(pkt, off::PORT),
        current_epoch: be64(pkt, off::CURRENT_EPOCH),
        config_epoch: be64(pkt, off::CONFIG_EPOCH),
        offset: be64(pkt, off::OFFSET),
        sender: arr(pkt, off::SENDER),
        myslots: slot_map(pkt, off::MYSLOTS),
        slaveof: arr(pkt, off::SLAVEOF),
        myip: arr(pkt, off::MYIP),
        pport: be16(pkt, off::PPORT),
        cport: be16(pkt, off::CPORT),
        flags: be16(pkt, off::FLAGS),
        state: pkt[off::STATE],
        mflags: arr(pkt, off::MFLAGS),
    };
    let data = &pkt[HEADER_LEN..];
    let len_err = |expected: u64| Drop::Length {
        ty: t,
        totlen: totlen as u64,
        expected,
    };
    let exact = |body_len: u64| -> Result<(), Drop> {
        let expected = HEADER_LEN as u64 + body_len;
        if expected == totlen as u64 {
            Ok(())
        } else {
            Err(len_err(expected))
        }
    };
    let body = match t {
        ty::PING | ty::PONG | ty::MEET => {
            let kind = match t {
                ty::PING => PingKind::Ping,
                ty::PONG => PingKind::Pong,
                _ => PingKind::Meet,
            };
            let glen = count * GOSSIP_LEN;
            if data.len() < glen {
                return Err(len_err((HEADER_LEN + glen) as u64));
            }
            let gossip = (0..count)
                .map(|i| decode_gossip(&data[i * GOSSIP_LEN..(i + 1) * GOSSIP_LEN]))
                .collect();
            let mut pos = glen;
            let mut exts = Vec::new();
            if hdr.mflags[0] & flag0::EXT_DATA != 0 {
                let n = be16(pkt, off::EXTENSIONS);
                for _ in 0..n {
                    let rest = &data[pos..];
                    if rest.len() < EXT_HEADER_LEN {
                        return Err(len_err((HEADER_LEN + pos + EXT_HEADER_LEN) as u64));
                    }
                    let elen = be32(rest, 0);
                    let ety = be16(rest, 4);
                    if (elen as usize) < EXT_HEADER_LEN || !elen.is_multiple_of(8) {
                        return Err(Drop::ExtPadding { ty: t, len: elen });
                    }
                    if rest.len() < elen as usize {
                        return Err(len_err((HEADER_LEN + pos) as u64 + elen as u64));
                    }
                    let edata = &rest[EXT_HEADER_LEN..elen as usize];
                    exts.push(if ety == ext_ty::HOSTNAME {
                        if edata.last() != Some(&0) {
                            return Err(Drop::ExtNoNul { ty: t });
                        }
                        let end = edata.iter().position(|&b| b == 0).unwrap_or(edata.len());
                        PingExt::Hostname(edata[..end].to_vec())
                    } else {
                        PingExt::Unknown {
                            ty: ety,
                            data: edata.to_vec(),
                        }
                    });
                    pos += elen as usize;
                }
            }
            exact(pos as u64)?;
            Body::Ping { kind, gossip, exts }
        }
        ty::FAIL => {
            exact(FAIL_LEN as u64)?;
            Body::Fail { node: arr(data, 0) }
        }
        ty::PUBLISH | ty::PUBLISHSHARD => {
            // The two lengths sit inside the (16-byte) union even when the
            // packet is shorter; a packet that short fails the check below.
            if data.len() < PUBLISH_FIXED {
                return Err(len_err((HEADER_LEN + PUBLISH_FIXED) as u64));
            }
            let clen = be32(data, 0) as u64;
            let mlen = be32(data, 4) as u64;
            exact(PUBLISH_FIXED as u64 + clen + mlen)?;
            let c_end = PUBLISH_FIXED + clen as usize;
            Body::Publish {
                shard: t == ty::PUBLISHSHARD,
                channel: data[PUBLISH_FIXED..c_end].to_vec(),
                message: data[c_end..].to_vec(),
            }
        }
        ty::FAILOVER_AUTH_REQUEST | ty::FAILOVER_AUTH_ACK | ty::MFSTART => {
            exact(0)?;
            match t {
                ty::FAILOVER_AUTH_REQUEST => Body::FailoverAuthRequest,
                ty::FAILOVER_AUTH_ACK => Body::FailoverAuthAck,
                _ => Body::MfStart,
            }
        }
        ty::UPDATE => {
            exact(UPDATE_LEN as u64)?;
            Body::Update {
                config_epoch: be64(data, 0),
                node: arr(data, 8),
                slots: slot_map(data, 8 + NAME_LEN),
            }
        }
        ty::MODULE => {
            if data.len() < MODULE_FIXED {
                return Err(len_err((HEADER_LEN + MODULE_FIXED) as u64));
            }
            let len = be32(data, 8) as u64;
            exact(MODULE_FIXED as u64 + len)?;
            Body::Module {
                module_id: be64(data, 0),
                ty: data[12],
                payload: data[MODULE_FIXED..].to_vec(),
            }
        }
        _ => Body::Unknown {
            ty: t,
            data: data.to_vec(),
        },
    };
    Ok(Msg { hdr, body })
}

fn decode_gossip(g: &[u8]) -> Gossip {
    Gossip {
        name: arr(g, 0),
        ping_sent: be32(g, 40),
        pong_received: be32(g, 44),
        ip: arr(g, 48),
        port: be16(g, 94),
        cport: be16(g, 96),
        flags: be16(g, 98),
        pport: be16(g, 100),
    }
}

fn put16(out: &mut [u8], at: usize, v: u16) {
    out[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

fn put32(out: &mut [u8], at: usize, v: u32) {
    out[at..at + 4].copy_from_slice(&v.to_be_bytes());
}

fn put64(out: &mut [u8], at: usize, v: u64) {
    out[at..at + 8].copy_from_slice(&v.to_be_bytes());
}

/// Why a message cannot be encoded (a field too long for its wire width).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    TooManyGossip,
    TooManyExts,
    TooLong,
}

fn ext_wire_len(e: &PingExt) -> usize {
    match e {
        PingExt::Hostname(h) => EXT_HEADER_LEN + (h.len() + 1).div_ceil(8) * 8,
        PingExt::Unknown { data, .. } => EXT_HEADER_LEN + data.len().div_ceil(8) * 8,
    }
}

/// The packet for `msg`, as Redis 7.0 lays it out. A PING/PONG/MEET with
/// extensions gets `flag0::EXT_DATA` set; the counts and the total length
/// come from the body.
pub fn encode(msg: &Msg) -> Result<Vec<u8>, EncodeError> {
    let h = &msg.hdr;
    let mut mflags = h.mflags;
    let mut count = 0u16;
    let mut nexts = 0u16;
    let body_len = match &msg.body {
        Body::Ping { gossip, exts, .. } => {
            count = u16::try_from(gossip.len()).map_err(|_| EncodeError::TooManyGossip)?;
            nexts = u16::try_from(exts.len()).map_err(|_| EncodeError::TooManyExts)?;
            if !exts.is_empty() {
                mflags[0] |= flag0::EXT_DATA;
            }
            gossip.len() * GOSSIP_LEN + exts.iter().map(ext_wire_len).sum::<usize>()
        }
        Body::Fail { .. } => FAIL_LEN,
        Body::Publish { channel, message, .. } => PUBLISH_FIXED + channel.len() + message.len(),
        Body::FailoverAuthRequest | Body::FailoverAuthAck | Body::MfStart => 0,
        Body::Update { .. } => UPDATE_LEN,
        Body::Module { payload, .. } => MODULE_FIXED + payload.len(),
        Body::Unknown { data, .. } => data.len(),
    };
    let totlen = HEADER_LEN + body_len;
    let totlen32 = u32::try_from(totlen).map_err(|_| EncodeError::TooLong)?;
    let mut out = vec![0u8; totlen];
    out[0..4].copy_from_slice(SIG);
    put32(&mut out, off::TOTLEN, totlen32);
    put16(&mut out, off::VER, PROTO_VER);
    put16(&mut out, off::PORT, h.port);
    put16(&mut out, off::TYPE, msg.body.type_code());
    put16(&mut out, off::COUNT, count);
    put64(&mut out, off::CURRENT_EPOCH, h.current_epoch);
    put64(&mut out, off::CONFIG_EPOCH, h.config_epoch);
    put64(&mut out, off::OFFSET, h.offset);
    out[off::SENDER..off::SENDER + NAME_LEN].copy_from_slice(&h.sender);
    out[off::MYSLOTS..off::MYSLOTS + SLOT_BYTES].copy_from_slice(&h.myslots[..]);
    out[off::SLAVEOF..off::SLAVEOF + NAME_LEN].copy_from_slice(&h.slaveof);
    out[off::MYIP..off::MYIP + IP_LEN].copy_from_slice(&h.myip);
    put16(&mut out, off::EXTENSIONS, nexts);
    put16(&mut out, off::PPORT, h.pport);
    put16(&mut out, off::CPORT, h.cport);
    put16(&mut out, off::FLAGS, h.flags);
    out[off::STATE] = h.state;
    out[off::MFLAGS..off::MFLAGS + 3].copy_from_slice(&mflags);
    let d = &mut out[HEADER_LEN..];
    match &msg.body {
        Body::Ping { gossip, exts, .. } => {
            for (i, g) in gossip.iter().enumerate() {
                let e = &mut d[i * GOSSIP_LEN..(i + 1) * GOSSIP_LEN];
                e[0..NAME_LEN].copy_from_slice(&g.name);
                put32(e, 40, g.ping_sent);
                put32(e, 44, g.pong_received);
                e[48..48 + IP_LEN].copy_from_slice(&g.ip);
                put16(e, 94, g.port);
                put16(e, 96, g.cport);
                put16(e, 98, g.flags);
                put16(e, 100, g.pport);
            }
            let mut pos = gossip.len() * GOSSIP_LEN;
            for x in exts {
                let len = ext_wire_len(x);
                let (t, bytes) = match x {
                    PingExt::Hostname(hn) => (ext_ty::HOSTNAME, hn),
                    PingExt::Unknown { ty, data } => (*ty, data),
                };
                put32(d, pos, len as u32);
                put16(d, pos + 4, t);
                let at = pos + EXT_HEADER_LEN;
                d[at..at + bytes.len()].copy_from_slice(bytes);
                pos += len;
            }
        }
        Body::Fail { node } => d[..NAME_LEN].copy_from_slice(node),
        Body::Publish { channel, message, .. } => {
            put32(d, 0, u32::try_from(channel.len()).map_err(|_| EncodeError::TooLong)?);
            put32(d, 4, u32::try_from(message.len()).map_err(|_| EncodeError::TooLong)?);
            let c_end = PUBLISH_FIXED + channel.len();
            d[PUBLISH_FIXED..c_end].copy_from_slice(channel);
            d[c_end..].copy_from_slice(message);
        }
        Body::FailoverAuthRequest | Body::FailoverAuthAck | Body::MfStart => {}
        Body::Update { config_epoch, node, slots } => {
            put64(d, 0, *config_epoch);
            d[8..8 + NAME_LEN].copy_from_slice(node);
            d[8 + NAME_LEN..].copy_from_slice(&slots[..]);
        }
        Body::Module { module_id, ty, payload } => {
            put64(d, 0, *module_id);
            put32(d, 8, u32::try_from(payload.len()).map_err(|_| EncodeError::TooLong)?);
            d[12] = *ty;
            d[MODULE_FIXED..].copy_from_slice(payload);
        }
        Body::Unknown { data, .. } => d.copy_from_slice(data),
    }
    Ok(out)
}

/// Whether a slot bitmap (`myslots`, UPDATE's slots) has `slot`: byte
/// `slot / 8`, bit `slot % 8` counted from the least significant.
pub fn slot_bit(map: &[u8; SLOT_BYTES], slot: usize) -> bool {
    map[slot / 8] & (1 << (slot % 8)) != 0
}

/// The bytes of a NUL-terminated field up to its first NUL.
pub fn cstr(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    &field[..end]
}

#[cfg(test)]
#[path = "msg_tests.rs"]
mod tests;
