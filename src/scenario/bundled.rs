//! Scenarios compiled into the binary, so `bordersim run` works from any
//! directory.

/// A bundled scenario file.
#[derive(Clone, Copy, Debug)]
pub struct Bundled {
    /// Name used on the command line (the file stem).
    pub name: &'static str,
    /// The TOML text.
    pub text: &'static str,
}

/// Name of the scenario `bordersim run` uses when given none.
pub const DEFAULT: &str = "october-2025";

/// Every bundled scenario, default first.
pub const ALL: &[Bundled] = &[Bundled {
    name: "october-2025",
    text: include_str!("../../scenarios/october-2025.toml"),
}];

/// Looks a bundled scenario up by name (with or without `.toml`).
pub fn get(name: &str) -> Option<Bundled> {
    let name = name.strip_suffix(".toml").unwrap_or(name);
    ALL.iter().copied().find(|b| b.name == name)
}

/// The default scenario.
pub fn default() -> Bundled {
    get(DEFAULT).expect("the default scenario is bundled")
}
