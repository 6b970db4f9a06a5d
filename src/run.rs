//! Running many replicates in parallel, deterministically.
//!
//! Replicates are simulated in fixed-size waves. Inside a wave, rayon
//! spreads replicates over threads; each thread uses its own reusable
//! [`Workspace`] and daily-band sketch, and every replicate writes its row
//! into the slot of its index. After the wave, rows are consumed in index
//! order: each column's moments and quantile store accumulate its values in
//! that order (columns are spread over threads), and a [`RowSink`] can
//! stream the rows to disk. Daily bands merge integer counts, so
//! they are order-independent. Hence outputs are bit-identical at any thread
//! count, and memory does not grow with the replicate count (except for the
//! exact quantile columns, kept only up to [`RunConfig::exact_quantile_limit`]).

use crate::engine::metrics::Scope;
use crate::engine::{Engine, Workspace};
use crate::inputs::InputDesign;
use crate::stats::{
    DailyBands, LogHistogram, Moments, SUMMARY_QUANTILES, Summary, quantile_ci_ranks,
    quantile_ci_sorted, quantile_sorted, summarize_in_place,
};
use rayon::prelude::*;
use std::sync::Mutex;

/// Replicates per wave. Fixed: results do not depend on it, memory does.
pub const WAVE: usize = 4096;

/// Smallest replicate count recorded in [`RunResult::convergence`] inside
/// the first wave (then every power of two below [`WAVE`]).
pub const CONVERGENCE_FIRST: u64 = 64;

/// Waves (of [`WAVE`] replicates) at the end of each of which
/// [`RunResult::convergence`] records a point; beyond, it thins out
/// geometrically.
pub const CONVERGENCE_EVERY_WAVE: u64 = 256;

/// Default largest run for which quantiles are exact (every value kept).
pub const DEFAULT_EXACT_QUANTILE_LIMIT: u64 = 100_000;

/// How to run.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub replicates: u64,
    pub seed: u64,
    /// Runs up to this size keep every value for exact (type-7) quantiles;
    /// larger runs use a log-linear sketch (relative error < 2^-7 ≈ 0.8%).
    pub exact_quantile_limit: u64,
}

/// Sequential stopping: stop after the first wave at which every listed
/// metric's relative standard error `sd / √n / |mean|` is at most
/// `target_rse` (checked after each wave of [`WAVE`] replicates, on moments
/// accumulated in index order, so the stopping point does not depend on the
/// thread count). `RunConfig::replicates` is the cap.
#[derive(Clone, Debug)]
pub struct StopRule {
    pub target_rse: f64,
    /// Metric indices (layout order) that must converge.
    pub metrics: Vec<usize>,
}

/// Why a run stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum StopReason {
    /// It ran the replicates it was asked for.
    Completed,
    /// Every watched metric reached the target relative standard error.
    Converged { rse: Vec<f64> },
    /// The replicate cap was reached first.
    CapReached { rse: Vec<f64> },
}

/// Relative standard error of a mean: `sd/√n/|mean|`; 0 when the values do
/// not vary, infinite when they vary around a zero mean.
pub fn relative_standard_error(m: &Moments) -> f64 {
    let se = m.mcse();
    if se == 0.0 {
        0.0
    } else if m.mean() == 0.0 || !se.is_finite() {
        f64::INFINITY
    } else {
        se / m.mean().abs()
    }
}

/// How summary quantiles were computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantileMethod {
    /// Type-7 interpolation over every value.
    Exact,
    /// Log-linear histogram sketch, relative error below 2^-7.
    Sketch,
}

impl QuantileMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            QuantileMethod::Exact => "exact",
            QuantileMethod::Sketch => "sketch",
        }
    }
}

/// Receives every replicate's row, in index order.
pub trait RowSink {
    /// `inputs`: the uncertain inputs' values (in [`Engine::uncertain`]
    /// order); `metrics`: the row in [`crate::engine::metrics::Layout`] order.
    fn row(&mut self, replicate: u64, inputs: &[f64], metrics: &[f64]) -> std::io::Result<()>;

    /// Replicates `first`, `first + 1`, … at once: `rows` holds their rows
    /// one after another, `stride` values each, the first `nu` of which are
    /// the inputs. The default hands them to [`RowSink::row`] one by one; a
    /// sink may format them in parallel, as long as it writes them in order.
    fn rows(&mut self, first: u64, rows: &[f64], stride: usize, nu: usize) -> std::io::Result<()> {
        for (i, row) in rows.chunks_exact(stride).enumerate() {
            self.row(first + i as u64, &row[..nu], &row[nu..])?;
        }
        Ok(())
    }
}

/// A total metric's running estimate (see [`ConvergencePoint`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Index of the metric in [`crate::engine::metrics::Layout`] order.
    pub metric: usize,
    /// Mean of the replicates so far.
    pub mean: f64,
    /// Its Monte Carlo standard error, as the summary computes it (with
    /// RQMC: over the scrambles begun so far; NaN while fewer than two).
    pub mcse: f64,
}

/// The estimates of every total metric after the first `replicates`
/// replicates (in index order): what the summary would report had the run
/// stopped there. Recorded at every power of two from
/// [`CONVERGENCE_FIRST`] inside the first wave, at the end of every wave
/// (thinning out geometrically beyond [`CONVERGENCE_EVERY_WAVE`] waves) and
/// at the end of the run, so the last point is the run's own mean and MCSE.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvergencePoint {
    pub replicates: u64,
    /// One per total metric, in layout order.
    pub estimates: Vec<Estimate>,
}

/// Everything a run produces.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub replicates: u64,
    pub seed: u64,
    /// Summary of each metric, in layout order.
    pub metrics: Vec<Summary>,
    /// Summary of each uncertain input, in [`Engine::uncertain`] order.
    pub inputs: Vec<Summary>,
    pub quantile_method: QuantileMethod,
    /// Per-day quantile bands of the daily series.
    pub daily: DailyBands,
    /// Each metric's quantile function at [`quantile_grid`] (same method
    /// as the summary): enough to draw histograms and exceedance curves.
    pub metric_quantiles: Vec<Vec<f64>>,
    /// Why the run stopped (see [`StopRule`]).
    pub stopped: StopReason,
    /// 95% intervals of each metric's p5, p25, p50, p75, p95 (distribution-
    /// free order-statistic intervals; from the sketch above the exact
    /// limit), in layout order.
    pub quantile_intervals: Vec<[(f64, f64); 5]>,
    /// Running means and MCSEs of the total metrics, by replicate count
    /// (increasing; the last is the whole run).
    pub convergence: Vec<ConvergencePoint>,
}

/// Probabilities at which `quantiles.csv` tabulates every metric:
/// 0, 0.005, 0.01, …, 0.995, 1 (201 points; 0 and 1 are min and max).
pub fn quantile_grid() -> Vec<f64> {
    (0..=200).map(|i| i as f64 / 200.0).collect()
}

/// Runs `cfg.replicates` replicates. `progress` is called with the number
/// done after every wave. Only the sink can fail.
pub fn run(
    engine: &Engine,
    cfg: &RunConfig,
    sink: Option<&mut dyn RowSink>,
    progress: &(dyn Fn(u64) + Sync),
) -> std::io::Result<RunResult> {
    run_until(engine, cfg, None, sink, progress)
}

/// Like [`run`], stopping early by `stop` (then `cfg.replicates` is a cap).
pub fn run_until(
    engine: &Engine,
    cfg: &RunConfig,
    stop: Option<&StopRule>,
    sink: Option<&mut dyn RowSink>,
    progress: &(dyn Fn(u64) + Sync),
) -> std::io::Result<RunResult> {
    run_designed(engine, cfg, stop, None, sink, progress)
}

/// Like [`run_until`], with the uncertain inputs drawn from a sampling
/// `design` (default: Monte Carlo from keyed streams). With randomized QMC,
/// each metric's MCSE is the standard error of the mean over the design's
/// independent scrambles.
pub fn run_designed(
    engine: &Engine,
    cfg: &RunConfig,
    stop: Option<&StopRule>,
    design: Option<&InputDesign>,
    mut sink: Option<&mut dyn RowSink>,
    progress: &(dyn Fn(u64) + Sync),
) -> std::io::Result<RunResult> {
    let nu = engine.uncertain().len();
    let nm = engine.layout.len();
    let stride = nu + nm;
    let h = engine.scenario.meta.horizon;
    let ns = engine.series.len();
    let n = cfg.replicates;
    let exact = n <= cfg.exact_quantile_limit;

    let threads = rayon::current_num_threads().max(1);
    let slots: Vec<Mutex<Slot>> = (0..threads)
        .map(|_| {
            let mut s = Slot::new(engine.workspace(), ns, h);
            s.u = vec![0.5; nu];
            Mutex::new(s)
        })
        .collect();
    let nblocks = design.map_or(1, InputDesign::blocks);
    let mut columns: Vec<Column> = (0..stride)
        .map(|_| Column {
            moments: Moments::new(),
            blocks: if nblocks > 1 {
                vec![Moments::new(); nblocks]
            } else {
                Vec::new()
            },
            values: Vec::new(),
            sketch: LogHistogram::new(),
        })
        .collect();
    let mut buf = vec![0.0f64; WAVE.min(n as usize).max(1) * stride];
    let mut row_blocks = vec![0usize; WAVE.min(n as usize).max(1)];
    let totals: Vec<usize> = engine
        .layout
        .defs
        .iter()
        .enumerate()
        .filter(|(_, d)| matches!(d.scope, Scope::Total))
        .map(|(k, _)| k)
        .collect();
    let mut convergence: Vec<ConvergencePoint> = Vec::new();
    // The estimates of the totals after `c` replicates, from the moments
    // accumulated so far (index order: deterministic).
    let checkpoint = |c: u64, columns: &[Column]| ConvergencePoint {
        replicates: c,
        estimates: totals
            .iter()
            .map(|&k| {
                let col = &columns[nu + k];
                let m = &col.moments;
                let mcse = if nblocks > 1 {
                    block_mcse(&col.blocks)
                } else {
                    m.mcse()
                };
                Estimate {
                    metric: k,
                    mean: m.mean(),
                    mcse,
                }
            })
            .collect(),
    };

    let mut done = 0u64;
    let mut stopped = StopReason::Completed;
    while done < n {
        let count = ((n - done) as usize).min(WAVE);
        let first = done;
        buf[..count * stride]
            .par_chunks_mut(stride)
            .enumerate()
            .for_each(|(i, row)| {
                let slot = &slots[rayon::current_thread_index().unwrap_or(0) % threads];
                let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
                let slot = &mut *guard;
                let rep = first + i as u64;
                let (inp, met) = row.split_at_mut(nu);
                match design {
                    Some(d) => {
                        d.uniforms(rep, &mut slot.u);
                        engine.inputs_from_uniforms(&slot.u, &mut slot.ws.inputs);
                        engine.simulate_with_inputs(cfg.seed, rep, &mut slot.ws, met);
                    }
                    None => engine.simulate(cfg.seed, rep, &mut slot.ws, met),
                }
                for (k, id) in engine.uncertain().iter().enumerate() {
                    inp[k] = slot.ws.inputs.get(*id);
                }
                slot.stage_series(engine);
            });
        // Consume the wave's rows in index order: columns in parallel (each
        // column's accumulators see its values in index order, so the result
        // does not depend on the thread count), cut at the convergence
        // checkpoints that fall inside the wave.
        for (i, b) in row_blocks[..count].iter_mut().enumerate() {
            *b = design.map_or(0, |d| d.block(first + i as u64));
        }
        let mut from = 0usize;
        while from < count {
            let mut to = count;
            let cut = (first + from as u64 + 1)
                .next_power_of_two()
                .max(CONVERGENCE_FIRST);
            if (CONVERGENCE_FIRST..WAVE as u64).contains(&cut) && cut < first + count as u64 {
                to = (cut - first) as usize;
            }
            consume(
                &mut columns,
                &buf[from * stride..to * stride],
                &row_blocks[from..to],
                exact,
            );
            if to < count {
                convergence.push(checkpoint(first + to as u64, &columns));
            }
            from = to;
        }
        if let Some(s) = sink.as_deref_mut() {
            s.rows(first, &buf[..count * stride], stride, nu)?;
        }
        done += count as u64;
        let wave = done.div_ceil(WAVE as u64);
        if convergence_wave(wave) || done >= n {
            convergence.push(checkpoint(done, &columns));
        }
        progress(done);
        if let Some(rule) = stop {
            let rse: Vec<f64> = rule
                .metrics
                .iter()
                .map(|&k| relative_standard_error(&columns[nu + k].moments))
                .collect();
            if rse.iter().all(|&r| r <= rule.target_rse) {
                stopped = StopReason::Converged { rse };
                if convergence.last().is_none_or(|p| p.replicates != done) {
                    convergence.push(checkpoint(done, &columns));
                }
                break;
            }
            if done >= n {
                stopped = StopReason::CapReached { rse };
            }
        }
    }
    let n = done;

    let mut daily = DailyBands::new(ns, h);
    for slot in &slots {
        let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
        guard.flush();
        daily.merge(&guard.bands);
    }
    let grid = quantile_grid();
    let summaries: Vec<Summary> = columns
        .par_iter_mut()
        .map(|col| {
            let mut s = if exact {
                with_moments(summarize_in_place(&mut col.values), &col.moments)
            } else {
                sketch_summary(&col.sketch, &col.moments)
            };
            if nblocks > 1 {
                // RQMC: the standard error of the mean over independent
                // scrambles.
                s.mcse = scramble_mcse(&col.blocks);
            }
            s
        })
        .collect();
    // Exact columns are sorted now (summarize_in_place).
    let quantile_intervals: Vec<[(f64, f64); 5]> = columns[nu..]
        .iter()
        .map(|col| {
            if exact {
                return SUMMARY_QUANTILES.map(|p| quantile_ci_sorted(&col.values, p, 0.95));
            }
            let (h, n) = (&col.sketch, col.moments.n() as usize);
            SUMMARY_QUANTILES.map(|p| match quantile_ci_ranks(n, p, 0.95) {
                Some((j, k)) if n > 1 => {
                    let at = |r: usize| h.quantile((r - 1) as f64 / (n - 1) as f64);
                    (at(j), at(k))
                }
                _ => (h.quantile(p), h.quantile(p)),
            })
        })
        .collect();
    let metric_quantiles: Vec<Vec<f64>> = columns[nu..]
        .iter()
        .map(|col| {
            grid.iter()
                .map(|&p| {
                    if exact {
                        quantile_sorted(&col.values, p)
                    } else {
                        match p {
                            0.0 => col.moments.min(),
                            1.0 => col.moments.max(),
                            _ => col.sketch.quantile(p),
                        }
                    }
                })
                .collect()
        })
        .collect();
    let (inputs, metrics) = summaries.split_at(nu);
    Ok(RunResult {
        replicates: n,
        seed: cfg.seed,
        metrics: metrics.to_vec(),
        inputs: inputs.to_vec(),
        quantile_method: if exact {
            QuantileMethod::Exact
        } else {
            QuantileMethod::Sketch
        },
        daily,
        metric_quantiles,
        stopped,
        convergence,
        quantile_intervals,
    })
}

/// Waves after which [`RunResult::convergence`] records a point: each of
/// the first [`CONVERGENCE_EVERY_WAVE`], then every 2nd up to twice that,
/// every 4th up to four times, … (so each doubling of the run adds as many
/// points, and a 100-million-replicate run records about 2,000).
fn convergence_wave(wave: u64) -> bool {
    wave <= CONVERGENCE_EVERY_WAVE
        || wave.is_multiple_of((wave.next_power_of_two() / CONVERGENCE_EVERY_WAVE).max(1))
}

/// RQMC: the standard error of a column's mean over the scrambles begun
/// so far.
fn scramble_mcse(blocks: &[Moments]) -> f64 {
    let mut means = Moments::new();
    for m in blocks {
        if m.n() > 0 {
            means.push(m.mean());
        }
    }
    means.mcse()
}

/// [`scramble_mcse`] for a running estimate: NaN while fewer than two
/// scrambles have begun (one scramble says nothing about the error).
fn block_mcse(blocks: &[Moments]) -> f64 {
    if blocks.iter().filter(|m| m.n() > 0).count() < 2 {
        f64::NAN
    } else {
        scramble_mcse(blocks)
    }
}

/// Everything accumulated for one column (an uncertain input or a metric),
/// from its values in replicate-index order.
struct Column {
    moments: Moments,
    /// Moments per scramble of a randomized QMC design (empty otherwise).
    blocks: Vec<Moments>,
    /// Every value, for exact quantiles (up to the exact limit).
    values: Vec<f64>,
    /// Log-linear sketch, above the exact limit.
    sketch: LogHistogram,
}

/// Adjacent columns handled by one task: a cache line of a row.
const COLUMN_CHUNK: usize = 8;

/// Rows whose cells of one column chunk [`consume`] copies at a time.
const CONSUME_BATCH: usize = 64;

/// Adds rows (`stride` = `columns.len()` values each, in index order) to the
/// columns' accumulators; `blocks[i]` is row `i`'s scramble. Columns are
/// spread over threads, each walking the rows in order, so every
/// accumulator sees the same sequence at any thread count.
fn consume(columns: &mut [Column], rows: &[f64], blocks: &[usize], exact: bool) {
    let stride = columns.len();
    columns
        .par_chunks_mut(COLUMN_CHUNK)
        .enumerate()
        .for_each(|(ci, chunk)| {
            let k0 = ci * COLUMN_CHUNK;
            let width = chunk.len();
            // The rows are far apart (a whole row each): copy this chunk's
            // cells of a batch of rows first, in a loop of independent
            // loads whose cache misses overlap, then accumulate from the copy.
            let mut batch = [[0.0f64; COLUMN_CHUNK]; CONSUME_BATCH];
            let row_batches = rows.chunks(stride * CONSUME_BATCH);
            for (rows, blocks) in row_batches.zip(blocks.chunks(CONSUME_BATCH)) {
                for (cells, row) in batch.iter_mut().zip(rows.chunks_exact(stride)) {
                    cells[..width].copy_from_slice(&row[k0..k0 + width]);
                }
                for (cells, &b) in batch.iter().zip(blocks) {
                    for (col, &x) in chunk.iter_mut().zip(cells) {
                        col.moments.push(x);
                        if exact {
                            col.values.push(x);
                        } else {
                            col.sketch.insert(x);
                        }
                        if let Some(m) = col.blocks.get_mut(b) {
                            m.push(x);
                        }
                    }
                }
            }
        });
}

/// Replicates whose daily series a thread buffers before adding them to its
/// bands ([`DailyBands::add_rows`] then visits each cell once per batch).
const SERIES_BATCH: usize = 256;

/// One thread's reusable state.
struct Slot {
    ws: Workspace,
    bands: DailyBands,
    /// `pending[k · cells + series · H + day]`: replicate `k`'s value of a
    /// cell (replicate-major, so staging is a sequential copy).
    pending: Vec<f64>,
    staged: usize,
    /// Design uniforms of the current replicate.
    u: Vec<f64>,
}

impl Slot {
    fn new(ws: Workspace, series: usize, h: usize) -> Self {
        Self {
            ws,
            bands: DailyBands::new(series, h),
            pending: Vec::with_capacity(series * h * SERIES_BATCH),
            staged: 0,
            u: Vec::new(),
        }
    }

    /// Buffers the replicate's daily series, in
    /// [`crate::engine::metrics::series_defs`] order.
    fn stage_series(&mut self, engine: &Engine) {
        let h = engine.scenario.meta.horizon;
        let ws = &self.ws;
        let start = self.pending.len();
        for values in [&ws.open, &ws.backlog, &ws.price, &ws.cumulative_loss] {
            self.pending.extend_from_slice(values);
        }
        assert_eq!(
            self.pending.len() - start,
            self.bands.series() * h,
            "daily series of the wrong length"
        );
        self.staged += 1;
        if self.staged == SERIES_BATCH {
            self.flush();
        }
    }

    /// Adds the buffered replicates to the bands.
    fn flush(&mut self) {
        self.bands.add_rows(&self.pending);
        self.pending.clear();
        self.staged = 0;
    }
}

/// Takes mean/sd/mcse/min/max from the streaming moments (so both quantile
/// methods report identical moments).
fn with_moments(mut s: Summary, m: &Moments) -> Summary {
    s.n = m.n();
    s.mean = m.mean();
    s.sd = m.sd();
    s.mcse = m.mcse();
    s.min = m.min();
    s.max = m.max();
    s
}

fn sketch_summary(h: &LogHistogram, m: &Moments) -> Summary {
    let q = |p| h.quantile(p);
    Summary {
        n: m.n(),
        mean: m.mean(),
        sd: m.sd(),
        mcse: m.mcse(),
        min: m.min(),
        p5: q(0.05),
        p25: q(0.25),
        p50: q(0.5),
        p75: q(0.75),
        p95: q(0.95),
        max: m.max(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn convergence_waves_thin_out_geometrically() {
        let recorded = |upto: u64| (1..=upto).filter(|&w| convergence_wave(w)).count();
        assert!((1..=256).all(convergence_wave));
        assert!(!convergence_wave(257) && convergence_wave(258));
        assert!(!convergence_wave(514) && convergence_wave(516));
        assert_eq!(recorded(512), 256 + 128);
        assert_eq!(recorded(1024), 256 + 2 * 128);
        // 100 million replicates: 24,415 waves.
        assert!(recorded(24_415) < 2_100, "{}", recorded(24_415));
    }
}
