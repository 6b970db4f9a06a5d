//! Tables of paired runs (sweeps and comparisons). Pure functions returning
//! bytes.

use super::tables::csv_err;
use super::tables::{num, stats_fields};
use crate::engine::Engine;
use crate::paired::PairedResult;

/// Statistic columns shared by the paired tables.
pub const STATS: [&str; 11] = [
    "n", "mean", "sd", "mcse", "min", "p5", "p25", "p50", "p75", "p95", "max",
];

/// Columns of `sweep_differences.csv` after the point's key columns and
/// before the `diff_` statistics.
pub const DIFFERENCE_HEAD: [&str; 7] = [
    "baseline",
    "metric",
    "scope",
    "entity",
    "unit",
    "mean_baseline",
    "mean_variant",
];

/// The last columns of `sweep_differences.csv`.
pub const DIFFERENCE_TAIL: [&str; 2] = ["prob_higher", "variance_reduction"];

/// One variant's identity columns: its label and, for sweeps, the value of
/// each swept path.
pub struct VariantKey {
    pub label: String,
    pub values: Vec<String>,
}

/// `sweep.csv` / the per-variant table of `compare`: one row per variant and
/// metric, with the statistics of `summary.csv`.
pub fn variants_csv(
    base: &Engine,
    r: &PairedResult,
    key_names: &[String],
    keys: &[VariantKey],
) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["point".to_string(), "label".to_string()];
    head.extend(key_names.iter().cloned());
    head.extend(["metric", "scope", "entity", "unit"].map(String::from));
    head.extend(STATS.map(String::from));
    w.write_record(&head).map_err(csv_err)?;
    for (v, key) in keys.iter().enumerate() {
        for (k, &m) in r.common.iter().enumerate() {
            let d = &base.layout.defs[m];
            let mut rec = vec![v.to_string(), key.label.clone()];
            rec.extend(key.values.iter().cloned());
            rec.extend([
                d.name.to_string(),
                d.scope.kind().into(),
                d.entity.clone(),
                d.unit.into(),
            ]);
            rec.extend(stats_fields(&r.metrics[v][k]));
            w.write_record(&rec).map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// Paired differences against the baseline: one row per variant and metric:
/// the distribution of `B − A`, `prob_higher` = P(B > A) and
/// `variance_reduction` = (Var A + Var B) / Var(B − A).
pub fn differences_csv(
    base: &Engine,
    r: &PairedResult,
    baseline: usize,
    key_names: &[String],
    keys: &[VariantKey],
) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["point".to_string(), "label".to_string()];
    head.extend(key_names.iter().cloned());
    head.extend(DIFFERENCE_HEAD.map(String::from));
    head.extend(STATS.iter().map(|s| format!("diff_{s}")));
    head.extend(DIFFERENCE_TAIL.map(String::from));
    w.write_record(&head).map_err(csv_err)?;
    for (v, key) in keys.iter().enumerate() {
        for (k, &m) in r.common.iter().enumerate() {
            let d = &base.layout.defs[m];
            let ds = &r.differences[v][k];
            let mut rec = vec![v.to_string(), key.label.clone()];
            rec.extend(key.values.iter().cloned());
            rec.extend([
                keys[baseline].label.clone(),
                d.name.to_string(),
                d.scope.kind().into(),
                d.entity.clone(),
                d.unit.into(),
                num(r.metrics[baseline][k].mean),
                num(r.metrics[v][k].mean),
            ]);
            rec.extend(stats_fields(&ds.diff));
            rec.extend([num(ds.prob_higher), num(ds.variance_reduction)]);
            w.write_record(&rec).map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// `marginal.csv`: per pair of consecutive sweep values and metric, the
/// distribution of the per-replicate slope (e.g. the cost of one more
/// closure day), in the metric's unit per unit of the swept value.
pub fn marginal_csv(
    base: &Engine,
    r: &PairedResult,
    path: &str,
    steps: &[f64],
) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec![
        "path".to_string(),
        "from".into(),
        "to".into(),
        "midpoint".into(),
    ];
    head.extend(["metric", "scope", "entity", "unit"].map(String::from));
    head.extend(STATS.map(String::from));
    head.push("variance_reduction".into());
    w.write_record(&head).map_err(csv_err)?;
    for (j, row) in r.marginal.iter().enumerate() {
        for (k, &m) in r.common.iter().enumerate() {
            let d = &base.layout.defs[m];
            let mut rec = vec![
                path.to_string(),
                num(steps[j]),
                num(steps[j + 1]),
                num(0.5 * (steps[j] + steps[j + 1])),
                d.name.to_string(),
                d.scope.kind().into(),
                d.entity.clone(),
                format!("{}/unit", d.unit),
            ];
            rec.extend(stats_fields(&row[k]));
            rec.push(num(r.marginal_variance_reduction[j][k]));
            w.write_record(&rec).map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error())
}
