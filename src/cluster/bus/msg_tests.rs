use super::*;
use crate::util::test_rng::Rng;

fn name(c: u8) -> [u8; NAME_LEN] {
    [c; NAME_LEN]
}

fn ip(s: &str) -> [u8; IP_LEN] {
    let mut a = [0u8; IP_LEN];
    a[..s.len()].copy_from_slice(s.as_bytes());
    a
}

fn header(rng: &mut Rng) -> Header {
    let mut slots = Box::new([0u8; SLOT_BYTES]);
    for b in slots.iter_mut() {
        *b = rng.next_u64() as u8;
    }
    Header {
        port: rng.next_u64() as u16,
        current_epoch: rng.next_u64(),
        config_epoch: rng.next_u64(),
        offset: rng.next_u64(),
        sender: name(b'a' + rng.below(6) as u8),
        myslots: slots,
        slaveof: if rng.chance(50) { name(b'f') } else { [0; NAME_LEN] },
        myip: ip("10.1.2.3"),
        pport: rng.next_u64() as u16,
        cport: rng.next_u64() as u16,
        flags: rng.next_u64() as u16,
        state: rng.below(2) as u8,
        // EXT_DATA is set by encode when there are extensions.
        mflags: [rng.next_u64() as u8 & !flag0::EXT_DATA, 0, 0],
    }
}

fn gossip(rng: &mut Rng) -> Gossip {
    Gossip {
        name: name(b'0' + rng.below(10) as u8),
        ping_sent: rng.next_u64() as u32,
        pong_received: rng.next_u64() as u32,
        ip: ip("127.0.0.1"),
        port: rng.next_u64() as u16,
        cport: rng.next_u64() as u16,
        flags: rng.next_u64() as u16,
        pport: rng.next_u64() as u16,
    }
}

fn body(rng: &mut Rng, t: u16) -> Body {
    match t {
        ty::PING | ty::PONG | ty::MEET => {
            let n = rng.below(5) as usize;
            let mut exts = Vec::new();
            if rng.chance(60) {
                let len = rng.below(30) as usize;
                exts.push(PingExt::Hostname((0..len).map(|_| b'a' + rng.below(26) as u8).collect()));
            }
            if rng.chance(30) {
                // A later version's extension: data is padded to 8 on the wire.
                let len = rng.below(4) as usize * 8;
                exts.push(PingExt::Unknown {
                    ty: 1 + rng.below(3) as u16,
                    data: rng.bytes(len),
                });
            }
            Body::Ping {
                kind: [PingKind::Ping, PingKind::Pong, PingKind::Meet][t as usize],
                gossip: (0..n).map(|_| gossip(rng)).collect(),
                exts,
            }
        }
        ty::FAIL => Body::Fail { node: name(b'c') },
        ty::PUBLISH | ty::PUBLISHSHARD => {
            let (c, m) = (rng.below(20) as usize, rng.below(300) as usize);
            Body::Publish {
                shard: t == ty::PUBLISHSHARD,
                channel: rng.bytes(c),
                message: rng.bytes(m),
            }
        }
        ty::FAILOVER_AUTH_REQUEST => Body::FailoverAuthRequest,
        ty::FAILOVER_AUTH_ACK => Body::FailoverAuthAck,
        ty::MFSTART => Body::MfStart,
        ty::UPDATE => {
            let mut slots = Box::new([0u8; SLOT_BYTES]);
            slots[rng.index(SLOT_BYTES)] = 0x80;
            Body::Update {
                config_epoch: rng.next_u64(),
                node: name(b'd'),
                slots,
            }
        }
        ty::MODULE => Body::Module {
            module_id: rng.next_u64(),
            ty: rng.next_u64() as u8,
            payload: {
                let n = rng.below(100) as usize;
                rng.bytes(n)
            },
        },
        _ => Body::Unknown {
            ty: t,
            data: {
                let n = rng.below(64) as usize;
                rng.bytes(n)
            },
        },
    }
}

fn random_msg(rng: &mut Rng) -> Msg {
    let t = rng.below(ty::COUNT as u64 + 2) as u16;
    let hdr = header(rng);
    let mut m = Msg { body: body(rng, t), hdr };
    if let Body::Ping { exts, .. } = &m.body {
        if !exts.is_empty() {
            m.hdr.mflags[0] |= flag0::EXT_DATA;
        }
    }
    m
}

#[test]
fn round_trip_every_type() {
    let mut rng = Rng::new(15);
    let mut seen = [0u32; ty::COUNT as usize + 2];
    for _ in 0..2000 {
        let m = random_msg(&mut rng);
        seen[m.body.type_code() as usize] += 1;
        let bytes = encode(&m).unwrap();
        assert_eq!(frame_len(&bytes), Ok(Some(bytes.len())));
        assert_eq!(decode(&bytes).as_ref(), Ok(&m));
        // A longer buffer (the next packet already read) decodes the same.
        let mut more = bytes.clone();
        more.extend_from_slice(b"RCmb....");
        assert_eq!(decode(&more).as_ref(), Ok(&m));
    }
    assert!(seen.iter().all(|&n| n > 50), "{seen:?}");
}

/// Offsets written out by hand from cluster.h (7.0.15): the header is
/// sig[4] totlen u32 ver u16 port u16 type u16 count u16 (0..16), three
/// u64 (16, 24, 32), sender[40] at 40, myslots[2048] at 80, slaveof[40] at
/// 2128, myip[46] at 2168, extensions u16 at 2214, notused1[30] at 2216,
/// pport 2246, cport 2248, flags 2250, state 2252, mflags[3] 2253, data
/// 2256. Gossip entry: nodename[40] 0, ping_sent 40, pong_received 44,
/// ip[46] 48, port 94, cport 96, flags 98, pport 100, notused1 102, size
/// 104. Ping extension: length u32 0, type u16 4, unused u16 6, data 8.
#[test]
fn byte_layout_matches_cluster_h() {
    let mut hdr = Header {
        port: 0x0102,
        current_epoch: 0x1112131415161718,
        config_epoch: 0x2122232425262728,
        offset: 0x3132333435363738,
        sender: name(b'S'),
        slaveof: name(b'M'),
        myip: ip("1.2.3.4"),
        pport: 0x4142,
        cport: 0x4344,
        flags: 0x4546,
        state: 0x47,
        mflags: [0x01, 0x48, 0x49],
        ..Header::default()
    };
    hdr.myslots[0] = 0xAA;
    hdr.myslots[2047] = 0xBB;
    let g = Gossip {
        name: name(b'G'),
        ping_sent: 0x51525354,
        pong_received: 0x55565758,
        ip: ip("5.6.7.8"),
        port: 0x6162,
        cport: 0x6364,
        flags: 0x6566,
        pport: 0x6768,
    };
    let m = Msg {
        hdr,
        body: Body::Ping {
            kind: PingKind::Meet,
            gossip: vec![g],
            exts: vec![PingExt::Hostname(b"abcdefgh".to_vec())],
        },
    };
    let b = encode(&m).unwrap();
    // 2256 + 104 + (8 + 16: "abcdefgh\0" padded to 16)
    assert_eq!(b.len(), 2384);
    assert_eq!(&b[0..4], b"RCmb");
    assert_eq!(&b[4..8], &2384u32.to_be_bytes());
    assert_eq!(&b[8..10], &[0, 1]);
    assert_eq!(&b[10..12], &[1, 2]);
    assert_eq!(&b[12..14], &[0, 2]); // MEET
    assert_eq!(&b[14..16], &[0, 1]); // one gossip entry
    assert_eq!(b[16], 0x11);
    assert_eq!(b[23], 0x18);
    assert_eq!(b[24], 0x21);
    assert_eq!(b[32], 0x31);
    assert_eq!(b[39], 0x38);
    assert_eq!(&b[40..80], &[b'S'; 40]);
    assert_eq!(b[80], 0xAA);
    assert_eq!(b[2127], 0xBB);
    assert_eq!(&b[2128..2168], &[b'M'; 40]);
    assert_eq!(&b[2168..2176], b"1.2.3.4\0");
    assert_eq!(&b[2214..2216], &[0, 1]); // one extension
    assert!(b[2216..2246].iter().all(|&x| x == 0));
    assert_eq!(&b[2246..2256], &[0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x01 | 0x04, 0x48, 0x49]);
    let g = &b[2256..2360];
    assert_eq!(&g[0..40], &[b'G'; 40]);
    assert_eq!(&g[40..48], &[0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58]);
    assert_eq!(&g[48..56], b"5.6.7.8\0");
    assert_eq!(&g[94..104], &[0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0, 0]);
    let e = &b[2360..];
    assert_eq!(&e[0..8], &[0, 0, 0, 24, 0, 0, 0, 0]);
    assert_eq!(&e[8..24], b"abcdefgh\0\0\0\0\0\0\0\0");

    // The other bodies' layouts.
    let h = Header::default;
    let b = encode(&Msg {
        hdr: h(),
        body: Body::Publish {
            shard: true,
            channel: b"ch".to_vec(),
            message: b"hello".to_vec(),
        },
    })
    .unwrap();
    assert_eq!(b.len(), 2256 + 8 + 2 + 5);
    assert_eq!(&b[12..14], &[0, 10]);
    assert_eq!(&b[2256..], b"\0\0\0\x02\0\0\0\x05chhello");
    let b = encode(&Msg {
        hdr: h(),
        body: Body::Module {
            module_id: 0x0102030405060708,
            ty: 9,
            payload: b"xyz".to_vec(),
        },
    })
    .unwrap();
    assert_eq!(&b[2256..], b"\x01\x02\x03\x04\x05\x06\x07\x08\0\0\0\x03\x09xyz");
    let mut slots = Box::new([0u8; SLOT_BYTES]);
    slots[0] = 0x01; // slot 0: bit 0 of byte 0 (bitmapTestBit)
    let b = encode(&Msg {
        hdr: h(),
        body: Body::Update {
            config_epoch: 7,
            node: name(b'U'),
            slots,
        },
    })
    .unwrap();
    assert_eq!(b.len(), 2256 + 8 + 40 + 2048);
    assert_eq!(&b[2256..2264], &7u64.to_be_bytes());
    assert_eq!(&b[2264..2304], &[b'U'; 40]);
    assert_eq!(b[2304], 0x01);
    for (body, t) in [(Body::FailoverAuthRequest, 5u8), (Body::FailoverAuthAck, 6), (Body::MfStart, 8)] {
        let b = encode(&Msg { hdr: h(), body }).unwrap();
        assert_eq!(b.len(), 2256);
        assert_eq!(b[13], t);
    }
    let b = encode(&Msg {
        hdr: h(),
        body: Body::Fail { node: name(b'F') },
    })
    .unwrap();
    assert_eq!(b.len(), 2296);
    assert_eq!(&b[2256..], &[b'F'; 40]);
}

/// A MEET captured from redis-server 7.0.15 (node with
/// `cluster-announce-hostname host2.example`, in a 4-node cluster, meeting
/// a listener that recorded the bytes).
#[test]
fn decodes_real_meet() {
    let raw = include_bytes!("../testdata/meet-7.0.15.bin");
    assert_eq!(frame_len(raw), Ok(Some(raw.len())));
    let m = decode(raw).unwrap();
    assert_eq!(&m.hdr.sender, b"cc2d3ddec39708f10af3cce1604ab7115f71e924");
    assert_eq!(m.hdr.current_epoch, 3);
    assert_eq!(m.hdr.config_epoch, 3);
    assert_eq!(m.hdr.port, 57102);
    assert_eq!(m.hdr.cport, 57202);
    assert_eq!(m.hdr.slaveof, [0; NAME_LEN]);
    // The node serves slots 10923-16383.
    let has = |s: usize| slot_bit(&m.hdr.myslots, s);
    assert!(!has(10922) && has(10923) && has(16383) && !has(0));
    let Body::Ping { kind, gossip, exts } = &m.body else {
        panic!("{:?}", m.body)
    };
    assert_eq!(*kind, PingKind::Meet);
    assert_eq!(gossip.len(), 2);
    assert!(gossip.iter().all(|g| cstr(&g.ip) == b"127.0.0.1"));
    assert!(gossip.iter().all(|g| (57100..57104).contains(&g.port)));
    assert!(gossip.iter().all(|g| g.cport == g.port + 100));
    assert_eq!(exts, &[PingExt::Hostname(b"host2.example".to_vec())]);
    // Our encoder writes the same bytes back.
    assert_eq!(encode(&m).unwrap(), raw.to_vec());
}

#[test]
fn length_checks() {
    let base = |body| {
        encode(&Msg {
            hdr: Header::default(),
            body,
        })
        .unwrap()
    };
    let set_totlen = |b: &mut Vec<u8>| {
        let n = b.len() as u32;
        b[4..8].copy_from_slice(&n.to_be_bytes());
    };
    // Each fixed-size type with one byte more or less is dropped.
    for body in [
        Body::Fail { node: name(b'x') },
        Body::FailoverAuthAck,
        Body::FailoverAuthRequest,
        Body::MfStart,
        Body::Update {
            config_epoch: 1,
            node: name(b'x'),
            slots: Box::new([0; SLOT_BYTES]),
        },
        Body::Publish {
            shard: false,
            channel: b"c".to_vec(),
            message: b"m".to_vec(),
        },
        Body::Module {
            module_id: 1,
            ty: 1,
            payload: b"p".to_vec(),
        },
        Body::Ping {
            kind: PingKind::Ping,
            gossip: vec![],
            exts: vec![PingExt::Hostname(b"h".to_vec())],
        },
    ] {
        let mut b = base(body);
        b.push(0);
        set_totlen(&mut b);
        assert!(matches!(decode(&b), Err(Drop::Length { .. })), "{b:?}");
        b.truncate(b.len() - 2);
        set_totlen(&mut b);
        assert!(decode(&b).is_err());
    }
    // An unknown type takes any length.
    let mut b = base(Body::Unknown { ty: 200, data: vec![] });
    b.extend_from_slice(b"abc");
    set_totlen(&mut b);
    assert!(decode(&b).is_ok());
    // Wrong version.
    let mut b = base(Body::MfStart);
    b[9] = 2;
    assert_eq!(decode(&b), Err(Drop::Version(2)));
    // Gossip count larger than the packet.
    let mut b = base(Body::Ping {
        kind: PingKind::Pong,
        gossip: vec![],
        exts: vec![],
    });
    b[14..16].copy_from_slice(&u16::MAX.to_be_bytes());
    assert!(matches!(decode(&b), Err(Drop::Length { .. })));
    // Huge PUBLISH lengths whose 32-bit sum wraps to the real size.
    let mut b = base(Body::Publish {
        shard: false,
        channel: vec![],
        message: vec![0; 8],
    });
    b[2256..2260].copy_from_slice(&0xFFFF_FFF8u32.to_be_bytes());
    b[2260..2264].copy_from_slice(&16u32.to_be_bytes());
    assert!(matches!(decode(&b), Err(Drop::Length { .. })));
    // Extension lengths: not a multiple of 8, below the header, past the
    // end, one whose low 16 bits look fine; and a hostname without NUL.
    let good = base(Body::Ping {
        kind: PingKind::Ping,
        gossip: vec![],
        exts: vec![PingExt::Hostname(b"abc".to_vec())],
    });
    for (len, want_padding) in [(12u32, true), (0, true), (4, true), (24, false), (0x1_0010, false)] {
        let mut b = good.clone();
        b[2256..2260].copy_from_slice(&len.to_be_bytes());
        let r = decode(&b);
        if want_padding {
            assert!(matches!(r, Err(Drop::ExtPadding { .. })), "{len} {r:?}");
        } else {
            assert!(matches!(r, Err(Drop::Length { .. })), "{len} {r:?}");
        }
    }
    let mut b = good.clone();
    b[2256 + 15] = b'x';
    assert_eq!(decode(&b), Err(Drop::ExtNoNul { ty: ty::PING }));
    // More extensions announced than present.
    let mut b = good.clone();
    b[2214..2216].copy_from_slice(&3u16.to_be_bytes());
    assert!(matches!(decode(&b), Err(Drop::Length { .. })));
    // Without the EXT_DATA flag the extensions are not expected at all.
    let mut b = good.clone();
    b[2253] &= !flag0::EXT_DATA;
    assert!(matches!(decode(&b), Err(Drop::Length { .. })));
}

#[test]
fn framing() {
    assert_eq!(frame_len(b"RCmb\0\0\x08"), Ok(None));
    assert_eq!(frame_len(b"RCmx\0\0\x08\xd0"), Err(LinkError::BadSignature));
    assert_eq!(frame_len(b"RCmb\0\0\x08\xcf"), Err(LinkError::TooShort(2255)));
    assert_eq!(frame_len(b"RCmb\0\0\x08\xd0"), Ok(Some(2256)));
    assert_eq!(frame_len(b"RCmb\xff\xff\xff\xff"), Ok(Some(u32::MAX as usize)));
}

/// Truncations, corrupted bytes and random input never panic.
#[test]
fn hostile_input_never_panics() {
    let mut rng = Rng::new(7);
    let raw = include_bytes!("../testdata/meet-7.0.15.bin");
    for n in 0..raw.len() {
        let _ = frame_len(&raw[..n]);
        assert!(decode(&raw[..n]).is_err(), "{n}");
        // Truncated, with the total length fixed up to match.
        let mut t = raw[..n].to_vec();
        if n >= 8 {
            t[4..8].copy_from_slice(&(n as u32).to_be_bytes());
            let _ = decode(&t);
        }
    }
    for _ in 0..3000 {
        let mut b = encode(&random_msg(&mut rng)).unwrap();
        for _ in 0..1 + rng.below(4) {
            // Aim at the interesting fields: totlen, type, count,
            // extensions, flags, and the body's length words.
            let at = match rng.below(4) {
                0 => *rng.pick(&[4usize, 5, 6, 7, 12, 13, 14, 15, 2214, 2215, 2253]),
                1 => HEADER_LEN + rng.index(16.min(b.len() - HEADER_LEN).max(1)),
                _ => rng.index(b.len()),
            };
            if at < b.len() {
                b[at] = rng.next_u64() as u8;
            }
        }
        if let Ok(m) = decode(&b) {
            // Whatever decodes encodes to a packet that decodes the same.
            let again = encode(&m).unwrap();
            assert_eq!(decode(&again).as_ref(), Ok(&m));
        }
    }
    for _ in 0..2000 {
        let n = rng.below(3000) as usize;
        let mut b = rng.bytes(n);
        if n >= 10 && rng.chance(80) {
            b[0..4].copy_from_slice(SIG);
            b[8..10].copy_from_slice(&[0, 1]);
        }
        let _ = frame_len(&b);
        let _ = decode(&b);
    }
}

/// A MEET and the PONG answering it, recorded by a proxy between two
/// redis-server 7.0.15 nodes (the first owns slots 0-2 and 100 and has no
/// hostname, the second announces `proxied.node`).
#[test]
fn decodes_real_meet_and_pong() {
    let meet = include_bytes!("../testdata/meet-nohost-7.0.15.bin");
    let m = decode(meet).unwrap();
    assert_eq!(&m.hdr.sender, b"13f1494f2936325e9d1739df4c6a0fdb4884e298");
    assert_eq!(m.hdr.port, 57120);
    assert_eq!(m.hdr.flags, crate::cluster::node_flag::MYSELF | crate::cluster::node_flag::MASTER);
    let owned: Vec<usize> = (0..SLOTS).filter(|&s| slot_bit(&m.hdr.myslots, s)).collect();
    assert_eq!(owned, vec![0, 1, 2, 100]);
    assert_eq!(
        m.body,
        Body::Ping {
            kind: PingKind::Meet,
            gossip: vec![],
            exts: vec![]
        }
    );
    assert_eq!(encode(&m).unwrap(), meet.to_vec());
    let pong = include_bytes!("../testdata/pong-7.0.15.bin");
    let p = decode(pong).unwrap();
    assert_eq!(&p.hdr.sender, b"5769ff7e56eafb9e32c3fb07c1dbf7aa4b266f15");
    assert_eq!((p.hdr.port, p.hdr.cport), (57121, 57231));
    assert_eq!(
        p.body,
        Body::Ping {
            kind: PingKind::Pong,
            gossip: vec![],
            exts: vec![PingExt::Hostname(b"proxied.node".to_vec())]
        }
    );
    assert_eq!(encode(&p).unwrap(), pong.to_vec());
}
