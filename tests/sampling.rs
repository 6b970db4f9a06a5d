//! Goodness of fit of the Poisson sampler against the exact pmf.
//!
//! Chi-square test with fixed seeds: cells with expected count ≥ 5 (tails
//! pooled), 200,000 draws; the statistic must stay below the 0.999 quantile
//! of the chi-square distribution (Wilson–Hilferty approximation), so a
//! correct sampler fails with probability 0.001 per case — and with the fixed
//! seeds, never.

use bordersim::rng::Xoshiro256pp;
use bordersim::sampling::{PoissonSampler, log_factorial};

fn pmf(lam: f64, k: u64) -> f64 {
    (-lam + k as f64 * lam.ln() - log_factorial(k)).exp()
}

/// Upper 0.999 quantile of chi-square with `df` degrees of freedom.
fn chi2_999(df: f64) -> f64 {
    let z = 3.090_232_306_167_813;
    let t = 1.0 - 2.0 / (9.0 * df) + z * (2.0 / (9.0 * df)).sqrt();
    df * t * t * t
}

#[test]
fn poisson_chi_square() {
    for (i, &lam) in [0.3, 2.0, 7.5, 9.99, 10.0, 24.0, 39.99, 40.0, 150.0, 700.0]
        .iter()
        .enumerate()
    {
        let n = 200_000usize;
        let s = PoissonSampler::new(lam);
        let mut rng = Xoshiro256pp::from_seed_u64(1000 + i as u64);
        let kmax = (lam + 12.0 * lam.sqrt() + 20.0) as usize;
        let mut counts = vec![0u64; kmax + 1];
        let (mut sum, mut sq) = (0.0, 0.0);
        for _ in 0..n {
            let k = s.sample(&mut rng);
            assert!(k >= 0.0 && k.fract() == 0.0);
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
        assert!(chi < chi2_999(df), "λ={lam}: chi2 {chi} on {df} df");
        let mean = sum / n as f64;
        let var = sq / n as f64 - mean * mean;
        // Mean within 5 standard errors; variance within 3%.
        assert!(
            (mean - lam).abs() < 5.0 * (lam / n as f64).sqrt(),
            "λ={lam} mean {mean}"
        );
        assert!((var / lam - 1.0).abs() < 0.03, "λ={lam} var {var}");
    }
}

#[test]
fn zero_rate_gives_zero() {
    let mut rng = Xoshiro256pp::from_seed_u64(1);
    assert_eq!(PoissonSampler::new(0.0).sample(&mut rng), 0.0);
}

#[test]
fn log_factorial_continuity() {
    // Table and Stirling agree where they meet.
    let a = log_factorial(2047) + (2048f64).ln();
    let b = log_factorial(2048);
    assert!((a - b).abs() < 1e-9 * b, "{a} vs {b}");
}
