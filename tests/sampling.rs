//! The Poisson samplers against the exact law.
//!
//! Chi-square tests with fixed seeds: cells with expected count ≥ 5 (tails
//! pooled), 200,000 draws; the statistic must stay below the 0.999 quantile
//! of the chi-square distribution (Wilson–Hilferty approximation), so a
//! correct sampler fails with probability 0.001 per case — and with the fixed
//! seeds, never. The alias tables (central values, escapes and the tails
//! behind them) are checked value by value against an independent
//! evaluation of the pmf, the tails reached through the escapes are checked
//! by their own chi-square test, and the stream consumption (two words a
//! draw below the alias limit, escapes included) is checked directly.

use bordersim::rng::Xoshiro256pp;
use bordersim::sampling::{
    ALIAS_MAX_LAMBDA, ESCAPE_MAX_LOG2, PoissonInversion, PoissonSampler, alias_law, log_factorial,
};

/// Poisson pmf from log k! (relative error ~1e-13 at λ ~ 1000: enough for
/// the chi-square tests).
fn pmf(lam: f64, k: u64) -> f64 {
    (-lam + k as f64 * lam.ln() - log_factorial(k)).exp()
}

/// Poisson pmf to ~1e-16 relative, independent of the library: direct
/// evaluation for k ≤ 15 (k! and small powers are exact or nearly so),
/// Loader's saddle-point form exp(−stirlerr(k) − bd0(k, λ))/√(2πk) above
/// (Loader 2000, as in R's `dpois`), which avoids the cancellation of the
/// log-space formula.
fn pmf_accurate(lam: f64, k: u64) -> f64 {
    if k <= 15 {
        let fact: f64 = (1..=k).map(|i| i as f64).product();
        return (-lam).exp() * lam.powi(k as i32) / fact;
    }
    let n = k as f64;
    // ln k! − ln(√(2πk)(k/e)^k), Stirling's series (next term < 1e-16).
    let n2 = n * n;
    let stirlerr = (1.0 / 12.0
        - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - 1.0 / (1188.0 * n2)) / n2) / n2) / n2)
        / n;
    // bd0(x, m) = x ln(x/m) + m − x, by its series near x = m.
    let (x, m) = (n, lam);
    let bd0 = if (x - m).abs() < 0.1 * (x + m) {
        let v = (x - m) / (x + m);
        let mut s = (x - m) * v;
        let mut ej = 2.0 * x * v;
        let mut i = 1;
        loop {
            ej *= v * v;
            let s1 = s + ej / (2 * i + 1) as f64;
            if s1 == s {
                break s;
            }
            s = s1;
            i += 1;
        }
    } else {
        x * (x / m).ln() + m - x
    };
    (-stirlerr - bd0).exp() / (2.0 * std::f64::consts::PI * n).sqrt()
}

/// Upper 0.999 quantile of chi-square with `df` degrees of freedom.
fn chi2_999(df: f64) -> f64 {
    let z = 3.090_232_306_167_813;
    let t = 1.0 - 2.0 / (9.0 * df) + z * (2.0 / (9.0 * df)).sqrt();
    df * t * t * t
}

/// Chi-square goodness of fit, mean and variance of 200,000 draws.
fn check_law(name: &str, lam: f64, seed: u64, mut draw: impl FnMut(&mut Xoshiro256pp) -> f64) {
    let n = 200_000usize;
    let mut rng = Xoshiro256pp::from_seed_u64(seed);
    let kmax = (lam + 12.0 * lam.sqrt() + 20.0) as usize;
    let mut counts = vec![0u64; kmax + 1];
    let (mut sum, mut sq) = (0.0, 0.0);
    for _ in 0..n {
        let k = draw(&mut rng);
        assert!(k >= 0.0 && k.fract() == 0.0, "{name} λ={lam}: {k}");
        sum += k;
        sq += k * k;
        counts[(k as usize).min(kmax)] += 1;
    }
    // Pool cells into bins with expected count >= 5.
    let (mut chi, mut df) = (0.0, -1.0);
    let (mut obs, mut exp) = (0.0, 0.0);
    let mut tail = 1.0;
    for (k, &c) in counts.iter().enumerate() {
        let p = if k == kmax { tail } else { pmf(lam, k as u64) };
        tail -= p;
        obs += c as f64;
        exp += p * n as f64;
        if exp >= 5.0 && (k == kmax || tail * n as f64 >= 5.0) {
            chi += (obs - exp).powi(2) / exp;
            df += 1.0;
            obs = 0.0;
            exp = 0.0;
        }
    }
    if exp > 0.0 {
        chi += (obs - exp).powi(2) / exp.max(1e-12);
    }
    assert!(chi < chi2_999(df), "{name} λ={lam}: chi2 {chi} on {df} df");
    let mean = sum / n as f64;
    let var = sq / n as f64 - mean * mean;
    // Mean within 5 standard errors; variance within 3%.
    assert!(
        (mean - lam).abs() < 5.0 * (lam / n as f64).sqrt(),
        "{name} λ={lam} mean {mean}"
    );
    assert!((var / lam - 1.0).abs() < 0.03, "{name} λ={lam} var {var}");
}

#[test]
fn poisson_chi_square() {
    let lams = [
        0.3, 0.999, 1.0, 2.0, 7.5, 9.99, 24.0, 39.99, 45.5, 150.0, 150.7, 700.0, 3000.5,
    ];
    assert!(lams[lams.len() - 1] > ALIAS_MAX_LAMBDA);
    for (i, &lam) in lams.iter().enumerate() {
        let s = PoissonSampler::new(lam);
        check_law("alias", lam, 1000 + i as u64, |r| s.sample(r));
    }
}

/// The previous sampler, kept as a cross-check, still fits the same law.
#[test]
fn inversion_chi_square() {
    for (i, &lam) in [0.3, 7.5, 39.99, 40.0, 150.7].iter().enumerate() {
        let s = PoissonInversion::new(lam);
        check_law("inversion", lam, 2000 + i as u64, |r| s.sample(r));
    }
}

/// What the sampler of Poisson(j) draws, as its tables define it, equals
/// the Poisson(j) pmf to 1e-15 absolute, value by value: the central values
/// drawn from the alias table, each escape (the exact mass of its tail) and
/// each value of the tails behind them. The mass left out beyond the ends
/// of the tails is below 2⁻⁶⁴, each escape below 2⁻¹⁴, and the table is
/// compact.
#[test]
fn alias_tables_match_the_pmf() {
    // The heaviest escapes below j = 200 (where the tail matters most).
    let heavy = heaviest_escape(0) as u32;
    let heavy_up = heaviest_escape(1) as u32;
    for j in [
        1u32, 2, 3, 7, 8, 30, 45, 150, 151, 700, 1023, heavy, heavy_up,
    ] {
        let law = alias_law(j);
        let jf = j as f64;
        let (lo, hi) = (law.lo, law.lo + law.central.len() as u32 - 1);
        assert!(lo <= j && j <= hi, "j={j}: central range [{lo}, {hi}]");
        let mut worst = 0.0f64;
        for (i, &p) in law.central.iter().enumerate() {
            worst = worst.max((p - pmf_accurate(jf, (lo + i as u32) as u64)).abs());
        }
        for (i, &p) in law.lower_tail.iter().enumerate() {
            worst = worst.max((p - pmf_accurate(jf, (lo - 1 - i as u32) as u64)).abs());
        }
        for (i, &p) in law.upper_tail.iter().enumerate() {
            worst = worst.max((p - pmf_accurate(jf, (hi + 1 + i as u32) as u64)).abs());
        }
        assert!(worst <= 1e-15, "j={j}: |implied − pmf| up to {worst:e}");
        // Escapes: the exact mass of the tails (all of it, support
        // truncation included).
        let below: f64 = (0..lo as u64).map(|k| pmf_accurate(jf, k)).sum();
        let above: f64 = (hi as u64 + 1..hi as u64 + 2000)
            .map(|k| pmf_accurate(jf, k))
            .sum();
        let esc = law.escape;
        assert!(
            (esc[0] - below).abs() <= 1e-15 && (esc[1] - above).abs() <= 1e-15,
            "j={j}: escapes {esc:?}, tails {below:e} {above:e}"
        );
        let max = 2f64.powi(-(ESCAPE_MAX_LOG2 as i32));
        assert!(esc[0] <= max && esc[1] <= max, "j={j}: escapes {esc:?}");
        // Each tail sums to its escape.
        let (sl, su) = (
            law.lower_tail.iter().sum::<f64>(),
            law.upper_tail.iter().sum::<f64>(),
        );
        assert!(
            (sl - esc[0]).abs() <= 1e-18 && (su - esc[1]).abs() <= 1e-18,
            "j={j}: tails sum to {sl:e} {su:e}, escapes {esc:?}"
        );
        // The ends of the whole support: beyond them less than 2⁻⁶⁴; not
        // truncated needlessly wide either (the end values carry mass, but
        // little).
        let first = lo - law.lower_tail.len() as u32;
        let last = hi + law.upper_tail.len() as u32;
        let beyond_lo: f64 = (0..first as u64).map(|k| pmf_accurate(jf, k)).sum();
        let beyond_hi: f64 = (last as u64 + 1..last as u64 + 2000)
            .map(|k| pmf_accurate(jf, k))
            .sum();
        let res = 2f64.powi(-64);
        assert!(
            beyond_lo < res && beyond_hi < res,
            "j={j}: beyond the support {beyond_lo:e} {beyond_hi:e}"
        );
        let p_end = |k: u32| {
            if k < lo {
                law.lower_tail[(lo - 1 - k) as usize]
            } else if k > hi {
                law.upper_tail[(k - hi - 1) as usize]
            } else {
                law.central[(k - lo) as usize]
            }
        };
        assert!(p_end(first) > 0.0 && p_end(last) > 0.0, "j={j}");
        assert!(p_end(last) < 1e-18, "j={j}: support too short");
    }
    // Compact: the table a draw touches at λ ≈ 150 is 1 KB, and those of
    // every j below 200 fit together in L2.
    assert!(alias_law(150).table_bytes <= 1024);
    let pool: usize = (0..200).map(|j| alias_law(j).table_bytes).sum();
    assert!(pool <= 192 * 1024, "tables for j < 200: {pool} bytes");
}

/// The tails behind the escapes, end to end: at the integer λ below 200
/// with the heaviest lower escape (so Poisson(r) adds nothing), 16 million
/// draws. Chi-square over the central range as one cell (the escapes'
/// frequency) and the tail values one by one outward from each cut (pooled
/// to expected counts ≥ 5), against the pmf. Every draw that lands in a
/// tail consumed exactly two words, like every other.
#[test]
fn escapes_draw_the_tails() {
    let j = heaviest_escape(0);
    let law = alias_law(j as u32);
    let (lo, hi) = (law.lo as u64, law.lo as u64 + law.central.len() as u64 - 1);
    let n = 16_000_000u64;
    let s = PoissonSampler::new(j);
    let mut rng = Xoshiro256pp::from_seed_u64(4242);
    let (mut central, mut below, mut above) = (0u64, vec![0u64; lo as usize], vec![0u64; 400]);
    for _ in 0..n {
        let before = rng.clone();
        let k = s.sample(&mut rng) as u64;
        if (lo..=hi).contains(&k) {
            central += 1;
            continue;
        }
        if k < lo {
            below[(lo - 1 - k) as usize] += 1;
        } else {
            above[(k - hi - 1) as usize] += 1;
        }
        let mut twice = before;
        twice.next_u64();
        twice.next_u64();
        assert_eq!(rng.clone().next_u64(), twice.next_u64(), "k={k}: words ≠ 2");
    }
    let nf = n as f64;
    let tails = [below.iter().sum::<u64>(), above.iter().sum::<u64>()];
    assert!(tails[0] > 500 && tails[1] > 500, "escapes drawn: {tails:?}");
    // Cells: the central range, then each tail from the cut outward.
    let p_central: f64 = (lo..=hi).map(|k| pmf_accurate(j, k)).sum();
    let mut cells = vec![(central as f64, nf * p_central)];
    // Value of the i-th tail cell on each side, from the cut outward.
    let value = |side: usize, i: usize| {
        if side == 0 {
            lo - 1 - i as u64
        } else {
            hi + 1 + i as u64
        }
    };
    for (side, counts) in [&below, &above].into_iter().enumerate() {
        let expected = |i: usize| nf * pmf_accurate(j, value(side, i));
        let mut left: f64 = (0..counts.len()).map(expected).sum();
        let (mut obs, mut exp) = (0.0, 0.0);
        for (i, &c) in counts.iter().enumerate() {
            obs += c as f64;
            exp += expected(i);
            left -= expected(i);
            if exp >= 5.0 && left >= 5.0 {
                cells.push((obs, exp));
                (obs, exp) = (0.0, 0.0);
            }
        }
        cells.push((obs, exp + left.max(0.0)));
    }
    let chi: f64 = cells.iter().map(|&(o, e)| (o - e).powi(2) / e).sum();
    let df = cells.len() as f64 - 1.0;
    assert!(
        df >= 10.0 && chi < chi2_999(df),
        "λ={j}: chi2 {chi} on {df} df, tails drawn {tails:?}"
    );
}

/// The j below 200 whose escape on `side` (0 lower, 1 upper) is heaviest.
fn heaviest_escape(side: usize) -> f64 {
    let mut best = (0.0, 1.0);
    for j in 1..200u32 {
        let e = alias_law(j).escape[side];
        if e > best.0 {
            best = (e, j as f64);
        }
    }
    best.1
}

/// Same seed, same draws; and below the alias limit each draw consumes
/// exactly two words of the stream, whatever λ and the value drawn.
#[test]
fn fixed_seed_and_two_words_a_draw() {
    for lam in [0.5, 0.999, 1.0, 7.0, 7.99, 30.5, 500.25, 1023.9] {
        let s = PoissonSampler::new(lam);
        let (mut a, mut b) = (
            Xoshiro256pp::from_seed_u64(9),
            Xoshiro256pp::from_seed_u64(9),
        );
        let mut big = 0;
        for _ in 0..20_000 {
            let mut twice = a.clone();
            twice.next_u64();
            twice.next_u64();
            let x = s.sample(&mut a);
            assert_eq!(x, s.sample(&mut b), "λ={lam}");
            assert_eq!(
                a.clone().next_u64(),
                twice.next_u64(),
                "λ={lam}: words a draw ≠ 2"
            );
            if x - lam.floor() >= 3.0 {
                big += 1;
            }
        }
        if lam == 0.999 {
            // The fraction's tail (values ≥ 3) was exercised: ~8 % of draws.
            assert!(big > 1000, "{big}");
        }
    }
    // The stream itself is pinned: a change here changes every run's
    // results (update deliberately, with a changelog entry).
    let s = PoissonSampler::new(30.5);
    let mut r = Xoshiro256pp::from_seed_u64(42);
    let got: Vec<f64> = (0..8).map(|_| s.sample(&mut r)).collect();
    assert_eq!(got, GOLDEN_30_5);
}

const GOLDEN_30_5: [f64; 8] = [32.0, 38.0, 32.0, 27.0, 20.0, 41.0, 30.0, 29.0];

/// Mean and variance on both sides of the integer/fraction split and of
/// the alias/PTRS limit.
#[test]
fn moments_at_the_decomposition_boundaries() {
    let n = 200_000;
    for (i, lam) in [
        1.0, 1.999, 5.0, 5.999, 40.0, 40.999, 200.0, 200.999, 1023.0, 1023.999, 1024.0,
    ]
    .into_iter()
    .enumerate()
    {
        let s = PoissonSampler::new(lam);
        let mut rng = Xoshiro256pp::from_seed_u64(3000 + i as u64);
        let (mut sum, mut sq) = (0.0, 0.0);
        for _ in 0..n {
            let k = s.sample(&mut rng);
            sum += k;
            sq += k * k;
        }
        let nf = n as f64;
        let mean = sum / nf;
        let var = (sq - sum * mean) / (nf - 1.0);
        let se_mean = (lam / nf).sqrt();
        let se_var = ((2.0 * lam * lam + lam) / nf).sqrt();
        assert!((mean - lam).abs() < 5.0 * se_mean, "λ={lam}: mean {mean}");
        assert!((var - lam).abs() < 5.0 * se_var, "λ={lam}: var {var}");
    }
}

#[test]
fn zero_rate_gives_zero_and_consumes_nothing() {
    for lam in [0.0, -1.0, f64::NAN] {
        let mut rng = Xoshiro256pp::from_seed_u64(1);
        let s = PoissonSampler::new(lam);
        assert_eq!(s.sample(&mut rng), 0.0);
        assert_eq!(rng.next_u64(), Xoshiro256pp::from_seed_u64(1).next_u64());
    }
    let mut rng = Xoshiro256pp::from_seed_u64(1);
    assert_eq!(PoissonSampler::default().sample(&mut rng), 0.0);
}

/// `set` re-targets completely: a re-used sampler draws what a new one does.
#[test]
fn set_retargets() {
    let mut s = PoissonSampler::new(150.7);
    for lam in [3.25, 0.0, 1500.0, 7.0, 0.4] {
        s.set(lam);
        let t = PoissonSampler::new(lam);
        let (mut a, mut b) = (
            Xoshiro256pp::from_seed_u64(5),
            Xoshiro256pp::from_seed_u64(5),
        );
        for _ in 0..1000 {
            assert_eq!(s.sample(&mut a), t.sample(&mut b), "λ={lam}");
        }
    }
}

#[test]
fn log_factorial_continuity() {
    // Table and Stirling agree where they meet.
    let a = log_factorial(2047) + (2048f64).ln();
    let b = log_factorial(2048);
    assert!((a - b).abs() < 1e-9 * b, "{a} vs {b}");
}

/// The reference pmf itself: against the log-space formula where that is
/// accurate (small λ), and summing to 1.
#[test]
fn reference_pmf_is_sound() {
    for lam in [1.0, 8.0, 30.0] {
        for k in 0..80 {
            let (a, b) = (pmf_accurate(lam, k), pmf(lam, k));
            assert!(
                (a - b).abs() <= 1e-13 * b.max(1e-300),
                "λ={lam} k={k}: {a} {b}"
            );
        }
    }
    for lam in [8.0, 150.0, 1023.0] {
        let total: f64 = (0..3000).map(|k| pmf_accurate(lam, k)).sum();
        assert!((total - 1.0).abs() < 1e-14, "λ={lam}: {total}");
    }
}
