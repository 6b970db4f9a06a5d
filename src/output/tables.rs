//! Tabular exporters. Each returns bytes (pure functions, snapshot-testable)
//! except the replicate stream, which writes rows as they come.

use crate::engine::Engine;
use crate::engine::metrics::{MetricDef, Scope};
use crate::run::{RowSink, RunResult};
use crate::stats::Summary;
use std::io::Write;

/// Columns of `summary.csv`, in order.
pub const SUMMARY_COLUMNS: [&str; 15] = [
    "metric", "scope", "entity", "unit", "n", "mean", "sd", "mcse", "min", "p5", "p25", "p50",
    "p75", "p95", "max",
];

/// Columns of `daily.csv`, in order.
pub const DAILY_COLUMNS: [&str; 10] = [
    "day", "series", "scope", "entity", "unit", "p5", "p25", "p50", "p75", "p95",
];

/// Shortest decimal that round-trips (Rust's `Display` for `f64`).
pub fn num(x: f64) -> String {
    format!("{x}")
}

/// The statistics columns of `summary.csv` (n, mean, sd, mcse, min, p5,
/// p25, p50, p75, p95, max), as written in every table that repeats them.
pub(crate) fn stats_fields(s: &Summary) -> [String; 11] {
    [
        s.n.to_string(),
        num(s.mean),
        num(s.sd),
        num(s.mcse),
        num(s.min),
        num(s.p5),
        num(s.p25),
        num(s.p50),
        num(s.p75),
        num(s.p95),
        num(s.max),
    ]
}

/// A CSV writer error as an IO error.
pub(crate) fn csv_err(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// `summary.csv`: one row per metric (layout order), then one per uncertain
/// input (`scope = input`, `metric` = its scenario path).
pub fn summary_csv(engine: &Engine, r: &RunResult) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SUMMARY_COLUMNS).map_err(csv_err)?;
    for (d, s) in engine.layout.defs.iter().zip(&r.metrics) {
        let mut rec = vec![
            d.name.to_string(),
            d.scope.kind().into(),
            d.entity.clone(),
            d.unit.into(),
        ];
        rec.extend(stats_fields(s));
        w.write_record(&rec).map_err(csv_err)?;
    }
    for (id, s) in engine.uncertain().iter().zip(&r.inputs) {
        let p = &engine.scenario.params[id.ix()];
        let mut rec = vec![p.path.clone(), "input".into(), String::new(), p.unit.into()];
        rec.extend(stats_fields(s));
        w.write_record(&rec).map_err(csv_err)?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// `daily.csv`: per day and series, the p5/p25/p50/p75/p95 bands (long
/// format: one row per day and series).
pub fn daily_csv(engine: &Engine, r: &RunResult) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(DAILY_COLUMNS).map_err(csv_err)?;
    let h = engine.scenario.meta.horizon;
    for (si, sd) in engine.series.iter().enumerate() {
        for day in 0..h {
            let b = r.daily.bands(si, day);
            let mut rec = vec![
                day.to_string(),
                sd.name.to_string(),
                sd.scope.kind().to_string(),
                sd.entity.clone(),
                sd.unit.to_string(),
            ];
            rec.extend(b.iter().map(|x| num(*x)));
            w.write_record(&rec).map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// Columns of `summary_intervals.csv`, in order.
pub const INTERVAL_COLUMNS: [&str; 9] = [
    "metric",
    "scope",
    "entity",
    "unit",
    "statistic",
    "estimate",
    "lo",
    "hi",
    "method",
];

/// `summary_intervals.csv`: the Monte Carlo error of every statistic in
/// `summary.csv`, as 95% intervals: the mean ± 1.96 MCSE (normal
/// approximation; with RQMC the MCSE over scrambles), and for each of p5,
/// p25, p50, p75, p95 the distribution-free order-statistic interval
/// (binomial ranks; estimated from the sketch above the exact limit).
pub fn intervals_csv(engine: &Engine, r: &RunResult) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(INTERVAL_COLUMNS).map_err(csv_err)?;
    let names = ["p5", "p25", "p50", "p75", "p95"];
    for ((d, s), qi) in engine
        .layout
        .defs
        .iter()
        .zip(&r.metrics)
        .zip(&r.quantile_intervals)
    {
        let head = [d.name, d.scope.kind(), d.entity.as_str(), d.unit];
        let mean = [
            "mean".to_string(),
            num(s.mean),
            num(s.mean - 1.96 * s.mcse),
            num(s.mean + 1.96 * s.mcse),
            "normal (mean ± 1.96 MCSE)".into(),
        ];
        let mut rec: Vec<String> = head.iter().map(|x| x.to_string()).collect();
        rec.extend(mean);
        w.write_record(&rec).map_err(csv_err)?;
        let est = [s.p5, s.p25, s.p50, s.p75, s.p95];
        for ((name, e), (lo, hi)) in names.iter().zip(est).zip(qi) {
            let mut rec: Vec<String> = head.iter().map(|x| x.to_string()).collect();
            rec.extend([
                name.to_string(),
                num(e),
                num(*lo),
                num(*hi),
                "order statistics (binomial ranks)".into(),
            ]);
            w.write_record(&rec).map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// Columns of `quantiles.csv`, in order.
pub const QUANTILE_COLUMNS: [&str; 6] = ["metric", "scope", "entity", "unit", "p", "value"];

/// `quantiles.csv`: every metric's quantile function on
/// [`crate::run::quantile_grid`] (long format), for histograms and
/// exceedance curves ("probability the loss exceeds $X" = 1 − p).
pub fn quantiles_csv(engine: &Engine, r: &RunResult) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(QUANTILE_COLUMNS).map_err(csv_err)?;
    let grid = crate::run::quantile_grid();
    for (d, q) in engine.layout.defs.iter().zip(&r.metric_quantiles) {
        for (p, x) in grid.iter().zip(q) {
            w.write_record([
                d.name,
                d.scope.kind(),
                &d.entity,
                d.unit,
                &num(*p),
                &num(*x),
            ])
            .map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// Columns of `convergence.csv`, in order.
pub const CONVERGENCE_COLUMNS: [&str; 7] = [
    "replicates",
    "metric",
    "scope",
    "entity",
    "unit",
    "mean",
    "mcse",
];

/// `convergence.csv`: the running mean and its MCSE of every total metric
/// after the first `replicates` replicates (long format; see
/// [`crate::run::ConvergencePoint`]). The last rows are the run's own means
/// and MCSEs, formatted as in `summary.csv`.
pub fn convergence_csv(engine: &Engine, r: &RunResult) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CONVERGENCE_COLUMNS).map_err(csv_err)?;
    for point in &r.convergence {
        for e in &point.estimates {
            let d = &engine.layout.defs[e.metric];
            w.write_record([
                &point.replicates.to_string(),
                d.name,
                d.scope.kind(),
                &d.entity,
                d.unit,
                &num(e.mean),
                &num(e.mcse),
            ])
            .map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// Column names of `replicates.csv`.
pub fn replicate_columns(engine: &Engine) -> Vec<String> {
    let mut cols = vec!["replicate".to_string()];
    for id in engine.uncertain() {
        cols.push(format!("input.{}", engine.scenario.params[id.ix()].path));
    }
    cols.extend(engine.layout.defs.iter().map(MetricDef::column));
    cols
}

/// Streams `replicates.csv`, one row per replicate, in index order.
pub struct ReplicatesCsv<W: Write> {
    out: W,
    line: String,
}

impl<W: Write> ReplicatesCsv<W> {
    /// Writes the header.
    pub fn new(mut out: W, engine: &Engine) -> std::io::Result<Self> {
        let header = replicate_columns(engine).join(",");
        writeln!(out, "{header}")?;
        Ok(Self {
            out,
            line: String::with_capacity(4096),
        })
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Rows of `replicates.csv` formatted by one task of
/// [`ReplicatesCsv::rows`] (formatting, not writing, is what costs).
const FORMAT_BATCH: usize = 256;

/// Batches formatted before they are written.
const FORMAT_GROUP: usize = 4;

/// Appends replicate `replicate`'s line of `replicates.csv` to `line`.
fn replicate_line<'a>(line: &mut String, replicate: u64, values: impl Iterator<Item = &'a f64>) {
    use std::fmt::Write as _;
    let _ = write!(line, "{replicate}");
    for x in values {
        let _ = write!(line, ",{x}");
    }
    line.push('\n');
}

impl<W: Write> RowSink for ReplicatesCsv<W> {
    fn row(&mut self, replicate: u64, inputs: &[f64], metrics: &[f64]) -> std::io::Result<()> {
        self.line.clear();
        replicate_line(&mut self.line, replicate, inputs.iter().chain(metrics));
        self.out.write_all(self.line.as_bytes())
    }

    /// Formats batches of rows in parallel, a few batches at a time (so
    /// that the text held at once stays small), and writes them in order.
    fn rows(&mut self, first: u64, rows: &[f64], stride: usize, _nu: usize) -> std::io::Result<()> {
        use rayon::prelude::*;
        let group = stride * FORMAT_BATCH * FORMAT_GROUP;
        for (g, rows) in rows.chunks(group).enumerate() {
            let start = first + (g * FORMAT_BATCH * FORMAT_GROUP) as u64;
            let texts: Vec<String> = rows
                .par_chunks(stride * FORMAT_BATCH)
                .enumerate()
                .map(|(b, batch)| {
                    let mut text = String::with_capacity(batch.len() * 20);
                    let start = start + (b * FORMAT_BATCH) as u64;
                    for (i, row) in batch.chunks_exact(stride).enumerate() {
                        replicate_line(&mut text, start + i as u64, row.iter());
                    }
                    text
                })
                .collect();
            for text in &texts {
                self.out.write_all(text.as_bytes())?;
            }
        }
        Ok(())
    }
}

/// Whether a scope is a total.
pub fn is_total(scope: &Scope) -> bool {
    matches!(scope, Scope::Total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sink() -> ReplicatesCsv<Vec<u8>> {
        ReplicatesCsv {
            out: Vec::new(),
            line: String::new(),
        }
    }

    /// A wave handed over at once (several formatting batches, the last one
    /// short) gives the same bytes as its rows handed over one by one.
    #[test]
    fn rows_in_parallel_match_rows_one_by_one() {
        let (stride, nu, n) = (5, 2, (FORMAT_GROUP + 2) * FORMAT_BATCH + 37);
        let rows: Vec<f64> = (0..n * stride)
            .map(|k| (k as f64 * 0.37).sin() * 10f64.powi((k % 13) as i32 - 6))
            .collect();
        let first = 4096;
        let mut one = sink();
        for (i, row) in rows.chunks_exact(stride).enumerate() {
            one.row(first + i as u64, &row[..nu], &row[nu..]).unwrap();
        }
        let mut wave = sink();
        wave.rows(first, &rows, stride, nu).unwrap();
        assert_eq!(wave.out, one.out);
        let text = String::from_utf8(wave.out).unwrap();
        assert_eq!(text.lines().count(), n);
        assert!(text.starts_with("4096,"));
        assert!(
            text.lines()
                .last()
                .unwrap()
                .starts_with(&format!("{},", first + n as u64 - 1))
        );
    }
}
