//! Reads a finished run's output directory into typed tables: the only
//! input of the figures and the report. Every error names the file (and the
//! line, for tables).

use crate::error::LoadError;
use crate::output::tables::{
    CONVERGENCE_COLUMNS, DAILY_COLUMNS, QUANTILE_COLUMNS, SUMMARY_COLUMNS,
};
use crate::plots::{Marks, QuantileFn};
use crate::scenario::Scenario;
use crate::stats::Summary;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The files a report is built from.
pub const INPUT_FILES: [&str; 5] = [
    "summary.csv",
    "quantiles.csv",
    "daily.csv",
    "manifest.json",
    "scenario.toml",
];

/// Read when present (runs of older versions lack it): the running means
/// behind the convergence figure.
pub const CONVERGENCE_FILE: &str = "convergence.csv";

/// Why a run directory could not be turned into a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// An input file does not exist.
    #[error(
        "{file} not found: `bordersim report` needs a finished run's output directory (with {})",
        INPUT_FILES.join(", ")
    )]
    Missing { file: String },
    /// An input file exists but cannot be read.
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// An input file is not what `bordersim run` writes.
    #[error("{file}: {message}")]
    Malformed { file: String, message: String },
    /// `scenario.toml` is not a valid scenario.
    #[error("{0}")]
    Scenario(#[from] LoadError),
    /// A figure could not be drawn.
    #[error(transparent)]
    Plot(#[from] crate::plots::PlotError),
    /// Writing the figures or the report failed.
    #[error("cannot write {file}: {source}")]
    Write {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

impl ReportError {
    /// Whether the error lies in the input files (exit code 2) rather than
    /// in drawing or writing (exit code 1).
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            ReportError::Missing { .. }
                | ReportError::Read { .. }
                | ReportError::Malformed { .. }
                | ReportError::Scenario(_)
        )
    }
}

/// One row of `summary.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    pub metric: String,
    pub scope: String,
    pub entity: String,
    pub unit: String,
    /// `n` to `max`, as the run computed them.
    pub stats: Summary,
}

impl SummaryRow {
    /// p5, p50 and p95.
    pub fn marks(&self) -> Marks {
        Marks {
            p5: self.stats.p5,
            p50: self.stats.p50,
            p95: self.stats.p95,
        }
    }
}

/// One metric's quantile function from `quantiles.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantileCurve {
    pub metric: String,
    pub scope: String,
    pub entity: String,
    pub unit: String,
    pub p: Vec<f64>,
    pub value: Vec<f64>,
}

impl QuantileCurve {
    /// As the figures take it.
    pub fn function(&self) -> QuantileFn<'_> {
        QuantileFn {
            p: &self.p,
            x: &self.value,
        }
    }
}

/// One daily series from `daily.csv`: per day, p5, p25, p50, p75, p95.
#[derive(Clone, Debug, PartialEq)]
pub struct DailySeries {
    pub series: String,
    pub scope: String,
    pub entity: String,
    pub unit: String,
    pub bands: Vec<[f64; 5]>,
}

/// One total metric's running estimate from `convergence.csv`, by
/// replicate count (increasing).
#[derive(Clone, Debug, PartialEq)]
pub struct ConvergenceSeries {
    pub metric: String,
    pub scope: String,
    pub entity: String,
    pub unit: String,
    pub replicates: Vec<u64>,
    pub mean: Vec<f64>,
    pub mcse: Vec<f64>,
}

/// The parts of `manifest.json` the report shows.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ManifestInfo {
    #[serde(default)]
    pub bordersim_version: String,
    #[serde(default)]
    pub scenario_name: String,
    #[serde(default)]
    pub scenario_file: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub replicates: u64,
    #[serde(default)]
    pub horizon_days: Option<u64>,
    #[serde(default)]
    pub rng: String,
    #[serde(default)]
    pub quantile_method: String,
    #[serde(default)]
    pub dependencies: BTreeMap<String, String>,
    #[serde(default)]
    pub threads: Option<u64>,
    #[serde(default)]
    pub wall_time_seconds: Option<f64>,
    #[serde(default)]
    pub command: String,
    #[serde(default)]
    pub reproduce: String,
}

/// Everything a report is built from.
#[derive(Clone, Debug)]
pub struct RunFiles {
    pub dir: PathBuf,
    pub summary: Vec<SummaryRow>,
    pub quantiles: Vec<QuantileCurve>,
    pub daily: Vec<DailySeries>,
    pub manifest: ManifestInfo,
    pub scenario: Scenario,
    /// From `convergence.csv`; empty when the run has none.
    pub convergence: Vec<ConvergenceSeries>,
}

impl RunFiles {
    /// Reads and checks the files of `dir`.
    pub fn load(dir: &Path) -> Result<Self, ReportError> {
        // Report every missing file by the first one, in a fixed order.
        for name in INPUT_FILES {
            if !dir.join(name).is_file() {
                return Err(ReportError::Missing {
                    file: dir.join(name).display().to_string(),
                });
            }
        }
        let summary = parse_summary(&dir.join("summary.csv"))?;
        let quantiles = parse_quantiles(&dir.join("quantiles.csv"))?;
        let daily = parse_daily(&dir.join("daily.csv"))?;
        let mpath = dir.join("manifest.json");
        let mtext = read(&mpath)?;
        let manifest: ManifestInfo =
            serde_json::from_str(&mtext).map_err(|e| malformed(&mpath, e.to_string()))?;
        let spath = dir.join("scenario.toml");
        let stext = read(&spath)?;
        let sha: String = Sha256::digest(stext.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if sha != manifest.scenario_sha256 {
            return Err(malformed(
                &spath,
                format!(
                    "its SHA-256 ({sha}) differs from manifest.json's scenario_sha256 ({}): the files come from different runs",
                    manifest.scenario_sha256
                ),
            ));
        }
        let scenario = crate::scenario::load_str(&stext, &spath.display().to_string())?;
        let cpath = dir.join(CONVERGENCE_FILE);
        let convergence = if cpath.is_file() {
            parse_convergence(&cpath)?
        } else {
            Vec::new()
        };
        Ok(RunFiles {
            dir: dir.to_path_buf(),
            summary,
            quantiles,
            daily,
            manifest,
            scenario,
            convergence,
        })
    }

    /// The summary row of a metric (not an input) for an entity (`all` for
    /// totals).
    pub fn summary(&self, metric: &str, entity: &str) -> Option<&SummaryRow> {
        self.summary
            .iter()
            .find(|r| r.scope != "input" && r.metric == metric && r.entity == entity)
    }

    /// The quantile function of a metric for an entity.
    pub fn quantiles(&self, metric: &str, entity: &str) -> Option<&QuantileCurve> {
        self.quantiles
            .iter()
            .find(|q| q.metric == metric && q.entity == entity)
    }

    /// The running estimate of a metric for an entity, if recorded.
    pub fn convergence(&self, metric: &str, entity: &str) -> Option<&ConvergenceSeries> {
        self.convergence
            .iter()
            .find(|c| c.metric == metric && c.entity == entity)
    }

    /// A daily series for an entity.
    pub fn daily(&self, series: &str, entity: &str) -> Option<&DailySeries> {
        self.daily
            .iter()
            .find(|d| d.series == series && d.entity == entity)
    }
}

/// Reads a run file; errors name it.
pub(crate) fn read(path: &Path) -> Result<String, ReportError> {
    std::fs::read_to_string(path).map_err(|source| ReportError::Read {
        file: path.display().to_string(),
        source,
    })
}

/// The error for a file that is not what it should be.
pub(crate) fn malformed(path: &Path, message: String) -> ReportError {
    ReportError::Malformed {
        file: path.display().to_string(),
        message,
    }
}

/// Reads a CSV file whose header must be `columns`; yields records with
/// their line numbers.
fn records(path: &Path, columns: &[&str]) -> Result<Vec<(u64, csv::StringRecord)>, ReportError> {
    let text = read(path)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .map_err(|e| malformed(path, e.to_string()))?
        .clone();
    if header.iter().ne(columns.iter().copied()) {
        return Err(malformed(
            path,
            format!(
                "line 1: expected the columns {}, found {}",
                columns.join(","),
                header.iter().collect::<Vec<_>>().join(",")
            ),
        ));
    }
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| malformed(path, e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        out.push((line, rec));
    }
    Ok(out)
}

fn number(
    path: &Path,
    line: u64,
    rec: &csv::StringRecord,
    i: usize,
    col: &str,
) -> Result<f64, ReportError> {
    rec[i].trim().parse::<f64>().map_err(|_| {
        malformed(
            path,
            format!("line {line}: `{col}` is not a number: {:?}", &rec[i]),
        )
    })
}

fn parse_summary(path: &Path) -> Result<Vec<SummaryRow>, ReportError> {
    let mut rows = Vec::new();
    for (line, rec) in records(path, &SUMMARY_COLUMNS)? {
        let f = |i: usize| number(path, line, &rec, i, SUMMARY_COLUMNS[i]);
        let n = rec[4].trim().parse::<u64>().map_err(|_| {
            malformed(
                path,
                format!("line {line}: `n` is not a count: {:?}", &rec[4]),
            )
        })?;
        rows.push(SummaryRow {
            metric: rec[0].to_string(),
            scope: rec[1].to_string(),
            entity: rec[2].to_string(),
            unit: rec[3].to_string(),
            stats: Summary {
                n,
                mean: f(5)?,
                sd: f(6)?,
                mcse: f(7)?,
                min: f(8)?,
                p5: f(9)?,
                p25: f(10)?,
                p50: f(11)?,
                p75: f(12)?,
                p95: f(13)?,
                max: f(14)?,
            },
        });
    }
    if rows.is_empty() {
        return Err(malformed(path, "no rows".into()));
    }
    Ok(rows)
}

fn parse_quantiles(path: &Path) -> Result<Vec<QuantileCurve>, ReportError> {
    let mut out: Vec<QuantileCurve> = Vec::new();
    for (line, rec) in records(path, &QUANTILE_COLUMNS)? {
        let p = number(path, line, &rec, 4, "p")?;
        let v = number(path, line, &rec, 5, "value")?;
        let same = out
            .last()
            .is_some_and(|q| q.metric == rec[0] && q.scope == rec[1] && q.entity == rec[2]);
        if !same {
            out.push(QuantileCurve {
                metric: rec[0].to_string(),
                scope: rec[1].to_string(),
                entity: rec[2].to_string(),
                unit: rec[3].to_string(),
                p: Vec::new(),
                value: Vec::new(),
            });
        }
        let q = out.last_mut().expect("pushed above");
        if q.p.last().is_some_and(|&last| p <= last) {
            return Err(malformed(
                path,
                format!(
                    "line {line}: p = {p} does not increase within {} {}",
                    q.metric, q.entity
                ),
            ));
        }
        q.p.push(p);
        q.value.push(v);
    }
    Ok(out)
}

fn parse_daily(path: &Path) -> Result<Vec<DailySeries>, ReportError> {
    let mut out: Vec<DailySeries> = Vec::new();
    for (line, rec) in records(path, &DAILY_COLUMNS)? {
        let day = rec[0].trim().parse::<usize>().map_err(|_| {
            malformed(
                path,
                format!("line {line}: `day` is not a day index: {:?}", &rec[0]),
            )
        })?;
        let mut b = [0.0; 5];
        for (k, v) in b.iter_mut().enumerate() {
            *v = number(path, line, &rec, 5 + k, DAILY_COLUMNS[5 + k])?;
        }
        let same = out
            .last()
            .is_some_and(|d| d.series == rec[1] && d.scope == rec[2] && d.entity == rec[3]);
        if !same {
            out.push(DailySeries {
                series: rec[1].to_string(),
                scope: rec[2].to_string(),
                entity: rec[3].to_string(),
                unit: rec[4].to_string(),
                bands: Vec::new(),
            });
        }
        let d = out.last_mut().expect("pushed above");
        if day != d.bands.len() {
            return Err(malformed(
                path,
                format!(
                    "line {line}: expected day {} of {} {}, found day {day}",
                    d.bands.len(),
                    d.series,
                    d.entity
                ),
            ));
        }
        d.bands.push(b);
    }
    Ok(out)
}

fn parse_convergence(path: &Path) -> Result<Vec<ConvergenceSeries>, ReportError> {
    let mut out: Vec<ConvergenceSeries> = Vec::new();
    for (line, rec) in records(path, &CONVERGENCE_COLUMNS)? {
        let n = rec[0].trim().parse::<u64>().map_err(|_| {
            malformed(
                path,
                format!("line {line}: `replicates` is not a count: {:?}", &rec[0]),
            )
        })?;
        let mean = number(path, line, &rec, 5, "mean")?;
        let mcse = number(path, line, &rec, 6, "mcse")?;
        let i = match out
            .iter()
            .position(|c| c.metric == rec[1] && c.scope == rec[2] && c.entity == rec[3])
        {
            Some(i) => i,
            None => {
                out.push(ConvergenceSeries {
                    metric: rec[1].to_string(),
                    scope: rec[2].to_string(),
                    entity: rec[3].to_string(),
                    unit: rec[4].to_string(),
                    replicates: Vec::new(),
                    mean: Vec::new(),
                    mcse: Vec::new(),
                });
                out.len() - 1
            }
        };
        let c = &mut out[i];
        if c.replicates.last().is_some_and(|&last| n <= last) {
            return Err(malformed(
                path,
                format!(
                    "line {line}: replicates = {n} does not increase within {} {}",
                    c.metric, c.entity
                ),
            ));
        }
        c.replicates.push(n);
        c.mean.push(mean);
        c.mcse.push(mcse);
    }
    Ok(out)
}
