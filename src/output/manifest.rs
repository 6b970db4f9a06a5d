//! `manifest.json`: everything needed to reproduce a run.

use crate::scenario::Scenario;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const LOCKFILE: &str = include_str!("../../Cargo.lock");

/// Crates whose versions decide the numbers, recorded in every manifest.
pub const RECORDED_CRATES: &[&str] = &[
    "rand",
    "rand_core",
    "rand_distr",
    "rayon",
    "serde",
    "toml",
    "csv",
    "plotters",
];

/// Versions of `names` as pinned in the compiled-in `Cargo.lock`.
pub fn dependency_versions(names: &[&str]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<&str> = None;
    for line in LOCKFILE.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            current = Some(n.trim_matches('"'));
        } else if let (Some(n), Some(v)) = (current, line.strip_prefix("version = ")) {
            if names.contains(&n) {
                out.insert(n.to_string(), v.trim_matches('"').to_string());
            }
            current = None;
        }
    }
    out
}

/// SHA-256 of the scenario text, hex.
pub fn scenario_hash(s: &Scenario) -> String {
    let d = Sha256::digest(s.source.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The deterministic part of a run's identity (also embedded in
/// `summary.json`).
#[derive(Clone, Debug, Serialize)]
pub struct RunIdentity {
    pub bordersim_version: String,
    pub scenario_name: String,
    pub scenario_file: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub replicates: u64,
    pub horizon_days: usize,
    pub arrival_noise: bool,
    pub rng: String,
    /// Sampling design of the uncertain inputs.
    pub sampling: String,
    pub quantile_method: String,
    pub dependencies: BTreeMap<String, String>,
}

/// The full manifest.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    #[serde(flatten)]
    pub identity: RunIdentity,
    pub threads: usize,
    pub wall_time_seconds: f64,
    pub command: String,
    pub reproduce: String,
    /// With `--target-rse`: why the run stopped and the achieved relative
    /// standard errors; `null` otherwise.
    pub stopping: serde_json::Value,
}

/// Quotes a shell word if needed.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
