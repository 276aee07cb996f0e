//! Quicklist (quicklist.c): the representation of every list value. A
//! sequence of nodes, each either a listpack holding several elements
//! ("packed") or one large element stored as is ("plain"). Inner nodes may
//! be LZF-compressed, keeping `compress` nodes at each end uncompressed.
//!
//! The node layout follows Redis's rules exactly: when a node is full
//! (`fill`: positive = max entries, -1..-5 = max listpack bytes 4..64 KiB),
//! when a new node is created, when nodes are split on insertion and
//! merged afterwards, and when a node gets compressed or decompressed.
//!
//! Nodes live in a `VecDeque`; positions are node indexes. An iterator
//! ([`QlIter`]) names its current node by index, so operations that add or
//! remove nodes either fix the iterator up (deletion while iterating) or
//! reset it (insertion, replacement), as Redis does with its pointers.

use crate::ds::listpack::{Listpack, LpValue};
use crate::ds::lzf;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Node size limits for negative fill values -1..-5.
const OPTIMIZATION_LEVEL: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Max bytes of a multi-element node when the fill is a count.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// Per-entry overhead assumed when deciding whether an element fits.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;
/// Nodes smaller than this are never compressed.
const MIN_COMPRESS_BYTES: usize = 48;
/// Compression must save at least this many bytes to be kept.
const MIN_COMPRESS_IMPROVE: usize = 8;
/// Largest fill (a 16-bit signed field in Redis).
const FILL_MAX: i64 = (1 << 15) - 1;
/// Largest compress depth (a 16-bit field in Redis).
const COMPRESS_MAX: i64 = (1 << 16) - 1;
/// Default size from which an element gets a plain node of its own.
const DEFAULT_PACKED_THRESHOLD: usize = 1 << 30;

/// Elements of at least this many bytes go to plain nodes
/// (`DEBUG QUICKLIST-PACKED-THRESHOLD`).
static PACKED_THRESHOLD: AtomicUsize = AtomicUsize::new(DEFAULT_PACKED_THRESHOLD);

/// Sets the plain-node threshold (`quicklistisSetPackedThreshold`): 0
/// restores the default; values close to 4 GiB or above are refused.
pub fn set_packed_threshold(sz: u64) -> bool {
    if sz > (1u64 << 32) - (1 << 20) {
        return false;
    }
    let v = if sz == 0 { DEFAULT_PACKED_THRESHOLD } else { sz as usize };
    PACKED_THRESHOLD.store(v, Ordering::Relaxed);
    true
}

/// The current plain-node threshold.
pub fn packed_threshold() -> usize {
    PACKED_THRESHOLD.load(Ordering::Relaxed)
}

/// Which end of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Where {
    Head,
    Tail,
}

/// The bytes a node holds.
#[derive(Clone)]
enum Payload {
    Packed(Listpack),
    Plain(Vec<u8>),
    /// LZF-compressed listpack or plain bytes (`Node::plain` says which).
    Lzf(Vec<u8>),
}

#[derive(Clone)]
struct Node {
    payload: Payload,
    /// Uncompressed size in bytes.
    sz: usize,
    /// Number of elements (1 for a plain node).
    count: usize,
    plain: bool,
    /// Decompressed temporarily; compress again when done.
    recompress: bool,
    /// Must stay uncompressed for now (during a replacement).
    dont_compress: bool,
}

impl Node {
    fn packed(lp: Listpack) -> Node {
        Node {
            sz: lp.bytes(),
            count: lp.len(),
            payload: Payload::Packed(lp),
            plain: false,
            recompress: false,
            dont_compress: false,
        }
    }

    fn plain(v: &[u8]) -> Node {
        Node {
            payload: Payload::Plain(v.to_vec()),
            sz: v.len(),
            count: 1,
            plain: true,
            recompress: false,
            dont_compress: false,
        }
    }

    fn is_compressed(&self) -> bool {
        matches!(self.payload, Payload::Lzf(_))
    }

    /// The uncompressed bytes of the node, if it is not compressed.
    fn raw_bytes(&self) -> Option<&[u8]> {
        match &self.payload {
            Payload::Packed(lp) => Some(lp.as_bytes()),
            Payload::Plain(v) => Some(v),
            Payload::Lzf(_) => None,
        }
    }

    /// Undoes LZF compression (`__quicklistDecompressNode`).
    fn decompress(&mut self) {
        self.recompress = false;
        let Payload::Lzf(c) = &self.payload else {
            return;
        };
        let Some(raw) = lzf::decompress(c, self.sz) else {
            return;
        };
        self.payload = if self.plain {
            Payload::Plain(raw)
        } else {
            match Listpack::from_bytes(raw) {
                Some(lp) => Payload::Packed(lp),
                None => return,
            }
        };
    }

    /// Compresses an uncompressed node if worthwhile (`__quicklistCompressNode`).
    fn compress(&mut self) -> bool {
        if self.dont_compress {
            return false;
        }
        self.recompress = false;
        if self.sz < MIN_COMPRESS_BYTES {
            return false;
        }
        let Some(raw) = self.raw_bytes() else {
            return false;
        };
        match lzf::compress(raw, self.sz) {
            Some(c) if c.len() + MIN_COMPRESS_IMPROVE < self.sz => {
                self.payload = Payload::Lzf(c);
                true
            }
            _ => false,
        }
    }

    /// The node's listpack (empty if the node is plain or compressed,
    /// which callers rule out).
    fn lp(&self) -> &Listpack {
        match &self.payload {
            Payload::Packed(lp) => lp,
            _ => empty_listpack(),
        }
    }

    /// The node's listpack for modification; decompresses first.
    fn lp_mut(&mut self) -> &mut Listpack {
        self.decompress_keep_flags();
        if !matches!(self.payload, Payload::Packed(_)) {
            // A packed operation on a plain node: never happens; keep the
            // element rather than lose it.
            let mut lp = Listpack::new();
            if let Payload::Plain(v) = &self.payload {
                lp.append(v);
            }
            self.payload = Payload::Packed(lp);
            self.plain = false;
        }
        match &mut self.payload {
            Payload::Packed(lp) => lp,
            _ => unreachable!("payload was just made packed"),
        }
    }

    fn decompress_keep_flags(&mut self) {
        if self.is_compressed() {
            let r = self.recompress;
            self.decompress();
            self.recompress = r;
        }
    }

    /// Refreshes `sz` and `count` after a listpack change.
    fn update_from_lp(&mut self) {
        if let Payload::Packed(lp) = &self.payload {
            self.sz = lp.bytes();
            self.count = lp.len();
        }
    }

    /// The element at listpack position `zi` (the whole node if plain).
    fn value_at(&self, zi: usize) -> LpValue<'_> {
        match &self.payload {
            Payload::Packed(lp) => lp.get(zi),
            Payload::Plain(v) => LpValue::Str(v),
            Payload::Lzf(_) => LpValue::Str(b""),
        }
    }
}

fn empty_listpack() -> &'static Listpack {
    static EMPTY: std::sync::OnceLock<Listpack> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Listpack::new)
}

/// Whether a node of `sz` bytes is within the size limit of a negative fill.
fn size_meets_optimization(sz: usize, fill: i32) -> bool {
    if fill >= 0 {
        return false;
    }
    let offset = (-(fill as i64) - 1) as usize;
    offset < OPTIMIZATION_LEVEL.len() && sz <= OPTIMIZATION_LEVEL[offset]
}

/// A position while iterating (`quicklistIter`).
#[derive(Clone, Debug)]
pub struct QlIter {
    current: Option<usize>,
    /// Listpack offset of the current element (0 for a plain node); None
    /// means "seek `offset` in `current` on the next step".
    zi: Option<usize>,
    offset: i64,
    forward: bool,
}

impl QlIter {
    /// Changes the direction of iteration (`quicklistSetDirection`).
    pub fn set_forward(&mut self, forward: bool) {
        self.forward = forward;
    }
}

/// An element reached by an iterator (`quicklistEntry`).
#[derive(Clone, Copy, Debug)]
pub struct QlEntry {
    node: usize,
    zi: usize,
    offset: i64,
}

/// A node as RDB saving sees it.
pub struct NodeView<'a> {
    pub plain: bool,
    /// Uncompressed size.
    pub sz: usize,
    /// The LZF data when the node is compressed.
    pub compressed: Option<&'a [u8]>,
    /// The listpack or element bytes when not compressed.
    pub raw: Option<&'a [u8]>,
}

#[derive(Clone)]
pub struct Quicklist {
    nodes: VecDeque<Node>,
    count: usize,
    fill: i32,
    compress: usize,
    /// Overrides the global plain-node threshold (tests).
    threshold: Option<usize>,
}

impl std::fmt::Debug for Quicklist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Quicklist {{ count: {}, nodes: {}, fill: {}, compress: {} }}",
            self.count,
            self.nodes.len(),
            self.fill,
            self.compress
        )
    }
}

impl Default for Quicklist {
    fn default() -> Self {
        Quicklist::new(-2, 0)
    }
}

impl Quicklist {
    /// Active defrag: moves the node array (at the start of a walk) and
    /// the payloads of up to `budget` nodes from index `cursor`; returns
    /// the next index, 0 when done. Node indexes shift if the list changes
    /// between slices: some nodes are then visited twice or missed, which
    /// only makes the defrag less thorough.
    pub fn defrag(&mut self, mv: &mut crate::server::defrag::Mover, cursor: u64, budget: usize) -> u64 {
        if cursor == 0 {
            mv.deque(&mut self.nodes);
        }
        let start = cursor as usize;
        let end = start.saturating_add(budget).min(self.nodes.len());
        for n in self.nodes.range_mut(start.min(end)..end) {
            match &mut n.payload {
                Payload::Packed(lp) => lp.defrag(mv),
                Payload::Plain(v) | Payload::Lzf(v) => {
                    mv.vec(v);
                }
            }
        }
        if end >= self.nodes.len() {
            0
        } else {
            end as u64
        }
    }

    /// An empty quicklist with the given options (`quicklistNew`), clamped
    /// like `quicklistSetOptions`.
    pub fn new(fill: i64, compress: i64) -> Quicklist {
        Quicklist {
            nodes: VecDeque::new(),
            count: 0,
            fill: fill.clamp(-5, FILL_MAX) as i32,
            compress: compress.clamp(0, COMPRESS_MAX) as usize,
            threshold: None,
        }
    }

    #[cfg(test)]
    fn with_threshold(mut self, t: usize) -> Quicklist {
        self.threshold = Some(t);
        self
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn fill(&self) -> i32 {
        self.fill
    }

    pub fn compress_depth(&self) -> usize {
        self.compress
    }

    /// Sum of the uncompressed node sizes.
    pub fn uncompressed_size(&self) -> usize {
        self.nodes.iter().map(|n| n.sz).sum()
    }

    /// Heap bytes, counted like Redis's MEMORY USAGE does: the quicklist
    /// and node headers (their C struct sizes) plus the allocator's size
    /// of each node's data.
    pub fn alloc_size(&self) -> usize {
        use crate::object::jemalloc_class;
        let mut total = 40;
        for n in &self.nodes {
            total += 32
                + jemalloc_class(match &n.payload {
                    Payload::Packed(lp) => lp.bytes(),
                    Payload::Plain(v) => v.len(),
                    Payload::Lzf(c) => 8 + c.len(),
                });
        }
        total
    }

    fn is_large(&self, sz: usize) -> bool {
        sz >= self.threshold.unwrap_or_else(packed_threshold)
    }

    // -----------------------------------------------------------------
    // Compression
    // -----------------------------------------------------------------

    /// Compresses node `i` if it is uncompressed (`quicklistCompressNode`).
    /// Only inner nodes are ever compressed.
    fn compress_node(&mut self, i: usize) {
        let len = self.nodes.len();
        if i == 0 || i + 1 >= len {
            return;
        }
        let n = &mut self.nodes[i];
        if !n.is_compressed() {
            n.compress();
        }
    }

    fn decompress_node(&mut self, i: usize) {
        if let Some(n) = self.nodes.get_mut(i) {
            if n.is_compressed() {
                n.decompress();
            }
        }
    }

    /// Decompresses for temporary use (`quicklistDecompressNodeForUse`).
    fn decompress_for_use(&mut self, i: usize) {
        if let Some(n) = self.nodes.get_mut(i) {
            if n.is_compressed() {
                n.decompress();
                n.recompress = true;
            }
        }
    }

    /// Restores the compression depth invariant around `node`
    /// (`__quicklistCompress`): the `compress` nodes at each end are
    /// decompressed; `node` and the first node past the depth on each side
    /// get compressed.
    fn compress_around(&mut self, node: Option<usize>) {
        let len = self.nodes.len();
        if len == 0 || self.compress == 0 || len < self.compress * 2 {
            return;
        }
        let (mut f, mut r) = (0usize, len - 1);
        let mut in_depth = false;
        for _ in 0..self.compress {
            self.decompress_node(f);
            self.decompress_node(r);
            if node == Some(f) || node == Some(r) {
                in_depth = true;
            }
            if f == r || f + 1 == r {
                return;
            }
            f += 1;
            r -= 1;
        }
        if !in_depth {
            if let Some(n) = node {
                self.compress_node(n);
            }
        }
        self.compress_node(f);
        self.compress_node(r);
    }

    /// `quicklistCompress`: recompress a node used temporarily, otherwise
    /// apply the depth rule around it.
    fn compress(&mut self, i: usize) {
        if i >= self.nodes.len() {
            return;
        }
        if self.nodes[i].recompress {
            self.compress_node(i);
        } else {
            self.compress_around(Some(i));
        }
    }

    /// `quicklistRecompressOnly`.
    fn recompress_only(&mut self, i: usize) {
        if self.nodes.get(i).is_some_and(|n| n.recompress) {
            self.compress_node(i);
        }
    }

    // -----------------------------------------------------------------
    // Node management
    // -----------------------------------------------------------------

    /// Inserts `node` after (or before) node `old` (`__quicklistInsertNode`);
    /// `old` is None only for an empty list. Returns the new node's index.
    fn insert_node(&mut self, old: Option<usize>, node: Node, after: bool) -> usize {
        let pos = match old {
            None => {
                if after {
                    self.nodes.len()
                } else {
                    0
                }
            }
            Some(o) => {
                if after {
                    o + 1
                } else {
                    o
                }
            }
        };
        self.nodes.insert(pos, node);
        if let Some(o) = old {
            self.compress(if after { o } else { o + 1 });
        }
        self.compress(pos);
        pos
    }

    /// Adds a plain node for a large element next to `old`.
    fn insert_plain_node(&mut self, old: Option<usize>, v: &[u8], after: bool) -> usize {
        let i = self.insert_node(old, Node::plain(v), after);
        self.count += 1;
        i
    }

    /// Removes node `i` (`__quicklistDelNode`).
    fn del_node(&mut self, i: usize) {
        if let Some(n) = self.nodes.remove(i) {
            self.count -= n.count;
        }
        self.compress_around(None);
    }

    /// Deletes the element at `zi` of node `i` (`quicklistDelIndex`).
    /// Returns true if the whole node went away.
    fn del_index(&mut self, i: usize, zi: usize) -> bool {
        if self.nodes[i].plain {
            self.del_node(i);
            return true;
        }
        let gone = {
            let n = &mut self.nodes[i];
            n.lp_mut().delete(zi);
            n.count -= 1;
            if n.count > 0 {
                n.sz = n.lp().bytes();
            }
            n.count == 0
        };
        if gone {
            self.del_node(i);
        }
        self.count -= 1;
        gone
    }

    /// Whether an element of `sz` bytes may be added to node `i`
    /// (`_quicklistNodeAllowInsert`).
    fn allow_insert(&self, i: Option<usize>, sz: usize) -> bool {
        let Some(n) = i.and_then(|i| self.nodes.get(i)) else {
            return false;
        };
        if n.plain || self.is_large(sz) {
            return false;
        }
        let new_sz = n.sz + sz + SIZE_ESTIMATE_OVERHEAD;
        if size_meets_optimization(new_sz, self.fill) {
            true
        } else if new_sz > SIZE_SAFETY_LIMIT {
            false
        } else {
            (n.count as i64) < self.fill as i64
        }
    }

    /// Whether nodes `a` and `b` may be merged (`_quicklistNodeAllowMerge`).
    fn allow_merge(&self, a: Option<usize>, b: Option<usize>) -> bool {
        let (Some(a), Some(b)) = (a.and_then(|i| self.nodes.get(i)), b.and_then(|i| self.nodes.get(i))) else {
            return false;
        };
        if a.plain || b.plain {
            return false;
        }
        let merge_sz = (a.sz + b.sz).saturating_sub(11);
        if size_meets_optimization(merge_sz, self.fill) {
            true
        } else if merge_sz > SIZE_SAFETY_LIMIT {
            false
        } else {
            (a.count + b.count) as i64 <= self.fill as i64
        }
    }

    /// Merges node `a` with the next one (`_quicklistListpackMerge`); the
    /// larger listpack is kept. Returns the merged node's index (`a`).
    fn merge_pair(&mut self, a: usize) -> usize {
        let b = a + 1;
        self.decompress_node(a);
        self.decompress_node(b);
        let keep_first = self.nodes[a].sz >= self.nodes[b].sz;
        let second = std::mem::take(self.nodes[b].lp_mut());
        let mut merged = std::mem::take(self.nodes[a].lp_mut());
        merged.merge(&second);
        let (keep, nokeep) = if keep_first { (a, b) } else { (b, a) };
        let k = &mut self.nodes[keep];
        k.payload = Payload::Packed(merged);
        k.update_from_lp();
        self.nodes[nokeep].count = 0;
        self.del_node(nokeep);
        self.compress(a);
        a
    }

    /// Merges the neighbourhood of `center` after a split
    /// (`_quicklistMergeNodes`).
    fn merge_nodes(&mut self, mut center: usize) {
        let prev = center.checked_sub(1);
        let prev_prev = center.checked_sub(2);
        if self.allow_merge(prev, prev_prev) {
            if let Some(pp) = prev_prev {
                self.merge_pair(pp);
                center -= 1;
            }
        }
        let next = Some(center + 1).filter(|&i| i < self.nodes.len());
        let next_next = Some(center + 2).filter(|&i| i < self.nodes.len());
        if self.allow_merge(next, next_next) {
            self.merge_pair(center + 1);
        }
        let target = if self.allow_merge(Some(center), center.checked_sub(1)) {
            self.merge_pair(center - 1)
        } else {
            center
        };
        if self.allow_merge(Some(target), Some(target + 1).filter(|&i| i < self.nodes.len())) {
            self.merge_pair(target);
        }
    }

    /// Splits node `i` at `offset` (`_quicklistSplitNode`). With `after`,
    /// the node keeps `[0, offset]` and the returned node gets the rest;
    /// otherwise the returned node gets `[0, offset)` and the node keeps the
    /// rest.
    fn split_node(&mut self, i: usize, offset: i64, after: bool) -> Node {
        let n = &mut self.nodes[i];
        let mut new_lp = n.lp_mut().clone();
        let offset = if offset < 0 { n.count as i64 + offset } else { offset };
        let (orig_start, orig_extent) = if after {
            (offset + 1, usize::MAX)
        } else {
            (0, offset.max(0) as usize)
        };
        let (new_start, new_extent) = if after {
            (0, (offset + 1).max(0) as usize)
        } else {
            (offset, usize::MAX)
        };
        n.lp_mut().delete_range(orig_start, orig_extent);
        n.update_from_lp();
        new_lp.delete_range(new_start, new_extent);
        Node::packed(new_lp)
    }

    // -----------------------------------------------------------------
    // Push / pop
    // -----------------------------------------------------------------

    fn head(&self) -> Option<usize> {
        (!self.nodes.is_empty()).then_some(0)
    }

    fn tail(&self) -> Option<usize> {
        self.nodes.len().checked_sub(1)
    }

    /// Adds an element at the head; true if a new head node was created.
    pub fn push_head(&mut self, v: &[u8]) -> bool {
        let head = self.head();
        if self.is_large(v.len()) {
            self.insert_plain_node(head, v, false);
            return true;
        }
        let created = if self.allow_insert(head, v.len()) {
            let n = &mut self.nodes[0];
            n.lp_mut().prepend(v);
            n.update_from_lp();
            false
        } else {
            let mut lp = Listpack::new();
            lp.prepend(v);
            self.insert_node(head, Node::packed(lp), false);
            true
        };
        self.count += 1;
        created
    }

    /// Adds an element at the tail; true if a new tail node was created.
    pub fn push_tail(&mut self, v: &[u8]) -> bool {
        let tail = self.tail();
        if self.is_large(v.len()) {
            self.insert_plain_node(tail, v, true);
            return true;
        }
        let created = match tail {
            Some(t) if self.allow_insert(Some(t), v.len()) => {
                let n = &mut self.nodes[t];
                n.lp_mut().append(v);
                n.update_from_lp();
                false
            }
            _ => {
                let mut lp = Listpack::new();
                lp.append(v);
                self.insert_node(tail, Node::packed(lp), true);
                true
            }
        };
        self.count += 1;
        created
    }

    /// `quicklistPush`.
    pub fn push(&mut self, v: &[u8], wh: Where) {
        match wh {
            Where::Head => self.push_head(v),
            Where::Tail => self.push_tail(v),
        };
    }

    /// Removes and returns the element at one end (`quicklistPopCustom`).
    pub fn pop(&mut self, wh: Where) -> Option<Vec<u8>> {
        if self.count == 0 {
            return None;
        }
        let i = match wh {
            Where::Head => self.head()?,
            Where::Tail => self.tail()?,
        };
        self.nodes[i].decompress_keep_flags();
        if self.nodes[i].plain {
            let v = match &self.nodes[i].payload {
                Payload::Plain(v) => v.clone(),
                _ => Vec::new(),
            };
            self.del_index(i, 0);
            return Some(v);
        }
        let lp = self.nodes[i].lp();
        let p = lp.seek(if wh == Where::Head { 0 } else { -1 })?;
        let v = lp.get(p).to_vec();
        self.del_index(i, p);
        Some(v)
    }

    /// Moves the tail element to the head (`quicklistRotate`).
    pub fn rotate(&mut self) {
        if self.count <= 1 {
            return;
        }
        let Some(t) = self.tail() else {
            return;
        };
        if self.nodes[t].plain {
            // The tail node itself becomes the head. (Redis leaves the new
            // tail as it was, possibly compressed; restore the depth rule.)
            if let Some(n) = self.nodes.pop_back() {
                self.nodes.push_front(n);
            }
            self.compress_around(None);
            return;
        }
        let Some(p) = self.nodes[t].lp().seek(-1) else {
            return;
        };
        let v = self.nodes[t].lp().get(p).to_vec();
        self.push_head(&v);
        let t = self.nodes.len() - 1;
        if let Some(p) = self.nodes[t].lp().seek(-1) {
            self.del_index(t, p);
        }
    }

    // -----------------------------------------------------------------
    // Iteration
    // -----------------------------------------------------------------

    /// An iterator from one end (`quicklistGetIterator`).
    pub fn iter_from_end(&self, forward: bool) -> QlIter {
        QlIter {
            current: if forward { self.head() } else { self.tail() },
            zi: None,
            offset: if forward { 0 } else { -1 },
            forward,
        }
    }

    /// An iterator positioned on element `idx` (negative counts from the
    /// tail), moving in the given direction (`quicklistGetIteratorAtIdx`).
    pub fn iter_at(&self, forward: bool, idx: i64) -> Option<QlIter> {
        let idx_forward = idx >= 0;
        let index: u64 = if idx_forward { idx as u64 } else { (-(idx + 1)) as u64 };
        let count = self.count as u64;
        if index >= count {
            return None;
        }
        let mut seek_forward = idx_forward;
        let mut seek_index = index;
        if index > (count - 1) / 2 {
            seek_forward = !idx_forward;
            seek_index = count - 1 - index;
        }
        let mut accum: u64 = 0;
        let len = self.nodes.len();
        let mut found = None;
        for k in 0..len {
            let i = if seek_forward { k } else { len - 1 - k };
            let c = self.nodes[i].count as u64;
            if accum + c > seek_index {
                found = Some(i);
                break;
            }
            accum += c;
        }
        let i = found?;
        if seek_forward != idx_forward {
            accum = count - self.nodes[i].count as u64 - accum;
        }
        let offset = if idx_forward {
            (index - accum) as i64
        } else {
            -(index as i64) - 1 + accum as i64
        };
        Some(QlIter {
            current: Some(i),
            zi: None,
            offset,
            forward,
        })
    }

    /// Advances the iterator (`quicklistNext`). The entry stays valid until
    /// the list is modified (other than through the iterator's own
    /// `del_entry`).
    pub fn next(&mut self, it: &mut QlIter) -> Option<QlEntry> {
        loop {
            let cur = it.current.filter(|&c| c < self.nodes.len())?;
            let plain = self.nodes[cur].plain;
            match it.zi {
                None => {
                    self.decompress_for_use(cur);
                    it.zi = if plain { Some(0) } else { self.nodes[cur].lp().seek(it.offset) };
                }
                Some(_) if plain => it.zi = None,
                Some(z) => {
                    let lp = self.nodes[cur].lp();
                    if it.forward {
                        it.zi = lp.next(z);
                        it.offset += 1;
                    } else {
                        it.zi = lp.prev(z);
                        it.offset -= 1;
                    }
                }
            }
            if let Some(z) = it.zi {
                return Some(QlEntry {
                    node: cur,
                    zi: z,
                    offset: it.offset,
                });
            }
            // This node is done: move to the neighbour.
            self.compress(cur);
            if it.forward {
                it.current = Some(cur + 1).filter(|&i| i < self.nodes.len());
                it.offset = 0;
            } else {
                it.current = cur.checked_sub(1);
                it.offset = -1;
            }
        }
    }

    /// Ends an iteration, recompressing the current node
    /// (`quicklistReleaseIterator`).
    pub fn release(&mut self, it: QlIter) {
        if let Some(c) = it.current {
            self.compress(c);
        }
    }

    /// The element an iterator reached.
    pub fn value(&self, e: &QlEntry) -> LpValue<'_> {
        match self.nodes.get(e.node) {
            Some(n) => n.value_at(e.zi),
            None => LpValue::Str(b""),
        }
    }

    /// Compares the element with `v` (`quicklistCompare`): integers match
    /// their canonical decimal form.
    pub fn entry_eq(&self, e: &QlEntry, v: &[u8]) -> bool {
        self.value(e).eq_bytes(v)
    }

    /// Deletes the element an iterator reached (`quicklistDelEntry`); the
    /// iteration continues with the element after it.
    pub fn del_entry(&mut self, it: &mut QlIter, e: &QlEntry) {
        let prev = e.node.checked_sub(1);
        let gone = self.del_index(e.node, e.zi);
        it.zi = None;
        if gone {
            if it.forward {
                it.current = Some(e.node).filter(|&i| i < self.nodes.len());
                it.offset = 0;
            } else {
                it.current = prev;
                it.offset = -1;
            }
        }
    }

    /// Inserts `v` next to the element an iterator reached
    /// (`_quicklistInsert`). The iterator must not be advanced afterwards
    /// (only released).
    pub fn insert(&mut self, it: &mut QlIter, e: &QlEntry, v: &[u8], after: bool) {
        let sz = v.len();
        let node = e.node;
        let full = !self.allow_insert(Some(node), sz);
        let ncount = self.nodes[node].count as i64;
        let next = Some(node + 1).filter(|&i| i < self.nodes.len());
        let prev = node.checked_sub(1);
        let (mut at_tail, mut at_head, mut avail_next, mut avail_prev) = (false, false, false, false);
        if after && (e.offset == ncount - 1 || e.offset == -1) {
            at_tail = true;
            avail_next = self.allow_insert(next, sz);
        }
        if !after && (e.offset == 0 || e.offset == -ncount) {
            at_head = true;
            avail_prev = self.allow_insert(prev, sz);
        }

        if self.is_large(sz) {
            // The iterator is not reset here: keep it on the same node.
            if self.nodes[node].plain || (at_tail && after) || (at_head && !after) {
                self.insert_plain_node(Some(node), v, after);
                if !after {
                    it.current = it.current.map(|c| if c >= node { c + 1 } else { c });
                }
            } else {
                self.decompress_for_use(node);
                let new_node = self.split_node(node, e.offset, after);
                let en = self.insert_node(Some(node), Node::plain(v), after);
                self.insert_node(Some(en), new_node, after);
                self.count += 1;
                if !after {
                    it.current = it.current.map(|c| if c >= node { c + 2 } else { c });
                }
            }
            return;
        }

        if !full {
            self.decompress_for_use(node);
            let n = &mut self.nodes[node];
            if after {
                n.lp_mut().insert_after(e.zi, v);
            } else {
                n.lp_mut().insert_before(e.zi, v);
            }
            n.update_from_lp();
            self.recompress_only(node);
        } else if at_tail && avail_next && after {
            let nn = node + 1;
            self.decompress_for_use(nn);
            let n = &mut self.nodes[nn];
            n.lp_mut().prepend(v);
            n.update_from_lp();
            self.recompress_only(nn);
            self.recompress_only(node);
        } else if at_head && avail_prev && !after {
            let pn = node - 1;
            self.decompress_for_use(pn);
            let n = &mut self.nodes[pn];
            n.lp_mut().append(v);
            n.update_from_lp();
            self.recompress_only(pn);
            self.recompress_only(node);
        } else if (at_tail && !avail_next && after) || (at_head && !avail_prev && !after) {
            let mut lp = Listpack::new();
            lp.prepend(v);
            self.insert_node(Some(node), Node::packed(lp), after);
        } else {
            self.decompress_for_use(node);
            let mut new_node = self.split_node(node, e.offset, after);
            if after {
                new_node.lp_mut().prepend(v);
            } else {
                new_node.lp_mut().append(v);
            }
            new_node.update_from_lp();
            self.insert_node(Some(node), new_node, after);
            self.merge_nodes(if after { node } else { node + 1 });
        }
        self.count += 1;
        it.current = None;
        it.zi = None;
    }

    /// Replaces the element an iterator reached (`quicklistReplaceEntry`);
    /// the iterator is reset.
    pub fn replace_entry(&mut self, it: &mut QlIter, e: &QlEntry, v: &[u8]) {
        let node = e.node;
        let large = self.is_large(v.len());
        if !self.nodes[node].plain && !large {
            let n = &mut self.nodes[node];
            n.lp_mut().replace(e.zi, v);
            n.update_from_lp();
            self.compress(node);
        } else if self.nodes[node].plain {
            if large {
                let n = &mut self.nodes[node];
                n.payload = Payload::Plain(v.to_vec());
                n.sz = v.len();
                self.compress(node);
            } else {
                self.insert(it, e, v, true);
                self.del_node(node);
            }
        } else {
            self.nodes[node].dont_compress = true;
            self.insert(it, e, v, true);
            if self.nodes[node].count == 1 {
                self.del_node(node);
            } else {
                if let Some(p) = self.nodes[node].lp().seek(-1) {
                    self.del_index(node, p);
                }
                self.nodes[node].dont_compress = false;
                self.compress(node);
                self.compress(node + 1);
            }
        }
        it.current = None;
        it.zi = None;
    }

    /// Replaces the element at `idx` (`quicklistReplaceAtIndex`); false if
    /// out of range.
    pub fn replace_at(&mut self, idx: i64, v: &[u8]) -> bool {
        let Some(mut it) = self.iter_at(false, idx) else {
            return false;
        };
        let Some(e) = self.next(&mut it) else {
            self.release(it);
            return false;
        };
        self.replace_entry(&mut it, &e, v);
        self.release(it);
        true
    }

    /// Calls `f` with the element at `idx` (LINDEX); None if out of range.
    pub fn with_index<R>(&mut self, idx: i64, f: impl FnOnce(LpValue<'_>) -> R) -> Option<R> {
        let mut it = self.iter_at(false, idx)?;
        let r = self.next(&mut it).map(|e| f(self.value(&e)));
        self.release(it);
        r
    }

    /// Deletes `count` elements starting at `start` (negative counts from
    /// the tail) (`quicklistDelRange`). True if anything was deleted.
    pub fn del_range(&mut self, start: i64, count: i64) -> bool {
        if count <= 0 {
            return false;
        }
        let mut extent = count as u64;
        if start >= 0 {
            let rem = self.count as i64 - start;
            if rem >= 0 && extent > rem as u64 {
                extent = rem as u64;
            }
        } else if extent > start.unsigned_abs() {
            extent = start.unsigned_abs();
        }
        let Some(it) = self.iter_at(false, start) else {
            return false;
        };
        let (Some(mut node), mut offset) = (it.current, it.offset) else {
            return false;
        };
        self.release(it);
        while extent > 0 && node < self.nodes.len() {
            let ncount = self.nodes[node].count as u64;
            let mut entire = false;
            let del: u64 = if offset == 0 && extent >= ncount {
                entire = true;
                ncount
            } else if offset >= 0 && extent + offset as u64 >= ncount {
                ncount - offset as u64
            } else if offset < 0 {
                offset.unsigned_abs().min(extent)
            } else {
                extent
            };
            let mut deleted = false;
            if entire || self.nodes[node].plain {
                self.del_node(node);
                deleted = true;
            } else {
                self.decompress_for_use(node);
                let n = &mut self.nodes[node];
                n.lp_mut().delete_range(offset, del as usize);
                n.sz = n.lp().bytes();
                n.count -= del as usize;
                self.count -= del as usize;
                if self.nodes[node].count == 0 {
                    self.del_node(node);
                    deleted = true;
                } else {
                    self.recompress_only(node);
                }
            }
            extent -= del;
            if !deleted {
                node += 1;
            }
            offset = 0;
        }
        true
    }

    // -----------------------------------------------------------------
    // Read-only access and loading
    // -----------------------------------------------------------------

    /// Calls `f` on every element from head to tail without changing the
    /// list (compressed nodes are decompressed into a scratch buffer).
    pub fn for_each(&self, mut f: impl FnMut(LpValue<'_>)) {
        for n in &self.nodes {
            match &n.payload {
                Payload::Packed(lp) => lp.iter().for_each(&mut f),
                Payload::Plain(v) => f(LpValue::Str(v)),
                Payload::Lzf(c) => {
                    let Some(raw) = lzf::decompress(c, n.sz) else {
                        continue;
                    };
                    if n.plain {
                        f(LpValue::Str(&raw));
                    } else if let Some(lp) = Listpack::from_bytes(raw) {
                        lp.iter().for_each(&mut f);
                    }
                }
            }
        }
    }

    /// All elements as byte strings (tests, conversions).
    pub fn to_vec(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::with_capacity(self.count);
        self.for_each(|v| out.push(v.to_vec()));
        out
    }

    /// The nodes as stored, for RDB saving.
    pub fn nodes(&self) -> impl Iterator<Item = NodeView<'_>> + '_ {
        self.nodes.iter().map(|n| NodeView {
            plain: n.plain,
            sz: n.sz,
            compressed: match &n.payload {
                Payload::Lzf(c) => Some(c.as_slice()),
                _ => None,
            },
            raw: n.raw_bytes(),
        })
    }

    /// Appends a whole listpack as a new tail node (`quicklistAppendListpack`,
    /// RDB loading). Empty listpacks are ignored.
    pub fn append_listpack(&mut self, lp: Listpack) {
        if lp.is_empty() {
            return;
        }
        let n = Node::packed(lp);
        self.count += n.count;
        let tail = self.tail();
        self.insert_node(tail, n, true);
    }

    /// Appends a plain node holding `v` (`quicklistAppendPlainNode`).
    pub fn append_plain(&mut self, v: &[u8]) {
        let tail = self.tail();
        self.insert_node(tail, Node::plain(v), true);
        self.count += 1;
    }

    /// The node layout, as DEBUG QUICKLIST prints it (`quicklistRepr`).
    pub fn repr(&self, full: bool) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(s, "{{count : {}}}", self.count);
        let _ = writeln!(s, "{{len : {}}}", self.nodes.len());
        let _ = writeln!(s, "{{fill : {}}}", self.fill);
        let _ = writeln!(s, "{{compress : {}}}", self.compress);
        let _ = writeln!(s, "{{bookmark_count : 0}}");
        for (i, n) in self.nodes.iter().enumerate() {
            let _ = writeln!(s, "{{quicklist node({i})");
            let _ = writeln!(
                s,
                "{{container : {}, encoding: {}, size: {}, count: {}, recompress: {}, attempted_compress: 0}}",
                if n.plain { "PLAIN" } else { "PACKED" },
                if n.is_compressed() { "LZF" } else { "RAW" },
                n.sz,
                n.count,
                u8::from(n.recompress)
            );
            if full {
                let mut node = n.clone();
                node.decompress();
                match &node.payload {
                    Payload::Packed(lp) => {
                        let _ = writeln!(s, "{{ listpack:\n{lp:?}\n}}");
                    }
                    Payload::Plain(v) => {
                        let _ = writeln!(s, "{{ entry : {} }}", String::from_utf8_lossy(v));
                    }
                    Payload::Lzf(_) => {}
                }
                let _ = writeln!(s, "}}");
            }
        }
        s
    }

    /// Checks the structural invariants (tests).
    #[cfg(test)]
    fn check(&self) {
        let mut total = 0;
        let len = self.nodes.len();
        for (i, n) in self.nodes.iter().enumerate() {
            assert!(n.count > 0, "empty node {i}");
            total += n.count;
            if i < self.compress || i + self.compress >= len {
                assert!(!n.is_compressed(), "node {i} of {len} compressed within depth {}", self.compress);
            }
            let mut node = n.clone();
            node.decompress();
            match &node.payload {
                Payload::Packed(lp) => {
                    assert!(!n.plain);
                    assert_eq!(lp.len(), n.count, "node {i} count");
                    assert_eq!(lp.bytes(), n.sz, "node {i} size");
                }
                Payload::Plain(v) => {
                    assert!(n.plain);
                    assert_eq!(n.count, 1);
                    assert_eq!(v.len(), n.sz);
                }
                Payload::Lzf(_) => panic!("node {i} does not decompress"),
            }
        }
        assert_eq!(total, self.count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::util::test_rng::Rng;

    trait RngExt {
        fn value(&mut self) -> Vec<u8>;
    }

    impl RngExt for Rng {
        fn value(&mut self) -> Vec<u8> {
            match self.below(10) {
                0..=2 => (self.next_u64() as i64 >> self.below(64)).to_string().into_bytes(),
                3 => vec![b'a' + self.below(3) as u8; self.below(600) as usize],
                4 => (0..self.below(3000)).map(|i| (i % 7) as u8 + b'0').collect(),
                5 => Vec::new(),
                _ => {
                    let n = self.below(40) as usize;
                    (0..n).map(|_| b'a' + self.below(26) as u8).collect()
                }
            }
        }
    }

    fn contents(ql: &Quicklist) -> Vec<Vec<u8>> {
        ql.to_vec()
    }

    fn norm(i: i64, len: usize) -> Option<usize> {
        let len = len as i64;
        let j = if i < 0 { len + i } else { i };
        (0..len).contains(&j).then_some(j as usize)
    }

    fn model_run(fill: i64, compress: i64, threshold: usize, seed: u64, steps: usize) {
        let mut rng = Rng::new(seed);
        let mut ql = Quicklist::new(fill, compress).with_threshold(threshold);
        let mut model: VecDeque<Vec<u8>> = VecDeque::new();
        let (mut max_nodes, mut saw_compressed, mut saw_plain) = (0, false, false);
        for step in 0..steps {
            // Alternate growing and shrinking phases so lists get long.
            const GROW: [u64; 10] = [0, 1, 2, 3, 0, 2, 6, 7, 8, 11];
            let op = if (step / 300) % 3 != 2 {
                GROW[rng.below(10) as usize]
            } else {
                rng.below(14)
            };
            let len = model.len();
            match op {
                0 | 1 => {
                    let v = rng.value();
                    ql.push_head(&v);
                    model.push_front(v);
                }
                2 | 3 => {
                    let v = rng.value();
                    ql.push_tail(&v);
                    model.push_back(v);
                }
                4 => assert_eq!(ql.pop(Where::Head), model.pop_front()),
                5 => assert_eq!(ql.pop(Where::Tail), model.pop_back()),
                6 => {
                    let i = rng.below(2 * len as u64 + 2) as i64 - len as i64 - 1;
                    let got = ql.with_index(i, |v| v.to_vec());
                    assert_eq!(got, norm(i, len).map(|j| model[j].clone()), "index {i}");
                }
                7 => {
                    // Insert next to a random element found by iteration.
                    if len == 0 {
                        continue;
                    }
                    let j = rng.below(len as u64) as usize;
                    let after = rng.below(2) == 0;
                    let neg = rng.below(2) == 0;
                    let idx = if neg { j as i64 - len as i64 } else { j as i64 };
                    let forward = rng.below(2) == 0;
                    let mut it = ql.iter_at(forward, idx).expect("in range");
                    let e = ql.next(&mut it).expect("element");
                    assert_eq!(ql.value(&e).to_vec(), model[j]);
                    let v = rng.value();
                    ql.insert(&mut it, &e, &v, after);
                    ql.release(it);
                    model.insert(if after { j + 1 } else { j }, v);
                }
                8 => {
                    let i = rng.below(2 * len as u64 + 2) as i64 - len as i64 - 1;
                    let v = rng.value();
                    let ok = ql.replace_at(i, &v);
                    match norm(i, len) {
                        Some(j) => {
                            assert!(ok);
                            model[j] = v;
                        }
                        None => assert!(!ok),
                    }
                }
                9 => {
                    let start = rng.below(2 * len as u64 + 2) as i64 - len as i64 - 1;
                    let count = rng.below(len as u64 / 2 + 3) as i64;
                    let ok = ql.del_range(start, count);
                    let s = norm(start, len);
                    match s {
                        Some(s) if count > 0 => {
                            assert!(ok);
                            let e = (s + count as usize).min(len);
                            model.drain(s..e);
                        }
                        _ => assert!(!ok),
                    }
                }
                10 => {
                    // LREM-like: delete matches while iterating.
                    if len == 0 {
                        continue;
                    }
                    let target = model[rng.below(len as u64) as usize].clone();
                    let forward = rng.below(2) == 0;
                    let limit = rng.below(3) as usize;
                    let mut it = if forward { ql.iter_at(true, 0) } else { ql.iter_at(false, -1) }.expect("non-empty");
                    let mut removed = 0;
                    while let Some(e) = ql.next(&mut it) {
                        if ql.entry_eq(&e, &target) {
                            ql.del_entry(&mut it, &e);
                            removed += 1;
                            if limit != 0 && removed == limit {
                                break;
                            }
                        }
                    }
                    ql.release(it);
                    let mut left = removed;
                    if forward {
                        model.retain(|x| {
                            if left > 0 && *x == target {
                                left -= 1;
                                false
                            } else {
                                true
                            }
                        });
                    } else {
                        let mut v: Vec<_> = model.drain(..).rev().collect();
                        v.retain(|x| {
                            if left > 0 && *x == target {
                                left -= 1;
                                false
                            } else {
                                true
                            }
                        });
                        model = v.into_iter().rev().collect();
                    }
                }
                11 => {
                    // Iterate a range from a random index both ways.
                    if len == 0 {
                        continue;
                    }
                    let j = rng.below(len as u64) as usize;
                    let forward = rng.below(2) == 0;
                    let mut it = ql.iter_at(forward, j as i64).expect("in range");
                    let mut got = Vec::new();
                    while let Some(e) = ql.next(&mut it) {
                        got.push(ql.value(&e).to_vec());
                    }
                    ql.release(it);
                    let want: Vec<Vec<u8>> = if forward {
                        model.range(j..).cloned().collect()
                    } else {
                        model.range(..=j).rev().cloned().collect()
                    };
                    assert_eq!(got, want);
                }
                12 => {
                    ql.rotate();
                    if let Some(v) = model.pop_back() {
                        model.push_front(v);
                    }
                }
                _ => {
                    // LTRIM.
                    let a = rng.below(len as u64 + 1) as i64;
                    let b = rng.below(len as u64 + 1) as i64;
                    let (ltrim, rtrim) = if a > b || a >= len as i64 {
                        (len as i64, 0)
                    } else {
                        (a, len as i64 - b.min(len as i64 - 1) - 1)
                    };
                    ql.del_range(0, ltrim);
                    ql.del_range(-rtrim, rtrim);
                    let keep: VecDeque<Vec<u8>> = model
                        .iter()
                        .skip(ltrim as usize)
                        .take(len - ltrim as usize - rtrim as usize)
                        .cloned()
                        .collect();
                    model = keep;
                }
            }
            ql.check();
            max_nodes = max_nodes.max(ql.node_count());
            saw_compressed |= ql.nodes.iter().any(|n| n.is_compressed());
            saw_plain |= ql.nodes.iter().any(|n| n.plain);
            assert_eq!(ql.len(), model.len(), "step {step} op {op}");
            if step % 16 == 0 || ql.len() < 50 {
                assert_eq!(contents(&ql), Vec::from(model.clone()), "step {step} op {op}");
            }
        }
        assert_eq!(contents(&ql), Vec::from(model));
        assert!(max_nodes >= if fill < -2 { 3 } else { 6 }, "fill {fill}: only {max_nodes} nodes");
        if compress == 0 || max_nodes > 2 * compress as usize + 1 {
            assert_eq!(saw_compressed, compress > 0, "fill {fill} compress {compress}");
        }
        assert_eq!(saw_plain, threshold < 1000, "fill {fill} threshold {threshold}");
    }

    #[test]
    fn model_fill_and_compress() {
        let mut seed = 0x1234_5678_9abc_def1u64;
        for fill in [-5, -2, -1, 1, 2, 5, 16, 128] {
            for compress in [0, 1, 2, 3] {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) | 1;
                model_run(fill, compress, DEFAULT_PACKED_THRESHOLD, seed, 3000);
            }
        }
    }

    #[test]
    fn model_plain_nodes() {
        let mut seed = 0xdead_beef_cafe_f00du64;
        for fill in [-2, 1, 3] {
            for compress in [0, 1, 2] {
                for threshold in [1, 10, 100, 500] {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) | 1;
                    model_run(fill, compress, threshold, seed, 800);
                }
            }
        }
    }

    #[test]
    fn fill_by_count_and_size() {
        let mut ql = Quicklist::new(4, 0);
        for i in 0..10 {
            ql.push_tail(format!("{i}").as_bytes());
        }
        assert_eq!(ql.node_count(), 3);
        let counts: Vec<usize> = ql.nodes.iter().map(|n| n.count).collect();
        assert_eq!(counts, vec![4, 4, 2]);

        // -1: 4096 bytes per node; 100-byte strings take 102 bytes each.
        let mut ql = Quicklist::new(-1, 0);
        let v = vec![b'x'; 100];
        for _ in 0..100 {
            ql.push_tail(&v);
        }
        // Each node: 7 + n*(2+100+1) + 8 (estimate) <= 4096 -> 39 entries.
        assert_eq!(ql.nodes[0].count, 39);

        // Count-based fill still respects the 8 KiB safety limit.
        let mut ql = Quicklist::new(1000, 0);
        let v = vec![b'y'; 1000];
        for _ in 0..20 {
            ql.push_tail(&v);
        }
        assert_eq!(ql.nodes[0].count, 8);
    }

    #[test]
    fn compression_of_inner_nodes() {
        let mut ql = Quicklist::new(2, 1);
        let v = vec![b'a'; 500];
        for _ in 0..10 {
            ql.push_tail(&v);
        }
        assert_eq!(ql.node_count(), 5);
        let comp: Vec<bool> = ql.nodes.iter().map(|n| n.is_compressed()).collect();
        assert_eq!(comp, vec![false, true, true, true, false]);
        assert_eq!(ql.pop(Where::Head), Some(v.clone()));
        assert_eq!(ql.with_index(5, |x| x.to_vec()), Some(v.clone()));
        ql.check();
        assert_eq!(ql.len(), 9);
        // Tiny nodes are not compressed.
        let mut ql = Quicklist::new(1, 1);
        for i in 0..5 {
            ql.push_tail(format!("{i}").as_bytes());
        }
        assert!(ql.nodes.iter().all(|n| !n.is_compressed()));
    }

    #[test]
    fn plain_nodes_for_large_elements() {
        let mut ql = Quicklist::new(-2, 0).with_threshold(10);
        ql.push_tail(b"a");
        ql.push_tail(b"0123456789");
        ql.push_tail(b"b");
        assert_eq!(ql.node_count(), 3);
        assert!(ql.nodes[1].plain);
        assert!(ql.replace_at(1, b"c"));
        assert_eq!(ql.to_vec(), vec![b"a".to_vec(), b"c".to_vec(), b"b".to_vec()]);
        assert!(ql.nodes.iter().all(|n| !n.plain));
        assert!(ql.replace_at(0, b"xxxxxxxxxxxx"));
        assert!(ql.nodes[0].plain);
        ql.check();
    }

    #[test]
    fn threshold_setting() {
        assert!(!set_packed_threshold(1 << 32));
        assert!(set_packed_threshold(0));
        assert_eq!(packed_threshold(), 1 << 30);
    }
}
