//! The scenario file as written: serde types that mirror the TOML one to one.
//!
//! Nothing here is validated beyond types and field names
//! (`deny_unknown_fields` everywhere); [`super::validate`] turns a
//! [`RawScenario`] into a checked [`super::Scenario`]. Every numeric input is a
//! [`DistSpec`]: a bare number or a one-key distribution table. Units are in
//! the field names; `docs/scenario-reference.md` documents every field and is
//! tested against [`FIELDS`](super::reference::FIELDS).

use crate::dist::DistSpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole scenario file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawMeta,
    #[serde(default)]
    pub exchange_rates: RawExchangeRates,
    #[serde(default)]
    pub traders: RawTraders,
    #[serde(default)]
    pub policy: RawPolicy,
    pub crossings: BTreeMap<String, RawCrossing>,
    pub commodities: BTreeMap<String, RawCommodity>,
    pub flows: BTreeMap<String, RawFlow>,
    #[serde(default)]
    pub events: BTreeMap<String, RawEvent>,
    /// Citations: short key → full reference, shown in reports.
    #[serde(default)]
    pub sources: BTreeMap<String, String>,
    /// A stored parameter sweep.
    #[serde(default)]
    pub sweep: Option<RawSweep>,
    /// Rank correlations between uncertain inputs (`[[correlations]]`).
    #[serde(default)]
    pub correlations: Vec<RawCorrelation>,
}

/// `[[correlations]]`: a group of uncertain inputs with a target Spearman
/// rank-correlation matrix, imposed with a Gaussian copula.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrelation {
    /// Field paths of uncertain inputs, e.g.
    /// `"events.october_2025_closure.duration_days"`.
    pub inputs: Vec<String>,
    /// Spearman rank correlations, one row per input (symmetric, unit
    /// diagonal, positive semi-definite).
    pub spearman: Vec<Vec<f64>>,
}

/// `[scenario]`: identity and run settings.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    /// Short machine name (letters, digits, `-`, `_`).
    pub name: String,
    /// One-line human title.
    #[serde(default)]
    pub title: Option<String>,
    /// A paragraph describing the scenario.
    #[serde(default)]
    pub description: Option<String>,
    /// Calendar date of day 0, `YYYY-MM-DD` (labels and season only).
    #[serde(default)]
    pub start_date: Option<String>,
    /// Number of simulated days `H`.
    pub horizon_days: i64,
    /// Master seed of the random streams.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Default replicate count (overridden by `-n`).
    #[serde(default)]
    pub replicates: Option<i64>,
    /// Poisson noise on daily arrivals (`false`: exactly λ per day).
    #[serde(default)]
    pub arrival_noise: Option<bool>,
}

/// `[exchange_rates]`: conversions for inputs given in local currency.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawExchangeRates {
    /// Pakistani rupees per US dollar.
    #[serde(default)]
    pub pkr_per_usd: Option<DistSpec>,
    /// Afghan afghanis per US dollar.
    #[serde(default)]
    pub afn_per_usd: Option<DistSpec>,
}

/// `[traders]`: how traders respond to a closure (defaults for every flow).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTraders {
    /// θ, days: dispatch during a closure decays as `exp(-τ/θ)`. Omit for
    /// θ = ∞ (every truck keeps coming and queues).
    #[serde(default)]
    pub dispatch_persistence_days: Option<DistSpec>,
    /// Share of demand not dispatched that goes by another route.
    #[serde(default)]
    pub divert_share: Option<DistSpec>,
    /// Extra cost of the other route, USD per truck.
    #[serde(default)]
    pub divert_cost_usd_per_truck: Option<DistSpec>,
    /// Deferred trucks come back after reopening at this share of the flow's
    /// normal daily rate, on top of it (e.g. 0.5 = 50% extra traffic).
    #[serde(default)]
    pub deferred_return_share_per_day: Option<DistSpec>,
    /// Demurrage, detention, driver and vehicle costs, USD per queued truck
    /// per day.
    #[serde(default)]
    pub waiting_cost_usd_per_truck_day: Option<DistSpec>,
}

/// `[policy]`: policy levers. Every lever is off unless its table is given.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// `"fifo"` (default) or `"perishables_first"` (perishable trucks are
    /// served before others at every crossing).
    #[serde(default)]
    pub priority: Option<String>,
    /// A green lane: extra capacity for perishable trucks while a crossing
    /// is closed or partly closed.
    #[serde(default)]
    pub green_lane: Option<RawGreenLane>,
    /// Extra capacity for some days after each reopening.
    #[serde(default)]
    pub surge: Option<RawSurge>,
    /// Rerouting undispatched trucks to another crossing of the scenario.
    #[serde(default)]
    pub reroute: Option<RawReroute>,
    /// An external route (e.g. via Iran) for undispatched trucks.
    #[serde(default)]
    pub external_route: Option<RawExternalRoute>,
    /// Cold chain for a share of perishable cargo.
    #[serde(default)]
    pub cold_chain: Option<RawColdChain>,
    /// Cash transfers to workers for lost workdays.
    #[serde(default)]
    pub cash_support: Option<RawCashSupport>,
}

/// `[policy.green_lane]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGreenLane {
    /// Perishable trucks per day the green lane clears on a day the crossing
    /// is not fully open (on top of `open_fraction × max_trucks_per_day`).
    pub trucks_per_day: DistSpec,
    /// Crossings with a green lane (default: all).
    #[serde(default)]
    pub crossings: Option<Vec<String>>,
}

/// `[policy.surge]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSurge {
    /// Extra trucks per day cleared after a reopening.
    pub extra_trucks_per_day: DistSpec,
    /// Days the surge lasts after each reopening.
    pub days: DistSpec,
    /// Crossings with surge capacity (default: all).
    #[serde(default)]
    pub crossings: Option<Vec<String>>,
}

/// `[policy.reroute]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawReroute {
    /// Where trucks of a closed crossing go: crossing name → other crossing.
    pub via: BTreeMap<String, String>,
    /// Share of undispatched demand rerouted.
    pub share: DistSpec,
    /// Extra travel days, counted towards spoilage.
    pub extra_days: DistSpec,
}

/// `[policy.external_route]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawExternalRoute {
    /// Share of undispatched demand (after rerouting) sent by the route.
    pub share: DistSpec,
    /// Extra cost, USD per truck.
    pub cost_usd_per_truck: DistSpec,
    /// Travel days, counted towards spoilage.
    pub days: DistSpec,
}

/// `[policy.cold_chain]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawColdChain {
    /// Share of perishable cargo carried refrigerated.
    pub share: DistSpec,
    /// Factor on the shelf-life scale for refrigerated cargo (≥ 1).
    pub shelf_life_multiplier: DistSpec,
    /// Commodities covered (default: all perishables).
    #[serde(default)]
    pub commodities: Option<Vec<String>>,
}

/// `[policy.cash_support]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCashSupport {
    /// Transfer per lost worker-day, USD.
    pub usd_per_worker_day: DistSpec,
    /// Crossings whose workers receive it (default: all).
    #[serde(default)]
    pub crossings: Option<Vec<String>>,
}

/// `[sweep]`: a parameter sweep stored with the scenario (used by
/// `bordersim sweep`; `run` ignores it).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSweep {
    /// Field path → values (numbers or distribution tables).
    pub set: BTreeMap<String, Vec<toml::Value>>,
    /// Pair values position by position instead of a cartesian grid.
    #[serde(default)]
    pub zip: bool,
    /// Index of the baseline point (default 0).
    #[serde(default)]
    pub baseline: usize,
}

/// `[crossings.NAME]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCrossing {
    /// Display name.
    #[serde(default)]
    pub label: Option<String>,
    /// `K_c`, trucks per day cleared on a fully open day (surge capacity).
    pub max_trucks_per_day: DistSpec,
    /// `W_c`, daily-wage workers whose work is proportional to trucks handled.
    pub workers: DistSpec,
    /// `w_c`, wage per worker-day, in `wage_currency`.
    pub wage_per_day: DistSpec,
    /// `"USD"` (default), `"PKR"` or `"AFN"`.
    #[serde(default)]
    pub wage_currency: Option<String>,
    /// `a_c`, share of a lost workday recovered in other work.
    pub alt_work_share: DistSpec,
    /// Savings of a worker in days of wages: the spread ACROSS workers (a
    /// population distribution, not one uncertain number).
    pub savings_days: DistSpec,
}

/// `[commodities.NAME]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCommodity {
    #[serde(default)]
    pub label: Option<String>,
    /// Whether waiting spoils the cargo.
    pub perishable: bool,
    /// `k_g`, Weibull shape of shelf life (1 = exponential).
    #[serde(default)]
    pub shelf_life_shape: Option<DistSpec>,
    /// `s_g`, Weibull scale of shelf life, days.
    #[serde(default)]
    pub shelf_life_scale_days: Option<DistSpec>,
    /// `m_g`, share of the destination market's supply that comes through
    /// the scenario's crossings.
    pub import_share: DistSpec,
    /// `ε_g`, own-price elasticity of demand, magnitude (> 0).
    pub demand_elasticity: DistSpec,
    /// `B_g`, destination stocks in days of normal crossing-borne supply.
    pub inventory_days: DistSpec,
    /// Whole destination market's consumer spending, USD per day.
    pub market_value_usd_per_day: DistSpec,
    /// Weight in the destination country's CPI.
    pub cpi_weight: DistSpec,
    /// Cap on the price multiplier.
    pub max_price_multiplier: DistSpec,
    /// Floor on the price multiplier when backlog floods the market
    /// (default 0.5).
    #[serde(default)]
    pub min_price_multiplier: Option<DistSpec>,
    /// `r_g`, share of the crossing-borne shortfall other sources replace
    /// once they have ramped in (default 0).
    #[serde(default)]
    pub substitute_share: Option<DistSpec>,
    /// `L_g`, days before substitutes start arriving (default 0).
    #[serde(default)]
    pub substitute_lag_days: Option<DistSpec>,
    /// Days over which substitutes ramp linearly to `r_g` (default 7).
    #[serde(default)]
    pub substitute_ramp_days: Option<DistSpec>,
    /// Extra price of substitute supply, share of the normal price
    /// (default 0).
    #[serde(default)]
    pub substitute_premium: Option<DistSpec>,
    /// `m'_g`, share of the origin market's supply exported through the
    /// crossings (default 0: no glut effect).
    #[serde(default)]
    pub origin_export_share: Option<DistSpec>,
    /// `ε'_g`, origin-market demand elasticity, magnitude (default: ε_g).
    #[serde(default)]
    pub origin_elasticity: Option<DistSpec>,
    /// Origin producers' sales, USD per day (default 0).
    #[serde(default)]
    pub origin_market_value_usd_per_day: Option<DistSpec>,
    /// Floor on the origin price multiplier (default 0.3).
    #[serde(default)]
    pub origin_min_price_multiplier: Option<DistSpec>,
    /// Share of forgone (undispatched, perishable) cargo that rots unsold in
    /// the origin market (default 0).
    #[serde(default)]
    pub unsold_rot_share: Option<DistSpec>,
}

/// `[flows.NAME]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFlow {
    /// Name of a crossing.
    pub crossing: String,
    /// `"af_to_pk"` or `"pk_to_af"`.
    pub direction: String,
    /// Name of a commodity.
    pub commodity: String,
    /// `λ_f`, loaded trucks per day in normal times.
    pub trucks_per_day: DistSpec,
    /// `v_f`, cargo value, USD per truck.
    pub value_usd_per_truck: DistSpec,
    /// Cargo, tonnes per truck.
    pub tonnes_per_truck: DistSpec,
    /// Customs duty and taxes, share of cargo value.
    pub duty_rate: DistSpec,
    /// Overrides `traders.divert_share` for this flow.
    #[serde(default)]
    pub divert_share: Option<DistSpec>,
    /// Overrides `traders.divert_cost_usd_per_truck` for this flow.
    #[serde(default)]
    pub divert_cost_usd_per_truck: Option<DistSpec>,
    /// Overrides `traders.dispatch_persistence_days` for this flow.
    #[serde(default)]
    pub dispatch_persistence_days: Option<DistSpec>,
}

/// `[events.NAME]`: a closure.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    #[serde(default)]
    pub label: Option<String>,
    /// Names of the crossings it closes.
    pub crossings: Vec<String>,
    /// `"fixed"` (default) or `"recurrent"`.
    #[serde(default)]
    pub timing: Option<String>,
    /// Probability that the event happens in a replicate (default 1).
    #[serde(default)]
    pub probability: Option<DistSpec>,
    /// Fixed timing: first closed day (default 0). Recurrent: first day
    /// closures may start (default 0).
    #[serde(default)]
    pub start_day: Option<DistSpec>,
    /// Recurrent timing: last day closures may start (default: horizon).
    #[serde(default)]
    pub end_day: Option<i64>,
    /// Length of the closure, days. Fractional days close the last day
    /// partly. For recurrent events, drawn anew for every occurrence.
    pub duration_days: DistSpec,
    /// Recurrent timing: daily probability that a closure starts.
    #[serde(default)]
    pub daily_hazard: Option<DistSpec>,
    /// Open fraction while the event lasts (default 0: fully closed).
    #[serde(default)]
    pub open_fraction: Option<DistSpec>,
    /// Extra days before a crossing reopens, per crossing name.
    #[serde(default)]
    pub reopen_stagger_days: BTreeMap<String, DistSpec>,
}
