//! Order-statistic B+-tree keyed by `(score, member)`: the candidate
//! replacement for the sorted-set skip list (issue 17).  NOT wired into the
//! zset yet; this is the ordered core with its model test, so the next step
//! (the `Skiplist` API on top, cursors, defrag, measurements) starts from a
//! checked structure.
//!
//! Ordering is the skip list's: scores compare as `f64` (never NaN; `-0.0`
//! and `0.0` are equal), ties broken by byte-wise member comparison.
//!
//! Shape: leaves are sorted `Vec`s of entries; inner nodes hold their
//! children, each child's element count (for rank in O(log n)) and, for every
//! child but the first, a separator key that is a lower bound of that child
//! (set when the child was split off, still valid after deletions because
//! keys only leave a child).  Deletion does not rebalance: an emptied node is
//! unlinked from its parent and a root with one inner child collapses, so
//! sparse leaves can remain after heavy deletion (a memory cost to measure
//! before wiring this in).

use std::cmp::Ordering;

/// Entries per leaf before it splits.
const LEAF_CAP: usize = 32;
/// Children per inner node before it splits.
const INNER_CAP: usize = 32;

/// Byte-wise `(score, member)` order, the skip list's `zslCompare` order.
pub fn key_cmp(s1: f64, m1: &[u8], s2: f64, m2: &[u8]) -> Ordering {
    match s1.partial_cmp(&s2) {
        Some(Ordering::Equal) | None => m1.cmp(m2),
        Some(o) => o,
    }
}

struct Entry {
    score: f64,
    member: Box<[u8]>,
}

struct Inner {
    children: Vec<Node>,
    counts: Vec<usize>,
    /// `seps[i]` is a lower bound of `children[i + 1]`.
    seps: Vec<Entry>,
}

enum Node {
    Leaf(Vec<Entry>),
    Inner(Inner),
}

impl Node {
    fn count(&self) -> usize {
        match self {
            Node::Leaf(v) => v.len(),
            Node::Inner(i) => i.counts.iter().sum(),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Node::Leaf(v) => v.is_empty(),
            Node::Inner(i) => i.children.is_empty(),
        }
    }
}

impl Inner {
    /// Index of the child that may hold `(score, member)`.
    fn route(&self, score: f64, member: &[u8]) -> usize {
        // Last i >= 1 with seps[i-1] <= key, else 0.
        self.seps
            .partition_point(|s| key_cmp(s.score, &s.member, score, member) != Ordering::Greater)
    }
}

/// The tree.  `len` is the number of entries.
pub struct ZBTree {
    root: Node,
    len: usize,
}

impl Default for ZBTree {
    fn default() -> Self {
        Self::new()
    }
}

/// Result of inserting into a subtree: whether the key was new, and an
/// optional split-off right sibling with its lower-bound separator.
struct Split {
    sep: Entry,
    right: Node,
}

impl ZBTree {
    pub fn new() -> Self {
        ZBTree {
            root: Node::Leaf(Vec::new()),
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Inserts `(score, member)`; false (and no change) when that exact key
    /// is already present.
    pub fn insert(&mut self, score: f64, member: &[u8]) -> bool {
        let (added, split) = Self::insert_rec(&mut self.root, score, member);
        if let Some(Split { sep, right }) = split {
            let left = std::mem::replace(&mut self.root, Node::Leaf(Vec::new()));
            let counts = vec![left.count(), right.count()];
            self.root = Node::Inner(Inner {
                children: vec![left, right],
                counts,
                seps: vec![sep],
            });
        }
        if added {
            self.len += 1;
        }
        added
    }

    fn insert_rec(node: &mut Node, score: f64, member: &[u8]) -> (bool, Option<Split>) {
        match node {
            Node::Leaf(v) => {
                let pos = v.binary_search_by(|e| key_cmp(e.score, &e.member, score, member));
                let Err(pos) = pos else { return (false, None) };
                if v.len() == v.capacity() {
                    // Grow by doubling but never past LEAF_CAP + 1, so a leaf
                    // does not keep a 64-slot buffer after splitting.
                    let want = (v.len() * 2).clamp(4, LEAF_CAP + 1);
                    v.reserve_exact(want - v.len());
                }
                v.insert(
                    pos,
                    Entry {
                        score,
                        member: member.into(),
                    },
                );
                if v.len() <= LEAF_CAP {
                    return (true, None);
                }
                // Appending at a leaf's end (ascending inserts, the common
                // bulk-load order) keeps the left leaf full instead of
                // leaving a trail of half-empty leaves.
                let at = if pos + 1 == v.len() { v.len() - 1 } else { v.len() / 2 };
                let right = v.split_off(at);
                let sep = Entry {
                    score: right[0].score,
                    member: right[0].member.clone(),
                };
                (
                    true,
                    Some(Split {
                        sep,
                        right: Node::Leaf(right),
                    }),
                )
            }
            Node::Inner(inner) => {
                let i = inner.route(score, member);
                let (added, split) = Self::insert_rec(&mut inner.children[i], score, member);
                if added {
                    inner.counts[i] += 1;
                }
                let split_at_end = split.is_some() && i + 1 == inner.children.len();
                if let Some(Split { sep, right }) = split {
                    inner.counts[i] = inner.children[i].count();
                    inner.counts.insert(i + 1, right.count());
                    inner.children.insert(i + 1, right);
                    inner.seps.insert(i, sep);
                }
                if inner.children.len() <= INNER_CAP {
                    return (added, None);
                }
                let n = inner.children.len();
                let mid = if split_at_end { n - 1 } else { n / 2 };
                let children = inner.children.split_off(mid);
                let counts = inner.counts.split_off(mid);
                // seps[mid-1] bounds children[mid], which becomes the right
                // node's first child: it moves up as the new separator.
                let mut seps = inner.seps.split_off(mid - 1);
                let sep = seps.remove(0);
                (
                    added,
                    Some(Split {
                        sep,
                        right: Node::Inner(Inner { children, counts, seps }),
                    }),
                )
            }
        }
    }

    /// Removes `(score, member)`; false when absent.
    pub fn delete(&mut self, score: f64, member: &[u8]) -> bool {
        if !Self::delete_rec(&mut self.root, score, member) {
            return false;
        }
        self.len -= 1;
        // Collapse a root with a single inner child (or no children).
        loop {
            match &mut self.root {
                Node::Inner(inner) if inner.children.len() == 1 => {
                    self.root = inner.children.pop().unwrap_or(Node::Leaf(Vec::new()));
                }
                Node::Inner(inner) if inner.children.is_empty() => {
                    self.root = Node::Leaf(Vec::new());
                }
                _ => break,
            }
        }
        true
    }

    fn delete_rec(node: &mut Node, score: f64, member: &[u8]) -> bool {
        match node {
            Node::Leaf(v) => match v.binary_search_by(|e| key_cmp(e.score, &e.member, score, member)) {
                Ok(pos) => {
                    v.remove(pos);
                    true
                }
                Err(_) => false,
            },
            Node::Inner(inner) => {
                let i = inner.route(score, member);
                if !Self::delete_rec(&mut inner.children[i], score, member) {
                    return false;
                }
                inner.counts[i] -= 1;
                if inner.children[i].is_empty() {
                    inner.children.remove(i);
                    inner.counts.remove(i);
                    // Child i's bound is seps[i-1]; for the first child the
                    // next child's bound goes (it becomes the first child).
                    if !inner.seps.is_empty() {
                        inner.seps.remove(i.saturating_sub(1));
                    }
                }
                true
            }
        }
    }

    /// Number of entries for which `below(score, member)` holds, where
    /// `below` is true on a prefix of the order (e.g. "key < k").
    pub fn count_below(&self, below: impl Fn(f64, &[u8]) -> bool) -> usize {
        let mut node = &self.root;
        let mut acc = 0;
        loop {
            match node {
                Node::Leaf(v) => return acc + v.partition_point(|e| below(e.score, &e.member)),
                Node::Inner(inner) => {
                    // Children before the last one whose bound is below
                    // are entirely below.
                    let j = inner.seps.partition_point(|s| below(s.score, &s.member));
                    acc += inner.counts[..j].iter().sum::<usize>();
                    node = &inner.children[j];
                }
            }
        }
    }

    /// 0-based rank of `(score, member)`, None when absent.
    pub fn rank(&self, score: f64, member: &[u8]) -> Option<usize> {
        let r = self.count_below(|s, m| key_cmp(s, m, score, member) == Ordering::Less);
        match self.get_by_rank(r) {
            Some((s, m)) if key_cmp(s, m, score, member) == Ordering::Equal => Some(r),
            _ => None,
        }
    }

    /// The entry at 0-based rank `r`.
    pub fn get_by_rank(&self, mut r: usize) -> Option<(f64, &[u8])> {
        if r >= self.len {
            return None;
        }
        let mut node = &self.root;
        loop {
            match node {
                Node::Leaf(v) => return v.get(r).map(|e| (e.score, &*e.member)),
                Node::Inner(inner) => {
                    let mut i = 0;
                    while i + 1 < inner.counts.len() && r >= inner.counts[i] {
                        r -= inner.counts[i];
                        i += 1;
                    }
                    node = &inner.children[i];
                }
            }
        }
    }

    /// In-order iterator.
    pub fn iter(&self) -> Iter<'_> {
        let mut it = Iter {
            stack: Vec::new(),
            left: self.len,
        };
        it.descend(&self.root);
        it
    }
}

/// In-order walk over the leaves (a stack of (node, next index) pairs).
pub struct Iter<'a> {
    stack: Vec<(&'a Node, usize)>,
    left: usize,
}

impl<'a> Iter<'a> {
    fn descend(&mut self, mut node: &'a Node) {
        loop {
            self.stack.push((node, 0));
            match node {
                Node::Leaf(_) => return,
                Node::Inner(inner) => match inner.children.first() {
                    Some(c) => {
                        if let Some(top) = self.stack.last_mut() {
                            top.1 = 1;
                        }
                        node = c;
                    }
                    None => return,
                },
            }
        }
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = (f64, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (node, idx) = self.stack.last_mut()?;
            let node: &'a Node = node;
            match node {
                Node::Leaf(v) => {
                    if let Some(e) = v.get(*idx) {
                        *idx += 1;
                        self.left -= 1;
                        return Some((e.score, &e.member));
                    }
                    self.stack.pop();
                }
                Node::Inner(inner) => {
                    if let Some(c) = inner.children.get(*idx) {
                        *idx += 1;
                        self.descend(c);
                    } else {
                        self.stack.pop();
                    }
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashMap};

    /// Model key with the tree's total order.
    #[derive(Clone, Debug)]
    struct K(f64, Vec<u8>);
    impl PartialEq for K {
        fn eq(&self, o: &Self) -> bool {
            self.cmp(o) == Ordering::Equal
        }
    }
    impl Eq for K {}
    impl PartialOrd for K {
        fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for K {
        fn cmp(&self, o: &Self) -> Ordering {
            key_cmp(self.0, &self.1, o.0, &o.1)
        }
    }

    /// xorshift64*, deterministic.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    const SCORES: [f64; 8] = [f64::NEG_INFINITY, -1.5, -0.0, 0.0, 1.0, 2.5, 1e300, f64::INFINITY];

    fn check(t: &ZBTree, model: &BTreeSet<K>) {
        assert_eq!(t.len(), model.len());
        let got: Vec<(f64, Vec<u8>)> = t.iter().map(|(s, m)| (s, m.to_vec())).collect();
        let want: Vec<(f64, Vec<u8>)> = model.iter().map(|k| (k.0, k.1.clone())).collect();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.0.to_bits(), w.0.to_bits());
            assert_eq!(g.1, w.1);
        }
    }

    #[test]
    fn model_100k_ops() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut t = ZBTree::new();
        let mut model: BTreeSet<K> = BTreeSet::new();
        let mut dict: HashMap<Vec<u8>, f64> = HashMap::new();
        for step in 0..100_000u32 {
            // Members from a pool with shared prefixes (prefix ordering).
            let m = {
                let n = rng.below(3000);
                let mut v = format!("m{}", n % 700).into_bytes();
                v.extend(std::iter::repeat_n(b'x', (n / 700) as usize));
                v
            };
            let score = if rng.below(3) == 0 {
                SCORES[rng.below(SCORES.len() as u64) as usize]
            } else {
                (rng.below(200) as f64) / 4.0 - 10.0
            };
            match rng.below(10) {
                // insert or update score (what ZADD does over the dict)
                0..=3 => {
                    if let Some(old) = dict.insert(m.clone(), score) {
                        assert!(t.delete(old, &m));
                        assert!(model.remove(&K(old, m.clone())));
                    }
                    assert!(t.insert(score, &m));
                    assert!(model.insert(K(score, m.clone())));
                    // Duplicate insert is refused.
                    assert!(!t.insert(score, &m));
                }
                4..=5 => {
                    let want = dict.remove(&m);
                    match want {
                        Some(old) => {
                            assert!(t.delete(old, &m));
                            model.remove(&K(old, m.clone()));
                        }
                        None => assert!(!t.delete(score, &m)),
                    }
                }
                6 => {
                    let want = dict.get(&m).map(|&s| model.range(..K(s, m.clone())).count());
                    let got = dict.get(&m).and_then(|&s| t.rank(s, &m));
                    assert_eq!(got, want, "rank step {step}");
                    if want.is_none() {
                        assert_eq!(t.rank(score, &m), None);
                    }
                }
                7 => {
                    // Score range with exclusive/inclusive min: count below.
                    let excl = rng.below(2) == 0;
                    let got = t.count_below(|s, _| if excl { s <= score } else { s < score });
                    let want = model.iter().filter(|k| if excl { k.0 <= score } else { k.0 < score }).count();
                    assert_eq!(got, want);
                    // Lex bound among equal scores.
                    let got = t.count_below(|s, mm| s < score || (s == score && mm < &m[..]));
                    let want = model.range(..K(score, m.clone())).count();
                    assert_eq!(got, want);
                }
                8 => {
                    if !model.is_empty() {
                        let r = rng.below(model.len() as u64) as usize;
                        let k = model.iter().nth(r).map(|k| (k.0, k.1.clone()));
                        let g = t.get_by_rank(r).map(|(s, mm)| (s, mm.to_vec()));
                        assert_eq!(g.map(|x| (x.0.to_bits(), x.1)), k.map(|x| (x.0.to_bits(), x.1)));
                        // Reverse rank via len - 1 - r.
                        let rr = model.len() - 1 - r;
                        let k = model.iter().next_back().map(|k| k.1.clone());
                        if rr == model.len() - 1 {
                            assert_eq!(t.get_by_rank(rr).map(|x| x.1.to_vec()), k);
                        }
                    }
                    assert!(t.get_by_rank(model.len()).is_none());
                }
                _ => {
                    // pop min or max
                    let k = if rng.below(2) == 0 { model.pop_first() } else { model.pop_last() };
                    if let Some(K(s, mm)) = k {
                        assert!(t.delete(s, &mm));
                        dict.remove(&mm);
                    }
                }
            }
            if step % 5000 == 0 {
                check(&t, &model);
            }
        }
        check(&t, &model);
        // Drain completely: the tree collapses back to an empty leaf.
        while let Some(K(s, m)) = model.pop_first() {
            assert!(t.delete(s, &m));
        }
        assert!(t.is_empty());
        assert_eq!(t.iter().count(), 0);
        assert!(matches!(t.root, Node::Leaf(ref v) if v.is_empty()));
    }

    #[test]
    fn ascending_and_descending_bulk_loads() {
        // Ascending loads take the split-at-end path at every level (three
        // levels at 40k entries); descending ones always split in the middle.
        for desc in [false, true] {
            let mut t = ZBTree::new();
            let n = 40_000usize;
            for i in 0..n {
                let i = if desc { n - 1 - i } else { i };
                assert!(t.insert(i as f64, format!("e{i}").as_bytes()));
            }
            assert_eq!(t.len(), n);
            for (r, (s, m)) in t.iter().enumerate() {
                assert_eq!(s, r as f64);
                assert_eq!(m, format!("e{r}").as_bytes());
            }
            for i in (0..n).step_by(97) {
                assert_eq!(t.rank(i as f64, format!("e{i}").as_bytes()), Some(i));
                assert_eq!(t.get_by_rank(i).map(|x| x.0), Some(i as f64));
            }
            for i in (0..n).filter(|i| i % 3 != 0) {
                assert!(t.delete(i as f64, format!("e{i}").as_bytes()));
            }
            let left: Vec<f64> = t.iter().map(|x| x.0).collect();
            let want: Vec<f64> = (0..n).filter(|i| i % 3 == 0).map(|i| i as f64).collect();
            assert_eq!(left, want);
            assert_eq!(t.rank(3.0, b"e3"), Some(1));
        }
    }

    #[test]
    fn zero_signs_and_infinities_order_as_redis() {
        let mut t = ZBTree::new();
        assert!(t.insert(0.0, b"b"));
        assert!(t.insert(-0.0, b"a"));
        assert!(t.insert(f64::INFINITY, b"a"));
        assert!(t.insert(f64::NEG_INFINITY, b"z"));
        // -0.0 == 0.0, so the member decides; the stored sign is kept.
        let v: Vec<(u64, Vec<u8>)> = t.iter().map(|(s, m)| (s.to_bits(), m.to_vec())).collect();
        assert_eq!(
            v,
            vec![
                (f64::NEG_INFINITY.to_bits(), b"z".to_vec()),
                ((-0.0f64).to_bits(), b"a".to_vec()),
                (0.0f64.to_bits(), b"b".to_vec()),
                (f64::INFINITY.to_bits(), b"a".to_vec()),
            ]
        );
        // Same member with the other zero sign is the same key.
        assert!(!t.insert(0.0, b"a"));
        assert_eq!(t.rank(0.0, b"a"), Some(1));
    }
}
