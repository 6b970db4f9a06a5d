//! `--target-rse`: deterministic sequential stopping.

use std::path::PathBuf;
use std::process::Command;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bordersim-conv-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(out: &PathBuf, threads: &str, extra: &[&str]) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_bordersim"))
        .args([
            "run",
            "tests/data/golden.toml",
            "-q",
            "--no-plots",
            "--threads",
            threads,
            "--out",
        ])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn target_rse_stops_at_the_same_count_at_any_thread_count() {
    let dir = tmp("threads");
    let args = [
        "--target-rse",
        "0.015",
        "--rse-metrics",
        "direct_loss_usd,lost_wages_usd:north",
        "-n",
        "40000",
        "--replicates-csv",
        "never",
    ];
    let m1 = run(&dir.join("t1"), "1", &args);
    let m2 = run(&dir.join("t2"), "2", &args);
    assert_eq!(m1["replicates"], m2["replicates"]);
    let n = m1["replicates"].as_u64().unwrap();
    assert!(
        n > 4096 && n < 40000 && n.is_multiple_of(4096),
        "stopped after {n}"
    );
    assert_eq!(m1["stopping"]["reason"], "converged");
    let rse = m1["stopping"]["rse"]["direct_loss_usd"].as_f64().unwrap();
    assert!(rse <= 0.015);
    assert_eq!(m1["stopping"], m2["stopping"]);
    for f in ["summary.csv", "summary.json", "daily.csv", "quantiles.csv"] {
        assert_eq!(
            std::fs::read(dir.join("t1").join(f)).unwrap(),
            std::fs::read(dir.join("t2").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn target_rse_reports_an_unreached_target() {
    let dir = tmp("cap");
    let m = run(
        &dir.join("o"),
        "2",
        &["--target-rse", "0.0001", "-n", "1000"],
    );
    assert_eq!(m["replicates"], 1000);
    assert!(m["stopping"]["reason"].as_str().unwrap().contains("cap"));
}

#[test]
fn unknown_rse_metric_is_an_input_error() {
    let dir = tmp("bad");
    let o = Command::new(env!("CARGO_BIN_EXE_bordersim"))
        .args([
            "run",
            "tests/data/golden.toml",
            "-q",
            "--target-rse",
            "0.01",
            "--rse-metrics",
            "nope",
            "--out",
        ])
        .arg(dir.join("o"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope"));
    for bad in ["0", "1.5", "x"] {
        let o = Command::new(env!("CARGO_BIN_EXE_bordersim"))
            .args(["run", "tests/data/golden.toml", "--target-rse", bad])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{bad}");
    }
}
