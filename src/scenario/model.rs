//! The validated scenario: what the engine runs. Built only by
//! [`super::load_str`] (and [`super::load_path`]); once built, simulation cannot fail.
//!
//! Every numeric input (constant or uncertain) is a [`Param`] in
//! [`Scenario::params`], referred to by [`ParamId`]. Per replicate the engine
//! fills one `f64` per param (uncertain ones drawn by inversion of a keyed
//! uniform, see [`crate::rng`]), so structures below hold ids, not numbers.

use crate::dist::Dist;
use std::collections::BTreeMap;

/// Index into [`Scenario::params`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId(pub u32);

impl ParamId {
    /// As a slice index.
    #[inline]
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

/// One numeric input.
#[derive(Clone, Debug)]
pub struct Param {
    /// Dotted path in the scenario file (`crossings.torkham.workers`), or the
    /// path of the default it stands for (`traders.divert_share`).
    pub path: String,
    /// Its distribution (a constant for certain inputs).
    pub dist: Dist,
    /// Stream key: [`crate::rng::key_hash`] of `path`.
    pub key: u64,
    /// Unit, for tables.
    pub unit: &'static str,
    /// Whether the value came from the file (false: a documented default).
    pub given: bool,
}

impl Param {
    /// True when the input varies between replicates.
    pub fn is_uncertain(&self) -> bool {
        self.dist.as_constant().is_none()
    }
}

/// Trade direction; the destination country is the importing market.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Afghanistan to Pakistan: Pakistan imports.
    AfToPk,
    /// Pakistan to Afghanistan: Afghanistan imports.
    PkToAf,
}

impl Direction {
    /// Scenario-file spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::AfToPk => "af_to_pk",
            Direction::PkToAf => "pk_to_af",
        }
    }
    /// Short code of the importing market (`pk` or `af`).
    pub fn market(self) -> &'static str {
        match self {
            Direction::AfToPk => "pk",
            Direction::PkToAf => "af",
        }
    }
    /// Index of the importing market (0 = Pakistan, 1 = Afghanistan).
    pub fn market_ix(self) -> usize {
        match self {
            Direction::AfToPk => 0,
            Direction::PkToAf => 1,
        }
    }
}

/// Names of the two importing markets, by [`Direction::market_ix`].
pub const MARKETS: [&str; 2] = ["pk", "af"];

/// Currency an input is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Currency {
    Usd,
    Pkr,
    Afn,
}

impl Currency {
    pub fn as_str(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Pkr => "PKR",
            Currency::Afn => "AFN",
        }
    }
}

/// Queue discipline at every crossing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    /// First in, first out by arrival day; same-day arrivals pro rata.
    Fifo,
    /// A green lane: perishable trucks are served before all others (FIFO
    /// within each class).
    PerishablesFirst,
}

/// Run settings and identity.
#[derive(Clone, Debug)]
pub struct Meta {
    pub name: String,
    pub title: String,
    pub description: String,
    pub start_date: Option<String>,
    /// `H`, days.
    pub horizon: usize,
    pub seed: u64,
    pub replicates: u64,
    pub arrival_noise: bool,
}

/// A crossing `c`.
#[derive(Clone, Debug)]
pub struct Crossing {
    pub name: String,
    pub label: String,
    /// `K_c`, trucks/day.
    pub capacity: ParamId,
    /// `W_c`, workers.
    pub workers: ParamId,
    /// `w_c`, per worker-day in `wage_currency`.
    pub wage: ParamId,
    pub wage_currency: Currency,
    /// `a_c`, share.
    pub alt_work_share: ParamId,
    /// Savings across workers, days of wages (population distribution).
    pub savings_days: Dist,
    /// Flows through this crossing (indices into [`Scenario::flows`]).
    pub flows: Vec<usize>,
}

/// A commodity `g`, bound for one destination market.
#[derive(Clone, Debug)]
pub struct Commodity {
    pub name: String,
    pub label: String,
    pub perishable: bool,
    /// `(k_g, s_g)`: Weibull shape and scale (days); `None` if not perishable.
    pub shelf_life: Option<(ParamId, ParamId)>,
    pub import_share: ParamId,
    pub elasticity: ParamId,
    pub inventory_days: ParamId,
    pub market_value: ParamId,
    pub cpi_weight: ParamId,
    pub max_multiplier: ParamId,
    pub min_multiplier: ParamId,
    pub substitute_share: ParamId,
    pub substitute_lag: ParamId,
    pub substitute_ramp: ParamId,
    pub substitute_premium: ParamId,
    pub origin_export_share: ParamId,
    pub origin_elasticity: ParamId,
    pub origin_market_value: ParamId,
    pub origin_min_multiplier: ParamId,
    pub unsold_rot_share: ParamId,
    /// Direction of all its flows (its destination market).
    pub direction: Direction,
    pub flows: Vec<usize>,
}

/// A flow `f` = (crossing, direction, commodity).
#[derive(Clone, Debug)]
pub struct Flow {
    pub name: String,
    pub crossing: usize,
    pub commodity: usize,
    pub direction: Direction,
    /// `λ_f`, trucks/day.
    pub trucks_per_day: ParamId,
    /// `v_f`, USD/truck.
    pub value_per_truck: ParamId,
    pub tonnes_per_truck: ParamId,
    /// Share of value.
    pub duty_rate: ParamId,
    pub divert_share: ParamId,
    /// USD/truck.
    pub divert_cost: ParamId,
    /// `θ`, days; `None` = ∞.
    pub persistence: Option<ParamId>,
    /// Stream key of its daily arrivals.
    pub arrivals_key: u64,
}

/// When an event happens.
#[derive(Clone, Debug)]
pub enum Timing {
    /// One closure starting at `start` (day) and lasting `duration` (days).
    Fixed { start: ParamId, duration: ParamId },
    /// Closures start with probability `hazard` on each day of
    /// `[start, end)`, each lasting a fresh draw of `duration` (days).
    Recurrent {
        start: ParamId,
        end: usize,
        hazard: ParamId,
        duration: Box<Dist>,
    },
}

/// A closure event.
#[derive(Clone, Debug)]
pub struct Event {
    pub name: String,
    pub label: String,
    pub crossings: Vec<usize>,
    pub timing: Timing,
    pub probability: ParamId,
    pub open_fraction: ParamId,
    /// Extra days before reopening, per crossing index (absent: 0).
    pub stagger: Vec<(usize, ParamId)>,
    /// Stream key of its occurrence and recurrent timing draws.
    pub key: u64,
}

/// Policy levers (each `None` when off).
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// Green-lane capacity for perishables on closed days, trucks/day, per
    /// crossing index.
    pub green_lane: Vec<Option<ParamId>>,
    /// Surge after reopening per crossing: (extra trucks/day, days).
    pub surge: Vec<Option<(ParamId, ParamId)>>,
    /// Rerouting: per crossing, the crossing its trucks go to.
    pub reroute_via: Vec<Option<usize>>,
    /// Rerouting share and extra travel days.
    pub reroute: Option<(ParamId, ParamId)>,
    /// External route: (share, USD per truck, travel days).
    pub external_route: Option<(ParamId, ParamId, ParamId)>,
    /// Cold chain per commodity: (share refrigerated, shelf-life factor).
    pub cold_chain: Vec<Option<(ParamId, ParamId)>>,
    /// Cash support per crossing, USD per lost worker-day.
    pub cash_support: Vec<Option<ParamId>>,
}

/// A group of correlated uncertain inputs.
#[derive(Clone, Debug)]
pub struct Correlation {
    /// The inputs, in the order of the matrix.
    pub params: Vec<ParamId>,
    /// The target Spearman matrix, row by row.
    pub spearman: Vec<Vec<f64>>,
    /// The copula that imposes it on independent uniforms.
    pub copula: crate::uq::correlation::GaussianCopula,
}

/// A sweep stored in the scenario file: (path, values as TOML text).
#[derive(Clone, Debug, Default)]
pub struct SweepSpec {
    pub set: Vec<(String, Vec<String>)>,
    pub zip: bool,
    pub baseline: usize,
}

/// Trader behaviour shared by all flows.
#[derive(Clone, Debug)]
pub struct Traders {
    /// Deferred trucks return at this share of λ_f per day.
    pub deferred_return_share: ParamId,
    /// USD per queued truck per day.
    pub waiting_cost: ParamId,
}

/// The validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Where it came from (as the user named it, or `<bundled:NAME>`).
    pub file: String,
    /// The exact text it was parsed from (hashed into the manifest).
    pub source: String,
    pub meta: Meta,
    pub params: Vec<Param>,
    pub pkr_per_usd: Option<ParamId>,
    pub afn_per_usd: Option<ParamId>,
    pub traders: Traders,
    pub priority: Priority,
    pub policy: Policy,
    /// The scenario's `[sweep]` section, if any.
    pub sweep: Option<SweepSpec>,
    /// Rank-correlated groups of uncertain inputs.
    pub correlations: Vec<Correlation>,
    pub crossings: Vec<Crossing>,
    pub commodities: Vec<Commodity>,
    pub flows: Vec<Flow>,
    pub events: Vec<Event>,
    pub sources: BTreeMap<String, String>,
}

impl Scenario {
    /// Ids of the inputs that vary between replicates, in path order of
    /// declaration.
    pub fn uncertain_params(&self) -> impl Iterator<Item = (ParamId, &Param)> {
        self.params
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_uncertain())
            .map(|(i, p)| (ParamId(i as u32), p))
    }

    /// Looks a param up by its path.
    pub fn param_by_path(&self, path: &str) -> Option<ParamId> {
        self.params
            .iter()
            .position(|p| p.path == path)
            .map(|i| ParamId(i as u32))
    }
}
