//! Which uncertain input drives which outcome: one-at-a-time swings
//! ("tornado"), input–outcome rank correlations, and variance-based Sobol
//! indices, computed by running the engine on the designs of [`crate::uq`].
//!
//! Pure computation: no IO, no terminal output. `bordersim sensitivity`
//! (the binary) writes the results with [`crate::output::sensitivity`] and
//! draws them with [`crate::plots::tornado`].
//!
//! # Outcomes
//!
//! The headline totals [`HEADLINE`]: direct loss, spoiled value, lost
//! wages, workers exhausting their savings, consumers' extra spending and
//! customs revenue lost (metric `NAME`, entity `all`).
//!
//! # Inputs
//!
//! Every uncertain input of the scenario ([`Engine::uncertain`], in that
//! order). Certain inputs keep their value throughout.
//!
//! # Tornado (one at a time)
//!
//! A [`TornadoDesign`] with levels p10 and p90: a base point with every
//! input at its median, then for each input a point with that input at its
//! 10th and one at its 90th percentile, all others at their medians
//! (`2d + 1` points). The inputs are set directly to their quantiles (the
//! scenario's `[[correlations]]` are *not* imposed: "the others at their
//! medians" is taken literally). The simulator is stochastic (daily arrival
//! noise, event timing), so each point is evaluated as the **mean of `n`
//! replicates** whose noise uses replicate indices `0..n`: every point sees
//! the same noise (common random numbers), and a swing measures the input's
//! effect, not noise. For each outcome and input: the outcome at the low and
//! high point, at the base point, and the swing `|high − low|`; inputs are
//! ranked by swing.
//!
//! # Rank correlations
//!
//! A plain Monte Carlo run of `n` replicates (inputs drawn from their keyed
//! streams, correlations imposed, exactly as `bordersim run` draws them) and
//! the Spearman correlation of each input's value with each outcome. Unlike
//! the tornado it sees every input varying at once, and its sign says in
//! which direction the outcome moves; its sampling error is about
//! `1/√(n − 1)`.
//!
//! # Sobol indices
//!
//! A Saltelli design ([`SaltelliDesign`]) with `n_base` base rows drawn from
//! a scrambled Sobol sequence (plain Monte Carlo if `2d` exceeds the Sobol
//! table), `(d + 2)·n_base` evaluations, one replicate each. The design's
//! uniforms go through [`Engine::inputs_from_uniforms`] (correlations, then
//! quantile functions). The daily noise of row `r` is keyed by
//! [`SaltelliDesign::noise_key`]: the `A` row and every `A_B` row of one base
//! row share a noise stream, the `B` row has its own, so the noise acts as one
//! more input and the indices of the uncertain inputs keep their meaning
//! (the noise's share of the variance is roughly `1 − Σ S_Ti`). First-order
//! and total indices by Jansen's estimators with percentile-bootstrap
//! intervals ([`BOOTSTRAP`] resamples, level [`LEVEL`]).
//!
//! With `[[correlations]]`, the indices are those of the independent
//! uniforms *before* the Gaussian copula (Cholesky order): the first input
//! of a correlation group also carries the part of the group's other inputs
//! it drives. Read a correlated group together.
//!
//! # Determinism
//!
//! The tornado design has no randomness; the Saltelli design and the
//! bootstrap draw from `Xoshiro256pp::stream(seed, 0,
//! key_hash("sensitivity-sobol"))`; the engine's noise is keyed by `(seed,
//! replicate)`. Evaluations are stored by design row and summed in a fixed
//! order, so every result is bit-identical at any thread count.

use crate::engine::{Engine, Inputs, Workspace};
use crate::rng::{Xoshiro256pp, key_hash};
use crate::scenario::ParamId;
use crate::uq::Matrix;
use crate::uq::designs::SOBOL_MAX_DIM;
use crate::uq::sobol_indices::{BaseDesign, SaltelliDesign, SobolResult, jansen_from_evaluations};
use crate::uq::tornado::{Swing, TornadoDesign, rank_correlations};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// The headline outcomes (totals, entity `all`), in reporting order.
pub const HEADLINE: [&str; 6] = [
    "direct_loss_usd",
    "spoiled_value_usd",
    "lost_wages_usd",
    "workers_exhausting_savings",
    "consumer_extra_spending_usd",
    "customs_revenue_lost_usd",
];

/// Probability level of the tornado's low point.
pub const P_LOW: f64 = 0.10;
/// Probability level of the tornado's high point.
pub const P_HIGH: f64 = 0.90;
/// Bootstrap resamples for the Sobol intervals.
pub const BOOTSTRAP: usize = 200;
/// Confidence level of the Sobol intervals.
pub const LEVEL: f64 = 0.95;
/// Default replicates per tornado point (and for the rank correlations).
pub const DEFAULT_TORNADO_REPLICATES: u64 = 200;
/// Default number of Saltelli base rows.
pub const DEFAULT_SOBOL_BASE: usize = 256;

/// Stream key of the Saltelli design and its bootstrap.
const SOBOL_KEY: u64 = key_hash("sensitivity-sobol");

/// Replicates of one tornado point simulated by one task (a constant, so
/// partial sums, and hence the means, do not depend on the thread count).
const CHUNK: u64 = 32;

/// Why an analysis cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SensitivityError {
    #[error(
        "the scenario has no uncertain inputs: give at least one input as a distribution (e.g. `duration_days = {{ lognormal = {{ median = 30, p90 = 120 }} }}`) to analyse its sensitivity"
    )]
    NoUncertainInputs,
    #[error("none of the headline outcomes is in the scenario's metrics")]
    NoOutcomes,
    #[error("{what} needs at least {min}, got {got}")]
    TooSmall {
        what: &'static str,
        min: u64,
        got: u64,
    },
}

/// One outcome analysed.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Index into the engine's metric layout.
    pub metric: usize,
    /// Metric name, e.g. `direct_loss_usd`.
    pub name: String,
    /// Its unit, e.g. `USD`.
    pub unit: String,
}

/// One uncertain input.
#[derive(Clone, Debug, PartialEq)]
pub struct InputInfo {
    pub id: ParamId,
    /// Dotted path in the scenario file.
    pub path: String,
    /// Unit of the input.
    pub unit: String,
    /// Value at the tornado's low level (p10).
    pub low: f64,
    /// Median.
    pub median: f64,
    /// Value at the tornado's high level (p90).
    pub high: f64,
}

/// The headline outcomes the engine reports (normally all of [`HEADLINE`]).
pub fn headline_outcomes(engine: &Engine) -> Vec<Outcome> {
    HEADLINE
        .iter()
        .filter_map(|&name| {
            engine.layout.find(name, "all").map(|m| Outcome {
                metric: m,
                name: name.to_string(),
                unit: engine.layout.defs[m].unit.to_string(),
            })
        })
        .collect()
}

/// The uncertain inputs, in [`Engine::uncertain`] order, with their values
/// at `p_low`, the median and `p_high`.
pub fn uncertain_inputs(engine: &Engine, p_low: f64, p_high: f64) -> Vec<InputInfo> {
    engine
        .uncertain()
        .iter()
        .map(|&id| {
            let p = &engine.scenario.params[id.ix()];
            InputInfo {
                id,
                path: p.path.clone(),
                unit: p.unit.to_string(),
                low: p.dist.quantile(p_low),
                median: p.dist.quantile(0.5),
                high: p.dist.quantile(p_high),
            }
        })
        .collect()
}

/// A readable short name of an input path for figures and terminals:
/// `crossings.torkham.workers` → `torkham: workers`,
/// `flows.north_coal.value_usd_per_truck` → `north coal: value USD per
/// truck`,
/// `events.oct_closure.reopen_stagger_days.chaman` → `oct closure: reopen
/// stagger days (chaman)`, `traders.divert_share` → `traders: divert share`.
pub fn short_label(path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let words = |s: &str| {
        s.split('_')
            .map(|w| match w {
                "usd" | "pkr" | "afn" => w.to_uppercase(),
                _ => w.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    match parts.as_slice() {
        [] => String::new(),
        [one] => words(one),
        [
            "crossings" | "commodities" | "flows" | "events",
            entity,
            field,
            rest @ ..,
        ] => {
            let mut s = format!("{}: {}", words(entity), words(field));
            if !rest.is_empty() {
                s += &format!(
                    " ({})",
                    rest.iter().map(|r| words(r)).collect::<Vec<_>>().join(" ")
                );
            }
            s
        }
        [table, rest @ ..] => format!(
            "{}: {}",
            words(table),
            rest.iter().map(|r| words(r)).collect::<Vec<_>>().join(" ")
        ),
    }
}

fn check(engine: &Engine, outcomes: &[Outcome]) -> Result<usize, SensitivityError> {
    let d = engine.uncertain().len();
    if d == 0 {
        return Err(SensitivityError::NoUncertainInputs);
    }
    if outcomes.is_empty() {
        return Err(SensitivityError::NoOutcomes);
    }
    Ok(d)
}

/// Per-task state: a workspace and a metric row.
fn task_state(engine: &Engine) -> (Workspace, Vec<f64>) {
    (engine.workspace(), vec![0.0; engine.layout.len()])
}

/// Sets every uncertain input to its quantile at the probability level
/// `p[k]` (no correlations imposed; see the module documentation).
fn set_levels(engine: &Engine, p: &[f64], inputs: &mut Inputs) {
    inputs.uniforms.copy_from_slice(p);
    for (k, &id) in engine.uncertain().iter().enumerate() {
        inputs.values[id.ix()] = engine.scenario.params[id.ix()].dist.quantile(p[k]);
    }
}

/// Settings of a tornado analysis.
#[derive(Clone, Copy, Debug)]
pub struct TornadoConfig {
    /// Master seed (keys the engine's noise).
    pub seed: u64,
    /// Replicates averaged at each design point, `n ≥ 1`.
    pub replicates: u64,
    /// Probability levels of the low and high points.
    pub p_low: f64,
    pub p_high: f64,
}

/// Result of a tornado analysis.
#[derive(Clone, Debug)]
pub struct TornadoAnalysis {
    pub inputs: Vec<InputInfo>,
    pub outcomes: Vec<Outcome>,
    /// Replicates per design point.
    pub replicates: u64,
    pub p_low: f64,
    pub p_high: f64,
    /// Per outcome, the swing of every input, largest first
    /// ([`Swing::input`] indexes `inputs`).
    pub swings: Vec<Vec<Swing>>,
    /// Simulated replicates, `(2d + 1)·n`.
    pub evaluations: u64,
}

/// Number of simulated replicates of a tornado analysis with `d` inputs.
pub fn tornado_cost(d: usize, replicates: u64) -> u64 {
    (2 * d as u64 + 1) * replicates
}

/// One-at-a-time swings of every headline outcome (see the module
/// documentation). `progress` receives the number of replicates simulated
/// so far (from any thread).
pub fn tornado(
    engine: &Engine,
    outcomes: &[Outcome],
    cfg: &TornadoConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<TornadoAnalysis, SensitivityError> {
    let d = check(engine, outcomes)?;
    if cfg.replicates == 0 {
        return Err(SensitivityError::TooSmall {
            what: "the tornado's replicates per point",
            min: 1,
            got: 0,
        });
    }
    let design = TornadoDesign::new(d, cfg.p_low, cfg.p_high);
    let points = design.points();
    let k = outcomes.len();
    let n = cfg.replicates;
    let per_point = n.div_ceil(CHUNK) as usize;
    let tasks = points.rows() * per_point;
    let done = AtomicU64::new(0);
    let mut partial = vec![0.0f64; tasks * k];
    partial.par_chunks_mut(k).enumerate().for_each_init(
        || task_state(engine),
        |(ws, row), (t, acc)| {
            let (p, c) = (t / per_point, (t % per_point) as u64);
            set_levels(engine, points.row(p), &mut ws.inputs);
            let (first, last) = (c * CHUNK, ((c + 1) * CHUNK).min(n));
            for r in first..last {
                engine.simulate_with_inputs(cfg.seed, r, ws, row);
                for (a, o) in acc.iter_mut().zip(outcomes) {
                    *a += row[o.metric];
                }
            }
            progress(done.fetch_add(last - first, Ordering::Relaxed) + (last - first));
        },
    );
    let mut means = Matrix::zeros(points.rows(), k);
    for p in 0..points.rows() {
        for c in 0..per_point {
            let acc = &partial[(p * per_point + c) * k..(p * per_point + c + 1) * k];
            for (j, a) in acc.iter().enumerate() {
                means[(p, j)] += a;
            }
        }
        for j in 0..k {
            means[(p, j)] /= n as f64;
        }
    }
    Ok(TornadoAnalysis {
        inputs: uncertain_inputs(engine, cfg.p_low, cfg.p_high),
        outcomes: outcomes.to_vec(),
        replicates: n,
        p_low: cfg.p_low,
        p_high: cfg.p_high,
        swings: design.swings(&means),
        evaluations: tornado_cost(d, n),
    })
}

/// Spearman correlations of the inputs with the outcomes.
#[derive(Clone, Debug)]
pub struct RankCorrelation {
    pub inputs: Vec<InputInfo>,
    pub outcomes: Vec<Outcome>,
    pub replicates: u64,
    /// `d × k`: entry `(i, j)` is the Spearman correlation of input `i` with
    /// outcome `j` (NaN when either is constant).
    pub spearman: Matrix,
}

/// Rank correlation of every uncertain input with every outcome across a
/// plain Monte Carlo run of replicates `0..n` (as `bordersim run` draws
/// them). `progress` receives the number of replicates simulated so far.
pub fn rank_correlation(
    engine: &Engine,
    outcomes: &[Outcome],
    seed: u64,
    replicates: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RankCorrelation, SensitivityError> {
    let d = check(engine, outcomes)?;
    if replicates < 2 {
        return Err(SensitivityError::TooSmall {
            what: "a rank correlation",
            min: 2,
            got: replicates,
        });
    }
    let k = outcomes.len();
    let n = replicates as usize;
    let ids = engine.uncertain();
    let done = AtomicU64::new(0);
    let mut buf = vec![0.0f64; n * (d + k)];
    buf.par_chunks_mut(d + k).enumerate().for_each_init(
        || task_state(engine),
        |(ws, row), (r, out)| {
            engine.simulate(seed, r as u64, ws, row);
            for (o, &id) in out[..d].iter_mut().zip(ids) {
                *o = ws.inputs.get(id);
            }
            for (o, oc) in out[d..].iter_mut().zip(outcomes) {
                *o = row[oc.metric];
            }
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
        },
    );
    let mut x = Matrix::zeros(n, d);
    let mut y = Matrix::zeros(n, k);
    for (r, chunk) in buf.chunks(d + k).enumerate() {
        x.row_mut(r).copy_from_slice(&chunk[..d]);
        y.row_mut(r).copy_from_slice(&chunk[d..]);
    }
    Ok(RankCorrelation {
        inputs: uncertain_inputs(engine, P_LOW, P_HIGH),
        outcomes: outcomes.to_vec(),
        replicates,
        spearman: rank_correlations(&x, &y),
    })
}

/// Settings of a Sobol analysis.
#[derive(Clone, Copy, Debug)]
pub struct SobolConfig {
    /// Master seed (keys the design, the bootstrap and the engine's noise).
    pub seed: u64,
    /// Base rows `N ≥ 2` (a power of two suits the Sobol sequence best).
    pub n_base: usize,
    /// Bootstrap resamples (0: no intervals).
    pub bootstrap: usize,
    /// Confidence level of the intervals.
    pub level: f64,
}

/// Result of a Sobol analysis.
#[derive(Clone, Debug)]
pub struct SobolAnalysis {
    pub inputs: Vec<InputInfo>,
    pub outcomes: Vec<Outcome>,
    pub n_base: usize,
    /// Simulated replicates, `(d + 2)·N`.
    pub evaluations: u64,
    /// How the base matrices were drawn.
    pub base_design: BaseDesign,
    /// One result per outcome (indices in input order).
    pub results: Vec<SobolResult>,
}

/// Number of simulated replicates of a Sobol analysis with `d` inputs.
pub fn sobol_cost(d: usize, n_base: usize) -> u64 {
    (d as u64 + 2) * n_base as u64
}

/// First-order and total Sobol indices of every headline outcome (see the
/// module documentation). `progress` receives the number of replicates
/// simulated so far.
pub fn sobol(
    engine: &Engine,
    outcomes: &[Outcome],
    cfg: &SobolConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SobolAnalysis, SensitivityError> {
    let d = check(engine, outcomes)?;
    if cfg.n_base < 2 {
        return Err(SensitivityError::TooSmall {
            what: "a Sobol analysis's base rows",
            min: 2,
            got: cfg.n_base as u64,
        });
    }
    let base_design = if 2 * d <= SOBOL_MAX_DIM {
        BaseDesign::ScrambledSobol
    } else {
        BaseDesign::MonteCarlo
    };
    let mut rng = Xoshiro256pp::stream(cfg.seed, 0, SOBOL_KEY);
    let design = SaltelliDesign::new(d, cfg.n_base, base_design, &mut rng);
    let k = outcomes.len();
    let done = AtomicU64::new(0);
    let mut y = Matrix::zeros(design.rows(), k);
    y.as_mut_slice()
        .par_chunks_mut(k)
        .enumerate()
        .for_each_init(
            || task_state(engine),
            |(ws, row), (r, out)| {
                engine.inputs_from_uniforms(design.row(r), &mut ws.inputs);
                engine.simulate_with_inputs(cfg.seed, design.noise_key(r), ws, row);
                for (o, oc) in out.iter_mut().zip(outcomes) {
                    *o = row[oc.metric];
                }
                progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            },
        );
    let results = jansen_from_evaluations(d, &y, cfg.bootstrap, cfg.level, &mut rng);
    Ok(SobolAnalysis {
        inputs: uncertain_inputs(engine, P_LOW, P_HIGH),
        outcomes: outcomes.to_vec(),
        n_base: cfg.n_base,
        evaluations: sobol_cost(d, cfg.n_base),
        base_design,
        results,
    })
}

/// Indices `0..values.len()` ordered by decreasing `key(value)`, NaN last,
/// ties in index order.
pub fn order_desc(values: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    let key = |i: usize| {
        let v = values[i];
        if v.is_nan() { f64::NEG_INFINITY } else { v }
    };
    idx.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_labels() {
        assert_eq!(short_label("crossings.torkham.workers"), "torkham: workers");
        assert_eq!(
            short_label("events.oct_closure.reopen_stagger_days.chaman"),
            "oct closure: reopen stagger days (chaman)"
        );
        assert_eq!(short_label("traders.divert_share"), "traders: divert share");
        assert_eq!(
            short_label("exchange_rates.pkr_per_usd"),
            "exchange rates: PKR per USD"
        );
        assert_eq!(
            short_label("flows.torkham_af_bulk.value_usd_per_truck"),
            "torkham af bulk: value USD per truck"
        );
        assert_eq!(short_label("x"), "x");
    }

    #[test]
    fn ordering() {
        assert_eq!(order_desc(&[0.1, f64::NAN, 0.5, 0.1]), vec![2, 0, 3, 1]);
    }
}
