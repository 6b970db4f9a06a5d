//! Sequential stopping: "have I run enough replicates?".
//!
//! The relative standard error of a mean is `RSE = (sd / √n) / |mean|`. A run
//! proceeds in deterministic batches and stops when the RSE of every
//! headline metric is at or below a target, or at a replicate cap. Because
//! the decision depends only on the (order-fixed) moments after each batch,
//! the stopping point is the same at any thread count.
//!
//! Near-zero means: a metric whose mean is close to 0 (e.g. a loss that
//! rarely occurs) has an unbounded RSE. [`StoppingRule::abs_floor`] puts a
//! floor under `|mean|` in the denominator, turning the criterion into an
//! absolute one, `se ≤ target · abs_floor`, for such metrics. With the
//! default floor of 0 a metric with mean exactly 0 and non-zero spread never
//! converges (RSE = ∞); a metric that is exactly constant across replicates
//! has no Monte Carlo error and counts as converged (RSE = 0).
//!
//! Stopping when the estimated RSE first crosses the target slightly favours
//! stopping on an underestimate of the error; a minimum replicate count
//! ([`StoppingRule::min_replicates`]) keeps that effect small.

use crate::stats::Moments;
use serde::Serialize;

/// Relative standard error `(sd / √n) / max(|mean|, abs_floor)`.
///
/// Returns ∞ for `n < 2` (no error estimate yet), 0 if `sd == 0` (a
/// constant metric), ∞ if the denominator is 0 while `sd > 0`, and NaN if
/// `mean` or `sd` is NaN.
pub fn relative_standard_error(mean: f64, sd: f64, n: u64, abs_floor: f64) -> f64 {
    if mean.is_nan() || sd.is_nan() {
        return f64::NAN;
    }
    if n < 2 {
        return f64::INFINITY;
    }
    if sd == 0.0 {
        return 0.0;
    }
    let denom = mean.abs().max(abs_floor);
    if denom == 0.0 {
        return f64::INFINITY;
    }
    sd / (n as f64).sqrt() / denom
}

/// [`relative_standard_error`] of the values pushed into `m`.
pub fn rse(m: &Moments, abs_floor: f64) -> f64 {
    relative_standard_error(m.mean(), m.sd(), m.n(), abs_floor)
}

/// Replicates needed for the RSE to reach `target`, projected from the
/// current estimates: `(sd / (target · max(|mean|, abs_floor)))²`. ∞ if the
/// denominator is 0 and `sd > 0`; 0 if `sd == 0`.
pub fn replicates_for_rse(mean: f64, sd: f64, target: f64, abs_floor: f64) -> f64 {
    if sd == 0.0 {
        return 0.0;
    }
    let denom = target * mean.abs().max(abs_floor);
    if denom == 0.0 {
        return f64::INFINITY;
    }
    (sd / denom).powi(2)
}

/// Outcome of a [`StoppingRule`] check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopDecision {
    /// Run another batch.
    Continue,
    /// Every metric's RSE is at or below the target (and the minimum
    /// replicate count is reached).
    Converged,
    /// The replicate cap is reached before convergence.
    ReachedCap,
}

/// When to stop a sequential run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StoppingRule {
    /// Target relative standard error (e.g. 0.01 for 1 %), > 0.
    pub target_rse: f64,
    /// Floor under `|mean|` in the RSE denominator, in the metric's unit
    /// (0 for a purely relative criterion). One floor for all metrics; give
    /// each metric its own by calling [`rse`] directly.
    pub abs_floor: f64,
    /// Never stop before this many replicates (the first batch should be at
    /// least this large).
    pub min_replicates: u64,
    /// Stop at this many replicates whatever the RSE.
    pub max_replicates: u64,
}

impl StoppingRule {
    /// The RSE of each metric (same order as `metrics`).
    pub fn rses(&self, metrics: &[Moments]) -> Vec<f64> {
        metrics.iter().map(|m| rse(m, self.abs_floor)).collect()
    }

    /// The metric furthest from convergence, `(index, rse)`; a NaN RSE
    /// counts as the worst. `None` if `metrics` is empty.
    pub fn worst(&self, metrics: &[Moments]) -> Option<(usize, f64)> {
        let key = |r: f64| if r.is_nan() { f64::INFINITY } else { r };
        self.rses(metrics).into_iter().enumerate().fold(
            None,
            |best: Option<(usize, f64)>, (i, r)| match best {
                Some((_, b)) if key(b) >= key(r) => best,
                _ => Some((i, r)),
            },
        )
    }

    /// Decides after `n` replicates, with `metrics` the moments of the
    /// headline metrics over those replicates: `Converged` if
    /// `n ≥ min_replicates` and every RSE is `≤ target_rse` (an empty
    /// `metrics` converges at once), else `ReachedCap` if
    /// `n ≥ max_replicates`, else `Continue`. A NaN RSE never converges.
    pub fn decide(&self, n: u64, metrics: &[Moments]) -> StopDecision {
        let converged =
            n >= self.min_replicates && self.rses(metrics).iter().all(|&r| r <= self.target_rse);
        if converged {
            StopDecision::Converged
        } else if n >= self.max_replicates {
            StopDecision::ReachedCap
        } else {
            StopDecision::Continue
        }
    }
}

/// Deterministic batch sizes for a sequential run.
///
/// The first batch has `initial` replicates. After that the next batch aims
/// at the projected total (from [`replicates_for_rse`], if given) but the
/// running total grows by at most the factor `growth` and at least
/// `granularity` per batch; totals are rounded up to multiples of
/// `granularity` and never exceed the cap.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BatchSchedule {
    /// Size of the first batch (≥ 1).
    pub initial: u64,
    /// Largest factor by which the total may grow in one batch (≥ 1; 2
    /// doubles).
    pub growth: f64,
    /// Totals are multiples of this (≥ 1; e.g. the runner's wave size).
    pub granularity: u64,
}

impl BatchSchedule {
    /// Size of the next batch after `done` replicates, given the projected
    /// total `needed` (or `None` for pure geometric growth) and the replicate
    /// cap `cap`. Returns 0 when `done ≥ cap`.
    pub fn next_batch(&self, done: u64, needed: Option<f64>, cap: u64) -> u64 {
        if done >= cap {
            return 0;
        }
        let g = self.granularity.max(1);
        let round_up = |x: u64| x.div_ceil(g).saturating_mul(g);
        let total = if done == 0 {
            round_up(self.initial.max(1))
        } else {
            let max_total = ((done as f64) * self.growth.max(1.0)).ceil() as u64;
            let min_total = done.saturating_add(1);
            let want = match needed {
                Some(x) if x.is_finite() => x.ceil() as u64,
                _ => max_total,
            };
            round_up(want.clamp(min_total, max_total.max(min_total)))
        };
        total.min(cap) - done
    }
}
