//! Paired runs of several variants with common random numbers.
//!
//! Every variant simulates the same replicate indices with the same master
//! seed; because each random input draws from a stream keyed by its path
//! (see [`crate::rng`]), variants share every draw they have in common and
//! differ only where they are meant to. Replicates run in waves, each wave
//! simulating every variant for the same replicates (interleaved, so an
//! interrupted sweep still covers its grid evenly). Rows are consumed in
//! index order: results are bit-identical at any thread count.
//!
//! For each variant and metric we summarise the metric itself and, against
//! the baseline variant, the per-replicate paired difference `B − A`, the
//! probability that `B > A`, and the variance reduction of pairing:
//! `(Var A + Var B) / Var(B − A)` (the variance of the difference of two
//! independent runs over that of the paired difference). Optionally, for a
//! one-dimensional numeric sweep, the per-replicate slope between
//! consecutive points (the marginal cost of one more unit, e.g. one more
//! closure day).

use crate::engine::{Engine, Workspace};
use crate::stats::{LogHistogram, Moments, Summary, summarize_in_place};
use rayon::prelude::*;
use std::sync::Mutex;

/// Largest `replicates × tracked columns` kept for exact quantiles
/// (80 MB of values); larger runs use the log-linear sketch.
pub const EXACT_VALUES_LIMIT: u64 = 10_000_000;

/// Replicates per wave.
const WAVE: usize = 1024;

/// Columns (variant × metric accumulators) one consuming task takes.
const COLUMN_CHUNK: usize = 32;

/// How to run a paired comparison.
#[derive(Clone, Debug)]
pub struct PairedConfig {
    pub replicates: u64,
    pub seed: u64,
    /// Index of the baseline variant.
    pub baseline: usize,
    /// For a 1-D numeric sweep, the swept value of each variant (in order):
    /// enables marginal slopes between consecutive variants.
    pub steps: Option<Vec<f64>>,
}

/// Statistics of a paired difference.
#[derive(Clone, Debug)]
pub struct DiffSummary {
    /// Distribution of `B − A` over replicates.
    pub diff: Summary,
    /// Share of replicates with `B > A`.
    pub prob_higher: f64,
    /// `(Var A + Var B) / Var(B − A)`; infinite when the paired difference
    /// does not vary.
    pub variance_reduction: f64,
}

/// Results of a paired run.
#[derive(Clone, Debug)]
pub struct PairedResult {
    pub replicates: u64,
    /// Metric indices (into the BASELINE layout) that every variant has.
    pub common: Vec<usize>,
    /// `metrics[v][k]`: variant `v`, common metric `k`.
    pub metrics: Vec<Vec<Summary>>,
    /// `differences[v][k]`: variant `v` minus the baseline.
    pub differences: Vec<Vec<DiffSummary>>,
    /// `marginal[j][k]`: slope between variants `j` and `j + 1`
    /// (`(M_{j+1} − M_j) / (x_{j+1} − x_j)` per replicate).
    pub marginal: Vec<Vec<Summary>>,
    /// `marginal_variance_reduction[j][k]`: variance reduction of pairing
    /// for the difference between variants `j` and `j + 1`.
    pub marginal_variance_reduction: Vec<Vec<f64>>,
}

fn variance_reduction(var_a: f64, var_b: f64, var_d: f64) -> f64 {
    if var_d > 0.0 {
        (var_a + var_b) / var_d
    } else if var_a + var_b > 0.0 {
        f64::INFINITY
    } else {
        1.0
    }
}

struct Column {
    moments: Moments,
    exact: Option<Vec<f64>>,
    sketch: LogHistogram,
    positive: u64,
}

impl Column {
    fn new(exact: bool, n: u64) -> Self {
        Self {
            moments: Moments::new(),
            exact: exact.then(|| Vec::with_capacity(n as usize)),
            sketch: LogHistogram::new(),
            positive: 0,
        }
    }
    fn push(&mut self, x: f64) {
        self.moments.push(x);
        if x > 0.0 {
            self.positive += 1;
        }
        match &mut self.exact {
            Some(v) => v.push(x),
            None => self.sketch.insert(x),
        }
    }
    fn summary(&mut self) -> Summary {
        let m = &self.moments;
        let mut s = match &mut self.exact {
            Some(v) => summarize_in_place(v),
            None => {
                let q = |p| self.sketch.quantile(p);
                Summary {
                    n: 0,
                    mean: 0.0,
                    sd: 0.0,
                    mcse: 0.0,
                    min: 0.0,
                    p5: q(0.05),
                    p25: q(0.25),
                    p50: q(0.5),
                    p75: q(0.75),
                    p95: q(0.95),
                    max: 0.0,
                }
            }
        };
        s.n = m.n();
        s.mean = m.mean();
        s.sd = m.sd();
        s.mcse = m.mcse();
        s.min = m.min();
        s.max = m.max();
        s
    }
}

/// Runs every variant on the same replicates. `progress` gets the number of
/// replicates done (each covering every variant).
pub fn run_paired(
    variants: &[Engine],
    cfg: &PairedConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> PairedResult {
    let nv = variants.len();
    let base = &variants[cfg.baseline];
    // Metrics every variant has, matched by (name, scope kind, entity).
    let mut common = Vec::new();
    let mut index: Vec<Vec<usize>> = vec![Vec::new(); nv];
    for (k, d) in base.layout.defs.iter().enumerate() {
        let found: Vec<Option<usize>> = variants
            .iter()
            .map(|e| {
                e.layout.defs.iter().position(|o| {
                    o.name == d.name && o.scope.kind() == d.scope.kind() && o.entity == d.entity
                })
            })
            .collect();
        if found.iter().all(Option::is_some) {
            common.push(k);
            for (v, f) in found.into_iter().enumerate() {
                index[v].push(f.unwrap_or(0));
            }
        }
    }
    let nm = common.len();
    let nmarg = match &cfg.steps {
        Some(s) if s.len() == nv && nv > 1 => nv - 1,
        _ => 0,
    };
    let n = cfg.replicates;
    let ncols = (nv * nm * 2 + nmarg * nm) as u64;
    let exact = n.saturating_mul(ncols) <= EXACT_VALUES_LIMIT;
    let mut values: Vec<Column> = (0..nv * nm).map(|_| Column::new(exact, n)).collect();
    let mut diffs: Vec<Column> = (0..nv * nm).map(|_| Column::new(exact, n)).collect();
    let mut margs: Vec<Column> = (0..nmarg * nm).map(|_| Column::new(exact, n)).collect();

    let strides: Vec<usize> = variants.iter().map(|e| e.layout.len()).collect();
    let offsets: Vec<usize> = strides
        .iter()
        .scan(0, |acc, s| {
            let o = *acc;
            *acc += s;
            Some(o)
        })
        .collect();
    let row_len: usize = strides.iter().sum();
    // Where in a wave's row each column reads: a variant's metric and the
    // baseline's (`values`, `diffs`); a marginal slope's two variants and
    // their step.
    let pos = |v: usize, k: usize| offsets[v] + index[v][k];
    let value_src: Vec<(usize, usize)> = (0..nv * nm)
        .map(|g| (pos(g / nm, g % nm), pos(cfg.baseline, g % nm)))
        .collect();
    let marg_src: Vec<(usize, usize, f64)> = match cfg.steps.as_ref().filter(|_| nmarg > 0) {
        Some(steps) => (0..nmarg * nm)
            .map(|g| {
                let (j, k) = (g / nm, g % nm);
                (pos(j + 1, k), pos(j, k), steps[j + 1] - steps[j])
            })
            .collect(),
        None => Vec::new(),
    };
    let threads = rayon::current_num_threads().max(1);
    let slots: Vec<Mutex<Vec<Workspace>>> = (0..threads)
        .map(|_| Mutex::new(variants.iter().map(Engine::workspace).collect()))
        .collect();
    let mut buf = vec![0.0f64; WAVE.min(n as usize).max(1) * row_len];
    let mut done = 0u64;
    while done < n {
        let count = ((n - done) as usize).min(WAVE);
        let first = done;
        buf[..count * row_len]
            .par_chunks_mut(row_len)
            .enumerate()
            .for_each(|(i, row)| {
                let slot = &slots[rayon::current_thread_index().unwrap_or(0) % threads];
                let mut wss = slot.lock().unwrap_or_else(|e| e.into_inner());
                for (v, e) in variants.iter().enumerate() {
                    let out = &mut row[offsets[v]..offsets[v] + strides[v]];
                    e.simulate(cfg.seed, first + i as u64, &mut wss[v], out);
                }
            });
        // Consume the wave: columns are spread over threads, each walking
        // the rows in index order, so every accumulator sees the same
        // sequence at any thread count.
        let rows = &buf[..count * row_len];
        values
            .par_chunks_mut(COLUMN_CHUNK)
            .zip(diffs.par_chunks_mut(COLUMN_CHUNK))
            .zip(value_src.par_chunks(COLUMN_CHUNK))
            .for_each(|((vals, dfs), src)| {
                for row in rows.chunks_exact(row_len) {
                    for ((col, dcol), &(at, base_at)) in
                        vals.iter_mut().zip(dfs.iter_mut()).zip(src)
                    {
                        let x = row[at];
                        col.push(x);
                        dcol.push(x - row[base_at]);
                    }
                }
            });
        margs
            .par_chunks_mut(COLUMN_CHUNK)
            .zip(marg_src.par_chunks(COLUMN_CHUNK))
            .for_each(|(ms, src)| {
                for row in rows.chunks_exact(row_len) {
                    for (col, &(hi, lo, dx)) in ms.iter_mut().zip(src) {
                        col.push(if dx != 0.0 {
                            (row[hi] - row[lo]) / dx
                        } else {
                            0.0
                        });
                    }
                }
            });
        done += count as u64;
        progress(done);
    }

    // Summaries (exact quantiles sort each column) on all threads.
    let summaries = |cols: &mut [Column]| -> Vec<Summary> {
        cols.par_iter_mut().map(Column::summary).collect()
    };
    let (value_stats, diff_stats) = (summaries(&mut values), summaries(&mut diffs));
    let marg_stats = summaries(&mut margs);
    let rows_of = |stats: &[Summary], n: usize| -> Vec<Vec<Summary>> {
        (0..n)
            .map(|v| stats[v * nm..(v + 1) * nm].to_vec())
            .collect()
    };
    let metrics = rows_of(&value_stats, nv);
    let differences = (0..nv)
        .map(|v| {
            (0..nm)
                .map(|k| {
                    let var_a = values[cfg.baseline * nm + k].moments.variance();
                    let var_b = values[v * nm + k].moments.variance();
                    let col = &diffs[v * nm + k];
                    let var_d = col.moments.variance();
                    let prob_higher = col.positive as f64 / col.moments.n().max(1) as f64;
                    DiffSummary {
                        diff: diff_stats[v * nm + k].clone(),
                        prob_higher,
                        variance_reduction: variance_reduction(var_a, var_b, var_d),
                    }
                })
                .collect()
        })
        .collect();
    let marginal_variance_reduction = (0..nmarg)
        .map(|j| {
            let dx = cfg.steps.as_ref().map_or(1.0, |s| s[j + 1] - s[j]);
            (0..nm)
                .map(|k| {
                    let var_a = values[j * nm + k].moments.variance();
                    let var_b = values[(j + 1) * nm + k].moments.variance();
                    let var_d = margs[j * nm + k].moments.variance() * dx * dx;
                    variance_reduction(var_a, var_b, var_d)
                })
                .collect()
        })
        .collect();
    let marginal = rows_of(&marg_stats, nmarg);
    PairedResult {
        replicates: n,
        common,
        metrics,
        differences,
        marginal,
        marginal_variance_reduction,
    }
}
