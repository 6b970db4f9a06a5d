//! Fast exact samplers for the per-day hot path.
//!
//! Daily truck arrivals are Poisson. `rand_distr::Poisson` costs about
//! 25–30 ns a draw (it samples a normal and evaluates log-gamma on most
//! draws); [`PoissonSampler`] is exact and costs a few ns: inversion by
//! sequential search for λ < 10, and Hörmann's transformed rejection with
//! squeeze (PTRS, 1993) above, with log k! from a table. Both are exact
//! samplers of the Poisson law (tested with chi-square goodness of fit in
//! `tests/sampling.rs`).

use crate::rng::Xoshiro256pp;
use std::sync::OnceLock;

/// Entries of the log-factorial table; larger k use Stirling's series.
const LOG_FACT_TABLE: usize = 2048;

fn log_fact_table() -> &'static [f64] {
    static T: OnceLock<Vec<f64>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Vec::with_capacity(LOG_FACT_TABLE);
        let mut acc = 0.0f64;
        t.push(0.0);
        for k in 1..LOG_FACT_TABLE {
            acc += (k as f64).ln();
            t.push(acc);
        }
        t
    })
}

/// `ln k!`, exact to double precision from the table, Stirling beyond.
#[inline]
pub fn log_factorial(k: u64) -> f64 {
    if (k as usize) < LOG_FACT_TABLE {
        log_fact_table()[k as usize]
    } else {
        let x = k as f64 + 1.0;
        // ln Γ(x) by Stirling's series (error < 1e-15 for x > 2048).
        (x - 0.5) * x.ln() - x + 0.918_938_533_204_672_8 + 1.0 / (12.0 * x)
            - 1.0 / (360.0 * x * x * x)
    }
}

/// An exact Poisson(λ) sampler, built once per flow and replicate.
#[derive(Clone, Copy, Debug)]
pub enum PoissonSampler {
    /// λ = 0: always 0.
    Zero,
    /// λ < 10: inversion; holds `exp(−λ)` and λ.
    Inversion { lam: f64, exp_neg_lam: f64 },
    /// λ ≥ 10: PTRS constants.
    Ptrs {
        lam: f64,
        log_lam: f64,
        a: f64,
        b: f64,
        vr: f64,
        log_inv_alpha: f64,
    },
}

impl PoissonSampler {
    /// A sampler for mean `lam` (≥ 0, finite).
    pub fn new(lam: f64) -> Self {
        if lam.is_nan() || lam <= 0.0 {
            PoissonSampler::Zero
        } else if lam < 10.0 {
            PoissonSampler::Inversion {
                lam,
                exp_neg_lam: (-lam).exp(),
            }
        } else {
            let slam = lam.sqrt();
            let b = 0.931 + 2.53 * slam;
            let a = -0.059 + 0.02483 * b;
            let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
            let vr = 0.9277 - 3.6224 / (b - 2.0);
            PoissonSampler::Ptrs {
                lam,
                log_lam: lam.ln(),
                a,
                b,
                vr,
                log_inv_alpha: inv_alpha.ln(),
            }
        }
    }

    /// One draw.
    #[inline]
    pub fn sample(&self, rng: &mut Xoshiro256pp) -> f64 {
        match *self {
            PoissonSampler::Zero => 0.0,
            PoissonSampler::Inversion { lam, exp_neg_lam } => {
                let u = rng.uniform();
                let mut k = 0u32;
                let mut p = exp_neg_lam;
                let mut cdf = p;
                while u > cdf && k < 200 {
                    k += 1;
                    p *= lam / k as f64;
                    cdf += p;
                }
                k as f64
            }
            PoissonSampler::Ptrs {
                lam,
                log_lam,
                a,
                b,
                vr,
                log_inv_alpha,
            } => loop {
                let u = rng.uniform() - 0.5;
                let v = rng.uniform();
                let us = 0.5 - u.abs();
                let k = ((2.0 * a / us + b) * u + lam + 0.43).floor();
                if us >= 0.07 && v <= vr {
                    return k;
                }
                if k < 0.0 || (us < 0.013 && v > us) {
                    continue;
                }
                let lhs = v.ln() + log_inv_alpha - (a / (us * us) + b).ln();
                if lhs <= -lam + k * log_lam - log_factorial(k as u64) {
                    return k;
                }
            },
        }
    }
}
