//! The first pass of [`scan`](super::scan), four values at a time in the
//! 64-bit lanes of an AVX2 register.
//!
//! For each value it does the integer steps of the scalar loop: the store
//! index `(bits >> KEY_SHIFT) − offset`, the ordinary test (index in range,
//! low bits not all zero), the compare with the hot value and the unsigned
//! extremes of the bit patterns. The indices of the ordinary values are
//! packed in order (a permutation looked up by the lane mask), so `idx`
//! ends up holding exactly the indices the scalar loop keeps, and the
//! counts and extremes are the same integers (`tests` below).
//!
//! Compares are signed 64-bit compares (AVX2 has no unsigned ones): the
//! index difference lies in `(−2¹⁹, 2¹⁹)` (keys have 64 − `KEY_SHIFT` =
//! 19 bits), and the extremes compare bit patterns with the sign bit
//! flipped, which orders them as unsigned integers.

use super::{KEY_SHIFT, LOW_BITS, Scan};

/// Runs the four-lane pass over `values` if the CPU has AVX2 and returns
/// the scan; `None` without touching anything otherwise (and always off
/// x86-64). `idx` must hold `values.len() + 3` entries (each step stores
/// four).
#[inline]
pub(super) fn collect(
    offset: u32,
    len: u32,
    hot: u64,
    values: &[f64],
    idx: &mut [u32],
) -> Option<Scan> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        assert!(idx.len() >= values.len() + 3, "scan_four: idx too short");
        // SAFETY: the CPU has AVX2 (checked just above), the only feature
        // the kernel is compiled for; `idx` has the room the kernel stores
        // into.
        return Some(unsafe { avx2::collect(offset, len, hot, values, idx) });
    }
    let _ = (offset, len, hot, values, idx);
    None
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{KEY_SHIFT, LOW_BITS, Scan};
    use std::arch::x86_64::*;

    const FLIP: i64 = i64::MIN;

    /// For each 4-bit lane mask, the 32-bit words (the low halves of the
    /// 64-bit lanes) of the set lanes, in lane order, first.
    const PACK: [[i32; 8]; 16] = {
        let mut t = [[0i32; 8]; 16];
        let mut m = 0;
        while m < 16 {
            let (mut k, mut lane) = (0, 0);
            while lane < 4 {
                if m & (1 << lane) != 0 {
                    t[m][k] = 2 * lane;
                    k += 1;
                }
                lane += 1;
            }
            m += 1;
        }
        t
    };

    /// See [`super::collect`]; the caller guarantees AVX2 and
    /// `idx.len() >= values.len() + 3`.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn collect(
        offset: u32,
        len: u32,
        hot: u64,
        values: &[f64],
        idx: &mut [u32],
    ) -> Scan {
        let mut s = Scan::EMPTY;
        let off = _mm256_set1_epi64x(i64::from(offset));
        let below = _mm256_set1_epi64x(-1);
        let above = _mm256_set1_epi64x(i64::from(len));
        let low = _mm256_set1_epi64x(LOW_BITS as i64);
        let hotv = _mm256_set1_epi64x(hot as i64);
        let flip = _mm256_set1_epi64x(FLIP);
        // Extremes with the sign bit flipped (signed order = unsigned).
        let mut lo = _mm256_set1_epi64x(i64::MAX);
        let mut hi = _mm256_set1_epi64x(FLIP);
        let chunks = values.chunks_exact(4);
        let rest = chunks.remainder();
        for c in chunks {
            // SAFETY: `c` holds four f64 (32 bytes); unaligned load.
            let b = unsafe { _mm256_loadu_si256(c.as_ptr().cast()) };
            let d = _mm256_sub_epi64(_mm256_srli_epi64::<{ KEY_SHIFT as i32 }>(b), off);
            let in_range =
                _mm256_and_si256(_mm256_cmpgt_epi64(d, below), _mm256_cmpgt_epi64(above, d));
            let atom = _mm256_cmpeq_epi64(_mm256_and_si256(b, low), _mm256_setzero_si256());
            let ord = _mm256_andnot_si256(atom, in_range);
            let m = _mm256_movemask_pd(_mm256_castsi256_pd(ord)) as usize;
            // SAFETY: a PACK row is eight i32 (32 bytes); unaligned load.
            let perm = unsafe { _mm256_loadu_si256(PACK[m].as_ptr().cast()) };
            let packed = _mm256_permutevar8x32_epi32(d, perm);
            debug_assert!(s.ordinary + 4 <= idx.len());
            // SAFETY: `s.ordinary` is at most the values seen before this
            // step, so the 16 bytes stored lie within `idx` (room for
            // `values.len() + 3`, checked by the caller).
            unsafe {
                _mm_storeu_si128(
                    idx.as_mut_ptr().add(s.ordinary).cast(),
                    _mm256_castsi256_si128(packed),
                )
            };
            s.ordinary += m.count_ones() as usize;
            let is_hot = _mm256_cmpeq_epi64(b, hotv);
            s.hot +=
                u64::from((_mm256_movemask_pd(_mm256_castsi256_pd(is_hot)) as u32).count_ones());
            let bf = _mm256_xor_si256(b, flip);
            lo = _mm256_blendv_epi8(lo, bf, _mm256_cmpgt_epi64(lo, bf));
            hi = _mm256_blendv_epi8(hi, bf, _mm256_cmpgt_epi64(bf, hi));
        }
        let (mut l, mut h) = ([0i64; 4], [0i64; 4]);
        // SAFETY: 32-byte unaligned stores into 32-byte local arrays.
        unsafe {
            _mm256_storeu_si256(l.as_mut_ptr().cast(), lo);
            _mm256_storeu_si256(h.as_mut_ptr().cast(), hi);
        }
        for k in 0..4 {
            s.lo = s.lo.min((l[k] ^ FLIP) as u64);
            s.hi = s.hi.max((h[k] ^ FLIP) as u64);
        }
        super::super::collect(s, offset, len, hot, rest, idx)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{CHUNK, collect as scalar};
    use super::*;

    #[test]
    fn four_lanes_find_what_the_scalar_loop_finds() {
        let key = |x: f64| (x.to_bits() >> KEY_SHIFT) as u32;
        // Values of every kind: ordinary, atoms (zero low bits), zeros of
        // both signs, negative, NaN, infinities, below and above the range.
        let kinds = [
            1.5,
            2.0,
            3.0 + 1e-9,
            0.0,
            -0.0,
            -2.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e-200,
            1e200,
            7.25,
            100.3,
            1.0,
        ];
        let (offset, len) = (key(1.0), key(128.0) - key(1.0));
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for n in [0, 1, 3, 4, 5, 8, 31, 200, CHUNK] {
            for hot in [1.0f64.to_bits(), 0, 2.0f64.to_bits()] {
                let values: Vec<f64> = (0..n)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        let k = (state >> 33) as usize % (kinds.len() + 1);
                        // Also values spread over the range.
                        kinds
                            .get(k)
                            .copied()
                            .unwrap_or(1.0 + (state >> 40) as f64 / 1e4)
                    })
                    .collect();
                let mut idx = vec![0u32; n + 3];
                let Some(got) = collect(offset, len, hot, &values, &mut idx) else {
                    return; // no AVX2 here: nothing to compare
                };
                let mut want_idx = vec![0u32; CHUNK];
                let want = scalar(Scan::EMPTY, offset, len, hot, &values, &mut want_idx);
                assert_eq!(
                    (got.ordinary, got.hot, got.lo, got.hi),
                    (want.ordinary, want.hot, want.lo, want.hi),
                    "n = {n}, hot = {hot:#x}"
                );
                assert_eq!(&idx[..got.ordinary], &want_idx[..want.ordinary], "n = {n}");
            }
        }
    }
}
