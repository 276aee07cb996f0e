//! An HNSW proximity graph (Malkov & Yashunin) over node ids.
//!
//! The graph knows nothing of vectors or keys: nodes are `u32` ids the
//! caller hands in, and every distance comes from a [`Space`] passed to
//! each call, so the same graph serves vector sets (cosine over normalized,
//! possibly quantized vectors) and, later, FT vector fields (L2 ...).
//!
//! - Levels come from the graph's own seeded generator (`-ln(U) / ln(M)`,
//!   capped at [`MAX_LEVEL`]), so a given sequence of inserts builds the
//!   same graph every run.
//! - Links are kept bidirectional: when a node's list is pruned, the
//!   dropped neighbour drops its link back. So the nodes linking to a node
//!   are exactly its neighbours, and a delete knows whom to repair.
//! - Delete repairs in place (no rebuild): at each layer the deleted node's
//!   neighbours lost one link each; they are relinked among themselves,
//!   closest pairs first, as long as both sides have room. A neighbour left
//!   without any link at layer 0 is reconnected through a search from the
//!   entry point.
//! - Searches take `&self` and a visited bitmap of their own, so reads
//!   need no mutation of the graph.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Highest level a node can get.
pub const MAX_LEVEL: usize = 16;

/// Distances between stored nodes and from a query to a node.
pub trait Space {
    type Query: ?Sized;
    /// Distance between two nodes in the graph.
    fn dist(&self, a: u32, b: u32) -> f32;
    /// Distance from a query to a node.
    fn dist_query(&self, q: &Self::Query, b: u32) -> f32;
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Cand {
    d: f32,
    id: u32,
}

impl Eq for Cand {}
impl PartialOrd for Cand {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Cand {
    fn cmp(&self, o: &Self) -> Ordering {
        self.d.total_cmp(&o.d).then(self.id.cmp(&o.id))
    }
}

#[derive(Clone, Debug, Default)]
struct Node {
    /// links[l]: the neighbours at layer l (level + 1 lists); empty for a
    /// free slot.
    links: Vec<Vec<u32>>,
    live: bool,
}

/// The graph.
#[derive(Clone, Debug)]
pub struct Hnsw {
    m: usize,
    ef_construction: usize,
    nodes: Vec<Node>,
    entry: Option<u32>,
    max_level: usize,
    len: usize,
    rng: u64,
}

impl Hnsw {
    /// An empty graph: `m` links per node above layer 0 (2m at layer 0),
    /// `ef_construction` candidates examined per insert, `seed` for levels.
    pub fn new(m: usize, ef_construction: usize, seed: u64) -> Hnsw {
        Hnsw {
            m: m.max(2),
            ef_construction: ef_construction.max(1),
            nodes: Vec::new(),
            entry: None,
            max_level: 0,
            len: 0,
            rng: seed,
        }
    }

    /// Changes the candidates examined by later inserts (VADD's EF).
    pub fn set_ef_construction(&mut self, ef: usize) {
        self.ef_construction = ef.max(1);
    }

    pub fn m(&self) -> usize {
        self.m
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn max_level(&self) -> usize {
        self.max_level
    }

    pub fn entry(&self) -> Option<u32> {
        self.entry
    }

    pub fn contains(&self, id: u32) -> bool {
        self.nodes.get(id as usize).is_some_and(|n| n.live)
    }

    /// The level of a live node.
    pub fn level(&self, id: u32) -> Option<usize> {
        let n = self.nodes.get(id as usize).filter(|n| n.live)?;
        Some(n.links.len() - 1)
    }

    /// A live node's neighbours at `layer`.
    pub fn links(&self, id: u32, layer: usize) -> &[u32] {
        self.nodes
            .get(id as usize)
            .filter(|n| n.live)
            .and_then(|n| n.links.get(layer))
            .map_or(&[], |v| v.as_slice())
    }

    /// Heap bytes of the link lists.
    pub fn mem_usage(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
            + self
                .nodes
                .iter()
                .map(|n| n.links.capacity() * 24 + n.links.iter().map(|l| l.capacity() * 4).sum::<usize>())
                .sum::<usize>()
    }

    fn next_rand(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Draws a level for a new node.
    pub fn random_level(&mut self) -> usize {
        // U in (0, 1]: 53 random bits.
        let u = ((self.next_rand() >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
        let ml = 1.0 / (self.m as f64).ln();
        ((-u.ln() * ml) as usize).min(MAX_LEVEL)
    }

    fn max_links(&self, layer: usize) -> usize {
        if layer == 0 {
            self.m * 2
        } else {
            self.m
        }
    }

    /// Inserts node `id` (not present) at a level drawn from the generator.
    pub fn insert<S: Space>(&mut self, s: &S, id: u32) {
        let level = self.random_level();
        self.insert_at(s, id, level);
    }

    /// Inserts node `id` at a given level (RDB loading, tests).
    pub fn insert_at<S: Space>(&mut self, s: &S, id: u32, level: usize) {
        let level = level.min(MAX_LEVEL);
        let idx = id as usize;
        if idx >= self.nodes.len() {
            self.nodes.resize_with(idx + 1, Node::default);
        }
        if self.nodes[idx].live {
            return;
        }
        self.nodes[idx] = Node {
            links: vec![Vec::new(); level + 1],
            live: true,
        };
        self.len += 1;
        let Some(mut ep) = self.entry else {
            self.entry = Some(id);
            self.max_level = level;
            return;
        };
        let q = |b: u32| s.dist(id, b);
        let mut ep_d = q(ep);
        for l in (level + 1..=self.max_level).rev() {
            (ep, ep_d) = self.greedy(&q, ep, ep_d, l);
        }
        let mut eps = vec![Cand { d: ep_d, id: ep }];
        for l in (0..=level.min(self.max_level)).rev() {
            let found = self.search_layer(&q, &eps, self.ef_construction, l, None, usize::MAX);
            let chosen = self.select(s, &found, self.max_links(l));
            for &c in &chosen {
                // A handover below may already have linked it.
                let mine = &self.nodes[idx].links[l];
                if mine.contains(&c.id) || mine.len() >= self.max_links(l) {
                    continue;
                }
                self.nodes[idx].links[l].push(c.id);
                self.nodes[c.id as usize].links[l].push(id);
                if self.nodes[c.id as usize].links[l].len() > self.max_links(l) {
                    // The neighbours `c` drops lose a link: hand them to
                    // the new node (near `c` too) while both have room.
                    for x in self.shrink(s, c.id, l, Some(id)) {
                        let max = self.max_links(l);
                        let (lx, li) = (&self.nodes[x as usize].links[l], &self.nodes[idx].links[l]);
                        if x != id && lx.len() < max && li.len() < max && !li.contains(&x) {
                            self.nodes[x as usize].links[l].push(id);
                            self.nodes[idx].links[l].push(x);
                        }
                    }
                }
            }
            eps = found;
        }
        if level > self.max_level {
            self.max_level = level;
            self.entry = Some(id);
        }
    }

    /// Cuts node `n`'s list at `layer` back to its maximum with the
    /// selection heuristic; dropped neighbours drop their link back and
    /// are returned.
    fn shrink<S: Space>(&mut self, s: &S, n: u32, layer: usize, protect: Option<u32>) -> Vec<u32> {
        let mut cands: Vec<Cand> = self.nodes[n as usize].links[layer]
            .iter()
            .map(|&c| Cand { d: s.dist(n, c), id: c })
            .collect();
        cands.sort();
        let keep = self.select(s, &cands, self.max_links(layer));
        let mut keep_ids: Vec<u32> = keep.iter().map(|c| c.id).collect();
        // The node being inserted keeps its link, or it could be left
        // with none (ties, tiny ef): the worst kept one goes instead.
        if let Some(p) = protect {
            if !keep_ids.contains(&p) && cands.iter().any(|c| c.id == p) {
                keep_ids.pop();
                keep_ids.push(p);
            }
        }
        let mut dropped = Vec::new();
        for c in &cands {
            if !keep_ids.contains(&c.id) {
                let back = &mut self.nodes[c.id as usize].links[layer];
                back.retain(|&x| x != n);
                dropped.push(c.id);
            }
        }
        self.nodes[n as usize].links[layer] = keep_ids;
        dropped
    }

    /// The neighbour selection heuristic: a candidate is taken when it is
    /// closer to the base than to every neighbour already taken; the
    /// discarded ones fill any room left. `cands` sorted by distance.
    fn select<S: Space>(&self, s: &S, cands: &[Cand], max: usize) -> Vec<Cand> {
        let mut out: Vec<Cand> = Vec::with_capacity(max);
        let mut rest = Vec::new();
        for &c in cands {
            if out.len() >= max {
                break;
            }
            if out.iter().all(|r| s.dist(c.id, r.id) > c.d) {
                out.push(c);
            } else {
                rest.push(c);
            }
        }
        for c in rest {
            if out.len() >= max {
                break;
            }
            out.push(c);
        }
        out
    }

    fn greedy<F: Fn(u32) -> f32>(&self, q: &F, mut ep: u32, mut ep_d: f32, layer: usize) -> (u32, f32) {
        loop {
            let mut moved = false;
            for &n in self.links(ep, layer) {
                let d = q(n);
                if d < ep_d {
                    ep_d = d;
                    ep = n;
                    moved = true;
                }
            }
            if !moved {
                return (ep, ep_d);
            }
        }
    }

    /// Best-first search of one layer from `eps`, keeping `ef` results,
    /// sorted by distance. `accept` (if given) decides which nodes may
    /// enter the result set; all nodes are still traversed.
    fn search_layer<F: Fn(u32) -> f32>(
        &self,
        q: &F,
        eps: &[Cand],
        ef: usize,
        layer: usize,
        accept: Option<&mut dyn FnMut(u32) -> bool>,
        limit: usize,
    ) -> Vec<Cand> {
        let mut examined = 0usize;
        let mut visited = vec![0u64; self.nodes.len().div_ceil(64)];
        let mut mark = |id: u32| {
            let (w, b) = (id as usize / 64, id % 64);
            let seen = visited[w] & (1 << b) != 0;
            visited[w] |= 1 << b;
            seen
        };
        let mut accept = accept;
        let mut ok = |id: u32| accept.as_mut().is_none_or(|f| f(id));
        let mut todo: BinaryHeap<std::cmp::Reverse<Cand>> = BinaryHeap::new();
        let mut best: BinaryHeap<Cand> = BinaryHeap::new();
        for &e in eps {
            if !mark(e.id) {
                todo.push(std::cmp::Reverse(e));
                if ok(e.id) {
                    best.push(e);
                }
            }
        }
        while best.len() > ef {
            best.pop();
        }
        while let Some(std::cmp::Reverse(c)) = todo.pop() {
            if best.len() >= ef && best.peek().is_some_and(|w| c.d > w.d) {
                break;
            }
            if examined >= limit {
                break;
            }
            for &n in self.links(c.id, layer) {
                if mark(n) {
                    continue;
                }
                examined += 1;
                let d = q(n);
                if best.len() < ef || best.peek().is_some_and(|w| d < w.d) {
                    todo.push(std::cmp::Reverse(Cand { d, id: n }));
                    if ok(n) {
                        best.push(Cand { d, id: n });
                        if best.len() > ef {
                            best.pop();
                        }
                    }
                }
            }
        }
        best.into_sorted_vec()
    }

    /// The `k` nearest nodes to `q` (id, distance), exploring `ef`
    /// candidates at layer 0.
    pub fn search<S: Space>(&self, s: &S, q: &S::Query, k: usize, ef: usize) -> Vec<(u32, f32)> {
        self.search_filtered(s, q, k, ef, None)
    }

    /// Like [`search`](Self::search), keeping only nodes `accept` takes.
    pub fn search_filtered<S: Space>(
        &self,
        s: &S,
        q: &S::Query,
        k: usize,
        ef: usize,
        accept: Option<&mut dyn FnMut(u32) -> bool>,
    ) -> Vec<(u32, f32)> {
        self.search_limited(s, q, k, ef, accept, usize::MAX)
    }

    /// Like [`search_filtered`](Self::search_filtered), giving up after
    /// `limit` nodes examined at layer 0 (filtered searches whose filter
    /// matches little would otherwise walk the whole graph).
    pub fn search_limited<S: Space>(
        &self,
        s: &S,
        q: &S::Query,
        k: usize,
        ef: usize,
        accept: Option<&mut dyn FnMut(u32) -> bool>,
        limit: usize,
    ) -> Vec<(u32, f32)> {
        let Some(mut ep) = self.entry else {
            return Vec::new();
        };
        let f = |b: u32| s.dist_query(q, b);
        let mut ep_d = f(ep);
        for l in (1..=self.max_level).rev() {
            (ep, ep_d) = self.greedy(&f, ep, ep_d, l);
        }
        let found = self.search_layer(&f, &[Cand { d: ep_d, id: ep }], ef.max(k), 0, accept, limit);
        found.into_iter().take(k).map(|c| (c.id, c.d)).collect()
    }

    /// Removes node `id`, repairing its neighbours' links. False if absent.
    pub fn delete<S: Space>(&mut self, s: &S, id: u32) -> bool {
        if !self.contains(id) {
            return false;
        }
        let links = self.unlink(id);
        for (l, nbrs) in links.iter().enumerate() {
            // Relink the orphans among themselves, closest pairs first.
            let mut pairs = Vec::new();
            for (i, &a) in nbrs.iter().enumerate() {
                for &b in &nbrs[i + 1..] {
                    pairs.push((s.dist(a, b), a, b));
                }
            }
            pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
            let max = self.max_links(l);
            for (_, a, b) in pairs {
                let (la, lb) = (&self.nodes[a as usize].links[l], &self.nodes[b as usize].links[l]);
                if a != b && la.len() < max && lb.len() < max && !la.contains(&b) {
                    self.nodes[a as usize].links[l].push(b);
                    self.nodes[b as usize].links[l].push(a);
                }
            }
        }
        if self.entry == Some(id) {
            self.pick_entry();
        }
        // A neighbour left with no link at all is reconnected through a
        // search, as if inserted again at its level.
        if let Some(nbrs) = links.first() {
            for &n in nbrs {
                if self.len > 1 && self.nodes[n as usize].links[0].is_empty() {
                    let level = self.nodes[n as usize].links.len() - 1;
                    self.unlink(n);
                    if self.entry == Some(n) {
                        self.entry = None;
                    }
                    self.reinsert(s, n, level);
                }
            }
        }
        true
    }

    /// Takes node `id` out of the graph: marks it dead and removes every
    /// link to it; returns its own links, by level.
    fn unlink(&mut self, id: u32) -> Vec<Vec<u32>> {
        let links = std::mem::take(&mut self.nodes[id as usize].links);
        self.nodes[id as usize].live = false;
        self.len -= 1;
        for (l, nbrs) in links.iter().enumerate() {
            for &n in nbrs {
                if let Some(v) = self.nodes[n as usize].links.get_mut(l) {
                    v.retain(|&x| x != id);
                }
            }
        }
        links
    }

    /// A new entry point: the live node with the highest level (a scan of
    /// every node, only when the entry point itself was removed).
    fn pick_entry(&mut self) {
        self.entry = None;
        self.max_level = 0;
        for (i, n) in self.nodes.iter().enumerate() {
            if n.live && (self.entry.is_none() || n.links.len() - 1 > self.max_level) {
                self.entry = Some(i as u32);
                self.max_level = n.links.len() - 1;
            }
        }
    }

    fn reinsert<S: Space>(&mut self, s: &S, n: u32, level: usize) {
        if self.entry.is_none() {
            self.pick_entry();
        }
        self.insert_at(s, n, level);
    }

    /// Live ids reachable from the entry point at layer 0.
    pub fn reachable(&self) -> usize {
        let Some(e) = self.entry else { return 0 };
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![e];
        seen[e as usize] = true;
        let mut count = 0;
        while let Some(x) = stack.pop() {
            count += 1;
            for &n in self.links(x, 0) {
                if !seen[n as usize] {
                    seen[n as usize] = true;
                    stack.push(n);
                }
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::vector::kernels::kernels;

    /// Plain vectors under squared L2 (the FT flavour).
    struct Flat {
        dim: usize,
        data: Vec<f32>,
    }

    impl Flat {
        fn v(&self, i: u32) -> &[f32] {
            &self.data[i as usize * self.dim..(i as usize + 1) * self.dim]
        }
    }

    impl Space for Flat {
        type Query = [f32];
        fn dist(&self, a: u32, b: u32) -> f32 {
            (kernels().l2_f32)(self.v(a), self.v(b))
        }
        fn dist_query(&self, q: &[f32], b: u32) -> f32 {
            (kernels().l2_f32)(q, self.v(b))
        }
    }

    fn rnd(s: &mut u64) -> f32 {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        (*s % 10_000) as f32 / 10_000.0
    }

    /// Clustered data: 20 centres, points spread around them.
    fn data(n: usize, dim: usize, seed: u64) -> Flat {
        let mut s = seed;
        let centres: Vec<f32> = (0..20 * dim).map(|_| rnd(&mut s) * 10.0).collect();
        let mut data = Vec::with_capacity(n * dim);
        for i in 0..n {
            let c = i % 20;
            for j in 0..dim {
                data.push(centres[c * dim + j] + rnd(&mut s) - 0.5);
            }
        }
        Flat { dim, data }
    }

    /// Queries near the data: stored points moved a little.
    fn near(f: &Flat, n: usize, s: &mut u64) -> Vec<Vec<f32>> {
        let count = (f.data.len() / f.dim) as u64;
        (0..n)
            .map(|_| {
                let i = (*s % count) as u32;
                let q = f.v(i).iter().map(|x| x + rnd(s) - 0.5).collect();
                q
            })
            .collect()
    }

    fn truth(f: &Flat, q: &[f32], live: &[u32], k: usize) -> Vec<u32> {
        let mut all: Vec<(f32, u32)> = live.iter().map(|&i| (f.dist_query(q, i), i)).collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0));
        all.into_iter().take(k).map(|x| x.1).collect()
    }

    fn recall(h: &Hnsw, f: &Flat, live: &[u32], queries: &[Vec<f32>]) -> f64 {
        let mut hit = 0;
        for q in queries {
            let t = truth(f, q, live, 10);
            let got = h.search(f, q, 10, 100);
            hit += got.iter().filter(|(id, _)| t.contains(id)).count();
        }
        hit as f64 / (queries.len() * 10) as f64
    }

    #[test]
    fn recall_against_brute_force() {
        let n = 3000;
        let f = data(n, 32, 42);
        let mut h = Hnsw::new(16, 200, 1);
        for i in 0..n as u32 {
            h.insert(&f, i);
        }
        assert_eq!(h.len(), n);
        assert_eq!(h.reachable(), n);
        let mut s = 99u64;
        let queries = near(&f, 50, &mut s);
        let live: Vec<u32> = (0..n as u32).collect();
        let r = recall(&h, &f, &live, &queries);
        assert!(r >= 0.95, "recall {r}");
        // Same seed, same inserts: the same graph.
        let mut h2 = Hnsw::new(16, 200, 1);
        for i in 0..n as u32 {
            h2.insert(&f, i);
        }
        for i in 0..n as u32 {
            assert_eq!(h.links(i, 0), h2.links(i, 0));
        }
    }

    #[test]
    fn deleting_half_keeps_recall_and_reachability() {
        let n = 3000;
        let f = data(n, 16, 7);
        let mut h = Hnsw::new(8, 100, 3);
        for i in 0..n as u32 {
            h.insert(&f, i);
        }
        // Delete every other node, the entry point among them.
        let entry = h.entry().unwrap();
        assert!(h.delete(&f, entry));
        for i in (0..n as u32).step_by(2) {
            h.delete(&f, i);
        }
        assert!(!h.delete(&f, 0));
        let live: Vec<u32> = (0..n as u32).filter(|i| h.contains(*i)).collect();
        assert_eq!(h.len(), live.len());
        assert_eq!(h.reachable(), live.len());
        // Links stay bidirectional and never name a deleted node.
        for &i in &live {
            for l in 0..=h.level(i).unwrap() {
                for &x in h.links(i, l) {
                    assert!(h.contains(x));
                    assert!(h.links(x, l).contains(&i));
                }
                assert!(h.links(i, l).len() <= h.max_links(l));
            }
        }
        let mut s = 5u64;
        let queries = near(&f, 50, &mut s);
        let r = recall(&h, &f, &live, &queries);
        assert!(r >= 0.90, "recall after deletes {r}");
        // Delete everything: an empty graph that still answers.
        for &i in &live {
            assert!(h.delete(&f, i));
        }
        assert!(h.is_empty());
        assert_eq!(h.entry(), None);
        assert!(h.search(&f, &queries[0], 10, 10).is_empty());
        // And it grows again.
        h.insert(&f, 5);
        assert_eq!(h.search(&f, &queries[0], 10, 10).len(), 1);
    }

    #[test]
    fn hostile_sizes() {
        // One node, duplicates, zero vectors, k and ef of 0 and far above n.
        let f = Flat {
            dim: 4,
            data: vec![0.0; 4 * 50],
        };
        let mut h = Hnsw::new(2, 1, 0);
        for i in 0..50 {
            h.insert(&f, i);
            h.insert(&f, i);
        }
        assert_eq!(h.len(), 50);
        assert_eq!(h.reachable(), 50);
        assert_eq!(h.search(&f, &[0.0; 4], 0, 0).len(), 0);
        assert_eq!(h.search(&f, &[0.0; 4], 1000, 1).len(), 50);
        // Sparse ids, level cap.
        let g = data(3, 2, 1);
        let mut h = Hnsw::new(16, 10, 0);
        h.insert_at(&g, 2, 1000);
        h.insert_at(&g, 0, 0);
        assert_eq!(h.max_level(), MAX_LEVEL);
        assert_eq!(h.search(&g, g.v(0), 5, 5)[0].0, 0);
        for _ in 0..10_000 {
            assert!(h.random_level() <= MAX_LEVEL);
        }
    }
}
