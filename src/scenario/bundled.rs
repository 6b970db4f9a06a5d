//! Scenarios compiled into the binary, so `bordersim run` works from any
//! directory, `bordersim scenarios` can list them and `bordersim init` can
//! copy one.

/// A bundled scenario file.
#[derive(Clone, Copy, Debug)]
pub struct Bundled {
    /// Name used on the command line (the file stem, and the scenario's
    /// `[scenario] name`).
    pub name: &'static str,
    /// One line for `bordersim scenarios`.
    pub description: &'static str,
    /// The TOML text.
    pub text: &'static str,
}

/// Name of the scenario `bordersim run` uses when given none.
pub const DEFAULT: &str = "october-2025";

/// Every bundled scenario, default first, then the historical replays in
/// date order, then the forward-looking ones.
pub const ALL: &[Bundled] = &[
    Bundled {
        name: "october-2025",
        description: "Both crossings closed from 12 Oct 2025, length unknown (lognormal, median 30 d); 180 days (default)",
        text: include_str!("../../scenarios/october-2025.toml"),
    },
    Bundled {
        name: "october-2025-interventions",
        description: "The October 2025 closure with a green lane, surge capacity, cash support and cold chain",
        text: include_str!("../../scenarios/october-2025-interventions.toml"),
    },
    Bundled {
        name: "torkham-2023-02",
        description: "Torkham closed 19–25 Feb 2023 (6 days), Chaman open; late winter, kinnow season",
        text: include_str!("../../scenarios/torkham-2023-02.toml"),
    },
    Bundled {
        name: "torkham-2023-09",
        description: "Torkham closed 6–15 Sep 2023 (9 days), Chaman open; peak grape season, in the heat",
        text: include_str!("../../scenarios/torkham-2023-09.toml"),
    },
    Bundled {
        name: "chaman-2023-11",
        description: "Chaman blocked Nov 2023 – Feb 2024 (~4 months, one-document rule), Torkham open",
        text: include_str!("../../scenarios/chaman-2023-11.toml"),
    },
    Bundled {
        name: "torkham-2024-01",
        description: "Torkham closed to trucks 13–23 Jan 2024 (10 days, drivers' visa rule), Chaman blocked too",
        text: include_str!("../../scenarios/torkham-2024-01.toml"),
    },
    Bundled {
        name: "torkham-2025-02",
        description: "Torkham closed 21 Feb – 19 Mar 2025 (25–27 days), Chaman open; end of the kinnow season",
        text: include_str!("../../scenarios/torkham-2025-02.toml"),
    },
    Bundled {
        name: "outlook-1y",
        description: "A year ahead: recurrent closures at Torkham, Chaman and both, rates and durations from the record",
        text: include_str!("../../scenarios/outlook-1y.toml"),
    },
    Bundled {
        name: "stress-indefinite",
        description: "Stress test: both crossings closed for the whole 365-day year",
        text: include_str!("../../scenarios/stress-indefinite.toml"),
    },
];

/// Looks a bundled scenario up by name (with or without `.toml`).
pub fn get(name: &str) -> Option<Bundled> {
    let name = name.strip_suffix(".toml").unwrap_or(name);
    ALL.iter().copied().find(|b| b.name == name)
}

/// The default scenario.
pub fn default() -> Bundled {
    get(DEFAULT).expect("the default scenario is bundled")
}

/// The bundled names, comma-separated (for error messages).
pub fn names() -> String {
    ALL.iter().map(|b| b.name).collect::<Vec<_>>().join(", ")
}
