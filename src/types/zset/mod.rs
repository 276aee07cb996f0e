//! Sorted sets (t_zset.c): the sorted set type and its API. The commands
//! live next to it: `commands.rs` (ZADD, ZREM, ZRANGE and friends, ZSCAN),
//! `setops.rs` (ZUNION/ZINTER/ZDIFF and their STORE forms, ZINTERCARD) and
//! `pop.rs` (ZPOP*, BZPOP*, ZMPOP, BZMPOP, ZRANDMEMBER); `persist.rs` has
//! the RDB / AOF-rewrite forms for the persistence code.
//!
//! A sorted set is encoded like Redis encodes it:
//! - `listpack`: member,score pairs ordered by (score, member). A score is
//!   stored as an integer when the double is integral and in range
//!   (`double2ll`), else as text (`d2string`), so the bytes are Redis's.
//! - `skiplist`: a skip list ordered by (score, member) for ranges and
//!   ranks, plus a hash table member -> score for lookups.
//!
//! A listpack turns into a skiplist when it would exceed
//! `zset-max-listpack-entries` members or hold a member longer than
//! `zset-max-listpack-value` bytes. Only whole-value results (the STORE
//! commands) are created directly as listpacks when small enough; a
//! skiplist never shrinks back to a listpack in place, as in Redis.

mod commands;
mod persist;
mod pop;
mod setops;
#[cfg(test)]
mod tests;

pub use commands::*;
pub use persist::*;
pub use pop::*;
pub use setops::*;

use crate::db::KvEntry;
use crate::ds::dict::{Dict, Node};
use crate::ds::listpack::{Listpack, LpValue};
use crate::ds::skiplist::{LexRange, NodeRef, RangeSpec, Skiplist};
use crate::error::Error;
use crate::object::{Obj, ValueRef};
use crate::server::{CmdResult, Ctx, Server};
use crate::util::num::{fmt_i64, push_f64_g17, LONG_STR_SIZE};
use std::cmp::Ordering;

// ---------------------------------------------------------------------------
// Type representation
// ---------------------------------------------------------------------------

/// A sorted set value.
#[derive(Clone, Debug)]
pub enum ZSet {
    Listpack(Listpack),
    Skiplist(Box<SkiplistSet>),
}

/// The `skiplist` encoding: the ordered list and the member -> score table.
#[derive(Clone, Debug, Default)]
pub struct SkiplistSet {
    dict: Dict<Box<Node<f64>>>,
    zsl: Skiplist,
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::Listpack(Listpack::new())
    }
}

/// The conversion thresholds (`zset-max-listpack-entries` / `-value`).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub entries: usize,
    pub value: usize,
}

impl Limits {
    pub fn of(srv: &Server) -> Limits {
        Limits {
            entries: usize::try_from(srv.cfg.zset_max_listpack_entries).unwrap_or(0),
            value: usize::try_from(srv.cfg.zset_max_listpack_value).unwrap_or(0),
        }
    }
}

/// ZADD input flags (`ZADD_IN_*`).
pub mod zadd {
    pub const INCR: u32 = 1 << 0;
    pub const NX: u32 = 1 << 1;
    pub const XX: u32 = 1 << 2;
    pub const GT: u32 = 1 << 3;
    pub const LT: u32 = 1 << 4;
}

/// What `ZSet::add` did (`ZADD_OUT_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AddOutcome {
    pub added: bool,
    pub updated: bool,
    /// Nothing done because of NX/XX/GT/LT.
    pub nop: bool,
    /// The member's score after the call (when not `nop`).
    pub newscore: f64,
}

// ---------------------------------------------------------------------------
// Scores: parsing and the listpack representation
// ---------------------------------------------------------------------------

/// C's `strtod` on `s` (which stops at a NUL byte): the value and how many
/// bytes it consumed (0 when nothing parses).
pub fn c_strtod(s: &[u8]) -> (f64, usize) {
    let s = match s.iter().position(|&c| c == 0) {
        Some(n) => &s[..n],
        None => s,
    };
    // Fast path: Rust accepts a subset of strtod's syntax with the same
    // (correctly rounded) values.
    if let Some(v) = std::str::from_utf8(s).ok().and_then(|t| t.parse::<f64>().ok()) {
        return (v, s.len());
    }
    let mut buf = Vec::with_capacity(s.len() + 1);
    buf.extend_from_slice(s);
    buf.push(0);
    let mut end: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: `buf` is NUL-terminated and outlives the call; strtod only
    // reads up to the terminator and sets `end` inside that buffer.
    let (v, consumed) = unsafe {
        let p = buf.as_ptr() as *const libc::c_char;
        let v = libc::strtod(p, &mut end);
        (v, end.offset_from(p) as usize)
    };
    (v, consumed)
}

/// A score as `zslParseRange` reads it: `(` marks an exclusive bound, and
/// the rest must be entirely a number for strtod (NaN rejected).
fn parse_range_item(s: &[u8]) -> Option<(f64, bool)> {
    let (body, ex) = match s.first() {
        Some(b'(') => (&s[1..], true),
        _ => (s, false),
    };
    let body = match body.iter().position(|&c| c == 0) {
        Some(n) => &body[..n],
        None => body,
    };
    let (v, used) = c_strtod(body);
    if used != body.len() || v.is_nan() {
        return None;
    }
    Some((v, ex))
}

/// Parses a ZRANGEBYSCORE-style min/max pair (`zslParseRange`).
pub fn parse_score_range(min: &[u8], max: &[u8]) -> Result<RangeSpec, Error> {
    match (parse_range_item(min), parse_range_item(max)) {
        (Some((min, minex)), Some((max, maxex))) => Ok(RangeSpec { min, max, minex, maxex }),
        _ => Err(Error::err("ERR min or max is not a float")),
    }
}

/// Parses a ZRANGEBYLEX-style min/max pair (`zslParseLexRange`).
pub fn parse_lex_range(min: &[u8], max: &[u8]) -> Result<LexRange, Error> {
    LexRange::parse(min, max).ok_or(Error::err("ERR min or max not valid string range item"))
}

/// The score of a listpack score entry (`zzlGetScore`).
#[inline]
fn lp_score(v: LpValue<'_>) -> f64 {
    match v {
        LpValue::Int(i) => i as f64,
        LpValue::Str(s) => match s {
            b"inf" => f64::INFINITY,
            b"-inf" => f64::NEG_INFINITY,
            _ => c_strtod(&s[..s.len().min(127)]).0,
        },
    }
}

/// The integer a double holds exactly, when it is in Redis's safe range
/// (`double2ll`).
#[inline]
fn double2ll(d: f64) -> Option<i64> {
    const HALF: f64 = (i64::MAX / 2) as f64;
    if !(-HALF..=HALF).contains(&d) {
        return None;
    }
    let ll = d as i64;
    (ll as f64 == d).then_some(ll)
}

/// Text of a non-integral score as a listpack stores it (`d2string`).
fn score_text(d: f64, out: &mut Vec<u8>) {
    if d == 0.0 {
        out.extend_from_slice(if d.is_sign_negative() { b"-0" } else { b"0" });
    } else {
        push_f64_g17(out, d);
    }
}

/// Bytes of a member; integers are formatted into `buf`.
#[inline]
fn member_bytes<'r>(v: &'r LpValue<'_>, buf: &'r mut [u8; LONG_STR_SIZE]) -> &'r [u8] {
    match *v {
        LpValue::Str(s) => s,
        LpValue::Int(i) => fmt_i64(i, buf),
    }
}

/// Compares a stored member with `ele` like `zzlCompareElements`.
#[inline]
fn member_cmp(v: LpValue<'_>, ele: &[u8]) -> Ordering {
    let mut buf = [0u8; LONG_STR_SIZE];
    member_bytes(&v, &mut buf).cmp(ele)
}

// ---------------------------------------------------------------------------
// Listpack helpers (zzl*)
// ---------------------------------------------------------------------------

/// Inserts the pair before the member entry at `at`, or appends it
/// (`zzlInsertAt`).
fn lp_insert_at(lp: &mut Listpack, at: Option<usize>, ele: &[u8], score: f64) {
    let int = double2ll(score);
    let mut text = Vec::new();
    if int.is_none() {
        score_text(score, &mut text);
    }
    match at {
        None => {
            lp.append(ele);
            match int {
                Some(i) => lp.append_int(i),
                None => lp.append(&text),
            }
        }
        Some(p) => {
            let m = lp.insert_before(p, ele);
            match int {
                Some(i) => lp.insert_int_after(m, i),
                None => lp.insert_after(m, &text),
            };
        }
    }
}

/// Inserts a pair at its ordered position; `ele` must be absent
/// (`zzlInsert`).
fn lp_insert(lp: &mut Listpack, ele: &[u8], score: f64) {
    let mut pos = lp.first();
    while let Some(e) = pos {
        let (m, sp) = lp.get_next(e);
        let Some(sp) = sp else { break };
        let (sv, next) = lp.get_next(sp);
        let s = lp_score(sv);
        if s > score || (s == score && member_cmp(m, ele) == Ordering::Greater) {
            lp_insert_at(lp, Some(e), ele, score);
            return;
        }
        pos = next;
    }
    lp_insert_at(lp, None, ele, score);
}

/// Finds a member: its entry offset and score (`zzlFind`).
fn lp_find(lp: &Listpack, ele: &[u8]) -> Option<(usize, f64)> {
    let e = lp.find(lp.first()?, ele, 1)?;
    let s = lp.next(e)?;
    Some((e, lp_score(lp.get(s))))
}

/// Offsets of every member entry, in order.
fn lp_member_offsets(lp: &Listpack) -> Vec<usize> {
    let mut out = Vec::with_capacity(lp.len() / 2);
    let mut pos = lp.first();
    while let Some(e) = pos {
        out.push(e);
        pos = lp.next(e).and_then(|s| lp.next(s));
    }
    out
}

// ---------------------------------------------------------------------------
// Cursors: a position in either encoding
// ---------------------------------------------------------------------------

/// One element of a sorted set, with navigation in score order.
#[derive(Clone, Copy)]
pub enum Cursor<'a> {
    /// A listpack and the offset of a member entry.
    Lp(&'a Listpack, usize),
    Sl(NodeRef<'a>),
}

impl<'a> Cursor<'a> {
    pub fn member(&self) -> LpValue<'a> {
        match *self {
            Cursor::Lp(lp, e) => lp.get(e),
            Cursor::Sl(n) => LpValue::Str(n.member()),
        }
    }

    pub fn score(&self) -> f64 {
        match *self {
            Cursor::Lp(lp, e) => lp.next(e).map(|s| lp_score(lp.get(s))).unwrap_or(0.0),
            Cursor::Sl(n) => n.score(),
        }
    }

    /// The next element in ascending order (`zzlNext`).
    pub fn next(self) -> Option<Cursor<'a>> {
        match self {
            Cursor::Lp(lp, e) => {
                let s = lp.next(e)?;
                Some(Cursor::Lp(lp, lp.next(s)?))
            }
            Cursor::Sl(n) => n.next().map(Cursor::Sl),
        }
    }

    /// The previous element (`zzlPrev`).
    pub fn prev(self) -> Option<Cursor<'a>> {
        match self {
            Cursor::Lp(lp, e) => {
                let s = lp.prev(e)?;
                Some(Cursor::Lp(lp, lp.prev(s)?))
            }
            Cursor::Sl(n) => n.prev().map(Cursor::Sl),
        }
    }

    /// Steps forward, or backward when `rev`.
    #[inline]
    pub fn step(self, rev: bool) -> Option<Cursor<'a>> {
        if rev {
            self.prev()
        } else {
            self.next()
        }
    }
}

/// Checks a member against a lex range bound with integer members formatted
/// (`zzlLexValueGteMin` / `zzlLexValueLteMax`).
fn lex_gte_min(r: &LexRange, v: LpValue<'_>) -> bool {
    let mut buf = [0u8; LONG_STR_SIZE];
    r.value_gte_min(member_bytes(&v, &mut buf))
}

fn lex_lte_max(r: &LexRange, v: LpValue<'_>) -> bool {
    let mut buf = [0u8; LONG_STR_SIZE];
    r.value_lte_max(member_bytes(&v, &mut buf))
}

/// Cursors over a listpack in ascending (or descending) order.
fn lp_cursors(lp: &Listpack, rev: bool) -> impl Iterator<Item = Cursor<'_>> + '_ {
    let start = if rev { lp.seek(-2) } else { lp.first() };
    std::iter::successors(start.map(|e| Cursor::Lp(lp, e)), move |c| c.step(rev))
}

/// Whether some element may be in the score range (`zzlIsInRange`).
fn lp_in_range(lp: &Listpack, r: &RangeSpec) -> bool {
    if r.is_empty_range() {
        return false;
    }
    match (lp_cursors(lp, false).next(), lp_cursors(lp, true).next()) {
        (Some(f), Some(l)) => r.value_gte_min(l.score()) && r.value_lte_max(f.score()),
        _ => false,
    }
}

/// `zzlFirstInRange`.
fn lp_first_in_range<'a>(lp: &'a Listpack, r: &RangeSpec) -> Option<Cursor<'a>> {
    if !lp_in_range(lp, r) {
        return None;
    }
    let c = lp_cursors(lp, false).find(|c| r.value_gte_min(c.score()))?;
    r.value_lte_max(c.score()).then_some(c)
}

/// Whether some element may be in the lex range (`zzlIsInLexRange`).
fn lp_in_lex_range(lp: &Listpack, r: &LexRange) -> bool {
    if r.is_empty_range() {
        return false;
    }
    match (lp_cursors(lp, false).next(), lp_cursors(lp, true).next()) {
        (Some(f), Some(l)) => lex_gte_min(r, l.member()) && lex_lte_max(r, f.member()),
        _ => false,
    }
}

/// `zzlFirstInLexRange`.
fn lp_first_in_lex<'a>(lp: &'a Listpack, r: &LexRange) -> Option<Cursor<'a>> {
    if !lp_in_lex_range(lp, r) {
        return None;
    }
    let c = lp_cursors(lp, false).find(|c| lex_gte_min(r, c.member()))?;
    lex_lte_max(r, c.member()).then_some(c)
}

/// The member offset of the first element in the score range and how many
/// consecutive elements are in it.
fn lp_run_in_range(lp: &Listpack, r: &RangeSpec) -> Option<(usize, usize)> {
    let c = lp_first_in_range(lp, r)?;
    let n = std::iter::successors(Some(c), |c| c.next())
        .take_while(|c| r.value_lte_max(c.score()))
        .count();
    match c {
        Cursor::Lp(_, e) => Some((e, n)),
        Cursor::Sl(_) => None,
    }
}

/// Like `lp_run_in_range` for a lex range.
fn lp_run_in_lex(lp: &Listpack, r: &LexRange) -> Option<(usize, usize)> {
    let c = lp_first_in_lex(lp, r)?;
    let n = std::iter::successors(Some(c), |c| c.next())
        .take_while(|c| lex_lte_max(r, c.member()))
        .count();
    match c {
        Cursor::Lp(_, e) => Some((e, n)),
        Cursor::Sl(_) => None,
    }
}

// ---------------------------------------------------------------------------
// Type API
// ---------------------------------------------------------------------------

impl ZSet {
    /// Active defrag from `cursor`, about `budget` elements; returns the
    /// next cursor (0: done). A listpack moves whole; the skiplist encoding
    /// walks its member table by SCAN cursor, moving each table node, its
    /// member copy and the element's skiplist node (found by score and
    /// member, as `activeDefragZsetEntry` does), so a big set spans slices
    /// without keeping a pointer.
    pub fn defrag(&mut self, mv: &mut crate::server::defrag::Mover, cursor: u64, budget: usize) -> u64 {
        match self {
            ZSet::Listpack(lp) => {
                lp.defrag(mv);
                0
            }
            ZSet::Skiplist(s) => {
                if cursor == 0 {
                    mv.boxed(s);
                    s.zsl.defrag_head(mv);
                }
                let SkiplistSet { dict, zsl } = &mut **s;
                let (mut cursor, mut seen) = (cursor, 0usize);
                loop {
                    cursor = dict.scan_mut(cursor, |n| {
                        mv.boxed(n);
                        mv.bytes(&mut n.key);
                        zsl.defrag_node(n.val, &n.key, mv);
                        seen += 1;
                    });
                    if cursor == 0 || seen >= budget {
                        return cursor;
                    }
                }
            }
        }
    }

    /// An empty listpack-encoded set (`createZsetListpackObject`).
    pub fn new_listpack() -> ZSet {
        ZSet::Listpack(Listpack::new())
    }

    /// An empty skiplist-encoded set (`createZsetObject`).
    pub fn new_skiplist() -> ZSet {
        ZSet::Skiplist(Box::default())
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            ZSet::Listpack(_) => "listpack",
            ZSet::Skiplist(_) => "skiplist",
        }
    }

    pub fn is_listpack(&self) -> bool {
        matches!(self, ZSet::Listpack(_))
    }

    pub fn len(&self) -> usize {
        match self {
            ZSet::Listpack(lp) => lp.len() / 2,
            ZSet::Skiplist(s) => s.zsl.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The listpack bytes, when listpack-encoded (DEBUG, RDB, tests).
    pub fn listpack_bytes(&self) -> Option<&[u8]> {
        match self {
            ZSet::Listpack(lp) => Some(lp.as_bytes()),
            ZSet::Skiplist(_) => None,
        }
    }

    /// Adopts a listpack of member,score pairs already in Redis's order
    /// (RESTORE / RDB loading; the caller validates it).
    pub fn from_listpack(lp: Listpack) -> ZSet {
        ZSet::Listpack(lp)
    }

    /// A member's score (`zsetScore`).
    pub fn score(&self, ele: &[u8]) -> Option<f64> {
        match self {
            ZSet::Listpack(lp) => lp_find(lp, ele).map(|(_, s)| s),
            ZSet::Skiplist(s) => s.dict.get(ele).map(|n| n.val),
        }
    }

    /// The lowest element.
    pub fn first(&self) -> Option<Cursor<'_>> {
        match self {
            ZSet::Listpack(lp) => lp.first().map(|e| Cursor::Lp(lp, e)),
            ZSet::Skiplist(s) => s.zsl.first().map(Cursor::Sl),
        }
    }

    /// The highest element.
    pub fn last(&self) -> Option<Cursor<'_>> {
        match self {
            ZSet::Listpack(lp) => lp.seek(-2).map(|e| Cursor::Lp(lp, e)),
            ZSet::Skiplist(s) => s.zsl.last().map(Cursor::Sl),
        }
    }

    /// The element at 0-based `rank`, counted from the highest when `rev`.
    pub fn at_rank(&self, rank: usize, rev: bool) -> Option<Cursor<'_>> {
        let len = self.len();
        if rank >= len {
            return None;
        }
        match self {
            ZSet::Listpack(lp) => {
                let idx = if rev { -2 - 2 * rank as i64 } else { 2 * rank as i64 };
                lp.seek(idx).map(|e| Cursor::Lp(lp, e))
            }
            ZSet::Skiplist(s) => {
                let r1 = if rev { len - rank } else { rank + 1 };
                s.zsl.get_by_rank(r1).map(Cursor::Sl)
            }
        }
    }

    /// Ascending (or descending) iteration from the first (or last) element.
    pub fn cursor_iter(&self, rev: bool) -> impl Iterator<Item = Cursor<'_>> + '_ {
        let start = if rev { self.last() } else { self.first() };
        std::iter::successors(start, move |c| c.step(rev))
    }

    /// Every (member, score) in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = (LpValue<'_>, f64)> + '_ {
        self.cursor_iter(false).map(|c| (c.member(), c.score()))
    }

    /// 0-based rank of a member (`zsetRank`).
    pub fn rank(&self, ele: &[u8], rev: bool) -> Option<usize> {
        let len = self.len();
        let rank1 = match self {
            ZSet::Listpack(lp) => {
                let mut rank = 1;
                let mut pos = lp.first();
                loop {
                    let e = pos?;
                    if lp.entry_eq(e, ele) {
                        break rank;
                    }
                    rank += 1;
                    pos = lp.next(e).and_then(|s| lp.next(s));
                }
            }
            ZSet::Skiplist(s) => {
                let score = s.dict.get(ele)?.val;
                match s.zsl.rank(score, ele) {
                    0 => return None,
                    r => r,
                }
            }
        };
        Some(if rev { len - rank1 } else { rank1 - 1 })
    }

    /// The first element with a score in `r` (`zzlFirstInRange` /
    /// `zslFirstInRange`).
    pub fn first_in_range(&self, r: &RangeSpec) -> Option<Cursor<'_>> {
        match self {
            ZSet::Listpack(lp) => lp_first_in_range(lp, r),
            ZSet::Skiplist(s) => s.zsl.first_in_range(r).map(Cursor::Sl),
        }
    }

    /// The last element with a score in `r`.
    pub fn last_in_range(&self, r: &RangeSpec) -> Option<Cursor<'_>> {
        match self {
            ZSet::Listpack(lp) => {
                if !lp_in_range(lp, r) {
                    return None;
                }
                let c = lp_cursors(lp, true).find(|c| r.value_lte_max(c.score()))?;
                r.value_gte_min(c.score()).then_some(c)
            }
            ZSet::Skiplist(s) => s.zsl.last_in_range(r).map(Cursor::Sl),
        }
    }

    /// The first element with a member in the lex range.
    pub fn first_in_lex(&self, r: &LexRange) -> Option<Cursor<'_>> {
        match self {
            ZSet::Listpack(lp) => lp_first_in_lex(lp, r),
            ZSet::Skiplist(s) => s.zsl.first_in_lex_range(r).map(Cursor::Sl),
        }
    }

    /// The last element with a member in the lex range.
    pub fn last_in_lex(&self, r: &LexRange) -> Option<Cursor<'_>> {
        match self {
            ZSet::Listpack(lp) => {
                if !lp_in_lex_range(lp, r) {
                    return None;
                }
                let c = lp_cursors(lp, true).find(|c| lex_lte_max(r, c.member()))?;
                lex_gte_min(r, c.member()).then_some(c)
            }
            ZSet::Skiplist(s) => s.zsl.last_in_lex_range(r).map(Cursor::Sl),
        }
    }

    /// How many scores fall in `r` (ZCOUNT).
    pub fn count_in_range(&self, r: &RangeSpec) -> usize {
        match self {
            ZSet::Listpack(lp) => lp_run_in_range(lp, r).map_or(0, |(_, n)| n),
            ZSet::Skiplist(s) => Self::count_between(&s.zsl, s.zsl.first_in_range(r), s.zsl.last_in_range(r)),
        }
    }

    /// How many members fall in the lex range (ZLEXCOUNT).
    pub fn count_in_lex(&self, r: &LexRange) -> usize {
        match self {
            ZSet::Listpack(lp) => lp_run_in_lex(lp, r).map_or(0, |(_, n)| n),
            ZSet::Skiplist(s) => Self::count_between(&s.zsl, s.zsl.first_in_lex_range(r), s.zsl.last_in_lex_range(r)),
        }
    }

    /// Elements from `first` to `last` inclusive, using ranks.
    fn count_between(zsl: &Skiplist, first: Option<NodeRef<'_>>, last: Option<NodeRef<'_>>) -> usize {
        let Some(f) = first else { return 0 };
        let len = zsl.len();
        let mut count = len - (zsl.rank(f.score(), f.member()).saturating_sub(1));
        if let Some(l) = last {
            count -= len - zsl.rank(l.score(), l.member());
        }
        count
    }

    /// Adds a member or updates its score (`zsetAdd`). None when the
    /// resulting score is NaN (nothing changed then).
    pub fn add(&mut self, score: f64, ele: &[u8], flags: u32, lim: &Limits) -> Option<AddOutcome> {
        let incr = flags & zadd::INCR != 0;
        let nx = flags & zadd::NX != 0;
        let xx = flags & zadd::XX != 0;
        let gt = flags & zadd::GT != 0;
        let lt = flags & zadd::LT != 0;
        let nop = AddOutcome {
            nop: true,
            ..Default::default()
        };
        if score.is_nan() {
            return None;
        }
        // Applies INCR and the GT/LT conditions to an existing member.
        let update = |cur: f64| -> Result<f64, Option<AddOutcome>> {
            if nx {
                return Err(Some(nop));
            }
            let mut score = score;
            if incr {
                score += cur;
                if score.is_nan() {
                    return Err(None);
                }
            }
            if (lt && score >= cur) || (gt && score <= cur) {
                return Err(Some(nop));
            }
            Ok(score)
        };
        if let ZSet::Listpack(lp) = self {
            if let Some((e, cur)) = lp_find(lp, ele) {
                let new = match update(cur) {
                    Ok(s) => s,
                    Err(r) => return r,
                };
                let mut out = AddOutcome {
                    newscore: new,
                    ..Default::default()
                };
                if new != cur {
                    lp.delete_range_at(e, 2);
                    lp_insert(lp, ele, new);
                    out.updated = true;
                }
                return Some(out);
            }
            if xx {
                return Some(nop);
            }
            if lp.len() / 2 < lim.entries && ele.len() <= lim.value && lp.safe_to_add(ele.len()) {
                lp_insert(lp, ele, score);
                return Some(AddOutcome {
                    added: true,
                    newscore: score,
                    ..Default::default()
                });
            }
            self.convert_to_skiplist();
        }
        let ZSet::Skiplist(s) = self else { return None };
        if let Some(n) = s.dict.get_mut(ele) {
            let cur = n.val;
            let new = match update(cur) {
                Ok(s) => s,
                Err(r) => return r,
            };
            let mut out = AddOutcome {
                newscore: new,
                ..Default::default()
            };
            if new != cur {
                n.val = new;
                s.zsl.update_score(cur, ele, new);
                out.updated = true;
            }
            return Some(out);
        }
        if xx {
            return Some(nop);
        }
        s.zsl.insert(score, ele);
        s.dict.insert_new(Node::boxed(ele, score));
        Some(AddOutcome {
            added: true,
            newscore: score,
            ..Default::default()
        })
    }

    /// Removes a member (`zsetDel`).
    pub fn remove(&mut self, ele: &[u8]) -> bool {
        match self {
            ZSet::Listpack(lp) => match lp_find(lp, ele) {
                Some((e, _)) => {
                    lp.delete_range_at(e, 2);
                    true
                }
                None => false,
            },
            ZSet::Skiplist(s) => {
                let Some(n) = s.dict.remove(ele) else { return false };
                s.zsl.delete(n.val, ele);
                s.shrink_dict_if_needed();
                true
            }
        }
    }

    /// Removes the elements with 0-based ranks `start..=end` (already
    /// clamped by the caller); returns how many went.
    pub fn delete_rank_range(&mut self, start: usize, end: usize) -> usize {
        if start > end || start >= self.len() {
            return 0;
        }
        let end = end.min(self.len() - 1);
        match self {
            ZSet::Listpack(lp) => {
                let n = end - start + 1;
                lp.delete_range(2 * start as i64, 2 * n);
                n
            }
            ZSet::Skiplist(s) => {
                let SkiplistSet { dict, zsl } = &mut **s;
                let n = zsl.delete_range_by_rank(start + 1, end + 1, |m| {
                    dict.remove(m);
                });
                s.shrink_dict_if_needed();
                n
            }
        }
    }

    /// Removes the elements with a score in `r`.
    pub fn delete_score_range(&mut self, r: &RangeSpec) -> usize {
        match self {
            ZSet::Listpack(lp) => {
                let Some((start, n)) = lp_run_in_range(lp, r) else { return 0 };
                lp.delete_range_at(start, 2 * n);
                n
            }
            ZSet::Skiplist(s) => {
                let SkiplistSet { dict, zsl } = &mut **s;
                let n = zsl.delete_range_by_score(r, |m| {
                    dict.remove(m);
                });
                s.shrink_dict_if_needed();
                n
            }
        }
    }

    /// Removes the elements with a member in the lex range.
    pub fn delete_lex_range(&mut self, r: &LexRange) -> usize {
        match self {
            ZSet::Listpack(lp) => {
                let Some((start, n)) = lp_run_in_lex(lp, r) else { return 0 };
                lp.delete_range_at(start, 2 * n);
                n
            }
            ZSet::Skiplist(s) => {
                let SkiplistSet { dict, zsl } = &mut **s;
                let n = zsl.delete_range_by_lex(r, |m| {
                    dict.remove(m);
                });
                s.shrink_dict_if_needed();
                n
            }
        }
    }

    /// Removes and returns the lowest (or highest) element.
    pub fn pop(&mut self, max: bool) -> Option<(Vec<u8>, f64)> {
        let (m, score) = {
            let c = if max { self.last()? } else { self.first()? };
            (c.member().to_vec(), c.score())
        };
        self.remove(&m);
        Some((m, score))
    }

    /// A random element (`zsetTypeRandomElement`).
    pub fn random_element(&self) -> Option<(LpValue<'_>, f64)> {
        match self {
            ZSet::Listpack(_) => {
                let n = self.len();
                if n == 0 {
                    return None;
                }
                let c = self.at_rank(crate::util::rand_below(n as u64) as usize, false)?;
                Some((c.member(), c.score()))
            }
            ZSet::Skiplist(s) => s.dict.fair_random_entry().map(|n| (LpValue::Str(&n.key[..]), n.val)),
        }
    }

    /// Every element's cursor, in order (random access for ZRANDMEMBER).
    pub fn all_cursors(&self) -> Vec<Cursor<'_>> {
        match self {
            ZSet::Listpack(lp) => lp_member_offsets(lp).into_iter().map(|e| Cursor::Lp(lp, e)).collect(),
            ZSet::Skiplist(_) => self.cursor_iter(false).collect(),
        }
    }

    /// Turns a listpack into a skiplist (`zsetConvert`).
    pub fn convert_to_skiplist(&mut self) {
        let ZSet::Listpack(lp) = self else { return };
        let mut s = SkiplistSet::default();
        s.dict.expand(lp.len() / 2);
        let mut buf = [0u8; LONG_STR_SIZE];
        let mut pos = lp.first();
        while let Some(e) = pos {
            let (m, sp) = lp.get_next(e);
            let Some(sp) = sp else { break };
            let (sv, next) = lp.get_next(sp);
            let score = lp_score(sv);
            let m = member_bytes(&m, &mut buf);
            // A listpack restored without deep sanitization may hold a
            // member twice (Redis asserts here): the first one is kept.
            if s.dict.get(m).is_none() {
                s.zsl.insert(score, m);
                s.dict.insert_new(Node::boxed(m, score));
            }
            pos = next;
        }
        *self = ZSet::Skiplist(Box::new(s));
    }

    /// Turns a skiplist into a listpack (`zsetConvert`).
    pub fn convert_to_listpack(&mut self) {
        let ZSet::Skiplist(s) = self else { return };
        let mut lp = Listpack::new();
        for (score, m) in s.zsl.iter() {
            lp_insert_at(&mut lp, None, m, score);
        }
        lp.shrink_to_fit();
        *self = ZSet::Listpack(lp);
    }

    /// Converts a skiplist back to a listpack when it fits the limits
    /// (`zsetConvertToListpackIfNeeded`).
    pub fn convert_to_listpack_if_needed(&mut self, maxelelen: usize, totelelen: usize, lim: &Limits) {
        if let ZSet::Skiplist(s) = self {
            if s.zsl.len() <= lim.entries && maxelelen <= lim.value && totelelen <= crate::ds::listpack::MAX_SAFETY_SIZE {
                self.convert_to_listpack();
            }
        }
    }

    /// Builds a set from elements sorted by (score, member) with distinct
    /// members: a listpack when it fits the limits, else a skiplist. This is
    /// the value Redis ends up with for STORE results.
    pub fn from_sorted(items: &[(Vec<u8>, f64)], lim: &Limits) -> ZSet {
        let maxlen = items.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
        let totlen: usize = items.iter().map(|(m, _)| m.len()).sum();
        if items.len() <= lim.entries && maxlen <= lim.value && totlen <= crate::ds::listpack::MAX_SAFETY_SIZE {
            let mut lp = Listpack::new();
            for (m, score) in items {
                lp_insert_at(&mut lp, None, m, *score);
            }
            lp.shrink_to_fit();
            ZSet::Listpack(lp)
        } else {
            let mut s = SkiplistSet::default();
            s.dict.expand(items.len());
            for (m, score) in items.iter().rev() {
                s.zsl.insert(*score, m);
                s.dict.insert_new(Node::boxed(m, *score));
            }
            ZSet::Skiplist(Box::new(s))
        }
    }

    /// Releases spare listpack capacity after a command changed it.
    pub fn shrink_to_fit(&mut self) {
        if let ZSet::Listpack(lp) = self {
            lp.shrink_to_fit();
        }
    }

    /// One ZSCAN step: member, score pairs as Redis's scan emits them.
    /// A listpack is returned whole with cursor 0.
    pub fn scan(&self, cursor: u64, count: u64, out: &mut Vec<Vec<u8>>) -> u64 {
        match self {
            ZSet::Listpack(lp) => {
                out.extend(lp.iter().map(|v| v.to_vec()));
                0
            }
            ZSet::Skiplist(s) => {
                let mut cursor = cursor;
                let count = count.saturating_mul(2);
                let mut maxiter = count.saturating_mul(10);
                loop {
                    cursor = s.dict.scan(cursor, |n| {
                        out.push(n.key.to_vec());
                        let mut t = Vec::with_capacity(24);
                        push_f64_g17(&mut t, n.val);
                        out.push(t);
                    });
                    if cursor == 0 || maxiter == 0 || out.len() as u64 >= count {
                        break;
                    }
                    maxiter -= 1;
                }
                cursor
            }
        }
    }

    /// Mixes the content into a DEBUG DIGEST accumulator (`xorObjectDigest`).
    pub fn digest(&self, d: &mut [u8; 20]) {
        let mut text = Vec::with_capacity(32);
        let mut each = |m: &[u8], score: f64| {
            let mut ele = [0u8; 20];
            crate::debug::mix_digest(&mut ele, m);
            text.clear();
            push_f64_g17(&mut text, score);
            crate::debug::mix_digest(&mut ele, &text);
            crate::debug::xor_digest(d, &ele);
        };
        match self {
            ZSet::Listpack(_) => {
                let mut buf = [0u8; LONG_STR_SIZE];
                for (m, score) in self.iter() {
                    each(member_bytes(&m, &mut buf), score);
                }
            }
            ZSet::Skiplist(s) => {
                for n in s.dict.iter() {
                    each(&n.key, n.val);
                }
            }
        }
    }

    /// Heap bytes used by the value (for MEMORY USAGE).
    pub fn alloc_size(&self) -> usize {
        match self {
            ZSet::Listpack(lp) => lp.bytes(),
            ZSet::Skiplist(s) => {
                let node = std::mem::size_of::<Node<f64>>();
                let dict: usize = s.dict.iter().map(|n| node + n.key.len()).sum::<usize>() + s.dict.slots() * 8;
                std::mem::size_of::<SkiplistSet>() + s.zsl.allocated_bytes() + dict
            }
        }
    }
}

impl SkiplistSet {
    /// Shrinks the member table after deletions (`htNeedsResize` +
    /// `dictResize`).
    fn shrink_dict_if_needed(&mut self) {
        if self.dict.needs_shrink() {
            self.dict.shrink_to_fit();
        }
    }
}

// ---------------------------------------------------------------------------
// Keyspace access shared by the command files
// ---------------------------------------------------------------------------

/// The sorted set at `key` for reading: None when missing, WRONGTYPE for
/// other types.
pub(crate) fn zset_read<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s ZSet>, Error> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(e) => as_zset(e).map(Some),
    }
}

/// The sorted set at `key` for writing.
fn zset_write<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s mut ZSet>, Error> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(e) => match e.obj_mut() {
            Some(Obj::ZSet(z)) => Ok(Some(z)),
            _ => Err(Error::WrongType),
        },
    }
}

fn as_zset(e: &KvEntry) -> Result<&ZSet, Error> {
    match e.value() {
        ValueRef::Obj(Obj::ZSet(z)) => Ok(z),
        _ => Err(Error::WrongType),
    }
}

/// The sorted set stored at an existing key, without lookup side effects.
fn zset_at<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Option<&'s mut ZSet> {
    match srv.dbs[db].find_mut(key)?.obj_mut()? {
        Obj::ZSet(z) => Some(z),
        _ => None,
    }
}

/// Replies with a member as a bulk string.
#[inline]
fn reply_member(r: &mut crate::resp::ReplyBuf, m: &LpValue<'_>) {
    match *m {
        LpValue::Str(s) => r.bulk(s),
        LpValue::Int(i) => r.bulk_i64(i),
    }
}

/// DEBUG subcommands owned by this type, on sorted set keys:
/// `DEBUG LISTPACK <key>` and `DEBUG HTSTATS-KEY <key>`. Returns None for
/// anything else.
pub fn debug_hook(ctx: &mut Ctx) -> Option<CmdResult> {
    if ctx.argc() != 3 {
        return None;
    }
    let listpack = ctx.argv[1].eq_ignore_ascii_case(b"listpack");
    if !listpack && !ctx.argv[1].eq_ignore_ascii_case(b"htstats-key") {
        return None;
    }
    let db = ctx.dbi();
    let e = ctx.srv.dbs[db].find(ctx.argv[2])?;
    let ValueRef::Obj(Obj::ZSet(z)) = e.value() else { return None };
    let r = &mut ctx.c.reply;
    Some(match (z, listpack) {
        (ZSet::Listpack(lp), true) => {
            println!("{lp:?}");
            r.status(b"Listpack structure printed on stdout");
            Ok(())
        }
        (ZSet::Skiplist(_), true) => Err(Error::err("ERR Not a listpack encoded object.")),
        (ZSet::Skiplist(s), false) => {
            r.verbatim(crate::types::hash::dict_stats_text(&s.dict).as_bytes(), b"txt");
            Ok(())
        }
        (ZSet::Listpack(_), false) => Err(Error::err(
            "ERR The value stored at the specified key is not represented using an hash table",
        )),
    })
}
