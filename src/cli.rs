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
    /// summary.csv, summary.json, daily.csv, replicates.csv and manifest.json.
    Run(RunArgs),
    /// Check a scenario file and print its resolved parameters.
    Validate(ValidateArgs),
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
    /// No progress bar and no summary on the terminal.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Scenario file (or bundled scenario name).
    pub file: String,
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
