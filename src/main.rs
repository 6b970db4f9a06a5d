//! The `bordersim` command: arguments → scenario → run → files.

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Run(a) => commands::run::run(a),
        cli::Command::Validate(a) => commands::validate::validate(a),
        cli::Command::Sweep(a) => commands::paired::sweep(a),
        cli::Command::Compare(a) => commands::paired::compare(a),
        cli::Command::Sensitivity(a) => commands::sensitivity::sensitivity(a),
        cli::Command::Report(a) => commands::report::report(a),
        cli::Command::Scenarios(a) => commands::scenarios::scenarios(a),
        cli::Command::Init(a) => commands::init::init(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    }
}
