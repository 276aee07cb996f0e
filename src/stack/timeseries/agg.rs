//! Aggregators (the module's `compaction.c` classes) and bucketing for
//! TS.RANGE/REVRANGE AGGREGATION.

/// An aggregation type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agg {
    Avg,
    Sum,
    Min,
    Max,
    Range,
    Count,
    First,
    Last,
    StdP,
    StdS,
    VarP,
    VarS,
    Twa,
}

const NAMES: [(&str, Agg); 13] = [
    ("avg", Agg::Avg),
    ("sum", Agg::Sum),
    ("min", Agg::Min),
    ("max", Agg::Max),
    ("range", Agg::Range),
    ("count", Agg::Count),
    ("first", Agg::First),
    ("last", Agg::Last),
    ("std.p", Agg::StdP),
    ("std.s", Agg::StdS),
    ("var.p", Agg::VarP),
    ("var.s", Agg::VarS),
    ("twa", Agg::Twa),
];

impl Agg {
    pub fn parse(s: &[u8]) -> Option<Agg> {
        NAMES.iter().find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(s)).map(|x| x.1)
    }

    pub fn name(self) -> &'static str {
        NAMES.iter().find(|x| x.1 == self).map(|x| x.0).unwrap_or("avg")
    }

    /// The value of a bucket's samples; `prev`/`next` are the samples
    /// just outside it (TWA interpolates to the bucket's edges).
    pub fn compute(self, s: &[(u64, f64)], start: u64, end: u64, prev: Option<(u64, f64)>, next: Option<(u64, f64)>) -> f64 {
        let n = s.len() as f64;
        let vals = s.iter().map(|x| x.1);
        match self {
            Agg::Sum => vals.sum(),
            Agg::Count => n,
            Agg::Avg => vals.sum::<f64>() / n,
            Agg::Min => vals.fold(f64::INFINITY, f64::min),
            Agg::Max => vals.fold(f64::NEG_INFINITY, f64::max),
            Agg::Range => {
                let mx = s.iter().map(|x| x.1).fold(f64::NEG_INFINITY, f64::max);
                let mn = s.iter().map(|x| x.1).fold(f64::INFINITY, f64::min);
                mx - mn
            }
            Agg::First => s.first().map_or(f64::NAN, |x| x.1),
            Agg::Last => s.last().map_or(f64::NAN, |x| x.1),
            Agg::StdP | Agg::StdS | Agg::VarP | Agg::VarS => {
                let sum: f64 = s.iter().map(|x| x.1).sum();
                let sq: f64 = s.iter().map(|x| x.1 * x.1).sum();
                let sample = matches!(self, Agg::StdS | Agg::VarS);
                // The module's formula (same rounding).
                let pop = if n == 0.0 {
                    0.0
                } else {
                    (sq - 2.0 * sum * sum / n + (sum / n).powi(2) * n) / n
                };
                let var = if n <= 1.0 && sample {
                    0.0
                } else if sample {
                    pop * n / (n - 1.0)
                } else {
                    pop
                };
                if matches!(self, Agg::StdP | Agg::StdS) {
                    var.sqrt()
                } else {
                    var
                }
            }
            Agg::Twa => twa(s, start, end, prev, next),
        }
    }
}

/// Time-weighted average over [start, end): linear interpolation between
/// samples, extended to the edges from the neighbours when known.
fn twa(s: &[(u64, f64)], start: u64, end: u64, prev: Option<(u64, f64)>, next: Option<(u64, f64)>) -> f64 {
    let (Some(&first), Some(&last)) = (s.first(), s.last()) else {
        return f64::NAN;
    };
    let lerp = |a: (u64, f64), b: (u64, f64), t: u64| -> f64 {
        let dt = b.0 as f64 - a.0 as f64;
        a.1 + (t as f64 - a.0 as f64) * (b.1 - a.1) / dt
    };
    let mut pts: Vec<(f64, f64)> = Vec::with_capacity(s.len() + 2);
    if let Some(p) = prev {
        pts.push((start as f64, lerp(p, first, start)));
    }
    pts.extend(s.iter().map(|&(t, v)| (t as f64, v)));
    if let Some(nx) = next {
        pts.push((end as f64, lerp(last, nx, end)));
    }
    let span = pts[pts.len() - 1].0 - pts[0].0;
    if span == 0.0 {
        return last.1;
    }
    let area: f64 = pts.windows(2).map(|w| (w[0].1 + w[1].1) * (w[1].0 - w[0].0) / 2.0).sum();
    area / span.abs()
}

/// Which timestamp a bucket reports (BUCKETTIMESTAMP).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BucketTs {
    Start,
    End,
    Mid,
}

/// `CalcBucketStart`: the start of the bucket holding `t`.
pub fn bucket_start(t: u64, dur: u64, align: u64) -> u64 {
    let diff = t.wrapping_sub(align) as i64;
    let m = diff.rem_euclid(dur as i64) as u64;
    t.wrapping_sub(m)
}

/// Buckets over sorted samples: (reported timestamp, value). `all` is
/// the whole series (for TWA's and EMPTY LAST's neighbours).
///
/// `keep` bounds the work EMPTY can cause: `Some((n, false))` stops after
/// the first `n` buckets, `Some((n, true))` keeps only the last `n` (for
/// REVRANGE ... COUNT n), and an empty run longer than that is never
/// walked, so a huge timestamp gap costs nothing.
#[allow(clippy::too_many_arguments)]
pub fn aggregate(
    s: &[(u64, f64)],
    all: &[(u64, f64)],
    agg: Agg,
    dur: u64,
    align: u64,
    bts: BucketTs,
    empty: bool,
    keep: Option<(usize, bool)>,
) -> Vec<(u64, f64)> {
    let mut out = std::collections::VecDeque::new();
    let full = |out: &std::collections::VecDeque<(u64, f64)>| matches!(keep, Some((n, false)) if out.len() >= n);
    let push = |out: &mut std::collections::VecDeque<(u64, f64)>, x: (u64, f64)| {
        out.push_back(x);
        if let Some((n, true)) = keep {
            if out.len() > n {
                out.pop_front();
            }
        }
    };
    let report = |b: u64| -> u64 {
        let b = (b as i64).max(0) as u64;
        match bts {
            BucketTs::Start => b,
            BucketTs::End => b.saturating_add(dur),
            BucketTs::Mid => b.saturating_add(dur / 2),
        }
    };
    let neighbour = |t: u64, before: bool| -> Option<(u64, f64)> {
        match all.binary_search_by(|x| x.0.cmp(&t)) {
            Ok(i) | Err(i) if before => i.checked_sub(1).map(|j| all[j]),
            Ok(i) => all.get(i + 1).copied(),
            Err(i) => all.get(i).copied(),
        }
    };
    let mut i = 0;
    let mut prev_bucket: Option<u64> = None;
    while i < s.len() && !full(&out) {
        let b = bucket_start(s[i].0, dur, align);
        let mut j = i;
        while j < s.len() && bucket_start(s[j].0, dur, align) == b {
            j += 1;
        }
        if empty {
            if let Some(pb) = prev_bucket {
                let mut e = pb.wrapping_add(dur);
                if let Some((n, true)) = keep {
                    // Only the last n empties of this run can survive.
                    let run = (b.wrapping_sub(e)) / dur;
                    if run > n as u64 {
                        e = e.wrapping_add((run - n as u64) * dur);
                    }
                }
                while e < b && !full(&out) {
                    let v = match agg {
                        Agg::Sum | Agg::Count => 0.0,
                        Agg::Last => s[i - 1].1,
                        Agg::Twa => {
                            let p = s[i - 1];
                            let n = s[i];
                            let lerp = |t: u64| p.1 + (n.1 - p.1) * (t as f64 - p.0 as f64) / (n.0 as f64 - p.0 as f64);
                            (lerp(e) + lerp(e + dur - 1)) / 2.0
                        }
                        _ => f64::NAN,
                    };
                    push(&mut out, (report(e), v));
                    e = e.wrapping_add(dur);
                }
            }
        }
        if full(&out) {
            break;
        }
        let bucket = &s[i..j];
        let (prev, next) = if agg == Agg::Twa {
            (neighbour(bucket[0].0, true), neighbour(bucket[bucket.len() - 1].0, false))
        } else {
            (None, None)
        };
        push(&mut out, (report(b), agg.compute(bucket, b, b.wrapping_add(dur), prev, next)));
        prev_bucket = Some(b);
        i = j;
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets() {
        assert_eq!(bucket_start(15, 10, 0), 10);
        assert_eq!(bucket_start(15, 10, 3), 13);
        assert_eq!(bucket_start(2, 10, 3), (-7i64) as u64);
        let s = [(1, 1.0), (2, 3.0), (11, 5.0), (35, 2.0)];
        let r = aggregate(&s, &s, Agg::Avg, 10, 0, BucketTs::Start, false, None);
        assert_eq!(r, vec![(0, 2.0), (10, 5.0), (30, 2.0)]);
        let r = aggregate(&s, &s, Agg::Sum, 10, 0, BucketTs::End, true, None);
        assert_eq!(r, vec![(10, 4.0), (20, 5.0), (30, 0.0), (40, 2.0)]);
        let r = aggregate(&s, &s, Agg::StdS, 10, 0, BucketTs::Start, false, None);
        assert!((r[0].1 - 2f64.sqrt()).abs() < 1e-12);
        // A 1e12 gap with EMPTY is bounded by COUNT either way.
        let g = [(0, 1.0), (1_000_000_000_000, 2.0)];
        let r = aggregate(&g, &g, Agg::Sum, 1, 0, BucketTs::Start, true, Some((3, false)));
        assert_eq!(r, vec![(0, 1.0), (1, 0.0), (2, 0.0)]);
        let r = aggregate(&g, &g, Agg::Sum, 1, 0, BucketTs::Start, true, Some((3, true)));
        assert_eq!(r, vec![(999_999_999_998, 0.0), (999_999_999_999, 0.0), (1_000_000_000_000, 2.0)]);
        let full = aggregate(&s, &s, Agg::Last, 10, 0, BucketTs::Start, true, None);
        for n in 1..6 {
            let f = aggregate(&s, &s, Agg::Last, 10, 0, BucketTs::Start, true, Some((n, false)));
            assert_eq!(f, full[..n.min(full.len())]);
            let b = aggregate(&s, &s, Agg::Last, 10, 0, BucketTs::Start, true, Some((n, true)));
            assert_eq!(b, full[full.len().saturating_sub(n)..]);
        }
    }
}
