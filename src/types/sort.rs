//! SORT and SORT_RO (sort.c): sort the elements of a list, set or sorted
//! set, numerically or lexicographically, optionally by the values of
//! other keys (`BY pattern`), fetching other keys for each element
//! (`GET pattern`), and return the result or store it as a list.
//!
//! Redis's observable details are kept: patterns are C strings as far as
//! `*` and `->` go, numeric weights are parsed with `strtod`, `ALPHA`
//! compares with `strcoll` unless the result is stored (then bytes), a
//! constant `BY` keeps the native order of lists and sorted sets, and a
//! `BY` with `LIMIT` uses Redis's partial quicksort so that ties come out in
//! the same order.

use crate::client::flags as cf;
use crate::config::special::notify;
use crate::db::change::{ev, Event, KeyWrite};
use crate::ds::listpack::LpValue;
use crate::ds::quicklist::Where;
use crate::error::Error;
use crate::object::{NewValue, Obj, ValueRef};
use crate::server::{CmdResult, Ctx, Server};
use crate::types::list::List;
use crate::util::num::{parse_i64, LONG_STR_SIZE};
use std::cmp::Ordering;
use std::ffi::CString;

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/// The parsed arguments of one SORT call.
struct SortOptions<'a> {
    desc: bool,
    alpha: bool,
    limit_start: i64,
    limit_count: i64,
    store: Option<&'a [u8]>,
    by: Option<&'a [u8]>,
    /// BY names a constant (no `*`): nothing to sort by.
    dontsort: bool,
    gets: Vec<&'a [u8]>,
}

/// The bytes of `s` up to its first NUL, as C string functions see them.
fn c_str(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}

/// `strcasecmp(arg, word) == 0`.
fn is(arg: &[u8], word: &str) -> bool {
    c_str(arg).eq_ignore_ascii_case(word.as_bytes())
}

/// Parses the SQL-like options after the key (`sortCommandGeneric`).
/// `full_key_access`: the user may read every key, which BY and GET
/// patterns need since the keys they name depend on the data.
fn parse_options<'a>(srv: &Server, argv: &[&'a [u8]], readonly: bool, full_key_access: bool) -> Result<SortOptions<'a>, Error> {
    let mut o = SortOptions {
        desc: false,
        alpha: false,
        limit_start: 0,
        limit_count: -1,
        store: None,
        by: None,
        dontsort: false,
        gets: Vec::new(),
    };
    let argc = argv.len();
    let mut j = 2;
    while j < argc {
        let left = argc - j - 1;
        let a = argv[j];
        if is(a, "asc") {
            o.desc = false;
        } else if is(a, "desc") {
            o.desc = true;
        } else if is(a, "alpha") {
            o.alpha = true;
        } else if is(a, "limit") && left >= 2 {
            o.limit_start = parse_i64(argv[j + 1]).ok_or(Error::NotInteger)?;
            o.limit_count = parse_i64(argv[j + 2]).ok_or(Error::NotInteger)?;
            j += 2;
        } else if !readonly && is(a, "store") && left >= 1 {
            o.store = Some(argv[j + 1]);
            j += 1;
        } else if is(a, "by") && left >= 1 {
            let pattern = argv[j + 1];
            o.by = Some(pattern);
            if !c_str(pattern).contains(&b'*') {
                o.dontsort = true;
            } else if srv.cfg.cluster_enabled {
                return Err(Error::err("ERR BY option of SORT denied in Cluster mode."));
            } else if !full_key_access {
                return Err(Error::err("ERR BY option of SORT denied due to insufficient ACL permissions."));
            }
            j += 1;
        } else if is(a, "get") && left >= 1 {
            if srv.cfg.cluster_enabled {
                return Err(Error::err("ERR GET option of SORT denied in Cluster mode."));
            }
            if !full_key_access {
                return Err(Error::err("ERR GET option of SORT denied due to insufficient ACL permissions."));
            }
            o.gets.push(argv[j + 1]);
            j += 1;
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    Ok(o)
}

// ---------------------------------------------------------------------------
// Patterns and weights
// ---------------------------------------------------------------------------

/// The value a BY/GET pattern names for one element (`lookupKeyByPattern`):
/// `#` is the element itself; otherwise the first `*` is replaced by the
/// element and the key is read as a string, or, with `->field` after the
/// `*`, as a hash field. None when there is no `*`, no such key, or a value
/// of the wrong type.
fn lookup_by_pattern(srv: &mut Server, db: usize, pattern: &[u8], elem: &[u8]) -> Option<Vec<u8>> {
    if pattern.first() == Some(&b'#') && pattern.get(1).is_none_or(|&c| c == 0) {
        return Some(elem.to_vec());
    }
    let star = c_str(pattern).iter().position(|&c| c == b'*')?;
    // The field starts after the first "->" that follows the `*` (searched
    // as a C string), and only if something follows the arrow.
    let after = c_str(&pattern[star + 1..]);
    let arrow = after.windows(2).position(|w| w == b"->").map(|i| star + 1 + i);
    let field = match arrow {
        Some(f) if pattern.get(f + 2).is_some_and(|&c| c != 0) => Some(&pattern[f + 2..]),
        _ => None,
    };
    let key_end = pattern.len() - field.map_or(0, |f| f.len() + 2);
    let mut key = Vec::with_capacity(key_end + elem.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(elem);
    key.extend_from_slice(&pattern[star + 1..key_end]);
    let e = srv.lookup_read(db, &key)?;
    let mut buf = [0u8; LONG_STR_SIZE];
    match (field, e.value()) {
        (Some(field), ValueRef::Obj(Obj::Hash(h))) => h.get(field).map(|v| v.to_vec()),
        (Some(_), _) => None,
        (None, v) => v.as_bytes(&mut buf).map(|b| b.to_vec()),
    }
}

/// A numeric weight as SORT reads it: `strtod` must consume the whole C
/// string, without overflow or underflow, and not give NaN.
fn parse_weight(s: &[u8]) -> Option<f64> {
    if let Some(v) = parse_i64(s) {
        return Some(v as f64);
    }
    let cs = CString::new(c_str(s)).ok()?;
    let mut end: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: `cs` is NUL-terminated and outlives the call; strtod reads up
    // to the terminator and points `end` inside it. errno is thread-local.
    let (v, consumed_all, range_err) = unsafe {
        *libc::__errno_location() = 0;
        let v = libc::strtod(cs.as_ptr(), &mut end);
        (v, *end == 0, *libc::__errno_location() == libc::ERANGE)
    };
    (consumed_all && !range_err && !v.is_nan()).then_some(v)
}

/// `strcoll` of two C strings (the locale's collation, LC_COLLATE).
fn strcoll(a: &CString, b: &CString) -> Ordering {
    // SAFETY: both are valid NUL-terminated strings for the call's duration.
    let r = unsafe { libc::strcoll(a.as_ptr(), b.as_ptr()) };
    r.cmp(&0)
}

/// The C string form of some bytes, cut at the first NUL.
fn coll_key(s: &[u8]) -> CString {
    CString::new(c_str(s)).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Sorting
// ---------------------------------------------------------------------------

/// One element to sort, with what it is compared by.
struct SortItem {
    elem: Vec<u8>,
    score: f64,
    /// The BY value in ALPHA mode (None when its key is missing).
    by: Option<Vec<u8>>,
    /// The ALPHA comparison key as a C string, when comparing with strcoll.
    coll: Option<CString>,
}

impl SortItem {
    fn new(elem: Vec<u8>) -> SortItem {
        SortItem {
            elem,
            score: 0.0,
            by: None,
            coll: None,
        }
    }
}

/// How two items compare (`sortCompare`).
#[derive(Clone, Copy)]
struct Comparator {
    desc: bool,
    alpha: bool,
    by_pattern: bool,
    /// Storing compares bytes; replying compares with strcoll.
    store: bool,
}

impl Comparator {
    fn cmp(&self, a: &SortItem, b: &SortItem) -> Ordering {
        let ord = if !self.alpha {
            if a.score > b.score {
                Ordering::Greater
            } else if a.score < b.score {
                Ordering::Less
            } else {
                // Equal weights: the elements decide, so the result is
                // deterministic.
                a.elem.cmp(&b.elem)
            }
        } else if self.by_pattern {
            match (&a.by, &b.by) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => self.alpha_cmp(x, y, a, b),
            }
        } else {
            self.alpha_cmp(&a.elem, &b.elem, a, b)
        };
        if self.desc {
            ord.reverse()
        } else {
            ord
        }
    }

    fn alpha_cmp(&self, x: &[u8], y: &[u8], a: &SortItem, b: &SortItem) -> Ordering {
        match (self.store, &a.coll, &b.coll) {
            (false, Some(ca), Some(cb)) => strcoll(ca, cb),
            _ => x.cmp(y),
        }
    }
}

/// A stable top-down merge sort (what glibc's `qsort` does for arrays that
/// fit in memory): equal elements keep their order. Written out rather than
/// `sort_by` so an inconsistent collation can never make it panic.
fn merge_sort<T>(v: &mut Vec<T>, cmp: &mut dyn FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let right = v.split_off(v.len() / 2);
    let mut left = std::mem::take(v);
    let mut right = right;
    merge_sort(&mut left, cmp);
    merge_sort(&mut right, cmp);
    v.reserve(left.len() + right.len());
    let mut l = left.into_iter().peekable();
    let mut r = right.into_iter().peekable();
    loop {
        let take_left = match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => cmp(a, b) != Ordering::Greater,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_left { l.next() } else { r.next() };
        if let Some(x) = next {
            v.push(x);
        }
    }
}

/// Median of three positions (`med3` in Bentley & McIlroy's qsort).
fn med3<T>(v: &[T], a: usize, b: usize, c: usize, cmp: &mut dyn FnMut(&T, &T) -> Ordering) -> usize {
    if cmp(&v[a], &v[b]) == Ordering::Less {
        if cmp(&v[b], &v[c]) == Ordering::Less {
            b
        } else if cmp(&v[a], &v[c]) == Ordering::Less {
            c
        } else {
            a
        }
    } else if cmp(&v[b], &v[c]) == Ordering::Greater {
        b
    } else if cmp(&v[a], &v[c]) == Ordering::Less {
        a
    } else {
        c
    }
}

/// Swaps `n` consecutive elements at `a` with those at `b`, pairwise.
fn vec_swap<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        v.swap(a + i, b + i);
    }
}

/// True when the partition `[from, from + n)` holds part of the wanted
/// range `[lo, hi]` (or straddles it), so it must be sorted.
fn overlaps(from: usize, n: usize, lo: i64, hi: i64) -> bool {
    let (first, end) = (from as i64, (from + n) as i64);
    !((lo < first && hi < first) || (lo >= end && hi >= end))
}

/// Redis's partial quicksort (`pqsort`): Bentley & McIlroy's three-way
/// quicksort that only recurses into partitions overlapping positions
/// `lo..=hi`. Used for `BY` with `LIMIT`; reproducing it exactly keeps the
/// order of ties identical to Redis.
fn partial_sort<T>(v: &mut [T], lo: i64, hi: i64, cmp: &mut dyn FnMut(&T, &T) -> Ordering) {
    let (mut a, mut n) = (0usize, v.len());
    loop {
        if n < 7 {
            for pm in a + 1..a + n {
                let mut pl = pm;
                while pl > a && cmp(&v[pl - 1], &v[pl]) == Ordering::Greater {
                    v.swap(pl, pl - 1);
                    pl -= 1;
                }
            }
            return;
        }
        let mut pm = a + n / 2;
        if n > 7 {
            let mut pl = a;
            let mut pn = a + n - 1;
            if n > 40 {
                let d = n / 8;
                pl = med3(v, pl, pl + d, pl + 2 * d, cmp);
                pm = med3(v, pm - d, pm, pm + d, cmp);
                pn = med3(v, pn - 2 * d, pn - d, pn, cmp);
            }
            pm = med3(v, pl, pm, pn, cmp);
        }
        v.swap(a, pm);
        let (mut pa, mut pb) = (a + 1, a + 1);
        let (mut pc, mut pd) = (a + n - 1, a + n - 1);
        loop {
            while pb <= pc {
                let r = cmp(&v[pb], &v[a]);
                if r == Ordering::Greater {
                    break;
                }
                if r == Ordering::Equal {
                    v.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb <= pc {
                let r = cmp(&v[pc], &v[a]);
                if r == Ordering::Less {
                    break;
                }
                if r == Ordering::Equal {
                    v.swap(pc, pd);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb > pc {
                break;
            }
            v.swap(pb, pc);
            pb += 1;
            pc -= 1;
        }
        let pn = a + n;
        let r = (pa - a).min(pb - pa);
        vec_swap(v, a, pb - r, r);
        let r = (pd - pc).min(pn - pd - 1);
        vec_swap(v, pb, pn - r, r);
        let r = pb - pa;
        if r > 1 && overlaps(a, r, lo, hi) {
            partial_sort_from(v, a, r, lo, hi, cmp);
        }
        let r = pd - pc;
        if r > 1 {
            // Iterate rather than recurse on the second partition.
            a = pn - r;
            n = r;
            if overlaps(a, n, lo, hi) {
                continue;
            }
        }
        return;
    }
}

/// `partial_sort` on the sub-slice `[a, a + n)`, with the wanted range
/// still in whole-slice positions.
fn partial_sort_from<T>(v: &mut [T], a: usize, n: usize, lo: i64, hi: i64, cmp: &mut dyn FnMut(&T, &T) -> Ordering) {
    partial_sort(&mut v[a..a + n], lo - a as i64, hi - a as i64, cmp);
}

// ---------------------------------------------------------------------------
// Loading the elements
// ---------------------------------------------------------------------------

fn lp_bytes(v: LpValue<'_>) -> Vec<u8> {
    v.to_vec()
}

/// The elements of `obj` to sort, with the `start`/`end` window adjusted
/// when a constant BY lets lists and sorted sets load just that window in
/// their native order (`end - start + 1` elements from position `start`,
/// from the tail when `desc`).
fn load_elements(obj: Option<&mut Obj>, o: &SortOptions, start: &mut i64, end: &mut i64) -> Vec<SortItem> {
    let Some(obj) = obj else {
        return Vec::new();
    };
    let mut items = Vec::new();
    match obj {
        Obj::List(l) if o.dontsort => {
            if *end >= *start {
                let len = l.len() as i64;
                let mut left = *end - *start + 1;
                let from = if o.desc { len - *start - 1 } else { *start };
                items.reserve(left as usize);
                l.scan(from, !o.desc, |v| {
                    items.push(SortItem::new(lp_bytes(v)));
                    left -= 1;
                    left > 0
                });
                *end -= *start;
                *start = 0;
            }
            items
        }
        Obj::List(l) => {
            items.reserve(l.len());
            l.for_each(|v| items.push(SortItem::new(lp_bytes(v))));
            items
        }
        Obj::Set(s) => {
            items.reserve(s.len());
            items.extend(s.iter().map(|v| SortItem::new(lp_bytes(v))));
            items
        }
        Obj::ZSet(z) => {
            // SORT converts a listpack sorted set for good, as Redis does.
            z.convert_to_skiplist();
            if o.dontsort {
                let count = (*end - *start + 1).max(0) as usize;
                if count > 0 {
                    let first = z.at_rank(*start as usize, o.desc);
                    let cursors = std::iter::successors(first, |c| c.step(o.desc));
                    items.extend(cursors.take(count).map(|c| SortItem::new(lp_bytes(c.member()))));
                }
                *end -= *start;
                *start = 0;
            } else {
                items.reserve(z.len());
                items.extend(z.cursor_iter(false).map(|c| SortItem::new(lp_bytes(c.member()))));
            }
            items
        }
        _ => items,
    }
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/// `SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
/// [ASC|DESC] [ALPHA] [STORE destination]`
pub fn sort_command(ctx: &mut Ctx) -> CmdResult {
    sort_generic(ctx, false)
}

/// `SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
/// [ASC|DESC] [ALPHA]`
pub fn sort_ro_command(ctx: &mut Ctx) -> CmdResult {
    sort_generic(ctx, true)
}

/// Shared body of SORT and SORT_RO (`sortCommandGeneric`).
fn sort_generic(ctx: &mut Ctx, readonly: bool) -> CmdResult {
    let argv = ctx.argv;
    let full_key_access = ctx
        .srv
        .acl
        .check_with_all_keys(ctx.c.user, ctx.cmd, argv, crate::commands::def::keyflags::ACCESS);
    let mut o = parse_options(ctx.srv, argv, readonly, full_key_access)?;
    let db = ctx.dbi();
    let script = ctx.c.has(cf::SCRIPT);
    let obj = match ctx.srv.lookup_read(db, argv[1]) {
        None => None,
        Some(e) => match e.obj_mut() {
            Some(obj @ (Obj::List(_) | Obj::Set(_) | Obj::ZSet(_))) => Some(obj),
            _ => return Err(Error::WrongType),
        },
    };
    let (len, is_set) = match obj.as_deref() {
        Some(Obj::List(l)) => (l.len(), false),
        Some(Obj::Set(s)) => (s.len(), true),
        Some(Obj::ZSet(z)) => (z.len(), false),
        _ => (0, false),
    };
    // A set has no native order: when the result is stored (replicated)
    // or used by a script, sort it so that it is the same everywhere.
    if o.dontsort && is_set && (o.store.is_some() || script) {
        o.dontsort = false;
        o.alpha = true;
        o.by = None;
    }

    // Clamp LIMIT to the size of the value.
    let len = len as i64;
    let mut start = o.limit_start.max(0).min(len);
    let count = o.limit_count.max(-1).min(len);
    let mut end = if count < 0 { len - 1 } else { start + count - 1 };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    if end >= len {
        end = len - 1;
    }
    let mut items = load_elements(obj, &o, &mut start, &mut end);

    let mut bad_weight = false;
    if !o.dontsort {
        let collate = o.alpha && o.store.is_none();
        for it in items.iter_mut() {
            let weight = match o.by {
                Some(pattern) => match lookup_by_pattern(ctx.srv, db, pattern, &it.elem) {
                    Some(w) => Some(w),
                    None => continue,
                },
                None => None,
            };
            if o.alpha {
                if o.by.is_some() {
                    if collate {
                        it.coll = weight.as_deref().map(coll_key);
                    }
                    it.by = weight;
                } else if collate {
                    it.coll = Some(coll_key(&it.elem));
                }
            } else {
                match parse_weight(weight.as_deref().unwrap_or(&it.elem)) {
                    Some(v) => it.score = v,
                    None => bad_weight = true,
                }
            }
        }
        // With a bad weight the reply is an error whatever the order, and
        // NaN weights would not be a consistent order to sort by.
        if !bad_weight {
            let cmp = Comparator {
                desc: o.desc,
                alpha: o.alpha,
                by_pattern: o.by.is_some(),
                store: o.store.is_some(),
            };
            let mut f = |a: &SortItem, b: &SortItem| cmp.cmp(a, b);
            if o.by.is_some() && (start != 0 || end != items.len() as i64 - 1) {
                partial_sort(&mut items, start, end, &mut f);
            } else {
                merge_sort(&mut items, &mut f);
            }
        }
    }

    if bad_weight {
        return Err(Error::err("ERR One or more scores can't be converted into double"));
    }
    let picked = match (usize::try_from(start), usize::try_from(end)) {
        (Ok(s), Ok(e)) if e >= s => items.get(s..=e).unwrap_or_default(),
        _ => &[][..],
    };
    let outputlen = picked.len() * o.gets.len().max(1);
    match o.store {
        None => {
            ctx.c.reply.array_len(outputlen);
            for it in picked {
                if o.gets.is_empty() {
                    ctx.c.reply.bulk(&it.elem);
                }
                for &pattern in &o.gets {
                    match lookup_by_pattern(ctx.srv, db, pattern, &it.elem) {
                        Some(v) => ctx.c.reply.bulk(&v),
                        None => ctx.c.reply.null(),
                    }
                }
            }
        }
        Some(dst) => {
            // Redis builds the result with a default quicklist (not the
            // configured list options).
            let mut list = List::new(-2, 0);
            for it in picked {
                if o.gets.is_empty() {
                    list.push(&it.elem, Where::Tail);
                }
                for &pattern in &o.gets {
                    let v = lookup_by_pattern(ctx.srv, db, pattern, &it.elem).unwrap_or_default();
                    list.push(&v, Where::Tail);
                }
            }
            if outputlen > 0 {
                ctx.srv.set_key(db, dst, NewValue::Obj(Box::new(Obj::List(list))), false);
                let sortstore = Event::new(notify::LIST, "sortstore");
                ctx.key_modified(dst, KeyWrite::new(sortstore).dirty(outputlen as u64));
            } else if ctx.srv.db_delete(db, dst) {
                ctx.key_modified(dst, ev::DEL);
            }
            ctx.c.reply.int(outputlen as i64);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_sorted(v: &[(i32, usize)]) -> Vec<(i32, usize)> {
        let mut m = v.to_vec();
        m.sort_by_key(|x| x.0);
        m
    }

    fn rng(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn merge_sort_is_stable() {
        let mut seed = 0x9e3779b97f4a7c15u64;
        for n in 0..200 {
            let v: Vec<(i32, usize)> = (0..n).map(|i| ((rng(&mut seed) % 7) as i32, i)).collect();
            let mut got = v.clone();
            merge_sort(&mut got, &mut |a, b| a.0.cmp(&b.0));
            assert_eq!(got, model_sorted(&v));
        }
    }

    #[test]
    fn partial_sort_orders_the_window() {
        let mut seed = 12345u64;
        for n in 0..300usize {
            let v: Vec<i64> = (0..n).map(|_| (rng(&mut seed) % 50) as i64).collect();
            let mut full = v.clone();
            full.sort();
            for _ in 0..4 {
                let lo = if n == 0 { 0 } else { (rng(&mut seed) % n as u64) as i64 };
                let hi = (lo + (rng(&mut seed) % 12) as i64).min(n as i64 - 1);
                let mut got = v.clone();
                partial_sort(&mut got, lo, hi, &mut |a: &i64, b: &i64| a.cmp(b));
                if hi >= lo {
                    assert_eq!(
                        &got[lo as usize..=hi as usize],
                        &full[lo as usize..=hi as usize],
                        "n={n} lo={lo} hi={hi}"
                    );
                }
                let mut sorted_got = got.clone();
                sorted_got.sort();
                assert_eq!(sorted_got, full, "a permutation");
            }
            let mut all = v.clone();
            partial_sort(&mut all, 0, n as i64 - 1, &mut |a: &i64, b: &i64| a.cmp(b));
            assert_eq!(all, full);
        }
    }

    #[test]
    fn partial_sort_ties_follow_bentley_mcilroy() {
        // All-equal keys: the three-way partition moves equal elements to
        // the ends and swaps them back, which reorders them; Redis's pqsort
        // gives this exact permutation for 10 equal elements.
        let mut v: Vec<(u8, usize)> = (0..10).map(|i| (0, i)).collect();
        partial_sort(&mut v, 0, 4, &mut |a: &(u8, usize), b: &(u8, usize)| a.0.cmp(&b.0));
        let order: Vec<usize> = v.iter().map(|x| x.1).collect();
        assert_eq!(order, vec![9, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
    }

    #[test]
    fn weights_parse_like_strtod() {
        assert_eq!(parse_weight(b"10"), Some(10.0));
        assert_eq!(parse_weight(b"1.5"), Some(1.5));
        assert_eq!(parse_weight(b" 2"), Some(2.0));
        assert_eq!(parse_weight(b"0x10"), Some(16.0));
        assert_eq!(parse_weight(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_weight(b""), Some(0.0));
        assert_eq!(parse_weight(b"3\0junk"), Some(3.0));
        assert_eq!(parse_weight(b"1e400"), None);
        assert_eq!(parse_weight(b"nan"), None);
        assert_eq!(parse_weight(b"abc"), None);
        assert_eq!(parse_weight(b"1 "), None);
    }

    #[test]
    fn comparator_rules() {
        let mk = |e: &str, s: f64, by: Option<&str>| SortItem {
            elem: e.as_bytes().to_vec(),
            score: s,
            by: by.map(|b| b.as_bytes().to_vec()),
            coll: None,
        };
        let num = Comparator {
            desc: false,
            alpha: false,
            by_pattern: false,
            store: true,
        };
        assert_eq!(num.cmp(&mk("b", 1.0, None), &mk("a", 2.0, None)), Ordering::Less);
        assert_eq!(num.cmp(&mk("b", 1.0, None), &mk("a", 1.0, None)), Ordering::Greater);
        let desc = Comparator { desc: true, ..num };
        assert_eq!(desc.cmp(&mk("b", 1.0, None), &mk("a", 1.0, None)), Ordering::Less);
        let by = Comparator {
            alpha: true,
            by_pattern: true,
            ..num
        };
        assert_eq!(by.cmp(&mk("a", 0.0, None), &mk("b", 0.0, Some(""))), Ordering::Less);
        assert_eq!(by.cmp(&mk("a", 0.0, None), &mk("b", 0.0, None)), Ordering::Equal);
        assert_eq!(by.cmp(&mk("a", 0.0, Some("z")), &mk("b", 0.0, Some("y"))), Ordering::Greater);
    }
}
