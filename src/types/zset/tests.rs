//! Unit tests of the sorted set API: exact listpack bytes, score parsing,
//! and model tests (a BTreeMap of member -> score) with random operations
//! across encoding conversions.

use super::*;
use crate::ds::skiplist::LexBound;
use std::collections::BTreeMap;

use crate::util::test_rng::Rng;

fn lim(entries: usize, value: usize) -> Limits {
    Limits { entries, value }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn elems(z: &ZSet) -> Vec<(Vec<u8>, f64)> {
    z.iter().map(|(m, s)| (m.to_vec(), s)).collect()
}

#[test]
fn listpack_bytes_match_redis() {
    // ZADD k 1 a 2.5 b -3 c 1e20 d inf e 0.1 f -0 g 12345678 h
    //        4611686018427387904 i, as DUMPed by Redis 7.0.15.
    let mut z = ZSet::new_listpack();
    let l = lim(128, 64);
    for (s, m) in [
        (1.0, "a"),
        (2.5, "b"),
        (-3.0, "c"),
        (1e20, "d"),
        (f64::INFINITY, "e"),
        (0.1, "f"),
        (-0.0, "g"),
        (12345678.0, "h"),
        (4611686018427387904.0, "i"),
    ] {
        assert!(z.add(s, m.as_bytes(), 0, &l).is_some_and(|o| o.added));
    }
    assert_eq!(
        hex(z.listpack_bytes().unwrap_or_default()),
        "5f0000001200816302dffd02816702000181660293302e313030303030303030303030303030303114816102010181620283322e3504816802f34e61bc0005816902f40000000000000040098164028531652b32300681650283696e6604ff"
    );
    // Converting to a skiplist and back gives the same bytes.
    let before = z.listpack_bytes().map(|b| b.to_vec());
    z.convert_to_skiplist();
    assert_eq!(z.encoding_name(), "skiplist");
    z.convert_to_listpack();
    assert_eq!(z.listpack_bytes().map(|b| b.to_vec()), before);
}

#[test]
fn score_range_parsing() {
    let r = parse_score_range(b"(1.5", b"+inf").unwrap_or(RangeSpec::new(0.0, 0.0));
    assert_eq!((r.min, r.minex, r.max, r.maxex), (1.5, true, f64::INFINITY, false));
    // strtod rules: empty text is 0, leading spaces and hex are fine,
    // overflow saturates, NaN and trailing garbage are rejected.
    assert!(parse_score_range(b"", b"(").is_ok_and(|r| r.min == 0.0 && r.maxex));
    assert!(parse_score_range(b" 5", b"0x10").is_ok_and(|r| r.min == 5.0 && r.max == 16.0));
    assert!(parse_score_range(b"1e400", b"-1e400").is_ok_and(|r| r.min == f64::INFINITY && r.max == f64::NEG_INFINITY));
    assert!(parse_score_range(b"nan", b"1").is_err());
    assert!(parse_score_range(b"1", b"(nan").is_err());
    assert!(parse_score_range(b"1x", b"2").is_err());
    assert!(parse_score_range(b"1 ", b"2").is_err());
    assert!(parse_lex_range(b"[a", b"(b").is_ok());
    assert!(parse_lex_range(b"-", b"+").is_ok());
    assert!(parse_lex_range(b"a", b"+").is_err());
    assert!(parse_lex_range(b"", b"+").is_err());
    assert!(parse_lex_range(b"+a", b"+").is_err());
}

#[test]
fn double2ll_bounds() {
    assert_eq!(double2ll(4611686018427387904.0), Some(4611686018427387904));
    assert_eq!(double2ll(-4611686018427387904.0), Some(-4611686018427387904));
    assert_eq!(double2ll(9.3e18), None);
    assert_eq!(double2ll(1.5), None);
    assert_eq!(double2ll(-0.0), Some(0));
    assert_eq!(double2ll(f64::NAN), None);
}

/// The reference model: member -> score.
#[derive(Default)]
struct Model(BTreeMap<Vec<u8>, f64>);

impl Model {
    fn sorted(&self) -> Vec<(Vec<u8>, f64)> {
        let mut v: Vec<(Vec<u8>, f64)> = self.0.iter().map(|(m, s)| (m.clone(), *s)).collect();
        v.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(Ordering::Equal).then_with(|| a.0.cmp(&b.0)));
        v
    }

    /// `zsetAdd` semantics.
    fn add(&mut self, score: f64, m: &[u8], flags: u32) -> Option<AddOutcome> {
        let nop = AddOutcome {
            nop: true,
            ..Default::default()
        };
        match self.0.get(m).copied() {
            Some(cur) => {
                if flags & zadd::NX != 0 {
                    return Some(nop);
                }
                let mut s = score;
                if flags & zadd::INCR != 0 {
                    s += cur;
                    if s.is_nan() {
                        return None;
                    }
                }
                if (flags & zadd::LT != 0 && s >= cur) || (flags & zadd::GT != 0 && s <= cur) {
                    return Some(nop);
                }
                let updated = s != cur;
                if updated {
                    self.0.insert(m.to_vec(), s);
                }
                Some(AddOutcome {
                    updated,
                    newscore: s,
                    ..Default::default()
                })
            }
            None if flags & zadd::XX != 0 => Some(nop),
            None => {
                self.0.insert(m.to_vec(), score);
                Some(AddOutcome {
                    added: true,
                    newscore: score,
                    ..Default::default()
                })
            }
        }
    }
}

fn random_member(rng: &mut Rng) -> Vec<u8> {
    match rng.below(10) {
        0 => rng.below(30).to_string().into_bytes(),
        1 => format!("-{}", rng.below(5)).into_bytes(),
        2 => vec![b'x'; 5 + rng.below(12) as usize],
        3 => (*rng.pick(&["01", "", "9223372036854775807", "-0", "1.5"])).as_bytes().to_vec(),
        _ => vec![b'a' + rng.below(12) as u8, b'a' + rng.below(3) as u8],
    }
}

fn random_score(rng: &mut Rng) -> f64 {
    match rng.below(8) {
        0 => *rng.pick(&[f64::INFINITY, f64::NEG_INFINITY, 1e300, 0.1, 4611686018427387904.0]),
        1 => (rng.below(2000) as f64 - 1000.0) / 7.0,
        _ => rng.below(10) as f64 - 5.0,
    }
}

fn random_range(rng: &mut Rng) -> RangeSpec {
    let a = random_score(rng);
    let b = random_score(rng);
    let (min, max) = if rng.below(4) == 0 { (b, a) } else { (a.min(b), a.max(b)) };
    RangeSpec {
        min,
        max,
        minex: rng.below(2) == 0,
        maxex: rng.below(2) == 0,
    }
}

fn random_lex(rng: &mut Rng) -> LexRange {
    let bound = |rng: &mut Rng| match rng.below(6) {
        0 => LexBound::NegInf,
        1 => LexBound::PosInf,
        2 => LexBound::Excl(random_member(rng)),
        _ => LexBound::Incl(random_member(rng)),
    };
    LexRange {
        min: bound(rng),
        max: bound(rng),
    }
}

fn check_same(z: &ZSet, m: &Model, lim: &Limits, ctx: &str) {
    let want = m.sorted();
    assert_eq!(elems(z), want, "{ctx}");
    assert_eq!(z.len(), want.len(), "{ctx}");
    // A listpack never outgrows the limits.
    if z.is_listpack() {
        assert!(z.len() <= lim.entries, "{ctx}");
        assert!(want.iter().all(|(m, _)| m.len() <= lim.value), "{ctx}");
    }
    // Reverse walk, ranks and scores.
    let rev: Vec<(Vec<u8>, f64)> = z.cursor_iter(true).map(|c| (c.member().to_vec(), c.score())).collect();
    let mut w2 = want.clone();
    w2.reverse();
    assert_eq!(rev, w2, "{ctx}");
    for (i, (mem, s)) in want.iter().enumerate() {
        assert_eq!(z.rank(mem, false), Some(i), "{ctx}");
        assert_eq!(z.rank(mem, true), Some(want.len() - 1 - i), "{ctx}");
        assert_eq!(z.score(mem), Some(*s), "{ctx}");
        let c = z.at_rank(i, false).map(|c| c.member().to_vec());
        assert_eq!(c.as_deref(), Some(&mem[..]), "{ctx}");
        let c = z.at_rank(want.len() - 1 - i, true).map(|c| c.member().to_vec());
        assert_eq!(c.as_deref(), Some(&mem[..]), "{ctx}");
    }
}

#[test]
fn model_random_operations() {
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    for round in 0..300 {
        let l = lim(*rng.pick(&[0, 1, 3, 8, 16, 128]), *rng.pick(&[0, 2, 8, 64]));
        let mut z = if l.entries == 0 {
            ZSet::new_skiplist()
        } else {
            ZSet::new_listpack()
        };
        let mut m = Model::default();
        for step in 0..120 {
            let ctx = format!("round {round} step {step} limits {l:?}");
            match rng.below(12) {
                0..=4 => {
                    let flags = *rng.pick(&[0, 0, 0, zadd::NX, zadd::XX, zadd::GT, zadd::LT, zadd::INCR, zadd::XX | zadd::GT]);
                    let (s, mem) = (random_score(&mut rng), random_member(&mut rng));
                    assert_eq!(z.add(s, &mem, flags, &l), m.add(s, &mem, flags), "{ctx}");
                }
                5 | 6 => {
                    let mem = random_member(&mut rng);
                    assert_eq!(z.remove(&mem), m.0.remove(&mem).is_some(), "{ctx}");
                }
                7 => {
                    let r = random_range(&mut rng);
                    let want: Vec<_> = m
                        .sorted()
                        .into_iter()
                        .filter(|(_, s)| r.value_gte_min(*s) && r.value_lte_max(*s))
                        .collect();
                    assert_eq!(z.count_in_range(&r), want.len(), "{ctx} {r:?}");
                    let first = z.first_in_range(&r).map(|c| c.member().to_vec());
                    let last = z.last_in_range(&r).map(|c| c.member().to_vec());
                    assert_eq!(first, want.first().map(|e| e.0.clone()), "{ctx} {r:?}");
                    assert_eq!(last, want.last().map(|e| e.0.clone()), "{ctx} {r:?}");
                    if rng.below(3) == 0 {
                        assert_eq!(z.delete_score_range(&r), want.len(), "{ctx}");
                        for (mem, _) in &want {
                            m.0.remove(mem);
                        }
                    }
                }
                8 => {
                    // Lex ranges are defined when all scores are equal.
                    let r = random_lex(&mut rng);
                    let mut eq = ZSet::new_listpack();
                    let l2 = lim(1 + rng.below(20) as usize, 64);
                    let mut mm = Model::default();
                    for _ in 0..rng.below(25) {
                        let mem = random_member(&mut rng);
                        eq.add(0.0, &mem, 0, &l2);
                        mm.add(0.0, &mem, 0);
                    }
                    let want: Vec<_> = mm
                        .sorted()
                        .into_iter()
                        .filter(|(k, _)| r.value_gte_min(k) && r.value_lte_max(k))
                        .collect();
                    assert_eq!(eq.count_in_lex(&r), want.len(), "{ctx} {r:?}");
                    assert_eq!(
                        eq.first_in_lex(&r).map(|c| c.member().to_vec()),
                        want.first().map(|e| e.0.clone()),
                        "{ctx}"
                    );
                    assert_eq!(
                        eq.last_in_lex(&r).map(|c| c.member().to_vec()),
                        want.last().map(|e| e.0.clone()),
                        "{ctx}"
                    );
                    assert_eq!(eq.delete_lex_range(&r), want.len(), "{ctx}");
                    for (mem, _) in &want {
                        mm.0.remove(mem);
                    }
                    check_same(&eq, &mm, &l2, &ctx);
                }
                9 => {
                    let n = z.len();
                    if n > 0 {
                        let a = rng.below(n as u64 + 2) as usize;
                        let b = rng.below(n as u64 + 2) as usize;
                        let want: Vec<_> = m
                            .sorted()
                            .into_iter()
                            .enumerate()
                            .filter(|(i, _)| *i >= a && *i <= b)
                            .map(|(_, e)| e)
                            .collect();
                        assert_eq!(z.delete_rank_range(a, b), want.len(), "{ctx}");
                        for (mem, _) in &want {
                            m.0.remove(mem);
                        }
                    }
                }
                10 => {
                    let max = rng.below(2) == 0;
                    let want = if max { m.sorted().pop() } else { m.sorted().into_iter().next() };
                    if let Some((mem, _)) = &want {
                        m.0.remove(mem);
                    }
                    assert_eq!(z.pop(max), want, "{ctx}");
                }
                _ => {
                    // Digests agree across encodings.
                    let mut d1 = [0u8; 20];
                    z.digest(&mut d1);
                    let mut other = z.clone();
                    if other.is_listpack() {
                        other.convert_to_skiplist();
                    } else {
                        other.convert_to_listpack_if_needed(usize::MAX, 0, &l);
                        other.convert_to_listpack_if_needed(0, 0, &lim(usize::MAX, usize::MAX));
                    }
                    let mut d2 = [0u8; 20];
                    other.digest(&mut d2);
                    assert_eq!(d1, d2, "{ctx}");
                    assert_eq!(elems(&other), elems(&z), "{ctx}");
                }
            }
            check_same(&z, &m, &l, &format!("{ctx} after op"));
        }
        // STORE results: a listpack exactly when within the limits.
        let items = m.sorted();
        let built = ZSet::from_sorted(&items, &l);
        let fits = items.len() <= l.entries && items.iter().all(|(k, _)| k.len() <= l.value);
        assert_eq!(built.is_listpack(), fits);
        assert_eq!(elems(&built), items);
    }
}

#[test]
fn conversion_thresholds() {
    let l = lim(3, 4);
    let mut z = ZSet::new_listpack();
    for (i, m) in ["a", "b", "c"].iter().enumerate() {
        z.add(i as f64, m.as_bytes(), 0, &l);
    }
    assert_eq!(z.encoding_name(), "listpack");
    z.add(9.0, b"d", 0, &l);
    assert_eq!(z.encoding_name(), "skiplist");
    let mut z = ZSet::new_listpack();
    z.add(1.0, b"abcd", 0, &l);
    assert_eq!(z.encoding_name(), "listpack");
    z.add(1.0, b"abcde", 0, &l);
    assert_eq!(z.encoding_name(), "skiplist");
    // An update never converts, and XX never adds.
    let mut z = ZSet::new_listpack();
    z.add(1.0, b"a", 0, &l);
    assert!(z.add(2.0, b"toolong", zadd::XX, &l).is_some_and(|o| o.nop));
    assert_eq!(z.encoding_name(), "listpack");
}

#[test]
fn nan_results_are_refused() {
    let l = lim(128, 64);
    for mut z in [ZSet::new_listpack(), ZSet::new_skiplist()] {
        assert!(z.add(f64::NAN, b"a", 0, &l).is_none());
        assert!(z.add(f64::INFINITY, b"a", 0, &l).is_some());
        assert!(z.add(f64::NEG_INFINITY, b"a", zadd::INCR, &l).is_none());
        assert_eq!(z.score(b"a"), Some(f64::INFINITY));
    }
}

/// Active defrag of skiplist sets: with half the blocks freed around them,
/// the survivors' table nodes, member copies and skiplist nodes move (by
/// cursor, a few elements a step), and the set reads back the same in both
/// directions, by rank and by member, and still takes writes.
#[test]
fn skiplist_defrag_moves_nodes_and_keeps_order() {
    use crate::server::defrag::{Mover, TcacheOff};
    let l = lim(0, 0);
    let (mut a, mut b) = (ZSet::new_skiplist(), ZSet::new_skiplist());
    for i in 0..4000u32 {
        let m = format!("member:{i:05}:{}", "x".repeat((i % 7) as usize));
        a.add(f64::from(i % 500), m.as_bytes(), 0, &l);
        b.add(f64::from(i), m.as_bytes(), 0, &l);
    }
    drop(b);
    let want = elems(&a);
    let mut mv = Mover::default();
    {
        let _off = TcacheOff::off();
        let (mut cursor, mut steps) = (0u64, 0);
        loop {
            cursor = a.defrag(&mut mv, cursor, 50);
            steps += 1;
            if cursor == 0 {
                break;
            }
        }
        assert!(steps > 10, "a big set must span steps: {steps}");
    }
    assert!(mv.hits > 1000, "hits {} misses {}", mv.hits, mv.misses);
    assert_eq!(elems(&a), want);
    let back: Vec<(Vec<u8>, f64)> = a.cursor_iter(true).map(|c| (c.member().to_vec(), c.score())).collect();
    let mut rev = want.clone();
    rev.reverse();
    assert_eq!(back, rev);
    for (r, (m, s)) in want.iter().enumerate().step_by(37) {
        assert_eq!(a.rank(m, false), Some(r));
        assert_eq!(a.score(m), Some(*s));
        let c = a.at_rank(r, false).map(|c| (c.member().to_vec(), c.score()));
        assert_eq!(c.as_ref(), Some(&(m.clone(), *s)));
    }
    // The moved nodes are linked correctly: writes at both ends and inside.
    assert!(a.remove(&want[0].0));
    assert!(a.remove(&want[want.len() - 1].0));
    assert!(a.remove(&want[1234].0));
    a.add(-1.0, b"first", 0, &l);
    a.add(1e9, b"last", 0, &l);
    assert_eq!(a.first().map(|c| c.member().to_vec()), Some(b"first".to_vec()));
    assert_eq!(a.last().map(|c| c.member().to_vec()), Some(b"last".to_vec()));
    assert_eq!(a.len(), want.len() - 1);
    assert_eq!(a.cursor_iter(true).count(), a.len());
}

/// A listpack set moves whole, bytes intact.
#[test]
fn listpack_defrag_keeps_bytes() {
    use crate::server::defrag::{Mover, TcacheOff};
    let l = lim(128, 64);
    let mut sets: Vec<ZSet> = (0..4000)
        .map(|i| {
            let mut z = ZSet::new_listpack();
            z.add(1.0, b"a", 0, &l);
            z.add(f64::from(i), format!("m{i}").as_bytes(), 0, &l);
            z
        })
        .collect();
    // The copies first: made after the drop, they would fill the holes.
    let copies: Vec<Vec<u8>> = sets
        .iter()
        .step_by(2)
        .map(|z| z.listpack_bytes().map(<[u8]>::to_vec).unwrap_or_default())
        .collect();
    let mut kept: Vec<(ZSet, Vec<u8>)> = Vec::with_capacity(copies.len());
    let mut copies = copies.into_iter();
    for (i, z) in sets.drain(..).enumerate() {
        if i % 2 == 0 {
            kept.push((z, copies.next().unwrap_or_default()));
        }
    }
    let mut mv = Mover::default();
    {
        let _off = TcacheOff::off();
        for (z, _) in kept.iter_mut() {
            assert_eq!(z.defrag(&mut mv, 0, 1000), 0);
        }
    }
    assert!(mv.hits > 100, "hits {} misses {}", mv.hits, mv.misses);
    for (z, bytes) in &kept {
        assert_eq!(z.listpack_bytes(), Some(&bytes[..]));
    }
}
