//! `bordersim report DIR`: figures and report.html from a finished run's
//! files, without rerunning.

use super::CliError;
use crate::cli::ReportArgs;
use bordersim::report::{self, ReportError};

pub fn report(a: ReportArgs) -> Result<(), CliError> {
    report::build(&a.dir).map_err(into_cli)?;
    println!(
        "figures in {}, report in {}",
        a.dir.join(report::FIGURES_DIR).display(),
        a.dir.join(report::REPORT_FILE).display()
    );
    Ok(())
}

/// Problems with the input files are bad input (exit 2); drawing and
/// writing failures exit 1.
pub fn into_cli(e: ReportError) -> CliError {
    if e.is_input() {
        CliError::Input(e.to_string())
    } else {
        CliError::Other(anyhow::Error::from(e))
    }
}
