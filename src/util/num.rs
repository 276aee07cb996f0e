//! Number parsing and formatting with Redis's exact rules (util.c):
//! `string2ll` (no spaces, no '+', no leading zeros), strict `strtod` /
//! `strtold` parsing, `%.17g` doubles and the "human" long double format of
//! INCRBYFLOAT. Nothing here allocates.

use std::io::Write;

/// Longest decimal i64 plus sign ("-9223372036854775808").
pub const LONG_STR_SIZE: usize = 21;

/// Parses a strict decimal i64 the way `string2ll` does.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= LONG_STR_SIZE {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !(b'1'..=b'9').contains(&digits[0]) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    if neg {
        if v > (i64::MAX as u64) + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else if v > i64::MAX as u64 {
        None
    } else {
        Some(v as i64)
    }
}

/// Parses a strict decimal u64 (`string2ull`-like: negative values rejected).
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    if !(b'1'..=b'9').contains(&s[0]) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(v)
}

/// Copies `s` into a NUL-terminated stack buffer for libc parsers. Only the
/// bytes of `s` and the NUL are written: zero-filling the whole 5 KB buffer
/// cost more than the parse itself on every float argument.
fn with_cstr<R>(s: &[u8], f: impl FnOnce(*const libc::c_char) -> R) -> Option<R> {
    const CAP: usize = 5120;
    if s.is_empty() || s.len() >= CAP || s.contains(&0) {
        return None;
    }
    let mut buf = std::mem::MaybeUninit::<[u8; CAP]>::uninit();
    let p = buf.as_mut_ptr().cast::<u8>();
    // SAFETY: `s.len() < CAP`, so the copy and the NUL after it stay inside
    // `buf`; the parser reads only up to that NUL, all of it initialised.
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
        *p.add(s.len()) = 0;
    }
    Some(f(p.cast_const().cast()))
}

/// Parses a double the way `string2d` does: the whole input must be a
/// number for `strtod`, no leading space, no NaN, no overflow/underflow.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    if s[..].first().is_none_or(|c| c.is_ascii_whitespace()) {
        return None;
    }
    with_cstr(s, |p| {
        let mut end: *mut libc::c_char = std::ptr::null_mut();
        // SAFETY: `p` points to a NUL-terminated buffer that outlives the
        // call; errno is thread-local.
        unsafe {
            *libc::__errno_location() = 0;
            let v = libc::strtod(p, &mut end);
            let consumed = end.offset_from(p) as usize;
            let errno = *libc::__errno_location();
            if consumed != s.len() || (errno == libc::ERANGE && (v.is_infinite() || v == 0.0)) || v.is_nan() {
                None
            } else {
                Some(v)
            }
        }
    })
    .flatten()
}

extern "C" {
    fn ox_ld_valid(s: *const u8, len: usize) -> libc::c_int;
    fn ox_ld_add(a: *const u8, alen: usize, b: *const u8, blen: usize, out: *mut u8, cap: usize) -> libc::c_int;
}

/// True when `s` is a valid long double for Redis (`string2ld`).
pub fn is_long_double(s: &[u8]) -> bool {
    // SAFETY: pointer and length describe a live slice; the C side copies it.
    unsafe { ox_ld_valid(s.as_ptr(), s.len()) == 1 }
}

/// Why a long double addition failed.
#[derive(Debug, PartialEq, Eq)]
pub enum LdAddError {
    /// The stored value is not a number.
    BadBase,
    /// The increment is not a number.
    BadIncr,
    /// The result would be NaN or infinity.
    NanOrInf,
}

/// Computes `a + b` in x87 long double and formats the result like Redis's
/// `ld2string(.., LD_STR_HUMAN)`. Appends the text to `out`.
pub fn long_double_add(a: &[u8], b: &[u8], out: &mut Vec<u8>) -> Result<(), LdAddError> {
    let mut buf = [0u8; 5200];
    // SAFETY: all pointers/lengths describe live buffers; the C side writes
    // at most `cap` bytes into `buf` and returns how many it wrote.
    let n = unsafe { ox_ld_add(a.as_ptr(), a.len(), b.as_ptr(), b.len(), buf.as_mut_ptr(), buf.len()) };
    match n {
        -1 => Err(LdAddError::BadBase),
        -2 => Err(LdAddError::BadIncr),
        n if n < 0 => Err(LdAddError::NanOrInf),
        n => {
            out.extend_from_slice(&buf[..n as usize]);
            Ok(())
        }
    }
}

/// Writes the decimal form of `v` into `buf`, returning the used tail.
pub fn fmt_i64(v: i64, buf: &mut [u8; LONG_STR_SIZE]) -> &[u8] {
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// Appends the decimal form of `v`.
#[inline]
pub fn push_i64(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; LONG_STR_SIZE];
    out.extend_from_slice(fmt_i64(v, &mut buf));
}

/// Appends `d` formatted like C's `printf("%.17g", d)`, which is what Redis
/// 7.0 uses for every double it replies with. Infinities print as
/// `inf`/`-inf`, as Redis special-cases them.
pub fn push_f64_g17(out: &mut Vec<u8>, d: f64) {
    push_f64_g(out, d, 17)
}

/// `printf("%.<prec>g", d)`.
pub fn push_f64_g(out: &mut Vec<u8>, d: f64, prec: usize) {
    if d.is_infinite() {
        out.extend_from_slice(if d > 0.0 { b"inf" } else { b"-inf" });
        return;
    }
    if d.is_nan() {
        out.extend_from_slice(if d.is_sign_negative() { b"-nan" } else { b"nan" });
        return;
    }
    let prec = prec.max(1);
    // Scientific form with prec significant digits tells us the exponent
    // after rounding, which is what %g decides on.
    let mut sci = [0u8; 64];
    let mut cur = std::io::Cursor::new(&mut sci[..]);
    let _ = write!(cur, "{:.*e}", prec - 1, d);
    let len = cur.position() as usize;
    let sci = &sci[..len];
    let epos = sci.iter().position(|&c| c == b'e').unwrap_or(len);
    let exp: i32 = std::str::from_utf8(&sci[epos + 1..]).ok().and_then(|e| e.parse().ok()).unwrap_or(0);
    let start = out.len();
    if exp < -4 || exp >= prec as i32 {
        // Mantissa, trailing zeros removed, then e±XX.
        let mant = &sci[..epos];
        out.extend_from_slice(mant);
        strip_fraction_zeros(out, start);
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let a = exp.unsigned_abs();
        if a < 10 {
            out.push(b'0');
        }
        push_i64(out, i64::from(a));
    } else {
        let decimals = (prec as i32 - 1 - exp).max(0) as usize;
        let _ = write!(out, "{:.*}", decimals, d);
        strip_fraction_zeros(out, start);
    }
}

/// Removes trailing zeros after a decimal point (and the point itself),
/// looking only at `out[start..]`.
fn strip_fraction_zeros(out: &mut Vec<u8>, start: usize) {
    if !out[start..].contains(&b'.') {
        return;
    }
    while out.last() == Some(&b'0') {
        out.pop();
    }
    if out.last() == Some(&b'.') {
        out.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_i64_rules() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"123"), Some(123));
        assert_eq!(parse_i64(b"-123"), Some(-123));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"-0"), None);
        assert_eq!(parse_i64(b"01"), None);
        assert_eq!(parse_i64(b"+1"), None);
        assert_eq!(parse_i64(b" 1"), None);
        assert_eq!(parse_i64(b"1 "), None);
        assert_eq!(parse_i64(b""), None);
        assert_eq!(parse_i64(b"-"), None);
        assert_eq!(parse_i64(b"1a"), None);
    }

    #[test]
    fn parse_f64_rules() {
        assert_eq!(parse_f64(b"1.5"), Some(1.5));
        assert_eq!(parse_f64(b"1e3"), Some(1000.0));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"0x10"), Some(16.0));
        assert_eq!(parse_f64(b" 1"), None);
        assert_eq!(parse_f64(b"1 "), None);
        assert_eq!(parse_f64(b"nan"), None);
        assert_eq!(parse_f64(b""), None);
        assert_eq!(parse_f64(b"1e-400"), None);
        assert_eq!(parse_f64(b"1e400"), None);
        assert_eq!(parse_f64(b"abc"), None);
    }

    fn g17(d: f64) -> String {
        let mut v = Vec::new();
        push_f64_g17(&mut v, d);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn g17_matches_printf() {
        assert_eq!(g17(1.0), "1");
        assert_eq!(g17(1.1), "1.1000000000000001");
        assert_eq!(g17(0.5), "0.5");
        assert_eq!(g17(-2.5), "-2.5");
        assert_eq!(g17(1e20), "1e+20");
        assert_eq!(g17(1e16), "10000000000000000");
        assert_eq!(g17(1e17), "1e+17");
        assert_eq!(g17(0.0001), "0.0001");
        assert_eq!(g17(0.00001), "1.0000000000000001e-05");
        assert_eq!(g17(123456789.125), "123456789.125");
        assert_eq!(g17(f64::INFINITY), "inf");
        assert_eq!(g17(0.0), "0");
        assert_eq!(g17(-0.0), "-0");
        assert_eq!(g17(3.0e3), "3000");
    }

    #[test]
    fn long_double_add_formats_like_redis() {
        let mut out = Vec::new();
        long_double_add(b"10.5", b"0.1", &mut out).unwrap();
        assert_eq!(out, b"10.6");
        out.clear();
        long_double_add(b"5.0e3", b"2.0e2", &mut out).unwrap();
        assert_eq!(out, b"5200");
        out.clear();
        assert_eq!(long_double_add(b"abc", b"1", &mut out), Err(LdAddError::BadBase));
        assert_eq!(long_double_add(b"1", b"x", &mut out), Err(LdAddError::BadIncr));
        assert_eq!(long_double_add(b"1", b"inf", &mut out), Err(LdAddError::NanOrInf));
        long_double_add(b"-1", b"1", &mut out).unwrap();
        assert_eq!(out, b"0");
    }

    #[test]
    fn fmt_i64_extremes() {
        let mut b = [0u8; LONG_STR_SIZE];
        assert_eq!(fmt_i64(i64::MIN, &mut b), b"-9223372036854775808");
        assert_eq!(fmt_i64(0, &mut b), b"0");
        assert_eq!(fmt_i64(42, &mut b), b"42");
    }
}
