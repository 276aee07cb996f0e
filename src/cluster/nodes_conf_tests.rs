use super::*;
use crate::util::test_rng::Rng;

/// nodes.conf files written by redis-server 7.0.15: a 3-master cluster made
/// with `redis-cli --cluster create` (announced hostnames host0..2.example),
/// a replica of node 0 added with `--cluster add-node --cluster-slave`, and
/// slot 0 set MIGRATING on node 0 / IMPORTING on node 1.
const FIXTURES: [&[u8]; 4] = [
    include_bytes!("testdata/nodes-0.conf"),
    include_bytes!("testdata/nodes-1.conf"),
    include_bytes!("testdata/nodes-2.conf"),
    include_bytes!("testdata/nodes-3.conf"),
];

const N0: &[u8; 40] = b"0495d580dc0d53bfd6895221e6107cb7e4a66d8f";
const N1: &[u8; 40] = b"2300864bd5733d14fcf02f94b54bd2abe855f0b7";

fn myself(c: &NodesConf) -> &NodeLine {
    c.nodes.iter().find(|n| n.flags & nf::MYSELF != 0).unwrap()
}

#[test]
fn real_files_parse_and_render_byte_identical() {
    for (i, f) in FIXTURES.iter().enumerate() {
        let c = parse(f).unwrap().unwrap();
        assert_eq!(c.nodes.len(), 4, "{i}");
        assert_eq!(c.current_epoch, 3);
        assert_eq!(c.last_vote_epoch, 0);
        assert_eq!(render(&c), f.to_vec(), "fixture {i}");
    }
}

#[test]
fn real_files_fields() {
    let c = parse(FIXTURES[0]).unwrap().unwrap();
    let me = myself(&c);
    assert_eq!(&me.name, N0);
    assert_eq!(me.ip, b"127.0.0.1");
    assert_eq!((me.port, me.cport), (57100, 57200));
    assert_eq!(me.hostname, b"host0.example");
    assert_eq!(me.flags, nf::MYSELF | nf::MASTER);
    assert_eq!(me.config_epoch, 1);
    assert!(me.has_slot(0) && me.has_slot(5460) && !me.has_slot(5461));
    assert_eq!(me.moves, vec![SlotMove::Migrating { slot: 0, to: *N1 }]);
    let replica = c.nodes.iter().find(|n| n.flags & nf::SLAVE != 0).unwrap();
    assert_eq!(replica.master, Some(*N0));
    assert!(replica.hostname.is_empty());
    assert!((0..SLOTS).all(|s| !replica.has_slot(s)));
    // Every slot is owned by exactly one node.
    for s in 0..SLOTS {
        assert_eq!(c.nodes.iter().filter(|n| n.has_slot(s)).count(), 1, "{s}");
    }
    let c1 = parse(FIXTURES[1]).unwrap().unwrap();
    assert_eq!(myself(&c1).moves, vec![SlotMove::Importing { slot: 0, from: *N0 }]);
    let c3 = parse(FIXTURES[3]).unwrap().unwrap();
    assert_eq!(myself(&c3).flags, nf::MYSELF | nf::SLAVE);
}

#[test]
fn lenient_where_redis_is() {
    let name = "a".repeat(40);
    let text = format!(
        "\n{name} 10.0.0.1:7000 MYSELF,Master - 0 0 5 whatever 3 9-1 1-2 16383\n\n\
         VARS currentepoch 7 LASTVOTEEPOCH 2 futurevar x\n"
    );
    let c = parse(text.as_bytes()).unwrap().unwrap();
    let n = &c.nodes[0];
    // No @cport: port + 10000.
    assert_eq!((n.port, n.cport), (7000, 17000));
    assert_eq!(n.flags, nf::MYSELF | nf::MASTER);
    assert!(!n.connected);
    // "9-1" adds nothing; the rest are slots 1-3 and 16383.
    let owned: Vec<usize> = (0..SLOTS).filter(|&s| n.has_slot(s)).collect();
    assert_eq!(owned, vec![1, 2, 3, 16383]);
    assert_eq!((c.current_epoch, c.last_vote_epoch), (7, 2));
    let line = String::from_utf8(render(&c)).unwrap();
    assert_eq!(
        line,
        format!(
            "{name} 10.0.0.1:7000@17000 myself,master - 0 0 5 connected 1-3 16383\n\
             vars currentEpoch 7 lastVoteEpoch 2\n"
        )
    );
    // An IPv6 address splits at the last colon; noflags is nothing.
    let text = format!("{name} ::1:7000@17000 myself,noflags - 0 0 0 connected\n");
    let c = parse(text.as_bytes()).unwrap().unwrap();
    assert_eq!(c.nodes[0].ip, b"::1");
    assert_eq!(c.nodes[0].flags, nf::MYSELF);
    assert!(render(&c).starts_with(format!("{name} ::1:7000@17000 myself - ").as_bytes()));
    // Empty file: no config.
    assert_eq!(parse(b""), Ok(None));
}

#[test]
fn rejected_files() {
    let name = "b".repeat(40);
    let ok = format!("{name} 1.2.3.4:1@2 myself,master - 0 0 0 connected 0-10\n");
    assert!(parse(ok.as_bytes()).unwrap().is_some());
    for bad in [
        // no myself
        format!("{name} 1.2.3.4:1@2 master - 0 0 0 connected\n"),
        // seven fields
        format!("{name} 1.2.3.4:1@2 myself - 0 0 0\n"),
        // bad names
        format!("{} 1.2.3.4:1@2 myself - 0 0 0 connected\n", "B".repeat(40)),
        format!("{} 1.2.3.4:1@2 myself - 0 0 0 connected\n", "b".repeat(39)),
        format!("{name} 1.2.3.4:1@2 myself xyz 0 0 0 connected\n"),
        // no port
        format!("{name} 1.2.3.4 myself - 0 0 0 connected\n"),
        // unknown flag, two myself
        format!("{name} 1.2.3.4:1@2 myself,wizard - 0 0 0 connected\n"),
        format!("{name} 1.2.3.4:1@2 myself - 0 0 0 connected\n{name} 1.2.3.4:1@2 myself - 0 0 0 connected\n"),
        // slots out of range
        format!("{name} 1.2.3.4:1@2 myself - 0 0 0 connected 16384\n"),
        format!("{name} 1.2.3.4:1@2 myself - 0 0 0 connected 5--1\n"),
        // broken markers
        format!("{name} 1.2.3.4:1@2 myself - 0 0 0 connected [5\n"),
        format!("{name} 1.2.3.4:1@2 myself - 0 0 0 connected [5-\n"),
        format!("{name} 1.2.3.4:1@2 myself - 0 0 0 connected [5->-{name}\n"),
        format!("{name} 1.2.3.4:1@2 myself - 0 0 0 connected [5->-abc]\n"),
        format!("{name} 1.2.3.4:1@2 myself - 0 0 0 connected [99999->-{name}]\n"),
        // vars with an odd pair count
        format!("{ok}vars currentEpoch\n"),
        // an IP longer than the 46-byte field
        format!("{name} {}:1@2 myself - 0 0 0 connected\n", "1".repeat(46)),
    ] {
        assert!(parse(bad.as_bytes()).is_err(), "{bad}");
    }
}

#[test]
fn hostile_input_never_panics() {
    let mut rng = Rng::new(4);
    let seed = FIXTURES[0];
    for n in 0..seed.len() {
        let _ = parse(&seed[..n]);
    }
    let alphabet = b"ab09 -[]<>@:,\n\tmyself";
    for _ in 0..3000 {
        let mut t = seed.to_vec();
        for _ in 0..1 + rng.below(6) {
            let at = rng.index(t.len());
            match rng.below(3) {
                0 => t[at] = *rng.pick(alphabet),
                1 => {
                    t.remove(at);
                }
                _ => t.insert(at, rng.next_u64() as u8),
            }
        }
        if let Ok(Some(c)) = parse(&t) {
            // Whatever parses renders to text that parses the same.
            assert_eq!(parse(&render(&c)).unwrap().unwrap().nodes.len(), c.nodes.len());
        }
    }
    for _ in 0..1000 {
        let b = {
            let n = rng.below(400) as usize;
            rng.bytes(n)
        };
        let _ = parse(&b);
    }
}

fn tmpdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("oxidis-nodes-conf-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn save_load_in_place() {
    let dir = tmpdir("save");
    let path = dir.join("nodes.conf");
    assert!(load(&path).unwrap().is_none());
    let big = parse(FIXTURES[0]).unwrap().unwrap();
    save(&path, &big, true).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), FIXTURES[0].to_vec());
    let ino = std::fs::metadata(&path).map(|m| std::os::unix::fs::MetadataExt::ino(&m)).unwrap();
    // A smaller config: same inode (the lock stays valid), exact length.
    let mut small = big.clone();
    small.nodes.retain(|n| n.flags & nf::MYSELF != 0);
    small.current_epoch = 9;
    save(&path, &small, false).unwrap();
    let text = std::fs::read(&path).unwrap();
    assert_eq!(text, render(&small));
    assert_eq!(load(&path).unwrap(), Some(small));
    let ino2 = std::fs::metadata(&path).map(|m| std::os::unix::fs::MetadataExt::ino(&m)).unwrap();
    assert_eq!(ino, ino2);
    // The newline padding an interrupted save leaves behind parses.
    let mut padded = text.clone();
    padded.extend_from_slice(b"\n\n\n\n");
    assert!(parse(&padded).unwrap().is_some());
    // A corrupt file is an error, not a panic or a new node.
    std::fs::write(&path, b"garbage line\n").unwrap();
    assert!(load(&path).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lock_is_exclusive() {
    let dir = tmpdir("lock");
    let path = dir.join("nodes.conf");
    let held = lock(&path).unwrap();
    // flock locks belong to the open file description: a second open, as
    // a second server would do, is refused while the first is held.
    let e = lock(&path).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
    // Saving in place keeps the lock on the file.
    save(&path, &parse(FIXTURES[2]).unwrap().unwrap(), true).unwrap();
    assert_eq!(lock(&path).unwrap_err().kind(), io::ErrorKind::WouldBlock);
    drop(held);
    assert!(lock(&path).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}
