//! Sampling designs and correlated inputs, through the engine.

use bordersim::engine::Engine;
use bordersim::inputs::{InputDesign, Sampling};
use bordersim::run::{RunConfig, run_designed};
use bordersim::scenario::{Scenario, load_str};
use bordersim::uq::correlation::spearman;

const GOLDEN: &str = include_str!("data/golden.toml");

fn golden() -> Scenario {
    load_str(GOLDEN, "golden.toml").unwrap()
}

fn design_matrix(e: &Engine, sampling: Sampling, seed: u64, n: u64) -> Vec<Vec<f64>> {
    let d = InputDesign::new(e, sampling, seed, n).unwrap();
    let k = e.uncertain().len();
    (0..n)
        .map(|r| {
            let mut u = vec![0.0; k];
            d.uniforms(r, &mut u);
            u
        })
        .collect()
}

#[test]
fn latin_hypercube_hits_every_stratum_once() {
    let s = golden();
    let e = Engine::new(&s);
    let n = 997; // not a power of two
    let m = design_matrix(&e, Sampling::LatinHypercube, 7, n);
    for j in 0..e.uncertain().len() {
        let mut seen = vec![false; n as usize];
        for row in &m {
            assert!(row[j] > 0.0 && row[j] < 1.0);
            let k = (row[j] * n as f64).floor() as usize;
            assert!(!seen[k], "input {j}: stratum {k} hit twice");
            seen[k] = true;
        }
    }
}

#[test]
fn antithetic_pairs_mirror() {
    let s = golden();
    let e = Engine::new(&s);
    let m = design_matrix(&e, Sampling::Antithetic, 7, 200);
    for pair in m.chunks(2) {
        for (a, b) in pair[0].iter().zip(&pair[1]) {
            assert_eq!(a + b, 1.0);
        }
    }
    // The mirrored inputs are the mirrored quantiles.
    let (mut x, mut y) = (e.workspace(), e.workspace());
    e.inputs_from_uniforms(&m[0], &mut x.inputs);
    e.inputs_from_uniforms(&m[1], &mut y.inputs);
    let id = e.uncertain()[0];
    let dist = &s.params[id.ix()].dist;
    assert!((dist.cdf(x.inputs.get(id)) + dist.cdf(y.inputs.get(id)) - 1.0).abs() < 1e-9);
}

#[test]
fn rqmc_error_falls_faster_than_monte_carlo() {
    // A smooth integrand of the design uniforms with known mean 1:
    // f(u) = Π_{j<5} (1 + (u_j − 1/2)). RMSE over 12 seeds at n = 1024.
    let s = golden();
    let e = Engine::new(&s);
    let f = |u: &[f64]| u[..5].iter().map(|x| 1.0 + (x - 0.5)).product::<f64>();
    let rmse = |sampling: Sampling| {
        let mut sq = 0.0;
        for seed in 0..12 {
            let m = design_matrix(&e, sampling, seed, 1024);
            let mean = m.iter().map(|u| f(u)).sum::<f64>() / m.len() as f64;
            sq += (mean - 1.0).powi(2);
        }
        (sq / 12.0).sqrt()
    };
    let mc = rmse(Sampling::MonteCarlo);
    // Four scrambles of 256 Sobol points each.
    let qmc = rmse(Sampling::Rqmc { scrambles: 4 });
    let lhs = rmse(Sampling::LatinHypercube);
    assert!(qmc * 10.0 < mc, "rqmc {qmc} vs mc {mc}");
    assert!(lhs < mc, "lhs {lhs} vs mc {mc}");
}

#[test]
fn designed_runs_do_not_depend_on_thread_count() {
    let s = golden();
    let e = Engine::new(&s);
    for sampling in [
        Sampling::LatinHypercube,
        Sampling::Rqmc { scrambles: 4 },
        Sampling::Antithetic,
    ] {
        let d = InputDesign::new(&e, sampling, 3, 600).unwrap();
        let cfg = RunConfig {
            replicates: 600,
            seed: 3,
            exact_quantile_limit: 100_000,
        };
        let go = |t: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap();
            pool.install(|| run_designed(&e, &cfg, None, Some(&d), None, &|_| {}))
                .unwrap()
        };
        let (a, b) = (go(1), go(2));
        for (x, y) in a.metrics.iter().zip(&b.metrics) {
            assert_eq!(x.mean.to_bits(), y.mean.to_bits());
            assert_eq!(x.mcse.to_bits(), y.mcse.to_bits());
            assert_eq!(x.p95.to_bits(), y.p95.to_bits());
        }
    }
}

const CORR: &str = r#"
[[correlations]]
inputs = ["flows.north_tomatoes.trucks_per_day", "commodities.tomatoes.shelf_life_scale_days", "crossings.south.max_trucks_per_day"]
spearman = [[1, 0.7, -0.4], [0.7, 1, 0.2], [-0.4, 0.2, 1]]
"#;

#[test]
fn rank_correlations_reach_their_targets() {
    let s = load_str(&format!("{GOLDEN}\n{CORR}"), "corr.toml").unwrap();
    let e = Engine::new(&s);
    let ids: Vec<_> = s.correlations[0].params.clone();
    let mut ws = e.workspace();
    let n = 5000;
    let mut cols: Vec<Vec<f64>> = (0..3).map(|_| Vec::with_capacity(n)).collect();
    for r in 0..n as u64 {
        e.draw_inputs(11, r, &mut ws.inputs);
        for (c, id) in cols.iter_mut().zip(&ids) {
            c.push(ws.inputs.get(*id));
        }
    }
    let target = [[1.0, 0.7, -0.4], [0.7, 1.0, 0.2], [-0.4, 0.2, 1.0]];
    for i in 0..3 {
        for j in (i + 1)..3 {
            let got = spearman(&cols[i], &cols[j]);
            // Tolerance ±0.03 at n = 5000 (the sampling sd of ρ_s is ~0.01).
            assert!(
                (got - target[i][j]).abs() < 0.03,
                "({i},{j}): {got} vs {}",
                target[i][j]
            );
        }
    }
    // Uncorrelated inputs keep their own draws.
    let plain = golden();
    let pe = Engine::new(&plain);
    let mut pw = pe.workspace();
    pe.draw_inputs(11, 5, &mut pw.inputs);
    e.draw_inputs(11, 5, &mut ws.inputs);
    let other = s.param_by_path("flows.south_flour.trucks_per_day").unwrap();
    assert_eq!(ws.inputs.get(other), pw.inputs.get(other));
}

#[test]
fn invalid_correlations_are_input_errors() {
    let cases = [
        (
            CORR.replace("-0.4], [0.7", "-0.9], [0.7")
                .replace("[-0.4, 0.2, 1]", "[-0.9, 0.9, 1]")
                .replace("0.7, 1, 0.2", "0.7, 1, 0.9")
                .replace("[1, 0.7, -0.9]", "[1, 0.9, -0.9]")
                .replace("[0.7, 1, 0.9]", "[0.9, 1, 0.9]"),
            "correlations.0.spearman",
            "positive semi-definite",
        ),
        (
            CORR.replace("[0.7, 1, 0.2]", "[0.6, 1, 0.2]"),
            "correlations.0.spearman",
            "symmetric",
        ),
        (
            CORR.replace("[1, 0.7, -0.4]", "[1, 0.7]"),
            "correlations.0.spearman",
            "3 × 3",
        ),
        (
            CORR.replace(
                "crossings.south.max_trucks_per_day",
                "crossings.south.workers",
            ),
            "correlations.0.inputs.2",
            "constant",
        ),
        (
            CORR.replace(
                "crossings.south.max_trucks_per_day",
                "crossings.nope.workers",
            ),
            "correlations.0.inputs.2",
            "no input",
        ),
    ];
    for (extra, path, needle) in cases {
        let err = load_str(&format!("{GOLDEN}\n{extra}"), "corr.toml").unwrap_err();
        let p = err.problems();
        assert!(
            p.iter()
                .any(|e| e.path.starts_with(path) && e.message.contains(needle) && e.line > 0),
            "{path} / {needle}: {err}"
        );
    }
}
