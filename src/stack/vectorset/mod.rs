//! Vector sets (Redis 8's `vectorset` module, built in): elements (binary
//! strings) each with a vector and optional JSON attributes, searched by
//! cosine similarity through our HNSW engine (`stack::vector::hnsw`).
//!
//! Vectors are normalized on insert (their L2 norm kept, so VEMB gives the
//! vector back) and stored as f32 (NOQUANT), signed 8-bit with a per-vector
//! range (Q8, the default) or one bit per component (BIN). Distances run
//! 0..2 (1 - cosine; for BIN twice the fraction of differing bits), and the
//! similarity clients see is `1 - d/2`.
//!
//! RDB (type `vectorset`, encoding version 1: our own layout, so not the
//! module's version 0, which stores the graph): dim, count,
//! quant | M << 8, flags (1: projection input dim follows, 2: attributes
//! follow each name), then per element its name, [attributes], raw vector
//! bytes, and one unsigned packing its level with the norm and range as
//! f32 bits. The graph is rebuilt on load (each node at its saved level,
//! in saved order), not stored: the stored form stays independent of the
//! engine's internals, and a file or RESTORE payload cannot hand us a
//! malformed graph; the cost is an insert per element at load time.
//! AOF rewrite emits RESTORE of the DUMP payload (exact for quantized
//! sets, whose norms and ranges a VADD of de-quantized values would
//! re-derive slightly differently).

pub mod commands;
pub mod expr;

use super::rdb::{FieldReader, FieldWriter};
use super::{ModuleDigest, StackType, TypeInfo};
use crate::persist::rdb::codec::{corrupt, LoadResult};
use crate::stack::vector::hnsw::{Hnsw, Space, MAX_LEVEL};
use crate::stack::vector::kernels::kernels;
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};

/// Largest vector dimension (`VSET_MAX_VECTOR_DIM`).
pub const MAX_DIM: usize = 1 << 16;
pub const DEFAULT_M: usize = 16;
pub const MIN_M: i64 = 4;
pub const MAX_M: i64 = 4096;
pub const DEFAULT_EF_CONSTRUCTION: usize = 200;

/// Source of `vset-uid` (per process, as the module's counter).
static NEXT_UID: AtomicU64 = AtomicU64::new(0);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quant {
    F32,
    Q8,
    Bin,
}

impl Quant {
    /// The module's `HNSW_QUANT_*` numbers (RDB).
    fn code(self) -> u64 {
        match self {
            Quant::F32 => 0,
            Quant::Q8 => 1,
            Quant::Bin => 2,
        }
    }

    fn from_code(c: u64) -> Option<Quant> {
        match c {
            0 => Some(Quant::F32),
            1 => Some(Quant::Q8),
            2 => Some(Quant::Bin),
            _ => None,
        }
    }

    /// As VINFO and VEMB RAW name it.
    pub fn name(self) -> &'static str {
        match self {
            Quant::F32 => "f32",
            Quant::Q8 => "int8",
            Quant::Bin => "bin",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Elem {
    pub name: Vec<u8>,
    pub attr: Option<Vec<u8>>,
    /// Norm before normalization.
    pub l2: f32,
    /// Q8: the largest absolute normalized component.
    pub range: f32,
}

/// The vectors, indexed by node id (what the graph's [`Space`] reads).
#[derive(Clone, Debug)]
pub struct Store {
    pub dim: usize,
    pub quant: Quant,
    f: Vec<f32>,
    q: Vec<i8>,
    b: Vec<u64>,
    pub elems: Vec<Option<Elem>>,
}

/// A query vector prepared for the set's quantization.
pub struct Query {
    f: Vec<f32>,
    q: Vec<i8>,
    range: f32,
    b: Vec<u64>,
}

fn words(dim: usize) -> usize {
    dim.div_ceil(64)
}

/// Normalizes in place and returns the former norm.
fn normalize(v: &mut [f32]) -> f32 {
    let l2 = (kernels().dot_f32)(v, v).sqrt();
    if l2 > 0.0 {
        for x in v.iter_mut() {
            *x /= l2;
        }
    }
    l2
}

fn quantize(v: &[f32]) -> (Vec<i8>, f32) {
    let range = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    let q = if range > 0.0 {
        v.iter().map(|x| (x / range * 127.0).round().clamp(-127.0, 127.0) as i8).collect()
    } else {
        vec![0; v.len()]
    };
    (q, range)
}

fn binarize(v: &[f32]) -> Vec<u64> {
    let mut b = vec![0u64; words(v.len())];
    for (i, x) in v.iter().enumerate() {
        if *x > 0.0 {
            b[i / 64] |= 1 << (i % 64);
        }
    }
    b
}

impl Store {
    fn new(dim: usize, quant: Quant) -> Store {
        Store {
            dim,
            quant,
            f: Vec::new(),
            q: Vec::new(),
            b: Vec::new(),
            elems: Vec::new(),
        }
    }

    fn fv(&self, i: u32) -> &[f32] {
        let d = self.dim;
        &self.f[i as usize * d..(i as usize + 1) * d]
    }

    fn qv(&self, i: u32) -> &[i8] {
        let d = self.dim;
        &self.q[i as usize * d..(i as usize + 1) * d]
    }

    fn bv(&self, i: u32) -> &[u64] {
        let w = words(self.dim);
        &self.b[i as usize * w..(i as usize + 1) * w]
    }

    fn elem(&self, i: u32) -> Option<&Elem> {
        self.elems.get(i as usize).and_then(|e| e.as_ref())
    }

    /// Prepares a (not yet normalized) query vector of `dim` components.
    pub fn query(&self, mut v: Vec<f32>) -> Query {
        normalize(&mut v);
        let (q, range) = if self.quant == Quant::Q8 { quantize(&v) } else { (Vec::new(), 0.0) };
        let b = if self.quant == Quant::Bin { binarize(&v) } else { Vec::new() };
        Query { f: v, q, range, b }
    }

    /// Stores a raw (quantized) vector at `id`, growing the arrays.
    fn put_raw(&mut self, id: u32, f: &[f32], q: &[i8], b: &[u64], elem: Elem) {
        let i = id as usize;
        if i >= self.elems.len() {
            self.elems.resize(i + 1, None);
            match self.quant {
                Quant::F32 => self.f.resize((i + 1) * self.dim, 0.0),
                Quant::Q8 => self.q.resize((i + 1) * self.dim, 0),
                Quant::Bin => self.b.resize((i + 1) * words(self.dim), 0),
            }
        }
        let (d, w) = (self.dim, words(self.dim));
        match self.quant {
            Quant::F32 => self.f[i * d..(i + 1) * d].copy_from_slice(f),
            Quant::Q8 => self.q[i * d..(i + 1) * d].copy_from_slice(q),
            Quant::Bin => self.b[i * w..(i + 1) * w].copy_from_slice(b),
        }
        self.elems[i] = Some(elem);
    }

    /// The stored vector as floats, de-quantized and de-normalized (VEMB).
    pub fn vector(&self, id: u32) -> Vec<f32> {
        let Some(e) = self.elem(id) else { return Vec::new() };
        match self.quant {
            Quant::F32 => self.fv(id).iter().map(|x| x * e.l2).collect(),
            Quant::Q8 => self.qv(id).iter().map(|&x| f32::from(x) * e.range / 127.0 * e.l2).collect(),
            Quant::Bin => {
                let b = self.bv(id);
                (0..self.dim)
                    .map(|i| if b[i / 64] >> (i % 64) & 1 == 1 { 1.0 } else { -1.0 })
                    .collect()
            }
        }
    }

    /// The raw stored bytes (VEMB RAW, RDB).
    pub fn raw(&self, id: u32) -> Vec<u8> {
        match self.quant {
            Quant::F32 => self.fv(id).iter().flat_map(|x| x.to_le_bytes()).collect(),
            Quant::Q8 => self.qv(id).iter().map(|&x| x as u8).collect(),
            Quant::Bin => {
                let mut out: Vec<u8> = self.bv(id).iter().flat_map(|x| x.to_le_bytes()).collect();
                out.truncate(self.dim.div_ceil(8));
                out
            }
        }
    }

    fn bin_dist(&self, a: &[u64], b: &[u64]) -> f32 {
        (kernels().hamming)(a, b) as f32 * 2.0 / self.dim as f32
    }
}

impl Space for Store {
    type Query = Query;

    fn dist(&self, a: u32, b: u32) -> f32 {
        let d = match self.quant {
            Quant::F32 => 1.0 - (kernels().dot_f32)(self.fv(a), self.fv(b)),
            Quant::Q8 => {
                let (ea, eb) = (self.elem(a).map_or(0.0, |e| e.range), self.elem(b).map_or(0.0, |e| e.range));
                let dot = (kernels().dot_i8)(self.qv(a), self.qv(b)) as f32;
                1.0 - dot * (ea / 127.0) * (eb / 127.0)
            }
            Quant::Bin => return self.bin_dist(self.bv(a), self.bv(b)),
        };
        d.clamp(0.0, 2.0)
    }

    fn dist_query(&self, q: &Query, b: u32) -> f32 {
        let d = match self.quant {
            Quant::F32 => 1.0 - (kernels().dot_f32)(&q.f, self.fv(b)),
            Quant::Q8 => {
                let eb = self.elem(b).map_or(0.0, |e| e.range);
                let dot = (kernels().dot_i8)(&q.q, self.qv(b)) as f32;
                1.0 - dot * (q.range / 127.0) * (eb / 127.0)
            }
            Quant::Bin => return self.bin_dist(&q.b, self.bv(b)),
        };
        d.clamp(0.0, 2.0)
    }
}

/// A vector set.
#[derive(Clone, Debug)]
pub struct VectorSet {
    pub store: Store,
    pub hnsw: Hnsw,
    pub dict: HashMap<Vec<u8>, u32>,
    free: Vec<u32>,
    pub uid: u64,
    /// Ids handed out so far (`hnsw-max-node-uid`).
    pub last_id: u64,
    pub numattribs: u64,
    /// REDUCE: the input dimension and the projection (dim x input).
    pub proj_input: usize,
    pub proj: Vec<f32>,
}

impl VectorSet {
    pub fn new(dim: usize, quant: Quant, m: usize) -> VectorSet {
        VectorSet {
            store: Store::new(dim, quant),
            hnsw: Hnsw::new(m, DEFAULT_EF_CONSTRUCTION, crate::util::rand_u64()),
            dict: HashMap::new(),
            free: Vec::new(),
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            last_id: 0,
            numattribs: 0,
            proj_input: 0,
            proj: Vec::new(),
        }
    }

    pub fn dim(&self) -> usize {
        self.store.dim
    }

    pub fn quant(&self) -> Quant {
        self.store.quant
    }

    pub fn len(&self) -> usize {
        self.dict.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    /// Sets up REDUCE's projection from `input` to `dim` components: a
    /// deterministic ±1/sqrt(input) sign pattern (the parity of `i & j`),
    /// so a replica or a reload gets the same matrix.
    pub fn set_projection(&mut self, input: usize) {
        let dim = self.dim();
        let scale = 1.0 / (input as f32).sqrt();
        self.proj = (0..dim)
            .flat_map(|i| (0..input).map(move |j| if (i & j).count_ones() % 2 == 0 { scale } else { -scale }))
            .collect();
        self.proj_input = input;
    }

    /// Applies the projection (if any) to an input vector.
    pub fn project(&self, v: Vec<f32>) -> Vec<f32> {
        if self.proj_input == 0 {
            return v;
        }
        let k = kernels();
        self.proj.chunks_exact(self.proj_input).map(|row| (k.dot_f32)(row, &v)).collect()
    }

    pub fn id_of(&self, name: &[u8]) -> Option<u32> {
        self.dict.get(name).copied()
    }

    pub fn elem(&self, id: u32) -> Option<&Elem> {
        self.store.elem(id)
    }

    fn alloc_id(&mut self) -> u32 {
        self.last_id += 1;
        match self.free.pop() {
            Some(id) => id,
            None => self.store.elems.len() as u32,
        }
    }

    /// Adds `name` with vector `v` (already projected, `dim` long), or
    /// replaces its vector (re-linking it) when present; `attr` Some sets
    /// the attributes (empty removes them). True when added.
    pub fn insert(&mut self, name: &[u8], mut v: Vec<f32>, attr: Option<&[u8]>, ef: usize) -> bool {
        let l2 = normalize(&mut v);
        let (q, range) = if self.quant() == Quant::Q8 {
            quantize(&v)
        } else {
            (Vec::new(), 0.0)
        };
        let b = if self.quant() == Quant::Bin { binarize(&v) } else { Vec::new() };
        let (added, old_attr) = match self.remove(name) {
            Some(e) => (false, e.attr),
            None => (true, None),
        };
        let attr = match attr {
            Some([]) => None,
            Some(a) => Some(a.to_vec()),
            None => old_attr,
        };
        let elem = Elem {
            name: name.to_vec(),
            attr,
            l2,
            range,
        };
        self.place(elem, &v, &q, &b, None, ef);
        added
    }

    /// Stores an element's raw vector and links it in (at `level` when
    /// loading, else a drawn one).
    fn place(&mut self, elem: Elem, f: &[f32], q: &[i8], b: &[u64], level: Option<usize>, ef: usize) {
        let id = self.alloc_id();
        if elem.attr.is_some() {
            self.numattribs += 1;
        }
        self.dict.insert(elem.name.clone(), id);
        self.store.put_raw(id, f, q, b, elem);
        self.hnsw.set_ef_construction(ef);
        match level {
            Some(l) => self.hnsw.insert_at(&self.store, id, l),
            None => self.hnsw.insert(&self.store, id),
        }
    }

    /// Removes `name`, returning its element.
    pub fn remove(&mut self, name: &[u8]) -> Option<Elem> {
        let id = self.dict.remove(name)?;
        self.hnsw.delete(&self.store, id);
        let e = self.store.elems.get_mut(id as usize).and_then(|e| e.take())?;
        if e.attr.is_some() {
            self.numattribs -= 1;
        }
        self.free.push(id);
        Some(e)
    }

    /// Sets (or with an empty string removes) the attributes of `name`.
    pub fn set_attr(&mut self, name: &[u8], attr: &[u8]) -> bool {
        let Some(id) = self.id_of(name) else { return false };
        let Some(Some(e)) = self.store.elems.get_mut(id as usize) else {
            return false;
        };
        let had = e.attr.is_some();
        e.attr = if attr.is_empty() { None } else { Some(attr.to_vec()) };
        match (had, e.attr.is_some()) {
            (false, true) => self.numattribs += 1,
            (true, false) => self.numattribs -= 1,
            _ => {}
        }
        true
    }

    /// Live ids in id order.
    pub fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.store
            .elems
            .iter()
            .enumerate()
            .filter(|(_, e)| e.is_some())
            .map(|(i, _)| i as u32)
    }

    /// A uniformly random live id.
    pub fn random_id(&self) -> Option<u32> {
        if self.is_empty() {
            return None;
        }
        let n = self.store.elems.len() as u64;
        loop {
            let i = (crate::util::rand_u64() % n) as u32;
            if self.store.elem(i).is_some() {
                return Some(i);
            }
        }
    }
}

/// Our layout differs from the module's (version 0), so it carries its
/// own version: Redis 8 refuses our values and we refuse its, cleanly,
/// instead of misreading each other's fields.
const OUR_ENCVER: u32 = 1;

const FLAG_PROJECTION: u64 = 1;
const FLAG_ATTRIBS: u64 = 2;

impl StackType for VectorSet {
    const INFO: TypeInfo = TypeInfo {
        name: "vectorset",
        encver: OUR_ENCVER,
        module: "vectorset",
    };

    fn save<W: Write>(&self, w: &mut FieldWriter<'_, W>) -> io::Result<()> {
        w.unsigned(self.dim() as u64)?;
        w.unsigned(self.len() as u64)?;
        w.unsigned(self.quant().code() | (self.hnsw.m() as u64 & 0xffff) << 8)?;
        let attrs = self.numattribs != 0;
        let flags = if self.proj_input != 0 { FLAG_PROJECTION } else { 0 } | if attrs { FLAG_ATTRIBS } else { 0 };
        w.unsigned(flags)?;
        if self.proj_input != 0 {
            w.unsigned(self.proj_input as u64)?;
        }
        for id in self.ids() {
            let Some(e) = self.elem(id) else { continue };
            w.string(&e.name)?;
            if attrs {
                w.string(e.attr.as_deref().unwrap_or(b""))?;
            }
            w.string(&self.store.raw(id))?;
            let level = self.hnsw.level(id).unwrap_or(0) as u64;
            w.unsigned(level)?;
            w.unsigned(u64::from(e.l2.to_bits()) | u64::from(e.range.to_bits()) << 32)?;
        }
        Ok(())
    }

    fn load<R: Read>(r: &mut FieldReader<'_, R>, encver: u32) -> LoadResult<Self> {
        if encver != OUR_ENCVER {
            return corrupt(format!(
                "vector set encoding version {encver} is not supported (0 is Redis 8's own layout, which stores the graph)"
            ));
        }
        let dim = r.unsigned()?;
        let count = r.unsigned()?;
        let config = r.unsigned()?;
        let flags = r.unsigned()?;
        if dim == 0 || dim > MAX_DIM as u64 {
            return corrupt(format!("Invalid vector dimension in RDB: dim={dim}"));
        }
        let dim = dim as usize;
        let Some(quant) = Quant::from_code(config & 0xff) else {
            return corrupt("vector set quantization type unknown");
        };
        let m = match (config >> 8) & 0xffff {
            0 => DEFAULT_M as i64,
            m => m as i64,
        };
        if !(MIN_M..=MAX_M).contains(&m) {
            return corrupt("vector set M out of range");
        }
        let mut vs = VectorSet::new(dim, quant, m as usize);
        if flags & FLAG_PROJECTION != 0 {
            let input = r.unsigned()?;
            if input < dim as u64 || input > MAX_DIM as u64 {
                return corrupt("Invalid projection matrix dimensions");
            }
            vs.set_projection(input as usize);
        }
        let attrs = flags & FLAG_ATTRIBS != 0;
        for _ in 0..count {
            let name = r.string()?;
            let attr = if attrs { r.string()? } else { Vec::new() };
            let raw = r.string()?;
            let level = r.unsigned()?;
            let packed = r.unsigned()?;
            let want = match quant {
                Quant::F32 => dim * 4,
                Quant::Q8 => dim,
                Quant::Bin => dim.div_ceil(8),
            };
            if raw.len() != want {
                return corrupt("vector set element vector has the wrong size");
            }
            if level > MAX_LEVEL as u64 {
                return corrupt("vector set element level out of range");
            }
            if vs.dict.contains_key(&name) {
                return corrupt("vector set element duplicated");
            }
            let (l2, range) = (f32::from_bits(packed as u32), f32::from_bits((packed >> 32) as u32));
            if !l2.is_finite() || !range.is_finite() {
                return corrupt("vector set element norm not finite");
            }
            let f: Vec<f32> = if quant == Quant::F32 {
                raw.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
            } else {
                Vec::new()
            };
            if f.iter().any(|x| !x.is_finite()) {
                return corrupt("vector set element vector not finite");
            }
            let q: Vec<i8> = if quant == Quant::Q8 {
                raw.iter().map(|&x| x as i8).collect()
            } else {
                Vec::new()
            };
            let b: Vec<u64> = if quant == Quant::Bin {
                let mut b = vec![0u64; words(dim)];
                for (i, byte) in raw.iter().enumerate() {
                    b[i / 8] |= u64::from(*byte) << (8 * (i % 8));
                }
                b
            } else {
                Vec::new()
            };
            let elem = Elem {
                name,
                attr: if attr.is_empty() { None } else { Some(attr) },
                l2,
                range,
            };
            vs.place(elem, &f, &q, &b, Some(level as usize), DEFAULT_EF_CONSTRUCTION);
        }
        Ok(vs)
    }

    /// RESTORE of the DUMP payload: exact for every quantization (a VADD
    /// of the de-quantized values would re-derive norms and ranges), and
    /// keeps REDUCE's projection. The module has no rewrite callback.
    fn rewrite(&self, key: &[u8]) -> Vec<Vec<Vec<u8>>> {
        use crate::object::{Obj, ValueRef};
        let obj = Obj::Stack(super::StackValue::VectorSet(Box::new(self.clone())));
        let payload = crate::persist::dump::dump_payload(ValueRef::Obj(&obj), true);
        vec![vec![b"RESTORE".to_vec(), key.to_vec(), b"0".to_vec(), payload]]
    }

    fn digest(&self, d: &mut ModuleDigest) {
        for id in self.ids() {
            if let Some(e) = self.elem(id) {
                d.add_string_buffer(&e.name);
                d.add_string_buffer(&self.store.raw(id));
                d.end_sequence();
            }
        }
    }

    fn mem_usage(&self) -> usize {
        std::mem::size_of::<VectorSet>()
            + self.store.f.capacity() * 4
            + self.store.q.capacity()
            + self.store.b.capacity() * 8
            + self
                .store
                .elems
                .iter()
                .flatten()
                .map(|e| e.name.len() * 2 + e.attr.as_ref().map_or(0, |a| a.len()) + 64)
                .sum::<usize>()
            + self.hnsw.mem_usage()
            + self.proj.capacity() * 4
    }

    fn free_effort(&self) -> usize {
        self.len()
    }

    #[cfg(test)]
    fn samples() -> Vec<Self> {
        let mut out = Vec::new();
        for (quant, attrs) in [(Quant::F32, false), (Quant::Q8, true), (Quant::Bin, false)] {
            let mut vs = VectorSet::new(3, quant, 16);
            for i in 0..20 {
                let v = vec![i as f32, 1.0 - i as f32, 0.5];
                let attr = format!("{{\"i\":{i}}}");
                vs.insert(format!("e{i}").as_bytes(), v, attrs.then_some(attr.as_bytes()), 200);
            }
            out.push(vs);
        }
        let mut r = VectorSet::new(2, Quant::F32, 4);
        r.set_projection(5);
        let v = r.project(vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        r.insert(b"p", v, None, 10);
        out.push(r);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantized_vectors_come_back_close() {
        for quant in [Quant::F32, Quant::Q8] {
            let mut vs = VectorSet::new(4, quant, 16);
            assert!(vs.insert(b"a", vec![3.0, -4.0, 0.0, 12.0], None, 200));
            let id = vs.id_of(b"a").unwrap();
            let v = vs.store.vector(id);
            for (x, y) in v.iter().zip([3.0, -4.0, 0.0, 12.0]) {
                assert!((x - y).abs() < 0.1, "{quant:?} {v:?}");
            }
            // Update keeps the attributes unless new ones are given.
            assert!(vs.insert(b"b", vec![1.0, 0.0, 0.0, 0.0], Some(b"{\"x\":1}"), 200));
            assert!(!vs.insert(b"b", vec![0.0, 1.0, 0.0, 0.0], None, 200));
            let b = vs.id_of(b"b").unwrap();
            assert_eq!(vs.elem(b).unwrap().attr.as_deref(), Some(&b"{\"x\":1}"[..]));
            assert_eq!(vs.numattribs, 1);
            assert!(!vs.insert(b"b", vec![0.0, 1.0, 0.0, 0.0], Some(b""), 200));
            assert_eq!(vs.numattribs, 0);
            assert_eq!(vs.len(), 2);
            let q = vs.store.query(vec![0.0, 2.0, 0.0, 0.0]);
            let r = vs.hnsw.search(&vs.store, &q, 2, 10);
            assert_eq!(r[0].0, b);
            assert!(r[0].1 < 0.01);
        }
    }
}
