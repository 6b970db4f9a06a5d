//! Fast exact samplers for the per-day hot path.
//!
//! Daily truck arrivals are Poisson. `rand_distr::Poisson` costs about
//! 25–30 ns a draw (it samples a normal and evaluates log-gamma on most
//! draws); [`PoissonSampler`] is exact and costs a few ns: for λ below
//! [`TABLE_MAX_LAMBDA`], inversion of a cumulative table with a guide table
//! (Chen & Asau 1974: one or two comparisons a draw), rebuilt without
//! allocation when λ changes; above, Hörmann's transformed rejection with
//! squeeze (PTRS, 1993), with log k! from a table. Both are exact samplers
//! of the Poisson law (chi-square goodness of fit in `tests/sampling.rs`).

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

/// Largest λ sampled by table inversion.
pub const TABLE_MAX_LAMBDA: f64 = 40.0;
/// Guide-table entries.
const GUIDE: usize = 64;

/// Cumulative table and guide table of a Poisson law with small λ.
#[derive(Clone, Debug, Default)]
pub struct PoissonTable {
    lam: f64,
    /// `cdf[k] = P(X ≤ k)`, up to where the remaining tail is below 1e-17.
    cdf: Vec<f64>,
    /// `guide[j]` = smallest k with `cdf[k] ≥ j / GUIDE`.
    guide: Vec<u32>,
}

impl PoissonTable {
    /// Rebuilds the tables for mean `lam` (reusing their memory).
    pub fn set(&mut self, lam: f64) {
        self.lam = lam;
        self.cdf.clear();
        let mut p = (-lam).exp();
        let mut c = p;
        let mut k = 0u32;
        self.cdf.push(c);
        while 1.0 - c > 1e-17 && (k as f64) < lam + 40.0 * lam.sqrt() + 40.0 {
            k += 1;
            p *= lam / k as f64;
            c += p;
            self.cdf.push(c);
        }
        self.guide.clear();
        let mut k = 0usize;
        for j in 0..GUIDE {
            let target = j as f64 / GUIDE as f64;
            while k + 1 < self.cdf.len() && self.cdf[k] < target {
                k += 1;
            }
            self.guide.push(k as u32);
        }
    }

    /// One draw: the smallest k with `u ≤ cdf[k]`.
    #[inline]
    pub fn sample(&self, rng: &mut Xoshiro256pp) -> f64 {
        let u = rng.uniform();
        let mut k = self.guide[((u * GUIDE as f64) as usize).min(GUIDE - 1)] as usize;
        let last = self.cdf.len() - 1;
        while k < last && self.cdf[k] < u {
            k += 1;
        }
        if k == last && self.cdf[k] < u {
            // Beyond the table (probability < 1e-17): continue the
            // recurrence so the sampler stays exact.
            let (mut c, mut p) = (self.cdf[k], 0.0);
            p += (-self.lam + k as f64 * self.lam.ln() - log_factorial(k as u64)).exp();
            while c < u && p > 0.0 {
                k += 1;
                p *= self.lam / k as f64;
                c += p;
            }
        }
        k as f64
    }
}

/// Constants of Hörmann's PTRS for one λ ≥ [`TABLE_MAX_LAMBDA`].
#[derive(Clone, Copy, Debug, Default)]
struct Ptrs {
    lam: f64,
    log_lam: f64,
    a: f64,
    b: f64,
    vr: f64,
    log_inv_alpha: f64,
}

impl Ptrs {
    fn new(lam: f64) -> Self {
        let slam = lam.sqrt();
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
        let vr = 0.9277 - 3.6224 / (b - 2.0);
        Self {
            lam,
            log_lam: lam.ln(),
            a,
            b,
            vr,
            log_inv_alpha: inv_alpha.ln(),
        }
    }

    #[inline]
    fn sample(&self, rng: &mut Xoshiro256pp) -> f64 {
        loop {
            let u = rng.uniform() - 0.5;
            let v = rng.uniform();
            let us = 0.5 - u.abs();
            // `k` is below −0.5 only when rejected below; truncation toward
            // zero then equals floor for every value that is used.
            let t = (2.0 * self.a / us + self.b) * u + self.lam + 0.43;
            if t < 0.0 {
                continue;
            }
            let k = t.trunc();
            if us >= 0.07 && v <= self.vr {
                return k;
            }
            if us < 0.013 && v > us {
                continue;
            }
            let lhs = v.ln() + self.log_inv_alpha - (self.a / (us * us) + self.b).ln();
            if lhs <= -self.lam + k * self.log_lam - log_factorial(k as u64) {
                return k;
            }
        }
    }
}

/// An exact Poisson(λ) sampler. One per flow in a thread's workspace;
/// [`set`](Self::set) re-targets it to a new λ without allocating.
#[derive(Clone, Debug, Default)]
pub struct PoissonSampler {
    table: PoissonTable,
    ptrs: Ptrs,
    mode: Mode,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Mode {
    #[default]
    Zero,
    Table,
    Ptrs,
}

impl PoissonSampler {
    /// A sampler for mean `lam` (≥ 0, finite).
    pub fn new(lam: f64) -> Self {
        let mut s = Self::default();
        s.set(lam);
        s
    }

    /// Re-targets the sampler to mean `lam`.
    pub fn set(&mut self, lam: f64) {
        if lam.is_nan() || lam <= 0.0 {
            self.mode = Mode::Zero;
        } else if lam < TABLE_MAX_LAMBDA {
            self.mode = Mode::Table;
            self.table.set(lam);
        } else {
            self.mode = Mode::Ptrs;
            self.ptrs = Ptrs::new(lam);
        }
    }

    /// One draw (a whole number, as `f64`).
    #[inline]
    pub fn sample(&self, rng: &mut Xoshiro256pp) -> f64 {
        match self.mode {
            Mode::Zero => 0.0,
            Mode::Table => self.table.sample(rng),
            Mode::Ptrs => self.ptrs.sample(rng),
        }
    }
}
