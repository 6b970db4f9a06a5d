//! The standard normal distribution: density, CDF, survival function and
//! quantile, self-contained (no libm beyond `exp`, `ln` and `sqrt`).
//!
//! `erfc` is a port of FreeBSD's `s_erf.c` (error below 1 ulp, relative
//! accuracy kept in the upper tail); the quantile is Wichura's AS 241
//! (relative accuracy about 1e-16). [`crate::dist`] builds its normal,
//! truncated normal and lognormal laws on these, and [`crate::uq`] its
//! Gaussian copula and van der Waerden scores.

use std::f64::consts::PI;

/// Standard normal density.
pub fn norm_pdf(z: f64) -> f64 {
    if z.is_infinite() {
        return 0.0;
    }
    (-0.5 * z * z).exp() / (2.0 * PI).sqrt()
}

/// Standard normal CDF Φ(z), accurate in relative terms in the lower tail
/// (Φ(−30) ≈ 4.9e-198 is still resolved); `Φ(−∞) = 0`, `Φ(∞) = 1`, NaN
/// gives NaN.
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

/// Standard normal survival function 1 - Φ(z), accurate in the upper tail.
pub fn norm_sf(z: f64) -> f64 {
    0.5 * erfc(z * std::f64::consts::FRAC_1_SQRT_2)
}

/// Evaluates c[0] + c[1] x + c[2] x² + ... by Horner's rule.
fn horner(c: &[f64], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * x + k)
}

/// Standard normal quantile Φ⁻¹(p): Wichura's algorithm AS 241 (PPND16),
/// relative accuracy about 1e-16. `p ≤ 0` gives −∞, `p ≥ 1` gives ∞, NaN
/// gives NaN. Symmetric by construction: `norm_ppf(1 − p) == −norm_ppf(p)`
/// whenever `1 − p` is exact. Coefficients are kept exactly as published (ascending powers).
#[allow(clippy::excessive_precision)]
pub fn norm_ppf(p: f64) -> f64 {
    // Central region |p - 0.5| <= 0.425.
    const A: [f64; 8] = [
        3.387_132_872_796_366_608_0,
        1.331_416_678_917_843_774_5e2,
        1.971_590_950_306_551_442_7e3,
        1.373_169_376_550_946_112_5e4,
        4.592_195_393_154_987_145_7e4,
        6.726_577_092_700_870_085_3e4,
        3.343_057_558_358_812_810_5e4,
        2.509_080_928_730_122_672_7e3,
    ];
    const B: [f64; 8] = [
        1.0,
        4.231_333_070_160_091_125_2e1,
        6.871_870_074_920_579_083_0e2,
        5.394_196_021_424_751_107_7e3,
        2.121_379_430_158_659_586_7e4,
        3.930_789_580_009_271_061_0e4,
        2.872_908_573_572_194_267_4e4,
        5.226_495_278_852_854_561_0e3,
    ];
    // Intermediate tail, r = sqrt(-ln(min(p, 1-p))) <= 5.
    const C: [f64; 8] = [
        1.423_437_110_749_683_577_34,
        4.630_337_846_156_545_295_9,
        5.769_497_221_460_691_405_5,
        3.647_848_324_763_204_605_04,
        1.270_458_252_452_368_382_58,
        2.417_807_251_774_506_117_7e-1,
        2.272_384_498_926_918_458_33e-2,
        7.745_450_142_783_414_076_4e-4,
    ];
    const D: [f64; 8] = [
        1.0,
        2.053_191_626_637_758_821_87,
        1.676_384_830_183_803_849_4,
        6.897_673_349_851_000_045_5e-1,
        1.481_039_764_274_800_745_9e-1,
        1.519_866_656_361_645_719_66e-2,
        5.475_938_084_995_344_946e-4,
        1.050_750_071_644_416_843_24e-9,
    ];
    // Far tail, r > 5.
    const E: [f64; 8] = [
        6.657_904_643_501_103_777_2,
        5.463_784_911_164_114_369_9,
        1.784_826_539_917_291_335_8,
        2.965_605_718_285_048_912_3e-1,
        2.653_218_952_657_612_309_3e-2,
        1.242_660_947_388_078_438_6e-3,
        2.711_555_568_743_487_578_15e-5,
        2.010_334_399_292_288_132_65e-7,
    ];
    const F: [f64; 8] = [
        1.0,
        5.998_322_065_558_879_376_9e-1,
        1.369_298_809_227_358_053_1e-1,
        1.487_536_129_085_061_485_25e-2,
        7.868_691_311_456_132_591e-4,
        1.846_318_317_510_054_681_8e-5,
        1.421_511_758_316_445_888_7e-7,
        2.044_263_103_389_939_785_64e-15,
    ];

    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * horner(&A, r) / horner(&B, r);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = (-tail.ln()).sqrt();
    let z = if r <= 5.0 {
        horner(&C, r - 1.6) / horner(&D, r - 1.6)
    } else {
        horner(&E, r - 5.0) / horner(&F, r - 5.0)
    };
    if q < 0.0 { -z } else { z }
}

/// Complementary error function, a port of FreeBSD's `s_erf.c`:
///
/// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
/// Developed at SunPro, a Sun Microsystems, Inc. business.
/// Permission to use, copy, modify, and distribute this software is freely
/// granted, provided that this notice is preserved.
///
/// Error below 1 ulp over the whole range; relative accuracy is kept in the
/// upper tail (erfc(26) ≈ 5.7e-296). Coefficients are kept as published.
#[allow(clippy::excessive_precision)]
fn erfc(x: f64) -> f64 {
    const ERX: f64 = 8.450_629_115_104_675_292_97e-1;
    // erf on [0, 0.84375]
    const PP: [f64; 5] = [
        1.283_791_670_955_125_585_61e-1,
        -3.250_421_072_470_014_993_70e-1,
        -2.848_174_957_559_851_047_66e-2,
        -5.770_270_296_489_441_591_57e-3,
        -2.376_301_665_665_016_260_84e-5,
    ];
    const QQ: [f64; 5] = [
        3.979_172_239_591_553_528_19e-1,
        6.502_224_998_876_729_444_85e-2,
        5.081_306_281_875_765_627_76e-3,
        1.324_947_380_043_216_445_26e-4,
        -3.960_228_278_775_368_123_20e-6,
    ];
    // erf on [0.84375, 1.25]
    const PA: [f64; 7] = [
        -2.362_118_560_752_659_440_77e-3,
        4.148_561_186_837_483_316_66e-1,
        -3.722_078_760_357_013_238_47e-1,
        3.183_466_199_011_617_536_74e-1,
        -1.108_946_942_823_966_774_76e-1,
        3.547_830_432_561_823_593_71e-2,
        -2.166_375_594_868_790_843_00e-3,
    ];
    const QA: [f64; 6] = [
        1.064_208_804_008_442_282_86e-1,
        5.403_979_177_021_710_489_37e-1,
        7.182_865_441_419_626_628_68e-2,
        1.261_712_198_087_616_421_12e-1,
        1.363_708_391_202_905_073_62e-2,
        1.198_449_984_679_910_741_70e-2,
    ];
    // erfc on [1.25, 1/0.35]
    const RA: [f64; 8] = [
        -9.864_944_034_847_148_227_05e-3,
        -6.938_585_727_071_817_643_72e-1,
        -1.055_862_622_532_329_098_14e1,
        -6.237_533_245_032_600_603_96e1,
        -1.623_966_694_625_734_703_55e2,
        -1.846_050_929_067_110_359_94e2,
        -8.128_743_550_630_659_342_46e1,
        -9.814_329_344_169_145_485_92,
    ];
    const SA: [f64; 8] = [
        1.965_127_166_743_925_712_92e1,
        1.376_577_541_435_190_426_00e2,
        4.345_658_774_752_292_288_21e2,
        6.453_872_717_332_678_803_36e2,
        4.290_081_400_275_678_333_86e2,
        1.086_350_055_417_794_351_34e2,
        6.570_249_770_319_281_701_35,
        -6.042_441_521_485_809_874_38e-2,
    ];
    // erfc on [1/0.35, 28]
    const RB: [f64; 7] = [
        -9.864_942_924_700_099_285_97e-3,
        -7.992_832_376_805_230_065_74e-1,
        -1.775_795_491_775_475_198_89e1,
        -1.606_363_848_558_219_160_62e2,
        -6.375_664_433_683_896_277_22e2,
        -1.025_095_131_611_077_249_54e3,
        -4.835_191_916_086_513_970_19e2,
    ];
    const SB: [f64; 7] = [
        3.033_806_074_348_245_829_24e1,
        3.257_925_129_965_739_188_26e2,
        1.536_729_586_084_436_959_94e3,
        3.199_858_219_508_595_539_08e3,
        2.553_050_406_433_164_425_83e3,
        4.745_285_412_069_553_672_15e2,
        -2.244_095_244_658_581_833_62e1,
    ];
    if x.is_nan() {
        return x;
    }
    let ax = x.abs();
    if ax < 0.84375 {
        if ax < 2f64.powi(-56) {
            return 1.0 - x;
        }
        let z = x * x;
        let r = horner(&PP, z);
        let s = 1.0 + z * horner(&QQ, z);
        let y = r / s;
        if x < 0.25 {
            return 1.0 - (x + x * y);
        }
        return 0.5 - (x - 0.5 + x * y);
    }
    if ax < 1.25 {
        let s = ax - 1.0;
        let p = horner(&PA, s);
        let q = 1.0 + s * horner(&QA, s);
        return if x >= 0.0 {
            1.0 - ERX - p / q
        } else {
            1.0 + ERX + p / q
        };
    }
    if ax < 28.0 {
        let s = 1.0 / (ax * ax);
        let (r, big_s) = if ax < 1.0 / 0.35 {
            (horner(&RA, s), 1.0 + s * horner(&SA, s))
        } else {
            (horner(&RB, s), 1.0 + s * horner(&SB, s))
        };
        // Split x*x exactly: z has the low 32 bits of ax cleared.
        let z = f64::from_bits(ax.to_bits() & 0xffff_ffff_0000_0000);
        let r = (-z * z - 0.5625).exp() * ((z - ax) * (z + ax) + r / big_s).exp() / ax;
        return if x > 0.0 { r } else { 2.0 - r };
    }
    if x > 0.0 { 0.0 } else { 2.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn cdf_reference_values() {
        // Reference values from the closed form via high-precision software.
        assert!(close(norm_cdf(0.0), 0.5, 1e-16));
        assert!(close(norm_cdf(1.0), 0.841_344_746_068_542_9, 1e-14));
        assert!(close(norm_cdf(-1.0), 0.158_655_253_931_457_05, 1e-14));
        assert!(close(norm_cdf(1.96), 0.975_002_104_851_779_5, 1e-14));
        assert!(close(norm_cdf(-2.5), 0.006_209_665_325_776_132, 1e-13));
        assert!(close(norm_cdf(-5.0), 2.866_515_718_791_939e-7, 1e-13));
        assert!(close(norm_cdf(-10.0), 7.619_853_024_160_527e-24, 1e-13));
        assert!(close(norm_cdf(-2.9), 0.001_865_813_300_384_038, 1e-13));
        assert_eq!(norm_cdf(f64::NEG_INFINITY), 0.0);
        assert_eq!(norm_cdf(f64::INFINITY), 1.0);
    }

    #[test]
    fn ppf_reference_values_and_round_trip() {
        assert!(close(norm_ppf(0.975), 1.959_963_984_540_054, 1e-14));
        assert!(close(norm_ppf(0.025), -1.959_963_984_540_054, 1e-14));
        assert!(close(norm_ppf(1e-10), -6.361_340_902_404_056, 1e-13));
        assert_eq!(norm_ppf(0.5), 0.0);
        for i in 1..1000 {
            let p = i as f64 / 1000.0;
            let z = norm_ppf(p);
            assert!(close(norm_cdf(z), p, 1e-12), "p = {p}");
            assert!((norm_ppf(1.0 - p) + z).abs() < 1e-12, "p = {p}");
        }
        let tiny = 2f64.powi(-53);
        assert!(close(norm_cdf(norm_ppf(tiny)), tiny, 1e-12));
    }

    #[test]
    fn ppf_edges_and_exact_symmetry() {
        assert_eq!(norm_ppf(0.0), f64::NEG_INFINITY);
        assert_eq!(norm_ppf(-0.5), f64::NEG_INFINITY);
        assert_eq!(norm_ppf(1.0), f64::INFINITY);
        assert_eq!(norm_ppf(2.0), f64::INFINITY);
        assert!(norm_ppf(f64::NAN).is_nan());
        assert!(norm_cdf(f64::NAN).is_nan());
        // Dyadic p: 1 − p is exact, so the two tails agree bit for bit.
        for k in 1..=512 {
            let p = k as f64 / 1024.0;
            assert_eq!(norm_ppf(1.0 - p), -norm_ppf(p), "p = {p}");
        }
        // The far lower tail stays finite and round-trips.
        let far = 2f64.powi(-60);
        assert!(norm_ppf(far).is_finite());
        assert!(close(norm_cdf(norm_ppf(far)), far, 1e-12));
    }

    #[test]
    fn erfc_known_values() {
        // erfc(1) = 0.157299207050285130658...
        assert!((erfc(1.0) - 0.157_299_207_050_285_13).abs() < 1e-16);
        assert!((erfc(-1.0) - 1.842_700_792_949_714_8).abs() < 4e-16);
        // erfc(5) = 1.5374597944280348502e-12
        assert!((erfc(5.0) / 1.537_459_794_428_035e-12 - 1.0).abs() < 1e-14);
    }
}
