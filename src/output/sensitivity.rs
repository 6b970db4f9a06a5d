//! Tables and manifest of `bordersim sensitivity`. Pure functions returning
//! bytes.
//!
//! - `sensitivity_tornado.csv`: `outcome, input, rank, low, high, base,
//!   swing, unit, input_low, input_high` — per outcome (headline order) the
//!   inputs by decreasing swing; `low`/`high`/`base`/`swing` are values of
//!   the outcome in `unit`; `input_low`/`input_high` the input's own p10 and
//!   p90.
//! - `sensitivity_rank_correlation.csv`: `outcome, input, spearman` — per
//!   outcome the inputs by decreasing `|spearman|` (NaN last).
//! - `sensitivity_sobol.csv`: `outcome, input, first, first_lo, first_hi,
//!   total, total_lo, total_hi, n_base, evaluations` — per outcome the
//!   inputs by decreasing total index (NaN last).

use super::tables::csv_err;
use super::tables::num;
use crate::sensitivity::{RankCorrelation, SobolAnalysis, TornadoAnalysis, order_desc};

/// Header of `sensitivity_tornado.csv`.
pub const TORNADO_HEADER: [&str; 10] = [
    "outcome",
    "input",
    "rank",
    "low",
    "high",
    "base",
    "swing",
    "unit",
    "input_low",
    "input_high",
];

/// Header of `sensitivity_rank_correlation.csv`.
pub const RANK_CORRELATION_HEADER: [&str; 3] = ["outcome", "input", "spearman"];

/// Header of `sensitivity_sobol.csv`.
pub const SOBOL_HEADER: [&str; 10] = [
    "outcome",
    "input",
    "first",
    "first_lo",
    "first_hi",
    "total",
    "total_lo",
    "total_hi",
    "n_base",
    "evaluations",
];

/// `sensitivity_tornado.csv`.
pub fn tornado_csv(t: &TornadoAnalysis) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(TORNADO_HEADER).map_err(csv_err)?;
    for (o, swings) in t.outcomes.iter().zip(&t.swings) {
        for (rank, s) in swings.iter().enumerate() {
            let inp = &t.inputs[s.input];
            w.write_record([
                o.name.clone(),
                inp.path.clone(),
                (rank + 1).to_string(),
                num(s.low),
                num(s.high),
                num(s.base),
                num(s.swing),
                o.unit.clone(),
                num(inp.low),
                num(inp.high),
            ])
            .map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// `sensitivity_rank_correlation.csv`.
pub fn rank_correlation_csv(r: &RankCorrelation) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(RANK_CORRELATION_HEADER).map_err(csv_err)?;
    for (j, o) in r.outcomes.iter().enumerate() {
        let rho = r.spearman.column(j);
        let abs: Vec<f64> = rho.iter().map(|v| v.abs()).collect();
        for i in order_desc(&abs) {
            w.write_record([o.name.clone(), r.inputs[i].path.clone(), num(rho[i])])
                .map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// `sensitivity_sobol.csv`.
pub fn sobol_csv(s: &SobolAnalysis) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SOBOL_HEADER).map_err(csv_err)?;
    for (o, res) in s.outcomes.iter().zip(&s.results) {
        for i in order_desc(&res.total) {
            w.write_record([
                o.name.clone(),
                s.inputs[i].path.clone(),
                num(res.first[i]),
                num(res.first_ci[i].0),
                num(res.first_ci[i].1),
                num(res.total[i]),
                num(res.total_ci[i].0),
                num(res.total_ci[i].1),
                s.n_base.to_string(),
                s.evaluations.to_string(),
            ])
            .map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// The `details` of the sensitivity manifest: what was run, with which
/// settings (deterministic; the command adds timings and the command line).
pub fn details_json(
    tornado: Option<&TornadoAnalysis>,
    rank: Option<&RankCorrelation>,
    sobol: Option<&SobolAnalysis>,
) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    if let Some(t) = tornado {
        m.insert(
            "tornado".into(),
            serde_json::json!({
                "design": "one at a time: base point with every uncertain input at its median, then each input at its low and high level with the others at their medians (correlations not imposed)",
                "p_low": t.p_low,
                "p_high": t.p_high,
                "design_points": 2 * t.inputs.len() + 1,
                "replicates_per_point": t.replicates,
                "evaluations": t.evaluations,
                "noise": "common random numbers: every design point is the mean of noise replicates 0..n",
            }),
        );
    }
    if let Some(r) = rank {
        m.insert(
            "rank_correlation".into(),
            serde_json::json!({
                "method": "Spearman correlation of input values and outcomes across a plain Monte Carlo run (inputs and noise keyed by (seed, replicate))",
                "replicates": r.replicates,
            }),
        );
    }
    if let Some(s) = sobol {
        m.insert(
            "sobol".into(),
            serde_json::json!({
                "design": "Saltelli (A, B, A_B^(i) per base row)",
                "estimators": "Jansen first-order and total",
                "base_design": s.base_design,
                "n_base": s.n_base,
                "evaluations": s.evaluations,
                "cost": format!("(d + 2) × n_base = {} × {}", s.inputs.len() + 2, s.n_base),
                "bootstrap": s.results.first().map_or(0, |r| r.bootstrap),
                "level": s.results.first().map_or(f64::NAN, |r| r.level),
                "noise": "row r keyed by SaltelliDesign::noise_key(r): A and A_B rows of a base row share noise, B rows have their own",
                "stream": "Xoshiro256pp::stream(seed, 0, key_hash(\"sensitivity-sobol\"))",
            }),
        );
    }
    let first = tornado
        .map(|t| (&t.inputs, &t.outcomes))
        .or(rank.map(|r| (&r.inputs, &r.outcomes)))
        .or(sobol.map(|s| (&s.inputs, &s.outcomes)));
    if let Some((inputs, outcomes)) = first {
        m.insert("uncertain_inputs".into(), serde_json::json!(inputs.len()));
        m.insert(
            "outcomes".into(),
            serde_json::json!(outcomes.iter().map(|o| &o.name).collect::<Vec<_>>()),
        );
    }
    serde_json::Value::Object(m)
}
