//! The bundled scenarios: every one validates and runs, the historical ones
//! replay the recorded closure lengths, their citations resolve, and the
//! `scenarios` / `scenarios show` / `init` commands behave as documented.

mod common;
use bordersim::engine::Engine;
use bordersim::run::{RowSink, RunConfig, RunResult, run};
use bordersim::scenario::{Scenario, bundled, load_str};
use common::TempDir;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// Replicates per scenario: enough for medians of the fixed closures, small
/// enough for a debug build.
const N: u64 = 50;

fn load(b: &bundled::Bundled) -> Scenario {
    load_str(b.text, &format!("<bundled:{}>", b.name))
        .unwrap_or_else(|e| panic!("bundled scenario {} does not validate:\n{e}", b.name))
}

/// Keeps every replicate's metric row.
struct Rows(Vec<Vec<f64>>);

impl RowSink for Rows {
    fn row(&mut self, _rep: u64, _inputs: &[f64], metrics: &[f64]) -> std::io::Result<()> {
        self.0.push(metrics.to_vec());
        Ok(())
    }
}

fn run_rows(s: &Scenario, n: u64) -> (Engine<'_>, RunResult, Vec<Vec<f64>>) {
    let engine = Engine::new(s);
    let cfg = RunConfig {
        replicates: n,
        seed: s.meta.seed,
        exact_quantile_limit: 1_000_000,
    };
    let mut rows = Rows(Vec::new());
    let result = run(&engine, &cfg, Some(&mut rows as &mut dyn RowSink), &|_| {})
        .expect("an in-memory run cannot fail");
    (engine, result, rows.0)
}

fn metric(engine: &Engine, name: &str, entity: &str) -> usize {
    engine
        .layout
        .find(name, entity)
        .unwrap_or_else(|| panic!("no metric {name} for {entity}"))
}

// ---------------------------------------------------------------------------
// The library: validate, run, replay
// ---------------------------------------------------------------------------

#[test]
fn every_bundled_scenario_validates_and_runs() {
    assert_eq!(bundled::ALL[0].name, bundled::DEFAULT);
    for b in bundled::ALL {
        let s = load(b);
        assert_eq!(s.meta.name, b.name, "[scenario] name of {}", b.name);
        let (engine, result, rows) = run_rows(&s, N);
        assert_eq!(result.replicates, N);
        assert_eq!(rows.len() as u64, N);
        for (d, m) in engine.layout.defs.iter().zip(&result.metrics) {
            assert!(
                m.mean.is_finite() && m.p5.is_finite() && m.p95.is_finite(),
                "{}: {} is not finite",
                b.name,
                d.column()
            );
        }
        let loss = &result.metrics[engine.layout.direct_loss()];
        assert!(
            loss.p50 > 0.0,
            "{}: median direct loss {}",
            b.name,
            loss.p50
        );
    }
}

#[test]
fn bundled_scenarios_are_the_files_in_scenarios() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let names: BTreeSet<&str> = bundled::ALL.iter().map(|b| b.name).collect();
    assert_eq!(names.len(), bundled::ALL.len(), "bundled names are unique");
    for b in bundled::ALL {
        let file = fs::read_to_string(dir.join(format!("{}.toml", b.name))).unwrap();
        assert_eq!(file, b.text, "{} is not the file on disk", b.name);
        assert!(
            !b.description.is_empty() && !b.description.contains('\n'),
            "{}: the description is one line",
            b.name
        );
        assert!(b.description.chars().count() <= 110, "{}: too long", b.name);
    }
}

/// (bundled name, recorded closure length in days, tolerance, crossing).
const HISTORICAL: &[(&str, f64, f64, &str)] = &[
    ("torkham-2023-02", 6.0, 1.0, "torkham"),
    ("torkham-2023-09", 9.0, 1.0, "torkham"),
    ("torkham-2024-01", 10.0, 1.0, "torkham"),
    ("torkham-2025-02", 26.0, 1.0, "torkham"),
    // "~4 months": uniform 110–130 days.
    ("chaman-2023-11", 120.0, 10.0, "chaman"),
];

#[test]
fn historical_scenarios_replay_the_recorded_closure() {
    for &(name, days, tol, crossing) in HISTORICAL {
        let b = bundled::get(name).unwrap_or_else(|| panic!("{name} is bundled"));
        let s = load(&b);
        assert!(
            s.meta.start_date.is_some(),
            "{name}: a historical scenario is dated"
        );
        assert_eq!(s.crossings.len(), 1, "{name}: one crossing, the other open");
        assert_eq!(s.crossings[0].name, crossing);
        assert!(
            s.meta.horizon as f64 >= days + 55.0,
            "{name}: the horizon leaves time for the backlog to clear"
        );
        let (engine, result, _) = run_rows(&s, N);
        let closed = &result.metrics[metric(&engine, "days_closed", "all")];
        assert!(
            (closed.p50 - days).abs() <= tol,
            "{name}: median days closed {} vs recorded {days} ± {tol}",
            closed.p50
        );
        let longest = &result.metrics[metric(&engine, "longest_closure_days", "all")];
        assert_eq!(longest.p50, closed.p50, "{name}: one closure");
        let peak = &result.metrics[metric(&engine, "peak_backlog_trucks", "all")];
        assert!(peak.p50 > 100.0, "{name}: trucks queue ({})", peak.p50);
        let stranded = &result.metrics[metric(&engine, "trucks_stranded", "all")];
        assert!(
            stranded.p50 < 1.0,
            "{name}: the backlog clears before the horizon ({} stranded)",
            stranded.p50
        );
    }
}

#[test]
fn stress_case_is_closed_all_year() {
    let s = load(&bundled::get("stress-indefinite").unwrap());
    assert_eq!(s.meta.horizon, 365);
    let (engine, result, _) = run_rows(&s, 20);
    for entity in ["all", "torkham", "chaman"] {
        let m = &result.metrics[metric(&engine, "days_closed", entity)];
        assert_eq!((m.min, m.max), (365.0, 365.0), "{entity}");
    }
    let stranded = &result.metrics[metric(&engine, "trucks_stranded", "all")];
    assert!(stranded.min > 0.0, "nothing clears when nothing reopens");
}

/// The outlook's headline numbers are in the range the record implies:
/// expected closures per year, days closed, and the share of years with a
/// closure longer than 30 days (≈ 40% by the calculation in the file).
#[test]
fn outlook_year_matches_the_record() {
    let s = load(&bundled::get("outlook-1y").unwrap());
    assert_eq!(s.meta.horizon, 365);
    let (engine, result, rows) = run_rows(&s, 200);
    let longest = metric(&engine, "longest_closure_days", "all");
    let p30 = rows.iter().filter(|r| r[longest] > 30.0).count() as f64 / rows.len() as f64;
    assert!((0.2..=0.65).contains(&p30), "P(closure > 30 d) = {p30}");
    for (entity, lo, hi) in [("torkham", 15.0, 70.0), ("chaman", 10.0, 70.0)] {
        let m = &result.metrics[metric(&engine, "days_closed", entity)];
        assert!(
            (lo..=hi).contains(&m.mean),
            "{entity}: mean days closed {}",
            m.mean
        );
    }
}

/// Every source key cited in a bundled file's comments is defined in that
/// file's `[sources]`, and every defined key is cited. "Cited" means the key
/// appears as a word in a comment; the vocabulary of keys is the union of
/// all bundled files' `[sources]` tables.
#[test]
fn citations_resolve() {
    let mut all_keys = BTreeSet::new();
    let parsed: Vec<(&str, toml::Table)> = bundled::ALL
        .iter()
        .map(|b| (b.name, b.text.parse::<toml::Table>().unwrap()))
        .collect();
    for (_, t) in &parsed {
        if let Some(src) = t.get("sources").and_then(|s| s.as_table()) {
            all_keys.extend(src.keys().cloned());
        }
    }
    let mut problems = Vec::new();
    for (b, (name, t)) in bundled::ALL.iter().zip(&parsed) {
        let defined: BTreeSet<String> = t
            .get("sources")
            .and_then(|s| s.as_table())
            .map(|s| s.keys().cloned().collect())
            .unwrap_or_default();
        let mut cited = BTreeSet::new();
        for line in b.text.lines() {
            let Some((_, comment)) = line.split_once('#') else {
                continue;
            };
            for w in comment.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                if all_keys.contains(w) {
                    cited.insert(w.to_string());
                }
            }
        }
        for k in cited.difference(&defined) {
            problems.push(format!("{name}: cites `{k}` but [sources] lacks it"));
        }
        for k in defined.difference(&cited) {
            problems.push(format!("{name}: [sources] defines `{k}`, never cited"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// The binary: scenarios, scenarios show, init
// ---------------------------------------------------------------------------

fn bordersim(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bordersim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run bordersim")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn scenarios_lists_every_bundled_scenario() {
    let tmp = TempDir::new("list");
    let o = bordersim(&["scenarios"], &tmp.0);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for b in bundled::ALL {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(b.name))
            .unwrap_or_else(|| panic!("{} not listed:\n{out}", b.name));
        assert!(line.ends_with(b.description), "{line}");
    }
}

#[test]
fn scenarios_show_prints_the_file() {
    let tmp = TempDir::new("show");
    for name in ["torkham-2023-09", "outlook-1y.toml"] {
        let o = bordersim(&["scenarios", "show", name], &tmp.0);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o), bundled::get(name).unwrap().text);
    }
    let o = bordersim(&["scenarios", "show", "no-such-closure"], &tmp.0);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("no-such-closure"), "{err}");
    for b in bundled::ALL {
        assert!(err.contains(b.name), "{err}");
    }
}

#[test]
fn init_writes_a_renamed_copy_and_never_overwrites() {
    let tmp = TempDir::new("init");
    let o = bordersim(&["init", "my-closure", "--from", "chaman-2023-11"], &tmp.0);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = tmp.0.join("my-closure.toml");
    let text = fs::read_to_string(&path).expect("my-closure.toml written");
    let s = load_str(&text, "my-closure.toml").expect("the copy validates");
    assert_eq!(s.meta.name, "my-closure");
    assert!(text.starts_with("# my-closure.toml"), "a header comment");
    // A commented copy: every line of the bundled file but the name is kept.
    let original = bundled::get("chaman-2023-11").unwrap().text;
    let kept: Vec<&str> = original
        .lines()
        .filter(|l| !l.starts_with("name = "))
        .collect();
    let copy: BTreeSet<&str> = text.lines().collect();
    for l in &kept {
        assert!(copy.contains(l), "line lost in the copy: {l}");
    }

    // Existing file: exit 2, file untouched.
    fs::write(&path, "# mine\n").unwrap();
    let o = bordersim(&["init", "my-closure"], &tmp.0);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&path).unwrap(), "# mine\n");

    // Default source: october-2025; `.toml` in NAME is accepted.
    let o = bordersim(&["init", "oct.toml"], &tmp.0);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = load_str(
        &fs::read_to_string(tmp.0.join("oct.toml")).unwrap(),
        "oct.toml",
    )
    .unwrap();
    assert_eq!(s.meta.name, "oct");
    assert_eq!(s.events.len(), 1);

    // Unknown bundled scenario: exit 2 listing the names, nothing written.
    let o = bordersim(&["init", "x", "--from", "torkham-1999"], &tmp.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("october-2025"), "{}", stderr(&o));
    assert!(!tmp.0.join("x.toml").exists());

    // A name that cannot be a scenario name (or a plain file name).
    let o = bordersim(&["init", "../escape"], &tmp.0);
    assert_eq!(o.status.code(), Some(2));
    assert!(!tmp.0.join("../escape.toml").exists());
}
