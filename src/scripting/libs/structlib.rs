//! `struct`: packing values into binary strings and back (lua_struct.c),
//! with its format language: `<` `>` endianness, `!n` alignment, `b B h
//! H l L T i I` integers (`in` with a size), `f d` floats, `c` `s`
//! strings, `x` padding. Sizes are those of the x86-64 C types.

use super::super::capi::{lua_function, Lua, LuaRaise};
use super::super::lua;
use mlua::ffi;
use std::os::raw::c_int;

const MAXINTSIZE: usize = 32;
/// `MAXALIGN`: the alignment of double.
const MAXALIGN: usize = 8;

#[derive(Clone, Copy, PartialEq)]
enum Endian {
    Big,
    Little,
}

struct Header {
    endian: Endian,
    align: usize,
}

impl Header {
    fn new() -> Header {
        Header {
            endian: Endian::Little,
            align: 1,
        }
    }
}

type Res<T> = Result<T, LuaRaise>;

/// Which function is running, for argument error messages.
struct Fmt<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Fmt<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    /// `getnum`: a decimal count, or `df`.
    fn num(&mut self, df: usize) -> Res<usize> {
        if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
            return Ok(df);
        }
        let mut a: i64 = 0;
        while let Some(c) = self.peek().filter(|c| c.is_ascii_digit()) {
            let d = i64::from(c - b'0');
            if a > i64::from(i32::MAX) / 10 || a * 10 > i64::from(i32::MAX) - d {
                return Err(LuaRaise::msg(b"integral size overflow".as_slice()));
            }
            a = a * 10 + d;
            self.pos += 1;
        }
        Ok(a as usize)
    }
}

/// `optsize`.
fn optsize(opt: u8, f: &mut Fmt) -> Res<usize> {
    Ok(match opt {
        b'B' | b'b' => 1,
        b'H' | b'h' => 2,
        b'L' | b'l' | b'T' => 8,
        b'f' => 4,
        b'd' => 8,
        b'x' => 1,
        b'c' => f.num(1)?,
        b'i' | b'I' => {
            let sz = f.num(4)?;
            if sz > MAXINTSIZE {
                return Err(LuaRaise::msg(
                    format!("integral size {sz} is larger than limit of {MAXINTSIZE}").into_bytes(),
                ));
            }
            sz
        }
        _ => 0,
    })
}

/// `gettoalign`.
fn gettoalign(len: usize, h: &Header, opt: u8, size: usize) -> usize {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    (size - (len & (size - 1))) & (size - 1)
}

/// `controloptions`.
fn control(l: &Lua, opt: u8, f: &mut Fmt, h: &mut Header) -> Res<()> {
    match opt {
        b' ' => Ok(()),
        b'>' => {
            h.endian = Endian::Big;
            Ok(())
        }
        b'<' => {
            h.endian = Endian::Little;
            Ok(())
        }
        b'!' => {
            let a = f.num(MAXALIGN)?;
            if a == 0 || a & (a - 1) != 0 {
                return Err(LuaRaise::msg(format!("alignment {a} is not a power of 2").into_bytes()));
            }
            h.align = a;
            Ok(())
        }
        _ => {
            let extra = format!("invalid format option '{}'", opt as char);
            Err(l.arg_error(1, &extra))
        }
    }
}

/// `luaL_checknumber`.
fn check_number(l: &Lua, arg: c_int) -> Res<f64> {
    if !l.is_number(arg) {
        return Err(l.type_error(arg, "number"));
    }
    Ok(l.to_number(arg))
}

/// `luaL_checklstring`.
fn check_string<'l>(l: &'l Lua, arg: c_int) -> Res<&'l [u8]> {
    match l.type_of(arg) {
        ffi::LUA_TSTRING | ffi::LUA_TNUMBER => Ok(l.to_bytes(arg).unwrap_or_default()),
        _ => Err(l.type_error(arg, "string")),
    }
}

fn put_integer(out: &mut Vec<u8>, n: f64, endian: Endian, size: usize) {
    let mut value: u64 = if n < 0.0 { lua::c_cast_i64(n) as u64 } else { n as u64 };
    let mut buf = [0u8; MAXINTSIZE];
    if endian == Endian::Little {
        for b in buf.iter_mut().take(size) {
            *b = (value & 0xff) as u8;
            value >>= 8;
        }
    } else {
        for i in (0..size).rev() {
            buf[i] = (value & 0xff) as u8;
            value >>= 8;
        }
    }
    out.extend_from_slice(&buf[..size]);
}

fn pack(l: &mut Lua) -> Res<c_int> {
    let fmt = check_string(l, 1)?.to_vec();
    let fmt_c = &fmt[..fmt.iter().position(|&c| c == 0).unwrap_or(fmt.len())];
    let mut f = Fmt { s: fmt_c, pos: 0 };
    let mut h = Header::new();
    let mut arg = 2;
    let mut total = 0usize;
    let mut out = Vec::new();
    while let Some(opt) = f.peek() {
        f.pos += 1;
        let mut size = optsize(opt, &mut f)?;
        let toalign = gettoalign(total, &h, opt, size);
        total += toalign;
        out.resize(out.len() + toalign, 0);
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = check_number(l, arg)?;
                arg += 1;
                put_integer(&mut out, n, h.endian, size);
            }
            b'x' => out.push(0),
            b'f' => {
                let v = check_number(l, arg)? as f32;
                arg += 1;
                out.extend_from_slice(&if h.endian == Endian::Little {
                    v.to_le_bytes()
                } else {
                    v.to_be_bytes()
                });
            }
            b'd' => {
                let v = check_number(l, arg)?;
                arg += 1;
                out.extend_from_slice(&if h.endian == Endian::Little {
                    v.to_le_bytes()
                } else {
                    v.to_be_bytes()
                });
            }
            b'c' | b's' => {
                let s = check_string(l, arg)?;
                arg += 1;
                if size == 0 {
                    size = s.len();
                }
                if s.len() < size {
                    return Err(l.arg_error(arg, "string too short"));
                }
                out.extend_from_slice(&s[..size]);
                if opt == b's' {
                    out.push(0);
                    size += 1;
                }
            }
            _ => control(l, opt, &mut f, &mut h)?,
        }
        total += size;
    }
    l.push_bytes(&out);
    Ok(1)
}

fn get_integer(buf: &[u8], endian: Endian, signed: bool, size: usize) -> f64 {
    let mut v: u64 = 0;
    if endian == Endian::Big {
        for &b in &buf[..size] {
            v = (v << 8) | u64::from(b);
        }
    } else {
        for &b in buf[..size].iter().rev() {
            v = (v << 8) | u64::from(b);
        }
    }
    if !signed {
        return v as f64;
    }
    let mask = (!0u64).wrapping_shl((size * 8).wrapping_sub(1) as u32);
    if v & mask != 0 {
        v |= mask;
    }
    v as i64 as f64
}

fn unpack(l: &mut Lua) -> Res<c_int> {
    let fmt = check_string(l, 1)?.to_vec();
    let fmt_c = &fmt[..fmt.iter().position(|&c| c == 0).unwrap_or(fmt.len())];
    let data = check_string(l, 2)?.to_vec();
    let ld = data.len();
    let start: i64 = match l.type_of(3) {
        ffi::LUA_TNONE | ffi::LUA_TNIL => 1,
        _ => check_number(l, 3)? as i64,
    };
    if start <= 0 {
        return Err(l.arg_error(3, "offset must be 1 or greater"));
    }
    let mut pos = (start - 1) as usize;
    let mut n: c_int = 0;
    let mut f = Fmt { s: fmt_c, pos: 0 };
    let mut h = Header::new();
    while let Some(opt) = f.peek() {
        f.pos += 1;
        let mut size = optsize(opt, &mut f)?;
        pos += gettoalign(pos, &h, opt, size);
        if !(size <= ld && pos <= ld - size) {
            return Err(l.arg_error(2, "data string too short"));
        }
        if !l.check_stack(2) {
            return Err(LuaRaise::msg(b"stack overflow (too many results)".as_slice()));
        }
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let v = get_integer(&data[pos..], h.endian, opt.is_ascii_lowercase(), size);
                l.push_number(v);
                n += 1;
            }
            b'x' => {}
            b'f' => {
                let mut b = [0u8; 4];
                b.copy_from_slice(&data[pos..pos + 4]);
                let v = if h.endian == Endian::Little {
                    f32::from_le_bytes(b)
                } else {
                    f32::from_be_bytes(b)
                };
                l.push_number(f64::from(v));
                n += 1;
            }
            b'd' => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&data[pos..pos + 8]);
                let v = if h.endian == Endian::Little {
                    f64::from_le_bytes(b)
                } else {
                    f64::from_be_bytes(b)
                };
                l.push_number(v);
                n += 1;
            }
            b'c' => {
                if size == 0 {
                    if n == 0 || !l.is_number(-1) {
                        return Err(LuaRaise::msg(b"format 'c0' needs a previous size".as_slice()));
                    }
                    size = l.to_number(-1) as usize;
                    l.pop(1);
                    n -= 1;
                    if !(size <= ld && pos <= ld - size) {
                        return Err(l.arg_error(2, "data string too short"));
                    }
                }
                l.push_bytes(&data[pos..pos + size]);
                n += 1;
            }
            b's' => {
                let Some(e) = data[pos..].iter().position(|&c| c == 0) else {
                    return Err(LuaRaise::msg(b"unfinished string in data".as_slice()));
                };
                size = e + 1;
                l.push_bytes(&data[pos..pos + e]);
                n += 1;
            }
            _ => control(l, opt, &mut f, &mut h)?,
        }
        pos += size;
    }
    l.push_integer((pos + 1) as i64);
    Ok(n + 1)
}

fn size(l: &mut Lua) -> Res<c_int> {
    let fmt = check_string(l, 1)?.to_vec();
    let fmt_c = &fmt[..fmt.iter().position(|&c| c == 0).unwrap_or(fmt.len())];
    let mut f = Fmt { s: fmt_c, pos: 0 };
    let mut h = Header::new();
    let mut pos = 0usize;
    while let Some(opt) = f.peek() {
        f.pos += 1;
        let size = optsize(opt, &mut f)?;
        pos += gettoalign(pos, &h, opt, size);
        if opt == b's' {
            return Err(l.arg_error(1, "option 's' has no fixed size"));
        } else if opt == b'c' && size == 0 {
            return Err(l.arg_error(1, "option 'c0' has no fixed size"));
        }
        if !opt.is_ascii_alphanumeric() {
            control(l, opt, &mut f, &mut h)?;
        }
        pos += size;
    }
    l.push_integer(pos as i64);
    Ok(1)
}

lua_function!(B_PACK => pack);
lua_function!(B_UNPACK => unpack);
lua_function!(B_SIZE => size);

/// Registers the `struct` table.
pub fn open(l: &mut Lua) {
    super::register(l, b"struct", &[(b"pack", B_PACK), (b"unpack", B_UNPACK), (b"size", B_SIZE)]);
}
