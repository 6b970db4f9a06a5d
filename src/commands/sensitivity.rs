//! `bordersim sensitivity`: tornado swings, rank correlations and Sobol
//! indices of the headline outcomes (see [`bordersim::sensitivity`] for the
//! method), written as CSV beside a run's files, with a tornado figure per
//! outcome.

use super::{CliError, load};
use crate::cli::{SensitivityArgs, SensitivityMethod};
use anyhow::Context;
use bordersim::engine::Engine;
use bordersim::output::atomic::Staging;
use bordersim::output::format::thousands;
use bordersim::output::manifest::{
    RECORDED_CRATES, dependency_versions, scenario_hash, shell_quote,
};
use bordersim::output::sensitivity::{details_json, rank_correlation_csv, sobol_csv, tornado_csv};
use bordersim::plots::{style, tornado as fig};
use bordersim::report::FIGURES_DIR;
use bordersim::rng::GENERATOR;
use bordersim::scenario::Scenario;
use bordersim::sensitivity::{
    BOOTSTRAP, DEFAULT_SOBOL_BASE, DEFAULT_TORNADO_REPLICATES, LEVEL, Outcome, P_HIGH, P_LOW,
    RankCorrelation, SensitivityError, SobolAnalysis, SobolConfig, TornadoAnalysis, TornadoConfig,
    headline_outcomes, order_desc, rank_correlation, short_label, sobol, sobol_cost, tornado,
    tornado_cost,
};
use std::time::Instant;

/// Inputs shown per outcome on the terminal.
const TERMINAL_TOP: usize = 5;
/// Inputs drawn per tornado figure.
const FIGURE_TOP: usize = 15;

/// `direct_loss_usd` → `direct loss`.
fn outcome_label(name: &str) -> String {
    name.strip_suffix("_usd").unwrap_or(name).replace('_', " ")
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A value in a unit, compact (`$1.2M`, `25%`, `3,400`).
fn value(x: f64, unit: &str) -> String {
    if x.is_finite() {
        style::tick(x, unit)
    } else {
        "n/a".into()
    }
}

/// `Direct loss` / `Workers exhausting savings (workers)`: the heading of
/// an outcome on the terminal, with the unit unless it is in the values.
fn heading(o: &Outcome) -> String {
    let name = capitalised(&outcome_label(&o.name));
    match o.unit.as_str() {
        "USD" | "share" | "×" => name,
        u => format!("{name} ({u})"),
    }
}

struct Timings {
    tornado: Option<f64>,
    rank: Option<f64>,
    sobol: Option<f64>,
    total: f64,
}

pub fn sensitivity(a: SensitivityArgs) -> Result<(), CliError> {
    let scenario = load(a.scenario.as_deref())?;
    let seed = a.seed.unwrap_or(scenario.meta.seed);
    let threads = a
        .threads
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let engine = Engine::new(&scenario);
    let d = engine.uncertain().len();
    if d == 0 {
        return Err(CliError::Input(format!(
            "{}: {}",
            scenario.file,
            SensitivityError::NoUncertainInputs
        )));
    }
    let outcomes = headline_outcomes(&engine);
    let input_err = |e: SensitivityError| CliError::Input(format!("{}: {e}", scenario.file));
    let run_tornado = a.method != SensitivityMethod::Sobol;
    let run_sobol = a.method != SensitivityMethod::Tornado;
    let n_tornado = a.n.unwrap_or(DEFAULT_TORNADO_REPLICATES);
    let n_base = a.n.map_or(DEFAULT_SOBOL_BASE, |n| n as usize);
    let cost_tornado = if run_tornado {
        tornado_cost(d, n_tornado) + n_tornado
    } else {
        0
    };
    let cost_sobol = if run_sobol { sobol_cost(d, n_base) } else { 0 };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    let bar = super::progress_bar(cost_tornado + cost_sobol, a.quiet, "");
    let start = Instant::now();
    let mut timings = Timings {
        tornado: None,
        rank: None,
        sobol: None,
        total: 0.0,
    };
    let (mut tor, mut rank, mut sob) = (None, None, None);
    pool.install(|| -> Result<(), CliError> {
        let mut offset = 0;
        if run_tornado {
            let t0 = Instant::now();
            let cfg = TornadoConfig {
                seed,
                replicates: n_tornado,
                p_low: P_LOW,
                p_high: P_HIGH,
            };
            tor = Some(
                tornado(&engine, &outcomes, &cfg, &|x| bar.set_position(offset + x))
                    .map_err(input_err)?,
            );
            timings.tornado = Some(t0.elapsed().as_secs_f64());
            offset += tornado_cost(d, n_tornado);
            let t0 = Instant::now();
            rank = Some(
                rank_correlation(&engine, &outcomes, seed, n_tornado, &|x| {
                    bar.set_position(offset + x)
                })
                .map_err(input_err)?,
            );
            timings.rank = Some(t0.elapsed().as_secs_f64());
            offset += n_tornado;
        }
        if run_sobol {
            let t0 = Instant::now();
            let cfg = SobolConfig {
                seed,
                n_base,
                bootstrap: BOOTSTRAP,
                level: LEVEL,
            };
            sob = Some(
                sobol(&engine, &outcomes, &cfg, &|x| bar.set_position(offset + x))
                    .map_err(input_err)?,
            );
            timings.sobol = Some(t0.elapsed().as_secs_f64());
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    timings.total = start.elapsed().as_secs_f64();

    let mut st = Staging::new(&a.out)
        .with_context(|| format!("cannot create output directory {}", a.out.display()))?;
    if let Some(t) = &tor {
        st.write("sensitivity_tornado.csv", &tornado_csv(t)?)?;
    }
    if let Some(r) = &rank {
        st.write(
            "sensitivity_rank_correlation.csv",
            &rank_correlation_csv(r)?,
        )?;
    }
    if let Some(s) = &sob {
        st.write("sensitivity_sobol.csv", &sobol_csv(s)?)?;
    }
    let details = details_json(tor.as_ref(), rank.as_ref(), sob.as_ref());
    st.write(
        "sensitivity_manifest.json",
        &manifest(&a, &scenario, seed, threads, &timings, details),
    )?;
    let mut figures = None;
    if let (Some(t), false) = (&tor, a.no_plots) {
        let dir = a.out.join(FIGURES_DIR);
        let mut fs =
            Staging::new(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for (k, o) in t.outcomes.iter().enumerate() {
            let r = fig::render(&figure_input(t, k, &scenario, seed), fig::SIZE).map_err(|e| {
                CliError::Other(anyhow::Error::from(e).context("drawing the tornado figures"))
            })?;
            fs.write(&format!("tornado_{}.png", o.name), &r.png)?;
            fs.write(&format!("tornado_{}.svg", o.name), r.svg.as_bytes())?;
        }
        figures = Some(fs);
    }
    let out = st.dir().to_path_buf();
    if let Some(fs) = figures {
        fs.commit().context("moving the figures into place")?;
    }
    st.commit().context("moving outputs into place")?;
    // A run's report in the same directory gets the tornado figures.
    if out.join("report.html").exists() && out.join("summary.csv").exists() {
        let _ = bordersim::report::build(&out);
    }

    if !a.quiet {
        if let (Some(t), Some(r)) = (&tor, &rank) {
            print_tornado(
                t,
                r,
                timings.tornado.unwrap_or(0.0) + timings.rank.unwrap_or(0.0),
            );
        }
        if let Some(s) = &sob {
            print_sobol(s, timings.sobol.unwrap_or(0.0));
        }
        println!(
            "\n{} replicates for {d} uncertain inputs in {:.1} s on {threads} thread(s); outputs in {}",
            thousands((cost_tornado + cost_sobol) as f64),
            timings.total,
            out.display()
        );
    }
    Ok(())
}

fn print_tornado(t: &TornadoAnalysis, r: &RankCorrelation, secs: f64) {
    println!(
        "Tornado: each input at its p10 and p90, the others at their medians; {} points × {} replicates (common random numbers), {:.1} s",
        2 * t.inputs.len() + 1,
        t.replicates,
        secs
    );
    println!(
        "ρ: Spearman rank correlation of the input with the outcome over {} Monte Carlo replicates",
        r.replicates
    );
    for (k, (o, swings)) in t.outcomes.iter().zip(&t.swings).enumerate() {
        let base = swings.first().map_or(f64::NAN, |s| s.base);
        println!("\n{}, base {}", heading(o), value(base, &o.unit));
        for (rank, s) in swings.iter().take(TERMINAL_TOP).enumerate() {
            let inp = &t.inputs[s.input];
            let rho = r.spearman[(s.input, k)];
            println!(
                "  {:>2}  {:<52} swing {:>8}   {:>8} → {:<8}   ρ {}",
                rank + 1,
                short_label(&inp.path),
                value(s.swing, &o.unit),
                value(s.low, &o.unit),
                value(s.high, &o.unit),
                if rho.is_finite() {
                    format!("{rho:+.2}")
                } else {
                    "n/a".into()
                }
            );
        }
    }
}

fn print_sobol(s: &SobolAnalysis, secs: f64) {
    println!(
        "\nSobol indices: total and first order, {:.0}% bootstrap intervals; cost (d + 2)·n_base = {} × {} = {} replicates, {:.1} s",
        LEVEL * 100.0,
        s.inputs.len() + 2,
        s.n_base,
        thousands(s.evaluations as f64),
        secs
    );
    for (o, res) in s.outcomes.iter().zip(&s.results) {
        if !res.variance.is_finite() || res.variance <= 0.0 {
            println!("\n{}: does not vary, no indices", heading(o));
            continue;
        }
        println!(
            "\n{}, mean {}, sd {}",
            heading(o),
            value(res.mean, &o.unit),
            value(res.variance.sqrt(), &o.unit)
        );
        for (rank, i) in order_desc(&res.total)
            .into_iter()
            .take(TERMINAL_TOP)
            .enumerate()
        {
            println!(
                "  {:>2}  {:<52} total {:>5.2} [{:.2}, {:.2}]   first {:>5.2} [{:.2}, {:.2}]",
                rank + 1,
                short_label(&s.inputs[i].path),
                res.total[i],
                res.total_ci[i].0,
                res.total_ci[i].1,
                res.first[i],
                res.first_ci[i].0,
                res.first_ci[i].1,
            );
        }
    }
}

/// The tornado figure of outcome `k`.
fn figure_input(t: &TornadoAnalysis, k: usize, scenario: &Scenario, seed: u64) -> fig::Input {
    let o: &Outcome = &t.outcomes[k];
    let swings = &t.swings[k];
    let base = swings.first().map_or(f64::NAN, |s| s.base);
    let label = outcome_label(&o.name);
    let pct = |p: f64| format!("p{:.0}", p * 100.0);
    let bars = swings
        .iter()
        .take(FIGURE_TOP)
        .map(|s| {
            let inp = &t.inputs[s.input];
            fig::Bar {
                label: short_label(&inp.path),
                low: s.low,
                high: s.high,
                low_note: style::tick(inp.low, &inp.unit),
                high_note: style::tick(inp.high, &inp.unit),
            }
        })
        .collect();
    fig::Input {
        title: format!("{}: which inputs move it", capitalised(&label)),
        subtitle: format!(
            "Each input at its {} and {} with every other input at its median; each point is the mean of {} replicates with common random numbers. Top {} of {} uncertain inputs by swing.",
            pct(t.p_low),
            pct(t.p_high),
            t.replicates,
            FIGURE_TOP.min(t.inputs.len()),
            t.inputs.len()
        ),
        unit: o.unit.clone(),
        x_desc: format!(
            "{} ({})",
            capitalised(&label),
            if o.unit == "USD" {
                "US dollars"
            } else {
                &o.unit
            }
        ),
        base,
        bars,
        low_label: format!("input at its {}", pct(t.p_low)),
        high_label: format!("input at its {}", pct(t.p_high)),
        base_label: format!("all inputs at their medians: {}", value(base, &o.unit)),
        note: format!(
            "Numbers at the bar ends: the input's own {} and {}. Scenario {}, seed {seed}; bordersim sensitivity.",
            pct(t.p_low),
            pct(t.p_high),
            scenario.meta.name
        ),
    }
}

fn manifest(
    a: &SensitivityArgs,
    scenario: &Scenario,
    seed: u64,
    threads: usize,
    timings: &Timings,
    details: serde_json::Value,
) -> Vec<u8> {
    let command: Vec<String> = std::env::args().map(|s| shell_quote(&s)).collect();
    let method = match a.method {
        SensitivityMethod::Tornado => "tornado",
        SensitivityMethod::Sobol => "sobol",
        SensitivityMethod::Both => "both",
    };
    let mut n = serde_json::Map::new();
    if a.method != SensitivityMethod::Sobol {
        n.insert(
            "tornado_replicates".into(),
            a.n.unwrap_or(DEFAULT_TORNADO_REPLICATES).into(),
        );
    }
    if a.method != SensitivityMethod::Tornado {
        n.insert(
            "sobol_base_rows".into(),
            a.n.unwrap_or(DEFAULT_SOBOL_BASE as u64).into(),
        );
    }
    let scenario_arg = a
        .scenario
        .clone()
        .unwrap_or_else(|| bordersim::scenario::bundled::DEFAULT.to_string());
    let mut reproduce = format!(
        "bordersim sensitivity {} --method {method} --seed {seed}",
        shell_quote(&scenario_arg)
    );
    if let Some(n) = a.n {
        reproduce += &format!(" -n {n}");
    }
    if a.no_plots {
        reproduce += " --no-plots";
    }
    let m = serde_json::json!({
        "bordersim_version": env!("CARGO_PKG_VERSION"),
        "kind": "sensitivity",
        "scenario": {
            "name": scenario.meta.name,
            "file": scenario.file,
            "scenario_sha256": scenario_hash(scenario),
        },
        "seed": seed,
        "method": method,
        "n": n,
        "rng": GENERATOR,
        "dependencies": dependency_versions(RECORDED_CRATES),
        "threads": threads,
        "wall_time_seconds": {
            "tornado": timings.tornado,
            "rank_correlation": timings.rank,
            "sobol": timings.sobol,
            "total": timings.total,
        },
        "command": command.join(" "),
        "reproduce": reproduce,
        "details": details,
    });
    let mut v = serde_json::to_vec_pretty(&m).unwrap_or_default();
    v.push(b'\n');
    v
}
