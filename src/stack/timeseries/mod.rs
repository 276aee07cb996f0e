//! Time series (RedisTimeSeries 1.12), the `TSDB-TYPE` Stack type, and
//! the TS.* commands (`commands.rs`).
//!
//! A series is a list of chunks sorted by first timestamp, each holding
//! samples in timestamp order without duplicates: `Plain` chunks (the
//! module's UNCOMPRESSED, `chunk_size / 16` samples) or `Packed` ones
//! (COMPRESSED, our decimal-aware codec in `codec.rs`, closed once the
//! encoding reaches `chunk_size` bytes). Appends go to the last chunk;
//! out-of-order inserts and deletes decode the chunk they touch, edit it
//! and re-encode it (splitting it in two when it grew past its size).
//! Retention drops whole chunks older than `last - retention` on append,
//! and queries never see samples older than that.
//!
//! FILTER selection (TS.QUERYINDEX / TS.MGET) is `filter.rs`, over the
//! series keys the key-change hook keeps (`index.rs`). Not yet
//! here: TS.MRANGE/MREVRANGE and compaction rules; `src_key` and rules
//! are kept empty.
//!
//! RDB: our own field layout under encoding version [`ENCVER`] (a
//! version no RedisTimeSeries release writes, so neither side mistakes
//! the other's payload for its own); AOF rewrite emits RESTORE.

pub mod agg;
pub mod codec;
pub mod commands;
pub mod filter;
pub mod index;

use super::rdb::{FieldReader, FieldWriter};
use super::{ModuleDigest, StackType, TypeInfo};
use crate::persist::rdb::codec::{corrupt, LoadResult};
use codec::Packed;
use std::io::{self, Read, Write};

/// Our RDB layout's encoding version.
pub const ENCVER: u32 = 900;
pub const DEFAULT_CHUNK_SIZE: u64 = 4096;

/// DUPLICATE_POLICY / ON_DUPLICATE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    Block,
    First,
    Last,
    Min,
    Max,
    Sum,
}

impl Policy {
    pub fn parse(s: &[u8]) -> Option<Policy> {
        const ALL: [(&str, Policy); 6] = [
            ("block", Policy::Block),
            ("first", Policy::First),
            ("last", Policy::Last),
            ("min", Policy::Min),
            ("max", Policy::Max),
            ("sum", Policy::Sum),
        ];
        ALL.iter().find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(s)).map(|p| p.1)
    }

    pub fn name(self) -> &'static str {
        match self {
            Policy::Block => "block",
            Policy::First => "first",
            Policy::Last => "last",
            Policy::Min => "min",
            Policy::Max => "max",
            Policy::Sum => "sum",
        }
    }

    fn code(p: Option<Policy>) -> u64 {
        match p {
            None => 0,
            Some(p) => 1 + p as u64,
        }
    }

    fn from_code(c: u64) -> Option<Option<Policy>> {
        const ALL: [Policy; 6] = [Policy::Block, Policy::First, Policy::Last, Policy::Min, Policy::Max, Policy::Sum];
        match c {
            0 => Some(None),
            c => ALL.get(c as usize - 1).map(|p| Some(*p)),
        }
    }
}

/// One chunk.
#[derive(Clone, Debug, PartialEq)]
pub enum Chunk {
    Plain(Vec<(u64, f64)>),
    Packed(Packed),
}

impl Chunk {
    fn new(compressed: bool, size: u64) -> Chunk {
        if compressed {
            Chunk::Packed(Packed::new(0))
        } else {
            Chunk::Plain(Vec::with_capacity((size / 16) as usize))
        }
    }

    fn from_samples(compressed: bool, s: Vec<(u64, f64)>) -> Chunk {
        if compressed {
            Chunk::Packed(Packed::from_samples(&s))
        } else {
            Chunk::Plain(s)
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Chunk::Plain(v) => v.len(),
            Chunk::Packed(p) => p.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn first_ts(&self) -> Option<u64> {
        match self {
            Chunk::Plain(v) => v.first().map(|s| s.0),
            Chunk::Packed(p) => (!p.is_empty()).then(|| p.first_ts()),
        }
    }

    pub fn last_ts(&self) -> Option<u64> {
        match self {
            Chunk::Plain(v) => v.last().map(|s| s.0),
            Chunk::Packed(p) => (!p.is_empty()).then(|| p.last_ts()),
        }
    }

    pub fn samples(&self) -> Vec<(u64, f64)> {
        match self {
            Chunk::Plain(v) => v.clone(),
            Chunk::Packed(p) => p.samples(),
        }
    }

    /// Bytes the chunk's data takes (TS.INFO DEBUG `size`).
    pub fn size(&self) -> usize {
        match self {
            Chunk::Plain(v) => v.len() * 16,
            Chunk::Packed(p) => p.size(),
        }
    }

    fn full(&self, size: u64) -> bool {
        match self {
            Chunk::Plain(v) => v.len() as u64 >= (size / 16).max(1),
            Chunk::Packed(p) => p.size() as u64 >= size,
        }
    }

    fn push(&mut self, t: u64, v: f64) {
        match self {
            Chunk::Plain(s) => s.push((t, v)),
            Chunk::Packed(p) => p.push(t, v),
        }
    }
}

/// A time series (`Series`).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub retention: u64,
    pub chunk_size: u64,
    pub compressed: bool,
    pub policy: Option<Policy>,
    pub labels: Vec<(Vec<u8>, Vec<u8>)>,
    pub ignore_time: u64,
    pub ignore_val: f64,
    pub src_key: Option<Vec<u8>>,
    chunks: Vec<Chunk>,
    pub last_ts: u64,
    pub last_val: f64,
    total: u64,
}

/// Why an insert did not happen.
#[derive(Debug, PartialEq)]
pub enum AddError {
    TooOld,
    Blocked,
}

impl Series {
    pub fn new(retention: u64, chunk_size: u64, compressed: bool) -> Series {
        index::ANY_SERIES.store(true, std::sync::atomic::Ordering::Relaxed);
        Series {
            retention,
            chunk_size,
            compressed,
            policy: None,
            labels: Vec::new(),
            ignore_time: 0,
            ignore_val: 0.0,
            src_key: None,
            chunks: Vec::new(),
            last_ts: 0,
            last_val: 0.0,
            total: 0,
        }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }

    /// The oldest timestamp queries may see.
    pub fn min_valid(&self) -> u64 {
        if self.retention > 0 && self.last_ts > self.retention {
            self.last_ts - self.retention
        } else {
            0
        }
    }

    /// `internalAdd` after parsing: inserts or upserts under `policy`.
    /// Ok(false) when IGNORE dropped the sample.
    pub fn add(&mut self, t: u64, v: f64, policy: Policy) -> Result<bool, AddError> {
        if self.retention > 0 && t < self.last_ts && self.retention < self.last_ts - t {
            return Err(AddError::TooOld);
        }
        if policy == Policy::Last
            && self.src_key.is_none()
            && self.total > 0
            && t >= self.last_ts
            && t - self.last_ts <= self.ignore_time
            && (v - self.last_val).abs() <= self.ignore_val
        {
            return Ok(false);
        }
        if self.total > 0 && t <= self.last_ts {
            self.upsert(t, v, policy)?;
        } else {
            self.append(t, v);
        }
        Ok(true)
    }

    fn append(&mut self, t: u64, v: f64) {
        let need_new = self.chunks.last().is_none_or(|c| c.full(self.chunk_size));
        if need_new {
            self.chunks.push(Chunk::new(self.compressed, self.chunk_size));
        }
        if let Some(c) = self.chunks.last_mut() {
            c.push(t, v);
        }
        self.total += 1;
        self.last_ts = t;
        self.last_val = v;
        self.trim();
    }

    /// Drops chunks wholly older than the retention window.
    fn trim(&mut self) {
        let min = self.min_valid();
        if min == 0 {
            return;
        }
        let drop = self.chunks.iter().take_while(|c| c.last_ts().is_some_and(|l| l < min)).count();
        if drop > 0 && drop < self.chunks.len() {
            for c in self.chunks.drain(..drop) {
                self.total -= c.len() as u64;
            }
        }
    }

    /// The chunk a timestamp belongs in: the last starting at or before it.
    fn chunk_for(&self, t: u64) -> usize {
        self.chunks.iter().rposition(|c| c.first_ts().is_some_and(|f| f <= t)).unwrap_or(0)
    }

    fn upsert(&mut self, t: u64, v: f64, policy: Policy) -> Result<(), AddError> {
        let resolve = |old: f64| match policy {
            Policy::Block => Err(AddError::Blocked),
            Policy::First => Ok(old),
            Policy::Last => Ok(v),
            Policy::Min => Ok(old.min(v)),
            Policy::Max => Ok(old.max(v)),
            Policy::Sum => Ok(old + v),
        };
        // A duplicate of the newest sample (TS.ADD key * under load) is
        // rewritten in place, not by re-encoding its chunk.
        if t == self.last_ts {
            if let Some(c) = self.chunks.last_mut() {
                if c.last_ts() == Some(t) {
                    let new = resolve(self.last_val)?;
                    let done = match c {
                        Chunk::Plain(s) => s.last_mut().map(|x| x.1 = new).is_some(),
                        Chunk::Packed(p) => p.replace_last(new),
                    };
                    if done {
                        self.last_val = new;
                        return Ok(());
                    }
                }
            }
        }
        let i = self.chunk_for(t);
        let mut s = self.chunks[i].samples();
        match s.binary_search_by(|x| x.0.cmp(&t)) {
            Ok(j) => {
                let new = resolve(s[j].1)?;
                s[j].1 = new;
                if t == self.last_ts {
                    self.last_val = new;
                }
            }
            Err(j) => {
                s.insert(j, (t, v));
                self.total += 1;
            }
        }
        self.replace_chunk(i, s);
        Ok(())
    }

    /// Re-encodes chunk `i` from `s`, splitting it when over size.
    fn replace_chunk(&mut self, i: usize, s: Vec<(u64, f64)>) {
        let c = Chunk::from_samples(self.compressed, s);
        let over = match &c {
            Chunk::Plain(v) => v.len() as u64 > (self.chunk_size / 16).max(1),
            Chunk::Packed(p) => p.size() as u64 > self.chunk_size * 2,
        };
        if over && c.len() > 1 {
            let mut s = c.samples();
            let tail = s.split_off(s.len() / 2);
            self.chunks[i] = Chunk::from_samples(self.compressed, s);
            self.chunks.insert(i + 1, Chunk::from_samples(self.compressed, tail));
        } else {
            self.chunks[i] = c;
        }
    }

    /// TS.DEL: removes samples in [from, to], answering how many.
    pub fn delete_range(&mut self, from: u64, to: u64) -> u64 {
        let mut deleted = 0u64;
        let mut i = 0;
        while i < self.chunks.len() {
            let c = &self.chunks[i];
            let (Some(f), Some(l)) = (c.first_ts(), c.last_ts()) else {
                i += 1;
                continue;
            };
            if l < from || f > to {
                i += 1;
                continue;
            }
            let mut s = c.samples();
            let before = s.len();
            s.retain(|x| x.0 < from || x.0 > to);
            deleted += (before - s.len()) as u64;
            if s.is_empty() {
                self.chunks.remove(i);
            } else {
                self.chunks[i] = Chunk::from_samples(self.compressed, s);
                i += 1;
            }
        }
        self.total -= deleted;
        if deleted > 0 {
            match self.chunks.last().and_then(|c| c.samples().last().copied()) {
                Some((t, v)) => {
                    self.last_ts = t;
                    self.last_val = v;
                }
                None => {
                    self.last_ts = 0;
                    self.last_val = 0.0;
                }
            }
        }
        deleted
    }

    /// Samples with timestamps in [from, to], oldest first.
    pub fn range(&self, from: u64, to: u64) -> Vec<(u64, f64)> {
        let mut out = Vec::new();
        for c in &self.chunks {
            let (Some(f), Some(l)) = (c.first_ts(), c.last_ts()) else {
                continue;
            };
            if l < from || f > to {
                continue;
            }
            out.extend(c.samples().into_iter().filter(|x| x.0 >= from && x.0 <= to));
        }
        out
    }

    /// Samples a query sees: retention applied.
    pub fn visible(&self) -> (u64, u64) {
        let min = self.min_valid();
        let skipped = self.range(0, min.saturating_sub(1)).len() as u64;
        let n = if min == 0 { 0 } else { skipped };
        (self.total - n, min)
    }

    fn data_bytes(&self) -> usize {
        self.chunks
            .iter()
            .map(|c| match c {
                Chunk::Plain(v) => v.capacity() * 16,
                Chunk::Packed(p) => p.capacity() + 48,
            })
            .sum()
    }

    /// TS.INFO's memoryUsage (ours: struct, labels and chunk buffers).
    pub fn memory(&self) -> usize {
        std::mem::size_of::<Series>()
            + self.labels.iter().map(|(k, v)| k.len() + v.len() + 48).sum::<usize>()
            + self.chunks.capacity() * std::mem::size_of::<Chunk>()
            + self.data_bytes()
    }
}

/// A sample value as the module's RESP2 replies print it (dragonbox
/// shortest digits: plain notation for magnitudes in [1, 1e17), else
/// `d.dddE±x`).
pub fn fmt_value(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v < 0.0 { "-Infinity".into() } else { "Infinity".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let a = v.abs();
    if (1.0..1e17).contains(&a) {
        return format!("{v}");
    }
    let s = format!("{v:E}");
    // Rust prints "1.5E-7" / "1E300": the module's form.
    s
}

impl StackType for Series {
    const INFO: TypeInfo = TypeInfo {
        name: "TSDB-TYPE",
        encver: ENCVER,
        module: "timeseries",
    };

    fn save<W: Write>(&self, w: &mut FieldWriter<'_, W>) -> io::Result<()> {
        w.unsigned(self.retention)?;
        w.unsigned(self.chunk_size)?;
        w.unsigned(u64::from(self.compressed))?;
        w.unsigned(Policy::code(self.policy))?;
        w.unsigned(self.ignore_time)?;
        w.double(self.ignore_val)?;
        w.unsigned(self.labels.len() as u64)?;
        for (k, v) in &self.labels {
            w.string(k)?;
            w.string(v)?;
        }
        match &self.src_key {
            None => w.unsigned(0)?,
            Some(k) => {
                w.unsigned(1)?;
                w.string(k)?;
            }
        }
        w.unsigned(self.last_ts)?;
        w.double(self.last_val)?;
        w.unsigned(self.chunks.len() as u64)?;
        for c in &self.chunks {
            let s = c.samples();
            let mut buf = Vec::with_capacity(s.len() * 16);
            for (t, v) in s {
                buf.extend_from_slice(&t.to_le_bytes());
                buf.extend_from_slice(&v.to_bits().to_le_bytes());
            }
            w.string(&buf)?;
        }
        Ok(())
    }

    fn load<R: Read>(r: &mut FieldReader<'_, R>, encver: u32) -> LoadResult<Self> {
        if encver != ENCVER {
            return corrupt(format!("Time series encoding version {encver} is not supported"));
        }
        let retention = r.unsigned()?;
        let chunk_size = r.unsigned()?;
        if !(48..=1_048_576).contains(&chunk_size) || !chunk_size.is_multiple_of(8) {
            return corrupt("Time series chunk size out of range");
        }
        let compressed = match r.unsigned()? {
            0 => false,
            1 => true,
            _ => return corrupt("Time series encoding flag out of range"),
        };
        let Some(policy) = Policy::from_code(r.unsigned()?) else {
            return corrupt("Time series duplicate policy out of range");
        };
        let ignore_time = r.unsigned()?;
        let ignore_val = r.double()?;
        let nlabels = r.unsigned()?;
        let mut labels = Vec::new();
        for _ in 0..nlabels {
            let k = r.string()?;
            let v = r.string()?;
            labels.push((k, v));
        }
        let src_key = match r.unsigned()? {
            0 => None,
            1 => Some(r.string()?),
            _ => return corrupt("Time series source flag out of range"),
        };
        let last_ts = r.unsigned()?;
        let last_val = r.double()?;
        let nchunks = r.unsigned()?;
        let mut s = Series::new(retention, chunk_size, compressed);
        s.policy = policy;
        s.labels = labels;
        s.ignore_time = ignore_time;
        s.ignore_val = ignore_val;
        s.src_key = src_key;
        let mut prev: Option<u64> = None;
        for _ in 0..nchunks {
            let buf = r.string()?;
            if buf.len() % 16 != 0 || buf.is_empty() {
                return corrupt("Time series chunk length is not whole samples");
            }
            let mut samples = Vec::with_capacity(buf.len() / 16);
            for b in buf.chunks_exact(16) {
                let mut t = [0u8; 8];
                let mut v = [0u8; 8];
                t.copy_from_slice(&b[..8]);
                v.copy_from_slice(&b[8..]);
                let t = u64::from_le_bytes(t);
                if t > i64::MAX as u64 || prev.is_some_and(|p| p >= t) {
                    return corrupt("Time series samples out of order");
                }
                prev = Some(t);
                samples.push((t, f64::from_bits(u64::from_le_bytes(v))));
            }
            s.total += samples.len() as u64;
            s.chunks.push(Chunk::from_samples(compressed, samples));
        }
        if prev.is_some_and(|p| p != last_ts) || (prev.is_none() && last_ts != 0) {
            return corrupt("Time series last timestamp does not match its samples");
        }
        s.last_ts = last_ts;
        s.last_val = last_val;
        Ok(s)
    }

    fn rewrite(&self, key: &[u8]) -> Vec<Vec<Vec<u8>>> {
        use crate::object::{Obj, ValueRef};
        let obj = Obj::Stack(super::StackValue::Series(Box::new(self.clone())));
        let payload = crate::persist::dump::dump_payload(ValueRef::Obj(&obj), true);
        vec![vec![b"RESTORE".to_vec(), key.to_vec(), b"0".to_vec(), payload]]
    }

    /// Every sample, in order, as the module's digest callback feeds them.
    fn digest(&self, d: &mut ModuleDigest) {
        for c in &self.chunks {
            for (t, v) in c.samples() {
                d.add_long_long(t as i64);
                d.add_string_buffer(&v.to_bits().to_le_bytes());
            }
        }
        d.end_sequence();
    }

    fn mem_usage(&self) -> usize {
        self.memory()
    }

    fn free_effort(&self) -> usize {
        self.chunks.len().max(1)
    }

    #[cfg(test)]
    fn samples() -> Vec<Self> {
        let mut a = Series::new(0, 4096, true);
        for i in 0..300u64 {
            let _ = a.add(1000 + i * 10, (i % 17) as f64 / 10.0, Policy::Block);
        }
        a.labels.push((b"l".to_vec(), b"v".to_vec()));
        let mut b = Series::new(100, 48, false);
        for i in 0..20u64 {
            let _ = b.add(i, i as f64 * 1.5, Policy::Last);
        }
        vec![a, b, Series::new(0, 4096, true)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The series against a BTreeMap model under random inserts/deletes.
    #[test]
    fn series_matches_a_model() {
        let mut x: u64 = 12345;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for compressed in [true, false] {
            let mut s = Series::new(0, 128, compressed);
            let mut m = std::collections::BTreeMap::new();
            for _ in 0..3000 {
                let t = rnd() % 2000;
                match rnd() % 10 {
                    0 => {
                        let to = t + rnd() % 50;
                        let n = s.delete_range(t, to);
                        let before = m.len();
                        m.retain(|k, _| *k < t || *k > to);
                        assert_eq!(n as usize, before - m.len());
                    }
                    _ => {
                        let v = (rnd() % 1000) as f64 / 10.0;
                        s.add(t, v, Policy::Last).unwrap();
                        m.insert(t, v);
                    }
                }
                assert_eq!(s.total() as usize, m.len());
            }
            let got = s.range(0, u64::MAX);
            let want: Vec<(u64, f64)> = m.into_iter().collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn values_print_like_the_module() {
        assert_eq!(fmt_value(100.0), "100");
        assert_eq!(fmt_value(1.5), "1.5");
        assert_eq!(fmt_value(f64::MAX), "1.7976931348623157E308");
        assert_eq!(fmt_value(0.5), "5E-1");
        assert_eq!(fmt_value(-2.25), "-2.25");
    }
}
