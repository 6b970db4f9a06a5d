//! `summary.json`: the summary table plus the run's identity.

use super::manifest::RunIdentity;
use crate::engine::Engine;
use crate::run::RunResult;
use crate::stats::Summary;
use serde::Serialize;

#[derive(Serialize)]
struct Row<'a> {
    metric: &'a str,
    scope: &'a str,
    entity: &'a str,
    unit: &'a str,
    #[serde(flatten)]
    stats: &'a Summary,
}

#[derive(Serialize)]
struct Doc<'a> {
    run: &'a RunIdentity,
    metrics: Vec<Row<'a>>,
    inputs: Vec<Row<'a>>,
}

/// Pretty JSON with the same numbers as `summary.csv`. Non-finite numbers
/// become `null`.
pub fn summary_json(engine: &Engine, r: &RunResult, id: &RunIdentity) -> std::io::Result<Vec<u8>> {
    let metrics = engine
        .layout
        .defs
        .iter()
        .zip(&r.metrics)
        .map(|(d, s)| Row {
            metric: d.name,
            scope: d.scope.kind(),
            entity: &d.entity,
            unit: d.unit,
            stats: s,
        })
        .collect();
    let inputs = engine
        .uncertain()
        .iter()
        .zip(&r.inputs)
        .map(|(pid, s)| {
            let p = &engine.scenario.params[pid.ix()];
            Row {
                metric: &p.path,
                scope: "input",
                entity: "",
                unit: p.unit,
                stats: s,
            }
        })
        .collect();
    let mut out = serde_json::to_vec_pretty(&Doc {
        run: id,
        metrics,
        inputs,
    })
    .map_err(std::io::Error::other)?;
    out.push(b'\n');
    Ok(out)
}
