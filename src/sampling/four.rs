//! Four alias-mode Poisson series at once, in the four 64-bit lanes of an
//! AVX2 register ([`PoissonSampler::fill_four`]).
//!
//! Each lane runs one sampler's own Xoshiro256++ stream and does, with
//! vector instructions, exactly the integer steps of
//! [`PoissonSampler::alias_value`]: the entry index from the first word's
//! top bits, the threshold compare on its low bits, the alias select, the
//! offset, and the second word's cdf compares. Poisson(r) is counted up to
//! 4 in the lanes: against the three thresholds of `cdf` and the first of
//! `tail_cdf`, the words at which the scalar `fraction_tail` reaches 3 and
//! 4. A lane whose draw needs a cold path (an escape into a tail of
//! Poisson(j), probability below 2⁻¹³, or Poisson(r) beyond 4, below 0.4%)
//! takes that draw's value from the scalar `alias_value` of the same two
//! words instead. The values and the stream positions are therefore those
//! of four scalar fills, bit for bit (`tests` below, and the engine's
//! golden outputs).
//!
//! All compares are signed 64-bit compares (AVX2 has no unsigned ones):
//! the operands are below 2⁶³ (thresholds and low bits are below one
//! entry's mass, at most 2⁶²; the 53-bit words and cdf values below 2⁵³).
//! Entries are read with bounds-checked scalar loads (as fast here as a
//! gather, and safe).

use super::PoissonSampler;
use crate::rng::Xoshiro256pp;

/// Runs the four-lane fill if the CPU has AVX2 and returns `true`; returns
/// `false` without touching anything otherwise. The samplers must be in
/// alias mode and the slices of one length.
#[cfg(target_arch = "x86_64")]
pub(super) fn fill(
    samplers: [&PoissonSampler; 4],
    rngs: &mut [&mut Xoshiro256pp; 4],
    outs: &mut [&mut [f64]; 4],
) -> bool {
    if !std::arch::is_x86_feature_detected!("avx2") {
        return false;
    }
    // SAFETY: the CPU has AVX2 (checked just above), the only feature the
    // kernel is compiled for.
    unsafe { avx2::fill(samplers, rngs, outs) };
    true
}

/// No vector path off x86-64: the caller makes four scalar fills.
#[cfg(not(target_arch = "x86_64"))]
pub(super) fn fill(
    _samplers: [&PoissonSampler; 4],
    _rngs: &mut [&mut Xoshiro256pp; 4],
    _outs: &mut [&mut [f64]; 4],
) -> bool {
    false
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::PoissonSampler;
    use crate::rng::Xoshiro256pp;
    use std::arch::x86_64::*;

    /// A vector of the four lanes `x[0..4]` (lane 0 lowest).
    #[target_feature(enable = "avx2")]
    #[inline]
    fn lanes(x: [u64; 4]) -> __m256i {
        _mm256_set_epi64x(x[3] as i64, x[2] as i64, x[1] as i64, x[0] as i64)
    }

    /// The four lanes of `v` as integers.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn unpack(v: __m256i) -> [u64; 4] {
        let mut x = [0u64; 4];
        // SAFETY: stores 32 bytes into a 32-byte local array (unaligned
        // store).
        unsafe { _mm256_storeu_si256(x.as_mut_ptr().cast(), v) };
        x
    }

    /// The four lanes of `v`, whole numbers below 2⁵², as `f64`: the
    /// number's bits under the exponent of 2⁵², minus 2⁵² (exact).
    #[target_feature(enable = "avx2")]
    #[inline]
    fn to_f64(v: __m256i) -> [f64; 4] {
        const TWO52: f64 = 4_503_599_627_370_496.0;
        let magic = _mm256_set1_pd(TWO52);
        let x = _mm256_sub_pd(_mm256_or_pd(_mm256_castsi256_pd(v), magic), magic);
        let mut out = [0.0; 4];
        // SAFETY: stores 32 bytes into a 32-byte local array (unaligned
        // store).
        unsafe { _mm256_storeu_pd(out.as_mut_ptr(), x) };
        out
    }

    /// `rotl(x, k)` in each lane.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn rotl<const K: i32, const R: i32>(x: __m256i) -> __m256i {
        _mm256_or_si256(_mm256_slli_epi64::<K>(x), _mm256_srli_epi64::<R>(x))
    }

    /// Four Xoshiro256++ generators, state word `i` of lane `l` in lane `l`
    /// of `s[i]`.
    struct Gen4 {
        s: [__m256i; 4],
    }

    impl Gen4 {
        /// One output of each generator (`Xoshiro256pp::next_u64`).
        #[target_feature(enable = "avx2")]
        #[inline]
        fn next(&mut self) -> __m256i {
            let [s0, s1, s2, s3] = &mut self.s;
            let result = _mm256_add_epi64(rotl::<23, 41>(_mm256_add_epi64(*s0, *s3)), *s0);
            let t = _mm256_slli_epi64::<17>(*s1);
            *s2 = _mm256_xor_si256(*s2, *s0);
            *s3 = _mm256_xor_si256(*s3, *s1);
            *s1 = _mm256_xor_si256(*s1, *s2);
            *s0 = _mm256_xor_si256(*s0, *s3);
            *s2 = _mm256_xor_si256(*s2, t);
            *s3 = rotl::<45, 19>(*s3);
            result
        }
    }

    /// The four-lane fill (see the module documentation).
    ///
    /// # Safety
    ///
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn fill(
        samplers: [&PoissonSampler; 4],
        rngs: &mut [&mut Xoshiro256pp; 4],
        outs: &mut [&mut [f64]; 4],
    ) {
        let n = outs[0].len();
        let [o0, o1, o2, o3] = outs;
        let (o0, o1, o2, o3) = (&mut o0[..n], &mut o1[..n], &mut o2[..n], &mut o3[..n]);
        let st = rngs.each_ref().map(|r| r.state());
        let mut g = Gen4 {
            s: [0, 1, 2, 3].map(|i| lanes([st[0][i], st[1][i], st[2][i], st[3][i]])),
        };
        let tab = samplers.map(|s| s.table);
        let e = tab.map(|t| t.entries);
        let shift = lanes(tab.map(|t| t.shift as u64));
        let mask = lanes(tab.map(|t| t.mask));
        let lo = lanes(tab.map(|t| t.lo as u64));
        let m = lanes(tab.map(|t| t.m as u64));
        let [c0, c1, c2] = [0, 1, 2].map(|i| lanes(samplers.map(|s| s.cdf[i])));
        let [c3, c4] = [0, 1].map(|i| lanes(samplers.map(|s| s.tail_cdf[i])));
        let four = _mm256_set1_epi64x(4);
        for t in 0..n {
            let u = g.next();
            let idx = _mm256_srlv_epi64(u, shift);
            let i = unpack(idx);
            let entry = lanes([
                e[0][i[0] as usize],
                e[1][i[1] as usize],
                e[2][i[2] as usize],
                e[3][i[3] as usize],
            ]);
            // keep the entry's own index when low(u) < threshold(entry).
            let keep = _mm256_cmpgt_epi64(_mm256_and_si256(entry, mask), _mm256_and_si256(u, mask));
            let v = _mm256_blendv_epi8(_mm256_srlv_epi64(entry, shift), idx, keep);
            let word = g.next();
            let w = _mm256_srli_epi64::<11>(word);
            // Poisson(r) up to 4: 4 + (−1 for each of c0, c1, c2, c3
            // above w).
            let below = _mm256_add_epi64(
                _mm256_add_epi64(_mm256_cmpgt_epi64(c0, w), _mm256_cmpgt_epi64(c1, w)),
                _mm256_add_epi64(_mm256_cmpgt_epi64(c2, w), _mm256_cmpgt_epi64(c3, w)),
            );
            let k = _mm256_add_epi64(_mm256_add_epi64(lo, v), _mm256_add_epi64(four, below));
            // Central value (v < m) and Poisson(r) below 5 (w < c4).
            let hot = _mm256_and_si256(_mm256_cmpgt_epi64(m, v), _mm256_cmpgt_epi64(c4, w));
            let mut x = to_f64(k);
            if _mm256_movemask_pd(_mm256_castsi256_pd(hot)) != 0b1111 {
                let (hot, u, word) = (unpack(hot), unpack(u), unpack(word));
                for l in 0..4 {
                    if hot[l] == 0 {
                        x[l] = samplers[l].alias_value(u[l], word[l]);
                    }
                }
            }
            o0[t] = x[0];
            o1[t] = x[1];
            o2[t] = x[2];
            o3[t] = x[3];
        }
        let s = [
            unpack(g.s[0]),
            unpack(g.s[1]),
            unpack(g.s[2]),
            unpack(g.s[3]),
        ];
        for (l, r) in rngs.iter_mut().enumerate() {
            **r = Xoshiro256pp::from_state([s[0][l], s[1][l], s[2][l], s[3][l]]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::PoissonSampler;
    use crate::rng::Xoshiro256pp;

    /// Draws `n` values from each of four samplers, streams seeded from
    /// `seed`, both by four scalar fills and by one four-lane fill; checks
    /// that the streams end at the same positions; returns (scalar,
    /// four-lane) series.
    fn both_ways(s: [&PoissonSampler; 4], seed: u64, n: usize) -> ([Vec<f64>; 4], [Vec<f64>; 4]) {
        let mut scalar = [0, 1, 2, 3].map(|l| Xoshiro256pp::from_seed_u64(seed + l));
        let mut vector = scalar.clone();
        let mut want = [(); 4].map(|_| vec![0.0; n]);
        for l in 0..4 {
            s[l].fill(&mut scalar[l], &mut want[l]);
        }
        let mut got = [(); 4].map(|_| vec![f64::NAN; n]);
        {
            let [a, b, c, d] = &mut vector;
            let [w, x, y, z] = &mut got;
            PoissonSampler::fill_four(s, [a, b, c, d], [w, x, y, z]);
        }
        for l in 0..4 {
            assert_eq!(
                vector[l].next_u64(),
                scalar[l].next_u64(),
                "stream {l} position"
            );
        }
        (want, got)
    }

    /// Four-lane fills equal four scalar fills, values and stream
    /// positions, over rates whose draws reach both tails of Poisson(j)
    /// (escapes) and Poisson(r) beyond 2 (r near 1), and short and odd
    /// lengths.
    #[test]
    fn four_lanes_equal_four_scalar_fills() {
        let rates = [
            0.3, 0.999, 1.0, 1.97, 2.5, 7.99, 13.0, 29.7, 44.5, 150.96, 199.0, 1023.9,
        ];
        let mut pick = Xoshiro256pp::from_seed_u64(11);
        for case in 0..60u64 {
            let lam: [f64; 4] =
                [0, 1, 2, 3].map(|_| rates[(pick.next_u64() % rates.len() as u64) as usize]);
            let n = [0usize, 1, 3, 180, 4000][(case % 5) as usize];
            let s = lam.map(PoissonSampler::new);
            let (want, got) = both_ways([&s[0], &s[1], &s[2], &s[3]], case * 4, n);
            assert_eq!(got, want, "case {case}, λ {lam:?}, n {n}");
        }
    }

    /// The lanes count Poisson(r) up to 4 against integer thresholds:
    /// below the second one, `fraction_tail` gives 3 below the first and 4
    /// from it, at the very words around both thresholds, for r across
    /// [0, 1) (a check of the ⌈c⌉ argument where no sample would reach).
    #[test]
    fn tail_thresholds_match_the_scalar_inversion() {
        for i in 0..2000 {
            let s = PoissonSampler::new(5.0 + i as f64 / 2000.0 + 1e-7);
            let [t3, t4] = s.tail_cdf;
            assert!(
                s.cdf[2] <= t3 && t3 <= t4,
                "r {}: {:?} {t3} {t4}",
                s.r,
                s.cdf
            );
            for v in [t3 - 1, t3, t4 - 1, t4] {
                if v >= s.cdf[2] && v < t4 {
                    let want = 3 + (v >= t3) as u32;
                    assert_eq!(s.fraction_tail(v), want, "r {}, v {v}", s.r);
                }
            }
            if t4 < 1 << 53 {
                assert!(s.fraction_tail(t4) >= 5, "r {}", s.r);
            }
        }
    }

    /// Poisson(r) beyond 2 goes through the lane thresholds, and beyond 4
    /// through the lane fix-up: 4 × 20,000 draws of Poisson(0.999) take
    /// the values 3, 4 and 5 or more many times, and equal scalar draws.
    #[test]
    fn fraction_tails_through_the_lanes_equal_scalar_draws() {
        let s = PoissonSampler::new(0.999);
        let (want, got) = both_ways([&s; 4], 500, 20_000);
        let count = |f: &dyn Fn(f64) -> bool| want.iter().flatten().filter(|&&x| f(x)).count();
        assert!(count(&|x| x == 3.0) > 1000);
        assert!(count(&|x| x == 4.0) > 100);
        assert!(count(&|x| x >= 5.0) > 50);
        assert!(got == want, "four-lane draws differ from scalar draws");
    }

    /// Escapes into the tails of Poisson(j) go through the lane fix-up:
    /// at the integer part whose table escapes most often (below 2⁻¹³ a
    /// draw), 4 × 250,000 draws reach them many times, and the values still
    /// equal the scalar fills'.
    #[test]
    fn escapes_through_the_lanes_equal_scalar_draws() {
        let escape_mass = |j: u32| {
            let t = PoissonSampler::new(j as f64 + 0.5).table;
            let cap = t.mask as f64 + 1.0;
            let thr = |i: u32| (t.entries[i as usize] & t.mask) as f64;
            (thr(t.m) + thr(t.m + 1)) / cap / t.entries.len() as f64
        };
        let j = (1..200)
            .max_by(|&a, &b| escape_mass(a).total_cmp(&escape_mass(b)))
            .unwrap();
        let p = escape_mass(j);
        let n = 250_000;
        assert!(
            p * n as f64 > 10.0,
            "Poisson({j}) escapes with probability {p}"
        );
        let s = PoissonSampler::new(j as f64 + 0.5);
        let (want, got) = both_ways([&s; 4], 77, n);
        let (lo, hi) = (s.table.lo as f64, (s.table.lo + s.table.m) as f64 + 2.0);
        // Below the central range, or above it by more than Poisson(r)'s
        // usual 0–2: only an escape gives these.
        let escapes = want.iter().flatten().filter(|&&x| x < lo || x > hi).count();
        assert!(escapes >= 10, "{escapes} escapes drawn");
        assert!(got == want, "four-lane draws differ from scalar draws");
    }
}
