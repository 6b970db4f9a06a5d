//! Command-line definitions (clap). Parsing only; `commands/` does the work.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Monte Carlo simulator of border-crossing trade disruption.
#[derive(Debug, Parser)]
#[command(name = "bordersim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario (default: the bundled October 2025 closure) and write
    /// summary.csv, summary.json, daily.csv, replicates.csv and manifest.json,
    /// then the figures and report.html (unless --no-plots).
    Run(RunArgs),
    /// Check a scenario file and print its resolved parameters.
    Validate(ValidateArgs),
    /// Vary scenario fields over values (a grid, or zipped) and compare the
    /// points with common random numbers: sweep.csv, sweep_differences.csv,
    /// marginal.csv, then the figures and report.html (unless --no-plots).
    Sweep(SweepArgs),
    /// Paired comparison of whole scenarios against the first (common random
    /// numbers): compare.csv, compare_summary.csv, then the figures and
    /// report.html (unless --no-plots).
    Compare(CompareArgs),
    /// Which uncertain inputs drive the headline outcomes: tornado swings
    /// (p10 to p90, one at a time), rank correlations and Sobol indices:
    /// sensitivity_tornado.csv, sensitivity_rank_correlation.csv,
    /// sensitivity_sobol.csv, figures/tornado_*.png.
    Sensitivity(SensitivityArgs),
    /// Rebuild the figures and report.html of a finished run from its
    /// output files, without rerunning.
    Report(ReportArgs),
    /// List the bundled scenarios, or print one (`scenarios show NAME`).
    Scenarios(ScenariosArgs),
    /// Write NAME.toml, a commented copy of a bundled scenario to edit.
    Init(InitArgs),
}

/// When to write `replicates.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReplicatesCsv {
    /// Up to 100,000 replicates.
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file, or the name of a bundled scenario. Default: the
    /// bundled `october-2025`.
    pub scenario: Option<String>,
    /// Number of replicates (default: the scenario's `replicates`).
    #[arg(short = 'n', long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub replicates: Option<u64>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output directory.
    #[arg(short, long, default_value = "bordersim-out")]
    pub out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(short, long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Write one row per replicate to replicates.csv.
    #[arg(long, value_enum, default_value_t = ReplicatesCsv::Auto)]
    pub replicates_csv: ReplicatesCsv,
    /// Runs up to this many replicates get exact quantiles; larger ones use
    /// a sketch with relative error below 0.8% (2^-7).
    #[arg(long, default_value_t = bordersim::run::DEFAULT_EXACT_QUANTILE_LIMIT)]
    pub exact_quantile_limit: u64,
    /// Run in waves of 4,096 replicates until the relative standard error
    /// of every `--rse-metrics` mean is at most this (e.g. 0.01); `-n` is
    /// then the cap (default 1,000,000).
    #[arg(long, value_parser = parse_rse)]
    pub target_rse: Option<f64>,
    /// Metrics watched by `--target-rse`: total metric names, or
    /// `NAME:ENTITY` for a crossing or commodity.
    #[arg(long, value_delimiter = ',', default_value = "direct_loss_usd")]
    pub rse_metrics: Vec<String>,
    /// Sampling design of the uncertain inputs: mc (Monte Carlo), lhs
    /// (Latin hypercube), antithetic (mirrored pairs) or rqmc (randomized
    /// quasi-Monte Carlo: 16 scrambles of the Sobol sequence, MCSE from their
    /// spread).
    #[arg(long, default_value = "mc", value_parser = parse_sampling)]
    pub sampling: bordersim::inputs::Sampling,
    /// No progress bar and no summary on the terminal.
    #[arg(short, long)]
    pub quiet: bool,
    /// Do not draw the figures (figures/) nor write report.html.
    #[arg(long)]
    pub no_plots: bool,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Output directory of a finished run (with summary.csv, quantiles.csv,
    /// daily.csv, manifest.json and scenario.toml).
    pub dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Scenario file (or bundled scenario name).
    pub file: String,
}

fn parse_sampling(s: &str) -> Result<bordersim::inputs::Sampling, String> {
    s.parse()
}

fn parse_rse(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x < 1.0 => Ok(x),
        _ => Err(format!(
            "`{s}` is not a relative standard error between 0 and 1 (e.g. 0.01)"
        )),
    }
}

/// Options shared by the paired commands.
#[derive(Debug, clap::Args)]
pub struct PairedOpts {
    /// Number of replicates (default: the first scenario's `replicates`).
    #[arg(short = 'n', long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub replicates: Option<u64>,
    /// Master seed (default: the first scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output directory.
    #[arg(short, long, default_value = "bordersim-out")]
    pub out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(short, long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// No progress bar and no summary on the terminal.
    #[arg(short, long)]
    pub quiet: bool,
    /// Do not draw the figures (figures/) nor write report.html.
    #[arg(long)]
    pub no_plots: bool,
}

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Scenario file, or the name of a bundled scenario (default:
    /// `october-2025`).
    pub scenario: Option<String>,
    /// `PATH=V1,V2,…`: a field's dotted path and its values (TOML values:
    /// numbers, strings, distribution tables). Repeat for a grid. Default:
    /// the scenario's `[sweep]` section.
    #[arg(long = "set", value_name = "PATH=VALUES")]
    pub set: Vec<String>,
    /// Pair the values of several --set position by position instead of
    /// taking their cartesian product.
    #[arg(long)]
    pub zip: bool,
    /// Index of the baseline point for paired differences.
    #[arg(long)]
    pub baseline: Option<usize>,
    #[command(flatten)]
    pub opts: PairedOpts,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Two or more scenarios (files or bundled names); the first is the
    /// baseline.
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<String>,
    #[command(flatten)]
    pub opts: PairedOpts,
}

/// Which sensitivity analysis to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SensitivityMethod {
    /// One at a time: each input at its p10 and p90, the others at their
    /// medians, each point the mean of N replicates; plus the rank
    /// correlation of each input with each outcome over N replicates.
    /// Cost: (2d + 2)·N replicates for d uncertain inputs.
    Tornado,
    /// First-order and total Sobol indices (Saltelli design, Jansen
    /// estimators, bootstrap 95% intervals) with N base rows.
    /// Cost: (d + 2)·N replicates.
    Sobol,
    /// Both.
    Both,
}

#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// Scenario file, or the name of a bundled scenario (default:
    /// `october-2025`).
    pub scenario: Option<String>,
    /// Analysis to run.
    #[arg(long, value_enum, default_value_t = SensitivityMethod::Both)]
    pub method: SensitivityMethod,
    /// Tornado: replicates per design point and for the rank correlations
    /// (default 200; cost (2d + 2)·N). Sobol: base rows, best a power of two
    /// (default 256; cost (d + 2)·N, e.g. about 49,000 replicates for the
    /// 188 uncertain inputs of `october-2025`).
    #[arg(short = 'n', long, value_parser = clap::value_parser!(u64).range(2..=1_000_000))]
    pub n: Option<u64>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output directory (the sensitivity files sit beside a run's files
    /// without replacing any of them).
    #[arg(short, long, default_value = "bordersim-out")]
    pub out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(short, long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// No progress bar and no summary on the terminal.
    #[arg(short, long)]
    pub quiet: bool,
    /// Do not draw the tornado figures.
    #[arg(long)]
    pub no_plots: bool,
}

#[derive(Debug, clap::Args)]
pub struct ScenariosArgs {
    #[command(subcommand)]
    pub action: Option<ScenariosAction>,
}

#[derive(Debug, Subcommand)]
pub enum ScenariosAction {
    /// Print the file of a bundled scenario.
    Show {
        /// Name of a bundled scenario (see `bordersim scenarios`).
        name: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Name of the new scenario: writes NAME.toml in the current directory
    /// (never overwrites) and sets its `[scenario] name`.
    pub name: String,
    /// Bundled scenario to copy (see `bordersim scenarios`).
    #[arg(long, default_value = "october-2025")]
    pub from: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
