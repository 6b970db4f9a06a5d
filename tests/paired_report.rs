//! Figures and reports of `bordersim sweep` and `bordersim compare`, and
//! the convergence record of `bordersim run` (convergence.csv and its
//! figure).

mod common;
use bordersim::scenario::variants::set_field;
use common::{TempDir, visible_text};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GOLDEN: &str = include_str!("data/golden.toml");
const DURATION: &str = "events.closure.duration_days";

/// Runs the binary with no usable font configuration: text must come from
/// the font compiled into it.
fn bordersim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bordersim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("FONTCONFIG_FILE", "/nonexistent/fonts.conf")
        .env("FONTCONFIG_PATH", "/nonexistent")
        .env("XDG_DATA_HOME", "/nonexistent")
        .output()
        .expect("run bordersim")
}

fn check(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn golden() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/golden.toml")
        .to_str()
        .unwrap()
        .to_string()
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 33, "PNG too short: {} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "first chunk is IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// SVG text with the entities plotters writes turned back into characters.
fn svg_text(svg: &str) -> String {
    svg.replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Checks `figures/NAME.png` and `.svg`: a PNG of `size` (when given, else
/// the SVG's size), an SVG of the same size holding every text of `texts`.
fn check_figure(dir: &Path, name: &str, size: Option<(u32, u32)>, texts: &[&str]) {
    let fig = dir.join("figures");
    let png =
        fs::read(fig.join(format!("{name}.png"))).unwrap_or_else(|e| panic!("{name}.png: {e}"));
    let (w, h) = png_size(&png);
    if let Some(s) = size {
        assert_eq!((w, h), s, "{name}.png size");
    }
    let svg = fs::read_to_string(fig.join(format!("{name}.svg"))).unwrap();
    assert!(
        svg.contains(&format!("width=\"{w}\"")) && svg.contains(&format!("height=\"{h}\"")),
        "{name}.svg is not {w}×{h}"
    );
    assert!(svg.trim_end().ends_with("</svg>"), "{name}.svg is complete");
    let text = svg_text(&svg);
    for t in texts {
        assert!(text.contains(t), "{name}.svg lacks {t:?}");
    }
}

/// Nothing in the page that a browser would fetch when it opens.
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for banned in [
        "<script", "<link", "@import", "<iframe", "<object", "<embed", "<img", "<image",
    ] {
        assert!(!lower.contains(banned), "report.html contains {banned}");
    }
    for attr in ["src=", "url(", "xlink:href="] {
        for (i, _) in lower.match_indices(attr) {
            let value = lower[i + attr.len()..].trim_start_matches(['"', '\'', ' ']);
            assert!(
                !(value.starts_with("http") || value.starts_with("//")),
                "external {attr} at {i}: {}",
                &html[i..(i + 80).min(html.len())]
            );
        }
    }
    // Links (not fetched on opening) point only at the figure files.
    for (i, _) in lower.match_indices("href=\"") {
        let value = &lower[i + 6..];
        assert!(
            value.starts_with('#') || value.starts_with("figures/"),
            "unexpected link at {i}: {}",
            &html[i..(i + 80).min(html.len())]
        );
    }
}

#[test]
fn sweep_writes_figures_and_a_self_contained_report() {
    let tmp = TempDir::new("sweep");
    let out = tmp.join("out");
    let o = bordersim(&[
        "sweep",
        &golden(),
        "--set",
        &format!("{DURATION}=1,5,10,20"),
        "-n",
        "40",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    check(&o);
    check_figure(
        &out,
        "sweep_direct_loss_usd",
        Some((1200, 700)),
        &[
            "Direct loss against closure duration",
            "Closure duration (days)",
            "Direct loss (US$)",
            "90% of replicates (p5–p95)",
            "median",
        ],
    );
    check_figure(
        &out,
        "sweep_outcomes",
        Some((1500, 950)),
        &[
            "Outcomes against closure duration",
            "Closure duration (days)",
            "Spoiled cargo",
            "Workers exhausting savings",
        ],
    );
    check_figure(
        &out,
        "marginal_direct_loss_usd",
        Some((1200, 700)),
        &[
            "Marginal cost: direct loss per extra day",
            "Extra direct loss per extra day (US$)",
            "Closure duration (days), midpoint of each step",
        ],
    );
    check_figure(
        &out,
        "sweep_differences",
        Some((1400, 794)),
        &[
            "Each sweep point against duration_days=1: paired differences",
            "B − A (US$)",
            "duration_days=20",
            "P(B > A) = ",
        ],
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert_eq!(html.matches("<svg").count(), 4, "inline SVG figures");
    let text = visible_text(&html);
    for t in [
        "Sweep: Closure duration",
        "events.closure.duration_days = 1, 5, 10, 20",
        "Direct loss at each point",
        "Headline outcomes at each point",
        "Marginal cost of one more day",
        "Reproducibility",
        "duration_days=10",
    ] {
        assert!(text.contains(t), "report.html lacks {t:?}");
    }
    // The table's medians are sweep.csv's, formatted as everywhere else.
    let mut rdr = csv::Reader::from_path(out.join("sweep.csv")).unwrap();
    let head = rdr.headers().unwrap().clone();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if &rec[col("metric")] == "direct_loss_usd" && &rec[col("entity")] == "all" {
            let p50: f64 = rec[col("p50")].parse().unwrap();
            let cell = bordersim::output::format::with_unit(p50, "USD");
            assert!(text.contains(&cell), "report.html lacks the median {cell}");
        }
    }

    // `bordersim report DIR` rebuilds the same page from the files alone.
    let copy = tmp.join("copy");
    fs::create_dir_all(&copy).unwrap();
    for f in [
        "sweep.csv",
        "sweep_differences.csv",
        "marginal.csv",
        "manifest.json",
    ] {
        fs::copy(out.join(f), copy.join(f)).unwrap();
    }
    check(&bordersim(&["report", copy.to_str().unwrap()]));
    assert!(
        fs::read(copy.join("report.html")).unwrap() == html.as_bytes(),
        "bordersim report wrote a different report.html"
    );

    // --no-plots: the tables only.
    let bare = tmp.join("bare");
    check(&bordersim(&[
        "sweep",
        &golden(),
        "--set",
        &format!("{DURATION}=1,5"),
        "-n",
        "10",
        "-q",
        "--no-plots",
        "--out",
        bare.to_str().unwrap(),
    ]));
    assert!(bare.join("sweep.csv").is_file());
    assert!(!bare.join("figures").exists(), "--no-plots wrote figures/");
    assert!(
        !bare.join("report.html").exists(),
        "--no-plots wrote report.html"
    );
}

#[test]
fn compare_writes_paired_difference_figure_and_report() {
    let tmp = TempDir::new("compare");
    let variant = tmp.join("shorter.toml");
    let text = set_field(GOLDEN, DURATION, "5")
        .unwrap()
        .replace("name = \"golden\"", "name = \"golden-5-days\"");
    fs::write(&variant, text).unwrap();
    let out = tmp.join("out");
    check(&bordersim(&[
        "compare",
        &golden(),
        variant.to_str().unwrap(),
        "-n",
        "40",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]));
    check_figure(
        &out,
        "compare_differences",
        None,
        &[
            "golden-5-days against golden: paired differences",
            "B − A (US$)",
            "B − A (workers)",
            "Direct loss",
            "P(B > A) = ",
        ],
    );
    let (w, _) = png_size(&fs::read(out.join("figures/compare_differences.png")).unwrap());
    assert_eq!(w, 1400);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert_eq!(html.matches("<svg").count(), 1, "inline SVG figures");
    let text = visible_text(&html);
    for t in [
        "Comparison: golden vs golden-5-days",
        "golden-5-days − golden: paired differences",
        "P(B > A)",
        "Variance reduction",
        "Each scenario: median (p5 – p95)",
        "Reproducibility",
    ] {
        assert!(text.contains(t), "report.html lacks {t:?}");
    }
    // The direct loss row: compare.csv's paired median.
    let mut rdr = csv::Reader::from_path(out.join("compare.csv")).unwrap();
    let head = rdr.headers().unwrap().clone();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let row = rdr
        .records()
        .map(Result::unwrap)
        .find(|r| {
            &r[col("label")] == "golden-5-days"
                && &r[col("metric")] == "direct_loss_usd"
                && &r[col("entity")] == "all"
        })
        .expect("direct loss row");
    let p50: f64 = row[col("diff_p50")].parse().unwrap();
    let cell = bordersim::output::format::with_unit(p50, "USD");
    assert!(text.contains(&cell), "report.html lacks {cell}");
}

/// (replicates, mean, mcse) of direct_loss_usd in convergence.csv, as text.
fn convergence_rows(dir: &Path) -> Vec<(u64, String, String)> {
    let mut rdr = csv::Reader::from_path(dir.join("convergence.csv")).unwrap();
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "replicates",
            "metric",
            "scope",
            "entity",
            "unit",
            "mean",
            "mcse"
        ]
    );
    rdr.records()
        .map(Result::unwrap)
        .filter(|r| &r[1] == "direct_loss_usd" && &r[3] == "all")
        .map(|r| (r[0].parse().unwrap(), r[5].to_string(), r[6].to_string()))
        .collect()
}

#[test]
fn convergence_csv_ends_at_the_summary_and_does_not_depend_on_threads() {
    let tmp = TempDir::new("convergence");
    let n = 4100u64;
    let dirs: Vec<PathBuf> = ["1", "2"]
        .iter()
        .map(|t| {
            let d = tmp.join(&format!("t{t}"));
            check(&bordersim(&[
                "run",
                &golden(),
                "-n",
                &n.to_string(),
                "-t",
                t,
                "-q",
                "--no-plots",
                "--replicates-csv",
                "never",
                "--out",
                d.to_str().unwrap(),
            ]));
            d
        })
        .collect();
    assert!(
        fs::read(dirs[0].join("convergence.csv")).unwrap()
            == fs::read(dirs[1].join("convergence.csv")).unwrap(),
        "convergence.csv differs between 1 and 2 threads"
    );
    let rows = convergence_rows(&dirs[0]);
    let counts: Vec<u64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(
        counts,
        [64, 128, 256, 512, 1024, 2048, 4096, 4100],
        "powers of two in the first wave, then wave ends"
    );
    // The last point is the summary's mean and MCSE, formatted alike.
    let summary = fs::read_to_string(dirs[0].join("summary.csv")).unwrap();
    let srow: Vec<&str> = summary
        .lines()
        .find(|l| l.starts_with("direct_loss_usd,total,all,"))
        .expect("summary row")
        .split(',')
        .collect();
    let (last_n, last_mean, last_mcse) = rows.last().unwrap();
    assert_eq!(*last_n, n);
    assert_eq!(srow[4], n.to_string());
    assert_eq!(last_mean, srow[5], "last mean = summary.csv's mean");
    assert_eq!(last_mcse, srow[7], "last mcse = summary.csv's mcse");
    // Every total metric is recorded at every count.
    let text = fs::read_to_string(dirs[0].join("convergence.csv")).unwrap();
    let totals = text.lines().filter(|l| l.starts_with("4100,")).count();
    assert!(totals > 10, "{totals} total metrics at the last count");
    assert_eq!(text.lines().count(), 1 + totals * counts.len());
}

#[test]
fn run_report_has_the_convergence_figure_and_older_runs_still_rebuild() {
    let tmp = TempDir::new("run");
    let out = tmp.join("out");
    check(&bordersim(&[
        "run",
        &golden(),
        "-n",
        "300",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]));
    let counts: Vec<u64> = convergence_rows(&out).iter().map(|r| r.0).collect();
    assert_eq!(counts, [64, 128, 256, 300]);
    check_figure(
        &out,
        "convergence_direct_loss_usd",
        Some((1200, 700)),
        &[
            "Convergence: mean direct loss as replicates accumulate",
            "Mean direct loss so far (US$)",
            "Replicates",
            "± 2 Monte Carlo standard errors",
        ],
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("id=\"convergence\""), "convergence section");
    assert!(html.contains("fig-convergence_direct_loss_usd"));
    assert_self_contained(&html);

    // A run directory of an older version, without convergence.csv.
    let old = tmp.join("old");
    fs::create_dir_all(&old).unwrap();
    for f in [
        "summary.csv",
        "quantiles.csv",
        "daily.csv",
        "manifest.json",
        "scenario.toml",
    ] {
        fs::copy(out.join(f), old.join(f)).unwrap();
    }
    check(&bordersim(&["report", old.to_str().unwrap()]));
    let page = fs::read_to_string(old.join("report.html")).unwrap();
    assert!(
        !page.contains("id=\"convergence\""),
        "no convergence section"
    );
    assert!(!old.join("figures/convergence_direct_loss_usd.png").exists());
    assert_eq!(
        page.matches("<svg").count() + 1,
        html.matches("<svg").count(),
        "every other figure is still drawn"
    );

    // A malformed convergence.csv is an input error naming the file.
    let text = fs::read_to_string(out.join("convergence.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let first = lines[1].clone();
    lines.insert(2, first);
    fs::write(old.join("convergence.csv"), lines.join("\n")).unwrap();
    let o = bordersim(&["report", old.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("convergence.csv") && err.contains("line 3"),
        "{err}"
    );
}
