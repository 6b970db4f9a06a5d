//! What each subcommand does. Errors carry their exit code: 2 for bad
//! input (scenario or arguments), 1 for everything else.

pub mod init;
pub mod paired;
pub mod report;
pub mod run;
pub mod scenarios;
pub mod sensitivity;
pub mod validate;

use bordersim::error::LoadError;
use std::fmt;
use std::process::ExitCode;

/// An error reported to the user.
#[derive(Debug)]
pub enum CliError {
    /// Bad input: exit 2.
    Input(String),
    /// Anything else (IO while writing outputs): exit 1.
    Other(anyhow::Error),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Input(_) => ExitCode::from(2),
            CliError::Other(_) => ExitCode::from(1),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(m) => {
                for (i, line) in m.lines().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "error: {line}")?;
                }
                Ok(())
            }
            CliError::Other(e) => write!(f, "error: {e:#}"),
        }
    }
}

impl From<LoadError> for CliError {
    fn from(e: LoadError) -> Self {
        CliError::Input(e.to_string())
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        CliError::Other(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Other(e.into())
    }
}

/// Loads the scenario named on the command line (a file, or a bundled name;
/// `None`: the bundled default).
pub fn load(arg: Option<&str>) -> Result<bordersim::scenario::Scenario, CliError> {
    use bordersim::scenario::{bundled, load_path_or_bundled, load_str};
    Ok(match arg {
        Some(a) => load_path_or_bundled(a)?,
        None => {
            let b = bundled::default();
            load_str(b.text, &format!("<bundled:{}>", b.name))?
        }
    })
}

/// A progress bar on stderr for `n` replicates, hidden when `quiet` or when
/// stderr is not a terminal. `what` follows "replicates" in the bar.
pub fn progress_bar(n: u64, quiet: bool, what: &str) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr());
    let template = format!("{{bar:40}} {{pos}}/{{len}} replicates{what}  {{per_sec}}  eta {{eta}}");
    bar.set_style(
        ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
