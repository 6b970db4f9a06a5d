//! `report.html`: the headline numbers of `summary.csv` formatted by the
//! shared formatter, nothing a browser would fetch, and `bordersim report
//! DIR` rebuilding the same page from the files alone.

mod common;
use bordersim::output::format::with_unit;
use bordersim::output::terminal::HEADLINES;
use common::{TempDir, visible_text};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// The files `bordersim report` reads (convergence.csv only when present).
const INPUTS: [&str; 6] = [
    "summary.csv",
    "quantiles.csv",
    "daily.csv",
    "manifest.json",
    "scenario.toml",
    "convergence.csv",
];

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

fn run_default(out: &Path) {
    let o = bordersim(&["run", "-n", "200", "-q", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", describe(&o));
}

/// Summary rows keyed by (metric, entity): (unit, p5, p50, p95, mean, mcse).
type Rows = BTreeMap<(String, String), (String, [f64; 5])>;

fn summary(dir: &Path) -> Rows {
    let mut rdr = csv::Reader::from_path(dir.join("summary.csv")).expect("summary.csv");
    let mut out = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if &rec[1] == "input" {
            continue;
        }
        let f = |i: usize| rec[i].parse::<f64>().unwrap();
        out.insert(
            (rec[0].to_string(), rec[2].to_string()),
            (rec[3].to_string(), [f(9), f(11), f(13), f(5), f(7)]),
        );
    }
    out
}

#[test]
fn report_shows_summary_numbers_and_fetches_nothing() {
    let tmp = TempDir::new("numbers");
    let out = tmp.join("out");
    run_default(&out);
    let html = fs::read_to_string(out.join("report.html")).expect("report.html");
    let text = visible_text(&html);
    let rows = summary(&out);

    // The headline box, from the direct loss row.
    let (unit, [p5, p50, p95, ..]) = &rows[&("direct_loss_usd".into(), "all".into())];
    assert_eq!(unit, "USD");
    let headline = format!(
        "With 90% probability the closure costs between {} and {}; median {}.",
        with_unit(*p5, unit),
        with_unit(*p95, unit),
        with_unit(*p50, unit)
    );
    assert!(
        text.contains(&headline),
        "report.html lacks the headline {headline:?}"
    );

    // The summary table: every headline metric, as the terminal formats it.
    for (metric, label) in HEADLINES {
        let Some((unit, [p5, p50, p95, mean, mcse])) =
            rows.get(&(metric.to_string(), "all".into()))
        else {
            continue;
        };
        let f = |x: f64| with_unit(x, unit);
        let row = format!(
            "{label} {} {} – {} {} ± {}",
            f(*p50),
            f(*p5),
            f(*p95),
            f(*mean),
            f(*mcse)
        );
        assert!(text.contains(&row), "report.html lacks the row {row:?}");
    }

    // Scenario identity and reproducibility.
    assert!(text.contains("October 2025: Torkham and Chaman closed together"));
    assert!(text.contains("bordersim run october-2025 -n 200 --seed 20251012"));
    assert!(text.contains("Sources cited by the scenario"));
    assert!(text.contains("khaama_2026"), "sources are listed");

    // Every figure is inline, as SVG.
    assert_eq!(html.matches("<svg").count(), 13, "inline SVG figures");
    assert!(html.contains("@media print"), "print styles");

    // Nothing a browser would fetch: no scripts, no external style sheets,
    // no src= or url() that leaves the page.
    let lower = html.to_ascii_lowercase();
    for banned in [
        "<script", "<link", "@import", "<iframe", "<object", "<embed", "<img", "<image",
    ] {
        assert!(!lower.contains(banned), "report.html contains {banned}");
    }
    for (i, _) in lower.match_indices("src=") {
        let value = lower[i + 4..].trim_start_matches(['"', '\'']);
        assert!(
            !(value.starts_with("http") || value.starts_with("//")),
            "external src at {i}: {}",
            &html[i..(i + 80).min(html.len())]
        );
    }
    for (i, _) in lower.match_indices("url(") {
        let value = lower[i + 4..].trim_start_matches(['"', '\'', ' ']);
        assert!(
            !(value.starts_with("http") || value.starts_with("//")),
            "external url() at {i}"
        );
    }
}

#[test]
fn report_command_rebuilds_the_same_page_from_the_files_alone() {
    let tmp = TempDir::new("rebuild");
    let out = tmp.join("out");
    run_default(&out);
    let original = fs::read(out.join("report.html")).unwrap();
    let original_png = fs::read(out.join("figures/distribution_direct_loss_usd.png")).unwrap();

    // Only the input files, in a fresh directory.
    let copy = tmp.join("copy");
    fs::create_dir_all(&copy).unwrap();
    for name in INPUTS {
        fs::copy(out.join(name), copy.join(name)).unwrap();
    }
    let o = bordersim(&["report", copy.to_str().unwrap()]);
    assert!(o.status.success(), "{}", describe(&o));
    assert!(
        fs::read(copy.join("report.html")).unwrap() == original,
        "bordersim report wrote a different report.html"
    );
    assert!(
        fs::read(copy.join("figures/distribution_direct_loss_usd.png")).unwrap() == original_png,
        "bordersim report drew a different figure"
    );

    // A missing input: exit 2, naming it, writing nothing.
    let broken = tmp.join("broken");
    fs::create_dir_all(&broken).unwrap();
    for name in INPUTS.iter().filter(|n| **n != "quantiles.csv") {
        fs::copy(out.join(name), broken.join(name)).unwrap();
    }
    let o = bordersim(&["report", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("quantiles.csv"), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(!broken.join("report.html").exists());
    assert!(!broken.join("figures").exists());

    // A malformed input: exit 2, naming the file and the line.
    fs::copy(out.join("quantiles.csv"), broken.join("quantiles.csv")).unwrap();
    let daily = fs::read_to_string(out.join("daily.csv")).unwrap();
    let mut lines: Vec<&str> = daily.lines().collect();
    let bad = lines[3].rsplit_once(',').unwrap().0.to_string() + ",lots";
    lines[3] = &bad;
    fs::write(broken.join("daily.csv"), lines.join("\n")).unwrap();
    let o = bordersim(&["report", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("daily.csv") && err.contains("line 4"), "{err}");

    // Files from another scenario: the hash in the manifest catches it.
    fs::copy(out.join("daily.csv"), broken.join("daily.csv")).unwrap();
    let scenario = fs::read_to_string(out.join("scenario.toml")).unwrap();
    fs::write(broken.join("scenario.toml"), scenario + "\n# edited\n").unwrap();
    let o = bordersim(&["report", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("scenario.toml") && err.contains("manifest.json"),
        "{err}"
    );

    // Not a run directory at all.
    let o = bordersim(&["report", tmp.join("nowhere").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
}

/// Scenarios whose outcomes are all zero (no closure, no noise) or that
/// have one crossing still get every figure, without panics.
#[test]
fn degenerate_and_small_scenarios_render() {
    let tmp = TempDir::new("degenerate");
    let minimal =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/minimal.toml"))
            .unwrap();
    let quiet = minimal
        .replace("arrival_noise = true", "arrival_noise = false")
        .replace("probability = 1", "probability = 0");
    assert_ne!(quiet, minimal);
    let file = tmp.join("quiet.toml");
    fs::write(&file, quiet).unwrap();
    for (tag, scenario) in [
        ("quiet", file.to_str().unwrap().to_string()),
        (
            "golden",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/golden.toml")
                .to_str()
                .unwrap()
                .to_string(),
        ),
    ] {
        let out = tmp.join(tag);
        let o = bordersim(&[
            "run",
            &scenario,
            "-n",
            "30",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{tag}: {}", describe(&o));
        let html = fs::read_to_string(out.join("report.html")).unwrap();
        assert!(html.contains("With 90% probability"), "{tag}");
        let figures = fs::read_dir(out.join("figures")).unwrap().count();
        assert!(figures >= 16, "{tag}: {figures} figure files");
    }
}
