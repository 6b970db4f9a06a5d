//! The outcome metrics of one replicate: names, units, scopes and their
//! position in the per-replicate row. The layout is fixed by the scenario
//! (number of crossings, commodities, markets), built once, and shared by
//! the engine (which writes rows) and the exporters (which name columns).

use crate::scenario::{MARKETS, Scenario};

/// What a metric row describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The whole scenario.
    Total,
    /// One crossing (index).
    Crossing(usize),
    /// One commodity (index).
    Commodity(usize),
    /// One importing market (0 = Pakistan, 1 = Afghanistan).
    Market(usize),
}

impl Scope {
    /// `total`, `crossing`, `commodity` or `market`.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Total => "total",
            Scope::Crossing(_) => "crossing",
            Scope::Commodity(_) => "commodity",
            Scope::Market(_) => "market",
        }
    }
}

/// One metric of the layout.
#[derive(Clone, Debug)]
pub struct MetricDef {
    /// Metric name, e.g. `spoiled_value_usd`.
    pub name: &'static str,
    pub scope: Scope,
    /// Name of the crossing/commodity/market, or `all`.
    pub entity: String,
    pub unit: &'static str,
}

impl MetricDef {
    /// Column name in `replicates.csv`: `total.direct_loss_usd`,
    /// `crossing.torkham.lost_wages_usd`, …
    pub fn column(&self) -> String {
        match self.scope {
            Scope::Total => format!("total.{}", self.name),
            _ => format!("{}.{}.{}", self.scope.kind(), self.entity, self.name),
        }
    }
}

/// Metrics reported per crossing and in total: (name, unit, description).
pub const CROSSING_METRICS: &[(&str, &str, &str)] = &[
    (
        "days_closed",
        "days",
        "days with open fraction below 1 (total: days any crossing was)",
    ),
    (
        "trade_value_delayed_usd",
        "USD",
        "cargo value that waited at least a day, was deferred, or is stranded",
    ),
    (
        "trade_value_forgone_usd",
        "USD",
        "value of perishable cargo never dispatched",
    ),
    (
        "trucks_forgone",
        "trucks",
        "perishable trucks never dispatched",
    ),
    ("trucks_diverted", "trucks", "trucks sent by another route"),
    ("diversion_cost_usd", "USD", "extra cost of the other route"),
    (
        "waiting_cost_usd",
        "USD",
        "queued truck-days × waiting cost",
    ),
    (
        "spoiled_value_usd",
        "USD",
        "cargo value spoiled while waiting",
    ),
    ("spoiled_tonnes", "t", "cargo tonnes spoiled while waiting"),
    (
        "trucks_stranded",
        "trucks",
        "trucks still queued at the horizon",
    ),
    (
        "peak_backlog_trucks",
        "trucks",
        "largest end-of-day queue (total: of the sum)",
    ),
    (
        "days_to_clear",
        "days",
        "open days after the last reopening until the queue is empty (total: the longest)",
    ),
    (
        "lost_person_days",
        "person-days",
        "W·(1−u) summed over days",
    ),
    (
        "lost_wages_usd",
        "USD",
        "lost person-days × wage × (1 − alternative-work share)",
    ),
    (
        "workers_exhausting_savings",
        "workers",
        "expected workers whose uncovered lost days exceed their savings",
    ),
    (
        "customs_revenue_lost_usd",
        "USD",
        "duty on forgone value (a transfer, not in direct loss)",
    ),
    (
        "customs_revenue_delayed_usd",
        "USD",
        "duty on deferred value",
    ),
    (
        "longest_closure_days",
        "days",
        "longest run of consecutive days with open fraction below 1 (total: with any crossing closed)",
    ),
    (
        "trucks_rerouted",
        "trucks",
        "trucks sent to another crossing (policy.reroute)",
    ),
    (
        "trucks_external_route",
        "trucks",
        "trucks sent by the external route (policy.external_route)",
    ),
    (
        "external_route_cost_usd",
        "USD",
        "extra cost of the external route",
    ),
    (
        "cash_support_cost_usd",
        "USD",
        "transfers to workers (policy.cash_support; a transfer, not in direct loss)",
    ),
];

/// Metrics reported per commodity and in total.
pub const COMMODITY_METRICS: &[(&str, &str, &str)] = &[
    (
        "consumer_cost_usd",
        "USD",
        "Σ (M−1)·market value + substitute premium (signed: floods after reopening count as gains)",
    ),
    (
        "consumer_extra_spending_usd",
        "USD",
        "Σ max(M−1, 0)·market value + substitute premium (the part in direct loss)",
    ),
    (
        "producer_glut_loss_usd",
        "USD",
        "origin price fall on sales + forgone cargo rotting unsold",
    ),
    (
        "commodity_spoiled_value_usd",
        "USD",
        "cargo value spoiled while waiting",
    ),
    (
        "commodity_spoiled_tonnes",
        "t",
        "cargo tonnes spoiled while waiting",
    ),
];

/// Metrics reported per commodity only.
pub const PRICE_METRICS: &[(&str, &str, &str)] = &[
    (
        "peak_price_multiplier",
        "×",
        "largest daily price multiplier M",
    ),
    ("mean_price_multiplier", "×", "mean of M over the horizon"),
];

/// Metrics reported per importing market.
pub const MARKET_METRICS: &[(&str, &str, &str)] = &[
    (
        "cpi_contribution_peak",
        "share",
        "largest daily Σ cpi_weight·(M−1)",
    ),
    (
        "cpi_contribution_mean",
        "share",
        "mean of the daily Σ cpi_weight·(M−1)",
    ),
];

/// The direct loss (total only).
pub const DIRECT_LOSS: (&str, &str, &str) = (
    "direct_loss_usd",
    "USD",
    "spoiled + waiting + diversion + external route + lost wages + producers' glut + consumers' extra spending",
);

/// Positions of every metric in a replicate's row.
#[derive(Clone, Debug)]
pub struct Layout {
    pub defs: Vec<MetricDef>,
    nc: usize,
    ng: usize,
    crossing_base: Vec<usize>,
    commodity_base: Vec<usize>,
    price_base: Vec<usize>,
    market_base: Vec<usize>,
    direct_loss: usize,
}

impl Layout {
    pub fn new(s: &Scenario) -> Self {
        let mut defs = Vec::new();
        let (nc, ng) = (s.crossings.len(), s.commodities.len());
        let push = |defs: &mut Vec<MetricDef>, name, scope, entity: &str, unit| {
            defs.push(MetricDef {
                name,
                scope,
                entity: entity.to_string(),
                unit,
            })
        };
        let direct_loss = defs.len();
        push(&mut defs, DIRECT_LOSS.0, Scope::Total, "all", DIRECT_LOSS.1);
        let mut crossing_base = Vec::new();
        for &(name, unit, _) in CROSSING_METRICS {
            crossing_base.push(defs.len());
            push(&mut defs, name, Scope::Total, "all", unit);
            for (i, c) in s.crossings.iter().enumerate() {
                push(&mut defs, name, Scope::Crossing(i), &c.name, unit);
            }
        }
        let mut commodity_base = Vec::new();
        for &(name, unit, _) in COMMODITY_METRICS {
            commodity_base.push(defs.len());
            push(&mut defs, name, Scope::Total, "all", unit);
            for (i, g) in s.commodities.iter().enumerate() {
                push(&mut defs, name, Scope::Commodity(i), &g.name, unit);
            }
        }
        let mut price_base = Vec::new();
        for &(name, unit, _) in PRICE_METRICS {
            price_base.push(defs.len());
            for (i, g) in s.commodities.iter().enumerate() {
                push(&mut defs, name, Scope::Commodity(i), &g.name, unit);
            }
        }
        let mut market_base = Vec::new();
        for &(name, unit, _) in MARKET_METRICS {
            market_base.push(defs.len());
            for (i, m) in MARKETS.iter().enumerate() {
                push(&mut defs, name, Scope::Market(i), m, unit);
            }
        }
        Self {
            defs,
            nc,
            ng,
            crossing_base,
            commodity_base,
            price_base,
            market_base,
            direct_loss,
        }
    }

    /// Number of metrics (row length).
    pub fn len(&self) -> usize {
        self.defs.len()
    }

    /// Whether the layout is empty (never, for a valid scenario).
    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// Row index of crossing metric `k` (index into [`CROSSING_METRICS`]);
    /// `None` = total.
    #[inline]
    pub fn crossing(&self, k: usize, c: Option<usize>) -> usize {
        debug_assert!(c.is_none_or(|c| c < self.nc));
        self.crossing_base[k] + c.map_or(0, |c| c + 1)
    }

    /// Row index of commodity metric `k` (into [`COMMODITY_METRICS`]).
    #[inline]
    pub fn commodity(&self, k: usize, g: Option<usize>) -> usize {
        debug_assert!(g.is_none_or(|g| g < self.ng));
        self.commodity_base[k] + g.map_or(0, |g| g + 1)
    }

    /// Row index of price metric `k` (into [`PRICE_METRICS`]) for commodity `g`.
    #[inline]
    pub fn price(&self, k: usize, g: usize) -> usize {
        self.price_base[k] + g
    }

    /// Row index of market metric `k` (into [`MARKET_METRICS`]).
    #[inline]
    pub fn market(&self, k: usize, m: usize) -> usize {
        self.market_base[k] + m
    }

    /// Row index of the direct loss.
    #[inline]
    pub fn direct_loss(&self) -> usize {
        self.direct_loss
    }

    /// Finds a metric by name and scope entity (`all` for totals).
    pub fn find(&self, name: &str, entity: &str) -> Option<usize> {
        self.defs
            .iter()
            .position(|d| d.name == name && d.entity == entity)
    }
}

/// Named indices into the metric tables, so engine code reads as prose.
pub mod ix {
    pub const DAYS_CLOSED: usize = 0;
    pub const DELAYED: usize = 1;
    pub const FORGONE_VALUE: usize = 2;
    pub const FORGONE_TRUCKS: usize = 3;
    pub const DIVERTED_TRUCKS: usize = 4;
    pub const DIVERSION_COST: usize = 5;
    pub const WAITING_COST: usize = 6;
    pub const SPOILED_VALUE: usize = 7;
    pub const SPOILED_TONNES: usize = 8;
    pub const STRANDED: usize = 9;
    pub const PEAK_BACKLOG: usize = 10;
    pub const DAYS_TO_CLEAR: usize = 11;
    pub const LOST_PERSON_DAYS: usize = 12;
    pub const LOST_WAGES: usize = 13;
    pub const EXHAUSTED: usize = 14;
    pub const CUSTOMS_LOST: usize = 15;
    pub const CUSTOMS_DELAYED: usize = 16;
    pub const LONGEST_CLOSURE: usize = 17;
    pub const REROUTED_TRUCKS: usize = 18;
    pub const EXTERNAL_TRUCKS: usize = 19;
    pub const EXTERNAL_COST: usize = 20;
    pub const CASH_SUPPORT: usize = 21;

    pub const CONSUMER_COST: usize = 0;
    pub const CONSUMER_EXTRA: usize = 1;
    pub const GLUT_LOSS: usize = 2;
    pub const G_SPOILED_VALUE: usize = 3;
    pub const G_SPOILED_TONNES: usize = 4;

    pub const PEAK_PRICE: usize = 0;
    pub const MEAN_PRICE: usize = 1;

    pub const CPI_PEAK: usize = 0;
    pub const CPI_MEAN: usize = 1;
}

/// The daily series kept for fan charts, in `daily.csv` order.
#[derive(Clone, Debug)]
pub struct SeriesDef {
    pub name: &'static str,
    pub scope: Scope,
    pub entity: String,
    pub unit: &'static str,
}

/// Layout of the daily series: open fraction and backlog per crossing,
/// price multiplier per commodity, cumulative direct loss.
pub fn series_defs(s: &Scenario) -> Vec<SeriesDef> {
    let mut v = Vec::new();
    for (i, c) in s.crossings.iter().enumerate() {
        v.push(SeriesDef {
            name: "open_fraction",
            scope: Scope::Crossing(i),
            entity: c.name.clone(),
            unit: "share",
        });
    }
    for (i, c) in s.crossings.iter().enumerate() {
        v.push(SeriesDef {
            name: "backlog_trucks",
            scope: Scope::Crossing(i),
            entity: c.name.clone(),
            unit: "trucks",
        });
    }
    for (i, g) in s.commodities.iter().enumerate() {
        v.push(SeriesDef {
            name: "price_multiplier",
            scope: Scope::Commodity(i),
            entity: g.name.clone(),
            unit: "×",
        });
    }
    v.push(SeriesDef {
        name: "cumulative_direct_loss_usd",
        scope: Scope::Total,
        entity: "all".into(),
        unit: "USD",
    });
    v
}
