//! Sorted-set skip list, the Rust counterpart of the `zsl*` functions in
//! Redis 7.0 `t_zset.c` (with `zskiplist`/`zskiplistNode` from `server.h`).
//!
//! Elements are ordered by `(score, member)`: scores compare as `f64` (the
//! caller never stores NaN), ties are broken by a plain byte-wise comparison
//! of the members (shorter first when one is a prefix of the other), exactly
//! like `sdscmp`.  Every node keeps a backward pointer and, per level, the
//! number of level-0 hops its forward pointer skips (the "span"), so rank
//! lookups and rank-addressed access are O(log n).
//!
//! Memory layout: each node is ONE heap block
//! `[Node header | Level; level count | member bytes]`, where the header holds
//! the score, the backward pointer and a packed `(member_len, level)` word.
//! The list head is a node of the same shape with `MAX_LEVEL` levels and an
//! empty member.  All node access goes through raw pointers derived from the
//! allocation pointer; references into a node (member slices) are only handed
//! out while the list is borrowed, so the borrow checker rules out mutation
//! while they live.

use std::alloc::{self, Layout};
use std::cmp::Ordering;
use std::fmt;
use std::iter::FusedIterator;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

/// Maximum number of levels of a node (ZSKIPLIST_MAXLEVEL).
pub const MAX_LEVEL: usize = 32;

/// Number of low bits of `Node::meta` holding the level count (1..=32).
const LEVEL_BITS: u32 = 6;
const LEVEL_MASK: u64 = (1 << LEVEL_BITS) - 1;

/// Fixed-size head of every node allocation; the level array and the member
/// bytes follow it in the same block.
#[repr(C)]
struct Node {
    score: f64,
    /// Previous node at level 0, null for the first node (and the head).
    backward: *mut Node,
    /// `(member_len << LEVEL_BITS) | level_count`.
    meta: u64,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Level {
    forward: *mut Node,
    /// Number of level-0 steps from this node to `forward` (or, when
    /// `forward` is null, to one past the last element).
    span: usize,
}

// The level array starts right after the header, so the header size must keep
// it aligned; the member bytes need no alignment.
const _: () = assert!(std::mem::size_of::<Node>().is_multiple_of(std::mem::align_of::<Level>()));
const _: () = assert!(std::mem::align_of::<Node>() >= std::mem::align_of::<Level>());

/// Layout of a node block with `level` levels and a member of `len` bytes.
fn node_layout(level: usize, len: usize) -> Layout {
    let bytes = std::mem::size_of::<Level>()
        .checked_mul(level)
        .and_then(|l| l.checked_add(std::mem::size_of::<Node>()))
        .and_then(|l| l.checked_add(len));
    match bytes.and_then(|b| Layout::from_size_align(b, std::mem::align_of::<Node>()).ok()) {
        Some(l) => l.pad_to_align(),
        // Only reachable with a member close to isize::MAX bytes, which cannot
        // exist in memory; same policy as Vec's "capacity overflow".
        None => panic!("skiplist node size overflow"),
    }
}

/// Allocates and initialises a node block. Levels start null with span 0.
fn alloc_node(level: usize, score: f64, member: &[u8]) -> *mut Node {
    debug_assert!((1..=MAX_LEVEL).contains(&level));
    let len = member.len();
    // A slice of 2^58 bytes cannot exist in a real address space, but keep
    // the packing honest.
    if (len as u64) >> (64 - LEVEL_BITS) != 0 {
        panic!("skiplist member too large");
    }
    let layout = node_layout(level, len);
    // SAFETY: the layout has non-zero size (it always contains the header).
    let raw = unsafe { alloc::alloc(layout) };
    if raw.is_null() {
        alloc::handle_alloc_error(layout);
    }
    let p = raw.cast::<Node>();
    // SAFETY: `p` points to a fresh block of `layout.size()` bytes aligned for
    // `Node`; the header, `level` `Level`s and `len` bytes all fit in it (see
    // `node_layout`), and nothing else references the block yet. The member
    // source cannot overlap a block we just allocated.
    unsafe {
        ptr::write(
            p,
            Node {
                score,
                backward: ptr::null_mut(),
                meta: ((len as u64) << LEVEL_BITS) | level as u64,
            },
        );
        let lv = levels(p);
        for i in 0..level {
            ptr::write(
                lv.add(i),
                Level {
                    forward: ptr::null_mut(),
                    span: 0,
                },
            );
        }
        ptr::copy_nonoverlapping(member.as_ptr(), member_ptr(p), len);
    }
    p
}

/// Frees a node block allocated by `alloc_node`.
///
/// # Safety
/// `p` must come from `alloc_node`, not be freed yet, and not be used after.
unsafe fn free_node(p: *mut Node) {
    // SAFETY: caller guarantees `p` is a live node; its meta word reproduces
    // the exact layout it was allocated with.
    unsafe {
        let layout = node_layout(level_count(p), member_len(p));
        alloc::dealloc(p.cast::<u8>(), layout);
    }
}

// ---- raw node accessors -------------------------------------------------
//
// All of these require `p` to point to a live node block from `alloc_node`
// (and `i < level_count(p)` where an index is taken).  They work purely with
// raw pointers derived from the allocation pointer, so no `&mut` is ever
// created for node memory.

#[inline]
unsafe fn level_count(p: *const Node) -> usize {
    // SAFETY: caller guarantees `p` is a live node.
    unsafe { ((*p).meta & LEVEL_MASK) as usize }
}

#[inline]
unsafe fn member_len(p: *const Node) -> usize {
    // SAFETY: caller guarantees `p` is a live node.
    unsafe { ((*p).meta >> LEVEL_BITS) as usize }
}

#[inline]
unsafe fn levels(p: *mut Node) -> *mut Level {
    // SAFETY: the level array starts right after the header inside the same
    // block (so `add(1)` stays in bounds) and is suitably aligned (const
    // asserts above).
    unsafe { p.add(1).cast::<Level>() }
}

#[inline]
unsafe fn member_ptr(p: *mut Node) -> *mut u8 {
    // SAFETY: the member bytes follow the level array inside the block; for
    // an empty member this is the one-past-the-end pointer, still in bounds.
    unsafe { levels(p).add(level_count(p)).cast::<u8>() }
}

#[inline]
unsafe fn member<'a>(p: *mut Node) -> &'a [u8] {
    // SAFETY: `member_len` initialised bytes live at `member_ptr`; they are
    // never written after allocation, so a shared slice is sound for as long
    // as the node lives (callers bound `'a` by a borrow of the list).
    unsafe { std::slice::from_raw_parts(member_ptr(p), member_len(p)) }
}

#[inline]
unsafe fn forward(p: *mut Node, i: usize) -> *mut Node {
    // SAFETY: caller guarantees `i < level_count(p)`.
    unsafe { (*levels(p).add(i)).forward }
}

#[inline]
unsafe fn span(p: *mut Node, i: usize) -> usize {
    // SAFETY: caller guarantees `i < level_count(p)`.
    unsafe { (*levels(p).add(i)).span }
}

#[inline]
unsafe fn set_forward(p: *mut Node, i: usize, f: *mut Node) {
    // SAFETY: caller guarantees `i < level_count(p)`.
    unsafe { (*levels(p).add(i)).forward = f }
}

#[inline]
unsafe fn set_span(p: *mut Node, i: usize, s: usize) {
    // SAFETY: caller guarantees `i < level_count(p)`.
    unsafe { (*levels(p).add(i)).span = s }
}

/// True when node `p` sorts strictly before `(score, member)`.
#[inline]
unsafe fn node_lt(p: *mut Node, score: f64, m: &[u8]) -> bool {
    // SAFETY: caller guarantees `p` is a live element node.
    unsafe {
        let s = (*p).score;
        s < score || (s == score && member(p) < m)
    }
}

/// True when node `p` sorts before or equal to `(score, member)`.
#[inline]
unsafe fn node_le(p: *mut Node, score: f64, m: &[u8]) -> bool {
    // SAFETY: caller guarantees `p` is a live element node.
    unsafe {
        let s = (*p).score;
        s < score || (s == score && member(p) <= m)
    }
}

/// Random level in 1..=32, P(level > k) = 0.25^k (zslRandomLevel).
fn random_level() -> usize {
    // Each pair of bits is one 1-in-4 trial; 64 bits give exactly 32 trials.
    let r = crate::util::rand_u64();
    (1 + (r.trailing_zeros() as usize) / 2).min(MAX_LEVEL)
}

// ---- ranges ---------------------------------------------------------------

/// Score interval (zrangespec).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RangeSpec {
    pub min: f64,
    pub max: f64,
    /// Exclude `min` itself.
    pub minex: bool,
    /// Exclude `max` itself.
    pub maxex: bool,
}

impl RangeSpec {
    /// Inclusive `[min, max]`.
    pub fn new(min: f64, max: f64) -> Self {
        RangeSpec {
            min,
            max,
            minex: false,
            maxex: false,
        }
    }

    /// zslValueGteMin.
    pub fn value_gte_min(&self, v: f64) -> bool {
        if self.minex {
            v > self.min
        } else {
            v >= self.min
        }
    }

    /// zslValueLteMax.
    pub fn value_lte_max(&self, v: f64) -> bool {
        if self.maxex {
            v < self.max
        } else {
            v <= self.max
        }
    }

    /// True when no score at all can satisfy the range.
    pub fn is_empty_range(&self) -> bool {
        match self.min.partial_cmp(&self.max) {
            Some(Ordering::Less) => false,
            Some(Ordering::Equal) => self.minex || self.maxex,
            // min > max, or a NaN bound
            _ => true,
        }
    }
}

/// One end of a lexicographic range (`-`, `+`, `[x`, `(x`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexBound {
    NegInf,
    PosInf,
    Incl(Vec<u8>),
    Excl(Vec<u8>),
}

impl LexBound {
    /// Parses a ZRANGEBYLEX-style bound; None when malformed
    /// (zslParseLexRangeItem).
    pub fn parse(s: &[u8]) -> Option<LexBound> {
        match s.first() {
            Some(b'+') if s.len() == 1 => Some(LexBound::PosInf),
            Some(b'-') if s.len() == 1 => Some(LexBound::NegInf),
            Some(b'[') => Some(LexBound::Incl(s[1..].to_vec())),
            Some(b'(') => Some(LexBound::Excl(s[1..].to_vec())),
            _ => None,
        }
    }

    fn is_excl(&self) -> bool {
        matches!(self, LexBound::Excl(_))
    }

    /// Orders bounds like sdscmplex: -inf < every string < +inf.
    fn cmp_bound(&self, other: &LexBound) -> Ordering {
        fn key(b: &LexBound) -> (u8, &[u8]) {
            match b {
                LexBound::NegInf => (0, &[]),
                LexBound::Incl(v) | LexBound::Excl(v) => (1, v.as_slice()),
                LexBound::PosInf => (2, &[]),
            }
        }
        key(self).cmp(&key(other))
    }
}

/// Lexicographic interval (zlexrangespec).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexRange {
    /// Parses ZRANGEBYLEX-style `min`/`max` arguments (zslParseLexRange).
    pub fn parse(min: &[u8], max: &[u8]) -> Option<LexRange> {
        Some(LexRange {
            min: LexBound::parse(min)?,
            max: LexBound::parse(max)?,
        })
    }

    /// zslLexValueGteMin.
    pub fn value_gte_min(&self, v: &[u8]) -> bool {
        match &self.min {
            LexBound::NegInf => true,
            LexBound::PosInf => false,
            LexBound::Incl(m) => v >= m.as_slice(),
            LexBound::Excl(m) => v > m.as_slice(),
        }
    }

    /// zslLexValueLteMax.
    pub fn value_lte_max(&self, v: &[u8]) -> bool {
        match &self.max {
            LexBound::PosInf => true,
            LexBound::NegInf => false,
            LexBound::Incl(m) => v <= m.as_slice(),
            LexBound::Excl(m) => v < m.as_slice(),
        }
    }

    /// True when the bounds themselves exclude everything (min > max, or
    /// min == max with an exclusive end).
    pub fn is_empty_range(&self) -> bool {
        match self.min.cmp_bound(&self.max) {
            Ordering::Greater => true,
            Ordering::Equal => self.min.is_excl() || self.max.is_excl(),
            Ordering::Less => false,
        }
    }
}

// ---- node handle ----------------------------------------------------------

/// Copyable handle to an element, valid while the list is borrowed.
#[derive(Clone, Copy)]
pub struct NodeRef<'a> {
    ptr: NonNull<Node>,
    _list: PhantomData<&'a Skiplist>,
}

// SAFETY: a NodeRef only allows reads of an immutable (while borrowed) node,
// exactly like a `&'a Skiplist`, which is Send + Sync.
unsafe impl Send for NodeRef<'_> {}
// SAFETY: see above.
unsafe impl Sync for NodeRef<'_> {}

impl<'a> NodeRef<'a> {
    /// # Safety
    /// `p` must be null or a live element node (not the head) of a list
    /// borrowed for `'a`.
    unsafe fn from_ptr(p: *mut Node) -> Option<NodeRef<'a>> {
        NonNull::new(p).map(|ptr| NodeRef { ptr, _list: PhantomData })
    }

    pub fn score(&self) -> f64 {
        // SAFETY: the node is alive and unmodified while the list is borrowed.
        unsafe { (*self.ptr.as_ptr()).score }
    }

    pub fn member(&self) -> &'a [u8] {
        // SAFETY: as above; the member bytes are never mutated.
        unsafe { member(self.ptr.as_ptr()) }
    }

    /// Next element in ascending order.
    pub fn next(&self) -> Option<NodeRef<'a>> {
        // SAFETY: a live node's level-0 forward is null or a live element.
        unsafe { NodeRef::from_ptr(forward(self.ptr.as_ptr(), 0)) }
    }

    /// Previous element (null backward for the first element).
    pub fn prev(&self) -> Option<NodeRef<'a>> {
        // SAFETY: a live node's backward is null or a live element.
        unsafe { NodeRef::from_ptr((*self.ptr.as_ptr()).backward) }
    }

    /// True when both handles designate the same node.
    pub fn ptr_eq(&self, other: &NodeRef<'_>) -> bool {
        self.ptr == other.ptr
    }
}

impl fmt::Debug for NodeRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeRef")
            .field("score", &self.score())
            .field("member", &String::from_utf8_lossy(self.member()))
            .finish()
    }
}

// ---- the list ---------------------------------------------------------------

/// Skip list ordered by (score, member). Owns its nodes.
pub struct Skiplist {
    /// Head node: MAX_LEVEL levels, empty member, never an element.
    head: NonNull<Node>,
    /// Last element, null when empty.
    tail: *mut Node,
    length: usize,
    /// Number of levels in use (1..=MAX_LEVEL).
    level: usize,
}

// SAFETY: the list uniquely owns all its node blocks (plain bytes and raw
// pointers into its own nodes); there is no shared or thread-local state.
unsafe impl Send for Skiplist {}
// SAFETY: `&Skiplist` only permits reads.
unsafe impl Sync for Skiplist {}

impl Default for Skiplist {
    fn default() -> Self {
        Self::new()
    }
}

/// Search path: for each level, the last node visited before descending.
type Path = [*mut Node; MAX_LEVEL];

impl Skiplist {
    pub fn new() -> Self {
        let head = alloc_node(MAX_LEVEL, 0.0, &[]);
        Skiplist {
            // SAFETY: alloc_node never returns null (it aborts via
            // handle_alloc_error instead).
            head: unsafe { NonNull::new_unchecked(head) },
            tail: ptr::null_mut(),
            length: 0,
            level: 1,
        }
    }

    pub fn len(&self) -> usize {
        self.length
    }

    /// Active defrag: moves the head block if worth it. Nothing points at
    /// the head but the list itself (the first element's backward is null).
    pub fn defrag_head(&mut self, mv: &mut crate::server::defrag::Mover) -> bool {
        let layout = node_layout(MAX_LEVEL, 0);
        // SAFETY: the head is a live block of exactly this layout; its only
        // pointer, `self.head`, is replaced before any further use.
        unsafe {
            match mv.relocate(self.head().cast::<u8>(), layout) {
                Some(new) => {
                    self.head = new.cast::<Node>();
                    true
                }
                None => false,
            }
        }
    }

    /// Active defrag of the node holding `(score, member)` (`zslDefrag`):
    /// if worth it, the block moves and every pointer to it (the forwards
    /// of the search path, the next node's backward or the tail) is
    /// rewritten. Returns whether it moved; false also when not found.
    /// The node-layout knowledge stays here so another ordered index can
    /// provide the same method.
    pub fn defrag_node(&mut self, score: f64, m: &[u8], mv: &mut crate::server::defrag::Mover) -> bool {
        let mut update: Path = [ptr::null_mut(); MAX_LEVEL];
        let prev = self.find_path(score, m, &mut update);
        // SAFETY: `prev` is the head or a live element; its level-0
        // forward is null or a live element `x`. For every level `i` below
        // x's level count, `update[i]` is the last node before x at that
        // level, so its forward `i` is x: after the move those are
        // rewritten, as is the only other pointer to x (the backward of its
        // successor, or `tail`), before anything reads through them.
        unsafe {
            let x = forward(prev, 0);
            if x.is_null() || (*x).score != score || member(x) != m {
                return false;
            }
            let layout = node_layout(level_count(x), member_len(x));
            let Some(new) = mv.relocate(x.cast::<u8>(), layout) else {
                return false;
            };
            let new = new.as_ptr().cast::<Node>();
            for (i, &u) in update.iter().enumerate().take(level_count(new)) {
                set_forward(u, i, new);
            }
            let next = forward(new, 0);
            if next.is_null() {
                self.tail = new;
            } else {
                (*next).backward = new;
            }
            true
        }
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    #[inline]
    fn head(&self) -> *mut Node {
        self.head.as_ptr()
    }

    /// Walks down to the last node sorting strictly before (score, member),
    /// recording the path.
    fn find_path(&self, score: f64, m: &[u8], update: &mut Path) -> *mut Node {
        let mut x = self.head();
        for i in (0..self.level).rev() {
            // SAFETY: `x` is the head or a live element whose level count is
            // > i (we only move to forwards found at level i); forwards are
            // null or live elements.
            unsafe {
                loop {
                    let f = forward(x, i);
                    if f.is_null() || !node_lt(f, score, m) {
                        break;
                    }
                    x = f;
                }
            }
            update[i] = x;
        }
        x
    }

    /// Inserts `(score, member)`; the caller guarantees the member is not
    /// already present (zslInsert).
    pub fn insert(&mut self, score: f64, member: &[u8]) {
        debug_assert!(!score.is_nan(), "NaN score in skiplist");
        let node = alloc_node(random_level(), score, member);
        // SAFETY: `node` is a fresh, unlinked node owned by nobody else.
        unsafe { self.link_node(node) }
    }

    /// Links an unlinked node into its position (levels are overwritten).
    ///
    /// # Safety
    /// `x` must be a live node not currently linked in any list.
    unsafe fn link_node(&mut self, x: *mut Node) {
        let head = self.head();
        // SAFETY: `x` is live (caller); the member slice stays valid while we
        // only write to its header/levels, which are disjoint bytes.
        let (score, m) = unsafe { ((*x).score, member(x)) };
        let mut update: Path = [ptr::null_mut(); MAX_LEVEL];
        let mut rank = [0usize; MAX_LEVEL];
        let mut cur = head;
        for i in (0..self.level).rev() {
            rank[i] = if i + 1 == self.level { 0 } else { rank[i + 1] };
            // SAFETY: as in find_path.
            unsafe {
                loop {
                    let f = forward(cur, i);
                    if f.is_null() || !node_lt(f, score, m) {
                        break;
                    }
                    rank[i] += span(cur, i);
                    cur = f;
                }
            }
            update[i] = cur;
        }
        // SAFETY: `x` is live.
        let lvl = unsafe { level_count(x) };
        if lvl > self.level {
            for i in self.level..lvl {
                rank[i] = 0;
                update[i] = head;
                // SAFETY: the head has MAX_LEVEL levels.
                unsafe { set_span(head, i, self.length) };
            }
            self.level = lvl;
        }
        // SAFETY: for i < lvl, `update[i]` is the head or a live element with
        // more than i levels, and `x` has `lvl` levels; for lvl <= i <
        // self.level `update[i]` was set by the walk above.
        unsafe {
            for i in 0..lvl {
                let u = update[i];
                set_forward(x, i, forward(u, i));
                set_forward(u, i, x);
                set_span(x, i, span(u, i) - (rank[0] - rank[i]));
                set_span(u, i, rank[0] - rank[i] + 1);
            }
            for (i, &u) in update.iter().enumerate().take(self.level).skip(lvl) {
                set_span(u, i, span(u, i) + 1);
            }
            (*x).backward = if update[0] == head { ptr::null_mut() } else { update[0] };
            let next = forward(x, 0);
            if next.is_null() {
                self.tail = x;
            } else {
                (*next).backward = x;
            }
        }
        self.length += 1;
    }

    /// Unlinks `x` given its search path (zslDeleteNode). Does not free.
    ///
    /// # Safety
    /// `x` must be a linked element of this list and `update` its path.
    unsafe fn unlink_node(&mut self, x: *mut Node, update: &Path) {
        // SAFETY: `update[i]` for i < self.level are the head or live nodes
        // with more than i levels; `x` is live with level_count(x) levels and
        // `update[i]`'s forward can only be `x` when i < level_count(x).
        unsafe {
            for (i, &u) in update.iter().enumerate().take(self.level) {
                if forward(u, i) == x {
                    set_span(u, i, span(u, i) + span(x, i) - 1);
                    set_forward(u, i, forward(x, i));
                } else {
                    set_span(u, i, span(u, i) - 1);
                }
            }
            let next = forward(x, 0);
            if next.is_null() {
                self.tail = (*x).backward;
            } else {
                (*next).backward = (*x).backward;
            }
            while self.level > 1 && forward(self.head(), self.level - 1).is_null() {
                self.level -= 1;
            }
        }
        self.length -= 1;
    }

    /// Removes `(score, member)`; false when absent (zslDelete).
    pub fn delete(&mut self, score: f64, member: &[u8]) -> bool {
        let mut update: Path = [ptr::null_mut(); MAX_LEVEL];
        let x = self.find_path(score, member, &mut update);
        // SAFETY: `x` is the head or a live node; its forward is null or live.
        unsafe {
            let x = forward(x, 0);
            if !x.is_null() && (*x).score == score && self::member(x) == member {
                self.unlink_node(x, &update);
                free_node(x);
                return true;
            }
        }
        false
    }

    /// Changes the score of an existing element (zslUpdateScore): updates in
    /// place when the node keeps its position, otherwise relinks the same
    /// node block. Returns false (and does nothing) when `(cur_score,
    /// member)` is not in the list.
    pub fn update_score(&mut self, cur_score: f64, member: &[u8], new_score: f64) -> bool {
        debug_assert!(!new_score.is_nan(), "NaN score in skiplist");
        let mut update: Path = [ptr::null_mut(); MAX_LEVEL];
        let x = self.find_path(cur_score, member, &mut update);
        // SAFETY: `x` is the head or a live node; the candidate is null or a
        // live element; its neighbours are null or live elements. We hold
        // `&mut self`, so no NodeRef/member slice of this list is alive while
        // the score is written.
        unsafe {
            let x = forward(x, 0);
            if x.is_null() || (*x).score != cur_score || self::member(x) != member {
                return false;
            }
            let back = (*x).backward;
            let next = forward(x, 0);
            if (back.is_null() || (*back).score < new_score) && (next.is_null() || (*next).score > new_score) {
                (*x).score = new_score;
                return true;
            }
            self.unlink_node(x, &update);
            (*x).score = new_score;
            self.link_node(x);
        }
        true
    }

    /// 1-based rank of `(score, member)`, 0 when absent (zslGetRank).
    pub fn rank(&self, score: f64, member: &[u8]) -> usize {
        let head = self.head();
        let mut x = head;
        let mut rank = 0usize;
        for i in (0..self.level).rev() {
            // SAFETY: as in find_path.
            unsafe {
                loop {
                    let f = forward(x, i);
                    if f.is_null() || !node_le(f, score, member) {
                        break;
                    }
                    rank += span(x, i);
                    x = f;
                }
                if x != head && self::member(x) == member {
                    return rank;
                }
            }
        }
        0
    }

    /// Element at 1-based `rank` (zslGetElementByRank).
    pub fn get_by_rank(&self, rank: usize) -> Option<NodeRef<'_>> {
        if rank == 0 || rank > self.length {
            return None;
        }
        let mut x = self.head();
        let mut traversed = 0usize;
        for i in (0..self.level).rev() {
            // SAFETY: as in find_path.
            unsafe {
                loop {
                    let f = forward(x, i);
                    if f.is_null() || traversed + span(x, i) > rank {
                        break;
                    }
                    traversed += span(x, i);
                    x = f;
                }
            }
            if traversed == rank {
                // SAFETY: rank >= 1 so `x` moved off the head: a live element.
                return unsafe { NodeRef::from_ptr(x) };
            }
        }
        None
    }

    pub fn first(&self) -> Option<NodeRef<'_>> {
        // SAFETY: the head's level-0 forward is null or a live element.
        unsafe { NodeRef::from_ptr(forward(self.head(), 0)) }
    }

    pub fn last(&self) -> Option<NodeRef<'_>> {
        // SAFETY: `tail` is null or a live element.
        unsafe { NodeRef::from_ptr(self.tail) }
    }

    /// True when some element may fall in `r` (zslIsInRange).
    pub fn is_in_range(&self, r: &RangeSpec) -> bool {
        if r.is_empty_range() {
            return false;
        }
        match (self.first(), self.last()) {
            (Some(f), Some(l)) => r.value_gte_min(l.score()) && r.value_lte_max(f.score()),
            _ => false,
        }
    }

    /// First element whose score is in `r` (zslFirstInRange).
    pub fn first_in_range(&self, r: &RangeSpec) -> Option<NodeRef<'_>> {
        if !self.is_in_range(r) {
            return None;
        }
        let mut x = self.head();
        for i in (0..self.level).rev() {
            // SAFETY: as in find_path.
            unsafe {
                loop {
                    let f = forward(x, i);
                    if f.is_null() || r.value_gte_min((*f).score) {
                        break;
                    }
                    x = f;
                }
            }
        }
        // SAFETY: `x` is the head or live; its forward is null or live.
        let n = unsafe { NodeRef::from_ptr(forward(x, 0)) }?;
        r.value_lte_max(n.score()).then_some(n)
    }

    /// Last element whose score is in `r` (zslLastInRange).
    pub fn last_in_range(&self, r: &RangeSpec) -> Option<NodeRef<'_>> {
        if !self.is_in_range(r) {
            return None;
        }
        let head = self.head();
        let mut x = head;
        for i in (0..self.level).rev() {
            // SAFETY: as in find_path.
            unsafe {
                loop {
                    let f = forward(x, i);
                    if f.is_null() || !r.value_lte_max((*f).score) {
                        break;
                    }
                    x = f;
                }
            }
        }
        if x == head {
            return None;
        }
        // SAFETY: `x` is a live element.
        let n = unsafe { NodeRef::from_ptr(x) }?;
        r.value_gte_min(n.score()).then_some(n)
    }

    /// True when some element may fall in the lex range (zslIsInLexRange).
    /// Lex ranges are only meaningful when all scores are equal.
    pub fn is_in_lex_range(&self, r: &LexRange) -> bool {
        if r.is_empty_range() {
            return false;
        }
        match (self.first(), self.last()) {
            (Some(f), Some(l)) => r.value_gte_min(l.member()) && r.value_lte_max(f.member()),
            _ => false,
        }
    }

    /// First element whose member is in `r` (zslFirstInLexRange).
    pub fn first_in_lex_range(&self, r: &LexRange) -> Option<NodeRef<'_>> {
        if !self.is_in_lex_range(r) {
            return None;
        }
        let mut x = self.head();
        for i in (0..self.level).rev() {
            // SAFETY: as in find_path.
            unsafe {
                loop {
                    let f = forward(x, i);
                    if f.is_null() || r.value_gte_min(member(f)) {
                        break;
                    }
                    x = f;
                }
            }
        }
        // SAFETY: `x` is the head or live; its forward is null or live.
        let n = unsafe { NodeRef::from_ptr(forward(x, 0)) }?;
        r.value_lte_max(n.member()).then_some(n)
    }

    /// Last element whose member is in `r` (zslLastInLexRange).
    pub fn last_in_lex_range(&self, r: &LexRange) -> Option<NodeRef<'_>> {
        if !self.is_in_lex_range(r) {
            return None;
        }
        let head = self.head();
        let mut x = head;
        for i in (0..self.level).rev() {
            // SAFETY: as in find_path.
            unsafe {
                loop {
                    let f = forward(x, i);
                    if f.is_null() || !r.value_lte_max(member(f)) {
                        break;
                    }
                    x = f;
                }
            }
        }
        if x == head {
            return None;
        }
        // SAFETY: `x` is a live element.
        let n = unsafe { NodeRef::from_ptr(x) }?;
        r.value_gte_min(n.member()).then_some(n)
    }

    /// Unlinks and frees consecutive nodes starting at `update[0]`'s
    /// successor while `keep_going(node, index)` holds.
    fn delete_run(
        &mut self,
        update: &Path,
        mut keep_going: impl FnMut(*mut Node, usize) -> bool,
        mut on_delete: impl FnMut(&[u8]),
    ) -> usize {
        let mut removed = 0usize;
        // SAFETY: `update` is a valid search path of this list; after each
        // unlink it stays valid for the successor (the nodes it contains are
        // all before the deleted node). Each node is freed exactly once, after
        // its member slice was last used.
        unsafe {
            let mut x = forward(update[0], 0);
            while !x.is_null() && keep_going(x, removed) {
                let next = forward(x, 0);
                self.unlink_node(x, update);
                on_delete(member(x));
                free_node(x);
                removed += 1;
                x = next;
            }
        }
        removed
    }

    /// Removes every element with score in `r`, calling `on_delete` with
    /// each removed member (zslDeleteRangeByScore).
    pub fn delete_range_by_score(&mut self, r: &RangeSpec, on_delete: impl FnMut(&[u8])) -> usize {
        let mut update: Path = [ptr::null_mut(); MAX_LEVEL];
        let mut x = self.head();
        for i in (0..self.level).rev() {
            // SAFETY: as in find_path.
            unsafe {
                loop {
                    let f = forward(x, i);
                    if f.is_null() || r.value_gte_min((*f).score) {
                        break;
                    }
                    x = f;
                }
            }
            update[i] = x;
        }
        self.delete_run(
            &update,
            |n, _| {
                // SAFETY: delete_run only passes live element nodes.
                r.value_lte_max(unsafe { (*n).score })
            },
            on_delete,
        )
    }

    /// Removes every element with member in `r` (zslDeleteRangeByLex).
    pub fn delete_range_by_lex(&mut self, r: &LexRange, on_delete: impl FnMut(&[u8])) -> usize {
        let mut update: Path = [ptr::null_mut(); MAX_LEVEL];
        let mut x = self.head();
        for i in (0..self.level).rev() {
            // SAFETY: as in find_path.
            unsafe {
                loop {
                    let f = forward(x, i);
                    if f.is_null() || r.value_gte_min(member(f)) {
                        break;
                    }
                    x = f;
                }
            }
            update[i] = x;
        }
        self.delete_run(
            &update,
            |n, _| {
                // SAFETY: delete_run only passes live element nodes.
                r.value_lte_max(unsafe { member(n) })
            },
            on_delete,
        )
    }

    /// Removes elements with 1-based rank in `start..=end`
    /// (zslDeleteRangeByRank).
    pub fn delete_range_by_rank(&mut self, start: usize, end: usize, on_delete: impl FnMut(&[u8])) -> usize {
        let mut update: Path = [ptr::null_mut(); MAX_LEVEL];
        let mut x = self.head();
        let mut traversed = 0usize;
        for i in (0..self.level).rev() {
            // SAFETY: as in find_path.
            unsafe {
                loop {
                    let f = forward(x, i);
                    if f.is_null() || traversed + span(x, i) >= start {
                        break;
                    }
                    traversed += span(x, i);
                    x = f;
                }
            }
            update[i] = x;
        }
        let first = traversed + 1;
        self.delete_run(&update, |_, removed| first + removed <= end, on_delete)
    }

    /// Ascending iterator over `(score, member)`; `.rev()` walks backward.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            // SAFETY: the head's forward is null or a live element.
            front: unsafe { forward(self.head(), 0) },
            back: self.tail,
            remaining: self.length,
            _list: PhantomData,
        }
    }

    /// Removes all elements.
    pub fn clear(&mut self) {
        self.free_elements();
        let head = self.head();
        for i in 0..MAX_LEVEL {
            // SAFETY: the head has MAX_LEVEL levels.
            unsafe {
                set_forward(head, i, ptr::null_mut());
                set_span(head, i, 0);
            }
        }
        self.tail = ptr::null_mut();
        self.length = 0;
        self.level = 1;
    }

    /// Frees every element node (leaves the head's pointers dangling).
    fn free_elements(&mut self) {
        // SAFETY: walks level 0 once; each element is freed exactly once and
        // its successor is read before freeing.
        unsafe {
            let mut x = forward(self.head(), 0);
            while !x.is_null() {
                let next = forward(x, 0);
                free_node(x);
                x = next;
            }
        }
    }

    /// Bytes allocated for the node blocks (head included), for MEMORY USAGE
    /// style estimates.
    pub fn allocated_bytes(&self) -> usize {
        let mut total = std::mem::size_of::<Skiplist>() + node_layout(MAX_LEVEL, 0).size();
        // SAFETY: walks live element nodes.
        unsafe {
            let mut x = forward(self.head(), 0);
            while !x.is_null() {
                total += node_layout(level_count(x), member_len(x)).size();
                x = forward(x, 0);
            }
        }
        total
    }
}

impl Drop for Skiplist {
    fn drop(&mut self) {
        self.free_elements();
        // SAFETY: the head was allocated by alloc_node and is freed only here.
        unsafe { free_node(self.head()) };
    }
}

impl Clone for Skiplist {
    fn clone(&self) -> Self {
        let mut out = Skiplist::new();
        for (score, m) in self.iter() {
            out.insert(score, m);
        }
        out
    }
}

impl fmt::Debug for Skiplist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|(s, m)| (s, String::from_utf8_lossy(m))))
            .finish()
    }
}

/// Double-ended iterator over `(score, member)`.
pub struct Iter<'a> {
    front: *mut Node,
    back: *mut Node,
    remaining: usize,
    _list: PhantomData<&'a Skiplist>,
}

// SAFETY: behaves like `&'a Skiplist` (read-only).
unsafe impl Send for Iter<'_> {}
// SAFETY: as above.
unsafe impl Sync for Iter<'_> {}

impl<'a> Iterator for Iter<'a> {
    type Item = (f64, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 || self.front.is_null() {
            return None;
        }
        let x = self.front;
        self.remaining -= 1;
        // SAFETY: `remaining > 0` means `front` is a live element not yet
        // yielded from either end; the list is borrowed for 'a.
        unsafe {
            self.front = forward(x, 0);
            Some(((*x).score, member(x)))
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 || self.back.is_null() {
            return None;
        }
        let x = self.back;
        self.remaining -= 1;
        // SAFETY: as in `next`.
        unsafe {
            self.back = (*x).backward;
            Some(((*x).score, member(x)))
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}
impl FusedIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Skiplist {
    type Item = (f64, &'a [u8]);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashMap};

    use crate::util::test_rng::Rng;

    /// Total order on non-NaN f64 matching the skiplist (-0.0 == 0.0).
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Score(f64);
    impl Eq for Score {}
    impl PartialOrd for Score {
        fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Score {
        fn cmp(&self, o: &Self) -> Ordering {
            self.0.partial_cmp(&o.0).unwrap_or(Ordering::Equal)
        }
    }

    type Model = BTreeMap<(Score, Vec<u8>), ()>;

    /// Checks the structural invariants (spans, backward links, tail, level).
    fn check_invariants(sl: &Skiplist) {
        // SAFETY: read-only walk over the live nodes of `sl`.
        unsafe {
            let head = sl.head();
            // Level-0 positions.
            let mut pos: HashMap<*mut Node, usize> = HashMap::new();
            pos.insert(head, 0);
            let mut x = forward(head, 0);
            let mut prev: *mut Node = ptr::null_mut();
            let mut n = 0;
            let mut max_level = 1;
            while !x.is_null() {
                n += 1;
                pos.insert(x, n);
                assert_eq!((*x).backward, prev);
                if !prev.is_null() {
                    assert!(node_lt(prev, (*x).score, member(x)), "order violated");
                }
                max_level = max_level.max(level_count(x));
                prev = x;
                x = forward(x, 0);
            }
            assert_eq!(n, sl.length);
            assert_eq!(sl.tail, prev);
            assert_eq!(sl.level, max_level);
            for i in 0..sl.level {
                let mut x = head;
                loop {
                    let f = forward(x, i);
                    let p = pos[&x];
                    if f.is_null() {
                        assert_eq!(span(x, i), sl.length - p, "null span at level {i}");
                        break;
                    }
                    assert!(level_count(f) > i);
                    assert_eq!(span(x, i), pos[&f] - p, "span at level {i}");
                    x = f;
                }
            }
            for i in sl.level..MAX_LEVEL {
                assert!(forward(head, i).is_null());
            }
        }
    }

    fn check_against_model(sl: &Skiplist, model: &Model) {
        assert_eq!(sl.len(), model.len());
        let fwd: Vec<(f64, Vec<u8>)> = sl.iter().map(|(s, m)| (s, m.to_vec())).collect();
        let exp: Vec<(f64, Vec<u8>)> = model.keys().map(|(s, m)| (s.0, m.clone())).collect();
        assert_eq!(fwd, exp);
        let mut back: Vec<(f64, Vec<u8>)> = sl.iter().rev().map(|(s, m)| (s, m.to_vec())).collect();
        back.reverse();
        assert_eq!(back, exp);
        // Walk via NodeRef both ways.
        let mut v = Vec::new();
        let mut n = sl.first();
        while let Some(x) = n {
            v.push((x.score(), x.member().to_vec()));
            n = x.next();
        }
        assert_eq!(v, exp);
        let mut v = Vec::new();
        let mut n = sl.last();
        while let Some(x) = n {
            v.push((x.score(), x.member().to_vec()));
            n = x.prev();
        }
        v.reverse();
        assert_eq!(v, exp);
        for (i, (s, m)) in exp.iter().enumerate() {
            assert_eq!(sl.rank(*s, m), i + 1);
            let r = sl.get_by_rank(i + 1).expect("rank in range");
            assert_eq!(r.score(), *s);
            assert_eq!(r.member(), &m[..]);
        }
        assert!(sl.get_by_rank(0).is_none());
        assert!(sl.get_by_rank(exp.len() + 1).is_none());
        check_invariants(sl);
    }

    const SCORES: [f64; 9] = [f64::NEG_INFINITY, -3.5, -1.0, -0.0, 0.0, 1.0, 2.25, 7.0, f64::INFINITY];

    fn rand_score(rng: &mut Rng) -> f64 {
        if rng.below(4) == 0 {
            (rng.below(2000) as f64 - 1000.0) / 8.0
        } else {
            SCORES[rng.below(SCORES.len() as u64) as usize]
        }
    }

    fn rand_member(rng: &mut Rng, universe: u64) -> Vec<u8> {
        let k = rng.below(universe);
        // Variable lengths, shared prefixes, some empty / binary.
        match k % 4 {
            0 => format!("m{k}").into_bytes(),
            1 => format!("m{k}x").into_bytes(),
            2 => vec![(k % 256) as u8; (k % 5) as usize],
            _ => format!("{k:03}").into_bytes(),
        }
    }

    fn rand_range(rng: &mut Rng) -> RangeSpec {
        RangeSpec {
            min: rand_score(rng),
            max: rand_score(rng),
            minex: rng.below(2) == 0,
            maxex: rng.below(2) == 0,
        }
    }

    fn model_in_range(r: &RangeSpec, s: f64) -> bool {
        r.value_gte_min(s) && r.value_lte_max(s)
    }

    fn rand_lex_bound(rng: &mut Rng, universe: u64) -> LexBound {
        match rng.below(6) {
            0 => LexBound::NegInf,
            1 => LexBound::PosInf,
            2 | 3 => LexBound::Incl(rand_member(rng, universe)),
            _ => LexBound::Excl(rand_member(rng, universe)),
        }
    }

    fn check_range(sl: &Skiplist, model: &Model, r: &RangeSpec) {
        let inr: Vec<(f64, &[u8])> = model
            .keys()
            .filter(|(s, _)| model_in_range(r, s.0))
            .map(|(s, m)| (s.0, &m[..]))
            .collect();
        let first = sl.first_in_range(r).map(|n| (n.score(), n.member()));
        let last = sl.last_in_range(r).map(|n| (n.score(), n.member()));
        assert_eq!(first, inr.first().copied(), "first_in_range {r:?}");
        assert_eq!(last, inr.last().copied(), "last_in_range {r:?}");
    }

    #[test]
    fn basic_ordering_and_ranks() {
        let mut sl = Skiplist::new();
        assert!(sl.is_empty());
        assert!(sl.first().is_none() && sl.last().is_none());
        sl.insert(2.0, b"b");
        sl.insert(1.0, b"z");
        sl.insert(2.0, b"a");
        sl.insert(2.0, b"ab");
        sl.insert(3.0, b"");
        let v: Vec<(f64, &[u8])> = sl.iter().collect();
        assert_eq!(v, vec![(1.0, &b"z"[..]), (2.0, b"a"), (2.0, b"ab"), (2.0, b"b"), (3.0, b"")]);
        assert_eq!(sl.rank(2.0, b"ab"), 3);
        assert_eq!(sl.rank(2.0, b"zz"), 0);
        assert_eq!(sl.get_by_rank(5).map(|n| n.member()), Some(&b""[..]));
        assert!(sl.delete(2.0, b"a"));
        assert!(!sl.delete(2.0, b"a"));
        assert!(!sl.delete(9.0, b"b"));
        assert_eq!(sl.len(), 4);
        assert!(sl.update_score(1.0, b"z", 10.0));
        assert_eq!(sl.last().map(|n| n.member()), Some(&b"z"[..]));
        assert!(sl.update_score(10.0, b"z", 11.0)); // in place
        assert!(!sl.update_score(10.0, b"z", 12.0));
        check_invariants(&sl);
        let c = sl.clone();
        assert_eq!(c.iter().collect::<Vec<_>>(), sl.iter().collect::<Vec<_>>());
        sl.clear();
        assert!(sl.is_empty());
        check_invariants(&sl);
        sl.insert(1.0, b"x");
        check_invariants(&sl);
    }

    #[test]
    fn in_place_update_keeps_node() {
        let mut sl = Skiplist::new();
        for i in 0..10 {
            sl.insert(i as f64, format!("{i}").as_bytes());
        }
        let before = sl.get_by_rank(5).map(|n| n.ptr);
        assert!(sl.update_score(4.0, b"4", 4.5));
        assert_eq!(sl.get_by_rank(5).map(|n| n.ptr), before);
        assert_eq!(sl.get_by_rank(5).map(|n| n.score()), Some(4.5));
        assert!(sl.update_score(4.5, b"4", 100.0));
        assert_eq!(sl.last().map(|n| (n.score(), n.member())), Some((100.0, &b"4"[..])));
        check_invariants(&sl);
    }

    #[test]
    fn range_specs() {
        let r = RangeSpec {
            min: 1.0,
            max: 1.0,
            minex: true,
            maxex: false,
        };
        assert!(r.is_empty_range());
        assert!(RangeSpec::new(2.0, 1.0).is_empty_range());
        assert!(!RangeSpec::new(1.0, 1.0).is_empty_range());
        assert!(RangeSpec::new(f64::NEG_INFINITY, f64::INFINITY).value_gte_min(f64::NEG_INFINITY));
        let lr = LexRange::parse(b"[a", b"(c").expect("valid");
        assert!(lr.value_gte_min(b"a") && lr.value_lte_max(b"bzz") && !lr.value_lte_max(b"c"));
        assert!(LexRange::parse(b"a", b"+").is_none());
        assert!(LexRange::parse(b"+x", b"+").is_none());
        assert!(LexRange::parse(b"+", b"-").expect("valid").is_empty_range());
        assert!(!LexRange::parse(b"-", b"-").expect("valid").is_empty_range());
        assert!(LexRange::parse(b"[b", b"(b").expect("valid").is_empty_range());
        assert!(!LexRange::parse(b"[b", b"[b").expect("valid").is_empty_range());
        let mut sl = Skiplist::new();
        for m in [&b"a"[..], b"b", b"c"] {
            sl.insert(0.0, m);
        }
        assert!(sl.first_in_lex_range(&LexRange::parse(b"-", b"-").expect("valid")).is_none());
        assert!(sl.first_in_lex_range(&LexRange::parse(b"+", b"+").expect("valid")).is_none());
        assert_eq!(
            sl.first_in_lex_range(&LexRange::parse(b"(a", b"+").expect("valid"))
                .map(|n| n.member()),
            Some(&b"b"[..])
        );
        assert_eq!(
            sl.last_in_lex_range(&LexRange::parse(b"-", b"(c").expect("valid"))
                .map(|n| n.member()),
            Some(&b"b"[..])
        );
    }

    #[test]
    fn model_random_ops() {
        for seed in [0x9e37_79b9_7f4a_7c15u64, 0x1234_5678_9abc_def1, 42] {
            let mut rng = Rng::new(seed);
            let mut sl = Skiplist::new();
            let mut model: Model = BTreeMap::new();
            let mut scores: HashMap<Vec<u8>, f64> = HashMap::new();
            let universe = 300;
            for step in 0..6000 {
                match rng.below(100) {
                    0..=44 => {
                        let m = rand_member(&mut rng, universe);
                        let s = rand_score(&mut rng);
                        if let Some(&old) = scores.get(&m) {
                            assert!(sl.update_score(old, &m, s));
                            model.remove(&(Score(old), m.clone()));
                        } else {
                            sl.insert(s, &m);
                        }
                        model.insert((Score(s), m.clone()), ());
                        scores.insert(m, s);
                    }
                    45..=64 => {
                        let m = rand_member(&mut rng, universe);
                        match scores.remove(&m) {
                            Some(old) => {
                                assert!(sl.delete(old, &m));
                                model.remove(&(Score(old), m));
                            }
                            None => assert!(!sl.delete(rand_score(&mut rng), &m)),
                        }
                    }
                    65..=79 => {
                        let r = rand_range(&mut rng);
                        check_range(&sl, &model, &r);
                        // rank of an absent member is 0
                        assert_eq!(sl.rank(rand_score(&mut rng), b"\xffabsent"), 0);
                    }
                    80..=85 => {
                        let r = rand_range(&mut rng);
                        let expect: Vec<Vec<u8>> = model
                            .keys()
                            .filter(|(s, _)| model_in_range(&r, s.0))
                            .map(|(_, m)| m.clone())
                            .collect();
                        let mut got = Vec::new();
                        let n = sl.delete_range_by_score(&r, |m| got.push(m.to_vec()));
                        assert_eq!(n, expect.len());
                        assert_eq!(got, expect);
                        for m in got {
                            let s = scores.remove(&m).expect("model member");
                            model.remove(&(Score(s), m));
                        }
                    }
                    86..=91 => {
                        let len = sl.len();
                        let start = rng.below(len as u64 + 3) as usize;
                        let end = start + rng.below(5) as usize;
                        let expect: Vec<Vec<u8>> = model
                            .keys()
                            .enumerate()
                            .filter(|&(i, _)| i + 1 >= start && i < end)
                            .map(|(_, (_, m))| m.clone())
                            .collect();
                        let mut got = Vec::new();
                        let n = sl.delete_range_by_rank(start, end, |m| got.push(m.to_vec()));
                        assert_eq!(n, expect.len());
                        assert_eq!(got, expect);
                        for m in got {
                            let s = scores.remove(&m).expect("model member");
                            model.remove(&(Score(s), m));
                        }
                    }
                    _ => {
                        // in-place-ish small nudge
                        if let Some(n) = sl.get_by_rank(1 + rng.below(sl.len().max(1) as u64) as usize) {
                            let (s, m) = (n.score(), n.member().to_vec());
                            let ns = if s.is_finite() { s + 0.001 } else { s };
                            assert!(sl.update_score(s, &m, ns));
                            model.remove(&(Score(s), m.clone()));
                            model.insert((Score(ns), m.clone()), ());
                            scores.insert(m, ns);
                        }
                    }
                }
                if step % 97 == 0 {
                    check_against_model(&sl, &model);
                }
            }
            check_against_model(&sl, &model);
            for _ in 0..300 {
                let r = rand_range(&mut rng);
                check_range(&sl, &model, &r);
            }
        }
    }

    #[test]
    fn model_lex_ops() {
        let mut rng = Rng::new(0xdead_beef_cafe_f00d);
        let mut sl = Skiplist::new();
        let mut model: Model = BTreeMap::new();
        let universe = 400;
        for step in 0..5000 {
            match rng.below(10) {
                0..=4 => {
                    let m = rand_member(&mut rng, universe);
                    if model.insert((Score(0.0), m.clone()), ()).is_none() {
                        sl.insert(0.0, &m);
                    }
                }
                5 | 6 => {
                    let m = rand_member(&mut rng, universe);
                    let was = model.remove(&(Score(0.0), m.clone())).is_some();
                    assert_eq!(sl.delete(0.0, &m), was);
                }
                7 | 8 => {
                    let r = LexRange {
                        min: rand_lex_bound(&mut rng, universe),
                        max: rand_lex_bound(&mut rng, universe),
                    };
                    let inr: Vec<&[u8]> = model
                        .keys()
                        .map(|(_, m)| &m[..])
                        .filter(|m| r.value_gte_min(m) && r.value_lte_max(m))
                        .collect();
                    assert_eq!(sl.first_in_lex_range(&r).map(|n| n.member()), inr.first().copied(), "{r:?}");
                    assert_eq!(sl.last_in_lex_range(&r).map(|n| n.member()), inr.last().copied(), "{r:?}");
                }
                _ => {
                    let r = LexRange {
                        min: rand_lex_bound(&mut rng, universe),
                        max: rand_lex_bound(&mut rng, universe),
                    };
                    let expect: Vec<Vec<u8>> = model
                        .keys()
                        .map(|(_, m)| m.clone())
                        .filter(|m| r.value_gte_min(m) && r.value_lte_max(m))
                        .collect();
                    let mut got = Vec::new();
                    let n = sl.delete_range_by_lex(&r, |m| got.push(m.to_vec()));
                    assert_eq!(n, expect.len(), "{r:?}");
                    assert_eq!(got, expect);
                    for m in got {
                        model.remove(&(Score(0.0), m));
                    }
                }
            }
            if step % 101 == 0 {
                check_against_model(&sl, &model);
            }
        }
        check_against_model(&sl, &model);
    }

    #[test]
    fn drop_large_list() {
        let mut sl = Skiplist::new();
        for i in 0..100_000u32 {
            sl.insert(f64::from(i % 1000), &i.to_be_bytes());
        }
        assert_eq!(sl.len(), 100_000);
        assert_eq!(sl.rank(999.0, &99_999u32.to_be_bytes()), 100_000);
        assert_eq!(sl.get_by_rank(1).map(|n| n.member()), Some(&0u32.to_be_bytes()[..]));
        assert_eq!(sl.iter().rev().count(), 100_000);
        // Delete a chunk by rank, then drop the rest.
        assert_eq!(sl.delete_range_by_rank(10, 50_009, |_| {}), 50_000);
        assert_eq!(sl.len(), 50_000);
        drop(sl);
    }

    #[test]
    fn big_members_and_levels() {
        let mut sl = Skiplist::new();
        let big = vec![7u8; 100_000];
        sl.insert(1.0, &big);
        sl.insert(1.0, b"");
        assert_eq!(sl.first().map(|n| n.member().len()), Some(0));
        assert_eq!(sl.last().map(|n| n.member()), Some(&big[..]));
        assert!(sl.allocated_bytes() > 100_000);
        // level distribution sanity: P(level>=2) ~ 1/4
        let n = 40_000;
        let hi = (0..n).filter(|_| random_level() >= 2).count();
        assert!(hi > n / 5 && hi < n * 3 / 10, "{hi}");
        assert!((0..n).all(|_| (1..=MAX_LEVEL).contains(&random_level())));
    }
}
