//! End-to-end tests of the `bordersim` binary: exit codes, error messages,
//! output files, golden outputs and determinism across thread counts.
//!
//! Golden files live in `tests/golden/`. After an intended change of the
//! model or of the output format, re-create them with
//!
//! ```text
//! BORDERSIM_BLESS=1 cargo test --test cli golden
//! ```
//!
//! and review the diff.

mod common;
use common::TempDir;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MINIMAL: &str = include_str!("data/minimal.toml");

const OUTPUTS: [&str; 9] = [
    "summary.csv",
    "summary.json",
    "summary_intervals.csv",
    "daily.csv",
    "quantiles.csv",
    "convergence.csv",
    "replicates.csv",
    "scenario.toml",
    "manifest.json",
];

const SUMMARY_HEADER: &str = "metric,scope,entity,unit,n,mean,sd,mcse,min,p5,p25,p50,p75,p95,max";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data(name: &str) -> PathBuf {
    manifest_dir().join("tests").join("data").join(name)
}

/// Runs the binary with `args` in `cwd` (default: the crate root).
fn bordersim(args: &[&str], cwd: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bordersim"));
    c.args(args).current_dir(cwd.unwrap_or(&manifest_dir()));
    c.output().expect("run bordersim")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn describe(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    )
}

fn assert_success(o: &Output) {
    assert!(o.status.success(), "expected success, got {}", describe(o));
    assert!(!text(&o.stderr).contains("panicked"), "{}", describe(o));
}

fn assert_input_error(o: &Output) {
    assert_eq!(
        o.status.code(),
        Some(2),
        "expected exit 2, got {}",
        describe(o)
    );
    assert!(!text(&o.stderr).contains("panicked"), "{}", describe(o));
    assert!(
        text(&o.stdout).is_empty(),
        "nothing on stdout: {}",
        describe(o)
    );
}

fn files_in(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn assert_outputs(dir: &Path, expected: &[&str]) {
    let got = files_in(dir);
    let want: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    assert_eq!(got, want, "files in {}", dir.display());
    assert!(
        !got.iter().any(|f| f.contains(".tmp")),
        "leftover temporary files: {got:?}"
    );
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    fs::read(dir.join(name)).unwrap_or_else(|e| panic!("read {}/{name}: {e}", dir.display()))
}

/// `text` with `old` (which must occur exactly once) replaced by `new`.
fn edit(old: &str, new: &str) -> String {
    assert_eq!(MINIMAL.matches(old).count(), 1, "test setup: {old:?}");
    MINIMAL.replacen(old, new, 1)
}

/// 1-based "line:col" of `sub` inside the only occurrence of `anchor`.
fn line_col(text: &str, anchor: &str, sub: &str) -> String {
    assert_eq!(text.matches(anchor).count(), 1, "test setup: {anchor:?}");
    let off = text.find(anchor).unwrap() + anchor.find(sub).expect("test setup: sub in anchor");
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    format!("{line}:{col}")
}

// ---------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------

/// One invalid scenario: its text, and the path and position (anchor, sub)
/// the first error must name (`None` for whole-file errors).
struct Bad {
    name: &'static str,
    text: String,
    path: &'static str,
    at: Option<(&'static str, &'static str)>,
}

fn bad_scenarios() -> Vec<Bad> {
    let b = |name, text, path, at| Bad {
        name,
        text,
        path,
        at,
    };
    let both_ways = format!(
        "{MINIMAL}\n[flows.beta_fruit]\ncrossing = \"beta\"\ndirection = \"pk_to_af\"\n\
         commodity = \"fruit\"\ntrucks_per_day = 5\nvalue_usd_per_truck = 5000\n\
         tonnes_per_truck = 20\nduty_rate = 0.08\n"
    );
    let mut many_flows = edit("horizon_days = 30\n", "horizon_days = 3650\n");
    for i in 0..546 {
        many_flows.push_str(&format!(
            "\n[flows.x{i}]\ncrossing = \"alpha\"\ndirection = \"af_to_pk\"\n\
             commodity = \"fruit\"\ntrucks_per_day = 1\nvalue_usd_per_truck = 1\n\
             tonnes_per_truck = 1\nduty_rate = 0\n"
        ));
    }
    vec![
        b(
            "unknown-top",
            edit("[scenario]\n", "colour = \"red\"\n\n[scenario]\n"),
            "colour",
            Some(("colour", "colour")),
        ),
        b(
            "unknown-crossing-field",
            edit("workers = 500\n", "workers = 500\nlanes = 4\n"),
            "crossings.beta.lanes",
            Some(("lanes", "lanes")),
        ),
        b(
            "unknown-dist-param",
            edit(
                "{ median = 10, p90 = 25 }",
                "{ median = 10, p90 = 25, p99 = 80 }",
            ),
            "events.closure.duration_days.lognormal.p99",
            Some(("p99 = 80", "p99")),
        ),
        b(
            "string-for-number",
            edit("workers = 1000\n", "workers = \"1000\"\n"),
            "crossings.alpha.workers",
            Some(("workers = \"1000\"", "\"1000\"")),
        ),
        b(
            "missing-field",
            edit("workers = 1000\n", ""),
            "crossings.alpha.workers",
            Some(("[crossings.alpha]", "[")),
        ),
        b(
            "negative-count",
            edit("workers = 1000\n", "workers = -3\n"),
            "crossings.alpha.workers",
            Some(("workers = -3", "-3")),
        ),
        b(
            "probability",
            edit("probability = 1\n", "probability = 1.5\n"),
            "events.closure.probability",
            Some(("probability = 1.5", "1.5")),
        ),
        b(
            "share",
            edit("import_share = 0.3\n", "import_share = 2\n"),
            "commodities.fruit.import_share",
            Some(("import_share = 2", "2")),
        ),
        b(
            "nan",
            edit("workers = 1000\n", "workers = nan\n"),
            "crossings.alpha.workers",
            Some(("workers = nan", "nan")),
        ),
        b(
            "inf",
            edit("wage_per_day = 8\n", "wage_per_day = inf\n"),
            "crossings.alpha.wage_per_day",
            Some(("wage_per_day = inf", "inf")),
        ),
        b(
            "normal-share",
            edit(
                "import_share = 0.3\n",
                "import_share = { normal = { mean = 0.3, sd = 0.1 } }\n",
            ),
            "commodities.fruit.import_share",
            Some(("import_share = { normal", "{")),
        ),
        b(
            "uniform-min-max",
            edit(
                "{ uniform = { min = 80, max = 120 } }",
                "{ uniform = { min = 120, max = 80 } }",
            ),
            "crossings.beta.max_trucks_per_day.uniform.max",
            Some(("min = 120, max = 80", "80")),
        ),
        b(
            "lognormal-p90",
            edit("{ median = 10, p90 = 25 }", "{ median = 10, p90 = 5 }"),
            "events.closure.duration_days.lognormal.p90",
            Some(("p90 = 5 }", "5")),
        ),
        b(
            "discrete-weights",
            edit(
                "savings_days = 12\n",
                "savings_days = { discrete = { values = [1, 2], weights = [1] } }\n",
            ),
            "crossings.beta.savings_days.discrete.weights",
            Some(("weights = [1]", "[")),
        ),
        b(
            "unknown-family",
            edit(
                "savings_days = 12\n",
                "savings_days = { cauchy = { loc = 1 } }\n",
            ),
            "crossings.beta.savings_days",
            Some(("{ cauchy", "{")),
        ),
        b(
            "flow-crossing",
            edit("crossing = \"beta\"", "crossing = \"gamma\""),
            "flows.beta_coal.crossing",
            Some(("\"gamma\"", "\"")),
        ),
        b(
            "flow-commodity",
            edit("commodity = \"coal\"", "commodity = \"oil\""),
            "flows.beta_coal.commodity",
            Some(("\"oil\"", "\"")),
        ),
        b(
            "event-crossing",
            edit(
                "crossings = [\"alpha\", \"beta\"]",
                "crossings = [\"alpha\", \"gamma\"]",
            ),
            "events.closure.crossings.1",
            Some(("\"gamma\"", "\"")),
        ),
        b(
            "stagger",
            edit(
                "crossings = [\"alpha\", \"beta\"]",
                "crossings = [\"alpha\"]",
            ),
            "events.closure.reopen_stagger_days.beta",
            Some(("{ uniform = { min = 0, max = 2 } }", "{")),
        ),
        b(
            "cpi",
            edit("cpi_weight = 0.01\n", "cpi_weight = 0.999\n"),
            "commodities.fruit.cpi_weight",
            Some(("cpi_weight = 0.999", "0.999")),
        ),
        b(
            "both-directions",
            both_ways,
            "flows.beta_fruit.direction",
            Some(("\"pk_to_af\"", "\"")),
        ),
        b(
            "shelf-life",
            edit("shelf_life_shape = 2\n", ""),
            "commodities.fruit.shelf_life_shape",
            Some(("[commodities.fruit]", "[")),
        ),
        b(
            "horizon-0",
            edit("horizon_days = 30\n", "horizon_days = 0\n"),
            "scenario.horizon_days",
            Some(("horizon_days = 0", "0")),
        ),
        b(
            "horizon-absurd",
            edit("horizon_days = 30\n", "horizon_days = 100000\n"),
            "scenario.horizon_days",
            Some(("horizon_days = 100000", "100000")),
        ),
        b(
            "replicates-0",
            edit("replicates = 100\n", "replicates = 0\n"),
            "scenario.replicates",
            Some(("replicates = 0", "0")),
        ),
        b(
            "replicates-absurd",
            edit("replicates = 100\n", "replicates = 1000000000000\n"),
            "scenario.replicates",
            Some(("replicates = 1000000000000", "1")),
        ),
        b(
            "horizon-x-flows",
            many_flows,
            "scenario.horizon_days",
            Some(("horizon_days = 3650", "3650")),
        ),
        b("empty", String::new(), "", None),
        b("comments-only", "# nothing\n\n# here\n".into(), "", None),
        b(
            "syntax",
            edit("workers = 500\n", "workers = = 500\n"),
            "",
            Some(("workers = = 500", "= 500")),
        ),
        b(
            "bad-name",
            edit("name = \"minimal\"", "name = \"mini mal\""),
            "scenario.name",
            Some(("\"mini mal\"", "\"")),
        ),
        b(
            "direction",
            edit(
                "direction = \"af_to_pk\"\ncommodity = \"coal\"",
                "direction = \"north\"\ncommodity = \"coal\"",
            ),
            "flows.beta_coal.direction",
            Some(("\"north\"", "\"")),
        ),
        b(
            "timing",
            edit("timing = \"fixed\"", "timing = \"sometimes\""),
            "events.closure.timing",
            Some(("\"sometimes\"", "\"")),
        ),
        b(
            "priority",
            edit("priority = \"fifo\"", "priority = \"fastest\""),
            "policy.priority",
            Some(("\"fastest\"", "\"")),
        ),
        b(
            "wage-currency",
            edit("wage_currency = \"USD\"", "wage_currency = \"EUR\""),
            "crossings.alpha.wage_currency",
            Some(("\"EUR\"", "\"")),
        ),
        b(
            "pkr-without-rate",
            edit("wage_currency = \"USD\"", "wage_currency = \"PKR\""),
            "crossings.alpha.wage_currency",
            Some(("\"PKR\"", "\"")),
        ),
        b(
            "recurrent-without-hazard",
            edit("timing = \"fixed\"", "timing = \"recurrent\""),
            "events.closure.daily_hazard",
            Some(("[events.closure]", "[")),
        ),
    ]
}

#[test]
fn every_validation_error_exits_2_and_writes_nothing() {
    let tmp = TempDir::new("bad");
    let mut failures = Vec::new();
    for case in bad_scenarios() {
        let file = tmp.join(&format!("{}.toml", case.name));
        fs::write(&file, &case.text).unwrap();
        let file_s = file.to_str().unwrap();
        let out_dir = tmp.join(&format!("out-{}", case.name));
        let out_s = out_dir.to_str().unwrap();
        for args in [
            vec!["run", file_s, "-n", "5", "-q", "--out", out_s],
            vec!["validate", file_s],
        ] {
            let o = bordersim(&args, None);
            let err = text(&o.stderr);
            let mut why = Vec::new();
            if o.status.code() != Some(2) {
                why.push(format!("exit code {:?}", o.status.code()));
            }
            if err.contains("panicked") {
                why.push("panicked".into());
            }
            if !err.starts_with("error: ") {
                why.push("stderr does not start with `error: `".into());
            }
            if !err.contains(file_s) {
                why.push("file not named".into());
            }
            if !case.path.is_empty() && !err.contains(&format!("`{}`", case.path)) {
                why.push(format!("path `{}` not named", case.path));
            }
            if let Some((anchor, sub)) = case.at {
                let lc = line_col(&case.text, anchor, sub);
                let want = if case.path.is_empty() {
                    format!("{file_s}:{lc}")
                } else {
                    format!("{file_s}:{lc}: `{}`", case.path)
                };
                if !err.contains(&want) {
                    why.push(format!("expected `{want}`"));
                }
            }
            if !o.stdout.is_empty() {
                why.push("wrote to stdout".into());
            }
            if out_dir.exists() {
                why.push("created the output directory".into());
            }
            if !why.is_empty() {
                failures.push(format!(
                    "[{}] {:?}: {}\n{}",
                    case.name,
                    args[0],
                    why.join("; "),
                    describe(&o)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn all_problems_are_printed() {
    let tmp = TempDir::new("many");
    let t = edit("workers = 1000\n", "workers = -3\n")
        .replacen("probability = 1\n", "probability = 1.5\n", 1)
        .replacen("priority = \"fifo\"", "priority = \"fastest\"", 1);
    let file = tmp.join("many.toml");
    fs::write(&file, &t).unwrap();
    let o = bordersim(&["validate", file.to_str().unwrap()], None);
    assert_input_error(&o);
    let err = text(&o.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    for (path, at) in [
        ("policy.priority", line_col(&t, "\"fastest\"", "\"")),
        (
            "crossings.alpha.workers",
            line_col(&t, "workers = -3", "-3"),
        ),
        (
            "events.closure.probability",
            line_col(&t, "probability = 1.5", "1.5"),
        ),
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("error: ") && l.contains(&format!(":{at}: `{path}`: "))),
            "{path} at {at} missing:\n{err}"
        );
    }
}

#[test]
fn existing_output_directory_is_left_empty_on_error() {
    let tmp = TempDir::new("keep");
    let file = tmp.join("bad.toml");
    fs::write(&file, edit("workers = 1000\n", "workers = -3\n")).unwrap();
    let out = tmp.join("out");
    fs::create_dir(&out).unwrap();
    let o = bordersim(
        &[
            "run",
            file.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_input_error(&o);
    assert!(files_in(&out).is_empty(), "{:?}", files_in(&out));
}

#[test]
fn missing_scenario_file() {
    let tmp = TempDir::new("missing");
    let out = tmp.join("out");
    let o = bordersim(
        &[
            "run",
            "no-such-scenario-file.toml",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_input_error(&o);
    assert!(
        text(&o.stderr).contains("no-such-scenario-file.toml"),
        "{}",
        describe(&o)
    );
    assert!(!out.exists());
    let o = bordersim(&["validate", "no-such-scenario-file.toml"], None);
    assert_input_error(&o);
    assert!(text(&o.stderr).contains("no-such-scenario-file.toml"));
}

#[test]
fn bad_arguments_exit_2() {
    let tmp = TempDir::new("args");
    let out = tmp.join("out");
    let out_s = out.to_str().unwrap();
    let minimal = data("minimal.toml");
    let m = minimal.to_str().unwrap();
    for args in [
        vec!["run", m, "-n", "0", "--out", out_s],
        vec!["run", m, "-n", "-5", "--out", out_s],
        vec!["run", m, "-n", "many", "--out", out_s],
        vec!["run", m, "--threads", "0", "--out", out_s],
        vec!["run", m, "--no-such-flag", "--out", out_s],
        vec!["run", m, "--replicates-csv", "sometimes", "--out", out_s],
        vec!["run", m, "--seed", "-1", "--out", out_s],
        vec!["validate"],
        vec!["frobnicate"],
        vec![],
    ] {
        let o = bordersim(&args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", describe(&o));
        assert!(
            !text(&o.stderr).contains("panicked"),
            "{args:?}: {}",
            describe(&o)
        );
        assert!(!out.exists(), "{args:?} created the output directory");
    }
}

// ---------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------

#[test]
fn validate_minimal() {
    let o = bordersim(&["validate", "tests/data/minimal.toml"], None);
    assert_success(&o);
    let out = text(&o.stdout);
    assert!(out.starts_with("tests/data/minimal.toml: valid\n"), "{out}");
    for needle in [
        "scenario   minimal — Minimal test scenario",
        "horizon    30 days; seed 42; 100 replicates; arrival noise on",
        "2 crossings, 2 commodities, 2 flows, 1 events",
        "crossings.alpha.workers",
        "crossings.beta.max_trucks_per_day",
        "uniform(80, 120)",
        "events.closure.duration_days",
        "lognormal(median=10, p90=25)",
        "events.closure.reopen_stagger_days.beta",
        "traders.deferred_return_share_per_day",
        "crossings.alpha.savings_days",
    ] {
        assert!(out.contains(needle), "{needle:?} not in:\n{out}");
    }
    // Defaults are marked as such.
    let line = out
        .lines()
        .find(|l| l.starts_with("traders.deferred_return_share_per_day "))
        .expect("row for a default");
    assert!(line.trim_end().ends_with("default"), "{line}");
}

#[test]
fn validate_bundled() {
    let tmp = TempDir::new("validate-bundled");
    // By name, from a directory with no such file.
    let o = bordersim(&["validate", "october-2025"], Some(tmp.path()));
    assert_success(&o);
    let out = text(&o.stdout);
    assert!(out.starts_with("<bundled:october-2025>: valid\n"), "{out}");
    for needle in [
        "horizon    180 days from 2025-10-12",
        "crossings.torkham.workers",
        "crossings.chaman.max_trucks_per_day",
        "events.october_2025_closure.duration_days",
        "exchange_rates.pkr_per_usd",
    ] {
        assert!(out.contains(needle), "{needle:?} not in:\n{out}");
    }
    // And the file itself.
    let o = bordersim(&["validate", "scenarios/october-2025.toml"], None);
    assert_success(&o);
    assert!(text(&o.stdout).starts_with("scenarios/october-2025.toml: valid\n"));
}

// ---------------------------------------------------------------------------
// run
// ---------------------------------------------------------------------------

fn run_golden(dir: &Path, threads: &str, extra: &[&str]) -> Output {
    let scenario = data("golden.toml");
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "-n",
        "200",
        "--seed",
        "7",
        "-q",
        "--no-plots",
        "--threads",
        threads,
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = bordersim(&args, None);
    assert_success(&o);
    assert!(o.stdout.is_empty(), "-q prints nothing: {}", describe(&o));
    o
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (text(a), text(b));
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            let cut = |s: &str| s.chars().take(300).collect::<String>();
            return format!(
                "first difference at line {}:\n  expected: {}\n  got:      {}",
                i + 1,
                cut(x),
                cut(y)
            );
        }
    }
    format!(
        "expected {} lines, got {} lines",
        a.lines().count(),
        b.lines().count()
    )
}

#[test]
fn golden_outputs() {
    let tmp = TempDir::new("golden");
    let out = tmp.join("out");
    run_golden(&out, "1", &[]);
    assert_outputs(&out, &OUTPUTS);

    let bless = std::env::var("BORDERSIM_BLESS").is_ok_and(|v| v == "1");
    let golden = manifest_dir().join("tests").join("golden");
    let mut problems = Vec::new();
    for name in ["summary.csv", "daily.csv", "replicates.csv"] {
        let got = read(&out, name);
        let path = golden.join(name);
        if bless {
            fs::create_dir_all(&golden).unwrap();
            fs::write(&path, &got).unwrap();
            eprintln!("blessed {}", path.display());
            continue;
        }
        match fs::read(&path) {
            Ok(want) if want == got => {}
            Ok(want) => problems.push(format!(
                "{name} differs from {}; {}",
                path.display(),
                first_difference(&want, &got)
            )),
            Err(e) => problems.push(format!("cannot read {}: {e}", path.display())),
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n\nIf the change is intended, re-create the golden files with\n    \
         BORDERSIM_BLESS=1 cargo test --test cli golden\nand review the diff.",
        problems.join("\n")
    );

    let m: serde_json::Value = serde_json::from_slice(&read(&out, "manifest.json")).unwrap();
    assert_eq!(m["seed"], 7, "{m:#}");
    assert_eq!(m["replicates"], 200, "{m:#}");
    assert_eq!(m["horizon_days"], 40, "{m:#}");
    assert_eq!(m["arrival_noise"], true, "{m:#}");
    assert_eq!(m["threads"], 1, "{m:#}");
    let sha = m["scenario_sha256"].as_str().expect("scenario_sha256");
    assert!(
        sha.len() == 64
            && sha
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        "{sha}"
    );
    assert!(!m["rng"].as_str().expect("rng").is_empty(), "{m:#}");
    assert!(
        !m["dependencies"]["rand"]
            .as_str()
            .expect("dependencies.rand")
            .is_empty(),
        "{m:#}"
    );
    let repro = m["reproduce"].as_str().expect("reproduce");
    assert!(repro.starts_with("bordersim run "), "{repro}");
    assert!(repro.contains("golden.toml"), "{repro}");
    assert!(
        repro.contains("-n 200") && repro.contains("--seed 7"),
        "{repro}"
    );
    assert!(m["wall_time_seconds"].as_f64().is_some(), "{m:#}");

    // summary.json carries the same identity.
    let s: serde_json::Value = serde_json::from_slice(&read(&out, "summary.json")).unwrap();
    let s_text = s.to_string();
    assert!(s_text.contains(sha), "summary.json names the scenario hash");
    assert!(
        !s_text.contains("wall_time"),
        "summary.json has no wall time"
    );
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let tmp = TempDir::new("threads");
    let dirs: Vec<PathBuf> = ["1", "2", "3"]
        .iter()
        .map(|t| {
            let d = tmp.join(&format!("t{t}"));
            run_golden(&d, t, &[]);
            assert_outputs(&d, &OUTPUTS);
            d
        })
        .collect();
    for name in ["summary.csv", "daily.csv", "replicates.csv", "summary.json"] {
        let base = read(&dirs[0], name);
        for d in &dirs[1..] {
            let other = read(d, name);
            assert!(
                base == other,
                "{name} differs between 1 thread and {}: {}",
                d.display(),
                first_difference(&base, &other)
            );
        }
    }
    // The same seed and scenario hash a second time: identical too.
    let again = tmp.join("again");
    run_golden(&again, "2", &[]);
    assert_eq!(read(&dirs[0], "summary.csv"), read(&again, "summary.csv"));
    // A different seed gives different results.
    let other = tmp.join("other-seed");
    let scenario = data("golden.toml");
    let o = bordersim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "-n",
            "200",
            "--seed",
            "8",
            "-q",
            "--no-plots",
            "--out",
            other.to_str().unwrap(),
        ],
        None,
    );
    assert_success(&o);
    assert_ne!(read(&dirs[0], "summary.csv"), read(&other, "summary.csv"));
}

#[test]
fn default_scenario_from_another_directory() {
    let tmp = TempDir::new("default");
    let o = bordersim(&["run", "-n", "50", "-q"], Some(tmp.path()));
    assert_success(&o);
    assert!(o.stdout.is_empty(), "{}", describe(&o));
    let out = tmp.join("bordersim-out");
    // A default run also draws the figures and writes the report.
    let with_report: Vec<&str> = OUTPUTS
        .iter()
        .copied()
        .chain(["figures", "report.html"])
        .collect();
    assert_outputs(&out, &with_report);
    assert!(
        files_in(&out.join("figures")).contains("distribution_direct_loss_usd.png"),
        "{:?}",
        files_in(&out.join("figures"))
    );
    assert_eq!(
        files_in(tmp.path()),
        BTreeSet::from(["bordersim-out".to_string()])
    );
    let m: serde_json::Value = serde_json::from_slice(&read(&out, "manifest.json")).unwrap();
    assert_eq!(m["replicates"], 50);
    assert_eq!(m["scenario_name"], "october-2025");
    let repro = m["reproduce"].as_str().unwrap();
    assert!(
        repro.starts_with("bordersim run october-2025 -n 50 --seed "),
        "{repro}"
    );
    check_summary_csv(&read(&out, "summary.csv"), 50);
    let replicates = text(&read(&out, "replicates.csv"));
    assert_eq!(
        replicates.lines().count(),
        51,
        "header + one row per replicate"
    );
    // Running again overwrites in place and leaves no temporary files.
    let o = bordersim(&["run", "-n", "50", "-q"], Some(tmp.path()));
    assert_success(&o);
    assert_outputs(&out, &with_report);
    assert!(
        !files_in(&out.join("figures"))
            .iter()
            .any(|f| f.contains(".tmp")),
        "leftover temporary figure files"
    );
}

#[test]
fn replicates_csv_never() {
    let tmp = TempDir::new("never");
    let out = tmp.join("out");
    run_golden(&out, "2", &["--replicates-csv", "never"]);
    assert_outputs(
        &out,
        &[
            "summary.csv",
            "summary.json",
            "summary_intervals.csv",
            "daily.csv",
            "quantiles.csv",
            "convergence.csv",
            "scenario.toml",
            "manifest.json",
        ],
    );
}

/// Checks the shape of summary.csv: header, 15 fields a row, numbers that
/// parse, ordered quantiles.
fn check_summary_csv(bytes: &[u8], n: u64) {
    let s = text(bytes);
    let mut lines = s.lines();
    assert_eq!(lines.next(), Some(SUMMARY_HEADER));
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let mut rows = 0;
    let mut metrics = BTreeSet::new();
    for rec in rdr.records() {
        let rec = rec.expect("well-formed CSV");
        rows += 1;
        assert_eq!(rec.len(), 15, "row {rows}: {rec:?}");
        // metric, scope and unit are always given; entity is empty for
        // input rows (the metric is the input's path).
        for i in [0, 1, 3] {
            assert!(!rec[i].is_empty(), "row {rows}: empty text field: {rec:?}");
        }
        metrics.insert(rec[0].to_string());
        let num = |i: usize| -> f64 {
            rec[i].parse::<f64>().unwrap_or_else(|_| {
                panic!(
                    "row {rows} field {i} {:?} is not a number: {rec:?}",
                    &rec[i]
                )
            })
        };
        assert_eq!(
            rec[4].parse::<u64>().ok(),
            Some(n),
            "row {rows}: n: {rec:?}"
        );
        let v: Vec<f64> = (5..15).map(num).collect();
        for (j, x) in v.iter().enumerate() {
            assert!(x.is_finite(), "row {rows} field {}: {x}: {rec:?}", j + 5);
        }
        let (sd, mcse) = (v[1], v[2]);
        assert!(sd >= 0.0 && mcse >= 0.0, "row {rows}: {rec:?}");
        let (min, p5, p25, p50, p75, p95, max) = (v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
        assert!(
            min <= p5 && p5 <= p25 && p25 <= p50 && p50 <= p75 && p75 <= p95 && p95 <= max,
            "row {rows}: quantiles out of order: {rec:?}"
        );
        let mean = v[0];
        let slack = 1e-9 * mean.abs().max(max.abs()).max(1.0);
        assert!(
            min - slack <= mean && mean <= max + slack,
            "row {rows}: mean outside [min, max]: {rec:?}"
        );
    }
    assert!(rows > 0, "summary.csv has rows");
    assert!(metrics.contains("direct_loss_usd"), "{metrics:?}");
}

#[test]
fn summary_csv_format() {
    let tmp = TempDir::new("summary");
    let out = tmp.join("out");
    run_golden(&out, "2", &[]);
    check_summary_csv(&read(&out, "summary.csv"), 200);
}

#[test]
fn terminal_summary() {
    let tmp = TempDir::new("terminal");
    let out = tmp.join("out");
    let scenario = data("golden.toml");
    let o = bordersim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "-n",
            "30",
            "--no-plots",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_success(&o);
    let s = text(&o.stdout);
    assert!(s.contains("Direct loss"), "{s}");
    assert!(s.contains("median"), "{s}");
    assert!(s.contains("30 replicates"), "{s}");
    assert_outputs(&out, &OUTPUTS);
}
