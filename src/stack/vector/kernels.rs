//! Distance kernels for the vector engine: float dot product (cosine on
//! normalized vectors), squared L2, signed 8-bit dot product (Q8) and
//! Hamming distance over packed bits (BIN).
//!
//! Each kernel has a scalar version (the reference, and what runs on
//! machines without AVX2/FMA) and an AVX2 version chosen at run time with
//! `is_x86_feature_detected!`. The choice is made once and cached in a
//! `OnceLock`d table of function pointers; the tests compare every
//! vectorised kernel with its scalar twin on random and odd-sized input.

use std::sync::OnceLock;

/// The kernels in use on this machine.
pub struct Kernels {
    pub dot_f32: fn(&[f32], &[f32]) -> f32,
    pub l2_f32: fn(&[f32], &[f32]) -> f32,
    pub dot_i8: fn(&[i8], &[i8]) -> i32,
    pub hamming: fn(&[u64], &[u64]) -> u32,
}

static KERNELS: OnceLock<Kernels> = OnceLock::new();

/// The fastest kernels this CPU runs.
pub fn kernels() -> &'static Kernels {
    KERNELS.get_or_init(detect)
}

/// The scalar kernels (the reference).
pub const SCALAR: Kernels = Kernels {
    dot_f32: scalar::dot_f32,
    l2_f32: scalar::l2_f32,
    dot_i8: scalar::dot_i8,
    hamming: scalar::hamming,
};

fn detect() -> Kernels {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return Kernels {
                dot_f32: avx2::dot_f32,
                l2_f32: avx2::l2_f32,
                dot_i8: avx2::dot_i8,
                hamming: scalar::hamming,
            };
        }
    }
    SCALAR
}

pub mod scalar {
    /// Sum of products over the shorter length.
    pub fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
        // Four accumulators so the compiler can vectorise and the sum
        // order matches the wide kernels more closely.
        let mut acc = [0f32; 4];
        let n = a.len().min(b.len());
        let (a, b) = (&a[..n], &b[..n]);
        let mut ca = a.chunks_exact(4);
        let mut cb = b.chunks_exact(4);
        for (x, y) in (&mut ca).zip(&mut cb) {
            for i in 0..4 {
                acc[i] += x[i] * y[i];
            }
        }
        let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
        for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
            s += x * y;
        }
        s
    }

    /// Squared Euclidean distance.
    pub fn l2_f32(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
    }

    pub fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
        a.iter().zip(b).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum()
    }

    pub fn hamming(a: &[u64], b: &[u64]) -> u32 {
        a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    /// Horizontal sum of eight lanes.
    #[target_feature(enable = "avx2")]
    unsafe fn hsum(v: __m256) -> f32 {
        let lo = _mm256_castps256_ps128(v);
        let hi = _mm256_extractf128_ps::<1>(v);
        let s = _mm_add_ps(lo, hi);
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_shuffle_ps::<0x55>(s, s));
        _mm_cvtss_f32(s)
    }

    pub fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
        // SAFETY: chosen only after `detect` saw avx2 and fma.
        unsafe { dot_f32_impl(a, b) }
    }

    #[target_feature(enable = "avx2,fma")]
    unsafe fn dot_f32_impl(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len().min(b.len());
        let mut acc0 = _mm256_setzero_ps();
        let mut acc1 = _mm256_setzero_ps();
        let mut i = 0;
        while i + 16 <= n {
            // SAFETY: i + 16 <= n, within both slices; unaligned loads.
            let (x0, y0, x1, y1) = unsafe {
                (
                    _mm256_loadu_ps(a.as_ptr().add(i)),
                    _mm256_loadu_ps(b.as_ptr().add(i)),
                    _mm256_loadu_ps(a.as_ptr().add(i + 8)),
                    _mm256_loadu_ps(b.as_ptr().add(i + 8)),
                )
            };
            acc0 = _mm256_fmadd_ps(x0, y0, acc0);
            acc1 = _mm256_fmadd_ps(x1, y1, acc1);
            i += 16;
        }
        while i + 8 <= n {
            // SAFETY: i + 8 <= n.
            let (x, y) = unsafe { (_mm256_loadu_ps(a.as_ptr().add(i)), _mm256_loadu_ps(b.as_ptr().add(i))) };
            acc0 = _mm256_fmadd_ps(x, y, acc0);
            i += 8;
        }
        // SAFETY: avx2 is enabled on this function.
        let mut s = unsafe { hsum(_mm256_add_ps(acc0, acc1)) };
        while i < n {
            s += a[i] * b[i];
            i += 1;
        }
        s
    }

    pub fn l2_f32(a: &[f32], b: &[f32]) -> f32 {
        // SAFETY: chosen only after `detect` saw avx2 and fma.
        unsafe { l2_f32_impl(a, b) }
    }

    #[target_feature(enable = "avx2,fma")]
    unsafe fn l2_f32_impl(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len().min(b.len());
        let mut acc = _mm256_setzero_ps();
        let mut i = 0;
        while i + 8 <= n {
            // SAFETY: i + 8 <= n.
            let (x, y) = unsafe { (_mm256_loadu_ps(a.as_ptr().add(i)), _mm256_loadu_ps(b.as_ptr().add(i))) };
            let d = _mm256_sub_ps(x, y);
            acc = _mm256_fmadd_ps(d, d, acc);
            i += 8;
        }
        // SAFETY: avx2 is enabled on this function.
        let mut s = unsafe { hsum(acc) };
        while i < n {
            s += (a[i] - b[i]) * (a[i] - b[i]);
            i += 1;
        }
        s
    }

    pub fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
        // SAFETY: chosen only after `detect` saw avx2.
        unsafe { dot_i8_impl(a, b) }
    }

    #[target_feature(enable = "avx2")]
    unsafe fn dot_i8_impl(a: &[i8], b: &[i8]) -> i32 {
        let n = a.len().min(b.len());
        let mut acc = _mm256_setzero_si256();
        let mut i = 0;
        while i + 16 <= n {
            // SAFETY: i + 16 <= n; 16-byte unaligned loads.
            let (x, y) = unsafe {
                (
                    _mm_loadu_si128(a.as_ptr().add(i) as *const __m128i),
                    _mm_loadu_si128(b.as_ptr().add(i) as *const __m128i),
                )
            };
            // Sign-extend to 16 bits, multiply pairs and add to 32 bits:
            // exact for any i8 input (no saturation).
            let x = _mm256_cvtepi8_epi16(x);
            let y = _mm256_cvtepi8_epi16(y);
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x, y));
            i += 16;
        }
        let mut lanes = [0i32; 8];
        // SAFETY: `lanes` is 32 bytes, the size of the store.
        unsafe { _mm256_storeu_si256(lanes.as_mut_ptr() as *mut __m256i, acc) };
        let mut s: i32 = lanes.iter().sum();
        while i < n {
            s += i32::from(a[i]) * i32::from(b[i]);
            i += 1;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn wide_kernels_match_scalar() {
        let k = kernels();
        let mut s = 7u64;
        for n in [0usize, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 128, 300, 1025] {
            let a: Vec<f32> = (0..n).map(|_| (rng(&mut s) % 2001) as f32 / 1000.0 - 1.0).collect();
            let b: Vec<f32> = (0..n).map(|_| (rng(&mut s) % 2001) as f32 / 1000.0 - 1.0).collect();
            let (d, ds) = ((k.dot_f32)(&a, &b), (SCALAR.dot_f32)(&a, &b));
            assert!((d - ds).abs() <= 1e-3 * (1.0 + ds.abs()), "dot n={n} {d} {ds}");
            let (l, ls) = ((k.l2_f32)(&a, &b), (SCALAR.l2_f32)(&a, &b));
            assert!((l - ls).abs() <= 1e-3 * (1.0 + ls.abs()), "l2 n={n} {l} {ls}");
            let qa: Vec<i8> = (0..n).map(|_| rng(&mut s) as i8).collect();
            let qb: Vec<i8> = (0..n).map(|_| rng(&mut s) as i8).collect();
            assert_eq!((k.dot_i8)(&qa, &qb), (SCALAR.dot_i8)(&qa, &qb), "i8 n={n}");
            // Extremes: -128 * -128 everywhere must not saturate.
            let m = vec![-128i8; n];
            assert_eq!((k.dot_i8)(&m, &m), 16384 * n as i32);
            let ba: Vec<u64> = (0..n / 8).map(|_| rng(&mut s)).collect();
            let bb: Vec<u64> = (0..n / 8).map(|_| rng(&mut s)).collect();
            assert_eq!((k.hamming)(&ba, &bb), (SCALAR.hamming)(&ba, &bb));
        }
    }

    #[test]
    fn scalar_values() {
        assert_eq!((SCALAR.dot_f32)(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
        assert_eq!((SCALAR.l2_f32)(&[1.0, 2.0], &[4.0, 6.0]), 25.0);
        assert_eq!((SCALAR.dot_i8)(&[127, -127], &[127, 127]), 0);
        assert_eq!((SCALAR.hamming)(&[0b1011], &[0b0001]), 2);
    }
}
