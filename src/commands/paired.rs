//! `bordersim sweep` and `bordersim compare`: paired runs with common random
//! numbers.

use super::CliError;
use crate::cli::{CompareArgs, PairedOpts, SweepArgs};
use anyhow::Context;
use bordersim::engine::Engine;
use bordersim::output::atomic::Staging;
use bordersim::output::format::with_unit;
use bordersim::output::manifest::{RECORDED_CRATES, dependency_versions, shell_quote};
use bordersim::output::paired::{VariantKey, differences_csv, marginal_csv, variants_csv};
use bordersim::paired::{PairedConfig, PairedResult, run_paired};
use bordersim::rng::GENERATOR;
use bordersim::scenario::variants::{set_field, split_values};
use bordersim::scenario::{Scenario, bundled, load_str};
use std::path::Path;
use std::time::Instant;

/// The text of a scenario argument (file or bundled name) and its label.
fn scenario_text(arg: Option<&str>) -> Result<(String, String), CliError> {
    let arg = arg.unwrap_or(bundled::DEFAULT);
    let path = Path::new(arg);
    if !path.exists()
        && let Some(b) = bundled::get(arg)
    {
        return Ok((b.text.to_string(), format!("<bundled:{}>", b.name)));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Input(format!("cannot read {arg}: {e}")))?;
    Ok((text, arg.to_string()))
}

/// The sweep grid: swept paths and, per point, their values.
fn grid(sets: &[(String, Vec<String>)], zip: bool) -> Result<Vec<Vec<String>>, CliError> {
    if zip {
        let n = sets[0].1.len();
        if let Some((p, v)) = sets.iter().find(|(_, v)| v.len() != n) {
            return Err(CliError::Input(format!(
                "--zip needs the same number of values for every --set; `{p}` has {}, the first has {n}",
                v.len()
            )));
        }
        return Ok((0..n)
            .map(|i| sets.iter().map(|(_, v)| v[i].clone()).collect())
            .collect());
    }
    let mut points: Vec<Vec<String>> = vec![Vec::new()];
    for (_, vals) in sets {
        points = points
            .into_iter()
            .flat_map(|p| {
                vals.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push(v.clone());
                    q
                })
            })
            .collect();
    }
    Ok(points)
}

struct Ran {
    result: PairedResult,
    threads: usize,
    wall: f64,
    n: u64,
    seed: u64,
}

fn run_variants(
    scenarios: &[Scenario],
    opts: &PairedOpts,
    baseline: usize,
    steps: Option<Vec<f64>>,
) -> Result<Ran, CliError> {
    let n = opts.replicates.unwrap_or(scenarios[0].meta.replicates);
    let seed = opts.seed.unwrap_or(scenarios[0].meta.seed);
    let threads = opts
        .threads
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    let engines: Vec<Engine> = scenarios.iter().map(Engine::new).collect();
    let cfg = PairedConfig {
        replicates: n,
        seed,
        baseline,
        steps,
    };
    let bar = super::progress_bar(n, opts.quiet, " (all points)");
    let start = Instant::now();
    let result = pool.install(|| run_paired(&engines, &cfg, &|d| bar.set_position(d)));
    bar.finish_and_clear();
    Ok(Ran {
        result,
        threads,
        wall: start.elapsed().as_secs_f64(),
        n,
        seed,
    })
}

fn manifest(kind: &str, ran: &Ran, scenarios: &[Scenario], extra: serde_json::Value) -> Vec<u8> {
    let command: Vec<String> = std::env::args().map(|s| shell_quote(&s)).collect();
    let m = serde_json::json!({
        "bordersim_version": env!("CARGO_PKG_VERSION"),
        "kind": kind,
        "scenarios": scenarios.iter().map(|s| serde_json::json!({
            "name": s.meta.name,
            "title": s.meta.title,
            "file": s.file,
            "scenario_sha256": bordersim::output::manifest::scenario_hash(s),
        })).collect::<Vec<_>>(),
        "seed": ran.seed,
        "replicates": ran.n,
        "rng": GENERATOR,
        "common_random_numbers": "every variant simulates the same replicate indices; inputs draw from streams keyed by (seed, replicate, field path)",
        "dependencies": dependency_versions(RECORDED_CRATES),
        "threads": ran.threads,
        "wall_time_seconds": ran.wall,
        "command": command.join(" "),
        "details": extra,
    });
    let mut v = serde_json::to_vec_pretty(&m).unwrap_or_default();
    v.push(b'\n');
    v
}

/// Headline lines on the terminal: per variant, direct loss and its paired
/// difference with the baseline.
fn print_headline(base: &Engine, ran: &Ran, keys: &[VariantKey], baseline: usize) {
    let r = &ran.result;
    let Some(k) = r.common.iter().position(|&m| {
        base.layout.defs[m].name == "direct_loss_usd" && base.layout.defs[m].entity == "all"
    }) else {
        return;
    };
    println!(
        "{:<36} {:>12} {:>26} {:>14} {:>10}",
        "direct loss", "median", "paired diff (p5 – p95)", "P(higher)", "var. red."
    );
    for (v, key) in keys.iter().enumerate() {
        let m = &r.metrics[v][k];
        let d = &r.differences[v][k];
        let diff = if v == baseline {
            "baseline".to_string()
        } else {
            format!(
                "{} – {}",
                with_unit(d.diff.p5, "USD"),
                with_unit(d.diff.p95, "USD")
            )
        };
        let vr = if v == baseline {
            String::new()
        } else if d.variance_reduction.is_finite() {
            format!("{:.0}×", d.variance_reduction)
        } else {
            "∞".into()
        };
        println!(
            "{:<36} {:>12} {:>26} {:>14} {:>10}",
            key.label,
            with_unit(m.p50, "USD"),
            diff,
            if v == baseline {
                String::new()
            } else {
                format!("{:.3}", d.prob_higher)
            },
            vr
        );
    }
}

/// The figures and report.html of the committed outputs in `out`, unless
/// `--no-plots`.
fn draw_report(out: &Path, opts: &PairedOpts) -> Result<(), CliError> {
    if opts.no_plots {
        return Ok(());
    }
    bordersim::report::paired::build(out).map_err(|e| {
        CliError::Other(anyhow::Error::from(e).context("drawing the figures and report"))
    })?;
    Ok(())
}

pub fn sweep(a: SweepArgs) -> Result<(), CliError> {
    let (text, file) = scenario_text(a.scenario.as_deref())?;
    let original = load_str(&text, &file)?;
    let (sets, zip, default_baseline) = if a.set.is_empty() {
        match &original.sweep {
            Some(sw) => (sw.set.clone(), sw.zip, sw.baseline),
            None => {
                return Err(CliError::Input(format!(
                    "{file}: nothing to sweep: give --set PATH=V1,V2,… or a [sweep] section"
                )));
            }
        }
    } else {
        let mut sets = Vec::new();
        for s in &a.set {
            let Some((path, vals)) = s.split_once('=') else {
                return Err(CliError::Input(format!("--set {s}: expected PATH=V1,V2,…")));
            };
            let vals = split_values(vals);
            if vals.is_empty() {
                return Err(CliError::Input(format!("--set {s}: no values")));
            }
            sets.push((path.trim().to_string(), vals));
        }
        (sets, a.zip, 0)
    };
    let points = grid(&sets, zip)?;
    let baseline = a.baseline.unwrap_or(default_baseline);
    if baseline >= points.len() {
        return Err(CliError::Input(format!(
            "--baseline {baseline}: there are only {} sweep points",
            points.len()
        )));
    }
    let mut scenarios = Vec::new();
    let mut keys = Vec::new();
    for (k, vals) in points.iter().enumerate() {
        let mut t = text.clone();
        let mut label = Vec::new();
        for ((path, _), v) in sets.iter().zip(vals) {
            t = set_field(&t, path, v)
                .map_err(|e| CliError::Input(format!("{file}: --set {path}: {e}")))?;
            label.push(format!("{}={v}", path.rsplit('.').next().unwrap_or(path)));
        }
        let label = label.join(" ");
        scenarios.push(load_str(&t, &format!("{file} [sweep point {k}: {label}]"))?);
        keys.push(VariantKey {
            label,
            values: vals.clone(),
        });
    }
    // Marginal slopes for a one-dimensional numeric sweep.
    let steps: Option<Vec<f64>> = (sets.len() == 1)
        .then(|| {
            points
                .iter()
                .map(|p| p[0].parse::<f64>().ok())
                .collect::<Option<Vec<f64>>>()
        })
        .flatten();
    let ran = run_variants(&scenarios, &a.opts, baseline, steps.clone())?;
    let base = Engine::new(&scenarios[baseline]);
    let names: Vec<String> = sets.iter().map(|(p, _)| p.clone()).collect();
    let mut st = Staging::new(&a.opts.out)
        .with_context(|| format!("cannot create output directory {}", a.opts.out.display()))?;
    st.write(
        "sweep.csv",
        &variants_csv(&base, &ran.result, &names, &keys)?,
    )?;
    st.write(
        "sweep_differences.csv",
        &differences_csv(&base, &ran.result, baseline, &names, &keys)?,
    )?;
    if let Some(steps) = &steps {
        st.write(
            "marginal.csv",
            &marginal_csv(&base, &ran.result, &names[0], steps)?,
        )?;
    }
    st.write(
        "manifest.json",
        &manifest(
            "sweep",
            &ran,
            &scenarios[..1],
            serde_json::json!({ "set": sets, "zip": zip, "baseline": baseline, "points": points.len() }),
        ),
    )?;
    let out = st.dir().to_path_buf();
    st.commit().context("moving outputs into place")?;
    draw_report(&out, &a.opts)?;
    if !a.opts.quiet {
        print_headline(&base, &ran, &keys, baseline);
        println!(
            "\n{} points × {} replicates in {:.2} s on {} thread(s); outputs in {}",
            points.len(),
            ran.n,
            ran.wall,
            ran.threads,
            out.display()
        );
    }
    Ok(())
}

pub fn compare(a: CompareArgs) -> Result<(), CliError> {
    let mut scenarios = Vec::new();
    let mut keys: Vec<VariantKey> = Vec::new();
    for (i, arg) in a.scenarios.iter().enumerate() {
        let (text, file) = scenario_text(Some(arg))?;
        let s = load_str(&text, &file)?;
        let mut label = s.meta.name.clone();
        if keys.iter().any(|k| k.label == label) {
            label = format!("{label}#{i}");
        }
        keys.push(VariantKey {
            label,
            values: vec![file.clone()],
        });
        scenarios.push(s);
    }
    let ran = run_variants(&scenarios, &a.opts, 0, None)?;
    let base = Engine::new(&scenarios[0]);
    let names = vec!["file".to_string()];
    let mut st = Staging::new(&a.opts.out)
        .with_context(|| format!("cannot create output directory {}", a.opts.out.display()))?;
    st.write(
        "compare.csv",
        &differences_csv(&base, &ran.result, 0, &names, &keys)?,
    )?;
    st.write(
        "compare_summary.csv",
        &variants_csv(&base, &ran.result, &names, &keys)?,
    )?;
    st.write(
        "manifest.json",
        &manifest(
            "compare",
            &ran,
            &scenarios,
            serde_json::json!({ "baseline": keys[0].label }),
        ),
    )?;
    let out = st.dir().to_path_buf();
    st.commit().context("moving outputs into place")?;
    draw_report(&out, &a.opts)?;
    if !a.opts.quiet {
        print_headline(&base, &ran, &keys, 0);
        println!(
            "\n{} scenarios × {} replicates in {:.2} s; outputs in {}",
            scenarios.len(),
            ran.n,
            ran.wall,
            out.display()
        );
    }
    Ok(())
}
