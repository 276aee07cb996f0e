//! Bit operations on string values (bitops.c): SETBIT, GETBIT, BITCOUNT,
//! BITPOS, BITOP, BITFIELD, BITFIELD_RO. Bit 0 is the most significant bit
//! of the first byte.

use crate::config::special::notify;
use crate::db::change::{ev, Event, KeyWrite};
use crate::error::Error;
use crate::object::{NewValue, Obj};
use crate::server::{CmdResult, Ctx, Server};
use crate::types::string::{string_bytes, unshare_string};
use crate::util::num::{parse_i64, LONG_STR_SIZE};

const SETBIT: Event = Event::new(notify::STRING, "setbit");

const BIT_OFFSET_ERR: &str = "ERR bit offset is not an integer or out of range";

/// A bit offset argument; with `hash`, "#N" means N * bits
/// (`getBitOffsetFromArgument`).
fn parse_bit_offset(srv: &Server, arg: &[u8], hash: bool, bits: u64) -> Result<u64, Error> {
    let use_hash = hash && bits > 0 && arg.first() == Some(&b'#');
    let num = if use_hash { &arg[1..] } else { arg };
    let mut v = parse_i64(num).ok_or(Error::err(BIT_OFFSET_ERR))?;
    if use_hash {
        v = v.checked_mul(bits as i64).ok_or(Error::err(BIT_OFFSET_ERR))?;
    }
    if v < 0 || (v >> 3) >= srv.cfg.proto_max_bulk_len {
        return Err(Error::err(BIT_OFFSET_ERR));
    }
    Ok(v as u64)
}

/// The string at `key` grown (zero-filled) to hold bit `maxbit`, created if
/// missing (`lookupStringForBitCommand`). Returns whether it changed size.
fn string_for_bit_write<'s>(srv: &'s mut Server, db: usize, key: &[u8], maxbit: u64) -> Result<(&'s mut Vec<u8>, bool), Error> {
    let byte = (maxbit >> 3) as usize;
    let exists = match srv.lookup_write(db, key) {
        None => false,
        Some(e) => {
            if e.value().string_len().is_none() {
                return Err(Error::WrongType);
            }
            true
        }
    };
    if !exists {
        srv.db_add(db, key, NewValue::Obj(Box::new(Obj::Str(vec![0u8; byte + 1]))));
    }
    let s = unshare_string(srv, db, key).ok_or(Error::WrongType)?;
    let mut grew = !exists;
    if s.len() < byte + 1 {
        s.resize(byte + 1, 0);
        grew = true;
    }
    Ok((s, grew))
}

/// Reads a string key for a read-only bit command: None if missing.
fn read_string(ctx: &mut Ctx, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
    let db = ctx.dbi();
    let mut buf = [0u8; LONG_STR_SIZE];
    match ctx.srv.lookup_read(db, key) {
        None => Ok(None),
        Some(e) => Ok(Some(string_bytes(e.value(), &mut buf)?.to_vec())),
    }
}

/// `SETBIT key offset value`
pub fn setbit_command(ctx: &mut Ctx) -> CmdResult {
    let offset = parse_bit_offset(ctx.srv, ctx.argv[2], false, 0)?;
    let on = parse_i64(ctx.argv[3])
        .filter(|v| *v & !1 == 0)
        .ok_or(Error::err("ERR bit is not an integer or out of range"))?;
    let db = ctx.dbi();
    let key = ctx.argv[1];
    let (s, grew) = string_for_bit_write(ctx.srv, db, key, offset)?;
    let byte = (offset >> 3) as usize;
    let bit = 7 - (offset & 7) as u32;
    let old = (s[byte] >> bit) & 1;
    if grew || i64::from(old) != on {
        s[byte] = (s[byte] & !(1 << bit)) | ((on as u8) << bit);
        ctx.key_modified(key, SETBIT);
    }
    ctx.c.reply.int(i64::from(old));
    Ok(())
}

/// `GETBIT key offset`
pub fn getbit_command(ctx: &mut Ctx) -> CmdResult {
    let offset = parse_bit_offset(ctx.srv, ctx.argv[2], false, 0)?;
    let s = read_string(ctx, ctx.argv[1])?.unwrap_or_default();
    let byte = (offset >> 3) as usize;
    let bit = 7 - (offset & 7) as u32;
    let v = s.get(byte).map(|b| (b >> bit) & 1).unwrap_or(0);
    ctx.c.reply.int(i64::from(v));
    Ok(())
}

fn popcount(s: &[u8]) -> i64 {
    let mut n: u64 = 0;
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        n += u64::from(u64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]).count_ones());
    }
    n += chunks.remainder().iter().map(|b| u64::from(b.count_ones())).sum::<u64>();
    n as i64
}

/// Resolves a start/end range over `len` bytes (or bits), Redis's way.
/// Returns (start, end, first_mask, last_mask) in bytes, or None if empty.
fn resolve_range(len: i64, mut start: i64, mut end: i64, isbit: bool) -> Option<(i64, i64, u8, u8)> {
    let total = if isbit { len << 3 } else { len };
    if start < 0 {
        start += total;
    }
    if end < 0 {
        end += total;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= total {
        end = total - 1;
    }
    let (mut fm, mut lm) = (0u8, 0u8);
    if isbit && start <= end {
        fm = !((1u16 << (8 - (start & 7))) - 1) as u8;
        lm = ((1u16 << (7 - (end & 7))) - 1) as u8;
        start >>= 3;
        end >>= 3;
    }
    Some((start, end, fm, lm))
}

fn parse_unit(arg: &[u8]) -> Result<bool, Error> {
    if arg.eq_ignore_ascii_case(b"bit") {
        Ok(true)
    } else if arg.eq_ignore_ascii_case(b"byte") {
        Ok(false)
    } else {
        Err(Error::Syntax)
    }
}

/// `BITCOUNT key [start end [BYTE|BIT]]`
pub fn bitcount_command(ctx: &mut Ctx) -> CmdResult {
    let Some(s) = read_string(ctx, ctx.argv[1])? else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    let len = s.len() as i64;
    let (start, end, fm, lm) = match ctx.argc() {
        2 => (0, len - 1, 0, 0),
        4 | 5 => {
            let start = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
            let end = parse_i64(ctx.argv[3]).ok_or(Error::NotInteger)?;
            if start < 0 && end < 0 && start > end {
                ctx.c.reply.int(0);
                return Ok(());
            }
            let isbit = if ctx.argc() == 5 { parse_unit(ctx.argv[4])? } else { false };
            resolve_range(len, start, end, isbit).unwrap_or((0, -1, 0, 0))
        }
        _ => return Err(Error::Syntax),
    };
    if start > end {
        ctx.c.reply.int(0);
        return Ok(());
    }
    let (a, b) = (start as usize, end as usize);
    let mut count = popcount(&s[a..=b]);
    if fm != 0 {
        count -= i64::from((s[a] & fm).count_ones());
    }
    if lm != 0 {
        count -= i64::from((s[b] & lm).count_ones());
    }
    ctx.c.reply.int(count);
    Ok(())
}

/// Position of the first bit equal to `bit` (`redisBitpos`); when looking
/// for 0 in all-ones bytes, the position just past them.
fn bitpos(s: &[u8], bit: u8) -> i64 {
    for (i, &b) in s.iter().enumerate() {
        let v = if bit == 1 { b } else { !b };
        if v != 0 {
            return (i as i64) * 8 + i64::from(v.leading_zeros());
        }
    }
    if bit == 1 {
        -1
    } else {
        (s.len() as i64) * 8
    }
}

/// `BITPOS key bit [start [end [BYTE|BIT]]]`
pub fn bitpos_command(ctx: &mut Ctx) -> CmdResult {
    let bit = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
    if bit != 0 && bit != 1 {
        return Err(Error::err("ERR The bit argument must be 1 or 0."));
    }
    let bit = bit as u8;
    let Some(s) = read_string(ctx, ctx.argv[1])? else {
        ctx.c.reply.int(if bit == 1 { -1 } else { 0 });
        return Ok(());
    };
    let len = s.len() as i64;
    let mut end_given = false;
    let (mut start, end, fm, lm) = match ctx.argc() {
        3 => (0, len - 1, 0u8, 0u8),
        4..=6 => {
            let start = parse_i64(ctx.argv[3]).ok_or(Error::NotInteger)?;
            let isbit = if ctx.argc() == 6 { parse_unit(ctx.argv[5])? } else { false };
            let end = if ctx.argc() >= 5 {
                end_given = true;
                parse_i64(ctx.argv[4]).ok_or(Error::NotInteger)?
            } else if isbit {
                (len << 3) + 7
            } else {
                len - 1
            };
            resolve_range(len, start, end, isbit).unwrap_or((0, -1, 0, 0))
        }
        _ => return Err(Error::Syntax),
    };
    if start > end {
        ctx.c.reply.int(-1);
        return Ok(());
    }
    let mut bytes = end - start + 1;
    let mut pos;
    'result: {
        if fm != 0 {
            let mut tmp = if bit == 1 {
                s[start as usize] & !fm
            } else {
                s[start as usize] | fm
            };
            if lm != 0 && bytes == 1 {
                tmp = if bit == 1 { tmp & !lm } else { tmp | lm };
            }
            pos = bitpos(&[tmp], bit);
            if bytes == 1 || (pos != -1 && pos != 8) {
                break 'result;
            }
            start += 1;
            bytes -= 1;
        }
        let cur = bytes - i64::from(lm != 0);
        if cur > 0 {
            pos = bitpos(&s[start as usize..(start + cur) as usize], bit);
            if bytes == cur || (pos != -1 && pos != cur << 3) {
                break 'result;
            }
            start += cur;
            bytes -= cur;
        }
        let tmp = if bit == 1 { s[end as usize] & !lm } else { s[end as usize] | lm };
        pos = bitpos(&[tmp], bit);
    }
    if end_given && bit == 0 && pos == bytes << 3 {
        ctx.c.reply.int(-1);
        return Ok(());
    }
    if pos != -1 {
        pos += start << 3;
    }
    ctx.c.reply.int(pos);
    Ok(())
}

/// `BITOP AND|OR|XOR|NOT destkey key [key ...]`
pub fn bitop_command(ctx: &mut Ctx) -> CmdResult {
    #[derive(PartialEq, Clone, Copy)]
    enum Op {
        And,
        Or,
        Xor,
        Not,
    }
    let op = match ctx.argv[1].to_ascii_lowercase().as_slice() {
        b"and" => Op::And,
        b"or" => Op::Or,
        b"xor" => Op::Xor,
        b"not" => Op::Not,
        _ => return Err(Error::Syntax),
    };
    if op == Op::Not && ctx.argc() != 4 {
        return Err(Error::err("ERR BITOP NOT must be called with a single source key."));
    }
    let mut srcs: Vec<Vec<u8>> = Vec::with_capacity(ctx.argc() - 3);
    for j in 3..ctx.argc() {
        srcs.push(read_string(ctx, ctx.argv[j])?.unwrap_or_default());
    }
    let maxlen = srcs.iter().map(|s| s.len()).max().unwrap_or(0);
    let db = ctx.dbi();
    let dest = ctx.argv[2];
    if maxlen > 0 {
        let mut res = vec![0u8; maxlen];
        for (j, out) in res.iter_mut().enumerate() {
            let at = |s: &Vec<u8>| s.get(j).copied().unwrap_or(0);
            let mut o = at(&srcs[0]);
            if op == Op::Not {
                o = !o;
            }
            for s in &srcs[1..] {
                match op {
                    Op::And => o &= at(s),
                    Op::Or => o |= at(s),
                    Op::Xor => o ^= at(s),
                    Op::Not => {}
                }
            }
            *out = o;
        }
        ctx.srv.set_key(db, dest, NewValue::Obj(Box::new(Obj::Str(res))), false);
        ctx.key_modified(dest, ev::SET);
    } else if ctx.srv.db_delete(db, dest) {
        ctx.key_modified(dest, ev::DEL);
    }
    ctx.c.reply.int(maxlen as i64);
    Ok(())
}

#[derive(Clone, Copy, PartialEq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Clone, Copy, PartialEq)]
enum FieldOp {
    Get,
    Set,
    IncrBy,
}

struct BitfieldOp {
    offset: u64,
    value: i64,
    op: FieldOp,
    overflow: Overflow,
    bits: u32,
    signed: bool,
}

fn get_unsigned(s: &[u8], offset: u64, bits: u32) -> u64 {
    let mut v = 0u64;
    for j in 0..u64::from(bits) {
        let o = offset + j;
        let byte = (o >> 3) as usize;
        let b = s.get(byte).map(|x| (x >> (7 - (o & 7))) & 1).unwrap_or(0);
        v = (v << 1) | u64::from(b);
    }
    v
}

fn get_signed(s: &[u8], offset: u64, bits: u32) -> i64 {
    let u = get_unsigned(s, offset, bits);
    if bits == 64 {
        return u as i64;
    }
    // Sign-extend from `bits`.
    let shift = 64 - bits;
    ((u << shift) as i64) >> shift
}

fn set_unsigned(s: &mut [u8], offset: u64, bits: u32, value: u64) {
    for j in 0..u64::from(bits) {
        let bit = (value >> (u64::from(bits) - 1 - j)) & 1;
        let o = offset + j;
        let byte = (o >> 3) as usize;
        let shift = 7 - (o & 7);
        if let Some(b) = s.get_mut(byte) {
            *b = (*b & !(1 << shift)) | ((bit as u8) << shift);
        }
    }
}

/// Checks `value + incr` for overflow of an unsigned `bits`-wide field;
/// returns (overflowed, the value to store under the overflow policy).
fn unsigned_overflow(value: u64, incr: i64, bits: u32, ow: Overflow) -> (bool, u64) {
    let max = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let maxincr = max.wrapping_sub(value) as i64;
    let minincr = (value as i64).wrapping_neg();
    let wrap = || {
        let res = value.wrapping_add(incr as u64);
        if bits == 64 {
            res
        } else {
            res & !(u64::MAX << bits)
        }
    };
    if value > max || (incr > 0 && incr > maxincr) {
        (true, if ow == Overflow::Sat { max } else { wrap() })
    } else if incr < 0 && incr < minincr {
        (true, if ow == Overflow::Sat { 0 } else { wrap() })
    } else {
        (false, value.wrapping_add(incr as u64))
    }
}

/// Same for a signed `bits`-wide field.
fn signed_overflow(value: i64, incr: i64, bits: u32, ow: Overflow) -> (bool, i64) {
    let max = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
    let min = -max - 1;
    let maxincr = (max as u64).wrapping_sub(value as u64) as i64;
    let minincr = min.wrapping_sub(value);
    let wrap = || {
        let c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let msb = 1u64 << (bits - 1);
            let mask = u64::MAX << bits;
            (if c & msb != 0 { c | mask } else { c & !mask }) as i64
        } else {
            c as i64
        }
    };
    if value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr) {
        (true, if ow == Overflow::Sat { max } else { wrap() })
    } else if value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr) {
        (true, if ow == Overflow::Sat { min } else { wrap() })
    } else {
        (false, value.wrapping_add(incr))
    }
}

fn bitfield_generic(ctx: &mut Ctx, readonly_cmd: bool) -> CmdResult {
    let mut ops: Vec<BitfieldOp> = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut readonly = true;
    let mut highest = 0u64;
    let mut j = 2;
    while j < ctx.argc() {
        let rem = ctx.argc() - j - 1;
        let sub = ctx.argv[j].to_ascii_lowercase();
        let op = match sub.as_slice() {
            b"get" if rem >= 2 => FieldOp::Get,
            b"set" if rem >= 3 => FieldOp::Set,
            b"incrby" if rem >= 3 => FieldOp::IncrBy,
            b"overflow" if rem >= 1 => {
                overflow = match ctx.argv[j + 1].to_ascii_lowercase().as_slice() {
                    b"wrap" => Overflow::Wrap,
                    b"sat" => Overflow::Sat,
                    b"fail" => Overflow::Fail,
                    _ => return Err(Error::err("ERR Invalid OVERFLOW type specified")),
                };
                j += 2;
                continue;
            }
            _ => return Err(Error::Syntax),
        };
        let t = ctx.argv[j + 1];
        let type_err = || Error::err("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
        let signed = match t.first() {
            Some(b'i') => true,
            Some(b'u') => false,
            _ => return Err(type_err()),
        };
        let bits = parse_i64(&t[1..])
            .filter(|b| *b >= 1 && *b <= if signed { 64 } else { 63 })
            .ok_or_else(type_err)? as u32;
        let offset = parse_bit_offset(ctx.srv, ctx.argv[j + 2], true, u64::from(bits))?;
        let mut value = 0;
        if op != FieldOp::Get {
            readonly = false;
            highest = highest.max(offset + u64::from(bits) - 1);
            value = parse_i64(ctx.argv[j + 3]).ok_or(Error::NotInteger)?;
        }
        ops.push(BitfieldOp {
            offset,
            value,
            op,
            overflow,
            bits,
            signed,
        });
        j += if op == FieldOp::Get { 3 } else { 4 };
    }
    let db = ctx.dbi();
    let key = ctx.argv[1];
    if readonly {
        let s = read_string(ctx, key)?;
        let r = &mut ctx.c.reply;
        r.array_len(ops.len());
        for op in &ops {
            let src = s.as_deref().unwrap_or(&[]);
            if op.signed {
                r.int(get_signed(src, op.offset, op.bits));
            } else {
                r.int(get_unsigned(src, op.offset, op.bits) as i64);
            }
        }
        return Ok(());
    }
    if readonly_cmd {
        return Err(Error::err("ERR BITFIELD_RO only supports the GET subcommand"));
    }
    let (s, grew) = string_for_bit_write(ctx.srv, db, key, highest)?;
    let mut out: Vec<Option<i64>> = Vec::with_capacity(ops.len());
    let mut changes = 0u64;
    for op in &ops {
        match op.op {
            FieldOp::Get => {
                out.push(Some(if op.signed {
                    get_signed(s, op.offset, op.bits)
                } else {
                    get_unsigned(s, op.offset, op.bits) as i64
                }));
            }
            FieldOp::Set | FieldOp::IncrBy => {
                if op.signed {
                    let old = get_signed(s, op.offset, op.bits);
                    let (ovf, newval, ret) = if op.op == FieldOp::IncrBy {
                        let (ovf, v) = signed_overflow(old, op.value, op.bits, op.overflow);
                        (ovf, v, v)
                    } else {
                        let (ovf, v) = signed_overflow(op.value, 0, op.bits, op.overflow);
                        (ovf, if ovf { v } else { op.value }, old)
                    };
                    if ovf && op.overflow == Overflow::Fail {
                        out.push(None);
                    } else {
                        out.push(Some(ret));
                        set_unsigned(s, op.offset, op.bits, newval as u64);
                        if grew || old != newval {
                            changes += 1;
                        }
                    }
                } else {
                    let old = get_unsigned(s, op.offset, op.bits);
                    let (ovf, newval, ret) = if op.op == FieldOp::IncrBy {
                        let (ovf, v) = unsigned_overflow(old, op.value, op.bits, op.overflow);
                        (ovf, v, v)
                    } else {
                        let (ovf, v) = unsigned_overflow(op.value as u64, 0, op.bits, op.overflow);
                        (ovf, if ovf { v } else { op.value as u64 }, old)
                    };
                    if ovf && op.overflow == Overflow::Fail {
                        out.push(None);
                    } else {
                        out.push(Some(ret as i64));
                        set_unsigned(s, op.offset, op.bits, newval);
                        if grew || old != newval {
                            changes += 1;
                        }
                    }
                }
            }
        }
    }
    let r = &mut ctx.c.reply;
    r.array_len(out.len());
    for v in out {
        match v {
            Some(v) => r.int(v),
            None => r.null(),
        }
    }
    if changes > 0 {
        ctx.key_modified(key, KeyWrite::new(SETBIT).dirty(changes));
    }
    Ok(())
}

/// `BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ...`
pub fn bitfield_command(ctx: &mut Ctx) -> CmdResult {
    bitfield_generic(ctx, false)
}

/// `BITFIELD_RO key [GET type offset ...]`
pub fn bitfield_ro_command(ctx: &mut Ctx) -> CmdResult {
    bitfield_generic(ctx, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_roundtrip() {
        let mut s = vec![0u8; 16];
        for (off, bits, v) in [(0u64, 8u32, 255u64), (3, 5, 17), (13, 63, (1 << 62) + 5), (100, 1, 1)] {
            set_unsigned(&mut s, off, bits, v);
            assert_eq!(get_unsigned(&s, off, bits), v);
        }
        set_unsigned(&mut s, 0, 8, 0xff);
        assert_eq!(get_signed(&s, 0, 8), -1);
    }

    #[test]
    fn overflow_rules() {
        assert_eq!(unsigned_overflow(250, 10, 8, Overflow::Wrap), (true, 4));
        assert_eq!(unsigned_overflow(250, 10, 8, Overflow::Sat), (true, 255));
        assert_eq!(unsigned_overflow(5, -10, 8, Overflow::Sat), (true, 0));
        assert_eq!(signed_overflow(127, 1, 8, Overflow::Wrap), (true, -128));
        assert_eq!(signed_overflow(-128, -1, 8, Overflow::Sat), (true, -128));
        assert_eq!(signed_overflow(100, 20, 8, Overflow::Wrap), (false, 120));
    }

    #[test]
    fn bitpos_edges() {
        assert_eq!(bitpos(&[0xff, 0xf0], 0), 12);
        assert_eq!(bitpos(&[0xff], 0), 8);
        assert_eq!(bitpos(&[0, 0], 1), -1);
        assert_eq!(bitpos(&[0, 1], 1), 15);
    }
}
