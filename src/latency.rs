//! Per-command latency histograms for INFO latencystats (the
//! `hdr_histogram` use in server.c).
//!
//! Values are nanoseconds, kept with two significant decimal digits of
//! precision like Redis's histograms: each power of two is split into 128
//! linear sub-buckets (under 1% wide), so recording is two shifts and an
//! increment. Values from 1 ns to about 18 minutes are kept exactly to that
//! precision; larger ones land in the last bucket.

/// Sub-buckets per power of two.
const SUB_BITS: u32 = 7;
const SUB: usize = 1 << SUB_BITS;
/// Powers of two covered above the linear range (2^7 .. 2^40 ns).
const LEVELS: usize = 41 - SUB_BITS as usize;

#[derive(Clone, Debug)]
pub struct Histogram {
    /// Level 0 holds 0..128 exactly; level L >= 1 holds [2^(L+6), 2^(L+7)).
    counts: Box<[u32; SUB * (LEVELS + 1)]>,
    total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: Box::new([0; SUB * (LEVELS + 1)]),
            total: 0,
        }
    }
}

/// The bucket of `v` and the highest value that bucket stands for.
fn bucket(v: u64) -> (usize, u64) {
    if v < SUB as u64 {
        return (v as usize, v);
    }
    let top = 63 - v.leading_zeros(); // >= SUB_BITS
    let level = (top - SUB_BITS + 1) as usize;
    if level > LEVELS {
        return (SUB * (LEVELS + 1) - 1, u64::MAX);
    }
    let shift = top - (SUB_BITS - 1);
    let sub = ((v >> shift) as usize) & (SUB / 2 - 1);
    // Levels >= 1 use the upper half of their 128 slots' worth of range:
    // v >> shift is in [64, 128), i.e. 64 linear steps.
    let idx = level * SUB + sub;
    let upper = (((v >> shift) + 1) << shift) - 1;
    (idx, upper)
}

/// The highest value a bucket index stands for (the inverse of `bucket`:
/// at level L the value's top bit is L + 6 and it was shifted right by L).
fn bucket_upper(idx: usize) -> u64 {
    let level = idx / SUB;
    let sub = (idx % SUB) as u64;
    if level == 0 {
        return sub;
    }
    ((sub + SUB as u64 / 2 + 1) << level) - 1
}

impl Histogram {
    #[inline]
    pub fn record(&mut self, ns: u64) {
        let (i, _) = bucket(ns.max(1));
        self.counts[i] = self.counts[i].saturating_add(1);
        self.total += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The value at percentile `p` (0..=100).
    pub fn value_at(&self, p: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let wanted = ((p / 100.0) * self.total as f64).ceil().max(1.0) as u64;
        let mut seen = 0u64;
        let mut last = 0;
        for (i, &n) in self.counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            last = i;
            seen += u64::from(n);
            if seen >= wanted {
                return bucket_upper(i);
            }
        }
        bucket_upper(last)
    }
}

impl Histogram {
    /// Cumulative counts at power-of-two boundaries from 1024 ns, as
    /// LATENCY HISTOGRAM reports them (Redis walks its histogram with
    /// `hdr_iter_log_init(1024, 2)`): `(upper bound in µs, count of samples
    /// at or below it)`, only where the count grew.
    pub fn cumulative_usec(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut seen = 0u64;
        let mut reported = 0u64;
        let mut limit: u64 = 1024;
        let mut idx = 0usize;
        while reported < self.total {
            // Everything in buckets whose values do not exceed the limit's
            // own precision class counts as "at or below" it.
            let edge = limit + limit / 128 - 1;
            while idx < self.counts.len() && bucket_upper(idx) <= edge {
                seen += u64::from(self.counts[idx]);
                idx += 1;
            }
            if seen > reported {
                out.push((edge / 1000, seen));
                reported = seen;
            }
            if idx >= self.counts.len() {
                break;
            }
            limit = limit.saturating_mul(2);
        }
        out
    }
}

/// Samples kept per event (`LATENCY_TS_LEN`).
const SERIES_LEN: usize = 160;

/// One event class of the latency monitor: the last samples (one per
/// second at most, the worst of that second) and the all-time maximum.
#[derive(Clone)]
pub struct Series {
    samples: [(i64, u64); SERIES_LEN],
    idx: usize,
    max: u64,
}

impl Series {
    fn new() -> Series {
        Series {
            samples: [(0, 0); SERIES_LEN],
            idx: 0,
            max: 0,
        }
    }

    fn add(&mut self, now: i64, ms: u64) {
        self.max = self.max.max(ms);
        let prev = (self.idx + SERIES_LEN - 1) % SERIES_LEN;
        if self.samples[prev].0 == now {
            self.samples[prev].1 = self.samples[prev].1.max(ms);
            return;
        }
        self.samples[self.idx] = (now, ms);
        self.idx = (self.idx + 1) % SERIES_LEN;
    }

    /// Samples oldest first.
    fn history(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        (0..SERIES_LEN)
            .map(move |j| self.samples[(self.idx + j) % SERIES_LEN])
            .filter(|s| s.0 != 0)
    }

    fn latest(&self) -> (i64, u64) {
        self.samples[(self.idx + SERIES_LEN - 1) % SERIES_LEN]
    }
}

/// The latency monitor (`latency.c`): events whose duration reached
/// `latency-monitor-threshold` milliseconds.
#[derive(Default)]
pub struct Monitor {
    events: Vec<(&'static str, Series)>,
}

impl Monitor {
    /// Records `ms` for `event` (`latencyAddSample`).
    pub fn add(&mut self, event: &'static str, ms: u64) {
        let now = crate::util::mstime() / 1000;
        match self.events.iter_mut().find(|(e, _)| *e == event) {
            Some((_, s)) => s.add(now, ms),
            None => {
                let mut s = Series::new();
                s.add(now, ms);
                self.events.push((event, s));
            }
        }
    }

    fn get(&self, event: &[u8]) -> Option<&(&'static str, Series)> {
        self.events.iter().find(|(e, _)| e.as_bytes() == event)
    }

    /// Forgets one event, or all; returns how many were dropped.
    fn reset(&mut self, event: Option<&[u8]>) -> usize {
        let before = self.events.len();
        match event {
            None => self.events.clear(),
            Some(ev) => self.events.retain(|(e, _)| e.as_bytes() != ev),
        }
        before - self.events.len()
    }
}

impl crate::server::Server {
    /// Records a latency event if monitoring is on and `ms` reached the
    /// threshold (`latencyAddSampleIfNeeded`).
    #[inline]
    pub fn latency_sample(&mut self, event: &'static str, ms: u64) {
        let threshold = self.cfg.latency_monitor_threshold;
        if threshold > 0 && ms >= threshold as u64 {
            self.latency_monitor.add(event, ms);
        }
    }
}

use crate::error::Error;
use crate::server::{CmdResult, Ctx};

/// `LATENCY LATEST`
pub fn latency_latest_command(ctx: &mut Ctx) -> CmdResult {
    let m = &ctx.srv.latency_monitor;
    let r = &mut ctx.c.reply;
    r.array_len(m.events.len());
    for (e, s) in &m.events {
        let (t, ms) = s.latest();
        r.array_len(4);
        r.bulk(e.as_bytes());
        r.int(t);
        r.int(ms as i64);
        r.int(s.max as i64);
    }
    Ok(())
}

/// `LATENCY HISTORY event`
pub fn latency_history_command(ctx: &mut Ctx) -> CmdResult {
    let r = &mut ctx.c.reply;
    match ctx.srv.latency_monitor.get(ctx.argv[2]) {
        None => r.array_len(0),
        Some((_, s)) => {
            let samples: Vec<(i64, u64)> = s.history().collect();
            r.array_len(samples.len());
            for (t, ms) in samples {
                r.array_len(2);
                r.int(t);
                r.int(ms as i64);
            }
        }
    }
    Ok(())
}

/// `LATENCY RESET [event ...]`
pub fn latency_reset_command(ctx: &mut Ctx) -> CmdResult {
    let m = &mut ctx.srv.latency_monitor;
    let n = if ctx.argv.len() == 2 {
        m.reset(None)
    } else {
        ctx.argv[2..].iter().map(|e| m.reset(Some(e))).sum()
    };
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// Width of LATENCY GRAPH.
const GRAPH_COLS: usize = 80;
/// Height of LATENCY GRAPH's bars, in text rows.
const GRAPH_ROWS: usize = 4;

/// `LATENCY GRAPH event`: the samples as a bar chart, one column per
/// sample (oldest left), with how long ago each happened written
/// vertically underneath.
pub fn latency_graph_command(ctx: &mut Ctx) -> CmdResult {
    let Some((event, s)) = ctx.srv.latency_monitor.get(ctx.argv[2]) else {
        return Err(Error::msg(format!(
            "ERR No samples available for event '{}'",
            String::from_utf8_lossy(ctx.argv[2])
        )));
    };
    let now = crate::util::mstime() / 1000;
    let samples: Vec<(i64, u64)> = s.history().collect();
    let samples = &samples[samples.len().saturating_sub(GRAPH_COLS)..];
    let lo = samples.iter().map(|x| x.1).min().unwrap_or(0);
    let hi = samples.iter().map(|x| x.1).max().unwrap_or(0);
    let mut g = format!("{event} - high {hi} ms, low {lo} ms (all time high {} ms)\n", s.max);
    g.push_str(&"-".repeat(GRAPH_COLS));
    g.push('\n');
    // Each bar is 1..=GRAPH_ROWS*2 half-rows tall: '|' fills a row, '.' half of one.
    let height = |ms: u64| -> usize {
        if hi == lo {
            GRAPH_ROWS * 2
        } else {
            1 + ((ms - lo) as usize * (GRAPH_ROWS * 2 - 1)) / (hi - lo) as usize
        }
    };
    for row in (0..GRAPH_ROWS).rev() {
        let line: String = samples
            .iter()
            .map(|&(_, ms)| {
                let h = height(ms);
                if h >= (row + 1) * 2 {
                    '|'
                } else if h == row * 2 + 1 {
                    '.'
                } else {
                    ' '
                }
            })
            .collect();
        g.push_str(line.trim_end());
        g.push('\n');
    }
    let labels: Vec<Vec<u8>> = samples
        .iter()
        .map(|&(t, _)| {
            let ago = (now - t).max(0);
            let l = if ago < 60 {
                format!("{ago}s")
            } else if ago < 3600 {
                format!("{}m", ago / 60)
            } else if ago < 86400 {
                format!("{}h", ago / 3600)
            } else {
                format!("{}d", ago / 86400)
            };
            l.into_bytes()
        })
        .collect();
    let longest = labels.iter().map(Vec::len).max().unwrap_or(0);
    for i in 0..longest {
        let line: String = labels.iter().map(|l| l.get(i).map_or(' ', |&b| b as char)).collect();
        g.push_str(line.trim_end());
        g.push('\n');
    }
    ctx.c.reply.verbatim(g.as_bytes(), b"txt");
    Ok(())
}

/// `LATENCY DOCTOR`: a plain-language summary of the recorded events.
pub fn latency_doctor_command(ctx: &mut Ctx) -> CmdResult {
    let srv = &*ctx.srv;
    let m = &srv.latency_monitor;
    let mut out = String::new();
    if m.events.is_empty() {
        if srv.cfg.latency_monitor_threshold == 0 {
            out.push_str(
                "The latency monitor is off: set latency-monitor-threshold to a number of \
                 milliseconds (CONFIG SET latency-monitor-threshold 100) to record events \
                 that take at least that long.\n",
            );
        } else {
            out.push_str("No latency event has been recorded: every monitored event finished under the threshold.\n");
        }
    } else {
        out.push_str("Latency events recorded by this instance:\n\n");
        for (i, (e, s)) in m.events.iter().enumerate() {
            let hist: Vec<(i64, u64)> = s.history().collect();
            let avg = hist.iter().map(|x| x.1).sum::<u64>() / hist.len().max(1) as u64;
            let first = hist.first().map_or(0, |x| x.0);
            let span = hist.last().map_or(0, |x| x.0) - first;
            let _ = std::fmt::Write::write_fmt(
                &mut out,
                format_args!(
                    "{}. {e}: {} samples over {span} s, average {avg} ms, worst {} ms.\n",
                    i + 1,
                    hist.len(),
                    s.max
                ),
            );
            out.push_str(match *e {
                "command" => "   Slow commands: check SLOWLOG GET for O(N) commands on large values.\n",
                "fast-command" => "   O(1)/O(log N) commands were slow: the machine may be overloaded or swapping.\n",
                "fork" => "   fork() is slow: large datasets and transparent huge pages make it worse.\n",
                "expire-cycle" => "   Active expiry ran long: many keys expire at the same moment.\n",
                "eviction-cycle" | "eviction-del" => "   Eviction ran long: maxmemory is reached under heavy writes.\n",
                _ => "",
            });
        }
    }
    ctx.c.reply.verbatim(out.as_bytes(), b"txt");
    Ok(())
}

/// `LATENCY HISTOGRAM [command ...]`
pub fn latency_histogram_command(ctx: &mut Ctx) -> CmdResult {
    let srv = &*ctx.srv;
    let mut picked: Vec<usize> = Vec::new();
    let with_data = |id: usize| srv.cmd_stats[id].latency.as_ref().is_some_and(|h| !h.is_empty());
    if ctx.argv.len() == 2 {
        for c in srv.cmds.top_level() {
            if with_data(c.id) {
                picked.push(c.id);
            }
            picked.extend(srv.cmds.subs_of(c).iter().map(|s| s.id).filter(|&id| with_data(id)));
        }
    } else {
        for name in &ctx.argv[2..] {
            let Some(c) = srv.cmds.lookup_by_fullname(name) else { continue };
            if with_data(c.id) {
                picked.push(c.id);
            }
            picked.extend(srv.cmds.subs_of(c).iter().map(|s| s.id).filter(|&id| with_data(id)));
        }
    }
    let r = &mut ctx.c.reply;
    r.map_len(picked.len());
    for id in picked {
        let Some(h) = srv.cmd_stats[id].latency.as_ref() else { continue };
        r.bulk(srv.cmds.cmds[id].fullname.as_bytes());
        r.map_len(2);
        r.bulk(b"calls");
        r.int(h.total as i64);
        r.bulk(b"histogram_usec");
        let cdf = h.cumulative_usec();
        r.map_len(cdf.len());
        for (us, n) in cdf {
            r.int(us as i64);
            r.int(n as i64);
        }
    }
    Ok(())
}

/// `LATENCY HELP`
pub fn latency_help_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.help(
        b"LATENCY",
        &[
            "DOCTOR",
            "    Return a human readable analysis of the recorded latency events.",
            "GRAPH <event>",
            "    Return an ASCII graph of the samples of the <event> class.",
            "HISTORY <event>",
            "    Return the time-latency samples of the <event> class.",
            "LATEST",
            "    Return the latest sample of every event class.",
            "RESET [<event> ...]",
            "    Forget the samples of the given event classes (default: all of them).",
            "HISTOGRAM [COMMAND ...]",
            "    Return the cumulative latency distribution of the given commands",
            "    (default: every command that ran).",
        ],
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_bounds_agree() {
        for v in [1u64, 5, 127, 128, 129, 200, 1000, 65_535, 1 << 20, 123_456_789, 1 << 39] {
            let (i, upper) = bucket(v);
            assert!(upper >= v, "{v}");
            assert_eq!(bucket_upper(i), upper, "{v}");
            assert!((upper - v) as f64 <= v as f64 * 0.02, "{v} -> {upper}");
        }
    }

    #[test]
    fn percentiles_are_close() {
        let mut h = Histogram::default();
        for v in 1..=10_000u64 {
            h.record(v * 1000);
        }
        let p50 = h.value_at(50.0) as f64;
        assert!((p50 - 5_000_000.0).abs() / 5_000_000.0 < 0.02, "{p50}");
        assert!(h.value_at(100.0) >= 10_000_000);
        assert!(h.value_at(0.0) >= 1000);
    }
}
