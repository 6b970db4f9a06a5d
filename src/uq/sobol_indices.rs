//! Variance-based sensitivity: first-order and total Sobol indices of any
//! model `y = f(x)` of `d` **independent** inputs, each given as a uniform in
//! (0, 1) (map it through the input's quantile function inside `f`).
//!
//! # Design (Saltelli 2010)
//!
//! Two independent `N × d` matrices `A` and `B` of base rows, and for each
//! input `i` the matrix `A_B^(i)`: `A` with column `i` taken from `B`. The
//! model is evaluated at `N (d + 2)` points. [`SaltelliDesign`] lays them out
//! base row by base row: rows `j (d+2)`, `j (d+2) + 1` and `j (d+2) + 2 + i`
//! hold `A_j`, `B_j` and `A_B^(i)_j`.
//!
//! With a scrambled Sobol base design, `[A | B]` is the first `N` points of
//! one `2d`-dimensional scrambled sequence (use `N` a power of two).
//!
//! # Estimators (Jansen 1999; Saltelli et al. 2010, Table 2, f and j)
//!
//! With `V` the sample variance of the `2N` values `f(A_j)`, `f(B_j)`:
//!
//! * total index `S_Ti = (1/2N) Σ_j (f(A_j) − f(A_B^(i)_j))² / V`
//! * first-order `S_i = (V − (1/2N) Σ_j (f(B_j) − f(A_B^(i)_j))²) / V`
//!
//! Both are consistent; estimates can stray slightly outside [0, 1] (a
//! first-order index of an unimportant input can be slightly negative).
//! If `V == 0` (a constant output) the indices are NaN.
//!
//! # Confidence intervals
//!
//! Percentile bootstrap: `B` resamples of the `N` base rows with
//! replacement (each base row keeps its `d + 2` evaluations together), all
//! indices recomputed per resample, and the `(1 − level)/2` and
//! `(1 + level)/2` quantiles (type 7) of the resampled values. Resample `b`
//! draws from its own stream keyed by `b` and one seed taken from the
//! caller's generator, so resamples run in parallel and the result does not
//! depend on the thread count. For a scrambled Sobol design the bootstrap
//! treats the base rows as independent, which they are not: the intervals
//! are then conservative (wider than the actual error).
//!
//! # Stochastic models
//!
//! If the model has intrinsic noise of its own (the simulator's daily
//! draws), key that noise with [`SaltelliDesign::noise_key`]: rows `A_j` and
//! every `A_B^(i)_j` share one noise stream and `B_j` uses another. The noise
//! then behaves like one more input of the `A` group, and the indices of the
//! uncertain inputs keep their meaning (the share `1 − Σ S_Ti`, roughly, is
//! the noise's). Independent noise in every row would inflate every total
//! index by the noise's share of the variance.
//!
//! References: M. J. W. Jansen, "Analysis of variance designs for model
//! output", Comput. Phys. Commun. 117 (1999) 35–43; A. Saltelli et al.,
//! "Variance based sensitivity analysis of model output. Design and
//! estimator for the total sensitivity index", Comput. Phys. Commun. 181
//! (2010) 259–270.

use super::designs::{SOBOL_MAX_DIM, ScrambledSobol, monte_carlo};
use super::{Matrix, evaluate, uniform_index};
use crate::rng::{Xoshiro256pp, key_hash};
use crate::stats::quantile_sorted;
use rayon::prelude::*;
use serde::Serialize;

/// How the base matrices `A` and `B` are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseDesign {
    /// Independent uniforms ([`monte_carlo`] with `2d` columns).
    MonteCarlo,
    /// The first `N` points of a `2d`-dimensional [`ScrambledSobol`]
    /// sequence; `A` takes the first `d` coordinates and `B` the rest.
    /// Requires `2d ≤ SOBOL_MAX_DIM`; use `N` a power of two.
    ScrambledSobol,
}

/// What a row of a [`SaltelliDesign`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowRole {
    /// A row of `A`.
    A,
    /// A row of `B`.
    B,
    /// A row of `A_B^(i)`: `A` with input `i` (0-based) taken from `B`.
    AB(usize),
}

/// The Saltelli design: `N (d + 2)` points in `(0,1)^d`, base row by base
/// row (see the module documentation for the layout).
#[derive(Clone, Debug)]
pub struct SaltelliDesign {
    d: usize,
    n_base: usize,
    points: Matrix,
}

impl SaltelliDesign {
    /// Draws `A` and `B` (`n_base × d` each) with `base` from `rng`, and
    /// builds the design.
    ///
    /// # Panics
    /// If `d == 0`, `n_base < 2`, or `base` is `ScrambledSobol` and
    /// `2d > SOBOL_MAX_DIM`.
    pub fn new(d: usize, n_base: usize, base: BaseDesign, rng: &mut Xoshiro256pp) -> Self {
        assert!(d > 0, "Saltelli design needs at least one input");
        assert!(
            n_base >= 2,
            "Saltelli design needs at least 2 base rows, got {n_base}"
        );
        let ab = match base {
            BaseDesign::MonteCarlo => monte_carlo(n_base, 2 * d, rng),
            BaseDesign::ScrambledSobol => {
                assert!(
                    2 * d <= SOBOL_MAX_DIM,
                    "a Sobol-based Saltelli design supports at most {} inputs, got {d}",
                    SOBOL_MAX_DIM / 2
                );
                ScrambledSobol::new(2 * d, rng).matrix(n_base, 0)
            }
        };
        let mut a = Matrix::zeros(n_base, d);
        let mut b = Matrix::zeros(n_base, d);
        for j in 0..n_base {
            a.row_mut(j).copy_from_slice(&ab.row(j)[..d]);
            b.row_mut(j).copy_from_slice(&ab.row(j)[d..]);
        }
        Self::from_base(&a, &b)
    }

    /// Builds the design from given base matrices `A` and `B` (`N × d`
    /// each, rows independent and, within a row, inputs independent).
    ///
    /// # Panics
    /// If the shapes differ, `d == 0` or `N < 2`.
    pub fn from_base(a: &Matrix, b: &Matrix) -> Self {
        assert!(
            a.rows() == b.rows() && a.cols() == b.cols(),
            "A and B must have the same shape"
        );
        let (n_base, d) = (a.rows(), a.cols());
        assert!(
            d > 0 && n_base >= 2,
            "Saltelli design needs d > 0 and N >= 2"
        );
        let mut points = Matrix::zeros(n_base * (d + 2), d);
        for j in 0..n_base {
            let base = j * (d + 2);
            points.row_mut(base).copy_from_slice(a.row(j));
            points.row_mut(base + 1).copy_from_slice(b.row(j));
            for i in 0..d {
                let row = points.row_mut(base + 2 + i);
                row.copy_from_slice(a.row(j));
                row[i] = b[(j, i)];
            }
        }
        Self { d, n_base, points }
    }

    /// Number of inputs `d`.
    pub fn dims(&self) -> usize {
        self.d
    }

    /// Number of base rows `N`.
    pub fn n_base(&self) -> usize {
        self.n_base
    }

    /// Number of model evaluations, `N (d + 2)`.
    pub fn rows(&self) -> usize {
        self.points.rows()
    }

    /// All evaluation points, `N (d + 2) × d`, in evaluation order.
    pub fn points(&self) -> &Matrix {
        &self.points
    }

    /// Evaluation point `r`.
    pub fn row(&self, r: usize) -> &[f64] {
        self.points.row(r)
    }

    /// Base row and role of evaluation row `r`.
    pub fn role(&self, r: usize) -> (usize, RowRole) {
        let (j, k) = (r / (self.d + 2), r % (self.d + 2));
        let role = match k {
            0 => RowRole::A,
            1 => RowRole::B,
            _ => RowRole::AB(k - 2),
        };
        (j, role)
    }

    /// The index to key a stochastic model's intrinsic noise with at row `r`
    /// (e.g. as the replicate index of its random streams): `2j` for `A_j`
    /// and every `A_B^(i)_j`, `2j + 1` for `B_j`. See the module
    /// documentation.
    pub fn noise_key(&self, r: usize) -> u64 {
        let (j, role) = self.role(r);
        match role {
            RowRole::B => 2 * j as u64 + 1,
            _ => 2 * j as u64,
        }
    }
}

/// Sobol indices of one output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SobolResult {
    /// Mean of the output over the `2N` rows of `A` and `B`.
    pub mean: f64,
    /// Variance `V` of the output over the `2N` rows of `A` and `B`
    /// (divisor `2N − 1`).
    pub variance: f64,
    /// First-order index `S_i` of each input.
    pub first: Vec<f64>,
    /// Total index `S_Ti` of each input.
    pub total: Vec<f64>,
    /// Bootstrap percentile interval `(low, high)` for each `S_i`; NaN when
    /// no bootstrap was requested.
    pub first_ci: Vec<(f64, f64)>,
    /// Bootstrap percentile interval `(low, high)` for each `S_Ti`; NaN when
    /// no bootstrap was requested.
    pub total_ci: Vec<(f64, f64)>,
    /// Number of base rows `N`.
    pub n_base: usize,
    /// Number of bootstrap resamples.
    pub bootstrap: usize,
    /// Confidence level of the intervals, in (0, 1).
    pub level: f64,
}

/// Per-base-row terms of one output, `3 + 2d` per row: `a = f(A_j) − c`,
/// `b = f(B_j) − c`, `a² + b²`, then `(f(A_j) − f(A_B^(i)_j))²` for each `i`
/// and `(f(B_j) − f(A_B^(i)_j))²` for each `i`. Centring on the overall mean
/// `c` keeps the one-pass variance of a resample accurate.
struct RowTerms {
    d: usize,
    center: f64,
    terms: Vec<f64>,
}

impl RowTerms {
    fn new(y: &Matrix, d: usize, out: usize) -> Self {
        let n_base = y.rows() / (d + 2);
        let at = |j: usize, k: usize| y[(j * (d + 2) + k, out)];
        let center = (0..n_base).map(|j| at(j, 0) + at(j, 1)).sum::<f64>() / (2 * n_base) as f64;
        let width = 3 + 2 * d;
        let mut terms = Vec::with_capacity(n_base * width);
        for j in 0..n_base {
            let (ya, yb) = (at(j, 0), at(j, 1));
            let (a, b) = (ya - center, yb - center);
            terms.extend([a, b, a * a + b * b]);
            terms.extend((0..d).map(|i| (ya - at(j, 2 + i)).powi(2)));
            terms.extend((0..d).map(|i| (yb - at(j, 2 + i)).powi(2)));
        }
        Self { d, center, terms }
    }

    /// `(mean, variance, first, total)` over the base rows `idx` (with
    /// repetition).
    fn estimate(
        &self,
        idx: impl ExactSizeIterator<Item = usize>,
    ) -> (f64, f64, Vec<f64>, Vec<f64>) {
        let d = self.d;
        let width = 3 + 2 * d;
        let m = idx.len() as f64;
        let mut acc = vec![0.0; width];
        let acc = acc.as_mut_slice();
        for j in idx {
            let row = &self.terms[j * width..(j + 1) * width];
            #[allow(clippy::needless_range_loop)] // plain indexing is faster in debug builds
            for k in 0..width {
                acc[k] += row[k];
            }
        }
        let mu = (acc[0] + acc[1]) / (2.0 * m);
        let v = ((acc[2] - 2.0 * m * mu * mu) / (2.0 * m - 1.0)).max(0.0);
        let total = (0..d).map(|i| acc[3 + i] / (2.0 * m) / v).collect();
        let first = (0..d)
            .map(|i| (v - acc[3 + d + i] / (2.0 * m)) / v)
            .collect();
        (self.center + mu, v, first, total)
    }
}

/// Percentile interval of `values` (NaN values ignored).
fn percentile_ci(values: &mut Vec<f64>, level: f64) -> (f64, f64) {
    values.retain(|v| !v.is_nan());
    values.sort_by(f64::total_cmp);
    let a = (1.0 - level) / 2.0;
    (quantile_sorted(values, a), quantile_sorted(values, 1.0 - a))
}

/// Jansen first-order and total indices, with percentile-bootstrap
/// intervals, from model evaluations on a [`SaltelliDesign`].
///
/// `y` is `N (d + 2) × k`: row `r` holds the `k` outputs at design row `r`
/// (in the design's order). Returns one [`SobolResult`] per output column.
/// `bootstrap` is the number of resamples (0 for none; 500 to 1000 is
/// usual) and `level` the confidence level (e.g. 0.95). One `u64` is drawn
/// from `rng` (even when `bootstrap == 0`) to seed the resamples.
///
/// NaN outputs propagate into the indices of that output.
///
/// # Panics
/// If `d == 0`, `y.rows()` is not a multiple of `d + 2` giving at least 2
/// base rows, or `level` is not in (0, 1).
pub fn jansen_from_evaluations(
    d: usize,
    y: &Matrix,
    bootstrap: usize,
    level: f64,
    rng: &mut Xoshiro256pp,
) -> Vec<SobolResult> {
    assert!(d > 0, "need at least one input");
    assert!(
        y.rows().is_multiple_of(d + 2) && y.rows() / (d + 2) >= 2,
        "{} evaluations are not N (d + 2) for d = {d} and N >= 2",
        y.rows()
    );
    assert!(
        level > 0.0 && level < 1.0,
        "level must be in (0, 1), got {level}"
    );
    let n_base = y.rows() / (d + 2);
    let k = y.cols();
    let terms: Vec<RowTerms> = (0..k).map(|out| RowTerms::new(y, d, out)).collect();
    let seed = rng.next_u64();
    const KEY: u64 = key_hash("uq.sobol_indices.bootstrap");
    // boot[b][out] = (first, total)
    let boot: Vec<Vec<(Vec<f64>, Vec<f64>)>> = (0..bootstrap)
        .into_par_iter()
        .map(|b| {
            let mut r = Xoshiro256pp::stream(seed, b as u64, KEY);
            let idx: Vec<usize> = (0..n_base).map(|_| uniform_index(&mut r, n_base)).collect();
            terms
                .iter()
                .map(|t| {
                    let (_, _, first, total) = t.estimate(idx.iter().copied());
                    (first, total)
                })
                .collect()
        })
        .collect();
    (0..k)
        .map(|out| {
            let (mean, variance, first, total) = terms[out].estimate(0..n_base);
            let nan = (f64::NAN, f64::NAN);
            let mut first_ci = vec![nan; d];
            let mut total_ci = vec![nan; d];
            if bootstrap > 0 {
                for i in 0..d {
                    let mut f: Vec<f64> = boot.iter().map(|r| r[out].0[i]).collect();
                    let mut t: Vec<f64> = boot.iter().map(|r| r[out].1[i]).collect();
                    first_ci[i] = percentile_ci(&mut f, level);
                    total_ci[i] = percentile_ci(&mut t, level);
                }
            }
            SobolResult {
                mean,
                variance,
                first,
                total,
                first_ci,
                total_ci,
                n_base,
                bootstrap,
                level,
            }
        })
        .collect()
}

/// Complete variance-based sensitivity analysis of `f`, a model of `d`
/// independent uniform inputs with `outputs` outputs.
///
/// Draws a [`SaltelliDesign`] with `n_base` base rows from `rng`, evaluates
/// `f(x, out)` at its `n_base (d + 2)` points in parallel (results stored by
/// row, so the thread count does not matter), then calls
/// [`jansen_from_evaluations`] with `bootstrap` resamples at confidence
/// `level`. `f` must fill all of `out` (length `outputs`).
///
/// # Panics
/// As [`SaltelliDesign::new`] and [`jansen_from_evaluations`].
#[allow(clippy::too_many_arguments)]
pub fn sobol_analysis<F>(
    d: usize,
    n_base: usize,
    outputs: usize,
    design: BaseDesign,
    f: F,
    rng: &mut Xoshiro256pp,
    bootstrap: usize,
    level: f64,
) -> Vec<SobolResult>
where
    F: Fn(&[f64], &mut [f64]) + Sync,
{
    let saltelli = SaltelliDesign::new(d, n_base, design, rng);
    let y = evaluate(saltelli.points(), outputs, f);
    jansen_from_evaluations(d, &y, bootstrap, level, rng)
}
