//! Sorted set algebra (`zunionInterDiffGenericCommand` in t_zset.c):
//! ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD. Plain sets are
//! accepted as inputs, every member scoring 1.

use super::commands::store_result;
use super::{member_bytes, ZSet};
use crate::ds::listpack::LpValue;
use crate::error::Error;
use crate::object::{Obj, ValueRef};
use crate::server::{CmdResult, Ctx};
use crate::types::set::Set;
use crate::util::num::{parse_f64, parse_i64, LONG_STR_SIZE};
use std::cmp::Ordering;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

/// Folds `val` into `target` (`zunionInterAggregate`): a sum of +inf and
/// -inf gives 0, not NaN.
#[inline]
fn aggregate(target: &mut f64, val: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *target += val;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if val < *target {
                *target = val;
            }
        }
        Aggregate::Max => {
            if val > *target {
                *target = val;
            }
        }
    }
}

/// One input of the operation (`zsetopsrc`).
#[derive(Clone, Copy)]
enum Src<'a> {
    Missing,
    Z(&'a ZSet),
    S(&'a Set),
}

impl<'a> Src<'a> {
    fn len(&self) -> usize {
        match self {
            Src::Missing => 0,
            Src::Z(z) => z.len(),
            Src::S(s) => set_src::len(s),
        }
    }

    /// Calls `f(member, score)` for every element until it returns false.
    /// Sorted sets are walked from the highest element, as Redis does.
    fn for_each(&self, mut f: impl FnMut(&[u8], f64) -> bool) {
        match self {
            Src::Missing => {}
            Src::Z(z) => {
                let mut buf = [0u8; LONG_STR_SIZE];
                for c in z.cursor_iter(true) {
                    let m: LpValue<'_> = c.member();
                    if !f(member_bytes(&m, &mut buf), c.score()) {
                        return;
                    }
                }
            }
            Src::S(s) => set_src::for_each(s, |m| f(m, 1.0)),
        }
    }

    /// The score of `m` in this input (`zuiFind`).
    fn find(&self, m: &[u8]) -> Option<f64> {
        match self {
            Src::Missing => None,
            Src::Z(z) => z.score(m),
            Src::S(s) => set_src::contains(s, m).then_some(1.0),
        }
    }
}

/// Plain sets seen as inputs (members score 1).
mod set_src {
    use crate::ds::listpack::LpValue;
    use crate::types::set::Set;
    use crate::util::num::{fmt_i64, LONG_STR_SIZE};

    pub fn len(s: &Set) -> usize {
        s.len()
    }

    /// Calls `f` on each member until it returns false.
    pub fn for_each(s: &Set, mut f: impl FnMut(&[u8]) -> bool) {
        let mut buf = [0u8; LONG_STR_SIZE];
        for m in s.iter() {
            let b = match m {
                LpValue::Str(b) => b,
                LpValue::Int(i) => fmt_i64(i, &mut buf),
            };
            if !f(b) {
                return;
            }
        }
    }

    pub fn contains(s: &Set, m: &[u8]) -> bool {
        s.contains(m)
    }
}

/// Orders results like the skiplist: by score, then member bytes.
fn sort_result(items: &mut [(Vec<u8>, f64)]) {
    items.sort_unstable_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(Ordering::Equal).then_with(|| a.0.cmp(&b.0)));
}

/// The body of every command of this file.
fn zsetop_generic(ctx: &mut Ctx, dst: Option<&[u8]>, numkeys_idx: usize, op: Op, card_only: bool) -> CmdResult {
    let argc = ctx.argc();
    let argv = ctx.argv;
    let setnum = parse_i64(argv[numkeys_idx]).ok_or(Error::NotInteger)?;
    if setnum < 1 {
        return Err(Error::msg(format!(
            "ERR at least 1 input key is needed for '{}' command",
            ctx.cmd.fullname
        )));
    }
    if setnum > (argc - (numkeys_idx + 1)) as i64 {
        return Err(Error::Syntax);
    }
    let setnum = setnum as usize;
    let keys = &argv[numkeys_idx + 1..numkeys_idx + 1 + setnum];
    let db = ctx.dbi();
    for &k in keys {
        if let Some(e) = ctx.srv.lookup_read(db, k) {
            if !matches!(e.value(), ValueRef::Obj(Obj::ZSet(_)) | ValueRef::Obj(Obj::Set(_))) {
                return Err(Error::WrongType);
            }
        }
    }
    let mut weights = vec![1.0f64; setnum];
    let mut how = Aggregate::Sum;
    let mut withscores = false;
    let mut limit = 0i64;
    let mut j = numkeys_idx + 1 + setnum;
    while j < argc {
        let remaining = argc - j;
        let a = argv[j];
        if op != Op::Diff && !card_only && remaining > setnum && a.eq_ignore_ascii_case(b"weights") {
            j += 1;
            for w in weights.iter_mut() {
                *w = parse_f64(argv[j]).ok_or(Error::err("ERR weight value is not a float"))?;
                j += 1;
            }
        } else if op != Op::Diff && !card_only && remaining >= 2 && a.eq_ignore_ascii_case(b"aggregate") {
            let v = argv[j + 1];
            how = if v.eq_ignore_ascii_case(b"sum") {
                Aggregate::Sum
            } else if v.eq_ignore_ascii_case(b"min") {
                Aggregate::Min
            } else if v.eq_ignore_ascii_case(b"max") {
                Aggregate::Max
            } else {
                return Err(Error::Syntax);
            };
            j += 2;
        } else if dst.is_none() && !card_only && a.eq_ignore_ascii_case(b"withscores") {
            withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && a.eq_ignore_ascii_case(b"limit") {
            limit = parse_i64(argv[j + 1])
                .filter(|v| *v >= 0)
                .ok_or(Error::err("ERR LIMIT can't be negative"))?;
            j += 2;
        } else {
            return Err(Error::Syntax);
        }
    }

    let dict = &ctx.srv.dbs[db];
    let mut inputs: Vec<(Src<'_>, f64, &[u8])> = keys
        .iter()
        .zip(weights.iter())
        .map(|(&k, &w)| {
            let src = match dict.find(k).map(|e| e.value()) {
                Some(ValueRef::Obj(Obj::ZSet(z))) => Src::Z(z),
                Some(ValueRef::Obj(Obj::Set(s))) => Src::S(s),
                _ => Src::Missing,
            };
            (src, w, k)
        })
        .collect();
    if op != Op::Diff {
        inputs.sort_by_key(|(s, _, _)| s.len());
    }

    let mut result: Vec<(Vec<u8>, f64)> = Vec::new();
    let mut cardinality = 0u64;
    match op {
        Op::Inter => {
            if inputs[0].0.len() > 0 {
                let (first, w0, _) = inputs[0];
                first.for_each(|m, s| {
                    let mut score = w0 * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    for (src, w, _) in &inputs[1..] {
                        match src.find(m) {
                            Some(v) => aggregate(&mut score, v * w, how),
                            None => return true,
                        }
                    }
                    if card_only {
                        cardinality += 1;
                        if limit > 0 && cardinality >= limit as u64 {
                            return false;
                        }
                    } else {
                        result.push((m.to_vec(), score));
                    }
                    true
                });
            }
        }
        Op::Union => {
            let cap = inputs.last().map_or(0, |(s, _, _)| s.len());
            let mut acc: HashMap<Vec<u8>, f64> = HashMap::with_capacity(cap);
            for (src, w, _) in &inputs {
                src.for_each(|m, s| {
                    let mut score = w * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    match acc.get_mut(m) {
                        Some(t) => aggregate(t, score, how),
                        None => {
                            acc.insert(m.to_vec(), score);
                        }
                    }
                    true
                });
            }
            result = acc.into_iter().collect();
        }
        Op::Diff => {
            let (first, _, k0) = inputs[0];
            let same_as_first = inputs[1..].iter().any(|(_, _, k)| *k == k0);
            if first.len() > 0 && !same_as_first {
                first.for_each(|m, s| {
                    if !inputs[1..].iter().any(|(src, _, _)| src.find(m).is_some()) {
                        result.push((m.to_vec(), s));
                    }
                    true
                });
            }
        }
    }
    drop(inputs);

    if card_only {
        ctx.c.reply.int(cardinality as i64);
        return Ok(());
    }
    sort_result(&mut result);
    if let Some(dst) = dst {
        let event = match op {
            Op::Union => "zunionstore",
            Op::Inter => "zinterstore",
            Op::Diff => "zdiffstore",
        };
        store_result(ctx, dst, &result, event);
        return Ok(());
    }
    let r = &mut ctx.c.reply;
    if withscores && r.resp == 2 {
        r.array_len(result.len() * 2);
    } else {
        r.array_len(result.len());
    }
    for (m, score) in &result {
        if withscores && r.resp > 2 {
            r.array_len(2);
        }
        r.bulk(m);
        if withscores {
            r.double(*score);
        }
    }
    Ok(())
}

/// `ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]`
pub fn zunionstore_command(ctx: &mut Ctx) -> CmdResult {
    let dst = ctx.argv[1];
    zsetop_generic(ctx, Some(dst), 2, Op::Union, false)
}

/// `ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]`
pub fn zinterstore_command(ctx: &mut Ctx) -> CmdResult {
    let dst = ctx.argv[1];
    zsetop_generic(ctx, Some(dst), 2, Op::Inter, false)
}

/// `ZDIFFSTORE destination numkeys key [key ...]`
pub fn zdiffstore_command(ctx: &mut Ctx) -> CmdResult {
    let dst = ctx.argv[1];
    zsetop_generic(ctx, Some(dst), 2, Op::Diff, false)
}

/// `ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
pub fn zunion_command(ctx: &mut Ctx) -> CmdResult {
    zsetop_generic(ctx, None, 1, Op::Union, false)
}

/// `ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
pub fn zinter_command(ctx: &mut Ctx) -> CmdResult {
    zsetop_generic(ctx, None, 1, Op::Inter, false)
}

/// `ZINTERCARD numkeys key [key ...] [LIMIT limit]`
pub fn zintercard_command(ctx: &mut Ctx) -> CmdResult {
    zsetop_generic(ctx, None, 1, Op::Inter, true)
}

/// `ZDIFF numkeys key [key ...] [WITHSCORES]`
pub fn zdiff_command(ctx: &mut Ctx) -> CmdResult {
    zsetop_generic(ctx, None, 1, Op::Diff, false)
}
