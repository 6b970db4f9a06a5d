//! Figures and `report.html` of a paired run (`bordersim sweep`, `bordersim
//! compare`), built only from the files it wrote: `sweep.csv`,
//! `sweep_differences.csv`, `marginal.csv` (numeric one-field sweeps) and
//! `manifest.json` for a sweep; `compare.csv`, `compare_summary.csv` and
//! `manifest.json` for a comparison. `manifest.json`'s `kind` says which.
//!
//! - sweep: each outcome against the swept value (median, mean, p25–p75
//!   and p5–p95 bands), the marginal cost of one more unit, and the paired
//!   differences of every point against the baseline point;
//! - compare: the paired differences `B − A` of the headline outcomes.
//!
//! The page is self-contained like the run report (inline CSS and SVG).

use super::data::ReportError;
use super::data::{malformed, read};
use super::html::{CSS, inline_svg};
use super::text::{count, environment_rows, escape};
use crate::output::format::with_unit;
use crate::output::paired::{DIFFERENCE_HEAD, DIFFERENCE_TAIL, STATS};
use crate::plots::{PlotError, Rendered, compare, sweep};
use crate::stats::Summary;
use rayon::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Statistic columns of the paired tables (as in `summary.csv`).
/// Outcomes drawn and tabulated (all costs or harms): (metric, label,
/// always shown). The others appear only when some variant has them.
pub const OUTCOMES: &[(&str, &str, bool)] = &[
    ("direct_loss_usd", "Direct loss", true),
    ("spoiled_value_usd", "Spoiled cargo", true),
    ("waiting_cost_usd", "Waiting costs", true),
    ("lost_wages_usd", "Lost wages", true),
    (
        "consumer_extra_spending_usd",
        "Consumers' extra spending",
        true,
    ),
    ("producer_glut_loss_usd", "Producers' glut loss", true),
    (
        "workers_exhausting_savings",
        "Workers exhausting savings",
        true,
    ),
    ("customs_revenue_lost_usd", "Customs revenue lost", true),
    ("diversion_cost_usd", "Diversion costs", false),
    ("external_route_cost_usd", "External route costs", false),
    ("cash_support_cost_usd", "Cash support paid", false),
];

/// Outcomes of the sweep's small multiples (direct loss has its own
/// figure).
const SWEEP_PANELS: [&str; 6] = [
    "spoiled_value_usd",
    "waiting_cost_usd",
    "lost_wages_usd",
    "consumer_extra_spending_usd",
    "workers_exhausting_savings",
    "customs_revenue_lost_usd",
];

/// Outcomes of the sweep's paired-difference figure.
const SWEEP_DIFF_PANELS: [&str; 4] = [
    "direct_loss_usd",
    "spoiled_value_usd",
    "lost_wages_usd",
    "workers_exhausting_savings",
];

fn label_of(metric: &str) -> String {
    OUTCOMES
        .iter()
        .find(|(m, ..)| *m == metric)
        .map_or_else(|| metric.replace('_', " "), |(_, l, _)| l.to_string())
}

/// "US$", "workers", "%": the unit as an axis label shows it.
fn unit_label(unit: &str) -> String {
    match unit {
        "USD" => "US$".into(),
        "share" => "%".into(),
        u => u.into(),
    }
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

/// A sweep point or a compared scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub index: usize,
    pub label: String,
    /// Value of each key column (sweep: each swept path; compare: the file).
    pub values: Vec<String>,
}

/// One row of `sweep.csv` / `compare_summary.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricRow {
    pub point: usize,
    pub metric: String,
    pub scope: String,
    pub entity: String,
    pub unit: String,
    pub stats: Summary,
}

/// One row of `sweep_differences.csv` / `compare.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct DiffRow {
    pub point: usize,
    pub baseline: String,
    pub metric: String,
    pub scope: String,
    pub entity: String,
    pub unit: String,
    pub mean_baseline: f64,
    pub mean_variant: f64,
    pub diff: Summary,
    pub prob_higher: f64,
    pub variance_reduction: f64,
}

/// One row of `marginal.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct MarginalRow {
    pub path: String,
    pub from: f64,
    pub to: f64,
    pub midpoint: f64,
    pub metric: String,
    pub scope: String,
    pub entity: String,
    /// e.g. `USD/unit`.
    pub unit: String,
    pub stats: Summary,
    pub variance_reduction: f64,
}

/// A scenario named by the manifest.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ScenarioInfo {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub scenario_sha256: String,
}

/// `manifest.json` of a paired run.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct PairedManifest {
    pub kind: String,
    #[serde(default)]
    pub bordersim_version: String,
    #[serde(default)]
    pub scenarios: Vec<ScenarioInfo>,
    pub seed: u64,
    pub replicates: u64,
    #[serde(default)]
    pub rng: String,
    #[serde(default)]
    pub common_random_numbers: String,
    #[serde(default)]
    pub dependencies: BTreeMap<String, String>,
    #[serde(default)]
    pub threads: Option<u64>,
    #[serde(default)]
    pub wall_time_seconds: Option<f64>,
    #[serde(default)]
    pub command: String,
    #[serde(default)]
    pub details: serde_json::Value,
}

/// Everything a paired report is built from.
#[derive(Clone, Debug)]
pub struct PairedFiles {
    pub dir: PathBuf,
    pub manifest: PairedManifest,
    /// Names of the key columns (sweep: the swept paths; compare: `file`).
    pub keys: Vec<String>,
    pub variants: Vec<Variant>,
    pub metrics: Vec<MetricRow>,
    pub differences: Vec<DiffRow>,
    /// Sweep only, and only for a numeric one-field sweep.
    pub marginal: Vec<MarginalRow>,
}

impl PairedFiles {
    /// Whether this is a sweep (else a comparison).
    pub fn is_sweep(&self) -> bool {
        self.manifest.kind == "sweep"
    }

    /// Index of the baseline variant.
    pub fn baseline(&self) -> usize {
        match &self.manifest.details["baseline"] {
            serde_json::Value::Number(n) => n.as_u64().unwrap_or(0) as usize,
            serde_json::Value::String(s) => self
                .variants
                .iter()
                .position(|v| &v.label == s)
                .unwrap_or(0),
            _ => 0,
        }
    }

    /// Whether the sweep's fields were zipped rather than crossed.
    pub fn zipped(&self) -> bool {
        self.manifest.details["zip"].as_bool().unwrap_or(false)
    }

    /// A total metric's row for a variant.
    pub fn metric(&self, point: usize, metric: &str) -> Option<&MetricRow> {
        self.metrics
            .iter()
            .find(|r| r.point == point && r.metric == metric && r.entity == "all")
    }

    /// A total metric's paired difference for a variant.
    pub fn difference(&self, point: usize, metric: &str) -> Option<&DiffRow> {
        self.differences
            .iter()
            .find(|r| r.point == point && r.metric == metric && r.entity == "all")
    }

    /// The marginal rows of a total metric, in sweep order.
    pub fn marginal(&self, metric: &str) -> Vec<&MarginalRow> {
        self.marginal
            .iter()
            .filter(|r| r.metric == metric && r.entity == "all")
            .collect()
    }

    /// The outcomes of [`OUTCOMES`] present, the optional ones only where a
    /// variant has a non-zero mean: (metric, label).
    pub fn outcomes(&self) -> Vec<(&'static str, &'static str)> {
        OUTCOMES
            .iter()
            .filter(|(m, _, always)| {
                let rows = self.variants.iter().filter_map(|v| self.metric(v.index, m));
                let mut rows = rows.peekable();
                rows.peek().is_some() && (*always || rows.any(|r| r.stats.mean != 0.0))
            })
            .map(|(m, l, _)| (*m, *l))
            .collect()
    }

    /// Reads the files of a sweep or comparison in `dir`.
    pub fn load(dir: &Path) -> Result<Self, ReportError> {
        let mpath = dir.join("manifest.json");
        let manifest: PairedManifest =
            serde_json::from_str(&read(&mpath)?).map_err(|e| malformed(&mpath, e.to_string()))?;
        let (stats_file, diff_file) = match manifest.kind.as_str() {
            "sweep" => ("sweep.csv", "sweep_differences.csv"),
            "compare" => ("compare_summary.csv", "compare.csv"),
            k => {
                return Err(malformed(
                    &mpath,
                    format!("`kind` is {k:?}, not \"sweep\" or \"compare\""),
                ));
            }
        };
        let (keys, variants, metrics) = parse_metrics(&dir.join(stats_file))?;
        let differences = parse_differences(&dir.join(diff_file), keys.len())?;
        let mpath_marginal = dir.join("marginal.csv");
        let marginal = if manifest.kind == "sweep" && mpath_marginal.is_file() {
            parse_marginal(&mpath_marginal)?
        } else {
            Vec::new()
        };
        Ok(PairedFiles {
            dir: dir.to_path_buf(),
            manifest,
            keys,
            variants,
            metrics,
            differences,
            marginal,
        })
    }
}

/// The `kind` of `dir/manifest.json` when it is a paired run's.
pub fn paired_kind(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    match v["kind"].as_str()? {
        k @ ("sweep" | "compare") => Some(k.to_string()),
        _ => None,
    }
}

/// Records of a table with their line numbers.
type Records = Vec<(u64, csv::StringRecord)>;

/// The header and records (with line numbers) of a CSV file whose header
/// starts with `head` and ends with `tail`; returns the columns between.
fn table(
    path: &Path,
    head: &[&str],
    tail: &[String],
) -> Result<(Vec<String>, Records), ReportError> {
    let text = read(path)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| malformed(path, e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let ok = header.len() >= head.len() + tail.len()
        && header[..head.len()].iter().zip(head).all(|(a, b)| a == b)
        && header[header.len() - tail.len()..] == *tail;
    if !ok {
        return Err(malformed(
            path,
            format!(
                "line 1: expected the columns {},…,{}, found {}",
                head.join(","),
                tail.join(","),
                header.join(",")
            ),
        ));
    }
    let middle = header[head.len()..header.len() - tail.len()].to_vec();
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| malformed(path, e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        out.push((line, rec));
    }
    Ok((middle, out))
}

fn number(path: &Path, line: u64, rec: &csv::StringRecord, i: usize) -> Result<f64, ReportError> {
    rec[i].trim().parse::<f64>().map_err(|_| {
        malformed(
            path,
            format!(
                "line {line}: column {} is not a number: {:?}",
                i + 1,
                &rec[i]
            ),
        )
    })
}

fn integer(path: &Path, line: u64, rec: &csv::StringRecord, i: usize) -> Result<u64, ReportError> {
    rec[i].trim().parse::<u64>().map_err(|_| {
        malformed(
            path,
            format!(
                "line {line}: column {} is not a count: {:?}",
                i + 1,
                &rec[i]
            ),
        )
    })
}

/// The 11 statistic columns starting at `i`.
fn stats_at(
    path: &Path,
    line: u64,
    rec: &csv::StringRecord,
    i: usize,
) -> Result<Summary, ReportError> {
    let f = |k: usize| number(path, line, rec, i + k);
    Ok(Summary {
        n: integer(path, line, rec, i)?,
        mean: f(1)?,
        sd: f(2)?,
        mcse: f(3)?,
        min: f(4)?,
        p5: f(5)?,
        p25: f(6)?,
        p50: f(7)?,
        p75: f(8)?,
        p95: f(9)?,
        max: f(10)?,
    })
}

type Parsed = (Vec<String>, Vec<Variant>, Vec<MetricRow>);

fn parse_metrics(path: &Path) -> Result<Parsed, ReportError> {
    let tail: Vec<String> = ["metric", "scope", "entity", "unit"]
        .iter()
        .chain(STATS.iter())
        .map(|s| s.to_string())
        .collect();
    let (keys, records) = table(path, &["point", "label"], &tail)?;
    if records.is_empty() {
        return Err(malformed(path, "no rows".into()));
    }
    let nk = keys.len();
    let mut variants: Vec<Variant> = Vec::new();
    let mut rows = Vec::new();
    for (line, rec) in records {
        let point = integer(path, line, &rec, 0)? as usize;
        if !variants.iter().any(|v| v.index == point) {
            variants.push(Variant {
                index: point,
                label: rec[1].to_string(),
                values: (0..nk).map(|k| rec[2 + k].to_string()).collect(),
            });
        }
        let m = 2 + nk;
        rows.push(MetricRow {
            point,
            metric: rec[m].to_string(),
            scope: rec[m + 1].to_string(),
            entity: rec[m + 2].to_string(),
            unit: rec[m + 3].to_string(),
            stats: stats_at(path, line, &rec, m + 4)?,
        });
    }
    Ok((keys, variants, rows))
}

fn parse_differences(path: &Path, nkeys: usize) -> Result<Vec<DiffRow>, ReportError> {
    let tail: Vec<String> = DIFFERENCE_HEAD
        .iter()
        .map(|s| s.to_string())
        .chain(STATS.iter().map(|s| format!("diff_{s}")))
        .chain(DIFFERENCE_TAIL.iter().map(|s| s.to_string()))
        .collect();
    let (keys, records) = table(path, &["point", "label"], &tail)?;
    if keys.len() != nkeys {
        return Err(malformed(
            path,
            format!(
                "line 1: {} key columns, but the per-point table has {nkeys}",
                keys.len()
            ),
        ));
    }
    let m = 2 + nkeys;
    records
        .into_iter()
        .map(|(line, rec)| {
            Ok(DiffRow {
                point: integer(path, line, &rec, 0)? as usize,
                baseline: rec[m].to_string(),
                metric: rec[m + 1].to_string(),
                scope: rec[m + 2].to_string(),
                entity: rec[m + 3].to_string(),
                unit: rec[m + 4].to_string(),
                mean_baseline: number(path, line, &rec, m + 5)?,
                mean_variant: number(path, line, &rec, m + 6)?,
                diff: stats_at(path, line, &rec, m + 7)?,
                prob_higher: number(path, line, &rec, m + 18)?,
                variance_reduction: number(path, line, &rec, m + 19)?,
            })
        })
        .collect()
}

fn parse_marginal(path: &Path) -> Result<Vec<MarginalRow>, ReportError> {
    let tail: Vec<String> = ["metric", "scope", "entity", "unit"]
        .iter()
        .chain(STATS.iter())
        .chain(["variance_reduction"].iter())
        .map(|s| s.to_string())
        .collect();
    let (middle, records) = table(path, &["path", "from", "to", "midpoint"], &tail)?;
    if !middle.is_empty() {
        return Err(malformed(path, "line 1: unexpected columns".into()));
    }
    records
        .into_iter()
        .map(|(line, rec)| {
            Ok(MarginalRow {
                path: rec[0].to_string(),
                from: number(path, line, &rec, 1)?,
                to: number(path, line, &rec, 2)?,
                midpoint: number(path, line, &rec, 3)?,
                metric: rec[4].to_string(),
                scope: rec[5].to_string(),
                entity: rec[6].to_string(),
                unit: rec[7].to_string(),
                stats: stats_at(path, line, &rec, 8)?,
                variance_reduction: number(path, line, &rec, 19)?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The swept value
// ---------------------------------------------------------------------------

/// How a swept path reads: a label ("Closure duration"), its unit as the
/// tables write it ("days", "USD", "share", or ""), and the singular for
/// "one more …" ("day", or "unit").
#[derive(Clone, Debug, PartialEq)]
pub struct SweptField {
    pub path: String,
    pub label: String,
    pub unit: String,
    pub one: String,
}

impl SweptField {
    /// Reads the unit off the field name's suffix.
    pub fn new(path: &str) -> Self {
        let parts: Vec<&str> = path.split('.').collect();
        let last = parts.last().copied().unwrap_or(path);
        let parent = (parts.len() >= 2).then(|| parts[parts.len() - 2]);
        let (name, unit, one) = if let Some(n) = last.strip_suffix("_days") {
            (n, "days", "day")
        } else if last.ends_with("_usd") || last.contains("_usd_") {
            (last.trim_end_matches("_usd"), "USD", "dollar")
        } else if last.ends_with("share") {
            (last, "share", "unit")
        } else {
            (last, "", "unit")
        };
        let mut label = match parent {
            Some(p) if p != name => format!("{p} {name}"),
            _ => name.to_string(),
        }
        .replace('_', " ");
        if let Some(c) = label.chars().next() {
            label = c.to_uppercase().collect::<String>() + &label[c.len_utf8()..];
        }
        SweptField {
            path: path.to_string(),
            label,
            unit: unit.to_string(),
            one: one.to_string(),
        }
    }

    /// The axis description: "Closure duration (days)".
    pub fn axis(&self) -> String {
        if self.unit.is_empty() {
            self.label.clone()
        } else {
            format!("{} ({})", self.label, unit_label(&self.unit))
        }
    }

    /// The label in a sentence: "closure duration".
    pub fn lower(&self) -> String {
        let mut c = self.label.chars();
        match c.next() {
            Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
            None => String::new(),
        }
    }
}

/// The sweep's fields, from the manifest (`details.set`) or the key columns.
fn swept_fields(f: &PairedFiles) -> Vec<SweptField> {
    f.keys.iter().map(|k| SweptField::new(k)).collect()
}

/// The sweep as the figures lay it out: the horizontal axis and, per
/// series, the variants on it in order (`(variant index, x)`).
struct Layout {
    x: sweep::XAxis,
    /// The field along the horizontal axis, in a sentence ("closure
    /// duration"); empty for zipped categories.
    against: String,
    /// Series label and its points.
    series: Vec<(String, Vec<(usize, f64)>)>,
}

fn layout(f: &PairedFiles) -> Layout {
    let fields = swept_fields(f);
    let nf = fields.len();
    let grid = nf > 1 && !f.zipped();
    let value = |v: &Variant, k: usize| v.values.get(k).map_or("", String::as_str).to_string();
    let number = |v: &Variant, k: usize| value(v, k).trim().parse::<f64>().ok();
    // Series: the values of the fields other than `xk` (a grid), or one.
    let series_of = |xk: usize| -> Vec<(String, Vec<usize>)> {
        let mut series: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, v) in f.variants.iter().enumerate() {
            let key = if grid {
                (0..nf)
                    .filter(|&k| k != xk)
                    .map(|k| format!("{} = {}", fields[k].lower(), display(&value(v, k))))
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                String::new()
            };
            match series.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(i),
                None => series.push((key, vec![i])),
            }
        }
        series
    };
    // A numeric axis needs numbers, distinct within each series.
    let numeric = |xk: usize| -> bool {
        series_of(xk).iter().all(|(_, m)| {
            let mut xs: Vec<f64> = Vec::new();
            for &i in m {
                match number(&f.variants[i], xk) {
                    Some(x) if x.is_finite() && !xs.contains(&x) => xs.push(x),
                    _ => return false,
                }
            }
            true
        })
    };
    // The horizontal axis: the first numeric field (of a grid), else the
    // first field.
    let candidates = if grid { nf } else { nf.min(1) };
    if let Some(xk) = (0..candidates).find(|&k| numeric(k)) {
        let x = &fields[xk];
        let series = series_of(xk)
            .into_iter()
            .map(|(key, m)| {
                let mut pts: Vec<(usize, f64)> = m
                    .into_iter()
                    .map(|i| (i, number(&f.variants[i], xk).unwrap_or(f64::NAN)))
                    .collect();
                pts.sort_by(|a, b| a.1.total_cmp(&b.1));
                (key, pts)
            })
            .collect();
        return Layout {
            x: sweep::XAxis::Numeric {
                desc: x.axis(),
                unit: x.unit.clone(),
            },
            against: x.lower(),
            series,
        };
    }
    // Categories: the first field's values (one field, or a grid), or the
    // point labels (zipped fields, where one value need not say it all).
    let cat = |v: &Variant| -> String {
        if nf == 1 || grid {
            display(&value(v, 0))
        } else {
            v.label.clone()
        }
    };
    let mut labels: Vec<String> = Vec::new();
    for v in &f.variants {
        let c = cat(v);
        if !labels.contains(&c) {
            labels.push(c);
        }
    }
    let series = series_of(0)
        .into_iter()
        .map(|(key, m)| {
            let pts = m
                .into_iter()
                .map(|i| {
                    let c = cat(&f.variants[i]);
                    (i, labels.iter().position(|l| *l == c).unwrap_or(0) as f64)
                })
                .collect();
            (key, pts)
        })
        .collect();
    let (desc, against) = match fields.first() {
        Some(x) if nf == 1 || grid => (x.axis(), x.lower()),
        _ => ("Sweep point".to_string(), String::new()),
    };
    Layout {
        x: sweep::XAxis::Categories { desc, labels },
        against,
        series,
    }
}

/// A swept value as a label: TOML strings without their quotes.
fn display(value: &str) -> String {
    let v = value.trim();
    v.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(v)
        .to_string()
}

// ---------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------

/// A rendered figure of a paired report.
#[derive(Clone, Debug)]
pub struct PairedFigure {
    pub name: String,
    pub caption: String,
    pub rendered: Rendered,
}

enum Job {
    Sweep(sweep::Input, (u32, u32)),
    Compare(compare::Input, (u32, u32)),
}

/// "golden (Golden test: two crossings, three commodities)".
fn scenario_phrase(f: &PairedFiles) -> String {
    match f.manifest.scenarios.first() {
        Some(s) if !s.title.is_empty() => s.title.clone(),
        Some(s) => s.name.clone(),
        None => "the scenario".into(),
    }
}

/// "events.closure.duration_days = 1, 5, 10, 20".
fn varied_phrase(f: &PairedFiles) -> String {
    f.keys
        .iter()
        .enumerate()
        .map(|(k, path)| {
            let mut vals: Vec<&str> = Vec::new();
            for v in &f.variants {
                if !vals.contains(&v.values[k].as_str()) {
                    vals.push(&v.values[k]);
                }
            }
            format!("{path} = {}", vals.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn sweep_panel(f: &PairedFiles, lay: &Layout, metric: &str, caption: &str) -> sweep::Panel {
    let unit = f
        .variants
        .iter()
        .find_map(|v| f.metric(v.index, metric))
        .map_or_else(String::new, |r| r.unit.clone());
    let series = lay
        .series
        .iter()
        .map(|(label, pts)| sweep::Series {
            label: label.clone(),
            points: pts
                .iter()
                .filter_map(|&(i, x)| {
                    let r = f.metric(f.variants[i].index, metric)?;
                    Some(sweep::Point {
                        x,
                        q: r.stats.bands(),
                        mean: r.stats.mean,
                    })
                })
                .collect(),
        })
        .collect();
    // Small multiples: the caption names the outcome, the axis its unit.
    let mut y_desc = unit_label(&unit);
    if let Some(c) = y_desc.chars().next() {
        y_desc = c.to_uppercase().collect::<String>() + &y_desc[c.len_utf8()..];
    }
    sweep::Panel {
        caption: caption.to_string(),
        y_desc,
        unit,
        series,
    }
}

/// The paired-difference panels of `metrics` for the variants `rows_of`,
/// and the labels of the outcomes left out because no replicate of any
/// variant differs from the baseline in them.
fn diff_panels(
    f: &PairedFiles,
    metrics: &[(&str, &str)],
    rows_of: &[usize],
) -> (Vec<compare::Panel>, Vec<String>) {
    type Outcomes<'a, 'b> = Vec<&'a (&'b str, &'b str)>;
    let (same, differ): (Outcomes, Outcomes) = metrics.iter().partition(|(m, _)| {
        rows_of.iter().all(|&i| {
            f.difference(f.variants[i].index, m)
                .is_some_and(|d| d.diff.min == 0.0 && d.diff.max == 0.0)
        })
    });
    let same = same.iter().map(|(_, l)| l.to_string()).collect();
    let panels = differ
        .into_iter()
        .filter_map(|&(m, label)| {
            let rows: Vec<compare::Row> = rows_of
                .iter()
                .filter_map(|&i| {
                    let v = &f.variants[i];
                    let d = f.difference(v.index, m)?;
                    Some(compare::Row {
                        label: v.label.clone(),
                        q: d.diff.bands(),
                        mean: d.diff.mean,
                        prob_higher: d.prob_higher,
                    })
                })
                .collect();
            let unit = f
                .difference(f.variants[rows_of.first().copied()?].index, m)?
                .unit
                .clone();
            (!rows.is_empty()).then(|| compare::Panel {
                caption: label.to_string(),
                x_desc: format!("B − A ({})", unit_label(&unit)),
                unit,
                rows,
            })
        })
        .collect();
    (panels, same)
}

/// "No replicate differs in: producers' glut loss, customs revenue lost."
fn same_note(same: &[String]) -> String {
    if same.is_empty() {
        return String::new();
    }
    let list: Vec<String> = same
        .iter()
        .map(|l| {
            let mut c = l.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_lowercase().collect::<String>() + c.as_str()
            })
        })
        .collect();
    format!(
        "Not shown, identical in every replicate: {}.",
        list.join(", ")
    )
}

fn sweep_jobs(f: &PairedFiles) -> Vec<(String, String, Job)> {
    let mut out = Vec::new();
    let lay = layout(f);
    let n = count(f.manifest.replicates);
    let against = if lay.against.is_empty() {
        "the sweep points".to_string()
    } else {
        lay.against.clone()
    };
    let context = format!(
        "{}: {}. {} replicates per point, the same replicates at every point (common random numbers).",
        scenario_phrase(f),
        varied_phrase(f),
        n
    );
    let between = if matches!(lay.x, sweep::XAxis::Numeric { .. }) {
        "Bands between points are straight lines: only the dotted points were simulated."
    } else {
        ""
    };

    if f.variants
        .iter()
        .any(|v| f.metric(v.index, "direct_loss_usd").is_some())
    {
        let panel = sweep_panel(f, &lay, "direct_loss_usd", "");
        let input = sweep::Input {
            title: format!("Direct loss against {against}"),
            subtitle: context.clone(),
            x: lay.x.clone(),
            panels: vec![sweep::Panel {
                y_desc: "Direct loss (US$)".into(),
                ..panel
            }],
            line: sweep::Centre::Median,
            dashed: Some(sweep::Centre::Mean),
            from_zero: true,
            note: between.into(),
        };
        out.push((
            "sweep_direct_loss_usd".to_string(),
            format!(
                "Direct loss at each sweep point: median (line), mean (dashed), middle 50% and 90% of {n} replicates (bands)."
            ),
            Job::Sweep(input, sweep::SIZE),
        ));
    }

    let panels: Vec<sweep::Panel> = SWEEP_PANELS
        .iter()
        .filter(|m| f.variants.iter().any(|v| f.metric(v.index, m).is_some()))
        .map(|m| sweep_panel(f, &lay, m, &label_of(m)))
        .collect();
    if !panels.is_empty() {
        let size = sweep::size_for(panels.len());
        out.push((
            "sweep_outcomes".to_string(),
            format!(
                "Other outcomes at each sweep point, each on its own scale: median, mean and the spread of {n} replicates."
            ),
            Job::Sweep(
                sweep::Input {
                    title: format!("Outcomes against {against}"),
                    subtitle: context.clone(),
                    x: lay.x.clone(),
                    panels,
                    line: sweep::Centre::Median,
                    dashed: Some(sweep::Centre::Mean),
                    from_zero: true,
                    note: between.into(),
                },
                size,
            ),
        ));
    }

    let marg = f.marginal("direct_loss_usd");
    if !marg.is_empty() {
        let field = SweptField::new(&marg[0].path);
        let per = if field.one == "unit" {
            format!("per unit of {}", field.lower())
        } else {
            format!("per extra {}", field.one)
        };
        let input = sweep::Input {
            title: format!("Marginal cost: direct loss {per}"),
            subtitle: format!(
                "{}: the extra direct loss from one more {} of {}, replicate by replicate, between consecutive sweep values (plotted at their midpoint). {n} paired replicates.",
                scenario_phrase(f),
                field.one,
                field.lower()
            ),
            x: sweep::XAxis::Numeric {
                desc: format!("{}, midpoint of each step", field.axis()),
                unit: field.unit.clone(),
            },
            panels: vec![sweep::Panel {
                caption: String::new(),
                y_desc: format!("Extra direct loss {per} (US$)"),
                unit: "USD".into(),
                series: vec![sweep::Series {
                    label: String::new(),
                    points: marg
                        .iter()
                        .map(|r| sweep::Point {
                            x: r.midpoint,
                            q: r.stats.bands(),
                            mean: r.stats.mean,
                        })
                        .collect(),
                }],
            }],
            line: sweep::Centre::Mean,
            dashed: Some(sweep::Centre::Median),
            from_zero: true,
            note: format!(
                "Each step's slope is (loss at the higher value − loss at the lower) ÷ (difference in {}), for the same replicate at both values.",
                field.lower()
            ),
        };
        out.push((
            "marginal_direct_loss_usd".to_string(),
            format!(
                "Marginal cost of one more {} of {}: mean (line), median (dashed), middle 50% and 90% of the per-replicate slopes (bands).",
                field.one,
                field.lower()
            ),
            Job::Sweep(input, sweep::SIZE),
        ));
    }

    let base = f.baseline();
    let others: Vec<usize> = (0..f.variants.len()).filter(|&i| i != base).collect();
    if !others.is_empty() {
        let metrics: Vec<(&str, &str)> = SWEEP_DIFF_PANELS
            .iter()
            .map(|m| (*m, OUTCOMES.iter().find(|o| o.0 == *m).map_or(*m, |o| o.1)))
            .collect();
        let (panels, same) = diff_panels(f, &metrics, &others);
        if !panels.is_empty() {
            let rows = others.len();
            let size = compare::size_for(panels.len(), rows);
            let base_label = f.variants.get(base).map_or("", |v| v.label.as_str());
            out.push((
                "sweep_differences".to_string(),
                format!(
                    "Paired differences of each sweep point (B) against the baseline point {base_label} (A), replicate by replicate."
                ),
                Job::Compare(
                    compare::Input {
                        title: format!("Each sweep point against {base_label}: paired differences"),
                        subtitle: format!(
                            "{}: B − A per replicate, with A the baseline point {base_label}, across {n} replicates with common random numbers.",
                            scenario_phrase(f)
                        ),
                        panels,
                        note: same_note(&same),
                    },
                    size,
                ),
            ));
        }
    }
    out
}

fn compare_jobs(f: &PairedFiles) -> Vec<(String, String, Job)> {
    let base = f.baseline();
    let others: Vec<usize> = (0..f.variants.len()).filter(|&i| i != base).collect();
    let n = count(f.manifest.replicates);
    let a = f.variants.get(base).map_or("", |v| v.label.as_str());
    let outcomes = f.outcomes();
    let (panels, same) = diff_panels(f, &outcomes, &others);
    let bs: Vec<&str> = others
        .iter()
        .map(|&i| f.variants[i].label.as_str())
        .collect();
    let title = if bs.len() == 1 {
        format!("{} against {a}: paired differences", bs[0])
    } else {
        format!("{} scenarios against {a}: paired differences", bs.len())
    };
    let size = compare::size_for(panels.len(), others.len());
    vec![(
        "compare_differences".to_string(),
        format!(
            "Paired differences B − A of each outcome, with A = {a}: 90% and middle 50% of {n} replicates, median and mean; P(B > A) is the share of replicates where B is higher."
        ),
        Job::Compare(
            compare::Input {
                title,
                subtitle: format!(
                    "B − A replicate by replicate, A = {a}; the same {n} replicates for every scenario (common random numbers). Right of each row: the probability that B is higher (worse)."
                ),
                panels,
                note: same_note(&same),
            },
            size,
        ),
    )]
}

/// Builds and renders the figures of a paired run, in report order.
pub fn render_all(f: &PairedFiles) -> Result<Vec<PairedFigure>, PlotError> {
    let jobs = if f.is_sweep() {
        sweep_jobs(f)
    } else {
        compare_jobs(f)
    };
    jobs.into_par_iter()
        .map(|(name, caption, job)| {
            let rendered = match &job {
                Job::Sweep(i, size) => sweep::render(i, *size),
                Job::Compare(i, size) => compare::render(i, *size),
            }?;
            Ok(PairedFigure {
                name,
                caption,
                rendered,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Page
// ---------------------------------------------------------------------------

fn f_unit(x: f64, unit: &str) -> String {
    escape(&with_unit(x, unit))
}

fn percent(p: f64) -> String {
    if !p.is_finite() {
        "n/a".into()
    } else if p > 0.0 && p < 0.005 {
        "&lt;1%".into()
    } else if p < 1.0 && p > 0.995 {
        "&gt;99%".into()
    } else {
        format!("{:.0}%", p * 100.0)
    }
}

fn reduction(x: f64) -> String {
    if x.is_infinite() {
        "∞".into()
    } else if x.is_finite() {
        format!("{}×", crate::output::format::thousands(x))
    } else {
        "n/a".into()
    }
}

/// The sentence of the headline box.
fn headline(f: &PairedFiles) -> Option<String> {
    if f.is_sweep() {
        let lay = layout(f);
        let [(_, pts)] = &lay.series[..] else {
            return None;
        };
        let (first, last) = (pts.first()?, pts.last()?);
        if first.0 == last.0 {
            return None;
        }
        let a = f.metric(f.variants[first.0].index, "direct_loss_usd")?;
        let b = f.metric(f.variants[last.0].index, "direct_loss_usd")?;
        let verb = if b.stats.p50 > a.stats.p50 {
            "rises"
        } else if b.stats.p50 < a.stats.p50 {
            "falls"
        } else {
            "stays"
        };
        Some(format!(
            "The median direct loss {verb} from {} at {} to {} at {} (90% of replicates: {} – {} and {} – {}).",
            with_unit(a.stats.p50, &a.unit),
            f.variants[first.0].label,
            with_unit(b.stats.p50, &b.unit),
            f.variants[last.0].label,
            with_unit(a.stats.p5, &a.unit),
            with_unit(a.stats.p95, &a.unit),
            with_unit(b.stats.p5, &b.unit),
            with_unit(b.stats.p95, &b.unit),
        ))
    } else {
        let base = f.baseline();
        let a = &f.variants.get(base)?.label;
        let parts: Vec<String> = f
            .variants
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != base)
            .filter_map(|(_, v)| {
                let d = f.difference(v.index, "direct_loss_usd")?;
                let u = &d.unit;
                let verb = if d.diff.mean < 0.0 { "saves" } else { "adds" };
                Some(format!(
                    "{} {verb} {} of direct loss on average compared with {a} (median difference {}; 90% of replicates between {} and {}; P(B > A) = {}).",
                    v.label,
                    with_unit(d.diff.mean.abs(), u),
                    with_unit(d.diff.p50, u),
                    with_unit(d.diff.p5, u),
                    with_unit(d.diff.p95, u),
                    percent(d.prob_higher).replace("&lt;", "<").replace("&gt;", ">"),
                ))
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// The report page of a paired run.
pub fn page(f: &PairedFiles, figures: &[PairedFigure]) -> String {
    let m = &f.manifest;
    let sweep = f.is_sweep();
    let scen = scenario_phrase(f);
    let title = if sweep {
        format!(
            "Sweep: {}",
            swept_fields(f)
                .iter()
                .map(|s| s.label.clone())
                .collect::<Vec<_>>()
                .join(" × ")
        )
    } else {
        let names: Vec<&str> = f.variants.iter().map(|v| v.label.as_str()).collect();
        format!("Comparison: {}", names.join(" vs "))
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — bordersim report</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    let _ = writeln!(h, "<header>\n<h1>{}</h1>", escape(&title));
    let mut meta = Vec::new();
    if sweep {
        meta.push(format!(
            "Scenario <code>{}</code>",
            escape(m.scenarios.first().map_or("", |s| s.name.as_str()))
        ));
        meta.push(format!("{} points", f.variants.len()));
    } else {
        meta.push(format!("{} scenarios", f.variants.len()));
    }
    meta.push(format!("{} replicates each", count(m.replicates)));
    meta.push(format!("seed {}", m.seed));
    meta.push("common random numbers".into());
    let _ = writeln!(h, "<p class=\"meta\">{}</p>", meta.join(" · "));
    if sweep {
        let grid = if f.keys.len() > 1 {
            if f.zipped() {
                " (zipped: the values are paired position by position)"
            } else {
                " (a grid: every combination)"
            }
        } else {
            ""
        };
        let base = f
            .variants
            .get(f.baseline())
            .map_or("", |v| v.label.as_str());
        let _ = writeln!(
            h,
            "<p class=\"lede\">{}: what was varied, {}{grid}. Every point simulates the same replicates \
             with the same draws of every other input, so differences between points are paired. \
             Baseline for the paired differences: <code>{}</code>.</p>",
            escape(&scen),
            f.keys
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    let mut vals: Vec<&str> = Vec::new();
                    for v in &f.variants {
                        if !vals.contains(&v.values[k].as_str()) {
                            vals.push(&v.values[k]);
                        }
                    }
                    format!("<code>{}</code> = {}", escape(p), escape(&vals.join(", ")))
                })
                .collect::<Vec<_>>()
                .join("; "),
            escape(base)
        );
    } else {
        let _ = writeln!(
            h,
            "<p class=\"lede\">Paired comparison of whole scenarios against the first, <code>{}</code> (A). Each scenario (B) simulates the same replicates with the same draws of every input they share, so B − A is computed replicate by replicate.</p>",
            escape(
                f.variants
                    .get(f.baseline())
                    .map_or("", |v| v.label.as_str())
            )
        );
        let _ = writeln!(h, "<ul>");
        for (v, s) in f
            .variants
            .iter()
            .zip(m.scenarios.iter().map(Some).chain(std::iter::repeat(None)))
        {
            let title = s.map_or("", |s| s.title.as_str());
            let _ = writeln!(
                h,
                "<li><code>{}</code>{}{} <span class=\"small\">({})</span></li>",
                escape(&v.label),
                if title.is_empty() { "" } else { ": " },
                escape(title),
                escape(v.values.first().map_or("", String::as_str))
            );
        }
        let _ = writeln!(h, "</ul>");
    }
    let _ = writeln!(h, "</header>");
    let _ = writeln!(
        h,
        "<nav><a href=\"#figures\">Figures</a><a href=\"#tables\">Tables</a><a href=\"#reproduce\">Reproducibility</a></nav>"
    );
    if let Some(s) = headline(f) {
        let _ = writeln!(
            h,
            "<section class=\"headline\">\n<p class=\"big\">{}</p>\n<p class=\"small\">Direct loss: spoiled cargo, \
             waiting and diversion costs, lost wages, producers' glut loss and consumers' extra spending.</p>\n</section>",
            escape(&s)
        );
    }

    let _ = writeln!(h, "<h2 id=\"figures\">Figures</h2>");
    for fig in figures {
        let _ = writeln!(
            h,
            "<figure id=\"fig-{name}\">\n{svg}\n<figcaption>{caption} \
             Files: <a href=\"figures/{name}.png\">PNG</a>, \
             <a href=\"figures/{name}.svg\">SVG</a>.</figcaption>\n</figure>",
            name = escape(&fig.name),
            svg = inline_svg(&fig.rendered.svg, &fig.caption),
            caption = escape(&fig.caption),
        );
    }

    let _ = writeln!(h, "<h2 id=\"tables\">Tables</h2>");
    if sweep {
        sweep_tables(&mut h, f);
    } else {
        compare_tables(&mut h, f);
    }
    manifest_table(&mut h, f);
    let files = if sweep {
        "sweep.csv, sweep_differences.csv, marginal.csv, manifest.json"
    } else {
        "compare.csv, compare_summary.csv, manifest.json"
    };
    let _ = writeln!(
        h,
        "<footer class=\"small\"><p>Written by bordersim from the files in this directory \
         ({files}); <code>bordersim report DIR</code> rebuilds this page and the figures without rerunning.</p></footer>\n\
         </body>\n</html>"
    );
    h
}

fn sweep_tables(h: &mut String, f: &PairedFiles) {
    let base = f.baseline();
    // Direct loss per point, with the paired difference.
    let _ = writeln!(
        h,
        "<h3>Direct loss at each point</h3>\n<table>\n<thead><tr><th>Point</th>\
         <th class=\"num\">Median</th><th class=\"num\">90% range (p5 – p95)</th>\
         <th class=\"num\">Mean ± MCSE</th><th class=\"num\">Paired difference, median (p5 – p95)</th>\
         <th class=\"num\">P(higher than baseline)</th><th class=\"num\">Variance reduction</th></tr></thead>\n<tbody>"
    );
    for (i, v) in f.variants.iter().enumerate() {
        let Some(r) = f.metric(v.index, "direct_loss_usd") else {
            continue;
        };
        let u = r.unit.as_str();
        let s = &r.stats;
        let (diff, p, vr) = match f.difference(v.index, "direct_loss_usd") {
            _ if i == base => ("baseline".to_string(), String::new(), String::new()),
            Some(d) => (
                format!(
                    "{} ({} – {})",
                    f_unit(d.diff.p50, u),
                    f_unit(d.diff.p5, u),
                    f_unit(d.diff.p95, u)
                ),
                percent(d.prob_higher),
                reduction(d.variance_reduction),
            ),
            None => ("–".into(), String::new(), String::new()),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} – {}</td>\
             <td class=\"num\">{} ± {}</td><td class=\"num\">{diff}</td><td class=\"num\">{p}</td>\
             <td class=\"num\">{vr}</td></tr>",
            escape(&v.label),
            f_unit(s.p50, u),
            f_unit(s.p5, u),
            f_unit(s.p95, u),
            f_unit(s.mean, u),
            f_unit(s.mcse, u),
        );
    }
    let _ = writeln!(h, "</tbody>\n</table>");

    // Medians of the other headline outcomes.
    medians_table(h, f, "Headline outcomes at each point: median (p5 – p95)");

    let marg = f.marginal("direct_loss_usd");
    if !marg.is_empty() {
        let field = SweptField::new(&marg[0].path);
        let _ = writeln!(
            h,
            "<h3>Marginal cost of one more {one}</h3>\n<table>\n<thead><tr><th>Step of {label}</th>\
             <th class=\"num\">Mean ± MCSE (per {one})</th><th class=\"num\">Median</th>\
             <th class=\"num\">90% range (p5 – p95)</th><th class=\"num\">Variance reduction</th></tr></thead>\n<tbody>",
            one = escape(&field.one),
            label = escape(&field.lower())
        );
        for r in marg {
            let u = r.unit.split('/').next().unwrap_or("");
            let s = &r.stats;
            let _ = writeln!(
                h,
                "<tr><td>{} → {}</td><td class=\"num\">{} ± {}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{} – {}</td><td class=\"num\">{}</td></tr>",
                r.from,
                r.to,
                f_unit(s.mean, u),
                f_unit(s.mcse, u),
                f_unit(s.p50, u),
                f_unit(s.p5, u),
                f_unit(s.p95, u),
                reduction(r.variance_reduction)
            );
        }
        let _ = writeln!(h, "</tbody>\n</table>");
    }
    let _ = writeln!(
        h,
        "<p class=\"small\">Variance reduction: the variance of the difference of two independent runs over that \
         of the paired difference (what common random numbers gained). All values are in <code>sweep.csv</code>, \
         <code>sweep_differences.csv</code> and <code>marginal.csv</code> beside this page.</p>"
    );
}

/// A table of the headline outcomes (rows) at every variant (columns):
/// median with p5 – p95 beneath, under the heading `title`.
fn medians_table(h: &mut String, f: &PairedFiles, title: &str) {
    let outcomes = f.outcomes();
    let _ = write!(h, "<h3>{title}</h3>\n<table>\n<thead><tr><th>Outcome</th>");
    for v in &f.variants {
        let _ = write!(h, "<th class=\"num\">{}</th>", escape(&v.label));
    }
    let _ = writeln!(h, "</tr></thead>\n<tbody>");
    for (m, label) in &outcomes {
        let _ = write!(h, "<tr><td>{}</td>", escape(label));
        for v in &f.variants {
            match f.metric(v.index, m) {
                Some(r) => {
                    let _ = write!(
                        h,
                        "<td class=\"num\">{}<br><span class=\"small\">{} – {}</span></td>",
                        f_unit(r.stats.p50, &r.unit),
                        f_unit(r.stats.p5, &r.unit),
                        f_unit(r.stats.p95, &r.unit)
                    );
                }
                None => {
                    let _ = write!(h, "<td class=\"num\">–</td>");
                }
            }
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</tbody>\n</table>");
}

fn compare_tables(h: &mut String, f: &PairedFiles) {
    let base = f.baseline();
    let outcomes = f.outcomes();
    for (i, v) in f.variants.iter().enumerate() {
        if i == base {
            continue;
        }
        let _ = writeln!(
            h,
            "<h3>{} − {}: paired differences</h3>\n<table>\n<thead><tr><th>Outcome</th>\
             <th class=\"num\">Mean A</th><th class=\"num\">Mean B</th>\
             <th class=\"num\">B − A: median (p5 – p95)</th><th class=\"num\">B − A: mean ± MCSE</th>\
             <th class=\"num\">P(B &gt; A)</th><th class=\"num\">Variance reduction</th></tr></thead>\n<tbody>",
            escape(&v.label),
            escape(&f.variants[base].label)
        );
        for (m, label) in &outcomes {
            let Some(d) = f.difference(v.index, m) else {
                continue;
            };
            let u = d.unit.as_str();
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{} ({} – {})</td><td class=\"num\">{} ± {}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(label),
                f_unit(d.mean_baseline, u),
                f_unit(d.mean_variant, u),
                f_unit(d.diff.p50, u),
                f_unit(d.diff.p5, u),
                f_unit(d.diff.p95, u),
                f_unit(d.diff.mean, u),
                f_unit(d.diff.mcse, u),
                percent(d.prob_higher),
                reduction(d.variance_reduction)
            );
        }
        let _ = writeln!(h, "</tbody>\n</table>");
    }
    medians_table(h, f, "Each scenario: median (p5 – p95)");
    let _ = writeln!(
        h,
        "<p class=\"small\">P(B &gt; A): the share of replicates in which B is higher (for these outcomes, worse). \
         Variance reduction: the variance of the difference of two independent runs over that of the paired \
         difference. All values are in <code>compare.csv</code> and <code>compare_summary.csv</code> beside this page.</p>"
    );
}

fn manifest_table(h: &mut String, f: &PairedFiles) {
    let m = &f.manifest;
    let _ = writeln!(
        h,
        "<h2 id=\"reproduce\">Reproducibility</h2>\n<table>\n<tbody>"
    );
    let mut kv = |k: &str, v: String| {
        let _ = writeln!(h, "<tr><th>{}</th><td>{v}</td></tr>", escape(k));
    };
    kv("Command", format!("<code>{}</code>", escape(&m.command)));
    kv("Seed", m.seed.to_string());
    kv("Replicates per point", count(m.replicates));
    for s in &m.scenarios {
        kv(
            "Scenario",
            format!(
                "<code>{}</code> ({}), SHA-256 <code>{}</code>",
                escape(&s.name),
                escape(&s.file),
                escape(&s.scenario_sha256)
            ),
        );
    }
    if !m.common_random_numbers.is_empty() {
        kv("Common random numbers", escape(&m.common_random_numbers));
    }
    kv("bordersim version", escape(&m.bordersim_version));
    kv("Random number generator", escape(&m.rng));
    environment_rows(&mut kv, &m.dependencies, m.threads, m.wall_time_seconds);
    let _ = writeln!(h, "</tbody>\n</table>");
}

/// Renders the figures and the page of the sweep or comparison in `dir`;
/// returns the paths written.
pub fn build(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let files = PairedFiles::load(dir)?;
    let figures = render_all(&files)?;
    let page = page(&files, &figures);
    super::write_report(
        dir,
        figures.iter().map(|f| (f.name.as_str(), &f.rendered)),
        &page,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swept_fields_read_well() {
        let f = SweptField::new("events.closure.duration_days");
        assert_eq!(f.label, "Closure duration");
        assert_eq!(f.unit, "days");
        assert_eq!(f.axis(), "Closure duration (days)");
        assert_eq!(f.one, "day");
        let g = SweptField::new("crossings.torkham.max_trucks_per_day");
        assert_eq!(g.label, "Torkham max trucks per day");
        assert_eq!(g.unit, "");
        let s = SweptField::new("traders.divert_share");
        assert_eq!(s.unit, "share");
        assert_eq!(s.axis(), "Traders divert share (%)");
    }
}
