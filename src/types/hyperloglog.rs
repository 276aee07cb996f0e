//! HyperLogLog (hyperloglog.c): PFADD, PFCOUNT, PFMERGE, PFDEBUG,
//! PFSELFTEST.
//!
//! An HLL is a plain string value, byte-compatible with Redis so that
//! DUMP/RESTORE, RDB files and replicas agree: a 16-byte header ("HYLL",
//! encoding, 3 unused bytes, the cached cardinality little endian with its
//! top bit meaning "stale"), then 16384 registers of 6 bits, either dense
//! (12288 bytes, register i at bit 6*i, LSB first) or sparse (run-length
//! opcodes: ZERO `00xxxxxx` for 1-64 zero registers, XZERO `01xxxxxx
//! yyyyyyyy` for 1-16384, VAL `1vvvvvxx` for 1-4 registers of value 1-32).
//! The sparse form is edited in place exactly as Redis does, so both
//! produce the same bytes for the same additions.

use crate::config::special::notify;
use crate::db::change::{Event, KeyWrite};
use crate::error::Error;
use crate::object::{NewValue, Obj, ValueRef};
use crate::server::{CmdResult, Ctx, Server};

const PFADD: Event = Event::new(notify::STRING, "pfadd");

const P: u32 = 14;
const Q: u32 = 64 - P;
const REGISTERS: usize = 1 << P;
const P_MASK: u64 = (REGISTERS - 1) as u64;
const BITS: usize = 6;
const REGISTER_MAX: u8 = (1 << BITS) - 1;
const HDR_SIZE: usize = 16;
const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * BITS).div_ceil(8);
const DENSE: u8 = 0;
const SPARSE: u8 = 1;
const MAX_ENCODING: u8 = 1;

const SPARSE_XZERO_BIT: u8 = 0x40;
const SPARSE_VAL_BIT: u8 = 0x80;
const SPARSE_VAL_MAX_VALUE: u8 = 32;
const SPARSE_VAL_MAX_LEN: usize = 4;
const SPARSE_ZERO_MAX_LEN: usize = 64;
const SPARSE_XZERO_MAX_LEN: usize = 16384;
/// 0.5 / ln(2).
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

const INVALID_HLL: &str = "INVALIDOBJ Corrupted HLL object detected";

fn invalid_hll() -> Error {
    Error::err(INVALID_HLL)
}

fn not_hll() -> Error {
    Error::err("WRONGTYPE Key is not a valid HyperLogLog string value.")
}

// --- Sparse opcodes ---------------------------------------------------------

fn is_zero(b: u8) -> bool {
    b & 0xc0 == 0
}
fn is_xzero(b: u8) -> bool {
    b & 0xc0 == SPARSE_XZERO_BIT
}
fn is_val(b: u8) -> bool {
    b & SPARSE_VAL_BIT != 0
}
fn zero_len(b: u8) -> usize {
    (b & 0x3f) as usize + 1
}
fn xzero_len(b0: u8, b1: u8) -> usize {
    ((((b0 & 0x3f) as usize) << 8) | b1 as usize) + 1
}
fn val_value(b: u8) -> u8 {
    ((b >> 2) & 0x1f) + 1
}
fn val_len(b: u8) -> usize {
    (b & 0x3) as usize + 1
}
fn val_op(value: u8, len: usize) -> u8 {
    ((value - 1) << 2) | (len as u8 - 1) | SPARSE_VAL_BIT
}
fn zero_op(len: usize) -> u8 {
    (len - 1) as u8
}
fn xzero_op(len: usize) -> [u8; 2] {
    let l = len - 1;
    [(l >> 8) as u8 | SPARSE_XZERO_BIT, (l & 0xff) as u8]
}

/// The (register, value) runs of a sparse body; None if it does not cover
/// exactly the 16384 registers.
fn sparse_runs(body: &[u8]) -> Option<Vec<(usize, usize, u8)>> {
    let mut runs = Vec::new();
    let mut idx = 0usize;
    let mut p = 0usize;
    while p < body.len() {
        let b = body[p];
        let (len, val, oplen) = if is_zero(b) {
            (zero_len(b), 0, 1)
        } else if is_xzero(b) {
            let b1 = *body.get(p + 1)?;
            (xzero_len(b, b1), 0, 2)
        } else {
            (val_len(b), val_value(b), 1)
        };
        if idx + len > REGISTERS {
            return None;
        }
        runs.push((idx, len, val));
        idx += len;
        p += oplen;
    }
    (idx == REGISTERS).then_some(runs)
}

// --- Dense registers --------------------------------------------------------

fn dense_get(regs: &[u8], i: usize) -> u8 {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let b0 = regs[byte] as u16;
    let b1 = regs.get(byte + 1).copied().unwrap_or(0) as u16;
    (((b0 >> fb) | (b1 << (8 - fb))) & REGISTER_MAX as u16) as u8
}

fn dense_set(regs: &mut [u8], i: usize, v: u8) {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let v = v as u16;
    let lo_mask = (REGISTER_MAX as u16) << fb;
    regs[byte] = (regs[byte] as u16 & !lo_mask | (v << fb)) as u8;
    if let Some(b1) = regs.get_mut(byte + 1) {
        let hi_mask = (REGISTER_MAX as u16) >> (8 - fb);
        *b1 = (*b1 as u16 & !hi_mask | (v >> (8 - fb))) as u8;
    }
}

/// Sets register `i` to `count` if larger; true if it changed.
fn dense_set_max(regs: &mut [u8], i: usize, count: u8) -> bool {
    if count > dense_get(regs, i) {
        dense_set(regs, i, count);
        true
    } else {
        false
    }
}

// --- Hashing ---------------------------------------------------------------

/// MurmurHash64A, as Redis uses it (little-endian reads).
fn murmur64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let mut k = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        for (i, &b) in rest.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element maps to and the length of its run of zeroes
/// plus one (`hllPatLen`).
fn pat_len(ele: &[u8]) -> (usize, u8) {
    let mut hash = murmur64a(ele, 0xadc8_3b19);
    let index = (hash & P_MASK) as usize;
    hash >>= P;
    hash |= 1u64 << Q;
    (index, hash.trailing_zeros() as u8 + 1)
}

// --- The value -------------------------------------------------------------

/// An empty HLL: sparse, one XZERO covering every register.
fn new_hll() -> Vec<u8> {
    let mut v = Vec::with_capacity(HDR_SIZE + 2 * REGISTERS.div_ceil(SPARSE_XZERO_MAX_LEN));
    v.extend_from_slice(b"HYLL");
    v.push(SPARSE);
    v.extend_from_slice(&[0; 11]);
    let mut left = REGISTERS;
    while left > 0 {
        let n = left.min(SPARSE_XZERO_MAX_LEN);
        v.extend_from_slice(&xzero_op(n));
        left -= n;
    }
    v
}

/// The header checks of `isHLLObjectOrReply`.
fn looks_like_hll(v: &[u8]) -> bool {
    v.len() >= HDR_SIZE && &v[..4] == b"HYLL" && v[4] <= MAX_ENCODING && (v[4] != DENSE || v.len() == DENSE_SIZE)
}

fn invalidate_cache(v: &mut [u8]) {
    v[15] |= 1 << 7;
}

/// Converts a sparse HLL to dense in place (`hllSparseToDense`); false if
/// the sparse data is corrupt (the value is then left unchanged).
fn sparse_to_dense(v: &mut Vec<u8>) -> bool {
    if v[4] == DENSE {
        return true;
    }
    let Some(runs) = sparse_runs(&v[HDR_SIZE..]) else { return false };
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..HDR_SIZE].copy_from_slice(&v[..HDR_SIZE]);
    dense[4] = DENSE;
    let regs = &mut dense[HDR_SIZE..];
    for (start, len, val) in runs {
        if val != 0 {
            for i in start..start + len {
                dense_set(regs, i, val);
            }
        }
    }
    *v = dense;
    true
}

/// Sets register `index` of a sparse HLL to `count` if larger
/// (`hllSparseSet`), editing the opcodes in place like Redis, or
/// promoting to dense when the value does not fit the sparse form or the
/// string would exceed `hll-sparse-max-bytes`. Ok(true) if it changed.
fn sparse_set(v: &mut Vec<u8>, index: usize, count: u8, max_bytes: usize) -> Result<bool, ()> {
    if count > SPARSE_VAL_MAX_VALUE {
        return promote(v, index, count);
    }
    // Step 1: find the opcode covering `index`.
    let end = v.len();
    let mut p = HDR_SIZE;
    let mut first = 0usize;
    let mut prev: Option<usize> = None;
    let mut span = 0usize;
    while p < end {
        let b = v[p];
        let mut oplen = 1;
        span = if is_zero(b) {
            zero_len(b)
        } else if is_val(b) {
            val_len(b)
        } else {
            oplen = 2;
            xzero_len(b, *v.get(p + 1).ok_or(())?)
        };
        if index < first + span {
            break;
        }
        prev = Some(p);
        p += oplen;
        first += span;
    }
    if span == 0 || p >= end {
        return Err(());
    }
    let b = v[p];
    let (op_is_zero, op_is_xzero) = (is_zero(b), is_xzero(b));
    let runlen = if op_is_zero {
        zero_len(b)
    } else if op_is_xzero {
        xzero_len(b, v[p + 1])
    } else {
        val_len(b)
    };
    // Step 2: the easy cases, A/B/C in Redis.
    let mut updated_in_place = false;
    if !op_is_zero && !op_is_xzero {
        let old = val_value(b);
        if old >= count {
            return Ok(false);
        }
        if runlen == 1 {
            v[p] = val_op(count, 1);
            updated_in_place = true;
        }
    }
    if op_is_zero && runlen == 1 {
        v[p] = val_op(count, 1);
        updated_in_place = true;
    }
    if !updated_in_place {
        // Step 3 (D): split the opcode into up to three.
        let last = first + span - 1;
        let mut seq: Vec<u8> = Vec::with_capacity(5);
        if op_is_zero || op_is_xzero {
            if index != first {
                let len = index - first;
                if len > SPARSE_ZERO_MAX_LEN {
                    seq.extend_from_slice(&xzero_op(len));
                } else {
                    seq.push(zero_op(len));
                }
            }
            seq.push(val_op(count, 1));
            if index != last {
                let len = last - index;
                if len > SPARSE_ZERO_MAX_LEN {
                    seq.extend_from_slice(&xzero_op(len));
                } else {
                    seq.push(zero_op(len));
                }
            }
        } else {
            let cur = val_value(b);
            if index != first {
                seq.push(val_op(cur, index - first));
            }
            seq.push(val_op(count, 1));
            if index != last {
                seq.push(val_op(cur, last - index));
            }
        }
        let oldlen = if op_is_xzero { 2 } else { 1 };
        if seq.len() > oldlen && v.len() + seq.len() - oldlen > max_bytes {
            return promote(v, index, count);
        }
        v.splice(p..p + oldlen, seq);
    }
    // Step 4: merge adjacent VAL opcodes of equal value, looking at up to
    // five opcodes from the one before the change.
    let mut p = prev.unwrap_or(HDR_SIZE);
    let mut scan = 5;
    while p < v.len() && scan > 0 {
        scan -= 1;
        let b = v[p];
        if is_xzero(b) {
            p += 2;
            continue;
        }
        if is_zero(b) {
            p += 1;
            continue;
        }
        if p + 1 < v.len() && is_val(v[p + 1]) {
            let (v1, v2) = (val_value(b), val_value(v[p + 1]));
            if v1 == v2 {
                let len = val_len(b) + val_len(v[p + 1]);
                if len <= SPARSE_VAL_MAX_LEN {
                    v[p + 1] = val_op(v1, len);
                    v.remove(p);
                    continue;
                }
            }
        }
        p += 1;
    }
    invalidate_cache(v);
    Ok(true)
}

/// Sparse → dense, then set the register there.
fn promote(v: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, ()> {
    if !sparse_to_dense(v) {
        return Err(());
    }
    Ok(dense_set_max(&mut v[HDR_SIZE..], index, count))
}

/// Adds one element (`hllAdd`): Ok(true) when a register changed.
fn hll_add(v: &mut Vec<u8>, ele: &[u8], max_bytes: usize) -> Result<bool, ()> {
    let (index, count) = pat_len(ele);
    match v[4] {
        DENSE => Ok(dense_set_max(&mut v[HDR_SIZE..], index, count)),
        SPARSE => sparse_set(v, index, count, max_bytes),
        _ => Err(()),
    }
}

/// Merges `v` into the byte-per-register array `max` (`hllMerge`).
fn hll_merge(max: &mut [u8; REGISTERS], v: &[u8]) -> Result<(), ()> {
    if v[4] == DENSE {
        let regs = &v[HDR_SIZE..];
        for (i, m) in max.iter_mut().enumerate() {
            let r = dense_get(regs, i);
            if r > *m {
                *m = r;
            }
        }
        return Ok(());
    }
    for (start, len, val) in sparse_runs(&v[HDR_SIZE..]).ok_or(())? {
        if val != 0 {
            for m in &mut max[start..start + len] {
                if val > *m {
                    *m = val;
                }
            }
        }
    }
    Ok(())
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let z_prime = z;
        z += x * y;
        y += y;
        if z_prime == z {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let z_prime = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if z_prime == z {
            return z / 3.0;
        }
    }
}

/// Cardinality from a register histogram (Ertl's estimator, `hllCount`).
fn estimate(histo: &[u32; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - histo[Q as usize + 1] as f64) / m);
    for j in (1..=Q as usize).rev() {
        z += histo[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(histo[0] as f64 / m);
    (ALPHA_INF * m * m / z).round() as u64
}

/// The register histogram of an HLL; None if a sparse one is corrupt.
fn histogram(v: &[u8]) -> Option<[u32; 64]> {
    let mut h = [0u32; 64];
    if v[4] == DENSE {
        let regs = &v[HDR_SIZE..];
        for i in 0..REGISTERS {
            h[dense_get(regs, i) as usize] += 1;
        }
    } else {
        for (_, len, val) in sparse_runs(&v[HDR_SIZE..])? {
            h[val as usize] += len as u32;
        }
    }
    Some(h)
}

fn histogram_of_max(max: &[u8; REGISTERS]) -> [u32; 64] {
    let mut h = [0u32; 64];
    for &r in max.iter() {
        h[r as usize & 63] += 1;
    }
    h
}

// --- Key access --------------------------------------------------------------

/// The HLL bytes of a key for reading, None if missing; WRONGTYPE if the
/// value is not a string or not an HLL.
fn read_hll(srv: &mut Server, db: usize, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
    let Some(e) = srv.lookup_read(db, key) else { return Ok(None) };
    match e.value() {
        ValueRef::Obj(Obj::Str(s)) if looks_like_hll(s) => Ok(Some(s.clone())),
        ValueRef::Emb(s) if looks_like_hll(s) => Ok(Some(s.to_vec())),
        ValueRef::Obj(Obj::Str(_)) | ValueRef::Emb(_) | ValueRef::Int(_) => Err(not_hll()),
        _ => Err(Error::WrongType),
    }
}

/// The HLL of an existing key as a private buffer to modify
/// (`lookupKeyWrite` + `isHLLObjectOrReply` + `dbUnshareStringValue`).
fn write_hll<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s mut Vec<u8>>, Error> {
    let Some(e) = srv.lookup_write(db, key) else { return Ok(None) };
    match e.value() {
        ValueRef::Obj(Obj::Str(s)) if looks_like_hll(s) => {}
        ValueRef::Emb(s) if looks_like_hll(s) => {}
        ValueRef::Obj(Obj::Str(_)) | ValueRef::Emb(_) | ValueRef::Int(_) => return Err(not_hll()),
        _ => return Err(Error::WrongType),
    }
    crate::types::string::unshare_string(srv, db, key).map(Some).ok_or(Error::WrongType)
}

fn sparse_max_bytes(srv: &Server) -> usize {
    usize::try_from(srv.cfg.hll_sparse_max_bytes).unwrap_or(0)
}

// --- Commands ----------------------------------------------------------------

/// `PFADD key [element ...]`
pub fn pfadd_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let max_bytes = sparse_max_bytes(ctx.srv);
    let mut updated = 0u64;
    if write_hll(ctx.srv, db, key)?.is_none() {
        ctx.srv.db_add(db, key, NewValue::Obj(Box::new(Obj::Str(new_hll()))));
        updated += 1;
    }
    let Some(v) = write_hll(ctx.srv, db, key)? else {
        return Err(invalid_hll());
    };
    for ele in &ctx.argv[2..] {
        match hll_add(v, ele, max_bytes) {
            Ok(true) => updated += 1,
            Ok(false) => {}
            Err(()) => return Err(invalid_hll()),
        }
    }
    if updated > 0 {
        invalidate_cache(v);
        ctx.key_modified(key, KeyWrite::new(PFADD).dirty(updated));
    }
    ctx.c.reply.int(i64::from(updated > 0));
    Ok(())
}

/// `PFCOUNT key [key ...]`
pub fn pfcount_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    if ctx.argc() > 2 {
        let mut max = [0u8; REGISTERS];
        for key in &ctx.argv[1..] {
            let Some(v) = read_hll(ctx.srv, db, key)? else { continue };
            hll_merge(&mut max, &v).map_err(|_| invalid_hll())?;
        }
        ctx.c.reply.int(estimate(&histogram_of_max(&max)) as i64);
        return Ok(());
    }
    let key = ctx.argv[1];
    if read_hll(ctx.srv, db, key)?.is_none() {
        ctx.c.reply.int(0);
        return Ok(());
    }
    let Some(v) = write_hll(ctx.srv, db, key)? else {
        return Err(invalid_hll());
    };
    if v[15] & 0x80 == 0 {
        let card = u64::from_le_bytes([v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]]);
        ctx.c.reply.int(card as i64);
        return Ok(());
    }
    let card = estimate(&histogram(v).ok_or_else(invalid_hll)?);
    v[8..16].copy_from_slice(&card.to_le_bytes());
    // The cached value changed the string: propagate, like Redis.
    ctx.key_modified(key, KeyWrite::silent());
    ctx.c.reply.int(card as i64);
    Ok(())
}

/// `PFMERGE destkey [sourcekey ...]`
pub fn pfmerge_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let mut max = [0u8; REGISTERS];
    let mut use_dense = false;
    for key in &ctx.argv[1..] {
        let Some(v) = read_hll(ctx.srv, db, key)? else { continue };
        use_dense |= v[4] == DENSE;
        hll_merge(&mut max, &v).map_err(|_| invalid_hll())?;
    }
    let dest = ctx.argv[1];
    let max_bytes = sparse_max_bytes(ctx.srv);
    if write_hll(ctx.srv, db, dest)?.is_none() {
        ctx.srv.db_add(db, dest, NewValue::Obj(Box::new(Obj::Str(new_hll()))));
    }
    let Some(v) = write_hll(ctx.srv, db, dest)? else {
        return Err(invalid_hll());
    };
    if use_dense && !sparse_to_dense(v) {
        return Err(invalid_hll());
    }
    for (i, &m) in max.iter().enumerate() {
        if m == 0 {
            continue;
        }
        match v[4] {
            DENSE => {
                dense_set_max(&mut v[HDR_SIZE..], i, m);
            }
            _ => {
                let _ = sparse_set(v, i, m, max_bytes);
            }
        }
    }
    invalidate_cache(v);
    ctx.key_modified(dest, PFADD);
    ctx.c.reply.ok();
    Ok(())
}

/// `PFDEBUG GETREG|DECODE|ENCODING|TODENSE key`
pub fn pfdebug_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let sub = ctx.argv[1].to_ascii_lowercase();
    let key = ctx.argv[2];
    let Some(v) = write_hll(ctx.srv, db, key)? else {
        return Err(Error::err("ERR The specified key does not exist"));
    };
    let arity = |sub: &[u8]| {
        Error::msg(format!(
            "ERR Wrong number of arguments for the '{}' subcommand",
            String::from_utf8_lossy(sub)
        ))
    };
    match sub.as_slice() {
        b"getreg" => {
            if ctx.argv.len() != 3 {
                return Err(arity(ctx.argv[1]));
            }
            let converted = v[4] == SPARSE;
            if converted && !sparse_to_dense(v) {
                return Err(invalid_hll());
            }
            let regs: Vec<u8> = (0..REGISTERS).map(|i| dense_get(&v[HDR_SIZE..], i)).collect();
            if converted {
                // A new encoding to propagate, invisible to WATCH.
                ctx.key_modified(key, KeyWrite::silent().unsignalled());
            }
            let r = &mut ctx.c.reply;
            r.array_len(REGISTERS);
            for x in regs {
                r.int(i64::from(x));
            }
        }
        b"decode" => {
            if ctx.argv.len() != 3 {
                return Err(arity(ctx.argv[1]));
            }
            if v[4] != SPARSE {
                return Err(Error::err("ERR HLL encoding is not sparse"));
            }
            let mut out = String::new();
            let body = &v[HDR_SIZE..];
            let mut p = 0;
            while p < body.len() {
                let b = body[p];
                if is_zero(b) {
                    out.push_str(&format!("z:{} ", zero_len(b)));
                    p += 1;
                } else if is_xzero(b) {
                    let b1 = body.get(p + 1).copied().unwrap_or(0);
                    out.push_str(&format!("Z:{} ", xzero_len(b, b1)));
                    p += 2;
                } else {
                    out.push_str(&format!("v:{},{} ", val_value(b), val_len(b)));
                    p += 1;
                }
            }
            ctx.c.reply.bulk(out.trim_matches(' ').as_bytes());
        }
        b"encoding" => {
            if ctx.argv.len() != 3 {
                return Err(arity(ctx.argv[1]));
            }
            let name: &[u8] = if v[4] == DENSE { b"dense" } else { b"sparse" };
            ctx.c.reply.status(name);
        }
        b"todense" => {
            if ctx.argv.len() != 3 {
                return Err(arity(ctx.argv[1]));
            }
            let conv = v[4] == SPARSE;
            if conv && !sparse_to_dense(v) {
                return Err(invalid_hll());
            }
            if conv {
                ctx.key_modified(key, KeyWrite::silent().unsignalled());
            }
            ctx.c.reply.int(i64::from(conv));
        }
        _ => {
            return Err(Error::msg(format!(
                "ERR Unknown PFDEBUG subcommand '{}'",
                String::from_utf8_lossy(ctx.argv[1])
            )))
        }
    }
    Ok(())
}

/// `PFSELFTEST`: checks register access and the estimator's error.
pub fn pfselftest_command(ctx: &mut Ctx) -> CmdResult {
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..4].copy_from_slice(b"HYLL");
    let mut bytes = [0u8; REGISTERS];
    for _ in 0..1000 {
        for (i, b) in bytes.iter_mut().enumerate() {
            let r = (crate::util::rand_u64() as u8) & REGISTER_MAX;
            *b = r;
            dense_set(&mut dense[HDR_SIZE..], i, r);
        }
        for (i, &b) in bytes.iter().enumerate() {
            let got = dense_get(&dense[HDR_SIZE..], i);
            if got != b {
                return Err(Error::msg(format!("TESTFAILED Register {i} should be {b} but is {got}")));
            }
        }
    }
    dense[HDR_SIZE..].fill(0);
    let mut sparse = new_hll();
    let max_bytes = sparse_max_bytes(ctx.srv);
    let relerr = 1.04 / (REGISTERS as f64).sqrt();
    let mut checkpoint: u64 = 1;
    let seed = crate::util::rand_u64();
    for j in 1..=10_000_000u64 {
        let ele = (j ^ seed).to_le_bytes();
        let (idx, count) = pat_len(&ele);
        dense_set_max(&mut dense[HDR_SIZE..], idx, count);
        if hll_add(&mut sparse, &ele, max_bytes).is_err() {
            return Err(Error::err("TESTFAILED sparse add failed"));
        }
        if j != checkpoint {
            continue;
        }
        if (j as usize) < max_bytes / 2 && sparse[4] != SPARSE {
            return Err(Error::err("TESTFAILED sparse encoding not used"));
        }
        let (Some(hd), Some(hs)) = (histogram(&dense), histogram(&sparse)) else {
            return Err(Error::err("TESTFAILED corrupt HLL"));
        };
        let card = estimate(&hd);
        if card != estimate(&hs) {
            return Err(Error::err("TESTFAILED dense/sparse disagree"));
        }
        let abserr = (checkpoint as i64 - card as i64).unsigned_abs();
        let maxerr = if j == 10 {
            1
        } else {
            (relerr * 6.0 * checkpoint as f64).ceil() as u64
        };
        if abserr > maxerr {
            return Err(Error::msg(format!("TESTFAILED Too big error. card:{checkpoint} abserr:{abserr}")));
        }
        checkpoint *= 10;
    }
    ctx.c.reply.ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_registers_as_redis() {
        // redis-server 7.0.15: PFADD h a hello foo bar, then PFDEBUG DECODE h
        // gives "Z:7348 v:5,1 Z:1867 v:1,1 Z:790 v:1,1 Z:2703 v:2,1 Z:3672".
        let mut v = new_hll();
        for e in ["a", "hello", "foo", "bar"] {
            hll_add(&mut v, e.as_bytes(), 3000).unwrap();
        }
        let runs = sparse_runs(&v[HDR_SIZE..]).unwrap();
        let set: Vec<(usize, u8)> = runs.iter().filter(|r| r.2 != 0).map(|r| (r.0, r.2)).collect();
        assert_eq!(set, vec![(7348, 5), (9216, 1), (10007, 1), (12711, 2)]);
        assert_eq!(estimate(&histogram(&v).unwrap()), 4);
    }

    #[test]
    fn dense_registers_round_trip() {
        let mut regs = vec![0u8; DENSE_SIZE - HDR_SIZE];
        for i in 0..REGISTERS {
            dense_set(&mut regs, i, (i % 64) as u8);
        }
        for i in 0..REGISTERS {
            assert_eq!(dense_get(&regs, i), (i % 64) as u8);
        }
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut sparse = new_hll();
        let mut dense = new_hll();
        assert!(sparse_to_dense(&mut dense));
        for i in 0..5000u32 {
            let e = i.to_string();
            hll_add(&mut sparse, e.as_bytes(), 1 << 20).unwrap();
            hll_add(&mut dense, e.as_bytes(), 1 << 20).unwrap();
        }
        assert_eq!(sparse[4], SPARSE);
        let (a, b) = (estimate(&histogram(&sparse).unwrap()), estimate(&histogram(&dense).unwrap()));
        assert_eq!(a, b);
        assert!((a as f64 - 5000.0).abs() < 5000.0 * 0.05, "{a}");
        let mut promoted = sparse.clone();
        assert!(sparse_to_dense(&mut promoted));
        assert_eq!(&promoted[HDR_SIZE..], &dense[HDR_SIZE..]);
    }

    #[test]
    fn corrupt_sparse_is_detected() {
        let mut v = new_hll();
        v.truncate(HDR_SIZE + 1);
        assert!(histogram(&v).is_none());
        assert!(!sparse_to_dense(&mut v));
        let mut w = new_hll();
        w.push(0x3f); // 64 more zero registers: past the end
        assert!(sparse_runs(&w[HDR_SIZE..]).is_none());
    }
}
