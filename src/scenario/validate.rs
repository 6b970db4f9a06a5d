//! From [`RawScenario`] to a validated [`Scenario`]: every check happens
//! here, once, and every problem is reported with its field path.

use super::model::*;
use super::raw::*;
use crate::dist::{Dist, DistSpec};
use crate::rng::key_hash;
use std::collections::BTreeMap;

/// Largest horizon accepted, days (ten years).
pub const MAX_HORIZON_DAYS: i64 = 3650;
/// Largest replicate count accepted.
pub const MAX_REPLICATES: i64 = 100_000_000;
/// Largest number of flows.
pub const MAX_FLOWS: usize = 2_000;
/// Largest `horizon × flows` (the per-thread queue workspace scales with it).
pub const MAX_FLOW_DAYS: usize = 2_000_000;
/// Default master seed when the file gives none.
pub const DEFAULT_SEED: u64 = 20_251_012;
/// Default replicate count when the file gives none.
pub const DEFAULT_REPLICATES: u64 = 10_000;

/// Allowed range of a numeric field.
#[derive(Clone, Copy, Debug)]
enum Range {
    /// `x >= 0`.
    NonNeg,
    /// `0 <= x <= 1`.
    Share,
    /// `x > 0`.
    Positive,
    /// `x >= 1`.
    AtLeastOne,
    /// `0 < x <= 1`.
    PositiveShare,
}

impl Range {
    fn bounds(self) -> (f64, f64) {
        match self {
            Range::NonNeg | Range::Positive => (0.0, f64::INFINITY),
            Range::Share | Range::PositiveShare => (0.0, 1.0),
            Range::AtLeastOne => (1.0, f64::INFINITY),
        }
    }
    fn strictly_positive(self) -> bool {
        matches!(self, Range::Positive | Range::PositiveShare)
    }
}

/// A problem before positions are resolved: dotted path and message.
pub type Problem = (String, String);

struct Builder {
    params: Vec<Param>,
    problems: Vec<Problem>,
}

impl Builder {
    fn err(&mut self, path: impl Into<String>, msg: impl Into<String>) {
        self.problems.push((path.into(), msg.into()));
    }

    fn push(&mut self, path: &str, dist: Dist, unit: &'static str, given: bool) -> ParamId {
        let id = ParamId(self.params.len() as u32);
        self.params.push(Param {
            path: path.to_string(),
            dist,
            key: key_hash(path),
            unit,
            given,
        });
        id
    }

    /// Validates one distribution against its range; on error records it
    /// and substitutes a harmless constant so validation can go on.
    fn dist(&mut self, path: &str, spec: &DistSpec, range: Range) -> Dist {
        let dist = match Dist::from_spec(spec) {
            Ok(d) => d,
            Err(e) => {
                let full = if e.field.is_empty() {
                    path.to_string()
                } else {
                    format!("{path}.{}", e.field)
                };
                self.err(full, e.message);
                return Dist::constant(range.bounds().0.clamp(1e-9, 1.0));
            }
        };
        let (lo, hi) = range.bounds();
        if let Err(msg) = dist.check_range(lo, hi) {
            self.err(path, msg);
            return Dist::constant(lo.clamp(1e-9, 1.0));
        }
        if range.strictly_positive() && dist.support().0 <= 0.0 && dist.as_constant().is_some() {
            self.err(
                path,
                format!("must be greater than 0, got {}", dist.describe()),
            );
        }
        dist
    }

    fn param(&mut self, path: &str, spec: &DistSpec, range: Range, unit: &'static str) -> ParamId {
        let d = self.dist(path, spec, range);
        self.push(path, d, unit, true)
    }

    fn opt(
        &mut self,
        path: &str,
        spec: Option<&DistSpec>,
        default: f64,
        range: Range,
        unit: &'static str,
    ) -> ParamId {
        match spec {
            Some(s) => self.param(path, s, range, unit),
            None => self.push(path, Dist::constant(default), unit, false),
        }
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn check_names<T>(b: &mut Builder, section: &str, map: &BTreeMap<String, T>) {
    for name in map.keys() {
        if !valid_name(name) {
            b.err(
                format!("{section}.{name}"),
                "names may use only letters, digits, `_` and `-` (at most 64)",
            );
        }
    }
}

fn index_of(names: &BTreeMap<String, impl Sized>, name: &str) -> Option<usize> {
    names.keys().position(|k| k == name)
}

fn list_names<T>(map: &BTreeMap<String, T>) -> String {
    let v: Vec<&str> = map.keys().map(String::as_str).collect();
    if v.is_empty() {
        "none are defined".to_string()
    } else {
        format!("defined: {}", v.join(", "))
    }
}

/// Validates a raw scenario. `Err` holds every problem found.
pub fn validate(raw: &RawScenario, file: &str, source: &str) -> Result<Scenario, Vec<Problem>> {
    let mut b = Builder {
        params: Vec::new(),
        problems: Vec::new(),
    };

    // [scenario]
    let m = &raw.scenario;
    if !valid_name(&m.name) {
        b.err(
            "scenario.name",
            "use only letters, digits, `_` and `-` (at most 64)",
        );
    }
    if !(1..=MAX_HORIZON_DAYS).contains(&m.horizon_days) {
        b.err(
            "scenario.horizon_days",
            format!(
                "must be between 1 and {MAX_HORIZON_DAYS} days, got {}",
                m.horizon_days
            ),
        );
    }
    if let Some(n) = m.replicates
        && !(1..=MAX_REPLICATES).contains(&n)
    {
        b.err(
            "scenario.replicates",
            format!("must be between 1 and {MAX_REPLICATES}, got {n}"),
        );
    }
    if let Some(d) = &m.start_date
        && !is_iso_date(d)
    {
        b.err(
            "scenario.start_date",
            format!("expected a date as YYYY-MM-DD, got {d:?}"),
        );
    }
    let horizon = m.horizon_days.clamp(1, MAX_HORIZON_DAYS) as usize;

    // [exchange_rates]
    let pkr = raw
        .exchange_rates
        .pkr_per_usd
        .as_ref()
        .map(|s| b.param("exchange_rates.pkr_per_usd", s, Range::Positive, "PKR/USD"));
    let afn = raw
        .exchange_rates
        .afn_per_usd
        .as_ref()
        .map(|s| b.param("exchange_rates.afn_per_usd", s, Range::Positive, "AFN/USD"));

    // [traders]
    let t = &raw.traders;
    let persistence = t.dispatch_persistence_days.as_ref().map(|s| {
        b.param(
            "traders.dispatch_persistence_days",
            s,
            Range::Positive,
            "days",
        )
    });
    let divert_share = b.opt(
        "traders.divert_share",
        t.divert_share.as_ref(),
        0.0,
        Range::Share,
        "share",
    );
    let divert_cost = b.opt(
        "traders.divert_cost_usd_per_truck",
        t.divert_cost_usd_per_truck.as_ref(),
        0.0,
        Range::NonNeg,
        "USD/truck",
    );
    let deferred_return_share = b.opt(
        "traders.deferred_return_share_per_day",
        t.deferred_return_share_per_day.as_ref(),
        0.5,
        Range::Positive,
        "share of λ/day",
    );
    let waiting_cost = b.opt(
        "traders.waiting_cost_usd_per_truck_day",
        t.waiting_cost_usd_per_truck_day.as_ref(),
        0.0,
        Range::NonNeg,
        "USD/truck-day",
    );

    // [policy]
    let priority = match raw.policy.priority.as_deref() {
        None | Some("fifo") => Priority::Fifo,
        Some("perishables_first") => Priority::PerishablesFirst,
        Some(other) => {
            b.err(
                "policy.priority",
                format!("unknown priority {other:?}; expected \"fifo\" or \"perishables_first\""),
            );
            Priority::Fifo
        }
    };

    // [crossings.*]
    if raw.crossings.is_empty() {
        b.err(
            "crossings",
            "define at least one crossing, e.g. [crossings.torkham]",
        );
    }
    check_names(&mut b, "crossings", &raw.crossings);
    let mut crossings = Vec::new();
    for (name, c) in &raw.crossings {
        let p = |f: &str| format!("crossings.{name}.{f}");
        let wage_currency = match c.wage_currency.as_deref() {
            None | Some("USD") => Currency::Usd,
            Some("PKR") => Currency::Pkr,
            Some("AFN") => Currency::Afn,
            Some(o) => {
                b.err(
                    p("wage_currency"),
                    format!("unknown currency {o:?}; expected \"USD\", \"PKR\" or \"AFN\""),
                );
                Currency::Usd
            }
        };
        if wage_currency == Currency::Pkr && pkr.is_none() {
            b.err(
                p("wage_currency"),
                "wages in PKR need `exchange_rates.pkr_per_usd`",
            );
        }
        if wage_currency == Currency::Afn && afn.is_none() {
            b.err(
                p("wage_currency"),
                "wages in AFN need `exchange_rates.afn_per_usd`",
            );
        }
        crossings.push(Crossing {
            name: name.clone(),
            label: c.label.clone().unwrap_or_else(|| name.clone()),
            capacity: b.param(
                &p("max_trucks_per_day"),
                &c.max_trucks_per_day,
                Range::NonNeg,
                "trucks/day",
            ),
            workers: b.param(&p("workers"), &c.workers, Range::NonNeg, "workers"),
            wage: b.param(
                &p("wage_per_day"),
                &c.wage_per_day,
                Range::NonNeg,
                wage_currency.as_str(),
            ),
            wage_currency,
            alt_work_share: b.param(
                &p("alt_work_share"),
                &c.alt_work_share,
                Range::Share,
                "share",
            ),
            savings_days: b.dist(&p("savings_days"), &c.savings_days, Range::NonNeg),
            flows: Vec::new(),
        });
    }

    // [commodities.*]
    if raw.commodities.is_empty() {
        b.err(
            "commodities",
            "define at least one commodity, e.g. [commodities.tomatoes]",
        );
    }
    check_names(&mut b, "commodities", &raw.commodities);
    let mut commodities = Vec::new();
    for (name, g) in &raw.commodities {
        let p = |f: &str| format!("commodities.{name}.{f}");
        let shelf_life = match (g.perishable, &g.shelf_life_shape, &g.shelf_life_scale_days) {
            (true, Some(k), Some(s)) => Some((
                b.param(&p("shelf_life_shape"), k, Range::Positive, "Weibull shape"),
                b.param(&p("shelf_life_scale_days"), s, Range::Positive, "days"),
            )),
            (true, k, s) => {
                let missing = if k.is_none() {
                    "shelf_life_shape"
                } else {
                    "shelf_life_scale_days"
                };
                let _ = s;
                b.err(
                    p(missing),
                    "a perishable commodity needs `shelf_life_shape` and `shelf_life_scale_days`",
                );
                None
            }
            (false, None, None) => None,
            (false, k, _) => {
                let f = if k.is_some() {
                    "shelf_life_shape"
                } else {
                    "shelf_life_scale_days"
                };
                b.err(
                    p(f),
                    "shelf life is only used for perishables; set `perishable = true` or remove it",
                );
                None
            }
        };
        let elasticity = b.param(
            &p("demand_elasticity"),
            &g.demand_elasticity,
            Range::Positive,
            "magnitude",
        );
        let origin_elasticity = match &g.origin_elasticity {
            Some(s) => b.param(&p("origin_elasticity"), s, Range::Positive, "magnitude"),
            None => elasticity,
        };
        commodities.push(Commodity {
            name: name.clone(),
            label: g.label.clone().unwrap_or_else(|| name.clone()),
            perishable: g.perishable,
            shelf_life,
            import_share: b.param(&p("import_share"), &g.import_share, Range::Share, "share"),
            elasticity,
            inventory_days: b.param(
                &p("inventory_days"),
                &g.inventory_days,
                Range::NonNeg,
                "days",
            ),
            market_value: b.param(
                &p("market_value_usd_per_day"),
                &g.market_value_usd_per_day,
                Range::NonNeg,
                "USD/day",
            ),
            cpi_weight: b.param(&p("cpi_weight"), &g.cpi_weight, Range::Share, "share"),
            max_multiplier: b.param(
                &p("max_price_multiplier"),
                &g.max_price_multiplier,
                Range::AtLeastOne,
                "×",
            ),
            min_multiplier: b.opt(
                &p("min_price_multiplier"),
                g.min_price_multiplier.as_ref(),
                0.5,
                Range::PositiveShare,
                "×",
            ),
            substitute_share: b.opt(
                &p("substitute_share"),
                g.substitute_share.as_ref(),
                0.0,
                Range::Share,
                "share",
            ),
            substitute_lag: b.opt(
                &p("substitute_lag_days"),
                g.substitute_lag_days.as_ref(),
                0.0,
                Range::NonNeg,
                "days",
            ),
            substitute_ramp: b.opt(
                &p("substitute_ramp_days"),
                g.substitute_ramp_days.as_ref(),
                7.0,
                Range::NonNeg,
                "days",
            ),
            substitute_premium: b.opt(
                &p("substitute_premium"),
                g.substitute_premium.as_ref(),
                0.0,
                Range::NonNeg,
                "share of price",
            ),
            origin_export_share: b.opt(
                &p("origin_export_share"),
                g.origin_export_share.as_ref(),
                0.0,
                Range::Share,
                "share",
            ),
            origin_elasticity,
            origin_market_value: b.opt(
                &p("origin_market_value_usd_per_day"),
                g.origin_market_value_usd_per_day.as_ref(),
                0.0,
                Range::NonNeg,
                "USD/day",
            ),
            origin_min_multiplier: b.opt(
                &p("origin_min_price_multiplier"),
                g.origin_min_price_multiplier.as_ref(),
                0.3,
                Range::PositiveShare,
                "×",
            ),
            unsold_rot_share: b.opt(
                &p("unsold_rot_share"),
                g.unsold_rot_share.as_ref(),
                0.0,
                Range::Share,
                "share",
            ),
            direction: Direction::AfToPk,
            flows: Vec::new(),
        });
    }

    // [flows.*]
    if raw.flows.is_empty() {
        b.err(
            "flows",
            "define at least one flow, e.g. [flows.torkham_tomatoes]",
        );
    }
    if raw.flows.len() > MAX_FLOWS {
        b.err(
            "flows",
            format!(
                "at most {MAX_FLOWS} flows are supported, got {}",
                raw.flows.len()
            ),
        );
    }
    if raw.flows.len().saturating_mul(horizon) > MAX_FLOW_DAYS {
        b.err(
            "scenario.horizon_days",
            format!(
                "horizon × flows = {} exceeds {MAX_FLOW_DAYS}; shorten the horizon or merge flows",
                raw.flows.len() * horizon
            ),
        );
    }
    check_names(&mut b, "flows", &raw.flows);
    let mut flows = Vec::new();
    let mut commodity_dir: Vec<Option<(Direction, String)>> = vec![None; commodities.len()];
    for (name, f) in &raw.flows {
        let p = |x: &str| format!("flows.{name}.{x}");
        let crossing = index_of(&raw.crossings, &f.crossing);
        if crossing.is_none() {
            b.err(
                p("crossing"),
                format!(
                    "unknown crossing {:?} ({})",
                    f.crossing,
                    list_names(&raw.crossings)
                ),
            );
        }
        let commodity = index_of(&raw.commodities, &f.commodity);
        if commodity.is_none() {
            b.err(
                p("commodity"),
                format!(
                    "unknown commodity {:?} ({})",
                    f.commodity,
                    list_names(&raw.commodities)
                ),
            );
        }
        let direction = match f.direction.as_str() {
            "af_to_pk" => Direction::AfToPk,
            "pk_to_af" => Direction::PkToAf,
            o => {
                b.err(
                    p("direction"),
                    format!("unknown direction {o:?}; expected \"af_to_pk\" or \"pk_to_af\""),
                );
                Direction::AfToPk
            }
        };
        if let Some(g) = commodity {
            match &commodity_dir[g] {
                None => commodity_dir[g] = Some((direction, name.clone())),
                Some((d, other)) if *d != direction => b.err(
                    p("direction"),
                    format!(
                        "commodity {:?} already flows {} in flow {other:?}; a commodity has one destination market, so define one commodity per direction",
                        f.commodity,
                        d.as_str()
                    ),
                ),
                _ => {}
            }
        }
        let fl = Flow {
            name: name.clone(),
            crossing: crossing.unwrap_or(0),
            commodity: commodity.unwrap_or(0),
            direction,
            trucks_per_day: b.param(
                &p("trucks_per_day"),
                &f.trucks_per_day,
                Range::NonNeg,
                "trucks/day",
            ),
            value_per_truck: b.param(
                &p("value_usd_per_truck"),
                &f.value_usd_per_truck,
                Range::NonNeg,
                "USD/truck",
            ),
            tonnes_per_truck: b.param(
                &p("tonnes_per_truck"),
                &f.tonnes_per_truck,
                Range::NonNeg,
                "t/truck",
            ),
            duty_rate: b.param(&p("duty_rate"), &f.duty_rate, Range::Share, "share"),
            divert_share: match &f.divert_share {
                Some(s) => b.param(&p("divert_share"), s, Range::Share, "share"),
                None => divert_share,
            },
            divert_cost: match &f.divert_cost_usd_per_truck {
                Some(s) => b.param(
                    &p("divert_cost_usd_per_truck"),
                    s,
                    Range::NonNeg,
                    "USD/truck",
                ),
                None => divert_cost,
            },
            persistence: match &f.dispatch_persistence_days {
                Some(s) => {
                    Some(b.param(&p("dispatch_persistence_days"), s, Range::Positive, "days"))
                }
                None => persistence,
            },
            arrivals_key: key_hash(&p("arrivals")),
        };
        if let (Some(c), Some(g)) = (crossing, commodity) {
            crossings[c].flows.push(flows.len());
            commodities[g].flows.push(flows.len());
        }
        flows.push(fl);
    }
    for (g, dir) in commodity_dir.iter().enumerate() {
        match dir {
            Some((d, _)) => commodities[g].direction = *d,
            None if !commodities.is_empty() => {
                let n = &commodities[g].name;
                b.err(
                    format!("commodities.{n}"),
                    "no flow carries this commodity; remove it or add a flow",
                );
            }
            None => {}
        }
    }
    // CPI weights of one destination market cannot exceed 1 in total.
    for (market, market_name) in MARKETS.iter().enumerate() {
        let total: f64 = commodities
            .iter()
            .filter(|g| g.direction.market_ix() == market && !g.flows.is_empty())
            .map(|g| b.params[g.cpi_weight.ix()].dist.support().1)
            .sum();
        if total > 1.0 + 1e-9 {
            let last = commodities
                .iter()
                .rfind(|g| g.direction.market_ix() == market && !g.flows.is_empty())
                .map(|g| g.name.clone())
                .unwrap_or_default();
            b.err(
                format!("commodities.{last}.cpi_weight"),
                format!(
                    "CPI weights of the commodities imported into {} add up to {:.4} (largest values), more than 1",
                    market_name, total
                ),
            );
        }
    }

    let policy = validate_policy(&mut b, raw, &crossings, &commodities);
    let sweep = raw.sweep.as_ref().map(|sw| {
        if sw.set.is_empty() {
            b.err(
                "sweep.set",
                "a sweep needs at least one `\"path\" = [values]`",
            );
        }
        let set: Vec<(String, Vec<String>)> = sw
            .set
            .iter()
            .map(|(k, vals)| (k.clone(), vals.iter().map(|v| v.to_string()).collect()))
            .collect();
        for (k, vals) in &set {
            if vals.is_empty() {
                b.err(format!("sweep.set.{k}"), "give at least one value");
            }
        }
        let points = if sw.zip {
            set.first().map_or(0, |(_, v)| v.len())
        } else {
            set.iter().map(|(_, v)| v.len()).product()
        };
        if sw.zip && set.iter().any(|(_, v)| v.len() != points) {
            b.err(
                "sweep.zip",
                "zipped sweep values must all have the same length",
            );
        }
        if sw.baseline >= points.max(1) {
            b.err(
                "sweep.baseline",
                format!("must be below the number of sweep points ({points})"),
            );
        }
        SweepSpec {
            set,
            zip: sw.zip,
            baseline: sw.baseline,
        }
    });

    // [events.*]
    check_names(&mut b, "events", &raw.events);
    let mut events = Vec::new();
    for (name, e) in &raw.events {
        let p = |x: &str| format!("events.{name}.{x}");
        let mut ecross = Vec::new();
        if e.crossings.is_empty() {
            b.err(p("crossings"), "an event must close at least one crossing");
        }
        for (i, c) in e.crossings.iter().enumerate() {
            match index_of(&raw.crossings, c) {
                Some(ix) if ecross.contains(&ix) => b.err(
                    format!("{}.{i}", p("crossings")),
                    format!("crossing {c:?} is listed twice"),
                ),
                Some(ix) => ecross.push(ix),
                None => b.err(
                    format!("{}.{i}", p("crossings")),
                    format!("unknown crossing {c:?} ({})", list_names(&raw.crossings)),
                ),
            }
        }
        let probability = b.opt(
            &p("probability"),
            e.probability.as_ref(),
            1.0,
            Range::Share,
            "probability",
        );
        let open_fraction = b.opt(
            &p("open_fraction"),
            e.open_fraction.as_ref(),
            0.0,
            Range::Share,
            "share",
        );
        let start = b.opt(
            &p("start_day"),
            e.start_day.as_ref(),
            0.0,
            Range::NonNeg,
            "day",
        );
        let timing = match e.timing.as_deref() {
            None | Some("fixed") => {
                if e.daily_hazard.is_some() {
                    b.err(
                        p("daily_hazard"),
                        "`daily_hazard` is for `timing = \"recurrent\"` events",
                    );
                }
                if e.end_day.is_some() {
                    b.err(
                        p("end_day"),
                        "`end_day` is for `timing = \"recurrent\"` events",
                    );
                }
                Timing::Fixed {
                    start,
                    duration: b.param(&p("duration_days"), &e.duration_days, Range::NonNeg, "days"),
                }
            }
            Some("recurrent") => {
                let hazard = match &e.daily_hazard {
                    Some(h) => b.param(&p("daily_hazard"), h, Range::Share, "probability/day"),
                    None => {
                        b.err(p("daily_hazard"), "a recurrent event needs `daily_hazard` (probability per day that a closure starts)");
                        b.push(
                            &p("daily_hazard"),
                            Dist::constant(0.0),
                            "probability/day",
                            false,
                        )
                    }
                };
                let end = match e.end_day {
                    None => horizon,
                    Some(d) if d >= 0 && d as usize <= horizon => d as usize,
                    Some(d) => {
                        b.err(
                            p("end_day"),
                            format!("must be between 0 and the horizon ({horizon}), got {d}"),
                        );
                        horizon
                    }
                };
                Timing::Recurrent {
                    start,
                    end,
                    hazard,
                    duration: Box::new(b.dist(
                        &p("duration_days"),
                        &e.duration_days,
                        Range::NonNeg,
                    )),
                }
            }
            Some(o) => {
                b.err(
                    p("timing"),
                    format!("unknown timing {o:?}; expected \"fixed\" or \"recurrent\""),
                );
                Timing::Fixed {
                    start,
                    duration: start,
                }
            }
        };
        let mut stagger = Vec::new();
        for (c, spec) in &e.reopen_stagger_days {
            let path = format!("{}.{c}", p("reopen_stagger_days"));
            match index_of(&raw.crossings, c) {
                Some(ix) if ecross.contains(&ix) => {
                    stagger.push((ix, b.param(&path, spec, Range::NonNeg, "days")));
                }
                _ => b.err(
                    path,
                    format!(
                        "crossing {c:?} is not among this event's crossings {:?}",
                        e.crossings
                    ),
                ),
            }
        }
        events.push(Event {
            name: name.clone(),
            label: e.label.clone().unwrap_or_else(|| name.clone()),
            crossings: ecross,
            timing,
            probability,
            open_fraction,
            stagger,
            key: key_hash(&format!("events.{name}")),
        });
    }

    let correlations = validate_correlations(&mut b, raw);

    if !b.problems.is_empty() {
        return Err(b.problems);
    }
    Ok(Scenario {
        file: file.to_string(),
        source: source.to_string(),
        meta: Meta {
            name: m.name.clone(),
            title: m.title.clone().unwrap_or_else(|| m.name.clone()),
            description: m.description.clone().unwrap_or_default(),
            start_date: m.start_date.clone(),
            horizon,
            seed: m.seed.unwrap_or(DEFAULT_SEED),
            replicates: m.replicates.map_or(DEFAULT_REPLICATES, |n| n as u64),
            arrival_noise: m.arrival_noise.unwrap_or(true),
        },
        params: b.params,
        pkr_per_usd: pkr,
        afn_per_usd: afn,
        traders: Traders {
            deferred_return_share,
            waiting_cost,
        },
        priority,
        policy,
        sweep,
        correlations,
        crossings,
        commodities,
        flows,
        events,
        sources: raw.sources.clone(),
    })
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    matches!((num(0..4), num(5..7), num(8..10)), (Some(_), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d))
}

/// Resolves a list of crossing names (default: all) into a per-crossing
/// flag vector.
fn crossing_set(
    b: &mut Builder,
    path: &str,
    names: Option<&Vec<String>>,
    crossings: &[Crossing],
) -> Vec<bool> {
    match names {
        None => vec![true; crossings.len()],
        Some(list) => {
            let mut on = vec![false; crossings.len()];
            for (i, n) in list.iter().enumerate() {
                match crossings.iter().position(|c| &c.name == n) {
                    Some(ix) => on[ix] = true,
                    None => b.err(format!("{path}.{i}"), format!("unknown crossing {n:?}")),
                }
            }
            on
        }
    }
}

fn validate_policy(
    b: &mut Builder,
    raw: &RawScenario,
    crossings: &[Crossing],
    commodities: &[Commodity],
) -> Policy {
    let p = &raw.policy;
    let nc = crossings.len();
    let mut pol = Policy {
        green_lane: vec![None; nc],
        surge: vec![None; nc],
        reroute_via: vec![None; nc],
        reroute: None,
        external_route: None,
        cold_chain: vec![None; commodities.len()],
        cash_support: vec![None; nc],
    };
    if let Some(g) = &p.green_lane {
        let id = b.param(
            "policy.green_lane.trucks_per_day",
            &g.trucks_per_day,
            Range::NonNeg,
            "trucks/day",
        );
        for (c, on) in crossing_set(
            b,
            "policy.green_lane.crossings",
            g.crossings.as_ref(),
            crossings,
        )
        .into_iter()
        .enumerate()
        {
            if on {
                pol.green_lane[c] = Some(id);
            }
        }
    }
    if let Some(s) = &p.surge {
        let extra = b.param(
            "policy.surge.extra_trucks_per_day",
            &s.extra_trucks_per_day,
            Range::NonNeg,
            "trucks/day",
        );
        let days = b.param("policy.surge.days", &s.days, Range::NonNeg, "days");
        for (c, on) in crossing_set(b, "policy.surge.crossings", s.crossings.as_ref(), crossings)
            .into_iter()
            .enumerate()
        {
            if on {
                pol.surge[c] = Some((extra, days));
            }
        }
    }
    if let Some(r) = &p.reroute {
        pol.reroute = Some((
            b.param("policy.reroute.share", &r.share, Range::Share, "share"),
            b.param(
                "policy.reroute.extra_days",
                &r.extra_days,
                Range::NonNeg,
                "days",
            ),
        ));
        if r.via.is_empty() {
            b.err(
                "policy.reroute.via",
                "name at least one pair, e.g. via = { torkham = \"chaman\" }",
            );
        }
        for (from, to) in &r.via {
            let path = format!("policy.reroute.via.{from}");
            let f = crossings.iter().position(|c| &c.name == from);
            let t = crossings.iter().position(|c| &c.name == to);
            match (f, t) {
                (None, _) => b.err(path, format!("unknown crossing {from:?}")),
                (_, None) => b.err(path, format!("unknown crossing {to:?}")),
                (Some(f), Some(t)) if f == t => b.err(path, "a crossing cannot reroute to itself"),
                (Some(f), Some(t)) => pol.reroute_via[f] = Some(t),
            }
        }
    }
    if let Some(e) = &p.external_route {
        pol.external_route = Some((
            b.param(
                "policy.external_route.share",
                &e.share,
                Range::Share,
                "share",
            ),
            b.param(
                "policy.external_route.cost_usd_per_truck",
                &e.cost_usd_per_truck,
                Range::NonNeg,
                "USD/truck",
            ),
            b.param("policy.external_route.days", &e.days, Range::NonNeg, "days"),
        ));
    }
    if let Some(cc) = &p.cold_chain {
        let share = b.param("policy.cold_chain.share", &cc.share, Range::Share, "share");
        let mult = b.param(
            "policy.cold_chain.shelf_life_multiplier",
            &cc.shelf_life_multiplier,
            Range::AtLeastOne,
            "×",
        );
        match &cc.commodities {
            None => {
                for (g, cm) in commodities.iter().enumerate() {
                    if cm.perishable {
                        pol.cold_chain[g] = Some((share, mult));
                    }
                }
            }
            Some(list) => {
                for (i, n) in list.iter().enumerate() {
                    let path = format!("policy.cold_chain.commodities.{i}");
                    match commodities.iter().position(|g| &g.name == n) {
                        Some(g) if commodities[g].perishable => {
                            pol.cold_chain[g] = Some((share, mult))
                        }
                        Some(_) => b.err(path, format!("commodity {n:?} is not perishable")),
                        None => b.err(path, format!("unknown commodity {n:?}")),
                    }
                }
            }
        }
    }
    if let Some(cs) = &p.cash_support {
        let id = b.param(
            "policy.cash_support.usd_per_worker_day",
            &cs.usd_per_worker_day,
            Range::NonNeg,
            "USD/worker-day",
        );
        for (c, on) in crossing_set(
            b,
            "policy.cash_support.crossings",
            cs.crossings.as_ref(),
            crossings,
        )
        .into_iter()
        .enumerate()
        {
            if on {
                pol.cash_support[c] = Some(id);
            }
        }
    }
    pol
}

fn validate_correlations(b: &mut Builder, raw: &RawScenario) -> Vec<Correlation> {
    use crate::uq::Matrix;
    use crate::uq::correlation::{CorrError, GaussianCopula, validate_correlation};
    let mut out = Vec::new();
    let mut seen: Vec<ParamId> = Vec::new();
    for (g, c) in raw.correlations.iter().enumerate() {
        let p = |f: &str| format!("correlations.{g}.{f}");
        let mut params = Vec::new();
        for (i, path) in c.inputs.iter().enumerate() {
            let here = format!("{}.{i}", p("inputs"));
            match b.params.iter().position(|q| &q.path == path) {
                None => b.err(here, format!("no input `{path}` in this scenario")),
                Some(ix) if b.params[ix].dist.as_constant().is_some() => b.err(
                    here,
                    format!("`{path}` is a constant; only uncertain inputs can be correlated"),
                ),
                Some(ix) => {
                    let id = ParamId(ix as u32);
                    if seen.contains(&id) || params.contains(&id) {
                        b.err(
                            here,
                            format!("`{path}` appears in more than one correlation"),
                        );
                    }
                    params.push(id);
                }
            }
        }
        let d = c.inputs.len();
        if !(2..=64).contains(&d) {
            b.err(
                p("inputs"),
                "a correlation group needs between 2 and 64 inputs",
            );
            continue;
        }
        if c.spearman.len() != d || c.spearman.iter().any(|r| r.len() != d) {
            b.err(
                p("spearman"),
                format!("must be a {d} × {d} matrix, one row per input"),
            );
            continue;
        }
        let flat: Vec<f64> = c.spearman.iter().flatten().copied().collect();
        let m = Matrix::from_vec(d, d, flat);
        let checked = validate_correlation(&m).and_then(|_| GaussianCopula::new(&m));
        match checked {
            Err(e) => {
                let at = match &e {
                    CorrError::Diagonal { i, .. } => format!("{}.{i}.{i}", p("spearman")),
                    CorrError::NotFinite { i, j }
                    | CorrError::OutOfRange { i, j, .. }
                    | CorrError::NotSymmetric { i, j, .. } => format!("{}.{i}.{j}", p("spearman")),
                    _ => p("spearman"),
                };
                b.err(at, e.to_string());
            }
            Ok(copula) if params.len() == d => {
                seen.extend(&params);
                out.push(Correlation {
                    params,
                    spearman: c.spearman.clone(),
                    copula,
                });
            }
            Ok(_) => {}
        }
    }
    out
}
