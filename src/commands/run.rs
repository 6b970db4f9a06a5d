//! `bordersim run`.

use super::{CliError, load};
use crate::cli::{ReplicatesCsv as WhenCsv, RunArgs};
use anyhow::Context;
use bordersim::engine::Engine;
use bordersim::inputs::{InputDesign, Sampling};
use bordersim::output::atomic::Staging;
use bordersim::output::manifest::{
    Manifest, RECORDED_CRATES, RunIdentity, dependency_versions, scenario_hash, shell_quote,
};
use bordersim::output::tables::{
    ReplicatesCsv, convergence_csv, daily_csv, intervals_csv, quantiles_csv, summary_csv,
};
use bordersim::output::{json, terminal};
use bordersim::rng::GENERATOR;
use bordersim::run::{RowSink, RunConfig, RunResult, StopReason, StopRule, run_designed};
use std::time::Instant;

/// Largest run that writes `replicates.csv` by default.
pub const AUTO_REPLICATES_CSV_LIMIT: u64 = 100_000;

pub fn run(a: RunArgs) -> Result<(), CliError> {
    let scenario = load(a.scenario.as_deref())?;
    let n = match (a.replicates, a.target_rse) {
        (Some(n), _) => n,
        (None, Some(_)) => 1_000_000,
        (None, None) => scenario.meta.replicates,
    };
    let seed = a.seed.unwrap_or(scenario.meta.seed);
    let threads = a
        .threads
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    let engine = Engine::new(&scenario);
    let cfg = RunConfig {
        replicates: n,
        seed,
        exact_quantile_limit: a.exact_quantile_limit,
    };
    let stop = match a.target_rse {
        None => None,
        Some(target_rse) => {
            let mut metrics = Vec::new();
            for m in &a.rse_metrics {
                let (name, entity) = m.split_once(':').unwrap_or((m, "all"));
                match engine.layout.find(name, entity) {
                    Some(k) => metrics.push(k),
                    None => {
                        return Err(CliError::Input(format!(
                            "--rse-metrics: no metric `{m}` (use a name from summary.csv, or NAME:ENTITY)"
                        )));
                    }
                }
            }
            Some(StopRule {
                target_rse,
                metrics,
            })
        }
    };
    if stop.is_some() && matches!(a.sampling, Sampling::LatinHypercube | Sampling::Rqmc { .. }) {
        return Err(CliError::Input(
            "--target-rse needs --sampling mc or antithetic: Latin hypercube and RQMC designs are built for a fixed replicate count".into(),
        ));
    }
    let design = match a.sampling {
        Sampling::MonteCarlo => None,
        other => Some(InputDesign::new(&engine, other, seed, n).map_err(CliError::Input)?),
    };
    let write_rows = match a.replicates_csv {
        WhenCsv::Always => true,
        WhenCsv::Never => false,
        WhenCsv::Auto => n <= AUTO_REPLICATES_CSV_LIMIT,
    };

    let mut staging = Staging::new(&a.out)
        .with_context(|| format!("cannot create output directory {}", a.out.display()))?;
    let bar = super::progress_bar(n, a.quiet, "");
    let start = Instant::now();
    let result: RunResult = if write_rows {
        let w = staging.stream("replicates.csv")?;
        let mut sink = ReplicatesCsv::new(w, &engine)?;
        let r = pool.install(|| {
            run_designed(
                &engine,
                &cfg,
                stop.as_ref(),
                design.as_ref(),
                Some(&mut sink as &mut dyn RowSink),
                &|d| bar.set_position(d),
            )
        });
        let w = sink.into_inner();
        match r {
            Ok(r) => {
                staging.finish_stream(w)?;
                r
            }
            Err(e) => {
                w.abandon();
                return Err(anyhow::Error::from(e)
                    .context("writing replicates.csv")
                    .into());
            }
        }
    } else {
        pool.install(|| {
            run_designed(&engine, &cfg, stop.as_ref(), design.as_ref(), None, &|d| {
                bar.set_position(d)
            })
        })?
    };
    let wall = start.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let identity = RunIdentity {
        bordersim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: scenario.meta.name.clone(),
        scenario_file: scenario.file.clone(),
        scenario_sha256: scenario_hash(&scenario),
        seed,
        replicates: result.replicates,
        horizon_days: scenario.meta.horizon,
        arrival_noise: scenario.meta.arrival_noise,
        rng: GENERATOR.to_string(),
        sampling: a.sampling.name(),
        quantile_method: result.quantile_method.as_str().to_string(),
        dependencies: dependency_versions(RECORDED_CRATES),
    };
    let command: Vec<String> = std::env::args().map(|s| shell_quote(&s)).collect();
    let scenario_arg = a
        .scenario
        .clone()
        .unwrap_or_else(|| bordersim::scenario::bundled::DEFAULT.to_string());
    let manifest = Manifest {
        identity: identity.clone(),
        threads,
        wall_time_seconds: wall,
        command: command.join(" "),
        reproduce: {
            let mut r = format!(
                "bordersim run {} -n {n} --seed {seed}",
                shell_quote(&scenario_arg)
            );
            if let Some(t) = a.target_rse {
                r += &format!(
                    " --target-rse {t} --rse-metrics {}",
                    shell_quote(&a.rse_metrics.join(","))
                );
            }
            if a.sampling != Sampling::MonteCarlo {
                r += &format!(
                    " --sampling {}",
                    match a.sampling {
                        Sampling::LatinHypercube => "lhs",
                        Sampling::Antithetic => "antithetic",
                        Sampling::Rqmc { .. } => "rqmc",
                        Sampling::MonteCarlo => "mc",
                    }
                );
            }
            if a.exact_quantile_limit != bordersim::run::DEFAULT_EXACT_QUANTILE_LIMIT {
                r += &format!(" --exact-quantile-limit {}", a.exact_quantile_limit);
            }
            r
        },
        stopping: stopping_json(&result.stopped, &a.rse_metrics, a.target_rse),
    };
    staging.write("summary.csv", &summary_csv(&engine, &result)?)?;
    staging.write(
        "summary.json",
        &json::summary_json(&engine, &result, &identity)?,
    )?;
    staging.write("daily.csv", &daily_csv(&engine, &result)?)?;
    staging.write("quantiles.csv", &quantiles_csv(&engine, &result)?)?;
    staging.write("summary_intervals.csv", &intervals_csv(&engine, &result)?)?;
    staging.write("convergence.csv", &convergence_csv(&engine, &result)?)?;
    staging.write("scenario.toml", scenario.source.as_bytes())?;
    let mut mj = serde_json::to_vec_pretty(&manifest).map_err(anyhow::Error::from)?;
    mj.push(b'\n');
    staging.write("manifest.json", &mj)?;
    let out_dir = staging.dir().to_path_buf();
    staging.commit().context("moving outputs into place")?;
    if !a.no_plots {
        bordersim::report::build(&out_dir).map_err(|e| {
            CliError::Other(anyhow::Error::from(e).context("drawing the figures and report"))
        })?;
    }

    if !a.quiet {
        print!("{}", terminal::summary_text(&engine, &result));
        println!(
            "\n{} replicates in {wall:.2} s on {threads} thread(s); outputs in {}",
            result.replicates,
            out_dir.display()
        );
    }
    Ok(())
}

/// The stopping record of the manifest (`null` for a plain run).
fn stopping_json(r: &StopReason, metrics: &[String], target: Option<f64>) -> serde_json::Value {
    let rse = |v: &[f64]| -> serde_json::Value {
        metrics
            .iter()
            .zip(v)
            .map(|(m, x)| (m.clone(), serde_json::json!(x)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    match r {
        StopReason::Completed => serde_json::Value::Null,
        StopReason::Converged { rse: v } => serde_json::json!({
            "reason": "converged", "target_rse": target, "rse": rse(v)
        }),
        StopReason::CapReached { rse: v } => serde_json::json!({
            "reason": "replicate cap reached before the target", "target_rse": target, "rse": rse(v)
        }),
    }
}
