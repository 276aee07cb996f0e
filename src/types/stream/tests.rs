//! Unit tests of the stream type: ID parsing, and a model test that drives
//! appends, deletions and trims against a `BTreeMap` with tiny node limits,
//! checking every walk and every node's layout after each step.

use super::*;
use std::collections::BTreeMap;

use crate::util::test_rng::Rng;

/// An entry's (field, value) pairs.
type Pairs = Vec<(Vec<u8>, Vec<u8>)>;
type Model = BTreeMap<StreamId, Pairs>;

fn id(ms: u64, seq: u64) -> StreamId {
    StreamId::new(ms, seq)
}

fn collect(it: Iter<'_>) -> Vec<(StreamId, Pairs)> {
    it.map(|e| (e.id, e.fields().map(|(f, v)| (f.to_vec(), v.to_vec())).collect()))
        .collect()
}

/// Every node must pass the check RDB loading applies, and its header
/// counters must match what it holds.
fn check_nodes(s: &Stream) {
    let mut live = 0u64;
    for (master, lp) in s.nodes() {
        assert!(persist::stream_layout_ok(lp), "node {master:?} fails validation");
        let lay = layout(lp).expect("layout");
        let mut p = lay.entries_start;
        let (mut count, mut deleted) = (0, 0);
        while let Some(q) = p {
            let e = read_entry(lp, *master, &lay, q).expect("entry");
            if e.deleted() {
                deleted += 1;
            } else {
                count += 1;
            }
            p = e.next;
        }
        assert_eq!((count, deleted), (lay.count, lay.deleted), "node {master:?} counters");
        assert!(count > 0, "node {master:?} holds no live entry");
        live += count as u64;
    }
    assert_eq!(live, s.length());
    // The cached radix-tree-nodes must follow every node change.
    let keys: Vec<[u8; 16]> = s.nodes().map(|(k, _)| k.encode()).collect();
    assert_eq!(s.rax_node_count(), rax_nodes(&keys, 0));
}

fn check_against(s: &Stream, m: &Model, rng: &mut Rng) {
    check_nodes(s);
    let all: Vec<_> = m.iter().map(|(k, v)| (*k, v.clone())).collect();
    assert_eq!(collect(s.iter()), all);
    let mut rev = all.clone();
    rev.reverse();
    assert_eq!(collect(s.range(StreamId::ZERO, StreamId::MAX, true)), rev);
    assert_eq!(s.len(), m.len());
    match m.keys().next() {
        Some(first) => assert_eq!(s.first_id, *first),
        None => assert_eq!(s.first_id, StreamId::ZERO),
    }
    for _ in 0..4 {
        let a = id(rng.below(60), rng.below(3));
        let b = id(rng.below(60), rng.below(3));
        let want: Vec<_> = if a <= b {
            m.range(a..=b).map(|(k, v)| (*k, v.clone())).collect()
        } else {
            Vec::new()
        };
        assert_eq!(collect(s.range(a, b, false)), want, "range {a:?}..={b:?}");
        let mut want_rev = want.clone();
        want_rev.reverse();
        assert_eq!(collect(s.range(a, b, true)), want_rev, "reverse range {a:?}..={b:?}");
    }
}

#[test]
fn parse_ids() {
    assert_eq!(parse_strict_id(b"1-2").ok().map(|p| (p.ms, p.seq)), Some((1, 2)));
    assert_eq!(parse_strict_id(b"7").ok().map(|p| (p.ms, p.seq)), Some((7, 0)));
    assert!(parse_strict_id(b"-").is_err());
    assert!(parse_strict_id(b"1-x").is_err());
    assert!(parse_strict_id(b"18446744073709551616").is_err());
    assert_eq!(parse_range_end(b"5").ok().map(|p| (p.ms, p.seq)), Some((5, u64::MAX)));
    assert_eq!(parse_range_start(b"(5-1").ok().map(|p| (p.ms, p.seq)), Some((5, 2)));
    assert_eq!(parse_range_end(b"(5-0").ok().map(|p| (p.ms, p.seq)), Some((4, u64::MAX)));
    assert!(parse_range_end(b"(0-0").is_err());
    assert!(parse_range_start(b"(-").is_err());
    let p = parse_id_full(b"9-*", 0, true, true).expect("ms-*");
    assert!(!p.seq_given);
    assert_eq!(p.id.ms, 9);
    assert_eq!(StreamId::MAX.incr(), None);
    assert_eq!(StreamId::ZERO.decr(), None);
    assert_eq!(id(1, u64::MAX).incr(), Some(id(2, 0)));
    let x = id(0x0102, 0x0304);
    assert_eq!(StreamId::decode(&x.encode()), x);
    assert_eq!(x.to_bytes(), b"258-772".to_vec());
}

#[test]
fn rax_node_counts_match_redis() {
    // XINFO STREAM of real Redis: one key is 2 nodes; two keys whose
    // encodings first differ at the last byte are 4 (root path, branch,
    // two leaves).
    let mut s = Stream::new();
    let limits = NodeLimits {
        max_bytes: 0,
        max_entries: 1,
    };
    s.append(
        &[b"f", b"v"],
        Some(ParsedId {
            id: id(1, 1),
            seq_given: true,
        }),
        limits,
    )
    .expect("append");
    assert_eq!(s.rax_node_count(), 2);
    s.append(
        &[b"f", b"v"],
        Some(ParsedId {
            id: id(1, 2),
            seq_given: true,
        }),
        limits,
    )
    .expect("append");
    assert_eq!(s.rax_node_count(), 4);
}

#[test]
fn acts_like_a_btreemap() {
    for seed in 1..=12u64 {
        let mut rng = Rng::new(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let limits = NodeLimits {
            max_bytes: [0, 64, 200][(seed % 3) as usize],
            max_entries: [1, 2, 5, 100][(seed % 4) as usize],
        };
        let mut s = Stream::new();
        let mut m = Model::new();
        let mut ms = 1u64;
        let fieldsets: [&[&[u8]]; 3] = [&[b"a", b"b"], &[b"x"], &[b"a", b"b", b"c"]];
        for step in 0..600 {
            match rng.below(10) {
                0..=5 => {
                    ms += rng.below(2);
                    let fields = fieldsets[rng.below(3) as usize];
                    let values: Vec<Vec<u8>> = fields
                        .iter()
                        .map(|_| match rng.below(3) {
                            0 => rng.below(1_000_000).to_string().into_bytes(),
                            1 => vec![b'v'; rng.below(40) as usize],
                            _ => (0..rng.below(6)).map(|_| rng.below(256) as u8).collect(),
                        })
                        .collect();
                    let mut pairs: Vec<&[u8]> = Vec::new();
                    for (f, v) in fields.iter().zip(&values) {
                        pairs.push(f);
                        pairs.push(v);
                    }
                    let use_id = ParsedId {
                        id: id(ms, 0),
                        seq_given: false,
                    };
                    let got = s.append(&pairs, Some(use_id), limits).expect("append");
                    assert!(m.keys().next_back().is_none_or(|last| *last < got));
                    m.insert(got, fields.iter().zip(values).map(|(f, v)| (f.to_vec(), v)).collect());
                }
                6 | 7 => {
                    let victim = id(rng.below(ms + 1), rng.below(3));
                    let was = m.remove(&victim).is_some();
                    assert_eq!(s.delete(victim), was, "step {step}: delete {victim:?}");
                    if s.is_empty() {
                        s.first_id = StreamId::ZERO;
                    } else if was {
                        s.first_id = s.edge_id(true, true);
                    }
                }
                8 => {
                    let maxlen = rng.below(30);
                    let approx = rng.below(2) == 0;
                    let removed = s.trim(&Trim {
                        by: TrimBy::MaxLen(maxlen),
                        approx,
                        limit: 0,
                    });
                    let want = if approx {
                        removed as usize
                    } else {
                        m.len().saturating_sub(maxlen as usize)
                    };
                    assert_eq!(removed as usize, want, "step {step}: trim to {maxlen}");
                    for _ in 0..removed {
                        m.pop_first();
                    }
                    assert!(approx || m.len() <= maxlen as usize);
                }
                _ => {
                    let minid = id(rng.below(ms + 1), rng.below(3));
                    let removed = s.trim(&Trim {
                        by: TrimBy::MinId(minid),
                        approx: false,
                        limit: 0,
                    });
                    let before = m.len();
                    m.retain(|k, _| *k >= minid);
                    assert_eq!(removed as usize, before - m.len(), "step {step}: trim below {minid:?}");
                }
            }
            check_against(&s, &m, &mut rng);
        }
    }
}

/// Active defrag: with every other stream dropped, the survivors' node
/// listpacks move, by node-index cursor, and read back the same.
#[test]
fn defrag_moves_node_listpacks() {
    use crate::server::defrag::{Mover, TcacheOff};
    let limits = NodeLimits {
        max_bytes: 0,
        max_entries: 4,
    };
    let mut all: Vec<Stream> = (0..2u64).map(|_| Stream::new()).collect();
    for i in 1..=4000u64 {
        for s in all.iter_mut() {
            let v = format!("value-{i:0>30}");
            let pid = ParsedId {
                id: id(i, 0),
                seq_given: true,
            };
            s.append(&[b"f", v.as_bytes()], Some(pid), limits).expect("append");
        }
    }
    let mut s = all.remove(0);
    drop(all);
    let want = collect(s.iter());
    let mut mv = Mover::default();
    {
        let _off = TcacheOff::off();
        let (mut cursor, mut steps) = (0u64, 0);
        loop {
            cursor = s.defrag(&mut mv, cursor, 30);
            steps += 1;
            if cursor == 0 {
                break;
            }
        }
        assert!(steps > 10, "steps {steps}");
    }
    assert!(mv.hits > 100, "hits {} misses {}", mv.hits, mv.misses);
    assert_eq!(collect(s.iter()), want);
    check_nodes(&s);
}
