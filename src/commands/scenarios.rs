//! `bordersim scenarios`: list the bundled scenarios, or print one.

use super::CliError;
use crate::cli::{ScenariosAction, ScenariosArgs};
use bordersim::scenario::bundled::{self, Bundled};

pub fn scenarios(a: ScenariosArgs) -> Result<(), CliError> {
    match a.action {
        None => {
            print!("{}", list_text());
            Ok(())
        }
        Some(ScenariosAction::Show { name }) => {
            print!("{}", find(&name)?.text);
            Ok(())
        }
    }
}

/// Looks up a bundled scenario; an unknown name is bad input (exit 2) and
/// the message lists the available names.
pub fn find(name: &str) -> Result<Bundled, CliError> {
    bundled::get(name).ok_or_else(|| {
        CliError::Input(format!(
            "no bundled scenario named {name:?}; available: {}",
            bundled::names()
        ))
    })
}

/// The table printed by `bordersim scenarios`.
pub fn list_text() -> String {
    use std::fmt::Write;
    let w = bundled::ALL.iter().map(|b| b.name.len()).max().unwrap_or(0);
    let mut out = String::from("Bundled scenarios:\n\n");
    for b in bundled::ALL {
        let _ = writeln!(out, "  {:<w$}  {}", b.name, b.description);
    }
    out.push_str(
        "\nRun one with `bordersim run NAME`, print it with `bordersim scenarios show NAME`,\n\
         copy it to edit with `bordersim init MYNAME --from NAME`.\n",
    );
    out
}
