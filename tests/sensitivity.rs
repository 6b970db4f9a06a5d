//! Tests of `bordersim sensitivity` and of the library behind it
//! (`bordersim::sensitivity`): the tornado and the Sobol indices find an
//! input that obviously dominates, the outputs are identical at 1 and 2
//! threads, the command writes its files and figures, and its errors.
//!
//! Everything runs on variants of `tests/data/golden.toml` (40 days, ~30
//! uncertain inputs) with small sample sizes.

mod common;
use bordersim::engine::Engine;
use bordersim::scenario::variants::set_field;
use bordersim::scenario::{Scenario, load_str};
use bordersim::sensitivity::{
    SobolConfig, TornadoConfig, headline_outcomes, rank_correlation, sobol, tornado,
};
use common::TempDir;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const GOLDEN: &str = include_str!("data/golden.toml");
const MINIMAL: &str = include_str!("data/minimal.toml");
const DURATION: &str = "events.closure.duration_days";
const WORKERS: &str = "crossings.north.workers";
/// A closure of 1 to 37 days in a 40-day horizon starting on day 3.
const WIDE_DURATION: &str = "{ uniform = { min = 1, max = 37 } }";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn load(text: &str) -> Scenario {
    load_str(text, "<test>").unwrap_or_else(|e| panic!("scenario does not load: {e}"))
}

/// `text` with every uncertain input other than those in `keep` replaced:
/// by a constant at its median (`narrow == false`) or by a uniform over
/// ±1% of its median.
fn pin_others(text: &str, keep: &[&str], narrow: bool) -> String {
    let s = load(text);
    let mut t = text.to_string();
    for (_, p) in s.uncertain_params() {
        if keep.contains(&p.path.as_str()) {
            continue;
        }
        let m = p.dist.quantile(0.5);
        let v = if narrow && m != 0.0 {
            let (a, b) = (m * 0.99, m * 1.01);
            format!(
                "{{ uniform = {{ min = {}, max = {} }} }}",
                a.min(b),
                a.max(b)
            )
        } else {
            format!("{m}")
        };
        t = set_field(&t, &p.path, &v).unwrap_or_else(|e| panic!("set {}: {e}", p.path));
    }
    t
}

fn position(engine: &Engine, path: &str) -> usize {
    engine
        .uncertain()
        .iter()
        .position(|id| engine.scenario.params[id.ix()].path == path)
        .unwrap_or_else(|| panic!("{path} is not uncertain"))
}

fn outcome(engine: &Engine, name: &str) -> usize {
    headline_outcomes(engine)
        .iter()
        .position(|o| o.name == name)
        .unwrap_or_else(|| panic!("no outcome {name}"))
}

fn bordersim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bordersim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run bordersim")
}

fn describe(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn golden_path() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/golden.toml")
        .to_string_lossy()
        .into_owned()
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    fs::read(dir.join(name)).unwrap_or_else(|e| panic!("read {}/{name}: {e}", dir.display()))
}

fn header(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

// ---------------------------------------------------------------------------
// Library
// ---------------------------------------------------------------------------

#[test]
fn tornado_and_rank_correlation_put_a_dominant_input_first() {
    let text = set_field(GOLDEN, DURATION, WIDE_DURATION).unwrap();
    let text = pin_others(&text, &[DURATION], true);
    let s = load(&text);
    let e = Engine::new(&s);
    let outcomes = headline_outcomes(&e);
    assert_eq!(outcomes.len(), 6, "every headline outcome is found");
    let dur = position(&e, DURATION);
    let cfg = TornadoConfig {
        seed: 7,
        replicates: 6,
        p_low: 0.1,
        p_high: 0.9,
    };
    let t = tornado(&e, &outcomes, &cfg, &|_| {}).unwrap();
    assert_eq!(t.evaluations, (2 * e.uncertain().len() as u64 + 1) * 6);
    for name in ["direct_loss_usd", "lost_wages_usd", "spoiled_value_usd"] {
        let k = outcome(&e, name);
        let top = &t.swings[k][0];
        assert_eq!(
            top.input, dur,
            "{name}: duration ranks first: {:?}",
            t.swings[k]
        );
        assert!(
            top.high > top.base && top.base > top.low,
            "{name}: a longer closure costs more: {top:?}"
        );
        assert!(
            top.swing > 5.0 * t.swings[k][1].swing,
            "{name}: duration dominates: {:?}",
            &t.swings[k][..2]
        );
        let swings: Vec<f64> = t.swings[k].iter().map(|s| s.swing).collect();
        assert!(swings.windows(2).all(|w| w[0] >= w[1]), "sorted by swing");
    }

    let r = rank_correlation(&e, &outcomes, 7, 40, &|_| {}).unwrap();
    let k = outcome(&e, "direct_loss_usd");
    let rho = r.spearman[(dur, k)];
    assert!(rho > 0.8, "duration and direct loss: ρ = {rho}");
    for i in 0..e.uncertain().len() {
        if i != dur {
            assert!(r.spearman[(i, k)].abs() < rho, "input {i} vs duration");
        }
    }
}

#[test]
fn sobol_indices_of_two_inputs_rank_the_dominant_one_first() {
    let text = set_field(GOLDEN, DURATION, WIDE_DURATION).unwrap();
    let text = pin_others(&text, &[DURATION, WORKERS], false);
    let s = load(&text);
    let e = Engine::new(&s);
    assert_eq!(e.uncertain().len(), 2, "only duration and workers vary");
    let (dur, wk) = (position(&e, DURATION), position(&e, WORKERS));
    let outcomes = headline_outcomes(&e);
    let cfg = SobolConfig {
        seed: 11,
        n_base: 128,
        bootstrap: 100,
        level: 0.95,
    };
    let a = sobol(&e, &outcomes, &cfg, &|_| {}).unwrap();
    assert_eq!(a.evaluations, 4 * 128);
    for name in ["direct_loss_usd", "lost_wages_usd"] {
        let r = &a.results[outcome(&e, name)];
        assert!(
            r.total[dur] > r.total[wk],
            "{name}: duration's total index first: {r:?}"
        );
        assert!(r.first[dur] > 0.5, "{name}: duration's first order: {r:?}");
        let sum: f64 = r.first.iter().sum();
        assert!(sum <= 1.1, "{name}: Σ first order = {sum}");
        for i in [dur, wk] {
            let (lo, hi) = r.total_ci[i];
            assert!(lo <= hi && lo.is_finite(), "{name}: interval {lo}..{hi}");
        }
    }
    // Workers matter for lost wages and not at all for spoilage.
    let r = &a.results[outcome(&e, "lost_wages_usd")];
    assert!(r.total[wk] > 0.001, "workers drive lost wages: {r:?}");
    let r = &a.results[outcome(&e, "spoiled_value_usd")];
    assert!(
        r.total[wk].abs() < 1e-9,
        "workers do not move spoilage: {r:?}"
    );
}

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

const CSVS: [&str; 3] = [
    "sensitivity_tornado.csv",
    "sensitivity_rank_correlation.csv",
    "sensitivity_sobol.csv",
];

#[test]
fn cli_writes_its_files_and_is_identical_at_1_and_2_threads() {
    let tmp = TempDir::new("threads");
    let golden = golden_path();
    let (one, two) = (tmp.join("one"), tmp.join("two"));
    let o1 = bordersim(&[
        "sensitivity",
        &golden,
        "-n",
        "8",
        "--threads",
        "1",
        "--out",
        one.to_str().unwrap(),
    ]);
    assert!(o1.status.success(), "{}", describe(&o1));
    let o2 = bordersim(&[
        "sensitivity",
        &golden,
        "-n",
        "8",
        "--threads",
        "2",
        "--no-plots",
        "-q",
        "--out",
        two.to_str().unwrap(),
    ]);
    assert!(o2.status.success(), "{}", describe(&o2));
    assert!(o2.stdout.is_empty(), "-q prints nothing: {}", describe(&o2));
    for f in CSVS {
        assert!(
            read(&one, f) == read(&two, f),
            "{f} differs between 1 and 2 threads"
        );
    }

    // Files.
    let mut names: Vec<String> = fs::read_dir(&one)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "figures",
            "sensitivity_manifest.json",
            "sensitivity_rank_correlation.csv",
            "sensitivity_sobol.csv",
            "sensitivity_tornado.csv"
        ]
    );
    assert!(!two.join("figures").exists(), "--no-plots draws nothing");
    assert_eq!(
        header(&read(&one, CSVS[0])),
        "outcome,input,rank,low,high,base,swing,unit,input_low,input_high"
    );
    assert_eq!(header(&read(&one, CSVS[1])), "outcome,input,spearman");
    assert_eq!(
        header(&read(&one, CSVS[2])),
        "outcome,input,first,first_lo,first_hi,total,total_lo,total_hi,n_base,evaluations"
    );
    let s = load(GOLDEN);
    let d = Engine::new(&s).uncertain().len();
    for f in CSVS {
        let rows = String::from_utf8_lossy(&read(&one, f)).lines().count();
        assert_eq!(rows, 1 + 6 * d, "{f}: one row per outcome and input");
    }
    let tornado = String::from_utf8_lossy(&read(&one, CSVS[0])).into_owned();
    let first = tornado.lines().nth(1).unwrap();
    assert!(
        first.starts_with("direct_loss_usd,events.closure.duration_days,1,"),
        "{first}"
    );
    let sobol = String::from_utf8_lossy(&read(&one, CSVS[2])).into_owned();
    assert!(
        sobol
            .lines()
            .nth(1)
            .unwrap()
            .ends_with(&format!(",8,{}", (d + 2) * 8)),
        "n_base and evaluations"
    );

    let m: serde_json::Value =
        serde_json::from_slice(&read(&one, "sensitivity_manifest.json")).unwrap();
    assert_eq!(m["kind"], "sensitivity");
    assert_eq!(m["method"], "both");
    assert_eq!(m["seed"], 1);
    assert_eq!(m["n"]["tornado_replicates"], 8);
    assert_eq!(m["n"]["sobol_base_rows"], 8);
    assert_eq!(m["scenario"]["scenario_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(m["details"]["sobol"]["evaluations"], (d as u64 + 2) * 8);
    assert!(m["dependencies"]["rayon"].is_string());

    // Figures: one per headline outcome, PNG and SVG.
    let figs = one.join("figures");
    for name in [
        "direct_loss_usd",
        "spoiled_value_usd",
        "lost_wages_usd",
        "workers_exhausting_savings",
        "consumer_extra_spending_usd",
        "customs_revenue_lost_usd",
    ] {
        let png = read(&figs, &format!("tornado_{name}.png"));
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{name}: PNG signature"
        );
        let svg = String::from_utf8(read(&figs, &format!("tornado_{name}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.contains("closure: duration days"));
    }

    // Terminal: the top inputs of each outcome.
    let out = String::from_utf8_lossy(&o1.stdout);
    assert!(out.contains("Direct loss, base $"), "{out}");
    assert!(out.contains("closure: duration days"), "{out}");
    assert!(out.contains("Sobol indices"), "{out}");
}

#[test]
fn cli_sobol_only_writes_the_sobol_table() {
    let tmp = TempDir::new("sobol");
    let out = tmp.join("out");
    let o = bordersim(&[
        "sensitivity",
        &golden_path(),
        "--method",
        "sobol",
        "-n",
        "4",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", describe(&o));
    assert!(out.join("sensitivity_sobol.csv").exists());
    assert!(out.join("sensitivity_manifest.json").exists());
    assert!(!out.join("sensitivity_tornado.csv").exists());
    assert!(!out.join("figures").exists());
}

#[test]
fn cli_rejects_a_scenario_without_uncertain_inputs() {
    let tmp = TempDir::new("certain");
    let path = tmp.join("certain.toml");
    fs::write(&path, pin_others(MINIMAL, &[], false)).unwrap();
    assert!(
        Engine::new(&load(&pin_others(MINIMAL, &[], false)))
            .uncertain()
            .is_empty()
    );
    let out = tmp.join("out");
    let o = bordersim(&[
        "sensitivity",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no uncertain inputs"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(o.stdout.is_empty());
    assert!(!out.exists(), "nothing written");
}

#[test]
fn cli_rejects_an_unknown_method() {
    let o = bordersim(&["sensitivity", &golden_path(), "--method", "morris"]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("invalid value 'morris'"), "{err}");
    assert!(err.contains("tornado") && err.contains("sobol"), "{err}");
}

#[test]
fn a_run_report_in_the_same_directory_gets_the_tornado_figures() {
    let dir = std::env::temp_dir().join(format!("bordersim-sens-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let bin = env!("CARGO_BIN_EXE_bordersim");
    let ok = |args: &[&str]| {
        let o = std::process::Command::new(bin).args(args).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let out = dir.to_str().unwrap();
    ok(&[
        "run",
        "tests/data/golden.toml",
        "-n",
        "50",
        "-q",
        "--out",
        out,
    ]);
    let before = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(!before.contains("id=\"sensitivity\""));
    ok(&[
        "sensitivity",
        "tests/data/golden.toml",
        "--method",
        "tornado",
        "-n",
        "5",
        "-q",
        "--out",
        out,
    ]);
    let after = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(after.contains("id=\"sensitivity\"") && after.contains("fig-tornado_direct_loss_usd"));
    // Rebuilding from the files keeps it.
    ok(&["report", out]);
    assert_eq!(
        std::fs::read_to_string(dir.join("report.html")).unwrap(),
        after
    );
}
